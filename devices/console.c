// SPDX-License-Identifier: MIT
/*
 * Raw terminal mode for the console, and its restoration on every exit
 * path. One saved state for the whole process: the VMM has one terminal.
 *
 * Raw here means: no canonical line editing, no echo, no CR/LF or flow
 * control translation on input, reads return each byte as it arrives. ISIG
 * stays on, so ^C and ^\ still reach the VMM (whose handlers call
 * console_restore()), and output processing stays as the user had it.
 */
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"

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
	}
	return 0;
}
