#!/usr/bin/env bash
# bench-boot: boardvm against QEMU, from the outside (bench/boot/launch):
#
#   first instruction  a guest whose first instruction writes debug-exit
#                      (bench/boot/first.S): process start to exit
#   Linux version      the Debian kernel (scripts/guest-image.sh's cache):
#                      process start to "Linux version" on the serial
#                      console (earlyprintk), then the VMM is stopped
#   peak RSS           getrusage(RUSAGE_CHILDREN) of each run
#
# The baseline for the first instruction is the bare KVM_RUN loop of
# bench/exits (one vCPU, one memslot, no VMM): boardvm --flat against it
# is what boardvm itself adds to a launch, in time and in memory.
#
# Runs interleave round by round (every VMM once per round) so that the
# rest of the machine's load hits them alike; medians over the rounds.
# QEMU is qemu-system-x86_64 from the Debian package qemu-system-x86: not
# installed, its columns are skipped with a message. The kernel rows need
# the guest image (scripts/guest-image.sh); without it they are skipped.
#
# Environment: REPS (first-instruction rounds, 7), QEMU_PC_REPS (rounds
# for QEMU's pc machine, whose firmware is slow without VT-x, 3),
# LINUX_REPS (kernel rounds, 3), LINUX_TIMEOUT (seconds per boot, 300),
# BZIMAGE_ROWS (1: also boot the bzImage; default 1 only with vmx/svm,
# since without them the bzImage spends minutes decompressing itself).
set -u
BUILD=${BUILD:-build}
REPS=${REPS:-7}
QEMU_PC_REPS=${QEMU_PC_REPS:-3}
LINUX_REPS=${LINUX_REPS:-3}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-300}
MEM=512M			# pc's RAM default; QEMU gets the same
LOAD_ADDR=0x100000
APPEND="console=ttyS0 earlyprintk=serial"
dir=$BUILD/bench/boot
vmm=$BUILD/pc/boardvm
launch=$dir/launch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "bench-boot: skipped: /dev/kvm not available"
	exit 0
fi
hw_virt=0
grep -Eqw 'vmx|svm' /proc/cpuinfo && hw_virt=1
BZIMAGE_ROWS=${BZIMAGE_ROWS:-$hw_virt}

qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
	echo "bench-boot: QEMU columns skipped: qemu-system-x86_64 is not" \
	     "installed (apt-get install qemu-system-x86)"
fi
# QEMU: KVM, pc's RAM, no default devices, the debug-exit port that
# first.S writes, the serial console on stdout for the kernel rows.
qemu_cmd() {
	local machine=$1
	shift
	echo "$qemu -M $machine -accel kvm -m $MEM -nodefaults -display none" \
	     "-monitor none -no-reboot -device isa-debug-exit,iobase=0x501,iosize=1" \
	     "$*"
}

# --- the configurations: name, rounds, expected ending, command --------

CONFIGS=()
add() { CONFIGS+=("$1|$2|$3|$4"); }

add "first/bare KVM_RUN loop (baseline)" "$REPS" 0 \
	"$BUILD/bench/exits/bare $dir/first.bin $LOAD_ADDR 0x501"
add "first/boardvm --flat" "$REPS" 33 \
	"$vmm --mem $MEM --flat $dir/first.bin@$LOAD_ADDR"
# The minimal board (RAM, a UART, debug-exit at the same port 0x501 as
# pc's: a run that ends elsewhere has another status and no result) is
# the fairer comparison with the bare loop, which has no devices either.
add "first/boardvm --flat, minimal board" "$REPS" 33 \
	"$BUILD/minimal/boardvm --flat $dir/first.bin@$LOAD_ADDR"
add "first/boardvm --kernel (PVH)" "$REPS" 33 \
	"$vmm --mem $MEM --kernel $dir/first.elf"
if [ -n "$qemu" ]; then
	add "first/qemu -M microvm (PVH)" "$REPS" 67 \
		"$(qemu_cmd microvm -serial none -kernel "$dir/first.elf")"
	add "first/qemu -M pc (SeaBIOS, PVH)" "$QEMU_PC_REPS" 67 \
		"$(qemu_cmd pc -serial none -kernel "$dir/first.elf")"
fi

VMLINUX= BZIMAGE= INITRD=
if [ "$LINUX_REPS" -gt 0 ]; then
	image=$(scripts/guest-image.sh 2>/dev/null </dev/null)
	[ -n "$image" ] && eval "$image"
fi
if [ "$LINUX_REPS" -eq 0 ]; then
	echo "bench-boot: kernel rows skipped: LINUX_REPS=0"
elif [ -f "$VMLINUX" ] && [ -f "$INITRD" ]; then
	kernels=("vmlinux (PVH)|$VMLINUX")
	[ "$BZIMAGE_ROWS" = 1 ] && kernels+=("bzImage|$BZIMAGE")
	for k in "${kernels[@]}"; do
		kname=${k%%|*} kfile=${k#*|}
		add "linux $kname/boardvm" "$LINUX_REPS" seen \
			"$vmm --mem $MEM --kernel $kfile --initrd $INITRD --append"
		if [ -n "$qemu" ]; then
			add "linux $kname/qemu -M microvm" "$LINUX_REPS" seen \
				"$(qemu_cmd microvm -serial stdio -kernel "$kfile" -initrd "$INITRD" -append)"
			add "linux $kname/qemu -M pc" "$LINUX_REPS" seen \
				"$(qemu_cmd pc -serial stdio -kernel "$kfile" -initrd "$INITRD" -append)"
		fi
	done
else
	echo "bench-boot: kernel rows skipped: no cached guest image (run" \
	     "scripts/guest-image.sh first; it needs the network once)"
fi

# --- the runs -----------------------------------------------------------

# run_one INDEX ROUND: one launch of configuration INDEX, appended to
# $tmp/results as "INDEX ms rss_kb" (ms: to exit, or to the kernel line).
run_one() {
	local i=$1 name rounds want cmd line ms status
	IFS='|' read -r name rounds want cmd <<<"${CONFIGS[$i]}"
	[ "$2" -lt "$rounds" ] || return 0
	if [ "$want" = seen ]; then
		# word-split the command, then the kernel command line as one
		# argument (it holds spaces)
		# shellcheck disable=SC2086
		line=$("$launch" --until "Linux version" --timeout "$LINUX_TIMEOUT" \
			-- $cmd "$APPEND" 2>"$tmp/err")
		ms=$(sed -n 's/.*seen_ms=\([0-9.]*\) .*/\1/p' <<<"$line")
	else
		# shellcheck disable=SC2086
		line=$("$launch" --timeout 120 -- $cmd 2>"$tmp/err")
		status=$(sed -n 's/.*status=\([0-9]*\) .*/\1/p' <<<"$line")
		ms=
		[ "$status" = "$want" ] &&
			ms=$(sed -n 's/.*exit_ms=\([0-9.]*\) .*/\1/p' <<<"$line")
	fi
	if [ -z "$ms" ]; then
		echo "bench-boot: $name: no result ($line): $(grep -v 'warning: host doesn' "$tmp/err" | tail -n 2 | tr '\n' ' ')" >&2
		echo "$i - -" >>"$tmp/results"
		return 0
	fi
	echo "$i $ms $(sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' <<<"$line")" \
		>>"$tmp/results"
}

max_rounds=0
for c in "${CONFIGS[@]}"; do
	IFS='|' read -r _ rounds _ _ <<<"$c"
	[ "$rounds" -gt "$max_rounds" ] && max_rounds=$rounds
done
: >"$tmp/results"
echo "bench-boot: ${#CONFIGS[@]} configurations, up to $max_rounds rounds" \
     "(kernel boots can take minutes each without VT-x)"
for ((r = 0; r < max_rounds; r++)); do
	echo "bench-boot: round $((r + 1)) of $max_rounds"
	for i in "${!CONFIGS[@]}"; do
		run_one "$i" "$r"
	done
done

# --- the table ----------------------------------------------------------

# median of column COL (2 ms, 3 rss) of configuration I's good runs
median() {
	awk -v i="$1" -v c="$2" '$1 == i && $c != "-" { print $c }' \
		"$tmp/results" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
runs() {
	awk -v i="$1" '$1 == i && $2 != "-" { n++ } $1 == i { t++ }
		END { printf "%d/%d", n, t }' "$tmp/results"
}

echo "bench-boot: medians; pc board, --mem/-m $MEM, $(nproc) CPUs," \
     "hardware virtualization: $([ "$hw_virt" = 1 ] && echo yes || echo no)," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %12s %14s %6s\n' "launch to ..." "median ms" "peak RSS MiB" runs
for i in "${!CONFIGS[@]}"; do
	IFS='|' read -r name _ _ _ <<<"${CONFIGS[$i]}"
	ms=$(median "$i" 2)
	rss=$(median "$i" 3)
	[ "$rss" != - ] && rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
	printf '%-44s %12s %14s %6s\n' "${name/\// : }" "$ms" "$rss" "$(runs "$i")"
done
# boardvm --flat on pc (configuration 1) and on minimal (2) against the
# bare loop (0).
against_bare() {
	awk -v what="$1" -v bm="$(median 0 2)" -v br="$(median 0 3)" \
	    -v vm="$(median "$2" 2)" -v vr="$(median "$2" 3)" 'BEGIN {
		if (bm == "-" || vm == "-" || bm <= 0 || br <= 0) {
			print what " against the bare loop: no result"
			exit
		}
		printf "%s against the bare loop: launch to exit %.2fx," \
		       " peak RSS %.2fx (%.2f MiB more)\n", what, vm / bm,
		       vr / br, (vr - br) / 1024
	}'
}
against_bare "boardvm --flat (pc)" 1
against_bare "boardvm --flat (minimal)" 2
echo "(first: a guest whose first instruction writes debug-exit, process" \
     "start to exit; linux: process start to \"Linux version\" on the" \
     "serial console; peak RSS of the VMM process up to that point)"
