// SPDX-License-Identifier: MIT
/*
 * Source positions and diagnostics, in dtc's format:
 *   file:line:col: error (check): message
 *   file:line:col: note: message
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srcpos.h"

/* Interned file names: a short list, never freed (boardc is short-lived). */
struct srcpos_name {
	struct srcpos_name *next;
	char name[];
};

static struct srcpos_name *srcpos_names;
static int nr_errors, nr_warnings;
static int max_errors = DIAG_MAX_ERRORS_DEFAULT;
static int stop_status = 1;

const char *srcpos_file(const char *name)
{
	struct srcpos_name *n;
	size_t len;

	if (!name)
		return NULL;
	for (n = srcpos_names; n; n = n->next)
		if (!strcmp(n->name, name))
			return n->name;
	len = strlen(name) + 1;
	n = malloc(sizeof(*n) + len);
	if (!n) {
		fprintf(stderr, "boardc: out of memory\n");
		exit(1);
	}
	memcpy(n->name, name, len);
	n->next = srcpos_names;
	srcpos_names = n;
	return n->name;
}

const char *srcpos_string(const struct srcpos *pos)
{
	static char bufs[4][512];
	static unsigned next;
	char *buf = bufs[next++ % 4];

	if (!pos || !pos->file)
		snprintf(buf, sizeof(bufs[0]), "boardc");
	else if (pos->first_line <= 0)
		snprintf(buf, sizeof(bufs[0]), "%s", pos->file);
	else
		snprintf(buf, sizeof(bufs[0]), "%s:%d:%d", pos->file,
			 pos->first_line,
			 pos->first_column > 0 ? pos->first_column : 1);
	return buf;
}

static void diag_print(const struct srcpos *pos, const char *kind,
		       const char *check, const char *fmt, va_list ap)
{
	const struct srcpos *inc;

	fprintf(stderr, "%s: %s", srcpos_string(pos), kind);
	if (check)
		fprintf(stderr, " (%s)", check);
	fputs(": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	/* Where an /include/d file was pulled in from, innermost first. */
	for (inc = pos ? pos->included_from : NULL; inc;
	     inc = inc->included_from)
		fprintf(stderr, "%s: note: included from here\n",
			srcpos_string(inc));
}

void diag_set_max_errors(int max)
{
	max_errors = max;
}

void diag_set_stop_status(int status)
{
	stop_status = status;
}

/*
 * At the cap, the next error stops boardc (so the last one's notes are
 * printed): one mistake that cascades (a file including itself) shows as
 * a screenful, not hundreds of lines.
 */
static void diag_cap(void)
{
	if (!max_errors || nr_errors < max_errors)
		return;
	fprintf(stderr, "boardc: stopped after %d errors (-fmax-errors=%d): "
		"fix these first, or give -fmax-errors=0 to see them all\n",
		nr_errors, max_errors);
	exit(stop_status);
}

void diag_error(const struct srcpos *pos, const char *check,
		const char *fmt, ...)
{
	va_list ap;

	diag_cap();
	nr_errors++;
	va_start(ap, fmt);
	diag_print(pos, "error", check, fmt, ap);
	va_end(ap);
}

void diag_warning(const struct srcpos *pos, const char *check,
		  const char *fmt, ...)
{
	va_list ap;

	nr_warnings++;
	va_start(ap, fmt);
	diag_print(pos, "warning", check, fmt, ap);
	va_end(ap);
}

void diag_note(const struct srcpos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: note: ", srcpos_string(pos));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int diag_error_count(void)
{
	return nr_errors;
}

int diag_warning_count(void)
{
	return nr_warnings;
}
