// SPDX-License-Identifier: MIT
/*
 * PCI host bridge, configuration mechanism #1: CONFIG_ADDRESS at +0
 * (0xcf8), CONFIG_DATA at +4 (0xcfc).
 *
 * CONFIG_ADDRESS is only a 32-bit register: narrower writes to it are
 * other I/O on a real chipset and are ignored here. CONFIG_DATA takes any
 * size at any byte offset (0xcfc-0xcff select the byte within the dword).
 * Bus 0 device 0 function 0 is the host bridge; function 0 of a slot the
 * board gives a PCI device (board_devices[].pci_slot) goes to that
 * device's pci_config_read/write (devices/pci.c does the header); every
 * other function reads all-ones and ignores writes, which is how a guest
 * sees "nothing there".
 *
 * ECAM (with the board's `mmio:`, the MCFG's window): the same config
 * spaces, at bus << 20 | devfn << 12 | register in the `ecam` region;
 * accesses of 1, 2 or 4 bytes inside one dword (an 8-byte one is taken
 * as two dwords). Registers 0x100-0xfff of a function that is there
 * read 0 (no extended capabilities: these are conventional PCI
 * functions) and ignore writes; a function that is not there reads
 * all-ones, as through CONFIG_DATA.
 *
 * Concurrency: CONFIG_ADDRESS and the config spaces are behind one mutex,
 * held across a device's config handler (which may move a BAR: the VMM's
 * remap lock nests inside this one).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board-tables.h"
#include "device.h"

/* Port offsets. */
#define PCI_CONFIG_ADDRESS	0
#define PCI_CONFIG_DATA		4
#define PCI_CONFIG_DATA_END	8

#define PCI_ADDR_ENABLE		0x80000000u
#define PCI_ADDR_BUS(a)		(((a) >> 16) & 0xff)
#define PCI_ADDR_DEVFN(a)	(((a) >> 8) & 0xff)
#define PCI_DEVFN_SLOT(f)	((f) >> 3)
#define PCI_DEVFN_FUNC(f)	((f) & 7)
#define PCI_NR_SLOTS		32
#define PCI_ADDR_REG(a)		((a) & 0xfc)
#define PCI_ADDR_MASK		0x80fffffcu	/* reserved bits read 0 */

/* ECAM offsets (PCI Express Base 4.0, 7.2.2). */
#define ECAM_BUS(o)		(((o) >> 20) & 0xff)
#define ECAM_DEVFN(o)		(((o) >> 12) & 0xff)
#define ECAM_REG(o)		((o) & 0xfff)

/* Configuration space header (type 0). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_HEADER_TYPE		0x0e
#define PCI_CONFIG_SIZE		256

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004

#define PCI_CLASS_BRIDGE_HOST	0x0600
#define PCI_HEADER_TYPE_NORMAL	0x00

/* The host bridge: Intel 440FX's identity, as QEMU's PC presents it. */
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_DEVICE	0x1237
#define HOST_BRIDGE_REVISION	0x02
#define HOST_BRIDGE_DEVFN	0x00

#define PCI_NR_DEVFN		256

struct bridge_config {
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];	/* bits the guest may write */
};

struct pci_host {
	pthread_mutex_t lock;
	uint32_t config_address;
	struct bridge_config *bus0[PCI_NR_DEVFN];	/* NULL: nothing there */
	struct bridge_config bridge;
	int slot_device[PCI_NR_SLOTS];	/* board_devices[] index, or -1 */
	struct device_host *host;	/* finds the instance of an index */
};

static void pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void pci_host_bridge_setup(struct bridge_config *fn)
{
	memset(fn, 0, sizeof(*fn));
	pci_put16(&fn->config[PCI_VENDOR_ID], HOST_BRIDGE_VENDOR);
	pci_put16(&fn->config[PCI_DEVICE_ID], HOST_BRIDGE_DEVICE);
	fn->config[PCI_REVISION_ID] = HOST_BRIDGE_REVISION;
	fn->config[PCI_CLASS_PROG] = 0x00;
	pci_put16(&fn->config[PCI_CLASS_DEVICE], PCI_CLASS_BRIDGE_HOST);
	fn->config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	pci_put16(&fn->config[PCI_COMMAND], PCI_COMMAND_MEMORY |
		  PCI_COMMAND_IO);
	pci_put16(&fn->wmask[PCI_COMMAND], PCI_COMMAND_IO |
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* A function's config space as an access names it: bus, devfn, register. */
struct pci_cfg_at {
	unsigned bus, devfn, reg;
};

/* CONFIG_ADDRESS's function and dword (bus 256: disabled, none). */
static struct pci_cfg_at pci_conf1_at(const struct pci_host *h)
{
	uint32_t a = h->config_address;

	return (struct pci_cfg_at){
		.bus = a & PCI_ADDR_ENABLE ? PCI_ADDR_BUS(a) : 256,
		.devfn = PCI_ADDR_DEVFN(a),
		.reg = PCI_ADDR_REG(a),
	};
}

/* The bridge's own function at `at`, or NULL (reads all-ones). */
static struct bridge_config *pci_selected(struct pci_host *h,
					  const struct pci_cfg_at *at)
{
	return at->bus == 0 ? h->bus0[at->devfn] : NULL;
}

/* Byte `i` after at->reg, i in 0..3. */
static uint8_t pci_data_read_byte(struct pci_host *h,
				  const struct pci_cfg_at *at, unsigned i)
{
	struct bridge_config *fn = pci_selected(h, at);

	return fn ? fn->config[at->reg + i] : 0xff;
}

static void pci_data_write_byte(struct pci_host *h,
				const struct pci_cfg_at *at, unsigned i,
				uint8_t v)
{
	struct bridge_config *fn = pci_selected(h, at);
	unsigned reg = at->reg + i;

	if (!fn)
		return;
	fn->config[reg] = (fn->config[reg] & ~fn->wmask[reg]) |
			  (v & fn->wmask[reg]);
}

/* The board's PCI device at `at` (function 0 of its slot), or NULL. */
static struct device *pci_selected_device(struct pci_host *h,
					  const struct pci_cfg_at *at)
{
	struct device *dev;
	int idx;

	if (at->bus != 0 || PCI_DEVFN_FUNC(at->devfn))
		return NULL;
	idx = h->slot_device[PCI_DEVFN_SLOT(at->devfn)];
	if (idx < 0 || !h->host || !h->host->device)
		return NULL;
	dev = h->host->device(h->host, idx);
	return dev && dev->ops && dev->ops->pci_config_read ? dev : NULL;
}

/* Bytes [i, i + len) after at->reg (a dword's), inside that dword. */
static void pci_data_read(struct pci_host *h, const struct pci_cfg_at *at,
			  unsigned i, uint8_t *p, unsigned len)
{
	struct device *dev = pci_selected_device(h, at);

	if (dev) {
		dev->ops->pci_config_read(dev, at->reg + i, p, len);
		return;
	}
	for (unsigned k = 0; k < len; k++)
		p[k] = pci_data_read_byte(h, at, i + k);
}

static void pci_data_write(struct pci_host *h, const struct pci_cfg_at *at,
			   unsigned i, const uint8_t *p, unsigned len)
{
	struct device *dev = pci_selected_device(h, at);

	if (dev) {
		if (dev->ops->pci_config_write)
			dev->ops->pci_config_write(dev, at->reg + i, p, len);
		return;
	}
	for (unsigned k = 0; k < len; k++)
		pci_data_write_byte(h, at, i + k, p[k]);
}

static void pci_host_pio_read(struct device *dev, uint64_t offset,
			      void *data, unsigned len)
{
	struct pci_host *h = dev->state;
	uint8_t *p = data;

	pthread_mutex_lock(&h->lock);
	for (unsigned i = 0; i < len; i++) {
		uint64_t at = offset + i;

		if (at < PCI_CONFIG_DATA)
			p[i] = h->config_address >> (8 * at);
		else
			p[i] = 0xff;
	}
	if (offset < PCI_CONFIG_DATA_END && offset + len > PCI_CONFIG_DATA) {
		unsigned from = offset > PCI_CONFIG_DATA ? offset :
			PCI_CONFIG_DATA;
		unsigned to = offset + len < PCI_CONFIG_DATA_END ?
			offset + len : PCI_CONFIG_DATA_END;

		struct pci_cfg_at at = pci_conf1_at(h);

		pci_data_read(h, &at, from - PCI_CONFIG_DATA,
			      p + (from - offset), to - from);
	}
	pthread_mutex_unlock(&h->lock);
}

static void pci_host_pio_write(struct device *dev, uint64_t offset,
			       const void *data, unsigned len)
{
	struct pci_host *h = dev->state;
	const uint8_t *p = data;

	pthread_mutex_lock(&h->lock);
	if (offset == PCI_CONFIG_ADDRESS && len == 4) {
		h->config_address = device_data_get(data, 4) & PCI_ADDR_MASK;
	} else if (offset >= PCI_CONFIG_DATA && offset < PCI_CONFIG_DATA_END) {
		unsigned to = offset + len < PCI_CONFIG_DATA_END ?
			offset + len : PCI_CONFIG_DATA_END;
		struct pci_cfg_at at = pci_conf1_at(h);

		pci_data_write(h, &at, offset - PCI_CONFIG_DATA, p,
			       to - offset);
	}
	pthread_mutex_unlock(&h->lock);
}

/* Is there a function at `at` (the bridge's own or a board device)? */
static bool pci_function_present(struct pci_host *h,
				 const struct pci_cfg_at *at)
{
	return pci_selected(h, at) || pci_selected_device(h, at);
}

/* The function and dword an ECAM offset names. */
static struct pci_cfg_at pci_ecam_at(uint64_t offset)
{
	return (struct pci_cfg_at){
		.bus = ECAM_BUS(offset),
		.devfn = ECAM_DEVFN(offset),
		.reg = ECAM_REG(offset) & ~3u,
	};
}

/* Bytes of one dword's access: [offset, offset + len) in one dword. */
static void pci_ecam_read_dword(struct pci_host *h, uint64_t offset,
				uint8_t *p, unsigned len)
{
	struct pci_cfg_at at = pci_ecam_at(offset);

	if (at.reg >= PCI_CONFIG_SIZE)
		memset(p, pci_function_present(h, &at) ? 0 : 0xff, len);
	else
		pci_data_read(h, &at, offset & 3, p, len);
}

static void pci_ecam_write_dword(struct pci_host *h, uint64_t offset,
				 const uint8_t *p, unsigned len)
{
	struct pci_cfg_at at = pci_ecam_at(offset);

	if (at.reg < PCI_CONFIG_SIZE)
		pci_data_write(h, &at, offset & 3, p, len);
}

/* Bytes left in the dword `offset` is in, at most `len`. */
static unsigned dword_part(uint64_t offset, unsigned len)
{
	unsigned n = 4 - (offset & 3);

	return n < len ? n : len;
}

static void pci_host_mmio_read(struct device *dev, uint64_t offset,
			       void *data, unsigned len)
{
	struct pci_host *h = dev->state;
	uint8_t *p = data;

	pthread_mutex_lock(&h->lock);
	for (unsigned done = 0, n; done < len; done += n) {
		n = dword_part(offset + done, len - done);
		pci_ecam_read_dword(h, offset + done, p + done, n);
	}
	pthread_mutex_unlock(&h->lock);
}

static void pci_host_mmio_write(struct device *dev, uint64_t offset,
				const void *data, unsigned len)
{
	struct pci_host *h = dev->state;
	const uint8_t *p = data;

	pthread_mutex_lock(&h->lock);
	for (unsigned done = 0, n; done < len; done += n) {
		n = dword_part(offset + done, len - done);
		pci_ecam_write_dword(h, offset + done, p + done, n);
	}
	pthread_mutex_unlock(&h->lock);
}

static void pci_host_reset(struct device *dev)
{
	struct pci_host *h = dev->state;

	pthread_mutex_lock(&h->lock);
	h->config_address = 0;
	pci_host_bridge_setup(&h->bridge);
	pthread_mutex_unlock(&h->lock);
}

static int pci_host_init(struct device *dev)
{
	struct pci_host *h = calloc(1, sizeof(*h));

	if (!h) {
		fprintf(stderr, "boardvm: %s: out of memory for pci-host state\n",
			dev->desc->name);
		return -ENOMEM;
	}
	pthread_mutex_init(&h->lock, NULL);
	pci_host_bridge_setup(&h->bridge);
	h->host = dev->host;
	h->bus0[HOST_BRIDGE_DEVFN] = &h->bridge;
	for (unsigned s = 0; s < PCI_NR_SLOTS; s++)
		h->slot_device[s] = -1;
	/* Devices are created after this one maybe: look them up by index. */
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		int slot = board_devices[i].pci_slot;

		if (slot > 0 && slot < PCI_NR_SLOTS)
			h->slot_device[slot] = i;
	}
	dev->state = h;
	return 0;
}

static void pci_host_destroy(struct device *dev)
{
	struct pci_host *h = dev->state;

	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h);
	dev->state = NULL;
}

const struct device_ops pci_host_ops = {
	.init		= pci_host_init,
	.reset		= pci_host_reset,
	.destroy	= pci_host_destroy,
	.pio_read	= pci_host_pio_read,
	.pio_write	= pci_host_pio_write,
	.mmio_read	= pci_host_mmio_read,
	.mmio_write	= pci_host_mmio_write,
};
