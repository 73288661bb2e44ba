# The nested-KVM harness (tests/nested): Linux tests inside a QEMU TCG L1
# with emulated SVM where the host has no vmx/svm. make test runs its
# suite (tests/nested/suite.sh, after tests/linux/full-boot.sh);
#   make test-nested   that suite alone
#   make run-nested    Linux on the pc board to a busybox shell, nested
#   make bench-nested  boardvm against QEMU inside one L1 (bench/nested)
TEST_SUITES += tests/nested/retry.sh tests/nested/suite.sh

.PHONY: test-nested run-nested
test-nested: $(TEST_DEPS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) NESTED_SANITIZE=1 \
		tests/run.sh tests/nested/suite.sh

run-nested: boardc vmm
	@BUILD=$(BUILD) scripts/nested-run.sh
