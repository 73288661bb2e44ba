// SPDX-License-Identifier: MIT
/*
 * board_to_dts(): the IR printed back in the dtc-like text syntax
 * (boardc -O dts). Canonical and deterministic: the same board gives the
 * same text whichever syntax it was read from; comments and labels of the
 * source are not kept. The output is valid device-tree source (dtc reads
 * it without warnings); docs/board-format-dts.md describes each construct.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "boardc.h"
#include "keys.h"

/* Two 32-bit cells: the dtc way of writing a 64-bit number. */
static void cells64(FILE *out, uint64_t v)
{
	fprintf(out, "0x%" PRIx64 " 0x%" PRIx64, v >> 32, v & 0xffffffff);
}

/* One cell if it fits, else two. */
static void cells_fit(FILE *out, uint64_t v)
{
	if (v <= 0xffffffff)
		fprintf(out, "0x%" PRIx64, v);
	else
		cells64(out, v);
}

/* Is `s` a label (and so `&s` a reference)? */
static bool is_label(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	      *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static const struct ir_range *window_find(const struct board *board,
					  const char *name,
					  enum board_space space)
{
	for (unsigned i = 0; i < board->nr_windows; i++)
		if (board->windows[i].space == space &&
		    board->windows[i].name &&
		    !strcmp(board->windows[i].name, name))
			return &board->windows[i];
	return NULL;
}

/* Is the window the target of some device's placement? */
static bool window_referenced(const struct board *board,
			      const struct ir_range *w)
{
	for (unsigned i = 0; i < board->nr_devices; i++) {
		const struct ir_device *d = &board->devices[i];
		const struct ir_placement *pl = w->space == SPACE_PIO ?
						&d->pio : &d->mmio;

		if (pl->present && pl->is_auto && pl->window &&
		    !strcmp(pl->window, w->name))
			return true;
	}
	return false;
}

/* A window gets a label when referred to and its name can be one. */
static bool window_labelled(const struct board *board,
			    const struct ir_range *w)
{
	return w->name && is_label(w->name) && strcmp(w->name, KEY_IRQS) &&
	       window_referenced(board, w);
}

/* `<&pci>`, or `<&{/io-windows/pci-io@1000}>` for a name with a '-'. */
static void window_ref(FILE *out, const struct board *board,
		       const char *name, enum board_space space)
{
	const struct ir_range *w = window_find(board, name, space);
	const char *windows = space == SPACE_PIO ? KEY_IO_WINDOWS :
			      KEY_MMIO_WINDOWS;

	if (w && window_labelled(board, w))
		fprintf(out, "<&%s>", name);
	else if (w)
		fprintf(out, "<&{/%s/%s@%" PRIx64 "}>", windows, name,
			w->base);
	else
		fprintf(out, "<&{/%s/%s}>", windows, name);
}

/* `name@base { reg = <base size>; };` in one cell each or two. */
static void emit_range(FILE *out, const struct board *board,
		       const struct ir_range *r, bool one_cell,
		       bool is_window)
{
	fputs("\t\t", out);
	if (is_window && window_labelled(board, r))
		fprintf(out, "%s: ", r->name);
	fprintf(out, "%s@%" PRIx64 " {\n\t\t\t" DTS_REG " = <", r->name ? r->name : "",
		r->base);
	if (one_cell) {
		fprintf(out, "0x%" PRIx64 " 0x%" PRIx64, r->base, r->size);
	} else {
		cells64(out, r->base);
		fputc(' ', out);
		cells64(out, r->size);
	}
	fputs(">;\n", out);
	if (r->backed)
		fputs("\t\t\t" KEY_BACKED ";\n", out);
	fputs("\t\t};\n", out);
}

static void emit_container_head(FILE *out, const char *name, unsigned cells)
{
	fprintf(out, "\n\t%s {\n\t\t" DTS_ADDRESS_CELLS " = <%u>;\n"
		"\t\t" DTS_SIZE_CELLS " = <%u>;\n", name, cells, cells);
}

static void emit_ranges(FILE *out, const struct board *board,
			const char *name, const struct ir_range *ranges,
			unsigned nr)
{
	if (!nr)
		return;
	emit_container_head(out, name, 2);
	for (unsigned i = 0; i < nr; i++) {
		fputc('\n', out);
		emit_range(out, board, &ranges[i], false, false);
	}
	fputs("\t};\n", out);
}

/* io-windows in one cell each when they fit (ports always do). */
static void emit_windows(FILE *out, const struct board *board,
			 enum board_space space)
{
	bool small = true, any = false;

	for (unsigned i = 0; i < board->nr_windows; i++) {
		const struct ir_range *w = &board->windows[i];

		if (w->space != space)
			continue;
		any = true;
		if (w->base > 0xffffffff || w->size > 0xffffffff)
			small = false;
	}
	if (!any)
		return;
	small = small && space == SPACE_PIO;
	emit_container_head(out, space == SPACE_PIO ? KEY_IO_WINDOWS :
			    KEY_MMIO_WINDOWS, small ? 1 : 2);
	for (unsigned i = 0; i < board->nr_windows; i++) {
		if (board->windows[i].space != space)
			continue;
		fputc('\n', out);
		emit_range(out, board, &board->windows[i], small, true);
	}
	fputs("\t};\n", out);
}

/* Ports in one cell; MMIO addresses in two, like reg. */
static void emit_base(FILE *out, uint64_t base, enum board_space space)
{
	fputc('<', out);
	if (space == SPACE_PIO)
		cells_fit(out, base);
	else
		cells64(out, base);
	fputc('>', out);
}

static void emit_placement(FILE *out, const struct board *board,
			   const char *key, const struct ir_placement *pl,
			   enum board_space space)
{
	if (!pl->present)
		return;
	fprintf(out, "\t\t\t%s = ", key);
	if (pl->is_auto && pl->window)
		window_ref(out, board, pl->window, space);
	else if (pl->is_auto)
		fputs("\"auto\"", out);
	else
		emit_base(out, pl->base, space);
	fputs(";\n", out);
}

/* Does `text` read back as the same text from a single <cell>? */
static bool is_cell_literal(const char *text)
{
	uint64_t v = 0;
	const char *p = text;
	unsigned base = 10;

	if (!strcmp(text, "0"))
		return true;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] < '1' || p[0] > '9') {
		return false;			/* 0... would be octal */
	}
	if (!*p)
		return false;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return false;
		v = v * base + d;
		if (v > 0xffffffff)
			return false;
	}
	return true;
}

/* `name;` for "true", `name = <n>;` for a number, else a string. */
static void emit_property(FILE *out, const struct ir_property *p)
{
	fprintf(out, "\t\t\t%s", p->name);
	if (!strcmp(p->text, "true")) {
		fputs(";\n", out);
		return;
	}
	fputs(" = ", out);
	if (is_cell_literal(p->text))
		fprintf(out, "<%s>", p->text);
	else
		fput_quoted(out, p->text);
	fputs(";\n", out);
}

static void emit_bindings(FILE *out, const struct ir_device *dev)
{
	if (!dev->nr_bindings)
		return;
	fputs("\n\t\t\t" KEY_BINDINGS " {\n", out);
	for (unsigned i = 0; i < dev->nr_bindings; i++) {
		const struct ir_binding *b = &dev->bindings[i];

		fprintf(out, "\t\t\t\t%s = \"%s\"", b->reg,
			binding_name(b->binding));
		if (b->has_datamatch) {
			fputs(", <", out);
			cells_fit(out, b->datamatch);
			fputc('>', out);
		}
		fputs(";\n", out);
	}
	fputs("\t\t\t};\n", out);
}

static void emit_device(FILE *out, const struct board *board,
			const struct ir_device *dev)
{
	fprintf(out, "\n\t\t%s {\n", dev->name);
	if (dev->type_name) {
		fputs("\t\t\t" DTS_TYPE " = ", out);
		fput_quoted(out, dev->type_name);
		fputs(";\n", out);
	}
	emit_placement(out, board, KEY_IO_PORTS, &dev->pio, SPACE_PIO);
	emit_placement(out, board, KEY_MMIO, &dev->mmio, SPACE_MMIO);
	if (dev->has_irq)
		fprintf(out, "\t\t\t" DTS_IRQ " = <%u>;\n", dev->irq);
	if (dev->pci_slot_auto)
		fputs("\t\t\t" KEY_PCI_SLOT " = \"" KEY_AUTO "\";\n", out);
	else if (dev->has_pci_slot)
		fprintf(out, "\t\t\t" KEY_PCI_SLOT " = <%u>;\n",
			dev->pci_slot);
	for (unsigned i = 0; i < dev->nr_props; i++)
		emit_property(out, &dev->props[i]);
	emit_bindings(out, dev);
	fputs("\t\t};\n", out);
}

static void emit_root_head(FILE *out, const struct board *board)
{
	fputs("/dts-v1/;\n\n/ {\n\t" DTS_BOARD " = ", out);
	fput_quoted(out, board->name ? board->name : "");
	fputs(";\n", out);
	if (board->description) {
		fputs("\t" KEY_DESCRIPTION " = ", out);
		fput_quoted(out, board->description);
		fputs(";\n", out);
	}
	fputs("\t" DTS_INTERRUPT_PARENT " = <&" KEY_IRQS ">;\n", out);
	for (unsigned i = 0; i < board->nr_cpuid_hide; i++) {
		fputs(i ? ", " : "\t" KEY_CPUID_HIDE " = ", out);
		fput_quoted(out, board->cpuid_hide[i]);
		if (i + 1 == board->nr_cpuid_hide)
			fputs(";\n", out);
	}
	if (board->has_firmware_tables && !board->nr_firmware_tables)
		fputs("\t" KEY_FIRMWARE_TABLES ";\n", out);
	for (unsigned i = 0; i < board->nr_firmware_tables; i++) {
		fputs(i ? ", " : "\t" KEY_FIRMWARE_TABLES " = ", out);
		fput_quoted(out, board->firmware_tables[i]);
		if (i + 1 == board->nr_firmware_tables)
			fputs(";\n", out);
	}
	fprintf(out, "\n\t" KEY_CPUS " {\n\t\t" KEY_DEFAULT " = <%u>;\n"
		"\t\t" KEY_MAX " = <%u>;\n\t};\n", board->cpus_default,
		board->cpus_max);
	fprintf(out, "\n\t" KEY_IRQS ": " KEY_IRQS " {\n"
		"\t\t" DTS_INTERRUPT_CONTROLLER ";\n"
		"\t\t" DTS_INTERRUPT_CELLS " = <1>;\n"
		"\t\t" DTS_ADDRESS_CELLS " = <0>;\n"
		"\t\t" DTS_LINES " = <%u>;\n\t};\n", board->nr_irqs);
}

int board_to_dts(const struct board *board, FILE *out)
{
	emit_root_head(out, board);
	emit_container_head(out, KEY_RAM, 2);
	fputs("\t\t" KEY_DEFAULT " = <", out);
	cells64(out, board->ram_default);
	fputs(">;\n", out);
	for (unsigned i = 0; i < board->nr_ram; i++) {
		fputc('\n', out);
		emit_range(out, board, &board->ram[i], false, false);
	}
	fputs("\t};\n", out);
	emit_ranges(out, board, KEY_RESERVED, board->reserved,
		    board->nr_reserved);
	emit_windows(out, board, SPACE_MMIO);
	emit_windows(out, board, SPACE_PIO);
	if (board->nr_devices) {
		fputs("\n\t" KEY_DEVICES " {", out);
		for (unsigned i = 0; i < board->nr_devices; i++)
			emit_device(out, board, &board->devices[i]);
		fputs("\t};\n", out);
	}
	fputs("};\n", out);
	return ferror(out) ? -1 : 0;
}
