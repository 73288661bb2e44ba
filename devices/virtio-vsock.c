// SPDX-License-Identifier: MIT
/*
 * virtio-vsock over PCI ("Socket Device"), stream sockets only, with a
 * userspace backend in Firecracker's convention (--vsock NAME=PATH):
 *
 *   host -> guest  a host program connects to the Unix socket PATH (the
 *                  device listens there) and writes "CONNECT <port>\n";
 *                  the device sends the guest a REQUEST for that port from
 *                  a local port of its own (from 2^30 up) and, once the
 *                  guest answers RESPONSE, writes "OK <local port>\n";
 *                  from then on the socket carries the stream. A guest
 *                  RST (nobody listens) closes the socket without an OK.
 *   guest -> host  a guest connection to CID 2 port P is connected to the
 *                  Unix socket PATH_P; RST when that cannot be done.
 *
 * Queues: 0 rx (device -> guest packets), 1 tx (guest -> device), 2 event
 * (never used: the device sends no TRANSPORT_RESET; the driver's buffers
 * stay there). Config: the guest's CID (u64), from the board's guest-cid
 * or the option's cid=.
 *
 * Flow control is credit-based, both ways. Every packet carries the
 * sender's buf_alloc and fwd_cnt; the device sends the guest no more than
 * peer_buf_alloc - (rx_cnt - peer_fwd_cnt) bytes of a connection, and
 * advertises VSOCK_BUF_ALLOC itself: what the host socket does not take
 * at once is kept (up to that much) until it drains, and a guest sending
 * beyond its credit is reset. A CREDIT_UPDATE goes out on CREDIT_REQUEST
 * and whenever half a buffer was forwarded unadvertised.
 *
 * Teardown: a guest SHUTDOWN(SEND) half-closes the host socket
 * (SHUT_WR) once its buffered data is written; SHUTDOWN of both
 * directions closes it and is answered RST. The host closing its socket
 * sends the guest SHUTDOWN(RCV|SEND) once its data has been delivered;
 * a host SHUT_WR sends SHUTDOWN(SEND). A connection's fd is closed when
 * the close starts; its state goes once the last packet is on the rx
 * ring. A device reset closes everything.
 *
 * Threads: the sockets are in one epoll set of the device's own, which
 * is the device's poll fd: the I/O thread wakes on it and calls
 * poll_ready(); tx and rx notifications come as ioeventfd doorbells on
 * the same thread. Everything runs under the transport's lock, no socket
 * call ever blocks, and a socket is polled for input only while the guest
 * has credit for it and rx buffers posted (no busy loop while it has not).
 *
 * Malformed input: a tx chain shorter than a header, or whose header
 * claims more payload than the chain holds, and an rx buffer with no room
 * for a header break the device (DEVICE_NEEDS_RESET, like any virtio
 * device). A well-formed packet with a bad type, an op that is wrong for
 * the connection's state, or data beyond the credit is answered RST;
 * packets with a wrong source or destination CID are dropped.
 *
 * Every socket syscall of the device after setup is in this file
 * (accept4, socket, connect, readv, recvfrom, sendmsg, shutdown,
 * epoll_ctl, epoll_wait, close) for the seccomp filter.
 */
#define _GNU_SOURCE		/* accept4() */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "board-tables.h"
#include "virtio-pci.h"
#include "virtio-vsock.h"

#define VSOCK_QUEUE_MAX		256
#define VSOCK_CFG_SIZE		8
#define VSOCK_MAX_CONNS		1024
#define VSOCK_MAX_PAYLOAD	(64u * 1024)	/* per rx packet */
#define VSOCK_LINE_MAX		32		/* "CONNECT 4294967295\n" */
#define VSOCK_RST_BACKLOG	64
#define VSOCK_EVENTS		32
#define VSOCK_LISTEN_ID		0		/* epoll tag of the listener */

/* Control packets a connection owes the guest (conn->pending). */
#define PEND_REQUEST		(1u << 0)
#define PEND_RESPONSE		(1u << 1)
#define PEND_CREDIT_UPDATE	(1u << 2)
#define PEND_SHUTDOWN		(1u << 3)
#define PEND_RST		(1u << 4)

enum conn_state {
	CONN_HOST_LINE,		/* accepted: reading "CONNECT <port>\n" */
	CONN_REQUEST_SENT,	/* waiting for the guest's RESPONSE */
	CONN_ESTABLISHED,
	CONN_CLOSING,		/* fd closed: the last packet, then freed */
};

struct vsock_conn {
	uint64_t id;			/* epoll tag; never reused */
	int fd;				/* host Unix socket, -1 once closed */
	enum conn_state state;
	uint32_t local_port;		/* the host side's port */
	uint32_t peer_port;		/* the guest's */
	uint32_t pending;		/* PEND_* */
	uint32_t shutdown_flags;	/* with PEND_SHUTDOWN */
	/* host -> guest */
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	uint32_t rx_cnt;		/* payload bytes sent to the guest */
	bool host_readable;		/* epoll said so; cleared on EAGAIN */
	bool host_eof;			/* read 0: no more from the host */
	bool host_hup;			/* the host closed its end */
	bool guest_no_rcv;		/* guest SHUTDOWN(RCV) */
	/* guest -> host */
	uint32_t fwd_cnt;		/* bytes written to the host socket */
	uint32_t fwd_cnt_sent;		/* the fwd_cnt last advertised */
	uint8_t *buf;			/* VSOCK_BUF_ALLOC bytes, on demand */
	uint32_t buf_head, buf_len;	/* what the host has not taken yet */
	bool guest_no_send;		/* guest SHUTDOWN(SEND): SHUT_WR */
	bool guest_closed;		/* both: close, answer RST */
	uint32_t events;		/* the epoll interest now set */
	bool in_epoll;			/* the fd is in the device's set */
	char line[VSOCK_LINE_MAX];
	unsigned line_len;
};

/* Counters, for tests and --stats. */
struct vsock_counters {
	uint64_t tx_packets, rx_packets;	/* per queue */
	uint64_t tx_bytes, rx_bytes;		/* payload */
	uint64_t conns_opened, conns_closed;
	uint64_t rsts_sent, dropped;
};

struct virtio_vsock {
	struct virtio_pci vp;			/* first: dev->state */
	uint64_t guest_cid;
	const char *path;			/* NULL: no backend */
	int listen_fd;
	int epoll_fd;
	struct vsock_conn *conns[VSOCK_MAX_CONNS];
	unsigned nr_conns;
	uint64_t next_id;
	uint32_t next_local_port;
	/* RSTs for packets that match no connection. */
	struct vsock_hdr rst[VSOCK_RST_BACKLOG];
	unsigned rst_head, rst_count;
	/* An rx chain taken but not yet filled. */
	struct virtq_req rx_req;
	bool rx_have;
	bool rx_starved;			/* the ring was empty */
	struct virtq_req tx_req;
	struct iovec iov[VIRTQ_MAX_SIZE + 1];
	struct vsock_counters count;
};

static struct virtio_vsock *to_vsock(struct virtio_pci *vp)
{
	return (struct virtio_vsock *)((char *)vp -
				       offsetof(struct virtio_vsock, vp));
}

static const char *vsock_name(const struct virtio_vsock *vs)
{
	return vs->vp.dev->desc ? vs->vp.dev->desc->name : "virtio-vsock";
}

/* Connections */

static struct vsock_conn *conn_find(struct virtio_vsock *vs,
				    uint32_t local_port, uint32_t peer_port)
{
	for (unsigned i = 0; i < vs->nr_conns; i++) {
		struct vsock_conn *c = vs->conns[i];

		if (c->local_port == local_port && c->peer_port == peer_port &&
		    c->state != CONN_HOST_LINE)
			return c;
	}
	return NULL;
}

static struct vsock_conn *conn_by_id(struct virtio_vsock *vs, uint64_t id)
{
	for (unsigned i = 0; i < vs->nr_conns; i++)
		if (vs->conns[i]->id == id)
			return vs->conns[i];
	return NULL;
}

static bool local_port_used(struct virtio_vsock *vs, uint32_t port)
{
	for (unsigned i = 0; i < vs->nr_conns; i++)
		if (vs->conns[i]->local_port == port &&
		    vs->conns[i]->state != CONN_HOST_LINE)
			return true;
	return false;
}

/* A port for a host-initiated connection: 2^30 up, wrapping, unused. */
static uint32_t local_port_alloc(struct virtio_vsock *vs)
{
	uint32_t port;

	do {
		port = vs->next_local_port++;
		if (vs->next_local_port < VSOCK_LOCAL_PORT_BASE)
			vs->next_local_port = VSOCK_LOCAL_PORT_BASE;
	} while (local_port_used(vs, port));
	return port;
}

static struct vsock_conn *conn_new(struct virtio_vsock *vs, int fd,
				   enum conn_state state)
{
	struct vsock_conn *c;

	if (vs->nr_conns == VSOCK_MAX_CONNS)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = ++vs->next_id;
	c->fd = fd;
	c->state = state;
	vs->conns[vs->nr_conns++] = c;
	vs->count.conns_opened++;
	return c;
}

/* Set the connection's epoll interest to `events` (0: none). */
static void conn_set_events(struct virtio_vsock *vs, struct vsock_conn *c,
			    uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = c->id };

	if (c->fd < 0 || !c->in_epoll || events == c->events)
		return;
	epoll_ctl(vs->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = events;
}

/* Close the host socket (leaves epoll with it). */
static void conn_close_fd(struct vsock_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	c->in_epoll = false;
}

static void conn_free(struct virtio_vsock *vs, struct vsock_conn *c)
{
	for (unsigned i = 0; i < vs->nr_conns; i++) {
		if (vs->conns[i] != c)
			continue;
		vs->conns[i] = vs->conns[--vs->nr_conns];
		break;
	}
	conn_close_fd(c);
	free(c->buf);
	free(c);
	vs->count.conns_closed++;
}

/*
 * End the connection with one last packet to the guest (PEND_RST or
 * PEND_SHUTDOWN with both flags): the fd goes now, the state once the
 * packet is on the ring.
 */
static void conn_finish(struct vsock_conn *c, uint32_t last)
{
	conn_close_fd(c);
	c->state = CONN_CLOSING;
	c->pending = last;
	c->shutdown_flags = VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND;
}

static void conns_free_all(struct virtio_vsock *vs)
{
	while (vs->nr_conns)
		conn_free(vs, vs->conns[vs->nr_conns - 1]);
}

/* Bytes the guest can take from this connection now. */
static uint32_t conn_peer_credit(const struct vsock_conn *c)
{
	uint32_t used = c->rx_cnt - c->peer_fwd_cnt;

	return used < c->peer_buf_alloc ? c->peer_buf_alloc - used : 0;
}

/* RSTs for strays */

static void rst_queue(struct virtio_vsock *vs, const struct vsock_hdr *in)
{
	struct vsock_hdr *h;

	if (in->op == VSOCK_OP_RST)
		return;			/* never answer a reset */
	if (vs->rst_count == VSOCK_RST_BACKLOG) {
		vs->count.dropped++;
		return;
	}
	h = &vs->rst[(vs->rst_head + vs->rst_count++) % VSOCK_RST_BACKLOG];
	*h = (struct vsock_hdr) {
		.src_cid = VSOCK_HOST_CID,
		.dst_cid = vs->guest_cid,
		.src_port = in->dst_port,
		.dst_port = in->src_port,
		.type = VSOCK_TYPE_STREAM,
		.op = VSOCK_OP_RST,
	};
}

/* The rx side: packets to the guest */

/* An rx chain to fill, or NULL (none posted, or the queue broke). */
static struct virtq_req *rx_buffer(struct virtio_vsock *vs)
{
	struct virtq *vq = &vs->vp.vq[VSOCK_QUEUE_RX];
	int r;

	if (vs->rx_have)
		return &vs->rx_req;
	if (!virtio_pci_driver_ok(&vs->vp) || !vq->enabled) {
		vs->rx_starved = true;
		return NULL;
	}
	r = virtq_pop(vq, &vs->rx_req);
	if (r > 0 && vs->rx_req.in_len < VSOCK_HDR_BYTES)
		r = virtq_fail(vq, "virtio-vsock rx buffer without room for "
			       "a 44-byte header");
	if (r < 0)
		virtio_pci_set_broken(&vs->vp, vq->error);
	if (r <= 0) {
		vs->rx_starved = true;	/* until the driver kicks rx */
		return NULL;
	}
	vs->rx_have = true;
	return &vs->rx_req;
}

/* Put the header in the taken chain and hand it to the guest. */
static void rx_send(struct virtio_vsock *vs, struct vsock_hdr *h)
{
	struct virtq *vq = &vs->vp.vq[VSOCK_QUEUE_RX];

	virtq_copy_to(&vs->rx_req, 0, h, VSOCK_HDR_BYTES);
	virtq_push(vq, &vs->rx_req, VSOCK_HDR_BYTES + h->len);
	vs->rx_have = false;
	vs->count.rx_packets++;
	vs->count.rx_bytes += h->len;
	if (h->op == VSOCK_OP_RST)
		vs->count.rsts_sent++;
}

static void conn_hdr(const struct virtio_vsock *vs,
		     const struct vsock_conn *c, struct vsock_hdr *h,
		     uint16_t op)
{
	*h = (struct vsock_hdr) {
		.src_cid = VSOCK_HOST_CID,
		.dst_cid = vs->guest_cid,
		.src_port = c->local_port,
		.dst_port = c->peer_port,
		.type = VSOCK_TYPE_STREAM,
		.op = op,
		.buf_alloc = VSOCK_BUF_ALLOC,
		.fwd_cnt = c->fwd_cnt,
	};
}

/* The next control packet a connection owes, lowest bit first. */
static uint16_t pending_op(uint32_t pending, uint32_t *bit)
{
	static const struct { uint32_t bit; uint16_t op; } order[] = {
		{ PEND_REQUEST, VSOCK_OP_REQUEST },
		{ PEND_RESPONSE, VSOCK_OP_RESPONSE },
		{ PEND_CREDIT_UPDATE, VSOCK_OP_CREDIT_UPDATE },
		{ PEND_SHUTDOWN, VSOCK_OP_SHUTDOWN },
		{ PEND_RST, VSOCK_OP_RST },
	};

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (pending & order[i].bit) {
			*bit = order[i].bit;
			return order[i].op;
		}
	return 0;
}

/*
 * Send one control packet of `c`. Returns false when there was no rx
 * buffer; frees a closing connection after its last packet.
 */
static bool conn_send_control(struct virtio_vsock *vs, struct vsock_conn *c)
{
	struct vsock_hdr h;
	uint32_t bit = 0;
	uint16_t op = pending_op(c->pending, &bit);

	if (!rx_buffer(vs))
		return false;
	conn_hdr(vs, c, &h, op);
	if (op == VSOCK_OP_SHUTDOWN)
		h.flags = c->shutdown_flags;
	c->pending &= ~bit;
	if (op != VSOCK_OP_REQUEST && op != VSOCK_OP_RST)
		c->fwd_cnt_sent = c->fwd_cnt;
	rx_send(vs, &h);
	if (c->state == CONN_CLOSING && !c->pending)
		conn_free(vs, c);
	return true;
}

/* The host closed or half-closed: tell the guest. */
static void conn_host_eof(struct vsock_conn *c)
{
	c->host_eof = true;
	c->host_readable = false;
	if (c->host_hup || c->guest_no_send) {
		/* Nothing more either way: SHUTDOWN both, then forget it. */
		conn_finish(c, PEND_SHUTDOWN);
		return;
	}
	c->shutdown_flags = VSOCK_SHUTDOWN_SEND;
	c->pending |= PEND_SHUTDOWN;
}

/*
 * Read what the host wrote straight into an rx chain, as much as the
 * guest's credit and the chain allow. Returns false when no rx buffer.
 */
static bool conn_send_data(struct virtio_vsock *vs, struct vsock_conn *c)
{
	struct virtq_req *req = rx_buffer(vs);
	uint32_t room, want, skip = VSOCK_HDR_BYTES;
	struct vsock_hdr h;
	unsigned n = 0;
	ssize_t got;

	if (!req)
		return false;
	room = req->in_len - VSOCK_HDR_BYTES;
	want = conn_peer_credit(c);
	if (want > room)
		want = room;
	if (want > VSOCK_MAX_PAYLOAD)
		want = VSOCK_MAX_PAYLOAD;
	for (unsigned i = req->nr_out; i < req->nr_out + req->nr_in &&
	     want; i++) {
		struct virtq_seg *s = &req->seg[i];
		uint32_t take;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		take = s->len - skip < want ? s->len - skip : want;
		vs->iov[n].iov_base = (uint8_t *)s->host + skip;
		vs->iov[n++].iov_len = take;
		want -= take;
		skip = 0;
	}
	if (!n) {
		c->host_readable = false;	/* no credit after all */
		return true;
	}
	got = readv(c->fd, vs->iov, n);
	if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
		c->host_readable = false;
		return true;
	}
	if (got < 0) {
		c->host_hup = true;
		got = 0;		/* ECONNRESET: as a close */
	}
	if (got == 0) {
		conn_host_eof(c);
		return true;
	}
	conn_hdr(vs, c, &h, VSOCK_OP_RW);
	h.len = got;
	c->rx_cnt += got;
	c->fwd_cnt_sent = c->fwd_cnt;
	c->pending &= ~PEND_CREDIT_UPDATE;	/* this one carries it */
	rx_send(vs, &h);
	return true;
}

static bool conn_wants_read(const struct vsock_conn *c)
{
	return c->state == CONN_ESTABLISHED && !c->host_eof &&
	       !c->guest_no_rcv && conn_peer_credit(c) > 0;
}

/* Poll for input only what can go to the guest now. */
static void conn_update_events(struct virtio_vsock *vs, struct vsock_conn *c)
{
	uint32_t events = 0;

	if (c->state == CONN_HOST_LINE ||
	    (conn_wants_read(c) && !vs->rx_starved))
		events |= EPOLLIN;
	if (c->buf_len)
		events |= EPOLLOUT;
	conn_set_events(vs, c, events);
}

/*
 * Give the guest everything that waits: stray RSTs, control packets,
 * then data, until the rx ring runs out. Interrupts once at the end.
 */
static void rx_pump(struct virtio_vsock *vs)
{
	uint16_t used = vs->vp.vq[VSOCK_QUEUE_RX].used_idx;
	bool progress = true;

	while (vs->rst_count && rx_buffer(vs)) {
		rx_send(vs, &vs->rst[vs->rst_head]);
		vs->rst_head = (vs->rst_head + 1) % VSOCK_RST_BACKLOG;
		vs->rst_count--;
	}
	while (progress && !vs->rst_count) {
		progress = false;
		for (unsigned i = 0; i < vs->nr_conns; i++) {
			struct vsock_conn *c = vs->conns[i];
			bool sent;

			if (c->pending)
				sent = conn_send_control(vs, c);
			else if (c->host_readable && conn_wants_read(c))
				sent = conn_send_data(vs, c);
			else
				continue;
			if (!sent)
				goto out;
			progress = true;
			/* A freed connection moved the last one here. */
			if (i < vs->nr_conns && vs->conns[i] != c)
				i--;
		}
	}
out:
	for (unsigned i = 0; i < vs->nr_conns; i++)
		conn_update_events(vs, vs->conns[i]);
	if (vs->vp.vq[VSOCK_QUEUE_RX].used_idx != used)
		virtio_pci_queue_interrupt(&vs->vp, VSOCK_QUEUE_RX);
}

/* The tx side: guest packets to the host */

/* Write the buffered guest data out; true when all of it went. */
static bool conn_flush(struct virtio_vsock *vs, struct vsock_conn *c)
{
	while (c->buf_len) {
		uint32_t run = VSOCK_BUF_ALLOC - c->buf_head;
		struct iovec iov[2];
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 1 };
		ssize_t n;

		if (run > c->buf_len)
			run = c->buf_len;
		iov[0] = (struct iovec){ c->buf + c->buf_head, run };
		if (run < c->buf_len) {
			iov[1] = (struct iovec){ c->buf, c->buf_len - run };
			msg.msg_iovlen = 2;
		}
		n = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0) {
			/* The host is gone: its data is too. */
			c->buf_len = 0;
			c->host_hup = true;
			if (c->state == CONN_ESTABLISHED && !c->guest_closed)
				conn_host_eof(c);
			return false;
		}
		c->buf_head = (c->buf_head + n) % VSOCK_BUF_ALLOC;
		c->buf_len -= n;
		c->fwd_cnt += n;
	}
	return true;
}

/* After data moved or a shutdown came: SHUT_WR, close, credit. */
static void conn_progress(struct virtio_vsock *vs, struct vsock_conn *c)
{
	if (c->state != CONN_ESTABLISHED)
		return;
	if (c->buf_len && !conn_flush(vs, c))
		goto credit;
	if (c->state != CONN_ESTABLISHED)
		return;
	if (c->guest_closed && !c->buf_len) {
		conn_finish(c, PEND_RST);
		return;
	}
	if (c->guest_no_send && !c->buf_len && c->fd >= 0)
		shutdown(c->fd, SHUT_WR);
credit:
	if (c->state == CONN_ESTABLISHED &&
	    c->fwd_cnt - c->fwd_cnt_sent >= VSOCK_BUF_ALLOC / 2)
		c->pending |= PEND_CREDIT_UPDATE;
}

/* Append `len` bytes of the chain (after the header) to the buffer. */
static void conn_buffer(struct vsock_conn *c, const struct virtq_req *req,
			uint32_t skip, uint32_t len)
{
	while (len) {
		uint32_t tail = (c->buf_head + c->buf_len) % VSOCK_BUF_ALLOC;
		uint32_t run = VSOCK_BUF_ALLOC - tail;

		if (run > len)
			run = len;
		virtq_copy_from(req, skip, c->buf + tail, run);
		c->buf_len += run;
		skip += run;
		len -= run;
	}
}

/* A guest RW: to the host socket now, or buffered. */
static void conn_guest_data(struct virtio_vsock *vs, struct vsock_conn *c,
			    const struct virtq_req *req, uint32_t len)
{
	uint32_t skip = VSOCK_HDR_BYTES, done = 0;
	unsigned n = 0;

	if (c->guest_closed || c->guest_no_send || c->host_hup || !len)
		return;			/* the host reads no more */
	if (c->buf_len + (uint64_t)len > VSOCK_BUF_ALLOC) {
		conn_finish(c, PEND_RST);	/* beyond the credit it had */
		return;
	}
	vs->count.tx_bytes += len;
	if (!c->buf_len) {
		for (unsigned i = 0; i < req->nr_out && done < len; i++) {
			const struct virtq_seg *s = &req->seg[i];
			uint32_t take;

			if (skip >= s->len) {
				skip -= s->len;
				continue;
			}
			take = s->len - skip < len - done ? s->len - skip :
							    len - done;
			vs->iov[n].iov_base = (uint8_t *)s->host + skip;
			vs->iov[n++].iov_len = take;
			done += take;
			skip = 0;
		}
		struct msghdr msg = { .msg_iov = vs->iov, .msg_iovlen = n };
		ssize_t w = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			c->host_hup = true;
			conn_host_eof(c);
			return;
		}
		if (w < 0)
			w = 0;
		c->fwd_cnt += w;
		len -= w;
		skip = VSOCK_HDR_BYTES + w;
	} else {
		skip = VSOCK_HDR_BYTES;
	}
	if (!len)
		return;
	if (!c->buf) {
		c->buf = malloc(VSOCK_BUF_ALLOC);
		if (!c->buf) {
			conn_finish(c, PEND_RST);
			return;
		}
	}
	conn_buffer(c, req, skip, len);
}

/* "OK <port>\n" to the host: its connection is through. */
static void conn_host_ok(struct virtio_vsock *vs, struct vsock_conn *c)
{
	char line[24];
	int n = snprintf(line, sizeof(line), "OK %u\n", c->local_port);

	if (send(c->fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
		c->host_hup = true;
		conn_finish(c, PEND_RST);
		return;
	}
	c->state = CONN_ESTABLISHED;
	c->host_readable = true;	/* it may have written already */
}

/* A guest REQUEST: connect to PATH_<port>, or RST. */
static void guest_connect(struct virtio_vsock *vs, const struct vsock_hdr *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vsock_conn *c;
	int fd, n;

	if (!vs->path)
		goto refuse;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", vs->path,
		     h->dst_port);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		goto refuse;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto refuse;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto refuse_close;
	c = conn_new(vs, fd, CONN_ESTABLISHED);
	if (!c)
		goto refuse_close;
	c->local_port = h->dst_port;
	c->peer_port = h->src_port;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	c->pending = PEND_RESPONSE;
	c->host_readable = true;
	if (epoll_ctl(vs->epoll_fd, EPOLL_CTL_ADD, fd,
		      &(struct epoll_event){ .events = 0,
					     .data.u64 = c->id }) < 0) {
		conn_free(vs, c);
		rst_queue(vs, h);
		return;
	}
	c->in_epoll = true;
	return;

refuse_close:
	close(fd);
refuse:
	rst_queue(vs, h);
}

static void guest_shutdown(struct virtio_vsock *vs, struct vsock_conn *c,
			   uint32_t flags)
{
	if (flags & VSOCK_SHUTDOWN_RCV)
		c->guest_no_rcv = true;
	if (flags & VSOCK_SHUTDOWN_SEND)
		c->guest_no_send = true;
	if (c->guest_no_rcv && c->guest_no_send)
		c->guest_closed = true;
	if (c->guest_closed && c->host_hup)
		c->buf_len = 0;		/* nobody left to read it */
}

/* One packet for an existing connection. */
static void conn_packet(struct virtio_vsock *vs, struct vsock_conn *c,
			const struct vsock_hdr *h,
			const struct virtq_req *req)
{
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	if (c->state == CONN_CLOSING) {
		if (h->op == VSOCK_OP_RST)
			conn_free(vs, c);
		return;			/* our last packet is on its way */
	}
	if (h->op == VSOCK_OP_RST) {
		conn_free(vs, c);	/* refused (REQUEST_SENT) or reset */
		return;
	}
	if (c->state == CONN_REQUEST_SENT) {
		if (h->op == VSOCK_OP_RESPONSE)
			conn_host_ok(vs, c);
		else
			conn_finish(c, PEND_RST);
		return;
	}
	switch (h->op) {
	case VSOCK_OP_RW:
		conn_guest_data(vs, c, req, h->len);
		break;
	case VSOCK_OP_CREDIT_UPDATE:
		break;
	case VSOCK_OP_CREDIT_REQUEST:
		c->pending |= PEND_CREDIT_UPDATE;
		break;
	case VSOCK_OP_SHUTDOWN:
		guest_shutdown(vs, c, h->flags);
		break;
	default:		/* REQUEST or RESPONSE on a live one */
		conn_finish(c, PEND_RST);
		return;
	}
	conn_progress(vs, c);
}

/* Serve one tx chain; -1 when its layout breaks the protocol. */
static int tx_packet(struct virtio_vsock *vs, struct virtq *vq,
		     const struct virtq_req *req)
{
	struct vsock_conn *c;
	struct vsock_hdr h;

	if (req->out_len < VSOCK_HDR_BYTES)
		return virtq_fail(vq, "virtio-vsock tx packet without a "
				  "44-byte header");
	virtq_copy_from(req, 0, &h, VSOCK_HDR_BYTES);
	if (h.len > req->out_len - VSOCK_HDR_BYTES)
		return virtq_fail(vq, "virtio-vsock header length past the "
				  "end of its chain");
	vs->count.tx_packets++;
	if (h.src_cid != vs->guest_cid || h.dst_cid != VSOCK_HOST_CID) {
		vs->count.dropped++;
		return 0;
	}
	if (h.type != VSOCK_TYPE_STREAM) {
		rst_queue(vs, &h);
		return 0;
	}
	c = conn_find(vs, h.dst_port, h.src_port);
	if (c)
		conn_packet(vs, c, &h, req);
	else if (h.op == VSOCK_OP_REQUEST)
		guest_connect(vs, &h);
	else
		rst_queue(vs, &h);
	return 0;
}

static void tx_drain(struct virtio_vsock *vs)
{
	struct virtq *vq = &vs->vp.vq[VSOCK_QUEUE_TX];
	bool pushed = false;
	int r;

	while ((r = virtq_pop(vq, &vs->tx_req)) > 0) {
		if (tx_packet(vs, vq, &vs->tx_req) < 0) {
			r = -1;
			break;
		}
		virtq_push(vq, &vs->tx_req, 0);
		pushed = true;
	}
	if (pushed)
		virtio_pci_queue_interrupt(&vs->vp, VSOCK_QUEUE_TX);
	if (r < 0)
		virtio_pci_set_broken(&vs->vp, vq->error);
}

static void vsock_queue_notify(struct virtio_pci *vp, unsigned q)
{
	struct virtio_vsock *vs = to_vsock(vp);

	if (q == VSOCK_QUEUE_TX)
		tx_drain(vs);
	else if (q == VSOCK_QUEUE_RX)
		vs->rx_starved = false;
	else
		return;		/* event queue: buffers kept, never used */
	rx_pump(vs);
}

/* The host side: the listener and the sockets */

/* Read "CONNECT <port>\n" a byte at a time: what follows is the stream. */
static void conn_host_line(struct virtio_vsock *vs, struct vsock_conn *c)
{
	unsigned long port;
	char ch, *end;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, &ch, 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0 || c->line_len == VSOCK_LINE_MAX - 1)
			goto bad;
		if (ch == '\n')
			break;
		c->line[c->line_len++] = ch;
	}
	c->line[c->line_len] = 0;
	if (strncmp(c->line, "CONNECT ", 8) || c->line[8] < '0' ||
	    c->line[8] > '9')
		goto bad;
	errno = 0;
	port = strtoul(c->line + 8, &end, 10);
	if (errno || *end || port > UINT32_MAX)
		goto bad;
	c->peer_port = port;
	c->local_port = local_port_alloc(vs);
	c->state = CONN_REQUEST_SENT;
	c->pending = PEND_REQUEST;
	return;
bad:
	conn_free(vs, c);	/* the host sees its socket closed */
}

static void host_accept(struct virtio_vsock *vs)
{
	for (;;) {
		int fd = accept4(vs->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct vsock_conn *c;

		if (fd < 0)
			return;
		c = conn_new(vs, fd, CONN_HOST_LINE);
		if (!c) {
			close(fd);
			continue;
		}
		c->events = EPOLLIN;
		c->in_epoll = true;
		if (epoll_ctl(vs->epoll_fd, EPOLL_CTL_ADD, fd,
			      &(struct epoll_event){ .events = EPOLLIN,
						     .data.u64 = c->id }) < 0)
			conn_free(vs, c);
	}
}

/*
 * The host closed its end. Hang-ups are reported whatever the interest,
 * so the fd leaves the epoll set: what the host wrote before is read
 * without it (reads no longer block), as the guest's credit allows.
 */
static void conn_host_hup(struct virtio_vsock *vs, struct vsock_conn *c)
{
	c->host_hup = true;
	c->buf_len = 0;			/* nobody will read it */
	if (c->in_epoll)
		epoll_ctl(vs->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	c->in_epoll = false;
	c->events = 0;
	if (c->state == CONN_REQUEST_SENT)
		conn_finish(c, PEND_RST);	/* the host gave up */
	else if (c->host_eof || c->guest_no_rcv)
		conn_host_eof(c);		/* nothing more to read */
	else
		c->host_readable = true;
}

static void conn_host_event(struct virtio_vsock *vs, struct vsock_conn *c,
			    uint32_t events)
{
	if (c->state == CONN_HOST_LINE) {
		conn_host_line(vs, c);
		return;
	}
	if (c->state != CONN_ESTABLISHED && c->state != CONN_REQUEST_SENT)
		return;
	if (events & (EPOLLHUP | EPOLLERR)) {
		conn_host_hup(vs, c);
		return;
	}
	if (c->state != CONN_ESTABLISHED)
		return;
	if (events & EPOLLOUT)
		conn_progress(vs, c);
	if (c->state == CONN_ESTABLISHED && (events & EPOLLIN))
		c->host_readable = true;
}

static void vsock_poll_ready(struct device *dev)
{
	struct virtio_vsock *vs = to_vsock(dev->state);
	struct epoll_event ev[VSOCK_EVENTS];
	int n;

	n = epoll_wait(vs->epoll_fd, ev, VSOCK_EVENTS, 0);
	virtio_pci_lock(&vs->vp);
	for (int i = 0; i < n; i++) {
		struct vsock_conn *c;

		if (ev[i].data.u64 == VSOCK_LISTEN_ID) {
			host_accept(vs);
			continue;
		}
		c = conn_by_id(vs, ev[i].data.u64);
		if (c)
			conn_host_event(vs, c, ev[i].events);
	}
	rx_pump(vs);
	virtio_pci_unlock(&vs->vp);
}

/* --stats: per queue packets and bytes, connections, resets. */
static unsigned vsock_counters(struct device *dev, struct device_counter *out,
			       unsigned max)
{
	struct virtio_vsock *vs = to_vsock(dev->state);
	const struct vsock_counters *k = &vs->count;
	unsigned n;

	virtio_pci_lock(&vs->vp);
	const struct device_counter c[] = {
		{ "rx-packets", k->rx_packets }, { "rx-bytes", k->rx_bytes },
		{ "tx-packets", k->tx_packets }, { "tx-bytes", k->tx_bytes },
		{ "conns-opened", k->conns_opened },
		{ "conns-closed", k->conns_closed },
		{ "conns-open", vs->nr_conns },
		{ "rsts-sent", k->rsts_sent }, { "dropped", k->dropped },
	};
	for (n = 0; n < max && n < sizeof(c) / sizeof(c[0]); n++)
		out[n] = c[n];
	virtio_pci_unlock(&vs->vp);
	return n;
}

static int vsock_poll_fd(struct device *dev)
{
	struct virtio_vsock *vs = to_vsock(dev->state);

	return vs->epoll_fd;
}

/* Config and reset */

static void vsock_config_read(struct virtio_pci *vp, uint32_t offset,
			      void *data, unsigned len)
{
	uint8_t img[VSOCK_CFG_SIZE];

	device_data_put(img, 8, to_vsock(vp)->guest_cid);
	memcpy(data, img + offset, len);
}

/* The driver reset the device: every connection goes (locked). */
static void vsock_reset(struct virtio_pci *vp)
{
	struct virtio_vsock *vs = to_vsock(vp);

	conns_free_all(vs);
	vs->rst_head = vs->rst_count = 0;
	vs->rx_have = false;
	vs->rx_starved = false;
}

static const struct virtio_model vsock_model = {
	.device_id = VIRTIO_ID_VSOCK,
	.class_code = 0x078000,		/* communication, other */
	.nr_queues = 3,
	.queue_max = VSOCK_QUEUE_MAX,
	.config_size = VSOCK_CFG_SIZE,
	.queue_notify = vsock_queue_notify,
	.config_read = vsock_config_read,
	.reset = vsock_reset,
};

/* Set up */

/* Listen on PATH (a stale socket there is replaced). */
static int vsock_listen(struct virtio_vsock *vs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	if (strlen(vs->path) >= sizeof(sa.sun_path) - 12) {
		fprintf(stderr, "boardvm: %s: --vsock path %s is too long for "
			"a Unix socket (with _<port> after it): give a shorter "
			"one\n", vsock_name(vs), vs->path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, vs->path);
	if (lstat(vs->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(vs->path);
	vs->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
	if (vs->listen_fd < 0 ||
	    bind(vs->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(vs->listen_fd, 64) < 0) {
		err = -errno;
		fprintf(stderr, "boardvm: %s: cannot listen on --vsock %s: "
			"%s\n", vsock_name(vs), vs->path, strerror(errno));
		return err;
	}
	if (epoll_ctl(vs->epoll_fd, EPOLL_CTL_ADD, vs->listen_fd,
		      &(struct epoll_event){ .events = EPOLLIN,
					     .data.u64 = VSOCK_LISTEN_ID }) < 0)
		return -errno;
	return 0;
}

static const struct host_vsock *vsock_backend(struct device *dev)
{
	const struct device_host *host = dev->host;

	for (unsigned i = 0; host && dev->desc && i < host->nr_vsocks; i++)
		if (!strcmp(host->vsocks[i].device, dev->desc->name))
			return &host->vsocks[i];
	return NULL;
}

static void vsock_free(struct virtio_vsock *vs)
{
	conns_free_all(vs);
	/*
	 * The socket file stays (the seccomp filter allows no unlink at
	 * exit); the next start replaces it.
	 */
	if (vs->listen_fd >= 0)
		close(vs->listen_fd);
	if (vs->epoll_fd >= 0)
		close(vs->epoll_fd);
	free(vs);
}

static int vsock_init(struct device *dev)
{
	const struct host_vsock *be = vsock_backend(dev);
	struct virtio_vsock *vs = calloc(1, sizeof(*vs));
	int err;

	if (!vs)
		return -ENOMEM;
	vs->listen_fd = -1;
	vs->next_local_port = VSOCK_LOCAL_PORT_BASE;
	vs->guest_cid = device_prop_number(dev, "guest-cid");
	vs->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (vs->epoll_fd < 0) {
		err = -errno;
		goto err_free;
	}
	if (be) {
		vs->path = be->path;
		if (be->cid)
			vs->guest_cid = be->cid;
		err = vsock_listen(vs);
		if (err < 0)
			goto err_free;
	}
	err = virtio_pci_init(&vs->vp, dev, &vsock_model, 0);
	if (err < 0)
		goto err_free;
	dev->state = &vs->vp;
	return 0;

err_free:
	vsock_free(vs);
	return err;
}

static void vsock_destroy(struct device *dev)
{
	struct virtio_vsock *vs;

	if (!dev->state)
		return;
	vs = to_vsock(dev->state);
	virtio_pci_destroy(&vs->vp);
	vsock_free(vs);
	dev->state = NULL;
}

const struct device_ops virtio_vsock_pci_ops = {
	.init			= vsock_init,
	.reset			= virtio_pci_reset,
	.destroy		= vsock_destroy,
	.mmio_read		= virtio_pci_mmio_read,
	.mmio_write		= virtio_pci_mmio_write,
	.notify			= virtio_pci_notify,
	.pci_config_read	= virtio_pci_config_read,
	.pci_config_write	= virtio_pci_config_write,
	.poll_fd		= vsock_poll_fd,
	.poll_ready		= vsock_poll_ready,
	.counters		= vsock_counters,
};
