#!/usr/bin/env bash
# Boot benchmark inside the nested L1: boardvm against QEMU (-accel kvm)
# on the same guest, side by side in one L1 run (bench/nested/in-l1.sh),
# then medians and spread per VMM and ratios against QEMU microvm.
#
#   bench/nested/run.sh [ROUNDS]     (default 5)
#
# The only like-for-like comparison under real hardware virtualization
# this host allows; figures in docs/performance.md ## Nested boot.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. bench/nested/lib.sh
rounds=${1:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BENCH_FILES="/usr/share/qemu/qboot.rom /usr/share/qemu/bios-microvm.bin" \
	bench_in_l1 "$out" "boot bench, $rounds rounds" \
	bash bench/nested/in-l1.sh "$rounds"
awk "$AWK_MEDIAN"'
	$1 ~ /^(boardvm|qemu-)/ && NF > 4 {
		vmm[$1] = 1
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "status") continue
			v[$1, kv[1]] = v[$1, kv[1]] " " kv[2]
		}
	}
	END {
		split("first linux init done exit maxrss_kib user_ms sys_ms", order, " ")
		printf "%-14s", "median (min-max)"
		for (i = 1; i <= 8; i++) printf " %20s", order[i]
		printf "\n"
		for (vm in vmm) {
			printf "%-14s", vm
			for (i = 1; i <= 8; i++) {
				mid[vm, order[i]] = med(v[vm, order[i]])
				printf " %20s", sprintf("%g (%g-%g)", mid[vm, order[i]], lo, hi)
			}
			printf "\n"
		}
		for (vm in vmm) {
			if (vm == "qemu-microvm") continue
			printf "%-14s", vm "/microvm"
			for (i = 1; i <= 8; i++) {
				b = mid["qemu-microvm", order[i]]
				printf " %20s", (b > 0 ? sprintf("%.2f", mid[vm, order[i]] / b) : "-")
			}
			printf "\n"
		}
	}' "$out"
