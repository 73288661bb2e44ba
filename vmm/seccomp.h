/* SPDX-License-Identifier: MIT */
/*
 * The VMM's system call allowlist (docs/security.md).
 *
 * Built from the board: a base set every VM needs (KVM_RUN, futexes, the
 * logs on stderr, the exit path) plus what each device type on the board
 * declares in one table in seccomp.c, so a board without a disk does not
 * allow the disk's syscalls. Installed once setup is over, on every
 * thread at once (SECCOMP_FILTER_FLAG_TSYNC), before any guest
 * instruction runs. A forbidden syscall never executes: the kernel raises
 * SIGSYS, whose handler names the syscall on stderr and exits with
 * VMM_EXIT_SECCOMP.
 */
#ifndef BOARDVM_SECCOMP_H
#define BOARDVM_SECCOMP_H

#include <stdbool.h>
#include <stdio.h>

/* Status of a VMM that attempted a forbidden syscall. */
#define VMM_EXIT_SECCOMP	6

/* Options that need syscalls the board alone does not (before install). */
#define SECCOMP_OPT_API			0x1	/* --api-sock */
#define SECCOMP_OPT_CONSOLE_INPUT	0x2	/* a --serial with input */
#define SECCOMP_OPT_NET			0x4	/* a --net tap */
#define SECCOMP_OPT_VHOST		0x8	/* a --net ...,vhost=on */
void seccomp_set_options(unsigned options);

/* Install the board's filter on every thread. -1 with a message. */
int seccomp_install(void);

/* Has seccomp_install() put the filter in? */
bool seccomp_active(void);

/* The policy in words, one line per syscall or ioctl, and why. */
void seccomp_print_policy(FILE *out);

/*
 * --seccomp-selftest: socket(AF_UNIX), which only --vsock allows, then
 * socket(AF_INET), which nothing allows.
 */
void seccomp_selftest(void);

#endif
