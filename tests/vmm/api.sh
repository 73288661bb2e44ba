#!/usr/bin/env bash
# The API socket (--api-sock, docs/api.md) driven with curl --unix-socket
# as Firecracker's getting-started guide does, bad requests answered with
# the right status and no effect on the guest, pause/resume (a counting
# guest paused 100 times loses and repeats nothing), and the machine-
# readable outputs (--stats-format json, --metrics, --log-format json,
# --trace-io=NAMES, GET /board, GET /board/stats) validated with jq.
#
# Guests (pc board): counter (counts on COM1 for ever), ctrl-alt-del
# (prints the scancodes it reads from the i8042), power-button (powers
# off on the ACPI power button), serial-ports. Every VM
# runs under the seccomp filter, so the policy is tested with it.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
VM=$BUILD/pc/boardvm
LOAD_ADDR=0x100000
TIMEOUT=60
tmp=$(mktemp -d)
SOCK=$tmp/api.sock
vm_pid=
cleanup() {
	[ -n "$vm_pid" ] && kill -KILL "$vm_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

guest() { echo "$BUILD/guest/pc/$1.bin"; }

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }
run_test() {
	WHY=
	"$2"
	stop_vm
	if [ -z "$WHY" ]; then echo "PASS $1"; else echo "FAIL $1: $WHY"; fi
}

# --- one VM in the background, its API, its end -------------------------

# start_vm [OPTIONS...]: boardvm --api-sock $SOCK OPTIONS, stdout in
# $tmp/out, stderr in $tmp/err; returns once the socket answers.
# (--foreground: timeout passes a signal to boardvm only, not to its
# whole process group, so boardvm sees one SIGTERM, not two.)
start_vm() {
	rm -f "$SOCK"
	timeout --foreground -k 5 "$TIMEOUT" "$VM" --api-sock "$SOCK" "$@" </dev/null \
		>"$tmp/out" 2>"$tmp/err" &
	vm_pid=$!
	for _ in $(seq 200); do
		curl -s --unix-socket "$SOCK" -o /dev/null http://localhost/ &&
			return 0
		kill -0 "$vm_pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "the API socket never answered: $(head -c 300 "$tmp/err")"
	return 1
}

# wait_vm: its exit status in STATUS.
wait_vm() {
	wait "$vm_pid"
	STATUS=$?
	vm_pid=
}

stop_vm() {
	if [ -n "$vm_pid" ]; then
		kill -TERM "$vm_pid" 2>/dev/null
		wait "$vm_pid" 2>/dev/null
		vm_pid=
	fi
}

# api METHOD PATH [BODY]: sets CODE (HTTP status) and BODY (the response).
api() {
	local data=()
	[ $# -ge 3 ] && data=(--data "$3")
	CODE=$(curl -s --unix-socket "$SOCK" -X "$1" "${data[@]}" \
		-o "$tmp/body" -w '%{http_code}' "http://localhost$2")
	BODY=$(cat "$tmp/body")
}

# expect_api CODE [JQ-FILTER]: the last answer had this status, and the
# filter (run on its body) is true.
expect_api() {
	[ "$CODE" = "$1" ] || fail "$2: HTTP $CODE, expected $1: $BODY"
	if [ $# -ge 3 ] && ! jq -e "$3" <<<"$BODY" >/dev/null 2>&1; then
		fail "$2: body '$BODY' fails jq '$3'"
	fi
}

# A 400 that says why, Firecracker's way.
expect_fault() {
	expect_api 400 "$1" ".fault_message | test(\"$2\")"
}

wait_out() {
	for _ in $(seq 400); do
		grep -q -- "$1" "$tmp/out" && return 0
		sleep 0.05
	done
	fail "stdout never showed '$1': $(head -c 200 "$tmp/out")"
	return 1
}

# The counter guest's output: whole lines 0, 1, 2... with no gap or repeat.
expect_counting() {
	local got
	got=$(head -n -1 "$tmp/out" | awk 'NR - 1 != $1 { print "line " NR \
		": \"" $0 "\""; exit } END { if (NR < 100) print "only " NR \
		" lines" }')
	[ -z "$got" ] || fail "the count broke at $got"
}

kvm_why=
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	kvm_why="/dev/kvm not available"
else
	"$VM" --flat "$(guest hello)@$LOAD_ADDR" </dev/null >/dev/null 2>"$tmp/err"
	[ $? -eq 33 ] || kvm_why="/dev/kvm not usable ($(head -n 1 "$tmp/err"))"
fi
tools_why=
for t in curl jq python3; do
	command -v "$t" >/dev/null || tools_why="no $t"
done
api_test() {
	if [ -n "$kvm_why$tools_why" ]; then
		echo "SKIP $1: ${kvm_why:-$tools_why}"
	else
		run_test "$@"
	fi
}

# --- Firecracker's getting-started guide, step by step ---------------------

t_getting_started() {
	head -c 1048576 /dev/zero >"$tmp/rootfs"
	start_vm || return
	api GET /
	expect_api 200 "GET /" '.state == "Not started" and .id == "anonymous-instance" and .app_name == "boardvm" and (.vmm_version | length > 0)'
	api PUT /logger "{\"log_path\": \"$tmp/fc.log\", \"level\": \"Debug\", \"show_level\": true, \"show_log_origin\": true}"
	expect_api 204 "PUT /logger"
	api PUT /boot-source "{\"kernel_image_path\": \"$(guest ctrl-alt-del)\", \"boardvm_flat_addr\": 1048576}"
	expect_api 204 "PUT /boot-source"
	api PUT /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$tmp/rootfs\", \"is_root_device\": true, \"is_read_only\": false}"
	expect_api 204 "PUT /drives/rootfs"
	api PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 256}'
	expect_api 204 "PUT /machine-config"
	api PUT /metrics "{\"metrics_path\": \"$tmp/metrics.json\"}"
	expect_api 204 "PUT /metrics"
	api PUT /actions '{"action_type": "InstanceStart"}'
	expect_api 204 "InstanceStart"
	wait_out "waiting for keys" || return
	api GET /
	expect_api 200 "GET / running" '.state == "Running"'
	api GET /machine-config
	expect_api 200 "GET /machine-config" '.vcpu_count == 2 and .mem_size_mib == 256 and .smt == false'
	api PATCH /vm '{"state": "Paused"}'
	expect_api 204 "pause"
	api GET /
	expect_api 200 "GET / paused" '.state == "Paused"'
	api PATCH /vm '{"state": "Resumed"}'
	expect_api 204 "resume"
	api PUT /actions '{"action_type": "FlushMetrics"}'
	expect_api 204 "FlushMetrics"
	api PUT /boot-source "{\"kernel_image_path\": \"$(guest hello)\"}"
	expect_fault "boot-source after start" "not supported after starting"
	api PUT /actions '{"action_type": "InstanceStart"}'
	expect_fault "a second InstanceStart" "not supported after starting"
	api PUT /actions '{"action_type": "SendCtrlAltDel"}'
	expect_api 204 "SendCtrlAltDel"
	wait_vm
	[ "$STATUS" -eq 33 ] || fail "exit status $STATUS, expected 33: $(tail -n 2 "$tmp/err")"
	grep -qx "keys: 1d 38 e0 53 e0 d3 b8 9d" "$tmp/out" ||
		fail "the guest read '$(tail -n 1 "$tmp/out")', not Ctrl-Alt-Del"
	# One flush at FlushMetrics, one at the end, each a JSON object.
	[ "$(jq -s 'length' "$tmp/metrics.json" 2>/dev/null)" -ge 2 ] ||
		fail "metrics: $(head -c 300 "$tmp/metrics.json")"
	jq -e -s '.[0].utc_timestamp_ms > 0 and .[-1].state == "Running" and (.[-1].vcpus | length) == 2' \
		"$tmp/metrics.json" >/dev/null ||
		fail "metrics lines: $(head -c 300 "$tmp/metrics.json")"
	[ -e "$tmp/fc.log" ] || fail "PUT /logger did not create log_path"
}

# --- configuration refused before it can hurt -----------------------------

t_machine_config() {
	start_vm || return
	api GET /machine-config
	expect_api 200 "defaults" '.vcpu_count == 1 and .mem_size_mib == 512'
	api PUT /machine-config '{"vcpu_count": 9, "mem_size_mib": 256}'
	expect_fault "vcpu_count 9" "vcpu_count 9: board pc allows 1 to 8 vCPUs \\\\(cpus: max in boards/pc.yaml\\\\)"
	api PUT /machine-config '{"vcpu_count": 0, "mem_size_mib": 256}'
	expect_fault "vcpu_count 0" "allows 1 to 8"
	api PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 2097152}'
	expect_fault "2 TiB" "mem_size_mib 2097152: does not fit the RAM regions of board pc"
	api PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 256, "smt": true}'
	expect_fault "smt" "^smt: board pc"
	api PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 256, "cpu_template": "T2"}'
	expect_fault "cpu_template" "cpu_template 'T2'.*cpuid-hide"
	api PUT /machine-config '{"vcpu_count": 1}'
	expect_fault "PUT without mem" "missing field .mem_size_mib."
	api PATCH /machine-config '{"vcpu_count": 3}'
	expect_api 204 "PATCH vcpu_count"
	api GET /machine-config
	expect_api 200 "after PATCH" '.vcpu_count == 3 and .mem_size_mib == 512'
	api PUT /network-interfaces/eth0 '{"iface_id": "eth0", "host_dev_name": "tap0"}'
	expect_fault "network" "no virtio-net device"
	api PUT /vsock '{"guest_cid": 3, "uds_path": "/tmp/v.sock"}'
	expect_fault "vsock" "no virtio-vsock device"
	api PUT /drives/a '{"drive_id": "a", "path_on_host": "/x", "is_root_device": false}'
	expect_api 204 "drive a"
	api PUT /drives/b '{"drive_id": "b", "path_on_host": "/y", "is_root_device": false}'
	expect_fault "a second drive" "drive 'b': board pc has 1 virtio-blk-pci device, all taken"
	api PUT /drives/c '{"drive_id": "d", "path_on_host": "/y", "is_root_device": false}'
	expect_fault "id mismatch" "does not match"
	api PATCH /vm '{"state": "Paused"}'
	expect_fault "pause before start" "not supported before starting"
	api PUT /actions '{"action_type": "InstanceStart"}'
	expect_fault "start without a kernel" "without kernel configuration"
	api GET /board/stats
	expect_fault "stats before start" "before starting"
	kill -TERM "$vm_pid"
	wait_vm
	[ "$STATUS" -eq 143 ] || fail "SIGTERM before InstanceStart: status $STATUS"
	grep -q "^boardvm: Terminated before InstanceStart: stopping$" "$tmp/err" ||
		fail "stderr: $(head -c 300 "$tmp/err")"
}

# --- bad requests: the right answer, and the guest counts on --------------

t_bad_requests() {
	local big
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	api PUT /actions '{"action_type": "Flush'
	expect_fault "truncated JSON" "^An error occurred when deserializing the json body of a request: "
	api PUT /actions 'not json'
	expect_fault "not JSON" "deserializing the json body"
	api PUT /actions '{"action_type": "InstanceStart"} trailing'
	expect_fault "trailing bytes" "deserializing the json body"
	api PUT /actions '[1, 2]'
	expect_fault "an array" "expected an object, got an array"
	api PUT /actions ''
	expect_fault "empty body" "empty body"
	api PUT /actions '{"action_type": 7}'
	expect_fault "wrong type" "field .action_type.: expected a string, got an integer"
	api PUT /actions '{"action_type": "Reboot"}'
	expect_fault "unknown action" "unknown variant .Reboot."
	api PUT /actions '{"action_type": "FlushMetrics", "extra": 1}'
	expect_fault "unknown field" "unknown field .extra., expected one of .action_type."
	api PATCH /vm '{"state": "Stopped"}'
	expect_fault "unknown state" "unknown variant .Stopped."
	api PATCH /vm '{}'
	expect_fault "missing state" "missing field .state."
	api GET /no/such/path
	expect_fault "unknown path" "^Invalid request method and/or path: GET /no/such/path.$"
	api DELETE /
	expect_fault "unknown method" "^Invalid request method and/or path: DELETE /.$"
	api PUT /actions '{"action_type": "FlushMetrics"}'
	expect_fault "no metrics" "metrics are not configured"
	api PUT /board/trace '{"enabled": true, "filter": "nosuchdev"}'
	expect_fault "trace filter" "trace filter 'nosuchdev': board pc has no device or region of that name"
	# Bodies over Firecracker's 51200 bytes, with and without a length.
	big=$(head -c 100000 /dev/zero | tr '\0' ' ')
	api PUT /actions "{\"action_type\": \"FlushMetrics\"$big}"
	expect_fault "100 KB body" "larger than the limit of 51200"
	CODE=$(head -c 200000 /dev/zero | curl -s --unix-socket "$SOCK" -X PUT \
		-H 'Transfer-Encoding: chunked' --data-binary @- \
		-o "$tmp/body" -w '%{http_code}' http://localhost/actions)
	BODY=$(cat "$tmp/body")
	expect_fault "200 KB chunked body" "larger than the limit of 51200"
	api GET /
	expect_api 200 "still running" '.state == "Running"'
	stop_vm
	expect_counting
}

# A client that sends half a request and waits does not hold the server
# up, and is cut off once idle; 100 connections at once are all served.
t_slow_and_many() {
	local i ok
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	python3 - "$SOCK" >"$tmp/slow" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")	# never finished
t = time.time()
s.settimeout(30)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print("closed after %.0f s" % (time.time() - t))
EOF
	local slow=$!
	sleep 0.5
	api GET /
	expect_api 200 "GET / beside a slow client" '.state == "Running"'
	for i in $(seq 100); do
		curl -s --unix-socket "$SOCK" -o "$tmp/c$i" -w '%{http_code}\n' \
			http://localhost/ >"$tmp/code$i" &
	done
	wait $(jobs -p | grep -v "^$vm_pid$" | grep -v "^$slow$")
	ok=0
	for i in $(seq 100); do
		[ "$(cat "$tmp/code$i")" = 200 ] &&
			jq -e '.state == "Running"' "$tmp/c$i" >/dev/null && ok=$((ok + 1))
	done
	[ "$ok" -eq 100 ] || fail "$ok of 100 concurrent GET / answered 200"
	wait "$slow"
	grep -Eq '^closed after ([0-9]|1[0-5]) s$' "$tmp/slow" ||
		fail "the slow client: $(cat "$tmp/slow")"
	stop_vm
	expect_counting
}

# --- pause and resume -------------------------------------------------------

t_pause_100() {
	local a b exits bytes
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	wait_out "^100$" || return
	for _ in $(seq 100); do
		api PATCH /vm '{"state": "Paused"}'
		[ "$CODE" = 204 ] || fail "pause: HTTP $CODE $BODY"
		api PATCH /vm '{"state": "Resumed"}'
		[ "$CODE" = 204 ] || fail "resume: HTTP $CODE $BODY"
	done
	api PATCH /vm '{"state": "Paused"}'
	a=$(wc -c <"$tmp/out")
	sleep 0.5
	b=$(wc -c <"$tmp/out")
	[ "$a" -eq "$b" ] || fail "paused, the guest wrote $((b - a)) bytes"
	# Paused: every byte on stdout is exactly one COM1 write exit.
	api GET /board/stats
	expect_api 200 "stats" '.regions[] | select(.name == "com1.regs") | .writes > 0'
	exits=$(jq '.regions[] | select(.name == "com1.regs") | .writes' <<<"$BODY")
	[ "$exits" = "$b" ] || fail "com1 took $exits writes, stdout has $b bytes"
	api PATCH /vm '{"state": "Resumed"}'
	sleep 0.3
	[ "$(wc -c <"$tmp/out")" -gt "$b" ] || fail "resumed, the guest did not go on"
	stop_vm
	expect_counting
}

# --- the live board ---------------------------------------------------------

# GET /board has boardc map's schema: the same devices and regions, with
# their board positions.
t_board_map() {
	local want got
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	api GET /board
	expect_api 200 "GET /board" '.board == "pc" and .source == "boards/pc.yaml"'
	"$BUILD/boardc/boardc" map --format json boards/pc.yaml >"$tmp/map.json"
	want=$(jq -c '[.devices[] | {name, type, srcpos}]' "$tmp/map.json")
	got=$(jq -c '[.devices[] | {name, type, srcpos}]' <<<"$BODY")
	[ "$want" = "$got" ] || fail "devices differ from boardc map: $got"
	# The port tree, device nodes and regions (boardc adds the windows).
	want=$(jq -c '[.ioports[] | select(.kind != "window") | {name, kind, first, last, binding, srcpos, children: [(.children // [])[] | {name, first, last, binding, srcpos}]}]' "$tmp/map.json")
	got=$(jq -c '[.ioports[] | {name, kind, first, last, binding, srcpos, children: [(.children // [])[] | {name, first, last, binding, srcpos}]}]' <<<"$BODY")
	[ "$want" = "$got" ] || fail "ioports differ from boardc map: $got"
	# Memory as boardc lays it out: e820, reserved ranges, windows,
	# devices in them (BARs at home: the guest leaves PCI alone).
	local strip='def s: if type == "object" then (del(.["board-first"], .mapped) | with_entries(.value |= s)) elif type == "array" then map(s) else . end; s | {irqs, ram, e820, iomem}'
	want=$(jq -S -c "$strip" "$tmp/map.json")
	got=$(jq -S -c "$strip" <<<"$BODY")
	[ "$want" = "$got" ] || fail "iomem, e820, ram or irqs differ from boardc map: $(head -c 300 <<<"$got")"
	jq -e '[.iomem[] | select(.kind == "window" and .name == "PCI Bus 0000:00") | .children[] | select(.name == "virtio-blk0 (pci 00:03.0)")] | length == 1' <<<"$BODY" >/dev/null ||
		fail "no virtio-blk0 in the PCI window"
}

t_board_trace() {
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	wait_out "^10$" || return
	api PUT /board/trace '{"enabled": true, "filter": "com1", "format": "json"}'
	expect_api 204 "trace on"
	sleep 0.3
	api PUT /board/trace '{"enabled": false}'
	expect_api 204 "trace off"
	grep '^{"trace"' "$tmp/err" >"$tmp/trace"
	[ -s "$tmp/trace" ] || fail "no JSON trace lines: $(head -c 200 "$tmp/err")"
	jq -e -s 'length > 10 and all(.region == "com1.regs" and .register == "THR" and .op == "write" and .space == "pio" and .addr == 1016 and .binding == "sync")' \
		"$tmp/trace" >/dev/null || fail "trace lines: $(head -n 2 "$tmp/trace")"
	local n
	n=$(wc -l <"$tmp/trace")
	sleep 0.3
	[ "$(grep -c '^{"trace"' "$tmp/err")" -eq "$n" ] || fail "the trace went on after it was turned off"
}

# PUT /board/shutdown: SIGTERM's press of the power button. Refused before
# the start and while the guest does not listen; taken by power-button,
# which powers off (status 0).
t_board_shutdown() {
	start_vm || return
	api PUT /board/shutdown
	expect_fault "shutdown before the start" "not supported before starting"
	stop_vm
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	wait_out "^10$" || return
	api PUT /board/shutdown
	expect_fault "shutdown, nothing listening" "nothing listens to the ACPI power button"
	kill -0 "$vm_pid" 2>/dev/null || fail "the refused shutdown stopped the VM"
	stop_vm
	start_vm --flat "$(guest power-button)@$LOAD_ADDR" || return
	wait_out listening || return
	api PUT /board/shutdown
	expect_api 204 "shutdown"
	wait_vm
	[ "$STATUS" -eq 0 ] || fail "exit status $STATUS after the power button, expected 0: $(tail -n 2 "$tmp/err" | tr '\n' '|')"
	grep -q "power button" "$tmp/out" || fail "the guest saw no press: $(head -c 200 "$tmp/out")"
}

# --- machine-readable output on the command line --------------------------

t_stats_json() {
	local status srcpos
	srcpos=$("$BUILD/boardc/boardc" map --format json boards/pc.yaml |
		jq -r '.. | objects | select(.name? == "com1.regs") | .srcpos')
	timeout "$TIMEOUT" "$VM" --stats-format json --flat \
		"$(guest serial-ports)@$LOAD_ADDR" --serial com2=null </dev/null \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	[ "$status" -eq 33 ] || fail "status $status"
	jq -e --arg srcpos "$srcpos" '(.vcpus | length) == 1 and (.regions[] | select(.name == "com1.regs") | .writes == 12 and .binding == "sync" and .srcpos == $srcpos) and (.unmapped | has("reads"))' \
		"$tmp/err" >/dev/null || fail "stats: $(head -c 300 "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "more than the stats object on stderr"
}

t_metrics_file() {
	start_vm --metrics "$tmp/m.json" --metrics-interval 100 \
		--flat "$(guest counter)@$LOAD_ADDR" || return
	sleep 1.2
	stop_vm
	# Flushes before the VM is up say "Not started" and carry no counters.
	jq -e -s '([.[] | select(.state == "Running")] | length >= 3 and all(.vcpus[0].exits > 0)) and ([.[].flush] == [range(1; length + 1)]) and ([.[].utc_timestamp_ms] | . == sort)' \
		"$tmp/m.json" >/dev/null ||
		fail "metrics: $(head -c 300 "$tmp/m.json")"
}

t_log_json() {
	start_vm --log-format json --flat "$(guest counter)@$LOAD_ADDR" || return
	wait_out "^10$" || return	# running: main's sigwait takes SIGTERM
	stop_vm
	jq -e -s 'length >= 1 and all(has("time") and has("level") and has("msg")) and any(.msg == "Terminated: stopping" and .level == "info")' \
		"$tmp/err" >/dev/null || fail "log: $(head -c 300 "$tmp/err")"
	start_vm --log-level warn --flat "$(guest counter)@$LOAD_ADDR" || return
	wait_out "^10$" || return
	stop_vm
	grep -q "^10$" "$tmp/out" || fail "the guest did not run"
	! grep -q "stopping" "$tmp/err" || fail "--log-level warn showed an info line"
	# A stop signal during setup (com2 waits for its client) is logged by
	# setup's handler, in JSON too: where `timeout`'s second SIGTERM lands.
	local pid status
	rm -f "$tmp/c2.sock"
	"$VM" --log-format json --serial "com2=unix:$tmp/c2.sock" \
		--flat "$(guest counter)@$LOAD_ADDR" </dev/null >/dev/null \
		2>"$tmp/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "waiting for a client" "$tmp/err" && break
		sleep 0.02
	done
	kill -TERM "$pid"
	wait "$pid"
	status=$?
	[ "$status" -eq 143 ] || fail "SIGTERM in setup: status $status"
	jq -e -s 'length == 2 and all(has("time") and has("level") and has("msg")) and .[1].msg == "Terminated: stopping" and .[1].level == "info" and (.[1].time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$"))' \
		"$tmp/err" >/dev/null || fail "SIGTERM in setup: stderr is not two JSON log lines: $(head -c 300 "$tmp/err")"
}

t_trace_filter() {
	local status
	timeout "$TIMEOUT" "$VM" --trace-io=com2,com4.regs --flat \
		"$(guest serial-ports)@$LOAD_ADDR" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	[ "$status" -eq 33 ] || fail "status $status"
	[ "$(grep -c '^trace-io: ' "$tmp/err")" -eq 24 ] ||
		fail "$(grep -c '^trace-io: ' "$tmp/err") trace lines, expected 24 (12 bytes on com2 and com4)"
	grep '^trace-io: ' "$tmp/err" | grep -Ev -- '-> com(2|4)\.regs\+0x0 THR \(sync\)$' | head -n 1 >"$tmp/other"
	[ ! -s "$tmp/other" ] || fail "a line of another region: $(cat "$tmp/other")"
	"$VM" --trace-io=bogus --flat "$(guest hello)@$LOAD_ADDR" </dev/null 2>"$tmp/err"
	status=$?
	[ "$status" -eq 1 ] || fail "--trace-io=bogus: status $status"
	grep -q "^boardvm: --trace-io: trace filter 'bogus': board pc has no device or region of that name; devices: pic " "$tmp/err" ||
		fail "--trace-io=bogus: $(cat "$tmp/err")"
}

t_config_file() {
	local status
	cat >"$tmp/vm.json" <<EOF
{
  "boot-source": { "kernel_image_path": "$(guest serial-ports)", "boardvm_flat_addr": 1048576 },
  "machine-config": { "vcpu_count": 1, "mem_size_mib": 128 }
}
EOF
	timeout "$TIMEOUT" "$VM" --config-file "$tmp/vm.json" </dev/null \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	[ "$status" -eq 33 ] || fail "status $status: $(head -c 300 "$tmp/err")"
	[ "$(cat "$tmp/out")" = "com1: hello" ] || fail "stdout: $(cat "$tmp/out")"
	echo '{"machine-config": {"vcpu_count": 99, "mem_size_mib": 128}}' >"$tmp/bad.json"
	"$VM" --config-file "$tmp/bad.json" </dev/null >/dev/null 2>"$tmp/err"
	status=$?
	[ "$status" -eq 1 ] || fail "bad config: status $status"
	grep -q "^boardvm: --config-file $tmp/bad.json: PUT /machine-config: .*vcpu_count 99: board pc allows 1 to 8" "$tmp/err" ||
		fail "bad config: $(cat "$tmp/err")"
	echo '{"boot": {}}' >"$tmp/bad.json"
	"$VM" --config-file "$tmp/bad.json" </dev/null >/dev/null 2>"$tmp/err"
	grep -q 'unknown section "boot"' "$tmp/err" || fail "unknown section: $(cat "$tmp/err")"
}

# --- libmicrohttpd is loaded by --api-sock only ------------------------------

# The library (and GnuTLS, which it brings) is not linked: a VM without
# --api-sock never maps it; one with --api-sock does; and where it cannot
# be loaded (here: hidden under /dev/null in a mount namespace of the
# test), --api-sock says which library and why, and boardvm does not start.
t_library_on_demand() {
	local lib maps
	if readelf -d "$VM" | grep -q 'NEEDED.*\(libmicrohttpd\|libgnutls\)'; then
		fail "$VM links libmicrohttpd or libgnutls: $(readelf -d "$VM" | grep NEEDED | tr -s ' ' | tr '\n' ' ')"
	fi
	"$VM" --flat "$(guest counter)@$LOAD_ADDR" </dev/null >/dev/null 2>&1 &
	vm_pid=$!
	sleep 0.5
	maps=$(cat "/proc/$vm_pid/maps" 2>/dev/null)
	[ -n "$maps" ] || fail "no /proc/$vm_pid/maps of the VM without --api-sock"
	grep -q 'libmicrohttpd\|libgnutls' <<<"$maps" &&
		fail "a VM without --api-sock mapped libmicrohttpd or libgnutls"
	stop_vm
	start_vm --flat "$(guest counter)@$LOAD_ADDR" || return
	# start_vm's $vm_pid is timeout(1); boardvm is its child
	grep -q libmicrohttpd "/proc/$(pgrep -P "$vm_pid" | head -n 1)/maps" ||
		fail "a VM with --api-sock has no libmicrohttpd mapped"
	stop_vm
	lib=$(awk '/libmicrohttpd/ { print $NF; exit }' /proc/self/maps)
	[ -n "$lib" ] || lib=$(ldconfig -p | awk '/libmicrohttpd\.so\./ { print $NF; exit }')
	if [ -z "$lib" ] || ! command -v unshare >/dev/null; then
		fail "no libmicrohttpd in ldconfig -p, or no unshare, to hide it"
		return
	fi
	lib=$(readlink -f "$lib")
	unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
		sh "$lib" "$VM" --api-sock "$SOCK" --flat "$(guest hello)@$LOAD_ADDR" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	STATUS=$?
	[ "$STATUS" = 1 ] || fail "hidden libmicrohttpd: exit status $STATUS, expected 1 (usage)"
	grep -q '^boardvm: --api-sock needs libmicrohttpd (libmicrohttpd\.so\.[0-9]*): ' "$tmp/err" ||
		fail "hidden libmicrohttpd: stderr '$(head -c 300 "$tmp/err")'"
	[ -s "$tmp/out" ] && fail "hidden libmicrohttpd: the guest ran: $(head -c 100 "$tmp/out")"
}

api_test /api/getting-started t_getting_started
api_test /api/library-on-demand t_library_on_demand
api_test /api/machine-config t_machine_config
api_test /api/bad-requests t_bad_requests
api_test /api/slow-and-100-clients t_slow_and_many
api_test /api/pause-100 t_pause_100
api_test /api/board-map t_board_map
api_test /api/board-trace t_board_trace
api_test /api/board-shutdown t_board_shutdown
api_test /output/stats-json t_stats_json
api_test /output/metrics-file t_metrics_file
api_test /output/log-json t_log_json
api_test /output/trace-filter t_trace_filter
api_test /api/config-file t_config_file
