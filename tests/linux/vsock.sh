#!/usr/bin/env bash
# virtio-vsock against a real Linux guest, all on ONE boot of the pc board
# (L2 boots flake now and then inside the nested harness: one boot, many
# checks). boardvm runs with --vsock $tmp/v.sock; the guest's /init
# (boardvm.vsocktest=1, scripts/guest-image.sh) loads vsock's drivers,
# runs vsock-echo (tests/linux/vsock-echo.c) serving port 5000 and calls
# the host's port 6000, where vsock-host (tests/linux/vsock-host.c)
# listens on $tmp/v.sock_6000:
#   /linux/vsock/host-to-guest  the host connects through v.sock
#                               (CONNECT 5000, OK <port>) and its bytes
#                               come back from the guest's echo
#   /linux/vsock/guest-to-host  the guest's connection to CID 2 port 6000
#                               reached the host listener and its answer
#                               came back ("vsock call host:...")
#   /linux/vsock/1000-connections  1,000 more host connections, each
#                               echoed and closed: boardvm's open fds
#                               (/proc/PID/fd) the same before and after
#   /linux/vsock/poweroff       SIGTERM (the power button): status 0
#   /linux/vsock/stats          --stats: the device's connection and
#                               packet counts, none left open
# Needs hardware virtualization (on a host without it, tests/nested runs
# this inside L1).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
NAME=vsock
cleanup() {
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
. tests/linux/boot-lib.sh
HOSTPROG=$BUILD/tests/linux/vsock-host

TESTS="host-to-guest guest-to-host 1000-connections poweroff stats"
skip_all() {
	for t in $TESTS; do echo "SKIP /linux/vsock/$t: $1"; done
	exit 0
}
if ! host_hw_virt && ! in_nested_l1; then
	skip_all "Linux userspace needs vmx/svm (tests/nested runs this inside L1)"
fi
[ -c /dev/kvm ] || skip_all "no /dev/kvm"
[ -x "$HOSTPROG" ] && [ -x "$BUILD/tests/linux/vsock-echo" ] ||
	skip_all "$BUILD/tests/linux/vsock-host or vsock-echo not built (make test builds them)"
find_kernel || skip_all "$IMAGE_WHY"

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }
# Results wait in $tmp/results until the run they belong to is known to
# be the last (a guest lost to the nested stack is tested again).
report() {
	if [ -z "$WHY" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $WHY"
	fi >>"$tmp/results"
	WHY=
}
vs=$tmp/v.sock

"$HOSTPROG" serve "${vs}_6000" >"$tmp/serve.out" 2>&1 &
echo $! >"$tmp/serve.pid"
# vsock_boot: the guest, and the first connection, which waits (up to
# 600 s) for it to listen. The device's local ports start at 2^30
# (refused tries took some).
vsock_boot() {
	start=$(date +%s)
	"$BOARDVM" --kernel "$BZIMAGE" --initrd "$INITRD" --mem 512M --cpus 2 \
		"${L2_ARGS[@]}" \
		--vsock "$vs" --stats \
		--append "$APPEND_BASE boardvm.vsocktest=1 boardvm.end=wait" \
		</dev/null >"$tmp/$NAME.log" 2>"$tmp/$NAME.err" &
	pid=$!
	echo "$pid" >"$tmp/$NAME.pid"
	# A hang before /init (boot-lib.sh) kills the VM, which ends the dial.
	(while kill -0 "$pid" 2>/dev/null; do
		boot_stall_check "$NAME" "$pid" && break
		sleep 1
	done) &
	first=$(timeout 700 "$HOSTPROG" dial "$vs" 5000 1 | tail -n 1)
	port=$(echo "$first" | sed -n 's/^dial ok 1 first-port \([0-9]*\)$/\1/p')
}
# vsock_checks: one boot and every check on it.
vsock_checks() {
vsock_boot
# A triple fault or hang of the nested stack before /init finished (the
# guest is gone, so the dial failed): booted again, as boot_flaked says.
while [ -z "$port" ] && ! kill -0 "$pid" 2>/dev/null && boot_flaked "$NAME"; do
	wait "$pid" 2>/dev/null
	vsock_boot
done
[ -n "$port" ] && [ "$port" -ge 1073741824 ] ||
	fail "'$first'; $(boot_failure "$NAME")"
report /linux/vsock/host-to-guest

got=
for ((i = 0; i < 120; i++)); do
	got=$(log_lines "$NAME" | sed -n 's/^boardvm-init: vsock call //p' | head -n 1)
	[ -n "$got" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
[ "$got" = host:hello-from-guest ] ||
	fail "the guest's call got '$got' (host listener: $(cat "$tmp/serve.out"))"
report /linux/vsock/guest-to-host

sleep 2		# the guest's call is closed on the I/O thread
before=$("$HOSTPROG" fds "$pid")
t0=$(date +%s)
# Progress every 100 connections, so the harness sees output.
timeout 1200 "$HOSTPROG" dial "$vs" 5000 1000 >"$tmp/many.out" &
dial=$!
seen=0
# A guest that dies meanwhile (a late flake of the nested stack) ends the
# dial at once: dialling a dead VM's socket would retry silently until
# the harness takes L1 for hung (session 9's CI lost two L1s that way).
while kill -0 "$dial" 2>/dev/null; do
	sleep 5
	if ! kill -0 "$pid" 2>/dev/null; then
		kill "$dial" 2>/dev/null
		echo "  (vsock: boardvm ended during the 1000 connections)"
		break
	fi
	n=$(grep -c '^dial [0-9]' "$tmp/many.out")
	[ "$n" = "$seen" ] || echo "  (vsock: $((n * 100)) of 1000 connections)"
	seen=$n
done
wait "$dial"
many=$(tail -n 1 "$tmp/many.out")
t1=$(date +%s)
after=$("$HOSTPROG" fds "$pid")
echo "$many" | grep -q '^dial ok 1000 ' || fail "'$many'"
[ -n "$before" ] && [ "$before" = "$after" ] ||
	fail "boardvm had $before fds before the 1,000 connections, $after after"
report /linux/vsock/1000-connections
echo "  (vsock: 1000 connections in $((t1 - t0)) s; boardvm fds $before before, $after after)"

kill -TERM "$pid"
for ((i = 0; i < 120; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
if kill -0 "$pid" 2>/dev/null; then
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	status=timeout
else
	wait "$pid"
	status=$?
fi
rm -f "$tmp/$NAME.pid"
[ "$status" = 0 ] || fail "boardvm ended with status $status: $(boot_failure "$NAME")"
report /linux/vsock/poweroff

line=$(grep '^stats: device vsock0 ' "$tmp/$NAME.err")
c() { echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
if [ -z "$line" ]; then
	fail "no vsock0 line in --stats: $(grep '^stats:' "$tmp/$NAME.err" | tr '\n' '|')"
else
	[ "$(c conns-opened)" -ge 1002 ] || fail "conns-opened $(c conns-opened) < 1002"
	[ "$(c conns-open)" = 0 ] || fail "conns-open $(c conns-open) at exit"
	[ "$(c dropped)" = 0 ] || fail "dropped $(c dropped)"
	echo "  (vsock: $line)"
fi
report /linux/vsock/stats
}

: >"$tmp/results"
vsock_checks
# The guest died of a triple fault while tested (boot_flaked_late says
# when): that run's results go, the next boot is tested from the start.
while boot_flaked_late "$NAME"; do
	: >"$tmp/results"
	vsock_checks
done
cat "$tmp/results"
exit 0
