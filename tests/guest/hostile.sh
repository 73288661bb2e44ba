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
timeout -k 5 120 "$BUILD/pc/boardvm" --stats \
	--flat "$BUILD/guest/pc/hostile.bin@0x100000" \
	</dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
want="hostile: 67575 port writes, 67584 port reads, 4096 mmio accesses; devices still answer"
bad=$(grep -E -m1 'seccomp|AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err")
if grep -Eq 'cannot open /dev/kvm|KVM_CREATE_VM|KVM lacks' "$tmp/err"; then
	echo "SKIP $name: /dev/kvm not available ($(head -n 1 "$tmp/err"))"
elif [ "$status" -ne 33 ]; then
	echo "FAIL $name: exit status $status, expected 33; stdout: $(tr '\n' '|' <"$tmp/out") stderr: $(grep -v 'unmapped\|^stats:' "$tmp/err" | tail -n 3 | tr '\n' '|')"
elif [ "$(cat "$tmp/out")" != "$want" ]; then
	echo "FAIL $name: stdout '$(tr '\n' '|' <"$tmp/out")', expected '$want'"
elif [ -n "$bad" ]; then
	echo "FAIL $name: stderr has '$bad'"
elif ! grep -q '^stats: unmapped reads=[1-9][0-9]* writes=[1-9]' "$tmp/err"; then
	echo "FAIL $name: no unmapped accesses counted: the guest did not reach the VMM"
else
	echo "PASS $name"
fi
