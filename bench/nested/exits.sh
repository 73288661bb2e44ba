#!/usr/bin/env bash
# Exit benchmark inside the nested L1: what one port or MMIO access that
# exits to the VMM's userspace costs under boardvm and under QEMU -accel
# kvm, on the same guest image, side by side in one L1 run
# (bench/nested/exits-in-l1.sh). The guest times 4,096 accesses of each
# kind with the TSC, five rounds a run; medians over all rounds, spread
# (min-max), the loop's own ticks taken off, and ratios against QEMU.
#
#   bench/nested/exits.sh [RUNS]     (default 3 runs of each VMM)
#
# Figures in docs/performance.md ## Nested exits.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. bench/nested/lib.sh
runs=${1:-3}
bench_need -f bench-nested-exits "$BUILD/bench/nested/exits-guest.bin" \
	"$BUILD/bench/nested/exits-guest-mb.elf"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BENCH_FILES="/usr/share/qemu/multiboot_dma.bin" \
	bench_in_l1 "$out" "exit bench, $runs runs" \
	bash bench/nested/exits-in-l1.sh "$runs"
awk "$AWK_MEDIAN"'
	$1 == "exits:" && $2 == "L1" { mhz = $5 }
	$1 ~ /^(boardvm|qemu-)/ && $3 == "failed:" { bad[$1] = bad[$1] " " $2; next }
	$1 ~ /^(boardvm|qemu-)/ && NF == 7 {
		delete f
		for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		vmm[$1] = 1
		for (k in f)
			if (k != "loop") t[$1, k] = t[$1, k] " " f[k] - f["loop"]
		loop[$1] = loop[$1] " " f["loop"]
	}
	END {
		split("pio_read pio_unclaimed mmio_unclaimed", kinds, " ")
		for (v in vmm) {
			line = sprintf("exits: %-8s", v)
			for (i = 1; i <= 3; i++) {
				m[v, i] = med(t[v, kinds[i]])
				line = line sprintf("  %s %.0f (%.0f-%.0f)", kinds[i], m[v, i], lo, hi)
				if (mhz > 0)
					line = line sprintf(" = %.1f us", m[v, i] / mhz)
			}
			print line "  ticks per access, loop " med(loop[v]) (bad[v] ? "  failed runs:" bad[v] : "")
		}
		if (("boardvm" in vmm) && ("qemu-pc" in vmm)) {
			line = "exits: boardvm / qemu-pc:"
			for (i = 1; i <= 3; i++)
				line = line sprintf(" %s %.2f", kinds[i], m["qemu-pc", i] ? m["boardvm", i] / m["qemu-pc", i] : 0)
			print line " (lower is better)"
		}
		if (mhz > 0)
			printf "exits: L1 TSC %s MHz (the guest reads it through KVM)\n", mhz
	}' "$out"
