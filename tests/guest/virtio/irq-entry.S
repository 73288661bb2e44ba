/* SPDX-License-Identifier: MIT */
/*
 * Interrupt entry for the virtio guests: vectors VIRTIO_VECTOR_INTX (0x3f)
 * to 0x4f push their number and call guest_vector_handler(vector).
 *
 * The return does not use IRET: on hosts without hardware virtualisation
 * KVM emulates guest kernel code, and its emulator implements IRET only in
 * real mode. Same privilege level, so the frame is EIP, CS, EFLAGS: turn
 * it into EFLAGS, EIP and return with POPF; RET (an interrupt taken
 * between the two just nests on this stack).
 */
#define FIRST_VECTOR	0x3f
#define NR_VECTORS	17

	.code32
	.text
	.globl	irq_entries
	.balign	16
irq_entries:
	.set	vec, FIRST_VECTOR
	.rept	NR_VECTORS
	.balign	16
	pushl	$vec
	jmp	irq_common
	.set	vec, vec + 1
	.endr

irq_common:
	pushal
	cld
	pushl	32(%esp)		/* the vector */
	call	guest_vector_handler
	addl	$4, %esp
	popal
	/* stack: vector, EIP, CS, EFLAGS */
	pushl	%eax
	movl	8(%esp), %eax		/* EIP */
	xchgl	%eax, 16(%esp)		/* EFLAGS slot <- EIP */
	movl	%eax, 12(%esp)		/* CS slot <- EFLAGS */
	popl	%eax
	addl	$8, %esp		/* stack: EFLAGS, EIP */
	popfl
	ret

	.section .note.GNU-stack, "", @progbits
