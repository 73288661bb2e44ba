// SPDX-License-Identifier: MIT
/*
 * The device ops the generated bench boards name (scripts/gen-board.sh
 * uses post-code and doorbell-demo only). The lookup benchmark never calls
 * a handler, so empty tables stand in for the device models: the bench
 * measures the maps, not the devices.
 */
#include "device.h"

const struct device_ops doorbell_demo_ops;
const struct device_ops post_code_ops;
