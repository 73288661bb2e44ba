# boardc's layout consumers: the RAM layout unit test, and golden outputs
# (-O c, map, json, svg) of the good boards plus the committed generated/;
# the SVG maps of every board rendered and checked (svg-render.sh).

RAM_LAYOUT_TEST := $(BUILD)/tests/boardc/ram-layout-test

$(RAM_LAYOUT_TEST): tests/boardc/ram-layout-test.c $(BUILD)/machine/ram-layout.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MACHINE_INC) -o $@ $^ $(LDFLAGS)

TEST_SUITES += $(RAM_LAYOUT_TEST) tests/boardc/golden.sh tests/boardc/svg-render.sh
TEST_DEPS += $(RAM_LAYOUT_TEST)
