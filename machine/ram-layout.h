/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM laid into a board's RAM regions, and the e820 map that follows.
 * Shared by boardc (boardc map --mem) and the VMM (memslots, boot_params),
 * so both always agree. Pure functions: no KVM, no allocation.
 */
#ifndef BOARDVM_RAM_LAYOUT_H
#define BOARDVM_RAM_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

struct ram_span {
	uint64_t base;
	uint64_t size;
	unsigned index;			/* which input region it came from */
};

/*
 * Fill `mem` bytes into `regions` (in order). Writes at most `max` spans
 * to `out`; returns the number written, or -1 if `mem` does not fit in the
 * regions (or needs more than `max` spans).
 */
int ram_layout_fill(const struct ram_span *regions, unsigned nr_regions,
		    uint64_t mem, struct ram_span *out, unsigned max);

enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
};

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/*
 * The e820 map for the filled RAM spans plus the reserved ranges, sorted by
 * address, adjacent entries of one type merged. Returns the number of
 * entries, or -1 if more than `max`.
 */
int ram_layout_e820(const struct ram_span *ram, unsigned nr_ram,
		    const struct ram_span *reserved, unsigned nr_reserved,
		    struct e820_entry *out, unsigned max);

#endif
