#!/usr/bin/env bash
# boardc's ACPI tables through ACPICA's own tools: `boardc acpi` output
# goes through acpixtract -a (it reads acpidump's format), and every table
# `boardc acpi -o DIR` writes disassembles with iasl -d without an error or
# warning; the DSDT's disassembly names what the board has (PNP0A03 with
# its windows, the COM ports). SKIP without acpica-tools.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
boardc=$BUILD/boardc/boardc
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
boards="boards/pc.yaml tests/boardc/acpi/hw-reduced.yaml tests/boardc/acpi/virtio-mmio-high.yaml"

if ! command -v iasl >/dev/null || ! command -v acpixtract >/dev/null; then
	for b in $boards; do
		echo "SKIP /boardc/acpi-iasl/$b: iasl and acpixtract not installed (Debian acpica-tools; scripts/install-deps.sh)"
	done
	exit 0
fi
for b in $boards; do
	t=/boardc/acpi-iasl/$b d=$tmp/${b//\//_} why=
	mkdir -p "$d/x"
	if ! "$boardc" acpi -o "$d" "$b" || ! "$boardc" acpi "$b" >"$d/x/dump.txt"; then
		echo "FAIL $t: boardc acpi failed"
		continue
	fi
	(cd "$d/x" && acpixtract -a dump.txt >/dev/null 2>&1)
	for f in "$d"/*.dat; do
		n=${f##*/}
		cmp -s "$f" "$d/x/$n" || why="acpixtract's $n differs from boardc acpi -o's"
		[ "$n" = rsdp.dat ] && continue	# iasl -d does not take an RSDP
		if ! (cd "$d" && iasl -d "$n" >"$n.log" 2>&1) ||
		   grep -qiE 'error|warning' "$d/$n.log"; then
			why="iasl -d $n: $(grep -iE 'error|warning' "$d/$n.log" | head -n 2 | tr '\n' '|')"
		fi
	done
	grep -q 'EisaId ("PNP0501")' "$d/dsdt.dsl" 2>/dev/null ||
		why=${why:-"the DSDT has no PNP0501 (COM port): $(head -c 200 "$d/dsdt.dsl" 2>/dev/null)"}
	grep -q 'EisaId ("PNP0A03")' "$d/dsdt.dsl" 2>/dev/null && grep -q 'DWordMemory' "$d/dsdt.dsl" ||
		why=${why:-"the DSDT has no PNP0A03 host bridge with a DWordMemory window"}
	# A virtio-mmio block above 4 GiB is a QWordMemory (never left out).
	case $b in *virtio-mmio-high*)
		grep -q 'QWordMemory (ResourceConsumer' "$d/dsdt.dsl" && grep -q '0x0000008000001000, // Range Minimum' "$d/dsdt.dsl" ||
			why=${why:-"the DSDT has no QWordMemory for blk-high at 0x8000001000"}
	esac
	if [ -z "$why" ]; then echo "PASS $t"; else echo "FAIL $t: $why"; fi
done
