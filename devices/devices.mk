# The device models (devices/), built once per $(BUILD): they see the
# machine contract and each other (DEVICES_INC), never vmm/ or a board's
# generated header, so one object serves every board. A board's boardvm
# links the models its devices.mk names (BOARD_DEVICE_SOURCES) plus
# DEVICE_COMMON_SOURCES: the property helpers, the console's raw terminal
# mode, the PCI header, virtio transport and virtqueues the models share.
# The models use pthread mutexes, hence DEVICE_LDLIBS.
DEVICE_COMMON_SOURCES := devices/device.c devices/console.c devices/pci.c \
	devices/virtio-pci.c devices/virtqueue.c
# Every model (the tests and fuzz targets link them all).
DEVICE_MODEL_SOURCES := $(addprefix devices/,cmos-rtc.c debug-exit.c \
	doorbell-demo.c i8042.c pci-host.c post-code.c uart16550.c \
	virtio-blk.c virtio-console.c virtio-rng.c)
DEVICE_SOURCES := $(DEVICE_COMMON_SOURCES) $(DEVICE_MODEL_SOURCES)
DEVICE_LDLIBS := -pthread

$(BUILD)/devices/%.o: devices/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEVICES_INC) -c -o $@ $<
	$(call layer_check,vmm|dtc-like|generated|tests|bench)

-include $(wildcard $(BUILD)/devices/*.d)
