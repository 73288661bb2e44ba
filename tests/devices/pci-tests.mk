# PCI device tests without KVM (tests/devices/pci-tests.c) on their own
# board, tests/devices/pci-board.yaml, compiled by boardc into the build
# directory. Only the models the board needs are linked: the PCI
# functions are the test's fake model, not the virtio ones.

PCITEST_DIR := $(BUILD)/tests/devices/pci
PCITEST_GEN := $(PCITEST_DIR)/gen
PCITEST_BIN := $(PCITEST_DIR)/pci-tests
PCITEST_SRCS := tests/devices/pci-tests.c tests/devices/harness.c \
	vmm/dispatch.c vmm/pci-remap.c devices/pci.c devices/pci-host.c \
	devices/doorbell-demo.c devices/device.c devices/registry.c
PCITEST_OBJS := $(patsubst %.c,$(PCITEST_DIR)/%.o,$(PCITEST_SRCS)) \
	$(PCITEST_DIR)/board.o

$(PCITEST_GEN)/board.c $(PCITEST_GEN)/board.h: \
		tests/devices/pci-board.yaml $(BOARDC)
	@mkdir -p $(PCITEST_GEN)
	$(BOARDC) -O c -o $(PCITEST_GEN) tests/devices/pci-board.yaml

$(PCITEST_OBJS): $(PCITEST_GEN)/board.h

$(PCITEST_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I. -I$(PCITEST_GEN) -Itests/devices -c -o $@ $<

$(PCITEST_DIR)/board.o: $(PCITEST_GEN)/board.c
	$(CC) $(CFLAGS) -I. -I$(PCITEST_GEN) -c -o $@ $<

$(PCITEST_BIN): $(PCITEST_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^

-include $(PCITEST_OBJS:.o=.d)

TEST_SUITES += $(PCITEST_BIN)
TEST_DEPS += $(PCITEST_BIN)
