/* SPDX-License-Identifier: MIT */
/*
 * Linux boot loaders: bzImage (the x86 32/64-bit boot protocol) and PVH
 * (an uncompressed vmlinux with the Xen PHYS32 entry note). They write the
 * kernel, initrd, command line, zero page or start_info, GDT and page
 * tables into guest RAM and say what the boot vCPU must be set to. No KVM:
 * the VMM translates struct boot_cpu_state into KVM_SET_SREGS/REGS, tests
 * read it directly. The e820 map comes from ram_layout_e820() over the
 * board's RAM regions and reserved ranges, as in `boardc map --mem`.
 *
 * Guest memory used below 1 MiB (each range but the stack is checked to
 * be RAM in the e820 map and mapped in struct guest_ram):
 *   0x0500  GDT (null, null, code 0x10, data 0x18, TSS 0x20 + its upper half)
 *   0x6000  boot stack top (grows down)
 *   0x7000  zero page (bzImage) or start_info + modlist + memmap (PVH)
 *   0x9000  PML4, 0xa000 PDPT, 0xb000-0xefff four PDs (2 MiB pages, 4 GiB)
 *   0x20000 kernel command line (at most 64 KiB)
 */
#ifndef BOARDVM_BOOT_LINUX_H
#define BOARDVM_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board-tables.h"
#include "guest-ram.h"
#include "ram-layout.h"

#define BOOT_GDT_ADDR		0x500ull
#define BOOT_STACK_TOP		0x6000ull
#define BOOT_PARAMS_ADDR	0x7000ull	/* zero page / start_info */
#define BOOT_PML4_ADDR		0x9000ull
#define BOOT_PDPT_ADDR		0xa000ull
#define BOOT_PD_ADDR		0xb000ull	/* four pages */
#define BOOT_CMDLINE_ADDR	0x20000ull
#define BOOT_CMDLINE_MAX	0x10000ull	/* bytes, with the NUL */

/* GDT selectors, as the boot protocol names them. */
#define BOOT_CS			0x10
#define BOOT_DS			0x18
#define BOOT_TSS		0x20

/* One segment register, in the shape of a descriptor (KVM-free). */
struct boot_segment {
	uint64_t base;
	uint32_t limit;			/* in bytes, already scaled by g */
	uint16_t selector;
	uint8_t type;			/* 4 bits: 0xb code, 0x3 data, 0xb TSS */
	uint8_t s;			/* 1 code/data, 0 system (TSS) */
	uint8_t dpl;
	uint8_t present;
	uint8_t db;			/* 32-bit default operand size */
	uint8_t l;			/* 64-bit code */
	uint8_t g;			/* 4 KiB granularity */
};

enum boot_cpu_mode {
	BOOT_CPU_PROTECTED32,		/* flat 32-bit, paging off */
	BOOT_CPU_LONG64,		/* long mode, identity page tables */
};

/*
 * What the boot vCPU must be set to. General registers not named here are
 * zero; the LDT is unusable (selector 0); IDT base and limit are 0.
 */
struct boot_cpu_state {
	enum boot_cpu_mode mode;
	uint64_t rip, rsp, rsi, rbx, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	struct boot_segment cs, ds, es, fs, gs, ss, tr;
};

/*
 * What to boot and on which memory map. `ram`/`reserved` are the board's
 * tables (board_ram, board_reserved) or a test's own; `mem` bytes of RAM
 * are filled into `ram` in order, exactly as the VMM lays its memslots.
 */
struct linux_boot_args {
	const char *kernel;		/* bzImage or vmlinux path */
	const char *initrd;		/* NULL: none */
	const char *cmdline;		/* NULL: empty */
	uint64_t mem;			/* guest RAM in bytes (--mem) */
	const struct board_ram_region *ram;
	unsigned nr_ram;
	const struct board_reserved *reserved;
	unsigned nr_reserved;
	/* The ACPI RSDP (boot_params acpi_rsdp_addr, PVH rsdp_paddr); 0: none. */
	uint64_t rsdp_addr;
	/* The ACPI tables' bytes, whose pages the e820 map gives as ACPI
	 * data (type 3); size 0: none. */
	uint64_t acpi_base, acpi_size;
	/* The PCI ECAM window (the MCFG's), reserved in the e820 map (not
	 * counted by --mem); size 0: none. */
	uint64_t ecam_base, ecam_size;
};

/* Where the loader put things, for logs and tests. */
struct linux_boot_info {
	uint64_t kernel_addr, kernel_size;	/* as loaded */
	uint64_t kernel_end;		/* end of what the kernel may use */
	uint64_t initrd_addr, initrd_size;
	uint64_t cmdline_addr;
	uint64_t params_addr;		/* zero page or start_info */
	unsigned nr_e820;
};

/* The board's ECAM window: pci-host's MMIO region (boardc's board_ecam()). */
static inline const struct board_region *linux_board_ecam(void)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space == SPACE_MMIO &&
		    board_devices[r->device].type == &device_type_pci_host)
			return r;
	}
	return NULL;
}

/* The board's own tables, for the VMM: the usual way to fill args. */
static inline void linux_boot_args_board(struct linux_boot_args *args)
{
	const struct board_region *ecam = linux_board_ecam();

	args->ram = board_ram;
	args->nr_ram = board_info.nr_ram;
	args->reserved = board_reserved;
	args->nr_reserved = board_info.nr_reserved;
	if (board_firmware.acpi) {
		args->acpi_base = board_firmware.acpi_base;
		args->acpi_size = board_firmware.acpi_size;
	}
	if (ecam) {
		args->ecam_base = ecam->base;
		args->ecam_size = ecam->size;
	}
}

/*
 * Load a bzImage (boot protocol 2.06+) with its initrd and command line
 * into `ram`, set `cpu` for its 64-bit entry (or 32-bit when the kernel
 * has no XLF_KERNEL_64). Returns 0, or -1 with a message in `err` that
 * names the file, the value, and what to do. `info` may be NULL.
 */
int linux_load_bzimage(const struct linux_boot_args *args,
		       struct guest_ram *ram, struct boot_cpu_state *cpu,
		       struct linux_boot_info *info, char *err, size_t errlen);

/*
 * The PVH boot ABI (Xen's arch-x86/hvm/start_info.h, version 1): what EBX
 * points at on PVH entry. Not in the Linux uapi headers, so defined here.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define HVM_START_MAGIC			0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;		/* struct hvm_modlist_entry[] */
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* struct hvm_memmap_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* e820 types */
	uint32_t reserved;
};

/* Inside the BOOT_PARAMS_ADDR page for PVH. */
#define PVH_MODLIST_ADDR	(BOOT_PARAMS_ADDR + 0x40)
#define PVH_MEMMAP_ADDR		(BOOT_PARAMS_ADDR + 0x80)
#define PVH_MAX_MEMMAP		\
	((0x1000 - 0x80) / sizeof(struct hvm_memmap_entry))
#define PVH_INITRD_LIMIT	0x80000000ull	/* as bzImages ask */
#define PVH_CMDLINE_MAX		2047		/* COMMAND_LINE_SIZE - 1 */

/*
 * Load an uncompressed vmlinux ELF through its PVH entry
 * (XEN_ELFNOTE_PHYS32_ENTRY): 32-bit protected mode, paging off, EBX =
 * struct hvm_start_info. Same conventions as linux_load_bzimage().
 */
int linux_load_pvh(const struct linux_boot_args *args,
		   struct guest_ram *ram, struct boot_cpu_state *cpu,
		   struct linux_boot_info *info, char *err, size_t errlen);

/*
 * Either of the above, by the file's first bytes: an ELF file boots
 * through PVH, anything else as a bzImage.
 */
int linux_load(const struct linux_boot_args *args, struct guest_ram *ram,
	       struct boot_cpu_state *cpu, struct linux_boot_info *info,
	       char *err, size_t errlen);

/*
 * args->mem laid into the board's RAM regions (ram_layout_fill(): the
 * reserved ranges between regions count), as the VMM's memslots; -1 with
 * `fault` (may be NULL) when it does not fit.
 */
int linux_ram_fill(const struct linux_boot_args *args, struct ram_span *spans,
		   unsigned max, struct ram_fill_fault *fault);

/*
 * The e820 map the guest gets for `args` (also what `boardc map --mem`
 * prints). Returns the number of entries, or -1 with a message.
 */
int linux_e820(const struct linux_boot_args *args, struct e820_entry *out,
	       unsigned max, char *err, size_t errlen);

/*
 * Helpers shared by boot-linux.c and boot-pvh.c (not for the VMM).
 */
#define LINUX_MAX_E820		128

struct linux_file {
	uint8_t *data;			/* the file mapped, copy-on-write */
	size_t size;
};

/*
 * How large a file may be before a byte of it is read: a kernel or an
 * initrd larger than the guest's RAM can never be loaded, so it is
 * refused by its size (fstat) instead of being read whole first.
 */
struct linux_file_limit {
	uint64_t max;			/* bytes */
	const char *what;		/* "the guest's RAM" */
	const char *fix;		/* "give more --mem ..." */
};

#define linux_kernel_limit(args) ((struct linux_file_limit) {		\
	.max = (args)->mem,						\
	.what = "the guest's RAM",					\
	.fix = "give more --mem, or strip the kernel (a vmlinux with "	\
	       "debug information: objcopy --strip-debug)",		\
})

/*
 * Map a whole regular file (host_file_open(): never blocks), private and
 * copy-on-write: the loaders copy from it straight into guest RAM, with
 * no copy of the file in the VMM's own memory (the 63 MiB vmlinux cost
 * a second copy and 16,000 page faults before the first guest
 * instruction). The file must not shrink while it is mapped: setup reads
 * it once, then linux_file_free() unmaps it.
 */
int linux_file_read(struct linux_file *f, const char *what,
		    const char *path, const struct linux_file_limit *limit,
		    char *err, size_t errlen);
void linux_file_free(struct linux_file *f);

/* A guest range that must be RAM (in the e820 RAM entries) and mapped. */
/* The RAM entry of the e820 map holding [addr, addr + size), or NULL. */
const struct e820_entry *linux_e820_ram_at(const struct e820_entry *map,
					  int nr_map, uint64_t addr,
					  uint64_t size);
void *linux_ram_at(const struct guest_ram *ram, const struct e820_entry *map,
		   int nr_map, uint64_t addr, uint64_t size, const char *what,
		   char *err, size_t errlen);

/* Write the boot GDT and set the flat segments for `mode`. */
int linux_setup_gdt(struct guest_ram *ram, const struct e820_entry *map,
		    int nr_map, enum boot_cpu_mode mode,
		    struct boot_cpu_state *cpu, char *err, size_t errlen);

/* Copy the command line to BOOT_CMDLINE_ADDR, at most `max` bytes + NUL. */
int linux_put_cmdline(struct guest_ram *ram, const struct e820_entry *map,
		      int nr_map, const char *cmdline, uint64_t max,
		      const char *limit_what, char *err, size_t errlen);

/*
 * Read the initrd and place it as high as possible below `limit` (an
 * exclusive end), page aligned, above `floor` (the kernel's end).
 */
int linux_put_initrd(struct guest_ram *ram, const struct e820_entry *map,
		     int nr_map, const char *path, uint64_t floor,
		     uint64_t limit, struct linux_boot_info *info,
		     char *err, size_t errlen);

#endif
