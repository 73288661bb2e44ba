/* SPDX-License-Identifier: MIT */
/*
 * The generic device tree the text syntax's grammar builds (dts-tree.c):
 * nodes, properties, cells, labels and `&ref { };` blocks, each with its
 * source position. Nothing here knows about boards.
 */
#ifndef BOARDC_DTS_TREE_H
#define BOARDC_DTS_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "srcpos.h"

/* One cell of a <...> list: a number, or a &reference to a node. */
struct dt_cell {
	uint64_t value;
	char *text;			/* the literal as written, or NULL */
	char *ref;			/* "label" or "{/path}", or NULL */
	struct srcpos pos;
};

/* One comma-separated piece of a property value. */
struct dt_chunk {
	bool is_string;
	char *string;
	unsigned bits;			/* cells: 8, 16, 32 or 64 */
	struct dt_cell *cells;
	unsigned nr_cells;
	struct srcpos pos;
	struct dt_chunk *next;
};

struct dt_prop {
	char *name;
	struct dt_chunk *value;		/* NULL: a boolean `name;` */
	struct srcpos pos;		/* the name */
	struct srcpos value_pos;
	struct dt_prop *next;
};

struct dt_label {
	char *name;
	struct srcpos pos;
	struct dt_label *next;
};

struct dt_node {
	char *name;			/* "name@unit", "/" for the root */
	struct dt_label *labels;
	struct dt_prop *props;
	struct dt_node *children;
	struct dt_node *parent;
	struct dt_node *next;
	struct srcpos pos;		/* the name */
	bool has_children;		/* properties must come first */
	/* List tails: appends are O(1), so a tree builds in linear time. */
	struct dt_prop **props_tail;
	struct dt_node **children_tail;
};

/* A `&label { ... };` or `&{/path} { ... };` block, merged in order. */
struct dt_ext {
	char *ref;
	struct dt_node *node;
	struct srcpos pos;
	struct dt_ext *next;
};

/* A literal from the lexer. */
struct dt_literal {
	uint64_t value;
	char *text;
};

/* Tree building for the grammar's actions (dts-tree.c). */
struct dt_node *dt_node_new(void);
void dt_node_add_prop(struct dt_node *node, struct dt_prop *prop);
void dt_node_add_child(struct dt_node *node, struct dt_node *child);
struct dt_prop *dt_prop_new(char *name, struct dt_chunk *value,
			    const struct srcpos *pos,
			    const struct srcpos *value_pos);
struct dt_chunk *dt_chunk_string(char *string, const struct srcpos *pos);
struct dt_chunk *dt_chunk_cells(unsigned bits, const struct srcpos *pos);
void dt_chunk_add_cell(struct dt_chunk *chunk, const struct dt_cell *cell);
void dt_chunk_check(const struct dt_chunk *chunk);
struct dt_chunk *dt_chunk_append(struct dt_chunk *list, struct dt_chunk *c);
struct dt_label *dt_label_append(struct dt_label *list, char *name,
				 const struct srcpos *pos);
void dt_root_merge(struct dt_node *node);
void dt_ext_add(char *ref, struct dt_node *node, const struct srcpos *pos);
void dt_bad_bits(unsigned bits, const struct srcpos *pos);
void dt_chunks_free(struct dt_chunk *chunk);
void dt_prop_free(struct dt_prop *prop);
void dt_node_free(struct dt_node *node);
void dt_labels_free(struct dt_label *label);

/* After the parse: the merged root, reference resolution, lookups. */
struct dt_node *dt_tree_root(void);
void dt_tree_resolve(void);
void dt_tree_free(void);
struct dt_node *dt_ref_find(const char *ref);
void dt_report_unresolved(const struct srcpos *pos, const char *ref);
struct dt_prop *dt_prop_get(const struct dt_node *node, const char *name);
struct dt_node *dt_child_get(const struct dt_node *node, const char *name);

#endif
