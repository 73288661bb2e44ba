// SPDX-License-Identifier: MIT
/*
 * Double-quoted strings, one writer for every output format, each with its
 * escapes: C (board.c: \ooo, never \x, which would swallow a following
 * hex digit), dts/YAML (\xNN: both dtc's string syntax and YAML's
 * double-quoted scalars read them back exactly; UTF-8 kept) and JSON
 * (\u00NN for control characters).
 */
#include "boardc.h"

void fput_quoted_as(FILE *out, const char *s, enum quote_style style)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (style != QUOTE_JSON && c == '\n')
			fputs("\\n", out);
		else if (style != QUOTE_JSON && c == '\t')
			fputs("\\t", out);
		else if (style == QUOTE_JSON && c < 0x20)
			fprintf(out, "\\u%04x", c);
		else if (style == QUOTE_C && (c < 0x20 || c >= 0x7f))
			fprintf(out, "\\%03o", c);
		else if (style == QUOTE_DTS && (c < 0x20 || c == 0x7f))
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void fput_quoted(FILE *out, const char *s)
{
	fput_quoted_as(out, s, QUOTE_DTS);
}
