// SPDX-License-Identifier: MIT
/*
 * virtio-rng ("Entropy Device") over PCI or MMIO: one request queue; every
 * device-writable buffer the driver posts is filled from getrandom(2) (the
 * host kernel's CSPRNG), at most RNG_MAX_CHAIN bytes per chain (the used
 * length says how many). Device-readable buffers carry nothing for this
 * device and are ignored. No device configuration, no feature bits.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>

#include "virtio-mmio.h"

#define RNG_QUEUE_MAX		64
#define RNG_MAX_CHAIN		65536	/* bytes filled per chain */

struct virtio_rng {
	struct virtio_pci vp;			/* first: dev->state */
	struct virtq_req req;
	uint64_t bytes;				/* handed to the guest */
};

static struct virtio_rng *to_rng(struct virtio_pci *vp)
{
	return (struct virtio_rng *)((char *)vp -
				     offsetof(struct virtio_rng, vp));
}

/* Fill the chain's writable segments; returns the bytes written. */
static uint32_t rng_fill(const struct virtq_req *req)
{
	uint32_t done = 0;

	for (unsigned i = req->nr_out; i < req->nr_out + req->nr_in; i++) {
		const struct virtq_seg *s = &req->seg[i];
		uint32_t want = s->len, got = 0;

		if (want > RNG_MAX_CHAIN - done)
			want = RNG_MAX_CHAIN - done;
		while (got < want) {
			ssize_t n = getrandom((uint8_t *)s->host + got,
					      want - got, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done + got;
			got += n;
		}
		done += got;
		if (done == RNG_MAX_CHAIN)
			break;
	}
	return done;
}

static void rng_queue_notify(struct virtio_pci *vp, unsigned q)
{
	struct virtio_rng *rng = to_rng(vp);
	struct virtq *vq = &vp->vq[q];
	bool pushed = false;
	int r;

	while ((r = virtq_pop(vq, &rng->req)) > 0) {
		uint32_t n = rng_fill(&rng->req);

		rng->bytes += n;
		virtq_push(vq, &rng->req, n);
		pushed = true;
	}
	if (pushed)
		virtio_pci_queue_interrupt(vp, q);
	if (r < 0)
		virtio_pci_set_broken(vp, vq->error);
}

static const struct virtio_model rng_model = {
	.device_id = VIRTIO_ID_RNG,
	.class_code = 0x00ff00,		/* unclassified */
	.nr_queues = 1,
	.queue_max = RNG_QUEUE_MAX,
	.queue_notify = rng_queue_notify,
};

static int rng_init(struct device *dev)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	int err;

	if (!rng)
		return -ENOMEM;
	err = virtio_pci_init(&rng->vp, dev, &rng_model, 0);
	if (err < 0) {
		free(rng);
		return err;
	}
	dev->state = &rng->vp;
	return 0;
}

static void rng_destroy(struct device *dev)
{
	struct virtio_pci *vp = dev->state;

	if (!vp)
		return;
	virtio_pci_destroy(vp);
	free(to_rng(vp));
	dev->state = NULL;
}

const struct device_ops virtio_rng_pci_ops = {
	.init			= rng_init,
	.reset			= virtio_pci_reset,
	.destroy		= rng_destroy,
	.mmio_read		= virtio_pci_mmio_read,
	.mmio_write		= virtio_pci_mmio_write,
	.notify			= virtio_pci_notify,
	.pci_config_read	= virtio_pci_config_read,
	.pci_config_write	= virtio_pci_config_write,
};

const struct device_ops virtio_rng_mmio_ops = {
	.init			= rng_init,
	.reset			= virtio_pci_reset,
	.destroy		= rng_destroy,
	.mmio_read		= virtio_mmio_read,
	.mmio_write		= virtio_mmio_write,
	.notify			= virtio_mmio_notify,
};
