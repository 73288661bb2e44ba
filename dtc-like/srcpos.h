/* SPDX-License-Identifier: MIT */
/*
 * Source positions and diagnostics. Lines and columns are 1-based (libyaml
 * marks are 0-based: front ends add 1). `included_from` chains positions
 * through /include/ in the text syntax.
 */
#ifndef BOARDC_SRCPOS_H
#define BOARDC_SRCPOS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct srcpos {
	const char *file;		/* interned: lives as long as boardc */
	int first_line;
	int first_column;
	int last_line;
	int last_column;
	const struct srcpos *included_from;
};

/* Intern a file name so positions may keep pointing at it. */
const char *srcpos_file(const char *name);
/* The file's text (copied), for the source line under its diagnostics. */
void srcpos_set_text(const char *name, const void *text, size_t len);

/* "file:line:col" (static buffer rotation, 4 at a time). */
const char *srcpos_string(const struct srcpos *pos);

/*
 * Diagnostics, printed to stderr as
 *   file:line:col: error (check): message
 *   file:line:col: note: message
 * `check` may be NULL (syntax errors). A position with no file prints
 * "boardc:" in its place.
 */
void diag_error(const struct srcpos *pos, const char *check,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(const struct srcpos *pos, const char *check,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(const struct srcpos *pos, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The error cap (gcc's -fmax-errors): once `max` errors are printed, the
 * next one exits with the stop status instead (1 while the front end
 * runs, 2 once the checks do). 0: no cap.
 */
#define DIAG_MAX_ERRORS_DEFAULT	20
void diag_set_max_errors(int max);
void diag_set_stop_status(int status);

/* Counts since start, for exit statuses. */
int diag_error_count(void);
int diag_warning_count(void);

#endif
