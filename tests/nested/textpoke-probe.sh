#!/usr/bin/env bash
# Not part of the suite: tests one explanation of the L1 wedge (issue 20,
# docs/nested.md): L1's kernel patching its own text (static keys:
# text_poke_bp, int3 and sync IPIs to every CPU) while another L1 CPU runs
# an L2 in SVM guest mode. It flips a static key of L1's kernel
# (kernel.sched_schedstats) in a loop, first with no L2 (control), then
# with a freestanding guest spinning in guest mode, then with Linux L2
# boots, and prints a progress line every 5 s, so a wedged L1 shows as
# the harness's idle timeout. Run it as
#   tests/nested/run.sh --idle-timeout 90 -- env PHASES="control spin" \
#	SECS=120 tests/nested/textpoke-probe.sh
# PHASES: any of control, spin, vmloop, linux, l2flip (default: control
# spin linux); SECS: each phase's length (linux: boots until SECS have
# passed); FLIP=0: the same phases without flipping (the other control).
# l2flip flips the same key inside a Linux L2 instead of L1 (L2_CPUS
# vCPUs, default 2; L2_VMM=qemu: under QEMU -accel kvm, which run.sh must
# then bring, see bench/nested/net.sh's NESTED_BINS): the L2 triple faults
# and panics, docs/nested.md "The L2 flakes (session 7)".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/lib/wait.sh
SECS=${SECS:-120}
FLIP=${FLIP:-1}
key=/proc/sys/kernel/sched_schedstats
tmp=$(mktemp -d)

[ -w "$key" ] || { echo "probe: $key missing: no static key to flip"; exit 1; }

flipper() {
	local n=0
	while :; do
		echo 1 >"$key"; echo 0 >"$key"
		n=$((n + 1))
		echo $n >"$tmp/flips"
	done
}

# watch SECS LABEL: progress every 5 s for SECS seconds.
watch() {
	local end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		sleep 5
		echo "probe: $2: $(cat "$tmp/flips" 2>/dev/null || echo 0) flips," \
		     "load $(cut -d' ' -f1-3 /proc/loadavg)"
	done
}

start_flipper() {
	echo 0 >"$tmp/flips"
	[ "$FLIP" = 1 ] || return 0
	flipper &
	fpid=$!
}

stop_flipper() {
	[ -n "${fpid:-}" ] && kill "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
	fpid=
}

phase_control() {
	start_flipper
	watch "$SECS" "control (no L2)"
	stop_flipper
}

phase_spin() {
	local vm
	"$BUILD/bindings/boardvm" --cpus 1 --no-seccomp \
		--flat "$BUILD/guest/bindings/spin.bin@0x100000" \
		</dev/null >"$tmp/spin.out" 2>"$tmp/spin.err" &
	vm=$!
	wait_for spinning "$tmp/spin.out" || { echo "probe: spin guest did not start"; cat "$tmp/spin.err"; }
	start_flipper
	watch "$SECS" "spin L2 in guest mode"
	stop_flipper
	kill -TERM "$vm"; wait "$vm"
	echo "probe: spin guest exit $?"
}

# VM create and destroy in a loop (a guest that halts at once): each
# KVM_CREATE_VM and each last close flips L1 static keys of KVM's own
# (preempt notifiers, whose sites are in the scheduler; the APIC's).
phase_vmloop() {
	local end=$(($(date +%s) + SECS)) i=0 last=0
	start_flipper
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		"$BUILD/bindings/boardvm" --cpus 1 --no-seccomp \
			--flat "$BUILD/guest/bindings/halt.bin@0x100000" \
			</dev/null >/dev/null 2>"$tmp/vm.err" || true
		if [ $(($(date +%s) - last)) -ge 5 ]; then
			last=$(date +%s)
			echo "probe: vmloop: $i VMs, $(cat "$tmp/flips") flips"
		fi
	done
	stop_flipper
}

phase_linux() {
	. tests/linux/boot-lib.sh
	find_kernel || { echo "probe: no kernel: $IMAGE_WHY"; return; }
	local end=$(($(date +%s) + SECS)) i=0 st
	start_flipper
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		"$BOARDVM" --kernel "$VMLINUX" --initrd "$INITRD" --mem 512M --cpus 2 \
			--append "$APPEND_BASE no_timer_check boardvm.test=probe$i" \
			</dev/null >"$tmp/l$i.out" 2>"$tmp/l$i.err" &
		local vm=$!
		while kill -0 $vm 2>/dev/null; do
			sleep 5
			echo "probe: linux boot $i: $(cat "$tmp/flips") flips," \
			     "$(wc -l <"$tmp/l$i.out") console lines"
		done
		wait $vm; st=$?
		echo "probe: linux boot $i: exit $st," \
		     "init-done $(grep -c 'boardvm-init: done' "$tmp/l$i.out")"
	done
	stop_flipper
}

# l2flip: a Linux L2 with a shell on its console (stdin a fifo) runs the
# flip loop itself; a line every 50 flips. Ends at SECS, or when L2 dies.
phase_l2flip() {
	. tests/linux/boot-lib.sh
	find_kernel || { echo "probe: no kernel: $IMAGE_WHY"; return; }
	local fifo=$tmp/l2.in vm w end st k=/proc/sys/kernel/sched_schedstats
	rm -f "$fifo"
	mkfifo "$fifo"
	local append="$APPEND_BASE no_timer_check boardvm.shell=1 boardvm.test=l2flip"
	if [ "${L2_VMM:-boardvm}" = qemu ]; then
		qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios \
			-accel kvm -cpu host -m 512M -smp "${L2_CPUS:-2}" -M pc \
			-nodefaults -no-user-config -display none -no-reboot \
			-serial stdio -kernel "$VMLINUX" -initrd "$INITRD" \
			-append "$append" \
			<"$fifo" >"$tmp/l2.out" 2>"$tmp/l2.err" &
	else
		"$BOARDVM" --kernel "$VMLINUX" --initrd "$INITRD" --mem 512M \
			--cpus "${L2_CPUS:-2}" --append "$append" \
			<"$fifo" >"$tmp/l2.out" 2>"$tmp/l2.err" &
	fi
	vm=$!
	exec {w}>"$fifo"
	end=$(($(date +%s) + 300))
	local shell=1
	until grep -q 'a busybox shell' "$tmp/l2.out"; do
		kill -0 "$vm" 2>/dev/null && [ "$(date +%s)" -lt "$end" ] ||
			{ echo "probe: l2flip: no shell"; shell=0; break; }
		sleep 1
	done
	[ "$shell" = 1 ] && echo "probe: l2flip: L2 booted in $((300 - end + $(date +%s)))s"
	[ "$FLIP" = 1 ] && [ "$shell" = 1 ] &&
		echo "i=0; while :; do echo 1 >$k; echo 0 >$k; i=\$((i+1)); [ \$((i % 50)) = 0 ] && echo l2flips \$i; done" >&"$w"
	end=$(($(date +%s) + SECS))
	local last= now same=0
	while kill -0 "$vm" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do
		sleep 5
		now=$(grep -a l2flips "$tmp/l2.out" | tail -n 1 | tr -d '\r')
		echo "probe: l2flip: $now, load $(cut -d' ' -f1-3 /proc/loadavg)"
		[ "$now" = "$last" ] && same=$((same + 1)) || same=0
		last=$now
		# No progress for 30 s: where L2's vCPUs are (boardvm's SIGQUIT
		# dump), once.
		[ "$same" = 6 ] && { kill -QUIT "$vm"; sleep 2
			echo "probe: l2flip: stalled; boardvm's dump:"
			grep -av unmapped "$tmp/l2.err" | tail -n 40; }
	done
	if kill -0 "$vm" 2>/dev/null; then
		kill -TERM "$vm"
		sleep 20
		kill -9 "$vm" 2>/dev/null
	fi
	wait "$vm"; st=$?
	exec {w}>&-
	echo "probe: l2flip: boardvm exit $st; $(grep -a l2flips "$tmp/l2.out" | tail -n 1 | tr -d '\r')"
	echo "probe: l2flip: stderr: $(grep '^boardvm' "$tmp/l2.err" | grep -v unmapped | tail -n 3 | tr '\n' '|')"
	echo "probe: l2flip: the first oops:"
	grep -a -m1 -A45 'BUG:\|Oops\|general protection\|double fault\|int3: \|traps:' "$tmp/l2.out" | tr -d '\r'
	echo "probe: l2flip: console tail:"
	grep -av l2flips "$tmp/l2.out" | tail -n 25 | tr -d '\r'
}

# ADDRS="ffffffff81a52461 ...": the L1 kernel's symbol at each (nokaslr,
# so the addresses of a wedge's CPU dump read the same in a later L1).
for a in ${ADDRS:-}; do
	awk -v a="$a" '$1 <= a && $2 ~ /^[tT]$/ { s = $3; b = $1 }
		END { print "probe: " a " is in " s " (from " b ")" }' /proc/kallsyms
done
for p in ${PHASES:-control spin linux}; do
	echo "probe: phase $p, ${SECS}s, flipping $([ "$FLIP" = 1 ] && echo on || echo off)"
	"phase_$p"
done
echo "probe done"
