# bench-virtio: virtio-blk throughput from the guest driver of
# tests/guest/virtio (4 KiB reads, 1 or 16 per doorbell), and blk0's async
# doorbell against blk1's sync one on the same board. See bench/virtio/run.sh
# and docs/performance.md (## Virtio). bench-virtio-callgrind: userspace
# instructions per read (bench/virtio/callgrind.sh).

BENCH_VIRTIO_DIR := $(BUILD)/bench/virtio
BENCH_VIRTIO_REQS := 4000
# kind: device (0 async, 1 sync), requests, queue depth
BENCH_VIRTIO_none := 0 0 1
BENCH_VIRTIO_async1 := 0 $(BENCH_VIRTIO_REQS) 1
BENCH_VIRTIO_sync1 := 1 $(BENCH_VIRTIO_REQS) 1
BENCH_VIRTIO_async16 := 0 $(BENCH_VIRTIO_REQS) 16
BENCH_VIRTIO_sync16 := 1 $(BENCH_VIRTIO_REQS) 16
# bench-virtio-callgrind's guests (bench/virtio/callgrind.sh): the
# requests and half as many (whole batches of 16), so their difference
# is per request.
BENCH_VIRTIO_CG_REQS := 2048
BENCH_VIRTIO_CG_HALF := 1024
BENCH_VIRTIO_cg-async1 := 0 $(BENCH_VIRTIO_CG_REQS) 1
BENCH_VIRTIO_cg-async1-half := 0 $(BENCH_VIRTIO_CG_HALF) 1
BENCH_VIRTIO_cg-async16 := 0 $(BENCH_VIRTIO_CG_REQS) 16
BENCH_VIRTIO_cg-async16-half := 0 $(BENCH_VIRTIO_CG_HALF) 16
BENCH_VIRTIO_cg-sync1 := 1 $(BENCH_VIRTIO_CG_REQS) 1
BENCH_VIRTIO_cg-sync1-half := 1 $(BENCH_VIRTIO_CG_HALF) 1
BENCH_VIRTIO_KINDS := none async1 sync1 async16 sync16
BENCH_VIRTIO_CG_KINDS := cg-async1 cg-async1-half cg-async16 \
	cg-async16-half cg-sync1 cg-sync1-half
BENCH_VIRTIO_GUESTS := $(BENCH_VIRTIO_KINDS:%=$(BENCH_VIRTIO_DIR)/guest-%.bin)
BENCH_VIRTIO_CG_GUESTS := \
	$(BENCH_VIRTIO_CG_KINDS:%=$(BENCH_VIRTIO_DIR)/guest-%.bin)
BENCH_TARGETS += bench-virtio bench-virtio-callgrind

.PHONY: bench-virtio bench-virtio-callgrind
bench-virtio: bench-sanitize-check $(BENCH_VIRTIO_GUESTS) \
	      guest-vmm-$(VIRTIO_BOARD_NAME)
	@BUILD=$(BUILD) REQS=$(BENCH_VIRTIO_REQS) bench/virtio/run.sh

# Userspace instructions per 4 KiB read (callgrind); VMM=PATH measures
# another virtio-guest boardvm.
bench-virtio-callgrind: bench-sanitize-check $(BENCH_VIRTIO_CG_GUESTS) \
			guest-vmm-$(VIRTIO_BOARD_NAME)
	@BUILD=$(BUILD) bench/virtio/callgrind.sh

# bench-check (bench/exits/exits.mk) checks these figures too.
bench-check: $(BENCH_VIRTIO_CG_GUESTS) guest-vmm-$(VIRTIO_BOARD_NAME)

$(BENCH_VIRTIO_DIR)/guest-%.o: bench/virtio/guest.c $(VIRTIO_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(VIRTIO_CFLAGS) -DBENCH_DEV=$(word 1,$(BENCH_VIRTIO_$*)) \
		-DBENCH_REQS=$(word 2,$(BENCH_VIRTIO_$*)) \
		-DBENCH_QD=$(word 3,$(BENCH_VIRTIO_$*)) -c -o $@ $<

$(BENCH_VIRTIO_DIR)/guest-%.elf: $(VIRTIO_DRIVER) \
				 $(BENCH_VIRTIO_DIR)/guest-%.o tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

$(BENCH_VIRTIO_DIR)/guest-%.bin: $(BENCH_VIRTIO_DIR)/guest-%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.SECONDARY: $(BENCH_VIRTIO_GUESTS:.bin=.elf) $(BENCH_VIRTIO_GUESTS:.bin=.o) \
	$(BENCH_VIRTIO_CG_GUESTS:.bin=.elf) $(BENCH_VIRTIO_CG_GUESTS:.bin=.o)
