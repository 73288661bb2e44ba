// SPDX-License-Identifier: MIT
/*
 * Device instances: one struct device per board_devices[] entry (same
 * index), created in board order with the environment the VMM (or a test)
 * gives them, reset together, destroyed in reverse order. The dispatcher
 * (dispatch.c) only looks them up; this file owns their lifetime.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "dispatch.h"
#include "instances.h"

struct device machine_devices[BOARD_NR_DEVICES];

/* A variable, not the macro: a board may have none (-Wtype-limits). */
static const unsigned nr_devices = BOARD_NR_DEVICES;

int machine_devices_create(const struct machine_env *env)
{
	int err = 0;

	for (unsigned i = 0; i < nr_devices; i++) {
		const struct board_device *desc = &board_devices[i];
		struct device *dev = &machine_devices[i];

		memset(dev, 0, sizeof(*dev));
		dev->desc = desc;
		dev->irq.set_level = env->irq_set_level;
		dev->irq.opaque = env->irq_opaque;
		dev->irq.gsi = desc->irq;
		dev->clock = env->clock;
		dev->host = env->host;
		if (!desc->ops)		/* in KVM, or nothing to run */
			continue;
		if (desc->ops->init)
			err = desc->ops->init(dev);
		if (err < 0) {
			fprintf(stderr, "boardvm: cannot create device %s (%s, "
				"%s): %s\n", desc->name, desc->type->name,
				desc->srcpos, strerror(-err));
			goto err_destroy;
		}
		dev->ops = desc->ops;
	}
	dispatch_handlers_fill();
	return 0;

err_destroy:
	machine_devices_destroy();
	return err;
}

void machine_devices_reset(void)
{
	for (unsigned i = 0; i < nr_devices; i++) {
		struct device *dev = &machine_devices[i];

		if (dev->ops && dev->ops->reset)
			dev->ops->reset(dev);
	}
}

struct device *machine_device(struct device_host *host, unsigned index)
{
	return index < nr_devices ? &machine_devices[index] : NULL;
}

bool machine_host_event(enum host_event event)
{
	for (unsigned i = 0; i < nr_devices; i++) {
		struct device *dev = &machine_devices[i];

		if (dev->ops && dev->ops->host_event &&
		    dev->ops->host_event(dev, event))
			return true;
	}
	return false;
}

/* In reverse order of creation; devices never created are skipped. */
void machine_devices_destroy(void)
{
	dispatch_handlers_clear();
	for (unsigned i = nr_devices; i-- > 0;) {
		struct device *dev = &machine_devices[i];

		if (dev->ops && dev->ops->destroy)
			dev->ops->destroy(dev);
		memset(dev, 0, sizeof(*dev));
	}
}

bool machine_has_pci_functions(void)
{
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		if (board_devices[i].type && board_devices[i].type->pci)
			return true;
	return false;
}
