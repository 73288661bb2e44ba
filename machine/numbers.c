// SPDX-License-Identifier: MIT
/*
 * Numbers, sizes, booleans and bindings as written in board files.
 *   numbers: decimal or 0x hex, `_` between digits (0x1_0000_0000); no
 *            leading zero (01770: octal or decimal? refused)
 *   sizes:   a number with an optional binary suffix K, M, G or T;
 *            a decimal fraction with a suffix if it is exact bytes (3.5G)
 * Every parser rejects overflow rather than wrapping.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "numbers.h"

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/*
 * Digits of `base` in [s, end), `_` allowed only between two digits.
 * `*ndigits` counts the digits (for fractions). False on anything else.
 */
static bool parse_digits(const char *s, const char *end, unsigned base,
			 uint64_t *value, unsigned *ndigits)
{
	uint64_t v = 0;
	unsigned n = 0;

	if (s == end)
		return false;
	for (const char *p = s; p < end; p++) {
		int d;

		if (*p == '_') {
			if (p == s || p + 1 == end || p[1] == '_')
				return false;
			continue;
		}
		d = digit_value(*p, base);
		if (d < 0)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;		/* overflow */
		v = v * base + (uint64_t)d;
		n++;
	}
	*value = v;
	if (ndigits)
		*ndigits = n;
	return true;
}

bool number_leading_zero(const char *text)
{
	return text && text[0] == '0' &&
	       ((text[1] >= '0' && text[1] <= '9') || text[1] == '_');
}

/*
 * 01770 is octal to C and dtc but decimal to YAML 1.2: refused in both
 * syntaxes rather than read two ways.
 */
static bool parse_number_span(const char *s, const char *end,
			      uint64_t *value)
{
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, end, 16, value, NULL);
	if (end - s > 1 && s[0] == '0')
		return false;
	return parse_digits(s, end, 10, value, NULL);
}

bool parse_number(const char *text, uint64_t *value)
{
	if (!text)
		return false;
	return parse_number_span(text, text + strlen(text), value);
}

static unsigned size_shift(char suffix)
{
	switch (suffix) {
	case 'K':
		return 10;
	case 'M':
		return 20;
	case 'G':
		return 30;
	case 'T':
		return 40;
	}
	return 0;
}

/* "3.5" times 2^shift, only if the result is a whole number of bytes. */
static bool parse_fraction(const char *s, const char *dot, const char *end,
			   unsigned shift, uint64_t *value)
{
	uint64_t whole, frac, pow10 = 1;
	unsigned ndigits;
	unsigned __int128 bytes, frac_bytes;

	if (!parse_digits(s, dot, 10, &whole, NULL) ||
	    !parse_digits(dot + 1, end, 10, &frac, &ndigits) || ndigits > 19)
		return false;
	for (unsigned i = 0; i < ndigits; i++)
		pow10 *= 10;
	frac_bytes = ((unsigned __int128)frac << shift);
	if (frac_bytes % pow10)
		return false;			/* not exact bytes */
	bytes = ((unsigned __int128)whole << shift) + frac_bytes / pow10;
	if (bytes > UINT64_MAX)
		return false;
	*value = (uint64_t)bytes;
	return true;
}

bool parse_size(const char *text, uint64_t *value)
{
	const char *end, *dot;
	unsigned shift;
	uint64_t v;

	if (!text || !*text)
		return false;
	end = text + strlen(text);
	shift = size_shift(end[-1]);
	if (shift)
		end--;
	dot = memchr(text, '.', (size_t)(end - text));
	if (dot)
		return shift && parse_fraction(text, dot, end, shift, value);
	if (!parse_number_span(text, end, &v))
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;			/* overflow */
	*value = v << shift;
	return true;
}

bool parse_bool(const char *text, bool *value)
{
	static const struct {
		const char *text;
		bool value;
	} words[] = {
		{ "true", true }, { "yes", true },
		{ "false", false }, { "no", false },
	};

	if (!text)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(words); i++) {
		if (!strcmp(text, words[i].text)) {
			*value = words[i].value;
			return true;
		}
	}
	return false;
}

/* `kernel` is the registry's, never the board's: not accepted here. */
bool parse_binding(const char *text, enum board_binding *binding)
{
	static const enum board_binding user[] = {
		BINDING_SYNC, BINDING_ASYNC, BINDING_COALESCED,
	};

	if (!text)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(user); i++) {
		if (!strcmp(text, binding_name(user[i]))) {
			*binding = user[i];
			return true;
		}
	}
	return false;
}
