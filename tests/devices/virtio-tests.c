// SPDX-License-Identifier: MIT
/*
 * virtio device tests without KVM: the virtio-pci and virtio-mmio
 * transports, virtqueues, virtio-blk, virtio-rng and virtio-console driven
 * like a guest driver would, through the models' MMIO and PCI config
 * handlers, over a fake
 * guest RAM (page-aligned heap buffers registered in a struct guest_ram).
 * Malformed queues must break the device (DEVICE_NEEDS_RESET), never the
 * VMM; under SANITIZE=1, ASan proves nothing outside the buffers is read
 * or written.
 *
 * The tests of queues, malformed rings and the models run on both
 * transports (/virtio-mmio/... the second time): the driver-side helpers
 * below (negotiate, queue_setup, kick, ...) speak the transport's
 * registers.
 *
 * virtio-blk completes disk requests asynchronously (io_uring): the
 * helpers below serve its completions as the I/O thread does (poll the
 * device's poll fd, call poll_ready()) until the used ring has what a
 * test waits for, so every check sees a finished request.
 *
 * One line per test: PASS <name> or FAIL <name>: <first failed check>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>

#include "device.h"
#include "pci.h"
#include "virtio-blk.h"
#include "virtio-mmio.h"
#include "virtqueue.h"
#include "board-tables.h"
#include "guest-ram.h"

extern const struct device_ops virtio_blk_pci_ops, virtio_rng_pci_ops,
	virtio_console_pci_ops, virtio_blk_mmio_ops, virtio_rng_mmio_ops,
	virtio_console_mmio_ops;

/* The transport the shared tests speak: false PCI, true MMIO. */
static bool mmio_mode;

/* Test runner */

static const char *current_test;
static unsigned current_failures;
static bool current_skipped;

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

/* The test cannot run here: SKIP with why, instead of PASS. */
static void test_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void test_skip(const char *fmt, ...)
{
	va_list ap;

	current_skipped = true;
	printf("SKIP %s: ", current_test);
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

/* The fake machine: two RAM spans, a device, recorded interrupts. */

#define RAM0_BASE	0x0
#define RAM0_SIZE	0x100000		/* 1 MiB */
#define RAM1_BASE	0x200000
#define RAM1_SIZE	0x10000
#define DESC_GPA	0x1000
#define AVAIL_GPA	0x2000
#define USED_GPA	0x3000
#define BUF_GPA		0x10000
#define BAR_BASE	0xc0000000ull
#define IRQ_GSI		10
#define NOTIFY_REG	3			/* "notify" in the type's regs[] */
#define MMIO_NOTIFY_REG	1			/* the same in the mmio types */

struct fake {
	uint8_t *ram0, *ram1;
	struct guest_ram ram;
	struct device_host host;
	struct board_device desc;
	struct board_prop props[2];
	unsigned nr_props;
	struct device dev;
	struct host_disk disks[2];
	int irq_level;
	unsigned irq_raises;
	unsigned msi_count;
	unsigned msi_vector;
	struct device *msi_dev;
	uint64_t msi_addr;
	uint32_t msi_data;
	uint16_t avail_idx;		/* driver side */
	char disk_path[64];
	int console_in[2], console_out[2];
};

static struct fake f;

#define PCI_CFG_DEV (&f.dev)
#include "pci-cfg.h"

static void fake_set_level(struct irq_line *line, int level)
{
	if (level && !f.irq_level)
		f.irq_raises++;
	f.irq_level = level;
}

static void fake_signal_msi(struct device_host *host, struct device *dev,
			    unsigned vector, uint64_t addr, uint32_t data)
{
	f.msi_count++;
	f.msi_dev = dev;
	f.msi_vector = vector;
	f.msi_addr = addr;
	f.msi_data = data;
}

static void *gpa(uint64_t addr)
{
	return guest_ram_ptr(&f.ram, addr, 1);
}

static void ram_setup(void)
{
	f.ram0 = aligned_alloc(4096, RAM0_SIZE);
	f.ram1 = aligned_alloc(4096, RAM1_SIZE);
	if (!f.ram0 || !f.ram1) {
		perror("virtio-tests: guest RAM");
		exit(2);
	}
	memset(f.ram0, 0, RAM0_SIZE);
	memset(f.ram1, 0, RAM1_SIZE);
	guest_ram_add(&f.ram, RAM0_BASE, RAM0_SIZE, f.ram0);
	guest_ram_add(&f.ram, RAM1_BASE, RAM1_SIZE, f.ram1);
}

/* A fresh device of `type` with the fake host; returns init's result. */
static int device_create(const struct device_type *type,
			 const struct device_ops *ops)
{
	f.desc = (struct board_device) {
		.name = "dev0", .type = type, .ops = ops, .irq = IRQ_GSI,
		.has_mmio = true, .mmio_base = BAR_BASE, .props = f.props,
		.nr_props = f.nr_props,
		.pci_slot = type->pci ? 3 : 0,
		.bar_size = type->pci ? 0x4000 : 0,
		.srcpos = "tests/devices/virtio-tests.c:1:1",
	};
	f.host.ram = &f.ram;
	f.host.signal_msi = fake_signal_msi;
	f.host.disks = f.disks;
	f.dev = (struct device) {
		.desc = &f.desc, .ops = ops, .host = &f.host,
		.irq = { .set_level = fake_set_level, .gsi = IRQ_GSI },
	};
	return ops->init(&f.dev);
}

/* The type and ops of each model on the transport under test. */
static int rng_create(void)
{
	if (mmio_mode)
		return device_create(&device_type_virtio_rng_mmio,
				     &virtio_rng_mmio_ops);
	return device_create(&device_type_virtio_rng_pci, &virtio_rng_pci_ops);
}

static int blk_create(void)
{
	if (mmio_mode)
		return device_create(&device_type_virtio_blk_mmio,
				     &virtio_blk_mmio_ops);
	return device_create(&device_type_virtio_blk_pci, &virtio_blk_pci_ops);
}

static void device_remove(void)
{
	if (f.dev.ops && f.dev.ops->destroy)
		f.dev.ops->destroy(&f.dev);
	f.dev.ops = NULL;
}

static void fake_reset(void)
{
	if (f.disk_path[0])
		unlink(f.disk_path);
	free(f.ram0);
	free(f.ram1);
	for (unsigned i = 0; i < 2; i++) {
		if (f.console_in[i] > 0)
			close(f.console_in[i]);
		if (f.console_out[i] > 0)
			close(f.console_out[i]);
	}
	memset(&f, 0, sizeof(f));
	ram_setup();
}

/* A zeroed temporary disk of `size` bytes as --disk number 0. */
static void disk_make(uint64_t size, bool readonly)
{
	int fd;

	snprintf(f.disk_path, sizeof(f.disk_path), "/tmp/virtio-test-XXXXXX");
	fd = mkstemp(f.disk_path);
	if (fd < 0 || ftruncate(fd, size) < 0) {
		perror("virtio-tests: disk");
		exit(2);
	}
	close(fd);
	f.disks[0] = (struct host_disk) { f.disk_path, readonly };
	f.host.nr_disks = 1;
}

/* The driver's side: BAR0 and config-space accessors. */

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

/* The driver's side on virtio-mmio: 32-bit registers. */
static uint32_t mmio_read(uint64_t off)
{
	return bar_read(off, 4);
}

static void mmio_write(uint64_t off, uint32_t v)
{
	bar_write(off, v, 4);
}

static uint8_t status(void)
{
	if (mmio_mode)
		return mmio_read(VIRTIO_MMIO_STATUS);
	return bar_read(VIRTIO_PCI_STATUS, 1);
}

static void status_set(uint8_t v)
{
	if (mmio_mode)
		mmio_write(VIRTIO_MMIO_STATUS, v);
	else
		bar_write(VIRTIO_PCI_STATUS, v, 1);
}

static uint64_t device_features(void)
{
	uint64_t lo;

	if (mmio_mode) {
		mmio_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
		lo = mmio_read(VIRTIO_MMIO_DEVICE_FEATURES);
		mmio_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
		return lo | (uint64_t)mmio_read(VIRTIO_MMIO_DEVICE_FEATURES)
			    << 32;
	}
	bar_write(VIRTIO_PCI_DFSELECT, 0, 4);
	lo = bar_read(VIRTIO_PCI_DF, 4);
	bar_write(VIRTIO_PCI_DFSELECT, 1, 4);
	return lo | bar_read(VIRTIO_PCI_DF, 4) << 32;
}

static void driver_features_set(uint64_t features)
{
	if (mmio_mode) {
		mmio_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
		mmio_write(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
		mmio_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		mmio_write(VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
		return;
	}
	bar_write(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_write(VIRTIO_PCI_GF, (uint32_t)features, 4);
	bar_write(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_GF, features >> 32, 4);
}

/* Negotiate `features`; returns the status after FEATURES_OK. */
static uint8_t negotiate(uint64_t features)
{
	status_set(0);
	status_set(VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	driver_features_set(features);
	status_set(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
	return status();
}

static void mmio_queue_setup(unsigned q, uint16_t size, uint64_t desc,
			     uint64_t avail, uint64_t used)
{
	mmio_write(VIRTIO_MMIO_QUEUE_SEL, q);
	mmio_write(VIRTIO_MMIO_QUEUE_NUM, size);
	mmio_write(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	mmio_write(VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	mmio_write(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	mmio_write(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
	mmio_write(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	mmio_write(VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
	mmio_write(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void queue_setup(unsigned q, uint16_t size, uint64_t desc,
			uint64_t avail, uint64_t used)
{
	if (mmio_mode) {
		mmio_queue_setup(q, size, desc, avail, used);
		return;
	}
	bar_write(VIRTIO_PCI_Q_SELECT, q, 2);
	bar_write(VIRTIO_PCI_Q_SIZE, size, 2);
	bar_write(VIRTIO_PCI_Q_DESCLO, desc, 8);	/* one 64-bit write */
	bar_write(VIRTIO_PCI_Q_AVAILLO, (uint32_t)avail, 4);
	bar_write(VIRTIO_PCI_Q_AVAILHI, avail >> 32, 4);
	bar_write(VIRTIO_PCI_Q_USEDLO, (uint32_t)used, 4);
	bar_write(VIRTIO_PCI_Q_USEDHI, used >> 32, 4);
	bar_write(VIRTIO_PCI_Q_ENABLE, 1, 2);
}

/* The usual bring-up: VERSION_1 plus `extra`, queues at fixed places. */
static void driver_up(uint64_t extra, unsigned nr_queues, uint16_t size)
{
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1 | extra) &
	      VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < nr_queues; q++)
		queue_setup(q, size, DESC_GPA + q * 0x10000,
			    AVAIL_GPA + q * 0x10000, USED_GPA + q * 0x10000);
	status_set(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(status() & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
}

/* The interrupt status (PCI: reading the ISR clears it; MMIO: acked). */
static uint8_t isr_take(void)
{
	uint32_t isr;

	if (!mmio_mode)
		return bar_read(VIRTIO_PCI_ISR, 1);
	isr = mmio_read(VIRTIO_MMIO_INTERRUPT_STATUS);
	mmio_write(VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

/* Device configuration at `off`. */
static uint64_t devcfg_read(uint64_t off, unsigned len)
{
	return bar_read((mmio_mode ? VIRTIO_MMIO_CONFIG : VIRTIO_PCI_DEVICE) +
			off, len);
}

/* Rings of queue q as the driver sees them. */
static struct virtq_desc *ring_desc(unsigned q)
{
	return gpa(DESC_GPA + q * 0x10000);
}

static struct virtq_avail *ring_avail(unsigned q)
{
	return gpa(AVAIL_GPA + q * 0x10000);
}

static struct virtq_used *ring_used(unsigned q)
{
	return gpa(USED_GPA + q * 0x10000);
}

struct buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Put a chain at descriptors first.. and make it available on queue q. */
static void post_at(unsigned q, uint16_t size, uint16_t first,
		    const struct buf *bufs, unsigned n)
{
	struct virtq_desc *d = ring_desc(q);
	struct virtq_avail *a = ring_avail(q);

	for (unsigned i = 0; i < n; i++) {
		uint16_t at = (first + i) % size;

		d[at].addr = bufs[i].addr;
		d[at].len = bufs[i].len;
		d[at].flags = (bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		d[at].next = (first + i + 1) % size;
	}
	a->ring[a->idx % size] = first;
	a->idx++;
}

static void post(unsigned q, const struct buf *bufs, unsigned n)
{
	post_at(q, 256, 0, bufs, n);
}

/* Ring queue q the sync way (an MMIO write to its notify address). */
static void kick(unsigned q)
{
	if (mmio_mode)
		mmio_write(VIRTIO_MMIO_QUEUE_NOTIFY, q);
	else
		bar_write(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * q, q, 2);
}

/* virtio-blk requests */

#define BLK_T_IN	0
#define BLK_T_OUT	1
#define BLK_T_FLUSH	4
#define BLK_T_GET_ID	8
#define BLK_S_OK	0
#define BLK_S_IOERR	1
#define BLK_S_UNSUPP	2

#define HDR_GPA		0x20000
#define DATA_GPA	0x21000
#define STATUS_GPA	0x30000

static void blk_header(uint32_t type, uint64_t sector)
{
	uint8_t *h = gpa(HDR_GPA);

	device_data_put(h, 4, type);
	device_data_put(h + 4, 4, 0);
	device_data_put(h + 8, 8, sector);
	*(uint8_t *)gpa(STATUS_GPA) = 0xee;
}

/* The device's poll fd readable within 5 s (a completion arrived). */
static bool blk_event_wait(void)
{
	struct pollfd p = { .fd = f.dev.ops->poll_fd(&f.dev), .events = POLLIN };

	return p.fd >= 0 && poll(&p, 1, 5000) == 1;
}

/*
 * The I/O thread's part: serve completions (the ring's eventfd, then
 * poll_ready) until queue 0's used index is `n` past `from`, or 5 s
 * without a completion (a failed check).
 */
static void blk_wait_used(uint16_t from, uint16_t n)
{
	while ((uint16_t)(ring_used(0)->idx - from) < n) {
		if (!blk_event_wait()) {
			test_fail(__FILE__, __LINE__, "no completion in 5 s "
				  "(%u of %u used)",
				  (uint16_t)(ring_used(0)->idx - from), n);
			return;
		}
		f.dev.ops->poll_ready(&f.dev);
	}
}

/* The device's --stats counter `name`. */
static uint64_t counter(const char *name)
{
	struct device_counter c[16];
	unsigned n = f.dev.ops->counters(&f.dev, c, 16);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	test_fail(__FILE__, __LINE__, "no counter %s", name);
	return 0;
}

/* One request on queue 0 (header, data, status); returns the status. */
static uint8_t blk_do(uint32_t type, uint64_t sector, uint32_t len,
		      bool data_write)
{
	struct buf bufs[3] = {
		{ HDR_GPA, 16, false },
		{ DATA_GPA, len, data_write },
		{ STATUS_GPA, 1, true },
	};
	uint16_t used = ring_used(0)->idx;

	blk_header(type, sector);
	if (len)
		post(0, bufs, 3);
	else
		post(0, (struct buf[]) { bufs[0], bufs[2] }, 2);
	kick(0);
	blk_wait_used(used, 1);
	CHECK_EQ((uint16_t)(ring_used(0)->idx - used), 1);
	return *(uint8_t *)gpa(STATUS_GPA);
}

static int blk_up(uint64_t disk_size, bool readonly)
{
	int err;

	disk_make(disk_size, readonly);
	err = blk_create();
	if (err)
		return err;
	driver_up(0, 1, 256);
	return 0;
}

/* `len` bytes of the disk image at `off`, read back past the device. */
static void disk_read_back(void *buf, size_t len, off_t off)
{
	int fd = open(f.disk_path, O_RDONLY);

	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, buf, len, off), len);
	close(fd);
}

/* Tests: the transport */

static void test_pci_header(void)
{
	static const uint8_t want_types[] = {
		VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG,
		VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_DEVICE_CFG,
	};
	unsigned vendor_caps = 0, msix = 0;
	uint8_t cap;

	CHECK_EQ(rng_create(), 0);
	CHECK_EQ(cfg_read(PCI_VENDOR_ID, 2), 0x1af4);
	CHECK_EQ(cfg_read(PCI_DEVICE_ID, 2), 0x1044);
	CHECK_EQ(cfg_read(PCI_REVISION_ID, 1), 1);
	CHECK_EQ(cfg_read(PCI_SUBSYSTEM_ID, 2), 4);
	CHECK(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (cap = cfg_read(PCI_CAPABILITY_LIST, 1); cap;
	     cap = cfg_read(cap + 1, 1)) {
		if (cfg_read(cap, 1) == PCI_CAP_ID_MSIX) {
			msix++;
			CHECK_EQ(cfg_read(cap + 2, 2) & 0x7ff, 15);
			CHECK_EQ(cfg_read(cap + 4, 4), VIRTIO_PCI_MSIX_TABLE);
			CHECK_EQ(cfg_read(cap + 8, 4), VIRTIO_PCI_MSIX_PBA);
			continue;
		}
		CHECK_EQ(cfg_read(cap, 1), PCI_CAP_ID_VNDR);
		if (vendor_caps >= 4)
			break;
		CHECK_EQ(cfg_read(cap + 3, 1), want_types[vendor_caps]);
		CHECK_EQ(cfg_read(cap + 4, 1), 0);		/* BAR0 */
		if (want_types[vendor_caps] == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			CHECK_EQ(cfg_read(cap + 2, 1), 20);
			CHECK_EQ(cfg_read(cap + 8, 4), VIRTIO_PCI_NOTIFY);
			CHECK_EQ(cfg_read(cap + 16, 4), 2);
		}
		vendor_caps++;
	}
	CHECK_EQ(vendor_caps, 4);
	CHECK_EQ(msix, 1);
}

static void test_features(void)
{
	CHECK_EQ(rng_create(), 0);
	CHECK_EQ(device_features(), 1ull << VIRTIO_F_VERSION_1);
	/* Legacy drivers (no VERSION_1) are refused. */
	CHECK_EQ(negotiate(0) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* So is a feature the device did not offer. */
	CHECK_EQ(negotiate(1ull << VIRTIO_F_VERSION_1 | 1ull << 28) &
		 VIRTIO_STATUS_FEATURES_OK, 0);
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	/* Features are frozen once FEATURES_OK stuck. */
	bar_write(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_write(VIRTIO_PCI_GF, 0xffffffff, 4);
	CHECK_EQ(bar_read(VIRTIO_PCI_GF, 4), 0);
	/* DRIVER_OK is refused without FEATURES_OK. */
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	CHECK_EQ(status(), 0);
	bar_write(VIRTIO_PCI_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
		  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK, 1);
	CHECK_EQ(status() & VIRTIO_STATUS_DRIVER_OK, 0);
}

static void test_queue_registers(void)
{
	CHECK_EQ(device_create(&device_type_virtio_console_pci,
			       &virtio_console_pci_ops), 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_NUM_QUEUES, 2), 2);
	bar_write(VIRTIO_PCI_Q_SELECT, 1, 2);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_SIZE, 2), 64);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_NOFF, 2), 1);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	bar_write(VIRTIO_PCI_Q_DESCLO, 0x123456789000ull, 8);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_DESCLO, 8), 0x123456789000ull);
	bar_write(VIRTIO_PCI_Q_MSIX, 99, 2);		/* no such vector */
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	bar_write(VIRTIO_PCI_Q_MSIX, 3, 2);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_MSIX, 2), 3);
	/* A queue that does not exist reads size 0. */
	bar_write(VIRTIO_PCI_Q_SELECT, 2, 2);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_SIZE, 2), 0);
	/* Reset puts everything back. */
	bar_write(VIRTIO_PCI_STATUS, 0, 1);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_SELECT, 2), 0);
	bar_write(VIRTIO_PCI_Q_SELECT, 1, 2);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_DESCLO, 8), 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
}

/* Without MSI-X: ISR bit 0 and the INTx line; reading the ISR clears. */
static void test_intx_isr(void)
{
	CHECK_EQ(blk_up(4096, false), 0);
	CHECK_EQ(f.irq_level, 0);
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(f.irq_level, 1);
	CHECK(cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	CHECK_EQ(bar_read(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	CHECK_EQ(f.irq_level, 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_ISR, 1), 0);
	/* The driver asked for no interrupts. */
	ring_avail(0)->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(f.irq_level, 0);
	CHECK_EQ(f.irq_raises, 1);
	CHECK_EQ(f.msi_count, 0);
}

/* MSI-X: vector per queue, entry mask -> PBA bit, unmask delivers. */
static void test_msix(void)
{
	uint64_t entry = VIRTIO_PCI_MSIX_TABLE + 2 * 16;
	uint8_t cap;

	CHECK_EQ(blk_up(4096, false), 0);
	cap = msix_cap();
	CHECK(cap);
	cfg_write(cap + 2, 0x8000, 2);			/* enable */
	CHECK_EQ(cfg_read(cap + 2, 2), 0x800f);
	CHECK_EQ(bar_read(entry + 12, 4), 1);		/* masked at reset */
	bar_write(entry, 0xfee01000, 4);
	bar_write(entry + 4, 0, 4);
	bar_write(entry + 8, 0x4041, 4);
	bar_write(VIRTIO_PCI_Q_SELECT, 0, 2);
	bar_write(VIRTIO_PCI_Q_MSIX, 2, 2);
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(f.msi_count, 0);
	CHECK_EQ(bar_read(VIRTIO_PCI_MSIX_PBA, 8), 1 << 2);
	bar_write(entry + 12, 0, 4);			/* unmask */
	CHECK_EQ(f.msi_count, 1);
	CHECK_EQ(f.msi_vector, 2);			/* the vector, named */
	CHECK(f.msi_dev == &f.dev);
	CHECK_EQ(f.msi_addr, 0xfee01000);
	CHECK_EQ(f.msi_data, 0x4041);
	CHECK_EQ(bar_read(VIRTIO_PCI_MSIX_PBA, 8), 0);
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(f.msi_count, 2);
	/* The function mask holds it back too. */
	cfg_write(cap + 2, 0xc000, 2);
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(f.msi_count, 2);
	cfg_write(cap + 2, 0x8000, 2);
	CHECK_EQ(f.msi_count, 3);
	CHECK_EQ(f.irq_raises, 0);			/* never INTx */
	CHECK_EQ(bar_read(VIRTIO_PCI_ISR, 1), 0);
}

/* Tests: virtio-blk */

static void test_blk_read_write(void)
{
	uint8_t *data = gpa(DATA_GPA), back[1024];

	CHECK_EQ(blk_up(64 * 512, false), 0);
	CHECK_EQ(device_features() & (1ull << 5), 0);	/* not RO */
	CHECK_EQ(devcfg_read(0, 8), 64);		/* capacity */
	CHECK_EQ(devcfg_read(0x14, 4), 512);
	for (unsigned i = 0; i < 1024; i++)
		data[i] = i * 7 + 3;
	CHECK_EQ(blk_do(BLK_T_OUT, 5, 1024, false), BLK_S_OK);
	CHECK_EQ(ring_used(0)->ring[0].len, 1);
	disk_read_back(back, sizeof(back), 5 * 512);
	CHECK(!memcmp(back, data, sizeof(back)));
	memset(data, 0, 1024);
	CHECK_EQ(blk_do(BLK_T_IN, 5, 1024, true), BLK_S_OK);
	CHECK_EQ(ring_used(0)->ring[1].len, 1025);
	CHECK(!memcmp(back, data, sizeof(back)));
	/* The last sector is in range, the one after is not. */
	CHECK_EQ(blk_do(BLK_T_IN, 63, 512, true), BLK_S_OK);
	CHECK_EQ(blk_do(BLK_T_IN, 63, 1024, true), BLK_S_IOERR);
	CHECK_EQ(blk_do(BLK_T_IN, 64, 512, true), BLK_S_IOERR);
	CHECK_EQ(blk_do(BLK_T_OUT, ~0ull, 512, false), BLK_S_IOERR);
	/* Not a whole number of sectors. */
	CHECK_EQ(blk_do(BLK_T_IN, 0, 100, true), BLK_S_IOERR);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_blk_get_id_unsupp_flush(void)
{
	char id[21] = { 0 };

	CHECK_EQ(blk_up(4096, false), 0);
	CHECK(device_features() & (1ull << 9));		/* FLUSH */
	CHECK_EQ(blk_do(BLK_T_GET_ID, 0, 20, true), BLK_S_OK);
	memcpy(id, gpa(DATA_GPA), 20);
	CHECK(!strcmp(id, "boardvm-dev0"));
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(blk_do(11, 0, 512, false), BLK_S_UNSUPP);	/* DISCARD */
	CHECK_EQ(blk_do(0x12345, 0, 0, false), BLK_S_UNSUPP);
}

/* Data in the wrong direction for the request type: IOERR, no reset. */
static void test_blk_wrong_direction(void)
{
	CHECK_EQ(blk_up(4096, false), 0);
	CHECK_EQ(blk_do(BLK_T_IN, 0, 512, false), BLK_S_IOERR);
	CHECK_EQ(blk_do(BLK_T_OUT, 0, 512, true), BLK_S_IOERR);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* The async doorbell (I/O thread's notify) serves the queue the same. */
static void test_blk_async_notify(void)
{
	struct buf bufs[] = {
		{ HDR_GPA, 16, false }, { STATUS_GPA, 1, true },
	};

	CHECK_EQ(blk_up(4096, false), 0);
	blk_header(BLK_T_FLUSH, 0);
	post(0, bufs, 2);
	f.dev.ops->notify(&f.dev, mmio_mode ? MMIO_NOTIFY_REG : NOTIFY_REG, 0);
	blk_wait_used(0, 1);
	CHECK_EQ(ring_used(0)->idx, 1);
	CHECK_EQ(*(uint8_t *)gpa(STATUS_GPA), BLK_S_OK);
	/* A notify for a queue the device does not have is ignored. */
	f.dev.ops->notify(&f.dev, mmio_mode ? MMIO_NOTIFY_REG : NOTIFY_REG, 7);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_blk_read_only(void)
{
	uint8_t *data = gpa(DATA_GPA), back[512];

	CHECK_EQ(blk_up(4096, true), 0);
	CHECK(device_features() & (1ull << 5));		/* VIRTIO_BLK_F_RO */
	memset(data, 0x5a, 512);
	CHECK_EQ(blk_do(BLK_T_OUT, 0, 512, false), BLK_S_IOERR);
	disk_read_back(back, sizeof(back), 0);
	for (unsigned i = 0; i < sizeof(back); i++)
		if (back[i])
			CHECK_EQ(back[i], 0);
	CHECK_EQ(blk_do(BLK_T_IN, 0, 512, true), BLK_S_OK);
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
}

/* The board's read-only property makes a read-write --disk read-only. */
static void test_blk_read_only_property(void)
{
	f.props[0] = (struct board_prop) { "read-only", PROP_BOOL, 1, "true" };
	f.nr_props = 1;
	CHECK_EQ(blk_up(4096, false), 0);
	CHECK(device_features() & (1ull << 5));
	CHECK_EQ(blk_do(BLK_T_OUT, 0, 512, false), BLK_S_IOERR);
}

/* No --disk: no medium, read-only, every transfer fails. */
static void test_blk_no_disk(void)
{
	CHECK_EQ(blk_create(), 0);
	driver_up(0, 1, 256);
	CHECK(device_features() & (1ull << 5));
	CHECK_EQ(devcfg_read(0, 8), 0);
	CHECK_EQ(blk_do(BLK_T_IN, 0, 512, true), BLK_S_IOERR);
}

/* Two VMMs on one image: the second open fails, clearly. */
static void test_blk_lock_conflict(void)
{
	struct device first;
	int err;

	CHECK_EQ(blk_up(4096, false), 0);
	first = f.dev;
	/* A second device (as another VMM would) on the same file. */
	f.host.disks_taken = 0;
	err = blk_create();
	CHECK_EQ(err, -EWOULDBLOCK);
	/* Read-only sharing is refused while a writer holds it. */
	f.disks[0].readonly = true;
	f.host.disks_taken = 0;
	err = blk_create();
	CHECK_EQ(err, -EWOULDBLOCK);
	/* Once the writer is gone, two read-only users may share it. */
	f.dev = first;
	device_remove();
	f.host.disks_taken = 0;
	CHECK_EQ(blk_create(), 0);
	first = f.dev;
	f.host.disks_taken = 0;
	CHECK_EQ(blk_create(), 0);
	device_remove();
	f.dev = first;
}

/* A missing image is an error naming the file. */
static void test_blk_missing_file(void)
{
	f.disks[0] = (struct host_disk) { "/nonexistent/disk.img", false };
	f.host.nr_disks = 1;
	CHECK_EQ(blk_create(), -ENOENT);
	f.dev.ops = NULL;
}

/*
 * Durability: a child writes and flushes through the device, says so on a
 * pipe, and is killed with SIGKILL; the data is in the file.
 */
static void test_blk_durability(void)
{
	uint8_t back[4096];
	int fds[2], st;
	char ok = 0;
	pid_t pid;

	disk_make(1 << 20, false);
	CHECK_EQ(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		uint8_t *data = gpa(DATA_GPA);
		char c = 'y';

		close(fds[0]);
		if (blk_create())
			_exit(1);
		driver_up(0, 1, 256);
		memset(data, 0xc3, 4096);
		if (blk_do(BLK_T_OUT, 100, 4096, false) != BLK_S_OK ||
		    blk_do(BLK_T_FLUSH, 0, 0, false) != BLK_S_OK)
			c = 'n';
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();	/* killed here, device still open */
	}
	close(fds[1]);
	CHECK(pid > 0);
	CHECK_EQ(read(fds[0], &ok, 1), 1);
	CHECK_EQ(ok, 'y');
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fds[0]);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	disk_read_back(back, sizeof(back), 100 * 512);
	for (unsigned i = 0; i < sizeof(back); i++)
		if (back[i] != 0xc3) {
			CHECK_EQ(back[i], 0xc3);
			break;
		}
	/* The lock died with the child: the image can be opened again. */
	CHECK_EQ(blk_create(), 0);
}

/* Tests: virtio-blk's io_uring data path */

/* Request i of a batch: its header, data and status, apart from the rest. */
#define BATCH_HDR(i)	(0x40000 + (i) * 0x20)
#define BATCH_STATUS(i)	(0x40010 + (i) * 0x20)
#define BATCH_DATA(i)	(0x50000 + (i) * 0x1000)

/* Chain i at descriptors 3i..3i+2: `type` at `sector`, `len` bytes. */
static void batch_post(unsigned i, uint32_t type, uint64_t sector,
		       uint32_t len)
{
	uint8_t *h = gpa(BATCH_HDR(i));
	struct buf bufs[3] = {
		{ BATCH_HDR(i), 16, false },
		{ BATCH_DATA(i), len, type == BLK_T_IN },
		{ BATCH_STATUS(i), 1, true },
	};

	device_data_put(h, 4, type);
	device_data_put(h + 4, 4, 0);
	device_data_put(h + 8, 8, sector);
	*(uint8_t *)gpa(BATCH_STATUS(i)) = 0xee;
	if (len) {
		post_at(0, 256, 3 * i, bufs, 3);
	} else {
		bufs[1] = bufs[2];
		post_at(0, 256, 3 * i, bufs, 2);
	}
}

/* Eight reads in one notify: eight SQEs, one io_uring_submit. */
static void test_blk_batch(void)
{
	uint64_t submits, sqes;
	int fd;

	CHECK_EQ(blk_up(64 * 512, false), 0);
	fd = open(f.disk_path, O_WRONLY);
	for (unsigned i = 0; i < 8; i++) {
		uint8_t sector[512];

		memset(sector, 0x10 + i, sizeof(sector));
		CHECK_EQ(pwrite(fd, sector, 512, (8 + i) * 512), 512);
	}
	close(fd);
	submits = counter("submits");
	sqes = counter("sqes");
	for (unsigned i = 0; i < 8; i++)
		batch_post(i, BLK_T_IN, 8 + i, 512);
	kick(0);
	CHECK_EQ(counter("submits") - submits, 1);
	CHECK_EQ(counter("sqes") - sqes, 8);
	blk_wait_used(0, 8);
	for (unsigned i = 0; i < 8; i++) {
		uint8_t *data = gpa(BATCH_DATA(i));

		CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(i)), BLK_S_OK);
		CHECK_EQ(data[0], 0x10 + i);
		CHECK_EQ(data[511], 0x10 + i);
	}
	CHECK_EQ(counter("requests"), 8);
	CHECK_EQ(counter("io-errors"), 0);
	/* One interrupt line raise for the lot (INTx, not acked between). */
	CHECK_EQ(f.irq_raises, 1);
}

/*
 * Two writes and a FLUSH in one notify: the FLUSH's fsync drains the ring
 * (IOSQE_IO_DRAIN), so it completes after both writes, their data in the
 * file by then.
 */
static void test_blk_flush_after_writes(void)
{
	uint8_t back[4096];
	struct virtq_used *u;

	CHECK_EQ(blk_up(64 * 512, false), 0);
	memset(gpa(BATCH_DATA(0)), 0xa1, 4096);
	memset(gpa(BATCH_DATA(1)), 0xb2, 4096);
	batch_post(0, BLK_T_OUT, 0, 4096);
	batch_post(1, BLK_T_OUT, 8, 4096);
	batch_post(2, BLK_T_FLUSH, 0, 0);
	kick(0);
	CHECK_EQ(counter("sqes"), 3);
	blk_wait_used(0, 3);
	u = ring_used(0);
	CHECK_EQ(u->ring[2].id, 6);			/* the FLUSH, last */
	CHECK_EQ(u->ring[0].id + u->ring[1].id, 0 + 3);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(i)), BLK_S_OK);
	disk_read_back(back, 4096, 0);
	CHECK(back[0] == 0xa1 && back[4095] == 0xa1);
	disk_read_back(back, 4096, 8 * 512);
	CHECK(back[0] == 0xb2 && back[4095] == 0xb2);
}

/* Byte i of the short-read tests' image. */
static uint8_t short_byte(unsigned i)
{
	return (uint8_t)(i * 13 + i / 512);
}

/* An 8-sector disk with short_byte() in it, cut to its first 1280 bytes. */
static void short_disk(void)
{
	uint8_t img[4096];
	int fd;

	for (unsigned i = 0; i < sizeof(img); i++)
		img[i] = short_byte(i);
	CHECK_EQ(blk_up(sizeof(img), false), 0);
	fd = open(f.disk_path, O_WRONLY);
	CHECK_EQ(pwrite(fd, img, sizeof(img), 0), sizeof(img));
	CHECK_EQ(ftruncate(fd, 1280), 0);
	close(fd);
}

/*
 * A read that comes back short (the file shrank to 1280 bytes under the
 * disk) is resubmitted for the rest; here the file has grown back before
 * the resubmit, so the request ends OK with all 4096 bytes.
 */
static void test_blk_short_read_resubmit(void)
{
	uint8_t *data = gpa(BATCH_DATA(0)), img[4096];
	int fd;

	short_disk();
	batch_post(0, BLK_T_IN, 0, 4096);
	kick(0);
	CHECK(blk_event_wait());		/* the short CQE: 1280 bytes */
	for (unsigned i = 0; i < sizeof(img); i++)
		img[i] = short_byte(i);
	fd = open(f.disk_path, O_WRONLY);
	CHECK_EQ(pwrite(fd, img, sizeof(img), 0), sizeof(img));
	close(fd);
	f.dev.ops->poll_ready(&f.dev);		/* resubmits bytes 1280.. */
	CHECK_EQ(counter("resubmits"), 1);
	blk_wait_used(0, 1);
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(0)), BLK_S_OK);
	CHECK_EQ(ring_used(0)->ring[0].len, 4097);
	CHECK(!memcmp(data, img, sizeof(img)));
	CHECK_EQ(counter("sqes"), 2);
}

/*
 * The same short read with the file still cut: the resubmit reads nothing
 * (end of file) and the request ends with IOERR, nothing reported written.
 */
static void test_blk_short_read_eof(void)
{
	uint8_t *data = gpa(BATCH_DATA(0));

	short_disk();
	batch_post(0, BLK_T_IN, 0, 4096);
	kick(0);
	blk_wait_used(0, 1);
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(0)), BLK_S_IOERR);
	CHECK_EQ(ring_used(0)->ring[0].len, 1);
	CHECK_EQ(counter("resubmits"), 1);
	CHECK_EQ(counter("io-errors"), 1);
	CHECK_EQ(data[0], short_byte(0));
	CHECK_EQ(data[1279], short_byte(1279));
}

/*
 * A page of guest RAM held missing with userfaultfd: the kernel's copy
 * from it (a WRITEV's data) waits in the fault until the test releases
 * it, and then finds the page full of `fill`. A thread serves the fault;
 * it gives up waiting for the release after 10 s, so that a kernel that
 * copies inside io_uring_submit() (the test's own thread) cannot hang the
 * test: `resolved` is then set before kick() returns.
 */
struct held_page {
	int uffd;
	void *page;
	uint8_t fill;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool faulted, released, resolved;
};

static void *held_page_serve(void *arg)
{
	static uint8_t buf[4096] __attribute__((aligned(4096)));
	struct held_page *h = arg;
	struct pollfd p = { .fd = h->uffd, .events = POLLIN };
	struct uffd_msg msg;
	struct timespec until;
	struct uffdio_copy copy = {
		.dst = (uintptr_t)h->page, .src = (uintptr_t)buf, .len = 4096,
	};

	if (poll(&p, 1, 10000) != 1 ||
	    read(h->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&h->lock);
	h->faulted = true;
	pthread_cond_broadcast(&h->cond);
	while (!h->released &&
	       pthread_cond_timedwait(&h->cond, &h->lock, &until) == 0)
		;
	pthread_mutex_unlock(&h->lock);
	memset(buf, h->fill, sizeof(buf));
	ioctl(h->uffd, UFFDIO_COPY, &copy);
	pthread_mutex_lock(&h->lock);
	h->resolved = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Hold `page` (page-aligned, 4 KiB); false (the test skipped) if we can't. */
static bool held_page_start(struct held_page *h, void *page, uint8_t fill)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)page, .len = 4096 },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	*h = (struct held_page) { .page = page, .fill = fill };
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h->uffd < 0) {
		test_skip("userfaultfd: %s (holding a write in flight needs it "
			  "for kernel-mode faults: root or "
			  "vm.unprivileged_userfaultfd=1)", strerror(errno));
		return false;
	}
	if (ioctl(h->uffd, UFFDIO_API, &api) ||
	    madvise(page, 4096, MADV_DONTNEED) ||
	    ioctl(h->uffd, UFFDIO_REGISTER, &reg)) {
		test_skip("userfaultfd on guest RAM: %s", strerror(errno));
		close(h->uffd);
		return false;
	}
	if (pthread_create(&h->thread, NULL, held_page_serve, h)) {
		test_fail(__FILE__, __LINE__, "pthread_create");
		close(h->uffd);
		return false;
	}
	return true;
}

/* Whether the page faulted within `ms` milliseconds. */
static bool held_page_faulted(struct held_page *h, unsigned ms)
{
	struct timespec until;
	bool faulted;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (!h->faulted &&
	       pthread_cond_timedwait(&h->cond, &h->lock, &until) == 0)
		;
	faulted = h->faulted;
	pthread_mutex_unlock(&h->lock);
	return faulted;
}

/* Let the copy go on; then the page is plain RAM again. */
static void held_page_end(struct held_page *h)
{
	struct uffdio_range range = {
		.start = (uintptr_t)h->page, .len = 4096,
	};

	pthread_mutex_lock(&h->lock);
	h->released = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	ioctl(h->uffd, UFFDIO_UNREGISTER, &range);
	close(h->uffd);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
}

/*
 * A write held in flight (its data page faulting) and a FLUSH behind it in
 * the same notify: the FLUSH does not complete until the write has. Without
 * IOSQE_IO_DRAIN the fsync, which has nothing of the write's to sync yet,
 * completes at once and the driver would take the write as durable.
 */
static void test_blk_flush_waits_for_write(void)
{
	struct pollfd p;
	struct held_page h;
	struct virtq_used *u;
	uint8_t back[4096];
	bool resolved;

	CHECK_EQ(blk_up(64 * 512, false), 0);
	batch_post(0, BLK_T_OUT, 0, 4096);
	batch_post(1, BLK_T_FLUSH, 0, 0);
	if (!held_page_start(&h, gpa(BATCH_DATA(0)), 0xa1))
		return;
	kick(0);
	if (!held_page_faulted(&h, 5000)) {
		test_fail(__FILE__, __LINE__, "the write's data page did not "
			  "fault in 5 s");
		held_page_end(&h);
		return;
	}
	pthread_mutex_lock(&h.lock);
	resolved = h.resolved;
	pthread_mutex_unlock(&h.lock);
	if (resolved) {
		test_skip("this kernel copied the write's data inside "
			  "io_uring_submit(), so no write can be held in "
			  "flight behind the FLUSH");
		held_page_end(&h);
		blk_wait_used(0, 2);
		return;
	}
	/* 200 ms for a FLUSH that did not wait to show up. */
	p = (struct pollfd) { .fd = f.dev.ops->poll_fd(&f.dev), .events = POLLIN };
	if (poll(&p, 1, 200) == 1)
		f.dev.ops->poll_ready(&f.dev);
	CHECK_EQ(ring_used(0)->idx, 0);
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(1)), 0xee);
	held_page_end(&h);
	blk_wait_used(0, 2);
	u = ring_used(0);
	CHECK_EQ(u->ring[0].id, 0);			/* the write */
	CHECK_EQ(u->ring[1].id, 3);			/* then the FLUSH */
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(0)), BLK_S_OK);
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(1)), BLK_S_OK);
	disk_read_back(back, 4096, 0);
	CHECK(back[0] == 0xa1 && back[4095] == 0xa1);
}

/*
 * Short writes: RLIMIT_FSIZE at 1280 bytes cuts a 4 KiB write at sector 0
 * after 1280 bytes (the kernel writes up to the limit and says how much).
 * fsize_cut() sets it, SIGXFSZ ignored (the write at the limit raises it);
 * fsize_restore() puts both back.
 */
struct fsize_cut {
	struct rlimit old;
	struct sigaction old_xfsz;
};

static void fsize_cut(struct fsize_cut *c, rlim_t bytes)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct rlimit cut;

	CHECK_EQ(getrlimit(RLIMIT_FSIZE, &c->old), 0);
	cut = (struct rlimit) { .rlim_cur = bytes, .rlim_max = c->old.rlim_max };
	CHECK_EQ(sigaction(SIGXFSZ, &ign, &c->old_xfsz), 0);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &cut), 0);
}

static void fsize_restore(struct fsize_cut *c)
{
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &c->old), 0);
	CHECK_EQ(sigaction(SIGXFSZ, &c->old_xfsz, NULL), 0);
}

/*
 * A disk up, short_byte() in the data page of request 0, a 4 KiB OUT at
 * sector 0 posted and kicked under a 1280-byte RLIMIT_FSIZE (`cut`).
 */
static void short_write_kick(struct fsize_cut *cut)
{
	uint8_t *data;

	CHECK_EQ(blk_up(64 * 512, false), 0);
	data = gpa(BATCH_DATA(0));
	for (unsigned i = 0; i < 4096; i++)
		data[i] = short_byte(i);
	batch_post(0, BLK_T_OUT, 0, 4096);
	fsize_cut(cut, 1280);
	kick(0);
}

/*
 * A write cut short is resubmitted for the rest, at the offset after what
 * was written; the limit lifted before the resubmit, the request ends OK
 * with all 4096 bytes in the file.
 */
static void test_blk_short_write_resubmit(void)
{
	struct fsize_cut cut;
	uint8_t back[4096];

	short_write_kick(&cut);
	CHECK(blk_event_wait());		/* the short CQE: 1280 bytes */
	fsize_restore(&cut);
	f.dev.ops->poll_ready(&f.dev);		/* resubmits bytes 1280.. */
	CHECK_EQ(counter("resubmits"), 1);
	blk_wait_used(0, 1);
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(0)), BLK_S_OK);
	CHECK_EQ(counter("sqes"), 2);
	disk_read_back(back, 4096, 0);
	for (unsigned i = 0; i < 4096; i++)
		if (back[i] != short_byte(i)) {
			CHECK_EQ(back[i], short_byte(i));
			break;
		}
}

/*
 * The same write with the limit kept: the resubmit at 1280 fails (EFBIG)
 * and the request ends with IOERR; what was written stays written.
 */
static void test_blk_short_write_error(void)
{
	struct fsize_cut cut;
	uint8_t back[4096];

	short_write_kick(&cut);
	blk_wait_used(0, 1);
	fsize_restore(&cut);
	CHECK_EQ(*(uint8_t *)gpa(BATCH_STATUS(0)), BLK_S_IOERR);
	CHECK_EQ(ring_used(0)->ring[0].len, 1);
	CHECK_EQ(counter("resubmits"), 1);
	CHECK_EQ(counter("io-errors"), 1);
	disk_read_back(back, 4096, 0);
	CHECK_EQ(back[0], short_byte(0));
	CHECK_EQ(back[1279], short_byte(1279));
	CHECK_EQ(back[1280], 0);
}

/* A read of a file truncated to nothing completes with res 0: IOERR. */
static void test_blk_read_truncated(void)
{
	CHECK_EQ(blk_up(4096, false), 0);
	CHECK_EQ(truncate(f.disk_path, 0), 0);
	CHECK_EQ(blk_do(BLK_T_IN, 0, 512, true), BLK_S_IOERR);
	CHECK_EQ(counter("resubmits"), 0);
	CHECK_EQ(counter("io-errors"), 1);
	/* The device is fine: a FLUSH still works. */
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* A reset with reads in flight waits for them and drops them. */
static void test_blk_reset_in_flight(void)
{
	uint16_t used;

	CHECK_EQ(blk_up(64 * 512, false), 0);
	for (unsigned i = 0; i < 8; i++)
		batch_post(i, BLK_T_IN, i, 4096);
	kick(0);
	CHECK(blk_event_wait());
	status_set(0);				/* reset, nothing reaped */
	memset(f.ram0, 0, RAM0_SIZE);
	driver_up(0, 1, 256);
	used = ring_used(0)->idx;
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
	/* Only the FLUSH came back: the old reads are gone for good. */
	CHECK_EQ((uint16_t)(ring_used(0)->idx - used), 1);
	f.dev.ops->poll_ready(&f.dev);
	CHECK_EQ((uint16_t)(ring_used(0)->idx - used), 1);
}

/*
 * The kernel enforces the ring's restrictions: an opcode not allowed
 * (OPENAT), an SQE without IOSQE_FIXED_FILE, a write on a read-only
 * disk's ring and a register operation after enabling are refused with
 * EACCES; a fixed-file read works.
 */
static int ring_one(struct io_uring *ring, void (*prep)(struct io_uring_sqe *,
			void *), void *arg)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int res;

	if (!sqe)
		return -ENOSPC;
	prep(sqe, arg);
	if (io_uring_submit(ring) != 1 || io_uring_wait_cqe(ring, &cqe) < 0)
		return -EIO;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void prep_openat(struct io_uring_sqe *sqe, void *arg)
{
	io_uring_prep_openat(sqe, AT_FDCWD, arg, O_RDONLY, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
}

static void prep_read(struct io_uring_sqe *sqe, void *arg)
{
	io_uring_prep_readv(sqe, VIRTIO_BLK_FIXED_DISK, arg, 1, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
}

static void prep_read_unfixed(struct io_uring_sqe *sqe, void *arg)
{
	io_uring_prep_readv(sqe, *(int *)((struct iovec *)arg + 1), arg, 1, 0);
}

static void prep_write(struct io_uring_sqe *sqe, void *arg)
{
	io_uring_prep_writev(sqe, VIRTIO_BLK_FIXED_DISK, arg, 1, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
}

static void prep_flush(struct io_uring_sqe *sqe, void *arg)
{
	io_uring_prep_fsync(sqe, VIRTIO_BLK_FIXED_DISK, IORING_FSYNC_DATASYNC);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_DRAIN;
}

static void test_blk_ring_restricted(void)
{
	struct io_uring ring;
	char buf[512];
	struct {
		struct iovec iov;
		int fd;
	} unfixed;
	struct iovec iov = { buf, sizeof(buf) };
	int disk, efd = eventfd(0, EFD_CLOEXEC);

	disk_make(4096, false);
	disk = open(f.disk_path, O_RDWR);
	CHECK(disk >= 0 && efd >= 0);
	CHECK_EQ(virtio_blk_ring_init(&ring, 8, disk, efd, false, "dev0"), 0);
	CHECK_EQ(ring_one(&ring, prep_read, &iov), 512);
	CHECK_EQ(ring_one(&ring, prep_write, &iov), 512);
	CHECK_EQ(ring_one(&ring, prep_flush, NULL), 0);
	CHECK_EQ(ring_one(&ring, prep_openat, "/etc/passwd"), -EACCES);
	unfixed.iov = iov;
	unfixed.fd = disk;
	CHECK_EQ(ring_one(&ring, prep_read_unfixed, &unfixed), -EACCES);
	CHECK_EQ(io_uring_register_files_update(&ring, 0, &disk, 1), -EACCES);
	io_uring_queue_exit(&ring);
	/* A read-only disk's ring takes reads only. */
	CHECK_EQ(virtio_blk_ring_init(&ring, 8, disk, efd, true, "dev0"), 0);
	CHECK_EQ(ring_one(&ring, prep_read, &iov), 512);
	CHECK_EQ(ring_one(&ring, prep_write, &iov), -EACCES);
	CHECK_EQ(ring_one(&ring, prep_flush, NULL), -EACCES);
	io_uring_queue_exit(&ring);
	close(disk);
	close(efd);
}

/* The child's io_uring_setup() fails with EPERM (kernel.io_uring_disabled). */
static int deny_io_uring(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/*
 * No io_uring, no device, no fallback: init fails with EPERM and a
 * message naming the device, the call and the error.
 */
static void test_blk_no_io_uring(void)
{
	char msg[512] = { 0 };
	int fds[2], st;
	ssize_t n;
	pid_t pid;

	disk_make(4096, false);
	CHECK_EQ(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDERR_FILENO) < 0 || deny_io_uring() < 0)
			_exit(3);
		st = blk_create() == -EPERM ? 0 : 1;
		fflush(stderr);
		_exit(st);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	close(fds[0]);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(n > 0);
	if (!strstr(msg, "boardvm: dev0: io_uring_queue_init: Operation not "
		    "permitted; the virtio-blk data path needs io_uring"))
		test_fail(__FILE__, __LINE__, "message '%s'", msg);
}

/* Tests: malformed queues. Each must leave the device NEEDS_RESET. */

/* DEVICE_NEEDS_RESET, for the reason containing `why`. */
#define EXPECT_REASON(why)						\
	do {								\
		const struct virtio_pci *vp_ = f.dev.state;		\
		const char *r_ = vp_->broken_reason;			\
									\
		CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);		\
		if (!r_ || !strstr(r_, why))				\
			test_fail(__FILE__, __LINE__, "broken because "	\
				  "'%s', expected '%s'", r_ ? r_ : "",	\
				  why);					\
	} while (0)

/* Broken, and nothing was returned to the driver. */
#define expect_broken(used_before, why)					\
	do {								\
		EXPECT_REASON(why);					\
		CHECK_EQ(ring_used(0)->idx, used_before);		\
	} while (0)

/* More chains in flight than the queue holds (heads reused): broken. */
static void test_blk_too_many_in_flight(void)
{
	struct buf bufs[2] = {
		{ HDR_GPA, 16, false }, { STATUS_GPA, 1, true },
	};

	disk_make(64 * 512, false);
	CHECK_EQ(blk_create(), 0);
	driver_up(0, 1, 8);
	blk_header(BLK_T_FLUSH, 0);
	/* Four two-descriptor chains fill the queue; then the same again. */
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 4; i++)
			post_at(0, 8, 2 * i, bufs, 2);
		kick(0);
		CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
	}
	/* A ninth in flight, nothing given back yet. */
	post_at(0, 8, 0, bufs, 2);
	kick(0);
	EXPECT_REASON("more requests in flight than the queue holds");
}

/* Post one chain on queue 0 of a fresh rng, kick, expect it broken. */
static void rng_bad_chain(const struct buf *bufs, unsigned n,
			  const char *why)
{
	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	post_at(0, 64, 0, bufs, n);
	kick(0);
	expect_broken(0, why);
}

static void test_bad_ring_outside_ram(void)
{
	CHECK_EQ(rng_create(), 0);
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	/* The used ring runs off the end of the second span. */
	queue_setup(0, 64, DESC_GPA, AVAIL_GPA,
		    RAM1_BASE + RAM1_SIZE - 8);
	EXPECT_REASON("ring outside guest RAM");
	/* A reset brings it back; then a ring in no RAM at all. */
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
	queue_setup(0, 64, 0x40000000, AVAIL_GPA, USED_GPA);
	EXPECT_REASON("ring outside guest RAM");
}

static void test_bad_ring_misaligned(void)
{
	CHECK_EQ(rng_create(), 0);
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	queue_setup(0, 64, DESC_GPA + 8, AVAIL_GPA, USED_GPA);
	EXPECT_REASON("misaligned");
}

static void test_bad_queue_size(void)
{
	CHECK_EQ(rng_create(), 0);
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	queue_setup(0, 48, DESC_GPA, AVAIL_GPA, USED_GPA);
	EXPECT_REASON("queue size");
	negotiate(1ull << VIRTIO_F_VERSION_1);
	queue_setup(0, 128, DESC_GPA, AVAIL_GPA, USED_GPA);	/* max 64 */
	EXPECT_REASON("queue size");
	negotiate(1ull << VIRTIO_F_VERSION_1);
	queue_setup(0, 0, DESC_GPA, AVAIL_GPA, USED_GPA);
	EXPECT_REASON("queue size");
}

static void test_bad_loop(void)
{
	struct virtq_desc *d;

	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	d = ring_desc(0);
	d[0] = (struct virtq_desc) { BUF_GPA, 16, VIRTQ_DESC_F_WRITE |
				     VIRTQ_DESC_F_NEXT, 1 };
	d[1] = (struct virtq_desc) { BUF_GPA, 16, VIRTQ_DESC_F_WRITE |
				     VIRTQ_DESC_F_NEXT, 0 };
	ring_avail(0)->ring[0] = 0;
	ring_avail(0)->idx = 1;
	kick(0);
	expect_broken(0, "a loop");
}

static void test_bad_next_out_of_range(void)
{
	struct virtq_desc *d;

	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	d = ring_desc(0);
	d[0] = (struct virtq_desc) { BUF_GPA, 16, VIRTQ_DESC_F_WRITE |
				     VIRTQ_DESC_F_NEXT, 64 };
	ring_avail(0)->ring[0] = 0;
	ring_avail(0)->idx = 1;
	kick(0);
	expect_broken(0, "next index out of range");
}

static void test_bad_head_out_of_range(void)
{
	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	ring_avail(0)->ring[0] = 1000;
	ring_avail(0)->idx = 1;
	kick(0);
	expect_broken(0, "avail ring entry out of range");
}

static void test_bad_avail_jump(void)
{
	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	ring_avail(0)->idx = 65;		/* more than the queue holds */
	kick(0);
	expect_broken(0, "more than the queue size ahead");
}

static void test_bad_buffer_outside_ram(void)
{
	rng_bad_chain((struct buf[]) { { 0x40000000, 16, true } }, 1,
		      "buffer outside guest RAM");
}

/* Ends 1 byte past the first span: ASan would see any access to it. */
static void test_bad_buffer_crosses_end(void)
{
	rng_bad_chain((struct buf[]) {
		{ RAM0_BASE + RAM0_SIZE - 16, 17, true },
	}, 1, "buffer outside guest RAM");
}

static void test_bad_buffer_wraps(void)
{
	rng_bad_chain((struct buf[]) {
		{ 0xfffffffffffffff0ull, 0x20, true },
	}, 1, "buffer outside guest RAM");
}

static void test_bad_direction(void)
{
	rng_bad_chain((struct buf[]) {
		{ BUF_GPA, 16, true }, { BUF_GPA + 16, 16, false },
	}, 2, "device-readable descriptor after a device-writable");
}

static void test_bad_indirect(void)
{
	struct virtq_desc *d;

	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	d = ring_desc(0);
	d[0] = (struct virtq_desc) { BUF_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0 };
	ring_avail(0)->ring[0] = 0;
	ring_avail(0)->idx = 1;
	kick(0);
	expect_broken(0, "indirect descriptor");
}

/* A blk chain with no status byte breaks the device, not the VMM. */
static void test_bad_blk_no_status(void)
{
	CHECK_EQ(blk_up(4096, false), 0);
	blk_header(BLK_T_IN, 0);
	post(0, (struct buf[]) { { HDR_GPA, 16, false } }, 1);
	kick(0);
	expect_broken(0, "without a 16-byte header and a status byte");
	/* Broken means broken: later requests are not served. */
	post(0, (struct buf[]) {
		{ HDR_GPA, 16, false }, { STATUS_GPA, 1, true },
	}, 2);
	kick(0);
	expect_broken(0, "without a 16-byte header and a status byte");
	/* The config-change interrupt told the driver (INTx: ISR bit 1). */
	CHECK_EQ(isr_take(), VIRTIO_ISR_CONFIG);
	/* After a reset and a new bring-up, it works again. */
	memset(f.ram0, 0, RAM0_SIZE);
	driver_up(0, 1, 256);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
	CHECK_EQ(blk_do(BLK_T_FLUSH, 0, 0, false), BLK_S_OK);
}

/* Zero-length descriptors are skipped; a header split in two still works. */
static void test_zero_length(void)
{
	CHECK_EQ(blk_up(4096, false), 0);
	blk_header(BLK_T_GET_ID, 0);
	post(0, (struct buf[]) {
		{ 0x40000000, 0, false },	/* nowhere, but empty */
		{ HDR_GPA, 8, false },
		{ HDR_GPA + 8, 8, false },
		{ DATA_GPA, 0, true },
		{ DATA_GPA, 20, true },
		{ STATUS_GPA, 1, true },
	}, 6);
	kick(0);
	CHECK_EQ(ring_used(0)->idx, 1);
	CHECK_EQ(*(uint8_t *)gpa(STATUS_GPA), BLK_S_OK);
	CHECK(!memcmp(gpa(DATA_GPA), "boardvm-dev0", 12));
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* A chain as long as the queue is fine; one descriptor more is not. */
static void test_longest_chain(void)
{
	struct buf bufs[64];

	for (unsigned i = 0; i < 64; i++)
		bufs[i] = (struct buf) { BUF_GPA + i * 4, 4, true };
	CHECK_EQ(rng_create(), 0);
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	queue_setup(0, 64, DESC_GPA, AVAIL_GPA, USED_GPA);
	status_set(0x0f);
	post_at(0, 64, 0, bufs, 64);
	kick(0);
	CHECK_EQ(ring_used(0)->idx, 1);
	CHECK_EQ(ring_used(0)->ring[0].len, 256);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* Tests: virtio-rng and virtio-console */

static void test_rng_fill(void)
{
	uint8_t *buf = gpa(BUF_GPA);
	unsigned zeros = 0;

	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	post_at(0, 64, 0, (struct buf[]) {
		{ BUF_GPA, 64, true }, { RAM1_BASE, 64, true },
	}, 2);
	kick(0);
	CHECK_EQ(ring_used(0)->idx, 1);
	CHECK_EQ(ring_used(0)->ring[0].len, 128);
	for (unsigned i = 0; i < 64; i++)
		zeros += !buf[i];
	CHECK(zeros < 16);
}

/* A console device; its stdio are pipes the test holds the ends of. */
static int console_create(bool console)
{
	f.props[0] = (struct board_prop) { "console", PROP_BOOL, console,
					   console ? "true" : "false" };
	f.nr_props = 1;
	if (pipe2(f.console_in, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    pipe2(f.console_out, O_NONBLOCK | O_CLOEXEC) < 0) {
		perror("virtio-tests: pipe");
		exit(2);
	}
	f.host.console_in = f.console_in[0];
	f.host.console_out = f.console_out[1];
	if (mmio_mode)
		return device_create(&device_type_virtio_console_mmio,
				     &virtio_console_mmio_ops);
	return device_create(&device_type_virtio_console_pci,
			     &virtio_console_pci_ops);
}

static void test_console_tx(void)
{
	char out[32] = { 0 };

	CHECK_EQ(console_create(true), 0);
	driver_up(0, 2, 64);
	memcpy(gpa(BUF_GPA), "hello ", 6);
	memcpy(gpa(BUF_GPA + 0x100), "hvc0\n", 5);
	post_at(1, 64, 0, (struct buf[]) {
		{ BUF_GPA, 6, false }, { BUF_GPA + 0x100, 5, false },
	}, 2);
	kick(1);
	CHECK_EQ(ring_used(1)->idx, 1);
	CHECK_EQ(read(f.console_out[0], out, sizeof(out) - 1), 11);
	CHECK(!strcmp(out, "hello hvc0\n"));
}

static void test_console_rx(void)
{
	uint8_t *buf = gpa(BUF_GPA);

	CHECK_EQ(console_create(true), 0);
	driver_up(0, 2, 64);
	/* Typed before the guest has buffers: kept until it posts some. */
	CHECK_EQ(write(f.console_in[1], "ls\n", 3), 3);
	CHECK_EQ(f.dev.ops->poll_fd(&f.dev), f.console_in[0]);
	f.dev.ops->poll_ready(&f.dev);
	CHECK_EQ(ring_used(0)->idx, 0);
	post_at(0, 64, 0, (struct buf[]) { { BUF_GPA, 2, true } }, 1);
	post_at(0, 64, 1, (struct buf[]) { { BUF_GPA + 2, 16, true } }, 1);
	kick(0);
	CHECK_EQ(ring_used(0)->idx, 2);
	CHECK_EQ(ring_used(0)->ring[0].len, 2);
	CHECK_EQ(ring_used(0)->ring[1].len, 1);
	CHECK(!memcmp(buf, "ls\n", 3));
	/* EOF: the device gives its fd up. */
	close(f.console_in[1]);
	f.console_in[1] = -1;
	f.dev.ops->poll_ready(&f.dev);
	CHECK_EQ(f.dev.ops->poll_fd(&f.dev), -1);
}

/* Without `console: true` nothing reaches the host's stdio. */
static void test_console_off(void)
{
	char out[8];

	CHECK_EQ(console_create(false), 0);
	driver_up(0, 2, 64);
	CHECK_EQ(f.dev.ops->poll_fd(&f.dev), -1);
	post_at(1, 64, 0, (struct buf[]) { { BUF_GPA, 4, false } }, 1);
	kick(1);
	CHECK_EQ(ring_used(1)->idx, 1);
	CHECK_EQ(read(f.console_out[0], out, sizeof(out)), -1);
}

/* Tests: the virtio-mmio transport */

static void test_mmio_header(void)
{
	static const struct {
		const struct device_type *type;
		const struct device_ops *ops;
		uint32_t id;
	} models[] = {
		{ &device_type_virtio_blk_mmio, &virtio_blk_mmio_ops, 2 },
		{ &device_type_virtio_console_mmio, &virtio_console_mmio_ops, 3 },
		{ &device_type_virtio_rng_mmio, &virtio_rng_mmio_ops, 4 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(models); i++) {
		CHECK_EQ(device_create(models[i].type, models[i].ops), 0);
		CHECK_EQ(mmio_read(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
		CHECK_EQ(mmio_read(VIRTIO_MMIO_VERSION), 2);
		CHECK_EQ(mmio_read(VIRTIO_MMIO_DEVICE_ID), models[i].id);
		CHECK_EQ(mmio_read(VIRTIO_MMIO_VENDOR_ID), 0x1af4);
		CHECK(device_features() & 1ull << VIRTIO_F_VERSION_1);
		device_remove();
	}
	CHECK_EQ(rng_create(), 0);
	/* Registers are 32-bit: other widths and offsets read 0. */
	CHECK_EQ(bar_read(VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
	CHECK_EQ(bar_read(VIRTIO_MMIO_MAGIC_VALUE + 2, 4), 0);
	CHECK_EQ(bar_read(VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
	bar_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE, 1);
	CHECK_EQ(status(), 0);
	/* No shared memory regions: length ~0. */
	CHECK_EQ(mmio_read(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	/* No device config: reads 0, beyond the block too. */
	CHECK_EQ(bar_read(VIRTIO_MMIO_CONFIG, 4), 0);
	CHECK_EQ(bar_read(VIRTIO_MMIO_SIZE + 0x1000, 4), 0);
	/* A legacy driver (no VERSION_1) is refused at FEATURES_OK. */
	CHECK_EQ(negotiate(0) & VIRTIO_STATUS_FEATURES_OK, 0);
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	/* Features the device lacks are refused too. */
	CHECK_EQ(negotiate(1ull << VIRTIO_F_VERSION_1 | 1) &
		 VIRTIO_STATUS_FEATURES_OK, 0);
}

static void test_mmio_queue_registers(void)
{
	CHECK_EQ(device_create(&device_type_virtio_console_mmio,
			       &virtio_console_mmio_ops), 0);
	mmio_write(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_READY), 0);
	mmio_write(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x89000);
	mmio_write(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x1234);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_DESC_LOW), 0x89000);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_DESC_HIGH), 0x1234);
	/* A queue the device does not have: QueueNumMax 0, writes dropped. */
	mmio_write(VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	mmio_write(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_READY), 0);
	/* Ready, the queue's registers are frozen; ready 0 stops it. */
	CHECK(negotiate(1ull << VIRTIO_F_VERSION_1) &
	      VIRTIO_STATUS_FEATURES_OK);
	queue_setup(1, 32, DESC_GPA, AVAIL_GPA, USED_GPA);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_NUM), 32);
	mmio_write(VIRTIO_MMIO_QUEUE_NUM, 16);
	mmio_write(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_NUM), 32);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_DESC_LOW), DESC_GPA);
	mmio_write(VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_READY), 0);
	/* A reset (status 0) forgets it all. */
	status_set(0);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_SEL), 0);
	mmio_write(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_QUEUE_NUM), 64);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* Used buffers raise the board irq; InterruptACK lowers it. */
static void test_mmio_interrupt(void)
{
	CHECK_EQ(rng_create(), 0);
	driver_up(0, 1, 64);
	post_at(0, 64, 0, (struct buf[]) { { BUF_GPA, 16, true } }, 1);
	kick(0);
	CHECK_EQ(ring_used(0)->idx, 1);
	CHECK_EQ(f.irq_level, 1);
	CHECK_EQ(f.irq_raises, 1);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_ISR_QUEUE);
	/* Acking a bit that is not set changes nothing. */
	mmio_write(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_CONFIG);
	CHECK_EQ(f.irq_level, 1);
	mmio_write(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
	CHECK_EQ(f.irq_level, 0);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* The driver asked for no interrupts: none. */
	ring_avail(0)->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	post_at(0, 64, 1, (struct buf[]) { { BUF_GPA, 16, true } }, 1);
	kick(0);
	CHECK_EQ(ring_used(0)->idx, 2);
	CHECK_EQ(f.irq_raises, 1);
	/* A reset lowers a raised line. */
	ring_avail(0)->flags = 0;
	post_at(0, 64, 2, (struct buf[]) { { BUF_GPA, 16, true } }, 1);
	kick(0);
	CHECK_EQ(f.irq_level, 1);
	status_set(0);
	CHECK_EQ(f.irq_level, 0);
}

/*
 * The async doorbell without a datamatch does not know the queue: every
 * enabled queue is served. With one, the dispatcher replays the write.
 */
static void test_mmio_notify(void)
{
	char out[16] = { 0 };

	CHECK_EQ(console_create(true), 0);
	driver_up(0, 2, 64);
	memcpy(gpa(BUF_GPA), "mmio\n", 5);
	post_at(1, 64, 0, (struct buf[]) { { BUF_GPA, 5, false } }, 1);
	f.dev.ops->notify(&f.dev, MMIO_NOTIFY_REG, 0);
	CHECK_EQ(ring_used(1)->idx, 1);
	CHECK_EQ(read(f.console_out[0], out, sizeof(out) - 1), 5);
	CHECK(!strcmp(out, "mmio\n"));
	/* A notify for a queue the device does not have is ignored. */
	mmio_write(VIRTIO_MMIO_QUEUE_NOTIFY, 9);
	mmio_write(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* The console's config (cols, rows, max_nr_ports) at +0x100. */
static void test_mmio_device_config(void)
{
	CHECK_EQ(blk_up(64 * 512, false), 0);
	CHECK_EQ(devcfg_read(0, 4), 64);
	CHECK_EQ(devcfg_read(4, 4), 0);
	/* Past the model's config: zeros, never a read off its end. */
	CHECK_EQ(devcfg_read(0xfc, 4), 0);
	CHECK_EQ(devcfg_read(0xff, 8), 0);
	CHECK_EQ(mmio_read(VIRTIO_MMIO_CONFIG_GENERATION), 0);
}

/* both: run on virtio-mmio too (as /virtio-mmio/...); mmio: only there. */
enum { PCI_ONLY, BOTH, MMIO_ONLY };

static const struct {
	const char *name;
	void (*run)(void);
	int transports;
} tests[] = {
	{ "/virtio/pci-header", test_pci_header, PCI_ONLY },
	{ "/virtio/features", test_features, PCI_ONLY },
	{ "/virtio/queue-registers", test_queue_registers, PCI_ONLY },
	{ "/virtio/intx-isr", test_intx_isr, PCI_ONLY },
	{ "/virtio/msix", test_msix, PCI_ONLY },
	{ "/virtio/zero-length", test_zero_length, BOTH },
	{ "/virtio/longest-chain", test_longest_chain, BOTH },
	{ "/virtio/malformed/ring-outside-ram", test_bad_ring_outside_ram,
	  BOTH },
	{ "/virtio/malformed/ring-misaligned", test_bad_ring_misaligned, BOTH },
	{ "/virtio/malformed/queue-size", test_bad_queue_size, BOTH },
	{ "/virtio/malformed/loop", test_bad_loop, BOTH },
	{ "/virtio/malformed/next-out-of-range", test_bad_next_out_of_range,
	  BOTH },
	{ "/virtio/malformed/head-out-of-range", test_bad_head_out_of_range,
	  BOTH },
	{ "/virtio/malformed/avail-index-jump", test_bad_avail_jump, BOTH },
	{ "/virtio/malformed/buffer-outside-ram", test_bad_buffer_outside_ram,
	  BOTH },
	{ "/virtio/malformed/buffer-crosses-ram-end",
	  test_bad_buffer_crosses_end, BOTH },
	{ "/virtio/malformed/buffer-wraps", test_bad_buffer_wraps, BOTH },
	{ "/virtio/malformed/readable-after-writable", test_bad_direction,
	  BOTH },
	{ "/virtio/malformed/indirect", test_bad_indirect, BOTH },
	{ "/virtio/malformed/blk-no-status", test_bad_blk_no_status, BOTH },
	{ "/virtio-blk/read-write", test_blk_read_write, BOTH },
	{ "/virtio-blk/get-id-unsupp-flush", test_blk_get_id_unsupp_flush,
	  BOTH },
	{ "/virtio-blk/wrong-direction", test_blk_wrong_direction, BOTH },
	{ "/virtio-blk/async-notify", test_blk_async_notify, BOTH },
	{ "/virtio-blk/read-only", test_blk_read_only, BOTH },
	{ "/virtio-blk/read-only-property", test_blk_read_only_property, BOTH },
	{ "/virtio-blk/no-disk", test_blk_no_disk, BOTH },
	{ "/virtio-blk/lock-conflict", test_blk_lock_conflict, BOTH },
	{ "/virtio-blk/missing-file", test_blk_missing_file, BOTH },
	{ "/virtio-blk/durability", test_blk_durability, BOTH },
	{ "/virtio-blk/batch", test_blk_batch, BOTH },
	{ "/virtio-blk/flush-after-writes", test_blk_flush_after_writes, BOTH },
	{ "/virtio-blk/short-read-resubmit", test_blk_short_read_resubmit,
	  BOTH },
	{ "/virtio-blk/short-read-eof", test_blk_short_read_eof, BOTH },
	{ "/virtio-blk/flush-waits-for-write", test_blk_flush_waits_for_write,
	  BOTH },
	{ "/virtio-blk/short-write-resubmit", test_blk_short_write_resubmit,
	  BOTH },
	{ "/virtio-blk/short-write-error", test_blk_short_write_error, BOTH },
	{ "/virtio-blk/read-truncated", test_blk_read_truncated, BOTH },
	{ "/virtio-blk/reset-in-flight", test_blk_reset_in_flight, BOTH },
	{ "/virtio-blk/too-many-in-flight", test_blk_too_many_in_flight,
	  BOTH },
	{ "/virtio-blk/ring-restricted", test_blk_ring_restricted, PCI_ONLY },
	{ "/virtio-blk/no-io-uring", test_blk_no_io_uring, BOTH },
	{ "/virtio-rng/fill", test_rng_fill, BOTH },
	{ "/virtio-console/tx", test_console_tx, BOTH },
	{ "/virtio-console/rx", test_console_rx, BOTH },
	{ "/virtio-console/off", test_console_off, BOTH },
	{ "/virtio-mmio/header", test_mmio_header, MMIO_ONLY },
	{ "/virtio-mmio/queue-registers", test_mmio_queue_registers,
	  MMIO_ONLY },
	{ "/virtio-mmio/interrupt", test_mmio_interrupt, MMIO_ONLY },
	{ "/virtio-mmio/notify", test_mmio_notify, MMIO_ONLY },
	{ "/virtio-mmio/device-config", test_mmio_device_config, MMIO_ONLY },
};

int main(void)
{
	unsigned failed = 0;

	/* The device logs broken drivers on stderr: keep the output clean. */
	if (!getenv("VIRTIO_TESTS_STDERR") &&
	    !freopen("/dev/null", "w", stderr))
		return 2;
	for (unsigned i = 0; i < 2 * ARRAY_SIZE(tests); i++) {
		unsigned t = i % ARRAY_SIZE(tests);
		char name[96];

		mmio_mode = i >= ARRAY_SIZE(tests);
		if (tests[t].transports == (mmio_mode ? PCI_ONLY : MMIO_ONLY))
			continue;
		/* "/virtio/x" and "/virtio-blk/x" on mmio: "/virtio-mmio/..." */
		if (mmio_mode && strncmp(tests[t].name, "/virtio-mmio/", 13))
			snprintf(name, sizeof(name), "/virtio-mmio%s",
				 tests[t].name + (strncmp(tests[t].name,
					"/virtio/", 8) ? 0 : 7));
		else
			snprintf(name, sizeof(name), "%s", tests[t].name);
		current_test = name;
		current_failures = 0;
		current_skipped = false;
		fake_reset();
		tests[t].run();
		device_remove();
		if (!current_failures && !current_skipped)
			printf("PASS %s\n", current_test);
		failed += current_failures != 0;
		fflush(stdout);
	}
	fake_reset();
	free(f.ram0);
	free(f.ram1);
	return failed ? 1 : 0;
}
