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
 * Devices with counters of their own (ops->counters: virtio-net's
 * per-queue packets, bytes, drops, interrupts) add one line each:
 *
 *   stats: device NAME rx-packets=N rx-bytes=N ...
 *
 * stats_to_json() gives the same counters as one JSON object
 * (--stats-format json, --metrics, the API's GET /board/stats).
 */
#include <inttypes.h>

#include <json.h>

#include "instances.h"
#include "ratelimit.h"
#include "vmm.h"

#define STATS_DEVICE_COUNTERS	16

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

/* The binding to suggest for a region, or NULL. */
static const char *stats_suggestion(const struct board_region *r,
				    const struct region_stats *s,
				    uint64_t exits)
{
	const struct board_device *dev = &board_devices[r->device];
	unsigned allowed = dev->type->regs[r->reg].allowed_bindings;

	if (r->binding != BINDING_SYNC || s->reads ||
	    exits < STATS_SUGGEST_MIN)
		return NULL;
	if (allowed & BINDING_BIT(BINDING_ASYNC) &&
	    allowed & BINDING_BIT(BINDING_COALESCED))
		return "async or coalesced";
	if (allowed & BINDING_BIT(BINDING_ASYNC))
		return "async";
	if (allowed & BINDING_BIT(BINDING_COALESCED))
		return "coalesced";
	return NULL;
}

static void stats_suggest(FILE *out, const struct board_region *r,
			  const struct region_stats *s, uint64_t exits)
{
	const char *what = stats_suggestion(r, s, exits);

	if (!what)
		return;
	fprintf(out, "stats: suggestion: %s (%s) took %" PRIu64 " write-only "
		"exits: bind it %s in the board to save %" PRIu64 " exits\n",
		r->name, r->srcpos, exits, what, exits);
}

/*
 * One region's counters summed over the vCPUs and the I/O thread. The
 * counters are written without locks by their threads; a live reader
 * (the API, --metrics) sees each one a little late, never torn (aligned
 * 64-bit loads).
 */
static uint64_t stats_region(struct vm *vm, unsigned i,
			     struct region_stats *sum)
{
	uint64_t exits = 0;

	*sum = (struct region_stats) { 0 };
	for (unsigned v = 0; v < vm->nr_vcpus; v++) {
		stats_add(sum, &vm->vcpus[v].stats[i]);
		exits += __atomic_load_n(&vm->vcpus[v].stats[i].exits,
					 __ATOMIC_RELAXED);
	}
	if (io_thread_ctx()->stats)
		stats_add(sum, &io_thread_ctx()->stats[i]);
	return exits;
}

static bool stats_idle(const struct region_stats *s, uint64_t exits)
{
	return !exits && !s->reads && !s->writes && !s->notifies &&
	       !s->coalesced;
}

static void json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static struct json_object *stats_vcpus_json(struct vm *vm)
{
	struct json_object *a = json_object_new_array();

	for (unsigned v = 0; v < vm->nr_vcpus; v++) {
		const struct vcpu *vcpu = &vm->vcpus[v];
		struct json_object *o = json_object_new_object();

		json_add_u64(o, "vcpu", v);
		json_add_u64(o, "exits", vcpu->exits);
		json_add_u64(o, "io", vcpu->io_exits);
		json_add_u64(o, "mmio", vcpu->mmio_exits);
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *stats_region_json(const struct board_region *r,
					     const struct region_stats *s,
					     uint64_t exits)
{
	struct json_object *o = json_object_new_object();
	const char *what = stats_suggestion(r, s, exits);

	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "binding",
			       json_object_new_string(binding_name(r->binding)));
	json_object_object_add(o, "srcpos", json_object_new_string(r->srcpos));
	json_add_u64(o, "exits", exits);
	json_add_u64(o, "reads", s->reads);
	json_add_u64(o, "writes", s->writes);
	json_add_u64(o, "notifies", s->notifies);
	json_add_u64(o, "coalesced", s->coalesced);
	json_add_u64(o, "handler-us", s->handler_ns / 1000);
	if (what)
		json_object_object_add(o, "suggestion",
				       json_object_new_string(what));
	return o;
}

/* A device's own counters (ops->counters); 0 when it has none. */
static unsigned stats_device(unsigned i, struct device_counter *c)
{
	struct device *dev = &machine_devices[i];

	if (!dev->ops || !dev->ops->counters || !dev->state)
		return 0;
	return dev->ops->counters(dev, c, STATS_DEVICE_COUNTERS);
}

static struct json_object *stats_devices_json(void)
{
	struct json_object *devices = json_object_new_array();
	struct device_counter c[STATS_DEVICE_COUNTERS];

	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		unsigned n = stats_device(i, c);
		struct json_object *o, *counters;

		if (!n)
			continue;
		o = json_object_new_object();
		counters = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(
			board_devices[i].name));
		for (unsigned k = 0; k < n; k++)
			json_add_u64(counters, c[k].name, c[k].value);
		json_object_object_add(o, "counters", counters);
		json_object_array_add(devices, o);
	}
	return devices;
}

static void stats_print_devices(FILE *out)
{
	struct device_counter c[STATS_DEVICE_COUNTERS];

	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		unsigned n = stats_device(i, c);

		if (!n)
			continue;
		fprintf(out, "stats: device %s", board_devices[i].name);
		for (unsigned k = 0; k < n; k++)
			fprintf(out, " %s=%" PRIu64, c[k].name, c[k].value);
		fputc('\n', out);
	}
}

/*
 * The --stats counters as one object: {"vcpus": [...], "regions": [...],
 * "devices": [{"name", "counters": {...}}], "unmapped": {"reads",
 * "writes"}}; regions with no traffic are left out
 * unless `all` (GET /board/stats lists every region).
 */
struct json_object *stats_to_json(struct vm *vm, bool all)
{
	struct json_object *root = json_object_new_object();
	struct json_object *regions = json_object_new_array();
	struct json_object *unmapped = json_object_new_object();
	struct region_stats sum;
	uint64_t ur, uw;

	json_object_object_add(root, "vcpus", stats_vcpus_json(vm));
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		uint64_t exits = stats_region(vm, i, &sum);

		if (all || !stats_idle(&sum, exits))
			json_object_array_add(regions, stats_region_json(
				&board_regions[i], &sum, exits));
	}
	json_object_object_add(root, "regions", regions);
	json_object_object_add(root, "devices", stats_devices_json());
	dispatch_unmapped_counts(&ur, &uw);
	json_add_u64(unmapped, "reads", ur);
	json_add_u64(unmapped, "writes", uw);
	json_object_object_add(root, "unmapped", unmapped);
	return root;
}

/* --stats-format json: the same counters as one line on `out`. */
void stats_print_json(struct vm *vm, FILE *out)
{
	struct json_object *root = stats_to_json(vm, false);

	fprintf(out, "%s\n", json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
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

		uint64_t exits = stats_region(vm, i, &sum);

		if (stats_idle(&sum, exits))
			continue;
		fprintf(out, "stats: region %s %s exits=%" PRIu64 " reads=%"
			PRIu64 " writes=%" PRIu64 " notifies=%" PRIu64
			" coalesced=%" PRIu64 " handler-us=%" PRIu64 "\n",
			r->name, binding_name(r->binding),
			exits, sum.reads, sum.writes,
			sum.notifies, sum.coalesced, sum.handler_ns / 1000);
		stats_suggest(out, r, &sum, exits);
	}
	stats_print_devices(out);
	dispatch_unmapped_counts(&ur, &uw);
	fprintf(out, "stats: unmapped reads=%" PRIu64 " writes=%" PRIu64 "\n",
		ur, uw);
	ratelimit_stats(out);
}
