# boardc's suites: every tests/boardc/*.sh (errors.sh: the error boards,
# cli.sh: the command line, and those of the other boardc fragments), plus
# the fragments tests/boardc/*-tests.mk of the other boardc stages.
# numbers-test: the number and size parsers, without a board file.

-include $(filter-out tests/boardc/boardc-tests.mk, \
		      $(wildcard tests/boardc/*-tests.mk))

NUMBERS_TEST := $(BUILD)/tests/boardc/numbers-test

$(NUMBERS_TEST): tests/boardc/numbers-test.c $(BUILD)/machine/numbers.o \
		 $(BUILD)/machine/registry.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MACHINE_INC) -o $@ $^ $(LDFLAGS)

TEST_SUITES += $(NUMBERS_TEST) \
	       $(filter-out $(TEST_SUITES),$(wildcard tests/boardc/*.sh))
TEST_DEPS += $(BOARDC) $(NUMBERS_TEST)
