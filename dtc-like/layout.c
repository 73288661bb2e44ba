// SPDX-License-Identifier: MIT
/*
 * Layout: turn each device's placement and its type's register schema into
 * laid-out register regions (board->regions), placing `auto` devices in
 * their window on the way.
 *
 * Auto placement is first fit, in file order: the lowest address inside
 * the window that is naturally aligned (block span rounded up to a power
 * of two, at least 4 KiB for MMIO) and clear of every fixed region, RAM
 * region, reserved range and earlier auto device. Each window keeps a
 * sorted list of free gaps; a request only ever shrinks gaps, so for each
 * (size, alignment) class a cursor remembers the first gap that may still
 * fit it, and placing n devices costs O(n log n), not O(n^2).
 *
 * Layout never fails on a bad board: a device without a type, without a
 * placement, or with an auto placement it cannot satisfy simply gets no
 * regions there, and board_check_layout() says why. Only running out of
 * memory is an error.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boardc.h"

#define MMIO_MIN_ALIGN	0x1000ull
#define NO_GAP		UINT32_MAX

/* A free gap [first, last] in a window; gaps form a list sorted by address. */
struct gap {
	uint64_t first;
	uint64_t last;
	uint32_t next;
	bool empty;
};

/* Where the search for one (size, alignment) class may resume. */
struct fit_class {
	uint64_t size;
	uint64_t align;
	uint32_t cursor;
};

/* A window's free space, built on its first auto request. */
struct window_space {
	bool built;
	struct gap *gaps;
	uint32_t nr_gaps, max_gaps;
	uint32_t head;
	struct fit_class *classes;
	unsigned nr_classes;
};

/* An occupied range of one space: what auto devices must avoid. */
struct busy {
	uint64_t first;
	uint64_t last;
	uint64_t reach;		/* the furthest last of this and all before */
};

struct layout {
	struct board *board;
	struct busy *busy[2];		/* per space, sorted by first */
	size_t nr_busy[2];
	struct window_space *spaces;	/* one per board->windows[] */
	unsigned *window_order;		/* indices by (space, name) */
};

static uint64_t range_last(uint64_t base, uint64_t size)
{
	if (!size)
		return base;
	return base + size - 1 < base ? UINT64_MAX : base + size - 1;
}

static uint64_t pow2_ceil(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p << 1)
		p <<= 1;
	return p;
}

/*
 * The space a register of `dev` lives in: its own, or for SPACE_BLOCK the
 * device's placement space (I/O ports first if, wrongly, both are given).
 * Returns SPACE_BLOCK if the register has nowhere to go.
 */
static enum board_space reg_space(const struct ir_device *dev,
				  const struct reg_schema *reg)
{
	if (reg->space != SPACE_BLOCK)
		return reg->space;
	if (dev->pio.present)
		return SPACE_PIO;
	if (dev->mmio.present)
		return SPACE_MMIO;
	return SPACE_BLOCK;
}

static struct ir_placement *dev_placement(struct ir_device *dev,
					  enum board_space space)
{
	return space == SPACE_PIO ? &dev->pio : &dev->mmio;
}

/* Bytes (ports) the device's block spans in `space`. */
static uint64_t dev_span(const struct ir_device *dev, enum board_space space)
{
	uint64_t span = 0;

	for (unsigned i = 0; i < dev->type->nr_regs; i++) {
		const struct reg_schema *r = &dev->type->regs[i];

		if (reg_space(dev, r) == space &&
		    r->offset + ir_reg_size(dev, r) > span)
			span = r->offset + ir_reg_size(dev, r);
	}
	return span;
}

static int busy_cmp(const void *a, const void *b)
{
	const struct busy *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->last > y->last) - (x->last < y->last);
}

static int busy_add(struct layout *l, enum board_space space,
		    uint64_t base, uint64_t size, size_t *max)
{
	struct busy *b;

	if (!size)
		return 0;
	if (l->nr_busy[space] == max[space]) {
		max[space] = max[space] ? 2 * max[space] : 64;
		b = realloc(l->busy[space], max[space] * sizeof(*b));
		if (!b)
			return -1;
		l->busy[space] = b;
	}
	l->busy[space][l->nr_busy[space]++] = (struct busy){
		.first = base, .last = range_last(base, size),
	};
	return 0;
}

/* Everything fixed: RAM, reserved ranges and fixed device regions. */
static int layout_collect_busy(struct layout *l)
{
	struct board *b = l->board;
	size_t max[2] = { 0, 0 };

	for (unsigned i = 0; i < b->nr_ram; i++)
		if (busy_add(l, SPACE_MMIO, b->ram[i].base, b->ram[i].size,
			     max))
			return -1;
	for (unsigned i = 0; i < b->nr_reserved; i++)
		if (busy_add(l, SPACE_MMIO, b->reserved[i].base,
			     b->reserved[i].size, max))
			return -1;
	for (unsigned i = 0; i < b->nr_regions; i++) {
		struct ir_region *r = &b->regions[i];

		if (busy_add(l, r->space, r->base, r->size, max))
			return -1;
	}
	/* A fixed PCI device owns its whole BAR, past its last register. */
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (d->type && d->type->pci && d->mmio.present &&
		    !d->mmio.is_auto &&
		    busy_add(l, SPACE_MMIO, d->mmio.base,
			     device_type_bar_size(d->type), max))
			return -1;
	}
	for (int s = SPACE_PIO; s <= SPACE_MMIO; s++) {
		struct busy *busy = l->busy[s];

		if (!l->nr_busy[s])
			continue;
		qsort(busy, l->nr_busy[s], sizeof(*busy), busy_cmp);
		busy[0].reach = busy[0].last;
		for (size_t i = 1; i < l->nr_busy[s]; i++)
			busy[i].reach = busy[i].last > busy[i - 1].reach ?
					busy[i].last : busy[i - 1].reach;
	}
	return 0;
}

static int gap_push(struct window_space *ws, uint64_t first, uint64_t last)
{
	struct gap *g;

	if (ws->nr_gaps == ws->max_gaps) {
		ws->max_gaps = ws->max_gaps ? 2 * ws->max_gaps : 16;
		g = realloc(ws->gaps, ws->max_gaps * sizeof(*g));
		if (!g)
			return -1;
		ws->gaps = g;
	}
	ws->gaps[ws->nr_gaps] = (struct gap){
		.first = first, .last = last, .next = NO_GAP,
	};
	return (int)ws->nr_gaps++;
}

/* First busy range that ends at or after `addr`. */
static size_t busy_search(const struct busy *busy, size_t n, uint64_t addr)
{
	/* Ranges may nest: search on first, walk back while one reaches. */
	size_t lo = LOWER_BOUND(n, mid, busy[mid].first < addr);

	while (lo > 0 && busy[lo - 1].reach >= addr)
		lo--;
	return lo;
}

/* The window minus every busy range of its space, as a sorted gap list. */
static int window_build(struct layout *l, const struct ir_range *w,
			struct window_space *ws)
{
	const struct busy *busy = l->busy[w->space];
	size_t n = l->nr_busy[w->space];
	uint64_t last = range_last(w->base, w->size);
	uint64_t cursor = w->base;
	bool done = false;
	int prev = -1, g;

	ws->built = true;
	ws->head = NO_GAP;
	if (!w->size)
		return 0;
	for (size_t i = busy_search(busy, n, w->base); i < n && !done; i++) {
		if (busy[i].first > last)
			break;
		if (busy[i].last < cursor)
			continue;
		if (busy[i].first > cursor) {
			g = gap_push(ws, cursor, busy[i].first - 1);
			if (g < 0)
				return -1;
			if (prev < 0)
				ws->head = g;
			else
				ws->gaps[prev].next = g;
			prev = g;
		}
		if (busy[i].last >= last)
			done = true;
		else
			cursor = busy[i].last + 1;
	}
	if (!done) {
		g = gap_push(ws, cursor, last);
		if (g < 0)
			return -1;
		if (prev < 0)
			ws->head = g;
		else
			ws->gaps[prev].next = g;
	}
	return 0;
}

static struct fit_class *window_class(struct window_space *ws,
				      uint64_t size, uint64_t align)
{
	struct fit_class *c;

	for (unsigned i = 0; i < ws->nr_classes; i++) {
		c = &ws->classes[i];
		if (c->size == size && c->align == align)
			return c;
	}
	c = realloc(ws->classes, (ws->nr_classes + 1) * sizeof(*c));
	if (!c)
		return NULL;
	ws->classes = c;
	c = &ws->classes[ws->nr_classes++];
	*c = (struct fit_class){ .size = size, .align = align,
				 .cursor = ws->head };
	return c;
}

/* Lowest aligned start for `size` bytes in gap g, or false. */
static bool gap_fit(const struct gap *g, uint64_t size, uint64_t align,
		    uint64_t *start)
{
	uint64_t a = (g->first + align - 1) & ~(align - 1);

	if (g->empty || a < g->first || a > g->last)
		return false;
	if (g->last - a < size - 1)
		return false;
	*start = a;
	return true;
}

/*
 * Take [start, start + size) out of gap gi: the gap keeps the part below,
 * a new gap after it holds the part above. Gaps are never removed (cursors
 * point at them); an emptied gap is skipped.
 */
static int gap_take(struct window_space *ws, uint32_t gi, uint64_t start,
		    uint64_t size, uint32_t *after)
{
	uint64_t end = start + size - 1;
	struct gap *g = &ws->gaps[gi];
	uint64_t old_last = g->last;
	int n;

	*after = g->next;
	if (end < old_last) {
		n = gap_push(ws, end + 1, old_last);
		if (n < 0)
			return -1;
		g = &ws->gaps[gi];
		ws->gaps[n].next = g->next;
		g->next = n;
		*after = n;
	}
	if (start == g->first)
		g->empty = true;
	else
		g->last = start - 1;
	return 0;
}

/* Place `size` bytes aligned to `align` in the window; 1 if it is full. */
static int window_alloc(struct window_space *ws, uint64_t size,
			uint64_t align, uint64_t *base)
{
	struct fit_class *c = window_class(ws, size, align);
	uint32_t gi;

	if (!c)
		return -1;
	for (gi = c->cursor; gi != NO_GAP; gi = ws->gaps[gi].next) {
		if (!gap_fit(&ws->gaps[gi], size, align, base))
			continue;
		if (gap_take(ws, gi, *base, size, &c->cursor))
			return -1;
		return 0;
	}
	c->cursor = NO_GAP;
	return 1;
}

static int window_order_cmp(const void *a, const void *b, void *arg)
{
	const struct ir_range *w = arg;
	const struct ir_range *x = &w[*(const unsigned *)a];
	const struct ir_range *y = &w[*(const unsigned *)b];

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/*
 * The window an auto placement in `space` goes to: the named one, or the
 * sole window of that space. -1 if none (missing, ambiguous: a check
 * reports it).
 */
static int layout_find_window(const struct layout *l, enum board_space space,
			      const char *name)
{
	const struct board *b = l->board;
	unsigned lo = 0, hi = b->nr_windows, n = 0;
	int found = -1;

	if (!name) {
		for (unsigned i = 0; i < b->nr_windows; i++)
			if (b->windows[i].space == space) {
				found = (int)i;
				n++;
			}
		return n == 1 ? found : -1;
	}
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct ir_range *w = &b->windows[l->window_order[mid]];
		int c = w->space != space ? (w->space < space ? -1 : 1)
			: strcmp(w->name ? w->name : "", name);

		if (!c)
			return (int)l->window_order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static enum board_binding reg_binding(const struct ir_device *dev,
				      const struct reg_schema *reg,
				      const struct ir_binding **bound)
{
	for (unsigned i = 0; i < dev->nr_bindings; i++) {
		const struct ir_binding *bd = &dev->bindings[i];

		if (bd->reg && !strcmp(bd->reg, reg->name)) {
			*bound = bd;
			return bd->binding;
		}
	}
	*bound = NULL;
	return reg->default_binding;
}

/* Append the device's regions in `space`, its block based at `base`. */
static void layout_add_regions(struct board *b, struct ir_device *dev,
			       enum board_space space, uint64_t base)
{
	const struct ir_placement *p = dev_placement(dev, space);

	for (unsigned i = 0; i < dev->type->nr_regs; i++) {
		const struct reg_schema *reg = &dev->type->regs[i];
		uint64_t size = ir_reg_size(dev, reg);
		struct ir_region *r;

		if (reg_space(dev, reg) != space || !size)
			continue;	/* 0: a bad count (pci_ecam says) */
		/* Past 2^64: address_overflow reports it; no wrapped region. */
		if (base + reg->offset < base ||
		    base + reg->offset + size < base + reg->offset)
			continue;
		r = &b->regions[b->nr_regions++];
		*r = (struct ir_region){
			.dev = dev, .reg = reg, .reg_index = i,
			.space = space, .base = base + reg->offset,
			.size = size, .pos = p->pos,
		};
		r->binding = reg_binding(dev, reg, &r->bound);
	}
}

/* An upper bound on the regions: every register of every typed device. */
static size_t layout_count(const struct board *b)
{
	size_t n = 0;

	for (unsigned i = 0; i < b->nr_devices; i++)
		if (b->devices[i].type)
			n += b->devices[i].type->nr_regs;
	return n;
}

static void layout_fixed(struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *dev = &b->devices[i];

		if (!dev->type)
			continue;
		for (int s = SPACE_PIO; s <= SPACE_MMIO; s++) {
			struct ir_placement *p = dev_placement(dev, s);

			if (p->present && !p->is_auto)
				layout_add_regions(b, dev, s, p->base);
		}
	}
}

static int layout_place(struct layout *l, struct ir_device *dev,
			enum board_space space)
{
	struct ir_placement *p = dev_placement(dev, space);
	uint64_t span = dev_span(dev, space), align, base;
	struct window_space *ws;
	int w, rc;

	if (!span)
		return 0;
	w = layout_find_window(l, space, p->window);
	if (w < 0)
		return 0;
	ws = &l->spaces[w];
	if (!ws->built && window_build(l, &l->board->windows[w], ws))
		return -1;
	align = pow2_ceil(span);
	if (space == SPACE_MMIO && align < MMIO_MIN_ALIGN)
		align = MMIO_MIN_ALIGN;
	/* A PCI device takes its whole BAR0, so nothing lands in its tail. */
	if (space == SPACE_MMIO && dev->type->pci)
		span = align = device_type_bar_size(dev->type);
	rc = window_alloc(ws, span, align, &base);
	if (rc)
		return rc < 0 ? -1 : 0;
	p->base = base;
	layout_add_regions(l->board, dev, space, base);
	return 0;
}

static int layout_auto(struct layout *l)
{
	struct board *b = l->board;

	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *dev = &b->devices[i];

		if (!dev->type)
			continue;
		for (int s = SPACE_PIO; s <= SPACE_MMIO; s++) {
			struct ir_placement *p = dev_placement(dev, s);

			if (p->present && p->is_auto && layout_place(l, dev, s))
				return -1;
		}
	}
	return 0;
}

/*
 * PCI slots: `pci-slot: auto` (or none) takes the lowest slot no fixed
 * device claims, in file order. Slots board_check() refused stay as they
 * are; a device left without a slot gets 0 (never a device slot).
 */
static void layout_pci_slots(struct board *b)
{
	bool used[PCI_SLOT_MAX + 1] = { true };
	unsigned next = PCI_SLOT_MIN;

	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (d->type && d->type->pci && d->has_pci_slot &&
		    !d->pci_slot_auto && d->pci_slot <= PCI_SLOT_MAX)
			used[d->pci_slot] = true;
	}
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (!d->type || !d->type->pci ||
		    (d->has_pci_slot && !d->pci_slot_auto))
			continue;
		while (next <= PCI_SLOT_MAX && used[next])
			next++;
		d->pci_slot = next <= PCI_SLOT_MAX ? next : 0;
		if (next <= PCI_SLOT_MAX)
			used[next] = true;
	}
}

static int region_cmp(const void *a, const void *b)
{
	const struct ir_region *x = a, *y = b;

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->reg_index > y->reg_index) - (x->reg_index < y->reg_index);
}

static void layout_free(struct layout *l)
{
	if (l->spaces)
		for (unsigned i = 0; i < l->board->nr_windows; i++) {
			free(l->spaces[i].gaps);
			free(l->spaces[i].classes);
		}
	free(l->spaces);
	free(l->window_order);
	free(l->busy[SPACE_PIO]);
	free(l->busy[SPACE_MMIO]);
}

int board_layout(struct board *board)
{
	struct layout l = { .board = board };
	size_t max = layout_count(board);
	int rc = -1;

	free(board->regions);
	board->nr_regions = 0;
	board->regions = calloc(max ? max : 1, sizeof(*board->regions));
	l.spaces = calloc(board->nr_windows + 1, sizeof(*l.spaces));
	l.window_order = calloc(board->nr_windows + 1, sizeof(unsigned));
	if (!board->regions || !l.spaces || !l.window_order)
		goto out_nomem;
	for (unsigned i = 0; i < board->nr_windows; i++)
		l.window_order[i] = i;
	qsort_r(l.window_order, board->nr_windows, sizeof(unsigned),
		window_order_cmp, board->windows);

	layout_pci_slots(board);
	layout_fixed(board);
	if (layout_collect_busy(&l) || layout_auto(&l))
		goto out_nomem;
	qsort(board->regions, board->nr_regions, sizeof(*board->regions),
	      region_cmp);
	rc = 0;
	goto out;

out_nomem:
	fprintf(stderr, "boardc: laying out %s: %s\n", board->file,
		strerror(ENOMEM));
out:
	layout_free(&l);
	return rc;
}
