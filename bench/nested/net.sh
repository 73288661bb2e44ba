#!/usr/bin/env bash
# Network benchmark inside the nested L1: boardvm against QEMU -accel kvm
# (virtio-net-pci on a tap, vhost=off) on the same guest, side by side in
# one L1 run (bench/nested/net-in-l1.sh): guest -> L1 throughput of an
# HTTP post of MIB MiB (between two console lines, timed by runstat), and
# the VMM's own CPU time (wait4 rusage, user + sys) per MiB moved: the
# median CPU of the MIB runs minus the median of the same boot sending
# nothing, over MIB. Medians, spread (min-max) and ratios against QEMU.
#
#   bench/nested/net.sh [ROUNDS [MIB]]     (default 3 rounds, 64 MiB)
#
# Figures in docs/performance.md ## Nested network.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
rounds=${1:-3} mib=${2:-64}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
NESTED_MODULES="tun" NESTED_BINS="qemu-system-x86_64" \
NESTED_FILES="/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin
	/usr/share/qemu/pvh.bin /usr/share/qemu/kvmvapic.bin" \
	tests/nested/run.sh --smp 2 --name "net bench, $rounds rounds" -- \
	bash bench/nested/net-in-l1.sh "$rounds" "$mib" | tee "$out"
awk -v mib="$mib" '
	function med(list,    a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo = a[1]; hi = a[n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 ~ /^(boardvm|qemu-)/ && NF > 5 {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["status"] != 0 || f["end"] < 0) { bad[$1] = bad[$1] " " $2 "/" $3; next }
		vmm[$1] = 1
		cpu[$1, $2] = cpu[$1, $2] " " (f["user_ms"] + f["sys_ms"])
		if ($2 > 0)
			tput[$1] = tput[$1] " " mib / ((f["end"] - f["start"]) / 1000)
	}
	END {
		for (v in vmm) {
			t[v] = med(tput[v]); tlo[v] = lo; thi[v] = hi
			c1 = med(cpu[v, mib]); c0 = med(cpu[v, 0])
			cpm[v] = (c1 - c0) / mib
			printf "net: %-8s %6.2f MiB/s (%.2f-%.2f)  VMM CPU %.1f ms/MiB (median %d ms with, %d ms without the transfer)%s\n",
				v, t[v], tlo[v], thi[v], cpm[v], c1, c0,
				bad[v] ? "  failed runs:" bad[v] : ""
		}
		if (("boardvm" in vmm) && ("qemu-pc" in vmm) && t["qemu-pc"] > 0 && cpm["qemu-pc"] > 0)
			printf "net: boardvm/qemu-pc throughput %.2f, CPU per MiB %.2f\n",
				t["boardvm"] / t["qemu-pc"], cpm["boardvm"] / cpm["qemu-pc"]
	}' "$out"
