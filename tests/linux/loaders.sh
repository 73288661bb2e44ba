#!/usr/bin/env bash
# The loader and MP table unit tests (linux-test), with the Debian kernel
# from scripts/guest-image.sh's cache when it is there. Never downloads:
# without the cache the real-kernel tests print SKIP.
set -u
build=${BUILD:-build}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/boardvm
args=()
# The newest cached kernel package, as guest-image.sh lays it out.
kdir=$(ls -d "$cache"/linux-image-* 2>/dev/null | sort -V | tail -n 1)
if [ -n "$kdir" ] && [ -f "$kdir/bzImage" ]; then
	args+=(--bzimage "$kdir/bzImage")
fi
if [ -n "$kdir" ] && [ -f "$kdir/vmlinux" ]; then
	args+=(--vmlinux "$kdir/vmlinux")
fi
# Any of guest-image.sh's initramfs images (named by a hash of their
# /init): the loader tests look only at where it lands. The newest.
initrd=$(ls -t "$cache"/initrd-busybox-*.img 2>/dev/null | head -n 1)
if [ -n "$initrd" ]; then
	args+=(--initrd "$initrd")
fi
exec "$build/tests/linux/linux-test" "${args[@]}"
