#!/usr/bin/env bash
# The YAML front end reads every form of a board alike: each
# tests/boardc/yaml-forms/NAME.yaml (flow style, anchors, quotes, ...) must
# compile and give the same canonical board (-O yaml) as NAME.same.yaml,
# which says the same thing plainly.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for input in tests/boardc/yaml-forms/*.yaml; do
	case $input in *.same.yaml) continue ;; esac
	name=${input##*/}
	name=${name%.yaml}
	same=${input%.yaml}.same.yaml
	test=/boardc/yaml-forms/$name
	if ! "$boardc" -O yaml "$input" >"$tmp/a" 2>"$tmp/err"; then
		echo "FAIL $test: boardc rejects $input: $(cat "$tmp/err")"
	elif ! "$boardc" -O yaml "$same" >"$tmp/b" 2>"$tmp/err"; then
		echo "FAIL $test: boardc rejects $same: $(cat "$tmp/err")"
	elif cmp -s "$tmp/a" "$tmp/b"; then
		echo "PASS $test"
	else
		echo "FAIL $test: $input and $same give different boards"
		diff -u "$tmp/b" "$tmp/a" | sed 's/^/    /'
	fi
done

# .yml is YAML too.
cp boards/minimal.yaml "$tmp/minimal.yml"
if "$boardc" "$tmp/minimal.yml" 2>"$tmp/err"; then
	echo "PASS /boardc/yaml-forms/yml_extension"
else
	echo "FAIL /boardc/yaml-forms/yml_extension: $(cat "$tmp/err")"
fi
