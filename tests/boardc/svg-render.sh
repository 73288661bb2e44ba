#!/usr/bin/env bash
# `boardc map --format svg` rendered and looked at by a program: for every
# shipped board (boards/*.yaml), every golden board (tests/boardc/good/) and
# a board whose names are far longer than any column would be by default,
# tests/boardc/svg-check.py checks that every label fits its box by the
# font's metric, that rsvg-convert draws no glyph outside it, and that the
# picture fits one screen (1920x1200). Then the checker itself: a label
# made too long for its box, and one drawn wider than the metric
# (letter-spacing), must each fail.
#
# The render needs rsvg-convert (librsvg2-bin) and DejaVu Sans Mono
# (fonts-dejavu-core), the font the metric is for; without them only the
# metric is checked and the render says SKIP.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BOARDC=$BUILD/boardc/boardc
MAX_W=1920
MAX_H=1200
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v python3 >/dev/null; then
	echo "SKIP /boardc/svg: no python3"
	exit 0
fi
render=1
why=
if ! command -v rsvg-convert >/dev/null; then
	render=0
	why="no rsvg-convert (Debian's librsvg2-bin)"
elif ! fc-match -f '%{file}' 'DejaVu Sans Mono' 2>/dev/null |
	grep -q DejaVuSansMono; then
	render=0
	why="DejaVu Sans Mono is not installed (fonts-dejavu-core), and the metric is that font's"
fi

# check NAME SVG: the checker's lines, each renamed NAME/<check>.
check() {
	local name=$1 svg=$2 line
	mkdir -p "$tmp/scratch"
	python3 tests/boardc/svg-check.py "$svg" $MAX_W $MAX_H "$tmp/scratch" \
		$([ $render = 1 ] || echo --no-render) >"$tmp/out" 2>&1 ||
		echo "FAIL $name: svg-check.py: $(tail -1 "$tmp/out")"
	while read -r line; do
		case $line in
		PASS\ * | FAIL\ *)
			echo "${line%% *} $name/${line#* }" ;;
		esac
	done <"$tmp/out"
	[ $render = 1 ] || echo "SKIP $name/render: $why"
}

# A board of minimal's shape whose device, register-holding and RAM
# names are long: columns must widen, not cut.
long=$tmp/long-names.yaml
sed -e 's/name: ram$/name: main-memory-region-with-a-long-name/' \
	-e 's/name: com1$/name: the-first-serial-port-with-a-very-long-name/' \
	boards/minimal.yaml >"$long"
grep -q the-first-serial-port "$long" || echo "FAIL /boardc/svg/long-names: boards/minimal.yaml changed: fix the sed"

for yaml in boards/*.yaml tests/boardc/good/*.yaml "$long"; do
	b=$(basename "$yaml" .yaml)
	if ! "$BOARDC" map --format svg "$yaml" >"$tmp/$b.svg" 2>"$tmp/err"; then
		echo "FAIL /boardc/svg/$b: boardc map --format svg failed: $(head -1 "$tmp/err")"
		continue
	fi
	check "/boardc/svg/$b" "$tmp/$b.svg"
done
if grep -q 'the-first-serial-port-with-a-very-long-name<' "$tmp/long-names.svg" &&
	grep -q '(main-memory-region-with-a-long-name)<' "$tmp/long-names.svg"; then
	echo "PASS /boardc/svg/long-names/whole"
else
	echo "FAIL /boardc/svg/long-names/whole: a long name is not drawn whole"
fi

# The checker catches what it is for. A label longer than its box:
sed 's|>regs</text>|>regs-of-a-register-region-with-a-name-far-too-long-for-it</text>|' \
	"$tmp/pc.svg" >"$tmp/overflow.svg"
python3 tests/boardc/svg-check.py "$tmp/overflow.svg" $MAX_W $MAX_H \
	"$tmp/scratch" --no-render >"$tmp/out" 2>&1
if grep -q '^FAIL metric: .*leaves its box' "$tmp/out"; then
	echo "PASS /boardc/svg/checker/overflow"
else
	echo "FAIL /boardc/svg/checker/overflow: a label too long for its box passed: $(head -1 "$tmp/out")"
fi
# ... and glyphs drawn wider than the metric says.
if [ $render = 1 ]; then
	sed '0,/<text \(x="[0-9]*" y="[0-9]*" font-size="11"\)/s||<text letter-spacing="3" \1|' \
		"$tmp/pc.svg" >"$tmp/wide.svg"
	python3 tests/boardc/svg-check.py "$tmp/wide.svg" $MAX_W $MAX_H \
		"$tmp/scratch" >"$tmp/out" 2>&1
	if grep -q '^FAIL render: .*outside' "$tmp/out"; then
		echo "PASS /boardc/svg/checker/wide-glyphs"
	else
		echo "FAIL /boardc/svg/checker/wide-glyphs: text drawn wider than its metric passed: $(grep render "$tmp/out")"
	fi
else
	echo "SKIP /boardc/svg/checker/wide-glyphs: $why"
fi
