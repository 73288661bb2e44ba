// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the device models' register interfaces, driven the
 * way a hostile guest drives them, through the real vmm/dispatch.c and one
 * board's generated tables (built once per board, like tests/devices/).
 *
 * The input is a program of accesses. Each one starts with an opcode byte;
 * the bytes after it are its operands (missing bytes read as 0):
 *
 *   region access  region index (2), offset (2), size, value (8): a read or
 *                  write of 1..8 bytes at an offset of a board region (up
 *                  to 8 bytes past its end, which reaches the neighbour or
 *                  unmapped space)
 *   port access    port (2), size, value (8): any port at all
 *   MMIO access    region index (2), address bits (4), size, value (8):
 *                  near a region's page, with random low bits
 *   notify         async index: an ioeventfd fired (dispatch_notify)
 *   coalesced      async index, offset, size, value (8): one replayed
 *                  buffered write (dispatch_coalesced)
 *   PCI config     bus/devfn/register (4), size, byte offset, value (8):
 *                  CONFIG_ADDRESS then CONFIG_DATA on the board's pci-host
 *   console        count, bytes: typed on the console, then the devices'
 *                  poll_ready() (what the I/O thread does)
 *   clock          nanoseconds (4) << shift: the virtual clock moves
 *   RAM poke       offset (3), count, bytes: the driver writes guest RAM
 *                  (virtqueue rings and buffers for the virtio devices)
 *   reset          machine_devices_reset()
 *   BAR policy     the fake host refuses BAR moves from now on (or again
 *                  accepts them)
 *
 * Built with -DFUZZ_PCI it is the PCI configuration space target: three
 * opcodes in four are config accesses (address write, then a data read or
 * write of a random size at a random byte offset), so the fuzzer spends
 * its time in devices/pci-host.c and the PCI functions behind it, with the
 * other operations (BAR-mapped MMIO, resets, refused BAR moves) between.
 *
 * The fake host records exits, accepts or refuses BAR moves (by input
 * bit), counts MSIs, has 128 KiB of guest RAM at 0 (two spans: 0-0xffff
 * and 0x10000-0x1ffff, zeroed for every input) and one 64 KiB disk (a
 * memfd) for virtio-blk; the console goes to /dev/null. Every input runs
 * on a freshly created machine. After every operation the devices' host
 * I/O in flight is completed (ops->settle: virtio-blk's io_uring reads,
 * writes and flushes), so what an input does is the same on every run.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "board.h"
#include "dispatch.h"
#include "guest-ram.h"

#define NR_GSI		256
#define RAM_SPAN	0x10000u	/* two spans of this size from 0 */
#define DISK_SIZE	0x10000u

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static int levels[NR_GSI];
static uint64_t now_ns;
static unsigned exits, msis;
static bool refuse_bars;
static int console_in[2] = { -1, -1 };
static struct region_stats stats[BOARD_NR_REGIONS];
static struct dispatch_ctx ctx = { .stats = stats };
static uint8_t ram_bytes[2 * RAM_SPAN] __attribute__((aligned(4096)));
static struct guest_ram ram;
static int disk_fd = -1;
static char disk_path[32];
static struct host_disk disk = { .path = disk_path };

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		if (in->pos < in->size)
			v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

static void fake_set_level(struct irq_line *line, int level)
{
	if (line->gsi >= 0 && line->gsi < NR_GSI)
		levels[line->gsi] = level;
}

static uint64_t fake_now(struct vclock *clock)
{
	return now_ns;
}

static void fake_request_exit(struct device_host *host,
			      enum host_exit_reason why, int status)
{
	exits++;
}

static int fake_bar_update(struct device_host *host, struct device *dev,
			   unsigned bar, uint64_t base, bool enabled)
{
	return refuse_bars ? -1 : 0;
}

static void fake_signal_msi(struct device_host *host, struct device *dev,
			    unsigned vector, uint64_t addr, uint32_t data)
{
	msis++;
}

static struct vclock fake_clock = { .now_ns = fake_now };
static struct device_host fake_host = {
	.request_exit = fake_request_exit,
	.pci_bar_update = fake_bar_update,
	.signal_msi = fake_signal_msi,
	.device = machine_device,
	.ram = &ram,
	.disks = &disk,
	.nr_disks = 1,
	.console_in = -1,
	.console_out = -1,
};
static const struct machine_env fake_machine = {
	.host = &fake_host,
	.clock = &fake_clock,
	.irq_set_level = fake_set_level,
};

static void setup_once(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (pipe2(console_in, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    (fake_host.console_out = open("/dev/null",
					  O_WRONLY | O_CLOEXEC)) < 0) {
		perror("fuzz-devices: console");
		abort();
	}
	fake_host.console_in = console_in[0];
	if (guest_ram_add(&ram, 0, RAM_SPAN, ram_bytes) < 0 ||
	    guest_ram_add(&ram, RAM_SPAN, RAM_SPAN, ram_bytes + RAM_SPAN) < 0)
		abort();
	disk_fd = memfd_create("fuzz-disk", MFD_CLOEXEC);
	if (disk_fd < 0) {
		perror("fuzz-devices: disk");
		abort();
	}
	snprintf(disk_path, sizeof(disk_path), "/proc/self/fd/%d", disk_fd);
}

/* What the last input typed and nobody read must not leak into the next. */
static void console_drain(void)
{
	char buf[256];

	while (read(console_in[0], buf, sizeof(buf)) > 0)
		;
}

static unsigned access_len(uint64_t v)
{
	return 1 + v % 8;
}

static const struct board_region *region_pick(struct input *in)
{
	unsigned n = board_info.nr_regions;

	return &board_regions[n > 1 ? 1 + take(in, 2) % (n - 1) : 0];
}

static void guest_access(unsigned space, uint64_t addr, unsigned len,
		   bool is_write, uint64_t value)
{
	uint8_t data[8];

	device_data_put(data, len, value);
	if (space == SPACE_PIO)
		dispatch_pio(&ctx, (uint16_t)addr, data, len, is_write);
	else
		dispatch_mmio(&ctx, addr, data, len, is_write);
}

static void op_region(struct input *in, bool is_write)
{
	const struct board_region *r = region_pick(in);
	uint64_t offset = take(in, 2) % (r->size + 8);
	unsigned len = access_len(take(in, 1));

	guest_access(r->space, r->base + offset, len, is_write,
	       is_write ? take(in, 8) : 0);
}

static void op_port(struct input *in)
{
	uint16_t port = take(in, 2);
	uint8_t how = take(in, 1);

	guest_access(SPACE_PIO, port, access_len(how), how & 0x80, take(in, 8));
}

static void op_mmio(struct input *in)
{
	const struct board_region *r = region_pick(in);
	uint64_t addr = (r->base & ~0xfffull) ^ take(in, 4);
	uint8_t how = take(in, 1);

	guest_access(SPACE_MMIO, addr, access_len(how), how & 0x80, take(in, 8));
}

static void op_notify(struct input *in)
{
	/* One past the end too: dispatch_notify must ignore it. */
	dispatch_notify(&ctx, take(in, 1) % (board_info.nr_async + 1));
}

static void op_coalesced(struct input *in)
{
	unsigned n = board_info.nr_async;
	const struct board_async *a;
	uint64_t offset;
	uint8_t data[8];
	unsigned len;

	if (!n) {
		take(in, 11);
		return;
	}
	a = &board_async[take(in, 1) % n];
	offset = take(in, 1) % (a->size + 1);
	len = access_len(take(in, 1));
	device_data_put(data, len, take(in, 8));
	dispatch_coalesced(&ctx, a->space == SPACE_PIO, a->addr + offset,
			   data, len);
}

/*
 * CONFIG_ADDRESS = enable | bus/devfn/register from the input, then a
 * CONFIG_DATA access of 1, 2 or 4 bytes at byte 0-3 of the data port
 * (and, rarely, a narrow CONFIG_ADDRESS write, which must be ignored).
 */
static void op_pci_config(struct input *in)
{
	static const unsigned sizes[] = { 1, 2, 4, 4 };
	uint32_t address = take(in, 4);
	uint8_t how = take(in, 1);
	uint64_t value = take(in, 8);
	unsigned len = sizes[how & 3];
	unsigned byte = (how >> 2) & 3;

#ifdef BOARD_PCI_HOST_PIO_BASE
	/* Most accesses go to bus 0, where the functions are. */
	if (!(how & 0x40))
		address = 0x80000000u | (address & 0xfffcu);
	if ((how & 0x30) == 0x30) {
		guest_access(SPACE_PIO, BOARD_PCI_HOST_PIO_BASE, 1 + (how >> 7),
		       true, address);
	} else {
		guest_access(SPACE_PIO, BOARD_PCI_HOST_PIO_BASE, 4, true, address);
	}
	guest_access(SPACE_PIO, BOARD_PCI_HOST_PIO_BASE + 4 + byte, len,
	       how & 0x80, value);
#else
	(void)address, (void)len, (void)byte, (void)value;
#endif
}

static void op_console(struct input *in)
{
	unsigned n = take(in, 1) % 32;
	char buf[32];

	for (unsigned i = 0; i < n; i++)
		buf[i] = take(in, 1);
	if (n && write(console_in[1], buf, n) < 0)
		return;
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		struct device *dev = &machine_devices[i];

		if (dev->ops && dev->ops->poll_fd && dev->ops->poll_ready &&
		    dev->ops->poll_fd(dev) >= 0)
			dev->ops->poll_ready(dev);
	}
}

static void op_ram_poke(struct input *in)
{
	uint32_t offset = take(in, 3) % sizeof(ram_bytes);
	unsigned count = take(in, 1) % 64;

	for (unsigned i = 0; i < count; i++)
		ram_bytes[(offset + i) % sizeof(ram_bytes)] = take(in, 1);
}

static void op_clock(struct input *in)
{
	uint64_t ns = take(in, 4);

	now_ns += ns << (take(in, 1) % 24);
}

/*
 * Host I/O the devices have in flight (virtio-blk's io_uring requests)
 * completed and served after every operation: an input's effects never
 * depend on when the kernel finishes a read.
 */
static void settle_all(void)
{
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		struct device *dev = &machine_devices[i];

		if (dev->ops && dev->ops->settle && dev->state)
			dev->ops->settle(dev);
	}
}

static void run_op(struct input *in)
{
	uint8_t op = take(in, 1);

#ifdef FUZZ_PCI
	/* Three opcode bytes in four are a config access; 0x00-0x0f keep
	 * their meaning (the seeds use those). */
	if (op & 0x30)
		op = 10;
#endif
	switch (op % 17) {
	case 0: case 1: case 2:
		op_region(in, false);
		break;
	case 3: case 4: case 5:
		op_region(in, true);
		break;
	case 6:
		op_port(in);
		break;
	case 7:
		op_mmio(in);
		break;
	case 8:
		op_notify(in);
		break;
	case 9:
		op_coalesced(in);
		break;
	case 10: case 11:
		op_pci_config(in);
		break;
	case 12:
		op_console(in);
		break;
	case 13:
		op_clock(in);
		break;
	case 14:
		machine_devices_reset();
		break;
	case 16:
		op_ram_poke(in);
		break;
	default:
		refuse_bars = !refuse_bars;
		break;
	}
	settle_all();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .data = data, .size = size };

	setup_once();
	memset(levels, 0, sizeof(levels));
	memset(stats, 0, sizeof(stats));
	now_ns = 1000000000000ull;
	refuse_bars = false;
	memset(ram_bytes, 0, sizeof(ram_bytes));
	fake_host.disks_taken = 0;
	/* A zeroed disk for every input: what one wrote, the next cannot see. */
	if (ftruncate(disk_fd, 0) < 0 || ftruncate(disk_fd, DISK_SIZE) < 0)
		abort();
	if (machine_devices_create(&fake_machine) < 0) {
		fprintf(stderr, "fuzz-devices: machine_devices_create failed\n");
		abort();
	}
	while (in.pos < in.size)
		run_op(&in);
	machine_devices_destroy();
	console_drain();
	return 0;
}
