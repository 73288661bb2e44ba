// SPDX-License-Identifier: MIT
/*
 * The exit benchmark's guest, built once per kind (-DBENCH_<kind>): a loop
 * of BENCH_ITERS accesses of one kind on the bindings board, then exit.
 * `none` runs the same loop without the access: the difference is the
 * cost of the accesses alone. bench/exits/callgrind.sh builds each kind
 * twice, with BENCH_ITERS and half as many, and subtracts: setup cancels.
 *
 * Kinds: pio, mmio: a write of the doorbell-demo's scratch register (a
 * mutex handler); pio_trivial: a read of the debug-exit port (its handler
 * fills the data with all-ones: the trivial handler); pio_unclaimed,
 * mmio_unclaimed: a write where no region is (dropped, counted);
 * async: an ioeventfd doorbell; coalesced: a write into KVM's ring.
 */
#include "guest.h"

#ifndef BENCH_ITERS
#define BENCH_ITERS	20000
#endif

#define SCRATCH		0xc
#define FIFO		0x10
#define UNCLAIMED_PORT	0x700		/* no device there */
#define UNCLAIMED_MMIO	0xd0008000	/* in the devices window, no device */

static inline void bench_access(uint32_t i)
{
#if defined(BENCH_pio)
	outl(BOARD_PIO_SYNC_PIO_BASE + SCRATCH, i);	/* sync port */
#elif defined(BENCH_mmio)
	mmio_write32(BOARD_MMIO_SYNC_MMIO_BASE + SCRATCH, i); /* sync MMIO */
#elif defined(BENCH_pio_trivial)
	__asm__ volatile("" : : "r"(inl(BOARD_DEBUG_EXIT_PIO_BASE) + i));
#elif defined(BENCH_pio_unclaimed)
	outl(UNCLAIMED_PORT, i);
#elif defined(BENCH_mmio_unclaimed)
	mmio_write32(UNCLAIMED_MMIO, i);
#elif defined(BENCH_async)
	outl(BOARD_PIO_BELL_PIO_BASE, 0);		/* ioeventfd */
#elif defined(BENCH_coalesced)
	mmio_write32(BOARD_MMIO_BELL_MMIO_BASE + FIFO, i); /* KVM's ring */
#elif defined(BENCH_none)
	__asm__ volatile("" : : "r"(i));
#else
#error "build with -DBENCH_pio, _mmio, _async, _coalesced or _none"
#endif
}

int guest_main(void)
{
	for (uint32_t i = 0; i < BENCH_ITERS; i++)
		bench_access(i);
	return GUEST_EXIT_PASS;
}
