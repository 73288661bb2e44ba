# boardc's suites: the scripts below (errors.sh: the error boards, cli.sh:
# the command line, ...), plus the fragments of the other boardc stages.
# numbers-test: the number and size parsers, without a board file.

include tests/boardc/golden-tests.mk tests/boardc/layout-tests.mk \
	tests/boardc/acpi-tests.mk

NUMBERS_TEST := $(BUILD)/tests/boardc/numbers-test

$(NUMBERS_TEST): tests/boardc/numbers-test.c $(BUILD)/machine/numbers.o \
		 $(BUILD)/machine/registry.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MACHINE_INC) -o $@ $^ $(LDFLAGS)

TEST_SUITES += $(NUMBERS_TEST) tests/boardc/checks.sh tests/boardc/cli.sh \
	tests/boardc/cpuid-hide.sh tests/boardc/docs.sh tests/boardc/errors.sh \
	tests/boardc/roundtrip.sh tests/boardc/yaml-forms.sh \
	tests/boardc/acpi-iasl.sh
TEST_DEPS += $(BOARDC) $(NUMBERS_TEST)
