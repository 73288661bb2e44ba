/* SPDX-License-Identifier: MIT */
/*
 * The VMM core: one VM built from the board's generated tables, its vCPU
 * threads and its I/O thread. Private to vmm/ (kvm.c, vcpu.c, io-thread.c,
 * boot-flat.c, main.c, stats.c); devices never see it.
 *
 * Lifetime: vm_create() -> vcpu_create_all() -> a loader sets every vCPU
 * (boot_flat_load(); the Linux loaders fill a struct boot_cpu_state the
 * same way) -> io_thread_start() -> vcpu_start_all() (the threads wait)
 * -> seccomp_install() -> vcpu_go_all() -> main waits for a stop request
 * -> vcpu_join_all() -> io_thread_stop() -> vm_destroy().
 */
#ifndef BOARDVM_VMM_H
#define BOARDVM_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/kvm.h>

#include "board-tables.h"
#include "boot-linux.h"
#include "cpuid-features.h"
#include "dispatch.h"
#include "guest-ram.h"
#include "insn.h"
#include "irqfd.h"

/*
 * The VMM's own exit statuses (a guest's debug-exit code is passed through
 * as it is, so a guest test should use codes outside these).
 */
enum vmm_status {
	VMM_EXIT_OK = 0,		/* guest powered off, halted for good */
	VMM_EXIT_USAGE = 1,		/* bad command line */
	VMM_EXIT_SETUP = 2,		/* KVM or host setup failed */
	VMM_EXIT_INTERNAL = 3,		/* KVM internal error, failed entry */
	VMM_EXIT_RESET = 4,		/* triple fault, i8042 reset */
	VMM_EXIT_UNSUPPORTED = 5,	/* KVM cannot run a guest instruction */
	VMM_EXIT_SIGNAL = 128,		/* + signal number (SIGINT: 130) */
};

#define VMM_MAX_CPUID_HIDE	64

/* --mem-backing: what guest RAM is mapped with (vmm/kvm.c). */
enum vm_mem_backing {
	VM_MEM_ANON,			/* plain anonymous: THP as the host says */
	VM_MEM_THP,			/* anonymous + MADV_HUGEPAGE */
	VM_MEM_HUGETLB,			/* MAP_HUGETLB, 2 MiB pages */
};

struct vm_options {
	uint64_t mem;			/* guest RAM bytes */
	enum vm_mem_backing mem_backing;
	unsigned cpus;
	bool trace_io;
	bool stats;
	bool stats_json;		/* --stats-format json */
	bool reboot;			/* --reboot: a reset boots again */
	bool no_seccomp;		/* --no-seccomp: no syscall filter */
	bool seccomp_selftest;		/* try socket() once it is in */
	/* --shutdown-timeout: seconds a power-button press may take; 0: off */
	unsigned shutdown_timeout_s;
	/* CPUID features hidden from the guest: table indices. */
	unsigned nr_cpuid_hide;
	unsigned cpuid_hide[VMM_MAX_CPUID_HIDE];
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;			/* pthread_create succeeded: join it */
	pthread_t self;			/* set by the thread itself... */
	atomic_bool kickable;		/* ...then this: kick it to stop */
	struct dispatch_ctx ctx;
	struct region_stats *stats;	/* board_info.nr_regions */
	uint64_t exits;			/* every return from KVM_RUN */
	uint64_t io_exits, mmio_exits;
	/* The last halt poll round that found it halted, interrupts off. */
	atomic_uint halted_round;
	atomic_uint dumped_round;	/* the last SIGQUIT dump it answered */
};

/* Memory behind a memslot: a RAM chunk or a backed reserved range. */
struct vm_mem {
	uint64_t gpa, size;
	void *host;
	void *map;			/* the whole mapping, for munmap */
	uint64_t map_size;
	const char *name;		/* the board region it came from */
};

#define VM_MAX_MEM		GUEST_RAM_MAX_SPANS

struct vm {
	const struct vm_options *opts;
	int kvm_fd, vm_fd;
	size_t run_size;		/* vCPU mmap size */
	unsigned nr_mem;
	struct vm_mem mem[VM_MAX_MEM];
	struct guest_ram ram;		/* the same spans, for the loaders */
	struct kvm_cpuid2 *cpuid;	/* supported, minus hidden features */
	struct vm_irqs irqs;		/* device interrupts (irqfd.c) */

	/* KVM's coalesced ring, shared by all vCPUs; NULL when unused. */
	struct kvm_coalesced_mmio_ring *ring;
	unsigned ring_max;		/* entries in the ring */
	pthread_mutex_t ring_lock;	/* held only while draining */

	unsigned nr_vcpus;
	struct vcpu *vcpus;

	/* vCPU threads wait here until setup (seccomp) is over. */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	bool gate_open;

	/* Stop: first request wins and sets the status. */
	atomic_bool stopping;
	int status;
	pthread_t main_thread;
	/*
	 * Pause (the API's PATCH /vm): vCPUs park between two KVM_RUNs,
	 * so an exit's access is either done or not begun, never half.
	 */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	atomic_bool pause_requested;
	unsigned parked;		/* vCPUs waiting in vcpu_park() */
	/* Halt polling (in-kernel irqchip): the round main last started. */
	atomic_uint halt_round;
	atomic_uint dump_round;		/* SIGQUIT: dump every vCPU */
	/* The power button was pressed (SIGTERM, the API): main arms the
	 * hard stop. */
	atomic_bool shutdown_pressed;
};

/* kvm.c: the VM, its memory, in-kernel chips and CPUID. */
struct ram_span;
struct ram_fill_fault;
int vm_ram_fill(uint64_t mem, struct ram_span *spans,
		struct ram_fill_fault *fault);		/* quiet */
void vm_ram_fault_str(const struct ram_fill_fault *fault, char *buf,
		      size_t len);
int vm_ram_layout(uint64_t mem, struct ram_span *spans);
int vm_create(struct vm *vm, const struct vm_options *opts);
void vm_destroy(struct vm *vm);
int vcpu_create_all(struct vm *vm);
void vcpu_destroy_all(struct vm *vm);
int vcpu_set_boot_state(struct vcpu *vcpu, const struct boot_cpu_state *s);
int vcpu_make_runnable(struct vcpu *vcpu);
void vcpu_dump_regs(struct vcpu *vcpu, FILE *out);

/* "default,avx512f,-cx16" -> opts->cpuid_hide; -1 with a message. */
int cpuid_hide_parse(struct vm_options *opts, const char *list);

/* vcpu.c: the run loop, one thread per vCPU, and stopping. */
int vcpu_start_all(struct vm *vm);
void vcpu_go_all(struct vm *vm);
void vcpu_join_all(struct vm *vm);
void vm_request_stop(struct vm *vm, int status);
/* main.c: press the power button; false when nobody takes the press. */
bool vm_shutdown(struct vm *vm);
#define VMM_SHUTDOWN_TIMEOUT_DEFAULT	30	/* seconds */
void vm_replay_coalesced(struct vm *vm, struct dispatch_ctx *ctx);

/* Before every exit is handled: two loads when the ring is empty. */
static inline void vm_drain_coalesced(struct vm *vm,
				      struct dispatch_ctx *ctx)
{
	struct kvm_coalesced_mmio_ring *ring = vm->ring;

	if (ring && __atomic_load_n(&ring->first, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
		vm_replay_coalesced(vm, ctx);
}
void vm_poll_halted(struct vm *vm);
void vm_dump_vcpus(struct vm *vm);
int vmm_signals_init(void);
/* Before the first thread: INT/TERM/HUP to main's sigwait(); after the last. */
void vmm_signals_block(void);
void vmm_signals_unblock(void);
/* Park every started vCPU and return once they all are; and undo it. */
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);
bool vm_is_paused(struct vm *vm);

/* io-thread.c: ioeventfd doorbells, coalesced zones, device fds. */
int io_thread_start(struct vm *vm);
void io_thread_stop(struct vm *vm);
void io_thread_free(void);
/* host->doorbell_fd(): a doorbell's eventfd, unwatched (vhost takes it). */
int io_thread_doorbell_fd(struct device_host *host, struct device *dev,
			  unsigned slot);
void io_thread_poll_enable(struct device_host *host, struct device *dev,
			   bool on);
struct dispatch_ctx *io_thread_ctx(void);
/* The eventfd of board_async[i] (an async doorbell), or -1. */
int io_thread_async_fd(unsigned i);

/* pci-kvm.c: PCI BAR moves reach KVM. */
int pci_kvm_async_move(void *vm, unsigned i, bool was, uint64_t old_addr,
		       bool now, uint64_t new_addr);

/* boot-flat.c: --flat FILE@ADDR. */
int boot_flat_parse(const char *spec, const char **path, uint64_t *addr);
int boot_flat_load(struct vm *vm, const char *path, uint64_t addr);

/* stats.c: --stats at exit, and the same counters as JSON. */
struct json_object;
void stats_print(struct vm *vm, FILE *out);
void stats_print_json(struct vm *vm, FILE *out);
struct json_object *stats_to_json(struct vm *vm, bool all);

#endif
