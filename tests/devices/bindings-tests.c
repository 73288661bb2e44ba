// SPDX-License-Identifier: MIT
/*
 * Device tests on the bindings board's generated tables: the same
 * doorbell-demo registers reached through every binding (sync, async with
 * and without datamatch, coalesced) in ports and in MMIO, sub-page MMIO
 * dispatch and every access size. No KVM: see harness.h.
 */
#include <pthread.h>
#include <string.h>

#include "doorbell-demo.h"
#include "harness.h"
#include "map-test.h"

#define PIO_BELL	BOARD_PIO_BELL_PIO_BASE
#define PIO_SYNC	BOARD_PIO_SYNC_PIO_BASE
#define MMIO_BELL	BOARD_MMIO_BELL_MMIO_BASE
#define MMIO_SYNC	BOARD_MMIO_SYNC_MMIO_BASE

#define BELL_DOORBELL	0x00
#define BELL_TOTAL	0x04
#define BELL_LAST	0x08
#define BELL_SCRATCH	0x0c
#define BELL_FIFO	0x10
#define BELL_FIFO_SUM	0x14

/* The board_async[] entry of a region (the tables list each once). */
static unsigned async_of(unsigned region)
{
	for (unsigned i = 0; i < board_info.nr_async; i++)
		if (board_async[i].region == region)
			return i;
	test_fail(__FILE__, __LINE__, "region %u has no async entry", region);
	return ~0u;
}

static void test_sync_pio(void)
{
	struct device *bell = dev_by_index(BOARD_DEV_PIO_SYNC);

	outl(PIO_SYNC + BELL_DOORBELL, 0);
	outl(PIO_SYNC + BELL_DOORBELL, 0);
	CHECK_EQ(doorbell_demo_rings(bell, 0), 2);
	CHECK_EQ(inl(PIO_SYNC + BELL_DOORBELL), 2);
	CHECK_EQ(inl(PIO_SYNC + BELL_TOTAL), 2);
	CHECK_EQ(inl(PIO_SYNC + BELL_LAST), 0);
	outl(PIO_SYNC + BELL_SCRATCH, 0xdeadbeef);
	CHECK_EQ(inl(PIO_SYNC + BELL_SCRATCH), 0xdeadbeef);
	outb(PIO_SYNC + BELL_SCRATCH + 1, 0x00);
	CHECK_EQ(inl(PIO_SYNC + BELL_SCRATCH), 0xdead00ef);
	outl(PIO_SYNC + BELL_TOTAL, 99);		/* read-only */
	CHECK_EQ(inl(PIO_SYNC + BELL_TOTAL), 2);
	/* No irq wired: nothing was raised anywhere. */
	for (unsigned gsi = 0; gsi < FAKE_NR_GSI; gsi++)
		CHECK_EQ(fake.sets[gsi], 0);
}

static void test_bad_queue(void)
{
	struct device *bell = dev_by_index(BOARD_DEV_PIO_SYNC);

	outl(PIO_SYNC + BELL_DOORBELL, 1);		/* queues: 1 */
	CHECK_EQ(doorbell_demo_bad_rings(bell), 1);
	CHECK_EQ(inl(PIO_SYNC + BELL_TOTAL), 0);
}

/* An ioeventfd without datamatch: notify(doorbell, slot 0). */
static void test_notify(void)
{
	struct device *bell = dev_by_index(BOARD_DEV_PIO_BELL);
	unsigned a = async_of(region_named("pio-bell.doorbell"));

	fake.ctx.vcpu = ~0u;				/* the I/O thread */
	dispatch_notify(&fake.ctx, a);
	dispatch_notify(&fake.ctx, a);
	CHECK_EQ(doorbell_demo_rings(bell, 0), 2);
	CHECK_EQ(fake.raises[BOARD_PIO_BELL_IRQ], 2);
	CHECK_EQ(fake.level[BOARD_PIO_BELL_IRQ], 0);
	CHECK_EQ(fake.stats[region_named("pio-bell.doorbell")].notifies, 2);
	CHECK_EQ(fake.stats[region_named("pio-bell.doorbell")].writes, 0);
	/* The sync status registers see the async rings. */
	CHECK_EQ(inl(PIO_BELL + BELL_TOTAL), 2);
	/* A sync write to the async doorbell still rings. */
	outl(PIO_BELL + BELL_DOORBELL, 0);
	CHECK_EQ(inl(PIO_BELL + BELL_DOORBELL), 3);
	/* An index past board_async is ignored. */
	dispatch_notify(&fake.ctx, board_info.nr_async);
	CHECK_EQ(inl(PIO_BELL + BELL_TOTAL), 3);
}

/* With a datamatch, the doorbell is that write: queue 1 here. */
static void test_datamatch(void)
{
	struct device *bell = dev_by_index(BOARD_DEV_MMIO_BELL);
	unsigned a = async_of(region_named("mmio-bell.doorbell"));

	CHECK(board_async[a].has_datamatch);
	CHECK_EQ(board_async[a].datamatch, 1);
	dispatch_notify(&fake.ctx, a);
	CHECK_EQ(doorbell_demo_rings(bell, 1), 1);
	CHECK_EQ(doorbell_demo_rings(bell, 0), 0);
	CHECK_EQ(mmio_in(MMIO_BELL + BELL_LAST, 4), 1);
	CHECK_EQ(mmio_in(MMIO_BELL + BELL_TOTAL, 4), 1);
	CHECK_EQ(fake.raises[BOARD_MMIO_BELL_IRQ], 1);
	CHECK_EQ(fake.stats[region_named("mmio-bell.doorbell")].notifies, 1);
}

static uint32_t fifo_sum(const uint32_t *v, unsigned n)
{
	uint32_t h = 0;

	for (unsigned i = 0; i < n; i++)
		h = h * 31 + v[i];
	return h;
}

/* Replayed coalesced writes reach the FIFO in ring order. */
static void test_fifo_order(void)
{
	static const uint32_t v[] = { 1, 2, 3, 0x10000, 7 };
	unsigned n = sizeof(v) / sizeof(*v);
	uint64_t w0, w1;

	for (unsigned i = 0; i < n; i++) {
		dispatch_coalesced(&fake.ctx, true, PIO_BELL + BELL_FIFO +
				   4 * (i % 4), &v[i], 4);
		dispatch_coalesced(&fake.ctx, false, MMIO_BELL + BELL_FIFO,
				   &v[i], 4);
	}
	CHECK_EQ(inl(PIO_BELL + BELL_FIFO), n);
	CHECK_EQ(inl(PIO_BELL + BELL_FIFO_SUM), fifo_sum(v, n));
	CHECK_EQ(mmio_in(MMIO_BELL + BELL_FIFO, 4), n);
	CHECK_EQ(mmio_in(MMIO_BELL + BELL_FIFO_SUM, 4), fifo_sum(v, n));
	CHECK_EQ(fake.stats[region_named("pio-bell.fifo")].coalesced, n);
	CHECK_EQ(fake.stats[region_named("mmio-bell.fifo")].coalesced, n);
	/* The order matters: the same values reversed, through sync. */
	for (unsigned i = n; i-- > 0;)
		outl(PIO_SYNC + BELL_FIFO, v[i]);
	CHECK_EQ(inl(PIO_SYNC + BELL_FIFO), n);
	CHECK(inl(PIO_SYNC + BELL_FIFO_SUM) != fifo_sum(v, n));
	/* A replayed write to unmapped space is dropped and counted. */
	dispatch_unmapped_counts(NULL, &w0);
	stderr_begin();
	dispatch_coalesced(&fake.ctx, false, MMIO_BELL + 0x800, &v[0], 4);
	dispatch_coalesced(&fake.ctx, true, 0x10000, &v[0], 4);
	stderr_end();
	dispatch_unmapped_counts(NULL, &w1);
	CHECK_EQ(w1 - w0, 2);
}

static void test_reset(void)
{
	outl(PIO_SYNC + BELL_DOORBELL, 0);
	outl(PIO_SYNC + BELL_SCRATCH, 5);
	outl(PIO_SYNC + BELL_FIFO, 5);
	machine_devices_reset();
	CHECK_EQ(inl(PIO_SYNC + BELL_TOTAL), 0);
	CHECK_EQ(inl(PIO_SYNC + BELL_SCRATCH), 0);
	CHECK_EQ(inl(PIO_SYNC + BELL_FIFO), 0);
	CHECK_EQ(inl(PIO_SYNC + BELL_FIFO_SUM), 0);
}

static void check_region(uint64_t addr, unsigned want)
{
	unsigned got = dispatch_mmio_region(addr) - board_regions;

	if (got != want)
		test_fail(__FILE__, __LINE__, "0x%llx: region %u (%s), "
			  "expected %u (%s)", (unsigned long long)addr, got,
			  board_regions[got].name, want,
			  board_regions[want].name);
}

static void test_mmio_subpage(void)
{
	check_region(MMIO_BELL + 0x0, region_named("mmio-bell.doorbell"));
	check_region(MMIO_BELL + 0x3, region_named("mmio-bell.doorbell"));
	check_region(MMIO_BELL + 0x4, region_named("mmio-bell.status"));
	check_region(MMIO_BELL + 0xf, region_named("mmio-bell.status"));
	check_region(MMIO_BELL + 0x10, region_named("mmio-bell.fifo"));
	check_region(MMIO_BELL + 0x1f, region_named("mmio-bell.fifo"));
	/* The rest of the page is nobody's, whatever the sub-page map holds. */
	for (uint64_t off = 0x20; off < 0x1000; off += 4)
		check_region(MMIO_BELL + off, 0);
	check_region(MMIO_SYNC + 0x0, region_named("mmio-sync.doorbell"));
	check_region(MMIO_SYNC + 0x8, region_named("mmio-sync.status"));
	check_region(MMIO_SYNC + 0x14, region_named("mmio-sync.fifo"));
	check_region(MMIO_SYNC + 0x20, 0);
	check_region(MMIO_SYNC + 0xfff, 0);
	check_region(MMIO_SYNC + 0x1000, 0);
	check_region(MMIO_BELL - 1, 0);
	check_region(BOARD_IOAPIC_MMIO_BASE, region_named("ioapic.regs"));
	check_region(BOARD_IOAPIC_MMIO_BASE + 0xfff, region_named("ioapic.regs"));
	check_region(BOARD_IOAPIC_MMIO_BASE + 0x1000, 0);
	check_region(BOARD_LAPIC_MMIO_BASE + 0x800, region_named("lapic.regs"));
	/* A sub-page access reaches the device at its block offset. */
	mmio_out(MMIO_SYNC + BELL_SCRATCH, 0x1234, 4);
	CHECK_EQ(mmio_in(MMIO_SYNC + BELL_SCRATCH, 4), 0x1234);
	CHECK_EQ(mmio_in(MMIO_BELL + BELL_SCRATCH, 4), 0);
}

static uint64_t port_in(uint64_t port, unsigned len)
{
	return pio_in(port, len);
}

static void port_out(uint64_t port, uint64_t value, unsigned len)
{
	pio_out(port, value, len);
}

/* 1, 2, 4 and 8 bytes, at every byte offset of a register, both spaces. */
static void every_size(bool pio, uint64_t base)
{
	uint64_t (*in)(uint64_t, unsigned) = pio ? port_in : mmio_in;
	void (*out)(uint64_t, uint64_t, unsigned) = pio ? port_out : mmio_out;
	uint64_t scratch = base + BELL_SCRATCH;

	out(scratch, 0x11223344, 4);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(in(scratch + i, 1), (0x11223344 >> (8 * i)) & 0xff);
	CHECK_EQ(in(scratch, 2), 0x3344);
	CHECK_EQ(in(scratch + 1, 2), 0x2233);
	CHECK_EQ(in(scratch + 2, 2), 0x1122);
	out(scratch + 1, 0xaa, 1);
	CHECK_EQ(in(scratch, 4), 0x1122aa44);
	out(scratch + 2, 0xbbcc, 2);
	CHECK_EQ(in(scratch, 4), 0xbbccaa44);
	/* 8 bytes at +8: last queue (low word) and scratch (high word). */
	out(base + BELL_DOORBELL, 0, 4);
	CHECK_EQ(in(base + BELL_LAST, 8), 0xbbccaa4400000000ull);
	out(base + BELL_LAST, 0x0102030400000000ull, 8);
	CHECK_EQ(in(scratch, 4), 0x01020304);
	CHECK_EQ(in(base + BELL_TOTAL, 8), 0x0000000000000001ull);
	CHECK_EQ(in(base + BELL_DOORBELL, 8), 0x0000000100000001ull);
	/* Sizes that are not 1, 2, 4 or 8: all-ones, nothing written. */
	stderr_begin();
	CHECK_EQ(in(scratch, 3), 0xffffff);
	out(scratch, 0, 3);
	stderr_end();
	CHECK_EQ(in(scratch, 4), 0x01020304);
}

static void test_every_size(void)
{
	every_size(true, PIO_SYNC);
	every_size(false, MMIO_SYNC);
}

#define THREADS		4
#define RINGS_PER_THREAD	500000

static pthread_barrier_t start_line;

/* A vCPU: rings queue 1 of mmio-bell through sync MMIO writes. */
static void *vcpu_thread(void *arg)
{
	struct region_stats stats[BOARD_NR_REGIONS] = { 0 };
	struct dispatch_ctx ctx = { .vcpu = (uintptr_t)arg, .stats = stats };
	uint8_t one[4] = { 1, 0, 0, 0 };

	pthread_barrier_wait(&start_line);
	for (unsigned i = 0; i < RINGS_PER_THREAD; i++)
		dispatch_mmio(&ctx, MMIO_BELL + BELL_DOORBELL, one, 4, true);
	return NULL;
}

/* The I/O thread: the ioeventfd doorbell (datamatch 1: queue 1 too). */
static void *io_thread(void *arg)
{
	struct region_stats stats[BOARD_NR_REGIONS] = { 0 };
	struct dispatch_ctx ctx = { .vcpu = ~0u, .stats = stats };
	unsigned a = (uintptr_t)arg;

	pthread_barrier_wait(&start_line);
	for (unsigned i = 0; i < RINGS_PER_THREAD; i++)
		dispatch_notify(&ctx, a);
	return NULL;
}

/* vCPUs and the I/O thread at once: no ring is lost. */
/* --trace-io names the binding of the region each access went to. */
static void test_trace_binding(void)
{
	unsigned a = async_of(region_named("pio-bell.doorbell"));
	uint32_t v = 5;
	FILE *out = tmpfile();
	char line[256] = "";

	fake.ctx.trace = true;
	fake.ctx.trace_out = out;
	fake.ctx.vcpu = ~0u;
	dispatch_notify(&fake.ctx, a);
	dispatch_coalesced(&fake.ctx, false, MMIO_BELL + BELL_FIFO, &v, 4);
	fake.ctx.vcpu = 1;
	mmio_in(MMIO_BELL + BELL_TOTAL, 4);
	rewind(out);
	CHECK(fgets(line, sizeof(line), out));
	CHECK(!strcmp(line, "trace-io: io pio notify 0x600 len 4 data 0x0 -> "
		      "pio-bell.doorbell+0x0 (async)\n"));
	CHECK(fgets(line, sizeof(line), out));
	CHECK(!strcmp(line, "trace-io: io mmio coalesced 0xd0000010 len 4 "
		      "data 0x5 -> "
		      "mmio-bell.fifo+0x0 (coalesced)\n"));
	CHECK(fgets(line, sizeof(line), out));
	CHECK(!strcmp(line, "trace-io: vcpu1 mmio read 0xd0000004 len 4 "
		      "data 0x0 -> "
		      "mmio-bell.status+0x0 (sync)\n"));
	fclose(out);
}

static void test_threads(void)
{
	struct device *bell = dev_by_index(BOARD_DEV_MMIO_BELL);
	unsigned a = async_of(region_named("mmio-bell.doorbell"));
	pthread_t t[THREADS];

	pthread_barrier_init(&start_line, NULL, THREADS);
	for (uintptr_t i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, i ? vcpu_thread : io_thread,
			       i ? (void *)i : (void *)(uintptr_t)a);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start_line);
	CHECK_EQ(doorbell_demo_rings(bell, 1), THREADS * RINGS_PER_THREAD);
	CHECK_EQ(mmio_in(MMIO_BELL + BELL_TOTAL, 4),
		 THREADS * RINGS_PER_THREAD);
}

static const struct test tests[] = {
	{ "/doorbell-demo/sync-pio", test_sync_pio },
	{ "/doorbell-demo/bad-queue", test_bad_queue },
	{ "/doorbell-demo/notify", test_notify },
	{ "/doorbell-demo/datamatch", test_datamatch },
	{ "/doorbell-demo/fifo-order", test_fifo_order },
	{ "/doorbell-demo/reset", test_reset },
	{ "/doorbell-demo/threads", test_threads },
	{ "/dispatch/trace-io/bindings", test_trace_binding },
	{ "/dispatch/mmio-subpage", test_mmio_subpage },
	{ "/dispatch/every-size", test_every_size },
	{ "/dispatch/constant-time-map/bindings", test_constant_time_map },
	{ NULL, NULL },
};

int main(void)
{
	return tests_run(tests);
}
