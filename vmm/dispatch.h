/* SPDX-License-Identifier: MIT */
/*
 * Exit dispatch: the only reader of the generated maps. KVM-free, so the
 * device tests drive devices through exactly this code.
 *
 * Lookups are constant time: a port indexes board_port_map; an address
 * selects one of a handful of MMIO windows and indexes its page map (and,
 * for a shared page, the sub-page map). Index 0 is the unmapped sentinel.
 * The exit path takes no lock and allocates nothing.
 */
#ifndef BOARDVM_DISPATCH_H
#define BOARDVM_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "board-tables.h"
#include "device.h"
#include "instances.h"

/* Per vCPU (or per I/O thread) counters, one slot per region. */
struct region_stats {
	uint64_t exits;			/* vCPU exits that ended here */
	uint64_t reads;
	uint64_t writes;
	uint64_t notifies;		/* async doorbells served */
	uint64_t coalesced;		/* buffered writes replayed */
	uint64_t handler_ns;		/* time in the device handler */
};

struct dispatch_ctx {
	unsigned vcpu;			/* for --trace-io; ~0u for the I/O thread */
	union {
		struct {
			bool trace;	/* --trace-io */
			bool timing;	/* --stats: measure handler time */
		};
		uint16_t slow;		/* either: the exit path's one test */
	};
	struct region_stats *stats;	/* board_info.nr_regions entries */
	FILE *trace_out;
	/*
	 * The last MMIO region this context's exit path found, valid while
	 * dispatch_map_seq is still `seq` (no BAR moved): [base, base+size)
	 * is `region` (0: one unmapped address, size 1), addr + to_offset
	 * the offset in its device's block. Zero (size 0) matches nothing.
	 */
	struct {
		uint64_t base;
		uint64_t size;
		uint64_t to_offset;
		unsigned seq;
		unsigned region;
	} mmio_last;
};

/*
 * --trace-io's filter and format (vmm/trace.c sets them before the vCPUs
 * run, the API while they do): per region 1 when traced, NULL for every
 * region; JSON lines instead of text.
 */
extern const uint8_t *dispatch_trace_regions;
extern bool dispatch_trace_json;

/*
 * PCI BAR moves (vmm/pci-remap.c is the only writer): a seqcount, odd
 * while the maps change, and per device the distance of its MMIO block
 * from where the board put it. See dispatch.c for the ordering.
 */
extern unsigned dispatch_map_seq;
extern uint64_t dispatch_mmio_delta[];

static inline const struct board_region *dispatch_port_region(uint16_t port)
{
	return &board_regions[board_port_map[port]];
}

const struct board_region *dispatch_mmio_region(uint64_t addr);

/*
 * One access of `len` bytes (1, 2, 4, 8). Reads of unmapped space return
 * all-ones, writes are dropped; both are counted and logged once. Returns
 * the index of the region the access went to (0 when unmapped or the
 * region has no handler). ctx and ctx->stats must not be NULL.
 */
unsigned dispatch_pio(struct dispatch_ctx *ctx, uint16_t port, void *data,
		      unsigned len, bool is_write);
unsigned dispatch_mmio(struct dispatch_ctx *ctx, uint64_t addr, void *data,
		       unsigned len, bool is_write);

/*
 * The run loop's forms: one exit's single access, counted as an exit of
 * its region (region 0 when unmapped or without a handler) besides the
 * access itself. The handler is their tail call. `data` is kvm_run's
 * (8 bytes at least, whatever `len`); a port access is 1, 2 or 4 bytes,
 * an MMIO one 1 to 8 (sizes other than 1, 2, 4 and 8 take the general
 * path, which drops them), as KVM makes them: nothing wider is tested.
 */
void dispatch_pio_exit(struct dispatch_ctx *ctx, uint16_t port, void *data,
		       unsigned len, bool is_write);
void dispatch_mmio_exit(struct dispatch_ctx *ctx, uint64_t addr, void *data,
			unsigned len, bool is_write);

/*
 * The per-region handler table the exit path reads: filled from
 * machine_devices[] once they are created, cleared when they are
 * destroyed (vmm/instances.c calls both).
 */
void dispatch_handlers_fill(void);
void dispatch_handlers_clear(void);

/* An async doorbell fired: board_async[index]. */
void dispatch_notify(struct dispatch_ctx *ctx, unsigned async_index);

/* Replay one buffered (coalesced) write, in ring order. */
void dispatch_coalesced(struct dispatch_ctx *ctx, bool pio, uint64_t addr,
			const void *data, unsigned len);

/* Unmapped accesses seen so far (reads, writes), for --stats and tests. */
void dispatch_unmapped_counts(uint64_t *reads, uint64_t *writes);

#endif
