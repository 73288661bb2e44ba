#!/usr/bin/env bash
# boardvm --virtio-mmio-cmdline on the firecracker board: the kernel
# command line gets virtio_mmio.device=0x200@ADDR:IRQ for each virtio-mmio
# device, after --append, as boardc map places them. boardvm logs the line
# at --log-level debug before it loads the kernel, so an empty --kernel
# file (refused right after) is enough: no guest runs. The board has ACPI
# (its DSDT names the devices too): without acpi=off in --append boardvm
# warns that the guest would find each device twice. On a board without
# virtio-mmio devices (kvmtool: virtio-pci) the option is an error.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
vmm=$BUILD/firecracker/boardvm
pci_vmm=$BUILD/kvmtool/boardvm
name=/vmm/virtio-mmio-cmdline
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for v in "$vmm" "$pci_vmm"; do
	if [ ! -x "$v" ]; then
		echo "FAIL $name: $v not built (make BOARD=$(basename "$(dirname "$v")"))"
		exit 0
	fi
done
: >"$tmp/kernel"
# run_cmdline APPEND [OPTION...]: boardvm's log of the line in $tmp/line.
run_cmdline() {
	local append=$1
	shift
	"$vmm" --kernel "$tmp/kernel" --append "$append" "$@" --log-level debug \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	sed -n "s/^boardvm: --virtio-mmio-cmdline: kernel command line '\(.*\)'$/\1/p" \
		"$tmp/err" >"$tmp/line"
}
twice="DSDT names its virtio-mmio devices too; a guest that reads ACPI finds each twice (add acpi=off to --append)"

run_cmdline "console=ttyS0 acpi=off" --virtio-mmio-cmdline
want="console=ttyS0 acpi=off virtio_mmio.device=0x200@0xd0000000:5 virtio_mmio.device=0x200@0xd0001000:6"
line=$(cat "$tmp/line")
if grep -q "/dev/kvm" "$tmp/err" && [ -z "$line" ]; then
	echo "SKIP $name: no /dev/kvm: $(head -n 1 "$tmp/err")"
	exit 0
elif [ "$line" != "$want" ]; then
	echo "FAIL $name: the command line is '$line', expected '$want' (stderr: $(head -n 3 "$tmp/err" | tr '\n' '|'))"
elif grep -qF "$twice" "$tmp/err"; then
	echo "FAIL $name: warned of ACPI with acpi=off given: $(grep -F "$twice" "$tmp/err")"
else
	echo "PASS $name"
fi

# With the DSDT in use (no acpi=off; acpi=offx is not it) it is said.
run_cmdline "console=ttyS0 acpi=offx" --virtio-mmio-cmdline
if grep -qF "boardvm: --virtio-mmio-cmdline: board firecracker's $twice" "$tmp/err" &&
	[ -s "$tmp/line" ]; then
	echo "PASS $name/acpi-warning"
else
	echo "FAIL $name/acpi-warning: no warning that the DSDT names the devices too: $(head -n 3 "$tmp/err" | tr '\n' '|')"
fi

# Without the option the line is --append alone: nothing is logged.
run_cmdline "console=ttyS0"
if grep -q "virtio_mmio.device" "$tmp/err"; then
	echo "FAIL $name/off: virtio_mmio.device= without --virtio-mmio-cmdline: $(grep virtio_mmio "$tmp/err")"
else
	echo "PASS $name/off"
fi

# A board without virtio-mmio devices: exit 1, saying so, before any KVM.
"$pci_vmm" --kernel "$tmp/kernel" --virtio-mmio-cmdline </dev/null \
	>"$tmp/out" 2>"$tmp/err"
status=$?
msg="boardvm: --virtio-mmio-cmdline: board kvmtool has no virtio-mmio device (its virtio devices, if any, are on PCI)"
if [ "$status" = 1 ] && grep -qxF "$msg" "$tmp/err"; then
	echo "PASS $name/no-mmio-device"
else
	echo "FAIL $name/no-mmio-device: status $status, stderr '$(head -n 2 "$tmp/err" | tr '\n' '|')', expected 1 and '$msg'"
fi

# Without --kernel there is no command line to add to.
"$vmm" --flat "$tmp/kernel@0x100000" --virtio-mmio-cmdline </dev/null \
	>"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" = 1 ] && grep -qxF "boardvm: --virtio-mmio-cmdline needs --kernel" "$tmp/err"; then
	echo "PASS $name/needs-kernel"
else
	echo "FAIL $name/needs-kernel: status $status, stderr '$(head -n 2 "$tmp/err" | tr '\n' '|')'"
fi
