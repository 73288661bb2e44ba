// SPDX-License-Identifier: MIT
/*
 * Guest RAM laid into a board's RAM regions, and the e820 map that follows
 * from it. Shared by boardc (`boardc map --mem`) and the VMM (memslots,
 * boot_params), so the map a user reads is the map the guest gets.
 * Pure: no allocation, no I/O.
 */
#include <string.h>

#include "ram-layout.h"

int ram_layout_fill(const struct ram_span *regions, unsigned nr_regions,
		    uint64_t mem, struct ram_span *out, unsigned max)
{
	uint64_t left = mem;
	unsigned n = 0;

	for (unsigned i = 0; i < nr_regions && left; i++) {
		uint64_t take = regions[i].size < left ? regions[i].size : left;

		if (!take)
			continue;
		if (n == max)
			return -1;
		out[n].base = regions[i].base;
		out[n].size = take;
		out[n].index = i;
		n++;
		left -= take;
	}
	return left ? -1 : (int)n;
}

static uint64_t e820_end(const struct e820_entry *e)
{
	return e->addr + e->size;
}

/* Merge out[i] with out[i + 1] when they touch and have one type. */
static int e820_merge_next(struct e820_entry *out, int n, int i)
{
	if (i < 0 || i + 1 >= n || out[i].type != out[i + 1].type ||
	    e820_end(&out[i]) != out[i + 1].addr)
		return n;
	out[i].size += out[i + 1].size;
	memmove(&out[i + 1], &out[i + 2], (n - i - 2) * sizeof(*out));
	return n - 1;
}

/*
 * Insert one range into the sorted table, merging with its neighbours.
 * Returns the new count, or -1 when the table is full.
 */
static int e820_insert(struct e820_entry *out, int n, unsigned max,
		       uint64_t addr, uint64_t size, uint32_t type)
{
	int pos = n;

	if (!size)
		return n;
	while (pos > 0 && (out[pos - 1].addr > addr ||
			   (out[pos - 1].addr == addr &&
			    out[pos - 1].type > type)))
		pos--;
	if ((unsigned)n == max) {
		/* Full: only a merge with a neighbour can take it. */
		if (pos > 0 && out[pos - 1].type == type &&
		    e820_end(&out[pos - 1]) == addr) {
			out[pos - 1].size += size;
			return e820_merge_next(out, n, pos - 1);
		}
		if (pos < n && out[pos].type == type &&
		    addr + size == out[pos].addr) {
			out[pos].addr = addr;
			out[pos].size += size;
			return n;
		}
		return -1;
	}
	memmove(&out[pos + 1], &out[pos], (n - pos) * sizeof(*out));
	out[pos].addr = addr;
	out[pos].size = size;
	out[pos].type = type;
	n++;
	n = e820_merge_next(out, n, pos);
	return e820_merge_next(out, n, pos - 1);
}

int ram_layout_e820(const struct ram_span *ram, unsigned nr_ram,
		    const struct ram_span *reserved, unsigned nr_reserved,
		    struct e820_entry *out, unsigned max)
{
	int n = 0;

	for (unsigned i = 0; i < nr_ram && n >= 0; i++)
		n = e820_insert(out, n, max, ram[i].base, ram[i].size,
				E820_RAM);
	for (unsigned i = 0; i < nr_reserved && n >= 0; i++)
		n = e820_insert(out, n, max, reserved[i].base,
				reserved[i].size, E820_RESERVED);
	return n;
}
