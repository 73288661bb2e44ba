// SPDX-License-Identifier: MIT
/*
 * A BAR move on the pc board, seen from the guest: virtio-rng0's BAR0
 * moves to a free address in the PCI window and the device answers there
 * with its state intact, its old place and its old doorbell now empty;
 * moves onto virtio-blk0's BAR and into RAM are refused (the BAR reads
 * back what was written but nothing answers there, and blk0 is
 * untouched); a free address maps it again. No virtio driver: the common
 * configuration's feature select register is state enough.
 */
#include "guest.h"

#define CFG_ADDR	BOARD_PCI_HOST_PIO_BASE
#define CFG_DATA	(BOARD_PCI_HOST_PIO_BASE + 4)
#define SLOT		BOARD_VIRTIO_RNG0_PCI_SLOT
#define HOME		BOARD_VIRTIO_RNG0_MMIO_BASE
#define AWAY		0xc8000000u	/* free in the pc board's pci window */
#define BLK		BOARD_VIRTIO_BLK0_MMIO_BASE

/* virtio_pci_common_cfg */
#define DF_SELECT	0x00
#define DF		0x04
#define NUM_QUEUES	0x12
#define NOTIFY		0x3000

static uint32_t cfg_read(unsigned reg)
{
	outl(CFG_ADDR, 0x80000000u | SLOT << 11 | reg);
	return inl(CFG_DATA);
}

static void cfg_write(unsigned reg, uint32_t v)
{
	outl(CFG_ADDR, 0x80000000u | SLOT << 11 | reg);
	outl(CFG_DATA, v);
}

/* The device at `bar` is rng0 as this test left it. */
static void rng_at(uint32_t bar)
{
	GUEST_ASSERT_EQ(mmio_read32(bar + DF_SELECT), 1);
	GUEST_ASSERT_EQ(mmio_read32(bar + DF) & 1, 1);	/* VERSION_1 */
	GUEST_ASSERT_EQ(mmio_read16(bar + NUM_QUEUES), 1);
}

static void nothing_at(uint32_t bar)
{
	GUEST_ASSERT_EQ(mmio_read32(bar + DF_SELECT), 0xffffffff);
	GUEST_ASSERT_EQ(mmio_read16(bar + NUM_QUEUES), 0xffff);
}

int guest_main(void)
{
	GUEST_ASSERT_EQ(cfg_read(0x00), 0x10441af4);
	GUEST_ASSERT_EQ(cfg_read(0x10), HOME);
	mmio_write32(HOME + DF_SELECT, 1);
	rng_at(HOME);

	cfg_write(0x10, AWAY);
	GUEST_ASSERT_EQ(cfg_read(0x10), AWAY);
	rng_at(AWAY);
	nothing_at(HOME);
	/* Doorbells: the old one is gone (logged), the new one is KVM's. */
	mmio_write16(HOME + NOTIFY, 0);
	mmio_write16(AWAY + NOTIFY, 0);
	guest_puts("moved\n");

	cfg_write(0x10, BLK);			/* onto virtio-blk0: refused */
	GUEST_ASSERT_EQ(cfg_read(0x10), BLK);
	nothing_at(AWAY);
	GUEST_ASSERT_EQ(mmio_read32(BLK + DF_SELECT), 0);	/* blk0's own */
	GUEST_ASSERT_EQ(mmio_read16(BLK + NUM_QUEUES), 1);
	cfg_write(0x10, 0x10000000);		/* into RAM: refused */
	nothing_at(AWAY);
	guest_puts("refused\n");

	cfg_write(0x10, AWAY + 0x10000);
	rng_at(AWAY + 0x10000);
	guest_puts("moved again\n");
	return GUEST_EXIT_PASS;
}
