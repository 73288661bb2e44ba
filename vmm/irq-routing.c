// SPDX-License-Identifier: MIT
/* KVM's GSI routing for the PC wiring of irq-routing.h (no KVM calls). */
#include <string.h>

#include "irq-routing.h"

static void route(struct kvm_irq_routing_entry *e, unsigned gsi,
		  unsigned chip, unsigned pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

size_t irq_routing_fill(struct kvm_irq_routing_entry *e, size_t max,
			unsigned nr_pins)
{
	size_t n = 0;

	if (max < 2 * ISA_IRQS + nr_pins)
		return 0;
	for (unsigned gsi = 0; gsi < ISA_IRQS; gsi++) {
		int pin = isa_irq_ioapic_pin(gsi);

		route(&e[n++], gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
					    : KVM_IRQCHIP_PIC_SLAVE, gsi % 8);
		if (pin >= 0 && (unsigned)pin < nr_pins)
			route(&e[n++], gsi, KVM_IRQCHIP_IOAPIC, pin);
	}
	for (unsigned gsi = ISA_IRQS; gsi < nr_pins; gsi++)
		route(&e[n++], gsi, KVM_IRQCHIP_IOAPIC, gsi);
	return n;
}
