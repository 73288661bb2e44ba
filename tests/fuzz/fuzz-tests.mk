# The fuzz regression inputs, replayed through boardc by `make test`.
TEST_SUITES += tests/fuzz/regressions.sh
TEST_DEPS += $(BOARDC)
