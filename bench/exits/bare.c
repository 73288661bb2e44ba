// SPDX-License-Identifier: MIT
/*
 * The baseline: a bare KVM_RUN loop with no VMM around it. One vCPU, the
 * guest's RAM in one memslot, the same flat guest and the same 32-bit
 * entry state as boardvm --flat; every exit is answered by re-entering,
 * until the guest writes the debug-exit port (a read of it is an exit like
 * any other). No tables, no devices, no
 * threads: what an exit costs KVM and the kernel alone.
 *
 * With `irqchip`, the in-kernel interrupt controllers are created first,
 * as boardvm does for a board that has them (the bindings board does).
 *
 * usage: bare GUEST.bin ADDR DEBUG_EXIT_PORT [irqchip]
 * (prints the number of exits)
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define BARE_MEM	(16u << 20)

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void set_flat_mode(int vcpu, uint64_t entry)
{
	struct kvm_segment cs = { .limit = 0xffffffff, .selector = 0x08,
				  .type = 0xb, .present = 1, .db = 1, .s = 1,
				  .g = 1 };
	struct kvm_segment ds = cs;
	struct kvm_regs regs = { .rip = entry, .rflags = 0x2 };
	struct kvm_sregs sregs;

	ds.type = 0x3;
	ds.selector = 0x10;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs = cs;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = ds;
	sregs.cr0 = 0x11;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

int main(int argc, char **argv)
{
	uint64_t addr, exits = 0;
	unsigned port;
	struct kvm_run *run;
	int kvm, vm, vcpu, fd;
	uint8_t *mem;
	ssize_t n;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: bare GUEST.bin ADDR DEBUG_EXIT_PORT "
			"[irqchip]\n");
		return 1;
	}
	addr = strtoull(argv[2], NULL, 0);
	port = strtoul(argv[3], NULL, 0);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (argc == 5 && !strcmp(argv[4], "irqchip") &&
	    ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	mem = mmap(NULL, BARE_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	struct kvm_userspace_memory_region slot = {
		.memory_size = BARE_MEM, .userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || addr >= BARE_MEM)
		die(argv[1]);
	n = read(fd, mem + addr, BARE_MEM - addr);
	if (n <= 0)
		die(argv[1]);
	close(fd);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_flat_mode(vcpu, addr);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		exits++;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == port &&
		    run->io.direction == KVM_EXIT_IO_OUT)
			break;
		if (run->exit_reason != KVM_EXIT_IO &&
		    run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "bare: exit reason %u\n",
				run->exit_reason);
			return 3;
		}
	}
	printf("%llu\n", (unsigned long long)exits);
	return 0;
}
