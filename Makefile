# boardvm: a KVM VMM whose machine is compiled from a board file.
#
#   make                     boardc, and boardvm for the default board (pc)
#   make BOARD=minimal       boardvm for boards/minimal.yaml
#   make BOARD=path/x.yaml   boardvm for any board file
#   make test [SANITIZE=1]   the whole suite (ASan+UBSan with SANITIZE=1)
#   make check-generated     committed generated/ equals a fresh boardc run
#   make bench               benchmarks (bench/)
#   make man                 man pages into build/man (boardc.1, boardvm.1,
#                            boardvm-board.5)
#   make demo                a guest tours the board from the inside
#   make fuzz                fuzz targets, bounded time (clang, libFuzzer)

BOARD ?= pc
VERSION := 0.1
CC ?= cc
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=undefined
else
BUILD := build
SAN_FLAGS :=
endif

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -MMD -MP \
	  $(SAN_FLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SAN_FLAGS) $(EXTRA_LDFLAGS)

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

# Include paths per layer (docs/architecture.md): a folder sees only the
# layers below it, so an include that reaches up fails to build.
#   machine/   the contract: nothing above it
#   devices/   the models: the contract
#   dtc-like/  boardc: the contract
#   vmm/       the VMM: devices and the contract (tests and benches too)
MACHINE_INC := -Imachine
DEVICES_INC := -Idevices $(MACHINE_INC)
BOARDC_INC := -Idtc-like $(MACHINE_INC)
VMM_INC := -Ivmm $(DEVICES_INC)

# $(call layer_check,FOLDERS): run after compiling $@ (with -MMD); fails,
# removing $@, when its dependency file names a header under FOLDERS (a
# path relative to the source, like "../vmm/x.h", gets past -I).
layer_check = @if sed 's/^[^:]*://' $(@:.o=.d) | tr ' ' '\n' | \
	grep -E '(^|/)($(1))/'; then echo "$<: includes the header(s) above" \
	"from a layer above its own (docs/architecture.md)"; rm -f $@; \
	exit 1; fi

.PHONY: all test check-generated bench fuzz clean
all: boardc vmm man

# Every fragment is required: a missing one is an error, never a
# silently smaller build.
include machine/machine.mk
include devices/devices.mk
include dtc-like/boardc.mk
include vmm/vmm.mk
include man/man.mk
include tests/tests.mk
include bench/bench.mk
include demo/demo.mk

clean:
	rm -rf build
