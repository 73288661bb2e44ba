# bench-barmove: a BAR-move storm on one vCPU against the PCI lock on
# another (bench/barmove/run.sh, docs/performance.md ## BAR moves). The
# guest is the storm test's, tests/guest/virtio/virtio-bar-storm.c.

BENCH_TARGETS += bench-barmove

.PHONY: bench-barmove
bench-barmove: bench-sanitize-check \
	       $(BUILD)/guest/$(VIRTIO_BOARD_NAME)/virtio-bar-storm.bin \
	       guest-vmm-$(VIRTIO_BOARD_NAME)
	@BUILD=$(BUILD) bench/barmove/run.sh
