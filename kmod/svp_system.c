// SPDX-License-Identifier: GPL-2.0
/*
 * System instructions of the software x86-64 VP: the 0F 01 group,
 * CMPXCHG8B/CMPXCHG16B and SYSCALL/SYSRET.
 */
#include "svp_internal.h"

/**
 * svp_exec_0f01() - the 0F 01 group (SGDT, SIDT, LGDT, LIDT, SMSW, LMSW,
 * INVLPG, SWAPGS, RDTSCP, ...).
 * @cpu: the VP.
 * @in: the decoded instruction.
 * @nrip: the next RIP, which the instruction may change.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_0f01(struct svp_cpu *cpu, struct svp_insn *in, u64 *nrip)
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
			svp_rset(cpu, in, in->rm, in->osz, cpu->s.cr0);
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
		r = svp_mwr(cpu, in->ea, 2, lim);
		if (!r)
			r = svp_mwr(cpu, in->ea + 2, 8, base);
		return r;
	case 2:		/* LGDT */
	case 3:		/* LIDT */
		if (cpu->cpl)
			return GP0();
		r = svp_mrd(cpu, in->ea, 2, &lim);
		if (!r)
			r = svp_mrd(cpu, in->ea + 2, 8, &base);
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
		return svp_mwr(cpu, in->ea, 2, cpu->s.cr0 & 0xffff);
	case 6: {	/* LMSW */
		u64 v, cr0;

		if (cpu->cpl)
			return GP0();
		r = svp_rm_rd(cpu, in, 2, &v);
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

/**
 * svp_exec_cmpxchg8b16b() - CMPXCHG8B and CMPXCHG16B.
 * @cpu: the VP.
 * @in: the decoded instruction.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_cmpxchg8b16b(struct svp_cpu *cpu, struct svp_insn *in)
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
		if (unlikely(cpu->dbg.data))
			svp_dbg_access(cpu, in->ea, 16, true);
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
		r = svp_rmw_rd(cpu, &t, 8, &d, &w);
		if (r)
			return r;
		do {
			eq = d == cmp;
			r = svp_rmw_wr(cpu, &t, 8, &d, eq ? nv : d, &w);
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

/**
 * svp_exec_syscall() - SYSCALL.
 * @cpu: the VP.
 * @in: the decoded instruction.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_syscall(struct svp_cpu *cpu, struct svp_insn *in)
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

/**
 * svp_exec_sysret() - SYSRET.
 * @cpu: the VP.
 * @in: the decoded instruction.
 *
 * Return: SVP_OK or an SVP_R_* code.
 */
int svp_exec_sysret(struct svp_cpu *cpu, struct svp_insn *in)
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

