// SPDX-License-Identifier: MIT
/* The smallest guest: print a line to COM1 and pass. */
#include "guest.h"

int guest_main(void)
{
	guest_puts("hello from " BOARD_NAME "\n");
	return GUEST_EXIT_PASS;
}
