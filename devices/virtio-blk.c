// SPDX-License-Identifier: MIT
/*
 * virtio-blk ("Block Device") over PCI or MMIO, backed by a raw file or block
 * device given with --disk FILE[,ro]. One request queue.
 *
 * Requests: IN (readv), OUT (writev), FLUSH (fdatasync: on the host's
 * disk when it returns OK), GET_ID (the serial "boardvm-<device name>"),
 * anything else UNSUPP. A request is a 16-byte device-readable header
 * {type, reserved, sector}, data, and a device-writable status byte at the
 * very end; a chain without room for both is a broken driver (the device
 * needs a reset). Data in the wrong direction for the request type, a
 * length that is not a whole number of sectors or a range past the end of
 * the disk ends with IOERR. A read-only disk (`,ro` or the board's
 * `read-only: true`) advertises VIRTIO_BLK_F_RO and fails OUT with IOERR.
 *
 * The data path is asynchronous, through io_uring (liburing):
 *   - A queue notify (a vCPU thread for a sync doorbell, the I/O thread
 *     for the ioeventfd one) drains the available ring: IN, OUT and FLUSH
 *     each take an in-flight slot and one SQE (IORING_OP_READV, WRITEV,
 *     FSYNC with IORING_FSYNC_DATASYNC), and the batch goes to the kernel
 *     with one io_uring_submit(). GET_ID, UNSUPP and every request refused
 *     before the disk (IOERR) complete at once, in the notify.
 *   - Completions signal an eventfd registered with the ring
 *     (io_uring_register_eventfd), the device's poll fd: the I/O thread
 *     calls poll_ready(), which reaps every CQE, writes each status byte,
 *     pushes the used elements and interrupts the driver once per batch.
 *   - Short transfers: a READV or WRITEV that moved fewer bytes than asked
 *     (res > 0) is resubmitted for the rest, at the file offset after what
 *     was done; one that moved none (res 0: the file shrank under the
 *     disk) or failed (res < 0) ends the request with IOERR, as the
 *     synchronous path did.
 *   - Durability: a FLUSH's FSYNC carries IOSQE_IO_DRAIN, so the kernel
 *     starts it only once every SQE submitted before it has completed, and
 *     starts nothing submitted after it until it has. Every write the
 *     driver saw complete before it sent the FLUSH (and every one it sent
 *     before it, complete or not) is therefore on the disk when the FLUSH
 *     completes OK: fdatasync semantics, as before.
 *   - Locking: the device's mutex (virtio-pci.h) covers the ring, the
 *     in-flight slots and the virtqueue: notify, poll_ready, reset and
 *     destroy all run with it held, so a vCPU's notify and the I/O
 *     thread's completions never meet on the SQ, the CQ or the used ring.
 *   - A driver reset or the device's end waits for every request still in
 *     flight (the kernel may be writing guest RAM) and drops them.
 *   - More chains in flight than the queue size (a driver reusing heads
 *     it has not got back) breaks the device.
 *
 * Hardening: io_uring operations bypass seccomp, so the ring is created
 * disabled, the disk registered as its one fixed file, and restricted
 * (IORING_REGISTER_RESTRICTIONS) to READV (and WRITEV, FSYNC for a
 * read-write disk) on fixed files, IOSQE_IO_DRAIN the only other flag, no
 * register operation; only then enabled. The seccomp filter allows
 * io_uring_enter (and read, for the eventfd) on boards with a virtio-blk
 * device, nothing to open or register.
 *
 * No fallback: when io_uring cannot be set up (ENOSYS on an old kernel,
 * EPERM with kernel.io_uring_disabled, ENOMEM), boardvm fails to start
 * with a message naming the device, the call and the error. There is no
 * synchronous path to fall back to (docs/virtio.md, "virtio-blk").
 *
 * The disk is locked with flock(): LOCK_EX for read-write, LOCK_SH for
 * read-only, both non-blocking, so two VMMs never write one image. The
 * ring gets an open of its own (a second open file description, checked
 * to be the same file): the kernel tears a ring down in the background
 * after its fd is closed, holding its files until then, so a ring on the
 * locked description would keep the lock for a while after the VMM ended
 * (even killed with SIGKILL) and a restarted VMM would find its image
 * locked. With no --disk the device has no medium: capacity 0,
 * read-only, no ring.
 *
 * Every disk syscall of the VMM after setup is in this file (io_uring_enter,
 * the eventfd's read, close) for the seccomp filter; open, fstat, fcntl,
 * lseek, flock and the ring's setup run only at init (machine/host-file.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "board-tables.h"
#include "host-file.h"
#include "virtio-blk.h"
#include "virtio-mmio.h"

#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

#define VIRTIO_BLK_ID_BYTES	20
#define VIRTIO_BLK_HDR_BYTES	16
#define SECTOR_SIZE		512
#define SECTOR_SHIFT		9

#define BLK_QUEUE_MAX		256
/* Header and status take two descriptors of a chain. */
#define BLK_SEG_MAX		(BLK_QUEUE_MAX - 2)
/* One SQE per in-flight request: the queue never holds more. */
#define BLK_RING_ENTRIES	BLK_QUEUE_MAX

/* virtio_blk_config offsets (what we fill). */
#define BLK_CFG_CAPACITY	0x00
#define BLK_CFG_SEG_MAX		0x0c
#define BLK_CFG_BLK_SIZE	0x14
#define BLK_CFG_SIZE		0x40

/* --stats counters. */
enum {
	BLK_REQUESTS,			/* chains served */
	BLK_SUBMITS,			/* io_uring_submit() calls */
	BLK_SQES,			/* SQEs in them, resubmits included */
	BLK_RESUBMITS,			/* short transfers resubmitted */
	BLK_IO_ERRORS,			/* completions that ended in IOERR */
	NR_BLK_COUNTERS,
};

static const char *const blk_counter_names[NR_BLK_COUNTERS] = {
	"requests", "submits", "sqes", "resubmits", "io-errors",
};

struct virtio_blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* A request the kernel holds: the rest of its transfer and its chain. */
struct blk_io {
	struct iovec *iov;		/* what is left to transfer */
	unsigned nr_iov;
	uint64_t pos;			/* file offset of iov[0] */
	uint32_t left;			/* bytes in iov[0 .. nr_iov) */
	uint32_t written;		/* data bytes for the used element */
	uint8_t *status;		/* the chain's status byte */
	uint16_t head;
	uint8_t op;			/* IORING_OP_* */
	bool busy;
};

struct virtio_blk {
	struct virtio_pci vp;			/* first: dev->state */
	int fd;					/* -1: no medium; locked */
	int ring_fd;				/* the ring's open of it */
	bool readonly;
	uint64_t capacity;			/* 512-byte sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtq_req req;
	/* The ring, only with a medium (ring_up); event_fd its poll fd. */
	struct io_uring ring;
	bool ring_up;
	int event_fd;
	unsigned inflight, nr_free;
	uint16_t free_slot[BLK_QUEUE_MAX];
	struct blk_io io[BLK_QUEUE_MAX];
	struct iovec iov[BLK_QUEUE_MAX][VIRTQ_MAX_SIZE];
	uint64_t count[NR_BLK_COUNTERS];
};

static struct virtio_blk *to_blk(struct virtio_pci *vp)
{
	return (struct virtio_blk *)((char *)vp -
				     offsetof(struct virtio_blk, vp));
}

/*
 * The iovecs for bytes [skip, skip + len) of the request's device-readable
 * (out) or device-writable (!out) buffers, into `iov`. Returns how many.
 */
static unsigned blk_iov(struct iovec *iov, const struct virtq_req *req,
			bool out, uint32_t skip, uint32_t len)
{
	unsigned first = out ? 0 : req->nr_out;
	unsigned end = first + (out ? req->nr_out : req->nr_in), n = 0;

	for (unsigned i = first; i < end && len; i++) {
		const struct virtq_seg *s = &req->seg[i];
		uint32_t take;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		take = s->len - skip < len ? s->len - skip : len;
		iov[n].iov_base = (uint8_t *)s->host + skip;
		iov[n].iov_len = take;
		n++;
		len -= take;
		skip = 0;
	}
	return n;
}

static bool blk_range_ok(const struct virtio_blk *vb, uint64_t sector,
			 uint32_t len)
{
	uint64_t sectors = len >> SECTOR_SHIFT;

	return vb->fd >= 0 && !(len % SECTOR_SIZE) &&
	       sector <= vb->capacity && sectors <= vb->capacity - sector;
}

/* The ring */

static void blk_prep(struct virtio_blk *vb, struct io_uring_sqe *sqe,
		     unsigned slot)
{
	struct blk_io *io = &vb->io[slot];

	switch (io->op) {
	case IORING_OP_READV:
		io_uring_prep_readv(sqe, VIRTIO_BLK_FIXED_DISK, io->iov,
				    io->nr_iov, io->pos);
		break;
	case IORING_OP_WRITEV:
		io_uring_prep_writev(sqe, VIRTIO_BLK_FIXED_DISK, io->iov,
				     io->nr_iov, io->pos);
		break;
	default:
		io_uring_prep_fsync(sqe, VIRTIO_BLK_FIXED_DISK,
				    IORING_FSYNC_DATASYNC);
		/* After every SQE before it, before every one after. */
		sqe->flags |= IOSQE_IO_DRAIN;
		break;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, slot);
}

/*
 * Queue slot's SQE for the next submit. The SQ has an entry per slot and
 * every batch is submitted before the lock is dropped, so it is never
 * full; false if the kernel kept entries anyway (the request then fails).
 */
static bool blk_queue_sqe(struct virtio_blk *vb, unsigned slot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&vb->ring);

	if (!sqe) {
		io_uring_submit(&vb->ring);
		sqe = io_uring_get_sqe(&vb->ring);
	}
	if (!sqe)
		return false;
	blk_prep(vb, sqe, slot);
	vb->count[BLK_SQES]++;
	return true;
}

/* Hand the queued SQEs to the kernel: one io_uring_enter. */
static void blk_submit(struct virtio_blk *vb)
{
	int r = io_uring_submit(&vb->ring);

	vb->count[BLK_SUBMITS]++;
	/* Not consumed SQEs stay queued: the next submit takes them. */
	if (r < 0 && ratelimit_allow(&vb->vp.log))
		fprintf(stderr, "boardvm: %s: io_uring_submit: %s; the "
			"requests wait for the next one\n",
			vb->vp.dev->desc ? vb->vp.dev->desc->name :
			"virtio-blk", strerror(-r));
}

static int blk_slot_take(struct virtio_blk *vb)
{
	if (!vb->nr_free)
		return -1;
	vb->inflight++;
	return vb->free_slot[--vb->nr_free];
}

static void blk_slot_put(struct virtio_blk *vb, unsigned slot)
{
	vb->io[slot].busy = false;
	vb->free_slot[vb->nr_free++] = slot;
	vb->inflight--;
}

/* Requests */

/*
 * Start an IN or OUT of bytes [skip, skip + len) of the chain at `sector`,
 * or a FLUSH (len 0). Returns 1 (in flight), 0 when no SQE could be had
 * (the request ends with IOERR now), or -1 when the queue is broken (more
 * requests than it holds).
 */
static int blk_start(struct virtio_blk *vb, struct virtq *vq,
		     const struct virtq_req *req, uint8_t op, uint64_t sector,
		     uint32_t skip, uint32_t len)
{
	struct blk_io *io;
	int slot;

	if (vb->inflight >= vq->size || (slot = blk_slot_take(vb)) < 0)
		return virtq_fail(vq, "virtio-blk: more requests in flight "
				  "than the queue holds");
	io = &vb->io[slot];
	io->iov = vb->iov[slot];
	io->nr_iov = op == IORING_OP_FSYNC ? 0 :
		     blk_iov(io->iov, req, op == IORING_OP_WRITEV, skip, len);
	io->pos = sector << SECTOR_SHIFT;
	io->left = len;
	io->written = op == IORING_OP_READV ? len : 0;
	io->status = (uint8_t *)req->seg[req->nr_out + req->nr_in - 1].host +
		     req->seg[req->nr_out + req->nr_in - 1].len - 1;
	io->head = req->head;
	io->op = op;
	io->busy = true;
	if (!blk_queue_sqe(vb, slot)) {
		blk_slot_put(vb, slot);
		return 0;		/* IOERR at once */
	}
	return 1;
}

/* IN: the data is every device-writable byte but the status. */
static int blk_read(struct virtio_blk *vb, struct virtq *vq,
		    const struct virtq_req *req, uint64_t sector)
{
	uint32_t len = req->in_len - 1;

	if (req->out_len != VIRTIO_BLK_HDR_BYTES ||
	    !blk_range_ok(vb, sector, len))
		return 0;
	return blk_start(vb, vq, req, IORING_OP_READV, sector, 0, len);
}

/* OUT: the data is every device-readable byte after the header. */
static int blk_write(struct virtio_blk *vb, struct virtq *vq,
		     const struct virtq_req *req, uint64_t sector)
{
	uint32_t len = req->out_len - VIRTIO_BLK_HDR_BYTES;

	if (vb->readonly || req->in_len != 1 ||
	    !blk_range_ok(vb, sector, len))
		return 0;
	return blk_start(vb, vq, req, IORING_OP_WRITEV, sector,
			 VIRTIO_BLK_HDR_BYTES, len);
}

static uint8_t blk_get_id(struct virtio_blk *vb, const struct virtq_req *req,
			  uint32_t *written)
{
	uint32_t len = req->in_len - 1;

	if (len > VIRTIO_BLK_ID_BYTES)
		len = VIRTIO_BLK_ID_BYTES;
	*written = virtq_copy_to(req, 0, vb->serial, len);
	return VIRTIO_BLK_S_OK;
}

/* An IN, OUT or FLUSH with the disk: 1 in flight, 0 IOERR now, -1 broken. */
static int blk_disk_request(struct virtio_blk *vb, struct virtq *vq,
			    const struct virtq_req *req,
			    const struct virtio_blk_hdr *hdr)
{
	switch (hdr->type) {
	case VIRTIO_BLK_T_IN:
		return blk_read(vb, vq, req, hdr->sector);
	case VIRTIO_BLK_T_OUT:
		return blk_write(vb, vq, req, hdr->sector);
	default:
		return blk_start(vb, vq, req, IORING_OP_FSYNC, 0, 0, 0);
	}
}

/* Whether the request goes to the disk (IN, OUT, FLUSH on a writable one). */
static bool blk_goes_to_disk(const struct virtio_blk *vb, uint32_t type)
{
	if (!vb->ring_up)
		return false;
	return type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT ||
	       (type == VIRTIO_BLK_T_FLUSH && !vb->readonly);
}

/*
 * Serve one chain: 1 when it went to the ring, 0 when it completed here
 * (pushed), -1 when its layout breaks the protocol.
 */
static int blk_request(struct virtio_blk *vb, struct virtq *vq,
		       const struct virtq_req *req)
{
	struct virtio_blk_hdr hdr;
	uint32_t written = 0;
	uint8_t status;
	int r;

	if (req->out_len < VIRTIO_BLK_HDR_BYTES || req->in_len < 1)
		return virtq_fail(vq, "virtio-blk request without a 16-byte "
				  "header and a status byte");
	virtq_copy_from(req, 0, &hdr, sizeof(hdr));
	vb->count[BLK_REQUESTS]++;
	if (blk_goes_to_disk(vb, hdr.type)) {
		r = blk_disk_request(vb, vq, req, &hdr);
		if (r)
			return r;
		status = VIRTIO_BLK_S_IOERR;
	} else if (hdr.type == VIRTIO_BLK_T_GET_ID) {
		status = blk_get_id(vb, req, &written);
	} else if (hdr.type == VIRTIO_BLK_T_FLUSH) {
		status = VIRTIO_BLK_S_OK;	/* nothing written to flush */
	} else if (hdr.type == VIRTIO_BLK_T_IN ||
		   hdr.type == VIRTIO_BLK_T_OUT) {
		status = VIRTIO_BLK_S_IOERR;	/* no medium */
	} else {
		status = VIRTIO_BLK_S_UNSUPP;
	}
	virtq_copy_to(req, req->in_len - 1, &status, 1);
	virtq_push(vq, req, written + 1);
	return 0;
}

/* Completions */

/* The rest of a short transfer: skip the `done` bytes already moved. */
static void blk_advance(struct blk_io *io, uint32_t done)
{
	io->pos += done;
	io->left -= done;
	while (io->nr_iov && done >= io->iov->iov_len) {
		done -= io->iov->iov_len;
		io->iov++;
		io->nr_iov--;
	}
	if (io->nr_iov) {
		io->iov->iov_base = (uint8_t *)io->iov->iov_base + done;
		io->iov->iov_len -= done;
	}
}

/*
 * One CQE of `slot`: true when its request is over (status written,
 * pushed), false when the rest was queued again.
 */
static bool blk_complete(struct virtio_blk *vb, unsigned slot, int res)
{
	struct blk_io *io = &vb->io[slot];
	uint8_t status = VIRTIO_BLK_S_OK;

	if (io->op != IORING_OP_FSYNC && res > 0 && (uint32_t)res < io->left) {
		blk_advance(io, res);
		vb->count[BLK_RESUBMITS]++;
		if (blk_queue_sqe(vb, slot))
			return false;
		res = -EAGAIN;
	}
	if (res < 0 || (io->op != IORING_OP_FSYNC && res == 0 && io->left)) {
		status = VIRTIO_BLK_S_IOERR;
		io->written = 0;
		vb->count[BLK_IO_ERRORS]++;
	}
	*io->status = status;
	virtq_push_id(&vb->vp.vq[0], io->head, io->written + 1);
	blk_slot_put(vb, slot);
	return true;
}

/*
 * Every CQE the ring holds (`wait`: first wait for one while requests are
 * in flight). Resubmits go to the kernel in one submit; the driver is
 * interrupted once if anything was pushed. Locked. Returns 0, or the
 * wait's negative errno.
 */
static int blk_reap(struct virtio_blk *vb, bool wait)
{
	struct io_uring_cqe *cqe;
	unsigned resubmits = 0;
	bool pushed = false;
	int err = 0;

	if (wait && vb->inflight)
		do
			err = io_uring_wait_cqe(&vb->ring, &cqe);
		while (err == -EINTR);
	while (io_uring_peek_cqe(&vb->ring, &cqe) == 0) {
		unsigned slot = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&vb->ring, cqe);
		if (slot >= BLK_QUEUE_MAX || !vb->io[slot].busy)
			continue;
		if (blk_complete(vb, slot, res))
			pushed = true;
		else
			resubmits++;
	}
	if (resubmits)
		blk_submit(vb);
	if (pushed)
		virtio_pci_queue_interrupt(&vb->vp, 0);
	return err;
}

/*
 * Wait for every request in flight and drop it (a reset, the end): the
 * kernel must be done with guest RAM before the driver reuses it. Locked.
 */
static void blk_drain(struct virtio_blk *vb)
{
	struct io_uring_cqe *cqe;
	int err;

	while (vb->ring_up && vb->inflight) {
		err = io_uring_wait_cqe(&vb->ring, &cqe);
		if (err == -EINTR)
			continue;
		if (err < 0) {
			fprintf(stderr, "boardvm: %s: io_uring_wait_cqe with "
				"%u requests in flight: %s\n",
				vb->vp.dev->desc ? vb->vp.dev->desc->name :
				"virtio-blk", vb->inflight, strerror(-err));
			return;
		}
		if (io_uring_cqe_get_data64(cqe) < BLK_QUEUE_MAX &&
		    vb->io[io_uring_cqe_get_data64(cqe)].busy)
			blk_slot_put(vb, io_uring_cqe_get_data64(cqe));
		io_uring_cqe_seen(&vb->ring, cqe);
	}
}

static void blk_queue_notify(struct virtio_pci *vp, unsigned q)
{
	struct virtio_blk *vb = to_blk(vp);
	struct virtq *vq = &vp->vq[q];
	bool pushed = false, queued = false;
	int r, s;

	while ((r = virtq_pop(vq, &vb->req)) > 0) {
		s = blk_request(vb, vq, &vb->req);
		if (s < 0) {
			r = -1;
			break;
		}
		if (s)
			queued = true;
		else
			pushed = true;
	}
	if (queued)
		blk_submit(vb);
	if (pushed)
		virtio_pci_queue_interrupt(vp, q);
	if (r < 0)
		virtio_pci_set_broken(vp, vq->error);
}

/* The driver reset the device (locked): nothing of the old rings stays. */
static void blk_reset(struct virtio_pci *vp)
{
	blk_drain(to_blk(vp));
}

static void blk_config_read(struct virtio_pci *vp, uint32_t offset,
			    void *data, unsigned len)
{
	struct virtio_blk *vb = to_blk(vp);
	uint8_t img[BLK_CFG_SIZE] = { 0 };

	device_data_put(img + BLK_CFG_CAPACITY, 8, vb->capacity);
	device_data_put(img + BLK_CFG_SEG_MAX, 4, BLK_SEG_MAX);
	device_data_put(img + BLK_CFG_BLK_SIZE, 4, SECTOR_SIZE);
	memcpy(data, img + offset, len);
}

static const struct virtio_model blk_model = {
	.device_id = VIRTIO_ID_BLOCK,
	.class_code = 0x018000,		/* mass storage, other */
	.nr_queues = 1,
	.queue_max = BLK_QUEUE_MAX,
	.config_size = BLK_CFG_SIZE,
	.queue_notify = blk_queue_notify,
	.config_read = blk_config_read,
	.reset = blk_reset,
};

/* The I/O thread: the ring's eventfd fired. */
static int blk_poll_fd(struct device *dev)
{
	struct virtio_blk *vb = to_blk(dev->state);

	return vb->ring_up ? vb->event_fd : -1;
}

static void blk_poll_ready(struct device *dev)
{
	struct virtio_blk *vb = to_blk(dev->state);
	uint64_t count;

	virtio_pci_lock(&vb->vp);
	/* Cleared first: a CQE posted after this read signals again. */
	if (read(vb->event_fd, &count, sizeof(count)) < 0) {
		/* EAGAIN: a CQE already reaped with an earlier one */
	}
	blk_reap(vb, false);
	virtio_pci_unlock(&vb->vp);
}

/* Tests and fuzzers: every request in flight completed and served. */
static void blk_settle(struct device *dev)
{
	struct virtio_blk *vb = to_blk(dev->state);

	virtio_pci_lock(&vb->vp);
	while (vb->ring_up && vb->inflight && blk_reap(vb, true) == 0)
		;
	virtio_pci_unlock(&vb->vp);
}

static unsigned blk_counters(struct device *dev, struct device_counter *out,
			     unsigned max)
{
	struct virtio_blk *vb = to_blk(dev->state);

	return virtio_pci_counters(&vb->vp, blk_counter_names, vb->count,
				   NR_BLK_COUNTERS, out, max);
}

/* Set-up */

static int ring_fail(const char *name, const char *call, int err)
{
	fprintf(stderr, "boardvm: %s: %s: %s; the virtio-blk data path needs "
		"io_uring (Linux 5.10 or later, kernel.io_uring_disabled 0)\n",
		name, call, strerror(-err));
	return err;
}

static int ring_restrict(struct io_uring *ring, bool readonly,
			 const char *name)
{
	struct io_uring_restriction res[5] = {
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
		  .sqe_flags = IOSQE_FIXED_FILE },
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
		  .sqe_flags = IOSQE_IO_DRAIN },
		{ .opcode = IORING_RESTRICTION_SQE_OP,
		  .sqe_op = IORING_OP_READV },
		{ .opcode = IORING_RESTRICTION_SQE_OP,
		  .sqe_op = IORING_OP_WRITEV },
		{ .opcode = IORING_RESTRICTION_SQE_OP,
		  .sqe_op = IORING_OP_FSYNC },
	};
	int err;

	/*
	 * io_uring_register() itself: Debian's liburing.so.2.3 leaves
	 * io_uring_register_restrictions() and io_uring_enable_rings() out
	 * of its symbol map (only liburing.a has them).
	 */
	err = io_uring_register(ring->ring_fd, IORING_REGISTER_RESTRICTIONS,
				res, readonly ? 3 : 5);
	if (err < 0)
		return ring_fail(name, "IORING_REGISTER_RESTRICTIONS", err);
	err = io_uring_register(ring->ring_fd, IORING_REGISTER_ENABLE_RINGS,
				NULL, 0);
	if (err < 0)
		return ring_fail(name, "IORING_REGISTER_ENABLE_RINGS", err);
	return 0;
}

int virtio_blk_ring_init(struct io_uring *ring, unsigned entries,
			 int disk_fd, int event_fd, bool readonly,
			 const char *name)
{
	int err = io_uring_queue_init(entries, ring, IORING_SETUP_R_DISABLED);

	if (err < 0)
		return ring_fail(name, "io_uring_queue_init", err);
	err = io_uring_register_files(ring, &disk_fd, 1);
	if (err < 0) {
		ring_fail(name, "io_uring_register_files", err);
		goto err_exit;
	}
	err = io_uring_register_eventfd(ring, event_fd);
	if (err < 0) {
		ring_fail(name, "io_uring_register_eventfd", err);
		goto err_exit;
	}
	err = ring_restrict(ring, readonly, name);
	if (err < 0)
		goto err_exit;
	return 0;

err_exit:
	io_uring_queue_exit(ring);
	return err;
}

/* The ring and its eventfd for an opened disk. */
static int blk_ring_up(struct virtio_blk *vb, const char *name)
{
	int err;

	vb->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vb->event_fd < 0) {
		err = -errno;
		fprintf(stderr, "boardvm: %s: eventfd for the io_uring "
			"completions: %s\n", name, strerror(errno));
		return err;
	}
	err = virtio_blk_ring_init(&vb->ring, BLK_RING_ENTRIES, vb->ring_fd,
				   vb->event_fd, vb->readonly, name);
	if (err < 0) {
		close(vb->event_fd);
		vb->event_fd = -1;
		return err;
	}
	for (unsigned i = 0; i < BLK_QUEUE_MAX; i++)
		vb->free_slot[i] = BLK_QUEUE_MAX - 1 - i;
	vb->nr_free = BLK_QUEUE_MAX;
	vb->ring_up = true;
	return 0;
}

static void blk_ring_down(struct virtio_blk *vb)
{
	if (vb->ring_up) {
		blk_drain(vb);
		io_uring_queue_exit(&vb->ring);
		vb->ring_up = false;
	}
	if (vb->event_fd >= 0)
		close(vb->event_fd);
	vb->event_fd = -1;
}

/*
 * The ring's own open of the disk (the header says why): the same file
 * as `first`, or an error. Returns 0 or a negative errno.
 */
static int blk_open_again(struct virtio_blk *vb, const char *name,
			  const struct host_disk *disk, bool readonly,
			  const struct stat *first)
{
	struct stat st;
	char msg[512];

	vb->ring_fd = host_file_open("--disk", disk->path,
				     readonly ? O_RDONLY : O_RDWR,
				     HOST_FILE_REGULAR | HOST_FILE_BLOCK, &st,
				     msg, sizeof(msg));
	if (vb->ring_fd < 0) {
		fprintf(stderr, "boardvm: %s: %s (the io_uring's open)\n",
			name, msg);
		return -errno;
	}
	if (st.st_dev != first->st_dev || st.st_ino != first->st_ino) {
		fprintf(stderr, "boardvm: %s: --disk %s changed between two "
			"opens (renamed or replaced meanwhile): start again "
			"with the image in place\n", name, disk->path);
		return -ESTALE;
	}
	return 0;
}

/*
 * Open, size and lock the disk: a regular file or a block device, opened
 * without blocking (host_file_open()). vmm/host-input.c checked the same
 * before the VM was built; this is the open that counts. Returns 0 or a
 * negative errno.
 */
static int blk_open(struct virtio_blk *vb, const char *name,
		    const struct host_disk *disk, bool readonly)
{
	struct stat st;
	char msg[512];
	int64_t size;
	int err;

	vb->fd = host_file_open("--disk", disk->path,
				readonly ? O_RDONLY : O_RDWR,
				HOST_FILE_REGULAR | HOST_FILE_BLOCK, &st, msg,
				sizeof(msg));
	if (vb->fd < 0) {
		err = -errno;
		fprintf(stderr, "boardvm: %s: %s%s\n", name, msg,
			readonly ? " (read-only)" : "");
		return err;
	}
	if (flock(vb->fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		err = -errno;
		fprintf(stderr, "boardvm: %s: --disk %s is locked by another "
			"process (another boardvm?): stop it, or give this one "
			"a copy of the image%s\n", name, disk->path,
			readonly ? "" : " (readers share it only with ,ro "
			"everywhere)");
		return err;
	}
	size = host_file_size(vb->fd, &st);
	if (size < 0) {
		err = -errno;
		fprintf(stderr, "boardvm: %s: cannot size --disk %s: %s\n",
			name, disk->path, strerror(errno));
		return err;
	}
	if (size % SECTOR_SIZE)
		fprintf(stderr, "boardvm: %s: --disk %s is %lld bytes, not a "
			"whole number of 512-byte sectors: the last %lld bytes "
			"are not visible to the guest\n", name, disk->path,
			(long long)size, (long long)(size % SECTOR_SIZE));
	vb->capacity = (uint64_t)size >> SECTOR_SHIFT;
	return blk_open_again(vb, name, disk, readonly, &st);
}

static void blk_destroy(struct device *dev)
{
	struct virtio_pci *vp = dev->state;
	struct virtio_blk *vb;

	if (!vp)
		return;
	vb = to_blk(vp);
	virtio_pci_lock(vp);
	blk_ring_down(vb);
	virtio_pci_unlock(vp);
	if (vb->ring_fd >= 0)
		close(vb->ring_fd);
	if (vb->fd >= 0)
		close(vb->fd);		/* drops the flock */
	virtio_pci_destroy(vp);
	free(vb);
	dev->state = NULL;
}

static int blk_init(struct device *dev)
{
	struct device_host *host = dev->host;
	const struct host_disk *disk = NULL;
	const char *name = dev->desc ? dev->desc->name : "virtio-blk";
	struct virtio_blk *vb = calloc(1, sizeof(*vb));
	uint64_t features;
	int err;

	if (!vb)
		return -ENOMEM;
	vb->fd = vb->ring_fd = -1;
	vb->event_fd = -1;
	vb->readonly = device_prop_number(dev, "read-only");
	snprintf(vb->serial, sizeof(vb->serial), "boardvm-%s", name);
	if (host && host->disks_taken < host->nr_disks)
		disk = &host->disks[host->disks_taken++];
	if (disk) {
		vb->readonly |= disk->readonly;
		err = blk_open(vb, name, disk, vb->readonly);
		if (err < 0)
			goto err_close;
		err = blk_ring_up(vb, name);
		if (err < 0)
			goto err_close;
	} else {
		vb->readonly = true;	/* no medium */
	}
	features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
		   1ull << VIRTIO_BLK_F_FLUSH;
	if (vb->readonly)
		features |= 1ull << VIRTIO_BLK_F_RO;
	err = virtio_pci_init(&vb->vp, dev, &blk_model, features);
	if (err < 0)
		goto err_close;
	dev->state = &vb->vp;
	return 0;

err_close:
	blk_ring_down(vb);
	if (vb->ring_fd >= 0)
		close(vb->ring_fd);
	if (vb->fd >= 0)
		close(vb->fd);
	free(vb);
	return err;
}

const struct device_ops virtio_blk_pci_ops = {
	.init			= blk_init,
	.reset			= virtio_pci_reset,
	.destroy		= blk_destroy,
	.mmio_read		= virtio_pci_mmio_read,
	.mmio_write		= virtio_pci_mmio_write,
	.notify			= virtio_pci_notify,
	.pci_config_read	= virtio_pci_config_read,
	.pci_config_write	= virtio_pci_config_write,
	.poll_fd		= blk_poll_fd,
	.poll_ready		= blk_poll_ready,
	.settle			= blk_settle,
	.counters		= blk_counters,
};

const struct device_ops virtio_blk_mmio_ops = {
	.init			= blk_init,
	.reset			= virtio_pci_reset,
	.destroy		= blk_destroy,
	.mmio_read		= virtio_mmio_read,
	.mmio_write		= virtio_mmio_write,
	.notify			= virtio_mmio_notify,
	.poll_fd		= blk_poll_fd,
	.poll_ready		= blk_poll_ready,
	.settle			= blk_settle,
	.counters		= blk_counters,
};
