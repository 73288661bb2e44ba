# The virtio guest tests (tests/guest/virtio/): a freestanding virtio-pci
# driver (pci.c, virtio.c, irq.c, irq-entry.S) linked into one guest per
# test, all built for the board virtio-guest.yaml here and run by
# tests/guest/run.sh (tests/guest/virtio/tests.sh) under that board's
# boardvm. Included from tests/guest/guest-tests.mk; bench/virtio links the
# same driver.

VIRTIO_BOARD := tests/guest/virtio/virtio-guest.yaml
VIRTIO_BOARD_NAME := virtio-guest
VIRTIO_DIR := $(BUILD)/guest/$(VIRTIO_BOARD_NAME)
# The guests' copy of the board header (the recursive vmm make writes its
# own under $(BUILD)/generated: two makes never write one file).
VIRTIO_GEN := $(VIRTIO_DIR)/gen
VIRTIO_GUESTS := virtio-blk virtio-blk-ro virtio-blk-durable virtio-rng \
	virtio-console \
	virtio-msix virtio-intx virtio-bar-move virtio-log-flood \
	virtio-bar-storm
VIRTIO_DRIVER := $(VIRTIO_DIR)/start.o $(VIRTIO_DIR)/lib.o \
	$(VIRTIO_DIR)/pci.o $(VIRTIO_DIR)/virtio.o $(VIRTIO_DIR)/irq.o \
	$(VIRTIO_DIR)/irq-entry.o
VIRTIO_CFLAGS := $(GUEST_CFLAGS) -DBOARD_GUEST -I$(VIRTIO_GEN) \
	-Itests/guest/virtio
VIRTIO_HDRS := tests/guest/guest.h tests/guest/virtio/virtio.h \
	$(VIRTIO_GEN)/board.h
VIRTIO_GUEST_BINS := $(VIRTIO_GUESTS:%=$(VIRTIO_DIR)/%.bin)

$(VIRTIO_GEN)/board.h: $(VIRTIO_BOARD) $(BOARDC)
	@rm -rf $(@D)
	$(BOARDC) -O c -o $(@D) $<

$(VIRTIO_DIR)/%.o: tests/guest/virtio/%.c $(VIRTIO_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(VIRTIO_CFLAGS) -c -o $@ $<

$(VIRTIO_DIR)/lib.o: tests/guest/lib.c $(VIRTIO_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) $(VIRTIO_CFLAGS) -c -o $@ $<

$(VIRTIO_DIR)/start.o: tests/guest/start.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(VIRTIO_DIR)/irq-entry.o: tests/guest/virtio/irq-entry.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(VIRTIO_DIR)/%.elf: $(VIRTIO_DRIVER) $(VIRTIO_DIR)/%.o tests/guest/guest.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

$(VIRTIO_DIR)/%.bin: $(VIRTIO_DIR)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.SECONDARY: $(VIRTIO_GUEST_BINS:.bin=.elf) $(VIRTIO_GUEST_BINS:.bin=.o) \
	$(VIRTIO_DRIVER)

.PHONY: guest-vmm-$(VIRTIO_BOARD_NAME)
guest-vmm-$(VIRTIO_BOARD_NAME): $(BOARDC)
	@$(MAKE) --no-print-directory BOARD=$(VIRTIO_BOARD) vmm

guests: $(VIRTIO_GUEST_BINS) guest-vmm-$(VIRTIO_BOARD_NAME)
