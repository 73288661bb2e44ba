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
 * guest); with interrupts on, HLT is a no-op and the vCPU resumes. With
 * an in-kernel irqchip, main polls once a second (vm_poll_halted()): when
 * every vCPU is halted with interrupts off (or never started), nothing
 * but an NMI could wake the machine, and the VM ends with status 0. That
 * is how Linux powers off without ACPI: it halts every CPU, irqs off.
 *
 * Guest errors (internal errors, failed entries, triple faults) dump the
 * registers and the instruction bytes at CS:RIP, read through the guest's
 * page tables. An emulation failure on a host without vmx/svm (KVM runs
 * guest kernel code in its instruction emulator there) is explained in
 * words and ends with VMM_EXIT_UNSUPPORTED.
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
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "pci-remap.h"
#include "vmm.h"

#define SIG_KICK		SIGUSR1
#define SIG_STOPPED		SIGUSR2
#define INSN_BYTES		15	/* the longest x86 instruction */
#define X86_EFLAGS_IF		0x200
#define X86_CR0_PG		0x80000000ull
#define X86_EFER_LMA		0x400ull

static void signal_ignore(int sig)
{
}

/* The signals that end the VMM: 128 + the signal number. */
static const struct {
	int sig;
	const char *msg;
} stop_signals[] = {
	{ SIGINT, "boardvm: Interrupt: stopping" },
	{ SIGTERM, "boardvm: Terminated: stopping" },
	{ SIGHUP, "boardvm: Hangup: stopping" },
};

/*
 * During setup (only the main thread runs: files read, memory mapped,
 * devices created) a terminating signal ends the VMM at once, with the
 * terminal restored and the same message and status as later on.
 */
static void signal_during_setup(int sig)
{
	for (unsigned i = 0; i < sizeof(stop_signals) /
				 sizeof(stop_signals[0]); i++) {
		if (stop_signals[i].sig != sig)
			continue;
		console_restore();
		/* --log-format json: a JSON line like every other. */
		log_signal_line(LOG_INFO, stop_signals[i].msg);
	}
	_exit(VMM_EXIT_SIGNAL + sig);
}

static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (unsigned i = 0; i < sizeof(stop_signals) /
				 sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i].sig);
	sigaddset(set, SIG_STOPPED);
}

/*
 * SIG_KICK and SIG_STOPPED get an empty handler (their only job is to
 * interrupt KVM_RUN or main's sigwait()); SIGPIPE is ignored, so a closed
 * console output is an EPIPE the console devices report; SIGQUIT is
 * blocked everywhere and taken by main's sigwait() once the VM runs.
 * SIGINT, SIGTERM and SIGHUP end setup at once (signal_during_setup());
 * vmm_signals_block() hands them to main's sigwait() before the first
 * thread is created.
 */
int vmm_signals_init(void)
{
	struct sigaction sa = { .sa_handler = signal_ignore };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIG_KICK, &sa, NULL) < 0 ||
	    sigaction(SIG_STOPPED, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = signal_during_setup;
	stop_signal_set(&sa.sa_mask);		/* one at a time */
	for (unsigned i = 0; i < sizeof(stop_signals) /
				 sizeof(stop_signals[0]); i++)
		if (sigaction(stop_signals[i].sig, &sa, NULL) < 0)
			return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGQUIT);
	return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void vmm_signals_block(void)
{
	sigset_t set;

	stop_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/*
 * Every thread is joined: setup (a --reboot) again. A signal that came in
 * meanwhile is delivered now, and ends the VMM at once.
 */
void vmm_signals_unblock(void)
{
	sigset_t set;

	stop_signal_set(&set);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
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
	/* A paused vCPU waits on pause_cond: it must see `stopping`. */
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
	pthread_kill(vm->main_thread, SIG_STOPPED);
}

/*
 * Pause: every vCPU leaves KVM_RUN (immediate_exit and a kick, as for a
 * stop) and parks at the top of its loop, after the exit it was handling
 * is complete; KVM finishes an IN or MMIO read on the next KVM_RUN, after
 * resume. So no access is lost or replayed. Devices and the I/O thread
 * run on (a doorbell rung just before the pause is still delivered).
 */
static unsigned vcpus_started(const struct vm *vm)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		n += vm->vcpus[i].started;
	return n;
}

void vm_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	atomic_store(&vm->pause_requested, true);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		__atomic_store_n(&vcpu->run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
		if (atomic_load(&vcpu->kickable))
			pthread_kill(vcpu->self, SIG_KICK);
	}
	while (vm->parked < vcpus_started(vm) && !atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	pthread_mutex_unlock(&vm->pause_lock);
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	atomic_store(&vm->pause_requested, false);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

bool vm_is_paused(struct vm *vm)
{
	return atomic_load(&vm->pause_requested);
}

/*
 * Wait out a pause. immediate_exit is cleared before the loop reads
 * `stopping` again (both sequentially consistent): a stop request that
 * set it first is seen there; one that comes later sets it again.
 */
static void vcpu_park(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	pthread_mutex_lock(&vm->pause_lock);
	vm->parked++;
	pthread_cond_broadcast(&vm->pause_cond);
	while (atomic_load(&vm->pause_requested) &&
	       !atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	vm->parked--;
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->pause_lock);
}

/*
 * Replay KVM's coalesced ring in order (vm_drain_coalesced() in vmm.h
 * tests for an empty ring inline). The lock makes vCPUs that find entries
 * wait for the one replaying them, so none returns to its own access
 * before they are in.
 */
void vm_replay_coalesced(struct vm *vm, struct dispatch_ctx *ctx)
{
	struct kvm_coalesced_mmio_ring *ring = vm->ring;
	uint32_t first;

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

	unsigned r = 0;

	vcpu->io_exits++;
	if (run->io.count == 1) {
		dispatch_pio_exit(&vcpu->ctx, run->io.port, data, run->io.size,
				  is_write);
		return;
	}
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		r = dispatch_pio(&vcpu->ctx, run->io.port, data, run->io.size,
				 is_write);
	vcpu->stats[r].exits++;
}

static void vcpu_exit_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	vcpu->mmio_exits++;
	dispatch_mmio_exit(&vcpu->ctx, run->mmio.phys_addr, run->mmio.data,
			   run->mmio.len, run->mmio.is_write);
}

/*
 * Up to `max` bytes at linear `addr`, translated page by page through the
 * guest's page tables (KVM_TRANSLATE; identity when paging is off) and
 * read from guest RAM. Returns how many bytes were readable.
 */
static size_t vcpu_read_linear(struct vcpu *vcpu, uint64_t addr,
			       uint8_t *buf, size_t max, uint64_t *gpa)
{
	size_t n = 0;

	while (n < max) {
		struct kvm_translation tr = { .linear_address = addr + n };
		size_t chunk = MACHINE_PAGE_SIZE - ((addr + n) & MACHINE_PAGE_MASK);
		const uint8_t *host;

		if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
			break;
		if (n == 0)
			*gpa = tr.physical_address;
		if (chunk > max - n)
			chunk = max - n;
		host = guest_ram_ptr(&vcpu->vm->ram, tr.physical_address,
				     chunk);
		if (!host)
			break;
		memcpy(buf + n, host, chunk);
		n += chunk;
	}
	return n;
}

/* The instruction at CS:RIP: its bytes on stderr, and its name. */
static void vcpu_dump_insn(struct vcpu *vcpu, struct insn_info *info,
			   uint64_t *rip_out)
{
	uint8_t buf[INSN_BYTES];
	uint64_t gpa = 0;
	struct kvm_regs r;
	struct kvm_sregs s;
	bool long_mode;
	size_t n;

	info->mnemonic = info->feature = NULL;
	*rip_out = 0;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0)
		return;
	*rip_out = r.rip;
	long_mode = (s.efer & X86_EFER_LMA) && s.cs.l;
	n = vcpu_read_linear(vcpu, s.cs.base + r.rip, buf, sizeof(buf), &gpa);
	if (!n) {
		fprintf(stderr, "  instruction at %04x:%016llx: not readable "
			"(%s)\n", s.cs.selector, r.rip, s.cr0 & X86_CR0_PG ?
			"unmapped in the guest's page tables or not RAM" :
			"not in guest RAM");
		return;
	}
	fprintf(stderr, "  instruction at %04x:%016llx (guest physical "
		"0x%" PRIx64 "):", s.cs.selector, r.rip, gpa);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", buf[i]);
	insn_describe(buf, n, long_mode, info);
	fprintf(stderr, "%s%s\n", info->mnemonic ? " = " : "",
		info->mnemonic ? info->mnemonic : "");
}

static void vcpu_fatal(struct vcpu *vcpu, int status, const char *what)
{
	struct insn_info info;
	uint64_t rip;

	fprintf(stderr, "boardvm: vCPU %u: %s\n", vcpu->index, what);
	vcpu_dump_regs(vcpu, stderr);
	vcpu_dump_insn(vcpu, &info, &rip);
	vm_request_stop(vcpu->vm, status);
}

/*
 * Can this host's KVM run guest code in hardware (vmx or svm)? Read once
 * by vcpu_start_all(), before the seccomp filter forbids opening files.
 */
static bool host_hw_virt = true;

static void host_probe_hw_virt(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;

	if (!f)
		return;		/* unknown: do not blame the host */
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) &&
			(strstr(line, " vmx") || strstr(line, " svm"));
	fclose(f);
	host_hw_virt = found;
}

static bool cpuid_feature_hidden(const struct vm_options *opts,
				 const char *name)
{
	for (unsigned i = 0; i < opts->nr_cpuid_hide; i++)
		if (!strcmp(cpuid_features[opts->cpuid_hide[i]].name, name))
			return true;
	return false;
}

/*
 * KVM's emulator gave up on a guest instruction. On a host without
 * vmx/svm every guest kernel instruction goes through that emulator, so
 * this is the host's limit, not the guest's bug: say so, and what helps.
 */
static void vcpu_explain_emulation(struct vcpu *vcpu,
				   const struct insn_info *info, uint64_t rip)
{
	const char *insn = info->mnemonic ? info->mnemonic :
			   "an instruction it does not implement";
	const char *hide = info->feature;

	if (host_hw_virt) {
		fprintf(stderr, "boardvm: KVM could not emulate %s at rip "
			"0x%016" PRIx64 " (KVM emulates only what hardware "
			"virtualization traps, e.g. MMIO accesses: an unusual "
			"instruction touching a device?)\n", insn, rip);
		return;
	}
	fprintf(stderr,
		"boardvm: this host's KVM cannot run the guest's %s at rip "
		"0x%016" PRIx64 ".\n"
		"  Why: /proc/cpuinfo shows neither vmx nor svm, so KVM runs "
		"guest kernel code\n"
		"  in its instruction emulator, which does not implement this "
		"instruction.\n"
		"  What to do: run boardvm on a host with hardware "
		"virtualization (vmx/svm,\n"
		"  nested virtualization enabled in a VM)", insn, rip);
	if (hide && cpuid_feature_hidden(vcpu->vm->opts, hide))
		fprintf(stderr, ".\n  CPUID already hides %s from the "
			"guest, which uses it anyway.\n", hide);
	else if (hide)
		fprintf(stderr, ",\n  or hide it from the guest's CPUID: "
			"--cpuid-hide default,%s\n", hide);
	else
		fprintf(stderr, ".\n  --cpuid-hide lists the features "
			"that can be hidden from the guest.\n");
}

static void vcpu_exit_internal(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	bool emulation = run->internal.suberror ==
			 KVM_INTERNAL_ERROR_EMULATION;
	struct insn_info info;
	uint64_t rip;

	fprintf(stderr, "boardvm: vCPU %u: KVM internal error, suberror "
		"%u%s\n", vcpu->index, run->internal.suberror,
		emulation ? " (instruction emulation failed)" : "");
	vcpu_dump_regs(vcpu, stderr);
	vcpu_dump_insn(vcpu, &info, &rip);
	if (!emulation)
		for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
			fprintf(stderr, "  data[%u] 0x%llx\n", i,
				(unsigned long long)run->internal.data[i]);
	if (emulation)
		vcpu_explain_emulation(vcpu, &info, rip);
	vm_request_stop(vcpu->vm, emulation ? VMM_EXIT_UNSUPPORTED :
			VMM_EXIT_INTERNAL);
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

/*
 * Main asks every vCPU, once a second, whether it is halted for good: a
 * new round number, then a kick. Halt polling is only for boards with an
 * in-kernel irqchip (without one KVM_EXIT_HLT says it).
 */
void vm_poll_halted(struct vm *vm)
{
	atomic_fetch_add(&vm->halt_round, 1);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (atomic_load(&vcpu->kickable))
			pthread_kill(vcpu->self, SIG_KICK);
	}
}

/* SIGQUIT: every vCPU prints its registers and instruction, and runs on. */
void vm_dump_vcpus(struct vm *vm)
{
	atomic_fetch_add(&vm->dump_round, 1);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (atomic_load(&vcpu->kickable))
			pthread_kill(vcpu->self, SIG_KICK);
	}
}

static void vcpu_answer_dump(struct vcpu *vcpu)
{
	unsigned round = atomic_load(&vcpu->vm->dump_round);
	struct kvm_mp_state mp = { 0 };
	struct insn_info info;
	uint64_t rip;

	/* One vCPU's dump at a time: interleaved lines could not be read. */
	static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;

	if (atomic_exchange(&vcpu->dumped_round, round) == round)
		return;
	ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp);
	pthread_mutex_lock(&dump_lock);
	fprintf(stderr, "boardvm: vCPU %u: SIGQUIT dump (mp_state %u), %"
		PRIu64 " exits\n", vcpu->index, mp.mp_state, vcpu->exits);
	vcpu_dump_regs(vcpu, stderr);
	vcpu_dump_insn(vcpu, &info, &rip);
	pthread_mutex_unlock(&dump_lock);
}

/* A vCPU in a halt that only an NMI or INIT could end, or never started. */
static bool vcpu_halted_for_good(struct vcpu *vcpu)
{
	struct kvm_mp_state mp;
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) < 0)
		return false;
	if (mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
	    mp.mp_state == KVM_MP_STATE_INIT_RECEIVED)
		return true;
	if (mp.mp_state != KVM_MP_STATE_HALTED ||
	    ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0)
		return false;
	return !(r.rflags & X86_EFLAGS_IF);
}

/*
 * After a kick: answer the current poll round. The last vCPU to find
 * every vCPU halted for good in this round ends the VM.
 */
static void vcpu_answer_halt_poll(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	unsigned round = atomic_load(&vm->halt_round);

	if (!board_info.kernel_irqchip || !round ||
	    atomic_load(&vcpu->halted_round) == round)
		return;
	if (!vcpu_halted_for_good(vcpu))
		return;
	atomic_store(&vcpu->halted_round, round);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (atomic_load(&vm->vcpus[i].halted_round) != round)
			return;
	log_msg(LOG_INFO, "boardvm: every vCPU is halted with interrupts "
		"off: the guest stopped (powered off)\n");
	vm_request_stop(vm, VMM_EXIT_OK);
}

/* Any exit but an access; false when this vCPU must stop running. */
static bool vcpu_handle_other_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_INTR:
		return true;	/* a signal: the loop checks `stopping` */
	case KVM_EXIT_HLT:
		if (run->if_flag)
			return true;
		vm_request_stop(vcpu->vm, VMM_EXIT_OK);
		return false;
	case KVM_EXIT_SHUTDOWN:
		vcpu_fatal(vcpu, VMM_EXIT_RESET,
			   "triple fault (shutdown): the machine resets");
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

/* One exit; false when this vCPU must stop running. Accesses first. */
static inline bool vcpu_handle_exit(struct vcpu *vcpu)
{
	uint32_t reason = vcpu->run->exit_reason;

	if (reason == KVM_EXIT_IO)
		vcpu_exit_io(vcpu);
	else if (reason == KVM_EXIT_MMIO)
		vcpu_exit_mmio(vcpu);
	else
		return vcpu_handle_other_exit(vcpu);
	pci_remap_kvm_sync();		/* a BAR move's ioctls, unlocked */
	return true;
}

/*
 * Threads are created before the syscall filter goes in (it is installed
 * on all of them at once), but no guest instruction runs before it: each
 * waits here until vcpu_go_all(), or a stop request that joins it.
 */
static void vcpu_wait_go(struct vm *vm)
{
	pthread_mutex_lock(&vm->gate_lock);
	while (!vm->gate_open)
		pthread_cond_wait(&vm->gate_cond, &vm->gate_lock);
	pthread_mutex_unlock(&vm->gate_lock);
}

void vcpu_go_all(struct vm *vm)
{
	pthread_mutex_lock(&vm->gate_lock);
	vm->gate_open = true;
	pthread_cond_broadcast(&vm->gate_cond);
	pthread_mutex_unlock(&vm->gate_lock);
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
	vcpu_wait_go(vm);
	while (!atomic_load(&vm->stopping)) {
		if (atomic_load(&vm->pause_requested)) {
			vcpu_park(vcpu);
			continue;
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			int err = errno;

			if (err == EINTR) {
				vcpu_answer_dump(vcpu);
				vcpu_answer_halt_poll(vcpu);
			}
			if (err == EINTR || err == EAGAIN)
				continue;
			fprintf(stderr, "boardvm: vCPU %u: KVM_RUN: %s\n",
				vcpu->index, strerror(err));
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

/*
 * The threads inherit main's mask: stop signals blocked, SIG_KICK not.
 * They wait for vcpu_go_all() before their first KVM_RUN.
 */
int vcpu_start_all(struct vm *vm)
{
	host_probe_hw_virt();
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

/* After a stop request: threads still at the gate see it and return. */
void vcpu_join_all(struct vm *vm)
{
	vcpu_go_all(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
}
