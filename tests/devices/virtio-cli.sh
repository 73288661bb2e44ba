#!/usr/bin/env bash
# boardvm's --disk option on the pc board (one virtio-blk-pci device):
# what is refused before any KVM or file work, with exit status 1 and a
# message naming the option, the value and what to do.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BOARDVM=$BUILD/pc/boardvm
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# t NAME WANT-STATUS STDERR-PATTERN ARGS...
t() {
	local name=$1 want=$2 pattern=$3 status
	shift 3
	"$BOARDVM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne "$want" ]; then
		echo "FAIL $name: exit status $status, expected $want; stderr: $(head -c 300 "$tmp/err")"
	elif ! grep -q -- "$pattern" "$tmp/err" "$tmp/out"; then
		echo "FAIL $name: no '$pattern' in: $(head -c 300 "$tmp/err")"
	else
		echo "PASS $name"
	fi
}

t /virtio-blk/cli/help 0 '--disk FILE\[,ro\]' --help
t /virtio-blk/cli/too-many-disks 1 \
	"^boardvm: --disk $tmp/b: board pc has 1 virtio-blk device for 2 disks" \
	--disk "$tmp/a" --disk "$tmp/b,ro" --flat "$tmp/x@0x100000"
t /virtio-blk/cli/empty-path 1 "^boardvm: --disk ',ro': expected FILE or FILE,ro" \
	--disk ,ro --flat "$tmp/x@0x100000"

# --vsock [NAME=]PATH[,cid=N] on the pc board (one virtio-vsock-pci, vsock0).
t /virtio-vsock/cli/help 0 '--vsock \[NAME=\]PATH\[,cid=N\]' --help
t /virtio-vsock/cli/two-for-one 1 \
	"^boardvm: --vsock '$tmp/b': board pc has no virtio-vsock-pci device left for it" \
	--vsock "$tmp/a" --vsock "$tmp/b" --flat "$tmp/x@0x100000"
t /virtio-vsock/cli/named-twice 1 \
	"^boardvm: --vsock 'vsock0=$tmp/b': vsock0 already has a --vsock" \
	--vsock "vsock0=$tmp/a" --vsock "vsock0=$tmp/b" --flat "$tmp/x@0x100000"
t /virtio-vsock/cli/host-cid 1 \
	"^boardvm: --vsock '$tmp/a,cid=2': cid=2: expected a number from 3 to 4294967294" \
	--vsock "$tmp/a,cid=2" --flat "$tmp/x@0x100000"
t /virtio-vsock/cli/unknown-option 1 \
	"^boardvm: --vsock '$tmp/a,mode=x': unknown option 'mode=x'" \
	--vsock "$tmp/a,mode=x" --flat "$tmp/x@0x100000"
t /virtio-vsock/cli/empty-path 1 "^boardvm: --vsock 'vsock0=': expected \[NAME=\]PATH" \
	--vsock "vsock0=" --flat "$tmp/x@0x100000"
