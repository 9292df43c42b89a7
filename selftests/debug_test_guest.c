// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of debug_test: a known instruction sequence for VMM single
 * step, accesses for VMM hardware breakpoints, and the guest's own
 * debugging (TF, INT1, INT3, MOV DR, its own breakpoints). #DB and #BP
 * have handlers here that record what they saw in dbg_info; #GP and #UD
 * use exception_stubs.S (exc_info, resume address).
 */
#include "guest.h"
#include "debug_test.h"
#include "exception_test.h"

volatile struct exc_info exc_info;
volatile struct user_info user_info;	/* used by exception_stubs.S */
volatile struct dbg_info dbg_info;
volatile uint64_t dbg_data[4] __attribute__((aligned(64)));
volatile uint8_t dbg_buf[64] __attribute__((aligned(64)));
volatile uint64_t step_flags;
volatile uint64_t step_tf_hidden = 1;	/* cleared by the host for kvm */
extern const uint64_t exc_stub_table[32];

/*
 * step_seq: the single-step sequence (called with RDI = &step_flags):
 * 10 instructions before step_end (the REP MOVSB copies 2 bytes: two
 * steps), INT3 in the middle (its delivery is a step, then the handler's
 * BP_HANDLER_INSNS instructions).
 *
 * db_handler: #DB; records the frame's RIP and RFLAGS and DR6, clears TF
 * and sets RF in the frame (so that an execute breakpoint does not fire
 * again), returns.
 * bp_handler: #BP; counts and records the RIP, returns.
 */
__asm__(
	".text\n"
	".globl step_seq, step_l1, step_l2, step_l3, step_l4, step_l5\n"
	".globl step_l6, step_l7, step_l8, step_l9, step_int3, step_end\n"
	"step_seq:\n"
	"	mov $1, %eax\n"
	"step_l1: add %eax, %eax\n"
	"step_l2: pushfq\n"
	"step_l3: pop %rax\n"
	"step_l4: mov %rax, (%rdi)\n"
	"step_l5: jmp step_l6\n"
	"	ud2\n"
	"step_l6: lea dbg_buf(%rip), %rsi\n"
	"step_l7: mov $2, %ecx\n"
	"step_l8: lea dbg_buf+32(%rip), %rdi\n"
	"step_l9: rep movsb\n"
	"step_int3: int3\n"
	"step_end: ret\n"
	".globl db_handler\n"
	"db_handler:\n"
	"	push %rax\n"
	"	incq dbg_info+0(%rip)\n"
	"	mov 8(%rsp), %rax\n"
	"	mov %rax, dbg_info+8(%rip)\n"
	"	mov %dr6, %rax\n"
	"	mov %rax, dbg_info+16(%rip)\n"
	"	mov 24(%rsp), %rax\n"
	"	mov %rax, dbg_info+24(%rip)\n"
	"	andq $~0x100, 24(%rsp)\n"
	"	orq $0x10000, 24(%rsp)\n"
	"	pop %rax\n"
	"	iretq\n"
	".globl bp_handler, bp_handler_end\n"
	"bp_handler:\n"
	"	incq dbg_info+32(%rip)\n"
	"	pushq (%rsp)\n"
	"	popq dbg_info+40(%rip)\n"
	"bp_handler_end:\n"
	"	iretq\n"
	".globl dbg_exec_target\n"
	"dbg_exec_target:\n"
	"	nop\n"
	"	ret\n"
	/* void dbg_write(void *p, uint64_t v, int size) */
	".globl dbg_write, dbg_write_insn, dbg_write_end\n"
	"dbg_write:\n"
	"	cmp $1, %edx\n"
	"	je 1f\n"
	"	cmp $2, %edx\n"
	"	je 2f\n"
	"	cmp $4, %edx\n"
	"	je 4f\n"
	"	jmp 8f\n"
	"1:	movb %sil, (%rdi)\n"
	"	ret\n"
	"2:	movw %si, (%rdi)\n"
	"	ret\n"
	"4:	movl %esi, (%rdi)\n"
	"	ret\n"
	"8:\n"
	"dbg_write_insn:\n"
	"	movq %rsi, (%rdi)\n"
	"dbg_write_end:\n"
	"	ret\n"
	/* uint64_t dbg_read(void *p): one 8-byte load */
	".globl dbg_read, dbg_read_insn, dbg_read_end\n"
	"dbg_read:\n"
	"dbg_read_insn:\n"
	"	movq (%rdi), %rax\n"
	"dbg_read_end:\n"
	"	ret\n"
	/* void dbg_stos(void *p, uint64_t n): REP STOSB of zeros */
	".globl dbg_stos, dbg_stos_insn, dbg_stos_end\n"
	"dbg_stos:\n"
	"	mov %rsi, %rcx\n"
	"	xor %eax, %eax\n"
	"dbg_stos_insn:\n"
	"	rep stosb\n"
	"dbg_stos_end:\n"
	"	ret\n"
);

void step_seq_call(volatile uint64_t *flags) __asm__("step_seq");
void dbg_write(volatile void *p, uint64_t v, int size);
uint64_t dbg_read(volatile void *p);
void dbg_stos(volatile void *p, uint64_t n);
void dbg_exec(void) __asm__("dbg_exec_target");

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void idt_set(int vec, uint64_t a, uint8_t type)
{
	idt_gate_set(&idt[vec], a, type);
}

static void idt_install(void)
{
	int i;

	for (i = 0; i < 32; i++)
		idt_set(i, exc_stub_table[i], 0x8e);
	idt_set(1, (uintptr_t)db_handler, 0x8e);
	idt_set(3, (uintptr_t)bp_handler, 0xee);	/* DPL 3 */
	idt_load(idt, 256);
	memset((void *)&exc_info, 0, sizeof(exc_info));
	memset((void *)&dbg_info, 0, sizeof(dbg_info));
}

/* VMM single step over step_seq; the host counts the exits. */
void guest_step(void)
{
	idt_install();
	GUEST_SYNC(0);		/* host arms single step */
	step_seq_call(&step_flags);
	GUEST_SYNC(1);		/* host turns it off */
	GUEST_ASSERT_EQ(dbg_info.bp_count, 1);
	GUEST_ASSERT_EQ(dbg_info.bp_rip, (uintptr_t)step_end);
	GUEST_ASSERT_EQ(dbg_info.db_count, 0);
	if (step_tf_hidden)
		GUEST_ASSERT_EQ(step_flags & 0x100, 0);	/* no TF seen */
	GUEST_ASSERT_EQ(dbg_buf[32], dbg_buf[0]);
	step_seq_call(&step_flags);	/* runs free */
	GUEST_ASSERT_EQ(dbg_info.bp_count, 2);
	GUEST_DONE();
}

/*
 * VMM hardware breakpoints: before each access the host arms one (SYNC
 * argument = case number, see debug_test.c).
 */
void guest_hwbp(void)
{
	static const int sizes[4] = { 1, 2, 4, 8 };
	int i;

	idt_install();
	GUEST_SYNC(1);			/* execute breakpoint */
	dbg_exec();
	for (i = 0; i < 4; i++) {
		GUEST_SYNC(20 + i);	/* write breakpoint i of sizes[i] */
		dbg_write(&dbg_data[i], 0x1111 * sizes[i], 8);
	}
	GUEST_SYNC(3);			/* its last byte hits, the next not */
	dbg_write((volatile uint8_t *)&dbg_data[1] + 7, 0xaa, 1);
	dbg_write((volatile uint8_t *)&dbg_data[1] + 8, 0xaa, 1);
	GUEST_SYNC(4);			/* read/write breakpoint, read */
	(void)dbg_read(&dbg_data[2]);
	GUEST_SYNC(5);			/* write breakpoint, read: no exit */
	(void)dbg_read(&dbg_data[1]);
	GUEST_SYNC(6);			/* REP STOSB over a breakpoint */
	dbg_stos(dbg_buf, 16);
	GUEST_SYNC(7);			/* off: runs free */
	dbg_exec();
	dbg_write(&dbg_data[3], 5, 8);
	GUEST_ASSERT_EQ(dbg_info.db_count, 0);
	GUEST_DONE();
}

static inline uint64_t get_dr6(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline uint64_t get_dr7(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline void set_dr(int n, uint64_t v)
{
	switch (n) {
	case 0:
		__asm__ volatile("mov %0, %%dr0" : : "r"(v));
		break;
	case 1:
		__asm__ volatile("mov %0, %%dr1" : : "r"(v));
		break;
	case 2:
		__asm__ volatile("mov %0, %%dr2" : : "r"(v));
		break;
	case 3:
		__asm__ volatile("mov %0, %%dr3" : : "r"(v));
		break;
	case 6:
		__asm__ volatile("mov %0, %%dr6" : : "r"(v));
		break;
	default:
		__asm__ volatile("mov %0, %%dr7" : : "r"(v));
		break;
	}
}

/* Run INSN with exc_info.resume set to just after it; return that address. */
#define TRY(insn, ...)							\
	({								\
		uint64_t __r;						\
		__asm__ volatile("leaq 1f(%%rip), %0\n\t"		\
				 "movq %0, exc_info+40(%%rip)\n\t"	\
				 insn "\n1:"				\
				 : "=&r"(__r) : __VA_ARGS__		\
				 : "rax", "rcx", "rdx", "memory");	\
		__r;							\
	})

/* The guest's own debugging. */
void guest_own(void)
{
	uint64_t r, v, cr4;

	idt_install();
	/* reset values */
	GUEST_ASSERT_EQ(get_dr6(), 0xffff0ff0);
	GUEST_ASSERT_EQ(get_dr7(), 0x400);

	/* TF: #DB trap after the instruction following POPF, DR6.BS */
	__asm__ volatile("pushfq\n\t"
			 "orq $0x100, (%%rsp)\n\t"
			 "popfq\n\t"
			 "nop\n\t"
			 "leaq 1f(%%rip), %0\n"
			 "1:"
			 : "=r"(r) : : "memory");
	GUEST_ASSERT_EQ(dbg_info.db_count, 1);
	/* the trap came after the NOP: RIP is the LEA (7 bytes before 1:) */
	GUEST_ASSERT_EQ(dbg_info.db_rip, r - 7);
	GUEST_ASSERT(dbg_info.db_dr6 & (1ULL << 14));
	GUEST_ASSERT_EQ(dbg_info.db_dr6 & 0xf, 0);
	GUEST_ASSERT(dbg_info.db_rflags & 0x100);
	set_dr(6, 0);
	GUEST_ASSERT_EQ(get_dr6(), 0xffff0ff0);

	/* INT3 -> #BP, INT1 -> #DB, both with RIP after the instruction */
	__asm__ volatile("int3\n"
			 "1: leaq 1b(%%rip), %0" : "=r"(r) : : "memory");
	GUEST_ASSERT_EQ(dbg_info.bp_count, 1);
	GUEST_ASSERT_EQ(dbg_info.bp_rip, r);
	__asm__ volatile(".byte 0xf1\n"
			 "1: leaq 1b(%%rip), %0" : "=r"(r) : : "memory");
	GUEST_ASSERT_EQ(dbg_info.db_count, 2);
	GUEST_ASSERT_EQ(dbg_info.db_rip, r);

	/* its own execute breakpoint: #DB fault at the instruction, B0 */
	set_dr(0, (uintptr_t)dbg_exec_target);
	set_dr(7, 0x1);
	GUEST_SYNC(1);		/* host checks VGEN_GET_DEBUGREGS */
	dbg_exec();
	GUEST_ASSERT_EQ(dbg_info.db_count, 3);
	GUEST_ASSERT_EQ(dbg_info.db_rip, (uintptr_t)dbg_exec_target);
	GUEST_ASSERT_EQ(dbg_info.db_dr6 & 0xf, 1);
	dbg_exec();		/* fires again on every execution */
	GUEST_ASSERT_EQ(dbg_info.db_count, 4);
	set_dr(7, 0);
	dbg_exec();
	GUEST_ASSERT_EQ(dbg_info.db_count, 4);

	/* its own data breakpoints: DR1 write len 4, DR2 read/write len 8 */
	set_dr(1, (uintptr_t)&dbg_data[1]);
	set_dr(2, (uintptr_t)&dbg_data[2] + 3);	/* low bits ignored */
	set_dr(7, (1 << 2) | (1 << 4) | (0x1ULL << 20) | (0x3ULL << 22) |
		  (0x3ULL << 24) | (0x2ULL << 26));
	dbg_write((volatile uint8_t *)&dbg_data[1] + 3, 1, 1);
	GUEST_ASSERT_EQ(dbg_info.db_count, 5);
	GUEST_ASSERT_EQ(dbg_info.db_dr6 & 0xf, 2);
	(void)dbg_read(&dbg_data[1]);	/* write-only: no #DB */
	GUEST_ASSERT_EQ(dbg_info.db_count, 5);
	(void)dbg_read(&dbg_data[2]);
	GUEST_ASSERT_EQ(dbg_info.db_count, 6);
	GUEST_ASSERT_EQ(dbg_info.db_rip, (uintptr_t)dbg_read_end);
	GUEST_ASSERT_EQ(dbg_info.db_dr6 & 0xf, 4);
	dbg_write(&dbg_data[3], 1, 8);	/* outside: no #DB */
	GUEST_ASSERT_EQ(dbg_info.db_count, 6);
	set_dr(7, 0);

	/* reserved bits: ones in DR6/DR7 bits 63:32 are #GP(0) */
	v = 1ULL << 32;
	r = TRY("mov %%rsi, %%dr6", "S"(v));
	GUEST_ASSERT_EQ(exc_info.count, 1);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(exc_info.error, 0);
	GUEST_ASSERT_EQ(exc_info.rip, r - 3);
	v = 1ULL << 63;
	r = TRY("mov %%rsi, %%dr7", "S"(v));
	GUEST_ASSERT_EQ(exc_info.count, 2);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(get_dr7(), 0x400);
	/* DR7 fixed bits: bit 10 reads 1, bits 11/12/14/15 read 0 */
	set_dr(7, 0xd800);
	GUEST_ASSERT_EQ(get_dr7(), 0x400);

	/* DR4/DR5 alias DR6/DR7 with CR4.DE clear (MOV RAX, DR5) ... */
	set_dr(7, 0x401);	/* L0 (DR0 still set) */
	__asm__ volatile(".byte 0x0f, 0x21, 0xe8\n\t"
			 "mov %%rax, %0" : "=r"(v) : : "rax");
	GUEST_ASSERT_EQ(v, 0x401);
	set_dr(7, 0);
	/* ... and are #UD with CR4.DE set */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 8));
	r = TRY(".byte 0x0f, 0x21, 0xe0", "i"(0));	/* MOV RAX, DR4 */
	GUEST_ASSERT_EQ(exc_info.count, 3);
	GUEST_ASSERT_EQ(exc_info.vector, 6);
	GUEST_ASSERT_EQ(exc_info.rip, r - 3);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));

	/* DR7.GD: the next MOV DR is a #DB fault with DR6.BD, GD cleared */
	set_dr(6, 0);
	set_dr(7, 0x2000);
	r = dbg_info.db_count;
	v = get_dr7();		/* #DB, then (RF set) executes: GD clear */
	GUEST_ASSERT_EQ(dbg_info.db_count, r + 1);
	GUEST_ASSERT(dbg_info.db_dr6 & (1ULL << 13));
	GUEST_ASSERT_EQ(v, 0x400);
	GUEST_DONE();
}
