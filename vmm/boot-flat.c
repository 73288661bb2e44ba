// SPDX-License-Identifier: MIT
/*
 * --flat FILE@ADDR: a raw binary copied to guest physical ADDR, which must
 * lie with the whole file inside guest RAM (or a backed range). Every vCPU
 * starts there in 32-bit protected mode: flat 4 GiB code and data segments
 * (selectors 0x08 and 0x10, no GDT in memory: a guest that reloads a
 * segment register loads its own GDT first), CPL0, paging off, interrupts
 * off, EIP = ADDR, ESI = the vCPU index, ESP = 0 (the guest picks its
 * stack, e.g. from ESI). With an in-kernel irqchip the APs are made
 * runnable directly, no INIT/SIPI needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host-file.h"
#include "vmm.h"

#define FLAT_CS			0x08
#define FLAT_DS			0x10
#define CR0_PE			0x1
#define CR0_ET			0x10

int boot_flat_parse(const char *spec, const char **path, uint64_t *addr)
{
	const char *at = strrchr(spec, '@');
	char *end;

	if (!at || at == spec || !at[1])
		goto bad;
	errno = 0;
	*addr = strtoull(at + 1, &end, 0);
	if (errno || *end)
		goto bad;
	*path = strndup(spec, at - spec);
	return *path ? 0 : -1;
bad:
	fprintf(stderr, "boardvm: --flat '%s': expected FILE@ADDR, e.g. "
		"guest.bin@0x100000\n", spec);
	return -1;
}

static int flat_read(int fd, uint8_t *dst, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, dst + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += n;
	}
	return 0;
}

static struct boot_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct boot_segment) {
		.base = 0, .limit = 0xffffffff, .selector = selector,
		.type = type, .s = 1, .present = 1, .db = 1, .g = 1,
	};
}

static void flat_cpu_state(struct boot_cpu_state *s, uint64_t addr,
			   unsigned index)
{
	struct boot_segment data = flat_segment(FLAT_DS, 0x3);

	*s = (struct boot_cpu_state) {
		.mode = BOOT_CPU_PROTECTED32,
		.rip = addr,
		.rsi = index,
		.rflags = 0x2,
		.cr0 = CR0_PE | CR0_ET,
		.cs = flat_segment(FLAT_CS, 0xb),
		.ds = data, .es = data, .fs = data, .gs = data, .ss = data,
	};
}

/* The file, checked for kind and size before a byte of it is read. */
static int flat_copy(struct vm *vm, const char *path, uint64_t addr)
{
	struct stat st;
	char err[512];
	uint8_t *dst;
	int fd, ret = -1;

	fd = host_file_open("--flat", path, O_RDONLY, HOST_FILE_REGULAR, &st,
			    err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "boardvm: %s\n", err);
		return -1;
	}
	dst = guest_ram_ptr(&vm->ram, addr, st.st_size);
	if (!dst || addr >= 0x100000000ull ||
	    addr + st.st_size > 0x100000000ull) {
		fprintf(stderr, "boardvm: --flat %s@0x%" PRIx64 ": %lld bytes "
			"there are not all in guest RAM below 4 GiB (board %s, "
			"--mem %" PRIu64 "): pick an address in RAM\n", path,
			addr, (long long)st.st_size, board_info.name,
			vm->opts->mem);
		goto out;
	}
	if (flat_read(fd, dst, st.st_size) < 0) {
		fprintf(stderr, "boardvm: --flat %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

int boot_flat_load(struct vm *vm, const char *path, uint64_t addr)
{
	if (flat_copy(vm, path, addr) < 0)
		return -1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct boot_cpu_state s;

		flat_cpu_state(&s, addr, i);
		if (vcpu_set_boot_state(&vm->vcpus[i], &s) < 0)
			return -1;
		if (i > 0 && vcpu_make_runnable(&vm->vcpus[i]) < 0)
			return -1;
	}
	return 0;
}
