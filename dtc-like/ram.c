// SPDX-License-Identifier: MIT
/* PLACEHOLDER: replaced by its owner during this session. */
#include "boardc.h"

int board_ram_fill(const struct board *board, uint64_t mem,
		   struct ram_chunk *chunks, unsigned max_chunks)
{
	return -1;
}
