// SPDX-License-Identifier: MIT
/*
 * The ACPI tables out of boardc: as C data in board.c (board_firmware,
 * one line per field or AML object, with what it is and the board
 * position it comes from), and for people: `boardc acpi` prints them in
 * acpidump's format (acpixtract -a, then iasl -d, read it), or writes
 * one binary per table (-o DIR: DIR/dsdt.dat, ... for iasl -d), with the
 * MADT cut to --cpus CPUs as the VMM does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acpi-tables.h"
#include "acpi.h"

static int note_cmp(const void *x, const void *y)
{
	const struct acpi_note *a = x, *b = y;

	return (a->off > b->off) - (a->off < b->off);
}

/* A comment's text: no "*" followed by "/" in it. */
static void put_comment(FILE *out, const char *text)
{
	fputs("/* ", out);
	for (const char *p = text; *p; p++) {
		fputc(*p, out);
		if (*p == '*' && p[1] == '/')
			fputc(' ', out);
	}
	fputs(" */\n", out);
}

static void emit_bytes(FILE *out, const struct acpi_image *img)
{
	const struct acpi_bytes *b = &img->b;
	size_t nr = b->nr_notes;
	struct acpi_note *notes = xcalloc(nr + 1, sizeof(*notes));

	memcpy(notes, b->notes, nr * sizeof(*notes));
	qsort(notes, nr, sizeof(*notes), note_cmp);
	for (size_t n = 0, off = 0; off < b->len; n++) {
		size_t end = n + 1 < nr ? notes[n + 1].off : b->len;

		if (n < nr) {
			fprintf(out, "\t/* 0x%04zx */ ", off);
			put_comment(out, notes[n].text);
		}
		if (end > b->len || end < off)
			end = b->len;
		for (size_t i = off; i < end; i++)
			fprintf(out, "%s0x%02x,%s", (i - off) % 12 ? " " : "\t",
				b->buf[i],
				(i - off) % 12 == 11 || i + 1 == end ? "\n" : "");
		off = end;
		if (n >= nr && off < b->len)
			break;
	}
	free(notes);
}

int board_firmware_to_c(const struct board *board, FILE *out)
{
	bool mptable = board_wants_tables(board, "mptable");
	const struct srcpos *pos;
	struct acpi_image img;
	char err[256];

	fprintf(out, "\n/* firmware-tables%s%s */\n",
		board->has_firmware_tables ? ": " : " (absent: mptable)",
		board->has_firmware_tables ?
		srcpos_string(&board->firmware_tables_key_pos) : "");
	if (!board_wants_tables(board, "acpi")) {
		fprintf(out, "const struct board_firmware board_firmware = {\n"
			"\t.mptable = %s,\n};\n", mptable ? "true" : "false");
		return 0;
	}
	if (board_acpi_build(board, &img, err, sizeof(err), &pos) < 0) {
		fprintf(stderr, "%s: error: %s\n", srcpos_string(pos), err);
		return -1;
	}
	fprintf(out, "/*\n * The ACPI tables (dtc-like/acpi.c), %zu bytes at "
		"0x%" PRIx64 " in reserved range\n * '%s' (%s). Offsets are "
		"from the RSDP.\n */\n", img.b.len, img.base, img.range->name,
		srcpos_string(&img.range->pos));
	fprintf(out, "static const uint8_t board_acpi[%zu] = {\n", img.b.len);
	emit_bytes(out, &img);
	fputs("};\n\nconst struct board_firmware board_firmware = {\n", out);
	fprintf(out, "\t.mptable = %s,\n\t.acpi = board_acpi,\n"
		"\t.acpi_size = sizeof(board_acpi),\n"
		"\t.acpi_base = 0x%" PRIx64 ",\n\t.acpi_madt = 0x%zx,\n"
		"\t.acpi_range = \"%s\",\n};\n", mptable ? "true" : "false",
		img.base, img.madt_off, img.range->name);
	acpi_image_free(&img);
	return 0;
}

/* acpidump's format: "SIG @ 0xADDR", then 16 bytes a line with ASCII. */
static void dump_table(FILE *out, const char *sig, uint64_t addr,
		       const uint8_t *p, size_t len)
{
	fprintf(out, "%s @ 0x%016" PRIx64 "\n", sig, addr);
	for (size_t i = 0; i < len; i += 16) {
		fprintf(out, "    %04zX:", i);
		for (size_t j = i; j < i + 16; j++)
			if (j < len)
				fprintf(out, " %02X", p[j]);
			else
				fputs("   ", out);
		fputs("  ", out);
		for (size_t j = i; j < i + 16 && j < len; j++)
			fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', out);
		fputc('\n', out);
	}
	fputc('\n', out);
}

static int write_table(const char *dir, const char *sig, const uint8_t *p,
		       size_t len)
{
	char path[4096], name[5];
	FILE *f;

	for (unsigned i = 0; i < 5; i++)
		name[i] = (char)(sig[i] >= 'A' && sig[i] <= 'Z' ?
				 sig[i] - 'A' + 'a' : sig[i]);
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "boardc: cannot write %s: %s\n", path,
			strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return 0;
}

int board_acpi_dump(const struct board *board, unsigned cpus,
		    const char *dir, FILE *out)
{
	const struct srcpos *pos;
	struct acpi_image img;
	char err[256];
	int ret = 0;

	if (board_acpi_build(board, &img, err, sizeof(err), &pos) < 0) {
		fprintf(stderr, "%s: error: %s\n", srcpos_string(pos), err);
		return -1;
	}
	if (!acpi_madt_set_cpus(img.b.buf + img.madt_off, cpus)) {
		fprintf(stderr, "boardc: --cpus %u: the board has 1 to %u CPUs"
			"\n", cpus, board->cpus_max);
		acpi_image_free(&img);
		return -1;
	}
	if (dir && mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "boardc: cannot create %s: %s\n", dir,
			strerror(errno));
		acpi_image_free(&img);
		return -1;
	}
	for (unsigned i = 0; i < img.nr_tables && !ret; i++) {
		const struct acpi_table_pos *t = &img.tables[i];
		const uint8_t *p = img.b.buf + t->off;
		size_t len = t->len;

		if (t->off == img.madt_off)
			len = ((const struct acpi_header *)p)->length;
		if (dir)
			ret = write_table(dir, t->signature, p, len);
		else
			dump_table(out, t->signature, img.base + t->off, p,
				   len);
	}
	acpi_image_free(&img);
	return ret;
}
