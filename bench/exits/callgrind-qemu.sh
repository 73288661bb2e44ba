#!/usr/bin/env bash
# Userspace instructions per exit, boardvm against QEMU, on the same guests
# (callgrind): boardvm --flat on the bindings board runs guest-KIND.bin,
# QEMU 7.2 (-accel kvm -M pc, isa-debug-exit at 0x501) the same objects
# behind a multiboot header (guest-KIND-mb.elf, -kernel). As in
# callgrind.sh, each kind runs with ITERS and HALF accesses and the
# difference over HALF is one access, with start-up (QEMU's firmware and
# the multiboot loader included) cancelled. Kinds common to both machines:
#
#   pio_trivial     a 4-byte read of port 0x501 (debug-exit: boardvm's
#                   handler fills all-ones, QEMU's isa-debug-exit reads 0)
#   pio_unclaimed   a write to port 0x700, no device in either machine
#   mmio_unclaimed  a write to 0xd0008000, unbacked in both
#
# Then, per kind, the functions (callgrind's self counts, same difference)
# that QEMU's exit spends its instructions in, the largest first: the
# trace of where its path goes. Figures in docs/performance.md (## Nested
# exits, "What QEMU's exit costs"). Not budgeted: QEMU is not ours.
set -u
BUILD=${BUILD:-build}
. "$(dirname "$0")/../callgrind-lib.sh"
ITERS=20000			# BENCH_ITERS in bench/exits/guest.c
HALF=10000			# the half/ guests
ADDR=0x100000
TOP=${TOP:-8}			# functions listed per kind
dir=$BUILD/bench/exits
vmm=$BUILD/bindings/boardvm
tmp=$(mktemp -d)
[ -n "${CG_KEEP-}" ] || trap 'rm -rf "$tmp"' EXIT

cg_require bench-callgrind-qemu
qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
	echo "SKIP bench-callgrind-qemu: qemu-system-x86_64 is not installed" \
	     "(apt-get install qemu-system-x86)"
	exit 0
fi

# cg OUT STATUS PROGRAM ARGS...: run under callgrind, which must exit with
# STATUS (the guest's pass code, as each VMM reports it), keep the profile
# and its per-function self counts in $tmp
cg() {
	local out=$1 want=$2 rc
	shift 2
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$out.cg" "$@" \
		>/dev/null 2>"$tmp/$out.err" </dev/null
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -q '^summary:' "$tmp/$out.cg"; then
		echo "FAIL bench-callgrind-qemu: $*: exit $rc (want $want):" \
		     "$(grep -v '^==' "$tmp/$out.err" | tail -n 3)"
		exit 1
	fi
	callgrind_annotate --threshold=100 --auto=no "$tmp/$out.cg" \
		>"$tmp/$out.self" 2>/dev/null
}
total() { awk '/^summary:/ { print $2 }' "$tmp/$1.cg"; }

# QEMU's command line less the kernel
qemu_cmd=("$qemu" -L /usr/share/qemu -L /usr/share/seabios -accel kvm -M pc
	  -m 64M -smp 1 -nodefaults -no-user-config -display none -monitor none
	  -no-reboot -device isa-debug-exit,iobase=0x501,iosize=4)

# top KIND: QEMU's functions by instructions per access, largest first
top() {
	awk -v n="$HALF" -v top="$TOP" '
		function key(line,  name, obj) {
			name = line
			obj = ""
			if (match(name, / \[[^]]*\]$/)) {
				obj = substr(name, RSTART + 2, RLENGTH - 3)
				sub(/^.*\//, "", obj)
				name = substr(name, 1, RSTART - 1)
			}
			sub(/^.*:/, "", name)
			return name " (" obj ")"
		}
		{ c = $1; gsub(",", "", c) }
		c !~ /^[0-9]+$/ || !/:/ { next }
		FNR == NR { full[key($0)] += c; next }
		{ half[key($0)] += c }
		END {
			for (k in full) {
				d = (full[k] - half[k]) / n
				if (d >= 0.5)
					printf "%d\t%s\n", d + 0.5, k
			}
		}' "$tmp/qemu.$1.self" "$tmp/qemu.$1.half.self" |
		sort -rn | head -n "$TOP" |
		awk -F '\t' '{ printf "    %6d  %s\n", $1, $2 }'
}

kinds="pio_trivial pio_unclaimed mmio_unclaimed"
for kind in $kinds; do
	# boardvm: the guest's pass code is its exit status (33)
	cg "vmm.$kind" 33 "$vmm" --no-seccomp --flat "$dir/guest-$kind.bin@$ADDR"
	cg "vmm.$kind.half" 33 "$vmm" --no-seccomp --flat \
		"$dir/half/guest-$kind.bin@$ADDR"
	# QEMU: isa-debug-exit exits with (code << 1) | 1
	cg "qemu.$kind" 67 "${qemu_cmd[@]}" -kernel "$dir/guest-$kind-mb.elf"
	cg "qemu.$kind.half" 67 "${qemu_cmd[@]}" \
		-kernel "$dir/half/guest-$kind-mb.elf"
done

echo "bench-callgrind-qemu: userspace instructions per access ($ITERS -" \
     "$HALF accesses, over $HALF), the same guests"
printf '%-16s %10s %10s %8s\n' kind boardvm qemu boardvm/qemu
for kind in $kinds; do
	v=$(per "$(total "vmm.$kind")" "$(total "vmm.$kind.half")")
	q=$(per "$(total "qemu.$kind")" "$(total "qemu.$kind.half")")
	awk -v k="$kind" -v v="$v" -v q="$q" 'BEGIN {
		printf "%-16s %10d %10d %8.3f\n", k, v, q, (q > 0 ? v / q : 0) }'
done
for kind in $kinds; do
	echo "qemu $kind: the $TOP functions that spend most per access" \
	     "(self instructions, object)"
	top "$kind"
done
