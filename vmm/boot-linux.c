// SPDX-License-Identifier: MIT
/*
 * The Linux bzImage loader (Documentation/arch/x86/boot.rst, the 32-bit
 * and 64-bit boot protocols), and the pieces it shares with the PVH loader
 * in boot-pvh.c: file reading, the e820 map, the GDT, the command line and
 * the initrd placement. KVM-free; see boot-linux.h for the memory used.
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

/* Control register and page table bits used by the boot state. */
#define CR0_PE			(1ull << 0)
#define CR0_ET			(1ull << 4)
#define CR0_PG			(1ull << 31)
#define CR4_PAE			(1ull << 5)
#define EFER_LME		(1ull << 8)
#define EFER_LMA		(1ull << 10)
#define RFLAGS_FIXED		(1ull << 1)
#define PTE_PRESENT		(1ull << 0)
#define PTE_RW			(1ull << 1)
#define PTE_PS			(1ull << 7)
#define PD_MACHINE_PAGE_SIZE		0x200000ull	/* 2 MiB */

/* GDT descriptors: flat 4 GiB code (64-bit or 32-bit), data, and TSS. */
#define GDT_CODE64		0x00af9b000000ffffull
#define GDT_CODE32		0x00cf9b000000ffffull
#define GDT_DATA		0x00cf93000000ffffull
#define GDT_TSS			0x00008b0000000067ull
#define GDT_ENTRIES		6	/* a long-mode TSS takes two slots */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

int linux_file_read(struct linux_file *f, const char *what,
		    const char *path, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	int fd;

	f->data = NULL;
	f->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "cannot open %s '%s': %s", what,
			    path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s '%s' is not a regular file", what, path);
		goto out_close;
	}
	f->data = malloc(st.st_size ? st.st_size : 1);
	if (!f->data) {
		fail(err, errlen, "%s '%s': out of memory for %jd bytes",
		     what, path, (intmax_t)st.st_size);
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, f->data + done, st.st_size - done);

		if (n <= 0) {
			fail(err, errlen, "cannot read %s '%s': %s", what,
			     path, n < 0 ? strerror(errno) : "file shrank");
			goto out_free;
		}
		done += n;
	}
	f->size = done;
	close(fd);
	return 0;

out_free:
	free(f->data);
	f->data = NULL;
out_close:
	close(fd);
	return -1;
}

void linux_file_free(struct linux_file *f)
{
	free(f->data);
	f->data = NULL;
	f->size = 0;
}

/* The board's RAM filled with args->mem bytes, as the VMM's memslots. */
static int fill_ram(const struct linux_boot_args *args,
		    struct ram_span *spans, unsigned max, char *err,
		    size_t errlen)
{
	struct ram_span regions[GUEST_RAM_MAX_SPANS];
	int n;

	if (args->nr_ram > GUEST_RAM_MAX_SPANS)
		return fail(err, errlen, "the board has %u RAM regions; the"
			    " loader handles at most %u", args->nr_ram,
			    GUEST_RAM_MAX_SPANS);
	for (unsigned i = 0; i < args->nr_ram; i++) {
		regions[i].base = args->ram[i].base;
		regions[i].size = args->ram[i].size;
		regions[i].index = i;
	}
	n = ram_layout_fill(regions, args->nr_ram, args->mem, spans, max);
	if (n <= 0)
		return fail(err, errlen, "guest RAM of %" PRIu64 " bytes does"
			    " not fit in the board's RAM regions: choose a"
			    " smaller --mem", args->mem);
	return n;
}

int linux_e820(const struct linux_boot_args *args, struct e820_entry *out,
	       unsigned max, char *err, size_t errlen)
{
	struct ram_span spans[GUEST_RAM_MAX_SPANS];
	struct ram_span reserved[GUEST_RAM_MAX_SPANS];
	int nr_spans, n;

	nr_spans = fill_ram(args, spans, GUEST_RAM_MAX_SPANS, err, errlen);
	if (nr_spans < 0)
		return -1;
	if (args->nr_reserved > GUEST_RAM_MAX_SPANS)
		return fail(err, errlen, "the board has %u reserved ranges;"
			    " the loader handles at most %u",
			    args->nr_reserved, GUEST_RAM_MAX_SPANS);
	for (unsigned i = 0; i < args->nr_reserved; i++) {
		reserved[i].base = args->reserved[i].base;
		reserved[i].size = args->reserved[i].size;
		reserved[i].index = i;
	}
	n = ram_layout_e820(spans, nr_spans, reserved, args->nr_reserved,
			    out, max);
	if (n < 0)
		return fail(err, errlen, "the e820 map has more than %u"
			    " entries", max);
	return n;
}

/* The e820 RAM entry that holds all of [addr, addr + size), or NULL. */
static const struct e820_entry *e820_ram_at(const struct e820_entry *map,
					    int nr_map, uint64_t addr,
					    uint64_t size)
{
	for (int i = 0; i < nr_map; i++) {
		const struct e820_entry *e = &map[i];

		if (e->type == E820_RAM && addr >= e->addr &&
		    addr - e->addr <= e->size &&
		    size <= e->size - (addr - e->addr))
			return e;
	}
	return NULL;
}

void *linux_ram_at(const struct guest_ram *ram, const struct e820_entry *map,
		   int nr_map, uint64_t addr, uint64_t size, const char *what,
		   char *err, size_t errlen)
{
	void *p = NULL;

	if (e820_ram_at(map, nr_map, addr, size))
		p = guest_ram_ptr(ram, addr, size);
	if (!p)
		fail(err, errlen, "the %s at 0x%" PRIx64 "-0x%" PRIx64 " is not"
		     " in guest RAM: the board must have RAM there (and"
		     " --mem must cover it)", what, addr, addr + size - 1);
	return p;
}

static void segment_flat(struct boot_segment *seg, uint16_t selector,
			 uint64_t desc)
{
	seg->base = 0;
	seg->limit = 0xffffffff;
	seg->selector = selector;
	seg->type = (desc >> 40) & 0xf;
	seg->s = (desc >> 44) & 1;
	seg->dpl = (desc >> 45) & 3;
	seg->present = (desc >> 47) & 1;
	seg->l = (desc >> 53) & 1;
	seg->db = (desc >> 54) & 1;
	seg->g = (desc >> 55) & 1;
}

int linux_setup_gdt(struct guest_ram *ram, const struct e820_entry *map,
		    int nr_map, enum boot_cpu_mode mode,
		    struct boot_cpu_state *cpu, char *err, size_t errlen)
{
	uint64_t gdt[GDT_ENTRIES] = {
		[BOOT_CS / 8] = mode == BOOT_CPU_LONG64 ? GDT_CODE64
							: GDT_CODE32,
		[BOOT_DS / 8] = GDT_DATA,
		[BOOT_TSS / 8] = GDT_TSS,
	};
	uint8_t *p = linux_ram_at(ram, map, nr_map, BOOT_GDT_ADDR,
				  sizeof(gdt), "boot GDT", err, errlen);

	if (!p)
		return -1;
	memcpy(p, gdt, sizeof(gdt));
	cpu->mode = mode;
	cpu->gdt_base = BOOT_GDT_ADDR;
	cpu->gdt_limit = sizeof(gdt) - 1;
	segment_flat(&cpu->cs, BOOT_CS, gdt[BOOT_CS / 8]);
	segment_flat(&cpu->ds, BOOT_DS, GDT_DATA);
	cpu->es = cpu->fs = cpu->gs = cpu->ss = cpu->ds;
	segment_flat(&cpu->tr, BOOT_TSS, GDT_TSS);
	cpu->tr.limit = 0x67;
	cpu->rflags = RFLAGS_FIXED;		/* interrupts off */
	cpu->rsp = BOOT_STACK_TOP;
	cpu->cr0 = CR0_PE | CR0_ET;
	return 0;
}

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
		pd[i] = i * PD_MACHINE_PAGE_SIZE | PTE_PRESENT | PTE_RW | PTE_PS;
	cpu->cr3 = BOOT_PML4_ADDR;
	cpu->cr4 = CR4_PAE;
	cpu->cr0 |= CR0_PG;
	cpu->efer = EFER_LME | EFER_LMA;
	return 0;
}

int linux_put_cmdline(struct guest_ram *ram, const struct e820_entry *map,
		      int nr_map, const char *cmdline, uint64_t max,
		      const char *limit_what, char *err, size_t errlen)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	char *p;

	if (max > BOOT_CMDLINE_MAX - 1)
		max = BOOT_CMDLINE_MAX - 1;
	if (len > max)
		return fail(err, errlen, "the kernel command line is %zu"
			    " bytes; %s accepts at most %" PRIu64 ": shorten"
			    " --append", len, limit_what, max);
	p = linux_ram_at(ram, map, nr_map, BOOT_CMDLINE_ADDR, len + 1,
			 "kernel command line", err, errlen);
	if (!p)
		return -1;
	memcpy(p, cmdline ? cmdline : "", len + 1);
	return 0;
}

/*
 * Highest page-aligned address for `size` bytes in one RAM entry, inside
 * [floor, limit). Returns 0 when nothing fits (0 is never a valid spot:
 * floor is above the kernel).
 */
static uint64_t initrd_spot(const struct e820_entry *map, int nr_map,
			    uint64_t size, uint64_t floor, uint64_t limit)
{
	for (int i = nr_map - 1; i >= 0; i--) {
		const struct e820_entry *e = &map[i];
		uint64_t lo = e->addr > floor ? e->addr : floor;
		uint64_t hi = e->addr + e->size < limit ? e->addr + e->size
							 : limit;
		uint64_t at;

		if (e->type != E820_RAM || hi <= lo || hi - lo < size)
			continue;
		at = (hi - size) & ~(MACHINE_PAGE_SIZE - 1);
		if (at >= lo)
			return at;
	}
	return 0;
}

int linux_put_initrd(struct guest_ram *ram, const struct e820_entry *map,
		     int nr_map, const char *path, uint64_t floor,
		     uint64_t limit, struct linux_boot_info *info,
		     char *err, size_t errlen)
{
	struct linux_file f;
	uint64_t at;
	void *p;

	if (linux_file_read(&f, "initrd", path, err, errlen) < 0)
		return -1;
	floor = align_up(floor, MACHINE_PAGE_SIZE);
	at = f.size ? initrd_spot(map, nr_map, f.size, floor, limit) : floor;
	if (!at) {
		fail(err, errlen, "initrd '%s' is %zu bytes; no RAM that large"
		     " lies between the kernel's end 0x%" PRIx64 " and the"
		     " initrd limit 0x%" PRIx64 ": give more RAM with --mem"
		     " or use a smaller initrd", path, f.size, floor, limit);
		goto out_free;
	}
	p = linux_ram_at(ram, map, nr_map, at, f.size, "initrd", err, errlen);
	if (!p)
		goto out_free;
	memcpy(p, f.data, f.size);
	info->initrd_addr = at;
	info->initrd_size = f.size;
	linux_file_free(&f);
	return 0;

out_free:
	linux_file_free(&f);
	return -1;
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
		return fail(err, errlen, "'%s' is not a Linux bzImage (no"
			    " \"HdrS\" at offset 0x202): pass the kernel's"
			    " arch/x86/boot/bzImage (a vmlinux ELF boots with"
			    " PVH)", bz->path);
	bz->hdr_end = 0x202 + d[SETUP_JUMP_OFFSET];
	if (bz->hdr_end > SETUP_HDR_OFFSET + sizeof(bz->hdr))
		bz->hdr_end = SETUP_HDR_OFFSET + sizeof(bz->hdr);
	if (bz->hdr_end > size)
		return fail(err, errlen, "'%s' is truncated: its setup header"
			    " ends at 0x%zx but the file has %zu bytes",
			    bz->path, bz->hdr_end, size);
	memset(&bz->hdr, 0, sizeof(bz->hdr));
	memcpy(&bz->hdr, d + SETUP_HDR_OFFSET,
	       bz->hdr_end - SETUP_HDR_OFFSET);
	if (bz->hdr.version < MIN_PROTOCOL)
		return fail(err, errlen, "'%s' uses boot protocol %u.%02u;"
			    " boardvm needs 2.06 or newer (Linux 2.6.22 or"
			    " later)", bz->path, bz->hdr.version >> 8,
			    bz->hdr.version & 0xff);
	if (!(bz->hdr.loadflags & LOADED_HIGH))
		return fail(err, errlen, "'%s' is a zImage (loadflags has no"
			    " LOADED_HIGH); boardvm loads only bzImages at"
			    " 1 MiB", bz->path);
	sects = bz->hdr.setup_sects ? bz->hdr.setup_sects : 4;
	bz->setup_size = (sects + 1) * 512ull;
	bz->payload_size = bz->hdr.syssize * 16ull;
	if (bz->setup_size + bz->payload_size > size)
		return fail(err, errlen, "'%s' is truncated: its setup header"
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
	    e820_ram_at(map, nr_map, pref, bz->init_size))
		bz->load_addr = pref;
	else
		bz->load_addr = KERNEL_LOW_ADDR;
	if (!e820_ram_at(map, nr_map, bz->load_addr, bz->payload_size) ||
	    !e820_ram_at(map, nr_map, bz->run_addr, bz->init_size))
		return fail(err, errlen, "kernel '%s' needs RAM at 0x%" PRIx64
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
	if (linux_file_read(&bz.file, "kernel", args->kernel, err,
			    errlen) < 0)
		return -1;
	ret = bzimage_parse(&bz, err, errlen);
	if (!ret)
		ret = bzimage_load(&bz, args, ram, cpu, info, err, errlen);
	linux_file_free(&bz.file);
	return ret;
}

int linux_load(const struct linux_boot_args *args, struct guest_ram *ram,
	       struct boot_cpu_state *cpu, struct linux_boot_info *info,
	       char *err, size_t errlen)
{
	static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	char magic[4] = { 0 };
	int fd = open(args->kernel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(err, errlen, "cannot open kernel '%s': %s",
			    args->kernel, strerror(errno));
	if (read(fd, magic, sizeof(magic)) < 0)
		magic[0] = 0;
	close(fd);
	if (!memcmp(magic, elf_magic, sizeof(magic)))
		return linux_load_pvh(args, ram, cpu, info, err, errlen);
	return linux_load_bzimage(args, ram, cpu, info, err, errlen);
}
