/* SPDX-License-Identifier: MIT */
/* doorbell-demo: per-queue ring counts, for the VMM's --stats and tests. */
#ifndef BOARDVM_DOORBELL_DEMO_H
#define BOARDVM_DOORBELL_DEMO_H

#include <stdint.h>

struct device;

/* Rings of `queue` so far (0 for a queue the device does not have). */
uint64_t doorbell_demo_rings(struct device *dev, unsigned queue);
/* Rings with a queue number >= the `queues` property (ignored). */
uint64_t doorbell_demo_bad_rings(struct device *dev);

#endif
