#!/usr/bin/env bash
# Golden outputs of boardc's layout consumers (-O c, the text map, JSON),
# the generated tables checked through the VMM's lookup, determinism, and
# the committed generated/ of every shipped board.
#
# Each good board tests/boardc/good/NAME.yaml has its expected outputs in
# tests/boardc/good/NAME/: c/ (board.c, board.h, devices.mk), map.txt,
# map.json, map.svg (tests/boardc/svg-render.sh renders it), and optionally
# map-MEM.txt for `boardc map --mem MEM`.
#
# usage: tests/boardc/golden.sh            run (from anywhere)
#        tests/boardc/golden.sh --update   rewrite the expected outputs
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BOARDC=$BUILD/boardc/boardc
CC=${CC:-cc}
CFLAGS="-std=gnu11 -O1 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow
	-Wstrict-prototypes -Wmissing-prototypes"
if [ "${SANITIZE:-0}" = 1 ]; then
	CFLAGS="$CFLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined"
fi
update=0
[ "${1:-}" = --update ] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# compare NAME EXPECTED ACTUAL: diff -r, or install ACTUAL with --update.
compare() {
	if [ $update = 1 ]; then
		rm -rf "$2"
		mkdir -p "$(dirname "$2")"
		cp -r "$3" "$2"
		echo "updated $2"
	elif diff -ru "$2" "$3" >"$tmp/diff" 2>&1; then
		pass "$1"
	else
		fail "$1" "differs from $2: $(sed -n 3,12p "$tmp/diff" | tr '\n' '|')"
	fi
}

# run NAME OUTPUT BOARDC-ARGS...: boardc into OUTPUT; FAIL if it fails.
run() {
	local name=$1 out=$2
	shift 2
	if ! "$BOARDC" "$@" >"$out" 2>"$tmp/err"; then
		fail "$name" "boardc $* failed: $(head -3 "$tmp/err" | tr '\n' '|')"
		return 1
	fi
}

# tables NAME DIR: compile DIR/board.c with -Werror and check its lookups.
tables() {
	local name=$1 dir=$2 ops=$tmp/ops.c
	{
		echo '#include "device.h"'
		sed -n 's/^extern const struct device_ops \(.*\);$/const struct device_ops \1;/p' \
			"$dir/board.c"
	} >"$ops"
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -I"$dir" -Idevices -Imachine -o "$tmp/table-check" \
		tests/boardc/table-check.c "$dir/board.c" "$ops" \
		machine/registry.c 2>"$tmp/err"; then
		fail "$name" "$dir/board.c does not compile: $(head -3 "$tmp/err" | tr '\n' '|')"
		return
	fi
	"$tmp/table-check" "$name" || fail "$name" "table-check crashed"
}

for yaml in tests/boardc/good/*.yaml; do
	b=$(basename "$yaml" .yaml)
	want=tests/boardc/good/$b
	t=/boardc/golden/$b
	mkdir -p "$tmp/$b"

	if run "$t/c" /dev/null -O c -o "$tmp/$b/c" "$yaml"; then
		compare "$t/c" "$want/c" "$tmp/$b/c"
		tables "$t/tables" "$tmp/$b/c"
		if run "$t/deterministic" /dev/null -O c -o "$tmp/$b/c2" "$yaml"; then
			if diff -r "$tmp/$b/c" "$tmp/$b/c2" >/dev/null; then
				pass "$t/deterministic"
			else
				fail "$t/deterministic" "two runs of -O c differ"
			fi
		fi
	fi
	run "$t/map" "$tmp/$b/map.txt" map "$yaml" &&
		compare "$t/map" "$want/map.txt" "$tmp/$b/map.txt"
	if run "$t/json" "$tmp/$b/map.json" map --format json "$yaml"; then
		compare "$t/json" "$want/map.json" "$tmp/$b/map.json"
		if ! command -v python3 >/dev/null; then
			echo "SKIP $t/json-parses: no python3"
		elif python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
			"$tmp/$b/map.json" 2>"$tmp/err"; then
			pass "$t/json-parses"
		else
			fail "$t/json-parses" "$(tail -1 "$tmp/err")"
		fi
	fi
	if run "$t/svg" "$tmp/$b/map.svg" map --format svg "$yaml"; then
		compare "$t/svg" "$want/map.svg" "$tmp/$b/map.svg"
	fi
	for f in "$want"/map-*.txt; do
		[ -e "$f" ] || continue
		mem=$(basename "$f" .txt)
		mem=${mem#map-}
		run "$t/map-$mem" "$tmp/$b/map-$mem.txt" map --mem "$mem" "$yaml" &&
			compare "$t/map-$mem" "$f" "$tmp/$b/map-$mem.txt"
	done
done

# A board with regions placed in a file it includes (REGION_IN entries).
t=/boardc/golden/dts-include
if run "$t/c" /dev/null -O c -o "$tmp/dts-include" tests/boardc/dts/include.dts; then
	if grep -q '^	REGION_IN(' "$tmp/dts-include/board.c"; then
		pass "$t/region-in"
	else
		fail "$t/region-in" "no region placed in platform.dtsi"
	fi
	if grep -q '^	REGIONS_IN(PIC, "master", 2, ' "$tmp/dts-include/board.c"; then
		pass "$t/region-run-in"
	else
		fail "$t/region-run-in" "pic's two PIO registers are not one REGIONS_IN entry"
	fi
	tables "$t/tables" "$tmp/dts-include"
fi

[ $update = 1 ] && exit 0

# The committed tables of every shipped board: up to date, and correct.
if out=$(make --no-print-directory -s check-generated SANITIZE="${SANITIZE:-0}" 2>&1); then
	pass /boardc/golden/check-generated
else
	fail /boardc/golden/check-generated "$(echo "$out" | tail -3 | tr '\n' '|')"
fi
for dir in generated/*/; do
	tables "/boardc/golden/generated/$(basename "$dir")/tables" "${dir%/}"
done

# A freestanding guest includes board.h alone (BOARD_GUEST): no libc, no
# VMM headers.
for dir in generated/*/; do
	t=/boardc/golden/generated/$(basename "$dir")/guest-header
	printf '#define BOARD_GUEST\n#include "board.h"\nconst char name[] = BOARD_NAME;\nconst unsigned long long n = BOARD_NR_DEVICES + BOARD_NR_REGIONS + BOARD_RAM_DEFAULT;\n' \
		>"$tmp/guest.c"
	if $CC -ffreestanding -nostdinc -std=gnu11 -Wall -Wextra -Werror \
		-I"$dir" -c -o "$tmp/guest.o" "$tmp/guest.c" 2>"$tmp/err"; then
		pass "$t"
	else
		fail "$t" "$(head -2 "$tmp/err" | tr '\n' '|')"
	fi
done

# Sections print alone, exactly as in the whole map.
yaml=tests/boardc/good/windows.yaml
if run /boardc/golden/map-section "$tmp/e820" map --section e820 "$yaml"; then
	if grep -qx 'BIOS-e820: .*' "$tmp/e820" &&
	   ! grep -qv '^BIOS-e820: ' "$tmp/e820" &&
	   grep -qF -f "$tmp/e820" tests/boardc/good/windows/map.txt; then
		pass /boardc/golden/map-section
	else
		fail /boardc/golden/map-section "--section e820 printed more or other than the e820 lines"
	fi
fi

# RAM larger than the board's regions is an error that says so.
if "$BOARDC" map --mem 7G "$yaml" >/dev/null 2>"$tmp/err"; then
	fail /boardc/golden/mem-too-large "--mem 7G on 6 GiB of RAM regions succeeded"
elif grep -qx "boardc: --mem 7G is more than the 6G the board's RAM regions hold (with the reserved ranges between them): give at most 6G (board $yaml)" "$tmp/err"; then
	pass /boardc/golden/mem-too-large
else
	fail /boardc/golden/mem-too-large "unexpected message: $(head -1 "$tmp/err")"
fi

# --mem counts guest-physical RAM as kvmtool, QEMU and Broiler count -m: the
# reserved ranges between two RAM regions count, so on the Broiler layout
# 4G is [0, 3 GiB) and 1 GiB from 4 GiB, the article's two ranges above
# 1 MiB (below it, base-ram 0-0x9efff, as kvmtool's e820 gives).
yaml=boards/broiler.yaml
if run /boardc/golden/mem-convention/broiler-4G "$tmp/broiler.txt" map --mem 4G --section iomem "$yaml"; then
	grep ': System RAM$' "$tmp/broiler.txt" >"$tmp/ram"
	printf '%s\n' '00000000-0009efff : System RAM' \
		'00100000-bfffffff : System RAM' \
		'100000000-13fffffff : System RAM' >"$tmp/want"
	if diff -u "$tmp/want" "$tmp/ram" >"$tmp/diff"; then
		pass /boardc/golden/mem-convention/broiler-4G
	else
		fail /boardc/golden/mem-convention/broiler-4G "System RAM differs: $(sed -n '3,9p' "$tmp/diff" | tr '\n' '|')"
	fi
fi

# The shipped pc board follows it too: 512M ends at 0x1fffffff, 3.5G puts
# 512 MiB above 4 GiB (not 512 MiB less the 1 MiB below).
for case in 512M:00100000-1fffffff 3.5G:100000000-11fffffff; do
	mem=${case%%:*} want=${case#*:}
	t=/boardc/golden/mem-convention/pc-$mem
	run "$t" "$tmp/pc" map --mem "$mem" --section iomem boards/pc.yaml || continue
	if [ "$(grep ': System RAM$' "$tmp/pc" | tail -1)" = "$want : System RAM" ]; then
		pass "$t"
	else
		fail "$t" "last System RAM is '$(grep ': System RAM$' "$tmp/pc" | tail -1)', want '$want'"
	fi
done

# A size that ends inside the counted reserved ranges is refused, naming
# them and the two sizes around them; the sizes at their edges fit.
for mem in 640K 1020K; do
	t=/boardc/golden/mem-in-reserved/$mem
	if "$BOARDC" map --mem "$mem" boards/pc.yaml >/dev/null 2>"$tmp/err"; then
		fail "$t" "--mem $mem inside pc's reserved ranges succeeded"
	elif [ "$(cat "$tmp/err")" = "boardc: --mem $mem ends inside 0x9f000-0xfffff, the reserved ranges between RAM regions base-ram and low-ram, which count toward guest RAM (as kvmtool's and QEMU's -m counts them): give at most 636K or at least 1M (board boards/pc.yaml)" ]; then
		pass "$t"
	else
		fail "$t" "unexpected message: $(head -1 "$tmp/err")"
	fi
done
for mem in 636K 1M; do
	t=/boardc/golden/mem-in-reserved/edge-$mem
	if run "$t" "$tmp/e820" map --mem "$mem" --section e820 boards/pc.yaml &&
	   [ "$(grep -c usable "$tmp/e820")" = 1 ] &&
	   grep -q '0x0000000000000000-0x000000000009efff\] usable' "$tmp/e820"; then
		pass "$t"
	else
		fail "$t" "want base-ram alone usable: $(tr '\n' '|' <"$tmp/e820")"
	fi
done
