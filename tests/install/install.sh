#!/usr/bin/env bash
# make install / uninstall into a scratch DESTDIR (packaging/install.mk):
# exactly the expected files, the installed boardc checking an installed
# board, the installed boardvm-minimal running a freestanding guest
# (tests/guest/hello.c), boardvm-build making a VMM for a board of its own
# from the installed sources (and exit 2 on a bad board), the installed
# man pages rendering, and uninstall leaving no file behind. Built by
# `make test` (tests/install/install.mk); BUILD and SANITIZE come from it.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-0}
PREFIX=/usr/local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
p=$root$PREFIX

if ! make -s --no-print-directory SANITIZE="$SANITIZE" install \
	DESTDIR="$root" PREFIX="$PREFIX" >"$tmp/log" 2>&1; then
	echo "FAIL /install/make-install: $(tail -n 5 "$tmp/log" | tr '\n' '|')"
	exit 0
fi
echo "PASS /install/make-install"

# The file list: programs, a VMM per shipped board, pages, completion.
(cd "$root" && find . ! -type d | sed 's|^\./||' | sort) >"$tmp/files"
missing=
for f in bin/boardc bin/boardvm bin/boardvm-pc bin/boardvm-minimal \
	 bin/boardvm-bindings bin/boardvm-build \
	 share/man/man1/boardc.1 share/man/man1/boardvm.1 \
	 share/man/man1/boardvm-build.1 share/man/man5/boardvm-board.5 \
	 share/man/man1/boardvm-minimal.1 \
	 share/bash-completion/completions/boardvm \
	 share/bash-completion/completions/boardc \
	 share/bash-completion/completions/boardvm-minimal \
	 share/boardvm/boards/pc.yaml share/boardvm/boards/pc.dts \
	 share/boardvm/doc/board-format.md share/boardvm/doc/add-a-device.md \
	 share/boardvm/src/Makefile share/boardvm/src/build-flags.mk \
	 share/boardvm/src/vmm/main.c share/boardvm/src/machine/device-types.def; do
	grep -qxF "${PREFIX#/}/$f" "$tmp/files" || missing="$missing $f"
done
stray=$(grep -v "^${PREFIX#/}/" "$tmp/files" | head -3)
if [ -n "$missing$stray" ]; then
	echo "FAIL /install/files: missing:$missing; outside $PREFIX: $stray"
else
	echo "PASS /install/files ($(wc -l <"$tmp/files") files)"
fi
[ "$(readlink "$p/bin/boardvm")" = boardvm-pc ] &&
	echo "PASS /install/default-board" ||
	echo "FAIL /install/default-board: bin/boardvm -> $(readlink "$p/bin/boardvm")"

# The installed boardc on an installed board, and the VMMs' boards.
if out=$("$p/bin/boardc" map "$p/share/boardvm/boards/pc.yaml" 2>&1) &&
   grep -q 'System RAM' <<<"$out"; then
	echo "PASS /install/boardc"
else
	echo "FAIL /install/boardc: $(head -3 <<<"$out")"
fi
out=$("$p/bin/boardvm" --version 2>&1)
[[ $out == "boardvm "*", board pc "* ]] && echo "PASS /install/boardvm-version" ||
	echo "FAIL /install/boardvm-version: '$out'"

# man -l renders every installed page.
why=
for page in "$p"/share/man/man1/*.1 "$p"/share/man/man5/*.5; do
	MANWIDTH=80 man -l "$page" >"$tmp/page" 2>"$tmp/man.err" </dev/null
	grep -q '^NAME' "$tmp/page" || why="$why $(basename "$page")"
done
[ -z "$why" ] && echo "PASS /install/man" || echo "FAIL /install/man: did not render:$why"

kvm=1
[ -r /dev/kvm ] && [ -w /dev/kvm ] || kvm=0
guest=$BUILD/guest/minimal/hello.bin
if [ "$kvm" = 0 ]; then
	echo "SKIP /install/boardvm-minimal-guest: /dev/kvm not available"
else
	out=$(timeout 30 "$p/bin/boardvm-minimal" --flat "$guest@0x100000" 2>&1 </dev/null)
	st=$?
	[ "$st" = 33 ] && grep -q 'hello from minimal' <<<"$out" &&
		echo "PASS /install/boardvm-minimal-guest" ||
		echo "FAIL /install/boardvm-minimal-guest: status $st, '$(tail -2 <<<"$out" | tr '\n' '|')'"
fi

# boardvm-build: a board of one's own, from the installed tree only.
sed 's/^board: minimal$/board: my-board/' "$p/share/boardvm/boards/minimal.yaml" \
	>"$tmp/my-board.yaml"
# (-B under a folder named tests: a layer's name in the build path is no
# layer violation)
if (cd "$tmp" && nice -n 10 "$p/bin/boardvm-build" -B "$tmp/tests/bench/b" \
	my-board.yaml) >"$tmp/build.log" 2>&1 &&
   [ -x "$tmp/boardvm-my-board" ]; then
	out=$("$tmp/boardvm-my-board" --version 2>&1)
	[[ $out == *"board my-board"* ]] && echo "PASS /install/boardvm-build" ||
		echo "FAIL /install/boardvm-build: --version says '$out'"
	if [ "$kvm" = 1 ]; then
		timeout 30 "$tmp/boardvm-my-board" --flat "$guest@0x100000" \
			>/dev/null 2>&1 </dev/null
		st=$?
		[ "$st" = 33 ] && echo "PASS /install/boardvm-build-guest" ||
			echo "FAIL /install/boardvm-build-guest: status $st"
	fi
else
	echo "FAIL /install/boardvm-build: $(tail -n 5 "$tmp/build.log" | tr '\n' '|')"
fi
sed 's/^  default: .*/  default: 0x1001/' "$tmp/my-board.yaml" >"$tmp/bad.yaml"
"$p/bin/boardvm-build" -o "$tmp/bad" "$tmp/bad.yaml" >"$tmp/bad.log" 2>&1
st=$?
[ "$st" = 2 ] && [ ! -e "$tmp/bad" ] && grep -q 'error (' "$tmp/bad.log" &&
	echo "PASS /install/boardvm-build-bad-board" ||
	echo "FAIL /install/boardvm-build-bad-board: status $st, $(head -2 "$tmp/bad.log" | tr '\n' '|')"

# uninstall: nothing but folders left.
make -s --no-print-directory SANITIZE="$SANITIZE" uninstall DESTDIR="$root" \
	PREFIX="$PREFIX" >"$tmp/log" 2>&1
left=$(cd "$root" && find . ! -type d | head -5)
[ -z "$left" ] && echo "PASS /install/uninstall" ||
	echo "FAIL /install/uninstall: left $(echo $left)"
