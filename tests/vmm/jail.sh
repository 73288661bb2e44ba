#!/usr/bin/env bash
# The jailer (--jail DIR --uid U --gid G, vmm/jail.c): the jailed VMM
# cannot see the host's files, cannot regain privileges, is PID 1 of its
# own namespace, still has its seccomp filter, and still runs the guest
# tests (ports, PCI BAR moves, SMP, async doorbells, virtio disk, entropy
# and console). Needs root and namespaces; SKIPs loudly without them.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/lib/wait.sh
LOAD_ADDR=0x100000
TIMEOUT=60
ID=65534				# nobody, nogroup
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# LeakSanitizer reads /proc, which the jail has none of (SANITIZE=1
# builds); the other suites check leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
# The jail's files are read (and a disk written) as $ID.
chmod 755 "$tmp"
mkdir "$tmp/jail"

# jailed BOARD GUEST [OPTIONS...]: sets STATUS, OUT; stderr in $tmp/err.
jailed() {
	local board=$1 guest=$2
	shift 2
	timeout -k 5 "$TIMEOUT" "$BUILD/$board/boardvm" --jail "$tmp/jail" \
		--uid $ID --gid $ID "$@" \
		--flat "$BUILD/guest/$board/$guest.bin@$LOAD_ADDR" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	STATUS=$?
	OUT=$(cat "$tmp/out")
}

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }
expect_status() {
	[ "$STATUS" -eq "$1" ] ||
		fail "exit status $STATUS, expected $1; stderr: $(tail -n 3 "$tmp/err" | tr '\n' '|')"
}
expect_out() {
	[ "$OUT" = "$1" ] || fail "stdout '$(echo "$OUT" | tr '\n' '|')', expected '$1'"
}
expect_err() {
	grep -Eq -- "$1" "$tmp/err" || fail "stderr lacks /$1/: $(tr '\n' '|' <"$tmp/err")"
}
run_test() {
	WHY=
	"$2"
	if [ -z "$WHY" ]; then echo "PASS $1"; else echo "FAIL $1: $WHY"; fi
}

# --- what the jailed VMM sees and may do --------------------------------

t_no_host_files() {
	jailed pc hello --jail-selftest
	expect_status 33
	expect_out "hello from pc"
	expect_err '^jail: open /etc/passwd: No such file or directory$'
	# The root holds /dev (its /dev/kvm) and the guest image's path.
	local root
	root=$(sed -n 's/^jail: \/ holds: //p' "$tmp/err" | tr ' ' '\n' | sort | tr '\n' ' ')
	[ "$root" = "$(printf '%s\n' dev "$(pwd | cut -d/ -f2)" | sort -u | tr '\n' ' ')" ] ||
		fail "the jail's / holds '$root'"
}

t_no_privileges() {
	jailed pc hello --jail-selftest
	expect_status 33
	expect_err "^jail: pid 1 uid $ID gid $ID$"
	expect_err '^jail: setuid\(0\): Operation not permitted$'
	expect_err '^jail: capabilities: effective 0 permitted 0$'
	expect_err '^jail: no_new_privs 1$'
}

# The filter still goes in after the jail.
t_seccomp_inside() {
	jailed minimal hello --seccomp-selftest
	expect_status 6
	expect_err "forbidden system call 41 \\(socket\\)"
}

t_needs_ids() {
	timeout -k 5 "$TIMEOUT" "$BUILD/pc/boardvm" --jail "$tmp/jail" \
		--flat "$BUILD/guest/pc/hello.bin@$LOAD_ADDR" </dev/null \
		>"$tmp/out" 2>"$tmp/err"
	STATUS=$?
	expect_status 1
	expect_err "^boardvm: --jail $tmp/jail needs --uid and --gid"
}

# spin_jailed [OPTIONS...]: the spin guest jailed in the background, once
# it runs; its pid in $pid.
spin_jailed() {
	timeout -k 5 "$TIMEOUT" "$BUILD/bindings/boardvm" --jail "$tmp/jail" \
		--uid $ID --gid $ID "$@" \
		--flat "$BUILD/guest/bindings/spin.bin@$LOAD_ADDR" \
		</dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for spinning "$tmp/out"
}

# SIGTERM to the boardvm that was started reaches the jailed one.
t_sigterm() {
	local pid
	spin_jailed
	kill -TERM "$pid"
	wait "$pid"
	STATUS=$?
	expect_status 143
}

# cgroup v2 placement, where a cgroup2 is mounted under /sys/fs/cgroup
# (at it, or at a subdirectory such as unified/ beside v1 controllers).
cg2=$(awk '$3 == "cgroup2" && $2 ~ "^/sys/fs/cgroup" { print $2; exit }' /proc/mounts)
t_cgroup() {
	local cg=${cg2#/sys/fs/cgroup}/boardvm-jail-test-$$ pid procs=
	cg=${cg#/}
	spin_jailed --jail-cgroup "$cg"
	procs=$(cat "/sys/fs/cgroup/$cg/cgroup.procs" 2>/dev/null)
	kill -TERM "$pid"
	wait "$pid"
	rmdir "/sys/fs/cgroup/$cg" 2>/dev/null
	[ -n "$procs" ] || fail "nothing in /sys/fs/cgroup/$cg/cgroup.procs"
}

# --- the guest tests, jailed --------------------------------------------

t_guests() {
	jailed pc pci-bar-move
	expect_status 33
	expect_out $'moved\nrefused\nmoved again'
	jailed bindings smp --cpus 2
	expect_status 33
	jailed bindings async-doorbell
	expect_status 33
	expect_out "async doorbells: 64 port and 64 mmio rings delivered"
}

# A disk is written from inside the jail (as $ID), and lands in the file.
t_virtio_disk() {
	head -c 1048576 /dev/zero >"$tmp/disk0"
	head -c 65536 /dev/zero >"$tmp/disk1"
	chmod 666 "$tmp/disk0" "$tmp/disk1"
	jailed virtio-guest virtio-blk --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_out "virtio-blk: 2048 sectors; 4096 bytes written at sector 8, flushed, read back; id 'boardvm-blk0'"
	[ "$(od -An -tx1 -j 4096 -N 1 "$tmp/disk0" | tr -d ' ')" = 5a ] ||
		fail "the guest's write did not reach the disk file"
	jailed virtio-guest virtio-rng --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	jailed virtio-guest virtio-console --disk "$tmp/disk0,ro" \
		--disk "$tmp/disk1,ro"
	expect_status 33
	expect_out $'hello from hvc0\nvirtio-console: 16 bytes sent on hvc0'
}

why=
if [ "$(id -u)" -ne 0 ]; then
	why="not root (the jail creates namespaces and mounts)"
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	why="/dev/kvm not available"
else
	jailed pc hello
	if grep -q 'cannot create namespaces\|pivot_root\|cannot mount' "$tmp/err"; then
		why="the jail cannot be built here: $(head -n 1 "$tmp/err")"
	fi
fi
jail_test() {
	if [ -n "$why" ]; then echo "SKIP $1: $why"; else run_test "$@"; fi
}
jail_test /vmm/jail/no-host-files t_no_host_files
jail_test /vmm/jail/no-privileges t_no_privileges
jail_test /vmm/jail/seccomp-inside t_seccomp_inside
run_test /vmm/jail/needs-ids t_needs_ids
jail_test /vmm/jail/sigterm t_sigterm
jail_test /vmm/jail/guests t_guests
jail_test /vmm/jail/virtio-disk t_virtio_disk
if [ -z "$cg2" ]; then
	echo "SKIP /vmm/jail/cgroup: no cgroup v2 mounted under /sys/fs/cgroup"
else
	jail_test /vmm/jail/cgroup t_cgroup
fi
exit 0
