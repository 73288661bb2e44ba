// SPDX-License-Identifier: MIT
/*
 * virtio-net tests without KVM: the model driven like a guest driver
 * through its MMIO and PCI config handlers, over a fake guest RAM, with a
 * SOCK_SEQPACKET socketpair standing in for the tap (one read, one frame;
 * the other end is the "host network"). Offload negotiation is recorded
 * by a fake set_offload(). Malformed queues must break the device
 * (DEVICE_NEEDS_RESET) and nothing else; under SANITIZE=1, ASan checks
 * no byte outside the buffers is touched.
 *
 * One line per test: PASS <name> or FAIL <name>: <first failed check>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "device.h"
#include "pci.h"
#include "virtio-pci.h"
#include "virtqueue.h"
#include "board-tables.h"
#include "guest-ram.h"

extern const struct device_ops virtio_net_pci_ops;

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

#define F_CSUM		0
#define F_GUEST_CSUM	1
#define F_MAC		5
#define F_GUEST_TSO4	7
#define F_GUEST_TSO6	8
#define F_HOST_TSO4	11
#define F_HOST_TSO6	12
#define F_MRG_RXBUF	15
#define F_STATUS	16
#define BIT(b)		(1ull << (b))
#define HDR		12
#define RX		0
#define TX		1

#define RAM_SIZE	0x200000		/* 2 MiB at 0 */
#define RING_GPA(q)	(0x1000 + (q) * 0x10000)
#define BUF_GPA		0x40000
#define BAR_BASE	0xc0000000ull

struct fake {
	uint8_t *ram0;
	struct guest_ram ram;
	struct device_host host;
	struct board_device desc;
	struct board_prop props[16];
	unsigned nr_props;
	struct device dev;
	struct host_net net;
	int sock[2];			/* [0] the device's, [1] the network's */
	unsigned offload_calls;
	unsigned offload_flags;
	int poll_on;			/* last poll_enable(); -1: none */
	unsigned poll_calls;
	unsigned irqs;
};

static struct fake f;

#define PCI_CFG_DEV (&f.dev)
#include "pci-cfg.h"

static void fake_set_level(struct irq_line *line, int level)
{
	if (level && !line->level)
		f.irqs++;
}

static int fake_set_offload(const struct host_net *net, unsigned flags)
{
	f.offload_calls++;
	f.offload_flags = flags;
	return 0;
}

static void fake_poll_enable(struct device_host *host, struct device *dev,
			     bool on)
{
	f.poll_on = on;
	f.poll_calls++;
}

static void *gpa(uint64_t addr)
{
	return guest_ram_ptr(&f.ram, addr, 1);
}

static void fake_reset(void)
{
	if (f.dev.ops && f.dev.ops->destroy)
		f.dev.ops->destroy(&f.dev);
	free(f.ram0);
	if (f.sock[0] > 0)
		close(f.sock[0]);
	if (f.sock[1] > 0)
		close(f.sock[1]);
	memset(&f, 0, sizeof(f));
	f.poll_on = -1;
	f.ram0 = aligned_alloc(4096, RAM_SIZE);
	if (!f.ram0) {
		perror("net-tests: RAM");
		exit(2);
	}
	memset(f.ram0, 0, RAM_SIZE);
	guest_ram_add(&f.ram, 0, RAM_SIZE, f.ram0);
}

static void prop(const char *name, enum prop_kind kind, uint64_t number,
		 const char *string)
{
	f.props[f.nr_props++] = (struct board_prop) { name, kind, number,
						       string };
}

/* The board's defaults, as boardc fills them in. */
static void default_props(void)
{
	if (!f.nr_props)
		prop("mac", PROP_STRING, 0, "");
	prop("queue-size", PROP_NUMBER, 256, "256");
	prop("offloads", PROP_BOOL, 1, "true");
	prop("mrg-rxbuf", PROP_BOOL, 1, "true");
	prop("event-idx", PROP_BOOL, 1, "true");
}

/* test_vhost's fake kernel (below), when set. */
static bool with_vhost;
static void fake_vhost_backend(void);

/* A device with a socketpair backend (or none); returns init's result. */
static int net_create(bool backend)
{
	if (backend) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0,
			       f.sock) < 0) {
			perror("net-tests: socketpair");
			exit(2);
		}
		f.net = (struct host_net) { .ifname = "tap-test",
					    .fd = f.sock[0],
					    .set_offload = fake_set_offload,
					    .vhost_fd = -1 };
		if (with_vhost)
			fake_vhost_backend();
		f.host.nets = &f.net;
		f.host.nr_nets = 1;
	}
	default_props();
	f.desc = (struct board_device) {
		.name = "net0", .type = &device_type_virtio_net_pci,
		.ops = &virtio_net_pci_ops, .irq = 10, .has_mmio = true,
		.mmio_base = BAR_BASE, .props = f.props,
		.nr_props = f.nr_props, .pci_slot = 4, .bar_size = 0x4000,
		.srcpos = "tests/devices/net-tests.c:1:1",
	};
	f.host.ram = &f.ram;
	f.host.poll_enable = fake_poll_enable;
	f.dev = (struct device) {
		.desc = &f.desc, .ops = &virtio_net_pci_ops, .host = &f.host,
		.irq = { .set_level = fake_set_level, .gsi = 10 },
	};
	return f.dev.ops->init(&f.dev);
}

static uint64_t bar_read(uint64_t off, unsigned len)
{
	uint8_t data[8];

	memset(data, 0xff, sizeof(data));
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

static uint64_t device_features(void)
{
	uint64_t lo;

	bar_write(VIRTIO_PCI_DFSELECT, 0, 4);
	lo = bar_read(VIRTIO_PCI_DF, 4);
	bar_write(VIRTIO_PCI_DFSELECT, 1, 4);
	return lo | bar_read(VIRTIO_PCI_DF, 4) << 32;
}

static const uint8_t S_UP = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			    VIRTIO_STATUS_FEATURES_OK;

/* VERSION_1 plus `extra`, both queues of `size`, DRIVER_OK. */
static void driver_up(uint64_t extra, uint16_t size)
{
	uint64_t features = BIT(VIRTIO_F_VERSION_1) | extra;

	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	bar_write(VIRTIO_PCI_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
		  VIRTIO_STATUS_DRIVER, 1);
	bar_write(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_write(VIRTIO_PCI_GF, (uint32_t)features, 4);
	bar_write(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_GF, features >> 32, 4);
	bar_write(VIRTIO_PCI_STATUS, S_UP, 1);
	CHECK(status() & VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		bar_write(VIRTIO_PCI_Q_SELECT, q, 2);
		bar_write(VIRTIO_PCI_Q_SIZE, size, 2);
		bar_write(VIRTIO_PCI_Q_DESCLO, RING_GPA(q), 8);
		bar_write(VIRTIO_PCI_Q_AVAILLO, RING_GPA(q) + 0x2000, 8);
		bar_write(VIRTIO_PCI_Q_USEDLO, RING_GPA(q) + 0x4000, 8);
		bar_write(VIRTIO_PCI_Q_ENABLE, 1, 2);
	}
	bar_write(VIRTIO_PCI_STATUS, S_UP | VIRTIO_STATUS_DRIVER_OK, 1);
	CHECK(status() & VIRTIO_STATUS_DRIVER_OK);
}

static struct virtq_desc *ring_desc(unsigned q)
{
	return gpa(RING_GPA(q));
}

static struct virtq_avail *ring_avail(unsigned q)
{
	return gpa(RING_GPA(q) + 0x2000);
}

static struct virtq_used *ring_used(unsigned q)
{
	return gpa(RING_GPA(q) + 0x4000);
}

/* avail_event, after the used ring's 256 entries (EVENT_IDX). */
static uint16_t avail_event(unsigned q)
{
	uint16_t v;

	memcpy(&v, gpa(RING_GPA(q) + 0x4000 + 4 + 8 * 256), 2);
	return v;
}

struct buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

static uint16_t next_desc[2];

/* A chain at the next free descriptors of queue q (size 256), posted. */
static void post(unsigned q, const struct buf *bufs, unsigned n)
{
	struct virtq_desc *d = ring_desc(q);
	struct virtq_avail *a = ring_avail(q);
	uint16_t first = next_desc[q] % 256;

	for (unsigned i = 0; i < n; i++) {
		uint16_t at = (first + i) % 256;

		d[at].addr = bufs[i].addr;
		d[at].len = bufs[i].len;
		d[at].flags = (bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		d[at].next = (first + i + 1) % 256;
	}
	next_desc[q] += n;
	a->ring[a->idx % 256] = first;
	a->idx++;
}

static void kick(unsigned q)
{
	bar_write(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * q, q, 2);
}

static void rx_ready(void)
{
	f.dev.ops->poll_ready(&f.dev);
}

static uint64_t counter(const char *name)
{
	struct device_counter c[16];
	unsigned n = f.dev.ops->counters(&f.dev, c, 16);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	test_fail(__FILE__, __LINE__, "no counter %s", name);
	return ~0ull;
}

/* A transmit chain: header `h` (12 bytes) and `len` bytes of 0x5a+i. */
static void tx_frame(const uint8_t *h, uint32_t len, bool split)
{
	uint8_t *p = gpa(BUF_GPA);

	memcpy(p, h, HDR);
	for (uint32_t i = 0; i < len; i++)
		p[HDR + i] = 0x5a + i;
	if (split)
		post(TX, (struct buf[]){ { BUF_GPA, HDR, false },
					 { BUF_GPA + HDR, len, false } }, 2);
	else
		post(TX, (struct buf[]){ { BUF_GPA, HDR + len, false } }, 1);
	kick(TX);
}

static void config_mac(uint8_t mac[6])
{
	for (unsigned i = 0; i < 6; i++)
		mac[i] = bar_read(VIRTIO_PCI_DEVICE + i, 1);
}

/* Tests */

static void test_features_config(void)
{
	uint64_t df;
	uint8_t mac[6];

	CHECK_EQ(net_create(true), 0);
	df = device_features();
	CHECK(df & BIT(F_MAC));
	CHECK(df & BIT(F_STATUS));
	CHECK(df & BIT(F_CSUM));
	CHECK(df & BIT(F_GUEST_TSO6));
	CHECK(df & BIT(F_MRG_RXBUF));
	CHECK(df & BIT(VIRTIO_F_EVENT_IDX));
	CHECK(df & BIT(VIRTIO_F_VERSION_1));
	config_mac(mac);
	CHECK_EQ(mac[0], 0x52);
	CHECK_EQ(mac[1], 0x54);
	CHECK_EQ(mac[2], 0x00);
	CHECK_EQ(bar_read(VIRTIO_PCI_DEVICE + 6, 2), 1);	/* LINK_UP */
	CHECK_EQ(f.dev.ops->poll_fd(&f.dev), f.sock[0]);
	CHECK_EQ(f.dev.ops->pci_config_read ? 1 : 0, 1);
}

static void test_mac_property(void)
{
	uint8_t mac[6];

	prop("mac", PROP_STRING, 0, "02:00:00:aa:bb:cc");
	CHECK_EQ(net_create(true), 0);
	config_mac(mac);
	CHECK_EQ(mac[0], 0x02);
	CHECK_EQ(mac[3], 0xaa);
	CHECK_EQ(mac[5], 0xcc);
}

static void test_bad_properties(void)
{
	prop("mac", PROP_STRING, 0, "01:00:5e:00:00:01");	/* multicast */
	CHECK_EQ(net_create(true), -EINVAL);
	f.dev.ops = NULL;
	fake_reset();
	prop("mac", PROP_STRING, 0, "52:54:00:12:34");
	CHECK_EQ(net_create(true), -EINVAL);
	f.dev.ops = NULL;
	fake_reset();
	/* default_props() appends the defaults: the first queue-size wins. */
	prop("mac", PROP_STRING, 0, "");
	prop("queue-size", PROP_NUMBER, 100, "100");
	CHECK_EQ(net_create(true), -EINVAL);
	f.dev.ops = NULL;
}

static void test_queue_size_property(void)
{
	prop("mac", PROP_STRING, 0, "");
	prop("queue-size", PROP_NUMBER, 64, "64");
	CHECK_EQ(net_create(true), 0);
	bar_write(VIRTIO_PCI_Q_SELECT, 0, 2);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_SIZE, 2), 64);
	bar_write(VIRTIO_PCI_Q_SELECT, 1, 2);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_SIZE, 2), 64);
	bar_write(VIRTIO_PCI_Q_SELECT, 2, 2);		/* no control queue */
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_SIZE, 2), 0);
}

static void test_offloads_off(void)
{
	prop("mac", PROP_STRING, 0, "");
	prop("queue-size", PROP_NUMBER, 256, "256");
	prop("offloads", PROP_BOOL, 0, "false");
	prop("mrg-rxbuf", PROP_BOOL, 0, "false");
	CHECK_EQ(net_create(true), 0);
	CHECK(!(device_features() & (BIT(F_CSUM) | BIT(F_GUEST_CSUM) |
				     BIT(F_HOST_TSO4) | BIT(F_MRG_RXBUF))));
	CHECK(device_features() & BIT(VIRTIO_F_EVENT_IDX));
}

static void test_offload_negotiation(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(F_GUEST_CSUM) | BIT(F_GUEST_TSO4) | BIT(F_HOST_TSO4) |
		  BIT(F_CSUM), 256);
	CHECK_EQ(f.offload_calls, 1);
	CHECK_EQ(f.offload_flags, TUN_F_CSUM | TUN_F_TSO4);
	bar_write(VIRTIO_PCI_STATUS, 0, 1);			/* reset */
	CHECK_EQ(f.offload_calls, 2);
	CHECK_EQ(f.offload_flags, 0);
	driver_up(BIT(F_GUEST_CSUM) | BIT(F_GUEST_TSO4) | BIT(F_GUEST_TSO6),
		  256);
	CHECK_EQ(f.offload_flags, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	/* TSO without GUEST_CSUM is no offload at all. */
	driver_up(BIT(F_GUEST_TSO4), 256);
	CHECK_EQ(f.offload_flags, 0);
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	/* A feature the device does not offer: FEATURES_OK refused. */
	bar_write(VIRTIO_PCI_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
		  VIRTIO_STATUS_DRIVER, 1);
	bar_write(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_write(VIRTIO_PCI_GF, BIT(17), 4);		/* CTRL_VQ */
	bar_write(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_GF, 1, 4);
	bar_write(VIRTIO_PCI_STATUS, S_UP, 1);
	CHECK(!(status() & VIRTIO_STATUS_FEATURES_OK));
}

static void test_tx(void)
{
	uint8_t h[HDR] = { 0 }, got[2048];
	ssize_t n;

	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(F_CSUM) | BIT(F_MRG_RXBUF), 256);
	h[0] = 1;	/* NEEDS_CSUM: negotiated */
	h[6] = 34;	/* csum_start */
	h[8] = 16;	/* csum_offset */
	tx_frame(h, 1000, true);
	n = read(f.sock[1], got, sizeof(got));
	CHECK_EQ(n, HDR + 1000);
	CHECK(!memcmp(got, gpa(BUF_GPA), HDR + 1000));
	CHECK_EQ(ring_used(TX)->idx, 1);
	CHECK_EQ(ring_used(TX)->ring[0].len, 0);
	CHECK_EQ(counter("tx-packets"), 1);
	CHECK_EQ(counter("tx-bytes"), 1000);
	tx_frame(h, 60, false);
	CHECK_EQ(read(f.sock[1], got, sizeof(got)), HDR + 60);
	CHECK_EQ(counter("tx-packets"), 2);
	CHECK(f.irqs >= 1);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_tx_header_not_negotiated(void)
{
	uint8_t h[HDR] = { 0 }, got[2048];

	CHECK_EQ(net_create(true), 0);
	driver_up(0, 256);
	h[1] = 1;	/* GSO_TCPV4 without HOST_TSO4 */
	tx_frame(h, 100, false);
	h[1] = 0;
	h[0] = 1;	/* NEEDS_CSUM without CSUM */
	tx_frame(h, 100, false);
	h[0] = 0;
	h[1] = 0x80;	/* ECN alone */
	tx_frame(h, 100, false);
	CHECK_EQ(read(f.sock[1], got, sizeof(got)), -1);	/* nothing */
	CHECK_EQ(counter("tx-dropped"), 3);
	CHECK_EQ(ring_used(TX)->idx, 3);		/* chains returned */
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_tx_short_header(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(0, 256);
	post(TX, (struct buf[]){ { BUF_GPA, 8, false } }, 1);
	kick(TX);
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(ring_used(TX)->idx, 0);
	/* Broken: further kicks serve nothing. */
	post(TX, (struct buf[]){ { BUF_GPA, 100, false } }, 1);
	kick(TX);
	CHECK_EQ(ring_used(TX)->idx, 0);
	/* A reset (and fresh rings, as a driver makes) brings it back. */
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	memset(gpa(RING_GPA(TX)), 0, 0x8000);
	next_desc[TX] = 0;
	driver_up(0, 256);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_tx_outside_ram(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(0, 256);
	post(TX, (struct buf[]){ { BUF_GPA, HDR, false },
				 { RAM_SIZE - 10, 100, false } }, 2);
	kick(TX);
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(counter("tx-packets"), 0);
}

/* Host frame of `len` bytes (after the 12-byte header) into the tap. */
static void net_send(uint32_t len, uint8_t seed)
{
	static uint8_t frame[HDR + 70000];

	memset(frame, 0, HDR);
	frame[HDR - 2] = 0xee;		/* num_buffers: the device's to set */
	for (uint32_t i = 0; i < len; i++)
		frame[HDR + i] = seed + i * 7;
	CHECK_EQ(write(f.sock[1], frame, HDR + len), HDR + len);
}

static bool frame_ok(const uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

static void test_rx(void)
{
	uint8_t *b = gpa(BUF_GPA);

	CHECK_EQ(net_create(true), 0);
	driver_up(0, 256);
	post(RX, (struct buf[]){ { BUF_GPA, 1526, true } }, 1);
	kick(RX);
	net_send(1000, 3);
	rx_ready();
	CHECK_EQ(ring_used(RX)->idx, 1);
	CHECK_EQ(ring_used(RX)->ring[0].len, HDR + 1000);
	CHECK_EQ(b[10] | b[11] << 8, 1);		/* num_buffers */
	CHECK(frame_ok(b + HDR, 1000, 3));
	CHECK_EQ(counter("rx-packets"), 1);
	CHECK_EQ(counter("rx-bytes"), 1000);
	CHECK(f.irqs >= 1);
}

static void test_rx_mergeable(void)
{
	uint8_t *b = gpa(BUF_GPA);

	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(F_MRG_RXBUF), 256);
	for (unsigned i = 0; i < 4; i++)
		post(RX, (struct buf[]){ { BUF_GPA + i * 1500, 1500, true } },
		     1);
	kick(RX);
	net_send(3500, 9);		/* 3512 bytes: three buffers */
	rx_ready();
	CHECK_EQ(ring_used(RX)->idx, 3);
	CHECK_EQ(b[10] | b[11] << 8, 3);
	CHECK_EQ(ring_used(RX)->ring[0].len, 1500);
	CHECK_EQ(ring_used(RX)->ring[1].len, 1500);
	CHECK_EQ(ring_used(RX)->ring[2].len, 512);
	CHECK(frame_ok(b + HDR, 3500, 9));	/* buffers are adjacent */
}

static void test_rx_waits_for_buffers(void)
{
	uint8_t *b = gpa(BUF_GPA);

	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(F_MRG_RXBUF) | BIT(VIRTIO_F_EVENT_IDX), 256);
	post(RX, (struct buf[]){ { BUF_GPA, 1500, true } }, 1);
	kick(RX);
	net_send(2000, 1);		/* needs two buffers, has one */
	rx_ready();
	CHECK_EQ(ring_used(RX)->idx, 0);		/* nothing taken */
	CHECK_EQ(f.poll_on, 0);				/* polling stopped */
	CHECK_EQ(counter("rx-no-buffers"), 1);
	/* EVENT_IDX: the device asked for a kick past what it looked at. */
	CHECK_EQ(avail_event(RX), 1);
	post(RX, (struct buf[]){ { BUF_GPA + 1500, 1500, true } }, 1);
	kick(RX);
	CHECK_EQ(ring_used(RX)->idx, 2);
	CHECK_EQ(b[10] | b[11] << 8, 2);
	CHECK(frame_ok(b + HDR, 2000, 1));
	CHECK_EQ(f.poll_on, 1);				/* resumed */
	CHECK_EQ(counter("rx-dropped"), 0);
}

static void test_rx_too_large(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(0, 256);		/* no MRG_RXBUF: one buffer a frame */
	post(RX, (struct buf[]){ { BUF_GPA, 600, true } }, 1);
	kick(RX);
	net_send(1000, 1);
	net_send(500, 2);
	rx_ready();
	CHECK_EQ(counter("rx-dropped"), 1);
	CHECK_EQ(ring_used(RX)->idx, 1);		/* the second fits */
	CHECK(frame_ok((uint8_t *)gpa(BUF_GPA) + HDR, 500, 2));
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_rx_short_buffer(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(F_MRG_RXBUF), 256);
	post(RX, (struct buf[]){ { BUF_GPA, 8, true } }, 1);
	kick(RX);
	net_send(100, 1);
	rx_ready();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(f.poll_on, 0);
	CHECK_EQ(ring_used(RX)->idx, 0);
}

static void test_rx_readable_buffer(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(0, 256);
	/* A device-readable receive buffer: nothing writable to fill. */
	post(RX, (struct buf[]){ { BUF_GPA, 1600, false } }, 1);
	kick(RX);
	net_send(100, 1);
	rx_ready();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_rx_before_driver_ok(void)
{
	CHECK_EQ(net_create(true), 0);
	net_send(100, 1);
	rx_ready();			/* no driver: stop polling */
	CHECK_EQ(f.poll_on, 0);
	driver_up(0, 256);
	post(RX, (struct buf[]){ { BUF_GPA, 1600, true } }, 1);
	kick(RX);
	CHECK_EQ(ring_used(RX)->idx, 1);
	CHECK_EQ(f.poll_on, 1);
}

static void test_event_idx_interrupts(void)
{
	struct virtq_avail *a;
	uint8_t h[HDR] = { 0 }, got[256];

	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(VIRTIO_F_EVENT_IDX), 256);
	a = ring_avail(TX);
	tx_frame(h, 60, false);			/* the first interrupts */
	CHECK_EQ(f.irqs, 1);
	bar_read(VIRTIO_PCI_ISR, 1);		/* lowers INTx */
	a->ring[256] = 5;			/* used_event: after entry 5 */
	for (unsigned i = 0; i < 4; i++) {
		tx_frame(h, 60, false);
		CHECK_EQ(read(f.sock[1], got, sizeof(got)), HDR + 60);
	}
	CHECK_EQ(f.irqs, 1);			/* used 2..5: suppressed */
	tx_frame(h, 60, false);			/* used idx 6 passes 5 */
	tx_frame(h, 60, false);
	CHECK_EQ(f.irqs, 2);
	CHECK_EQ(counter("tx-interrupts"), 2);
	CHECK_EQ(avail_event(TX), 7);	/* avail_event */
}

static void test_no_backend(void)
{
	uint8_t h[HDR] = { 0 };

	CHECK_EQ(net_create(false), 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_DEVICE + 6, 2), 0);	/* link down */
	CHECK_EQ(f.dev.ops->poll_fd(&f.dev), -1);
	driver_up(0, 256);
	tx_frame(h, 60, false);
	CHECK_EQ(counter("tx-dropped"), 1);
	CHECK_EQ(ring_used(TX)->idx, 1);
	CHECK_EQ(f.offload_calls, 0);
}

static void test_reset_drops_pending(void)
{
	CHECK_EQ(net_create(true), 0);
	driver_up(BIT(F_MRG_RXBUF), 256);
	net_send(100, 1);
	rx_ready();				/* no buffers: pending */
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	driver_up(BIT(F_MRG_RXBUF), 256);
	post(RX, (struct buf[]){ { BUF_GPA, 1600, true } }, 1);
	kick(RX);
	/* The frame held across the reset is gone; nothing was delivered. */
	CHECK_EQ(ring_used(RX)->idx, 0);
	CHECK_EQ(f.poll_on, 1);
}

/* vhost=on: a fake kernel that records what the device handed it. */
static struct host_vhost vhost_got;
static unsigned vhost_starts, vhost_stops;

static int fake_vhost_start(const struct host_net *net,
			    const struct host_vhost *v)
{
	vhost_got = *v;
	vhost_starts++;
	return 0;
}

static void fake_vhost_stop(const struct host_net *net, unsigned nr_rings)
{
	CHECK_EQ(nr_rings, 2);
	vhost_stops++;
}

static int fake_doorbell_fd(struct device_host *host, struct device *dev,
			    unsigned slot)
{
	return 100 + slot;
}

static void fake_vhost_backend(void)
{
	f.net.vhost_fd = 99;		/* the device never uses it */
	f.net.vhost_features = BIT(VIRTIO_F_VERSION_1) | BIT(F_MRG_RXBUF);
	f.net.vhost_start = fake_vhost_start;
	f.net.vhost_stop = fake_vhost_stop;
	f.host.doorbell_fd = fake_doorbell_fd;
}

static void vhost_call(void)
{
	uint64_t one = 1;

	CHECK_EQ(write(f.dev.ops->poll_fd(&f.dev), &one, 8), 8);
	f.dev.ops->poll_ready(&f.dev);
}

/*
 * The rings go to vhost at DRIVER_OK (sizes, addresses, kicks from the
 * doorbells, the call eventfd that is now the poll fd), kicks no longer
 * move frames in the device, a call interrupts only the queue whose used
 * index moved, a reset stops vhost; EVENT_IDX is not offered where the
 * kernel lacks it.
 */
static void test_vhost(void)
{
	uint8_t h[HDR] = { 0 }, got[256];
	int call;

	vhost_starts = vhost_stops = 0;
	with_vhost = true;
	CHECK_EQ(net_create(true), 0);
	with_vhost = false;
	CHECK(device_features() & BIT(F_MRG_RXBUF));
	CHECK(!(device_features() & BIT(VIRTIO_F_EVENT_IDX)));
	call = f.dev.ops->poll_fd(&f.dev);
	CHECK(call >= 0 && call != f.sock[0]);
	driver_up(BIT(F_MRG_RXBUF), 256);
	CHECK_EQ(vhost_starts, 1);
	CHECK_EQ(vhost_got.nr_rings, 2);
	CHECK(vhost_got.features & BIT(F_MRG_RXBUF));
	for (unsigned q = 0; q < 2; q++) {
		CHECK_EQ(vhost_got.ring[q].num, 256);
		CHECK_EQ(vhost_got.ring[q].base, 0);
		CHECK(vhost_got.ring[q].desc == ring_desc(q));
		CHECK(vhost_got.ring[q].avail == ring_avail(q));
		CHECK(vhost_got.ring[q].used == ring_used(q));
		CHECK_EQ(vhost_got.ring[q].kick, 100 + q);
		CHECK_EQ(vhost_got.ring[q].call, call);
	}
	tx_frame(h, 60, false);		/* the kernel's job now */
	CHECK_EQ(ring_used(TX)->idx, 0);
	CHECK_EQ(read(f.sock[1], got, sizeof(got)), -1);
	CHECK_EQ(vhost_starts, 1);
	ring_used(TX)->idx = 1;		/* vhost sent it and signalled */
	vhost_call();
	CHECK_EQ(f.irqs, 1);
	CHECK_EQ(counter("tx-interrupts"), 1);
	CHECK_EQ(counter("rx-interrupts"), 0);
	bar_read(VIRTIO_PCI_ISR, 1);	/* lowers INTx */
	vhost_call();			/* nothing moved: no interrupt */
	CHECK_EQ(f.irqs, 1);
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	CHECK_EQ(vhost_stops, 1);
	f.dev.ops->destroy(&f.dev);	/* stopped once, not again */
	CHECK_EQ(vhost_stops, 1);
}

/* vhost=on with MSI-X: the calls the device moved rings to. */
static int vhost_calls[2];
static unsigned vhost_set_calls;
static uint64_t irqfd_addr;
static uint32_t irqfd_data;

static int fake_vhost_set_call(const struct host_net *net, unsigned ring,
			       int fd)
{
	CHECK(ring < 2);
	vhost_calls[ring % 2] = fd;
	vhost_set_calls++;
	return 0;
}

static int fake_msi_irqfd(struct device_host *host, struct device *dev,
			  unsigned vector, uint64_t addr, uint32_t data)
{
	CHECK(dev == &f.dev);
	irqfd_addr = addr;
	irqfd_data = data;
	return 200 + vector;
}

/*
 * A ring whose queue has an unmasked MSI-X vector gets that vector's
 * irqfd as vhost's call, so the kernel interrupts the guest itself; a
 * masked vector (its entry, or the function mask) moves the ring back to
 * the device's call eventfd, where the interrupt waits in the PBA.
 */
static void test_vhost_msix_irqfd(void)
{
	uint64_t entry = VIRTIO_PCI_MSIX_TABLE + 1 * 16;	/* vector 1 */
	uint8_t cap;
	int call;

	vhost_starts = vhost_set_calls = 0;
	with_vhost = true;
	CHECK_EQ(net_create(true), 0);
	with_vhost = false;
	f.net.vhost_set_call = fake_vhost_set_call;
	f.host.msi_irqfd = fake_msi_irqfd;
	call = f.dev.ops->poll_fd(&f.dev);
	driver_up(BIT(F_MRG_RXBUF), 256);
	CHECK_EQ(vhost_starts, 1);
	CHECK_EQ(vhost_got.ring[TX].call, call);	/* INTx: ours */
	cap = msix_cap();
	CHECK(cap);
	cfg_write(cap + 2, 0x8000, 2);			/* MSI-X on */
	bar_write(VIRTIO_PCI_Q_SELECT, TX, 2);
	bar_write(VIRTIO_PCI_Q_MSIX, 1, 2);
	bar_write(entry, 0xfee00000, 4);
	bar_write(entry + 8, 0x4052, 4);
	CHECK_EQ(vhost_set_calls, 0);			/* still masked */
	bar_write(entry + 12, 0, 4);			/* unmask */
	CHECK_EQ(vhost_set_calls, 1);
	CHECK_EQ(vhost_calls[TX], 201);
	CHECK_EQ(irqfd_addr, 0xfee00000);
	CHECK_EQ(irqfd_data, 0x4052);
	cfg_write(cap + 2, 0xc000, 2);			/* function mask */
	CHECK_EQ(vhost_set_calls, 2);
	CHECK_EQ(vhost_calls[TX], call);
	cfg_write(cap + 2, 0x8000, 2);
	CHECK_EQ(vhost_calls[TX], 201);
	CHECK_EQ(vhost_set_calls, 3);			/* RX: no vector */
	/* After a restart (the reset clears the vector) it follows again. */
	driver_up(BIT(F_MRG_RXBUF), 256);
	CHECK_EQ(vhost_starts, 2);
	bar_write(VIRTIO_PCI_Q_SELECT, TX, 2);
	bar_write(VIRTIO_PCI_Q_MSIX, 1, 2);
	CHECK_EQ(vhost_calls[TX], 201);
	f.dev.ops->destroy(&f.dev);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "/devices/virtio-net/features-config", test_features_config },
	{ "/devices/virtio-net/mac-property", test_mac_property },
	{ "/devices/virtio-net/bad-properties", test_bad_properties },
	{ "/devices/virtio-net/queue-size-property", test_queue_size_property },
	{ "/devices/virtio-net/offloads-off", test_offloads_off },
	{ "/devices/virtio-net/offload-negotiation", test_offload_negotiation },
	{ "/devices/virtio-net/tx", test_tx },
	{ "/devices/virtio-net/tx-header-not-negotiated",
	  test_tx_header_not_negotiated },
	{ "/devices/virtio-net/tx-short-header", test_tx_short_header },
	{ "/devices/virtio-net/tx-outside-ram", test_tx_outside_ram },
	{ "/devices/virtio-net/rx", test_rx },
	{ "/devices/virtio-net/rx-mergeable", test_rx_mergeable },
	{ "/devices/virtio-net/rx-waits-for-buffers", test_rx_waits_for_buffers },
	{ "/devices/virtio-net/rx-too-large", test_rx_too_large },
	{ "/devices/virtio-net/rx-short-buffer", test_rx_short_buffer },
	{ "/devices/virtio-net/rx-readable-buffer", test_rx_readable_buffer },
	{ "/devices/virtio-net/rx-before-driver-ok", test_rx_before_driver_ok },
	{ "/devices/virtio-net/event-idx-interrupts", test_event_idx_interrupts },
	{ "/devices/virtio-net/no-backend", test_no_backend },
	{ "/devices/virtio-net/reset-drops-pending", test_reset_drops_pending },
	{ "/devices/virtio-net/vhost", test_vhost },
	{ "/devices/virtio-net/vhost-msix-irqfd", test_vhost_msix_irqfd },
};

int main(void)
{
	unsigned failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		fake_reset();
		next_desc[0] = next_desc[1] = 0;
		current_test = tests[i].name;
		current_failures = 0;
		tests[i].fn();
		if (!current_failures)
			printf("PASS %s\n", current_test);
		failed += current_failures != 0;
	}
	fake_reset();
	free(f.ram0);
	return failed ? 1 : 0;
}
