/* SPDX-License-Identifier: MIT */
/*
 * The tables derived from board.c's, filled before main() (the generated
 * board.c calls board_tables_fill() from a constructor), so a board of
 * any size costs no initialized data for them:
 *   - board_devices, from board.c's board_device_list, each position
 *     as text from its line and column;
 *   - board_regions: each region's address, size, offset, space and name
 *     from its device's placement and the register's schema, and its
 *     board file position as text (an entry of board_region_list may
 *     stand for a run of a device's registers);
 *   - board_subpages: from board_subpage_list's runs of pages;
 *   - board_port_map: each I/O port region's ports hold its index;
 *   - each MMIO window's page map: a region's pages hold its index, a
 *     page several regions share holds BOARD_SUBPAGE | its board_subpages
 *     index;
 *   - board_subpage_map: for each shared page, the granules its regions
 *     cover;
 *   - board_async: the ioeventfds and coalesced zones of each async run.
 * Included by the generated board.c only: it is compiled with the board's
 * BOARD_INDEX_TYPE. O(regions + pages + ports), once, before any thread.
 */
#ifndef BOARDVM_BOARD_FILL_H
#define BOARDVM_BOARD_FILL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board-tables.h"

/* The index of register `name` in a type's schema (boardc checked it). */
static inline unsigned board_fill_reg(const struct device_type *t,
				      const char *name)
{
	for (unsigned k = 0; k < t->nr_regs; k++)
		if (!strcmp(t->regs[k].name, name))
			return k;
	return 0;
}

/*
 * printf into board_region_text at *text (boardc sized it for every name
 * and position): the string, which *text then passes.
 */
static inline const char *board_fill_text(char **text, size_t *left,
					  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline const char *board_fill_text(char **text, size_t *left,
					  const char *fmt, ...)
{
	char *s = *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, *left, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < *left) {
		*text += n + 1;
		*left -= (size_t)n + 1;
	}
	return s;
}

/* The number of property `name` of `d` (boardc writes every one), or 0. */
static inline uint64_t board_fill_prop(const struct board_device *d,
				       const char *name)
{
	for (unsigned i = 0; name && i < d->nr_props; i++)
		if (!strcmp(d->props[i].name, name))
			return d->props[i].number;
	return 0;
}

/*
 * board_regions[i] from entry e's region j (j < board_entry_regions(e):
 * the entry's register, or the j-th after it with its default binding)
 * and the registry.
 */
static inline void board_fill_region(unsigned i,
				     const struct board_region_entry *e,
				     unsigned j, char **text, size_t *left)
{
	const struct board_device *d = &board_devices[e->device];
	unsigned k = board_fill_reg(d->type, e->reg) + j;
	const struct reg_schema *rs = &d->type->regs[k];
	enum board_space space = rs->space != SPACE_BLOCK ? rs->space :
				 d->has_pio ? SPACE_PIO : SPACE_MMIO;
	const char *name = board_fill_text(text, left, "%s.%s", d->name,
					   rs->name);
	const char *srcpos = e->srcpos ? e->srcpos :
		board_fill_text(text, left, "%s:%u:%u", board_info.source,
				e->line, e->column);

	board_regions[i] = (struct board_region){
		.name = name,
		.base = (space == SPACE_PIO ? d->pio_base : d->mmio_base) +
			rs->offset,
		.size = reg_schema_size(rs, board_fill_prop(d, rs->count_prop)),
		.offset = rs->offset,
		.device = (uint16_t)e->device,
		.reg = (uint16_t)k,
		.space = (uint8_t)space,
		.binding = e->binding == BOARD_TYPE_BINDINGS ?
			   (uint8_t)rs->default_binding : e->binding,
		.srcpos = srcpos,
	};
}

/* board_devices[i] from board.c's entry, its position as text. */
static inline void board_fill_device(unsigned i, char **text, size_t *left)
{
	const struct board_device_entry *e = &board_device_list[i];

	if (!e->name)
		return;
	board_devices[i] = (struct board_device){
		.name = e->name,
		.type = e->kind->type,
		.ops = e->kind->ops,
		.irq = e->wired ? e->irq : -1,
		.pci_slot = e->pci ? e->pci_slot : -1,
		.srcpos = e->srcpos ? e->srcpos :
			  board_fill_text(text, left, "%s:%u:%u",
					  board_info.source, e->line,
					  e->column),
		.line = e->line,
		.column = e->column,
		.has_pio = e->place & BOARD_DEVICE_PIO,
		.pio_base = e->pio_base,
		.has_mmio = e->place & BOARD_DEVICE_MMIO,
		.mmio_base = e->mmio_base,
		.bar_size = e->bar_size,
		.props = e->props,
		.nr_props = e->nr_props,
	};
}

/*
 * board_devices, then board_regions from board_region_list's
 * entries and the registry.
 */
static inline void board_fill_regions(void)
{
	char *text = board_region_text;
	size_t left = board_info.region_text_size;
	unsigned i = 1;

	for (unsigned d = 0; d < board_info.nr_devices; d++)
		board_fill_device(d, &text, &left);
	board_regions[0] = (struct board_region){
		.name = "unmapped", .srcpos = board_info.source,
	};
	for (unsigned n = 1; n < board_info.nr_region_entries; n++) {
		const struct board_region_entry *e = &board_region_list[n];

		for (unsigned j = 0; j < board_entry_regions(e) &&
		     i < board_info.nr_regions; j++)
			board_fill_region(i++, e, j, &text, &left);
	}
}

/* board_subpages from board_subpage_list's runs. */
static inline void board_fill_subpage_list(void)
{
	unsigned s = 0;

	for (unsigned n = 0; n < board_info.nr_subpage_runs; n++) {
		const struct board_subpage_run *run = &board_subpage_list[n];
		struct board_subpage sp = run->first_page;

		for (unsigned j = 0; j < run->count &&
		     s < board_info.nr_subpages; j++) {
			board_subpages[s++] = sp;
			sp.page += MACHINE_PAGE_SIZE;
			sp.region += sp.nr_regions;
			sp.first += run->stride;
		}
	}
}

static inline void board_fill_ports(void)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space != SPACE_PIO)
			continue;
		for (uint64_t p = r->base; p < r->base + r->size && p < 65536;
		     p++)
			board_port_map[p] = (BOARD_INDEX_TYPE)i;
	}
}

static inline struct board_mmio_window *board_fill_window(uint64_t addr)
{
	for (unsigned w = 0; w < board_info.nr_mmio_windows; w++) {
		struct board_mmio_window *win = &board_mmio_windows[w];

		if (addr >= win->base && addr - win->base < win->size)
			return win;
	}
	return NULL;
}

/* Every page of every MMIO region: its index. */
static inline void board_fill_region_pages(void)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];
		struct board_mmio_window *win;
		uint64_t first, last;

		if (r->space != SPACE_MMIO || !r->size)
			continue;
		win = board_fill_window(r->base);
		if (!win)
			continue;
		first = (r->base - win->base) >> MACHINE_PAGE_SHIFT;
		last = (r->base + r->size - 1 - win->base) >> MACHINE_PAGE_SHIFT;
		for (uint64_t p = first; p <= last && p < win->size >>
		     MACHINE_PAGE_SHIFT; p++)
			win->pages[p] = (BOARD_INDEX_TYPE)i;
	}
}

/* A shared page: its page map entry, and its regions' granules. */
static inline void board_fill_subpage(unsigned s)
{
	const struct board_subpage *sp = &board_subpages[s];
	struct board_mmio_window *win = board_fill_window(sp->page);

	if (win)
		win->pages[(sp->page - win->base) >> MACHINE_PAGE_SHIFT] =
			(BOARD_INDEX_TYPE)(BOARD_SUBPAGE | s);
	for (uint32_t i = sp->region; i < sp->region + sp->nr_regions; i++) {
		const struct board_region *r = &board_regions[i];
		uint64_t from = r->base > sp->page ? r->base : sp->page;
		uint64_t to = r->base + r->size;

		if (to > sp->page + MACHINE_PAGE_SIZE)
			to = sp->page + MACHINE_PAGE_SIZE;
		for (uint64_t g = (from - sp->page) >> sp->shift;
		     g <= (to - sp->page - 1) >> sp->shift; g++)
			board_subpage_map[sp->first + g] = (BOARD_INDEX_TYPE)i;
	}
}

/* The board's own binding of region i, or NULL (bindings are by region). */
static inline const struct board_async_binding *board_fill_bound(unsigned i)
{
	size_t lo = LOWER_BOUND(board_info.nr_async_bindings, mid,
				board_async_bindings[mid].region < i);

	return lo < board_info.nr_async_bindings &&
	       board_async_bindings[lo].region == i ?
	       &board_async_bindings[lo] : NULL;
}

/* One entry per ioeventfd of an async region, one per coalesced region. */
static inline void board_fill_async(void)
{
	unsigned n = 0;

	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];
		const struct board_async_binding *b = board_fill_bound(i);
		bool async = r->binding == BINDING_ASYNC;
		unsigned len = async ? reg_schema_async_width(
			&board_devices[r->device].type->regs[r->reg],
			r->size) : 0;
		uint64_t count = async ? r->size / len : 1;

		if (!async && r->binding != BINDING_COALESCED)
			continue;
		for (uint64_t slot = 0; slot < count &&
		     n < board_info.nr_async; slot++)
			board_async[n++] = (struct board_async){
				.region = i,
				.space = r->space,
				.binding = r->binding,
				.len = (uint8_t)len,
				.has_datamatch = b && b->has_datamatch,
				.addr = r->base + slot * len,
				.size = async ? len : r->size,
				.datamatch = b ? b->datamatch : 0,
				.slot = (uint32_t)slot,
				.srcpos = b ? b->srcpos : r->srcpos,
			};
	}
}

static inline void board_tables_fill(void)
{
	board_fill_regions();
	board_fill_subpage_list();
	board_fill_ports();
	board_fill_region_pages();
	for (unsigned s = 0; s < board_info.nr_subpages; s++)
		board_fill_subpage(s);
	board_fill_async();
}

#endif
