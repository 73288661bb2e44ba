// SPDX-License-Identifier: MIT
/*
 * Double-quoted strings with C escapes (\" \\ \n \t \xNN): both dtc's
 * string syntax and YAML's double-quoted scalars read them back exactly,
 * so the dts and YAML emitters share this one writer.
 */
#include "boardc.h"

void fput_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}
