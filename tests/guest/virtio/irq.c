// SPDX-License-Identifier: MIT
/*
 * Interrupts for the virtio guests: an IDT for vectors 0x3f-0x4f
 * (irq-entry.S), the local APIC, I/O APIC routing for INTx. MSI-X
 * messages go straight to the local APIC (fixed delivery, APIC ID 0).
 */
#include "virtio.h"

#define IRQ_FIRST	VIRTIO_VECTOR_INTX
#define IRQ_LAST	(VIRTIO_VECTOR_BASE + VIRTIO_NR_VECTORS - 1)
#define IRQ_STUB_SIZE	16		/* .balign in irq-entry.S */

#define IOAPIC_REGSEL	0x00
#define IOAPIC_WIN	0x10
#define IOAPIC_REDIR(p)	(0x10 + 2 * (p))
#define IOAPIC_LEVEL	(1u << 15)
#define LAPIC_EOI	0xb0
#define LAPIC_SVR	0xf0
#define LAPIC_SVR_ON	0x100

#define IRQ_WAIT_MAX	4000000

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;			/* 0x8e: present, DPL0, 32-bit intr */
	uint16_t offset_hi;
} __attribute__((packed));

struct idt_desc {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static struct idt_gate irq_idt[IRQ_LAST + 1];
extern char irq_entries[];
volatile uint32_t irq_count[256];

void lapic_eoi(void)
{
	mmio_write32(BOARD_LAPIC_MMIO_BASE + LAPIC_EOI, 0);
}

__attribute__((weak)) void guest_vector_handler(uint32_t vector)
{
	irq_count[vector & 0xff]++;
	lapic_eoi();
}

void irq_init(void)
{
	struct idt_desc desc = { .limit = sizeof(irq_idt) - 1,
				 .base = (uint32_t)irq_idt };

	for (unsigned v = IRQ_FIRST; v <= IRQ_LAST; v++) {
		uint32_t h = (uint32_t)irq_entries +
			     (v - IRQ_FIRST) * IRQ_STUB_SIZE;

		irq_idt[v].offset_lo = h & 0xffff;
		irq_idt[v].selector = 0x08;
		irq_idt[v].type = 0x8e;
		irq_idt[v].offset_hi = h >> 16;
	}
	__asm__ volatile("lidt %0" : : "m"(desc));
	/* KVM wires the PIC to LINT0 of the BSP too: mask all its lines. */
	outb(BOARD_PIC_PIO_BASE + 1, 0xff);
	outb(BOARD_PIC_PIO_BASE + 0x81, 0xff);
	mmio_write32(BOARD_LAPIC_MMIO_BASE + LAPIC_SVR, LAPIC_SVR_ON | 0xff);
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
	mmio_write32(BOARD_IOAPIC_MMIO_BASE + IOAPIC_REGSEL, reg);
	mmio_write32(BOARD_IOAPIC_MMIO_BASE + IOAPIC_WIN, value);
}

void ioapic_route_level(unsigned gsi, uint8_t vector)
{
	ioapic_write(IOAPIC_REDIR(gsi) + 1, 0);		/* APIC ID 0 */
	ioapic_write(IOAPIC_REDIR(gsi), IOAPIC_LEVEL | vector);
}

bool irq_wait(uint8_t vector, uint32_t want)
{
	bool got = false;

	guest_sti();
	for (int i = 0; i < IRQ_WAIT_MAX && !got; i++) {
		got = irq_count[vector] >= want;
		guest_pause();
	}
	guest_cli();
	return got || irq_count[vector] >= want;
}
