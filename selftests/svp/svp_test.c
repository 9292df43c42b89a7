// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the software x86-64 VP (kmod/svp_*.c built in userspace).
 * Prints TAP and ends with "N passed, N failed".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <pthread.h>
#include <elf.h>

#include "svp.h"
#include "guest_syms.h"

uint64_t cprog_work(void);

#define RAM_SIZE	(32ULL << 20)
#define MMIO_BASE	0xf0000000ULL

static uint8_t *ram;
static int npass, nfail, ntest;
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

void svp_env_global_lock(void)
{
	pthread_mutex_lock(&big_lock);
}

void svp_env_global_unlock(void)
{
	pthread_mutex_unlock(&big_lock);
}

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	printf("%sok %d - ", cond ? "" : "not ", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cond)
		npass++;
	else
		nfail++;
}

static void *op_gpa_to_hva(void *opaque, u64 gpa, bool write)
{
	(void)opaque;
	(void)write;
	if (gpa < RAM_SIZE)
		return ram + (gpa & ~0xfffULL);
	return NULL;
}

static struct svp_cpuid_leaf cpuid_tab[64];
static unsigned int cpuid_n;

static void op_cpuid(void *opaque, u32 fn, u32 idx, u32 out[4])
{
	unsigned int i;

	(void)opaque;
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

static struct svp_cpu *new_cpu(void)
{
	struct svp_cpu *c = calloc(1, svp_cpu_size());

	svp_cpu_init(c, &ops, NULL, 0, true);
	return c;
}

static void w64(u64 gpa, u64 v)
{
	memcpy(ram + gpa, &v, 8);
}

static u64 r64(u64 gpa)
{
	u64 v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

static void load_file(const char *path, u64 gpa)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(ram + gpa, 1, RAM_SIZE - gpa, f);
	(void)n;
	fclose(f);
}

static u64 load_elf(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t img[1 << 20];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	size_t n;
	int i;

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	(void)n;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff +
						i * eh->e_phentsize);

		if (ph->p_type != PT_LOAD)
			continue;
		memset(ram + ph->p_paddr, 0, ph->p_memsz);
		memcpy(ram + ph->p_paddr, img + ph->p_offset, ph->p_filesz);
	}
	return eh->e_entry;
}

/* Page tables, GDT, IDT, TSS for 64-bit long mode. */
static void setup_tables(void)
{
	int i;
	u64 tss = 0x6000;

	memset(ram + 0x1000, 0, 0x6000);
	w64(0x1000, 0x2000 | 7);
	w64(0x2000, 0x3000 | 7);
	w64(0x2000 + 3 * 8, 0xc0000000ULL | 0x87);	/* 1 GiB: MMIO */
	for (i = 0; i < 16; i++)
		w64(0x3000 + i * 8, ((u64)i << 21) | 0x87);
	w64(0x3000 + 2 * 8, (2ULL << 21) | 0x83);	/* supervisor only */
	w64(0x3000 + 3 * 8, (3ULL << 21) | 0x87 | (1ULL << 63)); /* NX */
	/* GDT */
	w64(0x4000, 0);
	w64(0x4008, 0x00af9b000000ffffULL);
	w64(0x4010, 0x00cf93000000ffffULL);
	w64(0x4018, 0x00affb000000ffffULL);
	w64(0x4020, 0x00cff3000000ffffULL);
	w64(0x4028, 0x67 | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
		    (((tss >> 24) & 0xff) << 56));
	w64(0x4030, tss >> 32);
	/* IDT: vectors 0..31 */
	for (i = 0; i < 32; i++) {
		u64 h = SYM_exc_table + 16 * i;
		u64 lo = (h & 0xffff) | (0x08ULL << 16) |
			 ((u64)(0x8e | (i == 31 || i == 3 ? 0x60 : 0)) << 40) |
			 ((h >> 16) << 48);

		w64(0x5000 + i * 16, lo);
		w64(0x5008 + i * 16, h >> 32);
	}
	{
		u64 h = SYM_iret_handler;

		w64(0x5000 + 32 * 16, (h & 0xffff) | (0x08ULL << 16) |
		    (0x8eULL << 40) | ((h >> 16) << 48));
		w64(0x5008 + 32 * 16, h >> 32);
	}
	/* TSS: RSP0 */
	w64(tss + 4, 0x90000);
}

static void lm_state(struct svp_state *s, u64 rip)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->rip = rip;
	s->rflags = 2;
	s->gpr[4] = 0x80000;
	s->cr0 = 0x80010033ULL;
	s->cr3 = 0x1000;
	s->cr4 = 0x20;
	s->efer = 0xd00;
	s->pat = 0x0007040600070406ULL;
	for (i = 0; i < SVP_SEG_COUNT; i++) {
		s->seg[i].sel = 0x10;
		s->seg[i].attr = 0xc093;
		s->seg[i].limit = 0xffffffff;
	}
	s->seg[SVP_SEG_CS].sel = 8;
	s->seg[SVP_SEG_CS].attr = 0xa09b;
	s->seg[SVP_SEG_TR].sel = 0x28;
	s->seg[SVP_SEG_TR].base = 0x6000;
	s->seg[SVP_SEG_TR].limit = 0x67;
	s->seg[SVP_SEG_TR].attr = 0x8b;
	s->seg[SVP_SEG_LDTR].sel = 0;
	s->seg[SVP_SEG_LDTR].attr = 0x82;
	s->gdt.base = 0x4000;
	s->gdt.limit = 0x37;
	s->idt.base = 0x5000;
	s->idt.limit = 33 * 16 - 1;
}

static int start(struct svp_cpu *c, u64 rip)
{
	struct svp_state s;

	lm_state(&s, rip);
	return svp_set_state(c, &s);
}

static int run(struct svp_cpu *c, struct svp_exit *e, u64 budget)
{
	return svp_run(c, budget, e);
}

static u64 reg(struct svp_cpu *c, int i)
{
	struct svp_state s;

	svp_get_state(c, &s);
	return i < 0 ? s.rip : s.gpr[i];
}

/* ---------------------------------------------------------------- */
/* Guest program tests */

static void test_exceptions(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_exit e;
	int r;

	start(c, SYM_t_ud);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 6 && reg(c, 12) == SYM_t_ud &&
	   reg(c, 14) == (u64)-1, "#UD delivered (vec %llu rip %llx)",
	   (unsigned long long)reg(c, 15), (unsigned long long)reg(c, 12));

	start(c, SYM_t_de);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 0, "#DE on divide by zero");
	start(c, SYM_t_de2);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 0 && reg(c, 12) == SYM_t_de2 + 15,
	   "#DE on quotient overflow (rip %llx)",
	   (unsigned long long)reg(c, 12));

	start(c, SYM_t_gp);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 13 && reg(c, 14) == 0,
	   "#GP(0) on unknown MSR");

	start(c, SYM_t_pf);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 14 && reg(c, 14) == 0 &&
	   reg(c, 13) == 0x40000000, "#PF not-present read, CR2 (ec %llx)",
	   (unsigned long long)reg(c, 14));
	start(c, SYM_t_pfw);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 14 && reg(c, 14) == 2 &&
	   reg(c, 13) == 0x40001008, "#PF not-present write");

	start(c, SYM_t_int);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 31 && reg(c, 12) == SYM_t_int + 2,
	   "INT n pushes the next RIP");

	start(c, SYM_t_triple);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_SHUTDOWN, "triple fault -> SHUTDOWN (%d)", r);

	start(c, SYM_t_fault_noncanon);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 13, "non-canonical access #GP");

	start(c, SYM_t_lockud);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 6, "LOCK with register dest #UD");

	start(c, SYM_t_nx);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 14 && reg(c, 14) == 0x11 &&
	   reg(c, 13) == 0x600000, "NX fetch #PF with I/D bit (ec %llx)",
	   (unsigned long long)reg(c, 14));

	start(c, SYM_t_fetch_mmio);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_FAILURE && e.fail.kind == SVP_FAIL_EMULATION &&
	   e.fail.rip == 0xf0000000ULL, "fetch from MMIO -> FAILURE");

	start(c, SYM_t_sse);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_FAILURE && e.fail.kind == SVP_FAIL_EMULATION &&
	   e.fail.rip == SYM_t_sse && e.fail.len >= 3 &&
	   e.fail.insn[0] == 0x0f && e.fail.insn[1] == 0x58,
	   "SSE -> FAILURE with bytes, RIP unchanged");

	start(c, SYM_t_user);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 14 && reg(c, 14) == 5 &&
	   reg(c, 13) == 0x400000 && reg(c, 11) == 0x1b &&
	   (reg(c, 1) & 0xffff) == 0x1b,
	   "CPL3 via IRETQ, U/S violation #PF ec=5 from CPL3 (ec %llx cs %llx)",
	   (unsigned long long)reg(c, 14), (unsigned long long)reg(c, 11));
	ok(reg(c, 4) > 0x90000 - 0x40 && reg(c, 4) < 0x90000,
	   "privilege change loads RSP0 from the TSS");

	start(c, SYM_t_syscall);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 0x78 && !(reg(c, 9) & 0x100000) &&
	   reg(c, 8) == SYM_t_syscall + 0x52 - 0x52 + (reg(c, 8) - SYM_t_syscall),
	   "SYSCALL to LSTAR");

	start(c, SYM_t_iret);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 10) == 3 && !(reg(c, 9) & 0x200) &&
	   reg(c, -1) == SYM_iret_handler && reg(c, 4) == 0x80000,
	   "INT n + IRETQ round trips (rip %llx rsp %llx)",
	   (unsigned long long)reg(c, -1), (unsigned long long)reg(c, 4));
	{
		struct svp_state st;

		svp_get_state(c, &st);
		ok(st.rflags & 0x200, "IRETQ restored IF");
		st.rflags |= 0x100;
		svp_set_state(c, &st);
		r = run(c, &e, 100);
		{
			struct svp_debugregs dr;

			svp_get_debugregs(c, &dr);
			ok(r == SVP_EXIT_HLT && reg(c, 15) == 1 &&
			   reg(c, 12) == SYM_iret_handler + 4 &&
			   (dr.dr6 & 0x4000) && !(dr.dr6 & 0xf),
			   "TF: #DB trap after one instruction, DR6.BS (rip %llx dr6 %llx)",
			   (unsigned long long)reg(c, 12),
			   (unsigned long long)dr.dr6);
		}
	}
	{
		struct svp_guest_debug gd = { .flags = 3 };
		int steps = 0, bad = 0;
		u64 first = 0, second = 0;

		start(c, SYM_t_iret);
		ok(!svp_set_guest_debug(c, &gd), "VMM single step armed");
		for (;;) {
			r = run(c, &e, 100);
			if (r != SVP_EXIT_DEBUG)
				break;
			if (e.debug.type != SVP_DEBUG_STEP ||
			    e.debug.rip != reg(c, -1))
				bad++;
			if (++steps == 1)
				first = e.debug.rip;
			else if (steps == 2)
				second = e.debug.rip;
			if (steps > 100)
				break;
		}
		ok(r == SVP_EXIT_HLT && steps == 19 && !bad &&
		   first == SYM_t_iret + 3 && second == SYM_iret_handler &&
		   reg(c, 10) == 3,
		   "VMM single step: one exit per instruction or delivery (%d steps, %d bad, first %llx second %llx)",
		   steps, bad, (unsigned long long)first,
		   (unsigned long long)second);
		r = run(c, &e, 100);
		ok(r == SVP_EXIT_DEBUG && e.debug.type == SVP_DEBUG_STEP,
		   "VMM single step after HLT reported next (%d)", r);

		gd.flags = 5;
		gd.addr[0] = SYM_iret_handler;
		gd.control = 0x3;
		start(c, SYM_t_iret);
		ok(!svp_set_guest_debug(c, &gd), "VMM execute breakpoint armed");
		steps = 0;
		bad = 0;
		for (;;) {
			r = run(c, &e, 1000);
			if (r != SVP_EXIT_DEBUG)
				break;
			if (e.debug.type != SVP_DEBUG_BREAKPOINT ||
			    e.debug.rip != SYM_iret_handler ||
			    e.debug.index != 0 || !(e.debug.dr6 & 1))
				bad++;
			if (++steps > 10)
				break;
		}
		ok(r == SVP_EXIT_HLT && steps == 3 && !bad && reg(c, 10) == 3,
		   "VMM execute breakpoint: once per execution (%d, %d bad)",
		   steps, bad);
		gd.control = 0x3 | (1U << 16) | (1U << 18);
		gd.addr[0] = 0x1001;
		ok(svp_set_guest_debug(c, &gd) == -EINVAL,
		   "misaligned breakpoint refused");
		gd.control = 0x3 | (2U << 16);
		gd.addr[0] = 0x1000;
		ok(svp_set_guest_debug(c, &gd) == -EINVAL,
		   "I/O breakpoint refused");
		gd.flags = 0;
		gd.control = 0;
		ok(!svp_set_guest_debug(c, &gd), "VMM debugging off");
	}

	start(c, SYM_t_swapgs);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 0x302222 && r64(0x302322) == 0x1234,
	   "SWAPGS (cached decode), POP m with GS override");

	/* reset state is real mode: unsupported */
	svp_cpu_init(c, &ops, NULL, 0, true);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_FAILURE && e.fail.kind == SVP_FAIL_UNSUPPORTED_MODE,
	   "real mode -> UNSUPPORTED_MODE");
	free(c);
}

static void test_io_mmio(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_exit e;
	u32 d;
	int r;

	start(c, SYM_t_io);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IO && e.io.port == 0x60 && !e.io.is_write &&
	   e.io.size == 1 && reg(c, -1) == SYM_t_io, "IN exit, RIP unchanged");
	d = 0x41;
	svp_complete_read(c, &d);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IO && e.io.port == 0x61 && e.io.is_write &&
	   e.io.data == 0x42 && reg(c, 3) == 0x41, "IN completed; OUT exit");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IO && e.io.port == 0x3f8 && e.io.size == 4,
	   "IN dx exit");
	d = 0xdeadbeef;
	svp_complete_read(c, &d);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 6) == 0xdeadbeef, "IN dx completed");

	start(c, SYM_t_mmio);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_MMIO && e.mmio.gpa == MMIO_BASE && !e.mmio.is_write &&
	   e.mmio.size == 4 && reg(c, -1) == SYM_t_mmio + 10,
	   "MMIO read exit");
	d = 0x12345678;
	svp_complete_read(c, &d);
	r = run(c, &e, 100);
	memcpy(&d, e.mmio.data, 4);
	ok(r == SVP_EXIT_MMIO && e.mmio.is_write && e.mmio.gpa == MMIO_BASE + 4 &&
	   d == 0x12345679, "MMIO read completed, MMIO write exit");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_MMIO && !e.mmio.is_write &&
	   e.mmio.gpa == MMIO_BASE + 8, "MMIO RMW read exit");
	d = 40;
	svp_complete_read(c, &d);
	r = run(c, &e, 100);
	memcpy(&d, e.mmio.data, 4);
	ok(r == SVP_EXIT_MMIO && e.mmio.is_write && d == 42,
	   "MMIO RMW write exit");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT, "MMIO program finished");
	free(c);
}

static void test_misc_progs(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_exit e;
	int r;

	memset(ram + 0x300000, 0, 0x1000);
	start(c, SYM_t_lock);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && r64(0x300000) == 99 && reg(c, 0) == 18 &&
	   r64(0x300008) == 1 && r64(0x300010) == 32 &&
	   r64(0x300018) == 1 && r64(0x300020) == ~0ULL,
	   "LOCK ops results (%llu)", (unsigned long long)r64(0x300000));

	start(c, SYM_t_smc);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 7 && reg(c, 0) == 42,
	   "self-modifying code sees the new instruction");

	start(c, SYM_t_smc2);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 7 + 7 + 42,
	   "a store to the next instruction of a cached block (r %d rbx %llu rip %llx)",
	   r, (unsigned long long)reg(c, 3), (unsigned long long)reg(c, -1));

	memset(ram + 0x302000, 0, 0x2000);
	start(c, SYM_t_misc);
	r = run(c, &e, 1000);
	ok(r == SVP_EXIT_HLT, "misc program ran (%d, rip %llx)", r,
	   (unsigned long long)reg(c, -1));
	ok(ram[0x302000] == 1 && ram[0x302001] == 0 &&
	   r64(0x302008) == 0x11 && r64(0x302100) == 0x11 &&
	   r64(0x302108) == 0x22, "CMPXCHG16B");
	ok(ram[0x302006] == 1 && r64(0x302110) == 0x0000000700000006ULL,
	   "CMPXCHG8B");
	ok(r64(0x302010) == 40, "ENTER/LEAVE (%llu)",
	   (unsigned long long)r64(0x302010));
	ok(ram[0x302002] == 1 && (r64(0x302018) & 0x401) == 0x401,
	   "POPF/PUSHF");
	ok(ram[0x302003] == 1, "BT memory with negative bit offset");
	ok(r64(0x302020) == 0x123456789abcdef0ULL &&
	   r64(0x302028) == SYM_t_misc, "MOVABS, moffs, RIP-relative LEA");
	ok(ram[0x302004] == 0x44 && ram[0x302005] == 10, "XLAT, LOOP");
	ok(reg(c, 9) == 0x80000, "CALL indirect + RET imm16");
	ok(r64(0x302048) == (u64)-14 && r64(0x302050) == 2, "CQO + IDIV m64");
	ok(r64(0x302058) == 0x1122334455667788ULL &&
	   r64(0x302060) == 0x1122334455667789ULL,
	   "page-crossing access, locked page-crossing INC");
	ok(r64(0x302068) == 0x90000, "INVLPG picks up a new 1 GiB mapping");
	ok((r64(0x3008) & 0x60) == 0x60, "accessed+dirty set in the PDE");

	/*
	 * #NP while delivering #UD (benign): the #NP is delivered next, error
	 * code = IDT entry 6 with IDT and EXT set. #NP while delivering that
	 * #NP (contributory twice) -> #DF.
	 */
	w64(0x5000 + 6 * 16, r64(0x5000 + 6 * 16) & ~(1ULL << 47));
	start(c, SYM_t_df);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 11 && reg(c, 14) == 6 * 8 + 3,
	   "fault while delivering a benign exception is delivered next");
	w64(0x5000 + 11 * 16, r64(0x5000 + 11 * 16) & ~(1ULL << 47));
	start(c, SYM_t_df);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 8 && reg(c, 14) == 0,
	   "contributory fault while delivering a contributory one -> #DF");
	w64(0x5000 + 11 * 16, r64(0x5000 + 11 * 16) | (1ULL << 47));
	w64(0x5000 + 6 * 16, r64(0x5000 + 6 * 16) | (1ULL << 47));

	/* IST: #UD through IST1 */
	w64(0x6000 + 0x24, 0xa0000);
	w64(0x5000 + 6 * 16, r64(0x5000 + 6 * 16) | (1ULL << 32));
	start(c, SYM_t_ud);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 6 && reg(c, 4) == 0xa0000 - 24,
	   "IST stack switch (rsp %llx)", (unsigned long long)reg(c, 4));
	w64(0x5000 + 6 * 16, r64(0x5000 + 6 * 16) & ~(7ULL << 32));

	start(c, SYM_t_rep);
	r = run(c, &e, 1000);
	ok(r == SVP_EXIT_HLT && ram[0x300200 + 99] == 0xab &&
	   reg(c, 8) == 42 && reg(c, 9) == 42 && reg(c, 10) == 0x3002d8 &&
	   r64(0x3002e0) == 0x1122334455667788ULL &&
	   reg(c, 0) == 0x1122334455667788ULL,
	   "REP string ops (r8 %llu r9 %llu r10 %llx)",
	   (unsigned long long)reg(c, 8), (unsigned long long)reg(c, 9),
	   (unsigned long long)reg(c, 10));
	free(c);
}

struct lock_arg {
	struct svp_cpu *c;
	int ret;
};

static void *lock_thread(void *p)
{
	struct lock_arg *a = p;
	struct svp_exit e;
	int r;

	do {
		r = svp_run(a->c, 4096, &e);
	} while (r == SVP_EXIT_BUDGET);
	a->ret = r;
	return NULL;
}

static void test_lock_smp(void)
{
	struct lock_arg a[2];
	pthread_t th[2];
	struct svp_state s;
	int i, n = 100000;

	memset(ram + 0x301000, 0, 64);
	for (i = 0; i < 2; i++) {
		a[i].c = new_cpu();
		lm_state(&s, SYM_t_lockloop);
		s.gpr[1] = n;
		s.gpr[7] = 0x301000;
		svp_set_state(a[i].c, &s);
		pthread_create(&th[i], NULL, lock_thread, &a[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ok(a[0].ret == SVP_EXIT_HLT && a[1].ret == SVP_EXIT_HLT &&
	   r64(0x301000) == 2ULL * n && (u32)r64(0x301008) == 4U * n,
	   "LOCK INC/ADD atomic across two VP threads (%llu)",
	   (unsigned long long)r64(0x301000));
	free(a[0].c);
	free(a[1].c);
}

static void test_cprog(const char *path)
{
	struct svp_cpu *c = new_cpu();
	struct svp_exit e;
	struct svp_state s;
	u64 entry, res = 0, native, n0;
	int r, outs = 0;
	struct timespec t0, t1;
	double dt;

	entry = load_elf(path);
	lm_state(&s, entry);
	s.gpr[4] = 0x1f0000;
	svp_set_state(c, &s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n0 = svp_insns_retired(c);
	for (;;) {
		r = svp_run(c, 1000000, &e);
		if (r == SVP_EXIT_BUDGET)
			continue;
		if (r == SVP_EXIT_IO && e.io.is_write && e.io.port == 0xe9) {
			res |= (u64)e.io.data << (32 * outs++);
			continue;
		}
		break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	native = cprog_work();
	ok(r == SVP_EXIT_HLT && outs == 2 && res == native,
	   "freestanding C program %s (CRC-32, sort, mix): %llx vs native %llx",
	   path, (unsigned long long)res, (unsigned long long)native);
	if (r == SVP_EXIT_FAILURE)
		printf("# failure kind %u rip %llx bytes %02x %02x %02x %02x\n",
		       e.fail.kind, (unsigned long long)e.fail.rip,
		       e.fail.insn[0], e.fail.insn[1], e.fail.insn[2],
		       e.fail.insn[3]);
	dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# speed: %llu instructions in %.3f s = %.1f M instructions/s\n",
	       (unsigned long long)(svp_insns_retired(c) - n0), dt,
	       (svp_insns_retired(c) - n0) / dt / 1e6);
	free(c);
}


/* ---------------------------------------------------------------- */
/* Interrupts: injection, shadows, NMI blocking, window, kick, host ops */

static u64 tpr_val = 9, cr8_set = ~0ULL, msr_widx, msr_wval;

static int op_msr(void *opaque, u32 idx, bool write, u64 *val)
{
	(void)opaque;
	if (idx == 0x1b && !write) {
		*val = 0x12fee00900ULL;
		return 0;
	}
	if (idx == 0x808 && write) {
		msr_widx = idx;
		msr_wval = *val;
		return 0;
	}
	return -1;
}

static u64 op_get_cr8(void *opaque)
{
	(void)opaque;
	return tpr_val;
}

static void op_set_cr8(void *opaque, u64 val)
{
	(void)opaque;
	cr8_set = val;
}

static const struct svp_host_ops irq_ops = {
	.gpa_to_hva = op_gpa_to_hva,
	.cpuid = op_cpuid,
	.msr = op_msr,
	.get_cr8 = op_get_cr8,
	.set_cr8 = op_set_cr8,
};

/* IDT gate @vec -> @h (type 0xe interrupt, 0xf trap gate), IST @ist. */
static void set_gate(int vec, u64 h, int ist, int type)
{
	w64(0x5000 + vec * 16, (h & 0xffff) | (0x08ULL << 16) |
	    ((u64)ist << 32) | ((u64)(0x80 | type) << 40) |
	    ((h >> 16) << 48));
	w64(0x5008 + vec * 16, h >> 32);
}

/* Long mode at @rip with a 256-entry IDT and RFLAGS.IF = @ifl. */
static int irq_start(struct svp_cpu *c, u64 rip, bool ifl)
{
	struct svp_state s;

	lm_state(&s, rip);
	s.idt.limit = 256 * 16 - 1;
	if (ifl)
		s.rflags |= 0x200;
	return svp_set_state(c, &s);
}

static void test_irq_inject(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_state st;
	struct svp_exit e;
	int r;

	set_gate(0x40, SYM_irq_rec, 0, 0xe);
	set_gate(0x41, SYM_irq_rec, 1, 0xf);
	w64(0x6000 + 0x24, 0xa0000);		/* IST1 */

	irq_start(c, SYM_t_irq_hlt, false);
	ok(!svp_irq_ready(c) && svp_nmi_ready(c), "IF=0: irq not ready");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, -1) == SYM_irq_hlt_ret &&
	   svp_irq_ready(c), "STI; HLT: irq ready after the HLT exit");
	svp_inject_irq(c, 0x40);
	svp_get_state(c, &st);
	ok(!svp_irq_ready(c) && !svp_nmi_ready(c) &&
	   st.event_pending == SVP_EVENT_IRQ && st.event_vector == 0x40,
	   "injected event pending: nothing else ready");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 12) == SYM_irq_hlt_ret &&
	   reg(c, 11) == 8 && (reg(c, 10) & 0x200) && !(reg(c, 13) & 0x200) &&
	   reg(c, 9) == 0x80008 && reg(c, 7) == 0x10 &&
	   reg(c, 8) == 0x80000 - 40,
	   "IRQ 0x40: frame RIP after HLT, CS, IF, RSP, SS; aligned stack; IF cleared (rsp %llx rip %llx)",
	   (unsigned long long)reg(c, 8), (unsigned long long)reg(c, 12));
	svp_get_state(c, &st);
	ok(st.event_pending == SVP_EVENT_NONE && !st.nmi_blocked,
	   "event consumed by delivery");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 1 && reg(c, 4) == 0x80008 &&
	   reg(c, -1) == SYM_irq_hlt_ret + 6, "IRETQ returns after the HLT");

	irq_start(c, SYM_t_irq_hlt, false);
	run(c, &e, 100);
	svp_inject_irq(c, 0x41);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 8) == 0xa0000 - 40 &&
	   (reg(c, 13) & 0x200) && reg(c, 9) == 0x80008,
	   "IRQ through a trap gate with IST1: IF kept, IST stack (rsp %llx)",
	   (unsigned long long)reg(c, 8));

	irq_start(c, SYM_t_irq_hlt, false);
	run(c, &e, 100);
	svp_inject_irq(c, 14);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 14 &&
	   reg(c, 14) == SYM_irq_hlt_ret && reg(c, 12) == 8,
	   "external interrupt 14 pushes no error code");

	/* from CPL3: stack switch to RSP0, user SS:RSP and CS pushed */
	lm_state(&st, SYM_t_spin);
	st.idt.limit = 256 * 16 - 1;
	st.rflags |= 0x200;
	st.gpr[4] = 0x80000 - 8;
	st.seg[SVP_SEG_CS].sel = 0x1b;
	st.seg[SVP_SEG_CS].attr = 0xa0fb;
	for (r = 0; r < SVP_SEG_COUNT; r++) {
		if (r != SVP_SEG_CS && r < SVP_SEG_LDTR) {
			st.seg[r].sel = 0x23;
			st.seg[r].attr = 0xc0f3;
		}
	}
	ok(svp_set_state(c, &st) == 0 && svp_irq_ready(c), "CPL3 state");
	run(c, &e, 10);
	svp_inject_irq(c, 0x40);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 8) == 0x90000 - 40 &&
	   reg(c, 11) == 0x1b && reg(c, 7) == 0x23 &&
	   reg(c, 9) == 0x80000 - 8 && (reg(c, 10) & 0x200),
	   "IRQ at CPL3: RSP0 stack, user CS, SS:RSP, RFLAGS pushed (rsp %llx)",
	   (unsigned long long)reg(c, 8));

	/* an interrupted MMIO read completes before the interrupt */
	irq_start(c, SYM_t_mmio, true);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_MMIO && !e.mmio.is_write && svp_irq_ready(c),
	   "MMIO read exit, irq ready");
	svp_inject_irq(c, 0x40);
	{
		u32 d = 0x1234;

		svp_complete_read(c, &d);
	}
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 0) == 0x1234 &&
	   reg(c, 12) == SYM_t_mmio + 12,
	   "IRQ injected at an MMIO read exit follows the completed read");

	/* delivery faults: EXT set in the error code */
	set_gate(0x42, SYM_irq_rec, 0, 0xe);
	w64(0x5000 + 0x42 * 16, r64(0x5000 + 0x42 * 16) & ~(1ULL << 47));
	w64(0x5000 + 0x43 * 16, 0);
	w64(0x5008 + 0x43 * 16, 0);
	irq_start(c, SYM_t_irq_hlt, false);
	run(c, &e, 100);
	svp_inject_irq(c, 0x42);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 11 &&
	   reg(c, 14) == 0x42 * 8 + 3 && reg(c, 12) == SYM_irq_hlt_ret,
	   "not-present gate: #NP(IDT|EXT) (ec %llx)",
	   (unsigned long long)reg(c, 14));
	irq_start(c, SYM_t_irq_hlt, false);
	run(c, &e, 100);
	svp_inject_irq(c, 0x43);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 15) == 13 &&
	   reg(c, 14) == 0x43 * 8 + 3, "bad gate type: #GP(IDT|EXT)");
	lm_state(&st, SYM_t_irq_hlt);
	st.idt.limit = 15;
	st.rflags |= 0x200;
	svp_set_state(c, &st);
	svp_inject_irq(c, 0x40);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_SHUTDOWN && reg(c, -1) == SYM_t_irq_hlt,
	   "IRQ beyond the IDT limit, #GP and #DF too: triple fault");
	free(c);
}

static void test_irq_shadow_window(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_state st;
	struct svp_exit e;
	u64 n0;
	int r;

	irq_start(c, SYM_t_sti_win, false);
	r = run(c, &e, 2);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_BUDGET && (st.rflags & 0x200) &&
	   st.intr_shadow == SVP_SHADOW_STI && !svp_irq_ready(c) &&
	   svp_nmi_ready(c), "STI sets IF and the STI shadow");
	r = run(c, &e, 1);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_BUDGET && st.intr_shadow == 0 && svp_irq_ready(c),
	   "the STI shadow ends after the next instruction");

	irq_start(c, SYM_t_sti_win, false);
	svp_request_irq_window(c, true);
	n0 = svp_insns_retired(c);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IRQ_WINDOW && reg(c, -1) == SYM_sti_win_at &&
	   svp_insns_retired(c) - n0 == 3 && svp_irq_ready(c),
	   "window exit after the instruction following STI (rip %llx)",
	   (unsigned long long)reg(c, -1));
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IRQ_WINDOW && reg(c, -1) == SYM_sti_win_at,
	   "window exit again while requested");
	svp_request_irq_window(c, false);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT, "no window exit once cancelled");

	/* a shadow restored by set_state lasts one instruction */
	lm_state(&st, SYM_t_sti_win + 2);
	st.idt.limit = 256 * 16 - 1;
	st.rflags |= 0x200;
	st.intr_shadow = SVP_SHADOW_STI;
	ok(svp_set_state(c, &st) == 0 && !svp_irq_ready(c),
	   "set_state with the STI shadow");
	svp_request_irq_window(c, true);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IRQ_WINDOW && reg(c, -1) == SYM_sti_win_at,
	   "restored shadow: window exit after one instruction");

	irq_start(c, SYM_t_spin, true);
	n0 = svp_insns_retired(c);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_IRQ_WINDOW && reg(c, -1) == SYM_t_spin &&
	   svp_insns_retired(c) == n0,
	   "window exit before the first instruction when ready");
	set_gate(0x40, SYM_irq_rec, 0, 0xe);
	svp_inject_irq(c, 0x40);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 12) == SYM_t_spin,
	   "injection at the window exit delivered at once");
	svp_request_irq_window(c, false);

	/* an interrupt injected while blocked waits for IF and the shadow */
	irq_start(c, SYM_t_sti_win, false);
	svp_inject_irq(c, 0x40);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 12) == SYM_sti_win_at &&
	   reg(c, -1) == SYM_irq_rec_done,
	   "blocked IRQ stays pending until after STI and its shadow (rip %llx)",
	   (unsigned long long)reg(c, 12));

	irq_start(c, SYM_t_movss, true);
	r = run(c, &e, 2);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_BUDGET && st.intr_shadow == SVP_SHADOW_MOV_SS &&
	   !svp_irq_ready(c) && !svp_nmi_ready(c),
	   "MOV SS shadow blocks interrupts and NMIs");
	r = run(c, &e, 1);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_BUDGET && st.intr_shadow == 0 &&
	   reg(c, -1) == SYM_movss_after && svp_irq_ready(c) &&
	   svp_nmi_ready(c), "MOV SS shadow ends after the next instruction");
	free(c);
}

static void test_nmi(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_state st;
	struct svp_exit e;
	u64 g2lo = r64(0x5000 + 2 * 16), g2hi = r64(0x5008 + 2 * 16);
	int r;

	set_gate(2, SYM_nmi_handler, 0, 0xe);
	irq_start(c, SYM_t_nmi, false);
	ok(svp_nmi_ready(c), "NMI ready with IF=0");
	svp_inject_nmi(c);
	ok(!svp_nmi_ready(c), "NMI pending: not ready");
	r = run(c, &e, 100);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_HLT && reg(c, 14) == 1 &&
	   reg(c, -1) == SYM_nmi_handler + 4 && st.nmi_blocked &&
	   !svp_nmi_ready(c) && r64(reg(c, 4)) == SYM_t_nmi,
	   "NMI delivered through vector 2; NMIs blocked");
	svp_inject_nmi(c);
	r = run(c, &e, 1);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_BUDGET && reg(c, 14) == 1 &&
	   reg(c, -1) == SYM_t_nmi && !st.nmi_blocked &&
	   st.event_pending == SVP_EVENT_NMI,
	   "nested NMI not delivered before IRETQ; IRETQ unblocks");
	r = run(c, &e, 100);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_HLT && reg(c, 14) == 2 && st.nmi_blocked &&
	   st.event_pending == SVP_EVENT_NONE,
	   "pending NMI delivered right after the IRETQ");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, -1) == SYM_nmi_ret &&
	   svp_nmi_ready(c), "back from the second NMI, NMIs unblocked");
	w64(0x5000 + 2 * 16, g2lo);
	w64(0x5008 + 2 * 16, g2hi);
	free(c);
}

static void *kick_thread(void *p)
{
	struct svp_cpu *c = p;

	/* wait until the guest loop has run a while */
	while (*(volatile u64 *)(ram + 0x301100) < 1000)
		sched_yield();
	svp_kick(c);
	return NULL;
}

static void test_kick(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_exit e;
	pthread_t th;
	u64 n0;
	int r;

	irq_start(c, SYM_t_spin, false);
	svp_kick(c);
	n0 = svp_insns_retired(c);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_KICK && svp_insns_retired(c) == n0,
	   "kick before svp_run: returns at once");
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_BUDGET && svp_insns_retired(c) == n0 + 100,
	   "one kick ends one svp_run");
	w64(0x301100, 0);
	pthread_create(&th, NULL, kick_thread, c);
	r = run(c, &e, 1000000000ULL);
	pthread_join(th, NULL);
	ok(r == SVP_EXIT_KICK && r64(0x301100) >= 1000,
	   "kick from another thread ends a running svp_run (%d)", r);
	r = run(c, &e, 10);
	ok(r == SVP_EXIT_BUDGET, "kick consumed");
	free(c);
}

static void test_host_ops(void)
{
	struct svp_cpu *c = calloc(1, svp_cpu_size());
	struct svp_state st;
	struct svp_exit e;
	int r;

	svp_cpu_init(c, &irq_ops, NULL, 0, true);
	irq_start(c, SYM_t_cr8, false);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_KICK && cr8_set == 5 && reg(c, -1) == SYM_cr8_after,
	   "MOV to CR8: set_cr8, then KICK exit after the instruction");
	r = run(c, &e, 100);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 9 && reg(c, 15) == 13 &&
	   reg(c, 14) == 0 && reg(c, 12) == SYM_cr8_gp && cr8_set == 5 &&
	   st.cr8 == 0, "MOV from CR8: get_cr8; reserved bits #GP(0)");

	msr_widx = 0;
	irq_start(c, SYM_t_msrop, false);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 0xfee00900ULL &&
	   reg(c, 6) == 0x12 && msr_widx == 0x808 && msr_wval == 0x30,
	   "RDMSR 0x1b and WRMSR 0x808 through the msr op");
	ok(reg(c, 15) == 13 && reg(c, 14) == 0 && reg(c, 12) == SYM_msrop_gp,
	   "msr op refusing: #GP(0)");
	free(c);

	/* without the ops: CR8 and IA32_APIC_BASE in the core, x2APIC #GP */
	c = new_cpu();
	irq_start(c, SYM_t_cr8, false);
	r = run(c, &e, 100);
	svp_get_state(c, &st);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 5 && st.cr8 == 5 &&
	   reg(c, 12) == SYM_cr8_gp, "CR8 kept by the core without ops");
	lm_state(&st, SYM_t_msrop);
	st.apic_base = 0xfee00900ULL;
	svp_set_state(c, &st);
	r = run(c, &e, 100);
	ok(r == SVP_EXIT_HLT && reg(c, 3) == 0xfee00900ULL &&
	   reg(c, 15) == 13 && reg(c, 12) == SYM_msrop_wr,
	   "without the msr op: APIC base from the state, 0x808 #GP");
	free(c);
}

static void test_irq_state(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_state s, g;

	lm_state(&s, 0x200000);
	s.rflags |= 0x200;
	s.intr_shadow = SVP_SHADOW_STI;
	s.nmi_blocked = 1;
	s.event_pending = SVP_EVENT_IRQ;
	s.event_vector = 0x99;
	ok(svp_set_state(c, &s) == 0, "set_state with interrupt state");
	svp_get_state(c, &g);
	ok(g.intr_shadow == SVP_SHADOW_STI && g.nmi_blocked == 1 &&
	   g.event_pending == SVP_EVENT_IRQ && g.event_vector == 0x99 &&
	   !svp_irq_ready(c) && !svp_nmi_ready(c),
	   "interrupt state round trip (IRQ pending)");
	s.intr_shadow = SVP_SHADOW_MOV_SS;
	s.nmi_blocked = 0;
	s.event_pending = SVP_EVENT_NMI;
	s.event_vector = 0;
	svp_set_state(c, &s);
	svp_get_state(c, &g);
	ok(g.intr_shadow == SVP_SHADOW_MOV_SS && g.nmi_blocked == 0 &&
	   g.event_pending == SVP_EVENT_NMI && g.event_vector == 0,
	   "interrupt state round trip (NMI pending)");
	lm_state(&s, 0x200000);
	s.intr_shadow = 3;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects both shadows");
	s.intr_shadow = 4;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects shadow bit 2");
	s.intr_shadow = SVP_SHADOW_STI;
	ok(svp_set_state(c, &s) == -EINVAL,
	   "set_state rejects the STI shadow with IF=0");
	lm_state(&s, 0x200000);
	s.nmi_blocked = 2;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects nmi_blocked 2");
	lm_state(&s, 0x200000);
	s.event_pending = 3;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects event 3");
	lm_state(&s, 0x200000);
	s.event_vector = 0x20;
	ok(svp_set_state(c, &s) == -EINVAL,
	   "set_state rejects a vector without an IRQ event");
	s.event_pending = SVP_EVENT_NMI;
	ok(svp_set_state(c, &s) == -EINVAL,
	   "set_state rejects a vector with an NMI event");
	free(c);
}

void diff_tests(struct svp_cpu *c);

static void test_cpuid_state(void)
{
	struct svp_cpu *c = new_cpu();
	struct svp_state s;

	svp_get_state(c, &s);
	ok(s.rip == 0xfff0 && s.seg[SVP_SEG_CS].base == 0xffff0000ULL &&
	   s.seg[SVP_SEG_CS].sel == 0xf000 && s.rflags == 2 &&
	   s.cr0 == 0x60000010ULL && s.apic_base == 0xfee00900ULL,
	   "reset state");
	lm_state(&s, 0x200000);
	s.cr0 |= 1ULL << 40;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects CR0 reserved");
	lm_state(&s, 0x200000);
	s.efer &= ~0x400ULL;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects LMA mismatch");
	lm_state(&s, 0x200000);
	s.seg[SVP_SEG_CS].attr |= 0x4000;
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects L+D CS");
	lm_state(&s, 0x800000000000ULL);
	ok(svp_set_state(c, &s) == -EINVAL, "set_state rejects bad RIP");
	lm_state(&s, 0x200000);
	ok(svp_set_state(c, &s) == 0, "set_state accepts long mode");
	ok(cpuid_n > 5 && cpuid_tab[0].regs[1] == 0x6e656756,
	   "CPUID vendor VgenVgenVgen");
	free(c);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char path[512];
	struct svp_cpu *c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cpuid_n = svp_cpuid_defaults(cpuid_tab, 64);
	snprintf(path, sizeof(path), "%s/guest.bin", dir);
	load_file(path, SYM__gstart);
	setup_tables();

	if (argc > 2 && !strcmp(argv[2], "speed")) {
		/* profiling aid: only the C program, several times */
		int i;

		snprintf(path, sizeof(path), "%s/cprog.elf", dir);
		for (i = 0; i < 5; i++)
			test_cprog(path);
		return 0;
	}
	printf("TAP version 13\n");
	test_cpuid_state();
	test_exceptions();
	test_io_mmio();
	test_misc_progs();
	test_lock_smp();
	test_irq_inject();
	test_irq_shadow_window();
	test_nmi();
	test_kick();
	test_host_ops();
	test_irq_state();
	c = new_cpu();
	diff_tests(c);
	free(c);
	snprintf(path, sizeof(path), "%s/cprog-Os.elf", dir);
	test_cprog(path);
	snprintf(path, sizeof(path), "%s/cprog-O3.elf", dir);
	test_cprog(path);
	snprintf(path, sizeof(path), "%s/cprog.elf", dir);
	test_cprog(path);
	printf("1..%d\n", ntest);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}

/* ---------------------------------------------------------------- */
/* Differential tests against the host CPU */

struct dctx {
	u64 rax, rbx, rcx, rdx, fin, fout, mem;
};

enum dkind { K_PLAIN, K_SHIFT, K_ROT, K_SHD, K_DIV, K_BS };

struct dcase {
	const char *name;
	u8 b[12];
	int len;
	int w;		/* operand width in bytes */
	u64 fmask;	/* defined flags (K_PLAIN) */
	int kind;
	int op;		/* shift op / div signedness */
};

#define FA (SVP_CF_ | SVP_PF_ | SVP_AF_ | SVP_ZF_ | SVP_SF_ | SVP_OF_)
#define SVP_CF_ 0x1ULL
#define SVP_PF_ 0x4ULL
#define SVP_AF_ 0x10ULL
#define SVP_ZF_ 0x40ULL
#define SVP_SF_ 0x80ULL
#define SVP_OF_ 0x800ULL
#define FL (SVP_CF_ | SVP_PF_ | SVP_ZF_ | SVP_SF_ | SVP_OF_)

static u8 *xbuf;

static u64 svp_sx_w(u64 v, int bytes)
{
	int sh = 64 - bytes * 8;

	if (bytes >= 8)
		return v;
	return (u64)((s64)(v << sh) >> sh);
}

static u64 svp_sx_test(u64 v)
{
	return svp_sx_w(v, 2);
}
static u64 rs = 88172645463325252ULL;

static u64 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static u64 rndval(void)
{
	static const u64 sp[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000,
				  0xffff, 0x7fffffff, 0x80000000ULL,
				  0xffffffffULL, 0x7fffffffffffffffULL,
				  0x8000000000000000ULL, ~0ULL, ~1ULL, 31, 32,
				  63, 64, 8, 16, 9, 17, 33 };
	u64 r = rnd();

	switch (r & 7) {
	case 0:
		return sp[(r >> 8) % (sizeof(sp) / 8)];
	case 1:
		return (r >> 8) & 0xff;
	case 2:
		return svp_sx_test((r >> 8) & 0xffff);
	default:
		return rnd();
	}
}

static void native_run(const struct dcase *t, struct dctx *x)
{
	static const u8 pro[] = { 0x53, 0x48, 0x8d, 0x77, 0x30, 0x48, 0x8b, 0x07, 0x48, 0x8b, 0x5f,
				  0x08, 0x48, 0x8b, 0x4f, 0x10, 0x48, 0x8b,
				  0x57, 0x18, 0xff, 0x77, 0x20, 0x9d };
	static const u8 epi[] = { 0x9c, 0x8f, 0x47, 0x28, 0x48, 0x89, 0x07,
				  0x48, 0x89, 0x5f, 0x08, 0x48, 0x89, 0x4f,
				  0x10, 0x48, 0x89, 0x57, 0x18, 0x5b, 0xc3 };
	u8 *p = xbuf;

	memcpy(p, pro, sizeof(pro));
	p += sizeof(pro);
	memcpy(p, t->b, t->len);
	p += t->len;
	memcpy(p, epi, sizeof(epi));
	((void (*)(struct dctx *))xbuf)(x);
}

static int guest_run(struct svp_cpu *c, const struct dcase *t,
		     struct dctx *x)
{
	static int flip;
	u64 code = (++flip & 1) ? 0x800000 : 0x801000 - 2;
	u64 maddr = (flip & 2) ? 0x304000 : 0x305000 - 3;
	struct svp_state s;
	struct svp_exit e;
	int r;

	memcpy(ram + code, t->b, t->len);
	ram[code + t->len] = 0xf4;
	w64(maddr, x->mem);
	lm_state(&s, code);
	s.gpr[6] = maddr;
	s.gpr[0] = x->rax;
	s.gpr[3] = x->rbx;
	s.gpr[1] = x->rcx;
	s.gpr[2] = x->rdx;
	s.rflags = x->fin;
	if (svp_set_state(c, &s))
		return -1;
	r = svp_run(c, 8, &e);	/* the case (1-2 insns), then HLT */
	svp_get_state(c, &s);
	x->rax = s.gpr[0];
	x->rbx = s.gpr[3];
	x->rcx = s.gpr[1];
	x->rdx = s.gpr[2];
	x->fout = s.rflags;
	x->mem = r64(maddr);
	if (r != SVP_EXIT_HLT || s.rip != code + t->len + 1)
		return -2;
	return 0;
}

/* Defined flags and whether results are defined, for input @x. */
static u64 defmask(const struct dcase *t, const struct dctx *x, int *resok)
{
	int bits = t->w * 8;
	u32 c;

	*resok = 1;
	switch (t->kind) {
	case K_SHIFT:
	case K_ROT:
	case K_SHD:
		c = (t->op >= 0x100 ? t->op & 0xff : x->rcx) &
		    (t->w == 8 ? 63 : 31);
		if (!c)
			return FA;
		if (t->kind == K_ROT)
			return SVP_CF_ | (c == 1 ? SVP_OF_ : 0);
		if (t->kind == K_SHD) {
			if ((int)c > bits) {
				*resok = 0;
				return 0;
			}
			return SVP_CF_ | SVP_PF_ | SVP_ZF_ | SVP_SF_ |
			       (c == 1 ? SVP_OF_ : 0);
		}
		return ((int)c < bits ? SVP_CF_ : 0) | SVP_PF_ | SVP_ZF_ |
		       SVP_SF_ | (c == 1 ? SVP_OF_ : 0);
	case K_BS:
		if (!(x->rbx & (t->w == 8 ? ~0ULL : (1ULL << bits) - 1)))
			*resok = 0;
		return t->fmask;
	default:
		return t->fmask;
	}
}

/* Whether DIV/IDIV would fault for input @x. */
static int div_faults(const struct dcase *t, const struct dctx *x)
{
	int w = t->w, bits = w * 8;
	u64 m = w == 8 ? ~0ULL : (1ULL << bits) - 1;
	u64 d = x->rbx & m;

	if (!d)
		return 1;
	if (t->op == 0) {
		unsigned __int128 n = w == 1 ? (x->rax & 0xffff) :
			((unsigned __int128)(x->rdx & m) << bits) | (x->rax & m);

		return n / d > m;
	}
	{
		__int128 n, q, lim = (__int128)(m >> 1);
		__int128 sd;

		if (w == 1)
			n = (s16)x->rax;
		else if (w == 8)
			n = (__int128)(((unsigned __int128)x->rdx << 64) | x->rax);
		else
			n = (__int128)(s64)svp_sx_w(((x->rdx & m) << bits) |
						    (x->rax & m), w * 2);
		sd = (__int128)(s64)svp_sx_w(d, w);
		if (sd == -1) {
			if (n == -n)
				return 1;
			q = -n;
		} else {
			q = n / sd;
		}
		return q > lim || q < -lim - 1;
	}
}

static int ncases;
static struct dcase cases[1200];

static void add(const char *name, int w, int kind, int op, u64 fmask,
		int n, ...)
{
	struct dcase *t = &cases[ncases++];
	va_list ap;
	int i;

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->w = w;
	t->kind = kind;
	t->op = op;
	t->fmask = fmask;
	if (w == 2)
		t->b[t->len++] = 0x66;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int b = va_arg(ap, int);

		if (b == 0x48 && i == 0 && w != 8)
			continue;
		t->b[t->len++] = b;
	}
	va_end(ap);
	if (w == 8 && t->b[0] != 0x48) {
		/* REX.W must follow other prefixes */
		int pos = 0;

		while (pos < t->len && (t->b[pos] == 0xf3 || t->b[pos] == 0x66 ||
						 t->b[pos] == 0xf0))
			pos++;
		if (t->b[pos] != 0x48 && !(t->b[pos] >= 0x48 &&
					   t->b[pos] <= 0x4f)) {
			memmove(t->b + pos + 1, t->b + pos, t->len - pos);
			t->b[pos] = 0x48;
			t->len++;
		}
	}
}

static void build_cases(void)
{
	static const char *alu[8] = { "add", "or", "adc", "sbb", "and", "sub",
				      "xor", "cmp" };
	static const char *sh[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr",
				     "sal", "sar" };
	int w, op, cc;

	for (w = 1; w <= 8; w *= 2) {
		int o = w == 1 ? 0 : 1;

		for (op = 0; op < 8; op++) {
			u64 fm = (op == 1 || op == 4 || op == 6) ? FL : FA;

			add(alu[op], w, K_PLAIN, 0, fm, 2, op * 8 + o, 0xd8);
			add(alu[op], w, K_PLAIN, 0, fm, 3, w == 1 ? 0x80 : 0x83,
			    0xc0 | op << 3, (int)(rnd() & 0xff));
			if (w == 2)
				add(alu[op], w, K_PLAIN, 0, fm, 4, 0x81,
				    0xc0 | op << 3, 0x78, 0x96);
			else if (w > 2)
				add(alu[op], w, K_PLAIN, 0, fm, 6, 0x81,
				    0xc0 | op << 3, 0x78, 0x56, 0x34, 0x92);
		}
		add("test", w, K_PLAIN, 0, FL, 2, 0x84 + o, 0xd8);
		add("not", w, K_PLAIN, 0, FA, 2, 0xf6 + o, 0xd0);
		add("neg", w, K_PLAIN, 0, FA, 2, 0xf6 + o, 0xd8);
		add("inc", w, K_PLAIN, 0, FA, 2, 0xfe + o, 0xc0);
		add("dec", w, K_PLAIN, 0, FA, 2, 0xfe + o, 0xc8);
		add("mul", w, K_PLAIN, 0, SVP_CF_ | SVP_OF_, 2, 0xf6 + o, 0xe3);
		add("imul1", w, K_PLAIN, 0, SVP_CF_ | SVP_OF_, 2, 0xf6 + o,
		    0xeb);
		add("div", w, K_DIV, 0, 0, 2, 0xf6 + o, 0xf3);
		add("idiv", w, K_DIV, 1, 0, 2, 0xf6 + o, 0xfb);
		for (op = 0; op < 8; op++) {
			int kind = op < 4 ? K_ROT : K_SHIFT;
			int ci = (int)(rnd() & 0x3f);

			add(sh[op], w, kind, 0, 0, 2, 0xd2 + o, 0xc0 | op << 3);
			add(sh[op], w, kind, 0x101, 0, 2, 0xd0 + o,
			    0xc0 | op << 3);
			add(sh[op], w, kind, 0x100 | ci, 0, 3, 0xc0 + o,
			    0xc0 | op << 3, ci);
		}
		/* memory operands at [rsi], LOCKed read-modify-write */
		for (op = 0; op < 8; op++) {
			u64 fm = (op == 1 || op == 4 || op == 6) ? FL : FA;

			add(alu[op], w, K_PLAIN, 0, fm, 2, op * 8 + o, 0x1e);
			add(alu[op], w, K_PLAIN, 0, fm, 2, op * 8 + 2 + o,
			    0x1e);
			add(alu[op], w, K_PLAIN, 0, fm, 3, w == 1 ? 0x80 : 0x83,
			    0x06 | op << 3, (int)(rnd() & 0xff));
			if (op != 7)
				add(alu[op], w, K_PLAIN, 0, fm, 3, 0xf0,
				    op * 8 + o, 0x1e);
		}
		add("lock-not", w, K_PLAIN, 0, 0, 3, 0xf0, 0xf6 + o, 0x16);
		add("lock-neg", w, K_PLAIN, 0, FA, 3, 0xf0, 0xf6 + o, 0x1e);
		add("lock-inc", w, K_PLAIN, 0, FA, 3, 0xf0, 0xfe + o, 0x06);
		add("lock-dec", w, K_PLAIN, 0, FA, 3, 0xf0, 0xfe + o, 0x0e);
		add("lock-xadd", w, K_PLAIN, 0, FA, 4, 0xf0, 0x0f, 0xc0 + o,
		    0x1e);
		add("lock-cmpxchg", w, K_PLAIN, 0, FA, 4, 0xf0, 0x0f, 0xb0 + o,
		    0x1e);
		add("xchg-mem", w, K_PLAIN, 0, 0, 2, 0x86 + o, 0x1e);
		add("mul-mem", w, K_PLAIN, 0, SVP_CF_ | SVP_OF_, 2, 0xf6 + o,
		    0x26);
		for (op = 0; op < 8; op++)
			add(sh[op], w, op < 4 ? K_ROT : K_SHIFT, 0, 0, 2,
			    0xd2 + o, 0x06 | op << 3);
		add("xchg", w, K_PLAIN, 0, 0, 2, 0x86 + o, 0xd8);
		add("mov", w, K_PLAIN, 0, 0, 2, 0x88 + o, 0xd8);
		add("xadd", w, K_PLAIN, 0, FA, 3, 0x0f, 0xc0 + o, 0xd9);
		add("cmpxchg", w, K_PLAIN, 0, FA, 3, 0x0f, 0xb0 + o, 0xd9);
		/* conditions evaluated from lazy flags (second insn) */
		for (cc = 0; cc < 16; cc++) {
			add("cmp-setcc", w, K_PLAIN, 0, FA, 5, 0x38 + o, 0xd8,
			    0x0f, 0x90 + cc, 0xc1);
			add("test-setcc", w, K_PLAIN, 0, FL, 5, 0x84 + o, 0xd8,
			    0x0f, 0x90 + cc, 0xc1);
			add("inc-setcc", w, K_PLAIN, 0, FA, 5, 0xfe + o, 0xc0,
			    0x0f, 0x90 + cc, 0xc1);
			add("shl1-setcc", w, K_PLAIN, 0, FL, 5, 0xd0 + o, 0xe0,
			    0x0f, 0x90 + cc, 0xc1);
		}
		add("cmp-inc", w, K_PLAIN, 0, FA, 4, 0x38 + o, 0xd8, 0xfe + o,
		    0xc2);
		add("cmp-ah-bl", 1, K_PLAIN, 0, FA, 2, 0x38, 0xdc);
		add("mov-ah-bl", 1, K_PLAIN, 0, 0, 2, 0x88, 0xdc);
		if (w == 1) {
			add("setcc", 1, K_PLAIN, 0, 0, 3, 0x0f, 0x90 + (int)(rnd() & 15), 0xc0);
			continue;
		}
		add("imul2", w, K_PLAIN, 0, SVP_CF_ | SVP_OF_, 3, 0x0f, 0xaf,
		    0xc3);
		for (cc = 0; cc < 4; cc++)
			add("imul2-setcc", w, K_PLAIN, 0, SVP_CF_ | SVP_OF_, 6,
			    0x0f, 0xaf, 0xc3, 0x0f, 0x90 + cc, 0xc1);
		if (w < 8) {	/* with REX, rm 7 is DIL, not BH */
			add("movzx-bh", w, K_PLAIN, 0, 0, 3, 0x0f, 0xb6, 0xc7);
			add("movsx-bh", w, K_PLAIN, 0, 0, 3, 0x0f, 0xbe, 0xc7);
		}
		add("imul3b", w, K_PLAIN, 0, SVP_CF_ | SVP_OF_, 3, 0x6b, 0xc3,
		    0x85);
		add("bt", w, K_PLAIN, 0, SVP_CF_, 3, 0x0f, 0xa3, 0xd8);
		add("bts", w, K_PLAIN, 0, SVP_CF_, 3, 0x0f, 0xab, 0xd8);
		add("btr", w, K_PLAIN, 0, SVP_CF_, 3, 0x0f, 0xb3, 0xd8);
		add("btc", w, K_PLAIN, 0, SVP_CF_, 3, 0x0f, 0xbb, 0xd8);
		for (op = 4; op < 8; op++)
			add("bt-imm", w, K_PLAIN, 0, SVP_CF_, 4, 0x0f, 0xba,
			    0xc0 | op << 3, (int)(rnd() & 0xff));
		add("bsf", w, K_BS, 0, SVP_ZF_, 3, 0x0f, 0xbc, 0xc3);
		add("bsr", w, K_BS, 0, SVP_ZF_, 3, 0x0f, 0xbd, 0xc3);
		add("popcnt", w, K_PLAIN, 0, FA, 4, 0xf3, 0x0f, 0xb8, 0xc3);
		add("lzcnt", w, K_PLAIN, 0, SVP_CF_ | SVP_ZF_, 4, 0xf3, 0x0f,
		    0xbd, 0xc3);
		add("shld-cl", w, K_SHD, 0, 0, 3, 0x0f, 0xa5, 0xd8);
		add("shrd-cl", w, K_SHD, 0, 0, 3, 0x0f, 0xad, 0xd8);
		cc = (int)(rnd() & 31);
		add("shld-imm", w, K_SHD, 0x100 | cc, 0, 4, 0x0f, 0xa4, 0xd8,
		    cc);
		add("shrd-imm", w, K_SHD, 0x100 | cc, 0, 4, 0x0f, 0xac, 0xd8,
		    cc);
		add("movzx8", w, K_PLAIN, 0, 0, 3, 0x0f, 0xb6, 0xc3);
		add("movsx8", w, K_PLAIN, 0, 0, 3, 0x0f, 0xbe, 0xc3);
		add("movsx16", w, K_PLAIN, 0, 0, 3, 0x0f, 0xbf, 0xc3);
		add("cbw", w, K_PLAIN, 0, 0, 1, 0x98);
		add("cwd", w, K_PLAIN, 0, 0, 1, 0x99);
		for (cc = 0; cc < 16; cc++)
			add("cmovcc", w, K_PLAIN, 0, 0, 3, 0x0f, 0x40 + cc, 0xc3);
		if (w >= 4)
			add("bswap", w, K_PLAIN, 0, 0, 2, 0x0f, 0xc8);
	}
	for (cc = 0; cc < 16; cc++)
		add("setcc", 1, K_PLAIN, 0, 0, 3, 0x0f, 0x90 + cc, 0xc0);
	add("movsxd", 8, K_PLAIN, 0, 0, 2, 0x63, 0xc3);
	add("sahf", 4, K_PLAIN, 0, FA, 1, 0x9e);
	add("lahf", 4, K_PLAIN, 0, FA, 1, 0x9f);
	add("cmc", 4, K_PLAIN, 0, FA, 1, 0xf5);
	add("stc", 4, K_PLAIN, 0, FA, 1, 0xf9);
	add("clc", 4, K_PLAIN, 0, FA, 1, 0xf8);
	add("mov-ah", 1, K_PLAIN, 0, 0, 2, 0x88, 0xfc);	/* mov ah, bh */
	add("mov-spl", 1, K_PLAIN, 0, 0, 3, 0x40, 0x88, 0xdc); /* mov spl? */
	ncases--;	/* spl would clobber the test stack: drop */
}

void diff_tests(struct svp_cpu *c)
{
	int i, k, iters = 150;

	xbuf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	build_cases();
	for (i = 0; i < ncases; i++) {
		const struct dcase *t = &cases[i];
		int bad = 0, r = 0;
		struct dctx in, n, g;
		u64 fm = 0;
		int resok = 1;
		char desc[64] = "";

		for (k = 0; k < iters && !bad; k++) {
			in.rax = rndval();
			in.rbx = rndval();
			in.rcx = rndval();
			in.rdx = rndval();
			in.fin = (rnd() & (FA)) | 2;
			in.mem = rndval();
			if (t->kind == K_DIV && div_faults(t, &in))
				continue;
			n = in;
			g = in;
			native_run(t, &n);
			r = guest_run(c, t, &g);
			fm = defmask(t, &in, &resok);
			if (r || ((n.fout ^ g.fout) & fm) ||
			    (resok && (n.rax != g.rax || n.rbx != g.rbx ||
				       n.rcx != g.rcx || n.rdx != g.rdx ||
				       n.mem != g.mem))) {
				bad = 1;
				snprintf(desc, sizeof(desc), " r=%d", r);
			}
		}
		ok(!bad, "diff %s/%d [%02x %02x %02x %02x]%s", t->name, t->w * 8,
		   t->b[0], t->b[1], t->b[2], t->b[3], desc);
		if (bad)
			printf("#  in rax=%llx rbx=%llx rcx=%llx rdx=%llx f=%llx\n"
			       "#  native rax=%llx rbx=%llx rcx=%llx rdx=%llx f=%llx\n"
			       "#  svp    rax=%llx rbx=%llx rcx=%llx rdx=%llx f=%llx mask=%llx\n",
			       (unsigned long long)in.rax, (unsigned long long)in.rbx,
			       (unsigned long long)in.rcx, (unsigned long long)in.rdx,
			       (unsigned long long)in.fin,
			       (unsigned long long)n.rax, (unsigned long long)n.rbx,
			       (unsigned long long)n.rcx, (unsigned long long)n.rdx,
			       (unsigned long long)n.fout,
			       (unsigned long long)g.rax, (unsigned long long)g.rbx,
			       (unsigned long long)g.rcx, (unsigned long long)g.rdx,
			       (unsigned long long)g.fout, (unsigned long long)fm);
	}
}
