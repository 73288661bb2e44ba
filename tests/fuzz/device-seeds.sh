#!/usr/bin/env bash
# Writes the seed programs of the device targets (tests/fuzz/fuzz-devices.c
# describes the encoding) into a corpus directory: for each device, the
# register sequence a driver would use, so the fuzzer starts from inputs
# that get past the first register of every state machine.
#
# usage: tests/fuzz/device-seeds.sh TARGET DIR
#   TARGET: devices-pc, devices-bindings, devices-virtio-guest,
#   devices-microvm (the virtio-mmio devices), pci,
#   virtqueue, virtio-net, bzimage or pvh (the kernel loaders: synthetic files, and
#   real Debian kernels' headers when cached), api (the requests
#   tests/vmm/api.sh sends, each alone and all in order as one program),
#   vsock (tests/fuzz/fuzz-vsock.c: both handshakes, data, closes)
set -euo pipefail
target=$1 dir=$2
mkdir -p "$dir"

# le BYTES VALUE: VALUE little-endian in BYTES bytes.
le()
{
	local n=$1 v=$2 i
	for ((i = 0; i < n; i++)); do
		printf "\\x$(printf %02x $(((v >> (8 * i)) & 0xff)))"
	done
}
# The operations (opcodes as in run_op()).
pio_w() { le 1 6; le 2 "$1"; le 1 $((($2 - 1) | 0x80)); le 8 "$3"; }
pio_r() { le 1 6; le 2 "$1"; le 1 $(($2 - 1)); le 8 0; }
region_r() { le 1 0; le 2 "$1"; le 2 "$2"; le 1 $(($3 - 1)); }
region_w() { le 1 3; le 2 "$1"; le 2 "$2"; le 1 $(($3 - 1)); le 8 "$4"; }
notify() { le 1 8; le 1 "$1"; }
coalesced() { le 1 9; le 1 "$1"; le 1 "$2"; le 1 $(($3 - 1)); le 8 "$4"; }
# pci_cfg ADDRESS SIZE BYTE [VALUE]: a read without VALUE, else a write.
pci_cfg()
{
	local how=$(( ($2 == 1 ? 0 : $2 == 2 ? 1 : 2) | ($3 << 2) ))
	[ $# -gt 3 ] && how=$((how | 0x80))
	le 1 10; le 4 "$1"; le 1 "$how"; le 8 "${4:-0}"
}
console() { le 1 12; le 1 ${#1}; printf '%s' "$1"; }
clock() { le 1 13; le 4 "$1"; le 1 "$2"; }
reset() { le 1 14; }

uart()
{
	local b=$1
	pio_w $((b + 3)) 1 0x80; pio_w $b 1 1; pio_w $((b + 1)) 1 0
	pio_w $((b + 3)) 1 3; pio_w $((b + 2)) 1 0xc7
	pio_w $((b + 1)) 1 0x0f; pio_w $((b + 4)) 1 0x0b
	pio_w $b 1 0x68; pio_r $((b + 5)) 1; pio_r $((b + 2)) 1
	console "ab"; pio_r $((b + 5)) 1; pio_r $b 1; pio_r $b 1
	pio_w $((b + 4)) 1 0x10; pio_w $b 1 0x41; pio_r $b 1
	clock 100000 8; pio_r $((b + 2)) 1; pio_r $((b + 6)) 1
}

i8042()
{
	pio_w 0x64 1 0xaa; pio_r 0x64 1; pio_r 0x60 1
	pio_w 0x64 1 0x20; pio_r 0x60 1
	pio_w 0x64 1 0x60; pio_w 0x60 1 0x47
	pio_w 0x64 1 0xd0; pio_r 0x60 1
	pio_w 0x64 1 0xd1; pio_w 0x60 1 0xdf
	pio_w 0x60 1 0xff; pio_r 0x64 1; pio_r 0x60 1; pio_r 0x60 1
	pio_w 0x60 1 0xf3; pio_w 0x60 1 0x20
	pio_w 0x64 1 0xa7; pio_w 0x64 1 0xd4; pio_w 0x60 1 0xf4
	pio_w 0x64 1 0xfe
}

rtc()
{
	local r
	for r in 0 2 4 6 7 8 9 0x0a 0x0b 0x0c 0x0d 0x32; do
		pio_w 0x70 1 $r; pio_r 0x71 1
	done
	pio_w 0x70 1 0x0b; pio_w 0x71 1 0x86
	pio_w 0x70 1 0; pio_w 0x71 1 0x59
	pio_w 0x70 1 0x0a; pio_w 0x71 1 0x26
	pio_w 0x70 1 0x0b; pio_w 0x71 1 0x72
	clock 1000000 10; pio_w 0x70 1 0x0c; pio_r 0x71 1
	clock 1000000 12; pio_w 0x70 1 0x0c; pio_r 0x71 1
	pio_w 0x70 1 0x8e; pio_w 0x71 1 0x55; pio_r 0x71 1
}

pci()
{
	pci_cfg 0x80000000 4 0; pci_cfg 0x80000008 4 0
	pci_cfg 0x80000000 2 2; pci_cfg 0x80000004 1 1
	pci_cfg 0x80000004 2 0 0x0007; pci_cfg 0x80000004 4 0
	pci_cfg 0x80000010 4 0 0xffffffff; pci_cfg 0x80000010 4 0
	pci_cfg 0x8000000c 1 2; pci_cfg 0x80000034 1 0
	pci_cfg 0x8000003c 1 0 0x0b; pci_cfg 0x8000003c 4 0
	local dev
	for dev in 1 2 3 4 5 8 16 31; do
		pci_cfg $((0x80000000 | dev << 11)) 4 0
		pci_cfg $((0x80000010 | dev << 11)) 4 0 0xffffffff
		pci_cfg $((0x80000010 | dev << 11)) 4 0
		pci_cfg $((0x80000004 | dev << 11)) 2 0 0x0006
		pci_cfg $((0x80000034 | dev << 11)) 1 0
	done
	pci_cfg 0x80010000 4 0; pci_cfg 0x00000000 4 0
}

# virtio_mmio CONTROL: a virtio-mmio driver's bring-up of queue 0 and a
# kick, CONTROL the region index of the device's `control` (its notify,
# status regions follow: +1, +2; offsets are from each region's start).
virtio_mmio()
{
	local c=$1 n=$(($1 + 1)) st=$(($1 + 2))
	region_r "$c" 0 4; region_r "$c" 4 4; region_r "$c" 8 4
	region_w "$st" 0x1c 4 0; region_w "$st" 0x1c 4 3
	region_w "$c" 0x24 4 1; region_w "$c" 0x20 4 1
	region_w "$st" 0x1c 4 0xb; region_r "$st" 0x1c 4
	region_w "$c" 0x30 4 0; region_r "$c" 0x34 4; region_w "$c" 0x38 4 8
	region_w "$st" 0x2c 4 0x1000; region_w "$st" 0x3c 4 0x2000
	region_w "$st" 0x4c 4 0x3000; region_w "$c" 0x44 4 1
	region_w "$st" 0x1c 4 0xf; region_w "$n" 0 4 0
	region_r "$st" 0x0c 4; region_w "$st" 0x10 4 1
}

# Every region of the board read and written at its first bytes.
sweep()
{
	local i
	for ((i = 1; i <= $1; i++)); do
		region_r $i 0 4; region_w $i 0 4 $i; region_r $i 4 4
		region_r $i 1 1; region_w $i 2 2 0xffff
	done
}

doorbells()
{
	local i
	for ((i = 0; i < $1; i++)); do
		notify $i; notify $i; coalesced $i 0 4 $((i + 1))
		coalesced $i 4 4 7
	done
}

# The virtio-net target (tests/fuzz/fuzz-virtio-net.c): queues of 4,
# receive at 0x1000/0x2000/0x3000 with four 2 KiB writable buffers,
# transmit at 0x4000/0x5000/0x6000 with a 12-byte header and a 60-byte
# frame made available.
net_image()
{
	local i
	le 2 $((0x5000 + 8))
	head -c $((0x1000)) /dev/zero
	for i in 0 1 2 3; do desc $((0x8000 + i * 0x800)) 2048 2 0; done
	head -c $((0x1000 - 64)) /dev/zero
	le 2 0; le 2 4; le 2 0; le 2 1; le 2 2; le 2 3
	head -c $((0x2000 - 12)) /dev/zero
	desc 0xa000 12 1 1; desc 0xa100 60 0 0
	head -c $((0x1000 - 32)) /dev/zero
	le 2 0; le 2 1; le 2 0; le 2 0
}
# up with both queues of 4 at the image's places.
net_up() { le 1 0; le 1 2; le 2 0x1000; le 2 0x2000; le 2 0x3000
	   le 1 2; le 2 0x4000; le 2 0x5000; le 2 0x6000; }
# net_frame LEN: the network sends LEN bytes of 0x5a.
net_frame() { le 1 1; le 2 "$1"; head -c "$1" /dev/zero | tr '\0' Z; }

# The virtqueue target (tests/fuzz/fuzz-virtqueue.c): a queue of 8 at
# 0x1000 (descriptors), 0x1080 (avail), 0x1100 (used) in guest RAM from
# 0x1000, with the chains 0->1, 2 and 5->6->7 (5->6 crosses into the
# second RAM span at 0x5000) made available.
desc() { le 8 "$1"; le 4 "$2"; le 2 "$3"; le 2 "$4"; }
vq_header() { le 2 8; le 2 "$1"; le 4 0x1000; le 4 0x1080; le 4 0x1100; }
vq_image()
{
	local loop=$1
	le 2 $((8 * 16 + 4 + 16))
	desc 0x2000 16 1 $((loop ? 0 : 1))	# NEXT
	desc 0x2100 32 2 0			# WRITE
	desc 0x2200 64 0 0
	desc 0 0 0 0
	desc 0 0 0 0
	desc 0x4ff0 16 1 6			# NEXT
	desc 0x5000 8 3 7			# NEXT | WRITE
	desc 0x5100 0 2 0			# WRITE, empty
	le 2 0; le 2 3; le 2 0; le 2 2; le 2 5; le 2 0; le 2 0; le 2 0
	le 2 0; le 2 0
}
vq_pop() { le 1 0; le 2 "$1"; le 2 "$2"; }
vq_poke() { le 1 1; le 2 "$1"; le 1 2; le 2 "$2"; }
vq_restart() { le 1 2; le 2 "$1"; le 4 0x1000; le 4 0x1080; le 4 0x1100; }
vq_interrupt() { le 1 3; }

# poke FILE OFFSET BYTES VALUE: VALUE little-endian at OFFSET of FILE.
poke() { le "$3" "$4" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none; }

# A bzImage setup header (Documentation/arch/x86/boot.rst) with 16 bytes
# of payload: protocol VERSION, loadflags, xloadflags.
bzimage() {
	local f=$1
	head -c $((5 * 512 + 16)) /dev/zero >"$f"
	poke "$f" 0x1f1 1 4			# setup_sects
	poke "$f" 0x1f4 4 1			# syssize: 16 bytes
	poke "$f" 0x201 1 0x66			# jump: header to 0x268
	printf HdrS | dd of="$f" bs=1 seek=$((0x202)) conv=notrunc status=none
	poke "$f" 0x206 2 "$2"			# version
	poke "$f" 0x211 1 "$3"			# loadflags (1: LOADED_HIGH)
	poke "$f" 0x22c 4 0x7fffffff		# initrd_addr_max
	poke "$f" 0x230 4 0x200000		# kernel_alignment
	poke "$f" 0x234 1 1			# relocatable_kernel
	poke "$f" 0x236 2 "$4"			# xloadflags (1: 64-bit entry)
	poke "$f" 0x238 4 255			# cmdline_size
	poke "$f" 0x258 8 0x1000000		# pref_address
	poke "$f" 0x260 4 0x100000		# init_size
}

# An ELF64 vmlinux with two PT_LOAD segments and a PVH entry note (Xen
# note 18, XEN_ELFNOTE_PHYS32_ENTRY) of NOTE_TYPE (4: PT_NOTE, 0: none)
# and DESC_BYTES (4 or 8).
pvh_elf() {
	local f=$1 note=$2 desc=$3
	{ printf '\x7fELF\x02\x01\x01'; le 9 0
	  le 2 2; le 2 62; le 4 1; le 8 0xffffffff81000000	# exec, x86-64
	  le 8 64; le 8 0; le 4 0; le 2 64; le 2 56; le 2 3; le 6 0
	  le 4 1; le 4 5; le 8 0x1000; le 8 0; le 8 0x1000000	# PT_LOAD
	  le 8 0x200; le 8 0x3000; le 8 0x1000
	  le 4 1; le 4 6; le 8 0x1200; le 8 0; le 8 0x1200000
	  le 8 0x200; le 8 0x200; le 8 0x1000
	  le 4 "$note"; le 4 4; le 8 232; le 8 0; le 8 0	# the note
	  le 8 $((16 + desc)); le 8 $((16 + desc)); le 8 4
	  le 4 4; le 4 "$desc"; le 4 18; printf 'Xen\0'; le "$desc" 0x1000100
	} >"$f"
	truncate -s $((0x1000)) "$f"
	head -c $((0x400)) /dev/zero | tr '\0' '\220' >>"$f"	# nops
}

# Real Debian kernels' headers, when scripts/guest-image.sh cached one
# (never committed): the bzImage's first 64 KiB, and the vmlinux cut down
# to its ELF and program headers, its notes and 4 KiB of each segment.
kernel_cache() {
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/boardvm kdir
	kdir=$(ls -d "$cache"/linux-image-* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$kdir" ] || return 0
	if [ "$1" = bzimage ] && [ -f "$kdir/bzImage" ]; then
		local sects
		head -c 65536 "$kdir/bzImage" >"$dir/seed-debian-bzimage"
		# Its payload cut to what the 64 KiB hold, so it loads.
		sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$dir/seed-debian-bzimage")
		poke "$dir/seed-debian-bzimage" 0x1f4 4 \
			$(((65536 - (sects + 1) * 512) / 16))
	elif [ "$1" = pvh ] && [ -f "$kdir/vmlinux" ] &&
	     command -v python3 >/dev/null; then
		python3 - "$kdir/vmlinux" "$dir/seed-debian-vmlinux" <<'PY'
import struct, sys
src = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', src, 32)
phnum, = struct.unpack_from('<H', src, 56)
out = bytearray(src[:64 + 56 * phnum])
for i in range(phnum):
    o = phoff + 56 * i
    typ, flags, off, va, pa, fsz, msz, al = struct.unpack_from('<IIQQQQQQ', src, o)
    keep = fsz if typ == 4 else min(fsz, 4096)
    while len(out) % 16:
        out.append(0)
    new = len(out)
    out += src[off:off + keep]
    struct.pack_into('<IIQQQQQQ', out, 64 + 56 * i, typ, flags, new, va, pa,
                     keep, max(msz, keep), al)
struct.pack_into('<Q', out, 32, 64)
struct.pack_into('<Q', out, 40, 0)             # no section headers
struct.pack_into('<HHH', out, 58, 0, 0, 0)
open(sys.argv[2], 'wb').write(out)
PY
	fi
}

# api_seeds DIR: every `api METHOD PATH [BODY]` line of tests/vmm/api.sh
# as a "METHOD PATH\nBODY" record (tests/fuzz/fuzz-api.c), its shell words
# expanded with stand-ins for the test's paths; seed-api-all has them all,
# NUL-separated, in the order the test sends them.
api_seeds()
{
	local dir=$1 n=0 line
	# Stand-ins for what the lines name.
	local tmp=/nonexistent/api-test big=
	guest() { echo "/nonexistent/guest-$1.bin"; }
	api() {
		n=$((n + 1))
		{ printf '%s %s' "$1" "$2"; [ $# -ge 3 ] && printf '\n%s' "$3"; } \
			>"$dir/seed-api-$n"
		cat "$dir/seed-api-$n" >>"$dir/seed-api-all"
		printf '\0' >>"$dir/seed-api-all"
	}
	: >"$dir/seed-api-all"
	while IFS= read -r line; do
		eval "$line"
	done < <(grep -E '^[[:space:]]*api [A-Z]+ ' tests/vmm/api.sh)
	[ "$n" -gt 0 ] || { echo "$0: no api lines in tests/vmm/api.sh" >&2; exit 1; }
}

case "$target" in
api)
	api_seeds "$dir"
	;;
bzimage)
	bzimage "$dir/seed-2.15-64bit" 0x020f 1 1
	bzimage "$dir/seed-2.10-32bit" 0x020a 1 0
	bzimage "$dir/seed-2.06" 0x0206 1 0
	bzimage "$dir/seed-zimage" 0x020f 0 1
	kernel_cache bzimage
	;;
pvh)
	pvh_elf "$dir/seed-pvh-desc8" 4 8
	pvh_elf "$dir/seed-pvh-desc4" 4 4
	pvh_elf "$dir/seed-no-note" 0 8
	kernel_cache pvh
	;;
virtqueue)
	{ vq_header 8; vq_image 0; vq_pop 0 100; vq_pop 4 8; vq_pop 0 64
	  vq_interrupt; vq_poke 0x86 0; vq_poke 0x82 4; vq_pop 0 16; } \
		>"$dir/seed-chains"
	{ vq_header 8; vq_image 1; vq_pop 0 16; vq_pop 0 16; } \
		>"$dir/seed-loop"
	{ vq_header 8; vq_image 0; vq_pop 0 16; vq_restart 4; vq_pop 0 16
	  vq_restart 3; vq_pop 0 16; } >"$dir/seed-restart"
	;;
virtio-net)
	# VERSION_1 | EVENT_IDX | STATUS | MRG_RXBUF | offloads
	f=$(((1 << 32) | (1 << 29) | (1 << 16) | (1 << 15) | (1 << 12) |
	     (1 << 11) | (1 << 8) | (1 << 7) | 3))
	{ le 8 $f; net_image; net_up; net_frame 100; le 1 2; le 1 3; le 1 1
	  le 1 6; net_frame 3000; le 1 2; le 1 3; le 1 0; le 1 6; } \
		>"$dir/seed-rx-tx"
	{ le 8 $((1 << 32)); net_image; net_up; net_frame 2000; le 1 2
	  le 1 3; le 1 1; le 1 6; } >"$dir/seed-no-mergeable"
	{ le 8 $f; net_image; net_up; le 1 4; le 2 0x2002; le 1 2; le 2 9
	  le 1 3; le 1 0; net_frame 64; le 1 2; le 1 0; net_frame 64; le 1 2
	} >"$dir/seed-bad-avail"
	;;
vsock)
	# Opcodes of tests/fuzz/fuzz-vsock.c: packet op src dst flags
	# buf_alloc/16 fwd_cnt/16 len spoil; rx count len; connect port;
	# write slot count; read slot; shut slot how; listen port;
	# accept port; io; take.
	vpkt() { le 1 0; le 1 "$1"; le 1 "$2"; le 1 "$3"; le 1 "$4"; le 2 4096
		 le 2 0; le 2 "$5"; le 1 "${6:-0}"; }
	vrx() { le 1 2; le 1 "$1"; le 2 "$2"; }
	vio() { le 1 10; }
	vtake() { le 1 12; }
	{ vrx 8 4140; le 1 3; le 1 1; vio; vtake
	  vpkt 2 1 0 0 0; le 1 5; le 1 0; le 1 4; vio; vtake
	  vpkt 5 1 0 0 100; le 1 6; le 1 0; vpkt 4 1 0 3 0; vio; vtake
	  le 1 7; le 1 0; le 1 1; vio; vtake; } >"$dir/seed-host-connect"
	{ vrx 8 4140; le 1 8; le 1 2; vpkt 1 3 2 0 0; le 1 9; le 1 2; vtake
	  vpkt 5 3 2 0 300 8; le 1 5; le 1 0; le 1 2; vio; vtake
	  vpkt 7 3 2 0 0; vtake; vpkt 4 3 2 3 0; vtake; } \
		>"$dir/seed-guest-connect"
	{ vrx 4 40; vpkt 1 1 1 0 0; vtake; vpkt 5 1 1 0 50 4; vtake
	  le 1 11; vrx 2 4140; vpkt 1 1 1 0 0 1; vpkt 1 1 1 0 0 2; vtake
	  le 1 1; le 1 2; le 2 0; le 2 10; le 1 1; le 1 1; le 2 8; le 2 60
	  le 1 4; le 1 0; } >"$dir/seed-malformed"
	;;
devices-pc)
	uart 0x3f8 >"$dir/seed-uart-com1"
	uart 0x2f8 >"$dir/seed-uart-com2"
	i8042 >"$dir/seed-i8042"
	rtc >"$dir/seed-cmos-rtc"
	{ pio_w 0x80 1 0x55; pio_w 0x80 1 0xaa; pio_r 0x80 1; } \
		>"$dir/seed-post-code"
	{ pio_r 0x501 1; pio_w 0x501 1 0x21; pio_w 0x501 4 3; } \
		>"$dir/seed-debug-exit"
	pci >"$dir/seed-pci-host"
	sweep 48 >"$dir/seed-sweep"
	{ doorbells 8; sweep 48; reset; sweep 48; } >"$dir/seed-doorbells"
	;;
devices-virtio-guest)
	uart 0x3f8 >"$dir/seed-uart-com1"
	pci >"$dir/seed-pci-host"
	{ pci; sweep 64; } >"$dir/seed-pci-sweep"
	sweep 64 >"$dir/seed-sweep"
	;;
devices-microvm)
	uart 0x3f8 >"$dir/seed-uart-com1"
	sweep 64 >"$dir/seed-sweep"
	virtio_mmio 13 >"$dir/seed-virtio-mmio-rng"
	virtio_mmio 9 >"$dir/seed-virtio-mmio-blk"
	{ virtio_mmio 17; reset; virtio_mmio 17; } \
		>"$dir/seed-virtio-mmio-console"
	;;
devices-bindings)
	uart 0x3f8 >"$dir/seed-uart-com1"
	i8042 >"$dir/seed-i8042"
	sweep 32 >"$dir/seed-sweep"
	{ doorbells 16; sweep 32; reset; doorbells 16; } >"$dir/seed-doorbells"
	;;
pci)
	pci >"$dir/seed-pci-host"
	{ pci; reset; pci; } >"$dir/seed-pci-reset"
	;;
*)
	echo "$0: unknown target '$target'" >&2
	exit 1
	;;
esac
