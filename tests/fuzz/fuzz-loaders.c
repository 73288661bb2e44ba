// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the kernel loaders: the input is the kernel file,
 * handed to linux_load_bzimage() (FUZZ_LOADER_PVH unset) or
 * linux_load_pvh() on the pc board's RAM layout with 128 MiB of fake guest
 * RAM, a command line and no initrd. The file goes through the loaders'
 * own reading (a memfd named by /proc/self/fd/N), so the size checks and
 * the header parsing see exactly what a --kernel would. Refusals are the
 * expected outcome; a crash, a sanitizer report, or a write outside guest
 * RAM (ASan) is a bug.
 *
 * Built with libFuzzer by tests/fuzz/fuzz.mk (fuzz-bzimage, fuzz-pvh) and
 * with tests/fuzz/replay.c as main() by tests/fuzz/fuzz-tests.mk, whose
 * replay of tests/fuzz/regressions/bzimage/ and pvh/ (the synthetic
 * seeds) runs in `make test`.
 */
#define _GNU_SOURCE		/* memfd_create() */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot-linux.h"
#include "guest-ram.h"
#include "ram-layout.h"

#define FUZZ_MEM	(128ull << 20)	/* room for a real vmlinux */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest_ram ram;
static struct linux_boot_args args;

/* The RAM regions filled with FUZZ_MEM, and the backed reserved ranges. */
static void fake_ram_once(void)
{
	struct ram_span spans[GUEST_RAM_MAX_SPANS];
	int n;

	linux_boot_args_board(&args);
	args.mem = FUZZ_MEM;
	args.cmdline = "console=ttyS0";
	n = linux_ram_fill(&args, spans, GUEST_RAM_MAX_SPANS, NULL);
	for (int i = 0; i < n; i++) {
		void *p = mmap(NULL, spans[i].size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);

		if (p == MAP_FAILED ||
		    guest_ram_add(&ram, spans[i].base, spans[i].size, p) < 0)
			abort();
	}
	for (unsigned i = 0; i < args.nr_reserved; i++) {
		const struct board_reserved *r = &args.reserved[i];
		void *p;

		if (!r->backed)
			continue;
		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED ||
		    guest_ram_add(&ram, r->base, r->size, p) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct linux_boot_info info;
	struct boot_cpu_state cpu;
	static bool verbose;
	char err[512];
	int ret;

	if (fd < 0) {
		verbose = getenv("FUZZ_LOADER_VERBOSE") != NULL;
		fake_ram_once();
		fd = memfd_create("fuzz-kernel", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		args.kernel = path;
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = 0;
#ifdef FUZZ_LOADER_PVH
	ret = linux_load_pvh(&args, &ram, &cpu, &info, err, sizeof(err));
#else
	ret = linux_load_bzimage(&args, &ram, &cpu, &info, err, sizeof(err));
#endif
	/* FUZZ_LOADER_VERBOSE=1: what became of a seed (replay only). */
	if (verbose)
		fprintf(stderr, "%s\n", ret ? err : "loaded");
	return 0;
}
