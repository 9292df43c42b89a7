// SPDX-License-Identifier: GPL-2.0
/*
 * One-byte opcode executor (svp_exec()) of the software x86-64 VP (64-bit
 * long mode only), and the overview of its interpreter, which is split
 * into svp_decode.c (decoder), svp_run.c (run loop and fast path),
 * svp_exec_0f.c (two-byte opcodes), svp_alu.c, svp_string.c and
 * svp_system.c.
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
 * later vector extensions, task switches, call gates, IRET with NT, 16/32-bit modes. String
 * instructions execute up to SVP_STR_CHUNK elements per step (one
 * "instruction" of the budget).
 */
#include "svp_internal.h"

/**
 * svp_exec() - execute an instruction not handled by the fast path.
 * @cpu: the VP.
 * @in: the decoded instruction.
 *
 * Return: SVP_OK, SVP_RETRY or an SVP_R_* code.
 */
int svp_exec(struct svp_cpu *cpu, struct svp_insn *in)
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
			r = svp_alu_rm(cpu, in, op >> 3, sz,
				       svp_rget(cpu, in, in->reg, sz));
			break;
		case 2:
		case 3: {
			u64 d = svp_rget(cpu, in, in->reg, sz), res;
			int aop = op >> 3;
			u64 cin = (aop == OP_ADC || aop == OP_SBB) ?
				  (svp_flags(cpu) & SVP_CF) : 0;

			r = svp_rm_rd(cpu, in, sz, &v);
			if (r)
				return r;
			res = svp_alu_res(aop, d, v, cin);
			if (aop != OP_CMP)
				svp_rset(cpu, in, in->reg, sz, res);
			svp_alu_flags(cpu, aop, sz, d, v, res, cin);
			break;
		}
		default: {
			u64 d = svp_rget(cpu, in, 0, sz), res, src;
			int aop = op >> 3;
			u64 cin = (aop == OP_ADC || aop == OP_SBB) ?
				  (svp_flags(cpu) & SVP_CF) : 0;

			src = (op & 7) == 4 ? in->imm :
			      svp_sx(in->imm, sz == 2 ? 2 : 4);
			src &= svp_mask(sz);
			res = svp_alu_res(aop, d, src, cin);
			if (aop != OP_CMP)
				svp_rset(cpu, in, 0, sz, res);
			svp_alu_flags(cpu, aop, sz, d, src, res, cin);
			break;
		}
		}
		break;
	case 0x50 ... 0x57:
		r = svp_push(cpu,
			     svp_rget(cpu, in, (op & 7) | ((in->rex & 1) << 3),
				      dsz), dsz);
		break;
	case 0x58 ... 0x5f:
		r = svp_mrd(cpu, g[4], dsz, &v);
		if (r)
			return r;
		g[4] += dsz;
		svp_rset(cpu, in, (op & 7) | ((in->rex & 1) << 3), dsz, v);
		break;
	case 0x63:	/* MOVSXD */
		r = svp_rm_rd(cpu, in, 4, &v);
		if (r)
			return r;
		svp_rset(cpu, in, in->reg, osz, osz == 8 ? svp_sx(v, 4) : v);
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

		r = svp_rm_rd(cpu, in, osz, &a);
		if (r)
			return r;
		if (op == 0x1af)
			t = svp_rget(cpu, in, in->reg, osz);
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
		svp_rset(cpu, in, in->reg, osz, p);
		/* SF, ZF, PF from the low half (lazily), AF cleared */
		svp_set_lazy(cpu, SVP_LF_SHIFT, osz, 0, 0, p);
		cpu->lf_aux = ovf ? SVP_CF | SVP_OF : 0;
		break;
	}
	case 0x6c ... 0x6f:
	case 0xa4 ... 0xa7:
	case 0xaa ... 0xaf:
		r = svp_exec_string(cpu, in);
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
		r = svp_alu_rm(cpu, in, in->reg & 7, sz, v);
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
			r = svp_rm_rd(cpu, in, sz, &v);
			if (r)
				return r;
			t = svp_rget(cpu, in, in->reg, sz);
		}
		svp_set_lazy(cpu, SVP_LF_LOGIC, sz, 0, 0, v & t);
		break;
	case 0x86:
	case 0x87:
		sz = (op & 1) ? osz : 1;
		if (in->mem) {
			r = svp_exec_xchg_mem(cpu, in, sz);
		} else {
			v = svp_rget(cpu, in, in->rm, sz);
			t = svp_rget(cpu, in, in->reg, sz);
			svp_rset(cpu, in, in->rm, sz, t);
			svp_rset(cpu, in, in->reg, sz, v);
		}
		break;
	case 0x88:
	case 0x89:
		sz = (op & 1) ? osz : 1;
		r = svp_rm_wr(cpu, in, sz, svp_rget(cpu, in, in->reg, sz));
		break;
	case 0x8a:
	case 0x8b:
		sz = (op & 1) ? osz : 1;
		r = svp_rm_rd(cpu, in, sz, &v);
		if (!r)
			svp_rset(cpu, in, in->reg, sz, v);
		break;
	case 0x8c:	/* MOV r/m, Sreg */
		if ((in->reg & 7) > 5)
			return UD();
		v = s->seg[in->reg & 7].sel;
		r = in->mem ? svp_mwr(cpu, in->ea, 2, v) :
		    (svp_rset(cpu, in, in->rm, osz, v), SVP_OK);
		break;
	case 0x8d:	/* LEA */
		if (!in->mem)
			return UD();
		v = in->ea;
		if (in->seg != SEG_NONE)
			v -= s->seg[in->seg].base;
		svp_rset(cpu, in, in->reg, osz, v);
		break;
	case 0x8e:	/* MOV Sreg, r/m */
		if ((in->reg & 7) == SVP_SEG_CS || (in->reg & 7) > 5)
			return UD();
		r = svp_rm_rd(cpu, in, 2, &v);
		if (!r)
			r = svp_load_seg(cpu, in->reg & 7, v);
		if (!r && (in->reg & 7) == SVP_SEG_SS)
			svp_set_shadow(cpu, SVP_SHADOW_MOV_SS);
		break;
	case 0x8f:	/* POP r/m */
		if (in->reg & 7)
			return UD();
		r = svp_mrd(cpu, g[4], dsz, &v);
		if (r)
			return r;
		if (in->mem && in->base == 4)
			in->ea += dsz;
		r = svp_rm_wr(cpu, in, dsz, v);
		if (!r)
			g[4] += dsz;
		break;
	case 0x90 ... 0x97: {
		int reg = (op & 7) | ((in->rex & 1) << 3);

		if (reg == 0)
			break;	/* NOP, PAUSE */
		v = svp_rget(cpu, in, reg, osz);
		svp_rset(cpu, in, reg, osz, svp_rget(cpu, in, 0, osz));
		svp_rset(cpu, in, 0, osz, v);
		break;
	}
	case 0x98:
		if (osz == 8)
			g[0] = svp_sx(g[0], 4);
		else if (osz == 4)
			g[0] = (u32)svp_sx(g[0], 2);
		else
			svp_rset(cpu, in, 0, 2, svp_sx(g[0], 1));
		break;
	case 0x99:
		v = (g[0] >> (osz * 8 - 1)) & 1 ? ~0ULL : 0;
		svp_rset(cpu, in, 2, osz, v);
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

		r = svp_mrd(cpu, g[4], dsz, &v);
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
		svp_rset(cpu, in, 4, 1, (svp_get_rflags(cpu) & 0xd5) | 2);
		break;
	case 0xa0 ... 0xa3: {	/* MOV moffs */
		u64 la = in->imm;

		if (in->asz == 4)
			la &= 0xffffffffULL;
		if (in->seg != SEG_NONE)
			la += s->seg[in->seg].base;
		sz = (op & 1) ? osz : 1;
		if (op < 0xa2) {
			r = svp_mrd(cpu, la, sz, &v);
			if (!r)
				svp_rset(cpu, in, 0, sz, v);
		} else {
			r = svp_mwr(cpu, la, sz, g[0]);
		}
		break;
	}
	case 0xb0 ... 0xb7:
		svp_rset(cpu, in, (op & 7) | ((in->rex & 1) << 3), 1, in->imm);
		break;
	case 0xb8 ... 0xbf:
		svp_rset(cpu, in, (op & 7) | ((in->rex & 1) << 3), osz,
			 in->imm);
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
		r = svp_exec_shift(cpu, in, sz, t);
		break;
	case 0xc2:
	case 0xc3:
		r = svp_mrd(cpu, g[4], dsz, &v);
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
		r = svp_rm_wr(cpu, in, sz, svp_sx(in->imm, sz == 1 ? 1 :
					       (sz == 2 ? 2 : 4)));
		break;
	case 0xc8: {	/* ENTER */
		u64 rsp = g[4], fp;
		int lvl = in->imm2 & 31, i;

		r = svp_mwr(cpu, rsp - dsz, dsz, g[5]);
		if (r)
			return r;
		rsp -= dsz;
		fp = rsp;
		for (i = 1; i < lvl; i++) {
			r = svp_mrd(cpu, g[5] - i * dsz, dsz, &v);
			if (!r)
				r = svp_mwr(cpu, rsp - dsz, dsz, v);
			if (r)
				return r;
			rsp -= dsz;
		}
		if (lvl) {
			r = svp_mwr(cpu, rsp - dsz, dsz, fp);
			if (r)
				return r;
			rsp -= dsz;
		}
		svp_rset(cpu, in, 5, dsz, fp);
		g[4] = rsp - (in->imm & 0xffff);
		break;
	}
	case 0xc9:	/* LEAVE */
		r = svp_mrd(cpu, g[5], dsz, &v);
		if (r)
			return r;
		g[4] = g[5] + dsz;
		svp_rset(cpu, in, 5, dsz, v);
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
		r = svp_mrd(cpu, t, 1, &v);
		if (!r)
			svp_rset(cpu, in, 0, 1, v);
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
			svp_rset(cpu, in, 0, sz, v);
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
	case 0xf1:	/* INT1: #DB as a trap, no DPL check, DR6 unchanged */
		s->rip = nrip;
		return svp_raise(cpu, SVP_DB, 0, false);
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
			r = svp_rm_rd(cpu, in, sz, &v);
			if (r)
				return r;
			t = svp_sx(in->imm, sz == 1 ? 1 : (sz == 2 ? 2 : 4));
			svp_set_lazy(cpu, SVP_LF_LOGIC, sz, 0, 0, v & t);
		} else if (rop < 4) {	/* NOT, NEG */
			struct svp_rmw w;
			u64 res;

			r = svp_rmw_rd(cpu, in, sz, &v, &w);
			if (r)
				return r;
			do {
				res = rop == 2 ? ~v : -v;
				r = svp_rmw_wr(cpu, in, sz, &v, res, &w);
			} while (r == SVP_RETRY);
			if (r)
				return r;
			if (rop == 3)
				svp_set_lazy(cpu, SVP_LF_SUB, sz, 0, v, res);
		} else {
			r = svp_exec_muldiv(cpu, in, sz, rop);
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
		if (op == 0xfa) {
			s->rflags &= ~SVP_IF;
		} else if (!(s->rflags & SVP_IF)) {
			s->rflags |= SVP_IF;
			svp_set_shadow(cpu, SVP_SHADOW_STI);
		}
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

			r = svp_rmw_rd(cpu, in, sz, &v, &w);
			if (r)
				return r;
			do {
				res = rop ? v - 1 : v + 1;
				r = svp_rmw_wr(cpu, in, sz, &v, res, &w);
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
			r = svp_mrd(cpu, in->ea, osz, &v);
			if (!r)
				r = svp_mrd(cpu, in->ea + osz, 2, &t);
			if (r)
				return r;
			return svp_far_jmp(cpu, t, v, rop == 3, osz, nrip);
		}
		sz = rop == 6 ? dsz : 8;	/* near CALL/JMP: 64-bit */
		r = svp_rm_rd(cpu, in, sz, &v);
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

	case 0x60 ... 0x62:
	case 0x82:
	case 0x9a:
	case 0xce:
	case 0xd4 ... 0xd6:
	case 0xea:
		return UD();
	default:
		if (op >= 0x100)
			return svp_exec_0f(cpu, in);
		return FAIL_EMU();
	}
	if (r)
		return r;
	s->rip = nrip;
	return SVP_OK;
}
