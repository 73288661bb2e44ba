// SPDX-License-Identifier: MIT
/*
 * linux_load(): the kernel file's first bytes pick the loader, an ELF
 * vmlinux with a PVH note (boot-pvh.c) or a bzImage (boot-bzimage.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "boot-error.h"
#include "boot-linux.h"
#include "host-file.h"

int linux_load(const struct linux_boot_args *args, struct guest_ram *ram,
	       struct boot_cpu_state *cpu, struct linux_boot_info *info,
	       char *err, size_t errlen)
{
	static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	char magic[4] = { 0 };
	struct stat st;
	int fd = host_file_open("kernel", args->kernel, O_RDONLY,
				HOST_FILE_REGULAR, &st, err, errlen);

	if (fd < 0)
		return -1;
	if (read(fd, magic, sizeof(magic)) < 0)
		magic[0] = 0;
	close(fd);
	if (!memcmp(magic, elf_magic, sizeof(magic)))
		return linux_load_pvh(args, ram, cpu, info, err, errlen);
	return linux_load_bzimage(args, ram, cpu, info, err, errlen);
}
