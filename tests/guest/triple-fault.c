// SPDX-License-Identifier: MIT
/*
 * An exception (ud2) with an empty IDT cannot be delivered, nor can the
 * #GP and #DF that follow: a triple fault, which resets the machine
 * (boardvm exits 4).
 */
#include "guest.h"

int guest_main(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	guest_puts("triple fault ahead\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(empty));
	guest_puts("survived the triple fault\n");
	return GUEST_EXIT_FAIL;
}
