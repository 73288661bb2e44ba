/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x MMIO transport ("Virtio Over MMIO", version 2, no legacy
 * version 1), for the same models as virtio-pci: a model's state embeds a
 * struct virtio_pci whatever the transport (it holds the feature, status
 * and queue state both share); virtio_pci_init() leaves the PCI parts out
 * when the device's type is not a PCI one, and these handlers decode the
 * MMIO register layout in its place (docs/virtio.md).
 *
 * The device's `mmio` block (0x200 bytes):
 *   +0x000 MagicValue "virt"   +0x004 Version 2   +0x008 DeviceID
 *   +0x00c VendorID  +0x010 DeviceFeatures  +0x014 DeviceFeaturesSel
 *   +0x020 DriverFeatures  +0x024 DriverFeaturesSel  +0x030 QueueSel
 *   +0x034 QueueNumMax  +0x038 QueueNum  +0x044 QueueReady
 *   +0x050 QueueNotify (the doorbell: value = queue)
 *   +0x060 InterruptStatus  +0x064 InterruptACK  +0x070 Status
 *   +0x080/0x084 QueueDesc  +0x090/0x094 QueueDriver (avail)
 *   +0x0a0/0x0a4 QueueDevice (used)  +0x0ac SHMSel  +0x0b0/0x0b4 SHMLen
 *   +0x0b8/0x0bc SHMBase  +0x0fc ConfigGeneration  +0x100 device config
 *
 * The interrupt is the device's board irq: raised with InterruptStatus
 * bits (used buffer, configuration change), lowered when InterruptACK
 * clears the last of them.
 */
#ifndef BOARDVM_VIRTIO_MMIO_H
#define BOARDVM_VIRTIO_MMIO_H

#include "virtio-pci.h"

#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW	0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100
#define VIRTIO_MMIO_SIZE		0x200

#define VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VERSION_2		2
#define VIRTIO_MMIO_VENDOR		0x1af4		/* the PCI transport's vendor id */

/* device_ops handlers shared by every virtio-mmio model. */
void virtio_mmio_read(struct device *dev, uint64_t offset, void *data,
		      unsigned len);
void virtio_mmio_write(struct device *dev, uint64_t offset,
		       const void *data, unsigned len);
/*
 * The async QueueNotify doorbell. With a datamatch the dispatcher replays
 * the write (the queue is known); without one the value is not, and every
 * enabled queue is served (a spurious notification is harmless).
 */
void virtio_mmio_notify(struct device *dev, unsigned reg, unsigned slot);

#endif
