#!/usr/bin/env bash
# Full boot: the Debian kernel runs to the initramfs /init of
# scripts/guest-image.sh, which prints /proc/iomem, /proc/ioports, the
# CPU count and the PCI functions between markers, tests the disk and
# powers off. Then the guest's view is
# compared with `boardc map` for the pc board, honestly: Linux adds its
# own entries (Kernel code/data/bss under System RAM, page 0 as Reserved,
# ROM probes, "PCI Bus" windows, dma/fpu ports it always claims), so the
# test asserts that the board's entries are there at the board's
# addresses, not that the files are equal:
#   - every System RAM range of the board is System RAM in the guest (the
#     first one from 0x1000: Linux reserves page 0);
#   - the IOAPIC and local APIC at the board's ioapic/lapic bases;
#   - a "serial" port range at each uart16550 the board places (Linux
#     probes the four legacy COM ports) and "PCI conf1" at the pci-host;
#   - 2 CPUs online (--cpus 2), and the VM ends with status 0 (poweroff -f
#     halts every CPU with interrupts off);
#   - the virtio functions in /sys/bus/pci/devices: vendor 0x1af4, device
#     0x1042 (virtio-blk0), 0x1043 (virtio-console0), 0x1044 (virtio-rng0),
#     each in the slot and with BAR0 at the range boardc map gives it;
#   - the disk: --disk is a fresh 16 MiB file and the command line has
#     boardvm.disktest=1, so /init loads virtio-blk, sees 32768 sectors,
#     writes "boardvm-disktest-N" at sectors 0 and 2048, reads them back
#     ("boardvm-init: disk ok"); the host file holds both afterwards.
# Guest userspace needs hardware virtualization: on a host without vmx or
# svm KVM emulates guest kernel code and cannot run it, so every test is
# a SKIP that says so.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
cleanup() {
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
. tests/linux/boot-lib.sh

TESTS="pvh-512M pvh-3.5G bzimage-512M bzimage-3.5G"
WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }
report() {
	if [ -z "$WHY" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $WHY"
	fi
	WHY=
}

skip_all() {
	for t in $TESTS; do
		echo "SKIP /linux/full-boot/$t: $1"
	done
	exit 0
}

# section NAME WHAT: the lines /init printed between its markers.
section() {
	log_lines "$1" | sed -n "/^boardvm-init: $2 begin/,/^boardvm-init: $2 end/p" |
		sed '1d;$d'
}

# board_map SECTION: the top-level entries of boardc map (no indentation)
# as "start end name", lower-case hex without 0x.
board_top() {
	"$BOARDC" map --section "$1" --mem "$2" "$BOARD_FILE" |
		sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : \(.*\)$/\1 \2 \3/p'
}

# has_entry FILE START END NAME: FILE (a /proc/iomem or ioports copy) has
# that entry at any depth; /proc pads addresses to at least 4 digits.
has_entry() {
	local file=$1 start=$2 end=$3 name=$4
	sed 's/^ *//' "$file" | awk -v s="$start" -v e="$end" -v n="$name" '
		function norm(x) { sub(/^0+/, "", x); return x == "" ? "0" : x }
		{ split($1, r, "-"); sub(/^[^:]*: /, "") }
		norm(r[1]) == norm(s) && norm(r[2]) == norm(e) && $0 == n { found = 1 }
		END { exit !found }'
}

# device_base NAME SPACE: where the board places a device's block.
device_base() {
	"$BOARDC" map --section "$2" "$BOARD_FILE" |
		sed -n "s/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : $1\$/\1 \2/p"
}

# pci_slot_bar0 NAME: "slot start end" of a PCI device in boardc map, the
# slot as sysfs names it (0000:00:03.0), start/end as 0x%016x.
pci_slot_bar0() {
	"$BOARDC" map --section iomem "$BOARD_FILE" |
		sed -n "s/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : $1 (pci \([0-9a-f:.]*\))\$/\3 \1 \2/p" |
		while read -r slot s e; do
			printf '0000:%s 0x%016x 0x%016x\n' "$slot" $((16#$s)) $((16#$e))
		done
}

# check_pci NAME: the virtio functions /init listed ("slot vendor device
# bar0-start bar0-end flags") are where the board puts them.
check_pci() {
	local name=$1 dev id want slot s e line
	section "$name" pci >"$tmp/$name.pci"
	[ -s "$tmp/$name.pci" ] || fail "no PCI functions between the markers"
	for dev in virtio-blk0:0x1042 virtio-console0:0x1043 virtio-rng0:0x1044; do
		id=${dev#*:}
		dev=${dev%:*}
		want=$(pci_slot_bar0 "$dev")
		[ -n "$want" ] || { fail "boardc map has no PCI device $dev"; continue; }
		read -r slot s e <<<"$want"
		line=$(awk -v id="$id" '$2 == "0x1af4" && $3 == id' "$tmp/$name.pci")
		if [ -z "$line" ]; then
			fail "no PCI function 0x1af4:$id ($dev) in /sys/bus/pci/devices: $(tr '\n' '|' <"$tmp/$name.pci")"
		elif [ "$(echo "$line" | cut -d' ' -f1,4,5)" != "$slot $s $e" ]; then
			fail "$dev (0x1af4:$id) is '$line', expected slot and BAR0 '$slot $s $e' (boardc map)"
		fi
	done
}

# check_disk NAME DISK: /init's disk test passed and DISK holds the
# pattern it wrote.
check_disk() {
	local name=$1 disk=$2 s got
	log_lines "$name" | grep -q '^boardvm-init: disk sectors 32768$' ||
		fail "guest does not see a 32768-sector /dev/vda: '$(log_lines "$name" | grep '^boardvm-init: disk' | tr '\n' '|')'"
	log_lines "$name" | grep -q '^boardvm-init: disk ok$' ||
		fail "guest disk test: '$(log_lines "$name" | grep '^boardvm-init: \(disk\|insmod\)' | tr '\n' '|')'"
	for s in 0 2048; do
		got=$(dd if="$disk" bs=512 skip=$s count=1 2>/dev/null | tr -d '\000')
		[ "$got" = "boardvm-disktest-$s" ] ||
			fail "host file sector $s holds '$got', expected 'boardvm-disktest-$s'"
	done
}

check_guest() {
	local name=$1 mem=$2 s e n first=1 range
	section "$name" iomem >"$tmp/$name.iomem"
	section "$name" ioports >"$tmp/$name.ioports"
	[ -s "$tmp/$name.iomem" ] || fail "no /proc/iomem between the markers"
	[ -s "$tmp/$name.ioports" ] || fail "no /proc/ioports between the markers"
	while read -r s e n; do
		[ "$n" = "System RAM" ] || continue
		# Linux reserves page 0 for itself (the BIOS data area).
		[ "$first" = 1 ] && [ "$((16#$s))" = 0 ] && s=1000
		first=0
		has_entry "$tmp/$name.iomem" "$s" "$e" "System RAM" ||
			fail "/proc/iomem lacks $s-$e : System RAM (boardc map --mem $mem)"
	done < <(board_top iomem "$mem")
	range=$(device_base ioapic iomem)
	has_entry "$tmp/$name.iomem" "${range% *}" \
		"$(printf '%x' $((16#${range% *} + 0x3ff)))" "IOAPIC 0" ||
		fail "/proc/iomem lacks IOAPIC 0 at the board's ${range% *}"
	range=$(device_base lapic iomem)
	has_entry "$tmp/$name.iomem" "${range% *}" \
		"$(printf '%x' $((16#${range% *} + 0xfff)))" "Local APIC" ||
		fail "/proc/iomem lacks Local APIC at the board's ${range% *}"
	for dev in com1 com2 com3 com4; do
		range=$(device_base "$dev" ioports)
		[ -n "$range" ] || continue
		has_entry "$tmp/$name.ioports" ${range% *} \
			"$(printf '%x' $((16#${range% *} + 7)))" serial ||
			fail "/proc/ioports lacks serial at $dev's ${range% *}"
	done
	range=$(device_base pci-host ioports)
	[ -z "$range" ] || has_entry "$tmp/$name.ioports" ${range% *} \
		"$(printf '%x' $((16#${range% *} + 7)))" "PCI conf1" ||
		fail "/proc/ioports lacks PCI conf1 at the pci-host's ${range% *}"
	log_lines "$name" | grep -q '^boardvm-init: cpus 2$' ||
		fail "not 2 CPUs online: '$(log_lines "$name" | grep '^boardvm-init: cpus')'"
}

# boot_start_disk NAME KERNEL MEM APPEND DISK: boot_start with --disk.
boot_start_disk() {
	local name=$1 kernel=$2 mem=$3 append=$4 disk=$5
	"$BOARDVM" --kernel "$kernel" --initrd "$INITRD" --mem "$mem" \
		--cpus 2 --disk "$disk" --append "$append" \
		</dev/null >"$tmp/$name.log" 2>"$tmp/$name.err" &
	echo $! >"$tmp/$name.pid"
	date +%s >"$tmp/$name.start"
}

full_boot() {
	local name=$1 kernel=$2 mem=$3 status disk=$tmp/$1.disk
	truncate -s 16M "$disk"
	boot_start_disk "$name" "$kernel" "$mem" \
		"$APPEND_BASE boardvm.disktest=1" "$disk"
	if ! boot_watch_exit "$name"; then
		fail "did not power off in ${BOOT_TIMEOUT}s; log tail: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	else
		status=$(cat "$tmp/$name.status")
		[ "$status" = 0 ] ||
			fail "exit status $status after poweroff, expected 0: $(tail -n 5 "$tmp/$name.err" | tr '\n' '|')"
		log_lines "$name" | grep -q '^boardvm-init: done$' ||
			fail "/init did not finish: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
		check_guest "$name" "$mem"
		check_pci "$name"
		check_disk "$name" "$disk"
	fi
	report "/linux/full-boot/$name"
}

# Wait for the VM to end by itself (poweroff), at most BOOT_TIMEOUT.
boot_watch_exit() {
	local name=$1 pid start
	pid=$(cat "$tmp/$name.pid")
	start=$(cat "$tmp/$name.start")
	while kill -0 "$pid" 2>/dev/null; do
		if [ $(($(date +%s) - start)) -ge "$BOOT_TIMEOUT" ]; then
			kill "$pid"
			wait "$pid" 2>/dev/null
			return 1
		fi
		sleep 0.5
	done
	wait "$pid"
	echo $? >"$tmp/$name.status"
}

host_hw_virt || skip_all "no vmx or svm in /proc/cpuinfo: KVM here runs guest kernel code in its instruction emulator, which cannot run Linux userspace (tests/linux/boot.sh checks the early boot log instead)"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip_all "/dev/kvm not available"
[ -x "$BOARDVM" ] || skip_all "$BOARDVM not built (make BOARD=pc)"
find_kernel || skip_all "$IMAGE_WHY"

full_boot pvh-512M "$VMLINUX" 512M
if [ "${SANITIZE:-}" = 1 ]; then
	for t in pvh-3.5G bzimage-512M bzimage-3.5G; do
		echo "SKIP /linux/full-boot/$t: SANITIZE=1 boots only pvh-512M; the plain 'make test' boots all"
	done
	exit 0
fi
full_boot pvh-3.5G "$VMLINUX" 3.5G
full_boot bzimage-512M "$BZIMAGE" 512M
full_boot bzimage-3.5G "$BZIMAGE" 3.5G
