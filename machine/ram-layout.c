// SPDX-License-Identifier: MIT
/*
 * Guest RAM laid into a board's RAM regions, and the e820 map that follows
 * from it. Shared by boardc (`boardc map --mem`) and the VMM (memslots,
 * boot_params), so the map a user reads is the map the guest gets.
 * Pure: no allocation, no I/O (the messages are written into buffers).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ram-layout.h"

static uint64_t span_end(const struct ram_span *s)
{
	return s->base + s->size;
}

/*
 * Whether `reserved` covers [lo, hi) (lo < hi) completely. The ranges do
 * not overlap (checked), so their parts inside it must add up to its
 * length; the sum stops there, so it cannot wrap.
 */
static bool gap_reserved(const struct ram_span *reserved, unsigned nr,
			 uint64_t lo, uint64_t hi)
{
	uint64_t covered = 0;

	for (unsigned i = 0; i < nr; i++) {
		uint64_t a = reserved[i].base > lo ? reserved[i].base : lo;
		uint64_t b = span_end(&reserved[i]) < hi ?
			     span_end(&reserved[i]) : hi;

		if (a < b && (covered += b - a) >= hi - lo)
			return true;
	}
	return false;
}

/* The bytes --mem counts for the gap before regions[i] (0: none). */
static uint64_t counted_gap(const struct ram_span *regions, unsigned i,
			    const struct ram_span *reserved, unsigned nr)
{
	uint64_t lo, hi;

	if (!i)
		return 0;
	lo = span_end(&regions[i - 1]);
	hi = regions[i].base;
	return hi > lo && gap_reserved(reserved, nr, lo, hi) ? hi - lo : 0;
}

/* The most `mem` can be: every region and every counted gap. */
static uint64_t fill_capacity(const struct ram_span *regions, unsigned nr,
			      const struct ram_span *reserved,
			      unsigned nr_reserved)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < nr; i++) {
		uint64_t add = counted_gap(regions, i, reserved, nr_reserved);

		if (__builtin_add_overflow(total, add, &total) ||
		    __builtin_add_overflow(total, regions[i].size, &total))
			return UINT64_MAX;
	}
	return total;
}

static int fill_fault(struct ram_fill_fault *fault,
		      enum ram_fill_fault_kind kind)
{
	if (fault)
		fault->kind = kind;
	return -1;
}

int ram_layout_fill(const struct ram_span *regions, unsigned nr_regions,
		    const struct ram_span *reserved, unsigned nr_reserved,
		    uint64_t mem, struct ram_span *out, unsigned max,
		    struct ram_fill_fault *fault)
{
	uint64_t left = mem;
	unsigned n = 0;

	if (fault)
		*fault = (struct ram_fill_fault) { .kind = RAM_FILL_OK };
	for (unsigned i = 0; i < nr_regions && left; i++) {
		uint64_t gap = counted_gap(regions, i, reserved, nr_reserved);
		uint64_t take;

		if (gap && left < gap) {
			if (fault)
				*fault = (struct ram_fill_fault) {
					.kind = RAM_FILL_IN_RESERVED,
					.gap_base = span_end(&regions[i - 1]),
					.gap_end = regions[i].base,
					.below = mem - left,
					.above = mem - left + gap,
					.prev = i - 1,
					.next = i,
				};
			return -1;
		}
		left -= gap;
		take = regions[i].size < left ? regions[i].size : left;
		if (!take)
			continue;
		if (n == max)
			return fill_fault(fault, RAM_FILL_TOO_MANY);
		out[n].base = regions[i].base;
		out[n].size = take;
		out[n].index = i;
		n++;
		left -= take;
	}
	if (left) {
		if (fault) {
			fault->kind = RAM_FILL_TOO_LARGE;
			fault->capacity = fill_capacity(regions, nr_regions,
							reserved, nr_reserved);
		}
		return -1;
	}
	return (int)n;
}

void ram_size_str(uint64_t size, char *buf, size_t len)
{
	static const struct { char unit; unsigned shift; } units[] = {
		{ 'T', 40 }, { 'G', 30 }, { 'M', 20 }, { 'K', 10 },
	};

	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (size && !(size & ((1ull << units[i].shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c",
				 size >> units[i].shift, units[i].unit);
			return;
		}
	snprintf(buf, len, "0x%" PRIx64, size);
}

void ram_fill_fault_explain(const struct ram_fill_fault *f,
			    const char *prev, const char *next,
			    char *buf, size_t len)
{
	char a[32], b[32];

	switch (f->kind) {
	case RAM_FILL_TOO_LARGE:
		ram_size_str(f->capacity, a, sizeof(a));
		snprintf(buf, len, "is more than the %s the board's RAM "
			 "regions hold (with the reserved ranges between "
			 "them): give at most %s", a, a);
		break;
	case RAM_FILL_IN_RESERVED:
		ram_size_str(f->below, a, sizeof(a));
		ram_size_str(f->above, b, sizeof(b));
		snprintf(buf, len, "ends inside 0x%" PRIx64 "-0x%" PRIx64
			 ", the reserved ranges between RAM regions %s and "
			 "%s, which count toward guest RAM (as kvmtool's and "
			 "QEMU's -m counts them): give at most %s or at "
			 "least %s", f->gap_base, f->gap_end - 1, prev, next,
			 a, b);
		break;
	case RAM_FILL_TOO_MANY:
		snprintf(buf, len, "needs more memory chunks than the board "
			 "maps: give a smaller size");
		break;
	default:
		snprintf(buf, len, "fits");
		break;
	}
}

static uint64_t e820_end(const struct e820_entry *e)
{
	return e->addr + e->size;
}

/* Merge out[i] with out[i + 1] when they touch and have one type. */
static int e820_merge_next(struct e820_entry *out, int n, int i)
{
	if (i < 0 || i + 1 >= n || out[i].type != out[i + 1].type ||
	    e820_end(&out[i]) != out[i + 1].addr)
		return n;
	out[i].size += out[i + 1].size;
	memmove(&out[i + 1], &out[i + 2], (n - i - 2) * sizeof(*out));
	return n - 1;
}

/*
 * Insert one range into the sorted table, merging with its neighbours.
 * Returns the new count, or -1 when the table is full.
 */
static int e820_insert(struct e820_entry *out, int n, unsigned max,
		       uint64_t addr, uint64_t size, uint32_t type)
{
	int pos = n;

	if (!size)
		return n;
	while (pos > 0 && (out[pos - 1].addr > addr ||
			   (out[pos - 1].addr == addr &&
			    out[pos - 1].type > type)))
		pos--;
	if ((unsigned)n == max) {
		/* Full: only a merge with a neighbour can take it. */
		if (pos > 0 && out[pos - 1].type == type &&
		    e820_end(&out[pos - 1]) == addr) {
			out[pos - 1].size += size;
			return e820_merge_next(out, n, pos - 1);
		}
		if (pos < n && out[pos].type == type &&
		    addr + size == out[pos].addr) {
			out[pos].addr = addr;
			out[pos].size += size;
			return n;
		}
		return -1;
	}
	memmove(&out[pos + 1], &out[pos], (n - pos) * sizeof(*out));
	out[pos].addr = addr;
	out[pos].size = size;
	out[pos].type = type;
	n++;
	n = e820_merge_next(out, n, pos);
	return e820_merge_next(out, n, pos - 1);
}

int ram_layout_e820(const struct ram_span *ram, unsigned nr_ram,
		    const struct ram_span *reserved, unsigned nr_reserved,
		    struct e820_entry *out, unsigned max)
{
	int n = 0;

	for (unsigned i = 0; i < nr_ram && n >= 0; i++)
		n = e820_insert(out, n, max, ram[i].base, ram[i].size,
				E820_RAM);
	for (unsigned i = 0; i < nr_reserved && n >= 0; i++)
		n = e820_insert(out, n, max, reserved[i].base,
				reserved[i].size, E820_RESERVED);
	return n;
}

#define E820_PAGE	0x1000ull

/*
 * Replace map[i] by up to three pieces: [addr, lo), [lo, hi) as `type`,
 * [hi, end). Returns how many entries map[i] became, or -1 when full.
 */
static int e820_split(struct e820_entry *map, int n, unsigned max, int i,
		      uint64_t lo, uint64_t hi, uint32_t type)
{
	struct e820_entry e = map[i], piece[3];
	int k = 0;

	if (e.addr < lo)
		piece[k++] = (struct e820_entry){ e.addr, lo - e.addr, e.type };
	piece[k++] = (struct e820_entry){ lo, hi - lo, type };
	if (hi < e820_end(&e))
		piece[k++] = (struct e820_entry){ hi, e820_end(&e) - hi,
						  e.type };
	if ((unsigned)(n + k - 1) > max)
		return -1;
	memmove(&map[i + k], &map[i + 1], (n - i - 1) * sizeof(*map));
	memcpy(&map[i], piece, k * sizeof(*map));
	return k;
}

int ram_layout_e820_acpi(struct e820_entry *map, int n, unsigned max,
			 uint64_t addr, uint64_t size)
{
	uint64_t lo = addr & ~(E820_PAGE - 1);
	uint64_t hi = (addr + size + E820_PAGE - 1) & ~(E820_PAGE - 1);

	if (!size || n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct e820_entry *e = &map[i];
		uint64_t a = e->addr > lo ? e->addr : lo;
		uint64_t b = e820_end(e) < hi ? e820_end(e) : hi;
		int k;

		if (e->type != E820_RESERVED || a >= b)
			continue;
		k = e820_split(map, n, max, i, a, b, E820_ACPI);
		if (k < 0)
			return -1;
		n += k - 1;
		i += k - 1;
	}
	return n;
}

bool e820_entry_clip(const struct e820_entry *e, uint64_t base,
		     uint64_t size, uint64_t *first, uint64_t *last)
{
	uint64_t a = e->addr > base ? e->addr : base;
	uint64_t b = e820_end(e) < base + size ? e820_end(e) : base + size;

	if (a >= b)
		return false;
	*first = a;
	*last = b - 1;
	return true;
}
