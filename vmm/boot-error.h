/* SPDX-License-Identifier: MIT */
/*
 * The loaders' error reporting (boot-*.c, mptable.c): a message for the
 * caller's buffer, so the VMM prints it once with the option it concerns.
 */
#ifndef BOARDVM_BOOT_ERROR_H
#define BOARDVM_BOOT_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Formats into err (errlen bytes) and returns -1. */
static inline int __attribute__((format(printf, 3, 4)))
boot_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* x rounded up to a multiple of a (a power of two). */
static inline uint64_t boot_align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

#endif
