// SPDX-License-Identifier: MIT
/*
 * MSI-X: blk0's queue 0 signals MSI-X table entry 0, programmed with the
 * local APIC's address and vector VIRTIO_VECTOR_BASE + 1. Each of four
 * reads completes with exactly one interrupt on that vector, INTx stays
 * quiet (the I/O APIC line is routed but must never fire).
 */
#include "virtio.h"

#define REQUESTS	4
#define VECTOR		(VIRTIO_VECTOR_BASE + 1)

static struct virtq_mem queue;
static uint8_t buf[512] __attribute__((aligned(16)));
static struct virtio_blk_req hdr;
static volatile uint8_t status;

int guest_main(void)
{
	struct virtio_dev d;

	irq_init();
	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, 0);
	GUEST_ASSERT(d.msix_cap != 0);
	GUEST_ASSERT(d.msix_size >= 1);
	ioapic_route_level(BOARD_BLK0_IRQ, VIRTIO_VECTOR_INTX);
	virtio_init(&d, 0);
	virtio_msix_enable(&d);
	virtio_msix_set(&d, 0, VECTOR);
	virtio_common_write16(&d, VIRTIO_COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
	virtio_setup_queue(&d, 0, &queue, 16, 0);
	virtio_driver_ok(&d);

	for (uint32_t n = 1; n <= REQUESTS; n++) {
		struct virtq_buf b[3] = {
			{ &hdr, sizeof(hdr), false },
			{ buf, sizeof(buf), true },
			{ (const void *)&status, 1, true },
		};

		hdr.type = VIRTIO_BLK_T_IN;
		hdr.sector = n;
		status = 0xff;
		virtq_add(&d.vq[0], b, 3);
		virtq_kick(&d, &d.vq[0]);
		GUEST_ASSERT(irq_wait(VECTOR, n));
		GUEST_ASSERT_EQ(irq_count[VECTOR], n);
		GUEST_ASSERT(virtq_get(&d.vq[0], NULL, NULL));
		GUEST_ASSERT_EQ(status, VIRTIO_BLK_S_OK);
	}
	GUEST_ASSERT_EQ(irq_count[VIRTIO_VECTOR_INTX], 0);
	guest_puts("virtio msix: ");
	guest_put_dec(REQUESTS);
	guest_puts(" reads, ");
	guest_put_dec(irq_count[VECTOR]);
	guest_puts(" interrupts on vector 0x41, no INTx\n");
	return GUEST_EXIT_PASS;
}
