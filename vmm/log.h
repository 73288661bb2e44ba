/* SPDX-License-Identifier: MIT */
/*
 * boardvm's stderr as a log (vmm/log.c): --log-level, --log-format
 * text|json, PUT /logger's log_path. Every line written to stderr goes
 * through it; log_msg() gives a line its level, other lines count as
 * warnings; a line that is already JSON (a JSON trace, --stats-format
 * json) passes as it is.
 */
#ifndef BOARDVM_LOG_H
#define BOARDVM_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Take over stderr; -1 with a message when the stream cannot be made. */
int log_init(void);
int log_set_level(const char *name);	/* error|warn|info|debug */
int log_set_format(const char *name);	/* text|json */
/* PUT /logger: a file for the log, a Firecracker level name. */
int log_configure(const char *path, const char *level, char *err,
		  size_t size);
/* Write all of p (retrying after EINTR); what fd refuses is dropped. */
void log_write_all(int fd, const char *p, size_t n);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Async-signal-safe: one line in the log's format (plain ASCII `msg`). */
void log_signal_line(enum log_level level, const char *msg);

#endif
