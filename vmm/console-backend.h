/* SPDX-License-Identifier: MIT */
/*
 * Console backends (--serial NAME=stdio|pty|file:PATH|unix:PATH|null):
 * the host end of each console-capable device (vmm/console-backend.c).
 * Order: console_backend_parse() per option, console_backends_resolve()
 * after the command line, console_backends_open() before the first VM,
 * console_backends_close() at the end.
 */
#ifndef BOARDVM_CONSOLE_BACKEND_H
#define BOARDVM_CONSOLE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "board-tables.h"

#define CONSOLE_MAX_BACKENDS	16

enum console_kind {
	CONSOLE_NULL,
	CONSOLE_STDIO,
	CONSOLE_PTY,
	CONSOLE_FILE,
	CONSOLE_UNIX,
};

struct console_backend {
	const struct board_device *device;
	enum console_kind kind;
	bool given;			/* by a --serial */
	char path[256];			/* file, socket, or the pty's name */
	int in_fd, out_fd;		/* what the device gets; -1: none */
	int slave_fd;			/* a pty's other side, kept open */
};

struct device_host;

int console_backend_parse(const char *arg);
int console_backends_resolve(void);
int console_backends_open(void);
void console_backends_close(void);
/* The device_host hook: the fds of a device's backend. */
void console_backend_fds(struct device_host *host, const char *device,
			 int *in_fd, int *out_fd);
const char *console_kind_name(enum console_kind kind);
/* Does a --serial give a device input (the seccomp policy asks)? */
bool console_backends_take_input(void);
unsigned console_backend_count(void);
const struct console_backend *console_backend_get(unsigned i);

#endif
