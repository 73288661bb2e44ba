/* SPDX-License-Identifier: MIT */
/*
 * boardc's in-memory board: what every front end (YAML, the dtc-like text
 * syntax) builds and every later stage (checks, layout, emitters) reads.
 * Every node carries its source position.
 *
 * Pipeline (boardc.c):  board_from_yaml() | board_from_dts()
 *                       -> board_check() -> board_layout()
 *                       -> board_check_layout() -> board_plan()
 *                       -> board_check_plan()
 *                       -> board_to_c() | board_to_map() | board_to_json()
 *                          | board_to_svg() | board_to_yaml() | board_to_dts()
 */
#ifndef BOARDC_H
#define BOARDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "numbers.h"
#include "registry.h"
#include "srcpos.h"

/* A value as written: its text, its position, and (if numeric) its value. */
struct ir_value {
	bool present;
	char *text;			/* as written (scalar), or NULL */
	uint64_t number;		/* parsed by the front end when numeric */
	struct srcpos pos;
};

/* RAM regions, reserved ranges and MMIO/PIO windows. */
struct ir_range {
	char *name;
	uint64_t base;
	uint64_t size;
	bool backed;			/* reserved only: memory behind it */
	enum board_space space;		/* windows only: PIO or MMIO */
	struct srcpos pos;		/* the whole entry */
	struct srcpos base_pos;
	struct srcpos size_pos;
};

/* io-ports: / mmio: placement of a device block. */
struct ir_placement {
	bool present;
	bool is_auto;
	uint64_t base;			/* fixed, or chosen by board_layout() */
	char *window;			/* auto: window name, NULL = default */
	struct srcpos pos;
	struct srcpos window_pos;
};

struct ir_property {
	char *name;
	char *text;			/* scalar as written */
	struct srcpos pos;		/* the key */
	struct srcpos value_pos;
};

struct ir_binding {
	char *reg;			/* register region name in the schema */
	enum board_binding binding;
	bool has_datamatch;
	uint64_t datamatch;
	struct srcpos pos;		/* the key */
	struct srcpos value_pos;
};

struct ir_device {
	char *name;
	char *label;			/* text syntax label, or NULL */
	char *type_name;
	const struct device_type *type;	/* resolved by board_check() */
	struct ir_placement pio;
	struct ir_placement mmio;
	bool has_irq;
	unsigned irq;
	struct srcpos irq_pos;
	struct ir_property *props;
	unsigned nr_props;
	struct ir_binding *bindings;
	unsigned nr_bindings;
	/* pci-slot: (PCI types): 1..31, or auto (board_layout() picks). */
	bool has_pci_slot;
	bool pci_slot_auto;
	unsigned pci_slot;		/* fixed, or chosen by board_layout() */
	struct srcpos pci_slot_pos;
	/*
	 * transport: (virtio types): "pci" or "mmio", as written; board_check()
	 * resolves `type` + "-" + transport (type_name becomes the full name).
	 */
	char *transport;
	struct srcpos transport_pos;
	struct srcpos pos;		/* the device entry */
	struct srcpos name_pos;
	struct srcpos type_pos;
};

/* A laid-out register region (board_layout() fills these). */
struct ir_region {
	struct ir_device *dev;
	const struct reg_schema *reg;
	unsigned reg_index;
	enum board_space space;		/* PIO or MMIO, never BLOCK */
	uint64_t base;
	uint64_t size;
	enum board_binding binding;
	const struct ir_binding *bound;	/* the board's binding entry, or NULL */
	struct srcpos pos;		/* where the region's address comes from */
};

struct board {
	char *file;			/* as given on the command line */
	char *name;
	char *description;
	struct srcpos pos;		/* the `board:` key */
	struct srcpos description_pos;
	unsigned cpus_default;
	unsigned cpus_max;
	struct srcpos cpus_pos;
	uint64_t ram_default;
	struct srcpos ram_pos;
	struct ir_range *ram;		/* in the order guest RAM fills them */
	unsigned nr_ram;
	struct ir_range *reserved;
	unsigned nr_reserved;
	struct ir_range *windows;	/* mmio-windows: and io-windows: */
	unsigned nr_windows;
	struct ir_device *devices;	/* in file order */
	unsigned nr_devices;
	unsigned nr_irqs;		/* interrupt lines (IOAPIC pins) */
	struct srcpos irqs_pos;
	/* cpuid-hide: CPUID feature names the guest must not see. */
	char **cpuid_hide;
	struct srcpos *cpuid_hide_pos;	/* of each name */
	unsigned nr_cpuid_hide;
	/* firmware-tables: "acpi", "mptable"; absent: mptable alone. */
	bool has_firmware_tables;
	char **firmware_tables;
	struct srcpos *firmware_tables_pos;	/* of each name */
	unsigned nr_firmware_tables;
	struct srcpos firmware_tables_key_pos;

	/* board_layout() */
	struct ir_region *regions;	/* sorted by space, then base */
	unsigned nr_regions;

	/* board_plan() */
	struct board_plan *plan;
};

/*
 * Front ends: NULL on a parse error (diagnostics already printed); a
 * board when the only errors were recoverable (check_report()): the
 * caller runs the checks on it and fails with status 2.
 */
struct board *board_from_yaml(const char *file);
struct board *board_from_dts(const char *file);

/*
 * The IR (ir.c): what the front ends build with. Allocation failure exits
 * (status 1) with a message.
 */
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
struct board *board_new(const char *file);	/* the language's defaults */
/* Grow *ranges (nr entries) by `more` zeroed ones; the first new one. */
struct ir_range *ir_ranges_grow(struct ir_range **ranges, unsigned nr,
				unsigned more);
void board_free(struct board *board);
/* The device's property `name` as written, or NULL. */
const struct ir_property *ir_device_prop(const struct ir_device *dev,
					 const char *name);
/* A register's bytes on this device (reg_schema_size(): count_prop). */
uint64_t ir_reg_size(const struct ir_device *dev,
		     const struct reg_schema *reg);

/*
 * Checks (checks.c), in two phases so one run reports every error:
 * board_check() on the tree as parsed (types, properties, names, numbers,
 * bindings, irqs, fixed placements); board_check_layout() on the regions
 * after board_layout() (overlaps, containment, alignment). Each returns
 * the number of errors. Layout tolerates devices that failed phase one.
 */
int board_check(struct board *board);
int board_check_layout(struct board *board);
/*
 * -W/-E: 0, -1 for an unknown check, -2 for one that is always an error
 * (it cannot be turned off or made a warning).
 */
int check_set_enabled(const char *name, bool enabled, bool is_error);
/*
 * Front ends report findings of the checks they own (unknown_property,
 * duplicate_key, ...) through check_report(), at the level -W/-E gave the
 * check: nothing when it is off, a warning (the run goes on), or an error.
 * Returns whether it printed, so a note follows only a printed finding.
 * Findings that leave the front end without a value to build from use
 * checks that are always errors (bad_number, yaml_structure, ...) or
 * diag_error() directly.
 */
bool check_report(const struct srcpos *pos, const char *name,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void check_list(FILE *out);
/*
 * Errors check_report() has printed so far. A front end whose only errors
 * are these still returns its board (the key was ignored, the first of
 * two counts), so every check runs on it too.
 */
int check_report_error_count(void);

/*
 * "Did you mean" (suggest.c): feed candidates to name_suggest_try(); best
 * is the closest one near enough to be a typo, or NULL. name_hint() makes
 * ": did you mean 'X'? " of it (" " for none), to go before a list of
 * the valid names.
 */
struct name_suggest {
	const char *name;		/* as written */
	const char *best;
	unsigned dist;
};
unsigned name_distance(const char *a, const char *b);
void name_suggest_try(struct name_suggest *s, const char *candidate);
const char *name_suggest_list(const char *name, const char *const *names,
			      unsigned nr);
const char *name_hint(const char *best);

/* Layout (layout.c): places `auto` devices, builds board->regions. */
int board_layout(struct board *board);

/*
 * Plan (plan.c), after layout and its checks: the shape of the dispatch
 * tables, decided before any emitter runs; emitters only print it.
 */
/* A dispatch window: a contiguous run of MMIO regions in board->regions. */
struct plan_window {
	const struct ir_range *range;	/* the board window; NULL: synthesized */
	uint64_t base;			/* page aligned */
	uint64_t size;			/* a multiple of the page size */
	unsigned first;			/* into board->regions */
	unsigned count;
};

/* A page shared by regions [first, first + count) of board->regions. */
struct plan_subpage {
	uint64_t page;			/* guest physical address */
	unsigned first;
	unsigned count;
	unsigned shift;			/* granule = 1 << shift bytes */
	uint64_t map_first;		/* into board_subpage_map */
};

struct board_plan {
	const struct board *board;
	const struct ir_range **reserved;	/* sorted by base */
	const char *index_type;
	unsigned nr_regions;		/* including the sentinel */
	struct plan_window *windows;
	unsigned nr_windows;
	struct plan_subpage *subpages;
	unsigned nr_subpages;
	uint64_t subpage_map_size;
	unsigned nr_async;
	unsigned nr_async_bindings;	/* region_async_bound() ones */
	uint64_t region_text_size;	/* "dev.reg\0", "file:line:col\0" */
	bool kernel_irqchip;
	bool kernel_pit;
	/*
	 * Two regions of one space that overlap (possible only with
	 * pio_overlap or mmio_overlap demoted): no dispatch table can hold
	 * both, so board_plan_refuse_c() refuses C output.
	 */
	const struct ir_region *overlap, *overlapped;
};

/* board->plan; 0, or -1 when out of memory (reported). */
int board_plan(struct board *board);
void board_plan_free(struct board_plan *plan);
/* Errors (reported) that keep the plan from becoming C: 0 or 1. */
int board_plan_refuse_c(const struct board *board);
/* Checks of the plan (window_size); the number of errors. */
int board_check_plan(struct board *board);
/* An async region: bytes per ioeventfd, and ioeventfds in the region. */
uint64_t region_async_width(const struct ir_region *r);
unsigned region_async_slots(const struct ir_region *r);
/* An async or coalesced region the board binds itself (r->bound). */
bool region_async_bound(const struct ir_region *r);
/* A device or register name's character in a board.h macro name. */
int macro_char(int c);
/*
 * The largest page map a window may have (64 GiB of window): a board
 * asking for more is refused by window_size.
 */
#define PLAN_MAX_WINDOW_PAGES	(1ull << 24)

static inline uint64_t page_floor(uint64_t addr)
{
	return addr & ~MACHINE_PAGE_MASK;
}

static inline uint64_t page_ceil(uint64_t addr)
{
	return (addr + MACHINE_PAGE_MASK) & ~MACHINE_PAGE_MASK;
}

/* The last byte of a region (regions are never empty once checked). */
static inline uint64_t region_last(const struct ir_region *r)
{
	return r->base + (r->size ? r->size - 1 : 0);
}

/* Whether pos is in the board file itself, not in a file it included. */
static inline bool board_file_pos(const struct board *board,
				  const struct srcpos *pos)
{
	return pos->file && board->file && !strcmp(pos->file, board->file);
}

/*
 * Bytes of "file:line:col\0" for a region position in the board file,
 * as board_fill_regions() writes it (board-fill.h).
 */
static inline uint64_t board_file_pos_size(const struct board *board,
					   const struct srcpos *pos)
{
	return (uint64_t)snprintf(NULL, 0, "%s:%u:%u", board->file,
				  pos->first_line, pos->first_column) + 1;
}

static inline unsigned device_index(const struct board *board,
			     const struct ir_device *dev)
{
	return (unsigned)(dev - board->devices);
}

/*
 * Guest RAM of `mem` bytes laid into the board's RAM regions, in order
 * (machine/ram-layout.h's rule: the reserved ranges between regions
 * count). -1 with `fault` (may be NULL) when it does not fit, or when out
 * of memory (fault->kind RAM_FILL_OK).
 */
struct ram_fill_fault;
struct ram_chunk {
	const struct ir_range *region;
	uint64_t base;
	uint64_t size;
};
int board_ram_fill(const struct board *board, uint64_t mem,
		   struct ram_chunk *chunks, unsigned max_chunks,
		   struct ram_fill_fault *fault);

/* Emitters. */
int board_to_c(const struct board *board, const char *dir);
int board_to_devices_mk(const struct board *board, FILE *out);
int board_to_map(const struct board *board, uint64_t mem, FILE *out);
/* One section of the map alone: "iomem", "ioports" or "e820"; NULL: all. */
int board_to_map_section(const struct board *board, uint64_t mem,
			 const char *section, FILE *out);
int board_to_json(const struct board *board, uint64_t mem, FILE *out);
int board_to_svg(const struct board *board, uint64_t mem, FILE *out);
int board_to_yaml(const struct board *board, FILE *out);
/* emit-acpi.c: board.c's board_firmware; `boardc acpi`'s dumps. */
int board_firmware_to_c(const struct board *board, FILE *out);
int board_acpi_dump(const struct board *board, unsigned cpus,
		    const char *dir, FILE *out);
int board_to_dts(const struct board *board, FILE *out);

/* quote.c: a double-quoted string with the escapes of an output format. */
enum quote_style {
	QUOTE_C,		/* board.c */
	QUOTE_DTS,		/* dts and YAML */
	QUOTE_JSON,
};
void fput_quoted_as(FILE *out, const char *s, enum quote_style style);
/* The dts/YAML form (both read it back exactly). */
void fput_quoted(FILE *out, const char *s);

#endif
