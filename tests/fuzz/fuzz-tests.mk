# The fuzz regression inputs, replayed through boardc by `make test`.
TEST_SUITES += tests/fuzz/regressions.sh
TEST_DEPS += $(BOARDC)

# The device targets (tests/fuzz/fuzz-devices.c) built without libFuzzer,
# with the ordinary compiler and flags (sanitizers under SANITIZE=1) and
# tests/fuzz/replay.c as main(): tests/fuzz/device-regressions.sh replays
# their seeds and regression inputs. Dispatch, tables and device models
# are the device tests' objects (tests/devices/devices-tests.mk).
FUZZ_REPLAY_DIR := $(BUILD)/tests/fuzz
FUZZ_REPLAY_BOARDS := pc bindings
FUZZ_REPLAY_BINS := $(FUZZ_REPLAY_DIR)/replay-pci \
	$(foreach b,$(FUZZ_REPLAY_BOARDS),$(FUZZ_REPLAY_DIR)/replay-devices-$(b))

$(FUZZ_REPLAY_DIR)/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

define fuzz_replay_board
$(FUZZ_REPLAY_DIR)/$(1)/fuzz-devices.o: tests/fuzz/fuzz-devices.c \
		generated/$(1)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -I. -Igenerated/$(1) -c -o $$@ $$<

$(FUZZ_REPLAY_DIR)/$(1)/fuzz-pci.o: tests/fuzz/fuzz-devices.c \
		generated/$(1)/board.h
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -DFUZZ_PCI -I. -Igenerated/$(1) -c -o $$@ $$<

$(FUZZ_REPLAY_DIR)/replay-devices-$(1): $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/$(1)/fuzz-devices.o \
		$(DEVTEST_DIR)/$(1)/dispatch.o $(DEVTEST_DIR)/$(1)/board.o \
		$(DEVTEST_MODEL_OBJS)
	$$(CC) $$(LDFLAGS) -pthread -o $$@ $$^
endef
$(foreach b,$(FUZZ_REPLAY_BOARDS),$(eval $(call fuzz_replay_board,$(b))))

$(FUZZ_REPLAY_DIR)/replay-pci: $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/pc/fuzz-pci.o \
		$(DEVTEST_DIR)/pc/dispatch.o $(DEVTEST_DIR)/pc/board.o \
		$(DEVTEST_MODEL_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^

ifneq ($(wildcard devices/virtqueue.c),)
FUZZ_REPLAY_BINS += $(FUZZ_REPLAY_DIR)/replay-virtqueue
endif

$(FUZZ_REPLAY_DIR)/fuzz-virtqueue.o: tests/fuzz/fuzz-virtqueue.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I. -c -o $@ $<

$(FUZZ_REPLAY_DIR)/replay-virtqueue: $(FUZZ_REPLAY_DIR)/replay.o \
		$(FUZZ_REPLAY_DIR)/fuzz-virtqueue.o \
		$(DEVTEST_DIR)/models/virtqueue.o $(DEVTEST_DIR)/models/guest-ram.o
	$(CC) $(LDFLAGS) -o $@ $^

-include $(wildcard $(FUZZ_REPLAY_DIR)/*.d $(FUZZ_REPLAY_DIR)/*/*.d)

TEST_SUITES += tests/fuzz/device-regressions.sh
TEST_DEPS += $(FUZZ_REPLAY_BINS)
