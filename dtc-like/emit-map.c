// SPDX-License-Identifier: MIT
/* PLACEHOLDER: replaced by its owner during this session. */
#include "boardc.h"

int board_to_map(const struct board *board, uint64_t mem, FILE *out)
{
	fprintf(stderr, "boardc: not implemented yet\n");
	return -1;
}

int board_to_json(const struct board *board, uint64_t mem, FILE *out)
{
	fprintf(stderr, "boardc: not implemented yet\n");
	return -1;
}

int board_to_svg(const struct board *board, uint64_t mem, FILE *out)
{
	fprintf(stderr, "boardc: not implemented yet\n");
	return -1;
}

