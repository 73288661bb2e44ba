# bench-nested: boardvm against QEMU -accel kvm inside the nested L1
# (bench/nested/run.sh). Not in make bench's default list: it needs QEMU
# and takes a few minutes; make bench-nested runs it.
$(BUILD)/bench/nested/runstat: bench/nested/runstat.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

.PHONY: bench-nested
bench-nested: bench-sanitize-check boardc vmm $(NESTED_HOLD) $(BUILD)/bench/nested/runstat
	BUILD=$(BUILD) bench/nested/run.sh $(BENCH_ROUNDS)

# bench-nested-net: boardvm against QEMU on a tap inside L1
# (bench/nested/net.sh, docs/performance.md ## Nested network).
.PHONY: bench-nested-net
bench-nested-net: bench-sanitize-check boardc vmm $(NESTED_HOLD) $(BUILD)/bench/nested/runstat
	BUILD=$(BUILD) bench/nested/net.sh $(BENCH_ROUNDS)

# bench-nested-disk: boardvm against QEMU on virtio-blk inside L1
# (bench/nested/disk.sh, docs/performance.md ## Nested disk).
.PHONY: bench-nested-disk
bench-nested-disk: bench-sanitize-check boardc vmm $(NESTED_HOLD) $(BUILD)/bench/nested/runstat \
		$(BUILD)/tests/linux/disk-read
	BUILD=$(BUILD) bench/nested/disk.sh $(BENCH_ROUNDS)

# bench-nested-exits: what one port or MMIO exit costs, boardvm against
# QEMU inside L1 (bench/nested/exits.sh, docs/performance.md ## Nested
# exits). One guest image: flat for boardvm, multiboot ELF for QEMU.
NESTED_EXITS_DIR := $(BUILD)/bench/nested
$(NESTED_EXITS_DIR)/exits-guest.o: bench/nested/exits-guest.c tests/guest/guest.h \
				   generated/bindings/board.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DBOARD_GUEST -Igenerated/bindings -c -o $@ $<

$(NESTED_EXITS_DIR)/multiboot.o: bench/nested/multiboot.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(NESTED_EXITS_DIR)/exits-guest.elf: $(NESTED_EXITS_DIR)/exits-guest.o \
		$(BUILD)/guest/bindings/start.o $(BUILD)/guest/bindings/lib.o \
		tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

$(NESTED_EXITS_DIR)/exits-guest-mb.elf: $(NESTED_EXITS_DIR)/multiboot.o \
		$(NESTED_EXITS_DIR)/exits-guest.o \
		$(BUILD)/guest/bindings/start.o $(BUILD)/guest/bindings/lib.o \
		tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -Wl,-e,mb_start -o $@ $(filter %.o,$^)

$(NESTED_EXITS_DIR)/exits-guest.bin: $(NESTED_EXITS_DIR)/exits-guest.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.PHONY: bench-nested-exits
bench-nested-exits: bench-sanitize-check boardc vmm $(NESTED_HOLD) \
		$(BUILD)/bench/nested/runstat guest-vmm-bindings \
		$(NESTED_EXITS_DIR)/exits-guest.bin $(NESTED_EXITS_DIR)/exits-guest-mb.elf
	BUILD=$(BUILD) bench/nested/exits.sh $(BENCH_ROUNDS)
