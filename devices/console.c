// SPDX-License-Identifier: MIT
/*
 * Raw terminal mode for the console, and its restoration on every exit
 * path. One saved state for the whole process: the VMM has one terminal.
 *
 * Raw here means: no canonical line editing, no echo, no CR/LF or flow
 * control translation on input, reads return each byte as it arrives. ISIG
 * stays on, so ^C and ^\ still reach the VMM (whose handlers call
 * console_restore()), and output processing stays as the user had it.
 * Restored at exit() (atexit), on the VMM's stop signals, and on a fatal
 * signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) before it kills us.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "board-tables.h"
#include "console.h"
#include "device.h"

static struct termios console_saved;
static int console_saved_fd = -1;
static volatile sig_atomic_t console_is_raw;

void console_restore(void)
{
	if (!console_is_raw)
		return;
	console_is_raw = 0;
	tcsetattr(console_saved_fd, TCSAFLUSH, &console_saved);
}

/*
 * A crash (or kill -SEGV) must not leave the shell without echo either:
 * restore, then die of the same signal (SA_RESETHAND put the default
 * action back, so this needs no syscall the seccomp filter forbids).
 */
static void console_fatal_signal(int sig)
{
	console_restore();
	raise(sig);
}

static void console_catch_fatal_signals(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa = {
		.sa_handler = console_fatal_signal,
		.sa_flags = SA_RESETHAND,
	};

	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

int console_raw_enter(int fd)
{
	static int registered;
	struct termios raw;

	if (fd < 0 || !isatty(fd) || console_is_raw)
		return 0;
	if (tcgetattr(fd, &console_saved) < 0)
		return -1;
	raw = console_saved;
	raw.c_lflag &= ~(ICANON | ECHO | ECHONL | IEXTEN);
	raw.c_iflag &= ~(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0)
		return -1;
	console_saved_fd = fd;
	console_is_raw = 1;
	if (!registered) {
		registered = 1;
		atexit(console_restore);
		console_catch_fatal_signals();
	}
	return 0;
}

void console_attach(struct device *dev, int *in_fd, int *out_fd)
{
	struct device_host *host = dev->host;

	*in_fd = *out_fd = -1;
	if (!host)
		return;
	if (host->console_fds) {
		host->console_fds(host, dev->desc->name, in_fd, out_fd);
		return;
	}
	if (!device_prop_number(dev, "console"))
		return;
	*in_fd = host->console_in;
	*out_fd = host->console_out;
	if (console_raw_enter(*in_fd) < 0)
		fprintf(stderr, "boardvm: %s: cannot put console input (fd %d) "
			"in raw mode: %s; input stays line-buffered\n",
			dev->desc->name, *in_fd, strerror(errno));
}

bool console_output_failed(struct device *dev, int *fd, int err)
{
	if (err != EPIPE || *fd != STDOUT_FILENO)
		return false;
	console_restore();
	fprintf(stderr, "boardvm: %s: the console's output (stdout) was "
		"closed by its reader (Broken pipe): stopping\n",
		dev->desc ? dev->desc->name : "console");
	*fd = -1;
	if (dev->host && dev->host->request_exit)
		dev->host->request_exit(dev->host, HOST_EXIT_OUTPUT_CLOSED,
					128 + SIGPIPE);
	return true;
}
