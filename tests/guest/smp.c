// SPDX-License-Identifier: MIT
/*
 * Two vCPUs: vCPU 1 (started by boardvm with ESI = 1, CPUID APIC ID 1)
 * reports in, then vCPU 0 sees it and reports.
 */
#include "guest.h"

#define SPIN_MAX	2000000

static volatile uint32_t ap_seen;

static uint32_t cpuid_apic_id(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b >> 24;
}

void guest_ap_main(unsigned cpu)
{
	GUEST_ASSERT_EQ(cpuid_apic_id(), cpu);
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
	GUEST_ASSERT_EQ(cpuid_apic_id(), 0);
	guest_puts("cpu 0 up, saw cpu 1\n");
	return GUEST_EXIT_PASS;
}
