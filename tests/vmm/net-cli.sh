#!/usr/bin/env bash
# boardvm's --net option on the pc board (one virtio-net-pci device): what
# is refused before any KVM work (status 1, a message naming the option
# and what to do), a tap opened in a network namespace this test creates
# (never the host's own network), the error without CAP_NET_ADMIN, and
# the seccomp rule that only --net turns on. The data path is tested with
# a Linux guest in tests/linux/net.sh and without KVM in
# tests/devices/net-tests.c.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BOARDVM=$BUILD/pc/boardvm
HELLO=$BUILD/guest/pc/hello.bin@0x100000
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# t NAME WANT-STATUS STDERR-PATTERN COMMAND...
t() {
	local name=$1 want=$2 pattern=$3 status
	shift 3
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne "$want" ]; then
		echo "FAIL $name: exit status $status, expected $want; stderr: $(head -c 300 "$tmp/err")"
	elif ! grep -q -- "$pattern" "$tmp/err" "$tmp/out"; then
		echo "FAIL $name: no '$pattern' in: $(head -c 300 "$tmp/err")"
	else
		echo "PASS $name"
	fi
}

t /virtio-net/cli/help 0 '--net \[NAME=\]tap:IFNAME|tap:auto' "$BOARDVM" --help
t /virtio-net/cli/bad-spec 1 "^boardvm: --net 'eth0': expected \[NAME=\]tap:IFNAME" \
	"$BOARDVM" --net eth0 --flat "$HELLO"
t /virtio-net/cli/long-name 1 "^boardvm: --net 'tap:0123456789abcdefg': expected" \
	"$BOARDVM" --net tap:0123456789abcdefg --flat "$HELLO"
t /virtio-net/cli/too-many 1 \
	"^boardvm: --net: board pc has 1 virtio-net-pci device for 2 --net options" \
	"$BOARDVM" --net tap:a --net tap:b --flat "$HELLO"
t /virtio-net/cli/unknown-device 1 \
	"^boardvm: --net eth9=...: board pc has no virtio-net-pci device of that name" \
	"$BOARDVM" --net eth9=tap:a --flat "$HELLO"
t /virtio-net/cli/not-a-nic 1 "no virtio-net-pci device of that name" \
	"$BOARDVM" --net virtio-blk0=tap:a --flat "$HELLO"
t /virtio-net/cli/twice 1 "one --net already for the virtio-net-pci device" \
	"$BOARDVM" --net virtio-net0=tap:a --net virtio-net0=tap:b --flat "$HELLO"
t /virtio-net/cli/vhost-bad 1 "then optionally ,vhost=on or ,vhost=off" \
	"$BOARDVM" --net tap:a,vhost=maybe --flat "$HELLO"

# The seccomp rule: only with --net.
if "$BOARDVM" --seccomp-policy | grep -q TUNSETOFFLOAD; then
	echo "FAIL /virtio-net/cli/seccomp-without-net: TUNSETOFFLOAD allowed without --net"
else
	echo "PASS /virtio-net/cli/seccomp-without-net"
fi
t /virtio-net/cli/seccomp-with-net 0 '^ioctl TUNSETOFFLOAD: virtio-net-pci: --net' \
	"$BOARDVM" --net tap:auto --seccomp-policy
# vhost's ioctls only with vhost=on.
if "$BOARDVM" --net tap:auto --seccomp-policy | grep -q VHOST_; then
	echo "FAIL /virtio-net/cli/seccomp-without-vhost: VHOST_ ioctls allowed without vhost=on"
else
	echo "PASS /virtio-net/cli/seccomp-without-vhost"
fi
t /virtio-net/cli/seccomp-with-vhost 0 '^ioctl VHOST_NET_SET_BACKEND: virtio-net-pci: --net ...,vhost=on' \
	"$BOARDVM" --net tap:auto,vhost=on --seccomp-policy

# A real tap, in a namespace of this test's own.
if [ ! -c /dev/net/tun ] || ! unshare -n true 2>/dev/null; then
	echo "SKIP /virtio-net/cli/tap-auto: no /dev/net/tun or no unshare -n (needs root)"
	echo "SKIP /virtio-net/cli/tap-named: no /dev/net/tun or no unshare -n"
	echo "SKIP /virtio-net/cli/no-cap-net-admin: no /dev/net/tun or no unshare -n"
	echo "SKIP /virtio-net/cli/vhost-unavailable: no /dev/net/tun or no unshare -n"
	exit 0
fi
# vhost=on where the kernel has no vhost-net: an error, never a fallback
# (where it has one, tests/linux/net.sh's NET_VHOST=1 run uses it).
if [ -e /dev/vhost-net ]; then
	echo "SKIP /virtio-net/cli/vhost-unavailable: this host has /dev/vhost-net"
else
	t /virtio-net/cli/vhost-unavailable 1 \
		'^boardvm: --net tap:bvmtest0,vhost=on: open /dev/vhost-net: No such file or directory (no vhost-net in this kernel: modprobe vhost_net' \
		unshare -n "$BOARDVM" --net tap:bvmtest0,vhost=on --flat "$HELLO"
fi
if [ ! -e /dev/kvm ]; then
	echo "SKIP /virtio-net/cli/tap-auto: no /dev/kvm"
	echo "SKIP /virtio-net/cli/tap-named: no /dev/kvm"
else
	# The guest exits with 0x21 (hello.c): status 33.
	t /virtio-net/cli/tap-auto 33 '^boardvm: virtio-net0: --net tap:auto is tap0$' \
		unshare -n "$BOARDVM" --net tap:auto --flat "$HELLO"
	t /virtio-net/cli/tap-named 33 '^stats: device virtio-net0 rx-packets=0 ' \
		unshare -n "$BOARDVM" --net virtio-net0=tap:bvmtest0 --stats \
		--flat "$HELLO"
fi
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}
if ! command -v setpriv >/dev/null; then
	echo "SKIP /virtio-net/cli/no-cap-net-admin: no setpriv"
elif ! nobody test -x "$BOARDVM" 2>/dev/null; then
	echo "SKIP /virtio-net/cli/no-cap-net-admin: uid 65534 cannot run $BOARDVM"
else
	t /virtio-net/cli/no-cap-net-admin 1 \
		'^boardvm: --net tap:bvmtest0: .*creating a tap needs CAP_NET_ADMIN' \
		unshare -n bash -c "$(declare -f nobody); nobody \"\$@\"" _ \
		"$BOARDVM" --net tap:bvmtest0 --flat "$HELLO"
fi
