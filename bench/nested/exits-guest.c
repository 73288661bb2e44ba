// SPDX-License-Identifier: MIT
/*
 * The nested exit benchmark's guest (bench/nested/exits.sh): the same
 * image under boardvm (--flat, the bindings board) and under QEMU (-kernel,
 * multiboot: multiboot.S), inside L1. Each round times ACCESSES accesses of
 * each kind with the TSC (no exit: KVM lets the guest read it) and prints
 * the TSC ticks per access:
 *   pio_read        a read of the debug-exit port 0x501, a device whose
 *                   read handler does nothing (boardvm's debug-exit, QEMU's
 *                   isa-debug-exit)
 *   pio_unclaimed   a write to port 0x700, where neither VMM has a device
 *   mmio_unclaimed  a write to 0xd0008000, unbacked in both machines
 *   loop            the loop alone
 * Every access is a full exit to the VMM's userspace and back.
 */
#include "guest.h"

#define ROUNDS		5
#define ACCESS_SHIFT	12		/* 4,096 accesses a kind and round */
#define ACCESSES	(1u << ACCESS_SHIFT)
#define DEBUG_PORT	0x501
#define UNCLAIMED_PORT	0x700
#define UNCLAIMED_MMIO	0xd0008000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

enum kind { PIO_READ, PIO_UNCLAIMED, MMIO_UNCLAIMED, LOOP, NR_KINDS };

static const char *const kind_name[NR_KINDS] = {
	"pio_read", "pio_unclaimed", "mmio_unclaimed", "loop",
};

static void access_once(enum kind k, uint32_t i)
{
	switch (k) {
	case PIO_READ:
		__asm__ volatile("" : : "r"(inb(DEBUG_PORT) + i));
		break;
	case PIO_UNCLAIMED:
		outl(UNCLAIMED_PORT, i);
		break;
	case MMIO_UNCLAIMED:
		mmio_write32(UNCLAIMED_MMIO, i);
		break;
	default:
		__asm__ volatile("" : : "r"(i));
		break;
	}
}

/* TSC ticks per access of kind k, over ACCESSES of them. */
static uint32_t ticks_per_access(enum kind k)
{
	uint64_t start = rdtsc();

	for (uint32_t i = 0; i < ACCESSES; i++)
		access_once(k, i);
	return (uint32_t)((rdtsc() - start) >> ACCESS_SHIFT);
}

int guest_main(void)
{
	for (uint32_t r = 1; r <= ROUNDS; r++) {
		guest_puts("exits: round ");
		guest_put_dec(r);
		for (enum kind k = 0; k < NR_KINDS; k++) {
			uint32_t t = ticks_per_access(k);

			guest_puts(" ");
			guest_puts(kind_name[k]);
			guest_puts("=");
			guest_put_dec(t);
		}
		guest_puts("\n");
	}
	return GUEST_EXIT_PASS;
}
