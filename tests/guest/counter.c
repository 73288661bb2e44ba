// SPDX-License-Identifier: MIT
/*
 * Counts on COM1 for ever, one number a line: a test that pauses and
 * resumes the VM (the API's PATCH /vm) checks that the numbers continue
 * without a gap or a repeat, so no port write was lost or replayed, and
 * that none appear while it is paused. The test ends it with a signal.
 */
#include "guest.h"

int guest_main(void)
{
	for (uint32_t n = 0;; n++) {
		guest_put_dec(n);
		guest_putc('\n');
	}
	return GUEST_EXIT_FAIL;
}
