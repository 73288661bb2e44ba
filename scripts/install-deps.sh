#!/usr/bin/env bash
# Installs the Debian packages boardvm needs to build and test.
# Runs apt-get only for what is missing, so it is quick the second time.
set -euo pipefail
packages=(build-essential libyaml-dev flex bison device-tree-compiler
	  clang libclang-rt-14-dev librsvg2-bin valgrind time linux-libc-dev
	  busybox-static cpio python3 strace qemu-system-x86 kmod)
# virtio-blk's io_uring data path (devices/virtio-blk.c): liburing
# replaces the synchronous preadv/pwritev/fdatasync path.
packages+=(liburing-dev)
# The API socket (docs/api.md) and its tests.
packages+=(pkg-config libmicrohttpd-dev libjson-c-dev curl jq)
# iasl -d checks boardc's ACPI tables (tests/boardc/acpi-iasl.sh); lz4
# unpacks the cloud kernel's vmlinux (scripts/guest-image.sh).
packages+=(acpica-tools lz4)
# Man pages (tests/install/manpages.sh renders them) and the Debian
# package (dpkg-shlibdeps, dpkg-deb: tests/install/deb.sh).
packages+=(groff-base man-db dpkg-dev)
# The SVG map's labels are measured for DejaVu Sans Mono, and its test
# renders it with rsvg-convert (tests/boardc/svg-render.sh).
packages+=(fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
