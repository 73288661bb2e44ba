// SPDX-License-Identifier: MIT
/*
 * PCI and KVM: a moved BAR takes its ioeventfds and coalesced zones along
 * (the hook vmm/pci-remap.c calls); MSIs: vmm/irqfd.c.
 *
 * An ioeventfd is deassigned with the same address, length, datamatch and
 * flags it was assigned with, plus KVM_IOEVENTFD_FLAG_DEASSIGN; the
 * eventfd itself stays (the I/O thread keeps polling it), so a doorbell
 * at the new address arrives exactly as one at the old did.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ratelimit.h"
#include "vmm.h"

/* Failures the guest can cause again and again (BAR moves). */
static struct ratelimit kvm_move_log = RATELIMIT_INIT("PCI BAR moves in KVM");

static int ioeventfd_set(struct vm *vm, const struct board_async *a, int fd,
			 uint64_t addr, bool assign)
{
	struct kvm_ioeventfd ioev = {
		.addr = addr,
		.len = a->len,
		.datamatch = a->datamatch,
		.fd = fd,
	};

	if (a->has_datamatch)
		ioev.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (!assign)
		ioev.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioev);
}

static int zone_set(struct vm *vm, const struct board_async *a,
		    uint64_t addr, bool assign)
{
	struct kvm_coalesced_mmio_zone zone = { .addr = addr,
						.size = a->size };

	return ioctl(vm->vm_fd, assign ? KVM_REGISTER_COALESCED_MMIO :
		     KVM_UNREGISTER_COALESCED_MMIO, &zone);
}

int pci_kvm_async_move(void *opaque, unsigned i, bool was, uint64_t old_addr,
		       bool now, uint64_t new_addr)
{
	const struct board_async *a = &board_async[i];
	struct vm *vm = opaque;
	int fd = io_thread_async_fd(i);
	int rc = 0;

	if (a->binding == BINDING_ASYNC) {
		if (fd < 0)
			return 0;	/* never registered: nothing to move */
		if (was && ioeventfd_set(vm, a, fd, old_addr, false) < 0)
			rc = -1;
		if (now && ioeventfd_set(vm, a, fd, new_addr, true) < 0)
			rc = -1;
	} else if (a->binding == BINDING_COALESCED && vm->ring) {
		if (was && zone_set(vm, a, old_addr, false) < 0)
			rc = -1;
		if (now && zone_set(vm, a, new_addr, true) < 0)
			rc = -1;
	}
	if (rc && ratelimit_allow(&kvm_move_log))
		fprintf(stderr, "boardvm: moving %s (%s) from 0x%" PRIx64
			" to 0x%" PRIx64 ": %s\n",
			board_regions[a->region].name, a->srcpos, old_addr,
			new_addr, strerror(errno));
	return rc;
}
