# boardvm against bad input and a hostile guest: tests/vmm/run.sh
# (command line, loader files, console without a tty, seccomp) and
# tests/guest/hostile.sh (tests/guest/hostile.c on the pc board). The
# guest is built by tests/guest/guest-tests.mk's pattern rules; the
# boardvm binaries by its guest-vmm-<board> targets.

VMM_TEST_GUESTS := $(BUILD)/guest/pc/hostile.bin
.SECONDARY: $(VMM_TEST_GUESTS:.bin=.elf) $(VMM_TEST_GUESTS:.bin=.o)

TEST_SUITES += tests/vmm/run.sh tests/guest/hostile.sh tests/vmm/seccomp-used.sh \
	tests/vmm/jail.sh tests/vmm/net-cli.sh
TEST_DEPS += $(VMM_TEST_GUESTS) guest-vmm-pc guest-vmm-minimal \
	guest-vmm-virtio-guest \
	guest-vmm-bindings

# --virtio-mmio-cmdline on the firecracker board: the command line
# boardvm hands the kernel; refused on the kvmtool board (virtio-pci)
# (tests/vmm/virtio-mmio-cmdline.sh).
TEST_SUITES += tests/vmm/virtio-mmio-cmdline.sh
TEST_DEPS += vmm-test-kvmtool vmm-test-firecracker
.PHONY: vmm-test-kvmtool vmm-test-firecracker
vmm-test-kvmtool vmm-test-firecracker: vmm-test-%: $(BOARDC)
	@$(MAKE) --no-print-directory BOARD=$* vmm

# Console backends (--serial): tests/vmm/consoles.sh; the API socket and
# the JSON outputs: tests/vmm/api.sh; with the pc and virtio-guest guests
# that `guests` builds.
TEST_SUITES += tests/vmm/consoles.sh tests/vmm/api.sh
TEST_DEPS += guests

# The interrupt lines' rules without KVM (vmm/irq-level.h).
IRQ_LEVEL_TEST := $(BUILD)/tests/vmm/irq-level-tests
$(IRQ_LEVEL_TEST): tests/vmm/irq-level-tests.c vmm/irq-level.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ivmm -o $@ $(filter %.c,$^)
TEST_SUITES += $(IRQ_LEVEL_TEST)
TEST_DEPS += $(IRQ_LEVEL_TEST)

# A host without io_uring for boardvm (tests/vmm/run.sh's
# /vmm/files/disk-no-io-uring): io_uring_setup fails with EPERM.
NO_IO_URING := $(BUILD)/tests/vmm/no-io-uring
$(NO_IO_URING): tests/vmm/no-io-uring.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)
TEST_DEPS += $(NO_IO_URING)
