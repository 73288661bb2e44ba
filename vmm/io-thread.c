// SPDX-License-Identifier: MIT
/*
 * Async bindings and the I/O thread.
 *
 * Every board_async[] entry is registered with KVM once, before the vCPUs
 * run: BINDING_ASYNC as an eventfd + KVM_IOEVENTFD (with the datamatch when
 * the board gives one, the PIO flag for ports), BINDING_COALESCED as a
 * KVM_REGISTER_COALESCED_MMIO zone (`pio` set for ports; the vCPUs drain
 * the ring). One thread waits on all the eventfds and on the devices'
 * poll fds (the console's stdin) with epoll.
 *
 * Delivery: an eventfd is a counter, so several guest writes between two
 * wakeups arrive as one read of value N; the thread calls
 * dispatch_notify() N times, so the device sees exactly one notify() per
 * guest write, none lost, but later than the write and possibly after
 * the guest's next sync access: a guest that needs the effect polls a
 * sync status register.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

/* What an epoll event is for: kind in the top bits, index below. */
#define TAG_ASYNC		(1ull << 32)
#define TAG_DEVICE		(2ull << 32)
#define TAG_STOP		(3ull << 32)
#define TAG_RESAMPLE		(4ull << 32)	/* index: the GSI */
#define TAG_KIND(t)		((t) & ~0xffffffffull)
#define TAG_INDEX(t)		((unsigned)(t))

#define IO_MAX_EVENTS		16
/* Regular files cannot be polled: they are read on a tick instead. */
#define IO_FILE_TICK_MS		10
#define IO_MAX_FILES		8

struct io_thread {
	int epoll_fd;
	int stop_fd;
	int *async_fds;			/* board_info.nr_async, -1: none */
	unsigned files[IO_MAX_FILES];	/* devices whose fd is a file */
	unsigned nr_files;
	pthread_t thread;
	bool started;
	struct vm *vm;
	struct region_stats *stats;
	struct dispatch_ctx ctx;
};

static struct io_thread io = { .epoll_fd = -1, .stop_fd = -1 };

struct dispatch_ctx *io_thread_ctx(void)
{
	return &io.ctx;
}

int io_thread_async_fd(unsigned i)
{
	return io.async_fds && i < board_info.nr_async ? io.async_fds[i] : -1;
}

static int epoll_add(int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(io.epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static int register_ioeventfd(struct vm *vm, unsigned i)
{
	const struct board_async *a = &board_async[i];
	const struct board_region *r = &board_regions[a->region];
	struct kvm_ioeventfd ioev = {
		.addr = a->addr,
		.len = a->len,
		.datamatch = a->datamatch,
	};
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		perror("boardvm: eventfd");
		return -1;
	}
	io.async_fds[i] = fd;
	ioev.fd = fd;
	if (a->has_datamatch)
		ioev.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (a->space == SPACE_PIO)
		ioev.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioev) < 0) {
		fprintf(stderr, "boardvm: KVM_IOEVENTFD for %s (%s) at 0x%"
			PRIx64 " len %u: %s\n", r->name, a->srcpos, a->addr,
			a->len, strerror(errno));
		return -1;
	}
	if (epoll_add(fd, TAG_ASYNC | i) < 0) {
		perror("boardvm: epoll_ctl");
		return -1;
	}
	return 0;
}

static int register_coalesced(struct vm *vm, unsigned i)
{
	const struct board_async *a = &board_async[i];
	struct kvm_coalesced_mmio_zone zone = {
		.addr = a->addr,
		.size = a->size,
		.pio = a->space == SPACE_PIO,
	};

	if (!vm->ring) {
		fprintf(stderr, "boardvm: KVM gave no coalesced ring page: "
			"cannot bind %s coalesced (%s); bind it sync\n",
			board_regions[a->region].name, a->srcpos);
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0) {
		fprintf(stderr, "boardvm: KVM_REGISTER_COALESCED_MMIO for %s "
			"(%s) at 0x%" PRIx64 "+0x%" PRIx64 ": %s\n",
			board_regions[a->region].name, a->srcpos, a->addr,
			a->size, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Devices with a poll fd (the console UART's stdin). Regular files and
 * /dev/null cannot be epolled (EPERM): those are read every
 * IO_FILE_TICK_MS until the device reaches EOF and gives its fd up.
 */
static void add_device_fds(void)
{
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		struct device *dev = &machine_devices[i];
		int fd;

		if (!dev->ops || !dev->ops->poll_fd || !dev->ops->poll_ready)
			continue;
		fd = dev->ops->poll_fd(dev);
		if (fd < 0 || epoll_add(fd, TAG_DEVICE | i) == 0)
			continue;
		if (errno == EPERM && io.nr_files < IO_MAX_FILES)
			io.files[io.nr_files++] = i;
		else
			fprintf(stderr, "boardvm: cannot poll fd %d of %s: %s\n",
				fd, dev->desc->name, strerror(errno));
	}
}

/*
 * host->poll_enable(): a device with nowhere to put input (virtio-net
 * without receive buffers) stops its fd waking the thread, and starts it
 * again when it can take more. Any thread; before the thread exists the
 * fd is registered as usual and the device pauses at its first wakeup.
 */
void io_thread_poll_enable(struct device_host *host, struct device *dev,
			   bool on)
{
	struct epoll_event ev = {
		.events = on ? EPOLLIN : 0,
		.data.u64 = TAG_DEVICE | (unsigned)(dev - machine_devices),
	};
	int fd = dev->ops->poll_fd(dev);

	if (io.epoll_fd >= 0 && fd >= 0)
		epoll_ctl(io.epoll_fd, EPOLL_CTL_MOD, fd, &ev);
}

/*
 * host->doorbell_fd(): the eventfd of dev's async doorbell `slot`, no
 * longer watched here (the kernel takes its kicks: vhost). The fd stays
 * ours to close at stop.
 */
int io_thread_doorbell_fd(struct device_host *host, struct device *dev,
			  unsigned slot)
{
	unsigned index = dev - machine_devices;

	(void)host;
	for (unsigned i = 0; io.async_fds && i < board_info.nr_async; i++) {
		const struct board_async *a = &board_async[i];

		if (a->binding != BINDING_ASYNC || a->slot != slot ||
		    board_regions[a->region].device != index ||
		    io.async_fds[i] < 0)
			continue;
		if (io.epoll_fd >= 0)
			epoll_ctl(io.epoll_fd, EPOLL_CTL_DEL, io.async_fds[i],
				  NULL);
		return io.async_fds[i];
	}
	return -1;
}

/* Level-triggered lines: the guest's EOI, when a device may still hold one. */
static int add_resample_fds(struct vm *vm)
{
	for (unsigned gsi = 0; gsi < KVM_IOAPIC_NUM_PINS; gsi++) {
		int fd = vm_irq_resample_fd(vm, gsi);

		if (fd >= 0 && epoll_add(fd, TAG_RESAMPLE | gsi) < 0) {
			perror("boardvm: epoll_ctl (an irqfd's resample fd)");
			return -1;
		}
	}
	return 0;
}

static void handle_files(void)
{
	for (unsigned i = 0; i < io.nr_files;) {
		struct device *dev = &machine_devices[io.files[i]];

		dev->ops->poll_ready(dev);
		if (dev->ops->poll_fd(dev) < 0)
			io.files[i] = io.files[--io.nr_files];
		else
			i++;
	}
}

static void handle_async(unsigned i)
{
	uint64_t count;

	if (read(io.async_fds[i], &count, sizeof(count)) != sizeof(count))
		return;
	while (count--)
		dispatch_notify(&io.ctx, i);
}

static void handle_device(unsigned i)
{
	struct device *dev = &machine_devices[i];
	int fd = dev->ops->poll_fd(dev);

	dev->ops->poll_ready(dev);
	/* At EOF the device says so by giving up its fd. */
	if (dev->ops->poll_fd(dev) < 0 && fd >= 0)
		epoll_ctl(io.epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}

static void *io_thread_main(void *arg)
{
	struct epoll_event ev[IO_MAX_EVENTS];

	for (;;) {
		int n = epoll_wait(io.epoll_fd, ev, IO_MAX_EVENTS,
				   io.nr_files ? IO_FILE_TICK_MS : -1);

		handle_files();
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("boardvm: epoll_wait");
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;

			switch (TAG_KIND(tag)) {
			case TAG_ASYNC:
				handle_async(TAG_INDEX(tag));
				break;
			case TAG_DEVICE:
				handle_device(TAG_INDEX(tag));
				break;
			case TAG_RESAMPLE:
				vm_irq_resampled(io.vm, TAG_INDEX(tag));
				break;
			case TAG_STOP:
				return NULL;
			}
		}
	}
}

int io_thread_start(struct vm *vm)
{
	int err;

	io.stats = calloc(board_info.nr_regions, sizeof(*io.stats));
	io.async_fds = malloc((board_info.nr_async + 1) *
			      sizeof(*io.async_fds));
	if (!io.stats || !io.async_fds)
		return -1;
	for (unsigned i = 0; i < board_info.nr_async; i++)
		io.async_fds[i] = -1;
	io.nr_files = 0;	/* a --reboot starts the I/O thread again */
	io.vm = vm;
	io.ctx = (struct dispatch_ctx) {
		.vcpu = ~0u,
		.trace = vm->opts->trace_io,
		.timing = vm->opts->stats,
		.stats = io.stats,
		.trace_out = stderr,
	};
	io.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	io.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io.epoll_fd < 0 || io.stop_fd < 0 ||
	    epoll_add(io.stop_fd, TAG_STOP) < 0) {
		perror("boardvm: I/O thread setup");
		return -1;
	}
	for (unsigned i = 0; i < board_info.nr_async; i++) {
		const struct board_async *a = &board_async[i];

		if (a->binding == BINDING_ASYNC && register_ioeventfd(vm, i) < 0)
			return -1;
		if (a->binding == BINDING_COALESCED &&
		    register_coalesced(vm, i) < 0)
			return -1;
	}
	add_device_fds();
	if (add_resample_fds(vm) < 0)
		return -1;
	err = pthread_create(&io.thread, NULL, io_thread_main, NULL);
	if (err) {
		fprintf(stderr, "boardvm: cannot start the I/O thread: %s\n",
			strerror(err));
		return -1;
	}
	io.started = true;
	return 0;
}

/*
 * Stop the thread, then deliver what the eventfds still hold: a doorbell
 * the guest rang just before it exited is not lost.
 */
void io_thread_stop(struct vm *vm)
{
	uint64_t one = 1;

	if (io.started) {
		if (write(io.stop_fd, &one, sizeof(one)) != sizeof(one))
			perror("boardvm: stopping the I/O thread");
		pthread_join(io.thread, NULL);
		io.started = false;
	}
	for (unsigned i = 0; io.async_fds && i < board_info.nr_async; i++) {
		if (io.async_fds[i] < 0)
			continue;
		handle_async(i);
		close(io.async_fds[i]);
		io.async_fds[i] = -1;
	}
	if (io.epoll_fd >= 0)
		close(io.epoll_fd);
	if (io.stop_fd >= 0)
		close(io.stop_fd);
	io.epoll_fd = io.stop_fd = -1;
}

void io_thread_free(void)
{
	free(io.async_fds);
	free(io.stats);
	io.async_fds = NULL;
	io.stats = NULL;
}
