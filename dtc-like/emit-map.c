// SPDX-License-Identifier: MIT
/*
 * -O map (`boardc map`): the board's address spaces as a person reads
 * them, in the formats Linux uses, so a guest's /proc/iomem, /proc/ioports
 * and boot log can be compared with them line by line:
 *   /proc/iomem    "%08llx-%08llx : name", two spaces per nesting level
 *   /proc/ioports  "%04llx-%04llx : name"
 *   e820           "BIOS-e820: [mem 0x%016llx-0x%016llx] usable"
 *
 * The trees (addr_map_build()) are shared with the JSON and SVG maps: RAM
 * for the chosen size and reserved ranges as the e820 map has them (merged),
 * the board's reserved ranges nested in them by name, windows, devices in
 * windows, register regions in devices.
 */
#define _GNU_SOURCE		/* asprintf */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "addrmap.h"

const char *map_kind_name(enum map_kind kind)
{
	switch (kind) {
	case MAP_RAM:
		return "ram";
	case MAP_RESERVED:
		return "reserved";
	case MAP_ACPI:
		return "acpi";
	case MAP_RESERVED_RANGE:
		return "reserved-range";
	case MAP_WINDOW:
		return "window";
	case MAP_DEVICE:
		return "device";
	case MAP_REGION:
		return "region";
	}
	return "?";
}

/* As the kernel's e820_print_type() names them. */
const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case E820_RAM:
		return "usable";
	case E820_RESERVED:
		return "reserved";
	case E820_ACPI:
		return "ACPI data";
	}
	return "type ?";
}

/* ------------------------------------------------------------------ */
/* Building the trees */

struct node_list {
	struct map_node *nodes;
	unsigned nr, max;
};

static struct map_node *node_add(struct node_list *list, enum map_kind kind,
				 uint64_t first, uint64_t last,
				 const char *name)
{
	struct map_node *n;

	if (list->nr == list->max) {
		unsigned max = list->max ? 2 * list->max : 64;
		struct map_node *nodes = realloc(list->nodes,
						 max * sizeof(*nodes));

		if (!nodes)
			return NULL;
		list->nodes = nodes;
		list->max = max;
	}
	n = &list->nodes[list->nr];
	memset(n, 0, sizeof(*n));
	n->name = strdup(name);
	if (!n->name)
		return NULL;
	n->kind = kind;
	n->first = first;
	n->last = last;
	list->nr++;
	return n;
}

/* Parents before children: containers first among equal ranges. */
static unsigned kind_rank(enum map_kind kind)
{
	switch (kind) {
	case MAP_RAM:
	case MAP_RESERVED:
	case MAP_ACPI:
	case MAP_WINDOW:
		return 0;
	case MAP_RESERVED_RANGE:
	case MAP_DEVICE:
		return 1;
	case MAP_REGION:
		return 2;
	}
	return 3;
}

static int node_cmp(const void *a, const void *b)
{
	const struct map_node *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return (int)kind_rank(x->kind) - (int)kind_rank(y->kind);
}

/* Sort, then nest each node in the closest earlier node containing it. */
static int nodes_nest(struct map_node *nodes, unsigned nr)
{
	unsigned *stack, top = 0;

	if (nr)		/* nodes is NULL for an empty space */
		qsort(nodes, nr, sizeof(*nodes), node_cmp);
	stack = calloc(nr + 1, sizeof(*stack));
	if (!stack)
		return -1;
	for (unsigned i = 0; i < nr; i++) {
		struct map_node *n = &nodes[i];

		while (top && nodes[stack[top - 1]].last < n->last)
			top--;
		n->depth = top;
		stack[top++] = i;
	}
	free(stack);
	return 0;
}

/* Linux names the host bridge's windows "PCI Bus 0000:00". */
static const char *window_label(const struct ir_range *w)
{
	if (!strcmp(w->name, "pci") || !strncmp(w->name, "pci-", 4))
		return "PCI Bus 0000:00";
	return w->name;
}

static int add_windows(struct node_list *list, const struct board *board,
		       enum board_space space)
{
	for (unsigned i = 0; i < board->nr_windows; i++) {
		const struct ir_range *w = &board->windows[i];
		struct map_node *n;

		if (w->space != space || !w->size)
			continue;
		n = node_add(list, MAP_WINDOW, w->base, w->base + w->size - 1,
			     window_label(w));
		if (!n)
			return -1;
		n->range = w;
	}
	return 0;
}

/*
 * A device's regions in one space, each as a node, inside a device node
 * when they tile one block; otherwise (the i8259's ports 0x20, 0xa0,
 * 0x4d0) a block would wrongly contain other devices, so they stand alone.
 */
static int add_device(struct node_list *list, const struct board *board,
		      const unsigned *idx, unsigned n)
{
	const struct ir_region *regions = board->regions;
	const struct ir_region *first = &regions[idx[0]];
	const struct ir_region *last = &regions[idx[n - 1]];
	bool tiled = true;
	struct map_node *node;

	for (unsigned i = 1; i < n; i++)
		if (regions[idx[i]].base !=
		    regions[idx[i - 1]].base + regions[idx[i - 1]].size)
			tiled = false;
	if (first->space == SPACE_MMIO && first->dev->type->pci) {
		/* A PCI device: its whole BAR0, named with its address. */
		const struct ir_device *d = first->dev;
		char *name;

		if (asprintf(&name, "%s (pci 00:%02x.0)", d->name,
			     d->pci_slot) < 0)
			return -1;
		node = node_add(list, MAP_DEVICE, d->mmio.base, d->mmio.base +
				device_type_bar_size(d->type) - 1, name);
		free(name);
		if (!node)
			return -1;
		node->dev = d;
	} else if (tiled) {
		node = node_add(list, MAP_DEVICE, first->base,
				last->base + last->size - 1, first->dev->name);
		if (!node)
			return -1;
		node->dev = first->dev;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct ir_region *r = &regions[idx[i]];
		char *name;

		if (!r->size)
			continue;
		if (asprintf(&name, "%s.%s", r->dev->name, r->reg->name) < 0)
			return -1;
		node = node_add(list, MAP_REGION, r->base,
				r->base + r->size - 1, name);
		free(name);
		if (!node)
			return -1;
		node->dev = r->dev;
		node->region = r;
	}
	return 0;
}

/* Every device's regions in `space`, grouped by device (counting sort). */
static int add_devices(struct node_list *list, const struct board *board,
		       enum board_space space)
{
	unsigned nd = board->nr_devices;
	unsigned *start = calloc(nd + 2, sizeof(*start));
	unsigned *fill = calloc(nd + 1, sizeof(*fill));
	unsigned *idx = calloc(board->nr_regions + 1, sizeof(*idx));
	int ret = -1;

	if (!start || !fill || !idx)
		goto out;
	for (unsigned i = 0; i < board->nr_regions; i++)
		if (board->regions[i].space == space)
			start[board->regions[i].dev - board->devices + 1]++;
	for (unsigned d = 0; d < nd; d++) {
		start[d + 1] += start[d];
		fill[d] = start[d];
	}
	for (unsigned i = 0; i < board->nr_regions; i++)
		if (board->regions[i].space == space)
			idx[fill[board->regions[i].dev - board->devices]++] = i;
	for (unsigned d = 0; d < nd; d++)
		if (start[d + 1] > start[d] &&
		    add_device(list, board, &idx[start[d]],
			       start[d + 1] - start[d]))
			goto out;
	ret = 0;
out:
	free(idx);
	free(fill);
	free(start);
	return ret;
}

/* As Linux names e820 entries in /proc/iomem. */
static enum map_kind e820_kind(uint32_t type, const char **name)
{
	switch (type) {
	case E820_RAM:
		*name = "System RAM";
		return MAP_RAM;
	case E820_ACPI:
		*name = "ACPI Tables";
		return MAP_ACPI;
	}
	*name = "Reserved";
	return MAP_RESERVED;
}

/* A board reserved range, in each e820 entry it reaches (split by the
 * ACPI pages, as pc's bios-rom is). */
static int add_reserved_range(struct node_list *list,
			      const struct addr_map *map,
			      const struct ir_range *r)
{
	for (int i = 0; i < map->nr_e820; i++) {
		uint64_t first, last;
		struct map_node *n;

		if (map->e820[i].type == E820_RAM ||
		    !e820_entry_clip(&map->e820[i], r->base, r->size, &first,
				     &last))
			continue;
		n = node_add(list, MAP_RESERVED_RANGE, first, last, r->name);
		if (!n)
			return -1;
		n->range = r;
	}
	return 0;
}

static int add_memory(struct node_list *list, const struct addr_map *map,
		      const struct board *board)
{
	for (int i = 0; i < map->nr_e820; i++) {
		const struct e820_entry *e = &map->e820[i];
		const char *name;
		enum map_kind kind = e820_kind(e->type, &name);

		if (!node_add(list, kind, e->addr, e->addr + e->size - 1, name))
			return -1;
	}
	for (unsigned i = 0; i < board->nr_reserved; i++)
		if (board->reserved[i].size &&
		    add_reserved_range(list, map, &board->reserved[i]))
			return -1;
	return 0;
}

/* The ACPI tables' pages as ACPI data (dtc-like/acpi.c places them). */
static int mark_acpi_tables(struct addr_map *map, const struct board *board,
			    unsigned max)
{
	const struct srcpos *pos;
	struct acpi_image img;
	char err[256];

	if (!board_wants_tables(board, "acpi") ||
	    board_acpi_build(board, &img, err, sizeof(err), &pos) < 0)
		return map->nr_e820;
	map->nr_e820 = ram_layout_e820_acpi(map->e820, map->nr_e820, max,
					    img.base, img.b.len);
	acpi_image_free(&img);
	return map->nr_e820;
}

static int build_e820(struct addr_map *map, const struct board *board)
{
	const struct ir_region *ecam = board_ecam(board);
	unsigned nr_res = board->nr_reserved + (ecam != NULL);
	unsigned max = board->nr_ram + nr_res + 3;
	struct ram_span *ram = calloc(board->nr_ram + 1, sizeof(*ram));
	struct ram_span *res = calloc(nr_res + 1, sizeof(*res));
	int ret = -1;

	map->e820 = calloc(max, sizeof(*map->e820));
	if (!ram || !res || !map->e820)
		goto out;
	for (int i = 0; i < map->nr_ram; i++) {
		ram[i].base = map->ram[i].base;
		ram[i].size = map->ram[i].size;
	}
	for (unsigned i = 0; i < board->nr_reserved; i++) {
		res[i].base = board->reserved[i].base;
		res[i].size = board->reserved[i].size;
	}
	if (ecam)		/* the e820 map's alone: --mem does not count it */
		res[board->nr_reserved] = (struct ram_span){ ecam->base,
							     ecam->size, 0 };
	map->nr_e820 = ram_layout_e820(ram, map->nr_ram, res, nr_res,
				       map->e820, max);
	if (map->nr_e820 >= 0 && mark_acpi_tables(map, board, max) >= 0)
		ret = 0;
out:
	free(res);
	free(ram);
	return ret;
}

/* boardc's message for a --mem the board's RAM does not take. */
static void ram_fill_refused(const struct board *board, uint64_t mem,
			     const struct ram_fill_fault *fault)
{
	const char *prev = "", *next = "";
	char size[32], why[320];

	if (fault->kind == RAM_FILL_OK) {
		fprintf(stderr, "boardc: out of memory\n");
		return;
	}
	if (fault->kind == RAM_FILL_IN_RESERVED) {
		prev = board->ram[fault->prev].name;
		next = board->ram[fault->next].name;
	}
	ram_size_str(mem, size, sizeof(size));
	ram_fill_fault_explain(fault, prev, next, why, sizeof(why));
	fprintf(stderr, "boardc: --mem %s %s (board %s)\n", size, why,
		board->file);
}

int addr_map_build(struct addr_map *map, const struct board *board,
		   uint64_t mem)
{
	struct node_list iomem = { 0 }, ioports = { 0 };
	struct ram_fill_fault fault;

	memset(map, 0, sizeof(*map));
	map->mem = mem;
	map->ram = calloc(board->nr_ram + 1, sizeof(*map->ram));
	if (!map->ram)
		goto out_nomem;
	map->nr_ram = board_ram_fill(board, mem, map->ram, board->nr_ram,
				     &fault);
	if (map->nr_ram < 0) {
		ram_fill_refused(board, mem, &fault);
		map->nr_ram = 0;
		addr_map_free(map);
		return -1;
	}
	if (build_e820(map, board) ||
	    add_memory(&iomem, map, board) ||
	    add_windows(&iomem, board, SPACE_MMIO) ||
	    add_devices(&iomem, board, SPACE_MMIO) ||
	    add_windows(&ioports, board, SPACE_PIO) ||
	    add_devices(&ioports, board, SPACE_PIO))
		goto out_nomem;
	map->iomem = iomem.nodes;
	map->nr_iomem = iomem.nr;
	map->ioports = ioports.nodes;
	map->nr_ioports = ioports.nr;
	iomem.nodes = ioports.nodes = NULL;
	if (nodes_nest(map->iomem, map->nr_iomem) ||
	    nodes_nest(map->ioports, map->nr_ioports))
		goto out_nomem;
	return 0;
out_nomem:
	for (unsigned i = 0; i < iomem.nr; i++)
		free(iomem.nodes[i].name);
	for (unsigned i = 0; i < ioports.nr; i++)
		free(ioports.nodes[i].name);
	free(iomem.nodes);
	free(ioports.nodes);
	addr_map_free(map);
	fprintf(stderr, "boardc: out of memory building the maps of %s\n",
		board->file);
	return -1;
}

void addr_map_free(struct addr_map *map)
{
	for (unsigned i = 0; i < map->nr_iomem; i++)
		free(map->iomem[i].name);
	for (unsigned i = 0; i < map->nr_ioports; i++)
		free(map->ioports[i].name);
	free(map->iomem);
	free(map->ioports);
	free(map->e820);
	free(map->ram);
	memset(map, 0, sizeof(*map));
}

/* ------------------------------------------------------------------ */
/* Text */

/* "512M", "3584M", "1T": the largest binary unit that divides it. */
static void print_size(FILE *out, uint64_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && size && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		fprintf(out, "%" PRIu64, size);
	else
		fprintf(out, "%" PRIu64 "%c", size, units[u]);
}

static void print_tree(FILE *out, const struct map_node *nodes, unsigned nr,
		       int width)
{
	for (unsigned i = 0; i < nr; i++) {
		const struct map_node *n = &nodes[i];
		const struct ir_region *r = n->region;

		fprintf(out, "%*s%0*" PRIx64 "-%0*" PRIx64 " : %s",
			2 * n->depth, "", width, n->first, width, n->last,
			n->name);
		if (r && r->bound && r->bound->has_datamatch)
			fprintf(out, " (%s, datamatch 0x%" PRIx64 ")",
				binding_name(r->binding), r->bound->datamatch);
		else if (r)
			fprintf(out, " (%s)", binding_name(r->binding));
		putc('\n', out);
	}
}

static void print_e820(FILE *out, const struct addr_map *map)
{
	for (int i = 0; i < map->nr_e820; i++) {
		const struct e820_entry *e = &map->e820[i];

		fprintf(out, "BIOS-e820: [mem 0x%016" PRIx64 "-0x%016" PRIx64
			"] %s\n", e->addr, e->addr + e->size - 1,
			e820_type_name(e->type));
	}
}

int board_to_map_section(const struct board *board, uint64_t mem,
			 const char *section, FILE *out)
{
	struct addr_map map;
	bool all = !section;

	if (section && strcmp(section, "iomem") && strcmp(section, "ioports")
	    && strcmp(section, "e820")) {
		fprintf(stderr, "boardc: unknown map section '%s': use iomem, "
			"ioports or e820\n", section);
		return -1;
	}
	if (addr_map_build(&map, board, mem))
		return -1;
	if (all) {
		fprintf(out, "boardc map of %s (%s), RAM ", board->name,
			board->file);
		print_size(out, mem);
		fputs("\n\n/proc/iomem:\n", out);
	}
	if (all || !strcmp(section, "iomem"))
		print_tree(out, map.iomem, map.nr_iomem, 8);
	if (all)
		fputs("\n/proc/ioports:\n", out);
	if (all || !strcmp(section, "ioports"))
		print_tree(out, map.ioports, map.nr_ioports, 4);
	if (all)
		fputs("\ne820 (as the kernel logs it):\n", out);
	if (all || !strcmp(section, "e820"))
		print_e820(out, &map);
	addr_map_free(&map);
	return 0;
}

int board_to_map(const struct board *board, uint64_t mem, FILE *out)
{
	return board_to_map_section(board, mem, NULL, out);
}
