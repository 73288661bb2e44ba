// SPDX-License-Identifier: MIT
/*
 * popcnt, an instruction KVM's instruction emulator lacks. On a host with
 * vmx/svm the CPU runs it and the guest passes; on a host without them
 * KVM emulates guest kernel code, fails on it, and boardvm exits 5 with
 * the instruction named (tests/linux/power.sh checks both outcomes).
 */
#include "guest.h"

int guest_main(void)
{
	uint32_t in = 0xf0f0, out;

	guest_puts("popcnt ahead\n");
	__asm__ volatile("popcnt %1, %0" : "=r"(out) : "r"(in));
	guest_puts("popcnt ran\n");
	return out == 8 ? GUEST_EXIT_PASS : GUEST_EXIT_FAIL;
}
