/* SPDX-License-Identifier: MIT */
/*
 * The PC's ISA interrupt wiring, one rule for every table that tells the
 * guest (the MP table, vmm/mptable.c; the ACPI MADT, dtc-like/acpi.c) and
 * for KVM's GSI routing (vmm/irq-routing.c): ISA IRQ n reaches I/O APIC
 * pin n, except IRQ0, the PIT, which is on pin 2 (every PC since the
 * IOAPIC; pin 0 is the 8259's INTR), and the cascade IRQ2, which reaches
 * no IOAPIC pin.
 */
#ifndef BOARDVM_ISA_IRQS_H
#define BOARDVM_ISA_IRQS_H

#define ISA_IRQS		16
#define ISA_IRQ_CASCADE		2

/* The IOAPIC pin of ISA IRQ irq (0-15), or -1 for the cascade. */
static inline int isa_irq_ioapic_pin(unsigned irq)
{
	if (irq == ISA_IRQ_CASCADE)
		return -1;
	return irq == 0 ? 2 : (int)irq;
}

#endif
