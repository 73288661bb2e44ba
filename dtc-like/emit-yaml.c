// SPDX-License-Identifier: MIT
/*
 * board_to_yaml(): the IR printed back as a YAML board (boardc -O yaml).
 * Canonical and deterministic: every key in the order of
 * docs/board-format.md, cpus and irqs always written, sizes with a binary
 * suffix where one is exact, addresses in hex; comments are not kept.
 * Property values are written as the text they hold, so the board reads
 * back to the same IR.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "boardc.h"
#include "keys.h"

/*
 * Can `s` be written as a plain scalar that reads back as itself? The
 * YAML front end takes a plain scalar's text as written, except the
 * empty and null spellings.
 */
static bool plain_ok(const char *s)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL" };
	size_t len = strlen(s);

	if (!len || s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
		return false;
	for (unsigned i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(s, nulls[i]))
			return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9') || strchr("._/(+", s[0])))
		return false;
	if (strstr(s, ": ") || strstr(s, " #"))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '"' || *s == '\\')
			return false;
	return true;
}

static void yaml_scalar(FILE *out, const char *s)
{
	if (plain_ok(s)) {
		fputs(s, out);
		return;
	}
	fput_quoted(out, s);
}

/* 512M, 3G, 1T where exact and short; hex otherwise. */
static void yaml_size(FILE *out, uint64_t v)
{
	static const char suffix[] = "TGMK";

	for (unsigned i = 0; i < 4 && v; i++) {
		unsigned shift = 40 - 10 * i;

		if (v % (1ULL << shift) == 0 && (v >> shift) < 1024) {
			fprintf(out, "%" PRIu64 "%c", v >> shift, suffix[i]);
			return;
		}
	}
	fprintf(out, "0x%" PRIx64, v);
}

/* A list entry {name, base, size[, backed]}, `indent` spaces in. */
static void emit_range(FILE *out, const struct ir_range *r, int indent)
{
	fprintf(out, "%*s- " KEY_NAME ": ", indent, "");
	yaml_scalar(out, r->name ? r->name : "");
	fprintf(out, "\n%*s" KEY_BASE ": 0x%" PRIx64 "\n%*s" KEY_SIZE ": ",
		indent + 2, "", r->base, indent + 2, "");
	yaml_size(out, r->size);
	fputc('\n', out);
	if (r->backed)
		fprintf(out, "%*s" KEY_BACKED ": true\n", indent + 2, "");
}

static void emit_windows(FILE *out, const struct board *board,
			 enum board_space space)
{
	bool any = false;

	for (unsigned i = 0; i < board->nr_windows; i++) {
		if (board->windows[i].space != space)
			continue;
		if (!any)
			fputs(space == SPACE_PIO ? KEY_IO_WINDOWS ":\n" :
			      KEY_MMIO_WINDOWS ":\n", out);
		any = true;
		emit_range(out, &board->windows[i], 2);
	}
}

static void emit_placement(FILE *out, const char *key,
			   const struct ir_placement *pl)
{
	if (!pl->present)
		return;
	fprintf(out, "    %s:", key);
	if (pl->is_auto && pl->window) {
		fputs("\n      " KEY_WINDOW ": ", out);
		yaml_scalar(out, pl->window);
	} else if (pl->is_auto) {
		fputs(" " KEY_AUTO, out);
	} else {
		fprintf(out, " 0x%" PRIx64, pl->base);
	}
	fputc('\n', out);
}

static void emit_bindings(FILE *out, const struct ir_device *dev)
{
	if (!dev->nr_bindings)
		return;
	fputs("    " KEY_BINDINGS ":\n", out);
	for (unsigned i = 0; i < dev->nr_bindings; i++) {
		const struct ir_binding *b = &dev->bindings[i];

		fputs("      ", out);
		yaml_scalar(out, b->reg);
		if (b->has_datamatch)
			fprintf(out, ":\n        " KEY_BINDING ": %s\n"
				"        " KEY_DATAMATCH ": 0x%" PRIx64 "\n",
				binding_name(b->binding), b->datamatch);
		else
			fprintf(out, ": %s\n", binding_name(b->binding));
	}
}

static void emit_device(FILE *out, const struct ir_device *dev)
{
	fputs("  - " KEY_NAME ": ", out);
	yaml_scalar(out, dev->name ? dev->name : "");
	fputs("\n    " KEY_TYPE ": ", out);
	yaml_scalar(out, dev->type_name ? dev->type_name : "");
	fputc('\n', out);
	emit_placement(out, KEY_IO_PORTS, &dev->pio);
	emit_placement(out, KEY_MMIO, &dev->mmio);
	if (dev->has_irq)
		fprintf(out, "    " KEY_IRQ ": %u\n", dev->irq);
	if (dev->pci_slot_auto)
		fputs("    " KEY_PCI_SLOT ": " KEY_AUTO "\n", out);
	else if (dev->has_pci_slot)
		fprintf(out, "    " KEY_PCI_SLOT ": %u\n", dev->pci_slot);
	if (dev->nr_props)
		fputs("    " KEY_PROPERTIES ":\n", out);
	for (unsigned i = 0; i < dev->nr_props; i++) {
		fputs("      ", out);
		yaml_scalar(out, dev->props[i].name);
		fputs(": ", out);
		yaml_scalar(out, dev->props[i].text);
		fputc('\n', out);
	}
	emit_bindings(out, dev);
}

int board_to_yaml(const struct board *board, FILE *out)
{
	fputs(KEY_BOARD ": ", out);
	yaml_scalar(out, board->name ? board->name : "");
	fputc('\n', out);
	if (board->description) {
		fputs(KEY_DESCRIPTION ": ", out);
		yaml_scalar(out, board->description);
		fputc('\n', out);
	}
	fprintf(out, KEY_CPUS ":\n  " KEY_DEFAULT ": %u\n  " KEY_MAX ": %u\n"
		KEY_IRQS ": %u\n",
		board->cpus_default, board->cpus_max, board->nr_irqs);
	if (board->nr_cpuid_hide)
		fputs(KEY_CPUID_HIDE ":\n", out);
	for (unsigned i = 0; i < board->nr_cpuid_hide; i++) {
		fputs("  - ", out);
		yaml_scalar(out, board->cpuid_hide[i]);
		fputc('\n', out);
	}
	if (board->has_firmware_tables)
		fputs(KEY_FIRMWARE_TABLES ":", out);
	for (unsigned i = 0; i < board->nr_firmware_tables; i++)
		fprintf(out, "%s%s", i ? ", " : " [",
			board->firmware_tables[i]);
	if (board->has_firmware_tables)
		fputs(board->nr_firmware_tables ? "]\n" : " []\n", out);
	fputs(KEY_RAM ":\n  " KEY_DEFAULT ": ", out);
	yaml_size(out, board->ram_default);
	fputs("\n  " KEY_REGIONS ":\n", out);
	for (unsigned i = 0; i < board->nr_ram; i++) {
		emit_range(out, &board->ram[i], 4);
	}
	if (board->nr_reserved)
		fputs(KEY_RESERVED ":\n", out);
	for (unsigned i = 0; i < board->nr_reserved; i++)
		emit_range(out, &board->reserved[i], 2);
	emit_windows(out, board, SPACE_MMIO);
	emit_windows(out, board, SPACE_PIO);
	if (board->nr_devices)
		fputs(KEY_DEVICES ":\n", out);
	for (unsigned i = 0; i < board->nr_devices; i++)
		emit_device(out, &board->devices[i]);
	return ferror(out) ? -1 : 0;
}
