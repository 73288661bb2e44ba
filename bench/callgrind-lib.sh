# Sourced by bench/exits/callgrind.sh and bench/virtio/callgrind.sh: what
# both do with their callgrind figures. The sourcing script sets HALF (the
# accesses the difference of two runs is divided by), declares the
# associative array fig (KEY -> instructions) and keeps order (the keys
# in print order), and defines cg_owns KEY (true for the budget keys it
# checks; the other script checks the rest of the shared file).

# cg_require NAME: SKIP, exit 0, without valgrind or /dev/kvm.
cg_require() {
	if ! command -v valgrind >/dev/null ||
	   ! command -v callgrind_annotate >/dev/null; then
		echo "SKIP $1: valgrind not installed"
		exit 0
	fi
	if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		echo "SKIP $1: /dev/kvm not available"
		exit 0
	fi
}

# per A B: (A - B) / HALF, rounded: one access's instructions.
per() { awk -v a="$1" -v b="$2" -v n="$HALF" \
	'BEGIN { printf "%d\n", (a - b) / n + 0.5 }'; }

# put KEY N: figure KEY is N.
put() { fig[$1]=$2; order+=" $1"; }

# cg_print TITLE: the title, then every figure in order.
cg_print() {
	local k
	echo "$1"
	for k in $order; do
		printf '%-24s %6s\n' "$k" "${fig[$k]}"
	done
}

# cg_check FILE: every "KEY MAX" line of FILE that cg_owns KEY against
# fig; MAX is a count, or another figure's name (at most that figure).
# PASS/FAIL bench-check lines; returns 1 if any figure is over or absent.
cg_check() {
	local key max what have status=0
	while read -r key max _; do
		case $key in ''|'#'*) continue ;; esac
		cg_owns "$key" || continue
		have=${fig[$key]-}
		what=$max
		case $max in
		*[!0-9]*) max=${fig[$what]-}; what="$what ($max)" ;;
		esac
		if [ -z "$have" ] || [ -z "$max" ]; then
			echo "FAIL bench-check: $key: no such figure ($key or $what)"
			status=1
		elif [ "$have" -gt "$max" ]; then
			echo "FAIL bench-check: $key: $have instructions, budget $what"
			status=1
		else
			echo "PASS bench-check: $key $have <= $what"
		fi
	done <"$1"
	return $status
}
