// SPDX-License-Identifier: MIT
/*
 * numbers.c without a board file: every accepted form, every rejected
 * one, and the overflow edges. One PASS/FAIL line per table.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "numbers.h"

struct number_case {
	const char *text;
	bool ok;
	uint64_t value;
};

static const struct number_case numbers[] = {
	{ "0", true, 0 },
	{ "1016", true, 1016 },
	{ "0x3f8", true, 0x3f8 },
	{ "0X3F8", true, 0x3f8 },
	{ "0x1_0000_0000", true, 0x100000000 },
	{ "1_000", true, 1000 },
	{ "18446744073709551615", true, UINT64_MAX },
	{ "0xffffffffffffffff", true, UINT64_MAX },
	{ "18446744073709551616", false, 0 },	/* 2^64 */
	{ "0x1_0000_0000_0000_0000", false, 0 },
	{ "", false, 0 },
	{ "0x", false, 0 },
	{ "-1", false, 0 },
	{ "+1", false, 0 },
	{ " 1", false, 0 },
	{ "1 ", false, 0 },
	{ "0x3g8", false, 0 },
	{ "_1", false, 0 },
	{ "1_", false, 0 },
	{ "1__0", false, 0 },
	{ "0x_1", false, 0 },
	{ "4K", false, 0 },
	{ "1.5", false, 0 },
	{ "01770", false, 0 },		/* octal or decimal? neither */
	{ "00", false, 0 },
	{ "0_1", false, 0 },
	{ "0x0", true, 0 },
};

static const struct number_case sizes[] = {
	{ "4096", true, 4096 },
	{ "0x1000", true, 0x1000 },
	{ "4K", true, 4096 },
	{ "512M", true, 512ull << 20 },
	{ "3G", true, 3ull << 30 },
	{ "1T", true, 1ull << 40 },
	{ "0x10K", true, 0x4000 },
	{ "3.5G", true, 7ull << 29 },
	{ "0.5K", true, 512 },
	{ "010M", false, 0 },			/* a leading zero */
	{ "1.25M", true, 5ull << 18 },
	{ "1_024K", true, 1ull << 20 },
	{ "16777215T", true, 16777215ull << 40 },
	{ "16777216T", false, 0 },		/* 2^64 */
	{ "1.3K", false, 0 },			/* 1331.2 bytes */
	{ "1.5", false, 0 },			/* fraction needs a suffix */
	{ "K", false, 0 },
	{ "", false, 0 },
	{ "4k", false, 0 },
	{ "4KB", false, 0 },
	{ "64MB", false, 0 },
	{ ".5G", false, 0 },
	{ "1.G", false, 0 },
	{ "1.2.3G", false, 0 },
	{ "0x1.8G", false, 0 },
	{ "-4K", false, 0 },
	{ "0.00000000000000000001T", false, 0 },
};

static bool run_table(const char *test, const struct number_case *cases,
		      unsigned nr, bool (*parse)(const char *, uint64_t *))
{
	for (unsigned i = 0; i < nr; i++) {
		uint64_t v = 0xdead;
		bool ok = parse(cases[i].text, &v);

		if (ok != cases[i].ok || (ok && v != cases[i].value)) {
			printf("FAIL %s: '%s' gave %s %#" PRIx64
			       ", expected %s %#" PRIx64 "\n", test,
			       cases[i].text, ok ? "ok" : "error", v,
			       cases[i].ok ? "ok" : "error", cases[i].value);
			return false;
		}
	}
	printf("PASS %s\n", test);
	return true;
}

static bool test_bool(void)
{
	static const struct {
		const char *text;
		bool ok, value;
	} cases[] = {
		{ "true", true, true }, { "yes", true, true },
		{ "false", true, false }, { "no", true, false },
		{ "True", false, false }, { "1", false, false },
		{ "", false, false }, { "on", false, false },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool v = !cases[i].value, ok = parse_bool(cases[i].text, &v);

		if (ok != cases[i].ok || (ok && v != cases[i].value)) {
			printf("FAIL /boardc/numbers/bool: '%s'\n",
			       cases[i].text);
			return false;
		}
	}
	printf("PASS /boardc/numbers/bool\n");
	return true;
}

static bool test_binding(void)
{
	static const struct {
		const char *text;
		bool ok;
		enum board_binding value;
	} cases[] = {
		{ "sync", true, BINDING_SYNC },
		{ "async", true, BINDING_ASYNC },
		{ "coalesced", true, BINDING_COALESCED },
		{ "kernel", false, 0 },		/* the registry's only */
		{ "Sync", false, 0 },
		{ "", false, 0 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum board_binding v = NR_BINDINGS;
		bool ok = parse_binding(cases[i].text, &v);

		if (ok != cases[i].ok || (ok && v != cases[i].value)) {
			printf("FAIL /boardc/numbers/binding: '%s'\n",
			       cases[i].text);
			return false;
		}
	}
	printf("PASS /boardc/numbers/binding\n");
	return true;
}

int main(void)
{
	bool ok = true;

	ok &= run_table("/boardc/numbers/number", numbers,
			sizeof(numbers) / sizeof(numbers[0]), parse_number);
	ok &= run_table("/boardc/numbers/size", sizes,
			sizeof(sizes) / sizeof(sizes[0]), parse_size);
	ok &= test_bool();
	ok &= test_binding();
	return ok ? 0 : 1;
}
