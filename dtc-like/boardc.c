// SPDX-License-Identifier: MIT
/*
 * boardc: the board compiler. main() is only the pipeline:
 *   front end -> board_check() -> board_layout() -> board_check_layout()
 *   -> board_plan() -> board_check_plan() -> (exit 2 on any error)
 *   -> (-O c: board_plan_refuse_c()) -> the emitter.
 * Exit status: 0 ok, 1 parse or usage error, 2 check failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boardc.h"
#include "cli-help.h"
#include "common.h"

#define BOARDC_VERSION	"0.1"

enum input_syntax { INPUT_GUESS, INPUT_YAML, INPUT_DTS };
enum output_format {
	OUTPUT_NONE, OUTPUT_C, OUTPUT_MAP, OUTPUT_JSON, OUTPUT_SVG,
	OUTPUT_YAML, OUTPUT_DTS, OUTPUT_ACPI,
};

struct options {
	enum input_syntax input;
	enum output_format output;
	const char *out_path;
	const char *file;
	bool has_mem;
	uint64_t mem;
	bool map_command;		/* `boardc map ...` */
	const char *section;		/* --section: one map section */
	unsigned cpus;			/* --cpus: acpi's MADT; 0: default */
};

static const char *const output_names[] = {
	[OUTPUT_C] = "c", [OUTPUT_MAP] = "map", [OUTPUT_JSON] = "json",
	[OUTPUT_SVG] = "svg", [OUTPUT_YAML] = "yaml", [OUTPUT_DTS] = "dts",
	[OUTPUT_ACPI] = "acpi",
};

/* The command line, from dtc-like/boardc-options.def. */
static const char *const usage_lines[] = {
#define USAGE(text) text,
#include "boardc-options.def"
};

static const struct cli_item commands[] = {
#define COMMAND(name, help) { name, help },
#include "boardc-options.def"
};

static const struct cli_option option_table[] = {
#define OPTION(id, shrt, lng, arg, metavar, help) \
	{ shrt, lng, arg, false, metavar, help },
#define OPTION_GCC(id, name, metavar, help) \
	{ 0, name, required_argument, true, metavar, help },
#include "boardc-options.def"
};

static const struct cli_item statuses[] = {
#define STATUS(code, help) { code, help },
#include "boardc-options.def"
};

static void usage(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(usage_lines); i++) {
		fprintf(out, "%s boardc ", i ? "      " : "usage:");
		cli_help_wrap(out, usage_lines[i], 14, 18);
	}
	fputs("\nChecks a board file and compiles it into the tables boardvm "
	      "is built\nfrom. With no -O, only checks.\n\ncommands:\n", out);
	cli_help_items(out, commands, ARRAY_SIZE(commands), 8);
	fputs("\noptions:\n", out);
	cli_help_options(out, option_table, ARRAY_SIZE(option_table), 29);
	fputs("\nexit status:\n", out);
	cli_help_items(out, statuses, ARRAY_SIZE(statuses), 5);
}

/* Usage errors: name the bad argument, point at --help, exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("boardc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; see 'boardc --help'\n", stderr);
	exit(1);
}

static enum output_format output_parse(const char *text, const char *opt)
{
	for (unsigned i = OUTPUT_C; i <= OUTPUT_ACPI; i++)
		if (!strcmp(text, output_names[i]))
			return (enum output_format)i;
	usage_error("unknown output format '%s' for %s: use c, map, json, "
		    "svg, yaml, dts or acpi", text, opt);
}

static enum output_format format_parse(const char *text)
{
	if (!strcmp(text, "text"))
		return OUTPUT_MAP;
	if (!strcmp(text, "json"))
		return OUTPUT_JSON;
	if (!strcmp(text, "svg"))
		return OUTPUT_SVG;
	usage_error("unknown map format '%s' for --format: use text, json "
		    "or svg", text);
}

static enum input_syntax input_parse(const char *text)
{
	if (!strcmp(text, "yaml"))
		return INPUT_YAML;
	if (!strcmp(text, "dts"))
		return INPUT_DTS;
	usage_error("unknown input syntax '%s' for -I: use yaml or dts", text);
}

/* -W/-E [no-]CHECK */
static void check_option(int opt, const char *arg)
{
	bool enabled = strncmp(arg, "no-", 3) != 0;
	const char *name = enabled ? arg : arg + 3;

	int ret = check_set_enabled(name, enabled, opt == 'E');

	if (ret == -2)
		usage_error("check '%s' in -%c %s is always an error: the "
			    "board cannot be compiled past it; fix the board "
			    "instead", name, opt, arg);
	if (ret < 0)
		usage_error("unknown check '%s' in -%c %s: 'boardc "
			    "--list-checks' lists them", name, opt, arg);
}

static enum input_syntax input_guess(const char *file)
{
	const char *dot = strrchr(file, '.');

	if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
		return INPUT_YAML;
	if (dot && !strcmp(dot, ".dts"))
		return INPUT_DTS;
	usage_error("cannot tell the syntax of '%s' from its extension "
		    "(.yaml, .yml or .dts): give -I yaml or -I dts", file);
}

enum {
	OPT_FIRST = 255,
#define OPTION(id, shrt, lng, arg, metavar, help) OPT_##id,
#include "boardc-options.def"
};

/* getopt's value: the short letter, or OPT_<ID>. */
static const struct option long_options[] = {
#define OPTION(id, shrt, lng, arg, metavar, help) \
	{ lng, arg, NULL, shrt ? shrt : OPT_##id },
#include "boardc-options.def"
	{ NULL, 0, NULL, 0 },
};

static void bad_option(char **argv, int opt)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		usage_error("option '%s' needs an argument", arg);
	if (optopt && optopt < 256)
		usage_error("unknown option '-%c'", optopt);
	usage_error("unknown option '%s'", arg);
}

/* -fmax-errors=N (gcc's spelling): taken out of argv before getopt. */
static int max_errors_take(int argc, char **argv)
{
	static const char prefix[] = "-fmax-errors=";
	const size_t len = sizeof(prefix) - 1;
	bool options = true;
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char *end;
		long n;

		if (!strcmp(arg, "--"))
			options = false;
		if (!options || strncmp(arg, prefix, len)) {
			argv[out++] = argv[i];
			continue;
		}
		errno = 0;
		n = strtol(arg + len, &end, 10);
		if (end == arg + len || *end || errno || n < 0 || n > 1000000)
			usage_error("bad count in '%s': give a number of errors "
				    "(0 for no limit)", arg);
		diag_set_max_errors((int)n);
	}
	argv[out] = NULL;
	return out;
}

static void options_parse(int argc, char **argv, struct options *o)
{
	bool list_checks = false;
	int opt;

	argc = max_errors_take(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "map")) {
		o->map_command = true;
		o->output = OUTPUT_MAP;
		argv++;
		argc--;
	} else if (argc > 1 && !strcmp(argv[1], "acpi")) {
		o->output = OUTPUT_ACPI;
		argv++;
		argc--;
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":I:O:o:W:E:h", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'I':
			o->input = input_parse(optarg);
			break;
		case 'O':
			o->output = output_parse(optarg, "-O");
			break;
		case 'o':
			o->out_path = optarg;
			break;
		case 'W':
		case 'E':
			check_option(opt, optarg);
			break;
		case OPT_MEM:
			if (!parse_size(optarg, &o->mem) || !o->mem)
				usage_error("bad size '%s' for --mem: use a "
					    "size like 512M or 3.5G", optarg);
			if (o->mem % MACHINE_PAGE_SIZE)
				usage_error("--mem '%s' is not a whole number "
					    "of 4 KiB pages (KVM maps guest "
					    "RAM in pages): use a size like "
					    "512M or 3.5G", optarg);
			o->has_mem = true;
			break;
		case OPT_FORMAT:
			if (!o->map_command)
				usage_error("--format is for 'boardc map'; "
					    "use -O map|json|svg");
			o->output = format_parse(optarg);
			break;
		case OPT_SECTION:
			if (strcmp(optarg, "iomem") &&
			    strcmp(optarg, "ioports") &&
			    strcmp(optarg, "e820"))
				usage_error("unknown map section '%s' for "
					    "--section: use iomem, ioports or "
					    "e820", optarg);
			o->section = optarg;
			break;
		case OPT_CPUS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 0);

			if (!*optarg || *end || !n || n > 255)
				usage_error("bad CPU count '%s' for --cpus: use "
					    "1 to the board's cpus max", optarg);
			o->cpus = (unsigned)n;
			break;
		}
		case OPT_LIST_CHECKS:
			list_checks = true;	/* after every -W/-E */
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("boardc %s\n", BOARDC_VERSION);
			exit(0);
		default:
			bad_option(argv, opt);
		}
	}
	if (list_checks) {
		check_list(stdout);
		exit(0);
	}
	if (optind == argc)
		usage_error("no board file given: usage: boardc [options] "
			    "BOARD-FILE");
	if (argc - optind > 1)
		usage_error("one board file at a time: got '%s' and '%s'",
			    argv[optind], argv[optind + 1]);
	o->file = argv[optind];
	if (o->output == OUTPUT_C && !o->out_path)
		usage_error("-O c writes a directory: give it with -o DIR");
	if (o->has_mem && o->output != OUTPUT_MAP &&
	    o->output != OUTPUT_JSON && o->output != OUTPUT_SVG)
		usage_error("--mem is for -O map, json or svg (or 'boardc "
			    "map')");
	if (o->cpus && o->output != OUTPUT_ACPI)
		usage_error("--cpus is for -O acpi (or 'boardc acpi')");
	if (o->section && o->output != OUTPUT_MAP)
		usage_error("--section is for the text map (-O map or "
			    "'boardc map')");
	if (o->input == INPUT_GUESS)
		o->input = input_guess(o->file);
}

/* Checks, layout, plan and their checks: true if the board is good. */
static bool board_compile(struct board *board)
{
	bool ok = true;

	if (board_check(board))
		ok = false;
	if (board_layout(board))
		ok = false;
	if (board_check_layout(board))
		ok = false;
	/* The plan assumes a laid-out board without errors. */
	if (!ok || diag_error_count())
		return false;
	if (board_plan(board))
		exit(1);
	return board_check_plan(board) == 0 && diag_error_count() == 0;
}

static int emit_stream(const struct board *board, const struct options *o,
		       FILE *out)
{
	uint64_t mem = o->has_mem ? o->mem : board->ram_default;

	switch (o->output) {
	case OUTPUT_MAP:
		return board_to_map_section(board, mem, o->section, out);
	case OUTPUT_JSON:
		return board_to_json(board, mem, out);
	case OUTPUT_SVG:
		return board_to_svg(board, mem, out);
	case OUTPUT_YAML:
		return board_to_yaml(board, out);
	case OUTPUT_DTS:
		return board_to_dts(board, out);
	default:
		return 0;
	}
}

/* Writes the output; removes a partial output file on failure. */
static int emit(const struct board *board, const struct options *o)
{
	FILE *out = stdout;
	int err;

	if (o->output == OUTPUT_NONE)
		return 0;
	if (o->output == OUTPUT_C)
		return board_to_c(board, o->out_path) ? -1 : 0;
	if (o->output == OUTPUT_ACPI)
		return board_acpi_dump(board, o->cpus ? o->cpus :
				       board->cpus_default, o->out_path,
				       stdout) ? -1 : 0;
	if (o->out_path) {
		out = fopen(o->out_path, "w");
		if (!out) {
			fprintf(stderr, "boardc: cannot write '%s': %s\n",
				o->out_path, strerror(errno));
			return -1;
		}
	}
	err = emit_stream(board, o, out);
	if (fflush(out) || ferror(out)) {
		fprintf(stderr, "boardc: cannot write '%s': %s\n",
			o->out_path ? o->out_path : "stdout",
			strerror(errno));
		err = -1;
	}
	if (o->out_path) {
		fclose(out);
		if (err)
			unlink(o->out_path);
	}
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct board *board;
	int status = 0;

	options_parse(argc, argv, &o);
	if (o.input == INPUT_DTS)
		board = board_from_dts(o.file);
	else
		board = board_from_yaml(o.file);
	if (!board)
		return 1;
	diag_set_stop_status(2);
	if (!board_compile(board))
		status = 2;
	else if (o.output == OUTPUT_C && board_plan_refuse_c(board))
		status = 2;
	else if (emit(board, &o))
		status = 1;
	board_free(board);
	return status;
}
