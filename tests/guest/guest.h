/* SPDX-License-Identifier: MIT */
/*
 * The guest test library: freestanding 32-bit code run by boardvm --flat.
 * Ports and addresses come from the board's generated board.h (built with
 * -DBOARD_GUEST -Igenerated/<board>), never from constants here.
 *
 * A guest defines guest_main() (vCPU 0) and optionally guest_ap_main()
 * (the other vCPUs); guest_main's return value is the exit status, sent
 * through the board's debug-exit port. Output goes to COM1.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"

#define GUEST_LOAD_ADDR		0x100000	/* guest.ld */

/* Exit statuses, away from boardvm's own (0-4, 128+). */
#define GUEST_EXIT_PASS		33
#define GUEST_EXIT_FAIL		34

#define GUEST_IRQ_VECTOR	0x30

/* Ports */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* String I/O: one exit for `count` items. */
static inline void outsb(uint16_t port, const void *buf, uint32_t count)
{
	__asm__ volatile("cld; rep outsb"
			 : "+S"(buf), "+c"(count) : "d"(port) : "memory");
}

static inline void insb(uint16_t port, void *buf, uint32_t count)
{
	__asm__ volatile("cld; rep insb"
			 : "+D"(buf), "+c"(count) : "d"(port) : "memory");
}

/* MMIO: volatile accesses of exactly the size named. */
static inline void mmio_write8(uint32_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

static inline void mmio_write16(uint32_t addr, uint16_t v)
{
	*(volatile uint16_t *)addr = v;
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint8_t mmio_read8(uint32_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline uint16_t mmio_read16(uint32_t addr)
{
	return *(volatile uint16_t *)addr;
}

static inline uint32_t mmio_read32(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

/* 8-byte accesses are one MMX movq (start.S). */
uint64_t mmio_read64(uint32_t addr);
void mmio_write64(uint32_t addr, uint64_t v);

/* COM1 output (the UART transmits instantly: no LSR polling). */
void guest_putc(char c);
void guest_puts(const char *s);
void guest_put_hex(uint32_t v);
void guest_put_dec(uint32_t v);

/* Exit through debug-exit; never returns. */
void guest_exit(int status) __attribute__((noreturn));
void guest_fail(const char *file, int line, const char *what,
		uint32_t a, uint32_t b, bool has_values)
	__attribute__((noreturn));

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_fail(__FILE__, __LINE__, #cond, 0, 0, false); \
	} while (0)

/* Equality of two 32-bit values, both printed on failure. */
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint32_t a_ = (a), b_ = (b);				\
		if (a_ != b_)						\
			guest_fail(__FILE__, __LINE__, #a " == " #b,	\
				   a_, b_, true);			\
	} while (0)

/* Interrupts: an IDT with one vector, GUEST_IRQ_VECTOR. */
void guest_idt_init(void);
void guest_irq_handler(void);			/* the guest's, weak */
static inline void guest_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void guest_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void guest_pause(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* Entry points the guest defines. */
int guest_main(void);
void guest_ap_main(unsigned cpu);		/* weak: halts */

#endif
