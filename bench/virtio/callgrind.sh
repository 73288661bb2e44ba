#!/usr/bin/env bash
# Userspace instructions per 4 KiB virtio-blk read, counted by callgrind
# (valgrind): boardvm (virtio-guest board, --no-seccomp: valgrind cannot
# run seccomp(2)) with the bench-virtio guest (bench/virtio/guest.c) making
# REQS and REQS/2 reads; the difference over REQS/2 is one request with
# setup, teardown and first-time work cancelled. Every thread counts (the
# vCPU, the I/O thread); the guest and the kernel do not, so the figure is
# what the VMM spends per request, not what the disk read costs.
#
#   blk.read4k.async.qd1    blk0 (ioeventfd doorbell), one read per doorbell
#   blk.read4k.async.qd16   blk0, 16 reads per doorbell
#   blk.read4k.sync.qd1     blk1 (doorbell bound sync), one per doorbell
#
#   callgrind.sh                  print the figures
#   callgrind.sh --check FILE     also compare them with FILE's budgets
#                                 ("KEY MAX" lines for these keys; the
#                                 others are bench/exits/callgrind.sh's)
#   VMM=PATH callgrind.sh         another boardvm of the virtio-guest board
#                                 (docs/performance.md: the synchronous
#                                 path's figures came from one built at
#                                 the commit before io_uring)
set -u
BUILD=${BUILD:-build}
. "$(dirname "$0")/../callgrind-lib.sh"
REQS=2048			# BENCH_VIRTIO_CG_REQS in virtio.mk
HALF=1024
ADDR=0x100000
dir=$BUILD/bench/virtio
vmm=${VMM:-$BUILD/virtio-guest/boardvm}
budgets=
if [ "${1-}" = --check ]; then
	budgets=${2:?usage: callgrind.sh [--check BUDGETS]}
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cg_require bench-virtio-callgrind

# An 8 MiB disk for each device, read once so it is in the page cache.
head -c 8388608 /dev/urandom >"$tmp/disk0"
cp "$tmp/disk0" "$tmp/disk1"

# total GUEST: every thread's instructions for one run of guest-GUEST.bin
total() {
	local out=$tmp/$1.cg status
	valgrind --tool=callgrind --callgrind-out-file="$out" "$vmm" \
		--no-seccomp --flat "$dir/guest-$1.bin@$ADDR" \
		--disk "$tmp/disk0" --disk "$tmp/disk1" \
		>/dev/null 2>"$tmp/$1.err" </dev/null
	status=$?
	if [ "$status" -ne 33 ] || ! grep -q '^summary:' "$out"; then
		echo "FAIL bench-virtio-callgrind: guest $1 exited $status:" \
		     "$(tail -n 3 "$tmp/$1.err")" >&2
		exit 1
	fi
	awk '/^summary:/ { print $2 }' "$out"
}

# per_read KIND: (total(KIND) - total(KIND.half)) / HALF, rounded
per_read() {
	local a b
	a=$(total "cg-$1") || exit 1
	b=$(total "cg-$1-half") || exit 1
	per "$a" "$b"
}

declare -A fig
order=
for kind in async1 async16 sync1; do
	case $kind in
	async1) key=blk.read4k.async.qd1 ;;
	async16) key=blk.read4k.async.qd16 ;;
	sync1) key=blk.read4k.sync.qd1 ;;
	esac
	n=$(per_read "$kind") || exit 1
	put "$key" "$n"
done

cg_print "bench-virtio-callgrind: userspace instructions per 4 KiB read ($REQS - $HALF reads, over $HALF), virtio-guest board, $vmm"
[ -n "$budgets" ] || exit 0
cg_owns() { case $1 in blk.read4k.*) return 0 ;; esac; return 1; }
cg_check "$budgets"
