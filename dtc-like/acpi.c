// SPDX-License-Identifier: MIT
/*
 * The ACPI stage: RSDP, XSDT, FADT, FACS, MADT and DSDT built from the
 * checked, laid-out board, at the address of the board's table area (the
 * first backed reserved range inside the RSDP scan area 0xe0000-0xfffff).
 * The VMM copies the bytes there and patches only the MADT's CPU count
 * (acpi_madt_set_cpus()). See acpi.h and docs/board-format.md.
 *
 * FADT: with an acpi-pm device (PM1 event and control blocks, the SCI)
 * the full hardware model, so Linux keeps the PIT, the 8259s and the
 * timer through the IOAPIC; without one, hardware-reduced ACPI.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi-tables.h"
#include "acpi.h"
#include "isa-irqs.h"

#define ACPI_ALIGN		16
#define FACS_ALIGN		64
#define IOAPIC_PINS		24		/* each IOAPIC's GSIs */
#define MAX_APIC_ID		254		/* xAPIC; 0xff is broadcast */
#define SLP_TYP_S5		5		/* devices/acpi-pm.c powers off */

bool board_wants_tables(const struct board *board, const char *name)
{
	if (!board->has_firmware_tables)
		return !strcmp(name, "mptable");
	for (unsigned i = 0; i < board->nr_firmware_tables; i++)
		if (!strcmp(board->firmware_tables[i], name))
			return true;
	return false;
}

static const struct ir_device *find_type(const struct board *b,
					 const char *type, unsigned from)
{
	for (unsigned i = from; i < b->nr_devices; i++)
		if (b->devices[i].type &&
		    !strcmp(b->devices[i].type->name, type))
			return &b->devices[i];
	return NULL;
}

/* The device's first region in `space` and register `reg` (NULL: any). */
static const struct ir_region *dev_region(const struct board *b,
					  const struct ir_device *d,
					  enum board_space space,
					  const char *reg)
{
	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_region *r = &b->regions[i];

		if (r->dev == d && r->space == space &&
		    (!reg || !strcmp(r->reg->name, reg)))
			return r;
	}
	return NULL;
}

static const struct ir_range *table_area(const struct board *b)
{
	for (unsigned i = 0; i < b->nr_reserved; i++) {
		const struct ir_range *r = &b->reserved[i];

		if (r->backed && r->base >= ACPI_RSDP_SCAN_LO &&
		    r->base + r->size <= ACPI_RSDP_SCAN_HI)
			return r;
	}
	return NULL;
}

static void align(struct acpi_bytes *b, size_t a)
{
	if (b->len % a) {
		acpi_note(b, "(padding)");
		acpi_put(b, NULL, a - b->len % a);
	}
}

static uint64_t addr_of(const struct acpi_image *img, size_t off)
{
	return img->base + off;
}

static void record(struct acpi_image *img, const char *sig, size_t off,
		   size_t len)
{
	struct acpi_table_pos *t = &img->tables[img->nr_tables++];

	memcpy(t->signature, sig, 4);
	t->signature[4] = 0;
	t->off = off;
	t->len = len;
}

/* A table header, the table's length and checksum left to table_end(). */
static size_t table_begin(struct acpi_image *img, const char *sig,
			  uint8_t revision, const char *what)
{
	struct acpi_header h = { .revision = revision,
				 .creator_revision = ACPI_CREATOR_REVISION };
	struct acpi_bytes *b = &img->b;
	size_t at = b->len;

	memcpy(h.signature, sig, 4);
	memcpy(h.oem_id, ACPI_OEM_ID, 6);
	memcpy(h.oem_table_id, ACPI_OEM_TABLE_ID, 8);
	memcpy(h.creator_id, ACPI_CREATOR_ID, 4);
	acpi_note(b, "%.4s (%s) @ 0x%" PRIx64 ": signature, length, "
		  "revision %u, checksum, OEM \"%s\" \"%s\", creator \"%s\"",
		  sig, what, addr_of(img, at), revision, ACPI_OEM_ID,
		  ACPI_OEM_TABLE_ID, ACPI_CREATOR_ID);
	acpi_put(b, &h, sizeof(h));
	return at;
}

static void table_end(struct acpi_image *img, size_t at)
{
	struct acpi_header *h = (struct acpi_header *)(img->b.buf + at);
	size_t len = img->b.len - at;

	h->length = (uint32_t)len;
	acpi_fix_checksum(h, len, &h->checksum);
	record(img, h->signature, at, len);
}

/* ---- MADT ---- */

static void madt_put(struct acpi_bytes *b, const void *e, size_t n)
{
	acpi_put(b, e, n);
}

static int build_madt(struct acpi_image *img, const struct board *board,
		      char *err, size_t errlen)
{
	const struct ir_device *lapic = find_type(board, "lapic", 0);
	struct acpi_bytes *b = &img->b;
	struct acpi_madt m = { 0 };
	unsigned nr_ioapics = 0;
	size_t at;

	at = table_begin(img, "APIC", ACPI_MADT_REVISION, "MADT");
	m.lapic_address = lapic && lapic->mmio.present ?
			  (uint32_t)lapic->mmio.base : 0xfee00000u;
	m.flags = find_type(board, "i8259", 0) ? ACPI_MADT_PCAT_COMPAT : 0;
	acpi_note(b, "local APIC address 0x%" PRIx32 "%s%s, flags 0x%x%s",
		  m.lapic_address, lapic ? " from " : " (default)",
		  lapic ? srcpos_string(&lapic->pos) : "", m.flags,
		  m.flags ? " (PCAT_COMPAT: the board has an i8259)" : "");
	acpi_put(b, &m.lapic_address, 8);
	img->madt_off = at;
	for (unsigned i = 0; i < board->cpus_max; i++) {
		struct acpi_madt_lapic e = {
			.type = ACPI_MADT_LAPIC, .length = sizeof(e),
			.processor_uid = (uint8_t)i, .apic_id = (uint8_t)i,
			.flags = ACPI_MADT_ENABLED,
		};

		acpi_note(b, "LAPIC: CPU %u, APIC id %u, enabled (cpus max "
			  "%u at %s; the VMM keeps --cpus of them)", i, i,
			  board->cpus_max, srcpos_string(&board->cpus_pos));
		madt_put(b, &e, sizeof(e));
	}
	for (const struct ir_device *d = find_type(board, "ioapic", 0); d;
	     d = find_type(board, "ioapic", device_index(board, d) + 1)) {
		struct acpi_madt_ioapic e = {
			.type = ACPI_MADT_IOAPIC, .length = sizeof(e),
			.ioapic_id = (uint8_t)(board->cpus_max + nr_ioapics),
			.address = (uint32_t)d->mmio.base,
			.gsi_base = nr_ioapics * IOAPIC_PINS,
		};

		if (!d->mmio.present)
			continue;
		acpi_note(b, "IOAPIC '%s' at %s: id %u, address 0x%" PRIx32
			  ", GSI base %u", d->name, srcpos_string(&d->pos),
			  e.ioapic_id, e.address, e.gsi_base);
		madt_put(b, &e, sizeof(e));
		nr_ioapics++;
	}
	if (!nr_ioapics) {
		snprintf(err, errlen, "the ACPI MADT needs an ioapic device "
			 "with an mmio base: add one (type ioapic, mmio "
			 "0xfec00000)");
		return -1;
	}
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		int pin = isa_irq_ioapic_pin(irq);
		const char *why = NULL;
		struct acpi_madt_iso e = {
			.type = ACPI_MADT_ISO, .length = sizeof(e),
			.source = (uint8_t)irq, .gsi = (uint32_t)pin,
			.flags = ACPI_MPS_CONFORMING,
		};

		if (pin < 0)
			continue;
		if ((unsigned)pin != irq)
			why = "wired to another pin (vmm/irq-routing.h)";
		for (unsigned i = 0; i < board->nr_devices; i++) {
			const struct ir_device *d = &board->devices[i];

			if (d->has_irq && d->irq == irq && d->type &&
			    d->type->irq_shareable) {
				e.flags = ACPI_MPS_LEVEL_LOW;
				why = "level, active low: a shareable type's, "
				      "as _PRT's GSIs and the SCI are";
			}
		}
		if (!why)
			continue;
		acpi_note(b, "interrupt source override: ISA IRQ %u -> GSI "
			  "%d, flags 0x%x (%s)", irq, pin, e.flags, why);
		madt_put(b, &e, sizeof(e));
	}
	{
		struct acpi_madt_lapic_nmi e = {
			.type = ACPI_MADT_LAPIC_NMI, .length = sizeof(e),
			.processor_uid = 0xff, .lint = 1,
		};

		acpi_note(b, "local APIC NMI: all CPUs, LINT1");
		madt_put(b, &e, sizeof(e));
	}
	table_end(img, at);
	return 0;
}

/* ---- DSDT ---- */

/* A 4-character AML name from the board device's name. */
static void aml_device_name(const struct ir_device *d, unsigned index,
			    char name[5])
{
	unsigned n = 0;

	for (const char *p = d->name; *p && n < 4; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			name[n++] = (char)(*p >= 'a' ? *p - 'a' + 'A' : *p);
	while (n < 4)
		name[n++] = '_';
	name[4] = 0;
	if (name[0] >= '0' && name[0] <= '9')
		snprintf(name, 5, "D%03u", index % 1000);
}

struct legacy_hid {
	const char *type;
	const char *hid;
};

static const struct legacy_hid legacy_hids[] = {
	{ "uart16550", "PNP0501" },
	{ "i8042", "PNP0303" },
	{ "cmos-rtc", "PNP0B00" },
};

static void dsdt_hid(struct acpi_bytes *a, const char *hid)
{
	acpi_note(a, "Name (_HID, EisaId (\"%s\"))", hid);
	aml_name(a, "_HID");
	aml_integer(a, aml_eisa_id(hid));
}

static void dsdt_legacy(struct acpi_bytes *a, const struct board *board,
			const struct ir_device *d, const char *hid,
			unsigned uid, char names[][5], unsigned *nr_names)
{
	char name[5];
	size_t dev, crs, size_at;

	aml_device_name(d, device_index(board, d), name);
	for (unsigned i = 0; i < *nr_names; i++)
		if (!strcmp(names[i], name))
			snprintf(name, 5, "D%03u", device_index(board, d));
	memcpy(names[(*nr_names)++], name, 5);
	acpi_note(a, "Device (%s): '%s' (%s) at %s", name, d->name,
		  d->type->name, srcpos_string(&d->pos));
	dev = aml_device_begin(a, name);
	dsdt_hid(a, hid);
	acpi_note(a, "Name (_UID, %u)", uid);
	aml_name(a, "_UID");
	aml_integer(a, uid);
	acpi_note(a, "Name (_CRS, ResourceTemplate ()): the board's ports%s",
		  d->has_irq ? " and irq" : "");
	aml_name(a, "_CRS");
	crs = aml_crs_begin(a, &size_at);
	for (unsigned i = 0; i < board->nr_regions; i++) {
		const struct ir_region *r = &board->regions[i];

		if (r->dev != d || r->space != SPACE_PIO)
			continue;
		acpi_note(a, "IO (Decode16, 0x%04" PRIx64 ", 0x%04" PRIx64
			  ", 1, %" PRIu64 "): %s.%s at %s", r->base, r->base,
			  r->size, d->name, r->reg->name,
			  srcpos_string(&r->pos));
		aml_res_io(a, (uint16_t)r->base, (uint8_t)r->size);
	}
	if (d->has_irq) {
		acpi_note(a, "IRQNoFlags () {%u}: irq at %s", d->irq,
			  srcpos_string(&d->irq_pos));
		aml_res_irq(a, d->irq);
	}
	aml_crs_end(a, crs, size_at);
	aml_pkg_end(a, dev);
}

/*
 * A virtio-mmio device as Linux's virtio_mmio driver finds it on ACPI
 * (drivers/virtio/virtio_mmio.c matches LNRO0005): its block and irq.
 */
static void dsdt_virtio_mmio(struct acpi_bytes *a, const struct board *board,
			     const struct ir_device *d, unsigned uid,
			     char names[][5], unsigned *nr_names)
{
	uint64_t base = d->mmio.base;
	uint64_t size = device_type_span(d->type, SPACE_MMIO);
	char name[5];
	size_t dev, crs, size_at;

	snprintf(name, sizeof(name), "VR%02X", uid & 0xff);
	memcpy(names[(*nr_names)++], name, 5);
	acpi_note(a, "Device (%s): '%s' (%s) at %s", name, d->name,
		  d->type->name, srcpos_string(&d->pos));
	dev = aml_device_begin(a, name);
	acpi_note(a, "Name (_HID, \"LNRO0005\"): virtio-mmio");
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	acpi_note(a, "Name (_UID, %u)", uid);
	aml_name(a, "_UID");
	aml_integer(a, uid);
	acpi_note(a, "Name (_CRS, ResourceTemplate ()): the block and irq");
	aml_name(a, "_CRS");
	crs = aml_crs_begin(a, &size_at);
	if (base + size > 0x100000000ull) {
		acpi_note(a, "QWordMemory (ResourceConsumer, ..., 0x%" PRIx64
			  ", 0x%" PRIx64 ", 0, 0x%" PRIx64 "): %s above 4 GiB"
			  " at %s", base, base + size - 1, size, d->name,
			  srcpos_string(&d->mmio.pos));
		aml_res_mem64(a, base, size);
	} else {
		acpi_note(a, "Memory32Fixed (ReadWrite, 0x%08" PRIx64 ", 0x%"
			  PRIx64 "): %s at %s", base, size, d->name,
			  srcpos_string(&d->mmio.pos));
		aml_res_mem32(a, (uint32_t)base, (uint32_t)size);
	}
	acpi_note(a, "%s {%u}: irq at %s", d->irq < 16 ? "IRQNoFlags ()" :
		  "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive)",
		  d->irq, srcpos_string(&d->irq_pos));
	aml_res_irq(a, d->irq);
	aml_crs_end(a, crs, size_at);
	aml_pkg_end(a, dev);
}

/* The host bridge's buses (its `buses` property): 1-256, 1 if bad. */
static unsigned pci_buses(const struct ir_device *host)
{
	const struct reg_schema *ecam = device_type_reg(host->type, "ecam");
	uint64_t n = ecam ? ir_reg_size(host, ecam) / ACPI_ECAM_BUS_SIZE : 1;

	return n >= 1 && n <= 256 ? (unsigned)n : 1;
}

static void dsdt_pci_crs(struct acpi_bytes *a, const struct board *board,
			 const struct ir_device *host)
{
	const struct ir_region *lo = NULL, *hi = NULL;
	unsigned buses = pci_buses(host);
	size_t crs, size_at;

	acpi_note(a, "Name (_CRS, ResourceTemplate ()): the buses, the "
		  "configuration ports, the board's windows");
	aml_name(a, "_CRS");
	crs = aml_crs_begin(a, &size_at);
	acpi_note(a, "WordBusNumber (ResourceProducer, ...): buses 0-%u "
		  "('%s' buses %u)", buses - 1, host->name, buses);
	aml_res_bus(a, 0, (uint16_t)(buses - 1));
	/* One descriptor for the whole block: Linux drops 0xcf8-0xcff. */
	for (unsigned i = 0; i < board->nr_regions; i++) {
		const struct ir_region *r = &board->regions[i];

		if (r->dev != host || r->space != SPACE_PIO)
			continue;
		if (!lo || r->base < lo->base)
			lo = r;
		if (!hi || region_last(r) > region_last(hi))
			hi = r;
	}
	if (lo) {
		acpi_note(a, "IO (Decode16, 0x%04" PRIx64 ", 0x%04" PRIx64
			  ", 1, %" PRIu64 "): %s's ports at %s", lo->base,
			  lo->base, region_last(hi) - lo->base + 1, host->name,
			  srcpos_string(&host->pio.pos));
		aml_res_io(a, (uint16_t)lo->base,
			   (uint8_t)(region_last(hi) - lo->base + 1));
	}
	for (unsigned i = 0; i < board->nr_windows; i++) {
		const struct ir_range *w = &board->windows[i];
		bool io = w->space == SPACE_PIO;

		acpi_note(a, "%sWord%s window '%s' 0x%" PRIx64 "-0x%" PRIx64
			  " at %s", w->base + w->size - 1 > 0xffffffffu ?
			  "Q" : "D", io ? "IO" : "Memory", w->name, w->base,
			  w->base + w->size - 1, srcpos_string(&w->pos));
		aml_res_window(a, io, w->base, w->size);
	}
	aml_crs_end(a, crs, size_at);
}

/* A PCI device in a slot (given or laid out) with its INTA# wired. */
static bool pci_irq_wired(const struct ir_device *d)
{
	return d->type && d->type->pci && d->pci_slot > 0 && d->has_irq;
}

/* _PRT: each PCI device's INTA# on its board irq (a GSI, no link). */
static void dsdt_pci_prt(struct acpi_bytes *a, const struct board *board)
{
	unsigned n = 0;
	size_t prt;

	for (unsigned i = 0; i < board->nr_devices; i++)
		n += pci_irq_wired(&board->devices[i]);
	acpi_note(a, "Name (_PRT, Package (%u)): INTA# of each PCI slot", n);
	aml_name(a, "_PRT");
	prt = aml_package_begin(a, n);
	for (unsigned i = 0; i < board->nr_devices; i++) {
		const struct ir_device *d = &board->devices[i];
		size_t e;

		if (!pci_irq_wired(d))
			continue;
		acpi_note(a, "Package () {0x%04XFFFF, 0 (INTA#), Zero, %u}: "
			  "'%s' slot %u, irq at %s", d->pci_slot, d->irq,
			  d->name, d->pci_slot, srcpos_string(&d->irq_pos));
		e = aml_package_begin(a, 4);
		aml_integer(a, ((uint64_t)d->pci_slot << 16) | 0xffff);
		aml_integer(a, 0);
		aml_integer(a, 0);
		aml_integer(a, d->irq);
		aml_pkg_end(a, e);
	}
	aml_pkg_end(a, prt);
}

#define OSC_PCI_HOST_UUID	"33db4d5b-1ff7-401c-9657-7441c03dd766"
#define OSC_BAD_UUID		0x4	/* _OSC status (CDW1) bits */
#define OSC_BAD_REVISION	0x8

/*
 * _OSC (PCI Firmware 3.2, 4.5): the OS gets every control it asks for
 * (the control dword comes back as it went in): the board has no PCIe
 * ports, hot plug or AER of its own to keep, so nothing is left to
 * firmware. Another UUID or a revision other than 1 is flagged in the
 * status dword.
 */
static void dsdt_pci_osc(struct acpi_bytes *a)
{
	size_t m, iff, rev, els;

	acpi_note(a, "Method (_OSC, 4): the PCI host bridge UUID, revision 1:"
		  " grant every control asked for (Arg3 returned as is)");
	m = aml_method_begin(a, "_OSC", 4);
	aml_create_dword_field(a, 3, 0, "CDW1");
	iff = aml_if_begin(a);
	aml_lequal(a, false);
	aml_arg(a, 0);
	aml_uuid(a, OSC_PCI_HOST_UUID);
	rev = aml_if_begin(a);
	aml_lequal(a, true);
	aml_arg(a, 1);
	aml_integer(a, 1);
	aml_or_into(a, "CDW1", OSC_BAD_REVISION);
	aml_pkg_end(a, rev);
	aml_pkg_end(a, iff);
	els = aml_else_begin(a);
	aml_or_into(a, "CDW1", OSC_BAD_UUID);
	aml_pkg_end(a, els);
	aml_return_arg(a, 3);
	aml_pkg_end(a, m);
}

static void dsdt_pci(struct acpi_bytes *a, const struct board *board,
		     const struct ir_device *host)
{
	size_t dev;

	acpi_note(a, "Device (PCI0): the host bridge '%s' at %s", host->name,
		  srcpos_string(&host->pos));
	dev = aml_device_begin(a, "PCI0");
	dsdt_hid(a, "PNP0A03");
	acpi_note(a, "Name (_UID, 0)");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	acpi_note(a, "Name (_BBN, 0)");
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	dsdt_pci_crs(a, board, host);
	dsdt_pci_prt(a, board);
	dsdt_pci_osc(a);
	aml_pkg_end(a, dev);
}

static void build_dsdt(struct acpi_image *img, const struct board *board,
		       bool full_hw)
{
	const struct ir_device *host = find_type(board, "pci-host", 0);
	char (*names)[5] = xcalloc(board->nr_devices + 1, sizeof(*names));
	struct acpi_bytes a = { 0 };
	unsigned nr_names = 0, uid[ARRAY_SIZE(legacy_hids)] = { 0 };
	unsigned virtio_uid = 0;
	size_t at, sb;

	at = table_begin(img, "DSDT", 2, "DSDT: AML from the board");
	acpi_note(&a, "Scope (\\_SB)");
	sb = aml_scope_begin(&a, "\\_SB_");
	if (host)
		dsdt_pci(&a, board, host);
	for (unsigned i = 0; i < board->nr_devices; i++) {
		const struct ir_device *d = &board->devices[i];

		if (d->type && d->type->virtio_mmio && d->has_irq)
			dsdt_virtio_mmio(&a, board, d, virtio_uid++, names,
					 &nr_names);
		for (unsigned h = 0; d->type && h < ARRAY_SIZE(legacy_hids);
		     h++)
			if (!strcmp(d->type->name, legacy_hids[h].type))
				dsdt_legacy(&a, board, d, legacy_hids[h].hid,
					    uid[h]++, names, &nr_names);
	}
	aml_pkg_end(&a, sb);
	if (full_hw) {
		size_t s5;

		acpi_note(&a, "Name (\\_S5, Package (4) {%u, %u, 0, 0}): "
			  "SLP_TYP for soft off (devices/acpi-pm.c)",
			  SLP_TYP_S5, SLP_TYP_S5);
		aml_name(&a, "_S5_");
		s5 = aml_package_begin(&a, 4);
		aml_integer(&a, SLP_TYP_S5);
		aml_integer(&a, SLP_TYP_S5);
		aml_integer(&a, 0);
		aml_integer(&a, 0);
		aml_pkg_end(&a, s5);
	}
	acpi_append(&img->b, &a);
	acpi_bytes_free(&a);
	free(names);
	table_end(img, at);
}

/* ---- MCFG ---- */

const struct ir_region *board_ecam(const struct board *board)
{
	const struct ir_device *host = find_type(board, "pci-host", 0);

	return host ? dev_region(board, host, SPACE_MMIO, "ecam") : NULL;
}

static size_t build_mcfg(struct acpi_image *img, const struct ir_region *r)
{
	struct acpi_mcfg_alloc e = {
		.base = r->base,
		.bus_last = (uint8_t)(r->size / ACPI_ECAM_BUS_SIZE - 1),
	};
	struct acpi_bytes *b = &img->b;
	size_t at = table_begin(img, "MCFG", ACPI_MCFG_REVISION,
				"MCFG: the ECAM window");

	acpi_note(b, "(reserved)");
	acpi_put(b, NULL, sizeof(struct acpi_mcfg) -
		 sizeof(struct acpi_header));
	acpi_note(b, "base 0x%" PRIx64 ", segment 0, buses 0-%u: %s.%s at %s",
		  e.base, e.bus_last, r->dev->name, r->reg->name,
		  srcpos_string(&r->pos));
	acpi_put(b, &e, sizeof(e));
	table_end(img, at);
	return at;
}

/* ---- FADT, FACS, XSDT, RSDP ---- */

static void gas_io(struct acpi_gas *g, uint64_t port, unsigned bytes)
{
	g->space_id = 1;		/* system I/O */
	g->bit_width = (uint8_t)(bytes * 8);
	g->access_size = bytes == 4 ? 3 : 2;
	g->address = port;
}

#define FADT_NOTE(b, at, field, ...) \
	acpi_note_at(b, (at) + offsetof(struct acpi_fadt, field), __VA_ARGS__)

static size_t build_fadt(struct acpi_image *img, const struct board *board,
			 const struct ir_device *pm, uint64_t dsdt,
			 uint64_t facs)
{
	struct acpi_bytes *b = &img->b;
	struct acpi_fadt f = { 0 };
	const struct ir_region *evt = NULL, *cnt = NULL;
	size_t at = b->len;

	memcpy(f.header.signature, "FACP", 4);
	f.header.revision = ACPI_FADT_REVISION;
	memcpy(f.header.oem_id, ACPI_OEM_ID, 6);
	memcpy(f.header.oem_table_id, ACPI_OEM_TABLE_ID, 8);
	memcpy(f.header.creator_id, ACPI_CREATOR_ID, 4);
	f.header.creator_revision = ACPI_CREATOR_REVISION;
	f.minor_revision = ACPI_FADT_MINOR_REVISION;
	f.dsdt = (uint32_t)dsdt;
	f.x_dsdt = dsdt;
	/*
	 * With PM1 registers the power button is the fixed one (PWRBTN_STS
	 * in PM1_STS, the SCI): the VMM presses it on SIGTERM. No sleep
	 * button: the board offers no sleep state.
	 */
	f.flags = ACPI_FADT_SLP_BUTTON;
	if (!pm)
		f.flags |= ACPI_FADT_PWR_BUTTON;
	if (pm) {
		evt = dev_region(board, pm, SPACE_PIO, "pm1-evt");
		cnt = dev_region(board, pm, SPACE_PIO, "pm1-cnt");
		/* X_FIRMWARE_CTRL alone: with both, Linux installs it twice. */
		f.x_firmware_ctrl = facs;
		f.sci_int = (uint16_t)pm->irq;
		f.pm1a_evt_blk = (uint32_t)evt->base;
		f.pm1_evt_len = (uint8_t)evt->size;
		gas_io(&f.x_pm1a_evt_blk, evt->base, 4);
		f.pm1a_cnt_blk = (uint32_t)cnt->base;
		f.pm1_cnt_len = (uint8_t)cnt->size;
		gas_io(&f.x_pm1a_cnt_blk, cnt->base, 2);
	} else {
		f.flags |= ACPI_FADT_HW_REDUCED;
	}
	if (find_type(board, "i8259", 0) || find_type(board, "i8254", 0) ||
	    find_type(board, "uart16550", 0))
		f.iapc_boot_arch |= ACPI_BOOT_ARCH_LEGACY;
	if (find_type(board, "i8042", 0))
		f.iapc_boot_arch |= ACPI_BOOT_ARCH_8042;
	f.iapc_boot_arch |= ACPI_BOOT_ARCH_NO_VGA;
	if (!find_type(board, "cmos-rtc", 0))
		f.iapc_boot_arch |= ACPI_BOOT_ARCH_NO_CMOS_RTC;
	table_begin(img, "FACP", ACPI_FADT_REVISION, "FADT");
	b->len = at;			/* the header is in f */
	acpi_put(b, &f, sizeof(f));
	FADT_NOTE(b, at, firmware_ctrl, "FIRMWARE_CTRL 0 (the FACS is at "
		  "X_FIRMWARE_CTRL)");
	FADT_NOTE(b, at, dsdt, "DSDT 0x%" PRIx32, f.dsdt);
	FADT_NOTE(b, at, sci_int, "SCI_INT %u%s%s", f.sci_int,
		  pm ? ": irq of " : " (hardware-reduced: none)",
		  pm ? pm->name : "");
	FADT_NOTE(b, at, pm1a_evt_blk, "PM1a_EVT_BLK 0x%" PRIx32 ", "
		  "PM1a_CNT_BLK 0x%" PRIx32 "%s%s", f.pm1a_evt_blk,
		  f.pm1a_cnt_blk, pm ? ": " : "",
		  pm ? srcpos_string(&pm->pos) : "");
	FADT_NOTE(b, at, pm1_evt_len, "PM1_EVT_LEN %u, PM1_CNT_LEN %u",
		  f.pm1_evt_len, f.pm1_cnt_len);
	FADT_NOTE(b, at, iapc_boot_arch, "IAPC_BOOT_ARCH 0x%x (legacy "
		  "devices, 8042, no VGA, no CMOS RTC as the board has them)",
		  f.iapc_boot_arch);
	FADT_NOTE(b, at, flags, "flags 0x%x (%s, no sleep button%s)",
		  f.flags, pm ? "fixed power button in PM1" :
		  "no power button", pm ? "" : ", HW_REDUCED_ACPI");
	FADT_NOTE(b, at, minor_revision, "FADT minor revision %u",
		  f.minor_revision);
	FADT_NOTE(b, at, x_firmware_ctrl, "X_FIRMWARE_CTRL 0x%" PRIx64
		  " (FACS), X_DSDT 0x%" PRIx64, f.x_firmware_ctrl, f.x_dsdt);
	FADT_NOTE(b, at, x_pm1a_evt_blk, "X_PM1a_EVT_BLK (GAS, I/O)");
	FADT_NOTE(b, at, x_pm1a_cnt_blk, "X_PM1a_CNT_BLK (GAS, I/O)");
	FADT_NOTE(b, at, x_pm2_cnt_blk, "(the other blocks: none)");
	table_end(img, at);
	return at;
}

static size_t build_facs(struct acpi_image *img)
{
	struct acpi_bytes *b = &img->b;
	size_t at;

	align(b, FACS_ALIGN);
	at = b->len;
	acpi_note(b, "FACS @ 0x%" PRIx64 ": signature, length 64, "
		  "version 2, no checksum", addr_of(img, at));
	acpi_put(b, "FACS", 4);
	acpi_put_le(b, 64, 4);
	acpi_put(b, NULL, 24);
	acpi_put_le(b, 2, 1);		/* version */
	acpi_put(b, NULL, 31);
	record(img, "FACS", at, 64);
	return at;
}

static int build_rsdp(struct acpi_image *img)
{
	struct acpi_rsdp r = { .revision = 2, .length = sizeof(r) };
	struct acpi_bytes *b = &img->b;

	memcpy(r.signature, ACPI_RSDP_SIGNATURE, 8);
	memcpy(r.oem_id, ACPI_OEM_ID, 6);
	acpi_note(b, "RSDP @ 0x%" PRIx64 ": \"RSD PTR \", checksum, OEM "
		  "\"%s\", revision 2, RSDT 0, length 36, XSDT address, "
		  "extended checksum", img->base, ACPI_OEM_ID);
	acpi_put(b, &r, sizeof(r));
	record(img, "RSDP", 0, sizeof(r));
	align(b, ACPI_ALIGN);
	return 0;
}

static void rsdp_finish(struct acpi_image *img, uint64_t xsdt)
{
	struct acpi_rsdp *r = (struct acpi_rsdp *)img->b.buf;

	r->xsdt_address = xsdt;
	acpi_fix_checksum(r, 20, &r->checksum);
	acpi_fix_checksum(r, sizeof(*r), &r->extended_checksum);
}

int board_acpi_build(const struct board *board, struct acpi_image *img,
		     char *err, size_t errlen, const struct srcpos **pos)
{
	const struct ir_device *pm = find_type(board, "acpi-pm", 0);
	const struct ir_region *ecam = board_ecam(board);
	struct acpi_bytes *b = &img->b;
	size_t xsdt, xsdt_entries, facs = 0, dsdt, entry[3];
	unsigned nr_entries = ecam ? 3 : 2;

	memset(img, 0, sizeof(*img));
	*pos = board->has_firmware_tables ? &board->firmware_tables_key_pos
					  : &board->pos;
	if (!board_wants_tables(board, "acpi")) {
		snprintf(err, errlen, "the board asks for no ACPI tables: add "
			 "acpi to firmware-tables");
		return -1;
	}
	img->range = table_area(board);
	if (!img->range) {
		snprintf(err, errlen, "firmware-tables: acpi needs a backed "
			 "reserved range inside 0x%llx-0x%llx for the tables "
			 "(where Linux scans for the RSDP), like bios-rom on "
			 "the pc board", ACPI_RSDP_SCAN_LO,
			 ACPI_RSDP_SCAN_HI - 1);
		return -1;
	}
	if (board->cpus_max > MAX_APIC_ID) {
		snprintf(err, errlen, "firmware-tables: acpi: cpus max %u: the "
			 "MADT's xAPIC entries hold APIC ids 0-%u",
			 board->cpus_max, MAX_APIC_ID - 1);
		*pos = &board->cpus_pos;
		return -1;
	}
	if (pm && (!pm->has_irq || !dev_region(board, pm, SPACE_PIO,
					       "pm1-evt"))) {
		snprintf(err, errlen, "device '%s': the FADT needs its irq "
			 "(the SCI) and io-ports", pm->name);
		*pos = &pm->pos;
		return -1;
	}
	img->base = img->range->base;
	build_rsdp(img);
	xsdt = table_begin(img, "XSDT", 1, ecam ? "XSDT: FADT, MADT, MCFG" :
			   "XSDT: FADT, MADT");
	xsdt_entries = b->len;
	acpi_note(b, "entries: the FADT's%s the MADT's%s addresses",
		  ecam ? "," : " and", ecam ? " and the MCFG's" : "");
	acpi_put(b, NULL, 8 * nr_entries);
	table_end(img, xsdt);
	if (pm)
		facs = build_facs(img);
	align(b, ACPI_ALIGN);
	if (build_madt(img, board, err, errlen) < 0) {
		acpi_image_free(img);
		return -1;
	}
	align(b, ACPI_ALIGN);
	dsdt = b->len;
	build_dsdt(img, board, pm != NULL);
	align(b, ACPI_ALIGN);
	entry[0] = build_fadt(img, board, pm, addr_of(img, dsdt),
			      pm ? addr_of(img, facs) : 0);
	entry[1] = img->madt_off;
	if (ecam) {
		align(b, ACPI_ALIGN);
		entry[2] = build_mcfg(img, ecam);
	}
	for (unsigned i = 0; i < nr_entries; i++) {
		uint64_t a = addr_of(img, entry[i]);

		memcpy(b->buf + xsdt_entries + 8 * i, &a, 8);
	}
	acpi_fix_checksum(b->buf + xsdt, img->tables[1].len,
			  &((struct acpi_header *)(b->buf + xsdt))->checksum);
	rsdp_finish(img, addr_of(img, xsdt));
	if (b->len > img->range->size) {
		snprintf(err, errlen, "the ACPI tables (%zu bytes) do not fit "
			 "reserved range '%s' (%" PRIu64 " bytes)", b->len,
			 img->range->name, img->range->size);
		*pos = &img->range->pos;
		acpi_image_free(img);
		return -1;
	}
	return 0;
}

void acpi_image_free(struct acpi_image *img)
{
	acpi_bytes_free(&img->b);
}
