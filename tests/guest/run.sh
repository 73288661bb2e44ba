#!/usr/bin/env bash
# Guest tests: freestanding guests (tests/guest/*.c) run under the real
# boardvm of their board; each test compares the exit status, the serial
# output (stdout) and, where it matters, stderr (logs, --stats lines).
# Without a usable /dev/kvm every guest test is a SKIP, never a PASS; the
# command-line tests need no KVM.
#
# Built by `make guests` (tests/guest/guest-tests.mk); BUILD comes from
# the Makefile (build or build/san).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/lib/wait.sh
LOAD_ADDR=0x100000
TIMEOUT=30
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- running one VM -------------------------------------------------------

# run_cli BOARD [OPTIONS...]: boardvm with these options; sets STATUS and OUT
# (stdout); stderr is in $tmp/err. stdin is $STDIN (/dev/null unless a test
# sets it).
STDIN=/dev/null
run_cli() {
	local board=$1
	shift
	timeout -k 5 "$TIMEOUT" "$BUILD/$board/boardvm" "$@" \
		<"$STDIN" >"$tmp/out" 2>"$tmp/err"
	STATUS=$?
	OUT=$(cat "$tmp/out")
}

# run_vm BOARD GUEST [OPTIONS...]: the guest tests/guest/GUEST.c, built
# for BOARD, under that board's boardvm.
run_vm() {
	local board=$1 guest=$2
	shift 2
	run_cli "$board" --flat "$BUILD/guest/$board/$guest.bin@$LOAD_ADDR" "$@"
}

# --- expectations: the first one that fails names the test's failure ------

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }

expect_status() {
	[ "$STATUS" -eq "$1" ] ||
		fail "exit status $STATUS, expected $1; stderr: $(tail -n 3 "$tmp/err" | tr '\n' '|')"
}

expect_out() {
	[ "$OUT" = "$1" ] ||
		fail "serial output '$(echo "$OUT" | tr '\n' '|')', expected '$(echo "$1" | tr '\n' '|')'"
}

expect_err() {
	grep -Eq -- "$1" "$tmp/err" || fail "stderr lacks /$1/"
}

expect_no_err() {
	! grep -Eq -- "$1" "$tmp/err" || fail "stderr has /$1/: $(grep -E -m1 -- "$1" "$tmp/err")"
}

# test NAME FUNCTION: run it, print PASS or FAIL.
run_test() {
	WHY= NOTE=
	"$2"
	if [ -z "$WHY" ]; then
		echo "PASS $1${NOTE:+ ($NOTE)}"
	else
		echo "FAIL $1: $WHY"
	fi
}

# --- is KVM usable here? --------------------------------------------------

kvm_why=
if [ ! -e /dev/kvm ]; then
	kvm_why="/dev/kvm not available"
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	kvm_why="/dev/kvm not available (no read/write permission)"
else
	run_vm minimal hello
	if grep -Eq 'cannot open KVM device|is not KVM|not a character device|speaks KVM API version|KVM_CREATE_VM|KVM lacks' "$tmp/err"; then
		kvm_why="/dev/kvm not available ($(head -n 1 "$tmp/err"))"
	fi
fi

# guest_test NAME FUNCTION: a test that needs KVM.
guest_test() {
	if [ -n "$kvm_why" ]; then
		echo "SKIP $1: $kvm_why"
	else
		run_test "$@"
	fi
}

# --- the tests -------------------------------------------------------------

t_hello_minimal() {
	run_vm minimal hello
	expect_status 33
	expect_out "hello from minimal"
}

# Console input through the I/O thread: a pipe on stdin, then EOF.
t_uart_echo() {
	printf 'hello, guest\n' >"$tmp/in"
	STDIN=$tmp/in
	run_vm minimal uart-echo
	STDIN=/dev/null
	expect_status 33
	expect_out "got: hello, guest"
}

t_halt() {
	run_vm minimal halt
	expect_status 0
	expect_out "halting"
}

t_access_sizes() {
	run_vm bindings access-sizes
	expect_status 33
	expect_out $'ports: 1, 2, 4 bytes ok\nmmio: 1, 2, 4, 8 bytes ok'
}

t_sync_read() {
	run_vm bindings sync-read --stats
	expect_status 33
	expect_out "sync doorbells: 100 port rings, 3 mmio rings, all seen at once"
	expect_err '^stats: region pio-sync\.doorbell sync exits=100 reads=0 writes=100 '
	expect_err '^stats: region pio-sync\.status sync exits=2 reads=2 writes=0 '
}

t_stats_suggestion() {
	run_vm bindings sync-read --stats
	expect_err '^stats: suggestion: pio-sync\.doorbell \(boards/bindings\.yaml:[0-9]+:[0-9]+\) took 100 write-only exits: bind it async or coalesced in the board to save 100 exits$'
	# Reads, or regions whose type allows only sync, get no suggestion.
	expect_no_err 'suggestion: (pio-sync\.status|mmio-sync|com1)'
}

t_async_doorbell() {
	run_vm bindings async-doorbell --stats
	expect_status 33
	expect_out "async doorbells: 64 port and 64 mmio rings delivered"
}

# The proof that async doorbells never exit to userspace on the vCPU: the
# doorbell regions show 0 exits and every ring as an I/O-thread notify.
t_async_no_exit() {
	run_vm bindings async-doorbell --stats
	expect_err '^stats: region pio-bell\.doorbell async exits=0 reads=0 writes=0 notifies=64 '
	expect_err '^stats: region mmio-bell\.doorbell async exits=0 reads=0 writes=0 notifies=64 '
}

t_coalesced() {
	run_vm bindings coalesced --stats
	expect_status 33
	expect_out "coalesced: 40 port and mmio writes replayed in order"
	# 40 buffered writes each, only the 2 reads exited.
	expect_err '^stats: region pio-bell\.fifo coalesced exits=2 reads=2 writes=0 notifies=0 coalesced=40 '
	expect_err '^stats: region mmio-bell\.fifo coalesced exits=2 reads=2 writes=0 notifies=0 coalesced=40 '
}

t_unmapped() {
	run_vm bindings unmapped --stats
	expect_status 33
	expect_out "unmapped: reads all-ones, writes dropped"
	expect_err '^boardvm: unmapped write to port 0x700 '
	# Each address names what of the board it falls in, with its position.
	expect_err '^boardvm: unmapped write to address 0xd0100000 \(size 4\) in MMIO window devices 0xd0000000-0xdfffffff \(boards/bindings\.yaml:[0-9]+:[0-9]+\), where no device or BAR is mapped; '
	expect_err '^boardvm: unmapped write to address 0x20000000 \(size 1\) in RAM region low-ram 0x0-0xbfffffff \(boards/bindings\.yaml:[0-9]+:[0-9]+\), past the RAM --mem fills there; '
	expect_err '^stats: unmapped reads=6 writes=3$'
}

t_kbd_reset() {
	run_vm bindings kbd-reset
	expect_status 4
	expect_out "resetting through the i8042"
}

t_triple_fault() {
	run_vm bindings triple-fault
	expect_status 4
	expect_out "triple fault ahead"
	expect_err 'triple fault'
}

t_uart_loopback() {
	run_vm bindings uart-loopback
	expect_status 33
	expect_out "uart loopback: 4 bytes back in order"
}

t_uart_irq() {
	run_vm bindings uart-irq
	expect_status 33
	expect_out "uart irq: THR-empty interrupt on vector 0x30"
}

t_string_io() {
	run_vm bindings string-io --stats
	expect_status 33
	expect_out $'string io: rep outsb to COM1\nstring io: 16 bytes out, 8 bytes in'
	# Every byte reaches the device. KVM batches `rep insb` into one exit
	# (count 8: the outl and the insb are the region's 2 exits); how many
	# exits `rep outsb` takes is KVM's choice (one per byte when emulated).
	expect_err '^stats: region pio-sync\.fifo sync exits=[0-9]+ reads=2 writes=16 '
	expect_err '^stats: region pio-sync\.status sync exits=2 reads=8 writes=1 '
}

t_smp() {
	run_vm bindings smp --cpus 2 --stats
	expect_status 33
	expect_out $'cpu 1 up\ncpu 0 up, saw cpu 1'
	expect_err '^stats: vcpu 1 exits=[1-9]'
}

t_trace_io() {
	run_vm minimal hello --trace-io
	expect_status 33
	expect_err '^trace-io: vcpu0 pio write 0x3f8 len 1 data 0x68 -> com1\.regs\+0x0 THR \(sync\)$'
	expect_err '^trace-io: vcpu0 pio write 0x501 len 1 data 0x21 .*debug-exit\.exit'
}

t_sigterm() {
	local pid
	timeout -k 5 "$TIMEOUT" "$BUILD/bindings/boardvm" --cpus 2 \
		--flat "$BUILD/guest/bindings/spin.bin@$LOAD_ADDR" \
		</dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for spinning "$tmp/out"
	kill -TERM "$pid"
	wait "$pid"
	STATUS=$?
	OUT=$(cat "$tmp/out")
	expect_status 143
	expect_out "spinning"
	expect_err '^boardvm: Terminated: stopping$'
}

# RAM split over the pc board's regions, backed reserved ranges mapped,
# unbacked ones and the PCI window left as holes; 8 vCPUs.
t_pc_ram_map() {
	run_vm pc ram-map --mem 3.5G --cpus 8 --stats
	expect_status 33
	expect_out "ram map: base-ram, ebda, option-roms, bios-rom, low-ram are memory; vga, pci are holes"
	expect_err '^stats: vcpu 7 exits=0 '
	expect_err '^stats: unmapped reads=2 writes=2$'
}

# With 512M, low-ram ends well before 3 GiB: the same probe finds a hole.
t_pc_ram_small() {
	run_vm pc ram-map --mem 512M
	expect_status 34
	expect_out "low-ram end: not memory"
}

# A PCI BAR moved by the guest: the device answers at the new place, its
# old doorbell is gone from KVM (the write exits and is logged unmapped),
# the new one is an ioeventfd (no exit, no log); moves onto another BAR
# and into RAM are refused and logged.
t_pc_pci_bar_move() {
	run_vm pc pci-bar-move
	expect_status 33
	expect_out $'moved\nrefused\nmoved again'
	expect_err 'unmapped write to address 0xc000f000 '
	expect_no_err 'address 0xc8003000'
	expect_err 'virtio-rng0 .*moved BAR0 to 0xc0004000-0xc0007fff, which is refused: BAR0 of virtio-blk0 at 0xc0004000'
	expect_err 'moved BAR0 to 0x10000000-0x10003fff, which is refused: outside the board'
}

t_flat_outside_ram() {
	run_cli minimal --mem 64M --flat "$BUILD/guest/minimal/hello.bin@0x8000000"
	expect_status 1
	expect_err "not all in guest RAM below 4 GiB \(board minimal, --mem 67108864\)"
}

# cx16 is hidden by default; the list replaces the default; -name shows.
# The hypervisor bit is set, with KVM's leaves behind it, unless hidden.
t_cpuid_hide() {
	local list want hv='hypervisor on KVMKVMKVM'
	for case in ":cx16 off|$hv" "none:cx16 on|$hv" \
		    "default,-cx16:cx16 on|$hv" "-cx16:cx16 on|$hv" \
		    "popcnt:cx16 on|$hv" "none,cx16:cx16 off|$hv" \
		    "default,hypervisor:cx16 off|hypervisor off"; do
		list=${case%%:*} want=${case#*:}
		run_vm minimal cpuid ${list:+--cpuid-hide "$list"}
		expect_status 33
		[ "$(echo "$OUT" | paste -sd '|')" = "$want" ] ||
			fail "--cpuid-hide '$list': guest says '$(echo "$OUT" | paste -sd '|')', expected '$want'"
	done
}

# Command line: no KVM needed, errors exit 1 with a message naming the value.
t_cli_help() {
	run_cli bindings --help
	expect_status 0
	for opt in --mem --cpus --flat --kernel --initrd --append --trace-io \
		   --stats --cpuid-hide --version --help; do
		echo "$OUT" | grep -q -- "$opt" || fail "--help lacks $opt"
	done
	echo "$OUT" | grep -q '4  the guest reset' || fail "--help lacks exit statuses"
}

t_cli_version() {
	run_cli bindings --version
	expect_status 0
	expect_out "boardvm 0.1, board bindings (boards/bindings.yaml)"
}

t_cli_bad_cpus() {
	run_cli bindings --cpus 5 --flat x@0x100000
	expect_status 1
	expect_err "^boardvm: --cpus '5': board bindings allows 1 to 4 vCPUs"
}

t_cli_bad_mem() {
	run_cli bindings --mem 12345 --flat x@0x100000
	expect_status 1
	expect_err "^boardvm: --mem '12345': expected a size"
}

t_cli_mem_too_big() {
	run_cli minimal --mem 4G --flat x@0x100000
	expect_status 1
	expect_err "^boardvm: --mem 4G is more than the 3G the board's RAM regions hold \(with the reserved ranges between them\): give at most 3G \(board minimal, boards/minimal.yaml; boardc map --mem shows the layout\)$"
}

t_cli_bad_flat() {
	run_cli bindings --flat guest.bin
	expect_status 1
	expect_err "^boardvm: --flat 'guest.bin': expected FILE@ADDR"
}

t_cli_no_boot() {
	run_cli bindings
	expect_status 1
	expect_err "^boardvm: nothing to boot"
}

t_cli_initrd_alone() {
	run_cli pc --initrd x.img --flat x@0x100000
	expect_status 1
	expect_err "^boardvm: --initrd needs --kernel$"
}

t_cli_two_loaders() {
	run_cli pc --kernel bzImage --flat x@0x100000
	expect_status 1
	expect_err "^boardvm: --flat and --kernel both given"
}

# The Linux loader's own message (vmm/boot-linux.c), status 1.
t_kernel_missing() {
	run_cli pc --kernel "$tmp/no-such-bzImage"
	expect_status 1
	expect_err "^boardvm: cannot open kernel '$tmp/no-such-bzImage': No such file or directory$"
}

t_cli_cpuid_unknown() {
	run_cli bindings --cpuid-hide cx16,sse9 --flat x@0x100000
	expect_status 1
	expect_err "^boardvm: --cpuid-hide: unknown feature 'sse9'"
}

run_test /guest/cli/help t_cli_help
run_test /guest/cli/version t_cli_version
run_test /guest/cli/bad-cpus t_cli_bad_cpus
run_test /guest/cli/bad-mem t_cli_bad_mem
run_test /guest/cli/mem-too-big t_cli_mem_too_big
run_test /guest/cli/bad-flat t_cli_bad_flat
run_test /guest/cli/no-boot t_cli_no_boot
run_test /guest/cli/cpuid-hide-unknown t_cli_cpuid_unknown
run_test /guest/cli/initrd-alone t_cli_initrd_alone
run_test /guest/cli/two-loaders t_cli_two_loaders

guest_test /guest/minimal/hello t_hello_minimal
guest_test /guest/minimal/halt t_halt
guest_test /guest/minimal/uart-echo t_uart_echo
guest_test /guest/minimal/trace-io t_trace_io
guest_test /guest/minimal/cpuid-hide t_cpuid_hide
guest_test /guest/minimal/flat-outside-ram t_flat_outside_ram
guest_test /guest/pc/ram-map t_pc_ram_map
guest_test /guest/pc/kernel-missing t_kernel_missing
guest_test /guest/pc/ram-small t_pc_ram_small
guest_test /guest/pc/pci-bar-move t_pc_pci_bar_move
guest_test /guest/bindings/access-sizes t_access_sizes
guest_test /guest/bindings/sync-read t_sync_read
guest_test /guest/bindings/stats-suggestion t_stats_suggestion
guest_test /guest/bindings/async-doorbell t_async_doorbell
guest_test /guest/bindings/async-no-exit t_async_no_exit
guest_test /guest/bindings/coalesced t_coalesced
guest_test /guest/bindings/unmapped t_unmapped
guest_test /guest/bindings/kbd-reset t_kbd_reset
guest_test /guest/bindings/triple-fault t_triple_fault
guest_test /guest/bindings/uart-loopback t_uart_loopback
guest_test /guest/bindings/uart-irq t_uart_irq
guest_test /guest/bindings/string-io t_string_io
guest_test /guest/bindings/smp t_smp
guest_test /guest/bindings/sigterm t_sigterm

# virtio-pci through the guest driver (tests/guest/virtio/).
. tests/guest/virtio/tests.sh
exit 0
