#!/usr/bin/env bash
# How a guest ends the VM, with the freestanding guests of tests/guest:
# power-off (every vCPU halted with interrupts off, polled with an
# in-kernel irqchip), the ACPI power button that SIGTERM presses (acpi-pm
# on pc: tests/guest/power-button.c), reset and --reboot, and the
# explanation of a guest instruction the host's KVM cannot run. Needs
# /dev/kvm (else SKIP).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
LOAD_ADDR=0x100000
TIMEOUT=30
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

WHY=
fail() { [ -n "$WHY" ] || WHY=$1; }

# run_vm BOARD GUEST [OPTIONS...]: STATUS, $tmp/out, $tmp/err.
run_vm() {
	local board=$1 guest=$2
	shift 2
	timeout -k 5 "$TIMEOUT" "$BUILD/$board/boardvm" \
		--flat "$BUILD/guest/$board/$guest.bin@$LOAD_ADDR" "$@" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	STATUS=$?
}

expect_status() {
	[ "$STATUS" -eq "$1" ] ||
		fail "exit status $STATUS, expected $1; stderr: $(tail -n 4 "$tmp/err" | tr '\n' '|')"
}

expect_err() {
	grep -Eq -- "$1" "$tmp/err" || fail "stderr lacks /$1/: $(head -c 300 "$tmp/err" | tr '\n' '|')"
}

expect_out() {
	grep -Eq -- "$1" "$tmp/out" || fail "serial output lacks /$1/: $(head -c 300 "$tmp/out" | tr '\n' '|')"
}

# run_until BOARD GUEST PATTERN COUNT [OPTIONS...]: run the guest in the
# background until its serial output has COUNT lines matching PATTERN (or
# TIMEOUT seconds), then stop it. Sets SEEN.
run_until() {
	local board=$1 guest=$2 pattern=$3 count=$4 i
	shift 4
	"$BUILD/$board/boardvm" --flat "$BUILD/guest/$board/$guest.bin@$LOAD_ADDR" \
		"$@" </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	SEEN=0
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		SEEN=$(grep -c -- "$pattern" "$tmp/out")
		[ "$SEEN" -ge "$count" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	# SIGTERM must end boardvm, even mid-reboot: never hang the suite.
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		fail "boardvm ignored SIGTERM for 10 s (killed)"
	fi
	wait "$pid" 2>/dev/null
	pid=
}

# start_vm BOARD GUEST [OPTIONS...]: boardvm in the background ($pid).
start_vm() {
	local board=$1 guest=$2
	shift 2
	"$BUILD/$board/boardvm" --flat "$BUILD/guest/$board/$guest.bin@$LOAD_ADDR" \
		"$@" </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
}

# wait_out PATTERN: until the guest's output has it (false after TIMEOUT).
wait_out() {
	local i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		grep -q -- "$1" "$tmp/out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "no '$1' from the guest: $(head -c 300 "$tmp/out" | tr '\n' '|')"
	return 1
}

# wait_exit SECONDS: boardvm's STATUS within SECONDS (killed after them:
# STATUS 'hung'); ELAPSED the seconds it took.
wait_exit() {
	local i start=$SECONDS
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		STATUS=hung
	else
		wait "$pid"
		STATUS=$?
	fi
	ELAPSED=$((SECONDS - start))
	pid=
}

run_test() {
	WHY=
	"$2"
	if [ -n "$kvm_why" ]; then
		echo "SKIP $1: $kvm_why"
	elif [ -z "$WHY" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $WHY"
	fi
}

host_hw_virt() { grep -Eqw 'vmx|svm' /proc/cpuinfo; }

# --- the tests --------------------------------------------------------------

# Linux's poweroff without ACPI: every CPU halts with interrupts off. With
# an in-kernel irqchip KVM never reports HLT, so boardvm polls for it.
t_halted_all() {
	run_vm bindings halt --cpus 2
	expect_status 0
	expect_out "halting"
	expect_err "every vCPU is halted with interrupts off"
}

# SIGTERM presses the power button of a guest that enabled it: the guest
# acknowledges it and enters S5, boardvm ends with 0.
t_button_sigterm() {
	start_vm pc power-button
	wait_out listening || return
	kill -TERM "$pid"
	wait_exit 20
	expect_status 0
	expect_out "power button"
	expect_err "Terminated: pressed the power button; stopping in 30 s"
}

# A guest that never enabled the event (no ACPI, no button driver) is
# stopped at once, as before the power button: 143.
t_button_not_listening() {
	start_vm pc counter
	wait_out "^1$" || return
	kill -TERM "$pid"
	wait_exit 10
	expect_status 143
	expect_err "Terminated: stopping"
	! grep -q "power button" "$tmp/err" || fail "pressed a button nobody listens to"
}

# A guest that takes the press and runs on is stopped after the timeout.
t_button_timeout() {
	start_vm pc power-button-ignore --shutdown-timeout 2
	wait_out listening || return
	kill -TERM "$pid"
	wait_exit 20
	expect_status 143
	expect_out "power button"
	[ "$ELAPSED" -ge 1 ] || fail "stopped after ${ELAPSED}s, before --shutdown-timeout 2"
	expect_err "the guest did not power off after the power button \(--shutdown-timeout\)"
}

# A second SIGTERM stops at once, whatever the timeout.
t_button_second_sigterm() {
	start_vm pc power-button-ignore --shutdown-timeout 600
	wait_out listening || return
	kill -TERM "$pid"
	wait_out "power button" || return
	kill -TERM "$pid"
	wait_exit 10
	expect_status 143
	expect_err "Terminated: stopping$"
}

# --shutdown-timeout 0: no press, SIGTERM stops at once.
t_button_off() {
	start_vm pc power-button --shutdown-timeout 0
	wait_out listening || return
	kill -TERM "$pid"
	wait_exit 10
	expect_status 143
	! grep -q "power button" "$tmp/out" || fail "the guest saw a press"
}

t_button_bad_timeout() {
	"$BUILD/pc/boardvm" --shutdown-timeout soon --flat /dev/null@0 \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	STATUS=$?
	expect_status 1
	expect_err "^boardvm: --shutdown-timeout 'soon': expected seconds, 0 \(SIGTERM stops at once\) to 86400$"
}

# Without --reboot a reset ends the VM with 4 (tests/guest covers it);
# with it the guest boots again, and again.
t_reboot_i8042() {
	run_until bindings kbd-reset "resetting through the i8042" 3 --reboot
	[ "$SEEN" -ge 3 ] || fail "the guest booted $SEEN time(s) in ${TIMEOUT}s, expected 3; stderr: $(tail -n 3 "$tmp/err" | tr '\n' '|')"
	expect_err "the guest reset the machine: booting it again \(--reboot\)"
}

t_reboot_triple_fault() {
	run_until bindings triple-fault "triple fault ahead" 2 --reboot
	[ "$SEEN" -ge 2 ] || fail "the guest booted $SEEN time(s) in ${TIMEOUT}s, expected 2"
	expect_err "triple fault"
	expect_err "booting it again"
}

# The triple fault's dump names the instruction: ud2 with an empty IDT.
t_triple_fault_insn() {
	run_vm bindings triple-fault
	expect_status 4
	expect_err "instruction at 0008:[0-9a-f]{16} \(guest physical 0x[0-9a-f]+\): 0f 0b .*= ud2"
}

# popcnt: run by the CPU with vmx/svm; without them KVM's emulator fails
# on it and boardvm says so, with status 5.
t_popcnt() {
	run_vm minimal popcnt
	if host_hw_virt; then
		expect_status 33
		expect_out "popcnt ran"
		return
	fi
	expect_status 5
	expect_err "instruction at .*: f3 0f b8 .*= popcnt"
	expect_err "this host's KVM cannot run the guest's popcnt at rip 0x0000000000100"
	expect_err "neither vmx nor svm"
	expect_err "run boardvm on a host with hardware virtualization"
	expect_err "CPUID already hides popcnt"
}

# With popcnt shown in CPUID the advice is to hide it.
t_popcnt_advice() {
	run_vm minimal popcnt --cpuid-hide default,-popcnt
	if host_hw_virt; then
		expect_status 33
		return
	fi
	expect_status 5
	expect_err "hide it from the guest's CPUID: --cpuid-hide default,popcnt"
}

t_help() {
	"$BUILD/minimal/boardvm" --help >"$tmp/err" 2>&1
	expect_err "^  --reboot "
	expect_err "^  --shutdown-timeout S$"
	expect_err "^ +SIGTERM presses the ACPI power button when the guest"
	expect_err "^  0  the guest powered off"
	expect_err "^  4  the guest reset the machine"
	expect_err "^  5  this host's KVM cannot run a guest instruction"
	expect_err "^  1  bad input: the command line, or a file it names"
	expect_err "^  141  the console.s output was closed"
}

# --- is KVM usable here? ------------------------------------------------------

kvm_why=
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	kvm_why="/dev/kvm not available"
fi

run_test /power/halted-all-irqs-off t_halted_all
run_test /power/button/sigterm t_button_sigterm
run_test /power/button/not-listening t_button_not_listening
run_test /power/button/timeout t_button_timeout
run_test /power/button/second-sigterm t_button_second_sigterm
run_test /power/button/timeout-zero t_button_off
kvm_why= run_test /power/button/bad-timeout t_button_bad_timeout
run_test /power/reboot/i8042 t_reboot_i8042
run_test /power/reboot/triple-fault t_reboot_triple_fault
run_test /power/triple-fault-insn t_triple_fault_insn
run_test /power/emulation/popcnt t_popcnt
run_test /power/emulation/popcnt-advice t_popcnt_advice
kvm_why= run_test /power/help t_help
