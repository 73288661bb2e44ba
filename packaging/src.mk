# The Makefile of boardvm's installed sources (share/boardvm/src/), which
# boardvm-build runs: one board file's boardvm, built exactly as in a
# checkout (the same build-flags.mk and machine/, devices/, vmm/
# fragments) against tables that the installed boardc generates.
#
#   make -C .../share/boardvm/src BOARD=/abs/board.yaml BUILD=/abs/dir \
#           BOARDC=/usr/bin/boardc
#   -> $(BUILD)/<board>/boardvm
#
# Installed by packaging/install.mk as share/boardvm/src/Makefile.

ifeq ($(BOARD),)
$(error give BOARD=/path/to/board.yaml (boardvm-build does))
endif
BOARDC ?= boardc
include build-flags.mk

BOARD_FILE := $(BOARD)
BOARD_NAME := $(basename $(notdir $(BOARD)))
GEN_DIR := $(BUILD)/generated/$(BOARD_NAME)
GEN_FRESH :=

.PHONY: all
all: vmm

include machine/machine.mk
include devices/devices.mk
include vmm/vmm.mk

$(GEN_DIR)/board.c $(GEN_DIR)/board.h $(GEN_DIR)/devices.mk &: $(BOARD_FILE)
	$(BOARDC) -O c -o $(GEN_DIR) $(BOARD_FILE)
