// SPDX-License-Identifier: MIT
/*
 * The host's side of the command line, checked before the VM is built:
 * descriptors 0-2, --mem against the host's memory, the --disk files. The
 * loaders check their own files (host_file_open() in machine/host-file.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "device.h"
#include "host-file.h"
#include "host-input.h"

int host_fds_reserve(void)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	bool closed[3] = { false };

	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free descriptor: this one. */
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			return -1;
		closed[fd] = true;
	}
	for (int fd = 0; fd < 2; fd++)
		if (closed[fd])
			fprintf(stderr, "boardvm: %s was closed at start: the "
				"console %s /dev/null\n", names[fd],
				fd ? "writes to" : "reads from");
	return 0;
}

/* Bytes in binary units for messages: "23.4 GiB". */
static void size_text(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	double v = bytes;
	unsigned u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

int host_mem_check(uint64_t mem)
{
	char want[32], ram[32], swap[32];
	struct sysinfo si;
	uint64_t total, swap_total;

	if (sysinfo(&si) < 0)
		return 0;		/* nothing to compare with */
	total = (uint64_t)si.totalram * si.mem_unit;
	swap_total = (uint64_t)si.totalswap * si.mem_unit;
	if (mem <= total + swap_total)
		return 0;
	size_text(mem, want, sizeof(want));
	size_text(total, ram, sizeof(ram));
	size_text(swap_total, swap, sizeof(swap));
	fprintf(stderr, "boardvm: --mem %" PRIu64 " (%s) is more than this "
		"host's memory (%s RAM + %s swap): a guest using it would be "
		"killed; give a smaller --mem\n", mem, want, ram, swap);
	return -1;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* One disk: kind and lock, as the virtio-blk device will open it. */
static int disk_check(const struct host_disk *disk, struct stat *st)
{
	char err[512];
	int fd;

	fd = host_file_open("--disk", disk->path,
			    disk->readonly ? O_RDONLY : O_RDWR,
			    HOST_FILE_REGULAR | HOST_FILE_BLOCK, st, err,
			    sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "boardvm: %s\n", err);
		return -1;
	}
	if (flock(fd, (disk->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		fprintf(stderr, "boardvm: --disk %s is locked by another "
			"process (another boardvm?): stop it, or give this one "
			"a copy of the image%s\n", disk->path,
			disk->readonly ? "" : " (readers share it only with ,ro "
			"everywhere)");
		close(fd);
		return -1;
	}
	close(fd);			/* drops the lock: the device takes it */
	return 0;
}

int host_disks_check(const struct host_disk *disks, unsigned nr)
{
	struct stat st[nr ? nr : 1];

	for (unsigned i = 0; i < nr; i++) {
		if (disk_check(&disks[i], &st[i]) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++) {
			if (!same_file(&st[i], &st[j]) ||
			    (disks[i].readonly && disks[j].readonly))
				continue;
			fprintf(stderr, "boardvm: --disk %s and --disk %s are "
				"the same %s (given twice): give each "
				"virtio-blk device its own image, or both "
				",ro\n", disks[j].path, disks[i].path,
				S_ISBLK(st[i].st_mode) ? "block device"
						       : "file");
			return -1;
		}
	}
	return 0;
}
