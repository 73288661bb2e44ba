#!/usr/bin/env bash
# Runs inside the nested L1 (bench/nested/exits.sh): boardvm (bindings
# board, --flat) and QEMU (-M pc, -accel kvm, -kernel multiboot) run the
# same exit guest (bench/nested/exits-guest.c), 1 vCPU, in RUNS
# interleaved runs of five rounds each. Prints one line per round:
# "VMM run round pio_read=T pio_unclaimed=T mmio_unclaimed=T loop=T"
# (TSC ticks per access), and a run that failed as "VMM run failed: why".
set -u
runs=${1:-3}
dir=$BUILD/bench/nested
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run VMM N STATUS COMMAND...: one run; STATUS is its exit on success.
run() {
	local vmm=$1 n=$2 want=$3 status
	shift 3
	timeout -s KILL 120 "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne "$want" ]; then
		echo "$vmm $n failed: exit $status, expected $want: $(tail -n 2 "$tmp/err" | tr '\n' ' ')"
		return
	fi
	sed -n "s/^exits: round \([0-9]*\) /$vmm $n \1 /p" "$tmp/out"
}

echo "exits: L1 $(dmesg | grep -m1 -o 'tsc: Detected [0-9.]* MHz')"
for n in $(seq "$runs"); do
	run boardvm "$n" 33 "$BUILD/bindings/boardvm" \
		--flat "$dir/exits-guest.bin@0x100000"
	# isa-debug-exit: QEMU exits with (value << 1) | 1.
	run qemu-pc "$n" 67 qemu-system-x86_64 -L /usr/share/qemu \
		-L /usr/share/seabios -accel kvm -cpu host -M pc -m 64M \
		-smp 1 -nodefaults -no-user-config -display none -no-reboot \
		-serial stdio -device isa-debug-exit,iobase=0x501,iosize=1 \
		-kernel "$dir/exits-guest-mb.elf"
done
