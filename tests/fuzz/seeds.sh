#!/usr/bin/env bash
# Seeds a fuzz corpus: every board file of one syntax in boards/,
# tests/boardc/ and tests/fuzz/regressions/, plus a small generated board.
# Copies (named after their path) so nothing is committed twice.
#
# usage: tests/fuzz/seeds.sh yaml|dts CORPUS-DIR
set -euo pipefail
ext=$1 corpus=$2
case "$ext" in
yaml) alt=yml ;;
dts) alt=dtsi ;;
*) echo "$0: unknown syntax '$ext': yaml or dts" >&2; exit 1 ;;
esac
mkdir -p "$corpus"
n=0
while IFS= read -r f; do
	cp -f "$f" "$corpus/seed-$(echo "$f" | tr / _)"
	n=$((n + 1))
done < <(find boards tests/boardc tests/fuzz/regressions -type f \
	 \( -name "*.$ext" -o -name "*.$alt" \) 2>/dev/null | sort)
if [ "$ext" = yaml ]; then
	scripts/gen-board.sh --regions 16 gen-16 >"$corpus/seed-gen-16.yaml"
	scripts/gen-board.sh --devices 6 --auto gen-auto >"$corpus/seed-gen-auto.yaml"
	n=$((n + 2))
fi
echo "$corpus: $n seed(s), $(find "$corpus" -type f | wc -l) input(s) in all"
