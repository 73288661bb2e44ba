#!/usr/bin/env bash
# Replays the device fuzz targets' inputs without libFuzzer: the seed
# programs (tests/fuzz/device-seeds.sh) and the regression inputs
# (tests/fuzz/regressions/<target>/), each in its own run of
# $BUILD/tests/fuzz/replay-<target>, which must exit 0 in bounded time with
# no sanitizer report. One test per input: /fuzz/<target>/<input>.
#
# Run by `make test` (BUILD=build or build/san) through tests/run.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT

# replay TARGET FILE: one input, one PASS/FAIL line.
replay()
{
	local target=$1 f=$2 status name=/fuzz/$1/${2##*/}

	timeout 60 "$BUILD/tests/fuzz/replay-$target" "$f" \
		>"$scratch/out" 2>&1
	status=$?
	if [ "$status" -eq 124 ]; then
		echo "FAIL $name: ran over 60 s"
	elif [ "$status" -ne 0 ]; then
		echo "FAIL $name: exited with status $status:" \
			"$(grep -m1 -E 'ERROR|runtime error|Abort|Segmentation' \
			"$scratch/out")"
	elif grep -qE 'Sanitizer|runtime error:' "$scratch/out"; then
		echo "FAIL $name: sanitizer report:" \
			"$(grep -m1 -E 'Sanitizer|runtime error:' "$scratch/out")"
	else
		echo "PASS $name"
	fi
}

targets="devices-pc devices-bindings devices-microvm pci virtqueue virtio-net bzimage pvh api vsock"
[ -f tests/guest/virtio/virtio-guest.yaml ] &&
	targets="$targets devices-virtio-guest"
for target in $targets; do
	if [ ! -x "$BUILD/tests/fuzz/replay-$target" ]; then
		echo "FAIL /fuzz/$target: $BUILD/tests/fuzz/replay-$target" \
			"is not built (make test builds it)"
		continue
	fi
	mkdir -p "$scratch/$target"
	if ! tests/fuzz/device-seeds.sh "$target" "$scratch/$target"; then
		echo "FAIL /fuzz/$target/seeds: tests/fuzz/device-seeds.sh failed"
		continue
	fi
	for f in "$scratch/$target"/* tests/fuzz/regressions/"$target"/*; do
		[ -f "$f" ] && replay "$target" "$f"
	done
done
exit 0
