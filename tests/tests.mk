# The test suites. Each fragment appends its suite scripts to TEST_SUITES
# and what they need built to TEST_DEPS; `make test` runs them all through
# tests/run.sh, which prints the summary line.
TEST_SUITES :=
TEST_DEPS := $(BOARDC)
include tests/boardc/boardc-tests.mk
include tests/devices/devices-tests.mk
include tests/devices/pci-tests.mk
include tests/guest/guest-tests.mk
include tests/linux/linux-tests.mk
include tests/nested/nested.mk
include tests/fuzz/fuzz-tests.mk
include tests/vmm/vmm-tests.mk
include tests/install/install.mk

test: $(TEST_DEPS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh $(TEST_SUITES)
