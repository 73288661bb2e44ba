// SPDX-License-Identifier: MIT
/*
 * The API socket: HTTP/1.1 on a Unix stream socket (--api-sock PATH),
 * served by libmicrohttpd, the way Firecracker's clients (curl
 * --unix-socket, the Go and Python SDKs) talk to it.
 *
 * Why a library: an HTTP/1.1 server that survives hostile clients
 * (pipelining, chunked bodies, header floods, slow readers and writers,
 * half-closed connections) is the kind of code a VMM should not write
 * again; libmicrohttpd is Debian-packaged, small, C, and takes a listening
 * socket made by its caller (MHD_OPTION_LISTEN_SOCKET), so it serves a
 * Unix socket although it is made for TCP. One internal thread with epoll
 * serves every connection; requests are handled in that thread, one at a
 * time (vmm/api.c), which is what Firecracker's API thread does too.
 *
 * Limits: a body of more than API_MAX_BODY (51200) bytes is refused with
 * 400 (Content-Length checked before any of it is read, a chunked one
 * counted and dropped as it comes); headers get 32 KiB per connection; a
 * client idle for API_IDLE_S seconds is disconnected; API_MAX_CONNS
 * connections at once, the next ones wait in the listen backlog.
 *
 * The library is loaded (dlopen) when --api-sock asks for it, not linked:
 * it brings GnuTLS and eight more libraries with it, which a VM without an
 * API socket would map, relocate and initialize at every start (2.8 MiB
 * of its peak RSS, docs/performance.md). MHD_SONAME is the soname of the
 * libmicrohttpd the build compiled against (vmm/vmm.mk); a VMM that
 * cannot load it says so and does not start.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "common.h"
#include "seccomp.h"

#define API_IDLE_S		10
#define API_MAX_CONNS		256
#define API_CONN_MEMORY		(32 * 1024)
#define API_BACKLOG		128

struct api_request {
	char *body;
	size_t len;
	size_t seen;			/* bytes received, kept or not */
	bool too_big;
};

#ifndef MHD_SONAME
#error "MHD_SONAME (libmicrohttpd's soname) comes from vmm/vmm.mk"
#endif

/* The functions of libmicrohttpd this file calls, from mhd_load(). */
static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
} mhd;

static struct MHD_Daemon *api_daemon;
static char api_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static enum MHD_Result send_reply(struct MHD_Connection *conn,
				  struct api_response *res)
{
	size_t len = res->body ? strlen(res->body) : 0;
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = mhd.create_response_from_buffer(len, res->body,
					    MHD_RESPMEM_MUST_FREE);
	if (!r) {
		api_response_free(res);
		return MHD_NO;
	}
	res->body = NULL;		/* MHD frees it */
	if (len)
		mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"application/json");
	ret = mhd.queue_response(conn, res->status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result send_too_big(struct MHD_Connection *conn, size_t size)
{
	struct api_response res = { .status = 400 };
	char msg[160];

	snprintf(msg, sizeof(msg), "{\"fault_message\":\"Request payload with "
		 "size %zu is larger than the limit of %u allowed by "
		 "server.\"}", size, API_MAX_BODY);
	res.body = strdup(msg);
	return send_reply(conn, &res);
}

static bool content_length_over(struct MHD_Connection *conn, size_t *size)
{
	const char *cl = mhd.lookup_connection_value(conn, MHD_HEADER_KIND,
				MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	*size = n;
	return (errno || n > API_MAX_BODY) && end != cl;
}

static void body_take(struct api_request *rq, const char *data, size_t n)
{
	char *p;

	rq->seen += n;
	if (rq->too_big || rq->len + n > API_MAX_BODY) {
		rq->too_big = true;
		return;
	}
	p = realloc(rq->body, rq->len + n + 1);
	if (!p) {
		rq->too_big = true;
		return;
	}
	memcpy(p + rq->len, data, n);
	rq->body = p;
	rq->len += n;
	rq->body[rq->len] = 0;
}

static enum MHD_Result api_answer(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct api_request *rq = *con_cls;
	struct api_response res;
	size_t size;

	if (!rq) {
		if (content_length_over(conn, &size))
			return send_too_big(conn, size);
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		body_take(rq, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_big)
		return send_too_big(conn, rq->seen);
	api_handle(method, url, rq->body, rq->len, &res);
	return send_reply(conn, &res);
}

static void api_completed(void *cls, struct MHD_Connection *conn,
			  void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct api_request *rq = *con_cls;

	if (rq)
		free(rq->body);
	free(rq);
	*con_cls = NULL;
}

/*
 * A socket file left by a boardvm that ended under its sandbox (which
 * may not unlink) is stale when nobody accepts on it: remove it. One that
 * answers belongs to a running VMM and is left alone.
 */
static void remove_stale(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 &&
	    errno == ECONNREFUSED)
		unlink(addr->sun_path);
	close(fd);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "boardvm: --api-sock %s: path longer than %zu "
			"bytes\n", path, sizeof(addr.sun_path) - 1);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path));
	remove_stale(&addr);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, API_BACKLOG) < 0) {
		fprintf(stderr, "boardvm: --api-sock %s: %s%s\n", path,
			strerror(errno), errno == EADDRINUSE ? " (another "
			"boardvm, or a stale socket: remove it)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * One request to ourselves: when it is answered, libmicrohttpd's thread
 * has done its start-up (it names itself with prctl, which the sandbox
 * that follows forbids) and the socket serves.
 */
static int api_self_check(const struct sockaddr_un *addr)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char buf[64];
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1)
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
	close(fd);
	return n == 0 ? 0 : -1;
}

/* libmicrohttpd's functions into mhd, once; -1 with the reason said. */
static int mhd_load(void)
{
	static const struct {
		const char *name;
		void **fn;
	} syms[] = {
		{ "MHD_start_daemon", (void **)&mhd.start_daemon },
		{ "MHD_stop_daemon", (void **)&mhd.stop_daemon },
		{ "MHD_create_response_from_buffer",
		  (void **)&mhd.create_response_from_buffer },
		{ "MHD_add_response_header",
		  (void **)&mhd.add_response_header },
		{ "MHD_queue_response", (void **)&mhd.queue_response },
		{ "MHD_destroy_response", (void **)&mhd.destroy_response },
		{ "MHD_lookup_connection_value",
		  (void **)&mhd.lookup_connection_value },
	};
	void *lib;

	if (mhd.start_daemon)
		return 0;
	lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "boardvm: --api-sock needs libmicrohttpd (%s): "
			"%s\n", MHD_SONAME, dlerror());
		return -1;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(syms); i++) {
		*syms[i].fn = dlsym(lib, syms[i].name);
		if (!*syms[i].fn) {
			fprintf(stderr, "boardvm: --api-sock: %s has no %s\n",
				MHD_SONAME, syms[i].name);
			memset(&mhd, 0, sizeof(mhd));
			dlclose(lib);
			return -1;
		}
	}
	return 0;
}

int api_http_start(const char *sock_path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (mhd_load() < 0)
		return -1;
	fd = listen_unix(sock_path);
	if (fd < 0)
		return -1;
	snprintf(api_path, sizeof(api_path), "%s", sock_path);
	api_daemon = mhd.start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
		0, NULL, NULL, api_answer, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_IDLE_S,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)API_MAX_CONNS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)API_CONN_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
		MHD_OPTION_END);
	if (!api_daemon) {
		fprintf(stderr, "boardvm: --api-sock %s: libmicrohttpd could "
			"not start\n", sock_path);
		close(fd);
		unlink(sock_path);
		return -1;
	}
	memcpy(addr.sun_path, sock_path, strlen(sock_path));
	if (api_self_check(&addr) < 0) {
		fprintf(stderr, "boardvm: --api-sock %s: the server does not "
			"answer: %s\n", sock_path, strerror(errno));
		api_http_stop();
		return -1;
	}
	return 0;
}

void api_http_stop(void)
{
	if (!api_daemon)
		return;
	mhd.stop_daemon(api_daemon);	/* closes the listening socket */
	api_daemon = NULL;
	if (!seccomp_active())		/* else the next start removes it */
		unlink(api_path);
}
