// SPDX-License-Identifier: MIT
/*
 * A small AML encoder and the byte buffer with notes that the ACPI stage
 * builds into (acpi.h says why not iasl). Only what a board's DSDT needs:
 * Scope, Device, Name, integers, strings, Package, and Buffer holding
 * resource templates (IO, IRQNoFlags, Interrupt, Word/DWord/QWord address
 * space descriptors).
 */
#define _GNU_SOURCE		/* vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_METHOD_OP		0x14
#define AML_ARG0_OP		0x68
#define AML_OR_OP		0x7d
#define AML_CREATE_DWORD_FIELD_OP 0x8a
#define AML_LNOT_OP		0x92
#define AML_LEQUAL_OP		0x93
#define AML_IF_OP		0xa0
#define AML_ELSE_OP		0xa1
#define AML_RETURN_OP		0xa4
#define AML_EXT_OP		0x5b
#define AML_DEVICE_OP		0x82		/* after AML_EXT_OP */
#define AML_ROOT_CHAR		'\\'

/* Resource descriptors (ACPI 6.4 6.4.2, 6.4.3). */
#define RES_IRQ_NOFLAGS		0x22		/* small, 2 bytes of mask */
#define RES_IO			0x47		/* small, 7 bytes */
#define RES_END			0x79
#define RES_DWORD_SPACE		0x87
#define RES_WORD_SPACE		0x88
#define RES_EXT_IRQ		0x89
#define RES_MEM32_FIXED		0x86
#define RES_QWORD_SPACE		0x8a
#define RES_SPACE_MEM		0
#define RES_SPACE_IO		1
#define RES_SPACE_BUS		2
#define RES_FIXED_PRODUCER	0x0c		/* MinFixed, MaxFixed, producer */
#define RES_FIXED_CONSUMER	0x0d		/* MinFixed, MaxFixed, consumer */
#define RES_MEM_RW_NONCACHE	0x01
#define RES_IO_ENTIRE_RANGE	0x03

static void grow(void **p, size_t elem, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q) {
		fputs("boardc: out of memory building the ACPI tables\n",
		      stderr);
		exit(1);
	}
	*p = q;
	*cap = n;
}

static void note_add(struct acpi_bytes *b, size_t off, const char *fmt,
		     va_list ap)
{
	size_t cap = b->cap_notes;
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	if (!text) {
		fputs("boardc: out of memory building the ACPI tables\n",
		      stderr);
		exit(1);
	}
	grow((void **)&b->notes, sizeof(*b->notes), &cap, b->nr_notes + 1);
	b->cap_notes = cap;
	b->notes[b->nr_notes].off = off;
	b->notes[b->nr_notes++].text = text;
}

void acpi_note(struct acpi_bytes *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_add(b, b->len, fmt, ap);
	va_end(ap);
}

void acpi_note_at(struct acpi_bytes *b, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_add(b, off, fmt, ap);
	va_end(ap);
}

void acpi_put(struct acpi_bytes *b, const void *p, size_t n)
{
	grow((void **)&b->buf, 1, &b->cap, b->len + n);
	if (p)
		memcpy(b->buf + b->len, p, n);
	else
		memset(b->buf + b->len, 0, n);
	b->len += n;
}

void acpi_put_le(struct acpi_bytes *b, uint64_t v, unsigned n)
{
	uint8_t le[8];

	for (unsigned i = 0; i < n; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	acpi_put(b, le, n);
}

static void put_u8(struct acpi_bytes *b, uint8_t v)
{
	acpi_put(b, &v, 1);
}

void acpi_append(struct acpi_bytes *dst, const struct acpi_bytes *src)
{
	size_t base = dst->len;
	size_t cap = dst->cap_notes;

	grow((void **)&dst->notes, sizeof(*dst->notes), &cap,
	     dst->nr_notes + src->nr_notes);
	dst->cap_notes = cap;
	for (unsigned i = 0; i < src->nr_notes; i++) {
		dst->notes[dst->nr_notes].off = base + src->notes[i].off;
		dst->notes[dst->nr_notes++].text = xstrdup(src->notes[i].text);
	}
	acpi_put(dst, src->buf, src->len);
}

void acpi_bytes_free(struct acpi_bytes *b)
{
	for (unsigned i = 0; i < b->nr_notes; i++)
		free(b->notes[i].text);
	free(b->notes);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/* ---- AML ---- */

size_t aml_pkg_begin(struct acpi_bytes *b)
{
	size_t start = b->len;

	acpi_put(b, NULL, 4);
	return start;
}

/*
 * PkgLength (20.2.4) in the fewest bytes: it counts itself and what
 * follows, so the content moves down over the unused reserved bytes.
 */
void aml_pkg_end(struct acpi_bytes *b, size_t start)
{
	size_t content = b->len - (start + 4);
	unsigned n = content + 1 < 0x40 ? 1 : content + 2 < 0x1000 ? 2 :
		     content + 3 < 0x100000 ? 3 : 4;
	size_t value = content + n;
	uint8_t *p = b->buf + start;

	if (n == 1) {
		p[0] = (uint8_t)value;
	} else {
		p[0] = (uint8_t)(((n - 1) << 6) | (value & 0xf));
		for (unsigned i = 1; i < n; i++)
			p[i] = (uint8_t)(value >> (4 + 8 * (i - 1)));
	}
	memmove(p + n, p + 4, content);
	b->len -= 4 - n;
	for (unsigned i = 0; i < b->nr_notes; i++)
		if (b->notes[i].off >= start + 4)
			b->notes[i].off -= 4 - n;
}

/* A NameSeg: up to 4 characters, padded with '_'. */
void aml_name_seg(struct acpi_bytes *b, const char *name)
{
	char seg[4] = { '_', '_', '_', '_' };

	for (unsigned i = 0; i < 4 && name[i]; i++)
		seg[i] = name[i];
	acpi_put(b, seg, 4);
}

void aml_integer(struct acpi_bytes *b, uint64_t v)
{
	if (v == 0 || v == 1) {
		put_u8(b, v ? AML_ONE : AML_ZERO);
	} else if (v <= 0xff) {
		put_u8(b, AML_BYTE_PREFIX);
		acpi_put_le(b, v, 1);
	} else if (v <= 0xffff) {
		put_u8(b, AML_WORD_PREFIX);
		acpi_put_le(b, v, 2);
	} else if (v <= 0xffffffffu) {
		put_u8(b, AML_DWORD_PREFIX);
		acpi_put_le(b, v, 4);
	} else {
		put_u8(b, AML_QWORD_PREFIX);
		acpi_put_le(b, v, 8);
	}
}

void aml_string(struct acpi_bytes *b, const char *s)
{
	put_u8(b, AML_STRING_PREFIX);
	acpi_put(b, s, strlen(s) + 1);
}

/* EisaId(): three letters in 5 bits each, four hex digits, big-endian. */
uint32_t aml_eisa_id(const char *id)
{
	uint32_t v = ((uint32_t)(id[0] - 0x40) << 26) |
		     ((uint32_t)(id[1] - 0x40) << 21) |
		     ((uint32_t)(id[2] - 0x40) << 16) |
		     (uint32_t)strtoul(id + 3, NULL, 16);

	return __builtin_bswap32(v);
}

/* "\\_SB" or a single segment. */
static void name_path(struct acpi_bytes *b, const char *path)
{
	if (*path == AML_ROOT_CHAR) {
		put_u8(b, AML_ROOT_CHAR);
		path++;
	}
	aml_name_seg(b, path);
}

size_t aml_scope_begin(struct acpi_bytes *b, const char *path)
{
	size_t start;

	put_u8(b, AML_SCOPE_OP);
	start = aml_pkg_begin(b);
	name_path(b, path);
	return start;
}

size_t aml_device_begin(struct acpi_bytes *b, const char *name)
{
	size_t start;

	put_u8(b, AML_EXT_OP);
	put_u8(b, AML_DEVICE_OP);
	start = aml_pkg_begin(b);
	aml_name_seg(b, name);
	return start;
}

void aml_name(struct acpi_bytes *b, const char *name)
{
	put_u8(b, AML_NAME_OP);
	aml_name_seg(b, name);
}

size_t aml_package_begin(struct acpi_bytes *b, unsigned elements)
{
	size_t start;

	put_u8(b, AML_PACKAGE_OP);
	start = aml_pkg_begin(b);
	put_u8(b, (uint8_t)elements);
	return start;
}

size_t aml_crs_begin(struct acpi_bytes *b, size_t *size_at)
{
	size_t start;

	put_u8(b, AML_BUFFER_OP);
	start = aml_pkg_begin(b);
	put_u8(b, AML_WORD_PREFIX);
	*size_at = b->len;
	acpi_put(b, NULL, 2);
	return start;
}

void aml_crs_end(struct acpi_bytes *b, size_t start, size_t size_at)
{
	size_t size;

	put_u8(b, RES_END);
	put_u8(b, 0);			/* checksum 0: "treat as valid" */
	size = b->len - (size_at + 2);
	b->buf[size_at] = (uint8_t)size;
	b->buf[size_at + 1] = (uint8_t)(size >> 8);
	aml_pkg_end(b, start);
}

/* Method (NAME, nargs, NotSerialized) { ... aml_pkg_end() } */
size_t aml_method_begin(struct acpi_bytes *b, const char *name,
			unsigned nargs)
{
	size_t start;

	put_u8(b, AML_METHOD_OP);
	start = aml_pkg_begin(b);
	aml_name_seg(b, name);
	put_u8(b, (uint8_t)(nargs & 7));
	return start;
}

void aml_arg(struct acpi_bytes *b, unsigned n)
{
	put_u8(b, (uint8_t)(AML_ARG0_OP + n));
}

/* CreateDWordField (ArgN, index, NAME) */
void aml_create_dword_field(struct acpi_bytes *b, unsigned arg,
			    uint64_t index, const char *name)
{
	put_u8(b, AML_CREATE_DWORD_FIELD_OP);
	aml_arg(b, arg);
	aml_integer(b, index);
	aml_name_seg(b, name);
}

/* If (predicate) { ... }: the predicate follows, then the body. */
size_t aml_if_begin(struct acpi_bytes *b)
{
	put_u8(b, AML_IF_OP);
	return aml_pkg_begin(b);
}

size_t aml_else_begin(struct acpi_bytes *b)
{
	put_u8(b, AML_ELSE_OP);
	return aml_pkg_begin(b);
}

/* LEqual (a, b), or LNot (LEqual (a, b)): the operands follow. */
void aml_lequal(struct acpi_bytes *b, bool negate)
{
	if (negate)
		put_u8(b, AML_LNOT_OP);
	put_u8(b, AML_LEQUAL_OP);
}

/* Or (NAME, bits, NAME): set bits in a named field. */
void aml_or_into(struct acpi_bytes *b, const char *name, uint64_t bits)
{
	put_u8(b, AML_OR_OP);
	aml_name_seg(b, name);
	aml_integer(b, bits);
	aml_name_seg(b, name);
}

/* Return (ArgN) */
void aml_return_arg(struct acpi_bytes *b, unsigned arg)
{
	put_u8(b, AML_RETURN_OP);
	aml_arg(b, arg);
}

/* `n` bytes from the hex digits at `s`, reversed when `le`. */
static void uuid_field(struct acpi_bytes *b, const char *s, unsigned n,
		       bool le)
{
	uint8_t v[8];

	for (unsigned i = 0; i < n; i++) {
		char hex[3] = { s[2 * i], s[2 * i + 1], 0 };

		v[le ? n - 1 - i : i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	acpi_put(b, v, n);
}

/*
 * ToUUID ("aabbccdd-eeff-gghh-iijj-kkllmmnnoopp"): a 16-byte Buffer, the
 * first three fields little-endian (ACPI 6.4 19.6.142).
 */
void aml_uuid(struct acpi_bytes *b, const char *uuid)
{
	static const struct { unsigned at, n; bool le; } fields[] = {
		{ 0, 4, true }, { 9, 2, true }, { 14, 2, true },
		{ 19, 2, false }, { 24, 6, false },
	};
	size_t start;

	put_u8(b, AML_BUFFER_OP);
	start = aml_pkg_begin(b);
	aml_integer(b, 16);
	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++)
		uuid_field(b, uuid + fields[i].at, fields[i].n, fields[i].le);
	aml_pkg_end(b, start);
}

/* IO (Decode16, base, base, 1, len) */
void aml_res_io(struct acpi_bytes *b, uint16_t base, uint8_t len)
{
	put_u8(b, RES_IO);
	put_u8(b, 1);			/* 16-bit decode */
	acpi_put_le(b, base, 2);
	acpi_put_le(b, base, 2);
	put_u8(b, 1);
	put_u8(b, len);
}

/* IRQNoFlags () {irq} below 16 (edge, active high), else Interrupt(). */
void aml_res_irq(struct acpi_bytes *b, unsigned irq)
{
	if (irq < 16) {
		put_u8(b, RES_IRQ_NOFLAGS);
		acpi_put_le(b, 1u << irq, 2);
		return;
	}
	put_u8(b, RES_EXT_IRQ);
	acpi_put_le(b, 6, 2);
	put_u8(b, 0x03);		/* consumer, edge, active high */
	put_u8(b, 1);
	acpi_put_le(b, irq, 4);
}

/* Memory32Fixed (ReadWrite, base, len) */
void aml_res_mem32(struct acpi_bytes *b, uint32_t base, uint32_t len)
{
	put_u8(b, RES_MEM32_FIXED);
	acpi_put_le(b, 9, 2);
	put_u8(b, 1);			/* read-write */
	acpi_put_le(b, base, 4);
	acpi_put_le(b, len, 4);
}

/*
 * QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed,
 * NonCacheable, ReadWrite, 0, base, base + len - 1, 0, len): a device's
 * own block above 4 GiB, where Memory32Fixed cannot reach.
 */
void aml_res_mem64(struct acpi_bytes *b, uint64_t base, uint64_t len)
{
	put_u8(b, RES_QWORD_SPACE);
	acpi_put_le(b, 3 + 5 * 8, 2);
	put_u8(b, RES_SPACE_MEM);
	put_u8(b, RES_FIXED_CONSUMER);
	put_u8(b, RES_MEM_RW_NONCACHE);
	acpi_put_le(b, 0, 8);		/* granularity */
	acpi_put_le(b, base, 8);
	acpi_put_le(b, base + len - 1, 8);
	acpi_put_le(b, 0, 8);		/* translation */
	acpi_put_le(b, len, 8);
}

/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, ...) */
void aml_res_bus(struct acpi_bytes *b, uint16_t first, uint16_t last)
{
	put_u8(b, RES_WORD_SPACE);
	acpi_put_le(b, 13, 2);
	put_u8(b, RES_SPACE_BUS);
	put_u8(b, RES_FIXED_PRODUCER);
	put_u8(b, 0);
	acpi_put_le(b, 0, 2);		/* granularity */
	acpi_put_le(b, first, 2);
	acpi_put_le(b, last, 2);
	acpi_put_le(b, 0, 2);		/* translation */
	acpi_put_le(b, last - first + 1, 2);
}

/* DWordIO / DWordMemory, or QWordMemory above 4 GiB. */
void aml_res_window(struct acpi_bytes *b, bool io, uint64_t base,
		    uint64_t size)
{
	uint64_t last = base + size - 1;
	bool wide = last > 0xffffffffu;
	unsigned w = wide ? 8 : 4;

	put_u8(b, wide ? RES_QWORD_SPACE : RES_DWORD_SPACE);
	acpi_put_le(b, 3 + 5 * w, 2);
	put_u8(b, io ? RES_SPACE_IO : RES_SPACE_MEM);
	put_u8(b, RES_FIXED_PRODUCER);
	put_u8(b, io ? RES_IO_ENTIRE_RANGE : RES_MEM_RW_NONCACHE);
	acpi_put_le(b, 0, w);		/* granularity */
	acpi_put_le(b, base, w);
	acpi_put_le(b, last, w);
	acpi_put_le(b, 0, w);		/* translation */
	acpi_put_le(b, size, w);
}
