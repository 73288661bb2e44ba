/* SPDX-License-Identifier: MIT */
/*
 * Helpers every layer uses, defined once: the element count of an array,
 * a binary search, and the page size the dispatch maps, the RAM layout
 * and the loaders share (x86 4 KiB pages).
 */
#ifndef BOARDVM_COMMON_H
#define BOARDVM_COMMON_H

#include <stddef.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * A binary search over [0, n): the first index i at which `before` (an
 * expression of i, true for a prefix of the range and false after it) is
 * false, or n. E.g. the first of sorted a[] not below x:
 * LOWER_BOUND(n, i, a[i] < x).
 */
#define LOWER_BOUND(n, i, before) ({					\
	size_t lo_ = 0, hi_ = (n);					\
	while (lo_ < hi_) {						\
		size_t i = lo_ + (hi_ - lo_) / 2;			\
		if (before)						\
			lo_ = i + 1;					\
		else							\
			hi_ = i;					\
	}								\
	lo_;								\
})

#define MACHINE_PAGE_SHIFT	12
#define MACHINE_PAGE_SIZE	(1ull << MACHINE_PAGE_SHIFT)
#define MACHINE_PAGE_MASK	(MACHINE_PAGE_SIZE - 1)

#endif
