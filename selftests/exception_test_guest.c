// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of exception_test: installs an IDT whose handlers
 * (exception_stubs.S) record the exception and resume at a given address.
 */
#include "guest.h"
#include "exception_test.h"

#define PF_ADDR		0x1000000ULL	/* 16 MiB, unused by the image */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define ADDR_MASK	0x000ffffffffff000ULL

volatile struct exc_info exc_info;
extern const uint64_t exc_stub_table[32];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint64_t pf_pt[512] __attribute__((aligned(4096)));

static void idt_set(int vec, uint64_t a, uint8_t type)
{
	idt_gate_set(&idt[vec], a, type);
}

static void idt_install(void)
{
	int i;

	/* present, DPL0, 64-bit interrupt gates */
	for (i = 0; i < 32; i++)
		idt_set(i, exc_stub_table[i], 0x8e);
	idt_load(idt, 256);
	memset((void *)&exc_info, 0, sizeof(exc_info));
}

/* Run INSN with exc_info.resume set to just after it; return that address. */
#define TRY(insn, ...)							\
	({								\
		uint64_t __r;						\
		__asm__ volatile("leaq 1f(%%rip), %0\n\t"		\
				 "movq %0, exc_info+40(%%rip)\n\t"	\
				 insn "\n1:"				\
				 : "=&r"(__r) : __VA_ARGS__			\
				 : "rax", "rcx", "rdx", "memory");	\
		__r;							\
	})

void guest_ud(void)
{
	uint64_t r;

	idt_install();
	r = TRY("ud2", "i"(0));
	GUEST_ASSERT_EQ(exc_info.count, 1);
	GUEST_ASSERT_EQ(exc_info.vector, 6);
	GUEST_ASSERT_EQ(exc_info.rip, r - 2);
	GUEST_ASSERT_EQ(exc_info.resume, 0);
	GUEST_DONE();
}

void guest_de(void)
{
	uint64_t r;

	idt_install();
	/* divl %ecx with ECX = 0 (f7 f1) */
	r = TRY("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\txorl %%ecx, %%ecx\n\t"
		"divl %%ecx", "i"(0));
	GUEST_ASSERT_EQ(exc_info.count, 1);
	GUEST_ASSERT_EQ(exc_info.vector, 0);
	GUEST_ASSERT_EQ(exc_info.rip, r - 2);
	/* Quotient overflow: INT64_MIN / -1 with idivq %rcx (48 f7 f9). */
	r = TRY("movabsq $0x8000000000000000, %%rax\n\tcqto\n\t"
		"movq $-1, %%rcx\n\tidivq %%rcx", "i"(0));
	GUEST_ASSERT_EQ(exc_info.count, 2);
	GUEST_ASSERT_EQ(exc_info.vector, 0);
	GUEST_ASSERT_EQ(exc_info.rip, r - 3);
	GUEST_DONE();
}

void guest_gp(void)
{
	uint64_t r;

	idt_install();
	/* WRMSR to an MSR that does not exist (0f 30). */
	r = TRY("movl $0x12345678, %%ecx\n\txorl %%eax, %%eax\n\t"
		"xorl %%edx, %%edx\n\twrmsr", "i"(0));
	GUEST_ASSERT_EQ(exc_info.count, 1);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(exc_info.error, 0);
	GUEST_ASSERT_EQ(exc_info.rip, r - 2);
	/* RDMSR too (0f 32). */
	r = TRY("movl $0x12345678, %%ecx\n\trdmsr", "i"(0));
	GUEST_ASSERT_EQ(exc_info.count, 2);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(exc_info.rip, r - 2);
	/* Non-canonical address: movq (%rcx), %rax (48 8b 01). */
	r = TRY("movabsq $0x8000000000000000, %%rcx\n\tmovq (%%rcx), %%rax",
		"i"(0));
	GUEST_ASSERT_EQ(exc_info.count, 3);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(exc_info.error, 0);
	GUEST_ASSERT_EQ(exc_info.rip, r - 3);
	GUEST_DONE();
}

static uint64_t *pd_entry(uint64_t va)
{
	uint64_t *pml4 = (uint64_t *)(read_cr3() & ADDR_MASK);
	uint64_t *pdpt = (uint64_t *)(pml4[(va >> 39) & 511] & ADDR_MASK);
	uint64_t *pd = (uint64_t *)(pdpt[(va >> 30) & 511] & ADDR_MASK);

	return &pd[(va >> 21) & 511];
}

void guest_pf(void)
{
	volatile uint64_t *p5 = (volatile uint64_t *)(PF_ADDR + 5 * 4096);
	volatile uint64_t *p7 = (volatile uint64_t *)(PF_ADDR + 7 * 4096);
	volatile uint8_t *code = (volatile uint8_t *)(PF_ADDR + 9 * 4096);
	uint64_t *pde, v;
	int i;

	idt_install();
	/* Split the 2 MiB page at PF_ADDR into 4 KiB pages. */
	pde = pd_entry(PF_ADDR);
	GUEST_ASSERT(*pde & PTE_PS);
	for (i = 0; i < 512; i++)
		pf_pt[i] = (PF_ADDR + i * 4096ULL) | PTE_P | PTE_RW;
	*pde = (uintptr_t)pf_pt | PTE_P | PTE_RW;
	write_cr3(read_cr3());
	*p5 = 0x5555;
	*p7 = 0x7777;
	GUEST_ASSERT_EQ(*p5, 0x5555);

	/* Not present: read, then write. */
	pf_pt[5] &= ~PTE_P;
	invlpg((uintptr_t)p5);
	TRY("movq (%1), %%rax", "r"(p5));
	GUEST_ASSERT_EQ(exc_info.count, 1);
	GUEST_ASSERT_EQ(exc_info.vector, 14);
	GUEST_ASSERT_EQ(exc_info.cr2, (uintptr_t)p5);
	GUEST_ASSERT_EQ(exc_info.error, 0);
	GUEST_ASSERT_EQ(read_cr2(), (uintptr_t)p5);
	TRY("movq $1, 8(%1)", "r"(p5));
	GUEST_ASSERT_EQ(exc_info.count, 2);
	GUEST_ASSERT_EQ(exc_info.cr2, (uintptr_t)p5 + 8);
	GUEST_ASSERT_EQ(exc_info.error, 2);

	/* Present, read-only (CR0.WP = 1): reads work, writes fault. */
	pf_pt[5] = (PF_ADDR + 5 * 4096ULL) | PTE_P;
	invlpg((uintptr_t)p5);
	GUEST_ASSERT_EQ(*p5, 0x5555);
	TRY("movq $1, (%1)", "r"(p5));
	GUEST_ASSERT_EQ(exc_info.count, 3);
	GUEST_ASSERT_EQ(exc_info.error, 3);
	GUEST_ASSERT_EQ(*p5, 0x5555);

	/* Map page 7's frame at page 5: aliasing. */
	pf_pt[5] = (PF_ADDR + 7 * 4096ULL) | PTE_P | PTE_RW;
	invlpg((uintptr_t)p5);
	GUEST_ASSERT_EQ(*p5, 0x7777);
	*p5 = 0xabcd;
	GUEST_ASSERT_EQ(*p7, 0xabcd);

	/* NX: instruction fetch fault (error P | I/D = 0x11). */
	*code = 0xc3;	/* ret */
	pf_pt[9] |= PTE_NX;
	invlpg((uintptr_t)code);
	TRY("jmp *%1", "r"(code));
	GUEST_ASSERT_EQ(exc_info.count, 4);
	GUEST_ASSERT_EQ(exc_info.vector, 14);
	GUEST_ASSERT_EQ(exc_info.cr2, (uintptr_t)code);
	GUEST_ASSERT_EQ(exc_info.rip, (uintptr_t)code);
	GUEST_ASSERT_EQ(exc_info.error, 0x11);
	/* Executable again: call it. */
	pf_pt[9] &= ~PTE_NX;
	invlpg((uintptr_t)code);
	((void (*)(void))(uintptr_t)code)();
	GUEST_ASSERT_EQ(exc_info.count, 4);

	/* Restore the 2 MiB mapping. */
	*pde = PF_ADDR | PTE_P | PTE_RW | PTE_PS | (1ULL << 2);
	write_cr3(read_cr3());
	v = *(volatile uint64_t *)(PF_ADDR + 5 * 4096);
	GUEST_ASSERT_EQ(v, 0x5555);
	GUEST_DONE();
}

void guest_triple_fault(void)
{
	GUEST_SYNC(1);
	/* No IDT (limit 0): #UD -> #GP -> #DF -> shutdown. */
	__asm__ volatile("ud2");
	GUEST_SYNC(2);
}

volatile struct user_info user_info;
void enter_user(void (*fn)(void), uint64_t user_rsp);
void user_int80(void);
static uint8_t kstack[8192] __attribute__((aligned(16)));
static uint8_t ustack[8192] __attribute__((aligned(16)));

static void user_syscall(void)
{
	__asm__ volatile("movq $0x1234, %rax\n\tint $0x80");
	for (;;)
		;
}

static void user_out(void)
{
	__asm__ volatile("outb %al, $0x80");
	for (;;)
		;
}

static void user_hlt(void)
{
	__asm__ volatile("hlt");
	for (;;)
		;
}

/* CPL3 through the TSS (RSP0) and the DPL3 user segments. */
void guest_cpl3(void)
{
	uint64_t ktop = (uintptr_t)kstack + sizeof(kstack);
	uint64_t utop = (uintptr_t)ustack + sizeof(ustack);
	volatile uint8_t *tss = (volatile uint8_t *)(uintptr_t)0x3000;
	int i;

	idt_install();
	idt_set(0x80, (uintptr_t)user_int80, 0xee);	/* DPL3 */
	for (i = 0; i < 8; i++)	/* TSS.RSP0 at offset 4 */
		tss[4 + i] = (uint8_t)(ktop >> (8 * i));

	enter_user(user_syscall, utop);
	GUEST_ASSERT_EQ(user_info.value, 0x1234);
	GUEST_ASSERT_EQ(user_info.cs, 0x2b);
	GUEST_ASSERT(user_info.kernel_rsp < ktop &&
		     user_info.kernel_rsp >= ktop - 64);
	GUEST_ASSERT(user_info.user_rsp <= utop &&
		     user_info.user_rsp > (uintptr_t)ustack);

	/* Privileged instructions at CPL3 (IOPL 0): #GP(0). */
	enter_user(user_out, utop);
	GUEST_ASSERT_EQ(exc_info.count, 1);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(exc_info.error, 0);
	GUEST_ASSERT_EQ(exc_info.cs, 0x2b);
	enter_user(user_hlt, utop);
	GUEST_ASSERT_EQ(exc_info.count, 2);
	GUEST_ASSERT_EQ(exc_info.vector, 13);
	GUEST_ASSERT_EQ(exc_info.cs, 0x2b);
	GUEST_DONE();
}
