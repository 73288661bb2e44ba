// SPDX-License-Identifier: MIT
/*
 * mangen: a man page from its template and the program's option table.
 *
 *   mangen boardc|boardvm VERSION <TEMPLATE >PAGE
 *
 * The template (man/boardc.1.in, man/boardvm.1.in) is roff; its lines
 * @SYNOPSIS@, @COMMANDS@, @OPTIONS@, @EXIT_STATUS@ and @SIGNALS@ become
 * those sections' entries, and @VERSION@ in any line the version. The
 * entries come from the same X-macro files the programs build their
 * --help from (dtc-like/boardc-options.def, vmm/boardvm-options.def), so
 * the page and --help cannot drift apart.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-help.h"
#include "common.h"

struct program {
	const char *name;
	const char *const *usage;
	size_t nr_usage;
	const struct cli_item *commands;
	size_t nr_commands;
	const struct cli_option *options;
	size_t nr_options;
	const struct cli_item *statuses;
	size_t nr_statuses;
	const struct cli_item *signals;
	size_t nr_signals;
};

static const char *const boardc_usage[] = {
#define USAGE(text) text,
#include "boardc-options.def"
};
static const struct cli_item boardc_commands[] = {
#define COMMAND(name, help) { name, help },
#include "boardc-options.def"
};
static const struct cli_option boardc_options[] = {
#define OPTION(id, shrt, lng, arg, metavar, help) \
	{ shrt, lng, arg, false, metavar, help },
#define OPTION_GCC(id, name, metavar, help) \
	{ 0, name, required_argument, true, metavar, help },
#include "boardc-options.def"
};
static const struct cli_item boardc_statuses[] = {
#define STATUS(code, help) { code, help },
#include "boardc-options.def"
};

static const char *const boardvm_usage[] = {
#define USAGE(text) text,
#include "boardvm-options.def"
};
static const struct cli_option boardvm_options[] = {
#define OPTION(id, shrt, lng, arg, metavar, help) \
	{ shrt, lng, arg, false, metavar, help },
#include "boardvm-options.def"
};
static const struct cli_item boardvm_statuses[] = {
#define STATUS(code, help) { code, help },
#include "boardvm-options.def"
};
static const struct cli_item boardvm_signals[] = {
#define SIGNAL(name, help) { name, help },
#include "boardvm-options.def"
};

#define TABLE(t)	t, ARRAY_SIZE(t)
static const struct program programs[] = {
	{ "boardc", TABLE(boardc_usage), TABLE(boardc_commands),
	  TABLE(boardc_options), TABLE(boardc_statuses), NULL, 0 },
	{ "boardvm", TABLE(boardvm_usage), NULL, 0, TABLE(boardvm_options),
	  TABLE(boardvm_statuses), TABLE(boardvm_signals) },
};

/* Text for roff: backslashes and minus signs escaped, no leading control
 * character. */
static void roff(const char *text)
{
	if (*text == '.' || *text == '\'')
		fputs("\\&", stdout);
	for (; *text; text++) {
		if (*text == '\\')
			fputs("\\e", stdout);
		else if (*text == '-')
			fputs("\\-", stdout);
		else
			putchar(*text);
	}
}

static void bold(const char *text)
{
	fputs("\\fB", stdout);
	roff(text);
	fputs("\\fR", stdout);
}

static void italic(const char *text)
{
	fputs("\\fI", stdout);
	roff(text);
	fputs("\\fR", stdout);
}

static void option_entry(const struct cli_option *o)
{
	char name[64];

	puts(".TP");
	if (o->gcc_style) {
		snprintf(name, sizeof(name), "-%s=", o->long_name);
		bold(name);
		italic(o->metavar);
		putchar('\n');
		goto help;
	}
	if (o->short_name) {
		snprintf(name, sizeof(name), "-%c", o->short_name);
		bold(name);
		if (o->long_name)
			fputs(", ", stdout);
	}
	if (o->long_name) {
		snprintf(name, sizeof(name), "--%s", o->long_name);
		bold(name);
	}
	if (o->metavar && o->has_arg == optional_argument) {
		fputs("[=", stdout);
		italic(o->metavar);
		putchar(']');
	} else if (o->metavar) {
		putchar(' ');
		italic(o->metavar);
	}
	putchar('\n');
help:
	roff(o->help);
	putchar('\n');
}

static void items(const struct cli_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		puts(".TP");
		bold(it[i].name);
		putchar('\n');
		roff(it[i].help);
		putchar('\n');
	}
}

static void section(const struct program *p, const char *line)
{
	if (!strcmp(line, "@SYNOPSIS@")) {
		for (size_t i = 0; i < p->nr_usage; i++) {
			if (i)
				puts(".br");
			bold(p->name);
			putchar(' ');
			roff(p->usage[i]);
			putchar('\n');
		}
	} else if (!strcmp(line, "@COMMANDS@")) {
		items(p->commands, p->nr_commands);
	} else if (!strcmp(line, "@OPTIONS@")) {
		for (size_t i = 0; i < p->nr_options; i++)
			option_entry(&p->options[i]);
	} else if (!strcmp(line, "@EXIT_STATUS@")) {
		items(p->statuses, p->nr_statuses);
	} else if (!strcmp(line, "@SIGNALS@")) {
		items(p->signals, p->nr_signals);
	} else {
		fprintf(stderr, "mangen: unknown placeholder '%s' in the "
			"template of %s\n", line, p->name);
		exit(1);
	}
}

/* A template line, @VERSION@ replaced. */
static void copy_line(const char *line, const char *version)
{
	const char *at;

	while ((at = strstr(line, "@VERSION@"))) {
		fwrite(line, 1, at - line, stdout);
		fputs(version, stdout);
		line = at + strlen("@VERSION@");
	}
	fputs(line, stdout);
	putchar('\n');
}

int main(int argc, char **argv)
{
	const struct program *p = NULL;
	char line[4096];

	for (size_t i = 0; argc == 3 && i < ARRAY_SIZE(programs); i++)
		if (!strcmp(argv[1], programs[i].name))
			p = &programs[i];
	if (!p) {
		fprintf(stderr, "usage: mangen boardc|boardvm VERSION "
			"<TEMPLATE >PAGE\n");
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '@' && strcmp(line, "@VERSION@"))
			section(p, line);
		else
			copy_line(line, argv[2]);
	}
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
