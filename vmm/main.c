// SPDX-License-Identifier: MIT
/*
 * boardvm: the command line and the VM's life, nothing else. The machine
 * itself (RAM regions, devices, bindings) was fixed at build time by the
 * board file; options only pick sizes and what to boot.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli-help.h"
#include "common.h"
#include "console.h"
#include "numbers.h"		/* parse_size(), parse_number() */
#include "ratelimit.h"
#include "api.h"
#include "boot-linux.h"
#include "console-backend.h"
#include "host-input.h"
#include "jail.h"
#include "log.h"
#include "metrics.h"
#include "mptable.h"
#include "acpi.h"
#include "pci-remap.h"
#include "ram-layout.h"
#include "seccomp.h"
#include "tap.h"
#include "trace.h"
#include "vmm.h"
#include "vsock-option.h"

#ifndef BOARDVM_VERSION
#define BOARDVM_VERSION		"0.1"
#endif

/* What to boot: exactly one loader, --flat or --kernel. */
struct boot_request {
	const char *flat_path;
	uint64_t flat_addr;
	const char *kernel;		/* bzImage, or vmlinux (PVH) */
	const char *initrd;
	const char *append;
	bool virtio_mmio_cmdline;	/* --virtio-mmio-cmdline */
};

/* The command line, from vmm/boardvm-options.def. */
enum {
	OPT_FIRST = 0xff,
#define OPTION(id, shrt, lng, arg, metavar, help) OPT_##id,
#include "boardvm-options.def"
};

/* The jail's options are consecutive, in enum jail_option's order. */
_Static_assert(OPT_UID - OPT_JAIL == JAIL_OPT_UID &&
	       OPT_GID - OPT_JAIL == JAIL_OPT_GID &&
	       OPT_JAIL_CGROUP - OPT_JAIL == JAIL_OPT_CGROUP &&
	       OPT_JAIL_SELFTEST - OPT_JAIL == JAIL_OPT_SELFTEST,
	       "boardvm-options.def: --jail's options out of jail.h's order");

/* getopt's value: the short letter, or OPT_<ID>. */
static const struct option long_options[] = {
#define OPTION(id, shrt, lng, arg, metavar, help) \
	{ lng, arg, NULL, shrt ? shrt : OPT_##id },
#include "boardvm-options.def"
	{ NULL, 0, NULL, 0 },
};

static const char *const usage_lines[] = {
#define USAGE(text) text,
#include "boardvm-options.def"
};

static const struct cli_option option_table[] = {
#define OPTION(id, shrt, lng, arg, metavar, help) \
	{ shrt, lng, arg, false, metavar, help },
#include "boardvm-options.def"
};

static const struct cli_item exit_statuses[] = {
#define STATUS(code, help) { code, help },
#include "boardvm-options.def"
};

static const struct cli_item signals[] = {
#define SIGNAL(name, help) { name, help },
#include "boardvm-options.def"
};

static void usage(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(usage_lines); i++) {
		fprintf(out, "%s boardvm ", i ? "      " : "usage:");
		cli_help_wrap(out, usage_lines[i], 15, 19);
	}
	fprintf(out, "A KVM virtual machine built from board %s (%s):\n"
		"RAM default %" PRIu64 " bytes, 1 to %u vCPUs (default %u).\n\n",
		board_info.name, board_info.source, board_info.ram_default,
		board_info.cpus_max, board_info.cpus_default);
	cli_help_options(out, option_table, ARRAY_SIZE(option_table), 22);
	fputs("\nExit status: the guest's debug-exit code when it writes one; "
	      "otherwise\n", out);
	cli_help_items(out, exit_statuses, ARRAY_SIZE(exit_statuses), 5);
	fputs("Signals:\n", out);
	cli_help_items(out, signals, ARRAY_SIZE(signals), 5);
}

/* Options of the control plane (API, config file, metrics). */
struct control_request {
	const char *api_sock;
	const char *config_file;
	const char *id;
	const char *metrics;
	unsigned metrics_interval_ms;
};

static struct control_request control;

/* --disk FILE[,ro], in order: the board's virtio-blk devices take them. */
#define VMM_MAX_DISKS		8
static struct host_disk disks[VMM_MAX_DISKS];
static struct jail_request jail;
static unsigned nr_disks;

static int parse_disk(const char *arg)
{
	size_t len = strlen(arg);
	bool ro = len >= 3 && !strcmp(arg + len - 3, ",ro");
	char *path;

	if (nr_disks == VMM_MAX_DISKS) {
		fprintf(stderr, "boardvm: --disk '%s': at most %u disks\n", arg,
			VMM_MAX_DISKS);
		return -1;
	}
	path = strndup(arg, ro ? len - 3 : len);
	if (!path || !*path) {
		fprintf(stderr, "boardvm: --disk '%s': expected FILE or "
			"FILE,ro\n", arg);
		free(path);
		return -1;
	}
	disks[nr_disks++] = (struct host_disk) { path, ro };
	return 0;
}

/* Every --disk needs a virtio-blk device of the board to take it. */
static int check_disks(void)
{
	unsigned slots = 0;

	for (unsigned i = 0; i < board_info.nr_devices; i++)
		slots += board_devices[i].type == &device_type_virtio_blk_pci ||
			 board_devices[i].type == &device_type_virtio_blk_mmio;
	if (nr_disks <= slots)
		return 0;
	fprintf(stderr, "boardvm: --disk %s: board %s has %u virtio-blk "
		"device%s for %u disks (%s): drop the option or add a device "
		"to the board\n", disks[slots].path, board_info.name, slots,
		slots == 1 ? "" : "s", nr_disks, board_info.source);
	return -1;
}

static int parse_cpus(const char *arg, unsigned *cpus)
{
	uint64_t n;

	if (!parse_number(arg, &n) || n < 1 || n > board_info.cpus_max) {
		fprintf(stderr, "boardvm: --cpus '%s': board %s allows 1 to %u "
			"vCPUs (cpus: max in %s)\n", arg, board_info.name,
			board_info.cpus_max, board_info.source);
		return -1;
	}
	*cpus = n;
	return 0;
}

static int parse_mem(const char *arg, uint64_t *mem)
{
	struct ram_span spans[VM_MAX_MEM];

	if (!parse_size(arg, mem) || *mem == 0 || *mem % MACHINE_PAGE_SIZE) {
		fprintf(stderr, "boardvm: --mem '%s': expected a size that is a "
			"whole number of 4 KiB pages, e.g. 512M or 3.5G\n", arg);
		return -1;
	}
	return vm_ram_layout(*mem, spans) < 0 ? -1 : 0;
}

static int bad_choice(const char *opt, const char *arg, const char *choices)
{
	fprintf(stderr, "boardvm: %s '%s': expected %s\n", opt, arg, choices);
	return -1;
}

static int parse_mem_backing(const char *arg, enum vm_mem_backing *b)
{
	static const char *const names[] = {
		[VM_MEM_ANON] = "anon",
		[VM_MEM_THP] = "thp",
		[VM_MEM_HUGETLB] = "hugetlb",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(arg, names[i])) {
			*b = i;
			return 0;
		}
	fprintf(stderr, "boardvm: --mem-backing '%s': expected anon, thp or "
		"hugetlb\n", arg);
	return -1;
}

static int parse_interval(const char *arg, struct control_request *c)
{
	uint64_t ms;

	if (!parse_number(arg, &ms) || ms < 10 || ms > 86400000) {
		fprintf(stderr, "boardvm: --metrics-interval '%s': expected "
			"milliseconds, 10 to 86400000\n", arg);
		return -1;
	}
	c->metrics_interval_ms = ms;
	return 0;
}

static int parse_shutdown_timeout(const char *arg, struct vm_options *opts)
{
	uint64_t s;

	if (!parse_number(arg, &s) || s > 86400) {
		fprintf(stderr, "boardvm: --shutdown-timeout '%s': expected "
			"seconds, 0 (SIGTERM stops at once) to 86400\n", arg);
		return -1;
	}
	opts->shutdown_timeout_s = s;
	return 0;
}

/* Returns 0 to run, -1 on a usage error, 1 when done (help, version). */
/* The rules the command line adds to the board's (seccomp.h). */
static unsigned command_line_seccomp_options(void)
{
	return (control.api_sock ? SECCOMP_OPT_API : 0) |
	       (console_backends_take_input() ? SECCOMP_OPT_CONSOLE_INPUT : 0) |
	       (tap_any() ? SECCOMP_OPT_NET : 0) |
	       (tap_any_vhost() ? SECCOMP_OPT_VHOST : 0);
}

static bool has_virtio_mmio_device(void)
{
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		if (board_devices[i].type->virtio_mmio)
			return true;
	return false;
}

/* WORD is one of LINE's space-separated words. */
static bool cmdline_has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = line; p && (p = strstr(p, word)); p += n)
		if ((p == line || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/*
 * --virtio-mmio-cmdline needs --kernel and a board with virtio-mmio
 * devices; on a board whose DSDT names them too, a guest that reads ACPI
 * finds each device twice, so without acpi=off that is said.
 */
static int virtio_mmio_cmdline_check(const struct boot_request *boot)
{
	if (!boot->kernel) {
		fprintf(stderr, "boardvm: --virtio-mmio-cmdline needs --kernel\n");
		return -1;
	}
	if (!has_virtio_mmio_device()) {
		fprintf(stderr, "boardvm: --virtio-mmio-cmdline: board %s has "
			"no virtio-mmio device (its virtio devices, if any, are "
			"on PCI)\n", board_info.name);
		return -1;
	}
	if (board_firmware.acpi &&
	    !cmdline_has_word(boot->append ? boot->append : "", "acpi=off"))
		log_msg(LOG_WARN, "boardvm: --virtio-mmio-cmdline: board %s's "
			"DSDT names its virtio-mmio devices too; a guest that "
			"reads ACPI finds each twice (add acpi=off to "
			"--append)\n", board_info.name);
	return 0;
}

/* --seccomp-policy: the allowlist with what the other options add. */
static int print_policy(void)
{
	if (console_backends_resolve() < 0)
		return -1;
	seccomp_set_options(command_line_seccomp_options());
	seccomp_print_policy(stdout);
	return 1;
}

static int parse_args(int argc, char **argv, struct vm_options *opts,
		      struct boot_request *boot)
{
	const char *cpuid_hide = NULL;
	bool policy = false;
	char err[512];
	int opt;

	opts->mem = board_info.ram_default;
	opts->cpus = board_info.cpus_default;
	opts->shutdown_timeout_s = VMM_SHUTDOWN_TIMEOUT_DEFAULT;
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_MEM:
			if (parse_mem(optarg, &opts->mem) < 0)
				return -1;
			break;
		case OPT_MEM_BACKING:
			if (parse_mem_backing(optarg, &opts->mem_backing) < 0)
				return -1;
			break;
		case OPT_CPUS:
			if (parse_cpus(optarg, &opts->cpus) < 0)
				return -1;
			break;
		case OPT_FLAT:
			free((char *)boot->flat_path);	/* the last one wins */
			boot->flat_path = NULL;
			if (boot_flat_parse(optarg, &boot->flat_path,
					    &boot->flat_addr) < 0)
				return -1;
			break;
		case OPT_KERNEL:
			boot->kernel = optarg;
			break;
		case OPT_INITRD:
			boot->initrd = optarg;
			break;
		case OPT_APPEND:
			boot->append = optarg;
			break;
		case OPT_VIRTIO_MMIO_CMDLINE:
			boot->virtio_mmio_cmdline = true;
			break;
		case OPT_DISK:
			if (parse_disk(optarg) < 0)
				return -1;
			break;
		case OPT_NET:
			if (tap_parse(optarg) < 0)
				return -1;
			break;
		case OPT_JAIL ... OPT_JAIL_SELFTEST:
			if (jail_option(&jail, opt - OPT_JAIL, optarg) < 0)
				return -1;
			break;
		case OPT_VSOCK:
			if (vsock_option_parse(optarg) < 0)
				return -1;
			break;
		case OPT_SERIAL:
			if (console_backend_parse(optarg) < 0)
				return -1;
			break;
		case OPT_TRACE_IO:
			opts->trace_io = true;
			if (optarg && trace_set_filter(optarg, err,
						      sizeof(err)) < 0) {
				fprintf(stderr, "boardvm: --trace-io: %s\n",
					err);
				return -1;
			}
			break;
		case OPT_API_SOCK:
			control.api_sock = optarg;
			break;
		case OPT_CONFIG_FILE:
			control.config_file = optarg;
			break;
		case OPT_ID:
			control.id = optarg;
			break;
		case OPT_METRICS:
			control.metrics = optarg;
			break;
		case OPT_METRICS_INTERVAL:
			if (parse_interval(optarg, &control) < 0)
				return -1;
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) < 0)
				return bad_choice("--log-level", optarg,
						  "error, warn, info or debug");
			break;
		case OPT_LOG_FORMAT:
			if (log_set_format(optarg) < 0)
				return bad_choice("--log-format", optarg,
						  "text or json");
			trace_configure(NULL, false, NULL,
					!strcmp(optarg, "json"), err,
					sizeof(err));
			break;
		case OPT_STATS_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return bad_choice("--stats-format", optarg,
						  "text or json");
			opts->stats = true;
			opts->stats_json = !strcmp(optarg, "json");
			break;
		case OPT_STATS:
			opts->stats = true;
			break;
		case OPT_CPUID_HIDE:
			cpuid_hide = optarg;
			break;
		case OPT_REBOOT:
			opts->reboot = true;
			break;
		case OPT_SHUTDOWN_TIMEOUT:
			if (parse_shutdown_timeout(optarg, opts) < 0)
				return -1;
			break;
		case OPT_NO_SECCOMP:
			opts->no_seccomp = true;
			break;
		case OPT_SECCOMP_POLICY:
			policy = true;
			break;
		case OPT_SECCOMP_SELFTEST:
			opts->seccomp_selftest = true;
			break;
		case OPT_VERSION:
			printf("boardvm %s, board %s (%s)\n", BOARDVM_VERSION,
			       board_info.name, board_info.source);
			return 1;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "boardvm: try --help\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "boardvm: unexpected argument '%s': try --help\n",
			argv[optind]);
		return -1;
	}
	if (policy)
		return print_policy();
	if (!boot->flat_path && !boot->kernel &&
	    !control.api_sock && !control.config_file) {
		fprintf(stderr, "boardvm: nothing to boot: give --flat "
			"FILE@ADDR or --kernel FILE (see --help)\n");
		return -1;
	}
	if (boot->flat_path && boot->kernel) {
		fprintf(stderr, "boardvm: --flat and --kernel both given: "
			"boot one of them\n");
		return -1;
	}
	if (!boot->kernel && (boot->initrd || boot->append)) {
		fprintf(stderr, "boardvm: --%s needs --kernel\n",
			boot->initrd ? "initrd" : "append");
		return -1;
	}
	if (boot->virtio_mmio_cmdline && virtio_mmio_cmdline_check(boot) < 0)
		return -1;
	if (check_disks() < 0 || tap_check() < 0 ||
	    console_backends_resolve() < 0 || jail_options_check(&jail) < 0)
		return -1;
	return cpuid_hide_parse(opts, cpuid_hide);
}

/* The devices' view of the VMM. */
static void host_request_exit(struct device_host *host,
			      enum host_exit_reason why, int status)
{
	struct vm *vm = host->opaque;

	if (why == HOST_EXIT_RESET)
		status = VMM_EXIT_RESET;
	vm_request_stop(vm, status);
}

static uint64_t host_now_ns(struct vclock *clock)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static struct vclock host_clock = { .now_ns = host_now_ns };

/*
 * Linux: kernel, initrd, command line and e820 from the board into guest
 * RAM (vmm/boot-linux.c), the MP table where the board has an in-kernel
 * irqchip and asks for it, the ACPI tables where it has them (vmm/acpi.c),
 * and vCPU 0 set to the kernel's entry. The APs stay in KVM's
 * reset state; the kernel starts them with INIT/SIPI.
 */
/*
 * --virtio-mmio-cmdline: --append plus virtio_mmio.device=SIZE@ADDR:IRQ
 * for each virtio-mmio device of the board, as Linux's virtio_mmio driver
 * takes them (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES) where no ACPI names
 * them. NULL when the line would not fit.
 */
static const char *virtio_mmio_cmdline(const char *append)
{
	static char line[4096];
	size_t n = (size_t)snprintf(line, sizeof(line), "%s",
				    append ? append : "");

	for (unsigned i = 0; i < board_info.nr_devices && n < sizeof(line);
	     i++) {
		const struct board_device *d = &board_devices[i];

		if (!d->type->virtio_mmio || !d->has_mmio || d->irq < 0)
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      "%svirtio_mmio.device=0x%" PRIx64 "@0x%"
				      PRIx64 ":%d", n ? " " : "",
				      device_type_span(d->type, SPACE_MMIO),
				      d->mmio_base, d->irq);
	}
	return n < sizeof(line) ? line : NULL;
}

static int boot_linux(struct vm *vm, const struct boot_request *boot)
{
	struct linux_boot_args args = {
		.kernel = boot->kernel,
		.initrd = boot->initrd,
		.cmdline = boot->append,
		.mem = vm->opts->mem,
	};
	struct boot_cpu_state cpu;
	struct mptable_args mp;
	struct mptable_info mpi;
	char err[512];

	if (boot->virtio_mmio_cmdline) {
		args.cmdline = virtio_mmio_cmdline(boot->append);
		if (!args.cmdline) {
			fprintf(stderr, "boardvm: --virtio-mmio-cmdline: the "
				"command line would pass 4096 bytes\n");
			return -1;
		}
		log_msg(LOG_DEBUG, "boardvm: --virtio-mmio-cmdline: kernel "
			"command line '%s'\n", args.cmdline);
	}
	linux_boot_args_board(&args);
	args.rsdp_addr = acpi_rsdp_addr();
	if (linux_load(&args, &vm->ram, &cpu, NULL, err, sizeof(err)) < 0)
		goto err;
	mptable_args_board(&mp, vm->nr_vcpus);
	if (board_firmware.mptable &&
	    mptable_write(&mp, &vm->ram, &mpi, err, sizeof(err)) < 0)
		goto err;
	if (acpi_write(&vm->ram, vm->nr_vcpus, err, sizeof(err)) < 0)
		goto err;
	return vcpu_set_boot_state(&vm->vcpus[0], &cpu) < 0 ? -1 : 0;
err:
	fprintf(stderr, "boardvm: %s\n", err);
	return -1;
}

static int machine_boot(struct vm *vm, const struct boot_request *boot)
{
	if (boot->kernel)
		return boot_linux(vm, boot);
	return boot_flat_load(vm, boot->flat_path, boot->flat_addr);
}

/*
 * --jail: what the VM opens after the jail is in (kernel, initrd, --flat
 * image, disks; /dev/kvm is the jail's own), and how large a file may
 * grow: the largest disk (no disk: nothing grows).
 */
static int vmm_jail(const struct boot_request *boot)
{
	struct jail_file files[VMM_MAX_DISKS + 3] = {
		{ boot->flat_path, false }, { boot->kernel, false },
		{ boot->initrd, false },
	};
	uint64_t max_size = 0;
	unsigned n = 3;
	struct stat st;

	/* The jail needs every file up front, and no thread may exist. */
	if (control.api_sock || control.config_file || control.metrics) {
		fprintf(stderr, "boardvm: --jail with --%s is not supported "
			"yet: give the VM's files on the command line\n",
			control.api_sock ? "api-sock" : control.config_file ?
			"config-file" : "metrics");
		return -1;
	}

	for (unsigned i = 0; i < nr_disks; i++) {
		files[n++] = (struct jail_file){ disks[i].path,
						 !disks[i].readonly };
		if (stat(disks[i].path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size > max_size)
			max_size = st.st_size;
	}
	return jail_enter(&jail, files, n, nr_disks ? max_size : RLIM_INFINITY);
}

/*
 * A terminating signal taken by vmm_wait(). It outlives the VM: a reset
 * that wins the race with the signal must not boot the guest again.
 */
static int terminating_signal;

/*
 * Press the ACPI power button (SIGTERM, the API's PUT /board/shutdown).
 * False when the press is off (--shutdown-timeout 0) or nobody takes it:
 * no acpi-pm device, or a guest that has not enabled the event (no ACPI,
 * no button driver), which would never answer. Main's vmm_wait() then
 * arms the hard stop. Any thread.
 */
bool vm_shutdown(struct vm *vm)
{
	if (!vm->opts->shutdown_timeout_s ||
	    !machine_host_event(HOST_EVENT_POWER_BUTTON))
		return false;
	if (!atomic_exchange(&vm->shutdown_pressed, true) &&
	    !pthread_equal(pthread_self(), vm->main_thread))
		pthread_kill(vm->main_thread, SIGUSR2);	/* arm the stop */
	return true;
}

static struct timespec timespec_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* a - b, or zero when b is later. */
static struct timespec timespec_left(struct timespec a, struct timespec b)
{
	int64_t ns = (a.tv_sec - b.tv_sec) * 1000000000ll +
		     (a.tv_nsec - b.tv_nsec);

	if (ns < 0)
		ns = 0;
	return (struct timespec){ ns / 1000000000, ns % 1000000000 };
}

static bool timespec_past(struct timespec t)
{
	struct timespec left = timespec_left(t, timespec_now());

	return !left.tv_sec && !left.tv_nsec;
}

/* How long main may wait for a signal: NULL for ever. */
static const struct timespec *vmm_wait_time(struct vm *vm, bool armed,
					    struct timespec deadline,
					    struct timespec *buf)
{
	static const struct timespec poll = { .tv_sec = 1 };
	const struct timespec *wait = board_info.kernel_irqchip ? &poll : NULL;

	if (!armed)
		return wait;
	*buf = timespec_left(deadline, timespec_now());
	if (wait && (buf->tv_sec > wait->tv_sec ||
		     (buf->tv_sec == wait->tv_sec &&
		      buf->tv_nsec > wait->tv_nsec)))
		return wait;
	return buf;
}

/* A terminating signal or the hard stop: boardvm ends with 128 + sig. */
static void vmm_stop_signal(struct vm *vm, int sig, const char *why)
{
	console_restore();
	log_msg(LOG_INFO, "boardvm: %s: stopping%s\n", strsignal(sig), why);
	terminating_signal = sig;
	vm_request_stop(vm, VMM_EXIT_SIGNAL + sig);
}

/*
 * Wait for a stop request or a terminating signal; with an in-kernel
 * irqchip, poll once a second for a guest that halted for good. SIGQUIT
 * dumps every vCPU's registers and instruction; the guest runs on. The
 * first SIGTERM presses the power button where the guest listens for it
 * (vm_shutdown()): the guest then has --shutdown-timeout seconds to power
 * off (status 0) before the hard stop (143); a second SIGTERM, SIGINT or
 * SIGHUP stops at once.
 */
static void vmm_wait(struct vm *vm)
{
	struct timespec deadline = { 0 }, buf;
	bool armed = false;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR2);
	while (!atomic_load(&vm->stopping)) {
		if (!armed && atomic_load(&vm->shutdown_pressed)) {
			armed = true;
			deadline = timespec_now();
			deadline.tv_sec += vm->opts->shutdown_timeout_s;
		}
		if (armed && timespec_past(deadline)) {
			vmm_stop_signal(vm, SIGTERM, ": the guest did not "
					"power off after the power button "
					"(--shutdown-timeout)");
			break;
		}
		sig = sigtimedwait(&set, NULL,
				   vmm_wait_time(vm, armed, deadline, &buf));
		if (sig < 0) {
			if (errno == EAGAIN && board_info.kernel_irqchip)
				vm_poll_halted(vm);
			continue;
		}
		if (sig == SIGQUIT) {
			vm_dump_vcpus(vm);
		} else if (sig == SIGTERM && !armed && vm_shutdown(vm)) {
			log_msg(LOG_INFO, "boardvm: %s: pressed the power "
				"button; stopping in %u s unless the guest "
				"powers off first, or on a second SIGTERM\n",
				strsignal(sig), vm->opts->shutdown_timeout_s);
		} else if (sig != SIGUSR2) {
			vmm_stop_signal(vm, sig, "");
		}
	}
}

/*
 * Setup is over (memory, vCPUs, devices, eventfds, threads): from here the
 * VMM only runs, and every thread gets the board's syscall allowlist.
 * --reboot builds a new VM after a reset, which the filter would forbid
 * (open /dev/kvm, KVM_CREATE_VM...): it runs without one.
 */
static int vmm_sandbox(const struct vm_options *opts)
{
	if (!opts->no_seccomp && !opts->reboot && seccomp_install() < 0)
		return -1;
	if (opts->seccomp_selftest)
		seccomp_selftest();
	return 0;
}

static int vmm_run(const struct vm_options *opts,
		   const struct boot_request *boot)
{
	struct vm vm;
	struct device_host host = {
		.request_exit = host_request_exit,
		.ram = &vm.ram,
		.disks = disks,
		.nr_disks = nr_disks,
		.poll_enable = io_thread_poll_enable,
		.doorbell_fd = io_thread_doorbell_fd,
		.pci_bar_update = pci_remap_bar_update,
		.signal_msi = vm_signal_msi,
		.msi_irqfd = vm_msi_irqfd,
		.device = machine_device,
		.console_in = STDIN_FILENO,
		.console_out = STDOUT_FILENO,
		.console_fds = console_backend_fds,
		.opaque = &vm,
	};
	struct machine_env env = {
		.host = &host,
		.clock = &host_clock,
		.irq_set_level = vm_irq_set_level,
		.irq_opaque = &vm,
	};
	int status = VMM_EXIT_SETUP;

	host.nets = tap_nets(&host.nr_nets);
	vsock_options_attach(&host);
	if (vm_create(&vm, opts) < 0)
		return VMM_EXIT_SETUP;
	vm.main_thread = pthread_self();
	if (vcpu_create_all(&vm) < 0)
		goto out_vcpus;
	if (machine_boot(&vm, boot) < 0) {
		status = VMM_EXIT_USAGE;	/* the file or address */
		goto out_vcpus;
	}
	if (machine_devices_create(&env) < 0)
		goto out_vcpus;
	/* BAR moves take the ioeventfds along (registered just below). */
	pci_remap_set_kvm(&(struct pci_remap_kvm){
		.async_move = pci_kvm_async_move, .opaque = &vm });
	vmm_signals_block();		/* main's sigwait() takes them now */
	if (io_thread_start(&vm) < 0 || vcpu_start_all(&vm) < 0 ||
	    vmm_sandbox(opts) < 0) {
		vm_request_stop(&vm, VMM_EXIT_SETUP);
		vcpu_join_all(&vm);
		goto out_io;
	}
	vcpu_go_all(&vm);
	api_attach_vm(&vm);
	metrics_attach_vm(&vm);
	vmm_wait(&vm);
	vcpu_join_all(&vm);
	status = vm.status;
out_io:
	io_thread_stop(&vm);
	vm_drain_coalesced(&vm, io_thread_ctx());
	ratelimit_flush_all(stderr);
	api_detach_vm();
	metrics_attach_vm(NULL);	/* the run's last flush */
	if (opts->stats && opts->stats_json)
		stats_print_json(&vm, stderr);
	else if (opts->stats)
		stats_print(&vm, stderr);
	machine_devices_destroy();
	io_thread_free();
out_vcpus:
	vcpu_destroy_all(&vm);
	vm_destroy(&vm);
	vmm_signals_unblock();
	return status;
}

/*
 * What the API or --config-file configured becomes the command line's
 * boot request: the same loaders, checks and --disk rules. A root drive
 * goes first (it is /dev/vda) and, as Firecracker does, adds root=/dev/vda
 * to the kernel command line.
 */
static int control_apply(const struct api_config *cfg,
			 struct vm_options *opts, struct boot_request *boot)
{
	static char append[4096];
	char disk[4200];

	opts->cpus = cfg->vcpus;
	opts->mem = cfg->mem;
	if (cfg->flat) {
		boot->flat_path = strdup(cfg->kernel);
		boot->flat_addr = cfg->flat_addr;
	} else {
		boot->kernel = cfg->kernel;
		boot->initrd = cfg->initrd;
	}
	snprintf(append, sizeof(append), "%s", cfg->boot_args ?
		 cfg->boot_args : "");
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < cfg->nr_drives; i++) {
			const struct api_drive *d = &cfg->drives[i];

			if (d->root != !pass)
				continue;
			snprintf(disk, sizeof(disk), "%s%s", d->path,
				 d->readonly ? ",ro" : "");
			if (parse_disk(disk) < 0)
				return -1;
			if (d->root)
				snprintf(append + strlen(append),
					 sizeof(append) - strlen(append),
					 "%sroot=/dev/vda %s", *append ? " " :
					 "", d->readonly ? "ro" : "rw");
		}
	if (!cfg->flat)
		boot->append = append;
	if (check_disks() < 0 || host_mem_check(opts->mem) < 0 ||
	    host_disks_check(disks, nr_disks) < 0)
		return -1;
	return 0;
}

/*
 * The control plane before the first VM: metrics, the API socket, the
 * config file; with nothing to boot on the command line, wait for
 * InstanceStart. Returns 0 to run, else boardvm's exit status.
 */
static int control_start(struct vm_options *opts, struct boot_request *boot)
{
	const struct api_config *cfg;
	char err[512];
	int sig;

	api_init(control.id, opts->cpus, opts->mem);
	if (control.metrics && metrics_open(control.metrics,
			control.metrics_interval_ms, err, sizeof(err)) < 0) {
		fprintf(stderr, "boardvm: --metrics: %s\n", err);
		return VMM_EXIT_USAGE;
	}
	/*
	 * The API and metrics threads live as long as boardvm: they never
	 * take a stop signal (main does). Main blocks them too while it
	 * waits for InstanceStart (sigtimedwait), else setup's handler.
	 */
	vmm_signals_block();
	if (control.api_sock && api_http_start(control.api_sock) < 0)
		return VMM_EXIT_USAGE;
	seccomp_set_options(command_line_seccomp_options());
	if (metrics_start() < 0)
		return VMM_EXIT_SETUP;
	if (boot->flat_path || boot->kernel) {
		vmm_signals_unblock();
		if (control.config_file) {
			fprintf(stderr, "boardvm: --config-file and --%s both "
				"say what to boot: give one\n",
				boot->kernel ? "kernel" : "flat");
			return VMM_EXIT_USAGE;
		}
		api_mark_started();
		return 0;
	}
	if (control.config_file && api_config_file(control.config_file) < 0)
		return VMM_EXIT_USAGE;
	sig = api_wait_start(&cfg);
	vmm_signals_unblock();
	if (sig) {
		log_msg(LOG_INFO, "boardvm: %s before InstanceStart: "
			"stopping\n", strsignal(sig));
		return VMM_EXIT_SIGNAL + sig;
	}
	return control_apply(cfg, opts, boot) < 0 ? VMM_EXIT_USAGE : 0;
}

int main(int argc, char **argv)
{
	struct vm_options opts = { 0 };
	struct boot_request boot = { 0 };
	int ret;

	/*
	 * One malloc arena for every thread: glibc trims a thread arena's
	 * heap after reading /proc/sys/vm/overcommit_memory, an openat the
	 * sandbox forbids (seen in the API thread under 100 connections).
	 */
	mallopt(M_ARENA_MAX, 1);
	if (host_fds_reserve() < 0)
		return VMM_EXIT_SETUP;	/* no /dev/null: not even stderr */
	if (log_init() < 0)
		return VMM_EXIT_SETUP;
	if (vmm_signals_init() < 0) {
		perror("boardvm: signals");
		return VMM_EXIT_SETUP;
	}
	ret = parse_args(argc, argv, &opts, &boot);
	if (!ret && (host_mem_check(opts.mem) < 0 ||
		     host_disks_check(disks, nr_disks) < 0))
		ret = -1;
	if (ret) {
		ret = ret < 0 ? VMM_EXIT_USAGE : 0;
		goto out;
	}
	if (console_backends_open() < 0 || tap_open_all() < 0) {
		ret = VMM_EXIT_USAGE;	/* a path, socket or tap refused */
		goto out;
	}
	/* No thread may exist yet: the jail forks. */
	if (jail.dir && vmm_jail(&boot) < 0) {
		ret = VMM_EXIT_SETUP;
		goto out;
	}
	ret = control_start(&opts, &boot);
	if (ret)
		goto out;
	ret = vmm_run(&opts, &boot);
	while (opts.reboot && ret == VMM_EXIT_RESET && !terminating_signal) {
		log_msg(LOG_INFO, "boardvm: the guest reset the machine: "
			"booting it again (--reboot)\n");
		ret = vmm_run(&opts, &boot);
	}
	if (terminating_signal)
		ret = VMM_EXIT_SIGNAL + terminating_signal;
out:
	api_http_stop();
	metrics_stop();
	trace_free();
	console_backends_close();
	free((char *)boot.flat_path);
	return ret;
}
