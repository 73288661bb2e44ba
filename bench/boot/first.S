/* SPDX-License-Identifier: MIT */
/*
 * The boot bench's guest: its first instruction starts writing the exit
 * status to the pc board's debug-exit port, so a run's wall time is the
 * VMM's launch to the guest's first instruction (plus the exit).
 *
 * One source, two forms (bench/boot/boot.mk): first.bin (raw, for
 * boardvm --flat), first.elf (an ELF64 with a PVH entry note, for boardvm
 * --kernel and QEMU -kernel: the PVH entry is 32-bit flat protected mode,
 * like --flat). QEMU's isa-debug-exit at the same port exits with
 * (33 << 1) | 1 = 67.
 */
#include "board.h"

#define FIRST_STATUS		33		/* GUEST_EXIT_PASS */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.code32
	.section .text.start, "ax"
	.globl	_start
_start:
	movw	$BOARD_DEBUG_EXIT_PIO_BASE, %dx
	movb	$FIRST_STATUS, %al
	outb	%al, %dx
1:	cli
	hlt
	jmp	1b

	.section .note.Xen, "a", @note
	.balign	4
	.long	4			/* namesz */
	.long	4			/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.long	_start

	.section .note.GNU-stack, "", @progbits
