#!/usr/bin/env bash
# docs/board-format.md keeps up with the code: its complete example board
# compiles, and it documents every check and every registry device type.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
doc=docs/board-format.md
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The first ```yaml block after "## A complete example".
awk '/^## A complete example/ { f = 1 }
     f && /^```yaml/ { p = 1; next }
     p && /^```/ { exit }
     p' "$doc" >"$tmp/example.yaml"
if [ ! -s "$tmp/example.yaml" ]; then
	echo "FAIL /boardc/docs/example: no example board in $doc"
elif "$boardc" "$tmp/example.yaml" 2>"$tmp/err"; then
	echo "PASS /boardc/docs/example"
else
	echo "FAIL /boardc/docs/example: boardc rejects the example: $(cat "$tmp/err")"
fi

missing=
for check in $("$boardc" --list-checks | awk '{ print $1 }'); do
	grep -q "^| \`$check\` |" "$doc" || missing="$missing $check"
done
if [ -z "$("$boardc" --list-checks)" ]; then
	echo "FAIL /boardc/docs/checks: boardc --list-checks printed nothing"
elif [ -n "$missing" ]; then
	echo "FAIL /boardc/docs/checks: not in the check table:$missing"
else
	echo "PASS /boardc/docs/checks"
fi

missing=
types=$(sed -n 's/^\(KERNEL_\)\{0,1\}DEVICE_TYPE([a-z0-9_]*, "\([a-z0-9-]*\)".*/\2/p' \
	machine/device-types.def)
for type in $types; do
	grep -q "^| \`$type\` | [^\`]" "$doc" || missing="$missing $type"
done
if [ -z "$types" ]; then
	echo "FAIL /boardc/docs/types: found no types in machine/device-types.def"
elif [ -n "$missing" ]; then
	echo "FAIL /boardc/docs/types: not in the type table:$missing"
else
	echo "PASS /boardc/docs/types"
fi

# The list is sorted by name (device_types[] and every listing of the
# types follow its order).
if [ "$types" = "$(printf '%s\n' $types | LC_ALL=C sort)" ]; then
	echo "PASS /boardc/docs/types-sorted"
else
	echo "FAIL /boardc/docs/types-sorted: machine/device-types.def is not" \
	     "sorted by type name"
fi
