/* SPDX-License-Identifier: MIT */
/*
 * The address maps of a laid-out board, shared by the map emitters (text,
 * JSON, SVG): /proc/iomem- and /proc/ioports-style trees and the e820 map
 * for a given guest RAM size. Internal to dtc-like/.
 */
#ifndef BOARDC_ADDRMAP_H
#define BOARDC_ADDRMAP_H

#include "boardc.h"
#include "ram-layout.h"

enum map_kind {
	MAP_RAM,		/* guest RAM (an e820 usable entry) */
	MAP_RESERVED,		/* an e820 reserved entry */
	MAP_ACPI,		/* an e820 ACPI data entry (the tables' pages) */
	MAP_RESERVED_RANGE,	/* a board reserved range (or its part) in one */
	MAP_WINDOW,		/* a board MMIO or I/O window */
	MAP_DEVICE,		/* a device block (regions that tile it) */
	MAP_REGION,		/* one register region */
};

struct map_node {
	enum map_kind kind;
	uint64_t first, last;		/* inclusive */
	char *name;			/* as printed */
	unsigned depth;			/* nesting, 0 = top level */
	const struct ir_range *range;	/* RAM region, reserved, window */
	const struct ir_device *dev;	/* device, region */
	const struct ir_region *region;	/* region */
};

struct addr_map {
	uint64_t mem;
	struct ram_chunk *ram;
	int nr_ram;
	struct e820_entry *e820;
	int nr_e820;
	struct map_node *iomem;
	unsigned nr_iomem;
	struct map_node *ioports;
	unsigned nr_ioports;
};

/* 0, or -1 after a message (RAM that does not fit, out of memory). */
int addr_map_build(struct addr_map *map, const struct board *board,
		   uint64_t mem);
void addr_map_free(struct addr_map *map);

const char *map_kind_name(enum map_kind kind);
const char *e820_type_name(uint32_t type);

#endif
