/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the software x86-64 VP core.
 */
#ifndef _VGEN_SVP_INTERNAL_H
#define _VGEN_SVP_INTERNAL_H

#include "svp.h"

/* RFLAGS bits */
#define SVP_CF		0x0001ULL
#define SVP_PF		0x0004ULL
#define SVP_AF		0x0010ULL
#define SVP_ZF		0x0040ULL
#define SVP_SF		0x0080ULL
#define SVP_TF		0x0100ULL
#define SVP_IF		0x0200ULL
#define SVP_DF		0x0400ULL
#define SVP_OF		0x0800ULL
#define SVP_IOPL	0x3000ULL
#define SVP_NT		0x4000ULL
#define SVP_RF		0x10000ULL
#define SVP_VM		0x20000ULL
#define SVP_AC		0x40000ULL
#define SVP_VIF		0x80000ULL
#define SVP_VIP		0x100000ULL
#define SVP_ID		0x200000ULL
#define SVP_ARITH	(SVP_CF | SVP_PF | SVP_AF | SVP_ZF | SVP_SF | SVP_OF)
#define SVP_RFLAGS_VALID	(SVP_ARITH | SVP_TF | SVP_IF | SVP_DF | \
				 SVP_IOPL | SVP_NT | SVP_RF | SVP_VM | \
				 SVP_AC | SVP_VIF | SVP_VIP | SVP_ID | 2)

#define SVP_CR0_PE	(1ULL << 0)
#define SVP_CR0_MP	(1ULL << 1)
#define SVP_CR0_EM	(1ULL << 2)
#define SVP_CR0_TS	(1ULL << 3)
#define SVP_CR0_ET	(1ULL << 4)
#define SVP_CR0_NE	(1ULL << 5)
#define SVP_CR0_WP	(1ULL << 16)
#define SVP_CR0_AM	(1ULL << 18)
#define SVP_CR0_NW	(1ULL << 29)
#define SVP_CR0_CD	(1ULL << 30)
#define SVP_CR0_PG	(1ULL << 31)
#define SVP_CR0_VALID	(SVP_CR0_PE | SVP_CR0_MP | SVP_CR0_EM | SVP_CR0_TS | \
			 SVP_CR0_ET | SVP_CR0_NE | SVP_CR0_WP | SVP_CR0_AM | \
			 SVP_CR0_NW | SVP_CR0_CD | SVP_CR0_PG)

#define SVP_CR4_TSD	(1ULL << 2)
#define SVP_CR4_DE	(1ULL << 3)
#define SVP_CR4_PAE	(1ULL << 5)
#define SVP_CR4_VALID	(SVP_CR4_TSD | SVP_CR4_DE | SVP_CR4_PAE)

/* Debug registers */
#define SVP_DR6_FIXED1	0xffff0ff0ULL	/* DR6 bits that read as 1 */
#define SVP_DR6_WRITE	0x0000e00fULL	/* B0-B3, BD, BS, BT */
#define SVP_DR6_BD	(1ULL << 13)
#define SVP_DR6_BS	(1ULL << 14)
#define SVP_DR7_FIXED1	0x00000400ULL
#define SVP_DR7_WRITE	0xffff23ffULL	/* L/G0-3, LE, GE, GD, R/W, LEN */
#define SVP_DR7_GD	(1ULL << 13)

#define SVP_EFER_SCE	(1ULL << 0)
#define SVP_EFER_LME	(1ULL << 8)
#define SVP_EFER_LMA	(1ULL << 10)
#define SVP_EFER_NXE	(1ULL << 11)
#define SVP_EFER_VALID	(SVP_EFER_SCE | SVP_EFER_LME | SVP_EFER_LMA | \
			 SVP_EFER_NXE)

/* Guest physical address width advertised in CPUID 0x80000008. */
#define SVP_PHYS_BITS	40
#define SVP_PHYS_MASK	((1ULL << SVP_PHYS_BITS) - 1)

/* Exception vectors */
#define SVP_DE	0
#define SVP_DB	1
#define SVP_BP	3
#define SVP_OFV	4
#define SVP_UD	6
#define SVP_NM	7
#define SVP_DF_VEC	8
#define SVP_TS	10
#define SVP_NP	11
#define SVP_SS	12
#define SVP_GP	13
#define SVP_PFV	14

/* Status of the internal helpers. */
#define SVP_OK		0
#define SVP_R_EXC	1	/* exception pending in cpu->exc_* */
#define SVP_R_EXIT	2	/* exit pending in *cpu->exit */

/* Lazy flag operations. */
enum svp_lf_op {
	SVP_LF_EAGER,	/* flags are in lf_flags */
	SVP_LF_ADD,
	SVP_LF_ADC,
	SVP_LF_SUB,
	SVP_LF_SBB,
	SVP_LF_LOGIC,
	SVP_LF_INC,
	SVP_LF_DEC,
	SVP_LF_SHIFT,	/* SHL/SHR/SAR, IMUL r: SZP of lf_res, CF|OF in lf_aux */
};

/* Software TLB access kinds. */
enum svp_acc {
	SVP_ACC_R,
	SVP_ACC_W,
	SVP_ACC_X,
	SVP_ACC_COUNT
};

#define SVP_TLB_BITS	10
#define SVP_TLB_SIZE	(1U << SVP_TLB_BITS)
#define SVP_TLB_INVALID	1ULL	/* never a page-aligned tag */

/**
 * struct svp_tlbe - one software TLB entry.
 * @tag: guest linear page address, or SVP_TLB_INVALID.
 * @hva: host address of the page.
 * @gpa: guest physical address of the page.
 */
struct svp_tlbe {
	u64 tag;
	u8 *hva;
	u64 gpa;
};

#define SEG_NONE	0xff

/**
 * struct svp_insn - a decoded instruction.
 * @ea: linear address of the memory operand (segment base included).
 * @imm: first immediate (zero-extended raw bytes).
 * @imm2: second immediate (ENTER).
 * @next_rip: address of the next instruction.
 * @op: opcode, 0x100 | byte for 0F xx.
 * @len: length in bytes.
 * @osz: operand size (2, 4, 8).
 * @asz: address size (4, 8).
 * @rex: REX prefix or 0.
 * @rep: 0, 0xf2 or 0xf3.
 * @seg: segment override (SVP_SEG_FS/GS) or SEG_NONE.
 * @mod: ModRM mod.
 * @reg: ModRM reg (with REX.R).
 * @rm: ModRM rm (with REX.B).
 * @lock: LOCK prefix.
 * @mem: the ModRM operand is in memory.
 * @p66: operand-size prefix present.
 * @la: linear address of the instruction (decode cache tag).
 * @gpa: guest physical address of the instruction.
 * @disp: displacement of the memory operand.
 * @base: base register of the memory operand, or -1.
 * @index: index register, or -1.
 * @scale: index shift count.
 * @fk: fast-path kind (enum svp_fast_kind in svp_exec.c), 0 for none.
 * @riprel: RIP-relative memory operand.
 * @gen: code page generation when cached.
 * @bdisp: in a block: @disp plus @next_rip if @riprel.
 * @pb: in a block: the base register, or &svp_cpu.zero.
 * @pi: in a block: the index register, or &svp_cpu.zero.
 * @msk: in a block: mask of the operand size (4 or 8 bytes).
 * @eak: in a block: 0 no memory operand, 1 @bdisp + *@pb + (*@pi << @scale),
 *	 2 the general computation (32-bit addressing or FS/GS).
 */
struct svp_insn {
	u64 ea;
	u64 imm;
	u64 imm2;
	u64 next_rip;
	u16 op;		/* 0x000-0x0ff, 0x100-0x1ff for 0F xx */
	u8 len;
	u8 osz;
	u8 asz;
	u8 rex;
	u8 rep;
	u8 seg;
	u8 mod;
	u8 reg;
	u8 rm;
	bool lock;
	bool mem;
	bool p66;
	bool riprel;
	s8 base;
	s8 index;
	u8 scale;
	u8 fk;
	u32 gen;
	u64 la;
	u64 gpa;
	u64 disp;
	u64 bdisp;
	const u64 *pb;
	const u64 *pi;
	u64 msk;
	u8 eak;
};

#define SVP_DC_BITS	10
#define SVP_DC_SIZE	(1U << SVP_DC_BITS)
#define SVP_CP_BITS	5
#define SVP_CP_SIZE	(1U << SVP_CP_BITS)

/**
 * struct svp_codepage - a guest physical page holding cached decoded
 * instructions; decoded entries are valid while @page and @gen match.
 * @page: guest physical page address, or SVP_TLB_INVALID.
 * @gen: bumped whenever the page's decoded instructions become invalid.
 */
struct svp_codepage {
	u64 page;
	u32 gen;
};

#define SVP_BLK_BITS	8
#define SVP_BLK_COUNT	(1U << SVP_BLK_BITS)
#define SVP_BLK_INSNS	16

/**
 * struct svp_block - a run of decoded instructions in one guest page,
 * executed back to back by svp_run() (see svp_block.c).
 * @la: linear address of the first instruction (cache tag).
 * @gpa: guest physical address of the first instruction.
 * @gen: code page generation when built; the block is valid while the
 *	 page's struct svp_codepage holds the page with this generation.
 * @n: number of instructions; only the last may be a branch or an
 *     instruction without a fast-path kind.
 * @in: the instructions, @in[i + 1] at @in[i].next_rip.
 */
struct svp_block {
	u64 la;
	u64 gpa;
	u32 gen;
	u32 n;
	struct svp_insn in[SVP_BLK_INSNS];
};


/**
 * struct svp_rdbuf - data supplied by svp_complete_read() for a pending
 * MMIO (@io false) or port (@io true) read.
 */
struct svp_rdbuf {
	u64 addr;
	u8 size;
	bool io;
	bool valid;
	u8 data[8];
};

#define SVP_RDBUF_COUNT	2

/**
 * struct svp_dbg - debug state (svp_debug.c, svp_run_dbg()).
 * @g: the guest's own DR0-3, DR6, DR7.
 * @vmm: VMM debugging (svp_set_guest_debug()), invisible to the guest.
 * @armed: anything that needs svp_run_dbg(): VMM debugging enabled or a
 *	guest breakpoint enabled in DR7.
 * @data: data breakpoints armed: bits 3:0 VMM, bits 7:4 guest. Their
 *	pages never enter the data TLB, so every access to them goes
 *	through the slow paths, which call svp_dbg_access().
 * @hit_vmm: VMM data breakpoints hit by the current instruction.
 * @hit_guest: guest data breakpoints (B0-B3) hit by it.
 * @step_iter: single-stepping: a string instruction stops after one
 *	iteration.
 * @pend_vmm: VMM exit (SVP_DEBUG_*) owed after the last instruction;
 *	@pend_idx its breakpoint, @pend_dr6 its status.
 * @pend_gdr6: guest #DB trap (DR6 bits) owed after the last instruction.
 * @skip: the execute breakpoint exit at @skip_rip was reported: the next
 *	instruction there runs without reporting it again.
 */
struct svp_dbg {
	struct svp_debugregs g;
	struct svp_guest_debug vmm;
	bool armed;
	u8 data;
	u8 hit_vmm;
	u8 hit_guest;
	bool step_iter;
	u8 pend_vmm;
	u8 pend_idx;
	bool skip;
	u64 pend_dr6;
	u64 pend_gdr6;
	u64 skip_rip;
};

/**
 * struct svp_cpu - the whole state of one software VP.
 *
 * Allocated zeroed by the embedder (svp_cpu_size() bytes); the arithmetic
 * flags of s.rflags are kept lazily in lf_*.
 */
struct svp_cpu {
	struct svp_state s;
	const struct svp_host_ops *ops;
	void *opaque;
	u32 apic_id;
	bool bsp;
	bool mode_ok;
	u8 cpl;

	/*
	 * Rare conditions, tested with one load (@chk.all) before every
	 * block (and before every instruction while set): @chk.slow (written by the run thread only, see
	 * svp_update_slow()) and @chk.kick (written by any thread, see
	 * svp_kick()). Each byte has a single kind of writer, so neither
	 * needs a read-modify-write of the other.
	 */
	union {
		u32 all;
		struct {
			u8 slow;
			u8 kick;
			u8 pad[2];
		};
	} chk;
	bool irq_window;	/* svp_request_irq_window() */
	u64 shadow_at;		/* s.intr_shadow holds while retired == this */

	/* lazy flags */
	u32 lf_op;
	u32 lf_size;
	u64 lf_res, lf_dst, lf_src, lf_aux, lf_flags;

	/* pending exception */
	u8 exc_vec;
	bool exc_has_err;
	bool exc_soft;		/* INT n / INT3: push the next RIP */
	u32 exc_err;
	u64 exc_next_rip;

	/* exit being built */
	struct svp_exit *exit;
	/*
	 * @stop: tested once per instruction of a block: an exit is
	 * pending, or a code page generation changed (@code_dirty, set by
	 * svp_code_inval(); svp_run() clears it).
	 */
	union {
		u16 stop;
		struct {
			bool exit_pending;
			bool code_dirty;
		};
	};
	u64 zero;		/* always 0: absent base/index of a block EA */
	bool pending_read;	/* the exit was a read awaiting completion */
	struct svp_rdbuf rd[SVP_RDBUF_COUNT];

	struct svp_dbg dbg;

	u64 retired;
	u8 ib[16];		/* bytes of the current instruction */
	u8 ib_len;
	struct svp_tlbe tlb[2][SVP_ACC_COUNT][SVP_TLB_SIZE];
	struct svp_codepage cp[SVP_CP_SIZE];
	struct svp_insn dc[SVP_DC_SIZE];
	struct svp_block blk[SVP_BLK_COUNT];
};

static inline u64 svp_mask(int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static inline u64 svp_parity(u64 v)
{
	v &= 0xff;
	v ^= v >> 4;
	return ((0x6996 >> (v & 0xf)) & 1) ? 0 : SVP_PF;
}

/* Zero, sign and parity flags of @res of @size bytes. */
static inline u64 svp_szp(u64 res, int size)
{
	u64 f = svp_parity(res);

	res &= svp_mask(size);
	if (!res)
		f |= SVP_ZF;
	if (res >> (size * 8 - 1))
		f |= SVP_SF;
	return f;
}

/* The arithmetic flags, computed from the lazy state. */
static inline u64 svp_flags(const struct svp_cpu *cpu)
{
	int sz = cpu->lf_size;
	u64 m, sb, res, dst, src, f;
	bool cf, of;

	if (cpu->lf_op == SVP_LF_EAGER)
		return cpu->lf_flags;
	if (cpu->lf_op == SVP_LF_SHIFT)
		return svp_szp(cpu->lf_res, sz) | cpu->lf_aux;
	m = svp_mask(sz);
	sb = 1ULL << (sz * 8 - 1);
	res = cpu->lf_res & m;
	dst = cpu->lf_dst & m;
	src = cpu->lf_src & m;
	f = svp_szp(res, sz) | ((dst ^ src ^ res) & SVP_AF);
	switch (cpu->lf_op) {
	case SVP_LF_ADD:
		cf = res < dst;
		of = (dst ^ res) & (src ^ res) & sb;
		break;
	case SVP_LF_ADC:
		cf = cpu->lf_aux ? res <= dst : res < dst;
		of = (dst ^ res) & (src ^ res) & sb;
		break;
	case SVP_LF_SUB:
		cf = dst < src;
		of = (dst ^ src) & (dst ^ res) & sb;
		break;
	case SVP_LF_SBB:
		cf = cpu->lf_aux ? dst <= src : dst < src;
		of = (dst ^ src) & (dst ^ res) & sb;
		break;
	case SVP_LF_INC:
		cf = cpu->lf_aux;
		of = (dst ^ res) & (src ^ res) & sb;
		break;
	case SVP_LF_DEC:
		cf = cpu->lf_aux;
		of = (dst ^ src) & (dst ^ res) & sb;
		break;
	default:	/* SVP_LF_LOGIC */
		return svp_szp(res, sz);
	}
	if (cf)
		f |= SVP_CF;
	if (of)
		f |= SVP_OF;
	return f;
}

/* Only the carry flag (0 or SVP_CF), computed from the lazy state. */
static inline u64 svp_cf(const struct svp_cpu *cpu)
{
	u64 m = svp_mask(cpu->lf_size);

	switch (cpu->lf_op) {
	case SVP_LF_EAGER:
		return cpu->lf_flags & SVP_CF;
	case SVP_LF_ADD:
		return (cpu->lf_res & m) < (cpu->lf_dst & m) ? SVP_CF : 0;
	case SVP_LF_SUB:
		return (cpu->lf_dst & m) < (cpu->lf_src & m) ? SVP_CF : 0;
	case SVP_LF_LOGIC:
		return 0;
	case SVP_LF_INC:
	case SVP_LF_DEC:
		return cpu->lf_aux ? SVP_CF : 0;
	case SVP_LF_SHIFT:
		return cpu->lf_aux & SVP_CF;
	default:
		return svp_flags(cpu) & SVP_CF;
	}
}

static inline void svp_set_lazy(struct svp_cpu *cpu, u32 op, int size,
				u64 dst, u64 src, u64 res)
{
	cpu->lf_op = op;
	cpu->lf_size = size;
	cpu->lf_dst = dst;
	cpu->lf_src = src;
	cpu->lf_res = res;
}

static inline void svp_set_eager(struct svp_cpu *cpu, u64 flags)
{
	cpu->lf_op = SVP_LF_EAGER;
	cpu->lf_flags = flags & SVP_ARITH;
}

static inline u64 svp_get_rflags(const struct svp_cpu *cpu)
{
	return (cpu->s.rflags & ~SVP_ARITH) | svp_flags(cpu) | 2;
}

/* The interrupt shadow still in effect (SVP_SHADOW_* or 0). */
static inline u8 svp_shadow_live(const struct svp_cpu *cpu)
{
	return cpu->retired == cpu->shadow_at ? cpu->s.intr_shadow : 0;
}

/*
 * Recompute cpu->chk.slow: whether svp_run() must take its slow path
 * (svp_boundary()) before the next instruction. Call after changing
 * any input: mode_ok, RFLAGS.TF, s.intr_shadow, s.event_pending,
 * irq_window.
 */
static inline void svp_update_slow(struct svp_cpu *cpu)
{
	cpu->chk.slow = !cpu->mode_ok || cpu->s.intr_shadow ||
			cpu->s.event_pending || cpu->irq_window ||
			(cpu->s.rflags & (SVP_TF | SVP_RF)) ||
			cpu->dbg.armed || cpu->dbg.pend_vmm ||
			cpu->dbg.pend_gdr6;
}

/*
 * Whether svp_run() must use its debug loop (svp_run_dbg()): VMM or guest
 * breakpoints armed, TF or RF set, or a debug event owed. Only looked at
 * when cpu->chk is not zero (svp_update_slow() includes all of it).
 */
static inline bool svp_dbg_on(const struct svp_cpu *cpu)
{
	return cpu->dbg.armed || (cpu->s.rflags & (SVP_TF | SVP_RF)) ||
	       cpu->dbg.pend_vmm || cpu->dbg.pend_gdr6;
}

/*
 * Start an interrupt shadow of @kind (SVP_SHADOW_STI or _MOV_SS) for the
 * instruction after the current one. As on hardware, an instruction
 * inside a shadow of the same kind does not extend it.
 */
static inline void svp_set_shadow(struct svp_cpu *cpu, u8 kind)
{
	if (svp_shadow_live(cpu) & kind)
		return;
	cpu->s.intr_shadow = kind;
	cpu->shadow_at = cpu->retired + 1;
	svp_update_slow(cpu);
}

static inline void svp_put_rflags(struct svp_cpu *cpu, u64 v)
{
	cpu->s.rflags = (v & SVP_RFLAGS_VALID) | 2;
	svp_set_eager(cpu, v);
	svp_update_slow(cpu);
}

/* A code page's decoded instructions become invalid. */
static inline void svp_code_inval(struct svp_cpu *cpu,
				  struct svp_codepage *cp)
{
	cp->gen++;
	cpu->code_dirty = true;
}

/* svp_cpu.c */
void svp_update_mode(struct svp_cpu *cpu);
int svp_deliver(struct svp_cpu *cpu);
int svp_deliver_event(struct svp_cpu *cpu);
u64 svp_read_cr8(struct svp_cpu *cpu);
int svp_load_seg(struct svp_cpu *cpu, int seg, u16 sel);
int svp_iret(struct svp_cpu *cpu, int osz);
int svp_far_ret(struct svp_cpu *cpu, int osz, u16 pop_bytes);
int svp_far_jmp(struct svp_cpu *cpu, u16 sel, u64 off, bool call, int osz,
		u64 next_rip);
int svp_load_tr_ldt(struct svp_cpu *cpu, bool tr, u16 sel);
void svp_desc_to_seg(u64 d, u16 sel, struct svp_seg *sg);
int svp_read_desc(struct svp_cpu *cpu, u16 sel, u64 *d);
int svp_read_sys(struct svp_cpu *cpu, u64 la, int size, u64 *val);
int svp_write_sys(struct svp_cpu *cpu, u64 la, int size, u64 val);
int svp_rdmsr(struct svp_cpu *cpu, u32 msr, u64 *val);
int svp_wrmsr(struct svp_cpu *cpu, u32 msr, u64 val);
int svp_write_cr(struct svp_cpu *cpu, int cr, u64 val);

/* svp_debug.c */
void svp_dbg_update(struct svp_cpu *cpu);
void svp_dbg_reset(struct svp_cpu *cpu);
void svp_dbg_access(struct svp_cpu *cpu, u64 la, int size, bool write);
bool svp_dbg_page_watched(const struct svp_cpu *cpu, u64 la);
int svp_dbg_exec_vmm(const struct svp_cpu *cpu, u64 rip);
u64 svp_dbg_exec_guest(const struct svp_cpu *cpu, u64 rip);
int svp_dbg_raise(struct svp_cpu *cpu, u64 bits);
int svp_mov_dr(struct svp_cpu *cpu, bool to_dr, int dr, int gpr);

/* svp_mem.c */
int svp_rdbuf_claim(struct svp_cpu *cpu, bool io, u64 addr, int size,
		    u64 *val);
int svp_translate(struct svp_cpu *cpu, u64 la, int acc, bool user,
		  u8 **hva, u64 *gpa);
int svp_read_slow(struct svp_cpu *cpu, u64 la, int size, u64 *val,
		  int acc, bool user);
int svp_write_slow(struct svp_cpu *cpu, u64 la, int size, u64 val,
		   bool user);
void svp_tlb_flush(struct svp_cpu *cpu);
void svp_tlb_flush_page(struct svp_cpu *cpu, u64 la);
void svp_code_mark(struct svp_cpu *cpu, u64 page);
void svp_code_flush(struct svp_cpu *cpu);
int svp_raise(struct svp_cpu *cpu, int vec, u32 err, bool has_err);
int svp_fail(struct svp_cpu *cpu, u32 kind, const u8 *insn, int len);

static inline bool svp_canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

static inline struct svp_tlbe *svp_tlb_lookup(struct svp_cpu *cpu, u64 la,
					      int acc, bool user)
{
	u64 tag = la & ~0xfffULL;
	struct svp_tlbe *e;

	e = &cpu->tlb[user][acc][(la >> 12) & (SVP_TLB_SIZE - 1)];
	return likely(e->tag == tag) ? e : NULL;
}

/* Plain little-endian load/store of 1, 2, 4 or 8 bytes at a host pointer. */
static inline u64 svp_host_ld(const u8 *p, int size)
{
	switch (size) {
	case 1:
		return *p;
	case 2:
		return *(const u16 *)p;
	case 4:
		return *(const u32 *)p;
	default:
		return *(const u64 *)p;
	}
}

static inline void svp_host_st(u8 *p, int size, u64 v)
{
	switch (size) {
	case 1:
		*p = v;
		break;
	case 2:
		*(u16 *)p = v;
		break;
	case 4:
		*(u32 *)p = v;
		break;
	default:
		*(u64 *)p = v;
		break;
	}
}

/* Read @size (1,2,4,8) bytes at linear address @la. */
static inline int svp_read(struct svp_cpu *cpu, u64 la, int size, u64 *val,
			   bool user)
{
	struct svp_tlbe *e = svp_tlb_lookup(cpu, la, SVP_ACC_R, user);
	u32 off = la & 0xfff;

	if (likely(e && off + size <= 4096)) {
		*val = svp_host_ld(e->hva + off, size);
		return SVP_OK;
	}
	return svp_read_slow(cpu, la, size, val, SVP_ACC_R, user);
}

/* Write @size (1,2,4,8) bytes at linear address @la. */
static inline int svp_write(struct svp_cpu *cpu, u64 la, int size, u64 val,
			    bool user)
{
	struct svp_tlbe *e = svp_tlb_lookup(cpu, la, SVP_ACC_W, user);
	u32 off = la & 0xfff;

	if (likely(e && off + size <= 4096)) {
		svp_host_st(e->hva + off, size, val);
		return SVP_OK;
	}
	return svp_write_slow(cpu, la, size, val, user);
}

/* ---- shared by the instruction execution files (svp_exec.c etc.) ---- */

#define SVP_RETRY	3

static inline bool svp_user(const struct svp_cpu *cpu)
{
	return cpu->cpl == 3;
}

static inline u64 svp_sx(u64 v, int size)
{
	int sh = 64 - size * 8;

	return (u64)((s64)(v << sh) >> sh);
}


static inline int svp_mrd(struct svp_cpu *cpu, u64 la, int size, u64 *v)
{
	return svp_read(cpu, la, size, v, svp_user(cpu));
}

static inline int svp_mwr(struct svp_cpu *cpu, u64 la, int size, u64 v)
{
	return svp_write(cpu, la, size, v, svp_user(cpu));
}

static inline u64 svp_rget(const struct svp_cpu *cpu,
			   const struct svp_insn *in, int idx, int size)
{
	if (size == 1 && !in->rex && idx >= 4 && idx < 8)
		return (cpu->s.gpr[idx - 4] >> 8) & 0xff;
	return cpu->s.gpr[idx] & svp_mask(size);
}

static inline void svp_rset(struct svp_cpu *cpu, const struct svp_insn *in,
			    int idx, int size, u64 v)
{
	u64 *r;

	switch (size) {
	case 1:
		if (!in->rex && idx >= 4 && idx < 8) {
			r = &cpu->s.gpr[idx - 4];
			*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		} else {
			r = &cpu->s.gpr[idx];
			*r = (*r & ~0xffULL) | (v & 0xff);
		}
		break;
	case 2:
		r = &cpu->s.gpr[idx];
		*r = (*r & ~0xffffULL) | (v & 0xffff);
		break;
	case 4:
		cpu->s.gpr[idx] = (u32)v;
		break;
	default:
		cpu->s.gpr[idx] = v;
		break;
	}
}

static inline int svp_rm_rd(struct svp_cpu *cpu, const struct svp_insn *in,
			    int size, u64 *v)
{
	if (!in->mem) {
		*v = svp_rget(cpu, in, in->rm, size);
		return SVP_OK;
	}
	return svp_mrd(cpu, in->ea, size, v);
}

static inline int svp_rm_wr(struct svp_cpu *cpu, const struct svp_insn *in,
			    int size, u64 v)
{
	if (!in->mem) {
		svp_rset(cpu, in, in->rm, size, v);
		return SVP_OK;
	}
	return svp_mwr(cpu, in->ea, size, v);
}

static inline int svp_push(struct svp_cpu *cpu, u64 v, int size)
{
	u64 rsp = cpu->s.gpr[4] - size;
	int r = svp_mwr(cpu, rsp, size, v);

	if (!r)
		cpu->s.gpr[4] = rsp;
	return r;
}

/* ---- read-modify-write with LOCK support ---- */

struct svp_rmw {
	u8 *hva;
	u8 *h1, *h2;
	int n1;
	bool xlocked;
};

/* ---- ALU ---- */

enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP };

static const u8 svp_alu_lf[8] = {
	SVP_LF_ADD, SVP_LF_LOGIC, SVP_LF_ADC, SVP_LF_SBB,
	SVP_LF_LOGIC, SVP_LF_SUB, SVP_LF_LOGIC, SVP_LF_SUB,
};

static inline u64 svp_alu_res(int op, u64 d, u64 s, u64 cin)
{
	switch (op) {
	case OP_ADD:
		return d + s;
	case OP_OR:
		return d | s;
	case OP_ADC:
		return d + s + cin;
	case OP_SBB:
		return d - s - cin;
	case OP_AND:
		return d & s;
	case OP_XOR:
		return d ^ s;
	default:
		return d - s;
	}
}

static inline void svp_alu_flags(struct svp_cpu *cpu, int op, int size,
				 u64 d, u64 s, u64 res, u64 cin)
{
	svp_set_lazy(cpu, svp_alu_lf[op], size, d, s, res);
	cpu->lf_aux = cin;
}

/* ---- conditions ---- */

static inline s64 svp_sx_cond(u64 v, int size)
{
	int sh = 64 - size * 8;

	return (s64)(v << sh) >> sh;
}

static __always_inline bool svp_cond(const struct svp_cpu *cpu, int cc)
{
	u64 f;
	bool v;

	/* fast paths: evaluate the condition without materialising flags */
	if (likely(cpu->lf_op != SVP_LF_EAGER) && (cc >> 1) != 5) {
		int sz = cpu->lf_size;
		u64 m = svp_mask(sz), res = cpu->lf_res & m;
		u64 sb = 1ULL << (sz * 8 - 1);

		switch (cc >> 1) {
		case 2:
			return !res ^ (cc & 1);
		case 4:
			return !!(res & sb) ^ (cc & 1);
		}
		if (cpu->lf_op == SVP_LF_SUB) {
			u64 d = cpu->lf_dst & m, sv = cpu->lf_src & m;
			s64 sd = svp_sx_cond(d, sz), ss = svp_sx_cond(sv, sz);

			switch (cc >> 1) {
			case 0:
				v = (d ^ sv) & (d ^ res) & sb;
				break;
			case 1:
				v = d < sv;
				break;
			case 3:
				v = d <= sv;
				break;
			case 6:
				v = sd < ss;
				break;
			default:
				v = sd <= ss;
				break;
			}
			return v ^ (cc & 1);
		}
		if (cpu->lf_op == SVP_LF_LOGIC) {
			switch (cc >> 1) {
			case 0:
			case 1:
				v = false;
				break;
			case 3:
				v = !res;
				break;
			case 6:
				v = res & sb;
				break;
			default:
				v = !res || (res & sb);
				break;
			}
			return v ^ (cc & 1);
		}
	}
	f = svp_flags(cpu);
	switch (cc >> 1) {
	case 0:
		v = f & SVP_OF;
		break;
	case 1:
		v = f & SVP_CF;
		break;
	case 2:
		v = f & SVP_ZF;
		break;
	case 3:
		v = f & (SVP_CF | SVP_ZF);
		break;
	case 4:
		v = f & SVP_SF;
		break;
	case 5:
		v = f & SVP_PF;
		break;
	case 6:
		v = !!(f & SVP_SF) != !!(f & SVP_OF);
		break;
	default:
		v = (f & SVP_ZF) || (!!(f & SVP_SF) != !!(f & SVP_OF));
		break;
	}
	return v ^ (cc & 1);
}

/* Whether CPL <= IOPL (IN/OUT/INS/OUTS need no bitmap check). */
static inline bool svp_io_ok(const struct svp_cpu *cpu)
{
	return cpu->cpl <= ((cpu->s.rflags >> 12) & 3);
}

static inline void svp_rd_clear(struct svp_cpu *cpu)
{
	cpu->rd[0].valid = false;
	cpu->rd[1].valid = false;
}

/* Compute the next RIP and the memory operand's linear address of @in. */
static inline void svp_ea(const struct svp_cpu *cpu, struct svp_insn *in,
			  u64 la)
{
	in->next_rip = la + in->len;
	if (in->mem) {
		u64 ea = in->disp;

		if (in->riprel)
			ea += in->next_rip;
		if (in->base >= 0)
			ea += cpu->s.gpr[in->base];
		if (in->index >= 0)
			ea += cpu->s.gpr[in->index] << in->scale;
		if (in->asz == 4)
			ea &= 0xffffffffULL;
		if (in->seg != SEG_NONE)
			ea += cpu->s.seg[in->seg].base;
		in->ea = ea;
	}
}

#define FAIL_EMU()	svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0)
#define UD()		svp_raise(cpu, SVP_UD, 0, false)
#define GP0()		svp_raise(cpu, SVP_GP, 0, true)

/* Fast-path kinds, chosen once at decode time (svp_insn.fk). */
enum svp_fast_kind {
	FK_NONE,
	FK_JCC8,	/* Jcc rel8 */
	FK_JCC32,	/* Jcc rel32 */
	FK_JMP8,	/* JMP rel8 */
	FK_JMP32,	/* JMP rel32 */
	FK_ALU_RM_R,	/* op r, r (01, 09, 21, 29, 31, 39 register form) */
	FK_ALU_R_RM,	/* op r, r/m (03, 0b, 23, 2b, 33, 3b) */
	FK_ALU_ACC,	/* op eAX, imm32 (05, 0d, 25, 2d, 35, 3d) */
	FK_ALU_I8,	/* 83 /n r, imm8 (register form, not ADC/SBB) */
	FK_ALU_I32,	/* 81 /n r, imm32 (register form, not ADC/SBB) */
	FK_TEST,	/* 85 */
	FK_MOV_ST,	/* 89 */
	FK_MOV_LD,	/* 8b */
	FK_LEA,		/* 8d without segment override */
	FK_MOV_IMM,	/* b8+r */
	FK_MOVSXD,	/* 63 */
	FK_MOVX,	/* 0f b6, b7, be, bf */
	FK_SHIFT_I,	/* c1 /n r, imm8 (register form) */
	FK_CMP_MEM,	/* 39 with a memory operand */
	FK_INCDEC,	/* ff /0, ff /1 register form */
	FK_MOV8_ST,	/* 88 */
	FK_CMP8,	/* 38 */
	FK_TEST8,	/* 84 */
	FK_CMP8_I,	/* 80 /7 */
	FK_CALL,	/* e8 */
	FK_RET,		/* c3 */
	FK_PUSH,	/* 50+r */
	FK_POP,		/* 58+r */
	FK_JMP_IND,	/* ff /4 */
	FK_CDQE,	/* 98 */
	FK_IMUL,	/* 0f af, 69, 6b */
};

int svp_rmw_rd(struct svp_cpu *cpu, const struct svp_insn *in, int size,
	       u64 *old, struct svp_rmw *w);
int svp_rmw_wr(struct svp_cpu *cpu, const struct svp_insn *in, int size,
	       u64 *old, u64 nv, struct svp_rmw *w);
int svp_alu_rm(struct svp_cpu *cpu, const struct svp_insn *in, int op,
	       int size, u64 src);
u64 svp_shift(struct svp_cpu *cpu, int op, int size, u64 d, u32 c);
int svp_exec_shift(struct svp_cpu *cpu, const struct svp_insn *in,
		   int size, u32 count);
int svp_exec_shd(struct svp_cpu *cpu, const struct svp_insn *in,
		 bool right, u32 c);
int svp_exec_muldiv(struct svp_cpu *cpu, const struct svp_insn *in,
		    int size, int op);
int svp_exec_bt(struct svp_cpu *cpu, struct svp_insn *in, int kind,
		u64 bitoff, bool imm);
int svp_exec_cmpxchg(struct svp_cpu *cpu, struct svp_insn *in, int size);
int svp_exec_xchg_mem(struct svp_cpu *cpu, struct svp_insn *in,
		      int size);
int svp_io_in(struct svp_cpu *cpu, u16 port, int size, u64 *v);
int svp_io_out(struct svp_cpu *cpu, u16 port, int size, u64 v);
int svp_io_perm(struct svp_cpu *cpu, u16 port, int size);
int svp_exec_string(struct svp_cpu *cpu, const struct svp_insn *in);
int svp_exec_0f01(struct svp_cpu *cpu, struct svp_insn *in, u64 *nrip);
int svp_exec_cmpxchg8b16b(struct svp_cpu *cpu, struct svp_insn *in);
int svp_exec_syscall(struct svp_cpu *cpu, struct svp_insn *in);
int svp_exec_sysret(struct svp_cpu *cpu, struct svp_insn *in);
int svp_decode(struct svp_cpu *cpu, struct svp_insn *in,
	       struct svp_insn **out);
struct svp_block *svp_block_build(struct svp_cpu *cpu, struct svp_tlbe *e);
void svp_block_prep(struct svp_cpu *cpu, struct svp_insn *in);
bool svp_lock_ok(const struct svp_insn *in);
int svp_exec(struct svp_cpu *cpu, struct svp_insn *in);
int svp_exec_0f(struct svp_cpu *cpu, struct svp_insn *in);

#endif /* _VGEN_SVP_INTERNAL_H */
