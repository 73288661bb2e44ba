// SPDX-License-Identifier: MIT
/*
 * String I/O: `rep outsb` / `rep insb` exit once for the whole string;
 * the VMM hands every byte to the device in order.
 */
#include "guest.h"

#define FIFO		0x10
#define FIFO_COUNT	0x10
#define FIFO_SUM	0x14
#define SCRATCH		0xc

static const char msg[] = "string io: rep outsb to COM1\n";

int guest_main(void)
{
	uint16_t pio = BOARD_PIO_SYNC_PIO_BASE;
	uint8_t bytes[16], in[8];
	uint32_t sum = 0;

	outsb(BOARD_COM1_PIO_BASE, msg, sizeof(msg) - 1);
	for (unsigned i = 0; i < sizeof(bytes); i++) {
		bytes[i] = 0x40 + i;
		sum = sum * 31 + bytes[i];
	}
	outsb(pio + FIFO, bytes, sizeof(bytes));
	GUEST_ASSERT_EQ(inl(pio + FIFO_COUNT), sizeof(bytes));
	GUEST_ASSERT_EQ(inl(pio + FIFO_SUM), sum);
	outl(pio + SCRATCH, 0x12345678);
	insb(pio + SCRATCH, in, sizeof(in));
	for (unsigned i = 0; i < sizeof(in); i++)
		GUEST_ASSERT_EQ(in[i], 0x78);
	guest_puts("string io: 16 bytes out, 8 bytes in\n");
	return GUEST_EXIT_PASS;
}
