// SPDX-License-Identifier: MIT
#include "boardc.h"

int board_to_svg(const struct board *board, uint64_t mem, FILE *out)
{
	fprintf(stderr, "boardc: -O svg is not implemented yet\n");
	return -1;
}
