# The ACPI stage on its own (tests/boardc/acpi-test.c): boardc's tables
# for the pc board and tests/boardc/acpi/*.yaml read back through the
# spec's layouts. Links boardc's objects, all but main().

ACPI_TEST := $(BUILD)/tests/boardc/acpi-test

$(ACPI_TEST): tests/boardc/acpi-test.c $(LAYOUT_TEST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BOARDC_INC) -o $@ $< $(LAYOUT_TEST_OBJS) \
		$(LDFLAGS) -lyaml

TEST_SUITES += $(ACPI_TEST)
TEST_DEPS += $(ACPI_TEST)
