#!/usr/bin/env bash
# Prints the .ko files of kernel modules and of everything they depend on,
# each after its dependencies (load order), from an unpacked Debian kernel
# package, which ships no modules.dep: dependencies come from
# `modinfo -F depends` (Debian package kmod).
#
#   scripts/module-order.sh MODULES_DIR MODULE...
set -euo pipefail
dir=${1:?usage: module-order.sh MODULES_DIR MODULE...}
shift
command -v modinfo >/dev/null ||
	{ echo "module-order.sh: modinfo not found (Debian package kmod)" >&2; exit 1; }
declare -A done_
add() {
	local name=${1//_/-} file dep
	[ -n "${done_[$name]:-}" ] && return
	file=$(find "$dir" \( -name "$name.ko" -o -name "${name//-/_}.ko" \) | head -n 1)
	[ -n "$file" ] || { echo "module-order.sh: no $1.ko under $dir" >&2; exit 1; }
	done_[$name]=1
	for dep in $(modinfo -F depends "$file" | tr ',' ' '); do
		add "$dep"
	done
	echo "$file"
}
for m in "$@"; do
	add "$m"
done
