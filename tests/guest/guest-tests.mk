# Guest programs: freestanding 32-bit C and assembly, built per board
# against that board's generated board.h, run under that board's boardvm
# by tests/guest/run.sh. Each guest board's boardvm is built by a
# recursive make (BOARD is one per make invocation), except the current
# BOARD's, which this make builds itself (so `make all test` never builds
# it twice at once).

GUEST_CC ?= gcc
GUEST_OBJCOPY ?= objcopy
GUEST_CFLAGS := -std=gnu11 -m32 -march=i686 -O2 -Wall -Wextra -Werror \
	-Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -Itests/guest
GUEST_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-Wl,-T,tests/guest/guest.ld

# Which guests run on which board (tests/guest/<name>.c).
GUESTS_bindings := hello access-sizes sync-read async-doorbell coalesced \
	unmapped kbd-reset uart-loopback uart-irq string-io smp triple-fault \
	spin halt
GUESTS_minimal := hello halt cpuid uart-echo popcnt spin
GUESTS_pc := hello ram-map pci-bar-move serial-ports serial-echo counter \
	ctrl-alt-del power-button power-button-ignore
GUEST_BOARDS := bindings minimal pc

define guest_board_rules
$(BUILD)/guest/$(1)/%.o: tests/guest/%.c tests/guest/guest.h \
			  generated/$(1)/board.h
	@mkdir -p $$(@D)
	$$(GUEST_CC) $$(GUEST_CFLAGS) -DBOARD_GUEST -Igenerated/$(1) \
		-c -o $$@ $$<

$(BUILD)/guest/$(1)/start.o: tests/guest/start.S
	@mkdir -p $$(@D)
	$$(GUEST_CC) $$(GUEST_CFLAGS) -c -o $$@ $$<

$(BUILD)/guest/$(1)/%.elf: $(BUILD)/guest/$(1)/start.o \
			   $(BUILD)/guest/$(1)/lib.o $(BUILD)/guest/$(1)/%.o \
			   tests/guest/guest.ld
	$$(GUEST_CC) $$(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)

$(BUILD)/guest/$(1)/%.bin: $(BUILD)/guest/$(1)/%.elf
	$$(GUEST_OBJCOPY) -O binary $$< $$@

.PHONY: guest-vmm-$(1)
ifeq ($(1),$(BOARD_NAME))
guest-vmm-$(1): $$(BOARDVM)
else
guest-vmm-$(1): $$(BOARDC)
	@$$(MAKE) --no-print-directory BOARD=$(1) vmm
endif

GUEST_BINS += $$(patsubst %,$(BUILD)/guest/$(1)/%.bin,$$(GUESTS_$(1)))
endef

GUEST_BINS :=
$(foreach b,$(GUEST_BOARDS),$(eval $(call guest_board_rules,$(b))))
.SECONDARY: $(GUEST_BINS:.bin=.elf) $(GUEST_BINS:.bin=.o) \
	$(foreach b,$(GUEST_BOARDS),$(BUILD)/guest/$(b)/lib.o \
				    $(BUILD)/guest/$(b)/start.o)

.PHONY: guests
guests: $(GUEST_BINS) $(GUEST_BOARDS:%=guest-vmm-%)

TEST_SUITES += tests/guest/run.sh
TEST_DEPS += guests

# The virtio driver and its guests, on their own board.
include tests/guest/virtio/virtio.mk
