#!/usr/bin/env bash
# The harness's retry rules (tests/linux/boot-lib.sh), without KVM: a boot
# is retried at most BOOT_RETRIES times, and only inside L1, only after a
# flake of the nested stack (a triple fault, a panic before /init, an
# exception stack overflow, corrupt memory, a hang: no output for
# BOOT_STALL_SECS before /init) before /init finished; a
# rerun of the suites reports only the tests the first run did not; after
# /init only a triple fault is retried (boot_flaked_late).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
BOOT_RETRIES=2
. tests/linux/boot-lib.sh
. tests/nested/l1-watch.sh

check() {	# NAME EXPECTED-STATUS
	local got
	boot_flaked "$1" >"$tmp/$1.out"
	got=$?
	if [ "$got" = "$2" ]; then
		echo "PASS /nested/retry/$3"
	else
		echo "FAIL /nested/retry/$3: boot_flaked returned $got, expected $2"
	fi
}
triple='boardvm: vCPU 1: triple fault (shutdown): the machine resets'
printf '%s\n  rip 000000000000fff0\n' "$triple" >"$tmp/a.err"
printf '[    0.000000] tsc: Fast TSC calibration failed\n' >"$tmp/a.log"
cp "$tmp/a.err" "$tmp/b.err"
printf 'boardvm-init: done\n' >"$tmp/b.log"
printf 'boardvm: vCPU 0: guest reset\n' >"$tmp/c.err"
cp "$tmp/a.log" "$tmp/c.log"

printf 'Decompressing Linux... \n\nXZ-compressed data is corrupt\n\n -- System halted\n' >"$tmp/d.log"
: >"$tmp/d.err"

in_nested_l1() { return 1; }
check a 1 not-outside-l1
in_nested_l1() { return 0; }
check a 0 triple-fault
grep -q "^RETRY a: a triple fault before /init finished, booting it again (1 of 2).*$triple.*tsc: Fast TSC" "$tmp/a.out" &&
	echo "PASS /nested/retry/says-why" ||
	echo "FAIL /nested/retry/says-why: '$(cat "$tmp/a.out")'"
check a 0 second-retry
check a 1 at-most-twice
check b 1 not-after-init-done
check c 1 not-a-guest-reset
printf '[    6.0] Kernel panic - not syncing: Fatal exception in interrupt\n' >"$tmp/p.log"
: >"$tmp/p.err"
check p 0 early-panic
printf '[    1.0] Run /init as init process\n[    6.0] Kernel panic - not syncing: x\n' >"$tmp/q.log"
: >"$tmp/q.err"
check q 1 panic-after-init
printf '[    1.0] Run /init as init process\n[   47.8] BUG: ENTRY_TRAMPOLINE stack guard page was hit at (____ptrval____)\n' >"$tmp/g.log"
: >"$tmp/g.err"
check g 0 stack-guard-after-init
grep -q "^RETRY g: an exception stack overflow" "$tmp/g.out" &&
	echo "PASS /nested/retry/says-stack-overflow" ||
	echo "FAIL /nested/retry/says-stack-overflow: '$(cat "$tmp/g.out")'"
printf '[    1.0] Run /init as init process\n[    9.0] BUG: kernel NULL pointer dereference, address: 0000000000000000\n' >"$tmp/n.log"
: >"$tmp/n.err"
check n 1 other-oops-after-init
check d 0 corrupt-decompress
grep -q "^RETRY d: corrupt guest memory (the decompressor) before /init finished" "$tmp/d.out" &&
	echo "PASS /nested/retry/says-corrupt" ||
	echo "FAIL /nested/retry/says-corrupt: '$(cat "$tmp/d.out")'"

# A hang: silent for BOOT_STALL_SECS before /init, the VM dumped and
# killed, then retried with where its vCPUs were.
stall() {	# NAME SECONDS-SILENT EXPECTED-STATUS TEST
	sleep 600 &
	local pid=$! got
	touch -d "-$2 seconds" "$tmp/$1.log"
	boot_stall_check "$1" "$pid"
	got=$?
	[ "$got" = 1 ] && kill "$pid"
	wait "$pid" 2>/dev/null
	local end=$?	# 143: our SIGTERM; 131 or 137: the check's signals
	if [ "$got" = "$3" ] && { [ "$got" = 1 ] || [ "$end" != 143 ]; }; then
		echo "PASS /nested/retry/$4"
	else
		echo "FAIL /nested/retry/$4: boot_stall_check returned $got, expected $3 (boardvm stand-in ended with $end)"
	fi
}
printf '[    0.4] Freeing SMP alternatives memory: 36K
' >"$tmp/h.log"
printf 'boardvm: vCPU 0: SIGQUIT dump (mp_state 0), 9 exits
  rip ffffffff81a5a1a9 rsp 0 rflags 46
boardvm: vCPU 1: SIGQUIT dump (mp_state 3), 5 exits
  rip ffffffff81001234 rsp 0 rflags 246
' >"$tmp/h.err"
stall h 60 1 not-a-stall-yet
[ ! -f "$tmp/h.stalled" ] && check h 1 no-hang-no-retry
stall h 200 0 stall-killed
check h 0 hang-retried
grep -q "^RETRY h: a hang (no guest output for 2[0-9][0-9] s; 0: rip ffffffff81a5a1a9 1: rip ffffffff81001234) before /init finished" "$tmp/h.out" &&
	echo "PASS /nested/retry/says-hang-and-where" ||
	echo "FAIL /nested/retry/says-hang-and-where: '$(cat "$tmp/h.out")'"
[ ! -f "$tmp/h.stalled" ] && check h 1 hang-mark-cleared
printf '[    1.0] Run /init as init process
' >"$tmp/i.log"
stall i 200 1 not-after-init-ran

# After /init: only a triple fault, and only while retries are left.
late() {	# NAME EXPECTED-STATUS TEST
	local got
	boot_flaked_late "$1" >"$tmp/$1.out"
	got=$?
	if [ "$got" = "$2" ]; then
		echo "PASS /nested/retry/$3"
	else
		echo "FAIL /nested/retry/$3: boot_flaked_late returned $got, expected $2"
	fi
}
printf '[    1.0] Run /init as init process\nboardvm-init: done\n' >"$tmp/l.log"
printf 'boardvm: vCPU 0: triple fault (shutdown): the machine resets\n' >"$tmp/l.err"
late l 0 late-triple-fault
grep -q "^RETRY l: a triple fault after /init ran, testing it again from a new boot (1 of 2)" "$tmp/l.out" &&
	echo "PASS /nested/retry/says-late" ||
	echo "FAIL /nested/retry/says-late: '$(cat "$tmp/l.out")'"
late l 0 late-second
late l 1 late-at-most-twice
cp "$tmp/l.log" "$tmp/m.log"
printf 'boardvm: vCPU 0: guest reset\n' >"$tmp/m.err"
late m 1 late-not-a-reset
in_nested_l1() { return 1; }
cp "$tmp/l.err" "$tmp/o.err"
late o 1 late-not-outside-l1
in_nested_l1() { return 0; }

(unset BOOT_RETRIES; . tests/linux/boot-lib.sh; [ "$BOOT_RETRIES" = 4 ]) &&
	echo "PASS /nested/retry/default-four" ||
	echo "FAIL /nested/retry/default-four: BOOT_RETRIES defaults to something else"

got=$(printf 'PASS /nested/x\nFAIL /nested/y: late\nPASS /nested/z\nnested: progress\n' |
	results_not_in <(printf 'PASS /nested/x\nFAIL /nested/y: first\n'))
want=$(printf 'PASS /nested/z\nnested: progress')
[ "$got" = "$want" ] && echo "PASS /nested/retry/rerun-reports-the-rest" ||
	echo "FAIL /nested/retry/rerun-reports-the-rest: got '$(echo "$got" | tr '\n' '|')'"

# run.sh's wedge signal: RCU stall reports on L1's console, counted.
printf '[  337.35] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n[  337.36] rcu: \t0-...0: (93 ticks this GP)\n[  400.37] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n' >"$tmp/stalled.log"
printf '[    1.0] Run /init as init process\n[    9.0] rcu: RCU calculated value of scheduler-enlistment delay is 25 jiffies.\n' >"$tmp/calm.log"
[ "$(l1_stall_reports "$tmp/stalled.log")" = 2 ] &&
	[ "$(l1_stall_reports "$tmp/calm.log")" = 0 ] &&
	[ "$(l1_stall_reports "$tmp/no-such.log")" = 0 ] &&
	echo "PASS /nested/retry/l1-stall-reports" ||
	echo "FAIL /nested/retry/l1-stall-reports: counted $(l1_stall_reports "$tmp/stalled.log"), $(l1_stall_reports "$tmp/calm.log"), $(l1_stall_reports "$tmp/no-such.log") (want 2, 0, 0)"
# The stalled CPU's own reports count too (the wedge of session 12 had only
# those), each once: the kthread-starved line that follows is no report.
printf '[   24.80] rcu: INFO: rcu_preempt self-detected stall on CPU\n[   24.80] rcu: \t0-...!: (5240 ticks this GP)\n[   24.80] rcu: rcu_preempt kthread starved for 5250 jiffies!\n[   87.85] rcu: INFO: rcu_preempt self-detected stall on CPU\n' >"$tmp/self.log"
[ "$(l1_stall_reports "$tmp/self.log")" = 2 ] &&
	echo "PASS /nested/retry/l1-self-detected-stalls" ||
	echo "FAIL /nested/retry/l1-self-detected-stalls: counted $(l1_stall_reports "$tmp/self.log"), want 2"

# A rerun leaves out what an earlier L1 finished: the suites with their
# end marker (nested_suites_left), and in full-boot.sh the boots whose
# every test has a result (NESTED_DONE from nested_reported, done_before).
printf '== nested s1\nPASS /nested/linux/a/x\n== nested s1: done\n== nested s2\nFAIL /nested/linux/b: why\nSKIP /nested/linux/b/y: why\n' >"$tmp/run1.out"
got=$(nested_suites_left "$tmp/run1.out" s1 s2 s3)
[ "$got" = "s2 s3" ] && echo "PASS /nested/retry/rerun-suites-left" ||
	echo "FAIL /nested/retry/rerun-suites-left: got '$got', want 's2 s3'"
got=$(nested_reported "$tmp/run1.out")
[ "$got" = "/linux/a/x /linux/b /linux/b/y " ] &&
	echo "PASS /nested/retry/rerun-reported" ||
	echo "FAIL /nested/retry/rerun-reported: got '$got'"
ALL_TESTS="/linux/b /linux/b/y /linux/bz /linux/c /linux/c/z"
done_ok=1
NESTED_DONE=$got
done_before /linux/b >"$tmp/done.out" || done_ok=0	# every test of b
grep -qxF '  (b: reported by an earlier L1, not run again)' "$tmp/done.out" || done_ok=0
! done_before /linux/bz >/dev/null || done_ok=0		# not b's: no result
NESTED_DONE="/linux/c"
! done_before /linux/c >/dev/null || done_ok=0		# c/z has none yet
! done_before /linux/none >/dev/null || done_ok=0	# no such tests
NESTED_DONE=
! done_before /linux/b >/dev/null || done_ok=0		# a first run
[ "$done_ok" = 1 ] && echo "PASS /nested/retry/rerun-done-before" ||
	echo "FAIL /nested/retry/rerun-done-before: a boot left out or run again wrongly"

# run.sh's account of a dead L1: the first oops report, not only the tail.
printf '[  1.0] Run /init as init process\n[ 669.8] BUG: kernel NULL pointer dereference, address: 0000000000000008\n[ 669.8] #PF: supervisor read access in kernel mode\n' >"$tmp/oops.log"
for i in $(seq 40); do echo "[ 669.9] frame $i" >>"$tmp/oops.log"; done
got=$(l1_first_oops "$tmp/oops.log")
[ "$(echo "$got" | head -n 1)" = "[ 669.8] BUG: kernel NULL pointer dereference, address: 0000000000000008" ] &&
	[ "$(echo "$got" | wc -l)" = 31 ] && [ -z "$(l1_first_oops "$tmp/calm.log")" ] &&
	echo "PASS /nested/retry/l1-first-oops" ||
	echo "FAIL /nested/retry/l1-first-oops: got '$(echo "$got" | head -n 2 | tr '\n' '|')' ($(echo "$got" | wc -l) lines)"
