// SPDX-License-Identifier: MIT
/*
 * On a board without an interrupt controller, HLT with interrupts off is
 * the end: boardvm stops the VM with status 0.
 */
#include "guest.h"

int guest_main(void)
{
	guest_puts("halting\n");
	__asm__ volatile("cli; hlt");
	guest_puts("woke up after hlt\n");
	return GUEST_EXIT_FAIL;
}
