// SPDX-License-Identifier: MIT
/*
 * A hostile guest (pc board): random sizes and values written to and read
 * from every port 0..0xffff, more of them aimed at the board's devices,
 * then random accesses across the PCI MMIO window (where the doorbell
 * devices and, once the guest programs them, PCI BARs live). Afterwards
 * the devices must still work: the i8042 passes its self-test, a doorbell
 * keeps its scratch register, COM1 prints and debug-exit exits.
 *
 * Left alone, because they legitimately end or blind the VM:
 *   - debug-exit (any write exits the VMM with that value);
 *   - the i8042 reset line: commands 0xf0-0xfe with bit 0 clear pulse it,
 *     and 0xd1 (write output port) lets the next data byte clear it;
 *   - COM1, the console: writes would print garbage or loop it back;
 *   - the in-kernel LAPIC and IOAPIC pages: an ICR write can INIT this
 *     very vCPU (KVM's business, not the VMM's);
 *   - guest RAM, this program's own code and stack.
 * Interrupts stay off, so whatever the PIC, PIT or devices raise is never
 * taken. The sequence is a fixed xorshift, so a failure replays.
 */
#include "guest.h"

#ifndef BOARD_PCI_HOST_PIO_BASE
#error "hostile.c is written for the pc board (boards/pc.yaml)"
#endif

/* boards/pc.yaml: mmio-windows: pci. */
#define PCI_WINDOW_BASE		0xc0000000u
#define PCI_WINDOW_SIZE		0x3ec00000u
/* Most of the window is empty: aim half the accesses at its first pages. */
#define PCI_WINDOW_HOT		0x10000u

#define NR_DEVICE_ACCESSES	2048
#define NR_MMIO_ACCESSES	4096

#define KBD_DATA		BOARD_KBD_PIO_BASE
#define KBD_COMMAND		(BOARD_KBD_PIO_BASE + 4)
#define KBD_STATUS_OBF		0x01
#define KBD_CMD_WRITE_OUTPUT	0xd1
#define KBD_CMD_PULSE		0xf0
#define KBD_CMD_SELF_TEST	0xaa
#define KBD_SELF_TEST_OK	0x55

#define DOORBELL_SCRATCH	0x0c

static uint32_t rng_state = 0x2545f491;

static uint32_t rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static const uint16_t device_ports[] = {
	BOARD_PIC_PIO_BASE, BOARD_PIT_PIO_BASE, BOARD_KBD_PIO_BASE,
	BOARD_RTC_PIO_BASE, BOARD_POST_PIO_BASE, BOARD_COM2_PIO_BASE,
	BOARD_COM3_PIO_BASE, BOARD_COM4_PIO_BASE, BOARD_PCI_HOST_PIO_BASE,
};

static unsigned port_writes, port_reads, mmio_accesses;

/* The value to write to `port`, or false for a port left alone. */
static bool port_value(uint16_t port, uint32_t *value)
{
	if (port == BOARD_DEBUG_EXIT_PIO_BASE)
		return false;
	if (port >= BOARD_COM1_PIO_BASE && port < BOARD_COM1_PIO_BASE + 8)
		return false;
	if (port == KBD_COMMAND) {
		uint8_t cmd = *value;

		if (cmd == KBD_CMD_WRITE_OUTPUT)
			cmd = KBD_CMD_SELF_TEST;
		if (cmd >= KBD_CMD_PULSE)
			cmd |= 1;		/* bit 0 set: no reset pulse */
		*value = (*value & ~0xffu) | cmd;
	}
	return true;
}

static void port_poke(uint16_t port)
{
	uint32_t value = rng(), how = rng();

	if (port_value(port, &value)) {
		switch (how & 3) {
		case 0:
		case 1:
			outb(port, value);
			break;
		case 2:
			outw(port, value);
			break;
		case 3:
			outl(port, value);
			break;
		}
		port_writes++;
	}
	switch ((how >> 2) & 3) {
	case 0:
	case 1:
		(void)inb(port);
		break;
	case 2:
		(void)inw(port);
		break;
	case 3:
		(void)inl(port);
		break;
	}
	port_reads++;
}

static void mmio_poke(void)
{
	uint32_t how = rng(), value = rng();
	uint32_t span = (how & 1) ? PCI_WINDOW_HOT : PCI_WINDOW_SIZE;
	uint32_t addr = PCI_WINDOW_BASE + rng() % span;
	unsigned size = 1u << ((how >> 1) & 3);

	addr &= ~(size - 1);			/* no access across a page */
	if (how & 0x10) {
		switch (size) {
		case 1: mmio_write8(addr, value); break;
		case 2: mmio_write16(addr, value); break;
		case 4: mmio_write32(addr, value); break;
		case 8: mmio_write64(addr, ((uint64_t)rng() << 32) | value);
			break;
		}
	} else {
		switch (size) {
		case 1: (void)mmio_read8(addr); break;
		case 2: (void)mmio_read16(addr); break;
		case 4: (void)mmio_read32(addr); break;
		case 8: (void)mmio_read64(addr); break;
		}
	}
	mmio_accesses++;
}

static void i8042_check(void)
{
	unsigned n;

	/* Whatever the fuzzing queued, then a command that cancels any. */
	for (n = 0; n < 64 && (inb(KBD_COMMAND) & KBD_STATUS_OBF); n++)
		(void)inb(KBD_DATA);
	outb(KBD_COMMAND, KBD_CMD_SELF_TEST);
	GUEST_ASSERT(inb(KBD_COMMAND) & KBD_STATUS_OBF);
	GUEST_ASSERT_EQ(inb(KBD_DATA), KBD_SELF_TEST_OK);
}

static void doorbell_check(void)
{
	uint32_t scratch = BOARD_DOORBELL0_MMIO_BASE + DOORBELL_SCRATCH;

	mmio_write32(scratch, 0x600dcafe);
	GUEST_ASSERT_EQ(mmio_read32(scratch), 0x600dcafe);
}

int guest_main(void)
{
	for (uint32_t port = 0; port <= 0xffff; port++)
		port_poke(port);
	for (unsigned i = 0; i < NR_DEVICE_ACCESSES; i++)
		port_poke(device_ports[rng() % (sizeof(device_ports) /
					sizeof(device_ports[0]))] + rng() % 8);
	for (unsigned i = 0; i < NR_MMIO_ACCESSES; i++)
		mmio_poke();
	i8042_check();
	doorbell_check();
	guest_puts("hostile: ");
	guest_put_dec(port_writes);
	guest_puts(" port writes, ");
	guest_put_dec(port_reads);
	guest_puts(" port reads, ");
	guest_put_dec(mmio_accesses);
	guest_puts(" mmio accesses; devices still answer\n");
	return GUEST_EXIT_PASS;
}
