/* SPDX-License-Identifier: MIT */
/*
 * A PCI function's configuration space as its driver reaches it, for the
 * tests that drive one model alone (virtio-tests.c, net-tests.c): through
 * the model's own pci_config_read/write. The includer defines PCI_CFG_DEV,
 * the device under test, first.
 */
#ifndef BOARDVM_TESTS_PCI_CFG_H
#define BOARDVM_TESTS_PCI_CFG_H

#include <stdint.h>

#include "device.h"
#include "pci.h"

static inline uint64_t cfg_read(uint32_t off, unsigned len)
{
	uint8_t data[4] = { 0 };

	PCI_CFG_DEV->ops->pci_config_read(PCI_CFG_DEV, off, data, len);
	return device_data_get(data, len);
}

static inline void cfg_write(uint32_t off, uint64_t v, unsigned len)
{
	uint8_t data[4];

	device_data_put(data, len, v);
	PCI_CFG_DEV->ops->pci_config_write(PCI_CFG_DEV, off, data, len);
}

/* The offset of the MSI-X capability, 0 when there is none. */
static inline uint8_t msix_cap(void)
{
	for (uint8_t cap = cfg_read(PCI_CAPABILITY_LIST, 1); cap;
	     cap = cfg_read(cap + 1, 1))
		if (cfg_read(cap, 1) == PCI_CAP_ID_MSIX)
			return cap;
	return 0;
}

#endif
