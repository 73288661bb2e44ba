// SPDX-License-Identifier: MIT
/*
 * Unit test of machine/ram-layout.c: RAM filled into a board's regions across
 * the PCI hole, sizes that do not fit, and e820 sorting and merging.
 * Prints one PASS/FAIL line per test (tests/run.sh format).
 */
#include <inttypes.h>
#include <stdio.h>

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

static void test_fill_across_hole(void)
{
	struct ram_span out[4];
	int n = ram_layout_fill(pc_ram, ARRAY_SIZE(pc_ram), 3 * G + G / 2,
				out, ARRAY_SIZE(out));
	/* 3.5G = 0x9fc00 + 0xbff00000 + the rest above 4 GiB. */
	uint64_t rest = 3 * G + G / 2 - 0x9fc00 - 0xbff00000;

	result("fill-across-hole", n == 3 &&
	       span_is(&out[0], 0, 0x9fc00, 0) &&
	       span_is(&out[1], 0x100000, 0xbff00000, 1) &&
	       span_is(&out[2], 0x100000000, rest, 2),
	       "3.5G must fill base-ram, low-ram, then high-ram from 4 GiB");
}

static void test_fill_small(void)
{
	struct ram_span out[4];
	int n = ram_layout_fill(pc_ram, ARRAY_SIZE(pc_ram), 512 * M,
				out, ARRAY_SIZE(out));

	result("fill-small", n == 2 &&
	       span_is(&out[0], 0, 0x9fc00, 0) &&
	       span_is(&out[1], 0x100000, 512 * M - 0x9fc00, 1),
	       "512M must fill base-ram then part of low-ram");
}

static void test_fill_exact(void)
{
	struct ram_span out[4];
	int n = ram_layout_fill(pc_ram, 2, 0x9fc00 + 0xbff00000,
				out, ARRAY_SIZE(out));

	result("fill-exact", n == 2 && span_is(&out[1], 0x100000,
						0xbff00000, 1),
	       "RAM exactly the size of the regions must fit");
}

static void test_fill_too_large(void)
{
	struct ram_span out[4];

	result("fill-too-large",
	       ram_layout_fill(pc_ram, 2, 3 * G, out, ARRAY_SIZE(out)) == -1,
	       "3G does not fit below 3 GiB minus the holes: want -1");
}

static void test_fill_max_spans(void)
{
	struct ram_span out[1];

	result("fill-max-spans",
	       ram_layout_fill(pc_ram, 3, 1 * G, out, 1) == -1,
	       "1G needs two spans; with room for one: want -1");
}

static void test_e820_merge(void)
{
	struct ram_span ram[3];
	/* boards/pc.yaml: ebda and vga touch, bios-rom stands alone. */
	static const struct ram_span reserved[] = {
		{ .base = 0xe0000, .size = 0x20000 },
		{ .base = 0x9fc00, .size = 0x400 },
		{ .base = 0xa0000, .size = 0x20000 },
	};
	struct e820_entry e[8];
	int nr = ram_layout_fill(pc_ram, 3, 4 * G, ram, 3);
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
	int nr = ram_layout_fill(regions, 2, 0x200000, ram, 2);
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

int main(void)
{
	test_fill_across_hole();
	test_fill_small();
	test_fill_exact();
	test_fill_too_large();
	test_fill_max_spans();
	test_e820_merge();
	test_e820_merge_ram();
	test_e820_full();
	return failures ? 1 : 0;
}
