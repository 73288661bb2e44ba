// SPDX-License-Identifier: MIT
/*
 * virtio-blk: write a 4 KiB pattern at sector 8, flush, read it back into
 * another buffer, and ask the device for its id string. The host side
 * (tests.sh) checks that the pattern reached the disk file.
 */
#include "virtio.h"

#define SECTOR		8
#define BYTES		4096

static struct virtq_mem queue;
static uint8_t out[BYTES] __attribute__((aligned(16)));
static uint8_t in[BYTES] __attribute__((aligned(16)));
static char id[VIRTIO_BLK_ID_BYTES + 1];

int guest_main(void)
{
	struct virtio_dev d;
	uint64_t features, capacity;

	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, 0);
	features = virtio_init(&d, VIRTIO_F_BIT(VIRTIO_BLK_F_FLUSH));
	GUEST_ASSERT(features & VIRTIO_F_BIT(VIRTIO_BLK_F_FLUSH));
	GUEST_ASSERT(!(features & VIRTIO_F_BIT(VIRTIO_BLK_F_RO)));
	virtio_setup_queue(&d, 0, &queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&d);
	capacity = virtio_config_read64(&d, VIRTIO_BLK_CFG_CAPACITY);
	GUEST_ASSERT(capacity >= SECTOR + BYTES / VIRTIO_BLK_SECTOR);

	for (int i = 0; i < BYTES; i++)
		out[i] = (i * 7 + i / 256) ^ 0x5a;
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_OUT, SECTOR, out,
				      BYTES), VIRTIO_BLK_S_OK);
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0),
			VIRTIO_BLK_S_OK);
	memset(in, 0, BYTES);
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_IN, SECTOR, in, BYTES),
			VIRTIO_BLK_S_OK);
	GUEST_ASSERT_EQ(memcmp(in, out, BYTES), 0);
	GUEST_ASSERT_EQ(virtio_blk_rw(&d, VIRTIO_BLK_T_GET_ID, 0, id,
				      VIRTIO_BLK_ID_BYTES), VIRTIO_BLK_S_OK);
	GUEST_ASSERT(id[0] != 0);

	guest_puts("virtio-blk: ");
	guest_put_dec(capacity);
	guest_puts(" sectors; 4096 bytes written at sector 8, flushed, "
		   "read back; id '");
	guest_puts(id);
	guest_puts("'\n");
	virtio_reset(&d);
	return GUEST_EXIT_PASS;
}
