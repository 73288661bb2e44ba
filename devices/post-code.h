/* SPDX-License-Identifier: MIT */
/* POST code port: the last code the guest wrote, for the VMM's --stats. */
#ifndef BOARDVM_POST_CODE_H
#define BOARDVM_POST_CODE_H

#include <stdint.h>

struct device;

uint8_t post_code_last(const struct device *dev);

#endif
