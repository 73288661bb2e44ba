# Sourced by test scripts: waiting for a background boardvm to say
# something.

# wait_for PATTERN FILE [SECONDS]: until a line of FILE matches PATTERN
# (grep's basic regex), polling every 0.1 s for at most SECONDS (default
# 10); status 1 if none did by then.
wait_for() {
	local pattern=$1 file=$2 n=$((${3:-10} * 10))
	while [ "$n" -gt 0 ]; do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
