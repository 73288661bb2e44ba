/* SPDX-License-Identifier: MIT */
/*
 * The device registry: every device type a board may name, declared once.
 *
 * boardc reads it to check boards (unknown types, unknown or missing
 * properties, register layout, allowed bindings); the VMM reads it through
 * the generated tables. The types are listed once, in device-types.def; a
 * type's behaviour lives in devices/<source>.c, which defines
 * `const struct device_ops <ops_symbol>`.
 */
#ifndef BOARDVM_REGISTRY_H
#define BOARDVM_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Address space of a register region. */
enum board_space {
	SPACE_PIO,		/* x86 I/O ports, 0..0xffff */
	SPACE_MMIO,		/* guest physical memory */
	SPACE_BLOCK,		/* schema only: wherever the device is placed */
};

/*
 * How the VMM serves a register region.
 *   sync:      the vCPU exits to userspace; the handler runs on that exit.
 *   async:     writes are KVM ioeventfd doorbells; the I/O thread calls
 *              the device's notify(); other accesses fall back to sync.
 *   coalesced: writes are buffered in KVM's coalesced MMIO/PIO ring and
 *              replayed, in order, before the device's next sync access.
 *   kernel:    emulated inside KVM (in-kernel irqchip, PIT); never exits.
 */
enum board_binding {
	BINDING_SYNC,
	BINDING_ASYNC,
	BINDING_COALESCED,
	BINDING_KERNEL,
	NR_BINDINGS,
};

#define BINDING_BIT(b)		(1u << (b))
#define BINDINGS_USER		(BINDING_BIT(BINDING_SYNC) | \
				 BINDING_BIT(BINDING_ASYNC) | \
				 BINDING_BIT(BINDING_COALESCED))

enum prop_kind {
	PROP_NUMBER,		/* integer, hex allowed */
	PROP_SIZE,		/* integer with optional K/M/G/T suffix */
	PROP_STRING,
	PROP_BOOL,
};

enum irq_need {
	IRQ_NONE,		/* the type has no interrupt line */
	IRQ_OPTIONAL,		/* the board may wire one */
	IRQ_REQUIRED,
};

/* One register region of a device type, at an offset in the device block. */
struct reg_schema {
	const char *name;		/* "regs", "doorbell", ... */
	enum board_space space;
	uint64_t offset;		/* from the device's base in that space */
	uint64_t size;			/* bytes (ports for PIO) */
	/*
	 * Width of one doorbell register, for async: one ioeventfd is
	 * registered per `width` bytes of the region.
	 */
	unsigned width;
	/*
	 * The region repeats once per unit of this PROP_NUMBER property of
	 * the device (pci-host's ecam: 1 MiB per bus): `size` bytes times
	 * its value (reg_schema_size()). NULL: `size` as is.
	 */
	const char *count_prop;
	/* The device may leave this register's space unplaced (pci-host
	 * without mmio: no ECAM window). */
	bool optional;
	enum board_binding default_binding;
	unsigned allowed_bindings;	/* BINDING_BIT() mask */
	const char *description;
};

struct prop_schema {
	const char *name;
	enum prop_kind kind;
	bool required;
	const char *default_value;	/* text, parsed like board input */
	const char *description;
};

/*
 * What a model asks of the host beyond every VM's base: the seccomp policy
 * (vmm/seccomp.c) allows the syscalls of a need only on boards with a
 * device of a type that declares it.
 */
enum host_need {
	HOST_NEED_CONSOLE = 1 << 0,	/* stdin/stdout when `console: true` */
	HOST_NEED_DISK = 1 << 1,	/* a --disk image: read, write, flush */
	HOST_NEED_ENTROPY = 1 << 2,	/* getrandom() */
	HOST_NEED_NET = 1 << 3,		/* a --net tap: frames in and out */
	HOST_NEED_VSOCK = 1 << 4,	/* --vsock: Unix sockets to the host */
};

struct device_type {
	const char *name;		/* as written in boards: "uart16550" */
	const char *source;		/* devices/<source>.c; NULL: in KVM */
	const char *ops_symbol;		/* its `const struct device_ops` */
	unsigned host_needs;		/* enum host_need bits */
	const char *description;
	const struct reg_schema *regs;
	unsigned nr_regs;
	const struct prop_schema *props;
	unsigned nr_props;
	enum irq_need irq;
	bool irq_shareable;		/* level-triggered, may share a line */
	/* Board-level roles the VMM acts on (in-kernel irqchip, PIT). */
	bool kernel_irqchip;
	bool kernel_pit;
	/*
	 * A PCI function (docs/pci.md): takes `pci-slot:`, its `mmio` block
	 * is BAR0 (one 32-bit memory BAR, the block span rounded up to a
	 * power of two) and the board needs a pci-host.
	 */
	bool pci;
	uint16_t pci_vendor, pci_device;
	uint32_t pci_class;		/* class << 16 | subclass << 8 | prog-if */
	uint8_t pci_revision;
	uint16_t pci_subsystem;		/* subsystem id; vendor = pci_vendor */
	/* A virtio-mmio device: LNRO0005 in the DSDT (docs/virtio.md). */
	bool virtio_mmio;
};

/* Each type by name, for the generated tables (`.type = &device_type_i8042`). */
#define DEVICE_TYPE(ident, ...) \
	extern const struct device_type device_type_##ident;
#define KERNEL_DEVICE_TYPE(ident, ...) \
	extern const struct device_type device_type_##ident;
#include "device-types.def"
#undef DEVICE_TYPE
#undef KERNEL_DEVICE_TYPE

/* All types, sorted by name. */
extern const struct device_type *const device_types[];
extern const unsigned nr_device_types;

const struct device_type *device_type_find(const char *name);
const struct reg_schema *device_type_reg(const struct device_type *type,
					 const char *name);
const struct prop_schema *device_type_prop(const struct device_type *type,
					   const char *name);
/*
 * Bytes of `reg` on a device whose reg->count_prop property is `count`:
 * reg->size times it; reg->size for a register without count_prop. 0
 * when the product overflows (boardc refuses such a board).
 */
uint64_t reg_schema_size(const struct reg_schema *reg, uint64_t count);
/* Bytes the type occupies in `space` (end of its last region there). */
uint64_t device_type_span(const struct device_type *type,
			  enum board_space space);
/*
 * Bytes per ioeventfd of an async region of `size` bytes: the schema's
 * `width`, or for a register that names none 4 (a 32-bit register) when
 * the size allows, else 2 or 1 (KVM takes lengths of 1, 2, 4 and 8).
 */
unsigned reg_schema_async_width(const struct reg_schema *reg, uint64_t size);
/* A PCI type's BAR0 size: its block span rounded up to a power of two. */
uint64_t device_type_bar_size(const struct device_type *type);

/* PCI slots on bus 0: 0 is the host bridge, devices take 1..31. */
#define PCI_SLOT_MIN		1
#define PCI_SLOT_MAX		31

const char *binding_name(enum board_binding binding);
const char *space_name(enum board_space space);

#endif
