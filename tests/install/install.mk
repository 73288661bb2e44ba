# Installability (README.md ## Installing): the man pages against --help
# (manpages.sh), the bash completion (completion.sh), make install and
# uninstall with boardvm-build (install.sh), the Debian package in a
# scratch dpkg root (deb.sh) and installed for real in a throwaway mount
# namespace (deb-ns.sh).
TEST_SUITES += tests/install/manpages.sh tests/install/completion.sh \
	tests/install/install.sh tests/install/deb.sh tests/install/deb-ns.sh
TEST_DEPS += $(MAN_PAGES) $(BOARDVM) guest-vmm-pc guest-vmm-minimal \
	guest-vmm-bindings $(BUILD)/guest/minimal/hello.bin
