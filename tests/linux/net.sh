#!/usr/bin/env bash
# virtio-net against a real Linux guest, all on ONE boot of the pc board
# (L2 boots flake now and then inside the nested harness: one boot, many
# checks). The host side runs in a network namespace this script creates
# (unshare -n): a tap bvmnet0 with 10.0.2.1/24, busybox httpd on :8080
# serving a 64 MiB random file and a CGI that stores what is posted to it,
# and a pinger that marks :8080/pinged once 10.0.2.15 answers. The guest's
# /init (boardvm.nettest=1, scripts/guest-image.sh) configures eth0 as
# 10.0.2.15 and prints "net ..." lines:
#   /linux/net/boot           /init ran to the end, boardvm exited 0
#   /linux/net/features       the driver negotiated CSUM, GUEST_CSUM,
#                             GUEST_TSO4/6, HOST_TSO4/6, MRG_RXBUF,
#                             STATUS, EVENT_IDX, VERSION_1
#   /linux/net/ping-host      guest -> host ping
#   /linux/net/download       64 MiB over HTTP, sha256 and size match
#   /linux/net/upload         8 MiB posted; host's copy, the CGI's reply
#                             and the guest's sum agree
#   /linux/net/ping-guest     host -> guest ping (the guest saw the mark)
#   /linux/net/link-down-up   ping after ip link set eth0 down, up
#   /linux/net/driver-reload  ping after rmmod virtio_net, insmod (a
#                             device reset and a fresh negotiation)
#   /linux/net/stats          --stats counts frames both ways, no drops
#                             toward the guest
# and prints the figures (seconds, MiB/s, frames, interrupts per frame).
# NET_VHOST=1: the same with --net tap:bvmnet0,vhost=on (the kernel's
# vhost-net moves the frames; needs /dev/vhost-net, in the nested harness
# NESTED_MODULES="tun vhost_net"), names /linux/net-vhost/..., and stats
# checks that vhost's interrupts went by irqfd instead of frame counts.
# Needs hardware virtualization (on a host without it, tests/nested runs
# this inside L1: NESTED_MODULES=tun), /dev/net/tun and root.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
P=/linux/net VHOST=
if [ "${NET_VHOST:-0}" = 1 ]; then
	P=/linux/net-vhost VHOST=,vhost=on
fi

if [ -z "${NET_SH_IN_NS:-}" ]; then
	if [ ! -c /dev/net/tun ]; then
		echo "SKIP $P: no /dev/net/tun (modprobe tun; in the nested harness NESTED_MODULES=tun)"
		exit 0
	fi
	if ! unshare -n true 2>/dev/null; then
		echo "SKIP $P: cannot create a network namespace (unshare -n needs root)"
		exit 0
	fi
	NET_SH_IN_NS=1 exec unshare -n bash "$PWD/tests/linux/net.sh" "$@"
fi

tmp=$(mktemp -d)
TAP=bvmnet0
NAME=net
cleanup() {
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
. tests/linux/boot-lib.sh

TESTS="boot features ping-host download upload ping-guest link-down-up driver-reload stats"
skip_all() {
	for t in $TESTS; do echo "SKIP $P/$t: $1"; done
	exit 0
}
if ! host_hw_virt && ! in_nested_l1; then
	skip_all "Linux userspace needs vmx/svm (tests/nested runs this inside L1)"
fi
[ -c /dev/kvm ] || skip_all "no /dev/kvm"
[ -z "$VHOST" ] || [ -c /dev/vhost-net ] ||
	skip_all "NET_VHOST=1 and no /dev/vhost-net (modprobe vhost_net; in the nested harness NESTED_MODULES=\"tun vhost_net\")"
find_kernel || skip_all "$IMAGE_WHY"

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }
report() {
	if [ -z "$WHY" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $WHY"
	fi
	WHY=
}
# net WHAT: the rest of /init's "boardvm-init: net WHAT ..." line.
net() { log_lines "$NAME" | sed -n "s/^boardvm-init: net $1 *//p" | head -n 1; }

# The host's end: tap, address, web server, upload CGI, pinger.
ip link set lo up
if command -v tunctl >/dev/null; then
	tunctl -t "$TAP" >/dev/null
else
	ip tuntap add dev "$TAP" mode tap
fi || skip_all "cannot create tap $TAP"
ip addr add 10.0.2.1/24 dev "$TAP"
ip link set "$TAP" up
mkdir -p "$tmp/www/cgi-bin"
dd if=/dev/urandom of="$tmp/www/big.bin" bs=1M count=64 2>/dev/null
big_sum=$(sha256sum <"$tmp/www/big.bin" | cut -d' ' -f1)
cat >"$tmp/www/cgi-bin/upload" <<EOF
#!/bin/sh
echo "Content-Type: text/plain"
echo
head -c "\$CONTENT_LENGTH" >"$tmp/upload"
sha256sum <"$tmp/upload" | cut -d' ' -f1
EOF
chmod +x "$tmp/www/cgi-bin/upload"
busybox httpd -f -p 8080 -h "$tmp/www" &
echo $! >"$tmp/httpd.pid"
start_pinger() {
	rm -f "$tmp/www/pinged" "$tmp/upload"
	(
		until ping -c 1 -W 1 10.0.2.15 >/dev/null 2>&1; do sleep 1; done
		touch "$tmp/www/pinged"
	) &
	echo $! >"$tmp/pinger.pid"
}
start_pinger

# net_boot: one boot of the guest, its status in $status.
net_boot() {
	local pid
	start=$(date +%s)
	"$BOARDVM" --kernel "$BZIMAGE" --initrd "$INITRD" --mem 512M --cpus 2 \
		"${L2_ARGS[@]}" \
		--net "tap:$TAP$VHOST" --stats \
		--append "$APPEND_BASE boardvm.nettest=1" \
		</dev/null >"$tmp/$NAME.log" 2>"$tmp/$NAME.err" &
	pid=$!
	echo "$pid" >"$tmp/$NAME.pid"
	while kill -0 "$pid" 2>/dev/null &&
	      [ $(($(date +%s) - start)) -lt "${NET_TIMEOUT:-1500}" ]; do
		boot_stall_check "$NAME" "$pid" && break
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		status=timeout
	else
		wait "$pid"
		status=$?
	fi
	rm -f "$tmp/$NAME.pid"
}
net_boot
# A triple fault or hang of the nested stack before /init finished:
# booted again (boot-lib.sh's boot_flaked says when).
# The host's marks of the failed boot go: the next is judged alone.
while boot_flaked "$NAME"; do
	kill "$(cat "$tmp/pinger.pid")" 2>/dev/null
	start_pinger
	net_boot
done
secs=$(($(date +%s) - start))

[ "$status" = 0 ] || fail "boardvm ended with status $status: $(boot_failure "$NAME")"
log_lines "$NAME" | grep -q '^boardvm-init: done$' ||
	fail "/init did not finish: $(tail -n 5 "$tmp/$NAME.log" | tr '\n' '|')"
report $P/boot

# features: virtio's sysfs bit string, bit 0 first.
f=$(net features)
for bit in 0:CSUM 1:GUEST_CSUM 7:GUEST_TSO4 8:GUEST_TSO6 11:HOST_TSO4 \
	   12:HOST_TSO6 15:MRG_RXBUF 16:STATUS 29:EVENT_IDX 32:VERSION_1; do
	[ "${f:${bit%%:*}:1}" = 1 ] || fail "${bit#*:} not negotiated: '$f'"
done
report $P/features

[ "$(net ping)" = ok ] || fail "the guest could not ping 10.0.2.1: '$(net ping)'"
report $P/ping-host

got=$(net download)
[ "$got" = "$big_sum 67108864" ] ||
	fail "the guest got '$got', expected '$big_sum 67108864'"
report $P/download

sent=$(net upload-sent)
host_sum=$(sha256sum <"$tmp/upload" 2>/dev/null | cut -d' ' -f1)
host_size=$(wc -c <"$tmp/upload" 2>/dev/null)
[ -n "$sent" ] && [ "$sent" = "$host_sum" ] && [ "$(net upload-reply)" = "$sent" ] &&
	[ "$host_size" = 8388608 ] ||
	fail "guest sent '$sent', host stored '$host_sum' ($host_size bytes), CGI replied '$(net upload-reply)'"
report $P/upload

[ -e "$tmp/www/pinged" ] || fail "10.0.2.15 never answered the host's ping"
[ "$(net host-ping)" = ok ] || fail "the guest did not see the host's mark: '$(net host-ping)'"
report $P/ping-guest

[ "$(net relink)" = ok ] || fail "no ping after ip link set eth0 down/up: '$(net relink)'"
report $P/link-down-up

[ "$(net reload)" = ok ] || fail "no ping after reloading virtio_net: '$(net reload)'; $(log_lines "$NAME" | grep -i virtio_net | tail -n 3 | tr '\n' '|')"
report $P/driver-reload

# stats: device virtio-net0 rx-packets=N ... (boardvm's stderr)
line=$(grep '^stats: device virtio-net0 ' "$tmp/$NAME.err")
c() { echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
if [ -z "$line" ]; then
	fail "no virtio-net0 line in --stats: $(grep '^stats:' "$tmp/$NAME.err" | tr '\n' '|')"
elif [ -n "$VHOST" ]; then
	# The kernel moved the frames and, through each queue's MSI-X
	# irqfd, raised their interrupts: boardvm raises only those that
	# came while a vector was masked or unassigned (driver load and
	# reload), a handful, where the 64 MiB took thousands before.
	[ "$(($(c rx-interrupts) + $(c tx-interrupts)))" -lt 1000 ] ||
		fail "rx-interrupts $(c rx-interrupts), tx-interrupts $(c tx-interrupts): boardvm raised vhost's interrupts itself, not the irqfds"
	[ "$(c rx-packets)" = 0 ] || fail "rx-packets $(c rx-packets): boardvm moved frames itself under vhost=on"
else
	[ "$(c rx-bytes)" -ge 67108864 ] || fail "rx-bytes $(c rx-bytes) < the 64 MiB download"
	[ "$(c tx-bytes)" -ge 8388608 ] || fail "tx-bytes $(c tx-bytes) < the 8 MiB upload"
	[ "$(c rx-dropped)" = 0 ] || fail "rx-dropped $(c rx-dropped)"
fi
report $P/stats
if [ -n "$line" ]; then
	echo "  (net: ${secs}s boot to exit; rx $(c rx-packets) frames $(($(c rx-bytes) / 1048576)) MiB," \
		"$(c rx-interrupts) interrupts, avg $(($(c rx-bytes) / ($(c rx-packets) + 1))) B/frame;" \
		"tx $(c tx-packets) frames $(($(c tx-bytes) / 1048576)) MiB, $(c tx-interrupts) interrupts," \
		"avg $(($(c tx-bytes) / ($(c tx-packets) + 1))) B/frame; tx-dropped $(c tx-dropped)," \
		"rx-no-buffers $(c rx-no-buffers))"
fi
exit 0
