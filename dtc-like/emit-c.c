// SPDX-License-Identifier: MIT
/* PLACEHOLDER: replaced by its owner during this session. */
#include "boardc.h"

int board_to_c(const struct board *board, const char *dir)
{
	fprintf(stderr, "boardc: not implemented yet\n");
	return -1;
}

int board_to_devices_mk(const struct board *board, FILE *out)
{
	fprintf(stderr, "boardc: not implemented yet\n");
	return -1;
}

