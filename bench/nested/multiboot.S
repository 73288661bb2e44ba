/* SPDX-License-Identifier: MIT */
/*
 * A multiboot (v1) header and entry for bench/nested/exits-guest.c (and
 * bench/exits/guest.c, for bench/exits/callgrind-qemu.sh) under
 * QEMU's -kernel: linked first (its .text.start ahead of start.S's, so the
 * header is in the file's first 8 KiB) with -e mb_start. QEMU loads the
 * ELF's segments and enters mb_start in flat 32-bit protected mode,
 * paging off; tests/guest/start.S expects what boardvm --flat gives,
 * ESI = the vCPU index: 0 here.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0

	.section .text.start, "ax"
	.balign 4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.code32
	.globl	mb_start
mb_start:
	xorl	%esi, %esi
	jmp	_start
