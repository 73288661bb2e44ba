#!/usr/bin/env bash
# Error boards: every tests/boardc/errors/NAME.yaml and NAME.dts goes
# through boardc; its stderr and exit status must equal NAME.expected byte
# for byte (the exact stderr, then a last line "exit status: N"). Each one
# goes through `boardc -O c` too (/boardc/errors/NAME/c): every check,
# those of the tables' plan included, runs before any emitter, so the
# diagnostics and status are the same and no file is written (a board
# with warnings only, status 0, is written).
#
# To add one: write the board, run
#   build/boardc/boardc tests/boardc/errors/NAME.yaml 2>NAME.expected;
#   echo "exit status: $?" >>NAME.expected
# from the repository root, and read the result before committing it.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
shopt -s nullglob

if [ ! -x "$boardc" ]; then
	echo "FAIL /boardc/errors: $boardc not built (run 'make boardc')"
	exit 1
fi
for input in tests/boardc/errors/*.yaml tests/boardc/errors/*.dts; do
	name=${input##*/}
	name=${name%.*}
	expected=${input%.*}.expected
	test=/boardc/errors/$name
	if [ ! -f "$expected" ]; then
		echo "FAIL $test: $expected is missing"
		continue
	fi
	"$boardc" "$input" >/dev/null 2>"$tmp/actual"
	echo "exit status: $?" >>"$tmp/actual"
	if cmp -s "$expected" "$tmp/actual"; then
		echo "PASS $test"
	else
		echo "FAIL $test: stderr or exit status differs from $expected"
		diff -u "$expected" "$tmp/actual" | sed 's/^/    /'
	fi
	rm -rf "$tmp/c"
	"$boardc" -O c -o "$tmp/c" "$input" >/dev/null 2>"$tmp/actual-c"
	echo "exit status: $?" >>"$tmp/actual-c"
	if ! cmp -s "$expected" "$tmp/actual-c"; then
		echo "FAIL $test/c: boardc -O c: stderr or exit status differs" \
		     "from $expected"
		diff -u "$expected" "$tmp/actual-c" | sed 's/^/    /'
	elif [ -e "$tmp/c" ] && ! grep -qx 'exit status: 0' "$expected"; then
		echo "FAIL $test/c: boardc -O c wrote $tmp/c for a bad board"
	else
		echo "PASS $test/c"
	fi
done
