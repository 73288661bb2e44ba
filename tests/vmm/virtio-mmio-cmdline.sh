#!/usr/bin/env bash
# boardvm --virtio-mmio-cmdline on the kvmtool board (no ACPI): the kernel
# command line gets virtio_mmio.device=0x200@ADDR:IRQ for each virtio-mmio
# device, after --append, as boardc map places them. boardvm logs the line
# at --log-level debug before it loads the kernel, so an empty --kernel
# file (refused right after) is enough: no guest runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
vmm=$BUILD/kvmtool/boardvm
name=/vmm/virtio-mmio-cmdline
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$vmm" ]; then
	echo "FAIL $name: $vmm not built (make BOARD=kvmtool)"
	exit 0
fi
: >"$tmp/kernel"
"$vmm" --kernel "$tmp/kernel" --append "console=ttyS0" --virtio-mmio-cmdline \
	--log-level debug </dev/null >"$tmp/out" 2>"$tmp/err"
want="console=ttyS0 virtio_mmio.device=0x200@0xd3000000:5 virtio_mmio.device=0x200@0xd3000200:6 virtio_mmio.device=0x200@0xd3000400:7"
line=$(sed -n "s/^boardvm: --virtio-mmio-cmdline: kernel command line '\(.*\)'$/\1/p" "$tmp/err")
if grep -q "/dev/kvm" "$tmp/err" && [ -z "$line" ]; then
	echo "SKIP $name: no /dev/kvm: $(head -n 1 "$tmp/err")"
elif [ "$line" = "$want" ]; then
	echo "PASS $name"
else
	echo "FAIL $name: the command line is '$line', expected '$want' (stderr: $(head -n 3 "$tmp/err" | tr '\n' '|'))"
fi
# Without the option the line is --append alone: nothing is logged.
"$vmm" --kernel "$tmp/kernel" --append "console=ttyS0" --log-level debug \
	</dev/null >"$tmp/out" 2>"$tmp/err"
if grep -q "virtio_mmio.device" "$tmp/err"; then
	echo "FAIL $name/off: virtio_mmio.device= without --virtio-mmio-cmdline: $(grep virtio_mmio "$tmp/err")"
else
	echo "PASS $name/off"
fi
