// SPDX-License-Identifier: MIT
/*
 * The dtc-like text syntax: board_from_dts() runs the flex/bison parser
 * (dts-lexer.l, dts-parser.y), whose actions build the generic device tree
 * of dts-tree.c; that merges the top-level blocks and resolves references,
 * and this file walks the finished tree into the IR of boardc.h with every
 * position kept. docs/board-format-dts.md maps each YAML key to its construct.
 *
 * Syntax errors stop before the walk (exit 1); mistakes in the tree's
 * shape are reported with the YAML front end's check names
 * (unknown_property, missing_property, duplicate_key, bad_number, ...).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "boardc.h"
#include "input.h"
#include "dts-parser.h"
#include "dts-tree.h"
#include "keys.h"


/* ---- reading values ---- */

/* "name" of "name@unit". */
static char *node_basename(const struct dt_node *node)
{
	size_t len = strcspn(node->name, "@");
	char *name = xcalloc(1, len + 1);

	memcpy(name, node->name, len);
	return name;
}

/* "a string", "3 cells", ... for "found ..." (4 at a time). */
static const char *value_kind(const struct dt_prop *prop)
{
	static char bufs[4][32];
	static unsigned next;
	char *buf = bufs[next++ % 4];

	if (!prop->value)
		return "no value";
	if (prop->value->next)
		return "a list";
	if (prop->value->is_string)
		return "a string";
	snprintf(buf, sizeof(bufs[0]), "%u cell%s", prop->value->nr_cells,
		 prop->value->nr_cells == 1 ? "" : "s");
	return buf;
}

static void report_kind(const struct dt_prop *prop, const char *wanted,
			const char *what)
{
	diag_error(&prop->value_pos, "dts_structure",
		   "expected %s for %s, found %s", wanted, what,
		   value_kind(prop));
}

static bool prop_string(const struct dt_prop *prop, const char *what,
			char **out)
{
	if (!prop->value || prop->value->next || !prop->value->is_string) {
		report_kind(prop, "a \"string\"", what);
		return false;
	}
	*out = xstrdup(prop->value->string);
	return true;
}

/* The number of a cell chunk: <n>, <hi lo> or /bits/ 64 <n>. */
static bool chunk_number(const struct dt_chunk *c, uint64_t *value)
{
	if (!c || c->is_string || !c->nr_cells || c->nr_cells > 2)
		return false;
	for (unsigned i = 0; i < c->nr_cells; i++)
		if (c->cells[i].ref)
			return false;
	if (c->nr_cells == 1) {
		*value = c->cells[0].value;
		return true;
	}
	if (c->bits != 32)
		return false;
	*value = c->cells[0].value << 32 | c->cells[1].value;
	return true;
}

static bool prop_number(const struct dt_prop *prop, const char *what,
			uint64_t *value)
{
	if (!prop->value || prop->value->next ||
	    !chunk_number(prop->value, value)) {
		report_kind(prop, "<number> (or <hi lo> for 64 bits)", what);
		return false;
	}
	return true;
}

static bool prop_unsigned(const struct dt_prop *prop, const char *what,
			  unsigned *value)
{
	uint64_t v;

	if (!prop_number(prop, what, &v))
		return false;
	if (v > UINT_MAX) {
		diag_error(&prop->value_pos, "bad_number", "number 0x%llx for "
			   "%s is out of range: at most %u",
			   (unsigned long long)v, what, UINT_MAX);
		return false;
	}
	*value = (unsigned)v;
	return true;
}

static bool prop_flag(const struct dt_prop *prop, const char *what)
{
	if (prop->value) {
		report_kind(prop, "no value (write 'name;')", what);
		return false;
	}
	return true;
}

/*
 * A node's properties and subnodes against the names it may have:
 * unknown ones are reported, as the YAML front end reports unknown keys.
 */
struct shape {
	const char *where;		/* "device 'com1'" */
	const char *const *props;
	unsigned nr_props;
	const char *const *nodes;
	unsigned nr_nodes;
	bool any_props;			/* device properties, bindings */
	bool any_nodes;			/* ranges, devices */
};

static bool name_in(const char *name, const char *const *list, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

static void names_list(const char *const *list, unsigned nr, char *buf,
		       size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < nr && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", list[i]);
}

static void shape_check(const struct dt_node *node, const struct shape *s)
{
	char valid[256];

	for (struct dt_prop *p = node->props; p; p = p->next) {
		if (s->any_props || name_in(p->name, s->props, s->nr_props))
			continue;
		if (!s->nr_props) {
			check_report(&p->pos, "unknown_property", "unknown "
				     "property '%s' in %s: it has no "
				     "properties", p->name, s->where);
			continue;
		}
		names_list(s->props, s->nr_props, valid, sizeof(valid));
		check_report(&p->pos, "unknown_property", "unknown property "
			     "'%s' in %s%s(valid properties: %s)", p->name,
			     s->where, name_hint(name_suggest_list(p->name,
				     s->props, s->nr_props)), valid);
	}
	for (struct dt_node *c = node->children; c; c = c->next) {
		if (s->any_nodes || name_in(c->name, s->nodes, s->nr_nodes))
			continue;
		if (!s->nr_nodes) {
			check_report(&c->pos, "unknown_property", "unknown "
				     "node '%s' in %s: it has no subnodes",
				     c->name, s->where);
			continue;
		}
		names_list(s->nodes, s->nr_nodes, valid, sizeof(valid));
		check_report(&c->pos, "unknown_property", "unknown node '%s' "
			     "in %s%s(valid nodes: %s)", c->name, s->where,
			     name_hint(name_suggest_list(c->name, s->nodes,
							 s->nr_nodes)), valid);
	}
}

static void report_missing(const struct srcpos *pos, const char *where,
			   const char *name, const char *example,
			   const char *why)
{
	diag_error(pos, "missing_property", "%s has no '%s': add '%s' (%s)",
		   where, name, example, why);
}

/* #address-cells / #size-cells of a container (dtc's defaults: 2, 1). */
static unsigned cells_of(const struct dt_node *node, const char *name,
			 unsigned dflt)
{
	const struct dt_prop *p = dt_prop_get(node, name);
	unsigned v = dflt;
	char what[128];

	if (!p)
		return dflt;
	snprintf(what, sizeof(what), "'%s' of '%s'", name, node->name);
	if (!prop_unsigned(p, what, &v))
		return dflt;
	if (v < 1 || v > 2) {
		diag_error(&p->value_pos, "bad_number", "%s is %u: write <1> "
			   "or <2> (32- or 64-bit values)", what, v);
		return dflt;
	}
	return v;
}

/* A value of `n` cells starting at cells[at]; its position in `pos`. */
static uint64_t cells_value(const struct dt_chunk *c, unsigned at,
			    unsigned n, struct srcpos *pos)
{
	uint64_t v = 0;

	*pos = c->cells[at].pos;
	pos->last_line = c->cells[at + n - 1].pos.last_line;
	pos->last_column = c->cells[at + n - 1].pos.last_column;
	for (unsigned i = 0; i < n; i++)
		v = v << 32 | c->cells[at + i].value;
	return v;
}

/* ---- ranges: RAM regions, reserved, windows ---- */

static const char *const range_props[] = { DTS_REG, KEY_BACKED };

static void range_from_dts(const struct dt_node *node, unsigned ac,
			   unsigned sc, const char *kind, bool backed_ok,
			   struct ir_range *range)
{
	char where[192], what[256];
	struct shape s = {
		.where = where, .props = range_props,
		.nr_props = backed_ok ? 2 : 1,
	};
	const struct dt_prop *reg = dt_prop_get(node, DTS_REG);
	const struct dt_prop *backed = dt_prop_get(node, KEY_BACKED);

	range->name = node_basename(node);
	snprintf(where, sizeof(where), "%s '%s'", kind, range->name);
	range->pos = node->pos;
	range->base_pos = range->size_pos = node->pos;
	shape_check(node, &s);
	if (!reg) {
		report_missing(&node->pos, where, "reg",
			       "reg = <base size>;", "in the cells that "
			       "#address-cells and #size-cells say");
	} else if (!reg->value || reg->value->next || reg->value->is_string ||
		   reg->value->bits != 32 ||
		   reg->value->nr_cells != ac + sc) {
		char found[32];

		snprintf(what, sizeof(what), "'reg' of %s", where);
		if (reg->value && !reg->value->next && !reg->value->is_string)
			snprintf(found, sizeof(found), "%u cells",
				 reg->value->nr_cells);
		else
			snprintf(found, sizeof(found), "%s", value_kind(reg));
		diag_error(&reg->value_pos, "dts_structure", "expected <base "
			   "size> in %u + %u cells for %s (#address-cells and "
			   "#size-cells of '%s'), found %s", ac, sc, what,
			   node->parent->name, found);
	} else {
		range->base = cells_value(reg->value, 0, ac, &range->base_pos);
		range->size = cells_value(reg->value, ac, sc,
					  &range->size_pos);
	}
	if (backed_ok && backed) {
		snprintf(what, sizeof(what), "'backed' of %s", where);
		range->backed = prop_flag(backed, what);
	}
}

static unsigned count_children(const struct dt_node *node)
{
	unsigned n = 0;

	for (struct dt_node *c = node->children; c; c = c->next)
		n++;
	return n;
}

static const char *const container_props[] = {
	DTS_ADDRESS_CELLS, DTS_SIZE_CELLS,
};

/* The subnodes of `node` as ranges, appended to *ranges. */
static void ranges_from_dts(const struct dt_node *node, const char *kind,
			    bool backed_ok, enum board_space space,
			    struct ir_range **ranges, unsigned *nr)
{
	unsigned ac = cells_of(node, DTS_ADDRESS_CELLS, 2);
	unsigned sc = cells_of(node, DTS_SIZE_CELLS, 1);
	unsigned n = count_children(node);
	struct ir_range *all;
	char where[128];
	struct shape s = {
		.where = where, .props = container_props, .nr_props = 2,
		.any_nodes = true,
	};

	snprintf(where, sizeof(where), "'%s'", node->name);
	if (strcmp(node->name, KEY_RAM))	/* ram: ram_from_dts() */
		shape_check(node, &s);
	all = ir_ranges_grow(ranges, *nr, n) - *nr;
	for (struct dt_node *c = node->children; c; c = c->next) {
		all[*nr].space = space;
		range_from_dts(c, ac, sc, kind, backed_ok, &all[*nr]);
		(*nr)++;
	}
}

/* ---- cpus, irqs, ram ---- */

static void cpus_from_dts(struct board *b, const struct dt_node *node)
{
	static const char *const props[] = { KEY_DEFAULT, KEY_MAX };
	struct shape s = {
		.where = "'cpus'", .props = props, .nr_props = 2,
	};
	const struct dt_prop *p;

	b->cpus_pos = node->pos;
	shape_check(node, &s);
	p = dt_prop_get(node, KEY_DEFAULT);
	if (p)
		prop_unsigned(p, "'cpus/default'", &b->cpus_default);
	p = dt_prop_get(node, KEY_MAX);
	if (p)
		prop_unsigned(p, "'cpus/max'", &b->cpus_max);
}

/* The board's interrupt lines: an interrupt controller node. */
static void irqs_from_dts(struct board *b, const struct dt_node *node)
{
	static const char *const props[] = {
		DTS_LINES, DTS_INTERRUPT_CONTROLLER, DTS_INTERRUPT_CELLS,
		DTS_ADDRESS_CELLS,
	};
	struct shape s = {
		.where = "'irqs'", .props = props, .nr_props = 4,
	};
	const struct dt_prop *p;

	b->irqs_pos = node->pos;
	shape_check(node, &s);
	p = dt_prop_get(node, DTS_LINES);
	if (!p) {
		report_missing(&node->pos, "'irqs'", "lines",
			       "lines = <24>;",
			       "the number of interrupt lines");
		return;
	}
	b->irqs_pos = p->value_pos;
	prop_unsigned(p, "'irqs/lines'", &b->nr_irqs);
}

static void ram_from_dts(struct board *b, const struct dt_node *node)
{
	static const char *const props[] = {
		KEY_DEFAULT, DTS_ADDRESS_CELLS, DTS_SIZE_CELLS,
	};
	struct shape s = {
		.where = "'ram'", .props = props, .nr_props = 3,
		.any_nodes = true,
	};
	const struct dt_prop *p = dt_prop_get(node, KEY_DEFAULT);

	b->ram_pos = node->pos;
	shape_check(node, &s);
	if (!p) {
		report_missing(&node->pos, "'ram'", "default",
			       "default = <0x0 0x20000000>;", "the guest RAM "
			       "size, here 512M, unless --mem says otherwise");
	} else {
		b->ram_pos = p->value_pos;
		prop_number(p, "'ram/default'", &b->ram_default);
	}
	ranges_from_dts(node, "RAM region", false, SPACE_MMIO, &b->ram,
			&b->nr_ram);
	if (!b->nr_ram)
		diag_error(&node->pos, "missing_property", "'ram' has no "
			   "regions: add at least one, like 'ram@0 { reg = "
			   "<0x0 0x0 0x0 0xc0000000>; };'");
}

/* ---- devices ---- */

/* The window node a placement refers to: a child of `windows`. */
static void placement_window(const struct dt_cell *cell,
			     const char *windows, const char *what,
			     struct ir_placement *pl)
{
	struct dt_node *node = dt_ref_find(cell->ref);

	size_t len = strlen(windows);
	const char *name;

	pl->is_auto = true;
	pl->window_pos = cell->pos;
	/*
	 * &{/mmio-windows/NAME} naming no node is a window that does not
	 * exist: window_containment says so, as it does for YAML.
	 */
	if (!node && !strncmp(cell->ref, "{/", 2) &&
	    !strncmp(cell->ref + 2, windows, len) &&
	    cell->ref[len + 2] == '/') {
		name = cell->ref + len + 3;
		pl->window = xcalloc(1, strlen(name));
		memcpy(pl->window, name, strcspn(name, "@}/"));
		return;
	}
	if (!node) {
		dt_report_unresolved(&cell->pos, cell->ref);
		return;
	}
	if (!node->parent || strcmp(node->parent->name, windows) ||
	    node->parent->parent != dt_tree_root()) {
		diag_error(&cell->pos, "dts_structure", "%s refers to '%s', "
			   "which is not in '/%s': refer to a window there",
			   what, node->name, windows);
		return;
	}
	pl->window = node_basename(node);
}

/*
 * io-ports / mmio: <base> (or <hi lo>), "auto", or <&window>: auto inside
 * the window node the reference names.
 */
static void placement_from_dts(const struct dt_prop *prop,
			       const char *windows, const char *where,
			       struct ir_placement *pl)
{
	const struct dt_chunk *c = prop->value;
	char what[256];

	snprintf(what, sizeof(what), "'%s' of %s", prop->name, where);
	pl->present = true;
	pl->pos = prop->value_pos;
	if (c && !c->next && c->is_string && !strcmp(c->string, KEY_AUTO)) {
		pl->is_auto = true;
		return;
	}
	if (c && !c->next && !c->is_string && c->nr_cells == 1 &&
	    c->cells[0].ref) {
		placement_window(&c->cells[0], windows, what, pl);
		return;
	}
	if (!c || c->next || !chunk_number(c, &pl->base))
		report_kind(prop, "<base>, \"auto\" or <&window>", what);
}

/* pci-slot = <N>; or pci-slot = "auto"; */
static void pci_slot_from_dts(const struct dt_prop *p, const char *where,
			      struct ir_device *dev)
{
	const struct dt_chunk *c = p->value;
	char what[256];

	snprintf(what, sizeof(what), "'pci-slot' of %s", where);
	dev->pci_slot_pos = p->value_pos;
	if (c && !c->next && c->is_string && !strcmp(c->string, KEY_AUTO)) {
		dev->has_pci_slot = dev->pci_slot_auto = true;
		return;
	}
	dev->has_pci_slot = prop_unsigned(p, what, &dev->pci_slot);
}

/* Canonical text of a cell literal for the IR: as written. */
static char *cell_text(const struct dt_cell *cell)
{
	char buf[32];

	if (cell->text)
		return xstrdup(cell->text);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)cell->value);
	return xstrdup(buf);
}

/*
 * A device property as the text YAML would hold: `name;` is "true",
 * "text" is text, <n> is n as written, <hi lo> its 64-bit value in hex.
 */
static bool property_text(const struct dt_prop *prop, const char *where,
			  char **text)
{
	const struct dt_chunk *c = prop->value;
	char what[256], buf[32];
	uint64_t v;

	if (!c) {
		*text = xstrdup("true");
		return true;
	}
	if (!c->next && c->is_string) {
		*text = xstrdup(c->string);
		return true;
	}
	if (!c->next && c->nr_cells == 1 && !c->cells[0].ref) {
		*text = cell_text(&c->cells[0]);
		return true;
	}
	if (!c->next && chunk_number(c, &v)) {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
		*text = xstrdup(buf);
		return true;
	}
	snprintf(what, sizeof(what), "property '%s' of %s", prop->name,
		 where);
	report_kind(prop, "no value, \"text\" or <number>", what);
	return false;
}

/* `reg = "async";` or `reg = "async", <datamatch>;` */
static void binding_from_dts(const struct dt_prop *prop, const char *where,
			     struct ir_binding *bd)
{
	const struct dt_chunk *c = prop->value;
	char what[256];

	snprintf(what, sizeof(what), "register '%s' of %s", prop->name,
		 where);
	bd->reg = xstrdup(prop->name);
	bd->pos = prop->pos;
	bd->value_pos = prop->value_pos;
	if (!c || !c->is_string || (c->next && (c->next->next ||
	    !chunk_number(c->next, &bd->datamatch)))) {
		report_kind(prop, "\"sync\", \"async\", \"coalesced\" or "
			    "\"async\", <datamatch>", what);
		return;
	}
	bd->has_datamatch = c->next != NULL;
	if (!parse_binding(c->string, &bd->binding))
		diag_error(&c->pos, "bad_binding", "bad binding '%s' for %s: "
			   "write sync, async or coalesced%s", c->string, what,
			   !strcmp(c->string, "kernel") ? " ('kernel' belongs "
			   "to in-KVM device types only)" : "");
}

static void bindings_from_dts(const struct dt_node *node, const char *where,
			      struct ir_device *dev)
{
	unsigned n = 0;
	char what[256];
	struct shape s = { .where = what, .any_props = true };

	snprintf(what, sizeof(what), "'bindings' of %s", where);
	shape_check(node, &s);
	for (struct dt_prop *p = node->props; p; p = p->next)
		n++;
	dev->bindings = xcalloc(n, sizeof(*dev->bindings));
	for (struct dt_prop *p = node->props; p; p = p->next)
		binding_from_dts(p, where, &dev->bindings[dev->nr_bindings++]);
}

/* Structure, not type-specific properties: the rest of a device node. */
static const char *const device_props[] = {
	DTS_TYPE, KEY_IO_PORTS, KEY_MMIO, DTS_IRQ, KEY_PCI_SLOT, KEY_TRANSPORT,
};
static const char *const device_nodes[] = { KEY_BINDINGS };

static bool device_structural(const char *name)
{
	return name_in(name, device_props, ARRAY_SIZE(device_props));
}

static void device_from_dts(const struct dt_node *node,
			    struct ir_device *dev)
{
	char where[192], what[256];
	struct shape s = {
		.where = where, .any_props = true,
		.nodes = device_nodes, .nr_nodes = ARRAY_SIZE(device_nodes),
	};
	const struct dt_prop *p;
	const struct dt_node *bindings;
	unsigned n = 0;

	dev->name = node_basename(node);
	if (node->labels)
		dev->label = xstrdup(node->labels->name);
	snprintf(where, sizeof(where), "device '%s'", dev->name);
	dev->pos = dev->name_pos = dev->type_pos = node->pos;
	shape_check(node, &s);
	p = dt_prop_get(node, DTS_TYPE);
	if (!p) {
		report_missing(&node->pos, where, "compatible",
			       "compatible = \"TYPE\";", "a device type, like "
			       "\"uart16550\"");
	} else {
		dev->type_pos = p->value_pos;
		snprintf(what, sizeof(what), "'compatible' of %s", where);
		prop_string(p, what, &dev->type_name);
	}
	p = dt_prop_get(node, KEY_TRANSPORT);
	if (p) {
		dev->transport_pos = p->value_pos;
		snprintf(what, sizeof(what), "'transport' of %s", where);
		prop_string(p, what, &dev->transport);
	}
	p = dt_prop_get(node, KEY_IO_PORTS);
	if (p)
		placement_from_dts(p, "io-windows", where, &dev->pio);
	p = dt_prop_get(node, KEY_MMIO);
	if (p)
		placement_from_dts(p, "mmio-windows", where, &dev->mmio);
	p = dt_prop_get(node, DTS_IRQ);
	if (p) {
		dev->irq_pos = p->value_pos;
		snprintf(what, sizeof(what), "'interrupts' of %s", where);
		dev->has_irq = prop_unsigned(p, what, &dev->irq);
	}
	p = dt_prop_get(node, KEY_PCI_SLOT);
	if (p)
		pci_slot_from_dts(p, where, dev);
	for (p = node->props; p; p = p->next)
		n += !device_structural(p->name);
	dev->props = xcalloc(n, sizeof(*dev->props));
	for (p = node->props; p; p = p->next) {
		struct ir_property *prop = &dev->props[dev->nr_props];

		if (device_structural(p->name) ||
		    !property_text(p, where, &prop->text))
			continue;
		prop->name = xstrdup(p->name);
		prop->pos = p->pos;
		prop->value_pos = p->value_pos;
		dev->nr_props++;
	}
	bindings = dt_child_get(node, KEY_BINDINGS);
	if (bindings)
		bindings_from_dts(bindings, where, dev);
}

static void devices_from_dts(struct board *b, const struct dt_node *node)
{
	struct shape s = { .where = "'devices'", .any_nodes = true };

	shape_check(node, &s);
	b->devices = xcalloc(count_children(node), sizeof(*b->devices));
	for (struct dt_node *c = node->children; c; c = c->next)
		device_from_dts(c, &b->devices[b->nr_devices++]);
}

/* ---- the root ---- */

static const char *const root_props[] = {
	DTS_BOARD, KEY_DESCRIPTION, DTS_INTERRUPT_PARENT, DTS_ADDRESS_CELLS,
	DTS_SIZE_CELLS, KEY_CPUID_HIDE, KEY_FIRMWARE_TABLES,
};

/*
 * cpuid-hide = "cx16", "xsave";  (names checked by unknown_cpuid_feature)
 * firmware-tables = "acpi", "mptable";  (unknown_firmware_table)
 */
static void names_from_dts(const struct dt_prop *p, const char *what,
			   char ***names, struct srcpos **pos, unsigned *nr)
{
	unsigned max = 0;

	for (const struct dt_chunk *c = p->value; c; c = c->next, max++) {
		if (!c->is_string) {
			report_kind(p, "a list of \"strings\"", what);
			return;
		}
	}
	*names = xcalloc(max + 1, sizeof(**names));
	*pos = xcalloc(max + 1, sizeof(**pos));
	for (const struct dt_chunk *c = p->value; c; c = c->next) {
		(*pos)[*nr] = c->pos;
		(*names)[(*nr)++] = xstrdup(c->string);
	}
}
static const char *const root_nodes[] = {
	KEY_CPUS, KEY_IRQS, KEY_RAM, KEY_RESERVED, KEY_MMIO_WINDOWS,
	KEY_IO_WINDOWS, KEY_DEVICES,
};

static void board_walk(struct board *b, const struct dt_node *root)
{
	struct shape s = {
		.where = "the root node", .props = root_props,
		.nr_props = ARRAY_SIZE(root_props), .nodes = root_nodes,
		.nr_nodes = ARRAY_SIZE(root_nodes),
	};
	const struct dt_prop *p;
	const struct dt_node *n;

	b->pos = root->pos;
	shape_check(root, &s);
	p = dt_prop_get(root, DTS_BOARD);
	if (!p) {
		report_missing(&root->pos, "the root node", "model",
			       "model = \"NAME\";", "the board's name");
	} else {
		b->pos = p->pos;
		prop_string(p, "'model' (the board's name)", &b->name);
	}
	p = dt_prop_get(root, KEY_DESCRIPTION);
	if (p) {
		b->description_pos = p->value_pos;
		prop_string(p, "'description'", &b->description);
	}
	p = dt_prop_get(root, KEY_CPUID_HIDE);
	if (p)
		names_from_dts(p, "'cpuid-hide'", &b->cpuid_hide,
			       &b->cpuid_hide_pos, &b->nr_cpuid_hide);
	p = dt_prop_get(root, KEY_FIRMWARE_TABLES);
	if (p) {
		b->has_firmware_tables = true;
		b->firmware_tables_key_pos = p->pos;
		names_from_dts(p, "'firmware-tables'", &b->firmware_tables,
			       &b->firmware_tables_pos,
			       &b->nr_firmware_tables);
	}
	n = dt_child_get(root, KEY_CPUS);
	if (n)
		cpus_from_dts(b, n);
	n = dt_child_get(root, KEY_IRQS);
	if (n)
		irqs_from_dts(b, n);
	n = dt_child_get(root, KEY_RAM);
	if (n)
		ram_from_dts(b, n);
	else
		report_missing(&root->pos, "the root node", "ram",
			       "ram { default = <...>; NAME@BASE { reg = "
			       "<...>; }; };", "the guest RAM size and where "
			       "RAM goes");
	n = dt_child_get(root, KEY_RESERVED);
	if (n)
		ranges_from_dts(n, "reserved range", true, SPACE_MMIO,
				&b->reserved, &b->nr_reserved);
	n = dt_child_get(root, KEY_MMIO_WINDOWS);
	if (n)
		ranges_from_dts(n, "MMIO window", false, SPACE_MMIO,
				&b->windows, &b->nr_windows);
	n = dt_child_get(root, KEY_IO_WINDOWS);
	if (n)
		ranges_from_dts(n, "I/O window", false, SPACE_PIO,
				&b->windows, &b->nr_windows);
	n = dt_child_get(root, KEY_DEVICES);
	if (n)
		devices_from_dts(b, n);
}

struct board *board_from_dts(const char *file)
{
	int errors = diag_error_count();
	int recoverable = check_report_error_count();
	struct board *board = NULL;
	int failed;
/* Errors other than the recoverable ones check_report() printed. */
#define FATAL_ERRORS()	(diag_error_count() - errors > \
			 check_report_error_count() - recoverable)

	if (!dts_lexer_start(file))
		return NULL;
	failed = dts_parse();
	dts_lexer_finish();
	if (failed || FATAL_ERRORS())
		goto out;
	if (!dt_tree_root()) {
		struct srcpos pos = { .file = srcpos_file(input_name(file)),
				      .first_line = 1, .first_column = 1 };

		diag_error(&pos, NULL, "the file holds no root node: write "
			   "'/ { model = \"NAME\"; ... };'");
		goto out;
	}
	dt_tree_resolve();
	if (FATAL_ERRORS())
		goto out;
	board = board_new(input_name(file));
	board_walk(board, dt_tree_root());
	if (FATAL_ERRORS()) {
		board_free(board);
		board = NULL;
	}
out:
	dt_tree_free();
	return board;
#undef FATAL_ERRORS
}
