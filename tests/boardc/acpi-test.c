// SPDX-License-Identifier: MIT
/*
 * The ACPI stage without KVM: boardc's tables for the boards named on the
 * command line (default: the pc board in both syntaxes and
 * tests/boardc/acpi/hw-reduced.yaml and virtio-mmio-high.yaml) read back through the spec's layouts (machine/
 * acpi-tables.h, whose offsets are asserted there): checksums, the RSDP ->
 * XSDT -> FADT -> DSDT chain, the MADT's entries against the board, the
 * run-time CPU cut, and the AML encoder's PkgLength and EisaId encodings.
 * One PASS/FAIL line per test.
 */
#define _GNU_SOURCE		/* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi-tables.h"
#include "acpi.h"

static const char *test_name;
static unsigned failures, failed_tests;

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++)
		return;
	printf("FAIL %s: ", test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void begin(const char *name)
{
	test_name = name;
	failures = 0;
}

static void end(void)
{
	if (!failures)
		printf("PASS %s\n", test_name);
	else
		failed_tests++;
}

static const struct ir_device *find_type(const struct board *b,
					 const char *type, unsigned nth)
{
	for (unsigned i = 0; i < b->nr_devices; i++)
		if (b->devices[i].type &&
		    !strcmp(b->devices[i].type->name, type) && !nth--)
			return &b->devices[i];
	return NULL;
}

/* The table at guest address addr, checked to lie inside the image. */
static const struct acpi_header *table_at(const struct acpi_image *img,
					  uint64_t addr, const char *sig)
{
	const struct acpi_header *h;

	if (addr < img->base || addr - img->base + sizeof(*h) > img->b.len) {
		fail("%s at 0x%llx is outside the image", sig,
		     (unsigned long long)addr);
		return NULL;
	}
	h = (const void *)(img->b.buf + (addr - img->base));
	if (memcmp(h->signature, sig, 4))
		fail("0x%llx holds '%.4s', expected %s",
		     (unsigned long long)addr, h->signature, sig);
	else if (addr - img->base + h->length > img->b.len)
		fail("%s's length %u runs past the image", sig, h->length);
	else if (strcmp(sig, "FACS") && acpi_sum(h, h->length))
		fail("%s's checksum is wrong (sum 0x%02x)", sig,
		     acpi_sum(h, h->length));
	return h;
}

static unsigned count_type(const struct acpi_madt *m, uint8_t type)
{
	const uint8_t *p = (const uint8_t *)m;
	unsigned n = 0;

	for (uint32_t at = sizeof(*m); at + 2 <= m->header.length;
	     at += p[at + 1]) {
		if (p[at + 1] < 2)
			return n;
		n += p[at] == type;
	}
	return n;
}

static const void *find_entry(const struct acpi_madt *m, uint8_t type,
			      unsigned nth)
{
	const uint8_t *p = (const uint8_t *)m;

	for (uint32_t at = sizeof(*m); at + 2 <= m->header.length &&
	     p[at + 1] >= 2; at += p[at + 1])
		if (p[at] == type && !nth--)
			return p + at;
	return NULL;
}

static void check_madt(const struct board *b, const struct acpi_madt *m)
{
	const struct ir_device *d;
	const struct acpi_madt_iso *iso;
	uint8_t copy[4096];
	uint32_t len = m->header.length, cut;

	if (count_type(m, ACPI_MADT_LAPIC) != b->cpus_max)
		fail("%u LAPIC entries, the board's cpus max is %u",
		     count_type(m, ACPI_MADT_LAPIC), b->cpus_max);
	for (unsigned i = 0; (d = find_type(b, "ioapic", i)); i++) {
		const struct acpi_madt_ioapic *io =
			find_entry(m, ACPI_MADT_IOAPIC, i);

		if (!io)
			fail("no MADT IOAPIC entry for '%s'", d->name);
		else if (io->address != d->mmio.base || io->gsi_base != 24 * i)
			fail("IOAPIC %u: address 0x%x GSI base %u, the board "
			     "says 0x%llx and %u", i, io->address,
			     io->gsi_base, (unsigned long long)d->mmio.base,
			     24 * i);
	}
	iso = find_entry(m, ACPI_MADT_ISO, 0);
	if (!iso || iso->source != 0 || iso->gsi != 2)
		fail("the first override is not ISA IRQ 0 -> GSI 2");
	if (!count_type(m, ACPI_MADT_LAPIC_NMI))
		fail("no LAPIC NMI entry");
	/* The run-time cut, as the VMM does it for --cpus. */
	memcpy(copy, m, len);
	cut = acpi_madt_set_cpus(copy, 1);
	if (cut != len - 8 * (b->cpus_max - 1) || acpi_sum(copy, cut) ||
	    count_type((void *)copy, ACPI_MADT_LAPIC) != 1 ||
	    count_type((void *)copy, ACPI_MADT_IOAPIC) !=
	    count_type(m, ACPI_MADT_IOAPIC))
		fail("cut to 1 CPU: length %u (from %u), sum 0x%02x", cut,
		     len, acpi_sum(copy, cut));
	memcpy(copy, m, len);
	if (acpi_madt_set_cpus(copy, b->cpus_max + 1) ||
	    acpi_madt_set_cpus(copy, 0) || memcmp(copy, m, len))
		fail("cpus max + 1 and 0 CPUs must be refused, table kept");
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Every virtio-mmio device with an irq has its block in the DSDT: a
 * Memory32Fixed (ReadWrite, base, size) below 4 GiB, a QWordMemory
 * (ResourceConsumer, MinFixed, MaxFixed, NonCacheable, ReadWrite) with
 * its base above (such a device was once left out without a word).
 */
static void check_virtio_mmio(const struct board *b,
			      const struct acpi_header *dsdt)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		const struct ir_device *d = &b->devices[i];
		uint64_t size;
		uint8_t want[22] = { 0 };
		size_t n;

		if (!d->type || !d->type->virtio_mmio || !d->has_irq)
			continue;
		size = device_type_span(d->type, SPACE_MMIO);
		if (d->mmio.base + size > 0x100000000ull) {
			memcpy(want, "\x8a\x2b\x00\x00\x0d\x01", 6);
			put_le(want + 14, d->mmio.base, 8);
			n = 22;
		} else {
			memcpy(want, "\x86\x09\x00\x01", 4);
			put_le(want + 4, d->mmio.base, 4);
			put_le(want + 8, size, 4);
			n = 12;
		}
		if (!memmem(dsdt, dsdt->length, want, n))
			fail("%s: no %s for its block at 0x%llx in the DSDT",
			     d->name, n == 22 ? "QWordMemory" :
			     "Memory32Fixed", (unsigned long long)d->mmio.base);
	}
}

static void check_fadt(const struct board *b, const struct acpi_image *img,
		       const struct acpi_fadt *f)
{
	const struct ir_device *pm = find_type(b, "acpi-pm", 0);
	const struct acpi_header *dsdt;

	if (f->header.length != sizeof(*f) || f->header.revision != 6)
		fail("FADT length %u revision %u", f->header.length,
		     f->header.revision);
	if (f->dsdt != f->x_dsdt)
		fail("DSDT 0x%x and X_DSDT 0x%llx differ", f->dsdt,
		     (unsigned long long)f->x_dsdt);
	dsdt = table_at(img, f->x_dsdt, "DSDT");
	if (dsdt && !memmem(dsdt, dsdt->length, "\x41\xd0\x0a\x03", 4))
		fail("no EisaId (\"PNP0A03\") in the DSDT");
	if (dsdt)
		check_virtio_mmio(b, dsdt);
	if (!!(f->flags & ACPI_FADT_HW_REDUCED) == !!pm)
		fail("flags 0x%x: hardware-reduced must be set exactly when "
		     "the board has no acpi-pm", f->flags);
	/* The fixed power button exactly with PM1 (SIGTERM presses it). */
	if (!!(f->flags & ACPI_FADT_PWR_BUTTON) == !!pm ||
	    !(f->flags & ACPI_FADT_SLP_BUTTON))
		fail("flags 0x%x: a fixed power button exactly when the board "
		     "has an acpi-pm, never a sleep button", f->flags);
	if (pm) {
		const struct acpi_header *facs =
			table_at(img, f->x_firmware_ctrl, "FACS");

		if (f->x_firmware_ctrl % 64 || (facs && facs->length != 64))
			fail("FACS at 0x%llx: 64-byte aligned, 64 bytes",
			     (unsigned long long)f->x_firmware_ctrl);
		if (f->sci_int != pm->irq || f->pm1a_evt_blk != pm->pio.base ||
		    f->pm1a_cnt_blk != pm->pio.base + 4 ||
		    f->x_pm1a_cnt_blk.address != f->pm1a_cnt_blk)
			fail("SCI %u PM1a_EVT 0x%x PM1a_CNT 0x%x, the board's "
			     "%s: irq %u at 0x%llx", f->sci_int,
			     f->pm1a_evt_blk, f->pm1a_cnt_blk, pm->name,
			     pm->irq, (unsigned long long)pm->pio.base);
	}
}

/* MCFG: one allocation, the ECAM window of pci-host's mmio:, buses 0-N. */
static void check_mcfg(const struct ir_region *ecam,
		       const struct acpi_header *h)
{
	struct acpi_mcfg_alloc e;

	if (h->length != sizeof(struct acpi_mcfg) + sizeof(e) ||
	    h->revision != ACPI_MCFG_REVISION) {
		fail("MCFG length %u revision %u, expected %zu, %u", h->length,
		     h->revision, sizeof(struct acpi_mcfg) + sizeof(e),
		     ACPI_MCFG_REVISION);
		return;
	}
	memcpy(&e, (const uint8_t *)h + sizeof(struct acpi_mcfg), sizeof(e));
	if (e.base != ecam->base || e.segment || e.bus_first ||
	    e.bus_last != ecam->size / ACPI_ECAM_BUS_SIZE - 1)
		fail("MCFG: base 0x%llx segment %u buses %u-%u, expected "
		     "0x%llx, 0, 0-%llu", (unsigned long long)e.base,
		     e.segment, e.bus_first, e.bus_last,
		     (unsigned long long)ecam->base,
		     (unsigned long long)(ecam->size / ACPI_ECAM_BUS_SIZE - 1));
}

static void check_board(const char *file)
{
	static char name[256];
	const struct acpi_rsdp *rsdp;
	const struct acpi_header *xsdt;
	const struct acpi_header *fadt = NULL, *madt = NULL, *mcfg = NULL;
	const struct ir_region *ecam;
	unsigned nr;
	const struct srcpos *pos;
	struct acpi_image img;
	struct board *b;
	char err[256];

	snprintf(name, sizeof(name), "/boardc/acpi/%s", file);
	begin(name);
	b = strstr(file, ".dts") ? board_from_dts(file) : board_from_yaml(file);
	if (!b || board_check(b) || board_layout(b) || board_check_layout(b)) {
		fail("the board does not compile");
		goto out;
	}
	if (board_acpi_build(b, &img, err, sizeof(err), &pos) < 0) {
		fail("%s", err);
		goto out;
	}
	rsdp = (const void *)img.b.buf;
	if (memcmp(rsdp->signature, ACPI_RSDP_SIGNATURE, 8) ||
	    acpi_sum(rsdp, 20) || acpi_sum(rsdp, 36) || rsdp->revision != 2 ||
	    rsdp->length != 36 || img.base % 16 || img.base < 0xe0000 ||
	    img.base + img.b.len > 0x100000)
		fail("RSDP at 0x%llx: signature, checksums, revision 2, "
		     "16-byte aligned in 0xe0000-0xfffff",
		     (unsigned long long)img.base);
	xsdt = table_at(&img, rsdp->xsdt_address, "XSDT");
	ecam = board_ecam(b);
	nr = ecam ? 3 : 2;		/* FADT, MADT, with ECAM the MCFG */
	if (xsdt && xsdt->length == 36 + 8 * nr) {
		uint64_t e[3];

		/* The entries sit at offset 36: 4-byte aligned only. */
		memcpy(e, xsdt + 1, 8 * nr);
		fadt = table_at(&img, e[0], "FACP");
		madt = table_at(&img, e[1], "APIC");
		if (ecam)
			mcfg = table_at(&img, e[2], "MCFG");
	} else if (xsdt) {
		fail("XSDT length %u, expected %u entries", xsdt->length, nr);
	}
	if (mcfg)
		check_mcfg(ecam, mcfg);
	if (fadt)
		check_fadt(b, &img, (const void *)fadt);
	if (madt)
		check_madt(b, (const void *)madt);
	if (img.b.len > img.range->size)
		fail("%zu bytes in a %llu-byte range", img.b.len,
		     (unsigned long long)img.range->size);
	acpi_image_free(&img);
out:
	board_free(b);
	end();
}

/* PkgLength: 1 byte to 63, then the lead byte's count of bytes after it. */
static void check_pkg_length(size_t content, const uint8_t *want,
			     unsigned n)
{
	struct acpi_bytes a = { 0 };
	size_t start = aml_pkg_begin(&a);

	acpi_put(&a, NULL, content);
	aml_pkg_end(&a, start);
	if (a.len != content + n || memcmp(a.buf, want, n))
		fail("content %zu: %zu bytes, PkgLength %02x %02x %02x",
		     content, a.len, a.buf[0], n > 1 ? a.buf[1] : 0,
		     n > 2 ? a.buf[2] : 0);
	acpi_bytes_free(&a);
}

/* ToUUID: Buffer (16), the first three fields little-endian. */
static void check_uuid(void)
{
	static const uint8_t want[] = {
		0x11, 0x13, 0x0a, 0x10,		/* Buffer, PkgLength, 16 */
		0x5b, 0x4d, 0xdb, 0x33, 0xf7, 0x1f, 0x1c, 0x40,
		0x96, 0x57, 0x74, 0x41, 0xc0, 0x3d, 0xd7, 0x66,
	};
	struct acpi_bytes a = { 0 };

	aml_uuid(&a, "33db4d5b-1ff7-401c-9657-7441c03dd766");
	if (a.len != sizeof(want) || memcmp(a.buf, want, sizeof(want)))
		fail("ToUUID of the PCI host bridge UUID: %zu bytes, %02x %02x"
		     " %02x %02x %02x ...", a.len, a.buf[0], a.buf[1],
		     a.buf[2], a.buf[3], a.buf[4]);
	acpi_bytes_free(&a);
}

static void check_aml(void)
{
	begin("/boardc/acpi/aml-encoding");
	check_pkg_length(62, (const uint8_t[]){ 63 }, 1);
	/* 63 + 2 = 65 = 0x41: lead 0x40 | 1, then 0x04. */
	check_pkg_length(63, (const uint8_t[]){ 0x41, 0x04 }, 2);
	/* 5000 + 3 = 0x138b: lead 0x80 | 0xb, 0x38, 0x01. */
	check_pkg_length(5000, (const uint8_t[]){ 0x8b, 0x38, 0x01 }, 3);
	if (aml_eisa_id("PNP0A03") != 0x030ad041 ||
	    aml_eisa_id("PNP0501") != 0x0105d041)
		fail("EisaId PNP0A03 0x%08x, PNP0501 0x%08x",
		     aml_eisa_id("PNP0A03"), aml_eisa_id("PNP0501"));
	check_uuid();
	end();
}

/* Run from the repository root, as make test does. */
static const char *const default_boards[] = {
	"boards/pc.yaml", "boards/pc.dts", "tests/boardc/acpi/hw-reduced.yaml",
	"tests/boardc/acpi/virtio-mmio-high.yaml",
};

int main(int argc, char **argv)
{
	check_aml();
	for (int i = 1; i < argc; i++)
		check_board(argv[i]);
	for (unsigned i = 0; argc == 1 && i < ARRAY_SIZE(default_boards); i++)
		check_board(default_boards[i]);
	return failed_tests ? 1 : 0;
}
