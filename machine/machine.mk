# The machine contract (machine/): what boardc and the VMM share, built
# once per $(BUILD) with nothing above it on the include path. boardc links
# the board-language half (registry, numbers, RAM fill, CPUID names); the
# VMM and the device tests link all of it.

MACHINE_BOARDC_SRCS := machine/acpi-tables.c machine/cli-help.c machine/cpuid-features.c machine/numbers.c \
	machine/ram-layout.c machine/registry.c
MACHINE_SRCS := $(MACHINE_BOARDC_SRCS) machine/guest-ram.c \
	machine/host-file.c machine/ratelimit.c
MACHINE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(MACHINE_SRCS))
MACHINE_BOARDC_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(MACHINE_BOARDC_SRCS))

$(BUILD)/machine/%.o: machine/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MACHINE_INC) -c -o $@ $<
	$(call layer_check,vmm|devices|dtc-like|generated|tests|bench)

-include $(MACHINE_OBJS:.o=.d)
