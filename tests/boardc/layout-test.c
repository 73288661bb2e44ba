// SPDX-License-Identifier: MIT
/*
 * board_layout() on its own.
 *
 * /boardc/layout/<board>: every tests/boardc/layout/NAME.yaml passes the
 * checks, and its laid-out regions (space, range, name, binding, source
 * position; the order of board->regions) equal NAME.expected.
 * Then boards built here: devices that failed checks get no regions and
 * do not crash the layout; RAM over a window keeps devices out; a window
 * packed with mixed sizes matches a plain bitmap first-fit, with no
 * overlap, fast.
 *
 * usage: layout-test [--print BOARD]   (--print: write BOARD's layout)
 */
#define _GNU_SOURCE		/* open_memstream */
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardc.h"

static int failures;

static void layout_print(const struct board *b, FILE *out)
{
	for (unsigned i = 0; i < b->nr_regions; i++) {
		const struct ir_region *r = &b->regions[i];

		fprintf(out, "%-4s 0x%" PRIx64 "-0x%" PRIx64 " %s.%s %s %s\n",
			space_name(r->space), r->base, r->base + r->size - 1,
			r->dev->name, r->reg->name, binding_name(r->binding),
			srcpos_string(&r->pos));
	}
}

static char *file_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* Laid-out text of a board that passes every check, or NULL. */
static char *layout_text(const char *file, char *why, size_t why_len)
{
	struct board *b = board_from_yaml(file);
	char *text = NULL;
	size_t len;
	FILE *out;

	if (!b) {
		snprintf(why, why_len, "does not parse");
		return NULL;
	}
	if (board_check(b) || board_layout(b) || board_check_layout(b)) {
		snprintf(why, why_len, "fails its checks");
		goto out;
	}
	out = open_memstream(&text, &len);
	if (!out)
		goto out;
	layout_print(b, out);
	fclose(out);
out:
	board_free(b);
	return text;
}

static void test_board(const char *file)
{
	char expected_path[512], why[128] = "";
	char *actual, *expected;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int n = (int)(strrchr(base, '.') ? strrchr(base, '.') - base
					  : (long)strlen(base));

	snprintf(expected_path, sizeof(expected_path), "%.*s.expected",
		 (int)(strrchr(file, '.') - file), file);
	actual = layout_text(file, why, sizeof(why));
	expected = file_slurp(expected_path);
	if (!actual)
		printf("FAIL /boardc/layout/%.*s: %s %s\n", n, base, file, why);
	else if (!expected)
		printf("FAIL /boardc/layout/%.*s: %s is missing\n", n, base,
		       expected_path);
	else if (strcmp(actual, expected))
		printf("FAIL /boardc/layout/%.*s: differs from %s; got:\n%s",
		       n, base, expected_path, actual);
	else
		printf("PASS /boardc/layout/%.*s\n", n, base);
	if (!actual || !expected || strcmp(actual, expected))
		failures++;
	free(actual);
	free(expected);
}

/* ---- boards built here ---- */

/* A board through the IR's constructor, with room for nr_devices. */
static struct board *board_with_devices(unsigned nr_devices)
{
	struct board *b = board_new("layout-test");

	b->name = xstrdup("layout-test");
	b->devices = xcalloc(nr_devices + 1, sizeof(*b->devices));
	return b;
}

static void window_add(struct board *b, enum board_space space,
		       const char *name, uint64_t base, uint64_t size)
{
	struct ir_range *w;

	w = ir_ranges_grow(&b->windows, b->nr_windows++, 1);
	*w = (struct ir_range){ .name = xstrdup(name), .base = base,
				.size = size, .space = space };
}

static struct ir_device *device_add(struct board *b, const char *type,
				    enum board_space space)
{
	struct ir_device *d = &b->devices[b->nr_devices];
	char name[32];

	snprintf(name, sizeof(name), "d%u", b->nr_devices++);
	d->name = strdup(name);
	d->type_name = strdup(type);
	d->type = device_type_find(type);
	if (space == SPACE_PIO)
		d->pio = (struct ir_placement){ .present = true,
						.is_auto = true };
	else
		d->mmio = (struct ir_placement){ .present = true,
						 .is_auto = true };
	return d;
}

static void result(const char *name, bool ok, const char *why)
{
	printf("%s /boardc/layout/%s%s%s\n", ok ? "PASS" : "FAIL", name,
	       ok ? "" : ": ", ok ? "" : why);
	if (!ok)
		failures++;
}

/*
 * An unknown type, an auto device with no window, a window that does not
 * exist: no regions for them, the good device still placed.
 */
static void test_broken_devices(void)
{
	struct board *b = board_with_devices(4);
	struct ir_device *d;
	bool ok;

	window_add(b, SPACE_MMIO, "w", 0xd0000000, 0x10000);
	d = device_add(b, "no-such-type", SPACE_MMIO);
	d->type = NULL;
	device_add(b, "post-code", SPACE_PIO);	/* no I/O window */
	d = device_add(b, "doorbell-demo", SPACE_MMIO);
	d->mmio.window = strdup("nope");
	device_add(b, "doorbell-demo", SPACE_MMIO);
	ok = board_layout(b) == 0 && b->nr_regions == 3 &&
	     b->regions[0].dev == &b->devices[3] &&
	     b->regions[0].base == 0xd0000000;
	/* Laying out again starts afresh. */
	ok = ok && board_layout(b) == 0 && b->nr_regions == 3;
	result("broken_devices", ok, "unexpected regions");
	board_free(b);
}

/*
 * RAM wrongly covering a window (ram_overlap reports it) still keeps auto
 * devices out, even with a smaller range sorted between the two.
 */
static void test_window_under_ram(void)
{
	struct board *b = board_with_devices(1);
	bool ok;

	b->ram = calloc(1, sizeof(*b->ram));
	b->ram[0] = (struct ir_range){ .name = strdup("ram"),
				       .size = 0x100000000 };
	b->nr_ram = 1;
	b->reserved = calloc(1, sizeof(*b->reserved));
	b->reserved[0] = (struct ir_range){ .name = strdup("vga"),
					    .base = 0xa0000,
					    .size = 0x20000 };
	b->nr_reserved = 1;
	window_add(b, SPACE_MMIO, "w", 0xc0000000, 0x10000);
	device_add(b, "doorbell-demo", SPACE_MMIO);
	ok = board_layout(b) == 0 && b->nr_regions == 0;
	result("window_under_ram", ok, "a device was placed over RAM");
	board_free(b);
}

/* The reference: first fit over a bitmap of the window's ports. */
struct bitmap_fit {
	uint8_t used[0x10000];
	uint32_t hint[0x21][0x21];	/* by size, by alignment */
};

static uint64_t bitmap_alloc(struct bitmap_fit *m, uint64_t size,
			     uint64_t align)
{
	for (uint64_t a = m->hint[size][align]; a + size <= 0x10000;
	     a += align) {
		uint64_t k = 0;

		while (k < size && !m->used[a + k])
			k++;
		if (k < size)
			continue;
		memset(&m->used[a], 1, size);
		m->hint[size][align] = (uint32_t)a;
		return a;
	}
	return UINT64_MAX;
}

/*
 * Fill the whole port space with a mix of 1-, 2-, 5- and 32-port blocks
 * (alignments 1, 2, 8, 32) around a few fixed devices; compare every base
 * with the reference and check that the sorted regions never overlap.
 */
static void test_packed_window(void)
{
	static const char *const types[] = {
		"post-code", "doorbell-demo", "post-code", "cmos-rtc",
		"i8042", "post-code", "doorbell-demo", "cmos-rtc",
	};
	static const uint64_t spans[] = { 1, 32, 1, 2, 5, 1, 32, 2 };
	enum { N = 9000 };
	struct bitmap_fit *m = calloc(1, sizeof(*m));
	struct board *b = board_with_devices(N + 2);
	struct ir_device *d;
	char why[160] = "";
	uint8_t *placed = NULL;
	bool ok = true;

	window_add(b, SPACE_PIO, "all", 0, 0x10000);
	d = device_add(b, "uart16550", SPACE_PIO);
	d->pio = (struct ir_placement){ .present = true, .base = 0x3f8 };
	memset(&m->used[0x3f8], 1, 8);
	d = device_add(b, "debug-exit", SPACE_PIO);
	d->pio = (struct ir_placement){ .present = true, .base = 0x501 };
	m->used[0x501] = 1;
	for (unsigned i = 0; i < N; i++)
		device_add(b, types[i % 8], SPACE_PIO);

	if (board_layout(b)) {
		result("packed_window", false, "board_layout failed");
		goto out;
	}

	placed = calloc(N + 2, 1);
	for (unsigned i = 0; i < b->nr_regions; i++)
		placed[b->regions[i].dev - b->devices] = 1;
	for (unsigned i = 0; i < N && ok; i++) {
		uint64_t span = spans[i % 8], align = 1;
		uint64_t want;

		while (align < span)
			align <<= 1;
		want = bitmap_alloc(m, span, align);
		d = &b->devices[i + 2];
		if ((want == UINT64_MAX) != !placed[i + 2]) {
			snprintf(why, sizeof(why), "%s (%s) %s placed, first "
				 "fit says %s", d->name, d->type->name,
				 placed[i + 2] ? "is" : "is not",
				 want == UINT64_MAX ? "full" : "room");
			ok = false;
		} else if (want != UINT64_MAX && d->pio.base != want) {
			snprintf(why, sizeof(why), "%s (%s) at 0x%" PRIx64
				 ", first fit is 0x%" PRIx64, d->name,
				 d->type->name, d->pio.base, want);
			ok = false;
		}
	}
	for (unsigned i = 1; i < b->nr_regions && ok; i++) {
		const struct ir_region *p = &b->regions[i - 1];
		const struct ir_region *r = &b->regions[i];

		if (p->base + p->size > r->base) {
			snprintf(why, sizeof(why), "%s.%s overlaps %s.%s",
				 p->dev->name, p->reg->name, r->dev->name,
				 r->reg->name);
			ok = false;
		}
	}
	result("packed_window", ok, why);
out:
	board_free(b);
	free(placed);
	free(m);
}

int main(int argc, char **argv)
{
	glob_t g;

	if (argc == 3 && !strcmp(argv[1], "--print")) {
		struct board *b = board_from_yaml(argv[2]);

		if (!b || board_check(b) || board_layout(b) ||
		    board_check_layout(b))
			return 2;
		layout_print(b, stdout);
		board_free(b);
		return 0;
	}
	if (glob("tests/boardc/layout/*.yaml", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			test_board(g.gl_pathv[i]);
		globfree(&g);
	} else {
		printf("FAIL /boardc/layout: no tests/boardc/layout/*.yaml "
		       "(run from the repository root)\n");
		failures++;
	}
	test_broken_devices();
	test_window_under_ram();
	test_packed_window();
	return failures ? 1 : 0;
}
