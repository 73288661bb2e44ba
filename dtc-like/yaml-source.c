// SPDX-License-Identifier: MIT
/*
 * The YAML front end: board_from_yaml() loads the file with libyaml's
 * document API and walks it into the IR of boardc.h, keeping the position
 * of every key and value. Mistakes are reported and the walk goes on, so
 * one run shows all of them; any error makes the result NULL (exit 1).
 *
 * libyaml stops at its first syntax error, so a syntax error is reported
 * alone. The walk follows the board language's fixed shape and never
 * recurses on the document itself, so aliases (even cyclic ones) are safe.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common.h"
#include "boardc.h"
#include "input.h"
#include "keys.h"


struct yaml_ctx {
	const char *file;		/* interned */
	yaml_document_t *doc;
	struct board *board;
};


static struct srcpos yaml_pos(const struct yaml_ctx *ctx, yaml_mark_t start,
			      yaml_mark_t end)
{
	return (struct srcpos){
		.file = ctx->file,
		.first_line = (int)start.line + 1,
		.first_column = (int)start.column + 1,
		.last_line = (int)end.line + 1,
		.last_column = (int)end.column + 1,
	};
}

static struct srcpos node_pos(const struct yaml_ctx *ctx,
			      const yaml_node_t *node)
{
	return yaml_pos(ctx, node->start_mark, node->end_mark);
}

static yaml_node_t *node_get(const struct yaml_ctx *ctx, int index)
{
	return yaml_document_get_node(ctx->doc, index);
}

static const char *scalar_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* A plain empty scalar, `~` or `null`: YAML's "no value". */
static bool node_is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(scalar_text(node), nulls[i]))
			return true;
	return false;
}

static const char *node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return node_is_null(node) ? "no value" : "a scalar";
	default:
		return "nothing";
	}
}

/* Is `node` of `type` (and a real value, for scalars)? Reports if not. */
static bool expect_kind(struct yaml_ctx *ctx, const yaml_node_t *node,
			yaml_node_type_t type, const char *what)
{
	static const char *const wanted[] = {
		[YAML_SCALAR_NODE] = "a single value",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};
	struct srcpos pos = node_pos(ctx, node);

	if (node->type == type && !node_is_null(node))
		return true;
	if (node->type == YAML_SCALAR_NODE && !node_is_null(node))
		diag_error(&pos, "yaml_structure",
			   "expected %s for %s, found the scalar '%.40s'",
			   wanted[type], what, scalar_text(node));
	else
		diag_error(&pos, "yaml_structure",
			   "expected %s for %s, found %s", wanted[type], what,
			   node_kind(node));
	return false;
}

/* Most keys any mapping of the language has (the top level: 10). */
#define MAX_KEYS	12

/*
 * Walking a mapping whose keys the language fixes: keyset_next() hands out
 * the known keys in file order, reporting on the way keys that are not
 * scalars, unknown or repeated; keyset_require() then reports what was
 * missing. `names` is indexed by each section's key enum.
 */
struct keyset {
	const char *const *names;
	unsigned nr;
	const char *where;		/* "device 'com1'", for messages */
	const yaml_node_t *map;
	const yaml_node_pair_t *next;
	const yaml_node_t *key[MAX_KEYS];	/* first occurrence of each */
};

/* "name, type, io-ports" for "valid keys: ..." */
static void keyset_list(const struct keyset *ks, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < ks->nr && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", ks->names[i]);
}

static int keyset_index(const struct keyset *ks, const char *name)
{
	for (unsigned i = 0; i < ks->nr; i++)
		if (!strcmp(ks->names[i], name))
			return (int)i;
	return -1;
}

/* False (reported) if `map` is no mapping. */
static bool keyset_start(struct yaml_ctx *ctx, struct keyset *ks,
			 const yaml_node_t *map)
{
	memset(ks->key, 0, sizeof(ks->key));
	ks->map = map;
	ks->next = NULL;
	if (!expect_kind(ctx, map, YAML_MAPPING_NODE, ks->where))
		return false;
	ks->next = map->data.mapping.pairs.start;
	return true;
}

/* The next known key's index and value, in file order; -1 at the end. */
static int keyset_next(struct yaml_ctx *ctx, struct keyset *ks,
		       yaml_node_t **value)
{
	char valid[256];

	for (; ks->next && ks->next < ks->map->data.mapping.pairs.top;
	     ks->next++) {
		yaml_node_t *key = node_get(ctx, ks->next->key);
		struct srcpos pos, first;
		int i;

		*value = node_get(ctx, ks->next->value);
		if (!key || !*value)
			continue;
		pos = node_pos(ctx, key);
		if (key->type != YAML_SCALAR_NODE) {
			diag_error(&pos, "yaml_structure",
				   "expected a key name in %s, found %s",
				   ks->where, node_kind(key));
			continue;
		}
		i = keyset_index(ks, scalar_text(key));
		if (i < 0) {
			keyset_list(ks, valid, sizeof(valid));
			check_report(&pos, "unknown_property",
				     "unknown key '%s' in %s%s(valid keys: %s)",
				     scalar_text(key), ks->where,
				     name_hint(name_suggest_list(
					     scalar_text(key), ks->names,
					     ks->nr)), valid);
			continue;
		}
		if (ks->key[i]) {
			first = node_pos(ctx, ks->key[i]);
			if (check_report(&pos, "duplicate_key",
					 "duplicate key '%s' in %s: keep one",
					 scalar_text(key), ks->where))
				diag_note(&first, "first '%s' defined here",
					  scalar_text(key));
			continue;
		}
		ks->key[i] = key;
		ks->next++;
		return i;
	}
	return -1;
}

/* After the walk: report key `i` if it never came; `hint` shows it. */
static void keyset_require(struct yaml_ctx *ctx, const struct keyset *ks,
			   unsigned i, const char *hint)
{
	struct srcpos pos;

	if (!ks->next || ks->key[i])
		return;			/* not a mapping (reported), or there */
	pos = node_pos(ctx, ks->map);
	diag_error(&pos, "missing_property", "%s has no '%s': add '%s'",
		   ks->where, ks->names[i], hint);
}

static struct srcpos keyset_key_pos(const struct yaml_ctx *ctx,
				    const struct keyset *ks, unsigned i)
{
	return node_pos(ctx, ks->key[i]);
}

/* A string value; NULL (reported) if not a non-empty scalar. */
static char *scalar_string(struct yaml_ctx *ctx, const yaml_node_t *node,
			   const char *what)
{
	if (!expect_kind(ctx, node, YAML_SCALAR_NODE, what))
		return NULL;
	return xstrdup(scalar_text(node));
}

static bool scalar_number(struct yaml_ctx *ctx, const yaml_node_t *node,
			  const char *what, uint64_t *value)
{
	struct srcpos pos = node_pos(ctx, node);

	if (!expect_kind(ctx, node, YAML_SCALAR_NODE, what))
		return false;
	if (parse_number(scalar_text(node), value))
		return true;
	if (number_leading_zero(scalar_text(node))) {
		diag_error(&pos, "bad_number", "bad number '%s' for %s: a "
			   "leading zero is octal to dtc and C but decimal to "
			   "YAML, so boardc takes neither: drop the zero, or "
			   "write 0x hex", scalar_text(node), what);
		return false;
	}
	diag_error(&pos, "bad_number",
		   "bad number '%s' for %s: write a decimal or 0x hex number "
		   "below 2^64, like 1016 or 0x3f8 ('_' may separate digits)",
		   scalar_text(node), what);
	return false;
}

/* A number that must fit an `unsigned` field of the IR. */
static bool scalar_unsigned(struct yaml_ctx *ctx, const yaml_node_t *node,
			    const char *what, unsigned *value)
{
	struct srcpos pos = node_pos(ctx, node);
	uint64_t v;

	if (!scalar_number(ctx, node, what, &v))
		return false;
	if (v > UINT_MAX) {
		diag_error(&pos, "bad_number",
			   "number '%s' for %s is out of range: at most %u",
			   scalar_text(node), what, UINT_MAX);
		return false;
	}
	*value = (unsigned)v;
	return true;
}

static bool scalar_size(struct yaml_ctx *ctx, const yaml_node_t *node,
			const char *what, uint64_t *value)
{
	struct srcpos pos = node_pos(ctx, node);

	if (!expect_kind(ctx, node, YAML_SCALAR_NODE, what))
		return false;
	if (parse_size(scalar_text(node), value))
		return true;
	diag_error(&pos, "bad_size",
		   "bad size '%s' for %s: write whole bytes as a number with "
		   "an optional K, M, G or T suffix, like 4096, 0x1000, 512M "
		   "or 3.5G", scalar_text(node), what);
	return false;
}

static bool scalar_bool(struct yaml_ctx *ctx, const yaml_node_t *node,
			const char *what, bool *value)
{
	struct srcpos pos = node_pos(ctx, node);

	if (!expect_kind(ctx, node, YAML_SCALAR_NODE, what))
		return false;
	if (parse_bool(scalar_text(node), value))
		return true;
	diag_error(&pos, "bad_bool",
		   "bad boolean '%s' for %s: write true, false, yes or no",
		   scalar_text(node), what);
	return false;
}

/* The `name:` of a list entry, if it has a usable one, for messages. */
static const char *entry_name(struct yaml_ctx *ctx, const yaml_node_t *map)
{
	yaml_node_pair_t *pair;

	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = node_get(ctx, pair->key);
		yaml_node_t *value = node_get(ctx, pair->value);

		if (key && value && key->type == YAML_SCALAR_NODE &&
		    !strcmp(scalar_text(key), "name") &&
		    value->type == YAML_SCALAR_NODE && !node_is_null(value))
			return scalar_text(value);
	}
	return NULL;
}

/* "device 'com1'" or, for an entry without a name, "device #3". */
static void entry_where(struct yaml_ctx *ctx, const yaml_node_t *map,
			const char *kind, unsigned index, char *buf,
			size_t size)
{
	const char *name = entry_name(ctx, map);

	if (name)
		snprintf(buf, size, "%s '%s'", kind, name);
	else
		snprintf(buf, size, "%s #%u", kind, index + 1);
}

/* ---- ranges: ram regions, reserved, windows ---- */

enum { RANGE_NAME, RANGE_BASE, RANGE_SIZE, RANGE_BACKED };
static const char *const range_keys[] = {
	[RANGE_NAME] = KEY_NAME, [RANGE_BASE] = KEY_BASE,
	[RANGE_SIZE] = KEY_SIZE, [RANGE_BACKED] = KEY_BACKED,
};

static void range_from_yaml(struct yaml_ctx *ctx, yaml_node_t *map,
			    const char *kind, unsigned index, bool backed_ok,
			    struct ir_range *range)
{
	struct keyset ks = {
		.names = range_keys,
		.nr = backed_ok ? 4 : 3,
	};
	char where[192], what[256];
	yaml_node_t *v;
	int i;

	entry_where(ctx, map, kind, index, where, sizeof(where));
	ks.where = where;
	range->pos = node_pos(ctx, map);
	range->base_pos = range->pos;
	range->size_pos = range->pos;
	if (!keyset_start(ctx, &ks, map))
		return;
	while ((i = keyset_next(ctx, &ks, &v)) >= 0) {
		snprintf(what, sizeof(what), "'%s' of %s", range_keys[i],
			 where);
		switch (i) {
		case RANGE_NAME:
			range->name = scalar_string(ctx, v, what);
			break;
		case RANGE_BASE:
			range->base_pos = node_pos(ctx, v);
			scalar_number(ctx, v, what, &range->base);
			break;
		case RANGE_SIZE:
			range->size_pos = node_pos(ctx, v);
			scalar_size(ctx, v, what, &range->size);
			break;
		case RANGE_BACKED:
			scalar_bool(ctx, v, what, &range->backed);
			break;
		}
	}
	keyset_require(ctx, &ks, RANGE_NAME, "name: NAME");
	keyset_require(ctx, &ks, RANGE_BASE, "base: ADDRESS");
	keyset_require(ctx, &ks, RANGE_SIZE, "size: SIZE");
}

/* A list of ranges; *nr counts every entry, good or bad. */
static struct ir_range *ranges_from_yaml(struct yaml_ctx *ctx,
					 yaml_node_t *seq, const char *what,
					 const char *kind, bool backed_ok,
					 enum board_space space, unsigned *nr)
{
	struct ir_range *ranges;
	yaml_node_item_t *item;
	unsigned n = 0;

	*nr = 0;
	if (!expect_kind(ctx, seq, YAML_SEQUENCE_NODE, what))
		return NULL;
	ranges = xcalloc((size_t)(seq->data.sequence.items.top -
				  seq->data.sequence.items.start),
			 sizeof(*ranges));
	for (item = seq->data.sequence.items.start;
	     item < seq->data.sequence.items.top; item++) {
		yaml_node_t *entry = node_get(ctx, *item);

		if (!entry)
			continue;
		ranges[n].space = space;
		range_from_yaml(ctx, entry, kind, n, backed_ok, &ranges[n]);
		n++;
	}
	*nr = n;
	return ranges;
}

/* Appends to board->windows (mmio-windows and io-windows share it). */
static void windows_from_yaml(struct yaml_ctx *ctx, yaml_node_t *seq,
			      const char *what, const char *kind,
			      enum board_space space)
{
	struct board *b = ctx->board;
	struct ir_range *more;
	unsigned nr;

	more = ranges_from_yaml(ctx, seq, what, kind, false, space, &nr);
	if (!more)
		return;
	memcpy(ir_ranges_grow(&b->windows, b->nr_windows, nr), more,
	       nr * sizeof(*more));
	b->nr_windows += nr;
	free(more);
}

/* ---- cpus, ram ---- */

enum { CPUS_DEFAULT, CPUS_MAX };
static const char *const cpus_keys[] = {
	[CPUS_DEFAULT] = KEY_DEFAULT, [CPUS_MAX] = KEY_MAX,
};

static void cpus_from_yaml(struct yaml_ctx *ctx, yaml_node_t *map)
{
	struct keyset ks = { .names = cpus_keys, .nr = 2, .where = "'cpus'" };
	struct board *b = ctx->board;
	yaml_node_t *v;
	int i;

	if (!keyset_start(ctx, &ks, map))
		return;
	while ((i = keyset_next(ctx, &ks, &v)) >= 0) {
		switch (i) {
		case CPUS_DEFAULT:
			scalar_unsigned(ctx, v, "'cpus.default'",
					&b->cpus_default);
			break;
		case CPUS_MAX:
			scalar_unsigned(ctx, v, "'cpus.max'", &b->cpus_max);
			break;
		}
	}
}

enum { RAM_DEFAULT, RAM_REGIONS };
static const char *const ram_keys[] = {
	[RAM_DEFAULT] = KEY_DEFAULT, [RAM_REGIONS] = KEY_REGIONS,
};

static void ram_regions_from_yaml(struct yaml_ctx *ctx, yaml_node_t *seq)
{
	struct board *b = ctx->board;
	struct srcpos pos;

	b->ram = ranges_from_yaml(ctx, seq, "'ram.regions'", "RAM region",
				  false, SPACE_MMIO, &b->nr_ram);
	if (!b->ram || b->nr_ram)
		return;
	pos = node_pos(ctx, seq);
	diag_error(&pos, "missing_property",
		   "'ram.regions' is empty: list at least one region "
		   "({name, base, size}) for guest RAM to fill");
}

static void ram_from_yaml(struct yaml_ctx *ctx, yaml_node_t *map)
{
	struct keyset ks = { .names = ram_keys, .nr = 2, .where = "'ram'" };
	struct board *b = ctx->board;
	yaml_node_t *v;
	int i;

	if (!keyset_start(ctx, &ks, map))
		return;
	while ((i = keyset_next(ctx, &ks, &v)) >= 0) {
		switch (i) {
		case RAM_DEFAULT:
			b->ram_pos = node_pos(ctx, v);
			scalar_size(ctx, v, "'ram.default'", &b->ram_default);
			break;
		case RAM_REGIONS:
			ram_regions_from_yaml(ctx, v);
			break;
		}
	}
	keyset_require(ctx, &ks, RAM_DEFAULT, "default: SIZE");
	keyset_require(ctx, &ks, RAM_REGIONS, "regions: [{name, base, size}]");
}

/* ---- devices ---- */

/* io-ports: / mmio:  a base, `auto`, or {window: NAME}. */
static void placement_from_yaml(struct yaml_ctx *ctx, yaml_node_t *node,
				const char *key, const char *where,
				struct ir_placement *pl)
{
	static const char *const keys[] = { KEY_WINDOW };
	char what[256], sub[320];
	struct keyset ks = { .names = keys, .nr = 1, .where = what };
	yaml_node_t *v;

	snprintf(what, sizeof(what), "'%s' of %s", key, where);
	pl->present = true;
	pl->pos = node_pos(ctx, node);
	if (node->type == YAML_MAPPING_NODE) {
		pl->is_auto = true;
		if (!keyset_start(ctx, &ks, node))
			return;
		while (keyset_next(ctx, &ks, &v) >= 0) {
			pl->window_pos = node_pos(ctx, v);
			snprintf(sub, sizeof(sub), "'window' of %s", what);
			pl->window = scalar_string(ctx, v, sub);
		}
		keyset_require(ctx, &ks, 0, "window: NAME");
		return;
	}
	if (!expect_kind(ctx, node, YAML_SCALAR_NODE, what))
		return;
	if (!strcmp(scalar_text(node), "auto")) {
		pl->is_auto = true;
		return;
	}
	if (number_leading_zero(scalar_text(node)))
		scalar_number(ctx, node, what, &pl->base);
	else if (!parse_number(scalar_text(node), &pl->base))
		diag_error(&pl->pos, "bad_number",
			   "bad placement '%s' for %s: write a base address "
			   "(like 0x3f8), 'auto', or '{window: NAME}'",
			   scalar_text(node), what);
}

/*
 * A free-form mapping (properties, bindings): its keys as scalars, each
 * once. Returns the key, or NULL (reported) when this pair is to be
 * skipped. `first` finds an earlier key of the same name.
 */
static const char *free_key(struct yaml_ctx *ctx, const yaml_node_t *key,
			    const char *kind, const char *where,
			    const struct srcpos *first)
{
	struct srcpos pos = node_pos(ctx, key);

	if (key->type != YAML_SCALAR_NODE || node_is_null(key)) {
		diag_error(&pos, "yaml_structure",
			   "expected %s in %s, found %s", kind, where,
			   node_kind(key));
		return NULL;
	}
	if (first) {
		if (check_report(&pos, "duplicate_key",
				 "duplicate key '%s' in %s: keep one",
				 scalar_text(key), where))
			diag_note(first, "first '%s' defined here",
				  scalar_text(key));
		return NULL;
	}
	return scalar_text(key);
}

static const struct srcpos *prop_find(const struct ir_device *dev,
				      const char *name)
{
	for (unsigned i = 0; i < dev->nr_props; i++)
		if (!strcmp(dev->props[i].name, name))
			return &dev->props[i].pos;
	return NULL;
}

/* Values stay text: checks.c knows each type's property kinds. */
static void properties_from_yaml(struct yaml_ctx *ctx, yaml_node_t *map,
				 const char *where, struct ir_device *dev)
{
	char in[256], what[320];
	yaml_node_pair_t *pair;

	snprintf(in, sizeof(in), "'properties' of %s", where);
	if (!expect_kind(ctx, map, YAML_MAPPING_NODE, in))
		return;
	dev->props = xcalloc((size_t)(map->data.mapping.pairs.top -
				      map->data.mapping.pairs.start),
			     sizeof(*dev->props));
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = node_get(ctx, pair->key);
		yaml_node_t *value = node_get(ctx, pair->value);
		struct ir_property *prop;
		const char *name;

		if (!key || !value)
			continue;
		name = free_key(ctx, key, "a property name", in,
				key->type == YAML_SCALAR_NODE ?
				prop_find(dev, scalar_text(key)) : NULL);
		if (!name)
			continue;
		snprintf(what, sizeof(what), "property '%s' of %s", name,
			 where);
		if (!expect_kind(ctx, value, YAML_SCALAR_NODE, what))
			continue;
		prop = &dev->props[dev->nr_props++];
		prop->name = xstrdup(name);
		prop->text = xstrdup(scalar_text(value));
		prop->pos = node_pos(ctx, key);
		prop->value_pos = node_pos(ctx, value);
	}
}

static void binding_word(struct yaml_ctx *ctx, yaml_node_t *node,
			 const char *what, struct ir_binding *bd)
{
	struct srcpos pos = node_pos(ctx, node);

	bd->value_pos = pos;
	if (!expect_kind(ctx, node, YAML_SCALAR_NODE, what))
		return;
	if (!parse_binding(scalar_text(node), &bd->binding))
		diag_error(&pos, "bad_binding",
			   "bad binding '%s' for %s: write sync, async or "
			   "coalesced%s", scalar_text(node), what,
			   !strcmp(scalar_text(node), "kernel") ?
			   " ('kernel' belongs to in-KVM device types only)" :
			   "");
}

enum { BINDING_KEY_BINDING, BINDING_KEY_DATAMATCH };
static const char *const binding_keys[] = {
	[BINDING_KEY_BINDING] = KEY_BINDING,
	[BINDING_KEY_DATAMATCH] = KEY_DATAMATCH,
};

/* `reg: sync` or `reg: {binding: async, datamatch: N}` */
static void binding_from_yaml(struct yaml_ctx *ctx, yaml_node_t *value,
			      const char *what, struct ir_binding *bd)
{
	struct keyset ks = { .names = binding_keys, .nr = 2, .where = what };
	char sub[384];
	yaml_node_t *v;
	int i;

	if (value->type != YAML_MAPPING_NODE) {
		binding_word(ctx, value, what, bd);
		return;
	}
	bd->value_pos = node_pos(ctx, value);
	if (!keyset_start(ctx, &ks, value))
		return;
	while ((i = keyset_next(ctx, &ks, &v)) >= 0) {
		snprintf(sub, sizeof(sub), "'%s' of %s", binding_keys[i],
			 what);
		switch (i) {
		case BINDING_KEY_BINDING:
			binding_word(ctx, v, sub, bd);
			bd->value_pos = node_pos(ctx, v);
			break;
		case BINDING_KEY_DATAMATCH:
			bd->has_datamatch = scalar_number(ctx, v, sub,
							  &bd->datamatch);
			break;
		}
	}
	keyset_require(ctx, &ks, BINDING_KEY_BINDING,
		       "binding: sync|async|coalesced");
}

static const struct srcpos *binding_find(const struct ir_device *dev,
					 const char *reg)
{
	for (unsigned i = 0; i < dev->nr_bindings; i++)
		if (!strcmp(dev->bindings[i].reg, reg))
			return &dev->bindings[i].pos;
	return NULL;
}

/* Register names stay unchecked: checks.c knows each type's registers. */
static void bindings_from_yaml(struct yaml_ctx *ctx, yaml_node_t *map,
			       const char *where, struct ir_device *dev)
{
	char in[256], what[320];
	yaml_node_pair_t *pair;

	snprintf(in, sizeof(in), "'bindings' of %s", where);
	if (!expect_kind(ctx, map, YAML_MAPPING_NODE, in))
		return;
	dev->bindings = xcalloc((size_t)(map->data.mapping.pairs.top -
					 map->data.mapping.pairs.start),
				sizeof(*dev->bindings));
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = node_get(ctx, pair->key);
		yaml_node_t *value = node_get(ctx, pair->value);
		struct ir_binding *bd;
		const char *reg;

		if (!key || !value)
			continue;
		reg = free_key(ctx, key, "a register name", in,
			       key->type == YAML_SCALAR_NODE ?
			       binding_find(dev, scalar_text(key)) : NULL);
		if (!reg)
			continue;
		bd = &dev->bindings[dev->nr_bindings++];
		bd->reg = xstrdup(reg);
		bd->pos = node_pos(ctx, key);
		snprintf(what, sizeof(what), "register '%s' of %s", reg,
			 where);
		binding_from_yaml(ctx, value, what, bd);
	}
}

enum {
	DEV_NAME, DEV_TYPE, DEV_IO_PORTS, DEV_MMIO, DEV_IRQ, DEV_PROPERTIES,
	DEV_BINDINGS, DEV_PCI_SLOT, DEV_TRANSPORT,
};
static const char *const device_keys[] = {
	[DEV_NAME] = KEY_NAME, [DEV_TYPE] = KEY_TYPE,
	[DEV_IO_PORTS] = KEY_IO_PORTS, [DEV_MMIO] = KEY_MMIO,
	[DEV_IRQ] = KEY_IRQ, [DEV_PROPERTIES] = KEY_PROPERTIES,
	[DEV_BINDINGS] = KEY_BINDINGS, [DEV_PCI_SLOT] = KEY_PCI_SLOT,
	[DEV_TRANSPORT] = KEY_TRANSPORT,
};

static void device_from_yaml(struct yaml_ctx *ctx, yaml_node_t *map,
			     unsigned index, struct ir_device *dev)
{
	struct keyset ks = {
		.names = device_keys, .nr = ARRAY_SIZE(device_keys),
	};
	char where[192], what[256];
	yaml_node_t *v;
	int i;

	entry_where(ctx, map, "device", index, where, sizeof(where));
	ks.where = where;
	dev->pos = node_pos(ctx, map);
	dev->name_pos = dev->type_pos = dev->pos;
	if (!keyset_start(ctx, &ks, map))
		return;
	while ((i = keyset_next(ctx, &ks, &v)) >= 0) {
		snprintf(what, sizeof(what), "'%s' of %s", device_keys[i],
			 where);
		switch (i) {
		case DEV_NAME:
			dev->name_pos = node_pos(ctx, v);
			dev->name = scalar_string(ctx, v, what);
			break;
		case DEV_TYPE:
			dev->type_pos = node_pos(ctx, v);
			dev->type_name = scalar_string(ctx, v, what);
			break;
		case DEV_TRANSPORT:
			dev->transport_pos = node_pos(ctx, v);
			dev->transport = scalar_string(ctx, v, what);
			break;
		case DEV_IO_PORTS:
			placement_from_yaml(ctx, v, KEY_IO_PORTS, where,
					    &dev->pio);
			break;
		case DEV_MMIO:
			placement_from_yaml(ctx, v, KEY_MMIO, where, &dev->mmio);
			break;
		case DEV_IRQ:
			dev->irq_pos = node_pos(ctx, v);
			dev->has_irq = scalar_unsigned(ctx, v, what,
						       &dev->irq);
			break;
		case DEV_PROPERTIES:
			properties_from_yaml(ctx, v, where, dev);
			break;
		case DEV_BINDINGS:
			bindings_from_yaml(ctx, v, where, dev);
			break;
		case DEV_PCI_SLOT:
			dev->pci_slot_pos = node_pos(ctx, v);
			if (v->type == YAML_SCALAR_NODE &&
			    !strcmp(scalar_text(v), "auto"))
				dev->has_pci_slot = dev->pci_slot_auto = true;
			else
				dev->has_pci_slot = scalar_unsigned(ctx, v,
						what, &dev->pci_slot);
			break;
		}
	}
	keyset_require(ctx, &ks, DEV_NAME, "name: NAME");
	keyset_require(ctx, &ks, DEV_TYPE, "type: TYPE");
}

static void devices_from_yaml(struct yaml_ctx *ctx, yaml_node_t *seq)
{
	struct board *b = ctx->board;
	yaml_node_item_t *item;

	if (!expect_kind(ctx, seq, YAML_SEQUENCE_NODE, "'devices'"))
		return;
	b->devices = xcalloc((size_t)(seq->data.sequence.items.top -
				      seq->data.sequence.items.start),
			     sizeof(*b->devices));
	for (item = seq->data.sequence.items.start;
	     item < seq->data.sequence.items.top; item++) {
		yaml_node_t *entry = node_get(ctx, *item);

		if (!entry)
			continue;
		device_from_yaml(ctx, entry, b->nr_devices,
				 &b->devices[b->nr_devices]);
		b->nr_devices++;
	}
}

/* ---- the top level ---- */

enum {
	TOP_BOARD, TOP_DESCRIPTION, TOP_CPUS, TOP_IRQS, TOP_CPUID_HIDE,
	TOP_FIRMWARE_TABLES, TOP_RAM, TOP_RESERVED, TOP_MMIO_WINDOWS,
	TOP_IO_WINDOWS, TOP_DEVICES,
};
static const char *const top_keys[] = {
	[TOP_BOARD] = KEY_BOARD, [TOP_DESCRIPTION] = KEY_DESCRIPTION,
	[TOP_CPUS] = KEY_CPUS, [TOP_IRQS] = KEY_IRQS,
	[TOP_CPUID_HIDE] = KEY_CPUID_HIDE, [TOP_RAM] = KEY_RAM,
	[TOP_RESERVED] = KEY_RESERVED, [TOP_MMIO_WINDOWS] = KEY_MMIO_WINDOWS,
	[TOP_IO_WINDOWS] = KEY_IO_WINDOWS, [TOP_DEVICES] = KEY_DEVICES,
	[TOP_FIRMWARE_TABLES] = KEY_FIRMWARE_TABLES,
};
_Static_assert(ARRAY_SIZE(top_keys) <= MAX_KEYS, "raise MAX_KEYS");

/* A list of names: cpuid-hide (checked by unknown_cpuid_feature) and
 * firmware-tables (unknown_firmware_table). */
static void names_from_yaml(struct yaml_ctx *ctx, yaml_node_t *seq,
			    const char *what, const char *entry,
			    char ***names, struct srcpos **pos, unsigned *nr)
{
	size_t max;

	if (!expect_kind(ctx, seq, YAML_SEQUENCE_NODE, what))
		return;
	max = seq->data.sequence.items.top - seq->data.sequence.items.start;
	*names = xcalloc(max + 1, sizeof(**names));
	*pos = xcalloc(max + 1, sizeof(**pos));
	for (yaml_node_item_t *item = seq->data.sequence.items.start;
	     item < seq->data.sequence.items.top; item++) {
		yaml_node_t *v = node_get(ctx, *item);
		char *name;

		if (!v)
			continue;
		name = scalar_string(ctx, v, entry);
		if (!name)
			continue;
		(*pos)[*nr] = node_pos(ctx, v);
		(*names)[(*nr)++] = name;
	}
}

static void top_key_from_yaml(struct yaml_ctx *ctx, const struct keyset *ks,
			      int i, yaml_node_t *v)
{
	struct board *b = ctx->board;

	switch (i) {
	case TOP_BOARD:
		b->pos = keyset_key_pos(ctx, ks, TOP_BOARD);
		b->name = scalar_string(ctx, v, "'board' (the board's name)");
		break;
	case TOP_DESCRIPTION:
		b->description_pos = node_pos(ctx, v);
		b->description = scalar_string(ctx, v, "'description'");
		break;
	case TOP_CPUS:
		b->cpus_pos = keyset_key_pos(ctx, ks, TOP_CPUS);
		cpus_from_yaml(ctx, v);
		break;
	case TOP_IRQS:
		b->irqs_pos = node_pos(ctx, v);
		scalar_unsigned(ctx, v, "'irqs'", &b->nr_irqs);
		break;
	case TOP_RAM:
		b->ram_pos = keyset_key_pos(ctx, ks, TOP_RAM);
		ram_from_yaml(ctx, v);
		break;
	case TOP_RESERVED:
		b->reserved = ranges_from_yaml(ctx, v, "'reserved'",
					       "reserved range", true,
					       SPACE_MMIO, &b->nr_reserved);
		break;
	case TOP_MMIO_WINDOWS:
		windows_from_yaml(ctx, v, "'mmio-windows'", "MMIO window",
				  SPACE_MMIO);
		break;
	case TOP_IO_WINDOWS:
		windows_from_yaml(ctx, v, "'io-windows'", "I/O window",
				  SPACE_PIO);
		break;
	case TOP_DEVICES:
		devices_from_yaml(ctx, v);
		break;
	case TOP_CPUID_HIDE:
		names_from_yaml(ctx, v, "'cpuid-hide'", "a 'cpuid-hide' entry",
				&b->cpuid_hide, &b->cpuid_hide_pos,
				&b->nr_cpuid_hide);
		break;
	case TOP_FIRMWARE_TABLES:
		b->has_firmware_tables = true;
		b->firmware_tables_key_pos = keyset_key_pos(ctx, ks,
							    TOP_FIRMWARE_TABLES);
		names_from_yaml(ctx, v, "'firmware-tables'",
				"a 'firmware-tables' entry",
				&b->firmware_tables, &b->firmware_tables_pos,
				&b->nr_firmware_tables);
		break;
	}
}

static void board_walk(struct yaml_ctx *ctx, yaml_node_t *root)
{
	struct keyset ks = {
		.names = top_keys, .nr = ARRAY_SIZE(top_keys),
		.where = "the board file",
	};
	yaml_node_t *v;
	int i;

	ctx->board->pos = node_pos(ctx, root);
	if (!keyset_start(ctx, &ks, root))
		return;
	while ((i = keyset_next(ctx, &ks, &v)) >= 0)
		top_key_from_yaml(ctx, &ks, i, v);
	keyset_require(ctx, &ks, TOP_BOARD, "board: NAME");
	keyset_require(ctx, &ks, TOP_RAM,
		       "ram: {default: SIZE, regions: [...]}");
}

/* ---- libyaml errors, loading ---- */

/* Line and column of byte `offset` (reader errors carry only that). */
static struct srcpos offset_pos(const struct yaml_ctx *ctx,
				const unsigned char *buf, size_t len,
				size_t offset)
{
	struct srcpos pos = { .file = ctx->file, .first_line = 1,
			      .first_column = 1 };

	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			pos.first_line++;
			pos.first_column = 1;
		} else {
			pos.first_column++;
		}
	}
	pos.last_line = pos.first_line;
	pos.last_column = pos.first_column;
	return pos;
}

/* What to do about libyaml's commonest complaints. */
static const char *yaml_hint(const char *problem, bool at_tab)
{
	static const struct {
		const char *problem;
		const char *hint;
	} hints[] = {
		{ "mapping values are not allowed",
		  ": quote a value that contains ': ', or fix the "
		  "indentation" },
		{ "could not find expected ':'",
		  ": write 'key: value', with a space after the ':'" },
		{ "did not find expected key",
		  ": check the indentation of the keys around here" },
		{ "did not find expected '-' indicator",
		  ": list entries start with '- ' at one indentation" },
		{ "found character that cannot start any token",
		  ": quote values that start with '@', '`' or '%'" },
	};

	if (at_tab)
		return ": YAML indents with spaces, never tabs";
	for (unsigned i = 0; i < ARRAY_SIZE(hints); i++)
		if (!strncmp(problem, hints[i].problem,
			     strlen(hints[i].problem)))
			return hints[i].hint;
	return "";
}

/* "while parsing a flow sequence" -> "a flow sequence started here" */
static void yaml_context_note(const struct yaml_ctx *ctx,
			      const yaml_parser_t *parser)
{
	static const char *const verbs[] = {
		"while parsing ", "while scanning ",
	};
	struct srcpos pos = yaml_pos(ctx, parser->context_mark,
				     parser->context_mark);
	const char *what = parser->context;

	for (unsigned i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strncmp(what, verbs[i], strlen(verbs[i])))
			what += strlen(verbs[i]);
	diag_note(&pos, "%s started here", what);
}

static void report_yaml_error(const struct yaml_ctx *ctx,
			      const yaml_parser_t *parser,
			      const unsigned char *buf, size_t len)
{
	struct srcpos pos;
	const char *problem = parser->problem ? parser->problem : "error";
	const char *hint;

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		fprintf(stderr, "boardc: out of memory reading %s\n",
			ctx->file);
		exit(1);
	case YAML_READER_ERROR:
		pos = offset_pos(ctx, buf, len, parser->problem_offset);
		if (parser->problem_offset < len)
			diag_error(&pos, "yaml_syntax",
				   "%s (byte 0x%02x): a board file must be "
				   "UTF-8 text", problem,
				   buf[parser->problem_offset]);
		else
			diag_error(&pos, "yaml_syntax",
				   "%s at the end of the file: a board file "
				   "must be UTF-8 text", problem);
		return;
	default:
		break;
	}
	pos = yaml_pos(ctx, parser->problem_mark, parser->problem_mark);
	hint = yaml_hint(problem, parser->problem_mark.index < len &&
			 buf[parser->problem_mark.index] == '\t');
	if (parser->context)
		diag_error(&pos, "yaml_syntax", "%s %s%s", problem,
			   parser->context, hint);
	else
		diag_error(&pos, "yaml_syntax", "%s%s", problem, hint);
	if (parser->context && (parser->context_mark.line !=
				parser->problem_mark.line ||
				parser->context_mark.column !=
				parser->problem_mark.column))
		yaml_context_note(ctx, parser);
}

/*
 * Nesting first, from libyaml's events, before it builds a tree: its
 * scanner does work in proportion to the open flow collections for every
 * token, so 5 MB of '[' would take hours. Stopping at the cap bounds that
 * to BOARD_NESTING_MAX levels. A syntax error ends this pass quietly: the
 * loader reports it.
 */
static bool nesting_check(struct yaml_ctx *ctx, const unsigned char *buf,
			  size_t len)
{
	yaml_parser_t parser;
	yaml_event_t event;
	int depth = 0;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "boardc: out of memory\n");
		exit(1);
	}
	yaml_parser_set_input_string(&parser, buf, len);
	while (!done && yaml_parser_parse(&parser, &event)) {
		switch (event.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth <= BOARD_NESTING_MAX)
				break;
			struct srcpos pos = yaml_pos(ctx, event.start_mark,
						     event.end_mark);

			diag_error(&pos, "yaml_structure", "collections nested "
				   "more than %d deep: boardc's limit (a board "
				   "needs 5 at most); is a ']' or '}' missing?",
				   BOARD_NESTING_MAX);
			ok = false;
			done = true;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	return ok;
}

/* One document: anything after the board is a mistake. */
static void check_single_document(struct yaml_ctx *ctx, yaml_parser_t *parser,
				  const unsigned char *buf, size_t len)
{
	yaml_document_t next;
	yaml_node_t *root;
	struct srcpos pos;

	if (!yaml_parser_load(parser, &next)) {
		report_yaml_error(ctx, parser, buf, len);
		return;
	}
	root = yaml_document_get_root_node(&next);
	if (root) {
		pos = node_pos(ctx, root);
		diag_error(&pos, "yaml_structure",
			   "a second YAML document: a board file holds one "
			   "board; remove this or the '---' before it");
	}
	yaml_document_delete(&next);
}

struct board *board_from_yaml(const char *file)
{
	int errors = diag_error_count();
	int recoverable = check_report_error_count();
	struct yaml_ctx ctx = { .file = srcpos_file(input_name(file)) };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	unsigned char *buf;
	size_t len;
	struct board *board;

	const char *why;

	buf = input_read(file, &len, &why);
	if (!buf) {
		fprintf(stderr, "boardc: cannot read board file '%s': %s\n",
			input_name(file), why);
		return NULL;
	}
	board = board_new(input_name(file));
	ctx.board = board;

	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "boardc: out of memory\n");
		exit(1);
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!nesting_check(&ctx, buf, len))
		goto out_parser;
	if (!yaml_parser_load(&parser, &doc)) {
		report_yaml_error(&ctx, &parser, buf, len);
		goto out_parser;
	}
	ctx.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		struct srcpos pos = { .file = ctx.file, .first_line = 1,
				      .first_column = 1 };

		diag_error(&pos, "yaml_structure",
			   "the file holds no board: write at least "
			   "'board: NAME' and 'ram:' with a default size and "
			   "regions");
	} else {
		board_walk(&ctx, root);
		check_single_document(&ctx, &parser, buf, len);
	}
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	free(buf);
	if (diag_error_count() - errors >
	    check_report_error_count() - recoverable) {
		board_free(board);
		return NULL;
	}
	return board;
}
