/* SPDX-License-Identifier: MIT */
/*
 * Host input checked before the VM is built (vmm/host-input.c): every
 * problem the user can fix ends here with a message and exit status 1,
 * before any KVM resource exists.
 */
#ifndef BOARDVM_HOST_INPUT_H
#define BOARDVM_HOST_INPUT_H

#include <stdint.h>

struct host_disk;

/*
 * Make sure fds 0, 1 and 2 are open (on /dev/null when they were closed),
 * so no descriptor the VMM opens later (KVM's, a disk's) can take their
 * place and receive the console's output. Says so on stderr for a closed
 * stdin or stdout. Returns -1 when /dev/null cannot be opened.
 */
int host_fds_reserve(void);

/* --mem larger than the host's RAM and swap together: refused. */
int host_mem_check(uint64_t mem);

/*
 * Every --disk opened as the device will (never blocking), then refused
 * unless it is a regular file or block device, named twice (unless both
 * are ,ro) or locked by another process.
 */
int host_disks_check(const struct host_disk *disks, unsigned nr);

#endif
