// SPDX-License-Identifier: MIT
/*
 * virtio-vsock tests without KVM: the model driven like Linux's
 * vmw_vsock_virtio_transport drives it (rx buffers posted, packets on tx,
 * queue notifications through the notify registers), over a fake guest
 * RAM, with a real --vsock backend in a temporary directory: the host
 * side is plain Unix sockets in this process, and the I/O thread is this
 * test calling poll_ready() when the device's epoll fd is ready.
 *
 * Covered: the CONNECT/OK handshake, guest connections to PATH_<port>,
 * refusals (RST both ways), data both ways, credit (the guest's limits
 * honoured, its overrun reset, CREDIT_REQUEST and unprompted
 * CREDIT_UPDATE), half and full close, device reset, no busy polling
 * without rx buffers, malformed packets and buffers (device broken or
 * RST, never the VMM), and 1,000 connections leaking no fd.
 *
 * One line per test: PASS <name> or FAIL <name>: <first failed check>.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

static const char *current_test;
static unsigned current_failures;

static void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (current_failures++)
		return;
	printf("FAIL %s: %s:%d: ", current_test, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_EQ(got, want)						\
	do {								\
		unsigned long long g_ = (got), w_ = (want);		\
		if (g_ != w_)						\
			test_fail(__FILE__, __LINE__,			\
				  "%s is 0x%llx, expected 0x%llx",	\
				  #got, g_, w_);			\
	} while (0)

/* The fake machine */

#define RAM_SIZE	0x400000		/* 4 MiB at 0 */
#define QSIZE		64
#define RING_GPA(q)	(0x1000 + (q) * 0x4000)	/* desc, avail +0x1000, used +0x2000 */
#define RXBUF_GPA	0x100000		/* QSIZE buffers, RXBUF_STRIDE apart */
#define RXBUF_STRIDE	0x2000
#define RXBUF_LEN	(VSOCK_HDR_BYTES + 4096)
#define TXBUF_GPA	0x200000		/* header + payload, up to 64 KiB */
#define GUEST_CID	3

struct fake {
	uint8_t *ram0;
	struct guest_ram ram;
	struct device_host host;
	struct board_device desc;
	struct board_prop props[1];
	struct device dev;
	struct host_vsock vsock;
	char dir[64], path[96];
	uint16_t rx_seen;		/* rx used entries read so far */
	uint16_t rx_next;		/* next rx buffer slot to post */
	uint16_t tx_next;
};

static struct fake f;

static void fake_signal_msi(struct device_host *host, struct device *dev,
			    unsigned vector, uint64_t addr, uint32_t data)
{
}

static void *gpa(uint64_t addr)
{
	return guest_ram_ptr(&f.ram, addr, 1);
}

static void fake_reset(void)
{
	if (f.dir[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", f.dir);
		if (system(cmd))
			perror("vsock-tests: cleanup");
	}
	free(f.ram0);
	memset(&f, 0, sizeof(f));
	f.ram0 = aligned_alloc(4096, RAM_SIZE);
	if (!f.ram0) {
		perror("vsock-tests: guest RAM");
		exit(2);
	}
	memset(f.ram0, 0, RAM_SIZE);
	guest_ram_add(&f.ram, 0, RAM_SIZE, f.ram0);
	snprintf(f.dir, sizeof(f.dir), "/tmp/vsock-test-XXXXXX");
	if (!mkdtemp(f.dir)) {
		perror("vsock-tests: mkdtemp");
		exit(2);
	}
	snprintf(f.path, sizeof(f.path), "%s/v.sock", f.dir);
}

/* The device with a backend at f.path (cid 0: the board's). */
static int vsock_create(bool backend, uint64_t cid)
{
	f.props[0] = (struct board_prop) { .name = "guest-cid",
					   .number = GUEST_CID };
	f.desc = (struct board_device) {
		.name = "vsock0", .type = &device_type_virtio_vsock_pci,
		.ops = &virtio_vsock_pci_ops, .irq = 9, .has_mmio = true,
		.mmio_base = 0xc0000000ull, .props = f.props, .nr_props = 1,
		.pci_slot = 4, .bar_size = 0x4000,
		.srcpos = "tests/devices/vsock-tests.c:1:1",
	};
	f.vsock = (struct host_vsock) { "vsock0", f.path, cid };
	f.host.ram = &f.ram;
	f.host.signal_msi = fake_signal_msi;
	f.host.vsocks = &f.vsock;
	f.host.nr_vsocks = backend;
	f.dev = (struct device) {
		.desc = &f.desc, .ops = &virtio_vsock_pci_ops,
		.host = &f.host, .irq = { .gsi = -1 },
	};
	return f.dev.ops->init(&f.dev);
}

static void device_remove(void)
{
	if (f.dev.ops && f.dev.ops->destroy)
		f.dev.ops->destroy(&f.dev);
	f.dev.ops = NULL;
}

static uint64_t bar_read(uint64_t off, unsigned len)
{
	uint8_t data[8] = { 0 };

	f.dev.ops->mmio_read(&f.dev, off, data, len);
	return device_data_get(data, len);
}

static void bar_write(uint64_t off, uint64_t v, unsigned len)
{
	uint8_t data[8];

	device_data_put(data, len, v);
	f.dev.ops->mmio_write(&f.dev, off, data, len);
}

static uint8_t status(void)
{
	return bar_read(VIRTIO_PCI_STATUS, 1);
}

static bool broken(void)
{
	return status() & VIRTIO_STATUS_NEEDS_RESET;
}

static void driver_up(void)
{
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	memset(gpa(RING_GPA(0)), 0, 3 * 0x4000);	/* fresh rings */
	bar_write(VIRTIO_PCI_STATUS, s, 1);
	bar_write(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_GF, 1, 4);			/* VERSION_1 */
	bar_write(VIRTIO_PCI_STATUS, s | VIRTIO_STATUS_FEATURES_OK, 1);
	for (unsigned q = 0; q < 3; q++) {
		bar_write(VIRTIO_PCI_Q_SELECT, q, 2);
		bar_write(VIRTIO_PCI_Q_SIZE, QSIZE, 2);
		bar_write(VIRTIO_PCI_Q_DESCLO, RING_GPA(q), 8);
		bar_write(VIRTIO_PCI_Q_AVAILLO, RING_GPA(q) + 0x1000, 8);
		bar_write(VIRTIO_PCI_Q_USEDLO, RING_GPA(q) + 0x2000, 8);
		bar_write(VIRTIO_PCI_Q_ENABLE, 1, 2);
	}
	bar_write(VIRTIO_PCI_STATUS, s | VIRTIO_STATUS_FEATURES_OK |
		  VIRTIO_STATUS_DRIVER_OK, 1);
	CHECK(status() & VIRTIO_STATUS_DRIVER_OK);
	f.rx_seen = f.rx_next = f.tx_next = 0;
}

static struct virtq_desc *ring_desc(unsigned q)
{
	return gpa(RING_GPA(q));
}

static struct virtq_avail *ring_avail(unsigned q)
{
	return gpa(RING_GPA(q) + 0x1000);
}

static struct virtq_used *ring_used(unsigned q)
{
	return gpa(RING_GPA(q) + 0x2000);
}

static void kick(unsigned q)
{
	bar_write(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * q, q, 2);
}

/* One single-descriptor chain on queue q. */
static void post_one(unsigned q, uint16_t slot, uint64_t addr, uint32_t len,
		     bool write)
{
	struct virtq_desc *d = &ring_desc(q)[slot % QSIZE];
	struct virtq_avail *a = ring_avail(q);

	*d = (struct virtq_desc) { addr, len, write ? VIRTQ_DESC_F_WRITE : 0,
				   0 };
	a->ring[a->idx % QSIZE] = slot % QSIZE;
	__atomic_store_n(&a->idx, a->idx + 1, __ATOMIC_RELEASE);
}

/* Post n rx buffers and kick rx. */
static void rx_post(unsigned n)
{
	for (unsigned i = 0; i < n; i++, f.rx_next++)
		post_one(VSOCK_QUEUE_RX, f.rx_next,
			 RXBUF_GPA + (f.rx_next % QSIZE) * RXBUF_STRIDE,
			 RXBUF_LEN, true);
	kick(VSOCK_QUEUE_RX);
}

/* The next packet the device put on rx, or false. */
static bool rx_take(struct vsock_hdr *h, void *payload, uint32_t *len)
{
	struct virtq_used *u = ring_used(VSOCK_QUEUE_RX);
	struct virtq_used_elem e;
	uint8_t *buf;

	if (u->idx == f.rx_seen)
		return false;
	e = u->ring[f.rx_seen++ % QSIZE];
	buf = gpa(RXBUF_GPA + e.id * RXBUF_STRIDE);
	memcpy(h, buf, VSOCK_HDR_BYTES);
	CHECK_EQ(e.len, VSOCK_HDR_BYTES + h->len);
	if (payload)
		memcpy(payload, buf + VSOCK_HDR_BYTES, h->len);
	if (len)
		*len = h->len;
	/* The slot is free again: the guest reposts it at once. */
	return true;
}

/* The guest sends a packet (header + payload in one descriptor). */
static void tx_send(uint16_t op, uint32_t src_port, uint32_t dst_port,
		    uint32_t flags, const void *data, uint32_t len,
		    uint32_t buf_alloc, uint32_t fwd_cnt)
{
	struct vsock_hdr h = {
		.src_cid = GUEST_CID, .dst_cid = VSOCK_HOST_CID,
		.src_port = src_port, .dst_port = dst_port, .len = len,
		.type = VSOCK_TYPE_STREAM, .op = op, .flags = flags,
		.buf_alloc = buf_alloc, .fwd_cnt = fwd_cnt,
	};
	uint8_t *buf = gpa(TXBUF_GPA);

	memcpy(buf, &h, VSOCK_HDR_BYTES);
	if (len)
		memcpy(buf + VSOCK_HDR_BYTES, data, len);
	post_one(VSOCK_QUEUE_TX, f.tx_next++, TXBUF_GPA,
		 VSOCK_HDR_BYTES + len, false);
	kick(VSOCK_QUEUE_TX);
}

#define GUEST_BUF	65536

static void tx_op(uint16_t op, uint32_t src_port, uint32_t dst_port,
		  uint32_t flags)
{
	tx_send(op, src_port, dst_port, flags, NULL, 0, GUEST_BUF, 0);
}

/* What the I/O thread does: serve the device while its fd is ready. */
static void io_run(void)
{
	struct pollfd p = { .fd = f.dev.ops->poll_fd(&f.dev),
			    .events = POLLIN };

	for (int i = 0; i < 64 && poll(&p, 1, 0) > 0; i++)
		f.dev.ops->poll_ready(&f.dev);
}

/* Whether the device's fd is ready now (it must not be, when idle). */
static bool io_ready(void)
{
	struct pollfd p = { .fd = f.dev.ops->poll_fd(&f.dev),
			    .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static int host_dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		test_fail(__FILE__, __LINE__, "connect %s: %s", path,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int host_listen(uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", f.path, port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0) {
		perror("vsock-tests: listen");
		exit(2);
	}
	return fd;
}

/* Read what is there now (non-blocking); returns bytes, 0 at EOF, -1. */
static ssize_t host_read(int fd, void *buf, size_t len)
{
	return recv(fd, buf, len, MSG_DONTWAIT);
}

/*
 * The device closed its end: EOF, or ECONNRESET when it closed with
 * bytes of ours unread.
 */
static bool host_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno == ECONNRESET);
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

/*
 * The host connects to guest port `port`; the guest accepts. Returns the
 * host fd with "OK <port>\n" read, the local port in *local.
 */
static int host_connect(uint32_t port, uint32_t *local)
{
	char line[64] = { 0 }, want[32];
	struct vsock_hdr h;
	int fd = host_dial(f.path);

	if (fd < 0)
		return -1;
	snprintf(line, sizeof(line), "CONNECT %u\n", port);
	CHECK_EQ(write(fd, line, strlen(line)), strlen(line));
	io_run();
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_REQUEST);
	CHECK_EQ(h.dst_port, port);
	CHECK_EQ(h.dst_cid, GUEST_CID);
	CHECK_EQ(h.src_cid, VSOCK_HOST_CID);
	CHECK_EQ(h.buf_alloc, VSOCK_BUF_ALLOC);
	*local = h.src_port;
	rx_post(1);
	tx_op(VSOCK_OP_RESPONSE, port, h.src_port, 0);
	memset(line, 0, sizeof(line));
	snprintf(want, sizeof(want), "OK %u\n", h.src_port);
	CHECK_EQ(host_read(fd, line, strlen(want)), strlen(want));
	CHECK(!strcmp(line, want));
	return fd;
}

/* Tests */

static void test_config_cid(void)
{
	CHECK_EQ(vsock_create(false, 0), 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_DEVICE, 8), GUEST_CID);
	CHECK_EQ(bar_read(VIRTIO_PCI_DEVICE + 4, 4), 0);
	device_remove();
	CHECK_EQ(vsock_create(true, 0x12345678), 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_DEVICE, 4), 0x12345678);
	CHECK_EQ(bar_read(VIRTIO_PCI_NUM_QUEUES, 2), 3);
}

static void test_host_connect(void)
{
	char buf[64] = { 0 };
	struct vsock_hdr h;
	uint32_t local, len;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(4);
	fd = host_connect(5000, &local);
	CHECK_EQ(local, VSOCK_LOCAL_PORT_BASE);
	/* host -> guest */
	CHECK_EQ(write(fd, "ping", 4), 4);
	io_run();
	CHECK(rx_take(&h, buf, &len));
	CHECK_EQ(h.op, VSOCK_OP_RW);
	CHECK_EQ(len, 4);
	CHECK(!memcmp(buf, "ping", 4));
	CHECK_EQ(h.src_port, local);
	CHECK_EQ(h.dst_port, 5000);
	/* guest -> host */
	tx_send(VSOCK_OP_RW, 5000, local, 0, "pong", 4, GUEST_BUF, 4);
	CHECK_EQ(ring_used(VSOCK_QUEUE_TX)->idx, f.tx_next);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(host_read(fd, buf, sizeof(buf)), 4);
	CHECK(!strcmp(buf, "pong"));
	/* Nothing left to do: the device's fd is idle. */
	CHECK(!io_ready());
	/* --stats: REQUEST and "ping" went to the guest, RESPONSE and "pong" came. */
	{
		struct device_counter c[16];
		unsigned n = f.dev.ops->counters(&f.dev, c, 16);

		CHECK_EQ(n, 9);
		CHECK(!strcmp(c[0].name, "rx-packets") && c[0].value == 2);
		CHECK(!strcmp(c[1].name, "rx-bytes") && c[1].value == 4);
		CHECK(!strcmp(c[2].name, "tx-packets") && c[2].value == 2);
		CHECK(!strcmp(c[3].name, "tx-bytes") && c[3].value == 4);
		CHECK(!strcmp(c[6].name, "conns-open") && c[6].value == 1);
	}
	/* The host closes: the guest hears SHUTDOWN of both directions. */
	close(fd);
	io_run();
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_SHUTDOWN);
	CHECK_EQ(h.flags, VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND);
	/* The connection is gone: the guest's RST gets no answer, data a RST. */
	tx_op(VSOCK_OP_RST, 5000, local, 0);
	CHECK(!rx_take(&h, NULL, NULL));
	tx_send(VSOCK_OP_RW, 5000, local, 0, "x", 1, GUEST_BUF, 4);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RST);
	CHECK(!broken());
}

/* Data the host wrote just before it closed still reaches the guest. */
static void test_host_close_after_write(void)
{
	char buf[16];
	struct vsock_hdr h;
	uint32_t local, len;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(4);
	fd = host_connect(5001, &local);
	CHECK_EQ(write(fd, "last", 4), 4);
	close(fd);
	io_run();
	CHECK(rx_take(&h, buf, &len));
	CHECK_EQ(h.op, VSOCK_OP_RW);
	CHECK_EQ(len, 4);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_SHUTDOWN);
	CHECK(!io_ready());
}

static void test_host_connect_refused(void)
{
	struct vsock_hdr h;
	char buf[16];
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(4);
	fd = host_dial(f.path);
	CHECK_EQ(write(fd, "CONNECT 7\n", 10), 10);
	io_run();
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_REQUEST);
	tx_op(VSOCK_OP_RST, 7, h.src_port, 0);
	/* No OK: the socket reads EOF. */
	CHECK_EQ(host_read(fd, buf, sizeof(buf)), 0);
	close(fd);
	/* A bad line closes the socket too, and sends the guest nothing. */
	fd = host_dial(f.path);
	CHECK_EQ(write(fd, "CONNECT x\n", 10), 10);
	io_run();
	CHECK(host_closed(fd));
	CHECK(!rx_take(&h, NULL, NULL));
	close(fd);
	fd = host_dial(f.path);
	CHECK_EQ(write(fd, "CONNECT 123456789012345678901234567890\n", 39),
		 39);
	io_run();
	CHECK(host_closed(fd));
	close(fd);
}

static void test_guest_connect(void)
{
	char buf[64] = { 0 };
	struct vsock_hdr h;
	uint32_t len;
	int lfd, fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(4);
	lfd = host_listen(6000);
	tx_op(VSOCK_OP_REQUEST, 1234, 6000, 0);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RESPONSE);
	CHECK_EQ(h.src_port, 6000);
	CHECK_EQ(h.dst_port, 1234);
	fd = accept(lfd, NULL, NULL);
	CHECK(fd >= 0);
	tx_send(VSOCK_OP_RW, 1234, 6000, 0, "hello", 5, GUEST_BUF, 0);
	CHECK_EQ(host_read(fd, buf, sizeof(buf)), 5);
	CHECK(!strcmp(buf, "hello"));
	CHECK_EQ(write(fd, "world", 5), 5);
	io_run();
	CHECK(rx_take(&h, buf, &len));
	CHECK_EQ(h.op, VSOCK_OP_RW);
	CHECK_EQ(len, 5);
	CHECK(!memcmp(buf, "world", 5));
	/* The guest half-closes: the host reads EOF, can still write. */
	tx_op(VSOCK_OP_SHUTDOWN, 1234, 6000, VSOCK_SHUTDOWN_SEND);
	CHECK_EQ(host_read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(write(fd, "bye", 3), 3);
	io_run();
	CHECK(rx_take(&h, buf, &len));
	CHECK_EQ(len, 3);
	/* The guest closes: RST back, the host socket is closed. */
	tx_op(VSOCK_OP_SHUTDOWN, 1234, 6000, VSOCK_SHUTDOWN_RCV |
	      VSOCK_SHUTDOWN_SEND);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RST);
	CHECK_EQ(write(fd, "x", 1), -1);
	close(fd);
	close(lfd);
}

static void test_guest_connect_refused(void)
{
	struct vsock_hdr h;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(4);
	tx_op(VSOCK_OP_REQUEST, 1234, 6001, 0);	/* nobody listens */
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RST);
	CHECK_EQ(h.src_port, 6001);
	CHECK_EQ(h.dst_port, 1234);
	device_remove();
	/* Without a backend every guest connection is refused. */
	CHECK_EQ(vsock_create(false, 0), 0);
	driver_up();
	rx_post(4);
	tx_op(VSOCK_OP_REQUEST, 1234, 6000, 0);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RST);
	CHECK(!broken());
}

/* The device sends no more than the guest's credit allows. */
static void test_credit_to_guest(void)
{
	static char data[3000];
	uint32_t local, len, total = 0;
	struct vsock_hdr h;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	fd = host_dial(f.path);
	CHECK_EQ(write(fd, "CONNECT 80\n", 11), 11);
	io_run();
	CHECK(rx_take(&h, NULL, NULL));
	local = h.src_port;
	/* The guest accepts with a 1000-byte buffer. */
	tx_send(VSOCK_OP_RESPONSE, 80, local, 0, NULL, 0, 1000, 0);
	memset(data, 'a', sizeof(data));
	CHECK_EQ(host_read(fd, data, 3), 3);		/* "OK " */
	while (host_read(fd, data, 1) == 1 && data[0] != '\n')
		;
	CHECK_EQ(write(fd, data, sizeof(data)), sizeof(data));
	io_run();
	while (rx_take(&h, NULL, &len))
		total += len;
	CHECK_EQ(total, 1000);
	/* Out of credit, the socket is not polled: no busy loop. */
	CHECK(!io_ready());
	/* The guest read 600 bytes. */
	tx_send(VSOCK_OP_CREDIT_UPDATE, 80, local, 0, NULL, 0, 1000, 600);
	io_run();
	while (rx_take(&h, NULL, &len))
		total += len;
	CHECK_EQ(total, 1600);
	close(fd);
}

/* CREDIT_REQUEST and the unprompted CREDIT_UPDATE. */
static void test_credit_from_guest(void)
{
	static char data[60000], sink[65536];
	struct vsock_hdr h;
	uint32_t local;
	int fd, n = 0;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	fd = host_connect(81, &local);
	tx_op(VSOCK_OP_CREDIT_REQUEST, 81, local, 0);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_CREDIT_UPDATE);
	CHECK_EQ(h.buf_alloc, VSOCK_BUF_ALLOC);
	CHECK_EQ(h.fwd_cnt, 0);
	rx_post(1);
	/* Half the buffer forwarded: an update without being asked. */
	for (unsigned i = 0; i < 2; i++) {
		tx_send(VSOCK_OP_RW, 81, local, 0, data, sizeof(data),
			GUEST_BUF, 0);
		while (host_read(fd, sink, sizeof(sink)) > 0)
			;
	}
	CHECK(!rx_take(&h, NULL, NULL));
	tx_send(VSOCK_OP_RW, 81, local, 0, data, sizeof(data), GUEST_BUF, 0);
	while (rx_take(&h, NULL, NULL))
		n += h.op == VSOCK_OP_CREDIT_UPDATE &&
		     h.fwd_cnt == 3 * sizeof(data);
	CHECK_EQ(n, 1);
	close(fd);
}

/* Buffered data goes out when the host reads; an overrun is reset. */
static void test_credit_overrun(void)
{
	static char data[60000];
	uint32_t local, sent = 0;
	struct vsock_hdr h;
	bool rst = false;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	fd = host_connect(82, &local);
	/* The host does not read: the socket fills, the device buffers. */
	for (unsigned i = 0; i < 20 && !rst; i++) {
		tx_send(VSOCK_OP_RW, 82, local, 0, data, sizeof(data),
			GUEST_BUF, 0);
		sent += sizeof(data);
		while (rx_take(&h, NULL, NULL))
			rst |= h.op == VSOCK_OP_RST;
	}
	CHECK(rst);
	CHECK(sent > VSOCK_BUF_ALLOC);
	CHECK(!broken());
	close(fd);
}

/* Buffered data drains on EPOLLOUT, then the guest's close completes. */
static void test_buffered_drain(void)
{
	static char data[60000], sink[65536];
	uint32_t local;
	struct vsock_hdr h;
	size_t got = 0;
	ssize_t n;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	fd = host_connect(83, &local);
	for (unsigned i = 0; i < 4; i++)
		tx_send(VSOCK_OP_RW, 83, local, 0, data, sizeof(data),
			GUEST_BUF, 0);
	tx_op(VSOCK_OP_SHUTDOWN, 83, local, VSOCK_SHUTDOWN_RCV |
	      VSOCK_SHUTDOWN_SEND);
	for (int i = 0; i < 1000; i++) {
		while ((n = host_read(fd, sink, sizeof(sink))) > 0)
			got += n;
		if (!n)
			break;
		io_run();
	}
	CHECK_EQ(got, 4 * sizeof(data));
	CHECK_EQ(n, 0);
	h.op = 0;
	while (rx_take(&h, NULL, NULL) && h.op != VSOCK_OP_RST)
		;
	CHECK_EQ(h.op, VSOCK_OP_RST);
	close(fd);
}

/*
 * The host half-closed (SHUT_WR) but still reads: what the guest sent
 * before its close is all delivered, then the close.
 */
static void test_half_closed_host_reads(void)
{
	static char data[60000], sink[65536];
	struct vsock_hdr h;
	uint32_t local;
	size_t got = 0;
	ssize_t n;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	fd = host_connect(86, &local);
	shutdown(fd, SHUT_WR);
	io_run();
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_SHUTDOWN);
	CHECK_EQ(h.flags, VSOCK_SHUTDOWN_SEND);
	for (unsigned i = 0; i < 4; i++)
		tx_send(VSOCK_OP_RW, 86, local, 0, data, sizeof(data),
			GUEST_BUF, 0);
	tx_op(VSOCK_OP_SHUTDOWN, 86, local, VSOCK_SHUTDOWN_RCV |
	      VSOCK_SHUTDOWN_SEND);
	for (int i = 0; i < 1000; i++) {
		while ((n = host_read(fd, sink, sizeof(sink))) > 0)
			got += n;
		if (!n)
			break;
		io_run();
	}
	CHECK_EQ(got, 4 * sizeof(data));
	close(fd);
}

/* Without rx buffers nothing is read and nothing spins; then it flows. */
static void test_no_rx_buffers(void)
{
	struct vsock_hdr h;
	uint32_t local, len;
	char buf[16];
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(1);
	fd = host_connect(84, &local);
	CHECK(rx_take(&h, NULL, NULL) == false);
	/* The guest has 1 rx buffer left: use it up with a REQUEST. */
	{
		int fd2 = host_dial(f.path);

		CHECK_EQ(write(fd2, "CONNECT 85\n", 11), 11);
		io_run();
		CHECK(rx_take(&h, NULL, NULL));
		CHECK_EQ(h.op, VSOCK_OP_REQUEST);
		tx_op(VSOCK_OP_RST, 85, h.src_port, 0);
		close(fd2);
	}
	CHECK_EQ(write(fd, "data", 4), 4);
	io_run();
	CHECK(!rx_take(&h, NULL, NULL));
	CHECK(!io_ready());
	rx_post(1);
	CHECK(rx_take(&h, buf, &len));
	CHECK_EQ(h.op, VSOCK_OP_RW);
	CHECK_EQ(len, 4);
	close(fd);
}

static void test_reset_closes(void)
{
	unsigned before = fd_count();
	uint32_t local;
	char buf[8];
	int fd, lfd, fd2;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	fd = host_connect(90, &local);
	lfd = host_listen(7000);
	tx_op(VSOCK_OP_REQUEST, 1500, 7000, 0);
	fd2 = accept(lfd, NULL, NULL);
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	CHECK_EQ(host_read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(host_read(fd2, buf, sizeof(buf)), 0);
	close(fd);
	close(fd2);
	close(lfd);
	device_remove();
	CHECK_EQ(fd_count(), before);
	/* The socket file stays; a new device replaces it. */
	CHECK_EQ(access(f.path, F_OK), 0);
	CHECK_EQ(vsock_create(true, 0), 0);
	device_remove();
}

/* 1,000 connections each way, opened and closed: no fd left over. */
static void test_many_connections(void)
{
	unsigned before;
	struct vsock_hdr h;
	uint32_t local;
	int lfd, fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(QSIZE);
	lfd = host_listen(7001);
	before = fd_count();
	for (unsigned i = 0; i < 1000 && !current_failures; i++) {
		fd = host_connect(100, &local);
		close(fd);
		io_run();
		while (rx_take(&h, NULL, NULL))
			rx_post(1);
		tx_op(VSOCK_OP_RST, 100, local, 0);
		tx_op(VSOCK_OP_REQUEST, 2000 + i, 7001, 0);
		fd = accept(lfd, NULL, NULL);
		CHECK(fd >= 0);
		tx_op(VSOCK_OP_SHUTDOWN, 2000 + i, 7001, 3);
		close(fd);
		while (rx_take(&h, NULL, NULL))
			rx_post(1);
	}
	CHECK_EQ(fd_count(), before);
	CHECK(!broken());
	close(lfd);
}

/* Malformed input */

static void test_bad_short_header(void)
{
	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	post_one(VSOCK_QUEUE_TX, 0, TXBUF_GPA, 20, false);
	kick(VSOCK_QUEUE_TX);
	CHECK(broken());
	/* A reset brings it back. */
	driver_up();
	CHECK(!broken());
}

static void test_bad_len_past_chain(void)
{
	struct vsock_hdr h = {
		.src_cid = GUEST_CID, .dst_cid = VSOCK_HOST_CID,
		.type = VSOCK_TYPE_STREAM, .op = VSOCK_OP_RW, .len = 100,
	};

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	memcpy(gpa(TXBUF_GPA), &h, sizeof(h));
	post_one(VSOCK_QUEUE_TX, 0, TXBUF_GPA, VSOCK_HDR_BYTES + 50, false);
	kick(VSOCK_QUEUE_TX);
	CHECK(broken());
}

static void test_bad_rx_buffer(void)
{
	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	post_one(VSOCK_QUEUE_RX, 0, RXBUF_GPA, 16, true);
	kick(VSOCK_QUEUE_RX);
	CHECK(!broken());		/* nothing to send yet */
	tx_op(VSOCK_OP_REQUEST, 1, 2, 0);	/* answered RST: needs rx */
	CHECK(broken());
	/* A readable rx buffer has no room either. */
	driver_up();
	post_one(VSOCK_QUEUE_RX, 0, RXBUF_GPA, 4096, false);
	kick(VSOCK_QUEUE_RX);
	tx_op(VSOCK_OP_REQUEST, 1, 2, 0);
	CHECK(broken());
}

/* Well-formed but wrong: RST or dropped, the device stays up. */
static void test_bad_fields(void)
{
	struct vsock_hdr h = {
		.src_cid = GUEST_CID, .dst_cid = VSOCK_HOST_CID,
		.src_port = 1, .dst_port = 2,
		.type = 2 /* SEQPACKET */, .op = VSOCK_OP_REQUEST,
	};
	uint32_t local;
	int fd;

	CHECK_EQ(vsock_create(true, 0), 0);
	driver_up();
	rx_post(8);
	memcpy(gpa(TXBUF_GPA), &h, sizeof(h));
	post_one(VSOCK_QUEUE_TX, f.tx_next++, TXBUF_GPA, VSOCK_HDR_BYTES,
		 false);
	kick(VSOCK_QUEUE_TX);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RST);
	/* Another source CID: dropped without an answer. */
	h = (struct vsock_hdr) { .src_cid = 77, .dst_cid = VSOCK_HOST_CID,
		.type = VSOCK_TYPE_STREAM, .op = VSOCK_OP_REQUEST };
	memcpy(gpa(TXBUF_GPA), &h, sizeof(h));
	post_one(VSOCK_QUEUE_TX, f.tx_next++, TXBUF_GPA, VSOCK_HDR_BYTES,
		 false);
	kick(VSOCK_QUEUE_TX);
	CHECK(!rx_take(&h, NULL, NULL));
	/* An unknown op on a live connection resets it. */
	fd = host_connect(95, &local);
	tx_op(99, 95, local, 0);
	CHECK(rx_take(&h, NULL, NULL));
	CHECK_EQ(h.op, VSOCK_OP_RST);
	CHECK(!broken());
	close(fd);
}

static const struct {
	const char *name;
	void (*run)(void);
} tests[] = {
	{ "/virtio-vsock/config-cid", test_config_cid },
	{ "/virtio-vsock/host-connect", test_host_connect },
	{ "/virtio-vsock/host-close-after-write", test_host_close_after_write },
	{ "/virtio-vsock/host-connect-refused", test_host_connect_refused },
	{ "/virtio-vsock/guest-connect", test_guest_connect },
	{ "/virtio-vsock/guest-connect-refused", test_guest_connect_refused },
	{ "/virtio-vsock/credit-to-guest", test_credit_to_guest },
	{ "/virtio-vsock/credit-from-guest", test_credit_from_guest },
	{ "/virtio-vsock/credit-overrun", test_credit_overrun },
	{ "/virtio-vsock/buffered-drain", test_buffered_drain },
	{ "/virtio-vsock/half-closed-host-reads", test_half_closed_host_reads },
	{ "/virtio-vsock/no-rx-buffers", test_no_rx_buffers },
	{ "/virtio-vsock/reset-closes", test_reset_closes },
	{ "/virtio-vsock/many-connections", test_many_connections },
	{ "/virtio-vsock/malformed/short-header", test_bad_short_header },
	{ "/virtio-vsock/malformed/len-past-chain", test_bad_len_past_chain },
	{ "/virtio-vsock/malformed/rx-buffer", test_bad_rx_buffer },
	{ "/virtio-vsock/malformed/fields", test_bad_fields },
};

int main(void)
{
	unsigned failed = 0;

	signal(SIGPIPE, SIG_IGN);	/* writes to closed sockets: EPIPE */
	if (!getenv("VIRTIO_TESTS_STDERR") &&
	    !freopen("/dev/null", "w", stderr))
		return 2;
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		current_test = tests[i].name;
		current_failures = 0;
		fake_reset();
		tests[i].run();
		device_remove();
		if (!current_failures)
			printf("PASS %s\n", current_test);
		failed += current_failures != 0;
		fflush(stdout);
	}
	fake_reset();
	rmdir(f.dir);
	free(f.ram0);
	return failed ? 1 : 0;
}
