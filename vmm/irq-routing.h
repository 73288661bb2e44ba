/* SPDX-License-Identifier: MIT */
/*
 * The PC's interrupt wiring, one rule for the MP table (vmm/mptable.c)
 * and KVM's GSI routing (vmm/kvm.c), so what the guest is told and what
 * KVM does cannot disagree (the rule itself: machine/isa-irqs.h, which
 * the ACPI MADT follows too): ISA IRQ n reaches the 8259 PICs (master for
 * 0-7, slave for 8-15) and I/O APIC pin n, except IRQ0, the PIT, which is
 * on pin 2 (every PC since the IOAPIC; pin 0 is the 8259's INTR), and the
 * cascade IRQ2, which reaches no IOAPIC pin. GSIs 16 and up are IOAPIC
 * pins only. KVM's default routing has GSI 0 on pin 0, which is why Linux
 * reported "8254 timer not connected to IO-APIC" before this table.
 */
#ifndef BOARDVM_IRQ_ROUTING_H
#define BOARDVM_IRQ_ROUTING_H

#include <stddef.h>
#include <linux/kvm.h>

#include "isa-irqs.h"

/*
 * Fills e[] (room for max entries) with the routing above for an IOAPIC
 * of nr_pins pins; returns the number of entries, or 0 when max is too
 * small. At most 2 * ISA_IRQS + nr_pins entries.
 */
size_t irq_routing_fill(struct kvm_irq_routing_entry *e, size_t max,
			unsigned nr_pins);

#endif
