/* SPDX-License-Identifier: MIT */
#ifndef BOARDVM_TESTS_DEVICES_MAP_TEST_H
#define BOARDVM_TESTS_DEVICES_MAP_TEST_H

/* The constant-time maps agree with a linear search (any board). */
void test_constant_time_map(void);

#endif
