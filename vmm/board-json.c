// SPDX-License-Identifier: MIT
/*
 * GET /board: the running machine's map in the schema of `boardc map
 * --format json` (the same keys: board, description, source, cpus-*,
 * irqs, mem, ram, e820, the iomem and ioports trees, devices), built from
 * the generated tables with what only the running VM knows: the RAM as
 * --mem laid it out, every PCI BAR where the guest has put it
 * ("first"/"last" are live; "board-first" is where the board put it) or
 * "mapped": false, and each node's board-file position ("srcpos").
 * iomem nests as boardc's does: System RAM and Reserved (the e820 map)
 * holding the board's reserved ranges (and the ACPI tables), the board's
 * MMIO windows holding devices, devices their regions. The tables keep no
 * I/O-port windows (dispatch does not need them): ioports has devices
 * and regions only.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "board-json.h"
#include "board.h"
#include "boot-linux.h"
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
	if (space == SPACE_MMIO && board_devices[dev].pci_slot >= 0) {
		/* A PCI function: its whole BAR0, named with its address. */
		const struct board_device *d = &board_devices[dev];
		char name[160];

		snprintf(name, sizeof(name), "%s (pci 00:%02x.0)", d->name,
			 d->pci_slot);
		first = d->mmio_base + delta;
		last = first + device_type_bar_size(d->type) - 1;
		add_str(o, "name", name);
	} else {
		add_str(o, "name", board_devices[dev].name);
	}
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

/* Parents before children among equal ranges (boardc's kind_rank()). */
static int node_rank(struct json_object *o)
{
	static const char *const kinds[] = {
		"ram", "reserved", "acpi", "window", "reserved-range",
		"device", "region",
	};
	static const int ranks[] = { 0, 0, 0, 0, 1, 1, 2 };
	struct json_object *v;
	const char *kind;

	if (!json_object_object_get_ex(o, "kind", &v))
		return 3;
	kind = json_object_get_string(v);
	for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kind, kinds[i]))
			return ranks[i];
	return 3;
}

/* By first address, the larger of two at one address first. */
static int node_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	uint64_t fx = node_u64(x, "first"), fy = node_u64(y, "first");
	uint64_t lx = node_u64(x, "last"), ly = node_u64(y, "last");

	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return node_rank(x) - node_rank(y);
}

static void child_add(struct json_object *parent, struct json_object *o)
{
	struct json_object *children;

	if (!json_object_object_get_ex(parent, "children", &children)) {
		children = json_object_new_array();
		json_object_object_add(parent, "children", children);
	}
	json_object_array_add(children, o);
}

/*
 * The sorted flat list `a` as a tree: each node inside the closest
 * earlier node that contains it (boardc's nodes_nest()).
 */
static struct json_object *nodes_nest(struct json_object *a)
{
	size_t n = json_object_array_length(a);
	struct json_object *top = json_object_new_array();
	struct json_object **stack = calloc(n + 1, sizeof(*stack));
	size_t depth = 0;

	json_object_array_sort(a, node_cmp);
	if (!stack) {			/* flat, then */
		json_object_put(top);
		return a;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_get(
			json_object_array_get_idx(a, i));

		while (depth && node_u64(stack[depth - 1], "last") <
				node_u64(o, "last"))
			depth--;
		if (depth)
			child_add(stack[depth - 1], o);
		else
			json_object_array_add(top, o);
		stack[depth++] = o;
	}
	free(stack);
	json_object_put(a);
	return top;
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

/* The e820 map: the RAM as laid out for `mem`, the reserved ranges. */
static int e820_build(uint64_t mem, struct e820_entry *e820, unsigned max)
{
	struct ram_span ram[VM_MAX_MEM], res[BOARD_NR_RESERVED + 2];
	const struct board_region *ecam = linux_board_ecam();
	int nr_ram = vm_ram_fill(mem, ram, NULL);
	unsigned nr_res = board_info.nr_reserved;
	int n;

	for (unsigned i = 0; i < nr_res; i++)
		res[i] = (struct ram_span){ .base = board_reserved[i].base,
					    .size = board_reserved[i].size };
	if (ecam)		/* as linux_e820(): not counted by --mem */
		res[nr_res++] = (struct ram_span){ .base = ecam->base,
						   .size = ecam->size };
	n = ram_layout_e820(ram, nr_ram < 0 ? 0 : (unsigned)nr_ram, res,
			    nr_res, e820, max);

	if (!board_firmware.acpi)
		return n;
	return ram_layout_e820_acpi(e820, n, max, board_firmware.acpi_base,
				    board_firmware.acpi_size);
}

/* Room for the split the ACPI pages make in a reserved entry. */
#define E820_MAX	(VM_MAX_MEM + BOARD_NR_RESERVED + 4)

/* As the kernel's e820_print_type() and /proc/iomem name them. */
static const char *e820_type_str(uint32_t type, bool iomem)
{
	switch (type) {
	case E820_RAM:
		return iomem ? "System RAM" : "usable";
	case E820_ACPI:
		return iomem ? "ACPI Tables" : "ACPI data";
	}
	return iomem ? "Reserved" : "reserved";
}

static const char *e820_kind(uint32_t type)
{
	return type == E820_RAM ? "ram" : type == E820_ACPI ? "acpi" :
	       "reserved";
}

static struct json_object *e820_json(uint64_t mem)
{
	struct json_object *a = json_object_new_array();
	struct e820_entry e820[E820_MAX];
	int n = e820_build(mem, e820, E820_MAX);

	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		add_u64(o, "first", e820[i].addr);
		add_u64(o, "last", e820[i].addr + e820[i].size - 1);
		add_u64(o, "size", e820[i].size);
		add_str(o, "type", e820_type_str(e820[i].type, false));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *range_node(const char *name, const char *kind,
				      uint64_t first, uint64_t size)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "name", name);
	add_str(o, "kind", kind);
	add_u64(o, "first", first);
	add_u64(o, "last", first + size - 1);
	return o;
}

/* Linux names the host bridge's windows "PCI Bus 0000:00" (boardc too). */
static const char *window_label(const char *name)
{
	if (!strcmp(name, "pci") || !strncmp(name, "pci-", 4))
		return "PCI Bus 0000:00";
	return name;
}

/* A reserved range in each e820 entry it reaches (boardc's map too). */
static void add_reserved_range(struct json_object *a,
			       const struct e820_entry *e820, int n,
			       const struct board_reserved *r)
{
	for (int i = 0; i < n; i++) {
		struct json_object *o;
		uint64_t first, last;

		if (e820[i].type == E820_RAM ||
		    !e820_entry_clip(&e820[i], r->base, r->size, &first,
				     &last))
			continue;
		o = range_node(r->name, "reserved-range", first,
			       last - first + 1);
		json_object_object_add(o, "backed",
				       json_object_new_boolean(r->backed));
		add_str(o, "srcpos", r->srcpos);
		json_object_array_add(a, o);
	}
}

/* What holds the devices in iomem: e820 entries, reserved, windows. */
static void add_memory(struct json_object *a, uint64_t mem)
{
	struct e820_entry e820[E820_MAX];
	int n = e820_build(mem, e820, E820_MAX);

	for (int i = 0; i < n; i++)
		json_object_array_add(a, range_node(
				e820_type_str(e820[i].type, true),
				e820_kind(e820[i].type), e820[i].addr,
				e820[i].size));
	for (unsigned i = 0; i < board_info.nr_reserved; i++)
		if (board_reserved[i].size)
			add_reserved_range(a, e820, n, &board_reserved[i]);
	/* The board's windows; the ones boardc drew around fixed MMIO not. */
	for (unsigned i = 0; i < board_info.nr_mmio_windows; i++) {
		const struct board_mmio_window *w = &board_mmio_windows[i];
		struct json_object *o;

		if (!w->relocatable)
			continue;
		o = range_node(window_label(w->name), "window", w->base,
			       w->size);
		add_str(o, "window", w->name);
		add_str(o, "srcpos", w->srcpos);
		json_object_array_add(a, o);
	}
}

static struct json_object *space_json(unsigned space, uint64_t mem)
{
	struct json_object *a = json_object_new_array();

	if (space == SPACE_MMIO)
		add_memory(a, mem);
	for (unsigned d = 0; d < board_info.nr_devices; d++)
		add_device(a, d, space);
	return nodes_nest(a);
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
		if (d->pci_slot >= 0) {
			add_u64(o, "pci-slot", d->pci_slot);
			add_u64(o, "bar-size", device_type_bar_size(d->type));
		}
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
	add_u64(o, "irqs", BOARD_NR_IRQS);
	add_u64(o, "mem", mem);
	json_object_object_add(o, "ram", ram_json(mem));
	json_object_object_add(o, "e820", e820_json(mem));
	json_object_object_add(o, "iomem", space_json(SPACE_MMIO, mem));
	json_object_object_add(o, "ioports", space_json(SPACE_PIO, mem));
	json_object_object_add(o, "devices", devices_json());
	return o;
}
