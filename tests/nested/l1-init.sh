#!/bin/sh
# /init of the nested-KVM harness's L1 guest (see tests/nested/l1-image.sh).
# Mounts the usual filesystems, loads kvm-amd (npt=1 nested=0) and what it
# depends on, then runs /nested/run (bash, in /repo, the L2 image cache at
# /cache) with its output on the results port (ttyS1; the console, ttyS0,
# keeps L1's own log), prints "nested: status N" there and powers off.
# With nested.interactive on the kernel command line the results port is
# the console itself and /nested/run gets the terminal.
export PATH=/bin:/sbin HOME=/root XDG_CACHE_HOME=/cache BOARDVM_IMAGE_OFFLINE=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o size=90% tmpfs /tmp
mkdir -p /root /dev/pts && mount -t devpts devpts /dev/pts
ln -s /proc/self/fd /dev/fd
ln -s fd/0 /dev/stdin; ln -s fd/1 /dev/stdout; ln -s fd/2 /dev/stderr

out=/dev/ttyS1
grep -qw nested.interactive /proc/cmdline && out=/dev/console
say() { echo "nested: $*" >"$out"; }
finish() {
	say "status $1"
	sync
	poweroff -f
}

for m in $(cat /nested/modules); do
	params=
	[ "$m" = kvm-amd ] && params="npt=1 nested=0"
	insmod "/nested/ko/$m.ko" $params 2>"/tmp/insmod.err" ||
		{ say "insmod $m failed: $(cat /tmp/insmod.err)"; finish 3; }
done
# No transparent huge pages in L1: with THP, kvm-amd maps L2's memory
# through 2 MiB nested-page-table entries, and L2 boots ended in triple
# faults the guest never asked for in 1 of 4 3.5G boots two at a time
# (and twice in a row on CI's host); with 4 KiB pages none of 10 did
# (docs/nested.md has the runs).
# (nested.thp=always|madvise on L1's command line, NESTED_L1_APPEND,
# keeps another setting, for comparisons.)
thp=$(sed -n 's/.*nested\.thp=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "${thp:-never}" >/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
	say "warning: cannot set THP to ${thp:-never} in L1"
[ -c /dev/kvm ] || { say "no /dev/kvm after loading kvm-amd (does the CPU model have svm?)"; finish 3; }
# Two idle VMs held open for the whole run, so that the tests' VMs never
# make L1's kernel patch its own text (KVM's static keys), which wedges
# L1 under QEMU 7.2's multi-threaded TCG (kvm-hold.c, docs/nested.md).
# nested.nohold on L1's command line leaves them out, for comparisons.
if ! grep -qw nested.nohold /proc/cmdline; then
	/nested/kvm-hold >/tmp/kvm-hold.out 2>&1 &
	for _ in $(seq 100); do
		grep -q holding /tmp/kvm-hold.out || ! kill -0 $! 2>/dev/null && break
		sleep 0.1
	done
	grep -q holding /tmp/kvm-hold.out ||
		{ say "kvm-hold failed: $(cat /tmp/kvm-hold.out)"; finish 3; }
	# The deferred LAPIC key's patch comes a second after the flip.
	sleep 2
fi
# L1 boots with one CPU (maxcpus=1, run.sh) and gets the others only now:
# the boot's own static-key flips and kvm-hold's (the first VM flips the
# preempt-notifier key) patch L1's text with no second TCG thread to run
# a stale copy of it. A session 12 L1 wedged in exactly that patch, both
# CPUs at finish_task_switch+0x9f from kvm-hold's KVM_CREATE_VM on.
for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ "$(cat "$c")" = 1 ] || echo 1 >"$c" ||
		{ say "cannot bring ${c%/online} online"; finish 3; }
done
say "L1 up at $(cut -d' ' -f1 /proc/uptime)s: $(nproc) CPUs, $(sed -n 's/^MemTotal: *//p' /proc/meminfo), /dev/kvm from kvm-amd"
cd /repo
if [ "$out" = /dev/console ]; then
	setsid cttyhack bash /nested/run
else
	bash /nested/run >"$out" 2>&1 </dev/null
fi
finish $?
