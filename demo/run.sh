#!/usr/bin/env bash
# make demo: the board as boardc compiled it (`boardc map`), then the tour
# guest (demo/tour.c) finding that board from the inside under boardvm,
# then what boardvm counted (--stats) for the doorbells the tour rang.
#
# usage: demo/run.sh BOARDC BOARD-FILE BOARDVM TOUR-BIN
# Exit status 0 when the tour ran to its end, 1 otherwise.
set -u
if [ $# -ne 4 ]; then
	echo "usage: demo/run.sh BOARDC BOARD-FILE BOARDVM TOUR-BIN" >&2
	exit 1
fi
boardc=$1 board=$2 vmm=$3 tour=$4
LOAD_ADDR=0x100000		# GUEST_LOAD_ADDR, tests/guest/guest.h
PASS=33				# GUEST_EXIT_PASS
TIMEOUT=60
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "make demo: the tour runs a guest under KVM and /dev/kvm is" \
	     "not usable here (missing, or no read/write permission):" \
	     "load kvm_intel/kvm_amd or add yourself to the kvm group" >&2
	exit 1
fi

rule() { printf '\n=== %s\n\n' "$1"; }

rule "1. The board, as boardc compiled it: boardc map $board"
"$boardc" map "$board" || exit 1

rule "2. The tour: $vmm --stats --flat $tour@$LOAD_ADDR
    (a guest of ours, built against the same board's board.h; this is its
    serial console)"
timeout -k 5 "$TIMEOUT" "$vmm" --stats --flat "$tour@$LOAD_ADDR" \
	</dev/null 2>"$tmp/err"
status=$?
if [ "$status" -ne "$PASS" ]; then
	echo
	echo "make demo: the tour stopped with status $status (expected" \
	     "$PASS); boardvm said:" >&2
	grep -v '^stats: ' "$tmp/err" | tail -n 5 >&2
	exit 1
fi

if grep -q '^stats: region doorbell0.doorbell ' "$tmp/err" &&
   grep -q '^stats: region doorbell1.doorbell ' "$tmp/err"; then
	rule "3. What boardvm counted (--stats): the doorbells' regions"
	grep -E '^stats: (vcpu|region doorbell|suggestion: doorbell)' \
		"$tmp/err" | sed 's/^stats: //'
	exits() {
		sed -n "s/^stats: region $1 [a-z]* exits=\([0-9]*\).*notifies=\([0-9]*\).*/\1 exits, \2 notifies/p" \
			"$tmp/err"
	}
	cat <<TEXT

doorbell1.doorbell (sync):  $(exits doorbell1.doorbell): every ring left KVM_RUN.
doorbell0.doorbell (async): $(exits doorbell0.doorbell): KVM signalled an
  eventfd for each ring and boardvm's I/O thread called the device; the
  vCPU never returned to boardvm for them.
The suggestion line is boardvm pointing at the sync doorbell: a region
that only takes writes is a candidate for async or coalesced.
TEXT
else
	rule "3. What boardvm counted (--stats)"
	sed -n 's/^stats: //p' "$tmp/err"
fi
echo
echo "make demo: the tour ran to its end (boardvm exit status $PASS)"
