// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the split virtqueue parser (devices/virtqueue.c) over
 * a fake guest RAM whose contents, ring addresses and queue size all come
 * from the input, like a hostile driver's.
 *
 * Guest RAM is two adjacent spans, 0x1000-0x4fff and 0x5000-0x5fff (a
 * buffer may not straddle them), with nothing below 0x1000 or above
 * 0x6000. The input is:
 *
 *   header   max size (2), size (2), desc, avail, used addresses (4 each;
 *            taken modulo 0x8000, so most land in or near RAM)
 *   image    length (2), then that many bytes copied to RAM from 0x1000
 *   program  opcodes, each with its operands (missing bytes read as 0):
 *              pop        take a chain; check it; copy from/to it with a
 *                         skip and length (2 + 2), push it back
 *              poke       offset (2), count (1), bytes: the driver writes
 *                         RAM (new descriptors, avail index, ...)
 *              restart    reset, new size and addresses (2 + 4 * 3), start
 *              interrupt  virtq_needs_interrupt()
 *   then the queue is drained (at most 2 * size more pops).
 *
 * Besides the sanitizers, every popped chain is checked: at most `size`
 * segments, none empty, each inside one span, out_len and in_len their
 * sums, and copies never move more than they say.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtqueue.h"
#include "guest-ram.h"

#define RAM_BASE	0x1000u
#define SPAN0_SIZE	0x4000u
#define SPAN1_SIZE	0x1000u
#define RAM_SIZE	(SPAN0_SIZE + SPAN1_SIZE)
#define ADDR_MASK	0x7fffu

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static uint8_t ram_image[RAM_SIZE] __attribute__((aligned(16)));
static struct guest_ram ram;
static struct virtq vq;
static struct virtq_req req;
static uint8_t bounce[2 * 65536];

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		if (in->pos < in->size)
			v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

static void __attribute__((noreturn)) oracle_fail(const char *what)
{
	fprintf(stderr, "fuzz-virtqueue: %s (size %u, head %u, out %u, "
		"in %u)\n", what, vq.size, req.head, req.nr_out, req.nr_in);
	abort();
}

/* The span that holds host byte `p`, as [start, end). */
static void span_of(const uint8_t *p, const uint8_t **start,
		    const uint8_t **end)
{
	if (p >= ram_image && p < ram_image + SPAN0_SIZE) {
		*start = ram_image;
		*end = ram_image + SPAN0_SIZE;
	} else if (p >= ram_image + SPAN0_SIZE && p < ram_image + RAM_SIZE) {
		*start = ram_image + SPAN0_SIZE;
		*end = ram_image + RAM_SIZE;
	} else {
		oracle_fail("segment outside guest RAM");
	}
}

static void check_req(void)
{
	uint64_t out = 0, in = 0;

	if (req.nr_out + req.nr_in > vq.size)
		oracle_fail("more segments than the queue size");
	if (req.head >= vq.size)
		oracle_fail("head out of range");
	for (unsigned i = 0; i < req.nr_out + req.nr_in; i++) {
		const uint8_t *p = req.seg[i].host, *start, *end;

		if (!req.seg[i].len)
			oracle_fail("empty segment");
		span_of(p, &start, &end);
		if (req.seg[i].len > (size_t)(end - p))
			oracle_fail("segment runs past its span");
		if (i < req.nr_out)
			out += req.seg[i].len;
		else
			in += req.seg[i].len;
	}
	if (out != req.out_len || in != req.in_len)
		oracle_fail("out_len/in_len are not the segment sums");
}

static void queue_program(struct input *in)
{
	vq.size = take(in, 2);
	vq.desc_gpa = take(in, 4) & ADDR_MASK;
	vq.avail_gpa = take(in, 4) & ADDR_MASK;
	vq.used_gpa = take(in, 4) & ADDR_MASK;
}

static void op_pop(struct input *in)
{
	uint32_t skip = take(in, 2), len = take(in, 2), n;

	if (virtq_pop(&vq, &req) != 1)
		return;
	check_req();
	n = virtq_copy_from(&req, skip, bounce, len);
	if (n > len || n > req.out_len)
		oracle_fail("copy_from moved more than asked or available");
	n = virtq_copy_to(&req, skip, bounce, len);
	if (n > len || n > req.in_len)
		oracle_fail("copy_to moved more than asked or available");
	virtq_push(&vq, &req, n + (skip & 0xff));
}

static void op_poke(struct input *in)
{
	uint32_t offset = take(in, 2) % RAM_SIZE;
	unsigned count = take(in, 1) % 16;

	for (unsigned i = 0; i < count; i++)
		ram_image[(offset + i) % RAM_SIZE] = take(in, 1);
}

static void op_restart(struct input *in)
{
	virtq_reset(&vq, vq.max_size);
	queue_program(in);
	virtq_start(&vq, &ram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .data = data, .size = size };
	size_t image;

	if (!ram.nr &&
	    (guest_ram_add(&ram, RAM_BASE, SPAN0_SIZE, ram_image) < 0 ||
	     guest_ram_add(&ram, RAM_BASE + SPAN0_SIZE, SPAN1_SIZE,
			   ram_image + SPAN0_SIZE) < 0))
		abort();
	memset(ram_image, 0, sizeof(ram_image));
	virtq_reset(&vq, take(&in, 2));
	queue_program(&in);
	image = take(&in, 2) % (RAM_SIZE + 1);
	for (size_t i = 0; i < image && in.pos < in.size; i++)
		ram_image[i] = in.data[in.pos++];
	virtq_start(&vq, &ram);

	while (in.pos < in.size) {
		switch (take(&in, 1) % 4) {
		case 0:
			op_pop(&in);
			break;
		case 1:
			op_poke(&in);
			break;
		case 2:
			op_restart(&in);
			break;
		default:
			virtq_needs_interrupt(&vq);
			break;
		}
	}
	for (unsigned i = 0; i < 2u * vq.size + 2; i++) {
		int r = virtq_pop(&vq, &req);

		if (r != 1)
			break;
		check_req();
		virtq_push(&vq, &req, req.in_len);
	}
	return 0;
}
