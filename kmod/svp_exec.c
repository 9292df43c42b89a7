// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction decoder, executor and run loop of the software
 * x86-64 VP (64-bit long mode only).
 *
 * Every instruction first performs all its guest memory reads, then its
 * writes, and commits registers last, so that an instruction stopped by a
 * fault or by an MMIO/port read exit can be re-executed from the start.
 *
 * Undefined flags: AF is cleared by logic ops and shifts; MUL/IMUL set
 * SF/ZF/PF from the low half; BSF/BSR/BT/LZCNT leave the other flags
 * as computed from the previous lazy state.
 *
 * Speed: arithmetic flags are lazy (svp_flags()); guest linear pages are
 * cached per access kind and privilege in a software TLB; decoded
 * instructions are cached by linear address and validated against the
 * guest physical address from the fetch TLB and the generation of their
 * code page (struct svp_codepage). A page holding cached code never has a
 * write-TLB entry, so every write to it goes through svp_translate(),
 * which invalidates the page's decoded instructions. Writes by other VPs
 * or by the VMM are not seen: the embedder calls svp_flush_all() after
 * changing guest memory behind the VP's back (cross-VP code modification
 * is a known gap). Cache hits execute in place from the cache entry; the
 * common integer forms run in svp_exec_fast(), selected by a kind byte
 * (svp_insn.fk) computed once at decode time, everything else in
 * svp_exec().
 *
 * Not implemented (SVP_EXIT_FAILURE, never silently wrong): x87, SSE and
 * later vector extensions, debug registers, TF single-step, task
 * switches, call gates, IRET with NT, 16/32-bit modes. String
 * instructions execute up to SVP_STR_CHUNK elements per step (one
 * "instruction" of the budget).
 */
#include "svp_internal.h"

#define SVP_RETRY	3

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


static inline bool svp_user(const struct svp_cpu *cpu)
{
	return cpu->cpl == 3;
}

static inline u64 svp_sx(u64 v, int size)
{
	int sh = 64 - size * 8;

	return (u64)((s64)(v << sh) >> sh);
}

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

static inline int mrd(struct svp_cpu *cpu, u64 la, int size, u64 *v)
{
	return svp_read(cpu, la, size, v, svp_user(cpu));
}

static inline int mwr(struct svp_cpu *cpu, u64 la, int size, u64 v)
{
	return svp_write(cpu, la, size, v, svp_user(cpu));
}

static inline u64 rget(const struct svp_cpu *cpu, const struct svp_insn *in,
		       int idx, int size)
{
	if (size == 1 && !in->rex && idx >= 4 && idx < 8)
		return (cpu->s.gpr[idx - 4] >> 8) & 0xff;
	return cpu->s.gpr[idx] & svp_mask(size);
}

static inline void rset(struct svp_cpu *cpu, const struct svp_insn *in,
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

static inline int rm_rd(struct svp_cpu *cpu, const struct svp_insn *in,
			int size, u64 *v)
{
	if (!in->mem) {
		*v = rget(cpu, in, in->rm, size);
		return SVP_OK;
	}
	return mrd(cpu, in->ea, size, v);
}

static inline int rm_wr(struct svp_cpu *cpu, const struct svp_insn *in,
			int size, u64 v)
{
	if (!in->mem) {
		rset(cpu, in, in->rm, size, v);
		return SVP_OK;
	}
	return mwr(cpu, in->ea, size, v);
}

static inline int svp_push(struct svp_cpu *cpu, u64 v, int size)
{
	u64 rsp = cpu->s.gpr[4] - size;
	int r = mwr(cpu, rsp, size, v);

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

static int rmw_rd(struct svp_cpu *cpu, const struct svp_insn *in, int size,
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
		*old = rget(cpu, in, in->rm, size);
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
		}
		if (w->hva) {
			if (in->lock)
				*old = svp_env_load(w->hva, size);
			else
				*old = svp_host_ld(w->hva, size);
			return SVP_OK;
		}
		return mrd(cpu, la, size, old);
	}
	if (in->lock) {
		w->n1 = 4096 - off;
		r = svp_translate(cpu, la, SVP_ACC_W, user, &w->h1, &g);
		if (!r)
			r = svp_translate(cpu, la + w->n1, SVP_ACC_W, user,
					  &w->h2, &g);
		if (r)
			return r;
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
	return mrd(cpu, la, size, old);
}

static int rmw_wr(struct svp_cpu *cpu, const struct svp_insn *in, int size,
		  u64 *old, u64 nv, struct svp_rmw *w)
{
	if (!in->mem) {
		rset(cpu, in, in->rm, size, nv);
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
	return mwr(cpu, in->ea, size, nv);
}

/* ---- ALU ---- */

enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP };

static const u8 svp_alu_lf[8] = {
	SVP_LF_ADD, SVP_LF_LOGIC, SVP_LF_ADC, SVP_LF_SBB,
	SVP_LF_LOGIC, SVP_LF_SUB, SVP_LF_LOGIC, SVP_LF_SUB,
};

static inline u64 alu_res(int op, u64 d, u64 s, u64 cin)
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

static inline void alu_flags(struct svp_cpu *cpu, int op, int size, u64 d,
			     u64 s, u64 res, u64 cin)
{
	svp_set_lazy(cpu, svp_alu_lf[op], size, d, s, res);
	cpu->lf_aux = cin;
}

/* op r/m, src (op 0..7) */
static int alu_rm(struct svp_cpu *cpu, const struct svp_insn *in, int op,
		  int size, u64 src)
{
	u64 cin = (op == OP_ADC || op == OP_SBB) ?
		  (svp_flags(cpu) & SVP_CF) : 0;
	struct svp_rmw w;
	u64 d, res;
	int r;

	src &= svp_mask(size);
	if (!in->mem) {	/* register destination: no read-modify-write */
		d = rget(cpu, in, in->rm, size);
		res = alu_res(op, d, src, cin);
		if (op != OP_CMP)
			rset(cpu, in, in->rm, size, res);
		alu_flags(cpu, op, size, d, src, res, cin);
		return SVP_OK;
	}
	if (op == OP_CMP) {
		r = rm_rd(cpu, in, size, &d);
		if (r)
			return r;
		alu_flags(cpu, op, size, d, src, d - src, 0);
		return SVP_OK;
	}
	r = rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	do {
		res = alu_res(op, d, src, cin);
		r = rmw_wr(cpu, in, size, &d, res, &w);
	} while (r == SVP_RETRY);
	if (r)
		return r;
	alu_flags(cpu, op, size, d, src, res, cin);
	return SVP_OK;
}

/* ---- shifts ---- */

static u64 svp_shift(struct svp_cpu *cpu, int op, int size, u64 d, u32 c)
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

static int exec_shift(struct svp_cpu *cpu, const struct svp_insn *in,
		      int size, u32 count)
{
	struct svp_rmw w;
	u64 d, res;
	int r;

	count &= size == 8 ? 0x3f : 0x1f;
	r = rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	if (!count) {
		if (!in->mem)
			rset(cpu, in, in->rm, size, d);
		return SVP_OK;
	}
	res = svp_shift(cpu, in->reg & 7, size, d, count);
	return rmw_wr(cpu, in, size, &d, res, &w);
}

static int exec_shd(struct svp_cpu *cpu, const struct svp_insn *in,
		    bool right, u32 c)
{
	int size = in->osz, bits = size * 8;
	u64 m = svp_mask(size), sb = 1ULL << (bits - 1);
	u64 d, s = rget(cpu, in, in->reg, size), res;
	struct svp_rmw w;
	bool cf, of;
	int r;

	c &= size == 8 ? 0x3f : 0x1f;
	r = rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	if (!c) {
		if (!in->mem)
			rset(cpu, in, in->rm, size, d);
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
	r = rmw_wr(cpu, in, size, &d, res, &w);
	if (r)
		return r;
	svp_set_eager(cpu, svp_szp(res, size) | (cf ? SVP_CF : 0) |
		      (of ? SVP_OF : 0));
	return SVP_OK;
}

/* ---- conditions ---- */

static inline s64 svp_sx_cond(u64 v, int size)
{
	int sh = 64 - size * 8;

	return (s64)(v << sh) >> sh;
}

static inline bool svp_cond(const struct svp_cpu *cpu, int cc)
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

/* ---- multiply / divide ---- */

static int exec_muldiv(struct svp_cpu *cpu, const struct svp_insn *in,
		       int size, int op)
{
	u64 *g = cpu->s.gpr, m = svp_mask(size), s, lo, hi, q, rem;
	bool ovf;
	int r;

	r = rm_rd(cpu, in, size, &s);
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
			rset(cpu, in, 0, 2, lo | (hi << 8));
		} else {
			rset(cpu, in, 0, size, lo);
			rset(cpu, in, 2, size, hi);
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
		rset(cpu, in, 0, 2, (q & 0xff) | ((rem & 0xff) << 8));
	} else {
		rset(cpu, in, 0, size, q);
		rset(cpu, in, 2, size, rem);
	}
	return SVP_OK;
}

/* ---- port I/O ---- */

static int svp_io_in(struct svp_cpu *cpu, u16 port, int size, u64 *v)
{
	int r = svp_rdbuf_claim(cpu, true, port, size, v);

	if (r != SVP_R_EXIT)
		return r;
	cpu->exit->reason = SVP_EXIT_IO;
	cpu->exit->io.port = port;
	cpu->exit->io.size = size;
	cpu->exit->io.is_write = 0;
	cpu->exit->io.data = 0;
	cpu->exit_pending = true;
	cpu->pending_read = true;
	return SVP_R_EXIT;
}

static int svp_io_out(struct svp_cpu *cpu, u16 port, int size, u64 v)
{
	if (cpu->exit_pending)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	cpu->exit->reason = SVP_EXIT_IO;
	cpu->exit->io.port = port;
	cpu->exit->io.size = size;
	cpu->exit->io.is_write = 1;
	cpu->exit->io.data = (u32)v;
	cpu->exit_pending = true;
	return SVP_OK;
}

static inline bool svp_io_ok(const struct svp_cpu *cpu)
{
	return cpu->cpl <= ((cpu->s.rflags >> 12) & 3);
}

/*
 * I/O permission for IN/OUT/INS/OUTS: CPL <= IOPL, or all bits of the
 * accessed ports clear in the TSS I/O permission bitmap.
 */
static int svp_io_perm(struct svp_cpu *cpu, u16 port, int size)
{
	const struct svp_seg *tr = &cpu->s.seg[SVP_SEG_TR];
	u64 base, bits;
	int r;

	if (likely(svp_io_ok(cpu)))
		return SVP_OK;
	if ((tr->attr & 0xf) != 0xb || tr->limit < 0x67)
		return svp_raise(cpu, SVP_GP, 0, true);
	r = svp_read_sys(cpu, tr->base + 0x66, 2, &base);
	if (r)
		return r;
	base += port / 8;
	if (base + 1 > tr->limit)
		return svp_raise(cpu, SVP_GP, 0, true);
	r = svp_read_sys(cpu, tr->base + base, 2, &bits);
	if (r)
		return r;
	if ((bits >> (port & 7)) & ((1U << size) - 1))
		return svp_raise(cpu, SVP_GP, 0, true);
	return SVP_OK;
}

static inline void svp_rd_clear(struct svp_cpu *cpu)
{
	cpu->rd[0].valid = false;
	cpu->rd[1].valid = false;
}

/* ---- string instructions ---- */

#define SVP_STR_CHUNK	1024

static int exec_string(struct svp_cpu *cpu, const struct svp_insn *in)
{
	int op = in->op, size = (op & 1) ? in->osz : 1, r = SVP_OK;
	u64 am = svp_mask(in->asz), *g = cpu->s.gpr;
	s64 delta = (cpu->s.rflags & SVP_DF) ? -size : size;
	u64 sbase = 0;
	unsigned int n = 0;
	bool done = false;

	if (in->seg == SVP_SEG_FS || in->seg == SVP_SEG_GS)
		sbase = cpu->s.seg[in->seg].base;
	if ((op & ~1) == 0x6c || (op & ~1) == 0x6e) {
		if (size == 8)
			size = 4;
		r = svp_io_perm(cpu, g[2], size);
		if (r)
			return r;
	}
	while (!done) {
		u64 rsi = g[6] & am, rdi = g[7] & am, a = 0, b = 0;

		if (in->rep && !(g[1] & am)) {
			done = true;
			break;
		}
		switch (op & ~1) {
		case 0xa4:	/* MOVS */
			r = mrd(cpu, sbase + rsi, size, &a);
			if (!r)
				r = mwr(cpu, rdi, size, a);
			break;
		case 0xa6:	/* CMPS */
			r = mrd(cpu, sbase + rsi, size, &a);
			if (!r)
				r = mrd(cpu, rdi, size, &b);
			break;
		case 0xaa:	/* STOS */
			r = mwr(cpu, rdi, size, g[0]);
			break;
		case 0xac:	/* LODS */
			r = mrd(cpu, sbase + rsi, size, &a);
			break;
		case 0xae:	/* SCAS */
			r = mrd(cpu, rdi, size, &b);
			break;
		case 0x6c:	/* INS */
			r = svp_io_in(cpu, g[2], size, &a);
			if (!r)
				r = mwr(cpu, rdi, size, a);
			break;
		default:	/* OUTS */
			r = mrd(cpu, sbase + rsi, size, &a);
			if (!r)
				r = svp_io_out(cpu, g[2], size, a);
			break;
		}
		if (r)
			return r;
		switch (op & ~1) {
		case 0xa6:
			svp_set_lazy(cpu, SVP_LF_SUB, size, a, b, a - b);
			break;
		case 0xac:
			rset(cpu, in, 0, size, a);
			break;
		case 0xae:
			a = g[0] & svp_mask(size);
			svp_set_lazy(cpu, SVP_LF_SUB, size, a, b, a - b);
			break;
		}
		switch (op & ~1) {
		case 0xa4:
		case 0xa6:
		case 0xac:
		case 0x6e:
			rsi = (rsi + delta) & am;
			g[6] = rsi;
			break;
		}
		switch (op & ~1) {
		case 0xa4:
		case 0xa6:
		case 0xaa:
		case 0xae:
		case 0x6c:
			rdi = (rdi + delta) & am;
			g[7] = rdi;
			break;
		}
		svp_rd_clear(cpu);
		if (!in->rep)
			break;
		g[1] = ((g[1] & am) - 1) & am;
		if (!g[1])
			break;
		if ((op & ~1) == 0xa6 || (op & ~1) == 0xae) {
			bool zf = svp_flags(cpu) & SVP_ZF;

			if ((in->rep == 0xf3 && !zf) ||
			    (in->rep == 0xf2 && zf))
				break;
		}
		if (cpu->exit_pending || ++n >= SVP_STR_CHUNK)
			return SVP_RETRY;	/* RIP stays */
	}
	return SVP_OK;
}

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

/*
 * Decode the instruction at RIP into @in, or find it in the decode cache;
 * *@out is set to the decoded instruction (@in or the cache entry, which
 * stays valid while the instruction executes: only svp_decode() writes
 * cache entries).
 */
static noinline int svp_decode(struct svp_cpu *cpu, struct svp_insn *in,
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

/* Whether a LOCK prefix is allowed on this instruction. */
static bool svp_lock_ok(const struct svp_insn *in)
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

#define FAIL_EMU()	svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0)
#define UD()		svp_raise(cpu, SVP_UD, 0, false)
#define GP0()		svp_raise(cpu, SVP_GP, 0, true)

static int exec_bt(struct svp_cpu *cpu, struct svp_insn *in, int kind,
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
		r = rm_rd(cpu, &tmp, size, &d);
		if (r)
			return r;
		res = d;
	} else {
		r = rmw_rd(cpu, &tmp, size, &d, &w);
		if (r)
			return r;
		do {
			if (kind == 1)
				res = d | (1ULL << bit);
			else if (kind == 2)
				res = d & ~(1ULL << bit);
			else
				res = d ^ (1ULL << bit);
			r = rmw_wr(cpu, &tmp, size, &d, res, &w);
		} while (r == SVP_RETRY);
		if (r)
			return r;
	}
	svp_set_eager(cpu, (svp_flags(cpu) & ~SVP_CF) | ((d >> bit) & 1));
	return SVP_OK;
}

static u64 svp_popcnt(u64 v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

static int exec_0f01(struct svp_cpu *cpu, struct svp_insn *in, u64 *nrip)
{
	int reg = in->reg & 7, r;
	u64 lim, base;

	if (!in->mem) {
		switch (0xc0 | ((in->reg & 7) << 3) | (in->rm & 7)) {
		case 0xf8:	/* SWAPGS */
			if (cpu->cpl)
				return GP0();
			base = cpu->s.seg[SVP_SEG_GS].base;
			cpu->s.seg[SVP_SEG_GS].base = cpu->s.kernel_gs_base;
			cpu->s.kernel_gs_base = base;
			return SVP_OK;
		case 0xf9: {	/* RDTSCP */
			u64 t = svp_env_rdtsc() + cpu->s.tsc_offset;

			if ((cpu->s.cr4 & SVP_CR4_TSD) && cpu->cpl)
				return GP0();
			cpu->s.gpr[0] = (u32)t;
			cpu->s.gpr[2] = t >> 32;
			cpu->s.gpr[1] = (u32)cpu->s.tsc_aux;
			return SVP_OK;
		}
		}
		if (reg == 4) {		/* SMSW reg */
			rset(cpu, in, in->rm, in->osz, cpu->s.cr0);
			return SVP_OK;
		}
		if (reg != 6)
			return FAIL_EMU();
	}
	switch (reg) {
	case 0:		/* SGDT */
	case 1:		/* SIDT */
		lim = reg ? cpu->s.idt.limit : cpu->s.gdt.limit;
		base = reg ? cpu->s.idt.base : cpu->s.gdt.base;
		r = mwr(cpu, in->ea, 2, lim);
		if (!r)
			r = mwr(cpu, in->ea + 2, 8, base);
		return r;
	case 2:		/* LGDT */
	case 3:		/* LIDT */
		if (cpu->cpl)
			return GP0();
		r = mrd(cpu, in->ea, 2, &lim);
		if (!r)
			r = mrd(cpu, in->ea + 2, 8, &base);
		if (r)
			return r;
		if (!svp_canonical(base))
			return GP0();
		if (reg == 2) {
			cpu->s.gdt.base = base;
			cpu->s.gdt.limit = lim;
		} else {
			cpu->s.idt.base = base;
			cpu->s.idt.limit = lim;
		}
		return SVP_OK;
	case 4:		/* SMSW m16 */
		return mwr(cpu, in->ea, 2, cpu->s.cr0 & 0xffff);
	case 6: {	/* LMSW */
		u64 v, cr0;

		if (cpu->cpl)
			return GP0();
		r = rm_rd(cpu, in, 2, &v);
		if (r)
			return r;
		cr0 = (cpu->s.cr0 & ~0xeULL) | (v & 0xf) |
		      (cpu->s.cr0 & SVP_CR0_PE);
		return svp_write_cr(cpu, 0, cr0);
	}
	case 7:		/* INVLPG */
		if (cpu->cpl)
			return GP0();
		svp_tlb_flush_page(cpu, in->ea);
		return SVP_OK;
	}
	(void)nrip;
	return UD();
}

static int exec_cmpxchg(struct svp_cpu *cpu, struct svp_insn *in, int size)
{
	u64 acc = rget(cpu, in, 0, size), src = rget(cpu, in, in->reg, size);
	struct svp_rmw w;
	u64 d, nv;
	int r;

	r = rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	for (;;) {
		nv = d == acc ? src : d;
		if (!in->mem && d != acc)
			break;	/* register destination left alone */
		r = rmw_wr(cpu, in, size, &d, nv, &w);
		if (r != SVP_RETRY)
			break;
	}
	if (r)
		return r;
	svp_set_lazy(cpu, SVP_LF_SUB, size, acc, d, acc - d);
	if (d != acc)
		rset(cpu, in, 0, size, d);
	return SVP_OK;
}

static int exec_cmpxchg8b16b(struct svp_cpu *cpu, struct svp_insn *in)
{
	u64 *g = cpu->s.gpr, lo, hi, g2;
	bool user = svp_user(cpu), eq;
	u8 *h;
	int r;

	if (!in->mem)
		return UD();
	if (in->osz == 8) {
		u64 ol = g[0], oh = g[2];

		if (in->ea & 15)
			return GP0();
		if (!svp_canonical(in->ea))
			return GP0();
		r = svp_translate(cpu, in->ea, SVP_ACC_W, user, &h, &g2);
		if (r)
			return r;
		if (!h)
			return FAIL_EMU();
		eq = svp_env_cmpxchg16(h, &ol, &oh, g[3], g[1]);
		if (!eq) {
			g[0] = ol;
			g[2] = oh;
		}
	} else {
		struct svp_rmw w;
		struct svp_insn t = *in;
		u64 cmp = ((g[2] & 0xffffffffULL) << 32) | (u32)g[0];
		u64 nv = ((g[1] & 0xffffffffULL) << 32) | (u32)g[3], d;

		t.rm = 0;
		r = rmw_rd(cpu, &t, 8, &d, &w);
		if (r)
			return r;
		do {
			eq = d == cmp;
			r = rmw_wr(cpu, &t, 8, &d, eq ? nv : d, &w);
		} while (r == SVP_RETRY);
		if (r)
			return r;
		if (!eq) {
			g[0] = (u32)d;
			g[2] = d >> 32;
		}
		lo = 0;
		hi = 0;
		(void)lo;
		(void)hi;
	}
	svp_set_eager(cpu, (svp_flags(cpu) & ~SVP_ZF) | (eq ? SVP_ZF : 0));
	return SVP_OK;
}

static int exec_xchg_mem(struct svp_cpu *cpu, struct svp_insn *in,
			 int size)
{
	u64 src = rget(cpu, in, in->reg, size), d;
	struct svp_rmw w;
	int r;

	in->lock = true;	/* implicitly locked */
	r = rmw_rd(cpu, in, size, &d, &w);
	if (r)
		return r;
	do {
		r = rmw_wr(cpu, in, size, &d, src, &w);
	} while (r == SVP_RETRY);
	if (r)
		return r;
	rset(cpu, in, in->reg, size, d);
	return SVP_OK;
}

static int exec_syscall(struct svp_cpu *cpu, struct svp_insn *in)
{
	struct svp_state *s = &cpu->s;
	u16 sel = (s->star >> 32) & 0xfffc;
	u64 fl = svp_get_rflags(cpu);

	if (!(s->efer & SVP_EFER_SCE))
		return UD();
	s->gpr[1] = in->next_rip;
	s->gpr[11] = fl & ~SVP_RF;
	s->seg[SVP_SEG_CS].sel = sel;
	s->seg[SVP_SEG_CS].base = 0;
	s->seg[SVP_SEG_CS].limit = 0xffffffff;
	s->seg[SVP_SEG_CS].attr = 0xa09b;
	s->seg[SVP_SEG_SS].sel = sel + 8;
	s->seg[SVP_SEG_SS].base = 0;
	s->seg[SVP_SEG_SS].limit = 0xffffffff;
	s->seg[SVP_SEG_SS].attr = 0xc093;
	svp_put_rflags(cpu, fl & ~(s->sfmask | SVP_RF));
	s->rip = s->lstar;
	svp_update_mode(cpu);
	return SVP_OK;
}

static int exec_sysret(struct svp_cpu *cpu, struct svp_insn *in)
{
	struct svp_state *s = &cpu->s;
	u16 sel = (s->star >> 48) & 0xffff;

	if (!(s->efer & SVP_EFER_SCE))
		return UD();
	if (cpu->cpl)
		return GP0();
	if (in->osz == 8 && !svp_canonical(s->gpr[1]))
		return GP0();
	if (in->osz == 8) {
		s->seg[SVP_SEG_CS].sel = (sel + 16) | 3;
		s->seg[SVP_SEG_CS].attr = 0xa0fb;
		s->rip = s->gpr[1];
	} else {
		s->seg[SVP_SEG_CS].sel = sel | 3;
		s->seg[SVP_SEG_CS].attr = 0xc0fb;
		s->rip = (u32)s->gpr[1];
	}
	s->seg[SVP_SEG_CS].base = 0;
	s->seg[SVP_SEG_CS].limit = 0xffffffff;
	s->seg[SVP_SEG_SS].sel = (sel + 8) | 3;
	s->seg[SVP_SEG_SS].attr = 0xc0f3;
	s->seg[SVP_SEG_SS].base = 0;
	s->seg[SVP_SEG_SS].limit = 0xffffffff;
	svp_put_rflags(cpu, (s->gpr[11] & 0x3c7fd7) | 2);
	svp_update_mode(cpu);
	return SVP_OK;
}

static int svp_exec(struct svp_cpu *cpu, struct svp_insn *in)
{
	struct svp_state *s = &cpu->s;
	u64 *g = s->gpr, nrip = in->next_rip, v = 0, t = 0;
	int op = in->op, osz = in->osz, sz, r = SVP_OK;
	int dsz = in->osz == 2 ? 2 : 8;	/* default-64 operand size */

	if (unlikely(in->lock) && !svp_lock_ok(in))
		return UD();

	switch (op) {
	case 0x00 ... 0x3f:
		if ((op & 7) > 5 || op == 0x0f)
			return UD();
		sz = (op & 1) ? osz : 1;
		switch (op & 7) {
		case 0:
		case 1:
			r = alu_rm(cpu, in, op >> 3, sz,
				   rget(cpu, in, in->reg, sz));
			break;
		case 2:
		case 3: {
			u64 d = rget(cpu, in, in->reg, sz), res;
			int aop = op >> 3;
			u64 cin = (aop == OP_ADC || aop == OP_SBB) ?
				  (svp_flags(cpu) & SVP_CF) : 0;

			r = rm_rd(cpu, in, sz, &v);
			if (r)
				return r;
			res = alu_res(aop, d, v, cin);
			if (aop != OP_CMP)
				rset(cpu, in, in->reg, sz, res);
			alu_flags(cpu, aop, sz, d, v, res, cin);
			break;
		}
		default: {
			u64 d = rget(cpu, in, 0, sz), res, src;
			int aop = op >> 3;
			u64 cin = (aop == OP_ADC || aop == OP_SBB) ?
				  (svp_flags(cpu) & SVP_CF) : 0;

			src = (op & 7) == 4 ? in->imm :
			      svp_sx(in->imm, sz == 2 ? 2 : 4);
			src &= svp_mask(sz);
			res = alu_res(aop, d, src, cin);
			if (aop != OP_CMP)
				rset(cpu, in, 0, sz, res);
			alu_flags(cpu, aop, sz, d, src, res, cin);
			break;
		}
		}
		break;
	case 0x50 ... 0x57:
		r = svp_push(cpu, rget(cpu, in, (op & 7) | ((in->rex & 1) << 3),
				       dsz), dsz);
		break;
	case 0x58 ... 0x5f:
		r = mrd(cpu, g[4], dsz, &v);
		if (r)
			return r;
		g[4] += dsz;
		rset(cpu, in, (op & 7) | ((in->rex & 1) << 3), dsz, v);
		break;
	case 0x63:	/* MOVSXD */
		r = rm_rd(cpu, in, 4, &v);
		if (r)
			return r;
		rset(cpu, in, in->reg, osz, osz == 8 ? svp_sx(v, 4) : v);
		break;
	case 0x68:
	case 0x6a:
		v = svp_sx(in->imm, op == 0x6a ? 1 : (osz == 2 ? 2 : 4));
		r = svp_push(cpu, v, dsz);
		break;
	case 0x69:
	case 0x6b:
	case 0x1af: {	/* IMUL r, r/m(, imm) */
		u64 a, p;
		bool ovf;

		r = rm_rd(cpu, in, osz, &a);
		if (r)
			return r;
		if (op == 0x1af)
			t = rget(cpu, in, in->reg, osz);
		else
			t = svp_sx(in->imm, op == 0x6b ? 1 : (osz == 2 ? 2 : 4));
		if (osz == 8) {
			__int128 pp = (__int128)(s64)a * (s64)t;

			p = (u64)pp;
			ovf = pp != (__int128)(s64)p;
		} else {
			p = (u64)((s64)svp_sx(a, osz) * (s64)svp_sx(t, osz));
			ovf = svp_sx(p & svp_mask(osz), osz) != p;
		}
		rset(cpu, in, in->reg, osz, p);
		/* SF, ZF, PF from the low half (lazily), AF cleared */
		svp_set_lazy(cpu, SVP_LF_SHIFT, osz, 0, 0, p);
		cpu->lf_aux = ovf ? SVP_CF | SVP_OF : 0;
		break;
	}
	case 0x6c ... 0x6f:
	case 0xa4 ... 0xa7:
	case 0xaa ... 0xaf:
		r = exec_string(cpu, in);
		if (r == SVP_RETRY)
			return SVP_RETRY;
		break;
	case 0x70 ... 0x7f:
		if (svp_cond(cpu, op & 15))
			nrip += svp_sx(in->imm, 1);
		break;
	case 0x180 ... 0x18f:
		if (svp_cond(cpu, op & 15))
			nrip += svp_sx(in->imm, 4);
		break;
	case 0x80:
	case 0x81:
	case 0x83:
		sz = op == 0x80 ? 1 : osz;
		v = op == 0x81 ? svp_sx(in->imm, osz == 2 ? 2 : 4) :
		    svp_sx(in->imm, 1);
		r = alu_rm(cpu, in, in->reg & 7, sz, v);
		break;
	case 0x84:
	case 0x85:
	case 0xa8:
	case 0xa9:
		sz = (op & 1) ? osz : 1;
		if (op >= 0xa8) {
			v = g[0];
			t = svp_sx(in->imm, 4);
		} else {
			r = rm_rd(cpu, in, sz, &v);
			if (r)
				return r;
			t = rget(cpu, in, in->reg, sz);
		}
		svp_set_lazy(cpu, SVP_LF_LOGIC, sz, 0, 0, v & t);
		break;
	case 0x86:
	case 0x87:
		sz = (op & 1) ? osz : 1;
		if (in->mem) {
			r = exec_xchg_mem(cpu, in, sz);
		} else {
			v = rget(cpu, in, in->rm, sz);
			t = rget(cpu, in, in->reg, sz);
			rset(cpu, in, in->rm, sz, t);
			rset(cpu, in, in->reg, sz, v);
		}
		break;
	case 0x88:
	case 0x89:
		sz = (op & 1) ? osz : 1;
		r = rm_wr(cpu, in, sz, rget(cpu, in, in->reg, sz));
		break;
	case 0x8a:
	case 0x8b:
		sz = (op & 1) ? osz : 1;
		r = rm_rd(cpu, in, sz, &v);
		if (!r)
			rset(cpu, in, in->reg, sz, v);
		break;
	case 0x8c:	/* MOV r/m, Sreg */
		if ((in->reg & 7) > 5)
			return UD();
		v = s->seg[in->reg & 7].sel;
		r = in->mem ? mwr(cpu, in->ea, 2, v) :
		    (rset(cpu, in, in->rm, osz, v), SVP_OK);
		break;
	case 0x8d:	/* LEA */
		if (!in->mem)
			return UD();
		v = in->ea;
		if (in->seg != SEG_NONE)
			v -= s->seg[in->seg].base;
		rset(cpu, in, in->reg, osz, v);
		break;
	case 0x8e:	/* MOV Sreg, r/m */
		if ((in->reg & 7) == SVP_SEG_CS || (in->reg & 7) > 5)
			return UD();
		r = rm_rd(cpu, in, 2, &v);
		if (!r)
			r = svp_load_seg(cpu, in->reg & 7, v);
		break;
	case 0x8f:	/* POP r/m */
		if (in->reg & 7)
			return UD();
		r = mrd(cpu, g[4], dsz, &v);
		if (r)
			return r;
		if (in->mem && in->base == 4)
			in->ea += dsz;
		r = rm_wr(cpu, in, dsz, v);
		if (!r)
			g[4] += dsz;
		break;
	case 0x90 ... 0x97: {
		int reg = (op & 7) | ((in->rex & 1) << 3);

		if (reg == 0)
			break;	/* NOP, PAUSE */
		v = rget(cpu, in, reg, osz);
		rset(cpu, in, reg, osz, rget(cpu, in, 0, osz));
		rset(cpu, in, 0, osz, v);
		break;
	}
	case 0x98:
		if (osz == 8)
			g[0] = svp_sx(g[0], 4);
		else if (osz == 4)
			g[0] = (u32)svp_sx(g[0], 2);
		else
			rset(cpu, in, 0, 2, svp_sx(g[0], 1));
		break;
	case 0x99:
		v = (g[0] >> (osz * 8 - 1)) & 1 ? ~0ULL : 0;
		rset(cpu, in, 2, osz, v);
		break;
	case 0x9b:	/* FWAIT */
		return FAIL_EMU();
	case 0x9c:	/* PUSHF */
		v = svp_get_rflags(cpu) & ~(SVP_RF | SVP_VM);
		r = svp_push(cpu, v, dsz);
		break;
	case 0x9d: {	/* POPF */
		u64 mask = SVP_ARITH | SVP_TF | SVP_DF | SVP_NT | SVP_AC |
			   SVP_ID;

		r = mrd(cpu, g[4], dsz, &v);
		if (r)
			return r;
		if (cpu->cpl == 0)
			mask |= SVP_IOPL | SVP_IF;
		else if (svp_io_ok(cpu))
			mask |= SVP_IF;
		if (dsz == 2)
			mask &= 0xffff;
		g[4] += dsz;
		svp_put_rflags(cpu, (svp_get_rflags(cpu) & ~mask) |
			       (v & mask));
		break;
	}
	case 0x9e:	/* SAHF */
		svp_set_eager(cpu, (svp_flags(cpu) & SVP_OF) |
			      ((g[0] >> 8) & (SVP_SF | SVP_ZF | SVP_AF |
					      SVP_PF | SVP_CF)));
		break;
	case 0x9f:	/* LAHF */
		in->rex = 0;
		rset(cpu, in, 4, 1, (svp_get_rflags(cpu) & 0xd5) | 2);
		break;
	case 0xa0 ... 0xa3: {	/* MOV moffs */
		u64 la = in->imm;

		if (in->asz == 4)
			la &= 0xffffffffULL;
		if (in->seg != SEG_NONE)
			la += s->seg[in->seg].base;
		sz = (op & 1) ? osz : 1;
		if (op < 0xa2) {
			r = mrd(cpu, la, sz, &v);
			if (!r)
				rset(cpu, in, 0, sz, v);
		} else {
			r = mwr(cpu, la, sz, g[0]);
		}
		break;
	}
	case 0xb0 ... 0xb7:
		rset(cpu, in, (op & 7) | ((in->rex & 1) << 3), 1, in->imm);
		break;
	case 0xb8 ... 0xbf:
		rset(cpu, in, (op & 7) | ((in->rex & 1) << 3), osz, in->imm);
		break;
	case 0xc0:
	case 0xc1:
	case 0xd0 ... 0xd3:
		sz = (op & 1) ? osz : 1;
		if (op <= 0xc1)
			t = in->imm;
		else if (op <= 0xd1)
			t = 1;
		else
			t = g[1];
		r = exec_shift(cpu, in, sz, t);
		break;
	case 0xc2:
	case 0xc3:
		r = mrd(cpu, g[4], dsz, &v);
		if (r)
			return r;
		if (!svp_canonical(v))
			return GP0();
		g[4] += dsz + (op == 0xc2 ? in->imm : 0);
		nrip = v;
		break;
	case 0xc6:
	case 0xc7:
		if (in->reg & 7)
			return UD();
		sz = op == 0xc6 ? 1 : osz;
		r = rm_wr(cpu, in, sz, svp_sx(in->imm, sz == 1 ? 1 :
					       (sz == 2 ? 2 : 4)));
		break;
	case 0xc8: {	/* ENTER */
		u64 rsp = g[4], fp;
		int lvl = in->imm2 & 31, i;

		r = mwr(cpu, rsp - dsz, dsz, g[5]);
		if (r)
			return r;
		rsp -= dsz;
		fp = rsp;
		for (i = 1; i < lvl; i++) {
			r = mrd(cpu, g[5] - i * dsz, dsz, &v);
			if (!r)
				r = mwr(cpu, rsp - dsz, dsz, v);
			if (r)
				return r;
			rsp -= dsz;
		}
		if (lvl) {
			r = mwr(cpu, rsp - dsz, dsz, fp);
			if (r)
				return r;
			rsp -= dsz;
		}
		rset(cpu, in, 5, dsz, fp);
		g[4] = rsp - (in->imm & 0xffff);
		break;
	}
	case 0xc9:	/* LEAVE */
		r = mrd(cpu, g[5], dsz, &v);
		if (r)
			return r;
		g[4] = g[5] + dsz;
		rset(cpu, in, 5, dsz, v);
		break;
	case 0xca:
	case 0xcb:
		r = svp_far_ret(cpu, osz, op == 0xca ? in->imm : 0);
		return r;
	case 0xcc:
		cpu->exc_next_rip = nrip;
		svp_raise(cpu, SVP_BP, 0, false);
		cpu->exc_soft = true;
		return SVP_R_EXC;
	case 0xcd:
		cpu->exc_next_rip = nrip;
		svp_raise(cpu, in->imm & 0xff, 0, false);
		cpu->exc_has_err = false;
		cpu->exc_soft = true;
		return SVP_R_EXC;
	case 0xcf:
		return svp_iret(cpu, osz);
	case 0xd7:	/* XLAT */
		t = (g[3] + (g[0] & 0xff)) & svp_mask(in->asz);
		if (in->seg != SEG_NONE)
			t += s->seg[in->seg].base;
		r = mrd(cpu, t, 1, &v);
		if (!r)
			rset(cpu, in, 0, 1, v);
		break;
	case 0xd8 ... 0xdf:	/* x87 */
		return FAIL_EMU();
	case 0xe0 ... 0xe3: {	/* LOOPNE, LOOPE, LOOP, JRCXZ */
		u64 am = svp_mask(in->asz), c = g[1] & am;
		bool jmp;

		if (op == 0xe3) {
			jmp = c == 0;
		} else {
			c = (c - 1) & am;
			g[1] = c;
			jmp = c != 0;
			if (op == 0xe0)
				jmp = jmp && !(svp_flags(cpu) & SVP_ZF);
			else if (op == 0xe1)
				jmp = jmp && (svp_flags(cpu) & SVP_ZF);
		}
		if (jmp)
			nrip += svp_sx(in->imm, 1);
		break;
	}
	case 0xe4:
	case 0xe5:
	case 0xec:
	case 0xed:
		sz = (op & 1) ? (osz == 2 ? 2 : 4) : 1;
		t = op < 0xe8 ? in->imm & 0xff : g[2] & 0xffff;
		r = svp_io_perm(cpu, t, sz);
		if (r)
			return r;
		r = svp_io_in(cpu, t, sz, &v);
		if (!r)
			rset(cpu, in, 0, sz, v);
		break;
	case 0xe6:
	case 0xe7:
	case 0xee:
	case 0xef:
		sz = (op & 1) ? (osz == 2 ? 2 : 4) : 1;
		t = op < 0xe8 ? in->imm & 0xff : g[2] & 0xffff;
		r = svp_io_perm(cpu, t, sz);
		if (r)
			return r;
		r = svp_io_out(cpu, t, sz, g[0]);
		break;
	case 0xe8:	/* CALL rel */
		v = nrip + svp_sx(in->imm, 4);
		r = svp_push(cpu, nrip, 8);
		nrip = v;
		break;
	case 0xe9:
		nrip += svp_sx(in->imm, 4);
		break;
	case 0xeb:
		nrip += svp_sx(in->imm, 1);
		break;
	case 0xf1:	/* INT1 */
		return FAIL_EMU();
	case 0xf4:	/* HLT */
		if (cpu->cpl)
			return GP0();
		s->rip = nrip;
		cpu->exit->reason = SVP_EXIT_HLT;
		cpu->exit_pending = true;
		return SVP_OK;
	case 0xf5:
		svp_set_eager(cpu, svp_flags(cpu) ^ SVP_CF);
		break;
	case 0xf6:
	case 0xf7: {
		int rop = in->reg & 7;

		sz = (op & 1) ? osz : 1;
		if (rop < 2) {	/* TEST */
			r = rm_rd(cpu, in, sz, &v);
			if (r)
				return r;
			t = svp_sx(in->imm, sz == 1 ? 1 : (sz == 2 ? 2 : 4));
			svp_set_lazy(cpu, SVP_LF_LOGIC, sz, 0, 0, v & t);
		} else if (rop < 4) {	/* NOT, NEG */
			struct svp_rmw w;
			u64 res;

			r = rmw_rd(cpu, in, sz, &v, &w);
			if (r)
				return r;
			do {
				res = rop == 2 ? ~v : -v;
				r = rmw_wr(cpu, in, sz, &v, res, &w);
			} while (r == SVP_RETRY);
			if (r)
				return r;
			if (rop == 3)
				svp_set_lazy(cpu, SVP_LF_SUB, sz, 0, v, res);
		} else {
			r = exec_muldiv(cpu, in, sz, rop);
		}
		break;
	}
	case 0xf8:
		svp_set_eager(cpu, svp_flags(cpu) & ~SVP_CF);
		break;
	case 0xf9:
		svp_set_eager(cpu, svp_flags(cpu) | SVP_CF);
		break;
	case 0xfa:
	case 0xfb:
		if (!svp_io_ok(cpu))
			return GP0();
		if (op == 0xfa)
			s->rflags &= ~SVP_IF;
		else
			s->rflags |= SVP_IF;
		break;
	case 0xfc:
		s->rflags &= ~SVP_DF;
		break;
	case 0xfd:
		s->rflags |= SVP_DF;
		break;
	case 0xfe:
	case 0xff: {
		int rop = in->reg & 7;

		sz = op == 0xfe ? 1 : osz;
		if (rop < 2) {	/* INC, DEC */
			struct svp_rmw w;
			u64 res, cf = svp_cf(cpu);

			r = rmw_rd(cpu, in, sz, &v, &w);
			if (r)
				return r;
			do {
				res = rop ? v - 1 : v + 1;
				r = rmw_wr(cpu, in, sz, &v, res, &w);
			} while (r == SVP_RETRY);
			if (r)
				return r;
			svp_set_lazy(cpu, rop ? SVP_LF_DEC : SVP_LF_INC, sz,
				     v, 1, res);
			cpu->lf_aux = cf;
			break;
		}
		if (op == 0xfe || rop == 7)
			return UD();
		if (rop == 3 || rop == 5) {	/* far CALL/JMP m16:64 */
			if (!in->mem)
				return UD();
			r = mrd(cpu, in->ea, osz, &v);
			if (!r)
				r = mrd(cpu, in->ea + osz, 2, &t);
			if (r)
				return r;
			return svp_far_jmp(cpu, t, v, rop == 3, osz, nrip);
		}
		sz = rop == 6 ? dsz : 8;	/* near CALL/JMP: 64-bit */
		r = rm_rd(cpu, in, sz, &v);
		if (r)
			return r;
		if (rop == 6) {
			r = svp_push(cpu, v, dsz);
			break;
		}
		if (!svp_canonical(v))
			return GP0();
		if (rop == 2) {
			r = svp_push(cpu, nrip, 8);
			if (r)
				return r;
		}
		nrip = v;
		break;
	}

	/* ---- two-byte opcodes ---- */
	case 0x100: {	/* SLDT, STR, LLDT, LTR */
		int rop = in->reg & 7;

		if (rop < 2) {
			v = s->seg[rop ? SVP_SEG_TR : SVP_SEG_LDTR].sel;
			r = in->mem ? mwr(cpu, in->ea, 2, v) :
			    (rset(cpu, in, in->rm, osz, v), SVP_OK);
		} else if (rop < 4) {
			r = rm_rd(cpu, in, 2, &v);
			if (!r)
				r = svp_load_tr_ldt(cpu, rop == 3, v);
		} else {
			return FAIL_EMU();
		}
		break;
	}
	case 0x101:
		r = exec_0f01(cpu, in, &nrip);
		break;
	case 0x105:
		r = exec_syscall(cpu, in);
		return r;
	case 0x106:	/* CLTS */
		if (cpu->cpl)
			return GP0();
		s->cr0 &= ~SVP_CR0_TS;
		break;
	case 0x107:
		return exec_sysret(cpu, in);
	case 0x108:
	case 0x109:	/* INVD, WBINVD */
		if (cpu->cpl)
			return GP0();
		break;
	case 0x10b:
		return UD();
	case 0x10d:
	case 0x118 ... 0x11f:	/* hint NOPs, prefetch, ENDBR64 */
		break;
	case 0x120:
	case 0x122: {	/* MOV r, CRn / MOV CRn, r */
		int cr = in->reg;

		if (cpu->cpl)
			return GP0();
		if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8)
			return UD();
		if (op == 0x122)
			return svp_write_cr(cpu, cr, g[in->rm]) ? SVP_R_EXC :
			       (s->rip = nrip, SVP_OK);
		switch (cr) {
		case 0:
			v = s->cr0;
			break;
		case 2:
			v = s->cr2;
			break;
		case 3:
			v = s->cr3;
			break;
		case 4:
			v = s->cr4;
			break;
		default:
			v = s->cr8;
			break;
		}
		g[in->rm] = v;
		break;
	}
	case 0x121:
	case 0x123:	/* debug registers */
		return FAIL_EMU();
	case 0x130:	/* WRMSR */
		if (cpu->cpl)
			return GP0();
		r = svp_wrmsr(cpu, (u32)g[1], (g[2] << 32) | (u32)g[0]);
		if (!r)
			svp_update_mode(cpu);
		break;
	case 0x131:	/* RDTSC */
		if ((s->cr4 & SVP_CR4_TSD) && cpu->cpl)
			return GP0();
		v = svp_env_rdtsc() + s->tsc_offset;
		g[0] = (u32)v;
		g[2] = v >> 32;
		break;
	case 0x132:	/* RDMSR */
		if (cpu->cpl)
			return GP0();
		r = svp_rdmsr(cpu, (u32)g[1], &v);
		if (!r) {
			g[0] = (u32)v;
			g[2] = v >> 32;
		}
		break;
	case 0x140 ... 0x14f:	/* CMOVcc */
		r = rm_rd(cpu, in, osz, &v);
		if (r)
			return r;
		if (svp_cond(cpu, op & 15))
			rset(cpu, in, in->reg, osz, v);
		else if (osz == 4)
			g[in->reg] = (u32)g[in->reg];
		break;
	case 0x190 ... 0x19f:	/* SETcc */
		r = rm_wr(cpu, in, 1, svp_cond(cpu, op & 15));
		break;
	case 0x1a0:
	case 0x1a8:	/* PUSH FS/GS */
		r = svp_push(cpu, s->seg[op == 0x1a0 ? SVP_SEG_FS :
				  SVP_SEG_GS].sel, dsz);
		break;
	case 0x1a1:
	case 0x1a9:	/* POP FS/GS */
		r = mrd(cpu, g[4], dsz, &v);
		if (!r)
			r = svp_load_seg(cpu, op == 0x1a1 ? SVP_SEG_FS :
					 SVP_SEG_GS, v);
		if (!r)
			g[4] += dsz;
		break;
	case 0x1a2: {	/* CPUID */
		u32 out[4] = { 0, 0, 0, 0 };

		cpu->ops->cpuid(cpu->opaque, (u32)g[0], (u32)g[1], out);
		g[0] = out[0];
		g[3] = out[1];
		g[1] = out[2];
		g[2] = out[3];
		break;
	}
	case 0x1a3:
	case 0x1ab:
	case 0x1b3:
	case 0x1bb: {
		static const u8 kinds[4] = { 0, 1, 2, 3 };

		r = exec_bt(cpu, in, kinds[(op >> 3) & 3],
			    rget(cpu, in, in->reg, osz), false);
		break;
	}
	case 0x1ba:
		if ((in->reg & 7) < 4)
			return UD();
		r = exec_bt(cpu, in, (in->reg & 7) - 4, in->imm, true);
		break;
	case 0x1a4:
	case 0x1a5:
	case 0x1ac:
	case 0x1ad:
		r = exec_shd(cpu, in, op >= 0x1ac,
			     (op & 1) ? g[1] : in->imm);
		break;
	case 0x1ae: {
		int rop = in->reg & 7;

		if (!in->mem && !in->rep && rop >= 5)
			break;	/* LFENCE, MFENCE, SFENCE */
		if (in->mem && rop == 7 && !in->rep && !in->p66)
			break;	/* CLFLUSH */
		if (!in->mem && in->rep && rop < 4)
			return UD();	/* RD/WRFSBASE: CR4.FSGSBASE clear */
		return FAIL_EMU();
	}
	case 0x1b0:
	case 0x1b1:
		r = exec_cmpxchg(cpu, in, op == 0x1b0 ? 1 : osz);
		break;
	case 0x1b6:
	case 0x1b7:
	case 0x1be:
	case 0x1bf:
		sz = (op & 1) ? 2 : 1;
		r = rm_rd(cpu, in, sz, &v);
		if (r)
			return r;
		if (op >= 0x1be)
			v = svp_sx(v, sz);
		rset(cpu, in, in->reg, osz, v);
		break;
	case 0x1b8:	/* POPCNT */
		if (in->rep != 0xf3)
			return FAIL_EMU();	/* JMPE */
		r = rm_rd(cpu, in, osz, &v);
		if (r)
			return r;
		rset(cpu, in, in->reg, osz, svp_popcnt(v));
		svp_set_eager(cpu, v ? 0 : SVP_ZF);
		break;
	case 0x1bc:
	case 0x1bd: {	/* BSF, BSR, LZCNT (TZCNT is BSF: no BMI1) */
		u64 f = svp_flags(cpu);

		r = rm_rd(cpu, in, osz, &v);
		if (r)
			return r;
		if (op == 0x1bd && in->rep == 0xf3) {
			u64 cnt = v ? __builtin_clzll(v) - (64 - osz * 8) :
				  osz * 8;

			rset(cpu, in, in->reg, osz, cnt);
			svp_set_eager(cpu, (f & ~(SVP_CF | SVP_ZF)) |
				      (v ? 0 : SVP_CF) |
				      (cnt ? 0 : SVP_ZF));
			break;
		}
		if (!v) {
			svp_set_eager(cpu, f | SVP_ZF);
			break;
		}
		rset(cpu, in, in->reg, osz, op == 0x1bc ? __builtin_ctzll(v) :
		     63 - __builtin_clzll(v));
		svp_set_eager(cpu, f & ~SVP_ZF);
		break;
	}
	case 0x1c0:
	case 0x1c1: {	/* XADD */
		struct svp_rmw w;
		u64 res;

		sz = op == 0x1c0 ? 1 : osz;
		t = rget(cpu, in, in->reg, sz);
		r = rmw_rd(cpu, in, sz, &v, &w);
		if (r)
			return r;
		do {
			res = v + t;
			r = rmw_wr(cpu, in, sz, &v, res, &w);
		} while (r == SVP_RETRY);
		if (r)
			return r;
		if (in->mem || in->rm != in->reg)
			rset(cpu, in, in->reg, sz, v);
		if (!in->mem)
			rset(cpu, in, in->rm, sz, res);
		svp_set_lazy(cpu, SVP_LF_ADD, sz, v, t, res);
		break;
	}
	case 0x1c7:
		if ((in->reg & 7) == 1) {
			r = exec_cmpxchg8b16b(cpu, in);
			break;
		}
		return (in->reg & 7) >= 6 && !in->mem ? UD() : FAIL_EMU();
	case 0x1c8 ... 0x1cf: {	/* BSWAP */
		int reg = (op & 7) | ((in->rex & 1) << 3);

		if (osz == 8)
			g[reg] = __builtin_bswap64(g[reg]);
		else if (osz == 4)
			g[reg] = __builtin_bswap32((u32)g[reg]);
		else
			rset(cpu, in, reg, 2, 0);
		break;
	}
	case 0x60 ... 0x62:
	case 0x82:
	case 0x9a:
	case 0xce:
	case 0xd4 ... 0xd6:
	case 0xea:
		return UD();
	default:
		return FAIL_EMU();
	}
	if (r)
		return r;
	s->rip = nrip;
	return SVP_OK;
}

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
};

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

/* Write a 4- or 8-byte result to GPR @idx (32-bit writes zero-extend). */
static inline void fset(struct svp_cpu *cpu, int idx, int osz, u64 v)
{
	cpu->s.gpr[idx] = osz == 8 ? v : (u32)v;
}

/*
 * Fast path for the instruction forms of svp_fast_kind(): the same
 * result as svp_exec(), which runs everything else (in->fk == FK_NONE).
 */
static inline int svp_exec_fast(struct svp_cpu *cpu, struct svp_insn *in)
{
	u64 *g = cpu->s.gpr, d, v, res;
	int op = in->op, osz = in->osz, aop = op >> 3, sz, r;
	u64 m = osz == 8 ? ~0ULL : 0xffffffffULL;

	switch (in->fk) {
	case FK_JCC8:
		cpu->s.rip = in->next_rip;
		if (svp_cond(cpu, op & 15))
			cpu->s.rip += svp_sx(in->imm, 1);
		return SVP_OK;
	case FK_JCC32:
		cpu->s.rip = in->next_rip;
		if (svp_cond(cpu, op & 15))
			cpu->s.rip += svp_sx(in->imm, 4);
		return SVP_OK;
	case FK_JMP8:
		cpu->s.rip = in->next_rip + svp_sx(in->imm, 1);
		return SVP_OK;
	case FK_JMP32:
		cpu->s.rip = in->next_rip + svp_sx(in->imm, 4);
		return SVP_OK;
	case FK_ALU_RM_R:
		d = g[in->rm] & m;
		v = g[in->reg] & m;
		res = alu_res(aop, d, v, 0);
		if (aop != OP_CMP)
			fset(cpu, in->rm, osz, res);
		alu_flags(cpu, aop, osz, d, v, res, 0);
		break;
	case FK_ALU_R_RM:
		if (in->mem) {
			r = mrd(cpu, in->ea, osz, &v);
			if (r)
				return r;
		} else {
			v = g[in->rm] & m;
		}
		d = g[in->reg] & m;
		res = alu_res(aop, d, v, 0);
		if (aop != OP_CMP)
			fset(cpu, in->reg, osz, res);
		alu_flags(cpu, aop, osz, d, v, res, 0);
		break;
	case FK_ALU_ACC:
		d = g[0] & m;
		v = svp_sx(in->imm, 4) & m;
		res = alu_res(aop, d, v, 0);
		if (aop != OP_CMP)
			fset(cpu, 0, osz, res);
		alu_flags(cpu, aop, osz, d, v, res, 0);
		break;
	case FK_ALU_I8:
	case FK_ALU_I32:
		aop = in->reg & 7;
		d = g[in->rm] & m;
		v = svp_sx(in->imm, in->fk == FK_ALU_I8 ? 1 : 4) & m;
		res = alu_res(aop, d, v, 0);
		if (aop != OP_CMP)
			fset(cpu, in->rm, osz, res);
		alu_flags(cpu, aop, osz, d, v, res, 0);
		break;
	case FK_TEST:
		if (in->mem) {
			r = mrd(cpu, in->ea, osz, &v);
			if (r)
				return r;
		} else {
			v = g[in->rm];
		}
		svp_set_lazy(cpu, SVP_LF_LOGIC, osz, 0, 0,
			     v & g[in->reg] & m);
		break;
	case FK_MOV_ST:
		if (in->mem) {
			r = mwr(cpu, in->ea, osz, g[in->reg]);
			if (r)
				return r;
		} else {
			fset(cpu, in->rm, osz, g[in->reg]);
		}
		break;
	case FK_MOV_LD:
		if (in->mem) {
			r = mrd(cpu, in->ea, osz, &v);
			if (r)
				return r;
		} else {
			v = g[in->rm];
		}
		fset(cpu, in->reg, osz, v);
		break;
	case FK_LEA:
		fset(cpu, in->reg, osz, in->ea);
		break;
	case FK_MOV_IMM:
		fset(cpu, (op & 7) | ((in->rex & 1) << 3), osz, in->imm);
		break;
	case FK_MOVSXD:
		if (in->mem) {
			r = mrd(cpu, in->ea, 4, &v);
			if (r)
				return r;
		} else {
			v = (u32)g[in->rm];
		}
		fset(cpu, in->reg, osz, osz == 8 ? svp_sx(v, 4) : v);
		break;
	case FK_MOVX:
		sz = (op & 1) ? 2 : 1;
		if (in->mem) {
			r = mrd(cpu, in->ea, sz, &v);
			if (r)
				return r;
		} else {
			v = rget(cpu, in, in->rm, sz);
		}
		if (op >= 0x1be)
			v = svp_sx(v, sz);
		fset(cpu, in->reg, osz, v);
		break;
	case FK_CALL:
		r = svp_push(cpu, in->next_rip, 8);
		if (r)
			return r;
		cpu->s.rip = in->next_rip + svp_sx(in->imm, 4);
		return SVP_OK;
	case FK_RET:
	case FK_JMP_IND:
		r = SVP_OK;
		if (in->fk == FK_RET)
			r = mrd(cpu, g[4], 8, &v);
		else if (in->mem)
			r = mrd(cpu, in->ea, 8, &v);
		else
			v = g[in->rm];
		if (r)
			return r;
		if (!svp_canonical(v))
			return svp_raise(cpu, SVP_GP, 0, true);
		if (in->fk == FK_RET)
			g[4] += 8;
		cpu->s.rip = v;
		return SVP_OK;
	case FK_PUSH:
		r = svp_push(cpu, g[(op & 7) | ((in->rex & 1) << 3)], 8);
		if (r)
			return r;
		break;
	case FK_POP:
		r = mrd(cpu, g[4], 8, &v);
		if (r)
			return r;
		g[4] += 8;
		g[(op & 7) | ((in->rex & 1) << 3)] = v;
		break;
	case FK_CDQE:
		g[0] = osz == 8 ? svp_sx(g[0], 4) : (u32)svp_sx(g[0], 2);
		break;
	case FK_CMP_MEM:
		r = mrd(cpu, in->ea, osz, &d);
		if (r)
			return r;
		v = g[in->reg] & m;
		alu_flags(cpu, OP_CMP, osz, d, v, d - v, 0);
		break;
	case FK_INCDEC: {
		u64 cf = svp_cf(cpu);

		d = g[in->rm] & m;
		res = in->reg & 7 ? d - 1 : d + 1;
		fset(cpu, in->rm, osz, res);
		svp_set_lazy(cpu, in->reg & 7 ? SVP_LF_DEC : SVP_LF_INC, osz,
			     d, 1, res);
		cpu->lf_aux = cf;
		break;
	}
	case FK_MOV8_ST:
		v = rget(cpu, in, in->reg, 1);
		if (in->mem) {
			r = mwr(cpu, in->ea, 1, v);
			if (r)
				return r;
		} else {
			rset(cpu, in, in->rm, 1, v);
		}
		break;
	case FK_CMP8:
	case FK_TEST8:
	case FK_CMP8_I:
		if (in->mem) {
			r = mrd(cpu, in->ea, 1, &d);
			if (r)
				return r;
		} else {
			d = rget(cpu, in, in->rm, 1);
		}
		if (in->fk == FK_TEST8) {
			svp_set_lazy(cpu, SVP_LF_LOGIC, 1, 0, 0,
				     d & rget(cpu, in, in->reg, 1));
			break;
		}
		v = in->fk == FK_CMP8 ? rget(cpu, in, in->reg, 1) :
		    in->imm & 0xff;
		alu_flags(cpu, OP_CMP, 1, d, v, d - v, 0);
		break;
	case FK_SHIFT_I: {
		u32 c = in->imm & (osz == 8 ? 0x3f : 0x1f);

		d = g[in->rm] & m;
		if (c)
			d = svp_shift(cpu, in->reg & 7, osz, d, c);
		fset(cpu, in->rm, osz, d);
		break;
	}
	default:
		return -1;
	}
	cpu->s.rip = in->next_rip;
	return SVP_OK;
}

/*
 * The decode cache hit path of svp_decode(), inline in the run loop:
 * returns 0 with *@out set, or -1 if svp_decode() must run.
 */
static inline int svp_decode_cached(struct svp_cpu *cpu,
				    struct svp_insn **out)
{
	u64 la = cpu->s.rip, g;
	struct svp_tlbe *e = svp_tlb_lookup(cpu, la, SVP_ACC_X, svp_user(cpu));
	struct svp_codepage *cp;
	struct svp_insn *d;

	if (unlikely(!e))
		return -1;
	g = e->gpa + (la & 0xfff);
	d = &cpu->dc[(la ^ (la >> SVP_DC_BITS)) & (SVP_DC_SIZE - 1)];
	cp = &cpu->cp[(g >> 12) & (SVP_CP_SIZE - 1)];
	if (unlikely(d->la != la || d->gpa != g || cp->gen != d->gen ||
		     cp->page != e->gpa))
		return -1;
	cpu->ib_len = 0;
	svp_ea(cpu, d, la);
	*out = d;
	return 0;
}

/**
 * svp_run() - execute guest instructions.
 * @cpu: the VP.
 * @budget: maximum number of instructions.
 * @exit: exit information.
 *
 * Return: the exit reason.
 */
int svp_run(struct svp_cpu *cpu, u64 budget, struct svp_exit *exit)
{
	struct svp_insn buf, *in = &buf;
	u64 n;
	int r;

	cpu->exit = exit;
	cpu->exit_pending = false;
	cpu->pending_read = false;
	for (n = 0; n < budget; n++) {
		/* single-step (TF) is not implemented: refuse, never ignore */
		if (unlikely(!cpu->mode_ok || (cpu->s.rflags & SVP_TF))) {
			cpu->ib_len = 0;
			svp_fail(cpu, SVP_FAIL_UNSUPPORTED_MODE, NULL, 0);
			return exit->reason;
		}
		r = svp_decode_cached(cpu, &in);
		if (unlikely(r))
			r = svp_decode(cpu, &buf, &in);
		if (likely(!r)) {
			r = svp_exec_fast(cpu, in);
			if (r < 0)
				r = svp_exec(cpu, in);
		}
		if (likely(r == SVP_OK || r == SVP_RETRY)) {
			cpu->retired++;
			if (unlikely(cpu->rd[0].valid || cpu->rd[1].valid))
				svp_rd_clear(cpu);
			if (unlikely(cpu->exit_pending))
				return exit->reason;
			continue;
		}
		if (r == SVP_R_EXC) {
			svp_rd_clear(cpu);
			cpu->exit_pending = false;
			r = svp_deliver(cpu);
			if (r == SVP_R_EXIT && cpu->pending_read) {
				/* descriptor table or TSS in MMIO */
				svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
				return exit->reason;
			}
			if (r == SVP_R_EXIT || cpu->exit_pending)
				return exit->reason;
			continue;
		}
		return exit->reason;
	}
	return SVP_EXIT_BUDGET;
}
