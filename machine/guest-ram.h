/* SPDX-License-Identifier: MIT */
/*
 * Guest physical memory as the host sees it: the spans the VMM registered
 * as KVM memslots (the RAM chunks from ram_layout_fill() plus the board's
 * backed reserved ranges), each with its host mapping. The boot loaders
 * write through it; tests build one from plain buffers. No KVM here.
 */
#ifndef BOARDVM_GUEST_RAM_H
#define BOARDVM_GUEST_RAM_H

#include <stdint.h>

#define GUEST_RAM_MAX_SPANS	32

struct guest_ram_span {
	uint64_t base;			/* guest physical */
	uint64_t size;			/* bytes */
	uint8_t *host;			/* where base is mapped in the VMM */
};

struct guest_ram {
	unsigned nr;
	struct guest_ram_span spans[GUEST_RAM_MAX_SPANS];
};

/*
 * Append a span. Returns 0, or -1 when the table is full, the span is
 * empty, wraps around, or overlaps a span already there.
 */
int guest_ram_add(struct guest_ram *ram, uint64_t base, uint64_t size,
		  void *host);

/*
 * The host address of guest physical `gpa`, or NULL unless the whole
 * range [gpa, gpa + len) lies inside one span (len 0 counts as 1 byte).
 */
void *guest_ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len);

#endif
