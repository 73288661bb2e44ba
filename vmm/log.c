// SPDX-License-Identifier: MIT
/*
 * The log: stderr replaced by a stream (fopencookie) that sees each line
 * whole before it reaches fd 2, so every message of the VMM, wherever it
 * is printed, gets the same level filter and format:
 *
 *   text  the line as it was written (today's output)
 *   json  {"time":"2026-12-02T06:40:00.123Z","level":"warn",
 *          "msg":"unmapped write ..."} (the "boardvm: " prefix dropped)
 *
 * A level comes with log_msg() (a marker byte before the text, stripped
 * here); lines printed with plain fprintf(stderr) are level "warn". Lines
 * of the I/O trace and --stats are output the user asked for: never
 * filtered. A line that already is a JSON object passes unchanged.
 *
 * The stream is line-buffered by construction: the cookie collects bytes
 * until a newline, then writes the line with one write(2), so lines of
 * different threads do not mix within a line (each fprintf holds the
 * stream's lock). Setup's stop-signal handler formats its line with
 * log_signal_line() (no stdio, no json-c: both may be mid-call); the
 * SIGSYS handler writes fd 2 itself and stays text.
 */
#define _GNU_SOURCE		/* fopencookie() */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "host-file.h"
#include "log.h"

#define LOG_MARK		'\001'	/* then '0' + level */
#define LOG_LINE_MAX		4096

static const char *const level_names[] = {
	[LOG_ERROR] = "error", [LOG_WARN] = "warn",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

static enum log_level log_level = LOG_INFO;
static bool log_json;
static int log_fd = STDERR_FILENO;
static char line[LOG_LINE_MAX];
static size_t line_len;

void log_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

static void write_all(const char *p, size_t n)
{
	log_write_all(log_fd, p, n);
}

static bool line_is_output(const char *s)
{
	return !strncmp(s, "trace-io: ", 10) || !strncmp(s, "stats: ", 7);
}

static void emit_json(enum log_level level, const char *msg, size_t len)
{
	struct json_object *o = json_object_new_object();
	struct timespec ts;
	struct tm tm;
	char when[40];
	const char *text;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	if (len > 9 && !strncmp(msg, "boardvm: ", 9)) {
		msg += 9;
		len -= 9;
	}
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "level",
			       json_object_new_string(level_names[level]));
	json_object_object_add(o, "msg", json_object_new_string_len(msg, len));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	write_all(text, strlen(text));
	write_all("\n", 1);
	json_object_put(o);
}

/* "2026-12-02T06:40:00.123Z" with no libc formatting (signal-safe). */
static size_t put_digits(char *p, unsigned long v, unsigned n)
{
	for (unsigned i = n; i--; v /= 10)
		p[i] = '0' + v % 10;
	return n;
}

static size_t utc_time_safe(char *p)
{
	struct timespec ts;
	long days, secs, era, doe, yoe, doy, mp, y, m, d;
	size_t n = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	/* Days since 1970 to a civil date (H. Hinnant's days_from_civil). */
	days += 719468;
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	n += put_digits(p + n, y, 4);
	p[n++] = '-';
	n += put_digits(p + n, m, 2);
	p[n++] = '-';
	n += put_digits(p + n, d, 2);
	p[n++] = 'T';
	n += put_digits(p + n, secs / 3600, 2);
	p[n++] = ':';
	n += put_digits(p + n, secs / 60 % 60, 2);
	p[n++] = ':';
	n += put_digits(p + n, secs % 60, 2);
	p[n++] = '.';
	n += put_digits(p + n, ts.tv_nsec / 1000000, 3);
	p[n++] = 'Z';
	return n;
}

static size_t put_str(char *p, size_t at, size_t max, const char *s)
{
	while (*s && at < max)
		p[at++] = *s++;
	return at;
}

/*
 * A signal handler's line (setup's stop message), in the log's format
 * and at its level, with one write(2) and nothing a handler may not
 * call. `msg` is plain ASCII without quotes, backslashes or a newline.
 */
void log_signal_line(enum log_level level, const char *msg)
{
	char buf[256];
	size_t n = 0, max = sizeof(buf) - 1;

	if (level > log_level)
		return;
	if (!log_json) {
		n = put_str(buf, 0, max, msg);
	} else {
		if (!strncmp(msg, "boardvm: ", 9))
			msg += 9;
		n = put_str(buf, n, max, "{\"time\":\"");
		n += utc_time_safe(buf + n);
		n = put_str(buf, n, max, "\",\"level\":\"");
		n = put_str(buf, n, max, level_names[level]);
		n = put_str(buf, n, max, "\",\"msg\":\"");
		n = put_str(buf, n, max - 2, msg);
		n = put_str(buf, n, max, "\"}");
	}
	buf[n++] = '\n';
	write_all(buf, n);
}

/* One whole line (without its newline). */
static void log_line(char *s, size_t len)
{
	enum log_level level = LOG_WARN;
	bool output;

	if (len >= 2 && s[0] == LOG_MARK && s[1] >= '0' && s[1] <= '3') {
		level = s[1] - '0';
		s += 2;
		len -= 2;
	}
	s[len] = 0;
	output = line_is_output(s) || s[0] == '{';
	if (!output && level > log_level)
		return;
	if (!log_json || s[0] == '{') {
		s[len] = '\n';
		write_all(s, len + 1);
		return;
	}
	emit_json(output ? LOG_INFO : level, s, len);
}

static ssize_t log_cookie_write(void *cookie, const char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '\n' || line_len == sizeof(line) - 1) {
			log_line(line, line_len);
			line_len = 0;
			if (buf[i] == '\n')
				continue;
		}
		line[line_len++] = buf[i];
	}
	return size;
}

/* A last line without its newline is not lost at exit. */
static void log_flush_partial(void)
{
	if (line_len)
		log_line(line, line_len);
	line_len = 0;
}

int log_init(void)
{
	cookie_io_functions_t io = { .write = log_cookie_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (!f) {
		perror("boardvm: log stream");
		return -1;
	}
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
	atexit(log_flush_partial);
	return 0;
}

static int level_from(const char *name)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

int log_set_level(const char *name)
{
	int l = level_from(name);

	if (l < 0)
		return -1;
	log_level = l;
	return 0;
}

int log_set_format(const char *name)
{
	if (strcmp(name, "text") && strcmp(name, "json"))
		return -1;
	log_json = !strcmp(name, "json");
	return 0;
}

/* Firecracker's level names (and ours). */
static int firecracker_level(const char *name)
{
	static const struct { const char *name; int level; } map[] = {
		{ "Error", LOG_ERROR }, { "Warning", LOG_WARN },
		{ "Warn", LOG_WARN }, { "Info", LOG_INFO },
		{ "Debug", LOG_DEBUG }, { "Trace", LOG_DEBUG },
	};

	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(name, map[i].name))
			return map[i].level;
	return level_from(name);
}

int log_configure(const char *path, const char *level, char *err,
		  size_t size)
{
	int l = level ? firecracker_level(level) : (int)log_level;
	int fd;

	if (l < 0) {
		snprintf(err, size, "level '%s': expected Error, Warning, Info, "
			 "Debug or Trace", level);
		return -1;
	}
	if (path) {
		fd = host_file_open_append(path);	/* never blocks */
		if (fd < 0) {
			snprintf(err, size, "log_path '%s': %s", path,
				 strerror(errno));
			return -1;
		}
		if (log_fd != STDERR_FILENO)
			close(log_fd);
		log_fd = fd;
	}
	log_level = l;
	return 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%c%c%s", LOG_MARK, '0' + level, buf);
}
