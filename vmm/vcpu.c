// SPDX-License-Identifier: MIT
/*
 * The run loop: one thread per vCPU, one flat switch over the exit reason.
 *
 * The exit path makes no syscall beyond KVM_RUN, allocates nothing and
 * takes no lock, except the coalesced ring's lock while the ring holds
 * entries (vCPUs share one ring). Every exit first drains that ring, in
 * order, so a device never sees a sync access overtake a buffered write.
 *
 * Halting: with an in-kernel irqchip KVM handles HLT itself. Without one
 * nothing can ever interrupt the guest, so a vCPU that halts with
 * interrupts off ends the VM (status 0: the usual "I am done" of a tiny
 * guest); with interrupts on, HLT is a no-op and the vCPU resumes.
 *
 * Stopping: vm_request_stop() (a device, an exit, or SIGINT/SIGTERM via
 * main) records the status once, sets immediate_exit in every kvm_run and
 * kicks each vCPU thread with SIGUSR1, so KVM_RUN returns EINTR wherever
 * the thread is; then it wakes the main thread with SIGUSR2.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

#define SIG_KICK		SIGUSR1
#define SIG_STOPPED		SIGUSR2

static void signal_ignore(int sig)
{
}

/*
 * SIG_KICK gets an empty handler (its only job is to interrupt KVM_RUN);
 * SIGINT, SIGTERM, SIGHUP and SIG_STOPPED are blocked in every thread and
 * taken by main with sigwait().
 */
int vmm_signals_init(void)
{
	struct sigaction sa = { .sa_handler = signal_ignore };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIG_KICK, &sa, NULL) < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIG_STOPPED);
	return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void vm_request_stop(struct vm *vm, int status)
{
	bool expected = false;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, true))
		return;
	vm->status = status;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			__atomic_store_n(&vcpu->run->immediate_exit, 1,
					 __ATOMIC_SEQ_CST);
		if (atomic_load(&vcpu->kickable) &&
		    !pthread_equal(vcpu->self, pthread_self()))
			pthread_kill(vcpu->self, SIG_KICK);
	}
	pthread_kill(vm->main_thread, SIG_STOPPED);
}

/*
 * Replay KVM's coalesced ring in order. Cheap when empty (two loads, no
 * lock); the lock makes vCPUs that find entries wait for the one
 * replaying them, so none returns to its own access before they are in.
 */
void vm_drain_coalesced(struct vm *vm, struct dispatch_ctx *ctx)
{
	struct kvm_coalesced_mmio_ring *ring = vm->ring;
	uint32_t first;

	if (!ring || __atomic_load_n(&ring->first, __ATOMIC_ACQUIRE) ==
		     __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&vm->ring_lock);
	while ((first = ring->first) !=
	       __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE)) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];

		dispatch_coalesced(ctx, e->pio, e->phys_addr, e->data,
				   e->len);
		__atomic_store_n(&ring->first, (first + 1) % vm->ring_max,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->ring_lock);
}

/* IN/OUT, including string forms: `count` items of `size` bytes. */
static void vcpu_exit_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	const struct board_region *r = board_regions;

	vcpu->io_exits++;
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		r = dispatch_pio(&vcpu->ctx, run->io.port, data, run->io.size,
				 is_write);
	vcpu->region_exits[r - board_regions]++;
}

static void vcpu_exit_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	const struct board_region *r;

	vcpu->mmio_exits++;
	r = dispatch_mmio(&vcpu->ctx, run->mmio.phys_addr, run->mmio.data,
			  run->mmio.len, run->mmio.is_write);
	vcpu->region_exits[r - board_regions]++;
}

static void vcpu_fatal(struct vcpu *vcpu, int status, const char *what)
{
	fprintf(stderr, "boardvm: vCPU %u: %s\n", vcpu->index, what);
	vcpu_dump_regs(vcpu, stderr);
	vm_request_stop(vcpu->vm, status);
}

static void vcpu_exit_internal(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[128];

	snprintf(what, sizeof(what), "KVM internal error, suberror %u%s",
		 run->internal.suberror,
		 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
		 " (instruction emulation failed: an instruction KVM's "
		 "emulator lacks? see --cpuid-hide)" : "");
	vcpu_fatal(vcpu, VMM_EXIT_INTERNAL, what);
	for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
		fprintf(stderr, "  data[%u] 0x%llx\n", i,
			(unsigned long long)run->internal.data[i]);
}

static void vcpu_exit_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_RESET:
		fprintf(stderr, "boardvm: vCPU %u: guest reset\n",
			vcpu->index);
		vm_request_stop(vcpu->vm, VMM_EXIT_RESET);
		break;
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vcpu->vm, VMM_EXIT_OK);
		break;
	default:
		vcpu_fatal(vcpu, VMM_EXIT_INTERNAL,
			   "unexpected system event");
	}
}

/* One exit; false when this vCPU must stop running. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_exit_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_exit_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;	/* a signal: the loop checks `stopping` */
	case KVM_EXIT_HLT:
		if (run->if_flag)
			return true;
		vm_request_stop(vcpu->vm, VMM_EXIT_OK);
		return false;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr, "boardvm: vCPU %u: triple fault (shutdown): "
			"the machine resets\n", vcpu->index);
		vcpu_dump_regs(vcpu, stderr);
		vm_request_stop(vcpu->vm, VMM_EXIT_RESET);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_exit_system_event(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "VM entry failed, hardware "
			 "reason 0x%llx", (unsigned long long)
			 run->fail_entry.hardware_entry_failure_reason);
		vcpu_fatal(vcpu, VMM_EXIT_INTERNAL, what);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_exit_internal(vcpu);
		return false;
	default:
		snprintf(what, sizeof(what), "unexpected exit reason %u",
			 run->exit_reason);
		vcpu_fatal(vcpu, VMM_EXIT_INTERNAL, what);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;

	/*
	 * From here a stop request kicks this thread. Both this store and
	 * the stopper's are sequentially consistent, so either the loop below
	 * sees `stopping`, or the stopper sees `kickable` and the kick (or
	 * immediate_exit) gets this thread out of KVM_RUN. Setting it from
	 * main after pthread_create() would leave a window where a thread
	 * already blocked in KVM_RUN (a halted AP) is never kicked.
	 */
	vcpu->self = pthread_self();
	atomic_store(&vcpu->kickable, true);
	while (!atomic_load(&vm->stopping)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "boardvm: vCPU %u: KVM_RUN: %s\n",
				vcpu->index, strerror(errno));
			vm_request_stop(vm, VMM_EXIT_INTERNAL);
			break;
		}
		vcpu->exits++;
		vm_drain_coalesced(vm, &vcpu->ctx);
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	return NULL;
}

/* The threads inherit main's mask: stop signals blocked, SIG_KICK not. */
int vcpu_start_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		int err = pthread_create(&vcpu->thread, NULL, vcpu_thread,
					 vcpu);

		if (err) {
			fprintf(stderr, "boardvm: cannot start vCPU %u: %s\n",
				i, strerror(err));
			vm_request_stop(vm, VMM_EXIT_SETUP);
			return -1;
		}
		vcpu->started = true;
	}
	return 0;
}

void vcpu_join_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
}
