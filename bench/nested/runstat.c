// SPDX-License-Identifier: MIT
/*
 * runstat: runs a command with its stdout on a pipe and reports, in ms
 * since the launch, when its first output byte came, when each pattern
 * first appeared in its output, when it exited, and its peak RSS
 * (wait4's ru_maxrss) and CPU time. For bench/nested, where boardvm and
 * QEMU boot the same guest side by side.
 *
 *   runstat [-o LOG] [-t SECONDS] LABEL=TEXT... -- COMMAND [ARG...]
 *
 * -t: SIGKILL the command after SECONDS (its status then says 137).
 *
 * Prints one line: first=MS LABEL=MS ... exit=MS status=N maxrss_kib=N
 * user_ms=N sys_ms=N LABEL_cpu_ms=N ..., where LABEL is when a line
 * holding TEXT first came (-1: never) and LABEL_cpu_ms the command's CPU
 * time (user + sys of all its threads, /proc/PID/stat, 10 ms ticks) at
 * that moment (-1: never): the CPU between two lines is the work done
 * between them, without the boot before or the shutdown after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATTERNS 16

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

static double now_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static double tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

/* The CPU time of process `pid` so far in ms (user + sys), -1 if unknown. */
static double proc_cpu_ms(pid_t pid)
{
	unsigned long utime, stime;
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &utime, &stime) != 2)
		return -1;
	return (utime + stime) * 1e3 / sysconf(_SC_CLK_TCK);
}

/* A sliding window over the output, long enough for every pattern. */
struct matcher {
	const char *pattern[MAX_PATTERNS];
	const char *label[MAX_PATTERNS];
	double seen[MAX_PATTERNS];
	double cpu[MAX_PATTERNS];
	unsigned nr;
	pid_t pid;
	char tail[4096];
	size_t len;
};

static void match_chunk(struct matcher *m, const char *buf, size_t n, double t)
{
	for (size_t i = 0; i < n; i++) {
		if (m->len == sizeof(m->tail) - 1) {
			memmove(m->tail, m->tail + 2048, m->len - 2048);
			m->len -= 2048;
		}
		m->tail[m->len++] = buf[i];
		m->tail[m->len] = 0;
		if (buf[i] != '\n')
			continue;
		for (unsigned p = 0; p < m->nr; p++)
			if (m->seen[p] < 0 && strstr(m->tail, m->pattern[p])) {
				m->seen[p] = t;
				m->cpu[p] = proc_cpu_ms(m->pid);
			}
		m->len = 0;
	}
}

int main(int argc, char **argv)
{
	struct matcher m = { .nr = 0 };
	struct timespec t0;
	struct rusage ru;
	double first = -1, exited;
	FILE *log = NULL;
	int fds[2], status, i = 1, limit = 0;
	char buf[65536];
	pid_t pid;

	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		log = fopen(argv[i + 1], "w");
		if (!log) {
			perror(argv[i + 1]);
			return 2;
		}
		i += 2;
	}
	if (i + 1 < argc && !strcmp(argv[i], "-t")) {
		limit = atoi(argv[i + 1]);
		i += 2;
	}
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (m.nr == MAX_PATTERNS) {
			fprintf(stderr, "runstat: at most %d patterns\n", MAX_PATTERNS);
			return 2;
		}
		char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i] || !eq[1]) {
			fprintf(stderr, "runstat: '%s' is not LABEL=TEXT\n", argv[i]);
			return 2;
		}
		*eq = 0;
		m.seen[m.nr] = -1;
		m.cpu[m.nr] = -1;
		m.label[m.nr] = argv[i];
		m.pattern[m.nr++] = eq + 1;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: runstat [-o LOG] [-t SECONDS] LABEL=TEXT... -- COMMAND [ARG...]\n");
		return 2;
	}
	if (pipe(fds) < 0) {
		perror("pipe");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[i + 1], argv + i + 1);
		perror(argv[i + 1]);
		_exit(127);
	}
	close(fds[1]);
	m.pid = child = pid;
	if (limit > 0) {
		signal(SIGALRM, on_alarm);
		alarm(limit);
	}
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));
		double t = now_ms(&t0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (first < 0)
			first = t;
		if (log)
			fwrite(buf, 1, n, log);
		match_chunk(&m, buf, n, t);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 2;
	}
	exited = now_ms(&t0);
	printf("first=%.0f", first);
	for (unsigned p = 0; p < m.nr; p++)
		printf(" %s=%.0f", m.label[p], m.seen[p]);
	printf(" exit=%.0f status=%d maxrss_kib=%ld user_ms=%.0f sys_ms=%.0f",
	       exited, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_maxrss, tv_ms(&ru.ru_utime), tv_ms(&ru.ru_stime));
	for (unsigned p = 0; p < m.nr; p++)
		printf(" %s_cpu_ms=%.0f", m.label[p], m.cpu[p]);
	printf("\n");
	if (log)
		fclose(log);
	return 0;
}
