// SPDX-License-Identifier: GPL-2.0
/*
 * Integer arithmetic of the software x86-64 VP: locked read-modify-write,
 * ALU operations on r/m, shifts and rotates, SHLD/SHRD, MUL/DIV, bit
 * tests, CMPXCHG and XCHG with memory.
 */
#include "svp_internal.h"

/**
 * svp_rmw_rd() - read the destination of a read-modify-write.
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @size: operand size in bytes.
 * @old: set to the current value.
 * @w: state for svp_rmw_wr(); with LOCK, the operand stays locked until then.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_rmw_rd(struct svp_cpu *cpu, const struct svp_insn *in, int size,
	       u64 *old, struct svp_rmw *w)
{
	bool user = svp_user(cpu);
	u64 la = in->ea, g;
	u32 off = la & 0xfff;
	struct svp_tlbe *e;
	int r;

	w->hva = NULL;
	w->xlocked = false;
	if (!in->mem) {
		*old = svp_rget(cpu, in, in->rm, size);
		return SVP_OK;
	}
	if (!svp_canonical(la) || !svp_canonical(la + size - 1))
		return svp_raise(cpu, SVP_GP, 0, true);
	if (off + size <= 4096) {
		e = svp_tlb_lookup(cpu, la, SVP_ACC_W, user);
		if (e) {
			w->hva = e->hva + off;
		} else {
			r = svp_translate(cpu, la, SVP_ACC_W, user, &w->hva,
					  &g);
			if (r)
				return r;
			if (unlikely(cpu->dbg.data))
				svp_dbg_access(cpu, la, size, true);
		}
		if (w->hva) {
			if (in->lock)
				*old = svp_env_load(w->hva, size);
			else
				*old = svp_host_ld(w->hva, size);
			return SVP_OK;
		}
		return svp_mrd(cpu, la, size, old);
	}
	/* page-crossing: both pages are checked for writing first, as a
	 * read-modify-write faults as a write
	 */
	w->n1 = 4096 - off;
	r = svp_translate(cpu, la, SVP_ACC_W, user, &w->h1, &g);
	if (!r)
		r = svp_translate(cpu, la + w->n1, SVP_ACC_W, user, &w->h2, &g);
	if (r)
		return r;
	if (unlikely(cpu->dbg.data))
		svp_dbg_access(cpu, la, size, true);
	if (in->lock) {
		if (w->h1 && w->h2) {
			u64 v = 0;

			svp_env_global_lock();
			memcpy(&v, w->h1, w->n1);
			memcpy((u8 *)&v + w->n1, w->h2, size - w->n1);
			*old = v;
			w->xlocked = true;
			return SVP_OK;
		}
	}
	return svp_mrd(cpu, la, size, old);
}

/**
 * svp_rmw_wr() - complete a read-modify-write started by svp_rmw_rd().
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @size: operand size in bytes.
 * @old: the value read (compare value under LOCK).
 * @nv: the new value.
 * @w: state from svp_rmw_rd().
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_rmw_wr(struct svp_cpu *cpu, const struct svp_insn *in, int size,
	       u64 *old, u64 nv, struct svp_rmw *w)
{
	if (!in->mem) {
		svp_rset(cpu, in, in->rm, size, nv);
		return SVP_OK;
	}
	if (w->hva) {
		if (in->lock) {
			if (!svp_env_cmpxchg(w->hva, old, nv, size))
				return SVP_RETRY;
		} else {
			svp_host_st(w->hva, size, nv);
		}
		return SVP_OK;
	}
	if (w->xlocked) {
		memcpy(w->h1, &nv, w->n1);
		memcpy(w->h2, (u8 *)&nv + w->n1, size - w->n1);
		svp_env_global_unlock();
		w->xlocked = false;
		return SVP_OK;
	}
	return svp_mwr(cpu, in->ea, size, nv);
}

/**
 * svp_alu_rm() - ALU operation on the r/m operand: op r/m, src.
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @op: OP_ADD .. OP_CMP.
 * @size: operand size in bytes.
 * @src: source operand.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_alu_rm(struct svp_cpu *cpu, const struct svp_insn *in, int op,
	       int size, u64 src)
{
	u64 cin = (op == OP_ADC || op == OP_SBB) ?
		  (svp_flags(cpu) & SVP_CF) : 0;
	struct svp_rmw w;
	u64 d, res;
	int r;

	src &= svp_mask(size);
	if (!in->mem) {	/* register destination: no read-modify-write */
		d = svp_rget(cpu, in, in->rm, size);
		res = svp_alu_res(op, d, src, cin);
		if (op != OP_CMP)
			svp_rset(cpu, in, in->rm, size, res);
		svp_alu_flags(cpu, op, size, d, src, res, cin);
		return SVP_OK;
	}
	if (op == OP_CMP) {
		r = svp_rm_rd(cpu, in, size, &d);
		if (r)
			return r;
		svp_alu_flags(cpu, op, size, d, src, d - src, 0);
		return SVP_OK;
	}
	r = svp_rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	do {
		res = svp_alu_res(op, d, src, cin);
		r = svp_rmw_wr(cpu, in, size, &d, res, &w);
	} while (r == SVP_RETRY);
	if (r)
		return r;
	svp_alu_flags(cpu, op, size, d, src, res, cin);
	return SVP_OK;
}

/* ---- shifts ---- */

/**
 * svp_shift() - shift or rotate a value and set the flags.
 * @cpu: the VP.
 * @op: the /reg field: ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR.
 * @size: operand size in bytes.
 * @d: the value.
 * @c: the count, already masked.
 *
 * Return: the result.
 */
u64 svp_shift(struct svp_cpu *cpu, int op, int size, u64 d, u32 c)
{
	int bits = size * 8;
	u64 m = svp_mask(size), sb = 1ULL << (bits - 1), res = d;
	u64 f = 0;
	bool cf = false, of;
	u32 i, eff;

	d &= m;
	if (op < 4) {	/* rotates keep SF/ZF/AF/PF: need the old flags */
		f = svp_flags(cpu);
		cf = f & SVP_CF;
	}
	switch (op) {
	case 0:	/* ROL */
		eff = c & (bits - 1);
		res = eff ? ((d << eff) | (d >> (bits - eff))) & m : d;
		cf = res & 1;
		of = !!(res & sb) ^ cf;
		f = (f & ~(SVP_CF | SVP_OF)) | (cf ? SVP_CF : 0) |
		    (of ? SVP_OF : 0);
		svp_set_eager(cpu, f);
		return res;
	case 1:	/* ROR */
		eff = c & (bits - 1);
		res = eff ? ((d >> eff) | (d << (bits - eff))) & m : d;
		cf = !!(res & sb);
		of = cf ^ !!(res & (sb >> 1));
		f = (f & ~(SVP_CF | SVP_OF)) | (cf ? SVP_CF : 0) |
		    (of ? SVP_OF : 0);
		svp_set_eager(cpu, f);
		return res;
	case 2:	/* RCL */
		eff = c % (bits + 1);
		for (i = 0; i < eff; i++) {
			bool nc = !!(res & sb);

			res = ((res << 1) | cf) & m;
			cf = nc;
		}
		of = !!(res & sb) ^ cf;
		f = (f & ~(SVP_CF | SVP_OF)) | (cf ? SVP_CF : 0) |
		    (of ? SVP_OF : 0);
		svp_set_eager(cpu, f);
		return res;
	case 3:	/* RCR */
		eff = c % (bits + 1);
		of = !!(d & sb) ^ cf;
		for (i = 0; i < eff; i++) {
			bool nc = res & 1;

			res = (res >> 1) | (cf ? sb : 0);
			cf = nc;
		}
		f = (f & ~(SVP_CF | SVP_OF)) | (cf ? SVP_CF : 0) |
		    (of ? SVP_OF : 0);
		svp_set_eager(cpu, f);
		return res;
	case 4:
	case 6:	/* SHL */
		res = c < 64 ? (d << c) & m : 0;
		cf = c <= bits && ((d << (c - 1)) & sb);
		of = !!(res & sb) ^ cf;
		break;
	case 5:	/* SHR */
		res = d >> c;
		cf = c <= bits && ((d >> (c - 1)) & 1);
		of = !!(d & sb);
		break;
	default: /* SAR */
		res = (u64)((s64)svp_sx(d, size) >> (c > 63 ? 63 : c)) & m;
		cf = ((s64)svp_sx(d, size) >> (c - 1 > 63 ? 63 : c - 1)) & 1;
		of = false;
		break;
	}
	/* SF, ZF, PF from the result (lazily); AF cleared */
	svp_set_lazy(cpu, SVP_LF_SHIFT, size, 0, 0, res);
	cpu->lf_aux = (cf ? SVP_CF : 0) | (of ? SVP_OF : 0);
	return res;
}

/**
 * svp_exec_shift() - shift group (C0, C1, D0-D3) on the r/m operand.
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @size: operand size in bytes.
 * @count: the unmasked count.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_shift(struct svp_cpu *cpu, const struct svp_insn *in,
		   int size, u32 count)
{
	struct svp_rmw w;
	u64 d, res;
	int r;

	count &= size == 8 ? 0x3f : 0x1f;
	r = svp_rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	if (!count) {
		if (!in->mem)
			svp_rset(cpu, in, in->rm, size, d);
		return SVP_OK;
	}
	res = svp_shift(cpu, in->reg & 7, size, d, count);
	return svp_rmw_wr(cpu, in, size, &d, res, &w);
}

/**
 * svp_exec_shd() - SHLD/SHRD.
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @right: SHRD if true.
 * @c: the unmasked count.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_shd(struct svp_cpu *cpu, const struct svp_insn *in,
		 bool right, u32 c)
{
	int size = in->osz, bits = size * 8;
	u64 m = svp_mask(size), sb = 1ULL << (bits - 1);
	u64 d, s = svp_rget(cpu, in, in->reg, size), res;
	struct svp_rmw w;
	bool cf, of;
	int r;

	c &= size == 8 ? 0x3f : 0x1f;
	r = svp_rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	if (!c) {
		if (!in->mem)
			svp_rset(cpu, in, in->rm, size, d);
		return SVP_OK;
	}
	if (size == 2 && c > 16) {
		/* undefined result; behave like a 32-bit rotate-through */
		u64 cat = (d << 16) | s;

		c -= 16;
		d = s;
		s = cat >> 16;
	}
	if (!right) {
		res = ((d << c) | (c <= bits ? s >> (bits - c) : 0)) & m;
		cf = (d >> (bits - c)) & 1;
	} else {
		res = ((d >> c) | (c <= bits ? s << (bits - c) : 0)) & m;
		cf = (d >> (c - 1)) & 1;
	}
	of = !!((res ^ d) & sb);
	r = svp_rmw_wr(cpu, in, size, &d, res, &w);
	if (r)
		return r;
	svp_set_eager(cpu, svp_szp(res, size) | (cf ? SVP_CF : 0) |
		      (of ? SVP_OF : 0));
	return SVP_OK;
}

/* ---- multiply / divide ---- */

/**
 * svp_exec_muldiv() - MUL, IMUL, DIV, IDIV of group 3 (F6/F7).
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @size: operand size in bytes.
 * @op: the /reg field (4..7).
 *
 * Return: SVP_OK or an SVP_R_* code (#DE on divide errors).
 */
int svp_exec_muldiv(struct svp_cpu *cpu, const struct svp_insn *in,
		    int size, int op)
{
	u64 *g = cpu->s.gpr, m = svp_mask(size), s, lo, hi, q, rem;
	bool ovf;
	int r;

	r = svp_rm_rd(cpu, in, size, &s);
	if (r)
		return r;
	if (op == 4 || op == 5) {	/* MUL, IMUL */
		if (size == 8) {
			if (op == 4) {
				unsigned __int128 p = (unsigned __int128)g[0] * s;

				lo = (u64)p;
				hi = (u64)(p >> 64);
				ovf = hi != 0;
			} else {
				__int128 p = (__int128)(s64)g[0] * (s64)s;

				lo = (u64)p;
				hi = (u64)((unsigned __int128)p >> 64);
				ovf = hi != (u64)((s64)lo >> 63);
			}
		} else {
			u64 a = g[0] & m, p;

			if (op == 4) {
				p = a * s;
			} else {
				p = (u64)((s64)svp_sx(a, size) *
					  (s64)svp_sx(s, size));
			}
			lo = p & m;
			hi = (p >> (size * 8)) & m;
			if (op == 4)
				ovf = hi != 0;
			else
				ovf = svp_sx(lo, size) != p;
		}
		if (size == 1) {
			svp_rset(cpu, in, 0, 2, lo | (hi << 8));
		} else {
			svp_rset(cpu, in, 0, size, lo);
			svp_rset(cpu, in, 2, size, hi);
		}
		svp_set_eager(cpu, svp_szp(lo, size) |
			      (ovf ? SVP_CF | SVP_OF : 0));
		return SVP_OK;
	}
	/* DIV, IDIV */
	s &= m;
	if (!s)
		return svp_raise(cpu, SVP_DE, 0, false);
	if (size == 1) {
		lo = g[0] & 0xffff;
		hi = 0;
	} else {
		lo = g[0] & m;
		hi = g[2] & m;
	}
	if (size < 8) {
		u64 dv = size == 1 ? lo : (hi << (size * 8)) | lo;

		if (op == 6) {
			q = dv / s;
			rem = dv % s;
			if (q > m)
				return svp_raise(cpu, SVP_DE, 0, false);
		} else {
			s64 sd = (s64)svp_sx(dv, size == 1 ? 2 : size * 2);
			s64 ss = (s64)svp_sx(s, size);
			s64 lim = (s64)(m >> 1);

			if (size == 4 && ss == -1 && sd == (s64)(1ULL << 63))
				return svp_raise(cpu, SVP_DE, 0, false);
			if (size == 4)
				sd = (s64)dv;
			q = (u64)(sd / ss);
			rem = (u64)(sd % ss);
			if ((s64)q > lim || (s64)q < -lim - 1)
				return svp_raise(cpu, SVP_DE, 0, false);
		}
	} else {
		bool neg = false, nd = false;
		u64 as = s;

		if (op == 7) {
			nd = (s64)hi < 0;
			if (nd) {	/* negate 128-bit dividend */
				lo = ~lo + 1;
				hi = ~hi + (lo == 0);
			}
			if ((s64)s < 0)
				as = -s;
			neg = nd ^ ((s64)s < 0);
		}
		if (hi >= as)
			return svp_raise(cpu, SVP_DE, 0, false);
		asm("divq %4" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi),
		    "rm"(as));
		if (op == 7) {
			if (neg ? q > (1ULL << 63) : q > (1ULL << 63) - 1)
				return svp_raise(cpu, SVP_DE, 0, false);
			if (neg)
				q = -q;
			if (nd)
				rem = -rem;
		}
	}
	if (size == 1) {
		svp_rset(cpu, in, 0, 2, (q & 0xff) | ((rem & 0xff) << 8));
	} else {
		svp_rset(cpu, in, 0, size, q);
		svp_rset(cpu, in, 2, size, rem);
	}
	return SVP_OK;
}

/**
 * svp_exec_bt() - BT, BTS, BTR, BTC.
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @kind: 0 BT, 1 BTS, 2 BTR, 3 BTC.
 * @bitoff: the bit offset.
 * @imm: whether @bitoff is an immediate (no memory offset).
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_bt(struct svp_cpu *cpu, struct svp_insn *in, int kind,
		u64 bitoff, bool imm)
{
	int size = in->osz, bits = size * 8, r;
	struct svp_rmw w;
	u64 d, res, bit;
	struct svp_insn tmp = *in;

	if (imm) {
		bit = bitoff & (bits - 1);
	} else {
		s64 so = (s64)svp_sx(bitoff, size);

		bit = (u64)so & (bits - 1);
		if (in->mem)
			tmp.ea = in->ea + (u64)((so >> (size == 8 ? 6 :
					   size == 4 ? 5 : 4)) * size);
	}
	if (kind == 0) {
		r = svp_rm_rd(cpu, &tmp, size, &d);
		if (r)
			return r;
		res = d;
	} else {
		r = svp_rmw_rd(cpu, &tmp, size, &d, &w);
		if (r)
			return r;
		do {
			if (kind == 1)
				res = d | (1ULL << bit);
			else if (kind == 2)
				res = d & ~(1ULL << bit);
			else
				res = d ^ (1ULL << bit);
			r = svp_rmw_wr(cpu, &tmp, size, &d, res, &w);
		} while (r == SVP_RETRY);
		if (r)
			return r;
	}
	svp_set_eager(cpu, (svp_flags(cpu) & ~SVP_CF) | ((d >> bit) & 1));
	return SVP_OK;
}

/**
 * svp_exec_cmpxchg() - CMPXCHG r/m, r.
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @size: operand size in bytes.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_cmpxchg(struct svp_cpu *cpu, struct svp_insn *in, int size)
{
	u64 acc = svp_rget(cpu, in, 0, size);
	u64 src = svp_rget(cpu, in, in->reg, size);
	struct svp_rmw w;
	u64 d, nv;
	int r;

	r = svp_rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	for (;;) {
		nv = d == acc ? src : d;
		if (!in->mem && d != acc)
			break;	/* register destination left alone */
		r = svp_rmw_wr(cpu, in, size, &d, nv, &w);
		if (r != SVP_RETRY)
			break;
	}
	if (r)
		return r;
	svp_set_lazy(cpu, SVP_LF_SUB, size, acc, d, acc - d);
	if (d != acc)
		svp_rset(cpu, in, 0, size, d);
	return SVP_OK;
}

/**
 * svp_exec_xchg_mem() - XCHG with a memory operand (always locked).
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @size: operand size in bytes.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_xchg_mem(struct svp_cpu *cpu, struct svp_insn *in,
		      int size)
{
	u64 src = svp_rget(cpu, in, in->reg, size), d;
	struct svp_rmw w;
	int r;

	in->lock = true;	/* implicitly locked */
	r = svp_rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	do {
		r = svp_rmw_wr(cpu, in, size, &d, src, &w);
	} while (r == SVP_RETRY);
	if (r)
		return r;
	svp_rset(cpu, in, in->reg, size, d);
	return SVP_OK;
}

