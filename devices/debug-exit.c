// SPDX-License-Identifier: MIT
/*
 * debug-exit: the guest writes a status and the VMM exits with it. Guest
 * tests end this way. Stateless, so safe from any vCPU; reads return
 * all-ones.
 */
#include "board-tables.h"
#include "device.h"

#define DEBUG_EXIT_STATUS_MASK	0xff	/* an exit status is one byte */

static void debug_exit_pio_write(struct device *dev, uint64_t offset,
				 const void *data, unsigned len)
{
	uint64_t value = device_data_get(data, len);

	if (dev->host && dev->host->request_exit)
		dev->host->request_exit(dev->host, HOST_EXIT_DEBUG,
					value & DEBUG_EXIT_STATUS_MASK);
}

static void debug_exit_pio_read(struct device *dev, uint64_t offset,
				void *data, unsigned len)
{
	device_data_put(data, len, ~0ull);
}

const struct device_ops debug_exit_ops = {
	.pio_read	= debug_exit_pio_read,
	.pio_write	= debug_exit_pio_write,
};
