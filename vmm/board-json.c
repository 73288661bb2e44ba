// SPDX-License-Identifier: MIT
/*
 * GET /board: the running machine's map in the schema of `boardc map
 * --format json` (the same keys: board, description, source, cpus-*,
 * mem, ram, ioports and iomem trees of device -> region, devices), built
 * from the generated tables with what only the running VM knows: the RAM
 * as --mem laid it out, every PCI BAR where the guest has put it
 * ("first"/"last" are live; "board-first" is where the board put it) or
 * "mapped": false, and each region's board-file position ("srcpos").
 * boardc's map also lists reserved ranges, MMIO windows and e820; this
 * one lists what the VMM dispatches.
 */
#include <json.h>

#include "board-json.h"
#include "pci-remap.h"
#include "ram-layout.h"
#include "vmm.h"

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static uint64_t node_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       json_object_get_uint64(v) : 0;
}

static struct json_object *ram_json(uint64_t mem)
{
	struct json_object *a = json_object_new_array();
	struct ram_span spans[VM_MAX_MEM];
	int n = vm_ram_fill(mem, spans, NULL);

	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "region", board_ram[spans[i].index].name);
		add_u64(o, "first", spans[i].base);
		add_u64(o, "last", spans[i].base + spans[i].size - 1);
		add_u64(o, "size", spans[i].size);
		json_object_array_add(a, o);
	}
	return a;
}

/* Where a device's MMIO block is now (its BAR), or false: unmapped. */
static bool device_mmio_delta(unsigned dev, int64_t *delta)
{
	const struct board_device *d = &board_devices[dev];
	uint64_t base;

	*delta = 0;
	if (d->pci_slot < 0)
		return true;
	if (!pci_remap_where(dev, &base))
		return false;
	*delta = (int64_t)(base - d->mmio_base);
	return true;
}

static struct json_object *region_json(const struct board_region *r,
				       int64_t delta)
{
	struct json_object *o = json_object_new_object();
	const struct board_device *d = &board_devices[r->device];

	add_str(o, "name", r->name);
	add_str(o, "kind", "region");
	add_u64(o, "first", r->base + delta);
	add_u64(o, "last", r->base + delta + r->size - 1);
	if (delta)
		add_u64(o, "board-first", r->base);
	add_str(o, "device", d->name);
	add_str(o, "register", d->type->regs[r->reg].name);
	add_str(o, "binding", binding_name(r->binding));
	add_str(o, "srcpos", r->srcpos);
	return o;
}

/* One device's regions in `space`, as a device node; NULL when none. */
static struct json_object *device_node(unsigned dev, unsigned space)
{
	struct json_object *o, *children = json_object_new_array();
	uint64_t first = UINT64_MAX, last = 0;
	int64_t delta = 0;
	bool mapped = space == SPACE_PIO || device_mmio_delta(dev, &delta);

	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->device != dev || r->space != space)
			continue;
		json_object_array_add(children, region_json(r, delta));
		if (r->base + delta < first)
			first = r->base + delta;
		if (r->base + delta + r->size - 1 > last)
			last = r->base + delta + r->size - 1;
	}
	if (!json_object_array_length(children)) {
		json_object_put(children);
		return NULL;
	}
	o = json_object_new_object();
	add_str(o, "name", board_devices[dev].name);
	add_str(o, "kind", "device");
	add_u64(o, "first", first);
	add_u64(o, "last", last);
	add_str(o, "device", board_devices[dev].name);
	add_str(o, "srcpos", board_devices[dev].srcpos);
	if (!mapped)
		json_object_object_add(o, "mapped",
				       json_object_new_boolean(false));
	json_object_object_add(o, "children", children);
	return o;
}

static int node_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	uint64_t vx = node_u64(x, "first"), vy = node_u64(y, "first");

	return vx < vy ? -1 : vx > vy;
}

/* Does a region of another device lie inside [first, last]? */
static bool span_shared(unsigned dev, unsigned space, uint64_t first,
			uint64_t last)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];
		int64_t delta = 0;

		if (r->device == dev || r->space != space ||
		    (space == SPACE_MMIO &&
		     !device_mmio_delta(r->device, &delta)))
			continue;
		if (r->base + delta <= last &&
		    r->base + delta + r->size - 1 >= first)
			return true;
	}
	return false;
}

/*
 * A device whose span holds another device's registers (the PC's pic,
 * pit and kbd interleave) is no node: its regions stand alone, as in
 * boardc's map.
 */
static void add_device(struct json_object *a, unsigned dev, unsigned space)
{
	struct json_object *o = device_node(dev, space), *children;

	if (!o)
		return;
	if (!span_shared(dev, space, node_u64(o, "first"),
			 node_u64(o, "last"))) {
		json_object_array_add(a, o);
		return;
	}
	json_object_object_get_ex(o, "children", &children);
	for (size_t i = 0; i < json_object_array_length(children); i++)
		json_object_array_add(a, json_object_get(
			json_object_array_get_idx(children, i)));
	json_object_put(o);
}

static struct json_object *space_json(unsigned space, uint64_t mem)
{
	struct json_object *a = json_object_new_array();

	if (space == SPACE_MMIO) {
		struct json_object *ram = ram_json(mem);

		for (size_t i = 0; i < json_object_array_length(ram); i++) {
			struct json_object *c = json_object_array_get_idx(ram, i);
			struct json_object *o = json_object_new_object();

			add_str(o, "name", "System RAM");
			add_str(o, "kind", "ram");
			add_u64(o, "first", node_u64(c, "first"));
			add_u64(o, "last", node_u64(c, "last"));
			json_object_array_add(a, o);
		}
		json_object_put(ram);
	}
	for (unsigned d = 0; d < board_info.nr_devices; d++)
		add_device(a, d, space);
	json_object_array_sort(a, node_cmp);
	return a;
}

static struct json_object *devices_json(void)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct board_device *d = &board_devices[i];
		struct json_object *o = json_object_new_object();

		add_str(o, "name", d->name);
		add_str(o, "type", d->type->name);
		if (d->has_pio)
			add_u64(o, "io-ports", d->pio_base);
		if (d->has_mmio)
			add_u64(o, "mmio", d->mmio_base);
		if (d->irq >= 0)
			add_u64(o, "irq", d->irq);
		if (d->pci_slot >= 0)
			add_u64(o, "pci-slot", d->pci_slot);
		add_str(o, "srcpos", d->srcpos);
		json_object_array_add(a, o);
	}
	return a;
}

/* `vm` NULL: before InstanceStart (RAM as configured, BARs at home). */
struct json_object *board_to_json(struct vm *vm)
{
	struct json_object *o = json_object_new_object();
	uint64_t mem = vm ? vm->opts->mem : board_info.ram_default;

	add_str(o, "board", board_info.name);
	add_str(o, "description", board_info.description ?
		board_info.description : "");
	add_str(o, "source", board_info.source);
	add_u64(o, "cpus-default", board_info.cpus_default);
	add_u64(o, "cpus-max", board_info.cpus_max);
	add_u64(o, "mem", mem);
	json_object_object_add(o, "ram", ram_json(mem));
	json_object_object_add(o, "iomem", space_json(SPACE_MMIO, mem));
	json_object_object_add(o, "ioports", space_json(SPACE_PIO, mem));
	json_object_object_add(o, "devices", devices_json());
	return o;
}
