// SPDX-License-Identifier: MIT
/*
 * Every access size reaches the device whole: 1/2/4-byte ports and
 * 1/2/4/8-byte MMIO on the doorbell-demo scratch register (status +0xc),
 * written in pieces and read back whole and in pieces.
 */
#include "guest.h"

#define SCRATCH		0xc
#define LAST		0x8

static void test_ports(uint16_t base)
{
	outl(base + SCRATCH, 0x11223344);
	GUEST_ASSERT_EQ(inl(base + SCRATCH), 0x11223344);
	outb(base + SCRATCH, 0xaa);
	GUEST_ASSERT_EQ(inl(base + SCRATCH), 0x112233aa);
	outw(base + SCRATCH + 2, 0xbbcc);
	GUEST_ASSERT_EQ(inl(base + SCRATCH), 0xbbcc33aa);
	GUEST_ASSERT_EQ(inb(base + SCRATCH + 1), 0x33);
	GUEST_ASSERT_EQ(inw(base + SCRATCH), 0x33aa);
	GUEST_ASSERT_EQ(inw(base + SCRATCH + 2), 0xbbcc);
	guest_puts("ports: 1, 2, 4 bytes ok\n");
}

static void test_mmio(uint32_t base)
{
	uint64_t v;

	mmio_write32(base + SCRATCH, 0x11223344);
	GUEST_ASSERT_EQ(mmio_read32(base + SCRATCH), 0x11223344);
	mmio_write8(base + SCRATCH + 3, 0x99);
	GUEST_ASSERT_EQ(mmio_read32(base + SCRATCH), 0x99223344);
	mmio_write16(base + SCRATCH, 0x5566);
	GUEST_ASSERT_EQ(mmio_read32(base + SCRATCH), 0x99225566);
	GUEST_ASSERT_EQ(mmio_read8(base + SCRATCH + 2), 0x22);
	GUEST_ASSERT_EQ(mmio_read16(base + SCRATCH + 2), 0x9922);
	/* 8 bytes at +0x8: `last` (read-only, 0) then scratch. */
	mmio_write64(base + LAST, 0xdeadbeef01020304ull);
	GUEST_ASSERT_EQ(mmio_read32(base + SCRATCH), 0xdeadbeef);
	v = mmio_read64(base + LAST);
	GUEST_ASSERT_EQ((uint32_t)v, 0);
	GUEST_ASSERT_EQ((uint32_t)(v >> 32), 0xdeadbeef);
	guest_puts("mmio: 1, 2, 4, 8 bytes ok\n");
}

int guest_main(void)
{
	test_ports(BOARD_PIO_SYNC_PIO_BASE);
	test_mmio(BOARD_MMIO_SYNC_MMIO_BASE);
	return GUEST_EXIT_PASS;
}
