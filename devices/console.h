/* SPDX-License-Identifier: MIT */
/*
 * The host terminal behind a console UART. When the console's input is a
 * tty, the UART puts it in raw mode (no line editing, no echo: the guest
 * does both) at init and restores it at destroy. The VMM calls
 * console_restore() on every other way out (fatal signals, exit()), so a
 * crash never leaves the user's shell without echo.
 */
#ifndef BOARDVM_CONSOLE_H
#define BOARDVM_CONSOLE_H

#include <stdbool.h>

struct device;

/*
 * Put `fd` in raw mode if it is a tty (else do nothing). Returns 0, or -1
 * with errno set when the terminal refused. Only the first fd is saved.
 */
int console_raw_enter(int fd);

/* Restore the saved terminal mode. Async-signal-safe; idempotent. */
void console_restore(void);

/*
 * The host fds behind a console-capable device (a UART, a virtio
 * console): what the host's console_fds() hands it, or without that hook
 * console_in/console_out for the board's `console: true` device, its
 * input put in raw mode when it is a tty. -1: none.
 */
void console_attach(struct device *dev, int *in_fd, int *out_fd);
struct device;

/*
 * A console device's write to its output (*fd) failed with errno `err`.
 * EPIPE on stdout means its reader went away (`boardvm ... | head`); the
 * VMM ignores SIGPIPE, so this is where it learns it: one message, *fd =
 * -1 (nothing more is written), and the VM stops with status 141 (128 +
 * SIGPIPE), the terminal restored. Returns true then; false for any other
 * error or fd (a socket backend's client leaving), which the caller
 * counts as dropped output.
 */
bool console_output_failed(struct device *dev, int *fd, int err);

#endif
