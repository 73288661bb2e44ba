// SPDX-License-Identifier: MIT
/*
 * Guest RAM of a given size laid into the board's RAM regions, in order,
 * the reserved ranges between them counted as kvmtool and QEMU count them:
 * the IR side of machine/ram-layout.c, which the VMM uses at run time, so
 * `boardc map --mem` shows exactly what the guest will get.
 */
#include <stdlib.h>

#include "boardc.h"
#include "ram-layout.h"

int board_ram_fill(const struct board *board, uint64_t mem,
		   struct ram_chunk *chunks, unsigned max_chunks,
		   struct ram_fill_fault *fault)
{
	struct ram_span *regions, *spans, *reserved;
	int n = -1;

	regions = calloc(board->nr_ram + 1, sizeof(*regions));
	spans = calloc(max_chunks + 1, sizeof(*spans));
	reserved = calloc(board->nr_reserved + 1, sizeof(*reserved));
	if (fault)
		fault->kind = RAM_FILL_OK;
	if (!regions || !spans || !reserved)
		goto out_free;
	for (unsigned i = 0; i < board->nr_reserved; i++) {
		reserved[i].base = board->reserved[i].base;
		reserved[i].size = board->reserved[i].size;
		reserved[i].index = i;
	}
	for (unsigned i = 0; i < board->nr_ram; i++) {
		regions[i].base = board->ram[i].base;
		regions[i].size = board->ram[i].size;
		regions[i].index = i;
	}
	n = ram_layout_fill(regions, board->nr_ram, reserved,
			    board->nr_reserved, mem, spans, max_chunks, fault);
	for (int i = 0; i < n; i++) {
		chunks[i].region = &board->ram[spans[i].index];
		chunks[i].base = spans[i].base;
		chunks[i].size = spans[i].size;
	}
out_free:
	free(reserved);
	free(spans);
	free(regions);
	return n;
}
