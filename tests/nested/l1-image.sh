#!/usr/bin/env bash
# Builds the L1 initramfs of the nested-KVM harness: everything a Linux
# guest needs to run boardvm's Linux tests on a /dev/kvm with real
# hardware-virtualization semantics, from Debian packages only.
#
#   tests/nested/l1-image.sh OUT.cpio
#
# It holds:
#   - busybox (busybox-static) with its applets, and bash with the
#     libraries ldd names (the test scripts are bash);
#   - kvm-amd.ko and what it depends on (scripts/module-order.sh), in load
#     order in /nested/modules, from the kernel package scripts/guest-image.sh
#     fetched (the same stock kernel boots L1 and L2);
#   - /repo: the built boardc and boardvm (BUILD, default build) with their
#     libraries, boards/, scripts/guest-image.sh and the tests/lib, tests/linux and
#     tests/nested scripts, so the tests run there as in a checkout;
#   - /cache/boardvm: the L2 images (bzImage, vmlinux, initrd) as
#     scripts/guest-image.sh --offline finds them;
#   - /init (tests/nested/l1-init.sh);
#   - what a caller adds: NESTED_BINS (host programs, with their
#     libraries, in /bin), NESTED_FILES (host files or folders, links
#     followed, at the same paths), NESTED_MODULES (more kernel modules).
# The archive is an uncompressed newc cpio: L1 runs under TCG, where
# unpacking is cheap and decompressing is not.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
out=${1:?usage: l1-image.sh OUT.cpio}

die() { echo "l1-image.sh: $*" >&2; exit 1; }

images=$(scripts/guest-image.sh) || die "scripts/guest-image.sh failed"
bzimage=$(echo "$images" | sed -n 's/^BZIMAGE=//p')
vmlinux=$(echo "$images" | sed -n 's/^VMLINUX=//p')
initrd=$(echo "$images" | sed -n 's/^INITRD=//p')
kdir=$(dirname "$bzimage")
cache=$(dirname "$kdir")

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,lib,lib64,proc,sys,dev,tmp,run,nested/ko,repo,usr} \
	"$root/cache/boardvm/${kdir##*/}"

# copy_bin FILE DEST: FILE and every library ldd names, at their paths.
copy_bin() {
	local file=$1 dest=$2 lib
	install -D -m 755 "$file" "$root/$dest"
	for lib in $(ldd "$file" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root/$lib" ] || install -D -m 755 "$lib" "$root/$lib"
	done
}

command -v busybox >/dev/null || die "busybox-static is not installed (scripts/install-deps.sh)"
cp "$(command -v busybox)" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
copy_bin "$(command -v bash)" bin/bash
# Scripts name /usr/bin/env and /usr/bin/bash: one bin folder serves both.
ln -s ../bin "$root/usr/bin"
ln -s ../sbin "$root/usr/sbin"

# kvm-amd and what it needs (NESTED_MODULES adds more), in load order.
modules=$(scripts/module-order.sh "$kdir/root/lib/modules" \
	kvm-amd ${NESTED_MODULES:-}) || die "scripts/module-order.sh failed"
for f in $modules; do
	cp "$f" "$root/nested/ko/"
	f=${f##*/}
	echo "${f%.ko}"
done >"$root/nested/modules"

for b in ${NESTED_BINS:-}; do
	f=$(command -v "$b") || die "NESTED_BINS: $b not found"
	copy_bin "$f" "bin/${f##*/}"
done
for f in ${NESTED_FILES:-}; do
	[ -e "$f" ] || die "NESTED_FILES: $f not found"
	mkdir -p "$root/$(dirname "$f")"
	cp -rL "$f" "$root/$f"
done

# The checkout subset the Linux tests run in.
[ -x "$BUILD/pc/boardvm" ] || die "$BUILD/pc/boardvm not built (make BOARD=pc)"
[ -x "$BUILD/boardc/boardc" ] || die "$BUILD/boardc/boardc not built (make boardc)"
for vmm in "$BUILD"/*/boardvm; do
	copy_bin "$vmm" "repo/$vmm"
done
copy_bin "$BUILD/boardc/boardc" "repo/$BUILD/boardc/boardc"
# L1's holder of KVM's static keys (kvm-hold.c), static.
[ -x "$BUILD/tests/nested/kvm-hold" ] ||
	die "$BUILD/tests/nested/kvm-hold not built (make $BUILD/tests/nested/kvm-hold)"
install -D -m 755 "$BUILD/tests/nested/kvm-hold" "$root/nested/kvm-hold"
# The static programs of the vsock test and the disk benchmark
# (guest-image.sh hashes vsock-echo and disk-read into the L2 image's name).
for f in "$BUILD"/tests/linux/vsock-echo "$BUILD"/tests/linux/vsock-host \
	 "$BUILD"/tests/linux/disk-read; do
	[ ! -x "$f" ] || install -D -m 755 "$f" "$root/repo/$f"
done
mkdir -p "$root/repo/scripts" "$root/repo/tests"
cp -r boards "$root/repo/"
cp scripts/guest-image.sh scripts/module-order.sh "$root/repo/scripts/"
cp -r tests/lib tests/linux tests/nested "$root/repo/tests/"
mkdir -p "$root/repo/bench"
cp -r bench/nested "$root/repo/bench/"
[ ! -d "$BUILD/bench/nested" ] || cp -r --parents "$BUILD/bench/nested" "$root/repo/"

# The L2 images, where guest-image.sh --offline looks for them; the cloud
# kernel's too when the host's cache has it (full-boot's cloud test).
cp "$bzimage" "$vmlinux" "$root/cache/boardvm/${kdir##*/}/"
cp "$initrd" "$initrd.init" "$root/cache/boardvm/"
if cloud=$(scripts/guest-image.sh --offline --flavour cloud-amd64 2>/dev/null); then
	for v in BZIMAGE VMLINUX; do
		f=$(echo "$cloud" | sed -n "s/^$v=//p")
		mkdir -p "$root/cache/boardvm/$(basename "$(dirname "$f")")"
		cp "$f" "$root/cache/boardvm/$(basename "$(dirname "$f")")/"
	done
	f=$(echo "$cloud" | sed -n 's/^INITRD=//p')
	cp "$f" "$f.init" "$root/cache/boardvm/"
fi

install -m 755 tests/nested/l1-init.sh "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
