/* SPDX-License-Identifier: MIT */
/*
 * virtio-vsock's wire format (virtio 1.2 "Socket Device"), shared by the
 * model (devices/virtio-vsock.c), its tests and its fuzz target: the
 * 44-byte packet header, little-endian, packed, in front of every packet
 * on the rx and tx queues.
 */
#ifndef BOARDVM_VIRTIO_VSOCK_H
#define BOARDVM_VIRTIO_VSOCK_H

#include <stdint.h>

#define VIRTIO_ID_VSOCK		19

#define VSOCK_QUEUE_RX		0
#define VSOCK_QUEUE_TX		1
#define VSOCK_QUEUE_EVENT	2

#define VSOCK_HOST_CID		2	/* VMADDR_CID_HOST */

#define VSOCK_TYPE_STREAM	1

#define VSOCK_OP_REQUEST	1
#define VSOCK_OP_RESPONSE	2
#define VSOCK_OP_RST		3
#define VSOCK_OP_SHUTDOWN	4
#define VSOCK_OP_RW		5
#define VSOCK_OP_CREDIT_UPDATE	6
#define VSOCK_OP_CREDIT_REQUEST	7

#define VSOCK_SHUTDOWN_RCV	1	/* the sender will receive no more */
#define VSOCK_SHUTDOWN_SEND	2	/* the sender will send no more */

struct vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;			/* payload bytes after the header */
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;		/* the sender's receive buffer */
	uint32_t fwd_cnt;		/* bytes the sender has consumed */
} __attribute__((packed));

#define VSOCK_HDR_BYTES		44

/* The host side of every connection: receive buffer, hence credit. */
#define VSOCK_BUF_ALLOC		(256u * 1024)
/* First port the device gives a host-initiated connection. */
#define VSOCK_LOCAL_PORT_BASE	(1u << 30)

#endif
