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
