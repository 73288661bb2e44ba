// SPDX-License-Identifier: MIT
/* Two vCPUs: vCPU 1 reports in, then vCPU 0 sees it and reports. */
#include "guest.h"

#define SPIN_MAX	2000000

static volatile uint32_t ap_seen;

void guest_ap_main(unsigned cpu)
{
	guest_puts("cpu ");
	guest_put_dec(cpu);
	guest_puts(" up\n");
	__atomic_store_n(&ap_seen, cpu, __ATOMIC_RELEASE);
}

int guest_main(void)
{
	uint32_t i;

	for (i = 0; i < SPIN_MAX && !ap_seen; i++)
		guest_pause();
	GUEST_ASSERT_EQ(ap_seen, 1);
	guest_puts("cpu 0 up, saw cpu 1\n");
	return GUEST_EXIT_PASS;
}
