// SPDX-License-Identifier: MIT
/*
 * Sync doorbells: each ring is a vCPU exit handled before the guest goes
 * on, so the very next read sees it. 100 write-only exits on
 * pio-sync.doorbell also earn a --stats suggestion.
 */
#include "guest.h"

#define RINGS		100
#define DOORBELL	0x0
#define TOTAL		0x4
#define LAST		0x8

int guest_main(void)
{
	uint16_t pio = BOARD_PIO_SYNC_PIO_BASE;
	uint32_t mmio = BOARD_MMIO_SYNC_MMIO_BASE;

	for (uint32_t i = 1; i <= RINGS; i++)
		outl(pio + DOORBELL, 0);
	GUEST_ASSERT_EQ(inl(pio + TOTAL), RINGS);
	GUEST_ASSERT_EQ(inl(pio + LAST), 0);
	for (uint32_t i = 1; i <= 3; i++) {
		mmio_write32(mmio + DOORBELL, 0);
		GUEST_ASSERT_EQ(mmio_read32(mmio + TOTAL), i);
	}
	guest_puts("sync doorbells: ");
	guest_put_dec(RINGS);
	guest_puts(" port rings, 3 mmio rings, all seen at once\n");
	return GUEST_EXIT_PASS;
}
