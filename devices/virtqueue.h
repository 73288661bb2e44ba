/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (virtio 1.x, "Split Virtqueues"), device side, with
 * strict validation of everything the guest controls. No KVM, no PCI:
 * a queue is three guest-physical addresses, a size and a struct
 * guest_ram, so the same code runs under the VMM, in device tests and
 * under a fuzzer (virtq_pop() over a fake guest RAM is the entry point).
 *
 * Rules (docs/virtio.md): the rings lie inside one guest RAM span each and
 * are aligned (descriptors 16, avail 2, used 4); the size is a power of
 * two <= the device's maximum; the driver never has more than `size`
 * chains outstanding; every descriptor index is < size; a chain has at
 * most `size` descriptors (so a loop is caught by the count); buffers lie
 * inside one RAM span each, without wrap-around; device-readable buffers
 * come before device-writable ones; the total length fits in 32 bits;
 * INDIRECT is refused (not offered). Zero-length descriptors are allowed
 * and skipped. Any violation marks the queue broken: virtq_pop() returns
 * -1 with vq->error set, and keeps returning -1 until virtq_reset().
 *
 * EVENT_IDX (when vq->event_idx): virtq_pop() that finds the ring empty
 * writes avail_event = the next entry it will take, then looks again
 * (so a driver adding a buffer meanwhile either is seen or kicks);
 * virtq_needs_interrupt() honours used_event.
 *
 * Ordering: the avail index is read with acquire (descriptors and ring
 * entries the driver wrote before it are visible), the used index is
 * written with release (the used element and the buffers' contents are
 * visible before it). Each descriptor is copied once before it is
 * checked, so a guest rewriting it concurrently cannot slip past a check.
 */
#ifndef BOARDVM_VIRTQUEUE_H
#define BOARDVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct guest_ram;

#define VIRTQ_MAX_SIZE		256	/* what our devices offer */

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

/* Ring layouts, as the guest writes them (little-endian, x86 host). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* Bytes of each ring part for a queue of `size` entries (no event idx). */
#define VIRTQ_DESC_BYTES(size)	(16ull * (size))
#define VIRTQ_AVAIL_BYTES(size)	(4ull + 2ull * (size))
#define VIRTQ_USED_BYTES(size)	(4ull + 8ull * (size))

struct virtq {
	/* As the driver programmed them (transport registers). */
	uint16_t size;
	uint16_t max_size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t msix_vector;
	bool enabled;
	/*
	 * VIRTIO_F_EVENT_IDX negotiated (the transport sets it before
	 * virtq_start()): the rings carry used_event and avail_event.
	 */
	bool event_idx;
	/* Set by virtq_start(). */
	const struct guest_ram *ram;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* our copy of used->idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt check */
	bool signalled_valid;		/* signalled_used means something */
	bool broken;
	const char *error;		/* why broken: for logs and tests */
};

/* One buffer of a chain, mapped into the VMM (len > 0). */
struct virtq_seg {
	void *host;
	uint32_t len;
};

/*
 * A popped chain: `out` device-readable segments, then `in`
 * device-writable ones, in seg[0 .. nr_out + nr_in).
 */
struct virtq_req {
	uint16_t head;
	unsigned nr_out, nr_in;
	uint32_t out_len, in_len;	/* bytes in each direction */
	struct virtq_seg seg[VIRTQ_MAX_SIZE];
};

/* Back to the reset state (size = max_size, addresses 0, not enabled). */
void virtq_reset(struct virtq *vq, uint16_t max_size);

/*
 * Check the programmed size and ring addresses against `ram` and map the
 * rings. Returns 0, or -1 with the queue broken and vq->error set.
 */
int virtq_start(struct virtq *vq, const struct guest_ram *ram);

/*
 * Take the next available chain. Returns 1 with `req` filled, 0 when the
 * ring is empty, -1 when the queue is (or just became) broken.
 */
int virtq_pop(struct virtq *vq, struct virtq_req *req);

/*
 * Mark the queue broken because of `why` (a static string), e.g. when a
 * device finds a request laid out against its protocol. Returns -1.
 */
int virtq_fail(struct virtq *vq, const char *why);

/*
 * Give back the last `n` chains popped and not pushed (a device that
 * found too few buffers for a packet): the next pops return them again.
 */
void virtq_unpop(struct virtq *vq, uint16_t n);

/*
 * Return a chain to the driver with `written` bytes written into its
 * device-writable buffers (clamped to req->in_len).
 */
void virtq_push(struct virtq *vq, const struct virtq_req *req,
		uint32_t written);

/*
 * The same for a chain the device no longer holds as a struct virtq_req
 * (its request completes later, virtio-blk's io_uring path): `head` as
 * virtq_pop() gave it, `written` already clamped to the chain's in_len.
 */
void virtq_push_id(struct virtq *vq, uint16_t head, uint32_t written);

/*
 * Whether the driver wants an interrupt for what was pushed: with
 * event_idx, when used_idx passed the driver's used_event since the last
 * check (call it once per batch of pushes); else unless NO_INTERRUPT.
 */
bool virtq_needs_interrupt(struct virtq *vq);

/*
 * Copy between a request's segments and a flat buffer, starting `skip`
 * bytes into the device-readable (from) or device-writable (to) part.
 * Return the number of bytes copied.
 */
uint32_t virtq_copy_from(const struct virtq_req *req, uint32_t skip,
			 void *buf, uint32_t len);
uint32_t virtq_copy_to(const struct virtq_req *req, uint32_t skip,
		       const void *buf, uint32_t len);

#endif
