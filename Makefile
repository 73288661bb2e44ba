# boardvm: a KVM VMM whose machine is compiled from a board file.
#
#   make                     boardc, and boardvm for the default board (pc)
#   make BOARD=minimal       boardvm for boards/minimal.yaml
#   make BOARD=path/x.yaml   boardvm for any board file
#   make test [SANITIZE=1]   the whole suite (ASan+UBSan with SANITIZE=1)
#   make check-generated     committed generated/ equals a fresh boardc run
#   make bench               benchmarks (bench/)
#   make bench-check         the exit path's instruction budgets (callgrind)
#   make man                 man pages into build/man (boardc.1, boardvm.1,
#                            boardvm-board.5)
#   make install             PREFIX=/usr/local DESTDIR=; make uninstall
#   make deb                 the Debian package into build/deb/
#   make demo                a guest tours the board from the inside
#   make fuzz                fuzz targets, bounded time (clang, libFuzzer)

BOARD ?= pc
VERSION := 0.1
include build-flags.mk

# A board is a name under boards/ or a path to a board file. Shipped boards
# generate into generated/<name>/ (committed); others into $(BUILD)/generated.
ifneq ($(wildcard boards/$(BOARD).yaml),)
BOARD_FILE := boards/$(BOARD).yaml
BOARD_NAME := $(BOARD)
GEN_DIR := generated/$(BOARD_NAME)
else
BOARD_FILE := $(BOARD)
BOARD_NAME := $(basename $(notdir $(BOARD)))
GEN_DIR := $(BUILD)/generated/$(BOARD_NAME)
endif

SHIPPED_BOARDS := $(basename $(notdir $(wildcard boards/*.yaml)))

.PHONY: all test check-generated bench fuzz clean
all: boardc vmm man

# Every fragment is required: a missing one is an error, never a
# silently smaller build.
include machine/machine.mk
include devices/devices.mk
include dtc-like/boardc.mk
include vmm/vmm.mk
include man/man.mk
include packaging/install.mk
include tests/tests.mk
include bench/bench.mk
include demo/demo.mk

clean:
	rm -rf build
