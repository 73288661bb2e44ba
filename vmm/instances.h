/* SPDX-License-Identifier: MIT */
/*
 * Device instances (instances.c): their creation, reset and destruction.
 * KVM-free: the device tests create them with a fake environment.
 */
#ifndef BOARDVM_INSTANCES_H
#define BOARDVM_INSTANCES_H

#include "board-tables.h"
#include "device.h"

/* Device instances, one per board_devices[] entry (same index). */
extern struct device machine_devices[];

struct machine_env {
	struct device_host *host;
	struct vclock *clock;
	/* How an irq line reaches the interrupt controller (KVM or a test). */
	void (*irq_set_level)(struct irq_line *line, int level);
	void *irq_opaque;
};

int machine_devices_create(const struct machine_env *env);
void machine_devices_reset(void);
/* board_devices[index]'s instance: a device_host's device(). */
struct device *machine_device(struct device_host *host, unsigned index);
void machine_devices_destroy(void);
/* Deliver an operator event to the first device that takes it. */
bool machine_host_event(enum host_event event);
/* The board has a PCI function (its type's `pci`): MSI-X, BAR moves. */
bool machine_has_pci_functions(void);

#endif
