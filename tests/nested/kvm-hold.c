// SPDX-License-Identifier: MIT
/*
 * Runs in the nested harness's L1 for the whole run (tests/nested/l1-init.sh
 * starts it): holds two idle VMs open so that the L1 kernel never patches
 * its own text when a test's VM comes and goes.
 *
 * Why (issue 20, docs/nested.md): under QEMU 7.2's multi-threaded TCG, L1's
 * kernel wedges in its text patching (both CPUs looping in __schedule and
 * exc_int3, the int3 of text_poke_bp) within about 100 s of flipping a
 * static key in a loop, with no VM at all; and boardvm's VMs starting and
 * stopping flip KVM's static keys: the scheduler's preempt notifiers
 * (sites in __schedule) at the first VM and after the last one, the LAPIC
 * keys at the first vCPU and whenever none is left software- or
 * hardware-disabled, kvm_has_noapic_vcpu for irqchip-less vCPUs. With a
 * holder keeping each count above zero, a test's VM only moves it between
 * 1 and 2, and the kernel patches nothing.
 *
 * Not sandboxed and never exits by itself; the harness kills it with L1.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MSR_IA32_APICBASE	0x1b
#define APICBASE_DEFAULT	0xfee00000ull	/* the enable bit (11) clear */

static int fail(const char *what)
{
	fprintf(stderr, "kvm-hold: %s: %s\n", what, strerror(errno));
	return -1;
}

/* The LAPIC hardware-disabled, as at a vCPU whose guest switched it off. */
static int apic_hw_disable(int vcpu)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = {
		.hdr.nmsrs = 1,
		.entry = { .index = MSR_IA32_APICBASE, .data = APICBASE_DEFAULT },
	};

	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 1)
		return fail("KVM_SET_MSRS(IA32_APICBASE)");
	return 0;
}

/*
 * One VM with one vCPU that never runs: with_irqchip, its LAPIC stays
 * software-disabled (as at reset) and is made hardware-disabled too;
 * without, it counts as a vCPU without an in-kernel APIC.
 */
static int hold_vm(int kvm, int with_irqchip)
{
	int vm, vcpu;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (with_irqchip && ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	return with_irqchip ? apic_hw_disable(vcpu) : 0;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		return fail("/dev/kvm"), 1;
	if (hold_vm(kvm, 1) < 0 || hold_vm(kvm, 0) < 0)
		return 1;
	printf("kvm-hold: holding two idle VMs (KVM's static keys stay on)\n");
	fflush(stdout);
	for (;;)
		pause();
}
