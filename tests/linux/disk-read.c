// SPDX-License-Identifier: MIT
/*
 * disk-read: the L2 guest's side of bench/nested/disk.sh. Reads COUNT
 * blocks of 4 KiB from DEVICE with O_DIRECT (every read goes to the
 * virtio-blk device, none to the guest's page cache), one at a time,
 * either in order from offset 0 (seq) or at uniformly random 4 KiB-aligned
 * offsets of the whole device (rand, a fixed xorshift seed: every VMM
 * reads the same blocks). Prints nothing on success; the benchmark times
 * it between the console lines /init prints around it.
 *
 *   disk-read DEVICE seq|rand COUNT
 *
 * Static (scripts/guest-image.sh puts it in the L2 initramfs as
 * /bin/disk-read). Exit status 1 with a message on any error or short read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

int main(int argc, char **argv)
{
	uint64_t blocks, seed = 0x9e3779b97f4a7c15ull;
	unsigned long count;
	int random, fd;
	off_t size;
	void *buf;

	if (argc != 4 || (strcmp(argv[2], "seq") && strcmp(argv[2], "rand"))) {
		fprintf(stderr, "usage: disk-read DEVICE seq|rand COUNT\n");
		return 2;
	}
	random = !strcmp(argv[2], "rand");
	count = strtoul(argv[3], NULL, 0);
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	if (size < 0) {
		perror(argv[1]);
		return 1;
	}
	blocks = (uint64_t)size / BLOCK;
	if (!blocks || (!random && count > blocks)) {
		fprintf(stderr, "disk-read: %s has %llu blocks of 4 KiB, %lu asked\n",
			argv[1], (unsigned long long)blocks, count);
		return 1;
	}
	if (posix_memalign(&buf, BLOCK, BLOCK))
		return 1;
	for (unsigned long i = 0; i < count; i++) {
		uint64_t b = random ? xorshift64(&seed) % blocks : i;

		if (pread(fd, buf, BLOCK, (off_t)(b * BLOCK)) != BLOCK) {
			fprintf(stderr, "disk-read: %s: short read at block %llu\n",
				argv[1], (unsigned long long)b);
			return 1;
		}
	}
	return 0;
}
