/* SPDX-License-Identifier: MIT */
/*
 * PCI BAR moves in the dispatch maps (docs/pci.md). KVM-free: the VMM
 * gives it a hook that moves the BAR's ioeventfds and coalesced zones, the
 * device tests give it none (or a recorder).
 */
#ifndef BOARDVM_PCI_REMAP_H
#define BOARDVM_PCI_REMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

struct pci_remap_kvm {
	/*
	 * board_async[i] belongs to a moved BAR: it was registered at
	 * old_addr (if `was`), it is to be at new_addr (if `now`). Called
	 * from pci_remap_kvm_sync(), with no device, PCI or remap lock held,
	 * after the maps changed. 0 or -1.
	 */
	int (*async_move)(void *opaque, unsigned i, bool was, uint64_t old_addr,
			  bool now, uint64_t new_addr);
	void *opaque;
};

void pci_remap_set_kvm(const struct pci_remap_kvm *kvm);

/*
 * host->pci_bar_update(): map BAR0 of `dev` at `base` (`enabled`) or
 * unmap it. Refused (-1, logged) when the BAR would leave the board's MMIO
 * windows or overlap RAM, a reserved range, another device's registers or
 * another BAR; the BAR is then unmapped.
 */
int pci_remap_bar_update(struct device_host *host, struct device *dev,
			 unsigned bar, uint64_t base, bool enabled);

/*
 * Bring KVM's doorbells (the async_move hook) to where the BARs are now,
 * after one or more moves: a vCPU calls pci_remap_kvm_sync() when an exit
 * is handled, with no lock held; it is one load when nothing moved, and
 * pci_remap_kvm_sync_moved() does the work when something did.
 */
void pci_remap_kvm_sync_moved(void);
extern unsigned pci_remap_kvm_out_of_date;

static inline void pci_remap_kvm_sync(void)
{
	if (__atomic_load_n(&pci_remap_kvm_out_of_date, __ATOMIC_ACQUIRE))
		pci_remap_kvm_sync_moved();
}

/* Every BAR back where the board put it, mapped (machine reset, tests). */
void pci_remap_reset(void);

/* Where BAR0 of machine_devices[index] is mapped now; false if unmapped. */
bool pci_remap_where(unsigned index, uint64_t *base);

#endif
