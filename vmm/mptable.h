/* SPDX-License-Identifier: MIT */
/*
 * The Intel MultiProcessor Specification 1.4 table, for guests that find
 * their CPUs and I/O APIC without ACPI (Linux does, before it looks for
 * ACPI). Written into guest memory from the board's tables; KVM-free.
 *
 * Where: the floating pointer must lie where Linux scans for it (the first
 * KiB, 0x9fc00-0x9ffff, or 0xf0000-0xfffff). The loader takes the first
 * backed reserved range inside the first 1 MiB that covers such a spot
 * (on the pc board: `ebda`, 0x9f000-0x9ffff, pointer at 0x9fc00), else
 * the last KiB of base RAM when base RAM ends at 640 KiB. The
 * configuration table follows the floating pointer in the same range (or
 * precedes it there, when it does not fit after).
 */
#ifndef BOARDVM_MPTABLE_H
#define BOARDVM_MPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board-tables.h"
#include "guest-ram.h"

#define MP_FLOATING_SIGNATURE	"_MP_"
#define MP_CONFIG_SIGNATURE	"PCMP"
#define MP_SPEC_REV		4		/* 1.4 */
#define MP_APIC_VERSION		0x14
#define MP_IOAPIC_VERSION	0x11
#define MP_LAPIC_DEFAULT	0xfee00000u
#define MP_IOAPIC_PINS		24

enum mp_entry_type {
	MP_PROCESSOR,
	MP_BUS,
	MP_IOAPIC,
	MP_INTSRC,
	MP_LINTSRC,
};

enum mp_irq_type {
	MP_INT,
	MP_NMI,
	MP_SMI,
	MP_EXTINT,
};

#define MP_CPU_ENABLED		0x01
#define MP_CPU_BSP		0x02
#define MP_IOAPIC_ENABLED	0x01
/* I/O interrupt flags: polarity (bits 0-1), trigger mode (bits 2-3). */
#define MP_IRQ_CONFORMING	0x00
#define MP_IRQ_LEVEL_HIGH	0x0d		/* active high, level */

struct mp_floating {
	char signature[4];
	uint32_t physptr;
	uint8_t length;				/* in 16-byte units: 1 */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mp_config {
	char signature[4];
	uint16_t length;			/* base table, header included */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_ptr;
	uint16_t oem_size;
	uint16_t entries;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type;
	uint8_t bus_id;
	char bus_type[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type;
	uint8_t apic_id;
	uint8_t version;
	uint8_t flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_intsrc {				/* also MP_LINTSRC */
	uint8_t type;
	uint8_t irq_type;
	uint16_t flags;
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;			/* 0xff: all local APICs */
	uint8_t dst_pin;			/* I/O APIC pin or LINTn */
} __attribute__((packed));

struct mptable_args {
	unsigned nr_cpus;			/* --cpus: APIC ids 0..n-1 */
	bool kernel_irqchip;			/* false: no table */
	const struct board_device *devices;
	unsigned nr_devices;
	const struct board_reserved *reserved;
	unsigned nr_reserved;
	const struct board_ram_region *ram;
	unsigned nr_ram;
};

struct mptable_info {
	uint64_t floating_addr;			/* 0: none written */
	uint64_t config_addr;
	unsigned config_size;
	const char *where;			/* the range's name */
};

static inline void mptable_args_board(struct mptable_args *args,
				      unsigned nr_cpus)
{
	args->nr_cpus = nr_cpus;
	args->kernel_irqchip = board_info.kernel_irqchip;
	args->devices = board_devices;
	args->nr_devices = board_info.nr_devices;
	args->reserved = board_reserved;
	args->nr_reserved = board_info.nr_reserved;
	args->ram = board_ram;
	args->nr_ram = board_info.nr_ram;
}

/*
 * Write the floating pointer and configuration table into `ram` (which
 * must map the chosen range). Returns 0 (info->floating_addr 0 when the
 * board has no in-kernel irqchip), or -1 with a message in `err`.
 */
int mptable_write(const struct mptable_args *args, struct guest_ram *ram,
		  struct mptable_info *info, char *err, size_t errlen);

/* Sum of `len` bytes, for checksums (a valid structure sums to 0). */
uint8_t mptable_sum(const void *p, size_t len);

#endif
