/* SPDX-License-Identifier: MIT */
/*
 * The CPUID features a guest can be denied, by name: the board's
 * `cpuid-hide:` list (checked by boardc, emitted as BOARD_CPUID_HIDE) and
 * boardvm's --cpuid-hide. Shared by boardc and the VMM; no KVM here.
 */
#ifndef BOARDVM_CPUID_FEATURES_H
#define BOARDVM_CPUID_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpuid_feature {
	const char *name;		/* as in /proc/cpuinfo's flags */
	uint32_t leaf, subleaf;
	uint8_t reg;			/* 0 eax, 1 ebx, 2 ecx, 3 edx */
	uint8_t bit;
	bool hidden_by_default;		/* KVM's instruction emulator lacks it */
};

extern const struct cpuid_feature cpuid_features[];
extern const unsigned nr_cpuid_features;

/* The index of the feature `name` (len bytes), or -1. */
int cpuid_feature_find(const char *name, size_t len);

#endif
