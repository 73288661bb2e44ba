#!/usr/bin/env bash
# boardc's checks as a table: levels switched with -W/-E, prerequisites,
# one error board per check, the shipped boards clean, and large generated
# boards checked and laid out completely.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
errors=tests/boardc/errors
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$boardc" ]; then
	echo "FAIL /boardc/checks: $boardc not built (run 'make boardc')"
	exit 1
fi

# run ARGS...: $status, $err (stdout is dropped)
run() {
	"$boardc" "$@" >/dev/null 2>"$tmp/err"
	status=$?
	err=$(cat "$tmp/err")
}

# expect NAME STATUS PATTERN ARGS...: exit STATUS, and stderr matches the
# extended regex PATTERN (empty PATTERN: stderr must be empty).
expect() {
	local name=$1 want=$2 pattern=$3
	shift 3
	run "$@"
	if [ "$status" -ne "$want" ]; then
		echo "FAIL /boardc/checks/$name: status $status, expected $want; stderr: $err"
	elif [ -z "$pattern" ] && [ -n "$err" ]; then
		echo "FAIL /boardc/checks/$name: expected no output, got: $err"
	elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$tmp/err"; then
		echo "FAIL /boardc/checks/$name: no /$pattern/ in: $err"
	else
		echo "PASS /boardc/checks/$name"
	fi
}

# Levels: off (-W no-, -E no-), warning (-W: printed, status 0), error.
expect W_no_silent 0 "" -W no-pio_overlap $errors/pio_overlap.yaml
expect E_no_silent 0 "" -E no-irq_conflict $errors/irq_conflict.yaml
expect W_is_warning 0 \
	'^tests/boardc/errors/pio_overlap.yaml:15:15: warning \(pio_overlap\): com2.regs ports 0x3f8-0x3ff overlap com1.regs 0x3f8-0x3ff$' \
	-W pio_overlap $errors/pio_overlap.yaml
expect W_keeps_note 0 '^tests/boardc/errors/pio_overlap.yaml:12:15: note: com1.regs defined here$' \
	-W pio_overlap $errors/pio_overlap.yaml
expect E_after_W_is_error 2 'error \(pio_overlap\)' \
	-W pio_overlap -E pio_overlap $errors/pio_overlap.yaml
expect W_no_then_E_enables 2 'error \(pio_overlap\)' \
	-W no-pio_overlap -E pio_overlap $errors/pio_overlap.yaml
# A disabled check leaves the others alone.
expect W_no_only_that_check 2 'error \(pio_overlap\)' \
	-W no-irq_conflict $errors/several_errors.yaml
run -W no-irq_conflict $errors/several_errors.yaml
if grep -q irq_conflict "$tmp/err"; then
	echo "FAIL /boardc/checks/W_no_only_that_check_silent: irq_conflict still reported: $err"
else
	echo "PASS /boardc/checks/W_no_only_that_check_silent"
fi

# The front ends honour -W/-E too: an unknown key or a duplicate one can be
# a warning (the key is ignored; of duplicates the first counts) or off.
expect W_front_unknown_key 0 \
	"^$errors/yaml_unknown_top_key.yaml:3:1: warning \(unknown_property\): unknown key 'memory' in the board file " \
	-W unknown_property $errors/yaml_unknown_top_key.yaml
expect W_no_front_unknown_key 0 "" \
	-W no-unknown_property $errors/yaml_unknown_top_key.yaml
expect W_front_duplicate_key_note 0 \
	"^$errors/yaml_duplicate_key.yaml:12:5: note: first 'io-ports' defined here$" \
	-W duplicate_key $errors/yaml_duplicate_key.yaml
expect W_no_front_duplicate_key 0 "" \
	-W no-duplicate_key $errors/yaml_duplicate_property.yaml
"$boardc" -W no-duplicate_key -O map $errors/yaml_duplicate_key.yaml \
	>"$tmp/map" 2>"$tmp/err"
if grep -q '^03f8-03ff : com1$' "$tmp/map" && [ ! -s "$tmp/err" ]; then
	echo "PASS /boardc/checks/front_duplicate_key_first_counts"
else
	echo "FAIL /boardc/checks/front_duplicate_key_first_counts: com1 is not at 0x3f8: $(grep com1 "$tmp/map") $(cat "$tmp/err")"
fi
expect W_dts_unknown_node 0 \
	"^$errors/dts_unknown_node.dts:28:2: warning \(unknown_property\): unknown node 'chosen' in the root node " \
	-W unknown_property $errors/dts_unknown_node.dts
expect W_no_dts_unknown_node 0 "" \
	-W no-unknown_property $errors/dts_unknown_node.dts
# Off, the dts duplicate is silent; the label clash is still an error.
run -W no-duplicate_key $errors/dts_duplicate_key.dts
if [ "$status" -eq 1 ] && ! grep -q '(duplicate_key)' "$tmp/err" &&
   grep -q 'error (duplicate_name)' "$tmp/err"; then
	echo "PASS /boardc/checks/W_no_dts_duplicate_key"
else
	echo "FAIL /boardc/checks/W_no_dts_duplicate_key: status $status: $err"
fi
# A warning from the front end does not hide an error of the same run.
expect W_front_keeps_errors 2 'error \(missing_property\)' \
	-W no-unknown_property $errors/yaml_unknown_device_key.yaml
# Checks that leave no value to build from are always errors: -W and
# -E no- are usage errors; -E is accepted (it changes nothing).
for c in bad_number bad_size bad_bool yaml_syntax yaml_structure \
	 dts_structure bad_name; do
	expect "fixed_W_$c" 1 \
		"^boardc: check '$c' in -W $c is always an error: " \
		-W "$c" boards/minimal.yaml
	expect "fixed_E_no_$c" 1 \
		"^boardc: check '$c' in -E no-$c is always an error: " \
		-E "no-$c" boards/minimal.yaml
done
expect fixed_E_accepted 0 "" -E bad_number -E bad_name boards/minimal.yaml
"$boardc" --list-checks >"$tmp/list" 2>&1
if grep -Eq '^bad_number +error +.*\(always an error\)$' "$tmp/list" &&
   grep -Eq '^bad_name +error +.*\(always an error\)$' "$tmp/list" &&
   ! grep -Eq '^(unknown_property|duplicate_key) .*\(always an error\)$' "$tmp/list"; then
	echo "PASS /boardc/checks/list_checks_fixed"
else
	echo "FAIL /boardc/checks/list_checks_fixed: $(cat "$tmp/list")"
fi

# Prerequisites: ram_size is skipped while ram_overlap fails (the error
# board shows only the overlap); with ram_overlap off, ram_size runs.
expect prerequisite_disabled_runs_dependent 2 \
	'error \(ram_size\): ram: default 8G is more than the 2G the RAM regions hold' \
	-W no-ram_overlap $errors/ram_size_prerequisite.yaml
run $errors/ram_size_prerequisite.yaml
if [ "$status" -eq 2 ] && ! grep -q "(ram_size)" "$tmp/err"; then
	echo "PASS /boardc/checks/prerequisite_failed_skips_dependent"
else
	echo "FAIL /boardc/checks/prerequisite_failed_skips_dependent: status $status, stderr: $err"
fi

# Every check of the table has its own error board, and every error board
# named after a check shows that check.
"$boardc" --list-checks >"$tmp/list" 2>&1
missing= silent=
while read -r name _; do
	case $name in
	yaml_*|dts_*|duplicate_key|bad_number|bad_size|bad_bool) continue ;;
	esac
	[ -f "$errors/$name.yaml" ] || missing="$missing $name"
done <"$tmp/list"
for board in $errors/*.yaml; do
	name=${board##*/}
	name=${name%.yaml}
	case $name in yaml_*|several_errors|*_prerequisite) continue ;; esac
	check=$(awk -v n="$name" '$1 == n || index(n, $1 "_") == 1 { print $1 }' "$tmp/list" | head -n1)
	[ -n "$check" ] || continue
	grep -q "($check)" "$errors/${name}.expected" 2>/dev/null ||
		silent="$silent $name"
done
if [ -n "$missing" ]; then
	echo "FAIL /boardc/checks/every_check_tested: no error board for:$missing"
elif [ -n "$silent" ]; then
	echo "FAIL /boardc/checks/every_check_tested: boards not showing their check:$silent"
else
	echo "PASS /boardc/checks/every_check_tested"
fi

# One run reports the errors of many checks, tree and layout phase alike.
run $errors/several_errors.yaml
n=$(grep -o 'error ([a-z_]*)' "$tmp/err" | sort -u | wc -l)
if [ "$status" -eq 2 ] && [ "$n" -ge 5 ]; then
	echo "PASS /boardc/checks/all_errors_in_one_run"
else
	echo "FAIL /boardc/checks/all_errors_in_one_run: status $status, $n distinct checks reported"
fi

# The shipped boards pass every check, silently. bindings is for the flat
# test guests (tests/guest) and cannot boot Linux (no backed range below
# 1 MiB for the MP table): mp_table says so, and only that.
for board in boards/*.yaml; do
	name=${board##*/}
	expect "shipped/${name%.yaml}" 0 "" -W no-mp_table "$board"
done
expect shipped/bindings_mp_table 0 \
	'^boards/bindings.yaml:[0-9]+:[0-9]+: warning \(mp_table\): device pic ' \
	boards/bindings.yaml
# A board asking for ACPI alone needs no MP table: mp_table stays quiet
# (tests/boardc/acpi/acpi-only.yaml has room for the ACPI tables only).
expect acpi_only_no_mp_table 0 "" tests/boardc/acpi/acpi-only.yaml
run boards/pc.yaml
[ -z "$err" ] && echo "PASS /boardc/checks/shipped/pc_boots_linux" ||
	echo "FAIL /boardc/checks/shipped/pc_boots_linux: $err"

# Big generated boards pass every check and lay out completely: the map
# lists every user region and the last device lands where first fit puts
# it. How long that takes is measured by `make bench` (bench/compile),
# never asserted here.
# big_board NAME BOARD REGIONS DEVICES LAST: REGIONS user register regions,
# DEVICES devices of each kind (p*, m*), the last m* device at LAST.
big_board() {
	local name=$1 board=$2 want_regions=$3 want_devices=$4 want_last=$5
	local regions devices last

	"$boardc" -O map "$board" >"$tmp/map" 2>"$tmp/err"
	status=$?
	regions=$(grep -cE ' \((sync|async|coalesced)\)$' "$tmp/map")
	devices="$(grep -cE ': p[0-9]+$' "$tmp/map") $(grep -cE ': m[0-9]+$' "$tmp/map")"
	last=$(grep -E ': m[0-9]+$' "$tmp/map" | tail -n1 | sed 's/^ *//')
	if [ "$status" -ne 0 ] || [ -s "$tmp/err" ]; then
		echo "FAIL /boardc/checks/$name: status $status: $(head -n3 "$tmp/err")"
	elif [ "$regions" != "$want_regions" ]; then
		echo "FAIL /boardc/checks/$name: $regions regions in the map, expected $want_regions"
	elif [ "$devices" != "$want_devices" ]; then
		echo "FAIL /boardc/checks/$name: p*/m* devices: $devices, expected $want_devices"
	elif [ "$last" != "$want_last" ]; then
		echo "FAIL /boardc/checks/$name: last doorbell device '$last', expected '$want_last'"
	else
		echo "PASS /boardc/checks/$name"
	fi
}
if [ -x scripts/gen-board.sh ]; then
	scripts/gen-board.sh --devices 10000 --auto big-auto >"$tmp/big-auto.yaml"
	scripts/gen-board.sh --devices 10000 big-fixed >"$tmp/big-fixed.yaml"
	scripts/gen-board.sh --regions 65536 --auto regions >"$tmp/regions.yaml"
	big_board devices_10000_auto "$tmp/big-auto.yaml" 20000 "5000 5000" \
		"c1387000-c138701f : m4999"
	big_board devices_10000_fixed "$tmp/big-fixed.yaml" 20000 "5000 5000" \
		"fe3e5000-fe3e501f : m4999"
	big_board regions_65536 "$tmp/regions.yaml" 65536 "32767 10923" \
		"c2aaa000-c2aaa01f : m10922"
else
	echo "SKIP /boardc/checks/big_boards: scripts/gen-board.sh is missing"
fi
