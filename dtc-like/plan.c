// SPDX-License-Identifier: MIT
/*
 * The plan (dtc's "allocate before you print"): between layout and the
 * emitters, decide the shape of the dispatch tables from the laid-out
 * regions, so that the emitters only print a finished plan and the checks
 * can judge it (window_size) before anything is written:
 *   - the MMIO dispatch windows: every board MMIO window, plus windows
 *     synthesized around fixed MMIO regions outside them;
 *   - the pages several regions share, each with its granule and its
 *     place in board_subpage_map;
 *   - the async (ioeventfd and coalesced) entries, the index type, the
 *     kernel devices, the reserved ranges in address order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "boardc.h"

/*
 * Fixed MMIO regions outside every board window are grouped into
 * synthesized windows: neighbours closer than CLUSTER_GAP share one, and
 * wider gaps are kept as splits only for the widest few, so a board has at
 * most MAX_FIXED_WINDOWS of them (unless a board window lies in between,
 * or the gap is wider than HUGE_GAP: page maps must stay small).
 */
#define CLUSTER_GAP		(16ull << 20)
#define HUGE_GAP		(1ull << 30)
#define MAX_FIXED_WINDOWS	4


static int range_cmp_base(const void *a, const void *b)
{
	const struct ir_range *x = *(const struct ir_range *const *)a;
	const struct ir_range *y = *(const struct ir_range *const *)b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static int win_cmp_base(const void *a, const void *b)
{
	const struct plan_window *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static int u64_cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x > y ? -1 : x < y;
}

/*
 * Gaps between neighbouring fixed regions (page distance; 0 when they
 * share or touch a page). A gap is a forced split when a board window
 * starts inside it; its width is then reported as UINT64_MAX.
 */
static uint64_t fixed_gap(const struct ir_region *a, const struct ir_region *b,
			  const struct ir_range *const *wins, unsigned nr_wins)
{
	uint64_t from = page_ceil(region_last(a) + 1);
	uint64_t to = page_floor(b->base);

	for (unsigned w = 0; w < nr_wins; w++)
		if (wins[w]->base > a->base && wins[w]->base <= b->base)
			return UINT64_MAX;
	return to > from ? to - from : 0;
}

/*
 * The synthesized windows for the fixed regions fixed[0..n): split at
 * every forced or huge gap, and at the widest gaps wider than CLUSTER_GAP
 * while there is room for more windows.
 */
static int plan_fixed_windows(struct board_plan *plan, const unsigned *fixed,
			      unsigned n, const struct ir_range *const *wins,
			      unsigned nr_wins)
{
	const struct ir_region *regions = plan->board->regions;
	uint64_t *gaps, *sorted, cut = UINT64_MAX;
	unsigned start = 0, optional = 0, forced = 0;

	if (!n)
		return 0;
	gaps = calloc(n, sizeof(*gaps));
	sorted = calloc(n, sizeof(*sorted));
	if (!gaps || !sorted)
		goto out_nomem;
	for (unsigned i = 0; i + 1 < n; i++) {
		gaps[i] = fixed_gap(&regions[fixed[i]], &regions[fixed[i + 1]],
				    wins, nr_wins);
		if (gaps[i] == UINT64_MAX || gaps[i] > HUGE_GAP)
			forced++;
		else if (gaps[i] > CLUSTER_GAP)
			sorted[optional++] = gaps[i];
	}
	/* Keep the widest optional gaps as splits, up to the window budget. */
	qsort(sorted, optional, sizeof(*sorted), u64_cmp_desc);
	if (forced + 1 < MAX_FIXED_WINDOWS && optional) {
		unsigned keep = MAX_FIXED_WINDOWS - 1 - forced;

		cut = keep < optional ? sorted[keep] : 0;
	}
	for (unsigned i = 0; i < n; i++) {
		bool split = i + 1 == n || gaps[i] == UINT64_MAX ||
			     gaps[i] > HUGE_GAP ||
			     (gaps[i] > CLUSTER_GAP && gaps[i] > cut);
		struct plan_window *w;

		if (!split)
			continue;
		w = &plan->windows[plan->nr_windows++];
		w->range = NULL;
		w->first = fixed[start];
		w->count = fixed[i] - fixed[start] + 1;
		w->base = page_floor(regions[fixed[start]].base);
		w->size = page_ceil(region_last(&regions[fixed[i]]) + 1) -
			  w->base;
		start = i + 1;
	}
	free(sorted);
	free(gaps);
	return 0;
out_nomem:
	free(sorted);
	free(gaps);
	return -1;
}

/*
 * Every board MMIO window, plus synthesized windows for fixed regions
 * outside them. Regions inside a window form a contiguous run of the
 * sorted region list, and so do the regions of a synthesized window.
 */
static int plan_windows(struct board_plan *plan)
{
	const struct board *board = plan->board;
	const struct ir_range **wins;
	unsigned nr_wins = 0, nr_fixed = 0, w = 0;
	unsigned *fixed;
	int ret = -1;

	wins = calloc(board->nr_windows + 1, sizeof(*wins));
	fixed = calloc(board->nr_regions + 1, sizeof(*fixed));
	plan->windows = calloc(board->nr_windows + board->nr_regions + 1,
			       sizeof(*plan->windows));
	if (!wins || !fixed || !plan->windows)
		goto out;
	for (unsigned i = 0; i < board->nr_windows; i++)
		if (board->windows[i].space == SPACE_MMIO)
			wins[nr_wins++] = &board->windows[i];
	qsort(wins, nr_wins, sizeof(*wins), range_cmp_base);
	for (unsigned i = 0; i < nr_wins; i++) {
		struct plan_window *p = &plan->windows[plan->nr_windows++];

		p->range = wins[i];
		p->base = page_floor(wins[i]->base);
		p->size = page_ceil(wins[i]->base + wins[i]->size) - p->base;
	}
	/* Regions are sorted: walk them and the sorted windows together. */
	for (unsigned i = 0; i < board->nr_regions; i++) {
		const struct ir_region *r = &board->regions[i];

		if (r->space != SPACE_MMIO)
			continue;
		while (w < nr_wins &&
		       wins[w]->base + wins[w]->size <= r->base)
			w++;
		if (w < nr_wins && r->base >= wins[w]->base) {
			struct plan_window *p = &plan->windows[w];

			if (!p->count)
				p->first = i;
			p->count = i - p->first + 1;
		} else {
			fixed[nr_fixed++] = i;
		}
	}
	if (plan_fixed_windows(plan, fixed, nr_fixed, wins, nr_wins))
		goto out;
	qsort(plan->windows, plan->nr_windows, sizeof(*plan->windows),
	      win_cmp_base);
	ret = 0;
out:
	free(fixed);
	free(wins);
	return ret;
}

/*
 * The granule of a shared page: the largest power of two (at most a page)
 * that divides every region boundary inside the page.
 */
static unsigned subpage_shift(const struct ir_region *regions,
			      unsigned first, unsigned count, uint64_t page)
{
	uint64_t bounds = 0;

	for (unsigned i = first; i < first + count; i++) {
		uint64_t end = regions[i].base + regions[i].size;

		if (regions[i].base > page)
			bounds |= regions[i].base - page;
		if (end < page + MACHINE_PAGE_SIZE)
			bounds |= end - page;
	}
	return bounds ? (unsigned)__builtin_ctzll(bounds) : 12;
}

/*
 * The granules of a shared page that regions use: [lead, end). Only those
 * need entries of their own. The granules before and after them read the
 * neighbouring pages' entries, which name regions of another page: the
 * reader's bounds check against the region turns them into "unmapped", as
 * it does for every byte no region claims. Without this, a board of
 * 10,000 small MMIO devices would carry 1024 entries per device.
 */
static void subpage_used(const struct ir_region *regions,
			 const struct plan_subpage *sp, uint64_t *lead,
			 uint64_t *end)
{
	const struct ir_region *first = &regions[sp->first];
	const struct ir_region *last = &regions[sp->first + sp->count - 1];
	uint64_t to = last->base + last->size - sp->page;

	if (to > MACHINE_PAGE_SIZE)
		to = MACHINE_PAGE_SIZE;
	*lead = first->base > sp->page ?
		(first->base - sp->page) >> sp->shift : 0;
	*end = (to + (1ull << sp->shift) - 1) >> sp->shift;
}

/*
 * Place a shared page's entries right after the previous page's (its lead
 * may reach back over them), keeping every granule of every page inside
 * the array.
 */
static void subpage_place(struct board_plan *plan, struct plan_subpage *sp,
			  uint64_t *cursor)
{
	uint64_t lead, end;

	subpage_used(plan->board->regions, sp, &lead, &end);
	sp->map_first = *cursor > lead ? *cursor - lead : 0;
	*cursor = sp->map_first + end;
	if (sp->map_first + (MACHINE_PAGE_SIZE >> sp->shift) > plan->subpage_map_size)
		plan->subpage_map_size = sp->map_first +
					 (MACHINE_PAGE_SIZE >> sp->shift);
}

/* Pages touched by more than one region of a window's run. */
static int plan_subpages(struct board_plan *plan)
{
	const struct ir_region *regions = plan->board->regions;
	uint64_t cursor = 0;
	unsigned cap = 0;

	for (unsigned w = 0; w < plan->nr_windows; w++)
		cap += plan->windows[w].count;
	plan->subpages = calloc(cap + 1, sizeof(*plan->subpages));
	if (!plan->subpages)
		return -1;
	for (unsigned w = 0; w < plan->nr_windows; w++) {
		const struct plan_window *win = &plan->windows[w];
		unsigned end = win->first + win->count;

		for (unsigned i = win->first; i + 1 < end; i++) {
			uint64_t page = page_floor(region_last(&regions[i]));
			struct plan_subpage *sp;
			unsigned j = i + 1;

			if (page_floor(regions[j].base) != page)
				continue;
			while (j + 1 < end &&
			       page_floor(regions[j + 1].base) == page)
				j++;
			sp = &plan->subpages[plan->nr_subpages++];
			sp->page = page;
			sp->first = i;
			sp->count = j - i + 1;
			sp->shift = subpage_shift(regions, i, sp->count, page);
			subpage_place(plan, sp, &cursor);
			/* The last region may go on into the next page. */
			i = j - 1;
		}
	}
	return 0;
}

/* Bytes per ioeventfd of an async region (the registry's rule). */
uint64_t region_async_width(const struct ir_region *r)
{
	return reg_schema_async_width(r->reg, r->size);
}

/* ioeventfds per async region: one per width bytes. */
bool region_async_bound(const struct ir_region *r)
{
	return r->bound && (r->binding == BINDING_ASYNC ||
			    r->binding == BINDING_COALESCED);
}

unsigned region_async_slots(const struct ir_region *r)
{
	return (unsigned)(r->size / region_async_width(r));
}

/* The first region that overlaps an earlier one of its space. */
static void plan_overlap(struct board_plan *plan, const struct board *b)
{
	const struct ir_region *holder = NULL;

	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_region *r = &b->regions[i];

		if (holder && holder->space == r->space &&
		    r->base <= region_last(holder)) {
			plan->overlap = r;
			plan->overlapped = holder;
			return;
		}
		if (!holder || holder->space != r->space ||
		    region_last(r) > region_last(holder))
			holder = r;
	}
}

static int plan_fill(struct board_plan *plan, const struct board *board)
{
	uint64_t max_index;

	memset(plan, 0, sizeof(*plan));
	plan->board = board;
	plan->nr_regions = board->nr_regions + 1;
	for (unsigned i = 0; i < board->nr_regions; i++) {
		const struct ir_region *r = &board->regions[i];

		if (r->binding == BINDING_ASYNC)
			plan->nr_async += region_async_slots(r);
		else if (r->binding == BINDING_COALESCED)
			plan->nr_async++;
		plan->nr_async_bindings += region_async_bound(r);
		plan->region_text_size += strlen(r->dev->name) +
					  strlen(r->reg->name) + 2;
		if (board_file_pos(board, &r->pos))
			plan->region_text_size +=
				board_file_pos_size(board, &r->pos);
	}
	for (unsigned i = 0; i < board->nr_devices; i++) {
		const struct device_type *t = board->devices[i].type;

		if (t && board_file_pos(board, &board->devices[i].pos))
			plan->region_text_size += board_file_pos_size(
				board, &board->devices[i].pos);
		plan->kernel_irqchip |= t && t->kernel_irqchip;
		plan->kernel_pit |= t && t->kernel_pit;
	}
	plan_overlap(plan, board);
	if (plan_windows(plan) || plan_subpages(plan))
		return -1;
	max_index = board->nr_regions;
	if (plan->nr_subpages > max_index + 1)
		max_index = plan->nr_subpages - 1;
	plan->index_type = max_index > 0x7fff ? "uint32_t" : "uint16_t";
	return 0;
}


static int plan_reserved(struct board_plan *plan)
{
	const struct board *board = plan->board;

	plan->reserved = calloc(board->nr_reserved + 1,
				sizeof(*plan->reserved));
	if (!plan->reserved)
		return -1;
	for (unsigned i = 0; i < board->nr_reserved; i++)
		plan->reserved[i] = &board->reserved[i];
	qsort(plan->reserved, board->nr_reserved, sizeof(*plan->reserved),
	      range_cmp_base);
	return 0;
}

void board_plan_free(struct board_plan *plan)
{
	if (!plan)
		return;
	free(plan->reserved);
	free(plan->subpages);
	free(plan->windows);
	free(plan);
}

int board_plan_refuse_c(const struct board *board)
{
	const struct board_plan *plan = board->plan;
	const struct ir_region *r = plan ? plan->overlap : NULL;
	const char *check;

	if (!r)
		return 0;
	check = r->space == SPACE_PIO ? "pio_overlap" : "mmio_overlap";
	diag_error(&r->pos, check, "cannot emit C: %s.%s overlaps %s.%s, and "
		   "each %s of boardvm's dispatch tables names one region; "
		   "-W %s lets the board pass its checks (and -O map, json, "
		   "svg, yaml, dts show it), but only a board without "
		   "overlaps compiles to C", r->dev->name, r->reg->name,
		   plan->overlapped->dev->name, plan->overlapped->reg->name,
		   r->space == SPACE_PIO ? "port" : "MMIO byte", check);
	diag_note(&plan->overlapped->pos, "%s.%s defined here",
		  plan->overlapped->dev->name, plan->overlapped->reg->name);
	return 1;
}

int board_plan(struct board *board)
{
	struct board_plan *plan = calloc(1, sizeof(*plan));

	board_plan_free(board->plan);
	board->plan = plan;
	if (!plan || plan_fill(plan, board) || plan_reserved(plan)) {
		fprintf(stderr, "boardc: out of memory planning the tables "
			"of %s\n", board->file);
		return -1;
	}
	return 0;
}

/* Macro names: upper case, anything but [A-Z0-9] as '_'. */
int macro_char(int c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 'A';
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return c;
	return '_';
}
