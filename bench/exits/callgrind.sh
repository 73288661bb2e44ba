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
# of callgrind's inclusive counts splits it: `dispatch` is dispatch_pio()
# or dispatch_mmio() with the handler it calls; `handler` the device's own
# function. For MMIO the bindings board has only the doorbell-demo's mutex
# handler, so `mmio.claimed.dispatch` is dispatch_mmio() without it, and
# the trivial handler's cost (debug-exit's read) is added back as
# `mmio.trivial.dispatch` = dispatch alone + pio.trivial.handler.
#
#   callgrind.sh                  print the figures
#   callgrind.sh --check FILE     also compare them with FILE's budgets
#                                 ("KEY MAX" lines, # comments); exit 1
#                                 if any figure is above its budget
set -u
BUILD=${BUILD:-build}
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
trap 'rm -rf "$tmp"' EXIT

if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate \
	>/dev/null; then
	echo "SKIP bench-callgrind: valgrind not installed"
	exit 0
fi
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "SKIP bench-callgrind: /dev/kvm not available"
	exit 0
fi

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
	callgrind_annotate --inclusive=yes --threshold=100 "$tmp/$out.cg" \
		>"$tmp/$out.incl" 2>/dev/null
}

# total OUT: every thread's instructions
total() { awk '/^summary:/ { print $2 }' "$tmp/$1.cg"; }

# incl OUT FUNCTION: FUNCTION's inclusive count (0 if never called)
incl() {
	awk -v f=":$2" '{ gsub(",", "", $1) }
		index($0, f " [") || $NF == f { n += $1 } END { print n + 0 }' \
		"$tmp/$1.incl"
}

# per ITEM A B: (A - B) / HALF, rounded
per() { awk -v a="$1" -v b="$2" -v n="$HALF" \
	'BEGIN { printf "%d\n", (a - b) / n + 0.5 }'; }

declare -A fig
put() { fig[$1]=$2; order+=" $1"; }
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
# whole KIND: the whole exit; fn KIND FUNCTION: one function's share
whole() { per "$(total "$1")" "$(total "$1.half")"; }
fn() { per "$(incl "$1" "$2")" "$(incl "$1.half" "$2")"; }

for kind in pio_trivial pio pio_unclaimed mmio mmio_unclaimed async \
	    coalesced; do
	vmm_run "$kind"
done
for kind in pio_trivial mmio_unclaimed; do
	bare_run "$kind"
done

put pio.trivial.exit "$(whole pio_trivial)"
put pio.trivial.dispatch "$(fn pio_trivial dispatch_pio)"
put pio.trivial.handler "$(fn pio_trivial debug_exit_pio_read)"
put pio.claimed.exit "$(whole pio)"
put pio.claimed.handler "$(fn pio doorbell_write)"
put pio.unclaimed.exit "$(whole pio_unclaimed)"
put pio.unclaimed.dispatch "$(fn pio_unclaimed dispatch_pio)"
put mmio.claimed.exit "$(whole mmio)"
put mmio.claimed.handler "$(fn mmio doorbell_write)"
put mmio.claimed.dispatch $((
	$(fn mmio dispatch_mmio) - ${fig[mmio.claimed.handler]}))
put mmio.trivial.dispatch $((
	${fig[mmio.claimed.dispatch]} + ${fig[pio.trivial.handler]}))
put mmio.trivial.exit $((
	${fig[mmio.claimed.exit]} - ${fig[mmio.claimed.handler]} +
	${fig[pio.trivial.handler]}))
put mmio.unclaimed.exit "$(whole mmio_unclaimed)"
put mmio.unclaimed.dispatch "$(fn mmio_unclaimed dispatch_mmio)"
put async.notify "$(whole async)"
put coalesced.write "$(whole coalesced)"
put bare.pio.exit "$(per "$(total bare.pio_trivial)" \
			"$(total bare.pio_trivial.half)")"
put bare.mmio.exit "$(per "$(total bare.mmio_unclaimed)" \
			 "$(total bare.mmio_unclaimed.half)")"

echo "bench-callgrind: userspace instructions per access ($ITERS - $HALF" \
     "accesses, over $HALF), bindings board, $vmm"
for k in $order; do
	printf '%-24s %6s\n' "$k" "${fig[$k]}"
done

[ -n "$budgets" ] || exit 0
status=0
while read -r key max _; do
	case $key in ''|'#'*) continue ;; esac
	have=${fig[$key]-}
	if [ -z "$have" ]; then
		echo "FAIL bench-check: $key: no such figure"
		status=1
	elif [ "$have" -gt "$max" ]; then
		echo "FAIL bench-check: $key: $have instructions, budget $max"
		status=1
	else
		echo "PASS bench-check: $key $have <= $max"
	fi
done <"$budgets"
exit $status
