// SPDX-License-Identifier: MIT
/*
 * The board tour: a freestanding guest (the tests/guest library, built
 * against the board's generated board.h) that finds each device of the
 * board from the inside and says what it saw. Every address it touches
 * comes from a board.h macro, so the tour is also a check that the board
 * the VMM runs is the board the header describes. Devices the board does
 * not have (their macros are missing) are skipped.
 *
 * Then it rings the two demo doorbells, one bound sync and one bound
 * async, in batches, and prints the median cost per ring in TSC cycles
 * and microseconds (the TSC calibrated against PIT channel 2).
 *
 * Output goes to COM1 (boardvm's stdout); `make demo` (demo/run.sh) prints
 * `boardc map` beside it and boardvm's --stats after it.
 */
#include <stdarg.h>

#include "guest.h"

#define TOUR_BATCHES		10
#define TOUR_BATCH_RINGS	100

/* --- output ------------------------------------------------------------ */

static void put_padded(const char *s, unsigned len, int width, bool left,
		       char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left)
		while (fill-- > 0)
			guest_putc(pad);
	guest_puts(s);
	if (left)
		while (fill-- > 0)
			guest_putc(' ');
}

static unsigned format_number(char *buf, uint32_t v, unsigned base)
{
	char tmp[11];
	unsigned n = 0, i = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = 0;
	return i;
}

/*
 * A small printf: %s %c %u %x %%, with an optional '-' (left-justify),
 * '0' (zero-pad) and a width. Numbers are 32 bits.
 */
static void tour_printf(const char *fmt, ...)
{
	va_list ap;
	char buf[12];

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		bool left = false;
		char pad = ' ';
		int width = 0;
		unsigned len;
		const char *s;

		if (*fmt != '%') {
			guest_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			for (len = 0; s[len]; len++)
				;
			put_padded(s, len, width, left, ' ');
			break;
		case 'c':
			guest_putc((char)va_arg(ap, int));
			break;
		case 'u':
		case 'x':
			len = format_number(buf, va_arg(ap, uint32_t),
					    *fmt == 'u' ? 10 : 16);
			put_padded(buf, len, width, left, pad);
			break;
		case '%':
			guest_putc('%');
			break;
		default:		/* not ours: print it as written */
			guest_putc('%');
			guest_putc(*fmt);
			break;
		}
		if (!*fmt)
			break;
	}
	va_end(ap);
}

static void section(const char *title)
{
	tour_printf("\n-- %s --\n", title);
}

/* "4 KiB", "16 MiB", "256 bytes": sizes are powers of two here. */
static void put_size(uint32_t bytes)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB" };
	unsigned u = 0;

	while (u < 3 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	tour_printf("%u %s", bytes, unit[u]);
}

/* --- time: the TSC, calibrated against PIT channel 2 ------------------- */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * TSC cycles to nanoseconds; 0 when the TSC was not calibrated. Unused on
 * boards without a PIT or the doorbells.
 */
static uint32_t tsc_khz __attribute__((unused));

/* 64-by-32 division without libgcc (the guest links no runtime). */
static uint64_t div64(uint64_t n, uint32_t d)
{
	uint64_t q = 0, r = 0;

	for (int bit = 63; bit >= 0; bit--) {
		r = r << 1 | ((n >> bit) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << bit;
		}
	}
	return q;
}

static __attribute__((unused)) uint32_t cycles_to_ns(uint32_t cycles)
{
	if (!tsc_khz)
		return 0;
	return (uint32_t)div64((uint64_t)cycles * 1000000, tsc_khz);
}

#ifdef BOARD_PIT_PIO_BASE
#define PIT_CH2			(BOARD_PIT_PIO_BASE + 2)
#define PIT_MODE		(BOARD_PIT_PIO_BASE + 3)
#define PIT_PORT_B		(BOARD_PIT_PIO_BASE + 0x21)	/* 0x61 */
#define PIT_PORT_B_GATE2	0x01
#define PIT_PORT_B_SPEAKER	0x02
#define PIT_PORT_B_OUT2		0x20
#define PIT_CH2_MODE0		0xb0	/* ch 2, lo/hi byte, mode 0 */
#define PIT_HZ			1193182
#define PIT_CALIBRATE_MS	2
#define PIT_CALIBRATE_RUNS	5
#define PIT_COUNT		(PIT_HZ * PIT_CALIBRATE_MS / 1000)
#define PIT_POLL_MAX		1000000

/*
 * Count PIT_COUNT ticks of channel 2 in mode 0 (OUT2 rises at terminal
 * count, read back on port B bit 5) and the TSC cycles they took; 0 if it
 * never got there. The PIT is KVM's (in-kernel): neither port leaves the
 * kernel.
 */
static uint32_t pit_count_cycles(void)
{
	uint8_t port_b = inb(PIT_PORT_B);
	uint64_t t0, t1;
	uint32_t i;

	outb(PIT_PORT_B, (port_b & ~PIT_PORT_B_SPEAKER) | PIT_PORT_B_GATE2);
	outb(PIT_MODE, PIT_CH2_MODE0);
	outb(PIT_CH2, PIT_COUNT & 0xff);
	outb(PIT_CH2, PIT_COUNT >> 8);
	t0 = rdtsc();
	for (i = 0; i < PIT_POLL_MAX; i++)
		if (inb(PIT_PORT_B) & PIT_PORT_B_OUT2)
			break;
	t1 = rdtsc();
	outb(PIT_PORT_B, port_b);
	if (i == PIT_POLL_MAX || t1 - t0 > 0xffffffffull)
		return 0;
	return (uint32_t)(t1 - t0);
}

/*
 * TSC kHz: the shortest of a few short counts. On a loaded host a count
 * the vCPU thread was preempted in reads long (up to twice as long here),
 * never short, so the minimum is the honest one.
 */
static uint32_t pit_calibrate_tsc(void)
{
	uint32_t best = 0;

	for (unsigned run = 0; run < PIT_CALIBRATE_RUNS; run++) {
		uint32_t cycles = pit_count_cycles();

		if (cycles && (!best || cycles < best))
			best = cycles;
	}
	return best / PIT_CALIBRATE_MS;
}
#endif

/* --- the tour, device by device ---------------------------------------- */

static void tour_cpu(void)
{
	uint32_t regs[4], vendor[4] = { 0 };

	__asm__ volatile("cpuid"
			 : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]),
			   "=d"(regs[3])
			 : "a"(0), "c"(0));
	vendor[0] = regs[1];
	vendor[1] = regs[3];
	vendor[2] = regs[2];
	section("CPU and RAM (board.h: cpus, ram)");
	tour_printf("vCPU 0 of %u (board allows %u): CPUID vendor '%s', "
		    "max leaf 0x%x\n", BOARD_CPUS_DEFAULT, BOARD_CPUS_MAX,
		    (const char *)vendor, regs[0]);
	tour_printf("guest RAM default: %u MiB, laid into the board's RAM "
		    "regions (%u); the tour runs at 0x%x\n",
		    (uint32_t)(BOARD_RAM_DEFAULT >> 20), BOARD_NR_RAM,
		    GUEST_LOAD_ADDR);
}

#define UART_LSR		5
#define UART_SCR		7
#define UART_LSR_THRE		0x20
#define UART_LSR_TEMT		0x40
#define UART_SCR_PATTERN	0xa5

static void tour_uart(const char *name, uint16_t base, int irq)
{
	uint8_t old = inb(base + UART_SCR), lsr, back;

	outb(base + UART_SCR, UART_SCR_PATTERN);
	back = inb(base + UART_SCR);
	outb(base + UART_SCR, old);
	lsr = inb(base + UART_LSR);
	tour_printf("%-6s port 0x%x", name, base);
	if (irq >= 0)
		tour_printf(" irq %-2u", irq);
	else
		tour_printf(" no irq");
	tour_printf("  scratch 0x%x -> 0x%02x, LSR 0x%02x: %s\n",
		    UART_SCR_PATTERN, back, lsr,
		    back != UART_SCR_PATTERN ? "NOT a 16550" :
		    (lsr & (UART_LSR_THRE | UART_LSR_TEMT)) ==
		    (UART_LSR_THRE | UART_LSR_TEMT) ?
		    "a 16550, transmitter idle" : "a 16550");
}

static void tour_uarts(void)
{
	section("serial ports (uart16550, sync)");
#ifdef BOARD_COM1_PIO_BASE
#ifdef BOARD_COM1_IRQ
	tour_uart("com1", BOARD_COM1_PIO_BASE, BOARD_COM1_IRQ);
#else
	tour_uart("com1", BOARD_COM1_PIO_BASE, -1);
#endif
#endif
#ifdef BOARD_COM2_PIO_BASE
#ifdef BOARD_COM2_IRQ
	tour_uart("com2", BOARD_COM2_PIO_BASE, BOARD_COM2_IRQ);
#else
	tour_uart("com2", BOARD_COM2_PIO_BASE, -1);
#endif
#endif
#ifdef BOARD_COM3_PIO_BASE
#ifdef BOARD_COM3_IRQ
	tour_uart("com3", BOARD_COM3_PIO_BASE, BOARD_COM3_IRQ);
#else
	tour_uart("com3", BOARD_COM3_PIO_BASE, -1);
#endif
#endif
#ifdef BOARD_COM4_PIO_BASE
#ifdef BOARD_COM4_IRQ
	tour_uart("com4", BOARD_COM4_PIO_BASE, BOARD_COM4_IRQ);
#else
	tour_uart("com4", BOARD_COM4_PIO_BASE, -1);
#endif
#endif
	tour_printf("(com1 is the console: everything you read here went "
		    "through its THR)\n");
}

#ifdef BOARD_KBD_PIO_BASE
#define I8042_DATA		(BOARD_KBD_PIO_BASE)
#define I8042_STATUS		(BOARD_KBD_PIO_BASE + 4)
#define I8042_STR_OBF		0x01
#define I8042_CMD_SELF_TEST	0xaa
#define I8042_SELF_TEST_OK	0x55
#define I8042_POLL_MAX		1000

static void tour_i8042(void)
{
	uint8_t reply = 0xff, status;
	unsigned i;

	section("keyboard controller (i8042, sync)");
	while (inb(I8042_STATUS) & I8042_STR_OBF)	/* drain stale bytes */
		inb(I8042_DATA);
	outb(I8042_STATUS, I8042_CMD_SELF_TEST);
	for (i = 0; i < I8042_POLL_MAX; i++) {
		status = inb(I8042_STATUS);
		if (status & I8042_STR_OBF) {
			reply = inb(I8042_DATA);
			break;
		}
	}
	tour_printf("kbd    ports 0x%x/0x%x irq %u  self-test (0xaa) -> "
		    "0x%02x: %s\n", I8042_DATA, I8042_STATUS, BOARD_KBD_IRQ,
		    reply, reply == I8042_SELF_TEST_OK ? "passed" :
		    "no answer");
}
#endif

#ifdef BOARD_RTC_PIO_BASE
#define RTC_SECONDS		0x00
#define RTC_MINUTES		0x02
#define RTC_HOURS		0x04
#define RTC_DAY			0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_CENTURY		0x32
#define RTC_A_UIP		0x80
#define RTC_B_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_UIP_POLL_MAX	10000

static uint8_t rtc_read(uint8_t reg)
{
	outb(BOARD_RTC_PIO_BASE, reg);
	return inb(BOARD_RTC_PIO_BASE + 1);
}

static uint32_t rtc_value(uint8_t reg, bool binary)
{
	uint8_t v = rtc_read(reg);

	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

static void tour_rtc(void)
{
	uint8_t b = rtc_read(RTC_REG_B);
	bool binary = b & RTC_B_BINARY;
	uint32_t hours;

	section("real-time clock (cmos-rtc, sync)");
	for (unsigned i = 0; i < RTC_UIP_POLL_MAX; i++)
		if (!(rtc_read(RTC_REG_A) & RTC_A_UIP))
			break;
	hours = rtc_value(RTC_HOURS, binary);
	tour_printf("rtc    ports 0x%x/0x%x irq %u  %u%02u-%02u-%02u "
		    "%02u:%02u:%02u%s (the host's UTC; %s, %s)\n",
		    BOARD_RTC_PIO_BASE, BOARD_RTC_PIO_BASE + 1, BOARD_RTC_IRQ,
		    rtc_value(RTC_CENTURY, binary), rtc_value(RTC_YEAR, binary),
		    rtc_value(RTC_MONTH, binary), rtc_value(RTC_DAY, binary),
		    hours & 0x7f, rtc_value(RTC_MINUTES, binary),
		    rtc_value(RTC_SECONDS, binary),
		    b & RTC_B_24H ? "" : (hours & 0x80 ? " pm" : " am"),
		    binary ? "binary" : "BCD",
		    b & RTC_B_24H ? "24-hour" : "12-hour");
}
#endif

static void tour_misc_ports(void)
{
	section("debug-exit and POST code");
	tour_printf("debug-exit port 0x%x  reads 0x%02x (write-only): the "
		    "tour ends by writing its status here,\n"
		    "                  and boardvm exits with it\n",
		    BOARD_DEBUG_EXIT_PIO_BASE, inb(BOARD_DEBUG_EXIT_PIO_BASE));
#ifdef BOARD_POST_PIO_BASE
	outb(BOARD_POST_PIO_BASE, 0x42);
	tour_printf("post       port 0x%x  wrote 0x42: bound coalesced, so "
		    "the write waited in KVM's ring\n"
		    "                  and cost no exit\n",
		    BOARD_POST_PIO_BASE);
#endif
}

#if defined(BOARD_PIC_PIO_BASE) || defined(BOARD_PIT_PIO_BASE) || \
    defined(BOARD_IOAPIC_MMIO_BASE) || defined(BOARD_LAPIC_MMIO_BASE)
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define LAPIC_REG_ID		0x20
#define LAPIC_REG_VERSION	0x30

static void tour_kernel_chips(void)
{
	section("interrupt controllers and timer (in KVM: kernel binding)");
#ifdef BOARD_PIC_PIO_BASE
	tour_printf("pic    ports 0x%x/0x%x  no id register; IMR master "
		    "0x%02x, slave 0x%02x\n", BOARD_PIC_PIO_BASE,
		    BOARD_PIC_PIO_BASE + 0x80, inb(BOARD_PIC_PIO_BASE + 1),
		    inb(BOARD_PIC_PIO_BASE + 0x81));
#endif
#ifdef BOARD_PIT_PIO_BASE
	tsc_khz = pit_calibrate_tsc();
	if (tsc_khz)
		tour_printf("pit    ports 0x%x-0x%x  no id register; channel 2 "
			    "counted %u ms in %u TSC cycles\n"
			    "       (shortest of %u): the TSC runs at %u.%03u "
			    "MHz\n", BOARD_PIT_PIO_BASE, BOARD_PIT_PIO_BASE + 3,
			    PIT_CALIBRATE_MS, tsc_khz * PIT_CALIBRATE_MS,
			    PIT_CALIBRATE_RUNS, tsc_khz / 1000, tsc_khz % 1000);
	else
		tour_printf("pit    ports 0x%x-0x%x  channel 2 did not reach "
			    "its terminal count: times below are in cycles\n",
			    BOARD_PIT_PIO_BASE, BOARD_PIT_PIO_BASE + 3);
#endif
#ifdef BOARD_IOAPIC_MMIO_BASE
	{
		uint32_t id, ver;

		mmio_write32(BOARD_IOAPIC_MMIO_BASE, IOAPIC_REG_ID);
		id = mmio_read32(BOARD_IOAPIC_MMIO_BASE + IOAPIC_IOWIN);
		mmio_write32(BOARD_IOAPIC_MMIO_BASE, IOAPIC_REG_VERSION);
		ver = mmio_read32(BOARD_IOAPIC_MMIO_BASE + IOAPIC_IOWIN);
		tour_printf("ioapic mmio 0x%x  id %u, version 0x%02x, %u "
			    "pins (board: irqs %u)\n", BOARD_IOAPIC_MMIO_BASE,
			    (id >> 24) & 0xf, ver & 0xff,
			    ((ver >> 16) & 0xff) + 1, BOARD_NR_IRQS);
	}
#endif
#ifdef BOARD_LAPIC_MMIO_BASE
	{
		uint32_t id = mmio_read32(BOARD_LAPIC_MMIO_BASE + LAPIC_REG_ID);
		uint32_t ver = mmio_read32(BOARD_LAPIC_MMIO_BASE +
					   LAPIC_REG_VERSION);

		tour_printf("lapic  mmio 0x%x  id %u (this vCPU), version "
			    "0x%02x, %u LVT entries\n", BOARD_LAPIC_MMIO_BASE,
			    id >> 24, ver & 0xff, ((ver >> 16) & 0xff) + 1);
	}
#endif
}
#endif

/* --- PCI: configuration mechanism #1, bus 0 ---------------------------- */

#ifdef BOARD_PCI_HOST_PIO_BASE
#define PCI_ADDRESS		(BOARD_PCI_HOST_PIO_BASE)
#define PCI_DATA		(BOARD_PCI_HOST_PIO_BASE + 4)
#define PCI_ENABLE		0x80000000u
#define PCI_SLOTS		32
#define PCI_FUNCS		8
#define PCI_VENDOR_DEVICE	0x00
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REV		0x08
#define PCI_HEADER		0x0c	/* header type in bits 23:16 */
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM		0x2c
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT		0x3c
#define PCI_COMMAND_DECODE	0x0003	/* I/O and memory space */
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_HEADER_MULTI	0x80
#define PCI_HEADER_TYPE(h)	(((h) >> 16) & 0x7f)
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM_64		0x4
#define PCI_BAR_PREFETCH	0x8
#define PCI_CAPS_MAX		48	/* ends a looping list */

static uint32_t pci_read(unsigned slot, unsigned fn, unsigned reg)
{
	outl(PCI_ADDRESS, PCI_ENABLE | slot << 11 | fn << 8 | (reg & 0xfc));
	return inl(PCI_DATA);
}

static void pci_write(unsigned slot, unsigned fn, unsigned reg, uint32_t v)
{
	outl(PCI_ADDRESS, PCI_ENABLE | slot << 11 | fn << 8 | (reg & 0xfc));
	outl(PCI_DATA, v);
}

static void pci_write16(unsigned slot, unsigned fn, unsigned reg,
			uint16_t v)
{
	outl(PCI_ADDRESS, PCI_ENABLE | slot << 11 | fn << 8 | (reg & 0xfc));
	outw(PCI_DATA + (reg & 2), v);
}

static const char *pci_vendor_name(uint16_t vendor)
{
	switch (vendor) {
	case 0x8086: return "Intel";
	case 0x1af4: return "Red Hat (virtio)";
	case 0x1b36: return "Red Hat (QEMU)";
	default: return "";
	}
}

/* Virtio: 0x1000-0x103f transitional, 0x1040 + virtio id modern. */
static const char *pci_virtio_name(uint16_t device)
{
	static const char *const by_id[] = {
		[1] = "virtio-net", [2] = "virtio-blk", [3] = "virtio-console",
		[4] = "virtio-rng", [5] = "virtio-balloon", [8] = "virtio-scsi",
		[16] = "virtio-gpu", [18] = "virtio-input",
		[19] = "virtio-vsock",
	};
	static const uint8_t transitional[] = { 1, 2, 5, 3, 8, 4 };
	unsigned id = 0;

	if (device >= 0x1040 && device < 0x1080)
		id = device - 0x1040;
	else if (device >= 0x1000 && device < 0x1000 + sizeof(transitional))
		id = transitional[device - 0x1000];
	if (id < sizeof(by_id) / sizeof(by_id[0]) && by_id[id])
		return by_id[id];
	return "virtio device";
}

static const char *pci_class_name(uint32_t class_rev)
{
	uint32_t cls = class_rev >> 24, sub = (class_rev >> 16) & 0xff;

	switch (cls) {
	case 0x01: return sub == 0x00 ? "SCSI storage" : "storage";
	case 0x02: return sub == 0x00 ? "Ethernet" : "network";
	case 0x03: return "display";
	case 0x05: return "memory";
	case 0x06:
		switch (sub) {
		case 0x00: return "host bridge";
		case 0x01: return "ISA bridge";
		case 0x04: return "PCI-to-PCI bridge";
		default: return "bridge";
		}
	case 0x07: return "communication";
	case 0x08: return "system peripheral";
	case 0x09: return "input";
	case 0x0c: return "serial bus";
	case 0xff: return "unassigned class";
	default: return "other";
	}
}

/*
 * Size one BAR the way firmware does: write all-ones, read back the
 * writable bits, restore. Decoding is off meanwhile (the caller). Returns
 * how many BAR slots it used (2 for a 64-bit memory BAR).
 */
static unsigned pci_show_bar(unsigned slot, unsigned fn, unsigned bar)
{
	unsigned reg = PCI_BAR0 + 4 * bar;
	uint32_t orig = pci_read(slot, fn, reg), mask, hi = 0, hi_mask = 0;
	bool is64 = !(orig & PCI_BAR_IO) && (orig & 0x6) == PCI_BAR_MEM_64;
	uint32_t size;

	pci_write(slot, fn, reg, 0xffffffff);
	mask = pci_read(slot, fn, reg);
	pci_write(slot, fn, reg, orig);
	if (is64 && bar < 5) {
		hi = pci_read(slot, fn, reg + 4);
		pci_write(slot, fn, reg + 4, 0xffffffff);
		hi_mask = pci_read(slot, fn, reg + 4);
		pci_write(slot, fn, reg + 4, hi);
	}
	if (!mask && !hi_mask)
		return is64 ? 2 : 1;		/* not implemented */
	tour_printf("         BAR%u  ", bar);
	if (orig & PCI_BAR_IO) {
		size = ~(mask & ~0x3u) + 1;
		if (!(mask & 0xffff0000))	/* 16-bit decoder */
			size &= 0xffff;
		tour_printf("I/O ports 0x%x, ", orig & ~0x3u);
		put_size(size);
		tour_printf("\n");
		return 1;
	}
	size = ~(mask & ~0xfu) + 1;
	tour_printf("memory%s%s ", is64 ? " 64-bit" : " 32-bit",
		    orig & PCI_BAR_PREFETCH ? " prefetchable" : "");
	if (is64)
		tour_printf("0x%x_%08x, ", hi, orig & ~0xfu);
	else
		tour_printf("0x%x, ", orig & ~0xfu);
	if (!size && hi_mask != 0xffffffff)
		tour_printf("4 GiB or more");
	else
		put_size(size);
	tour_printf("\n");
	return is64 ? 2 : 1;
}

/* A capability's name; virtio's vendor capabilities say which structure. */
static const char *pci_cap_name(uint16_t vendor, uint32_t head)
{
	static const char *const virtio_cfg[] = {
		[1] = "virtio-common", [2] = "virtio-notify",
		[3] = "virtio-isr", [4] = "virtio-device",
		[5] = "virtio-pci-cfg",
	};
	uint8_t id = head & 0xff, cfg_type = head >> 24;

	switch (id) {
	case 0x05: return "MSI";
	case 0x09:
		if (vendor == 0x1af4 && cfg_type < 6 && virtio_cfg[cfg_type])
			return virtio_cfg[cfg_type];
		return "vendor";
	case 0x10: return "PCIe";
	case 0x11: return "MSI-X";
	default: return "other";
	}
}

static void pci_show_caps(unsigned slot, unsigned fn, uint16_t vendor)
{
	unsigned at = pci_read(slot, fn, PCI_CAP_PTR) & 0xfc, n = 0;

	if (!(pci_read(slot, fn, PCI_COMMAND) >> 16 & PCI_STATUS_CAP_LIST))
		return;
	tour_printf("         capabilities:");
	while (at && n++ < PCI_CAPS_MAX) {
		uint32_t head = pci_read(slot, fn, at);

		if (n > 1 && n % 3 == 1)
			tour_printf("\n                      ");
		tour_printf(" %s@0x%02x", pci_cap_name(vendor, head), at);
		at = (head >> 8) & 0xfc;
	}
	tour_printf("\n");
}

static void pci_show_function(unsigned slot, unsigned fn, uint32_t ids)
{
	uint32_t class_rev = pci_read(slot, fn, PCI_CLASS_REV);
	uint32_t header = pci_read(slot, fn, PCI_HEADER);
	uint32_t irq = pci_read(slot, fn, PCI_INTERRUPT);
	uint16_t vendor = ids & 0xffff, device = ids >> 16;
	uint16_t command = pci_read(slot, fn, PCI_COMMAND) & 0xffff;
	unsigned nr_bars = 0;

	tour_printf("00:%02x.%u  %04x:%04x  class %02x.%02x.%02x  %s",
		    slot, fn, vendor, device, class_rev >> 24,
		    (class_rev >> 16) & 0xff, (class_rev >> 8) & 0xff,
		    pci_class_name(class_rev));
	if (vendor == 0x1af4)
		tour_printf(", %s", pci_virtio_name(device));
	else if (*pci_vendor_name(vendor))
		tour_printf(", %s", pci_vendor_name(vendor));
	tour_printf("\n");
	if ((irq >> 8) & 0xff)
		tour_printf("         INT%c# pin, interrupt line %u\n",
			    'A' + ((irq >> 8) & 0xff) - 1, irq & 0xff);
	if (PCI_HEADER_TYPE(header) == 0)
		nr_bars = 6;
	else if (PCI_HEADER_TYPE(header) == 1)
		nr_bars = 2;
	pci_write16(slot, fn, PCI_COMMAND, command & ~PCI_COMMAND_DECODE);
	for (unsigned bar = 0; bar < nr_bars;)
		bar += pci_show_bar(slot, fn, bar);
	pci_write16(slot, fn, PCI_COMMAND, command);
	pci_show_caps(slot, fn, vendor);
}

static void tour_pci(void)
{
	unsigned found = 0;

	section("PCI bus 0 (config mechanism #1: ports 0xcf8/0xcfc)");
	tour_printf("pci-host ports 0x%x/0x%x; scanning every slot and "
		    "function of bus 0:\n", PCI_ADDRESS, PCI_DATA);
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++) {
		for (unsigned fn = 0; fn < PCI_FUNCS; fn++) {
			uint32_t ids = pci_read(slot, fn, PCI_VENDOR_DEVICE);

			if ((ids & 0xffff) == 0xffff) {
				if (fn == 0)
					break;		/* empty slot */
				continue;
			}
			pci_show_function(slot, fn, ids);
			found++;
			if (fn == 0 && !(pci_read(slot, 0, PCI_HEADER) >> 16 &
					 PCI_HEADER_MULTI))
				break;
		}
	}
	tour_printf("%u function%s found", found, found == 1 ? "" : "s");
	if (found <= 1)
		tour_printf(" (no PCI devices on this board besides the "
			    "host bridge)");
	tour_printf("; BARs sized by writing all-ones with decoding off, "
		    "then restored\n");
}
#endif

/* --- the doorbells: sync against async --------------------------------- */

#if defined(BOARD_DOORBELL0_MMIO_BASE) && defined(BOARD_DOORBELL1_MMIO_BASE)
#define BELL_DOORBELL		0x00
#define BELL_TOTAL		0x04
#define BELL_LAST		0x08
#define BELL_SCRATCH		0x0c
#define BELL_FIFO		0x10
#define BELL_FIFO_COUNT		0x10
#define BELL_FIFO_SUM		0x14
#define BELL_SUM_FACTOR		31
#define BELL_POLL_MAX		1000000
#define BELL_SCRATCH_PATTERN	0x5a5a1234

static void bell_status(const char *name, uint32_t base, int irq,
			const char *binding)
{
	uint32_t scratch;

	mmio_write32(base + BELL_SCRATCH, BELL_SCRATCH_PATTERN);
	scratch = mmio_read32(base + BELL_SCRATCH);
	tour_printf("%-9s mmio 0x%x irq %u  doorbell %s; status: %u rings, "
		    "last queue %u, scratch %s\n", name, base, irq, binding,
		    mmio_read32(base + BELL_TOTAL),
		    mmio_read32(base + BELL_LAST),
		    scratch == BELL_SCRATCH_PATTERN ? "read/write" : "BROKEN");
}

static void sort_u32(uint32_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void put_us(uint32_t cycles)
{
	uint32_t ns = cycles_to_ns(cycles);

	tour_printf("%3u.%u us", ns / 1000, ns % 1000 / 100);
}

/* One line: best and median cycles per ring (sorts `v`). */
static void print_cost(const char *what, uint32_t *v)
{
	sort_u32(v, TOUR_BATCHES);
	tour_printf("  %-18s best %6u cycles", what, v[0]);
	if (tsc_khz) {
		tour_printf(" = ");
		put_us(v[0]);
	}
	tour_printf(", median %6u", v[TOUR_BATCHES / 2]);
	if (tsc_khz) {
		tour_printf(" = ");
		put_us(v[TOUR_BATCHES / 2]);
	}
	tour_printf("\n");
}

/* Read `base`'s ring count until it reaches `want`; the reads it took. */
static unsigned bell_wait(uint32_t base, uint32_t want)
{
	unsigned polls;

	for (polls = 1; polls < BELL_POLL_MAX; polls++)
		if (mmio_read32(base + BELL_TOTAL) >= want)
			break;
	GUEST_ASSERT_EQ(mmio_read32(base + BELL_TOTAL), want);
	return polls;
}

/*
 * Ring `base`'s doorbell TOUR_BATCH_RINGS times, then wait until the
 * device has counted every ring (at once for a sync doorbell, when the I/O
 * thread gets to it for an async one). Returns the cycles per ring; `wait`
 * gets the cycles from the last ring until the device had them all.
 */
static uint32_t bell_batch(uint32_t base, uint32_t *wait)
{
	uint32_t want = mmio_read32(base + BELL_TOTAL) + TOUR_BATCH_RINGS;
	uint64_t t0 = rdtsc(), t1;

	for (unsigned i = 0; i < TOUR_BATCH_RINGS; i++)
		mmio_write32(base + BELL_DOORBELL, 0);
	t1 = rdtsc();
	bell_wait(base, want);
	*wait = (uint32_t)(rdtsc() - t1);
	return (uint32_t)(t1 - t0) / TOUR_BATCH_RINGS;
}

static void tour_doorbells(void)
{
	uint32_t sync_ring[TOUR_BATCHES], async_ring[TOUR_BATCHES];
	uint32_t sync_wait[TOUR_BATCHES], async_wait[TOUR_BATCHES];
	uint32_t fifo_sum = 0, count, sum;

	section("doorbells (doorbell-demo): sync against async");
	bell_status("doorbell1", BOARD_DOORBELL1_MMIO_BASE,
		    BOARD_DOORBELL1_IRQ, "bound sync");
	bell_status("doorbell0", BOARD_DOORBELL0_MMIO_BASE,
		    BOARD_DOORBELL0_IRQ, "bound async");

	tour_printf("ringing each %u times: %u batches of %u writes of queue "
		    "0, the two doorbells\n"
		    "taking turns; the cost per ring of the best batch (the "
		    "least disturbed by\n"
		    "the rest of the host) and of the median one:\n",
		    TOUR_BATCHES * TOUR_BATCH_RINGS, TOUR_BATCHES,
		    TOUR_BATCH_RINGS);
	for (unsigned b = 0; b < TOUR_BATCHES; b++) {
		sync_ring[b] = bell_batch(BOARD_DOORBELL1_MMIO_BASE,
					  &sync_wait[b]);
		async_ring[b] = bell_batch(BOARD_DOORBELL0_MMIO_BASE,
					   &async_wait[b]);
	}
	print_cost("doorbell1 (sync):", sync_ring);
	print_cost("doorbell0 (async):", async_ring);
	sort_u32(sync_wait, TOUR_BATCHES);
	sort_u32(async_wait, TOUR_BATCHES);
	if (tsc_khz)
		tour_printf("  the device had a batch's last ring (median) "
			    "%u us after it (sync),\n"
			    "  %u us after it (async: the I/O thread "
			    "catching up)\n",
			    cycles_to_ns(sync_wait[TOUR_BATCHES / 2]) / 1000,
			    cycles_to_ns(async_wait[TOUR_BATCHES / 2]) / 1000);
	if (async_ring[0] && async_ring[0] < sync_ring[0])
		tour_printf("  at best, async is %u.%ux cheaper per ring for "
			    "the vCPU\n", sync_ring[0] / async_ring[0],
			    sync_ring[0] * 10 / async_ring[0] % 10);
	else
		tour_printf("  async was NOT cheaper in this run (a busy "
			    "host?)\n");
	tour_printf(
"  A sync ring exits KVM_RUN to boardvm, which finds doorbell1.doorbell in\n"
"  its tables and calls the device's mmio_write on this vCPU's thread, then\n"
"  re-enters the guest. An async ring is matched by KVM against an\n"
"  ioeventfd and signalled without leaving the kernel; boardvm's I/O\n"
"  thread reads the eventfd and calls notify() while the vCPU runs on.\n"
"  Where the host has few free CPUs that thread competes with this vCPU\n"
"  for them: the median shows it; the best batch shows the ring alone.\n");

	for (uint32_t v = 1; v <= 3; v++) {
		mmio_write32(BOARD_DOORBELL0_MMIO_BASE + BELL_FIFO, v);
		fifo_sum = fifo_sum * BELL_SUM_FACTOR + v;
	}
	count = mmio_read32(BOARD_DOORBELL0_MMIO_BASE + BELL_FIFO_COUNT);
	sum = mmio_read32(BOARD_DOORBELL0_MMIO_BASE + BELL_FIFO_SUM);
	tour_printf("doorbell0 fifo (coalesced): wrote 1, 2, 3 with no exit; "
		    "the read of its count\n"
		    "  replayed them first: count %u, checksum %u (%s)\n",
		    count, sum, sum == fifo_sum ? "in order" : "OUT OF ORDER");
}
#endif

int guest_main(void)
{
	tour_printf("boardvm tour of board '%s', from inside the guest\n"
		    "Every address below comes from the board's generated "
		    "board.h; each line says\nwhat the guest did there and "
		    "what came back.\n", BOARD_NAME);
	tour_cpu();
	tour_uarts();
#ifdef BOARD_KBD_PIO_BASE
	tour_i8042();
#endif
#ifdef BOARD_RTC_PIO_BASE
	tour_rtc();
#endif
	tour_misc_ports();
#if defined(BOARD_PIC_PIO_BASE) || defined(BOARD_PIT_PIO_BASE) || \
    defined(BOARD_IOAPIC_MMIO_BASE) || defined(BOARD_LAPIC_MMIO_BASE)
	tour_kernel_chips();
#endif
#ifdef BOARD_PCI_HOST_PIO_BASE
	tour_pci();
#endif
#if defined(BOARD_DOORBELL0_MMIO_BASE) && defined(BOARD_DOORBELL1_MMIO_BASE)
	tour_doorbells();
#endif
	tour_printf("\nend of the tour: writing %u to debug-exit\n",
		    GUEST_EXIT_PASS);
	return GUEST_EXIT_PASS;
}
