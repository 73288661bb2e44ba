# Fuzz targets for boardc (libFuzzer, clang): `make fuzz` builds them and
# runs each for FUZZ_SECONDS (default 60); any crash, leak or sanitizer
# report fails it. Crashing inputs land in build/fuzz/artifacts/; commit
# them under tests/fuzz/regressions/ (tests/fuzz/regressions.sh replays
# them in `make test`).
#
#   fuzz-yaml   board_from_yaml() -> checks -> layout -> every emitter
#   fuzz-dts    the same through board_from_dts() (once the text syntax
#               front end exists: dtc-like/dts-parser.y)
#   fuzz-devices-pc, fuzz-devices-bindings, fuzz-devices-virtio-guest,
#   fuzz-devices-microvm
#               every device model's registers through vmm/dispatch.c on
#               that board's generated tables (tests/fuzz/fuzz-devices.c);
#               virtio-guest (tests/guest/virtio/) has the PCI virtio
#               devices: config space, BARs, virtqueues in fake guest RAM;
#               microvm the virtio-mmio ones (blk, rng, console)
#   fuzz-pci    PCI configuration space through pci-host, on virtio-guest
#               (pc where that board is missing)
#   fuzz-virtqueue
#               the split virtqueue parser over a fake guest RAM
#   fuzz-virtio-net
#               the virtio-net model's queues and frames: a hostile
#               driver's rings and a hostile network's frames at once
#   fuzz-bzimage, fuzz-pvh
#               the kernel loaders on a kernel file (tests/fuzz/
#               fuzz-loaders.c): synthetic seeds, plus the cached Debian
#               kernel's headers when there is one (device-seeds.sh)
#   fuzz-vsock  virtio-vsock's queues and host sockets together
#               (tests/fuzz/fuzz-vsock.c): guest packets, raw chains, rx
#               buffers, host connects, lines, writes, closes, listeners
#   fuzz-api    the API socket's requests (tests/fuzz/fuzz-api.c): the
#               route table, the JSON body parser and its field checks,
#               every handler and GET /board, on the pc board, seeded
#               with the requests tests/vmm/api.sh sends
#
# The targets whose coverage was still rising after FUZZ_SECONDS (dts,
# PCI config space, the device models) run FUZZ_LONG_FACTOR times as long.
#
# Seeds: board files for the boardc targets, tests/fuzz/device-seeds.sh
# for the others; regressions in tests/fuzz/regressions/ (board files)
# and tests/fuzz/regressions/<target>/ (device programs).
#
# The build is separate from $(BUILD): clang, -O1, ASan+UBSan+libFuzzer
# coverage, whatever SANITIZE says. The corpus grows in build/fuzz/corpus-*
# and is seeded at every run from boards/, tests/boardc/ and the
# regression inputs (copied, never committed twice).

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter \
	       $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB_SRCS := $(filter-out dtc-like/boardc.c,$(BOARDC_SRCS)) \
	$(MACHINE_BOARDC_SRCS)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB_OBJS += $(FUZZ_DIR)/obj/dts-parser.o $(FUZZ_DIR)/obj/dts-lexer.o
FUZZ_TARGETS := $(FUZZ_DIR)/fuzz-yaml $(FUZZ_DIR)/fuzz-dts

# The device targets: one build per board (each sees its board.h), device
# models built once. Every model (DEVICE_SOURCES) is in, so a new one is fuzzed as
# soon as a shipped board has one.
FUZZ_DEV_BOARDS := pc bindings virtio-guest microvm
FUZZ_VIRTIO_BOARD := tests/guest/virtio/virtio-guest.yaml
# Where each board's board.h is: shipped boards in generated/, the
# virtio test board generated here.
fuzz_gen = $(if $(filter virtio-guest,$(1)),$(FUZZ_DIR)/gen/$(1),generated/$(1))
FUZZ_DEV_MODELS := $(patsubst devices/%.c,$(FUZZ_DIR)/models/%.o, \
			$(DEVICE_SOURCES)) \
		   $(patsubst machine/%.c,$(FUZZ_DIR)/models/%.o,$(MACHINE_SRCS))
FUZZ_TARGETS += $(foreach b,$(FUZZ_DEV_BOARDS),$(FUZZ_DIR)/fuzz-devices-$(b)) \
		$(FUZZ_DIR)/fuzz-pci $(FUZZ_DIR)/fuzz-virtqueue \
		$(FUZZ_DIR)/fuzz-virtio-net \
		$(FUZZ_DIR)/fuzz-bzimage $(FUZZ_DIR)/fuzz-pvh \
		$(FUZZ_DIR)/fuzz-api $(FUZZ_DIR)/fuzz-vsock
FUZZ_LONG_FACTOR ?= 3

# libFuzzer options: -close_fd_mask=2 silences boardc's diagnostics but not
# sanitizer reports (libFuzzer moves those to a duplicate of stderr).
FUZZ_OPTS := -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
	     -print_final_stats=1
FUZZ_BOARDC_OPTS := -max_len=16384 -dict=tests/fuzz/boardc.dict
FUZZ_DEV_OPTS := -max_len=8192
FUZZ_VQ_OPTS := -max_len=24576
FUZZ_NET_OPTS := -max_len=65536
FUZZ_LOADER_OPTS := -max_len=131072
FUZZ_API_OPTS := -max_len=4096 -dict=tests/fuzz/api.dict

# `make fuzz FUZZ_ONLY="pci devices-pc"` runs only those targets.
ifneq ($(FUZZ_ONLY),)
FUZZ_RUN := $(filter $(addprefix $(FUZZ_DIR)/fuzz-,$(FUZZ_ONLY)), \
		     $(FUZZ_TARGETS))
else
FUZZ_RUN := $(FUZZ_TARGETS)
endif

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

fuzz: $(FUZZ_RUN)
	@rc=0; for t in $(notdir $(FUZZ_RUN)); do \
		ext=$${t#fuzz-}; corpus=$(FUZZ_DIR)/corpus-$$ext; \
		mkdir -p $$corpus $(FUZZ_DIR)/artifacts; \
		tests/fuzz/seeds.sh $$ext $$corpus || exit 1; \
		secs=$(FUZZ_SECONDS); \
		case $$t in fuzz-dts|fuzz-pci|fuzz-devices-*) \
			secs=$$(($(FUZZ_SECONDS) * $(FUZZ_LONG_FACTOR))) ;; esac; \
		echo "== $$t: $${secs}s, corpus $$corpus"; \
		case $$t in fuzz-yaml|fuzz-dts) opts="$(FUZZ_BOARDC_OPTS)" ;; \
		fuzz-virtqueue) opts="$(FUZZ_VQ_OPTS)" ;; \
		fuzz-virtio-net) opts="$(FUZZ_NET_OPTS)" ;; \
		fuzz-bzimage|fuzz-pvh) opts="$(FUZZ_LOADER_OPTS)" ;; \
		fuzz-api) opts="$(FUZZ_API_OPTS)" ;; \
		*) opts="$(FUZZ_DEV_OPTS)" ;; esac; \
		$(FUZZ_DIR)/$$t $(FUZZ_OPTS) -max_total_time=$$secs $$opts \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
			$$corpus </dev/null >$(FUZZ_DIR)/$$t.log 2>&1 || { rc=1; \
			tail -60 $(FUZZ_DIR)/$$t.log; \
			echo "FAIL $$t: see $(FUZZ_DIR)/$$t.log; the input is in" \
			     "$(FUZZ_DIR)/artifacts/: copy it to" \
			     "tests/fuzz/regressions/ (see tests/fuzz/fuzz.mk)"; \
			continue; }; \
		grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units)' \
			$(FUZZ_DIR)/$$t.log | tail -1; \
		echo "PASS $$t"; \
	done; exit $$rc

$(FUZZ_DIR)/fuzz-yaml: tests/fuzz/fuzz-boardc.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(BOARDC_INC) -o $@ $^ -lyaml

$(FUZZ_DIR)/fuzz-dts: tests/fuzz/fuzz-boardc.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFUZZ_DTS $(BOARDC_INC) \
		-o $@ $^ -lyaml

$(FUZZ_DIR)/models/%.o: devices/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(DEVICES_INC) -c -o $@ $<

$(FUZZ_DIR)/models/%.o: machine/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(MACHINE_INC) -c -o $@ $<

$(FUZZ_DIR)/vq/fuzz-virtqueue.o: tests/fuzz/fuzz-virtqueue.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(DEVICES_INC) -c -o $@ $<

$(FUZZ_DIR)/vq/fuzz-vsock.o: tests/fuzz/fuzz-vsock.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(DEVICES_INC) -c -o $@ $<

$(FUZZ_DIR)/fuzz-vsock: $(FUZZ_DIR)/vq/fuzz-vsock.o \
		$(addprefix $(FUZZ_DIR)/models/, virtio-vsock.o virtio-pci.o \
			virtqueue.o pci.o device.o) \
		$(patsubst machine/%.c,$(FUZZ_DIR)/models/%.o,$(MACHINE_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -pthread -o $@ $^ $(DEVICE_LDLIBS)

$(FUZZ_DIR)/fuzz-virtqueue: $(FUZZ_DIR)/vq/fuzz-virtqueue.o \
		$(FUZZ_DIR)/models/virtqueue.o $(FUZZ_DIR)/models/guest-ram.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^

$(FUZZ_DIR)/net/fuzz-virtio-net.o: tests/fuzz/fuzz-virtio-net.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(DEVICES_INC) -c -o $@ $<

$(FUZZ_DIR)/fuzz-virtio-net: $(FUZZ_DIR)/net/fuzz-virtio-net.o \
		$(addprefix $(FUZZ_DIR)/models/, virtio-net.o virtio-pci.o \
			virtqueue.o pci.o device.o guest-ram.o ratelimit.o \
			registry.o)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^

# The loaders: one build of their sources per target (FUZZ_LOADER_SRCS in
# tests/fuzz/fuzz-tests.mk), with the pc board's tables.
$(FUZZ_DIR)/fuzz-bzimage $(FUZZ_DIR)/fuzz-pvh: $(FUZZ_DIR)/fuzz-%: \
		tests/fuzz/fuzz-loaders.c $(FUZZ_LOADER_SRCS) \
		$(BUILD)/tests/linux/pc-ops-stubs.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		$(if $(filter pvh,$*),-DFUZZ_LOADER_PVH) $(VMM_INC) \
		-Igenerated/pc -o $@ $(filter %.c,$^)

# The API: vmm/api.c is included by the target (it resets its statics),
# with the pc board's tables and the device ops stubbed.
$(FUZZ_DIR)/fuzz-api: $(FUZZ_API_SRCS) vmm/api.c \
		$(BUILD)/tests/linux/pc-ops-stubs.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(VMM_INC) -Igenerated/pc \
		$(VMM_LIBS_CFLAGS) -o $@ \
		$(filter-out vmm/api.c,$(filter %.c,$^)) -ljson-c

$(FUZZ_DIR)/gen/virtio-guest/board.h: $(FUZZ_VIRTIO_BOARD) $(BOARDC)
	@mkdir -p $(@D)
	$(BOARDC) -O c -o $(@D) $<
$(FUZZ_DIR)/gen/virtio-guest/board.c: $(FUZZ_DIR)/gen/virtio-guest/board.h

# fuzz_dev_board NAME GENDIR
define fuzz_dev_board
$(FUZZ_DIR)/$(1)/%.o: tests/fuzz/%.c $(2)/board.h
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -MMD -MP $$(VMM_INC) -I$(2) -c -o $$@ $$<

$(FUZZ_DIR)/$(1)/fuzz-pci.o: tests/fuzz/fuzz-devices.c $(2)/board.h
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -MMD -MP -DFUZZ_PCI $$(VMM_INC) -I$(2) \
		-c -o $$@ $$<

$(FUZZ_DIR)/$(1)/dispatch.o $(FUZZ_DIR)/$(1)/instances.o: \
		$(FUZZ_DIR)/$(1)/%.o: vmm/%.c $(2)/board.h
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -MMD -MP $$(VMM_INC) -I$(2) -c -o $$@ $$<

$(FUZZ_DIR)/$(1)/board.o: $(2)/board.c $(2)/board.h
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -MMD -MP $$(VMM_INC) -I$(2) -c -o $$@ $$<

$(FUZZ_DIR)/fuzz-devices-$(1): $(FUZZ_DIR)/$(1)/fuzz-devices.o \
		$(FUZZ_DIR)/$(1)/dispatch.o $(FUZZ_DIR)/$(1)/instances.o \
		$(FUZZ_DIR)/$(1)/board.o \
		$(FUZZ_DEV_MODELS)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer -pthread -o $$@ $$^ $$(DEVICE_LDLIBS)
endef
$(foreach b,$(FUZZ_DEV_BOARDS),$(eval $(call fuzz_dev_board,$(b),$(call fuzz_gen,$(b)))))

# fuzz-pci on the board with the most PCI functions there is.
FUZZ_PCI_BOARD := $(if $(filter virtio-guest,$(FUZZ_DEV_BOARDS)),virtio-guest,pc)
$(FUZZ_DIR)/fuzz-pci: $(addprefix $(FUZZ_DIR)/$(FUZZ_PCI_BOARD)/, \
		fuzz-pci.o dispatch.o instances.o board.o) $(FUZZ_DEV_MODELS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -pthread -o $@ $^ $(DEVICE_LDLIBS)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(BOARDC_INC) -I$(BUILD)/boardc \
		-c -o $@ $<

# The text syntax's parser and lexer, from boardc's own flex/bison output.
$(FUZZ_DIR)/obj/dts-%.o: $(BUILD)/boardc/dts-%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-sign-compare -Wno-unused-function \
		$(BOARDC_INC) -I$(BUILD)/boardc -c -o $@ $<

$(FUZZ_DIR)/obj/dtc-like/dts-source.o: $(BUILD)/boardc/dts-parser.h

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_DEV_MODELS:.o=.d) \
	$(wildcard $(FUZZ_DIR)/*/*.d)
