/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest exception entry stubs for exception_test: record vector, error
 * code, faulting RIP and CR2 in exc_info, then resume at exc_info.resume
 * (cleared after use). Without a resume address the handler halts, which
 * the host reports as an unexpected exception.
 *
 * struct exc_info layout: vector 0, error 8, rip 16, cr2 24, count 32,
 * resume 40, cs 48. An exception from CPL3 does not resume: it returns
 * from enter_user() instead.
 *
 * struct user_info layout: value 0, cs 8, kernel_rsp 16, user_rsp 24.
 */
	.text
	.macro	STUB vec
exc_stub_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
	.endm

	.macro	STUB_ADDR vec
	.quad	exc_stub_\vec
	.endm

	.altmacro
	.set	i, 0
	.rept	32
	STUB	%i
	.set	i, i + 1
	.endr

exc_common:
	pushq	%rax
	movq	8(%rsp), %rax
	movq	%rax, exc_info+0(%rip)
	movq	16(%rsp), %rax
	movq	%rax, exc_info+8(%rip)
	movq	24(%rsp), %rax
	movq	%rax, exc_info+16(%rip)
	movq	%cr2, %rax
	movq	%rax, exc_info+24(%rip)
	incq	exc_info+32(%rip)
	movq	32(%rsp), %rax
	movq	%rax, exc_info+48(%rip)
	testb	$3, %al
	jnz	back_to_kernel
	movq	exc_info+40(%rip), %rax
	testq	%rax, %rax
	jz	2f
	movq	%rax, 24(%rsp)
	movq	$0, exc_info+40(%rip)
	popq	%rax
	addq	$16, %rsp
	iretq
2:	hlt
	jmp	2b

/* void enter_user(void (*fn)(void), uint64_t user_rsp): run fn at CPL3. */
	.globl	enter_user
enter_user:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, kernel_saved_rsp(%rip)
	pushq	$0x33		/* SS: user data, RPL 3 */
	pushq	%rsi		/* RSP */
	pushq	$0x2		/* RFLAGS */
	pushq	$0x2b		/* CS: user code, RPL 3 */
	pushq	%rdi		/* RIP */
	iretq

/* From a handler at CPL0: return from enter_user(). */
back_to_kernel:
	movq	kernel_saved_rsp(%rip), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/* INT 0x80 gate (DPL 3): record RAX and the frame, return to kernel. */
	.globl	user_int80
user_int80:
	movq	%rax, user_info+0(%rip)
	movq	8(%rsp), %rax
	movq	%rax, user_info+8(%rip)
	movq	%rsp, user_info+16(%rip)
	movq	24(%rsp), %rax
	movq	%rax, user_info+24(%rip)
	jmp	back_to_kernel

	.bss
	.balign	8
kernel_saved_rsp:
	.quad	0

	.section .rodata
	.globl	exc_stub_table
	.balign	8
exc_stub_table:
	.set	i, 0
	.rept	32
	STUB_ADDR %i
	.set	i, i + 1
	.endr
	.section .note.GNU-stack, "", @progbits
