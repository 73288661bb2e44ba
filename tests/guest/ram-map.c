// SPDX-License-Identifier: MIT
/*
 * The pc board's memory map as the guest sees it with --mem 3.5G: RAM
 * fills base-ram and all of low-ram (to the PCI window at 3 GiB; the rest
 * goes above 4 GiB), the backed reserved ranges (ebda, option-roms,
 * bios-rom) hold
 * memory, and the unbacked one (vga) and the PCI window do not: reads
 * there return all-ones. Addresses from boards/pc.yaml.
 */
#include "guest.h"

#define BASE_RAM_LAST	0x9e000u	/* base-ram: 0x0-0x9efff */
#define EBDA		0x9f000u	/* reserved, backed */
#define VGA		0xa0000u	/* reserved, not backed */
#define OPTION_ROMS	0xc0000u	/* reserved, backed */
#define BIOS_ROM	0xe0000u	/* reserved, backed */
#define LOW_RAM_LAST	0xbffff000u	/* low-ram ends at the PCI window */
#define PCI_WINDOW	0xd0000000u	/* free part of the PCI window */

static void expect_memory(uint32_t addr, const char *name)
{
	mmio_write32(addr, addr ^ 0x5a5a5a5a);
	if (mmio_read32(addr) != (addr ^ 0x5a5a5a5a)) {
		guest_puts(name);
		guest_puts(": not memory\n");
		guest_exit(GUEST_EXIT_FAIL);
	}
}

static void expect_hole(uint32_t addr, const char *name)
{
	mmio_write32(addr, 0);
	if (mmio_read32(addr) != 0xffffffff) {
		guest_puts(name);
		guest_puts(": not a hole\n");
		guest_exit(GUEST_EXIT_FAIL);
	}
}

int guest_main(void)
{
	expect_memory(BASE_RAM_LAST, "base-ram");
	expect_memory(EBDA, "ebda");
	expect_hole(VGA, "vga");
	expect_memory(OPTION_ROMS, "option-roms");
	expect_memory(BIOS_ROM, "bios-rom");
	expect_memory(LOW_RAM_LAST, "low-ram end");
	expect_hole(PCI_WINDOW, "pci window");
	guest_puts("ram map: base-ram, ebda, option-roms, bios-rom, low-ram"
		   " are memory; "
		   "vga, pci are holes\n");
	return GUEST_EXIT_PASS;
}
