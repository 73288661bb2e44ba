// SPDX-License-Identifier: MIT
/*
 * bench-virtio guest: BENCH_REQS 4 KiB reads from a virtio-blk device of
 * the virtio-guest board, BENCH_QD requests posted per doorbell, the used
 * ring polled (no interrupts). BENCH_DEV 0 is blk0 (doorbell async), 1 is
 * blk1 (doorbell bound sync); BENCH_REQS 0 measures the setup alone.
 */
#include "virtio.h"

#define BLOCK		4096
#define SECTORS		(BLOCK / VIRTIO_BLK_SECTOR)
#define DISK_BLOCKS	2048		/* an 8 MiB disk (run.sh) */
#define QD_MAX		16

static struct virtq_mem queue;
static uint8_t data[QD_MAX][BLOCK] __attribute__((aligned(4096)));
static struct virtio_blk_req hdr[QD_MAX];
static volatile uint8_t status[QD_MAX];

/* Post `n` reads starting at block `block`, ring once, wait for all. */
static void read_batch(struct virtio_dev *d, uint32_t block, unsigned n)
{
	struct virtq *vq = &d->vq[0];

	for (unsigned i = 0; i < n; i++) {
		struct virtq_buf b[3] = {
			{ &hdr[i], sizeof(hdr[i]), false },
			{ data[i], BLOCK, true },
			{ (const void *)&status[i], 1, true },
		};

		hdr[i].type = VIRTIO_BLK_T_IN;
		hdr[i].sector = (uint64_t)((block + i) % DISK_BLOCKS) * SECTORS;
		status[i] = 0xff;
		virtq_add(vq, b, 3);
	}
	virtq_kick(d, vq);
	for (unsigned i = 0; i < n; i++)
		virtq_wait(vq, NULL, NULL);
	for (unsigned i = 0; i < n; i++)
		GUEST_ASSERT_EQ(status[i], VIRTIO_BLK_S_OK);
}

int guest_main(void)
{
	struct virtio_dev d;

	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, BENCH_DEV);
	virtio_init(&d, 0);
	virtio_setup_queue(&d, 0, &queue, 64, VIRTIO_MSI_NO_VECTOR);
	GUEST_ASSERT(d.vq[0].size >= 3 * BENCH_QD);
	virtio_driver_ok(&d);
	for (int32_t done = 0; done < BENCH_REQS; done += BENCH_QD)
		read_batch(&d, done, BENCH_QD);
	return GUEST_EXIT_PASS;
}
