// SPDX-License-Identifier: MIT
/* The board's ACPI tables into guest memory: see acpi.h. */
#include <inttypes.h>
#include <string.h>

#include "acpi.h"
#include "acpi-tables.h"
#include "board-tables.h"
#include "boot-error.h"

uint64_t acpi_rsdp_addr(void)
{
	return board_firmware.acpi ? board_firmware.acpi_base : 0;
}

int acpi_write(struct guest_ram *ram, unsigned nr_cpus, char *err,
	       size_t errlen)
{
	const struct board_firmware *fw = &board_firmware;
	uint8_t *dst;

	if (!fw->acpi)
		return 0;
	dst = guest_ram_ptr(ram, fw->acpi_base, fw->acpi_size);
	if (!dst)
		return boot_error(err, errlen, "the ACPI tables at 0x%" PRIx64
				  " (%" PRIu64 " bytes, reserved range %s) are"
				  " not in guest memory: the range must be"
				  " backed", fw->acpi_base, fw->acpi_size,
				  fw->acpi_range);
	memcpy(dst, fw->acpi, fw->acpi_size);
	if (!acpi_madt_set_cpus(dst + fw->acpi_madt, nr_cpus))
		return boot_error(err, errlen, "%u CPUs: the board's MADT has"
				  " entries for at most %u (cpus max)",
				  nr_cpus, board_info.cpus_max);
	return 0;
}
