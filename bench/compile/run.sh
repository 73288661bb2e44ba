#!/usr/bin/env bash
# boardc's compile time on a generated 10,000-device board (5,000 one-port
# devices at fixed ports, 5,000 doorbell devices placed `auto` in the MMIO
# window: 20,000 regions; scripts/gen-board.sh --devices 10000 --auto).
# Wall time, median of RUNS (default 5), for check only and for -O c; then,
# for information, the C compiler on the generated board.c once.
# Target: boardc -O c under 1 s (10,000 devices). Then the generated C at
# scale: 1K, 8K and 65,536 regions, and the front ends on huge and hostile
# inputs (see below).
#
# usage: bench/compile/run.sh BOARDC
#        (env: BUILD, CC, RUNS, DEVICES, REGION_SIZES, INC)
set -euo pipefail
boardc=$1
runs=${RUNS:-5}
devices=${DEVICES:-10000}
dir=${BUILD:-build}/bench/compile
board=$dir/compile-$devices.yaml
mkdir -p "$dir"
scripts/gen-board.sh --devices "$devices" --auto "compile-$devices" >"$board"

now_ns() { date +%s%N; }

# time_median LABEL CMD...: median wall ms of $runs runs (after one warm-up).
time_median()
{
	local label=$1 t0 t1 times=() i
	shift
	"$@" >/dev/null || {
		echo "bench: '$*' failed (status $?)" >&2
		exit 1
	}
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ns)
		"$@" >/dev/null
		t1=$(now_ns)
		times+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "  %-28s %8.1f ms   (min %.1f, max %.1f)\n", label,
			       m / 1000, v[1] / 1000, v[NR] / 1000
			print m / 1000 > "/dev/fd/3"
		}'
}

echo "boardc compile time: $board ($devices devices, $(wc -l <"$board")" \
     "lines), wall, median of $runs"
exec 4>&1
time_median "check only" "$boardc" "$board" 3>/dev/null
c_ms=$(time_median "-O c" "$boardc" -O c -o "$dir/c" "$board" 3>&1 >&4)
time_median "-O map" "$boardc" -O map "$board" 3>/dev/null
echo "  generated: $(du -sh "$dir/c/board.c" | cut -f1) board.c," \
     "$(grep -c . "$dir/c/board.c") lines"

# The front ends' time on hostile and huge inputs (issue 12): linear in
# nodes (a 65,536-device board in YAML and as its -O dts twin; target:
# dts within 2x of YAML), linear in token length (10 MB string, comment
# and name tokens in the text syntax, a 10 MB YAML scalar; target < 2 s
# each), bounded on deep nesting (5 MB of '[' stops at the cap).
nodes=65536
nodes_yaml=$dir/nodes-$nodes.yaml
scripts/gen-board.sh --devices "$nodes" --auto "nodes-$nodes" >"$nodes_yaml"
"$boardc" -O dts -o "$dir/nodes-$nodes.dts" "$nodes_yaml"
echo "boardc check only on $nodes devices ($(wc -c <"$nodes_yaml") bytes" \
     "of YAML), wall, median of $runs"
yaml_ms=$(time_median "YAML" "$boardc" "$nodes_yaml" 3>&1 >&4)
dts_ms=$(time_median "text syntax (-O dts twin)" "$boardc" \
	 "$dir/nodes-$nodes.dts" 3>&1 >&4)
awk -v y="$yaml_ms" -v d="$dts_ms" 'BEGIN {
	printf "  dts/YAML: %.2f (target <= 2: %s)\n", d / y,
	       d <= 2 * y ? "met" : "MISSED" }'
# The minimal board with one 10 MB token of each kind after its '/ {'.
xs() { head -c $((10 << 20)) /dev/zero | tr '\0' x; }
token_board() {
	sed -n '1,/^\/ {/p' boards/minimal.dts
	printf '%s' "$1"; xs; printf '%s\n' "$2"
	sed '1,/^\/ {/d' boards/minimal.dts
}
token_board '	model-note = "' '";' >"$dir/token-string.dts"
token_board '	/* ' ' */' >"$dir/token-comment.dts"
token_board '	' ';' >"$dir/token-name.dts"
{ cat boards/minimal.yaml; printf 'note: '; xs; echo; } >"$dir/token-scalar.yaml"
{ head -c $((5 << 20)) /dev/zero | tr '\0' '['; echo; } >"$dir/nesting.yaml"
echo "boardc on 10 MB tokens and 5 MB of nesting, wall, median of $runs" \
     "(each ends with its error: the token is not a board key)"
for f in token-string.dts token-comment.dts token-name.dts \
	 token-scalar.yaml nesting.yaml; do
	ms=$(time_median "$f" sh -c '"$0" "$1" 2>/dev/null; [ $? -le 2 ]' \
	     "$boardc" "$dir/$f" 3>&1 >&4)
	awk -v f="$f" -v ms="$ms" 'BEGIN {
		if (ms >= 2000) printf "  %s: MISSED (target < 2000 ms)\n", f }'
done

awk -v ms="$c_ms" 'BEGIN {
	printf "Target: boardc -O c < 1000 ms: %s\n",
	       ms < 1000 ? "met" : "MISSED (see docs/performance.md)" }'

# The generated C at scale: boards of 1K, 8K and 65,536 register regions
# (scripts/gen-board.sh --regions N --auto; tests/boardc/checks.sh checks
# the largest is laid out right): boardc -O c (median), the C it writes,
# then the C compiler on board.c once, as the build compiles it (-O2 -g),
# under /usr/bin/time -v: wall, CPU (user + sys) and peak memory.
# Targets for 65,536 regions: at most 8 MB of generated C (board.c and
# board.h together), gcc under 3 s of CPU.
cflags="-std=gnu11 -O2 -g ${INC:--Ivmm -Idevices -Imachine}"
echo "generated C: boardc -O c (median of $runs), then ${CC:-cc} -O2 -g -c board.c once"
printf '  %-8s %10s %10s %10s %10s %10s %10s\n' regions "boardc ms" \
	"board.c" "board.h" "cc wall s" "cc cpu s" "cc peak MB"
for n in ${REGION_SIZES:-1024 8192 65536}; do
	b=$dir/regions-$n.yaml
	scripts/gen-board.sh --regions "$n" --auto "regions-$n" >"$b"
	ms=$(time_median "-O c" "$boardc" -O c -o "$dir/c-$n" "$b" 3>&1 >/dev/null)
	/usr/bin/time -v ${CC:-cc} $cflags -I"$dir/c-$n" -c -o "$dir/c-$n.o" \
		"$dir/c-$n/board.c" 2>"$dir/c-$n.time"
	awk -v n="$n" -v ms="$ms" -v c="$(stat -c %s "$dir/c-$n/board.c")" \
	    -v h="$(stat -c %s "$dir/c-$n/board.h")" -F': ' '
		/User time/ { cpu += $2 }
		/System time/ { cpu += $2 }
		/Elapsed/ { n2 = split($2, t, ":"); wall = t[n2] + 60 * t[n2 - 1] }
		/Maximum resident/ { kb = $2 }
		END {
			printf "  %-8s %10.1f %9.2fM %9.2fM %10.2f %10.2f %10.0f\n",
			       n, ms, c / 1e6, h / 1e6, wall, cpu, kb / 1024
			if (n == 65536)
				printf "Target (65,536 regions): board.c + board.h" \
				       " <= 8 MB: %s (%.2f MB); cc <= 3 s CPU: %s\n",
				       c + h <= 8e6 ? "met" : "MISSED", (c + h) / 1e6,
				       cpu <= 3 ? "met" : "MISSED"
		}' "$dir/c-$n.time"
done
echo "  (load when done: $(cut -d' ' -f1-3 /proc/loadavg))"
