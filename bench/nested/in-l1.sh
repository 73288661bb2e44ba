#!/usr/bin/env bash
# Runs inside the nested L1 (bench/nested/run.sh): boardvm and QEMU
# (-accel kvm on L1's kvm-amd) boot the same Debian vmlinux through PVH
# with the same busybox initrd, --mem 512M, 1 vCPU, in ROUNDS interleaved
# rounds. Each run is timed by runstat from the launch: the first byte of
# serial output, the kernel's first line ("Linux version"), "Run /init",
# and the exit after /init's poweroff; with the VMM's peak RSS and CPU
# time. Prints one line per run: "VMM round runstat-fields".
set -u
rounds=${1:-5}
eval "$(scripts/guest-image.sh)"
runstat=$BUILD/bench/nested/runstat
append="console=ttyS0 earlyprintk=serial panic=-1"
labels=("linux=Linux version" "init=Run /init" "done=boardvm-init: done")

run() {
	local vmm=$1 r=$2
	shift 2
	printf '%s %s ' "$vmm" "$r"
	timeout -s KILL 300 "$runstat" "${labels[@]}" -- "$@" </dev/null 2>/dev/null ||
		echo "runstat failed"
}

# -L: L1 has the firmware at the host paths, not beside the binary.
qemu=(qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios
	-accel kvm -cpu host -m 512M -smp 1
	-nodefaults -no-user-config -display none -no-reboot
	-serial stdio -kernel "$VMLINUX" -initrd "$INITRD" -append "$append")

for r in $(seq "$rounds"); do
	run boardvm "$r" "$BUILD/pc/boardvm" --kernel "$VMLINUX" --initrd "$INITRD" \
		--mem 512M --cpus 1 --append "$append"
	run qemu-microvm "$r" "${qemu[@]}" -M microvm
	run qemu-pc "$r" "${qemu[@]}" -M pc
done
