// SPDX-License-Identifier: MIT
/*
 * The MP table (Intel MultiProcessor Specification 1.4) from the board's
 * tables: one processor entry per vCPU, the ISA bus (and PCI when the
 * board has a pci-host), the board's I/O APIC, the ISA IRQs 0-15 wired as
 * irq-routing.h says (IRQ0 on pin 2, as every PC since the IOAPIC, and as
 * KVM's GSI routing is set up), the board's devices' IRQs above 15, each
 * PCI slot's INTA# on its board irq, and LINT0 = ExtINT, LINT1 = NMI. See
 * mptable.h for where it goes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "boot-error.h"
#include "irq-routing.h"
#include "mp-fit.h"
#include "mptable.h"

#define ONE_MIB			0x100000ull
#define BASE_RAM_TOP		0xa0000ull	/* 640 KiB */
#define MP_CPU_SIGNATURE	0x600		/* family 6 */
#define MP_CPU_FEATURES		0x201		/* FPU, APIC */
#define MP_ALL_LAPICS		0xff
#define MP_PCI_SLOTS		32
#define MP_MAX_ENTRIES		(255 + 2 + 1 + MP_IOAPIC_PINS + \
				 ISA_IRQS + MP_PCI_SLOTS + 2)
#define MP_MAX_SIZE		(sizeof(struct mp_config) + \
				 MP_MAX_ENTRIES * sizeof(struct mp_processor))



uint8_t mptable_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* The configuration table under construction. */
struct mp_builder {
	uint8_t buf[MP_MAX_SIZE];
	size_t len;
	unsigned entries;
	uint8_t isa_bus;
};

static void *mp_add(struct mp_builder *b, size_t size, uint8_t type)
{
	uint8_t *p = b->buf + b->len;

	memset(p, 0, size);
	p[0] = type;
	b->len += size;
	b->entries++;
	return p;
}

static const struct board_device *mp_find(const struct mptable_args *a,
					  const char *type)
{
	for (unsigned i = 0; i < a->nr_devices; i++)
		if (a->devices[i].type &&
		    !strcmp(a->devices[i].type->name, type))
			return &a->devices[i];
	return NULL;
}

static void mp_add_cpus(struct mp_builder *b, unsigned nr_cpus)
{
	for (unsigned i = 0; i < nr_cpus; i++) {
		struct mp_processor *p = mp_add(b, sizeof(*p), MP_PROCESSOR);

		p->apic_id = i;
		p->apic_version = MP_APIC_VERSION;
		p->flags = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0);
		p->signature = MP_CPU_SIGNATURE;
		p->features = MP_CPU_FEATURES;
	}
}

static void mp_add_bus(struct mp_builder *b, uint8_t id, const char *name)
{
	struct mp_bus *bus = mp_add(b, sizeof(*bus), MP_BUS);

	bus->bus_id = id;
	memset(bus->bus_type, ' ', sizeof(bus->bus_type));
	memcpy(bus->bus_type, name, strlen(name));
}

static struct mp_intsrc *mp_add_irq(struct mp_builder *b, uint8_t type,
				    uint8_t irq_type, uint8_t src_irq,
				    uint8_t dst_apic, uint8_t dst_pin)
{
	struct mp_intsrc *e = mp_add(b, sizeof(*e), type);

	e->irq_type = irq_type;
	e->flags = MP_IRQ_CONFORMING;
	e->src_bus = b->isa_bus;
	e->src_irq = src_irq;
	e->dst_apic = dst_apic;
	e->dst_pin = dst_pin;
	return e;
}

/*
 * I/O interrupt entries: ISA IRQs identity-mapped (IRQ0 on pin 2, no entry
 * for the cascade IRQ2), then each device IRQ above 15 once; level
 * triggered where the device type shares its line.
 */
static int mp_add_io_irqs(struct mp_builder *b, const struct mptable_args *a,
			  uint8_t ioapic_id, char *err, size_t errlen)
{
	struct mp_intsrc *by_irq[MP_IOAPIC_PINS] = { 0 };

	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		int pin = isa_irq_ioapic_pin(irq);

		if (pin >= 0)
			by_irq[irq] = mp_add_irq(b, MP_INTSRC, MP_INT, irq,
						 ioapic_id, pin);
	}
	for (unsigned i = 0; i < a->nr_devices; i++) {
		const struct board_device *d = &a->devices[i];

		if (d->irq < 0)
			continue;
		if (d->irq >= MP_IOAPIC_PINS)
			return boot_error(err, errlen, "device %s%s%s has irq %d;"
				    " the I/O APIC has pins 0-%d: wire it"
				    " below %d in the board", d->name,
				    d->srcpos ? " at " : "",
				    d->srcpos ? d->srcpos : "", d->irq,
				    MP_IOAPIC_PINS - 1, MP_IOAPIC_PINS);
		if (!by_irq[d->irq] && d->irq != 2)
			by_irq[d->irq] = mp_add_irq(b, MP_INTSRC, MP_INT,
						    d->irq, ioapic_id, d->irq);
		if (by_irq[d->irq] && d->type && d->type->irq_shareable)
			by_irq[d->irq]->flags = MP_IRQ_LEVEL_HIGH;
	}
	return 0;
}

/*
 * PCI interrupt entries (MP spec 4.3.4, source bus irq = slot << 2 | pin,
 * INTA# = 0): each PCI device's INTA# on its board irq, level triggered,
 * so Linux finds the line instead of "can't find IRQ for PCI INT A".
 */
static void mp_add_pci_irqs(struct mp_builder *b, const struct mptable_args *a,
			    uint8_t pci_bus, uint8_t ioapic_id)
{
	for (unsigned i = 0; i < a->nr_devices; i++) {
		const struct board_device *d = &a->devices[i];
		struct mp_intsrc *e;

		if (d->pci_slot <= 0 || d->pci_slot >= MP_PCI_SLOTS ||
		    d->irq < 0 || d->irq >= MP_IOAPIC_PINS)
			continue;
		e = mp_add_irq(b, MP_INTSRC, MP_INT, d->pci_slot << 2,
			       ioapic_id, d->irq);
		e->src_bus = pci_bus;
		e->flags = MP_IRQ_LEVEL_HIGH;
	}
}

static int mp_build(struct mp_builder *b, const struct mptable_args *a,
		    char *err, size_t errlen)
{
	const struct board_device *ioapic = mp_find(a, "ioapic");
	const struct board_device *lapic = mp_find(a, "lapic");
	struct mp_config *h = (struct mp_config *)b->buf;
	uint8_t ioapic_id = a->nr_cpus;
	struct mp_ioapic *io;

	if (!ioapic || !ioapic->has_mmio)
		return boot_error(err, errlen, "the board has an in-kernel irqchip"
			    " but no ioapic device with an mmio base: add one"
			    " (type ioapic, mmio 0xfec00000) for the MP"
			    " table");
	memset(h, 0, sizeof(*h));
	b->len = sizeof(*h);
	memcpy(h->signature, MP_CONFIG_SIGNATURE, 4);
	h->spec_rev = MP_SPEC_REV;
	memcpy(h->oem, "BOARDVM ", 8);
	memcpy(h->product, "boardvm     ", 12);
	h->lapic = lapic && lapic->has_mmio ? lapic->mmio_base
					    : MP_LAPIC_DEFAULT;
	mp_add_cpus(b, a->nr_cpus);
	b->isa_bus = 0;
	if (mp_find(a, "pci-host")) {
		mp_add_bus(b, 0, "PCI");
		b->isa_bus = 1;
	}
	mp_add_bus(b, b->isa_bus, "ISA");
	io = mp_add(b, sizeof(*io), MP_IOAPIC);
	io->apic_id = ioapic_id;
	io->version = MP_IOAPIC_VERSION;
	io->flags = MP_IOAPIC_ENABLED;
	io->addr = ioapic->mmio_base;
	if (mp_add_io_irqs(b, a, ioapic_id, err, errlen) < 0)
		return -1;
	if (b->isa_bus)
		mp_add_pci_irqs(b, a, 0, ioapic_id);
	mp_add_irq(b, MP_LINTSRC, MP_EXTINT, 0, MP_ALL_LAPICS, 0);
	mp_add_irq(b, MP_LINTSRC, MP_NMI, 0, MP_ALL_LAPICS, 1);
	h = (struct mp_config *)b->buf;
	h->length = b->len;
	h->entries = b->entries;
	h->checksum = -mptable_sum(b->buf, b->len);
	return 0;
}

/* The range the table goes in: see mptable.h. */
static uint64_t mp_place(const struct mptable_args *a,
			 const struct guest_ram *ram, size_t size,
			 uint64_t *table, const char **where)
{
	for (unsigned i = 0; i < a->nr_reserved; i++) {
		const struct board_reserved *r = &a->reserved[i];
		uint64_t at;

		if (!r->backed || r->base + r->size > ONE_MIB ||
		    !guest_ram_ptr(ram, r->base, r->size))
			continue;
		at = mp_fit(r->base, r->base + r->size, size, table);
		if (at) {
			*where = r->name;
			return at;
		}
	}
	for (unsigned i = 0; i < a->nr_ram; i++) {
		const struct board_ram_region *r = &a->ram[i];
		uint64_t top = r->base + r->size;

		if (r->base || top != BASE_RAM_TOP ||
		    !guest_ram_ptr(ram, top - 0x400, 0x400))
			continue;
		*where = r->name;
		return mp_fit(top - 0x400, top, size, table);
	}
	return 0;
}

int mptable_write(const struct mptable_args *args, struct guest_ram *ram,
		  struct mptable_info *info, char *err, size_t errlen)
{
	struct mp_builder b = { .len = 0 };
	struct mp_floating *mpf;
	const char *where = NULL;
	uint64_t at, table = 0;
	uint8_t *mpf_host, *table_host;

	memset(info, 0, sizeof(*info));
	if (!args->kernel_irqchip)
		return 0;
	if (!args->nr_cpus || args->nr_cpus > 255)
		return boot_error(err, errlen, "%u CPUs: the MP table holds 1 to"
			    " 255", args->nr_cpus);
	if (mp_build(&b, args, err, errlen) < 0)
		return -1;
	at = mp_place(args, ram, b.len, &table, &where);
	if (!at)
		return boot_error(err, errlen, "no room for the MP table (%zu bytes"
			    " for %u CPUs): the board needs a backed reserved"
			    " range below 1 MiB covering 0x9fc00-0x9ffff or"
			    " 0xf0000-0xfffff with room for it (like ebda or"
			    " bios-rom on the pc board)", b.len + 16,
			    args->nr_cpus);
	mpf_host = guest_ram_ptr(ram, at, sizeof(*mpf));
	table_host = guest_ram_ptr(ram, table, b.len);
	if (!mpf_host || !table_host)
		return boot_error(err, errlen, "the MP table at 0x%" PRIx64 " is"
			    " not mapped in guest memory", at);
	mpf = (struct mp_floating *)mpf_host;
	memset(mpf, 0, sizeof(*mpf));
	memcpy(mpf->signature, MP_FLOATING_SIGNATURE, 4);
	mpf->physptr = table;
	mpf->length = 1;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = -mptable_sum(mpf, sizeof(*mpf));
	memcpy(table_host, b.buf, b.len);
	info->floating_addr = at;
	info->config_addr = table;
	info->config_size = b.len;
	info->where = where;
	return 0;
}
