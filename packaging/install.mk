# make install / uninstall (README.md ## Installing):
#
#   make install [PREFIX=/usr/local] [DESTDIR=]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=]
#
#   $(PREFIX)/bin/boardc
#   $(PREFIX)/bin/boardvm-BOARD       one VMM per board of INSTALL_BOARDS
#   $(PREFIX)/bin/boardvm             -> boardvm-$(DEFAULT_BOARD)
#   $(PREFIX)/bin/boardvm-build       a VMM for any board file
#   $(PREFIX)/share/boardvm/boards/   the shipped boards, YAML and dts
#   $(PREFIX)/share/boardvm/doc/      docs/*.md: the board language, the
#                                     device types, the VMM, the API
#   $(PREFIX)/share/boardvm/src/      what boardvm-build compiles: machine/,
#                                     devices/, vmm/, build-flags.mk and
#                                     packaging/src.mk as its Makefile
#   $(PREFIX)/share/man/man1, man5    boardc.1, boardvm.1, boardvm-build.1,
#                                     boardvm-board.5 (MAN_GZIP=1: .gz);
#                                     boardvm-BOARD.1 -> boardvm.1
#   $(PREFIX)/share/bash-completion/completions/
#                                     boardvm, and the same file for
#                                     boardc, boardvm-build, boardvm-BOARD
#
# Each board's VMM is built by a make of its own (BOARD is one per make).

PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_BOARDS ?= $(SHIPPED_BOARDS)
DEFAULT_BOARD := pc
MAN_GZIP ?= 0

BINDIR := $(PREFIX)/bin
DATADIR := $(PREFIX)/share/boardvm
MANDIR := $(PREFIX)/share/man
COMPLETIONDIR := $(PREFIX)/share/bash-completion/completions

# The installed sources: the VMM's fragments and every file they compile
# or include (the folders' sources and headers, the .def tables).
INSTALL_SRC := build-flags.mk machine/machine.mk devices/devices.mk \
	vmm/vmm.mk $(sort $(wildcard machine/*.[ch] machine/*.def \
	devices/*.[ch] devices/*.def vmm/*.[ch] vmm/*.def))
INSTALL_MAN1 := $(MAN_DIR)/boardc.1 $(MAN_DIR)/boardvm.1 \
	packaging/boardvm-build.1
INSTALL_MAN5 := $(MAN_DIR)/boardvm-board.5
MAN_EXT := $(if $(filter 1,$(MAN_GZIP)),.gz)

ifeq ($(filter $(DEFAULT_BOARD),$(INSTALL_BOARDS)),)
$(error INSTALL_BOARDS ($(INSTALL_BOARDS)) must include the default board, $(DEFAULT_BOARD))
endif

.PHONY: install uninstall install-vmms
install-vmms: all
	@for b in $(INSTALL_BOARDS); do \
		$(MAKE) --no-print-directory BOARD=$$b vmm || exit 1; done

install: install-vmms $(INSTALL_MAN1) $(INSTALL_MAN5)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/boards \
		$(DESTDIR)$(DATADIR)/doc $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(BOARDC) $(DESTDIR)$(BINDIR)/boardc
	for b in $(INSTALL_BOARDS); do \
		install -m 755 $(BUILD)/$$b/boardvm \
			$(DESTDIR)$(BINDIR)/boardvm-$$b || exit 1; done
	ln -sfn boardvm-$(DEFAULT_BOARD) $(DESTDIR)$(BINDIR)/boardvm
	install -m 755 packaging/boardvm-build $(DESTDIR)$(BINDIR)/boardvm-build
	install -m 644 $(wildcard boards/*.yaml boards/*.dts) $(DESTDIR)$(DATADIR)/boards
	install -m 644 $(wildcard docs/*.md) $(DESTDIR)$(DATADIR)/doc
	for f in $(INSTALL_SRC); do \
		install -D -m 644 $$f $(DESTDIR)$(DATADIR)/src/$$f || exit 1; done
	install -m 644 packaging/src.mk $(DESTDIR)$(DATADIR)/src/Makefile
	install -m 644 $(INSTALL_MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(INSTALL_MAN5) $(DESTDIR)$(MANDIR)/man5
	$(if $(MAN_EXT),gzip -9nf $(DESTDIR)$(MANDIR)/man1/boardc.1 \
		$(DESTDIR)$(MANDIR)/man1/boardvm.1 \
		$(DESTDIR)$(MANDIR)/man1/boardvm-build.1 \
		$(DESTDIR)$(MANDIR)/man5/boardvm-board.5)
	for b in $(INSTALL_BOARDS); do \
		ln -sfn boardvm.1$(MAN_EXT) \
			$(DESTDIR)$(MANDIR)/man1/boardvm-$$b.1$(MAN_EXT) || exit 1; done
	install -m 644 packaging/boardvm.bash-completion $(DESTDIR)$(COMPLETIONDIR)/boardvm
	for c in boardc boardvm-build $(INSTALL_BOARDS:%=boardvm-%); do \
		ln -sfn boardvm $(DESTDIR)$(COMPLETIONDIR)/$$c || exit 1; done

# Exactly what install wrote; the folders of PREFIX itself stay.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/boardc $(DESTDIR)$(BINDIR)/boardvm \
		$(DESTDIR)$(BINDIR)/boardvm-build \
		$(INSTALL_BOARDS:%=$(DESTDIR)$(BINDIR)/boardvm-%)
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(foreach m,boardc boardvm boardvm-build $(INSTALL_BOARDS:%=boardvm-%),\
		$(DESTDIR)$(MANDIR)/man1/$(m).1 \
		$(DESTDIR)$(MANDIR)/man1/$(m).1.gz) \
		$(DESTDIR)$(MANDIR)/man5/boardvm-board.5 \
		$(DESTDIR)$(MANDIR)/man5/boardvm-board.5.gz
	rm -f $(foreach c,boardvm boardc boardvm-build $(INSTALL_BOARDS:%=boardvm-%),\
		$(DESTDIR)$(COMPLETIONDIR)/$(c))

# The Debian package (packaging/deb.sh): $(BUILD)/deb/boardvm_*.deb.
.PHONY: deb
deb: install-vmms $(INSTALL_MAN1) $(INSTALL_MAN5)
	@packaging/deb.sh $(BUILD) $(VERSION) $(SANITIZE)
