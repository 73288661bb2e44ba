# Guest tests of the virtio-pci devices through the freestanding driver in
# tests/guest/virtio/, on the virtio-guest board. Sourced by
# tests/guest/run.sh: its run_vm, expectations, $tmp and guest_test.
#
# Every run checks --stats: blk0's doorbell (`notify`, async by default)
# takes no exit, every ring arrives as an I/O-thread notify.

VBOARD=virtio-guest

# A fresh 1 MiB disk for blk0 (and blk1, which the tests leave alone).
virtio_disks() {
	head -c 1048576 /dev/zero >"$tmp/disk0"
	head -c 65536 /dev/zero >"$tmp/disk1"
}

# run_virtio GUEST [OPTIONS...]: the guest on its board, with --stats.
run_virtio() {
	local guest=$1
	shift
	run_vm "$VBOARD" "$guest" --stats "$@"
}

expect_doorbells_async() {
	expect_err "^stats: region $1\\.notify async exits=0 reads=0 writes=0 notifies=[1-9]"
}

t_virtio_blk() {
	virtio_disks
	run_virtio virtio-blk --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	# GET_ID: the serial is "boardvm-<device name>" (devices/virtio-blk.c).
	expect_out "virtio-blk: 2048 sectors; 4096 bytes written at sector 8, flushed, read back; id 'boardvm-blk0'"
	expect_doorbells_async blk0
	# The pattern reached the file: byte i of sector 8 is (7i + i/256) ^ 0x5a.
	local want= got i
	for i in $(seq 0 15); do
		want+=$(printf '%02x' $(((i * 7 + i / 256 ^ 0x5a) & 255)))
	done
	got=$(od -An -tx1 -j 4096 -N 16 "$tmp/disk0" | tr -d ' \n')
	[ "$got" = "$want" ] || fail "disk file at sector 8: $got, expected $want"
}

t_virtio_blk_ro() {
	virtio_disks
	head -c 512 /dev/zero | tr '\0' '\245' >"$tmp/disk0"
	head -c 4096 /dev/zero >>"$tmp/disk0"
	cp "$tmp/disk0" "$tmp/disk0.orig"
	run_virtio virtio-blk-ro --disk "$tmp/disk0,ro" --disk "$tmp/disk1"
	expect_status 33
	expect_out "virtio-blk read-only: VIRTIO_BLK_F_RO offered, write refused with IOERR, data unchanged"
	expect_doorbells_async blk0
	cmp -s "$tmp/disk0" "$tmp/disk0.orig" || fail "the read-only disk file changed"
}

# kill -9 after a FLUSH: the data the guest wrote is in the image (the
# io_uring writes were complete when the guest saw OK, none was left in
# flight for the kernel to cancel at the VMM's death), and the image's
# lock died with the VMM: a new boardvm opens it at once. (The FLUSH's
# fdatasync itself cannot be seen from here, a kill leaves the page
# cache; tests/devices/virtio-tests.c checks its ordering.)
t_virtio_blk_durable() {
	local pid s want got
	virtio_disks
	"$BUILD/$VBOARD/boardvm" --flat "$BUILD/guest/$VBOARD/virtio-blk-durable.bin@$LOAD_ADDR" \
		--disk "$tmp/disk0" --disk "$tmp/disk1" <"$STDIN" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	if ! wait_for "^virtio-blk durable: 32 sectors written at sector 16, flushed" "$tmp/out" "$TIMEOUT"; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		fail "no flush reported: $(tail -n 3 "$tmp/out" "$tmp/err" | tr '\n' ' ')"
		return
	fi
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	STATUS=$?
	expect_status 137
	for s in $(seq 0 31); do
		want=$(printf "$(printf %02x $((0x40 + s)))%.0s" $(seq 512))
		got=$(od -An -v -tx1 -j $(((16 + s) * 512)) -N 512 "$tmp/disk0" | tr -d ' \n')
		[ "$got" = "$want" ] || { fail "sector $((16 + s)) of the image after kill -9: ${got:0:16}..., expected ${want:0:16}..."; return; }
	done
	run_virtio virtio-blk --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_no_err "locked by another process"
}

t_virtio_rng() {
	virtio_disks
	run_virtio virtio-rng --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_out "virtio-rng: 128 random bytes in 2 requests, not all equal"
	expect_doorbells_async rng0
}

# hvc0's bytes come out on the host's stdout, before COM1's summary line
# (the guest waits for the used ring first).
t_virtio_console() {
	virtio_disks
	run_virtio virtio-console --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_out $'hello from hvc0\nvirtio-console: 16 bytes sent on hvc0'
	expect_doorbells_async con0
}

t_virtio_msix() {
	virtio_disks
	run_virtio virtio-msix --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_out "virtio msix: 4 reads, 4 interrupts on vector 0x41, no INTx"
	expect_doorbells_async blk0
}

# msix_nofile N: the MSI-X guest with at most N open files (both limits);
# true when it passed (status 33), STATUS and OUT set. No leak check under
# SANITIZE=1: LeakSanitizer opens /proc/PID/task at exit, which fails at
# the very limit the test looks for (other tests check for leaks).
msix_nofile() {
	(ulimit -n "$1" &&
	 export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" &&
	 run_virtio virtio-msix --disk "$tmp/disk0" --disk "$tmp/disk1" &&
	 exit "$STATUS")
	STATUS=$? OUT=$(cat "$tmp/out")
	[ "$STATUS" -eq 33 ]
}

# Out of file descriptors when the vector first fires: no eventfd, so no
# irqfd, and every interrupt goes by KVM_SIGNAL_MSI instead, none lost.
# The least RLIMIT_NOFILE the guest passes under (a binary search; below
# it startup fails with its reason) is one where the vector's eventfd was
# the only open that failed: its run must show the fallback, every time.
t_virtio_msix_signal_fallback() {
	local lo=8 hi=4096 mid
	virtio_disks
	msix_nofile "$hi" || { fail "fails even with $hi open files: $(tail -n 2 "$tmp/err" | tr '\n' '|')"; return; }
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if msix_nofile "$mid"; then hi=$mid; else lo=$mid; fi
	done
	msix_nofile "$hi"
	expect_status 33
	expect_out "virtio msix: 4 reads, 4 interrupts on vector 0x41, no INTx"
	expect_err "^boardvm: blk0: no irqfd for MSI-X vector 0 \(0xfee00000/0x41\): Too many open files; sent with KVM_SIGNAL_MSI$"
	expect_no_err "KVM_SIGNAL_MSI 0x"
	NOTE="at $hi open files"
}

t_virtio_intx() {
	virtio_disks
	run_virtio virtio-intx --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_out "virtio intx: 3 reads, 3 INTx interrupts on irq 10, ISR read lowers the line"
	expect_doorbells_async blk0
}

# flood_lines SOURCE PATTERN EVENTS WINDOWS: of EVENTS messages from
# SOURCE (lines matching PATTERN), at most RATELIMIT_BURST (10) per 5 s
# window were printed; --stats counts printed and suppressed exactly, and
# the "N similar messages suppressed" lines add up to the suppressed.
flood_lines() {
	local src=$1 pattern=$2 events=$3 windows=$4 printed stats sum
	printed=$(grep -c -- "$pattern" "$tmp/err")
	stats=$(grep -m1 "^stats: messages $src printed=" "$tmp/err")
	sum=$(sed -n "s/^boardvm: $src: \([0-9]*\) similar messages\{0,1\} suppressed$/\1/p" \
		"$tmp/err" | awk '{ s += $1 } END { print s + 0 }')
	[ "$stats" = "stats: messages $src printed=$printed suppressed=$((events - printed))" ] ||
		fail "$src: $printed lines printed of $events, --stats says '$stats'"
	[ "$printed" -le $((10 * windows)) ] ||
		fail "$src: $printed lines in $windows window(s) of 5 s"
	[ "$sum" -eq $((events - printed)) ] ||
		fail "$src: suppressed lines add up to $sum, expected $((events - printed))"
}

# A guest that floods the log: 2000 refused BAR moves, 200 break-reset
# cycles. Its stderr stays a few dozen lines.
t_virtio_log_flood() {
	local start windows
	virtio_disks
	start=$(date +%s)
	run_virtio virtio-log-flood --disk "$tmp/disk0" --disk "$tmp/disk1"
	windows=$((($(date +%s) - start) / 5 + 1))
	expect_status 33
	expect_out "virtio log flood: 2000 refused BAR moves, 200 break-reset cycles; both devices still answer"
	flood_lines "blk0 BAR0" "^boardvm: blk0 (.*): the guest moved BAR0 to " 2000 "$windows"
	flood_lines rng0 "^boardvm: rng0: the guest driver broke the device" 200 "$windows"
	[ "$(grep -vc '^stats: ' "$tmp/err")" -le $((22 * windows + 2)) ] ||
		fail "$(grep -vc '^stats: ' "$tmp/err") lines on stderr"
}

# A BAR-move storm on vCPU 1 (100 moves of rng0, 32 doorbells each)
# while vCPU 0 reads blk0 through its doorbell and probes the PCI lock:
# every read succeeds, no doorbell is lost or refused, rng0 works where
# it was left. (bench/barmove measures what vCPU 0 waits.)
t_virtio_bar_storm() {
	virtio_disks
	run_cli "$VBOARD" --cpus 2 --flat "$BUILD/guest/$VBOARD/virtio-bar-storm.bin@$LOAD_ADDR" \
		--disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	OUT=$(grep -v '^bench: ' "$tmp/out")
	expect_out "virtio bar storm: 100 moves of rng0 on cpu 1, 50 blk0 reads on cpu 0 ok, rng0 works where it was left"
	expect_no_err 'could not move|KVM_IOEVENTFD|AddressSanitizer|runtime error'
}

# The doorbell moves with the BAR: notifies counted wherever BAR0 sits.
t_virtio_bar_move() {
	virtio_disks
	run_virtio virtio-bar-move --disk "$tmp/disk0" --disk "$tmp/disk1"
	expect_status 33
	expect_out "virtio bar move: blk0 0xc0000000 -> 0xc0010000 works; onto rng0 at 0xc0008000 refused; -> 0xc0014000 works"
	expect_err "^stats: region blk0\\.notify async exits=0 reads=0 writes=0 notifies=3 "
}

guest_test /guest/virtio/blk t_virtio_blk
guest_test /guest/virtio/blk-read-only t_virtio_blk_ro
guest_test /guest/virtio/blk-durable t_virtio_blk_durable
guest_test /guest/virtio/rng t_virtio_rng
guest_test /guest/virtio/console t_virtio_console
guest_test /guest/virtio/msix t_virtio_msix
guest_test /guest/virtio/msix-signal-fallback t_virtio_msix_signal_fallback
guest_test /guest/virtio/intx t_virtio_intx
guest_test /guest/virtio/bar-move t_virtio_bar_move
guest_test /guest/virtio/log-flood t_virtio_log_flood
guest_test /guest/virtio/bar-storm t_virtio_bar_storm
