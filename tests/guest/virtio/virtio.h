/* SPDX-License-Identifier: MIT */
/*
 * A freestanding guest-side virtio 1.x driver over PCI, for guest tests and
 * benchmarks: PCI configuration mechanism #1 on bus 0, the capability list,
 * BAR0 sizing and programming (moves included), the virtio-pci modern
 * transport (common/notify/isr/device configuration found through vendor
 * capabilities), feature negotiation, split virtqueues in guest RAM, MSI-X
 * and INTx interrupts through the local APIC and the I/O APIC.
 *
 * Guests run flat (physical = virtual), so a pointer is a DMA address.
 * Everything is polled with bounded loops: CPL0 guest code is emulated on
 * hosts without hardware virtualisation, where each instruction costs a
 * fraction of a microsecond.
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stddef.h>

#include "guest.h"

/* --- PCI -------------------------------------------------------------- */

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT	0x0008
#define PCI_STATUS_CAP_LIST	0x0010

#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM_TYPE_MASK	0x6
#define PCI_BAR_MEM_64		0x4
#define PCI_BAR_MEM_MASK	0xfffffff0u

#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_MSIX		0x11

/* MSI-X capability and table. */
#define PCI_MSIX_FLAGS		2	/* message control, from the cap */
#define PCI_MSIX_TABLE		4	/* offset | BIR */
#define PCI_MSIX_PBA		8
#define PCI_MSIX_FLAGS_QSIZE	0x07ff
#define PCI_MSIX_FLAGS_MASKALL	0x4000
#define PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_BIR_MASK	0x7
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_ADDR_LO	0
#define PCI_MSIX_ENTRY_ADDR_HI	4
#define PCI_MSIX_ENTRY_DATA	8
#define PCI_MSIX_ENTRY_CTRL	12
#define PCI_MSIX_ENTRY_MASKED	0x1

#define PCI_VENDOR_VIRTIO	0x1af4
#define PCI_DEVICE_VIRTIO_BLK	0x1042
#define PCI_DEVICE_VIRTIO_CONSOLE 0x1043
#define PCI_DEVICE_VIRTIO_RNG	0x1044

/* A function on bus 0. */
struct pci_fn {
	uint8_t dev;
	uint8_t fn;
	uint16_t vendor;
	uint16_t device;
};

uint32_t pci_read32(const struct pci_fn *f, uint8_t off);
uint16_t pci_read16(const struct pci_fn *f, uint8_t off);
uint8_t pci_read8(const struct pci_fn *f, uint8_t off);
void pci_write32(const struct pci_fn *f, uint8_t off, uint32_t v);
void pci_write16(const struct pci_fn *f, uint8_t off, uint16_t v);
void pci_write8(const struct pci_fn *f, uint8_t off, uint8_t v);

/* The nth (0-based) function with these ids on bus 0; false if none. */
bool pci_find(uint16_t vendor, uint16_t device, unsigned nth,
	      struct pci_fn *out);
/* Offset of the first capability `id` after `from` (0: from the head). */
uint8_t pci_find_cap(const struct pci_fn *f, uint8_t id, uint8_t from);
/* BAR sizing: all-ones, read back, restore (decoding off meanwhile). */
uint32_t pci_bar_size(const struct pci_fn *f, unsigned bar);
uint32_t pci_bar_base(const struct pci_fn *f, unsigned bar);
/* Program a 32-bit memory BAR; decoding off while it changes, then on. */
void pci_bar_set(const struct pci_fn *f, unsigned bar, uint32_t base);
/* End of the highest memory BAR of every function on bus 0. */
uint32_t pci_bars_end(void);

/* --- interrupts (local APIC, I/O APIC, IDT) --------------------------- */

#define VIRTIO_VECTOR_BASE	0x40	/* MSI-X vectors 0x40 + n */
#define VIRTIO_VECTOR_INTX	0x3f
#define VIRTIO_NR_VECTORS	0x10

/*
 * An IDT whose vectors VIRTIO_VECTOR_INTX..BASE+15 call
 * guest_vector_handler(vector) and return without IRET (irq-entry.S);
 * the local APIC on, the 8259s masked. Counts per vector in irq_count[].
 */
void irq_init(void);
void guest_vector_handler(uint32_t vector);	/* weak: counts, EOIs */
extern volatile uint32_t irq_count[256];
void lapic_eoi(void);
/* Route GSI `gsi` to `vector`, level-triggered, active high, to APIC 0. */
void ioapic_route_level(unsigned gsi, uint8_t vector);
/* Wait (interrupts on) until irq_count[vector] reaches `want`. */
bool irq_wait(uint8_t vector, uint32_t want);

/* --- virtio-pci ------------------------------------------------------- */

#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_BIT(n)			(1ull << (n))
#define VIRTIO_MSI_NO_VECTOR		0xffff

/* virtio_pci_cap cfg_type */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

/* virtio_pci_common_cfg offsets */
#define VIRTIO_COMMON_DFSELECT		0x00
#define VIRTIO_COMMON_DF		0x04
#define VIRTIO_COMMON_GFSELECT		0x08
#define VIRTIO_COMMON_GF		0x0c
#define VIRTIO_COMMON_MSIX		0x10
#define VIRTIO_COMMON_NUMQ		0x12
#define VIRTIO_COMMON_STATUS		0x14
#define VIRTIO_COMMON_CFGGENERATION	0x15
#define VIRTIO_COMMON_Q_SELECT		0x16
#define VIRTIO_COMMON_Q_SIZE		0x18
#define VIRTIO_COMMON_Q_MSIX		0x1a
#define VIRTIO_COMMON_Q_ENABLE		0x1c
#define VIRTIO_COMMON_Q_NOFF		0x1e
#define VIRTIO_COMMON_Q_DESC		0x20
#define VIRTIO_COMMON_Q_AVAIL		0x28
#define VIRTIO_COMMON_Q_USED		0x30

#define VIRTIO_ISR_QUEUE		0x1
#define VIRTIO_ISR_CONFIG		0x2

/* Split virtqueue, as laid out in guest RAM. */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_MAX			64	/* our queue size cap */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_MAX];
	uint16_t used_event;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_MAX];
	uint16_t avail_event;
};

/* The rings of one queue: 4 KiB, desc 16-aligned, used 4-aligned. */
struct virtq_mem {
	struct virtq_desc desc[VIRTQ_MAX];
	struct virtq_avail avail;
	struct virtq_used used __attribute__((aligned(16)));
} __attribute__((aligned(4096)));

struct virtq {
	struct virtq_mem *mem;
	uint16_t index;
	uint16_t size;			/* negotiated, power of two */
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_idx;		/* our shadow of avail.idx */
	uint16_t last_used;
	uint16_t notify_off;		/* queue_notify_off */
	uint16_t msix_vector;
};

/* A scatter element for virtq_add(). */
struct virtq_buf {
	const void *addr;
	uint32_t len;
	bool device_writes;
};

#define VIRTIO_MAX_QUEUES		2

struct virtio_dev {
	struct pci_fn pci;
	uint32_t bar0;			/* where BAR0 is programmed now */
	uint32_t bar0_size;
	/* Offsets into BAR0, from the vendor capabilities. */
	uint32_t common;
	uint32_t isr;
	uint32_t device;
	uint32_t notify;
	uint32_t notify_mult;
	uint8_t msix_cap;		/* 0: none */
	uint32_t msix_table;		/* offset into BAR0 */
	uint16_t msix_size;
	uint64_t features;		/* negotiated */
	struct virtq vq[VIRTIO_MAX_QUEUES];
};

/*
 * Find the nth virtio function with this device id, size BAR0, walk the
 * capabilities, turn on memory decoding and bus mastering. Asserts.
 */
void virtio_probe(struct virtio_dev *d, uint16_t device_id, unsigned nth);
/* Reprogram BAR0 (the offsets stay); MSI-X state is kept by the device. */
void virtio_move_bar(struct virtio_dev *d, uint32_t base);

/* Region accessors at BAR0 + the capability's offset. */
uint8_t virtio_common_read8(struct virtio_dev *d, uint32_t off);
uint16_t virtio_common_read16(struct virtio_dev *d, uint32_t off);
uint32_t virtio_common_read32(struct virtio_dev *d, uint32_t off);
void virtio_common_write8(struct virtio_dev *d, uint32_t off, uint8_t v);
void virtio_common_write16(struct virtio_dev *d, uint32_t off, uint16_t v);
void virtio_common_write32(struct virtio_dev *d, uint32_t off, uint32_t v);
uint8_t virtio_config_read8(struct virtio_dev *d, uint32_t off);
uint32_t virtio_config_read32(struct virtio_dev *d, uint32_t off);
uint64_t virtio_config_read64(struct virtio_dev *d, uint32_t off);
uint8_t virtio_isr_read(struct virtio_dev *d);
uint64_t virtio_device_features(struct virtio_dev *d);

/*
 * Reset, ACKNOWLEDGE | DRIVER, offer `wanted` & device features (always
 * VERSION_1, which the device must offer), FEATURES_OK and check it stuck.
 * Returns the negotiated features; asserts on failure.
 */
uint64_t virtio_init(struct virtio_dev *d, uint64_t wanted);
/*
 * Set up queue `q` with at most `size` entries in `mem`, MSI-X vector
 * `vector` (VIRTIO_MSI_NO_VECTOR: none) and enable it.
 */
void virtio_setup_queue(struct virtio_dev *d, unsigned q,
			struct virtq_mem *mem, uint16_t size, uint16_t vector);
void virtio_driver_ok(struct virtio_dev *d);
void virtio_reset(struct virtio_dev *d);

/* MSI-X: enable, and point table entry `entry` at APIC 0 `vector`. */
void virtio_msix_enable(struct virtio_dev *d);
void virtio_msix_set(struct virtio_dev *d, unsigned entry, uint8_t vector);
/* INTx on or off in the command register. */
void virtio_intx_enable(struct virtio_dev *d, bool on);

/* Chain `n` buffers into the ring (not yet notified); returns the head. */
uint16_t virtq_add(struct virtq *vq, const struct virtq_buf *bufs,
		   unsigned n);
/* Ring queue `vq`'s doorbell: a 16-bit write of the queue index. */
void virtq_kick(struct virtio_dev *d, struct virtq *vq);
/* Take one used element: true and its id/len, or false if none yet. */
bool virtq_get(struct virtq *vq, uint32_t *id, uint32_t *len);
/* Poll until one used element arrives (bounded); asserts on timeout. */
void virtq_wait(struct virtq *vq, uint32_t *id, uint32_t *len);
/* The address the queue's doorbell is at. */
uint32_t virtq_notify_addr(struct virtio_dev *d, struct virtq *vq);

/* --- virtio-blk ------------------------------------------------------- */

#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2
#define VIRTIO_BLK_ID_BYTES		20
#define VIRTIO_BLK_SECTOR		512
#define VIRTIO_BLK_CFG_CAPACITY		0	/* le64, in sectors */

struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/*
 * One request on queue 0: header, `len` bytes of data (device-writable for
 * IN and GET_ID), the status byte. Returns the status. Polls.
 */
uint8_t virtio_blk_rw(struct virtio_dev *d, uint32_t type, uint64_t sector,
		      void *data, uint32_t len);

/* --- small freestanding helpers -------------------------------------- */

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static inline void virtio_barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

#endif
