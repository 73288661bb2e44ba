/* SPDX-License-Identifier: MIT */
/*
 * --net tap backends for virtio-net (docs/virtio.md): parsed from the
 * command line, opened before the jail and the devices (the VMM keeps
 * them across --reboot), handed to the devices as struct host_net.
 */
#ifndef BOARDVM_TAP_H
#define BOARDVM_TAP_H

#include "device.h"

/* --net [NAME=]tap:IFNAME|tap:auto[,vhost=on|off]: -1 with a message. */
int tap_parse(const char *arg);
/* Every --net names a virtio-net-pci device of the board: -1 if not. */
int tap_check(void);
/* Open the taps; -1 with a message naming the interface and errno. */
int tap_open_all(void);
/* The backends in board order, one per virtio-net-pci device (or none). */
const struct host_net *tap_nets(unsigned *nr);
/* Whether any --net was given (the seccomp rule). */
bool tap_any(void);
/* Whether any --net asked for vhost=on (its seccomp rule). */
bool tap_any_vhost(void);

#endif
