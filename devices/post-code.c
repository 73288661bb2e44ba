// SPDX-License-Identifier: MIT
/*
 * POST code port (0x80): firmware progress codes and Linux's io_delay
 * writes land here. The last code written is kept; reads return it. The
 * default binding is coalesced, so writes usually arrive replayed in a
 * batch; only the last one matters. One atomic byte: safe from any vCPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "board-tables.h"
#include "device.h"
#include "post-code.h"

struct post_code {
	uint8_t last;			/* accessed with __atomic builtins */
};

uint8_t post_code_last(const struct device *dev)
{
	const struct post_code *pc = dev->state;

	return __atomic_load_n(&pc->last, __ATOMIC_RELAXED);
}

static void post_code_pio_write(struct device *dev, uint64_t offset,
				const void *data, unsigned len)
{
	struct post_code *pc = dev->state;

	/* A wide write is byte cycles at 0x80, 0x81...: the first is ours. */
	if (offset == 0)
		__atomic_store_n(&pc->last, *(const uint8_t *)data,
				 __ATOMIC_RELAXED);
}

static void post_code_pio_read(struct device *dev, uint64_t offset,
			       void *data, unsigned len)
{
	device_data_put(data, len, ~0ull);
	if (offset == 0)
		*(uint8_t *)data = post_code_last(dev);
}

static void post_code_reset(struct device *dev)
{
	struct post_code *pc = dev->state;

	__atomic_store_n(&pc->last, 0, __ATOMIC_RELAXED);
}

static int post_code_init(struct device *dev)
{
	dev->state = calloc(1, sizeof(struct post_code));
	if (!dev->state) {
		fprintf(stderr, "boardvm: %s: out of memory for post-code "
			"state\n", dev->desc->name);
		return -ENOMEM;
	}
	return 0;
}

static void post_code_destroy(struct device *dev)
{
	free(dev->state);
	dev->state = NULL;
}

const struct device_ops post_code_ops = {
	.init		= post_code_init,
	.reset		= post_code_reset,
	.destroy	= post_code_destroy,
	.pio_read	= post_code_pio_read,
	.pio_write	= post_code_pio_write,
};
