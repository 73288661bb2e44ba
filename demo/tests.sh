#!/usr/bin/env bash
# Tests of `make demo` on the pc board: the tour guest (demo/tour.c) runs
# to its end, finds each device where pc's board.h says it is, and the
# async doorbell costs no exit while the sync one costs one per ring
# (boardvm --stats); demo/run.sh prints the map, the tour and the counts.
# Without a usable /dev/kvm every test is a SKIP.
#
# Built by `make test` (demo/demo.mk); BUILD comes from the Makefile.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VMM=$BUILD/pc/boardvm
TOUR=$BUILD/demo/pc/tour.bin
BOARDC=$BUILD/boardc/boardc
LOAD_ADDR=0x100000
RINGS=1000			# TOUR_BATCHES * TOUR_BATCH_RINGS in tour.c
HEADER=generated/pc/board.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

TESTS="/demo/tour/runs /demo/tour/serial /demo/tour/i8042 /demo/tour/rtc
/demo/tour/kernel_chips /demo/tour/pci /demo/tour/doorbells
/demo/tour/async_no_exit /demo/tour/coalesced /demo/run_sh"

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	for t in $TESTS; do
		echo "SKIP $t: /dev/kvm not available"
	done
	exit 0
fi

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }

# expect_line REGEX: the tour printed a line matching it.
expect_line() {
	grep -Eq -- "$1" "$tmp/out" || fail "the tour printed no line /$1/"
}

run_test() {
	WHY=
	"$2"
	if [ -z "$WHY" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $WHY"
	fi
}

# board_macro NAME: the value of #define NAME in pc's board.h (auto-placed
# devices move when the board changes: the tour must follow the header).
board_macro() {
	awk -v name="$1" '$1 == "#define" && $2 == name { print $3 }' "$HEADER"
}
DOORBELL0=$(board_macro BOARD_DOORBELL0_MMIO_BASE)
DOORBELL1=$(board_macro BOARD_DOORBELL1_MMIO_BASE)

timeout -k 5 60 "$VMM" --stats --flat "$TOUR@$LOAD_ADDR" </dev/null \
	>"$tmp/out" 2>"$tmp/err"
STATUS=$?

t_runs() {
	[ "$STATUS" -eq 33 ] ||
		fail "exit status $STATUS, expected 33; $(grep -v '^stats' "$tmp/err" | tail -n 2 | tr '\n' '|') $(grep FAIL "$tmp/out")"
	expect_line "^boardvm tour of board 'pc', from inside the guest$"
	expect_line '^end of the tour: writing 33 to debug-exit$'
	! grep -q '^stats: unmapped reads=0 writes=0$' "$tmp/err" &&
		fail "the tour touched unmapped addresses: $(grep unmapped "$tmp/err")"
}

# Every UART of pc answers at its board.h port with a working scratch
# register (the probe fails on an unmapped port: it reads 0xff).
t_serial() {
	local port name base irq
	for port in com1:0x3f8:4 com2:0x2f8:3 com3:0x3e8: com4:0x2e8:; do
		IFS=: read -r name base irq <<<"$port"
		if [ -n "$irq" ]; then irq="irq $irq"; else irq="no irq"; fi
		expect_line "^$name +port $base $irq +scratch 0xa5 -> 0xa5, LSR 0x60: a 16550"
	done
}

t_i8042() {
	expect_line '^kbd +ports 0x60/0x64 irq 1 +self-test \(0xaa\) -> 0x55: passed$'
}

t_rtc() {
	expect_line "^rtc +ports 0x70/0x71 irq 8 +20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] \(the host's UTC; BCD, 24-hour\)$"
	# the guest's date is the host's UTC date (give or take midnight)
	grep -q " $(date -u +%Y-%m-%d) " "$tmp/out" ||
		grep -q " $(date -u -d '1 min ago' +%Y-%m-%d) " "$tmp/out" ||
		fail "the RTC's date is not today's ($(date -u +%Y-%m-%d) UTC)"
}

t_kernel_chips() {
	expect_line '^ioapic mmio 0xfec00000 +id 0, version 0x11, 24 pins \(board: irqs 24\)$'
	expect_line '^lapic +mmio 0xfee00000 +id 0 \(this vCPU\)'
	expect_line '^pit +ports 0x40-0x43 .*TSC cycles$'
	expect_line '^       \(shortest of 5\): the TSC runs at [0-9]+\.[0-9]{3} MHz$'
}

# Bus 0 lists at least the host bridge; every function found is listed.
t_pci() {
	local found listed
	expect_line '^00:00\.0  8086:1237  class 06\.00\.00  host bridge, Intel$'
	found=$(sed -n 's/^\([0-9]*\) functions\{0,1\} found.*/\1/p' "$tmp/out")
	listed=$(grep -Ec '^00:[0-1][0-9a-f]\.[0-7]  [0-9a-f]{4}:[0-9a-f]{4}  class ' "$tmp/out")
	[ -n "$found" ] && [ "$found" = "$listed" ] ||
		fail "the scan says '$found' functions but lists $listed"
}

t_doorbells() {
	[ -n "$DOORBELL0" ] && [ -n "$DOORBELL1" ] ||
		fail "no doorbell addresses in $HEADER"
	expect_line "^doorbell1 mmio $DOORBELL1 irq 11  doorbell bound sync; status: 0 rings, last queue 0, scratch read/write\$"
	expect_line "^doorbell0 mmio $DOORBELL0 irq 10  doorbell bound async; status: 0 rings, last queue 0, scratch read/write\$"
	expect_line '^  doorbell1 \(sync\): +best +[0-9]+ cycles = +[0-9]+\.[0-9] us, median'
	expect_line '^  doorbell0 \(async\): best +[0-9]+ cycles = +[0-9]+\.[0-9] us, median'
}

# The point of the demo: async rings never exit to boardvm, sync ones do,
# and every ring reached the device (the guest asserts the totals too).
t_async_no_exit() {
	grep -Eq "^stats: region doorbell0.doorbell async exits=0 reads=0 writes=0 notifies=$RINGS " "$tmp/err" ||
		fail "doorbell0.doorbell: $(grep 'region doorbell0.doorbell' "$tmp/err"), expected 0 exits and $RINGS notifies"
	grep -Eq "^stats: region doorbell1.doorbell sync exits=$RINGS reads=0 writes=$RINGS notifies=0 " "$tmp/err" ||
		fail "doorbell1.doorbell: $(grep 'region doorbell1.doorbell' "$tmp/err"), expected $RINGS exits"
}

t_coalesced() {
	expect_line '^  replayed them first: count 3, checksum 1026 \(in order\)$'
	grep -q '^stats: region post.code coalesced exits=0 .* coalesced=1 ' "$tmp/err" ||
		fail "post.code: $(grep 'region post.code' "$tmp/err"), expected 1 coalesced write, no exit"
}

# demo/run.sh (what `make demo` runs): the map, the tour, the counts.
t_run_sh() {
	demo/run.sh "$BOARDC" boards/pc.yaml "$VMM" "$TOUR" </dev/null \
		>"$tmp/demo" 2>&1
	local status=$?
	[ "$status" -eq 0 ] || fail "demo/run.sh exited $status: $(tail -n 3 "$tmp/demo" | tr '\n' '|')"
	grep -q '^=== 1\. The board, as boardc compiled it: boardc map boards/pc.yaml$' "$tmp/demo" ||
		fail "no map header"
	grep -Eq '^ +[0-9a-f]{8}-[0-9a-f]{8} : doorbell0.doorbell \(async\)$' "$tmp/demo" ||
		fail "no boardc map lines"
	grep -q '^end of the tour: writing 33 to debug-exit$' "$tmp/demo" ||
		fail "no tour"
	grep -q "^doorbell0.doorbell (async): 0 exits, $RINGS notifies" "$tmp/demo" ||
		fail "no doorbell counts"
	# a tour that fails is a failed demo
	demo/run.sh "$BOARDC" boards/pc.yaml "$VMM" /dev/null </dev/null \
		>"$tmp/demo" 2>&1 && fail "demo/run.sh succeeded on an empty guest"
	grep -q 'the tour stopped with status' "$tmp/demo" ||
		fail "an empty guest's demo does not say the tour stopped"
}

run_test /demo/tour/runs t_runs
run_test /demo/tour/serial t_serial
run_test /demo/tour/i8042 t_i8042
run_test /demo/tour/rtc t_rtc
run_test /demo/tour/kernel_chips t_kernel_chips
run_test /demo/tour/pci t_pci
run_test /demo/tour/doorbells t_doorbells
run_test /demo/tour/async_no_exit t_async_no_exit
run_test /demo/tour/coalesced t_coalesced
run_test /demo/run_sh t_run_sh
