#!/usr/bin/env bash
# Runs inside the nested L1: boardvm boots the Debian vmlinux (PVH, the
# busybox initrd, --mem 512M, 1 vCPU) with each --mem-backing in ROUNDS
# interleaved rounds, timed by runstat from the launch to "Run /init".
# L1's THP is switched to madvise for the run (the harness's default is
# never, where thp would be anon) and 260 2 MiB pages are reserved for
# hugetlb. Prints "BACKING round runstat-fields" per run.
#
#   tests/nested/run.sh --smp 2 -- bash bench/nested/mem-backing-in-l1.sh 3
set -u
rounds=${1:-3}
eval "$(scripts/guest-image.sh)"
runstat=$BUILD/bench/nested/runstat
append="console=ttyS0 earlyprintk=serial panic=-1"
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
echo 260 >/proc/sys/vm/nr_hugepages
echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled)" \
	"defrag: $(cat /sys/kernel/mm/transparent_hugepage/defrag)" \
	"nr_hugepages: $(cat /proc/sys/vm/nr_hugepages)"
for r in $(seq "$rounds"); do
	for b in anon thp hugetlb; do
		printf '%s %s ' "$b" "$r"
		timeout -s KILL 300 "$runstat" "linux=Linux version" \
			"init=Run /init" "done=boardvm-init: done" -- \
			"$BUILD/pc/boardvm" --kernel "$VMLINUX" --initrd "$INITRD" \
			--mem 512M --cpus 1 --mem-backing "$b" --append "$append" \
			</dev/null 2>/dev/null || echo "runstat failed"
	done
done
