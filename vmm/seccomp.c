// SPDX-License-Identifier: MIT
/*
 * The syscall allowlist (vmm/seccomp.h, docs/security.md).
 *
 * The policy is a table of rules: base rules every VM needs, rules that a
 * board property turns on (in-kernel irqchip, async bindings), and one
 * rule per host need a device type declares in machine/device-types.def
 * (HOST_NEED_CONSOLE, _DISK, _ENTROPY, _NET): no type is named here.
 * seccomp_policy_build() collects the rules that apply to this board into
 * a set of syscalls and a set of ioctl requests; the filter is classic BPF
 * generated from those sets:
 *
 *   arch != x86_64                 -> kill the process
 *   nr has the x32 bit             -> trap
 *   ioctl                          -> allowed request numbers, else trap
 *   mmap, mprotect                 -> allowed without PROT_EXEC, else trap
 *   socket                         -> allowed for AF_UNIX only, else trap
 *   nr in the set                  -> allow
 *   anything else                  -> trap
 *
 * Trap, not kill: SECCOMP_RET_TRAP stops the syscall just as surely (it
 * never runs), and the SIGSYS handler can say which syscall it was, the
 * one thing a user needs to fix a policy or report a bug. rt_sigaction is
 * not allowed once the filter is in, so nothing can replace the handler;
 * and a thread that blocks SIGSYS is killed by the kernel instead.
 */
#define _GNU_SOURCE		/* REG_RSI, REG_RDI */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/vhost.h>

#include "common.h"
#include "console.h"
#include "board-tables.h"
#include "instances.h"
#include "seccomp.h"
#include "vsock-option.h"

#define SECCOMP_MAX_NR		512
#define SECCOMP_MAX_IOCTLS	32
#define X32_SYSCALL_BIT		0x40000000u

/* Every syscall's name, generated from <asm/unistd.h> by vmm/vmm.mk. */
static const char *const syscall_names[SECCOMP_MAX_NR] = {
#include "syscall-names.h"
};

struct seccomp_ioctl {
	unsigned long request;
	const char *name;
};

#define IOCTL(req)		{ req, #req }
#define SYSCALLS(...)		((const int[]){ __VA_ARGS__, -1 })
#define IOCTLS(...)		((const struct seccomp_ioctl[]){ __VA_ARGS__, \
				  { 0, NULL } })

/*
 * One rule: the syscalls and ioctl requests it allows and why. A base
 * rule (need 0) applies when board_needs() says so (NULL: always); a
 * device rule applies when a board device's type declares the need and
 * device_needs() says so for that device (NULL: every one).
 */
struct seccomp_rule {
	unsigned need;				/* enum host_need bit */
	bool (*board_needs)(void);
	bool (*device_needs)(const struct board_device *dev);
	const char *why;
	const int *syscalls;			/* ends with -1 */
	const struct seccomp_ioctl *ioctls;	/* ends with a NULL name */
};

static bool board_has_irqs(void)
{
	if (!board_info.kernel_irqchip)
		return false;
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		if (board_devices[i].irq >= 0)
			return true;
	return false;
}

static bool board_has_ioeventfds(void)
{
	for (unsigned i = 0; i < board_info.nr_async; i++)
		if (board_async[i].binding == BINDING_ASYNC)
			return true;
	return false;
}

/* A PCI function with a binding of this kind: its BAR moves take it along. */
static bool board_has_pci_binding(unsigned binding)
{
	for (unsigned i = 0; i < board_info.nr_async; i++) {
		const struct board_async *a = &board_async[i];

		if (a->binding == binding &&
		    board_devices[board_regions[a->region].device].type->pci)
			return true;
	}
	return false;
}

static bool board_has_pci_ioeventfds(void)
{
	return board_has_pci_binding(BINDING_ASYNC);
}

static bool board_has_pci_coalesced(void)
{
	return board_has_pci_binding(BINDING_COALESCED);
}

static bool device_is_console(const struct board_device *dev)
{
	for (unsigned i = 0; i < dev->nr_props; i++)
		if (!strcmp(dev->props[i].name, "console"))
			return dev->props[i].number != 0;
	return false;
}

/* A vsock device with a --vsock backend: it has host sockets to serve. */
static bool device_has_vsock_backend(const struct board_device *dev)
{
	return vsock_option_given(dev->name);
}

/* What the command line asked for beyond the board (seccomp.h). */
static unsigned seccomp_options;

/* A virtio-net device on a board run with --net has a tap. */
static bool device_has_tap(const struct board_device *dev)
{
	return seccomp_options & SECCOMP_OPT_NET;
}

/* ... and with vhost=on, a /dev/vhost-net. */
static bool device_has_vhost(const struct board_device *dev)
{
	return seccomp_options & SECCOMP_OPT_VHOST;
}

void seccomp_set_options(unsigned options)
{
	seccomp_options = options;
}

static bool option_api(void)
{
	return seccomp_options & SECCOMP_OPT_API;
}

static bool option_console_input(void)
{
	return seccomp_options & SECCOMP_OPT_CONSOLE_INPUT;
}

/*
 * The terminal: console_restore() is tcsetattr(TCSAFLUSH), which glibc
 * 2.36 makes TCGETS, TCSETSF, TCGETS (strace; tests/vmm/seccomp-used.sh).
 */
#define CONSOLE_IOCTLS	IOCTLS(IOCTL(TCGETS), IOCTL(TCSETSF))

static const struct seccomp_rule seccomp_rules[] = {
	{ .why = "vCPUs run; halt states (poweroff); registers and the "
		 "instruction dumped on a fatal exit or SIGQUIT",
	  .syscalls = SYSCALLS(__NR_restart_syscall),
	  .ioctls = IOCTLS(IOCTL(KVM_RUN), IOCTL(KVM_GET_MP_STATE),
			   IOCTL(KVM_GET_REGS), IOCTL(KVM_GET_SREGS),
			   IOCTL(KVM_TRANSLATE)) },
	{ .why = "logs and --stats on stderr, the I/O thread's stop "
		 "eventfd, teardown",
	  .syscalls = SYSCALLS(__NR_write, __NR_close) },
	{ .why = "threads: locks, kicks (SIGUSR1) and the stop signals",
	  .syscalls = SYSCALLS(__NR_futex, __NR_rt_sigreturn,
			       __NR_rt_sigprocmask, __NR_rt_sigtimedwait,
			       __NR_tgkill, __NR_getpid, __NR_gettid,
			       __NR_sched_yield, __NR_exit) },
	/*
	 * The filter goes in once the threads exist, but a thread may not
	 * have run yet: glibc's start_thread() then registers it, with
	 * every signal (SIGSYS too) still blocked.
	 */
	{ .why = "a new thread registers itself with the kernel",
	  .syscalls = SYSCALLS(__NR_set_robust_list, __NR_rseq) },
	{ .why = "memory: malloc and free (never executable), thread stacks",
	  .syscalls = SYSCALLS(__NR_mmap, __NR_mprotect, __NR_munmap,
			       __NR_madvise, __NR_brk) },
	{ .why = "time: device clocks, --stats handler timing (the vDSO's "
		 "fallback)",
	  .syscalls = SYSCALLS(__NR_clock_gettime) },
	{ .why = "the I/O thread waits on its epoll set",
	  .syscalls = SYSCALLS(__NR_epoll_wait) },
	{ .why = "exit",
	  .syscalls = SYSCALLS(__NR_exit_group) },
	{ .why = "the board wires device interrupts to an in-kernel irqchip: "
		 "the irqfds are written, level lines' resample fds read",
	  .board_needs = board_has_irqs,
	  .syscalls = SYSCALLS(__NR_read) },
	{ .why = "the board has async bindings: the I/O thread reads their "
		 "ioeventfds",
	  .board_needs = board_has_ioeventfds,
	  .syscalls = SYSCALLS(__NR_read) },
	{ .why = "the board has PCI functions: an MSI-X vector's first use "
		 "makes its irqfd, a vector the guest reprograms rewrites its "
		 "route, a vector without one goes by KVM_SIGNAL_MSI",
	  .board_needs = machine_has_pci_functions,
	  .syscalls = SYSCALLS(__NR_eventfd2),
	  .ioctls = IOCTLS(IOCTL(KVM_SIGNAL_MSI), IOCTL(KVM_IRQFD),
			   IOCTL(KVM_SET_GSI_ROUTING)) },
	{ .why = "the board has PCI functions with async bindings: a BAR the "
		 "guest moves takes its ioeventfds along",
	  .board_needs = board_has_pci_ioeventfds,
	  .ioctls = IOCTLS(IOCTL(KVM_IOEVENTFD)) },
	{ .why = "the board has PCI functions with coalesced bindings: a BAR "
		 "the guest moves takes its coalesced zones along",
	  .board_needs = board_has_pci_coalesced,
	  .ioctls = IOCTLS(IOCTL(KVM_REGISTER_COALESCED_MMIO),
			   IOCTL(KVM_UNREGISTER_COALESCED_MMIO)) },
	{ .why = "--api-sock: libmicrohttpd's thread accepts, reads and "
		 "answers connections on the Unix socket, and closes them",
	  .board_needs = option_api,
	  .syscalls = SYSCALLS(__NR_accept4, __NR_accept, __NR_recvfrom,
			       __NR_sendto, __NR_sendmsg, __NR_read,
			       __NR_write, __NR_writev, __NR_epoll_ctl,
			       __NR_shutdown, __NR_setsockopt,
			       __NR_getsockopt, __NR_fcntl, __NR_close,
			       __NR_poll, __NR_ppoll) },
	{ .why = "--serial gives a device input (stdio, a pty, a socket): "
		 "reads it, stops polling it at EOF, restores a terminal",
	  .board_needs = option_console_input,
	  .syscalls = SYSCALLS(__NR_read, __NR_epoll_ctl),
	  .ioctls = CONSOLE_IOCTLS },

	/* What device types declare they need (HOST_NEED_*). */
	{ .need = HOST_NEED_CONSOLE, .device_needs = device_is_console,
	  .why = "console: reads stdin, stops polling it at EOF, restores "
		 "the terminal",
	  .syscalls = SYSCALLS(__NR_read, __NR_epoll_ctl),
	  .ioctls = CONSOLE_IOCTLS },
	/*
	 * The ring does the reads, writes and flushes: io_uring_enter
	 * submits and, at a reset, waits. Its operations bypass this
	 * filter, so the ring itself is restricted to READV, WRITEV and
	 * FSYNC on the disk as a fixed file (devices/virtio-blk.c); no
	 * io_uring_setup or io_uring_register after the filter.
	 */
	{ .need = HOST_NEED_DISK,
	  .why = "the --disk image: reads, writes and flushes through the "
		 "device's io_uring (io_uring_enter), the completion eventfd "
		 "read (image opened, sized and locked and the ring set up "
		 "and restricted before the filter; the lock goes with close)",
	  .syscalls = SYSCALLS(__NR_io_uring_enter, __NR_read) },
	{ .need = HOST_NEED_NET, .device_needs = device_has_tap,
	  .why = "--net: frames read from and written to the tap, its "
		 "polling stopped and resumed with the guest's receive "
		 "buffers, the offloads the guest negotiated (opened and "
		 "set up before the filter)",
	  .syscalls = SYSCALLS(__NR_read, __NR_writev, __NR_epoll_ctl),
	  .ioctls = IOCTLS(IOCTL(TUNSETOFFLOAD)) },
	{ .need = HOST_NEED_NET, .device_needs = device_has_vhost,
	  .why = "--net ...,vhost=on: the rings handed to the kernel at "
		 "DRIVER_OK and taken back at reset (/dev/vhost-net opened "
		 "and owned before the filter); its call eventfd read",
	  .syscalls = SYSCALLS(__NR_read, __NR_epoll_ctl),
	  .ioctls = IOCTLS(IOCTL(VHOST_SET_FEATURES),
			   IOCTL(VHOST_SET_MEM_TABLE),
			   IOCTL(VHOST_SET_VRING_NUM),
			   IOCTL(VHOST_SET_VRING_BASE),
			   IOCTL(VHOST_SET_VRING_ADDR),
			   IOCTL(VHOST_SET_VRING_KICK),
			   IOCTL(VHOST_SET_VRING_CALL),
			   IOCTL(VHOST_GET_VRING_BASE),
			   IOCTL(VHOST_NET_SET_BACKEND)) },
	{ .need = HOST_NEED_ENTROPY,
	  .why = "entropy for the guest",
	  .syscalls = SYSCALLS(__NR_getrandom) },
	{ .need = HOST_NEED_VSOCK, .device_needs = device_has_vsock_backend,
	  .why = "--vsock: the device's epoll set of Unix sockets; accepts "
		 "host connections, connects guest ones to PATH_<port>, moves "
		 "their data, half-closes and closes them",
	  .syscalls = SYSCALLS(__NR_epoll_wait, __NR_epoll_ctl,
			       __NR_accept4, __NR_socket, __NR_connect,
			       __NR_readv, __NR_recvfrom, __NR_sendmsg,
			       __NR_sendto, __NR_shutdown, __NR_close) },
};

#if defined(__SANITIZE_ADDRESS__)
#define SECCOMP_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SECCOMP_SANITIZER	1
#endif
#endif

#ifdef SECCOMP_SANITIZER
/*
 * SANITIZE=1 builds only: a sanitizer report reads /proc/self/maps.
 * LeakSanitizer's check ptrace()s every thread from a helper process,
 * which no filter should allow: it runs once, just before the filter goes
 * in (seccomp_install()), instead of at exit.
 */
static const struct seccomp_rule sanitizer_rule = {
	.why = "SANITIZE=1 build: sanitizer reports",
	.syscalls = SYSCALLS(__NR_openat, __NR_open, __NR_read,
			     __NR_readlink, __NR_fstat, __NR_newfstatat,
			     __NR_getdents64, __NR_lseek, __NR_sigaltstack,
			     __NR_sched_getaffinity, __NR_prctl),
};
void __lsan_do_leak_check(void);
#endif

/*
 * The policy for this board: which rule first allowed each item, and for
 * a device rule the device type that needed it.
 */
struct seccomp_policy {
	const struct seccomp_rule *nr_rule[SECCOMP_MAX_NR];
	const char *nr_type[SECCOMP_MAX_NR];
	const struct seccomp_ioctl *ioctl[SECCOMP_MAX_IOCTLS];
	const struct seccomp_rule *ioctl_rule[SECCOMP_MAX_IOCTLS];
	const char *ioctl_type[SECCOMP_MAX_IOCTLS];
	unsigned nr_ioctls;
};

static void policy_add(struct seccomp_policy *p, const struct seccomp_rule *r,
		       const char *type)
{
	for (const int *nr = r->syscalls; nr && *nr >= 0; nr++) {
		if (*nr < SECCOMP_MAX_NR && !p->nr_rule[*nr]) {
			p->nr_rule[*nr] = r;
			p->nr_type[*nr] = type;
		}
	}
	for (const struct seccomp_ioctl *io = r->ioctls; io && io->name; io++) {
		unsigned i;

		for (i = 0; i < p->nr_ioctls; i++)
			if (p->ioctl[i]->request == io->request)
				break;
		if (i < p->nr_ioctls || p->nr_ioctls == SECCOMP_MAX_IOCTLS)
			continue;
		p->ioctl[p->nr_ioctls] = io;
		p->ioctl_type[p->nr_ioctls] = type;
		p->ioctl_rule[p->nr_ioctls++] = r;
	}
}

/*
 * Whether rule r applies to this board; for a device rule, *type is the
 * type of the first device that needs it (named in --seccomp-policy).
 */
static bool rule_applies(const struct seccomp_rule *r, const char **type)
{
	*type = NULL;
	if (!r->need)
		return !r->board_needs || r->board_needs();
	for (unsigned i = 0; i < board_info.nr_devices; i++) {
		const struct board_device *dev = &board_devices[i];

		if (!(dev->type->host_needs & r->need))
			continue;
		if (!r->device_needs || r->device_needs(dev)) {
			*type = dev->type->name;
			return true;
		}
	}
	return false;
}

static void seccomp_policy_build(struct seccomp_policy *p)
{
	const char *type;

	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < ARRAY_SIZE(seccomp_rules); i++)
		if (rule_applies(&seccomp_rules[i], &type))
			policy_add(p, &seccomp_rules[i], type);
#ifdef SECCOMP_SANITIZER
	policy_add(p, &sanitizer_rule, NULL);
#endif
}

static const char *syscall_name(unsigned long nr)
{
	if (nr < SECCOMP_MAX_NR && syscall_names[nr])
		return syscall_names[nr];
	return "?";
}

/* The filter */

#define ARG_LO(n)	(offsetof(struct seccomp_data, args[n]))
#define ARG_HI(n)	(offsetof(struct seccomp_data, args[n]) + 4)
#define STMT(code, k)		((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, t, f)	((struct sock_filter)BPF_JUMP(code, k, t, f))

/* Room for every syscall, every ioctl and the fixed parts. */
#define FILTER_MAX	(2 * SECCOMP_MAX_NR + 2 * SECCOMP_MAX_IOCTLS + 32)

struct filter {
	struct sock_filter insn[FILTER_MAX];
	unsigned len;
};

static void emit(struct filter *f, struct sock_filter insn)
{
	if (f->len < FILTER_MAX)
		f->insn[f->len++] = insn;
}

/* ioctl: the request's high word must be 0, its low word in the set. */
static void emit_ioctls(struct filter *f, const struct seccomp_policy *p)
{
	/* The block below: 5 fixed instructions and 2 per request. */
	unsigned block = 5 + 2 * p->nr_ioctls;

	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, block));
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(1)));
	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)));
	for (unsigned i = 0; i < p->nr_ioctls; i++) {
		emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			     (uint32_t)p->ioctl[i]->request, 0, 1));
		emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	}
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
}

/* mmap and mprotect: never PROT_EXEC (args[2]). */
static void emit_prot_check(struct filter *f)
{
	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 1, 0));
	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 0, 4));
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)));
	emit(f, JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
}

/*
 * socket: AF_UNIX only (args[0], an int: its low word). The --vsock
 * backend dials PATH_<port>; nothing after the filter may open a network
 * socket.
 */
static void emit_socket_check(struct filter *f)
{
	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 4));
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)));
	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	/* Other syscalls: args[0] was not loaded; reload nr below. */
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)));
}

static void filter_build(struct filter *f, const struct seccomp_policy *p)
{
	f->len = 0;
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)));
	emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	emit(f, STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)));
	emit(f, JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1));
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	if (p->nr_ioctls)
		emit_ioctls(f, p);
	if (p->nr_rule[__NR_mmap] || p->nr_rule[__NR_mprotect])
		emit_prot_check(f);
	if (p->nr_rule[__NR_socket])
		emit_socket_check(f);
	for (unsigned nr = 0; nr < SECCOMP_MAX_NR; nr++) {
		if (!p->nr_rule[nr] || nr == __NR_ioctl || nr == __NR_mmap ||
		    nr == __NR_mprotect || nr == __NR_socket)
			continue;
		emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
		emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	}
	emit(f, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
}

/* The SIGSYS handler: async-signal-safe, so no stdio. */

static size_t put_str(char *buf, size_t at, size_t size, const char *s)
{
	while (*s && at + 1 < size)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, size_t size, unsigned long v,
		      unsigned base)
{
	char digits[24];
	unsigned n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		at = put_str(buf, at, size, "0x");
	while (n && at + 1 < size)
		buf[at++] = digits[--n];
	return at;
}

/* The policy allows socket(), for AF_UNIX only: the trap says which. */
static bool socket_unix_only;

static void seccomp_sigsys(int sig, siginfo_t *info, void *uctx)
{
	ucontext_t *uc = uctx;
	char msg[256];
	size_t n = 0;

	console_restore();
	n = put_str(msg, n, sizeof(msg), "boardvm: seccomp: forbidden system "
		    "call ");
	n = put_num(msg, n, sizeof(msg), info->si_syscall, 10);
	n = put_str(msg, n, sizeof(msg), " (");
	n = put_str(msg, n, sizeof(msg), syscall_name(info->si_syscall));
	if (info->si_syscall == __NR_ioctl) {
		n = put_str(msg, n, sizeof(msg), " request ");
		n = put_num(msg, n, sizeof(msg),
			    uc->uc_mcontext.gregs[REG_RSI], 16);
	}
	if (info->si_syscall == __NR_socket && socket_unix_only) {
		n = put_str(msg, n, sizeof(msg), " domain ");
		n = put_num(msg, n, sizeof(msg),
			    uc->uc_mcontext.gregs[REG_RDI], 10);
		n = put_str(msg, n, sizeof(msg), ", not AF_UNIX");
	}
	n = put_str(msg, n, sizeof(msg), "): not in board ");
	n = put_str(msg, n, sizeof(msg), board_info.name);
	n = put_str(msg, n, sizeof(msg), "'s policy (see boardvm "
		    "--seccomp-policy; --no-seccomp to debug)\n");
	if (write(STDERR_FILENO, msg, n) < 0) {
		/* nothing left to tell */
	}
	_exit(VMM_EXIT_SECCOMP);
}

static int sigsys_handler_install(void)
{
	struct sigaction sa = {
		.sa_sigaction = seccomp_sigsys,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

/* Installed: the process may no longer unlink, open, ... */
static bool seccomp_in;

bool seccomp_active(void)
{
	return seccomp_in;
}

int seccomp_install(void)
{
	static struct seccomp_policy policy;
	static struct filter filter;
	struct sock_fprog prog;
	long ret;

	/*
	 * libc state loaded on first use, from files no policy lets the VMM
	 * open: the time zone (gmtime_r() in cmos-rtc reads /etc/localtime).
	 */
	tzset();
#ifdef SECCOMP_SANITIZER
	__lsan_do_leak_check();
#endif
	seccomp_policy_build(&policy);
	filter_build(&filter, &policy);
	socket_unix_only = policy.nr_rule[__NR_socket] != NULL;
	if (filter.len == FILTER_MAX) {
		fprintf(stderr, "boardvm: seccomp: the filter for board %s "
			"outgrew %u instructions\n", board_info.name,
			FILTER_MAX);
		return -1;
	}
	prog = (struct sock_fprog) { .len = filter.len, .filter = filter.insn };
	if (sigsys_handler_install() < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("boardvm: seccomp: SIGSYS handler or no_new_privs");
		return -1;
	}
	ret = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		      SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (ret != 0) {
		fprintf(stderr, "boardvm: seccomp: cannot install the syscall "
			"filter: %s (run with --no-seccomp on a kernel "
			"without seccomp filters)\n",
			ret < 0 ? strerror(errno) : "a thread refused TSYNC");
		return -1;
	}
	seccomp_in = true;
	return 0;
}

void seccomp_print_policy(FILE *out)
{
	static struct seccomp_policy policy;

	seccomp_policy_build(&policy);
	fprintf(out, "seccomp policy of board %s: anything not listed "
		"stops the VMM (status %d)\n", board_info.name,
		VMM_EXIT_SECCOMP);
	for (unsigned nr = 0; nr < SECCOMP_MAX_NR; nr++) {
		const struct seccomp_rule *r = policy.nr_rule[nr];
		const char *type = policy.nr_type[nr];

		if (!r || nr == __NR_ioctl)
			continue;
		fprintf(out, "syscall %s%s: %s%s%s\n", syscall_name(nr),
			nr == __NR_mmap || nr == __NR_mprotect ?
			" (not PROT_EXEC)" : nr == __NR_socket ?
			" (AF_UNIX only)" : "", type ? type : "",
			type ? ": " : "", r->why);
	}
	for (unsigned i = 0; i < policy.nr_ioctls; i++) {
		const struct seccomp_rule *r = policy.ioctl_rule[i];
		const char *type = policy.ioctl_type[i];

		fprintf(out, "ioctl %s: %s%s%s\n", policy.ioctl[i]->name,
			type ? type : "", type ? ": " : "", r->why);
	}
}

void seccomp_selftest(void)
{
	long fd = syscall(__NR_socket, AF_UNIX, SOCK_STREAM, 0);

	/* Reached only where the policy allows AF_UNIX sockets (--vsock). */
	fprintf(stderr, "boardvm: seccomp self-test: socket(AF_UNIX) %s\n",
		fd < 0 ? "failed" : "succeeded");
	if (fd >= 0)
		close(fd);
	fd = syscall(__NR_socket, AF_INET, SOCK_STREAM, 0);
	fprintf(stderr, "boardvm: seccomp self-test: socket() %s: no filter "
		"is installed\n", fd < 0 ? "failed" : "succeeded");
	if (fd >= 0)
		close(fd);
}
