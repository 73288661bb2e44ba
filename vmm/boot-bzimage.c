// SPDX-License-Identifier: MIT
/*
 * The Linux bzImage loader (Documentation/arch/x86/boot.rst, the 32-bit
 * and 64-bit boot protocols): the setup header checked against the file,
 * the protected-mode kernel placed where it runs, the zero page, and the
 * 64-bit entry's identity-mapped page tables. KVM-free.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "common.h"
#include "boot-error.h"
#include "boot-linux.h"

#define HDRS_MAGIC		0x53726448	/* "HdrS" at 0x202 */
#define SETUP_HDR_OFFSET	0x1f1
#define SETUP_JUMP_OFFSET	0x201		/* end = 0x202 + this byte */
#define MIN_PROTOCOL		0x206
#define KERNEL_LOW_ADDR		0x100000ull	/* 1 MiB */
#define ENTRY64_OFFSET		0x200
#define LOADER_UNDEFINED	0xff		/* type_of_loader */
#define HEAP_END		0xfe00		/* heap_end_ptr */
#define VGA_NORMAL		0xffff		/* vid_mode: 80x25 */
#define FOUR_GIB		0x100000000ull

/* Long mode: control register and page table bits. */
#define CR0_PG			(1ull << 31)
#define CR4_PAE			(1ull << 5)
#define EFER_LME		(1ull << 8)
#define EFER_LMA		(1ull << 10)
#define PTE_PRESENT		(1ull << 0)
#define PTE_RW			(1ull << 1)
#define PTE_PS			(1ull << 7)
#define PD_PAGE_SIZE		0x200000ull	/* 2 MiB */

/* Identity map the first 4 GiB with 2 MiB pages and enter long mode. */
static int setup_long_mode(struct guest_ram *ram,
			   const struct e820_entry *map, int nr_map,
			   struct boot_cpu_state *cpu, char *err,
			   size_t errlen)
{
	uint64_t *pml4, *pdpt, *pd;

	pml4 = linux_ram_at(ram, map, nr_map, BOOT_PML4_ADDR, MACHINE_PAGE_SIZE,
			    "boot PML4", err, errlen);
	pdpt = linux_ram_at(ram, map, nr_map, BOOT_PDPT_ADDR, MACHINE_PAGE_SIZE,
			    "boot PDPT", err, errlen);
	pd = linux_ram_at(ram, map, nr_map, BOOT_PD_ADDR, 4 * MACHINE_PAGE_SIZE,
			  "boot page directories", err, errlen);
	if (!pml4 || !pdpt || !pd)
		return -1;
	memset(pml4, 0, MACHINE_PAGE_SIZE);
	memset(pdpt, 0, MACHINE_PAGE_SIZE);
	pml4[0] = BOOT_PDPT_ADDR | PTE_PRESENT | PTE_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + i * MACHINE_PAGE_SIZE) | PTE_PRESENT |
			  PTE_RW;
	for (unsigned i = 0; i < 4 * 512; i++)
		pd[i] = i * PD_PAGE_SIZE | PTE_PRESENT | PTE_RW | PTE_PS;
	cpu->cr3 = BOOT_PML4_ADDR;
	cpu->cr4 = CR4_PAE;
	cpu->cr0 |= CR0_PG;
	cpu->efer = EFER_LME | EFER_LMA;
	return 0;
}

/* The setup header fields the loader reads, checked against the file. */
struct bzimage {
	const char *path;
	struct linux_file file;
	struct setup_header hdr;
	size_t hdr_end;			/* 0x202 + jump byte, clamped */
	uint64_t setup_size;		/* real-mode part, in the file */
	uint64_t payload_size;		/* protected-mode kernel */
	uint64_t load_addr;
	uint64_t run_addr;		/* where it decompresses and runs */
	uint64_t init_size;		/* bytes it needs from run_addr */
};

static int bzimage_parse(struct bzimage *bz, char *err, size_t errlen)
{
	const uint8_t *d = bz->file.data;
	size_t size = bz->file.size;
	uint32_t magic = 0;
	unsigned sects;

	if (size >= 0x206)
		memcpy(&magic, d + 0x202, 4);
	if (size < 0x206 || magic != HDRS_MAGIC)
		return boot_error(err, errlen, "'%s' is not a Linux bzImage (no"
			    " \"HdrS\" at offset 0x202): pass the kernel's"
			    " arch/x86/boot/bzImage (a vmlinux ELF boots with"
			    " PVH)", bz->path);
	bz->hdr_end = 0x202 + d[SETUP_JUMP_OFFSET];
	if (bz->hdr_end > SETUP_HDR_OFFSET + sizeof(bz->hdr))
		bz->hdr_end = SETUP_HDR_OFFSET + sizeof(bz->hdr);
	if (bz->hdr_end > size)
		return boot_error(err, errlen, "'%s' is truncated: its setup header"
			    " ends at 0x%zx but the file has %zu bytes",
			    bz->path, bz->hdr_end, size);
	memset(&bz->hdr, 0, sizeof(bz->hdr));
	memcpy(&bz->hdr, d + SETUP_HDR_OFFSET,
	       bz->hdr_end - SETUP_HDR_OFFSET);
	if (bz->hdr.version < MIN_PROTOCOL)
		return boot_error(err, errlen, "'%s' uses boot protocol %u.%02u;"
			    " boardvm needs 2.06 or newer (Linux 2.6.22 or"
			    " later)", bz->path, bz->hdr.version >> 8,
			    bz->hdr.version & 0xff);
	if (!(bz->hdr.loadflags & LOADED_HIGH))
		return boot_error(err, errlen, "'%s' is a zImage (loadflags has no"
			    " LOADED_HIGH); boardvm loads only bzImages at"
			    " 1 MiB", bz->path);
	sects = bz->hdr.setup_sects ? bz->hdr.setup_sects : 4;
	bz->setup_size = (sects + 1) * 512ull;
	bz->payload_size = bz->hdr.syssize * 16ull;
	if (bz->setup_size + bz->payload_size > size)
		return boot_error(err, errlen, "'%s' is truncated: its setup header"
			    " says %" PRIu64 " bytes (setup_sects %u, syssize"
			    " 0x%x) but the file has %zu", bz->path,
			    bz->setup_size + bz->payload_size, sects,
			    bz->hdr.syssize, size);
	return 0;
}

/*
 * Where the kernel goes: at pref_address when it is relocatable and that
 * fits in RAM, else at 1 MiB. The decompressor runs from run_addr (its
 * pref_address, where a relocatable kernel moves itself) and needs
 * init_size bytes there, so that must be RAM too.
 */
static int bzimage_place(struct bzimage *bz, const struct e820_entry *map,
			 int nr_map, char *err, size_t errlen)
{
	const struct setup_header *h = &bz->hdr;
	bool has_pref = h->version >= 0x20a && h->pref_address;
	uint64_t pref = has_pref ? h->pref_address : KERNEL_LOW_ADDR;

	bz->init_size = h->version >= 0x20a ? h->init_size : 0;
	if (bz->init_size < bz->payload_size)
		bz->init_size = bz->payload_size;
	bz->run_addr = pref > KERNEL_LOW_ADDR ? pref : KERNEL_LOW_ADDR;
	if (h->relocatable_kernel && has_pref &&
	    linux_e820_ram_at(map, nr_map, pref, bz->init_size))
		bz->load_addr = pref;
	else
		bz->load_addr = KERNEL_LOW_ADDR;
	if (!linux_e820_ram_at(map, nr_map, bz->load_addr, bz->payload_size) ||
	    !linux_e820_ram_at(map, nr_map, bz->run_addr, bz->init_size))
		return boot_error(err, errlen, "kernel '%s' needs RAM at 0x%" PRIx64
			    "-0x%" PRIx64 " (init_size 0x%" PRIx64 " from"
			    " 0x%" PRIx64 "), which this board and --mem do"
			    " not give: give more RAM with --mem", bz->path,
			    bz->load_addr, bz->run_addr + bz->init_size - 1,
			    bz->init_size, bz->run_addr);
	return 0;
}

static uint64_t bzimage_end(const struct bzimage *bz)
{
	uint64_t load_end = bz->load_addr + bz->payload_size;
	uint64_t run_end = bz->run_addr + bz->init_size;

	return load_end > run_end ? load_end : run_end;
}

/* The initrd limit: initrd_addr_max is the last byte it may occupy. */
static uint64_t bzimage_initrd_limit(const struct bzimage *bz)
{
	uint64_t max = bz->hdr.initrd_addr_max ? bz->hdr.initrd_addr_max
					       : 0x37ffffff;

	return max + 1 < FOUR_GIB ? max + 1 : FOUR_GIB;
}

/* Fill the zero page: header copied from the file, then our fields. */
static void bzimage_zero_page(const struct bzimage *bz,
			      struct boot_params *bp,
			      const struct e820_entry *map, int nr_map,
			      const struct linux_boot_info *info)
{
	struct setup_header *h = &bp->hdr;

	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + SETUP_HDR_OFFSET,
	       bz->file.data + SETUP_HDR_OFFSET,
	       bz->hdr_end - SETUP_HDR_OFFSET);
	h->type_of_loader = LOADER_UNDEFINED;
	h->vid_mode = VGA_NORMAL;
	h->loadflags |= CAN_USE_HEAP;
	h->loadflags &= ~(KEEP_SEGMENTS | QUIET_FLAG);
	h->heap_end_ptr = HEAP_END;
	h->code32_start = bz->load_addr;
	h->cmd_line_ptr = BOOT_CMDLINE_ADDR;
	h->ramdisk_image = info->initrd_addr;
	h->ramdisk_size = info->initrd_size;
	h->setup_data = 0;
	h->hardware_subarch = X86_SUBARCH_PC;
	for (int i = 0; i < nr_map; i++) {
		bp->e820_table[i].addr = map[i].addr;
		bp->e820_table[i].size = map[i].size;
		bp->e820_table[i].type = map[i].type;
	}
	bp->e820_entries = nr_map;
}

static int bzimage_load(struct bzimage *bz, const struct linux_boot_args *a,
			struct guest_ram *ram, struct boot_cpu_state *cpu,
			struct linux_boot_info *info, char *err,
			size_t errlen)
{
	struct e820_entry map[LINUX_MAX_E820];
	bool long_mode;
	uint8_t *dst;
	int nr_map;

	nr_map = linux_e820(a, map, E820_MAX_ENTRIES_ZEROPAGE, err, errlen);
	if (nr_map < 0 || bzimage_place(bz, map, nr_map, err, errlen) < 0)
		return -1;
	dst = linux_ram_at(ram, map, nr_map, bz->load_addr, bz->payload_size,
			   "kernel", err, errlen);
	if (!dst)
		return -1;
	memcpy(dst, bz->file.data + bz->setup_size, bz->payload_size);
	info->kernel_addr = bz->load_addr;
	info->kernel_size = bz->payload_size;
	info->kernel_end = bzimage_end(bz);
	if (linux_put_cmdline(ram, map, nr_map, a->cmdline,
			      bz->hdr.cmdline_size, "the kernel (cmdline_size)",
			      err, errlen) < 0)
		return -1;
	info->cmdline_addr = BOOT_CMDLINE_ADDR;
	if (a->initrd && linux_put_initrd(ram, map, nr_map, a->initrd,
					  info->kernel_end,
					  bzimage_initrd_limit(bz), info,
					  err, errlen) < 0)
		return -1;
	dst = linux_ram_at(ram, map, nr_map, BOOT_PARAMS_ADDR,
			   sizeof(struct boot_params), "zero page", err,
			   errlen);
	if (!dst)
		return -1;
	bzimage_zero_page(bz, (struct boot_params *)dst, map, nr_map, info);
	((struct boot_params *)dst)->acpi_rsdp_addr = a->rsdp_addr;
	info->params_addr = BOOT_PARAMS_ADDR;
	info->nr_e820 = nr_map;

	long_mode = bz->hdr.version >= 0x20c &&
		    (bz->hdr.xloadflags & XLF_KERNEL_64);
	if (linux_setup_gdt(ram, map, nr_map, long_mode ? BOOT_CPU_LONG64
							: BOOT_CPU_PROTECTED32,
			    cpu, err, errlen) < 0)
		return -1;
	if (long_mode && setup_long_mode(ram, map, nr_map, cpu, err,
					 errlen) < 0)
		return -1;
	cpu->rip = bz->load_addr + (long_mode ? ENTRY64_OFFSET : 0);
	cpu->rsi = BOOT_PARAMS_ADDR;
	return 0;
}

int linux_load_bzimage(const struct linux_boot_args *args,
		       struct guest_ram *ram, struct boot_cpu_state *cpu,
		       struct linux_boot_info *info, char *err, size_t errlen)
{
	struct linux_boot_info scratch;
	struct bzimage bz = { .path = args->kernel };
	int ret;

	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	memset(cpu, 0, sizeof(*cpu));
	if (linux_file_read(&bz.file, "kernel", args->kernel,
			    &linux_kernel_limit(args), err, errlen) < 0)
		return -1;
	ret = bzimage_parse(&bz, err, errlen);
	if (!ret)
		ret = bzimage_load(&bz, args, ram, cpu, info, err, errlen);
	linux_file_free(&bz.file);
	return ret;
}
