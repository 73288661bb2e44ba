// SPDX-License-Identifier: MIT
/*
 * Checks one board's generated tables (built with -I<its generated dir>)
 * against the region list itself: every port and every interesting MMIO
 * address must resolve, through the same constant-time lookup the VMM uses
 * (vmm/dispatch.h), to the region a linear search finds, or to 0. Also
 * checks the sub-page maps stay in bounds, the async entries describe
 * their regions, and the region positions written out at start. Prints one PASS/FAIL line named by argv[1].
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board.h"

static const char *test_name;
static unsigned failures;
/* A variable, not the macro: it may be 0 (-Wtype-limits). */
static uint64_t subpage_map_size = BOARD_SUBPAGE_MAP_SIZE;

/* Reports the first failure only: one line per test. */
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

/*
 * The truth: a search of board_regions, which must be sorted by space,
 * then address, and never overlap (checked by check_sorted()).
 */
static unsigned region_search(unsigned space, uint64_t addr)
{
	unsigned lo = 1, hi = board_info.nr_regions;

	/* The last region whose (space, base) is <= (space, addr). */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct board_region *r = &board_regions[mid];

		if (r->space < space || (r->space == space && r->base <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 1) {
		const struct board_region *r = &board_regions[lo - 1];

		if (r->space == space && addr - r->base < r->size)
			return lo - 1;
	}
	return 0;
}

static void check_sorted(void)
{
	for (unsigned i = 2; i < board_info.nr_regions; i++) {
		const struct board_region *a = &board_regions[i - 1];
		const struct board_region *b = &board_regions[i];

		if (a->space > b->space ||
		    (a->space == b->space && a->base + a->size > b->base))
			fail("regions %u and %u are out of order or overlap",
			     i - 1, i);
	}
}

/* What the VMM does: window, page, sub-page, bounds check. */
static unsigned mmio_lookup(uint64_t addr)
{
	for (unsigned w = 0; w < board_info.nr_mmio_windows; w++) {
		const struct board_mmio_window *win = &board_mmio_windows[w];
		const struct board_region *r;
		BOARD_INDEX_TYPE e;

		if (addr < win->base || addr - win->base >= win->size)
			continue;
		e = win->pages[(addr - win->base) >> MACHINE_PAGE_SHIFT];
		if (e & BOARD_SUBPAGE) {
			const struct board_subpage *sp =
				&board_subpages[e & ~BOARD_SUBPAGE];
			uint64_t i = sp->first + ((addr & 0xfff) >> sp->shift);

			if (i >= subpage_map_size) {
				fail("sub-page map index %" PRIu64 " out of "
				     "bounds at 0x%" PRIx64, i, addr);
				return 0;
			}
			e = board_subpage_map[i];
		}
		r = &board_regions[e];
		return addr >= r->base && addr - r->base < r->size ? e : 0;
	}
	return 0;
}

static void check_mmio(uint64_t addr)
{
	unsigned want = region_search(SPACE_MMIO, addr);
	unsigned got = mmio_lookup(addr);

	if (got != want)
		fail("address 0x%" PRIx64 ": lookup gives region %u, the "
		     "region list says %u", addr, got, want);
}

static void check_ports(void)
{
	for (unsigned p = 0; p < 65536; p++)
		if (board_port_map[p] != region_search(SPACE_PIO, p))
			fail("port 0x%x: map gives %u, the region list "
			     "says %u", p, (unsigned)board_port_map[p],
			     region_search(SPACE_PIO, p));
}

static void check_regions_mmio(void)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space != SPACE_MMIO)
			continue;
		check_mmio(r->base - 1);
		check_mmio(r->base);
		check_mmio(r->base + r->size - 1);
		check_mmio(r->base + r->size);
		if (!mmio_lookup(r->base))
			fail("region %u at 0x%" PRIx64 " is in no window",
			     i, r->base);
	}
	for (unsigned w = 0; w < board_info.nr_mmio_windows; w++) {
		const struct board_mmio_window *win = &board_mmio_windows[w];

		check_mmio(win->base);
		check_mmio(win->base + win->size - 1);
		if (w && win->base < board_mmio_windows[w - 1].base +
				     board_mmio_windows[w - 1].size)
			fail("window %u at 0x%" PRIx64 " overlaps the one "
			     "before", w, win->base);
		/* Every byte of every shared page. */
		for (uint64_t pg = 0; pg < win->size >> 12; pg++)
			if (win->pages[pg] & BOARD_SUBPAGE)
				for (uint64_t b = 0; b < 4096; b++)
					check_mmio(win->base + (pg << 12) + b);
	}
}

static void check_async(void)
{
	for (unsigned i = 0; i < board_info.nr_async; i++) {
		const struct board_async *a = &board_async[i];
		const struct board_region *r = &board_regions[a->region];

		if (!a->region || a->region >= board_info.nr_regions ||
		    a->binding != r->binding || a->space != r->space ||
		    a->addr < r->base ||
		    a->addr + a->size > r->base + r->size ||
		    (a->binding == BINDING_ASYNC &&
		     (a->len != a->size ||
		      a->addr != r->base + (uint64_t)a->slot * a->len)))
			fail("async entry %u (region %u, addr 0x%" PRIx64
			     ") does not match its region", i,
			     (unsigned)a->region, a->addr);
	}
}

/* The end of string s if it lies in board_region_text, else `end`. */
static const char *text_end(const char *s, const char *end)
{
	const char *text = board_region_text;

	if (s >= text && s < text + BOARD_REGION_TEXT_SIZE &&
	    s + strlen(s) + 1 > end)
		return s + strlen(s) + 1;
	return end;
}

/*
 * Each device's and region's position as board.c gives it
 * ("source:line:col", or the entry's own text), written at start into
 * board_region_text with the region names: boardc must have sized it for
 * exactly these strings.
 */
static void check_region_text(void)
{
	const char *end = board_region_text;
	char want[4096];
	unsigned i = 1;

	for (unsigned d = 0; d < BOARD_NR_DEVICES; d++) {
		const struct board_device *dev = &board_devices[d];

		if (!dev->name)
			continue;
		if (!dev->srcpos) {
			fail("device %u (%s) has no position", d, dev->name);
			continue;
		}
		if (dev->line) {
			snprintf(want, sizeof(want), "%s:%u:%u",
				 board_info.source, dev->line, dev->column);
			if (strcmp(dev->srcpos, want))
				fail("device %u (%s) is at \"%s\", not \"%s\"",
				     d, dev->name, dev->srcpos, want);
		}
		end = text_end(dev->srcpos, end);
	}
	for (unsigned n = 1; n < BOARD_NR_REGION_ENTRIES; n++) {
		const struct board_region_entry *e = &board_region_list[n];

		for (unsigned j = 0; j < board_entry_regions(e); j++, i++) {
			const struct board_region *r = &board_regions[i];

			if (i >= BOARD_NR_REGIONS) {
				fail("board_region_list has regions past %d",
				     BOARD_NR_REGIONS - 1);
				return;
			}
			if (e->srcpos)
				snprintf(want, sizeof(want), "%s", e->srcpos);
			else
				snprintf(want, sizeof(want), "%s:%u:%u",
					 board_info.source, e->line, e->column);
			if (strcmp(r->srcpos, want))
				fail("region %u (%s) is at \"%s\", not \"%s\"",
				     i, r->name, r->srcpos, want);
			end = text_end(r->srcpos, text_end(r->name, end));
		}
	}
	if (i != BOARD_NR_REGIONS)
		fail("board_region_list stands for %u regions, not %d", i - 1,
		     BOARD_NR_REGIONS - 1);
	if (end != board_region_text + BOARD_REGION_TEXT_SIZE)
		fail("names and positions use %td of the %d bytes of "
		     "board_region_text", end - board_region_text,
		     BOARD_REGION_TEXT_SIZE);
}

int main(int argc, char **argv)
{
	test_name = argc > 1 ? argv[1] : "/boardc/golden/tables";
	if (board_regions[0].size || strcmp(board_regions[0].name, "unmapped"))
		fail("region 0 must be the empty \"unmapped\" sentinel");
	check_sorted();
	check_ports();
	check_regions_mmio();
	check_async();
	check_region_text();
	if (!failures)
		printf("PASS %s\n", test_name);
	return 0;
}
