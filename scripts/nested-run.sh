#!/usr/bin/env bash
# Linux on the pc board, nested: for hosts without hardware
# virtualization (no vmx/svm), where KVM cannot run Linux userspace.
#
#   scripts/nested-run.sh [--bzimage] [--mem SIZE] [--cpus N]
#
# Boots an L1 Linux guest under QEMU's TCG with emulated AMD SVM
# (tests/nested/run.sh), whose kvm-amd gives a /dev/kvm with real
# hardware-virtualization semantics; there build/pc/boardvm boots the
# stock Debian kernel (the L2 guest; its vmlinux through PVH, or with
# --bzimage its bzImage) to a busybox shell on this terminal: L2's ttyS0
# through boardvm, through L1's serial port, through QEMU's stdio.
# exit or Ctrl-D in that shell powers L2 off, then L1 and QEMU; Ctrl-A x
# ends QEMU at once. When stdin is not a terminal there is no one to type
# exit: L2's /init runs to its end without a shell and powers off.
# Defaults: --mem 512M --cpus 2. L2 runs without the CPUID hypervisor bit
# (--cpuid-hide default,hypervisor), as the nested tests do: with KVM's
# paravirtual features the nested L1 dies too often (docs/nested.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
kernel=VMLINUX mem=512M cpus=2
while [ $# -gt 0 ]; do
	case $1 in
	--bzimage) kernel=BZIMAGE; shift ;;
	--mem) mem=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "nested-run.sh: unknown argument '$1' (try --help)" >&2; exit 1 ;;
	esac
done
command -v qemu-system-x86_64 >/dev/null || {
	echo "nested-run.sh: qemu-system-x86_64 not found (scripts/install-deps.sh installs qemu-system-x86)" >&2
	exit 1
}
[ -x "$BUILD/pc/boardvm" ] || { echo "nested-run.sh: $BUILD/pc/boardvm not built (make)" >&2; exit 1; }
[ -x "$BUILD/tests/nested/kvm-hold" ] || {
	echo "nested-run.sh: $BUILD/tests/nested/kvm-hold, which L1 runs, not built (make $BUILD/tests/nested/kvm-hold, or make run-nested)" >&2
	exit 1
}

shell=1 until="to a busybox shell on this terminal"
if [ ! -t 0 ]; then
	shell=0 until="to the end of its /init (stdin is not a terminal: no shell)"
fi

cat <<TEXT
==============================================================================
 Nested: this host has no hardware virtualization, so boardvm runs one level
 down. QEMU (TCG, pure software, emulating AMD SVM) boots an L1 Linux whose
 kvm-amd gives a real /dev/kvm; there boardvm boots Linux (L2, the same
 Debian kernel, --mem $mem --cpus $cpus) $until.
 L1 takes about 10 s, L2 about 10-40 s more. exit or Ctrl-D powers all off;
 Ctrl-A x stops QEMU at once.
==============================================================================
TEXT
BUILD=$BUILD exec tests/nested/run.sh --interactive -- bash -c '
	eval "$(scripts/guest-image.sh)"
	echo "L1: build/pc/boardvm --kernel ${'"$kernel"'##*/} --mem '"$mem"' --cpus '"$cpus"' --cpuid-hide default,hypervisor"
	'"$BUILD"'/pc/boardvm --kernel "$'"$kernel"'" --initrd "$INITRD" \
		--mem '"$mem"' --cpus '"$cpus"' --cpuid-hide default,hypervisor \
		--append "console=ttyS0 panic=-1 quiet boardvm.shell='"$shell"' boardvm.virtio=1"
	echo "L1: boardvm exited with status $?; powering off L1"'
