// SPDX-License-Identifier: MIT
/*
 * The I/O trace's filter: a byte per region, 1 when traced. NAMES are
 * device names (all of the device's regions) or region names
 * ("com1.regs"), comma-separated. A new filter replaces the old one with
 * one pointer store; the old one may still be read by a vCPU tracing an
 * access, so filters are freed only at exit (trace_free()).
 */
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "vmm.h"

struct trace_filter {
	struct trace_filter *older;
	uint8_t regions[];
};

static struct trace_filter *filters;

static bool name_is(const char *name, const char *tok, size_t len)
{
	return strlen(name) == len && !strncmp(name, tok, len);
}

/* Mark the regions named by one token; false when nothing has that name. */
static bool filter_mark(uint8_t *regions, const char *tok, size_t len)
{
	bool found = false;

	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (name_is(r->name, tok, len) ||
		    name_is(board_devices[r->device].name, tok, len)) {
			regions[i] = 1;
			found = true;
		}
	}
	return found;
}

/* Name the token and the board's devices (regions: DEVICE.REGISTER). */
static void filter_refuse(const char *tok, size_t len, char *err, size_t size)
{
	size_t at = snprintf(err, size, "trace filter '%.*s': board %s has no "
			     "device or region of that name; devices:",
			     (int)len, tok, board_info.name);

	for (unsigned i = 0; i < board_info.nr_devices && at < size; i++)
		at += snprintf(err + at, size - at, " %s",
			       board_devices[i].name);
	if (at < size)
		snprintf(err + at, size - at, " (regions are DEVICE.REGISTER, "
			 "as boardc map lists them)");
}

int trace_set_filter(const char *names, char *err, size_t size)
{
	struct trace_filter *f;
	const char *p = names;

	if (!names || !*names) {
		__atomic_store_n(&dispatch_trace_regions, NULL,
				 __ATOMIC_RELEASE);
		return 0;
	}
	f = calloc(1, sizeof(*f) + board_info.nr_regions);
	if (!f) {
		snprintf(err, size, "out of memory for the trace filter");
		return -1;
	}
	while (*p) {
		size_t len = strcspn(p, ",");

		if (!len || !filter_mark(f->regions, p, len)) {
			filter_refuse(p, len, err, size);
			free(f);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	f->older = filters;
	filters = f;
	__atomic_store_n(&dispatch_trace_regions, f->regions,
			 __ATOMIC_RELEASE);
	return 0;
}

int trace_configure(struct vm *vm, bool on, const char *names, bool json,
		    char *err, size_t size)
{
	if (on && trace_set_filter(names, err, size) < 0)
		return -1;
	dispatch_trace_json = json;
	for (unsigned i = 0; vm && i < vm->nr_vcpus; i++)
		__atomic_store_n(&vm->vcpus[i].ctx.trace, on, __ATOMIC_RELAXED);
	if (vm)
		__atomic_store_n(&io_thread_ctx()->trace, on, __ATOMIC_RELAXED);
	return 0;
}

bool trace_json(void)
{
	return dispatch_trace_json;
}

void trace_free(void)
{
	__atomic_store_n(&dispatch_trace_regions, NULL, __ATOMIC_RELEASE);
	while (filters) {
		struct trace_filter *f = filters;

		filters = f->older;
		free(f);
	}
}
