// SPDX-License-Identifier: MIT
/*
 * virtio-blk durability: write 32 sectors from sector 16 (sector 16 + s
 * filled with the byte 0x40 + s), in four 4 KiB requests, then FLUSH;
 * print the line the host waits for and spin. The host (tests.sh) kills
 * boardvm with SIGKILL and finds every sector in the image file: no write
 * the guest saw complete was still in flight in the VMM.
 */
#include "virtio.h"

#define FIRST_SECTOR	16
#define SECTORS		32
#define CHUNK		4096

static struct virtq_mem queue;
static uint8_t out[SECTORS * VIRTIO_BLK_SECTOR] __attribute__((aligned(16)));

int guest_main(void)
{
	struct virtio_dev d;
	uint64_t features;

	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, 0);
	features = virtio_init(&d, VIRTIO_F_BIT(VIRTIO_BLK_F_FLUSH));
	GUEST_ASSERT(features & VIRTIO_F_BIT(VIRTIO_BLK_F_FLUSH));
	virtio_setup_queue(&d, 0, &queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&d);
	GUEST_ASSERT(virtio_config_read64(&d, VIRTIO_BLK_CFG_CAPACITY) >=
		     FIRST_SECTOR + SECTORS);

	for (int i = 0; i < SECTORS * VIRTIO_BLK_SECTOR; i++)
		out[i] = 0x40 + i / VIRTIO_BLK_SECTOR;
	for (int at = 0; at < SECTORS * VIRTIO_BLK_SECTOR; at += CHUNK)
		GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_OUT,
					      FIRST_SECTOR + at /
					      VIRTIO_BLK_SECTOR, out + at,
					      CHUNK), VIRTIO_BLK_S_OK);
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0),
			VIRTIO_BLK_S_OK);
	guest_puts("virtio-blk durable: 32 sectors written at sector 16, "
		   "flushed; waiting to be killed\n");
	for (;;)
		guest_pause();
}
