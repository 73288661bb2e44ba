#!/usr/bin/env bash
# The README's first command: from a fresh Debian 12 checkout to a booted
# guest and the board tour, in five steps (six without vmx/svm).
#
#   scripts/quickstart.sh [--boot-timeout SECONDS]
#
#   1. scripts/install-deps.sh    Debian packages, only those missing
#   2. make -j2                   boardc and build/pc/boardvm
#   3. scripts/guest-image.sh     a Debian kernel and a busybox initrd,
#                                 cached in ~/.cache/boardvm
#   4. boot that kernel on the pc board, serial console on this terminal,
#      bounded by --boot-timeout (default 180 s): the bzImage on a host
#      with hardware virtualization; without it the same kernel's vmlinux
#      through its PVH entry, since a bzImage would spend minutes
#      decompressing itself in KVM's instruction emulator
#   5. make demo                  a guest of ours tours the pc board
#   6. on a host without hardware virtualization: the same Linux booted
#      by boardvm inside a QEMU TCG guest with emulated SVM
#      (make run-nested: scripts/nested-run.sh), to a busybox shell on this terminal;
#      exit or Ctrl-D powers it off
#
# Every step is skipped or quick when its work is already done, so a
# second run costs the boot and the demo only. Exit status: 0 when every
# step ran (the boot may legitimately stop early, see step 4), 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

boot_timeout=180
while [ $# -gt 0 ]; do
	case $1 in
	--boot-timeout)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || {
			echo "quickstart.sh: --boot-timeout needs a number of" \
			     "seconds, e.g. --boot-timeout 600" >&2
			exit 1
		}
		boot_timeout=$2
		shift 2 ;;
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "quickstart.sh: unknown argument '$1' (try --help)" >&2
	   exit 1 ;;
	esac
done

step() { printf '\n==> %s\n' "$*"; }
die() { echo "quickstart.sh: $*" >&2; exit 1; }

step "1/6 packages (scripts/install-deps.sh)"
scripts/install-deps.sh || die "installing packages failed (see above)"

step "2/6 build (make -j2)"
make --no-print-directory -j2 || die "the build failed (see above)"

step "3/6 guest image (scripts/guest-image.sh)"
image=$(scripts/guest-image.sh) || die "fetching the guest image failed"
BZIMAGE= VMLINUX= INITRD=
eval "$image"
[ -f "$BZIMAGE" ] && [ -f "$VMLINUX" ] && [ -f "$INITRD" ] ||
	die "scripts/guest-image.sh gave no kernel or initrd: $image"
echo "$image"

step "4/6 boot Linux on the pc board"
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	die "/dev/kvm is missing or not read/writable by $(id -un): load" \
	    "kvm_intel or kvm_amd, or add yourself to the kvm group, then" \
	    "run this again"
fi
if grep -Eqw 'vmx|svm' /proc/cpuinfo; then
	kernel=$BZIMAGE
	cat <<'TEXT'
This host has hardware virtualization: expect Linux to boot to the busybox
/init, which prints /proc/iomem, /proc/ioports and /proc/interrupts (the
same map as `build/boardc/boardc map boards/pc.yaml`) and powers off.
TEXT
else
	kernel=$VMLINUX
	cat <<'TEXT'
This host has no hardware virtualization: expect the kernel's early log,
then a stop the VMM explains.
(Guest kernel code runs in KVM's instruction emulator here: the first line
takes a minute or more, and the kernel boots from its vmlinux through the
PVH entry, as its bzImage would spend minutes decompressing itself.)
TEXT
fi
echo "Stopped after ${boot_timeout} s if still running (--boot-timeout N" \
     "to change that)."
cmd=(build/pc/boardvm --kernel "$kernel" --initrd "$INITRD"
     --append "console=ttyS0 earlyprintk=serial panic=-1")
echo "+ ${cmd[*]}"
echo
timeout -k 5 "$boot_timeout" "${cmd[@]}" </dev/null
status=$?
echo
case $status in
0) echo "boardvm: the guest powered off (exit status 0)." ;;
124|137)
	echo "quickstart.sh: stopped the boot after ${boot_timeout} s, as" \
	     "announced (--boot-timeout N to wait longer)." ;;
5) echo "boardvm stopped the guest on an instruction this host's KVM" \
	"cannot run (exit status 5), as expected here: why is just above." ;;
*) echo "boardvm exited with status $status: its explanation is just" \
	"above (exit statuses: build/pc/boardvm --help)." ;;
esac

step "5/6 the board tour (make demo)"
make --no-print-directory demo || die "make demo failed (see above)"

if ! grep -Eqw 'vmx|svm' /proc/cpuinfo; then
	step "6/6 Linux to a shell, nested (make run-nested)"
	if command -v qemu-system-x86_64 >/dev/null; then
		# make builds what L1 needs besides boardvm (kvm-hold), then
		# runs scripts/nested-run.sh.
		make --no-print-directory run-nested ||
			die "the nested boot failed (see above)"
	else
		echo "qemu-system-x86_64 is missing (scripts/install-deps.sh installs it): no nested boot"
	fi
fi

cat <<'TEXT'

Done. Next: make test (the whole suite), then docs/board-format.md
(write your own board); scripts/nested-run.sh (or make run-nested) boots
Linux to a shell again on a host without vmx/svm.
TEXT
