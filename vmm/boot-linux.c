// SPDX-License-Identifier: MIT
/*
 * What the Linux loaders share (boot-bzimage.c, boot-pvh.c): reading the
 * kernel and initrd files, the e820 map from the board, guest RAM lookups,
 * the flat GDT, the command line and the initrd placement. KVM-free; see
 * boot-linux.h for the guest memory used.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


#include "common.h"
#include "boot-error.h"
#include "boot-linux.h"
#include "host-file.h"


/* The boot CPU state's control bits. */
#define CR0_PE			(1ull << 0)
#define CR0_ET			(1ull << 4)
#define RFLAGS_FIXED		(1ull << 1)

/* GDT descriptors: flat 4 GiB code (64-bit or 32-bit), data, and TSS. */
#define GDT_CODE64		0x00af9b000000ffffull
#define GDT_CODE32		0x00cf9b000000ffffull
#define GDT_DATA		0x00cf93000000ffffull
#define GDT_TSS			0x00008b0000000067ull
#define GDT_ENTRIES		6	/* a long-mode TSS takes two slots */

int linux_file_read(struct linux_file *f, const char *what,
		    const char *path, const struct linux_file_limit *limit,
		    char *err, size_t errlen)
{
	struct stat st;
	int fd;

	f->data = NULL;
	f->size = 0;
	fd = host_file_open(what, path, O_RDONLY, HOST_FILE_REGULAR, &st, err,
			    errlen);
	if (fd < 0)
		return -1;
	/* The size first: nothing larger than its room is read at all. */
	if ((uint64_t)st.st_size > limit->max) {
		boot_error(err, errlen, "%s '%s' is %jd bytes, larger than %s (%"
			   PRIu64 " bytes): nothing was read; %s", what, path,
			   (intmax_t)st.st_size, limit->what, limit->max,
			   limit->fix);
		goto out_close;
	}
	f->size = st.st_size;
	/* mmap() cannot map 0 bytes: an empty file maps one zero page. */
	if (f->size)
		f->data = mmap(NULL, f->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE, fd, 0);
	else
		f->data = mmap(NULL, 1, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->data == MAP_FAILED) {
		boot_error(err, errlen, "cannot map %s '%s' (%jd bytes): %s",
			   what, path, (intmax_t)st.st_size, strerror(errno));
		f->data = NULL;
		f->size = 0;
		goto out_close;
	}
	close(fd);
	return 0;

out_close:
	close(fd);
	return -1;
}

void linux_file_free(struct linux_file *f)
{
	if (f->data)
		munmap(f->data, f->size ? f->size : 1);
	f->data = NULL;
	f->size = 0;
}

/*
 * The board's reserved ranges as spans (at most GUEST_RAM_MAX_SPANS), and
 * with `ecam` the ECAM window after them (one more): how many.
 */
static unsigned reserved_spans(const struct linux_boot_args *args,
			       struct ram_span *reserved, bool ecam)
{
	unsigned n = args->nr_reserved;

	for (unsigned i = 0; i < n; i++) {
		reserved[i].base = args->reserved[i].base;
		reserved[i].size = args->reserved[i].size;
		reserved[i].index = i;
	}
	if (ecam && args->ecam_size) {
		reserved[n] = (struct ram_span){ args->ecam_base,
						 args->ecam_size, n };
		n++;
	}
	return n;
}

int linux_ram_fill(const struct linux_boot_args *args, struct ram_span *spans,
		   unsigned max, struct ram_fill_fault *fault)
{
	struct ram_span regions[GUEST_RAM_MAX_SPANS];
	struct ram_span reserved[GUEST_RAM_MAX_SPANS];

	if (args->nr_ram > GUEST_RAM_MAX_SPANS ||
	    args->nr_reserved > GUEST_RAM_MAX_SPANS) {
		if (fault)
			fault->kind = RAM_FILL_TOO_MANY;
		return -1;
	}
	for (unsigned i = 0; i < args->nr_ram; i++) {
		regions[i].base = args->ram[i].base;
		regions[i].size = args->ram[i].size;
		regions[i].index = i;
	}
	reserved_spans(args, reserved, false);
	return ram_layout_fill(regions, args->nr_ram, reserved,
			       args->nr_reserved, args->mem, spans, max, fault);
}

/* The board's RAM filled with args->mem bytes, as the VMM's memslots. */
static int fill_ram(const struct linux_boot_args *args,
		    struct ram_span *spans, unsigned max, char *err,
		    size_t errlen)
{
	struct ram_fill_fault fault = { .kind = RAM_FILL_OK };
	const char *prev = "", *next = "";
	char why[320];
	int n;

	if (args->nr_ram > GUEST_RAM_MAX_SPANS)
		return boot_error(err, errlen, "the board has %u RAM regions; the"
			    " loader handles at most %u", args->nr_ram,
			    GUEST_RAM_MAX_SPANS);
	if (args->nr_reserved > GUEST_RAM_MAX_SPANS)
		return boot_error(err, errlen, "the board has %u reserved ranges;"
			    " the loader handles at most %u",
			    args->nr_reserved, GUEST_RAM_MAX_SPANS);
	n = linux_ram_fill(args, spans, max, &fault);
	if (n > 0)
		return n;
	if (fault.kind == RAM_FILL_IN_RESERVED) {
		prev = args->ram[fault.prev].name;
		next = args->ram[fault.next].name;
	}
	ram_fill_fault_explain(&fault, prev, next, why, sizeof(why));
	return boot_error(err, errlen, "guest RAM of %" PRIu64 " bytes %s",
			  args->mem, n ? why : "is none: give --mem");
}

int linux_e820(const struct linux_boot_args *args, struct e820_entry *out,
	       unsigned max, char *err, size_t errlen)
{
	struct ram_span spans[GUEST_RAM_MAX_SPANS];
	struct ram_span reserved[GUEST_RAM_MAX_SPANS + 1];
	unsigned nr_reserved;
	int nr_spans, n;

	nr_spans = fill_ram(args, spans, GUEST_RAM_MAX_SPANS, err, errlen);
	if (nr_spans < 0)
		return -1;
	/* The ECAM window is the e820 map's alone: --mem does not count it. */
	nr_reserved = reserved_spans(args, reserved, true);
	n = ram_layout_e820(spans, nr_spans, reserved, nr_reserved, out,
			    max);
	n = ram_layout_e820_acpi(out, n, max, args->acpi_base,
				 args->acpi_size);
	if (n < 0)
		return boot_error(err, errlen, "the e820 map has more than %u"
			    " entries", max);
	return n;
}

/* The e820 RAM entry that holds all of [addr, addr + size), or NULL. */
const struct e820_entry *linux_e820_ram_at(const struct e820_entry *map,
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

	if (linux_e820_ram_at(map, nr_map, addr, size))
		p = guest_ram_ptr(ram, addr, size);
	if (!p)
		boot_error(err, errlen, "the %s at 0x%" PRIx64 "-0x%" PRIx64 " is not"
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

int linux_put_cmdline(struct guest_ram *ram, const struct e820_entry *map,
		      int nr_map, const char *cmdline, uint64_t max,
		      const char *limit_what, char *err, size_t errlen)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	char *p;

	if (max > BOOT_CMDLINE_MAX - 1)
		max = BOOT_CMDLINE_MAX - 1;
	if (len > max)
		return boot_error(err, errlen, "the kernel command line is %zu"
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

/*
 * The largest initrd initrd_spot() can place: checked against the file's
 * size before a byte of it is read.
 */
static uint64_t initrd_room(const struct e820_entry *map, int nr_map,
			    uint64_t floor, uint64_t limit)
{
	uint64_t room = 0;

	for (int i = 0; i < nr_map; i++) {
		const struct e820_entry *e = &map[i];
		uint64_t lo = boot_align_up(e->addr > floor ? e->addr : floor,
					    MACHINE_PAGE_SIZE);
		uint64_t hi = e->addr + e->size < limit ? e->addr + e->size
							 : limit;

		if (e->type == E820_RAM && hi > lo && hi - lo > room)
			room = hi - lo;
	}
	return room;
}

int linux_put_initrd(struct guest_ram *ram, const struct e820_entry *map,
		     int nr_map, const char *path, uint64_t floor,
		     uint64_t limit, struct linux_boot_info *info,
		     char *err, size_t errlen)
{
	struct linux_file_limit room = {
		.fix = "give more RAM with --mem or use a smaller initrd",
	};
	char where[160];
	struct linux_file f;
	uint64_t at;
	void *p;

	floor = boot_align_up(floor, MACHINE_PAGE_SIZE);
	room.max = initrd_room(map, nr_map, floor, limit);
	snprintf(where, sizeof(where), "the largest RAM range between the "
		 "kernel's end 0x%" PRIx64 " and the initrd limit 0x%" PRIx64,
		 floor, limit);
	room.what = where;
	if (linux_file_read(&f, "initrd", path, &room, err, errlen) < 0)
		return -1;
	at = f.size ? initrd_spot(map, nr_map, f.size, floor, limit) : floor;
	if (!at) {
		boot_error(err, errlen, "initrd '%s' is %zu bytes; no RAM that large"
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
