#!/usr/bin/env bash
# bench-virtio: wall time of boardvm (virtio-guest board) running a guest
# that makes REQS 4 KiB virtio-blk reads, minus the same guest making none,
# per request; medians of REPS rounds, kinds interleaved round by round.
# blk0's doorbell is async (ioeventfd), blk1's is bound sync; one extra run
# of each with --stats counts the doorbell's exits and notifies.
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

# An 8 MiB disk for each device, real data in the page cache.
head -c 8388608 /dev/urandom >"$tmp/disk0"
cp "$tmp/disk0" "$tmp/disk1"
disks=(--disk "$tmp/disk0" --disk "$tmp/disk1")

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# wall ns of one run of guest KIND
run_ns() {
	local t0 t1 status
	t0=$(now_ns)
	"$vmm" --flat "$dir/guest-$1.bin@$ADDR" "${disks[@]}" \
		>/dev/null 2>"$tmp/err" </dev/null
	status=$?
	t1=$(now_ns)
	if [ "$status" -ne 33 ]; then
		echo "bench-virtio: guest $1 exited $status: $(head -n 3 "$tmp/err")" >&2
		exit 1
	fi
	echo $((t1 - t0))
}

kinds="none async1 sync1 async16 sync16"
for _ in $(seq "$REPS"); do
	for kind in $kinds; do
		echo "$kind $(run_ns "$kind")" >>"$tmp/times"
	done
done

declare -A ns
for kind in $kinds; do
	ns[$kind]=$(awk -v k="$kind" '$1 == k { print $2 }' "$tmp/times" | median)
done

# The doorbell's line of --stats for one run of KIND on device DEV.
notify_stats() {
	"$vmm" --flat "$dir/guest-$1.bin@$ADDR" "${disks[@]}" --stats \
		>/dev/null 2>"$tmp/stats" </dev/null
	grep -E "^stats: region $2\\.notify " "$tmp/stats" |
		sed -E 's/^stats: region //; s/ +/ /g'
}

echo "bench-virtio: $REQS 4 KiB reads per run, median of $REPS runs," \
     "virtio-guest board, $(nproc) CPUs"
printf '%-30s %10s %10s %8s\n' run "us/req" "req/s" "MB/s"
for kind in async1 sync1 async16 sync16; do
	per=$(((ns[$kind] - ns[none]) / REQS))
	case $kind in
	async1) what="blk0 async doorbell, 1/ring" ;;
	sync1) what="blk1 sync doorbell, 1/ring" ;;
	async16) what="blk0 async doorbell, 16/ring" ;;
	sync16) what="blk1 sync doorbell, 16/ring" ;;
	esac
	awk -v w="$what" -v p="$per" 'BEGIN {
		if (p <= 0) { printf "%-30s %10s\n", w, "-"; exit }
		printf "%-30s %10.1f %10.0f %8.1f\n", w, p / 1000, 1e9 / p,
			1e9 / p * 4096 / 1e6 }'
done
echo "(setup alone, no reads: $((ns[none] / 1000000)) ms per run)"
echo "doorbells, one run each (--stats):"
echo "  async1: $(notify_stats async1 blk0)"
echo "  sync1: $(notify_stats sync1 blk1)"
echo "  async16: $(notify_stats async16 blk0)"
echo "  sync16: $(notify_stats sync16 blk1)"
