// SPDX-License-Identifier: MIT
/*
 * What CPUID tells the guest about cx16 (leaf 1 ECX bit 13), which boardvm
 * hides by default, and about the hypervisor bit (leaf 1 ECX bit 31), which
 * boardvm sets: "cx16 on|off", then "hypervisor on SIGNATURE" (leaf
 * 0x40000000's 12 bytes, KVM's "KVMKVMKVM") or "hypervisor off", for the
 * suite to compare across --cpuid-hide lists. (Other default-hidden
 * features are not printed: this project's hosts report some of them to
 * the guest whatever KVM_SET_CPUID2 says.)
 */
#include "guest.h"

#define CPUID_ECX_CX16		(1u << 13)
#define CPUID_ECX_HYPERVISOR	(1u << 31)
#define CPUID_HV_LEAF		0x40000000

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	r[0] = leaf;
	r[2] = 0;
	__asm__ volatile("cpuid" : "+a"(r[0]), "=b"(r[1]), "+c"(r[2]),
			 "=d"(r[3]));
}

int guest_main(void)
{
	uint32_t r[4];
	char sig[13];

	cpuid(1, r);
	guest_puts(r[2] & CPUID_ECX_CX16 ? "cx16 on\n" : "cx16 off\n");
	if (!(r[2] & CPUID_ECX_HYPERVISOR)) {
		guest_puts("hypervisor off\n");
		return GUEST_EXIT_PASS;
	}
	cpuid(CPUID_HV_LEAF, r);
	for (unsigned i = 0; i < 12; i++)	/* ebx, ecx, edx */
		sig[i] = (char)(r[1 + i / 4] >> (8 * (i % 4)));
	sig[12] = 0;
	for (unsigned i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = 0;
	guest_puts("hypervisor on ");
	guest_puts(sig);
	guest_puts("\n");
	return GUEST_EXIT_PASS;
}
