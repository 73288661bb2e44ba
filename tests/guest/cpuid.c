// SPDX-License-Identifier: MIT
/*
 * What CPUID leaf 1 tells the guest about cx16 (ECX bit 13), which
 * boardvm hides by default: "cx16 on" or "cx16 off", for the suite to
 * compare across --cpuid-hide lists. (Other default-hidden features are
 * not printed: this project's hosts report some of them to the guest
 * whatever KVM_SET_CPUID2 says.) Then the hypervisor bit (ECX bit 31),
 * which boardvm sets, and the signature of leaf 0x40000000 when it is set
 * ("hypervisor KVMKVMKVM" or "hypervisor off").
 */
#include "guest.h"

#define CPUID_ECX_CX16		(1u << 13)
#define CPUID_ECX_HYPERVISOR	(1u << 31)

static void put_sig(uint32_t r)
{
	char s[5] = { r, r >> 8, r >> 16, r >> 24, 0 };

	guest_puts(s);
}

int guest_main(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	guest_puts(c & CPUID_ECX_CX16 ? "cx16 on\n" : "cx16 off\n");
	if (!(c & CPUID_ECX_HYPERVISOR)) {
		guest_puts("hypervisor off\n");
		return GUEST_EXIT_PASS;
	}
	a = 0x40000000;
	c = 0;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	guest_puts("hypervisor ");
	put_sig(b);
	put_sig(c);
	put_sig(d);
	guest_puts("\n");
	return GUEST_EXIT_PASS;
}
