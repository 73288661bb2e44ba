// SPDX-License-Identifier: MIT
/*
 * The PVH loader: an uncompressed vmlinux ELF with the Xen ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY is loaded segment by segment at its physical
 * addresses and entered in 32-bit protected mode with paging off, EBX
 * pointing at struct hvm_start_info (command line, the initrd as module 0,
 * the e820 map as memmap). No decompressor, no real-mode header: the
 * fastest way into a kernel. KVM-free, like boot-linux.c.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "boot-error.h"
#include "boot-linux.h"

#define ELF_NOTE_XEN		"Xen"


struct pvh_image {
	const char *path;
	struct linux_file file;
	const Elf64_Ehdr *ehdr;
	const Elf64_Phdr *phdr;		/* e_phnum entries, in the file */
	uint64_t entry;			/* from the PVH note */
	uint64_t start, end;		/* lowest and highest loaded byte + 1 */
};

static int pvh_check_elf(struct pvh_image *img, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->file.data;
	size_t size = img->file.size;

	if (size < EI_NIDENT || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return boot_error(err, errlen, "'%s' is not an ELF file (no \\x7fELF"
			    " magic): PVH boots an uncompressed vmlinux",
			    img->path);
	if (size < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return boot_error(err, errlen, "'%s' is not a 64-bit x86 ELF (class"
			    " %u, machine %u): PVH needs an x86_64 vmlinux",
			    img->path, eh->e_ident[EI_CLASS],
			    size < sizeof(*eh) ? 0 : eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phoff % 8 || eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return boot_error(err, errlen, "'%s' is truncated or corrupt: its"
			    " %u program headers at offset 0x%" PRIx64 " do"
			    " not fit in its %zu bytes", img->path,
			    eh->e_phnum, (uint64_t)eh->e_phoff, size);
	img->ehdr = eh;
	img->phdr = (const Elf64_Phdr *)(img->file.data + eh->e_phoff);
	return 0;
}

/* Bytes of file in [off, off + len), or NULL when outside the file. */
static const uint8_t *pvh_bytes(const struct pvh_image *img, uint64_t off,
				uint64_t len)
{
	if (off > img->file.size || len > img->file.size - off)
		return NULL;
	return img->file.data + off;
}

/* Scan one PT_NOTE segment for the PHYS32 entry note. */
static bool pvh_scan_notes(struct pvh_image *img, const Elf64_Phdr *ph)
{
	const uint8_t *p = pvh_bytes(img, ph->p_offset, ph->p_filesz);
	uint64_t left = p && !(ph->p_offset % 4) ? ph->p_filesz : 0;

	while (left >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *n = (const Elf64_Nhdr *)p;
		uint64_t name_sz = (n->n_namesz + 3ull) & ~3ull;
		uint64_t desc_sz = (n->n_descsz + 3ull) & ~3ull;
		const uint8_t *name = p + sizeof(*n), *desc = name + name_sz;

		if (name_sz + desc_sz > left - sizeof(*n))
			return false;
		if (n->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    n->n_namesz == sizeof(ELF_NOTE_XEN) &&
		    !memcmp(name, ELF_NOTE_XEN, sizeof(ELF_NOTE_XEN)) &&
		    (n->n_descsz == 4 || n->n_descsz == 8)) {
			uint64_t v = 0;

			memcpy(&v, desc, n->n_descsz);
			img->entry = v;
			return true;
		}
		p += sizeof(*n) + name_sz + desc_sz;
		left -= sizeof(*n) + name_sz + desc_sz;
	}
	return false;
}

static int pvh_find_entry(struct pvh_image *img, char *err, size_t errlen)
{
	for (unsigned i = 0; i < img->ehdr->e_phnum; i++)
		if (img->phdr[i].p_type == PT_NOTE &&
		    pvh_scan_notes(img, &img->phdr[i]))
			return 0;
	return boot_error(err, errlen, "'%s' has no PVH entry note (Xen ELF note"
		    " %d, XEN_ELFNOTE_PHYS32_ENTRY): build the kernel with"
		    " CONFIG_PVH=y, or boot its bzImage", img->path,
		    XEN_ELFNOTE_PHYS32_ENTRY);
}

static int pvh_load_segments(struct pvh_image *img, struct guest_ram *ram,
			     const struct e820_entry *map, int nr_map,
			     char *err, size_t errlen)
{
	bool entry_loaded = false;

	img->start = UINT64_MAX;
	img->end = 0;
	for (unsigned i = 0; i < img->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = &img->phdr[i];
		const uint8_t *src;
		uint8_t *dst;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		src = pvh_bytes(img, ph->p_offset, ph->p_filesz);
		if (!src || ph->p_filesz > ph->p_memsz)
			return boot_error(err, errlen, "'%s' is truncated or corrupt:"
				    " segment %u (file offset 0x%" PRIx64 ","
				    " 0x%" PRIx64 " bytes) is not in the file",
				    img->path, i, (uint64_t)ph->p_offset,
				    (uint64_t)ph->p_filesz);
		if (ph->p_paddr < BOOT_CMDLINE_ADDR + BOOT_CMDLINE_MAX)
			return boot_error(err, errlen, "segment %u of '%s' at 0x%"
				    PRIx64 " overlaps the loader's boot data"
				    " (GDT, start_info, command line) below"
				    " 0x%llx: link the kernel at 1 MiB or"
				    " above", i, img->path,
				    (uint64_t)ph->p_paddr,
				    BOOT_CMDLINE_ADDR + BOOT_CMDLINE_MAX);
		dst = linux_ram_at(ram, map, nr_map, ph->p_paddr, ph->p_memsz,
				   "kernel segment", err, errlen);
		if (!dst)
			return boot_error(err, errlen, "segment %u of '%s' at 0x%"
				    PRIx64 "-0x%" PRIx64 " lies outside guest"
				    " RAM: give more RAM with --mem", i,
				    img->path, (uint64_t)ph->p_paddr,
				    (uint64_t)(ph->p_paddr + ph->p_memsz - 1));
		memcpy(dst, src, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (ph->p_paddr < img->start)
			img->start = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > img->end)
			img->end = ph->p_paddr + ph->p_memsz;
		if (img->entry >= ph->p_paddr &&
		    img->entry - ph->p_paddr < ph->p_memsz)
			entry_loaded = true;
	}
	if (!entry_loaded || img->entry > UINT32_MAX)
		return boot_error(err, errlen, "the PVH entry 0x%" PRIx64 " of '%s'"
			    " is not inside a loaded segment below 4 GiB:"
			    " the vmlinux is corrupt", img->entry, img->path);
	return 0;
}

static int pvh_start_info(struct guest_ram *ram,
			  const struct e820_entry *map, int nr_map,
			  const struct linux_boot_info *info,
			  uint64_t rsdp_addr, char *err, size_t errlen)
{
	struct hvm_start_info *si;
	struct hvm_modlist_entry *mod;
	struct hvm_memmap_entry *mm;

	si = linux_ram_at(ram, map, nr_map, BOOT_PARAMS_ADDR, sizeof(*si),
			  "PVH start_info", err, errlen);
	mod = linux_ram_at(ram, map, nr_map, PVH_MODLIST_ADDR, sizeof(*mod),
			   "PVH module list", err, errlen);
	mm = linux_ram_at(ram, map, nr_map, PVH_MEMMAP_ADDR,
			  nr_map * sizeof(*mm), "PVH memory map", err, errlen);
	if (!si || !mod || !mm)
		return -1;
	memset(si, 0, sizeof(*si));
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	si->cmdline_paddr = info->cmdline_addr;
	si->rsdp_paddr = rsdp_addr;
	si->memmap_paddr = PVH_MEMMAP_ADDR;
	si->memmap_entries = nr_map;
	memset(mod, 0, sizeof(*mod));
	if (info->initrd_size) {
		mod->paddr = info->initrd_addr;
		mod->size = info->initrd_size;
		si->nr_modules = 1;
		si->modlist_paddr = PVH_MODLIST_ADDR;
	}
	for (int i = 0; i < nr_map; i++) {
		mm[i].addr = map[i].addr;
		mm[i].size = map[i].size;
		mm[i].type = map[i].type;
		mm[i].reserved = 0;
	}
	return 0;
}

static int pvh_load(struct pvh_image *img, const struct linux_boot_args *a,
		    struct guest_ram *ram, struct boot_cpu_state *cpu,
		    struct linux_boot_info *info, char *err, size_t errlen)
{
	struct e820_entry map[LINUX_MAX_E820];
	int nr_map;

	if (pvh_check_elf(img, err, errlen) < 0 ||
	    pvh_find_entry(img, err, errlen) < 0)
		return -1;
	nr_map = linux_e820(a, map, PVH_MAX_MEMMAP < LINUX_MAX_E820 ?
				    PVH_MAX_MEMMAP : LINUX_MAX_E820,
			    err, errlen);
	if (nr_map < 0 ||
	    pvh_load_segments(img, ram, map, nr_map, err, errlen) < 0)
		return -1;
	info->kernel_addr = img->start;
	info->kernel_size = img->end - img->start;
	info->kernel_end = img->end;
	if (linux_put_cmdline(ram, map, nr_map, a->cmdline, PVH_CMDLINE_MAX,
			      "a PVH kernel (COMMAND_LINE_SIZE)", err,
			      errlen) < 0)
		return -1;
	info->cmdline_addr = BOOT_CMDLINE_ADDR;
	if (a->initrd && linux_put_initrd(ram, map, nr_map, a->initrd,
					  img->end, PVH_INITRD_LIMIT, info,
					  err, errlen) < 0)
		return -1;
	if (pvh_start_info(ram, map, nr_map, info, a->rsdp_addr, err,
			   errlen) < 0)
		return -1;
	info->params_addr = BOOT_PARAMS_ADDR;
	info->nr_e820 = nr_map;
	if (linux_setup_gdt(ram, map, nr_map, BOOT_CPU_PROTECTED32, cpu, err,
			    errlen) < 0)
		return -1;
	cpu->rip = img->entry;
	cpu->rbx = BOOT_PARAMS_ADDR;
	return 0;
}

int linux_load_pvh(const struct linux_boot_args *args,
		   struct guest_ram *ram, struct boot_cpu_state *cpu,
		   struct linux_boot_info *info, char *err, size_t errlen)
{
	struct linux_boot_info scratch;
	struct pvh_image img = { .path = args->kernel };
	int ret;

	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	memset(cpu, 0, sizeof(*cpu));
	if (linux_file_read(&img.file, "kernel", args->kernel,
			    &linux_kernel_limit(args), err, errlen) < 0)
		return -1;
	ret = pvh_load(&img, args, ram, cpu, info, err, errlen);
	linux_file_free(&img.file);
	return ret;
}
