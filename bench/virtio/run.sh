#!/usr/bin/env bash
# bench-virtio: boardvm (virtio-guest board) running a guest that makes REQS
# 4 KiB virtio-blk reads, minus the same guest making none, per request:
# wall time, and CPU time (user + system of every boardvm thread, which a
# loaded host inflates far less). Medians of REPS rounds, kinds interleaved
# round by round. blk0's doorbell is async (ioeventfd), blk1's is bound
# sync; one extra run of each with --stats counts the doorbell's exits.
set -u
BUILD=${BUILD:-build}
REPS=${REPS:-7}
REQS=${REQS:-4000}			# BENCH_VIRTIO_REQS in virtio.mk
ADDR=0x100000
dir=$BUILD/bench/virtio
vmm=$BUILD/virtio-guest/boardvm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "bench-virtio: skipped: /dev/kvm not available"
	exit 0
fi

# An 8 MiB disk for each device (the guest reads blocks 0..2047 in turn).
head -c 8388608 /dev/urandom >"$tmp/disk0"
cp "$tmp/disk0" "$tmp/disk1"
disks=(--disk "$tmp/disk0" --disk "$tmp/disk1")

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Appends "KIND WALL_NS CPU_NS" for one run of guest KIND to $tmp/times.
run_one() {
	local status
	TIMEFORMAT='%R %U %S'
	{ time "$vmm" --flat "$dir/guest-$1.bin@$ADDR" "${disks[@]}" \
		>/dev/null 2>"$tmp/err" </dev/null; } 2>"$tmp/time"
	status=$?
	if [ "$status" -ne 33 ]; then
		echo "bench-virtio: guest $1 exited $status: $(head -n 3 "$tmp/err")" >&2
		exit 1
	fi
	awk -v k="$1" '{ printf "%s %.0f %.0f\n", k, $1 * 1e9, ($2 + $3) * 1e9 }' \
		"$tmp/time" >>"$tmp/times"
}

kinds="none async1 sync1 async16 sync16"
for _ in $(seq "$REPS"); do
	for kind in $kinds; do
		run_one "$kind"
	done
done

declare -A wall cpu
for kind in $kinds; do
	wall[$kind]=$(awk -v k="$kind" '$1 == k { print $2 }' "$tmp/times" | median)
	cpu[$kind]=$(awk -v k="$kind" '$1 == k { print $3 }' "$tmp/times" | median)
done

# The doorbell's --stats line for one run of KIND, device DEV.
notify_stats() {
	"$vmm" --flat "$dir/guest-$1.bin@$ADDR" "${disks[@]}" --stats \
		>/dev/null 2>"$tmp/stats" </dev/null
	grep -E "^stats: region $2\\.notify " "$tmp/stats" |
		sed -E 's/^stats: region //; s/ (reads|writes|coalesced)=[0-9]+//g'
}

echo "bench-virtio: $REQS 4 KiB reads per run, median of $REPS runs," \
     "virtio-guest board, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %9s %9s %9s %8s\n' run "wall us" "cpu us" "req/s" "MB/s"
for kind in async1 sync1 async16 sync16; do
	case $kind in
	async1) what="blk0 async doorbell, 1/ring" ;;
	sync1) what="blk1 sync doorbell, 1/ring" ;;
	async16) what="blk0 async doorbell, 16/ring" ;;
	sync16) what="blk1 sync doorbell, 16/ring" ;;
	esac
	awk -v w="$what" -v n="$REQS" \
	    -v wall=$((wall[$kind] - wall[none])) \
	    -v cpu=$((cpu[$kind] - cpu[none])) 'BEGIN {
		if (wall <= 0) { printf "%-30s %9s\n", w, "-"; exit }
		printf "%-30s %9.1f %9.1f %9.0f %8.2f\n", w, wall / n / 1000,
			cpu / n / 1000, n * 1e9 / wall, n * 4096 * 1e3 / wall }'
done
echo "(per request; req/s and MB/s from wall time; setup alone:" \
     "$((wall[none] / 1000000)) ms wall per run)"
echo "doorbells, one run each (--stats):"
for kind in async1 sync1 async16 sync16; do
	case $kind in async*) dev=blk0 ;; *) dev=blk1 ;; esac
	echo "  $kind: $(notify_stats "$kind" "$dev")"
done
