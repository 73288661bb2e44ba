# Device tests without KVM: one program per board, built from that board's
# generated tables (-Igenerated/<board>), the real vmm/dispatch.c and
# every device model, with the fake environment of tests/devices/harness.c.
# Objects go under $(BUILD)/tests/devices/<board>/ (per board: they see its
# board.h); the models and the contract are the shared $(BUILD)/devices/
# and $(BUILD)/machine/ objects (devices/devices.mk, machine/machine.mk).

DEVTEST_BOARDS := pc bindings
DEVTEST_DIR := $(BUILD)/tests/devices
DEVTEST_MODEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(DEVICE_SOURCES)) \
	$(MACHINE_OBJS)
DEVTEST_BINS := $(foreach b,$(DEVTEST_BOARDS),$(DEVTEST_DIR)/$(b)/$(b)-tests)

# Sources built once per board: name them with the board's directory.
define devtest_board
$(DEVTEST_DIR)/$(1)/%.o: tests/devices/%.c generated/$(1)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(VMM_INC) -Igenerated/$(1) -Itests/devices -c -o $$@ $$<

$(DEVTEST_DIR)/$(1)/dispatch.o $(DEVTEST_DIR)/$(1)/instances.o: \
		$(DEVTEST_DIR)/$(1)/%.o: vmm/%.c generated/$(1)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(VMM_INC) -Igenerated/$(1) -c -o $$@ $$<

$(DEVTEST_DIR)/$(1)/board.o: generated/$(1)/board.c generated/$(1)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(VMM_INC) -Igenerated/$(1) -c -o $$@ $$<

$(DEVTEST_DIR)/$(1)/$(1)-tests: $(addprefix $(DEVTEST_DIR)/$(1)/, \
		$(1)-tests.o harness.o map-test.o dispatch.o instances.o \
		board.o) \
		$(DEVTEST_MODEL_OBJS)
	$$(CC) $$(LDFLAGS) -pthread -o $$@ $$^ $$(DEVICE_LDLIBS)
endef
$(foreach b,$(DEVTEST_BOARDS),$(eval $(call devtest_board,$(b))))

# The virtio models without a board: tests/devices/virtio-tests.c drives
# them through their handlers over a fake guest RAM.
VIRTIO_TEST := $(DEVTEST_DIR)/virtio/virtio-tests
VIRTIO_TEST_OBJS := $(DEVTEST_DIR)/virtio/virtio-tests.o \
	$(addprefix $(BUILD)/devices/, virtio-blk.o virtio-rng.o \
		virtio-console.o virtio-pci.o virtio-mmio.o virtqueue.o pci.o \
		device.o console.o) $(MACHINE_OBJS)

$(DEVTEST_DIR)/virtio/virtio-tests.o: tests/devices/virtio-tests.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -c -o $@ $<

$(VIRTIO_TEST): $(VIRTIO_TEST_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

# virtio-net the same way, a socketpair for its tap (tests/devices/net-tests.c).
NET_TEST := $(DEVTEST_DIR)/virtio/net-tests
NET_TEST_OBJS := $(DEVTEST_DIR)/virtio/net-tests.o \
	$(addprefix $(BUILD)/devices/, virtio-net.o virtio-pci.o virtqueue.o \
		pci.o device.o) $(MACHINE_OBJS)

$(DEVTEST_DIR)/virtio/net-tests.o: tests/devices/net-tests.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -c -o $@ $<

$(NET_TEST): $(NET_TEST_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

# virtio-vsock with a real --vsock backend (Unix sockets in a temporary
# directory): tests/devices/vsock-tests.c.
VSOCK_TEST := $(DEVTEST_DIR)/virtio/vsock-tests
VSOCK_TEST_OBJS := $(DEVTEST_DIR)/virtio/vsock-tests.o \
	$(addprefix $(BUILD)/devices/, virtio-vsock.o virtio-pci.o \
		virtqueue.o pci.o device.o) $(MACHINE_OBJS)

$(DEVTEST_DIR)/virtio/vsock-tests.o: tests/devices/vsock-tests.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -c -o $@ $<

$(VSOCK_TEST): $(VSOCK_TEST_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

-include $(wildcard $(DEVTEST_DIR)/*/*.d)

TEST_SUITES += $(DEVTEST_BINS) $(VIRTIO_TEST) $(NET_TEST) $(VSOCK_TEST) \
	tests/devices/virtio-cli.sh
TEST_DEPS += $(DEVTEST_BINS) $(VIRTIO_TEST) $(NET_TEST) $(VSOCK_TEST) \
	guest-vmm-pc
