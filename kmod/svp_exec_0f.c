// SPDX-License-Identifier: GPL-2.0
/*
 * Two-byte (0F xx) opcode executor of the software x86-64 VP, called by
 * svp_exec() for every 0F opcode it does not share with a one-byte form.
 */
#include "svp_internal.h"

static u64 svp_popcnt(u64 v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

/**
 * svp_exec_0f() - execute a two-byte (0F xx) instruction for svp_exec().
 * @cpu: the VP.
 * @in: the decoded instruction (LOCK already checked by svp_exec()).
 *
 * Return: SVP_OK, SVP_RETRY or an SVP_R_* code.
 */
int svp_exec_0f(struct svp_cpu *cpu, struct svp_insn *in)
{
	struct svp_state *s = &cpu->s;
	u64 *g = s->gpr, nrip = in->next_rip, v = 0, t = 0;
	int op = in->op, osz = in->osz, sz, r = SVP_OK;
	int dsz = in->osz == 2 ? 2 : 8;	/* default-64 operand size */

	switch (op) {
	case 0x100: {	/* SLDT, STR, LLDT, LTR */
		int rop = in->reg & 7;

		if (rop < 2) {
			v = s->seg[rop ? SVP_SEG_TR : SVP_SEG_LDTR].sel;
			r = in->mem ? svp_mwr(cpu, in->ea, 2, v) :
			    (svp_rset(cpu, in, in->rm, osz, v), SVP_OK);
		} else if (rop < 4) {
			if (cpu->cpl)	/* before the operand is read */
				return GP0();
			r = svp_rm_rd(cpu, in, 2, &v);
			if (!r)
				r = svp_load_tr_ldt(cpu, rop == 3, v);
		} else {
			return FAIL_EMU();
		}
		break;
	}
	case 0x101:
		r = svp_exec_0f01(cpu, in, &nrip);
		break;
	case 0x105:
		r = svp_exec_syscall(cpu, in);
		return r;
	case 0x106:	/* CLTS */
		if (cpu->cpl)
			return GP0();
		s->cr0 &= ~SVP_CR0_TS;
		break;
	case 0x107:
		return svp_exec_sysret(cpu, in);
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
			v = svp_read_cr8(cpu);
			break;
		}
		g[in->rm] = v;
		break;
	}
	case 0x121:
	case 0x123:	/* MOV from/to a debug register */
		r = svp_mov_dr(cpu, op == 0x123, in->reg, in->rm);
		if (r)
			return r;
		break;
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
		r = svp_rm_rd(cpu, in, osz, &v);
		if (r)
			return r;
		if (svp_cond(cpu, op & 15))
			svp_rset(cpu, in, in->reg, osz, v);
		else if (osz == 4)
			g[in->reg] = (u32)g[in->reg];
		break;
	case 0x190 ... 0x19f:	/* SETcc */
		r = svp_rm_wr(cpu, in, 1, svp_cond(cpu, op & 15));
		break;
	case 0x1a0:
	case 0x1a8:	/* PUSH FS/GS */
		r = svp_push(cpu, s->seg[op == 0x1a0 ? SVP_SEG_FS :
				  SVP_SEG_GS].sel, dsz);
		break;
	case 0x1a1:
	case 0x1a9:	/* POP FS/GS */
		r = svp_mrd(cpu, g[4], dsz, &v);
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

		r = svp_exec_bt(cpu, in, kinds[(op >> 3) & 3],
				svp_rget(cpu, in, in->reg, osz), false);
		break;
	}
	case 0x1ba:
		if ((in->reg & 7) < 4)
			return UD();
		r = svp_exec_bt(cpu, in, (in->reg & 7) - 4, in->imm, true);
		break;
	case 0x1a4:
	case 0x1a5:
	case 0x1ac:
	case 0x1ad:
		r = svp_exec_shd(cpu, in, op >= 0x1ac,
				 (op & 1) ? g[1] : in->imm);
		break;
	case 0x1ae: {
		int rop = in->reg & 7;

		if (!in->mem && !in->rep && rop >= 5) {
			/*
			 * LFENCE and SFENCE order nothing x86-TSO does not
			 * already order; MFENCE orders stores before loads.
			 */
			if (rop == 6)
				svp_env_mfence();
			break;
		}
		if (in->mem && rop == 7 && !in->rep && !in->p66) {
			/* CLFLUSH: faults like a byte read, accesses nothing */
			u8 *h;

			if (!svp_canonical(in->ea))
				return GP0();
			r = svp_translate(cpu, in->ea, SVP_ACC_R,
					  svp_user(cpu), &h, &t);
			if (r)
				return r;
			break;
		}
		if (!in->mem && in->rep && rop < 4)
			return UD();	/* RD/WRFSBASE: CR4.FSGSBASE clear */
		return FAIL_EMU();
	}
	case 0x1b0:
	case 0x1b1:
		r = svp_exec_cmpxchg(cpu, in, op == 0x1b0 ? 1 : osz);
		break;
	case 0x1b6:
	case 0x1b7:
	case 0x1be:
	case 0x1bf:
		sz = (op & 1) ? 2 : 1;
		r = svp_rm_rd(cpu, in, sz, &v);
		if (r)
			return r;
		if (op >= 0x1be)
			v = svp_sx(v, sz);
		svp_rset(cpu, in, in->reg, osz, v);
		break;
	case 0x1b8:	/* POPCNT */
		if (in->rep != 0xf3)
			return FAIL_EMU();	/* JMPE */
		r = svp_rm_rd(cpu, in, osz, &v);
		if (r)
			return r;
		svp_rset(cpu, in, in->reg, osz, svp_popcnt(v));
		svp_set_eager(cpu, v ? 0 : SVP_ZF);
		break;
	case 0x1bc:
	case 0x1bd: {	/* BSF, BSR, LZCNT (TZCNT is BSF: no BMI1) */
		u64 f = svp_flags(cpu);

		r = svp_rm_rd(cpu, in, osz, &v);
		if (r)
			return r;
		if (op == 0x1bd && in->rep == 0xf3) {
			u64 cnt = v ? __builtin_clzll(v) - (64 - osz * 8) :
				  osz * 8;

			svp_rset(cpu, in, in->reg, osz, cnt);
			svp_set_eager(cpu, (f & ~(SVP_CF | SVP_ZF)) |
				      (v ? 0 : SVP_CF) |
				      (cnt ? 0 : SVP_ZF));
			break;
		}
		if (!v) {
			svp_set_eager(cpu, f | SVP_ZF);
			break;
		}
		svp_rset(cpu, in, in->reg, osz,
			 op == 0x1bc ? __builtin_ctzll(v) :
			 63 - __builtin_clzll(v));
		svp_set_eager(cpu, f & ~SVP_ZF);
		break;
	}
	case 0x1c0:
	case 0x1c1: {	/* XADD */
		struct svp_rmw w;
		u64 res;

		sz = op == 0x1c0 ? 1 : osz;
		t = svp_rget(cpu, in, in->reg, sz);
		r = svp_rmw_rd(cpu, in, sz, &v, &w);
		if (r)
			return r;
		do {
			res = v + t;
			r = svp_rmw_wr(cpu, in, sz, &v, res, &w);
		} while (r == SVP_RETRY);
		if (r)
			return r;
		if (in->mem || in->rm != in->reg)
			svp_rset(cpu, in, in->reg, sz, v);
		if (!in->mem)
			svp_rset(cpu, in, in->rm, sz, res);
		svp_set_lazy(cpu, SVP_LF_ADD, sz, v, t, res);
		break;
	}
	case 0x1c7:
		if ((in->reg & 7) == 1) {
			r = svp_exec_cmpxchg8b16b(cpu, in);
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
			svp_rset(cpu, in, reg, 2, 0);
		break;
	}
	default:
		return FAIL_EMU();
	}
	if (r)
		return r;
	s->rip = nrip;
	return SVP_OK;
}
