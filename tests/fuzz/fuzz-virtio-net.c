// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the virtio-net model (devices/virtio-net.c) driven by
 * a hostile driver and a hostile network at once. The device runs over a
 * fake guest RAM (one 64 KiB span at 0) with a SOCK_SEQPACKET socketpair
 * as its tap; the input is:
 *
 *   header   driver features (8), then the RAM image: length (2) and that
 *            many bytes copied to RAM from 0
 *   program  opcodes, each with its operands (missing bytes read as 0):
 *              up         reset, negotiate the header's features, both
 *                         queues: size (1, as 1 << (n % 9)), descriptor,
 *                         avail, used addresses (2 each), DRIVER_OK
 *              frame      the network sends one: length (2), bytes from
 *                         the input (the rest zero)
 *              ready      the I/O thread's poll_ready()
 *              kick       queue (1): a notify write
 *              poke       offset (2), count (1), bytes: the driver
 *                         writes RAM (descriptors, avail index, ...)
 *              bar        offset (2, within BAR0), width (1), value (4):
 *                         any register write
 *              drain      read what the device transmitted
 *   then the device is destroyed.
 *
 * The oracle is the sanitizers: nothing outside RAM or the device's own
 * buffers is touched, whatever the rings or frames say.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "board-tables.h"
#include "device.h"
#include "guest-ram.h"
#include "virtio-pci.h"

#define RAM_SIZE	0x10000u

extern const struct device_ops virtio_net_pci_ops;

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static uint8_t ram_image[RAM_SIZE] __attribute__((aligned(4096)));
static uint8_t frame[70000];
static struct guest_ram ram;
static struct device_host host;
static struct host_net net;
static struct board_device desc;
static struct device dev;
static uint64_t features;

static const struct board_prop props[] = {
	{ "mac", PROP_STRING, 0, "" },
	{ "queue-size", PROP_NUMBER, 256, "256" },
	{ "offloads", PROP_BOOL, 1, "true" },
	{ "mrg-rxbuf", PROP_BOOL, 1, "true" },
	{ "event-idx", PROP_BOOL, 1, "true" },
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		if (in->pos < in->size)
			v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

static int fake_set_offload(const struct host_net *n, unsigned flags)
{
	return 0;
}

static void fake_set_level(struct irq_line *line, int level)
{
}

static void bar_write(uint64_t off, uint64_t v, unsigned len)
{
	uint8_t data[8];

	device_data_put(data, len, v);
	dev.ops->mmio_write(&dev, off, data, len);
}

static void op_up(struct input *in)
{
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	bar_write(VIRTIO_PCI_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
		  VIRTIO_STATUS_DRIVER, 1);
	bar_write(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_write(VIRTIO_PCI_GF, (uint32_t)features, 4);
	bar_write(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_GF, features >> 32, 4);
	bar_write(VIRTIO_PCI_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
		  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK, 1);
	for (unsigned q = 0; q < 2; q++) {
		bar_write(VIRTIO_PCI_Q_SELECT, q, 2);
		bar_write(VIRTIO_PCI_Q_SIZE, 1u << (take(in, 1) % 9), 2);
		bar_write(VIRTIO_PCI_Q_DESCLO, take(in, 2), 8);
		bar_write(VIRTIO_PCI_Q_AVAILLO, take(in, 2), 8);
		bar_write(VIRTIO_PCI_Q_USEDLO, take(in, 2), 8);
		bar_write(VIRTIO_PCI_Q_ENABLE, 1, 2);
	}
	bar_write(VIRTIO_PCI_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
		  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		  VIRTIO_STATUS_DRIVER_OK, 1);
}

static void op_frame(struct input *in, int peer)
{
	size_t len = take(in, 2), n = 0;

	memset(frame, 0, len);
	while (n < len && in->pos < in->size)
		frame[n++] = in->data[in->pos++];
	if (write(peer, frame, len) < 0)
		return;			/* full: the network drops it */
}

static void op_poke(struct input *in)
{
	uint32_t offset = take(in, 2) % RAM_SIZE;
	unsigned count = take(in, 1) % 16;

	for (unsigned i = 0; i < count; i++)
		ram_image[(offset + i) % RAM_SIZE] = take(in, 1);
}

static void op_bar(struct input *in)
{
	static const unsigned widths[] = { 1, 2, 4, 8 };
	uint64_t off = take(in, 2) % VIRTIO_PCI_BAR_SIZE;
	unsigned len = widths[take(in, 1) % 4];

	bar_write(off & ~(uint64_t)(len - 1), take(in, 4), len);
}

static void op_drain(int peer)
{
	while (read(peer, frame, sizeof(frame)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .data = data, .size = size };
	int sock[2];
	size_t image;

	if (!ram.nr && guest_ram_add(&ram, 0, RAM_SIZE, ram_image) < 0)
		abort();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sock) < 0)
		abort();
	memset(ram_image, 0, sizeof(ram_image));
	features = take(&in, 8);
	image = take(&in, 2) % (RAM_SIZE + 1);
	for (size_t i = 0; i < image && in.pos < in.size; i++)
		ram_image[i] = in.data[in.pos++];

	net = (struct host_net) { .ifname = "fuzz", .fd = sock[0],
				  .set_offload = fake_set_offload,
				  .vhost_fd = -1 };
	host = (struct device_host) { .ram = &ram, .nets = &net, .nr_nets = 1 };
	desc = (struct board_device) {
		.name = "virtio-net0", .type = &device_type_virtio_net_pci,
		.ops = &virtio_net_pci_ops, .irq = 10, .has_mmio = true,
		.props = props, .nr_props = sizeof(props) / sizeof(props[0]),
		.bar_size = VIRTIO_PCI_BAR_SIZE, .srcpos = "fuzz",
	};
	dev = (struct device) {
		.desc = &desc, .ops = &virtio_net_pci_ops, .host = &host,
		.irq = { .set_level = fake_set_level, .gsi = 10 },
	};
	if (dev.ops->init(&dev) < 0)
		abort();

	while (in.pos < in.size) {
		switch (take(&in, 1) % 7) {
		case 0:
			op_up(&in);
			break;
		case 1:
			op_frame(&in, sock[1]);
			break;
		case 2:
			dev.ops->poll_ready(&dev);
			break;
		case 3:
			bar_write(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT *
				  (take(&in, 1) % 4), 0, 2);
			break;
		case 4:
			op_poke(&in);
			break;
		case 5:
			op_bar(&in);
			break;
		default:
			op_drain(sock[1]);
			break;
		}
	}
	dev.ops->destroy(&dev);
	close(sock[0]);
	close(sock[1]);
	return 0;
}
