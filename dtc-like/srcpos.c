// SPDX-License-Identifier: MIT
/*
 * Source positions and diagnostics, in dtc's format:
 *   file:line:col: error (check): message
 *   file:line:col: note: message
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srcpos.h"

/*
 * Interned file names: a short list, never freed (boardc is short-lived).
 * With the file's text (srcpos_set_text()) when it was read, for the
 * source line under a diagnostic.
 */
struct srcpos_name {
	struct srcpos_name *next;
	char *text;
	size_t len;
	size_t *lines;			/* offset of each line, built lazily */
	unsigned nr_lines;
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
	n->text = NULL;
	n->lines = NULL;
	n->nr_lines = 0;
	n->next = srcpos_names;
	srcpos_names = n;
	return n->name;
}

static struct srcpos_name *name_find(const char *file)
{
	for (struct srcpos_name *n = srcpos_names; n; n = n->next)
		if (n->name == file || !strcmp(n->name, file))
			return n;
	return NULL;
}

void srcpos_set_text(const char *name, const void *text, size_t len)
{
	struct srcpos_name *n = name_find(srcpos_file(name));

	free(n->text);
	free(n->lines);
	n->lines = NULL;
	n->nr_lines = 0;
	n->text = malloc(len + 1);
	if (!n->text) {
		fprintf(stderr, "boardc: out of memory\n");
		exit(1);
	}
	memcpy(n->text, text, len);
	n->text[len] = '\0';
	n->len = len;
}

/* Line offsets, once per file: each excerpt is then O(line length). */
static bool lines_index(struct srcpos_name *n)
{
	unsigned count = 1;

	if (n->lines)
		return true;
	for (size_t i = 0; i < n->len; i++)
		count += n->text[i] == '\n';
	n->lines = malloc(count * sizeof(*n->lines));
	if (!n->lines)
		return false;
	n->lines[0] = 0;
	n->nr_lines = 1;
	for (size_t i = 0; i < n->len; i++)
		if (n->text[i] == '\n')
			n->lines[n->nr_lines++] = i + 1;
	return true;
}

#define EXCERPT_MAX	160		/* longer lines are not shown */

/*
 * gcc's excerpt under a diagnostic: the line, then a caret under the
 * column (tabs kept, so it lines up):
 *    15 |     io-ports: 0x3f8
 *       |               ^
 */
static void excerpt_print(const struct srcpos *pos)
{
	struct srcpos_name *n;
	const char *line;
	size_t len;
	int col;

	if (!pos || !pos->file || pos->first_line <= 0)
		return;
	n = name_find(pos->file);
	if (!n || !n->text || !lines_index(n) ||
	    (unsigned)pos->first_line > n->nr_lines)
		return;
	line = n->text + n->lines[pos->first_line - 1];
	len = strcspn(line, "\n");
	if (len && line[len - 1] == '\r')
		len--;
	col = pos->first_column > 0 ? pos->first_column : 1;
	if (len > EXCERPT_MAX || (size_t)col > len + 1 ||
	    memchr(line, '\0', len))
		return;
	fprintf(stderr, "%5d | %.*s\n      | ", pos->first_line, (int)len,
		line);
	for (int i = 0; i < col - 1; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', stderr);
	fputs("^\n", stderr);
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

/*
 * A message and its newline, cut at MESSAGE_MAX bytes: a message quotes
 * what the board wrote, which may be a 10 MB name.
 */
#define MESSAGE_MAX	2048

static void message_print(const char *fmt, va_list ap)
{
	char buf[MESSAGE_MAX + 1];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	fputs(buf, stderr);
	if (n > MESSAGE_MAX)
		fputs(" [...]", stderr);
	fputc('\n', stderr);
}

static void diag_print(const struct srcpos *pos, const char *kind,
		       const char *check, const char *fmt, va_list ap)
{
	const struct srcpos *inc;

	fprintf(stderr, "%s: %s", srcpos_string(pos), kind);
	if (check)
		fprintf(stderr, " (%s)", check);
	fputs(": ", stderr);
	message_print(fmt, ap);
	excerpt_print(pos);
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
	message_print(fmt, ap);
	va_end(ap);
	excerpt_print(pos);
}

int diag_error_count(void)
{
	return nr_errors;
}

int diag_warning_count(void)
{
	return nr_warnings;
}
