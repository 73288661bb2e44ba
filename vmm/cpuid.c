// SPDX-License-Identifier: MIT
/*
 * CPUID features the guest must not see. On this project's hosts (nested
 * KVM without hardware virtualisation) guest kernel code runs in KVM's
 * instruction emulator, which lacks cmpxchg16b, popcnt, the XSAVE family
 * and every VEX/AVX encoding: a guest told they exist takes #UD (or worse,
 * an emulation failure) on first use. So they are hidden by default, and
 * --cpuid-hide changes the list.
 */
#include <stdio.h>
#include <string.h>

#include "vmm.h"

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
	F("bmi1", 7, EBX, 3, true),
	F("avx2", 7, EBX, 5, true),
	F("bmi2", 7, EBX, 8, true),
	F("avx512f", 7, EBX, 16, true),
	F("rdseed", 7, EBX, 18, true),
	F("adx", 7, EBX, 19, true),
	F("sha", 7, EBX, 29, true),
	F("lzcnt", 0x80000001, ECX, 5, true),
};
const unsigned nr_cpuid_features =
	sizeof(cpuid_features) / sizeof(cpuid_features[0]);

static int cpuid_feature_find(const char *name, size_t len)
{
	for (unsigned i = 0; i < nr_cpuid_features; i++)
		if (strlen(cpuid_features[i].name) == len &&
		    !strncmp(cpuid_features[i].name, name, len))
			return i;
	return -1;
}

static void hide_set(struct vm_options *opts, unsigned feature, bool hide)
{
	unsigned i;

	for (i = 0; i < opts->nr_cpuid_hide; i++)
		if (opts->cpuid_hide[i] == feature)
			break;
	if (hide && i == opts->nr_cpuid_hide)
		opts->cpuid_hide[opts->nr_cpuid_hide++] = feature;
	if (!hide && i < opts->nr_cpuid_hide)
		opts->cpuid_hide[i] = opts->cpuid_hide[--opts->nr_cpuid_hide];
}

static void hide_defaults(struct vm_options *opts)
{
	for (unsigned i = 0; i < nr_cpuid_features; i++)
		if (cpuid_features[i].hidden_by_default)
			hide_set(opts, i, true);
}

/*
 * A comma-separated list: a feature name hides it, `-name` shows it,
 * `default` is the default list, `none` clears the list. The list given
 * replaces the default; "default,-cx16" edits it.
 */
int cpuid_hide_parse(struct vm_options *opts, const char *list)
{
	const char *p = list;

	opts->nr_cpuid_hide = 0;
	if (!list) {
		hide_defaults(opts);
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		bool show = *p == '-';
		const char *name = p + show;
		size_t nlen = len - show;
		int f;

		if (nlen == 7 && !strncmp(name, "default", 7) && !show) {
			hide_defaults(opts);
		} else if (nlen == 4 && !strncmp(name, "none", 4) && !show) {
			opts->nr_cpuid_hide = 0;
		} else if ((f = cpuid_feature_find(name, nlen)) >= 0) {
			hide_set(opts, f, !show);
		} else {
			fprintf(stderr, "boardvm: --cpuid-hide: unknown feature "
				"'%.*s' in '%s'; known: default, none,",
				(int)nlen, name, list);
			for (unsigned i = 0; i < nr_cpuid_features; i++)
				fprintf(stderr, " %s", cpuid_features[i].name);
			fprintf(stderr, "\n");
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}
