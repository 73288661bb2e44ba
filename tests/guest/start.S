/* SPDX-License-Identifier: MIT */
/*
 * Guest entry. boardvm --flat starts every vCPU here in flat 32-bit
 * protected mode with ESI = vCPU index and no stack. Load our own GDT (so
 * interrupts can reload CS), give each vCPU its own stack, and call
 * guest_entry(cpu) in lib.c.
 */
#define GUEST_STACK_SHIFT	12		/* 4 KiB per vCPU */
#define GUEST_MAX_CPUS		8

	.code32
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	lgdt	gdt_desc
	ljmp	$0x08, $1f
1:	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	%esi, %eax
	incl	%eax
	shll	$GUEST_STACK_SHIFT, %eax
	leal	guest_stacks(%eax), %esp
	pushl	%esi
	call	guest_entry
2:	cli
	hlt
	jmp	2b

/* The vector guest_irq_vector (lib.c) lands here: save, call C, return. */
	.text
	.globl	guest_irq_stub
guest_irq_stub:
	pushal
	cld
	call	guest_irq_handler
	popal
	iret

/*
 * 8-byte MMIO from 32-bit code: one MMX movq, a single 64-bit access.
 * uint64_t mmio_read64(uint32_t addr); void mmio_write64(uint32_t addr,
 * uint64_t value). No emms: KVM's instruction emulator lacks it, and no
 * guest here uses x87.
 */
	.globl	mmio_read64
mmio_read64:
	movl	4(%esp), %eax
	movq	(%eax), %mm0
	subl	$8, %esp
	movq	%mm0, (%esp)
	popl	%eax
	popl	%edx
	ret

	.globl	mmio_write64
mmio_write64:
	movl	4(%esp), %eax
	movq	8(%esp), %mm0
	movq	%mm0, (%eax)
	ret

	.data
	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: code, flat 4 GiB */
	.quad	0x00cf92000000ffff		/* 0x10: data, flat 4 GiB */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

	.bss
	.balign	16
	.globl	guest_stacks
guest_stacks:
	.skip	(GUEST_MAX_CPUS + 1) << GUEST_STACK_SHIFT

	.section .note.GNU-stack, "", @progbits
