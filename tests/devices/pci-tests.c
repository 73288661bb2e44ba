// SPDX-License-Identifier: MIT
/*
 * PCI without KVM, on tests/devices/pci-board.yaml: enumeration through
 * the host bridge's mechanism #1, BAR sizing, BAR moves through the real
 * dispatch maps (vmm/pci-remap.c) with a recorder standing in for KVM's
 * ioeventfds, refused moves, decoding off, the capability list, INTx, and
 * the same config spaces through the ECAM window (MMIO).
 *
 * The PCI functions here are a fake model (fake_pci below) built on
 * devices/pci.c: it answers MMIO reads with the offset it was given, so a
 * test sees exactly where in the block an access landed.
 */
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "harness.h"
#include "pci-remap.h"

#define CFG_ADDR	0xcf8
#define CFG_DATA	0xcfc
#define WINDOW		0xc0000000ull
#define WINDOW_END	0xd0000000ull
#define RNG_SLOT	BOARD_RNG0_PCI_SLOT
#define BLK_SLOT	BOARD_BLK0_PCI_SLOT
#define BLK_HOME	BOARD_BLK0_MMIO_BASE
#define RNG_HOME	BOARD_RNG0_MMIO_BASE
#define BAR_SIZE	BOARD_BLK0_BAR_SIZE
#define FREE_BASE	0xc8000000ull	/* free in the window */
#define MSIX_PBA	0x3900
#define NOTIFY		0x3000
#define ECAM		BOARD_PCI_HOST_MMIO_BASE	/* 2 buses */

/* ---- the fake PCI model ---- */

struct fake_pci {
	struct pci_function fn;
	uint64_t last_offset;
	unsigned accesses;
	uint8_t vndr_cap, msix_cap;
};

static int fake_pci_init(struct device *dev)
{
	const struct device_type *t = dev->desc->type;
	struct pci_ids ids = {
		.vendor = t->pci_vendor, .device = t->pci_device,
		.class_code = t->pci_class, .revision = t->pci_revision,
		.subsystem_vendor = t->pci_vendor,
		.subsystem = t->pci_subsystem,
	};
	static const uint8_t vndr[14] = { 16, 1 };	/* cfg_len, cfg_type */
	static const uint8_t msix[10] = { 15, 0 };	/* 16 vectors */
	struct fake_pci *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	pci_function_init(&f->fn, dev, &ids, dev->desc->bar_size);
	f->vndr_cap = pci_add_capability(&f->fn, PCI_CAP_ID_VNDR, vndr,
					 sizeof(vndr));
	f->msix_cap = pci_add_capability(&f->fn, PCI_CAP_ID_MSIX, msix,
					 sizeof(msix));
	dev->state = f;
	return 0;
}

static void fake_pci_destroy(struct device *dev)
{
	free(dev->state);
	dev->state = NULL;
}

static void fake_pci_mmio_read(struct device *dev, uint64_t offset,
			       void *data, unsigned len)
{
	struct fake_pci *f = dev->state;

	f->last_offset = offset;
	f->accesses++;
	device_data_put(data, len, offset);
}

static void fake_pci_mmio_write(struct device *dev, uint64_t offset,
				const void *data, unsigned len)
{
	struct fake_pci *f = dev->state;

	f->last_offset = offset;
	f->accesses++;
}

static void fake_pci_cfg_read(struct device *dev, uint32_t offset,
			      void *data, unsigned len)
{
	pci_config_read(&((struct fake_pci *)dev->state)->fn, offset, data,
			len);
}

static void fake_pci_cfg_write(struct device *dev, uint32_t offset,
			       const void *data, unsigned len)
{
	pci_config_write(&((struct fake_pci *)dev->state)->fn, offset, data,
			 len);
}

#define FAKE_PCI_OPS {							\
	.init = fake_pci_init, .destroy = fake_pci_destroy,		\
	.mmio_read = fake_pci_mmio_read,				\
	.mmio_write = fake_pci_mmio_write,				\
	.pci_config_read = fake_pci_cfg_read,				\
	.pci_config_write = fake_pci_cfg_write,				\
}
const struct device_ops virtio_rng_pci_ops = FAKE_PCI_OPS;
const struct device_ops virtio_blk_pci_ops = FAKE_PCI_OPS;

static struct fake_pci *fake_of(unsigned index)
{
	return dev_by_index(index)->state;
}

/* ---- KVM stand-in: record the async moves ---- */

struct async_move {
	unsigned index;
	bool was, now;
	uint64_t old_addr, new_addr;
};

static struct async_move moves[256];
static unsigned nr_moves;

static int record_move(void *opaque, unsigned i, bool was, uint64_t old_addr,
		       bool now, uint64_t new_addr)
{
	if (nr_moves < 256)
		moves[nr_moves] = (struct async_move){ i, was, now, old_addr,
						       new_addr };
	nr_moves++;
	return 0;
}

/* ---- config space through 0xcf8/0xcfc ---- */

static uint32_t cfg_addr(unsigned bus, unsigned slot, unsigned fn,
			 unsigned reg)
{
	return 0x80000000u | bus << 16 | slot << 11 | fn << 8 | (reg & 0xfc);
}

static uint32_t cfg_read(unsigned slot, unsigned reg, unsigned len)
{
	outl(CFG_ADDR, cfg_addr(0, slot, 0, reg));
	return pio_in(CFG_DATA + (reg & 3), len);
}

/* As a vCPU does after each exit: KVM's doorbells follow the maps. */
static void cfg_write(unsigned slot, unsigned reg, uint32_t v, unsigned len)
{
	outl(CFG_ADDR, cfg_addr(0, slot, 0, reg));
	pio_out(CFG_DATA + (reg & 3), v, len);
	pci_remap_kvm_sync();
}

/* The ECAM address of bus/slot/function/register. */
static uint64_t ecam_addr(unsigned bus, unsigned slot, unsigned fn,
			  unsigned reg)
{
	return ECAM + ((uint64_t)bus << 20 | slot << 15 | fn << 12 | reg);
}

static void ecam_write(unsigned slot, unsigned reg, uint32_t v,
		       unsigned len)
{
	mmio_out(ecam_addr(0, slot, 0, reg), v, len);
	pci_remap_kvm_sync();
}

/* Every test starts with the BARs at home (the maps outlive a machine). */
static void pci_setup(void)
{
	pci_remap_reset();
	nr_moves = 0;
}

/* ---- tests ---- */

static void test_enumerate(void)
{
	pci_setup();
	CHECK_EQ(cfg_read(0, 0x00, 4), 0x12378086);
	CHECK_EQ(cfg_read(RNG_SLOT, 0x00, 4), 0x10441af4);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x00, 4), 0x10421af4);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x08, 4), 0x01800001);	/* class, rev */
	CHECK_EQ(cfg_read(RNG_SLOT, 0x08, 4) >> 8, 0x00ff00);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x0e, 1), 0);		/* type 0 */
	CHECK_EQ(cfg_read(BLK_SLOT, 0x2c, 4), 0x00021af4);	/* subsystem */
	CHECK_EQ(cfg_read(BLK_SLOT, 0x3d, 1), 1);		/* INTA# */
	CHECK_EQ(cfg_read(BLK_SLOT, 0x3c, 1), 5);		/* line: irq */
	CHECK_EQ(cfg_read(RNG_SLOT, 0x3d, 1), 0);		/* no irq */
	CHECK_EQ(cfg_read(BLK_SLOT, 0x10, 4), BLK_HOME);
	/* Narrow reads at any byte of the dword. */
	CHECK_EQ(cfg_read(BLK_SLOT, 0x02, 2), 0x1042);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x03, 1), 0x10);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x01, 2), 0x421a);
	/* Nothing else on bus 0, no function 1, no bus 1. */
	for (unsigned s = 0; s < 32; s++)
		if (s != 0 && s != RNG_SLOT && s != BLK_SLOT)
			CHECK_EQ(cfg_read(s, 0x00, 4), 0xffffffff);
	outl(CFG_ADDR, cfg_addr(0, BLK_SLOT, 1, 0));
	CHECK_EQ(inl(CFG_DATA), 0xffffffff);
	outl(CFG_ADDR, cfg_addr(1, BLK_SLOT, 0, 0));
	CHECK_EQ(inl(CFG_DATA), 0xffffffff);
	/* Read-only ids stay. */
	cfg_write(BLK_SLOT, 0x00, 0x12345678, 4);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x00, 4), 0x10421af4);
}

/* ECAM reads what mechanism #1 reads, at every size and byte. */
static void test_ecam_read(void)
{
	static const unsigned slots[] = { 0, RNG_SLOT, BLK_SLOT };

	pci_setup();
	for (unsigned i = 0; i < ARRAY_SIZE(slots); i++)
		for (unsigned reg = 0; reg < 0x40; reg++) {
			CHECK_EQ(mmio_in(ecam_addr(0, slots[i], 0, reg), 1),
				 cfg_read(slots[i], reg, 1));
			if (!(reg & 1))
				CHECK_EQ(mmio_in(ecam_addr(0, slots[i], 0,
							   reg), 2),
					 cfg_read(slots[i], reg, 2));
			if (!(reg & 3))
				CHECK_EQ(mmio_in(ecam_addr(0, slots[i], 0,
							   reg), 4),
					 cfg_read(slots[i], reg, 4));
		}
	CHECK_EQ(mmio_in(ecam_addr(0, 0, 0, 0), 4), 0x12378086);
	/* Eight bytes: two dwords, ids then command/status. */
	CHECK_EQ(mmio_in(ecam_addr(0, BLK_SLOT, 0, 0), 8),
		 (uint64_t)cfg_read(BLK_SLOT, 4, 4) << 32 | 0x10421af4);
	/* Nothing there: all-ones, on bus 0, function 1 and bus 1. */
	CHECK_EQ(mmio_in(ecam_addr(0, 7, 0, 0), 4), 0xffffffff);
	CHECK_EQ(mmio_in(ecam_addr(0, BLK_SLOT, 1, 0), 4), 0xffffffff);
	CHECK_EQ(mmio_in(ecam_addr(1, BLK_SLOT, 0, 0), 4), 0xffffffff);
	/* Extended space: 0 where a function is (no capabilities). */
	CHECK_EQ(mmio_in(ecam_addr(0, BLK_SLOT, 0, 0x100), 4), 0);
	CHECK_EQ(mmio_in(ecam_addr(0, 0, 0, 0xffc), 4), 0);
	CHECK_EQ(mmio_in(ecam_addr(0, 7, 0, 0x100), 4), 0xffffffff);
}

/* ECAM writes reach the same registers: size BAR0, move it, back. */
static void test_ecam_write(void)
{
	uint64_t base;

	pci_setup();
	ecam_write(BLK_SLOT, 0x04, 0, 2);		/* decoding off */
	CHECK_EQ(cfg_read(BLK_SLOT, 0x04, 2), 0);
	ecam_write(BLK_SLOT, 0x10, 0xffffffff, 4);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x10, 4), (uint32_t)~(BAR_SIZE - 1));
	ecam_write(BLK_SLOT, 0x10, FREE_BASE, 4);
	ecam_write(BLK_SLOT, 0x04, PCI_COMMAND_MEMORY, 2);
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
	CHECK_EQ(base, FREE_BASE);
	CHECK_EQ(mmio_in(FREE_BASE + MSIX_PBA, 4), MSIX_PBA);
	/* Read-only ids, extended space and absent functions ignore it. */
	ecam_write(BLK_SLOT, 0x00, 0x12345678, 4);
	ecam_write(BLK_SLOT, 0x100, 0x12345678, 4);
	ecam_write(7, 0x00, 0x12345678, 4);
	CHECK_EQ(mmio_in(ecam_addr(0, BLK_SLOT, 0, 0), 4), 0x10421af4);
	CHECK_EQ(mmio_in(ecam_addr(0, BLK_SLOT, 0, 0x100), 4), 0);
	CHECK_EQ(mmio_in(ecam_addr(0, 7, 0, 0), 4), 0xffffffff);
	ecam_write(BLK_SLOT, 0x10, BLK_HOME, 4);
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
	CHECK_EQ(base, BLK_HOME);
}

static void test_bar_sizing(void)
{
	uint64_t base;

	pci_setup();
	cfg_write(BLK_SLOT, 0x04, 0, 2);		/* decoding off */
	CHECK(!pci_remap_where(BOARD_DEV_BLK0, &base));
	cfg_write(BLK_SLOT, 0x10, 0xffffffff, 4);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x10, 4), (uint32_t)~(BAR_SIZE - 1));
	for (unsigned b = 1; b < 6; b++) {
		cfg_write(BLK_SLOT, 0x10 + 4 * b, 0xffffffff, 4);
		CHECK_EQ(cfg_read(BLK_SLOT, 0x10 + 4 * b, 4), 0);
	}
	cfg_write(BLK_SLOT, 0x10, BLK_HOME, 4);
	cfg_write(BLK_SLOT, 0x04, PCI_COMMAND_MEMORY, 2);
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
	CHECK_EQ(base, BLK_HOME);
	CHECK_EQ(mmio_in(BLK_HOME + MSIX_PBA, 4), MSIX_PBA);
	/* Sizing with decoding on unmaps quietly, restoring maps again. */
	stderr_begin();
	cfg_write(BLK_SLOT, 0x10, 0xffffffff, 4);
	CHECK(!strstr(stderr_end(), "refused"));
	CHECK(!pci_remap_where(BOARD_DEV_BLK0, &base));
	cfg_write(BLK_SLOT, 0x10, BLK_HOME, 4);
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
}

/*
 * The exit path remembers each context's last MMIO region: a BAR move
 * (the map's seqcount) must end that, both ways.
 */
static void test_bar_move_exit_path(void)
{
	struct fake_pci *blk;
	uint64_t unmapped;
	uint8_t data[8] = { 0 };

	pci_setup();
	blk = fake_of(BOARD_DEV_BLK0);
	dispatch_mmio_exit(&fake.ctx, BLK_HOME + 0x14, data, 4, true);
	CHECK_EQ(blk->last_offset, 0x14);
	cfg_write(BLK_SLOT, 0x10, FREE_BASE, 4);
	unmapped = fake.ctx.stats[0].exits;
	stderr_begin();
	dispatch_mmio_exit(&fake.ctx, BLK_HOME + 0x14, data, 4, false);
	stderr_end();
	CHECK_EQ(fake.ctx.stats[0].exits, unmapped + 1);
	CHECK_EQ(device_data_get(data, 4), 0xffffffff);
	/* Back home: the unmapped address remembered above is mapped again. */
	cfg_write(BLK_SLOT, 0x10, BLK_HOME, 4);
	dispatch_mmio_exit(&fake.ctx, BLK_HOME + 0x18, data, 4, false);
	CHECK_EQ(blk->last_offset, 0x18);
	dispatch_mmio_exit(&fake.ctx, BLK_HOME + 0x14, data, 4, false);
	CHECK_EQ(device_data_get(data, 4), 0x14);
	CHECK_EQ(fake.ctx.stats[0].exits, unmapped + 1);
}

static void test_bar_move(void)
{
	struct fake_pci *blk;
	uint64_t base;
	unsigned notifies = 0;

	pci_setup();
	blk = fake_of(BOARD_DEV_BLK0);
	cfg_write(BLK_SLOT, 0x10, FREE_BASE, 4);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x10, 4), FREE_BASE);
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
	CHECK_EQ(base, FREE_BASE);
	/* Every region at the new place, with offsets into the block. */
	CHECK_EQ(mmio_in(FREE_BASE + 0x14, 4), 0x14);
	CHECK_EQ(mmio_in(FREE_BASE + 0x1000, 4), 0x1000);
	CHECK_EQ(mmio_in(FREE_BASE + 0x2010, 1), 0x10);
	CHECK_EQ(mmio_in(FREE_BASE + 0x3804, 4), 0x3804);
	CHECK_EQ(mmio_in(FREE_BASE + MSIX_PBA, 8), MSIX_PBA);
	mmio_out(FREE_BASE + 0x14, 1, 4);
	CHECK_EQ(blk->last_offset, 0x14);
	/* The gaps of the block and the old place are unmapped. */
	stderr_begin();
	CHECK_EQ(mmio_in(FREE_BASE + 0x40, 4), 0xffffffff);
	CHECK_EQ(mmio_in(BLK_HOME + 0x14, 4), 0xffffffff);
	stderr_end();
	CHECK_EQ(dispatch_mmio_region(BLK_HOME) - board_regions, 0);
	CHECK_EQ(board_regions[dispatch_mmio_region(FREE_BASE + 0x1000) -
			       board_regions].device, BOARD_DEV_BLK0);
	/* The notify doorbells (32 of width 2) moved with it. */
	for (unsigned i = 0; i < nr_moves && i < 256; i++) {
		const struct board_async *a = &board_async[moves[i].index];

		CHECK_EQ(board_regions[a->region].device, BOARD_DEV_BLK0);
		CHECK(moves[i].was && moves[i].now);
		CHECK_EQ(moves[i].old_addr, a->addr);
		CHECK_EQ(moves[i].new_addr, a->addr - BLK_HOME + FREE_BASE);
		notifies += moves[i].new_addr == FREE_BASE + NOTIFY + 2 * 5;
	}
	CHECK_EQ(nr_moves, 0x40 / 2);
	CHECK_EQ(notifies, 1);
	/* The other function did not move. */
	CHECK_EQ(mmio_in(RNG_HOME + 0x1000, 4), 0x1000);
	/* And back home. */
	cfg_write(BLK_SLOT, 0x10, BLK_HOME, 4);
	CHECK_EQ(mmio_in(BLK_HOME + 0x2000, 4), 0x2000);
	stderr_begin();
	CHECK_EQ(mmio_in(FREE_BASE + 0x2000, 4), 0xffffffff);
	stderr_end();
}

/* A refused move: logged, the BAR reads back, nothing is mapped. */
static void refused(uint32_t to, const char *why)
{
	uint64_t base;
	const char *log;

	stderr_begin();
	cfg_write(BLK_SLOT, 0x10, to, 4);
	log = stderr_end();
	if (!strstr(log, "refused") || !strstr(log, why))
		test_fail(__FILE__, __LINE__, "move to 0x%x: log '%s' lacks "
			  "'%s'", to, log, why);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x10, 4), to);
	CHECK(!pci_remap_where(BOARD_DEV_BLK0, &base));
	stderr_begin();
	CHECK_EQ(mmio_in(BLK_HOME + 0x1000, 4), 0xffffffff);
	stderr_end();
}

static void test_bar_move_refused(void)
{
	uint64_t base;

	pci_setup();
	refused(RNG_HOME, "BAR0 of rng0");
	CHECK_EQ(mmio_in(RNG_HOME + 0x1000, 4), 0x1000);	/* rng0 intact */
	refused(BOARD_DB_MMIO_BASE & ~(BAR_SIZE - 1), "db.doorbell");
	refused(0x10000000, "outside");
	refused(WINDOW_END, "outside");
	/* The doorbell device still answers at its place. */
	CHECK(dispatch_mmio_region(BOARD_DB_MMIO_BASE) - board_regions != 0);
	/* A free address maps it again. */
	cfg_write(BLK_SLOT, 0x10, FREE_BASE, 4);
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
	CHECK_EQ(mmio_in(FREE_BASE + 0x1000, 4), 0x1000);
	/* rng0 may now take blk0's old home: it is free. */
	cfg_write(RNG_SLOT, 0x10, BLK_HOME, 4);
	CHECK(pci_remap_where(BOARD_DEV_RNG0, &base));
	CHECK_EQ(base, BLK_HOME);
	CHECK_EQ(mmio_in(BLK_HOME + 0x1000, 4), 0x1000);
	CHECK_EQ(board_regions[dispatch_mmio_region(BLK_HOME + 0x1000) -
			       board_regions].device, BOARD_DEV_RNG0);
}

static void test_decode_off(void)
{
	pci_setup();
	cfg_write(BLK_SLOT, 0x04, 0, 2);
	stderr_begin();
	CHECK_EQ(mmio_in(BLK_HOME + 0x1000, 4), 0xffffffff);
	stderr_end();
	CHECK_EQ(nr_moves, 0x40 / 2);		/* doorbells unassigned */
	CHECK(!moves[0].now);
	/* Moving while off maps nothing; turning it on maps the new place. */
	cfg_write(BLK_SLOT, 0x10, FREE_BASE, 4);
	stderr_begin();
	CHECK_EQ(mmio_in(FREE_BASE + 0x1000, 4), 0xffffffff);
	stderr_end();
	cfg_write(BLK_SLOT, 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x04, 2), 6);
	CHECK_EQ(mmio_in(FREE_BASE + 0x1000, 4), 0x1000);
}

static void test_capabilities(void)
{
	struct fake_pci *blk;
	unsigned at, n = 0;
	uint8_t ids[4] = { 0 };

	pci_setup();
	blk = fake_of(BOARD_DEV_BLK0);
	CHECK(cfg_read(BLK_SLOT, 0x06, 2) & PCI_STATUS_CAP_LIST);
	for (at = cfg_read(BLK_SLOT, 0x34, 1); at && n < 4;
	     at = cfg_read(BLK_SLOT, at + 1, 1)) {
		CHECK(at >= 0x40 && !(at & 3));
		ids[n++] = cfg_read(BLK_SLOT, at, 1);
	}
	CHECK_EQ(n, 2);
	CHECK_EQ(ids[0], PCI_CAP_ID_VNDR);
	CHECK_EQ(ids[1], PCI_CAP_ID_MSIX);
	CHECK_EQ(blk->vndr_cap, 0x40);
	CHECK_EQ(cfg_read(BLK_SLOT, blk->vndr_cap + 2, 2), 0x0110);
	CHECK_EQ(cfg_read(BLK_SLOT, blk->msix_cap + 2, 2), 15);
	/* Not writable unless the model says so. */
	cfg_write(BLK_SLOT, blk->msix_cap + 2, 0xc000, 2);
	CHECK_EQ(cfg_read(BLK_SLOT, blk->msix_cap + 2, 2), 15);
}

static void test_intx(void)
{
	struct fake_pci *blk;

	pci_setup();
	blk = fake_of(BOARD_DEV_BLK0);
	pci_set_intx(&blk->fn, 1);
	CHECK_EQ(fake.level[5], 1);
	CHECK(cfg_read(BLK_SLOT, 0x06, 1) & PCI_STATUS_INTERRUPT);
	cfg_write(BLK_SLOT, 0x04, PCI_COMMAND_MEMORY |
		  PCI_COMMAND_INTX_DISABLE, 2);
	CHECK_EQ(fake.level[5], 0);
	CHECK(cfg_read(BLK_SLOT, 0x06, 1) & PCI_STATUS_INTERRUPT);
	cfg_write(BLK_SLOT, 0x04, PCI_COMMAND_MEMORY, 2);
	CHECK_EQ(fake.level[5], 1);
	pci_set_intx(&blk->fn, 0);
	CHECK_EQ(fake.level[5], 0);
	CHECK(!(cfg_read(BLK_SLOT, 0x06, 1) & PCI_STATUS_INTERRUPT));
	/* The guest's interrupt line register is scratch. */
	cfg_write(BLK_SLOT, 0x3c, 11, 1);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x3c, 1), 11);
	CHECK_EQ(cfg_read(BLK_SLOT, 0x3d, 1), 1);
}

static void test_reset(void)
{
	uint64_t base;

	pci_setup();
	cfg_write(BLK_SLOT, 0x10, FREE_BASE, 4);
	cfg_write(RNG_SLOT, 0x04, 0, 2);
	pci_remap_reset();
	CHECK(pci_remap_where(BOARD_DEV_BLK0, &base));
	CHECK_EQ(base, BLK_HOME);
	CHECK(pci_remap_where(BOARD_DEV_RNG0, &base));
	CHECK_EQ(mmio_in(BLK_HOME + 0x1000, 4), 0x1000);
	CHECK_EQ(mmio_in(RNG_HOME + 0x1000, 4), 0x1000);
}

/*
 * KVM's doorbells move after the exit, outside every lock (a vCPU calls
 * pci_remap_kvm_sync() once the config write returned): the maps move at
 * once, the ioctls wait, and two moves before a sync go to KVM as one,
 * from home straight to the last place.
 */
static void test_bar_move_kvm_deferred(void)
{
	pci_setup();
	outl(CFG_ADDR, cfg_addr(0, BLK_SLOT, 0, 0x10));
	pio_out(CFG_DATA, FREE_BASE, 4);
	CHECK_EQ(mmio_in(FREE_BASE + 0x1000, 4), 0x1000);
	CHECK_EQ(nr_moves, 0);
	pio_out(CFG_DATA, FREE_BASE + BAR_SIZE, 4);
	CHECK_EQ(mmio_in(FREE_BASE + BAR_SIZE + 0x1000, 4), 0x1000);
	CHECK_EQ(nr_moves, 0);
	pci_remap_kvm_sync();
	CHECK_EQ(nr_moves, 0x40 / 2);
	for (unsigned i = 0; i < nr_moves && i < 256; i++) {
		const struct board_async *a = &board_async[moves[i].index];

		CHECK_EQ(moves[i].old_addr, a->addr);
		CHECK_EQ(moves[i].new_addr,
			 a->addr - BLK_HOME + FREE_BASE + BAR_SIZE);
	}
	pci_remap_kvm_sync();			/* nothing moved since */
	CHECK_EQ(nr_moves, 0x40 / 2);
	cfg_write(BLK_SLOT, 0x10, BLK_HOME, 4);
}

static const struct test tests[] = {
	{ "/devices/pci/enumerate", test_enumerate },
	{ "/devices/pci/bar_sizing", test_bar_sizing },
	{ "/devices/pci/bar_move", test_bar_move },
	{ "/devices/pci/bar_move_exit_path", test_bar_move_exit_path },
	{ "/devices/pci/bar_move_refused", test_bar_move_refused },
	{ "/devices/pci/bar_move_kvm_deferred", test_bar_move_kvm_deferred },
	{ "/devices/pci/decode_off", test_decode_off },
	{ "/devices/pci/capabilities", test_capabilities },
	{ "/devices/pci/intx", test_intx },
	{ "/devices/pci/reset", test_reset },
	{ "/devices/pci/ecam_read", test_ecam_read },
	{ "/devices/pci/ecam_write", test_ecam_write },
	{ NULL, NULL },
};

int main(void)
{
	static const struct pci_remap_kvm recorder = {
		.async_move = record_move,
	};

	harness_host()->pci_bar_update = pci_remap_bar_update;
	pci_remap_set_kvm(&recorder);
	return tests_run(tests);
}
