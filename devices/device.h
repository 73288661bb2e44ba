/* SPDX-License-Identifier: MIT */
/*
 * What a device model sees. Devices never include KVM headers: they get
 * offsets into their own block, an interrupt line object, a clock, and a
 * few host services. The same code runs under KVM and in host-only tests.
 */
#ifndef BOARDVM_DEVICE_H
#define BOARDVM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "registry.h"

struct board_device;
struct device;

/* An interrupt line. level 1 = asserted; edge devices pulse 1 then 0. */
struct irq_line {
	void (*set_level)(struct irq_line *line, int level);
	void *opaque;
	int gsi;			/* -1 when the board wires none */
	int level;			/* last level set, for tests and stats */
};

static inline void irq_line_set(struct irq_line *line, int level)
{
	if (line && line->gsi >= 0 && line->set_level)
		line->set_level(line, level);
	if (line)
		line->level = level;
}

/* Monotonic time in nanoseconds; tests pass a virtual clock. */
struct vclock {
	uint64_t (*now_ns)(struct vclock *clock);
	void *opaque;
};

static inline uint64_t vclock_now(struct vclock *clock)
{
	return clock->now_ns(clock);
}

/* MSI-X vectors per PCI function that signal_msi() takes. */
#define HOST_MSI_VECTORS	16

/* Services of the VMM a device may ask for. */
enum host_exit_reason {
	HOST_EXIT_DEBUG,		/* debug-exit: status = the guest's code */
	HOST_EXIT_RESET,		/* i8042 0xfe, triple fault */
	HOST_EXIT_POWEROFF,
	HOST_EXIT_OUTPUT_CLOSED,	/* console output EPIPE: 128 + SIGPIPE */
};

/* Operator events a device may deliver to the guest. */
enum host_event {
	HOST_EVENT_CTRL_ALT_DEL,	/* the keys, pressed and released */
	/*
	 * The ACPI power button, pressed and released. Taken only while
	 * the guest listens (enabled the event): false tells the VMM that
	 * nobody will shut the guest down.
	 */
	HOST_EVENT_POWER_BUTTON,
};

struct guest_ram;

/* A --disk backend (vmm/main.c); opened by the virtio-blk model. */
struct host_disk {
	const char *path;
	bool readonly;
};

/*
 * A --net backend (vmm/tap.c): a tap opened with IFF_VNET_HDR and a 12-byte
 * vnet header; fd -1: none (the NIC's link is down). Each read
 * of `fd` is one frame, each write sends one (socketpairs in tests).
 * set_offload(): TUNSETOFFLOAD with TUN_F_* bits; 0 or a negative errno.
 */
/* One virtqueue handed to the kernel (vhost=on). */
struct host_vhost_ring {
	uint16_t num;			/* queue size */
	uint16_t base;			/* next avail entry */
	void *desc, *avail, *used;	/* mapped in the VMM */
	int kick;			/* the queue's doorbell eventfd */
	int call;			/* eventfd the kernel signals */
};

struct host_vhost {
	uint64_t features;		/* negotiated, to the kernel */
	const struct guest_ram *ram;
	unsigned nr_rings;
	struct host_vhost_ring ring[2];	/* receiveq, transmitq */
};

struct host_net {
	const char *ifname;		/* as the kernel named it */
	int fd;
	int (*set_offload)(const struct host_net *net, unsigned tun_flags);
	/*
	 * vhost=on: /dev/vhost-net (owned), the features it moves, and
	 * start/stop of its data path on the tap; vhost_fd -1 without.
	 */
	int vhost_fd;
	uint64_t vhost_features;
	int (*vhost_start)(const struct host_net *net,
			   const struct host_vhost *v);
	void (*vhost_stop)(const struct host_net *net, unsigned nr_rings);
	/* A started ring's call eventfd from now on; 0 or -1. */
	int (*vhost_set_call)(const struct host_net *net, unsigned ring,
			      int fd);
};

/* A named counter a device reports for --stats. */
struct device_counter {
	const char *name;
	uint64_t value;
};

/*
 * A --vsock backend (vmm/vsock-option.c) of the virtio-vsock device named
 * `device`: the Unix socket it listens on (guest ports go to PATH_<port>)
 * and the guest's CID (0: the board's guest-cid).
 */
struct host_vsock {
	const char *device;
	const char *path;
	uint64_t cid;
};

struct device_host {
	/* Ask the VMM to stop all vCPUs and exit. */
	void (*request_exit)(struct device_host *host,
			     enum host_exit_reason why, int status);
	/*
	 * PCI: the guest programmed BAR `bar` of `dev` to `base` with memory
	 * decoding `enabled`. The VMM checks the move (inside the board's
	 * window, clear of every other region), updates the dispatch maps
	 * atomically for all vCPUs and moves the BAR's ioeventfds and
	 * coalesced zones. Returns 0, or -1 when refused (logged; the BAR
	 * stays unmapped until the guest programs an acceptable address).
	 */
	int (*pci_bar_update)(struct device_host *host, struct device *dev,
			      unsigned bar, uint64_t base, bool enabled);
	/*
	 * The instance of board_devices[index] (how pci-host reaches the
	 * function in a slot); NULL when it was not created.
	 */
	struct device *(*device)(struct device_host *host, unsigned index);
	/*
	 * Deliver MSI-X vector `vector` (< HOST_MSI_VECTORS) of `dev`, whose
	 * table entry the guest programmed with addr/data: the vector names
	 * the interrupt, so the VMM can keep a route per vector (an irqfd).
	 */
	void (*signal_msi)(struct device_host *host, struct device *dev,
			   unsigned vector, uint64_t addr, uint32_t data);
	/*
	 * The same vector as an eventfd that raises it when written, for
	 * the kernel to signal (vhost's call) with no VMM on the way; the
	 * VMM's route follows addr/data. -1 when there is none (NULL in
	 * tests without one): the caller keeps its own path.
	 */
	int (*msi_irqfd)(struct device_host *host, struct device *dev,
			 unsigned vector, uint64_t addr, uint32_t data);
	/* Guest RAM, for DMA (virtqueues); NULL in tests that have none. */
	const struct guest_ram *ram;
	/* --disk backends, in order: each virtio-blk device takes the next. */
	const struct host_disk *disks;
	unsigned nr_disks;
	unsigned disks_taken;		/* by the devices created so far */
	/* One per virtio-net device, in board order: each takes the next. */
	const struct host_net *nets;
	unsigned nr_nets;
	unsigned nets_taken;
	/*
	 * Start (on) or stop polling the device's poll_fd: a device with
	 * nowhere to put input stops the I/O thread from waking for it.
	 * Any thread; NULL in tests.
	 */
	void (*poll_enable)(struct device_host *host, struct device *dev,
			    bool on);
	/*
	 * The eventfd of `dev`'s async doorbell `slot` (a queue's notify),
	 * which the I/O thread stops watching: the kernel takes the kicks
	 * (vhost). -1 when there is none; NULL in tests.
	 */
	int (*doorbell_fd)(struct device_host *host, struct device *dev,
			   unsigned slot);
	/* --vsock backends, each naming its device. */
	const struct host_vsock *vsocks;
	unsigned nr_vsocks;
	int console_in;			/* fd or -1 */
	int console_out;		/* fd or -1 */
	/*
	 * The host end of a console-capable device (`device`: its board
	 * name), when the VMM picks one per device (--serial): input and
	 * output fds, -1 for none. NULL: the device with the board's
	 * `console: true` gets console_in/console_out, the others nothing.
	 */
	void (*console_fds)(struct device_host *host, const char *device,
			    int *in_fd, int *out_fd);
	void *opaque;
};

struct device {
	const struct board_device *desc;	/* name, props, irq, bases */
	const struct device_ops *ops;
	struct irq_line irq;
	struct vclock *clock;
	struct device_host *host;
	void *state;				/* the model's own */
};

/*
 * Access handlers get the offset from the device's block base in that
 * space and the access length (1, 2, 4 or 8). Reads fill `data`
 * (little-endian, `len` bytes); unimplemented registers read as all-ones.
 * notify() is the async doorbell: `reg` indexes the type's regs[], `slot`
 * is the doorbell register within that region.
 */
struct device_ops {
	int (*init)(struct device *dev);
	void (*reset)(struct device *dev);
	void (*destroy)(struct device *dev);
	void (*pio_read)(struct device *dev, uint64_t offset, void *data,
			 unsigned len);
	void (*pio_write)(struct device *dev, uint64_t offset,
			  const void *data, unsigned len);
	void (*mmio_read)(struct device *dev, uint64_t offset, void *data,
			  unsigned len);
	void (*mmio_write)(struct device *dev, uint64_t offset,
			   const void *data, unsigned len);
	void (*notify)(struct device *dev, unsigned reg, unsigned slot);
	/* PCI functions: type-0 configuration space, offsets 0..0xff. */
	void (*pci_config_read)(struct device *dev, uint32_t offset,
				void *data, unsigned len);
	void (*pci_config_write)(struct device *dev, uint32_t offset,
				 const void *data, unsigned len);
	/* An fd the I/O thread should poll for this device, and its handler. */
	int (*poll_fd)(struct device *dev);
	void (*poll_ready)(struct device *dev);
	/*
	 * Wait for the host I/O the device has in flight (virtio-blk's
	 * io_uring requests) and complete it as poll_ready() would: tests
	 * and fuzzers drive completions deterministically with it. NULL:
	 * the device never has host I/O in flight.
	 */
	void (*settle)(struct device *dev);
	/*
	 * --trace-io: the name of the register at `offset` (from the block
	 * base, as the access handlers get it) for a read or a write, as the
	 * chip's documentation calls it ("THR", "LSR"); NULL when unnamed.
	 * Called after the access, without the device's lock (a name that
	 * depends on state, like the UART's DLAB bank, may be a beat late).
	 */
	const char *(*reg_name)(const struct device *dev, uint64_t offset,
				bool is_write);
	/*
	 * --stats: up to `max` named counters (per queue: "rx-packets"...);
	 * returns how many. Names are static strings.
	 */
	unsigned (*counters)(struct device *dev, struct device_counter *out,
			     unsigned max);
	/* Something the operator did (the API): true when the device took it. */
	bool (*host_event)(struct device *dev, enum host_event event);
};

/* Property lookup on the resolved table (defaults already filled in). */
const struct board_prop *device_prop(const struct device *dev,
				     const char *name);
uint64_t device_prop_number(const struct device *dev, const char *name);

/*
 * Access data is little-endian, like the guest (x86). The common widths
 * are one load or store; other lengths (none on x86 exits) go bytewise.
 */
static inline uint64_t device_data_get(const void *data, unsigned len)
{
	const uint8_t *p = data;
	uint64_t v = 0;

	switch (len) {
	case 1:
		return p[0];
	case 2: {
		uint16_t v16;

		__builtin_memcpy(&v16, p, 2);
		return v16;
	}
	case 4: {
		uint32_t v32;

		__builtin_memcpy(&v32, p, 4);
		return v32;
	}
	case 8:
		__builtin_memcpy(&v, p, 8);
		return v;
	}
	for (unsigned i = 0; i < len && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void device_data_put(void *data, unsigned len, uint64_t v)
{
	uint8_t *p = data;

	switch (len) {
	case 1:
		p[0] = v;
		return;
	case 2: {
		uint16_t v16 = v;

		__builtin_memcpy(p, &v16, 2);
		return;
	}
	case 4: {
		uint32_t v32 = v;

		__builtin_memcpy(p, &v32, 4);
		return;
	}
	case 8:
		__builtin_memcpy(p, &v, 8);
		return;
	}
	for (unsigned i = 0; i < len && i < 8; i++)
		p[i] = v >> (8 * i);
}

#endif
