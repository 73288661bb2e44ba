// SPDX-License-Identifier: MIT
/*
 * -O json (`boardc map --format json`): the same maps as the text map,
 * machine-readable. Keys come in a fixed order; numbers are plain JSON
 * integers (bytes and addresses); ranges are inclusive (first, last), as
 * in /proc/iomem. Trees nest with "children".
 */
#include <inttypes.h>
#include <string.h>

#include "addrmap.h"

static void json_string(FILE *out, const char *s)
{
	if (s)
		fput_quoted_as(out, s, QUOTE_JSON);
	else
		fputs("null", out);
}

static void indent(FILE *out, unsigned level)
{
	fprintf(out, "%*s", 2 * level, "");
}

/* `"key": "value"` with the separator before it. */
static void json_key_string(FILE *out, unsigned level, bool *first,
			    const char *key, const char *value)
{
	fputs(*first ? "\n" : ",\n", out);
	*first = false;
	indent(out, level);
	fprintf(out, "\"%s\": ", key);
	json_string(out, value);
}

static void json_key_number(FILE *out, unsigned level, bool *first,
			    const char *key, uint64_t value)
{
	fputs(*first ? "\n" : ",\n", out);
	*first = false;
	indent(out, level);
	fprintf(out, "\"%s\": %" PRIu64, key, value);
}

static void json_key_raw(FILE *out, unsigned level, bool *first,
			 const char *key, const char *raw)
{
	fputs(*first ? "\n" : ",\n", out);
	*first = false;
	indent(out, level);
	fprintf(out, "\"%s\": %s", key, raw);
}

static void json_node_fields(FILE *out, const struct map_node *n,
			     unsigned level, bool *first)
{
	const struct ir_region *r = n->region;

	json_key_string(out, level, first, "name", n->name);
	json_key_string(out, level, first, "kind", map_kind_name(n->kind));
	json_key_number(out, level, first, "first", n->first);
	json_key_number(out, level, first, "last", n->last);
	if (n->kind == MAP_WINDOW)
		json_key_string(out, level, first, "window", n->range->name);
	if (n->dev)
		json_key_string(out, level, first, "device", n->dev->name);
	if (r) {
		json_key_string(out, level, first, "register", r->reg->name);
		json_key_string(out, level, first, "binding",
				binding_name(r->binding));
		if (r->bound && r->bound->has_datamatch)
			json_key_number(out, level, first, "datamatch",
					r->bound->datamatch);
	}
	if (n->range && n->kind == MAP_RESERVED_RANGE)
		json_key_raw(out, level, first, "backed",
			     n->range->backed ? "true" : "false");
	if (r)
		json_key_string(out, level, first, "srcpos",
				srcpos_string(&r->pos));
	else if (n->dev)
		json_key_string(out, level, first, "srcpos",
				srcpos_string(&n->dev->pos));
	else if (n->range)
		json_key_string(out, level, first, "srcpos",
				srcpos_string(&n->range->pos));
}

/* The siblings at nodes[*i].depth, each with its children, as an array. */
static void json_tree(FILE *out, const struct map_node *nodes, unsigned nr,
		      unsigned *i, unsigned level)
{
	unsigned depth = nodes[*i].depth;
	bool first_item = true;

	fputs("[", out);
	while (*i < nr && nodes[*i].depth == depth) {
		const struct map_node *n = &nodes[(*i)++];
		bool first = true;

		fputs(first_item ? "\n" : ",\n", out);
		first_item = false;
		indent(out, level + 1);
		fputs("{", out);
		json_node_fields(out, n, level + 2, &first);
		if (*i < nr && nodes[*i].depth > depth) {
			fputs(",\n", out);
			indent(out, level + 2);
			fputs("\"children\": ", out);
			json_tree(out, nodes, nr, i, level + 2);
		}
		putc('\n', out);
		indent(out, level + 1);
		putc('}', out);
	}
	putc('\n', out);
	indent(out, level);
	putc(']', out);
}

static void json_key_tree(FILE *out, bool *first, const char *key,
			  const struct map_node *nodes, unsigned nr)
{
	unsigned i = 0;

	fputs(*first ? "\n" : ",\n", out);
	*first = false;
	fprintf(out, "  \"%s\": ", key);
	if (!nr)
		fputs("[]", out);
	else
		json_tree(out, nodes, nr, &i, 1);
}

static void json_ram(FILE *out, bool *first, const struct addr_map *map)
{
	fputs(",\n  \"ram\": [", out);
	for (int i = 0; i < map->nr_ram; i++) {
		const struct ram_chunk *c = &map->ram[i];
		bool f = true;

		fputs(i ? ",\n    {" : "\n    {", out);
		json_key_string(out, 3, &f, "region", c->region->name);
		json_key_number(out, 3, &f, "first", c->base);
		json_key_number(out, 3, &f, "last", c->base + c->size - 1);
		json_key_number(out, 3, &f, "size", c->size);
		fputs("\n    }", out);
	}
	fputs(map->nr_ram ? "\n  ]" : "]", out);
}

static void json_e820(FILE *out, const struct addr_map *map)
{
	fputs(",\n  \"e820\": [", out);
	for (int i = 0; i < map->nr_e820; i++) {
		const struct e820_entry *e = &map->e820[i];
		bool f = true;

		fputs(i ? ",\n    {" : "\n    {", out);
		json_key_number(out, 3, &f, "first", e->addr);
		json_key_number(out, 3, &f, "last", e->addr + e->size - 1);
		json_key_number(out, 3, &f, "size", e->size);
		json_key_string(out, 3, &f, "type", e820_type_name(e->type));
		fputs("\n    }", out);
	}
	fputs(map->nr_e820 ? "\n  ]" : "]", out);
}

static void json_devices(FILE *out, const struct board *board)
{
	fputs(",\n  \"devices\": [", out);
	for (unsigned i = 0; i < board->nr_devices; i++) {
		const struct ir_device *d = &board->devices[i];
		bool f = true;

		fputs(i ? ",\n    {" : "\n    {", out);
		json_key_string(out, 3, &f, "name", d->name);
		json_key_string(out, 3, &f, "type", d->type_name);
		if (d->pio.present)
			json_key_number(out, 3, &f, "io-ports", d->pio.base);
		if (d->mmio.present)
			json_key_number(out, 3, &f, "mmio", d->mmio.base);
		if (d->has_irq)
			json_key_number(out, 3, &f, "irq", d->irq);
		if (d->type && d->type->pci) {
			json_key_number(out, 3, &f, "pci-slot", d->pci_slot);
			json_key_number(out, 3, &f, "bar-size",
					device_type_bar_size(d->type));
		}
		json_key_string(out, 3, &f, "srcpos", srcpos_string(&d->pos));
		fputs("\n    }", out);
	}
	fputs(board->nr_devices ? "\n  ]" : "]", out);
}

int board_to_json(const struct board *board, uint64_t mem, FILE *out)
{
	struct addr_map map;
	bool first = true;

	if (addr_map_build(&map, board, mem))
		return -1;
	fputs("{", out);
	json_key_string(out, 1, &first, "board", board->name);
	json_key_string(out, 1, &first, "description", board->description);
	json_key_string(out, 1, &first, "source", board->file);
	json_key_number(out, 1, &first, "cpus-default", board->cpus_default);
	json_key_number(out, 1, &first, "cpus-max", board->cpus_max);
	json_key_number(out, 1, &first, "irqs", board->nr_irqs);
	json_key_number(out, 1, &first, "mem", mem);
	json_ram(out, &first, &map);
	json_e820(out, &map);
	json_key_tree(out, &first, "iomem", map.iomem, map.nr_iomem);
	json_key_tree(out, &first, "ioports", map.ioports, map.nr_ioports);
	json_devices(out, board);
	fputs("\n}\n", out);
	addr_map_free(&map);
	return 0;
}
