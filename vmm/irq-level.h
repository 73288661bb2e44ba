/* SPDX-License-Identifier: MIT */
/*
 * One interrupt line (GSI) as the devices wired to it drive it, and when
 * its irqfd (vmm/irqfd.c) is to be written. KVM-free, so the rules are
 * tested alone (tests/vmm/irq-level-tests.c).
 *
 * The line is the OR of its devices: on a shared line one device lowering
 * never drops another's interrupt. How it reaches KVM follows the trigger
 * mode the board's tables give the guest (MP table, MADT):
 *
 *  - edge (an ISA line, one device): a plain irqfd, which KVM pulses
 *    (raise, lower) on each write; it is written on each rising edge of
 *    the line, so a second interrupt before the first's EOI is kept, as
 *    a lower-then-raise on the pin would keep it;
 *  - level (a line of a shareable type: PCI INTx, virtio, the SCI): a
 *    resampling irqfd, which KVM holds asserted from the write to the
 *    guest's EOI, then drops and signals the resample fd. It is written
 *    when a device raises the line and KVM does not hold it already, and
 *    again at the EOI while a device still holds the line high. A device
 *    lowering its line changes nothing in KVM until the EOI: the guest may
 *    take one interrupt that finds no cause (its handler says IRQ_NONE),
 *    never one too few.
 *
 * Lock-free: devices on a shared line raise and lower it from their own
 * threads while the I/O thread takes the EOIs; every interleaving of
 * those calls writes the irqfd at least once for a raise KVM did not
 * already hold. The calls for one device's line are serialized by the
 * device (its `was` is exact).
 */
#ifndef BOARDVM_IRQ_LEVEL_H
#define BOARDVM_IRQ_LEVEL_H

#include <stdatomic.h>
#include <stdbool.h>

struct irq_level {
	atomic_uint asserted;	/* devices holding the line high */
	atomic_bool held;	/* level: KVM holds it, no EOI since */
	bool level;		/* level-triggered (resampling irqfd) */
};

/*
 * Inline: a device's interrupt is on its exit path. The caller calls
 * irq_level_raise() when a device's line goes 0 -> 1 (true: write the
 * irqfd), irq_level_lower() when it goes 1 -> 0, irq_level_resampled()
 * when a level line's resample fd fired (true: write the irqfd again).
 */
static inline bool irq_level_raise(struct irq_level *l)
{
	if (atomic_fetch_add(&l->asserted, 1) && !l->level)
		return false;	/* edge: the line was high already */
	return !l->level || !atomic_exchange(&l->held, true);
}

/* One device fewer holds the line (never below none: a reset's lower). */
static inline void irq_level_lower(struct irq_level *l)
{
	unsigned n = atomic_load(&l->asserted);

	while (n && !atomic_compare_exchange_weak(&l->asserted, &n, n - 1))
		;
}

/*
 * held drops first: a raise after this sees it clear and writes; a raise
 * before sees it set, and then `asserted` has it here.
 */
static inline bool irq_level_resampled(struct irq_level *l)
{
	atomic_store(&l->held, false);
	return atomic_load(&l->asserted) && !atomic_exchange(&l->held, true);
}

#endif
