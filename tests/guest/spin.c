// SPDX-License-Identifier: MIT
/*
 * Runs until stopped: vCPU 0 spins, the others halt with interrupts off.
 * The suite sends SIGTERM and expects a clean exit (status 143).
 */
#include "guest.h"

int guest_main(void)
{
	guest_puts("spinning\n");
	for (;;)
		guest_pause();
}
