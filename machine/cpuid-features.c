// SPDX-License-Identifier: MIT
/*
 * The CPUID features a guest can be denied (machine/cpuid-features.h). Those
 * marked hidden by default are the ones KVM's instruction emulator lacks:
 * on a host without vmx/svm, guest kernel code runs in that emulator, and
 * a guest told they exist takes #UD or an emulation failure on first use.
 */
#include <string.h>

#include "cpuid-features.h"

enum { EAX, EBX, ECX, EDX };

#define F(n, l, r, b, d) \
	{ .name = n, .leaf = l, .reg = r, .bit = b, .hidden_by_default = d }

const struct cpuid_feature cpuid_features[] = {
	F("sse3", 1, ECX, 0, false),
	F("pclmulqdq", 1, ECX, 1, true),
	F("ssse3", 1, ECX, 9, false),
	F("fma", 1, ECX, 12, true),
	F("cx16", 1, ECX, 13, true),
	F("pcid", 1, ECX, 17, false),
	F("sse4_1", 1, ECX, 19, true),
	F("sse4_2", 1, ECX, 20, true),
	F("x2apic", 1, ECX, 21, false),
	F("movbe", 1, ECX, 22, true),
	F("popcnt", 1, ECX, 23, true),
	F("aes", 1, ECX, 25, true),
	F("xsave", 1, ECX, 26, true),
	F("osxsave", 1, ECX, 27, true),
	F("avx", 1, ECX, 28, true),
	F("f16c", 1, ECX, 29, true),
	F("rdrand", 1, ECX, 30, true),
	/* Set by boardvm (KVM leaves it to the VMM): "a hypervisor runs me". */
	F("hypervisor", 1, ECX, 31, false),
	F("bmi1", 7, EBX, 3, true),
	F("avx2", 7, EBX, 5, true),
	F("bmi2", 7, EBX, 8, true),
	F("avx512f", 7, EBX, 16, true),
	F("rdseed", 7, EBX, 18, true),
	F("adx", 7, EBX, 19, true),
	F("sha", 7, EBX, 29, true),
	F("lzcnt", 0x80000001, ECX, 5, true),
	/* The XSAVE family's own leaf: subleaf 1 of leaf 0xd. */
	{ .name = "xsaveopt", .leaf = 0xd, .subleaf = 1, .reg = EAX,
	  .bit = 0, .hidden_by_default = true },
	{ .name = "xsavec", .leaf = 0xd, .subleaf = 1, .reg = EAX,
	  .bit = 1, .hidden_by_default = true },
	{ .name = "xsaves", .leaf = 0xd, .subleaf = 1, .reg = EAX,
	  .bit = 3, .hidden_by_default = true },
};
const unsigned nr_cpuid_features =
	sizeof(cpuid_features) / sizeof(cpuid_features[0]);

int cpuid_feature_find(const char *name, size_t len)
{
	for (unsigned i = 0; i < nr_cpuid_features; i++)
		if (strlen(cpuid_features[i].name) == len &&
		    !strncmp(cpuid_features[i].name, name, len))
			return i;
	return -1;
}
