#!/usr/bin/env bash
# Full boot: the Debian kernel runs to the initramfs /init of
# scripts/guest-image.sh on the pc board (--cpus 2, a 16 MiB --disk, the
# virtio drivers loaded), PVH and bzImage, at 512M and 3.5G (RAM split
# across the 4 GiB boundary). Each boot is one test that the guest reached
# /init and powered off (status 0), and these named tests on what it saw:
#   iomem, ioports  the guest's /proc/iomem and /proc/ioports equal
#                   boardc map for the board and --mem, projected onto the
#                   names Linux gives (tests/linux/guest-view.sh); a
#                   mismatch prints the diff
#   cpus            2 CPUs online
#   interrupts      the timer ticking on IOAPIC pin 2 (the board's ISA wiring, as
#                   KVM's GSI routing and the MP table say), ttyS0 on the
#                   IOAPIC pin of com1's board irq, MSI-X vectors for each
#                   virtio function
#   virtio-pci      each virtio function in its slot with BAR0 where
#                   boardc map puts it
#   disk            the guest reads what the host wrote (sector 4096) and
#                   the host reads what the guest wrote (sectors 0, 2048)
#   hwrng           /dev/hwrng gives 16 bytes, not all zero
#   hvc0            what the guest writes to /dev/hvc0 reaches the host
#                   (--serial virtio-console0=file:PATH)
#   acpi            the guest's log names the board's RSDP, MADT (APIC),
#                   DSDT and (pc) MCFG; /sys/firmware/acpi/tables/* are
#                   byte for byte what `boardc acpi --cpus 2 -o DIR`
#                   writes; Linux uses the MCFG's ECAM window
#                   (pci-host.ecam of boardc map) and the host bridge's
#                   _OSC gives it control ("OS now controls")
#   clean-log       no complaint about the machine in the guest's log
#                   (MMCONFIG and _OSC refusals included)
# Then one boot on the microvm board (build/microvm/boardvm, PVH, 512M):
# the same tests where they apply (iomem, ioports, cpus, disk, hwrng,
# hvc0, acpi, clean-log) with the virtio devices on the MMIO transport,
# and these instead of interrupts and virtio-pci:
#   interrupts      the timer on IOAPIC pin 2, ttyS0 on com1's irq, each
#                   virtio-mmio device's irq on its IOAPIC pin
#   virtio-mmio     Linux's virtio_blk, virtio_rng and virtio_console bound
#                   to virtio devices whose parents are the DSDT's
#                   LNRO0005 devices
#   peer-layout     the guest's iomem and interrupts have the addresses
#                   QEMU's microvm gives its first three transports
#                   (include/hw/i386/microvm.h, hw/i386/microvm.c:
#                   0xfeb00000 + 512 * i on GSI 16 + i), written here, not
#                   taken from the board
# Then the broiler and kvmtool boards (virtio-pci, MP table, no ACPI):
# the pc tests but acpi, each with a peer-layout test of the peer's
# addresses (broiler: BAR0 at 0xc2000000; kvmtool: KVM_PCI_CFG_AREA
# reserved, BAR0 at KVM_PCI_MMIO_AREA 0xd2000000). Then the firecracker
# board (virtio-mmio, hardware-reduced ACPI, no virtio console): the
# microvm tests but hvc0, its interrupts test the local APIC timers (Linux
# drops the 8259s and the PIT there) and the pins, not Linux's numbers,
# and peer-layout: block at 0xd0000000 on pin 5, entropy at 0xd0001000
# on 6, the RSDP at 0xe0000.
# Then Debian's cloud kernel (no MP-table parser: only ACPI tells it of
# the second CPU), where the cache has it (scripts/guest-image.sh
# --flavour cloud-amd64): its bzImage at 512M, /init reached, 2 CPUs,
# the timer ticking on IOAPIC pin 2, the acpi and clean-log tests; SKIP
# without it. Every boot has no_timer_check (see where it is set).
# Then the power tests: reboot -f ends boardvm with status 4, and with
# --reboot a guest that reboots once boots twice and powers off (0); a
# SIGTERM once /init waits presses the ACPI power button and the guest
# powers off by itself (0), with a clean log; and
# the console test: the boot with boardvm's stdout a pipe.
# Guest userspace needs hardware virtualization: on a host without vmx or
# svm these run inside the nested-KVM harness (tests/nested, its suite
# names them /nested/linux/...); here they print that and run nothing.
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
. tests/linux/guest-view.sh

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

# section NAME WHAT: the lines /init printed between its markers.
section() {
	log_lines "$1" | sed -n "/^boardvm-init: $2 begin/,/^boardvm-init: $2 end/p" |
		sed '1d;$d'
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

# The board's virtio functions: "name:device-id".
VIRTIO_DEVS="virtio-blk0:0x1042 virtio-console0:0x1043 virtio-rng0:0x1044 virtio-net0:0x1041"

# check_view NAME SECTION MEM HOW
check_view() {
	local name=$1 what=$2 mem=$3 how=$4
	section "$name" "$what" >"$tmp/$name.$what"
	[ -s "$tmp/$name.$what" ] || { fail "no /proc/$what between the markers"; return; }
	expected_view "$what" "$mem" "$how" >"$tmp/$name.$what.want"
	[ -s "$tmp/$name.$what.want" ] || { fail "boardc map gave no $what entries"; return; }
	guest_view "$tmp/$name.$what" >"$tmp/$name.$what.got"
	diff -u "$tmp/$name.$what.want" "$tmp/$name.$what.got" >"$tmp/$name.$what.diff" ||
		fail "guest /proc/$what differs from boardc map --mem $mem (- board, + guest): $(tail -n +3 "$tmp/$name.$what.diff" | grep '^[-+]' | tr '\n' '|')"
}

check_cpus() {
	log_lines "$1" | grep -q '^boardvm-init: cpus 2$' ||
		fail "not 2 CPUs online: '$(log_lines "$1" | grep '^boardvm-init: cpus')'"
}

# check_pci NAME: the virtio functions /init listed ("slot vendor device
# bar0-start bar0-end flags") are where the board puts them.
check_pci() {
	local name=$1 dev id want slot s e line
	section "$name" pci >"$tmp/$name.pci"
	[ -s "$tmp/$name.pci" ] || fail "no PCI functions between the markers"
	for dev in $VIRTIO_DEVS; do
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

# check_interrupts NAME: the timer on IOAPIC pin 2, ttyS0 on com1's board
# irq through the IOAPIC, and MSI-X vectors for each virtio function.
check_interrupts() {
	local name=$1 irq slot dev
	section "$name" interrupts >"$tmp/$name.interrupts"
	awk '$1 == "0:" && / IO-APIC +2-edge +timer$/ { n = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
		ok = n > 0 } END { exit !ok }' "$tmp/$name.interrupts" ||
		fail "timer not on IO-APIC pin 2 or no ticks there: '$(grep timer "$tmp/$name.interrupts")'"
	irq=$(board_devices | awk -F'\t' '$1 == "com1" { print $3 }')
	[[ $irq =~ ^[0-9]+$ ]] || fail "boardc map gives com1 no irq ('$irq')"
	grep -Eq "^ *$irq: .* IO-APIC +$irq-edge +ttyS0\$" "$tmp/$name.interrupts" ||
		fail "ttyS0 not on IO-APIC pin $irq (com1's board irq): '$(grep ttyS0 "$tmp/$name.interrupts")'"
	for dev in $VIRTIO_DEVS; do
		dev=${dev%:*}
		slot=$(pci_slot_bar0 "$dev" | cut -d' ' -f1)
		# PCI-MSIX-0000:00:03.0 on 6.1 (PCI-MSI before 6.2), one line a vector.
		grep -Eq "PCI-MSI(X-$slot)? .*virtio[0-9]+-" "$tmp/$name.interrupts" ||
			fail "no MSI-X vector for the virtio functions ($dev at $slot): $(grep -i msi "$tmp/$name.interrupts" | tr -s ' ' | tr '\n' '|')"
	done
}

# check_disk NAME DISK: the guest read the host's pattern, the host reads
# the guest's.
check_disk() {
	local name=$1 disk=$2 s got
	log_lines "$name" | grep -q '^boardvm-init: disk sectors 32768$' ||
		fail "guest does not see a 32768-sector /dev/vda: '$(log_lines "$name" | grep '^boardvm-init: disk' | tr '\n' '|')'"
	log_lines "$name" | grep -qx "boardvm-init: disk host-pattern 'boardvm-host-$name'" ||
		fail "guest read of the host's sector 4096: '$(log_lines "$name" | grep '^boardvm-init: disk host' )', expected 'boardvm-host-$name'"
	log_lines "$name" | grep -q '^boardvm-init: disk ok$' ||
		fail "guest disk test: '$(log_lines "$name" | grep '^boardvm-init: \(disk\|insmod\)' | tr '\n' '|')'"
	for s in 0 2048; do
		got=$(dd if="$disk" bs=512 skip=$s count=1 2>/dev/null | tr -d '\000')
		[ "$got" = "boardvm-disktest-$s" ] ||
			fail "host file sector $s holds '$got', expected 'boardvm-disktest-$s'"
	done
}

check_hwrng() {
	local got
	got=$(log_lines "$1" | sed -n 's/^boardvm-init: hwrng //p')
	[[ $got =~ ^[0-9a-f]{32}$ ]] && [ "$got" != 00000000000000000000000000000000 ] ||
		fail "/dev/hwrng gave '$got', expected 16 random bytes"
}

check_hvc0() {
	log_lines "$1" | grep -q '^boardvm-init: hvc0 written$' ||
		fail "the guest could not write /dev/hvc0: '$(log_lines "$1" | grep '^boardvm-init: hvc0')'"
	tr -d '\r' <"$tmp/$1.hvc0" 2>/dev/null |
		grep -qx 'boardvm-hvc0: hello from the guest' ||
		fail "the host's end of virtio-console0 ($tmp/$1.hvc0) has '$(head -c 200 "$tmp/$1.hvc0" 2>/dev/null | tr '\n' '|')', expected 'boardvm-hvc0: hello from the guest'"
}

# The guest's complaints about the machine.
COMPLAINTS='MP-BIOS bug|buggy MP table|can.t find IRQ|timer not connected|Firmware Bug|FW_BUG|BIOS bug|ACPI Error|ACPI BIOS Error|ACPI Warning|A valid RSDP was not found|APIC error|IRQ.*nobody cared|unable to handle|Oops|Call Trace|BUG:|WARNING:|fail to add MMCONFIG|not using MMCONFIG|_OSC: not requesting|_OSC: platform retains|_OSC failed'
# check_clean_log NAME [EXPECTED]: no complaint in the log but those
# matching the extended regex EXPECTED (what the board makes true).
check_clean_log() {
	local bad
	bad=$(log_lines "$1" | grep -E "$COMPLAINTS" | grep -Ev "${2:-^\$}")
	[ -z "$bad" ] || fail "the guest complains about the machine: $(echo "$bad" | head -n 5 | tr '\n' '|')"
}

# check_hypervisor NAME: the CPUID hypervisor bit boardvm sets made Linux
# look for KVM's leaves and find them (without it, it took itself for
# bare hardware and had to calibrate its TSC against the PIT).
check_hypervisor() {
	log_lines "$1" | grep -qx 'Hypervisor detected: KVM' ||
		fail "Linux found no hypervisor: '$(log_lines "$1" | grep -iE 'hypervisor|kvm' | head -n 3 | tr '\n' '|')'"
}

# check_ecam NAME: on a board with an ECAM window (pci-host.ecam in
# boardc map), Linux took it from the MCFG and the host bridge's _OSC
# granted control.
check_ecam() {
	local name=$1 s e want
	read -r s e < <("$BOARDC" map --section iomem "$BOARD_FILE" |
		sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : pci-host\.ecam .*/\1 \2/p')
	[ -n "$s" ] || return 0
	want=$(printf 'MMCONFIG for domain 0000 [bus 00-%02x] at [mem 0x%s-0x%s]' \
		$(((16#$e - 16#$s) >> 20)) "$s" "$e")
	log_lines "$name" | grep -qF "$want" ||
		fail "no '$want' in the log: '$(log_lines "$name" | grep MMCONFIG | head -n 2 | tr '\n' '|')'"
	log_lines "$name" | grep -q '_OSC: OS now controls \[' ||
		fail "the host bridge's _OSC gave the OS no control: '$(log_lines "$name" | grep '_OSC' | head -n 3 | tr '\n' '|')'"
}

# check_acpi NAME: the kernel found the board's tables where boardc put
# them, and what it read is what boardc built, patched for --cpus 2.
check_acpi() {
	local name=$1 dir=$tmp/$1.acpi f sig want got rsdp
	rsdp=$("$BOARDC" acpi "$BOARD_FILE" | sed -n 's/^RSDP @ 0x0*\([0-9a-f]*\)$/\1/p')
	log_lines "$name" | grep -qi "ACPI: RSDP 0x0*$rsdp " ||
		fail "no 'ACPI: RSDP 0x...$rsdp' in the log: '$(log_lines "$name" | grep 'ACPI: RSDP' | head -n 1)'"
	"$BOARDC" acpi --cpus 2 -o "$dir" "$BOARD_FILE" ||
		{ fail "boardc acpi failed"; return; }
	local mcfg=
	[ -f "$dir/mcfg.dat" ] && mcfg=MCFG	# a board with an ECAM window
	for sig in APIC DSDT FACP $mcfg; do
		log_lines "$name" | grep -q "ACPI: $sig 0x" ||
			fail "the kernel did not list the $sig table"
	done
	check_ecam "$name"
	# A hardware-reduced FADT has no FACS (boardc writes none then).
	local facs=
	[ -f "$dir/facs.dat" ] && facs=FACS
	for sig in APIC DSDT FACP $facs $mcfg; do
		f=$dir/$(echo "$sig" | tr A-Z a-z).dat
		want=$(od -An -tx1 -v "$f" | tr -d ' \n')
		got=$(section "$name" acpi | sed -n "s/^$sig //p")
		[ -n "$got" ] || { fail "the guest has no /sys/firmware/acpi/tables/$sig"; continue; }
		[ "$got" = "$want" ] ||
			fail "the guest's $sig (${#got} hex digits) differs from boardc acpi's (${#want}): guest ${got:0:80}... boardc ${want:0:80}..."
	done
}

# boot_run NAME KERNEL MEM APPEND DISK [BOARDVM-OPTION...]: boardvm with
# --cpus 2 and DISK, until it exits (killed after BOOT_TIMEOUT); its
# status ("timeout" when killed) in $tmp/NAME.status. A boot that
# boot_flaked() allows is run again (boot-lib.sh says when). BOOT_STDOUT=pipe
# sends its stdout through a pipe instead of into the log file.
boot_run() {
	boot_run_once "$@"
	while boot_flaked "$1"; do
		boot_run_once "$@"
	done
}

boot_run_once() {
	local name=$1 kernel=$2 mem=$3 append=$4 disk=$5 pid start cat_pid=
	local out=$tmp/$1.log status
	shift 5
	if [ "${BOOT_STDOUT:-file}" = pipe ]; then
		out=$tmp/$name.fifo
		rm -f "$out"
		mkfifo "$out"
		cat <"$out" >"$tmp/$name.log" &
		cat_pid=$!
	fi
	start=$(date +%s)
	"$BOARDVM" --kernel "$kernel" --initrd "$INITRD" --mem "$mem" \
		--cpus 2 --disk "$disk" --append "$append" "${L2_ARGS[@]}" "$@" \
		</dev/null >"$out" 2>"$tmp/$name.err" &
	pid=$!
	echo "$pid" >"$tmp/$name.pid"
	while kill -0 "$pid" 2>/dev/null; do
		[ $(($(date +%s) - start)) -lt "$BOOT_TIMEOUT" ] || break
		boot_stall_check "$name" "$pid" && break
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		status=timeout
	else
		wait "$pid"
		status=$?
	fi
	# Only the pipe's reader: a sigterm_when watcher lives on to a retry.
	[ -z "$cat_pid" ] || wait "$cat_pid"
	rm -f "$tmp/$name.pid"
	echo "$status" >"$tmp/$name.status"
	BOOT_SECS=$(($(date +%s) - start))
}

# new_disk NAME: a 16 MiB disk with the host's pattern at sector 4096.
new_disk() {
	local disk=$tmp/$1.disk
	truncate -s 16M "$disk"
	printf 'boardvm-host-%s' "$1" | dd of="$disk" bs=512 seek=4096 conv=notrunc 2>/dev/null
	echo "$disk"
}

# boot_ended NAME: the boot powered off (status 0) after /init finished.
boot_ended() {
	local name=$1 status
	status=$(cat "$tmp/$name.status")
	if [ "$status" = timeout ]; then
		fail "did not power off in ${BOOT_TIMEOUT}s; log tail: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	elif [ "$status" != 0 ]; then
		fail "exit status $status, expected 0 (a poweroff): $(boot_failure "$name")"
	fi
	log_lines "$name" | grep -q '^boardvm-init: done$' ||
		fail "/init did not finish: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
}

full_boot() {
	local name=$1 kernel=$2 mem=$3 how=$4 disk t booted=1
	done_before "/linux/full-boot/$name" && return
	disk=$(new_disk "$name")
	boot_run "$name" "$kernel" "$mem" \
		"$APPEND_BASE boardvm.virtio=1 boardvm.disktest=1 boardvm.test=$name" "$disk" \
		--serial "virtio-console0=file:$tmp/$name.hvc0"
	boot_ended "$name"
	[ -z "$WHY" ] || booted=
	report "/linux/full-boot/$name"
	for t in iomem ioports cpus interrupts virtio-pci disk hwrng hvc0 acpi hypervisor clean-log; do
		if [ "$t" = hypervisor ] && [ ${#L2_ARGS[@]} != 0 ]; then
			echo "SKIP /linux/full-boot/$name/$t: inside L1 the guests boot with ${L2_ARGS[*]} (boot-lib.sh says why); L2_HYPERVISOR=1 runs it"
			continue
		fi
		if [ -z "$booted" ]; then
			fail "the boot failed (see /linux/full-boot/$name)"
		else
			case $t in
			iomem|ioports) check_view "$name" "$t" "$mem" "$how" ;;
			cpus) check_cpus "$name" ;;
			interrupts) check_interrupts "$name" ;;
			virtio-pci) check_pci "$name" ;;
			disk) check_disk "$name" "$disk" ;;
			hwrng) check_hwrng "$name" ;;
			hvc0) check_hvc0 "$name" ;;
			acpi) check_acpi "$name" ;;
			hypervisor) check_hypervisor "$name" ;;
			clean-log) check_clean_log "$name" ;;
			esac
		fi
		report "/linux/full-boot/$name/$t"
	done
	echo "  ($name: ${BOOT_SECS}s from launch to exit)"
}

# check_virtio_mmio NAME [ID-DRIVER...]: /init's virtio section
# ("virtioN device-id driver parent") has each (default: blk, rng and
# console) bound, on LNRO0005 parents.
check_virtio_mmio() {
	local name=$1 want
	shift
	[ $# != 0 ] || set -- "0x0002 virtio_blk" "0x0004 virtio_rng" "0x0003 virtio_console"
	section "$name" virtio >"$tmp/$name.virtio"
	for want in "$@"; do
		awk -v id="${want% *}" -v drv="${want#* }" \
			'$2 == id && $3 == drv && $4 ~ /^LNRO0005:[0-9a-f][0-9a-f]$/ { ok = 1 }
			 END { exit !ok }' "$tmp/$name.virtio" ||
			fail "no virtio device $want on a LNRO0005 parent: $(tr '\n' '|' <"$tmp/$name.virtio")"
	done
}

# check_mmio_interrupts NAME [lapic]: the timer on pin 2 (with lapic: on
# a hardware-reduced ACPI board, where Linux drops the 8259s and the PIT,
# the local APIC timers ticking on every CPU instead), ttyS0 on com1's
# irq, each virtio-mmio device's board irq on its IOAPIC pin for a virtio
# device.
check_mmio_interrupts() {
	local name=$1 timer=${2:-ioapic} irq dev type
	section "$name" interrupts >"$tmp/$name.interrupts"
	if [ "$timer" = lapic ]; then
		awk '$1 == "LOC:" { ok = NF > 2
			for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) ok = ok && $i > 0
		} END { exit !ok }' "$tmp/$name.interrupts" ||
			fail "the local APIC timers do not tick on every CPU: '$(grep 'LOC:' "$tmp/$name.interrupts" | tr -s ' ')'"
	else
		awk '$1 == "0:" && / IO-APIC +2-edge +timer$/ { n = 0
			for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
			ok = n > 0 } END { exit !ok }' "$tmp/$name.interrupts" ||
			fail "timer not on IO-APIC pin 2 or no ticks there: '$(grep timer "$tmp/$name.interrupts")'"
	fi
	# Linux numbers its irqs after the pins where the 8259s are in use;
	# without them (lapic) the number is its own, the pin is checked.
	local num='$irq'
	[ "$timer" = lapic ] && num='[0-9]+'
	while IFS=$'\t' read -r dev type irq; do
		local at="^ *${num//\$irq/$irq}: .* IO-APIC +$irq"
		case $type in
		uart16550) [ "$dev" = com1 ] || continue
			grep -Eq "$at-edge +ttyS0\$" "$tmp/$name.interrupts" ||
				fail "ttyS0 not on IO-APIC pin $irq: '$(grep ttyS0 "$tmp/$name.interrupts")'" ;;
		virtio-*-mmio)
			grep -Eq "$at-(edge|fasteoi) +virtio[0-9]+\$" "$tmp/$name.interrupts" ||
				fail "$dev: no virtio interrupt on IO-APIC pin $irq: $(grep -E 'virtio|^ *'"$irq"':' "$tmp/$name.interrupts" | tr -s ' ' | tr '\n' '|')" ;;
		esac
	done < <(board_devices)
}

# check_microvm_layout NAME: QEMU microvm's transports 0-2, as QEMU
# documents them, in the guest's iomem and interrupts.
check_microvm_layout() {
	local name=$1 i base
	for i in 0 1 2; do
		base=$((0xfeb00000 + 512 * i))
		grep -Eq "^ *$(printf '%08x-%08x' $base $((base + 511))) : LNRO0005:0$i\$" "$tmp/$name.iomem" ||
			fail "no LNRO0005:0$i at $(printf '0x%x' $base) (QEMU microvm's transport $i) in the guest's iomem"
		grep -Eq "^ *$((16 + i)): .* IO-APIC +$((16 + i))-(edge|fasteoi) +virtio[0-9]+\$" "$tmp/$name.interrupts" ||
			fail "no virtio interrupt on GSI $((16 + i)) (QEMU microvm's transport $i)"
	done
}

# board_boot NAME BOARD TESTS CHECK: Linux on boards/BOARD.yaml under its
# own boardvm, with the pc boots' disk, virtio and (where the board has
# virtio-console0) console, BOARD_APPEND added to the command line, to a
# poweroff; then each of TESTS, judged by CHECK NAME TEST DISK. SKIPs
# where that boardvm is not built.
board_boot() {
	local name=$1 board=$2 tests=$3 check=$4 disk t booted=1
	local BOARD_FILE=boards/$board.yaml BOARDVM=$BUILD/$board/boardvm
	done_before "/linux/full-boot/$name" && return
	if [ ! -x "$BOARDVM" ]; then
		for t in "" $tests; do
			echo "SKIP /linux/full-boot/$name${t:+/$t}: $BOARDVM not built (make BOARD=$board)"
		done
		return
	fi
	local console=()
	board_devices | grep -q '^virtio-console0'$'\t' &&
		console=(--serial "virtio-console0=file:$tmp/$name.hvc0")
	disk=$(new_disk "$name")
	boot_run "$name" "$VMLINUX" 512M \
		"$APPEND_BASE boardvm.virtio=1 boardvm.disktest=1 boardvm.test=$name${BOARD_APPEND:+ $BOARD_APPEND}" \
		"$disk" "${console[@]}"
	boot_ended "$name"
	[ -z "$WHY" ] || booted=
	report "/linux/full-boot/$name"
	section "$name" iomem >"$tmp/$name.iomem"
	section "$name" interrupts >"$tmp/$name.interrupts"
	for t in $tests; do
		if [ -z "$booted" ]; then
			fail "the boot failed (see /linux/full-boot/$name)"
		else
			"$check" "$name" "$t" "$disk"
		fi
		report "/linux/full-boot/$name/$t"
	done
	echo "  ($name: ${BOOT_SECS}s from launch to exit)"
}

# board_check NAME TEST DISK: the checks every board_boot shares.
board_check() {
	case $2 in
	iomem|ioports) check_view "$1" "$2" 512M pvh ;;
	cpus) check_cpus "$1" ;;
	disk) check_disk "$1" "$3" ;;
	hwrng) check_hwrng "$1" ;;
	hvc0) check_hvc0 "$1" ;;
	acpi) check_acpi "$1" ;;
	clean-log) check_clean_log "$1" ;;
	*) fail "full-boot.sh has no check '$2'" ;;
	esac
}

# mmio_boot: the microvm board, its virtio devices on virtio-mmio.
mmio_check() {
	case $2 in
	interrupts) check_mmio_interrupts "$1" ;;
	virtio-mmio) check_virtio_mmio "$1" ;;
	peer-layout) check_microvm_layout "$1" ;;
	*) board_check "$@" ;;
	esac
}
mmio_boot() { board_boot microvm-pvh-512M microvm "$MMIO_TESTS" mmio_check; }
MMIO_TESTS="iomem ioports cpus interrupts virtio-mmio disk hwrng hvc0 acpi clean-log peer-layout"

# check_ram_from_1m NAME: System RAM from 0x100000 in the guest's iomem.
check_ram_from_1m() {
	grep -Eq '^00100000-[0-9a-f]+ : System RAM$' "$tmp/$1.iomem" ||
		fail "no System RAM from 0x100000 in the guest's iomem"
}

# check_first_bar NAME START-END WHAT: 00:01.0's BAR0 at START-END (hex,
# as iomem writes it), WHAT the peer's name for the area.
check_first_bar() {
	grep -Eq "^ *$2 : 0000:00:01\.0\$" "$tmp/$1.iomem" ||
		fail "00:01.0's BAR0 is not at 0x${2%-*} ($3): '$(grep -E '0000:00:01\.0$' "$tmp/$1.iomem" | head -n 1)'"
}

# check_broiler_layout NAME: the Broiler article's layout (the board's
# header cites it) in the guest's iomem: System RAM from 1 MiB, and the
# first PCI function's BAR at 0xc2000000, kvmtool's KVM_PCI_MMIO_AREA.
check_broiler_layout() {
	check_ram_from_1m "$1"
	check_first_bar "$1" c2000000-c2003fff "kvmtool's PCI MMIO area"
}

# broiler_boot: the broiler board (kvmtool-derived: virtio-pci, an MP
# table and no ACPI), against its own board file, as full_boot the pc.
BROILER_TESTS="iomem ioports cpus interrupts virtio-pci disk hwrng hvc0 clean-log peer-layout"
broiler_check() {
	case $2 in
	interrupts) check_interrupts "$1" ;;
	virtio-pci) check_pci "$1" ;;
	# No ACPI tables on this board (nor on kvmtool's machine): the
	# kernel says so, and that is no complaint.
	clean-log) check_clean_log "$1" 'A valid RSDP was not found' ;;
	peer-layout) check_broiler_layout "$1" ;;
	*) board_check "$@" ;;
	esac
}
broiler_boot() {
	local VIRTIO_DEVS="virtio-blk0:0x1042 virtio-console0:0x1043 virtio-rng0:0x1044"
	board_boot broiler-pvh-512M broiler "$BROILER_TESTS" broiler_check
}

# check_kvmtool_layout NAME: kvmtool's x86 map (kvm-arch.h, the board's
# header cites it) in the guest's iomem: System RAM from 1 MiB, the PCI
# config area KVM_PCI_CFG_AREA reserved, and the first PCI function's BAR
# at KVM_PCI_MMIO_AREA, written here, not taken from the board.
check_kvmtool_layout() {
	check_ram_from_1m "$1"
	grep -Eq '^d1000000-d1ffffff : Reserved$' "$tmp/$1.iomem" ||
		fail "0xd1000000-0xd1ffffff (kvmtool's KVM_PCI_CFG_AREA) is not Reserved in the guest's iomem: '$(grep -E '^d1' "$tmp/$1.iomem")'"
	check_first_bar "$1" d2000000-d2003fff "kvmtool's KVM_PCI_MMIO_AREA"
}

# kvmtool_boot: the kvmtool board (lkvm run's default: virtio-pci, an MP
# table and no ACPI).
KVMTOOL_TESTS="iomem ioports cpus interrupts virtio-pci disk hwrng hvc0 clean-log peer-layout"
kvmtool_check() {
	case $2 in
	peer-layout) check_kvmtool_layout "$1" ;;
	*) broiler_check "$@" ;;
	esac
}
kvmtool_boot() {
	local VIRTIO_DEVS="virtio-blk0:0x1042 virtio-rng0:0x1044 virtio-console0:0x1043"
	board_boot kvmtool-pvh-512M kvmtool "$KVMTOOL_TESTS" kvmtool_check
}

# check_firecracker_layout NAME: Firecracker's x86_64 layout (layout.rs,
# mod.rs, device_manager/mmio.rs, as the board's header cites them): the
# block device in the first 0x1000 slot at MMIO_MEM_START 0xd0000000 on
# IRQ_BASE 5, the entropy device in the next on 6, the RSDP at
# RSDP_ADDR 0xe0000; written here, not taken from the board.
check_firecracker_layout() {
	local name=$1 i base
	for i in 0 1; do
		base=$((0xd0000000 + 0x1000 * i))
		grep -Eq "^ *$(printf '%08x' $base)-[0-9a-f]+ : LNRO0005:0$i\$" "$tmp/$name.iomem" ||
			fail "no LNRO0005:0$i at $(printf '0x%x' $base) (Firecracker's slot $i) in the guest's iomem"
		grep -Eq "^ *[0-9]+: .* IO-APIC +$((5 + i))-(edge|fasteoi) +virtio$i\$" "$tmp/$name.interrupts" ||
			fail "no virtio$i interrupt on IOAPIC pin $((5 + i)) (Firecracker's IRQ_BASE + $i)"
	done
	section "$name" virtio | awk '$4 == "LNRO0005:00" { id0 = $2 } $4 == "LNRO0005:01" { id1 = $2 }
		END { exit !(id0 == "0x0002" && id1 == "0x0004") }' ||
		fail "slot 0 is not the block device and slot 1 the entropy device: $(section "$name" virtio | tr '\n' '|')"
	log_lines "$name" | grep -qi 'ACPI: RSDP 0x00000000000E0000 ' ||
		fail "the RSDP is not at 0xe0000: '$(log_lines "$name" | grep 'ACPI: RSDP')'"
}

# firecracker_boot: the firecracker board (virtio-mmio, hardware-reduced
# ACPI, no virtio console). Inside L1 the guest boots without the CPUID
# hypervisor bit (boot-lib.sh), so without kvm-clock, and this board has
# no PM timer or HPET and Linux drops its PIT (hardware-reduced ACPI):
# nothing to calibrate the TSC against. There the command line gets
# L1's own TSC rate as tsc_early_khz (L2 runs at L1's rate: no TSC
# scaling in the emulated SVM), as kvm-clock would have told the guest.
FIRECRACKER_TESTS="iomem ioports cpus interrupts virtio-mmio disk hwrng acpi clean-log peer-layout"
firecracker_check() {
	case $2 in
	interrupts) check_mmio_interrupts "$1" lapic ;;
	virtio-mmio) check_virtio_mmio "$1" "0x0002 virtio_blk" "0x0004 virtio_rng" ;;
	peer-layout) check_firecracker_layout "$1" ;;
	*) board_check "$@" ;;
	esac
}
# l1_tsc_khz: the TSC rate L1's kernel settled on, in kHz ("" if none).
l1_tsc_khz() {
	dmesg 2>/dev/null | sed -n \
		-e 's/.*tsc: Refined TSC clocksource calibration: \([0-9]*\)\.\([0-9]*\) MHz.*/\1 \2/p' \
		-e 's/.*tsc: Detected \([0-9]*\)\.\([0-9]*\) MHz processor.*/\1 \2/p' |
		tail -n 1 | awk '{ printf "%d", $1 * 1000 + substr($2 "000", 1, 3) }'
}
firecracker_boot() {
	local BOARD_APPEND= khz
	if [ ${#L2_ARGS[@]} != 0 ]; then
		khz=$(l1_tsc_khz)
		[ -n "$khz" ] && BOARD_APPEND="tsc_early_khz=$khz"
	fi
	board_boot firecracker-pvh-512M firecracker "$FIRECRACKER_TESTS" firecracker_check
}

# cloud_boot: the cloud kernel with --cpus 2 (no virtio: its initrd's
# modules are the cloud kernel's, but /init's checks here need none).
cloud_boot() {
	local name=cloud-bzimage-512M out disk status t
	done_before "/linux/full-boot/$name" && return
	if ! out=$(scripts/guest-image.sh --offline --flavour cloud-amd64 2>&1); then
		for t in "" /cpus /interrupts /acpi /clean-log; do
			echo "SKIP /linux/full-boot/$name$t: no cloud kernel in the cache (scripts/guest-image.sh --flavour cloud-amd64 fetches it): $(echo "$out" | tail -n 1)"
		done
		return
	fi
	disk=$(new_disk "$name")
	INITRD=$(echo "$out" | sed -n 's/^INITRD=//p') \
		boot_run "$name" "$(echo "$out" | sed -n 's/^BZIMAGE=//p')" 512M \
		"$APPEND_BASE boardvm.test=$name" "$disk"
	status=$(cat "$tmp/$name.status")
	[ "$status" = 0 ] ||
		fail "exit status $status, expected 0: $(boot_failure "$name")"
	log_lines "$name" | grep -q '^boardvm-init: done$' ||
		fail "/init did not finish: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	report "/linux/full-boot/$name"
	check_cpus "$name"; report "/linux/full-boot/$name/cpus"
	section "$name" interrupts | awk '$1 == "0:" && / IO-APIC +2-edge +timer$/ {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { exit !(n > 0) }' ||
		fail "the timer does not tick on IO-APIC pin 2: '$(section "$name" interrupts | grep timer)'"
	report "/linux/full-boot/$name/interrupts"
	check_acpi "$name"; report "/linux/full-boot/$name/acpi"
	check_clean_log "$name"; report "/linux/full-boot/$name/clean-log"
	echo "  ($name: ${BOOT_SECS}s from launch to exit)"
}

# expect_end NAME STATUS WHEN: the boot ended with STATUS after /init
# finished.
expect_end() {
	local name=$1 want=$2 when=$3 status
	status=$(cat "$tmp/$name.status")
	[ "$status" = "$want" ] ||
		fail "exit status $status $when, expected $want: $(boot_failure "$name")"
	log_lines "$name" | grep -q '^boardvm-init: done$' ||
		fail "/init did not finish: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
}

# The guest's reboot -f resets the machine: status 4 without --reboot.
# nested_reset_skipped NAME: inside the nested L1, a boot whose guest
# resets the machine is skipped, loudly: all four L1 wedges of session 4
# (both of L1's CPUs stuck in kernel mode, below boardvm; a second one in
# the harness's one rerun fails the suite) came in guest-reboot or
# reboot-twice. The reset paths and --reboot stay covered on the host by
# tests/linux/power.sh's freestanding guests. NESTED_RESET_TESTS=1 runs
# them: tests/nested/run.sh -- env NESTED_RESET_TESTS=1
# FULL_BOOT_ONLY=power tests/linux/full-boot.sh
nested_reset_skipped() {
	in_nested_l1 && [ "${NESTED_RESET_TESTS:-}" != 1 ] || return 1
	echo "SKIP /linux/power/$1: a guest reset inside the nested L1 wedges L1 (QEMU TCG's emulated SVM) in about half the runs, see docs/nested.md; NESTED_RESET_TESTS=1 runs it"
}

power_reboot() {
	local name=guest-reboot
	done_before "/linux/power/$name" && return
	if nested_reset_skipped "$name"; then
		return
	fi
	boot_run "$name" "$VMLINUX" 512M "$APPEND_BASE boardvm.end=reboot" \
		"$(new_disk "$name")"
	expect_end "$name" 4 "after the guest's reboot -f"
	report "/linux/power/$name"
}

# With --reboot, a guest that reboots once boots twice, then powers off.
power_reboot_twice() {
	local name=reboot-twice
	done_before "/linux/power/$name" && return
	if nested_reset_skipped "$name"; then
		return
	fi
	boot_run "$name" "$VMLINUX" 512M "$APPEND_BASE boardvm.end=reboot-once" \
		"$(new_disk "$name")" --reboot
	expect_end "$name" 0 "(power-off after the second boot)"
	[ "$(log_lines "$name" | grep -c '^boardvm-init: started$')" = 2 ] ||
		fail "/init started $(log_lines "$name" | grep -c '^boardvm-init: started$') times, expected 2"
	log_lines "$name" | grep -q '^boardvm-init: first boot, rebooting$' &&
		log_lines "$name" | grep -q '^boardvm-init: second boot$' ||
		fail "no first-boot and second-boot lines: $(log_lines "$name" | grep '^boardvm-init: \(first\|second\)' | tr '\n' '|')"
	report "/linux/power/$name"
}

# sigterm_when NAME PATTERN: in the background, once boot NAME's log has
# PATTERN, send its boardvm SIGTERM (and note it in $tmp/NAME.sigterm).
# It watches every attempt of the boot, a retry's too (each writes its
# pid file), until sigterm_watch_end: session 12's CI lost the power
# button test when the first attempt triple-faulted and the watcher,
# which then gave up with that boardvm, never saw the retry wait.
sigterm_when() {
	local name=$1 pattern=$2 pid
	(
		while :; do
			sleep 0.5
			pid=$(cat "$tmp/$name.pid" 2>/dev/null)
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
			grep -q -- "$pattern" "$tmp/$name.log" 2>/dev/null || continue
			kill -TERM "$pid"
			date +%s >"$tmp/$name.sigterm"
			exit 0
		done
	) &
	SIGTERM_WATCHER=$!
}

# sigterm_watch_end: stop sigterm_when's watcher (the boot and its
# retries are over).
sigterm_watch_end() {
	kill "$SIGTERM_WATCHER" 2>/dev/null
	wait "$SIGTERM_WATCHER" 2>/dev/null
}

# SIGTERM once /init waits (boardvm.end=wait): boardvm presses the ACPI
# power button, Linux's button driver reports KEY_POWER, /init runs
# poweroff -f, which enters S5 through the acpi-pm: status 0.
power_button() {
	local name=power-button
	done_before "/linux/power/$name" && return
	sigterm_when "$name" '^boardvm-init: waiting for the power button'
	# A loaded nested L1 is slow: the timeout is not what is tested.
	boot_run "$name" "$VMLINUX" 512M "$APPEND_BASE boardvm.end=wait" \
		"$(new_disk "$name")" --shutdown-timeout 300
	sigterm_watch_end
	[ -f "$tmp/$name.sigterm" ] ||
		fail "/init never waited for the power button: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	log_lines "$name" | grep -q '^boardvm-init: power button: listening on /dev/input/event' ||
		fail "/init found no power button: '$(log_lines "$name" | grep 'power button' | tr '\n' '|')'"
	expect_end "$name" 0 "after SIGTERM pressed the power button"
	grep -q 'Terminated: pressed the power button' "$tmp/$name.err" ||
		fail "boardvm did not press the power button: $(tail -n 3 "$tmp/$name.err" | tr '\n' '|')"
	log_lines "$name" | grep -q '^boardvm-init: power button pressed: powering off$' ||
		fail "the guest did not power off on the button: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	check_clean_log "$name"
	report "/linux/power/$name"
}

# boardvm's stdout a pipe (issue 20: once seen to freeze a nested L1).
console_pipe() {
	local name=stdout-pipe
	done_before "/linux/console/$name" && return
	BOOT_STDOUT=pipe boot_run "$name" "$VMLINUX" 512M \
		"$APPEND_BASE boardvm.test=$name" "$(new_disk "$name")"
	expect_end "$name" 0 "with stdout a pipe"
	report "/linux/console/$name"
}

ALL_TESTS=
for t in pvh-512M pvh-3.5G bzimage-512M bzimage-3.5G; do
	ALL_TESTS+=" /linux/full-boot/$t"
	for s in iomem ioports cpus interrupts virtio-pci disk hwrng hvc0 acpi hypervisor clean-log; do
		ALL_TESTS+=" /linux/full-boot/$t/$s"
	done
done
ALL_TESTS+=" /linux/full-boot/microvm-pvh-512M"
for s in $MMIO_TESTS; do
	ALL_TESTS+=" /linux/full-boot/microvm-pvh-512M/$s"
done
ALL_TESTS+=" /linux/full-boot/broiler-pvh-512M"
for s in $BROILER_TESTS; do
	ALL_TESTS+=" /linux/full-boot/broiler-pvh-512M/$s"
done
ALL_TESTS+=" /linux/full-boot/kvmtool-pvh-512M"
for s in $KVMTOOL_TESTS; do
	ALL_TESTS+=" /linux/full-boot/kvmtool-pvh-512M/$s"
done
ALL_TESTS+=" /linux/full-boot/firecracker-pvh-512M"
for s in $FIRECRACKER_TESTS; do
	ALL_TESTS+=" /linux/full-boot/firecracker-pvh-512M/$s"
done
ALL_TESTS+=" /linux/full-boot/cloud-bzimage-512M /linux/full-boot/cloud-bzimage-512M/cpus /linux/full-boot/cloud-bzimage-512M/interrupts"
ALL_TESTS+=" /linux/full-boot/cloud-bzimage-512M/acpi /linux/full-boot/cloud-bzimage-512M/clean-log"
ALL_TESTS+=" /linux/power/guest-reboot /linux/power/reboot-twice /linux/power/power-button /linux/console/stdout-pipe"

skip_all() {
	for t in $ALL_TESTS; do
		echo "SKIP $t: $1"
	done
	exit 0
}

if ! host_hw_virt; then
	if nested_available; then
		echo "full-boot: no vmx/svm here; these tests run inside the nested-KVM L1 (tests/nested/suite.sh, /nested/linux/...)"
		exit 0
	fi
	skip_all "no vmx or svm in /proc/cpuinfo and no nested-KVM run (tests/nested: needs qemu-system-x86_64): KVM here runs guest kernel code in its instruction emulator, which cannot run Linux userspace"
fi
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip_all "/dev/kvm not available"
[ -x "$BOARDVM" ] || skip_all "$BOARDVM not built (make BOARD=pc)"
find_kernel || skip_all "$IMAGE_WHY"

# Every boot has no_timer_check: Linux's IO-APIC timer check counts PIT
# ticks against 10 jiffies of TSC and fails ("8254 timer not connected")
# whenever the nested L1 is starved for CPU (seen in 4 of about 30 runs on
# a loaded 2-core host), which would make the suite flaky. What the check
# guarded is asserted directly instead: the interrupts test requires the
# timer to tick on IOAPIC pin 2 (with the wrong GSI routing it does not:
# GSI 0 went to pin 0), and clean-log still rejects every other complaint.
APPEND_BASE+=" no_timer_check"
# FULL_BOOT_ONLY=mmio: the microvm boot alone (a quicker nested check of
# the virtio-mmio boot; make test runs everything).
# FULL_BOOT_ONLY=broiler: the broiler board's boot alone.
# FULL_BOOT_ONLY=kvmtool, =firecracker: that board's boot alone.
# FULL_BOOT_ONLY=power: the reboot, power-button and console boots alone.
if [ "${FULL_BOOT_ONLY:-}" = mmio ]; then
	mmio_boot
	exit 0
fi
if [ "${FULL_BOOT_ONLY:-}" = broiler ]; then
	broiler_boot
	exit 0
fi
if [ "${FULL_BOOT_ONLY:-}" = kvmtool ]; then
	kvmtool_boot
	exit 0
fi
if [ "${FULL_BOOT_ONLY:-}" = firecracker ]; then
	firecracker_boot
	exit 0
fi
if [ "${FULL_BOOT_ONLY:-}" = power ]; then
	power_reboot
	power_reboot_twice
	power_button
	console_pipe
	exit 0
fi
full_boot pvh-512M "$VMLINUX" 512M pvh
if [ "${SANITIZE:-}" = 1 ]; then
	for t in $ALL_TESTS; do
		case $t in /linux/full-boot/pvh-512M*) continue ;; esac
		echo "SKIP $t: SANITIZE=1 boots only pvh-512M; the plain 'make test' boots all"
	done
	exit 0
fi
full_boot pvh-3.5G "$VMLINUX" 3.5G pvh
full_boot bzimage-512M "$BZIMAGE" 512M bzimage
full_boot bzimage-3.5G "$BZIMAGE" 3.5G bzimage
mmio_boot
broiler_boot
kvmtool_boot
firecracker_boot
cloud_boot
power_reboot
power_reboot_twice
power_button
console_pipe
