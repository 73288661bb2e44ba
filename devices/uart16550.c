// SPDX-License-Identifier: MIT
/*
 * 16550A UART: enough for Linux's 8250 driver (probe, console, tty).
 *
 * Transmission is instantaneous: a THR write goes straight to the host
 * (console_out, when the board sets `console`) or, in loopback, into the
 * receive FIFO, so THR/TSR always read empty and the THRE interrupt is
 * re-armed by each write. Input comes from console_in through the I/O
 * thread (poll_fd/poll_ready) into a host-side ring that feeds the 16-byte
 * receive FIFO as the guest drains it; when both are full, further bytes
 * are dropped and reported as an overrun (LSR.OE), like the real chip.
 *
 * The interrupt output follows the highest-priority pending source (line
 * status > received data / timeout > THR empty > modem status) and is not
 * gated by MCR.OUT2, as in QEMU and kvmtool.
 *
 * Concurrency: vCPUs and the I/O thread reach the same UART; every entry
 * point takes the per-UART mutex. The fd read in poll_ready() happens
 * outside it. After EOF on console_in, poll_fd() returns -1: the I/O
 * thread should stop polling the fd once poll_fd() says so.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board-tables.h"
#include "console.h"
#include "device.h"

/* Register offsets (DLAB = LCR bit 7 banks 0 and 1). */
#define UART_RX		0	/* read: receive buffer */
#define UART_TX		0	/* write: transmit holding */
#define UART_DLL	0	/* DLAB: divisor latch low */
#define UART_IER	1
#define UART_DLM	1	/* DLAB: divisor latch high */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* THR empty */
#define UART_IER_RLSI	0x04	/* receiver line status */
#define UART_IER_MSI	0x08	/* modem status */
#define UART_IER_MASK	0x0f

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_FIFO	0xc0	/* both bits set: 16550A FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_FCR_CLEAR_XMIT 0x04
#define UART_FCR_KEEP	0xc9	/* enable, DMA mode, trigger level */
#define UART_FCR_TRIGGER(fcr)	(((fcr) >> 6) & 3)

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_PE	0x04
#define UART_LSR_FE	0x08
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_LSR_ERRORS	(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | \
			 UART_LSR_BI)

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTA	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80
/* Not in loopback, the other end is always there. */
#define UART_MSR_IDLE	(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

#define UART_FIFO_SIZE	16
/* Bytes read from the host that the receive FIFO has no room for yet. */
#define UART_HOST_RING	4096
#define UART_DIVISOR_9600 12

static const uint8_t uart_rx_trigger[4] = { 1, 4, 8, 14 };

struct uart_ring {
	unsigned head, count, size;
	uint8_t *buf;
};

struct uart16550 {
	pthread_mutex_t lock;
	struct device *dev;
	uint8_t ier, lcr, mcr, lsr, msr, scr, fcr, dll, dlm;
	bool thr_ipending;
	bool console;
	bool in_eof;
	int in_fd, out_fd;
	struct uart_ring rx;			/* the chip's receive FIFO */
	uint8_t rx_buf[UART_FIFO_SIZE];
	struct uart_ring host;			/* read from console_in */
	uint8_t host_buf[UART_HOST_RING];
	uint64_t dropped_out;			/* console_out write failures */
};

static bool ring_push(struct uart_ring *r, unsigned limit, uint8_t byte)
{
	if (r->count >= limit)
		return false;
	r->buf[(r->head + r->count++) % r->size] = byte;
	return true;
}

static uint8_t ring_pop(struct uart_ring *r)
{
	uint8_t byte = r->buf[r->head];

	r->head = (r->head + 1) % r->size;
	r->count--;
	return byte;
}

static unsigned uart_rx_capacity(const struct uart16550 *u)
{
	return (u->fcr & UART_FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

/* Move host input into the receive FIFO while it has room. */
static void uart_rx_refill(struct uart16550 *u)
{
	while (u->host.count && u->rx.count < uart_rx_capacity(u))
		ring_push(&u->rx, UART_FIFO_SIZE, ring_pop(&u->host));
}

/* A byte arrives at the receiver (loopback or host). */
static void uart_rx_byte(struct uart16550 *u, uint8_t byte)
{
	if (!ring_push(&u->rx, uart_rx_capacity(u), byte))
		u->lsr |= UART_LSR_OE;
}

/* The highest-priority pending interrupt, as IIR bits 3:0 report it. */
static uint8_t uart_pending(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_ERRORS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx.count) {
		if (u->rx.count >= uart_rx_trigger[UART_FCR_TRIGGER(u->fcr)] ||
		    !(u->fcr & UART_FCR_ENABLE))
			return UART_IIR_RDI;
		return UART_IIR_TIMEOUT;
	}
	if ((u->ier & UART_IER_THRI) && u->thr_ipending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void uart_update_irq(struct device *dev, struct uart16550 *u)
{
	int level = uart_pending(u) != UART_IIR_NO_INT;

	if (level != dev->irq.level)
		irq_line_set(&dev->irq, level);
}

/* Recompute MSR's status bits from MCR (loopback) and latch the deltas. */
static void uart_update_msr(struct uart16550 *u)
{
	uint8_t old = u->msr, now = UART_MSR_IDLE, changed;

	if (u->mcr & UART_MCR_LOOP) {
		now = 0;
		if (u->mcr & UART_MCR_RTS)
			now |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			now |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			now |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			now |= UART_MSR_DCD;
	}
	changed = (old ^ now) & ~UART_MSR_DELTA;
	u->msr = (old & UART_MSR_DELTA) | now;
	if (changed & UART_MSR_CTS)
		u->msr |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr |= UART_MSR_DDSR;
	if ((changed & UART_MSR_RI) && !(now & UART_MSR_RI))
		u->msr |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		u->msr |= UART_MSR_DDCD;
}

static void uart_reset_state(struct uart16550 *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = UART_MSR_IDLE;
	u->scr = 0;
	u->fcr = 0;
	u->dll = UART_DIVISOR_9600;
	u->dlm = 0;
	u->thr_ipending = false;
	u->rx.head = u->rx.count = 0;
}

static void uart_transmit(struct uart16550 *u, uint8_t byte)
{
	if (u->mcr & UART_MCR_LOOP) {
		uart_rx_byte(u, byte);
		return;
	}
	if (!u->console || u->out_fd < 0)
		return;
	while (write(u->out_fd, &byte, 1) < 0) {
		if (errno != EINTR) {
			if (!console_output_failed(u->dev, &u->out_fd, errno))
				u->dropped_out++;
			break;
		}
	}
}

static uint8_t uart_read_byte(struct uart16550 *u, unsigned offset)
{
	uint8_t id, value;

	switch (offset) {
	case UART_RX:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		if (!u->rx.count)
			return 0;
		value = ring_pop(&u->rx);
		uart_rx_refill(u);
		return value;
	case UART_IER:
		return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		id = uart_pending(u);
		if (id == UART_IIR_THRI)
			u->thr_ipending = false;
		return id | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		value = u->lsr | (u->rx.count ? UART_LSR_DR : 0);
		u->lsr &= ~UART_LSR_ERRORS;
		return value;
	case UART_MSR:
		value = u->msr;
		u->msr &= ~UART_MSR_DELTA;
		return value;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

static void uart_write_fcr(struct uart16550 *u, uint8_t value)
{
	/* Turning the FIFOs on or off empties them. */
	if ((value ^ u->fcr) & UART_FCR_ENABLE)
		value |= UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT;
	if (value & UART_FCR_CLEAR_RCVR)
		u->rx.head = u->rx.count = 0;
	u->fcr = value & UART_FCR_KEEP;
	uart_rx_refill(u);
}

static void uart_write_ier(struct uart16550 *u, uint8_t value)
{
	uint8_t changed = (value ^ u->ier) & UART_IER_MASK;

	u->ier = value & UART_IER_MASK;
	/* The THR is always empty: enabling THRI raises it at once. */
	if (changed & UART_IER_THRI)
		u->thr_ipending = u->ier & UART_IER_THRI;
}

static void uart_write_byte(struct uart16550 *u, unsigned offset,
			    uint8_t value)
{
	switch (offset) {
	case UART_TX:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = value;
			break;
		}
		u->thr_ipending = false;
		uart_transmit(u, value);
		/* Sent at once: the THR is empty again. */
		u->thr_ipending = true;
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB)
			u->dlm = value;
		else
			uart_write_ier(u, value);
		break;
	case UART_FCR:
		uart_write_fcr(u, value);
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		u->mcr = value & UART_MCR_MASK;
		uart_update_msr(u);
		break;
	case UART_SCR:
		u->scr = value;
		break;
	default:	/* LSR and MSR are read-only */
		break;
	}
}

/* A wide access is a run of byte cycles, as on the ISA bus. */
static void uart_pio_read(struct device *dev, uint64_t offset, void *data,
			  unsigned len)
{
	struct uart16550 *u = dev->state;
	uint8_t *p = data;

	pthread_mutex_lock(&u->lock);
	for (unsigned i = 0; i < len; i++)
		p[i] = offset + i <= UART_SCR ?
			uart_read_byte(u, offset + i) : 0xff;
	uart_update_irq(dev, u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_pio_write(struct device *dev, uint64_t offset,
			   const void *data, unsigned len)
{
	struct uart16550 *u = dev->state;
	const uint8_t *p = data;

	pthread_mutex_lock(&u->lock);
	for (unsigned i = 0; i < len; i++)
		if (offset + i <= UART_SCR)
			uart_write_byte(u, offset + i, p[i]);
	uart_update_irq(dev, u);
	pthread_mutex_unlock(&u->lock);
}

static int uart_poll_fd(struct device *dev)
{
	struct uart16550 *u = dev->state;

	return u->in_eof ? -1 : u->in_fd;
}

/* Take what the host has typed; called by the I/O thread when readable. */
static void uart_poll_ready(struct device *dev)
{
	struct uart16550 *u = dev->state;
	uint8_t buf[256];
	ssize_t n;

	if (u->in_fd < 0 || u->in_eof)
		return;
	n = read(u->in_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	pthread_mutex_lock(&u->lock);
	if (n <= 0)
		u->in_eof = true;
	for (ssize_t i = 0; i < n; i++)
		if (!ring_push(&u->host, UART_HOST_RING, buf[i]))
			u->lsr |= UART_LSR_OE;
	uart_rx_refill(u);
	uart_update_irq(dev, u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_reset(struct device *dev)
{
	struct uart16550 *u = dev->state;

	pthread_mutex_lock(&u->lock);
	uart_reset_state(u);
	uart_update_irq(dev, u);
	pthread_mutex_unlock(&u->lock);
}

static int uart_init(struct device *dev)
{
	struct uart16550 *u = calloc(1, sizeof(*u));

	if (!u) {
		fprintf(stderr, "boardvm: %s: out of memory for uart16550 "
			"state\n", dev->desc->name);
		return -ENOMEM;
	}
	pthread_mutex_init(&u->lock, NULL);
	u->dev = dev;
	u->rx.buf = u->rx_buf;
	u->rx.size = UART_FIFO_SIZE;
	u->host.buf = u->host_buf;
	u->host.size = UART_HOST_RING;
	console_attach(dev, &u->in_fd, &u->out_fd);
	u->console = u->in_fd >= 0 || u->out_fd >= 0;
	uart_reset_state(u);
	dev->state = u;
	return 0;
}

static void uart_destroy(struct device *dev)
{
	struct uart16550 *u = dev->state;

	if (!u)
		return;
	if (u->in_fd >= 0)
		console_restore();
	pthread_mutex_destroy(&u->lock);
	free(u);
	dev->state = NULL;
}

static const char *uart_reg_name(const struct device *dev, uint64_t offset,
				 bool is_write)
{
	const struct uart16550 *u = dev->state;
	bool dlab = u && (__atomic_load_n(&u->lcr, __ATOMIC_RELAXED) &
			  UART_LCR_DLAB);

	switch (offset) {
	case UART_RX:
		return dlab ? "DLL" : is_write ? "THR" : "RBR";
	case UART_IER:
		return dlab ? "DLM" : "IER";
	case UART_IIR:
		return is_write ? "FCR" : "IIR";
	case UART_LCR:
		return "LCR";
	case UART_MCR:
		return "MCR";
	case UART_LSR:
		return "LSR";
	case UART_MSR:
		return "MSR";
	case UART_SCR:
		return "SCR";
	}
	return NULL;
}

const struct device_ops uart16550_ops = {
	.init		= uart_init,
	.reset		= uart_reset,
	.destroy	= uart_destroy,
	.pio_read	= uart_pio_read,
	.pio_write	= uart_pio_write,
	.poll_fd	= uart_poll_fd,
	.poll_ready	= uart_poll_ready,
	.reg_name	= uart_reg_name,
};
