/* SPDX-License-Identifier: MIT */
/*
 * --vsock [NAME=]PATH[,cid=N]: the host end of the board's virtio-vsock
 * devices (vmm/vsock-option.c, devices/virtio-vsock.c).
 */
#ifndef BOARDVM_VSOCK_OPTION_H
#define BOARDVM_VSOCK_OPTION_H

#include <stdbool.h>

struct device_host;

int vsock_option_parse(const char *arg);
/* Whether a --vsock named board device `device` (the seccomp policy). */
bool vsock_option_given(const char *device);
/* Give the parsed backends to the devices' host. */
void vsock_options_attach(struct device_host *host);

#endif
