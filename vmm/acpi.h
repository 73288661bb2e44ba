/* SPDX-License-Identifier: MIT */
/*
 * The board's ACPI tables (built by boardc, generated/<board>/board.c's
 * board_firmware) into guest memory: copied to their build-time address
 * in the board's backed table area (the RSDP first, inside Linux's scan
 * area 0xe0000-0xfffff, and handed to the kernel through the boot
 * protocol too), with the MADT cut to the run's CPUs. KVM-free.
 */
#ifndef BOARDVM_ACPI_H
#define BOARDVM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "guest-ram.h"

/* The RSDP's guest physical address, or 0 when the board has no ACPI. */
uint64_t acpi_rsdp_addr(void);

/*
 * Copy the tables into `ram` and keep nr_cpus LAPIC entries in the MADT.
 * Returns 0 (nothing to do without ACPI tables), or -1 with a message.
 */
int acpi_write(struct guest_ram *ram, unsigned nr_cpus, char *err,
	       size_t errlen);

#endif
