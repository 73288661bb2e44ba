// SPDX-License-Identifier: MIT
/*
 * Board file input for both front ends: a regular file or stdin ("-"),
 * checked by kind before a byte is read, and read up to a size cap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "srcpos.h"

const char *input_name(const char *file)
{
	return strcmp(file, "-") ? file : "<stdin>";
}

static const char *kind_refused(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "it is a folder, not a board file";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "it is a device, not a board file (give a regular "
		       "file, or '-' for stdin)";
	if (S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode))
		return "it is a pipe or socket: give '-' to read stdin";
	return "it is not a regular file";
}

static const char *too_big(void)
{
	static char why[128];

	snprintf(why, sizeof(why), "it is larger than %u MiB, boardc's input "
		 "limit (a board file is a few KiB: is it the right file?)",
		 BOARD_INPUT_MAX >> 20);
	return why;
}

/* Reads fd to its end, at most BOARD_INPUT_MAX bytes. */
static unsigned char *fd_read(int fd, size_t *len, const char **why)
{
	size_t size = 8192, used = 0;
	unsigned char *buf = malloc(size + 1), *more;
	ssize_t n;

	for (;;) {
		if (!buf) {
			fprintf(stderr, "boardc: out of memory\n");
			exit(1);
		}
		if (used == size) {
			size = size * 2 > BOARD_INPUT_MAX + 1 ?
			       BOARD_INPUT_MAX + 1 : size * 2;
			more = realloc(buf, size + 1);
			if (!more)
				free(buf);
			buf = more;
			continue;
		}
		n = read(fd, buf + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = strerror(errno);
			break;
		}
		if (n == 0) {
			buf[used] = '\0';
			*len = used;
			return buf;
		}
		used += (size_t)n;
		if (used > BOARD_INPUT_MAX) {
			*why = too_big();
			break;
		}
	}
	free(buf);
	return NULL;
}

unsigned char *input_read(const char *file, size_t *len, const char **why)
{
	struct stat st;
	unsigned char *buf;
	bool is_stdin = !strcmp(file, "-");
	int fd = is_stdin ? 0 : open(file, O_RDONLY | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st)) {
		*why = strerror(errno);
		buf = NULL;
	} else if (!is_stdin && !S_ISREG(st.st_mode)) {
		*why = kind_refused(&st);
		buf = NULL;
	} else if (S_ISREG(st.st_mode) && st.st_size > BOARD_INPUT_MAX) {
		*why = too_big();
		buf = NULL;
	} else {
		buf = fd_read(fd, len, why);
	}
	if (!is_stdin)
		close(fd);
	if (buf)
		srcpos_set_text(input_name(file), buf, *len);
	return buf;
}
