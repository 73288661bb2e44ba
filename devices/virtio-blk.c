// SPDX-License-Identifier: MIT
/*
 * virtio-blk ("Block Device") over PCI or MMIO, backed by a raw file or block
 * device given with --disk FILE[,ro]. One request queue.
 *
 * Requests: IN (preadv), OUT (pwritev), FLUSH (fdatasync: on the host's
 * disk when it returns OK), GET_ID (the serial "boardvm-<device name>"),
 * anything else UNSUPP. A request is a 16-byte device-readable header
 * {type, reserved, sector}, data, and a device-writable status byte at the
 * very end; a chain without room for both is a broken driver (the device
 * needs a reset). Data in the wrong direction for the request type, a
 * length that is not a whole number of sectors or a range past the end of
 * the disk ends with IOERR. A read-only disk (`,ro` or the board's
 * `read-only: true`) advertises VIRTIO_BLK_F_RO and fails OUT with IOERR.
 *
 * The disk is locked with flock(): LOCK_EX for read-write, LOCK_SH for
 * read-only, both non-blocking, so two VMMs never write one image. With no
 * --disk the device has no medium: capacity 0, read-only.
 *
 * Every disk syscall of the VMM after setup is in this file (preadv,
 * pwritev, fdatasync, close) for the seccomp filter; open, fstat, fcntl,
 * lseek and flock run only at init (machine/host-file.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "board-tables.h"
#include "host-file.h"
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

/* virtio_blk_config offsets (what we fill). */
#define BLK_CFG_CAPACITY	0x00
#define BLK_CFG_SEG_MAX		0x0c
#define BLK_CFG_BLK_SIZE	0x14
#define BLK_CFG_SIZE		0x40

struct virtio_blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk {
	struct virtio_pci vp;			/* first: dev->state */
	int fd;					/* -1: no medium */
	bool readonly;
	uint64_t capacity;			/* 512-byte sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtq_req req;
	struct iovec iov[VIRTQ_MAX_SIZE];
};

static struct virtio_blk *to_blk(struct virtio_pci *vp)
{
	return (struct virtio_blk *)((char *)vp -
				     offsetof(struct virtio_blk, vp));
}

/*
 * The iovecs for bytes [skip, skip + len) of the request's device-readable
 * (out) or device-writable (!out) buffers. Returns how many.
 */
static unsigned blk_iov(struct virtio_blk *vb, const struct virtq_req *req,
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
		vb->iov[n].iov_base = (uint8_t *)s->host + skip;
		vb->iov[n].iov_len = take;
		n++;
		len -= take;
		skip = 0;
	}
	return n;
}

/* All of iov[0..n) to or from the disk at `pos`, or -1. */
static int blk_transfer(struct virtio_blk *vb, unsigned n, uint64_t pos,
			bool write)
{
	struct iovec *iov = vb->iov;

	while (n) {
		ssize_t done = write ? pwritev(vb->fd, iov, n, pos) :
				       preadv(vb->fd, iov, n, pos);

		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return -1;	/* error, or the file shrank */
		pos += done;
		while (n && (size_t)done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
	return 0;
}

static bool blk_range_ok(const struct virtio_blk *vb, uint64_t sector,
			 uint32_t len)
{
	uint64_t sectors = len >> SECTOR_SHIFT;

	return vb->fd >= 0 && !(len % SECTOR_SIZE) &&
	       sector <= vb->capacity && sectors <= vb->capacity - sector;
}

/* IN: the data is every device-writable byte but the status. */
static uint8_t blk_read(struct virtio_blk *vb, const struct virtq_req *req,
			uint64_t sector, uint32_t *written)
{
	uint32_t len = req->in_len - 1;
	unsigned n;

	if (req->out_len != VIRTIO_BLK_HDR_BYTES ||
	    !blk_range_ok(vb, sector, len))
		return VIRTIO_BLK_S_IOERR;
	n = blk_iov(vb, req, false, 0, len);
	if (blk_transfer(vb, n, sector << SECTOR_SHIFT, false) < 0)
		return VIRTIO_BLK_S_IOERR;
	*written = len;
	return VIRTIO_BLK_S_OK;
}

/* OUT: the data is every device-readable byte after the header. */
static uint8_t blk_write(struct virtio_blk *vb, const struct virtq_req *req,
			 uint64_t sector)
{
	uint32_t len = req->out_len - VIRTIO_BLK_HDR_BYTES;
	unsigned n;

	if (vb->readonly || req->in_len != 1 ||
	    !blk_range_ok(vb, sector, len))
		return VIRTIO_BLK_S_IOERR;
	n = blk_iov(vb, req, true, VIRTIO_BLK_HDR_BYTES, len);
	if (blk_transfer(vb, n, sector << SECTOR_SHIFT, true) < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_flush(struct virtio_blk *vb)
{
	if (vb->fd >= 0 && !vb->readonly && fdatasync(vb->fd) < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
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

/* Serve one chain; -1 when its layout breaks the protocol. */
static int blk_request(struct virtio_blk *vb, struct virtq *vq,
		       const struct virtq_req *req)
{
	struct virtio_blk_hdr hdr;
	uint32_t written = 0;
	uint8_t status;

	if (req->out_len < VIRTIO_BLK_HDR_BYTES || req->in_len < 1)
		return virtq_fail(vq, "virtio-blk request without a 16-byte "
				  "header and a status byte");
	virtq_copy_from(req, 0, &hdr, sizeof(hdr));
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		status = blk_read(vb, req, hdr.sector, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk_write(vb, req, hdr.sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = blk_flush(vb);
		break;
	case VIRTIO_BLK_T_GET_ID:
		status = blk_get_id(vb, req, &written);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	virtq_copy_to(req, req->in_len - 1, &status, 1);
	virtq_push(vq, req, written + 1);
	return 0;
}

static void blk_queue_notify(struct virtio_pci *vp, unsigned q)
{
	struct virtio_blk *vb = to_blk(vp);
	struct virtq *vq = &vp->vq[q];
	bool pushed = false;
	int r;

	while ((r = virtq_pop(vq, &vb->req)) > 0) {
		if (blk_request(vb, vq, &vb->req) < 0) {
			r = -1;
			break;
		}
		pushed = true;
	}
	if (pushed)
		virtio_pci_queue_interrupt(vp, q);
	if (r < 0)
		virtio_pci_set_broken(vp, vq->error);
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
};

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
	return 0;
}

static void blk_destroy(struct device *dev)
{
	struct virtio_pci *vp = dev->state;
	struct virtio_blk *vb;

	if (!vp)
		return;
	vb = to_blk(vp);
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
	vb->fd = -1;
	vb->readonly = device_prop_number(dev, "read-only");
	snprintf(vb->serial, sizeof(vb->serial), "boardvm-%s", name);
	if (host && host->disks_taken < host->nr_disks)
		disk = &host->disks[host->disks_taken++];
	if (disk) {
		vb->readonly |= disk->readonly;
		err = blk_open(vb, name, disk, vb->readonly);
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
};

const struct device_ops virtio_blk_mmio_ops = {
	.init			= blk_init,
	.reset			= virtio_pci_reset,
	.destroy		= blk_destroy,
	.mmio_read		= virtio_mmio_read,
	.mmio_write		= virtio_mmio_write,
	.notify			= virtio_mmio_notify,
};
