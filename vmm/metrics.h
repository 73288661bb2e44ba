/* SPDX-License-Identifier: MIT */
/*
 * --metrics PATH and PUT /metrics (vmm/metrics.c): one JSON object per
 * line per flush, Firecracker-style, to a file or a FIFO.
 */
#ifndef BOARDVM_METRICS_H
#define BOARDVM_METRICS_H

#include <stddef.h>

struct vm;

#define METRICS_INTERVAL_MS	60000	/* Firecracker flushes every 60 s */

/* Open PATH (appended; a FIFO never blocks); -1 with `err`. */
int metrics_open(const char *path, unsigned interval_ms, char *err,
		 size_t size);
/* The flushing thread, before the sandbox; stop flushes a last time. */
int metrics_start(void);
void metrics_stop(void);
void metrics_attach_vm(struct vm *vm);
/* FlushMetrics: one object now; -1 when no --metrics/PUT /metrics. */
int metrics_flush(char *err, size_t size);

#endif
