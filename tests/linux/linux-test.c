// SPDX-License-Identifier: MIT
/*
 * Host-only tests of the Linux loaders (vmm/boot-linux.c, boot-pvh.c) and
 * the MP table (vmm/mptable.c), on the pc board's generated tables and a
 * fake guest RAM (anonymous mappings laid out like the VMM's memslots).
 * Synthetic bzImage and ELF files cover the refusals without any download;
 * the real Debian kernel is used when tests/linux/loaders.sh finds it (it
 * is only loaded, never run). Where /dev/kvm opens, a few instructions of
 * synthetic guest code check that KVM accepts and runs each entry state.
 *
 *   linux-test [--bzimage PATH] [--vmlinux PATH] [--initrd PATH]
 *
 * Prints one PASS/FAIL/SKIP line per test (tests/run.sh format).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/bootparam.h>
#include <linux/kvm.h>

#include "common.h"
#include "boot-linux.h"
#include "guest-ram.h"
#include "irq-routing.h"
#include "mptable.h"
#include "ram-layout.h"

#define K		1024ull
#define M		(1024 * K)
#define G		(1024 * M)
#define ERRLEN		512

static int failures;
static char tmpdir[] = "/tmp/boardvm-linux-test.XXXXXX";
static const char *real_bzimage, *real_vmlinux, *real_initrd;

/* ---- reporting ---------------------------------------------------------- */

/* The first failed check of the running test, printed by test_end(). */
static char why[1024];

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok || why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
}

static void test_end(const char *name)
{
	if (why[0]) {
		printf("FAIL /linux/%s: %s\n", name, why);
		failures++;
	} else {
		printf("PASS /linux/%s\n", name);
	}
	why[0] = 0;
	fflush(stdout);
}

static void check_msg(const char *got, const char *want)
{
	check(!strcmp(got, want), "message\n  got:  %s\n  want: %s", got,
	      want);
}

/* ---- fixtures ----------------------------------------------------------- */

static void pc_args(struct linux_boot_args *a, uint64_t mem)
{
	memset(a, 0, sizeof(*a));
	linux_boot_args_board(a);
	a->mem = mem;
}

/* Guest memory as the VMM maps it: filled RAM plus backed reserved. */
static int fake_ram_init(struct guest_ram *ram,
			 const struct linux_boot_args *a)
{
	struct ram_span spans[16];
	int n;

	memset(ram, 0, sizeof(*ram));
	n = linux_ram_fill(a, spans, 16, NULL);
	for (int i = 0; i < n; i++) {
		void *p = mmap(NULL, spans[i].size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);

		if (p == MAP_FAILED ||
		    guest_ram_add(ram, spans[i].base, spans[i].size, p) < 0)
			return -1;
	}
	for (unsigned i = 0; i < a->nr_reserved; i++) {
		const struct board_reserved *r = &a->reserved[i];
		void *p;

		if (!r->backed)
			continue;
		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED ||
		    guest_ram_add(ram, r->base, r->size, p) < 0)
			return -1;
	}
	return n < 0 ? -1 : 0;
}

static void fake_ram_free(struct guest_ram *ram)
{
	for (unsigned i = 0; i < ram->nr; i++)
		munmap(ram->spans[i].host, ram->spans[i].size);
	ram->nr = 0;
}

static void *gpa(const struct guest_ram *ram, uint64_t addr, uint64_t len)
{
	static uint8_t zero[4096];
	void *p = guest_ram_ptr(ram, addr, len);

	check(p != NULL, "guest 0x%" PRIx64 "+0x%" PRIx64 " is not mapped",
	      addr, len);
	return p ? p : zero;
}

static char *tmp_path(const char *name)
{
	static char paths[16][256];
	static unsigned next;
	char *p = paths[next++ % ARRAY_SIZE(paths)];

	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

static char *write_file(const char *name, const void *data, size_t size)
{
	char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return path;
}

/* A file of `size` bytes of a known pattern (an initrd stand-in). */
static char *write_pattern(const char *name, size_t size, uint8_t seed)
{
	uint8_t *buf = malloc(size ? size : 1);
	char *path;

	for (size_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(i * 31 + seed);
	path = write_file(name, buf, size);
	free(buf);
	return path;
}

static int pattern_ok(const uint8_t *p, size_t size, uint8_t seed)
{
	for (size_t i = 0; i < size; i++)
		if (p[i] != (uint8_t)(i * 31 + seed))
			return 0;
	return 1;
}

/* ---- synthetic bzImage -------------------------------------------------- */

struct synth_bz {
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t initrd_addr_max;
	uint32_t payload;		/* bytes, a multiple of 16 */
	size_t truncate;		/* nonzero: cut the file here */
	const uint8_t *code;		/* guest code at payload + code_at */
	size_t code_len;
	uint32_t code_at;
};

#define SYNTH_SETUP	(5 * 512)	/* setup_sects 4, plus the boot sector */
#define SYNTH_SEED	0x5a

static const struct synth_bz synth_default = {
	.version = 0x20f,
	.loadflags = LOADED_HIGH,
	.xloadflags = XLF_KERNEL_64,
	.relocatable = 1,
	.pref_address = 0x1000000,
	.init_size = 0x400000,
	.cmdline_size = 255,
	.initrd_addr_max = 0x7fffffff,
	.payload = 0x3000,
};

static char *write_bzimage(const char *name, const struct synth_bz *s)
{
	size_t size = SYNTH_SETUP + s->payload;
	uint8_t *buf = calloc(1, size);
	struct setup_header *h = (struct setup_header *)(buf + 0x1f1);
	char *path;

	h->setup_sects = 4;
	h->syssize = s->payload / 16;
	h->boot_flag = 0xaa55;
	buf[0x201] = 0x6a;		/* header ends at 0x26c */
	h->header = 0x53726448;
	h->version = s->version;
	h->loadflags = s->loadflags;
	h->code32_start = 0x100000;
	h->initrd_addr_max = s->initrd_addr_max;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = s->relocatable;
	h->xloadflags = s->xloadflags;
	h->cmdline_size = s->cmdline_size;
	h->pref_address = s->pref_address;
	h->init_size = s->init_size;
	for (uint32_t i = 0; i < s->payload; i++)
		buf[SYNTH_SETUP + i] = (uint8_t)(i * 31 + SYNTH_SEED);
	if (s->code)
		memcpy(buf + SYNTH_SETUP + s->code_at, s->code, s->code_len);
	path = write_file(name, buf, s->truncate ? s->truncate : size);
	free(buf);
	return path;
}

/* ---- tests: guest RAM and e820 ------------------------------------------ */

static void test_guest_ram(void)
{
	static uint8_t a[0x1000], b[0x1000];
	struct guest_ram ram = { 0 };

	check(guest_ram_add(&ram, 0x0, sizeof(a), a) == 0, "add first span");
	check(guest_ram_add(&ram, 0x10000, sizeof(b), b) == 0,
	      "add second span");
	check(guest_ram_add(&ram, 0x800, 0x1000, b) < 0,
	      "an overlapping span must be refused");
	check(guest_ram_ptr(&ram, 0x10, 0x10) == a + 0x10, "inside span 0");
	check(guest_ram_ptr(&ram, 0x10ff0, 0x10) == b + 0xff0,
	      "end of span 1");
	check(!guest_ram_ptr(&ram, 0x10ff0, 0x11), "past the end of span 1");
	check(!guest_ram_ptr(&ram, 0xff0, 0x20), "across the gap");
	check(!guest_ram_ptr(&ram, 0x5000, 1), "in the gap");
	check(!guest_ram_ptr(&ram, UINT64_MAX, 2), "wrapping range");
	test_end("guest-ram/ptr");
}

struct want_e820 {
	uint64_t addr, size;
	uint32_t type;
};

static bool e820_same(const struct e820_entry *a, const struct e820_entry *b,
		      int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].addr != b[i].addr || a[i].size != b[i].size ||
		    a[i].type != b[i].type)
			return false;
	return true;
}

/* linux_e820() equals ram_layout_e820() over the board, and the literal. */
static void check_e820(uint64_t mem, const struct want_e820 *want,
		       unsigned nr_want)
{
	struct linux_boot_args a;
	struct e820_entry got[LINUX_MAX_E820], ref[LINUX_MAX_E820];
	struct ram_span regions[16], spans[16], res[17];
	char err[ERRLEN] = "";
	int n, nref, nspans;
	unsigned nres;

	pc_args(&a, mem);
	n = linux_e820(&a, got, ARRAY_SIZE(got), err, sizeof(err));
	for (unsigned i = 0; i < a.nr_ram; i++)
		regions[i] = (struct ram_span){ a.ram[i].base, a.ram[i].size,
						i };
	for (unsigned i = 0; i < a.nr_reserved; i++)
		res[i] = (struct ram_span){ a.reserved[i].base,
					    a.reserved[i].size, i };
	nspans = ram_layout_fill(regions, a.nr_ram, res, a.nr_reserved, mem,
				 spans, 16, NULL);
	/* The ECAM window: reserved in the e820 map, not counted by --mem. */
	nres = a.nr_reserved;
	if (a.ecam_size)
		res[nres++] = (struct ram_span){ a.ecam_base, a.ecam_size, 0 };
	nref = ram_layout_e820(spans, nspans, res, nres, ref,
			       ARRAY_SIZE(ref));
	nref = ram_layout_e820_acpi(ref, nref, ARRAY_SIZE(ref), a.acpi_base,
				    a.acpi_size);
	check(n == nref && n > 0 && e820_same(got, ref, n),
	      "linux_e820 (%d entries%s%s) differs from ram_layout_e820 (%d)",
	      n, err[0] ? ": " : "", err, nref);
	check((unsigned)n == nr_want, "%d entries, want %u", n, nr_want);
	for (unsigned i = 0; i < nr_want && i < (unsigned)n; i++)
		check(got[i].addr == want[i].addr &&
		      got[i].size == want[i].size &&
		      got[i].type == want[i].type,
		      "entry %u: 0x%" PRIx64 "+0x%" PRIx64 " type %u, want"
		      " 0x%" PRIx64 "+0x%" PRIx64 " type %u", i, got[i].addr,
		      got[i].size, got[i].type, want[i].addr, want[i].size,
		      want[i].type);
}

/*
 * boards/pc.yaml below 1 MiB: base RAM, then ebda, vga, option-roms and
 * bios-rom (adjacent, so merged into one reserved range up to 1 MiB).
 * Sizes from the board so a page-size tweak there does not break the
 * test; the shape is what is checked.
 */
static uint64_t pc_base_ram(void)
{
	return board_ram[0].size;
}

/*
 * The top of pc's RAM below the PCI hole for --mem `mem`: --mem counts
 * [0, 3 GiB) whole, the reserved ranges below 1 MiB included.
 */
static uint64_t pc_ram_top(uint64_t mem)
{
	return mem < 0xc0000000 ? mem : 0xc0000000;
}

/*
 * pc's entries below 1 MiB: base RAM, the legacy reserved ranges with
 * the pages of the ACPI tables (in bios-rom) cut out of them as ACPI
 * data. Returns how many.
 */
static unsigned pc_low(struct want_e820 *w)
{
	uint64_t lo = board_firmware.acpi_base & ~0xfffull;
	uint64_t hi = (board_firmware.acpi_base + board_firmware.acpi_size +
		       0xfff) & ~0xfffull;

	w[0] = (struct want_e820){ 0x0, pc_base_ram(), E820_RAM };
	w[1] = (struct want_e820){ pc_base_ram(), lo - pc_base_ram(),
				   E820_RESERVED };
	w[2] = (struct want_e820){ lo, hi - lo, E820_ACPI };
	w[3] = (struct want_e820){ hi, 0x100000 - hi, E820_RESERVED };
	return 4;
}

/* pc's ECAM window (pci-host's mmio:, below 4 GiB): reserved. Returns 1. */
static unsigned pc_ecam(struct want_e820 *w)
{
	const struct board_region *r = linux_board_ecam();

	check(r && r->size == 0x100000, "no 1 MiB ECAM window (pc: bus 0)");
	*w = (struct want_e820){ r ? r->base : 0, r ? r->size : 0,
				 E820_RESERVED };
	return 1;
}

static void test_e820_512m(void)
{
	struct want_e820 want[6];
	unsigned n = pc_low(want);

	want[n++] = (struct want_e820){ 0x100000, 512 * M - 0x100000,
					E820_RAM };
	n += pc_ecam(&want[n]);
	check_e820(512 * M, want, n);
	test_end("e820/pc-512M");
}

static void test_e820_3_5g(void)
{
	struct want_e820 want[7];
	unsigned n = pc_low(want);

	want[n++] = (struct want_e820){ 0x100000, 0xbff00000, E820_RAM };
	n += pc_ecam(&want[n]);
	/* --mem counts [0, 3 GiB) whole, the legacy ranges too. */
	want[n++] = (struct want_e820){ 4 * G, G / 2, E820_RAM };
	check_e820(3 * G + G / 2, want, n);
	test_end("e820/pc-3.5G");
}

/* ---- tests: bzImage ----------------------------------------------------- */

/* Zero page fields every bzImage boot must have, against the e820. */
static void check_zero_page(const struct guest_ram *ram,
			    const struct boot_cpu_state *cpu,
			    const struct linux_boot_args *a,
			    const struct linux_boot_info *info)
{
	const struct boot_params *bp = gpa(ram, cpu->rsi, sizeof(*bp));
	struct e820_entry map[LINUX_MAX_E820];
	char err[ERRLEN];
	int n = linux_e820(a, map, ARRAY_SIZE(map), err, sizeof(err));
	const char *cmdline = gpa(ram, bp->hdr.cmd_line_ptr, 1);

	check(cpu->rsi == BOOT_PARAMS_ADDR, "rsi 0x%" PRIx64, cpu->rsi);
	check(bp->hdr.header == 0x53726448, "HdrS not copied");
	check(bp->hdr.type_of_loader == 0xff, "type_of_loader 0x%x",
	      bp->hdr.type_of_loader);
	check(bp->hdr.vid_mode == 0xffff, "vid_mode 0x%x", bp->hdr.vid_mode);
	check(bp->hdr.loadflags & CAN_USE_HEAP, "CAN_USE_HEAP not set");
	check(bp->hdr.heap_end_ptr == 0xfe00, "heap_end_ptr 0x%x",
	      bp->hdr.heap_end_ptr);
	check(bp->hdr.cmd_line_ptr == BOOT_CMDLINE_ADDR, "cmd_line_ptr 0x%x",
	      bp->hdr.cmd_line_ptr);
	check(!strcmp(cmdline, a->cmdline ? a->cmdline : ""),
	      "cmdline '%s'", cmdline);
	check(bp->hdr.code32_start == info->kernel_addr, "code32_start 0x%x",
	      bp->hdr.code32_start);
	check(bp->e820_entries == n, "e820_entries %u, want %d",
	      bp->e820_entries, n);
	for (int i = 0; i < n && i < bp->e820_entries; i++)
		check(bp->e820_table[i].addr == map[i].addr &&
		      bp->e820_table[i].size == map[i].size &&
		      bp->e820_table[i].type == map[i].type,
		      "zero page e820[%d] differs from linux_e820", i);
	check(bp->hdr.ramdisk_image == info->initrd_addr &&
	      bp->hdr.ramdisk_size == info->initrd_size,
	      "ramdisk 0x%x+0x%x, loader says 0x%" PRIx64 "+0x%" PRIx64,
	      bp->hdr.ramdisk_image, bp->hdr.ramdisk_size,
	      info->initrd_addr, info->initrd_size);
}

/* Long mode: paging on, PAE, LME/LMA, 2 MiB identity map of 4 GiB. */
static void check_long_mode(const struct guest_ram *ram,
			    const struct boot_cpu_state *cpu)
{
	const uint64_t *pml4 = gpa(ram, cpu->cr3, 4096);
	const uint64_t *pdpt = gpa(ram, pml4[0] & ~0xfffull, 4096);
	const uint64_t *gdt = gpa(ram, cpu->gdt_base, cpu->gdt_limit + 1);

	check(cpu->mode == BOOT_CPU_LONG64, "mode %d", cpu->mode);
	check((cpu->cr0 & 0x80000001) == 0x80000001, "cr0 0x%" PRIx64,
	      cpu->cr0);
	check(cpu->cr4 & 0x20, "cr4 0x%" PRIx64 " lacks PAE", cpu->cr4);
	check((cpu->efer & 0x500) == 0x500, "efer 0x%" PRIx64, cpu->efer);
	check(cpu->cs.selector == 0x10 && cpu->cs.l && !cpu->cs.db,
	      "cs: selector 0x%x l %u db %u", cpu->cs.selector, cpu->cs.l,
	      cpu->cs.db);
	check(cpu->ds.selector == 0x18 && cpu->ss.selector == 0x18,
	      "ds/ss selectors 0x%x/0x%x", cpu->ds.selector,
	      cpu->ss.selector);
	check(gdt[2] == 0x00af9b000000ffffull, "GDT[2] 0x%" PRIx64, gdt[2]);
	check(!(cpu->rflags & 0x200), "interrupts must be off");
	for (unsigned i = 0; i < 4; i++) {
		const uint64_t *pd = gpa(ram, pdpt[i] & ~0xfffull, 4096);

		check((pdpt[i] & 3) == 3, "PDPT[%u] 0x%" PRIx64, i, pdpt[i]);
		for (unsigned j = 0; j < 512; j++)
			check(pd[j] == ((i * 512ull + j) << 21 | 0x83),
			      "PD[%u][%u] = 0x%" PRIx64 ", want a present"
			      " 2 MiB identity page", i, j, pd[j]);
	}
}

static void test_bzimage_64(void)
{
	struct synth_bz s = synth_default;
	struct linux_boot_args a;
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	char err[ERRLEN] = "";
	const uint8_t *k, *rd;
	int ret;

	pc_args(&a, 512 * M);
	a.kernel = write_bzimage("bz64", &s);
	a.initrd = write_pattern("initrd", 100000, 3);
	a.cmdline = "console=ttyS0 panic=-1";
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	ret = linux_load_bzimage(&a, &ram, &cpu, &info, err, sizeof(err));
	check(ret == 0, "load failed: %s", err);
	check(info.kernel_addr == 0x1000000,
	      "a relocatable kernel loads at pref_address, got 0x%" PRIx64,
	      info.kernel_addr);
	k = gpa(&ram, info.kernel_addr, s.payload);
	check(pattern_ok(k, s.payload, SYNTH_SEED),
	      "protected-mode code not copied from offset (setup_sects+1)*512");
	check(cpu.rip == 0x1000200, "64-bit entry rip 0x%" PRIx64, cpu.rip);
	check_zero_page(&ram, &cpu, &a, &info);
	check_long_mode(&ram, &cpu);
	check(info.kernel_end == 0x1000000 + s.init_size,
	      "kernel_end 0x%" PRIx64, info.kernel_end);
	/* Highest page below the top of RAM (below initrd_addr_max). */
	check(info.initrd_addr ==
	      ((pc_ram_top(512 * M) - 100000) & ~0xfffull),
	      "initrd at 0x%" PRIx64, info.initrd_addr);
	rd = gpa(&ram, info.initrd_addr, 100000);
	check(pattern_ok(rd, 100000, 3), "initrd bytes not copied");
	fake_ram_free(&ram);
	test_end("bzimage/synthetic-64bit");
}

static void test_bzimage_32(void)
{
	struct synth_bz s = synth_default;
	struct linux_boot_args a;
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	char err[ERRLEN] = "";

	s.xloadflags = 0;
	s.relocatable = 0;
	s.initrd_addr_max = 0x37ffffff;
	pc_args(&a, 2 * G);
	a.kernel = write_bzimage("bz32", &s);
	a.initrd = write_pattern("initrd32", 5000, 9);
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	check(linux_load_bzimage(&a, &ram, &cpu, &info, err,
				 sizeof(err)) == 0, "load failed: %s", err);
	check(info.kernel_addr == 0x100000,
	      "a non-relocatable kernel loads at 1 MiB, got 0x%" PRIx64,
	      info.kernel_addr);
	check(cpu.mode == BOOT_CPU_PROTECTED32, "mode %d", cpu.mode);
	check(cpu.rip == 0x100000, "32-bit entry rip 0x%" PRIx64, cpu.rip);
	check(cpu.cr0 == 0x11 && !cpu.efer && !cpu.cr4,
	      "cr0 0x%" PRIx64 " efer 0x%" PRIx64, cpu.cr0, cpu.efer);
	check(cpu.cs.selector == 0x10 && cpu.cs.db && !cpu.cs.l &&
	      cpu.cs.g && cpu.cs.limit == 0xffffffff,
	      "cs must be flat 32-bit __BOOT_CS");
	check(cpu.ds.selector == 0x18 && cpu.es.selector == 0x18 &&
	      cpu.ss.selector == 0x18, "data segments must be __BOOT_DS");
	check(cpu.rsi == BOOT_PARAMS_ADDR && !cpu.rbx, "esi/ebx");
	/* initrd_addr_max is the last byte the initrd may occupy. */
	check(info.initrd_addr + info.initrd_size - 1 <= 0x37ffffff &&
	      info.initrd_addr == ((0x38000000 - 5000) & ~0xfffull),
	      "initrd at 0x%" PRIx64 " must end at or below 0x37ffffff",
	      info.initrd_addr);
	check_zero_page(&ram, &cpu, &a, &info);
	fake_ram_free(&ram);
	test_end("bzimage/synthetic-32bit");
}

/* Load `s` (or a given file) and compare the refusal's message. */
static void expect_refusal(const char *name, struct linux_boot_args *a,
			   const char *want)
{
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	char err[ERRLEN] = "";
	int ret;

	check(fake_ram_init(&ram, a) == 0, "fake RAM");
	ret = linux_load(a, &ram, &cpu, &info, err, sizeof(err));
	check(ret < 0, "loaded; must be refused");
	check_msg(err, want);
	fake_ram_free(&ram);
	test_end(name);
}

static void test_bz_refusals(void)
{
	struct synth_bz s = synth_default;
	struct linux_boot_args a;
	char want[ERRLEN], cmd[300];
	uint8_t junk[4096];

	pc_args(&a, 512 * M);
	a.kernel = tmp_path("no-such-kernel");
	snprintf(want, sizeof(want), "cannot open kernel '%s': No such file"
		 " or directory", a.kernel);
	expect_refusal("bzimage/refuse-missing", &a, want);

	memset(junk, 0x90, sizeof(junk));
	a.kernel = write_file("junk", junk, sizeof(junk));
	snprintf(want, sizeof(want), "'%s' is not a Linux bzImage (no"
		 " \"HdrS\" at offset 0x202): pass the kernel's"
		 " arch/x86/boot/bzImage (a vmlinux ELF boots with PVH)",
		 a.kernel);
	expect_refusal("bzimage/refuse-not-kernel", &a, want);

	/* Larger than guest RAM: refused by its size, nothing read. */
	a.mem = 64 * M;
	check(truncate(a.kernel, 65 * M) == 0, "truncate: %s", strerror(errno));
	snprintf(want, sizeof(want), "kernel '%s' is %llu bytes, larger than"
		 " the guest's RAM (%llu bytes): nothing was read; give more"
		 " --mem, or strip the kernel (a vmlinux with debug"
		 " information: objcopy --strip-debug)", a.kernel, 65 * M,
		 64 * M);
	expect_refusal("bzimage/refuse-larger-than-ram", &a, want);
	a.mem = 512 * M;

	s.truncate = SYNTH_SETUP + 0x1000;
	a.kernel = write_bzimage("truncated", &s);
	snprintf(want, sizeof(want), "'%s' is truncated: its setup header"
		 " says %u bytes (setup_sects 4, syssize 0x300) but the file"
		 " has %u", a.kernel, SYNTH_SETUP + 0x3000,
		 SYNTH_SETUP + 0x1000);
	expect_refusal("bzimage/refuse-truncated", &a, want);

	s = synth_default;
	s.truncate = 0x220;
	a.kernel = write_bzimage("short-header", &s);
	snprintf(want, sizeof(want), "'%s' is truncated: its setup header"
		 " ends at 0x26c but the file has 544 bytes", a.kernel);
	expect_refusal("bzimage/refuse-short-header", &a, want);

	s = synth_default;
	s.version = 0x205;
	a.kernel = write_bzimage("old", &s);
	snprintf(want, sizeof(want), "'%s' uses boot protocol 2.05; boardvm"
		 " needs 2.06 or newer (Linux 2.6.22 or later)", a.kernel);
	expect_refusal("bzimage/refuse-old-protocol", &a, want);

	s = synth_default;
	s.loadflags = 0;
	a.kernel = write_bzimage("zimage", &s);
	snprintf(want, sizeof(want), "'%s' is a zImage (loadflags has no"
		 " LOADED_HIGH); boardvm loads only bzImages at 1 MiB",
		 a.kernel);
	expect_refusal("bzimage/refuse-zimage", &a, want);

	s = synth_default;
	s.init_size = 0x3000000;	/* 48 MiB from 16 MiB */
	a.kernel = write_bzimage("big", &s);
	a.mem = 32 * M;
	snprintf(want, sizeof(want), "kernel '%s' needs RAM at 0x100000"
		 "-0x3ffffff (init_size 0x3000000 from 0x1000000), which this"
		 " board and --mem do not give: give more RAM with --mem",
		 a.kernel);
	expect_refusal("bzimage/refuse-small-ram", &a, want);

	s = synth_default;
	a.kernel = write_bzimage("ok", &s);
	a.mem = 512 * M;
	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = 0;
	a.cmdline = cmd;
	snprintf(want, sizeof(want), "the kernel command line is 299 bytes;"
		 " the kernel (cmdline_size) accepts at most 255: shorten"
		 " --append");
	expect_refusal("bzimage/refuse-long-cmdline", &a, want);

	cmd[255] = 0;		/* exactly cmdline_size: accepted */
	{
		struct guest_ram ram;
		struct boot_cpu_state cpu;
		char err[ERRLEN] = "";

		check(fake_ram_init(&ram, &a) == 0, "fake RAM");
		check(linux_load_bzimage(&a, &ram, &cpu, NULL, err,
					 sizeof(err)) == 0,
		      "a 255-byte command line must fit: %s", err);
		fake_ram_free(&ram);
		test_end("bzimage/cmdline-at-limit");
	}

	a.cmdline = NULL;
	a.mem = 64 * M;		/* kernel ends at 20 MiB: 44 MiB left */
	a.initrd = write_pattern("big-initrd", 45 * M, 1);
	/*
	 * Refused by its size, before a byte of it is read: the RAM above
	 * 1 MiB ends at 64 MiB (--mem counts the reserved ranges below
	 * 1 MiB, as kvmtool and QEMU do).
	 */
	snprintf(want, sizeof(want), "initrd '%s' is %llu bytes, larger than"
		 " the largest RAM range between the kernel's end 0x1400000"
		 " and the initrd limit 0x80000000 (%llu bytes): nothing was"
		 " read; give more RAM with --mem or use a smaller initrd",
		 a.initrd, 45 * M, 0x4000000ull - 0x1400000);
	expect_refusal("bzimage/refuse-big-initrd", &a, want);
	unlink(a.initrd);
}

/* ---- synthetic PVH vmlinux ---------------------------------------------- */

#define PVH_ENTRY	0x1000100ull

struct synth_elf {
	bool note;
	uint64_t paddr2;		/* second segment's address */
	const uint8_t *code;		/* guest code at PVH_ENTRY */
	size_t code_len;
};

static char *write_elf(const char *name, const struct synth_elf *s)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[3];
		Elf64_Nhdr nh;
		char note_name[4];
		uint64_t note_desc;
	} __attribute__((packed)) head = { 0 };
	size_t seg1 = 0x1000, seg2 = 0x2000, size = seg2 + 0x1000;
	uint8_t *buf = calloc(1, size);
	char *path;

	memcpy(head.eh.e_ident, ELFMAG, SELFMAG);
	head.eh.e_ident[EI_CLASS] = ELFCLASS64;
	head.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	head.eh.e_ident[EI_VERSION] = EV_CURRENT;
	head.eh.e_type = ET_EXEC;
	head.eh.e_machine = EM_X86_64;
	head.eh.e_version = EV_CURRENT;
	head.eh.e_entry = 0xffffffff81000000ull;
	head.eh.e_phoff = sizeof(Elf64_Ehdr);
	head.eh.e_ehsize = sizeof(Elf64_Ehdr);
	head.eh.e_phentsize = sizeof(Elf64_Phdr);
	head.eh.e_phnum = 3;
	/* text: 0x1000 bytes in the file, 0x3000 in memory (bss zeroed) */
	head.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = seg1,
				   .p_paddr = 0x1000000, .p_filesz = 0x1000,
				   .p_memsz = 0x3000 };
	head.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = seg2,
				   .p_paddr = s->paddr2, .p_filesz = 0x1000,
				   .p_memsz = 0x1000 };
	head.ph[2] = (Elf64_Phdr){ .p_type = s->note ? PT_NOTE : PT_NULL,
				   .p_offset = offsetof(typeof(head), nh),
				   .p_filesz = sizeof(Elf64_Nhdr) + 12 };
	head.nh.n_namesz = 4;
	head.nh.n_descsz = 8;
	head.nh.n_type = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(head.note_name, "Xen", 4);
	head.note_desc = PVH_ENTRY;
	memcpy(buf, &head, sizeof(head));
	for (size_t i = 0; i < 0x1000; i++) {
		buf[seg1 + i] = (uint8_t)(i * 31 + 1);
		buf[seg2 + i] = (uint8_t)(i * 31 + 2);
	}
	if (s->code)
		memcpy(buf + seg1 + (PVH_ENTRY - 0x1000000), s->code,
		       s->code_len);
	path = write_file(name, buf, size);
	free(buf);
	return path;
}

static void test_pvh_synthetic(void)
{
	struct synth_elf s = { .note = true, .paddr2 = 0x1200000 };
	struct linux_boot_args a;
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	char err[ERRLEN] = "";
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;
	const struct hvm_memmap_entry *mm;
	struct e820_entry map[LINUX_MAX_E820];
	const uint8_t *seg, *bss;
	int n;

	pc_args(&a, 256 * M);
	a.kernel = write_elf("vmlinux", &s);
	a.initrd = write_pattern("pvh-initrd", 70000, 5);
	a.cmdline = "console=ttyS0";
	/* Dirty the bss first: the loader must zero it. */
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	memset(gpa(&ram, 0x1001000, 0x2000), 0xcc, 0x2000);
	check(linux_load(&a, &ram, &cpu, &info, err, sizeof(err)) == 0,
	      "load failed: %s", err);
	check(cpu.mode == BOOT_CPU_PROTECTED32 && cpu.rip == PVH_ENTRY,
	      "entry: mode %d rip 0x%" PRIx64, cpu.mode, cpu.rip);
	check(!(cpu.cr0 & 0x80000000) && (cpu.cr0 & 1) && !cpu.cr4 &&
	      !cpu.efer, "PVH enters with PE set and paging off");
	check(cpu.cs.db && !cpu.cs.l && cpu.cs.limit == 0xffffffff &&
	      cpu.tr.type == 0xb && cpu.tr.limit == 0x67,
	      "flat 32-bit CS and a busy 32-bit TSS in TR");
	check(cpu.rbx == BOOT_PARAMS_ADDR, "ebx 0x%" PRIx64, cpu.rbx);
	seg = gpa(&ram, 0x1000000, 0x1000);
	bss = gpa(&ram, 0x1001000, 0x2000);
	check(pattern_ok(seg, 0x1000, 1), "segment 0 not copied");
	check(pattern_ok(gpa(&ram, 0x1200000, 0x1000), 0x1000, 2),
	      "segment 1 not copied");
	for (unsigned i = 0; i < 0x2000; i++)
		check(bss[i] == 0, "bss byte %u not zeroed", i);
	si = gpa(&ram, cpu.rbx, sizeof(*si));
	check(si->magic == HVM_START_MAGIC && si->version == 1,
	      "start_info magic 0x%x version %u", si->magic, si->version);
	check(!strcmp(gpa(&ram, si->cmdline_paddr, 1), "console=ttyS0"),
	      "start_info cmdline");
	check(si->rsdp_paddr == 0, "rsdp must be 0 (no ACPI)");
	check(si->nr_modules == 1, "nr_modules %u", si->nr_modules);
	mod = gpa(&ram, si->modlist_paddr, sizeof(*mod));
	check(mod->paddr == info.initrd_addr && mod->size == 70000 &&
	      !(mod->paddr & 0xfff) && mod->paddr >= info.kernel_end &&
	      mod->paddr + mod->size <= pc_ram_top(256 * M),
	      "module 0 at 0x%" PRIx64 "+0x%" PRIx64, mod->paddr,
	      mod->size);
	check(pattern_ok(gpa(&ram, mod->paddr, 70000), 70000, 5),
	      "initrd bytes");
	n = linux_e820(&a, map, ARRAY_SIZE(map), err, sizeof(err));
	check(si->memmap_entries == (uint32_t)n, "memmap_entries %u, want %d",
	      si->memmap_entries, n);
	mm = gpa(&ram, si->memmap_paddr, n * sizeof(*mm));
	for (int i = 0; i < n; i++)
		check(mm[i].addr == map[i].addr && mm[i].size == map[i].size &&
		      mm[i].type == map[i].type && !mm[i].reserved,
		      "memmap[%d] differs from the e820", i);
	fake_ram_free(&ram);
	test_end("pvh/synthetic");
}

static void test_pvh_refusals(void)
{
	struct synth_elf s = { .note = false, .paddr2 = 0x1200000 };
	struct linux_boot_args a;
	char want[ERRLEN];
	uint8_t elf32[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB };
	struct guest_ram ram;
	struct boot_cpu_state cpu;
	char err[ERRLEN] = "";

	pc_args(&a, 256 * M);
	a.kernel = write_elf("no-note", &s);
	snprintf(want, sizeof(want), "'%s' has no PVH entry note (Xen ELF"
		 " note 18, XEN_ELFNOTE_PHYS32_ENTRY): build the kernel with"
		 " CONFIG_PVH=y, or boot its bzImage", a.kernel);
	expect_refusal("pvh/refuse-no-note", &a, want);

	s.note = true;
	s.paddr2 = 0xc0000000;		/* the PCI window, never RAM */
	a.kernel = write_elf("outside", &s);
	snprintf(want, sizeof(want), "segment 1 of '%s' at 0xc0000000"
		 "-0xc0000fff lies outside guest RAM: give more RAM with"
		 " --mem", a.kernel);
	expect_refusal("pvh/refuse-outside-ram", &a, want);

	s.paddr2 = 0x8000;		/* on the loader's start_info */
	a.kernel = write_elf("low", &s);
	snprintf(want, sizeof(want), "segment 1 of '%s' at 0x8000 overlaps"
		 " the loader's boot data (GDT, start_info, command line)"
		 " below 0x30000: link the kernel at 1 MiB or above",
		 a.kernel);
	expect_refusal("pvh/refuse-low-segment", &a, want);

	a.kernel = write_file("elf32", elf32, sizeof(elf32));
	snprintf(want, sizeof(want), "'%s' is not a 64-bit x86 ELF (class 1,"
		 " machine 0): PVH needs an x86_64 vmlinux", a.kernel);
	expect_refusal("pvh/refuse-elf32", &a, want);

	a.kernel = write_pattern("not-elf", 4096, 0);
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	check(linux_load_pvh(&a, &ram, &cpu, NULL, err, sizeof(err)) < 0,
	      "a non-ELF file must be refused");
	snprintf(want, sizeof(want), "'%s' is not an ELF file (no \\x7fELF"
		 " magic): PVH boots an uncompressed vmlinux", a.kernel);
	check_msg(err, want);
	fake_ram_free(&ram);
	test_end("pvh/refuse-not-elf");
}

/* ---- MP table ----------------------------------------------------------- */

struct mp_seen {
	unsigned cpus, bsp, buses, ioapics, intsrc, lint;
	uint32_t ioapic_addr;
	uint8_t ioapic_id, isa_bus, pci_bus, pin_of_irq[24], pin_of_slot[32];
	bool irq_seen[24], pci, extint_lint0, nmi_lint1, ids_ok;
	bool pci_level;
	unsigned pci_intsrc;
};

static void mp_walk(const struct mp_config *h, struct mp_seen *s)
{
	const uint8_t *p = (const uint8_t *)(h + 1);
	const uint8_t *end = (const uint8_t *)h + h->length;

	memset(s, 0, sizeof(*s));
	s->ids_ok = true;
	for (unsigned i = 0; i < h->entries && p < end; i++) {
		if (p[0] == MP_PROCESSOR) {
			const struct mp_processor *c = (const void *)p;

			s->ids_ok &= c->apic_id == s->cpus &&
				     (c->flags & MP_CPU_ENABLED);
			s->bsp += !!(c->flags & MP_CPU_BSP) && c->apic_id == 0;
			s->cpus++;
			p += sizeof(*c);
			continue;
		}
		if (p[0] == MP_BUS) {
			const struct mp_bus *b = (const void *)p;

			if (!memcmp(b->bus_type, "ISA   ", 6))
				s->isa_bus = b->bus_id;
			if (!memcmp(b->bus_type, "PCI   ", 6)) {
				s->pci = true;
				s->pci_bus = b->bus_id;
			}
			s->buses++;
		} else if (p[0] == MP_IOAPIC) {
			const struct mp_ioapic *io = (const void *)p;

			s->ioapic_addr = io->addr;
			s->ioapic_id = io->apic_id;
			s->ioapics++;
		} else if (p[0] == MP_INTSRC) {
			const struct mp_intsrc *e = (const void *)p;

			if (e->src_bus == s->isa_bus && e->src_irq < 24 &&
			    e->dst_apic == s->ioapic_id) {
				s->irq_seen[e->src_irq] = true;
				s->pin_of_irq[e->src_irq] = e->dst_pin;
			}
			/* INTA# only: source irq = slot << 2 | 0. */
			if (s->pci && e->src_bus == s->pci_bus &&
			    !(e->src_irq & 3) && e->dst_apic == s->ioapic_id) {
				s->pin_of_slot[e->src_irq >> 2] = e->dst_pin;
				s->pci_level = e->flags == MP_IRQ_LEVEL_HIGH;
				s->pci_intsrc++;
			}
			s->intsrc++;
		} else if (p[0] == MP_LINTSRC) {
			const struct mp_intsrc *e = (const void *)p;

			s->extint_lint0 |= e->irq_type == MP_EXTINT &&
					   e->dst_pin == 0;
			s->nmi_lint1 |= e->irq_type == MP_NMI &&
					e->dst_pin == 1;
			s->lint++;
		}
		p += 8;
	}
}

static void test_mptable_pc(unsigned nr_cpus)
{
	struct linux_boot_args a;
	struct mptable_args ma;
	struct mptable_info info;
	struct guest_ram ram;
	struct mp_seen s;
	char err[ERRLEN] = "", name[64];
	const struct mp_floating *mpf;
	const struct mp_config *h;
	unsigned pci_devs = 0;

	pc_args(&a, 512 * M);
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	mptable_args_board(&ma, nr_cpus);
	check(mptable_write(&ma, &ram, &info, err, sizeof(err)) == 0,
	      "mptable_write: %s", err);
	check(info.floating_addr == 0x9fc00 && info.where &&
	      !strcmp(info.where, "ebda"),
	      "floating pointer at 0x%" PRIx64 " in %s, want 0x9fc00 in"
	      " ebda", info.floating_addr, info.where);
	mpf = gpa(&ram, info.floating_addr, sizeof(*mpf));
	check(!memcmp(mpf->signature, "_MP_", 4) && mpf->length == 1 &&
	      mpf->spec_rev == 4, "floating pointer header");
	check(mptable_sum(mpf, sizeof(*mpf)) == 0,
	      "floating pointer checksum");
	check(mpf->physptr == info.config_addr, "physptr 0x%x",
	      mpf->physptr);
	h = gpa(&ram, mpf->physptr, info.config_size);
	check(!memcmp(h->signature, "PCMP", 4) && h->spec_rev == 4,
	      "config header");
	check(h->length == info.config_size &&
	      mptable_sum(h, h->length) == 0, "config table checksum");
	check(h->lapic == 0xfee00000, "lapic 0x%x", h->lapic);
	check(info.config_addr + info.config_size <= 0xa0000,
	      "the table overflows ebda");
	mp_walk(h, &s);
	check(s.cpus == nr_cpus && s.bsp == 1 && s.ids_ok,
	      "%u processor entries (bsp %u), want %u with APIC ids 0..n-1",
	      s.cpus, s.bsp, nr_cpus);
	check(s.ioapics == 1 && s.ioapic_addr == 0xfec00000 &&
	      s.ioapic_id == nr_cpus, "ioapic at 0x%x id %u", s.ioapic_addr,
	      s.ioapic_id);
	check(s.pci && s.buses == 2 && s.isa_bus == 1,
	      "pc has a pci-host: buses PCI 0 and ISA 1");
	check(s.irq_seen[0] && s.pin_of_irq[0] == 2, "IRQ0 must go to pin 2");
	check(!s.irq_seen[2], "no entry for the cascade IRQ2");
	for (unsigned irq = 1; irq < 16; irq++)
		check(irq == 2 || (s.irq_seen[irq] && s.pin_of_irq[irq] == irq),
		      "ISA IRQ%u must be identity-mapped", irq);
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct board_device *d = &board_devices[i];

		if (d->pci_slot > 0 && d->irq >= 0) {
			pci_devs++;
			check(s.pin_of_slot[d->pci_slot] == d->irq,
			      "PCI slot %d (%s) INTA# on pin %u, want its board"
			      " irq %d", d->pci_slot, d->name,
			      s.pin_of_slot[d->pci_slot], d->irq);
		}
	}
	check(pci_devs >= 3 && s.pci_intsrc == pci_devs && s.pci_level,
	      "%u level-triggered PCI INTA# entries, want %u (one per PCI"
	      " device of the board)", s.pci_intsrc, pci_devs);
	check(s.intsrc == 15 + pci_devs, "%u I/O interrupt entries, want 15"
	      " ISA + %u PCI", s.intsrc, pci_devs);
	check(s.lint == 2 && s.extint_lint0 && s.nmi_lint1,
	      "LINT0 ExtINT and LINT1 NMI");
	fake_ram_free(&ram);
	snprintf(name, sizeof(name), "mptable/pc-%ucpus", nr_cpus);
	test_end(name);
}

/* A board of our own: no pci-host, a device on irq 20, no backed range. */
static void test_mptable_custom(void)
{
	static const struct board_ram_region ram_r[] = {
		{ .name = "base-ram", .base = 0, .size = 0xa0000 },
		{ .name = "ram", .base = 0x100000, .size = 64 * M },
	};
	struct board_device devs[] = {
		{ .name = "ioapic", .type = &device_type_ioapic,
		  .irq = -1, .has_mmio = true, .mmio_base = 0xfec00000 },
		{ .name = "uart", .type = &device_type_uart16550, .irq = 20,
		  .has_pio = true, .pio_base = 0x3f8 },
	};
	struct linux_boot_args a = { .mem = 16 * M, .ram = ram_r,
				     .nr_ram = 2 };
	struct mptable_args ma = { .nr_cpus = 2, .kernel_irqchip = true,
				   .devices = devs, .nr_devices = 2,
				   .ram = ram_r, .nr_ram = 2 };
	struct mptable_info info;
	struct guest_ram ram;
	struct mp_seen s;
	char err[ERRLEN] = "";

	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	check(mptable_write(&ma, &ram, &info, err, sizeof(err)) == 0,
	      "mptable_write: %s", err);
	check(info.floating_addr == 0x9fc00 && !strcmp(info.where,
						       "base-ram"),
	      "without a backed range: the last KiB of base RAM, got 0x%"
	      PRIx64, info.floating_addr);
	mp_walk(gpa(&ram, info.config_addr, info.config_size), &s);
	check(!s.pci && s.buses == 1 && s.isa_bus == 0, "ISA bus 0 only");
	check(s.irq_seen[20] && s.pin_of_irq[20] == 20 && s.intsrc == 16,
	      "the device's irq 20 needs its own entry (%u entries)",
	      s.intsrc);
	test_end("mptable/custom-board");

	ma.kernel_irqchip = false;
	memset(gpa(&ram, 0x9fc00, 16), 0, 16);
	check(mptable_write(&ma, &ram, &info, err, sizeof(err)) == 0 &&
	      info.floating_addr == 0, "no irqchip: no table");
	check(memcmp(gpa(&ram, 0x9fc00, 4), "_MP_", 4) != 0,
	      "no irqchip: nothing written");
	test_end("mptable/no-irqchip");

	ma.kernel_irqchip = true;
	devs[1].irq = 24;
	check(mptable_write(&ma, &ram, &info, err, sizeof(err)) < 0,
	      "irq 24 must be refused");
	check_msg(err, "device uart has irq 24; the I/O APIC has pins"
		  " 0-23: wire it below 24 in the board");
	test_end("mptable/refuse-irq-beyond-ioapic");

	devs[1].irq = 4;
	ma.nr_ram = 1;
	ma.ram = ram_r + 1;	/* no base RAM at 640 KiB, no backed range */
	check(mptable_write(&ma, &ram, &info, err, sizeof(err)) < 0,
	      "must be refused without a place");
	check_msg(err, "no room for the MP table (252 bytes for 2 CPUs): the"
		  " board needs a backed reserved range below 1 MiB covering"
		  " 0x9fc00-0x9ffff or 0xf0000-0xfffff with room for it (like"
		  " ebda or bios-rom on the pc board)");
	test_end("mptable/refuse-no-room");

	ma.ram = ram_r;
	ma.nr_devices = 1;
	devs[0].type = &device_type_lapic;
	check(mptable_write(&ma, &ram, &info, err, sizeof(err)) < 0,
	      "must be refused without an ioapic");
	check_msg(err, "the board has an in-kernel irqchip but no ioapic"
		  " device with an mmio base: add one (type ioapic, mmio"
		  " 0xfec00000) for the MP table");
	fake_ram_free(&ram);
	test_end("mptable/refuse-no-ioapic");
}

/* ---- the real Debian kernel --------------------------------------------- */

static bool need(const char *path, const char *name)
{
	if (path && !access(path, R_OK))
		return true;
	printf("SKIP /linux/%s: run scripts/guest-image.sh first\n", name);
	return false;
}

static void test_real_bzimage(uint64_t mem, const char *name)
{
	struct linux_boot_args a;
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	char err[ERRLEN] = "";
	const struct boot_params *bp;
	uint64_t limit;

	if (!need(real_bzimage, name) || !need(real_initrd, name))
		return;
	pc_args(&a, mem);
	a.kernel = real_bzimage;
	a.initrd = real_initrd;
	a.cmdline = "console=ttyS0 earlyprintk=serial panic=-1";
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	check(linux_load_bzimage(&a, &ram, &cpu, &info, err,
				 sizeof(err)) == 0, "load failed: %s", err);
	bp = gpa(&ram, cpu.rsi, sizeof(*bp));
	check(bp->hdr.version >= 0x20c && (bp->hdr.xloadflags & XLF_KERNEL_64),
	      "a 64-bit kernel with protocol >= 2.12 expected, got 0x%x",
	      bp->hdr.version);
	check(info.kernel_addr == bp->hdr.pref_address &&
	      cpu.rip == bp->hdr.pref_address + 0x200,
	      "loaded at 0x%" PRIx64 " rip 0x%" PRIx64 ", pref_address 0x%"
	      PRIx64, info.kernel_addr, cpu.rip,
	      (uint64_t)bp->hdr.pref_address);
	check_zero_page(&ram, &cpu, &a, &info);
	check_long_mode(&ram, &cpu);
	limit = (uint64_t)bp->hdr.initrd_addr_max + 1;
	if (limit > 0xc0000000)
		limit = 0xc0000000;	/* top of low-ram */
	if (limit > pc_ram_top(mem))
		limit = pc_ram_top(mem);	/* top of RAM */
	check(info.initrd_size > 0 && !(info.initrd_addr & 0xfff) &&
	      info.initrd_addr >= info.kernel_end &&
	      info.initrd_addr + info.initrd_size <= limit &&
	      info.initrd_addr + info.initrd_size + 0x1000 > limit,
	      "initrd 0x%" PRIx64 "+0x%" PRIx64 " must end in the last page"
	      " below 0x%" PRIx64 " and start above the kernel's end 0x%"
	      PRIx64, info.initrd_addr, info.initrd_size, limit,
	      info.kernel_end);
	fake_ram_free(&ram);
	test_end(name);
}

static void test_real_small_ram(void)
{
	struct linux_boot_args a;
	FILE *f;
	struct setup_header h;
	char want[ERRLEN];

	if (!need(real_bzimage, "real/bzimage-refuse-small-ram"))
		return;
	f = fopen(real_bzimage, "rb");
	if (!f || fseek(f, 0x1f1, SEEK_SET) || fread(&h, sizeof(h), 1, f) != 1)
		check(0, "cannot read %s", real_bzimage);
	if (f)
		fclose(f);
	pc_args(&a, 32 * M);
	a.kernel = real_bzimage;
	snprintf(want, sizeof(want), "kernel '%s' needs RAM at 0x100000-0x%"
		 PRIx64 " (init_size 0x%x from 0x%" PRIx64 "), which this"
		 " board and --mem do not give: give more RAM with --mem",
		 real_bzimage, (uint64_t)(h.pref_address + h.init_size - 1),
		 h.init_size,
		 (uint64_t)h.pref_address);
	expect_refusal("real/bzimage-refuse-small-ram", &a, want);
}

static void test_real_pvh(void)
{
	struct linux_boot_args a;
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	char err[ERRLEN] = "";
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;

	if (!need(real_vmlinux, "real/pvh") || !need(real_initrd, "real/pvh"))
		return;
	pc_args(&a, 512 * M);
	a.kernel = real_vmlinux;
	a.initrd = real_initrd;
	a.cmdline = "console=ttyS0";
	check(fake_ram_init(&ram, &a) == 0, "fake RAM");
	check(linux_load(&a, &ram, &cpu, &info, err, sizeof(err)) == 0,
	      "load failed: %s", err);
	check(cpu.mode == BOOT_CPU_PROTECTED32 && cpu.rip >= info.kernel_addr &&
	      cpu.rip < info.kernel_end && cpu.rip < 4 * G,
	      "entry 0x%" PRIx64 " outside the kernel 0x%" PRIx64 "-0x%"
	      PRIx64, cpu.rip, info.kernel_addr, info.kernel_end);
	check(info.kernel_addr == 0x1000000, "vmlinux loads at 0x%" PRIx64
	      ", want its first segment's 0x1000000", info.kernel_addr);
	si = gpa(&ram, cpu.rbx, sizeof(*si));
	check(si->magic == HVM_START_MAGIC && si->version == 1 &&
	      si->nr_modules == 1 && si->memmap_entries == info.nr_e820,
	      "start_info fields");
	mod = gpa(&ram, si->modlist_paddr, sizeof(*mod));
	check(mod->paddr >= info.kernel_end && mod->size == info.initrd_size &&
	      mod->paddr + mod->size <= pc_ram_top(512 * M),
	      "initrd module 0x%" PRIx64 "+0x%" PRIx64, mod->paddr,
	      mod->size);
	check(!strcmp(gpa(&ram, si->cmdline_paddr, 1), "console=ttyS0"),
	      "cmdline");
	fake_ram_free(&ram);
	test_end("real/pvh");
}

/* ---- the boot state under KVM ----------------------------------------- */

/*
 * The loaders are KVM-free; this checks that what they hand the VMM is a
 * CPU state KVM accepts and runs: a few guest instructions at the entry
 * report the boot pointer register on a port, read 3 GiB through the
 * identity map (an MMIO exit proves the mapping), and halt. The state is
 * applied with the translation docs/linux-boot.md gives main.c.
 */
#define KVM_REPORT_PORT		0x501
#define KVM_PROBE_ADDR		0xc0000000ull

/*
 * mov eax, esi; mov edx, 0x501; out dx, eax;
 * mov rbx, 0xc0000000; mov eax, [rbx]; hlt
 */
static const uint8_t code64[] = {
	0x89, 0xf0, 0xba, 0x01, 0x05, 0x00, 0x00, 0xef,
	0x48, 0xbb, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00,
	0x8b, 0x03, 0xf4,
};
/* The same in 32-bit code; code_pvh reports ebx instead of esi. */
static const uint8_t code32[] = {
	0x89, 0xf0, 0xba, 0x01, 0x05, 0x00, 0x00, 0xef,
	0xbb, 0x00, 0x00, 0x00, 0xc0, 0x8b, 0x03, 0xf4,
};
static const uint8_t code_pvh[] = {
	0x89, 0xd8, 0xba, 0x01, 0x05, 0x00, 0x00, 0xef,
	0xbb, 0x00, 0x00, 0x00, 0xc0, 0x8b, 0x03, 0xf4,
};

struct kvm_vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
};

static void on_alarm(int sig)
{
	(void)sig;			/* only interrupts KVM_RUN */
}

static void kvm_vm_close(struct kvm_vm *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->kvm >= 0)
		close(v->kvm);
}

/* A VM with one memslot per guest_ram span and one vCPU with CPUID. */
static int kvm_vm_open(struct kvm_vm *v, const struct guest_ram *ram)
{
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + 128 *
					  sizeof(struct kvm_cpuid_entry2));

	*v = (struct kvm_vm){ .kvm = -1, .vm = -1, .vcpu = -1 };
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0 || !cpuid) {
		free(cpuid);
		return -1;
	}
	cpuid->nent = 128;
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	check(v->vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	check(ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) == 0,
	      "KVM_SET_TSS_ADDR: %s", strerror(errno));
	for (unsigned i = 0; i < ram->nr; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = ram->spans[i].base,
			.memory_size = ram->spans[i].size,
			.userspace_addr = (uintptr_t)ram->spans[i].host,
		};

		check(ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r) == 0,
		      "memslot 0x%" PRIx64 ": %s", ram->spans[i].base,
		      strerror(errno));
	}
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	check(v->vcpu >= 0, "KVM_CREATE_VCPU: %s", strerror(errno));
	check(ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) == 0 &&
	      ioctl(v->vcpu, KVM_SET_CPUID2, cpuid) == 0,
	      "CPUID: %s", strerror(errno));
	free(cpuid);
	v->run_size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		check(0, "mmap kvm_run: %s", strerror(errno));
	}
	return why[0] ? -1 : 0;
}

/* docs/linux-boot.md: struct boot_cpu_state to KVM, field for field. */
static void boot_seg(struct kvm_segment *k, const struct boot_segment *s)
{
	*k = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl,
		.db = s->db, .s = s->s, .l = s->l, .g = s->g,
	};
}

static int set_boot_cpu(int fd, const struct boot_cpu_state *b)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = b->rip, .rsp = b->rsp, .rsi = b->rsi, .rbx = b->rbx,
		.rflags = b->rflags,
	};

	if (ioctl(fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	boot_seg(&sregs.cs, &b->cs);
	boot_seg(&sregs.ds, &b->ds);
	boot_seg(&sregs.es, &b->es);
	boot_seg(&sregs.fs, &b->fs);
	boot_seg(&sregs.gs, &b->gs);
	boot_seg(&sregs.ss, &b->ss);
	boot_seg(&sregs.tr, &b->tr);
	sregs.gdt.base = b->gdt_base;
	sregs.gdt.limit = b->gdt_limit;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = b->cr0;
	sregs.cr3 = b->cr3;
	sregs.cr4 = b->cr4;
	sregs.efer = b->efer;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	return ioctl(fd, KVM_SET_REGS, &regs);
}

static const char *kvm_exit_what(const struct kvm_run *run)
{
	static char buf[96];

	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		return "shutdown (triple fault)";
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "entry failed, reason 0x%llx",
			 (unsigned long long)run->fail_entry
				 .hardware_entry_failure_reason);
		return buf;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "internal error %u",
			 run->internal.suberror);
		return buf;
	}
	snprintf(buf, sizeof(buf), "exit reason %u", run->exit_reason);
	return buf;
}

/* Run to the report, the 3 GiB probe and hlt; check each in order. */
static void kvm_expect_entry(struct kvm_vm *v, uint32_t report)
{
	struct kvm_run *run = v->run;
	uint32_t got;

	for (unsigned step = 0; step < 3 && !why[0]; step++) {
		alarm(10);
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			check(0, "KVM_RUN at step %u: %s", step,
			      strerror(errno));
			break;
		}
		alarm(0);
		if (step == 0) {
			check(run->exit_reason == KVM_EXIT_IO &&
			      run->io.direction == KVM_EXIT_IO_OUT &&
			      run->io.port == KVM_REPORT_PORT &&
			      run->io.size == 4, "want the out to 0x501,"
			      " got %s", kvm_exit_what(run));
			if (run->exit_reason != KVM_EXIT_IO)
				break;
			memcpy(&got, (uint8_t *)run + run->io.data_offset, 4);
			check(got == report, "the guest saw its boot pointer"
			      " as 0x%x, want 0x%x", got, report);
		} else if (step == 1) {
			check(run->exit_reason == KVM_EXIT_MMIO &&
			      run->mmio.phys_addr == KVM_PROBE_ADDR &&
			      !run->mmio.is_write, "want a read of 3 GiB"
			      " through the identity map, got %s",
			      kvm_exit_what(run));
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		} else {
			check(run->exit_reason == KVM_EXIT_HLT,
			      "want hlt, got %s", kvm_exit_what(run));
		}
	}
	alarm(0);
}

static void kvm_entry_test(const char *name, struct linux_boot_args *a,
			   uint32_t report)
{
	struct boot_cpu_state cpu;
	struct guest_ram ram;
	struct kvm_vm v;
	char err[ERRLEN] = "";

	check(fake_ram_init(&ram, a) == 0, "fake RAM");
	check(linux_load(a, &ram, &cpu, NULL, err, sizeof(err)) == 0,
	      "load failed: %s", err);
	if (kvm_vm_open(&v, &ram) < 0 && !why[0]) {
		printf("SKIP /linux/%s: cannot open /dev/kvm (%s)\n", name,
		       strerror(errno));
		fake_ram_free(&ram);
		return;
	}
	if (!why[0])
		check(set_boot_cpu(v.vcpu, &cpu) == 0,
		      "KVM refused the boot state: %s", strerror(errno));
	if (!why[0])
		kvm_expect_entry(&v, report);
	kvm_vm_close(&v);
	fake_ram_free(&ram);
	test_end(name);
}

static void test_kvm_entries(void)
{
	struct synth_bz s = synth_default;
	struct synth_elf e = { .note = true, .paddr2 = 0x1200000,
			       .code = code_pvh,
			       .code_len = sizeof(code_pvh) };
	struct linux_boot_args a;
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	pc_args(&a, 64 * M);
	s.code = code64;
	s.code_len = sizeof(code64);
	s.code_at = 0x200;
	a.kernel = write_bzimage("kvm64", &s);
	kvm_entry_test("kvm/bzimage-64bit-entry", &a, BOOT_PARAMS_ADDR);

	s = synth_default;
	s.xloadflags = 0;
	s.code = code32;
	s.code_len = sizeof(code32);
	a.kernel = write_bzimage("kvm32", &s);
	kvm_entry_test("kvm/bzimage-32bit-entry", &a, BOOT_PARAMS_ADDR);

	a.kernel = write_elf("kvm-pvh", &e);
	kvm_entry_test("kvm/pvh-entry", &a, BOOT_PARAMS_ADDR);
}

/* ---- main --------------------------------------------------------------- */

static void remove_tmpdir(void)
{
	char cmd[sizeof(tmpdir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* ---- GSI routing -------------------------------------------------------- */

/* The IOAPIC pin GSI gsi reaches in routes e[0..n), or -1. */
static int routed_pin(const struct kvm_irq_routing_entry *e, size_t n,
		      unsigned gsi, unsigned chip)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].gsi == gsi && e[i].u.irqchip.irqchip == chip)
			return e[i].u.irqchip.pin;
	return -1;
}

/*
 * KVM's routing agrees with the MP table: the PIT's GSI 0 reaches IOAPIC
 * pin 2 (and PIC pin 0), GSI 2 no IOAPIC pin, other ISA GSIs pin n and the
 * PIC, 16-23 the IOAPIC only; a short buffer is refused.
 */
static void test_gsi_routing(void)
{
	struct kvm_irq_routing_entry e[2 * ISA_IRQS + 24];
	size_t n = irq_routing_fill(e, 2 * ISA_IRQS + 24, 24);

	check(n == 16 + 15 + 8, "%zu routes, want 39 (16 PIC, 15 ISA"
	      " IOAPIC, 8 PCI)", n);
	check(routed_pin(e, n, 0, KVM_IRQCHIP_IOAPIC) == 2 &&
	      routed_pin(e, n, 0, KVM_IRQCHIP_PIC_MASTER) == 0,
	      "GSI 0 (the PIT) on IOAPIC pin 2 and PIC pin 0");
	check(routed_pin(e, n, 2, KVM_IRQCHIP_IOAPIC) < 0,
	      "the cascade GSI 2 reaches no IOAPIC pin");
	for (unsigned gsi = 1; gsi < 24; gsi++) {
		if (gsi == 2)
			continue;
		check(routed_pin(e, n, gsi, KVM_IRQCHIP_IOAPIC) == (int)gsi,
		      "GSI %u on IOAPIC pin %u", gsi, gsi);
		check(gsi >= 16 || routed_pin(e, n, gsi, gsi < 8 ?
			KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE) ==
			(int)gsi % 8, "GSI %u on its PIC", gsi);
	}
	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		check(isa_irq_ioapic_pin(irq) ==
		      routed_pin(e, n, irq, KVM_IRQCHIP_IOAPIC),
		      "the MP table's rule and the routing agree on IRQ%u", irq);
	check(irq_routing_fill(e, 10, 24) == 0, "a short table is refused");
	test_end("irq/gsi-routing");
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bzimage"))
			real_bzimage = argv[i + 1];
		else if (!strcmp(argv[i], "--vmlinux"))
			real_vmlinux = argv[i + 1];
		else if (!strcmp(argv[i], "--initrd"))
			real_initrd = argv[i + 1];
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(remove_tmpdir);
	test_guest_ram();
	test_e820_512m();
	test_e820_3_5g();
	test_bzimage_64();
	test_bzimage_32();
	test_bz_refusals();
	test_pvh_synthetic();
	test_pvh_refusals();
	test_mptable_pc(1);
	test_mptable_pc(4);
	test_mptable_pc(8);
	test_mptable_custom();
	test_gsi_routing();
	test_kvm_entries();
	test_real_bzimage(512 * M, "real/bzimage-512M");
	test_real_bzimage(3 * G + G / 2, "real/bzimage-3.5G");
	test_real_small_ram();
	test_real_pvh();
	return failures ? 1 : 0;
}
