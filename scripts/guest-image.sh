#!/usr/bin/env bash
# Fetches a stock Debian kernel and builds a busybox initramfs for it.
#
#   scripts/guest-image.sh [--flavour amd64|cloud-amd64] [--cache DIR]
#                          [--offline]
#
# Prints the paths of what it made (bzImage, vmlinux, initrd) as shell
# assignments. Everything lives in the cache (default
# ${XDG_CACHE_HOME:-~/.cache}/boardvm), never in the git tree; a second run
# reuses it. Uses apt-get download + dpkg -x: no root needed for the kernel
# (busybox-static must be installed, scripts/install-deps.sh does it).
# --offline (or BOARDVM_IMAGE_OFFLINE=1) uses the newest kernel package
# already in the cache and never calls apt; the cache records no absolute
# path, so a copy of it works in another folder or inside a VM.
#
# The initramfs /init prints a marker, /proc/iomem, /proc/ioports,
# /proc/interrupts, the CPU count and the PCI functions (slot, vendor,
# device, BAR0 line of sysfs resource), then powers off, or starts a shell
# when the kernel command line has boardvm.shell=1. With boardvm.disktest=1
# it loads the virtio-blk modules (copied from the kernel package), writes
# a pattern to /dev/vda and reads it back: "boardvm-init: disk ok" or
# "boardvm-init: disk bad (...)".
set -euo pipefail

flavour=amd64
cache=${XDG_CACHE_HOME:-$HOME/.cache}/boardvm
offline=${BOARDVM_IMAGE_OFFLINE:-}
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) flavour=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--offline) offline=1; shift ;;
	-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "guest-image.sh: unknown argument '$1' (try --help)" >&2; exit 1 ;;
	esac
done

die() { echo "guest-image.sh: $*" >&2; exit 1; }

# linux-image-amd64 is a metapackage: resolve the versioned image package.
resolve_kernel_package() {
	if [ -n "$offline" ]; then
		ls "$cache" 2>/dev/null |
			grep -E "^linux-image-[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-$flavour\$" |
			sort -V | tail -n 1
		return
	fi
	apt-cache depends "linux-image-$flavour" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

fetch_kernel() {
	local pkg=$1 dir=$cache/$pkg
	if [ -f "$dir/bzImage" ]; then
		return
	fi
	[ -z "$offline" ] || die "--offline: $dir/bzImage is not in the cache"
	mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download "$pkg" >/dev/null) ||
		die "apt-get download $pkg failed (run apt-get update?)"
	dpkg -x "$dir"/deb/*.deb "$dir/root"
	cp "$dir"/root/boot/vmlinuz-* "$dir/bzImage"
	rm -rf "$dir/deb"
}

# The payload of a bzImage is a compressed ELF vmlinux (with the PVH note
# where the kernel has CONFIG_PVH): find the compressed stream and unpack.
extract_vmlinux() {
	local img=$1 out=$2 magic tool off
	[ -f "$out" ] && return
	for magic in 'xz:\3757zXZ\000' 'zstd:(\265/\375' 'gzip:\037\213\010'; do
		tool=${magic%%:*}
		for off in $(LC_ALL=C grep -obUaP "$(printf '%b' "${magic#*:}" |
				od -An -tx1 | sed 's/ /\\x/g')" "$img" |
				cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | $tool -dc 2>/dev/null >"$out.tmp" || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return
			fi
		done
	done
	rm -f "$out.tmp"
	die "could not find a compressed vmlinux inside $img"
}

# The virtio-blk driver and what it needs, in load order (Debian builds
# them as modules; /init insmods them from /lib/modules for the disk test).
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
virtio_pci virtio_blk"

build_initrd() {
	local out=$1 kdir=$2 root stamp m f
	# Rebuilt when /init or the kernel changes (kept beside the image).
	stamp=$(printf '%s\nmodules: %s from %s\n' "$INIT" "$MODULES" "${kdir##*/}")
	[ -f "$out" ] && [ "$(cat "$out.init" 2>/dev/null)" = "$stamp" ] && return
	command -v busybox >/dev/null ||
		die "busybox-static is not installed (run scripts/install-deps.sh)"
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
	cp "$(command -v busybox)" "$root/bin/busybox"
	for applet in sh cat grep mount poweroff reboot echo nproc sleep \
		printf dd insmod sync blockdev tr; do
		ln -s busybox "$root/bin/$applet"
	done
	for m in $MODULES; do
		f=$(find "$kdir"/root/lib/modules -name "$m.ko" | head -n 1)
		[ -n "$f" ] || die "no $m.ko under $kdir/root/lib/modules"
		cp "$f" "$root/lib/modules/"
	done
	printf '%s\n' "$INIT" >"$root/init"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 >"$out"
	printf '%s\n' "$stamp" >"$out.init"
	rm -rf "$root"
}

# The initramfs's /init. poweroff -f without ACPI halts every CPU with
# interrupts off, which ends boardvm (status 0); if it ever returns, a
# write of 0 to the pc board's debug-exit port (0x501) ends it instead.
INIT=$(cat <<'INIT'
#!/bin/sh
# disktest: /dev/vda gets a pattern at sectors 0 and 2048, synced and read
# back past the page cache; the host checks its file afterwards.
disktest() {
	local m s got i=0
	for m in virtio_ring virtio virtio_pci_modern_dev \
		virtio_pci_legacy_dev virtio_pci virtio_blk; do
		insmod /lib/modules/$m.ko || echo "boardvm-init: insmod $m failed"
	done
	while [ ! -b /dev/vda ] && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done
	if [ ! -b /dev/vda ]; then
		echo "boardvm-init: disk bad (no /dev/vda)"
		return
	fi
	echo "boardvm-init: disk sectors $(cat /sys/block/vda/size)"
	for s in 0 2048; do
		printf 'boardvm-disktest-%s' $s |
			dd of=/dev/vda bs=512 seek=$s conv=notrunc,sync,fsync 2>/dev/null
	done
	sync
	blockdev --flushbufs /dev/vda
	echo 3 >/proc/sys/vm/drop_caches
	for s in 0 2048; do
		got=$(dd if=/dev/vda bs=512 skip=$s count=1 2>/dev/null | tr -d '\000')
		if [ "$got" != "boardvm-disktest-$s" ]; then
			echo "boardvm-init: disk bad (sector $s reads '$got')"
			return
		fi
	done
	echo "boardvm-init: disk ok"
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "boardvm-init: started"
echo "boardvm-init: iomem begin"; cat /proc/iomem; echo "boardvm-init: iomem end"
echo "boardvm-init: ioports begin"; cat /proc/ioports; echo "boardvm-init: ioports end"
echo "boardvm-init: interrupts begin"; cat /proc/interrupts; echo "boardvm-init: interrupts end"
echo "boardvm-init: cpus $(grep -c ^processor /proc/cpuinfo)"
echo "boardvm-init: pci begin"
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/vendor" ] || continue
	read -r bar0 <"$d/resource"
	echo "${d##*/} $(cat "$d/vendor") $(cat "$d/device") $bar0"
done
echo "boardvm-init: pci end"
if grep -q 'boardvm.disktest=1' /proc/cmdline; then
	disktest
fi
if grep -q 'boardvm.shell=1' /proc/cmdline; then
	exec /bin/sh
fi
echo "boardvm-init: done"
poweroff -f
printf '\0' | dd of=/dev/port bs=1 seek=1281 count=1 2>/dev/null
INIT
)

pkg=$(resolve_kernel_package)
if [ -z "$pkg" ] && [ -n "$offline" ]; then
	die "--offline: no linux-image-*-$flavour package in $cache"
fi
[ -n "$pkg" ] || die "cannot resolve linux-image-$flavour (run apt-get update)"
mkdir -p "$cache"
fetch_kernel "$pkg"
extract_vmlinux "$cache/$pkg/bzImage" "$cache/$pkg/vmlinux"
# -v2: /init lists PCI and tests the disk, with modules of this kernel.
build_initrd "$cache/initrd-busybox-v2.img" "$cache/$pkg"
echo "BZIMAGE=$cache/$pkg/bzImage"
echo "VMLINUX=$cache/$pkg/vmlinux"
echo "INITRD=$cache/initrd-busybox-v2.img"
