// SPDX-License-Identifier: MIT
/*
 * -O svg (`boardc map --format svg`): the address maps drawn. Three
 * columns: physical memory and I/O ports, each a stack of the intervals
 * between every boundary in the map, and the board's interrupt lines and
 * PCI slots. Intervals are as tall as their labels need (one line for a
 * register, two for a RAM chunk, which also gives its range, three for a
 * PCI device: name, size and irq, slot), plus a little more the larger
 * they are; a hole inside a device only keeps its two addresses apart.
 * Every boundary carries its address.
 *
 * Nesting (window > device > region) is drawn as steps to the right:
 * a node with children keeps a labelled tab on its left. Regions are
 * coloured by binding; RAM, reserved ranges, windows and unmapped space
 * have their own fills; a legend says which is which.
 *
 * Every text is in one monospaced font (DejaVu Sans Mono, 0.602 em a
 * character), so the emitter knows each label's width: columns and tabs
 * are as wide as their longest label, and nothing is cut. Each <text>
 * carries the box it must stay inside (data-box="x y w h"), which
 * tests/boardc/svg-render.sh checks against the metric and the render.
 */
#define _GNU_SOURCE		/* asprintf */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"

#define FONT		"font-family=\"DejaVu Sans Mono, monospace\""
#define ADVANCE_NUM	1233		/* DejaVu Sans Mono: advance ... */
#define ADVANCE_DEN	2048		/* ... per em */
#define NAME_PT		11		/* labels */
#define INFO_PT		10		/* sizes, ranges, irqs, addresses */
#define TITLE_PT	16
#define HEAD_PT		13		/* column titles */
#define PAD		4		/* text inside its box */
#define LINE_H		13		/* from one label line to the next */
#define BASELINE	12		/* first line's baseline below the top */
#define ROW_H		16		/* an interval with one line of label */
#define HOLE_H		12		/* an interval with no label */
#define AXIS_GAP	8		/* address labels to the stack */
#define COLUMN_GAP	32
#define MARGIN		10
#define HEADER_H	96		/* title, legend, column titles */
#define MAX_DEPTH	2		/* window > device > region */
#define MAX_INFO	2		/* label lines after the name */
/* Boards with more nodes than this are drawn one level deep only. */
#define MAX_NODES	800
#define MAX_COLUMN_H	1200		/* one screen: deeper levels go first */

struct fill {
	const char *fill;
	const char *stroke;
	const char *text;
};

static const struct fill binding_fills[NR_BINDINGS] = {
	[BINDING_SYNC] = { "#4e79a7", "#ffffff", "#ffffff" },
	[BINDING_ASYNC] = { "#f28e2b", "#ffffff", "#000000" },
	[BINDING_COALESCED] = { "#59a14f", "#ffffff", "#ffffff" },
	[BINDING_KERNEL] = { "#8c6bb1", "#ffffff", "#ffffff" },
};

static const struct fill ram_fill = { "#fbe7a1", "#c9a93c", "#000000" };
static const struct fill reserved_fill = { "#c8c8c8", "#8a8a8a", "#000000" };
static const struct fill window_fill = { "#e8eef8", "#6b7fa8", "#1d2d50" };
static const struct fill device_fill = { "#f2f2f2", "#7a7a7a", "#000000" };
static const struct fill unmapped_fill = { "url(#unmapped)", "#d0d0d0",
					   "#707070" };

static const struct fill *node_fill(const struct map_node *n)
{
	switch (n->kind) {
	case MAP_RAM:
		return &ram_fill;
	case MAP_RESERVED:
	case MAP_ACPI:
	case MAP_RESERVED_RANGE:
		return &reserved_fill;
	case MAP_WINDOW:
		return &window_fill;
	case MAP_DEVICE:
		return &device_fill;
	case MAP_REGION:
		if ((unsigned)n->region->binding < NR_BINDINGS)
			return &binding_fills[n->region->binding];
		break;
	}
	return &device_fill;
}

/* ------------------------------------------------------------------ */
/* Text: its width, and drawing it inside its box */

/* Characters as drawn: UTF-8 continuation bytes take no room. */
static size_t text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int text_width(const char *s, int pt)
{
	uint64_t w = (uint64_t)text_chars(s) * pt * ADVANCE_NUM;

	return (int)((w + ADVANCE_DEN - 1) / ADVANCE_DEN);
}

struct box {
	int x, y, w, h;
};

enum text_style {
	TEXT_PLAIN = 0,
	TEXT_END = 1,		/* anchored at its right end */
	TEXT_BOLD = 2,
	TEXT_ITALIC = 4,
};

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			putc(*s, out);
		}
	}
}

static void draw_text(FILE *out, int x, int y, int pt, unsigned style,
		      const char *color, const struct box *b, const char *s)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\"", x, y, pt);
	if (strcmp(color, "#000000"))
		fprintf(out, " fill=\"%s\"", color);
	if (style & TEXT_END)
		fputs(" text-anchor=\"end\"", out);
	if (style & TEXT_BOLD)
		fputs(" font-weight=\"bold\"", out);
	if (style & TEXT_ITALIC)
		fputs(" font-style=\"italic\"", out);
	fprintf(out, " data-box=\"%d %d %d %d\">", b->x, b->y, b->w, b->h);
	xml_text(out, s);
	fputs("</text>\n", out);
}

/* "4 B", "16 B", "4K", "3.5G": sizes a person reads. */
static void size_text(char *buf, size_t len, uint64_t size, bool ports)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	uint64_t whole = size, frac = 0;

	while (u < 5 && whole >= 1024) {
		frac = whole & 1023;
		whole >>= 10;
		u++;
	}
	if (ports)
		snprintf(buf, len, "%" PRIu64 " %s", size,
			 size == 1 ? "port" : "ports");
	else if (u < 0)
		snprintf(buf, len, "%" PRIu64 " B", size);
	else if (frac && (double)size / (double)(1ull << (10 * (u + 1))) <
		 1023.95)
		snprintf(buf, len, "%.1f%c", (double)size /
			 (double)(1ull << (10 * (u + 1))), units[u]);
	else if (frac && u < 5)		/* just under the next unit */
		snprintf(buf, len, "%.1f%c", (double)size /
			 (double)(1ull << (10 * (u + 2))), units[u + 1]);
	else
		snprintf(buf, len, "%" PRIu64 "%c", whole, units[u]);
}

/* The end of a node; 2^64 saturates to UINT64_MAX (drawn the same). */
static uint64_t node_end(const struct map_node *n)
{
	return n->last == UINT64_MAX ? UINT64_MAX : n->last + 1;
}

/* ------------------------------------------------------------------ */
/* Labels: what a node says, measured before anything is drawn */

/*
 * A leaf says its name with its size at the right end of the same line;
 * a parent says them on two lines of its tab. Info lines follow: a RAM
 * chunk's range, a device's irq and PCI slot.
 */
struct label {
	char *name;
	char size[32];
	char *info[MAX_INFO];
	unsigned nr_info;
	bool parent;
};

static void label_free(struct label *l)
{
	free(l->name);
	for (unsigned i = 0; i < l->nr_info; i++)
		free(l->info[i]);
	memset(l, 0, sizeof(*l));
}

static int label_info(struct label *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int label_info(struct label *l, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (l->nr_info == MAX_INFO)
		return 0;
	va_start(ap, fmt);
	ret = vasprintf(&l->info[l->nr_info], fmt, ap);
	va_end(ap);
	if (ret < 0) {
		l->info[l->nr_info] = NULL;
		return -1;
	}
	l->nr_info++;
	return 0;
}

/* The RAM regions a System RAM node holds chunks of: "low-ram". */
static char *ram_regions(const struct addr_map *map, const struct map_node *n)
{
	char *s = strdup(""), *t;

	for (int i = 0; i < map->nr_ram && s; i++) {
		const struct ram_chunk *c = &map->ram[i];

		if (c->base > n->last || c->base + c->size - 1 < n->first)
			continue;
		if (asprintf(&t, "%s%s%s", s, *s ? "+" : "",
			     c->region->name) < 0)
			t = NULL;
		free(s);
		s = t;
	}
	return s;
}

static int label_ram(struct label *l, const struct addr_map *map,
		     const struct map_node *n, int hex_digits)
{
	char *regions = ram_regions(map, n);
	int ret;

	if (!regions)
		return -1;
	if (*regions)
		ret = label_info(l, "0x%0*" PRIx64 "-0x%0*" PRIx64 " (%s)",
				 hex_digits, n->first, hex_digits, n->last,
				 regions);
	else
		ret = label_info(l, "0x%0*" PRIx64 "-0x%0*" PRIx64,
				 hex_digits, n->first, hex_digits, n->last);
	free(regions);
	return ret;
}

static int label_device(struct label *l, const struct ir_device *d)
{
	if (d->has_irq && d->type && d->type->pci)
		return label_info(l, "irq %u, pci 00:%02x.0", d->irq,
				  d->pci_slot);
	if (d->type && d->type->pci)
		return label_info(l, "pci 00:%02x.0", d->pci_slot);
	if (d->has_irq)
		return label_info(l, "irq %u", d->irq);
	return 0;
}

static int label_build(struct label *l, const struct addr_map *map,
		       const struct map_node *n, bool parent, unsigned hidden,
		       bool ports, int hex_digits)
{
	const char *name = n->name;
	char extra[64] = "";
	int len;

	memset(l, 0, sizeof(*l));
	l->parent = parent;
	/* A region inside its device: the register name says enough. */
	if (n->kind == MAP_REGION && n->depth > 0 && n->region->reg)
		name = n->region->reg->name;
	/* A device's slot and irq have a line of their own. */
	if (n->kind == MAP_DEVICE && n->dev)
		name = n->dev->name;
	if (hidden)
		snprintf(extra, sizeof(extra), " (%u inside)", hidden);
	else if (n->region && n->region->bound &&
		 n->region->bound->has_datamatch)
		snprintf(extra, sizeof(extra), " (datamatch 0x%" PRIx64 ")",
			 n->region->bound->datamatch);
	len = asprintf(&l->name, "%s%s", name, extra);
	if (len < 0) {
		l->name = NULL;
		return -1;
	}
	size_text(l->size, sizeof(l->size), node_end(n) - n->first, ports);
	if (n->kind == MAP_RAM && label_ram(l, map, n, hex_digits))
		return -1;
	if (n->kind == MAP_DEVICE && n->dev && label_device(l, n->dev))
		return -1;
	return 0;
}

/* Lines the label takes, and the width it needs (padding included). */
static unsigned label_lines(const struct label *l)
{
	return 1 + l->parent + l->nr_info;
}

static int label_width(const struct label *l)
{
	int w;

	if (l->parent) {
		w = text_width(l->name, NAME_PT);
		if (text_width(l->size, INFO_PT) > w)
			w = text_width(l->size, INFO_PT);
	} else {
		w = text_width(l->name, NAME_PT) + 2 * PAD +
		    text_width(l->size, INFO_PT);
	}
	for (unsigned i = 0; i < l->nr_info; i++)
		if (text_width(l->info[i], INFO_PT) > w)
			w = text_width(l->info[i], INFO_PT);
	return w + 2 * PAD;
}

static int lines_height(unsigned lines)
{
	return ROW_H + LINE_H * (int)(lines - 1);
}

/* ------------------------------------------------------------------ */
/* A column: its nodes, their labels, the scale and the geometry */

struct column {
	const char *title;
	bool ports;
	int hex_digits;			/* minimum, for address labels */
	const struct addr_map *map;
	/* what is drawn */
	struct map_node *shown;
	unsigned *hidden;		/* nodes inside a shown one, not drawn */
	struct label *labels;
	unsigned nr;
	unsigned max_depth;
	unsigned nr_all;		/* before the depth cut */
	/* the scale: sorted boundaries, and their heights */
	uint64_t *addr;
	int *y;
	unsigned nr_addr;
	/* geometry */
	int x, axis_x, tab_x[MAX_DEPTH + 1], right_x, bottom;
};

static void column_free(struct column *c)
{
	for (unsigned i = 0; i < c->nr && c->labels; i++)
		label_free(&c->labels[i]);
	free(c->labels);
	free(c->shown);
	free(c->hidden);
	free(c->addr);
	free(c->y);
}

static bool node_has_children(const struct column *c, unsigned i)
{
	return i + 1 < c->nr && c->shown[i + 1].depth > c->shown[i].depth;
}

static unsigned node_depth(const struct map_node *n)
{
	return n->depth > MAX_DEPTH ? MAX_DEPTH : n->depth;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The index of boundary `addr` (always one of them). */
static unsigned boundary(const struct column *c, uint64_t addr)
{
	size_t lo = LOWER_BOUND(c->nr_addr, mid, c->addr[mid] < addr);

	return lo < c->nr_addr ? (unsigned)lo : c->nr_addr - 1;
}

/* What is not drawn is counted in the node that holds it. */
static int column_select(struct column *c, const struct map_node *nodes,
			 unsigned nr, unsigned depth)
{
	c->nr_all = nr;
	c->max_depth = nr > MAX_NODES ? 0 : depth;
	c->shown = calloc(nr + 1, sizeof(*c->shown));
	c->hidden = calloc(nr + 1, sizeof(*c->hidden));
	c->labels = calloc(nr + 1, sizeof(*c->labels));
	if (!c->shown || !c->hidden || !c->labels)
		return -1;
	for (unsigned i = 0; i < nr; i++)
		if (nodes[i].depth <= c->max_depth)
			c->shown[c->nr++] = nodes[i];
		else if (c->nr && nodes[i].depth == c->max_depth + 1)
			c->hidden[c->nr - 1]++;
	return 0;
}

/* Boundaries: 0, `end` (when not 0), and both ends of every node. */
static int column_boundaries(struct column *c, uint64_t end)
{
	unsigned n = 0;

	c->addr = calloc(2 * c->nr + 3, sizeof(*c->addr));
	c->y = calloc(2 * c->nr + 3, sizeof(*c->y));
	if (!c->addr || !c->y)
		return -1;
	c->addr[n++] = 0;
	if (end)
		c->addr[n++] = end;
	for (unsigned i = 0; i < c->nr; i++) {
		c->addr[n++] = c->shown[i].first;
		c->addr[n++] = node_end(&c->shown[i]);
	}
	qsort(c->addr, n, sizeof(*c->addr), u64_cmp);
	c->nr_addr = 0;
	for (unsigned i = 0; i < n; i++)
		if (!c->nr_addr || c->addr[i] != c->addr[c->nr_addr - 1])
			c->addr[c->nr_addr++] = c->addr[i];
	/* The largest node's end sets the digits of every address label. */
	for (unsigned i = 0; i < c->nr; i++)
		while (c->hex_digits < 16 &&
		       c->shown[i].last >> (4 * c->hex_digits))
			c->hex_digits++;
	return 0;
}

/* The address printed at boundary i. */
static void boundary_text(const struct column *c, unsigned i, char *buf,
			  size_t len)
{
	if (i + 1 == c->nr_addr && c->addr[i] == UINT64_MAX)
		snprintf(buf, len, "0x10000000000000000");
	else
		snprintf(buf, len, "0x%0*" PRIx64, c->hex_digits, c->addr[i]);
}

/* Intervals no top-level node covers: unmapped space (or free ports). */
static bool interval_is_gap(const struct column *c, unsigned i,
			    unsigned *j)
{
	uint64_t a = c->addr[i];

	while (*j < c->nr && (c->shown[*j].depth ||
			      node_end(&c->shown[*j]) <= a))
		(*j)++;
	return !(*j < c->nr && c->shown[*j].first <= a);
}

static void gap_text(const struct column *c, unsigned i, char *buf,
		     size_t len)
{
	char size[32];

	size_text(size, sizeof(size), c->addr[i + 1] - c->addr[i], c->ports);
	snprintf(buf, len, "unmapped, %s", size);
}

/* A little taller the larger it is: 1 px per doubling above 4K. */
static int size_bonus(uint64_t size)
{
	int bits = 63 - __builtin_clzll(size | 1);

	return bits > 12 ? (bits - 12 > 20 ? 20 : bits - 12) : 0;
}

/*
 * Heights: a hole keeps its two addresses apart; an interval a leaf or
 * a gap covers holds one line and grows with its size; then every node
 * gets the lines its label needs, added to its last interval.
 */
static int column_heights(struct column *c)
{
	int *h = calloc(c->nr_addr, sizeof(*h));
	unsigned j = 0;

	if (!h)
		return -1;
	for (unsigned i = 0; i + 1 < c->nr_addr; i++) {
		uint64_t size = c->addr[i + 1] - c->addr[i];

		h[i] = HOLE_H;
		if (interval_is_gap(c, i, &j))
			h[i] = ROW_H + size_bonus(size);
	}
	for (unsigned k = 0; k < c->nr; k++) {
		unsigned a = boundary(c, c->shown[k].first);
		unsigned b = boundary(c, node_end(&c->shown[k]));
		int need = lines_height(label_lines(&c->labels[k])), sum = 0;

		if (!node_has_children(c, k))
			for (unsigned i = a; i < b; i++)
				if (h[i] < ROW_H + size_bonus(c->addr[i + 1] -
							       c->addr[i]))
					h[i] = ROW_H + size_bonus(
						c->addr[i + 1] - c->addr[i]);
		for (unsigned i = a; i < b; i++)
			sum += h[i];
		if (b > a && sum < need)
			h[b - 1] += need - sum;
	}
	c->y[0] = HEADER_H;
	for (unsigned i = 1; i < c->nr_addr; i++)
		c->y[i] = c->y[i - 1] + h[i - 1];
	free(h);
	return 0;
}

/* Left edges from the widest address, tab and leaf at each depth. */
static void column_widths(struct column *c, int x)
{
	int tab_w[MAX_DEPTH + 1] = { 0 }, leaf_w[MAX_DEPTH + 1] = { 0 };
	int axis_w = 0, gap_w = 0;
	char buf[64];
	unsigned j = 0;

	for (unsigned i = 0; i < c->nr_addr; i++) {
		boundary_text(c, i, buf, sizeof(buf));
		if (text_width(buf, INFO_PT) > axis_w)
			axis_w = text_width(buf, INFO_PT);
	}
	for (unsigned i = 0; i + 1 < c->nr_addr; i++) {
		if (!interval_is_gap(c, i, &j))
			continue;
		gap_text(c, i, buf, sizeof(buf));
		if (text_width(buf, INFO_PT) + 2 * PAD > gap_w)
			gap_w = text_width(buf, INFO_PT) + 2 * PAD;
	}
	for (unsigned k = 0; k < c->nr; k++) {
		unsigned d = node_depth(&c->shown[k]);
		int w = label_width(&c->labels[k]);
		int *slot = c->labels[k].parent ? &tab_w[d] : &leaf_w[d];

		if (w > *slot)
			*slot = w;
	}
	c->x = x;
	c->axis_x = x + axis_w;
	c->tab_x[0] = c->axis_x + AXIS_GAP;
	for (unsigned d = 1; d <= MAX_DEPTH; d++)
		c->tab_x[d] = c->tab_x[d - 1] + tab_w[d - 1];
	c->right_x = c->tab_x[0] + gap_w;
	for (unsigned d = 0; d <= MAX_DEPTH; d++)
		if (c->tab_x[d] + leaf_w[d] > c->right_x)
			c->right_x = c->tab_x[d] + leaf_w[d];
	/* The deepest tab is only as deep as MAX_DEPTH: room for it. */
	if (c->tab_x[MAX_DEPTH] + tab_w[MAX_DEPTH] > c->right_x)
		c->right_x = c->tab_x[MAX_DEPTH] + tab_w[MAX_DEPTH];
	if (c->x + text_width(c->title, HEAD_PT) > c->right_x)
		c->right_x = c->x + text_width(c->title, HEAD_PT);
}

static int column_layout(struct column *c, const struct addr_map *map,
			 const struct map_node *nodes, unsigned nr, int x,
			 unsigned depth)
{
	c->map = map;
	if (column_select(c, nodes, nr, depth))
		return -1;
	/* The port space is small enough to draw whole. */
	if (column_boundaries(c, c->ports ? 0x10000 : 0))
		return -1;
	for (unsigned i = 0; i < c->nr; i++)
		if (label_build(&c->labels[i], map, &c->shown[i],
				node_has_children(c, i), c->hidden[i],
				c->ports, c->hex_digits))
			return -1;
	column_widths(c, x);
	if (column_heights(c))
		return -1;
	c->bottom = c->y[c->nr_addr - 1] + 8;
	if (c->max_depth < MAX_DEPTH)
		c->bottom += ROW_H;
	return 0;
}

/*
 * Lay the column out as deep as fits one screen: a board whose registers
 * make it taller than MAX_COLUMN_H is drawn to its devices, each counting
 * the registers it holds.
 */
static int column_build(struct column *c, const struct addr_map *map,
			const struct map_node *nodes, unsigned nr, int x)
{
	const struct column blank = {
		.title = c->title, .ports = c->ports,
		.hex_digits = c->hex_digits,
	};

	for (unsigned depth = MAX_DEPTH;; depth--) {
		if (column_layout(c, map, nodes, nr, x, depth))
			return -1;
		if (c->bottom <= MAX_COLUMN_H || !depth || c->max_depth < depth)
			return 0;
		column_free(c);
		*c = blank;
	}
}

/* ------------------------------------------------------------------ */
/* Drawing a column: boxes first, then every text over them */

static void draw_rect(FILE *out, int x, int y, int w, int h,
		      const struct fill *f, bool dashed)
{
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"%s\" stroke=\"%s\"%s/>\n", x, y, w, h, f->fill,
		f->stroke, dashed ? " stroke-dasharray=\"4 2\"" : "");
}

static void node_box(const struct column *c, unsigned k, struct box *b)
{
	const struct map_node *n = &c->shown[k];
	unsigned d = node_depth(n);

	b->x = c->tab_x[d];
	b->y = c->y[boundary(c, n->first)];
	b->h = c->y[boundary(c, node_end(n))] - b->y;
	b->w = c->right_x - b->x;
	/* A parent's label lives in its tab, left of its children. */
	if (c->labels[k].parent && d < MAX_DEPTH)
		b->w = c->tab_x[d + 1] - b->x;
}

static void draw_boxes(FILE *out, const struct column *c)
{
	unsigned j = 0;

	for (unsigned i = 0; i + 1 < c->nr_addr; i++)
		if (interval_is_gap(c, i, &j))
			draw_rect(out, c->tab_x[0], c->y[i],
				  c->right_x - c->tab_x[0],
				  c->y[i + 1] - c->y[i], &unmapped_fill,
				  false);
	for (unsigned k = 0; k < c->nr; k++) {
		const struct map_node *n = &c->shown[k];
		unsigned d = node_depth(n);
		int y = c->y[boundary(c, n->first)];

		draw_rect(out, c->tab_x[d], y, c->right_x - c->tab_x[d],
			  c->y[boundary(c, node_end(n))] - y, node_fill(n),
			  n->kind == MAP_WINDOW);
	}
	for (unsigned i = 0; i < c->nr_addr; i++)
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			"stroke=\"#999999\"/>\n", c->axis_x + 2, c->y[i],
			c->tab_x[0], c->y[i]);
}

/* The box's text, from its top: one box per line, inside the node's. */
static void draw_label(FILE *out, const struct box *b, const struct label *l,
		       const struct fill *f)
{
	struct box line = { b->x, b->y, b->w, ROW_H };
	int y = b->y + BASELINE;

	draw_text(out, b->x + PAD, y, NAME_PT, TEXT_PLAIN, f->text, &line,
		  l->name);
	if (!l->parent)
		draw_text(out, b->x + b->w - PAD, y, INFO_PT, TEXT_END,
			  f->text, &line, l->size);
	for (unsigned i = 0; i < l->parent + l->nr_info; i++) {
		const char *s = i < l->parent ? l->size :
				l->info[i - l->parent];

		y += LINE_H;
		line.y += LINE_H;
		draw_text(out, b->x + PAD, y, INFO_PT, TEXT_PLAIN, f->text,
			  &line, s);
	}
}

static void draw_texts(FILE *out, const struct column *c)
{
	struct box b;
	char buf[64];
	unsigned j = 0;

	b = (struct box){ c->x, HEADER_H - 26, c->right_x - c->x, 20 };
	draw_text(out, c->x, HEADER_H - 12, HEAD_PT, TEXT_BOLD, "#000000",
		  &b, c->title);
	for (unsigned i = 0; i + 1 < c->nr_addr; i++) {
		if (!interval_is_gap(c, i, &j))
			continue;
		gap_text(c, i, buf, sizeof(buf));
		b = (struct box){ c->tab_x[0], c->y[i],
				  c->right_x - c->tab_x[0], ROW_H };
		draw_text(out, c->tab_x[0] + PAD, c->y[i] + BASELINE, INFO_PT,
			  TEXT_ITALIC, unmapped_fill.text, &b, buf);
	}
	for (unsigned k = 0; k < c->nr; k++) {
		node_box(c, k, &b);
		draw_label(out, &b, &c->labels[k], node_fill(&c->shown[k]));
	}
	for (unsigned i = 0; i < c->nr_addr; i++) {
		boundary_text(c, i, buf, sizeof(buf));
		b = (struct box){ c->x, c->y[i] - 6, c->axis_x - c->x, 13 };
		draw_text(out, c->axis_x, c->y[i] + 4, INFO_PT, TEXT_END,
			  "#000000", &b, buf);
	}
	if (c->max_depth < MAX_DEPTH) {
		snprintf(buf, sizeof(buf), c->max_depth ?
			 "%u entries: registers not drawn" :
			 "%u entries: top level only", c->nr_all);
		b = (struct box){ c->tab_x[0], c->bottom - ROW_H - 4,
				  c->right_x - c->tab_x[0], ROW_H };
		draw_text(out, c->tab_x[0] + PAD, c->bottom - 8, NAME_PT,
			  TEXT_ITALIC, "#000000", &b, buf);
	}
}

/* ------------------------------------------------------------------ */
/* The interrupt lines and PCI slots */

struct table {
	char **lines;
	bool *head;			/* a heading (bold) */
	unsigned nr;
	int x, w, bottom;
};

static int table_add(struct table *t, bool head, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int table_add(struct table *t, bool head, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&t->lines[t->nr], fmt, ap);
	va_end(ap);
	if (ret < 0) {
		t->lines[t->nr] = NULL;
		return -1;
	}
	t->head[t->nr++] = head;
	return 0;
}

static void table_free(struct table *t)
{
	for (unsigned i = 0; i < t->nr; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->head);
}

/* One line per irq in use (its devices), one per PCI device. */
static int table_build(struct table *t, const struct board *board, int x)
{
	unsigned nr_pci = 0, max = 2 * board->nr_devices + 8;

	t->lines = calloc(max, sizeof(*t->lines));
	t->head = calloc(max, sizeof(*t->head));
	if (!t->lines || !t->head)
		return -1;
	if (table_add(t, true, "Interrupt lines (%u)", board->nr_irqs))
		return -1;
	for (unsigned irq = 0; irq < board->nr_irqs; irq++) {
		char *names = NULL, *more;
		bool used = false;

		for (unsigned i = 0; i < board->nr_devices; i++) {
			const struct ir_device *d = &board->devices[i];

			if (!d->has_irq || d->irq != irq)
				continue;
			if (asprintf(&more, "%s%s%s", names ? names : "",
				     used ? ", " : "", d->name) < 0) {
				free(names);
				return -1;
			}
			free(names);
			names = more;
			used = true;
		}
		if (!used)
			continue;
		if (table_add(t, false, "irq %u: %s", irq, names)) {
			free(names);
			return -1;
		}
		free(names);
	}
	if (t->nr == 1 && table_add(t, false, "none in use"))
		return -1;
	for (unsigned i = 0; i < board->nr_devices; i++)
		nr_pci += board->devices[i].type &&
			  board->devices[i].type->pci;
	if (nr_pci && table_add(t, true, "PCI slots (bus 0)"))
		return -1;
	for (unsigned slot = 0; slot < 32; slot++)
		for (unsigned i = 0; i < board->nr_devices; i++) {
			const struct ir_device *d = &board->devices[i];

			if (!d->type || !d->type->pci || d->pci_slot != slot)
				continue;
			if (table_add(t, false, "00:%02x.0 %s (%s)", slot,
				      d->name, d->type_name))
				return -1;
		}
	t->x = x;
	for (unsigned i = 0; i < t->nr; i++) {
		int w = text_width(t->lines[i], NAME_PT);

		if (w > t->w)
			t->w = w;
	}
	if (text_width("Interrupts and PCI", HEAD_PT) > t->w)
		t->w = text_width("Interrupts and PCI", HEAD_PT);
	t->w += 2 * PAD;
	t->bottom = HEADER_H + (int)t->nr * ROW_H + 2 * PAD + 8;
	return 0;
}

static void draw_table(FILE *out, const struct table *t)
{
	struct box b = { t->x, HEADER_H - 26, t->w, 20 };
	int y = HEADER_H;

	draw_text(out, t->x, HEADER_H - 12, HEAD_PT, TEXT_BOLD, "#000000", &b,
		  "Interrupts and PCI");
	draw_rect(out, t->x, HEADER_H, t->w, t->bottom - 8 - HEADER_H,
		  &device_fill, false);
	for (unsigned i = 0; i < t->nr; i++) {
		b = (struct box){ t->x, y + PAD, t->w, ROW_H };
		draw_text(out, t->x + PAD, y + PAD + BASELINE, NAME_PT,
			  t->head[i] ? TEXT_BOLD : TEXT_PLAIN, "#000000", &b,
			  t->lines[i]);
		y += ROW_H;
	}
}

/* ------------------------------------------------------------------ */
/* The header and the whole picture */

static const struct {
	const char *label;
	const struct fill *fill;
} legend[] = {
	{ "sync", &binding_fills[BINDING_SYNC] },
	{ "async (ioeventfd)", &binding_fills[BINDING_ASYNC] },
	{ "coalesced", &binding_fills[BINDING_COALESCED] },
	{ "kernel (in KVM)", &binding_fills[BINDING_KERNEL] },
	{ "RAM", &ram_fill },
	{ "reserved", &reserved_fill },
	{ "window", &window_fill },
	{ "device", &device_fill },
	{ "unmapped", &unmapped_fill },
};

static int legend_width(void)
{
	int x = MARGIN;

	for (unsigned i = 0; i < ARRAY_SIZE(legend); i++)
		x += 14 + PAD + text_width(legend[i].label, NAME_PT) + 14;
	return x;
}

static void draw_legend(FILE *out)
{
	int x = MARGIN;

	for (unsigned i = 0; i < ARRAY_SIZE(legend); i++) {
		int w = text_width(legend[i].label, NAME_PT);
		struct box b = { x + 14 + PAD, 42, w, 18 };

		draw_rect(out, x, 44, 14, 14, legend[i].fill,
			  legend[i].fill == &window_fill);
		draw_text(out, x + 14 + PAD, 55, NAME_PT, TEXT_PLAIN,
			  "#000000", &b, legend[i].label);
		x += 14 + PAD + w + 14;
	}
}

static char *title_text(const struct board *board, uint64_t mem)
{
	char size[32], *s;

	size_text(size, sizeof(size), mem, false);
	if (asprintf(&s, "%s: %s, RAM %s, %u-%u cpus", board->name,
		     board->file, size, board->cpus_default,
		     board->cpus_max) < 0)
		return NULL;
	return s;
}

static void draw_header(FILE *out, const char *title, int width)
{
	struct box b = { MARGIN, 8, width - 2 * MARGIN, 22 };

	fputs("<defs><pattern id=\"unmapped\" width=\"8\" height=\"8\" "
	      "patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\">"
	      "<rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#e2e2e2\" "
	      "stroke-width=\"3\"/></pattern></defs>\n", out);
	draw_text(out, MARGIN, 24, TITLE_PT, TEXT_BOLD, "#000000", &b, title);
	draw_legend(out);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int svg_draw(FILE *out, const struct board *board,
		    const struct addr_map *map, uint64_t mem)
{
	struct column mem_col = {
		.title = "Physical address space (not to scale)",
		.hex_digits = 8,
	};
	struct column port_col = {
		.title = "I/O ports (not to scale)",
		.ports = true, .hex_digits = 4,
	};
	struct table irqs = { 0 };
	char *title = title_text(board, mem);
	int width, height, ret = -1;

	if (!title ||
	    column_build(&mem_col, map, map->iomem, map->nr_iomem, MARGIN) ||
	    column_build(&port_col, map, map->ioports, map->nr_ioports,
			 mem_col.right_x + COLUMN_GAP) ||
	    table_build(&irqs, board, port_col.right_x + COLUMN_GAP))
		goto out;
	width = max_int(irqs.x + irqs.w + MARGIN,
			max_int(legend_width(),
				text_width(title, TITLE_PT) + 2 * MARGIN));
	height = max_int(max_int(mem_col.bottom, port_col.bottom),
			 irqs.bottom);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" " FONT ">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		width, height, width, height);
	draw_header(out, title, width);
	draw_boxes(out, &mem_col);
	draw_boxes(out, &port_col);
	draw_table(out, &irqs);
	draw_texts(out, &mem_col);
	draw_texts(out, &port_col);
	fputs("</svg>\n", out);
	ret = 0;
out:
	table_free(&irqs);
	column_free(&port_col);
	column_free(&mem_col);
	free(title);
	return ret;
}

int board_to_svg(const struct board *board, uint64_t mem, FILE *out)
{
	struct addr_map map;
	int ret;

	if (addr_map_build(&map, board, mem))
		return -1;
	ret = svg_draw(out, board, &map, mem);
	if (ret)
		fprintf(stderr, "boardc: out of memory drawing the map of "
			"%s\n", board->file);
	addr_map_free(&map);
	return ret;
}
