/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk's io_uring ring (devices/virtio-blk.c), declared for the
 * device tests, which check the kernel enforces its restrictions.
 */
#ifndef BOARDVM_VIRTIO_BLK_H
#define BOARDVM_VIRTIO_BLK_H

#include <stdbool.h>

#include <liburing.h>

/* The disk's index in the ring's fixed-file table (IOSQE_FIXED_FILE). */
#define VIRTIO_BLK_FIXED_DISK	0

/*
 * Set up `ring` with `entries` entries for the disk `disk_fd`: created
 * disabled (IORING_SETUP_R_DISABLED), the disk registered as fixed file
 * VIRTIO_BLK_FIXED_DISK, `event_fd` signalled on every completion, then
 * restricted (IORING_REGISTER_RESTRICTIONS) to READV, plus WRITEV and
 * FSYNC unless `readonly`, every SQE on a fixed file, IOSQE_IO_DRAIN the
 * only other flag, no register operation, and enabled. Returns 0, or a
 * negative errno after a message naming `name`, the call and the error.
 */
int virtio_blk_ring_init(struct io_uring *ring, unsigned entries,
			 int disk_fd, int event_fd, bool readonly,
			 const char *name);

#endif
