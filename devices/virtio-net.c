// SPDX-License-Identifier: MIT
/*
 * virtio-net over PCI ("Network Device"): queue 0 receiveq, queue 1
 * transmitq, no control queue, one queue pair. The backend is a tap
 * (--net, vmm/tap.c) opened with IFF_VNET_HDR and a 12-byte header, so a
 * frame crosses as the struct virtio_net_hdr_v1 the guest reads or writes
 * followed by the Ethernet frame: the header goes through unchanged.
 *
 * Features offered (board properties turn groups off): MAC, STATUS,
 * CSUM, GUEST_CSUM, HOST_TSO4/6, GUEST_TSO4/6 (`offloads`), MRG_RXBUF
 * (`mrg-rxbuf`), EVENT_IDX (`event-idx`). When the driver sets DRIVER_OK
 * the tap is told (TUNSETOFFLOAD) which offloads the guest accepted, so it
 * never hands the guest a frame with a checksum or segmentation the
 * driver did not ask for; a reset drops them again.
 *
 * Transmit: every chain is a header and a frame in device-readable
 * buffers, written to the tap with one writev(). A chain shorter than the
 * header breaks the device (NEEDS_RESET); a header asking for an offload
 * the driver did not negotiate, or a frame the tap refuses, is dropped
 * and counted (tx-dropped), the chain returned.
 *
 * Receive: the I/O thread polls the tap. A frame is read into a bounce
 * buffer and copied into the guest's receive chains: one chain, or with
 * MRG_RXBUF as many as it takes (num_buffers in the first header). With
 * too few buffers the frame waits, the device stops polling the tap
 * (host->poll_enable) and resumes when the driver adds buffers (a kick;
 * with EVENT_IDX, avail_event asks for exactly that kick). A frame larger
 * than every buffer the driver could give is dropped (rx-dropped).
 *
 * Without --net the device has no backend: the link is down (status 0),
 * transmitted frames are dropped and nothing arrives.
 *
 * vhost=on (the backend has a vhost_fd): the kernel moves the frames. At
 * DRIVER_OK both rings go to vhost_start() with the queues' doorbell
 * eventfds as kicks (host->doorbell_fd: the I/O thread no longer sees
 * them). A ring whose queue has an unmasked MSI-X vector gets that
 * vector's irqfd as its call (host->msi_irqfd): the kernel interrupts the
 * guest itself, and the device never sees those interrupts (its
 * rx/tx-interrupts count only the ones below). Every other ring (INTx,
 * masked, no vector) gets the device's one call eventfd, which is then
 * its poll fd: when it fires, each queue whose used index moved since its
 * last interrupt gets one (vhost already applied EVENT_IDX). A mask,
 * unmask or table write moves a ring between the two (msix_changed). A
 * reset or the device's end stops it. EVENT_IDX and MRG_RXBUF are offered
 * only where vhost moves them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "board-tables.h"
#include "virtio-pci.h"

#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16

#define VIRTIO_NET_S_LINK_UP		1

#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80

#define NET_RX			0
#define NET_TX			1
#define NET_QUEUE_MAX		256
#define NET_HDR_BYTES		12	/* struct virtio_net_hdr_v1 */
/* The largest frame a tap gives with TSO: 64 KiB of IP plus Ethernet. */
#define NET_FRAME_MAX		(65536 + 14 + 4)
#define NET_BATCH		64	/* frames per wakeup, then interrupt */

/* virtio_net_config. */
#define NET_CFG_MAC		0
#define NET_CFG_STATUS		6
#define NET_CFG_SIZE		8

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

enum net_counter {
	NET_RX_PACKETS, NET_RX_BYTES, NET_RX_DROPPED, NET_RX_STALLS,
	NET_TX_PACKETS, NET_TX_BYTES, NET_TX_DROPPED, NET_RX_INTERRUPTS,
	NET_TX_INTERRUPTS, NR_NET_COUNTERS
};

static const char *const net_counter_names[NR_NET_COUNTERS] = {
	[NET_RX_PACKETS] = "rx-packets", [NET_RX_BYTES] = "rx-bytes",
	[NET_RX_DROPPED] = "rx-dropped", [NET_RX_STALLS] = "rx-no-buffers",
	[NET_TX_PACKETS] = "tx-packets", [NET_TX_BYTES] = "tx-bytes",
	[NET_TX_DROPPED] = "tx-dropped", [NET_RX_INTERRUPTS] = "rx-interrupts",
	[NET_TX_INTERRUPTS] = "tx-interrupts",
};

struct virtio_net {
	struct virtio_pci vp;			/* first: dev->state */
	struct virtio_model model;		/* queue_max from the board */
	const struct host_net *backend;		/* NULL: link down */
	uint8_t mac[6];
	bool offloads_set;			/* TUNSETOFFLOAD since reset */
	bool polling;				/* the I/O thread polls the tap */
	uint32_t pending;			/* bytes in `frame`: waiting */
	int call_fd;				/* vhost=on: else -1 */
	bool vhost_on;				/* rings with the kernel */
	int vhost_call[2];			/* each ring's call fd now */
	uint16_t vhost_used[2];			/* used idx at last interrupt */
	uint64_t count[NR_NET_COUNTERS];
	struct virtq_req req;
	struct virtq_req rx[NET_QUEUE_MAX];	/* chains of one frame */
	struct iovec iov[VIRTQ_MAX_SIZE];
	uint8_t frame[NET_HDR_BYTES + NET_FRAME_MAX];
};

static struct virtio_net *to_net(struct virtio_pci *vp)
{
	return (struct virtio_net *)((char *)vp -
				     offsetof(struct virtio_net, vp));
}

static bool has(const struct virtio_net *net, unsigned bit)
{
	return virtio_pci_has_feature(&net->vp, bit);
}

static void net_poll(struct virtio_net *net, bool on)
{
	struct device_host *host = net->vp.dev->host;

	if (net->polling == on || !net->backend || net->call_fd >= 0)
		return;
	net->polling = on;
	if (host && host->poll_enable)
		host->poll_enable(host, net->vp.dev, on);
}

/* Offloads: what the tap may hand the guest, from what it accepted. */

static unsigned net_tun_offloads(const struct virtio_net *net)
{
	unsigned flags = 0;

	if (has(net, VIRTIO_NET_F_GUEST_CSUM)) {
		flags |= TUN_F_CSUM;
		if (has(net, VIRTIO_NET_F_GUEST_TSO4))
			flags |= TUN_F_TSO4;
		if (has(net, VIRTIO_NET_F_GUEST_TSO6))
			flags |= TUN_F_TSO6;
	}
	return flags;
}

static void net_set_offloads(struct virtio_net *net)
{
	unsigned flags = net_tun_offloads(net);
	int err;

	if (net->offloads_set || !net->backend)
		return;
	net->offloads_set = true;
	err = net->backend->set_offload(net->backend, flags);
	if (err < 0 && ratelimit_allow(&net->vp.log))
		fprintf(stderr, "boardvm: %s: TUNSETOFFLOAD 0x%x on %s: %s\n",
			net->vp.dev->desc ? net->vp.dev->desc->name : "virtio-net",
			flags, net->backend->ifname, strerror(-err));
}

/* Transmit */

/* Whether a transmit header asks only for what the driver negotiated. */
static bool tx_header_ok(const struct virtio_net *net,
			 const struct virtio_net_hdr *h)
{
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !has(net, VIRTIO_NET_F_CSUM))
		return false;
	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(h->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(net, VIRTIO_NET_F_HOST_TSO4) && !(h->gso_type &
			VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(net, VIRTIO_NET_F_HOST_TSO6) && !(h->gso_type &
			VIRTIO_NET_HDR_GSO_ECN);
	}
	return false;
}

/* One frame to the tap; false when it was dropped. */
static bool tx_send(struct virtio_net *net, const struct virtq_req *req)
{
	unsigned n = 0;
	ssize_t done;

	for (unsigned i = 0; i < req->nr_out; i++) {
		net->iov[n].iov_base = req->seg[i].host;
		net->iov[n].iov_len = req->seg[i].len;
		n++;
	}
	do {
		done = writev(net->backend->fd, net->iov, n);
	} while (done < 0 && errno == EINTR);
	return done == (ssize_t)req->out_len;
}

/* Serve one transmit chain; -1 when its layout breaks the protocol. */
static int tx_one(struct virtio_net *net, struct virtq *vq,
		  const struct virtq_req *req)
{
	struct virtio_net_hdr h;

	if (req->out_len < NET_HDR_BYTES)
		return virtq_fail(vq, "virtio-net transmit chain shorter "
				  "than its 12-byte header");
	virtq_copy_from(req, 0, &h, sizeof(h));
	if (net->backend && tx_header_ok(net, &h) && tx_send(net, req)) {
		net->count[NET_TX_PACKETS]++;
		net->count[NET_TX_BYTES] += req->out_len - NET_HDR_BYTES;
	} else {
		net->count[NET_TX_DROPPED]++;
	}
	virtq_push(vq, req, 0);
	return 0;
}

static void net_tx(struct virtio_net *net)
{
	struct virtq *vq = &net->vp.vq[NET_TX];
	bool pushed = false;
	int r;

	while ((r = virtq_pop(vq, &net->req)) > 0) {
		if (tx_one(net, vq, &net->req) < 0) {
			r = -1;
			break;
		}
		pushed = true;
	}
	if (pushed && virtio_pci_queue_interrupt(&net->vp, NET_TX))
		net->count[NET_TX_INTERRUPTS]++;
	if (r < 0)
		virtio_pci_set_broken(&net->vp, vq->error);
}

/* Receive */

/*
 * Copy the pending frame into receive chains. Returns 1 when it was
 * delivered or dropped, 0 when the guest has too few buffers (nothing
 * taken), -1 when the queue broke.
 */
static int rx_deliver(struct virtio_net *net, struct virtq *vq)
{
	bool merge = has(net, VIRTIO_NET_F_MRG_RXBUF);
	uint32_t len = net->pending, done = 0;
	uint16_t nr = 0;
	int r;

	while (done < len) {
		struct virtq_req *req = &net->rx[nr];

		if (nr == vq->size || (nr && !merge)) {
			/* Larger than the whole ring could hold: drop it. */
			virtq_unpop(vq, nr);
			net->count[NET_RX_DROPPED]++;
			return 1;
		}
		r = virtq_pop(vq, req);
		if (r <= 0) {
			if (r == 0)
				virtq_unpop(vq, nr);
			return r;
		}
		nr++;
		if (nr == 1 && req->in_len < NET_HDR_BYTES)
			return virtq_fail(vq, "virtio-net receive buffer "
					  "shorter than its 12-byte header");
		done += virtq_copy_to(req, 0, net->frame + done, len - done);
	}
	device_data_put(net->frame + offsetof(struct virtio_net_hdr,
					      num_buffers), 2, nr);
	virtq_copy_to(&net->rx[0], offsetof(struct virtio_net_hdr,
					    num_buffers),
		      net->frame + offsetof(struct virtio_net_hdr, num_buffers),
		      2);
	for (uint16_t i = 0, left = 0; i < nr; i++) {
		uint32_t put = net->rx[i].in_len < len - left ?
			       net->rx[i].in_len : len - left;

		virtq_push(vq, &net->rx[i], put);
		left += put;
	}
	net->count[NET_RX_PACKETS]++;
	net->count[NET_RX_BYTES] += len - NET_HDR_BYTES;
	return 1;
}

/* Read the next frame from the tap into `frame`; false when none. */
static bool rx_read(struct virtio_net *net)
{
	ssize_t n;

	do {
		n = read(net->backend->fd, net->frame, sizeof(net->frame));
	} while (n < 0 && errno == EINTR);
	if (n < NET_HDR_BYTES)
		return false;		/* EAGAIN, or not a frame */
	net->pending = n;
	return true;
}

/* Move frames from the tap to the guest until one side runs dry. */
static void net_rx(struct virtio_net *net)
{
	struct virtq *vq = &net->vp.vq[NET_RX];
	bool pushed = false;
	int r = 1;

	if (!net->backend)
		return;
	if (!virtio_pci_driver_ok(&net->vp) || !vq->enabled) {
		net_poll(net, false);	/* a kick at DRIVER_OK resumes */
		return;
	}
	for (unsigned i = 0; i < NET_BATCH; i++) {
		if (!net->pending && !rx_read(net))
			break;
		r = rx_deliver(net, vq);
		if (r <= 0)
			break;
		net->pending = 0;
		pushed = true;
	}
	if (pushed && virtio_pci_queue_interrupt(&net->vp, NET_RX))
		net->count[NET_RX_INTERRUPTS]++;
	if (r < 0) {
		virtio_pci_set_broken(&net->vp, vq->error);
		net_poll(net, false);
	} else if (r == 0) {
		net->count[NET_RX_STALLS]++;
		net_poll(net, false);	/* until the driver adds buffers */
	} else {
		net_poll(net, true);
	}
}

/* vhost=on */

/* The call eventfd ring q should have: its vector's irqfd, or ours. */
static int vhost_call_for(struct virtio_net *net, unsigned q)
{
	int fd = net->backend->vhost_set_call ?
		 virtio_pci_queue_irqfd(&net->vp, q) : -1;

	return fd >= 0 ? fd : net->call_fd;
}

/* Hand both rings to the kernel (at DRIVER_OK); false if it refused. */
static bool vhost_start(struct virtio_net *net)
{
	struct device_host *host = net->vp.dev->host;
	struct host_vhost v = {
		.features = net->vp.driver_features,
		.ram = host ? host->ram : NULL,
		.nr_rings = 2,
	};

	for (unsigned q = 0; q < 2; q++) {
		struct virtq *vq = &net->vp.vq[q];

		if (!vq->enabled || !vq->avail || !host || !host->doorbell_fd)
			return false;
		v.ring[q] = (struct host_vhost_ring) {
			.num = vq->size, .base = vq->last_avail,
			.desc = vq->desc, .avail = vq->avail, .used = vq->used,
			.kick = host->doorbell_fd(host, net->vp.dev, q),
			.call = vhost_call_for(net, q),
		};
		net->vhost_call[q] = v.ring[q].call;
		if (v.ring[q].kick < 0)
			return false;
		net->vhost_used[q] = vq->used_idx;
	}
	if (!v.ram || net->backend->vhost_start(net->backend, &v) < 0)
		return false;
	net->vhost_on = true;
	return true;
}

static void vhost_stop(struct virtio_net *net)
{
	if (!net->vhost_on)
		return;
	net->backend->vhost_stop(net->backend, 2);
	net->vhost_on = false;
}

/* MSI-X changed: each started ring's call follows (vhost_call_for). */
static void net_msix_changed(struct virtio_pci *vp)
{
	struct virtio_net *net = to_net(vp);

	if (!net->vhost_on)
		return;
	for (unsigned q = 0; q < 2; q++) {
		int fd = vhost_call_for(net, q);

		if (fd == net->vhost_call[q])
			continue;
		if (net->backend->vhost_set_call(net->backend, q, fd) == 0)
			net->vhost_call[q] = fd;
		else if (ratelimit_allow(&net->vp.log))
			fprintf(stderr, "boardvm: %s: vhost-net kept ring %u's "
				"old call eventfd: %s\n", net->vp.dev->desc ?
				net->vp.dev->desc->name : "virtio-net", q,
				strerror(errno));
	}
}

/* The kernel signalled: interrupt the queues it moved. */
static void vhost_call(struct virtio_net *net)
{
	uint64_t count;

	if (read(net->call_fd, &count, sizeof(count)) < 0 || !net->vhost_on)
		return;
	for (unsigned q = 0; q < 2; q++) {
		struct virtq *vq = &net->vp.vq[q];
		uint16_t idx;

		if (!vq->used)
			continue;
		idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
		if (idx == net->vhost_used[q])
			continue;
		net->vhost_used[q] = idx;
		virtio_pci_queue_raise(&net->vp, q);
		net->count[q == NET_RX ? NET_RX_INTERRUPTS :
			   NET_TX_INTERRUPTS]++;
	}
}

static void net_queue_notify(struct virtio_pci *vp, unsigned q)
{
	struct virtio_net *net = to_net(vp);

	net_set_offloads(net);
	if (net->call_fd >= 0) {
		/* Kicks go to the kernel; this is DRIVER_OK's. */
		if (!net->vhost_on && !vhost_start(net) &&
		    ratelimit_allow(&net->vp.log))
			fprintf(stderr, "boardvm: %s: vhost-net did not take "
				"the rings: the device stays silent until a "
				"reset\n", net->vp.dev->desc ?
				net->vp.dev->desc->name : "virtio-net");
		return;
	}
	if (q == NET_TX)
		net_tx(net);
	else
		net_rx(net);
}

static void net_reset(struct virtio_pci *vp)
{
	struct virtio_net *net = to_net(vp);

	net->pending = 0;
	vhost_stop(net);
	if (net->offloads_set && net->backend)
		net->backend->set_offload(net->backend, 0);
	net->offloads_set = false;
	net_poll(net, false);
}

static void net_config_read(struct virtio_pci *vp, uint32_t offset,
			    void *data, unsigned len)
{
	struct virtio_net *net = to_net(vp);
	uint8_t img[NET_CFG_SIZE] = { 0 };

	memcpy(img + NET_CFG_MAC, net->mac, 6);
	device_data_put(img + NET_CFG_STATUS, 2,
			net->backend ? VIRTIO_NET_S_LINK_UP : 0);
	memcpy(data, img + offset, len);
}

static int net_poll_fd(struct device *dev)
{
	struct virtio_net *net = to_net(dev->state);

	if (net->call_fd >= 0)
		return net->call_fd;
	return net->backend ? net->backend->fd : -1;
}

/* The I/O thread says the tap has frames. */
static void net_poll_ready(struct device *dev)
{
	struct virtio_net *net = to_net(dev->state);

	virtio_pci_lock(&net->vp);
	if (net->call_fd >= 0)
		vhost_call(net);
	else
		net_rx(net);
	virtio_pci_unlock(&net->vp);
}

static unsigned net_counters(struct device *dev, struct device_counter *out,
			     unsigned max)
{
	struct virtio_net *net = to_net(dev->state);

	return virtio_pci_counters(&net->vp, net_counter_names, net->count,
				   NR_NET_COUNTERS, out, max);
}

/* Set-up */

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &end) != 6)
		return -1;
	for (unsigned i = 0; i < 6; i++)
		mac[i] = b[i];
	return mac[0] & 1 ? -1 : 0;	/* a multicast address is no NIC's */
}

/* 52:54:00 (QEMU's locally administered prefix) and a name hash. */
static void default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = h >> 16;
	mac[4] = h >> 8;
	mac[5] = h;
}

static int net_props(struct virtio_net *net, struct device *dev,
		     const char *name)
{
	const struct board_prop *mac = device_prop(dev, "mac");
	uint64_t qsize = device_prop_number(dev, "queue-size");

	if (mac && mac->string && *mac->string) {
		if (parse_mac(mac->string, net->mac) < 0) {
			fprintf(stderr, "boardvm: %s: mac '%s' is not a "
				"unicast aa:bb:cc:dd:ee:ff\n", name, mac->string);
			return -EINVAL;
		}
	} else {
		default_mac(name, net->mac);
	}
	if (qsize < 2 || qsize > NET_QUEUE_MAX || (qsize & (qsize - 1))) {
		fprintf(stderr, "boardvm: %s: queue-size %llu is not a power "
			"of two from 2 to %u\n", name,
			(unsigned long long)qsize, NET_QUEUE_MAX);
		return -EINVAL;
	}
	net->model.queue_max = qsize;
	return 0;
}

static uint64_t net_features(struct device *dev)
{
	uint64_t f = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;

	if (device_prop_number(dev, "offloads"))
		f |= 1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_GUEST_CSUM |
		     1ull << VIRTIO_NET_F_HOST_TSO4 |
		     1ull << VIRTIO_NET_F_HOST_TSO6 |
		     1ull << VIRTIO_NET_F_GUEST_TSO4 |
		     1ull << VIRTIO_NET_F_GUEST_TSO6;
	if (device_prop_number(dev, "mrg-rxbuf"))
		f |= 1ull << VIRTIO_NET_F_MRG_RXBUF;
	if (device_prop_number(dev, "event-idx"))
		f |= 1ull << VIRTIO_F_EVENT_IDX;
	return f;
}

/* vhost=on: the ring features only where the kernel moves them. */
static int vhost_features(struct virtio_net *net, const char *name,
			  uint64_t *f)
{
	uint64_t k = net->backend->vhost_features;

	if (!(k & 1ull << VIRTIO_F_VERSION_1)) {
		fprintf(stderr, "boardvm: %s: this kernel's vhost-net lacks "
			"VIRTIO_F_VERSION_1 (features 0x%llx): drop vhost=on\n",
			name, (unsigned long long)k);
		return -ENOTSUP;
	}
	if (!(k & 1ull << VIRTIO_F_EVENT_IDX))
		*f &= ~(1ull << VIRTIO_F_EVENT_IDX);
	if (!(k & 1ull << VIRTIO_NET_F_MRG_RXBUF))
		*f &= ~(1ull << VIRTIO_NET_F_MRG_RXBUF);
	net->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return net->call_fd < 0 ? -errno : 0;
}

static const struct virtio_model net_model = {
	.device_id = VIRTIO_ID_NET,
	.class_code = 0x020000,		/* network, Ethernet */
	.nr_queues = 2,
	.queue_max = NET_QUEUE_MAX,
	.config_size = NET_CFG_SIZE,
	.queue_notify = net_queue_notify,
	.config_read = net_config_read,
	.reset = net_reset,
	.msix_changed = net_msix_changed,
};

static int net_init(struct device *dev)
{
	struct device_host *host = dev->host;
	const char *name = dev->desc ? dev->desc->name : "virtio-net";
	struct virtio_net *net = calloc(1, sizeof(*net));
	uint64_t features;
	int err;

	if (!net)
		return -ENOMEM;
	net->model = net_model;
	net->call_fd = -1;
	err = net_props(net, dev, name);
	if (err < 0)
		goto err_free;
	if (host && host->nets_taken < host->nr_nets) {
		net->backend = &host->nets[host->nets_taken++];
		if (net->backend->fd < 0)
			net->backend = NULL;
	}
	features = net_features(dev);
	if (net->backend && net->backend->vhost_start) {
		err = vhost_features(net, name, &features);
		if (err < 0)
			goto err_free;
	}
	err = virtio_pci_init(&net->vp, dev, &net->model, features);
	if (err < 0)
		goto err_free;
	net->polling = true;	/* the I/O thread starts polling the fd */
	dev->state = &net->vp;
	return 0;

err_free:
	if (net->call_fd >= 0)
		close(net->call_fd);
	free(net);
	return err;
}

/* The tap belongs to the VMM (vmm/tap.c): it outlives a --reboot. */
static void net_destroy(struct device *dev)
{
	struct virtio_net *net;

	if (!dev->state)
		return;
	net = to_net(dev->state);
	vhost_stop(net);
	if (net->call_fd >= 0)
		close(net->call_fd);
	virtio_pci_destroy(&net->vp);
	free(net);
	dev->state = NULL;
}

const struct device_ops virtio_net_pci_ops = {
	.init			= net_init,
	.reset			= virtio_pci_reset,
	.destroy		= net_destroy,
	.mmio_read		= virtio_pci_mmio_read,
	.mmio_write		= virtio_pci_mmio_write,
	.notify			= virtio_pci_notify,
	.pci_config_read	= virtio_pci_config_read,
	.pci_config_write	= virtio_pci_config_write,
	.poll_fd		= net_poll_fd,
	.poll_ready		= net_poll_ready,
	.counters		= net_counters,
};
