/* SPDX-License-Identifier: MIT */
/*
 * MC146818 CMOS RTC: what the VMM may ask beyond port accesses. Bit 7 of
 * the index port is the chipset's NMI mask; the RTC keeps it for the VMM
 * (which decides whether to inject NMIs) and for tests.
 */
#ifndef BOARDVM_CMOS_RTC_H
#define BOARDVM_CMOS_RTC_H

#include <stdbool.h>

struct device;

bool cmos_rtc_nmi_masked(const struct device *dev);

#endif
