#!/usr/bin/env bash
# boardc's command line: usage errors (exact message, status 1), --help,
# --version, --list-checks, exit statuses, `boardc map` and -W switches.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
good=boards/minimal.yaml
overlap=tests/boardc/cli/pio-overlap.yaml

if [ ! -x "$boardc" ]; then
	echo "FAIL /boardc/cli: $boardc not built (run 'make boardc')"
	exit 1
fi

# run ARGS...: $out, $err, $status
run() {
	"$boardc" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# usage NAME MESSAGE ARGS...: stderr is exactly "boardc: MESSAGE; see
# 'boardc --help'", nothing on stdout, status 1.
usage() {
	local name=$1 msg=$2
	shift 2
	run "$@"
	local want="boardc: $msg; see 'boardc --help'"
	if [ "$status" -ne 1 ]; then
		echo "FAIL /boardc/cli/$name: status $status, expected 1"
	elif [ "$err" != "$want" ]; then
		echo "FAIL /boardc/cli/$name: stderr differs"
		printf '    expected: %s\n    actual:   %s\n' "$want" "$err"
	elif [ -n "$out" ]; then
		echo "FAIL /boardc/cli/$name: unexpected stdout: $out"
	else
		echo "PASS /boardc/cli/$name"
	fi
}

usage unknown_long_option "unknown option '--frobnicate'" \
	--frobnicate "$good"
usage unknown_short_option "unknown option '-x'" -x "$good"
usage missing_argument "option '-O' needs an argument" "$good" -O
usage no_file "no board file given: usage: boardc [options] BOARD-FILE"
usage mem_not_pages "--mem '4097' is not a whole number of 4 KiB pages (KVM maps guest RAM in pages): use a size like 512M or 3.5G" \
	map --mem 4097 "$good"
usage max_errors_bad "bad count in '-fmax-errors=x': give a number of errors (0 for no limit)" \
	-fmax-errors=x "$good"
usage two_files "one board file at a time: got 'a.yaml' and 'b.yaml'" \
	a.yaml b.yaml
usage c_without_o "-O c writes a directory: give it with -o DIR" \
	-O c "$good"
usage unknown_input "unknown input syntax 'xml' for -I: use yaml or dts" \
	-I xml "$good"
usage unknown_output "unknown output format 'pdf' for -O: use c, map, json, svg, yaml, dts or acpi" \
	-O pdf "$good"
usage unknown_map_format "unknown map format 'png' for --format: use text, json or svg" \
	map --format png "$good"
usage format_outside_map "--format is for 'boardc map'; use -O map|json|svg" \
	--format json "$good"
usage bad_mem "bad size '3.3G' for --mem: use a size like 512M or 3.5G" \
	map --mem 3.3G "$good"
usage mem_without_map "--mem is for -O map, json or svg (or 'boardc map')" \
	--mem 1G "$good"
usage unknown_check_W "unknown check 'no_such_check' in -W no-no_such_check: 'boardc --list-checks' lists them" \
	-W no-no_such_check "$good"
usage unknown_check_E "unknown check 'bogus' in -E bogus: 'boardc --list-checks' lists them" \
	-E bogus "$good"
usage unknown_extension "cannot tell the syntax of 'board.txt' from its extension (.yaml, .yml or .dts): give -I yaml or -I dts" \
	board.txt

# A file that is not there: named, with the reason, status 1.
run tests/boardc/cli/no-such-board.yaml
want="boardc: cannot read board file 'tests/boardc/cli/no-such-board.yaml': No such file or directory"
if [ "$status" -eq 1 ] && [ "$err" = "$want" ]; then
	echo "PASS /boardc/cli/missing_file"
else
	echo "FAIL /boardc/cli/missing_file: status $status, stderr: $err"
fi

# --help: on stdout, status 0, and it documents every option.
run --help
missing=
for opt in -I -O -o --mem --format -W -E --list-checks -h --help \
	   --version "boardc map" "exit status"; do
	grep -qF -- "$opt" "$tmp/out" || missing="$missing $opt"
done
if [ "$status" -ne 0 ] || [ -n "$err" ]; then
	echo "FAIL /boardc/cli/help: status $status, stderr: $err"
elif [ -n "$missing" ]; then
	echo "FAIL /boardc/cli/help: does not document:$missing"
else
	echo "PASS /boardc/cli/help"
fi

run --version
if [ "$status" -eq 0 ] && [[ "$out" =~ ^boardc\ [0-9] ]]; then
	echo "PASS /boardc/cli/version"
else
	echo "FAIL /boardc/cli/version: status $status, stdout: $out"
fi

run --list-checks
if [ "$status" -eq 0 ] && grep -qw pio_overlap "$tmp/out"; then
	echo "PASS /boardc/cli/list_checks"
else
	echo "FAIL /boardc/cli/list_checks: status $status, no pio_overlap in: $out"
fi

# Exit statuses: 0 for a good board (and nothing printed), 2 for a
# check failure, 1 for a parse error.
run "$good"
if [ "$status" -eq 0 ] && [ -z "$out$err" ]; then
	echo "PASS /boardc/cli/status_ok"
else
	echo "FAIL /boardc/cli/status_ok: status $status, output: $out$err"
fi
run "$overlap"
if [ "$status" -eq 2 ] && grep -q "error (pio_overlap)" "$tmp/err"; then
	echo "PASS /boardc/cli/status_check_failure"
else
	echo "FAIL /boardc/cli/status_check_failure: status $status, stderr: $err"
fi
run tests/boardc/errors/yaml_syntax_unclosed.yaml
if [ "$status" -eq 1 ]; then
	echo "PASS /boardc/cli/status_parse_error"
else
	echo "FAIL /boardc/cli/status_parse_error: status $status"
fi

# -W no-CHECK silences the check: the same board then passes.
run -W no-pio_overlap "$overlap"
if [ "$status" -eq 0 ] && [ -z "$err" ]; then
	echo "PASS /boardc/cli/W_no_silences"
else
	echo "FAIL /boardc/cli/W_no_silences: status $status, stderr: $err"
fi

# -W CHECK makes it a warning: reported as one, and the board passes.
run -W pio_overlap "$overlap"
if [ "$status" -eq 0 ] && grep -q "warning (pio_overlap)" "$tmp/err" &&
   ! grep -q "error" "$tmp/err"; then
	echo "PASS /boardc/cli/W_warning"
else
	echo "FAIL /boardc/cli/W_warning: status $status, stderr: $err"
fi

# --list-checks shows the levels after every -W/-E, wherever it stands.
run --list-checks -W no-pio_overlap -W mmio_overlap
if [ "$status" -eq 0 ] &&
   grep -Eq '^pio_overlap +off ' "$tmp/out" &&
   grep -Eq '^mmio_overlap +warning ' "$tmp/out" &&
   grep -Eq '^ram_overlap +error ' "$tmp/out"; then
	echo "PASS /boardc/cli/list_checks_levels"
else
	echo "FAIL /boardc/cli/list_checks_levels: status $status, stdout: $out"
fi

# `boardc map` is -O map; --format json|svg is -O json|svg; --mem reaches
# the emitter; -o writes the same bytes to a file.
same() {
	local name=$1
	shift
	"$boardc" "$@" >"$tmp/a" 2>&1
	echo "status $?" >>"$tmp/a"
	"$boardc" "${alt[@]}" >"$tmp/b" 2>&1
	echo "status $?" >>"$tmp/b"
	if ! grep -qx "status 0" "$tmp/a"; then
		echo "FAIL /boardc/cli/$name: boardc $*: $(cat "$tmp/a")"
	elif cmp -s "$tmp/a" "$tmp/b"; then
		echo "PASS /boardc/cli/$name"
	else
		echo "FAIL /boardc/cli/$name: boardc $* differs from boardc ${alt[*]}"
	fi
}
alt=(-O map "$good");             same map_is_O_map map "$good"
alt=(-O json "$good");            same map_format_json map --format json "$good"
alt=(-O svg "$good");             same map_format_svg map --format svg "$good"
alt=(-O map --mem 3.5G boards/pc.yaml)
same map_mem map --mem 3.5G boards/pc.yaml

run map --mem 3.5G boards/pc.yaml
mem_out=$out
run map boards/pc.yaml
if [ "$status" -eq 0 ] && [ -n "$out" ] && [ "$out" != "$mem_out" ]; then
	echo "PASS /boardc/cli/mem_changes_map"
else
	echo "FAIL /boardc/cli/mem_changes_map: --mem 3.5G gave the same map as the default (status $status)"
fi

run -O map -o "$tmp/map.txt" "$good"
"$boardc" -O map "$good" >"$tmp/map-stdout.txt" 2>/dev/null
if [ "$status" -eq 0 ] && [ -z "$out" ] && [ -s "$tmp/map.txt" ] &&
   cmp -s "$tmp/map.txt" "$tmp/map-stdout.txt"; then
	echo "PASS /boardc/cli/o_file"
else
	echo "FAIL /boardc/cli/o_file: -o file differs from stdout (status $status)"
fi

# Input: only regular files, or stdin by '-', at most 32 MiB; both front
# ends, refused before a byte is read (a device would never end).
# refused NAME MESSAGE ARGS...: stderr is exactly MESSAGE, status 1, fast.
refused() {
	local name=$1 msg=$2
	shift 2
	timeout 20 "$boardc" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	err=$(cat "$tmp/err")
	if [ "$status" -ne 1 ]; then
		echo "FAIL /boardc/cli/$name: status $status, expected 1"
	elif [ "$err" != "$msg" ]; then
		echo "FAIL /boardc/cli/$name: stderr differs"
		printf '    expected: %s\n    actual:   %s\n' "$msg" "$err"
	else
		echo "PASS /boardc/cli/$name"
	fi
}
device="it is a device, not a board file (give a regular file, or '-' for stdin)"
for syntax in yaml dts; do
	refused input_device_$syntax \
		"boardc: cannot read board file '/dev/zero': $device" \
		-I "$syntax" /dev/zero
	ln -s /dev/zero "$tmp/zero.$syntax"
	refused input_device_link_$syntax \
		"boardc: cannot read board file '$tmp/zero.$syntax': $device" \
		"$tmp/zero.$syntax"
	refused input_folder_$syntax \
		"boardc: cannot read board file '$tmp': it is a folder, not a board file" \
		-I "$syntax" "$tmp"
	mkfifo "$tmp/fifo.$syntax"
	refused input_fifo_$syntax \
		"boardc: cannot read board file '$tmp/fifo.$syntax': it is a pipe or socket: give '-' to read stdin" \
		"$tmp/fifo.$syntax"
	truncate -s 33M "$tmp/huge.$syntax"
	refused input_size_cap_$syntax \
		"boardc: cannot read board file '$tmp/huge.$syntax': it is larger than 32 MiB, boardc's input limit (a board file is a few KiB: is it the right file?)" \
		"$tmp/huge.$syntax"
done
# stdin: the same board as the file, and the same cap on a pipe.
for input in boards/minimal.yaml tests/boardc/dts/example.dts; do
	syntax=${input##*.}
	[ -f "$input" ] || { echo "FAIL /boardc/cli/stdin_$syntax: $input is missing"; continue; }
	"$boardc" -I "$syntax" -O map - <"$input" >"$tmp/stdin.map" 2>"$tmp/err"
	status=$?
	"$boardc" -O map "$input" 2>/dev/null |
		sed "1s|($input)|(<stdin>)|" >"$tmp/file.map"
	if [ "$status" -eq 0 ] && cmp -s "$tmp/stdin.map" "$tmp/file.map"; then
		echo "PASS /boardc/cli/stdin_$syntax"
	else
		echo "FAIL /boardc/cli/stdin_$syntax: status $status, $(cat "$tmp/err")"
	fi
	head -c 33M /dev/zero | timeout 20 "$boardc" -I "$syntax" - \
		>/dev/null 2>"$tmp/err"
	status=$?
	want="boardc: cannot read board file '<stdin>': it is larger than 32 MiB, boardc's input limit (a board file is a few KiB: is it the right file?)"
	if [ "$status" -eq 1 ] && [ "$(cat "$tmp/err")" = "$want" ]; then
		echo "PASS /boardc/cli/stdin_size_cap_$syntax"
	else
		echo "FAIL /boardc/cli/stdin_size_cap_$syntax: status $status, $(cat "$tmp/err")"
	fi
done
printf 'board: x\nfoo: 1\n' | "$boardc" -I yaml - 2>&1 >/dev/null | head -1 >"$tmp/err"
if grep -q '^<stdin>:2:1: error (unknown_property)' "$tmp/err"; then
	echo "PASS /boardc/cli/stdin_positions"
else
	echo "FAIL /boardc/cli/stdin_positions: $(cat "$tmp/err")"
fi

# A demoted overlap check (-W pio_overlap, -W no-mmio_overlap) lets the
# board check and map, but -O c refuses it, explained, status 2, no files:
# the dispatch tables hold one region per port or MMIO byte.
demoted_c() {
	local name=$1 want=$2
	shift 2
	rm -rf "$tmp/demoted"
	"$boardc" "$@" -O c -o "$tmp/demoted" >/dev/null 2>"$tmp/err"
	status=$?
	if [ "$status" -ne 2 ]; then
		echo "FAIL /boardc/cli/$name: status $status, expected 2"
	elif [ -e "$tmp/demoted" ]; then
		echo "FAIL /boardc/cli/$name: -O c wrote $tmp/demoted"
	elif ! grep -qxF -- "$want" "$tmp/err"; then
		echo "FAIL /boardc/cli/$name: no line '$want' in: $(cat "$tmp/err")"
	else
		echo "PASS /boardc/cli/$name"
	fi
}
demoted_c demoted_pio_overlap_refuses_c \
	"$overlap:16:15: error (pio_overlap): cannot emit C: com1-again.regs overlaps com1.regs, and each port of boardvm's dispatch tables names one region; -W pio_overlap lets the board pass its checks (and -O map, json, svg, yaml, dts show it), but only a board without overlaps compiles to C" \
	-W pio_overlap "$overlap"
demoted_c demoted_mmio_overlap_refuses_c \
	"tests/boardc/errors/mmio_overlap.yaml:15:11: error (mmio_overlap): cannot emit C: bell.doorbell overlaps ioapic.regs, and each MMIO byte of boardvm's dispatch tables names one region; -W mmio_overlap lets the board pass its checks (and -O map, json, svg, yaml, dts show it), but only a board without overlaps compiles to C" \
	-W no-mmio_overlap tests/boardc/errors/mmio_overlap.yaml
run -W pio_overlap -O map "$overlap"
[ "$status" -eq 0 ] && grep -q "com1-again" "$tmp/out" &&
	echo "PASS /boardc/cli/demoted_pio_overlap_maps" ||
	echo "FAIL /boardc/cli/demoted_pio_overlap_maps: status $status"

# The error cap: -fmax-errors=N stops at the (N+1)th error, 0 never does.
run -fmax-errors=3 tests/boardc/errors/max_errors.yaml
n=$(grep -c ': error ' "$tmp/err")
if [ "$status" -eq 1 ] && [ "$n" -eq 3 ] &&
   [ "$(tail -n1 "$tmp/err")" = "boardc: stopped after 3 errors (-fmax-errors=3): fix these first, or give -fmax-errors=0 to see them all" ]; then
	echo "PASS /boardc/cli/max_errors_3"
else
	echo "FAIL /boardc/cli/max_errors_3: status $status, $n errors"
fi
run -fmax-errors=0 tests/boardc/errors/max_errors.yaml
n=$(grep -c ': error ' "$tmp/err")
if [ "$status" -eq 2 ] && [ "$n" -eq 25 ] && ! grep -q stopped "$tmp/err"; then
	echo "PASS /boardc/cli/max_errors_0"
else
	echo "FAIL /boardc/cli/max_errors_0: status $status, $n errors"
fi
