// SPDX-License-Identifier: MIT
/*
 * BAR moves: blk0's BAR0 moves above every BAR on the bus (free, inside the
 * PCI window) and the device works there, doorbell included; its old
 * address is then empty. A move onto rng0's BAR is refused: that address
 * still shows rng0 (device status 0, where blk0's is DRIVER_OK), and blk0
 * works again once moved somewhere free.
 */
#include "virtio.h"

static struct virtq_mem queue;
static uint8_t buf[512] __attribute__((aligned(16)));

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void blk_read_ok(struct virtio_dev *d, uint64_t sector)
{
	GUEST_ASSERT_EQ(virtio_blk_rw(d, VIRTIO_BLK_T_IN, sector, buf,
				      sizeof(buf)), VIRTIO_BLK_S_OK);
}

static uint8_t status_at(uint32_t bar, const struct virtio_dev *d)
{
	return mmio_read8(bar + d->common + VIRTIO_COMMON_STATUS);
}

int guest_main(void)
{
	struct virtio_dev d, rng;
	uint32_t home, away, again;

	virtio_probe(&rng, PCI_DEVICE_VIRTIO_RNG, 0);
	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, 0);
	home = d.bar0;
	GUEST_ASSERT_EQ(home, BOARD_BLK0_MMIO_BASE);
	virtio_init(&d, 0);
	virtio_setup_queue(&d, 0, &queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&d);
	blk_read_ok(&d, 0);

	/* Above every BAR: free, naturally aligned. */
	away = align_up(pci_bars_end(), d.bar0_size);
	virtio_move_bar(&d, away);
	GUEST_ASSERT_EQ(d.bar0, away);
	GUEST_ASSERT(status_at(away, &d) & VIRTIO_STATUS_DRIVER_OK);
	blk_read_ok(&d, 1);
	GUEST_ASSERT_EQ(mmio_read32(home + d.common + VIRTIO_COMMON_DF),
			0xffffffff);

	/* Onto rng0: refused, rng0 still answers there. */
	GUEST_ASSERT_EQ(status_at(rng.bar0, &rng), 0);
	virtio_move_bar(&d, rng.bar0);
	GUEST_ASSERT_EQ(status_at(rng.bar0, &rng), 0);
	GUEST_ASSERT_EQ(status_at(away, &d), 0xff);

	/* Somewhere free again: blk0 is back, state intact. */
	again = away + d.bar0_size;
	virtio_move_bar(&d, again);
	GUEST_ASSERT(status_at(again, &d) & VIRTIO_STATUS_DRIVER_OK);
	blk_read_ok(&d, 2);

	guest_puts("virtio bar move: blk0 ");
	guest_put_hex(home);
	guest_puts(" -> ");
	guest_put_hex(away);
	guest_puts(" works; onto rng0 at ");
	guest_put_hex(rng.bar0);
	guest_puts(" refused; -> ");
	guest_put_hex(again);
	guest_puts(" works\n");
	return GUEST_EXIT_PASS;
}
