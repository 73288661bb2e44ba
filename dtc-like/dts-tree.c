// SPDX-License-Identifier: MIT
/*
 * The generic device tree of the text syntax (dtc's livetree for dts):
 * the nodes, properties and cells the grammar's actions build, the merge
 * of top-level blocks (`/ { };` twice, `&label { };`, `&{/path} { };`) as
 * dtc merges them, and the resolution of references. Knows nothing of
 * boards: dts-source.c walks the finished tree into the board IR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardc.h"
#include "dts-tree.h"

static struct dt_node *dt_root;
static struct dt_ext *dt_exts;


/* ---- the generic tree, built by the parser's actions ---- */

struct dt_node *dt_node_new(void)
{
	return xcalloc(1, sizeof(struct dt_node));
}

void dt_node_add_prop(struct dt_node *node, struct dt_prop *prop)
{
	struct dt_prop **p;

	if (node->has_children)
		diag_error(&prop->pos, NULL, "property '%s' after a subnode: "
			   "device-tree source puts a node's properties before "
			   "its subnodes; move it up", prop->name);
	p = node->props_tail ? node->props_tail : &node->props;
	while (*p)
		p = &(*p)->next;
	*p = prop;
	node->props_tail = &prop->next;
}

void dt_node_add_child(struct dt_node *node, struct dt_node *child)
{
	struct dt_node **p;

	p = node->children_tail ? node->children_tail : &node->children;
	while (*p)
		p = &(*p)->next;
	*p = child;
	node->children_tail = &child->next;
	child->parent = node;
	node->has_children = true;
}

struct dt_prop *dt_prop_new(char *name, struct dt_chunk *value,
			    const struct srcpos *pos,
			    const struct srcpos *value_pos)
{
	struct dt_prop *prop = xcalloc(1, sizeof(*prop));

	prop->name = name;
	prop->value = value;
	prop->pos = *pos;
	prop->value_pos = *value_pos;
	return prop;
}

struct dt_chunk *dt_chunk_string(char *string, const struct srcpos *pos)
{
	struct dt_chunk *c = xcalloc(1, sizeof(*c));

	c->is_string = true;
	c->string = string;
	c->pos = *pos;
	return c;
}

struct dt_chunk *dt_chunk_cells(unsigned bits, const struct srcpos *pos)
{
	struct dt_chunk *c = xcalloc(1, sizeof(*c));

	c->bits = bits;
	c->pos = *pos;
	return c;
}

void dt_chunk_add_cell(struct dt_chunk *chunk, const struct dt_cell *cell)
{
	struct dt_cell *more;

	more = realloc(chunk->cells, (chunk->nr_cells + 1) * sizeof(*more));
	if (!more) {
		fprintf(stderr, "boardc: out of memory\n");
		exit(1);
	}
	chunk->cells = more;
	chunk->cells[chunk->nr_cells++] = *cell;
}

/* Every cell fits its size, as dtc requires (negative values may). */
void dt_chunk_check(const struct dt_chunk *chunk)
{
	uint64_t mask = chunk->bits < 64 ? (1ULL << chunk->bits) - 1 :
					   UINT64_MAX;

	for (unsigned i = 0; i < chunk->nr_cells; i++) {
		const struct dt_cell *c = &chunk->cells[i];

		if (c->ref || c->value <= mask ||
		    (c->value | mask) == UINT64_MAX)
			continue;
		diag_error(&c->pos, NULL, "number 0x%llx does not fit in a "
			   "%u-bit cell: split it into two cells, <0x%llx "
			   "0x%llx>", (unsigned long long)c->value, chunk->bits,
			   (unsigned long long)(c->value >> 32),
			   (unsigned long long)(c->value & 0xffffffff));
	}
}

struct dt_chunk *dt_chunk_append(struct dt_chunk *list, struct dt_chunk *c)
{
	struct dt_chunk **p;

	for (p = &list; *p; p = &(*p)->next)
		;
	*p = c;
	return list;
}

struct dt_label *dt_label_append(struct dt_label *list, char *name,
				 const struct srcpos *pos)
{
	struct dt_label *l = xcalloc(1, sizeof(*l)), **p;

	l->name = name;
	l->pos = *pos;
	for (p = &list; *p; p = &(*p)->next)
		;
	*p = l;
	return list;
}

void dt_bad_bits(unsigned bits, const struct srcpos *pos)
{
	diag_error(pos, NULL, "bad /bits/ size %u: write 8, 16, 32 or 64",
		   bits);
}

void dt_chunks_free(struct dt_chunk *c)
{
	while (c) {
		struct dt_chunk *next = c->next;

		for (unsigned i = 0; i < c->nr_cells; i++) {
			free(c->cells[i].text);
			free(c->cells[i].ref);
		}
		free(c->cells);
		free(c->string);
		free(c);
		c = next;
	}
}

void dt_prop_free(struct dt_prop *prop)
{
	dt_chunks_free(prop->value);
	free(prop->name);
	free(prop);
}

void dt_labels_free(struct dt_label *l)
{
	while (l) {
		struct dt_label *next = l->next;

		free(l->name);
		free(l);
		l = next;
	}
}

void dt_node_free(struct dt_node *node)
{
	while (node) {
		struct dt_node *next = node->next;

		while (node->props) {
			struct dt_prop *p = node->props;

			node->props = p->next;
			dt_prop_free(p);
		}
		dt_node_free(node->children);
		dt_labels_free(node->labels);
		free(node->name);
		free(node);
		node = next;
	}
}

/*
 * dtc's merge of a later block into a node: a property of the same name
 * is replaced where it stands, a subnode of the same name merged, the rest
 * appended. `src` is consumed.
 */
static void node_merge(struct dt_node *dst, struct dt_node *src)
{
	struct dt_label **lp;

	for (lp = &dst->labels; *lp; lp = &(*lp)->next)
		;
	*lp = src->labels;
	src->labels = NULL;
	while (src->props) {
		struct dt_prop *p = src->props, **old;

		src->props = p->next;
		p->next = NULL;
		for (old = &dst->props; *old; old = &(*old)->next)
			if (!strcmp((*old)->name, p->name))
				break;
		if (*old) {
			p->next = (*old)->next;
			if (dst->props_tail == &(*old)->next)
				dst->props_tail = &p->next;
			dt_prop_free(*old);
			*old = p;
		} else {
			*old = p;
		}
	}
	/* Into a node with no children yet (the first '/ { }'): as is. */
	if (!dst->children && src->children) {
		for (struct dt_node *c = src->children; c; c = c->next)
			c->parent = dst;
		dst->children = src->children;
		dst->children_tail = src->children_tail;
		dst->has_children = true;
		src->children = NULL;
	}
	while (src->children) {
		struct dt_node *c = src->children, *d;

		src->children = c->next;
		c->next = NULL;
		for (d = dst->children; d; d = d->next)
			if (!strcmp(d->name, c->name))
				break;
		if (d) {
			node_merge(d, c);
		} else {
			c->parent = NULL;
			dt_node_add_child(dst, c);
		}
	}
	dt_node_free(src);
}

void dt_root_merge(struct dt_node *node)
{
	node->name = xstrdup("/");
	if (!dt_root) {
		dt_root = node;
		return;
	}
	node_merge(dt_root, node);
}

void dt_ext_add(char *ref, struct dt_node *node, const struct srcpos *pos)
{
	struct dt_ext *e = xcalloc(1, sizeof(*e)), **p;

	e->ref = ref;
	e->node = node;
	e->pos = *pos;
	for (p = &dt_exts; *p; p = &(*p)->next)
		;
	*p = e;
}

/* ---- references: &label and &{/path} ---- */

static struct dt_node *label_find(struct dt_node *node, const char *label)
{
	for (; node; node = node->next) {
		struct dt_node *found;

		for (struct dt_label *l = node->labels; l; l = l->next)
			if (!strcmp(l->name, label))
				return node;
		found = label_find(node->children, label);
		if (found)
			return found;
	}
	return NULL;
}

/* A path component matches "name@unit", or "name" if that is unique. */
static struct dt_node *child_find(struct dt_node *node, const char *comp,
				  size_t len)
{
	struct dt_node *match = NULL;
	unsigned nr = 0;

	for (struct dt_node *c = node->children; c; c = c->next) {
		if (strlen(c->name) == len && !strncmp(c->name, comp, len))
			return c;
		if (!memchr(comp, '@', len) && !strncmp(c->name, comp, len) &&
		    c->name[len] == '@') {
			match = c;
			nr++;
		}
	}
	return nr == 1 ? match : NULL;
}

static struct dt_node *path_find(const char *path)
{
	struct dt_node *node = dt_root;

	if (path[0] != '/')
		return NULL;
	while (node && *path) {
		size_t len;

		while (*path == '/')
			path++;
		len = strcspn(path, "/");
		if (!len)
			break;
		node = child_find(node, path, len);
		path += len;
	}
	return node;
}

/* "label" or "{/path}", as the lexer hands them over. */
struct dt_node *dt_ref_find(const char *ref)
{
	char path[512];
	size_t len = strlen(ref);

	if (ref[0] != '{')
		return label_find(dt_root, ref);
	if (len < 2 || len - 2 >= sizeof(path))
		return NULL;
	memcpy(path, ref + 1, len - 2);
	path[len - 2] = '\0';
	return path_find(path);
}

void dt_report_unresolved(const struct srcpos *pos, const char *ref)
{
	if (ref[0] == '{')
		diag_error(pos, NULL, "reference '&%s' names no node: check "
			   "the path", ref);
	else
		diag_error(pos, NULL, "reference '&%s' names no node: define "
			   "the label with '%s: name { ... };'", ref, ref);
}

/* dtc rejects a label on two nodes; so do we. */
static void labels_check(struct dt_node *node)
{
	for (; node; node = node->next) {
		for (struct dt_label *l = node->labels; l; l = l->next) {
			struct dt_node *first = label_find(dt_root, l->name);
			struct dt_label *fl;

			if (first == node)
				continue;
			for (fl = first->labels; strcmp(fl->name, l->name);
			     fl = fl->next)
				;
			diag_error(&l->pos, "duplicate_name", "label '%s' is "
				   "on two nodes: labels are unique",
				   l->name);
			diag_note(&fl->pos, "'%s' defined here", l->name);
		}
		labels_check(node->children);
	}
}

static void exts_apply(void)
{
	while (dt_exts) {
		struct dt_ext *e = dt_exts;
		struct dt_node *target = dt_root ? dt_ref_find(e->ref) : NULL;

		dt_exts = e->next;
		if (target) {
			node_merge(target, e->node);
		} else {
			dt_report_unresolved(&e->pos, e->ref);
			dt_node_free(e->node);
		}
		free(e->ref);
		free(e);
	}
}

/* ---- lookups ---- */

struct dt_prop *dt_prop_get(const struct dt_node *node, const char *name)
{
	for (struct dt_prop *p = node->props; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

struct dt_node *dt_child_get(const struct dt_node *node, const char *name)
{
	for (struct dt_node *c = node->children; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* A name given twice in one node: dtc refuses, and so do we. */
static void duplicates_check(const struct dt_node *node)
{
	for (; node; node = node->next) {
		for (const struct dt_prop *p = node->props; p; p = p->next) {
			const struct dt_prop *first = dt_prop_get(node, p->name);

			if (first == p)
				continue;
			if (check_report(&p->pos, "duplicate_key",
					 "duplicate property '%s' in '%s': "
					 "keep one", p->name, node->name))
				diag_note(&first->pos, "first '%s' defined "
					  "here", p->name);
		}
		duplicates_check(node->children);
	}
}

struct dt_node *dt_tree_root(void)
{
	return dt_root;
}

/* Merge the &ref blocks, then check labels and duplicates. */
void dt_tree_resolve(void)
{
	exts_apply();
	labels_check(dt_root);
	duplicates_check(dt_root);
}

void dt_tree_free(void)
{
	while (dt_exts) {
		struct dt_ext *e = dt_exts;

		dt_exts = e->next;
		dt_node_free(e->node);
		free(e->ref);
		free(e);
	}
	dt_node_free(dt_root);
	dt_root = NULL;
}
