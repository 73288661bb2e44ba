// SPDX-License-Identifier: MIT
/* ACPI checksums and the MADT's run-time CPU count: see acpi-tables.h. */
#include <string.h>

#include "acpi-tables.h"

uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

void acpi_fix_checksum(void *p, size_t len, uint8_t *sum)
{
	*sum = 0;
	*sum = (uint8_t)-acpi_sum(p, len);
}

uint32_t acpi_madt_set_cpus(void *madt, unsigned nr_cpus)
{
	struct acpi_madt *m = madt;
	uint8_t *base = madt;
	uint32_t len = m->header.length;
	uint32_t at = sizeof(*m), drop_end;
	unsigned n = 0;

	if (!nr_cpus)
		return 0;
	while (at + 2 <= len && base[at] == ACPI_MADT_LAPIC && n < nr_cpus &&
	       base[at + 1] == sizeof(struct acpi_madt_lapic)) {
		at += base[at + 1];
		n++;
	}
	if (n < nr_cpus)
		return 0;
	drop_end = at;
	while (drop_end + 2 <= len && base[drop_end] == ACPI_MADT_LAPIC &&
	       base[drop_end + 1] == sizeof(struct acpi_madt_lapic))
		drop_end += base[drop_end + 1];
	memmove(base + at, base + drop_end, len - drop_end);
	len -= drop_end - at;
	memset(base + len, 0, drop_end - at);
	m->header.length = len;
	acpi_fix_checksum(m, len, &m->header.checksum);
	return len;
}
