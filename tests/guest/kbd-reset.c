// SPDX-License-Identifier: MIT
/* i8042 command 0xfe pulses the CPU reset line: boardvm exits with 4. */
#include "guest.h"

#define I8042_COMMAND	4
#define I8042_RESET	0xfe

int guest_main(void)
{
	guest_puts("resetting through the i8042\n");
	outb(BOARD_KBD_PIO_BASE + I8042_COMMAND, I8042_RESET);
	guest_puts("still running after the reset\n");
	return GUEST_EXIT_FAIL;
}
