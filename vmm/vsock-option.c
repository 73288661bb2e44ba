// SPDX-License-Identifier: MIT
/*
 * --vsock [NAME=]PATH[,cid=N], checked against the board as it is parsed:
 * NAME is a virtio-vsock-pci device of the board (without it, the next
 * device in board order that no --vsock has named); PATH the Unix socket
 * the device listens on for host connections ("CONNECT <port>\n"), and
 * the prefix of the sockets guest connections go to (PATH_<port>);
 * cid= the guest's CID, 3 to 2^32 - 2, instead of the board's guest-cid.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "numbers.h"
#include "vsock-option.h"
#include "vmm.h"

#define VSOCK_MAX_BACKENDS	8
#define VSOCK_CID_MIN		3
#define VSOCK_CID_MAX		0xfffffffeull

static struct host_vsock backends[VSOCK_MAX_BACKENDS];
static unsigned nr_backends;

static bool is_vsock(const struct board_device *dev)
{
	return dev->type == &device_type_virtio_vsock_pci;
}

static bool taken(const char *name)
{
	for (unsigned i = 0; i < nr_backends; i++)
		if (!strcmp(backends[i].device, name))
			return true;
	return false;
}

/* The device NAME= names, or NULL when the text before '=' names none. */
static const struct board_device *named_device(const char *arg)
{
	const char *eq = strchr(arg, '=');

	for (unsigned i = 0; eq && i < board_info.nr_devices; i++) {
		const struct board_device *dev = &board_devices[i];

		if (is_vsock(dev) && strlen(dev->name) == (size_t)(eq - arg) &&
		    !strncmp(dev->name, arg, eq - arg))
			return dev;
	}
	return NULL;
}

static const struct board_device *next_device(void)
{
	for (unsigned i = 0; i < board_info.nr_devices; i++)
		if (is_vsock(&board_devices[i]) &&
		    !taken(board_devices[i].name))
			return &board_devices[i];
	return NULL;
}

static int parse_cid(const char *arg, const char *text, uint64_t *cid)
{
	if (parse_number(text, cid) && *cid >= VSOCK_CID_MIN &&
	    *cid <= VSOCK_CID_MAX)
		return 0;
	fprintf(stderr, "boardvm: --vsock '%s': cid=%s: expected a number "
		"from %u to %" PRIu64 " (0-2 are reserved: 2 is the host)\n",
		arg, text, VSOCK_CID_MIN, (uint64_t)VSOCK_CID_MAX);
	return -1;
}

int vsock_option_parse(const char *arg)
{
	const struct board_device *dev = named_device(arg);
	const char *spec = dev ? strchr(arg, '=') + 1 : arg;
	char *path, *comma;
	uint64_t cid = 0;

	if (!dev)
		dev = next_device();
	if (!dev) {
		fprintf(stderr, "boardvm: --vsock '%s': board %s has no "
			"virtio-vsock-pci device left for it (%s): drop the "
			"option or add a device to the board\n", arg,
			board_info.name, board_info.source);
		return -1;
	}
	if (taken(dev->name) || nr_backends == VSOCK_MAX_BACKENDS) {
		fprintf(stderr, "boardvm: --vsock '%s': %s already has a "
			"--vsock\n", arg, dev->name);
		return -1;
	}
	path = strdup(spec);
	if (!path)
		return -1;
	comma = strchr(path, ',');
	if (comma) {
		*comma = 0;
		if (strncmp(comma + 1, "cid=", 4) ||
		    parse_cid(arg, comma + 5, &cid) < 0)
			goto bad;
	}
	if (!*path)
		goto bad;
	backends[nr_backends++] = (struct host_vsock) {
		.device = dev->name, .path = path, .cid = cid,
	};
	return 0;
bad:
	if (!comma || !strncmp(comma + 1, "cid=", 4))
		fprintf(stderr, "boardvm: --vsock '%s': expected [NAME=]PATH"
			"[,cid=N]\n", arg);
	else
		fprintf(stderr, "boardvm: --vsock '%s': unknown option '%s': "
			"expected [NAME=]PATH[,cid=N]\n", arg, comma + 1);
	free(path);
	return -1;
}

bool vsock_option_given(const char *device)
{
	return taken(device);
}

void vsock_options_attach(struct device_host *host)
{
	host->vsocks = backends;
	host->nr_vsocks = nr_backends;
}
