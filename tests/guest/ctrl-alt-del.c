// SPDX-License-Identifier: MIT
/*
 * The keys the API's SendCtrlAltDel presses: the guest polls the i8042
 * (status bit 0: a byte waits) and prints the 8 scancodes it reads.
 */
#include "guest.h"

#define I8042_DATA	0
#define I8042_STATUS	4
#define I8042_STR_OBF	0x01
#define KEYS		8
#define POLL_MAX	8000000		/* a minute of exits on a slow host */

int guest_main(void)
{
	uint16_t kbd = BOARD_KBD_PIO_BASE;
	unsigned n = 0;

	guest_puts("waiting for keys\n");
	for (uint32_t i = 0; i < POLL_MAX && n < KEYS; i++) {
		uint8_t key;

		if (!(inb(kbd + I8042_STATUS) & I8042_STR_OBF))
			continue;
		key = inb(kbd + I8042_DATA);
		guest_puts(n++ ? " " : "keys:");
		if (n == 1)
			guest_putc(' ');
		guest_putc("0123456789abcdef"[key >> 4]);
		guest_putc("0123456789abcdef"[key & 15]);
	}
	guest_putc('\n');
	return n == KEYS ? GUEST_EXIT_PASS : GUEST_EXIT_FAIL;
}
