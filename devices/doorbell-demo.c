// SPDX-License-Identifier: MIT
/*
 * doorbell-demo: a device that shows what each binding does to the same
 * registers. Its block (in ports or MMIO):
 *
 *   +0x00 doorbell (async by default)  write: ring queue `value`
 *                                      read:  total rings
 *   +0x04 status (sync)                +0x4 total rings (32 bits)
 *                                      +0x8 last queue rung
 *                                      +0xc scratch, read/write
 *   +0x10 fifo (coalesced by default)  write anywhere: append the value
 *                                      read +0x10: count, +0x14: checksum
 *
 * The checksum is h = h * 31 + value over every appended value, so it
 * tells whether buffered writes were replayed in order. A ring of a queue
 * >= `queues` is ignored (and counted as bad). Each ring pulses the irq
 * line when the board wires one.
 *
 * An async doorbell (ioeventfd) arrives as notify(reg, slot) without the
 * value written; it rings queue `slot` (always 0 for the one-register
 * doorbell). The dispatcher replays doorbells registered with a datamatch
 * as ordinary writes of that value, so those ring the right queue.
 *
 * Concurrency: the I/O thread (notify) and any vCPU reach it at once; all
 * state is behind one mutex per device.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "board-tables.h"
#include "device.h"
#include "doorbell-demo.h"

/* Offsets in the block. */
#define DOORBELL		0x00
#define DOORBELL_TOTAL		0x04
#define DOORBELL_LAST		0x08
#define DOORBELL_SCRATCH	0x0c
#define DOORBELL_FIFO		0x10
#define DOORBELL_FIFO_COUNT	0x10
#define DOORBELL_FIFO_SUM	0x14
#define DOORBELL_FIFO_END	0x20
#define DOORBELL_REG_DOORBELL	0	/* index in the type's regs[] */

#define DOORBELL_SUM_FACTOR	31
#define DOORBELL_MAX_QUEUES	65536

struct doorbell_demo {
	pthread_mutex_t lock;
	uint32_t queues;
	uint64_t *rings;		/* per queue */
	uint64_t bad_rings;
	uint32_t total;
	uint32_t last;
	uint32_t scratch;
	uint32_t fifo_count;
	uint32_t fifo_sum;
};

uint64_t doorbell_demo_rings(struct device *dev, unsigned queue)
{
	struct doorbell_demo *d = dev->state;
	uint64_t n = 0;

	pthread_mutex_lock(&d->lock);
	if (queue < d->queues)
		n = d->rings[queue];
	pthread_mutex_unlock(&d->lock);
	return n;
}

uint64_t doorbell_demo_bad_rings(struct device *dev)
{
	struct doorbell_demo *d = dev->state;
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = d->bad_rings;
	pthread_mutex_unlock(&d->lock);
	return n;
}

static void doorbell_ring(struct device *dev, struct doorbell_demo *d,
			  uint64_t queue)
{
	if (queue >= d->queues) {
		d->bad_rings++;
		return;
	}
	d->rings[queue]++;
	d->total++;
	d->last = queue;
	irq_line_set(&dev->irq, 1);
	irq_line_set(&dev->irq, 0);
}

/* The register file as little-endian bytes, for reads of any width. */
static uint8_t doorbell_read_byte(struct doorbell_demo *d, uint64_t at)
{
	uint32_t word;

	switch (at & ~3ull) {
	case DOORBELL:
	case DOORBELL_TOTAL:
		word = d->total;
		break;
	case DOORBELL_LAST:
		word = d->last;
		break;
	case DOORBELL_SCRATCH:
		word = d->scratch;
		break;
	case DOORBELL_FIFO_COUNT:
		word = d->fifo_count;
		break;
	case DOORBELL_FIFO_SUM:
		word = d->fifo_sum;
		break;
	default:
		return 0xff;
	}
	return word >> (8 * (at & 3));
}

static void doorbell_read(struct device *dev, uint64_t offset, void *data,
			  unsigned len)
{
	struct doorbell_demo *d = dev->state;
	uint8_t *p = data;

	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < len; i++)
		p[i] = doorbell_read_byte(d, offset + i);
	pthread_mutex_unlock(&d->lock);
}

static void doorbell_write_scratch(struct doorbell_demo *d, uint64_t offset,
				   const uint8_t *p, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		uint64_t at = offset + i;

		if (at < DOORBELL_SCRATCH || at >= DOORBELL_SCRATCH + 4)
			continue;
		at -= DOORBELL_SCRATCH;
		d->scratch = (d->scratch & ~(0xffu << (8 * at))) |
			     (uint32_t)p[i] << (8 * at);
	}
}

static void doorbell_write(struct device *dev, uint64_t offset,
			   const void *data, unsigned len)
{
	struct doorbell_demo *d = dev->state;
	uint64_t value = device_data_get(data, len);

	pthread_mutex_lock(&d->lock);
	if (offset < DOORBELL_TOTAL) {
		doorbell_ring(dev, d, value);
	} else if (offset < DOORBELL_FIFO) {
		doorbell_write_scratch(d, offset, data, len);
	} else if (offset < DOORBELL_FIFO_END) {
		d->fifo_count++;
		d->fifo_sum = d->fifo_sum * DOORBELL_SUM_FACTOR + (uint32_t)value;
	}
	pthread_mutex_unlock(&d->lock);
}

static void doorbell_notify(struct device *dev, unsigned reg, unsigned slot)
{
	struct doorbell_demo *d = dev->state;

	if (reg != DOORBELL_REG_DOORBELL)
		return;
	pthread_mutex_lock(&d->lock);
	doorbell_ring(dev, d, slot);
	pthread_mutex_unlock(&d->lock);
}

static void doorbell_reset(struct device *dev)
{
	struct doorbell_demo *d = dev->state;

	pthread_mutex_lock(&d->lock);
	for (uint32_t q = 0; q < d->queues; q++)
		d->rings[q] = 0;
	d->bad_rings = 0;
	d->total = d->last = d->scratch = 0;
	d->fifo_count = d->fifo_sum = 0;
	pthread_mutex_unlock(&d->lock);
}

static int doorbell_init(struct device *dev)
{
	uint64_t queues = device_prop_number(dev, "queues");
	struct doorbell_demo *d;

	if (queues < 1 || queues > DOORBELL_MAX_QUEUES) {
		fprintf(stderr, "boardvm: %s: property queues = %llu is out of "
			"range: use 1..%u in the board file (%s)\n",
			dev->desc->name, (unsigned long long)queues,
			DOORBELL_MAX_QUEUES, dev->desc->srcpos);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (d)
		d->rings = calloc(queues, sizeof(*d->rings));
	if (!d || !d->rings) {
		fprintf(stderr, "boardvm: %s: out of memory for %llu queues\n",
			dev->desc->name, (unsigned long long)queues);
		goto err_free;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->queues = queues;
	dev->state = d;
	return 0;

err_free:
	free(d);
	return -ENOMEM;
}

static void doorbell_destroy(struct device *dev)
{
	struct doorbell_demo *d = dev->state;

	if (!d)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d->rings);
	free(d);
	dev->state = NULL;
}

const struct device_ops doorbell_demo_ops = {
	.init		= doorbell_init,
	.reset		= doorbell_reset,
	.destroy	= doorbell_destroy,
	.pio_read	= doorbell_read,
	.pio_write	= doorbell_write,
	.mmio_read	= doorbell_read,
	.mmio_write	= doorbell_write,
	.notify		= doorbell_notify,
};
