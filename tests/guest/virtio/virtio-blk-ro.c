// SPDX-License-Identifier: MIT
/*
 * virtio-blk on a read-only disk (--disk FILE,ro): the device offers
 * VIRTIO_BLK_F_RO, a write comes back VIRTIO_BLK_S_IOERR, and a read shows
 * the data the host put there, unchanged.
 */
#include "virtio.h"

#define BYTES		512

static struct virtq_mem queue;
static uint8_t buf[BYTES] __attribute__((aligned(16)));

/* The host fills sector 0 with this byte (tests.sh). */
#define HOST_FILL	0xa5

int guest_main(void)
{
	struct virtio_dev d;
	uint64_t features;

	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, 0);
	features = virtio_init(&d, VIRTIO_F_BIT(VIRTIO_BLK_F_RO));
	GUEST_ASSERT(features & VIRTIO_F_BIT(VIRTIO_BLK_F_RO));
	virtio_setup_queue(&d, 0, &queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&d);

	memset(buf, 0x3c, BYTES);
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_OUT, 0, buf, BYTES),
			VIRTIO_BLK_S_IOERR);
	memset(buf, 0, BYTES);
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_IN, 0, buf, BYTES),
			VIRTIO_BLK_S_OK);
	for (int i = 0; i < BYTES; i++)
		GUEST_ASSERT_EQ(buf[i], HOST_FILL);

	guest_puts("virtio-blk read-only: VIRTIO_BLK_F_RO offered, write "
		   "refused with IOERR, data unchanged\n");
	return GUEST_EXIT_PASS;
}
