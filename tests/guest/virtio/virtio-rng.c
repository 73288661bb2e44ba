// SPDX-License-Identifier: MIT
/*
 * virtio-rng: two 64-byte requests on the request queue; every byte the
 * device says it wrote arrives, and they are not all equal.
 */
#include "virtio.h"

#define BYTES		64
#define ROUNDS		2

static struct virtq_mem queue;
static uint8_t buf[BYTES] __attribute__((aligned(16)));

int guest_main(void)
{
	struct virtio_dev d;
	uint32_t total = 0;

	virtio_probe(&d, PCI_DEVICE_VIRTIO_RNG, 0);
	virtio_init(&d, 0);
	virtio_setup_queue(&d, 0, &queue, 8, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&d);

	for (int r = 0; r < ROUNDS; r++) {
		struct virtq_buf b = { buf, BYTES, true };
		uint32_t len = 0;
		bool differ = false;

		memset(buf, 0, BYTES);
		virtq_add(&d.vq[0], &b, 1);
		virtq_kick(&d, &d.vq[0]);
		virtq_wait(&d.vq[0], NULL, &len);
		GUEST_ASSERT(len > 0 && len <= BYTES);
		for (uint32_t i = 1; i < len; i++)
			differ |= buf[i] != buf[0];
		GUEST_ASSERT(differ);
		total += len;
	}
	guest_puts("virtio-rng: ");
	guest_put_dec(total);
	guest_puts(" random bytes in 2 requests, not all equal\n");
	return GUEST_EXIT_PASS;
}
