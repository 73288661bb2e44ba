// SPDX-License-Identifier: MIT
/*
 * Split virtqueues, device side: see virtqueue.h for the rules enforced.
 * Every read of guest-controlled ring memory is a single atomic load into
 * a local, validated before use; nothing outside guest RAM is touched
 * because every pointer comes from guest_ram_ptr() over the whole length.
 */
#include <string.h>

#include "guest-ram.h"
#include "virtqueue.h"

#define LOAD_RELAXED(p)		__atomic_load_n(p, __ATOMIC_RELAXED)
#define STORE_RELAXED(p, v)	__atomic_store_n(p, v, __ATOMIC_RELAXED)

void virtq_reset(struct virtq *vq, uint16_t max_size)
{
	if (max_size > VIRTQ_MAX_SIZE)
		max_size = VIRTQ_MAX_SIZE;	/* req->seg[] holds no more */
	memset(vq, 0, sizeof(*vq));
	vq->max_size = max_size;
	vq->size = max_size;
	vq->msix_vector = 0xffff;	/* VIRTIO_MSI_NO_VECTOR */
}

int virtq_fail(struct virtq *vq, const char *why)
{
	if (!vq->broken) {
		vq->broken = true;
		vq->error = why;
	}
	return -1;
}

static bool is_power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

int virtq_start(struct virtq *vq, const struct guest_ram *ram)
{
	uint16_t size = vq->size;

	if (!is_power_of_2(size) || size > vq->max_size)
		return virtq_fail(vq, "queue size is not a power of two no "
				  "larger than the device maximum");
	if (vq->desc_gpa % 16 || vq->avail_gpa % 2 || vq->used_gpa % 4)
		return virtq_fail(vq, "ring address misaligned (descriptors "
				  "16, avail 2, used 4 bytes)");
	if (!ram)
		return virtq_fail(vq, "no guest RAM to map the rings");
	vq->desc = guest_ram_ptr(ram, vq->desc_gpa, VIRTQ_DESC_BYTES(size));
	/* used_event after the avail ring, avail_event after the used one. */
	vq->avail = guest_ram_ptr(ram, vq->avail_gpa,
				  VIRTQ_AVAIL_BYTES(size) + 2 * vq->event_idx);
	vq->used = guest_ram_ptr(ram, vq->used_gpa,
				 VIRTQ_USED_BYTES(size) + 2 * vq->event_idx);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return virtq_fail(vq, "ring outside guest RAM");
	}
	vq->ram = ram;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->enabled = true;
	return 0;
}

/* Copy descriptor `i` out of guest memory, one load per field. */
static void desc_load(const struct virtq *vq, uint16_t i,
		      struct virtq_desc *d)
{
	struct virtq_desc *g = &vq->desc[i];

	d->addr = LOAD_RELAXED(&g->addr);
	d->len = LOAD_RELAXED(&g->len);
	d->flags = LOAD_RELAXED(&g->flags);
	d->next = LOAD_RELAXED(&g->next);
}

/* Check one descriptor and add its buffer to `req`. */
static int chain_add(struct virtq *vq, struct virtq_req *req,
		     const struct virtq_desc *d, uint64_t *total)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	struct virtq_seg *seg;
	void *host;

	if (d->flags & VIRTQ_DESC_F_INDIRECT)
		return virtq_fail(vq, "indirect descriptor, but "
				  "VIRTIO_F_INDIRECT_DESC is not offered");
	if (!writable && req->nr_in)
		return virtq_fail(vq, "device-readable descriptor after a "
				  "device-writable one");
	if (!d->len)
		return 0;		/* nothing to map: skipped */
	*total += d->len;
	if (*total > UINT32_MAX)
		return virtq_fail(vq, "chain longer than 4 GiB");
	host = guest_ram_ptr(vq->ram, d->addr, d->len);
	if (!host)
		return virtq_fail(vq, "buffer outside guest RAM");
	seg = &req->seg[req->nr_out + req->nr_in];
	seg->host = host;
	seg->len = d->len;
	if (writable) {
		req->nr_in++;
		req->in_len += d->len;
	} else {
		req->nr_out++;
		req->out_len += d->len;
	}
	return 0;
}

/* Walk the chain from `head`; at most `size` descriptors. */
static int chain_walk(struct virtq *vq, struct virtq_req *req, uint16_t head)
{
	uint64_t total = 0;
	uint16_t i = head;
	struct virtq_desc d;

	for (unsigned count = 0;; count++) {
		if (count == vq->size)
			return virtq_fail(vq, "descriptor chain longer than "
					  "the queue (a loop?)");
		desc_load(vq, i, &d);
		if (chain_add(vq, req, &d, &total) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->size)
			return virtq_fail(vq, "descriptor next index out of "
					  "range");
		i = d.next;
	}
}

/* avail_event: the slot after the used ring's `size` entries. */
static uint16_t *avail_event(struct virtq *vq)
{
	return (uint16_t *)((uint8_t *)vq->used + VIRTQ_USED_BYTES(vq->size));
}

/*
 * Nothing pending: with EVENT_IDX, ask for a kick at the next entry,
 * then look again (the driver may have added one before it saw that).
 */
static uint16_t pending_after_event(struct virtq *vq)
{
	if (!vq->event_idx)
		return 0;
	STORE_RELAXED(avail_event(vq), vq->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (uint16_t)(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) -
			  vq->last_avail);
}

int virtq_pop(struct virtq *vq, struct virtq_req *req)
{
	uint16_t avail_idx, pending, head;

	if (vq->broken)
		return -1;
	if (!vq->enabled || !vq->avail)
		return 0;
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	pending = avail_idx - vq->last_avail;
	if (!pending)
		pending = pending_after_event(vq);
	if (!pending)
		return 0;
	if (pending > vq->size)
		return virtq_fail(vq, "avail index ran more than the queue "
				  "size ahead");
	head = LOAD_RELAXED(&vq->avail->ring[vq->last_avail &
					     (vq->size - 1)]);
	if (head >= vq->size)
		return virtq_fail(vq, "avail ring entry out of range");
	req->head = head;
	req->nr_out = req->nr_in = 0;
	req->out_len = req->in_len = 0;
	if (chain_walk(vq, req, head) < 0)
		return -1;
	vq->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *vq, uint16_t n)
{
	vq->last_avail -= n;
}

void virtq_push(struct virtq *vq, const struct virtq_req *req,
		uint32_t written)
{
	virtq_push_id(vq, req->head, written > req->in_len ? req->in_len :
		      written);
}

void virtq_push_id(struct virtq *vq, uint16_t head, uint32_t written)
{
	struct virtq_used_elem *elem;

	if (vq->broken || !vq->used)
		return;
	elem = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	STORE_RELAXED(&elem->id, (uint32_t)head);
	STORE_RELAXED(&elem->len, written);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

/* The virtio spec's vring_need_event(): did [old, new) pass `event`? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_needs_interrupt(struct virtq *vq)
{
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_valid;

	if (!vq->avail)
		return false;
	/* The used idx store must be visible before the flags are read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(LOAD_RELAXED(&vq->avail->flags) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	return !valid || need_event(LOAD_RELAXED(&vq->avail->ring[vq->size]),
				    vq->used_idx, old);
}

uint32_t virtq_copy_from(const struct virtq_req *req, uint32_t skip,
			 void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t done = 0;

	for (unsigned i = 0; i < req->nr_out && done < len; i++) {
		const struct virtq_seg *s = &req->seg[i];
		uint32_t n;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n = s->len - skip;
		if (n > len - done)
			n = len - done;
		memcpy(p + done, (uint8_t *)s->host + skip, n);
		done += n;
		skip = 0;
	}
	return done;
}

uint32_t virtq_copy_to(const struct virtq_req *req, uint32_t skip,
		       const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t done = 0;

	for (unsigned i = req->nr_out; i < req->nr_out + req->nr_in &&
	     done < len; i++) {
		const struct virtq_seg *s = &req->seg[i];
		uint32_t n;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n = s->len - skip;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)s->host + skip, p + done, n);
		done += n;
		skip = 0;
	}
	return done;
}
