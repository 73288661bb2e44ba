/* SPDX-License-Identifier: MIT */
/*
 * Rate limits for the messages a guest can trigger (a refused BAR move, a
 * driver breaking a virtio device, an unmapped access): without them one
 * guest loop writes the host's logs full.
 *
 * Each source of such messages (a device, a class of accesses) has a
 * budget of RATELIMIT_BURST lines per RATELIMIT_WINDOW_S seconds. Beyond
 * it, messages are counted and not printed; the count is reported once,
 * "boardvm: SOURCE: N similar messages suppressed", when the source next
 * prints in a new window and at exit (ratelimit_flush_all()). There are
 * as many sources as the board has devices plus a fixed few, so a guest
 * gets at most sources x (BURST + 1) lines per window, whatever it does.
 * Every event is counted (printed or not): --stats reports them exactly.
 */
#ifndef BOARDVM_RATELIMIT_H
#define BOARDVM_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RATELIMIT_BURST		10
#define RATELIMIT_WINDOW_S	5

struct ratelimit {
	const char *name;		/* the source, as the lines name it */
	pthread_mutex_t lock;
	uint64_t window_start_ns;
	unsigned printed_in_window;
	uint64_t pending;		/* suppressed, not yet reported */
	uint64_t printed, suppressed;	/* totals, for --stats */
	bool listed;			/* on the list ratelimit_flush_all() walks */
	struct ratelimit *next;
};

#define RATELIMIT_INIT(source) \
	{ .name = (source), .lock = PTHREAD_MUTEX_INITIALIZER }

/* For a limiter inside a device's state. */
void ratelimit_init(struct ratelimit *rl, const char *name);

/*
 * One event of this source: true when its message may be printed now.
 * A pending "suppressed" line is printed first (on stderr) when a new
 * window opens. Thread-safe.
 */
bool ratelimit_allow(struct ratelimit *rl);

/* Report what every limiter still holds ("N similar messages suppressed"). */
void ratelimit_flush_all(FILE *out);

/* "stats: messages SOURCE printed=N suppressed=N" for every source used. */
void ratelimit_stats(FILE *out);

/* Take a limiter (a device's, being freed) off the list. */
void ratelimit_forget(struct ratelimit *rl);

#endif
