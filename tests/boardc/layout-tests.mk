# board_layout() on its own: layout-test lays out tests/boardc/layout/*.yaml
# against their .expected text, and boards it builds in memory (devices
# that failed checks, a port space packed full). It links boardc's own
# objects, all but main().

LAYOUT_TEST := $(BUILD)/tests/boardc/layout-test
LAYOUT_TEST_OBJS := $(filter-out $(BUILD)/boardc/dtc-like/boardc.o, \
				 $(BOARDC_OBJS))

$(LAYOUT_TEST): tests/boardc/layout-test.c $(LAYOUT_TEST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BOARDC_INC) -o $@ $< $(LAYOUT_TEST_OBJS) \
		$(LDFLAGS) -lyaml

TEST_SUITES += $(LAYOUT_TEST)
TEST_DEPS += $(LAYOUT_TEST)
