// SPDX-License-Identifier: MIT
/*
 * virtio-console: port 0's transmit queue (queue 1) carries a line to the
 * host, which writes it to its console (stdout); the receive queue (0)
 * gets a buffer, as a driver must give one before input can arrive.
 */
#include "virtio.h"

static struct virtq_mem rxq, txq;
static uint8_t rx[64] __attribute__((aligned(16)));
static const char msg[] = "hello from hvc0\n";

int guest_main(void)
{
	struct virtio_dev d;
	struct virtq_buf rxb = { rx, sizeof(rx), true };
	struct virtq_buf txb = { msg, sizeof(msg) - 1, false };
	uint32_t len = 0;

	virtio_probe(&d, PCI_DEVICE_VIRTIO_CONSOLE, 0);
	virtio_init(&d, 0);
	virtio_setup_queue(&d, 0, &rxq, 8, VIRTIO_MSI_NO_VECTOR);
	virtio_setup_queue(&d, 1, &txq, 8, VIRTIO_MSI_NO_VECTOR);
	virtio_driver_ok(&d);
	virtq_add(&d.vq[0], &rxb, 1);
	virtq_kick(&d, &d.vq[0]);

	virtq_add(&d.vq[1], &txb, 1);
	virtq_kick(&d, &d.vq[1]);
	virtq_wait(&d.vq[1], NULL, &len);
	guest_puts("virtio-console: ");
	guest_put_dec(sizeof(msg) - 1);
	guest_puts(" bytes sent on hvc0\n");
	return GUEST_EXIT_PASS;
}
