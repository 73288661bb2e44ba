// SPDX-License-Identifier: MIT
/*
 * Host-only tests of vmm/insn.c, the instruction names in the emulation
 * failure message: the instructions a stock kernel uses that KVM's
 * instruction emulator lacks, with their prefixes and the CPUID feature
 * that would hide them, and "unknown" for the rest.
 */
#include <stdio.h>
#include <string.h>

#include "insn.h"

struct insn_case {
	const char *name;		/* the test's name */
	unsigned char bytes[15];
	size_t len;
	bool long_mode;
	const char *mnemonic;		/* NULL: unknown */
	const char *feature;
};

#define C(n, lm, m, f, ...) { .name = n, .bytes = { __VA_ARGS__ }, \
	.len = sizeof((unsigned char[]){ __VA_ARGS__ }), .long_mode = lm, \
	.mnemonic = m, .feature = f }

static const struct insn_case cases[] = {
	/* lock cmpxchg16b (%rsi) */
	C("cmpxchg16b", true, "cmpxchg16b", "cx16", 0xf0, 0x48, 0x0f, 0xc7, 0x0e),
	/* cmpxchg8b (%esi): no REX.W, no feature to hide */
	C("cmpxchg8b", false, "cmpxchg8b", NULL, 0x0f, 0xc7, 0x0e),
	/* xrstor (%rdi), xsaves64 (%rdi), xsetbv */
	C("xrstor", true, "xrstor", "xsave", 0x48, 0x0f, 0xae, 0x2f),
	C("xsaves", true, "xsaves", "xsave", 0x48, 0x0f, 0xc7, 0x2f),
	C("xsetbv", true, "xsetbv", "xsave", 0x0f, 0x01, 0xd1),
	/* mfence is 0f ae with mod 3: not the XSAVE family */
	C("mfence", true, "mfence", NULL, 0x0f, 0xae, 0xf0),
	C("int3", true, "int3", NULL, 0xcc),
	/* popcnt %ebx, %ebx; popcnt %rax, %rax (f3 before REX) */
	C("popcnt", false, "popcnt", "popcnt", 0xf3, 0x0f, 0xb8, 0xdb),
	C("popcnt64", true, "popcnt", "popcnt", 0xf3, 0x48, 0x0f, 0xb8, 0xc0),
	C("lzcnt", true, "lzcnt", "lzcnt", 0xf3, 0x0f, 0xbd, 0xc0),
	/* movaps %xmm0, %xmm1; pshufb %xmm1, %xmm0 */
	C("sse", true, "an SSE/MMX instruction", NULL, 0x0f, 0x28, 0xc8),
	C("ssse3", true, "an SSSE3/SSE4 instruction", "sse4_1",
	  0x66, 0x0f, 0x38, 0x00, 0xc1),
	/* vmovdqu (%rsi), %ymm0 */
	C("vex", true, "a VEX-encoded (AVX) instruction", "avx",
	  0xc5, 0xfe, 0x6f, 0x06),
	/* 32-bit: c5 with mod != 3 is lds */
	C("lds", false, NULL, NULL, 0xc5, 0x06),
	/* mov %rax, (%rdi): nothing to say */
	C("mov", true, NULL, NULL, 0x48, 0x89, 0x07),
	/* only prefixes could be read */
	C("prefixes-only", true, NULL, NULL, 0xf0, 0x48),
};

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int main(void)
{
	int failures = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct insn_case *c = &cases[i];
		struct insn_info info;

		insn_describe(c->bytes, c->len, c->long_mode, &info);
		if (str_eq(info.mnemonic, c->mnemonic) &&
		    str_eq(info.feature, c->feature)) {
			printf("PASS /linux/insn/%s\n", c->name);
			continue;
		}
		printf("FAIL /linux/insn/%s: got '%s' (feature %s), expected '%s' "
		       "(feature %s)\n", c->name,
		       info.mnemonic ? info.mnemonic : "unknown",
		       info.feature ? info.feature : "none",
		       c->mnemonic ? c->mnemonic : "unknown",
		       c->feature ? c->feature : "none");
		failures++;
	}
	return failures ? 1 : 0;
}
