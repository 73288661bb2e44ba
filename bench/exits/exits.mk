# bench-exits: what one guest access costs through boardvm, per binding,
# against a bare KVM_RUN loop measured in the same run. bench-callgrind:
# callgrind's count of userspace instructions per exit, the same against
# the bare loop; bench-check: those against bench/exits/budgets.txt. See
# bench/exits/run.sh, callgrind.sh and docs/performance.md (## Exits).

BENCH_EXITS_DIR := $(BUILD)/bench/exits
BENCH_EXITS_KINDS := none pio mmio async coalesced
BENCH_EXITS_GUESTS := $(BENCH_EXITS_KINDS:%=$(BENCH_EXITS_DIR)/guest-%.bin)
# callgrind's kinds, each built with BENCH_ITERS (guest-KIND.bin) and half
# as many accesses (half/guest-KIND.bin): bench/exits/callgrind.sh.
BENCH_EXITS_CG_KINDS := pio_trivial pio pio_unclaimed mmio mmio_unclaimed \
	async coalesced
BENCH_EXITS_CG_GUESTS := \
	$(BENCH_EXITS_CG_KINDS:%=$(BENCH_EXITS_DIR)/guest-%.bin) \
	$(BENCH_EXITS_CG_KINDS:%=$(BENCH_EXITS_DIR)/half/guest-%.bin)
# bench-callgrind-qemu: QEMU's count on three of those guests, each also
# linked with a multiboot header (bench/nested/multiboot.S) for -kernel.
BENCH_EXITS_QEMU_KINDS := pio_trivial pio_unclaimed mmio_unclaimed
BENCH_EXITS_QEMU_GUESTS := \
	$(BENCH_EXITS_QEMU_KINDS:%=$(BENCH_EXITS_DIR)/guest-%-mb.elf) \
	$(BENCH_EXITS_QEMU_KINDS:%=$(BENCH_EXITS_DIR)/half/guest-%-mb.elf)
BENCH_TARGETS += bench-exits bench-callgrind bench-callgrind-qemu

.PHONY: bench-exits
bench-exits: bench-sanitize-check $(BENCH_EXITS_GUESTS) \
	     $(BENCH_EXITS_DIR)/bare guest-vmm-bindings
	@BUILD=$(BUILD) bench/exits/run.sh

# Userspace instructions per exit, boardvm and the bare loop (callgrind).
.PHONY: bench-callgrind bench-check
bench-callgrind: bench-sanitize-check $(BENCH_EXITS_CG_GUESTS) \
		 $(BENCH_EXITS_DIR)/bare guest-vmm-bindings
	@BUILD=$(BUILD) bench/exits/callgrind.sh

# The same count, per exit and per function, for QEMU -M pc on the same
# guests (bench/exits/callgrind-qemu.sh): where QEMU's exit path spends.
.PHONY: bench-callgrind-qemu
bench-callgrind-qemu: bench-sanitize-check $(BENCH_EXITS_CG_GUESTS) \
		      $(BENCH_EXITS_QEMU_GUESTS) guest-vmm-bindings
	@BUILD=$(BUILD) bench/exits/callgrind-qemu.sh

# The same figures against the budgets in bench/exits/budgets.txt: fails
# above them (CI runs it: .ci/run). The virtio-blk read figures
# (bench/virtio/callgrind.sh) have their budgets in the same file; their
# guests are prerequisites in bench/virtio/virtio.mk.
bench-check: bench-sanitize-check $(BENCH_EXITS_CG_GUESTS) \
	     $(BENCH_EXITS_DIR)/bare guest-vmm-bindings
	@BUILD=$(BUILD) bench/exits/callgrind.sh --check bench/exits/budgets.txt
	@BUILD=$(BUILD) bench/virtio/callgrind.sh --check bench/exits/budgets.txt

$(BENCH_EXITS_DIR)/bare: bench/exits/bare.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDFLAGS)

$(BENCH_EXITS_DIR)/guest-%.o: bench/exits/guest.c tests/guest/guest.h \
			      generated/bindings/board.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DBOARD_GUEST -Igenerated/bindings \
		-DBENCH_$* -c -o $@ $<

$(BENCH_EXITS_DIR)/half/guest-%.o: bench/exits/guest.c tests/guest/guest.h \
				   generated/bindings/board.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DBOARD_GUEST -Igenerated/bindings \
		-DBENCH_$* -DBENCH_ITERS=10000 -c -o $@ $<

$(BENCH_EXITS_DIR)/%.elf: $(BENCH_EXITS_DIR)/%.o \
				$(BUILD)/guest/bindings/start.o \
				$(BUILD)/guest/bindings/lib.o tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

# The shorter stem wins over %.elf's: guest-KIND-mb.elf is guest-KIND.o
# behind the multiboot header, entered at mb_start.
$(BENCH_EXITS_DIR)/%-mb.elf: $(BENCH_EXITS_DIR)/multiboot.o \
				$(BENCH_EXITS_DIR)/%.o \
				$(BUILD)/guest/bindings/start.o \
				$(BUILD)/guest/bindings/lib.o tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -Wl,-e,mb_start -o $@ $(filter %.o,$^)

$(BENCH_EXITS_DIR)/multiboot.o: bench/nested/multiboot.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BENCH_EXITS_DIR)/%.bin: $(BENCH_EXITS_DIR)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.SECONDARY: $(BENCH_EXITS_GUESTS:.bin=.elf) $(BENCH_EXITS_GUESTS:.bin=.o) \
	$(BENCH_EXITS_CG_GUESTS:.bin=.elf) $(BENCH_EXITS_CG_GUESTS:.bin=.o) \
	$(BENCH_EXITS_DIR)/multiboot.o
