/* SPDX-License-Identifier: MIT */
/*
 * boardc's ACPI stage: the tables built from the board (acpi.c), with the
 * DSDT's AML from our own encoder (aml.c), as bytes plus notes that name
 * each field and the board position it comes from. emit-acpi.c prints
 * them as C data (board.c) and as the binary tables `boardc acpi` dumps.
 *
 * Why our own AML encoder and not iasl at build time: the DSDT holds a
 * host bridge, its _CRS and _PRT and a few legacy devices, all Name()
 * objects (no methods): about a dozen opcodes and resource descriptors.
 * An encoder in C keeps the build free of acpica-tools, keeps every byte
 * traceable to a board position in the generated C, and lets boardc
 * check and fuzz the whole path; iasl -d is used to check our output.
 */
#ifndef BOARDC_ACPI_H
#define BOARDC_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "boardc.h"

/* A run of bytes and what it is: "MADT.lapic_address", a board position. */
struct acpi_note {
	size_t off;
	char *text;
};

struct acpi_bytes {
	uint8_t *buf;
	size_t len, cap;
	struct acpi_note *notes;
	unsigned nr_notes, cap_notes;
};

struct acpi_table_pos {
	char signature[5];
	size_t off, len;
};

#define ACPI_MAX_TABLES	8

struct acpi_image {
	uint64_t base;			/* guest physical address of byte 0 */
	const struct ir_range *range;	/* the reserved range holding it */
	struct acpi_bytes b;
	struct acpi_table_pos tables[ACPI_MAX_TABLES];	/* RSDP first */
	unsigned nr_tables;
	size_t madt_off;
};

/* firmware-tables: does the board ask for `name` ("acpi", "mptable")? */
bool board_wants_tables(const struct board *board, const char *name);

/*
 * The host bridge's ECAM window (pci-host's `mmio:`, region ecam), or
 * NULL: the MCFG's window, reserved in the e820 map (Linux uses ECAM only
 * where the e820 map reserves it).
 */
const struct ir_region *board_ecam(const struct board *board);

/*
 * Build the tables; 0, or -1 with the reason in err (and *pos, when the
 * board has a position to blame). A board without acpi gets -1 too.
 */
int board_acpi_build(const struct board *board, struct acpi_image *img,
		     char *err, size_t errlen, const struct srcpos **pos);
void acpi_image_free(struct acpi_image *img);

/* Byte buffer with notes (aml.c). */
void acpi_note(struct acpi_bytes *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void acpi_note_at(struct acpi_bytes *b, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void acpi_put(struct acpi_bytes *b, const void *p, size_t n);
void acpi_put_le(struct acpi_bytes *b, uint64_t v, unsigned n);
void acpi_append(struct acpi_bytes *dst, const struct acpi_bytes *src);
void acpi_bytes_free(struct acpi_bytes *b);

/* AML (ACPI 6.4 chapter 20) into an acpi_bytes. */
size_t aml_pkg_begin(struct acpi_bytes *b);	/* reserves a PkgLength */
void aml_pkg_end(struct acpi_bytes *b, size_t start);
void aml_name_seg(struct acpi_bytes *b, const char *name);	/* 4 chars */
void aml_integer(struct acpi_bytes *b, uint64_t v);
void aml_string(struct acpi_bytes *b, const char *s);
uint32_t aml_eisa_id(const char *id);		/* "PNP0A03" */
size_t aml_scope_begin(struct acpi_bytes *b, const char *path);
size_t aml_device_begin(struct acpi_bytes *b, const char *name);
void aml_name(struct acpi_bytes *b, const char *name);	/* NameOp + seg */
size_t aml_package_begin(struct acpi_bytes *b, unsigned elements);
/* Buffer holding a resource template; end with aml_crs_end(). */
size_t aml_crs_begin(struct acpi_bytes *b, size_t *size_at);
void aml_crs_end(struct acpi_bytes *b, size_t start, size_t size_at);
size_t aml_method_begin(struct acpi_bytes *b, const char *name,
			unsigned nargs);
void aml_arg(struct acpi_bytes *b, unsigned n);		/* ArgN */
void aml_create_dword_field(struct acpi_bytes *b, unsigned arg,
			    uint64_t index, const char *name);
size_t aml_if_begin(struct acpi_bytes *b);	/* predicate, then body */
size_t aml_else_begin(struct acpi_bytes *b);
void aml_lequal(struct acpi_bytes *b, bool negate);	/* operands follow */
void aml_or_into(struct acpi_bytes *b, const char *name, uint64_t bits);
void aml_return_arg(struct acpi_bytes *b, unsigned arg);
void aml_uuid(struct acpi_bytes *b, const char *uuid);	/* ToUUID () */
void aml_res_io(struct acpi_bytes *b, uint16_t base, uint8_t len);
void aml_res_irq(struct acpi_bytes *b, unsigned irq);
/* Memory32Fixed (ReadWrite, base, len) */
void aml_res_mem32(struct acpi_bytes *b, uint32_t base, uint32_t len);
/* QWordMemory (ResourceConsumer, ...): a device's block above 4 GiB */
void aml_res_mem64(struct acpi_bytes *b, uint64_t base, uint64_t len);
void aml_res_bus(struct acpi_bytes *b, uint16_t first, uint16_t last);
void aml_res_window(struct acpi_bytes *b, bool io, uint64_t base,
		    uint64_t size);

#endif
