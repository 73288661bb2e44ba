#!/usr/bin/env bash
# Userspace instructions per exit, counted by callgrind (valgrind): boardvm
# (bindings board, --no-seccomp: valgrind cannot run seccomp(2)) and the
# bare KVM_RUN loop (bench/exits/bare.c) on the same guests. Each kind runs
# twice, ITERS and ITERS/2 accesses (bench/exits/guest.c); the difference
# over ITERS/2 is the cost of one access with setup, teardown and the
# first-time log lines cancelled. Guest code and KVM are not userspace, so
# they are not counted; the KVM_RUN ioctl's libc wrapper is.
#
# Besides the whole exit (every thread's instructions), the same difference
# of callgrind's per-function (self) counts splits it: `dispatch` is the
# whole exit less the run loop (vcpu_thread's own instructions, what is
# inlined into it included) and the ioctl() wrapper: lookup, dispatch and
# the handler (a tail call, which callgrind's inclusive counts misattribute,
# hence self counts). `handler` is the device's function and what it calls
# (the demo's mutex). For MMIO the bindings board has only the
# doorbell-demo's mutex handler, so `mmio.claimed.dispatch` leaves it out,
# and `mmio.trivial.*` adds debug-exit's read handler back instead.
# Only the whole-exit figures are budgeted (bench/exits/budgets.txt).
#
#   callgrind.sh                  print the figures
#   callgrind.sh --check FILE     also compare them with FILE's budgets
#                                 ("KEY MAX" lines, # comments); exit 1
#                                 if any figure is above its budget
set -u
BUILD=${BUILD:-build}
. "$(dirname "$0")/../callgrind-lib.sh"
ITERS=20000			# BENCH_ITERS in bench/exits/guest.c
HALF=10000			# the half/ guests
ADDR=0x100000
DEBUG_EXIT=0x501
dir=$BUILD/bench/exits
vmm=$BUILD/bindings/boardvm
budgets=
if [ "${1-}" = --check ]; then
	budgets=${2:?usage: callgrind.sh [--check BUDGETS]}
fi
tmp=$(mktemp -d)
[ -n "${CG_KEEP-}" ] || trap 'rm -rf "$tmp"' EXIT

cg_require bench-callgrind

# cg OUT PROGRAM ARGS...: run under callgrind, keep its profile in $tmp/OUT
cg() {
	local out=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$out.cg" "$@" \
		>/dev/null 2>"$tmp/$out.err" </dev/null
	if ! grep -q '^summary:' "$tmp/$out.cg" 2>/dev/null; then
		echo "FAIL bench-callgrind: $*: no profile: $(tail -n 3 \
			"$tmp/$out.err")"
		exit 1
	fi
	callgrind_annotate --threshold=100 --auto=no "$tmp/$out.cg" \
		>"$tmp/$out.self" 2>/dev/null
}

# total OUT: every thread's instructions
total() { awk '/^summary:/ { print $2 }' "$tmp/$1.cg"; }

# self OUT FUNCTION: FUNCTION's own count, summed over the files callgrind
# names it in (inlined code is named by its own file)
self() {
	awk -v f="$2" '{ gsub(",", "", $1) }
		$1 ~ /^[0-9]+$/ {
			name = $0
			sub(/ \[.*$/, "", name)
			sub(/^.*:/, "", name)
			sub(/@@.*$/, "", name)
			sub(/\.(isra|part|constprop)\..*$/, "", name)
			if (name == f)
				n += $1
		} END { print n + 0 }' "$tmp/$1.self"
}

declare -A fig
order=

vmm_run() {
	cg "$1" "$vmm" --no-seccomp --flat "$dir/guest-$1.bin@$ADDR"
	cg "$1.half" "$vmm" --no-seccomp --flat "$dir/half/guest-$1.bin@$ADDR"
}
bare_run() {
	cg "bare.$1" "$dir/bare" "$dir/guest-$1.bin" "$ADDR" "$DEBUG_EXIT" \
		irqchip
	cg "bare.$1.half" "$dir/bare" "$dir/half/guest-$1.bin" "$ADDR" \
		"$DEBUG_EXIT" irqchip
}
# whole KIND: the whole exit; fn KIND FUNCTION...: those functions' share
whole() { per "$(total "$1")" "$(total "$1.half")"; }
fn() {
	local a=0 b=0 kind=$1 f
	shift
	for f; do
		a=$((a + $(self "$kind" "$f")))
		b=$((b + $(self "$kind.half" "$f")))
	done
	per "$a" "$b"
}
demo_handler="doorbell_write pthread_mutex_lock pthread_mutex_unlock
	__pthread_mutex_unlock_usercnt"
# loop KIND: the run loop's share (vcpu_thread's own, the ioctl wrapper)
loop() {
	per $(($(self "$1" vcpu_thread) + $(self "$1" ioctl))) \
	    $(($(self "$1.half" vcpu_thread) + $(self "$1.half" ioctl)))
}

for kind in pio_trivial pio pio_unclaimed mmio mmio_unclaimed async \
	    coalesced; do
	vmm_run "$kind"
done
for kind in pio_trivial mmio_unclaimed; do
	bare_run "$kind"
done

put pio.trivial.exit "$(whole pio_trivial)"
put pio.trivial.dispatch $((${fig[pio.trivial.exit]} - $(loop pio_trivial)))
put pio.trivial.handler "$(fn pio_trivial debug_exit_pio_read)"
put pio.claimed.exit "$(whole pio)"
put pio.claimed.handler "$(fn pio $demo_handler)"
put pio.unclaimed.exit "$(whole pio_unclaimed)"
put pio.unclaimed.dispatch $((${fig[pio.unclaimed.exit]} -
	$(loop pio_unclaimed)))
put mmio.claimed.exit "$(whole mmio)"
put mmio.claimed.handler "$(fn mmio $demo_handler)"
put mmio.claimed.dispatch $((${fig[mmio.claimed.exit]} - $(loop mmio) -
	${fig[mmio.claimed.handler]}))
put mmio.trivial.dispatch $((
	${fig[mmio.claimed.dispatch]} + ${fig[pio.trivial.handler]}))
put mmio.trivial.exit $((
	${fig[mmio.claimed.exit]} - ${fig[mmio.claimed.handler]} +
	${fig[pio.trivial.handler]}))
put mmio.unclaimed.exit "$(whole mmio_unclaimed)"
put mmio.unclaimed.dispatch $((${fig[mmio.unclaimed.exit]} -
	$(loop mmio_unclaimed)))
put async.notify "$(whole async)"
put coalesced.write "$(whole coalesced)"
put bare.pio.exit "$(per "$(total bare.pio_trivial)" \
			"$(total bare.pio_trivial.half)")"
put bare.mmio.exit "$(per "$(total bare.mmio_unclaimed)" \
			 "$(total bare.mmio_unclaimed.half)")"

cg_print "bench-callgrind: userspace instructions per access ($ITERS - $HALF accesses, over $HALF), bindings board, $vmm"
[ -n "$budgets" ] || exit 0
# blk.*: bench/virtio/callgrind.sh's figures, checked by that script
cg_owns() { case $1 in blk.*) return 1 ;; esac; }
cg_check "$budgets"
