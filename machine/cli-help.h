/* SPDX-License-Identifier: MIT */
/*
 * The command lines of boardc and boardvm are each one table, an X-macro
 * file (dtc-like/boardc-options.def, vmm/boardvm-options.def) holding
 * every option, subcommand, exit status and signal with its help text.
 * The program builds its getopt table and its --help from it; man/mangen
 * builds the man page's sections from the same file, so the two cannot
 * drift (tests/install/manpages.sh compares them). This is the printer
 * both programs share: an option's spelling and wrapped help text.
 */
#ifndef MACHINE_CLI_HELP_H
#define MACHINE_CLI_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_option {
	char short_name;		/* 0: long only */
	const char *long_name;		/* NULL: short only */
	int has_arg;			/* getopt's no_/required_/optional_argument */
	bool gcc_style;			/* -NAME=ARG, parsed before getopt */
	const char *metavar;		/* the argument's name, or NULL */
	const char *help;
};

/* A line that is not an option: an exit status, a signal, a command. */
struct cli_item {
	const char *name;		/* "0", "128+N", "SIGQUIT", "map" */
	const char *help;
};

/* "-I, --in-format yaml|dts", "--trace-io[=NAMES]", "-fmax-errors=N" */
void cli_option_spelling(const struct cli_option *opt, char *buf, size_t size);

/* Every option, its help starting at COLUMN and wrapped at 79. */
void cli_help_options(FILE *out, const struct cli_option *opts, size_t n,
		      unsigned column);

/* "  NAME  help", wrapped with continuation lines at INDENT. */
void cli_help_items(FILE *out, const struct cli_item *items, size_t n,
		    unsigned indent);

/* TEXT from the current column COL (no padding), wrapped at 79, the
 * continuation lines indented by INDENT. */
void cli_help_wrap(FILE *out, const char *text, unsigned col, unsigned indent);

#endif
