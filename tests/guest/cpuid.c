// SPDX-License-Identifier: MIT
/*
 * What CPUID leaf 1 tells the guest about cx16 (ECX bit 13), which
 * boardvm hides by default: "cx16 on" or "cx16 off", for the suite to
 * compare across --cpuid-hide lists. (Other default-hidden features are
 * not printed: this project's hosts report some of them to the guest
 * whatever KVM_SET_CPUID2 says.)
 */
#include "guest.h"

#define CPUID_ECX_CX16	(1u << 13)

int guest_main(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	guest_puts(c & CPUID_ECX_CX16 ? "cx16 on\n" : "cx16 off\n");
	return GUEST_EXIT_PASS;
}
