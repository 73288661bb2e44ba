/* SPDX-License-Identifier: MIT */
/*
 * A PCI function's type-0 configuration header: what every PCI device
 * model embeds. It keeps the 256-byte config image with its writable-bit
 * mask, the capability list, and the BARs; BAR sizing (all-ones writes),
 * the command register's memory-decode bit and BAR moves are handled here
 * and reported to the VMM through host->pci_bar_update().
 *
 * boardc gives every PCI device one 32-bit memory BAR (BAR0): the device's
 * `mmio` block, placed inside the board's PCI window, its size the block
 * span rounded up to a power of two. The device model still sees offsets
 * into that block, wherever the guest moves it.
 */
#ifndef BOARDVM_PCI_H
#define BOARDVM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

#define PCI_CONFIG_SIZE		256
#define PCI_NR_BARS		6

/* Standard header offsets. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_COMMAND_IO		0x1
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_STATUS_INTERRUPT	0x08

#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_VNDR		0x09

struct pci_function {
	struct device *dev;
	uint8_t config[PCI_CONFIG_SIZE];	/* little-endian image */
	uint8_t wmask[PCI_CONFIG_SIZE];		/* guest-writable bits */
	uint64_t bar_size[PCI_NR_BARS];		/* 0: not implemented */
	uint64_t bar_base[PCI_NR_BARS];		/* as the guest programmed */
	bool bar_live[PCI_NR_BARS];		/* mapped in the dispatch maps */
	uint8_t last_cap;			/* tail of the capability list */
	uint8_t cap_end;			/* first free config byte */
};

struct pci_ids {
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code;		/* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint16_t subsystem_vendor;
	uint16_t subsystem;
};

/*
 * Set up the header: ids, INTx pin A (if the board wires an irq), BAR0 of
 * `bar0_size` bytes at the board's placement (dev->desc->mmio_base), memory
 * decoding on (as firmware would leave it), so a guest that does not
 * enumerate still finds the device at the board's address.
 */
void pci_function_init(struct pci_function *fn, struct device *dev,
		       const struct pci_ids *ids, uint64_t bar0_size);

/* Append a capability; `body` excludes the id/next bytes. Returns its offset. */
uint8_t pci_add_capability(struct pci_function *fn, uint8_t id,
			   const void *body, uint8_t body_len);

void pci_config_read(struct pci_function *fn, uint32_t offset, void *data,
		     unsigned len);
void pci_config_write(struct pci_function *fn, uint32_t offset,
		      const void *data, unsigned len);

/* The INTx line follows `level` unless the guest set INTX_DISABLE. */
void pci_set_intx(struct pci_function *fn, int level);

#endif
