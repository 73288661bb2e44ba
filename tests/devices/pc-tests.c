// SPDX-License-Identifier: MIT
/*
 * Device tests on the pc board's generated tables: the legacy chips
 * (uart16550, i8042, cmos-rtc, pci-host, post-code, debug-exit, acpi-pm), a
 * doorbell in the PCI window, and the dispatcher's unmapped, stats, trace
 * and lifecycle behaviour. No KVM: see harness.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cmos-rtc.h"
#include "console.h"
#include "doorbell-demo.h"
#include "post-code.h"
#include "harness.h"
#include "map-test.h"

extern const struct device_ops uart16550_ops;

/* UART registers. */
#define COM1		BOARD_COM1_PIO_BASE
#define COM2		BOARD_COM2_PIO_BASE
#define RBR		0
#define THR		0
#define DLL		0
#define IER		1
#define DLM		1
#define IIR		2
#define FCR		2
#define LCR		3
#define MCR		4
#define LSR		5
#define MSR		6
#define SCR		7

static void test_uart_probe(void)
{
	/* Linux 8250 autoconfig: IER scratch test. */
	outb(COM1 + IER, 0);
	CHECK_EQ(inb(COM1 + IER) & 0x0f, 0);
	outb(COM1 + IER, 0x0f);
	CHECK_EQ(inb(COM1 + IER) & 0x0f, 0x0f);
	outb(COM1 + IER, 0xff);
	CHECK_EQ(inb(COM1 + IER), 0x0f);	/* no UUE bit: a 16550A */
	outb(COM1 + IER, 0);
	/* Loopback test: MCR LOOP | OUT2 | RTS -> MSR CTS | DCD. */
	outb(COM1 + MCR, 0x10 | 0x0a);
	CHECK_EQ(inb(COM1 + MSR) & 0xf0, 0x90);
	outb(COM1 + MCR, 0);
	/* FIFO: IIR bits 7:6 = 3 means a 16550A. */
	outb(COM1 + LCR, 0xbf);
	outb(COM1 + FCR, 0);
	outb(COM1 + LCR, 0);
	CHECK_EQ(inb(COM1 + IIR), 0x01);
	outb(COM1 + FCR, 0x01);
	CHECK_EQ(inb(COM1 + IIR) >> 6, 3);
	CHECK_EQ(inb(COM1 + IIR) & 0x20, 0);	/* no 64-byte FIFO */
	CHECK(inb(COM1 + LSR) != 0xff);		/* Linux's safety check */
	CHECK_EQ(inb(COM1 + LSR), 0x60);
}

static void test_uart_thre_irq(void)
{
	char out[16];

	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	outb(COM1 + IER, 0x02);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 1);
	CHECK_EQ(inb(COM1 + IIR), 0x02);
	/* Reading IIR with THRE as the source clears it. */
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	CHECK_EQ(inb(COM1 + IIR), 0x01);
	/* A THR write re-arms it: the transmitter is instantaneous. */
	outb(COM1 + THR, 'x');
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 1);
	CHECK_EQ(console_read(out, sizeof(out)), 1);
	CHECK(!strcmp(out, "x"));
	/* Linux's UART_BUG_THRE test: re-enabling raises it again. */
	inb(COM1 + IIR);
	outb(COM1 + IER, 0);
	outb(COM1 + IER, 0x02);
	CHECK_EQ(inb(COM1 + IIR) & 0x0f, 0x02);
	outb(COM1 + IER, 0);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	CHECK_EQ(fake.raises[BOARD_COM1_IRQ], 3);
}

static void test_uart_irq_priority(void)
{
	outb(COM1 + MCR, 0x10);		/* loopback */
	outb(COM1 + IER, 0x07);		/* RDI, THRI, RLSI */
	outb(COM1 + THR, 'a');
	CHECK_EQ(inb(COM1 + IIR), 0x04);	/* data beats THRE */
	CHECK_EQ(inb(COM1 + IIR), 0x04);	/* and stays until read */
	CHECK_EQ(inb(COM1 + RBR), 'a');
	CHECK_EQ(inb(COM1 + IIR), 0x02);
	CHECK_EQ(inb(COM1 + IIR), 0x01);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	/* An overrun (line status) beats received data. */
	outb(COM1 + THR, 'b');
	outb(COM1 + THR, 'c');		/* no FIFO: one byte holds */
	CHECK_EQ(inb(COM1 + IIR), 0x06);
	CHECK_EQ(inb(COM1 + LSR), 0x63);	/* DR OE THRE TEMT */
	CHECK_EQ(inb(COM1 + LSR), 0x61);	/* reading cleared OE */
	CHECK_EQ(inb(COM1 + IIR), 0x04);
	CHECK_EQ(inb(COM1 + RBR), 'b');
}

static void test_uart_loopback(void)
{
	char out[16];

	outb(COM1 + FCR, 0x07);
	outb(COM1 + MCR, 0x1f);		/* loop + DTR RTS OUT1 OUT2 */
	CHECK_EQ(inb(COM1 + MSR) & 0xf0, 0xf0);
	for (const char *p = "hello"; *p; p++)
		outb(COM1 + THR, *p);
	CHECK_EQ(inb(COM1 + LSR) & 0x01, 1);
	for (const char *p = "hello"; *p; p++)
		CHECK_EQ(inb(COM1 + RBR), *p);
	CHECK_EQ(inb(COM1 + LSR), 0x60);
	/* Looped back, nothing reached the host. */
	CHECK_EQ(console_read(out, sizeof(out)), 0);
	outb(COM1 + MCR, 0);
	outb(COM1 + THR, '!');
	CHECK_EQ(console_read(out, sizeof(out)), 1);
}

static void test_uart_msr(void)
{
	outb(COM1 + MCR, 0x10);		/* loopback drops CTS DSR DCD */
	CHECK_EQ(inb(COM1 + MSR), 0x0b);	/* their deltas */
	CHECK_EQ(inb(COM1 + MSR), 0x00);	/* read clears deltas */
	outb(COM1 + IER, 0x08);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	outb(COM1 + MCR, 0x12);		/* RTS -> CTS */
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 1);
	CHECK_EQ(inb(COM1 + IIR), 0x00);	/* modem status */
	CHECK_EQ(inb(COM1 + MSR), 0x11);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	outb(COM1 + MCR, 0x14);		/* OUT1 -> RI */
	outb(COM1 + MCR, 0x10);		/* RI falls: TERI */
	CHECK_EQ(inb(COM1 + MSR), 0x05);
	outb(COM1 + MCR, 0);
	CHECK_EQ(inb(COM1 + MSR), 0xb0 | 0x0b);
}

static void test_uart_dlab(void)
{
	char out[16];

	outb(COM1 + LCR, 0x83);
	CHECK_EQ(inb(COM1 + DLL), 12);		/* 9600 baud at reset */
	CHECK_EQ(inb(COM1 + DLM), 0);
	outb(COM1 + DLL, 0x01);
	outb(COM1 + DLM, 0x02);
	CHECK_EQ(inb(COM1 + DLL), 0x01);
	CHECK_EQ(inb(COM1 + DLM), 0x02);
	CHECK_EQ(console_read(out, sizeof(out)), 0);	/* not THR */
	outb(COM1 + LCR, 0x03);
	CHECK_EQ(inb(COM1 + LCR), 0x03);
	CHECK_EQ(inb(COM1 + IER), 0);		/* not DLM */
	outb(COM1 + IER, 0x01);
	outb(COM1 + LCR, 0x83);
	CHECK_EQ(inb(COM1 + DLM), 0x02);	/* IER did not touch it */
	outb(COM1 + LCR, 0x03);
	CHECK_EQ(inb(COM1 + IER), 0x01);
}

static void test_uart_scratch(void)
{
	outb(COM1 + SCR, 0x5a);
	outb(COM2 + SCR, 0xa5);
	CHECK_EQ(inb(COM1 + SCR), 0x5a);
	CHECK_EQ(inb(COM2 + SCR), 0xa5);
	/* A 16-bit access is two byte cycles: LCR then MCR. */
	pio_out(COM1 + LCR, 0x1003, 2);
	CHECK_EQ(inb(COM1 + LCR), 0x03);
	CHECK_EQ(inb(COM1 + MCR), 0x10);
	CHECK_EQ(pio_in(COM1 + LCR, 2), 0x1003);
}

static void test_uart_console_output(void)
{
	char out[64];

	for (const char *p = "boot ok\n"; *p; p++)
		outb(COM1 + THR, *p);
	CHECK_EQ(console_read(out, sizeof(out)), 8);
	CHECK(!strcmp(out, "boot ok\n"));
	/* com2 is not the console: its output goes nowhere. */
	outb(COM2 + THR, 'x');
	CHECK_EQ(console_read(out, sizeof(out)), 0);
	CHECK_EQ(inb(COM2 + LSR), 0x60);
}

static void test_uart_console_input(void)
{
	struct device *com1 = dev_by_index(BOARD_DEV_COM1);
	struct device *com2 = dev_by_index(BOARD_DEV_COM2);

	CHECK_EQ(com1->ops->poll_fd(com1), fake.console_in[0]);
	CHECK_EQ(com2->ops->poll_fd(com2), -1);
	outb(COM1 + FCR, 0x41);		/* FIFO, trigger at 4 bytes */
	outb(COM1 + IER, 0x01);
	console_type("abc");
	com1->ops->poll_ready(com1);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 1);
	CHECK_EQ(inb(COM1 + IIR), 0xcc);	/* below trigger: timeout */
	CHECK_EQ(inb(COM1 + LSR), 0x61);
	console_type("d");
	com1->ops->poll_ready(com1);
	CHECK_EQ(inb(COM1 + IIR), 0xc4);	/* at trigger: data */
	CHECK_EQ(inb(COM1 + RBR), 'a');
	CHECK_EQ(inb(COM1 + RBR), 'b');
	CHECK_EQ(inb(COM1 + RBR), 'c');
	CHECK_EQ(inb(COM1 + RBR), 'd');
	CHECK_EQ(inb(COM1 + LSR), 0x60);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
}

/* More input than the FIFO holds waits on the host side, in order. */
static void test_uart_input_backlog(void)
{
	struct device *com1 = dev_by_index(BOARD_DEV_COM1);
	const char *text = "the quick brown fox jumps over the lazy dog";

	outb(COM1 + FCR, 0x01);
	console_type(text);
	com1->ops->poll_ready(com1);
	for (const char *p = text; *p; p++) {
		CHECK_EQ(inb(COM1 + LSR) & 0x01, 1);
		CHECK_EQ(inb(COM1 + RBR), *p);
	}
	CHECK_EQ(inb(COM1 + LSR), 0x60);
}

static void test_uart_input_eof(void)
{
	struct device *com1 = dev_by_index(BOARD_DEV_COM1);

	console_type("z");
	console_close_input();
	com1->ops->poll_ready(com1);
	CHECK_EQ(com1->ops->poll_fd(com1), fake.console_in[0]);
	com1->ops->poll_ready(com1);		/* reads EOF */
	CHECK_EQ(com1->ops->poll_fd(com1), -1);	/* stop polling it */
	CHECK_EQ(inb(COM1 + RBR), 'z');
}

static void test_uart_reset(void)
{
	outb(COM1 + SCR, 0x77);
	outb(COM1 + IER, 0x02);
	outb(COM1 + LCR, 0x83);
	outb(COM1 + DLL, 1);
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 1);
	machine_devices_reset();
	CHECK_EQ(fake.level[BOARD_COM1_IRQ], 0);
	CHECK_EQ(inb(COM1 + SCR), 0);
	CHECK_EQ(inb(COM1 + LCR), 0);
	CHECK_EQ(inb(COM1 + IER), 0);
	outb(COM1 + LCR, 0x80);
	CHECK_EQ(inb(COM1 + DLL), 12);
}

static bool tty_is_raw(int fd)
{
	struct termios t;

	return !tcgetattr(fd, &t) && !(t.c_lflag & (ICANON | ECHO));
}

/* A tty console goes raw at init and back at destroy or restore. */
static void test_uart_raw_console(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), tty = -1;

	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    (tty = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0) {
		test_fail(__FILE__, __LINE__, "no pseudo-terminal to test with");
		goto out;
	}
	CHECK(!tty_is_raw(tty));
	CHECK_EQ(machine_recreate(tty), 0);
	CHECK(tty_is_raw(tty));
	console_restore();			/* the VMM's signal path */
	CHECK(!tty_is_raw(tty));
	console_restore();			/* idempotent */
	CHECK(!tty_is_raw(tty));
	CHECK_EQ(machine_recreate(tty), 0);
	CHECK(tty_is_raw(tty));
	machine_devices_destroy();
	CHECK(!tty_is_raw(tty));
	/* A pipe is no tty: left alone, and input still flows. */
	CHECK_EQ(machine_recreate(fake.console_in[0]), 0);
out:
	if (tty >= 0)
		close(tty);
	if (master >= 0)
		close(master);
}

/* i8042 */
#define KBD_DATA	BOARD_KBD_PIO_BASE
#define KBD_STATUS	(BOARD_KBD_PIO_BASE + 4)
#define KBD_CMD		KBD_STATUS

static void check_kbd_bytes(const uint8_t *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(inb(KBD_STATUS) & 0x21, 0x01);	/* OBF, not AUX */
		CHECK_EQ(inb(KBD_DATA), want[i]);
	}
	CHECK_EQ(inb(KBD_STATUS) & 0x01, 0);
}

static void test_i8042_self_test(void)
{
	CHECK_EQ(inb(KBD_STATUS) & 0x01, 0);
	outb(KBD_CMD, 0xaa);
	CHECK_EQ(inb(KBD_STATUS) & 0x0d, 0x0d);	/* OBF SYS CMD */
	CHECK_EQ(inb(KBD_DATA), 0x55);
	CHECK_EQ(inb(KBD_STATUS) & 0x01, 0);
	outb(KBD_CMD, 0xab);			/* keyboard interface test */
	check_kbd_bytes((const uint8_t[]){ 0x00 }, 1);
	outb(KBD_CMD, 0xa9);			/* no AUX: clock stuck */
	check_kbd_bytes((const uint8_t[]){ 0x01 }, 1);
	/* AUX loopback comes back without the AUX flag: no mouse. */
	outb(KBD_CMD, 0xd3);
	outb(KBD_DATA, 0x5a);
	check_kbd_bytes((const uint8_t[]){ 0x5a }, 1);
}

static void test_i8042_command_byte(void)
{
	outb(KBD_CMD, 0x20);
	CHECK_EQ(fake.level[BOARD_KBD_IRQ], 1);	/* KBDINT is on */
	CHECK_EQ(inb(KBD_DATA), 0x65);
	CHECK_EQ(fake.level[BOARD_KBD_IRQ], 0);
	outb(KBD_CMD, 0x60);
	CHECK_EQ(inb(KBD_STATUS) & 0x08, 0x08);	/* last write: command */
	outb(KBD_DATA, 0x44);			/* no KBDINT */
	CHECK_EQ(inb(KBD_STATUS) & 0x08, 0);
	outb(KBD_CMD, 0x20);
	CHECK_EQ(fake.level[BOARD_KBD_IRQ], 0);
	CHECK_EQ(inb(KBD_DATA), 0x44);
	outb(KBD_CMD, 0xad);
	outb(KBD_CMD, 0xa7);
	outb(KBD_CMD, 0x20);
	CHECK_EQ(inb(KBD_DATA), 0x74);
	outb(KBD_CMD, 0xae);
	outb(KBD_CMD, 0xa8);
	outb(KBD_CMD, 0x20);
	CHECK_EQ(inb(KBD_DATA), 0x44);
	/* RAM bytes beyond the command byte. */
	outb(KBD_CMD, 0x61);
	outb(KBD_DATA, 0x99);
	outb(KBD_CMD, 0x21);
	CHECK_EQ(inb(KBD_DATA), 0x99);
}

static void test_i8042_keyboard(void)
{
	outb(KBD_DATA, 0xf2);			/* identify */
	check_kbd_bytes((const uint8_t[]){ 0xfa, 0xab, 0x83 }, 3);
	outb(KBD_DATA, 0xff);			/* reset: ACK, BAT ok */
	check_kbd_bytes((const uint8_t[]){ 0xfa, 0xaa }, 2);
	outb(KBD_DATA, 0xed);			/* LEDs, with a parameter */
	outb(KBD_DATA, 0x02);
	check_kbd_bytes((const uint8_t[]){ 0xfa, 0xfa }, 2);
	outb(KBD_DATA, 0xf0);			/* get scan set: 2, xlated */
	outb(KBD_DATA, 0x00);
	check_kbd_bytes((const uint8_t[]){ 0xfa, 0xfa, 0x41 }, 3);
	outb(KBD_DATA, 0xee);			/* echo */
	check_kbd_bytes((const uint8_t[]){ 0xee }, 1);
	outb(KBD_DATA, 0xf4);			/* enable scanning */
	check_kbd_bytes((const uint8_t[]){ 0xfa }, 1);
	/* One edge per byte: Linux reads one byte per interrupt. */
	CHECK_EQ(fake.raises[BOARD_KBD_IRQ], 12);
	CHECK_EQ(fake.level[BOARD_KBD_IRQ], 0);
}

static void test_i8042_reset(void)
{
	outb(KBD_CMD, 0xd0);			/* output port: A20, !reset */
	CHECK_EQ(inb(KBD_DATA), 0x03);
	outb(KBD_CMD, 0xd1);
	outb(KBD_DATA, 0x01);			/* reset line stays high */
	CHECK_EQ(fake.exits, 0);
	outb(KBD_CMD, 0xd0);
	CHECK_EQ(inb(KBD_DATA), 0x01);		/* A20 off */
	outb(KBD_CMD, 0xfe);			/* pulse the reset line */
	CHECK_EQ(fake.exits, 1);
	CHECK_EQ(fake.exit_why, HOST_EXIT_RESET);
	outb(KBD_CMD, 0xff);			/* pulse nothing */
	CHECK_EQ(fake.exits, 1);
	outb(KBD_CMD, 0xd1);
	outb(KBD_DATA, 0x02);			/* drive reset low */
	CHECK_EQ(fake.exits, 2);
}

/* cmos-rtc */
#define RTC_INDEX	BOARD_RTC_PIO_BASE
#define RTC_DATA	(BOARD_RTC_PIO_BASE + 1)

static uint8_t cmos_read(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static void cmos_write(uint8_t reg, uint8_t value)
{
	outb(RTC_INDEX, reg);
	outb(RTC_DATA, value);
}

static void test_rtc_nmi_mask(void)
{
	struct device *rtc = dev_by_index(BOARD_DEV_RTC);

	CHECK(!cmos_rtc_nmi_masked(rtc));
	outb(RTC_INDEX, 0x80 | 0x0a);
	CHECK(cmos_rtc_nmi_masked(rtc));
	CHECK_EQ(inb(RTC_DATA) & 0x7f, 0x26);	/* still register A */
	CHECK_EQ(inb(RTC_INDEX), 0xff);		/* write-only */
	outb(RTC_INDEX, 0x0b);
	CHECK(!cmos_rtc_nmi_masked(rtc));
	CHECK_EQ(inb(RTC_DATA), 0x02);		/* register B: 24h, BCD */
}

/* Set 2024-02-29 23:59:58 (a Thursday) in BCD, 24-hour. */
static void rtc_set_leap_day(void)
{
	cmos_write(0x0b, 0x82);			/* SET */
	cmos_write(0x00, 0x58);
	cmos_write(0x02, 0x59);
	cmos_write(0x04, 0x23);
	cmos_write(0x07, 0x29);
	cmos_write(0x08, 0x02);
	cmos_write(0x09, 0x24);
	cmos_write(0x32, 0x20);
	cmos_write(0x0b, 0x02);			/* run */
}

static void test_rtc_time(void)
{
	rtc_set_leap_day();
	CHECK_EQ(cmos_read(0x00), 0x58);
	CHECK_EQ(cmos_read(0x02), 0x59);
	CHECK_EQ(cmos_read(0x04), 0x23);
	CHECK_EQ(cmos_read(0x06), 5);		/* Thursday */
	CHECK_EQ(cmos_read(0x07), 0x29);
	CHECK_EQ(cmos_read(0x08), 0x02);
	CHECK_EQ(cmos_read(0x09), 0x24);
	CHECK_EQ(cmos_read(0x32), 0x20);
	clock_advance(3000000000ull);
	CHECK_EQ(cmos_read(0x00), 0x01);
	CHECK_EQ(cmos_read(0x02), 0x00);
	CHECK_EQ(cmos_read(0x04), 0x00);
	CHECK_EQ(cmos_read(0x06), 6);		/* Friday */
	CHECK_EQ(cmos_read(0x07), 0x01);
	CHECK_EQ(cmos_read(0x08), 0x03);
	/* While SET, the clock stands still. */
	cmos_write(0x0b, 0x82);
	clock_advance(5000000000ull);
	CHECK_EQ(cmos_read(0x00), 0x01);
	cmos_write(0x0b, 0x02);
	clock_advance(1000000000ull);
	CHECK_EQ(cmos_read(0x00), 0x02);
	/* A field written without SET takes effect at once. */
	cmos_write(0x09, 0x99);
	CHECK_EQ(cmos_read(0x09), 0x99);
	CHECK_EQ(cmos_read(0x32), 0x20);
}

static void test_rtc_binary_12h(void)
{
	cmos_write(0x0b, 0x80 | 0x04);		/* SET, binary, 12-hour */
	cmos_write(0x04, 0x81);			/* 1 PM */
	cmos_write(0x02, 59);
	cmos_write(0x00, 59);
	cmos_write(0x0b, 0x04);
	CHECK_EQ(cmos_read(0x04), 0x81);
	CHECK_EQ(cmos_read(0x02), 59);
	cmos_write(0x0b, 0x06);			/* binary, 24-hour */
	CHECK_EQ(cmos_read(0x04), 13);
	cmos_write(0x04, 23);
	clock_advance(1000000000ull);		/* midnight */
	cmos_write(0x0b, 0x04);
	CHECK_EQ(cmos_read(0x04), 12);		/* 12 AM */
	cmos_write(0x0b, 0x00);			/* BCD, 12-hour */
	CHECK_EQ(cmos_read(0x04), 0x12);
	CHECK_EQ(cmos_read(0x00), 0x00);
}

static int64_t rtc_read_epoch(void)
{
	struct tm tm = { 0 };

	cmos_write(0x0b, 0x06);			/* binary, 24-hour */
	tm.tm_sec = cmos_read(0x00);
	tm.tm_min = cmos_read(0x02);
	tm.tm_hour = cmos_read(0x04);
	tm.tm_mday = cmos_read(0x07);
	tm.tm_mon = cmos_read(0x08) - 1;
	tm.tm_year = cmos_read(0x32) * 100 + cmos_read(0x09) - 1900;
	return timegm(&tm);
}

static void test_rtc_wall_clock(void)
{
	int64_t t0 = rtc_read_epoch(), host = time(NULL);

	CHECK(t0 <= host && host - t0 <= 2);
	clock_advance(3661ull * 1000000000ull);
	CHECK_EQ(rtc_read_epoch() - t0, 3661);
}

static void test_rtc_uip(void)
{
	unsigned steps = 0;
	uint8_t sec;

	/* Walk the virtual clock in 100 us steps into the update cycle. */
	while (!(cmos_read(0x0a) & 0x80) && steps++ < 20000)
		clock_advance(100000);
	CHECK(steps < 20000);
	sec = cmos_read(0x00);
	clock_advance(250000);
	CHECK_EQ(cmos_read(0x0a) & 0x80, 0);
	CHECK_EQ(cmos_read(0x00), sec == 0x59 ? 0 : (sec & 0x0f) == 9 ?
		 sec + 7 : sec + 1);
}

static void test_rtc_cmos_ram(void)
{
	for (unsigned reg = 0x0e; reg < 0x80; reg++)
		if (reg != 0x32)
			cmos_write(reg, reg ^ 0x5a);
	for (unsigned reg = 0x0e; reg < 0x80; reg++)
		if (reg != 0x32)
			CHECK_EQ(cmos_read(reg), reg ^ 0x5a);
	cmos_write(0x0d, 0);
	CHECK_EQ(cmos_read(0x0d), 0x80);	/* VRT, read-only */
	cmos_write(0x01, 0x12);			/* alarm bytes are kept */
	CHECK_EQ(cmos_read(0x01), 0x12);
}

static void test_rtc_register_c(void)
{
	rtc_set_leap_day();			/* 23:59:58 */
	cmos_write(0x05, 0x12);			/* alarm at 12:xx:xx */
	cmos_write(0x0a, 0x20);			/* no periodic rate */
	cmos_read(0x0c);
	CHECK_EQ(cmos_read(0x0c), 0);		/* read clears */
	clock_advance(1000000000ull);
	CHECK_EQ(cmos_read(0x0c), 0x10);	/* UF, no IRQF: UIE off */
	CHECK_EQ(cmos_read(0x0c), 0);
	cmos_write(0x0b, 0x12);			/* UIE */
	clock_advance(1000000000ull);
	CHECK_EQ(cmos_read(0x0c), 0x90);
	/* Periodic at 1024 Hz: a flag once ~977 us have passed. */
	cmos_write(0x0a, 0x26);
	cmos_write(0x0b, 0x02);
	CHECK_EQ(cmos_read(0x0c), 0);
	/* (UF may come with these: a second may end in the step.) */
	clock_advance(500000);
	CHECK_EQ(cmos_read(0x0c) & ~0x10, 0);
	clock_advance(1000000);
	CHECK_EQ(cmos_read(0x0c) & ~0x10, 0x40);
	/* An alarm of "don't care" bytes matches every second. */
	cmos_write(0x0a, 0x20);
	cmos_write(0x01, 0xc0);
	cmos_write(0x03, 0xc0);
	cmos_write(0x05, 0xc0);
	cmos_write(0x0b, 0x22);			/* AIE */
	CHECK_EQ(cmos_read(0x0c), 0xa0);
}

/* pci-host */
#define PCI_ADDR	BOARD_PCI_HOST_PIO_BASE
#define PCI_DATA	(BOARD_PCI_HOST_PIO_BASE + 4)

static void test_pci_host_bridge(void)
{
	outl(PCI_ADDR, 0x80000000);
	CHECK_EQ(inl(PCI_DATA), 0x12378086);
	outl(PCI_ADDR, 0x80000008);
	CHECK_EQ(inl(PCI_DATA), 0x06000002);	/* host bridge, rev 2 */
	outl(PCI_ADDR, 0x8000000c);
	CHECK_EQ(inb(PCI_DATA + 2), 0x00);	/* header type 0 */
}

static void test_pci_byte_offsets(void)
{
	outl(PCI_ADDR, 0x80000000);
	CHECK_EQ(inb(PCI_DATA + 0), 0x86);
	CHECK_EQ(inb(PCI_DATA + 1), 0x80);
	CHECK_EQ(inb(PCI_DATA + 2), 0x37);
	CHECK_EQ(inb(PCI_DATA + 3), 0x12);
	CHECK_EQ(pio_in(PCI_DATA, 2), 0x8086);
	CHECK_EQ(pio_in(PCI_DATA + 2, 2), 0x1237);
	CHECK_EQ(pio_in(PCI_DATA + 1, 2), 0x3780);
	/* Command (writable bits) and status (read-only) at 0x04. */
	outl(PCI_ADDR, 0x80000004);
	outb(PCI_DATA, 0x07);
	CHECK_EQ(pio_in(PCI_DATA, 2), 0x0007);
	pio_out(PCI_DATA + 2, 0xffff, 2);
	CHECK_EQ(pio_in(PCI_DATA + 2, 2), 0);
	outl(PCI_DATA, 0xffffffff);
	CHECK_EQ(inl(PCI_DATA), 0x00000007);
	/* Read-only identity. */
	outl(PCI_ADDR, 0x80000000);
	outl(PCI_DATA, 0);
	CHECK_EQ(inl(PCI_DATA), 0x12378086);
}

static void test_pci_absent(void)
{
	static const uint32_t nothing[] = {
		0x8000a000,	/* bus 0 device 20 (the virtio functions: 1-5) */
		0x80000100,	/* bus 0 device 0 function 1 */
		0x80010000,	/* bus 1 device 0 */
		0x8000f800,	/* bus 0 device 31 */
		0x00000000,	/* enable bit clear */
	};

	for (unsigned i = 0; i < sizeof(nothing) / sizeof(*nothing); i++) {
		outl(PCI_ADDR, nothing[i]);
		CHECK_EQ(inl(PCI_DATA), 0xffffffff);
		CHECK_EQ(pio_in(PCI_DATA + 2, 2), 0xffff);
		outl(PCI_DATA, 0);
		CHECK_EQ(inl(PCI_DATA), 0xffffffff);
	}
}

static void test_pci_config_address(void)
{
	outl(PCI_ADDR, 0x80000003);
	CHECK_EQ(inl(PCI_ADDR), 0x80000000);	/* type bits read 0 */
	outb(PCI_ADDR + 3, 0x01);		/* not CONFIG_ADDRESS */
	CHECK_EQ(inl(PCI_ADDR), 0x80000000);
	CHECK_EQ(inb(PCI_ADDR + 3), 0x80);
	pio_out(PCI_ADDR, 0x0800, 2);
	CHECK_EQ(inl(PCI_ADDR), 0x80000000);
}

/* post-code, debug-exit */
static void test_post_code(void)
{
	struct device *post = dev_by_index(BOARD_DEV_POST);
	uint8_t code = 0x56;

	outb(BOARD_POST_PIO_BASE, 0x12);
	outb(BOARD_POST_PIO_BASE, 0x34);
	CHECK_EQ(inb(BOARD_POST_PIO_BASE), 0x34);
	CHECK_EQ(post_code_last(post), 0x34);
	dispatch_coalesced(&fake.ctx, true, BOARD_POST_PIO_BASE, &code, 1);
	CHECK_EQ(inb(BOARD_POST_PIO_BASE), 0x56);
	CHECK_EQ(fake.stats[region_named("post.code")].coalesced, 1);
	CHECK_EQ(fake.stats[region_named("post.code")].writes, 2);
	machine_devices_reset();
	CHECK_EQ(post_code_last(post), 0);
}

static void test_debug_exit(void)
{
	outb(BOARD_DEBUG_EXIT_PIO_BASE, 0x2a);
	CHECK_EQ(fake.exits, 1);
	CHECK_EQ(fake.exit_why, HOST_EXIT_DEBUG);
	CHECK_EQ(fake.exit_status, 0x2a);
	pio_out(BOARD_DEBUG_EXIT_PIO_BASE, 0x1ff, 2);
	CHECK_EQ(fake.exits, 2);
	CHECK_EQ(fake.exit_status, 0xff);
	CHECK_EQ(inb(BOARD_DEBUG_EXIT_PIO_BASE), 0xff);
}

/* doorbell-demo in the PCI window: queues 4, irq 10. */
static void test_doorbell_queues(void)
{
	struct device *bell = dev_by_index(BOARD_DEV_DOORBELL0);
	uint64_t base = BOARD_DOORBELL0_MMIO_BASE;

	mmio_out(base, 3, 4);
	mmio_out(base, 0, 4);
	mmio_out(base, 3, 4);
	mmio_out(base, 4, 4);			/* no queue 4: ignored */
	CHECK_EQ(doorbell_demo_rings(bell, 3), 2);
	CHECK_EQ(doorbell_demo_rings(bell, 0), 1);
	CHECK_EQ(doorbell_demo_bad_rings(bell), 1);
	CHECK_EQ(mmio_in(base, 4), 3);
	CHECK_EQ(mmio_in(base + 4, 4), 3);
	CHECK_EQ(mmio_in(base + 8, 4), 3);
	CHECK_EQ(fake.raises[BOARD_DOORBELL0_IRQ], 3);
	CHECK_EQ(fake.level[BOARD_DOORBELL0_IRQ], 0);	/* pulses */
}

/* dispatch */
static void test_unmapped_port(void)
{
	const struct board_region *com3 =
		&board_regions[region_named("com3.regs")];
	uint64_t r0, w0, r1, w1;
	char want[256];
	const char *log;

	dispatch_unmapped_counts(&r0, &w0);
	stderr_begin();
	CHECK_EQ(inb(0x3f0), 0xff);
	CHECK_EQ(inl(0x3f0), 0xffffffff);
	outb(0x3f0, 1);
	CHECK(dispatch_pio(&fake.ctx, 0x3f0, (uint8_t[1]){ 0 }, 1, true) == 0);
	log = stderr_end();
	snprintf(want, sizeof(want), "boardvm: unmapped read from port 0x3f0 "
		 "(size 1) near com3.regs 0x3e8-0x3ef (%s); further unmapped "
		 "accesses are counted, see --stats\n", com3->srcpos);
	if (strcmp(log, want))
		test_fail(__FILE__, __LINE__, "logged '%s', expected '%s'",
			  log, want);
	dispatch_unmapped_counts(&r1, &w1);
	CHECK_EQ(r1 - r0, 2);
	CHECK_EQ(w1 - w0, 2);
	CHECK_EQ(fake.stats[0].reads, 2);
	CHECK_EQ(fake.stats[0].writes, 2);
	/* The port just above: a scan, counted but not logged again. */
	stderr_begin();
	outb(0x3f1, 1);
	log = stderr_end();
	CHECK_EQ(strlen(log), 0);
	/* A port apart from those: logged once more. */
	stderr_begin();
	outb(0x3f3, 1);
	log = stderr_end();
	CHECK(strstr(log, "boardvm: unmapped write to port 0x3f3 (size 1) near "
		      "com3.regs") == log);
}

static void test_unmapped_mmio(void)
{
	const char *log;

	stderr_begin();
	CHECK_EQ(mmio_in(0xc0002000, 8), ~0ull);
	CHECK_EQ(mmio_in(0xc0002ff8, 4), 0xffffffff);
	mmio_out(0xc0002004, 0, 4);
	/* The page above a logged one: a scan, counted, not logged. */
	CHECK_EQ(mmio_in(0xc0003000, 4), 0xffffffff);
	/* Past the end of sub-page regions, in their own page. */
	CHECK_EQ(mmio_in(BOARD_DOORBELL0_MMIO_BASE + 0x20, 4), 0xffffffff);
	CHECK_EQ(mmio_in(BOARD_DOORBELL0_MMIO_BASE + 0xffc, 4), 0xffffffff);
	log = stderr_end();
	/*
	 * One line per page, none for the page continuing a scan; each names
	 * the board window it falls in, and a device region in its page.
	 */
	CHECK(strstr(log, "boardvm: unmapped read from address 0xc0002000 "
		      "(size 8) in MMIO window pci 0xc0000000-0xfebfffff "
		      "(boards/pc.yaml:41:5), where no device or BAR is mapped;")
	      == log);
	log = strchr(log, '\n');
	CHECK(log && strstr(log, "\nboardvm: unmapped read from address "
			    "0xc0000020 (size 4) in MMIO window pci "
			    "0xc0000000-0xfebfffff (boards/pc.yaml:41:5), where "
			    "no device or BAR is mapped, near doorbell0.fifo ")
	      == log);
	CHECK(log && strchr(log + 1, '\n') == log + strlen(log) - 1);

	/* A reserved range without memory behind it: named, with its place. */
	stderr_begin();
	CHECK_EQ(mmio_in(0xa8000, 4), 0xffffffff);
	log = stderr_end();
	CHECK(strstr(log, "boardvm: unmapped read from address 0xa8000 (size 4) "
		      "in reserved range vga 0xa0000-0xbffff (boards/pc.yaml:") ==
	      log);
}

static void test_unhandled_region(void)
{
	const char *log;

	stderr_begin();
	/* The PIC is in KVM: an exit for it has no handler here. */
	CHECK_EQ(inb(BOARD_PIC_PIO_BASE), 0xff);
	CHECK(dispatch_pio(&fake.ctx, BOARD_PIC_PIO_BASE, (uint8_t[1]){ 0 }, 1,
			   true) == 0);
	log = stderr_end();
	CHECK(strstr(log, "boardvm: unhandled read from port 0x20 (size 1): "
		      "pic.master 0x20-0x21 (") == log);
	CHECK(strstr(log, "has no read handler (binding kernel)"));
}

static void test_bad_size(void)
{
	const char *log;

	outb(COM1 + SCR, 0x42);
	stderr_begin();
	CHECK_EQ(pio_in(COM1 + SCR, 3), 0xffffff);
	pio_out(COM1 + SCR, 0, 3);
	log = stderr_end();
	CHECK_EQ(inb(COM1 + SCR), 0x42);
	CHECK(strstr(log, "boardvm: unsupported read of size 3 at port 0x3ff "
		      "(only 1, 2, 4 or 8 bytes)") == log);
}

static void test_stats(void)
{
	fake.ctx.timing = true;
	for (unsigned i = 0; i < 100; i++)
		outb(COM1 + SCR, i);
	for (unsigned i = 0; i < 30; i++)
		inb(COM1 + LSR);
	CHECK_EQ(fake.stats[region_named("com1.regs")].writes, 100);
	CHECK_EQ(fake.stats[region_named("com1.regs")].reads, 30);
	CHECK(fake.stats[region_named("com1.regs")].handler_ns > 0);
	CHECK_EQ(fake.stats[region_named("com2.regs")].writes, 0);
	fake.ctx.stats = NULL;			/* stats are optional */
	outb(COM1 + SCR, 1);
	CHECK_EQ(inb(COM1 + SCR), 1);
}

static void test_trace(void)
{
	FILE *out = tmpfile();
	char line[256] = "";

	fake.ctx.trace = true;
	fake.ctx.trace_out = out;
	fake.ctx.vcpu = 3;
	outb(COM1 + SCR, 0x41);
	inb(COM1 + SCR);
	mmio_in(BOARD_DOORBELL0_MMIO_BASE + 4, 4);
	rewind(out);
	CHECK(fgets(line, sizeof(line), out));
	CHECK(!strcmp(line, "trace-io: vcpu3 pio write 0x3ff len 1 data 0x41 "
		      "-> com1.regs+0x7 SCR (sync)\n"));
	CHECK(fgets(line, sizeof(line), out));
	CHECK(!strcmp(line, "trace-io: vcpu3 pio read 0x3ff len 1 data 0x41 "
		      "-> com1.regs+0x7 SCR (sync)\n"));
	CHECK(fgets(line, sizeof(line), out));
	CHECK(!strcmp(line, "trace-io: vcpu3 mmio read 0xc0000004 len 4 data "
		      "0x0 -> doorbell0.status+0x0 (sync)\n"));
	fclose(out);
}

/* acpi-pm: PM1 status/enable at +0/+2, control at +4, the SCI its irq. */
#define PM1_STS		BOARD_ACPI_PM_PIO_BASE
#define PM1_EN		(BOARD_ACPI_PM_PIO_BASE + 2)
#define PM1_CNT		(BOARD_ACPI_PM_PIO_BASE + 4)
#define PWRBTN		(1u << 8)

static bool press_power_button(void)
{
	struct device *pm = dev_by_index(BOARD_DEV_ACPI_PM);

	return pm->ops->host_event(pm, HOST_EVENT_POWER_BUTTON);
}

static void test_acpi_pm_registers(void)
{
	CHECK_EQ(pio_in(PM1_STS, 2), 0);
	CHECK_EQ(pio_in(PM1_EN, 2), 0);
	CHECK_EQ(pio_in(PM1_CNT, 2), 1);	/* SCI_EN: always ACPI mode */
	pio_out(PM1_EN, PWRBTN, 2);
	CHECK_EQ(pio_in(PM1_STS, 4), PWRBTN << 16);	/* one dword: both */
	pio_out(PM1_CNT, 1u << 10, 2);			/* SLP_TYP 1, no SLP_EN */
	CHECK_EQ(pio_in(PM1_CNT, 2), (1u << 10) | 1);
	CHECK_EQ(fake.exits, 0);
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 0);
}

static void test_acpi_pm_s5(void)
{
	pio_out(PM1_CNT, (1u << 13) | (3u << 10), 2);	/* S3: not offered */
	CHECK_EQ(fake.exits, 0);
	pio_out(PM1_CNT, (1u << 13) | (5u << 10), 2);	/* \_S5 */
	CHECK_EQ(fake.exits, 1);
	CHECK_EQ(fake.exit_why, HOST_EXIT_POWEROFF);
	CHECK_EQ(fake.exit_status, 0);
}

/*
 * Not taken while the guest has not enabled it; taken then: PWRBTN_STS
 * set and the SCI asserted until the guest clears the status (write 1)
 * or disables the event.
 */
static void test_acpi_pm_power_button(void)
{
	struct device *pm = dev_by_index(BOARD_DEV_ACPI_PM);

	CHECK(!press_power_button());
	CHECK_EQ(pio_in(PM1_STS, 2), 0);
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 0);
	CHECK(!pm->ops->host_event(pm, HOST_EVENT_CTRL_ALT_DEL));
	pio_out(PM1_EN, PWRBTN, 2);
	CHECK(press_power_button());
	CHECK_EQ(pio_in(PM1_STS, 2), PWRBTN);
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 1);
	CHECK_EQ(fake.raises[BOARD_ACPI_PM_IRQ], 1);
	pio_out(PM1_STS, 0x0001, 2);		/* another bit: no effect */
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 1);
	pio_out(PM1_STS, PWRBTN, 2);		/* the handler acknowledges */
	CHECK_EQ(pio_in(PM1_STS, 2), 0);
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 0);
	CHECK(press_power_button());
	CHECK_EQ(fake.raises[BOARD_ACPI_PM_IRQ], 2);
	pio_out(PM1_EN, 0, 2);			/* disabled: the SCI drops */
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 0);
	CHECK_EQ(pio_in(PM1_STS, 2), PWRBTN);
	CHECK(!press_power_button());
	pio_out(PM1_EN, PWRBTN, 2);		/* pending: asserted again */
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 1);
	pm->ops->reset(pm);
	CHECK_EQ(fake.level[BOARD_ACPI_PM_IRQ], 0);
	CHECK_EQ(pio_in(PM1_EN, 2), 0);
}

static void test_lifecycle(void)
{
	struct device *pic = dev_by_index(BOARD_DEV_PIC);
	struct device *com1 = dev_by_index(BOARD_DEV_COM1);
	struct device *com3 = dev_by_index(BOARD_DEV_COM3);

	CHECK(!pic->ops && !pic->state);
	CHECK(pic->desc == &board_devices[BOARD_DEV_PIC]);
	CHECK(com1->ops == &uart16550_ops && com1->state);
	CHECK_EQ(com1->irq.gsi, BOARD_COM1_IRQ);
	CHECK_EQ(com3->irq.gsi, -1);
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		CHECK(dev_by_index(i)->ops == board_devices[i].ops);
	machine_devices_destroy();
	CHECK(!com1->ops && !com1->state);
	/* Destroyed devices answer like unmapped space. */
	stderr_begin();
	CHECK_EQ(inb(COM1 + SCR), 0xff);
	stderr_end();
}

static const struct test tests[] = {
	{ "/uart16550/probe", test_uart_probe },
	{ "/uart16550/thre-irq", test_uart_thre_irq },
	{ "/uart16550/irq-priority", test_uart_irq_priority },
	{ "/uart16550/loopback", test_uart_loopback },
	{ "/uart16550/msr", test_uart_msr },
	{ "/uart16550/dlab", test_uart_dlab },
	{ "/uart16550/scratch", test_uart_scratch },
	{ "/uart16550/console-output", test_uart_console_output },
	{ "/uart16550/console-input", test_uart_console_input },
	{ "/uart16550/input-backlog", test_uart_input_backlog },
	{ "/uart16550/input-eof", test_uart_input_eof },
	{ "/uart16550/reset", test_uart_reset },
	{ "/uart16550/raw-console", test_uart_raw_console },
	{ "/i8042/self-test", test_i8042_self_test },
	{ "/i8042/command-byte", test_i8042_command_byte },
	{ "/i8042/keyboard", test_i8042_keyboard },
	{ "/i8042/reset", test_i8042_reset },
	{ "/cmos-rtc/nmi-mask", test_rtc_nmi_mask },
	{ "/cmos-rtc/time", test_rtc_time },
	{ "/cmos-rtc/binary-12h", test_rtc_binary_12h },
	{ "/cmos-rtc/wall-clock", test_rtc_wall_clock },
	{ "/cmos-rtc/uip", test_rtc_uip },
	{ "/cmos-rtc/cmos-ram", test_rtc_cmos_ram },
	{ "/cmos-rtc/register-c", test_rtc_register_c },
	{ "/pci-host/host-bridge", test_pci_host_bridge },
	{ "/pci-host/byte-offsets", test_pci_byte_offsets },
	{ "/pci-host/absent-functions", test_pci_absent },
	{ "/pci-host/config-address", test_pci_config_address },
	{ "/post-code/last", test_post_code },
	{ "/debug-exit/status", test_debug_exit },
	{ "/acpi-pm/registers", test_acpi_pm_registers },
	{ "/acpi-pm/s5-poweroff", test_acpi_pm_s5 },
	{ "/acpi-pm/power-button", test_acpi_pm_power_button },
	{ "/doorbell-demo/queues", test_doorbell_queues },
	{ "/dispatch/unmapped-port", test_unmapped_port },
	{ "/dispatch/unmapped-mmio", test_unmapped_mmio },
	{ "/dispatch/unhandled-region", test_unhandled_region },
	{ "/dispatch/bad-size", test_bad_size },
	{ "/dispatch/stats", test_stats },
	{ "/dispatch/trace-io", test_trace },
	{ "/dispatch/lifecycle", test_lifecycle },
	{ "/dispatch/constant-time-map/pc", test_constant_time_map },
	{ NULL, NULL },
};

int main(void)
{
	return tests_run(tests);
}
