// SPDX-License-Identifier: MIT
/*
 * acpi-pm: the ACPI fixed-hardware PM1a event and control blocks the FADT
 * points at (dtc-like/acpi.c): PM1_STS (write 1 to clear) and PM1_EN at
 * +0/+2, PM1_CNT at +4. SCI_EN reads 1 (the machine is always in ACPI
 * mode: the FADT has no SMI_CMD). Writing SLP_EN with SLP_TYP 5, the
 * DSDT's \_S5, powers the VM off (exit status 0); other sleep states are
 * not offered (no \_S1-\_S4) and are ignored. The one event is the
 * fixed power button (the FADT says so): HOST_EVENT_POWER_BUTTON sets
 * PWRBTN_STS, and the SCI (the device's irq, level) is asserted while a
 * status bit and its enable are both set. The press is taken only while
 * the guest has PWRBTN_EN set (Linux's button driver sets it): a guest
 * without ACPI or without the driver would never answer it. One mutex:
 * safe from any vCPU and from the VMM's main thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "board-tables.h"
#include "device.h"

#define PM1_STS			0
#define PM1_EN			2
#define PM1_CNT			4
#define PM1_PWRBTN		(1u << 8)	/* PWRBTN_STS, PWRBTN_EN */
#define PM1_CNT_SCI_EN		(1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP_MASK	(7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		(1u << 13)
#define SLP_TYP_S5		5

struct acpi_pm {
	pthread_mutex_t lock;
	uint16_t sts, en, cnt;
};

static uint16_t *pm_reg(struct acpi_pm *pm, uint64_t offset)
{
	switch (offset) {
	case PM1_STS:
		return &pm->sts;
	case PM1_EN:
		return &pm->en;
	case PM1_CNT:
		return &pm->cnt;
	}
	return NULL;
}

/* The SCI follows status & enable; called with the lock held. */
static void pm_update_sci(struct device *dev, struct acpi_pm *pm)
{
	int level = (pm->sts & pm->en) != 0;

	if (level != dev->irq.level)
		irq_line_set(&dev->irq, level);
}

static void acpi_pm_pio_read(struct device *dev, uint64_t offset,
			     void *data, unsigned len)
{
	struct acpi_pm *pm = dev->state;
	uint64_t v = 0;

	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < len; i += 2) {
		uint16_t *r = pm_reg(pm, (offset + i) & ~1ull);
		uint16_t val = r ? *r : 0xffff;

		if (r == &pm->cnt)
			val |= PM1_CNT_SCI_EN;
		v |= (uint64_t)val << (8 * i);
	}
	pthread_mutex_unlock(&pm->lock);
	if (offset & 1)
		v >>= 8;
	device_data_put(data, len, v);
}

static void acpi_pm_pio_write(struct device *dev, uint64_t offset,
			      const void *data, unsigned len)
{
	struct acpi_pm *pm = dev->state;
	uint64_t v = device_data_get(data, len);
	bool off = false;

	if (offset & 1)
		return;			/* byte halves: not used by ACPICA */
	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < len; i += 2) {
		uint16_t val = (uint16_t)(v >> (8 * i));

		switch (offset + i) {
		case PM1_STS:
			pm->sts &= (uint16_t)~val;
			break;
		case PM1_EN:
			pm->en = val;
			break;
		case PM1_CNT:
			pm->cnt = val & (uint16_t)~PM1_CNT_SLP_EN;
			off = (val & PM1_CNT_SLP_EN) &&
			      ((val & PM1_CNT_SLP_TYP_MASK) >>
			       PM1_CNT_SLP_TYP_SHIFT) == SLP_TYP_S5;
			break;
		}
	}
	pm_update_sci(dev, pm);
	pthread_mutex_unlock(&pm->lock);
	if (off && dev->host && dev->host->request_exit)
		dev->host->request_exit(dev->host, HOST_EXIT_POWEROFF, 0);
}

static void acpi_pm_reset(struct device *dev)
{
	struct acpi_pm *pm = dev->state;

	pthread_mutex_lock(&pm->lock);
	pm->sts = pm->en = pm->cnt = 0;
	pm_update_sci(dev, pm);
	pthread_mutex_unlock(&pm->lock);
}

/* The power button, while the guest listens for it. */
static bool acpi_pm_host_event(struct device *dev, enum host_event event)
{
	struct acpi_pm *pm = dev->state;
	bool taken;

	if (event != HOST_EVENT_POWER_BUTTON)
		return false;
	pthread_mutex_lock(&pm->lock);
	taken = pm->en & PM1_PWRBTN;
	if (taken) {
		pm->sts |= PM1_PWRBTN;
		pm_update_sci(dev, pm);
	}
	pthread_mutex_unlock(&pm->lock);
	return taken;
}

static int acpi_pm_init(struct device *dev)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm) {
		fprintf(stderr, "boardvm: %s: out of memory for acpi-pm "
			"state\n", dev->desc->name);
		return -ENOMEM;
	}
	pthread_mutex_init(&pm->lock, NULL);
	dev->state = pm;
	return 0;
}

static void acpi_pm_destroy(struct device *dev)
{
	struct acpi_pm *pm = dev->state;

	if (!pm)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
	dev->state = NULL;
}

const struct device_ops acpi_pm_ops = {
	.init		= acpi_pm_init,
	.reset		= acpi_pm_reset,
	.destroy	= acpi_pm_destroy,
	.pio_read	= acpi_pm_pio_read,
	.pio_write	= acpi_pm_pio_write,
	.host_event	= acpi_pm_host_event,
};
