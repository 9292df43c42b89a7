// SPDX-License-Identifier: GPL-2.0
/*
 * difftest - differential tester of the software x86-64 VP (kmod/svp_*.c).
 *
 * Random instruction sequences, drawn from a table of the encodings the
 * interpreter claims to implement (and of encodings that must fault), run
 * natively on the host CPU at CPL 3 and in the interpreter at CPL 3 from
 * the same register, flag and memory state, at the same linear addresses:
 *
 *   0x10000000  code (2 pages)     0x10010000  data (2 pages)
 *   0x10020000  stack (1 page)     0x10030000  native state block
 *
 * with unmapped guard pages around them in both worlds. Compared: all 16
 * GPRs, RIP, the architecturally defined arithmetic flags (DF always), the
 * data and stack pages, and the exception raised (vector, error code of
 * #GP/#PF, CR2 of #PF). Natively a fault is caught by a signal handler
 * (SIGSEGV/SIGBUS/SIGFPE/SIGILL) that reads the vector from the trap
 * number; in the interpreter every IDT vector points to its own HLT at
 * CPL 0, and the sequence ends with INT3.
 *
 * Undefined flags are tracked exactly by a second, single-stepped run of
 * the interpreter (which must agree with the unstepped run): after each
 * instruction the flags it leaves undefined (for its dynamic shift count,
 * BSF/BSR source, ...) are dropped from the compared set. A mismatch in a
 * sequence that consumed an undefined flag (Jcc, ADC, PUSHF, ...) or
 * produced an undefined register (BSF of 0, SHLD count > size) is counted
 * as "undefined", not as a failure.
 *
 *   difftest [-n COUNT] [-s SEED] [-i INDEX] [-f] [-v] [-c CORPUS]
 *
 * -n sequences (default 20000), -s base seed, -i run only sequence INDEX
 * (verbose), -f forever with random seeds, -c replay a corpus file of
 * regression cases first. Exit status 1 on any mismatch; every mismatch
 * prints a reproduction (command, bytes, disassembly, state, diff).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>
#include <cpuid.h>

#include "svp.h"

#define CODE		0x10000000ULL
#define CODE_SZ		0x2000
#define DATA		0x10010000ULL
#define DATA_SZ		0x2000
#define STACK		0x10020000ULL
#define STACK_SZ	0x1000
#define STK_TOP		(STACK + 0x800)
#define NST		0x10030000ULL
#define NST_IN		0
#define NST_FLIN	128
#define NST_HRSP	136
#define NST_CODE	144
#define NST_EXIT	152
#define NST_OUT		256
#define NST_FLOUT	384

#define F_CF	0x0001
#define F_PF	0x0004
#define F_AF	0x0010
#define F_ZF	0x0040
#define F_SF	0x0080
#define F_DF	0x0400
#define F_OF	0x0800
#define F_ALL	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_LOGIC	(F_CF | F_PF | F_ZF | F_SF | F_OF)

/* ------------------------------------------------------------------ */
/* Native execution */

int dt_enter(void);
void dt_exit(void);
void dt_recover(void);

#define S_(x) #x
#define S(x) S_(x)
asm(".text\n"
    ".globl dt_enter\n"
    "dt_enter:\n"
    "	push %rbx\n	push %rbp\n	push %r12\n"
    "	push %r13\n	push %r14\n	push %r15\n"
    "	mov %rsp, 0x10030088\n"
    "	pushq 0x10030080\n"
    "	popfq\n"
    "	mov 0x10030000, %rax\n	mov 0x10030008, %rcx\n"
    "	mov 0x10030010, %rdx\n	mov 0x10030018, %rbx\n"
    "	mov 0x10030028, %rbp\n	mov 0x10030030, %rsi\n"
    "	mov 0x10030038, %rdi\n	mov 0x10030040, %r8\n"
    "	mov 0x10030048, %r9\n	mov 0x10030050, %r10\n"
    "	mov 0x10030058, %r11\n	mov 0x10030060, %r12\n"
    "	mov 0x10030068, %r13\n	mov 0x10030070, %r14\n"
    "	mov 0x10030078, %r15\n	mov 0x10030020, %rsp\n"
    "	jmp *0x10030090\n"
    ".globl dt_exit\n"
    "dt_exit:\n"
    "	mov %rax, 0x10030100\n	mov %rcx, 0x10030108\n"
    "	mov %rdx, 0x10030110\n	mov %rbx, 0x10030118\n"
    "	mov %rsp, 0x10030120\n	mov %rbp, 0x10030128\n"
    "	mov %rsi, 0x10030130\n	mov %rdi, 0x10030138\n"
    "	mov %r8, 0x10030140\n	mov %r9, 0x10030148\n"
    "	mov %r10, 0x10030150\n	mov %r11, 0x10030158\n"
    "	mov %r12, 0x10030160\n	mov %r13, 0x10030168\n"
    "	mov %r14, 0x10030170\n	mov %r15, 0x10030178\n"
    "	mov $0x10030800, %esp\n"
    "	pushfq\n"
    "	popq 0x10030180\n"
    "	cld\n"
    "	mov 0x10030088, %rsp\n"
    "	pop %r15\n	pop %r14\n	pop %r13\n"
    "	pop %r12\n	pop %rbp\n	pop %rbx\n"
    "	xor %eax, %eax\n"
    "	ret\n"
    ".globl dt_recover\n"
    "dt_recover:\n"
    "	pop %r15\n	pop %r14\n	pop %r13\n"
    "	pop %r12\n	pop %rbp\n	pop %rbx\n"
    "	mov $1, %eax\n"
    "	ret\n");

/*
 * Guest-side stub at STUB (CPL 0), reached from the #BP handler: on the
 * first INT3 at the end of the sequence it restores the data and stack
 * pages and the registers and runs the sequence a second time (now from
 * the decode cache, with a warm TLB); otherwise it halts.
 */
void dt_stub(void);
void dt_stub_hlt(void);
void dt_stub_end(void);
asm(".pushsection .rodata\n"
    ".globl dt_stub, dt_stub_hlt, dt_stub_end\n"
    "dt_stub:\n"
    "	cmpb $0, 0xa800\n"
    "	je 1f\n"
    "dt_stub_hlt:\n"
    "	hlt\n"
    "1:	movb $1, 0xa800\n"
    "	cld\n"
    "	mov $0xd000, %esi\n	mov $0x10010000, %edi\n"
    "	mov $0x400, %ecx\n	rep movsq\n"
    "	mov $0xf000, %esi\n	mov $0x10020000, %edi\n"
    "	mov $0x200, %ecx\n	rep movsq\n"
    "	pushq $0x2b\n	pushq 0xa920\n	pushq 0xa880\n"
    "	pushq $0x33\n	pushq 0xa8c0\n"
    "	mov 0xa900, %rax\n	mov 0xa908, %rcx\n"
    "	mov 0xa910, %rdx\n	mov 0xa918, %rbx\n"
    "	mov 0xa928, %rbp\n	mov 0xa930, %rsi\n"
    "	mov 0xa938, %rdi\n	mov 0xa940, %r8\n"
    "	mov 0xa948, %r9\n	mov 0xa950, %r10\n"
    "	mov 0xa958, %r11\n	mov 0xa960, %r12\n"
    "	mov 0xa968, %r13\n	mov 0xa970, %r14\n"
    "	mov 0xa978, %r15\n"
    "	iretq\n"
    "dt_stub_end:\n"
    ".popsection\n");

/* The outcome of one run (either world). */
struct res {
	u64 gpr[16];
	u64 rip, rfl;
	int vec;		/* -1: reached the end */
	u64 err, cr2;
	int exitr;		/* interpreter: abnormal exit reason + 1, or 0 */
	struct svp_exit ex;
};

static struct res nres;

static u64 *nst(int off)
{
	return (u64 *)(uintptr_t)(NST + off);
}

static void on_signal(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	greg_t *gr = uc->uc_mcontext.gregs;
	static const int map[16] = {
		REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI,
		REG_RDI, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13,
		REG_R14, REG_R15
	};
	u64 rip = gr[REG_RIP];
	int i;

	if (rip < CODE || rip >= CODE + CODE_SZ) {
		/* not ours: crash for real */
		signal(sig, SIG_DFL);
		return;
	}
	for (i = 0; i < 16; i++)
		nres.gpr[i] = gr[map[i]];
	nres.rip = rip;
	nres.rfl = gr[REG_EFL];
	nres.vec = gr[REG_TRAPNO];
	nres.err = gr[REG_ERR];
	nres.cr2 = nres.vec == 14 ? (u64)(uintptr_t)si->si_addr : 0;
	if (nres.vec != 13 && nres.vec != 14 && nres.vec != 12 &&
	    nres.vec != 17)
		nres.err = 0;
	gr[REG_RIP] = (greg_t)(uintptr_t)dt_recover;
	gr[REG_RSP] = *nst(NST_HRSP);
	gr[REG_EFL] = 0x202;
}

#ifndef DT_FUZZER
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0:"
	       "handle_sigfpe=0:handle_sigill=0:detect_leaks=0";
}
#endif

static void native_setup(void)
{
	static const struct { u64 a; size_t sz; int prot; } m[] = {
		{ CODE, CODE_SZ, PROT_READ | PROT_WRITE | PROT_EXEC },
		{ DATA, DATA_SZ, PROT_READ | PROT_WRITE },
		{ STACK, STACK_SZ, PROT_READ | PROT_WRITE },
		{ NST, 0x1000, PROT_READ | PROT_WRITE },
		/* guard pages */
		{ CODE + CODE_SZ, 0x1000, PROT_NONE },
		{ DATA - 0x1000, 0x1000, PROT_NONE },
		{ DATA + DATA_SZ, 0x1000, PROT_NONE },
		{ STACK - 0x1000, 0x1000, PROT_NONE },
		{ STACK + STACK_SZ, 0x1000, PROT_NONE },
	};
	static u8 altstack[65536];
	struct sigaction sa;
	stack_t ss;
	unsigned int i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		void *p = mmap((void *)(uintptr_t)m[i].a, m[i].sz, m[i].prot,
			       MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_FIXED_NOREPLACE, -1, 0);

		if (p != (void *)(uintptr_t)m[i].a) {
			fprintf(stderr, "difftest: cannot map %#llx\n",
				(unsigned long long)m[i].a);
			exit(2);
		}
	}
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	*nst(NST_CODE) = CODE;
	*nst(NST_EXIT) = (u64)(uintptr_t)dt_exit;
}

/* ------------------------------------------------------------------ */
/* Interpreter environment */

#define SYS_SZ		0x10000		/* gpa 0..64 KiB: tables, handlers */
#define PML4		0x1000
#define PDPT		0x2000
#define PD		0x3000
#define PT_LO		0x4000
#define PT_HI		0x5000
#define GDT		0x6000
#define IDT		0x7000
#define TSS		0x8000
#define HND		0x9000		/* 256 handlers, 16 bytes each */
#define KSTK		0xc000
#define STUB		0xa000
#define STUB_PASS	0xa800		/* 1: no second pass */
#define STUB_FL		0xa880
#define STUB_RIP	0xa8c0
#define STUB_GPR	0xa900
#define PRIS_DATA	0xd000
#define PRIS_STACK	0xf000
#define STUB_HLT	(STUB + ((uintptr_t)dt_stub_hlt - (uintptr_t)dt_stub))

static u8 *sysmem;
static u8 gcode[CODE_SZ], gdata[DATA_SZ], gstack[STACK_SZ];
static struct svp_cpuid_leaf cpuid_tab[64];
static unsigned int cpuid_n;
static struct svp_cpu *cpu;

void svp_env_global_lock(void)
{
}

void svp_env_global_unlock(void)
{
}

static void *op_gpa_to_hva(void *opaque, u64 gpa, bool write)
{
	gpa &= ~0xfffULL;
	if (gpa < SYS_SZ)
		return sysmem + gpa;
	if (gpa >= CODE && gpa < CODE + CODE_SZ)
		return gcode + (gpa - CODE);
	if (gpa >= DATA && gpa < DATA + DATA_SZ)
		return gdata + (gpa - DATA);
	if (gpa >= STACK && gpa < STACK + STACK_SZ)
		return gstack + (gpa - STACK);
	return NULL;
}

static void op_cpuid(void *opaque, u32 fn, u32 idx, u32 out[4])
{
	unsigned int i;

	for (i = 0; i < cpuid_n; i++) {
		if (cpuid_tab[i].fn == fn &&
		    (!(cpuid_tab[i].flags & SVP_CPUID_SIGNIFICANT_INDEX) ||
		     cpuid_tab[i].idx == idx)) {
			memcpy(out, cpuid_tab[i].regs, 16);
			return;
		}
	}
	memset(out, 0, 16);
}

static const struct svp_host_ops ops = {
	.gpa_to_hva = op_gpa_to_hva,
	.cpuid = op_cpuid,
};

static void w64(u64 gpa, u64 v)
{
	memcpy(sysmem + gpa, &v, 8);
}

static u64 r64(u64 gpa)
{
	u64 v;

	memcpy(&v, sysmem + gpa, 8);
	return v;
}

static void sys_setup(void)
{
	u64 a;
	int i;

	sysmem = calloc(1, SYS_SZ);
	cpuid_n = svp_cpuid_defaults(cpuid_tab, 64);
	w64(PML4, PDPT | 7);
	w64(PDPT, PD | 7);
	w64(PD, PT_LO | 7);
	w64(PD + (CODE >> 21) * 8, PT_HI | 7);
	for (i = 1; i < 16; i++)	/* supervisor, identity */
		w64(PT_LO + i * 8, ((u64)i << 12) | 3);
	for (a = CODE; a < CODE + CODE_SZ; a += 0x1000)
		w64(PT_HI + ((a >> 12) & 511) * 8, a | 7);
	for (a = DATA; a < DATA + DATA_SZ; a += 0x1000)
		w64(PT_HI + ((a >> 12) & 511) * 8, a | 7 | (1ULL << 63));
	for (a = STACK; a < STACK + STACK_SZ; a += 0x1000)
		w64(PT_HI + ((a >> 12) & 511) * 8, a | 7 | (1ULL << 63));
	/* GDT as Linux: 0x08 kernel CS, 0x10 kernel DS, 0x2b user DS,
	 * 0x33 user CS, 0x40 TSS
	 */
	w64(GDT + 0x08, 0x00af9b000000ffffULL);
	w64(GDT + 0x10, 0x00cf93000000ffffULL);
	w64(GDT + 0x28, 0x00cff3000000ffffULL);
	w64(GDT + 0x30, 0x00affb000000ffffULL);
	w64(GDT + 0x40, 0x67 | ((u64)(TSS & 0xffffff) << 16) | (0x89ULL << 40));
	w64(GDT + 0x48, 0);
	for (i = 0; i < 256; i++) {
		u64 h = HND + i * 16;
		/* only #BP is reachable with INT n from CPL 3 */
		u64 dpl = i == 3 ? 0x60 : 0;

		w64(IDT + i * 16, (h & 0xffff) | (0x08ULL << 16) |
		    ((0x8eULL | dpl) << 40) | ((h >> 16) << 48));
		w64(IDT + i * 16 + 8, h >> 32);
		sysmem[h] = 0xf4;	/* HLT */
	}
	/* #BP: JMP to the second-pass stub */
	sysmem[HND + 3 * 16] = 0xe9;
	w64(HND + 3 * 16 + 1, (u32)(STUB - (HND + 3 * 16 + 5)));
	memcpy(sysmem + STUB, dt_stub,
	       (uintptr_t)dt_stub_end - (uintptr_t)dt_stub);
	w64(TSS + 4, KSTK);
	sysmem[TSS + 0x66] = 0x68;	/* no I/O bitmap */
	cpu = calloc(1, svp_cpu_size());
	svp_cpu_init(cpu, &ops, NULL, 0, true);
}

static void guest_state(struct svp_state *s, const u64 *gpr, u64 rfl,
			u64 rip)
{
	int i;

	memset(s, 0, sizeof(*s));
	memcpy(s->gpr, gpr, sizeof(s->gpr));
	s->rip = rip;
	s->rflags = rfl | 0x202;
	s->cr0 = 0x80010033ULL;
	s->cr3 = PML4;
	s->cr4 = 0x20;
	s->efer = 0xd01;	/* SCE as on Linux */
	s->pat = 0x0007040600070406ULL;
	for (i = 0; i < SVP_SEG_COUNT; i++) {
		s->seg[i].sel = 0;
		s->seg[i].attr = 0;
		s->seg[i].limit = 0;
	}
	s->seg[SVP_SEG_CS].sel = 0x33;
	s->seg[SVP_SEG_CS].attr = 0xa0fb;
	s->seg[SVP_SEG_CS].limit = 0xffffffff;
	s->seg[SVP_SEG_SS].sel = 0x2b;
	s->seg[SVP_SEG_SS].attr = 0xc0f3;
	s->seg[SVP_SEG_SS].limit = 0xffffffff;
	s->seg[SVP_SEG_TR].sel = 0x40;
	s->seg[SVP_SEG_TR].base = TSS;
	s->seg[SVP_SEG_TR].limit = 0x67;
	s->seg[SVP_SEG_TR].attr = 0x8b;
	s->seg[SVP_SEG_LDTR].attr = 0x82;
	s->gdt.base = GDT;
	s->gdt.limit = 0x4f;
	s->idt.base = IDT;
	s->idt.limit = 256 * 16 - 1;
}

/* Fill @r from the interpreter after svp_run() returned @reason. */
static void guest_result(struct res *r, int reason, const struct svp_exit *e,
			 u64 seq_end)
{
	struct svp_state s;
	u64 f;
	int vec;

	svp_get_state(cpu, &s);
	memset(r, 0, sizeof(*r));
	memcpy(r->gpr, s.gpr, sizeof(r->gpr));
	r->rip = s.rip;
	r->rfl = s.rflags;
	r->vec = -2;
	if (reason == SVP_EXIT_HLT && s.rip == STUB_HLT + 1) {
		vec = 3;
	} else if (reason != SVP_EXIT_HLT || s.rip <= HND ||
		   s.rip > HND + 256 * 16 || (s.rip - 1 - HND) % 16) {
		r->exitr = reason + 1;
		r->ex = *e;
		return;
	} else {
		vec = (s.rip - 1 - HND) / 16;
	}
	f = s.gpr[4];
	if (vec == 8 || (vec >= 10 && vec <= 14) || vec == 17) {
		r->err = r64(f);
		f += 8;
	}
	r->rip = r64(f);
	r->rfl = r64(f + 16);
	r->gpr[4] = r64(f + 24);
	r->vec = vec;
	if (vec == 14)
		r->cr2 = s.cr2;
	if (vec == 3 && r->rip == seq_end + 1) {
		r->vec = -1;
		r->rip = seq_end;
	}
}

/* ------------------------------------------------------------------ */
/* Random numbers */

static u64 rs;

static u64 rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545f4914f6cdd1dULL;
}

static void rseed(u64 s)
{
	rs = s * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	if (!rs)
		rs = 1;
	rnd();
}

static u32 rn(u32 n)
{
	return n ? (u32)(rnd() % n) : 0;
}

static bool chance(int pct)
{
	return rn(100) < (u32)pct;
}

static u64 rval(void)
{
	static const u64 sp[] = {
		0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0x7f,
		0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~1ULL,
		0xffffffff80000000ULL, 0xffffffffffff8000ULL,
		0xffffffffffffff80ULL,
	};
	u64 v = rnd();

	switch (rn(8)) {
	case 0:
	case 1:
		return sp[rn(sizeof(sp) / sizeof(sp[0]))];
	case 2:
		return v & 0xff;
	case 3:
		return v & 0xffff;
	case 4:
		return (u64)(s64)(s32)v;
	case 5:
		return sp[rn(sizeof(sp) / sizeof(sp[0]))] ^ (1ULL << rn(64));
	default:
		return v;
	}
}

/* ------------------------------------------------------------------ */
/* Generator */

#define MAXI	128
#define MAXG	24

enum { D_NONE, D_SHIFT, D_ROT, D_RC, D_SHD, D_BS, D_CMPSTR };
enum { FIX_NONE, FIX_REL8, FIX_REL32, FIX_ABS32, FIX_RIP };

/* One generated instruction. */
struct gi {
	u8 b[15];
	u8 len;
	u8 grp;		/* group (jump target unit) */
	u8 dyn, w, shop;
	bool rep;
	u8 asz;
	s16 cnt;	/* shift count, -1: CL */
	u16 fr, fw, fu;	/* flags read, written defined, made undefined */
	u8 fix, fixpos;
	int tgt;	/* target group */
	u64 abs;	/* FIX_RIP target */
	u16 off;
	int name;	/* coverage group */
};

struct gst {
	u16 u, ptr, small;
	int dlo, dhi;
	bool v;
};

struct gen {
	struct gi in[MAXI];
	int n, ng, gcur;
	int gfirst[MAXG + 1];
	u16 goff[MAXG + 1];
	u16 len;
	struct gst st, pend[MAXG + 1];
	bool full;	/* no room: stop */
	bool last;	/* this group must be the last */
};

/* Coverage groups */
static const char *const gnames[] = {
	"alu r/m,r", "alu r,r/m", "alu acc,imm", "alu grp1 imm",
	"test", "not/neg", "inc/dec", "mul/imul r/m", "div/idiv",
	"imul r,r/m(,imm)", "shift/rotate", "shld/shrd", "bt/bts/btr/btc",
	"bsf/bsr/lzcnt/popcnt", "setcc", "cmovcc", "jcc", "jmp",
	"loop/jrcxz", "movzx/movsx", "movsxd", "mov", "xchg", "xadd",
	"cmpxchg", "cmpxchg8b/16b", "bswap", "cbw/cwd family", "lea",
	"push/pop", "flag ops/lahf/sahf/pushf/popf", "string ops", "xlat",
	"call/ret/jmp indirect", "enter/leave", "nop/hint/fence/clflush",
	"mov r,sreg", "#UD encodings", "privileged (#GP at CPL 3)",
	"non-canonical (#GP/#SS)", "flag definer",
};
#define NGN	(int)(sizeof(gnames) / sizeof(gnames[0]))
enum { N_DEF = NGN - 1 };
static unsigned long gcount[NGN];

struct enc {
	u8 pfx[5];
	int np;
	bool w;		/* REX.W */
	bool rex;	/* force a REX prefix */
	bool xjunk;	/* set REX.X without SIB */
	int nop;
	u8 op[3];
	bool modrm;
	int mod, reg, rm;
	bool sib;
	int scale, index, base;
	int dsz;
	s32 disp;
	bool rip;
	u64 ripabs;
	int isz;
	u64 imm;
	int oreg;	/* opcode+register forms: register, or -1 */
};

static void enc_init(struct enc *e)
{
	memset(e, 0, sizeof(*e));
	e->oreg = -1;
}

static void pfx(struct enc *e, u8 b)
{
	if (e->np < 5)
		e->pfx[e->np++] = b;
}

static void opc(struct enc *e, int a, int b)
{
	e->op[e->nop++] = a;
	if (b >= 0)
		e->op[e->nop++] = b;
}

static struct gi *gen_new(struct gen *g, int name)
{
	struct gi *x;

	if (g->n >= MAXI - 1) {
		g->full = true;
		return NULL;
	}
	x = &g->in[g->n++];
	memset(x, 0, sizeof(*x));
	x->grp = g->gcur;
	x->asz = 8;
	x->name = name;
	return x;
}

/* Encode @e as a new instruction. */
static struct gi *emit(struct gen *g, struct enc *e, int name)
{
	struct gi *x = gen_new(g, name);
	u8 b[32];
	int n = 0, rex = 0, i;

	if (!x)
		return NULL;
	/* forms that need a SIB byte or a displacement */
	if (e->modrm && e->mod != 3 && !e->sib && !e->rip) {
		if ((e->rm & 7) == 4) {
			e->sib = true;
			e->base = e->rm;
			e->index = 4;
			e->scale = 0;
		} else if ((e->rm & 7) == 5 && e->mod == 0) {
			e->mod = 1;
			e->dsz = 1;
			e->disp = 0;
		}
	}
	if (e->modrm && e->mod != 3 && e->sib && (e->base & 7) == 5 &&
	    e->mod == 0)
		e->dsz = 4;
	if (e->np && rn(100) < 3)
		b[n++] = 0x40 | rn(16);	/* not last: ignored */
	for (i = 0; i < e->np; i++)
		b[n++] = e->pfx[i];
	if (e->w)
		rex |= 8;
	if (e->modrm) {
		if (e->reg & 8)
			rex |= 4;
		if (e->mod != 3 && e->sib) {
			if (e->index & 8)
				rex |= 2;
			if (e->base & 8)
				rex |= 1;
		} else if (e->mod == 3 || !e->rip) {
			if (e->rm & 8)
				rex |= 1;
		}
		if (e->xjunk && !(e->mod != 3 && e->sib))
			rex |= 2;
	} else if (e->oreg >= 0 && (e->oreg & 8)) {
		rex |= 1;
	}
	if (rex || e->rex)
		b[n++] = 0x40 | rex;
	for (i = 0; i < e->nop; i++)
		b[n++] = e->op[i];
	if (e->oreg >= 0)
		b[n - 1] += e->oreg & 7;
	if (e->modrm) {
		int rm = e->rm & 7;

		if (e->mod != 3 && e->sib)
			rm = 4;
		else if (e->mod != 3 && e->rip)
			rm = 5;
		b[n++] = (e->mod << 6) | ((e->reg & 7) << 3) | rm;
		if (e->mod != 3 && e->sib)
			b[n++] = (e->scale << 6) | ((e->index & 7) << 3) |
				 (e->base & 7);
		if (e->mod != 3 && e->rip) {
			x->fix = FIX_RIP;
			x->fixpos = n;
			x->abs = e->ripabs;
		}
		for (i = 0; i < e->dsz; i++)
			b[n++] = (u32)e->disp >> (8 * i);
	}
	for (i = 0; i < e->isz; i++)
		b[n++] = e->imm >> (8 * i);
	if (n > 15) {
		g->n--;
		return NULL;
	}
	memcpy(x->b, b, n);
	x->len = n;
	for (i = 0; i < e->np; i++)
		if (e->pfx[i] == 0x67)
			x->asz = 4;
	return x;
}

/* Generator state helpers */

static void st_write(struct gen *g, int r)
{
	g->st.ptr &= ~(1U << r);
	g->st.small &= ~(1U << r);
}

/* Writing byte register @r (encoding) with or without REX. */
static void st_write8(struct gen *g, int r, bool rex)
{
	st_write(g, (!rex && r >= 4 && r < 8) ? r - 4 : r);
}

static void st_flags(struct gen *g, struct gi *x)
{
	u16 fw = x->fw, fu = x->fu;

	switch (x->dyn) {
	case D_SHIFT:
	case D_ROT:
	case D_RC:
	case D_SHD:
		if (x->cnt < 0) {
			fw = 0;
			fu = F_AF | F_OF | F_CF;
		}
		break;
	case D_BS:
		fw = F_ZF;
		fu = F_ALL & ~F_ZF;
		break;
	case D_CMPSTR:
		if (x->rep) {
			fw = 0;
			fu = 0;
		}
		break;
	}
	g->st.u = (g->st.u & ~fw) | fu;
}

static int pick_reg_w(void)
{
	int r;

	do {
		r = rn(16);
	} while (r == 4);
	return r;
}

static int pick_reg_any(void)
{
	return rn(16);
}

/* Pick a width 1/2/4/8 and set the prefixes for it. */
static int pick_w(struct enc *e, bool byte_ok)
{
	int w;

	switch (rn(byte_ok ? 8 : 6)) {
	case 0:
	case 1:
		w = 2;
		break;
	case 2:
	case 3:
		w = 4;
		break;
	case 4:
	case 5:
		w = 8;
		break;
	default:
		w = 1;
		break;
	}
	if (w == 2)
		pfx(e, 0x66);
	if (w == 8) {
		e->w = true;
		if (chance(5))
			pfx(e, 0x66);	/* REX.W wins */
	}
	return w;
}

static int pick_bit(u16 set)
{
	int c = __builtin_popcount(set), k, i;

	if (!c)
		return -1;
	k = rn(c);
	for (i = 0; i < 16; i++)
		if ((set >> i) & 1 && !k--)
			return i;
	return -1;
}

/* A memory operand of @size bytes inside the data or stack page. */
static void mem_op(struct gen *g, struct enc *e, int size)
{
	int k = rn(100), b, ix;
	bool fault = chance(3);

	e->modrm = true;
	e->mod = 0;
	if (chance(4))
		pfx(e, 0x67);
	if (chance(3))
		pfx(e, (const u8[]){ 0x2e, 0x3e, 0x26, 0x36 }[rn(4)]);
	if (k < 12) {
		e->rip = true;
		e->dsz = 4;
		e->ripabs = DATA + rn(DATA_SZ - 16);
		if (fault)
			e->ripabs = DATA + DATA_SZ - rn(size);
		return;
	}
	if (k < 20) {
		e->sib = true;
		e->base = 5;
		e->index = 4;
		e->scale = rn(4);
		e->dsz = 4;
		e->disp = DATA + rn(DATA_SZ - 16);
		if (fault)
			e->disp = DATA - 8 + rn(8);
		return;
	}
	if (k < 27 && g->st.small) {
		e->sib = true;
		e->base = 5;
		e->index = pick_bit(g->st.small);
		e->scale = rn(4);
		e->dsz = 4;
		e->disp = DATA + 0x800 + rn(0x800);
		return;
	}
	if (k < 37 || !g->st.ptr) {
		/* stack */
		e->sib = true;
		e->base = 4;
		e->index = 4;
		if (g->st.small && chance(30)) {
			e->index = pick_bit(g->st.small);
			e->scale = rn(2);
		}
		if (chance(50)) {
			e->mod = 1;
			e->dsz = 1;
			e->disp = (s8)(rn(0x100) & ~7);
		} else if (chance(20)) {
			e->mod = 2;
			e->dsz = 4;
			e->disp = (s32)rn(0x100) - 0x80;
		}
		return;
	}
	b = pick_bit(g->st.ptr);
	e->base = b;
	if (chance(30) && g->st.small) {
		ix = pick_bit(g->st.small);
		e->sib = true;
		e->index = ix;
		e->scale = rn(4);
	} else if ((b & 7) == 4) {
		e->sib = true;
		e->index = 4;
		e->scale = rn(4);
	} else {
		e->rm = b;
	}
	switch (rn(3)) {
	case 0:
		if ((b & 7) != 5) {
			e->mod = 0;
			break;
		}
		fallthrough;
	case 1:
		e->mod = 1;
		e->dsz = 1;
		e->disp = (s8)rnd();
		break;
	default:
		e->mod = 2;
		e->dsz = 4;
		e->disp = (s32)rn(0xc00) - 0x600;
		if (fault)
			e->disp = 0x2000 - 0xe00 - rn(0x400);
		break;
	}
}

/* Register or memory r/m operand; returns true for memory. */
static bool rm_op(struct gen *g, struct enc *e, int size, bool dst,
		  int pct_mem, bool brex)
{
	if (chance(pct_mem)) {
		mem_op(g, e, size);
		return true;
	}
	e->modrm = true;
	e->mod = 3;
	/* an ignored REX.X (no SIB); not where REX renames AH..BH */
	e->xjunk = (size != 1 || brex) && chance(4);
	if (size == 1 && !brex)
		e->rm = dst ? rn(8) : rn(8);
	else
		e->rm = dst ? pick_reg_w() : pick_reg_any();
	if (size == 1 && brex && dst && e->rm == 4)
		e->rm = 5;
	return false;
}

static int reg8(bool brex, bool dst)
{
	int r;

	if (!brex)
		return rn(8);
	r = rn(16);
	if (dst && r == 4)
		r = 0;
	return r;
}

/* Occasionally add an ignored prefix to a one-byte opcode. */
static void junk(struct enc *e, bool lockable)
{
	if (chance(3))
		pfx(e, rn(2) ? 0xf2 : 0xf3);
	if (chance(3))
		pfx(e, (const u8[]){ 0x2e, 0x3e, 0x26, 0x36 }[rn(4)]);
	(void)lockable;
}

static void set_small(struct gen *g, int r)
{
	struct enc e;

	enc_init(&e);
	e.isz = 4;
	e.imm = (u64)(s64)((int)rn(0x81) - 0x40);
	if ((s64)e.imm < 0) {	/* MOV r64, simm32 */
		e.w = true;
		opc(&e, 0xc7, -1);
		e.modrm = true;
		e.mod = 3;
		e.rm = r;
	} else {
		opc(&e, 0xb8, -1);
		e.oreg = r;
	}
	if (emit(g, &e, N_DEF)) {
		st_write(g, r);
		g->st.small |= 1U << r;
	}
}

static void set_ptr(struct gen *g, int r, u64 a)
{
	struct enc e;

	enc_init(&e);
	if (chance(50)) {
		opc(&e, 0xb8, -1);
		e.oreg = r;
		e.isz = 4;
		e.imm = a;
	} else {
		opc(&e, 0x8d, -1);	/* LEA r64, [rip+x] */
		e.w = true;
		e.modrm = true;
		e.reg = r;
		e.rip = true;
		e.dsz = 4;
		e.ripabs = a;
	}
	if (emit(g, &e, N_DEF)) {
		st_write(g, r);
		g->st.ptr |= 1U << r;
	}
}

static u64 rptr(void)
{
	return DATA + 0xe00 + rn(0x400);
}

/* Make the flags in @need defined before a reader. */
static void need_flags(struct gen *g, u16 need)
{
	struct enc e;
	struct gi *x;
	int w;

	if (!(g->st.u & need) || chance(5))
		return;
	enc_init(&e);
	w = pick_w(&e, true);
	if (chance(50)) {
		opc(&e, w == 1 ? 0x38 : 0x39, -1);
		e.modrm = true;
		e.mod = 3;
		e.rm = w == 1 ? rn(8) : pick_reg_any();
		e.reg = w == 1 ? rn(8) : pick_reg_any();
	} else {
		opc(&e, w == 1 ? 0x80 : 0x83, -1);
		e.modrm = true;
		e.mod = 3;
		e.reg = 7;
		e.rm = w == 1 ? rn(8) : pick_reg_any();
		e.isz = 1;
		e.imm = rval();
	}
	x = emit(g, &e, N_DEF);
	if (x) {
		x->fw = F_ALL;
		g->st.u &= ~F_ALL;
	}
}

static const u16 cc_flags[8] = {
	F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF, F_SF | F_OF,
	F_ZF | F_SF | F_OF
};

/* ---- the groups ---- */

static void g_alu(struct gen *g, int kind)
{
	struct enc e;
	struct gi *x;
	int op = rn(8), w, name;
	bool mem = false, brex;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	if (op == 2 || op == 3)
		need_flags(g, F_CF);
	if (kind == 0) {		/* op r/m, r */
		name = 0;
		opc(&e, op * 8 + (w > 1), -1);
		mem = rm_op(g, &e, w, op != 7, 40, brex);
		e.reg = w == 1 ? reg8(brex, false) : pick_reg_any();
		if (mem && op != 7 && chance(40))
			pfx(&e, 0xf0);
		if (!mem && op != 7) {
			if (w == 1)
				st_write8(g, e.rm, brex);
			else
				st_write(g, e.rm);
		}
	} else if (kind == 1) {		/* op r, r/m */
		name = 1;
		opc(&e, op * 8 + 2 + (w > 1), -1);
		mem = rm_op(g, &e, w, false, 40, brex);
		e.reg = w == 1 ? reg8(brex, true) : pick_reg_w();
		if (op != 7) {
			if (w == 1)
				st_write8(g, e.reg, brex);
			else
				st_write(g, e.reg);
		}
	} else if (kind == 2) {		/* op al/eax, imm */
		name = 2;
		opc(&e, op * 8 + 4 + (w > 1), -1);
		e.isz = w == 1 ? 1 : (w == 2 ? 2 : 4);
		e.imm = rval();
		if (op != 7)
			st_write(g, 0);
	} else {			/* 80/81/83 /op */
		name = 3;
		opc(&e, w == 1 ? 0x80 : (chance(50) ? 0x83 : 0x81), -1);
		mem = rm_op(g, &e, w, op != 7, 40, brex);
		e.reg = op;
		e.isz = e.op[0] == 0x81 ? (w == 2 ? 2 : 4) : 1;
		e.imm = rval();
		if (mem && op != 7 && chance(40))
			pfx(&e, 0xf0);
		if (!mem && op != 7) {
			if (w == 1)
				st_write8(g, e.rm, brex);
			else
				st_write(g, e.rm);
		}
	}
	junk(&e, mem);
	x = emit(g, &e, name);
	if (!x)
		return;
	x->fr = (op == 2 || op == 3) ? F_CF : 0;
	if (op == 1 || op == 4 || op == 6) {
		x->fw = F_LOGIC;
		x->fu = F_AF;
	} else {
		x->fw = F_ALL;
	}
	st_flags(g, x);
}

static void g_test(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int w;
	bool brex;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	switch (rn(3)) {
	case 0:
		opc(&e, w == 1 ? 0x84 : 0x85, -1);
		rm_op(g, &e, w, false, 30, brex);
		e.reg = w == 1 ? reg8(brex, false) : pick_reg_any();
		break;
	case 1:
		opc(&e, w == 1 ? 0xa8 : 0xa9, -1);
		e.isz = w == 1 ? 1 : (w == 2 ? 2 : 4);
		e.imm = rval();
		break;
	default:
		opc(&e, w == 1 ? 0xf6 : 0xf7, -1);
		rm_op(g, &e, w, false, 30, brex);
		e.reg = chance(10) ? 1 : 0;
		e.isz = w == 1 ? 1 : (w == 2 ? 2 : 4);
		e.imm = rval();
		break;
	}
	junk(&e, false);
	x = emit(g, &e, 4);
	if (x) {
		x->fw = F_LOGIC;
		x->fu = F_AF;
		st_flags(g, x);
	}
}

static void g_unary(struct gen *g, int kind)
{
	struct enc e;
	struct gi *x;
	int w, op;
	bool mem, brex;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	if (kind == 0) {	/* NOT, NEG */
		op = 2 + rn(2);
		opc(&e, w == 1 ? 0xf6 : 0xf7, -1);
	} else {		/* INC, DEC */
		op = rn(2);
		opc(&e, w == 1 ? 0xfe : 0xff, -1);
	}
	mem = rm_op(g, &e, w, true, 40, brex);
	e.reg = op;
	if (mem && chance(40))
		pfx(&e, 0xf0);
	if (!mem) {
		if (w == 1)
			st_write8(g, e.rm, brex);
		else
			st_write(g, e.rm);
	}
	junk(&e, mem);
	x = emit(g, &e, kind == 0 ? 5 : 6);
	if (!x)
		return;
	if (kind == 0)
		x->fw = op == 3 ? F_ALL : 0;
	else
		x->fw = F_ALL & ~F_CF;
	st_flags(g, x);
}

static void g_muldiv(struct gen *g, bool div)
{
	struct enc e;
	struct gi *x;
	int w, op;
	bool brex;

	if (div && chance(50)) {
		/* make a successful divide likely */
		enc_init(&e);
		if (chance(50)) {
			opc(&e, 0x31, -1);	/* xor edx, edx */
			e.modrm = true;
			e.mod = 3;
			e.reg = 2;
			e.rm = 2;
			x = emit(g, &e, N_DEF);
			if (x) {
				x->fw = F_LOGIC;
				x->fu = F_AF;
				st_flags(g, x);
			}
		} else {
			pick_w(&e, false);
			opc(&e, 0x99, -1);	/* cwd/cdq/cqo */
			emit(g, &e, N_DEF);
		}
		st_write(g, 2);
	}
	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	op = div ? 6 + rn(2) : 4 + rn(2);
	opc(&e, w == 1 ? 0xf6 : 0xf7, -1);
	rm_op(g, &e, w, false, 30, brex);
	e.reg = op;
	junk(&e, false);
	x = emit(g, &e, div ? 8 : 7);
	if (!x)
		return;
	st_write(g, 0);
	if (w > 1)
		st_write(g, 2);
	if (div) {
		x->fu = F_ALL;
	} else {
		x->fw = F_CF | F_OF;
		x->fu = F_ALL & ~(F_CF | F_OF);
	}
	st_flags(g, x);
}

static void g_imul(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int k = rn(3);

	enc_init(&e);
	pick_w(&e, false);
	if (k == 0)
		opc(&e, 0x0f, 0xaf);
	else
		opc(&e, k == 1 ? 0x6b : 0x69, -1);
	rm_op(g, &e, e.w ? 8 : 4, false, 30, false);
	e.reg = pick_reg_w();
	if (k == 1) {
		e.isz = 1;
		e.imm = rval();
	} else if (k == 2) {
		e.isz = e.np && e.pfx[0] == 0x66 && !e.w ? 2 : 4;
		e.imm = rval();
	}
	if (k)
		junk(&e, false);
	x = emit(g, &e, 9);
	if (!x)
		return;
	st_write(g, e.reg);
	x->fw = F_CF | F_OF;
	x->fu = F_ALL & ~(F_CF | F_OF);
	st_flags(g, x);
}

static int shift_count(int w)
{
	switch (rn(6)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return w * 8 - 1 + rn(3);
	case 3:
		return rn(256);
	default:
		return rn(w * 8 + 2);
	}
}

static void g_shift(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int w, op = rn(8), k = rn(3), c = 0;
	bool mem, brex;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	if (op == 2 || op == 3)
		need_flags(g, F_CF);
	if (k == 0) {
		opc(&e, w == 1 ? 0xc0 : 0xc1, -1);
		c = shift_count(w);
		e.isz = 1;
		e.imm = c;
	} else if (k == 1) {
		opc(&e, w == 1 ? 0xd0 : 0xd1, -1);
		c = 1;
	} else {
		opc(&e, w == 1 ? 0xd2 : 0xd3, -1);
		c = -1;
	}
	mem = rm_op(g, &e, w, true, 30, brex);
	e.reg = op;
	if (!mem) {
		if (w == 1)
			st_write8(g, e.rm, brex);
		else
			st_write(g, e.rm);
	}
	junk(&e, false);
	x = emit(g, &e, 10);
	if (!x)
		return;
	x->w = w;
	x->cnt = c;
	x->shop = op;
	x->dyn = op < 2 ? D_ROT : (op < 4 ? D_RC : D_SHIFT);
	x->fr = (op == 2 || op == 3) ? F_CF : 0;
	st_flags(g, x);
}

static void g_shd(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int w, c = -1;
	bool right = chance(50), mem;

	enc_init(&e);
	w = pick_w(&e, false);
	if (chance(50)) {
		opc(&e, 0x0f, right ? 0xac : 0xa4);
		c = w == 2 ? rn(17) : shift_count(w);
		e.isz = 1;
		e.imm = c;
	} else {
		opc(&e, 0x0f, right ? 0xad : 0xa5);
	}
	mem = rm_op(g, &e, w, true, 30, false);
	e.reg = pick_reg_any();
	if (!mem)
		st_write(g, e.rm);
	x = emit(g, &e, 11);
	if (!x)
		return;
	x->w = w;
	x->cnt = c;
	x->dyn = D_SHD;
	st_flags(g, x);
}

static void g_bt(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int op = rn(4);
	bool mem;

	enc_init(&e);
	pick_w(&e, false);
	if (chance(50)) {
		opc(&e, 0x0f, 0xba);
		mem = rm_op(g, &e, 8, op != 0, 40, false);
		e.reg = 4 + op;
		e.isz = 1;
		e.imm = rn(256);
	} else {
		opc(&e, 0x0f, 0xa3 + op * 8);
		if (g->st.small && chance(40)) {
			mem = true;
			mem_op(g, &e, 8);
			e.reg = pick_bit(g->st.small);
		} else {
			mem = false;
			e.modrm = true;
			e.mod = 3;
			e.rm = op ? pick_reg_w() : pick_reg_any();
			e.reg = pick_reg_any();
		}
	}
	if (mem && op && chance(40))
		pfx(&e, 0xf0);
	if (!mem && op)
		st_write(g, e.rm);
	x = emit(g, &e, 12);
	if (!x)
		return;
	x->fw = F_CF;
	x->fu = F_ALL & ~F_CF;
	st_flags(g, x);
}

/* Host features the generator depends on (both must implement them). */
static bool host_lzcnt, host_popcnt, host_cx16;

static void host_features(void)
{
	unsigned int a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d)) {
		host_popcnt = c & (1U << 23);
		host_cx16 = c & (1U << 13);
	}
	if (__get_cpuid(0x80000001, &a, &b, &c, &d))
		host_lzcnt = c & (1U << 5);
}

static void g_bitscan(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int k = rn(4);

	if ((k == 2 && !host_lzcnt) || (k == 3 && !host_popcnt))
		k = rn(2);

	enc_init(&e);
	pick_w(&e, false);
	if (k >= 2)
		pfx(&e, 0xf3);
	/* TZCNT (F3 0F BC) is BSF on the VP (no BMI1): left out */
	opc(&e, 0x0f, k == 0 ? 0xbc : (k == 1 ? 0xbd : (k == 2 ? 0xbd :
								0xb8)));
	rm_op(g, &e, 8, false, 30, false);
	e.reg = pick_reg_w();
	x = emit(g, &e, 13);
	if (!x)
		return;
	st_write(g, e.reg);
	if (k < 2) {
		x->dyn = D_BS;
	} else if (k == 2) {
		x->fw = F_CF | F_ZF;
		x->fu = F_ALL & ~(F_CF | F_ZF);
	} else {
		x->fw = F_ALL;
	}
	st_flags(g, x);
}

static void g_cond(struct gen *g, int kind)
{
	struct enc e;
	struct gi *x;
	int cc = rn(16);
	bool mem, brex;

	need_flags(g, cc_flags[cc >> 1]);
	enc_init(&e);
	if (kind == 0) {	/* SETcc */
		brex = chance(40);
		e.rex = brex;
		opc(&e, 0x0f, 0x90 + cc);
		mem = rm_op(g, &e, 1, true, 30, brex);
		e.reg = chance(10) ? rn(8) : 0;
		if (!mem)
			st_write8(g, e.rm, brex);
	} else {		/* CMOVcc */
		pick_w(&e, false);
		opc(&e, 0x0f, 0x40 + cc);
		rm_op(g, &e, 8, false, 30, false);
		e.reg = pick_reg_w();
		st_write(g, e.reg);
	}
	x = emit(g, &e, kind == 0 ? 14 : 15);
	if (x)
		x->fr = cc_flags[cc >> 1];
}

/* Jumps end their group; the target is a later group (or the end). */
static void jump_to(struct gen *g, struct gi *x, int fix, int pos)
{
	int t = g->gcur + 1 + rn(3);

	if (t > g->ng)
		t = g->ng;
	x->fix = fix;
	x->fixpos = pos;
	x->tgt = t;
	if (!g->pend[t].v) {
		g->pend[t] = g->st;
		g->pend[t].v = true;
	} else {
		g->pend[t].u |= g->st.u;
		g->pend[t].ptr &= g->st.ptr;
		g->pend[t].small &= g->st.small;
		if (g->st.dlo < g->pend[t].dlo)
			g->pend[t].dlo = g->st.dlo;
		if (g->st.dhi > g->pend[t].dhi)
			g->pend[t].dhi = g->st.dhi;
	}
}

static void g_jcc(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int cc = rn(16);
	bool near = chance(30);

	need_flags(g, cc_flags[cc >> 1]);
	enc_init(&e);
	if (chance(5))
		pfx(&e, chance(50) ? 0x2e : 0x3e);	/* branch hints */
	if (near) {
		opc(&e, 0x0f, 0x80 + cc);
		e.isz = 4;
	} else {
		opc(&e, 0x70 + cc, -1);
		e.isz = 1;
	}
	x = emit(g, &e, 16);
	if (!x)
		return;
	x->fr = cc_flags[cc >> 1];
	jump_to(g, x, near ? FIX_REL32 : FIX_REL8, x->len - e.isz);
}

static void g_jmp(struct gen *g)
{
	struct enc e;
	struct gi *x;
	bool near = chance(40);

	enc_init(&e);
	opc(&e, near ? 0xe9 : 0xeb, -1);
	e.isz = near ? 4 : 1;
	x = emit(g, &e, 17);
	if (x)
		jump_to(g, x, near ? FIX_REL32 : FIX_REL8, x->len - e.isz);
}

static void g_loop(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int op = 0xe0 + rn(4);

	if (op < 0xe2)
		need_flags(g, F_ZF);
	if (chance(50))
		set_small(g, 1);
	enc_init(&e);
	if (chance(20))
		pfx(&e, 0x67);
	opc(&e, op, -1);
	e.isz = 1;
	x = emit(g, &e, 18);
	if (!x)
		return;
	x->fr = op < 0xe2 ? F_ZF : 0;
	if (op != 0xe3)
		st_write(g, 1);
	jump_to(g, x, FIX_REL8, x->len - 1);
}

static void g_movx(struct gen *g, bool sxd)
{
	struct enc e;
	struct gi *x;
	int src;
	bool brex = false;

	enc_init(&e);
	pick_w(&e, false);
	if (sxd) {
		opc(&e, 0x63, -1);
		src = 4;
	} else {
		int k = rn(4);

		opc(&e, 0x0f, (const u8[]){ 0xb6, 0xb7, 0xbe, 0xbf }[k]);
		src = (k & 1) ? 2 : 1;
		if (src == 1 && !e.w)
			brex = chance(30);
		e.rex = brex;
	}
	rm_op(g, &e, src, false, 35, src == 1 ? (brex || e.w) : true);
	e.reg = pick_reg_w();
	x = emit(g, &e, sxd ? 20 : 19);
	if (x)
		st_write(g, e.reg);
}

static void g_mov(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int w, k = rn(6), r = -1;
	bool brex, mem = false;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	switch (k) {
	case 0:		/* 88/89 */
		opc(&e, w == 1 ? 0x88 : 0x89, -1);
		mem = rm_op(g, &e, w, true, 50, brex);
		e.reg = w == 1 ? reg8(brex, false) : pick_reg_any();
		if (!mem)
			r = e.rm;
		break;
	case 1:		/* 8a/8b */
		opc(&e, w == 1 ? 0x8a : 0x8b, -1);
		rm_op(g, &e, w, false, 50, brex);
		e.reg = w == 1 ? reg8(brex, true) : pick_reg_w();
		r = e.reg;
		break;
	case 2:		/* c6/c7 */
		opc(&e, w == 1 ? 0xc6 : 0xc7, -1);
		mem = rm_op(g, &e, w, true, 50, brex);
		e.reg = 0;
		e.isz = w == 1 ? 1 : (w == 2 ? 2 : 4);
		e.imm = rval();
		if (!mem)
			r = e.rm;
		break;
	case 3:		/* b0+r / b8+r */
		opc(&e, w == 1 ? 0xb0 : 0xb8, -1);
		e.oreg = w == 1 ? reg8(brex, true) : pick_reg_w();
		e.isz = w == 1 ? 1 : (w == 2 ? 2 : (w == 4 ? 4 : 8));
		e.imm = rval();
		r = e.oreg;
		break;
	case 4:		/* moffs */
	default: {
		bool st = chance(50);
		u64 a = DATA + rn(DATA_SZ - 8);

		opc(&e, (st ? 0xa2 : 0xa0) + (w > 1), -1);
		if (chance(20)) {
			pfx(&e, 0x67);
			e.isz = 4;
		} else {
			e.isz = 8;
		}
		e.imm = a;
		if (!st)
			r = 0;
		break;
	}
	}
	junk(&e, false);
	x = emit(g, &e, 21);
	if (x && r >= 0) {
		if (w == 1 && k != 4 && k != 5)
			st_write8(g, r, brex);
		else
			st_write(g, r);
	}
}

static void g_xchg(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int w;
	bool brex, mem = false;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	if (w > 1 && chance(30)) {
		opc(&e, 0x90, -1);
		e.oreg = pick_reg_w();
		x = emit(g, &e, 22);
		if (x) {
			st_write(g, 0);
			st_write(g, e.oreg);
		}
		return;
	}
	opc(&e, w == 1 ? 0x86 : 0x87, -1);
	mem = rm_op(g, &e, w, true, 40, brex);
	e.reg = w == 1 ? reg8(brex, true) : pick_reg_w();
	if (mem && chance(30))
		pfx(&e, 0xf0);
	if (!mem && chance(20))
		e.rm = e.reg;
	x = emit(g, &e, 22);
	if (!x)
		return;
	if (w == 1) {
		st_write8(g, e.reg, brex);
		if (!mem)
			st_write8(g, e.rm, brex);
	} else {
		st_write(g, e.reg);
		if (!mem)
			st_write(g, e.rm);
	}
}

static void g_xadd_cx(struct gen *g, bool cx)
{
	struct enc e;
	struct gi *x;
	int w;
	bool brex, mem;

	enc_init(&e);
	w = pick_w(&e, true);
	brex = w == 1 && chance(40);
	e.rex = brex;
	opc(&e, 0x0f, (cx ? 0xb0 : 0xc0) + (w > 1));
	mem = rm_op(g, &e, w, true, 50, brex);
	e.reg = w == 1 ? reg8(brex, true) : pick_reg_w();
	if (mem && chance(50))
		pfx(&e, 0xf0);
	if (cx && mem && chance(40) && !(e.sib ? (e.base == 0 ||
						  e.index == 0) :
					 (!e.rip && e.rm == 0))) {
		/* MOV acc, the same operand: the compare succeeds */
		struct enc m = e;
		int i;

		m.np = 0;
		for (i = 0; i < e.np; i++)
			if (e.pfx[i] == 0x66 || e.pfx[i] == 0x67)
				pfx(&m, e.pfx[i]);
		m.nop = 0;
		opc(&m, w == 1 ? 0x8a : 0x8b, -1);
		m.reg = 0;
		if (emit(g, &m, 24))
			st_write(g, 0);
	}
	x = emit(g, &e, cx ? 24 : 23);
	if (!x)
		return;
	if (w == 1) {
		st_write8(g, e.reg, brex);
		if (!mem)
			st_write8(g, e.rm, brex);
	} else {
		st_write(g, e.reg);
		if (!mem)
			st_write(g, e.rm);
	}
	st_write(g, 0);
	x->fw = F_ALL;
	st_flags(g, x);
}

static void g_cx8(struct gen *g)
{
	struct enc e;
	struct gi *x;

	enc_init(&e);
	if (chance(50) && host_cx16)
		e.w = true;
	if (chance(50)) {
		/* load EDX:EAX / RDX:RAX from the operand: success path */
		u64 a = DATA + 0x100 + (rn(0x1c00) & (chance(80) ? ~15 : ~0));
		int i, h = e.w ? 8 : 4;
		struct enc m;

		for (i = 0; i < 2; i++) {
			enc_init(&m);
			m.w = e.w;
			opc(&m, 0x8b, -1);
			m.modrm = true;
			m.reg = i ? 2 : 0;
			m.rip = true;
			m.dsz = 4;
			m.ripabs = a + i * h;
			emit(g, &m, 25);
		}
		if (chance(50)) {
			e.rip = true;
			e.dsz = 4;
			e.ripabs = a;
		} else {
			e.sib = true;
			e.base = 5;
			e.index = 4;
			e.dsz = 4;
			e.disp = a;
		}
		e.modrm = true;
		if (chance(50)) {
			/* and something to store: RCX:RBX */
			set_small(g, 1);
			set_small(g, 3);
		}
	} else {
		mem_op(g, &e, 16);
	}
	if (chance(50))
		pfx(&e, 0xf0);
	opc(&e, 0x0f, 0xc7);
	e.reg = 1;
	x = emit(g, &e, 25);
	if (!x)
		return;
	st_write(g, 0);
	st_write(g, 2);
	x->fw = F_ZF;
	st_flags(g, x);
}

static void g_bswap(struct gen *g)
{
	struct enc e;

	enc_init(&e);
	if (chance(50))
		e.w = true;
	opc(&e, 0x0f, 0xc8);
	e.oreg = pick_reg_w();
	if (emit(g, &e, 26))
		st_write(g, e.oreg);
}

static void g_cbw(struct gen *g)
{
	struct enc e;
	bool cwd = chance(50);

	enc_init(&e);
	pick_w(&e, false);
	opc(&e, cwd ? 0x99 : 0x98, -1);
	if (emit(g, &e, 27))
		st_write(g, cwd ? 2 : 0);
}

static void g_lea(struct gen *g)
{
	struct enc e;
	int w;

	enc_init(&e);
	w = pick_w(&e, false);
	(void)w;
	opc(&e, 0x8d, -1);
	e.modrm = true;
	e.reg = pick_reg_w();
	if (chance(20))
		pfx(&e, 0x67);
	if (chance(15)) {
		e.rip = true;
		e.dsz = 4;
		e.ripabs = CODE + rn(0x1000);
	} else {
		e.mod = rn(3);
		if (chance(60)) {
			e.sib = true;
			e.index = rn(16);
			e.base = rn(16);
			e.scale = rn(4);
			if ((e.base & 7) == 5 && e.mod == 0)
				e.dsz = 4;
		} else {
			e.rm = rn(16);
		}
		if (e.mod == 1)
			e.dsz = 1;
		else if (e.mod == 2)
			e.dsz = 4;
		e.disp = (s32)rval();
	}
	if (emit(g, &e, 28))
		st_write(g, e.reg);
}

static void g_pushpop(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int k = rn(6), sz = 8;
	bool w16 = chance(10);

	enc_init(&e);
	if (w16) {
		pfx(&e, 0x66);
		sz = 2;
	}
	if (chance(10)) {
		e.w = true;	/* REX.W: still 64-bit (and wins over 66) */
		sz = 8;
	}
	if (k < 3 && g->st.dhi + sz > 0x100)
		k += 3;
	if (k >= 3 && g->st.dlo - sz < -0x100)
		k -= 3;
	switch (k) {
	case 0:
		opc(&e, 0x50, -1);
		e.oreg = pick_reg_any();
		break;
	case 1:
		opc(&e, chance(50) ? 0x6a : 0x68, -1);
		e.isz = e.op[0] == 0x6a ? 1 : (sz == 2 ? 2 : 4);
		e.imm = rval();
		break;
	case 2:
		opc(&e, 0xff, -1);
		mem_op(g, &e, sz);
		e.reg = 6;
		break;
	case 3:
	case 4:
		opc(&e, 0x58, -1);
		e.oreg = pick_reg_w();
		break;
	default:
		opc(&e, 0x8f, -1);
		mem_op(g, &e, sz);
		e.reg = 0;
		break;
	}
	x = emit(g, &e, 29);
	if (!x)
		return;
	if (k < 3) {
		g->st.dlo += sz;
		g->st.dhi += sz;
	} else {
		g->st.dlo -= sz;
		g->st.dhi -= sz;
		if (e.oreg >= 0)
			st_write(g, e.oreg);
	}
}

static void g_flagops(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int k = rn(9);

	enc_init(&e);
	switch (k) {
	case 0:
	case 1:
	case 2:
		opc(&e, (const u8[]){ 0xf8, 0xf9, 0xf5 }[k], -1);
		x = emit(g, &e, 30);
		if (x && k < 2) {
			x->fw = F_CF;
			st_flags(g, x);
		}
		break;
	case 3:
	case 4:
		opc(&e, k == 3 ? 0xfc : 0xfd, -1);
		emit(g, &e, 30);
		break;
	case 5:		/* LAHF */
		need_flags(g, F_ALL & ~F_OF);
		opc(&e, 0x9f, -1);
		x = emit(g, &e, 30);
		if (x) {
			x->fr = F_ALL & ~F_OF;
			st_write(g, 0);
		}
		break;
	case 6:		/* SAHF */
		opc(&e, 0x9e, -1);
		x = emit(g, &e, 30);
		if (x) {
			x->fw = F_ALL & ~F_OF;
			st_flags(g, x);
		}
		break;
	case 7:		/* PUSHF */
		if (g->st.dhi > 0xf0)
			return;
		need_flags(g, F_ALL);
		if (chance(10))
			pfx(&e, 0x66);
		opc(&e, 0x9c, -1);
		x = emit(g, &e, 30);
		if (x) {
			x->fr = F_ALL;
			g->st.dlo += 8;
			g->st.dhi += 8;
		}
		break;
	default:	/* PUSH imm (arith flags, DF); POPF */
		opc(&e, 0x68, -1);
		e.isz = 4;
		e.imm = (rnd() & (F_ALL | (chance(20) ? F_DF : 0))) | 2;
		emit(g, &e, 30);
		enc_init(&e);
		opc(&e, 0x9d, -1);
		x = emit(g, &e, 30);
		if (x) {
			x->fw = F_ALL;
			st_flags(g, x);
		}
		break;
	}
}

static void g_string(struct gen *g)
{
	static const u8 ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac,
				  0xad, 0xae, 0xaf };
	struct enc e;
	struct gi *x;
	int op = ops[rn(10)], rep = 0;
	bool cmp = op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf;
	bool a32 = chance(15);

	bool edge = chance(8);	/* run into a guard page mid-REP */

	if (op != 0xaa && op != 0xab && op != 0xae && op != 0xaf)
		set_ptr(g, 6, edge && chance(50) ? DATA + DATA_SZ - rn(40) :
			DATA + 0xe80 + rn(0x300));
	if (op != 0xac && op != 0xad)
		set_ptr(g, 7, edge && chance(50) ? DATA + rn(40) :
			DATA + 0xe80 + rn(0x300));
	if (edge && !(g->st.u & F_DF) && chance(50)) {
		enc_init(&e);
		opc(&e, 0xfd, -1);	/* STD: run down into the lower guard */
		emit(g, &e, 31);
	}
	if (chance(70) || edge) {
		rep = cmp ? (chance(50) ? 0xf3 : 0xf2) : 0xf3;
		if (!cmp && chance(10))
			rep = 0xf2;
		enc_init(&e);
		opc(&e, 0xb8, -1);
		e.oreg = 1;
		e.isz = 4;
		e.imm = edge ? 2048 + rn(2048) : rn(10);
		if (emit(g, &e, N_DEF)) {
			st_write(g, 1);
			if (!edge)
				g->st.small |= 2;
		}
	}
	enc_init(&e);
	if (rep)
		pfx(&e, rep);
	if (a32)
		pfx(&e, 0x67);
	if (op & 1) {
		switch (rn(3)) {
		case 0:
			pfx(&e, 0x66);
			break;
		case 1:
			e.w = true;
			break;
		}
	}
	opc(&e, op, -1);
	x = emit(g, &e, 31);
	if (!x)
		return;
	if (edge) {
		st_write(g, 6);
		st_write(g, 7);
		g->last = true;
	}
	x->rep = rep;
	x->asz = a32 ? 4 : 8;
	if (cmp) {
		x->dyn = D_CMPSTR;
		x->fw = F_ALL;
		st_flags(g, x);
	}
	if (op == 0xac || op == 0xad)
		st_write(g, 0);
}

static void g_xlat(struct gen *g)
{
	struct enc e;

	if (!(g->st.ptr & 8) || chance(30))
		set_ptr(g, 3, rptr());
	enc_init(&e);
	if (chance(20))
		e.w = true;
	opc(&e, 0xd7, -1);
	if (emit(g, &e, 32))
		st_write(g, 0);
}

static void g_callret(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int k = rn(5), r;

	if (g->st.dhi > 0xf0)
		return;
	enc_init(&e);
	switch (k) {
	case 0:		/* CALL rel32 forward */
		opc(&e, 0xe8, -1);
		e.isz = 4;
		x = emit(g, &e, 33);
		if (!x)
			return;
		jump_to(g, x, FIX_REL32, x->len - 4);
		g->pend[x->tgt].dlo += 8;
		g->pend[x->tgt].dhi += 8;
		break;
	case 1:		/* PUSH target; RET [imm16] */
		opc(&e, 0x68, -1);
		e.isz = 4;
		x = emit(g, &e, 33);
		if (!x)
			return;
		enc_init(&e);
		if (chance(30)) {
			opc(&e, 0xc2, -1);
			e.isz = 2;
			e.imm = 8 * rn(2);
		} else {
			opc(&e, 0xc3, -1);
		}
		if (g->st.dlo - 8 - (int)e.imm < -0x100)
			e.imm = 0;
		if (!emit(g, &e, 33)) {
			g->n--;
			return;
		}
		g->st.dlo -= e.imm;
		g->st.dhi -= e.imm;
		jump_to(g, x, FIX_ABS32, 1);
		break;
	case 2:		/* MOV r, target; JMP/CALL r */
	case 3:
		r = pick_reg_w();
		opc(&e, 0xb8, -1);
		e.oreg = r;
		e.isz = 4;
		x = emit(g, &e, 33);
		if (!x)
			return;
		st_write(g, r);
		enc_init(&e);
		opc(&e, 0xff, -1);
		e.modrm = true;
		e.mod = 3;
		e.rm = r;
		e.reg = k == 2 ? 4 : 2;
		if (!emit(g, &e, 33)) {
			g->n--;
			return;
		}
		jump_to(g, x, FIX_ABS32, x->len - 4);
		if (k == 3) {
			g->pend[x->tgt].dlo += 8;
			g->pend[x->tgt].dhi += 8;
		}
		break;
	default:	/* PUSH target; JMP [rsp] */
		opc(&e, 0x68, -1);
		e.isz = 4;
		x = emit(g, &e, 33);
		if (!x)
			return;
		g->st.dlo += 8;
		g->st.dhi += 8;
		enc_init(&e);
		opc(&e, 0xff, -1);
		e.modrm = true;
		e.sib = true;
		e.base = 4;
		e.index = 4;
		e.reg = 4;
		if (!emit(g, &e, 33)) {
			g->n--;
			return;
		}
		jump_to(g, x, FIX_ABS32, 1);
		break;
	}
}

static void g_enter(struct gen *g)
{
	struct enc e;
	int lvl = chance(70) ? 0 : 1 + rn(3);

	if (g->st.dhi > 0x80)
		return;
	if (lvl && (!(g->st.ptr & 0x20) || chance(30)))
		set_ptr(g, 5, rptr());
	enc_init(&e);
	opc(&e, 0xc8, -1);
	e.isz = 3;
	e.imm = (rn(9) * 8) | (lvl << 16);
	emit(g, &e, 34);
	enc_init(&e);
	opc(&e, 0xc9, -1);
	emit(g, &e, 34);
}

static void g_nop(struct gen *g)
{
	struct enc e;
	int k = rn(7);

	enc_init(&e);
	switch (k) {
	case 0:
		opc(&e, 0x90, -1);
		if (chance(50))
			pfx(&e, chance(50) ? 0x66 : 0xf3);
		break;
	case 1:		/* 0F 1F /0, any address */
	case 2:		/* PREFETCHh, any address */
		pick_w(&e, false);
		opc(&e, 0x0f, k == 1 ? 0x1f : 0x18);
		e.modrm = true;
		e.mod = rn(3);
		e.reg = k == 1 ? 0 : rn(4);
		e.rm = rn(16);
		if ((e.rm & 7) == 4) {
			e.sib = true;
			e.index = rn(16);
			e.base = rn(16);
			e.scale = rn(4);
			if ((e.base & 7) == 5 && e.mod == 0)
				e.dsz = 4;
		} else if ((e.rm & 7) == 5 && e.mod == 0) {
			e.rip = true;
			e.dsz = 4;
			e.ripabs = rnd() & 0x7fffffff;
		}
		if (e.mod == 1)
			e.dsz = 1;
		else if (e.mod == 2)
			e.dsz = 4;
		e.disp = (s32)rnd();
		break;
	case 3:		/* fences */
		opc(&e, 0x0f, 0xae);
		e.modrm = true;
		e.mod = 3;
		e.reg = 5 + rn(3);
		e.rm = 0;
		break;
	case 4:		/* CLFLUSH */
		opc(&e, 0x0f, 0xae);
		mem_op(g, &e, 1);
		e.reg = 7;
		break;
	case 5:		/* PAUSE */
		pfx(&e, 0xf3);
		opc(&e, 0x90, -1);
		break;
	default:	/* PREFETCHW */
		opc(&e, 0x0f, 0x0d);
		mem_op(g, &e, 1);
		e.reg = 1;
		break;
	}
	emit(g, &e, 35);
}

static void g_movsreg(struct gen *g)
{
	struct enc e;
	bool mem;

	enc_init(&e);
	if (chance(50))
		e.w = true;
	opc(&e, 0x8c, -1);
	mem = rm_op(g, &e, 2, true, 30, false);
	e.reg = rn(4) == 0 ? 1 : (rn(2) ? 2 : 3);	/* CS, SS, DS */
	if (chance(20))
		e.reg = 0;	/* ES */
	if (emit(g, &e, 36) && !mem)
		st_write(g, e.rm);
}

static void g_ud(struct gen *g)
{
	static const u8 inv[] = { 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f,
				  0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x82,
				  0xce, 0xd4, 0xd5 };
	struct enc e;
	int k = rn(6);

	enc_init(&e);
	switch (k) {
	case 0:
		opc(&e, 0x0f, 0x0b);	/* UD2 */
		break;
	case 1:
		opc(&e, inv[rn(sizeof(inv))], -1);
		if (e.op[0] == 0x82 || e.op[0] == 0xd4 || e.op[0] == 0xd5) {
			e.isz = 1;
			e.imm = rnd();
			if (e.op[0] == 0x82) {
				e.modrm = true;
				e.mod = 3;
				e.rm = rn(16);
				e.reg = rn(8);
			}
		}
		break;
	case 2:		/* LOCK on a register destination */
		pfx(&e, 0xf0);
		opc(&e, 0x01 + 8 * rn(7), -1);
		e.modrm = true;
		e.mod = 3;
		e.rm = pick_reg_w();
		e.reg = pick_reg_any();
		break;
	case 3:		/* LOCK on a non-lockable instruction */
		pfx(&e, 0xf0);
		opc(&e, chance(50) ? 0x8b : 0x39, -1);
		mem_op(g, &e, 8);
		e.reg = pick_reg_w();
		break;
	case 4:		/* LOCK CMP / LOCK TEST */
		pfx(&e, 0xf0);
		opc(&e, 0x83, -1);
		mem_op(g, &e, 4);
		e.reg = 7;
		e.isz = 1;
		e.imm = rnd();
		break;
	default:	/* BT imm with /0../3 */
		opc(&e, 0x0f, 0xba);
		e.modrm = true;
		e.mod = 3;
		e.rm = rn(16);
		e.reg = rn(4);
		e.isz = 1;
		break;
	}
	if (emit(g, &e, 37))
		g->last = true;
}

static void g_priv(struct gen *g)
{
	struct enc e;
	int k = rn(14);

	enc_init(&e);
	switch (k) {
	case 0:
		opc(&e, 0xfa, -1);	/* CLI */
		break;
	case 1:
		opc(&e, 0xfb, -1);	/* STI */
		break;
	case 2:
		opc(&e, 0xf4, -1);	/* HLT */
		break;
	case 3:
		opc(&e, 0xe4 + rn(4), -1);	/* IN/OUT imm8 */
		e.isz = 1;
		e.imm = rnd();
		break;
	case 4:
		opc(&e, 0xec + rn(4), -1);	/* IN/OUT dx */
		break;
	case 5:
		opc(&e, 0x6c + rn(4), -1);	/* INS/OUTS */
		break;
	case 6: {			/* INT n */
		int v;

		do {
			v = rn(256);
		} while (v == 3 || v == 4 || v == 0x80);
		opc(&e, 0xcd, -1);
		e.isz = 1;
		e.imm = v;
		break;
	}
	case 7:
		opc(&e, 0x0f, chance(50) ? 0x20 : 0x22);	/* MOV CR */
		e.modrm = true;
		e.mod = 3;
		e.reg = (const u8[]){ 0, 2, 3, 4, 8 }[rn(5)];
		e.rm = pick_reg_w();
		break;
	case 8:
		opc(&e, 0x0f, chance(50) ? 0x30 : 0x32);	/* WR/RDMSR */
		break;
	case 9:
		opc(&e, 0x0f, (const u8[]){ 0x06, 0x08, 0x09 }[rn(3)]);
		break;
	case 10:		/* LGDT, LIDT, INVLPG */
		opc(&e, 0x0f, 0x01);
		mem_op(g, &e, 10);
		e.reg = (const u8[]){ 2, 3, 7 }[rn(3)];
		break;
	case 11:		/* LLDT, LTR */
		opc(&e, 0x0f, 0x00);
		rm_op(g, &e, 2, false, 50, false);
		e.reg = 2 + rn(2);
		break;
	case 12:		/* SWAPGS */
		opc(&e, 0x0f, 0x01);
		e.modrm = true;
		e.mod = 3;
		e.reg = 7;
		e.rm = 0;
		break;
	default:		/* SYSRET */
		if (chance(50))
			e.w = true;
		opc(&e, 0x0f, 0x07);
		break;
	}
	if (emit(g, &e, 38))
		g->last = true;
}

static void g_noncanon(struct gen *g)
{
	struct enc e;
	struct gi *x;
	int r = pick_reg_w();
	bool ss = chance(40);
	/* bit 63 clear, a bit in 47..62 set: non-canonical even +-128 */
	u64 nc = (1ULL << (47 + rn(16))) | 0x1000 |
		 (rnd() & 0x3fffffff0000ULL);

	if (ss && r != 5)
		r = 5;	/* RBP base: stack segment */
	enc_init(&e);
	e.w = true;
	opc(&e, 0xb8, -1);
	e.oreg = r;
	e.isz = 8;
	e.imm = nc;
	if (!emit(g, &e, 39))
		return;
	st_write(g, r);
	enc_init(&e);
	opc(&e, chance(50) ? 0x8b : 0x89, -1);
	e.w = chance(50);
	e.modrm = true;
	e.mod = 1;
	e.rm = r;
	e.dsz = 1;
	e.disp = (s8)rnd();
	e.reg = pick_reg_w();
	x = emit(g, &e, 39);
	if (x) {
		st_write(g, e.reg);
		g->last = true;
	}
}

struct gdesc {
	int weight;
	void (*fn)(struct gen *g, int arg);
	int arg;
};

static void G_alu(struct gen *g, int a) { g_alu(g, a); }
static void G_test(struct gen *g, int a) { g_test(g); }
static void G_unary(struct gen *g, int a) { g_unary(g, a); }
static void G_muldiv(struct gen *g, int a) { g_muldiv(g, a); }
static void G_imul(struct gen *g, int a) { g_imul(g); }
static void G_shift(struct gen *g, int a) { g_shift(g); }
static void G_shd(struct gen *g, int a) { g_shd(g); }
static void G_bt(struct gen *g, int a) { g_bt(g); }
static void G_bitscan(struct gen *g, int a) { g_bitscan(g); }
static void G_cond(struct gen *g, int a) { g_cond(g, a); }
static void G_jcc(struct gen *g, int a) { g_jcc(g); }
static void G_jmp(struct gen *g, int a) { g_jmp(g); }
static void G_loop(struct gen *g, int a) { g_loop(g); }
static void G_movx(struct gen *g, int a) { g_movx(g, a); }
static void G_mov(struct gen *g, int a) { g_mov(g); }
static void G_xchg(struct gen *g, int a) { g_xchg(g); }
static void G_xadd(struct gen *g, int a) { g_xadd_cx(g, a); }
static void G_cx8(struct gen *g, int a) { g_cx8(g); }
static void G_bswap(struct gen *g, int a) { g_bswap(g); }
static void G_cbw(struct gen *g, int a) { g_cbw(g); }
static void G_lea(struct gen *g, int a) { g_lea(g); }
static void G_pushpop(struct gen *g, int a) { g_pushpop(g); }
static void G_flagops(struct gen *g, int a) { g_flagops(g); }
static void G_string(struct gen *g, int a) { g_string(g); }
static void G_xlat(struct gen *g, int a) { g_xlat(g); }
static void G_callret(struct gen *g, int a) { g_callret(g); }
static void G_enter(struct gen *g, int a) { g_enter(g); }
static void G_nop(struct gen *g, int a) { g_nop(g); }
static void G_movsreg(struct gen *g, int a) { g_movsreg(g); }
static void G_ud(struct gen *g, int a) { g_ud(g); }
static void G_priv(struct gen *g, int a) { g_priv(g); }
static void G_noncanon(struct gen *g, int a) { g_noncanon(g); }

static const struct gdesc gtab[] = {
	{ 10, G_alu, 0 }, { 8, G_alu, 1 }, { 3, G_alu, 2 }, { 8, G_alu, 3 },
	{ 4, G_test, 0 }, { 3, G_unary, 0 }, { 3, G_unary, 1 },
	{ 3, G_muldiv, 0 }, { 3, G_muldiv, 1 }, { 3, G_imul, 0 },
	{ 8, G_shift, 0 }, { 3, G_shd, 0 }, { 4, G_bt, 0 },
	{ 3, G_bitscan, 0 }, { 3, G_cond, 0 }, { 3, G_cond, 1 },
	{ 4, G_jcc, 0 }, { 1, G_jmp, 0 }, { 1, G_loop, 0 },
	{ 3, G_movx, 0 }, { 1, G_movx, 1 }, { 5, G_mov, 0 },
	{ 2, G_xchg, 0 }, { 2, G_xadd, 0 }, { 2, G_xadd, 1 },
	{ 1, G_cx8, 0 }, { 1, G_bswap, 0 }, { 2, G_cbw, 0 }, { 3, G_lea, 0 },
	{ 3, G_pushpop, 0 }, { 3, G_flagops, 0 }, { 3, G_string, 0 },
	{ 1, G_xlat, 0 }, { 2, G_callret, 0 }, { 1, G_enter, 0 },
	{ 2, G_nop, 0 }, { 1, G_movsreg, 0 }, { 1, G_ud, 0 },
	{ 1, G_priv, 0 }, { 1, G_noncanon, 0 },
};

/* The test case: code bytes, initial state, instruction info. */
struct tcase {
	struct gen g;
	u8 code[CODE_SZ];
	u16 len;
	u64 gpr[16], rfl;
	u64 dseed;
	u16 coff;	/* code at CODE + coff */
	u16 fmask;	/* corpus cases: the flags compared */
	bool corpus;
};

static void fill_mem(u64 seed, u8 *data, u8 *stack)
{
	u64 save = rs;
	int i;

	rseed(seed);
	for (i = 0; i < DATA_SZ; i += 8) {
		u64 v = rval();

		memcpy(data + i, &v, 8);
	}
	for (i = 0; i < STACK_SZ; i += 8) {
		u64 v = rval();

		memcpy(stack + i, &v, 8);
	}
	rs = save;
}

/* Lay out the instructions and resolve jump targets and RIP-relative
 * operands.
 */
static void layout(struct tcase *t)
{
	struct gen *g = &t->g;
	int i, grp = -1;
	u16 off = 0;

	for (i = 0; i < g->n; i++) {
		struct gi *x = &g->in[i];

		while (grp < x->grp) {
			grp++;
			g->goff[grp] = off;
		}
		x->off = off;
		off += x->len;
	}
	while (grp < g->ng) {
		grp++;
		g->goff[grp] = off;
	}
	t->len = off;
	for (i = 0; i < g->n; i++) {
		struct gi *x = &g->in[i];
		u64 end = CODE + t->coff + x->off + x->len;
		s64 d;

		switch (x->fix) {
		case FIX_REL8:
			d = g->goff[x->tgt] - (x->off + x->len);
			if (d > 127) {
				/* too far: the next group instead */
				x->tgt = x->grp + 1;
				d = g->goff[x->tgt] - (x->off + x->len);
			}
			x->b[x->fixpos] = (u8)d;
			break;
		case FIX_REL32:
			d = g->goff[x->tgt] - (x->off + x->len);
			memcpy(x->b + x->fixpos, &d, 4);
			break;
		case FIX_ABS32:
			d = CODE + t->coff + g->goff[x->tgt];
			memcpy(x->b + x->fixpos, &d, 4);
			break;
		case FIX_RIP:
			d = (s64)(x->abs - end);
			memcpy(x->b + x->fixpos, &d, 4);
			break;
		}
		memcpy(t->code + x->off, x->b, x->len);
	}
}

static void gen_case(struct tcase *t, u64 seed)
{
	struct gen *g = &t->g;
	int total = 0, i, r;

	memset(t, 0, offsetof(struct tcase, code));
	t->corpus = false;
	rseed(seed);
	for (i = 0; i < (int)(sizeof(gtab) / sizeof(gtab[0])); i++)
		total += gtab[i].weight;
	g->ng = 1 + rn(chance(30) ? MAXG : 8);
	g->st.u = 0;
	/* initial registers: some pointers, some small values */
	for (r = 0; r < 16; r++) {
		int k = rn(100);

		if (r == 4) {
			t->gpr[r] = STK_TOP;
		} else if (k < 25) {
			t->gpr[r] = rptr();
			g->st.ptr |= 1U << r;
		} else if (k < 35) {
			t->gpr[r] = (u64)(s64)((int)rn(0x81) - 0x40);
			g->st.small |= 1U << r;
		} else {
			t->gpr[r] = rval();
		}
	}
	t->rfl = (rnd() & F_ALL) | (chance(15) ? F_DF : 0);
	t->dseed = rnd();
	for (g->gcur = 0; g->gcur < g->ng && !g->full; g->gcur++) {
		int k = rn(total), j;

		g->gfirst[g->gcur] = g->n;
		if (g->pend[g->gcur].v) {
			struct gst *p = &g->pend[g->gcur];

			g->st.u |= p->u;
			g->st.ptr &= p->ptr;
			g->st.small &= p->small;
			if (p->dlo < g->st.dlo)
				g->st.dlo = p->dlo;
			if (p->dhi > g->st.dhi)
				g->st.dhi = p->dhi;
		}
		if (g->last)
			continue;
		for (j = 0; k >= gtab[j].weight; j++)
			k -= gtab[j].weight;
		gtab[j].fn(g, gtab[j].arg);
	}
	g->ng = g->gcur;
	for (i = 0; i < g->n; i++)
		if (g->in[i].tgt > g->ng)
			g->in[i].tgt = g->ng;
	t->coff = 0;
	layout(t);
	if (chance(30)) {
		/* across the boundary of the two code pages */
		t->coff = 0x1000 - rn(t->len + 1);
		layout(t);
	}
}

/* ------------------------------------------------------------------ */
/* Running and comparing */

static u8 ndata_init[DATA_SZ], nstack_init[STACK_SZ];
static u8 adata[DATA_SZ], astack[STACK_SZ];

static void run_native(const struct tcase *t)
{
	u8 *code = (u8 *)(uintptr_t)(CODE + t->coff);
	static const u8 tail[7] = { 0xff, 0x24, 0x25,
				    (u8)(NST + NST_EXIT),
				    (u8)((NST + NST_EXIT) >> 8),
				    (u8)((NST + NST_EXIT) >> 16),
				    (u8)((NST + NST_EXIT) >> 24) };

	memcpy(code, t->code, t->len);
	memcpy(code + t->len, tail, sizeof(tail));
	memcpy((void *)(uintptr_t)DATA, ndata_init, DATA_SZ);
	memcpy((void *)(uintptr_t)STACK, nstack_init, STACK_SZ);
	memcpy(nst(NST_IN), t->gpr, 128);
	*nst(NST_CODE) = CODE + t->coff;
	*nst(NST_FLIN) = t->rfl | 0x202;
	__builtin___clear_cache((char *)code, (char *)code + t->len + 7);
	memset(&nres, 0, sizeof(nres));
	if (dt_enter() == 0) {
		memcpy(nres.gpr, nst(NST_OUT), 128);
		nres.rfl = *nst(NST_FLOUT);
		nres.rip = CODE + t->coff + t->len;
		nres.vec = -1;
	}
}

/* Run the interpreter: all at once, or one instruction per svp_run(). */
static bool two_pass = true;
static bool verbose;
static int ntap;

static int run_guest(const struct tcase *t, struct res *r, bool step,
		     u16 *undef, int *ub)
{
	struct svp_state s, s0;
	struct svp_exit e;
	int reason = SVP_EXIT_BUDGET, n;
	u16 u = 0;

	memcpy(gcode + t->coff, t->code, t->len);
	gcode[t->coff + t->len] = 0xcc;	/* INT3 */
	memcpy(gdata, ndata_init, DATA_SZ);
	memcpy(gstack, nstack_init, STACK_SZ);
	guest_state(&s, t->gpr, t->rfl, CODE + t->coff);
	w64(STUB_RIP, CODE + t->coff);
	/* the second pass (whole run only) starts from the same state */
	memcpy(sysmem + PRIS_DATA, ndata_init, DATA_SZ);
	memcpy(sysmem + PRIS_STACK, nstack_init, STACK_SZ);
	memcpy(sysmem + STUB_GPR, t->gpr, 128);
	w64(STUB_FL, t->rfl | 0x202);
	sysmem[STUB_PASS] = step || !two_pass;
	if (svp_set_state(cpu, &s)) {
		fprintf(stderr, "difftest: svp_set_state failed\n");
		exit(2);
	}
	*ub = 0;
	if (!step) {
		u64 n0 = svp_insns_retired(cpu);

		reason = svp_run(cpu, 100000, &e);
		guest_result(r, reason, &e, CODE + t->coff + t->len);
		if (verbose)
			printf("# whole run: %llu steps, %s\n",
			       (unsigned long long)(svp_insns_retired(cpu) - n0),
			       sysmem[STUB_PASS] ? "two passes" : "one pass");
		return 0;
	}
	for (n = 0; n < 100000; n++) {
		const struct gi *x = NULL;
		int i;

		svp_get_state(cpu, &s0);
		if (s0.rip >= CODE + t->coff &&
		    s0.rip < CODE + t->coff + t->len && !t->corpus) {
			for (i = 0; i < t->g.n; i++)
				if (CODE + t->coff + t->g.in[i].off == s0.rip)
					x = &t->g.in[i];
		}
		reason = svp_run(cpu, 1, &e);
		svp_get_state(cpu, &s);
		if (s.rip < CODE || s.rip >= CODE + CODE_SZ)
			x = NULL;	/* faulted: no effect */
		if (x) {
			u16 fw = x->fw, fu = x->fu;
			int bits = x->w * 8;
			u32 c = x->cnt < 0 ? (u32)s0.gpr[1] : (u32)x->cnt;

			c &= x->w == 8 ? 63 : 31;
			if (x->fr & u)
				*ub |= 1;
			switch (x->dyn) {
			case D_SHIFT:
				fw = fu = 0;
				if (!c)
					break;
				fw = F_SF | F_ZF | F_PF;
				fu = F_AF;
				if (c == 1)
					fw |= F_OF;
				else
					fu |= F_OF;
				if ((int)c < bits)
					fw |= F_CF;
				else
					fu |= F_CF;
				break;
			case D_ROT:
			case D_RC:
				fw = fu = 0;
				if (!c)
					break;
				if (c == 1)
					fw |= F_OF;
				else
					fu |= F_OF;
				if (x->dyn == D_ROT ||
				    (bits == 8 ? c % 9 : (bits == 16 ? c % 17 :
							  c)))
					fw |= F_CF;
				break;
			case D_SHD:
				fw = fu = 0;
				if (!c)
					break;
				if ((int)c > bits) {
					fu = F_ALL;
					*ub |= 2;
					break;
				}
				fw = F_SF | F_ZF | F_PF | F_CF;
				fu = F_AF;
				if (c == 1)
					fw |= F_OF;
				else
					fu |= F_OF;
				break;
			case D_BS:
				fw = F_ZF;
				fu = F_ALL & ~F_ZF;
				if (s.rflags & F_ZF)
					*ub |= 2;
				break;
			case D_CMPSTR:
				if (x->rep && !(s0.gpr[1] &
						(x->asz == 4 ? 0xffffffffULL :
						 ~0ULL))) {
					fw = 0;
				}
				break;
			}
			u = (u & ~fw) | fu;
		}
		if (reason != SVP_EXIT_BUDGET)
			break;
	}
	guest_result(r, reason, &e, CODE + t->coff + t->len);
	*undef = u;
	return 0;
}

struct stats {
	unsigned long run, pass, fail, undef, known, faults, vecs[32];
	unsigned long steps;
};
static struct stats st;

static void disasm(const u8 *code, int len, u64 vma)
{
	char path[] = "/tmp/difftest-XXXXXX";
	char cmd[256];
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return;
	f = fdopen(fd, "wb");
	fwrite(code, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D -b binary -mi386:x86-64 --adjust-vma=%#llx %s "
		 "2>/dev/null | sed -n '/<.data>:/,$p' | tail -n +2 | "
		 "sed 's/^/#   /'", (unsigned long long)vma, path);
	if (system(cmd) != 0)
		printf("#   (objdump not available)\n");
	unlink(path);
}

static const char *const rname[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"
};

static void print_res(const char *who, const struct res *r)
{
	int i;

	printf("#  %-6s", who);
	if (r->exitr) {
		printf(" interpreter exit %d", r->exitr - 1);
		if (r->exitr - 1 == SVP_EXIT_FAILURE) {
			printf(" (failure kind %u at %#llx:", r->ex.fail.kind,
			       (unsigned long long)r->ex.fail.rip);
			for (i = 0; i < r->ex.fail.len; i++)
				printf(" %02x", r->ex.fail.insn[i]);
			printf(")");
		}
		printf(" rip=%#llx\n", (unsigned long long)r->rip);
		return;
	}
	if (r->vec < 0)
		printf(" end");
	else
		printf(" vector %d err %#llx cr2 %#llx", r->vec,
		       (unsigned long long)r->err, (unsigned long long)r->cr2);
	printf(" rip=%#llx rflags=%#llx\n", (unsigned long long)r->rip,
	       (unsigned long long)r->rfl);
	for (i = 0; i < 16; i++)
		printf("%s%s=%016llx", i % 4 ? " " : "#    ", rname[i],
		       (unsigned long long)r->gpr[i]), i % 4 == 3 ? printf("\n")
								   : 0;
}

/* Compare; returns a description of the first difference or NULL. */
static const char *compare(const struct res *a, const struct res *b,
			   u16 fmask, const u8 *ad, const u8 *as,
			   const u8 *bd, const u8 *bs, char *buf, size_t bl)
{
	int i;

	if (a->exitr || b->exitr)
		return a->exitr == b->exitr ? NULL : "interpreter exit";
	if (a->vec != b->vec) {
		snprintf(buf, bl, "exception vector %d vs %d", a->vec, b->vec);
		return buf;
	}
	if (a->rip != b->rip)
		return "RIP";
	for (i = 0; i < 16; i++) {
		if (a->gpr[i] != b->gpr[i]) {
			snprintf(buf, bl, "%s", rname[i]);
			return buf;
		}
	}
	if ((a->rfl ^ b->rfl) & (fmask | F_DF)) {
		snprintf(buf, bl, "flags %#llx (compared %#x)",
			 (unsigned long long)((a->rfl ^ b->rfl) &
					      (fmask | F_DF)), fmask | F_DF);
		return buf;
	}
	if (a->vec == 12 || a->vec == 13 || a->vec == 14 || a->vec == 17) {
		if ((a->err & 0x1f) != (b->err & 0x1f))
			return "error code";
		if (a->cr2 != b->cr2)
			return "CR2";
	}
	for (i = 0; i < DATA_SZ; i++) {
		if (ad[i] != bd[i]) {
			snprintf(buf, bl, "data byte at %#llx",
				 (unsigned long long)(DATA + i));
			return buf;
		}
	}
	for (i = 0; i < STACK_SZ; i++) {
		if (as[i] != bs[i]) {
			snprintf(buf, bl, "stack byte at %#llx",
				 (unsigned long long)(STACK + i));
			return buf;
		}
	}
	return NULL;
}

static void print_case(const struct tcase *t, const char *how, u16 fmask)
{
	int i;

	printf("#  reproduce: %s\n", how);
	printf("#  code (%u bytes):", t->len);
	for (i = 0; i < t->len; i++)
		printf(" %02x", t->code[i]);
	printf("\n");
	disasm(t->code, t->len, CODE + t->coff);
	printf("#  initial rflags=%#llx dseed=%#llx\n",
	       (unsigned long long)(t->rfl | 0x202),
	       (unsigned long long)t->dseed);
	for (i = 0; i < 16; i++)
		printf("%s%s=%016llx", i % 4 ? " " : "#    ", rname[i],
		       (unsigned long long)t->gpr[i]), i % 4 == 3 ? printf("\n")
								   : 0;
	printf("#  corpus line: case NAME ");
	for (i = 0; i < t->len; i++)
		printf("%02x", t->code[i]);
	printf(" %llx %x %llx", (unsigned long long)t->rfl, fmask,
	       (unsigned long long)t->dseed);
	for (i = 0; i < 16; i++)
		printf(" %llx", (unsigned long long)t->gpr[i]);
	if (t->coff)
		printf(" %x", t->coff);
	printf("\n");
}

/*
 * Open interpreter issues whose fix lies outside this test's reach; each
 * is listed in Documentation/testing.md. Matching cases are counted, not
 * failed, so that a new kind of mismatch stands out.
 */
static const char *known_issue(const struct res *n, const struct res *v,
			       const struct tcase *t)
{
	if (n->vec == 12 && v->vec == 13 && !v->err && n->rip == v->rip)
		return "#SS for a non-canonical stack-segment access is "
		       "raised as #GP";
	return NULL;
}

/* Run one case in both worlds; returns 0 pass, 1 mismatch, 2 undefined,
 * 3 known issue.
 */
static int run_case(struct tcase *t, const char *how)
{
	struct res a, b;
	u16 undef = 0;
	int ub = 0, i;
	u16 fmask;
	char buf[128];
	const char *d;

	fill_mem(t->dseed, ndata_init, nstack_init);
	run_native(t);
	run_guest(t, &a, false, &undef, &ub);
	memcpy(adata, gdata, DATA_SZ);
	memcpy(astack, gstack, STACK_SZ);
	run_guest(t, &b, true, &undef, &ub);
	fmask = t->corpus ? t->fmask : (F_ALL & ~undef);
	st.run++;
	if (nres.vec >= 0 && nres.vec < 32) {
		st.faults++;
		st.vecs[nres.vec]++;
	}
	d = compare(&a, &b, F_ALL, adata, astack, gdata, gstack, buf,
		    sizeof(buf));
	if (d) {
		printf("not ok %d - %s: interpreter run in one call and single-"
		       "stepped differ: %s\n", ++ntap, how, d);
		print_case(t, how, fmask);
		print_res("whole", &a);
		print_res("step", &b);
		st.fail++;
		return 1;
	}
	d = compare(&nres, &a, fmask, (u8 *)(uintptr_t)DATA,
		    (u8 *)(uintptr_t)STACK, adata, astack, buf, sizeof(buf));
	if (!d) {
		st.pass++;
		if (verbose) {
			print_case(t, how, fmask);
			print_res("native", &nres);
			print_res("svp", &a);
		}
		return 0;
	}
	if (known_issue(&nres, &a, t)) {
		st.known++;
		if (verbose)
			printf("# %s: known issue: %s\n", how,
			       known_issue(&nres, &a, t));
		return 3;
	}
	if (ub && !t->corpus) {
		st.undef++;
		if (verbose)
			printf("# %s: differs (%s) after undefined behaviour\n",
			       how, d);
		return 2;
	}
	printf("not ok %d - %s: %s differs\n", ++ntap, how, d);
	print_case(t, how, fmask);
	print_res("native", &nres);
	print_res("svp", &a);
	for (i = 0; i < DATA_SZ; i++)
		if (((u8 *)(uintptr_t)DATA)[i] != adata[i]) {
			printf("#  data[%#x]: native %02x svp %02x (initial "
			       "%02x)\n", i, ((u8 *)(uintptr_t)DATA)[i],
			       adata[i], ndata_init[i]);
			break;
		}
	for (i = 0; i < STACK_SZ; i++)
		if (((u8 *)(uintptr_t)STACK)[i] != astack[i]) {
			printf("#  stack[%#x]: native %02x svp %02x (initial "
			       "%02x)\n", i, ((u8 *)(uintptr_t)STACK)[i],
			       astack[i], nstack_init[i]);
			break;
		}
	st.fail++;
	return 1;
}

static u64 case_seed(u64 base, u64 i)
{
	return base * 1000003ULL + i;
}

static int run_seeded(u64 base, u64 i)
{
	static struct tcase t;
	char how[96];
	int k, r;

	gen_case(&t, case_seed(base, i));
	for (k = 0; k < t.g.n; k++)
		gcount[t.g.in[k].name]++;
	snprintf(how, sizeof(how), "difftest -s %llu -i %llu",
		 (unsigned long long)base, (unsigned long long)i);
	r = run_case(&t, how);
	return r == 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Corpus: "case NAME CODEHEX RFLAGS FMASK DSEED R0..R15" (hex). */
static int run_corpus(const char *path)
{
	static struct tcase t;
	char line[4096], name[64], hex[2048], how[160];
	unsigned long long v[20];
	FILE *f = fopen(path, "r");
	int bad = 0, n = 0, i, k;

	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] != 'c')
			continue;
		{
			char *p = line + 4, *q;

			k = sscanf(line, "case %63s %2047s", name, hex);
			p = strstr(p, hex) + strlen(hex);
			for (i = 0; k == 2 && i < 19; i++) {
				v[i] = strtoull(p, &q, 16);
				if (q == p)
					k = 0;
				p = q;
			}
			v[19] = strtoull(p, &q, 16);	/* optional */
			if (q == p || v[19] > 0x1800)
				v[19] = 0;
		}
		if (k != 2) {
			printf("not ok %d - corpus %s: bad line\n", ++ntap, name);
			bad++;
			continue;
		}
		memset(&t, 0, sizeof(t));
		t.corpus = true;
		t.len = strlen(hex) / 2;
		for (i = 0; i < t.len; i++)
			t.code[i] = hexval(hex[2 * i]) * 16 +
				    hexval(hex[2 * i + 1]);
		t.rfl = v[0];
		t.fmask = v[1];
		t.dseed = v[2];
		t.coff = v[19];
		for (i = 0; i < 16; i++)
			t.gpr[i] = v[3 + i];
		snprintf(how, sizeof(how), "difftest -c %s (case %s)", path,
			 name);
		if (run_case(&t, how) == 1)
			bad++;
		n++;
	}
	fclose(f);
	if (!bad)
		printf("ok %d - difftest corpus %s: %d cases\n", ++ntap, path,
		       n);
	return bad;
}

/* Write @n generated sequences to @dir as seed inputs of fuzz_svp. */
static int write_seeds(const char *dir, u64 base, u64 n)
{
	static struct tcase t;
	char path[512];
	u64 i;

	for (i = 0; i < n; i++) {
		FILE *f;
		u8 hdr[9];

		gen_case(&t, case_seed(base, i));
		hdr[0] = i & 1;
		memcpy(hdr + 1, &t.dseed, 8);
		snprintf(path, sizeof(path), "%s/difftest-%llu", dir,
			 (unsigned long long)i);
		f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return 1;
		}
		fwrite(hdr, 1, sizeof(hdr), f);
		fwrite(t.code, 1, t.len, f);
		fclose(f);
	}
	return 0;
}

#ifndef DT_FUZZER
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	u64 base = 1, count = 20000, one = ~0ULL, i;
	const char *corpus = NULL, *seeds = NULL;
	double t0, limit = 0;
	bool forever = false;
	int opt, bad = 0, k;

	while ((opt = getopt(argc, argv, "n:s:i:ft:vc:w:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 's':
			base = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			one = strtoull(optarg, NULL, 0);
			verbose = true;
			break;
		case 'f':
			forever = true;
			break;
		case 't':
			limit = strtod(optarg, NULL);
			break;
		case 'v':
			verbose = true;
			break;
		case 'c':
			corpus = optarg;
			break;
		case 'w':
			seeds = optarg;
			break;
		default:
			fprintf(stderr, "usage: difftest [-n COUNT] [-s SEED] "
				"[-i INDEX] [-f [-t SECONDS]] [-v] [-c CORPUS] "
				"[-w SEED-DIR]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (seeds)
		return write_seeds(seeds, base, count);
	native_setup();
	sys_setup();
	host_features();
	t0 = now();
	if (corpus)
		bad += run_corpus(corpus);
	if (one != ~0ULL) {
		bad += run_seeded(base, one);
		printf("%s %d - difftest -s %llu -i %llu\n", bad ? "not ok" : "ok",
		       ++ntap, (unsigned long long)base,
		       (unsigned long long)one);
		return bad ? 1 : 0;
	}
	if (forever) {
		base = (u64)time(NULL) ^ ((u64)getpid() << 20);
		printf("# difftest forever%s, seed %llu\n",
		       limit > 0 ? " (time limit)" : "",
		       (unsigned long long)base);
	}
	for (i = 0; forever || i < count; i++) {
		bad += run_seeded(base, i);
		if (forever && i % 100000 == 99999)
			printf("# %llu sequences, %lu mismatches\n",
			       (unsigned long long)i + 1, st.fail);
		if (forever && limit > 0 && i % 1000 == 999 &&
		    now() - t0 > limit)
			break;
		if (bad > 20 && !forever)
			break;
	}
	printf("# coverage (instructions generated per group):\n#  ");
	for (k = 0; k < NGN; k++)
		printf(" %s %lu%s", gnames[k], gcount[k],
		       k % 4 == 3 ? "\n#  " : ",");
	printf("\n# native exceptions:");
	for (k = 0; k < 32; k++)
		if (st.vecs[k])
			printf(" #%d x%lu", k, st.vecs[k]);
	printf("\n%s %d - difftest: %lu sequences, %lu passed, %lu "
	       "mismatched, %lu undefined (skipped), %lu known issues, %lu "
	       "faulted natively, %.1f s\n", bad ? "not ok" : "ok", ++ntap,
	       st.run, st.pass, st.fail, st.undef, st.known, st.faults,
	       now() - t0);
	return bad ? 1 : 0;
}
#else /* DT_FUZZER */
/*
 * libFuzzer target: arbitrary bytes decoded and executed by the
 * interpreter, which must never crash, hang or trip ASan/UBSan.
 * Input: byte 0 bit 0: CPL 0 (privileged instructions run), bits 1-7:
 * RFLAGS bits; bytes 1-8: seed of the registers and the data/stack
 * contents; the rest: code at 0x10000000.
 */
static u8 sys_pristine[0x10000];

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static bool init;
	struct svp_state s;
	struct svp_exit e;
	u64 gpr[16], seed;
	int i, r, k;

	if (!init) {
		sys_setup();
		memcpy(sys_pristine, sysmem, sizeof(sys_pristine));
		init = true;
	}
	if (n < 9)
		return 0;
	memcpy(sysmem, sys_pristine, sizeof(sys_pristine));
	memcpy(&seed, d + 1, 8);
	rseed(seed);
	for (i = 0; i < 16; i++)
		gpr[i] = i == 4 ? STK_TOP : (rn(3) ? rval() : rptr());
	memset(gcode, 0xcc, CODE_SZ);
	n -= 9;
	memcpy(gcode, d + 9, n < CODE_SZ ? n : CODE_SZ);
	fill_mem(seed, gdata, gstack);
	guest_state(&s, gpr, (d[0] & 0xfe) << 3 & (F_ALL | F_DF), CODE);
	if (d[0] & 1) {
		s.seg[SVP_SEG_CS].sel = 0x08;
		s.seg[SVP_SEG_CS].attr = 0xa09b;
		s.seg[SVP_SEG_SS].sel = 0x10;
		s.seg[SVP_SEG_SS].attr = 0xc093;
	}
	if (svp_set_state(cpu, &s))
		abort();
	for (k = 0; k < 8; k++) {
		u64 v = 0x1122334455667788ULL;

		r = svp_run(cpu, 500, &e);
		if ((r == SVP_EXIT_IO && !e.io.is_write) ||
		    (r == SVP_EXIT_MMIO && !e.mmio.is_write)) {
			svp_complete_read(cpu, &v);
			continue;
		}
		if (r == SVP_EXIT_IO || r == SVP_EXIT_MMIO ||
		    r == SVP_EXIT_BUDGET)
			continue;
		break;
	}
	svp_get_state(cpu, &s);
	return 0;
}
#endif /* DT_FUZZER */
