// SPDX-License-Identifier: MIT
/*
 * vhost-net (vmm/vhost-net.h): --net tap:IFNAME,vhost=on hands the
 * frames of a virtio-net device to the kernel. Opened with the tap,
 * before the jail and the filter: /dev/vhost-net, VHOST_SET_OWNER,
 * VHOST_GET_FEATURES. At DRIVER_OK the device calls vhost_start(): the
 * negotiated features, the guest RAM as the memory table, each ring (size,
 * base, addresses in the VMM, the doorbell's ioeventfd as kick, an eventfd
 * as call), then the tap as both rings' backend. A reset calls
 * vhost_stop(): backends detached, rings stopped (VHOST_GET_VRING_BASE).
 * The tap keeps its 12-byte vnet header; vhost passes it through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vhost.h>

#include "guest-ram.h"
#include "vhost-net.h"

static int vhost_ioctl(const struct host_net *net, unsigned long req,
		       const char *name, void *arg)
{
	if (ioctl(net->vhost_fd, req, arg) == 0)
		return 0;
	fprintf(stderr, "boardvm: --net tap:%s,vhost=on: %s: %s\n",
		net->ifname, name, strerror(errno));
	return -errno;
}

#define VHOST(net, req, arg)	vhost_ioctl(net, req, #req, arg)

static int vhost_set_mem(const struct host_net *net,
			 const struct guest_ram *ram)
{
	struct vhost_memory *mem;
	int err;

	mem = calloc(1, sizeof(*mem) +
		     ram->nr * sizeof(struct vhost_memory_region));
	if (!mem)
		return -ENOMEM;
	mem->nregions = ram->nr;
	for (unsigned i = 0; i < ram->nr; i++)
		mem->regions[i] = (struct vhost_memory_region) {
			.guest_phys_addr = ram->spans[i].base,
			.memory_size = ram->spans[i].size,
			.userspace_addr = (uintptr_t)ram->spans[i].host,
		};
	err = VHOST(net, VHOST_SET_MEM_TABLE, mem);
	free(mem);
	return err;
}

static int vhost_set_ring(const struct host_net *net, unsigned i,
			  const struct host_vhost_ring *r)
{
	struct vhost_vring_state num = { .index = i, .num = r->num };
	struct vhost_vring_state base = { .index = i, .num = r->base };
	struct vhost_vring_addr addr = {
		.index = i,
		.desc_user_addr = (uintptr_t)r->desc,
		.avail_user_addr = (uintptr_t)r->avail,
		.used_user_addr = (uintptr_t)r->used,
	};
	struct vhost_vring_file kick = { .index = i, .fd = r->kick };
	struct vhost_vring_file call = { .index = i, .fd = r->call };

	if (VHOST(net, VHOST_SET_VRING_NUM, &num) < 0 ||
	    VHOST(net, VHOST_SET_VRING_BASE, &base) < 0 ||
	    VHOST(net, VHOST_SET_VRING_ADDR, &addr) < 0 ||
	    VHOST(net, VHOST_SET_VRING_KICK, &kick) < 0 ||
	    VHOST(net, VHOST_SET_VRING_CALL, &call) < 0)
		return -1;
	return 0;
}

static int vhost_start(const struct host_net *net, const struct host_vhost *v)
{
	uint64_t features = v->features & net->vhost_features;

	if (VHOST(net, VHOST_SET_FEATURES, &features) < 0 ||
	    vhost_set_mem(net, v->ram) < 0)
		return -1;
	for (unsigned i = 0; i < v->nr_rings; i++)
		if (vhost_set_ring(net, i, &v->ring[i]) < 0)
			return -1;
	for (unsigned i = 0; i < v->nr_rings; i++) {
		struct vhost_vring_file backend = { .index = i, .fd = net->fd };

		if (VHOST(net, VHOST_NET_SET_BACKEND, &backend) < 0) {
			vhost_stop_rings(net, i);
			return -1;
		}
	}
	return 0;
}

static int vhost_set_call(const struct host_net *net, unsigned ring, int fd)
{
	struct vhost_vring_file call = { .index = ring, .fd = fd };

	return VHOST(net, VHOST_SET_VRING_CALL, &call);
}

void vhost_stop_rings(const struct host_net *net, unsigned nr_rings)
{
	for (unsigned i = 0; i < nr_rings; i++) {
		struct vhost_vring_file backend = { .index = i, .fd = -1 };
		struct vhost_vring_state state = { .index = i };

		VHOST(net, VHOST_NET_SET_BACKEND, &backend);
		VHOST(net, VHOST_GET_VRING_BASE, &state);
	}
}

int vhost_net_open(struct host_net *net)
{
	int fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	uint64_t features;

	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "boardvm: --net tap:%s,vhost=on: open "
			"/dev/vhost-net: %s%s\n", net->ifname, strerror(err),
			err == ENOENT || err == ENODEV ?
			" (no vhost-net in this kernel: modprobe vhost_net, "
			"or drop vhost=on to move the frames in boardvm)" :
			err == EACCES || err == EPERM ?
			" (give this user access to /dev/vhost-net, or drop "
			"vhost=on)" : "");
		errno = err;
		return -1;
	}
	net->vhost_fd = fd;
	if (VHOST(net, VHOST_SET_OWNER, NULL) < 0 ||
	    VHOST(net, VHOST_GET_FEATURES, &features) < 0) {
		close(fd);
		net->vhost_fd = -1;
		return -1;
	}
	net->vhost_features = features;
	net->vhost_start = vhost_start;
	net->vhost_stop = vhost_stop_rings;
	net->vhost_set_call = vhost_set_call;
	return 0;
}
