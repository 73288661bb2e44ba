/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts through KVM_IRQFD: one eventfd write per interrupt,
 * no ioctl (vmm/irqfd.c).
 *
 * Every GSI a board device is wired to gets an irqfd at VM creation,
 * plain for an edge-triggered line, resampling for a level-triggered one
 * (the rules: vmm/irq-level.h; the I/O thread watches the resample fds).
 * Every MSI-X vector of a PCI function gets a GSI of its own above the
 * IOAPIC's pins, an MSI route (KVM_SET_GSI_ROUTING) and an irqfd on its
 * first use; a delivery whose address or data the guest has changed
 * since rewrites the route first.
 */
#ifndef BOARDVM_IRQFD_H
#define BOARDVM_IRQFD_H

#include <pthread.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "irq-level.h"

struct vm;
struct device_host;
struct device;
struct irq_line;

struct vm_gsi {
	struct irq_level level;
	int fd;			/* the irqfd; -1: no device on this GSI */
	int resample_fd;	/* level lines: the guest's EOI; else -1 */
};

/* One MSI-X vector of one PCI function. */
struct vm_msi {
	int fd;			/* its irqfd; -1 until first used */
	unsigned route;		/* its entry in vm_irqs.routes */
	uint64_t addr;
	uint32_t data;
};

struct vm_irqs {
	struct vm_gsi gsi[KVM_IOAPIC_NUM_PINS];
	pthread_mutex_t msi_lock;
	/* board device index * HOST_MSI_VECTORS + vector; NULL: no PCI. */
	struct vm_msi *msi;
	/* The PC wiring (irq-routing.h), then one entry per MSI in use. */
	struct kvm_irq_routing *routes;
	unsigned max_routes;
	unsigned next_msi_gsi;
};

/* No irqfds yet (before anything can fail and free them). */
void vm_irqs_prepare(struct vm *vm);
/* The routing and the GSIs' irqfds; -1 with a message. */
int vm_irqs_init(struct vm *vm);
void vm_irqs_free(struct vm *vm);
/* The resample fd of GSI gsi, or -1 (an edge line, no device, no irqchip). */
int vm_irq_resample_fd(struct vm *vm, unsigned gsi);
/* The I/O thread: GSI gsi's resample fd is readable. */
void vm_irq_resampled(struct vm *vm, unsigned gsi);
/* The device_host services (device.h) and the irq lines' set_level. */
void vm_irq_set_level(struct irq_line *line, int level);
void vm_signal_msi(struct device_host *host, struct device *dev,
		   unsigned vector, uint64_t addr, uint32_t data);
int vm_msi_irqfd(struct device_host *host, struct device *dev,
		 unsigned vector, uint64_t addr, uint32_t data);

#endif
