// SPDX-License-Identifier: MIT
/*
 * The exit benchmark's guest, built once per kind (-DBENCH_<kind>): a loop
 * of BENCH_ITERS accesses of one kind on the bindings board, then exit.
 * `none` runs the same loop without the access: the difference is the
 * cost of the accesses alone.
 */
#include "guest.h"

#ifndef BENCH_ITERS
#define BENCH_ITERS	20000
#endif

#define SCRATCH		0xc
#define FIFO		0x10

static inline void bench_access(uint32_t i)
{
#if defined(BENCH_pio)
	outl(BOARD_PIO_SYNC_PIO_BASE + SCRATCH, i);	/* sync port */
#elif defined(BENCH_mmio)
	mmio_write32(BOARD_MMIO_SYNC_MMIO_BASE + SCRATCH, i); /* sync MMIO */
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
