// SPDX-License-Identifier: MIT
/*
 * Lookup benchmark: how long it takes to turn an exit's port or address
 * into a region, with the generated maps (vmm/dispatch.h: the port map
 * index, dispatch_mmio_region()) against a baseline built in the same run
 * from the same regions: binary search over a sorted array of spans, what
 * interval-tree and BTreeMap VMMs (kvmtool, Firecracker, crosvm) do.
 *
 * Built once per generated board (-I<generated dir>). Patterns, per space:
 *   inside    random addresses inside random user regions
 *   across    random addresses across the space (ports 0-0xffff; MMIO the
 *             hole from the lowest dispatch window to the end of the
 *             highest), mapped or not
 *   hot       random addresses inside 16 user regions picked at random:
 *             the same working set whatever the board's size, so what
 *             varies is the lookup, not how much of the tables the
 *             caches hold (a guest drives a few devices at a time)
 *   repeated  one address, over and over
 * Each (space, pattern) is timed RUNS times, the two methods and a
 * reference interleaved, LOOKUPS lookups a run; the medians are printed as
 *   RESULT <board> <regions> <space> <pattern> <map ns> <bsearch ns>
 *          <reference ns> <map in references> <bsearch in references>
 * The reference is the same small loop in every binary (a pointer chase in
 * L1): this machine's speed drifts by up to 2x from one second to the next
 * (a shared, virtualised host), and a lookup time divided by the reference
 * timed right next to it compares across boards where raw ns do not.
 * Both methods return a board_region and the loop reads its base (the
 * offset a handler gets), so neither is credited for skipping that load.
 * Before timing, every address is looked up both ways and the results must
 * agree: a wrong map fails the benchmark instead of looking fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "dispatch.h"

/*
 * Many short runs (a fraction of a millisecond each): a run the scheduler
 * interrupts on a busy machine is an outlier the median drops.
 */
#define NR_ADDRS	(1u << 16)	/* addresses per pattern */
#define LOOKUPS		NR_ADDRS	/* lookups per timed run: one pass */
#define RUNS		41

#define HOT_REGIONS	16

enum pattern {
	PATTERN_INSIDE,
	PATTERN_ACROSS,
	PATTERN_HOT,
	PATTERN_REPEATED,
	NR_PATTERNS
};

static const char *const pattern_names[NR_PATTERNS] = {
	[PATTERN_INSIDE] = "inside",
	[PATTERN_ACROSS] = "across",
	[PATTERN_HOT] = "hot",
	[PATTERN_REPEATED] = "repeated",
};

/* The baseline: one space's regions sorted by base. */
struct span {
	uint64_t base;
	uint64_t last;			/* inclusive, so a span may end at 2^64 */
	const struct board_region *region;
};

struct span_map {
	struct span *spans;
	unsigned nr;
};

static struct span_map pio_spans, mmio_spans;
static uint64_t sink;
static uint32_t ring[64];		/* the reference's pointer chase */

/* xorshift64*: deterministic, so every run sees the same addresses. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rng_below(uint64_t n)
{
	return n ? rng_next() % n : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* The last span starting at or below addr, if addr is inside it. */
static inline const struct board_region *span_find(const struct span_map *m,
						   uint64_t addr)
{
	const struct span *s = m->spans;
	unsigned n = m->nr;

	while (n > 1) {
		unsigned half = n / 2;

		if (s[half].base <= addr)
			s += half;
		n -= half;
	}
	if (n == 0 || addr < s->base || addr > s->last)
		return &board_regions[0];
	return s->region;
}

/* As dispatch_mmio_region() is, the baseline's MMIO lookup is a call. */
static __attribute__((noinline)) const struct board_region *
mmio_bsearch(uint64_t addr)
{
	return span_find(&mmio_spans, addr);
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static void spans_build(struct span_map *m, enum board_space space)
{
	m->spans = calloc(board_info.nr_regions, sizeof(*m->spans));
	if (!m->spans) {
		perror("lookup: spans");
		exit(1);
	}
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space != space || !r->size)
			continue;
		m->spans[m->nr++] = (struct span){
			.base = r->base,
			.last = r->base + r->size - 1,
			.region = r,
		};
	}
	qsort(m->spans, m->nr, sizeof(*m->spans), span_cmp);
}

/* Regions a vCPU exit can reach: not the in-kernel ones. */
static bool region_user(const struct board_region *r, enum board_space space)
{
	return r->space == space && r->size && r->binding != BINDING_KERNEL;
}

static unsigned regions_count(enum board_space space)
{
	unsigned n = 0;

	for (unsigned i = 1; i < board_info.nr_regions; i++)
		n += region_user(&board_regions[i], space);
	return n;
}

/* The MMIO "space": the hole the dispatch windows cover. */
static void mmio_hole(uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned i = 0; i < board_info.nr_mmio_windows; i++) {
		const struct board_mmio_window *w = &board_mmio_windows[i];

		if (w->base < *lo)
			*lo = w->base;
		if (w->base + w->size > *hi)
			*hi = w->base + w->size;
	}
}

static void addrs_fill(uint64_t *addrs, enum board_space space,
		       enum pattern pattern)
{
	unsigned nr = regions_count(space);
	const struct board_region **user, *hot[HOT_REGIONS];
	uint64_t lo = 0, hi = 0x10000;

	user = calloc(nr ? nr : 1, sizeof(*user));
	if (!user) {
		perror("lookup: regions");
		exit(1);
	}
	for (unsigned i = 1, n = 0; i < board_info.nr_regions; i++)
		if (region_user(&board_regions[i], space))
			user[n++] = &board_regions[i];
	if (space == SPACE_MMIO)
		mmio_hole(&lo, &hi);
	for (unsigned i = 0; i < HOT_REGIONS; i++)
		hot[i] = user[rng_below(nr)];
	for (unsigned i = 0; i < NR_ADDRS; i++) {
		const struct board_region *r;

		switch (pattern) {
		case PATTERN_INSIDE:
			r = user[rng_below(nr)];
			addrs[i] = r->base + rng_below(r->size);
			break;
		case PATTERN_ACROSS:
			addrs[i] = lo + rng_below(hi - lo);
			break;
		case PATTERN_HOT:
			r = hot[rng_below(HOT_REGIONS)];
			addrs[i] = r->base + rng_below(r->size);
			break;
		default:
			r = user[nr / 2];
			addrs[i] = r->base + r->size / 2;
			break;
		}
	}
	free(user);
}

/* Every address must resolve to the same region both ways. */
static void addrs_verify(const uint64_t *addrs, enum board_space space,
			 enum pattern pattern)
{
	for (unsigned i = 0; i < NR_ADDRS; i++) {
		const struct board_region *a, *b;

		if (space == SPACE_PIO) {
			a = dispatch_port_region(addrs[i]);
			b = span_find(&pio_spans, addrs[i]);
		} else {
			a = dispatch_mmio_region(addrs[i]);
			b = span_find(&mmio_spans, addrs[i]);
		}
		if (a == b)
			continue;
		fprintf(stderr, "lookup: %s: %s %s 0x%llx: the map says %s, "
			"the regions say %s: the generated tables are wrong\n",
			board_info.name, space_name(space),
			pattern_names[pattern], (unsigned long long)addrs[i],
			a->name ? a->name : "(unmapped)",
			b->name ? b->name : "(unmapped)");
		exit(1);
	}
}

/* One timed run; returns ns per lookup. */
#define TIMED_LOOP(lookup)						\
	({								\
		uint64_t t0 = now_ns(), acc = 0;			\
		for (unsigned i = 0; i < LOOKUPS; i++) {		\
			uint64_t a = addrs[i & (NR_ADDRS - 1)];		\
			acc += a - (lookup(a))->base;			\
		}							\
		sink += acc;						\
		(double)(now_ns() - t0) / LOOKUPS;			\
	})

#define PIO_BSEARCH(a)		span_find(&pio_spans, (a))

static __attribute__((noinline)) double time_pio_map(const uint64_t *addrs)
{
	return TIMED_LOOP(dispatch_port_region);
}

static __attribute__((noinline)) double time_pio_bsearch(const uint64_t *addrs)
{
	return TIMED_LOOP(PIO_BSEARCH);
}

static __attribute__((noinline)) double time_mmio_map(const uint64_t *addrs)
{
	return TIMED_LOOP(dispatch_mmio_region);
}

static __attribute__((noinline)) double time_mmio_bsearch(const uint64_t *addrs)
{
	return TIMED_LOOP(mmio_bsearch);
}

static __attribute__((noinline)) double time_reference(void)
{
	uint64_t t0 = now_ns();
	uint32_t i = 0;

	for (unsigned n = 0; n < LOOKUPS; n++)
		i = ring[i];
	sink += i;
	return (double)(now_ns() - t0) / LOOKUPS;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), double_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void bench_one(uint64_t *addrs, enum board_space space,
		      enum pattern pattern)
{
	double (*map)(const uint64_t *) = space == SPACE_PIO ?
		time_pio_map : time_mmio_map;
	double (*bsearch_)(const uint64_t *) = space == SPACE_PIO ?
		time_pio_bsearch : time_mmio_bsearch;
	double map_ns[RUNS], bsearch_ns[RUNS], ref_ns[RUNS];
	double map_ref[RUNS], bsearch_ref[RUNS];

	addrs_fill(addrs, space, pattern);
	addrs_verify(addrs, space, pattern);
	map(addrs);			/* warm the caches */
	bsearch_(addrs);
	for (unsigned run = 0; run < RUNS; run++) {
		ref_ns[run] = time_reference();
		map_ns[run] = map(addrs);
		bsearch_ns[run] = bsearch_(addrs);
		map_ref[run] = map_ns[run] / ref_ns[run];
		bsearch_ref[run] = bsearch_ns[run] / ref_ns[run];
	}
	printf("RESULT %s %u %s %s %.2f %.2f %.2f %.3f %.3f\n",
	       board_info.name, board_info.nr_regions - 1, space_name(space),
	       pattern_names[pattern], median(map_ns, RUNS),
	       median(bsearch_ns, RUNS), median(ref_ns, RUNS),
	       median(map_ref, RUNS), median(bsearch_ref, RUNS));
}

int main(void)
{
	uint64_t *addrs = calloc(NR_ADDRS, sizeof(*addrs));

	if (!addrs) {
		perror("lookup: addresses");
		return 1;
	}
	for (unsigned i = 0; i < 64; i++)
		ring[i] = (i * 37 + 1) % 64;	/* one cycle through all 64 */
	spans_build(&pio_spans, SPACE_PIO);
	spans_build(&mmio_spans, SPACE_MMIO);
	for (enum board_space s = SPACE_PIO; s <= SPACE_MMIO; s++) {
		if (!regions_count(s)) {
			fprintf(stderr, "lookup: %s has no %s regions\n",
				board_info.name, space_name(s));
			return 1;
		}
		for (enum pattern p = 0; p < NR_PATTERNS; p++)
			bench_one(addrs, s, p);
	}
	free(addrs);
	free(pio_spans.spans);
	free(mmio_spans.spans);
	return sink == 42;	/* keep the sums alive */
}
