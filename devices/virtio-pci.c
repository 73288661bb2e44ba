// SPDX-License-Identifier: MIT
/*
 * The virtio 1.x PCI transport: common configuration (feature
 * negotiation, device_status, queue setup), ISR, device configuration,
 * queue notifications, MSI-X (table, PBA, masking) and INTx. See
 * virtio-pci.h for the BAR0 layout and docs/virtio.md for the rules.
 *
 * Notifications: an async doorbell (ioeventfd) reaches notify() on the
 * I/O thread with slot = queue; a sync one reaches mmio_write() on the
 * vCPU that wrote it. Both serve the queue inline, on the thread that
 * delivered the notification, with the device's lock held.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "board-tables.h"
#include "virtio-pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040

/* struct virtio_pci_cap without the id/next bytes. */
#define VIRTIO_CAP_LEN		16
#define VIRTIO_NOTIFY_CAP_LEN	20

/* MSI-X capability: message control bits. */
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_ENTRY_SIZE		16
#define MSIX_VECTOR_MASKED	0x1


static struct virtio_pci *to_vp(struct device *dev)
{
	return dev->state;
}

void virtio_pci_lock(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
}

void virtio_pci_unlock(struct virtio_pci *vp)
{
	pthread_mutex_unlock(&vp->lock);
}

unsigned virtio_pci_counters(struct virtio_pci *vp, const char *const *names,
			     const uint64_t *count, unsigned nr,
			     struct device_counter *out, unsigned max)
{
	unsigned n;

	virtio_pci_lock(vp);
	for (n = 0; n < nr && n < max; n++)
		out[n] = (struct device_counter) { names[n], count[n] };
	virtio_pci_unlock(vp);
	return n;
}

bool virtio_pci_driver_ok(const struct virtio_pci *vp)
{
	return (vp->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vp->status & (VIRTIO_STATUS_NEEDS_RESET |
			       VIRTIO_STATUS_FAILED));
}

bool virtio_pci_has_feature(const struct virtio_pci *vp, unsigned bit)
{
	return bit < 64 && (vp->driver_features >> bit & 1);
}

/* Interrupts */

static uint16_t msix_control(const struct virtio_pci *vp)
{
	const uint8_t *c = &vp->fn.config[vp->msix_cap + 2];

	return vp->msix_cap ? (uint16_t)(c[0] | c[1] << 8) : 0;
}

static bool msix_enabled(const struct virtio_pci *vp)
{
	return msix_control(vp) & MSIX_CTRL_ENABLE;
}

static bool msix_masked(const struct virtio_pci *vp, unsigned vector)
{
	return (msix_control(vp) & MSIX_CTRL_MASKALL) ||
	       (vp->msix[vector].ctrl & MSIX_VECTOR_MASKED);
}

static void msix_deliver(struct virtio_pci *vp, unsigned vector)
{
	const struct virtio_msix_entry *e = &vp->msix[vector];
	struct device_host *host = vp->dev->host;

	if (host && host->signal_msi)
		host->signal_msi(host, vp->dev, vector,
				 (uint64_t)e->addr_hi << 32 | e->addr_lo,
				 e->data);
}

/* A vector may have become deliverable or not: tell the model. */
static void msix_changed(struct virtio_pci *vp)
{
	if (vp->model->msix_changed)
		vp->model->msix_changed(vp);
}

int virtio_pci_queue_irqfd(struct virtio_pci *vp, unsigned q)
{
	struct device_host *host = vp->dev->host;
	uint16_t vector = q < vp->model->nr_queues ? vp->vq[q].msix_vector
						   : VIRTIO_MSI_NO_VECTOR;
	const struct virtio_msix_entry *e;

	if (!host || !host->msi_irqfd || !msix_enabled(vp) ||
	    vector >= VIRTIO_MSIX_VECTORS || msix_masked(vp, vector))
		return -1;
	e = &vp->msix[vector];
	return host->msi_irqfd(host, vp->dev, vector,
			       (uint64_t)e->addr_hi << 32 | e->addr_lo,
			       e->data);
}

/* Deliver the pending vectors the guest has unmasked since. */
static void msix_flush_pending(struct virtio_pci *vp)
{
	if (!msix_enabled(vp))
		return;
	for (unsigned v = 0; v < VIRTIO_MSIX_VECTORS; v++) {
		if (!(vp->msix_pending >> v & 1) || msix_masked(vp, v))
			continue;
		vp->msix_pending &= ~(1u << v);
		msix_deliver(vp, v);
	}
}

/* INTx, or on virtio-mmio the device's board irq. */
static void virtio_intx(struct virtio_pci *vp, int level)
{
	if (vp->mmio)
		irq_line_set(&vp->dev->irq, level);
	else
		pci_set_intx(&vp->fn, level);
}

/* MSI-X `vector` when enabled (none for NO_VECTOR), else INTx + ISR. */
static void virtio_pci_raise(struct virtio_pci *vp, uint16_t vector,
			     uint8_t isr_bit)
{
	if (!msix_enabled(vp)) {
		vp->isr |= isr_bit;
		virtio_intx(vp, 1);
		return;
	}
	if (vector >= VIRTIO_MSIX_VECTORS)
		return;
	if (msix_masked(vp, vector))
		vp->msix_pending |= 1u << vector;
	else
		msix_deliver(vp, vector);
}

void virtio_pci_queue_raise(struct virtio_pci *vp, unsigned q)
{
	if (q < vp->model->nr_queues)
		virtio_pci_raise(vp, vp->vq[q].msix_vector, VIRTIO_ISR_QUEUE);
}

bool virtio_pci_queue_interrupt(struct virtio_pci *vp, unsigned q)
{
	struct virtq *vq = &vp->vq[q];

	if (q >= vp->model->nr_queues || !virtq_needs_interrupt(vq))
		return false;
	virtio_pci_raise(vp, vq->msix_vector, VIRTIO_ISR_QUEUE);
	return true;
}

void virtio_pci_set_broken(struct virtio_pci *vp, const char *why)
{
	if (vp->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	vp->broken_count++;
	vp->broken_reason = why;
	if (ratelimit_allow(&vp->log))
		fprintf(stderr, "boardvm: %s: the guest driver broke the device (%s); "
		"it needs a reset and serves no requests until then\n",
		vp->dev->desc ? vp->dev->desc->name : "virtio", why);
	if (vp->status & VIRTIO_STATUS_DRIVER_OK) {
		vp->config_generation++;
		virtio_pci_raise(vp, vp->config_vector, VIRTIO_ISR_CONFIG);
	}
}

/* Reset and status */

void virtio_pci_device_reset(struct virtio_pci *vp)
{
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->status = 0;
	vp->isr = 0;
	vp->queue_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	vp->msix_pending = 0;
	vp->broken_reason = NULL;
	for (unsigned q = 0; q < VIRTIO_PCI_MAX_QUEUES; q++)
		virtq_reset(&vp->vq[q], q < vp->model->nr_queues ?
			    vp->model->queue_max : 0);
	virtio_intx(vp, 0);
	if (vp->model->reset)
		vp->model->reset(vp);
}

static bool features_acceptable(const struct virtio_pci *vp)
{
	return !(vp->driver_features & ~vp->device_features) &&
	       virtio_pci_has_feature(vp, VIRTIO_F_VERSION_1);
}

void virtio_pci_queue_kick(struct virtio_pci *vp, unsigned q)
{
	if (q < vp->model->nr_queues && vp->vq[q].enabled &&
	    virtio_pci_driver_ok(vp) && vp->model->queue_notify)
		vp->model->queue_notify(vp, q);
}

void virtio_pci_status_write(struct virtio_pci *vp, uint8_t value)
{
	uint8_t old = vp->status;

	if (!value) {
		virtio_pci_device_reset(vp);
		return;
	}
	/* FEATURES_OK only sticks when the driver took a subset we offer. */
	if ((value & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(vp))
		value &= ~VIRTIO_STATUS_FEATURES_OK;
	/* DRIVER_OK without negotiated features is refused. */
	if (!(value & VIRTIO_STATUS_FEATURES_OK))
		value &= ~VIRTIO_STATUS_DRIVER_OK;
	vp->status = (value & ~VIRTIO_STATUS_NEEDS_RESET) |
		     (old & VIRTIO_STATUS_NEEDS_RESET);
	/* Buffers posted before DRIVER_OK are served now. */
	if ((vp->status & ~old) & VIRTIO_STATUS_DRIVER_OK)
		for (unsigned q = 0; q < vp->model->nr_queues; q++)
			virtio_pci_queue_kick(vp, q);
}

/* Common configuration */

static struct virtq *selected_queue(struct virtio_pci *vp)
{
	if (vp->queue_select >= vp->model->nr_queues)
		return NULL;
	return &vp->vq[vp->queue_select];
}

static uint16_t vector_accept(uint64_t v)
{
	return v < VIRTIO_MSIX_VECTORS ? v : VIRTIO_MSI_NO_VECTOR;
}

static void put_le(uint8_t *p, unsigned len, uint64_t v)
{
	device_data_put(p, len, v);
}

/* The common configuration structure as the driver reads it. */
static void common_image(struct virtio_pci *vp,
			 uint8_t img[VIRTIO_PCI_COMMON_SIZE])
{
	struct virtq *vq = selected_queue(vp);

	memset(img, 0, VIRTIO_PCI_COMMON_SIZE);
	put_le(img + VIRTIO_PCI_DFSELECT, 4, vp->dfselect);
	if (vp->dfselect < 2)
		put_le(img + VIRTIO_PCI_DF, 4,
		       vp->device_features >> (32 * vp->dfselect));
	put_le(img + VIRTIO_PCI_GFSELECT, 4, vp->gfselect);
	if (vp->gfselect < 2)
		put_le(img + VIRTIO_PCI_GF, 4,
		       vp->driver_features >> (32 * vp->gfselect));
	put_le(img + VIRTIO_PCI_MSIX_CONFIG, 2, vp->config_vector);
	put_le(img + VIRTIO_PCI_NUM_QUEUES, 2, vp->model->nr_queues);
	img[VIRTIO_PCI_STATUS] = vp->status;
	img[VIRTIO_PCI_CFG_GEN] = vp->config_generation;
	put_le(img + VIRTIO_PCI_Q_SELECT, 2, vp->queue_select);
	if (!vq)
		return;			/* size 0: no such queue */
	put_le(img + VIRTIO_PCI_Q_SIZE, 2, vq->size);
	put_le(img + VIRTIO_PCI_Q_MSIX, 2, vq->msix_vector);
	put_le(img + VIRTIO_PCI_Q_ENABLE, 2, vq->enabled);
	put_le(img + VIRTIO_PCI_Q_NOFF, 2, vp->queue_select);
	put_le(img + VIRTIO_PCI_Q_DESCLO, 8, vq->desc_gpa);
	put_le(img + VIRTIO_PCI_Q_AVAILLO, 8, vq->avail_gpa);
	put_le(img + VIRTIO_PCI_Q_USEDLO, 8, vq->used_gpa);
}

static void set_half(uint64_t *v, unsigned half, uint32_t value)
{
	unsigned shift = 32 * half;

	*v = (*v & ~(0xffffffffull << shift)) | (uint64_t)value << shift;
}

void virtio_pci_queue_enable(struct virtio_pci *vp, struct virtq *vq)
{
	const struct guest_ram *ram = vp->dev->host ? vp->dev->host->ram :
						      NULL;

	vq->event_idx = virtio_pci_has_feature(vp, VIRTIO_F_EVENT_IDX);
	if (virtq_start(vq, ram) < 0)
		virtio_pci_set_broken(vp, vq->error);
}

/* A queue's registers are writable until the queue is enabled. */
static void queue_field_write(struct virtio_pci *vp, unsigned field,
			      uint64_t v)
{
	struct virtq *vq = selected_queue(vp);

	if (!vq)
		return;
	if (field == VIRTIO_PCI_Q_MSIX) {
		vq->msix_vector = vector_accept(v);
		msix_changed(vp);
		return;
	}
	if (vq->enabled)
		return;
	switch (field) {
	case VIRTIO_PCI_Q_SIZE:
		vq->size = v;
		break;
	case VIRTIO_PCI_Q_ENABLE:
		if (v == 1)
			virtio_pci_queue_enable(vp, vq);
		break;
	case VIRTIO_PCI_Q_DESCLO:
	case VIRTIO_PCI_Q_DESCHI:
		set_half(&vq->desc_gpa, field == VIRTIO_PCI_Q_DESCHI, v);
		break;
	case VIRTIO_PCI_Q_AVAILLO:
	case VIRTIO_PCI_Q_AVAILHI:
		set_half(&vq->avail_gpa, field == VIRTIO_PCI_Q_AVAILHI, v);
		break;
	case VIRTIO_PCI_Q_USEDLO:
	case VIRTIO_PCI_Q_USEDHI:
		set_half(&vq->used_gpa, field == VIRTIO_PCI_Q_USEDHI, v);
		break;
	}
}

static void common_field_write(struct virtio_pci *vp, unsigned field,
			       uint64_t v)
{
	switch (field) {
	case VIRTIO_PCI_DFSELECT:
		vp->dfselect = v;
		break;
	case VIRTIO_PCI_GFSELECT:
		vp->gfselect = v;
		break;
	case VIRTIO_PCI_GF:
		if (vp->gfselect < 2 &&
		    !(vp->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&vp->driver_features, vp->gfselect, v);
		break;
	case VIRTIO_PCI_MSIX_CONFIG:
		vp->config_vector = vector_accept(v);
		break;
	case VIRTIO_PCI_STATUS:
		virtio_pci_status_write(vp, v);
		break;
	case VIRTIO_PCI_Q_SELECT:
		vp->queue_select = v;
		break;
	default:
		queue_field_write(vp, field, v);
		break;
	}
}

/* The writable fields, in address order: offset and width. */
static const struct {
	uint8_t offset, size;
} common_fields[] = {
	{ VIRTIO_PCI_DFSELECT, 4 }, { VIRTIO_PCI_GFSELECT, 4 },
	{ VIRTIO_PCI_GF, 4 }, { VIRTIO_PCI_MSIX_CONFIG, 2 },
	{ VIRTIO_PCI_STATUS, 1 }, { VIRTIO_PCI_Q_SELECT, 2 },
	{ VIRTIO_PCI_Q_SIZE, 2 }, { VIRTIO_PCI_Q_MSIX, 2 },
	{ VIRTIO_PCI_Q_ENABLE, 2 }, { VIRTIO_PCI_Q_DESCLO, 4 },
	{ VIRTIO_PCI_Q_DESCHI, 4 }, { VIRTIO_PCI_Q_AVAILLO, 4 },
	{ VIRTIO_PCI_Q_AVAILHI, 4 }, { VIRTIO_PCI_Q_USEDLO, 4 },
	{ VIRTIO_PCI_Q_USEDHI, 4 },
};

/*
 * Merge the written bytes into the current image, then apply every
 * writable field the write touched, lowest first: a 64-bit write of
 * queue_desc sets both halves, a partial write keeps the other bytes.
 * The queue fields are re-read after queue_select changes.
 */
static void common_write(struct virtio_pci *vp, uint64_t offset,
			 const uint8_t *data, unsigned len)
{
	uint8_t img[VIRTIO_PCI_COMMON_SIZE];

	for (unsigned i = 0; i < ARRAY_SIZE(common_fields); i++) {
		unsigned f = common_fields[i].offset;
		unsigned size = common_fields[i].size;

		if (offset >= f + size || offset + len <= f)
			continue;
		common_image(vp, img);
		for (unsigned b = 0; b < len; b++)
			if (offset + b >= f && offset + b < f + size)
				img[offset + b] = data[b];
		common_field_write(vp, f, device_data_get(img + f, size));
	}
}

/* MSI-X table and PBA */

static void msix_table_read(struct virtio_pci *vp, uint64_t off,
			    uint8_t *data, unsigned len)
{
	for (unsigned i = 0; i < len; i++, off++) {
		const struct virtio_msix_entry *e;
		uint32_t word;

		if (off >= VIRTIO_MSIX_VECTORS * MSIX_ENTRY_SIZE) {
			data[i] = 0;
			continue;
		}
		e = &vp->msix[off / MSIX_ENTRY_SIZE];
		switch (off % MSIX_ENTRY_SIZE / 4) {
		case 0: word = e->addr_lo; break;
		case 1: word = e->addr_hi; break;
		case 2: word = e->data; break;
		default: word = e->ctrl; break;
		}
		data[i] = word >> (8 * (off % 4));
	}
}

static void msix_table_write(struct virtio_pci *vp, uint64_t off,
			     const uint8_t *data, unsigned len)
{
	for (unsigned i = 0; i < len; i++, off++) {
		struct virtio_msix_entry *e;
		uint32_t *word, shift = 8 * (off % 4);

		if (off >= VIRTIO_MSIX_VECTORS * MSIX_ENTRY_SIZE)
			continue;
		e = &vp->msix[off / MSIX_ENTRY_SIZE];
		switch (off % MSIX_ENTRY_SIZE / 4) {
		case 0: word = &e->addr_lo; break;
		case 1: word = &e->addr_hi; break;
		case 2: word = &e->data; break;
		default: word = &e->ctrl; break;
		}
		*word = (*word & ~(0xffu << shift)) | (uint32_t)data[i] << shift;
	}
	msix_flush_pending(vp);
	msix_changed(vp);
}

/* BAR0 accesses */

static void device_cfg_read(struct virtio_pci *vp, uint64_t off,
			    uint8_t *data, unsigned len)
{
	memset(data, 0, len);
	if (vp->model->config_read && off + len <= vp->model->config_size)
		vp->model->config_read(vp, off, data, len);
}

void virtio_pci_mmio_read(struct device *dev, uint64_t offset, void *data,
			  unsigned len)
{
	struct virtio_pci *vp = to_vp(dev);
	uint8_t img[VIRTIO_PCI_COMMON_SIZE];
	uint8_t *p = data;

	virtio_pci_lock(vp);
	if (offset + len <= VIRTIO_PCI_COMMON + VIRTIO_PCI_COMMON_SIZE) {
		common_image(vp, img);
		memcpy(p, img + offset, len);
	} else if (offset >= VIRTIO_PCI_ISR &&
		   offset < VIRTIO_PCI_ISR + VIRTIO_PCI_ISR_SIZE) {
		/* Reading the ISR clears it and lowers INTx. */
		memset(p, 0, len);
		if (offset == VIRTIO_PCI_ISR) {
			p[0] = vp->isr;
			vp->isr = 0;
			pci_set_intx(&vp->fn, 0);
		}
	} else if (offset >= VIRTIO_PCI_DEVICE &&
		   offset < VIRTIO_PCI_DEVICE + VIRTIO_PCI_DEVICE_SIZE) {
		device_cfg_read(vp, offset - VIRTIO_PCI_DEVICE, p, len);
	} else if (offset >= VIRTIO_PCI_NOTIFY &&
		   offset < VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_SIZE) {
		memset(p, 0, len);
	} else if (offset >= VIRTIO_PCI_MSIX_TABLE &&
		   offset < VIRTIO_PCI_MSIX_PBA) {
		msix_table_read(vp, offset - VIRTIO_PCI_MSIX_TABLE, p, len);
	} else if (offset >= VIRTIO_PCI_MSIX_PBA &&
		   offset + len <= VIRTIO_PCI_MSIX_PBA + 8) {
		device_data_put(p, len, (uint64_t)vp->msix_pending >>
				(8 * (offset - VIRTIO_PCI_MSIX_PBA)));
	}
	virtio_pci_unlock(vp);
}

void virtio_pci_mmio_write(struct device *dev, uint64_t offset,
			   const void *data, unsigned len)
{
	struct virtio_pci *vp = to_vp(dev);

	virtio_pci_lock(vp);
	if (offset + len <= VIRTIO_PCI_COMMON + VIRTIO_PCI_COMMON_SIZE) {
		common_write(vp, offset, data, len);
	} else if (offset >= VIRTIO_PCI_DEVICE &&
		   offset < VIRTIO_PCI_DEVICE + VIRTIO_PCI_DEVICE_SIZE) {
		uint64_t off = offset - VIRTIO_PCI_DEVICE;

		if (vp->model->config_write &&
		    off + len <= vp->model->config_size)
			vp->model->config_write(vp, off, data, len);
	} else if (offset >= VIRTIO_PCI_NOTIFY &&
		   offset < VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_SIZE) {
		virtio_pci_queue_kick(vp, (offset - VIRTIO_PCI_NOTIFY) /
			   VIRTIO_PCI_NOTIFY_MULT);
	} else if (offset >= VIRTIO_PCI_MSIX_TABLE &&
		   offset < VIRTIO_PCI_MSIX_PBA) {
		msix_table_write(vp, offset - VIRTIO_PCI_MSIX_TABLE, data,
				 len);
	}
	virtio_pci_unlock(vp);
}

/* The async doorbell: `slot` is the queue (notify_off = q, width 2). */
void virtio_pci_notify(struct device *dev, unsigned reg, unsigned slot)
{
	struct virtio_pci *vp = to_vp(dev);

	virtio_pci_lock(vp);
	virtio_pci_queue_kick(vp, slot);
	virtio_pci_unlock(vp);
}

void virtio_pci_reset(struct device *dev)
{
	struct virtio_pci *vp = to_vp(dev);

	virtio_pci_lock(vp);
	virtio_pci_device_reset(vp);
	virtio_pci_unlock(vp);
}

void virtio_pci_config_read(struct device *dev, uint32_t offset, void *data,
			    unsigned len)
{
	struct virtio_pci *vp = to_vp(dev);

	virtio_pci_lock(vp);
	pci_config_read(&vp->fn, offset, data, len);
	virtio_pci_unlock(vp);
}

void virtio_pci_config_write(struct device *dev, uint32_t offset,
			     const void *data, unsigned len)
{
	struct virtio_pci *vp = to_vp(dev);

	virtio_pci_lock(vp);
	pci_config_write(&vp->fn, offset, data, len);
	/* Clearing the MSI-X function mask releases pending vectors. */
	msix_flush_pending(vp);
	msix_changed(vp);
	virtio_pci_unlock(vp);
}

/* Capabilities and set-up */

static void add_virtio_cap(struct virtio_pci *vp, uint8_t cfg_type,
			   uint32_t offset, uint32_t length)
{
	uint8_t body[VIRTIO_NOTIFY_CAP_LEN - 2] = { 0 };
	bool notify = cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG;
	uint8_t cap_len = notify ? VIRTIO_NOTIFY_CAP_LEN : VIRTIO_CAP_LEN;

	body[0] = cap_len;
	body[1] = cfg_type;
	body[2] = 0;			/* BAR0 */
	put_le(body + 6, 4, offset);
	put_le(body + 10, 4, length);
	if (notify)
		put_le(body + 14, 4, VIRTIO_PCI_NOTIFY_MULT);
	pci_add_capability(&vp->fn, PCI_CAP_ID_VNDR, body, cap_len - 2);
}

static void add_msix_cap(struct virtio_pci *vp)
{
	uint8_t body[10];

	put_le(body, 2, VIRTIO_MSIX_VECTORS - 1);	/* table size - 1 */
	put_le(body + 2, 4, VIRTIO_PCI_MSIX_TABLE);	/* BIR 0 */
	put_le(body + 6, 4, VIRTIO_PCI_MSIX_PBA);	/* BIR 0 */
	vp->msix_cap = pci_add_capability(&vp->fn, PCI_CAP_ID_MSIX, body,
					  sizeof(body));
	/* Enable and function mask are the guest's to set. */
	if (vp->msix_cap)
		vp->fn.wmask[vp->msix_cap + 3] |= (MSIX_CTRL_ENABLE |
						   MSIX_CTRL_MASKALL) >> 8;
}

/* BAR0 as boardc sized it (the block span, a power of two), at least ours. */
static uint64_t virtio_bar_size(const struct device *dev)
{
	uint64_t size = dev->desc ? dev->desc->bar_size : 0;

	return size > VIRTIO_PCI_BAR_SIZE ? size : VIRTIO_PCI_BAR_SIZE;
}

int virtio_pci_init(struct virtio_pci *vp, struct device *dev,
		    const struct virtio_model *model, uint64_t features)
{
	struct pci_ids ids = {
		.vendor = VIRTIO_PCI_VENDOR,
		.device = VIRTIO_PCI_DEVICE_BASE + model->device_id,
		.class_code = model->class_code,
		.revision = 1,
		.subsystem_vendor = VIRTIO_PCI_VENDOR,
		.subsystem = model->device_id,
	};

	if (model->nr_queues > VIRTIO_PCI_MAX_QUEUES ||
	    model->queue_max > VIRTQ_MAX_SIZE)
		return -EINVAL;
	memset(vp, 0, sizeof(*vp));
	vp->dev = dev;
	vp->model = model;
	vp->device_features = features | 1ull << VIRTIO_F_VERSION_1;
	vp->mmio = dev->desc && dev->desc->type && !dev->desc->type->pci;
	pthread_mutex_init(&vp->lock, NULL);
	ratelimit_init(&vp->log, dev->desc ? dev->desc->name : "virtio");
	if (vp->mmio) {
		virtio_pci_device_reset(vp);
		return 0;
	}
	pci_function_init(&vp->fn, dev, &ids, virtio_bar_size(dev));
	add_virtio_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON,
		       VIRTIO_PCI_COMMON_SIZE);
	add_virtio_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY,
		       VIRTIO_PCI_NOTIFY_SIZE);
	add_virtio_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR,
		       VIRTIO_PCI_ISR_SIZE);
	add_virtio_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE,
		       VIRTIO_PCI_DEVICE_SIZE);
	add_msix_cap(vp);
	for (unsigned v = 0; v < VIRTIO_MSIX_VECTORS; v++)
		vp->msix[v].ctrl = MSIX_VECTOR_MASKED;
	virtio_pci_device_reset(vp);
	return 0;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	ratelimit_forget(&vp->log);
	pthread_mutex_destroy(&vp->lock);
}
