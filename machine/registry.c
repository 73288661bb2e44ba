// SPDX-License-Identifier: MIT
/*
 * The device registry. Adding a device type means: a schema here, a file
 * devices/<source>.c defining <ops_symbol>, and a line in
 * docs/board-format.md. boardc refuses boards naming anything else.
 */
#include <string.h>

#include "common.h"
#include "registry.h"

#define SYNC_ONLY	BINDING_BIT(BINDING_SYNC)
#define KERNEL_ONLY	BINDING_BIT(BINDING_KERNEL)

/* 16550A UART: 8 registers, DLAB-banked. */
static const struct reg_schema uart16550_regs[] = {
	{ .name = "regs", .space = SPACE_PIO, .offset = 0, .size = 8,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "RBR/THR/IER/IIR/LCR/MCR/LSR/MSR/SCR" },
};
static const struct prop_schema uart16550_props[] = {
	{ .name = "console", .kind = PROP_BOOL, .default_value = "false",
	  .description = "connect to the VMM's stdin/stdout" },
};

/* Guest writes an exit code; the VMM exits with it. */
static const struct reg_schema debug_exit_regs[] = {
	{ .name = "exit", .space = SPACE_PIO, .offset = 0, .size = 1,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "write: exit the VMM with this status" },
};

/* i8042 keyboard controller: data at +0, command/status at +4. */
static const struct reg_schema i8042_regs[] = {
	{ .name = "data", .space = SPACE_PIO, .offset = 0, .size = 1,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "data port" },
	{ .name = "command", .space = SPACE_PIO, .offset = 4, .size = 1,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "status (read) / command (write); 0xfe resets" },
};

/* MC146818 CMOS RTC: index (bit 7 masks NMI) and data. */
static const struct reg_schema cmos_rtc_regs[] = {
	{ .name = "regs", .space = SPACE_PIO, .offset = 0, .size = 2,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "index/data" },
};

/* PCI configuration mechanism #1. */
static const struct reg_schema pci_host_regs[] = {
	{ .name = "config-address", .space = SPACE_PIO, .offset = 0,
	  .size = 4, .default_binding = BINDING_SYNC,
	  .allowed_bindings = SYNC_ONLY, .description = "CONFIG_ADDRESS" },
	{ .name = "config-data", .space = SPACE_PIO, .offset = 4, .size = 4,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "CONFIG_DATA" },
};

/* POST code / io_delay port: write-only sink, buffered by default. */
static const struct reg_schema post_code_regs[] = {
	{ .name = "code", .space = SPACE_PIO, .offset = 0, .size = 1,
	  .default_binding = BINDING_COALESCED,
	  .allowed_bindings = BINDINGS_USER,
	  .description = "write: POST code (kept: last value)" },
};

/*
 * The demo doorbell device: an async doorbell at +0, sync status after it,
 * and a write FIFO that may be coalesced. Placed in ports or MMIO.
 */
static const struct reg_schema doorbell_demo_regs[] = {
	{ .name = "doorbell", .space = SPACE_BLOCK, .offset = 0x0, .size = 4,
	  .width = 4, .default_binding = BINDING_ASYNC,
	  .allowed_bindings = BINDINGS_USER,
	  .description = "write: ring (value = queue); read: ring count" },
	{ .name = "status", .space = SPACE_BLOCK, .offset = 0x4, .size = 0xc,
	  .default_binding = BINDING_SYNC, .allowed_bindings = SYNC_ONLY,
	  .description = "counters and a scratch register" },
	{ .name = "fifo", .space = SPACE_BLOCK, .offset = 0x10, .size = 0x10,
	  .default_binding = BINDING_COALESCED,
	  .allowed_bindings = BINDINGS_USER,
	  .description = "write: append; read: count and checksum" },
};
static const struct prop_schema doorbell_demo_props[] = {
	{ .name = "queues", .kind = PROP_NUMBER, .default_value = "1",
	  .description = "number of doorbell queues (values 0..queues-1)" },
};

/* In-kernel platform devices: declared so maps and checks see them. */
static const struct reg_schema ioapic_regs[] = {
	{ .name = "regs", .space = SPACE_MMIO, .offset = 0, .size = 0x1000,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "IOREGSEL/IOWIN (in-kernel)" },
};
static const struct reg_schema lapic_regs[] = {
	{ .name = "regs", .space = SPACE_MMIO, .offset = 0, .size = 0x1000,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "local APIC page (in-kernel)" },
};
static const struct reg_schema i8259_regs[] = {
	{ .name = "master", .space = SPACE_PIO, .offset = 0x0, .size = 2,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "master PIC (0x20)" },
	{ .name = "slave", .space = SPACE_PIO, .offset = 0x80, .size = 2,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "slave PIC (0xa0)" },
	{ .name = "elcr", .space = SPACE_PIO, .offset = 0x4b0, .size = 2,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "edge/level control (0x4d0)" },
};
static const struct reg_schema i8254_regs[] = {
	{ .name = "counters", .space = SPACE_PIO, .offset = 0x0, .size = 4,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "counters 0-2 and mode (0x40)" },
	{ .name = "speaker", .space = SPACE_PIO, .offset = 0x21, .size = 1,
	  .default_binding = BINDING_KERNEL, .allowed_bindings = KERNEL_ONLY,
	  .description = "port B / speaker gate (0x61)" },
};

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

static const struct reg_schema virtio_blk_pci_regs[] = {
	VIRTIO_PCI_REGS("virtio_blk_config"),
};
static const struct prop_schema virtio_blk_pci_props[] = {
	{ .name = "read-only", .kind = PROP_BOOL, .default_value = "false",
	  .description = "refuse guest writes (VIRTIO_BLK_F_RO)" },
};
static const struct reg_schema virtio_console_pci_regs[] = {
	VIRTIO_PCI_REGS("virtio_console_config"),
};
static const struct prop_schema virtio_console_pci_props[] = {
	{ .name = "console", .kind = PROP_BOOL, .default_value = "false",
	  .description = "hvc0 on the VMM's stdin/stdout" },
};
static const struct reg_schema virtio_rng_pci_regs[] = {
	VIRTIO_PCI_REGS("none (no device config)"),
};

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE(id)	(0x1040 + (id))
#define VIRTIO_PCI(id, class_)						\
	.pci = true, .pci_vendor = VIRTIO_PCI_VENDOR,			\
	.pci_device = VIRTIO_PCI_DEVICE(id), .pci_class = class_,	\
	.pci_revision = 1, .pci_subsystem = id, .irq = IRQ_OPTIONAL,	\
	.irq_shareable = true

#define TYPE(ident, str, src, regs_, ...)				\
	const struct device_type device_type_##ident = {		\
		.name = str, .source = src,				\
		.ops_symbol = #ident "_ops",				\
		.regs = regs_, .nr_regs = ARRAY_SIZE(regs_),		\
		__VA_ARGS__						\
	}
/* Emulated inside KVM: no source file, no ops. */
#define KERNEL_TYPE(ident, str, regs_, ...)				\
	const struct device_type device_type_##ident = {		\
		.name = str,						\
		.regs = regs_, .nr_regs = ARRAY_SIZE(regs_),		\
		__VA_ARGS__						\
	}
#define PROPS(p)	.props = p, .nr_props = ARRAY_SIZE(p)

TYPE(uart16550, "uart16550", "uart16550", uart16550_regs,
     PROPS(uart16550_props), .irq = IRQ_OPTIONAL,
     .description = "16550A serial port");
TYPE(debug_exit, "debug-exit", "debug-exit", debug_exit_regs,
     .description = "guest-controlled VMM exit");
TYPE(i8042, "i8042", "i8042", i8042_regs, .irq = IRQ_OPTIONAL,
     .description = "PS/2 keyboard controller, CPU reset line");
TYPE(cmos_rtc, "cmos-rtc", "cmos-rtc", cmos_rtc_regs, .irq = IRQ_OPTIONAL,
     .description = "MC146818 real-time clock and CMOS");
TYPE(pci_host, "pci-host", "pci-host", pci_host_regs,
     .description = "PCI host bridge, configuration mechanism #1");
TYPE(post_code, "post-code", "post-code", post_code_regs,
     .description = "POST code / io_delay sink");
TYPE(doorbell_demo, "doorbell-demo", "doorbell-demo", doorbell_demo_regs,
     PROPS(doorbell_demo_props), .irq = IRQ_OPTIONAL,
     .description = "demo: async doorbell, sync status, coalesced FIFO");
TYPE(virtio_blk_pci, "virtio-blk-pci", "virtio-blk", virtio_blk_pci_regs,
     PROPS(virtio_blk_pci_props), VIRTIO_PCI(2, 0x018000),
     .description = "virtio block device (PCI); the disk is --disk");
TYPE(virtio_console_pci, "virtio-console-pci", "virtio-console",
     virtio_console_pci_regs, PROPS(virtio_console_pci_props),
     VIRTIO_PCI(3, 0x078000),
     .description = "virtio console (PCI)");
TYPE(virtio_rng_pci, "virtio-rng-pci", "virtio-rng", virtio_rng_pci_regs,
     VIRTIO_PCI(4, 0x00ff00),
     .description = "virtio entropy source (PCI)");
KERNEL_TYPE(ioapic, "ioapic", ioapic_regs,
     .kernel_irqchip = true, .description = "I/O APIC (in KVM)");
KERNEL_TYPE(lapic, "lapic", lapic_regs,
     .kernel_irqchip = true, .description = "local APIC (in KVM)");
KERNEL_TYPE(i8259, "i8259", i8259_regs,
     .kernel_irqchip = true, .description = "8259 PIC pair (in KVM)");
KERNEL_TYPE(i8254, "i8254", i8254_regs, .kernel_pit = true,
     .description = "8254 PIT (in KVM)");

const struct device_type *const device_types[] = {
	&device_type_cmos_rtc,
	&device_type_debug_exit,
	&device_type_doorbell_demo,
	&device_type_i8042,
	&device_type_i8254,
	&device_type_i8259,
	&device_type_ioapic,
	&device_type_lapic,
	&device_type_pci_host,
	&device_type_post_code,
	&device_type_uart16550,
	&device_type_virtio_blk_pci,
	&device_type_virtio_console_pci,
	&device_type_virtio_rng_pci,
};
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
