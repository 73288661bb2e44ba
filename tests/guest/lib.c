// SPDX-License-Identifier: MIT
/* The guest test library: COM1 output, asserts, exit, a one-vector IDT. */
#include "guest.h"

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

static struct idt_gate idt[GUEST_IRQ_VECTOR + 1];
extern char guest_irq_stub[];

void guest_putc(char c)
{
	outb(BOARD_COM1_PIO_BASE, c);
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

void guest_put_hex(uint32_t v)
{
	guest_puts("0x");
	for (int shift = 28; shift >= 0; shift -= 4)
		guest_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void guest_put_dec(uint32_t v)
{
	char buf[11];
	int i = sizeof(buf);

	buf[--i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	guest_puts(&buf[i]);
}

void guest_exit(int status)
{
	outb(BOARD_DEBUG_EXIT_PIO_BASE, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Leaves UART loopback first, so the message reaches the host. */
void guest_fail(const char *file, int line, const char *what, uint32_t a,
		uint32_t b, bool has_values)
{
	outb(BOARD_COM1_PIO_BASE + 4, 0);	/* MCR: loopback off */
	guest_puts("FAIL ");
	guest_puts(file);
	guest_putc(':');
	guest_put_dec(line);
	guest_puts(": ");
	guest_puts(what);
	if (has_values) {
		guest_puts(" (");
		guest_put_hex(a);
		guest_puts(" != ");
		guest_put_hex(b);
		guest_putc(')');
	}
	guest_putc('\n');
	guest_exit(GUEST_EXIT_FAIL);
}

void guest_idt_init(void)
{
	uint32_t handler = (uint32_t)guest_irq_stub;
	struct idt_desc desc = { .limit = sizeof(idt) - 1,
				 .base = (uint32_t)idt };

	idt[GUEST_IRQ_VECTOR] = (struct idt_gate) {
		.offset_lo = handler & 0xffff,
		.selector = 0x08,
		.type = 0x8e,
		.offset_hi = handler >> 16,
	};
	__asm__ volatile("lidt %0" : : "m"(desc));
}

__attribute__((weak)) void guest_irq_handler(void)
{
}

__attribute__((weak)) void guest_ap_main(unsigned cpu)
{
}

/* From start.S: vCPU 0 runs the test, the others their part, then halt. */
void guest_entry(unsigned cpu);
void guest_entry(unsigned cpu)
{
	if (cpu == 0)
		guest_exit(guest_main());
	guest_ap_main(cpu);
	for (;;)
		__asm__ volatile("cli; hlt");
}
