/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-written guest programs for the svp host tests. Linked at 0x200000;
 * the test harness builds the page tables, GDT, IDT (every vector points at
 * exc_common + 16 * vector) and TSS (RSP0 = 0x90000) before running them.
 * Exception handlers record: r15 = vector, r14 = error code (or -1),
 * r13 = CR2, r12 = faulting RIP, r11 = saved CS, then HLT.
 */
	.code64
	.text
	.globl _gstart
_gstart:

	.balign 16
	.globl exc_table
exc_table:
	vec = 0
	.rept 32
	.balign 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	push $-1		/* no error code */
	.endif
	push $vec
	jmp exc_common
	vec = vec + 1
	.endr

	.balign 16
exc_common:
	pop %r15
	pop %r14
	mov %cr2, %r13
	pop %r12		/* RIP */
	pop %r11		/* CS */
	hlt
	jmp .

	.globl t_ud
t_ud:
	ud2
	hlt

	.globl t_de
t_de:
	xor %ecx, %ecx
	mov $5, %eax
	xor %edx, %edx
	div %ecx
	hlt

	.globl t_de2
t_de2:
	mov $1, %edx
	mov $0, %eax
	mov $1, %ecx
	div %ecx		/* quotient overflow */
	hlt

	.globl t_gp
t_gp:
	mov $0x12345, %ecx
	rdmsr
	hlt

	.globl t_pf
t_pf:
	mov $0x40000000, %rax
	mov (%rax), %rbx
	hlt

	.globl t_pfw
t_pfw:
	mov $0x40001008, %rax
	movq $1, (%rax)
	hlt

	.globl t_int
t_int:
	int $0x1f
	hlt

	.globl t_io
t_io:
	in $0x60, %al
	mov %eax, %ebx
	add $1, %al
	out %al, $0x61
	mov $0x3f8, %dx
	in (%dx), %eax
	mov %eax, %esi
	hlt

	.globl t_mmio
t_mmio:
	mov $0xf0000000, %rdi
	mov (%rdi), %eax
	add $1, %eax
	mov %eax, 4(%rdi)
	addl $2, 8(%rdi)	/* RMW on MMIO: read exit then write exit */
	hlt

	.globl t_lock
t_lock:
	mov $0x300000, %rdi
	movq $5, (%rdi)
	lock addq $3, (%rdi)
	mov $10, %eax
	lock xadd %eax, (%rdi)
	mov $18, %eax
	mov $99, %ecx
	lock cmpxchg %ecx, (%rdi)
	mov $1, %edx
	xchg %rdx, 8(%rdi)
	lock btsq $5, 16(%rdi)
	lock incl 24(%rdi)
	lock notq 32(%rdi)
	hlt

	.globl t_lockloop
t_lockloop:		/* rcx = iterations, rdi = counter address */
1:	lock incq (%rdi)
	lock addl $2, 8(%rdi)
	dec %rcx
	jnz 1b
	hlt

	.globl t_lockud
t_lockud:
	.byte 0xf0, 0x01, 0xc3	/* lock add %eax, %ebx: #UD */
	hlt

	.globl t_smc
t_smc:
	lea smc_target(%rip), %rdi
	mov $1, %eax
	call smc_target
	mov %eax, %ebx
	movl $42, 1(%rdi)	/* patch the immediate */
	call smc_target
	hlt
smc_target:
	mov $7, %eax
	ret

	.globl t_rep
t_rep:
	cld
	mov $0x300100, %rdi
	mov $0xab, %al
	mov $100, %ecx
	rep stosb
	mov $0x300100, %rsi
	mov $0x300200, %rdi
	mov $100, %ecx
	rep movsb
	mov $0x300100, %rsi
	mov $0x300200, %rdi
	movb $0xac, 0x300200+57
	mov $100, %ecx
	repe cmpsb
	mov %rcx, %r8		/* 100 - 58 = 42 */
	mov $0x300200, %rdi
	mov $0xac, %al
	mov $100, %ecx
	repne scasb
	mov %rcx, %r9		/* 42 */
	std
	mov $0x3002f8, %rdi
	mov $0x1122334455667788, %rax
	mov $4, %ecx
	rep stosq
	cld
	mov %rdi, %r10		/* 0x3002d8 */
	mov $0x3002e0, %rsi
	lodsq
	hlt

	.globl t_user
t_user:			/* enter CPL3 at user_code with iretq */
	mov $0x28, %ax
	ltr %ax
	push $0x23		/* SS */
	push $0x1f0000		/* RSP */
	push $0x202		/* RFLAGS */
	push $0x1b		/* CS */
	lea user_code(%rip), %rax
	push %rax
	iretq
user_code:
	mov $0x200100, %rax
	mov (%rax), %rbx	/* user read of a user page: fine */
	mov %cs, %ecx
	mov $0x400000, %rax
	mov (%rax), %rbx	/* supervisor page: #PF U=1 */
	hlt

	.globl t_nx
t_nx:
	mov $0x600000, %rax
	jmp *%rax

	.globl t_triple
t_triple:
	lidt idt_null(%rip)
	ud2
idt_null:
	.word 0
	.quad 0

	.globl t_syscall
t_syscall:
	mov $0xc0000080, %ecx
	rdmsr
	or $1, %eax
	wrmsr
	mov $0xc0000081, %ecx
	xor %eax, %eax
	mov $0x00100008, %edx	/* SYSCALL CS 0x08, SYSRET base 0x10 */
	wrmsr
	mov $0xc0000082, %ecx
	lea sys_entry(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr
	mov $0xc0000084, %ecx
	mov $0x200, %eax
	xor %edx, %edx
	wrmsr
	mov $0x77, %ebx
	syscall
	hlt
sys_entry:
	mov %rcx, %r8
	mov %r11, %r9
	add $1, %ebx
	jmp *%rcx

	.globl t_fault_noncanon
t_fault_noncanon:
	mov $0x8000000000000000, %rax
	mov (%rax), %rbx
	hlt

	.globl t_fetch_mmio
t_fetch_mmio:
	mov $0xf0000000, %rax
	jmp *%rax

	.globl t_sse
t_sse:
	addps %xmm0, %xmm1
	hlt

	.globl t_misc
t_misc:			/* results in 0x302000.. */
	mov $0x302000, %rdi
	/* CMPXCHG16B: equal then unequal */
	movq $1, 0x100(%rdi)
	movq $2, 0x108(%rdi)
	mov $1, %eax
	mov $2, %edx
	mov $0x11, %ebx
	mov $0x22, %ecx
	lock cmpxchg16b 0x100(%rdi)
	setz (%rdi)
	lock cmpxchg16b 0x100(%rdi)
	setz 1(%rdi)
	mov %rax, 8(%rdi)		/* 0x11 */
	/* CMPXCHG8B */
	movq $0x0000000500000004, %rax
	mov %rax, 0x110(%rdi)
	mov $4, %eax
	mov $5, %edx
	mov $6, %ebx
	mov $7, %ecx
	lock cmpxchg8b 0x110(%rdi)
	setz 6(%rdi)
	/* ENTER/LEAVE */
	mov %rsp, %r8
	enter $32, $0
	sub %rsp, %r8			/* 40 */
	leave
	mov %r8, 16(%rdi)
	/* PUSHF/POPF: set DF and CF via popf */
	pushfq
	orq $0x401, (%rsp)
	popfq
	setc 2(%rdi)
	pushfq
	pop %rax
	cld
	mov %rax, 24(%rdi)
	/* BT with negative register offset on memory */
	movq $0x80, 0x1f8(%rdi)
	mov $-57, %rax
	bt %rax, 0x200(%rdi)		/* bit 7 of the qword at -8 */
	setc 3(%rdi)
	/* MOVABS, moffs, RIP-relative LEA */
	movabs $0x123456789abcdef0, %rax
	movabs %rax, 0x302020
	movabs 0x302020, %rax
	lea t_misc(%rip), %rbx
	mov %rbx, 40(%rdi)
	/* XLAT */
	lea xlat_tab(%rip), %rbx
	mov $3, %eax
	xlat
	mov %al, 4(%rdi)		/* 0x44 */
	/* LOOP */
	mov $5, %ecx
	xor %eax, %eax
1:	add $2, %eax
	loop 1b
	mov %al, 5(%rdi)		/* 10 */
	/* CALL indirect, RET imm16 */
	lea ret_imm(%rip), %rax
	push $0x55
	call *%rax
	mov %rsp, %r9
	/* CQO, IDIV r/m64 from memory */
	movq $-7, 0x40(%rdi)
	mov $100, %rax
	cqo
	idivq 0x40(%rdi)
	mov %rax, 0x48(%rdi)		/* -14 */
	mov %rdx, 0x50(%rdi)		/* 2 */
	/* page-crossing write and read */
	mov $0x303ffd, %rbx
	movq $0x1122334455667788, %rax
	mov %rax, (%rbx)
	mov (%rbx), %rcx
	mov %rcx, 0x58(%rdi)
	lock incq (%rbx)
	mov (%rbx), %rcx
	mov %rcx, 0x60(%rdi)
	/* INVLPG: remap 0x40000000 (1 GiB PDPTE 1) to 0 and read */
	movq $0x87, 0x2008
	invlpg 0x40000000
	mov $0x40000000, %rax
	mov 0x6004(%rax), %rcx		/* TSS RSP0 = 0x90000 */
	mov %rcx, 0x68(%rdi)
	movq $0, 0x2008
	mov %cr3, %rax
	mov %rax, %cr3
	hlt
ret_imm:
	ret $8
xlat_tab:
	.byte 0x11, 0x22, 0x33, 0x44

	.globl t_iret
t_iret:
	xor %r10d, %r10d
	int $0x20
	int $0x20
	pushfq
	orq $0x200, (%rsp)
	popfq
	int $0x20
	hlt

	.globl iret_handler
iret_handler:
	add $1, %r10
	pushfq
	pop %r9			/* IF cleared by the interrupt gate */
	iretq

	.globl t_swapgs
t_swapgs:
	mov $0xc0000101, %ecx
	mov $0x1111, %eax
	xor %edx, %edx
	wrmsr
	mov $0xc0000102, %ecx
	mov $0x302222, %eax
	wrmsr
	mov $3, %r8d
1:	swapgs
	dec %r8d
	jnz 1b
	mov $0xc0000101, %ecx
	rdmsr
	mov %rax, %rbx
	rdtscp
	push $0x1234
	popq %gs:0x100		/* pop to memory, GS base 0x2222 */
	hlt

	.globl t_df
t_df:
	ud2


/*
 * Interrupt tests (vectors and IDT entries set up by test_irq()).
 * irq_rec records the frame: r8 = RSP in the handler, r12 = RIP,
 * r11 = CS, r10 = RFLAGS, r9 = RSP, rdi = SS (as pushed), r13 = RFLAGS
 * in the handler; then HLT, then IRETQ.
 */
	.globl t_irq_hlt
t_irq_hlt:
	mov $0x80008, %rsp	/* not 16-byte aligned */
	sti
	hlt
irq_hlt_ret:
	mov $1, %ebx
	hlt

irq_rec:
	mov %rsp, %r8
	mov (%rsp), %r12
	mov 8(%rsp), %r11
	mov 16(%rsp), %r10
	mov 24(%rsp), %r9
	mov 32(%rsp), %rdi
	pushfq
	pop %r13
	hlt
irq_rec_done:
	iretq

t_sti_win:			/* starts with IF = 0 */
	nop
	sti
	nop
sti_win_at:
	nop
	hlt

t_movss:
	mov %ss, %eax
	mov %eax, %ss
	nop
movss_after:
	nop
	hlt

t_nmi:
	nop
	hlt
nmi_ret:
	mov $1, %ebx
	hlt

nmi_handler:
	inc %r14
	hlt
	iretq

t_spin:				/* progress counter at 0x301100 */
	inc %rax
	mov %rax, 0x301100
	jmp t_spin

t_cr8:
	mov $5, %eax
	mov %rax, %cr8
cr8_after:
	mov %cr8, %rbx
	mov $0x10, %eax
cr8_gp:
	mov %rax, %cr8		/* bits 63:4 set: #GP(0) */
	hlt

t_msrop:
	mov $0x1b, %ecx
	rdmsr
	mov %eax, %ebx
	mov %edx, %esi
	mov $0x808, %ecx
	mov $0x30, %eax
	xor %edx, %edx
msrop_wr:
	wrmsr
	mov $0x80f, %ecx
msrop_gp:
	rdmsr			/* the op refuses: #GP(0) */
	hlt

	/*
	 * A store patching the next instruction of a cached block: the
	 * block runs twice storing to data, the third time the store hits
	 * the immediate of the MOV after it (rbx = 7 + 7 + 42).
	 */
	.globl t_smc2
t_smc2:
	lea smc2_insn+1(%rip), %rax
	mov %rax, 0x300808
	movq $0x300900, 0x300810
	movq $0x300900, 0x300818
	xor %ebx, %ebx
	mov $3, %ecx
	mov $42, %edx
smc2_loop:
	mov 0x300800(,%rcx,8), %rdi
	movl %edx, (%rdi)
smc2_insn:
	mov $7, %eax
	add %eax, %ebx
	dec %ecx
	jnz smc2_loop
	hlt

	.globl _gend
_gend:
