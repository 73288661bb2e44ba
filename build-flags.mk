# Compiler, flags and the layers' include paths: shared by this
# checkout's Makefile and the installed sources' (packaging/src.mk, which
# boardvm-build runs), so a VMM built from the installed tree is built
# exactly as here.

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
# path relative to the source, like "../vmm/x.h", gets past -I). Headers
# under $(BUILD) (the board's board.h, syscall names) are outputs, not a
# layer: left out, so a build folder under a path like ~/tests/ is fine.
layer_check = @if sed 's/^[^:]*://' $(@:.o=.d) | tr ' ' '\n' | \
	grep -vF '$(BUILD)/' | grep -E '(^|/)($(1))/'; then echo "$<: includes the header(s) above" \
	"from a layer above its own (docs/architecture.md)"; rm -f $@; \
	exit 1; fi
