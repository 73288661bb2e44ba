// SPDX-License-Identifier: MIT
/*
 * bench/boot/launch: run a VMM once and time it from the outside.
 *
 *   launch [--until TEXT] [--timeout SECONDS] -- COMMAND [ARGS...]
 *
 * Starts COMMAND with stdin from /dev/null and its stdout (the guest's
 * serial console) on a pipe that launch reads, and prints one line:
 *
 *   seen_ms=T|-  exit_ms=T  status=N|signal=N|timeout  maxrss_kb=K
 *
 * seen_ms: when TEXT first appeared on the child's stdout (then launch
 * stops the child with SIGTERM: what follows is not measured); exit_ms:
 * when the child ended; both from just before fork(). maxrss_kb: the
 * child's peak resident set (getrusage RUSAGE_CHILDREN), i.e. the VMM's
 * own memory plus the guest RAM it touched. stderr passes through; the
 * child's stdout is dropped. Exit status 0 unless launch itself failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAUNCH_BUF	4096
#define LAUNCH_KEEP	256	/* kept to match TEXT across reads */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: launch [--until TEXT] [--timeout SECONDS] "
		"-- COMMAND [ARGS...]\n");
	exit(2);
}

static pid_t launch_child(char **argv, int *out_fd)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0) {
		perror("launch: pipe");
		exit(2);
	}
	pid = fork();
	if (pid < 0) {
		perror("launch: fork");
		exit(2);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		close(null);
		execvp(argv[0], argv);
		fprintf(stderr, "launch: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	*out_fd = fds[0];
	return pid;
}

/*
 * Read the child's stdout until EOF, TEXT (when given) or the deadline.
 * Returns the time TEXT was seen, or -1.
 */
static double watch_output(int fd, const char *until, double t0,
			   double deadline)
{
	char buf[LAUNCH_KEEP + LAUNCH_BUF + 1];
	size_t kept = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -1;
		if (poll(&p, 1, left > 1000 ? 1000 : (int)left + 1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!p.revents)
			continue;
		n = read(fd, buf + kept, LAUNCH_BUF);
		if (n <= 0)
			return -1;		/* EOF: the child is done */
		buf[kept + n] = 0;
		/* the child's output may hold NUL bytes: search in pieces */
		if (until) {
			for (size_t at = 0; at < kept + (size_t)n;
			     at += strlen(buf + at) + 1)
				if (strstr(buf + at, until))
					return now_ms() - t0;
		}
		kept += n;
		if (kept > LAUNCH_KEEP) {
			memmove(buf, buf + kept - LAUNCH_KEEP, LAUNCH_KEEP);
			kept = LAUNCH_KEEP;
		}
	}
}

int main(int argc, char **argv)
{
	const char *until = NULL;
	double timeout_s = 600, t0, seen, exit_ms;
	struct rusage ru;
	bool timed_out;
	int i, fd, status;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--until") && i + 1 < argc)
			until = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_s = atof(argv[++i]);
		else
			usage();
	}
	if (i + 1 >= argc || timeout_s <= 0)
		usage();

	t0 = now_ms();
	pid = launch_child(&argv[i + 1], &fd);
	seen = watch_output(fd, until, t0, t0 + timeout_s * 1e3);
	timed_out = seen < 0 && now_ms() >= t0 + timeout_s * 1e3;
	if (seen >= 0 || timed_out)
		kill(pid, SIGTERM);
	close(fd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("launch: waitpid");
			return 2;
		}
	exit_ms = now_ms() - t0;
	getrusage(RUSAGE_CHILDREN, &ru);

	if (seen >= 0)
		printf("seen_ms=%.1f ", seen);
	else
		printf("seen_ms=- ");
	printf("exit_ms=%.1f ", exit_ms);
	if (timed_out)
		printf("timeout ");
	else if (seen >= 0)
		printf("status=stopped ");
	else if (WIFEXITED(status))
		printf("status=%d ", WEXITSTATUS(status));
	else
		printf("signal=%d ", WTERMSIG(status));
	printf("maxrss_kb=%ld\n", ru.ru_maxrss);
	return 0;
}
