// SPDX-License-Identifier: MIT
/*
 * Every UART of the board says who it is, so a test can check that each
 * --serial backend carries its own device's output and nothing else.
 */
#include "guest.h"

static void uart_puts(uint16_t port, const char *s)
{
	while (*s)
		outb(port, *s++);
}

int guest_main(void)
{
	uart_puts(BOARD_COM1_PIO_BASE, "com1: hello\n");
	uart_puts(BOARD_COM2_PIO_BASE, "com2: hello\n");
	uart_puts(BOARD_COM3_PIO_BASE, "com3: hello\n");
	uart_puts(BOARD_COM4_PIO_BASE, "com4: hello\n");
	return GUEST_EXIT_PASS;
}
