/* SPDX-License-Identifier: MIT */
/*
 * Reading a board file, the same way for both front ends: a regular file,
 * or stdin when the name is "-" (positions then say "<stdin>"), at most
 * BOARD_INPUT_MAX bytes. Devices, folders and FIFOs are refused, so
 * `boardc /dev/zero` ends at once instead of reading forever.
 */
#ifndef BOARDC_INPUT_H
#define BOARDC_INPUT_H

#include <stddef.h>

/* 32 MiB: a real board is a few KiB; 65,536 devices are about 5 MiB. */
#define BOARD_INPUT_MAX		(32u << 20)

/*
 * Collections (YAML) or nodes (text syntax) nested deeper than this are
 * refused: a board needs 5 levels, and libyaml's time grows with the
 * square of the nesting.
 */
#define BOARD_NESTING_MAX	32

/* The name positions use: "<stdin>" for "-", the name otherwise. */
const char *input_name(const char *file);

/*
 * The whole file in a malloc'ed buffer (NUL-terminated, *len bytes before
 * the NUL), or NULL with *why set to a reason that completes "cannot
 * read 'FILE': ".
 */
unsigned char *input_read(const char *file, size_t *len, const char **why);

#endif
