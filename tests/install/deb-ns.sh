#!/usr/bin/env bash
# The Debian package installed for real, with dpkg -i as on a user's
# machine, but in a throwaway mount namespace whose /usr, /var and /etc
# are overlays on this host's (writes land in a scratch folder; the host's
# files and package database are never touched): dpkg -i (Depends
# checked against this host's packages, man-db's trigger run), then
# boardc, boardvm and boardvm-minimal from PATH on a freestanding guest,
# man boardvm / man 5 boardvm-board through man-db, the completion loaded
# from /usr/share/bash-completion/completions, then dpkg --purge, after
# which /usr and /etc hold no file the package put there.
# Built by `make test` (tests/install/install.mk).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SANITIZE=${SANITIZE:-0}
root_dir=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

skip() { echo "SKIP /deb-ns/$1: $2"; exit 0; }
[ "$(id -u)" = 0 ] || skip all "needs root for a mount namespace with overlays"
command -v unshare >/dev/null || skip all "no unshare (util-linux)"
mkdir -p "$tmp/probe.u" "$tmp/probe.w"
unshare -m --propagation private mount -t overlay overlay \
	-o "lowerdir=/usr,upperdir=$tmp/probe.u,workdir=$tmp/probe.w" /usr \
	2>/dev/null || skip all "cannot mount an overlay on /usr in a mount namespace here"
command -v man >/dev/null || skip all "no man (apt-get install man-db)"

host_state() {
	dpkg-query -W -f '${Status} ${Version}\n' boardvm 2>/dev/null
	ls -l /usr/bin/boardvm* /usr/bin/boardc 2>/dev/null
	md5sum /var/lib/dpkg/status
}
host_state >"$tmp/host.before"

deb=$(make -s --no-print-directory SANITIZE="$SANITIZE" deb 2>"$tmp/log" | tail -n 1)
[ -f "$deb" ] || { echo "FAIL /deb-ns/build: $(tail -n 5 "$tmp/log" | tr '\n' '|')"; exit 0; }
deb=$(readlink -f "$deb")
guest=$root_dir/$BUILD/guest/minimal/hello.bin
kvm=0
[ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm=1

# The namespace's script prints the PASS/FAIL lines; exit 99: not isolated.
unshare -m --propagation private bash -s "$tmp" "$deb" "$guest" "$kvm" <<'NS'
set -u
tmp=$1 deb=$2 guest=$3 kvm=$4
for d in usr var etc; do
	mkdir -p "$tmp/$d.u" "$tmp/$d.w"
	mount -t overlay overlay \
		-o "lowerdir=/$d,upperdir=$tmp/$d.u,workdir=$tmp/$d.w" "/$d" || exit 99
done
for d in usr var etc; do
	[ "$(findmnt -n -o FSTYPE --target "/$d")" = overlay ] || exit 99
done
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
	echo "PASS /deb-ns/dpkg-i"
else
	echo "FAIL /deb-ns/dpkg-i: $(tail -n 4 "$tmp/dpkg.log" | tr '\n' '|')"
	exit 0
fi
[ "$(command -v boardc)" = /usr/bin/boardc ] &&
	boardc map /usr/share/boardvm/boards/pc.yaml | grep -q 'System RAM' &&
	echo "PASS /deb-ns/boardc" || echo "FAIL /deb-ns/boardc: $(command -v boardc)"
out=$(boardvm --version 2>&1)
[[ $out == *"board pc"* ]] && echo "PASS /deb-ns/boardvm" ||
	echo "FAIL /deb-ns/boardvm: --version says '$out'"
if [ "$kvm" = 1 ]; then
	out=$(timeout 30 boardvm-minimal --flat "$guest@0x100000" 2>&1 </dev/null)
	st=$?
	[ "$st" = 33 ] && grep -q 'hello from minimal' <<<"$out" &&
		echo "PASS /deb-ns/boardvm-minimal-guest" ||
		echo "FAIL /deb-ns/boardvm-minimal-guest: status $st"
else
	echo "SKIP /deb-ns/boardvm-minimal-guest: /dev/kvm not available"
fi
why=
MANWIDTH=80 man boardvm 2>/dev/null | grep -q -- '--serial' || why="$why boardvm(1)"
MANWIDTH=80 man boardc 2>/dev/null | grep -q -- '--list-checks' || why="$why boardc(1)"
MANWIDTH=80 man 5 boardvm-board 2>/dev/null | grep -q 'mmio-windows' || why="$why boardvm-board(5)"
MANWIDTH=80 man boardvm-build 2>/dev/null | grep -q 'BUILD-DIR' || why="$why boardvm-build(1)"
[ "$(man -w boardvm)" = /usr/share/man/man1/boardvm.1.gz ] || why="$why man -w: $(man -w boardvm)"
MANWIDTH=80 man boardvm-minimal 2>/dev/null | grep -q -- '--serial' || why="$why boardvm-minimal(1)"
[ -z "$why" ] && echo "PASS /deb-ns/man" || echo "FAIL /deb-ns/man:$why"
got=$(bash --norc --noprofile -c '
	source /usr/share/bash-completion/completions/boardvm-minimal
	COMP_WORDS=(boardvm-minimal --log-l) COMP_CWORD=1
	_boardvm; echo "${COMPREPLY[*]}"')
[ "$got" = --log-level ] && echo "PASS /deb-ns/completion" ||
	echo "FAIL /deb-ns/completion: offers '$got'"

dpkg --purge boardvm >"$tmp/dpkg.log" 2>&1 ||
	echo "FAIL /deb-ns/purge: $(tail -n 3 "$tmp/dpkg.log" | tr '\n' '|')"
left=$(cd "$tmp" && find usr.u etc.u ! -type d | head -5)
dpkg-query -W boardvm >/dev/null 2>&1 && left="$left (still in dpkg's database)"
[ -z "$left" ] && echo "PASS /deb-ns/purge (no file left in /usr or /etc)" ||
	echo "FAIL /deb-ns/purge: left $left"
NS
st=$?
[ "$st" = 99 ] && echo "FAIL /deb-ns/isolation: the overlays did not mount; nothing was installed"
# The host is as it was.
host_state >"$tmp/host.after"
if ! cmp -s "$tmp/host.before" "$tmp/host.after"; then
	echo "FAIL /deb-ns/host-untouched: $(diff "$tmp/host.before" "$tmp/host.after" | head -3 | tr '\n' ' ')"
else
	echo "PASS /deb-ns/host-untouched"
fi
