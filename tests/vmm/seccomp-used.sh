#!/usr/bin/env bash
# The seccomp allowlist is minimal: every syscall and ioctl a board's
# policy lists (boardvm --seccomp-policy) is made after the filter goes in
# by at least one run of that board's guests, traced with strace -f. A
# listed item no run makes fails the test: drop it from vmm/seccomp.c, or
# add the run that needs it here. A run that the filter stops (status 6,
# "forbidden system call") fails it too. A few items are needed on paths no test
# can trigger on demand; they are listed in RARE with the reason.
#
# The boards with guests for every device they have: minimal, bindings
# and the virtio test board. SKIPs without strace or a usable /dev/kvm.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/lib/wait.sh
LOAD_ADDR=0x100000
TIMEOUT=60
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# LeakSanitizer cannot run under ptrace (SANITIZE=1 builds); the other
# suites check leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# name: why no run here makes it (each still needed by the VMM).
declare -A RARE=(
	[set_robust_list]="a thread that first runs after the filter is in (glibc start_thread)"
	[rseq]="a thread that first runs after the filter is in (glibc start_thread)"
	[restart_syscall]="a sleep or futex wait resumed after SIGSTOP/SIGCONT"
	[sched_yield]="glibc's lock and allocator back-off under contention"
	[brk]="malloc growing the main heap after setup"
	[mmap]="malloc of a large block, or a new arena, after setup"
	[mprotect]="malloc extending a thread arena"
	[clock_gettime]="the vDSO answers it; the syscall is its fallback"
	[ioctl:KVM_SIGNAL_MSI]="an MSI-X vector KVM gave no irqfd or route (EMFILE, ENOMEM): vmm/irqfd.c"
)

# After strace's seccomp(SECCOMP_SET_MODE_FILTER...) line: "NAME" for each
# syscall, "ioctl:REQUEST" for each decoded ioctl request (strace prints
# "A or B" when two requests share a number: both are listed).
used_after_filter() {
	awk '/seccomp\(SECCOMP_SET_MODE_FILTER/ { on = 1; next }
	     !on { next }
	     { sub(/^[0-9]+ +/, "") }
	     /^<\.\.\. / { split($0, w, " "); print w[2]; next }
	     /^ioctl\(/ {
		s = $0
		sub(/^ioctl\([0-9]+, /, "", s)
		if (match(s, /^[A-Z][A-Z0-9_]*( or [A-Z][A-Z0-9_]*)*/)) {
			n = split(substr(s, 1, RLENGTH), r, / or /)
			for (i = 1; i <= n; i++)
				print "ioctl:" r[i]
		}
		print "ioctl"
		next
	     }
	     match($0, /^[a-z_0-9]+\(/) { print substr($0, 1, RLENGTH - 1) }' "$1"
}

# trace BOARD NAME [OPTIONS...]: boardvm under strace, stdin from $STDIN.
STDIN=/dev/null
trace() {
	local board=$1 name=$2
	shift 2
	timeout -k 5 "$TIMEOUT" strace -f -qq -o "$tmp/$board-$name.trace" \
		"$BUILD/$board/boardvm" "$@" <"$STDIN" >"$tmp/out" 2>"$tmp/err"
	used_after_filter "$tmp/$board-$name.trace" >>"$tmp/$board.used"
	grep -h "forbidden system call" "$tmp/out" "$tmp/err" 2>/dev/null |
		sed "s/^/$name: /" >>"$tmp/$board.forbidden"
}

guest() { echo "$BUILD/guest/$1/$2.bin@$LOAD_ADDR"; }

# A run on a terminal (script(1) gives boardvm a pty): the console's
# raw mode is restored at exit.
trace_tty() {
	local board=$1 name=$2
	shift 2
	timeout -k 5 "$TIMEOUT" script -qec "strace -f -qq -o '$tmp/$board-$name.trace' $*" \
		/dev/null </dev/null >"$tmp/out" 2>&1
	used_after_filter "$tmp/$board-$name.trace" >>"$tmp/$board.used"
	grep -h "forbidden system call" "$tmp/out" "$tmp/err" 2>/dev/null |
		sed "s/^/$name: /" >>"$tmp/$board.forbidden"
}

# SIGQUIT dumps every vCPU's registers and instruction; SIGTERM ends it.
trace_dump() {
	local board=$1 name=$2 pid
	shift 2
	strace -f -qq -o "$tmp/$board-$name.trace" \
		"$BUILD/$board/boardvm" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for spinning "$tmp/out" 30
	kill -QUIT "$(pgrep -P "$pid" -x boardvm)"
	wait_for 'SIGQUIT dump' "$tmp/err" 30
	kill -TERM "$(pgrep -P "$pid" -x boardvm)"
	wait "$pid"
	used_after_filter "$tmp/$board-$name.trace" >>"$tmp/$board.used"
	grep -h "forbidden system call" "$tmp/out" "$tmp/err" 2>/dev/null |
		sed "s/^/$name: /" >>"$tmp/$board.forbidden"
}

runs_minimal() {
	trace minimal hello --flat "$(guest minimal hello)"
	trace minimal halt --flat "$(guest minimal halt)"
	trace minimal popcnt --flat "$(guest minimal popcnt)" --cpuid-hide none
	printf 'typed\n' >"$tmp/in"
	STDIN=$tmp/in trace minimal uart-echo --flat "$(guest minimal uart-echo)"
	trace_pipe_eof minimal uart-echo-pipe --flat "$(guest minimal uart-echo)"
	trace_tty minimal tty "$BUILD/minimal/boardvm" --flat "$(guest minimal hello)"
	trace_dump minimal spin --flat "$(guest minimal spin)"
}

# stdin a pipe that reaches EOF while the guest runs: the console stops
# polling it (epoll_ctl).
trace_pipe_eof() {
	local board=$1 name=$2
	shift 2
	rm -f "$tmp/pipe-eof"
	mkfifo "$tmp/pipe-eof"
	{ sleep 0.5; printf 'x'; } >"$tmp/pipe-eof" &
	STDIN=$tmp/pipe-eof trace "$board" "$name" "$@"
	wait
}

runs_bindings() {
	local g
	for g in hello access-sizes sync-read async-doorbell coalesced \
		 unmapped uart-irq string-io triple-fault kbd-reset; do
		trace bindings "$g" --stats --flat "$(guest bindings "$g")"
	done
	trace bindings smp --cpus 2 --flat "$(guest bindings smp)"
	trace_dump bindings spin --cpus 2 --flat "$(guest bindings spin)"
}

runs_virtio_guest() {
	local g
	head -c 1048576 /dev/zero >"$tmp/disk0"
	head -c 65536 /dev/zero >"$tmp/disk1"
	for g in virtio-blk virtio-rng virtio-console virtio-msix virtio-intx \
		 virtio-bar-move; do
		trace virtio-guest "$g" --stats --disk "$tmp/disk0" \
			--disk "$tmp/disk1" --flat "$(guest virtio-guest "$g")"
	done
}

# The board's policy as "KIND NAME|RULE" lines (the rule that allowed it).
policy_of() {
	"$BUILD/$1/boardvm" --seccomp-policy | grep -v 'SANITIZE=1 build' |
		sed -E -n 's/^(syscall|ioctl) ([A-Za-z0-9_]+)[^:]*: (.*)/\1 \2|\3/p'
}

# An item is used when some board whose policy has it from the same rule
# (the same code path) made it: rules are checked where they apply.
check_board() {
	local board=$1 kind name rule unused= item b
	while IFS='|' read -r item rule; do
		read -r kind name <<<"$item"
		[ "$kind" = ioctl ] && name=ioctl:$name
		[ -n "${RARE[$name]:-}" ] && continue
		for b in $BOARDS; do
			grep -qxF -- "$item|$rule" "$tmp/$b.policy" &&
				grep -qxF -- "$name" "$tmp/$b.used" && continue 2
		done
		unused+=" $name"
	done <"$tmp/$board.policy"
	if [ -s "$tmp/$board.forbidden" ]; then
		echo "FAIL /vmm/seccomp/used/$board: a run needed more than the policy: $(head -n 1 "$tmp/$board.forbidden")"
	elif [ ! -s "$tmp/$board.used" ]; then
		echo "FAIL /vmm/seccomp/used/$board: no syscalls traced after the filter"
	elif [ -n "$unused" ]; then
		echo "FAIL /vmm/seccomp/used/$board: listed but never made after the filter:$unused"
	else
		echo "PASS /vmm/seccomp/used/$board"
	fi
}

BOARDS="minimal bindings virtio-guest"
why=
if ! command -v strace >/dev/null || ! command -v script >/dev/null; then
	why="strace or script(1) not installed (scripts/install-deps.sh)"
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	why="/dev/kvm not available"
elif ! strace -f -qq -o /dev/null true 2>/dev/null; then
	why="strace cannot trace here (ptrace refused)"
fi
for board in $BOARDS; do
	if [ -n "$why" ]; then
		echo "SKIP /vmm/seccomp/used/$board: $why"
		continue
	fi
	: >"$tmp/$board.used"
	: >"$tmp/$board.forbidden"
	"runs_${board//-/_}"
	sort -u -o "$tmp/$board.used" "$tmp/$board.used"
	policy_of "$board" >"$tmp/$board.policy"
done
[ -n "$why" ] || for board in $BOARDS; do check_board "$board"; done

# MSIs go by irqfd (vmm/irqfd.c): the MSI-X guest's vectors got irqfds
# and routes once it ran, and none went by KVM_SIGNAL_MSI, the fallback.
check_msi_irqfd() {
	local t=$tmp/virtio-guest-virtio-msix.trace used
	used=$(used_after_filter "$t")
	if grep -q 'KVM_SIGNAL_MSI' "$t"; then
		echo "FAIL /vmm/irqfd/msi: an MSI went by KVM_SIGNAL_MSI: $(grep -m 1 KVM_SIGNAL_MSI "$t")"
	elif ! grep -qx 'ioctl:KVM_IRQFD' <<<"$used" ||
	     ! grep -qx 'ioctl:KVM_SET_GSI_ROUTING' <<<"$used"; then
		echo "FAIL /vmm/irqfd/msi: no vector got an irqfd and a route after the filter"
	else
		echo "PASS /vmm/irqfd/msi"
	fi
}
if [ -n "$why" ]; then
	echo "SKIP /vmm/irqfd/msi: $why"
else
	check_msi_irqfd
fi
for name in "${!RARE[@]}"; do
	echo "note: $name is allowed without a run here: ${RARE[$name]}"
done | sort
exit 0
