// SPDX-License-Identifier: MIT
/*
 * An ACPI guest's answer to the power button, without Linux: enable the
 * fixed event (PWRBTN_EN in PM1_EN, as Linux's button driver does), poll
 * PWRBTN_STS in PM1_STS, acknowledge it (write 1) and enter \_S5 through
 * PM1_CNT: boardvm ends with status 0. POWER_BUTTON_IGNORE builds the
 * guest that sees the press and runs on (power-button-ignore.c).
 */
#include "guest.h"

#define PM1_STS		BOARD_ACPI_PM_PIO_BASE
#define PM1_EN		(BOARD_ACPI_PM_PIO_BASE + 2)
#define PM1_CNT		(BOARD_ACPI_PM_PIO_BASE + 4)
#define PM1_PWRBTN	(1u << 8)
#define PM1_SLP_S5	((5u << 10) | (1u << 13))	/* SLP_TYP 5, SLP_EN */

int guest_main(void)
{
	outw(PM1_EN, PM1_PWRBTN);
	guest_puts("listening\n");
	for (;;) {
		if (!(inw(PM1_STS) & PM1_PWRBTN)) {
			guest_pause();
			continue;
		}
		outw(PM1_STS, PM1_PWRBTN);
		guest_puts("power button\n");
#ifndef POWER_BUTTON_IGNORE
		outw(PM1_CNT, PM1_SLP_S5);
		return GUEST_EXIT_FAIL;		/* S5 did not power off */
#endif
	}
}
