// SPDX-License-Identifier: MIT
/*
 * Guest physical memory spans and their host mappings, for the boot
 * loaders. See guest-ram.h.
 */
#include <stddef.h>

#include "guest-ram.h"

static int span_overlaps(const struct guest_ram_span *s, uint64_t base,
			 uint64_t size)
{
	return base < s->base + s->size && s->base < base + size;
}

int guest_ram_add(struct guest_ram *ram, uint64_t base, uint64_t size,
		  void *host)
{
	if (ram->nr == GUEST_RAM_MAX_SPANS || !size || !host ||
	    base + size < base)
		return -1;
	for (unsigned i = 0; i < ram->nr; i++)
		if (span_overlaps(&ram->spans[i], base, size))
			return -1;
	ram->spans[ram->nr].base = base;
	ram->spans[ram->nr].size = size;
	ram->spans[ram->nr].host = host;
	ram->nr++;
	return 0;
}

void *guest_ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	if (!len)
		len = 1;
	if (gpa + len < gpa)
		return NULL;
	for (unsigned i = 0; i < ram->nr; i++) {
		const struct guest_ram_span *s = &ram->spans[i];

		if (gpa >= s->base && gpa - s->base <= s->size &&
		    len <= s->size - (gpa - s->base))
			return s->host + (gpa - s->base);
	}
	return NULL;
}
