// SPDX-License-Identifier: MIT
/*
 * Exit dispatch: the only reader of the generated maps (vmm/dispatch.h).
 *
 * A port indexes board_port_map; an MMIO address selects one of the
 * board's few windows, indexes its page map and, for a page that several
 * regions share, the sub-page map; a final bounds check against the region
 * catches the tail of a page (or sub-page granule) the region does not
 * fill. The handler gets the offset in its device's block:
 * region->offset + (addr - region->base).
 *
 * The access paths take no lock and allocate nothing: counters of
 * unmapped accesses and the "logged once" sets are updated with atomics,
 * per-region statistics live in the caller's dispatch_ctx (one per vCPU or
 * I/O thread). Device models that several threads reach protect their own
 * state. Logging an unmapped access, once per port or page, is the only
 * slow path.
 *
 * PCI BARs move at run time (vmm/pci-remap.c): the writer rewrites page
 * entries of a relocatable window and the moved device's address delta
 * inside a seqcount (dispatch_map_seq odd while it writes). An MMIO lookup
 * reads the seqcount (acquire), the page entry and the delta (relaxed
 * atomics), an acquire fence, and the seqcount again; if it changed or was
 * odd the lookup is retried. So a vCPU sees a BAR either wholly at its old
 * place or wholly at its new one, and computes the offset with the delta
 * that matches the entry it found, without taking a lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "board.h"
#include "dispatch.h"
#include "ratelimit.h"

#define DISPATCH_NR_PORTS	65536
/* MMIO pages whose first unmapped access is logged; later ones only count. */
#define DISPATCH_LOGGED_PAGES	256

/* Variables, not the macros: a board may have none (-Wtype-limits). */
static const unsigned nr_windows = BOARD_NR_MMIO_WINDOWS;
static const unsigned nr_async = BOARD_NR_ASYNC;
static const unsigned nr_regions = BOARD_NR_REGIONS;
static const uint64_t subpage_map_size = BOARD_SUBPAGE_MAP_SIZE;

/* PCI BAR moves: vmm/pci-remap.c writes these, lookups read them. */
unsigned dispatch_map_seq;
uint64_t dispatch_mmio_delta[BOARD_NR_DEVICES + 1];

static uint64_t unmapped_reads, unmapped_writes;
static uint64_t logged_ports[DISPATCH_NR_PORTS / 64];	/* bit per port */
/* However many ports and pages a guest tries: a bounded number of lines. */
static struct ratelimit unmapped_log_limit =
	RATELIMIT_INIT("unmapped accesses");
static uint64_t logged_pages[DISPATCH_LOGGED_PAGES];	/* page + 1; 0: free */
static int logged_pages_full;
static uint64_t last_unmapped_page;	/* page + 1 of the last one looked up */

/* 1, 2, 4 or 8: one shift and test. */
static inline bool access_len_ok(unsigned len)
{
	return len <= 8 && ((1u << len) & 0x116);
}

/*
 * The same for an MMIO exit's length, which KVM keeps within mmio.data[8]
 * (1-8): one shift and test, no bound (the mask keeps the shift defined;
 * dispatch_mmio_exit() takes no wider length, see dispatch.h).
 */
static inline bool exit_len_ok(unsigned len)
{
	return (0x116u >> (len & 31)) & 1;
}

/* Lookup */

/* One try of the lookup; *base is the region's base as of this try. */
static inline unsigned mmio_lookup_once(uint64_t addr, uint64_t *base)
{
	*base = 0;
	for (unsigned w = 0; w < nr_windows; w++) {
		const struct board_mmio_window *win = &board_mmio_windows[w];
		uint64_t off = addr - win->base, i;
		const struct board_region *r;
		BOARD_INDEX_TYPE idx;

		if (off >= win->size)
			continue;
		/* Pages of a relocatable window change when a BAR moves. */
		idx = __atomic_load_n(&win->pages[off >> MACHINE_PAGE_SHIFT],
				      __ATOMIC_RELAXED);
		if (idx & BOARD_SUBPAGE) {
			const struct board_subpage *sp =
				&board_subpages[idx & ~BOARD_SUBPAGE];

			i = sp->first + ((off & MACHINE_PAGE_MASK) >> sp->shift);
			idx = i < subpage_map_size ? board_subpage_map[i] : 0;
		}
		r = &board_regions[idx];
		*base = r->base + __atomic_load_n(
			&dispatch_mmio_delta[r->device], __ATOMIC_RELAXED);
		/* Also sends index 0 (size 0) to the sentinel. */
		return addr - *base < r->size ? idx : 0;
	}
	return 0;
}

/* The seqcount around a lookup: false if a BAR moved meanwhile. */
static inline unsigned map_seq_begin(void)
{
	return __atomic_load_n(&dispatch_map_seq, __ATOMIC_ACQUIRE);
}

static inline bool map_seq_held(unsigned seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return !(seq & 1) &&
	       seq == __atomic_load_n(&dispatch_map_seq, __ATOMIC_RELAXED);
}

/* The region at `addr` and its current base (moved BARs included). */
static unsigned mmio_lookup(uint64_t addr, uint64_t *base)
{
	unsigned seq, i;

	do {
		seq = map_seq_begin();
		i = mmio_lookup_once(addr, base);
	} while (!map_seq_held(seq));
	return i;
}

const struct board_region *dispatch_mmio_region(uint64_t addr)
{
	uint64_t base;

	return &board_regions[mmio_lookup(addr, &base)];
}

/* Logging and tracing (slow paths) */

static uint64_t dispatch_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The region of `space` closest to `addr`, for "near ..." in messages. */
static const struct board_region *region_nearest(unsigned space,
						 uint64_t addr)
{
	const struct board_region *best = NULL;
	uint64_t best_dist = UINT64_MAX;

	for (unsigned i = 1; i < nr_regions; i++) {
		const struct board_region *r = &board_regions[i];
		uint64_t last = r->base + r->size - 1, dist = 0;

		if (r->space != space || !r->size)
			continue;
		if (addr < r->base)
			dist = r->base - addr;
		else if (addr > last)
			dist = addr - last;
		if (dist < best_dist) {
			best = r;
			best_dist = dist;
		}
	}
	return best;
}

/*
 * What of the board an unmapped address falls in: a reserved range, a
 * board MMIO window no BAR occupies there, or a RAM region past the RAM
 * --mem fills (memslots cover the rest, so an exit there is past it).
 * Writes "in reserved range NAME 0xA-0xB (FILE:LINE:COL)"; false if none.
 */
static bool unmapped_where(uint64_t addr, char *buf, size_t len)
{
	for (unsigned i = 0; i < board_info.nr_reserved; i++) {
		const struct board_reserved *r = &board_reserved[i];

		if (addr - r->base < r->size) {
			snprintf(buf, len, "in reserved range %s 0x%" PRIx64
				 "-0x%" PRIx64 " (%s)", r->name, r->base,
				 r->base + r->size - 1, r->srcpos);
			return true;
		}
	}
	for (unsigned i = 0; i < board_info.nr_mmio_windows; i++) {
		const struct board_mmio_window *w = &board_mmio_windows[i];

		if (w->relocatable && addr - w->base < w->size) {
			snprintf(buf, len, "in MMIO window %s 0x%" PRIx64
				 "-0x%" PRIx64 " (%s), where no device or BAR "
				 "is mapped", w->name, w->base,
				 w->base + w->size - 1, w->srcpos);
			return true;
		}
	}
	for (unsigned i = 0; i < board_info.nr_ram; i++) {
		const struct board_ram_region *r = &board_ram[i];

		if (addr - r->base < r->size) {
			snprintf(buf, len, "in RAM region %s 0x%" PRIx64
				 "-0x%" PRIx64 " (%s), past the RAM --mem "
				 "fills there", r->name, r->base,
				 r->base + r->size - 1, r->srcpos);
			return true;
		}
	}
	return false;
}

/* Whether region r has a byte in the page of addr. */
static bool same_page(uint64_t addr, const struct board_region *r)
{
	uint64_t page = addr >> MACHINE_PAGE_SHIFT;

	return page >= r->base >> MACHINE_PAGE_SHIFT &&
	       page <= (r->base + r->size - 1) >> MACHINE_PAGE_SHIFT;
}

/* True the first time a port is seen unmapped. */
static bool port_first_time(uint16_t port)
{
	uint64_t bit = 1ull << (port % 64);

	return !(__atomic_fetch_or(&logged_ports[port / 64], bit,
				   __ATOMIC_RELAXED) & bit);
}

/* True the first time a page is seen unmapped (open addressing, CAS). */
static bool page_first_time(uint64_t addr)
{
	uint64_t key = (addr >> MACHINE_PAGE_SHIFT) + 1;
	unsigned h = (key * 0x9e3779b97f4a7c15ull) >> 56;

	for (unsigned n = 0; n < DISPATCH_LOGGED_PAGES; n++) {
		uint64_t *slot = &logged_pages[(h + n) % DISPATCH_LOGGED_PAGES];
		uint64_t seen = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

		if (!seen && __atomic_compare_exchange_n(slot, &seen, key,
				false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
		if (seen == key)
			return false;
	}
	if (!__atomic_exchange_n(&logged_pages_full, 1, __ATOMIC_RELAXED))
		fprintf(stderr, "boardvm: more than %u unmapped MMIO pages "
			"accessed; accesses to further pages are only counted, "
			"see --stats\n", DISPATCH_LOGGED_PAGES);
	return false;
}

/* Whether a page was already seen unmapped (no insertion). */
static bool page_seen(uint64_t addr)
{
	uint64_t key = (addr >> MACHINE_PAGE_SHIFT) + 1;
	unsigned h = (key * 0x9e3779b97f4a7c15ull) >> 56;

	for (unsigned n = 0; n < DISPATCH_LOGGED_PAGES; n++) {
		uint64_t seen = __atomic_load_n(
			&logged_pages[(h + n) % DISPATCH_LOGGED_PAGES],
			__ATOMIC_ACQUIRE);

		if (seen == key)
			return true;
		if (!seen)
			return false;
	}
	return false;
}

static bool port_seen(uint16_t port)
{
	return __atomic_load_n(&logged_ports[port / 64], __ATOMIC_RELAXED) &
	       (1ull << (port % 64));
}

/*
 * Log the first access to an unmapped port or page, unless the port or
 * page just below was already seen: a guest scanning a range (Linux
 * probing option ROMs at 0xc0000-0xdffff, a port sweep) gets one line
 * for the range, not one per page. Every access is still counted.
 */
static bool unmapped_should_log(unsigned space, uint64_t addr)
{
	uint64_t page = addr >> MACHINE_PAGE_SHIFT;

	/* Seen before (the common case): one load, no atomic update. */
	if (space == SPACE_PIO && port_seen(addr))
		return false;
	if (space == SPACE_MMIO &&
	    __atomic_load_n(&last_unmapped_page, __ATOMIC_RELAXED) == page + 1)
		return false;
	if (space == SPACE_MMIO)
		__atomic_store_n(&last_unmapped_page, page + 1,
				 __ATOMIC_RELAXED);
	if (space == SPACE_PIO)
		return port_first_time(addr) &&
		       !(addr > 0 && port_seen(addr - 1));
	return page_first_time(addr) &&
	       !(addr >> MACHINE_PAGE_SHIFT &&
		 page_seen(addr - MACHINE_PAGE_SIZE));
}

static void unmapped_log(unsigned space, uint64_t addr, unsigned len,
			 bool is_write, const struct board_region *r)
{
	const char *dir = is_write ? "write to" : "read from";
	const char *what = space == SPACE_PIO ? "port" : "address";
	char where[256];

	if (!ratelimit_allow(&unmapped_log_limit))
		return;

	if (!access_len_ok(len)) {
		fprintf(stderr, "boardvm: unsupported %s of size %u at %s 0x%"
			PRIx64 " (only 1, 2, 4 or 8 bytes): dropped; further "
			"unmapped accesses are counted, see --stats\n",
			is_write ? "write" : "read", len, what, addr);
		return;
	}
	if (r != &board_regions[0]) {
		fprintf(stderr, "boardvm: unhandled %s %s 0x%" PRIx64
			" (size %u): %s 0x%" PRIx64 "-0x%" PRIx64 " (%s) has "
			"no %s handler (binding %s); further unmapped accesses "
			"are counted, see --stats\n", dir, what, addr, len,
			r->name, r->base, r->base + r->size - 1, r->srcpos,
			is_write ? "write" : "read",
			binding_name(r->binding));
		return;
	}
	r = region_nearest(space, addr);
	if (space == SPACE_MMIO && unmapped_where(addr, where, sizeof(where))) {
		/* A device region in the same page is worth naming too. */
		if (r && same_page(addr, r))
			fprintf(stderr, "boardvm: unmapped %s %s 0x%" PRIx64
				" (size %u) %s, near %s 0x%" PRIx64 "-0x%"
				PRIx64 " (%s); further unmapped accesses are "
				"counted, see --stats\n", dir, what, addr, len,
				where, r->name, r->base, r->base + r->size - 1,
				r->srcpos);
		else
			fprintf(stderr, "boardvm: unmapped %s %s 0x%" PRIx64
				" (size %u) %s; further unmapped accesses are "
				"counted, see --stats\n", dir, what, addr, len,
				where);
		return;
	}
	if (!r) {
		fprintf(stderr, "boardvm: unmapped %s %s 0x%" PRIx64
			" (size %u); the board declares nothing in that space; "
			"further unmapped accesses are counted, see --stats\n",
			dir, what, addr, len);
		return;
	}
	fprintf(stderr, "boardvm: unmapped %s %s 0x%" PRIx64 " (size %u) "
		"%snear %s 0x%" PRIx64 "-0x%" PRIx64 " (%s); further unmapped "
		"accesses are counted, see --stats\n", dir, what, addr, len,
		space == SPACE_MMIO ? "in no RAM region, reserved range or "
		"MMIO window of the board, " : "", r->name, r->base,
		r->base + r->size - 1, r->srcpos);
}

const uint8_t *dispatch_trace_regions;
bool dispatch_trace_json;

static bool dispatch_traced(const struct dispatch_ctx *ctx,
			    const struct board_region *r)
{
	const uint8_t *only;

	if (!ctx || !__atomic_load_n(&ctx->trace, __ATOMIC_RELAXED))
		return false;
	only = __atomic_load_n(&dispatch_trace_regions, __ATOMIC_ACQUIRE);
	return !only || only[r - board_regions];
}

/* The device's name for the register, or NULL. */
static const char *trace_reg_name(const struct board_region *r,
				  uint64_t offset, const char *op)
{
	const struct device *dev = &machine_devices[r->device];

	if (!dev->ops || !dev->ops->reg_name)
		return NULL;
	return dev->ops->reg_name(dev, r->offset + offset, op[0] != 'r');
}

/* One JSON object per line; names are board identifiers (no escapes). */
static void dispatch_trace_line_json(FILE *out, const char *who,
				     unsigned space, const char *op,
				     uint64_t addr, unsigned len,
				     uint64_t value,
				     const struct board_region *r,
				     uint64_t offset)
{
	const char *reg;

	fprintf(out, "{\"trace\":\"io\",\"who\":\"%s\",\"space\":\"%s\","
		"\"op\":\"%s\",\"addr\":%" PRIu64 ",\"len\":%u,\"data\":%"
		PRIu64, who, space_name(space), op, addr, len, value);
	if (r == &board_regions[0]) {
		fprintf(out, ",\"region\":null}\n");
		return;
	}
	reg = trace_reg_name(r, offset, op);
	fprintf(out, ",\"region\":\"%s\",\"device\":\"%s\",\"offset\":%"
		PRIu64 ",%s%s%s\"binding\":\"%s\"}\n", r->name,
		board_devices[r->device].name, offset, reg ? "\"register\":\"" :
		"", reg ? reg : "", reg ? "\"," : "", binding_name(r->binding));
}

/* "-> com1.regs+0x0 THR (sync)": region, offset, register, binding. */
static void dispatch_trace_line_text(FILE *out, const char *who,
				     unsigned space, const char *op,
				     uint64_t addr, unsigned len,
				     uint64_t value,
				     const struct board_region *r,
				     uint64_t offset)
{
	const char *reg = trace_reg_name(r, offset, op);

	fprintf(out, "trace-io: %s %s %s 0x%" PRIx64 " len %u data 0x%" PRIx64
		" -> %s+0x%" PRIx64 "%s%s (%s)\n", who, space_name(space), op,
		addr, len, value, r->name, offset, reg ? " " : "",
		reg ? reg : "", binding_name(r->binding));
}

static void dispatch_trace(const struct dispatch_ctx *ctx, unsigned space,
			   const char *op, uint64_t addr, unsigned len,
			   uint64_t value, const struct board_region *r)
{
	FILE *out = ctx->trace_out ? ctx->trace_out : stderr;
	uint64_t offset = 0;
	char who[16];

	if (!dispatch_traced(ctx, r))
		return;
	if (ctx->vcpu == ~0u)
		snprintf(who, sizeof(who), "io");
	else
		snprintf(who, sizeof(who), "vcpu%u", ctx->vcpu);
	if (r != &board_regions[0])
		offset = addr - r->base - (space == SPACE_MMIO ?
			__atomic_load_n(&dispatch_mmio_delta[r->device],
					__ATOMIC_RELAXED) : 0);
	if (dispatch_trace_json)
		dispatch_trace_line_json(out, who, space, op, addr, len, value,
					 r, offset);
	else if (r == &board_regions[0])
		fprintf(out, "trace-io: %s %s %s 0x%" PRIx64 " len %u data "
			"0x%" PRIx64 " -> unmapped\n", who, space_name(space),
			op, addr, len, value);
	else
		dispatch_trace_line_text(out, who, space, op, addr, len, value,
					 r, offset);
}

/* Access */

typedef void (*dispatch_read_fn)(struct device *, uint64_t, void *,
				 unsigned);
typedef void (*dispatch_write_fn)(struct device *, uint64_t, const void *,
				  unsigned);

/*
 * Each region's handlers, so that an exit finds them with one index: the
 * device and its read and write function for the region's space. Filled
 * when the devices are created, cleared when they go; NULL where there is
 * no handler (region 0, devices KVM emulates, a direction a model leaves
 * out): the exit takes the unclaimed path.
 */
struct dispatch_handler {
	struct device *dev;
	dispatch_read_fn read;
	dispatch_write_fn write;
	uint64_t to_offset;		/* port + to_offset: offset in the block */
};

static struct dispatch_handler handlers[BOARD_NR_REGIONS];

static dispatch_read_fn region_reader(const struct board_region *r,
				      const struct device *dev)
{
	if (!dev->ops)
		return NULL;
	return r->space == SPACE_PIO ? dev->ops->pio_read : dev->ops->mmio_read;
}

static dispatch_write_fn region_writer(const struct board_region *r,
				       const struct device *dev)
{
	if (!dev->ops)
		return NULL;
	return r->space == SPACE_PIO ? dev->ops->pio_write :
				       dev->ops->mmio_write;
}

void dispatch_handlers_fill(void)
{
	for (unsigned i = 1; i < nr_regions; i++) {
		const struct board_region *r = &board_regions[i];
		struct device *dev = &machine_devices[r->device];

		handlers[i] = (struct dispatch_handler) {
			.dev = dev,
			.read = region_reader(r, dev),
			.write = region_writer(r, dev),
			.to_offset = r->offset - r->base,
		};
	}
}

void dispatch_handlers_clear(void)
{
	memset(handlers, 0, sizeof(handlers));
}

/* Reads all-ones, writes dropped; counted always, logged once per place. */
static unsigned dispatch_unmapped(struct dispatch_ctx *ctx, unsigned space,
				  uint64_t addr, void *data, unsigned len,
				  bool is_write, const struct board_region *r)
{
	if (!is_write)
		memset(data, 0xff, len < 8 ? len : 8);
	__atomic_fetch_add(is_write ? &unmapped_writes : &unmapped_reads, 1,
			   __ATOMIC_RELAXED);
	if (ctx && ctx->stats) {
		if (is_write)
			ctx->stats[0].writes++;
		else
			ctx->stats[0].reads++;
	}
	if (unmapped_should_log(space, addr))
		unmapped_log(space, addr, len, is_write, r);
	if (ctx && ctx->trace)
		dispatch_trace(ctx, space, is_write ? "write" : "read", addr,
			       len, device_data_get(data, len),
			       &board_regions[0]);
	return 0;
}

/*
 * The general path: --stats timing, --trace-io, a NULL ctx or stats, an
 * access size no handler takes. `offset` is in the device's block.
 */
static unsigned dispatch_access_full(struct dispatch_ctx *ctx,
				     unsigned space, unsigned i,
				     uint64_t offset, uint64_t addr,
				     void *data, unsigned len, bool is_write)
{
	const struct dispatch_handler *h = &handlers[i];
	const struct board_region *r = &board_regions[i];
	struct region_stats *st;
	uint64_t t0 = 0;

	if (!i || !access_len_ok(len))
		return dispatch_unmapped(ctx, space, addr, data, len, is_write,
					 &board_regions[0]);
	if (is_write ? !h->write : !h->read)
		return dispatch_unmapped(ctx, space, addr, data, len, is_write,
					 r);
	if (ctx && ctx->timing)
		t0 = dispatch_now_ns();
	if (is_write) {
		h->write(h->dev, offset, data, len);
	} else {
		memset(data, 0xff, len);	/* what a handler leaves */
		h->read(h->dev, offset, data, len);
	}
	if (!ctx)
		return i;
	st = ctx->stats ? &ctx->stats[i] : NULL;
	if (st && ctx->timing)
		st->handler_ns += dispatch_now_ns() - t0;
	if (st && is_write)
		st->writes++;
	else if (st)
		st->reads++;
	if (ctx->trace)
		dispatch_trace(ctx, space, is_write ? "write" : "read", addr,
			       len, device_data_get(data, len), r);
	return i;
}

/*
 * All-ones in an exit's data, one store: kvm_run's buffers hold at least
 * 8 bytes (mmio.data[8]; the I/O data area is a page), and KVM copies
 * back only the access's length.
 */
static inline void exit_data_ones(void *data)
{
	uint64_t ones = ~0ull;

	memcpy(data, &ones, sizeof(ones));
}

/* The region at a port or address, for messages. */
static const struct board_region *region_at(unsigned space, uint64_t addr)
{
	if (space == SPACE_PIO)
		return dispatch_port_region(addr);
	return dispatch_mmio_region(addr);
}

/*
 * The exit path's access without a handler: dispatch_unmapped() less
 * --trace-io (which takes the general path). Its own function, with the
 * exit path's arguments, so that both stay tail calls.
 */
/* Seen unmapped before (the common case): one load, no atomic update. */
static inline bool unmapped_seen(unsigned space, uint64_t addr)
{
	if (space == SPACE_PIO)
		return port_seen(addr);
	return __atomic_load_n(&last_unmapped_page, __ATOMIC_RELAXED) ==
	       (addr >> MACHINE_PAGE_SHIFT) + 1;
}

/* The first time at a port or page: maybe a line on stderr. */
static __attribute__((noinline, cold)) void
unmapped_first(unsigned space, uint64_t addr, unsigned len, bool is_write)
{
	if (unmapped_should_log(space, addr))
		unmapped_log(space, addr, len, is_write,
			     region_at(space, addr));
}

/*
 * The exit path's access without a handler (region 0, or a direction its
 * model leaves out): counted as unmapped (region 0's counters and the
 * global ones), the data already all-ones for a read. Inline, so that the
 * space is a constant and the seen test a load and a bit test; the first
 * time at a port or page is the cold call.
 */
static inline __attribute__((always_inline)) void
dispatch_exit_unclaimed(struct dispatch_ctx *ctx, unsigned space,
			uint64_t addr, unsigned len, bool is_write)
{
	struct region_stats *st = &ctx->stats[0];

	st->exits++;
	if (is_write) {
		st->writes++;
		__atomic_fetch_add(&unmapped_writes, 1, __ATOMIC_RELAXED);
	} else {
		st->reads++;
		__atomic_fetch_add(&unmapped_reads, 1, __ATOMIC_RELAXED);
	}
	if (__builtin_expect(!unmapped_seen(space, addr), 0))
		unmapped_first(space, addr, len, is_write);
}

/* --stats timing, --trace-io, odd sizes: the general path, looked up again. */
static __attribute__((noinline)) void
dispatch_exit_full(struct dispatch_ctx *ctx, unsigned space, uint64_t addr,
		   void *data, unsigned len, bool is_write)
{
	unsigned i = space == SPACE_PIO ?
		dispatch_pio(ctx, addr, data, len, is_write) :
		dispatch_mmio(ctx, addr, data, len, is_write);

	ctx->stats[i].exits++;
}

/*
 * The exit path: region i's handler and its counters, nothing else; the
 * handler (or the unclaimed path) is the tail call. One test sends
 * --stats timing, --trace-io and odd sizes to the general path.
 */
static inline __attribute__((always_inline)) void
dispatch_exit(struct dispatch_ctx *ctx, unsigned space, unsigned i,
	      uint64_t offset, uint64_t addr, void *data, unsigned len,
	      bool is_write)
{
	const struct dispatch_handler *h = &handlers[i];
	struct region_stats *st = &ctx->stats[i];

	/* KVM's port accesses are 1, 2 or 4 bytes: only MMIO needs a test. */
	if (__builtin_expect(ctx->slow ||
			     (space == SPACE_MMIO && !exit_len_ok(len)), 0)) {
		dispatch_exit_full(ctx, space, addr, data, len, is_write);
	} else if (is_write) {
		if (__builtin_expect(!h->write, 0)) {
			dispatch_exit_unclaimed(ctx, space, addr, len, true);
			return;
		}
		st->exits++;
		st->writes++;
		h->write(h->dev, offset, data, len);
	} else {
		exit_data_ones(data);	/* what a handler leaves, or unclaimed */
		if (__builtin_expect(!h->read, 0)) {
			dispatch_exit_unclaimed(ctx, space, addr, len, false);
			return;
		}
		st->exits++;
		st->reads++;
		h->read(h->dev, offset, data, len);
	}
}

void dispatch_pio_exit(struct dispatch_ctx *ctx, uint16_t port, void *data,
		       unsigned len, bool is_write)
{
	unsigned i = board_port_map[port];

	dispatch_exit(ctx, SPACE_PIO, i, port + handlers[i].to_offset, port,
		      data, len, is_write);
}

/*
 * The region at `addr` for the exit path: the context's last one when the
 * address is inside it and no BAR moved since (the same seqcount), else a
 * lookup, remembered (for an unmapped address, that address alone). False
 * when a BAR moved during the lookup.
 */
static inline bool mmio_exit_lookup(struct dispatch_ctx *ctx, uint64_t addr,
				    unsigned *i, uint64_t *to_offset)
{
	unsigned seq = map_seq_begin();
	uint64_t base;

	if (ctx->mmio_last.seq == seq &&
	    addr - ctx->mmio_last.base < ctx->mmio_last.size) {
		*i = ctx->mmio_last.region;
		*to_offset = ctx->mmio_last.to_offset;
		return true;
	}
	*i = mmio_lookup_once(addr, &base);
	if (__builtin_expect(!map_seq_held(seq), 0))
		return false;
	*to_offset = board_regions[*i].offset - base;
	/* Nothing there: remember the one address (a guest probing it). */
	ctx->mmio_last.base = *i ? base : addr;
	ctx->mmio_last.size = *i ? board_regions[*i].size : 1;
	ctx->mmio_last.to_offset = *to_offset;
	ctx->mmio_last.seq = seq;
	ctx->mmio_last.region = *i;
	return true;
}

void dispatch_mmio_exit(struct dispatch_ctx *ctx, uint64_t addr, void *data,
			unsigned len, bool is_write)
{
	uint64_t to_offset;
	unsigned i;

	/* A BAR moved meanwhile: the general path looks it up again. */
	if (__builtin_expect(!mmio_exit_lookup(ctx, addr, &i, &to_offset), 0)) {
		dispatch_exit_full(ctx, SPACE_MMIO, addr, data, len, is_write);
		return;
	}
	dispatch_exit(ctx, SPACE_MMIO, i, addr + to_offset, addr, data, len,
		      is_write);
}

/* One access, wherever it comes from: the general path. */
unsigned dispatch_pio(struct dispatch_ctx *ctx, uint16_t port, void *data,
		      unsigned len, bool is_write)
{
	unsigned i = board_port_map[port];
	const struct board_region *r = &board_regions[i];

	return dispatch_access_full(ctx, SPACE_PIO, i, r->offset + (port - r->base),
			       port, data, len, is_write);
}

unsigned dispatch_mmio(struct dispatch_ctx *ctx, uint64_t addr, void *data,
		       unsigned len, bool is_write)
{
	uint64_t base;
	unsigned i = mmio_lookup(addr, &base);

	return dispatch_access_full(ctx, SPACE_MMIO, i,
			       board_regions[i].offset + (addr - base), addr,
			       data, len, is_write);
}

/*
 * An ioeventfd fired. With a datamatch the value written is known, so the
 * doorbell is replayed as that write (the device cannot tell it from a
 * sync one); without, the device's notify() learns the region and slot.
 */
void dispatch_notify(struct dispatch_ctx *ctx, unsigned async_index)
{
	const struct board_async *a;
	const struct board_region *r;
	struct device *dev;
	dispatch_write_fn wr;
	uint8_t value[8];
	uint64_t t0 = 0;

	if (async_index >= nr_async)
		return;
	a = &board_async[async_index];
	r = &board_regions[a->region];
	dev = &machine_devices[r->device];
	wr = region_writer(r, dev);
	if (ctx && ctx->timing)
		t0 = dispatch_now_ns();
	if (a->has_datamatch && wr && access_len_ok(a->len)) {
		device_data_put(value, a->len, a->datamatch);
		wr(dev, r->offset + (a->addr - r->base), value, a->len);
	} else if (dev->ops && dev->ops->notify) {
		dev->ops->notify(dev, r->reg, a->slot);
	}
	if (!ctx)
		return;
	if (ctx->stats) {
		ctx->stats[a->region].notifies++;
		if (ctx->timing)
			ctx->stats[a->region].handler_ns +=
				dispatch_now_ns() - t0;
	}
	if (ctx->trace)
		dispatch_trace(ctx, a->space, "notify", a->addr, a->len,
			       a->has_datamatch ? a->datamatch : 0, r);
}

/*
 * A buffered write's region and offset: a port indexes the port map; an
 * address goes through the context's last MMIO region like an exit, so a
 * ring of writes to one FIFO is replayed with one lookup, not one each.
 */
static void coalesced_region(struct dispatch_ctx *ctx, bool pio,
			     uint64_t addr, unsigned *i, uint64_t *offset)
{
	uint64_t base;

	if (pio) {
		*i = addr < DISPATCH_NR_PORTS ? board_port_map[addr] : 0;
		*offset = addr + handlers[*i].to_offset;
	} else if (ctx && mmio_exit_lookup(ctx, addr, i, offset)) {
		*offset += addr;
	} else {
		*i = mmio_lookup(addr, &base);
		*offset = board_regions[*i].offset + (addr - base);
	}
}

void dispatch_coalesced(struct dispatch_ctx *ctx, bool pio, uint64_t addr,
			const void *data, unsigned len)
{
	unsigned space = pio ? SPACE_PIO : SPACE_MMIO;
	const struct board_region *r;
	dispatch_write_fn wr = NULL;
	uint8_t buf[8] = { 0 };
	uint64_t t0 = 0, offset;
	unsigned i;

	coalesced_region(ctx, pio, addr, &i, &offset);
	r = &board_regions[i];
	if (i && access_len_ok(len))
		wr = handlers[i].write;
	if (!wr) {
		memcpy(buf, data, len < 8 ? len : 8);
		dispatch_unmapped(ctx, space, addr, buf, len, true, r);
		return;
	}
	if (ctx && ctx->timing)
		t0 = dispatch_now_ns();
	wr(handlers[i].dev, offset, data, len);
	if (!ctx)
		return;
	if (ctx->stats) {
		ctx->stats[r - board_regions].coalesced++;
		if (ctx->timing)
			ctx->stats[r - board_regions].handler_ns +=
				dispatch_now_ns() - t0;
	}
	if (ctx->trace)
		dispatch_trace(ctx, space, "coalesced", addr, len,
			       device_data_get(data, len), r);
}

void dispatch_unmapped_counts(uint64_t *reads, uint64_t *writes)
{
	if (reads)
		*reads = __atomic_load_n(&unmapped_reads, __ATOMIC_RELAXED);
	if (writes)
		*writes = __atomic_load_n(&unmapped_writes, __ATOMIC_RELAXED);
}
