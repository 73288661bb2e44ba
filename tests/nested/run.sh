#!/usr/bin/env bash
# The nested-KVM harness: runs a command inside an L1 Linux guest of
# QEMU's TCG with emulated AMD SVM, where kvm-amd gives a /dev/kvm with
# real hardware-virtualization semantics, so boardvm boots Linux guests
# (L2) to userspace on any host.
#
#   tests/nested/run.sh [options] [--] COMMAND [ARG...]
#
# COMMAND runs with bash in L1's copy of the checkout (/repo, see
# l1-image.sh); its output is streamed here line by line as it comes, and
# its exit status is this script's. Options:
#   --interactive     the command gets the terminal (L1's console on stdio)
#   --mem SIZE        L1's memory (default 5G)
#   --smp N           L1's CPUs (default 2: TCG runs one host thread each)
#   --boot-timeout S  L1 must be up within S seconds (default 300)
#   --idle-timeout S  the command must print a line every S seconds (600)
#   --timeout S       the whole run, L1 boot included (default 3600)
#   --stall-reports N L1 is taken for wedged at its Nth RCU stall report
#                     (default 2: a CPU stuck for over a minute; 0: never)
#   --keep DIR        keep L1's console log and the results there
#   --name TEXT       what the progress lines call the command
# Every stage is bounded: on expiry QEMU is killed, L1's console tail is
# printed, and the status is 124. Progress lines start with "nested:".
# Exit statuses: COMMAND's, 124 (timeout), 125 (QEMU or L1 failed:
# no /dev/kvm, QEMU missing, ...), 126 (L1 died under the command: QEMU
# exited before it finished, e.g. an L1 kernel panic).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/nested/l1-watch.sh

interactive= mem=5G smp=2 boot_timeout=300 idle_timeout=600 timeout=3600 keep=
stall_reports=2
name=
while [ $# -gt 0 ]; do
	case $1 in
	--interactive) interactive=1; shift ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--boot-timeout) boot_timeout=$2; shift 2 ;;
	--idle-timeout) idle_timeout=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--stall-reports) stall_reports=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	-h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "nested/run.sh: unknown option '$1' (try --help)" >&2; exit 125 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "nested/run.sh: no command (try --help)" >&2; exit 125; }
[ -n "$name" ] || name="$*"

T0=$(date +%s)
say() { echo "nested: [$(printf '%4d' $(($(date +%s) - T0)))s] $*"; }
die() { say "$*"; exit 125; }

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (Debian package qemu-system-x86; scripts/install-deps.sh)"

work=$(mktemp -d)
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null
	if [ -n "$keep" ]; then
		mkdir -p "$keep" && cp "$work"/*.log "$keep"/ 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

images=$(scripts/guest-image.sh) || die "scripts/guest-image.sh failed"
bzimage=$(echo "$images" | sed -n 's/^BZIMAGE=//p')
say "building the L1 initramfs (busybox, kvm-amd, $BUILD/*/boardvm, boardc, L2 images)"
tests/nested/l1-image.sh "$work/l1.cpio" || die "tests/nested/l1-image.sh failed"
# The command, as /nested/run in a second archive (the kernel unpacks
# concatenated archives in order).
mkdir -p "$work/run/nested"
{
	printf 'export BUILD=%q\n' "$BUILD"
	printf '%q ' "$@"
	echo
} >"$work/run/nested/run"
(cd "$work/run" && find . | cpio -o -H newc --quiet) >>"$work/l1.cpio"

# NESTED_L1_APPEND: more of L1's kernel command line (e.g. loglevel=8).
# nokaslr: L1 kernel addresses (the CPU dump on a stall) read against the
# package's System.map.
# maxcpus=1: L1's other CPUs come online only after kvm-hold holds its VMs
# (l1-init.sh says why).
append="console=ttyS0 panic=-1 rdinit=/init nokaslr maxcpus=1"
# NESTED_TCG: more -accel tcg options, e.g. thread=single (one host thread
# for all of L1's CPUs: far slower on a loaded host; for experiments).
qemu=(qemu-system-x86_64 -accel "tcg${NESTED_TCG:+,$NESTED_TCG}" -cpu qemu64,+svm,+npt -m "$mem"
	-smp "$smp" -nodefaults -no-reboot -display none
	-kernel "$bzimage" -initrd "$work/l1.cpio"
	-monitor "unix:$work/monitor.sock,server,nowait")
if [ -n "$interactive" ]; then
	say "booting L1 (QEMU TCG, emulated AMD SVM, ${mem}, $smp CPUs) with its console here; boardvm runs on L1's /dev/kvm"
	# Ctrl-C goes to the guests (signal=off); Ctrl-A x ends QEMU.
	"${qemu[@]}" -append "$append quiet loglevel=1 nested.interactive" \
		-chardev stdio,id=console,mux=on,signal=off \
		-serial chardev:console -mon chardev=console
	exit $?
fi

# loglevel=5: a soft lockup's backtrace (KERN_DEFAULT) reaches the console.
"${qemu[@]}" -append "$append loglevel=5 ${NESTED_L1_APPEND:-}" \
	-serial "file:$work/console.log" -serial "file:$work/results.log" \
	</dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
say "booting L1 (QEMU TCG, emulated AMD SVM, $mem, $smp CPUs; pid $qemu_pid)"

# l1_cpus: where each of L1's CPUs is, twice 1 s apart, from the outer
# QEMU's monitor (RIP, CPL, CR3; under TCG's SVM a CPU running an L2 guest
# shows the L2's registers). Evidence for a wedged L1 (docs/nested.md).
l1_cpus() {
	command -v python3 >/dev/null || return
	python3 - "$work/monitor.sock" <<'PY' 2>/dev/null
import re, socket, sys, time
def ask(cmd):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    s.connect(sys.argv[1])
    s.sendall(cmd.encode() + b"\n")
    out, end = b"", time.time() + 2
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        out += d
    s.close()
    return out.decode(errors="replace")
for sample in (1, 2):
    cpu = 0
    for line in ask("info registers -a").splitlines():
        m = re.match(r"CPU#(\d+)", line)
        if m:
            cpu = m.group(1)
        m = re.search(r"RIP=([0-9a-f]+)", line)
        if m:
            rip = m.group(1)
        m = re.search(r"CPL=(\d)", line)
        if m:
            cpl = m.group(1)
        m = re.search(r"CR3=([0-9a-f]+)", line)
        if m:
            print(f"sample {sample} CPU#{cpu} RIP={rip} CPL={cpl} CR3={m.group(1)}")
    time.sleep(1)
PY
}

# console_oops: L1's first oops or panic report, if its console has one.
console_oops() {
	local oops
	oops=$(l1_first_oops "$work/console.log")
	[ -n "$oops" ] || return 0
	say "L1 console, its first oops or panic report:"
	echo "$oops" | sed 's/^/nested:   | /'
}

# stop WHY: QEMU is killed, the console's tail printed.
stop() {
	say "$1: L1's CPUs:"
	l1_cpus | sed 's/^/nested:   | /'
	say "killing QEMU"
	kill -9 "$qemu_pid" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	qemu_pid=
	console_oops
	say "L1 console, last lines:"
	tail -n 60 "$work/console.log" | sed 's/^/nested:   | /'
	exit 124
}

seen=0 status= up= last=$(date +%s) beat=$(date +%s)
stage="L1 boot"
while :; do
	n=$(wc -l 2>/dev/null <"$work/results.log" || echo 0)
	if [ "$n" -gt "$seen" ]; then
		while IFS= read -r line; do
			line=${line%$'\r'}
			case $line in
			"nested: status "*) status=${line#nested: status } ;;
			"nested: L1 up"*) up=1; stage="running $name"; say "${line#nested: }" ;;
			"nested: "*) say "${line#nested: }" ;;
			*) echo "$line" ;;
			esac
		done < <(sed -n "$((seen + 1)),${n}p" "$work/results.log")
		seen=$n
		last=$(date +%s)
	fi
	now=$(date +%s)
	# L1 powers off after the status line; give it 30 s to do so.
	[ -n "$status" ] && [ -z "${status_at:-}" ] && status_at=$now
	if [ -n "$status" ] && [ $((now - status_at)) -ge 30 ]; then
		kill -9 "$qemu_pid" 2>/dev/null
	fi
	if ! kill -0 "$qemu_pid" 2>/dev/null; then
		wait "$qemu_pid"
		qemu_status=$?
		qemu_pid=
		[ -n "$status" ] && break
		say "QEMU exited (status $qemu_status) before the command finished: $(tail -n 3 "$work/qemu.log" | tr '\n' ' ')"
		console_oops
		say "L1 console, last lines:"
		tail -n 25 "$work/console.log" | sed 's/^/nested:   | /'
		exit 126
	fi
	[ -n "$up" ] || [ $((now - T0)) -lt "$boot_timeout" ] ||
		stop "L1 not up after ${boot_timeout}s"
	[ -z "$up" ] || [ $((now - last)) -lt "$idle_timeout" ] ||
		stop "no output from the command for ${idle_timeout}s (L1 hung?)"
	[ $((now - T0)) -lt "$timeout" ] || stop "the run took more than ${timeout}s"
	if [ "$stall_reports" -gt 0 ]; then
		stalls=$(l1_stall_reports "$work/console.log")
		[ "$stalls" -lt "$stall_reports" ] ||
			stop "L1's console has $stalls RCU stall reports (a CPU stuck for over a minute: L1 wedged)"
	fi
	if [ $((now - beat)) -ge 30 ]; then
		say "$stage: alive, last output $((now - last))s ago"
		beat=$now
	fi
	sleep 1
done
say "done, status $status"
exit "$status"
