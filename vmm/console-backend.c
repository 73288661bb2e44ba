// SPDX-License-Identifier: MIT
/*
 * Console backends: the host end of every console-capable device of the
 * board (each device with a `console` property: UARTs, virtio consoles).
 *
 *   --serial NAME=stdio       boardvm's stdin/stdout (a tty goes raw)
 *   --serial NAME=pty         a new pseudo-terminal; its path is printed
 *   --serial NAME=file:PATH   output appended to PATH (created), no input
 *   --serial NAME=unix:PATH   a Unix stream socket boardvm listens on; the
 *                             guest starts once a client has connected
 *   --serial NAME=null        nothing in, output dropped
 *
 * Without a --serial, the board's `console: true` devices are on stdio
 * and every other one on null. One --serial at most names stdio, and
 * naming one moves the board's consoles that no --serial names to null.
 *
 * Backends are opened once, before the first VM, and outlive --reboot (a
 * pty keeps its path). Output to a pty or a socket never blocks a vCPU:
 * those fds are non-blocking and what the reader has no room for is
 * dropped (the devices count it). The VMM keeps a pty's slave side open,
 * so the master reads no EOF while no terminal program is attached.
 */
#define _GNU_SOURCE		/* posix_openpt(), accept4() */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "../devices/console.h"
#include "console-backend.h"
#include "host-file.h"
#include "log.h"
#include "vmm.h"

static struct console_backend backends[CONSOLE_MAX_BACKENDS];
static unsigned nr_backends;

static const char *const kind_names[] = {
	[CONSOLE_NULL] = "null",
	[CONSOLE_STDIO] = "stdio",
	[CONSOLE_PTY] = "pty",
	[CONSOLE_FILE] = "file",
	[CONSOLE_UNIX] = "unix",
};

const char *console_kind_name(enum console_kind kind)
{
	return kind_names[kind];
}

static bool device_has_console(const struct board_device *dev)
{
	for (unsigned i = 0; i < dev->nr_props; i++)
		if (!strcmp(dev->props[i].name, "console"))
			return true;
	return false;
}

static bool device_is_board_console(const struct board_device *dev)
{
	for (unsigned i = 0; i < dev->nr_props; i++)
		if (!strcmp(dev->props[i].name, "console"))
			return dev->props[i].number;
	return false;
}

/* The backend of a board device; created (null) on first use. */
static struct console_backend *backend_of(const struct board_device *dev)
{
	for (unsigned i = 0; i < nr_backends; i++)
		if (backends[i].device == dev)
			return &backends[i];
	if (nr_backends == CONSOLE_MAX_BACKENDS)
		return NULL;
	backends[nr_backends] = (struct console_backend) {
		.device = dev, .in_fd = -1, .out_fd = -1, .slave_fd = -1,
	};
	return &backends[nr_backends++];
}

static void console_names(char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < board_info.nr_devices && at < size; i++)
		if (device_has_console(&board_devices[i]))
			at += snprintf(buf + at, size - at, "%s%s",
				       at ? ", " : "", board_devices[i].name);
}

static int spec_parse(struct console_backend *be, const char *spec,
		      const char *arg)
{
	static const struct { const char *prefix; enum console_kind kind; }
	path_kinds[] = { { "file:", CONSOLE_FILE }, { "unix:", CONSOLE_UNIX } };

	for (enum console_kind k = CONSOLE_NULL; k <= CONSOLE_PTY; k++)
		if (!strcmp(spec, kind_names[k])) {
			be->kind = k;
			return 0;
		}
	for (unsigned i = 0; i < 2; i++) {
		size_t n = strlen(path_kinds[i].prefix);

		if (strncmp(spec, path_kinds[i].prefix, n) || !spec[n])
			continue;
		be->kind = path_kinds[i].kind;
		snprintf(be->path, sizeof(be->path), "%s", spec + n);
		if (strlen(spec + n) >= sizeof(be->path) ||
		    (be->kind == CONSOLE_UNIX &&
		     strlen(spec + n) >= sizeof(((struct sockaddr_un *)0)->sun_path))) {
			fprintf(stderr, "boardvm: --serial '%s': path too "
				"long\n", arg);
			return -1;
		}
		return 0;
	}
	fprintf(stderr, "boardvm: --serial '%s': expected NAME=stdio, pty, "
		"file:PATH, unix:PATH or null\n", arg);
	return -1;
}

int console_backend_parse(const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct console_backend *be;
	char names[512];

	for (unsigned i = 0; eq && i < board_info.nr_devices; i++) {
		const struct board_device *dev = &board_devices[i];

		if (strlen(dev->name) != (size_t)(eq - arg) ||
		    strncmp(dev->name, arg, eq - arg))
			continue;
		if (!device_has_console(dev))
			break;
		be = backend_of(dev);
		if (!be)
			return -1;
		be->given = true;
		return spec_parse(be, eq + 1, arg);
	}
	console_names(names, sizeof(names));
	fprintf(stderr, "boardvm: --serial '%s': expected NAME=BACKEND with "
		"NAME a console device of board %s (%s)\n", arg,
		board_info.name, names[0] ? names : "it has none");
	return -1;
}

/*
 * Every console device gets a backend: the one given, else stdio for the
 * board's consoles (unless a --serial took stdio), else null.
 */
int console_backends_resolve(void)
{
	const struct console_backend *stdio = NULL;

	for (unsigned i = 0; i < nr_backends; i++) {
		if (backends[i].kind != CONSOLE_STDIO)
			continue;
		if (stdio) {
			fprintf(stderr, "boardvm: --serial: %s and %s both on "
				"stdio: one device at most can have it\n",
				stdio->device->name, backends[i].device->name);
			return -1;
		}
		stdio = &backends[i];
	}
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct board_device *dev = &board_devices[i];
		struct console_backend *be;

		if (!device_has_console(dev))
			continue;
		be = backend_of(dev);
		if (!be)
			return -1;
		if (!be->given && !stdio && device_is_board_console(dev))
			be->kind = CONSOLE_STDIO;
	}
	return 0;
}

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int open_pty(struct console_backend *be)
{
	struct termios t;
	const char *name;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 ||
	    !(name = ptsname(fd)))
		goto err;
	snprintf(be->path, sizeof(be->path), "%s", name);
	/* Raw: the guest's bytes reach the terminal program as they are. */
	be->slave_fd = open(be->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (be->slave_fd < 0 || tcgetattr(be->slave_fd, &t) < 0)
		goto err;
	cfmakeraw(&t);
	if (tcsetattr(be->slave_fd, TCSANOW, &t) < 0 || set_nonblock(fd) < 0)
		goto err;
	be->in_fd = be->out_fd = fd;
	log_msg(LOG_INFO, "boardvm: %s: console on pty %s\n",
		be->device->name, be->path);
	return 0;
err:
	fprintf(stderr, "boardvm: --serial %s=pty: cannot create a "
		"pseudo-terminal: %s\n", be->device->name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int open_file(struct console_backend *be)
{
	be->out_fd = host_file_open_append(be->path);	/* never blocks */
	if (be->out_fd >= 0)
		return 0;
	fprintf(stderr, "boardvm: --serial %s=file:%s: %s\n", be->device->name,
		be->path, strerror(errno));
	return -1;
}

/* Listen on the path and wait for the first client. */
static int open_unix(struct console_backend *be)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int fd = -1;

	memcpy(addr.sun_path, be->path, strlen(be->path));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 1) < 0)
		goto err;
	log_msg(LOG_INFO, "boardvm: %s: console on unix:%s, waiting for a "
		"client\n", be->device->name, be->path);
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 || set_nonblock(fd) < 0)
		goto err;
	close(lfd);
	unlink(be->path);
	be->in_fd = be->out_fd = fd;
	return 0;
err:
	fprintf(stderr, "boardvm: --serial %s=unix:%s: %s\n", be->device->name,
		be->path, strerror(errno));
	if (lfd >= 0)
		close(lfd);
	return -1;
}

int console_backends_open(void)
{
	for (unsigned i = 0; i < nr_backends; i++) {
		struct console_backend *be = &backends[i];
		int err = 0;

		switch (be->kind) {
		case CONSOLE_NULL:
			break;
		case CONSOLE_STDIO:
			be->in_fd = STDIN_FILENO;
			be->out_fd = STDOUT_FILENO;
			break;
		case CONSOLE_PTY:
			err = open_pty(be);
			break;
		case CONSOLE_FILE:
			err = open_file(be);
			break;
		case CONSOLE_UNIX:
			/* A reader that goes away is EPIPE, not a signal. */
			signal(SIGPIPE, SIG_IGN);
			err = open_unix(be);
			break;
		}
		if (err < 0)
			return -1;
	}
	return 0;
}

void console_backends_close(void)
{
	for (unsigned i = 0; i < nr_backends; i++) {
		struct console_backend *be = &backends[i];

		if (be->kind == CONSOLE_STDIO || be->kind == CONSOLE_NULL)
			continue;
		if (be->out_fd >= 0)
			close(be->out_fd);
		if (be->slave_fd >= 0)
			close(be->slave_fd);
		be->in_fd = be->out_fd = be->slave_fd = -1;
	}
}

void console_backend_fds(struct device_host *host, const char *device,
			 int *in_fd, int *out_fd)
{
	*in_fd = *out_fd = -1;
	for (unsigned i = 0; i < nr_backends; i++) {
		struct console_backend *be = &backends[i];

		if (strcmp(be->device->name, device))
			continue;
		*in_fd = be->in_fd;
		*out_fd = be->out_fd;
		if (be->kind == CONSOLE_STDIO && console_raw_enter(*in_fd) < 0)
			fprintf(stderr, "boardvm: %s: cannot put console input "
				"(fd %d) in raw mode: %s; input stays "
				"line-buffered\n", device, *in_fd,
				strerror(errno));
		return;
	}
}

/*
 * Known before any is open: stdio, a pty and a unix socket read input.
 * The board's console on stdio by default is the console device's own
 * rule (seccomp.c), which allows the same.
 */
bool console_backends_take_input(void)
{
	for (unsigned i = 0; i < nr_backends; i++)
		if (backends[i].given &&
		    (backends[i].kind == CONSOLE_STDIO ||
		     backends[i].kind == CONSOLE_PTY ||
		     backends[i].kind == CONSOLE_UNIX))
			return true;
	return false;
}

unsigned console_backend_count(void)
{
	return nr_backends;
}

const struct console_backend *console_backend_get(unsigned i)
{
	return i < nr_backends ? &backends[i] : NULL;
}
