// SPDX-License-Identifier: MIT
/*
 * KVM setup from the board's tables: the VM, guest RAM laid into the
 * board's RAM regions (one memslot per chunk, plus backed reserved
 * ranges), the in-kernel interrupt controllers and PIT where the board
 * declares them, the Intel real-mode helper pages placed away from every
 * board region, and the vCPUs with their filtered CPUID.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"
#include "host-file.h"
#include "irq-routing.h"
#include "ram-layout.h"
#include "vmm.h"

#define KVM_DEV			"/dev/kvm"
#define KVM_MINOR		232	/* misc device 10:232 */
/* Identity-map page + the 3-page real-mode TSS, just below the BIOS. */
#define HELPER_PAGES		4
#define HELPER_PREFERRED	0xfffbc000ull

struct kvm_cap_need {
	int cap;
	const char *name;
	const char *why;
	bool (*needed)(void);
};

static bool need_always(void)
{
	return true;
}

static bool need_irqchip(void)
{
	return board_info.kernel_irqchip;
}

static bool need_pit(void)
{
	return board_info.kernel_pit;
}

static bool need_coalesced_pio(void)
{
	for (unsigned i = 0; i < board_info.nr_async; i++)
		if (board_async[i].binding == BINDING_COALESCED &&
		    board_async[i].space == SPACE_PIO)
			return true;
	return false;
}

static const struct kvm_cap_need kvm_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM",
	  need_always },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", "async doorbells",
	  need_always },
	{ KVM_CAP_COALESCED_MMIO, "KVM_CAP_COALESCED_MMIO",
	  "coalesced bindings", need_always },
	{ KVM_CAP_COALESCED_PIO, "KVM_CAP_COALESCED_PIO",
	  "coalesced port bindings", need_coalesced_pio },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
	  "stopping vCPUs", need_always },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "CPUID filtering",
	  need_always },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "real-mode TSS",
	  need_always },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP",
	  "the board's in-kernel ioapic/lapic/i8259", need_irqchip },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE", "starting APs",
	  need_irqchip },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2", "the board's in-kernel i8254",
	  need_pit },
};

/*
 * /dev/kvm, opened without blocking and refused unless it is a character
 * device that answers KVM_GET_API_VERSION: a node bound over it (a file,
 * /dev/null) or a missing module is named as such, not as "API version -1".
 */
static int kvm_open(void)
{
	struct stat st;
	char err[256];
	int fd, version;

	fd = host_file_open("KVM device", KVM_DEV, O_RDWR, HOST_FILE_CHAR, &st,
			    err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "boardvm: %s%s\n", err, errno == ENOENT ||
			errno == EACCES || errno == ENXIO || errno == ENODEV ?
			" (is KVM loaded, and may this user open it?)" : "");
		return -1;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version < 0) {
		fprintf(stderr, "boardvm: %s (character device %u:%u) is not "
			"KVM: KVM_GET_API_VERSION: %s (KVM is the misc device "
			"10:%u; load kvm-intel or kvm-amd)\n", KVM_DEV,
			major(st.st_rdev), minor(st.st_rdev), strerror(errno),
			KVM_MINOR);
		close(fd);
		return -1;
	}
	return fd;
}

static int kvm_check_caps(int kvm_fd)
{
	int version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);

	if (version != KVM_API_VERSION) {
		fprintf(stderr, "boardvm: %s speaks KVM API version %d, "
			"boardvm needs %d: use a kernel with a stable KVM API\n",
			KVM_DEV, version, KVM_API_VERSION);
		return -1;
	}
	for (unsigned i = 0; i < sizeof(kvm_caps) / sizeof(kvm_caps[0]); i++) {
		const struct kvm_cap_need *c = &kvm_caps[i];

		if (!c->needed())
			continue;
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, c->cap) <= 0) {
			fprintf(stderr, "boardvm: KVM lacks %s (needed for %s "
				"on board %s): use a newer host kernel or a "
				"board without it\n", c->name, c->why,
				board_info.name);
			return -1;
		}
	}
	return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
			   uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Does [base, base + size) touch anything the board declares? */
static bool board_claims(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < board_info.nr_ram; i++)
		if (ranges_overlap(base, size, board_ram[i].base,
				   board_ram[i].size))
			return true;
	for (unsigned i = 0; i < board_info.nr_reserved; i++)
		if (ranges_overlap(base, size, board_reserved[i].base,
				   board_reserved[i].size))
			return true;
	for (unsigned i = 0; i < board_info.nr_mmio_windows; i++)
		if (ranges_overlap(base, size, board_mmio_windows[i].base,
				   board_mmio_windows[i].size))
			return true;
	for (unsigned i = 1; i < board_info.nr_regions; i++)
		if (board_regions[i].space == SPACE_MMIO &&
		    ranges_overlap(base, size, board_regions[i].base,
				   board_regions[i].size))
			return true;
	return false;
}

/*
 * KVM on Intel needs an identity-map page and a 3-page TSS for real mode,
 * somewhere in guest physical space below 4 GiB that nothing else uses.
 * The usual spot (just below the BIOS ROM) unless the board claims it;
 * then the highest free 16 KiB below it.
 */
static int vm_set_helper_pages(struct vm *vm)
{
	uint64_t size = HELPER_PAGES * MACHINE_PAGE_SIZE;
	uint64_t base = HELPER_PREFERRED;
	uint64_t ident;

	while (board_claims(base, size)) {
		if (base < size) {
			fprintf(stderr, "boardvm: board %s leaves no free 16 KiB "
				"below 4 GiB for KVM's real-mode TSS: free "
				"a gap in its RAM or MMIO windows\n",
				board_info.name);
			return -1;
		}
		base -= MACHINE_PAGE_SIZE;
	}
	ident = base;
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION,
		  KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0) {
		perror("boardvm: KVM_SET_IDENTITY_MAP_ADDR");
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR,
		  (unsigned long)(base + MACHINE_PAGE_SIZE)) < 0) {
		perror("boardvm: KVM_SET_TSS_ADDR");
		return -1;
	}
	return 0;
}

#define HUGE_PAGE_2M	((uint64_t)2 << 20)

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << MAP_HUGE_SHIFT)
#endif

/*
 * Guest memory for [gpa, gpa + size), placed so that the host address is
 * congruent to gpa modulo 2 MiB, so every 2 MiB-aligned guest range can
 * be one huge page on the host and one large page in KVM's nested page
 * tables. Under nested virtualization each 4 KiB fault of a guest boot
 * is an exit of the level below; large pages take most of them away.
 *
 * --mem-backing (docs/performance.md, "Guest memory backing"):
 * anon (the default) is plain anonymous memory: THP only where the host
 * enables it for everything (THP "always", the Debian default). thp adds
 * MADV_HUGEPAGE: with the default defrag setting ("madvise") every fault
 * of the range then compacts memory synchronously, which stalled a 3.5G
 * guest in a 5G nested L1 for minutes, so it is not the default. hugetlb
 * takes 2 MiB pages from the host's reserved pool (nr_hugepages).
 */
static int vm_map_anon(struct vm_mem *m)
{
	uint64_t slack = m->size >= HUGE_PAGE_2M ? HUGE_PAGE_2M : 0;
	uintptr_t raw, host;
	void *p;

	p = mmap(NULL, m->size + slack, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	raw = (uintptr_t)p;
	host = raw;
	if (slack) {
		host = ((raw + HUGE_PAGE_2M - 1) & ~(HUGE_PAGE_2M - 1)) +
		       (m->gpa & (HUGE_PAGE_2M - 1));
		if (host - raw >= HUGE_PAGE_2M)
			host -= HUGE_PAGE_2M;
		if (host > raw)
			munmap(p, host - raw);
		munmap((void *)(host + m->size), raw + slack - host);
	}
	m->host = (void *)host;
	m->map = m->host;
	m->map_size = m->size;
	return 0;
}

/* hugetlb: whole 2 MiB pages around the chunk, gpa's offset into them. */
static int vm_map_hugetlb(struct vm_mem *m)
{
	uint64_t off = m->gpa & (HUGE_PAGE_2M - 1);
	uint64_t len = (off + m->size + HUGE_PAGE_2M - 1) & ~(HUGE_PAGE_2M - 1);
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
		 -1, 0);
	if (p == MAP_FAILED)
		return -1;
	m->map = p;
	m->map_size = len;
	m->host = (char *)p + off;
	return 0;
}

static long read_nr_hugepages(void)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int vm_map_memory(const struct vm *vm, struct vm_mem *m)
{
	long pool;

	switch (vm->opts->mem_backing) {
	case VM_MEM_HUGETLB:
		if (vm_map_hugetlb(m) == 0)
			return 0;
		pool = read_nr_hugepages();
		fprintf(stderr, "boardvm: --mem-backing hugetlb: cannot map "
			"%" PRIu64 " 2 MiB huge pages for %s: %s "
			"(/proc/sys/vm/nr_hugepages is %ld; reserve enough "
			"there, or use --mem-backing thp or anon)\n",
			((m->gpa & (HUGE_PAGE_2M - 1)) + m->size +
			 HUGE_PAGE_2M - 1) / HUGE_PAGE_2M,
			m->name, strerror(errno), pool);
		return -1;
	case VM_MEM_THP:
	case VM_MEM_ANON:
		break;
	}
	if (vm_map_anon(m) < 0) {
		fprintf(stderr, "boardvm: cannot map %" PRIu64 " bytes of guest "
			"memory for %s: %s (try a smaller --mem)\n", m->size,
			m->name, strerror(errno));
		return -1;
	}
	if (vm->opts->mem_backing == VM_MEM_THP &&
	    madvise(m->host, m->size, MADV_HUGEPAGE) < 0) {
		fprintf(stderr, "boardvm: --mem-backing thp: madvise(%s, "
			"MADV_HUGEPAGE): %s (a host kernel without transparent "
			"huge pages: use --mem-backing anon)\n", m->name,
			strerror(errno));
		munmap(m->map, m->map_size);
		return -1;
	}
	return 0;
}

static int vm_add_memory(struct vm *vm, uint64_t gpa, uint64_t size,
			 const char *name)
{
	struct kvm_userspace_memory_region slot;
	struct vm_mem *m;

	if (vm->nr_mem == VM_MAX_MEM) {
		fprintf(stderr, "boardvm: more than %u memory chunks at %s: "
			"use fewer RAM regions or backed ranges\n",
			VM_MAX_MEM, name);
		return -1;
	}
	m = &vm->mem[vm->nr_mem];
	*m = (struct vm_mem) { .gpa = gpa, .size = size, .name = name };
	if (vm_map_memory(vm, m) < 0)
		return -1;
	slot = (struct kvm_userspace_memory_region) {
		.slot = vm->nr_mem,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)m->host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0) {
		fprintf(stderr, "boardvm: KVM_SET_USER_MEMORY_REGION %s "
			"0x%" PRIx64 "+0x%" PRIx64 ": %s\n", name, gpa, size,
			strerror(errno));
		munmap(m->map, m->map_size);
		return -1;
	}
	vm->nr_mem++;
	if (guest_ram_add(&vm->ram, gpa, size, m->host) < 0) {
		fprintf(stderr, "boardvm: %s overlaps other guest memory\n",
			name);
		return -1;
	}
	return 0;
}

int vm_ram_layout(uint64_t mem, struct ram_span *spans)
{
	struct ram_fill_fault fault;
	int n = vm_ram_fill(mem, spans, &fault);
	char size[32], why[320];

	if (n < 0) {
		ram_size_str(mem, size, sizeof(size));
		vm_ram_fault_str(&fault, why, sizeof(why));
		fprintf(stderr, "boardvm: --mem %s %s (board %s, %s; boardc "
			"map --mem shows the layout)\n", size, why,
			board_info.name, board_info.source);
	}
	return n;
}

/* --mem laid into the board's RAM regions, then the backed ranges. */
static int vm_setup_memory(struct vm *vm)
{
	struct ram_span spans[VM_MAX_MEM];
	int n = vm_ram_layout(vm->opts->mem, spans);

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (vm_add_memory(vm, spans[i].base, spans[i].size,
				  board_ram[spans[i].index].name) < 0)
			return -1;
	for (unsigned i = 0; i < board_info.nr_reserved; i++)
		if (board_reserved[i].backed &&
		    vm_add_memory(vm, board_reserved[i].base,
				  board_reserved[i].size,
				  board_reserved[i].name) < 0)
			return -1;
	return 0;
}

static int vm_setup_chips(struct vm *vm)
{
	if (board_info.kernel_irqchip &&
	    ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		perror("boardvm: KVM_CREATE_IRQCHIP (the board's ioapic/lapic)");
		return -1;
	}
	if (vm_irqs_init(vm) < 0)
		return -1;
	if (board_info.kernel_pit) {
		struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
			perror("boardvm: KVM_CREATE_PIT2 (the board's i8254)");
			return -1;
		}
	}
	return 0;
}

static int vm_get_cpuid(struct vm *vm)
{
	for (unsigned nent = 128; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      nent * sizeof(c->entries[0]));

		if (!c)
			return -1;
		c->nent = nent;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			break;
	}
	perror("boardvm: KVM_GET_SUPPORTED_CPUID");
	return -1;
}

/*
 * CPUID.1:ECX bit 31: the guest runs under a hypervisor. KVM's supported
 * table leaves it clear for the VMM to set (QEMU, kvmtool and Firecracker
 * all do): without it Linux takes itself for bare hardware, never reads
 * KVM's leaves at 0x40000000 (kvm-clock, PV EOI, steal time), and has to
 * calibrate its TSC against the PIT, which fails on a loaded host. Hidden
 * like any feature (--cpuid-hide hypervisor).
 */
static void vm_mark_hypervisor(struct vm *vm)
{
	for (unsigned i = 0; i < vm->cpuid->nent; i++)
		if (vm->cpuid->entries[i].function == 1)
			vm->cpuid->entries[i].ecx |= 1u << 31;
}

/* Clear every hidden feature bit in the supported table. */
static void vm_filter_cpuid(struct vm *vm)
{
	for (unsigned h = 0; h < vm->opts->nr_cpuid_hide; h++) {
		const struct cpuid_feature *f =
			&cpuid_features[vm->opts->cpuid_hide[h]];

		for (unsigned i = 0; i < vm->cpuid->nent; i++) {
			struct kvm_cpuid_entry2 *e = &vm->cpuid->entries[i];
			uint32_t *regs[] = { &e->eax, &e->ebx, &e->ecx,
					     &e->edx };

			if (e->function != f->leaf || e->index != f->subleaf)
				continue;
			*regs[f->reg] &= ~(1u << f->bit);
		}
	}
}

int vm_create(struct vm *vm, const struct vm_options *opts)
{
	memset(vm, 0, sizeof(*vm));
	vm->opts = opts;
	vm->vm_fd = -1;
	pthread_mutex_init(&vm->ring_lock, NULL);
	pthread_mutex_init(&vm->gate_lock, NULL);
	pthread_cond_init(&vm->gate_cond, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	vm_irqs_prepare(vm);
	vm->kvm_fd = kvm_open();
	if (vm->kvm_fd < 0)
		return -1;
	if (kvm_check_caps(vm->kvm_fd) < 0)
		goto err;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		perror("boardvm: KVM_CREATE_VM");
		goto err;
	}
	if (vm_set_helper_pages(vm) < 0 || vm_setup_chips(vm) < 0 ||
	    vm_setup_memory(vm) < 0 || vm_get_cpuid(vm) < 0)
		goto err;
	vm_mark_hypervisor(vm);
	vm_filter_cpuid(vm);
	return 0;

err:
	vm_destroy(vm);
	return -1;
}

void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_mem; i++)
		munmap(vm->mem[i].map, vm->mem[i].map_size);
	vm->nr_mem = 0;
	free(vm->cpuid);
	vm->cpuid = NULL;
	vm_irqs_free(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
}

/* Per-vCPU CPUID: the filtered table with this vCPU's APIC ID. */
static int vcpu_set_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *c = vcpu->vm->cpuid;
	int ret;

	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (vcpu->index << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = vcpu->index;
	}
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	if (ret < 0)
		perror("boardvm: KVM_SET_CPUID2");
	return ret;
}

static int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned index)
{
	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, index);
	if (vcpu->fd < 0) {
		fprintf(stderr, "boardvm: KVM_CREATE_VCPU %u: %s\n", index,
			strerror(errno));
		return -1;
	}
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		perror("boardvm: mmap of the vCPU's kvm_run");
		return -1;
	}
	vcpu->stats = calloc(board_info.nr_regions, sizeof(*vcpu->stats));
	if (!vcpu->stats)
		return -1;
	vcpu->ctx = (struct dispatch_ctx) {
		.vcpu = index,
		.trace = vm->opts->trace_io,
		.timing = vm->opts->stats,
		.stats = vcpu->stats,
		.trace_out = stderr,
	};
	return vcpu_set_cpuid(vcpu);
}

/* The coalesced ring is one page of the vCPU mmap, the same for all. */
static void vm_map_ring(struct vm *vm)
{
	long page = sysconf(_SC_PAGESIZE);
	int off = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
			KVM_CAP_COALESCED_MMIO);

	if (off <= 0 || (size_t)(off + 1) * page > vm->run_size)
		return;
	vm->ring = (void *)((char *)vm->vcpus[0].run + off * page);
	vm->ring_max = (page - sizeof(*vm->ring)) /
		       sizeof(vm->ring->coalesced_mmio[0]);
}

int vcpu_create_all(struct vm *vm)
{
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (size <= 0) {
		perror("boardvm: KVM_GET_VCPU_MMAP_SIZE");
		return -1;
	}
	vm->run_size = size;
	vm->vcpus = calloc(vm->opts->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -1;
	for (unsigned i = 0; i < vm->opts->cpus; i++) {
		vm->vcpus[i].fd = -1;
		vm->nr_vcpus = i + 1;
		if (vcpu_create(vm, &vm->vcpus[i], i) < 0)
			return -1;
	}
	vm_map_ring(vm);
	return 0;
}

void vcpu_destroy_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vm->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		free(vcpu->stats);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
	vm->ring = NULL;
}

static void segment_to_kvm(struct kvm_segment *k, const struct boot_segment *s)
{
	*k = (struct kvm_segment) {
		.base = s->base,
		.limit = s->limit,
		.selector = s->selector,
		.type = s->type,
		.present = s->present,
		.dpl = s->dpl,
		.db = s->db,
		.s = s->s,
		.l = s->l,
		.g = s->g,
		.unusable = !s->present,
	};
}

/* A loader's struct boot_cpu_state, as KVM_SET_SREGS/REGS. */
int vcpu_set_boot_state(struct vcpu *vcpu, const struct boot_cpu_state *s)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = s->rip, .rsp = s->rsp, .rsi = s->rsi, .rbx = s->rbx,
		.rflags = s->rflags | 0x2,	/* bit 1 is always set */
	};

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		perror("boardvm: KVM_GET_SREGS");
		return -1;
	}
	segment_to_kvm(&sregs.cs, &s->cs);
	segment_to_kvm(&sregs.ds, &s->ds);
	segment_to_kvm(&sregs.es, &s->es);
	segment_to_kvm(&sregs.fs, &s->fs);
	segment_to_kvm(&sregs.gs, &s->gs);
	segment_to_kvm(&sregs.ss, &s->ss);
	if (s->tr.present)
		segment_to_kvm(&sregs.tr, &s->tr);
	sregs.gdt.base = s->gdt_base;
	sregs.gdt.limit = s->gdt_limit;
	sregs.idt.base = 0;		/* no IDT until the guest loads one */
	sregs.idt.limit = 0;
	sregs.cr0 = s->cr0;
	sregs.cr3 = s->cr3;
	sregs.cr4 = s->cr4;
	sregs.efer = s->efer;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0) {
		perror("boardvm: KVM_SET_SREGS");
		return -1;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0) {
		perror("boardvm: KVM_SET_REGS");
		return -1;
	}
	return 0;
}

/*
 * With an in-kernel local APIC, APs wait for INIT/SIPI; a loader that sets
 * their registers itself makes them runnable directly.
 */
int vcpu_make_runnable(struct vcpu *vcpu)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (!board_info.kernel_irqchip)
		return 0;
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0) {
		fprintf(stderr, "boardvm: KVM_SET_MP_STATE vCPU %u: %s\n",
			vcpu->index, strerror(errno));
		return -1;
	}
	return 0;
}

static void dump_segment(FILE *out, const char *name,
			 const struct kvm_segment *s)
{
	fprintf(out, "  %-3s sel %04x base %016llx limit %08x type %x dpl %u "
		"%s%s%s\n", name, s->selector, (unsigned long long)s->base,
		s->limit, s->type, s->dpl, s->present ? "P" : "-",
		s->db ? " D" : "", s->l ? " L" : "");
}

/* For internal errors and failed entries: what the vCPU was doing. */
void vcpu_dump_regs(struct vcpu *vcpu, FILE *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(out, "  (registers unavailable: %s)\n",
			strerror(errno));
		return;
	}
	fprintf(out, "  rip %016llx rsp %016llx rflags %016llx\n"
		"  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rbp %016llx\n"
		"  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx "
		"efer %016llx\n",
		r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi,
		r.rdi, r.rbp, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	dump_segment(out, "cs", &s.cs);
	dump_segment(out, "ds", &s.ds);
	dump_segment(out, "ss", &s.ss);
	dump_segment(out, "tr", &s.tr);
	fprintf(out, "  gdt %016llx/%04x idt %016llx/%04x\n",
		s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
}
