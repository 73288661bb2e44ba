# The device models (devices/), built once per $(BUILD): they see the
# machine contract and each other (DEVICES_INC), never vmm/ or a board's
# generated header, so one object serves every board. A board's boardvm
# links the models its devices.mk names (BOARD_DEVICE_SOURCES) plus
# DEVICE_COMMON_SOURCES: the property helpers, the console's raw terminal
# mode, the PCI header, virtio transport and virtqueues the models share.
# The models use pthread mutexes and virtio-blk liburing (its io_uring
# data path), hence DEVICE_LDLIBS: every link of the models adds it.
DEVICE_COMMON_SOURCES := devices/device.c devices/console.c devices/pci.c \
	devices/virtio-pci.c devices/virtio-mmio.c devices/virtqueue.c
# Every model (the tests and fuzz targets link them all): the SOURCE
# column of machine/device-types.def, the one list of device types.
DEVICE_SOURCE_SED := s/^DEVICE_TYPE[(][a-z0-9_]*, "[^"]*", "\([a-z0-9-]*\)".*/devices\/\1.c/p
DEVICE_MODEL_SOURCES := $(sort $(shell sed -n '$(DEVICE_SOURCE_SED)' \
				  machine/device-types.def))
ifeq ($(DEVICE_MODEL_SOURCES),)
$(error no DEVICE_TYPE entries found in machine/device-types.def)
endif
DEVICE_SOURCES := $(DEVICE_COMMON_SOURCES) $(DEVICE_MODEL_SOURCES)
DEVICE_LDLIBS := -pthread $(shell pkg-config --libs liburing)

$(BUILD)/devices/%.o: devices/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEVICES_INC) -c -o $@ $<
	$(call layer_check,vmm|dtc-like|generated|tests|bench)

-include $(wildcard $(BUILD)/devices/*.d)
