/* SPDX-License-Identifier: MIT */
/*
 * A best-effort name for the instruction a guest stopped on (vmm/insn.c),
 * for the message that explains an emulation failure. No KVM here.
 */
#ifndef BOARDVM_INSN_H
#define BOARDVM_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct insn_info {
	const char *mnemonic;		/* "cmpxchg16b", ...; NULL: unknown */
	const char *feature;		/* --cpuid-hide name, or NULL */
};

/*
 * Name the instruction in bytes[0..len) (len may be short when memory
 * could not be read). `long_mode`: 64-bit code, where 40-4F are REX.
 */
void insn_describe(const uint8_t *bytes, size_t len, bool long_mode,
		   struct insn_info *info);

#endif
