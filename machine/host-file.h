/* SPDX-License-Identifier: MIT */
/*
 * Opening the files the host user names (--flat, --kernel, --initrd,
 * --disk, /dev/kvm) so that no kind of file can hang or mislead the VMM:
 * open() never blocks (O_NONBLOCK: a FIFO without a writer, a tty or a
 * device opens at once), the kind is checked with fstat() on the open
 * descriptor (no race with a rename) and a refusal names the kind found,
 * and the size is known before anything is read. KVM-free, used by the
 * loaders and the virtio-blk model alike.
 */
#ifndef BOARDVM_HOST_FILE_H
#define BOARDVM_HOST_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* The kinds a caller accepts, or-ed. */
#define HOST_FILE_REGULAR	(1u << 0)
#define HOST_FILE_BLOCK		(1u << 1)
#define HOST_FILE_CHAR		(1u << 2)

/* "a directory", "a FIFO", "a character device"... for messages. */
const char *host_file_kind(mode_t mode);

/*
 * Open `path` (O_RDONLY or O_RDWR in `flags`) for `what` ("kernel",
 * "--disk"...), refuse it unless its kind is in `kinds`, and fill `st`.
 * O_NONBLOCK is cleared again once the kind is accepted. Returns the
 * descriptor, or -1 with errno set and a message in `err`: "kernel 'x'
 * is a FIFO, not a regular file".
 */
int host_file_open(const char *what, const char *path, int flags,
		   unsigned kinds, struct stat *st, char *err, size_t errlen);

/*
 * An output file (a console's file:PATH, a log, metrics), appended to and
 * created 0644, opened without blocking: a FIFO nobody reads yet is
 * opened read-write (as Firecracker does), so open() never waits for a
 * reader; a FIFO or device stays non-blocking, so a full one drops output
 * instead of stopping a vCPU. Returns the fd, or -1 with errno set.
 */
int host_file_open_append(const char *path);

/* The size of an open regular file or block device, or -1 (errno). */
int64_t host_file_size(int fd, const struct stat *st);

#endif
