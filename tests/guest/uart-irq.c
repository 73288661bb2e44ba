// SPDX-License-Identifier: MIT
/*
 * The UART's THR-empty interrupt through the in-kernel I/O APIC and local
 * APIC: route the board's COM1 irq to GUEST_IRQ_VECTOR, enable the
 * interrupt, and take it through the IDT.
 *
 * The handler ends the test instead of returning: on hosts without
 * hardware virtualisation KVM runs guest kernel code in its instruction
 * emulator, which implements IRET only in real mode.
 */
#include "guest.h"

#define UART_IER	1
#define UART_IIR	2
#define UART_IER_THRI	0x02
#define UART_IIR_THRI	0x02

#define IOAPIC_REGSEL	0x00
#define IOAPIC_WIN	0x10
#define IOAPIC_REDIR(p)	(0x10 + 2 * (p))
#define LAPIC_EOI	0xb0
#define LAPIC_SVR	0xf0
#define LAPIC_SVR_ON	0x100

#define SPIN_MAX	2000000

void guest_irq_handler(void)
{
	uint8_t iir = inb(BOARD_COM1_PIO_BASE + UART_IIR);

	outb(BOARD_COM1_PIO_BASE + UART_IER, 0);
	mmio_write32(BOARD_LAPIC_MMIO_BASE + LAPIC_EOI, 0);
	GUEST_ASSERT_EQ(iir & 0x0f, UART_IIR_THRI);
	guest_puts("uart irq: THR-empty interrupt on vector 0x30\n");
	guest_exit(GUEST_EXIT_PASS);
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
	mmio_write32(BOARD_IOAPIC_MMIO_BASE + IOAPIC_REGSEL, reg);
	mmio_write32(BOARD_IOAPIC_MMIO_BASE + IOAPIC_WIN, value);
}

int guest_main(void)
{
	/* KVM wires the PIC to LINT0 of the BSP too: mask all its lines. */
	outb(BOARD_PIC_PIO_BASE + 1, 0xff);
	outb(BOARD_PIC_PIO_BASE + 0x81, 0xff);
	guest_idt_init();
	mmio_write32(BOARD_LAPIC_MMIO_BASE + LAPIC_SVR, LAPIC_SVR_ON | 0xff);
	/* Fixed delivery, physical, edge, active high, unmasked, to APIC 0. */
	ioapic_write(IOAPIC_REDIR(BOARD_COM1_IRQ) + 1, 0);
	ioapic_write(IOAPIC_REDIR(BOARD_COM1_IRQ), GUEST_IRQ_VECTOR);
	guest_sti();
	outb(BOARD_COM1_PIO_BASE + UART_IER, UART_IER_THRI);
	for (uint32_t i = 0; i < SPIN_MAX; i++)
		guest_pause();
	guest_cli();
	guest_puts("uart irq: no interrupt\n");
	return GUEST_EXIT_FAIL;
}
