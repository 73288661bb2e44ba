# The man pages, built into $(BUILD)/man/ (never committed):
#   boardc(1), boardvm(1)  man/mangen fills the templates man/*.1.in from
#                          the option tables the programs' --help comes
#                          from (dtc-like/boardc-options.def,
#                          vmm/boardvm-options.def)
#   boardvm-board(5)       man/md2man.awk turns the language's documents
#                          (docs/board-format.md, docs/board-format-dts.md)
#                          into roff
# tests/install/manpages.sh compares each page with --help.

MAN_DIR := $(BUILD)/man
MANGEN := $(MAN_DIR)/mangen
MAN_PAGES := $(MAN_DIR)/boardc.1 $(MAN_DIR)/boardvm.1 $(MAN_DIR)/boardvm-board.5

.PHONY: man
man: $(MAN_PAGES)

# A host tool: the option tables and the help printer, nothing else.
$(MANGEN): man/mangen.c machine/cli-help.c machine/cli-help.h \
	   dtc-like/boardc-options.def vmm/boardvm-options.def
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MACHINE_INC) -Idtc-like -Ivmm -o $@ \
		man/mangen.c machine/cli-help.c

$(MAN_DIR)/%.1: man/%.1.in $(MANGEN)
	$(MANGEN) $* $(VERSION) <$< >$@.tmp && mv $@.tmp $@

$(MAN_DIR)/boardvm-board.5: man/boardvm-board.5.in man/boardvm-board.5.tail \
			    man/md2man.awk docs/board-format.md \
			    docs/board-format-dts.md
	@mkdir -p $(@D)
	{ sed 's/@VERSION@/$(VERSION)/' man/boardvm-board.5.in && \
	  awk -v top=sh -f man/md2man.awk docs/board-format.md && \
	  awk -v top=ss -f man/md2man.awk docs/board-format-dts.md && \
	  cat man/boardvm-board.5.tail; } >$@.tmp && mv $@.tmp $@
