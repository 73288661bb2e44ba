# boardc's layout consumers: the RAM layout unit test, and golden outputs
# (-O c, map, json) of the good boards plus the committed generated/.

RAM_LAYOUT_TEST := $(BUILD)/tests/boardc/ram-layout-test

$(RAM_LAYOUT_TEST): tests/boardc/ram-layout-test.c $(BUILD)/machine/ram-layout.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MACHINE_INC) -o $@ $^ $(LDFLAGS)

TEST_SUITES += $(RAM_LAYOUT_TEST) tests/boardc/golden.sh
TEST_DEPS += $(RAM_LAYOUT_TEST)
