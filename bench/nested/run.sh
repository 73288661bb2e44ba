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
rounds=${1:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
NESTED_BINS="qemu-system-x86_64" \
NESTED_FILES="/usr/share/seabios/bios-256k.bin /usr/share/qemu/qboot.rom
	/usr/share/qemu/bios-microvm.bin /usr/share/qemu/linuxboot_dma.bin
	/usr/share/qemu/pvh.bin /usr/share/qemu/kvmvapic.bin" \
	tests/nested/run.sh --smp 2 --name "boot bench, $rounds rounds" -- \
	bash bench/nested/in-l1.sh "$rounds" | tee "$out"
awk '
	$1 ~ /^(boardvm|qemu-)/ && NF > 4 {
		vmm[$1] = 1
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "status") continue
			v[$1, kv[1], ++n[$1, kv[1]]] = kv[2]
			keys[kv[1]] = 1
		}
	}
	function median(vm, k,    m, i, j, t, a) {
		m = n[vm, k]
		for (i = 1; i <= m; i++) a[i] = v[vm, k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo = a[1]; hi = a[m]
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		split("first linux init done exit maxrss_kib user_ms sys_ms", order, " ")
		printf "%-14s", "median (min-max)"
		for (i = 1; i <= 8; i++) printf " %20s", order[i]
		printf "\n"
		for (vm in vmm) {
			printf "%-14s", vm
			for (i = 1; i <= 8; i++) {
				med[vm, order[i]] = median(vm, order[i])
				printf " %20s", sprintf("%g (%g-%g)", med[vm, order[i]], lo, hi)
			}
			printf "\n"
		}
		for (vm in vmm) {
			if (vm == "qemu-microvm") continue
			printf "%-14s", vm "/microvm"
			for (i = 1; i <= 8; i++) {
				b = med["qemu-microvm", order[i]]
				printf " %20s", (b > 0 ? sprintf("%.2f", med[vm, order[i]] / b) : "-")
			}
			printf "\n"
		}
	}' "$out"
