/* SPDX-License-Identifier: MIT */
/*
 * The contract between boardc and the VMM: the shapes of the tables that
 * boardc emits into generated/<board>/board.c. One board per binary, so the
 * tables are plain globals at fixed addresses (board_regions, ...).
 *
 * board.c holds what a person reads: the devices, each region as (device,
 * register, binding) or a run of a device's registers, the MMIO windows,
 * the pages regions share (runs of pages in a row), RAM, reserved ranges,
 * and the doorbells the board binds itself. Everything derived from those
 * (the devices' positions as text, board_regions' addresses and names,
 * board_subpages, the port map, the MMIO page maps, the sub-page map,
 * board_async) is filled before main() by board_tables_fill()
 * (board-fill.h) with the registry's schemas, so a large board costs
 * little C and no initialized data.
 *
 * Region index 0 is the "unmapped" sentinel: every map entry that no region
 * claims is 0, so a lookup is an index and never a search.
 */
#ifndef BOARDVM_BOARD_TABLES_H
#define BOARDVM_BOARD_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "registry.h"

struct device_ops;

/* A property value, resolved (defaults filled in) by boardc. */
struct board_prop {
	const char *name;
	enum prop_kind kind;
	uint64_t number;		/* PROP_NUMBER, PROP_SIZE, PROP_BOOL */
	const char *string;		/* PROP_STRING; also the text as written */
};

/*
 * A device as the VMM sees it: board_devices[], filled at start from
 * board.c's board_device_list (board-fill.h).
 */
struct board_device {
	const char *name;
	const struct device_type *type;
	const struct device_ops *ops;
	int irq;			/* -1: not wired */
	int pci_slot;			/* PCI: bus 0 slot (1..31); -1: not PCI */
	/*
	 * "boards/pc.yaml:31:5": board.c gives a position in another file
	 * (one the text syntax included) as the text, one in the board file
	 * as its line and column, written out at start into
	 * board_region_text (a string literal per device costs the C
	 * compiler more than the numbers).
	 */
	const char *srcpos;
	uint32_t line, column;		/* in board_info.source, if srcpos NULL */
	bool has_pio;
	uint64_t pio_base;		/* block base in ports */
	bool has_mmio;
	uint64_t mmio_base;		/* block base in guest physical memory */
	uint64_t bar_size;		/* PCI: BAR0 bytes (a power of two) */
	const struct board_prop *props;
	unsigned nr_props;
};

/*
 * A device's type and the ops of its model (NULL: the kernel emulates
 * it): board.c writes one pair per type it uses.
 */
struct board_device_kind {
	const struct device_type *type;
	const struct device_ops *ops;
};

#define BOARD_DEVICE_PIO	0x1	/* board_device_entry.place */
#define BOARD_DEVICE_MMIO	0x2

/*
 * A device as board.c lists it (board_device_list, in index order): what
 * every device has first, in order, the rest by name when it is there, so
 * an entry is as many initializers as the device says (the C compiler's
 * time goes with their number: a board of 43,692 devices writes 295,000
 * in place of 655,000). Filled into board_devices at start.
 */
struct board_device_entry {
	const char *name;
	const struct board_device_kind *kind;
	uint32_t line, column;		/* in board_info.source, if srcpos NULL */
	uint8_t place;			/* BOARD_DEVICE_PIO | _MMIO */
	uint64_t pio_base, mmio_base;
	const struct board_prop *props;
	unsigned nr_props;
	bool wired, pci;		/* irq, pci_slot and bar_size hold */
	uint16_t irq;
	uint8_t pci_slot;
	uint64_t bar_size;
	const char *srcpos;		/* a position in another file */
};

/*
 * The regions as board.c lists them ([0]: the sentinel), in index order:
 * an entry stands for `count` regions, board_regions[i] .. i + count - 1.
 * One region (count 1, or 0: board.c leaves it out) has the binding it
 * says; a run (count > 1, binding BOARD_TYPE_BINDINGS) is its register and
 * the count - 1 after it in the type's schema, each with the schema's
 * default binding, all at one position (a device placed without
 * bindings: one line, not one per register). Where its address comes
 * from is a line and column in the board file (board_info.source),
 * written out as text at start: a board of 65,536 regions then has
 * 65,536 fewer string literals to compile. A position in another file
 * (one the text syntax included) is the text itself, in srcpos.
 */
#define BOARD_TYPE_BINDINGS	0xff

struct board_region_entry {
	uint32_t device;		/* index in board_devices */
	const char *reg;		/* a register of the device's type */
	uint32_t line, column;		/* in board_info.source, if srcpos NULL */
	uint8_t binding;		/* enum board_binding, BOARD_TYPE_BINDINGS */
	uint32_t count;			/* regions this entry stands for; 0: 1 */
	const char *srcpos;		/* or the whole position */
};

/* The regions entry e stands for. */
static inline unsigned board_entry_regions(const struct board_region_entry *e)
{
	return e->count ? e->count : 1;
}

struct board_region {
	const char *name;		/* "com1.regs" */
	uint64_t base;			/* absolute port or guest physical address */
	uint64_t size;
	uint64_t offset;		/* of the region in its device's block */
	uint16_t device;		/* index in board_devices */
	uint16_t reg;			/* index in the type's regs[] */
	uint8_t space;			/* enum board_space: PIO or MMIO */
	uint8_t binding;		/* enum board_binding */
	const char *srcpos;
};

/*
 * A page-granular MMIO dispatch window. pages[(addr - base) >> 12] holds a
 * region index, or BOARD_SUBPAGE | i for a page shared by several regions:
 * then board_subpages[i] says how to index board_subpage_map for the byte
 * offset within the page. Windows are the board's MMIO windows plus one
 * per cluster of fixed platform MMIO outside them.
 *
 * Every lookup ends with a bounds check against the region found: a page
 * holding one small region points at it for all its bytes, and the
 * sub-page maps of neighbouring shared pages overlap where no region is
 * (their unused granules name regions of other pages), which keeps
 * board_subpage_map small. Index BOARD_SUBPAGE_MAP_SIZE is never reached.
 */
/* The generated board.h picks the narrowest type that holds every index. */
#ifndef BOARD_INDEX_TYPE
#define BOARD_INDEX_TYPE	uint16_t
#endif
#define BOARD_SUBPAGE	((BOARD_INDEX_TYPE)1 << (sizeof(BOARD_INDEX_TYPE) * 8 - 1))

struct board_mmio_window {
	const char *name;
	uint64_t base;
	uint64_t size;			/* a multiple of the page size */
	BOARD_INDEX_TYPE *pages;	/* writable: PCI BARs move at run time */
	bool relocatable;		/* a board MMIO window (BARs live here) */
	const char *srcpos;
};

struct board_subpage {
	uint64_t page;			/* guest physical address */
	uint32_t region;		/* first region on the page */
	uint32_t nr_regions;		/* regions region.. on the page */
	uint32_t first;			/* into board_subpage_map */
	uint8_t shift;			/* granule = 1 << shift bytes */
};

/*
 * The shared pages as board.c lists them: an entry stands for `count`
 * pages in a row, page j (from 0) at page + j * MACHINE_PAGE_SIZE with
 * the nr_regions regions from region + j * nr_regions and its granules
 * from first + j * stride (identical devices placed side by side: one
 * line, not one per page). board_subpages is filled from it at start.
 */
struct board_subpage_run {
	struct board_subpage first_page;
	uint32_t count;
	uint32_t stride;		/* granules between two pages' maps */
};

struct board_ram_region {
	const char *name;
	uint64_t base;
	uint64_t size;
	const char *srcpos;
};

struct board_reserved {
	const char *name;
	uint64_t base;
	uint64_t size;
	bool backed;			/* memory behind it (ROM, tables) */
	const char *srcpos;
};

/*
 * What to register with KVM. KVM_IOEVENTFD: one entry per doorbell
 * register (region, address, width, optional datamatch, slot = the
 * register's index within its region, handed to notify()). Coalesced: one
 * zone per region.
 */
struct board_async {
	uint32_t region;
	uint8_t space;			/* enum board_space */
	uint8_t binding;		/* BINDING_ASYNC or BINDING_COALESCED */
	uint8_t len;			/* ioeventfd width; 0 for coalesced */
	bool has_datamatch;
	uint64_t addr;
	uint64_t size;			/* coalesced zone size; = len for async */
	uint64_t datamatch;
	uint32_t slot;
	const char *srcpos;
};

/*
 * An async or coalesced region the board binds itself: where it says so,
 * and the doorbell's datamatch. Other async and coalesced regions (their
 * type's default) take the region's position and no datamatch.
 */
struct board_async_binding {
	uint32_t region;
	bool has_datamatch;
	uint64_t datamatch;
	const char *srcpos;
};

struct board_info {
	const char *name;
	const char *description;
	const char *source;		/* the board file, as given to boardc */
	unsigned cpus_default;
	unsigned cpus_max;
	uint64_t ram_default;		/* bytes */
	unsigned nr_devices;
	unsigned nr_regions;		/* including the sentinel at 0 */
	unsigned nr_region_entries;	/* in board_region_list */
	unsigned nr_mmio_windows;
	unsigned nr_subpages;
	unsigned nr_subpage_runs;	/* in board_subpage_list */
	unsigned nr_ram;
	unsigned nr_reserved;
	unsigned nr_async;
	unsigned nr_async_bindings;
	unsigned region_text_size;	/* bytes of board_region_text */
	bool kernel_irqchip;		/* KVM_CREATE_IRQCHIP */
	bool kernel_pit;		/* KVM_CREATE_PIT2 */
};

/*
 * The firmware tables the board asks for (firmware-tables:). ACPI: the
 * tables boardc built (dtc-like/acpi.c), to be copied to acpi_base (the
 * RSDP is at acpi_base); the VMM patches only the MADT's CPU count
 * (acpi_madt_set_cpus() on the copy at acpi_madt).
 */
struct board_firmware {
	bool mptable;
	const uint8_t *acpi;		/* NULL: no ACPI tables */
	uint64_t acpi_size;
	uint64_t acpi_base;		/* guest physical */
	uint64_t acpi_madt;		/* offset of the MADT in acpi[] */
	const char *acpi_range;		/* the reserved range holding them */
};

extern const struct board_firmware board_firmware;
extern const struct board_info board_info;
extern const struct board_device_entry board_device_list[];
extern struct board_device board_devices[];		/* filled at start */
extern const struct board_region_entry board_region_list[];
extern struct board_region board_regions[];		/* filled at start */
extern char board_region_text[];	/* names, positions: filled at start */
extern BOARD_INDEX_TYPE board_port_map[65536];		/* filled at start */
extern struct board_mmio_window board_mmio_windows[];
extern const struct board_subpage_run board_subpage_list[];
extern struct board_subpage board_subpages[];		/* filled at start */
extern BOARD_INDEX_TYPE board_subpage_map[];	/* filled at start */
extern const struct board_ram_region board_ram[];
extern const struct board_reserved board_reserved[];
extern struct board_async board_async[];		/* filled at start */
extern const struct board_async_binding board_async_bindings[];

#endif
