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
# nested_run: the suites in one L1, results renamed /nested/...; its
# status is run.sh's. A line every boot at most (BOOT_TIMEOUT is 420 s),
# so 480 s without one means L1 has stopped. Each run gets what is left
# of NESTED_BUDGET (2700 s for the first run and every rerun together:
# CI's 90 minutes hold the rest of make test and the sanitizer pass
# beside it).
budget_end=$(($(date +%s) + ${NESTED_BUDGET:-2700}))
budget_left() { echo $((budget_end - $(date +%s))); }
nested_run() {
	local left
	left=$(budget_left)
	[ "$left" -le "${NESTED_TIMEOUT:-2400}" ] || left=${NESTED_TIMEOUT:-2400}
	tests/nested/run.sh --timeout "$left" \
		--idle-timeout "${NESTED_IDLE_TIMEOUT:-480}" \
		--name "$NESTED_SUITES" -- \
		env SANITIZE="${SANITIZE:-}" bash -c \
		'for s in '"$NESTED_SUITES"'; do echo "== nested $s"; "$s"; done' |
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
# the tests the earlier runs did not report, at most NESTED_L1_RETRIES
# times (3: session 9's last CI failed on a wedged L1, RCU stall
# reports from 337 s then 480 s of silence, after at most two reruns) and
# while 600 s of the budget are left (L1 boots in about 20 s, but a rerun
# that cannot see one L2 boot through its 420 s bound is no use).
retries=0
while { [ "$status" -eq 124 ] || [ "$status" -eq 126 ]; } &&
      [ "$retries" -lt "${NESTED_L1_RETRIES:-3}" ]; do
	if [ "$(budget_left)" -lt 600 ]; then
		echo "nested: no rerun: $(budget_left) s of NESTED_BUDGET (${NESTED_BUDGET:-2700} s) left, a rerun needs 600"
		break
	fi
	retries=$((retries + 1))
	echo "RETRY /nested/harness: L1 $([ "$status" -eq 124 ] && echo 'stopped answering' || echo 'died') (status $status, its console tail is above); running the nested suites again ($retries of ${NESTED_L1_RETRIES:-3}) for the tests not yet reported"
	nested_run | results_not_in "$out" | tee "$again"
	status=${PIPESTATUS[0]}
	cat "$again" >>"$out"
done
if [ "$status" -ne 0 ]; then
	echo "FAIL /nested/harness: tests/nested/run.sh ended with status $status (124: a stage timed out, 125: QEMU or L1 failed, 126: L1 died under the tests); the lines above say where"
fi
grep -q '^\(PASS\|FAIL\) /nested/linux/full-boot/' "$out" ||
	echo "FAIL /nested/harness: no full-boot result came back from L1"
exit 0
