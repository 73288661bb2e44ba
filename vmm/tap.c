// SPDX-License-Identifier: MIT
/*
 * Tap backends (vmm/tap.h). Each --net is [NAME=]tap:IFNAME or tap:auto,
 * optionally followed by ,vhost=on (the kernel's vhost-net moves the
 * frames: vmm/vhost-net.c; an error when it cannot, never a silent
 * fallback) or ,vhost=off (the default);
 * with NAME it belongs to that virtio-net-pci device, without it to the
 * next device in board order that has none (as --disk does). A board
 * device without one is a NIC with its link down.
 *
 * Open: /dev/net/tun, TUNSETIFF with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR
 * (tap:auto lets the kernel pick tapN; the name is printed), then
 * TUNSETVNETHDRSZ 12 (virtio 1.x's header) and TUNSETOFFLOAD 0 until the
 * guest negotiates offloads. Creating a tap needs CAP_NET_ADMIN; a
 * persistent tap made beforehand for this user (ip tuntap add IFNAME mode
 * tap user USER) does not. After the seccomp filter only read, writev,
 * epoll_ctl and TUNSETOFFLOAD touch a tap (vmm/seccomp.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>

#include "common.h"
#include "board-tables.h"
#include "tap.h"
#include "vhost-net.h"

#define TAP_MAX		8
#define TAP_HDR_BYTES	12

struct tap {
	const char *device;		/* NAME=, or NULL: the next one */
	char ifname[IFNAMSIZ];		/* "" for tap:auto until opened */
	struct host_net net;
	unsigned slot;			/* its device's place among the NICs */
	bool auto_name;			/* tap:auto: the kernel names it */
	bool vhost;			/* ,vhost=on */
};

static struct tap taps[TAP_MAX];
static unsigned nr_taps;
static struct host_net nets[TAP_MAX];
static unsigned nr_nets;

static int tap_set_offload(const struct host_net *net, unsigned flags)
{
	return ioctl(net->fd, TUNSETOFFLOAD, (unsigned long)flags) < 0 ?
	       -errno : 0;
}

int tap_parse(const char *arg)
{
	const char *comma = strchr(arg, ',');
	const char *eq = memchr(arg, '=', comma ? (size_t)(comma - arg) :
				strlen(arg));
	const char *spec = eq ? eq + 1 : arg;
	size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
	bool vhost = comma && !strcmp(comma, ",vhost=on");
	struct tap *t = &taps[nr_taps];

	if (nr_taps == TAP_MAX) {
		fprintf(stderr, "boardvm: --net '%s': at most %u\n", arg,
			TAP_MAX);
		return -1;
	}

	if (strncmp(spec, "tap:", 4) || len == 4 || len - 4 >= IFNAMSIZ ||
	    (eq && eq == arg) ||
	    (comma && !vhost && strcmp(comma, ",vhost=off"))) {
		fprintf(stderr, "boardvm: --net '%s': expected [NAME=]tap:IFNAME "
			"or [NAME=]tap:auto (IFNAME at most %u characters), "
			"then optionally ,vhost=on or ,vhost=off\n",
			arg, IFNAMSIZ - 1);
		return -1;
	}
	*t = (struct tap) { .net.fd = -1, .net.vhost_fd = -1 };
	t->device = eq ? strndup(arg, eq - arg) : NULL;
	t->auto_name = len == 8 && !strncmp(spec + 4, "auto", 4);
	t->vhost = vhost;
	if (!t->auto_name)
		snprintf(t->ifname, sizeof(t->ifname), "%.*s", (int)(len - 4),
			 spec + 4);
	nr_taps++;
	return 0;
}

/* The NICs' board indexes in order; returns how many. */
static unsigned board_nics(unsigned *idx)
{
	unsigned n = 0;

	for (unsigned i = 0; i < board_info.nr_devices && n < TAP_MAX; i++)
		if (board_devices[i].type == &device_type_virtio_net_pci)
			idx[n++] = i;
	return n;
}

/* Give each --net its NIC: named ones first, then the rest in order. */
int tap_check(void)
{
	unsigned idx[TAP_MAX], n = board_nics(idx), next = 0;
	bool taken[TAP_MAX] = { false };

	for (unsigned t = 0; t < nr_taps; t++) {
		unsigned s;

		if (!taps[t].device)
			continue;
		for (s = 0; s < n; s++)
			if (!strcmp(board_devices[idx[s]].name, taps[t].device))
				break;
		if (s == n || taken[s]) {
			fprintf(stderr, "boardvm: --net %s=...: board %s has %s "
				"virtio-net-pci device of that name (%s)\n",
				taps[t].device, board_info.name,
				s == n ? "no" : "one --net already for the",
				board_info.source);
			return -1;
		}
		taken[s] = true;
		taps[t].slot = s;
	}
	for (unsigned t = 0; t < nr_taps; t++) {
		if (taps[t].device)
			continue;
		while (next < n && taken[next])
			next++;
		if (next == n) {
			fprintf(stderr, "boardvm: --net: board %s has %u "
				"virtio-net-pci device%s for %u --net options "
				"(%s): drop one or add a device to the board\n",
				board_info.name, n, n == 1 ? "" : "s", nr_taps,
				board_info.source);
			return -1;
		}
		taken[next] = true;
		taps[t].slot = next++;
	}
	return 0;
}

static int tap_open(struct tap *t)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = TAP_HDR_BYTES, err;
	const char *what = "open /dev/net/tun";
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		goto fail;
	memcpy(ifr.ifr_name, t->ifname, sizeof(t->ifname));
	what = "TUNSETIFF";
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	memcpy(t->ifname, ifr.ifr_name, IFNAMSIZ);
	t->ifname[IFNAMSIZ - 1] = 0;
	what = "TUNSETVNETHDRSZ";
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		goto fail;
	what = "TUNSETOFFLOAD";
	if (ioctl(fd, TUNSETOFFLOAD, 0ul) < 0)
		goto fail;
	t->net = (struct host_net) { .ifname = t->ifname, .fd = fd,
				     .set_offload = tap_set_offload,
				     .vhost_fd = -1 };
	if (t->vhost && vhost_net_open(&t->net) < 0) {
		close(fd);
		t->net.fd = -1;
		return -1;
	}
	return 0;
fail:
	err = errno;
	fprintf(stderr, "boardvm: --net tap:%s: %s: %s%s\n",
		t->ifname[0] ? t->ifname : "auto", what, strerror(err),
		err == EPERM || err == EACCES ?
		" (creating a tap needs CAP_NET_ADMIN; or make one for this "
		"user first: ip tuntap add IFNAME mode tap user USER)" :
		err == EBUSY ? " (another process has this tap open)" :
		err == ENOENT || err == ENODEV ?
		" (no tun driver: modprobe tun)" : "");
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

int tap_open_all(void)
{
	unsigned idx[TAP_MAX], n = board_nics(idx);

	for (unsigned t = 0; t < nr_taps; t++) {
		if (tap_open(&taps[t]) < 0)
			return -1;
		if (taps[t].auto_name)
			fprintf(stderr, "boardvm: %s: --net tap:auto is %s\n",
				board_devices[idx[taps[t].slot]].name,
				taps[t].ifname);
	}
	/* One per NIC in board order; fd -1: no --net, the link is down. */
	for (unsigned s = 0; s < n; s++)
		nets[s] = (struct host_net) { .fd = -1, .vhost_fd = -1 };
	for (unsigned t = 0; t < nr_taps; t++)
		nets[taps[t].slot] = taps[t].net;
	nr_nets = n;
	return 0;
}

const struct host_net *tap_nets(unsigned *nr)
{
	*nr = nr_nets;
	return nets;
}

bool tap_any(void)
{
	return nr_taps > 0;
}

bool tap_any_vhost(void)
{
	for (unsigned t = 0; t < nr_taps; t++)
		if (taps[t].vhost)
			return true;
	return false;
}
