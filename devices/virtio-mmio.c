// SPDX-License-Identifier: MIT
/*
 * The virtio 1.x MMIO transport, version 2: the register decode over the
 * state virtio-pci.c keeps (feature negotiation, device_status, queues,
 * the ISR), so a model is the same code on either transport. See
 * virtio-mmio.h for the layout and docs/virtio.md for the rules.
 *
 * Registers below the device configuration are 32 bits wide (virtio 1.x
 * 4.2.2.2: the driver uses 32-bit aligned accesses); another size or an
 * unaligned offset reads as 0 and writes are dropped. The device
 * configuration at +0x100 takes any width, like virtio-pci's.
 */
#include <string.h>

#include "virtio-mmio.h"

static struct virtio_pci *to_vp(struct device *dev)
{
	return dev->state;
}

static struct virtq *selected_queue(struct virtio_pci *vp)
{
	if (vp->queue_select >= vp->model->nr_queues)
		return NULL;
	return &vp->vq[vp->queue_select];
}

static uint32_t features_word(uint64_t features, uint32_t select)
{
	return select < 2 ? (uint32_t)(features >> (32 * select)) : 0;
}

static uint32_t queue_reg_read(struct virtio_pci *vp, uint64_t offset)
{
	struct virtq *vq = selected_queue(vp);

	if (!vq)
		return 0;		/* QueueNumMax 0: no such queue */
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq->max_size;
	case VIRTIO_MMIO_QUEUE_NUM:
		return vq->size;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq->enabled;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return (uint32_t)vq->desc_gpa;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return vq->desc_gpa >> 32;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		return (uint32_t)vq->avail_gpa;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		return vq->avail_gpa >> 32;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		return (uint32_t)vq->used_gpa;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return vq->used_gpa >> 32;
	}
	return 0;
}

static uint32_t reg_read(struct virtio_pci *vp, uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vp->model->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return features_word(vp->device_features, vp->dfselect);
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return vp->isr;
	case VIRTIO_MMIO_STATUS:
		return vp->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffff;	/* no shared memory regions */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vp->config_generation;
	}
	return queue_reg_read(vp, offset);
}

static void set_half(uint64_t *v, bool high, uint32_t value)
{
	unsigned shift = high ? 32 : 0;

	*v = (*v & ~(0xffffffffull << shift)) | (uint64_t)value << shift;
}

/* QueueReady 0 stops the queue (the driver deleting it); 1 starts it. */
static void queue_ready_write(struct virtio_pci *vp, struct virtq *vq,
			      uint32_t v)
{
	if (!v)
		vq->enabled = false;
	else if (!vq->enabled)
		virtio_pci_queue_enable(vp, vq);
}

/* A queue's registers are writable until the queue is enabled. */
static void queue_reg_write(struct virtio_pci *vp, uint64_t offset,
			    uint32_t v)
{
	struct virtq *vq = selected_queue(vp);

	if (!vq)
		return;
	if (offset == VIRTIO_MMIO_QUEUE_READY) {
		queue_ready_write(vp, vq, v);
		return;
	}
	if (vq->enabled)
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		vq->size = v > 0xffff ? 0 : v;	/* 0: refused at QueueReady */
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&vq->desc_gpa,
			 offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_half(&vq->avail_gpa,
			 offset == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_half(&vq->used_gpa,
			 offset == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	}
}

/* InterruptACK: clear the bits written; the line drops with the last. */
static void interrupt_ack(struct virtio_pci *vp, uint32_t v)
{
	vp->isr &= ~v;
	if (!vp->isr)
		irq_line_set(&vp->dev->irq, 0);
}

static void reg_write(struct virtio_pci *vp, uint64_t offset, uint32_t v)
{
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vp->dfselect = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (vp->gfselect < 2 &&
		    !(vp->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&vp->driver_features, vp->gfselect, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vp->gfselect = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vp->queue_select = v > 0xffff ? 0xffff : v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		virtio_pci_queue_kick(vp, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		interrupt_ack(vp, v);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_pci_status_write(vp, (uint8_t)v);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		break;
	default:
		queue_reg_write(vp, offset, v);
		break;
	}
}

static bool reg_access_ok(uint64_t offset, unsigned len)
{
	return len == 4 && !(offset & 3);
}

void virtio_mmio_read(struct device *dev, uint64_t offset, void *data,
		      unsigned len)
{
	struct virtio_pci *vp = to_vp(dev);
	uint64_t off = offset - VIRTIO_MMIO_CONFIG;

	memset(data, 0, len);
	virtio_pci_lock(vp);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (vp->model->config_read && off < VIRTIO_MMIO_SIZE &&
		    off + len <= vp->model->config_size)
			vp->model->config_read(vp, off, data, len);
	} else if (reg_access_ok(offset, len)) {
		device_data_put(data, 4, reg_read(vp, offset));
	}
	virtio_pci_unlock(vp);
}

void virtio_mmio_write(struct device *dev, uint64_t offset,
		       const void *data, unsigned len)
{
	struct virtio_pci *vp = to_vp(dev);
	uint64_t off = offset - VIRTIO_MMIO_CONFIG;

	virtio_pci_lock(vp);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (vp->model->config_write && off < VIRTIO_MMIO_SIZE &&
		    off + len <= vp->model->config_size)
			vp->model->config_write(vp, off, data, len);
	} else if (reg_access_ok(offset, len)) {
		reg_write(vp, offset, (uint32_t)device_data_get(data, 4));
	}
	virtio_pci_unlock(vp);
}

void virtio_mmio_notify(struct device *dev, unsigned reg, unsigned slot)
{
	struct virtio_pci *vp = to_vp(dev);

	virtio_pci_lock(vp);
	for (unsigned q = 0; q < vp->model->nr_queues; q++)
		virtio_pci_queue_kick(vp, q);
	virtio_pci_unlock(vp);
}
