// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: virtio-vsock's queues and its host side together
 * (devices/virtio-vsock.c), the way a hostile guest and a confused host
 * program drive them. The device has a real --vsock backend in a
 * temporary directory (made once per process); its three queues are
 * set up at fixed places in a fake guest RAM (one 1 MiB span at 0), and
 * the input is a program of operations, each an opcode byte and its
 * operands (missing bytes read as 0):
 *
 *   packet    op, src port, dst port (1 each, small: they collide), flags,
 *             buf_alloc (2, << 4), fwd_cnt (2, << 4), payload length (2,
 *             mod 4096), a "spoil" byte (bit 0 wrong type, 1 wrong CID, 2
 *             len past the chain, 3 payload in a second descriptor, 4
 *             header split over two): a guest tx packet, kicked
 *   raw tx    descriptor count (1), then per descriptor an offset (2),
 *             length (2), flags (1), next (1) into the tx area: anything
 *   rx        count (1), length (2): rx buffers posted (single, writable,
 *             or readable when the length's top bit is set), kicked
 *   connect   port (1): a host program dials PATH, writes CONNECT <port>
 *   line      count (1), bytes: a host program dials PATH and writes them
 *   write     slot (1), count (1): that many bytes to host socket slot
 *   read      slot (1): read what is there
 *   shut      slot (1), how (1): shutdown(SHUT_WR) or close the slot
 *   listen    port (1): a host listener at PATH_<port>; accepts later
 *   accept    port (1): accept what waits on that listener
 *   io        the I/O thread: poll_ready() while the device fd is ready
 *   reset     the driver resets the device and sets it up again
 *   take      the guest consumes rx (each used entry checked)
 *
 * After the program: host sockets closed, the device served a last time
 * and destroyed. Besides the sanitizers, the process's fd count must be
 * what it was before the input (no socket leaks), and every used rx
 * entry must hold a header and no more than a buffer.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "board-tables.h"
#include "device.h"
#include "guest-ram.h"
#include "virtio-pci.h"
#include "virtio-vsock.h"
#include "virtqueue.h"

extern const struct device_ops virtio_vsock_pci_ops;

#define RAM_SIZE	0x100000
#define QSIZE		16
#define RING(q)		(0x1000 + (q) * 0x1000)	/* desc; avail +0x400, used +0x800 */
#define RXBUF		0x10000			/* QSIZE x RXSTRIDE */
#define RXSTRIDE	0x2000
#define TXAREA		0x40000			/* 0x10000 bytes */
#define TXAREA_SIZE	0x10000
#define NR_SLOTS	8			/* host sockets */
#define NR_LISTEN	4
#define GUEST_CID	3

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static uint8_t *ram_mem;
static struct guest_ram ram;
static struct device_host host;
static struct board_device desc;
static struct board_prop props[1];
static struct device dev;
static struct host_vsock vsock;
static char dir[64], path[96];
static int slots[NR_SLOTS];
static int listeners[NR_LISTEN];
static uint16_t rx_next, tx_next, rx_seen;

static uint64_t take(struct input *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b = in->pos < in->size ? in->data[in->pos] : 0;

		if (in->pos < in->size)
			in->pos++;
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static void *gpa(uint64_t a)
{
	return guest_ram_ptr(&ram, a, 1);
}

static void bar_write(uint64_t off, uint64_t v, unsigned len)
{
	uint8_t data[8];

	device_data_put(data, len, v);
	dev.ops->mmio_write(&dev, off, data, len);
}

static void kick(unsigned q)
{
	bar_write(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * q, q, 2);
}

static void driver_up(void)
{
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	memset(ram_mem, 0, 0x4000);
	bar_write(VIRTIO_PCI_STATUS, s, 1);
	bar_write(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_GF, 1, 4);
	bar_write(VIRTIO_PCI_STATUS, s | VIRTIO_STATUS_FEATURES_OK, 1);
	for (unsigned q = 0; q < 3; q++) {
		bar_write(VIRTIO_PCI_Q_SELECT, q, 2);
		bar_write(VIRTIO_PCI_Q_SIZE, QSIZE, 2);
		bar_write(VIRTIO_PCI_Q_DESCLO, RING(q), 8);
		bar_write(VIRTIO_PCI_Q_AVAILLO, RING(q) + 0x400, 8);
		bar_write(VIRTIO_PCI_Q_USEDLO, RING(q) + 0x800, 8);
		bar_write(VIRTIO_PCI_Q_ENABLE, 1, 2);
	}
	bar_write(VIRTIO_PCI_STATUS, s | VIRTIO_STATUS_FEATURES_OK |
		  VIRTIO_STATUS_DRIVER_OK, 1);
	rx_next = tx_next = rx_seen = 0;
}

static struct virtq_desc *ring_desc(unsigned q)
{
	return gpa(RING(q));
}

static struct virtq_avail *ring_avail(unsigned q)
{
	return gpa(RING(q) + 0x400);
}

static struct virtq_used *ring_used(unsigned q)
{
	return gpa(RING(q) + 0x800);
}

/* Make the chain at descriptor `head` available on queue q. */
static void publish(unsigned q, uint16_t head)
{
	struct virtq_avail *a = ring_avail(q);

	a->ring[a->idx % QSIZE] = head % QSIZE;
	__atomic_store_n(&a->idx, a->idx + 1, __ATOMIC_RELEASE);
}

static void desc_set(unsigned q, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	ring_desc(q)[i % QSIZE] = (struct virtq_desc) { addr, len, flags,
							next };
}

static void op_packet(struct input *in)
{
	struct vsock_hdr h = {
		.src_cid = GUEST_CID, .dst_cid = VSOCK_HOST_CID,
		.type = VSOCK_TYPE_STREAM,
	};
	uint8_t *buf = gpa(TXAREA);
	uint32_t len;
	uint8_t spoil;
	uint16_t d = tx_next % QSIZE;

	h.op = take(in, 1) % 9;
	h.src_port = take(in, 1) % 4;
	h.dst_port = take(in, 1) % 4;
	h.flags = take(in, 1);
	h.buf_alloc = take(in, 2) << 4;
	h.fwd_cnt = take(in, 2) << 4;
	len = take(in, 2) % 4096;
	spoil = take(in, 1);
	h.len = len;
	if (spoil & 1)
		h.type = 2;
	if (spoil & 2)
		h.src_cid = 77;
	if (spoil & 4)
		h.len = len + 1;
	memcpy(buf, &h, sizeof(h));
	for (uint32_t i = 0; i < len; i++)
		buf[VSOCK_HDR_BYTES + i] = i;
	if (spoil & 16) {
		/* The header split across two descriptors, payload after. */
		desc_set(1, d, TXAREA, 20, VIRTQ_DESC_F_NEXT, (d + 1) % QSIZE);
		desc_set(1, d + 1, TXAREA + 20, VSOCK_HDR_BYTES - 20 + len, 0,
			 0);
		tx_next += 2;
	} else if (spoil & 8) {
		desc_set(1, d, TXAREA, VSOCK_HDR_BYTES, VIRTQ_DESC_F_NEXT,
			 (d + 1) % QSIZE);
		desc_set(1, d + 1, TXAREA + VSOCK_HDR_BYTES, len, 0, 0);
		tx_next += 2;
	} else {
		desc_set(1, d, TXAREA, VSOCK_HDR_BYTES + len, 0, 0);
		tx_next++;
	}
	publish(1, d);
	kick(VSOCK_QUEUE_TX);
}

static void op_raw_tx(struct input *in)
{
	unsigned n = take(in, 1) % 5 + 1;
	uint16_t head = tx_next % QSIZE;

	for (unsigned i = 0; i < n; i++) {
		uint32_t off = take(in, 2);
		uint32_t len = take(in, 2);
		uint16_t flags = take(in, 1) & 7;
		uint16_t next = take(in, 1);

		desc_set(1, tx_next++, TXAREA + off % TXAREA_SIZE, len, flags,
			 next);
	}
	publish(1, head);
	kick(VSOCK_QUEUE_TX);
}

static void op_rx(struct input *in)
{
	unsigned n = take(in, 1) % QSIZE + 1;
	uint32_t len = take(in, 2);
	bool readable = len & 0x8000;

	len &= RXSTRIDE - 1;
	for (unsigned i = 0; i < n; i++, rx_next++) {
		uint16_t d = rx_next % QSIZE;

		desc_set(0, d, RXBUF + d * RXSTRIDE, len,
			 readable ? 0 : VIRTQ_DESC_F_WRITE, 0);
		publish(0, d);
	}
	kick(VSOCK_QUEUE_RX);
}

/*
 * The guest consumes what the device put on rx. A used entry names a
 * descriptor of the ring and holds a header and no more than a buffer
 * (the guest may have reposted a slot in use: the contents are not
 * checked against it).
 */
static void op_take(void)
{
	struct virtq_used *u = ring_used(0);

	while (rx_seen != u->idx) {
		struct virtq_used_elem e = u->ring[rx_seen++ % QSIZE];

		if (e.id >= QSIZE || e.len < VSOCK_HDR_BYTES ||
		    e.len > RXSTRIDE)
			abort();
	}
}

static int dial(const char *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int *free_slot(void)
{
	for (unsigned i = 0; i < NR_SLOTS; i++)
		if (slots[i] < 0)
			return &slots[i];
	return NULL;
}

static void slot_write(int fd, const void *buf, size_t len)
{
	if (fd >= 0 && send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return;		/* full or closed: what a host sees too */
}

static void op_connect(struct input *in)
{
	int *s = free_slot();
	char line[32];
	int n = snprintf(line, sizeof(line), "CONNECT %u\n",
			 (unsigned)take(in, 1) % 4);

	if (!s || (*s = dial(path)) < 0)
		return;
	slot_write(*s, line, n);
}

static void op_line(struct input *in)
{
	unsigned n = take(in, 1) % 48;
	char buf[48];
	int *s = free_slot();

	for (unsigned i = 0; i < n; i++)
		buf[i] = take(in, 1);
	if (!s || (*s = dial(path)) < 0)
		return;
	slot_write(*s, buf, n);
}

static void op_write(struct input *in)
{
	static uint8_t buf[8192];
	unsigned slot = take(in, 1) % NR_SLOTS;
	unsigned n = take(in, 1) * 32;

	memset(buf, 'h', sizeof(buf));
	slot_write(slots[slot], buf, n);
}

static void op_read(struct input *in)
{
	static uint8_t buf[65536];
	int fd = slots[take(in, 1) % NR_SLOTS];

	if (fd >= 0 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
		return;
}

static void op_shut(struct input *in)
{
	unsigned slot = take(in, 1) % NR_SLOTS;
	bool full = take(in, 1) & 1;

	if (slots[slot] < 0)
		return;
	if (!full) {
		shutdown(slots[slot], SHUT_WR);
		return;
	}
	close(slots[slot]);
	slots[slot] = -1;
}

static void op_listen(struct input *in)
{
	unsigned port = take(in, 1) % NR_LISTEN;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (listeners[port] >= 0)
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", path, port);
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
			listen(fd, 4) < 0)) {
		close(fd);
		fd = -1;
	}
	listeners[port] = fd;
}

static void op_accept(struct input *in)
{
	unsigned port = take(in, 1) % NR_LISTEN;
	int *s = free_slot(), fd;

	if (listeners[port] < 0)
		return;
	fd = accept4(listeners[port], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (s)
		*s = fd;
	else
		close(fd);
}

static void op_io(void)
{
	struct pollfd p = { .fd = dev.ops->poll_fd(&dev), .events = POLLIN };

	for (int i = 0; i < 32 && poll(&p, 1, 0) > 0; i++)
		dev.ops->poll_ready(&dev);
}

static unsigned fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void setup_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	signal(SIGPIPE, SIG_IGN);
	ram_mem = aligned_alloc(4096, RAM_SIZE);
	if (!ram_mem)
		abort();
	guest_ram_add(&ram, 0, RAM_SIZE, ram_mem);
	snprintf(dir, sizeof(dir), "/tmp/fuzz-vsock-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	props[0] = (struct board_prop) { .name = "guest-cid",
					 .number = GUEST_CID };
	desc = (struct board_device) {
		.name = "vsock0", .type = &device_type_virtio_vsock_pci,
		.ops = &virtio_vsock_pci_ops, .irq = 9, .has_mmio = true,
		.props = props, .nr_props = 1, .pci_slot = 4,
		.bar_size = 0x4000, .srcpos = "fuzz-vsock.c:1:1",
	};
	vsock = (struct host_vsock) { "vsock0", path, 0 };
	host.ram = &ram;
	host.vsocks = &vsock;
	host.nr_vsocks = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	unsigned before;

	setup_once();
	before = fd_count();
	memset(ram_mem, 0, RAM_SIZE);
	for (unsigned i = 0; i < NR_SLOTS; i++)
		slots[i] = -1;
	for (unsigned i = 0; i < NR_LISTEN; i++)
		listeners[i] = -1;
	dev = (struct device) { .desc = &desc, .ops = &virtio_vsock_pci_ops,
				.host = &host, .irq = { .gsi = -1 } };
	if (dev.ops->init(&dev) < 0)
		abort();
	driver_up();
	for (unsigned steps = 0; in.pos < in.size && steps < 512; steps++) {
		switch (take(&in, 1) % 14) {
		case 0: op_packet(&in); break;
		case 1: op_raw_tx(&in); break;
		case 2: op_rx(&in); break;
		case 3: op_connect(&in); break;
		case 4: op_line(&in); break;
		case 5: op_write(&in); break;
		case 6: op_read(&in); break;
		case 7: op_shut(&in); break;
		case 8: op_listen(&in); break;
		case 9: op_accept(&in); break;
		case 10: op_io(); break;
		case 11: driver_up(); break;
		case 12: op_take(); break;
		default: op_packet(&in); op_io(); op_take(); break;
		}
	}
	for (unsigned i = 0; i < NR_SLOTS; i++)
		if (slots[i] >= 0)
			close(slots[i]);
	op_io();
	op_take();
	dev.ops->destroy(&dev);
	for (unsigned i = 0; i < NR_LISTEN; i++) {
		char p[128];

		if (listeners[i] < 0)
			continue;
		close(listeners[i]);
		snprintf(p, sizeof(p), "%s_%u", path, i);
		unlink(p);
	}
	if (fd_count() != before)
		abort();		/* a socket leaked */
	return 0;
}
