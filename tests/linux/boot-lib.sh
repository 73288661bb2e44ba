# Shared by tests/linux/boot.sh and full-boot.sh (sourced, not run):
# finding the cached Debian kernel, booting it on the pc board in the
# background, watching its serial log, and the e820 comparison.
# Callers set BUILD, tmp and define their own reporting.

BOARD_FILE=boards/pc.yaml
BOARDVM=$BUILD/pc/boardvm
BOARDC=$BUILD/boardc/boardc
BOOT_TIMEOUT=${BOOT_TIMEOUT:-420}	# seconds per boot, a hard bound
APPEND_BASE="earlyprintk=serial console=ttyS0 panic=-1"

# find_kernel: BZIMAGE, VMLINUX, INITRD from the cache, fetching them with
# scripts/guest-image.sh when missing. Sets IMAGE_WHY when there are none.
find_kernel() {
	local out
	IMAGE_WHY=
	if ! out=$(scripts/guest-image.sh 2>&1); then
		IMAGE_WHY="no Debian kernel: scripts/guest-image.sh failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		return 1
	fi
	BZIMAGE=$(echo "$out" | sed -n 's/^BZIMAGE=//p')
	VMLINUX=$(echo "$out" | sed -n 's/^VMLINUX=//p')
	INITRD=$(echo "$out" | sed -n 's/^INITRD=//p')
	if [ ! -f "$BZIMAGE" ] || [ ! -f "$VMLINUX" ] || [ ! -f "$INITRD" ]; then
		IMAGE_WHY="scripts/guest-image.sh did not give a bzImage, vmlinux and initrd: $(echo "$out" | tr '\n' ' ')"
		return 1
	fi
}

host_hw_virt() { grep -Eqw 'vmx|svm' /proc/cpuinfo; }
# Where the host lacks vmx/svm, tests/nested runs the hardware-
# virtualization tests inside a QEMU TCG guest with emulated SVM.
nested_available() {
	! host_hw_virt && command -v qemu-system-x86_64 >/dev/null
}

# boot_start NAME KERNEL MEM APPEND: boardvm in the background, serial log
# in $tmp/NAME.log, stderr in $tmp/NAME.err, pid in $tmp/NAME.pid.
boot_start() {
	local name=$1 kernel=$2 mem=$3 append=$4
	"$BOARDVM" --kernel "$kernel" --initrd "$INITRD" --mem "$mem" \
		--cpus 2 --append "$append" "${L2_ARGS[@]}" \
		</dev/null >"$tmp/$name.log" 2>"$tmp/$name.err" &
	echo $! >"$tmp/$name.pid"
	date +%s >"$tmp/$name.start"
}

# boot_watch NAME PATTERN: wait until the log has a line matching PATTERN,
# the VM exits, or BOOT_TIMEOUT passes; then stop the VM. Returns 0 when
# the line was seen. Sets BOOT_SECS.
boot_watch() {
	local name=$1 pattern=$2 pid start ret=1
	pid=$(cat "$tmp/$name.pid")
	start=$(cat "$tmp/$name.start")
	while :; do
		if grep -Eq -- "$pattern" "$tmp/$name.log"; then
			ret=0
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		[ $(($(date +%s) - start)) -lt "$BOOT_TIMEOUT" ] || break
		boot_stall_check "$name" "$pid" && break
		sleep 0.5
	done
	BOOT_SECS=$(($(date +%s) - start))
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $ret
}

# The guest's log without printk timestamps and carriage returns.
log_lines() {
	sed -e 's/\r$//' -e 's/^\[ *[0-9]*\.[0-9]*\] //' "$tmp/$1.log"
}

# e820_merge: e820 lines (BIOS-e820: [mem A-B] TYPE) on stdin, as Linux's
# e820__update_table() prints them: sorted, where entries overlap the
# larger type wins (1 usable, 2 reserved, 3 ACPI data: PVH's ISA hole
# does not hide the ACPI tables' page), adjacent ranges of one type merged.
E820_TYPES=(- usable reserved "ACPI data")
e820_merge() {
	local line a b c i best cs= ce= ct=
	local -a S=() E=() T=() cuts
	while read -r line; do
		[[ $line =~ \[mem\ (0x[0-9a-f]+)-(0x[0-9a-f]+)\]\ (.*)$ ]] || continue
		for ((i = 1; i < ${#E820_TYPES[@]}; i++)); do
			[ "${E820_TYPES[i]}" = "${BASH_REMATCH[3]}" ] && break
		done
		S+=($((BASH_REMATCH[1]))) E+=($((BASH_REMATCH[2] + 1))) T+=("$i")
	done
	mapfile -t cuts < <(printf '%s\n' "${S[@]}" "${E[@]}" | sort -n -u)
	for ((c = 0; c + 1 < ${#cuts[@]}; c++)); do
		a=${cuts[c]} b=${cuts[c + 1]} best=0
		for ((i = 0; i < ${#S[@]}; i++)); do
			[ "${S[i]}" -le "$a" ] && [ "${E[i]}" -ge "$b" ] &&
				[ "${T[i]}" -gt "$best" ] && best=${T[i]}
		done
		if [ -n "$ct" ] && [ "$best" = "$ct" ] && [ "$a" = "$ce" ]; then
			ce=$b
			continue
		fi
		[ -n "$ct" ] && printf 'BIOS-e820: [mem 0x%016x-0x%016x] %s\n' "$cs" $((ce - 1)) "${E820_TYPES[ct]}"
		ct=
		[ "$best" != 0 ] && cs=$a ce=$b ct=$best
	done
	[ -n "$ct" ] && printf 'BIOS-e820: [mem 0x%016x-0x%016x] %s\n' "$cs" $((ce - 1)) "${E820_TYPES[ct]}"
}

# e820_expected MEM HOW: what Linux should print for the pc board. A PVH
# boot adds the ISA hole 0xa0000-0xfffff as reserved itself
# (arch/x86/platform/pvh/enlighten.c), merged with the board's entries.
e820_expected() {
	local mem=$1 how=$2
	{
		"$BOARDC" map --section e820 --mem "$mem" "$BOARD_FILE"
		if [ "$how" = pvh ]; then
			echo "BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved"
		fi
	} | e820_merge
}

# boot_failure NAME: one line saying why a boot ended as it did: boardvm's
# own messages (not the unmapped-access log or the register dump) and the
# guest's last lines, '|' for newlines.
boot_failure() {
	local name=$1
	printf 'boardvm: %s; guest log tail: %s' \
		"$(grep '^boardvm' "$tmp/$name.err" | grep -v unmapped | tail -n 4 | tr '\n' '|')" \
		"$(tail -n 8 "$tmp/$name.log" | tr -d '\r' | tr '\n' '|')"
}

# Inside the nested harness's L1 (QEMU TCG's emulated SVM, kvm-amd), an L2
# boot now and then dies of something the guest never asked for: a triple
# fault, a panic, its kernel running on the user's GS base (an exception
# stack overflowing into its guard page), corrupt memory (here about 1
# boot in 50-100, on CI's host up to 1 in 4, three in a row once; far more
# often with L1's two CPUs on one host thread, see docs/nested.md). There
# a boot that ends so before /init finished is run again, loudly (a RETRY
# line with what the failed one printed), up to BOOT_RETRIES times
# (default 4), and the test judges the last. Elsewhere, and after the
# last retry, it is a failure like any other.
BOOT_RETRIES=${BOOT_RETRIES:-4}
in_nested_l1() { [ -d /nested/ko ]; }

# Inside L1 the guests boot without the CPUID hypervisor bit boardvm
# sets (L2_ARGS, on every boardvm command line of these tests): with it
# Linux finds KVM and takes its paravirtual features, and L1 (QEMU TCG's
# emulated SVM) died or wedged in 4 of the 5 suite runs that had them
# (sessions 7 and 8: "Attempted to kill the idle task" with RBP 0 in
# L1's __schedule, also with no-kvmclock), against few without. That is
# the nested stack's, not the guest's: on real hardware the bit is what
# every VMM sets. L2_HYPERVISOR=1 keeps it (docs/nested.md).
L2_ARGS=()
if in_nested_l1 && [ "${L2_HYPERVISOR:-0}" != 1 ]; then
	L2_ARGS=(--cpuid-hide default,hypervisor)
fi

# boot_flake_kind NAME: what the nested stack did to boot NAME, if it is
# one of the flakes a retry is allowed for (printed), else status 1:
# the bzImage's decompressor finding its own data corrupt (L2 memory
# corrupted under the nested stack, seen at 3.5G); an exception stack's
# guard page hit (the kernel entered from user mode with the user's GS
# base, so every %gs access faults again: session 7's l2flip probe, and
# the panics with CR2 ffffffffffffffd6 of CI before it); the guest kernel
# panicking before it ran /init (CI, session 6: "Fatal exception in
# interrupt", 6 s into a pvh-3.5G boot that passes otherwise); a triple
# fault.
boot_flake_kind() {
	local log=$tmp/$1.log
	if grep -q 'XZ-compressed data is corrupt' "$log"; then
		echo 'corrupt guest memory (the decompressor)'
	elif grep -q 'BUG: [A-Z_]* stack guard page was hit' "$log"; then
		echo 'an exception stack overflow (the guest kernel on a user GS base)'
	elif grep -q 'Kernel panic - not syncing' "$log" &&
	     ! grep -q 'Run /init as init process' "$log"; then
		echo 'a guest kernel panic'
	elif grep -q '^boardvm: vCPU [0-9]*: triple fault' "$tmp/$1.err"; then
		echo 'a triple fault'
	elif [ -f "$tmp/$1.stalled" ]; then
		echo "a hang (no guest output for $(cat "$tmp/$1.stalled") s; $(stall_rips "$1"))"
	else
		return 1
	fi
}

# A boot inside L1 that stops printing before /init ran is the fifth
# kind: the l2flip probe's spinlock stall (an interrupt delivered while
# the guest had IF off, docs/nested.md), seen by CI (session 7) as a
# pipe-console boot silent for 400 s after "Freeing SMP alternatives
# memory". A loaded L1 boots to /init in 20-90 s with no gap near a
# minute, so BOOT_STALL_SECS of silence is a hang, not a slow boot.
BOOT_STALL_SECS=${BOOT_STALL_SECS:-150}

# boot_stall_check NAME PID: inside L1, when boot NAME (boardvm PID) has
# not reached /init and its log has not grown for BOOT_STALL_SECS: the
# vCPUs' registers dumped into NAME.err (SIGQUIT), the VM killed, the
# silence's length in NAME.stalled, status 0. Else status 1.
boot_stall_check() {
	local name=$1 pid=$2 log=$tmp/$1.log idle
	in_nested_l1 || return 1
	[ -f "$log" ] && ! grep -q 'Run /init as init process' "$log" || return 1
	idle=$(($(date +%s) - $(stat -c %Y "$log")))
	[ "$idle" -ge "$BOOT_STALL_SECS" ] || return 1
	kill -QUIT "$pid" 2>/dev/null && sleep 2
	kill -9 "$pid" 2>/dev/null
	echo "$idle" >"$tmp/$name.stalled"
}

# stall_rips NAME: where the SIGQUIT dump found each vCPU of boot NAME.
stall_rips() {
	awk '/SIGQUIT dump/ { cpu = $3 } /^  rip / && cpu { printf "%s rip %s ", cpu, $2; cpu = "" }' \
		"$tmp/$1.err" | sed 's/ $//'
}

# boot_flaked NAME: the boot ended in one of those flakes before /init
# finished, and a retry is allowed here (at most BOOT_RETRIES per NAME).
boot_flaked() {
	local name=$1 tries
	in_nested_l1 || return 1
	tries=$(cat "$tmp/$name.retried" 2>/dev/null || echo 0)
	[ "$tries" -lt "$BOOT_RETRIES" ] || return 1
	local why
	why=$(boot_flake_kind "$name") || return 1
	! grep -q '^boardvm-init: done' "$tmp/$name.log" || return 1
	echo $((tries + 1)) >"$tmp/$name.retried"
	rm -f "$tmp/$name.stalled"
	echo "RETRY $name: $why before /init finished, booting it again ($((tries + 1)) of $BOOT_RETRIES): $(boot_failure "$name")"
}

# boot_flaked_late NAME: boot NAME's guest died of a triple fault after
# /init ran, while the host side tested it (vsock.sh's 1,000 connections),
# inside L1, with a retry left (the same BOOT_RETRIES as boot_flaked()).
# A Linux guest past /init does not triple-fault for a device's fault
# (that is an oops or a panic, which still fail): its IDT or stack went
# bad under it, the nested stack's corruption (CI of session 8: vsock's
# guest in its 255th connection, two early triple faults in that run).
boot_flaked_late() {
	local name=$1 tries
	in_nested_l1 || return 1
	tries=$(cat "$tmp/$name.retried" 2>/dev/null || echo 0)
	[ "$tries" -lt "$BOOT_RETRIES" ] || return 1
	grep -q '^boardvm: vCPU [0-9]*: triple fault' "$tmp/$name.err" || return 1
	echo $((tries + 1)) >"$tmp/$name.retried"
	echo "RETRY $name: a triple fault after /init ran, testing it again from a new boot ($((tries + 1)) of $BOOT_RETRIES): $(boot_failure "$name")"
}

# done_before TEST: every test of ALL_TESTS (the suite's list) named TEST
# or TEST/... was reported by an earlier L1 of the nested suite, whose
# reruns (tests/nested/suite.sh) pass those names in NESTED_DONE: the boot
# behind them need not run again. Says so on a line of its own.
done_before() {
	local t n=0
	[ -n "${NESTED_DONE:-}" ] || return 1
	for t in $ALL_TESTS; do
		case $t in "$1" | "$1"/*) ;; *) continue ;; esac
		case " $NESTED_DONE " in *" $t "*) ;; *) return 1 ;; esac
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || return 1
	echo "  (${1##*/}: reported by an earlier L1, not run again)"
}

# nested_reported FILE: the tests FILE (the nested suite's output) has a
# result for, as L1 names them (/linux/..., not /nested/linux/...), on one
# line: tests/nested/suite.sh's NESTED_DONE for a rerun.
nested_reported() {
	awk '$1 ~ /^(PASS|FAIL|SKIP)$/ { n = $2; sub(/:$/, "", n)
		sub(/^\/nested\//, "/", n); printf "%s ", n }' "$1"
}

# nested_suites_left FILE SUITE...: the SUITEs without their end marker
# ("== nested SUITE: done") in FILE: those a rerun must start again.
nested_suites_left() {
	local file=$1 s left=
	shift
	for s; do
		grep -qxF "== nested $s: done" "$file" || left+=" $s"
	done
	echo "${left# }"
}

# results_not_in FILE: stdin without the PASS/FAIL/SKIP results of tests
# that FILE already has (a rerun reports only what the first run did not).
results_not_in() {
	awk 'function name(s) { sub(/:$/, "", s); return s }
	     NR == FNR { if ($1 ~ /^(PASS|FAIL|SKIP)$/) seen[name($2)] = 1; next }
	     $1 ~ /^(PASS|FAIL|SKIP)$/ && name($2) in seen { next }
	     { print; fflush() }' "$1" -
}
