// SPDX-License-Identifier: MIT
/*
 * The --help printer of boardc and boardvm (machine/cli-help.h): option
 * spellings and help text wrapped to 79 columns.
 */
#include <getopt.h>
#include <string.h>

#include "cli-help.h"

#define CLI_HELP_WIDTH		79

void cli_option_spelling(const struct cli_option *opt, char *buf, size_t size)
{
	const char *arg = opt->metavar ? opt->metavar : "";
	const char *sep = opt->long_name ? ", " : "";
	char shrt[8] = "";

	if (opt->gcc_style) {
		snprintf(buf, size, "-%s=%s", opt->long_name, arg);
		return;
	}
	if (opt->short_name)
		snprintf(shrt, sizeof(shrt), "-%c%s", opt->short_name, sep);
	if (!opt->long_name)
		snprintf(buf, size, "%s%s%s", shrt, *arg ? " " : "", arg);
	else if (opt->has_arg == optional_argument)
		snprintf(buf, size, "%s--%s[=%s]", shrt, opt->long_name, arg);
	else
		snprintf(buf, size, "%s--%s%s%s", shrt, opt->long_name,
			 *arg ? " " : "", arg);
}

static void pad(FILE *out, unsigned from, unsigned to)
{
	while (from++ < to)
		fputc(' ', out);
}

void cli_help_wrap(FILE *out, const char *text, unsigned col, unsigned indent)
{
	bool line_empty = true;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (!line_empty && col + 1 + len > CLI_HELP_WIDTH) {
			fputc('\n', out);
			pad(out, 0, indent);
			col = indent;
			line_empty = true;
		}
		if (!line_empty) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, len, out);
		col += len;
		line_empty = false;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

void cli_help_options(FILE *out, const struct cli_option *opts, size_t n,
		      unsigned column)
{
	for (size_t i = 0; i < n; i++) {
		char spelling[128];
		unsigned col;

		cli_option_spelling(&opts[i], spelling, sizeof(spelling));
		fprintf(out, "  %s", spelling);
		col = 2 + strlen(spelling);
		if (col + 2 > column) {		/* help on the next line */
			fputc('\n', out);
			col = 0;
		}
		pad(out, col, column);
		cli_help_wrap(out, opts[i].help, column, column);
	}
}

void cli_help_items(FILE *out, const struct cli_item *items, size_t n,
		    unsigned indent)
{
	for (size_t i = 0; i < n; i++) {
		unsigned col = 4 + strlen(items[i].name);

		fprintf(out, "  %s  ", items[i].name);
		pad(out, col, indent);
		cli_help_wrap(out, items[i].help, col > indent ? col : indent,
			      indent);
	}
}
