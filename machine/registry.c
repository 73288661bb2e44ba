// SPDX-License-Identifier: MIT
/*
 * The device registry: the entries of device-types.def (the one list of
 * device types, docs/add-a-device.md) as struct device_type, and lookups.
 * boardc refuses boards naming anything else.
 */
#include <string.h>

#include "common.h"
#include "registry.h"

#define SYNC_ONLY	BINDING_BIT(BINDING_SYNC)
#define KERNEL_ONLY	BINDING_BIT(BINDING_KERNEL)

/*
 * virtio 1.x over PCI (docs/pci.md): one BAR0 of 16 KiB holding the
 * common, ISR, device and notify structures and the MSI-X table and PBA.
 * Queue q notifies at notify + 2 * q (notify_off_multiplier 2), which is
 * doorbell slot q.
 */
#define VIRTIO_PCI_REGS(devcfg_desc)					\
	{ .name = "common", .space = SPACE_BLOCK, .offset = 0x0000,	\
	  .size = 0x40, .default_binding = BINDING_SYNC,		\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = "virtio_pci_common_cfg" },			\
	{ .name = "isr", .space = SPACE_BLOCK, .offset = 0x1000,	\
	  .size = 4, .default_binding = BINDING_SYNC,			\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = "ISR status (read clears)" },			\
	{ .name = "device", .space = SPACE_BLOCK, .offset = 0x2000,	\
	  .size = 0x100, .default_binding = BINDING_SYNC,		\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = devcfg_desc },					\
	{ .name = "notify", .space = SPACE_BLOCK, .offset = 0x3000,	\
	  .size = 0x40, .width = 2, .default_binding = BINDING_ASYNC,	\
	  .allowed_bindings = SYNC_ONLY | BINDING_BIT(BINDING_ASYNC),	\
	  .description = "queue q notifies at +2*q" },			\
	{ .name = "msix-table", .space = SPACE_BLOCK, .offset = 0x3800, \
	  .size = 0x100, .default_binding = BINDING_SYNC,		\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = "MSI-X table, 16 vectors" },			\
	{ .name = "msix-pba", .space = SPACE_BLOCK, .offset = 0x3900,	\
	  .size = 8, .default_binding = BINDING_SYNC,			\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = "MSI-X pending bits" }

/*
 * virtio 1.x over MMIO, version 2 (devices/virtio-mmio.h): one 0x200
 * block, QueueNotify (value = queue) its async doorbell, the device
 * configuration at +0x100, an interrupt line of its own.
 */
#define VIRTIO_MMIO_REGS(devcfg_desc)					\
	{ .name = "control", .space = SPACE_MMIO, .offset = 0x000,	\
	  .size = 0x50, .default_binding = BINDING_SYNC,		\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = "magic, version, ids, features, queue select" }, \
	{ .name = "notify", .space = SPACE_MMIO, .offset = 0x050,	\
	  .size = 4, .width = 4, .default_binding = BINDING_ASYNC,	\
	  .allowed_bindings = SYNC_ONLY | BINDING_BIT(BINDING_ASYNC),	\
	  .description = "QueueNotify: write the queue index" },	\
	{ .name = "status", .space = SPACE_MMIO, .offset = 0x054,	\
	  .size = 0xac, .default_binding = BINDING_SYNC,		\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = "interrupt, status, queue addresses, generation" }, \
	{ .name = "device", .space = SPACE_MMIO, .offset = 0x100,	\
	  .size = 0x100, .default_binding = BINDING_SYNC,		\
	  .allowed_bindings = SYNC_ONLY,				\
	  .description = devcfg_desc }

#define VIRTIO_MMIO	.irq = IRQ_REQUIRED, .virtio_mmio = true

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE(id)	(0x1040 + (id))
#define VIRTIO_PCI(id, class_)						\
	.pci = true, .pci_vendor = VIRTIO_PCI_VENDOR,			\
	.pci_device = VIRTIO_PCI_DEVICE(id), .pci_class = class_,	\
	.pci_revision = 1, .pci_subsystem = id, .irq = IRQ_OPTIONAL,	\
	.irq_shareable = true

/* A register or property list, written inline in device-types.def. */
#define REGS(...)							\
	.regs = (const struct reg_schema[]){ __VA_ARGS__ },		\
	.nr_regs = ARRAY_SIZE(((const struct reg_schema[]){ __VA_ARGS__ }))
#define PROPS(...)							\
	.props = (const struct prop_schema[]){ __VA_ARGS__ },		\
	.nr_props = ARRAY_SIZE(((const struct prop_schema[]){ __VA_ARGS__ }))

#define DEVICE_TYPE(ident, str, src, needs, ...)			\
	const struct device_type device_type_##ident = {		\
		.name = str, .source = src, .ops_symbol = #ident "_ops",	\
		.host_needs = needs, __VA_ARGS__			\
	};
#define KERNEL_DEVICE_TYPE(ident, str, ...)				\
	const struct device_type device_type_##ident = {		\
		.name = str, __VA_ARGS__				\
	};
#include "device-types.def"
#undef DEVICE_TYPE
#undef KERNEL_DEVICE_TYPE

/* All types, in the list's order (sorted by name). */
#define DEVICE_TYPE(ident, ...)		&device_type_##ident,
#define KERNEL_DEVICE_TYPE(ident, ...)	&device_type_##ident,
const struct device_type *const device_types[] = {
#include "device-types.def"
};
#undef DEVICE_TYPE
#undef KERNEL_DEVICE_TYPE
const unsigned nr_device_types = ARRAY_SIZE(device_types);

const struct device_type *device_type_find(const char *name)
{
	for (unsigned i = 0; i < nr_device_types; i++)
		if (!strcmp(device_types[i]->name, name))
			return device_types[i];
	return NULL;
}

const struct reg_schema *device_type_reg(const struct device_type *type,
					 const char *name)
{
	for (unsigned i = 0; i < type->nr_regs; i++)
		if (!strcmp(type->regs[i].name, name))
			return &type->regs[i];
	return NULL;
}

const struct prop_schema *device_type_prop(const struct device_type *type,
					   const char *name)
{
	for (unsigned i = 0; i < type->nr_props; i++)
		if (!strcmp(type->props[i].name, name))
			return &type->props[i];
	return NULL;
}

uint64_t reg_schema_size(const struct reg_schema *reg, uint64_t count)
{
	uint64_t size;

	if (!reg->count_prop)
		return reg->size;
	return __builtin_mul_overflow(reg->size, count, &size) ? 0 : size;
}

uint64_t device_type_span(const struct device_type *type,
			  enum board_space space)
{
	uint64_t span = 0;

	for (unsigned i = 0; i < type->nr_regs; i++) {
		const struct reg_schema *r = &type->regs[i];

		if (r->space != space && r->space != SPACE_BLOCK)
			continue;
		if (r->offset + r->size > span)
			span = r->offset + r->size;
	}
	return span;
}

unsigned reg_schema_async_width(const struct reg_schema *reg, uint64_t size)
{
	if (reg && reg->width)
		return reg->width;
	if (!(size & 3))
		return 4;
	return size & 1 ? 1 : 2;
}

uint64_t device_type_bar_size(const struct device_type *type)
{
	uint64_t span = device_type_span(type, SPACE_MMIO), size = MACHINE_PAGE_SIZE;

	if (!type->pci)
		return 0;
	while (size < span && size << 1)
		size <<= 1;
	return size;
}

const char *binding_name(enum board_binding binding)
{
	static const char *const names[NR_BINDINGS] = {
		[BINDING_SYNC] = "sync",
		[BINDING_ASYNC] = "async",
		[BINDING_COALESCED] = "coalesced",
		[BINDING_KERNEL] = "kernel",
	};

	return (unsigned)binding < NR_BINDINGS ? names[binding] : "?";
}

const char *space_name(enum board_space space)
{
	switch (space) {
	case SPACE_PIO:
		return "pio";
	case SPACE_MMIO:
		return "mmio";
	case SPACE_BLOCK:
		return "block";
	}
	return "?";
}
