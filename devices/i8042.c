// SPDX-License-Identifier: MIT
/*
 * i8042 keyboard controller: enough for Linux's i8042 and atkbd probes,
 * and the CPU reset line.
 *
 * The controller answers its commands (command byte, self-test, interface
 * tests, enable/disable, output port) and a keyboard that ACKs every
 * command (reset answers ACK + BAT, identify ACK + 0xab 0x83). There is no
 * AUX (mouse) port: the AUX loopback answers as keyboard data and the AUX
 * interface test reports a stuck clock, which is how Linux learns that
 * without waiting for a timeout. Pulsing the reset line (command 0xfe, or
 * clearing output port bit 0) asks the VMM for a reset.
 *
 * The irq line (IRQ 1 on a PC) is high while a byte waits in the output
 * buffer and the command byte enables keyboard interrupts.
 *
 * Concurrency: one mutex per controller around every access.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "board-tables.h"
#include "device.h"

/* Offsets in the device block (0x60 and 0x64 on a PC). */
#define I8042_DATA		0
#define I8042_COMMAND		4	/* write: command; read: status */

#define I8042_STR_OBF		0x01	/* output buffer full */
#define I8042_STR_IBF		0x02
#define I8042_STR_SYS		0x04	/* system flag: self-test passed */
#define I8042_STR_CMDDAT	0x08	/* last write was a command */
#define I8042_STR_KEYLOCK	0x10	/* 1: keyboard not inhibited */
#define I8042_STR_AUXDATA	0x20

/* Command byte ("CTR"). */
#define I8042_CTR_KBDINT	0x01
#define I8042_CTR_AUXINT	0x02
#define I8042_CTR_SYS		0x04
#define I8042_CTR_KBDDIS	0x10
#define I8042_CTR_AUXDIS	0x20
#define I8042_CTR_XLATE		0x40
#define I8042_CTR_DEFAULT	(I8042_CTR_KBDINT | I8042_CTR_SYS | \
				 I8042_CTR_AUXDIS | I8042_CTR_XLATE)

/* Controller commands. */
#define I8042_CMD_READ_RAM	0x20	/* 0x20-0x3f: RAM byte n, 0 = CTR */
#define I8042_CMD_WRITE_RAM	0x60	/* 0x60-0x7f, next data byte */
#define I8042_CMD_AUX_DISABLE	0xa7
#define I8042_CMD_AUX_ENABLE	0xa8
#define I8042_CMD_AUX_TEST	0xa9
#define I8042_CMD_SELF_TEST	0xaa
#define I8042_CMD_KBD_TEST	0xab
#define I8042_CMD_KBD_DISABLE	0xad
#define I8042_CMD_KBD_ENABLE	0xae
#define I8042_CMD_READ_INPUT	0xc0
#define I8042_CMD_READ_OUTPUT	0xd0
#define I8042_CMD_WRITE_OUTPUT	0xd1
#define I8042_CMD_WRITE_KBD_OUT	0xd2
#define I8042_CMD_WRITE_AUX_OUT	0xd3
#define I8042_CMD_WRITE_AUX	0xd4
#define I8042_CMD_A20_OFF	0xdd
#define I8042_CMD_A20_ON	0xdf
#define I8042_CMD_PULSE		0xf0	/* 0xf0-0xff: bits 3:0 low = pulse */

#define I8042_SELF_TEST_OK	0x55
#define I8042_PORT_TEST_OK	0x00
#define I8042_PORT_CLOCK_STUCK	0x01
#define I8042_INPUT_PORT	0xbf	/* keyboard not inhibited */

#define I8042_OUT_RESET		0x01	/* 0 = CPU held in reset */
#define I8042_OUT_A20		0x02
#define I8042_OUT_DEFAULT	(I8042_OUT_RESET | I8042_OUT_A20)

/* Keyboard commands and replies. */
#define KBD_CMD_SET_LEDS	0xed
#define KBD_CMD_ECHO		0xee
#define KBD_CMD_SCANSET		0xf0
#define KBD_CMD_GETID		0xf2
#define KBD_CMD_TYPEMATIC	0xf3
#define KBD_CMD_RESET		0xff
#define KBD_REPLY_ACK		0xfa
#define KBD_REPLY_BAT_OK	0xaa
#define KBD_ID_1		0xab
#define KBD_ID_2		0x83
#define KBD_SCANSET_2		0x02
#define KBD_SCANSET_2_XLATED	0x41

#define I8042_QUEUE		16	/* Linux flushes up to 16 bytes */
#define I8042_RAM		32

struct i8042 {
	pthread_mutex_t lock;
	uint8_t ram[I8042_RAM];		/* ram[0] is the command byte */
	uint8_t status;
	uint8_t output_port;
	uint8_t pending_cmd;		/* controller command awaiting data */
	uint8_t kbd_pending;		/* keyboard command awaiting a param */
	uint8_t queue[I8042_QUEUE];	/* output buffer and what follows */
	unsigned head, count;
	bool reloaded;			/* the guest took a byte, next is in */
};

static void i8042_push(struct i8042 *c, uint8_t byte)
{
	if (c->count < I8042_QUEUE)
		c->queue[(c->head + c->count++) % I8042_QUEUE] = byte;
}

static bool i8042_is_write_ram(uint8_t cmd)
{
	return cmd >= I8042_CMD_WRITE_RAM &&
	       cmd < I8042_CMD_WRITE_RAM + I8042_RAM;
}

/*
 * IRQ 1 is edge-triggered and Linux reads one byte per interrupt: when the
 * guest takes a byte and another moves into the output buffer, the line
 * drops and rises again, as on the real controller.
 */
static void i8042_update_irq(struct device *dev, struct i8042 *c)
{
	int level = c->count && (c->ram[0] & I8042_CTR_KBDINT);

	if (level && c->reloaded && dev->irq.level)
		irq_line_set(&dev->irq, 0);
	c->reloaded = false;
	if (level != dev->irq.level)
		irq_line_set(&dev->irq, level);
}

static void i8042_request_reset(struct device *dev)
{
	if (dev->host && dev->host->request_exit)
		dev->host->request_exit(dev->host, HOST_EXIT_RESET, 0);
}

static void i8042_write_output_port(struct device *dev, struct i8042 *c,
				    uint8_t value)
{
	c->output_port = value;
	if (!(value & I8042_OUT_RESET))
		i8042_request_reset(dev);
}

/* A byte written to the data port with no controller command pending. */
static void i8042_kbd_write(struct i8042 *c, uint8_t byte)
{
	uint8_t cmd = c->kbd_pending;

	c->kbd_pending = 0;
	if (cmd) {		/* the parameter of an earlier command */
		i8042_push(c, KBD_REPLY_ACK);
		if (cmd == KBD_CMD_SCANSET && byte == 0)
			i8042_push(c, (c->ram[0] & I8042_CTR_XLATE) ?
				   KBD_SCANSET_2_XLATED : KBD_SCANSET_2);
		return;
	}
	switch (byte) {
	case KBD_CMD_ECHO:
		i8042_push(c, KBD_CMD_ECHO);
		break;
	case KBD_CMD_GETID:
		i8042_push(c, KBD_REPLY_ACK);
		i8042_push(c, KBD_ID_1);
		i8042_push(c, KBD_ID_2);
		break;
	case KBD_CMD_RESET:
		i8042_push(c, KBD_REPLY_ACK);
		i8042_push(c, KBD_REPLY_BAT_OK);
		break;
	case KBD_CMD_SET_LEDS:
	case KBD_CMD_SCANSET:
	case KBD_CMD_TYPEMATIC:
		c->kbd_pending = byte;
		i8042_push(c, KBD_REPLY_ACK);
		break;
	default:
		i8042_push(c, KBD_REPLY_ACK);
		break;
	}
}

static void i8042_data_write(struct device *dev, struct i8042 *c,
			     uint8_t byte)
{
	uint8_t cmd = c->pending_cmd;

	c->pending_cmd = 0;
	c->status &= ~I8042_STR_CMDDAT;
	if (i8042_is_write_ram(cmd)) {
		c->ram[cmd - I8042_CMD_WRITE_RAM] = byte;
		c->status = (c->status & ~I8042_STR_SYS) |
			    (c->ram[0] & I8042_CTR_SYS);
		return;
	}
	switch (cmd) {
	case I8042_CMD_WRITE_OUTPUT:
		i8042_write_output_port(dev, c, byte);
		break;
	case I8042_CMD_WRITE_KBD_OUT:
	case I8042_CMD_WRITE_AUX_OUT:	/* no AUX: comes back as kbd data */
		i8042_push(c, byte);
		break;
	case I8042_CMD_WRITE_AUX:	/* no mouse behind it */
		break;
	default:
		i8042_kbd_write(c, byte);
		break;
	}
}

static void i8042_command(struct device *dev, struct i8042 *c, uint8_t cmd)
{
	c->status |= I8042_STR_CMDDAT;
	c->pending_cmd = 0;
	if (cmd >= I8042_CMD_READ_RAM && cmd < I8042_CMD_READ_RAM + I8042_RAM) {
		i8042_push(c, c->ram[cmd - I8042_CMD_READ_RAM]);
		return;
	}
	if (i8042_is_write_ram(cmd) || cmd == I8042_CMD_WRITE_OUTPUT || cmd == I8042_CMD_WRITE_KBD_OUT ||
	    cmd == I8042_CMD_WRITE_AUX_OUT || cmd == I8042_CMD_WRITE_AUX) {
		c->pending_cmd = cmd;
		return;
	}
	if (cmd >= I8042_CMD_PULSE) {
		if (!(cmd & I8042_OUT_RESET))
			i8042_request_reset(dev);
		return;
	}
	switch (cmd) {
	case I8042_CMD_AUX_DISABLE:
		c->ram[0] |= I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_ENABLE:
		c->ram[0] &= ~I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_TEST:
		i8042_push(c, I8042_PORT_CLOCK_STUCK);
		break;
	case I8042_CMD_SELF_TEST:
		c->status |= I8042_STR_SYS;
		i8042_push(c, I8042_SELF_TEST_OK);
		break;
	case I8042_CMD_KBD_TEST:
		i8042_push(c, I8042_PORT_TEST_OK);
		break;
	case I8042_CMD_KBD_DISABLE:
		c->ram[0] |= I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_KBD_ENABLE:
		c->ram[0] &= ~I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_READ_INPUT:
		i8042_push(c, I8042_INPUT_PORT);
		break;
	case I8042_CMD_READ_OUTPUT:
		i8042_push(c, c->output_port);
		break;
	case I8042_CMD_A20_OFF:
		c->output_port &= ~I8042_OUT_A20;
		break;
	case I8042_CMD_A20_ON:
		c->output_port |= I8042_OUT_A20;
		break;
	default:		/* unknown commands are ignored */
		break;
	}
}

static uint8_t i8042_read_byte(struct i8042 *c, uint64_t offset)
{
	uint8_t byte;

	switch (offset) {
	case I8042_DATA:
		if (!c->count)	/* empty: the last byte again */
			return c->queue[(c->head + I8042_QUEUE - 1) %
					I8042_QUEUE];
		byte = c->queue[c->head];
		c->head = (c->head + 1) % I8042_QUEUE;
		c->count--;
		c->reloaded = c->count;
		return byte;
	case I8042_COMMAND:
		return c->status | I8042_STR_KEYLOCK |
		       (c->count ? I8042_STR_OBF : 0);
	}
	return 0xff;
}

/*
 * Ctrl-Alt-Del as a keyboard sends it through the controller's
 * translation to set 1 (what Linux's atkbd sets up): Ctrl, Alt, Del
 * pressed, then released (the sequence Firecracker's i8042 sends).
 */
static const uint8_t i8042_ctrl_alt_del[] = {
	0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d,
};

static bool i8042_host_event(struct device *dev, enum host_event event)
{
	struct i8042 *c = dev->state;

	if (event != HOST_EVENT_CTRL_ALT_DEL)
		return false;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < sizeof(i8042_ctrl_alt_del); i++)
		i8042_push(c, i8042_ctrl_alt_del[i]);
	i8042_update_irq(dev, c);
	pthread_mutex_unlock(&c->lock);
	return true;
}

static void i8042_pio_read(struct device *dev, uint64_t offset, void *data,
			   unsigned len)
{
	struct i8042 *c = dev->state;

	/* Only the first byte cycle of a wide access is ours. */
	device_data_put(data, len, ~0ull);
	pthread_mutex_lock(&c->lock);
	*(uint8_t *)data = i8042_read_byte(c, offset);
	i8042_update_irq(dev, c);
	pthread_mutex_unlock(&c->lock);
}

static void i8042_pio_write(struct device *dev, uint64_t offset,
			    const void *data, unsigned len)
{
	struct i8042 *c = dev->state;
	uint8_t byte = *(const uint8_t *)data;

	pthread_mutex_lock(&c->lock);
	if (offset == I8042_DATA)
		i8042_data_write(dev, c, byte);
	else if (offset == I8042_COMMAND)
		i8042_command(dev, c, byte);
	i8042_update_irq(dev, c);
	pthread_mutex_unlock(&c->lock);
}

static void i8042_reset_state(struct i8042 *c)
{
	for (unsigned i = 0; i < I8042_RAM; i++)
		c->ram[i] = 0;
	c->ram[0] = I8042_CTR_DEFAULT;
	c->status = I8042_STR_SYS;
	c->output_port = I8042_OUT_DEFAULT;
	c->pending_cmd = c->kbd_pending = 0;
	c->head = c->count = 0;
}

static void i8042_reset(struct device *dev)
{
	struct i8042 *c = dev->state;

	pthread_mutex_lock(&c->lock);
	i8042_reset_state(c);
	i8042_update_irq(dev, c);
	pthread_mutex_unlock(&c->lock);
}

static int i8042_init(struct device *dev)
{
	struct i8042 *c = calloc(1, sizeof(*c));

	if (!c) {
		fprintf(stderr, "boardvm: %s: out of memory for i8042 state\n",
			dev->desc->name);
		return -ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	i8042_reset_state(c);
	dev->state = c;
	return 0;
}

static void i8042_destroy(struct device *dev)
{
	struct i8042 *c = dev->state;

	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
	dev->state = NULL;
}

static const char *i8042_reg_name(const struct device *dev, uint64_t offset,
				  bool is_write)
{
	if (offset == I8042_DATA)
		return "DATA";
	if (offset == I8042_COMMAND)
		return is_write ? "COMMAND" : "STATUS";
	return NULL;
}

const struct device_ops i8042_ops = {
	.init		= i8042_init,
	.reset		= i8042_reset,
	.destroy	= i8042_destroy,
	.pio_read	= i8042_pio_read,
	.pio_write	= i8042_pio_write,
	.host_event	= i8042_host_event,
	.reg_name	= i8042_reg_name,
};
