#!/usr/bin/env bash
# The board key cpuid-hide: both front ends read it, -O yaml and -O dts
# write it back (a round trip gives the same board), and -O c emits it
# as BOARD_CPUID_HIDE in board.h only for a board that has it. Unknown
# names: tests/boardc/errors/*unknown_cpuid_feature*.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/b.yaml" <<'BOARD'
board: hide
cpuid-hide: [cx16, xsave, avx2]
ram:
  default: 16M
  regions:
    - name: low
      base: 0
      size: 1G
BOARD

t_roundtrip() {
	"$boardc" -O dts -o "$tmp/b.dts" "$tmp/b.yaml" || return 1
	grep -q '^	cpuid-hide = "cx16", "xsave", "avx2";$' "$tmp/b.dts" ||
		{ WHY="-O dts lacks the cpuid-hide property: $(grep cpuid "$tmp/b.dts")"; return; }
	"$boardc" -O yaml -o "$tmp/b1.yaml" "$tmp/b.yaml" &&
		"$boardc" -O yaml -o "$tmp/b2.yaml" "$tmp/b.dts" || return 1
	diff -u "$tmp/b1.yaml" "$tmp/b2.yaml" >"$tmp/diff" ||
		WHY="YAML and its dts twin differ: $(tr '\n' '|' <"$tmp/diff")"
	grep -A3 '^cpuid-hide:$' "$tmp/b1.yaml" | grep -q '^  - avx2$' ||
		WHY="-O yaml lacks the list: $(tr '\n' '|' <"$tmp/b1.yaml")"
}

t_board_h() {
	mkdir -p "$tmp/c" "$tmp/c0"
	"$boardc" -O c -o "$tmp/c" "$tmp/b.yaml" || return 1
	grep -q '^#define BOARD_CPUID_HIDE	"cx16,xsave,avx2"$' "$tmp/c/board.h" ||
		WHY="board.h lacks BOARD_CPUID_HIDE: $(grep CPUID "$tmp/c/board.h")"
	sed '/^cpuid-hide/d' "$tmp/b.yaml" >"$tmp/b0.yaml"
	"$boardc" -O c -o "$tmp/c0" "$tmp/b0.yaml" || return 1
	! grep -q BOARD_CPUID_HIDE "$tmp/c0/board.h" ||
		WHY="a board without cpuid-hide has BOARD_CPUID_HIDE"
}

for t in roundtrip board_h; do
	WHY=
	if ! "t_$t" 2>"$tmp/err"; then
		WHY=${WHY:-boardc failed: $(tr '\n' '|' <"$tmp/err")}
	fi
	if [ -z "$WHY" ]; then
		echo "PASS /boardc/cpuid-hide/${t//_/-}"
	else
		echo "FAIL /boardc/cpuid-hide/${t//_/-}: $WHY"
	fi
done
