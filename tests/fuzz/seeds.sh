#!/usr/bin/env bash
# Seeds a fuzz corpus. For the boardc targets: every board file of one
# syntax in boards/, tests/boardc/ and tests/fuzz/regressions/, plus a
# small generated board. For the device targets (devices-<board>, pci,
# virtqueue):
# the programs of tests/fuzz/device-seeds.sh and the regression inputs in
# tests/fuzz/regressions/<target>/.
# Copies (named after their path) so nothing is committed twice.
#
# usage: tests/fuzz/seeds.sh yaml|dts|devices-BOARD|pci|virtqueue|virtio-net|bzimage|pvh|api|vsock CORPUS-DIR
set -euo pipefail
ext=$1 corpus=$2
mkdir -p "$corpus"
n=0
case "$ext" in
yaml) alt=yml ;;
dts) alt=dtsi ;;
devices-*|pci|virtqueue|virtio-net|bzimage|pvh|api|vsock)
	tests/fuzz/device-seeds.sh "$ext" "$corpus"
	n=$(find "$corpus" -name 'seed-*' -type f | wc -l)
	while IFS= read -r f; do
		cp -f "$f" "$corpus/seed-$(echo "$f" | tr / _)"
		n=$((n + 1))
	done < <(find "tests/fuzz/regressions/$ext" -type f 2>/dev/null | sort)
	echo "$corpus: $n seed(s), $(find "$corpus" -type f | wc -l) input(s) in all"
	exit 0 ;;
*) echo "$0: unknown target '$ext': yaml, dts, devices-BOARD, pci" \
	"or virtqueue" >&2
   exit 1 ;;
esac
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
