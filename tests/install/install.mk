# Installability (docs in README.md ## Installing): the man pages against
# --help (tests/install/manpages.sh).
TEST_SUITES += tests/install/manpages.sh
TEST_DEPS += $(MAN_PAGES) $(BOARDVM)
