// SPDX-License-Identifier: MIT
/*
 * Console input: bytes on boardvm's stdin reach the guest through the I/O
 * thread (the UART's poll fd) and the receive FIFO. The guest reads one
 * line, polling LSR, and prints it back. (It leaves FCR alone: clearing
 * the FIFO could drop a byte that has already arrived.)
 */
#include "guest.h"

#define UART_RBR	0
#define UART_LSR	5
#define UART_LSR_DR	0x01
#define POLL_MAX	200000
#define LINE_MAX	32

int guest_main(void)
{
	uint16_t com = BOARD_COM1_PIO_BASE;
	char line[LINE_MAX + 1];
	unsigned n = 0;

	for (uint32_t i = 0; i < POLL_MAX && n < LINE_MAX; i++) {
		char c;

		if (!(inb(com + UART_LSR) & UART_LSR_DR))
			continue;
		c = inb(com + UART_RBR);
		if (c == '\n')
			break;
		line[n++] = c;
	}
	line[n] = 0;
	guest_puts("got: ");
	guest_puts(line);
	guest_putc('\n');
	return n ? GUEST_EXIT_PASS : GUEST_EXIT_FAIL;
}
