# bench-exits: what one guest access costs through boardvm, per binding,
# against a bare KVM_RUN loop measured in the same run; plus callgrind's
# count of the VMM's userspace instructions per exit. See bench/exits/run.sh
# and docs/performance.md (## Exits).

BENCH_EXITS_DIR := $(BUILD)/bench/exits
BENCH_EXITS_KINDS := none pio mmio async coalesced
BENCH_EXITS_GUESTS := $(BENCH_EXITS_KINDS:%=$(BENCH_EXITS_DIR)/guest-%.bin)
BENCH_TARGETS += bench-exits

.PHONY: bench-exits
bench-exits: bench-sanitize-check $(BENCH_EXITS_GUESTS) \
	     $(BENCH_EXITS_DIR)/bare guest-vmm-bindings
	@BUILD=$(BUILD) bench/exits/run.sh

$(BENCH_EXITS_DIR)/bare: bench/exits/bare.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDFLAGS)

$(BENCH_EXITS_DIR)/guest-%.o: bench/exits/guest.c tests/guest/guest.h \
			      generated/bindings/board.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DBOARD_GUEST -Igenerated/bindings \
		-DBENCH_$* -c -o $@ $<

$(BENCH_EXITS_DIR)/guest-%.elf: $(BENCH_EXITS_DIR)/guest-%.o \
				$(BUILD)/guest/bindings/start.o \
				$(BUILD)/guest/bindings/lib.o tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

$(BENCH_EXITS_DIR)/guest-%.bin: $(BENCH_EXITS_DIR)/guest-%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.SECONDARY: $(BENCH_EXITS_GUESTS:.bin=.elf) $(BENCH_EXITS_GUESTS:.bin=.o)
