/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x PCI transport ("Virtio Over PCI Bus", modern only),
 * shared by virtio-blk, virtio-rng and virtio-console. A model embeds a
 * struct virtio_pci as the first member of its state (dev->state points at
 * it), describes itself with a struct virtio_model and plugs the
 * virtio_pci_* handlers below into its device_ops.
 *
 * BAR0 (the device's `mmio` block, docs/virtio.md):
 *   +0x0000 common cfg (0x40)   +0x1000 ISR (4)   +0x2000 device cfg
 *   +0x3000 notify: queue q at +2*q   +0x3800 MSI-X table (16 vectors)
 *   +0x3900 MSI-X PBA
 *
 * Locking: one mutex per device, taken by every handler (vCPU threads,
 * the I/O thread). A model's queue_notify() and config handlers run with
 * it held, and so may call the virtio_pci_* helpers marked "locked".
 */
#ifndef BOARDVM_VIRTIO_PCI_H
#define BOARDVM_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "pci.h"
#include "ratelimit.h"
#include "virtqueue.h"

#define VIRTIO_PCI_MAX_QUEUES	32	/* notify region: 0x40 / 2 */
#define VIRTIO_MSIX_VECTORS	HOST_MSI_VECTORS	/* signal_msi() takes */
#define VIRTIO_MSI_NO_VECTOR	0xffff

/* BAR0 layout. */
#define VIRTIO_PCI_COMMON	0x0000
#define VIRTIO_PCI_COMMON_SIZE	0x40
#define VIRTIO_PCI_ISR		0x1000
#define VIRTIO_PCI_ISR_SIZE	4
#define VIRTIO_PCI_DEVICE	0x2000
#define VIRTIO_PCI_DEVICE_SIZE	0x100
#define VIRTIO_PCI_NOTIFY	0x3000
#define VIRTIO_PCI_NOTIFY_SIZE	0x40
#define VIRTIO_PCI_NOTIFY_MULT	2
#define VIRTIO_PCI_MSIX_TABLE	0x3800
#define VIRTIO_PCI_MSIX_PBA	0x3900
#define VIRTIO_PCI_BAR_SIZE	0x4000

/* virtio_pci_common_cfg offsets. */
#define VIRTIO_PCI_DFSELECT	0x00
#define VIRTIO_PCI_DF		0x04
#define VIRTIO_PCI_GFSELECT	0x08
#define VIRTIO_PCI_GF		0x0c
#define VIRTIO_PCI_MSIX_CONFIG	0x10
#define VIRTIO_PCI_NUM_QUEUES	0x12
#define VIRTIO_PCI_STATUS	0x14
#define VIRTIO_PCI_CFG_GEN	0x15
#define VIRTIO_PCI_Q_SELECT	0x16
#define VIRTIO_PCI_Q_SIZE	0x18
#define VIRTIO_PCI_Q_MSIX	0x1a
#define VIRTIO_PCI_Q_ENABLE	0x1c
#define VIRTIO_PCI_Q_NOFF	0x1e
#define VIRTIO_PCI_Q_DESCLO	0x20
#define VIRTIO_PCI_Q_DESCHI	0x24
#define VIRTIO_PCI_Q_AVAILLO	0x28
#define VIRTIO_PCI_Q_AVAILHI	0x2c
#define VIRTIO_PCI_Q_USEDLO	0x30
#define VIRTIO_PCI_Q_USEDHI	0x34

/* device_status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* ISR bits. */
#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_ISR_CONFIG	0x2

/* Transport feature bits. */
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32

/* PCI capability cfg_type values. */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

/* Device ids (PCI device id = 0x1040 + id). */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

struct virtio_pci;

/* What a model tells the transport about itself. */
struct virtio_model {
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint32_t class_code;		/* PCI class << 16 | sub << 8 | prog-if */
	unsigned nr_queues;		/* <= VIRTIO_PCI_MAX_QUEUES */
	uint16_t queue_max;		/* <= VIRTQ_MAX_SIZE, a power of two */
	uint32_t config_size;		/* bytes of device config used */
	/* Queue q was notified and the driver is up: serve it (locked). */
	void (*queue_notify)(struct virtio_pci *vp, unsigned q);
	/* Device config space; NULL: reads as zeros, writes ignored. */
	void (*config_read)(struct virtio_pci *vp, uint32_t offset,
			    void *data, unsigned len);
	void (*config_write)(struct virtio_pci *vp, uint32_t offset,
			     const void *data, unsigned len);
	/* The driver reset the device (locked): drop in-flight state. */
	void (*reset)(struct virtio_pci *vp);
	/*
	 * MSI-X was enabled, masked or unmasked, a table entry or a queue's
	 * vector written (locked): virtio_pci_queue_irqfd() may say
	 * otherwise now. NULL: the model does not care.
	 */
	void (*msix_changed)(struct virtio_pci *vp);
};

struct virtio_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_pci {
	struct device *dev;
	const struct virtio_model *model;
	struct pci_function fn;
	pthread_mutex_t lock;
	uint64_t device_features;	/* VERSION_1 included */
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint8_t status;
	uint8_t config_generation;
	uint8_t isr;
	uint16_t queue_select;
	uint16_t config_vector;
	uint8_t msix_cap;		/* offset in config space; 0: none */
	bool mmio;			/* virtio-mmio transport, no PCI */
	struct virtq vq[VIRTIO_PCI_MAX_QUEUES];
	struct virtio_msix_entry msix[VIRTIO_MSIX_VECTORS];
	uint32_t msix_pending;		/* PBA bits */
	uint64_t broken_count;		/* times NEEDS_RESET was set */
	const char *broken_reason;
	struct ratelimit log;		/* "the guest driver broke..." */
};

/*
 * Set up the transport for `dev` (features: the model's device features;
 * VERSION_1 is added): virtio-pci when the device's type is a PCI one,
 * else virtio-mmio (virtio-mmio.h). Returns 0 or a negative errno.
 */
int virtio_pci_init(struct virtio_pci *vp, struct device *dev,
		    const struct virtio_model *model, uint64_t features);
void virtio_pci_destroy(struct virtio_pci *vp);

/*
 * Locked: an eventfd that interrupts the driver for queue q when written
 * (vhost's call, so the kernel raises it with no VMM on the way): the
 * irqfd of the queue's MSI-X vector while MSI-X is enabled and the vector
 * unmasked. -1 otherwise (INTx, masked, no vector, no host service): the
 * model then raises the queue itself.
 */
int virtio_pci_queue_irqfd(struct virtio_pci *vp, unsigned q);

/* Queue q's interrupt now, without the suppression check (vhost made it). */
void virtio_pci_queue_raise(struct virtio_pci *vp, unsigned q);

/* Locked helpers for models. */
bool virtio_pci_driver_ok(const struct virtio_pci *vp);
bool virtio_pci_has_feature(const struct virtio_pci *vp, unsigned bit);
/*
 * Interrupt the driver for queue q if it asked to be (after a batch of
 * pushes: with EVENT_IDX, once per batch). True when it was interrupted.
 */
bool virtio_pci_queue_interrupt(struct virtio_pci *vp, unsigned q);
/* Mark the device broken: DEVICE_NEEDS_RESET, no more processing. */
void virtio_pci_set_broken(struct virtio_pci *vp, const char *why);

/* Not locked: take the device's lock and run a model's work. */
void virtio_pci_lock(struct virtio_pci *vp);
void virtio_pci_unlock(struct virtio_pci *vp);
/*
 * A model's counters() under its lock: the first min(nr, max) of names[]
 * and count[] into out; returns how many.
 */
unsigned virtio_pci_counters(struct virtio_pci *vp, const char *const *names,
			     const uint64_t *count, unsigned nr,
			     struct device_counter *out, unsigned max);

/*
 * For the other transport (virtio-mmio.c), locked: the state machine
 * both transports share.
 */
void virtio_pci_device_reset(struct virtio_pci *vp);
void virtio_pci_status_write(struct virtio_pci *vp, uint8_t value);
void virtio_pci_queue_kick(struct virtio_pci *vp, unsigned q);
void virtio_pci_queue_enable(struct virtio_pci *vp, struct virtq *vq);

/* device_ops handlers shared by every virtio-pci model. */
void virtio_pci_mmio_read(struct device *dev, uint64_t offset, void *data,
			  unsigned len);
void virtio_pci_mmio_write(struct device *dev, uint64_t offset,
			   const void *data, unsigned len);
void virtio_pci_notify(struct device *dev, unsigned reg, unsigned slot);
void virtio_pci_reset(struct device *dev);
void virtio_pci_config_read(struct device *dev, uint32_t offset, void *data,
			    unsigned len);
void virtio_pci_config_write(struct device *dev, uint32_t offset,
			     const void *data, unsigned len);

#endif
