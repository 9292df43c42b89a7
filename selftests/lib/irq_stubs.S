/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest interrupt entry stubs for the interrupt selftests (apic_guest.h):
 * one stub per vector 0-255 pushes an error code (a zero for vectors
 * without one) and the vector, saves the GPRs and calls
 * irq_dispatch(struct irq_frame *), then returns with IRETQ.
 *
 * Frame (struct irq_frame): r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx
 * rcx rbx rax, vector, error, then the CPU's rip cs rflags rsp ss. The CPU
 * aligns RSP to 16 before its 5 pushes; 2 + 15 pushes keep the call
 * 16-byte aligned.
 *
 * Also small probes whose return addresses the tests compare with the RIP
 * an interrupt handler saw (STI shadow, HLT, TPR writes).
 */
	.text
	.macro	IRQ_STUB vec
	.balign	16
irq_stub_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	irq_common
	.endm

	.macro	IRQ_STUB_ADDR vec
	.quad	irq_stub_\vec
	.endm

	.altmacro
	.set	i, 0
	.rept	256
	IRQ_STUB %i
	.set	i, i + 1
	.endr

irq_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	irq_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp
	iretq

/*
 * void sti_shadow_probe(void): STI, one instruction in the shadow that
 * sets irq_shadow_flag to 1, then (sti_shadow_after) sets it to 2. A
 * pending interrupt must be taken exactly at sti_shadow_after.
 */
	.globl	sti_shadow_probe
	.globl	sti_shadow_after
sti_shadow_probe:
	sti
	movq	$1, irq_shadow_flag(%rip)
sti_shadow_after:
	movq	$2, irq_shadow_flag(%rip)
	cli
	ret

/* void sti_cli_probe(void): STI immediately followed by CLI. */
	.globl	sti_cli_probe
sti_cli_probe:
	sti
	cli
	ret

/* void hlt_probe(void): STI; HLT; the wake-up interrupt returns to hlt_probe_after. */
	.globl	hlt_probe
	.globl	hlt_probe_after
hlt_probe:
	sti
	hlt
hlt_probe_after:
	cli
	ret

/* void irq_window_probe(void): STI; NOP; an interrupt lands at irq_window_after. */
	.globl	irq_window_probe
	.globl	irq_window_after
irq_window_probe:
	sti
	nop
irq_window_after:
	cli
	ret

/* void cr8_probe(uint64_t v): with IF = 1, MOV v to CR8; lands at cr8_probe_after. */
	.globl	cr8_probe
	.globl	cr8_probe_after
cr8_probe:
	sti
	nop
	movq	%rdi, %cr8
cr8_probe_after:
	nop
	cli
	ret

/* void tpr_mmio_probe(uint32_t v): with IF = 1, write v to the xAPIC TPR. */
	.globl	tpr_mmio_probe
	.globl	tpr_mmio_probe_after
tpr_mmio_probe:
	movl	$0xfee00080, %eax
	sti
	nop
	movl	%edi, (%rax)
tpr_mmio_probe_after:
	nop
	cli
	ret

	.section .rodata
	.globl	irq_stub_table
	.balign	8
irq_stub_table:
	.set	i, 0
	.rept	256
	IRQ_STUB_ADDR %i
	.set	i, i + 1
	.endr
	.section .note.GNU-stack, "", @progbits
