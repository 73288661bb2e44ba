#!/usr/bin/env bash
# Acceptance: a stock Debian kernel boots on the pc board, and its early
# log says it got the machine the board describes: the banner, the command
# line as passed, the e820 map of `boardc map --section e820` for that
# --mem (512M, and 3.5G split around the PCI hole), and at 512M the MP
# table's 2 CPUs and IOAPIC at the board's address, or on a board with
# ACPI tables the MADT's (check_madt; at 3.5G the boot stops
# after the e820 map: memory setup before the MP table takes minutes more
# in the emulator). Each VM is stopped as soon as its log has the lines
# (bounded by BOOT_TIMEOUT), two at a time.
#
# Boots: PVH (the vmlinux) at 512M and 3.5G, and the bzImage at 512M and
# 3.5G. On a host without vmx/svm, KVM runs guest kernel code in its
# instruction emulator (~0.25 us per instruction): PVH reaches the MP
# table in a few minutes, but the bzImage's xz decompressor needs about an
# hour to unpack the 65 MB kernel. There the bzImage tests check that the
# decompressor starts and keeps running (SIGQUIT dumps), and the log
# assertions are SKIPped with that reason.
#
# Under SANITIZE=1 only the PVH 512M boot runs: the plain run covers the
# rest, and CI runs both within its time.
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

MP_DONE='^(\[ *[0-9.]+\] )?Processors: [0-9]+'
# A board with ACPI tables: Linux takes its CPUs and IOAPICs from the
# MADT instead (and skips the MP table).
if "$BOARDC" acpi "$BOARD_FILE" >/dev/null 2>&1; then
	BOARD_ACPI=1
	MP_DONE='^(\[ *[0-9.]+\] )?smpboot: Allowing [0-9]+ CPUs'
fi
# Printed right after the e820 map (the first lines after the banner).
E820_DONE='^(\[ *[0-9.]+\] )?NX \(Execute Disable\) protection'
IOAPIC_BASE=$("$BOARDC" map --section iomem "$BOARD_FILE" |
	sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : ioapic$/\1/p')

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

# check_log NAME MEM HOW APPEND [MP]: the assertions on one boot's log;
# with MP, the MP table's lines too.
check_log() {
	local name=$1 mem=$2 how=$3 append=$4 mp=${5:-} got want
	log_lines "$name" >"$tmp/$name.lines"
	grep -q '^Linux version ' "$tmp/$name.lines" ||
		fail "no 'Linux version' banner in the serial log: $(head -c 300 "$tmp/$name.log" | tr '\n' '|')"
	got=$(sed -n 's/^Command line: //p' "$tmp/$name.lines")
	[ "$got" = "$append" ] ||
		fail "Command line: '$got', passed '$append' ($(grep -c '^Linux version ' "$tmp/$name.lines") 'Linux version' lines, $(grep -c '^Command line: ' "$tmp/$name.lines") 'Command line' lines; log head: $(head -n 12 "$tmp/$name.lines" | tr '\n' '|'))"
	grep '^BIOS-e820: ' "$tmp/$name.lines" >"$tmp/$name.e820"
	e820_expected "$mem" "$how" >"$tmp/$name.want"
	if ! diff -u "$tmp/$name.want" "$tmp/$name.e820" >"$tmp/$name.diff"; then
		fail "e820 differs from boardc map --section e820 --mem $mem$([ "$how" = pvh ] && echo ' + the ISA hole PVH adds'): $(tail -n +3 "$tmp/$name.diff" | tr '\n' '|')"
	fi
	[ -n "$mp" ] || return 0
	if [ -n "${BOARD_ACPI:-}" ]; then
		check_madt "$name"
		return
	fi
	grep -q '^Processor #0 (Bootup-CPU)' "$tmp/$name.lines" ||
		fail "MP table: no 'Processor #0 (Bootup-CPU)'"
	grep -q '^Processor #1$' "$tmp/$name.lines" ||
		fail "MP table: no 'Processor #1' (--cpus 2)"
	grep -q '^Processors: 2$' "$tmp/$name.lines" ||
		fail "MP table: '$(grep '^Processors:' "$tmp/$name.lines")', expected 'Processors: 2'"
	grep -Eq "^IOAPIC\[0\]: apic_id 2, version [0-9]+, address 0x$IOAPIC_BASE, GSI 0-23$" "$tmp/$name.lines" ||
		fail "MP table: no IOAPIC[0] at the board's 0x$IOAPIC_BASE: '$(grep '^IOAPIC' "$tmp/$name.lines")'"
}

# check_madt NAME: the kernel read the board's ACPI tables: the RSDP where
# boardc put it, the MADT's 2 CPUs (--cpus 2 of cpus max) and IOAPIC at
# the board's address, IRQ0 overridden to GSI 2.
check_madt() {
	local name=$1 rsdp
	rsdp=$("$BOARDC" acpi "$BOARD_FILE" | sed -n 's/^RSDP @ 0x0*\([0-9a-f]*\)$/\1/p')
	grep -qi "^ACPI: RSDP 0x0*$rsdp " "$tmp/$name.lines" ||
		fail "ACPI: no 'ACPI: RSDP 0x...$rsdp': '$(grep 'RSDP' "$tmp/$name.lines" | head -n 1)'"
	grep -q '^ACPI: Using ACPI (MADT) for SMP configuration information$' "$tmp/$name.lines" ||
		fail "ACPI: the kernel did not use the MADT for SMP"
	grep -q '^smpboot: Allowing 2 CPUs, 0 hotplug CPUs$' "$tmp/$name.lines" ||
		fail "ACPI: '$(grep '^smpboot: Allowing' "$tmp/$name.lines")', expected 'smpboot: Allowing 2 CPUs, 0 hotplug CPUs'"
	grep -Eq "^IOAPIC\[0\]: apic_id [0-9]+, version [0-9]+, address 0x$IOAPIC_BASE, GSI 0-23$" "$tmp/$name.lines" ||
		fail "ACPI: no IOAPIC[0] at the board's 0x$IOAPIC_BASE: '$(grep '^IOAPIC' "$tmp/$name.lines")'"
	grep -q '^ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 2 dfl dfl)$' "$tmp/$name.lines" ||
		fail "ACPI: no override of IRQ0 to GSI 2"
}

# boot_test NAME KERNEL MEM HOW: start one boot (HOW: pvh or bzimage);
# boot_check NAME MEM HOW: wait for it, stop it, check its log.
boot_test() {
	local name=$1 kernel=$2 mem=$3 how=$4
	local append="$APPEND_BASE boardvm.test=$name"
	boot_start "$name" "$kernel" "$mem" "$append"
	echo "$append" >"$tmp/$name.append"
	echo "$kernel" >"$tmp/$name.kernel"
}

# boot_check NAME MEM HOW [mp]: up to the e820 map, or with mp up to the
# MP table (which a large --mem reaches much later: memory setup runs in
# the emulator on hosts without vmx/svm).
boot_check() {
	local name=$1 mem=$2 how=$3 mp=${4:-} pattern=$E820_DONE seen
	[ -n "$mp" ] && pattern=$MP_DONE
	boot_watch "$name" "$pattern"
	seen=$?
	while [ "$seen" != 0 ] && boot_flaked "$name"; do
		boot_start "$name" "$(cat "$tmp/$name.kernel")" "$mem" \
			"$(cat "$tmp/$name.append")"
		boot_watch "$name" "$pattern"
		seen=$?
	done
	if [ "$seen" != 0 ]; then
		fail "no /$pattern/ line after ${BOOT_SECS}s (BOOT_TIMEOUT=$BOOT_TIMEOUT); stderr: $(grep -v 'unmapped' "$tmp/$name.err" | tail -n 12 | tr '\n' '|'); log tail: $(tail -n 3 "$tmp/$name.log" | tr '\n' '|')"
	else
		check_log "$name" "$mem" "$how" "$(cat "$tmp/$name.append")" "$mp"
	fi
	report "/linux/boot/$name"
}

# The bzImage where the decompressor cannot finish in time: it must start
# (nokaslr makes it print a line) and be running, not stopped or stuck.
bzimage_emulated() {
	local name=bzimage-start pid rip1 rip2
	pid=$(cat "$tmp/$name.pid")
	if ! BOOT_TIMEOUT=120 boot_watch_keep "$name" "KASLR disabled: 'nokaslr' on cmdline"; then
		fail "the bzImage decompressor printed nothing in ${BOOT_SECS}s: $(grep -v unmapped "$tmp/$name.err" | tail -n 14 | tr '\n' '|')"
	else
		kill -QUIT "$pid"
		sleep 5
		kill -QUIT "$pid"
		# The dump is written when vCPU 0 next leaves KVM_RUN: wait
		# for it (bounded) instead of guessing, a loaded host is slow.
		for _ in $(seq 60); do
			[ -n "$(dump_regs 2)" ] && break
			sleep 0.5
		done
		rip1=$(dump_regs 1 | sed -n 's/^  rip \([0-9a-f]*\) .*/\1/p')
		rip2=$(dump_regs 2 | sed -n 's/^  rip \([0-9a-f]*\) .*/\1/p')
		kill -0 "$pid" 2>/dev/null ||
			fail "boardvm stopped during decompression: $(grep -v unmapped "$tmp/$name.err" | tail -n 14 | tr '\n' '|')"
		[ -n "$rip1" ] && [ -n "$rip2" ] ||
			fail "no SIGQUIT register dumps on stderr"
		[ "$(dump_regs 1)" != "$(dump_regs 2)" ] ||
			fail "the decompressor's registers did not change in 5s: stuck? $(dump_regs 1 | tr '\n' '|')"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	report /linux/boot/bzimage-decompressor-runs
	BZ_RIP=${rip1:-?}
}

# The rip and rax..rdx lines of vCPU 0's SIGQUIT dump N in
# bzimage-start.err (vCPU 1 waits for its SIPI meanwhile).
dump_regs() {
	awk -v n="$1" '/SIGQUIT dump/ { d = 0 } /vCPU 0: SIGQUIT dump/ { c++; d = 1 }
		d && c == n && /^  r(ip|ax) / { print }' "$tmp/bzimage-start.err"
}

# boot_watch without stopping the VM.
boot_watch_keep() {
	local name=$1 pattern=$2 pid start
	pid=$(cat "$tmp/$name.pid")
	start=$(cat "$tmp/$name.start")
	while ! grep -q -- "$pattern" "$tmp/$name.log"; do
		BOOT_SECS=$(($(date +%s) - start))
		kill -0 "$pid" 2>/dev/null || return 1
		[ "$BOOT_SECS" -lt "$BOOT_TIMEOUT" ] || return 1
		sleep 0.5
	done
	BOOT_SECS=$(($(date +%s) - start))
}

skip_all() {
	for t in pvh-512M pvh-3.5G bzimage-512M bzimage-3.5G; do
		echo "SKIP /linux/boot/$t: $1"
	done
	exit 0
}

[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip_all "/dev/kvm not available"
[ -x "$BOARDVM" ] || skip_all "$BOARDVM not built (make BOARD=pc)"
find_kernel || skip_all "$IMAGE_WHY"

if [ "${SANITIZE:-}" = 1 ]; then
	boot_test pvh-512M "$VMLINUX" 512M pvh
	boot_check pvh-512M 512M pvh mp
	for t in pvh-3.5G bzimage-512M bzimage-3.5G; do
		echo "SKIP /linux/boot/$t: SANITIZE=1 boots only pvh-512M; the plain 'make test' boots all four"
	done
	exit 0
fi

# Two VMs at a time (2 cores): the 3.5G boots stop after the e820 map,
# the 512M ones go on to the MP table.
boot_test pvh-512M "$VMLINUX" 512M pvh
boot_test pvh-3.5G "$VMLINUX" 3.5G pvh
boot_check pvh-3.5G 3.5G pvh
if host_hw_virt; then
	boot_test bzimage-3.5G "$BZIMAGE" 3.5G bzimage
	boot_check pvh-512M 512M pvh mp
	boot_test bzimage-512M "$BZIMAGE" 512M bzimage
	boot_check bzimage-3.5G 3.5G bzimage
	boot_check bzimage-512M 512M bzimage mp
else
	# The decompressor runs beside the PVH 512M boot only until it has
	# shown it runs (a minute or two), so the two share a core briefly.
	boot_start bzimage-start "$BZIMAGE" 512M "$APPEND_BASE nokaslr"
	bzimage_emulated
	boot_check pvh-512M 512M pvh mp
	for t in bzimage-512M bzimage-3.5G; do
		if nested_available; then
			echo "boot: /linux/boot/$t runs inside the nested-KVM L1 (/nested/linux/boot/$t): the bzImage's decompressor needs hardware virtualization"
			continue
		fi
		echo "SKIP /linux/boot/$t: no vmx/svm in /proc/cpuinfo: KVM emulates every guest kernel instruction here, and the bzImage's xz decompressor (running, rip $BZ_RIP, see /linux/boot/bzimage-decompressor-runs) needs about an hour to unpack the kernel; the PVH boots check the same log lines"
	done
fi
