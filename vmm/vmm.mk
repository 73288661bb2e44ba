# boardvm for one board: `make BOARD=<name|path> vmm` builds
# $(BUILD)/<board>/boardvm from every vmm/*.c, the registry, the device
# core (with the PCI header, virtio transport and virtqueues the models
# share), the board's generated tables and only the device models it
# uses (BOARD_DEVICE_SOURCES, from its generated devices.mk). Objects live
# under $(BUILD)/<board>/ because they are compiled against its board.h.

VMM_DIR := $(BUILD)/$(BOARD_NAME)
BOARDVM := $(VMM_DIR)/boardvm

BOARD_DEVICE_SOURCES :=
-include $(GEN_DIR)/devices.mk

VMM_SRCS := $(wildcard vmm/*.c) devices/registry.c devices/device.c \
	$(wildcard devices/console.c) $(wildcard devices/pci.c) \
	$(wildcard devices/virtio-pci.c devices/virtqueue.c) \
	dtc-like/numbers.c \
	$(GEN_DIR)/board.c $(BOARD_DEVICE_SOURCES)
VMM_OBJS := $(patsubst %.c,$(VMM_DIR)/obj/%.o,$(sort $(VMM_SRCS)))
VMM_CFLAGS := -I. -I$(GEN_DIR) -pthread

.PHONY: vmm
vmm: $(BOARDVM)

$(BOARDVM): $(VMM_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ -lpthread

# Every object depends on the board's header (-MMD adds the rest).
$(VMM_OBJS): $(GEN_DIR)/board.h

$(VMM_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_CFLAGS) -c -o $@ $<

# Syscall names for the seccomp SIGSYS message, from the kernel headers.
$(VMM_DIR)/syscall-names.h:
	@mkdir -p $(@D)
	echo '#include <asm/unistd.h>' | $(CC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/[\2] = "\1",/p' | \
		sort -t '[' -k 2 -n >$@

$(VMM_DIR)/obj/vmm/seccomp.o: $(VMM_DIR)/syscall-names.h
$(VMM_DIR)/obj/vmm/seccomp.o: VMM_CFLAGS += -I$(VMM_DIR)

-include $(VMM_OBJS:.o=.d)
