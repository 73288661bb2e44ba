#!/usr/bin/env bash
# Disk benchmark inside the nested L1: boardvm against QEMU -accel kvm
# (virtio-blk-pci, aio=threads, QEMU's default, and aio=io_uring) on the
# same guest, side by side in one L1 run (bench/nested/disk-in-l1.sh):
# BLOCKS reads of 4 KiB with O_DIRECT in the guest, in order (MiB/s) and
# at random offsets (reads per second), each timed by runstat between two
# console lines, and the VMM's own CPU time (user + sys of all its
# threads, guest time included) between those lines per read. Medians,
# spread (min-max) and ratios against QEMU's default.
#
#   bench/nested/disk.sh [ROUNDS [BLOCKS]]   (default 3 rounds, 4096 blocks)
#
# Figures in docs/performance.md ## Nested disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. bench/nested/lib.sh
rounds=${1:-3} blocks=${2:-4096}
bench_need -x bench-nested-disk "$BUILD/bench/nested/runstat" "$BUILD/tests/linux/disk-read"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bench_in_l1 "$out" "disk bench, $rounds rounds" \
	bash bench/nested/disk-in-l1.sh "$rounds" "$blocks"
awk -v n="$blocks" "$AWK_MEDIAN"'
	$1 ~ /^(boardvm|qemu-)/ && NF > 5 {
		delete f
		for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["status"] != 0 || f["rande"] < 0 || f["seqe"] < 0 ||
		    f["seqs_cpu_ms"] < 0 || f["rande_cpu_ms"] < 0) {
			bad[$1] = bad[$1] " " $3; next
		}
		vmm[$1] = 1
		seq[$1] = seq[$1] " " n * 4 / 1024 / ((f["seqe"] - f["seqs"]) / 1000)
		rnd[$1] = rnd[$1] " " n / ((f["rande"] - f["rands"]) / 1000)
		scpu[$1] = scpu[$1] " " (f["seqe_cpu_ms"] - f["seqs_cpu_ms"]) * 1000 / n
		rcpu[$1] = rcpu[$1] " " (f["rande_cpu_ms"] - f["rands_cpu_ms"]) * 1000 / n
	}
	END {
		for (v in vmm) {
			s[v] = med(seq[v]); slo = lo; shi = hi
			r[v] = med(rnd[v]); rlo = lo; rhi = hi
			sc[v] = med(scpu[v]); sclo = lo; schi = hi
			rc[v] = med(rcpu[v]); rclo = lo; rchi = hi
			printf "disk: %-14s seq %6.1f MiB/s (%.1f-%.1f)  rand %6.0f reads/s (%.0f-%.0f)  VMM CPU %.0f us/read seq (%.0f-%.0f), %.0f rand (%.0f-%.0f)%s\n",
				v, s[v], slo, shi, r[v], rlo, rhi, sc[v], sclo, schi,
				rc[v], rclo, rchi, bad[v] ? "  failed rounds:" bad[v] : ""
		}
		q = "qemu-threads"
		if (("boardvm" in vmm) && (q in vmm))
			printf "disk: boardvm / %s: seq %.2f, rand %.2f (higher is better); VMM CPU per read %.2f seq, %.2f rand (lower is better)\n",
				q, s["boardvm"] / s[q], r["boardvm"] / r[q],
				sc[q] ? sc["boardvm"] / sc[q] : 0, rc[q] ? rc["boardvm"] / rc[q] : 0
	}' "$out"
