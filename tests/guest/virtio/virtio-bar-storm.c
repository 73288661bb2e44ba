// SPDX-License-Identifier: MIT
/*
 * A BAR-move storm with 2 vCPUs: vCPU 1 moves rng0's BAR0 back and forth
 * STORM_MOVES times (each move re-registers its 32 doorbells with KVM)
 * while vCPU 0 keeps reading blk0 through its doorbell, every read
 * checked, and reads the PCI address port 0xcf8 (which takes the PCI
 * host's lock) in between, timing each read with the TSC. At the end rng0
 * works where it was left and blk0 never failed.
 *
 * The "bench:" lines are for bench/barmove: vCPU 0's 0xcf8 reads before
 * the storm and during it, and vCPU 1's moves, in TSC ticks. A VMM that
 * held the PCI lock across the KVM ioctls of a move would show vCPU 0
 * waiting a whole move for a port read.
 */
#include "virtio.h"

#define STORM_MOVES		100
#define STORM_READS		50
#define PROBES			64	/* 0xcf8 reads per sample */
#define SAMPLES_MAX		4096
#define SPIN_MAX		400000000u

static struct virtq_mem blk_queue, rng_queue;
static uint8_t buf[512] __attribute__((aligned(16)));
static uint8_t entropy[16] __attribute__((aligned(16)));
static struct virtio_dev blk, rng;
static uint32_t storm_a, storm_b;
static volatile uint32_t storm_go, storm_done;
static uint32_t move_ticks[STORM_MOVES];
static uint32_t before[SAMPLES_MAX], during[SAMPLES_MAX];

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* vCPU 1: the storm. Config space is its alone meanwhile. */
void guest_ap_main(unsigned cpu)
{
	while (!__atomic_load_n(&storm_go, __ATOMIC_ACQUIRE))
		guest_pause();
	for (unsigned i = 0; i < STORM_MOVES; i++) {
		uint64_t t0 = rdtsc();

		pci_bar_set(&rng.pci, 0, i & 1 ? storm_a : storm_b);
		move_ticks[i] = rdtsc() - t0;
	}
	__atomic_store_n(&storm_done, 1, __ATOMIC_RELEASE);
}

/* The longest of PROBES reads of 0xcf8, in ticks. */
static uint32_t probe_cf8(void)
{
	uint32_t worst = 0;

	for (unsigned i = 0; i < PROBES; i++) {
		uint64_t t0 = rdtsc();
		uint32_t dt;

		inl(0xcf8);
		dt = rdtsc() - t0;
		if (dt > worst)
			worst = dt;
	}
	return worst;
}

static void blk_read_ok(uint64_t sector)
{
	GUEST_ASSERT_EQ(virtio_blk_rw(&blk, VIRTIO_BLK_T_IN, sector, buf,
				      sizeof(buf)), VIRTIO_BLK_S_OK);
}

static void rng_works(void)
{
	struct virtq_buf b = { entropy, sizeof(entropy), true };
	uint32_t id, len;

	virtio_init(&rng, 0);
	virtio_setup_queue(&rng, 0, &rng_queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&rng);
	virtq_add(&rng.vq[0], &b, 1);
	virtq_kick(&rng, &rng.vq[0]);
	virtq_wait(&rng.vq[0], &id, &len);
	GUEST_ASSERT_EQ(len, sizeof(entropy));
}

static void sort(uint32_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void report(const char *what, uint32_t *v, unsigned n)
{
	sort(v, n);
	guest_puts("bench: ");
	guest_puts(what);
	guest_puts(" samples ");
	guest_put_dec(n);
	guest_puts(" median ");
	guest_put_dec(v[n / 2]);
	guest_puts(" p90 ");
	guest_put_dec(v[n * 9 / 10]);
	guest_puts(" max ");
	guest_put_dec(v[n - 1]);
	guest_puts(" ticks\n");
}

int guest_main(void)
{
	unsigned nb = 0, nd = 0, reads = 0;

	virtio_probe(&rng, PCI_DEVICE_VIRTIO_RNG, 0);
	virtio_probe(&blk, PCI_DEVICE_VIRTIO_BLK, 0);
	virtio_init(&blk, 0);
	virtio_setup_queue(&blk, 0, &blk_queue, 16, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&blk);
	/* Two free places above every BAR, naturally aligned. */
	storm_a = (pci_bars_end() + rng.bar0_size - 1) & ~(rng.bar0_size - 1);
	storm_b = storm_a + rng.bar0_size;

	for (nb = 0; nb < 256; nb++)
		before[nb] = probe_cf8();
	__atomic_store_n(&storm_go, 1, __ATOMIC_RELEASE);
	for (uint32_t spin = 0; spin < SPIN_MAX &&
	     !__atomic_load_n(&storm_done, __ATOMIC_ACQUIRE); spin++) {
		if (reads < STORM_READS)
			blk_read_ok(reads++ % 2048);
		if (nd < SAMPLES_MAX)
			during[nd++] = probe_cf8();
	}
	GUEST_ASSERT(storm_done);
	while (reads < STORM_READS)
		blk_read_ok(reads++ % 2048);

	rng.bar0 = STORM_MOVES & 1 ? storm_b : storm_a;	/* the last move */
	rng_works();
	report("cf8 before storm", before, nb);
	report("cf8 during storm", during, nd);
	report("move", move_ticks, STORM_MOVES);
	guest_puts("virtio bar storm: ");
	guest_put_dec(STORM_MOVES);
	guest_puts(" moves of rng0 on cpu 1, ");
	guest_put_dec(reads);
	guest_puts(" blk0 reads on cpu 0 ok, rng0 works where it was left\n");
	return GUEST_EXIT_PASS;
}
