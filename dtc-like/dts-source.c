// SPDX-License-Identifier: MIT
/* PLACEHOLDER: replaced by its owner during this session. */
#include "boardc.h"

struct board *board_from_dts(const char *file)
{
	fprintf(stderr, "%s: the text syntax is not implemented yet\n", file);
	return NULL;
}
