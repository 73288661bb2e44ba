#!/usr/bin/env bash
# Not part of the suite: measures the nested stack's flake rate. N full
# boots (PAR at a time, MEM each) in L1, and how each ended (status 4: a
# triple fault; 137: killed after 300 s). STRESS=compact runs memory
# compaction in a loop meanwhile; THP=never|always|madvise sets L1's THP
# first (l1-init.sh sets never). Run it as
#   tests/nested/run.sh -- env N=12 PAR=2 tests/linux/flake-probe.sh
# docs/nested.md has what it found.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
. tests/linux/boot-lib.sh
find_kernel || { echo "no kernel: $IMAGE_WHY"; exit 1; }
N=${N:-10} MEM=${MEM:-3.5G} PAR=${PAR:-1}
echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled) defrag: $(cat /sys/kernel/mm/transparent_hugepage/defrag)"
[ -n "${THP:-}" ] && echo "$THP" >/sys/kernel/mm/transparent_hugepage/enabled
[ -n "${THP:-}" ] && echo "thp now: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
spid=
if [ "${STRESS:-}" = compact ]; then
	( while :; do echo 1 >/proc/sys/vm/compact_memory; sleep 0.3; done ) &
	spid=$!
fi
one() {
	local i=$1 start st
	start=$(date +%s)
	truncate -s 16M "$tmp/d$i"
	"$BOARDVM" --kernel "$VMLINUX" --initrd "$INITRD" --mem "$MEM" --cpus 2 \
		--disk "$tmp/d$i" --append "$APPEND_BASE no_timer_check boardvm.virtio=1 boardvm.test=p$i" \
		</dev/null >"$tmp/p$i.log" 2>"$tmp/p$i.err" &
	local pid=$!
	( sleep 300; kill -9 $pid 2>/dev/null ) & local w=$!
	wait $pid; st=$?
	kill $w 2>/dev/null; wait $w 2>/dev/null
	local done=no
	grep -q 'boardvm-init: done' "$tmp/p$i.log" && done=yes
	local tf=$(grep -m1 'triple fault' "$tmp/p$i.err")
	echo "boot $i: status $st init-done $done $(($(date +%s)-start))s ${tf:+[$tf] tail: $(tail -n 3 "$tmp/p$i.log" | tr -d '\r' | tr '\n' '|')}"
}
i=0
while [ $i -lt "$N" ]; do
	for j in $(seq 1 "$PAR"); do one $((i + j)) & done
	wait $(jobs -p | grep -v "^${spid:-x}$")
	i=$((i + PAR))
done
[ -n "$spid" ] && kill $spid
grep -hE "thp_|compact_|pgmigrate|numa_" /proc/vmstat | grep -v " 0$" | tr '\n' ' '; echo
echo "probe done"
