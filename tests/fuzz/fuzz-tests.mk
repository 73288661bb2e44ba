# The fuzz regression inputs, replayed through boardc by `make test`.
TEST_SUITES += tests/fuzz/regressions.sh
TEST_DEPS += $(BOARDC)

# The device targets (tests/fuzz/fuzz-devices.c) built without libFuzzer,
# with the ordinary compiler and flags (sanitizers under SANITIZE=1) and
# tests/fuzz/replay.c as main(): tests/fuzz/device-regressions.sh replays
# their seeds and regression inputs. Dispatch, tables and device models
# are the device tests' objects (tests/devices/devices-tests.mk).
FUZZ_REPLAY_DIR := $(BUILD)/tests/fuzz
FUZZ_REPLAY_BOARDS := pc bindings virtio-guest microvm
FUZZ_REPLAY_VIRTIO := tests/guest/virtio/virtio-guest.yaml
FUZZ_REPLAY_PCI := $(if $(filter virtio-guest,$(FUZZ_REPLAY_BOARDS)),virtio-guest,pc)
FUZZ_REPLAY_BINS := $(FUZZ_REPLAY_DIR)/replay-pci \
	$(foreach b,$(FUZZ_REPLAY_BOARDS),$(FUZZ_REPLAY_DIR)/replay-devices-$(b))
# Shipped boards' tables are in generated/; the virtio test board's are
# generated here (dispatch and board objects built here too).
fuzz_replay_gen = $(if $(filter virtio-guest,$(1)),$(FUZZ_REPLAY_DIR)/gen/$(1),generated/$(1))
fuzz_replay_obj = $(if $(filter virtio-guest,$(1)),$(FUZZ_REPLAY_DIR)/$(1),$(DEVTEST_DIR)/$(1))

# microvm (the virtio-mmio devices) has no device test program of its
# own: only its per-board objects.
$(eval $(call devtest_board,microvm))

$(FUZZ_REPLAY_DIR)/gen/virtio-guest/board.h: $(FUZZ_REPLAY_VIRTIO) $(BOARDC)
	@mkdir -p $(@D)
	$(BOARDC) -O c -o $(@D) $<
$(FUZZ_REPLAY_DIR)/gen/virtio-guest/board.c: \
	$(FUZZ_REPLAY_DIR)/gen/virtio-guest/board.h

$(FUZZ_REPLAY_DIR)/virtio-guest/dispatch.o \
$(FUZZ_REPLAY_DIR)/virtio-guest/instances.o: \
		$(FUZZ_REPLAY_DIR)/virtio-guest/%.o: vmm/%.c \
		$(FUZZ_REPLAY_DIR)/gen/virtio-guest/board.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -I$(FUZZ_REPLAY_DIR)/gen/virtio-guest -c -o $@ $<

$(FUZZ_REPLAY_DIR)/virtio-guest/board.o: \
		$(FUZZ_REPLAY_DIR)/gen/virtio-guest/board.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -I$(FUZZ_REPLAY_DIR)/gen/virtio-guest -c -o $@ $<

$(FUZZ_REPLAY_DIR)/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# fuzz_replay_board NAME GENDIR OBJDIR
define fuzz_replay_board
$(FUZZ_REPLAY_DIR)/$(1)/fuzz-devices.o: tests/fuzz/fuzz-devices.c \
		$(2)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(VMM_INC) -I$(2) -c -o $$@ $$<

$(FUZZ_REPLAY_DIR)/$(1)/fuzz-pci.o: tests/fuzz/fuzz-devices.c \
		$(2)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -DFUZZ_PCI $$(VMM_INC) -I$(2) -c -o $$@ $$<

$(FUZZ_REPLAY_DIR)/replay-devices-$(1): $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/$(1)/fuzz-devices.o \
		$(3)/dispatch.o $(3)/instances.o $(3)/board.o \
		$(DEVTEST_MODEL_OBJS)
	$$(CC) $$(LDFLAGS) -pthread -o $$@ $$^ $$(DEVICE_LDLIBS)
endef
$(foreach b,$(FUZZ_REPLAY_BOARDS),$(eval $(call fuzz_replay_board,$(b),$(call fuzz_replay_gen,$(b)),$(call fuzz_replay_obj,$(b)))))

$(FUZZ_REPLAY_DIR)/replay-pci: $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/$(FUZZ_REPLAY_PCI)/fuzz-pci.o \
		$(call fuzz_replay_obj,$(FUZZ_REPLAY_PCI))/dispatch.o \
		$(call fuzz_replay_obj,$(FUZZ_REPLAY_PCI))/instances.o \
		$(call fuzz_replay_obj,$(FUZZ_REPLAY_PCI))/board.o \
		$(DEVTEST_MODEL_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

FUZZ_REPLAY_BINS += $(FUZZ_REPLAY_DIR)/replay-virtqueue

$(FUZZ_REPLAY_DIR)/fuzz-virtqueue.o: tests/fuzz/fuzz-virtqueue.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEVICES_INC) -c -o $@ $<

$(FUZZ_REPLAY_DIR)/replay-virtqueue: $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/fuzz-virtqueue.o \
		$(BUILD)/devices/virtqueue.o $(BUILD)/machine/guest-ram.o
	$(CC) $(LDFLAGS) -o $@ $^

FUZZ_REPLAY_BINS += $(FUZZ_REPLAY_DIR)/replay-virtio-net

$(FUZZ_REPLAY_DIR)/fuzz-virtio-net.o: tests/fuzz/fuzz-virtio-net.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEVICES_INC) -c -o $@ $<

$(FUZZ_REPLAY_DIR)/replay-virtio-net: $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/fuzz-virtio-net.o \
		$(addprefix $(BUILD)/devices/, virtio-net.o virtio-pci.o \
			virtqueue.o pci.o device.o) $(MACHINE_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

FUZZ_REPLAY_BINS += $(FUZZ_REPLAY_DIR)/replay-vsock

$(FUZZ_REPLAY_DIR)/fuzz-vsock.o: tests/fuzz/fuzz-vsock.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEVICES_INC) -c -o $@ $<

$(FUZZ_REPLAY_DIR)/replay-vsock: $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/fuzz-vsock.o \
		$(addprefix $(BUILD)/devices/, virtio-vsock.o virtio-pci.o \
			virtqueue.o pci.o device.o) $(MACHINE_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

# The kernel loaders (tests/fuzz/fuzz-loaders.c): bzImage and PVH, on the
# pc board's tables, the device ops stubbed as the loader tests do
# (tests/linux/linux-tests.mk writes the stubs).
FUZZ_LOADER_SRCS := vmm/boot-linux.c vmm/boot-bzimage.c vmm/boot-pvh.c \
	machine/guest-ram.c machine/ram-layout.c machine/host-file.c \
	machine/registry.c generated/pc/board.c
FUZZ_REPLAY_BINS += $(FUZZ_REPLAY_DIR)/replay-bzimage \
	$(FUZZ_REPLAY_DIR)/replay-pvh

$(FUZZ_REPLAY_DIR)/replay-bzimage $(FUZZ_REPLAY_DIR)/replay-pvh: \
		$(FUZZ_REPLAY_DIR)/replay-%: tests/fuzz/replay.c \
		tests/fuzz/fuzz-loaders.c $(FUZZ_LOADER_SRCS) \
		$(BUILD)/tests/linux/pc-ops-stubs.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(if $(filter pvh,$*),-DFUZZ_LOADER_PVH) $(VMM_INC) \
		-Igenerated/pc -o $@ $(filter %.c,$^) $(LDFLAGS)

# The API's requests (tests/fuzz/fuzz-api.c, which includes vmm/api.c).
FUZZ_API_SRCS := tests/fuzz/fuzz-api.c vmm/board-json.c vmm/ram-fill.c generated/pc/board.c \
	machine/registry.c machine/ram-layout.c
FUZZ_REPLAY_BINS += $(FUZZ_REPLAY_DIR)/replay-api

$(FUZZ_REPLAY_DIR)/replay-api: tests/fuzz/replay.c $(FUZZ_API_SRCS) vmm/api.c \
		$(BUILD)/tests/linux/pc-ops-stubs.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -Igenerated/pc $(VMM_LIBS_CFLAGS) -o $@ \
		$(filter-out vmm/api.c,$(filter %.c,$^)) $(LDFLAGS) -ljson-c

-include $(wildcard $(FUZZ_REPLAY_DIR)/*.d $(FUZZ_REPLAY_DIR)/*/*.d)

TEST_SUITES += tests/fuzz/device-regressions.sh
TEST_DEPS += $(FUZZ_REPLAY_BINS)
