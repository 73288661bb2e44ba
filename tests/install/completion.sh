#!/usr/bin/env bash
# Bash completion (packaging/boardvm.bash-completion): sourced into a
# bash, its function called with COMP_WORDS set as bash sets them, for
# options (every one --help lists), option arguments (a|b|c choices,
# -W/-E check names, console backends), subcommands and board files (the
# installed boards by name). The programs are found through PATH in a
# tree laid out as installed: bin/ and share/boardvm/boards/.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin" "$tmp/share/boardvm" "$tmp/cwd"
# (an empty working folder: file completion finds nothing there)
ln -s "$root/$BUILD/boardc/boardc" "$tmp/bin/boardc"
ln -s "$root/$BUILD/pc/boardvm" "$tmp/bin/boardvm-pc"
ln -s boardvm-pc "$tmp/bin/boardvm"
ln -s "$root/packaging/boardvm-build" "$tmp/bin/boardvm-build"
ln -s "$root/boards" "$tmp/share/boardvm/boards"

# complete NAME WORD...: the candidates for the last word, one a line.
complete_words() {
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" bash --norc --noprofile -c '
		source "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "$1" 2>/dev/null | sed -nE "s/.*-F ([^ ]+) .*/\1/p")
		[ -n "$fn" ] || { echo "NO COMPLETION FOR $1"; exit 0; }
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$root/packaging/boardvm.bash-completion" "$@") | sort
}

# t NAME 'WANT' WORD...: the candidates are exactly WANT (space-separated)
t() {
	local name=$1 want=$2 got
	shift 2
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then
		echo "PASS /completion/$name"
	else
		echo "FAIL /completion/$name: '$*' offers '$got', expected '$want'"
	fi
}

# t_has NAME 'WANT...' WORD...: the candidates include every WANT
t_has() {
	local name=$1 want=$2 got missing=
	shift 2
	got=$(complete_words "$@")
	for w in $want; do
		grep -qxF -- "$w" <<<"$got" || missing="$missing $w"
	done
	[ -z "$missing" ] && echo "PASS /completion/$name" ||
		echo "FAIL /completion/$name: '$*' lacks$missing (offers $(echo $got))"
}

t boardc/long-option "--list-checks" boardc --li
t boardc/gcc-option "-fmax-errors=" boardc -fmax
t boardc/in-format "dts yaml" boardc -I ''
t boardc/map-format "json svg text" boardc map --format ''
t boardc/section "e820 iomem ioports" boardc map --section ''
t boardc/out-format "acpi c dts json map svg yaml" boardc -O ''
t boardc/error-no "no-mp_table" boardc -E no-mp_
t boardc/subcommand "map" boardc ma
touch "$tmp/cwd/my.yaml" "$tmp/cwd/my.dts" "$tmp/cwd/my.txt"
t boardc/board-file "my.dts my.yaml" boardc -O c my
rm -f "$tmp/cwd"/my.*
t boardc/installed-board "$tmp/share/boardvm/boards/pc.dts $tmp/share/boardvm/boards/pc.yaml" boardc pc
t boardvm/log-level "debug error info warn" boardvm --log-level ''
t boardvm/long-option "--trace-io" boardvm --tr
t boardvm/serial "com2=file: com2=null com2=pty com2=stdio com2=unix:" boardvm --serial com2=
t boardvm-pc/option "--mem --mem-backing --metrics --metrics-interval" boardvm-pc --me
t boardvm/mem-backing "anon hugetlb thp" boardvm --mem-backing ''
t boardvm-build/option "-o" boardvm-build -o
t boardvm-build/board "$tmp/share/boardvm/boards/minimal.dts $tmp/share/boardvm/boards/minimal.yaml" boardvm-build minimal

# -W: every check that is not always an error, and its no- form; none of
# the fixed ones.
checks=$("$BUILD/boardc/boardc" --list-checks | awk '!/always an error/ { print $1 }')
got=$(complete_words boardc -W '')
want=$( (echo "$checks"; sed 's/^/no-/' <<<"$checks") | sort)
fixed=$("$BUILD/boardc/boardc" --list-checks | awk '/always an error/ { print $1 }' | head -1)
if [ -z "$checks" ] || [ "$got" != "$want" ]; then
	echo "FAIL /completion/boardc/warning-checks: offers $(wc -l <<<"$got"), expected $(wc -l <<<"$want")"
elif grep -qx "$fixed" <<<"$got"; then
	echo "FAIL /completion/boardc/warning-checks: offers $fixed, which is always an error"
else
	echo "PASS /completion/boardc/warning-checks ($(wc -l <<<"$got") names)"
fi

# Every option --help lists is offered for a lone "-".
for prog in boardc boardvm; do
	bin=$tmp/bin/$prog
	want=$("$bin" --help | sed -nE 's/^  (-[^ ].*)$/\1/p' | sed -E 's/  .*//' |
		grep -oE '(^|, )--?[A-Za-z][A-Za-z0-9-]*=?' | sed 's/^, //' | sort -u)
	got=$(complete_words "$prog" - | sort -u)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "PASS /completion/$prog/every-option ($(wc -l <<<"$got"))"
	else
		echo "FAIL /completion/$prog/every-option: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
	fi
done
