#!/usr/bin/env bash
# Console backends (--serial NAME=stdio|pty|file:PATH|unix:PATH|null,
# vmm/console-backend.c): each carries its own device's output and input
# and nothing else, the board's console moves off stdio when another
# device takes it, and the terminal is restored however boardvm ends.
#
# Guests: tests/guest/serial-ports.c (a line on every UART of pc) and
# serial-echo.c (COM2 echoes lines), virtio-console on the virtio-guest
# board. The peer end of a pty or socket is tests/vmm/console-peer.py.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
LOAD_ADDR=0x100000
TIMEOUT=60
PEER=tests/vmm/console-peer.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

guest() { echo "$BUILD/guest/$1/$2.bin@$LOAD_ADDR"; }

# run BOARD [OPTIONS...]: sets STATUS and OUT; stderr in $tmp/err.
run() {
	local board=$1
	shift
	timeout -k 5 "$TIMEOUT" "$BUILD/$board/boardvm" "$@" \
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
	[ "$OUT" = "$1" ] ||
		fail "stdout '$(echo "$OUT" | tr '\n' '|')', expected '$(echo "$1" | tr '\n' '|')'"
}
expect_file() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ] ||
		fail "$1 holds '$(tr '\n' '|' <"$1" 2>/dev/null)', expected '$2'"
}
expect_err() {
	grep -Eq -- "$1" "$tmp/err" || fail "stderr lacks /$1/: $(head -c 300 "$tmp/err")"
}

run_test() {
	WHY=
	"$2"
	if [ -z "$WHY" ]; then echo "PASS $1"; else echo "FAIL $1: $WHY"; fi
}

kvm_why=
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	kvm_why="/dev/kvm not available"
else
	run minimal --flat "$(guest minimal hello)"
	grep -Eq 'cannot open /dev/kvm|KVM_CREATE_VM|KVM lacks' "$tmp/err" &&
		kvm_why="/dev/kvm not usable ($(head -n 1 "$tmp/err"))"
fi
peer_why=
command -v python3 >/dev/null || peer_why="no python3 for the pty/socket peer"

guest_test() {
	if [ -n "$kvm_why" ]; then echo "SKIP $1: $kvm_why"; else run_test "$@"; fi
}
peer_test() {
	if [ -n "$peer_why" ]; then echo "SKIP $1: $peer_why"; else guest_test "$@"; fi
}

# --- command line (no KVM) ------------------------------------------------

t_bad_name() {
	run pc --serial kbd=null --flat "$(guest pc hello)"
	expect_status 1
	expect_err "^boardvm: --serial 'kbd=null': expected NAME=BACKEND with NAME a console device of board pc \(com1, com2, com3, com4, virtio-console0\)$"
	run pc --serial com2 --flat "$(guest pc hello)"
	expect_status 1
	expect_err "^boardvm: --serial 'com2': expected NAME=BACKEND"
}

t_bad_backend() {
	for spec in com2=tty com2=file: com2=unix: com2=; do
		run pc --serial "$spec" --flat "$(guest pc hello)"
		expect_status 1
		expect_err "^boardvm: --serial '$spec': expected NAME=stdio, pty, file:PATH, unix:PATH or null$"
	done
}

t_two_stdio() {
	run pc --serial com2=stdio --serial com3=stdio --flat "$(guest pc hello)"
	expect_status 1
	expect_err "^boardvm: --serial: com2 and com3 both on stdio: one device at most can have it$"
}

t_unopenable_file() {
	run pc --serial com2=file:"$tmp/no/such/dir/x" --flat "$(guest pc hello)"
	expect_status 1
	expect_err "^boardvm: --serial com2=file:$tmp/no/such/dir/x: No such file or directory$"
}

# --- each backend carries its device's output ------------------------------

t_files_and_null() {
	run pc --serial com2=file:"$tmp/com2" --serial com3=file:"$tmp/com3" \
		--serial com4=null --flat "$(guest pc serial-ports)"
	expect_status 33
	expect_out "com1: hello"
	expect_file "$tmp/com2" "com2: hello"
	expect_file "$tmp/com3" "com3: hello"
	# file: appends: a second run adds its line.
	run pc --serial com2=file:"$tmp/com2" --flat "$(guest pc serial-ports)"
	expect_file "$tmp/com2" $'com2: hello\ncom2: hello'
}

# Another device on stdio: the board's console (com1) goes to null.
t_stdio_moves() {
	run pc --serial com4=stdio --serial com1=file:"$tmp/com1" \
		--flat "$(guest pc serial-ports)"
	expect_status 33
	expect_out "com4: hello"
	expect_file "$tmp/com1" "com1: hello"
	run pc --serial com3=stdio --flat "$(guest pc serial-ports)"
	expect_status 33
	expect_out "com3: hello"
}

t_pty() {
	timeout -k 5 "$TIMEOUT" "$BUILD/pc/boardvm" --serial com2=pty \
		--flat "$(guest pc serial-echo)" </dev/null >"$tmp/out" \
		2>"$tmp/err" &
	local vm=$! pty= i
	for i in $(seq 100); do
		pty=$(sed -n 's/^boardvm: com2: console on pty \(.*\)$/\1/p' "$tmp/err")
		[ -n "$pty" ] && break
		sleep 0.1
	done
	[ -c "$pty" ] || fail "no pty path on stderr: $(head -c 300 "$tmp/err")"
	"$PEER" pty-echo "$pty" "ping over a pty" >"$tmp/peer"
	wait $vm
	STATUS=$?
	OUT=$(cat "$tmp/out")
	expect_status 33
	expect_out "com1: done"
	# The last echo may be lost: boardvm exits right after it, and a
	# pty whose master closes drops what its reader has not read yet.
	case $(cat "$tmp/peer") in
	$'com2: ready\ncom2 got: ping over a pty'*) ;;
	*) fail "the pty carried '$(tr '\n' '|' <"$tmp/peer")'" ;;
	esac
}

t_unix() {
	timeout -k 5 "$TIMEOUT" "$BUILD/pc/boardvm" \
		--serial com2=unix:"$tmp/com2.sock" \
		--flat "$(guest pc serial-echo)" </dev/null >"$tmp/out" \
		2>"$tmp/err" &
	local vm=$!
	"$PEER" unix-echo "$tmp/com2.sock" "ping over a socket" >"$tmp/peer"
	wait $vm
	STATUS=$?
	OUT=$(cat "$tmp/out")
	expect_status 33
	expect_out "com1: done"
	expect_err "^boardvm: com2: console on unix:$tmp/com2.sock, waiting for a client$"
	expect_file "$tmp/peer" $'com2: ready\ncom2 got: ping over a socket\ncom2 got: bye'
	[ ! -e "$tmp/com2.sock" ] || fail "the socket path was left behind"
}

# The virtio console takes a backend too; COM1 stays on stdout.
t_virtio_console_file() {
	head -c 1048576 /dev/zero >"$tmp/disk0"
	head -c 65536 /dev/zero >"$tmp/disk1"
	run virtio-guest --serial con0=file:"$tmp/con0" --disk "$tmp/disk0" \
		--disk "$tmp/disk1" --flat "$(guest virtio-guest virtio-console)"
	expect_status 33
	expect_out "virtio-console: 16 bytes sent on hvc0"
	expect_file "$tmp/con0" "hello from hvc0"
}

# boardvm on a cooked pty puts it raw; every way out puts it back.
t_terminal_restored() {
	local sig got
	for sig in SIGTERM SIGHUP SIGINT SIGSEGV SIGABRT; do
		got=$("$PEER" term-restore "$sig" "$BUILD/pc/boardvm" \
			--flat "$(guest pc serial-echo)")
		case $got in
		"restored status"*) ;;
		*) fail "after $sig: $got" ;;
		esac
	done
}

run_test /console/bad-name t_bad_name
run_test /console/bad-backend t_bad_backend
run_test /console/two-stdio t_two_stdio
run_test /console/unopenable-file t_unopenable_file
guest_test /console/files-and-null t_files_and_null
guest_test /console/stdio-moves t_stdio_moves
peer_test /console/pty t_pty
peer_test /console/unix t_unix
guest_test /console/virtio-console-file t_virtio_console_file
peer_test /console/terminal-restored t_terminal_restored
