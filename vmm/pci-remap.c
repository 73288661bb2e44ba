// SPDX-License-Identifier: MIT
/*
 * PCI BAR moves (vmm/pci-remap.h, docs/pci.md).
 *
 * boardc puts each PCI device's BAR0 (its MMIO block, a power of two of
 * at least 16 KiB here, naturally aligned) in a relocatable MMIO window;
 * the generated page map of that window holds the BAR's pages at that
 * home. The first use saves those page entries per device. A move then
 * clears the entries at the old place and writes the saved ones at the
 * new place: the entries are page-relative (a shared page's entry names a
 * sub-page map indexed by the offset within the page), so they stay right
 * wherever a page-aligned BAR goes. dispatch_mmio_delta[] tells the
 * lookup how far the device moved, for the bounds check and the offset.
 *
 * Atomicity for all vCPUs without a lock on the exit path: the writer
 * (serialised by `lock`) makes dispatch_map_seq odd, rewrites the entries
 * and the delta with relaxed atomic stores, and makes it even again with
 * a release store (a release fence after the first increment orders it
 * before the entries). Lookups retry while the count is odd or changed
 * (vmm/dispatch.c), so they never mix an old entry with a new delta.
 *
 * KVM: ioeventfds and coalesced zones of the device follow the BAR through
 * the hook the VMM sets (deassign at the old address, assign at the new);
 * an unmapped BAR has none. Those ioctls are slow (each KVM_IOEVENTFD
 * waits for an SRCU grace period: milliseconds with 2+ vCPUs running, a
 * quarter of a second for a virtio BAR's 32 doorbells), so they never run
 * under a lock a vCPU's exit takes: a move changes the maps and marks KVM
 * out of date; pci_remap_kvm_sync(), which the vCPU calls once its exit
 * is handled (no device or PCI lock held, before it enters the guest
 * again), brings KVM's registrations to where the maps are, under a lock
 * of its own. Moves in between coalesce: KVM goes straight to the last
 * place. Until then a doorbell at the new address exits and is served
 * as a sync write, exactly as one whose ioeventfd KVM refused.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "board.h"
#include "dispatch.h"
#include "pci-remap.h"
#include "ratelimit.h"


struct bar_state {
	bool pci;			/* a PCI device with a BAR in a window */
	bool mapped;
	uint64_t home;			/* where boardc put it */
	uint64_t base;			/* where it is mapped now */
	uint64_t size;
	BOARD_INDEX_TYPE *saved;	/* its page entries at home */
	/* Where KVM has its doorbells: only pci_remap_kvm_sync() moves them. */
	bool kvm_mapped;
	uint64_t kvm_base;
	struct ratelimit log;		/* refused or failed moves */
	char log_name[48];		/* "blk0 BAR0" */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t kvm_lock = PTHREAD_MUTEX_INITIALIZER;
/* atomic: a move since the last sync (pci-remap.h tests it inline) */
unsigned pci_remap_kvm_out_of_date;
static struct bar_state bars[BOARD_NR_DEVICES + 1];
static bool ready;
static struct pci_remap_kvm kvm_hook;

static const unsigned nr_windows = BOARD_NR_MMIO_WINDOWS;

void pci_remap_set_kvm(const struct pci_remap_kvm *kvm)
{
	pthread_mutex_lock(&lock);
	if (kvm)
		kvm_hook = *kvm;
	else
		kvm_hook = (struct pci_remap_kvm){ 0 };
	pthread_mutex_unlock(&lock);
}

/* The relocatable window holding [base, base + size), or NULL. */
static struct board_mmio_window *window_of(uint64_t base, uint64_t size)
{
	for (unsigned w = 0; w < nr_windows; w++) {
		struct board_mmio_window *win = &board_mmio_windows[w];

		if (win->relocatable && base >= win->base &&
		    base - win->base < win->size &&
		    size <= win->size - (base - win->base))
			return win;
	}
	return NULL;
}

static BOARD_INDEX_TYPE *page_entry(uint64_t addr)
{
	struct board_mmio_window *win = window_of(addr, MACHINE_PAGE_SIZE);

	return win ? &win->pages[(addr - win->base) >> MACHINE_PAGE_SHIFT] : NULL;
}

/* First use: save each BAR's home page entries. Called with `lock` held. */
static void remap_prepare(void)
{
	if (ready)
		return;
	ready = true;
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct board_device *d = &board_devices[i];
		struct bar_state *b = &bars[i];
		uint64_t pages = d->bar_size >> MACHINE_PAGE_SHIFT;

		if (d->pci_slot < 0 || !d->has_mmio || !pages ||
		    (d->mmio_base | d->bar_size) & (MACHINE_PAGE_SIZE - 1) ||
		    !window_of(d->mmio_base, d->bar_size))
			continue;
		snprintf(b->log_name, sizeof(b->log_name), "%s BAR0", d->name);
		ratelimit_init(&b->log, b->log_name);
		b->saved = calloc(pages, sizeof(*b->saved));
		if (!b->saved) {
			fprintf(stderr, "boardvm: %s: out of memory for its BAR "
				"map; the guest cannot move it\n", d->name);
			continue;
		}
		for (uint64_t p = 0; p < pages; p++)
			b->saved[p] = *page_entry(d->mmio_base + p * MACHINE_PAGE_SIZE);
		b->pci = b->mapped = b->kvm_mapped = true;
		b->home = b->base = b->kvm_base = d->mmio_base;
		b->size = d->bar_size;
	}
}

static bool ranges_overlap(uint64_t a, uint64_t asize, uint64_t b,
			   uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/* Why BAR `index` cannot be at `base`: NULL if it can. `what` names it. */
static const char *bar_conflict(unsigned index, uint64_t base, char *what,
				size_t len)
{
	uint64_t size = bars[index].size;

	if (base & (size - 1))
		return "not aligned to its size";
	if (!window_of(base, size))
		return "outside the board's PCI (MMIO) windows";
	for (unsigned i = 0; i < board_info.nr_ram; i++)
		if (ranges_overlap(base, size, board_ram[i].base,
				   board_ram[i].size)) {
			snprintf(what, len, "RAM region %s", board_ram[i].name);
			return what;
		}
	for (unsigned i = 0; i < board_info.nr_reserved; i++)
		if (ranges_overlap(base, size, board_reserved[i].base,
				   board_reserved[i].size)) {
			snprintf(what, len, "reserved range %s",
				 board_reserved[i].name);
			return what;
		}
	for (unsigned i = 1; i < board_info.nr_regions; i++) {
		const struct board_region *r = &board_regions[i];

		if (r->space != SPACE_MMIO || bars[r->device].pci)
			continue;
		if (ranges_overlap(base, size, r->base, r->size)) {
			snprintf(what, len, "%s (%s)", r->name, r->srcpos);
			return what;
		}
	}
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct bar_state *o = &bars[i];

		if (i != index && o->pci && o->mapped &&
		    ranges_overlap(base, size, o->base, o->size)) {
			snprintf(what, len, "BAR0 of %s at 0x%" PRIx64,
				 board_devices[i].name, o->base);
			return what;
		}
	}
	return NULL;
}

/* Rewrite the maps: BAR `index` from its place (if mapped) to `base`. */
static void maps_update(unsigned index, bool map, uint64_t base)
{
	struct bar_state *b = &bars[index];
	uint64_t pages = b->size >> MACHINE_PAGE_SHIFT;
	unsigned seq = __atomic_load_n(&dispatch_map_seq, __ATOMIC_RELAXED);

	__atomic_store_n(&dispatch_map_seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (b->mapped)
		for (uint64_t p = 0; p < pages; p++)
			__atomic_store_n(page_entry(b->base + p * MACHINE_PAGE_SIZE),
					 0, __ATOMIC_RELAXED);
	if (map) {
		for (uint64_t p = 0; p < pages; p++)
			__atomic_store_n(page_entry(base + p * MACHINE_PAGE_SIZE),
					 b->saved[p], __ATOMIC_RELAXED);
		__atomic_store_n(&dispatch_mmio_delta[index], base - b->home,
				 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&dispatch_map_seq, seq + 2, __ATOMIC_RELEASE);
}

/* Move the device's ioeventfds and coalesced zones along. */
static void kvm_update(unsigned index, bool was, uint64_t old_base, bool now,
		       uint64_t new_base)
{
	const struct bar_state *b = &bars[index];

	if (!kvm_hook.async_move)
		return;
	for (unsigned i = 0; i < board_info.nr_async; i++) {
		const struct board_async *a = &board_async[i];
		uint64_t off = a->addr - b->home;

		if (a->space != SPACE_MMIO ||
		    board_regions[a->region].device != index)
			continue;
		if (kvm_hook.async_move(kvm_hook.opaque, i, was,
					old_base + off, now, new_base + off) &&
		    ratelimit_allow(&bars[index].log))
			fprintf(stderr, "boardvm: %s: could not move the "
				"doorbell of %s to 0x%" PRIx64 "; it is served "
				"as a sync register\n", board_devices[index].name,
				board_regions[a->region].name, new_base + off);
	}
}

static int bar_apply(unsigned index, uint64_t base, bool enabled)
{
	struct bar_state *b = &bars[index];
	bool was = b->mapped;
	uint64_t old = b->base;
	const char *why = NULL;
	char what[160];

	if (enabled)
		why = bar_conflict(index, base, what, sizeof(what));
	if (why && ratelimit_allow(&b->log))
		fprintf(stderr, "boardvm: %s (%s): the guest moved BAR0 to "
			"0x%" PRIx64 "-0x%" PRIx64 ", which is refused: %s; the "
			"BAR is unmapped until the guest programs a free address "
			"in the window\n", board_devices[index].name,
			board_devices[index].srcpos, base, base + b->size - 1,
			why);
	if (why)
		enabled = false;
	if (!was && !enabled)
		return why ? -1 : 0;
	if (was && enabled && old == base)
		return 0;
	maps_update(index, enabled, base);
	b->mapped = enabled;
	if (enabled)
		b->base = base;
	__atomic_store_n(&pci_remap_kvm_out_of_date, 1, __ATOMIC_RELEASE);
	return why ? -1 : 0;
}

int pci_remap_bar_update(struct device_host *host, struct device *dev,
			 unsigned bar, uint64_t base, bool enabled)
{
	unsigned index = dev - machine_devices;
	int rc;

	if (index >= board_info.nr_devices || bar != 0)
		return -1;
	pthread_mutex_lock(&lock);
	remap_prepare();
	if (!bars[index].pci)
		rc = -1;
	else
		rc = bar_apply(index, base, enabled);
	pthread_mutex_unlock(&lock);
	return rc;
}

void pci_remap_reset(void)
{
	pthread_mutex_lock(&lock);
	remap_prepare();
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		if (bars[i].pci && bars[i].mapped)
			bar_apply(i, 0, false);
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		if (bars[i].pci)
			bar_apply(i, bars[i].home, true);
	pthread_mutex_unlock(&lock);
	pci_remap_kvm_sync();
}

/* One BAR: KVM's doorbells from where they are to where the map says. */
static void kvm_sync_bar(unsigned index)
{
	struct bar_state *b = &bars[index];
	bool now;
	uint64_t base;

	pthread_mutex_lock(&lock);
	now = b->mapped;
	base = b->base;
	pthread_mutex_unlock(&lock);
	if (b->kvm_mapped == now && (!now || b->kvm_base == base))
		return;
	kvm_update(index, b->kvm_mapped, b->kvm_base, now, base);
	b->kvm_mapped = now;
	b->kvm_base = base;
}

void pci_remap_kvm_sync_moved(void)
{
	pthread_mutex_lock(&kvm_lock);
	/* A move while we sync marks it again: go round until none came. */
	while (__atomic_exchange_n(&pci_remap_kvm_out_of_date, 0,
				   __ATOMIC_ACQ_REL))
		for (unsigned i = 0; i < board_info.nr_devices; i++)
			if (bars[i].pci)
				kvm_sync_bar(i);
	pthread_mutex_unlock(&kvm_lock);
}

bool pci_remap_where(unsigned index, uint64_t *base)
{
	bool mapped;

	if (index >= board_info.nr_devices)
		return false;
	pthread_mutex_lock(&lock);
	remap_prepare();
	mapped = bars[index].pci ? bars[index].mapped : true;
	*base = bars[index].pci ? bars[index].base :
				  board_devices[index].mmio_base;
	pthread_mutex_unlock(&lock);
	return mapped;
}
