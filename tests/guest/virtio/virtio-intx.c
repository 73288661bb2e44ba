// SPDX-License-Identifier: MIT
/*
 * INTx: blk0 without MSI-X interrupts through its board irq, routed
 * level-triggered by the I/O APIC to VIRTIO_VECTOR_INTX. The handler reads
 * the ISR (which lowers the line) and counts the queue interrupts; each of
 * three reads completes with one (waited for with interrupts on, then the
 * used ring must hold the request).
 */
#include "virtio.h"

#define REQUESTS	3

static struct virtq_mem queue;
static uint8_t buf[512] __attribute__((aligned(16)));
static struct virtio_blk_req hdr;
static volatile uint8_t status;
static struct virtio_dev d;
static volatile uint32_t isr_queue, isr_empty;

/*
 * Only interrupts whose ISR says "queue" count as the device's: a level
 * line may be shared, so a driver must expect to be called with nothing
 * to do (Linux's vp_interrupt returns IRQ_NONE then), and such calls are
 * counted apart.
 */
void guest_vector_handler(uint32_t vector)
{
	if (vector == VIRTIO_VECTOR_INTX) {
		uint8_t isr = virtio_isr_read(&d);

		if (isr & VIRTIO_ISR_QUEUE) {
			isr_queue++;
			irq_count[vector]++;
		} else {
			isr_empty++;
		}
	} else {
		irq_count[vector & 0xff]++;
	}
	lapic_eoi();
}

int guest_main(void)
{
	uint8_t pin;

	irq_init();
	virtio_probe(&d, PCI_DEVICE_VIRTIO_BLK, 0);
	pin = pci_read8(&d.pci, PCI_INTERRUPT_PIN);
	GUEST_ASSERT(pin >= 1 && pin <= 4);
	ioapic_route_level(BOARD_BLK0_IRQ, VIRTIO_VECTOR_INTX);
	virtio_intx_enable(&d, true);
	virtio_init(&d, 0);
	virtio_setup_queue(&d, 0, &queue, 16, VIRTIO_MSI_NO_VECTOR);
	/* Interrupts wanted after all: the ring's flag says so. */
	queue.avail.flags = 0;
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
		GUEST_ASSERT(irq_wait(VIRTIO_VECTOR_INTX, n));
		GUEST_ASSERT(virtq_get(&d.vq[0], NULL, NULL));
		GUEST_ASSERT_EQ(status, VIRTIO_BLK_S_OK);
	}
	GUEST_ASSERT_EQ(isr_queue, REQUESTS);
	/* The ISR read lowered the line: no interrupt pending any more. */
	GUEST_ASSERT(!(pci_read16(&d.pci, PCI_STATUS) & PCI_STATUS_INTERRUPT));
	guest_puts("virtio intx: ");
	guest_put_dec(REQUESTS);
	guest_puts(" reads, ");
	guest_put_dec(isr_queue);
	guest_puts(" INTx interrupts on irq ");
	guest_put_dec(BOARD_BLK0_IRQ);
	guest_puts(", ISR read lowers the line\n");
	return GUEST_EXIT_PASS;
}
