// SPDX-License-Identifier: MIT
/*
 * A best-effort name for the instruction a guest stopped on, for the
 * message that explains an emulation failure. Not a disassembler: it
 * knows the instructions that KVM's instruction emulator lacks and that a
 * stock kernel uses early (cmpxchg16b, the XSAVE family, popcnt, int3,
 * SSE/AVX), and says "unknown" for the rest. Pure: no KVM, no memory.
 */
#include "insn.h"

#define INSN_MAX	15		/* the longest x86 instruction */

static bool insn_is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e:	/* segments */
	case 0x64: case 0x65:
	case 0x66: case 0x67:				/* sizes */
	case 0xf0: case 0xf2: case 0xf3:		/* lock, rep */
		return true;
	}
	return false;
}

/* Opcode 0F AE: fences and the XSAVE/FXSAVE family, by ModRM. */
static void insn_0f_ae(uint8_t modrm, struct insn_info *info)
{
	static const char *const mem[8] = {
		"fxsave", "fxrstor", "ldmxcsr", "stmxcsr",
		"xsave", "xrstor", "xsaveopt", "clflush",
	};
	static const char *const reg[8] = {
		"rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase",
		"ptwrite", "lfence", "mfence", "sfence",
	};
	unsigned r = (modrm >> 3) & 7;

	if ((modrm >> 6) == 3) {
		info->mnemonic = reg[r];
		return;
	}
	info->mnemonic = mem[r];
	if (r >= 4 && r <= 6)
		info->feature = "xsave";
}

/* Opcode 0F C7: cmpxchg8b/16b and the compacted XSAVE forms. */
static void insn_0f_c7(uint8_t modrm, bool rex_w, struct insn_info *info)
{
	switch ((modrm >> 3) & 7) {
	case 1:
		info->mnemonic = rex_w ? "cmpxchg16b" : "cmpxchg8b";
		info->feature = rex_w ? "cx16" : NULL;
		break;
	case 3:
		info->mnemonic = "xrstors";
		info->feature = "xsave";
		break;
	case 4:
		info->mnemonic = "xsavec";
		info->feature = "xsave";
		break;
	case 5:
		info->mnemonic = "xsaves";
		info->feature = "xsave";
		break;
	case 6:
		info->mnemonic = (modrm >> 6) == 3 ? "rdrand" : "vmptrld";
		info->feature = (modrm >> 6) == 3 ? "rdrand" : NULL;
		break;
	case 7:
		info->mnemonic = (modrm >> 6) == 3 ? "rdseed" : "vmptrst";
		info->feature = (modrm >> 6) == 3 ? "rdseed" : NULL;
		break;
	}
}

/* Two-byte opcodes (after 0F), with the mandatory prefix seen. */
static void insn_0f(const uint8_t *p, size_t n, uint8_t mandatory,
		    bool rex_w, struct insn_info *info)
{
	uint8_t op = p[0];
	uint8_t modrm = n > 1 ? p[1] : 0;

	if (op == 0x0b) {
		info->mnemonic = "ud2";
	} else if (op == 0x01 && (modrm == 0xd0 || modrm == 0xd1)) {
		info->mnemonic = modrm == 0xd0 ? "xgetbv" : "xsetbv";
		info->feature = "xsave";
	} else if (op == 0xae && n > 1) {
		insn_0f_ae(modrm, info);
	} else if (op == 0xc7 && n > 1) {
		insn_0f_c7(modrm, rex_w, info);
	} else if (mandatory == 0xf3 && op == 0xb8) {
		info->mnemonic = "popcnt";
		info->feature = "popcnt";
	} else if (mandatory == 0xf3 && op == 0xbc) {
		info->mnemonic = "tzcnt";
		info->feature = "bmi1";
	} else if (mandatory == 0xf3 && op == 0xbd) {
		info->mnemonic = "lzcnt";
		info->feature = "lzcnt";
	} else if (op == 0x38 || op == 0x3a) {
		info->mnemonic = mandatory == 0x66 ?
			"an SSSE3/SSE4 instruction" : "an SSSE3 instruction";
		info->feature = mandatory == 0x66 ? "sse4_1" : "ssse3";
	} else if ((op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
		   (op >= 0x50 && op <= 0x7f) || op == 0xc2 ||
		   (op >= 0xc4 && op <= 0xc6) || op >= 0xd0) {
		info->mnemonic = "an SSE/MMX instruction";
	}
}

void insn_describe(const uint8_t *bytes, size_t len, bool long_mode,
		   struct insn_info *info)
{
	const uint8_t *p = bytes;
	size_t n = len < INSN_MAX ? len : INSN_MAX;
	uint8_t mandatory = 0;
	bool rex_w = false;

	info->mnemonic = NULL;
	info->feature = NULL;
	while (n && insn_is_legacy_prefix(*p)) {
		if (*p == 0x66 || *p == 0xf2 || *p == 0xf3)
			mandatory = *p;
		p++, n--;
	}
	if (n && long_mode && (*p & 0xf0) == 0x40) {
		rex_w = *p & 0x08;
		p++, n--;
	}
	if (!n)
		return;
	if (*p == 0xcc) {
		info->mnemonic = "int3";
	} else if (*p == 0xcd) {
		info->mnemonic = "int imm8";
	} else if (*p == 0xc4 || *p == 0xc5) {
		/* In 32-bit code C4/C5 with mod != 3 are les/lds. */
		if (long_mode || (n > 1 && (p[1] >> 6) == 3)) {
			info->mnemonic = "a VEX-encoded (AVX) instruction";
			info->feature = "avx";
		}
	} else if (*p == 0x62 && long_mode) {
		info->mnemonic = "an EVEX-encoded (AVX-512) instruction";
		info->feature = "avx512f";
	} else if (*p == 0x0f && n > 1) {
		insn_0f(p + 1, n - 1, mandatory, rex_w, info);
	}
}
