// SPDX-License-Identifier: MIT
/*
 * Unit test of machine/ram-layout.c: RAM filled into a board's regions across
 * the PCI hole, the reserved ranges between regions counted toward --mem
 * (kvmtool's and QEMU's convention), sizes that do not fit or end inside
 * those ranges, and e820 sorting and merging.
 * Prints one PASS/FAIL line per test (tests/run.sh format).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "ram-layout.h"

#define K		1024ull
#define M		(1024 * K)
#define G		(1024 * M)

/* boards/pc.yaml: base-ram, low-ram up to 3 GiB, high-ram from 4 GiB. */
static const struct ram_span pc_ram[] = {
	{ .base = 0x0, .size = 0x9fc00 },
	{ .base = 0x100000, .size = 0xbff00000 },
	{ .base = 0x100000000, .size = 1024 * G },
};

static int failures;

static void result(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("PASS /boardc/ram-layout/%s\n", name);
	} else {
		printf("FAIL /boardc/ram-layout/%s: %s\n", name, why);
		failures++;
	}
}

static int span_is(const struct ram_span *s, uint64_t base, uint64_t size,
		   unsigned index)
{
	if (s->base == base && s->size == size && s->index == index)
		return 1;
	fprintf(stderr, "  got span 0x%" PRIx64 "+0x%" PRIx64 " (region %u),"
		" want 0x%" PRIx64 "+0x%" PRIx64 " (region %u)\n",
		s->base, s->size, s->index, base, size, index);
	return 0;
}

static int entry_is(const struct e820_entry *e, uint64_t addr,
		    uint64_t size, uint32_t type)
{
	if (e->addr == addr && e->size == size && e->type == type)
		return 1;
	fprintf(stderr, "  got e820 0x%" PRIx64 "+0x%" PRIx64 " type %u,"
		" want 0x%" PRIx64 "+0x%" PRIx64 " type %u\n",
		e->addr, e->size, e->type, addr, size, type);
	return 0;
}

/* The legacy ranges between base-ram and low-ram, out of order. */
static const struct ram_span pc_reserved[] = {
	{ .base = 0xe0000, .size = 0x20000 },
	{ .base = 0x9fc00, .size = 0x400 },
	{ .base = 0xa0000, .size = 0x20000 },
	{ .base = 0xc0000, .size = 0x20000 },
};

static int pc_fill(uint64_t mem, struct ram_span *out, unsigned max,
		   struct ram_fill_fault *fault)
{
	return ram_layout_fill(pc_ram, ARRAY_SIZE(pc_ram), pc_reserved,
			       ARRAY_SIZE(pc_reserved), mem, out, max, fault);
}

static void test_fill_across_hole(void)
{
	struct ram_span out[4];
	int n = pc_fill(3 * G + G / 2, out, ARRAY_SIZE(out), NULL);

	/* [0, 3 GiB) counts whole, the reserved ranges below 1 MiB too. */
	result("fill-across-hole", n == 3 &&
	       span_is(&out[0], 0, 0x9fc00, 0) &&
	       span_is(&out[1], 0x100000, 0xbff00000, 1) &&
	       span_is(&out[2], 0x100000000, G / 2, 2),
	       "3.5G must fill base-ram, low-ram, then 512M from 4 GiB");
}

static void test_fill_4g(void)
{
	struct ram_span out[4];
	int n = pc_fill(4 * G, out, ARRAY_SIZE(out), NULL);

	/* kvmtool's, QEMU's and Broiler's -m 4G: 100000000-13fffffff. */
	result("fill-4G", n == 3 &&
	       span_is(&out[1], 0x100000, 0xbff00000, 1) &&
	       span_is(&out[2], 0x100000000, G, 2),
	       "4G must end high-ram at 0x13fffffff, as kvmtool and QEMU do");
}

static void test_fill_small(void)
{
	struct ram_span out[4];
	int n = pc_fill(512 * M, out, ARRAY_SIZE(out), NULL);

	result("fill-small", n == 2 &&
	       span_is(&out[0], 0, 0x9fc00, 0) &&
	       span_is(&out[1], 0x100000, 511 * M, 1),
	       "512M must fill base-ram then low-ram up to 512 MiB");
}

static void test_fill_exact(void)
{
	struct ram_span out[4];
	int n = ram_layout_fill(pc_ram, 2, pc_reserved,
				ARRAY_SIZE(pc_reserved), 3 * G, out,
				ARRAY_SIZE(out), NULL);

	result("fill-exact", n == 2 && span_is(&out[1], 0x100000,
						0xbff00000, 1),
	       "3G, the regions and the reserved ranges between, must fit");
}

static void test_fill_too_large(void)
{
	struct ram_span out[4];
	struct ram_fill_fault f;
	int n = ram_layout_fill(pc_ram, 2, pc_reserved,
				ARRAY_SIZE(pc_reserved), 3 * G + 4 * K, out,
				ARRAY_SIZE(out), &f);

	result("fill-too-large", n == -1 && f.kind == RAM_FILL_TOO_LARGE &&
	       f.capacity == 3 * G,
	       "3G + 4K is more than [0, 3 GiB): want -1, capacity 3G");
}

static void test_fill_max_spans(void)
{
	struct ram_span out[1];
	struct ram_fill_fault f;

	result("fill-max-spans",
	       pc_fill(1 * G, out, 1, &f) == -1 &&
	       f.kind == RAM_FILL_TOO_MANY,
	       "1G needs two spans; with room for one: want -1");
}

static void test_fill_in_reserved(void)
{
	struct ram_span out[4];
	struct ram_fill_fault f;
	int n = pc_fill(640 * K, out, ARRAY_SIZE(out), &f);

	result("fill-in-reserved", n == -1 &&
	       f.kind == RAM_FILL_IN_RESERVED && f.gap_base == 0x9fc00 &&
	       f.gap_end == 0x100000 && f.below == 0x9fc00 &&
	       f.above == 0x100000 && f.prev == 0 && f.next == 1,
	       "640K ends inside 0x9fc00-0xfffff: want the sizes around it");
}

static void test_fill_gap_edges(void)
{
	struct ram_span a[4], b[4], c[4];
	int na = pc_fill(0x9fc00, a, 4, NULL);
	int nb = pc_fill(1 * M, b, 4, NULL);
	int nc = pc_fill(1 * M + 4 * K, c, 4, NULL);

	result("fill-gap-edges", na == 1 && span_is(&a[0], 0, 0x9fc00, 0) &&
	       nb == 1 && span_is(&b[0], 0, 0x9fc00, 0) &&
	       nc == 2 && span_is(&c[1], 0x100000, 4 * K, 1),
	       "a size ending where the reserved ranges start or end fits");
}

static void test_fill_below_reserved(void)
{
	struct ram_span out[4];
	int n = pc_fill(512 * K, out, 4, NULL);

	result("fill-below-reserved", n == 1 &&
	       span_is(&out[0], 0, 512 * K, 0),
	       "less than base-ram fills part of it, reserved ranges aside");
}

static void test_fill_partial_gap(void)
{
	/* Without option-roms 0xc0000-0xdffff is a hole: nothing counts. */
	static const struct ram_span holey[] = {
		{ .base = 0x9fc00, .size = 0x400 },
		{ .base = 0xa0000, .size = 0x20000 },
		{ .base = 0xe0000, .size = 0x20000 },
	};
	struct ram_span out[4];
	int n = ram_layout_fill(pc_ram, 3, holey, ARRAY_SIZE(holey),
				512 * M, out, 4, NULL);

	result("fill-partial-gap", n == 2 &&
	       span_is(&out[1], 0x100000, 512 * M - 0x9fc00, 1),
	       "a gap the reserved ranges do not cover is a hole: no count");
}

static void test_fill_several_gaps(void)
{
	/* Three regions, each gap one reserved range: both count. */
	static const struct ram_span regions[] = {
		{ .base = 0x0, .size = 0x1000 },
		{ .base = 0x2000, .size = 0x1000 },
		{ .base = 0x5000, .size = 0x10000 },
	};
	static const struct ram_span reserved[] = {
		{ .base = 0x3000, .size = 0x2000 },
		{ .base = 0x1000, .size = 0x1000 },
	};
	struct ram_span out[4];
	struct ram_fill_fault f;
	int n = ram_layout_fill(regions, 3, reserved, 2, 0x6000, out, 4,
				NULL);
	int bad = ram_layout_fill(regions, 3, reserved, 2, 0x4000, out, 4,
				  &f);

	result("fill-several-gaps", n == 3 &&
	       span_is(&out[2], 0x5000, 0x1000, 2) && bad == -1 &&
	       f.kind == RAM_FILL_IN_RESERVED && f.prev == 1 &&
	       f.next == 2 && f.below == 0x3000 && f.above == 0x5000,
	       "0x6000 ends 0x1000 into the third region; 0x4000 inside the"
	       " second gap");
}

static void test_fill_no_reserved(void)
{
	struct ram_span out[4];
	int n = ram_layout_fill(pc_ram, 3, NULL, 0, 512 * M, out, 4, NULL);

	result("fill-no-reserved", n == 2 &&
	       span_is(&out[1], 0x100000, 512 * M - 0x9fc00, 1),
	       "without reserved ranges every gap is a hole");
}

static void test_explain(void)
{
	struct ram_span out[4];
	struct ram_fill_fault f;
	char buf[320];
	int ok;

	pc_fill(640 * K, out, 4, &f);
	ram_fill_fault_explain(&f, "base-ram", "low-ram", buf, sizeof(buf));
	ok = !strcmp(buf, "ends inside 0x9fc00-0xfffff, the reserved ranges "
		     "between RAM regions base-ram and low-ram, which count "
		     "toward guest RAM (as kvmtool's and QEMU's -m counts "
		     "them): give at most 639K or at least 1M");
	if (!ok)
		fprintf(stderr, "  got '%s'\n", buf);
	result("explain-in-reserved", ok, "the message names both sizes");
}

static void test_e820_merge(void)
{
	struct ram_span ram[3];
	/*
	 * ebda and vga touch, bios-rom stands alone; 0xc0000-0xdffff is a
	 * hole, so the gap does not count toward 4G.
	 */
	static const struct ram_span reserved[] = {
		{ .base = 0xe0000, .size = 0x20000 },
		{ .base = 0x9fc00, .size = 0x400 },
		{ .base = 0xa0000, .size = 0x20000 },
	};
	struct e820_entry e[8];
	int nr = ram_layout_fill(pc_ram, 3, reserved, ARRAY_SIZE(reserved),
				 4 * G, ram, 3, NULL);
	int n = ram_layout_e820(ram, nr, reserved, ARRAY_SIZE(reserved),
				e, ARRAY_SIZE(e));

	result("e820-merge", nr == 3 && n == 5 &&
	       entry_is(&e[0], 0, 0x9fc00, E820_RAM) &&
	       entry_is(&e[1], 0x9fc00, 0x20400, E820_RESERVED) &&
	       entry_is(&e[2], 0xe0000, 0x20000, E820_RESERVED) &&
	       entry_is(&e[3], 0x100000, 0xbff00000, E820_RAM) &&
	       entry_is(&e[4], 0x100000000, 4 * G - 0x9fc00 - 0xbff00000,
			E820_RAM),
	       "want RAM, ebda+vga merged, bios-rom, RAM, RAM; sorted");
}

static void test_e820_merge_ram(void)
{
	/* Two RAM regions that touch become one usable entry. */
	static const struct ram_span regions[] = {
		{ .base = 0x100000, .size = 0x100000 },
		{ .base = 0x0, .size = 0x100000 },
	};
	struct ram_span ram[2];
	struct e820_entry e[2];
	int nr = ram_layout_fill(regions, 2, NULL, 0, 0x200000, ram, 2, NULL);
	int n = ram_layout_e820(ram, nr, NULL, 0, e, 1);

	result("e820-merge-ram", n == 1 && entry_is(&e[0], 0, 0x200000,
						    E820_RAM),
	       "touching RAM spans must merge, even into a full table");
}

static void test_e820_full(void)
{
	static const struct ram_span reserved[] = {
		{ .base = 0x1000, .size = 0x1000 },
		{ .base = 0x4000, .size = 0x1000 },
	};
	struct ram_span ram[] = { { .base = 0, .size = 0x1000 } };
	struct e820_entry e[2];

	result("e820-full",
	       ram_layout_e820(ram, 1, reserved, 2, e, 2) == -1,
	       "three entries into room for two: want -1");
}

/* pc at 4G: its e820 map, the ACPI tables (0x474 bytes) at `acpi`. */
static int pc_e820_acpi(uint64_t acpi, uint64_t size, struct e820_entry *e,
			unsigned max, int *nr_ram)
{
	struct ram_span ram[3];
	int n;

	*nr_ram = pc_fill(4 * G, ram, 3, NULL);
	n = ram_layout_e820(ram, *nr_ram, pc_reserved,
			    ARRAY_SIZE(pc_reserved), e, max);
	return ram_layout_e820_acpi(e, n, max, acpi, size);
}

static void test_e820_acpi(void)
{
	struct e820_entry e[8];
	int nr_ram, n = pc_e820_acpi(0xe0000, 0x474, e, ARRAY_SIZE(e),
				     &nr_ram);

	/* --mem still counts the legacy ranges: 4G ends at 5 GiB - 3 GiB. */
	result("e820-acpi", nr_ram == 3 && n == 6 &&
	       entry_is(&e[0], 0, 0x9fc00, E820_RAM) &&
	       entry_is(&e[1], 0x9fc00, 0x40400, E820_RESERVED) &&
	       entry_is(&e[2], 0xe0000, 0x1000, E820_ACPI) &&
	       entry_is(&e[3], 0xe1000, 0x1f000, E820_RESERVED) &&
	       entry_is(&e[4], 0x100000, 0xbff00000, E820_RAM) &&
	       entry_is(&e[5], 0x100000000, G, E820_RAM),
	       "want the tables' page as ACPI data inside the reserved run,"
	       " the RAM as without it");
}

static void test_e820_acpi_pages(void)
{
	struct e820_entry e[8];
	int nr_ram, n = pc_e820_acpi(0xfff00, 0x200, e, ARRAY_SIZE(e),
				     &nr_ram);

	/* Unaligned, across a page, at the reserved run's end. */
	result("e820-acpi-pages", n == 5 &&
	       entry_is(&e[1], 0x9fc00, 0x5f400, E820_RESERVED) &&
	       entry_is(&e[2], 0xff000, 0x1000, E820_ACPI) &&
	       entry_is(&e[3], 0x100000, 0xbff00000, E820_RAM),
	       "want the pages the tables touch, clipped to reserved");
}

static void test_e820_acpi_ram_stays(void)
{
	struct e820_entry e[8];
	int nr_ram, n = pc_e820_acpi(0x9f000, 0x1000, e, ARRAY_SIZE(e),
				     &nr_ram);

	/* 0x9f000-0x9fbff is RAM: only the reserved part turns ACPI. */
	result("e820-acpi-ram-stays", n == 5 &&
	       entry_is(&e[0], 0, 0x9fc00, E820_RAM) &&
	       entry_is(&e[1], 0x9fc00, 0x400, E820_ACPI) &&
	       entry_is(&e[2], 0xa0000, 0x60000, E820_RESERVED),
	       "want RAM untouched, the reserved part of the page ACPI");
}

static void test_e820_acpi_full(void)
{
	struct e820_entry e[5];
	int nr_ram, n = pc_e820_acpi(0xe0000, 0x474, e, ARRAY_SIZE(e),
				     &nr_ram);

	result("e820-acpi-full", n == -1,
	       "a split needing a sixth entry in room for five: want -1");
}

int main(void)
{
	test_fill_across_hole();
	test_fill_4g();
	test_fill_small();
	test_fill_exact();
	test_fill_too_large();
	test_fill_max_spans();
	test_fill_in_reserved();
	test_fill_gap_edges();
	test_fill_below_reserved();
	test_fill_partial_gap();
	test_fill_several_gaps();
	test_fill_no_reserved();
	test_explain();
	test_e820_merge();
	test_e820_merge_ram();
	test_e820_full();
	test_e820_acpi();
	test_e820_acpi_pages();
	test_e820_acpi_ram_stays();
	test_e820_acpi_full();
	return failures ? 1 : 0;
}
