// SPDX-License-Identifier: MIT
/*
 * Helpers every device model shares: property lookup on the resolved
 * table that boardc emitted (defaults already filled in, so a property the
 * schema declares is always there).
 */
#include <string.h>

#include "board-tables.h"
#include "device.h"

const struct board_prop *device_prop(const struct device *dev,
				     const char *name)
{
	const struct board_device *desc = dev->desc;

	if (!desc)
		return NULL;
	for (unsigned i = 0; i < desc->nr_props; i++)
		if (!strcmp(desc->props[i].name, name))
			return &desc->props[i];
	return NULL;
}

/* The number (or bool) value of a property; 0 when the board has none. */
uint64_t device_prop_number(const struct device *dev, const char *name)
{
	const struct board_prop *prop = device_prop(dev, name);

	return prop ? prop->number : 0;
}
