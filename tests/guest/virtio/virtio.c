// SPDX-License-Identifier: MIT
/*
 * The virtio-pci modern transport and split virtqueues (virtio 1.x, "Virtio
 * Over PCI Bus" and "Split Virtqueues"), driven from a flat 32-bit guest.
 */
#include "virtio.h"

/* virtio_pci_cap, after the generic id/next bytes. */
#define VIRTIO_CAP_LEN		2
#define VIRTIO_CAP_CFG_TYPE	3
#define VIRTIO_CAP_BAR		4
#define VIRTIO_CAP_OFFSET	8
#define VIRTIO_CAP_LENGTH	12
#define VIRTIO_CAP_NOTIFY_MULT	16	/* virtio_pci_notify_cap only */

#define VIRTIO_POLL_MAX		4000000
#define MSI_ADDR_BASE		0xfee00000u	/* APIC ID 0, physical */

/* --- freestanding helpers (gcc may emit calls to these) --------------- */

void *memset(void *s, int c, size_t n)
{
	volatile uint8_t *p = s;

	while (n--)
		*p++ = c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* --- capabilities ----------------------------------------------------- */

/* Record one vendor capability's region (BAR0 only: our devices' contract). */
static void virtio_take_cap(struct virtio_dev *d, uint8_t cap)
{
	const struct pci_fn *f = &d->pci;
	uint8_t type = pci_read8(f, cap + VIRTIO_CAP_CFG_TYPE);
	uint32_t off = pci_read32(f, cap + VIRTIO_CAP_OFFSET);

	if (pci_read8(f, cap + VIRTIO_CAP_BAR) != 0)
		return;
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		d->common = off;
		break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		d->notify = off;
		d->notify_mult = pci_read32(f, cap + VIRTIO_CAP_NOTIFY_MULT);
		break;
	case VIRTIO_PCI_CAP_ISR_CFG:
		d->isr = off;
		break;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		d->device = off;
		break;
	}
}

static void virtio_find_caps(struct virtio_dev *d)
{
	const uint32_t none = 0xffffffff;
	uint8_t cap = 0;

	d->common = d->isr = d->device = d->notify = none;
	while ((cap = pci_find_cap(&d->pci, PCI_CAP_ID_VNDR, cap)))
		virtio_take_cap(d, cap);
	GUEST_ASSERT(d->common != none && d->notify != none);
	GUEST_ASSERT(d->isr != none && d->device != none);

	d->msix_cap = pci_find_cap(&d->pci, PCI_CAP_ID_MSIX, 0);
	if (d->msix_cap) {
		uint32_t table = pci_read32(&d->pci,
					    d->msix_cap + PCI_MSIX_TABLE);

		GUEST_ASSERT_EQ(table & PCI_MSIX_BIR_MASK, 0);
		d->msix_table = table & ~PCI_MSIX_BIR_MASK;
		d->msix_size = (pci_read16(&d->pci, d->msix_cap +
					   PCI_MSIX_FLAGS) &
				PCI_MSIX_FLAGS_QSIZE) + 1;
	}
}

void virtio_probe(struct virtio_dev *d, uint16_t device_id, unsigned nth)
{
	uint16_t cmd;

	memset(d, 0, sizeof(*d));
	GUEST_ASSERT(pci_find(PCI_VENDOR_VIRTIO, device_id, nth, &d->pci));
	d->bar0_size = pci_bar_size(&d->pci, 0);
	GUEST_ASSERT(d->bar0_size != 0);
	d->bar0 = pci_bar_base(&d->pci, 0);
	virtio_find_caps(d);
	cmd = pci_read16(&d->pci, PCI_COMMAND);
	pci_write16(&d->pci, PCI_COMMAND,
		    cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void virtio_move_bar(struct virtio_dev *d, uint32_t base)
{
	pci_bar_set(&d->pci, 0, base);
	d->bar0 = pci_bar_base(&d->pci, 0);
}

/* --- region accessors ------------------------------------------------- */

uint8_t virtio_common_read8(struct virtio_dev *d, uint32_t off)
{
	return mmio_read8(d->bar0 + d->common + off);
}

uint16_t virtio_common_read16(struct virtio_dev *d, uint32_t off)
{
	return mmio_read16(d->bar0 + d->common + off);
}

uint32_t virtio_common_read32(struct virtio_dev *d, uint32_t off)
{
	return mmio_read32(d->bar0 + d->common + off);
}

void virtio_common_write8(struct virtio_dev *d, uint32_t off, uint8_t v)
{
	mmio_write8(d->bar0 + d->common + off, v);
}

void virtio_common_write16(struct virtio_dev *d, uint32_t off, uint16_t v)
{
	mmio_write16(d->bar0 + d->common + off, v);
}

void virtio_common_write32(struct virtio_dev *d, uint32_t off, uint32_t v)
{
	mmio_write32(d->bar0 + d->common + off, v);
}

/* 64-bit fields of common config as two 32-bit writes, low first. */
static void virtio_common_write64(struct virtio_dev *d, uint32_t off,
				  uint64_t v)
{
	virtio_common_write32(d, off, v);
	virtio_common_write32(d, off + 4, v >> 32);
}

uint8_t virtio_config_read8(struct virtio_dev *d, uint32_t off)
{
	return mmio_read8(d->bar0 + d->device + off);
}

uint32_t virtio_config_read32(struct virtio_dev *d, uint32_t off)
{
	return mmio_read32(d->bar0 + d->device + off);
}

/* A consistent read across config_generation, as the spec asks. */
uint64_t virtio_config_read64(struct virtio_dev *d, uint32_t off)
{
	uint8_t gen;
	uint64_t v;

	do {
		gen = virtio_common_read8(d, VIRTIO_COMMON_CFGGENERATION);
		v = virtio_config_read32(d, off) |
		    (uint64_t)virtio_config_read32(d, off + 4) << 32;
	} while (gen != virtio_common_read8(d, VIRTIO_COMMON_CFGGENERATION));
	return v;
}

uint8_t virtio_isr_read(struct virtio_dev *d)
{
	return mmio_read8(d->bar0 + d->isr);
}

uint64_t virtio_device_features(struct virtio_dev *d)
{
	uint64_t lo, hi;

	virtio_common_write32(d, VIRTIO_COMMON_DFSELECT, 0);
	lo = virtio_common_read32(d, VIRTIO_COMMON_DF);
	virtio_common_write32(d, VIRTIO_COMMON_DFSELECT, 1);
	hi = virtio_common_read32(d, VIRTIO_COMMON_DF);
	return lo | hi << 32;
}

/* --- initialisation (spec 3.1.1, driver requirements) ---------------- */

void virtio_reset(struct virtio_dev *d)
{
	virtio_common_write8(d, VIRTIO_COMMON_STATUS, 0);
	for (int i = 0; i < VIRTIO_POLL_MAX; i++)
		if (virtio_common_read8(d, VIRTIO_COMMON_STATUS) == 0)
			return;
	GUEST_ASSERT(!"device status back to 0 after reset");
}

static void virtio_add_status(struct virtio_dev *d, uint8_t bits)
{
	uint8_t s = virtio_common_read8(d, VIRTIO_COMMON_STATUS);

	virtio_common_write8(d, VIRTIO_COMMON_STATUS, s | bits);
}

uint64_t virtio_init(struct virtio_dev *d, uint64_t wanted)
{
	uint64_t offered;

	virtio_reset(d);
	virtio_add_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_add_status(d, VIRTIO_STATUS_DRIVER);
	offered = virtio_device_features(d);
	GUEST_ASSERT(offered & VIRTIO_F_BIT(VIRTIO_F_VERSION_1));
	d->features = offered & (wanted | VIRTIO_F_BIT(VIRTIO_F_VERSION_1));
	virtio_common_write32(d, VIRTIO_COMMON_GFSELECT, 0);
	virtio_common_write32(d, VIRTIO_COMMON_GF, d->features);
	virtio_common_write32(d, VIRTIO_COMMON_GFSELECT, 1);
	virtio_common_write32(d, VIRTIO_COMMON_GF, d->features >> 32);
	virtio_add_status(d, VIRTIO_STATUS_FEATURES_OK);
	GUEST_ASSERT(virtio_common_read8(d, VIRTIO_COMMON_STATUS) &
		     VIRTIO_STATUS_FEATURES_OK);
	return d->features;
}

void virtio_driver_ok(struct virtio_dev *d)
{
	virtio_add_status(d, VIRTIO_STATUS_DRIVER_OK);
	GUEST_ASSERT(!(virtio_common_read8(d, VIRTIO_COMMON_STATUS) &
		       (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)));
}

void virtio_setup_queue(struct virtio_dev *d, unsigned q,
			struct virtq_mem *mem, uint16_t size, uint16_t vector)
{
	struct virtq *vq = &d->vq[q];
	uint16_t max;

	GUEST_ASSERT(q < VIRTIO_MAX_QUEUES);
	GUEST_ASSERT(q < virtio_common_read16(d, VIRTIO_COMMON_NUMQ));
	virtio_common_write16(d, VIRTIO_COMMON_Q_SELECT, q);
	GUEST_ASSERT_EQ(virtio_common_read16(d, VIRTIO_COMMON_Q_ENABLE), 0);
	max = virtio_common_read16(d, VIRTIO_COMMON_Q_SIZE);
	GUEST_ASSERT(max != 0);
	if (size > max)
		size = max;
	if (size > VIRTQ_MAX)
		size = VIRTQ_MAX;
	while (size & (size - 1))	/* split rings: a power of two */
		size &= size - 1;

	memset(mem, 0, sizeof(*mem));
	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->index = q;
	vq->size = size;
	vq->num_free = size;
	for (uint16_t i = 0; i < size; i++)
		mem->desc[i].next = i + 1;
	/* Our rings are laid out for VIRTQ_MAX; a smaller size uses a prefix. */
	vq->notify_off = virtio_common_read16(d, VIRTIO_COMMON_Q_NOFF);
	vq->msix_vector = vector;

	virtio_common_write16(d, VIRTIO_COMMON_Q_SIZE, size);
	virtio_common_write64(d, VIRTIO_COMMON_Q_DESC, (uint32_t)mem->desc);
	virtio_common_write64(d, VIRTIO_COMMON_Q_AVAIL, (uint32_t)&mem->avail);
	virtio_common_write64(d, VIRTIO_COMMON_Q_USED, (uint32_t)&mem->used);
	virtio_common_write16(d, VIRTIO_COMMON_Q_MSIX, vector);
	GUEST_ASSERT_EQ(virtio_common_read16(d, VIRTIO_COMMON_Q_MSIX), vector);
	if (vector == VIRTIO_MSI_NO_VECTOR)
		mem->avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	virtio_common_write16(d, VIRTIO_COMMON_Q_ENABLE, 1);
}

/* --- MSI-X and INTx --------------------------------------------------- */

void virtio_msix_enable(struct virtio_dev *d)
{
	uint8_t flags = d->msix_cap + PCI_MSIX_FLAGS;

	GUEST_ASSERT(d->msix_cap != 0);
	pci_write16(&d->pci, flags, (pci_read16(&d->pci, flags) |
				     PCI_MSIX_FLAGS_ENABLE) &
		    ~PCI_MSIX_FLAGS_MASKALL);
}

void virtio_msix_set(struct virtio_dev *d, unsigned entry, uint8_t vector)
{
	uint32_t e = d->bar0 + d->msix_table + entry * PCI_MSIX_ENTRY_SIZE;

	GUEST_ASSERT(entry < d->msix_size);
	mmio_write32(e + PCI_MSIX_ENTRY_ADDR_LO, MSI_ADDR_BASE);
	mmio_write32(e + PCI_MSIX_ENTRY_ADDR_HI, 0);
	mmio_write32(e + PCI_MSIX_ENTRY_DATA, vector);	/* fixed, edge */
	mmio_write32(e + PCI_MSIX_ENTRY_CTRL, 0);	/* unmasked */
}

void virtio_intx_enable(struct virtio_dev *d, bool on)
{
	uint16_t cmd = pci_read16(&d->pci, PCI_COMMAND);

	if (on)
		cmd &= ~PCI_COMMAND_INTX_DISABLE;
	else
		cmd |= PCI_COMMAND_INTX_DISABLE;
	pci_write16(&d->pci, PCI_COMMAND, cmd);
}

/* --- split virtqueue -------------------------------------------------- */

uint16_t virtq_add(struct virtq *vq, const struct virtq_buf *bufs,
		   unsigned n)
{
	struct virtq_mem *m = vq->mem;
	uint16_t head = vq->free_head, i = head, last = head;

	GUEST_ASSERT(n > 0 && n <= vq->num_free);
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *desc = &m->desc[i];

		desc->addr = (uint32_t)bufs[k].addr;
		desc->len = bufs[k].len;
		desc->flags = (bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
			      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		last = i;
		i = desc->next;
	}
	vq->free_head = m->desc[last].next;
	vq->num_free -= n;
	m->avail.ring[vq->avail_idx & (vq->size - 1)] = head;
	virtio_barrier();		/* the entry before the index */
	m->avail.idx = ++vq->avail_idx;
	return head;
}

uint32_t virtq_notify_addr(struct virtio_dev *d, struct virtq *vq)
{
	return d->bar0 + d->notify + vq->notify_off * d->notify_mult;
}

void virtq_kick(struct virtio_dev *d, struct virtq *vq)
{
	virtio_barrier();		/* the index before the doorbell */
	mmio_write16(virtq_notify_addr(d, vq), vq->index);
}

/* Give a used chain back to the free list. */
static void virtq_free_chain(struct virtq *vq, uint16_t head)
{
	struct virtq_desc *desc = vq->mem->desc;
	uint16_t i = head, n = 1;

	while (desc[i].flags & VIRTQ_DESC_F_NEXT) {
		i = desc[i].next;
		n++;
	}
	desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += n;
}

bool virtq_get(struct virtq *vq, uint32_t *id, uint32_t *len)
{
	volatile struct virtq_used *used = &vq->mem->used;
	struct virtq_used_elem e;

	if (used->idx == vq->last_used)
		return false;
	virtio_barrier();		/* the index before the entry */
	e.id = used->ring[vq->last_used & (vq->size - 1)].id;
	e.len = used->ring[vq->last_used & (vq->size - 1)].len;
	vq->last_used++;
	GUEST_ASSERT(e.id < vq->size);
	virtq_free_chain(vq, e.id);
	if (id)
		*id = e.id;
	if (len)
		*len = e.len;
	return true;
}

void virtq_wait(struct virtq *vq, uint32_t *id, uint32_t *len)
{
	for (int i = 0; i < VIRTIO_POLL_MAX; i++) {
		if (virtq_get(vq, id, len))
			return;
		guest_pause();
	}
	guest_fail(__FILE__, __LINE__, "used ring: no answer from the device",
		   vq->index, vq->last_used, true);
}

/* --- virtio-blk -------------------------------------------------------- */

uint8_t virtio_blk_rw(struct virtio_dev *d, uint32_t type, uint64_t sector,
		      void *data, uint32_t len)
{
	static struct virtio_blk_req hdr;
	static volatile uint8_t status;
	struct virtq *vq = &d->vq[0];
	bool device_writes = type == VIRTIO_BLK_T_IN ||
			     type == VIRTIO_BLK_T_GET_ID;
	struct virtq_buf bufs[3] = {
		{ &hdr, sizeof(hdr), false },
		{ data, len, device_writes },
		{ (const void *)&status, 1, true },
	};
	uint32_t id;

	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = 0xff;
	if (len) {
		virtq_add(vq, bufs, 3);
	} else {
		bufs[1] = bufs[2];
		virtq_add(vq, bufs, 2);
	}
	virtq_kick(d, vq);
	virtq_wait(vq, &id, NULL);
	return status;
}
