// SPDX-License-Identifier: MIT
/*
 * Host files opened without blocking and checked for their kind before
 * use (host-file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host-file.h"

const char *host_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return "a regular file";
	case S_IFDIR:	return "a directory";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFIFO:	return "a FIFO";
	case S_IFSOCK:	return "a socket";
	case S_IFLNK:	return "a symbolic link";
	default:	return "a file of unknown kind";
	}
}

static bool kind_allowed(mode_t mode, unsigned kinds)
{
	return (S_ISREG(mode) && (kinds & HOST_FILE_REGULAR)) ||
	       (S_ISBLK(mode) && (kinds & HOST_FILE_BLOCK)) ||
	       (S_ISCHR(mode) && (kinds & HOST_FILE_CHAR));
}

/* "a regular file or block device", from the accepted kinds. */
static void kinds_text(unsigned kinds, char *buf, size_t len)
{
	static const struct { unsigned kind; const char *name; } names[] = {
		{ HOST_FILE_REGULAR, "regular file" },
		{ HOST_FILE_BLOCK, "block device" },
		{ HOST_FILE_CHAR, "character device" },
	};
	size_t used = snprintf(buf, len, "a");

	for (unsigned i = 0, n = 0; i < 3 && used < len; i++) {
		if (!(kinds & names[i].kind))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 n++ ? " or " : " ", names[i].name);
	}
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int host_file_open(const char *what, const char *path, int flags,
		   unsigned kinds, struct stat *st, char *err, size_t errlen)
{
	char want[64];
	int fd, saved;

	fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		set_err(err, errlen, "cannot open %s '%s': %s", what, path,
			strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, st) < 0) {
		saved = errno;
		set_err(err, errlen, "cannot stat %s '%s': %s", what, path,
			strerror(saved));
		goto err_close;
	}
	if (!kind_allowed(st->st_mode, kinds)) {
		kinds_text(kinds, want, sizeof(want));
		set_err(err, errlen, "%s '%s' is %s, not %s", what, path,
			host_file_kind(st->st_mode), want);
		saved = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		goto err_close;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		saved = errno;
		set_err(err, errlen, "%s '%s': cannot clear O_NONBLOCK: %s",
			what, path, strerror(saved));
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	errno = saved;
	return -1;
}

int host_file_open_append(const char *path)
{
	const int flags = O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0 && errno == ENXIO)		/* a FIFO without a reader */
		fd = open(path, O_RDWR | flags);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int64_t host_file_size(int fd, const struct stat *st)
{
	off_t end;

	if (S_ISREG(st->st_mode))
		return st->st_size;
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return end;
}
