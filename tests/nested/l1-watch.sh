# Sourced by tests/nested/run.sh (and tests/nested/retry.sh, which
# checks it without QEMU): what L1's console says about L1 itself.

# l1_stall_reports CONSOLE: how many RCU stall reports L1's console has,
# from another CPU ("detected stalls on CPUs/tasks") or the stalled CPU
# itself ("self-detected stall on CPU": a session 12 wedge printed only
# those, so the stop waited out the idle bound). RCU reports a CPU that has not passed a quiescent state for 21 s, then
# again every 63 s while it still has not: a second report means a CPU
# stuck for over a minute, which in every run so far was an L1 that never
# came back (docs/nested.md: the wedges of sessions 4 to 10, the same
# grace period in every report).
l1_stall_reports() {
	local n
	n=$(grep -Ec 'rcu: INFO: rcu_[a-z]* (self-)?detected stall' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# l1_first_oops CONSOLE: the first oops, BUG or panic on L1's console and
# the 30 lines after it (what it was, where, the task), or nothing. A
# dead L1's last lines are the end of the last backtrace; the reason is
# at the start of the first report.
l1_first_oops() {
	awk '!found && /(BUG: |Oops: |Kernel panic - |general protection fault|invalid opcode: |WARNING: CPU: |watchdog: BUG: )/ { found = 1 }
	     found && n++ < 31' "$1" 2>/dev/null
}
