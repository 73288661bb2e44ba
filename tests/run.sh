#!/usr/bin/env bash
# Runs every test suite and prints one summary line.
#
# A suite is an executable that prints one line per test:
#   PASS <name>
#   FAIL <name>: <why>
#   SKIP <name>: <why>        (cannot run here, e.g. no /dev/kvm)
# Any other line is shown as it is. A suite that exits non-zero without
# printing FAIL counts as one failure, so a crash never passes.
#
# usage: tests/run.sh SUITE...
set -u
passed=0 failed=0 skipped=0
for suite in "$@"; do
	echo "== $suite"
	out=$(mktemp)
	"$suite" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	s=$(grep -c '^SKIP ' "$out")
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $suite: exited with status $status"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	rm -f "$out"
done
if [ "$skipped" -gt 0 ]; then
	echo "!! $skipped test(s) skipped: see the SKIP lines above for why"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
