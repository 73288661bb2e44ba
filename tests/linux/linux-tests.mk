# The Linux loaders and MP table, host-only (no KVM): a C test program on
# the pc board's generated tables and a fake guest RAM. tests/linux/
# loaders.sh finds the cached Debian kernel (scripts/guest-image.sh) and
# passes it in; without it the real-kernel tests print SKIP.

LINUX_TEST := $(BUILD)/tests/linux/linux-test
LINUX_TEST_SRCS := tests/linux/linux-test.c vmm/boot-linux.c \
	vmm/boot-bzimage.c vmm/boot-kernel.c vmm/boot-pvh.c vmm/mptable.c vmm/irq-routing.c \
	machine/guest-ram.c machine/ram-layout.c generated/pc/board.c \
	machine/registry.c machine/host-file.c
LINUX_TEST_HDRS := vmm/boot-linux.h vmm/boot-error.h vmm/mptable.h machine/mp-fit.h \
	vmm/irq-routing.h \
	machine/guest-ram.h machine/host-file.h \
	machine/ram-layout.h machine/board-tables.h machine/registry.h \
	generated/pc/board.h

# board.c names the device models' ops; the loaders never call them, so
# the test links empty ones instead of the device sources.
$(BUILD)/tests/linux/pc-ops-stubs.c: generated/pc/board.c
	@mkdir -p $(@D)
	{ echo '#include "device.h"'; \
	  sed -n 's/^extern const struct device_ops \([a-z0-9_]*\);$$/const struct device_ops \1 = { 0 };/p' $<; \
	} >$@

$(LINUX_TEST): $(LINUX_TEST_SRCS) $(LINUX_TEST_HDRS) \
	       $(BUILD)/tests/linux/pc-ops-stubs.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -Igenerated/pc -o $@ $(LINUX_TEST_SRCS) \
		$(BUILD)/tests/linux/pc-ops-stubs.c $(LDFLAGS)

TEST_SUITES += tests/linux/loaders.sh
TEST_DEPS += $(LINUX_TEST)

# Power, reset and emulation-failure tests on the tests/guest guests; the
# Debian kernel's early boot log on the pc board (downloads the kernel
# through scripts/guest-image.sh when it is not cached, else SKIPs); the
# full boot to /init and virtio-net on a tap in a namespace of its own
# (only on hosts with vmx/svm, else SKIPs).
TEST_SUITES += tests/linux/power.sh tests/linux/boot.sh \
	tests/linux/full-boot.sh tests/linux/net.sh
LINUX_PEER_BOARDS := microvm broiler kvmtool firecracker
TEST_DEPS += guests guest-vmm-pc $(LINUX_PEER_BOARDS:%=linux-vmm-%)

# full-boot.sh's boots on the peer boards run each board's own VMM (the
# nested L1 gets every $(BUILD)/*/boardvm).
.PHONY: $(LINUX_PEER_BOARDS:%=linux-vmm-%)
$(LINUX_PEER_BOARDS:%=linux-vmm-%): linux-vmm-%: $(BOARDC)
	@$(MAKE) --no-print-directory BOARD=$* vmm

# The instruction names of the emulation failure message (vmm/insn.c).
INSN_TEST := $(BUILD)/tests/linux/insn-test
$(INSN_TEST): tests/linux/insn-test.c vmm/insn.c vmm/insn.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -o $@ tests/linux/insn-test.c vmm/insn.c $(LDFLAGS)
TEST_SUITES += $(INSN_TEST)
TEST_DEPS += $(INSN_TEST)

# vsock against a Linux guest (tests/linux/vsock.sh): the guest's echo
# program, static, which scripts/guest-image.sh puts in the L2 initramfs,
# and the host's end (static too: the nested L1 copies it as it is); and
# the guest's disk reader of bench/nested/disk.sh, in the initramfs too.
# Never sanitized: a static binary cannot carry ASan.
VSOCK_PROGS := $(BUILD)/tests/linux/vsock-echo $(BUILD)/tests/linux/vsock-host \
	$(BUILD)/tests/linux/disk-read
$(VSOCK_PROGS): $(BUILD)/tests/linux/%: tests/linux/%.c
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -static -o $@ $<
TEST_SUITES += tests/linux/vsock.sh
TEST_DEPS += $(VSOCK_PROGS)
