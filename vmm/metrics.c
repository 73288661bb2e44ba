// SPDX-License-Identifier: MIT
/*
 * Metrics: every interval (60 s, --metrics-interval MS), at FlushMetrics
 * and when boardvm ends, one line with one JSON object:
 *
 *   {"utc_timestamp_ms": 1764657600123, "state": "Running", "flush": 3,
 *    "vcpus": [...], "regions": [...], "unmapped": {...}}
 *
 * the --stats counters (stats_to_json()) since boardvm started, the way a
 * metrics pipeline that computes rates wants them (Firecracker reports
 * most of its counters as the change since the last flush; these are
 * totals). The thread sleeps with clock_nanosleep and writes with one
 * write(2) per line, which the seccomp policy allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "host-file.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t metrics_cond = PTHREAD_COND_INITIALIZER;
static int metrics_fd = -1;
static unsigned metrics_interval_ms = METRICS_INTERVAL_MS;
static struct vm *metrics_vm;
static uint64_t metrics_flushes;
static pthread_t metrics_thread;
static bool metrics_running, metrics_quit;

int metrics_open(const char *path, unsigned interval_ms, char *err,
		 size_t size)
{
	int fd = host_file_open_append(path);	/* a FIFO: never blocks */

	if (fd < 0) {
		snprintf(err, size, "metrics_path '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&metrics_lock);
	if (metrics_fd >= 0)
		close(metrics_fd);
	metrics_fd = fd;
	if (interval_ms)
		metrics_interval_ms = interval_ms;
	pthread_mutex_unlock(&metrics_lock);
	return 0;
}

/* Called with metrics_lock held. */
static void flush_locked(void)
{
	struct json_object *o;
	struct timespec ts;
	const char *text;
	char *line;

	if (metrics_fd < 0)
		return;
	o = metrics_vm ? stats_to_json(metrics_vm, false) :
	    json_object_new_object();
	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_object_add(o, "utc_timestamp_ms", json_object_new_uint64(
		ts.tv_sec * 1000ull + ts.tv_nsec / 1000000));
	json_object_object_add(o, "state", json_object_new_string(
		!metrics_vm ? "Not started" :
		vm_is_paused(metrics_vm) ? "Paused" : "Running"));
	json_object_object_add(o, "flush",
			       json_object_new_uint64(++metrics_flushes));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	line = malloc(strlen(text) + 2);
	if (line) {
		strcpy(line, text);
		strcat(line, "\n");
		log_write_all(metrics_fd, line, strlen(line));
		free(line);
	}
	json_object_put(o);
}

int metrics_flush(char *err, size_t size)
{
	int ret = 0;

	pthread_mutex_lock(&metrics_lock);
	if (metrics_fd < 0) {
		snprintf(err, size, "metrics are not configured: start boardvm "
			 "with --metrics PATH or PUT /metrics first");
		ret = -1;
	} else {
		flush_locked();
	}
	pthread_mutex_unlock(&metrics_lock);
	return ret;
}

static void *metrics_main(void *arg)
{
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&metrics_lock);
	while (!metrics_quit) {
		next.tv_sec += metrics_interval_ms / 1000;
		next.tv_nsec += (metrics_interval_ms % 1000) * 1000000l;
		if (next.tv_nsec >= 1000000000l) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000l;
		}
		while (!metrics_quit &&
		       pthread_cond_timedwait(&metrics_cond, &metrics_lock,
					      &next) != ETIMEDOUT)
			;
		if (!metrics_quit)
			flush_locked();
	}
	pthread_mutex_unlock(&metrics_lock);
	return NULL;
}

int metrics_start(void)
{
	pthread_condattr_t attr;
	int err;

	if (metrics_running)
		return 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&metrics_cond, &attr);
	pthread_condattr_destroy(&attr);
	err = pthread_create(&metrics_thread, NULL, metrics_main, NULL);
	if (err) {
		fprintf(stderr, "boardvm: cannot start the metrics thread: "
			"%s\n", strerror(err));
		return -1;
	}
	metrics_running = true;
	return 0;
}

void metrics_stop(void)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_quit = true;
	pthread_cond_broadcast(&metrics_cond);
	pthread_mutex_unlock(&metrics_lock);
	if (metrics_running)
		pthread_join(metrics_thread, NULL);
	metrics_running = false;
	if (metrics_fd >= 0)
		close(metrics_fd);
	metrics_fd = -1;
}

/* The last flush of a VM's run happens here, before it goes away. */
void metrics_attach_vm(struct vm *vm)
{
	pthread_mutex_lock(&metrics_lock);
	if (!vm && metrics_vm)
		flush_locked();
	metrics_vm = vm;
	pthread_mutex_unlock(&metrics_lock);
}
