// SPDX-License-Identifier: MIT
/*
 * /dispatch/constant-time-map/<board>: every port of every PIO region maps
 * to its region and every other port to 0; for MMIO, both ends of every
 * region, the bytes just outside them and every page of every window
 * resolve, through dispatch_mmio_region(), to what a linear search of
 * board_regions says.
 */
#include "harness.h"
#include "map-test.h"

static unsigned region_search(unsigned space, uint64_t addr)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space == space && addr - r->base < r->size)
			return i;
	}
	return 0;
}

static void check_mmio(uint64_t addr)
{
	unsigned got = dispatch_mmio_region(addr) - board_regions;
	unsigned want = region_search(SPACE_MMIO, addr);

	if (got != want)
		test_fail(__FILE__, __LINE__, "address 0x%llx maps to region "
			  "%u (%s), expected %u (%s)", (unsigned long long)addr,
			  got, board_regions[got].name, want,
			  board_regions[want].name);
}

void test_constant_time_map(void)
{
	unsigned mapped = 0;

	for (unsigned port = 0; port < 65536; port++) {
		unsigned got = dispatch_port_region(port) - board_regions;
		unsigned want = region_search(SPACE_PIO, port);

		if (got != want)
			test_fail(__FILE__, __LINE__, "port 0x%x maps to region "
				  "%u, expected %u", port, got, want);
		mapped += got != 0;
	}
	CHECK(mapped > 0);
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space != SPACE_MMIO)
			continue;
		CHECK_EQ(dispatch_mmio_region(r->base) - board_regions, i);
		CHECK_EQ(dispatch_mmio_region(r->base + r->size - 1) -
			 board_regions, i);
		check_mmio(r->base - 1);
		check_mmio(r->base + r->size);
	}
	for (unsigned w = 0; w < board_info.nr_mmio_windows; w++) {
		const struct board_mmio_window *win = &board_mmio_windows[w];
		uint64_t page = MACHINE_PAGE_SIZE;

		for (uint64_t off = 0; off < win->size; off += page) {
			check_mmio(win->base + off);
			check_mmio(win->base + off + 0x7ff);
		}
		check_mmio(win->base - 1);
		check_mmio(win->base + win->size);
	}
	check_mmio(0);
	check_mmio(~0ull);
}
