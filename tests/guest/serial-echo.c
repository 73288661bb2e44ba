// SPDX-License-Identifier: MIT
/*
 * Input and output on COM2: the guest asks for lines on COM2, reads each
 * (polling LSR) and prints it back there until the line "bye", so a test
 * can drive a second UART through a pty or a socket (and read the last
 * echo before boardvm closes it). COM1 says only when it is done.
 */
#include "guest.h"

#define UART_RBR	0
#define UART_LSR	5
#define UART_LSR_DR	0x01
#define POLL_MAX	4000000		/* ~30 s of exits on a slow host */
#define LINE_MAX	32

static void uart_puts(uint16_t port, const char *s)
{
	while (*s)
		outb(port, *s++);
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* One line from COM2 (CR or LF ends it); false when none came in time. */
static bool read_line(uint16_t com, char *line)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < POLL_MAX; i++) {
		char c;

		if (!(inb(com + UART_LSR) & UART_LSR_DR))
			continue;
		c = inb(com + UART_RBR);
		if (c == '\n' || c == '\r' || n == LINE_MAX) {
			line[n] = 0;
			return true;
		}
		line[n++] = c;
	}
	return false;
}

int guest_main(void)
{
	uint16_t com = BOARD_COM2_PIO_BASE;
	char line[LINE_MAX + 1];

	uart_puts(com, "com2: ready\n");
	while (read_line(com, line)) {
		uart_puts(com, "com2 got: ");
		uart_puts(com, line);
		uart_puts(com, "\n");
		if (same(line, "bye")) {
			guest_puts("com1: done\n");
			return GUEST_EXIT_PASS;
		}
	}
	guest_puts("com1: no input on com2\n");
	return GUEST_EXIT_FAIL;
}
