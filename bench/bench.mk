# Benchmarks: `make bench` runs each target in BENCH_TARGETS in turn and
# prints its results (a few minutes at most on 2 cores).
#
#   bench-lookup    region lookup, generated maps vs binary search, on
#                   boards of 16, 256, 4,096 and 65,536 regions
#   bench-compile   boardc's wall time on a 10,000-device board
#
# Other fragments (bench/exits/, bench/boot/) append their targets to
# BENCH_TARGETS.
# Numbers are only meaningful without SANITIZE: bench-* refuses it.
# Results and how to read them: docs/performance.md.

BENCH_DIR := $(BUILD)/bench
BENCH_SIZES := 16 256 4096 65536
BENCH_LOOKUPS := $(foreach n,$(BENCH_SIZES),$(BENCH_DIR)/lookup-$(n)/lookup)
BENCH_TARGETS := bench-lookup bench-compile
# The bench binaries link the real dispatch code; boards of every size
# reference device ops that bench/lookup/stubs.c stands in for.
BENCH_CFLAGS := $(filter-out -MMD -MP,$(CFLAGS))
BENCH_LINK := vmm/dispatch.c vmm/instances.c machine/registry.c \
	machine/ratelimit.c

include bench/exits/exits.mk
include bench/virtio/virtio.mk
include bench/boot/boot.mk
include bench/barmove/barmove.mk
include bench/nested/nested.mk

.PHONY: bench bench-lookup bench-compile bench-sanitize-check
bench:
	@for t in $(BENCH_TARGETS); do \
		$(MAKE) --no-print-directory $$t || exit 1; done

bench-sanitize-check:
	@if [ "$(SANITIZE)" = 1 ]; then \
		echo "bench: SANITIZE=1 measures the sanitizers: run" \
		     "'make bench' without it"; exit 1; fi

bench-lookup: bench-sanitize-check $(BENCH_LOOKUPS)
	@bench/lookup/run.sh $(BENCH_LOOKUPS)

bench-compile: bench-sanitize-check $(BOARDC)
	@BUILD=$(BUILD) CC=$(CC) INC="$(VMM_INC)" bench/compile/run.sh $(BOARDC)

$(BENCH_DIR)/boards/lookup-%.yaml: scripts/gen-board.sh
	@mkdir -p $(@D)
	scripts/gen-board.sh --regions $* lookup-$* >$@

$(BENCH_DIR)/lookup-%/board.c: $(BENCH_DIR)/boards/lookup-%.yaml $(BOARDC)
	@rm -rf $(@D)
	$(BOARDC) -O c -o $(@D) $<

$(BENCH_DIR)/lookup-%/lookup: bench/lookup/lookup.c bench/lookup/stubs.c \
			      $(BENCH_DIR)/lookup-%/board.c $(BENCH_LINK) \
			      vmm/dispatch.h machine/board-tables.h
	$(CC) $(BENCH_CFLAGS) $(VMM_INC) -I$(@D) -o $@ bench/lookup/lookup.c \
		bench/lookup/stubs.c $(@D)/board.c $(BENCH_LINK) $(LDFLAGS)

.PRECIOUS: $(BENCH_DIR)/boards/lookup-%.yaml $(BENCH_DIR)/lookup-%/board.c

include tests/fuzz/fuzz.mk
