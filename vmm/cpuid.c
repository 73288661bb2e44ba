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

#include "board.h"		/* BOARD_CPUID_HIDE, the board's cpuid-hide */
#include "vmm.h"

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

/* The VMM's defaults, then the board's cpuid-hide (checked by boardc). */
static void hide_defaults(struct vm_options *opts)
{
	for (unsigned i = 0; i < nr_cpuid_features; i++)
		if (cpuid_features[i].hidden_by_default)
			hide_set(opts, i, true);
#ifdef BOARD_CPUID_HIDE
	for (const char *p = BOARD_CPUID_HIDE; *p;) {
		size_t len = strcspn(p, ",");
		int f = cpuid_feature_find(p, len);

		if (f >= 0)
			hide_set(opts, f, true);
		p += len + (p[len] == ',');
	}
#endif
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
