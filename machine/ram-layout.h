/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM laid into a board's RAM regions, and the e820 map that follows.
 * Shared by boardc (boardc map --mem) and the VMM (memslots, boot_params),
 * so both always agree. Pure functions: no KVM, no allocation.
 */
#ifndef BOARDVM_RAM_LAYOUT_H
#define BOARDVM_RAM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ram_span {
	uint64_t base;
	uint64_t size;
	unsigned index;			/* which input region it came from */
};

/*
 * Why ram_layout_fill() refused `mem`.
 */
enum ram_fill_fault_kind {
	RAM_FILL_OK,
	RAM_FILL_TOO_LARGE,	/* more than the regions (and gaps) hold */
	RAM_FILL_IN_RESERVED,	/* ends inside reserved ranges it counts */
	RAM_FILL_TOO_MANY,	/* needs more than `max` spans */
};

struct ram_fill_fault {
	enum ram_fill_fault_kind kind;
	uint64_t capacity;	/* TOO_LARGE: the largest `mem` that fits */
	uint64_t gap_base;	/* IN_RESERVED: the reserved addresses */
	uint64_t gap_end;	/* (exclusive) it ends inside */
	uint64_t below;		/* IN_RESERVED: the nearest sizes that fit, */
	uint64_t above;		/* ending where the gap starts and ends */
	unsigned prev;		/* IN_RESERVED: the regions before and */
	unsigned next;		/* after the gap (indices into regions) */
};

/*
 * Fill `mem` bytes into `regions` (in order), counted as kvmtool, QEMU and
 * Broiler count -m: guest-physical RAM including the legacy reserved
 * ranges that sit inside it. A gap between two consecutive regions that
 * `reserved` covers completely (pc's ebda, vga, option-roms and bios-rom
 * between base-ram and low-ram) counts toward `mem` although it holds no
 * RAM; any other gap (the PCI hole, an unclaimed hole) does not. So on pc,
 * 4G is [0, 3 GiB) with the legacy ranges, then 1 GiB from 4 GiB.
 * The ranges must not overlap each other (boardc's ram_overlap).
 *
 * Writes at most `max` spans (RAM only, the reserved ranges are not
 * among them) to `out`; returns the number written, or -1 with `fault`
 * (may be NULL) saying why: `mem` does not fit, ends inside a counted
 * gap, or needs more than `max` spans.
 */
int ram_layout_fill(const struct ram_span *regions, unsigned nr_regions,
		    const struct ram_span *reserved, unsigned nr_reserved,
		    uint64_t mem, struct ram_span *out, unsigned max,
		    struct ram_fill_fault *fault);

/*
 * `fault` as the rest of a sentence that starts "--mem SIZE" (boardc map
 * and boardvm say it alike): what is wrong and the sizes that would fit.
 * `prev` and `next` name the regions fault->prev and fault->next.
 */
void ram_fill_fault_explain(const struct ram_fill_fault *fault,
			    const char *prev, const char *next,
			    char *buf, size_t len);

/* A size as a board writes it: "636K", "3G", else hex ("0x9f800"). */
void ram_size_str(uint64_t size, char *buf, size_t len);

enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,			/* ACPI data: Linux's "ACPI Tables" */
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

/*
 * The part of [base, base + size) inside `e` as [*first, *last]; false
 * when they do not meet. The maps nest a board's reserved range in each
 * e820 entry it reaches (the ACPI pages cut pc's bios-rom in two).
 */
bool e820_entry_clip(const struct e820_entry *e, uint64_t base,
		     uint64_t size, uint64_t *first, uint64_t *last);

/*
 * The pages holding the ACPI tables at [addr, addr + size) retyped
 * E820_ACPI in the map ram_layout_e820() wrote (`n` entries, room for
 * `max`): only where the map has them reserved, so RAM stays RAM and the
 * reserved ranges still count toward --mem as ram_layout_fill() counts
 * them (the tables live in a backed reserved range). A reserved entry
 * the pages cut is split around them. Returns the new count, or -1 when
 * more than `max` entries would be needed.
 */
int ram_layout_e820_acpi(struct e820_entry *map, int n, unsigned max,
			 uint64_t addr, uint64_t size);

#endif
