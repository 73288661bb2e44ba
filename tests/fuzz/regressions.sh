#!/usr/bin/env bash
# Replays the fuzz regression inputs (tests/fuzz/regressions/) through
# boardc: each must end with status 0, 1 or 2 (ok, parse error, check
# failure), in bounded time, with no sanitizer report. A board that passes
# the checks is also run through every output format and `boardc acpi`.
#
# Run by `make test` (BUILD=build or build/san) through tests/run.sh.
set -u
cd "$(dirname "$0")/../.."
boardc=${BUILD:-build}/boardc/boardc
dir=tests/fuzz/regressions
if [ ! -x "$boardc" ]; then
	echo "FAIL /fuzz/regressions: $boardc is not built (make boardc)"
	exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# run NAME ARGS...: one boardc run; prints why it failed, if it did.
run()
{
	local status
	timeout 30 "$boardc" "$@" >"$scratch/out" 2>"$scratch/err"
	status=$?
	if [ "$status" -eq 124 ]; then
		echo "boardc $* ran over 30 s"
	elif [ "$status" -gt 2 ]; then
		echo "boardc $* exited with status $status:" \
			"$(grep -m1 -E 'ERROR|runtime error|Segmentation|Abort' \
			"$scratch/err")"
	elif grep -qE 'Sanitizer|runtime error:' "$scratch/err"; then
		echo "boardc $* printed a sanitizer report:" \
			"$(grep -m1 -E 'Sanitizer|runtime error:' "$scratch/err")"
	fi
	return "$status"
}

replay()
{
	local f=$1 why status fmt
	why=$(run "$f")
	status=$?
	if [ -z "$why" ] && [ "$status" -eq 0 ]; then
		why=$(run -O c -o "$scratch/c" "$f")
		for fmt in map json svg yaml dts; do
			[ -n "$why" ] && break
			why=$(run -O "$fmt" "$f")
		done
		# The ACPI tables (status 1 or 2 where the board has none).
		[ -n "$why" ] || why=$(run acpi "$f")
		[ -n "$why" ] || why=$(run acpi --cpus 1 -o "$scratch/acpi" "$f")
	fi
	if [ -n "$why" ]; then
		echo "FAIL /fuzz/regressions/${f##*/}: $why"
	else
		echo "PASS /fuzz/regressions/${f##*/}"
	fi
}

found=0
for f in "$dir"/*; do
	case "$f" in
	*.yaml|*.yml|*.dts) found=1; replay "$f" ;;
	esac
done
if [ "$found" -eq 0 ]; then
	echo "FAIL /fuzz/regressions: no inputs in $dir"
fi
exit 0
