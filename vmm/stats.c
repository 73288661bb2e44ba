// SPDX-License-Identifier: MIT
/*
 * --stats: what each region cost, printed at exit, so a board author can
 * decide between sync, async and coalesced. One line per region that saw
 * any traffic:
 *
 *   stats: region NAME BINDING exits=N reads=N writes=N notifies=N
 *          coalesced=N handler-us=N
 *
 * exits are the vCPU exits the region caused (a string I/O exit counts
 * once, its items as reads or writes);
 * notifies are async doorbells the I/O thread delivered (no vCPU exit);
 * coalesced are buffered writes replayed from KVM's ring (no exit of
 * their own). A sync region that took many exits, all of them writes,
 * gets a suggestion line when its type allows async or coalesced.
 */
#include <inttypes.h>

#include "ratelimit.h"
#include "vmm.h"

/* Write-only exits of one sync region worth a suggestion. */
#define STATS_SUGGEST_MIN	100

static void stats_add(struct region_stats *sum, const struct region_stats *s)
{
	sum->reads += s->reads;
	sum->writes += s->writes;
	sum->notifies += s->notifies;
	sum->coalesced += s->coalesced;
	sum->handler_ns += s->handler_ns;
}

static void stats_suggest(FILE *out, const struct board_region *r,
			  const struct region_stats *s, uint64_t exits)
{
	const struct board_device *dev = &board_devices[r->device];
	unsigned allowed = dev->type->regs[r->reg].allowed_bindings;
	const char *what;

	if (r->binding != BINDING_SYNC || s->reads ||
	    exits < STATS_SUGGEST_MIN)
		return;
	if (allowed & BINDING_BIT(BINDING_ASYNC) &&
	    allowed & BINDING_BIT(BINDING_COALESCED))
		what = "async or coalesced";
	else if (allowed & BINDING_BIT(BINDING_ASYNC))
		what = "async";
	else if (allowed & BINDING_BIT(BINDING_COALESCED))
		what = "coalesced";
	else
		return;
	fprintf(out, "stats: suggestion: %s (%s) took %" PRIu64 " write-only "
		"exits: bind it %s in the board to save %" PRIu64 " exits\n",
		r->name, r->srcpos, exits, what, exits);
}

void stats_print(struct vm *vm, FILE *out)
{
	struct region_stats sum;
	uint64_t ur, uw;

	for (unsigned v = 0; v < vm->nr_vcpus; v++) {
		const struct vcpu *vcpu = &vm->vcpus[v];

		fprintf(out, "stats: vcpu %u exits=%" PRIu64 " io=%" PRIu64
			" mmio=%" PRIu64 "\n", v, vcpu->exits, vcpu->io_exits,
			vcpu->mmio_exits);
	}
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		uint64_t exits = 0;

		sum = (struct region_stats) { 0 };
		for (unsigned v = 0; v < vm->nr_vcpus; v++) {
			stats_add(&sum, &vm->vcpus[v].stats[i]);
			exits += vm->vcpus[v].region_exits[i];
		}
		if (io_thread_ctx()->stats)
			stats_add(&sum, &io_thread_ctx()->stats[i]);
		if (!exits && !sum.reads && !sum.writes && !sum.notifies &&
		    !sum.coalesced)
			continue;
		fprintf(out, "stats: region %s %s exits=%" PRIu64 " reads=%"
			PRIu64 " writes=%" PRIu64 " notifies=%" PRIu64
			" coalesced=%" PRIu64 " handler-us=%" PRIu64 "\n",
			r->name, binding_name(r->binding),
			exits, sum.reads, sum.writes,
			sum.notifies, sum.coalesced, sum.handler_ns / 1000);
		stats_suggest(out, r, &sum, exits);
	}
	dispatch_unmapped_counts(&ur, &uw);
	fprintf(out, "stats: unmapped reads=%" PRIu64 " writes=%" PRIu64 "\n",
		ur, uw);
	ratelimit_stats(out);
}
