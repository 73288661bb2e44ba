// SPDX-License-Identifier: MIT
/*
 * Async doorbells: the guest rings N times through KVM ioeventfds (no exit
 * to userspace), then polls the sync status register until the I/O
 * thread has delivered every ring. pio-bell has no datamatch; mmio-bell
 * matches value 1 (queue 1), so its rings arrive as writes of 1.
 */
#include "guest.h"

#define RINGS		64
#define DOORBELL	0x0
#define TOTAL		0x4
#define LAST		0x8
#define POLL_MAX	200000

static uint32_t wait_total(uint32_t (*read_total)(void), uint32_t want)
{
	uint32_t total = 0;

	for (uint32_t i = 0; i < POLL_MAX; i++) {
		total = read_total();
		if (total >= want)
			break;
	}
	return total;
}

static uint32_t pio_total(void)
{
	return inl(BOARD_PIO_BELL_PIO_BASE + TOTAL);
}

static uint32_t mmio_total(void)
{
	return mmio_read32(BOARD_MMIO_BELL_MMIO_BASE + TOTAL);
}

int guest_main(void)
{
	for (int i = 0; i < RINGS; i++)
		outl(BOARD_PIO_BELL_PIO_BASE + DOORBELL, 0);
	GUEST_ASSERT_EQ(wait_total(pio_total, RINGS), RINGS);
	for (int i = 0; i < RINGS; i++)
		mmio_write32(BOARD_MMIO_BELL_MMIO_BASE + DOORBELL, 1);
	GUEST_ASSERT_EQ(wait_total(mmio_total, RINGS), RINGS);
	GUEST_ASSERT_EQ(mmio_read32(BOARD_MMIO_BELL_MMIO_BASE + LAST), 1);
	guest_puts("async doorbells: ");
	guest_put_dec(RINGS);
	guest_puts(" port and ");
	guest_put_dec(RINGS);
	guest_puts(" mmio rings delivered\n");
	return GUEST_EXIT_PASS;
}
