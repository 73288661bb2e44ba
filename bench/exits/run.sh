#!/usr/bin/env bash
# bench-exits: wall time of boardvm (bindings board) running a guest that
# makes ITERS accesses of one kind, minus the same guest with no access,
# per access; the same for a bare KVM_RUN loop (bench/exits/bare.c) on the
# same guests, in the same run; medians of REPS runs. Instructions per exit
# are bench-callgrind's (bench/exits/callgrind.sh).
set -u
BUILD=${BUILD:-build}
REPS=${REPS:-7}
ITERS=20000			# BENCH_ITERS in bench/exits/guest.c
ADDR=0x100000
DEBUG_EXIT=0x501
dir=$BUILD/bench/exits
vmm=$BUILD/bindings/boardvm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "bench-exits: skipped: /dev/kvm not available"
	exit 0
fi

now_ns() { date +%s%N; }

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# wall ns of one run of "$@", or "fail"
run_ns() {
	local t0 t1
	t0=$(now_ns)
	"$@" >/dev/null 2>"$tmp/err" </dev/null
	local status=$?
	t1=$(now_ns)
	if [ "$1" = "$vmm" ] && [ "$status" -ne 33 ]; then
		echo "bench-exits: $* exited $status: $(head -n 2 "$tmp/err")" >&2
		exit 1
	fi
	echo $((t1 - t0))
}

# One run of each kind under each loop per round, rounds interleaved so
# that noise from the rest of the machine hits every measurement alike.
kinds="none pio mmio async coalesced"
for _ in $(seq "$REPS"); do
	for kind in $kinds; do
		guest=$dir/guest-$kind.bin
		echo "$kind $(run_ns "$vmm" --flat "$guest@$ADDR")" >>"$tmp/vmm"
		echo "$kind $(run_ns "$dir/bare" "$guest" "$ADDR" "$DEBUG_EXIT" \
				     irqchip)" >>"$tmp/bare"
	done
done

declare -A vmm_ns bare_ns
for kind in $kinds; do
	vmm_ns[$kind]=$(awk -v k="$kind" '$1 == k { print $2 }' "$tmp/vmm" | median)
	bare_ns[$kind]=$(awk -v k="$kind" '$1 == k { print $2 }' "$tmp/bare" | median)
done

per_access() { echo $((($1 - $2) / ITERS)); }

echo "bench-exits: $ITERS accesses per run, median of $REPS runs," \
     "bindings board, $(nproc) CPUs"
printf '%-34s %12s %12s %8s\n' access "boardvm ns" "bare ns" ratio
for kind in pio mmio async coalesced; do
	v=$(per_access "${vmm_ns[$kind]}" "${vmm_ns[none]}")
	b=$(per_access "${bare_ns[$kind]}" "${bare_ns[none]}")
	case $kind in
	pio) what="sync port (pio-sync.status)" ;;
	mmio) what="sync MMIO (mmio-sync.status)" ;;
	async) what="async doorbell (pio-bell)" ;;
	coalesced) what="coalesced MMIO (mmio-bell.fifo)" ;;
	esac
	ratio=$(awk -v v="$v" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", v / b; else print "-" }')
	printf '%-34s %12s %12s %8s\n' "$what" "$v" "$b" "$ratio"
done
echo "(bare: the same guest under a bare KVM_RUN loop with an in-kernel irqchip, every access a plain exit)"

# Userspace instructions per exit: make bench-callgrind (callgrind.sh).
