/* SPDX-License-Identifier: MIT */
/*
 * Numbers, sizes, booleans and bindings as a board file (and boardvm's
 * command line: --mem, --cpus) writes them: "0x3f8", "4096", "4K",
 * "512M", "3.5G", "1T". Each returns false on bad text or overflow.
 */
#ifndef BOARDVM_NUMBERS_H
#define BOARDVM_NUMBERS_H

#include <stdbool.h>
#include <stdint.h>

#include "registry.h"

/* A decimal with a leading zero (01770), which parse_number() refuses. */
bool number_leading_zero(const char *text);
bool parse_number(const char *text, uint64_t *value);
bool parse_size(const char *text, uint64_t *value);
bool parse_bool(const char *text, bool *value);
bool parse_binding(const char *text, enum board_binding *binding);

#endif
