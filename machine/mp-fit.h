/* SPDX-License-Identifier: MIT */
/*
 * Where an MP table fits, one rule for boardvm, which writes it
 * (vmm/mptable.c), and for boardc's mp_table check, which warns when a
 * board leaves it no room: the 16-byte floating pointer, 16-byte aligned
 * in one of the areas Linux scans (smp_scan_config(): the first KiB, the
 * last KiB below 640 KiB, 0xf0000-0xfffff), and the configuration table
 * right after it or else at the start of the range.
 */
#ifndef BOARDVM_MP_FIT_H
#define BOARDVM_MP_FIT_H

#include <stdint.h>

#include "common.h"

#define MP_FLOATING_SIZE	16

/*
 * In [lo, hi): the floating pointer's address and the configuration
 * table's in *table, or 0 when a table of table_size bytes does not fit.
 */
static inline uint64_t mp_fit(uint64_t lo, uint64_t hi, uint64_t table_size,
			      uint64_t *table)
{
	static const struct { uint64_t lo, hi; } scan_areas[] = {
		{ 0x0, 0x400 },
		{ 639 * 0x400, 640 * 0x400 },
		{ 0xf0000, 0x100000 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(scan_areas); i++) {
		uint64_t a = lo > scan_areas[i].lo ? lo : scan_areas[i].lo;
		uint64_t end = hi < scan_areas[i].hi ? hi : scan_areas[i].hi;

		a = (a + 15) & ~15ull;
		if (a + MP_FLOATING_SIZE > end)
			continue;
		*table = a + MP_FLOATING_SIZE;
		if (*table + table_size <= hi)
			return a;
		*table = lo;
		if (lo + table_size <= a)
			return a;
	}
	return 0;
}

#endif
