// SPDX-License-Identifier: MIT
/*
 * Checks, modelled on dtc's checks.c: a table of named checks, each one
 * small function and one declaration line, with prerequisites (a check is
 * skipped when one of its prerequisites found something), a phase (on the
 * tree as parsed, on the laid-out regions, or on the plan of the tables)
 * and a level (error, warning or off) that -W/-E change by name.
 *
 * A check reports through check_msg() (and check_note() for the other
 * party of a conflict). Its findings are printed when it finishes, sorted
 * by board file position, so the output is in file order and
 * deterministic whatever order the check walked things in.
 *
 * Everything here is O(n log n) in the number of devices and regions:
 * name clashes, irq clashes and overlaps are found by sorting.
 */
#define _GNU_SOURCE		/* vasprintf, qsort_r */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "boardc.h"
#include "acpi.h"
#include "cpuid-features.h"
#include "guest-ram.h"
#include "keys.h"
#include "mp-fit.h"
#include "ram-layout.h"

#define PIO_LIMIT	0xffffull

enum check_phase {
	PHASE_FRONT,		/* reported by the front ends */
	PHASE_TREE,		/* board_check() */
	PHASE_LAYOUT,		/* board_check_layout() */
	PHASE_PLAN,		/* board_check_plan() */
};

enum check_level { LEVEL_OFF, LEVEL_WARNING, LEVEL_ERROR };

struct finding {
	struct srcpos pos;
	char *msg;
	struct srcpos note_pos;
	char *note;		/* or NULL */
	unsigned seq;
};

struct check {
	const char *name;
	enum check_phase phase;
	enum check_level level;
	bool fixed;		/* always an error: -W/-E refuse to change it */
	void (*fn)(struct check *c, struct board *b);
	struct check **prereqs;
	unsigned nr_prereqs;
	const char *description;
	/* one run */
	bool failed;		/* found something, or a prerequisite did */
	struct finding *findings;
	unsigned nr_findings, max_findings;
};

static void out_of_memory(void)
{
	fprintf(stderr, "boardc: out of memory\n");
	exit(1);
}

/* ---- reporting ---- */

/* A position to report at: `pos` if it has one, else the board file. */
static struct srcpos board_pos(const struct board *b,
			       const struct srcpos *pos)
{
	struct srcpos p = { .file = srcpos_file(b->file),
			    .first_line = 1, .first_column = 1 };

	return pos && pos->file ? *pos : p;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	return s;
}

static void __attribute__((format(printf, 3, 4)))
check_msg(struct check *c, const struct srcpos *pos, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (c->nr_findings == c->max_findings) {
		c->max_findings = c->max_findings ? 2 * c->max_findings : 16;
		f = realloc(c->findings, c->max_findings * sizeof(*f));
		if (!f)
			out_of_memory();
		c->findings = f;
	}
	f = &c->findings[c->nr_findings];
	*f = (struct finding){ .pos = *pos, .seq = c->nr_findings };
	va_start(ap, fmt);
	f->msg = vformat(fmt, ap);
	va_end(ap);
	c->nr_findings++;
}

/* The other party of the last finding. */
static void __attribute__((format(printf, 3, 4)))
check_note(struct check *c, const struct srcpos *pos, const char *fmt, ...)
{
	struct finding *f = &c->findings[c->nr_findings - 1];
	va_list ap;

	f->note_pos = *pos;
	va_start(ap, fmt);
	f->note = vformat(fmt, ap);
	va_end(ap);
}

static int pos_cmp(const struct srcpos *a, const struct srcpos *b)
{
	int c;

	if (a->file != b->file) {
		c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
		if (c)
			return c;
	}
	if (a->first_line != b->first_line)
		return a->first_line < b->first_line ? -1 : 1;
	if (a->first_column != b->first_column)
		return a->first_column < b->first_column ? -1 : 1;
	return 0;
}

static int finding_cmp(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c = pos_cmp(&a->pos, &b->pos);

	if (c)
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Print the findings in file order; the number of errors printed. */
static int check_flush(struct check *c)
{
	int errors = 0;

	if (!c->nr_findings)
		return 0;
	qsort(c->findings, c->nr_findings, sizeof(*c->findings), finding_cmp);
	for (unsigned i = 0; i < c->nr_findings; i++) {
		struct finding *f = &c->findings[i];

		if (c->level == LEVEL_ERROR) {
			diag_error(&f->pos, c->name, "%s", f->msg);
			errors++;
		} else {
			diag_warning(&f->pos, c->name, "%s", f->msg);
		}
		if (f->note)
			diag_note(&f->note_pos, "%s", f->note);
		free(f->msg);
		free(f->note);
	}
	free(c->findings);
	c->findings = NULL;
	c->nr_findings = c->max_findings = 0;
	return errors;
}

/* ---- front-end findings ---- */

static struct check *check_find(const char *name);

/*
 * A front end's finding of check `name`, at the level -W/-E gave it. The
 * front ends print as they parse (no sorting: they walk the file in
 * order). A name that is not in the table is an error, so a typo in a
 * front end cannot silence anything.
 */
/* Errors check_report() printed: the front ends' recoverable ones. */
static int nr_reported_errors;

int check_report_error_count(void)
{
	return nr_reported_errors;
}

bool check_report(const struct srcpos *pos, const char *name,
		  const char *fmt, ...)
{
	const struct check *c = check_find(name);
	enum check_level level = c ? c->level : LEVEL_ERROR;
	va_list ap;
	char *msg;

	if (level == LEVEL_OFF)
		return false;
	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	if (level == LEVEL_ERROR) {
		nr_reported_errors++;
		diag_error(pos, name, "%s", msg);
	}
	else
		diag_warning(pos, name, "%s", msg);
	free(msg);
	return true;
}

/* ---- helpers ---- */

/* Rotating buffers for values printed several to a message. */
static char *scratch(void)
{
	static char bufs[8][64];
	static unsigned next;

	return bufs[next++ % ARRAY_SIZE(bufs)];
}

static uint64_t range_last(uint64_t base, uint64_t size)
{
	if (!size)
		return base;
	return base + size - 1 < base ? UINT64_MAX : base + size - 1;
}

/* "0x3f8-0x3ff": inclusive, like /proc/ioports. */
static const char *range_str(uint64_t base, uint64_t size)
{
	char *buf = scratch();

	snprintf(buf, 64, "0x%llx-0x%llx", (unsigned long long)base,
		 (unsigned long long)range_last(base, size));
	return buf;
}

static const char *hex(uint64_t v)
{
	char *buf = scratch();

	snprintf(buf, 64, "0x%llx", (unsigned long long)v);
	return buf;
}

/* "512M", "3G"; hex where no suffix divides it. */
static const char *size_str(uint64_t v)
{
	char *buf = scratch();

	ram_size_str(v, buf, 64);
	return buf;
}

static const char *dname(const struct ir_device *d)
{
	return d->name ? d->name : "(unnamed)";
}

static const char *rname(const struct ir_range *r)
{
	return r->name ? r->name : "(unnamed)";
}

static const char *window_kind(enum board_space space)
{
	return space == SPACE_PIO ? "I/O window" : "MMIO window";
}

static const char *placement_key(enum board_space space)
{
	return space == SPACE_PIO ? "io-ports" : "mmio";
}

static struct ir_placement *dev_placement(struct ir_device *d,
					  enum board_space space)
{
	return space == SPACE_PIO ? &d->pio : &d->mmio;
}

/* Are all the type's registers in `space` optional (reg->optional)? */
static bool type_space_optional(const struct device_type *t,
				enum board_space space)
{
	for (unsigned i = 0; i < t->nr_regs; i++)
		if (t->regs[i].space == space && !t->regs[i].optional)
			return false;
	return true;
}

/* Does the type have registers in `space` (SPACE_BLOCK: movable ones)? */
static bool type_has_space(const struct device_type *t,
			   enum board_space space)
{
	for (unsigned i = 0; i < t->nr_regs; i++)
		if (t->regs[i].space == space)
			return true;
	return false;
}

/*
 * Where the type's SPACE_BLOCK registers go: the device's placement space,
 * I/O ports first if (wrongly) both are given, as board_layout() does.
 */
static enum board_space block_space(const struct ir_device *d)
{
	if (d->pio.present)
		return SPACE_PIO;
	if (d->mmio.present)
		return SPACE_MMIO;
	return SPACE_BLOCK;
}

/* Does the device have registers in `space` once laid out? */
static bool dev_uses_space(const struct ir_device *d, enum board_space space)
{
	return type_has_space(d->type, space) ||
	       (type_has_space(d->type, SPACE_BLOCK) &&
		block_space(d) == space);
}

/* Bytes the device's block spans in `space`, as layout places it. */
static uint64_t dev_span(const struct ir_device *d, enum board_space space)
{
	uint64_t span = 0;

	for (unsigned i = 0; i < d->type->nr_regs; i++) {
		const struct reg_schema *r = &d->type->regs[i];
		bool here = r->space == space ||
			    (r->space == SPACE_BLOCK &&
			     block_space(d) == space);

		if (here && r->offset + ir_reg_size(d, r) > span)
			span = r->offset + ir_reg_size(d, r);
	}
	return span;
}

/* "a, b, c" into buf. */
struct list_buf {
	char text[512];
	size_t len;
};

static void list_add(struct list_buf *l, const char *item)
{
	int n;

	if (l->len >= sizeof(l->text) - 1)
		return;
	n = snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s%s",
		     l->len ? ", " : "", item);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len >= sizeof(l->text) - 1)
		strcpy(l->text + sizeof(l->text) - 5, "...");
}

static int window_find(const struct board *b, enum board_space space,
		       const char *name, unsigned *count)
{
	int found = -1;

	*count = 0;
	for (unsigned i = 0; i < b->nr_windows; i++) {
		const struct ir_range *w = &b->windows[i];

		if (w->space != space)
			continue;
		if (name && (!w->name || strcmp(w->name, name)))
			continue;
		found = (int)i;
		(*count)++;
	}
	return *count == 1 ? found : -1;
}

/* ---- phase one: the tree as parsed ---- */

static void check_cpus(struct check *c, struct board *b)
{
	struct srcpos pos = board_pos(b, &b->cpus_pos);

	if (!b->cpus_default)
		check_msg(c, &pos, "cpus: default is 0: a board needs at "
			  "least 1 CPU");
	else if (b->cpus_default > b->cpus_max)
		check_msg(c, &pos, "cpus: default %u is more than max %u: "
			  "lower default or raise max", b->cpus_default,
			  b->cpus_max);
	if (b->cpus_max > 255)
		check_msg(c, &pos, "cpus: max %u is more than 255, the most "
			  "x86 APIC IDs allow: lower it", b->cpus_max);
}

/*
 * Names are pasted into generated C (strings, BOARD_* macro names), file
 * names (generated/<board>/) and make variables, so they are kept to
 * lower-case letters, digits, '-' and, except for the board, '_'.
 */
static bool name_ok(const char *s, bool underscore)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || (underscore && *s == '_')))
			return false;
	return true;
}

/* A name as it can be printed in a message: 40 bytes, '?' for odd ones. */
static const char *name_printable(const char *s)
{
	char *buf = scratch();
	unsigned i;

	for (i = 0; s[i] && i < 40; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i])
		strcpy(buf + i, "...");
	else
		buf[i] = '\0';
	return buf;
}

static void range_names(struct check *c, const struct ir_range *r,
			unsigned nr, const char *kind)
{
	for (unsigned i = 0; i < nr; i++)
		if (r[i].name && !name_ok(r[i].name, true))
			check_msg(c, &r[i].pos, "%s name '%s' is not "
				  "[a-z0-9][a-z0-9_-]*: use lower-case "
				  "letters, digits, '-' and '_' (it becomes "
				  "a C string and a map entry)", kind,
				  name_printable(r[i].name));
}

static void check_bad_name(struct check *c, struct board *b)
{
	struct srcpos pos = board_pos(b, &b->pos);

	if (b->name && !name_ok(b->name, false))
		check_msg(c, &pos, "board name '%s' is not [a-z0-9][a-z0-9-]*: "
			  "use lower-case letters, digits and '-' (it names "
			  "generated/<board>/ and build/<board>/)",
			  name_printable(b->name));
	for (unsigned i = 0; i < b->nr_devices; i++) {
		const struct ir_device *d = &b->devices[i];

		if (d->name && !name_ok(d->name, true))
			check_msg(c, &d->name_pos, "device name '%s' is not "
				  "[a-z0-9][a-z0-9_-]*: use lower-case "
				  "letters, digits, '-' and '_' (it becomes "
				  "BOARD_* macro names and region names)",
				  name_printable(d->name));
	}
	range_names(c, b->ram, b->nr_ram, "RAM region");
	range_names(c, b->reserved, b->nr_reserved, "reserved range");
	range_names(c, b->windows, b->nr_windows, "window");
}

struct named {
	const char *name;
	const struct srcpos *pos;
	unsigned index;
};

static int named_cmp(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return (a->index > b->index) - (a->index < b->index);
}

/* Report every name defined again, with a note at its first definition. */
static void names_unique(struct check *c, struct named *n, unsigned nr,
			 const char *kind)
{
	unsigned first = 0;

	qsort(n, nr, sizeof(*n), named_cmp);
	for (unsigned i = 1; i < nr; i++) {
		if (strcmp(n[i].name, n[first].name)) {
			first = i;
			continue;
		}
		check_msg(c, n[i].pos, "%s '%s' is defined twice: rename one",
			  kind, n[i].name);
		check_note(c, n[first].pos, "%s '%s' defined here", kind,
			   n[first].name);
	}
}

/* Ranges of one kind (windows: of one space, as {window: NAME} looks). */
static void ranges_unique(struct check *c, struct named *n,
			  const struct ir_range *r, unsigned nr,
			  const char *kind, int space)
{
	unsigned k = 0;

	for (unsigned i = 0; i < nr; i++)
		if (r[i].name && (space < 0 || (int)r[i].space == space))
			n[k++] = (struct named){ r[i].name, &r[i].pos, i };
	names_unique(c, n, k, kind);
}

static void check_duplicate_name(struct check *c, struct board *b)
{
	unsigned max = b->nr_devices;
	struct named *n;
	unsigned k = 0;

	if (b->nr_ram > max)
		max = b->nr_ram;
	if (b->nr_reserved > max)
		max = b->nr_reserved;
	if (b->nr_windows > max)
		max = b->nr_windows;
	n = calloc(max + 1, sizeof(*n));
	if (!n)
		out_of_memory();
	for (unsigned i = 0; i < b->nr_devices; i++)
		if (b->devices[i].name)
			n[k++] = (struct named){ b->devices[i].name,
						 &b->devices[i].name_pos, i };
	names_unique(c, n, k, "device");
	ranges_unique(c, n, b->ram, b->nr_ram, "RAM region", -1);
	ranges_unique(c, n, b->reserved, b->nr_reserved, "reserved range",
		      -1);
	ranges_unique(c, n, b->windows, b->nr_windows, "MMIO window",
		      SPACE_MMIO);
	ranges_unique(c, n, b->windows, b->nr_windows, "I/O window",
		      SPACE_PIO);
	free(n);
}

/* Registers of the type in `space`, for messages: "master, slave". */
static void reg_names(const struct device_type *t, enum board_space space,
		      bool all, struct list_buf *l)
{
	for (unsigned i = 0; i < t->nr_regs; i++)
		if (all || t->regs[i].space == space)
			list_add(l, t->regs[i].name);
}

static void missing_placement(struct check *c, struct board *b,
			      struct ir_device *d, enum board_space space)
{
	struct ir_placement *p = dev_placement(d, space);
	struct list_buf names = { .len = 0 };
	unsigned count;

	if (!p->present || !p->is_auto || p->window)
		return;
	if (window_find(b, space, NULL, &count) >= 0)
		return;
	for (unsigned i = 0; i < b->nr_windows; i++)
		if (b->windows[i].space == space)
			list_add(&names, rname(&b->windows[i]));
	if (!count)
		check_msg(c, &p->pos, "device '%s': %s: auto needs the "
			  "board's %s, but it has none: add %s or give a base",
			  dname(d), placement_key(space), window_kind(space),
			  space == SPACE_PIO ? "io-windows:" : "mmio-windows:");
	else
		check_msg(c, &p->pos, "device '%s': %s: auto is ambiguous: "
			  "the board has %u %ss (%s): pick one with %s: "
			  "{window: NAME}", dname(d), placement_key(space),
			  count, window_kind(space), names.text,
			  placement_key(space));
}

static void missing_device_property(struct check *c, struct board *b,
				    struct ir_device *d)
{
	const struct device_type *t = d->type;
	struct srcpos pos = board_pos(b, &d->pos);

	for (unsigned i = 0; i < t->nr_props; i++)
		if (t->props[i].required) {
			bool found = false;

			for (unsigned j = 0; j < d->nr_props && !found; j++)
				found = !strcmp(d->props[j].name,
						t->props[i].name);
			if (!found)
				check_msg(c, &pos, "device '%s': %s needs "
					  "property '%s' (%s): add it under "
					  "properties:", dname(d), t->name,
					  t->props[i].name,
					  t->props[i].description);
		}
	if (t->irq == IRQ_REQUIRED && !d->has_irq)
		check_msg(c, &pos, "device '%s': %s needs an interrupt line: "
			  "add irq: N", dname(d), t->name);
}

static void missing_device_placement(struct check *c, struct ir_device *d,
				     const struct srcpos *pos)
{
	const struct device_type *t = d->type;

	for (int s = SPACE_PIO; s <= SPACE_MMIO; s++) {
		struct list_buf regs = { .len = 0 };

		if (!type_has_space(t, s) || dev_placement(d, s)->present ||
		    type_space_optional(t, s))
			continue;
		reg_names(t, s, false, &regs);
		check_msg(c, pos, "device '%s': %s has %s registers (%s) "
			  "but no %s: add %s: BASE or auto", dname(d),
			  t->name, s == SPACE_PIO ? "I/O port" : "MMIO",
			  regs.text, placement_key(s), placement_key(s));
	}
	if (type_has_space(t, SPACE_BLOCK) && !d->pio.present &&
	    !d->mmio.present && !type_has_space(t, SPACE_PIO) &&
	    !type_has_space(t, SPACE_MMIO))
		check_msg(c, pos, "device '%s': %s must be placed somewhere: "
			  "add io-ports: or mmio: (a base or auto)", dname(d),
			  t->name);
}

static void check_missing_property(struct check *c, struct board *b)
{
	struct srcpos pos;

	if (!b->name) {
		pos = board_pos(b, &b->pos);
		check_msg(c, &pos, "the board has no name: add board: NAME");
	}
	if (!b->nr_ram) {
		pos = board_pos(b, &b->ram_pos);
		check_msg(c, &pos, "the board has no RAM regions: add "
			  "ram: regions: with at least one {name, base, "
			  "size}");
	}
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		pos = board_pos(b, &d->pos);
		if (!d->type_name)
			check_msg(c, &pos, "device '%s' has no type: add "
				  "type: TYPE", dname(d));
		if (!d->type)
			continue;
		missing_device_property(c, b, d);
		missing_device_placement(c, d, &pos);
		for (int s = SPACE_PIO; s <= SPACE_MMIO; s++)
			if (dev_uses_space(d, s))
				missing_placement(c, b, d, s);
	}
}

/* The known type closest to `name`, if it is close enough to be a typo. */
static const struct device_type *type_closest(const char *name)
{
	struct name_suggest sg = { .name = name };

	for (unsigned i = 0; i < nr_device_types; i++)
		name_suggest_try(&sg, device_types[i]->name);
	return sg.best ? device_type_find(sg.best) : NULL;
}

static void check_unknown_device_type(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];
		const struct device_type *near;
		struct list_buf all = { .len = 0 };

		if (!d->type_name || d->type || d->transport)
			continue;	/* a transport's: bad_transport */
		near = type_closest(d->type_name);
		if (near) {
			check_msg(c, &d->type_pos, "device '%s': unknown type "
				  "'%s': did you mean '%s'?", dname(d),
				  d->type_name, near->name);
			continue;
		}
		for (unsigned t = 0; t < nr_device_types; t++)
			list_add(&all, device_types[t]->name);
		check_msg(c, &d->type_pos, "device '%s': unknown type '%s': "
			  "use one of %s", dname(d), d->type_name, all.text);
	}
}

static bool transport_known(const char *t)
{
	return !strcmp(t, "pci") || !strcmp(t, "mmio");
}

/* The types a `transport:` applies to: NAME-pci and NAME-mmio both exist. */
static void transport_types(struct list_buf *list)
{
	for (unsigned t = 0; t < nr_device_types; t++) {
		const char *n = device_types[t]->name;
		size_t len = strlen(n);
		char other[128];

		if (len < 4 || len - 4 >= sizeof(other) ||
		    strcmp(n + len - 4, "-pci"))
			continue;
		snprintf(other, sizeof(other), "%.*s-mmio", (int)(len - 4), n);
		if (device_type_find(other)) {
			other[len - 4] = 0;
			list_add(list, other);
		}
	}
}

static void check_bad_transport(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];
		struct list_buf types = { .len = 0 };

		if (!d->transport || d->type)
			continue;
		if (!transport_known(d->transport)) {
			check_msg(c, &d->transport_pos, "device '%s': unknown "
				  "transport '%s': use pci or mmio", dname(d),
				  d->transport);
			continue;
		}
		if (!d->type_name)
			continue;
		transport_types(&types);
		check_msg(c, &d->type_pos, "device '%s': type '%s' has no "
			  "%s transport: 'transport:' takes a type of %s",
			  dname(d), d->type_name, d->transport, types.text);
	}
}

/* A device's own keys, in both syntaxes: what a misspelt one may be. */
static const char *const device_keys[] = {
	KEY_NAME, KEY_TYPE, KEY_IO_PORTS, KEY_MMIO, KEY_IRQ, KEY_PROPERTIES,
	KEY_BINDINGS, KEY_PCI_SLOT, KEY_TRANSPORT, DTS_TYPE, DTS_IRQ,
};

static void check_unknown_property(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];
		const struct device_type *t = d->type;
		struct list_buf valid = { .len = 0 };

		if (!t)
			continue;
		for (unsigned p = 0; p < t->nr_props; p++)
			list_add(&valid, t->props[p].name);
		for (unsigned p = 0; p < d->nr_props; p++) {
			struct ir_property *prop = &d->props[p];
			struct name_suggest sg = { .name = prop->name };

			if (device_type_prop(t, prop->name))
				continue;
			for (unsigned k = 0; k < t->nr_props; k++)
				name_suggest_try(&sg, t->props[k].name);
			/* The text syntax puts device keys among them. */
			for (unsigned k = 0; k < ARRAY_SIZE(device_keys); k++)
				name_suggest_try(&sg, device_keys[k]);
			if (t->nr_props)
				check_msg(c, &prop->pos, "device '%s': %s has "
					  "no property '%s'%s(valid: %s)",
					  dname(d), t->name, prop->name,
					  name_hint(sg.best), valid.text);
			else
				check_msg(c, &prop->pos, "device '%s': %s "
					  "takes no properties: remove '%s'",
					  dname(d), t->name, prop->name);
		}
	}
}

static bool prop_valid(const struct prop_schema *s, const char *text,
		       const char **want)
{
	uint64_t v;
	bool b;

	switch (s->kind) {
	case PROP_NUMBER:
		*want = "a number: write decimal or 0x hex, like 4 or 0x10";
		return parse_number(text, &v);
	case PROP_SIZE:
		*want = "a size: write a number with an optional K, M, G "
			"or T suffix, like 4096 or 64K";
		return parse_size(text, &v);
	case PROP_BOOL:
		*want = "a boolean: write true, false, yes or no";
		return parse_bool(text, &b);
	case PROP_STRING:
		break;
	}
	return true;
}

static void check_bad_property_value(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (!d->type)
			continue;
		for (unsigned p = 0; p < d->nr_props; p++) {
			struct ir_property *prop = &d->props[p];
			const struct prop_schema *s;
			const char *want;

			s = device_type_prop(d->type, prop->name);
			if (!s || prop_valid(s, prop->text ? prop->text : "",
					     &want))
				continue;
			check_msg(c, &prop->value_pos, "device '%s': property "
				  "'%s' is '%s', not %s", dname(d), prop->name,
				  prop->text ? prop->text : "", want);
		}
	}
}

static void check_extra_placement(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];
		const struct device_type *t = d->type;
		bool block;

		if (!t)
			continue;
		block = type_has_space(t, SPACE_BLOCK);
		if (block && d->pio.present && d->mmio.present &&
		    !type_has_space(t, SPACE_PIO) &&
		    !type_has_space(t, SPACE_MMIO)) {
			check_msg(c, &d->mmio.pos, "device '%s': %s is placed "
				  "once, in I/O ports or in MMIO: remove "
				  "io-ports: or mmio:", dname(d), t->name);
			check_note(c, &d->pio.pos, "io-ports of '%s' defined "
				   "here", dname(d));
			continue;
		}
		for (int s = SPACE_PIO; s <= SPACE_MMIO; s++) {
			struct ir_placement *p = dev_placement(d, s);

			if (!p->present || block || type_has_space(t, s))
				continue;
			check_msg(c, &p->pos, "device '%s': %s has no %s "
				  "registers: remove %s:", dname(d), t->name,
				  s == SPACE_PIO ? "I/O port" : "MMIO",
				  placement_key(s));
		}
	}
}

static void check_unknown_register(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];
		struct list_buf regs = { .len = 0 };

		if (!d->type)
			continue;
		reg_names(d->type, SPACE_BLOCK, true, &regs);
		for (unsigned k = 0; k < d->nr_bindings; k++) {
			struct ir_binding *bd = &d->bindings[k];
			struct name_suggest sg = { .name = bd->reg };

			if (device_type_reg(d->type, bd->reg))
				continue;
			for (unsigned r = 0; r < d->type->nr_regs; r++)
				name_suggest_try(&sg, d->type->regs[r].name);
			check_msg(c, &bd->pos, "device '%s': %s has no register "
				  "'%s'%s(registers: %s)", dname(d),
				  d->type->name, bd->reg, name_hint(sg.best),
				  regs.text);
		}
	}
}

static void allowed_names(unsigned mask, struct list_buf *l)
{
	for (int k = 0; k < NR_BINDINGS; k++)
		if (mask & BINDING_BIT(k) && k != BINDING_KERNEL)
			list_add(l, binding_name(k));
}

/* Bytes an async datamatch compares: the doorbell width (at most 8). */
static unsigned datamatch_width(const struct reg_schema *r)
{
	uint64_t w = r->width ? r->width : r->size;

	return w > 8 ? 8 : (unsigned)w;
}

static void bad_binding(struct check *c, struct ir_device *d,
			struct ir_binding *bd, const struct reg_schema *r)
{
	struct list_buf ok = { .len = 0 };
	unsigned width;

	allowed_names(r->allowed_bindings, &ok);
	if (!(r->allowed_bindings & BINDINGS_USER)) {
		check_msg(c, &bd->value_pos, "device '%s': %s.%s is "
			  "emulated inside KVM: remove its binding", dname(d),
			  dname(d), r->name);
		return;
	}
	if (bd->binding == BINDING_KERNEL ||
	    !(r->allowed_bindings & BINDING_BIT(bd->binding))) {
		check_msg(c, &bd->value_pos, "device '%s': register '%s' of "
			  "%s cannot be %s: use %s", dname(d), r->name,
			  d->type->name, binding_name(bd->binding), ok.text);
		return;
	}
	if (!bd->has_datamatch)
		return;
	if (bd->binding != BINDING_ASYNC) {
		check_msg(c, &bd->value_pos, "device '%s': datamatch on "
			  "register '%s' needs binding async, not %s",
			  dname(d), r->name, binding_name(bd->binding));
		return;
	}
	width = datamatch_width(r);
	if (width < 8 && bd->datamatch >> (8 * width))
		check_msg(c, &bd->value_pos, "device '%s': datamatch %s does "
			  "not fit the %u-byte register '%s': use at most %s",
			  dname(d), hex(bd->datamatch), width, r->name,
			  hex((1ull << (8 * width)) - 1));
}

static void check_bad_binding(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (!d->type)
			continue;
		for (unsigned k = 0; k < d->nr_bindings; k++) {
			struct ir_binding *bd = &d->bindings[k];
			const struct reg_schema *r;

			r = device_type_reg(d->type, bd->reg);
			if (r)
				bad_binding(c, d, bd, r);
		}
	}
}

static void check_irq_unsupported(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (d->has_irq && d->type && d->type->irq == IRQ_NONE)
			check_msg(c, &d->irq_pos, "device '%s': %s has no "
				  "interrupt line: remove irq: %u", dname(d),
				  d->type->name, d->irq);
	}
}

static void check_irq_range(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (!d->has_irq || d->irq < b->nr_irqs)
			continue;
		if (!b->nr_irqs)
			check_msg(c, &d->irq_pos, "device '%s': irq %u is out "
				  "of range: the board has no interrupt lines "
				  "(irqs: 0): raise irqs or remove irq:",
				  dname(d), d->irq);
		else
			check_msg(c, &d->irq_pos, "device '%s': irq %u is out "
				  "of range: the board has %u interrupt lines "
				  "(0-%u): use a lower line or raise irqs",
				  dname(d), d->irq, b->nr_irqs,
				  b->nr_irqs - 1);
	}
}

/* cpuid-hide: names from machine/cpuid-features.c, which boardvm can hide. */
static void check_unknown_cpuid_feature(struct check *c, struct board *b)
{
	char known[1024];
	size_t len = 0;

	known[0] = 0;
	for (unsigned i = 0; i < nr_cpuid_features && len < sizeof(known);
	     i++)
		len += snprintf(known + len, sizeof(known) - len, "%s%s",
				i ? ", " : "", cpuid_features[i].name);
	for (unsigned i = 0; i < b->nr_cpuid_hide; i++) {
		const char *name = b->cpuid_hide[i];

		if (cpuid_feature_find(name, strlen(name)) < 0)
			check_msg(c, &b->cpuid_hide_pos[i], "cpuid-hide: "
				  "unknown CPUID feature '%s': use one of %s",
				  name, known);
	}
}

/* firmware-tables: "acpi" and "mptable", each once. */
static void check_unknown_firmware_table(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_firmware_tables; i++) {
		const char *name = b->firmware_tables[i];

		if (strcmp(name, "acpi") && strcmp(name, "mptable"))
			check_msg(c, &b->firmware_tables_pos[i],
				  "firmware-tables: unknown table '%s': use "
				  "acpi, mptable or both", name);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(name, b->firmware_tables[j]))
				check_msg(c, &b->firmware_tables_pos[i],
					  "firmware-tables: '%s' given twice",
					  name);
	}
}

/* The ACPI tables build from the laid-out board (dtc-like/acpi.c). */
static void check_acpi_tables(struct check *c, struct board *b)
{
	const struct srcpos *pos;
	struct acpi_image img;
	char err[256];

	if (!board_wants_tables(b, "acpi"))
		return;
	if (board_acpi_build(b, &img, err, sizeof(err), &pos) < 0)
		check_msg(c, pos, "%s", err);
	else
		acpi_image_free(&img);
}

#define ECAM_BUS_BYTES	0x100000ull	/* 1 MiB of configuration per bus */
#define ECAM_MAX_BUSES	256

/* pci-host's `buses`: 1-256. */
static void ecam_buses_check(struct check *c, const struct ir_device *d)
{
	const struct ir_property *p = ir_device_prop(d, "buses");
	uint64_t n;

	if (p && p->text && parse_number(p->text, &n) &&
	    (n < 1 || n > ECAM_MAX_BUSES))
		check_msg(c, &p->value_pos, "device '%s': buses %s: a host "
			  "bridge has 1-%u buses (bus numbers are 8 bits)",
			  dname(d), p->text, ECAM_MAX_BUSES);
}

/*
 * The ECAM window (pci-host's mmio:, the MCFG's): at a fixed base, 1 MiB
 * aligned, outside the MMIO windows (Linux places BARs in those; the
 * e820 map reserves this one).
 */
static void ecam_window_check(struct check *c, struct board *b,
			      const struct ir_device *d)
{
	const struct ir_region *r = NULL;

	if (d->mmio.is_auto) {
		check_msg(c, &d->mmio.pos, "device '%s': mmio: auto: the ECAM "
			  "window needs a fixed base outside the MMIO windows "
			  "(the e820 map reserves it): give one", dname(d));
		return;
	}
	for (unsigned i = 0; i < b->nr_regions && !r; i++)
		if (b->regions[i].dev == d &&
		    b->regions[i].space == SPACE_MMIO)
			r = &b->regions[i];
	if (!r)
		return;
	if (r->base % ECAM_BUS_BYTES)
		check_msg(c, &d->mmio.pos, "device '%s': the ECAM window %s "
			  "is not 1 MiB aligned (each bus's configuration "
			  "space starts on a megabyte): give an aligned base",
			  dname(d), range_str(r->base, r->size));
	for (unsigned i = 0; i < b->nr_windows; i++) {
		const struct ir_range *w = &b->windows[i];

		if (w->space != SPACE_MMIO || r->base > range_last(w->base,
		    w->size) || w->base > region_last(r))
			continue;
		check_msg(c, &d->mmio.pos, "device '%s': the ECAM window %s "
			  "overlaps MMIO window '%s' %s, where Linux places "
			  "PCI BARs: put it outside", dname(d),
			  range_str(r->base, r->size), rname(w),
			  range_str(w->base, w->size));
		check_note(c, &w->pos, "MMIO window '%s' defined here",
			   rname(w));
	}
	for (unsigned i = 0; i < b->nr_reserved; i++) {
		const struct ir_range *m = &b->reserved[i];

		if (!m->backed || r->base > range_last(m->base, m->size) ||
		    m->base > region_last(r))
			continue;
		check_msg(c, &d->mmio.pos, "device '%s': the ECAM window %s "
			  "overlaps backed reserved range '%s' %s, whose "
			  "memory would hide it: put it elsewhere", dname(d),
			  range_str(r->base, r->size), rname(m),
			  range_str(m->base, m->size));
		check_note(c, &m->pos, "reserved range '%s' defined here",
			   rname(m));
	}
}

static void check_pci_ecam(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (!d->type || strcmp(d->type->name, "pci-host"))
			continue;
		ecam_buses_check(c, d);
		if (d->mmio.present)
			ecam_window_check(c, b, d);
	}
}

struct irq_user {
	unsigned irq;
	unsigned index;
};

static int irq_user_cmp(const void *x, const void *y)
{
	const struct irq_user *a = x, *b = y;

	if (a->irq != b->irq)
		return a->irq < b->irq ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

/*
 * On each line, a device clashes with the first device before it unless
 * both types may share; a shareable device only with the first one that
 * may not.
 */
static void irq_line_check(struct check *c, struct board *b,
			   const struct irq_user *u, unsigned n)
{
	struct ir_device *first = &b->devices[u[0].index];
	struct ir_device *exclusive = NULL;

	if (!first->type->irq_shareable)
		exclusive = first;
	for (unsigned i = 1; i < n; i++) {
		struct ir_device *d = &b->devices[u[i].index];
		struct ir_device *other = d->type->irq_shareable ? exclusive
								 : first;

		if (other) {
			check_msg(c, &d->irq_pos, "device '%s': irq %u is "
				  "already used by '%s', and only shareable "
				  "(level-triggered) types may share a line: "
				  "use another irq", dname(d), d->irq,
				  dname(other));
			check_note(c, &other->irq_pos, "device '%s' defined "
				   "here", dname(other));
		}
		if (!exclusive && !d->type->irq_shareable)
			exclusive = d;
	}
}

static void check_irq_conflict(struct check *c, struct board *b)
{
	struct irq_user *u = calloc(b->nr_devices + 1, sizeof(*u));
	unsigned n = 0, start = 0;

	if (!u)
		out_of_memory();
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (d->has_irq && d->type && d->type->irq != IRQ_NONE &&
		    d->irq < b->nr_irqs)
			u[n++] = (struct irq_user){ d->irq, i };
	}
	qsort(u, n, sizeof(*u), irq_user_cmp);
	for (unsigned i = 1; i <= n; i++)
		if (i == n || u[i].irq != u[start].irq) {
			irq_line_check(c, b, &u[start], i - start);
			start = i;
		}
	free(u);
}

/* ---- PCI ---- */

static const struct ir_device *board_pci_host(const struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++)
		if (b->devices[i].type == &device_type_pci_host)
			return &b->devices[i];
	return NULL;
}

/* pci-slot: only on PCI types, 1..31, each slot once, a pci-host. */
static void check_pci_slot(struct check *c, struct board *b)
{
	const struct ir_device *owner[PCI_SLOT_MAX + 1] = { NULL };
	bool have_host = board_pci_host(b) != NULL;
	unsigned nr_auto = 0, nr_fixed = 0;

	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (!d->type)
			continue;
		if (!d->type->pci) {
			if (d->has_pci_slot)
				check_msg(c, &d->pci_slot_pos, "device '%s': "
					  "%s is not a PCI device: remove "
					  "pci-slot:", dname(d),
					  d->type->name);
			continue;
		}
		if (!have_host)
			check_msg(c, &d->type_pos, "device '%s': %s is a PCI "
				  "device but the board has no pci-host: add "
				  "a device of type pci-host (io-ports: "
				  "0xcf8)", dname(d), d->type->name);
		if (!d->has_pci_slot || d->pci_slot_auto) {
			nr_auto++;
			continue;
		}
		if (d->pci_slot < PCI_SLOT_MIN || d->pci_slot > PCI_SLOT_MAX) {
			check_msg(c, &d->pci_slot_pos, "device '%s': "
				  "pci-slot %u is out of range: slot 0 is the "
				  "host bridge, devices take %u-%u (or auto)",
				  dname(d), d->pci_slot, PCI_SLOT_MIN,
				  PCI_SLOT_MAX);
			continue;
		}
		if (owner[d->pci_slot]) {
			check_msg(c, &d->pci_slot_pos, "device '%s': "
				  "pci-slot %u is already used by '%s': use "
				  "another slot or auto", dname(d),
				  d->pci_slot, dname(owner[d->pci_slot]));
			check_note(c, &owner[d->pci_slot]->pci_slot_pos,
				   "device '%s' defined here",
				   dname(owner[d->pci_slot]));
			continue;
		}
		owner[d->pci_slot] = d;
		nr_fixed++;
	}
	if (nr_auto + nr_fixed > PCI_SLOT_MAX)
		check_msg(c, &b->pos, "board '%s': %u PCI devices, but bus 0 "
			  "has only %u slots: remove devices",
			  b->name ? b->name : "", nr_auto + nr_fixed,
			  PCI_SLOT_MAX);
}

/* The block of a PCI device is BAR0: memory, never I/O ports. */
static void check_pci_bar_space(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++) {
		struct ir_device *d = &b->devices[i];

		if (d->type && d->type->pci && d->pio.present)
			check_msg(c, &d->pio.pos, "device '%s': %s is a PCI "
				  "device, its registers are BAR0 in memory: "
				  "write mmio: instead of io-ports:", dname(d),
				  d->type->name);
	}
}

/* ---- phase two: the laid-out regions ---- */

/* One side of an overlap: a register region or a board range. */
enum party_kind { PARTY_RAM, PARTY_RESERVED, PARTY_REGION, PARTY_WINDOW,
		  NR_PARTY_KINDS };

struct party {
	enum party_kind kind;
	uint64_t first, last;
	uint64_t base, size;
	const struct srcpos *pos;
	const struct ir_range *range;
	const struct ir_region *region;
	unsigned seq;
};

static const char *party_label(const struct party *p)
{
	static const char *const kinds[] = {
		[PARTY_RAM] = "RAM region",
		[PARTY_RESERVED] = "reserved range",
	};
	char *buf;

	if (p->kind == PARTY_REGION) {
		buf = malloc(512);
		if (!buf)
			out_of_memory();
		snprintf(buf, 512, "%s.%s", dname(p->region->dev),
			 p->region->reg->name);
		return buf;
	}
	if (asprintf(&buf, "%s %s", p->kind == PARTY_WINDOW ?
		     window_kind(p->range->space) : kinds[p->kind],
		     rname(p->range)) < 0)
		out_of_memory();
	return buf;
}

static struct party party_range(enum party_kind kind, const struct ir_range *r)
{
	return (struct party){
		.kind = kind, .base = r->base, .size = r->size,
		.first = r->base, .last = range_last(r->base, r->size),
		.pos = &r->pos, .range = r,
	};
}

static struct party party_region(const struct ir_region *r)
{
	return (struct party){
		.kind = PARTY_REGION, .base = r->base, .size = r->size,
		.first = r->base, .last = range_last(r->base, r->size),
		.pos = &r->pos, .region = r,
	};
}

static int party_cmp(const void *x, const void *y)
{
	const struct party *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Report `a` overlapping `b` at whichever comes later in the file. */
static void overlap_report(struct check *c, const struct party *a,
			   const struct party *b, bool ports)
{
	const char *la, *lb;
	int order = pos_cmp(a->pos, b->pos);

	if (order < 0 || (!order && a->seq < b->seq)) {
		const struct party *t = a;

		a = b;
		b = t;
	}
	la = party_label(a);
	lb = party_label(b);
	if (ports)
		check_msg(c, a->pos, "%s ports %s overlap %s %s", la,
			  range_str(a->base, a->size), lb,
			  range_str(b->base, b->size));
	else
		check_msg(c, a->pos, "%s %s overlaps %s %s", la,
			  range_str(a->base, a->size), lb,
			  range_str(b->base, b->size));
	check_note(c, b->pos, "%s defined here", lb);
	free((char *)la);
	free((char *)lb);
}

/*
 * Sweep the parties in address order, remembering per kind the one that
 * reaches furthest: each party that starts before that end overlaps it.
 * `clash[a][b]` says which kinds may not overlap.
 */
static void overlap_sweep(struct check *c, struct party *p, size_t n,
			  const bool clash[NR_PARTY_KINDS][NR_PARTY_KINDS],
			  bool ports)
{
	const struct party *reach[NR_PARTY_KINDS] = { NULL };

	for (size_t i = 0; i < n; i++)
		p[i].seq = (unsigned)i;
	qsort(p, n, sizeof(*p), party_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct party *x = &p[i];

		for (int k = 0; k < NR_PARTY_KINDS; k++)
			if (clash[x->kind][k] && reach[k] &&
			    reach[k]->last >= x->first)
				overlap_report(c, x, reach[k], ports);
		if (!reach[x->kind] || x->last > reach[x->kind]->last)
			reach[x->kind] = x;
	}
}

static struct party *parties_alloc(size_t n)
{
	struct party *p = calloc(n + 1, sizeof(*p));

	if (!p)
		out_of_memory();
	return p;
}

static void check_pio_range(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_regions; i++) {
		struct ir_region *r = &b->regions[i];
		struct party p = party_region(r);
		const char *label;

		if (r->space != SPACE_PIO || p.last <= PIO_LIMIT)
			continue;
		label = party_label(&p);
		check_msg(c, &r->pos, "%s ports %s are beyond 0xffff, the "
			  "last I/O port: move the device below it", label,
			  range_str(r->base, r->size));
		free((char *)label);
	}
	for (unsigned i = 0; i < b->nr_windows; i++) {
		struct ir_range *w = &b->windows[i];

		if (w->space == SPACE_PIO &&
		    range_last(w->base, w->size) > PIO_LIMIT)
			check_msg(c, &w->pos, "I/O window %s %s is beyond "
				  "0xffff, the last I/O port: shrink or move "
				  "it", rname(w), range_str(w->base, w->size));
	}
}

static void regions_overlap(struct check *c, struct board *b,
			    enum board_space space)
{
	static const bool clash[NR_PARTY_KINDS][NR_PARTY_KINDS] = {
		[PARTY_REGION][PARTY_REGION] = true,
	};
	struct party *p = parties_alloc(b->nr_regions);
	size_t n = 0;

	for (unsigned i = 0; i < b->nr_regions; i++)
		if (b->regions[i].space == space)
			p[n++] = party_region(&b->regions[i]);
	overlap_sweep(c, p, n, clash, space == SPACE_PIO);
	free(p);
}

static void check_pio_overlap(struct check *c, struct board *b)
{
	regions_overlap(c, b, SPACE_PIO);
}

static void check_mmio_overlap(struct check *c, struct board *b)
{
	regions_overlap(c, b, SPACE_MMIO);
}

static void check_ram_overlap(struct check *c, struct board *b)
{
	static const bool clash[NR_PARTY_KINDS][NR_PARTY_KINDS] = {
		[PARTY_RAM] = { true, true, true, true },
		[PARTY_RESERVED] = { [PARTY_RAM] = true,
				     [PARTY_RESERVED] = true },
		[PARTY_REGION] = { [PARTY_RAM] = true },
		[PARTY_WINDOW] = { [PARTY_RAM] = true },
	};
	struct party *p = parties_alloc((size_t)b->nr_ram + b->nr_reserved +
					b->nr_regions + b->nr_windows);
	size_t n = 0;

	for (unsigned i = 0; i < b->nr_ram; i++)
		if (b->ram[i].size)
			p[n++] = party_range(PARTY_RAM, &b->ram[i]);
	for (unsigned i = 0; i < b->nr_reserved; i++)
		if (b->reserved[i].size)
			p[n++] = party_range(PARTY_RESERVED, &b->reserved[i]);
	for (unsigned i = 0; i < b->nr_regions; i++)
		if (b->regions[i].space == SPACE_MMIO)
			p[n++] = party_region(&b->regions[i]);
	for (unsigned i = 0; i < b->nr_windows; i++)
		if (b->windows[i].space == SPACE_MMIO && b->windows[i].size)
			p[n++] = party_range(PARTY_WINDOW, &b->windows[i]);
	overlap_sweep(c, p, n, clash, false);
	free(p);
}

/* ram.default laid into the regions by --mem's rule (ram-layout.h). */
static void ram_default_fits(struct check *c, struct board *b,
			     const struct srcpos *pos)
{
	struct ram_chunk *chunks = calloc(b->nr_ram + 1, sizeof(*chunks));
	struct ram_fill_fault f;
	char why[320];

	if (!chunks || board_ram_fill(b, b->ram_default, chunks, b->nr_ram,
				      &f) >= 0 || f.kind == RAM_FILL_OK)
		goto out;
	if (f.kind == RAM_FILL_IN_RESERVED) {
		ram_fill_fault_explain(&f, b->ram[f.prev].name,
				       b->ram[f.next].name, why, sizeof(why));
		check_msg(c, pos, "ram: default %s %s",
			  size_str(b->ram_default), why);
	} else {
		check_msg(c, pos, "ram: default %s is more than the %s the "
			  "RAM regions hold: lower it or add a region",
			  size_str(b->ram_default), size_str(f.capacity));
	}
out:
	free(chunks);
}

static void check_ram_size(struct check *c, struct board *b)
{
	struct srcpos pos = board_pos(b, &b->ram_pos);

	if (!b->ram_default)
		check_msg(c, &pos, "ram: default is 0: give the guest RAM "
			  "size, like 512M");
	else if (b->ram_default % MACHINE_PAGE_SIZE)
		check_msg(c, &pos, "ram: default %s (%" PRIu64 " bytes) is not "
			  "a whole number of 4 KiB pages, as KVM's memory "
			  "slots must be: round it to a multiple of 4K",
			  size_str(b->ram_default), b->ram_default);
	else
		ram_default_fits(c, b, &pos);
}

/*
 * Every address boardc forms is base + size (or + a device's span): those
 * must not wrap past 2^64, or overlaps are missed and maps print nonsense
 * (0xfffffffffffff000-0xfff). Checked on the tree, before layout; the
 * later stages only see ranges that end at or below 0xffffffffffffffff.
 */
static bool end_wraps(uint64_t base, uint64_t size)
{
	uint64_t end;

	return __builtin_add_overflow(base, size, &end);
}

static void range_overflow(struct check *c, struct board *b,
			   const struct ir_range *r, const char *kind)
{
	struct srcpos pos = board_pos(b, r->size_pos.file ? &r->size_pos :
					 &r->pos);

	if (!end_wraps(r->base, r->size))
		return;
	check_msg(c, &pos, "%s %s: base 0x%" PRIx64 " + size 0x%" PRIx64
		  " ends past 2^64, the end of the address space: lower the "
		  "base or the size", kind, rname(r), r->base, r->size);
}

static void device_overflow(struct check *c, struct board *b,
			    struct ir_device *d, enum board_space space)
{
	struct ir_placement *p = dev_placement(d, space);
	uint64_t span;

	if (!d->type || !p->present || p->is_auto || !dev_uses_space(d, space))
		return;
	span = dev_span(d, space);
	if (!end_wraps(p->base, span))
		return;
	check_msg(c, &p->pos, "device %s: %s 0x%" PRIx64 " + its span 0x%"
		  PRIx64 " (type %s) ends past 2^64, the end of the address "
		  "space: lower the base", dname(d), placement_key(space),
		  p->base, span, d->type->name);
}

static void check_address_overflow(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_ram; i++)
		range_overflow(c, b, &b->ram[i], "RAM region");
	for (unsigned i = 0; i < b->nr_reserved; i++)
		range_overflow(c, b, &b->reserved[i], "reserved range");
	for (unsigned i = 0; i < b->nr_windows; i++)
		range_overflow(c, b, &b->windows[i],
			       window_kind(b->windows[i].space));
	for (unsigned i = 0; i < b->nr_devices; i++) {
		device_overflow(c, b, &b->devices[i], SPACE_PIO);
		device_overflow(c, b, &b->devices[i], SPACE_MMIO);
	}
}

/* ---- what KVM, the boot protocols and boardvm can run ---- */

/*
 * KVM's I/O buses (one for ports, one for MMIO) hold at most
 * NR_IOBUS_DEVS (1000, include/linux/kvm_host.h) devices each; since
 * Linux 4.1 ioeventfds (async bindings) do not count. What does count:
 * one coalesced zone per coalesced region, and KVM's own device models:
 * the 8259 (master, slave, ELCR), the 8254 (counters, speaker) on the
 * port bus, the IOAPIC on the MMIO bus. The LAPIC is not on a bus.
 * Beyond that boardvm would die at start with ENOSPC.
 */
#define KVM_IO_BUS_MAX_DEVS	1000

static bool region_on_kvm_bus(const struct ir_region *r)
{
	if (r->binding == BINDING_COALESCED)
		return true;
	return r->binding == BINDING_KERNEL && r->dev->type &&
	       strcmp(r->dev->type->name, "lapic");
}

static void io_bus_count(struct check *c, struct board *b,
			 enum board_space space)
{
	const struct ir_region *over = NULL;
	unsigned n = 0, coalesced = 0;

	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_region *r = &b->regions[i];

		if (r->space != space || !region_on_kvm_bus(r))
			continue;
		coalesced += r->binding == BINDING_COALESCED;
		if (++n == KVM_IO_BUS_MAX_DEVS + 1)
			over = r;
	}
	if (!over)
		return;
	check_msg(c, &over->pos, "%s.%s is device %u on KVM's %s bus, which "
		  "holds at most %u (NR_IOBUS_DEVS): %u coalesced regions and "
		  "%u in-kernel device registers; bind regions sync or async "
		  "(ioeventfds do not count)", dname(over->dev), over->reg->name,
		  KVM_IO_BUS_MAX_DEVS + 1,
		  space == SPACE_PIO ? "port I/O" : "MMIO", KVM_IO_BUS_MAX_DEVS,
		  coalesced, n - coalesced);
}

static void check_kvm_io_bus(struct check *c, struct board *b)
{
	io_bus_count(c, b, SPACE_PIO);
	io_bus_count(c, b, SPACE_MMIO);
}

/*
 * boardvm maps guest memory in at most GUEST_RAM_MAX_SPANS chunks (each a
 * KVM memslot): the RAM regions --mem fills, plus every backed reserved
 * range. Its Linux loader takes as many reserved ranges. (So the e820 map
 * has at most 64 entries, inside boot_params' 128.)
 */
/*
 * A KVM memory slot holds at most KVM_MEM_MAX_NR_PAGES, 2^31 - 1 pages
 * (include/linux/kvm_host.h): 8 TiB less a page. Checked for the chunks
 * ram.default fills and for backed ranges; a larger --mem is boardvm's
 * to refuse.
 */
#define KVM_MEM_MAX_BYTES	(((1ull << 31) - 1) * MACHINE_PAGE_SIZE)

static void memslot_sizes(struct check *c, struct board *b)
{
	struct ram_chunk chunks[GUEST_RAM_MAX_SPANS];
	int n = b->nr_ram > GUEST_RAM_MAX_SPANS ? -1 :
		board_ram_fill(b, b->ram_default, chunks, GUEST_RAM_MAX_SPANS,
			       NULL);

	for (int i = 0; i < n; i++)
		if (chunks[i].size > KVM_MEM_MAX_BYTES)
			check_msg(c, &chunks[i].region->size_pos, "ram.default "
				  "%s fills %s of RAM region %s, more than a "
				  "KVM memory slot holds (2^31 - 1 pages, 8 TiB "
				  "less 4 KiB): split the region",
				  size_str(b->ram_default),
				  size_str(chunks[i].size),
				  rname(chunks[i].region));
	for (unsigned i = 0; i < b->nr_reserved; i++)
		if (b->reserved[i].backed &&
		    b->reserved[i].size > KVM_MEM_MAX_BYTES)
			check_msg(c, &b->reserved[i].size_pos, "backed "
				  "reserved range %s of %s is more than a KVM "
				  "memory slot holds (2^31 - 1 pages, 8 TiB "
				  "less 4 KiB): split it",
				  rname(&b->reserved[i]),
				  size_str(b->reserved[i].size));
}

/*
 * KVM's in-kernel IOAPIC has KVM_IOAPIC_NUM_PINS (24) pins: a line above
 * them cannot be routed (KVM_SET_GSI_ROUTING refuses the board).
 */
#define KVM_IOAPIC_NUM_PINS	24

static void check_ioapic_pins(struct check *c, struct board *b)
{
	struct srcpos pos = board_pos(b, &b->irqs_pos);
	const struct ir_device *chip = NULL;

	for (unsigned i = 0; i < b->nr_devices && !chip; i++)
		if (b->devices[i].type && b->devices[i].type->kernel_irqchip)
			chip = &b->devices[i];
	if (chip && b->nr_irqs > KVM_IOAPIC_NUM_PINS)
		check_msg(c, &pos, "irqs: %u with KVM's in-kernel irqchip "
			  "(device %s), whose IOAPIC has %u pins "
			  "(KVM_IOAPIC_NUM_PINS): lower irqs to %u",
			  b->nr_irqs, dname(chip), KVM_IOAPIC_NUM_PINS,
			  KVM_IOAPIC_NUM_PINS);
}

static void check_memslots(struct check *c, struct board *b)
{
	struct srcpos pos = board_pos(b, &b->ram_pos);
	unsigned backed = 0;

	for (unsigned i = 0; i < b->nr_reserved; i++)
		backed += b->reserved[i].backed;
	if (b->nr_ram + backed > GUEST_RAM_MAX_SPANS)
		check_msg(c, &pos, "%u RAM regions and %u backed reserved "
			  "ranges: boardvm maps at most %u memory chunks (one "
			  "KVM memory slot each): merge adjacent regions",
			  b->nr_ram, backed, GUEST_RAM_MAX_SPANS);
	if (b->nr_reserved > GUEST_RAM_MAX_SPANS)
		check_msg(c, &b->reserved[GUEST_RAM_MAX_SPANS].pos, "%u "
			  "reserved ranges: boardvm's Linux loader takes at "
			  "most %u: merge adjacent ones", b->nr_reserved,
			  GUEST_RAM_MAX_SPANS);
	memslot_sizes(c, b);
}

/*
 * With an in-kernel irqchip boardvm writes an MP table (vmm/mptable.c)
 * where Linux scans for it: the floating pointer in the first KiB, the
 * last KiB below 640 KiB or 0xf0000-0xfffff, inside a backed reserved
 * range below 1 MiB (or the base RAM region [0, 0xa0000)), with the
 * configuration table in the same range. Its size follows the board:
 * 44 bytes, 20 per CPU, 8 per bus, IOAPIC and interrupt entry.
 */
#define ONE_MIB			0x100000ull

static uint64_t mp_table_size(const struct board *b)
{
	unsigned entries = 2 + 1 + 16 + 2;	/* buses, IOAPIC, ISA, LINTs */
	unsigned pins = b->nr_irqs < 24 ? b->nr_irqs : 24;

	entries += pins > 16 ? pins - 16 : 0;
	for (unsigned i = 0; i < b->nr_devices; i++)
		entries += b->devices[i].type && b->devices[i].type->pci;
	return 44 + 20ull * b->cpus_max + 8ull * entries;
}

/* The pointer and the table in [lo, hi), as boardvm places them. */
static bool mp_fits(uint64_t lo, uint64_t hi, uint64_t size)
{
	uint64_t table;

	return mp_fit(lo, hi, size, &table) != 0;
}

static void check_mp_table(struct check *c, struct board *b)
{
	const struct ir_device *chip = NULL;
	uint64_t size = mp_table_size(b);

	if (!board_wants_tables(b, "mptable"))
		return;			/* firmware-tables without mptable */
	for (unsigned i = 0; i < b->nr_devices && !chip; i++)
		if (b->devices[i].type && b->devices[i].type->kernel_irqchip)
			chip = &b->devices[i];
	if (!chip)
		return;
	for (unsigned i = 0; i < b->nr_reserved; i++) {
		const struct ir_range *r = &b->reserved[i];

		if (r->backed && r->base + r->size <= ONE_MIB &&
		    mp_fits(r->base, r->base + r->size, size))
			return;
	}
	if (b->nr_ram && !b->ram[0].base && b->ram[0].size == 0xa0000 &&
	    b->ram_default >= 0xa0000 &&
	    mp_fits(0xa0000 - 0x400, 0xa0000, size))
		return;
	check_msg(c, &chip->pos, "device %s makes boardvm create KVM's "
		  "in-kernel irqchip; to boot Linux it needs an MP table "
		  "(%" PRIu64 " bytes for cpus max %u), which needs a backed reserved range below 1 MiB "
		  "covering part of 0x0-0x3ff, 0x9fc00-0x9ffff or "
		  "0xf0000-0xfffff with room for it: add one (like the pc "
		  "board's ebda or bios-rom)", dname(chip),
		  size + MP_FLOATING_SIZE, b->cpus_max);
}

/* The auto window named by a device that does not exist. */
static void window_missing(struct check *c, struct board *b,
			   struct ir_device *d, enum board_space space)
{
	struct ir_placement *p = dev_placement(d, space);
	struct list_buf names = { .len = 0 };
	unsigned count;

	if (!p->present || !p->is_auto || !p->window)
		return;
	if (window_find(b, space, p->window, &count) >= 0 || count)
		return;
	for (unsigned i = 0; i < b->nr_windows; i++)
		if (b->windows[i].space == space)
			list_add(&names, rname(&b->windows[i]));
	if (names.len)
		check_msg(c, &p->window_pos, "device '%s': there is no %s "
			  "'%s': use one of %s", dname(d), window_kind(space),
			  p->window, names.text);
	else
		check_msg(c, &p->window_pos, "device '%s': there is no %s "
			  "'%s': the board has none; add %s", dname(d),
			  window_kind(space), p->window,
			  space == SPACE_PIO ? "io-windows:" : "mmio-windows:");
}

static int party_first_cmp(const void *x, const void *y)
{
	const struct party *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* A fixed device block straddling a window's edge. */
static void window_straddle(struct check *c, struct ir_device *d,
			    enum board_space space, const struct party *w,
			    const uint64_t *reach, size_t n)
{
	struct ir_placement *p = dev_placement(d, space);
	uint64_t span = dev_span(d, space);
	uint64_t last = range_last(p->base, span);
	/* The windows starting at or below the block's last byte... */
	size_t lo = LOWER_BOUND(n, mid, w[mid].first <= last);

	/* ...walking back while one of them may still reach the block. */
	while (lo-- > 0 && reach[lo] >= p->base) {
		const char *lw;

		if (w[lo].last < p->base ||
		    (w[lo].first <= p->base && w[lo].last >= last))
			continue;
		lw = party_label(&w[lo]);
		check_msg(c, &p->pos, "device '%s': %s %s is partly inside "
			  "%s %s: move it wholly inside or outside the "
			  "window", dname(d), placement_key(space),
			  range_str(p->base, span), lw,
			  range_str(w[lo].base, w[lo].size));
		check_note(c, w[lo].pos, "%s defined here", lw);
		free((char *)lw);
	}
}

static void windows_check_space(struct check *c, struct board *b,
				enum board_space space)
{
	static const bool clash[NR_PARTY_KINDS][NR_PARTY_KINDS] = {
		[PARTY_WINDOW][PARTY_WINDOW] = true,
	};
	struct party *w = parties_alloc(b->nr_windows);
	uint64_t *reach = calloc(b->nr_windows + 1, sizeof(*reach));
	size_t n = 0;

	if (!reach)
		out_of_memory();
	for (unsigned i = 0; i < b->nr_windows; i++)
		if (b->windows[i].space == space && b->windows[i].size)
			w[n++] = party_range(PARTY_WINDOW, &b->windows[i]);
	overlap_sweep(c, w, n, clash, false);
	qsort(w, n, sizeof(*w), party_first_cmp);
	for (size_t i = 0; i < n; i++)
		reach[i] = i && reach[i - 1] > w[i].last ? reach[i - 1]
							  : w[i].last;
	for (unsigned i = 0; i < b->nr_devices && n; i++) {
		struct ir_device *d = &b->devices[i];
		struct ir_placement *p = dev_placement(d, space);

		if (d->type && p->present && !p->is_auto &&
		    dev_uses_space(d, space) && dev_span(d, space))
			window_straddle(c, d, space, w, reach, n);
	}
	free(reach);
	free(w);
}

static void check_window_containment(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_devices; i++)
		if (b->devices[i].type)
			for (int s = SPACE_PIO; s <= SPACE_MMIO; s++)
				window_missing(c, b, &b->devices[i], s);
	windows_check_space(c, b, SPACE_PIO);
	windows_check_space(c, b, SPACE_MMIO);
}

/* Natural alignment of a region: its size's lowest set bit, up to 4 KiB. */
static uint64_t region_align(uint64_t size)
{
	uint64_t a = size & -size;

	return !a || a > MACHINE_PAGE_SIZE ? MACHINE_PAGE_SIZE : a;
}

/* RAM, reserved ranges and MMIO windows: memslots and maps are pages. */
static void range_page_aligned(struct check *c, enum party_kind kind,
			       const struct ir_range *r)
{
	struct party p = party_range(kind, r);
	const char *label;

	if (!((r->base | r->size) & (MACHINE_PAGE_SIZE - 1)))
		return;
	label = party_label(&p);
	check_msg(c, &r->pos, "%s %s is not 4 KiB aligned: make its base "
		  "and size multiples of 0x1000", label,
		  range_str(r->base, r->size));
	free((char *)label);
}

static void check_mmio_alignment(struct check *c, struct board *b)
{
	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_region *r = &b->regions[i];
		uint64_t align = region_align(r->size);
		struct party p = party_region(r);
		const char *label;

		if (r->space != SPACE_MMIO || !(r->base & (align - 1)))
			continue;
		label = party_label(&p);
		check_msg(c, &r->pos, "%s at %s is not aligned to its size "
			  "(%s, at most 4 KiB): move it to a multiple of %s",
			  label, hex(r->base), hex(align), hex(align));
		free((char *)label);
	}
	for (unsigned i = 0; i < b->nr_ram; i++)
		range_page_aligned(c, PARTY_RAM, &b->ram[i]);
	for (unsigned i = 0; i < b->nr_reserved; i++)
		range_page_aligned(c, PARTY_RESERVED, &b->reserved[i]);
	for (unsigned i = 0; i < b->nr_windows; i++)
		if (b->windows[i].space == SPACE_MMIO)
			range_page_aligned(c, PARTY_WINDOW, &b->windows[i]);
}

/* An auto device that the layout could not place: its window is full. */
static void device_unplaced(struct check *c, struct board *b,
			    struct ir_device *d, enum board_space space,
			    bool placed)
{
	struct ir_placement *p = dev_placement(d, space);
	uint64_t span, align;
	const struct ir_range *w;
	unsigned count;
	int wi;

	if (placed || !p->present || !p->is_auto || !dev_uses_space(d, space))
		return;
	span = dev_span(d, space);
	wi = window_find(b, space, p->window, &count);
	if (!span || wi < 0)
		return;
	w = &b->windows[wi];
	for (align = 1; align < span && align << 1; align <<= 1)
		;
	if (space == SPACE_MMIO && align < MACHINE_PAGE_SIZE)
		align = MACHINE_PAGE_SIZE;
	check_msg(c, &p->pos, "device '%s': no free %s bytes aligned to %s "
		  "left in %s %s %s: enlarge the window or give a fixed base",
		  dname(d), hex(span), hex(align), window_kind(space),
		  rname(w), range_str(w->base, w->size));
	check_note(c, &w->pos, "%s %s defined here", window_kind(space),
		   rname(w));
}

static void check_layout_full(struct check *c, struct board *b)
{
	uint8_t *placed = calloc(b->nr_devices + 1, 1);

	if (!placed)
		out_of_memory();
	for (unsigned i = 0; i < b->nr_regions; i++)
		placed[b->regions[i].dev - b->devices] |=
			1u << b->regions[i].space;
	for (unsigned i = 0; i < b->nr_devices; i++)
		if (b->devices[i].type)
			for (int s = SPACE_PIO; s <= SPACE_MMIO; s++)
				device_unplaced(c, b, &b->devices[i], s,
						placed[i] & (1u << s));
	free(placed);
}

/* ---- the table ---- */

/*
 * A PCI BAR (the block span rounded up to a power of two) is naturally
 * aligned, inside one MMIO window (BARs live and move there), and holds
 * no other device's registers.
 */
static void pci_bar_check_one(struct check *c, struct board *b,
			      const struct ir_device *d)
{
	uint64_t size = device_type_bar_size(d->type), base = d->mmio.base;
	const struct ir_range *win = NULL;

	if (base & (size - 1)) {
		check_msg(c, &d->mmio.pos, "device '%s': BAR0 at 0x%llx is not "
			  "aligned to its size 0x%llx: use a multiple of "
			  "0x%llx or mmio: auto", dname(d),
			  (unsigned long long)base, (unsigned long long)size,
			  (unsigned long long)size);
		return;
	}
	for (unsigned i = 0; i < b->nr_windows; i++) {
		const struct ir_range *w = &b->windows[i];

		if (w->space == SPACE_MMIO && base >= w->base &&
		    base - w->base < w->size && size <= w->size - (base - w->base))
			win = w;
	}
	if (!win) {
		check_msg(c, &d->mmio.pos, "device '%s': BAR0 0x%llx-0x%llx is "
			  "not inside an MMIO window, where PCI BARs live: "
			  "place it in one (mmio: {window: NAME})", dname(d),
			  (unsigned long long)base,
			  (unsigned long long)(base + size - 1));
		return;
	}
	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_region *r = &b->regions[i];

		if (r->space != SPACE_MMIO || r->dev == d ||
		    r->base + r->size <= base || r->base >= base + size)
			continue;
		check_msg(c, &d->mmio.pos, "device '%s': BAR0 0x%llx-0x%llx "
			  "overlaps %s.%s: move one of them", dname(d),
			  (unsigned long long)base,
			  (unsigned long long)(base + size - 1),
			  dname(r->dev), r->reg->name);
		check_note(c, &r->pos, "%s.%s defined here", dname(r->dev),
			   r->reg->name);
		return;		/* one is enough to act on */
	}
}

/* Only devices layout placed (an auto one that did not fit has no regions). */
static void check_pci_bar(struct check *c, struct board *b)
{
	uint8_t *seen = calloc(b->nr_devices + 1, 1);

	if (!seen)
		out_of_memory();
	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_device *d = b->regions[i].dev;

		if (b->regions[i].space != SPACE_MMIO || seen[d - b->devices] ||
		    !d->type || !d->type->pci)
			continue;
		seen[d - b->devices] = 1;
		pci_bar_check_one(c, b, d);
	}
	free(seen);
}

/* ---- names in generated C, and the plan of the tables ---- */

/* A board.h macro name and who defines it. */
struct macro_def {
	char *name;
	const struct ir_device *dev;
};

struct macro_defs {
	struct macro_def *defs;
	unsigned n, max;
};

static void macro_add(struct macro_defs *m, const struct ir_device *dev,
		      const char *prefix, const char *a, const char *b,
		      const char *suffix)
{
	char *name, *p;

	if (m->n == m->max) {
		m->max = m->max ? 2 * m->max : 64;
		m->defs = realloc(m->defs, m->max * sizeof(*m->defs));
		if (!m->defs)
			out_of_memory();
	}
	if (asprintf(&name, "%s%s%s%s%s", prefix, a, b ? "_" : "",
		     b ? b : "", suffix) < 0)
		out_of_memory();
	for (p = name; *p; p++)
		*p = (char)macro_char((unsigned char)*p);
	m->defs[m->n++] = (struct macro_def){ .name = name, .dev = dev };
}

static int macro_cmp(const void *a, const void *b)
{
	const struct macro_def *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/*
 * Every macro the generated C may define for a device (board.h) or a
 * region (board.c, for the regions it names: any of them could be).
 */
static void macros_collect(struct macro_defs *m, const struct board *b)
{
	static const struct {
		const char *prefix, *suffix;
	} dev_macros[] = {
		{ "BOARD_DEV_", "" }, { "BOARD_", "_PIO_BASE" },
		{ "BOARD_", "_MMIO_BASE" }, { "BOARD_", "_IRQ" },
		{ "BOARD_", "_PCI_SLOT" }, { "BOARD_", "_BAR_SIZE" },
	};

	for (unsigned i = 0; i < b->nr_devices; i++) {
		const struct ir_device *d = &b->devices[i];
		bool has[] = { true, d->pio.present, d->mmio.present,
			       d->has_irq, d->type && d->type->pci,
			       d->type && d->type->pci };

		for (unsigned k = 0; k < ARRAY_SIZE(dev_macros); k++)
			if (has[k])
				macro_add(m, d, dev_macros[k].prefix, d->name,
					  NULL, dev_macros[k].suffix);
	}
	for (unsigned i = 0; i < b->nr_regions; i++)
		macro_add(m, b->regions[i].dev, "BOARD_REGION_",
			  b->regions[i].dev->name, b->regions[i].reg->name, "");
}

/* Whether the pair (a, b) clashed already: reported once per pair. */
static bool pair_seen(const struct ir_device **pairs, unsigned n,
		      const struct ir_device *a, const struct ir_device *b)
{
	for (unsigned i = 0; i < n; i++)
		if (pairs[2 * i] == a && pairs[2 * i + 1] == b)
			return true;
	return false;
}

/*
 * Device and register names become macro names (upper case, '-' -> '_'):
 * two devices must not end up defining the same one. Names sort, so a
 * clash is two neighbours; each pair of devices is reported once, at the
 * later one, with its first clashing macro.
 */
static void check_macro_clash(struct check *c, struct board *b)
{
	struct macro_defs m = { 0 };
	const struct ir_device **pairs = NULL;
	unsigned nr_pairs = 0;

	macros_collect(&m, b);
	if (m.n > 1)		/* qsort(NULL, 0): undefined (UBSan) */
		qsort(m.defs, m.n, sizeof(*m.defs), macro_cmp);
	for (unsigned i = 1; i < m.n; i++) {
		const struct ir_device *x = m.defs[i - 1].dev, *y = m.defs[i].dev;
		const struct ir_device *first = x < y ? x : y;
		const struct ir_device *later = x < y ? y : x;

		if (strcmp(m.defs[i].name, m.defs[i - 1].name) || x == y ||
		    pair_seen(pairs, nr_pairs, first, later))
			continue;
		pairs = realloc(pairs, 2 * (nr_pairs + 1) * sizeof(*pairs));
		if (!pairs)
			out_of_memory();
		pairs[2 * nr_pairs] = first;
		pairs[2 * nr_pairs + 1] = later;
		nr_pairs++;
		check_msg(c, &later->name_pos, "devices '%s' and '%s' would "
			  "both define %s in %s: rename one",
			  dname(later), dname(first), m.defs[i].name,
			  strstr(m.defs[i].name, "BOARD_REGION_") ==
			  m.defs[i].name ? "board.c" : "board.h");
		check_note(c, &first->name_pos, "'%s' defined here",
			   dname(first));
	}
	for (unsigned i = 0; i < m.n; i++)
		free(m.defs[i].name);
	free(m.defs);
	free(pairs);
}

/* A page map is an array of the window's size in pages: bound it. */
static void check_window_size(struct check *c, struct board *b)
{
	const struct board_plan *plan = b->plan;

	for (unsigned w = 0; plan && w < plan->nr_windows; w++) {
		const struct plan_window *win = &plan->windows[w];

		if (win->size >> MACHINE_PAGE_SHIFT <= PLAN_MAX_WINDOW_PAGES)
			continue;
		if (win->range)
			check_msg(c, &win->range->pos, "MMIO window %s is "
				  "0x%" PRIx64 " bytes: its page map would "
				  "have more than 0x%llx entries; make it at "
				  "most 64 GiB", win->range->name, win->size,
				  PLAN_MAX_WINDOW_PAGES);
		else
			check_msg(c, &b->regions[win->first].pos,
				  "fixed MMIO regions from 0x%" PRIx64 " to "
				  "0x%" PRIx64 " need one page map of more "
				  "than 0x%llx entries; declare MMIO windows "
				  "around them", win->base,
				  win->base + win->size - 1,
				  PLAN_MAX_WINDOW_PAGES);
	}
}

#define CHECK(nm, ph, lvl, desc, ...)					\
	static struct check *nm##_prereqs[] = { __VA_ARGS__ };		\
	static struct check nm##_check = {				\
		.name = #nm, .phase = ph, .level = lvl,			\
		.fn = check_##nm, .description = desc,			\
		.prereqs = nm##_prereqs,				\
		.nr_prereqs = ARRAY_SIZE(nm##_prereqs),			\
	}
/*
 * Reported by the front ends (check_report()); here so -W/-E and
 * --list-checks know them. FIXED ones leave the front end without a value
 * to build the board from, so they are always errors.
 */
#define FRONT_CHECK(nm, fix, desc)					\
	static struct check nm##_check = {				\
		.name = #nm, .phase = PHASE_FRONT,			\
		.level = LEVEL_ERROR, .fixed = fix,			\
		.description = desc,					\
	}
#define FIXED	true

FRONT_CHECK(yaml_syntax, FIXED, "the file is well-formed YAML");
FRONT_CHECK(yaml_structure, FIXED,
	    "mappings, lists and values where expected");
FRONT_CHECK(dts_structure, FIXED,
	    "text syntax nodes and cells are well-formed");
FRONT_CHECK(duplicate_key, false,
	    "no key given twice in one mapping (the first one counts)");
FRONT_CHECK(bad_number, FIXED, "numbers are decimal or 0x hex and fit");
FRONT_CHECK(bad_size, FIXED,
	    "sizes are whole bytes, with K/M/G/T suffixes");
FRONT_CHECK(bad_bool, FIXED, "booleans are true, false, yes or no");
CHECK(cpus, PHASE_TREE, LEVEL_ERROR, "0 < cpus default <= max <= 255");
/* A check that -W/-E cannot change (see FRONT_CHECK's FIXED). */
#define FIXED_CHECK(nm, ph, desc, ...)					\
	static struct check *nm##_prereqs[] = { __VA_ARGS__ };		\
	static struct check nm##_check = {				\
		.name = #nm, .phase = ph, .level = LEVEL_ERROR,		\
		.fixed = true, .fn = check_##nm, .description = desc,	\
		.prereqs = nm##_prereqs,				\
		.nr_prereqs = ARRAY_SIZE(nm##_prereqs),			\
	}

/* Names go unescaped into generated C, file names and make variables. */
FIXED_CHECK(bad_name, PHASE_TREE,
	    "board name [a-z0-9][a-z0-9-]*; device, RAM, reserved and "
	    "window names [a-z0-9][a-z0-9_-]*");
CHECK(duplicate_name, PHASE_TREE, LEVEL_ERROR,
      "device, RAM region, reserved and window names are unique");
CHECK(missing_property, PHASE_TREE, LEVEL_ERROR,
      "required keys, properties and placements are given (a missing "
      "key of the language itself is always an error)");
CHECK(bad_transport, PHASE_TREE, LEVEL_ERROR,
      "transport is pci or mmio, on a type that has both");
CHECK(unknown_device_type, PHASE_TREE, LEVEL_ERROR,
      "every device type is in the registry");
CHECK(unknown_property, PHASE_TREE, LEVEL_ERROR,
      "every key and device property is known");
CHECK(bad_property_value, PHASE_TREE, LEVEL_ERROR,
      "device property values suit their kind");
CHECK(extra_placement, PHASE_TREE, LEVEL_ERROR,
      "no placement in a space the device type has no registers in");
CHECK(unknown_register, PHASE_TREE, LEVEL_ERROR,
      "bindings name registers of the device type");
CHECK(bad_binding, PHASE_TREE, LEVEL_ERROR,
      "bindings are allowed for their register, datamatch fits");
CHECK(irq_unsupported, PHASE_TREE, LEVEL_ERROR,
      "irqs only on device types with an interrupt line");
CHECK(irq_range, PHASE_TREE, LEVEL_ERROR, "every irq is below irqs");
CHECK(unknown_cpuid_feature, PHASE_TREE, LEVEL_ERROR,
      "cpuid-hide names features boardvm can hide");
CHECK(unknown_firmware_table, PHASE_TREE, LEVEL_ERROR,
      "firmware-tables names acpi and mptable, each once");
CHECK(irq_conflict, PHASE_TREE, LEVEL_ERROR,
      "one device per interrupt line unless all may share it");
CHECK(pci_slot, PHASE_TREE, LEVEL_ERROR,
      "pci-slot only on PCI types, 1-31, each once; PCI needs a pci-host");
CHECK(pci_bar_space, PHASE_TREE, LEVEL_ERROR,
      "a PCI device's block is in MMIO (BAR0), not I/O ports");
CHECK(pio_range, PHASE_LAYOUT, LEVEL_ERROR,
      "I/O port regions and windows end at 0xffff");
CHECK(pio_overlap, PHASE_LAYOUT, LEVEL_ERROR,
      "no two I/O port regions overlap");
CHECK(mmio_overlap, PHASE_LAYOUT, LEVEL_ERROR,
      "no two MMIO regions overlap");
CHECK(ram_overlap, PHASE_LAYOUT, LEVEL_ERROR,
      "RAM overlaps nothing; reserved ranges overlap no other");
CHECK(ram_size, PHASE_LAYOUT, LEVEL_ERROR,
      "ram default is not 0, whole pages, and fits the RAM regions "
      "(not ending inside the reserved ranges between two)",
      &ram_overlap_check);
CHECK(window_containment, PHASE_LAYOUT, LEVEL_ERROR,
      "auto windows exist, fixed regions do not straddle a window, "
      "windows do not overlap");
CHECK(mmio_alignment, PHASE_LAYOUT, LEVEL_ERROR,
      "MMIO regions naturally aligned; RAM, reserved ranges and MMIO "
      "windows 4 KiB aligned");
CHECK(layout_full, PHASE_LAYOUT, LEVEL_ERROR,
      "every auto device fits in its window");
CHECK(pci_bar, PHASE_LAYOUT, LEVEL_ERROR,
      "PCI BAR0 naturally aligned, in an MMIO window, holding no other "
      "registers", &mmio_overlap_check, &window_containment_check);
/* Past 2^64 nothing later means anything: always an error. */
FIXED_CHECK(address_overflow, PHASE_TREE,
	    "no RAM region, reserved range, window or fixed device ends "
	    "past 2^64", &unknown_device_type_check);
CHECK(memslots, PHASE_TREE, LEVEL_ERROR,
      "RAM regions and backed ranges fit boardvm's 32 memory chunks and "
      "KVM's 8 TiB memory slots", &address_overflow_check);
CHECK(ioapic_pins, PHASE_TREE, LEVEL_ERROR,
      "irqs fit the in-kernel IOAPIC's 24 pins");
/*
 * Only a Linux boot needs it, flat guests run without one: a warning, and
 * only on a board that is otherwise good (the plan's phase).
 */
CHECK(mp_table, PHASE_PLAN, LEVEL_WARNING,
      "an in-kernel irqchip has a backed range below 1 MiB for the MP "
      "table", &address_overflow_check, &cpus_check);
CHECK(kvm_io_bus, PHASE_LAYOUT, LEVEL_ERROR,
      "at most 1000 coalesced regions and in-kernel devices on each of "
      "KVM's I/O buses");

/* Names go into board.h as macros: always an error, like bad_name. */
FIXED_CHECK(macro_clash, PHASE_LAYOUT,
	    "no two devices define the same board.h macro (names differing "
	    "only in case or '-'/'_')", &bad_name_check, &duplicate_name_check);
CHECK(acpi_tables, PHASE_LAYOUT, LEVEL_ERROR,
      "with firmware-tables acpi: a table area (a backed reserved range "
      "in 0xe0000-0xfffff) they fit, an ioapic, APIC ids below 255",
      &unknown_firmware_table_check, &layout_full_check);
CHECK(pci_ecam, PHASE_LAYOUT, LEVEL_ERROR,
      "pci-host: buses 1-256; its ECAM window (mmio:) at a fixed base, "
      "1 MiB aligned, outside the MMIO windows", &layout_full_check);
FIXED_CHECK(window_size, PHASE_PLAN,
	    "every MMIO dispatch window's page map has at most 16M entries "
	    "(64 GiB)");

/* In the order they run (and are listed). */
static struct check *const check_table[] = {
	&yaml_syntax_check, &yaml_structure_check, &dts_structure_check,
	&duplicate_key_check,
	&bad_number_check, &bad_size_check, &bad_bool_check,
	&cpus_check, &bad_name_check, &duplicate_name_check,
	&missing_property_check,
	&bad_transport_check,
	&unknown_device_type_check, &unknown_property_check,
	&bad_property_value_check, &extra_placement_check,
	&unknown_register_check, &bad_binding_check, &irq_unsupported_check,
	&irq_range_check, &unknown_cpuid_feature_check,
	&unknown_firmware_table_check,
	&irq_conflict_check, &pci_slot_check,
	&pci_bar_space_check, &address_overflow_check, &pio_range_check, &pio_overlap_check, &mmio_overlap_check,
	&ram_overlap_check, &ram_size_check, &window_containment_check,
	&mmio_alignment_check, &layout_full_check, &pci_bar_check,
	&memslots_check, &ioapic_pins_check, &mp_table_check,
	&kvm_io_bus_check,
	&macro_clash_check, &acpi_tables_check, &pci_ecam_check,
	&window_size_check,
};

static bool check_prereqs_failed(const struct check *c)
{
	for (unsigned i = 0; i < c->nr_prereqs; i++)
		if (c->prereqs[i]->failed)
			return true;
	return false;
}

/* Run the enabled checks of one phase; the number of errors. */
static int checks_run(struct board *b, enum check_phase phase)
{
	int errors = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(check_table); i++) {
		struct check *c = check_table[i];

		if (c->phase != phase)
			continue;
		c->failed = false;
		if (c->level == LEVEL_OFF)
			continue;
		if (check_prereqs_failed(c)) {
			c->failed = true;
			continue;
		}
		c->fn(c, b);
		c->failed = c->nr_findings > 0;
		errors += check_flush(c);
	}
	return errors;
}

/* `type: virtio-blk` with `transport: mmio` is the type virtio-blk-mmio. */
static void resolve_transport(struct ir_device *d)
{
	size_t len;
	char *full;

	if (!d->type_name || !transport_known(d->transport))
		return;
	len = strlen(d->type_name) + strlen(d->transport) + 2;
	full = xcalloc(1, len);
	snprintf(full, len, "%s-%s", d->type_name, d->transport);
	d->type = device_type_find(full);
	if (!d->type) {
		free(full);
		return;
	}
	free(d->type_name);
	d->type_name = full;
}

int board_check(struct board *board)
{
	for (unsigned i = 0; i < board->nr_devices; i++) {
		struct ir_device *d = &board->devices[i];

		if (d->transport)
			resolve_transport(d);
		else
			d->type = d->type_name ?
				  device_type_find(d->type_name) : NULL;
	}
	return checks_run(board, PHASE_TREE);
}

int board_check_layout(struct board *board)
{
	return checks_run(board, PHASE_LAYOUT);
}

int board_check_plan(struct board *board)
{
	return checks_run(board, PHASE_PLAN);
}

static struct check *check_find(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(check_table); i++)
		if (!strcmp(check_table[i]->name, name))
			return check_table[i];
	return NULL;
}

int check_set_enabled(const char *name, bool enabled, bool is_error)
{
	struct check *c = check_find(name);

	if (!c)
		return -1;
	if (c->fixed)
		return enabled && is_error ? 0 : -2;
	if (!enabled)
		c->level = LEVEL_OFF;
	else
		c->level = is_error ? LEVEL_ERROR : LEVEL_WARNING;
	return 0;
}

void check_list(FILE *out)
{
	static const char *const levels[] = {
		[LEVEL_OFF] = "off", [LEVEL_WARNING] = "warning",
		[LEVEL_ERROR] = "error",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(check_table); i++) {
		const struct check *c = check_table[i];

		fprintf(out, "%-20s %-7s %s%s\n", c->name, levels[c->level],
			c->description, c->fixed ? " (always an error)" : "");
	}
}
