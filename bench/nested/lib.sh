# Sourced by bench/nested/run.sh, net.sh and disk.sh: one L1 run of a
# benchmark beside QEMU, and the median the summaries are made of.

# QEMU's firmware files for the benchmarks' QEMU guests in L1.
QEMU_FIRMWARE="/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin
	/usr/share/qemu/pvh.bin /usr/share/qemu/kvmvapic.bin"

# bench_need TEST TARGET FILE...: exit 1, saying which make target builds
# them, unless every FILE passes test(1)'s TEST (-x: a program, -f: a
# file).
bench_need() {
	local op=$1 target=$2 f
	shift 2
	for f; do
		test "$op" "$f" && continue
		echo "$0: no $f (make $target builds it)" >&2
		exit 1
	done
}

# bench_in_l1 OUT NAME COMMAND [ARG...]: COMMAND in an L1 of two CPUs
# that has qemu-system-x86_64, its firmware and $BENCH_FILES; its output
# goes to stdout and to OUT; the status is tests/nested/run.sh's.
bench_in_l1() {
	local out=$1 name=$2
	shift 2
	NESTED_BINS="qemu-system-x86_64" \
	NESTED_FILES="$QEMU_FIRMWARE ${BENCH_FILES:-}" \
		tests/nested/run.sh --smp 2 --name "$name" -- "$@" | tee "$out"
	return "${PIPESTATUS[0]}"
}

# AWK_MEDIAN: an awk function for the summaries (prepend it to the
# program; Debian's awk is mawk, which has no -f with a program beside
# it): med(LIST) is the median of a space-separated list of numbers, and
# sets the globals lo and hi to its least and greatest.
AWK_MEDIAN='
	function med(list,    a, k, i, j, t) {
		k = split(list, a, " ")
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo = a[1]; hi = a[k]
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}'
