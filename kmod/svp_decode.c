// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction fetch and decode of the software x86-64 VP: prefixes,
 * opcode, ModRM/SIB/displacement and immediates, the decode cache fill,
 * the LOCK prefix check and the fast-path kind of a decoded instruction.
 */
#include "svp_internal.h"

/* 1-byte opcode decode flags */
#define F_M	0x01	/* ModRM */
#define F_I8	0x02	/* imm8 */
#define F_IZ	0x04	/* imm16/32 */
#define F_I16	0x08	/* imm16 */
#define F_IV	0x10	/* imm16/32/64 (MOV r, imm) */
#define F_MOFFS	0x20	/* moffs (address size) */
#define F_ENTER	0x40	/* imm16, imm8 */
#define F_GRP3	0x80	/* imm only for /0 and /1 */

static const u8 svp_op1[256] = {
	[0x00 ... 0x03] = F_M, [0x04] = F_I8, [0x05] = F_IZ,
	[0x08 ... 0x0b] = F_M, [0x0c] = F_I8, [0x0d] = F_IZ,
	[0x10 ... 0x13] = F_M, [0x14] = F_I8, [0x15] = F_IZ,
	[0x18 ... 0x1b] = F_M, [0x1c] = F_I8, [0x1d] = F_IZ,
	[0x20 ... 0x23] = F_M, [0x24] = F_I8, [0x25] = F_IZ,
	[0x28 ... 0x2b] = F_M, [0x2c] = F_I8, [0x2d] = F_IZ,
	[0x30 ... 0x33] = F_M, [0x34] = F_I8, [0x35] = F_IZ,
	[0x38 ... 0x3b] = F_M, [0x3c] = F_I8, [0x3d] = F_IZ,
	[0x63] = F_M, [0x68] = F_IZ, [0x69] = F_M | F_IZ, [0x6a] = F_I8,
	[0x6b] = F_M | F_I8, [0x70 ... 0x7f] = F_I8,
	[0x80] = F_M | F_I8, [0x81] = F_M | F_IZ, [0x83] = F_M | F_I8,
	[0x84 ... 0x8f] = F_M, [0xa0 ... 0xa3] = F_MOFFS,
	[0xa8] = F_I8, [0xa9] = F_IZ, [0xb0 ... 0xb7] = F_I8,
	[0xb8 ... 0xbf] = F_IV, [0xc0 ... 0xc1] = F_M | F_I8,
	[0xc2] = F_I16, [0xc6] = F_M | F_I8, [0xc7] = F_M | F_IZ,
	[0xc8] = F_ENTER, [0xca] = F_I16, [0xcd] = F_I8,
	[0xd0 ... 0xd3] = F_M, [0xd8 ... 0xdf] = F_M,
	[0xe0 ... 0xe7] = F_I8, [0xe8 ... 0xe9] = F_IZ, [0xeb] = F_I8,
	[0xf6] = F_M | F_GRP3, [0xf7] = F_M | F_GRP3,
	[0xfe ... 0xff] = F_M,
};

static u8 svp_fast_kind(const struct svp_insn *in);

static const u8 svp_op2[256] = {
	[0x00 ... 0x01] = F_M, [0x0d] = F_M, [0x18 ... 0x1f] = F_M,
	[0x20 ... 0x23] = F_M, [0x40 ... 0x4f] = F_M,
	[0x80 ... 0x8f] = F_IZ, [0x90 ... 0x9f] = F_M,
	[0xa3] = F_M, [0xa4] = F_M | F_I8, [0xa5] = F_M, [0xab] = F_M,
	[0xac] = F_M | F_I8, [0xad ... 0xaf] = F_M, [0xb0 ... 0xb1] = F_M,
	[0xb3] = F_M, [0xb6 ... 0xb8] = F_M, [0xba] = F_M | F_I8,
	[0xbb ... 0xbf] = F_M, [0xc0 ... 0xc1] = F_M, [0xc7] = F_M,
};

/* ---- decoder ---- */

struct svp_fetch {
	u64 la;
	u32 have;
	u32 pos;
};

static int fetch_more(struct svp_cpu *cpu, struct svp_fetch *f)
{
	u64 la = f->la + f->have, g;
	u8 *h;
	int r;

	if (f->have >= 15)
		return svp_raise(cpu, SVP_GP, 0, true);
	if (!svp_canonical(la))
		return svp_raise(cpu, SVP_GP, 0, true);
	r = svp_translate(cpu, la, SVP_ACC_X, svp_user(cpu), &h, &g);
	if (r)
		return r;
	if (!h)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	memcpy(cpu->ib + f->have, h, 15 - f->have);
	f->have = 15;
	cpu->ib_len = 15;
	return SVP_OK;
}

static inline int next_byte(struct svp_cpu *cpu, struct svp_fetch *f,
			    int *b)
{
	if (unlikely(f->pos >= f->have)) {
		int r = fetch_more(cpu, f);

		if (r)
			return r;
	}
	*b = cpu->ib[f->pos++];
	return SVP_OK;
}

static int fetch_imm(struct svp_cpu *cpu, struct svp_fetch *f, int n,
		     u64 *v)
{
	u64 x = 0;
	int i, r;

	if (f->pos + n > f->have) {
		r = fetch_more(cpu, f);
		if (r)
			return r;
		if (f->pos + n > f->have)
			return svp_raise(cpu, SVP_GP, 0, true);
	}
	for (i = 0; i < n; i++)
		x |= (u64)cpu->ib[f->pos + i] << (8 * i);
	f->pos += n;
	*v = x;
	return SVP_OK;
}

/*
 * Decode the instruction at RIP into @in, or find it in the decode cache;
 * *@out is set to the decoded instruction (@in or the cache entry, which
 * stays valid while the instruction executes: only svp_decode() writes
 * cache entries).
 */
/**
 * svp_decode() - decode the instruction at RIP, filling the decode cache.
 * @cpu: the VP.
 * @in: buffer for the decoded instruction.
 * @out: set to the decoded instruction.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
noinline int svp_decode(struct svp_cpu *cpu, struct svp_insn *in,
			struct svp_insn **out)
{
	u64 la = cpu->s.rip, disp = 0, g;
	struct svp_fetch f;
	struct svp_tlbe *e;
	u32 off = la & 0xfff, fl;
	bool riprel = false, user = svp_user(cpu);
	int r, b, base = -1, index = -1, scale = 0;
	u8 *h;

	e = svp_tlb_lookup(cpu, la, SVP_ACC_X, user);
	if (likely(e)) {
		struct svp_insn *d;
		struct svp_codepage *cp;

		g = e->gpa + off;
		d = &cpu->dc[(la ^ (la >> SVP_DC_BITS)) & (SVP_DC_SIZE - 1)];
		cp = &cpu->cp[(g >> 12) & (SVP_CP_SIZE - 1)];
		if (likely(d->la == la && d->gpa == g && cp->gen == d->gen &&
			   cp->page == e->gpa)) {
			in = d;
			cpu->ib_len = 0;
			goto ea;
		}
		h = e->hva + off;
	} else {
		cpu->ib_len = 0;
		if (!svp_canonical(la))
			return svp_raise(cpu, SVP_GP, 0, true);
		r = svp_translate(cpu, la, SVP_ACC_X, user, &h, &g);
		if (r)
			return r;
		if (!h)
			return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	}
	f.la = la;
	f.pos = 0;
	f.have = 4096 - off < 15 ? 4096 - off : 15;
	memcpy(cpu->ib, h, f.have);
	cpu->ib_len = f.have;

	in->osz = 4;
	in->asz = 8;
	in->rex = 0;
	in->rep = 0;
	in->lock = false;
	in->p66 = false;
	in->seg = SEG_NONE;
	in->mem = false;
	for (;;) {
		r = next_byte(cpu, &f, &b);
		if (r)
			return r;
		switch (b) {
		case 0x66:
			in->p66 = true;
			in->rex = 0;
			continue;
		case 0x67:
			in->asz = 4;
			in->rex = 0;
			continue;
		case 0xf0:
			in->lock = true;
			in->rex = 0;
			continue;
		case 0xf2:
		case 0xf3:
			in->rep = b;
			in->rex = 0;
			continue;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			in->rex = 0;
			continue;
		case 0x64:
			in->seg = SVP_SEG_FS;
			in->rex = 0;
			continue;
		case 0x65:
			in->seg = SVP_SEG_GS;
			in->rex = 0;
			continue;
		}
		if ((b & 0xf0) == 0x40) {
			in->rex = b;
			continue;
		}
		break;
	}
	if (in->p66)
		in->osz = 2;
	if (in->rex & 8)
		in->osz = 8;
	if (b == 0x0f) {
		r = next_byte(cpu, &f, &b);
		if (r)
			return r;
		in->op = 0x100 | b;
		fl = svp_op2[b];
	} else {
		in->op = b;
		fl = svp_op1[b];
	}
	if (fl & F_M) {
		int mb, rm;

		r = next_byte(cpu, &f, &mb);
		if (r)
			return r;
		in->mod = mb >> 6;
		in->reg = ((mb >> 3) & 7) | ((in->rex & 4) << 1);
		rm = mb & 7;
		in->rm = rm | ((in->rex & 1) << 3);
		if (in->mod != 3) {
			in->mem = true;
			if (rm == 4) {
				int sib;

				r = next_byte(cpu, &f, &sib);
				if (r)
					return r;
				scale = sib >> 6;
				index = ((sib >> 3) & 7) | ((in->rex & 2) << 2);
				if (index == 4)
					index = -1;
				base = (sib & 7) | ((in->rex & 1) << 3);
				if ((sib & 7) == 5 && in->mod == 0) {
					base = -1;
					r = fetch_imm(cpu, &f, 4, &disp);
					if (r)
						return r;
					disp = svp_sx(disp, 4);
				}
			} else if (rm == 5 && in->mod == 0) {
				riprel = true;
				r = fetch_imm(cpu, &f, 4, &disp);
				if (r)
					return r;
				disp = svp_sx(disp, 4);
			} else {
				base = in->rm;
			}
			if (in->mod == 1) {
				r = fetch_imm(cpu, &f, 1, &disp);
				if (r)
					return r;
				disp = svp_sx(disp, 1);
			} else if (in->mod == 2) {
				r = fetch_imm(cpu, &f, 4, &disp);
				if (r)
					return r;
				disp = svp_sx(disp, 4);
			}
		}
	}
	if (fl & (F_I8 | F_IZ | F_I16 | F_IV | F_MOFFS | F_ENTER | F_GRP3)) {
		int n = 0;

		if (fl & F_I8)
			n = 1;
		else if (fl & F_IZ)
			n = in->osz == 2 ? 2 : 4;
		else if (fl & (F_I16 | F_ENTER))
			n = 2;
		else if (fl & F_IV)
			n = in->osz;
		else if (fl & F_MOFFS)
			n = in->asz;
		else if ((in->reg & 7) < 2)	/* F_GRP3 */
			n = (in->op & 1) ? (in->osz == 2 ? 2 : 4) : 1;
		if (n) {
			r = fetch_imm(cpu, &f, n, &in->imm);
			if (r)
				return r;
		}
		if (fl & F_ENTER) {
			r = fetch_imm(cpu, &f, 1, &in->imm2);
			if (r)
				return r;
		}
	}
	in->len = f.pos;
	in->fk = svp_fast_kind(in);
	in->riprel = riprel;
	in->base = base;
	in->index = index;
	in->scale = scale;
	in->disp = disp;
	if (off + f.pos <= 4096) {
		struct svp_codepage *cp;
		u64 page = g & ~0xfffULL;

		svp_code_mark(cpu, page);
		cp = &cpu->cp[(page >> 12) & (SVP_CP_SIZE - 1)];
		in->la = la;
		in->gpa = g;
		in->gen = cp->gen;
		cpu->dc[(la ^ (la >> SVP_DC_BITS)) & (SVP_DC_SIZE - 1)] = *in;
	}
ea:
	svp_ea(cpu, in, la);
	*out = in;
	return SVP_OK;
}

/**
 * svp_lock_ok() - whether a LOCK prefix is allowed on an instruction.
 * @in: the decoded instruction.
 *
 * Return: true if LOCK is allowed.
 */
bool svp_lock_ok(const struct svp_insn *in)
{
	int op = in->op;

	if (!in->mem)
		return false;
	if (op < 0x40)
		return (op & 7) < 2 && (op >> 3) != OP_CMP;
	switch (op) {
	case 0x80:
	case 0x81:
	case 0x83:
		return (in->reg & 7) != OP_CMP;
	case 0x86:
	case 0x87:
		return true;
	case 0xf6:
	case 0xf7:
		return (in->reg & 7) == 2 || (in->reg & 7) == 3;
	case 0xfe:
	case 0xff:
		return (in->reg & 7) < 2;
	case 0x1ab:
	case 0x1b3:
	case 0x1bb:
	case 0x1b0:
	case 0x1b1:
	case 0x1c0:
	case 0x1c1:
		return true;
	case 0x1ba:
		return (in->reg & 7) >= 5;
	case 0x1c7:
		return (in->reg & 7) == 1;
	}
	return false;
}

/*
 * The fast-path kind of a decoded instruction: only 32/64-bit operand
 * sizes without LOCK, for which svp_exec_fast() gives exactly the result
 * of svp_exec().
 */
static u8 svp_fast_kind(const struct svp_insn *in)
{
	int op = in->op, aop = in->reg & 7;

	if (in->osz == 2 || in->lock)
		return FK_NONE;
	switch (op) {
	case 0x70 ... 0x7f:
		return FK_JCC8;
	case 0x180 ... 0x18f:
		return FK_JCC32;
	case 0xeb:
		return FK_JMP8;
	case 0xe9:
		return FK_JMP32;
	case 0x39:
		return in->mem ? FK_CMP_MEM : FK_ALU_RM_R;
	case 0x01:
	case 0x09:
	case 0x21:
	case 0x29:
	case 0x31:
		return in->mem ? FK_NONE : FK_ALU_RM_R;
	case 0xff:
		if (aop == 4)
			return FK_JMP_IND;
		return !in->mem && aop < 2 ? FK_INCDEC : FK_NONE;
	case 0xe8:
		return FK_CALL;
	case 0xc3:
		return FK_RET;
	case 0x50 ... 0x57:
		return FK_PUSH;
	case 0x58 ... 0x5f:
		return FK_POP;
	case 0x98:
		return FK_CDQE;
	case 0x69:
	case 0x6b:
	case 0x1af:
		return FK_IMUL;
	case 0x88:
		return FK_MOV8_ST;
	case 0x38:
		return FK_CMP8;
	case 0x84:
		return FK_TEST8;
	case 0x80:
		return aop == OP_CMP ? FK_CMP8_I : FK_NONE;
	case 0x03:
	case 0x0b:
	case 0x23:
	case 0x2b:
	case 0x33:
	case 0x3b:
		return FK_ALU_R_RM;
	case 0x05:
	case 0x0d:
	case 0x25:
	case 0x2d:
	case 0x35:
	case 0x3d:
		return FK_ALU_ACC;
	case 0x81:
	case 0x83:
		if (in->mem || aop == OP_ADC || aop == OP_SBB)
			return FK_NONE;
		return op == 0x83 ? FK_ALU_I8 : FK_ALU_I32;
	case 0x85:
		return FK_TEST;
	case 0x89:
		return FK_MOV_ST;
	case 0x8b:
		return FK_MOV_LD;
	case 0x8d:
		return in->mem && in->seg == SEG_NONE ? FK_LEA : FK_NONE;
	case 0xb8 ... 0xbf:
		return FK_MOV_IMM;
	case 0x63:
		return FK_MOVSXD;
	case 0x1b6:
	case 0x1b7:
	case 0x1be:
	case 0x1bf:
		return FK_MOVX;
	case 0xc1:
		return in->mem ? FK_NONE : FK_SHIFT_I;
	default:
		return FK_NONE;
	}
}

