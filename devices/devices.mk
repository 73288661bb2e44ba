# What every boardvm binary links besides its board's device models
# (BOARD_DEVICE_SOURCES, from generated/<board>/devices.mk): the registry,
# the property helpers and the console's raw terminal mode. The models use
# pthread mutexes, hence DEVICE_LDLIBS.
DEVICE_COMMON_SOURCES := devices/registry.c devices/device.c devices/console.c
DEVICE_LDLIBS := -pthread
