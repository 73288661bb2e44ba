// SPDX-License-Identifier: MIT
/*
 * Coalesced FIFOs: writes are buffered in KVM's ring without an exit and
 * replayed in order before the next sync access; the device's count and
 * order-sensitive checksum (h = h * 31 + v) must match at the first read.
 */
#include "guest.h"

#define WRITES		40
#define FIFO		0x10
#define FIFO_COUNT	0x10
#define FIFO_SUM	0x14

static uint32_t value(int i)
{
	return 0x1000 + i * 7;
}

int guest_main(void)
{
	uint32_t sum = 0;

	for (int i = 0; i < WRITES; i++) {
		outl(BOARD_PIO_BELL_PIO_BASE + FIFO, value(i));
		mmio_write32(BOARD_MMIO_BELL_MMIO_BASE + FIFO + (i % 4) * 4,
			     value(i));
		sum = sum * 31 + value(i);
	}
	GUEST_ASSERT_EQ(inl(BOARD_PIO_BELL_PIO_BASE + FIFO_COUNT), WRITES);
	GUEST_ASSERT_EQ(inl(BOARD_PIO_BELL_PIO_BASE + FIFO_SUM), sum);
	GUEST_ASSERT_EQ(mmio_read32(BOARD_MMIO_BELL_MMIO_BASE + FIFO_COUNT),
			WRITES);
	GUEST_ASSERT_EQ(mmio_read32(BOARD_MMIO_BELL_MMIO_BASE + FIFO_SUM),
			sum);
	guest_puts("coalesced: ");
	guest_put_dec(WRITES);
	guest_puts(" port and mmio writes replayed in order\n");
	return GUEST_EXIT_PASS;
}
