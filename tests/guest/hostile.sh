#!/usr/bin/env bash
# The hostile guest (tests/guest/hostile.c) under the pc board's boardvm,
# seccomp on: every port and the PCI window hammered with random sizes
# and values, then the devices must still answer. Any crash, sanitizer
# report or forbidden syscall fails it. ~20 s on a nested-KVM host.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=/guest/pc/hostile

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP $name: /dev/kvm not available"
	exit 0
fi
start=$(date +%s)
timeout -k 5 120 "$BUILD/pc/boardvm" --stats \
	--flat "$BUILD/guest/pc/hostile.bin@0x100000" \
	</dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
# Guest-triggered messages are rate limited (machine/ratelimit.h): 10
# lines per source per 5 s window and one "suppressed" line; a few
# sources here (unmapped accesses, BAR moves through 0xcf8/0xcfc).
windows=$((($(date +%s) - start) / 5 + 1))
lines=$(grep -vc '^stats: ' "$tmp/err")
want="hostile: 67575 port writes, 67584 port reads, 4096 mmio accesses; devices still answer"
bad=$(grep -E -m1 'seccomp|AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err")
if grep -Eq 'cannot open KVM device|is not KVM|not a character device|KVM_CREATE_VM|KVM lacks' "$tmp/err"; then
	echo "SKIP $name: /dev/kvm not available ($(head -n 1 "$tmp/err"))"
elif [ "$status" -ne 33 ]; then
	echo "FAIL $name: exit status $status, expected 33; stdout: $(tr '\n' '|' <"$tmp/out") stderr: $(grep -v 'unmapped\|^stats:' "$tmp/err" | tail -n 3 | tr '\n' '|')"
elif [ "$(cat "$tmp/out")" != "$want" ]; then
	echo "FAIL $name: stdout '$(tr '\n' '|' <"$tmp/out")', expected '$want'"
elif [ -n "$bad" ]; then
	echo "FAIL $name: stderr has '$bad'"
elif [ "$lines" -gt $((50 * windows)) ]; then
	echo "FAIL $name: $lines lines on stderr in $windows window(s) of 5 s: the guest's messages are not rate limited"
elif ! grep -q '^stats: messages unmapped accesses printed=[1-9][0-9]* suppressed=[1-9]' "$tmp/err"; then
	echo "FAIL $name: no rate-limit counts for unmapped accesses in --stats"
elif ! grep -q '^stats: unmapped reads=[1-9][0-9]* writes=[1-9]' "$tmp/err"; then
	echo "FAIL $name: no unmapped accesses counted: the guest did not reach the VMM"
else
	echo "PASS $name"
fi
