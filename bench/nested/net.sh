#!/usr/bin/env bash
# Network benchmark inside the nested L1: boardvm against QEMU -accel kvm
# (virtio-net-pci on a tap, vhost=off) on the same guest, side by side in
# one L1 run (bench/nested/net-in-l1.sh): guest -> L1 throughput of an
# HTTP post of MIB MiB (between two console lines, timed by runstat), and
# the VMM's own CPU time (user + sys of all its threads, guest time
# included) between those two lines, per MiB moved. Medians, spread
# (min-max) and ratios against QEMU; the guest's own counters (bytes per
# transmitted frame, interrupts per MiB) as medians too.
#
#   bench/nested/net.sh [ROUNDS [MIB [vhost]]]   (default 3 rounds, 64 MiB)
#
# vhost: both VMMs with vhost=on (L1's vhost-net moves the frames).
# NET_BENCH_CPUID=LIST: boardvm runs with --cpuid-hide LIST (none: the
# guest sees every feature L1's KVM offers, as QEMU's -cpu host does).
#
# Figures in docs/performance.md ## Nested network.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. bench/nested/lib.sh
rounds=${1:-3} mib=${2:-64} mode=${3:-userspace}
modules=tun
[ "$mode" = vhost ] && modules="tun vhost_net"
# Without it every round fails in L1 and the medians read "inf".
bench_need -x bench-nested-net "$BUILD/bench/nested/runstat"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
NESTED_MODULES="$modules" \
	bench_in_l1 "$out" "net bench ($mode), $rounds rounds" \
	env NET_BENCH_CPUID="${NET_BENCH_CPUID:-}" \
	bash bench/nested/net-in-l1.sh "$rounds" "$mib" "$mode"
awk -v mib="$mib" "$AWK_MEDIAN"'
	$1 ~ /^(boardvm|qemu-)/ && NF > 5 {
		delete f
		for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["status"] != 0 || f["end"] < 0 || f["start_cpu_ms"] < 0 ||
		    f["end_cpu_ms"] < 0) {
			bad[$1] = bad[$1] " " $3 (f["status"] == 137 ? " (killed at the time limit)" : ""); next
		}
		vmm[$1] = 1
		tput[$1] = tput[$1] " " mib / ((f["end"] - f["start"]) / 1000)
		cpu[$1] = cpu[$1] " " (f["end_cpu_ms"] - f["start_cpu_ms"]) / mib
	}
	$1 == "counts:" && $4 == "guest" {
		delete f
		for (i = 5; i <= NF; i++) {
			split($i, kv, "=")
			f[kv[1]] = kv[2]
			if (kv[1] ~ /-output\.[0-9]+$/) irq_tx += kv[2]
			if (kv[1] ~ /-input\.[0-9]+$/) irq_rx += kv[2]
		}
		if (f["tx_packets"] > 0) {
			fsize[$2] = fsize[$2] " " f["tx_bytes"] / f["tx_packets"]
			txi[$2] = txi[$2] " " irq_tx / mib
			rxi[$2] = rxi[$2] " " irq_rx / mib
		}
		irq_tx = irq_rx = 0
	}
	END {
		for (v in vmm) {
			t[v] = med(tput[v]); tlo[v] = lo; thi[v] = hi
			c[v] = med(cpu[v]); clo = lo; chi = hi
			printf "net: %-8s %6.2f MiB/s (%.2f-%.2f)  VMM CPU %.0f ms/MiB (%.0f-%.0f)%s\n",
				v, t[v], tlo[v], thi[v], c[v], clo, chi,
				bad[v] ? "  failed rounds:" bad[v] : ""
			if (fsize[v] != "")
				printf "net: %-8s guest: %.0f B per transmitted frame, %.1f tx and %.1f rx interrupts per MiB (medians)\n",
					v, med(fsize[v]), med(txi[v]), med(rxi[v])
		}
		if (("boardvm" in vmm) && ("qemu-pc" in vmm) && t["qemu-pc"] > 0 && c["qemu-pc"] > 0)
			printf "net: boardvm/qemu-pc throughput %.2f, CPU per MiB %.2f\n",
				t["boardvm"] / t["qemu-pc"], c["boardvm"] / c["qemu-pc"]
	}' "$out"
