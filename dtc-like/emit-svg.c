// SPDX-License-Identifier: MIT
/*
 * -O svg (`boardc map --format svg`): the address maps drawn. Two
 * columns, physical memory and I/O ports, each a stack of the intervals
 * between every boundary in the map. An interval's height grows with the
 * logarithm of its size, so a 4-byte doorbell and a 3 GiB RAM chunk are
 * both visible and labelled; every boundary carries its address.
 *
 * Nesting (window > device > region) is drawn as steps to the right:
 * a node with children keeps a labelled tab on its left. Regions are
 * coloured by binding; RAM, reserved ranges, windows and unmapped space
 * have their own fills; a legend says which is which.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"

#define FONT		"font-family=\"DejaVu Sans, Helvetica, sans-serif\""
#define MONO		"font-family=\"DejaVu Sans Mono, monospace\""
#define HEADER_H	96		/* title, legend, column titles */
#define MIN_H		18		/* the smallest interval drawn */
#define MAX_DEPTH	2		/* window > device > region */
/* Boards with more nodes than this are drawn one level deep only. */
#define MAX_NODES	800

/* Where a column's parts go. */
struct column {
	const char *title;
	int axis_x;			/* right edge of the address labels */
	int tab_x[MAX_DEPTH + 1];	/* left edge of each nesting level */
	int right_x;
	int hex_digits;			/* minimum, for address labels */
	int px_per_bit;			/* interval height per doubling */
	int max_h;
};

static const struct column mem_column = {
	.title = "Physical address space (not to scale)",
	.axis_x = 138, .tab_x = { 146, 282, 382 }, .right_x = 640,
	.hex_digits = 8, .px_per_bit = 3, .max_h = 84,
};

static const struct column port_column = {
	.title = "I/O ports (not to scale)",
	.axis_x = 748, .tab_x = { 756, 880, 970 }, .right_x = 1180,
	.hex_digits = 4, .px_per_bit = 4, .max_h = 60,
};

#define SVG_WIDTH	1200

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
					   "#808080" };

static const struct fill *node_fill(const struct map_node *n)
{
	switch (n->kind) {
	case MAP_RAM:
		return &ram_fill;
	case MAP_RESERVED:
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

static void xml_text(FILE *out, const char *s, size_t max)
{
	size_t len = strlen(s);
	bool cut = len > max && max > 1;

	if (cut)
		len = max - 1;
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
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
			putc(s[i], out);
		}
	}
	if (cut)
		fputs("\xe2\x80\xa6", out);	/* an ellipsis */
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

/* ------------------------------------------------------------------ */
/* The scale: boundaries and their heights */

struct scale {
	uint64_t *addr;			/* sorted boundaries */
	int *y;
	unsigned nr;
	bool end_is_top;		/* the last boundary is 2^64 */
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The end of a node; 2^64 saturates to UINT64_MAX (drawn the same). */
static uint64_t node_end(const struct map_node *n)
{
	return n->last == UINT64_MAX ? UINT64_MAX : n->last + 1;
}

static int interval_height(const struct column *col, uint64_t size)
{
	int bits = 63 - __builtin_clzll(size | 1);
	int h = MIN_H + col->px_per_bit * bits;

	return h > col->max_h ? col->max_h : h;
}

/* Boundaries: 0, `end` (when not 0), and both ends of every node. */
static int scale_build(struct scale *s, const struct column *col,
		       const struct map_node *nodes, unsigned nr,
		       uint64_t end, int top)
{
	unsigned n = 0;

	s->addr = calloc(2 * nr + 3, sizeof(*s->addr));
	s->y = calloc(2 * nr + 3, sizeof(*s->y));
	if (!s->addr || !s->y)
		return -1;
	s->addr[n++] = 0;
	if (end)
		s->addr[n++] = end;
	for (unsigned i = 0; i < nr; i++) {
		s->addr[n++] = nodes[i].first;
		s->addr[n++] = node_end(&nodes[i]);
	}
	qsort(s->addr, n, sizeof(*s->addr), u64_cmp);
	s->nr = 0;
	for (unsigned i = 0; i < n; i++)
		if (!s->nr || s->addr[i] != s->addr[s->nr - 1])
			s->addr[s->nr++] = s->addr[i];
	s->y[0] = top;
	for (unsigned i = 1; i < s->nr; i++)
		s->y[i] = s->y[i - 1] +
			  interval_height(col, s->addr[i] - s->addr[i - 1]);
	return 0;
}

static int scale_y(const struct scale *s, uint64_t addr)
{
	size_t lo = LOWER_BOUND(s->nr, mid, s->addr[mid] < addr);

	return s->y[lo < s->nr ? lo : s->nr - 1];
}

static void scale_free(struct scale *s)
{
	free(s->addr);
	free(s->y);
}

/* ------------------------------------------------------------------ */
/* Drawing */

static void draw_rect(FILE *out, int x, int y, int w, int h,
		      const struct fill *f, bool dashed)
{
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"%s\" stroke=\"%s\"%s/>\n", x, y, w, h, f->fill,
		f->stroke, dashed ? " stroke-dasharray=\"4 2\"" : "");
}

static bool node_has_children(const struct map_node *nodes, unsigned nr,
			      unsigned i)
{
	return i + 1 < nr && nodes[i + 1].depth > nodes[i].depth;
}

static void draw_node(FILE *out, const struct column *col,
		      const struct scale *s, const struct map_node *nodes,
		      unsigned nr, unsigned i, bool ports, unsigned hidden)
{
	const struct map_node *n = &nodes[i];
	const struct fill *f = node_fill(n);
	unsigned depth = n->depth > MAX_DEPTH ? MAX_DEPTH : n->depth;
	int x = col->tab_x[depth], y = scale_y(s, n->first);
	int h = scale_y(s, node_end(n)) - y;
	bool parent = node_has_children(nodes, nr, i);
	const char *name = n->name;
	int text_w;
	char size[32];

	draw_rect(out, x, y, col->right_x - x, h, f, n->kind == MAP_WINDOW);
	/* A region inside its device: the register name says enough. */
	if (n->kind == MAP_REGION && depth > 0 && n->region->reg)
		name = n->region->reg->name;
	text_w = parent ? col->tab_x[depth + 1 <= MAX_DEPTH ? depth + 1 :
				      MAX_DEPTH] - x - 6
			: col->right_x - x - 60;
	fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"%s\" font-size=\"11\">",
		x + 4, y + 13, f->text);
	xml_text(out, name, text_w > 0 ? (size_t)text_w / 6 : 1);
	if (hidden)
		fprintf(out, " (%u inside)", hidden);
	if (n->region && n->region->bound && n->region->bound->has_datamatch)
		fprintf(out, " (datamatch 0x%" PRIx64 ")",
			n->region->bound->datamatch);
	fputs("</text>\n", out);
	size_text(size, sizeof(size), node_end(n) - n->first, ports);
	if (parent) {
		if (h >= 30)
			fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"%s\" "
				"font-size=\"10\">%s</text>\n", x + 4, y + 26,
				f->text, size);
	} else {
		fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"%s\" "
			"font-size=\"10\" text-anchor=\"end\">%s</text>\n",
			col->right_x - 4, y + 13, f->text, size);
	}
}

/* Intervals no top-level node covers: unmapped space (or free ports). */
static void draw_gaps(FILE *out, const struct column *col,
		      const struct scale *s, const struct map_node *nodes,
		      unsigned nr, bool ports)
{
	unsigned j = 0;

	for (unsigned i = 0; i + 1 < s->nr; i++) {
		uint64_t a = s->addr[i];
		char size[32];
		int y = s->y[i], h = s->y[i + 1] - s->y[i];

		while (j < nr && (nodes[j].depth || node_end(&nodes[j]) <= a))
			j++;
		if (j < nr && nodes[j].first <= a)
			continue;
		draw_rect(out, col->tab_x[0], y, col->right_x - col->tab_x[0],
			  h, &unmapped_fill, false);
		size_text(size, sizeof(size), s->addr[i + 1] - a, ports);
		fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"%s\" "
			"font-size=\"10\" font-style=\"italic\">unmapped, "
			"%s</text>\n", col->tab_x[0] + 4, y + 13,
			unmapped_fill.text, size);
	}
}

static void draw_axis(FILE *out, const struct column *col,
		      const struct scale *s)
{
	for (unsigned i = 0; i < s->nr; i++) {
		bool top = i + 1 == s->nr && s->addr[i] == UINT64_MAX;

		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			"stroke=\"#999999\"/>\n", col->axis_x - 4, s->y[i],
			col->tab_x[0], s->y[i]);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
			"text-anchor=\"end\" " MONO ">", col->axis_x - 6,
			s->y[i] + 4);
		if (top)
			fputs("0x10000000000000000", out);
		else
			fprintf(out, "0x%0*" PRIx64, col->hex_digits,
				s->addr[i]);
		fputs("</text>\n", out);
	}
}

static int draw_column(FILE *out, const struct column *col,
		       const struct map_node *nodes, unsigned nr, bool ports,
		       int *bottom)
{
	struct scale s = { 0 };
	unsigned max_depth = nr > MAX_NODES ? 0 : MAX_DEPTH;
	struct map_node *shown;
	unsigned *hidden, n = 0;

	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" "
		"font-weight=\"bold\">%s</text>\n", col->axis_x - 120,
		HEADER_H - 12, col->title);
	shown = calloc(nr + 1, sizeof(*shown));
	hidden = calloc(nr + 1, sizeof(*hidden));
	if (!shown || !hidden) {
		free(shown);
		free(hidden);
		return -1;
	}
	/* What is not drawn is counted in the node that holds it. */
	for (unsigned i = 0; i < nr; i++)
		if (nodes[i].depth <= max_depth)
			shown[n++] = nodes[i];
		else if (n && nodes[i].depth == max_depth + 1)
			hidden[n - 1]++;
	/* The port space is small enough to draw whole. */
	if (scale_build(&s, col, shown, n, ports ? 0x10000 : 0, HEADER_H)) {
		free(hidden);
		free(shown);
		scale_free(&s);
		return -1;
	}
	draw_gaps(out, col, &s, shown, n, ports);
	for (unsigned i = 0; i < n; i++)
		draw_node(out, col, &s, shown, n, i, ports, hidden[i]);
	draw_axis(out, col, &s);
	if (max_depth < MAX_DEPTH)
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
			"font-style=\"italic\">%u entries: top level only"
			"</text>\n", col->tab_x[0], s.y[s.nr - 1] + 16, nr);
	*bottom = s.y[s.nr - 1] + 24;
	free(hidden);
	free(shown);
	scale_free(&s);
	return 0;
}

static void draw_legend(FILE *out)
{
	static const struct {
		const char *label;
		const struct fill *fill;
	} items[] = {
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
	int x = 10;

	for (unsigned i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		draw_rect(out, x, 44, 14, 14, items[i].fill,
			  items[i].fill == &window_fill);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s"
			"</text>\n", x + 18, 55, items[i].label);
		x += 26 + 7 * (int)strlen(items[i].label);
	}
}

static void draw_header(FILE *out, const struct board *board, uint64_t mem)
{
	char size[32];

	size_text(size, sizeof(size), mem, false);
	fputs("<defs><pattern id=\"unmapped\" width=\"8\" height=\"8\" "
	      "patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\">"
	      "<rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#e2e2e2\" "
	      "stroke-width=\"3\"/></pattern></defs>\n", out);
	fputs("<text x=\"10\" y=\"24\" font-size=\"16\" "
	      "font-weight=\"bold\">", out);
	xml_text(out, board->name, 64);
	fputs(": ", out);
	xml_text(out, board->file, 120);
	fprintf(out, ", RAM %s</text>\n", size);
	draw_legend(out);
}

int board_to_svg(const struct board *board, uint64_t mem, FILE *out)
{
	struct addr_map map;
	int mem_bottom = 0, port_bottom = 0, height, ret = -1;
	char *body = NULL;
	size_t body_len = 0;
	FILE *b;

	if (addr_map_build(&map, board, mem))
		return -1;
	/* The height is known once drawn: draw into memory first. */
	b = open_memstream(&body, &body_len);
	if (!b)
		goto out;
	draw_header(b, board, mem);
	if (draw_column(b, &mem_column, map.iomem, map.nr_iomem, false,
			&mem_bottom) ||
	    draw_column(b, &port_column, map.ioports, map.nr_ioports, true,
			&port_bottom)) {
		fclose(b);
		goto out;
	}
	if (fclose(b))
		goto out;
	height = mem_bottom > port_bottom ? mem_bottom : port_bottom;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" " FONT ">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		SVG_WIDTH, height, SVG_WIDTH, height);
	fwrite(body, 1, body_len, out);
	fputs("</svg>\n", out);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "boardc: out of memory drawing the map of "
			"%s\n", board->file);
	free(body);
	addr_map_free(&map);
	return ret;
}
