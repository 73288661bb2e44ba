# boardvm for one board: `make BOARD=<name|path> vmm` builds
# $(BUILD)/<board>/boardvm from every vmm/*.c, the board's generated
# tables, the machine contract, the device core and only the device models
# the board uses (BOARD_DEVICE_SOURCES, from its generated devices.mk).
# The VMM's objects live under $(BUILD)/<board>/ because they are compiled
# against its board.h; the contract's and the models' are shared.

VMM_DIR := $(BUILD)/$(BOARD_NAME)
BOARDVM := $(VMM_DIR)/boardvm

BOARD_DEVICE_SOURCES :=
ifneq ($(MAKECMDGOALS),clean)
include $(GEN_DIR)/devices.mk
endif

VMM_SRCS := $(addprefix vmm/,boot-bzimage.c tap.c boot-flat.c boot-kernel.c \
	boot-linux.c boot-pvh.c console-backend.c cpuid.c dispatch.c \
	host-input.c insn.c instances.c io-thread.c irq-routing.c \
	irqfd.c jail.c kvm.c \
	main.c mptable.c acpi.c \
	pci-kvm.c pci-remap.c ram-fill.c seccomp.c stats.c vcpu.c) $(GEN_DIR)/board.c
# --vsock's host end (devices/virtio-vsock.c is the model).
VMM_SRCS += vmm/vsock-option.c vmm/vhost-net.c
# The control plane (docs/api.md).
VMM_SRCS += $(addprefix vmm/,api.c api-http.c board-json.c log.c metrics.c \
	trace.c)
VMM_OBJS := $(patsubst %.c,$(VMM_DIR)/obj/%.o,$(sort $(VMM_SRCS))) \
	$(MACHINE_OBJS) \
	$(patsubst %.c,$(BUILD)/%.o,$(sort $(DEVICE_COMMON_SOURCES) \
					  $(BOARD_DEVICE_SOURCES)))
# The API: libmicrohttpd (HTTP/1.1 on the Unix socket) and json-c (every
# JSON body, --stats-format json, metrics, JSON logs); see docs/api.md.
VMM_LIBS_CFLAGS := $(shell pkg-config --cflags json-c libmicrohttpd)
# libmicrohttpd is loaded at run time, by --api-sock only (vmm/api-http.c):
# linked, it would bring GnuTLS and eight more libraries into every VM.
VMM_LIBS := $(shell pkg-config --libs json-c)
MHD_SONAME := $(shell objdump -p "$$(pkg-config --variable=libdir \
	libmicrohttpd)/libmicrohttpd.so" 2>/dev/null | sed -n 's/^ *SONAME *//p')
VMM_CFLAGS := $(VMM_INC) -I$(GEN_DIR) -pthread $(VMM_LIBS_CFLAGS)

.PHONY: vmm
vmm: $(BOARDVM)

$(BOARDVM): $(VMM_OBJS) $(GEN_FRESH)
	$(CC) $(LDFLAGS) -pthread -o $@ $(filter %.o,$^) $(VMM_LIBS) $(DEVICE_LDLIBS) -lpthread

# The VMM's own objects see the board's header (-MMD adds the rest).
$(filter $(VMM_DIR)/obj/%,$(VMM_OBJS)): $(GEN_DIR)/board.h

$(VMM_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VMM_CFLAGS) -c -o $@ $<
	$(call layer_check,dtc-like|tests|bench)

# Syscall names for the seccomp SIGSYS message, from the kernel headers.
$(VMM_DIR)/syscall-names.h:
	@mkdir -p $(@D)
	echo '#include <asm/unistd.h>' | $(CC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/[\2] = "\1",/p' | \
		sort -t '[' -k 2 -n >$@

$(VMM_DIR)/obj/vmm/api-http.o: VMM_CFLAGS += -DMHD_SONAME='"$(MHD_SONAME)"'

$(VMM_DIR)/obj/vmm/seccomp.o: $(VMM_DIR)/syscall-names.h
$(VMM_DIR)/obj/vmm/seccomp.o: VMM_CFLAGS += -I$(VMM_DIR)

-include $(VMM_OBJS:.o=.d)
