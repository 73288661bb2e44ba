#!/usr/bin/env bash
# Runs inside the nested L1 (bench/nested/net.sh): boardvm (--net on a
# tap) and QEMU (-accel kvm -M pc, virtio-net-pci on the same tap,
# vhost=off: both VMMs move the frames in userspace) boot the same Debian
# vmlinux through PVH with the same busybox initrd, --mem 512M, 1 vCPU.
# The guest (/init's boardvm.netbench=N) posts N MiB to L1's busybox
# httpd between two console lines; runstat gives their times and the
# VMM's CPU time at each. ROUNDS interleaved rounds of one run per VMM;
# one line per run: "VMM N round runstat-fields", then "counts:" lines
# (the guest's frame, byte and interrupt counts; boardvm's --stats). All
# in a network namespace of this script's own: tap bvmnet0, 10.0.2.1/24.
set -u
rounds=${1:-3} mib=${2:-64} mode=${3:-userspace}
# vhost: both VMMs hand the frames to L1's vhost-net (boardvm --net
# ...,vhost=on; QEMU -netdev tap,vhost=on).
qvhost=off bvhost=
if [ "$mode" = vhost ]; then
	qvhost=on bvhost=,vhost=on
fi
# A run still going after this many seconds is killed (status 137) and
# counted as a failed round: an L2 that stops (L1 idle, no console output)
# must not hold the benchmark for the harness's 600 s idle limit.
limit=${NET_BENCH_RUN_S:-240}
if [ -z "${NET_BENCH_IN_NS:-}" ]; then
	NET_BENCH_IN_NS=1 exec unshare -n bash "$PWD/bench/nested/net-in-l1.sh" "$@"
fi
eval "$(scripts/guest-image.sh)"
runstat=$BUILD/bench/nested/runstat
tmp=$(mktemp -d)
trap 'kill $httpd 2>/dev/null; rm -rf "$tmp"' EXIT

ip link set lo up
tunctl -t bvmnet0 >/dev/null || ip tuntap add dev bvmnet0 mode tap
ip addr add 10.0.2.1/24 dev bvmnet0
ip link set bvmnet0 up
mkdir -p "$tmp/www/cgi-bin"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\nhead -c "${CONTENT_LENGTH:-0}" >/dev/null\necho ok\n' \
	>"$tmp/www/cgi-bin/sink"
chmod +x "$tmp/www/cgi-bin/sink"
busybox httpd -f -p 8080 -h "$tmp/www" 2>/dev/null &
httpd=$!

labels=("start=boardvm-init: net bench start" "end=boardvm-init: net bench end"
	"done=boardvm-init: done")
append() { echo "console=ttyS0 earlyprintk=serial panic=-1 boardvm.netbench=$1"; }

# One run; then, for the runs that moved data, what the guest counted
# (frames, bytes, interrupts per virtio vector) and boardvm's --stats
# device line, each on a "counts:" line of its own.
run() {
	local vmm=$1 n=$2 r=$3
	shift 3
	printf '%s %s %s ' "$vmm" "$n" "$r"
	"$runstat" -o "$tmp/log" -t "$limit" "${labels[@]}" -- "$@" \
		</dev/null 2>"$tmp/err" | tee "$tmp/line" || echo "runstat failed"
	if ! grep -q " status=0 " "$tmp/line"; then
		tail -n 8 "$tmp/log" | sed "s/^/tail: $vmm $r console: /"
		tail -n 4 "$tmp/err" | sed "s/^/tail: $vmm $r stderr: /"
	fi
	[ "$n" = 0 ] && return
	sed -n "s/.*boardvm-init: net bench counts /counts: $vmm $r guest /p" "$tmp/log"
	sed -n "s/^stats: device \([a-z-]*net[0-9]*\) /counts: $vmm $r \1 /p" "$tmp/err"
}

qemu=(qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios
	-accel kvm -cpu host -m 512M -smp 1 -M pc
	-nodefaults -no-user-config -display none -no-reboot -serial stdio
	-netdev tap,id=n0,ifname=bvmnet0,script=no,downscript=no,vhost=$qvhost
	-device virtio-net-pci,netdev=n0,romfile= -kernel "$VMLINUX" -initrd "$INITRD")

for r in $(seq "$rounds"); do
	run boardvm "$mib" "$r" "$BUILD/pc/boardvm" --kernel "$VMLINUX" \
		--initrd "$INITRD" --mem 512M --cpus 1 \
		--net "tap:bvmnet0$bvhost" --stats --append "$(append "$mib")" \
		${NET_BENCH_CPUID:+--cpuid-hide "$NET_BENCH_CPUID"}
	run qemu-pc "$mib" "$r" "${qemu[@]}" -append "$(append "$mib")"
done
