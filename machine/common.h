/* SPDX-License-Identifier: MIT */
/*
 * Helpers every layer uses, defined once: the element count of an array
 * and the page size the dispatch maps, the RAM layout and the loaders
 * share (x86 4 KiB pages).
 */
#ifndef BOARDVM_COMMON_H
#define BOARDVM_COMMON_H

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define MACHINE_PAGE_SHIFT	12
#define MACHINE_PAGE_SIZE	(1ull << MACHINE_PAGE_SHIFT)
#define MACHINE_PAGE_MASK	(MACHINE_PAGE_SIZE - 1)

#endif
