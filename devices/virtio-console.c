// SPDX-License-Identifier: MIT
/*
 * virtio-console ("Console Device", PCI or MMIO): port 0 only (no MULTIPORT),
 * queue 0 receiveq, queue 1 transmitq; Linux calls it hvc0. With the
 * board's `console: true` it is the VMM's stdio console, an alternative to
 * a console UART: what the guest transmits is written to console_out, what
 * the host types (console_in, polled by the I/O thread) fills the guest's
 * receive buffers. Without it, output is dropped and no input arrives.
 *
 * Input the guest has no buffers for waits in a host-side ring
 * (CONSOLE_RING bytes); beyond that it is dropped and counted. Output is
 * written out before the chain is returned, so a guest that waits for
 * its transmit buffer back knows the bytes reached the host.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board-tables.h"
#include "console.h"
#include "virtio-mmio.h"

#define CONSOLE_QUEUE_MAX	64
#define CONSOLE_RX		0
#define CONSOLE_TX		1
#define CONSOLE_RING		4096
#define CONSOLE_CFG_SIZE	12	/* cols, rows, max_nr_ports, emerg_wr */

struct virtio_console {
	struct virtio_pci vp;			/* first: dev->state */
	bool console;
	int in_fd, out_fd;
	bool in_eof;
	uint8_t ring[CONSOLE_RING];		/* host input, not yet given */
	unsigned head, count;
	uint64_t dropped_in, dropped_out;
	struct virtq_req req;
	uint8_t chunk[CONSOLE_RING];
};

static struct virtio_console *to_con(struct virtio_pci *vp)
{
	return (struct virtio_console *)((char *)vp -
					 offsetof(struct virtio_console, vp));
}

/* Write a whole transmit chain out; count what could not be written. */
static void con_output(struct virtio_console *con, const struct virtq_req *req)
{
	for (unsigned i = 0; i < req->nr_out; i++) {
		const uint8_t *p = req->seg[i].host;
		uint32_t left = req->seg[i].len;

		while (left && con->out_fd >= 0) {
			ssize_t n = write(con->out_fd, p, left);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				console_output_failed(con->vp.dev,
						      &con->out_fd, errno);
			if (n <= 0)
				break;
			p += n;
			left -= n;
		}
		con->dropped_out += left;
	}
}

static void con_tx(struct virtio_console *con, struct virtq *vq, unsigned q)
{
	bool pushed = false;
	int r;

	while ((r = virtq_pop(vq, &con->req)) > 0) {
		if (con->console)
			con_output(con, &con->req);
		virtq_push(vq, &con->req, 0);
		pushed = true;
	}
	if (pushed)
		virtio_pci_queue_interrupt(&con->vp, q);
	if (r < 0)
		virtio_pci_set_broken(&con->vp, vq->error);
}

/* Give waiting host input to the guest's receive buffers. */
static void con_rx(struct virtio_console *con)
{
	struct virtq *vq = &con->vp.vq[CONSOLE_RX];
	bool pushed = false;
	int r = 0;

	if (!virtio_pci_driver_ok(&con->vp) || !vq->enabled)
		return;
	while (con->count && (r = virtq_pop(vq, &con->req)) > 0) {
		uint32_t n = 0, room = con->req.in_len;

		while (con->count && n < room) {
			unsigned run = CONSOLE_RING - con->head;

			if (run > con->count)
				run = con->count;
			if (run > room - n)
				run = room - n;
			virtq_copy_to(&con->req, n, con->ring + con->head, run);
			con->head = (con->head + run) % CONSOLE_RING;
			con->count -= run;
			n += run;
		}
		virtq_push(vq, &con->req, n);
		pushed = true;
	}
	if (pushed)
		virtio_pci_queue_interrupt(&con->vp, CONSOLE_RX);
	if (r < 0)
		virtio_pci_set_broken(&con->vp, vq->error);
}

static void con_queue_notify(struct virtio_pci *vp, unsigned q)
{
	struct virtio_console *con = to_con(vp);

	if (q == CONSOLE_TX)
		con_tx(con, &vp->vq[q], q);
	else
		con_rx(con);
}

static void con_reset(struct virtio_pci *vp)
{
	struct virtio_console *con = to_con(vp);

	con->head = con->count = 0;
}

static int con_poll_fd(struct device *dev)
{
	struct virtio_console *con = to_con(dev->state);

	return con->in_eof ? -1 : con->in_fd;
}

/* The I/O thread says console_in is readable. */
static void con_poll_ready(struct device *dev)
{
	struct virtio_console *con = to_con(dev->state);
	ssize_t n;

	if (con->in_fd < 0 || con->in_eof)
		return;
	n = read(con->in_fd, con->chunk, sizeof(con->chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	virtio_pci_lock(&con->vp);
	if (n <= 0)
		con->in_eof = true;
	for (ssize_t i = 0; i < n; i++) {
		if (con->count == CONSOLE_RING) {
			con->dropped_in += n - i;
			break;
		}
		con->ring[(con->head + con->count++) % CONSOLE_RING] =
			con->chunk[i];
	}
	con_rx(con);
	virtio_pci_unlock(&con->vp);
}

static const struct virtio_model con_model = {
	.device_id = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000,		/* communication, other */
	.nr_queues = 2,
	.queue_max = CONSOLE_QUEUE_MAX,
	.config_size = CONSOLE_CFG_SIZE,
	.queue_notify = con_queue_notify,
	.reset = con_reset,
};

static int con_init(struct device *dev)
{
	struct virtio_console *con = calloc(1, sizeof(*con));
	int err;

	if (!con)
		return -ENOMEM;
	console_attach(dev, &con->in_fd, &con->out_fd);
	con->console = con->in_fd >= 0 || con->out_fd >= 0;
	err = virtio_pci_init(&con->vp, dev, &con_model, 0);
	if (err < 0) {
		free(con);
		return err;
	}
	dev->state = &con->vp;
	return 0;
}

static void con_destroy(struct device *dev)
{
	struct virtio_console *con;

	if (!dev->state)
		return;
	con = to_con(dev->state);
	if (con->in_fd >= 0)
		console_restore();
	virtio_pci_destroy(&con->vp);
	free(con);
	dev->state = NULL;
}

const struct device_ops virtio_console_pci_ops = {
	.init			= con_init,
	.reset			= virtio_pci_reset,
	.destroy		= con_destroy,
	.mmio_read		= virtio_pci_mmio_read,
	.mmio_write		= virtio_pci_mmio_write,
	.notify			= virtio_pci_notify,
	.pci_config_read	= virtio_pci_config_read,
	.pci_config_write	= virtio_pci_config_write,
	.poll_fd		= con_poll_fd,
	.poll_ready		= con_poll_ready,
};

const struct device_ops virtio_console_mmio_ops = {
	.init			= con_init,
	.reset			= virtio_pci_reset,
	.destroy		= con_destroy,
	.mmio_read		= virtio_mmio_read,
	.mmio_write		= virtio_mmio_write,
	.notify			= virtio_mmio_notify,
	.poll_fd		= con_poll_fd,
	.poll_ready		= con_poll_ready,
};
