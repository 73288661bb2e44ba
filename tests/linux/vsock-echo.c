// SPDX-License-Identifier: MIT
/*
 * The guest's end of the vsock tests (tests/linux/vsock.sh): a static
 * program in the L2 initramfs (scripts/guest-image.sh), run by /init with
 * boardvm.vsocktest=1.
 *
 *   vsock-echo serve PORT          listen on AF_VSOCK port PORT; echo
 *                                  every connection back (read to EOF,
 *                                  write it all, close), one at a time,
 *                                  forever; "vsock serving PORT" once up
 *   vsock-echo call CID PORT TEXT  connect to CID:PORT, send TEXT, shut
 *                                  down writing, print what comes back
 *                                  as "vsock call REPLY" (or "vsock call
 *                                  bad ERRNO-TEXT")
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static int echo_one(int fd)
{
	static char buf[65536];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	for (size_t done = 0; done < len; done += n) {
		n = write(fd, buf + done, len - done);
		if (n <= 0)
			return -1;
	}
	return 0;
}

static int serve(unsigned port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY,
				  .svm_port = port };
	int lfd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 16) < 0) {
		printf("vsock serve bad %s\n", strerror(errno));
		return 1;
	}
	printf("vsock serving %u\n", port);
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			printf("vsock accept bad %s\n", strerror(errno));
			return 1;
		}
		echo_one(fd);
		close(fd);
	}
}

static int call(unsigned cid, unsigned port, const char *text)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = cid,
				  .svm_port = port };
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    shutdown(fd, SHUT_WR) < 0) {
		printf("vsock call bad %s\n", strerror(errno));
		return 1;
	}
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	close(fd);
	printf("vsock call %s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(strtoul(argv[2], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "call"))
		return call(strtoul(argv[2], NULL, 0),
			    strtoul(argv[3], NULL, 0), argv[4]);
	fprintf(stderr, "usage: vsock-echo serve PORT | call CID PORT TEXT\n");
	return 2;
}
