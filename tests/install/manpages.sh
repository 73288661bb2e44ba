#!/usr/bin/env bash
# The man pages against the programs: boardc(1), boardvm(1) and
# boardvm-build(1) list exactly the options --help lists (the first two
# come from one option table, the .def files; this catches an option
# added to the code past the table, or a page edited by hand), every
# option a page names is one the program takes, the exit statuses agree
# and every one of vmm/vmm.h and vmm/seccomp.h is in boardvm(1), the
# pages render without a groff warning, and boardvm-board(5) has every
# key of docs/board-format.md. Built by `make test`
# (tests/install/install.mk).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
MAN=$BUILD/man
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

render() {
	LC_ALL=C groff -k -t -man -Tascii -P-c -P-b -P-o -P-u -rHY=0 "$1" 2>/dev/null
}

# The option names of "  -I, --in-format yaml|dts  ..." lines (--help) or
# "       -I, --in-format yaml|dts" lines (a rendered OPTIONS section).
option_names() {
	sed -nE "s/^$1(-[^ ].*)$/\1/p" | sed -E 's/   .*//' |
		grep -oE '(^|, )--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^, //' | sort -u
}

# Lines of section $2 of rendered page $1.
man_section() {
	sed -n "/^$2\$/,/^[A-Z]/p" "$1" | sed '1d;$d'
}

check_prog() {
	local prog=$1 bin=$2 page=${3:-$MAN/$1.1} why=

	if ! "$bin" --help >"$tmp/help" 2>"$tmp/help.err"; then
		echo "FAIL /man/$prog/options: $bin --help failed"
		return
	fi
	render "$page" >"$tmp/page"
	option_names '  ' <"$tmp/help" >"$tmp/help.opts"
	man_section "$tmp/page" OPTIONS | option_names '       ' >"$tmp/page.opts"
	if [ ! -s "$tmp/help.opts" ]; then
		why="no options found in --help"
	elif ! diff -u "$tmp/help.opts" "$tmp/page.opts" >"$tmp/diff"; then
		why="--help and $prog.1 differ: $(grep '^[-+]-' "$tmp/diff" | tr '\n' ' ')"
	fi
	[ -z "$why" ] && echo "PASS /man/$prog/options ($(wc -l <"$tmp/page.opts") options)" ||
		echo "FAIL /man/$prog/options: $why"

	# Every option of the page is one the program knows.
	why=
	while read -r opt; do
		case $opt in -f*) opt=$opt=0 ;; esac	# -fmax-errors=N
		timeout 10 "$bin" "$opt" >/dev/null 2>"$tmp/err" </dev/null
		if grep -qE 'unrecognized option|unknown option|invalid option' "$tmp/err"; then
			why="$why $opt"
		fi
	done <"$tmp/page.opts"
	[ -z "$why" ] && echo "PASS /man/$prog/known" ||
		echo "FAIL /man/$prog/known: $bin does not take:$why"

	# Exit statuses: the same codes in --help and in the page.
	sed -n '/^[Ee]xit status/,/^[A-Z]/p' "$tmp/help" |
		sed -nE 's/^  ([0-9][0-9+N]*)  .*/\1/p' >"$tmp/help.st"
	man_section "$tmp/page" "EXIT STATUS" |
		sed -nE 's/^       ([0-9][0-9+N]*)( .*)?$/\1/p' >"$tmp/page.st"
	if [ ! -s "$tmp/help.st" ] || ! diff -q "$tmp/help.st" "$tmp/page.st" >/dev/null; then
		echo "FAIL /man/$prog/exit-status: --help: $(tr '\n' ' ' <"$tmp/help.st"), page: $(tr '\n' ' ' <"$tmp/page.st")"
	else
		echo "PASS /man/$prog/exit-status ($(tr '\n' ' ' <"$tmp/page.st"))"
	fi

	if LC_ALL=C groff -man -ww -z "$page" 2>&1 | grep -q .; then
		echo "FAIL /man/$prog/groff: $(LC_ALL=C groff -man -ww -z "$page" 2>&1 | head -3)"
	else
		echo "PASS /man/$prog/groff"
	fi
}

check_prog boardc "$BUILD/boardc/boardc"
check_prog boardvm "$BUILD/pc/boardvm"
# boardvm-build is a script with a hand-written page: the same checks.
check_prog boardvm-build packaging/boardvm-build packaging/boardvm-build.1

# Every VMM_EXIT_* value is documented (VMM_EXIT_SIGNAL as 128+N).
render "$MAN/boardvm.1" | man_section /dev/stdin "EXIT STATUS" >"$tmp/st"
missing=
for v in $(sed -nE 's/^[[:space:]]*(VMM_EXIT_[A-Z]+) = ([0-9]+),.*/\2/p; s/^#define VMM_EXIT_[A-Z]+[[:space:]]+([0-9]+).*/\1/p' vmm/vmm.h vmm/seccomp.h); do
	[ "$v" = 128 ] && v=128+N
	grep -qE "^       ${v/+/\\+}( |\$)" "$tmp/st" || missing="$missing $v"
done
[ -z "$missing" ] && echo "PASS /man/boardvm/vmm-exit-codes" ||
	echo "FAIL /man/boardvm/vmm-exit-codes: not in boardvm.1:$missing"

# boardvm-board(5): renders, and has a subsection per key of the language.
page5=$MAN/boardvm-board.5
render "$page5" >"$tmp/page5"
missing=
while read -r key; do
	grep -qiF -- "$key" "$tmp/page5" || missing="$missing '$key'"
done < <(sed -nE 's/^###? (.*)$/\1/p' docs/board-format.md docs/board-format-dts.md | tr -d '`')
# (tbl's narrow cells cannot always be justified: that warning is no fault)
LC_ALL=C.UTF-8 groff -k -t -man -Tutf8 -z "$page5" 2>&1 | grep -v "cannot adjust line\|can't break line" >"$tmp/groff5"
if [ -s "$tmp/groff5" ]; then
	echo "FAIL /man/boardvm-board/groff: $(head -3 "$tmp/groff5")"
elif [ -n "$missing" ]; then
	echo "FAIL /man/boardvm-board/keys: missing$missing"
else
	echo "PASS /man/boardvm-board/keys ($(grep -c '^   [^ ]' "$tmp/page5") subsections)"
fi
