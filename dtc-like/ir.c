// SPDX-License-Identifier: MIT
/*
 * The IR's own module (dtc's livetree.c): allocation, the constructors the
 * front ends build a board with, and board_free(). The IR is the same
 * whichever front end built it; a third input format touches nothing else.
 * Allocation failure is fatal here, as in dtc: boardc is a batch tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardc.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "boardc: out of memory\n");
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(xcalloc(1, len), s, len);
}

/* A board as before its file is read: the language's defaults. */
struct board *board_new(const char *file)
{
	struct board *board = xcalloc(1, sizeof(*board));

	board->file = xstrdup(file);
	board->cpus_default = 1;
	board->cpus_max = 1;
	board->nr_irqs = 24;
	return board;
}

struct ir_range *ir_ranges_grow(struct ir_range **ranges, unsigned nr,
				unsigned more)
{
	struct ir_range *all = xcalloc(nr + more, sizeof(*all));

	if (nr)
		memcpy(all, *ranges, nr * sizeof(*all));
	free(*ranges);
	*ranges = all;
	return all + nr;
}


static void ranges_free(struct ir_range *ranges, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		free(ranges[i].name);
	free(ranges);
}

static void device_free(struct ir_device *dev)
{
	free(dev->name);
	free(dev->label);
	free(dev->type_name);
	free(dev->transport);
	free(dev->pio.window);
	free(dev->mmio.window);
	for (unsigned i = 0; i < dev->nr_props; i++) {
		free(dev->props[i].name);
		free(dev->props[i].text);
	}
	free(dev->props);
	for (unsigned i = 0; i < dev->nr_bindings; i++)
		free(dev->bindings[i].reg);
	free(dev->bindings);
}

void board_free(struct board *board)
{
	if (!board)
		return;
	free(board->file);
	free(board->name);
	free(board->description);
	ranges_free(board->ram, board->nr_ram);
	ranges_free(board->reserved, board->nr_reserved);
	ranges_free(board->windows, board->nr_windows);
	for (unsigned i = 0; i < board->nr_devices; i++)
		device_free(&board->devices[i]);
	free(board->devices);
	free(board->regions);
	board_plan_free(board->plan);
	for (unsigned i = 0; i < board->nr_cpuid_hide; i++)
		free(board->cpuid_hide[i]);
	free(board->cpuid_hide);
	free(board->cpuid_hide_pos);
	for (unsigned i = 0; i < board->nr_firmware_tables; i++)
		free(board->firmware_tables[i]);
	free(board->firmware_tables);
	free(board->firmware_tables_pos);
	free(board);
}

const struct ir_property *ir_device_prop(const struct ir_device *dev,
					 const char *name)
{
	for (unsigned i = 0; i < dev->nr_props; i++)
		if (!strcmp(dev->props[i].name, name))
			return &dev->props[i];
	return NULL;
}

uint64_t ir_reg_size(const struct ir_device *dev,
		     const struct reg_schema *reg)
{
	const struct ir_property *p;
	const struct prop_schema *ps;
	const char *text;
	uint64_t count;

	if (!reg->count_prop)
		return reg->size;
	p = ir_device_prop(dev, reg->count_prop);
	ps = device_type_prop(dev->type, reg->count_prop);
	text = p ? p->text : ps ? ps->default_value : NULL;
	if (!text || !parse_number(text, &count))
		return 0;	/* bad_property_value says */
	return reg_schema_size(reg, count);
}
