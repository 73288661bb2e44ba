// SPDX-License-Identifier: MIT
/*
 * A guest that tries to fill the host's logs: every event below is one
 * message boardvm would print, and tests/guest/virtio/tests.sh counts the
 * lines that come out (a bounded number per source and window, the rest
 * counted in --stats and reported as "N similar messages suppressed").
 *
 *   FLOOD_BAR_MOVES refused BAR moves: blk0's BAR0 onto rng0's, the same
 *   write again and again;
 *   FLOOD_BREAKS break-then-reset cycles of rng0: a descriptor index past
 *   the queue size, the device sets NEEDS_RESET, the driver resets it.
 *
 * Both devices must still work afterwards.
 */
#include "virtio.h"

#define FLOOD_BAR_MOVES		2000
#define FLOOD_BREAKS		200
#define FLOOD_POLL_MAX		4000000

static struct virtq_mem rng_queue;
static uint8_t entropy[16] __attribute__((aligned(16)));

/* An avail entry no queue of 16 has: the device must give up on it. */
static void rng_break(struct virtio_dev *rng)
{
	struct virtq *vq = &rng->vq[0];

	virtio_init(rng, 0);
	virtio_setup_queue(rng, 0, &rng_queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(rng);
	vq->mem->avail.ring[vq->avail_idx & (vq->size - 1)] = 0xffff;
	virtio_barrier();
	vq->mem->avail.idx = ++vq->avail_idx;
	virtq_kick(rng, vq);
	/* The doorbell is async: wait for the I/O thread to see it. */
	for (int i = 0; i < FLOOD_POLL_MAX; i++)
		if (virtio_common_read8(rng, VIRTIO_COMMON_STATUS) &
		    VIRTIO_STATUS_NEEDS_RESET)
			return;
	GUEST_ASSERT(!"rng0 set NEEDS_RESET");
}

static void rng_works(struct virtio_dev *rng)
{
	struct virtq_buf b = { entropy, sizeof(entropy), true };
	uint32_t id, len;

	virtio_init(rng, 0);
	virtio_setup_queue(rng, 0, &rng_queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(rng);
	virtq_add(&rng->vq[0], &b, 1);
	virtq_kick(rng, &rng->vq[0]);
	virtq_wait(&rng->vq[0], &id, &len);
	GUEST_ASSERT_EQ(len, sizeof(entropy));
}

int guest_main(void)
{
	struct virtio_dev blk, rng;
	uint32_t home;

	virtio_probe(&rng, PCI_DEVICE_VIRTIO_RNG, 0);
	virtio_probe(&blk, PCI_DEVICE_VIRTIO_BLK, 0);
	home = blk.bar0;
	for (unsigned i = 0; i < FLOOD_BAR_MOVES; i++)
		pci_bar_set(&blk.pci, 0, rng.bar0);
	virtio_move_bar(&blk, home);
	GUEST_ASSERT_EQ(virtio_common_read8(&blk, VIRTIO_COMMON_STATUS), 0);
	GUEST_ASSERT_EQ(virtio_common_read16(&blk, VIRTIO_COMMON_NUMQ),
			1);

	for (unsigned i = 0; i < FLOOD_BREAKS; i++)
		rng_break(&rng);
	rng_works(&rng);
	guest_puts("virtio log flood: ");
	guest_put_dec(FLOOD_BAR_MOVES);
	guest_puts(" refused BAR moves, ");
	guest_put_dec(FLOOD_BREAKS);
	guest_puts(" break-reset cycles; both devices still answer\n");
	return GUEST_EXIT_PASS;
}
