# bench-boot: how long boardvm takes from launch to the guest's first
# instruction and to the kernel's first log line, and its peak RSS, next
# to QEMU (qemu-system-x86_64, Debian package qemu-system-x86; its column
# is skipped with a message when it is not installed) on the same guests
# in the same run. See bench/boot/run.sh and docs/performance.md (## Boot).

BENCH_BOOT_DIR := $(BUILD)/bench/boot
BENCH_TARGETS += bench-boot

.PHONY: bench-boot
bench-boot: bench-sanitize-check $(BENCH_BOOT_DIR)/launch \
	    $(BENCH_BOOT_DIR)/first.bin $(BENCH_BOOT_DIR)/first.elf \
	    $(BUILD)/bench/exits/bare guest-vmm-pc guest-vmm-minimal
	@BUILD=$(BUILD) bench/boot/run.sh

$(BENCH_BOOT_DIR)/launch: bench/boot/launch.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDFLAGS)

$(BENCH_BOOT_DIR)/first.o: bench/boot/first.S generated/pc/board.h
	@mkdir -p $(@D)
	$(GUEST_CC) -m32 -DBOARD_GUEST -Igenerated/pc -c -o $@ $<

$(BENCH_BOOT_DIR)/first32.elf: $(BENCH_BOOT_DIR)/first.o bench/boot/first.ld
	$(GUEST_CC) -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
		-Wl,-T,bench/boot/first.ld -o $@ $<

# PVH loaders take an ELF64 (a vmlinux); the entry is 32-bit code anyway.
$(BENCH_BOOT_DIR)/first.elf: $(BENCH_BOOT_DIR)/first32.elf
	$(GUEST_OBJCOPY) -I elf32-i386 -O elf64-x86-64 $< $@

$(BENCH_BOOT_DIR)/first.bin: $(BENCH_BOOT_DIR)/first32.elf
	$(GUEST_OBJCOPY) -O binary -j .text $< $@
