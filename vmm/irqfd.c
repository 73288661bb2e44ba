// SPDX-License-Identifier: MIT
/*
 * Device interrupts through KVM_IRQFD (vmm/irqfd.h): INTx lines at VM
 * creation, MSI-X vectors on first use.
 *
 * KVM_SET_GSI_ROUTING replaces the whole table, so vm_irqs keeps it: the
 * PC wiring first, then one MSI entry per vector in use. A vector's GSI
 * is the IOAPIC's pin count plus the order of first use; it is never
 * given back (a function has at most HOST_MSI_VECTORS, KVM takes 4096).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "instances.h"
#include "irq-routing.h"
#include "ratelimit.h"
#include "vmm.h"

static struct ratelimit msi_log = RATELIMIT_INIT("MSI routes");

static int irqfd_assign(struct vm *vm, int fd, unsigned gsi, int resample_fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };

	if (resample_fd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample_fd;
	}
	return ioctl(vm->vm_fd, KVM_IRQFD, &irqfd);
}

/*
 * syscall(2), not write(): glibc's write and eventfd_write are
 * cancellation points, 60 instructions more per interrupt (callgrind,
 * glibc 2.36), and no thread of ours is ever cancelled. EAGAIN: the
 * counter is full, so KVM has a wakeup pending anyway.
 */
static void irqfd_signal(int fd)
{
	static const uint64_t one = 1;

	if (syscall(SYS_write, fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("boardvm: writing an irqfd");
}

static int commit_routes(struct vm *vm)
{
	return ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, vm->irqs.routes);
}

/* Level-triggered where the board's tables say so (shareable types). */
static bool gsi_is_level(unsigned gsi)
{
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct board_device *d = &board_devices[i];

		if (d->irq == (int)gsi && d->type && d->type->irq_shareable)
			return true;
	}
	return false;
}

static int gsi_open(struct vm *vm, unsigned gsi)
{
	struct vm_gsi *g = &vm->irqs.gsi[gsi];

	g->level.level = gsi_is_level(gsi);
	g->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->fd < 0)
		return -1;
	if (g->level.level) {
		g->resample_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (g->resample_fd < 0)
			return -1;
	}
	return irqfd_assign(vm, g->fd, gsi, g->resample_fd);
}

static int check_caps(struct vm *vm)
{
	static const struct { long cap; const char *name; } caps[] = {
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
		{ KVM_CAP_IRQFD_RESAMPLE, "KVM_CAP_IRQFD_RESAMPLE" },
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	};

	for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
			fprintf(stderr, "boardvm: this KVM lacks %s, which the "
				"board's in-kernel irqchip needs for device "
				"interrupts\n", caps[i].name);
			return -1;
		}
	return 0;
}

static int routes_init(struct vm *vm)
{
	struct vm_irqs *q = &vm->irqs;
	unsigned nr_msi = machine_has_pci_functions() ?
			  board_info.nr_devices * HOST_MSI_VECTORS : 0;

	q->max_routes = 2 * ISA_IRQS + KVM_IOAPIC_NUM_PINS + nr_msi;
	q->routes = calloc(1, sizeof(*q->routes) +
			   q->max_routes * sizeof(q->routes->entries[0]));
	if (!q->routes)
		return -1;
	q->routes->nr = irq_routing_fill(q->routes->entries, q->max_routes,
					 KVM_IOAPIC_NUM_PINS);
	q->next_msi_gsi = KVM_IOAPIC_NUM_PINS;
	if (nr_msi) {
		q->msi = calloc(nr_msi, sizeof(*q->msi));
		if (!q->msi)
			return -1;
		for (unsigned i = 0; i < nr_msi; i++)
			q->msi[i].fd = -1;
	}
	if (commit_routes(vm) < 0) {
		perror("boardvm: KVM_SET_GSI_ROUTING (IRQ0 on IOAPIC pin 2)");
		return -1;
	}
	return 0;
}

void vm_irqs_prepare(struct vm *vm)
{
	struct vm_irqs *q = &vm->irqs;

	pthread_mutex_init(&q->msi_lock, NULL);
	for (unsigned g = 0; g < KVM_IOAPIC_NUM_PINS; g++)
		q->gsi[g].fd = q->gsi[g].resample_fd = -1;
}

int vm_irqs_init(struct vm *vm)
{
	struct vm_irqs *q = &vm->irqs;

	if (!board_info.kernel_irqchip)
		return 0;
	if (check_caps(vm) < 0 || routes_init(vm) < 0)
		return -1;
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		int gsi = board_devices[i].irq;

		if (gsi < 0 || gsi >= KVM_IOAPIC_NUM_PINS ||
		    q->gsi[gsi].fd >= 0)
			continue;
		if (gsi_open(vm, gsi) < 0) {
			fprintf(stderr, "boardvm: the irqfd of GSI %d (%s): "
				"%s\n", gsi, board_devices[i].name,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vm_irqs_free(struct vm *vm)
{
	struct vm_irqs *q = &vm->irqs;

	for (unsigned g = 0; g < KVM_IOAPIC_NUM_PINS; g++) {
		close_fd(&q->gsi[g].fd);
		close_fd(&q->gsi[g].resample_fd);
	}
	for (unsigned i = 0; q->msi && q->routes &&
	     i < board_info.nr_devices * HOST_MSI_VECTORS; i++)
		close_fd(&q->msi[i].fd);
	free(q->msi);
	free(q->routes);
	q->msi = NULL;
	q->routes = NULL;
}

int vm_irq_resample_fd(struct vm *vm, unsigned gsi)
{
	return gsi < KVM_IOAPIC_NUM_PINS ? vm->irqs.gsi[gsi].resample_fd : -1;
}

void vm_irq_resampled(struct vm *vm, unsigned gsi)
{
	struct vm_gsi *g = &vm->irqs.gsi[gsi];
	uint64_t count;

	if (read(g->resample_fd, &count, sizeof(count)) < 0)
		return;		/* EAGAIN: another wakeup took it */
	if (irq_level_resampled(&g->level))
		irqfd_signal(g->fd);
}

/*
 * A device's interrupt line. Without an in-kernel irqchip there is
 * nothing to deliver to; the level is kept in the line (irq_line_set)
 * for tests and dropped here.
 */
void vm_irq_set_level(struct irq_line *line, int level)
{
	struct vm *vm = line->opaque;
	struct vm_gsi *g;

	if (!level == !line->level || !vm ||
	    (unsigned)line->gsi >= KVM_IOAPIC_NUM_PINS)
		return;
	g = &vm->irqs.gsi[line->gsi];
	if (g->fd < 0)
		return;
	if (!level)
		irq_level_lower(&g->level);
	else if (irq_level_raise(&g->level))
		irqfd_signal(g->fd);
}

static void route_msi_set(struct kvm_irq_routing_entry *e, uint64_t addr,
			  uint32_t data)
{
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
}

/*
 * Vector m's first route, addr/data, and its irqfd: under msi_lock. The
 * eventfd comes first, so a process out of file descriptors (EMFILE)
 * costs no routing-table ioctl per interrupt.
 */
static int msi_route_new(struct vm *vm, struct vm_msi *m, uint64_t addr,
			 uint32_t data)
{
	struct vm_irqs *q = &vm->irqs;
	struct kvm_irq_routing_entry *e;
	int fd, err;

	if (q->routes->nr >= q->max_routes) {
		errno = ENOSPC;
		return -1;
	}
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -1;
	e = &q->routes->entries[q->routes->nr++];
	memset(e, 0, sizeof(*e));
	e->gsi = q->next_msi_gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	route_msi_set(e, addr, data);
	if (commit_routes(vm) == 0 && irqfd_assign(vm, fd, e->gsi, -1) == 0) {
		m->route = q->routes->nr - 1;
		m->fd = fd;
		m->addr = addr;
		m->data = data;
		q->next_msi_gsi++;
		return 0;
	}
	err = errno;
	q->routes->nr--;	/* the entry is the last */
	commit_routes(vm);
	close_fd(&fd);
	errno = err;
	return -1;
}

/* Vector m's route says addr/data, its irqfd on its GSI: under msi_lock. */
static int msi_route(struct vm *vm, struct vm_msi *m, uint64_t addr,
		     uint32_t data)
{
	struct kvm_irq_routing_entry *e;

	if (m->fd < 0)
		return msi_route_new(vm, m, addr, data);
	e = &vm->irqs.routes->entries[m->route];
	route_msi_set(e, addr, data);
	if (commit_routes(vm) < 0) {
		route_msi_set(e, m->addr, m->data);	/* what KVM still has */
		return -1;
	}
	m->addr = addr;
	m->data = data;
	return 0;
}

/* An MSI without a route of its own: KVM_SIGNAL_MSI, as before irqfds. */
static void msi_signal_direct(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};

	/* 0: blocked by the guest (masked), >0: delivered, <0: error. */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 &&
	    ratelimit_allow(&msi_log))
		fprintf(stderr, "boardvm: KVM_SIGNAL_MSI 0x%" PRIx64 "/0x%x: "
			"%s\n", addr, data, strerror(errno));
}

/*
 * The irqfd of vector `vector` of `dev`, its route made to say addr/data;
 * -1 with errno when it has none (not a board device's vector: EINVAL).
 */
static int msi_fd(struct vm *vm, struct device *dev, unsigned vector,
		  uint64_t addr, uint32_t data)
{
	struct vm_irqs *q = &vm->irqs;
	unsigned index = (unsigned)(dev - machine_devices);
	struct vm_msi *m;
	int fd = -1;

	if (!q->msi || index >= board_info.nr_devices ||
	    vector >= HOST_MSI_VECTORS) {
		errno = EINVAL;
		return -1;
	}
	m = &q->msi[index * HOST_MSI_VECTORS + vector];
	pthread_mutex_lock(&q->msi_lock);
	if ((m->fd >= 0 && m->addr == addr && m->data == data) ||
	    msi_route(vm, m, addr, data) == 0)
		fd = m->fd;
	pthread_mutex_unlock(&q->msi_lock);
	return fd;
}

void vm_signal_msi(struct device_host *host, struct device *dev,
		   unsigned vector, uint64_t addr, uint32_t data)
{
	struct vm *vm = host->opaque;
	int fd = msi_fd(vm, dev, vector, addr, data);

	if (fd >= 0) {
		irqfd_signal(fd);
		return;
	}
	if (ratelimit_allow(&msi_log))
		fprintf(stderr, "boardvm: %s: no irqfd for MSI-X vector %u "
			"(0x%" PRIx64 "/0x%x): %s; sent with KVM_SIGNAL_MSI\n",
			dev->desc ? dev->desc->name : "a device", vector, addr,
			data, strerror(errno));
	msi_signal_direct(vm, addr, data);
}

int vm_msi_irqfd(struct device_host *host, struct device *dev,
		 unsigned vector, uint64_t addr, uint32_t data)
{
	return msi_fd(host->opaque, dev, vector, addr, data);
}
