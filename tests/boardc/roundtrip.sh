#!/usr/bin/env bash
# Round trips between the two board syntaxes (YAML and the dtc-like text
# syntax) and the C tables:
#
#   /boardc/roundtrip/yaml-dts-c/NAME   YAML -> dts -> C  equals  YAML -> C
#   /boardc/roundtrip/dtc-emitted/NAME  dtc reads that dts without errors
#                                       or warnings (SKIP without dtc)
#   /boardc/roundtrip/yaml-yaml/NAME    YAML -> YAML is a fixed point after
#                                       one step, and gives the same C
#   /boardc/roundtrip/dts-yaml-dts/NAME dts -> YAML -> dts -> YAML: the
#                                       second dts and YAML equal the first
#                                       (a fixed point); -O dts of the file
#                                       itself equals the first dts
#   /boardc/roundtrip/dts-c/NAME        dts -> C  equals  dts -> YAML -> C
#   /boardc/roundtrip/twin/X            boards/X.dts and boards/X.yaml give
#                                       the same C (every shipped board
#                                       has a twin)
#   /boardc/roundtrip/dtc/PATH          Debian's dtc reads every .dts board
#                                       without errors or warnings (SKIP
#                                       if dtc is not installed)
#
# For YAML: boards/*.yaml and tests/boardc/good/*.yaml; for dts: boards/*.dts
# and tests/boardc/dts/*.dts.
#
# Comparing C: the tables name the board file and positions in it
# (banner, comments, .srcpos strings), and those differ between the two
# syntaxes by design. Exactly those are masked: every "FILE:LINE:COL",
# every LINE:COL (AT(LINE:COL) in board.c, a quoted position from an
# included file, comments), a region's or a run's LINE, COL (REGION and
# REGION_IN become one, REGIONS and REGIONS_IN too), a device's LINE, COL
# (and its IN_FILE: one form) and every bare board file name (*.yaml,
# *.yml, *.dts, *.dtsi) becomes <pos>, and BOARD_REGION_TEXT_SIZE (it holds the positions as
# text) <size>; every other byte of board.c, board.h and devices.mk must
# be equal.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
shopt -s nullglob

if [ ! -x "$boardc" ]; then
	echo "FAIL /boardc/roundtrip: $boardc not built (run 'make boardc')"
	exit 1
fi

# The -O c directory of $1 into $2, positions masked; false on failure.
c_masked() {
	local dir=$2.raw
	rm -rf "$dir" "$2"
	mkdir -p "$2"
	"$boardc" -O c -o "$dir" "$1" 2>"$2.err" || return 1
	for f in board.c board.h devices.mk; do
		[ -f "$dir/$f" ] || return 1
		sed -E -e 's#[A-Za-z0-9_./+-]+\.(yaml|yml|dts|dtsi)(:[0-9]+:[0-9]+)?#<pos>#g' \
			-e 's#\b[0-9]+:[0-9]+\b#<pos>#g' \
			-e 's#AT\(<pos>\)|"<pos>"#<pos>#g' \
			-e 's#^(\tREGIONS?)(_IN)?\((.*), ([0-9]+, [0-9]+|<pos>)\),$#\1(\3, <pos>),#' \
			-e 's#^(\tDEVICE\([A-Z0-9_]+, "[^"]*", [a-z0-9_]+), [0-9]+, [0-9]+, #\1, <pos>, #' \
			-e 's#, IN_FILE\(<pos>\)\),$#),#' \
			-e 's#^(\#define BOARD_REGION_TEXT_SIZE\t)[0-9]+$#\1<size>#' \
			"$dir/$f" >"$2/$f"
	done
}

# boardc -O $2 $1 >$3, stderr kept for the failure message.
convert() {
	"$boardc" -O "$2" -o "$3" "$1" 2>"$3.err"
}

fail() {
	echo "FAIL $1: $2"
	[ $# -gt 2 ] && sed 's/^/    /' "$3" | head -20
}

same_c() {	# test, first, second
	if diff -r "$2" "$3" >"$tmp/c.diff"; then
		echo "PASS $1"
	else
		fail "$1" "the C tables differ (positions masked)" "$tmp/c.diff"
	fi
}

for yaml in boards/*.yaml tests/boardc/good/*.yaml; do
	name=${yaml%.yaml}
	name=${name#boards/}
	name=${name#tests/boardc/good/}
	w=$tmp/y-${name//\//_}
	mkdir -p "$w"

	t=/boardc/roundtrip/yaml-dts-c/$name
	if ! c_masked "$yaml" "$w/c-yaml"; then
		fail "$t" "$yaml does not compile" "$w/c-yaml.err"
	elif ! convert "$yaml" dts "$w/board.dts"; then
		fail "$t" "-O dts failed" "$w/board.dts.err"
	elif ! c_masked "$w/board.dts" "$w/c-dts"; then
		fail "$t" "the dts from $yaml does not compile" "$w/c-dts.err"
	else
		same_c "$t" "$w/c-yaml" "$w/c-dts"
	fi

	t=/boardc/roundtrip/dtc-emitted/$name
	if [ ! -s "$w/board.dts" ]; then
		fail "$t" "no -O dts output to give dtc (see yaml-dts-c)"
	elif ! command -v dtc >/dev/null; then
		echo "SKIP $t: dtc (device-tree-compiler) is not installed"
	elif ! dtc -I dts -O dtb -o /dev/null "$w/board.dts" \
			>"$w/dtc.err" 2>&1 || [ -s "$w/dtc.err" ]; then
		fail "$t" "dtc rejects or warns about the -O dts of $yaml" \
			"$w/dtc.err"
	else
		echo "PASS $t"
	fi

	t=/boardc/roundtrip/yaml-yaml/$name
	if ! convert "$yaml" yaml "$w/1.yaml"; then
		fail "$t" "-O yaml failed" "$w/1.yaml.err"
	elif ! convert "$w/1.yaml" yaml "$w/2.yaml"; then
		fail "$t" "-O yaml of the output failed" "$w/2.yaml.err"
	elif ! cmp -s "$w/1.yaml" "$w/2.yaml"; then
		diff -u "$w/1.yaml" "$w/2.yaml" >"$w/y.diff"
		fail "$t" "-O yaml is not a fixed point" "$w/y.diff"
	elif ! c_masked "$w/1.yaml" "$w/c-yaml2"; then
		fail "$t" "the -O yaml output does not compile" "$w/c-yaml2.err"
	else
		same_c "$t" "$w/c-yaml" "$w/c-yaml2"
	fi
done

for dts in boards/*.dts tests/boardc/dts/*.dts; do
	name=${dts%.dts}
	name=${name#boards/}
	name=${name#tests/boardc/}
	w=$tmp/d-${name//\//_}
	mkdir -p "$w"

	t=/boardc/roundtrip/dts-yaml-dts/$name
	if ! convert "$dts" yaml "$w/1.yaml"; then
		fail "$t" "-O yaml failed" "$w/1.yaml.err"
	elif ! convert "$w/1.yaml" dts "$w/1.dts" ||
	     ! convert "$w/1.dts" yaml "$w/2.yaml" ||
	     ! convert "$w/2.yaml" dts "$w/2.dts" ||
	     ! convert "$dts" dts "$w/0.dts"; then
		fail "$t" "a conversion failed"
	elif ! cmp -s "$w/1.dts" "$w/2.dts"; then
		diff -u "$w/1.dts" "$w/2.dts" >"$w/d.diff"
		fail "$t" "dts -> YAML -> dts is not a fixed point" "$w/d.diff"
	elif ! cmp -s "$w/1.yaml" "$w/2.yaml"; then
		diff -u "$w/1.yaml" "$w/2.yaml" >"$w/y.diff"
		fail "$t" "YAML -> dts -> YAML is not a fixed point" "$w/y.diff"
	elif ! cmp -s "$w/0.dts" "$w/1.dts"; then
		diff -u "$w/0.dts" "$w/1.dts" >"$w/d.diff"
		fail "$t" "-O dts differs from -O dts of its YAML" "$w/d.diff"
	else
		echo "PASS $t"
	fi

	t=/boardc/roundtrip/dts-c/$name
	if ! c_masked "$dts" "$w/c-dts"; then
		fail "$t" "$dts does not compile" "$w/c-dts.err"
	elif ! c_masked "$w/1.yaml" "$w/c-yaml"; then
		fail "$t" "its -O yaml does not compile" "$w/c-yaml.err"
	else
		same_c "$t" "$w/c-dts" "$w/c-yaml"
	fi
done

for yaml in boards/*.yaml; do
	x=${yaml#boards/}
	x=${x%.yaml}
	t=/boardc/roundtrip/twin/$x
	if [ ! -f "boards/$x.dts" ]; then
		fail "$t" "boards/$x.dts is missing: every shipped board has a text-syntax twin ('boardc -O dts $yaml' is a start)"
	elif ! c_masked "$yaml" "$tmp/twin-$x-yaml"; then
		fail "$t" "$yaml does not compile" "$tmp/twin-$x-yaml.err"
	elif ! c_masked "boards/$x.dts" "$tmp/twin-$x-dts"; then
		fail "$t" "boards/$x.dts does not compile" "$tmp/twin-$x-dts.err"
	else
		same_c "$t" "$tmp/twin-$x-yaml" "$tmp/twin-$x-dts"
	fi
done

for dts in boards/*.dts tests/boardc/dts/*.dts; do
	t=/boardc/roundtrip/dtc/$dts
	if ! command -v dtc >/dev/null; then
		echo "SKIP $t: dtc (device-tree-compiler) is not installed"
	elif ! dtc -I dts -O dtb -o /dev/null "$dts" >"$tmp/dtc.err" 2>&1 ||
	     [ -s "$tmp/dtc.err" ]; then
		fail "$t" "dtc rejects it or warns" "$tmp/dtc.err"
	else
		echo "PASS $t"
	fi
done
