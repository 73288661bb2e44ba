// SPDX-License-Identifier: MIT
/*
 * PCI from the guest: configuration mechanism #1 (CONFIG_ADDRESS at the
 * board's pci-host base, CONFIG_DATA 4 ports above), bus 0 enumeration,
 * the capability list, BAR sizing and programming.
 */
#include "virtio.h"

#define PCI_CONFIG_ADDRESS	(BOARD_PCI_HOST_PIO_BASE + 0)
#define PCI_CONFIG_DATA		(BOARD_PCI_HOST_PIO_BASE + 4)
#define PCI_ADDR_ENABLE		0x80000000u
#define PCI_NR_DEVS		32
#define PCI_NR_FNS		8
#define PCI_HEADER_MULTIFN	0x80
#define PCI_CAP_MAX		48	/* a looping list ends here */

static void pci_select(const struct pci_fn *f, uint8_t off)
{
	outl(PCI_CONFIG_ADDRESS, PCI_ADDR_ENABLE | (uint32_t)f->dev << 11 |
	     (uint32_t)f->fn << 8 | (off & 0xfc));
}

uint32_t pci_read32(const struct pci_fn *f, uint8_t off)
{
	pci_select(f, off);
	return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(const struct pci_fn *f, uint8_t off)
{
	pci_select(f, off);
	return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(const struct pci_fn *f, uint8_t off)
{
	pci_select(f, off);
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(const struct pci_fn *f, uint8_t off, uint32_t v)
{
	pci_select(f, off);
	outl(PCI_CONFIG_DATA, v);
}

void pci_write16(const struct pci_fn *f, uint8_t off, uint16_t v)
{
	pci_select(f, off);
	outw(PCI_CONFIG_DATA + (off & 2), v);
}

void pci_write8(const struct pci_fn *f, uint8_t off, uint8_t v)
{
	pci_select(f, off);
	outb(PCI_CONFIG_DATA + (off & 3), v);
}

/* Visit every present function on bus 0; stop when visit() says so. */
static bool pci_scan(bool (*visit)(const struct pci_fn *f, void *arg),
		     void *arg)
{
	for (unsigned dev = 0; dev < PCI_NR_DEVS; dev++) {
		for (unsigned fn = 0; fn < PCI_NR_FNS; fn++) {
			struct pci_fn f = { .dev = dev, .fn = fn };
			uint32_t id = pci_read32(&f, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;	/* no device: no functions */
				continue;
			}
			f.vendor = id & 0xffff;
			f.device = id >> 16;
			if (visit(&f, arg))
				return true;
			if (fn == 0 && !(pci_read8(&f, PCI_HEADER_TYPE) &
					 PCI_HEADER_MULTIFN))
				break;
		}
	}
	return false;
}

struct pci_find_arg {
	uint16_t vendor;
	uint16_t device;
	unsigned left;
	struct pci_fn *out;
};

static bool pci_find_visit(const struct pci_fn *f, void *arg)
{
	struct pci_find_arg *a = arg;

	if (f->vendor != a->vendor || f->device != a->device)
		return false;
	if (a->left--)
		return false;
	*a->out = *f;
	return true;
}

bool pci_find(uint16_t vendor, uint16_t device, unsigned nth,
	      struct pci_fn *out)
{
	struct pci_find_arg a = { vendor, device, nth, out };

	return pci_scan(pci_find_visit, &a);
}

uint8_t pci_find_cap(const struct pci_fn *f, uint8_t id, uint8_t from)
{
	uint8_t at;

	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	at = from ? pci_read8(f, from + 1) : pci_read8(f, PCI_CAPABILITY_LIST);
	for (int n = 0; at >= 0x40 && n < PCI_CAP_MAX; n++) {
		at &= 0xfc;
		if (pci_read8(f, at) == id)
			return at;
		at = pci_read8(f, at + 1);
	}
	return 0;
}

uint32_t pci_bar_size(const struct pci_fn *f, unsigned bar)
{
	uint8_t off = PCI_BAR0 + 4 * bar;
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	uint32_t old, mask;

	pci_write16(f, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	old = pci_read32(f, off);
	pci_write32(f, off, 0xffffffff);
	mask = pci_read32(f, off);
	pci_write32(f, off, old);
	pci_write16(f, PCI_COMMAND, cmd);
	if (mask == 0 || mask == 0xffffffff || (mask & PCI_BAR_IO))
		return 0;
	return ~(mask & PCI_BAR_MEM_MASK) + 1;
}

uint32_t pci_bar_base(const struct pci_fn *f, unsigned bar)
{
	return pci_read32(f, PCI_BAR0 + 4 * bar) & PCI_BAR_MEM_MASK;
}

void pci_bar_set(const struct pci_fn *f, unsigned bar, uint32_t base)
{
	uint16_t cmd = pci_read16(f, PCI_COMMAND);

	pci_write16(f, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	pci_write32(f, PCI_BAR0 + 4 * bar, base);
	pci_write16(f, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);
}

/* Memory BARs only (not sized: programmed base + size by sizing). */
static bool pci_bars_end_visit(const struct pci_fn *f, void *arg)
{
	uint32_t *end = arg;

	for (unsigned bar = 0; bar < 6; bar++) {
		uint32_t v = pci_read32(f, PCI_BAR0 + 4 * bar);
		uint32_t size;

		if (v & PCI_BAR_IO)
			continue;
		size = pci_bar_size(f, bar);
		if (size && (v & PCI_BAR_MEM_MASK) + size > *end)
			*end = (v & PCI_BAR_MEM_MASK) + size;
		if ((v & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_64)
			bar++;
	}
	return false;
}

uint32_t pci_bars_end(void)
{
	uint32_t end = 0;

	pci_scan(pci_bars_end_visit, &end);
	return end;
}
