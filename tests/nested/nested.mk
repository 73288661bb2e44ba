# The nested-KVM harness (tests/nested): Linux tests inside a QEMU TCG L1
# with emulated SVM where the host has no vmx/svm. make test runs its
# suite (tests/nested/suite.sh, after tests/linux/full-boot.sh);
#   make test-nested   that suite alone
#   make run-nested    Linux on the pc board to a busybox shell, nested
#   make bench-nested  boardvm against QEMU inside one L1 (bench/nested)
TEST_SUITES += tests/nested/retry.sh tests/nested/suite.sh

# L1's holder of KVM's static keys (kvm-hold.c says why), started by
# l1-init.sh; static, so the L1 image copies it as it is, and never
# sanitized (a static binary cannot carry ASan).
NESTED_HOLD := $(BUILD)/tests/nested/kvm-hold
$(NESTED_HOLD): tests/nested/kvm-hold.c
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -static -o $@ $<
TEST_DEPS += $(NESTED_HOLD)

.PHONY: test-nested run-nested
test-nested: $(TEST_DEPS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) NESTED_SANITIZE=1 \
		tests/run.sh tests/nested/suite.sh

run-nested: boardc vmm $(NESTED_HOLD)
	@BUILD=$(BUILD) scripts/nested-run.sh
