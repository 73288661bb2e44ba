# The guest's view of the board, both ways (sourced by full-boot.sh):
# what boardc map says Linux must show in /proc/iomem and /proc/ioports,
# and what the guest showed, as comparable "first-last : name" lines
# (lower-case hex without leading zeros, sorted), so a mismatch is a diff.
#
# Linux names the resources of the board's devices after its own drivers,
# so the board's entries are projected onto those names, by device type
# (the only knowledge here about Linux, not about the board):
#   uart16550 -> serial           cmos-rtc -> rtc0 (the RTC device's
#                                 name, which rtc-cmos requests its ports
#                                 as), inside rtc_cmos (x86's platform
#                                 device) when ACPI does not describe it
#   i8259 master/slave -> pic1/pic2   i8254 counters -> timer0
#   i8042 data/command -> keyboard    pci-host ports -> PCI conf1
#   pci-host ecam -> PCI MMCONFIG 0000 [bus 00-NN] (the MCFG's window,
#   1 MiB a bus)
#   ioapic -> "IOAPIC N" (Linux claims 1 KiB; only on a board with a
#   pci-host: x86 Linux inserts the IOAPIC resources from its PCI
#   resource survey, which a machine without PCI never runs)
#   lapic -> Local APIC
#   acpi-pm pm1-evt/pm1-cnt -> ACPI PM1a_EVT_BLK/ACPI PM1a_CNT_BLK
#   a PCI device's block (BAR0) -> its function, 0000:00:SS.F
#   a virtio-mmio device's block -> LNRO0005:NN, NN its place among the
#   board's virtio-mmio devices (the DSDT lists them in board order; the
#   ACPI platform devices are numbered in that order), on a board with
#   ACPI tables only
#   the board's windows -> PCI Bus 0000:00 (boardc map's name), on a
#   board with ACPI tables only: Linux takes them from the host bridge's
#   _CRS; without ACPI it shows no windows
#   System RAM, Reserved and ACPI Tables (the tables' pages, e820 type 3)
#   at the top level as the e820 map gives them,
#   where Linux's own rules apply: page 0 is Reserved, and a PVH boot
#   adds the ISA hole 0xa0000-0xfffff (boot-lib.sh's e820_expected).
# Linux reserves keyboard (0x60, 0x64), pic1, pic2 and timer0 itself
# (standard_io_resources), on every machine: on a board without an
# i8042, 8259s or 8254 the guest's lines of that name are left out.
# The guest's lines are taken at any depth for these names (System RAM,
# Reserved and ACPI Tables at the top level only, or right under PCI
# MMCONFIG, which Linux puts above the ECAM window's e820 entry), so an
# entry the board lacks shows in the diff as well as one the guest lacks. Entries Linux makes for
# itself (Kernel code, dma1, fpu, timer1, RAM buffer, ...) are not names
# of this vocabulary and are left out. Callers set BOARDC, BOARD_FILE.

# board_devices: "name<TAB>type<TAB>irq" for every device of the board
# (irq "-" when it has none), from boardc map's JSON devices list.
board_devices() {
	"$BOARDC" map --format json "$BOARD_FILE" | awk '
		function value(v) { v = $2; gsub(/[",]/, "", v); return v }
		/^  "devices": \[/ { in_devices = 1; next }
		in_devices && /^  \]/ { in_devices = 0 }
		in_devices && /^    \{/ { name = type = ""; irq = "-" }
		in_devices && /^      "name": / { name = value() }
		in_devices && /^      "type": / { type = value() }
		in_devices && /^      "irq": / { irq = value() }
		in_devices && /^    \}/ { print name "\t" type "\t" irq }'
}

# norm_lines: "first-last : name" lines on stdin, normalized and sorted.
norm_lines() {
	awk '{
		split($1, r, "-")
		a = tolower(r[1]); sub(/^0+/, "", a); if (a == "") a = "0"
		b = tolower(r[2]); sub(/^0+/, "", b); if (b == "") b = "0"
		sub(/^[^:]*: /, "")
		print a "-" b " : " $0
	}' | LC_ALL=C sort -u
}

hex_add() { printf '%x' $((16#$1 + $2)); }

# expected_view SECTION MEM HOW: SECTION iomem or ioports, HOW pvh or
# bzimage.
expected_view() {
	local section=$1 mem=$2 how=$3 ioapics=0 mmios=0 acpi= pci= n t
	local -A type_of
	while IFS=$'\t' read -r n t _; do
		type_of[$n]=$t
		[ "$t" = pci-host ] && pci=1
	done < <(board_devices)
	"$BOARDC" acpi "$BOARD_FILE" >/dev/null 2>&1 && acpi=1
	{
		if [ "$section" = iomem ]; then
			expected_ram "$mem" "$how"
		fi
		"$BOARDC" map --section "$section" --mem "$mem" "$BOARD_FILE" |
		sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : \(.*\)$/\1 \2 \3/p' |
		while read -r s e name; do
			local dev=${name%% *} reg= type
			[[ $dev == *.* ]] && { reg=${dev#*.}; dev=${dev%%.*}; }
			type=${type_of[$dev]:-}
			case $type:$reg in
			uart16550:) echo "$s-$e : serial" ;;
			cmos-rtc:) echo "$s-$e : rtc0"
				[ -n "$acpi" ] || echo "$s-$e : rtc_cmos" ;;
			i8259:master) echo "$s-$e : pic1" ;;
			i8259:slave) echo "$s-$e : pic2" ;;
			i8254:counters) echo "$s-$e : timer0" ;;
			i8042:data|i8042:command) echo "$s-$e : keyboard" ;;
			pci-host:) [ "$section" = ioports ] &&
				echo "$s-$e : PCI conf1" ;;
			pci-host:ecam) printf '%s-%s : PCI MMCONFIG 0000 [bus 00-%02x]\n' \
				"$s" "$e" $(((16#$e - 16#$s) >> 20)) ;;
			ioapic:) [ -n "$pci" ] &&
				echo "$s-$(hex_add "$s" 0x3ff) : IOAPIC $ioapics"
				ioapics=$((ioapics + 1)) ;;
			lapic:) echo "$s-$e : Local APIC" ;;
			virtio-*-mmio:) [ -n "$acpi" ] &&
				printf '%s-%s : LNRO0005:%02x\n' "$s" "$e" "$mmios"
				mmios=$((mmios + 1)) ;;
			acpi-pm:pm1-evt) echo "$s-$e : ACPI PM1a_EVT_BLK" ;;
			acpi-pm:pm1-cnt) echo "$s-$e : ACPI PM1a_CNT_BLK" ;;
			:) [ "$name" = "PCI Bus 0000:00" ] && [ -n "$acpi" ] &&
				echo "$s-$e : $name" ;;
			*:) [[ $name =~ \(pci\ ([0-9a-f:.]+)\)$ ]] &&
				echo "$s-$e : 0000:${BASH_REMATCH[1]}" ;;
			esac
		done
	} | norm_lines
}

# expected_ram MEM HOW: the top-level System RAM, Reserved and ACPI Tables
# lines Linux makes of the e820 map (page 0 taken out of RAM as Reserved).
expected_ram() {
	e820_expected "$1" "$2" | sed -n 's/^BIOS-e820: \[mem 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)\] \(.*\)$/\1 \2 \3/p' |
	while read -r s e type; do
		case $type in
		usable)
			if [ "$((16#$s))" = 0 ]; then
				echo "0-fff : Reserved"
				s=1000
			fi
			echo "$s-$e : System RAM" ;;
		reserved) echo "$s-$e : Reserved" ;;
		"ACPI data") echo "$s-$e : ACPI Tables" ;;
		esac
	done
}

# guest_view FILE: the vocabulary's lines of a /proc/iomem or ioports copy.
guest_view() {
	local types
	types=$(board_devices | cut -f2 | tr '\n' ' ')
	awk -v types=" $types" '
	BEGIN {
		# Reserved by Linux itself: kept where the board has the chip.
		own["keyboard"] = "i8042"; own["pic1"] = own["pic2"] = "i8259"
		own["timer0"] = "i8254"
	}
	{
		top = $0 !~ /^ /
		line = $0; sub(/^ */, "", line)
		name = line; sub(/^[^:]*: /, "", name)
		# The e820 entry of the ECAM window: Linux nests it in its own
		# PCI MMCONFIG resource, which it inserts first.
		if (top)
			mmconfig = name ~ /^PCI MMCONFIG /
		under_mmconfig = mmconfig && $0 ~ /^  [^ ]/
		if (name in own && index(types, " " own[name] " ") == 0)
			next
		if ((name == "System RAM" || name == "Reserved" || name == "ACPI Tables") && (top || under_mmconfig))
			print line
		else if (name ~ /^(serial|rtc_cmos|rtc0|pic1|pic2|timer0|keyboard|PCI conf1|Local APIC|PCI Bus 0000:00|ACPI PM1a_EVT_BLK|ACPI PM1a_CNT_BLK)$/ ||
			 name ~ /^IOAPIC [0-9]+$/ || name ~ /^LNRO0005:[0-9a-f][0-9a-f]$/ ||
			 name ~ /^PCI MMCONFIG [0-9a-f]+ \[bus [0-9a-f]+-[0-9a-f]+\]$/ ||
			 name ~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7]$/)
			print line
	}' "$1" | norm_lines
}
