#!/usr/bin/env bash
# The Debian package (make deb, packaging/deb.sh): its control fields,
# Depends against what ldd says the binaries load, its contents, and a
# dpkg install into a scratch root (dpkg --root with a copy of this host's
# package database, so Depends are checked as here; the host's own
# database and /usr are never touched): dpkg --verify, the installed
# boardc and boardvm-minimal on a freestanding guest, then dpkg --purge
# leaving nothing behind. Built by `make test` (tests/install/install.mk).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in dpkg dpkg-deb dpkg-shlibdeps; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP /deb: no $tool (apt-get install dpkg-dev)"
		exit 0
	fi
done
version=$(sed -n 's/^VERSION := //p' Makefile)
if ! deb=$(make -s --no-print-directory SANITIZE="$SANITIZE" deb 2>"$tmp/log" | tail -n 1) ||
   [ ! -f "$deb" ]; then
	echo "FAIL /deb/build: $(tail -n 5 "$tmp/log" | tr '\n' '|')"
	exit 0
fi
echo "PASS /deb/build ($(basename "$deb"), $(du -k "$deb" | cut -f1) KiB)"

# Control fields.
f() { dpkg-deb -f "$deb" "$1"; }
why=
[ "$(f Package)" = boardvm ] || why="$why Package=$(f Package)"
[ "$(f Version)" = "$version-1" ] || why="$why Version=$(f Version)"
[ "$(f Architecture)" = "$(dpkg --print-architecture)" ] || why="$why Architecture=$(f Architecture)"
for field in Maintainer Description Section Priority Installed-Size; do
	[ -n "$(f $field)" ] || why="$why no $field"
done
[ -z "$why" ] && echo "PASS /deb/control" || echo "FAIL /deb/control:$why"

# Depends: every package holding a library the binaries link (their
# NEEDED entries, found where ldd says they load from; what those need in
# turn their own packages depend on) or dlopen (libmicrohttpd).
dpkg-deb -x "$deb" "$tmp/x"
need=$(for b in "$tmp"/x/usr/bin/*; do
		[ -L "$b" ] || ! head -c 4 "$b" | grep -q ELF && continue
		ldd "$b" >"$tmp/ldd"
		readelf -d "$b" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' |
		while read -r so; do
			awk -v so="$so" '$1 == so && $2 == "=>" { print $3 }' "$tmp/ldd"
		done
		# what it dlopen()s: libmicrohttpd by --api-sock (a soname string)
		grep -aoE 'libmicrohttpd\.so\.[0-9]+' "$b" | sort -u |
		while read -r so; do
			ldconfig -p | awk -v so="$so" '$1 == so && !lib { lib = $NF } END { print lib }'
		done
	done | sort -u |
	while read -r lib; do
		dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")"
	done | sed -E 's/[:,].*//' | sort -u)
depends=$(f Depends)
missing=
for pkg in $need; do
	grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" || missing="$missing $pkg"
done
if [ -z "$need" ] || [ -n "$missing" ]; then
	echo "FAIL /deb/depends: the binaries link${missing:- nothing}, Depends: $depends"
else
	echo "PASS /deb/depends ($(echo $need) in: $depends)"
fi

# Contents: all under /usr, man pages compressed, the copyright file.
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./||' >"$tmp/contents"
why=
grep -vE '^(usr/|$)' "$tmp/contents" | head -3 | grep -q . &&
	why="$why outside /usr: $(grep -vE '^(usr/|$)' "$tmp/contents" | head -3 | tr '\n' ' ')"
for path in usr/bin/boardc usr/bin/boardvm usr/bin/boardvm-minimal \
	    usr/share/man/man1/boardvm.1.gz usr/share/man/man5/boardvm-board.5.gz \
	    usr/share/doc/boardvm/copyright usr/share/bash-completion/completions/boardvm; do
	grep -qxF "$path" "$tmp/contents" || why="$why no $path"
done
dpkg-deb -c "$deb" | awk '$2 != "root/root" { bad = 1 } END { exit bad }' ||
	why="$why files not owned by root/root"
[ -z "$why" ] && echo "PASS /deb/contents ($(wc -l <"$tmp/contents") entries)" ||
	echo "FAIL /deb/contents:$why"

# Install into a scratch root that has a copy of this host's database.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
	 "$root/var/lib/dpkg/triggers" "$root/var/log"
cp /var/lib/dpkg/status "$root/var/lib/dpkg/status"
touch "$root/var/lib/dpkg/available"
(cd "$root" && find . | sort) >"$tmp/before"
dpkg_root() { dpkg --root="$root" --log=/dev/null --no-triggers "$@"; }
if ! dpkg_root -i "$deb" >"$tmp/dpkg.log" 2>&1; then
	echo "FAIL /deb/install: $(tail -n 4 "$tmp/dpkg.log" | tr '\n' '|')"
	exit 0
fi
status=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Status}' boardvm)
[ "$status" = "install ok installed" ] && dpkg_root --verify boardvm >"$tmp/verify" 2>&1 &&
	echo "PASS /deb/install (dpkg --root: $status, --verify clean)" ||
	echo "FAIL /deb/install: status '$status', verify: $(head -3 "$tmp/verify" | tr '\n' '|')"

if out=$("$root/usr/bin/boardc" "$root/usr/share/boardvm/boards/minimal.yaml" 2>&1); then
	echo "PASS /deb/boardc"
else
	echo "FAIL /deb/boardc: $(head -3 <<<"$out")"
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP /deb/boardvm-minimal-guest: /dev/kvm not available"
else
	out=$(timeout 30 "$root/usr/bin/boardvm-minimal" \
		--flat "$BUILD/guest/minimal/hello.bin@0x100000" 2>&1 </dev/null)
	st=$?
	[ "$st" = 33 ] && grep -q 'hello from minimal' <<<"$out" &&
		echo "PASS /deb/boardvm-minimal-guest" ||
		echo "FAIL /deb/boardvm-minimal-guest: status $st, '$(tail -2 <<<"$out" | tr '\n' '|')'"
fi

# Purge: the tree is as before, bar dpkg's own database files.
dpkg_root --purge boardvm >"$tmp/dpkg.log" 2>&1
(cd "$root" && find . | sort) >"$tmp/after"
if diff "$tmp/before" "$tmp/after" | grep '^[<>]' | grep -v '^[<>] \./var/lib/dpkg/' >"$tmp/diff"; then
	echo "FAIL /deb/purge: $(head -5 "$tmp/diff" | tr '\n' ' ')"
else
	echo "PASS /deb/purge (nothing left outside dpkg's database)"
fi
