// SPDX-License-Identifier: MIT
/*
 * "Did you mean": the known name closest to a misspelt one, by edit
 * distance, when it is close enough to be a typo (at most a third of the
 * name's length, and at least 2 edits allowed).
 */
#include <stdio.h>
#include <string.h>

#include "boardc.h"

/* Levenshtein distance; ~0u for names longer than any the language has. */
unsigned name_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64], prev, tmp;

	if (lb >= ARRAY_SIZE(row) || la >= ARRAY_SIZE(row))
		return ~0u;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

void name_suggest_try(struct name_suggest *s, const char *candidate)
{
	unsigned limit = (unsigned)strlen(s->name) / 3;
	unsigned dist = name_distance(s->name, candidate);

	if (limit < 2)
		limit = 2;
	if (dist <= limit && (!s->best || dist < s->dist)) {
		s->best = candidate;
		s->dist = dist;
	}
}

const char *name_suggest_list(const char *name, const char *const *names,
			      unsigned nr)
{
	struct name_suggest s = { .name = name };

	for (unsigned i = 0; i < nr; i++)
		name_suggest_try(&s, names[i]);
	return s.best;
}

const char *name_hint(const char *best)
{
	static char bufs[2][96];
	static unsigned next;
	char *buf = bufs[next++ % 2];

	if (!best)
		return " ";
	snprintf(buf, sizeof(bufs[0]), ": did you mean '%s'? ", best);
	return buf;
}
