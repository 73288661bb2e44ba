/* SPDX-License-Identifier: MIT */
/*
 * The API socket (--api-sock PATH): a compatible subset of Firecracker's
 * HTTP API plus boardvm's own /board paths (docs/api.md).
 *
 * vmm/api.c is the API itself: routes, JSON bodies, the instance's state
 * and the configuration set before InstanceStart. It sees a request as a
 * method, a path and a body, so it runs without a socket (--config-file,
 * the fuzz target). vmm/api-http.c serves it with libmicrohttpd on a Unix
 * listening socket.
 *
 * Life: api_http_start() before the sandbox; with nothing to boot on the
 * command line, main waits in api_wait_start() for InstanceStart and
 * boots what the requests configured (api_config); api_attach_vm() while
 * a VM runs (pause, stats, the live map), api_detach_vm() before it goes.
 */
#ifndef BOARDVM_API_H
#define BOARDVM_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_MAX_DRIVES		8
/* Firecracker's limit on a request body (HTTP_MAX_PAYLOAD_SIZE). */
#define API_MAX_BODY		51200

struct api_drive {
	char id[64];
	char *path;
	bool readonly;
	bool root;
};

/* What PUT /boot-source, /machine-config and /drives set. */
struct api_config {
	char *kernel;			/* kernel_image_path */
	char *initrd;			/* initrd_path */
	char *boot_args;
	bool flat;			/* boardvm_flat_addr given: --flat */
	uint64_t flat_addr;
	unsigned vcpus;			/* 0: the board's default */
	uint64_t mem;			/* bytes; 0: the board's default */
	struct api_drive drives[API_MAX_DRIVES];
	unsigned nr_drives;
};

struct api_response {
	unsigned status;		/* HTTP status */
	char *body;			/* JSON, malloc'd; NULL: none */
};

struct vm;

/* One request; `body` need not end in a NUL. */
void api_handle(const char *method, const char *path, const char *body,
		size_t len, struct api_response *res);
void api_response_free(struct api_response *res);

/* The instance's id, and the command line's vCPUs and memory. */
void api_init(const char *id, unsigned vcpus, uint64_t mem);
/* Wait for InstanceStart (or a terminating signal: returns it). */
int api_wait_start(const struct api_config **cfg);
/* The command line booted the guest: the API starts out Running. */
void api_mark_started(void);
void api_attach_vm(struct vm *vm);
void api_detach_vm(void);
/* --config-file: every section through the same handlers; -1 on error. */
int api_config_file(const char *path);

/* api-http.c */
int api_http_start(const char *sock_path);
void api_http_stop(void);

#endif
