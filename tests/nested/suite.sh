#!/usr/bin/env bash
# make test's nested suite: on a host without vmx/svm, the Linux tests
# that need hardware virtualization (tests/linux/boot.sh, full-boot.sh,
# net.sh)
# run inside the nested-KVM L1 (tests/nested/run.sh), their names
# prefixed with /nested. Where the host has vmx/svm they run directly
# (tests/linux) and this suite has nothing to do; where QEMU is missing
# tests/linux/full-boot.sh prints the SKIPs with the reason.
# Under SANITIZE=1 make test skips this suite (see below); make
# test-nested SANITIZE=1 runs the sanitizer build's boardvm in L1, and
# full-boot.sh boots only pvh-512M (it says so in its SKIP lines).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/linux/boot-lib.sh

if host_hw_virt; then
	echo "nested: this host has vmx/svm: the Linux tests run directly (tests/linux), not nested"
	exit 0
fi
if ! nested_available; then
	echo "nested: no qemu-system-x86_64 here; tests/linux/full-boot.sh prints the SKIPs"
	exit 0
fi
# The sanitizer pass does not repeat the nested boots: in about 1 run of
# 12 the sanitized boardvm's L1 ended early or went quiet (status 125 or
# 124, seen only under SANITIZE=1, cause not found), and a flaky pass
# would block every change. `make test-nested SANITIZE=1` runs them.
if [ "${SANITIZE:-}" = 1 ] && [ -z "${NESTED_SANITIZE:-}" ]; then
	echo "SKIP /nested/linux: SANITIZE=1 leaves the nested Linux boots to the plain 'make test' (make test-nested SANITIZE=1 runs them)"
	exit 0
fi
if ! find_kernel; then
	echo "SKIP /nested/linux: $IMAGE_WHY"
	exit 0
fi
out=$(mktemp) again=$(mktemp)
trap 'rm -f "$out" "$again"' EXIT
NESTED_SUITES="tests/nested/hold-check.sh tests/linux/boot.sh tests/linux/full-boot.sh tests/linux/net.sh tests/linux/vsock.sh"
# net.sh's tap in L1.
export NESTED_MODULES="${NESTED_MODULES:-} tun"
# nested_run [SUITES]: the suites (all of them by default) in one L1,
# results renamed /nested/...; its status is run.sh's. Each suite's end
# is marked ("== nested SUITE: done"), so that a rerun leaves out the
# suites an earlier L1 finished, and NESTED_DONE names every test already
# reported, so that full-boot.sh leaves out the boots it has results for
# (done_before, boot-lib.sh). A line every boot at most (BOOT_TIMEOUT is
# 420 s), so 480 s without one means L1 has stopped. Each run gets what
# is left of NESTED_BUDGET (2700 s for the first run and every rerun
# together: CI's 90 minutes hold the rest of make test and the sanitizer
# pass beside it).
budget_end=$(($(date +%s) + ${NESTED_BUDGET:-2700}))
budget_left() { echo $((budget_end - $(date +%s))); }
nested_run() {
	local left suites=${1:-$NESTED_SUITES}
	left=$(budget_left)
	[ "$left" -le "${NESTED_TIMEOUT:-2400}" ] || left=${NESTED_TIMEOUT:-2400}
	tests/nested/run.sh --timeout "$left" \
		--idle-timeout "${NESTED_IDLE_TIMEOUT:-480}" \
		--name "$suites" -- \
		env SANITIZE="${SANITIZE:-}" NESTED_DONE="$(nested_reported "$out")" bash -c \
		'for s in '"$suites"'; do echo "== nested $s"; "$s"; echo "== nested $s: done"; done' |
		sed -u 's#^\(PASS\|FAIL\|SKIP\) /#\1 /nested/#'
	return "${PIPESTATUS[0]}"
}
nested_run | tee "$out"
status=${PIPESTATUS[0]}
# L1 has wedged with both CPUs in its own text patching (QEMU 7.2's
# multi-threaded TCG; kvm-hold keeps KVM's static keys from flipping, the
# trigger in these runs; docs/nested.md). If it wedges anyway (run.sh
# 124: silent for 480 s, or RCU stall reports on its console), or dies
# under the tests (126: an L1 kernel panic, "Attempted to kill the idle
# task", as the first L2s started), the run is repeated, saying so, for
# what the earlier runs did not finish (the suites not done, and in
# full-boot.sh the boots without results), at most NESTED_L1_RETRIES
# times and while 600 s of the budget are left (L1 boots in about 20 s,
# but a rerun that cannot see one L2 boot through its 420 s bound is no
# use). 5 retries: session 9's last CI failed on a wedged L1 after two
# reruns; session 12's clean-clone CI saw four L1 ends in one run (a
# panic in net.sh, two wedges with CPU 1 in delay_tsc and CPU 0 looping
# through asm_exc_invalid_op and asm_exc_page_fault, a panic in boot.sh)
# and failed after three reruns, each of which had started every suite
# over; a rerun now costs only what is left.
retries=0
while { [ "$status" -eq 124 ] || [ "$status" -eq 126 ]; } &&
      [ "$retries" -lt "${NESTED_L1_RETRIES:-5}" ]; do
	if [ "$(budget_left)" -lt 600 ]; then
		echo "nested: no rerun: $(budget_left) s of NESTED_BUDGET (${NESTED_BUDGET:-2700} s) left, a rerun needs 600"
		break
	fi
	if [ -z "$(nested_suites_left "$out" $NESTED_SUITES)" ]; then
		echo "nested: L1 ended with status $status after every suite had finished; nothing to run again"
		status=0
		break
	fi
	retries=$((retries + 1))
	echo "RETRY /nested/harness: L1 $([ "$status" -eq 124 ] && echo 'stopped answering' || echo 'died') (status $status, its console tail is above); running again ($retries of ${NESTED_L1_RETRIES:-5}) what has no result yet: $(nested_suites_left "$out" $NESTED_SUITES)"
	nested_run "$(nested_suites_left "$out" $NESTED_SUITES)" | results_not_in "$out" | tee "$again"
	status=${PIPESTATUS[0]}
	cat "$again" >>"$out"
done
if [ "$status" -ne 0 ]; then
	echo "FAIL /nested/harness: tests/nested/run.sh ended with status $status (124: a stage timed out, 125: QEMU or L1 failed, 126: L1 died under the tests); the lines above say where"
fi
grep -q '^\(PASS\|FAIL\) /nested/linux/full-boot/' "$out" ||
	echo "FAIL /nested/harness: no full-boot result came back from L1"
exit 0
