// SPDX-License-Identifier: MIT
/*
 * The host's end of the vsock tests (tests/linux/vsock.sh), in
 * Firecracker's convention (docs/virtio.md):
 *
 *   vsock-host serve PATH           listen on the Unix socket PATH (the
 *                                   guest's connections to that port),
 *                                   answer one connection with "host:"
 *                                   and what it sent, then exit
 *   vsock-host dial PATH PORT N     N connections one after another:
 *                                   connect to PATH, "CONNECT PORT\n",
 *                                   expect "OK <n>\n", send "ping I",
 *                                   shut down writing, expect "ping I"
 *                                   back, close. Until the first one
 *                                   succeeds (the guest may not listen
 *                                   yet), a refusal is retried each
 *                                   second for up to 600 s; a reply
 *                                   that takes over 60 s fails it.
 *                                   Prints "dial I" every 100, then
 *                                   "dial ok N first-port P" or
 *                                   "dial bad I: WHY"
 *   vsock-host fds PID              the number of open fds of PID
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static int unix_socket(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	return len;
}

static int serve(const char *path)
{
	struct sockaddr_un sa;
	char buf[4096], reply[4200];
	int lfd = unix_socket(path, &sa), fd;

	unlink(path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4) < 0 || (fd = accept(lfd, NULL, NULL)) < 0) {
		perror("vsock-host serve");
		return 1;
	}
	read_all(fd, buf, sizeof(buf));
	snprintf(reply, sizeof(reply), "host:%s", buf);
	if (write(fd, reply, strlen(reply)) < 0)
		perror("vsock-host serve: write");
	close(fd);
	close(lfd);
	return 0;
}

/* One connection; 0, or -1 with *why set. */
static int dial_one(const char *path, unsigned port, unsigned i,
		    unsigned *local, const char **why)
{
	struct sockaddr_un sa;
	char line[64], want[32], buf[64];
	unsigned n = 0;
	int fd = unix_socket(path, &sa), ret = -1;

	struct timeval tv = { .tv_sec = 60 };

	*why = "connect to PATH failed";
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	/* A stalled connection fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(line, sizeof(line), "CONNECT %u\n", port);
	*why = "writing CONNECT failed";
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		goto out;
	*why = "no OK line (refused)";
	while (n < sizeof(line) - 1 && read(fd, line + n, 1) == 1 &&
	       line[n] != '\n')
		n++;
	line[n] = 0;
	if (sscanf(line, "OK %u", local) != 1)
		goto out;
	snprintf(want, sizeof(want), "ping %u", i);
	*why = "sending failed";
	if (write(fd, want, strlen(want)) != (ssize_t)strlen(want) ||
	    shutdown(fd, SHUT_WR) < 0)
		goto out;
	*why = "the echo differs";
	read_all(fd, buf, sizeof(buf));
	if (strcmp(buf, want))
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int dial(const char *path, unsigned port, unsigned count)
{
	unsigned local, first = 0;
	const char *why;

	for (unsigned tries = 0; dial_one(path, port, 0, &first, &why); tries++) {
		if (tries == 600) {
			printf("dial bad 0: %s\n", why);
			return 1;
		}
		sleep(1);
	}
	for (unsigned i = 1; i < count; i++) {
		if (dial_one(path, port, i, &local, &why)) {
			printf("dial bad %u: %s\n", i, why);
			return 1;
		}
		if (i % 100 == 0)
			printf("dial %u\n", i);	/* the harness sees progress */
	}
	printf("dial ok %u first-port %u\n", count, first);
	return 0;
}

static int fds(const char *pid)
{
	char dir[64];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	printf("%u\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "dial"))
		return dial(argv[2], strtoul(argv[3], NULL, 0),
			    strtoul(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "fds"))
		return fds(argv[2]);
	fprintf(stderr, "usage: vsock-host serve PATH | dial PATH PORT N | fds PID\n");
	return 2;
}
