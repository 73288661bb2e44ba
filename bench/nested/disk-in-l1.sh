#!/usr/bin/env bash
# Runs inside the nested L1 (bench/nested/disk.sh): boardvm (--disk, the
# pc board's virtio-blk-pci, io_uring) and QEMU (-accel kvm -M pc,
# virtio-blk-pci; its default aio=threads and aio=io_uring) boot the same
# Debian vmlinux through PVH with the same busybox initrd, --mem 512M, 1
# vCPU, the same raw image read-only. The guest (/init's
# boardvm.diskbench=N, tests/linux/disk-read.c) reads N blocks of 4 KiB
# with O_DIRECT in order, then N at random offsets, each between two
# console lines; runstat gives their times and the VMM's CPU time at each.
# ROUNDS interleaved rounds of one run per VMM; one line per run: "VMM N
# round runstat-fields".
set -u
rounds=${1:-3} blocks=${2:-4096} mib=${DISK_BENCH_MIB:-64}
# A run still going after this many seconds is killed (status 137) and
# counted as a failed round.
limit=${DISK_BENCH_RUN_S:-240}
eval "$(scripts/guest-image.sh)"
runstat=$BUILD/bench/nested/runstat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Written, not sparse: both VMMs read the same blocks from L1's page cache.
dd if=/dev/zero of="$tmp/disk.img" bs=1M count="$mib" status=none
labels=("seqs=boardvm-init: disk bench seq start"
	"seqe=boardvm-init: disk bench seq end"
	"rands=boardvm-init: disk bench rand start"
	"rande=boardvm-init: disk bench rand end"
	"done=boardvm-init: done")
append="console=ttyS0 earlyprintk=serial panic=-1 boardvm.diskbench=$blocks"

run() {
	local vmm=$1 r=$2
	shift 2
	printf '%s %s %s ' "$vmm" "$blocks" "$r"
	"$runstat" -o "$tmp/log" -t "$limit" "${labels[@]}" -- "$@" \
		</dev/null 2>"$tmp/err" | tee "$tmp/line" || echo "runstat failed"
	if ! grep -q " status=0 " "$tmp/line" || grep -q 'disk bench .* bad' "$tmp/log"; then
		grep 'disk bench' "$tmp/log" | sed "s/^/tail: $vmm $r console: /"
		tail -n 8 "$tmp/log" | sed "s/^/tail: $vmm $r console: /"
		tail -n 4 "$tmp/err" | sed "s/^/tail: $vmm $r stderr: /"
	fi
}

qemu() {
	echo qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios \
		-accel kvm -cpu host -m 512M -smp 1 -M pc -nodefaults \
		-no-user-config -display none -no-reboot -serial stdio \
		-drive "file=$tmp/disk.img,format=raw,if=none,id=d0,readonly=on,aio=$1" \
		-device virtio-blk-pci,drive=d0,romfile= \
		-kernel "$VMLINUX" -initrd "$INITRD"
}

for r in $(seq "$rounds"); do
	run boardvm "$r" "$BUILD/pc/boardvm" --kernel "$VMLINUX" \
		--initrd "$INITRD" --mem 512M --cpus 1 \
		--disk "$tmp/disk.img,ro" --append "$append"
	# shellcheck disable=SC2046
	run qemu-threads "$r" $(qemu threads) -append "$append"
	# shellcheck disable=SC2046
	run qemu-io_uring "$r" $(qemu io_uring) -append "$append"
done
