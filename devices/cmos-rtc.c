// SPDX-License-Identifier: MIT
/*
 * MC146818 real-time clock and CMOS RAM.
 *
 * Time is the host's wall clock read once at init, advanced by the
 * device's vclock (so tests move it with a virtual clock), plus whatever
 * offset the guest sets by writing the time registers. With register B's
 * SET bit the clock freezes for the guest to write a whole date; clearing
 * SET starts it again from that date. Values follow register B: BCD or
 * binary (DM), 12- or 24-hour (24/12). UIP in register A reads 1 during
 * the last 244 us of each second, as the real chip's update cycle.
 * Register C's flags (update ended, periodic, alarm) are computed when C
 * is read; the device has no timer, so it raises no interrupt.
 *
 * CMOS RAM 0x0e-0x7f is stored, except 0x32, the century (the PC and ACPI
 * convention), which is the clock's. Index port bit 7 masks NMIs.
 *
 * Concurrency: one mutex per RTC around every access.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "board-tables.h"
#include "cmos-rtc.h"
#include "device.h"

/* Port offsets. */
#define RTC_INDEX		0	/* write: bit 7 NMI mask, 6:0 register */
#define RTC_DATA		1

#define RTC_INDEX_NMI_MASK	0x80
#define RTC_INDEX_REG		0x7f

/* Registers. */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1 = Sunday */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32
#define RTC_NR_REGS		0x80

#define RTC_A_UIP		0x80
#define RTC_A_DIV_MASK		0x70
#define RTC_A_DIV_32KHZ		0x20
#define RTC_A_RATE_MASK		0x0f
#define RTC_A_DEFAULT		(RTC_A_DIV_32KHZ | 0x06)	/* 1024 Hz */

#define RTC_B_SET		0x80
#define RTC_B_PIE		0x40
#define RTC_B_AIE		0x20
#define RTC_B_UIE		0x10
#define RTC_B_DM_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_B_DEFAULT		RTC_B_24H

#define RTC_C_IRQF		0x80
#define RTC_C_PF		0x40
#define RTC_C_AF		0x20
#define RTC_C_UF		0x10

#define RTC_D_VRT		0x80	/* valid RAM and time */

#define RTC_HOUR_PM		0x80	/* 12-hour mode */
#define RTC_ALARM_DONT_CARE	0xc0	/* alarm byte >= 0xc0 matches all */

#define NS_PER_SEC		1000000000ull
#define RTC_UIP_NS		244000ull	/* update cycle, before a tick */

struct cmos_rtc {
	pthread_mutex_t lock;
	struct vclock *clock;
	uint8_t index;
	bool nmi_masked;
	uint8_t ram[RTC_NR_REGS];	/* alarms, A, B and CMOS RAM */
	int64_t base_sec;		/* guest time at base_ns */
	uint64_t base_ns;		/* vclock at base_sec */
	struct tm frozen;		/* while B.SET: the date being written */
	uint64_t last_c_ns;		/* vclock when C was last read */
};

bool cmos_rtc_nmi_masked(const struct device *dev)
{
	const struct cmos_rtc *rtc = dev->state;

	return __atomic_load_n(&rtc->nmi_masked, __ATOMIC_RELAXED);
}

static uint64_t rtc_elapsed_ns(struct cmos_rtc *rtc)
{
	return vclock_now(rtc->clock) - rtc->base_ns;
}

/* The guest's current time, in seconds since the epoch (UTC). */
static int64_t rtc_now_sec(struct cmos_rtc *rtc)
{
	return rtc->base_sec + (int64_t)(rtc_elapsed_ns(rtc) / NS_PER_SEC);
}

static void rtc_now_tm(struct cmos_rtc *rtc, struct tm *tm)
{
	time_t t;

	if (rtc->ram[RTC_REG_B] & RTC_B_SET) {
		*tm = rtc->frozen;
		return;
	}
	t = rtc_now_sec(rtc);
	gmtime_r(&t, tm);
}

/* Restart the clock at `tm`, keeping the current sub-second phase. */
static void rtc_set_tm(struct cmos_rtc *rtc, struct tm *tm)
{
	uint64_t elapsed = rtc_elapsed_ns(rtc);

	rtc->base_sec = (int64_t)timegm(tm) -
			(int64_t)(elapsed / NS_PER_SEC);
}

static bool rtc_binary(const struct cmos_rtc *rtc)
{
	return rtc->ram[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t rtc_encode(const struct cmos_rtc *rtc, unsigned value)
{
	value %= 100;
	return rtc_binary(rtc) ? value : (value / 10) << 4 | value % 10;
}

static unsigned rtc_decode(const struct cmos_rtc *rtc, uint8_t value)
{
	return rtc_binary(rtc) ? value : (value >> 4) * 10 + (value & 0x0f);
}

static uint8_t rtc_encode_hour(const struct cmos_rtc *rtc, unsigned hour)
{
	unsigned h12;

	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(rtc, hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return rtc_encode(rtc, h12) | (hour >= 12 ? RTC_HOUR_PM : 0);
}

static unsigned rtc_decode_hour(const struct cmos_rtc *rtc, uint8_t value)
{
	unsigned hour;

	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return rtc_decode(rtc, value);
	hour = rtc_decode(rtc, value & ~RTC_HOUR_PM) % 12;
	return (value & RTC_HOUR_PM) ? hour + 12 : hour;
}

static bool rtc_is_time_reg(uint8_t reg)
{
	switch (reg) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS:
	case RTC_DAY_OF_WEEK: case RTC_DAY_OF_MONTH: case RTC_MONTH:
	case RTC_YEAR: case RTC_CENTURY:
		return true;
	}
	return false;
}

static uint8_t rtc_read_time(struct cmos_rtc *rtc, uint8_t reg)
{
	struct tm tm;
	unsigned year;

	rtc_now_tm(rtc, &tm);
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SECONDS:
		return rtc_encode(rtc, tm.tm_sec);
	case RTC_MINUTES:
		return rtc_encode(rtc, tm.tm_min);
	case RTC_HOURS:
		return rtc_encode_hour(rtc, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return rtc_encode(rtc, tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return rtc_encode(rtc, tm.tm_mday);
	case RTC_MONTH:
		return rtc_encode(rtc, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(rtc, year % 100);
	default:	/* RTC_CENTURY */
		return rtc_encode(rtc, year / 100);
	}
}

/* The guest sets one field of the date; the others keep running. */
static void rtc_write_time(struct cmos_rtc *rtc, uint8_t reg, uint8_t value)
{
	struct tm tm;
	unsigned year;

	rtc_now_tm(rtc, &tm);
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SECONDS:
		tm.tm_sec = rtc_decode(rtc, value);
		break;
	case RTC_MINUTES:
		tm.tm_min = rtc_decode(rtc, value);
		break;
	case RTC_HOURS:
		tm.tm_hour = rtc_decode_hour(rtc, value);
		break;
	case RTC_DAY_OF_WEEK:	/* follows from the date */
		return;
	case RTC_DAY_OF_MONTH:
		tm.tm_mday = rtc_decode(rtc, value);
		break;
	case RTC_MONTH:
		tm.tm_mon = rtc_decode(rtc, value) - 1;
		break;
	case RTC_YEAR:
		tm.tm_year = year / 100 * 100 + rtc_decode(rtc, value) - 1900;
		break;
	case RTC_CENTURY:
		tm.tm_year = rtc_decode(rtc, value) * 100 + year % 100 - 1900;
		break;
	}
	if (rtc->ram[RTC_REG_B] & RTC_B_SET) {
		rtc->frozen = tm;
		return;
	}
	rtc_set_tm(rtc, &tm);
}

/* UIP: the update cycle runs in the last 244 us before each tick. */
static uint8_t rtc_read_a(struct cmos_rtc *rtc)
{
	uint8_t a = rtc->ram[RTC_REG_A] & ~RTC_A_UIP;
	uint64_t phase = rtc_elapsed_ns(rtc) % NS_PER_SEC;

	if (!(rtc->ram[RTC_REG_B] & RTC_B_SET) &&
	    (a & RTC_A_DIV_MASK) == RTC_A_DIV_32KHZ &&
	    phase >= NS_PER_SEC - RTC_UIP_NS)
		a |= RTC_A_UIP;
	return a;
}

static bool rtc_alarm_matches(struct cmos_rtc *rtc)
{
	static const uint8_t alarm[3] = {
		RTC_SECONDS_ALARM, RTC_MINUTES_ALARM, RTC_HOURS_ALARM,
	};
	static const uint8_t now[3] = { RTC_SECONDS, RTC_MINUTES, RTC_HOURS };

	for (unsigned i = 0; i < 3; i++) {
		uint8_t want = rtc->ram[alarm[i]];

		if (want < RTC_ALARM_DONT_CARE &&
		    want != rtc_read_time(rtc, now[i]))
			return false;
	}
	return true;
}

/* Register C: the events since it was last read; reading clears them. */
static uint8_t rtc_read_c(struct cmos_rtc *rtc)
{
	uint64_t now = vclock_now(rtc->clock), last = rtc->last_c_ns;
	unsigned rate = rtc->ram[RTC_REG_A] & RTC_A_RATE_MASK;
	uint8_t b = rtc->ram[RTC_REG_B], c = 0;

	rtc->last_c_ns = now;
	if (b & RTC_B_SET)
		return 0;
	if ((now - rtc->base_ns) / NS_PER_SEC !=
	    (last - rtc->base_ns) / NS_PER_SEC)
		c |= RTC_C_UF;
	/* Periodic rate r (1..15): 32768 >> (r - 1) Hz. */
	if (rate && now - last >= (NS_PER_SEC << (rate - 1)) / 32768)
		c |= RTC_C_PF;
	if (rtc_alarm_matches(rtc))
		c |= RTC_C_AF;
	if ((c & RTC_C_PF && b & RTC_B_PIE) || (c & RTC_C_AF && b & RTC_B_AIE) ||
	    (c & RTC_C_UF && b & RTC_B_UIE))
		c |= RTC_C_IRQF;
	return c;
}

static uint8_t rtc_read_reg(struct cmos_rtc *rtc, uint8_t reg)
{
	if (rtc_is_time_reg(reg))
		return rtc_read_time(rtc, reg);
	switch (reg) {
	case RTC_REG_A:
		return rtc_read_a(rtc);
	case RTC_REG_C:
		return rtc_read_c(rtc);
	case RTC_REG_D:
		return RTC_D_VRT;
	}
	return rtc->ram[reg];
}

static void rtc_write_b(struct cmos_rtc *rtc, uint8_t value)
{
	uint8_t old = rtc->ram[RTC_REG_B];

	if ((value & RTC_B_SET) && !(old & RTC_B_SET))
		rtc_now_tm(rtc, &rtc->frozen);		/* freeze */
	rtc->ram[RTC_REG_B] = value;
	if (!(value & RTC_B_SET) && (old & RTC_B_SET))
		rtc_set_tm(rtc, &rtc->frozen);		/* run from there */
}

static void rtc_write_reg(struct cmos_rtc *rtc, uint8_t reg, uint8_t value)
{
	if (rtc_is_time_reg(reg)) {
		rtc_write_time(rtc, reg, value);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		rtc->ram[RTC_REG_A] = value & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		rtc_write_b(rtc, value);
		break;
	case RTC_REG_C:
	case RTC_REG_D:		/* read-only */
		break;
	default:
		rtc->ram[reg] = value;
		break;
	}
}

static void rtc_pio_read(struct device *dev, uint64_t offset, void *data,
			 unsigned len)
{
	struct cmos_rtc *rtc = dev->state;
	uint8_t *p = data;

	pthread_mutex_lock(&rtc->lock);
	for (unsigned i = 0; i < len; i++)	/* byte cycles, as on ISA */
		p[i] = offset + i == RTC_DATA ?
			rtc_read_reg(rtc, rtc->index) : 0xff;
	pthread_mutex_unlock(&rtc->lock);
}

static void rtc_pio_write(struct device *dev, uint64_t offset,
			  const void *data, unsigned len)
{
	struct cmos_rtc *rtc = dev->state;
	const uint8_t *p = data;

	pthread_mutex_lock(&rtc->lock);
	for (unsigned i = 0; i < len; i++) {
		if (offset + i == RTC_INDEX) {
			rtc->index = p[i] & RTC_INDEX_REG;
			__atomic_store_n(&rtc->nmi_masked,
					 !!(p[i] & RTC_INDEX_NMI_MASK),
					 __ATOMIC_RELAXED);
		} else if (offset + i == RTC_DATA) {
			rtc_write_reg(rtc, rtc->index, p[i]);
		}
	}
	pthread_mutex_unlock(&rtc->lock);
}

/* Reset keeps the time and the CMOS RAM, as a battery-backed chip does. */
static void rtc_reset(struct device *dev)
{
	struct cmos_rtc *rtc = dev->state;

	pthread_mutex_lock(&rtc->lock);
	rtc->ram[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
	rtc->index = 0;
	pthread_mutex_unlock(&rtc->lock);
}

static int rtc_init(struct device *dev)
{
	struct cmos_rtc *rtc = calloc(1, sizeof(*rtc));
	struct timespec wall;

	if (!rtc) {
		fprintf(stderr, "boardvm: %s: out of memory for cmos-rtc state\n",
			dev->desc->name);
		return -ENOMEM;
	}
	pthread_mutex_init(&rtc->lock, NULL);
	clock_gettime(CLOCK_REALTIME, &wall);
	rtc->clock = dev->clock;
	rtc->base_sec = wall.tv_sec;
	/* Start the virtual second where the host's wall second is. */
	rtc->base_ns = vclock_now(dev->clock) - wall.tv_nsec;
	rtc->last_c_ns = vclock_now(dev->clock);
	rtc->ram[RTC_REG_A] = RTC_A_DEFAULT;
	rtc->ram[RTC_REG_B] = RTC_B_DEFAULT;
	dev->state = rtc;
	return 0;
}

static void rtc_destroy(struct device *dev)
{
	struct cmos_rtc *rtc = dev->state;

	if (!rtc)
		return;
	pthread_mutex_destroy(&rtc->lock);
	free(rtc);
	dev->state = NULL;
}

const struct device_ops cmos_rtc_ops = {
	.init		= rtc_init,
	.reset		= rtc_reset,
	.destroy	= rtc_destroy,
	.pio_read	= rtc_pio_read,
	.pio_write	= rtc_pio_write,
};
