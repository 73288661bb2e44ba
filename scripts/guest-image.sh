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
# device, BAR0 line of sysfs resource), then powers off. Its kernel
# command line switches (boardvm.virtio, .disktest, .end, .shell) are
# described at the top of the INIT script below.
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
	# lz4: the legacy frame Debian's cloud kernel uses.
	for magic in 'xz:\3757zXZ\000' 'zstd:(\265/\375' 'gzip:\037\213\010' 'lz4:\002!L\030'; do
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

# The virtio drivers (Debian builds them as modules) and what they need,
# in load order (scripts/module-order.sh): /init insmods them from
# /lib/modules in the order of /lib/modules/order.
MODULES="virtio_pci virtio_mmio virtio_blk virtio_rng virtio_console virtio_net vmw_vsock_virtio_transport"
# The guest's own programs (tests/linux/vsock-echo.c, disk-read.c, built
# static by make): in /bin when they are built; their hashes are part of
# the image's name.
GUEST_PROGS="vsock-echo disk-read"
guest_prog() { echo "$(dirname "$0")/../${BUILD:-build}/tests/linux/$1"; }
# The power button (ACPI's fixed button, which boardvm presses on
# SIGTERM) and evdev, through which /init sees its KEY_POWER: loaded by
# every boot from /lib/modules/button-order, unless built in.
BUTTON_MODULES="button evdev"

# modules_for KDIR ORDER-FILE MODULE...: copy the modules (not built into
# that kernel) and their dependencies into $root/lib/modules, in load
# order, and list them in ORDER-FILE.
modules_for() {
	local kdir=$1 order=$2 m want=() f
	shift 2
	for m in "$@"; do
		grep -q "/${m}\.ko\$" "$kdir"/root/lib/modules/*/modules.builtin ||
			want+=("$m")
	done
	: >"$order"
	[ ${#want[@]} -gt 0 ] || return 0
	f=$("$(dirname "$0")/module-order.sh" "$kdir/root/lib/modules" "${want[@]}") ||
		die "modules ${want[*]} not found in ${kdir##*/}"
	for f in $f; do
		cp "$f" "$root/lib/modules/"
		f=${f##*/}
		echo "${f%.ko}" >>"$order"
	done
}

# initrd_stamp KDIR: what an initramfs is built from (/init, the module
# lists, the kernel package); kept beside the image as NAME.init.
initrd_stamp() {
	printf '%s\nmodules: %s, %s from %s\n' "$INIT" "$MODULES" \
		"$BUTTON_MODULES" "${1##*/}"
	for p in $GUEST_PROGS; do
		[ ! -f "$(guest_prog "$p")" ] || sha256sum <"$(guest_prog "$p")"
	done
}

build_initrd() {
	local out=$1 kdir=$2 root stamp f
	stamp=$(initrd_stamp "$kdir")
	[ -f "$out" ] && [ "$(cat "$out.init" 2>/dev/null)" = "$stamp" ] && return
	command -v busybox >/dev/null ||
		die "busybox-static is not installed (run scripts/install-deps.sh)"
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
	cp "$(command -v busybox)" "$root/bin/busybox"
	for applet in sh cat grep mount poweroff reboot echo nproc sleep \
		printf dd insmod sync blockdev tr od head setsid cttyhack \
		timeout dmesg ip ifconfig ping wget httpd sha256sum rmmod cut wc \
		rm awk; do
		ln -s busybox "$root/bin/$applet"
	done
	# shellcheck disable=SC2086
	modules_for "$kdir" "$root/lib/modules/order" $MODULES
	# shellcheck disable=SC2086
	modules_for "$kdir" "$root/lib/modules/button-order" $BUTTON_MODULES
	for f in $GUEST_PROGS; do
		[ ! -f "$(guest_prog "$f")" ] ||
			install -m 755 "$(guest_prog "$f")" "$root/bin/$f"
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
# Kernel command line switches (all optional):
#   boardvm.virtio=1    load the virtio drivers first (so /proc/interrupts
#                       shows their vectors), read /dev/hwrng, write to
#                       /dev/hvc0
#   boardvm.disktest=1  /dev/vda: print the host's pattern at sector 4096,
#                       write one at sectors 0 and 2048, read them back
#   boardvm.end=poweroff|reboot|reboot-once|wait   how /init ends
#                       (reboot-once: reboot unless the disk says it did,
#                       then power off; wait: until the power button)
# Every boot loads the power-button drivers and powers off on a press of
# the ACPI power button (boardvm presses it on SIGTERM): Linux only
# reports KEY_POWER on the "Power Button" input device, so /init reads
# that device's events and runs poweroff -f itself.
#   boardvm.shell=1     an interactive shell first (exit or Ctrl-D ends it)
#   boardvm.nettest=1   eth0 as 10.0.2.15/24 on the host's tap 10.0.2.1
#                       (tests/linux/net.sh): ping it, fetch its 64 MiB
#                       :8080/big.bin, post 8 MiB to /cgi-bin/upload, wait
#                       for its ping (:8080/pinged), link down/up, reload
#                       virtio_net; "net ..." lines say how each went
#   boardvm.netbench=N  eth0 as above, then N MiB posted to the host's
#                       :8080/cgi-bin/sink between "net bench start" and
#                       "net bench end" (bench/nested/net.sh)
#   boardvm.diskbench=N /dev/vda: N blocks of 4 KiB read in order, then N
#                       at random, O_DIRECT (disk-read), between "disk
#                       bench seq|rand start" and "... end" lines
#                       (bench/nested/disk.sh)
#   boardvm.vsocktest=1 (tests/linux/vsock.sh) vsock-echo serves port 5000
#                       in the background; "vsock call ..." is what the
#                       host's listener on port 6000 answered
say() { echo "boardvm-init: $*"; }
arg() { sed -n "s/.*boardvm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
load_virtio() {
	local m
	for m in $(cat /lib/modules/order); do
		insmod /lib/modules/$m.ko || say "insmod $m failed"
	done
}
# power_button: load its drivers, open the "Power Button" device and, in
# the background, read its events (struct input_event on x86-64: 16 bytes
# of time, u16 type, u16 code, s32 value) until KEY_POWER (EV_KEY 1, code
# 116) goes down, then power off. Everything but the wait is done here, so
# the background reader never prints into the middle of /init's output.
power_button() {
	local m d ev=
	for m in $(cat /lib/modules/button-order); do
		insmod /lib/modules/$m.ko || say "insmod $m failed"
	done
	for d in /sys/class/input/event*; do
		[ "$(cat "$d/device/name" 2>/dev/null)" = "Power Button" ] &&
			ev=/dev/input/${d##*/}
	done
	if [ -z "$ev" ] || ! wait_for "$ev" ||
	   ! { command exec 3<"$ev"; } 2>/dev/null; then
		say "power button: none (input devices: $(cat /sys/class/input/*/name 2>/dev/null | tr '\n' ,))"
		return
	fi
	say "power button: listening on $ev"
	{
		while :; do
			set -- $(dd bs=24 count=1 2>/dev/null | od -An -tu2)
			[ "$9 ${10} ${11}" = "1 116 1" ] && break
			[ $# -gt 0 ] || sleep 1		# no event: not evdev
		done
		say "power button pressed: powering off"
		poweroff -f
	} <&3 &
	exec 3<&-
}
# wait_for PATH: at most 60 s (a loaded nested host is slow to probe).
wait_for() {
	local i=0
	while [ ! -e "$1" ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
	[ -e "$1" ]
}
# console_drain: wait (at most 60 s) until ttyS0's transmit count stops
# growing, i.e. the UART has sent what was written to the console.
console_tx() { sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial; }
console_drain() {
	local i=0 now last
	last=$(console_tx)
	while [ $i -lt 300 ]; do
		sleep 0.2
		now=$(console_tx)
		[ "$now" = "$last" ] && return
		last=$now i=$((i + 1))
	done
}
virtio_use() {
	if wait_for /dev/hwrng; then
		say "hwrng $(timeout 10 dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
	else
		say "hwrng missing"
	fi
	if wait_for /dev/hvc0 && echo "boardvm-hvc0: hello from the guest" |
			timeout 10 dd of=/dev/hvc0 2>/dev/null; then
		say "hvc0 written"
	else
		say "hvc0 missing"
	fi
}
# disktest: the host's pattern at sector 4096 is read; then /dev/vda gets
# a pattern at sectors 0 and 2048, synced and read back past the page
# cache; the host checks its file afterwards.
disktest() {
	local s got
	if ! wait_for /dev/vda; then
		say "disk bad (no /dev/vda)"
		return
	fi
	say "disk sectors $(cat /sys/block/vda/size)"
	say "disk host-pattern '$(dd if=/dev/vda bs=512 skip=4096 count=1 2>/dev/null | tr -d '\000')'"
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
			say "disk bad (sector $s reads '$got')"
			return
		fi
	done
	say "disk ok"
}
# nettest (boardvm.nettest=1): see the switches above.
net_up() {
	wait_for /sys/class/net/eth0 && ip addr add 10.0.2.15/24 dev eth0 &&
		ip link set eth0 up
}
net_ping() {
	local i=0
	until ping -c 1 -W 2 10.0.2.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 30 ] || return 1
	done
}
net_ok() { if "$@"; then echo ok; else echo bad; fi; }
net_wait_pinged() {
	local i=0
	until wget -q -O /dev/null "$1/pinged" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 120 ] || return 1
		sleep 1
	done
}
nettest() {
	local h=http://10.0.2.1:8080
	if ! net_up; then
		say "net bad (no eth0: $(ls /sys/class/net | tr '\n' ' '))"
		return
	fi
	say "net features $(cat /sys/class/net/eth0/device/features)"
	say "net ping $(net_ok net_ping)"
	if timeout 900 wget -q -O /net-big "$h/big.bin"; then
		say "net download $(sha256sum </net-big | cut -d' ' -f1) $(wc -c </net-big)"
	else
		say "net download bad"
	fi
	rm -f /net-big
	# busybox wget posts the file as a C string: no NUL bytes in it.
	dd if=/dev/urandom bs=1M count=8 2>/dev/null | tr '\000' '\001' >/net-up
	say "net upload-sent $(sha256sum </net-up | cut -d' ' -f1)"
	say "net upload-reply $(timeout 600 wget -q -O - --post-file=/net-up "$h/cgi-bin/upload")"
	rm -f /net-up
	say "net host-ping $(net_ok net_wait_pinged "$h")"
	ip link set eth0 down
	ip link set eth0 up
	say "net relink $(net_ok net_ping)"
	rmmod virtio_net && insmod /lib/modules/virtio_net.ko && net_up
	say "net reload $(net_ok net_ping)"
}
# net_counts: what the guest's own counters say about the transfer, the
# same on every VMM: eth0's frames and bytes each way and the virtio
# interrupts per vector name (virtioN-input.0, -output.0, -config).
net_counts() {
	local d=/sys/class/net/eth0/statistics
	say "net bench counts tx_packets=$(cat $d/tx_packets) tx_bytes=$(cat $d/tx_bytes)" \
		"rx_packets=$(cat $d/rx_packets) rx_bytes=$(cat $d/rx_bytes)" \
		"$(awk '/virtio/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i;
			printf "%s=%d ", $NF, n }' /proc/interrupts)"
}
netbench() {
	if ! net_up || ! net_ping; then
		say "net bench bad (no eth0 or no ping)"
		return
	fi
	dd if=/dev/zero bs=1M count="$1" 2>/dev/null | tr '\000' x >/net-bench
	say "net bench start"
	if timeout 900 wget -q -O /dev/null --post-file=/net-bench \
			http://10.0.2.1:8080/cgi-bin/sink; then
		say "net bench end"
		net_counts
	else
		say "net bench bad"
	fi
	rm -f /net-bench
}
diskbench() {
	local how
	if ! wait_for /dev/vda; then
		say "disk bench bad (no /dev/vda)"
		return
	fi
	for how in seq rand; do
		say "disk bench $how start"
		if disk-read /dev/vda "$how" "$1"; then
			say "disk bench $how end"
		else
			say "disk bench $how bad"
		fi
	done
}
# reboot_once: the first boot marks sector 8192 and sets end=reboot, the
# second sees the mark and sets end=poweroff.
reboot_once() {
	end=poweroff
	if ! wait_for /dev/vda; then
		say "reboot-once: no /dev/vda"
	elif [ "$(dd if=/dev/vda bs=512 skip=8192 count=1 2>/dev/null | tr -d '\000')" = boardvm-rebooted ]; then
		say "second boot"
	else
		printf boardvm-rebooted | dd of=/dev/vda bs=512 seek=8192 conv=notrunc,sync,fsync 2>/dev/null
		sync
		say "first boot, rebooting"
		end=reboot
	fi
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say "started"
end=$(arg end)
power_button
[ "$(arg virtio)" = 1 ] || [ "$(arg disktest)" = 1 ] ||
	[ "$(arg nettest)" = 1 ] || [ -n "$(arg netbench)" ] ||
	[ -n "$(arg diskbench)" ] || [ "$end" = reboot-once ] && load_virtio
[ "$(arg virtio)" = 1 ] && virtio_use
[ "$(arg nettest)" = 1 ] && nettest
[ -n "$(arg netbench)" ] && netbench "$(arg netbench)"
[ -n "$(arg diskbench)" ] && diskbench "$(arg diskbench)"
if [ "$(arg vsocktest)" = 1 ]; then
	load_virtio
	vsock-echo serve 5000 &
	sleep 1
	vsock-echo call 2 6000 hello-from-guest | sed 's/^/boardvm-init: /'
fi
# From here on the host parses what /init prints line by line: the
# kernel's messages stay off the console (one printed while the UART still
# drains a long line lands inside it); /init prints them at the end, as a
# dmesg section.
console_drain
echo 1 >/proc/sys/kernel/printk
say "iomem begin"; cat /proc/iomem; say "iomem end"
say "ioports begin"; cat /proc/ioports; say "ioports end"
say "interrupts begin"; cat /proc/interrupts; say "interrupts end"
say "cpus $(grep -c ^processor /proc/cpuinfo)"
say "acpi begin"
for t in /sys/firmware/acpi/tables/*; do
	[ -f "$t" ] && echo "${t##*/} $(od -An -tx1 -v "$t" | tr -d ' \n')"
done
say "acpi end"
say "pci begin"
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/vendor" ] || continue
	read -r bar0 <"$d/resource"
	echo "${d##*/} $(cat "$d/vendor") $(cat "$d/device") $bar0"
done
say "pci end"
say "virtio begin"
for d in /sys/bus/virtio/devices/*; do
	[ -e "$d/device" ] || continue
	drv=$(readlink "$d/driver")
	parent=$(readlink -f "$d/..")
	echo "${d##*/} $(cat "$d/device") ${drv##*/} ${parent##*/}"
done
say "virtio end"
[ "$(arg disktest)" = 1 ] && disktest
[ "$end" = reboot-once ] && reboot_once
if [ "$(arg shell)" = 1 ]; then
	echo "boardvm-init: a busybox shell in the guest; exit or Ctrl-D powers off"
	setsid cttyhack sh
fi
if [ "$(arg shell)" != 1 ]; then
	say "dmesg begin"; dmesg; say "dmesg end"
fi
say "done"
console_drain
if [ "$end" = wait ]; then
	say "waiting for the power button"
	while :; do sleep 60; done
elif [ "$end" = reboot ]; then
	reboot -f
else
	poweroff -f
fi
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
# One per flavour: it holds that kernel's modules.
# The name carries a hash of what it is built from: checkouts whose /init
# differ (branches, parallel clones) each get their own image instead of
# rebuilding one file under each other's running VMs.
initrd_hash=$(initrd_stamp "$cache/$pkg" | sha256sum | cut -c1-12)
initrd=$cache/initrd-busybox-$initrd_hash.img
[ "$flavour" = amd64 ] || initrd=$cache/initrd-busybox-$initrd_hash-$flavour.img
if [ ! -f "$initrd" ]; then
	tmp_initrd=$initrd.$$
	build_initrd "$tmp_initrd" "$cache/$pkg"
	mv "$tmp_initrd.init" "$initrd.init"
	mv "$tmp_initrd" "$initrd"
fi
echo "BZIMAGE=$cache/$pkg/bzImage"
echo "VMLINUX=$cache/$pkg/vmlinux"
echo "INITRD=$initrd"
