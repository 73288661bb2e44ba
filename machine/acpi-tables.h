/* SPDX-License-Identifier: MIT */
/*
 * ACPI table layouts (ACPI 6.4, chapter 5) shared by boardc, which builds
 * the tables from the board at build time (dtc-like/acpi.c), and the VMM,
 * which copies them into guest memory and patches the one run-time value,
 * the number of CPUs (vmm/acpi.c). All little-endian, packed.
 */
#ifndef BOARDVM_ACPI_TABLES_H
#define BOARDVM_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_RSDP_SIGNATURE	"RSD PTR "
#define ACPI_OEM_ID		"BOARDV"	/* 6 bytes */
#define ACPI_OEM_TABLE_ID	"BOARDVM "	/* 8 bytes */
#define ACPI_CREATOR_ID		"BRDC"		/* boardc */
#define ACPI_CREATOR_REVISION	1
/* Where Linux scans for the RSDP (acpi_find_root_pointer()). */
#define ACPI_RSDP_SCAN_LO	0xe0000ull
#define ACPI_RSDP_SCAN_HI	0x100000ull

struct acpi_rsdp {				/* 5.2.5.3, revision 2 */
	char signature[8];
	uint8_t checksum;			/* first 20 bytes */
	char oem_id[6];
	uint8_t revision;			/* 2: ACPI 2.0+ (XSDT) */
	uint32_t rsdt_address;			/* 0: XSDT only */
	uint32_t length;			/* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;		/* all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {				/* 5.2.6 */
	char signature[4];
	uint32_t length;			/* header included */
	uint8_t revision;
	uint8_t checksum;			/* whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_gas {				/* 5.2.3.2 */
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

struct acpi_fadt {				/* 5.2.9, revision 6 */
	struct acpi_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_revision;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk,
		x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk,
		x_gpe1_blk, sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

#define ACPI_FADT_REVISION		6
#define ACPI_FADT_MINOR_REVISION	4
#define ACPI_FADT_HW_REDUCED		(1u << 20)
#define ACPI_FADT_PWR_BUTTON		(1u << 4)	/* 1: no fixed button */
#define ACPI_FADT_SLP_BUTTON		(1u << 5)	/* 1: no fixed button */
#define ACPI_BOOT_ARCH_LEGACY		(1u << 0)	/* ISA devices */
#define ACPI_BOOT_ARCH_8042		(1u << 1)
#define ACPI_BOOT_ARCH_NO_VGA		(1u << 2)
#define ACPI_BOOT_ARCH_NO_CMOS_RTC	(1u << 5)

struct acpi_madt {				/* 5.2.12 */
	struct acpi_header header;
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));

#define ACPI_MADT_REVISION	5
#define ACPI_MADT_PCAT_COMPAT	1u		/* 8259s present */

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_ISO = 2,
	ACPI_MADT_LAPIC_NMI = 4,
};

struct acpi_madt_lapic {
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));

#define ACPI_MADT_ENABLED	1u

struct acpi_madt_ioapic {
	uint8_t type, length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct acpi_madt_iso {
	uint8_t type, length;
	uint8_t bus;				/* 0: ISA */
	uint8_t source;				/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;				/* MPS INTI flags */
} __attribute__((packed));

#define ACPI_MPS_CONFORMING	0x0
#define ACPI_MPS_LEVEL_LOW	0xf		/* active low, level */

struct acpi_madt_lapic_nmi {
	uint8_t type, length;
	uint8_t processor_uid;			/* 0xff: all */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

struct acpi_mcfg {				/* PCI Firmware 3.2, 4.1.2 */
	struct acpi_header header;
	uint8_t reserved[8];
} __attribute__((packed));

#define ACPI_MCFG_REVISION	1

struct acpi_mcfg_alloc {			/* one ECAM window */
	uint64_t base;				/* bus 0's address */
	uint16_t segment;
	uint8_t bus_first, bus_last;
	uint32_t reserved;
} __attribute__((packed));

#define ACPI_ECAM_BUS_SIZE	0x100000ull	/* 1 MiB of ECAM per bus */

/* The layouts as the spec numbers them (ACPI 6.4 tables 5.3, 5.9, 5.19). */
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");
_Static_assert(offsetof(struct acpi_fadt, dsdt) == 40, "FADT DSDT");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "FADT SCI_INT");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "PM1a_EVT");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "BOOT_ARCH");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(offsetof(struct acpi_fadt, minor_revision) == 131, "minor");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_evt_blk) == 148, "X_PM1a");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "SLEEP");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "MADT ISO");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT NMI");
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG header");
_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "MCFG allocation");

/* Sum of `len` bytes: a valid table sums to 0. */
uint8_t acpi_sum(const void *p, size_t len);

/* Set the checksum byte at `sum` so [p, p + len) sums to 0. */
void acpi_fix_checksum(void *p, size_t len, uint8_t *sum);

/*
 * Keep the first nr_cpus LAPIC entries of the MADT at `madt` (whose
 * LAPIC entries come first, one per possible CPU) and drop the rest,
 * moving the entries after them down; the table shrinks and its checksum
 * is fixed. Returns the new length, or 0 when the table holds fewer than
 * nr_cpus LAPIC entries or nr_cpus is 0 (the table is left alone).
 */
uint32_t acpi_madt_set_cpus(void *madt, unsigned nr_cpus);

#endif
