// SPDX-License-Identifier: MIT
/*
 * UART loopback (MCR bit 4): what the guest transmits it receives, in
 * order, through the 16-byte receive FIFO.
 */
#include "guest.h"

#define UART_RBR	0
#define UART_THR	0
#define UART_FCR	2
#define UART_MCR	4
#define UART_LSR	5
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_FCR_ON	0x07	/* enable, clear both FIFOs */

int guest_main(void)
{
	uint16_t com = BOARD_COM1_PIO_BASE;
	const char *msg = "loop";

	outb(com + UART_FCR, UART_FCR_ON);
	outb(com + UART_MCR, UART_MCR_LOOP);
	GUEST_ASSERT_EQ(inb(com + UART_LSR) & UART_LSR_DR, 0);
	for (const char *p = msg; *p; p++)
		outb(com + UART_THR, *p);
	for (const char *p = msg; *p; p++) {
		GUEST_ASSERT_EQ(inb(com + UART_LSR) & UART_LSR_DR,
				UART_LSR_DR);
		GUEST_ASSERT_EQ(inb(com + UART_RBR), (uint8_t)*p);
	}
	GUEST_ASSERT_EQ(inb(com + UART_LSR) & UART_LSR_DR, 0);
	outb(com + UART_MCR, 0);
	guest_puts("uart loopback: 4 bytes back in order\n");
	return GUEST_EXIT_PASS;
}
