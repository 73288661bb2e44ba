# make demo: the board tour. demo/tour.c, a freestanding guest built with
# the tests/guest library against a board's generated board.h, runs under
# that board's boardvm (the current BOARD, default pc) and reports every
# device it finds from the inside; demo/run.sh prints `boardc map` first
# and the doorbell lines of boardvm's --stats after. demo/tests.sh, run by
# `make test`, checks the tour on pc whatever BOARD is.

# demo_rules BOARD-NAME GEN-DIR: $(BUILD)/demo/BOARD-NAME/tour.bin
define demo_rules
$(BUILD)/demo/$(1)/%.o: tests/guest/%.c tests/guest/guest.h $(2)/board.h
	@mkdir -p $$(@D)
	$$(GUEST_CC) $$(GUEST_CFLAGS) -DBOARD_GUEST -I$(2) -c -o $$@ $$<

$(BUILD)/demo/$(1)/tour.o: demo/tour.c tests/guest/guest.h $(2)/board.h
	@mkdir -p $$(@D)
	$$(GUEST_CC) $$(GUEST_CFLAGS) -DBOARD_GUEST -I$(2) -c -o $$@ $$<

$(BUILD)/demo/$(1)/start.o: tests/guest/start.S
	@mkdir -p $$(@D)
	$$(GUEST_CC) $$(GUEST_CFLAGS) -c -o $$@ $$<

$(BUILD)/demo/$(1)/tour.elf: $(BUILD)/demo/$(1)/start.o \
			     $(BUILD)/demo/$(1)/lib.o \
			     $(BUILD)/demo/$(1)/tour.o tests/guest/guest.ld
	$$(GUEST_CC) $$(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)

$(BUILD)/demo/$(1)/tour.bin: $(BUILD)/demo/$(1)/tour.elf
	$$(GUEST_OBJCOPY) -O binary $$< $$@

.SECONDARY: $(BUILD)/demo/$(1)/tour.elf $(BUILD)/demo/$(1)/tour.o \
	    $(BUILD)/demo/$(1)/lib.o $(BUILD)/demo/$(1)/start.o
endef

$(eval $(call demo_rules,$(BOARD_NAME),$(GEN_DIR)))
ifneq ($(BOARD_NAME),pc)
$(eval $(call demo_rules,pc,generated/pc))
endif

.PHONY: demo
demo: $(BUILD)/demo/$(BOARD_NAME)/tour.bin $(BOARDVM) $(BOARDC)
	@demo/run.sh $(BOARDC) $(BOARD_FILE) $(BOARDVM) \
		$(BUILD)/demo/$(BOARD_NAME)/tour.bin

TEST_SUITES += demo/tests.sh
test: $(BUILD)/demo/pc/tour.bin guest-vmm-pc
