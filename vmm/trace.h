/* SPDX-License-Identifier: MIT */
/*
 * --trace-io[=NAMES] and PUT /board/trace: which regions the I/O trace
 * shows (device or region names, comma-separated; none: every access),
 * text or JSON lines (vmm/trace.c; the lines are written by dispatch.c).
 */
#ifndef BOARDVM_TRACE_H
#define BOARDVM_TRACE_H

#include <stdbool.h>
#include <stddef.h>

struct vm;

/* The filter for NAMES (NULL or "": everything); -1 with `err` set. */
int trace_set_filter(const char *names, char *err, size_t size);
/* Trace on or off in every vCPU and the I/O thread of a running VM. */
int trace_configure(struct vm *vm, bool on, const char *names, bool json,
		    char *err, size_t size);
bool trace_json(void);
void trace_free(void);

#endif
