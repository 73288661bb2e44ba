// SPDX-License-Identifier: MIT
/*
 * Unmapped space: reads return all-ones at every size, writes vanish
 * (the VMM logs them). A port no device claims, an address inside the
 * board's MMIO window but outside every device, and one past guest RAM.
 */
#include "guest.h"

#define FREE_PORT	0x700
#define FREE_MMIO	0xd0100000u	/* in the `devices` window */
#define PAST_RAM	0x20000000u	/* --mem 128M: low-ram ends earlier */

int guest_main(void)
{
	outb(FREE_PORT, 0x12);
	GUEST_ASSERT_EQ(inb(FREE_PORT), 0xff);
	GUEST_ASSERT_EQ(inw(FREE_PORT), 0xffff);
	GUEST_ASSERT_EQ(inl(FREE_PORT), 0xffffffff);
	mmio_write32(FREE_MMIO, 0x12345678);
	GUEST_ASSERT_EQ(mmio_read32(FREE_MMIO), 0xffffffff);
	GUEST_ASSERT_EQ(mmio_read8(FREE_MMIO + 1), 0xff);
	mmio_write8(PAST_RAM, 1);
	GUEST_ASSERT_EQ(mmio_read16(PAST_RAM), 0xffff);
	guest_puts("unmapped: reads all-ones, writes dropped\n");
	return GUEST_EXIT_PASS;
}
