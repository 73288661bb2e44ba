#!/usr/bin/env bash
# The Debian package, from `make install DESTDIR= PREFIX=/usr` with the
# standard tools: dpkg-shlibdeps for Depends (from the binaries' ELF
# needs, the way debhelper's dh_shlibdeps does it), dpkg-deb --build with
# root ownership. Run by `make deb` (packaging/install.mk); writes
# $BUILD/deb/boardvm_VERSION-1_ARCH.deb and prints its path.
#
# usage: packaging/deb.sh BUILD VERSION SANITIZE
set -euo pipefail
BUILD=$1 VERSION=$2 SANITIZE=$3
cd "$(dirname "$0")/.."
arch=$(dpkg --print-architecture)
out=$(realpath -m "$BUILD/deb")
stage=$out/root
rm -rf "$out"
mkdir -p "$stage/DEBIAN"

make -s --no-print-directory SANITIZE="$SANITIZE" install DESTDIR="$stage" \
	PREFIX=/usr MAN_GZIP=1 >&2

doc=$stage/usr/share/doc/boardvm
install -d "$doc"
install -m 644 packaging/copyright "$doc/copyright"
printf 'boardvm (%s-1) unstable; urgency=medium\n\n  * Package built from the checkout (packaging/deb.sh).\n\n -- boardvm developers <boardvm@localhost>  %s\n' \
	"$VERSION" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}")" |
	gzip -9n >"$doc/changelog.Debian.gz"

# Depends: the packages holding the libraries the ELF files need.
elfs=()
for f in "$stage"/usr/bin/*; do
	[ -L "$f" ] && continue
	head -c 4 "$f" | grep -q ELF && elfs+=(-e"$f")
done
mkdir -p "$out/shlibs/debian"
printf 'Source: boardvm\n\nPackage: boardvm\nArchitecture: any\n' \
	>"$out/shlibs/debian/control"
depends=$(cd "$out/shlibs" && dpkg-shlibdeps -O "${elfs[@]}" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb.sh: dpkg-shlibdeps found no Depends" >&2; exit 1; }
# And what they dlopen(): libmicrohttpd, by --api-sock (vmm/api-http.c),
# whose soname the VMMs carry as a string, not as a NEEDED entry.
for so in $(cat "${elfs[@]#-e}" | grep -aoE 'libmicrohttpd\.so\.[0-9]+' | sort -u); do
	# awk reads all of ldconfig's output: exiting at the first match
	# would end ldconfig with SIGPIPE, which pipefail makes fatal
	lib=$(ldconfig -p | awk -v so="$so" '$1 == so && !lib { lib = $NF } END { print lib }')
	pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | sed -E 's/[:,].*//' | head -n 1)
	[ -n "$pkg" ] || { echo "deb.sh: no package holds $so (dlopen()ed)" >&2; exit 1; }
	depends="$depends, $pkg"
done

vmms=$(cd "$stage/usr/bin" && ls -d boardvm-* | grep -vx boardvm-build | paste -sd, - | sed 's/,/, /g')
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: boardvm
Version: $VERSION-1
Architecture: $arch
Maintainer: boardvm developers <boardvm@localhost>
Installed-Size: $size
Depends: $depends
Recommends: bash-completion, make, gcc, pkg-config, libjson-c-dev, libmicrohttpd-dev, liburing-dev
Section: admin
Priority: optional
Description: KVM virtual machine monitor compiled from a board file
 A board file (YAML or device-tree source) declares the guest's machine:
 RAM regions, reserved ranges, windows and every device with its ports,
 MMIO, IRQ and PCI slot. boardc checks it and compiles it into C tables;
 each board gets its own boardvm binary holding only its devices.
 .
$(fold -s -w 71 <<<"This package holds boardc, a boardvm per shipped board ($vmms; boardvm is boardvm-pc), boardvm-build with the sources to build the VMM of any board (the Recommends), man pages and bash completion." | sed 's/ *$//; s/^/ /')
CONTROL
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) \
	>"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

deb=$out/boardvm_${VERSION}-1_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
echo "$deb"
