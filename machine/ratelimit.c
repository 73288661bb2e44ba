// SPDX-License-Identifier: MIT
/*
 * Message rate limits per source (ratelimit.h). The clock is CLOCK_MONOTONIC
 * through the vDSO; the lock is taken only when a guest triggers a message,
 * never on a normal exit path.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"

#define NS_PER_S		1000000000ull

/* Every limiter that ever saw an event, for the exit report and --stats. */
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ratelimit *list_head;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

void ratelimit_init(struct ratelimit *rl, const char *name)
{
	memset(rl, 0, sizeof(*rl));
	rl->name = name;
	pthread_mutex_init(&rl->lock, NULL);
}

static void list_add(struct ratelimit *rl)
{
	pthread_mutex_lock(&list_lock);
	if (!rl->listed) {
		rl->next = list_head;
		list_head = rl;
		__atomic_store_n(&rl->listed, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&list_lock);
}

void ratelimit_forget(struct ratelimit *rl)
{
	pthread_mutex_lock(&list_lock);
	for (struct ratelimit **p = &list_head; *p; p = &(*p)->next) {
		if (*p == rl) {
			*p = rl->next;
			break;
		}
	}
	rl->listed = false;
	pthread_mutex_unlock(&list_lock);
}

static void report_pending(struct ratelimit *rl, FILE *out)
{
	if (!rl->pending)
		return;
	fprintf(out, "boardvm: %s: %" PRIu64 " similar message%s suppressed\n",
		rl->name, rl->pending, rl->pending == 1 ? "" : "s");
	rl->pending = 0;
}

bool ratelimit_allow(struct ratelimit *rl)
{
	uint64_t now = now_ns();
	bool allow;

	if (!__atomic_load_n(&rl->listed, __ATOMIC_ACQUIRE))
		list_add(rl);
	pthread_mutex_lock(&rl->lock);
	if (!rl->window_start_ns ||
	    now - rl->window_start_ns >= RATELIMIT_WINDOW_S * NS_PER_S) {
		rl->window_start_ns = now;
		rl->printed_in_window = 0;
		report_pending(rl, stderr);
	}
	allow = rl->printed_in_window < RATELIMIT_BURST;
	if (allow) {
		rl->printed_in_window++;
		rl->printed++;
	} else {
		rl->pending++;
		rl->suppressed++;
	}
	pthread_mutex_unlock(&rl->lock);
	return allow;
}

void ratelimit_flush_all(FILE *out)
{
	pthread_mutex_lock(&list_lock);
	for (struct ratelimit *rl = list_head; rl; rl = rl->next) {
		pthread_mutex_lock(&rl->lock);
		report_pending(rl, out);
		pthread_mutex_unlock(&rl->lock);
	}
	pthread_mutex_unlock(&list_lock);
}

void ratelimit_stats(FILE *out)
{
	pthread_mutex_lock(&list_lock);
	for (struct ratelimit *rl = list_head; rl; rl = rl->next) {
		pthread_mutex_lock(&rl->lock);
		fprintf(out, "stats: messages %s printed=%" PRIu64
			" suppressed=%" PRIu64 "\n", rl->name, rl->printed,
			rl->suppressed);
		pthread_mutex_unlock(&rl->lock);
	}
	pthread_mutex_unlock(&list_lock);
}
