// SPDX-License-Identifier: MIT
/*
 * A PCI function's type-0 configuration header (devices/pci.h).
 *
 * The config image is little-endian bytes; `wmask` says which bits a
 * guest write may change, byte by byte, so 1-, 2- and 4-byte accesses at
 * any offset within a dword all behave the same. The BARs are not in the
 * write mask: a BAR dword is assembled from the bytes written and then
 * masked to its size (the low bits read back 0), which is what makes the
 * sizing protocol work: write all-ones, read back ~(size - 1) with the
 * type bits (0: 32-bit, memory, not prefetchable).
 *
 * After every write, BAR0's mapping is what the VMM should see: decoding
 * on (COMMAND.MEMORY) and a base that is not the sizing pattern means
 * "map it at base", anything else "unmap it". A change is reported through
 * host->pci_bar_update(); a refused move leaves the BAR unmapped (it
 * still reads back what the guest wrote) until the guest writes again.
 *
 * INTx: the device calls pci_set_intx(); the level is kept in
 * STATUS.INTERRUPT and reaches the line unless COMMAND.INTX_DISABLE is set
 * (toggling that bit re-evaluates the line).
 *
 * Locking: callers serialise config accesses (pci-host holds its lock);
 * pci_set_intx() may run on another thread and only touches the status
 * byte and the irq line.
 */
#include <string.h>

#include "board-tables.h"
#include "pci.h"

#define PCI_BAR_END		(PCI_BAR0 + 4 * PCI_NR_BARS)
#define PCI_BAR_MEM_MASK	0xfffffff0u
#define PCI_CAP_FIRST		0x40
#define PCI_STATUS_LO		PCI_STATUS

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

void pci_function_init(struct pci_function *fn, struct device *dev,
		       const struct pci_ids *ids, uint64_t bar0_size)
{
	uint8_t *c = fn->config;

	memset(fn, 0, sizeof(*fn));
	fn->dev = dev;
	put16(&c[PCI_VENDOR_ID], ids->vendor);
	put16(&c[PCI_DEVICE_ID], ids->device);
	c[PCI_REVISION_ID] = ids->revision;
	c[PCI_CLASS_PROG] = ids->class_code;
	c[PCI_CLASS_PROG + 1] = ids->class_code >> 8;
	c[PCI_CLASS_PROG + 2] = ids->class_code >> 16;
	c[PCI_HEADER_TYPE] = 0;
	put16(&c[PCI_SUBSYSTEM_VENDOR_ID], ids->subsystem_vendor);
	put16(&c[PCI_SUBSYSTEM_ID], ids->subsystem);
	put16(&c[PCI_COMMAND], PCI_COMMAND_MEMORY);
	put16(&fn->wmask[PCI_COMMAND], PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	/* Interrupt line: scratch for the guest; firmware writes the irq. */
	fn->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if (dev && dev->desc && dev->desc->irq >= 0) {
		c[PCI_INTERRUPT_LINE] = dev->desc->irq;
		c[PCI_INTERRUPT_PIN] = 1;		/* INTA# */
	} else {
		c[PCI_INTERRUPT_LINE] = 0xff;
	}
	if (bar0_size) {
		uint64_t base = dev && dev->desc ? dev->desc->mmio_base : 0;

		fn->bar_size[0] = bar0_size;
		fn->bar_base[0] = base;
		fn->bar_live[0] = true;		/* where boardc put it */
		put32(&c[PCI_BAR0], base & PCI_BAR_MEM_MASK);
	}
	fn->cap_end = PCI_CAP_FIRST;
}

uint8_t pci_add_capability(struct pci_function *fn, uint8_t id,
			   const void *body, uint8_t body_len)
{
	unsigned off = (fn->cap_end + 3u) & ~3u;

	if (off < PCI_CAP_FIRST || off + 2u + body_len > PCI_CONFIG_SIZE)
		return 0;
	fn->config[off] = id;
	fn->config[off + 1] = 0;
	if (body_len)
		memcpy(&fn->config[off + 2], body, body_len);
	if (fn->last_cap)
		fn->config[fn->last_cap + 1] = off;
	else
		fn->config[PCI_CAPABILITY_LIST] = off;
	fn->config[PCI_STATUS_LO] |= PCI_STATUS_CAP_LIST;
	fn->last_cap = off;
	fn->cap_end = off + 2 + body_len;
	return off;
}

void pci_config_read(struct pci_function *fn, uint32_t offset, void *data,
		     unsigned len)
{
	uint8_t *p = data;

	for (unsigned i = 0; i < len; i++)
		p[i] = offset + i < PCI_CONFIG_SIZE ?
		       __atomic_load_n(&fn->config[offset + i],
				       __ATOMIC_RELAXED) : 0xff;
}

/* The value a BAR dword keeps: its size's low bits cleared, type bits 0. */
static uint32_t bar_masked(const struct pci_function *fn, unsigned bar,
			   uint32_t v)
{
	uint64_t size = fn->bar_size[bar];

	if (!size)
		return 0;			/* not implemented: reads 0 */
	return v & PCI_BAR_MEM_MASK & ~(uint32_t)(size - 1);
}

/* Decoding and BAR0 as the guest left them; tell the VMM what changed. */
static void pci_bar_sync(struct pci_function *fn, unsigned bar)
{
	struct device *dev = fn->dev;
	struct device_host *host = dev ? dev->host : NULL;
	uint64_t size = fn->bar_size[bar];
	uint32_t reg = get32(&fn->config[PCI_BAR0 + 4 * bar]);
	uint64_t base = reg & PCI_BAR_MEM_MASK;
	bool want = (get16(&fn->config[PCI_COMMAND]) & PCI_COMMAND_MEMORY) &&
		    size && base != (PCI_BAR_MEM_MASK & ~(uint32_t)(size - 1));

	if (!size || (want == fn->bar_live[bar] &&
		      (!want || base == fn->bar_base[bar])))
		return;
	fn->bar_base[bar] = base;
	if (host && host->pci_bar_update)
		fn->bar_live[bar] = host->pci_bar_update(host, dev, bar, base,
							 want) == 0 && want;
	else
		fn->bar_live[bar] = want;
}

static void pci_intx_sync(struct pci_function *fn)
{
	struct device *dev = fn->dev;
	bool pending = __atomic_load_n(&fn->config[PCI_STATUS_LO],
				       __ATOMIC_RELAXED) & PCI_STATUS_INTERRUPT;
	bool disabled = get16(&fn->config[PCI_COMMAND]) &
			PCI_COMMAND_INTX_DISABLE;

	if (dev && fn->config[PCI_INTERRUPT_PIN])
		irq_line_set(&dev->irq, pending && !disabled);
}

void pci_config_write(struct pci_function *fn, uint32_t offset,
		      const void *data, unsigned len)
{
	uint16_t old_cmd = get16(&fn->config[PCI_COMMAND]);
	const uint8_t *p = data;
	bool bars = false;

	for (unsigned i = 0; i < len; i++) {
		uint32_t at = offset + i;
		uint8_t m;

		if (at >= PCI_CONFIG_SIZE)
			break;
		if (at >= PCI_BAR0 && at < PCI_BAR_END) {
			fn->config[at] = p[i];	/* masked per dword below */
			bars = true;
			continue;
		}
		m = fn->wmask[at];
		__atomic_store_n(&fn->config[at], (fn->config[at] & ~m) |
				 (p[i] & m), __ATOMIC_RELAXED);
	}
	if (bars)
		for (unsigned b = 0; b < PCI_NR_BARS; b++) {
			uint8_t *r = &fn->config[PCI_BAR0 + 4 * b];

			put32(r, bar_masked(fn, b, get32(r)));
		}
	if ((old_cmd ^ get16(&fn->config[PCI_COMMAND])) &
	    PCI_COMMAND_INTX_DISABLE)
		pci_intx_sync(fn);
	pci_bar_sync(fn, 0);
}

void pci_set_intx(struct pci_function *fn, int level)
{
	if (level)
		__atomic_fetch_or(&fn->config[PCI_STATUS_LO],
				  PCI_STATUS_INTERRUPT, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&fn->config[PCI_STATUS_LO],
				   (uint8_t)~PCI_STATUS_INTERRUPT,
				   __ATOMIC_RELAXED);
	pci_intx_sync(fn);
}
