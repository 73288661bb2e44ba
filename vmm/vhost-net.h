/* SPDX-License-Identifier: MIT */
/*
 * vhost=on for a --net tap (vmm/vhost-net.c, docs/virtio.md): the kernel
 * moves the frames between the tap and the guest's rings.
 */
#ifndef BOARDVM_VHOST_NET_H
#define BOARDVM_VHOST_NET_H

#include "device.h"

/*
 * Open /dev/vhost-net for `net` (its tap already open): owner, features,
 * net->vhost_start/stop set. -1 with a message that says what to do.
 */
int vhost_net_open(struct host_net *net);
/* Detach the tap from the first nr_rings rings and stop them. */
void vhost_stop_rings(const struct host_net *net, unsigned nr_rings);

#endif
