#!/usr/bin/env bash
# bench-barmove: what a BAR-move storm on one vCPU costs another. The
# guest tests/guest/virtio/virtio-bar-storm.c (virtio-guest board, 2 vCPUs)
# has vCPU 1 move rng0's BAR0 100 times (32 doorbells re-registered with
# KVM each time) while vCPU 0 reads port 0xcf8, which takes the PCI host's
# lock, and times each read (TSC ticks). Per run: vCPU 0's 0xcf8 probes
# per move (how far it got while vCPU 1 moved), the p90 of its probes
# during the storm over the p90 before it (the baseline, same run), and a
# move's median ticks. Medians of REPS runs. VMM=path compares another
# boardvm (e.g. one built before a change) on the same guest.
set -u
BUILD=${BUILD:-build}
REPS=${REPS:-5}
vmm=${VMM:-$BUILD/virtio-guest/boardvm}
guest=$BUILD/guest/virtio-guest/virtio-bar-storm.bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "bench-barmove: skipped: /dev/kvm not available"
	exit 0
fi
head -c 1048576 /dev/zero >"$tmp/disk0"
head -c 65536 /dev/zero >"$tmp/disk1"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/^bench: $1 samples \\([0-9]*\\) median \\([0-9]*\\) p90 \\([0-9]*\\) .*/$2/p" "$tmp/out"; }

for _ in $(seq "$REPS"); do
	"$vmm" --cpus 2 --flat "$guest@0x100000" --disk "$tmp/disk0" \
		--disk "$tmp/disk1" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne 33 ]; then
		echo "bench-barmove: exit status $status: $(head -n 3 "$tmp/err")" >&2
		exit 1
	fi
	during=$(field "cf8 during storm" '\1')
	moves=$(field "move" '\1')
	echo "$during $moves" | awk '{ printf "%.1f\n", $1 / $2 }' >>"$tmp/probes"
	p90b=$(field "cf8 before storm" '\3')
	p90d=$(field "cf8 during storm" '\3')
	echo "$p90d $p90b" | awk '{ printf "%.2f\n", $1 / $2 }' >>"$tmp/p90"
	field "move" '\2' >>"$tmp/move"
done
echo "bench-barmove: $vmm, $REPS runs (medians; spread min-max)"
for f in probes p90 move; do
	case $f in
	probes) what="vCPU 0 probes of 0xcf8 per move of vCPU 1" ;;
	p90) what="vCPU 0 0xcf8 p90, storm / before" ;;
	move) what="a move's median, TSC ticks" ;;
	esac
	printf '  %-44s %s (%s-%s)\n' "$what" "$(median <"$tmp/$f")" \
		"$(sort -n "$tmp/$f" | head -n 1)" "$(sort -n "$tmp/$f" | tail -n 1)"
done
