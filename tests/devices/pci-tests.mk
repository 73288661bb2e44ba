# PCI device tests without KVM (tests/devices/pci-tests.c) on their own
# board, tests/devices/pci-board.yaml, compiled by boardc into the build
# directory. Only the models the board needs are linked: the PCI
# functions are the test's fake model, not the virtio ones.

PCITEST_DIR := $(BUILD)/tests/devices/pci
PCITEST_GEN := $(PCITEST_DIR)/gen
PCITEST_BIN := $(PCITEST_DIR)/pci-tests
PCITEST_SRCS := tests/devices/pci-tests.c tests/devices/harness.c \
	vmm/dispatch.c vmm/instances.c vmm/pci-remap.c
PCITEST_OBJS := $(patsubst %.c,$(PCITEST_DIR)/%.o,$(PCITEST_SRCS)) \
	$(PCITEST_DIR)/board.o \
	$(addprefix $(BUILD)/devices/,pci.o pci-host.o doorbell-demo.o device.o) \
	$(MACHINE_OBJS)

$(PCITEST_GEN)/board.c $(PCITEST_GEN)/board.h: \
		tests/devices/pci-board.yaml $(BOARDC)
	@mkdir -p $(PCITEST_GEN)
	$(BOARDC) -O c -o $(PCITEST_GEN) tests/devices/pci-board.yaml

$(filter $(PCITEST_DIR)/%,$(PCITEST_OBJS)): $(PCITEST_GEN)/board.h

$(PCITEST_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_INC) -I$(PCITEST_GEN) -Itests/devices -c -o $@ $<

$(PCITEST_DIR)/board.o: $(PCITEST_GEN)/board.c
	$(CC) $(CFLAGS) $(VMM_INC) -I$(PCITEST_GEN) -c -o $@ $<

$(PCITEST_BIN): $(PCITEST_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(DEVICE_LDLIBS)

-include $(wildcard $(PCITEST_DIR)/*.d $(PCITEST_DIR)/*/*.d)

TEST_SUITES += $(PCITEST_BIN)
TEST_DEPS += $(PCITEST_BIN)
