// SPDX-License-Identifier: GPL-2.0
/*
 * Run loop of the software x86-64 VP: the decode cache hit path, the fast
 * path for the common integer forms (svp_exec_fast()) and svp_run().
 */
#include "svp_internal.h"

/* Write a 4- or 8-byte result to GPR @idx (32-bit writes zero-extend). */
static inline void fset(struct svp_cpu *cpu, int idx, u64 m, u64 v)
{
	cpu->s.gpr[idx] = v & m;
}

/* ALU operation @aop on register @dst (value @d) and @v; CMP only sets flags. */
static inline void fast_alu(struct svp_cpu *cpu, int aop, int osz, u64 m,
			    int dst, u64 d, u64 v)
{
	u64 res = svp_alu_res(aop, d, v, 0);

	if (aop != OP_CMP)
		fset(cpu, dst, m, res);
	svp_alu_flags(cpu, aop, osz, d, v, res, 0);
}

/*
 * Fast path for the instruction forms of svp_fast_kind(): the same
 * result as svp_exec(), which runs everything else (in->fk == FK_NONE).
 */
static __always_inline int svp_exec_fast(struct svp_cpu *cpu, struct svp_insn *in)
{
	u64 *g = cpu->s.gpr, d, v, res, m = in->msk;
	int op = in->op, osz = in->osz, aop = op >> 3, sz, r;

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
		fast_alu(cpu, aop, osz, m, in->rm, g[in->rm] & m, g[in->reg] & m);
		break;
	case FK_ALU_R_RM:
		if (in->mem) {
			r = svp_mrd(cpu, in->ea, osz, &v);
			if (r)
				return r;
		} else {
			v = g[in->rm] & m;
		}
		fast_alu(cpu, aop, osz, m, in->reg, g[in->reg] & m, v);
		break;
	case FK_ALU_ACC:
		fast_alu(cpu, aop, osz, m, 0, g[0] & m, svp_sx(in->imm, 4) & m);
		break;
	case FK_ALU_I8:
	case FK_ALU_I32:
		aop = in->reg & 7;
		v = svp_sx(in->imm, in->fk == FK_ALU_I8 ? 1 : 4) & m;
		fast_alu(cpu, aop, osz, m, in->rm, g[in->rm] & m, v);
		break;
	case FK_TEST:
		if (in->mem) {
			r = svp_mrd(cpu, in->ea, osz, &v);
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
			r = svp_mwr(cpu, in->ea, osz, g[in->reg]);
			if (r)
				return r;
		} else {
			fset(cpu, in->rm, m, g[in->reg]);
		}
		break;
	case FK_MOV_LD:
		if (in->mem) {
			r = svp_mrd(cpu, in->ea, osz, &v);
			if (r)
				return r;
		} else {
			v = g[in->rm];
		}
		fset(cpu, in->reg, m, v);
		break;
	case FK_LEA:
		fset(cpu, in->reg, m, in->ea);
		break;
	case FK_MOV_IMM:
		fset(cpu, (op & 7) | ((in->rex & 1) << 3), m, in->imm);
		break;
	case FK_MOVSXD:
		if (in->mem) {
			r = svp_mrd(cpu, in->ea, 4, &v);
			if (r)
				return r;
		} else {
			v = (u32)g[in->rm];
		}
		fset(cpu, in->reg, m, osz == 8 ? svp_sx(v, 4) : v);
		break;
	case FK_MOVX:
		sz = (op & 1) ? 2 : 1;
		if (in->mem) {
			r = svp_mrd(cpu, in->ea, sz, &v);
			if (r)
				return r;
		} else {
			v = svp_rget(cpu, in, in->rm, sz);
		}
		if (op >= 0x1be)
			v = svp_sx(v, sz);
		fset(cpu, in->reg, m, v);
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
			r = svp_mrd(cpu, g[4], 8, &v);
		else if (in->mem)
			r = svp_mrd(cpu, in->ea, 8, &v);
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
		r = svp_mrd(cpu, g[4], 8, &v);
		if (r)
			return r;
		g[4] += 8;
		g[(op & 7) | ((in->rex & 1) << 3)] = v;
		break;
	case FK_IMUL: {
		bool ovf;

		if (in->mem) {
			r = svp_mrd(cpu, in->ea, osz, &d);
			if (r)
				return r;
		} else {
			d = g[in->rm] & m;
		}
		v = op == 0x1af ? g[in->reg] & m :
		    svp_sx(in->imm, op == 0x6b ? 1 : 4);
		if (osz == 8) {
			__int128 pp = (__int128)(s64)d * (s64)v;

			res = (u64)pp;
			ovf = pp != (__int128)(s64)res;
		} else {
			res = (u64)((s64)svp_sx(d, 4) * (s64)svp_sx(v, 4));
			ovf = svp_sx(res & m, 4) != res;
		}
		fset(cpu, in->reg, m, res);
		/* SF, ZF, PF from the low half (lazily), AF cleared */
		svp_set_lazy(cpu, SVP_LF_SHIFT, osz, 0, 0, res);
		cpu->lf_aux = ovf ? SVP_CF | SVP_OF : 0;
		break;
	}
	case FK_CDQE:
		g[0] = osz == 8 ? svp_sx(g[0], 4) : (u32)svp_sx(g[0], 2);
		break;
	case FK_CMP_MEM:
		r = svp_mrd(cpu, in->ea, osz, &d);
		if (r)
			return r;
		v = g[in->reg] & m;
		svp_alu_flags(cpu, OP_CMP, osz, d, v, d - v, 0);
		break;
	case FK_INCDEC: {
		u64 cf = svp_cf(cpu);

		d = g[in->rm] & m;
		res = in->reg & 7 ? d - 1 : d + 1;
		fset(cpu, in->rm, m, res);
		svp_set_lazy(cpu, in->reg & 7 ? SVP_LF_DEC : SVP_LF_INC, osz,
			     d, 1, res);
		cpu->lf_aux = cf;
		break;
	}
	case FK_MOV8_ST:
		v = svp_rget(cpu, in, in->reg, 1);
		if (in->mem) {
			r = svp_mwr(cpu, in->ea, 1, v);
			if (r)
				return r;
		} else {
			svp_rset(cpu, in, in->rm, 1, v);
		}
		break;
	case FK_CMP8:
	case FK_TEST8:
	case FK_CMP8_I:
		if (in->mem) {
			r = svp_mrd(cpu, in->ea, 1, &d);
			if (r)
				return r;
		} else {
			d = svp_rget(cpu, in, in->rm, 1);
		}
		if (in->fk == FK_TEST8) {
			svp_set_lazy(cpu, SVP_LF_LOGIC, 1, 0, 0,
				     d & svp_rget(cpu, in, in->reg, 1));
			break;
		}
		v = in->fk == FK_CMP8 ? svp_rget(cpu, in, in->reg, 1) :
		    in->imm & 0xff;
		svp_alu_flags(cpu, OP_CMP, 1, d, v, d - v, 0);
		break;
	case FK_SHIFT_I: {
		u32 c = in->imm & (osz == 8 ? 0x3f : 0x1f);

		d = g[in->rm] & m;
		if (c)
			d = svp_shift(cpu, in->reg & 7, osz, d, c);
		fset(cpu, in->rm, m, d);
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

/*
 * Whether the pending event can be delivered at this boundary: not in the
 * middle of an instruction that an IN/MMIO read exit interrupted, and not
 * blocked (RFLAGS.IF and the shadows for an interrupt, NMI blocking and
 * the MOV SS shadow for an NMI). A blocked event stays pending.
 */
static bool svp_event_deliverable(const struct svp_cpu *cpu)
{
	if (!cpu->mode_ok || cpu->rd[0].valid || cpu->rd[1].valid)
		return false;
	if (cpu->s.event_pending == SVP_EVENT_NMI)
		return !cpu->s.nmi_blocked &&
		       !(svp_shadow_live(cpu) & SVP_SHADOW_MOV_SS);
	return (cpu->s.rflags & SVP_IF) && !svp_shadow_live(cpu);
}

/*
 * The slow path of the instruction boundary, taken when cpu->chk is not
 * zero: a kick, the end of an interrupt shadow, a pending event, the
 * interrupt window or an unsupported mode (debugging is svp_run_dbg()'s).
 * Returns 0 to go on with the next instruction, or 1 when svp_run() must
 * return exit->reason.
 */
static noinline int svp_boundary(struct svp_cpu *cpu)
{
	struct svp_exit *exit = cpu->exit;
	int r;

	if (svp_env_load(&cpu->chk.kick, 1)) {
		svp_env_store(&cpu->chk.kick, 1, 0);
		exit->reason = SVP_EXIT_KICK;
		return 1;
	}
	if (cpu->s.intr_shadow && !svp_shadow_live(cpu)) {
		cpu->s.intr_shadow = 0;
		svp_update_slow(cpu);
	}
	if (cpu->s.event_pending && svp_event_deliverable(cpu)) {
		cpu->exit_pending = false;
		r = svp_deliver_event(cpu);
		if (r == SVP_R_EXIT && cpu->pending_read) {
			/* descriptor table or TSS in MMIO */
			svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
			return 1;
		}
		if (r == SVP_R_EXIT || cpu->exit_pending)
			return 1;
	}
	if (!cpu->mode_ok) {
		cpu->ib_len = 0;
		svp_fail(cpu, SVP_FAIL_UNSUPPORTED_MODE, NULL, 0);
		return 1;
	}
	if (cpu->irq_window && svp_irq_ready(cpu)) {
		exit->reason = SVP_EXIT_IRQ_WINDOW;
		return 1;
	}
	return 0;
}

static int svp_dbg_exit(struct svp_cpu *cpu, u32 type, u32 idx, u64 dr6)
{
	struct svp_exit *exit = cpu->exit;

	exit->reason = SVP_EXIT_DEBUG;
	exit->debug.rip = cpu->s.rip;
	exit->debug.dr6 = dr6 | SVP_DR6_FIXED1;
	exit->debug.type = type;
	exit->debug.index = idx;
	return SVP_EXIT_DEBUG;
}

static inline bool svp_vmm_step(const struct svp_cpu *cpu)
{
	return (cpu->dbg.vmm.flags & (SVP_GDBG_ENABLE | SVP_GDBG_SINGLESTEP)) ==
	       (SVP_GDBG_ENABLE | SVP_GDBG_SINGLESTEP);
}

/*
 * Deliver the exception in cpu->exc_* from the debug loop. Returns 0 when
 * it was delivered (the guest now is at its handler), 1 when svp_run()
 * must return exit->reason.
 */
static int svp_dbg_deliver(struct svp_cpu *cpu)
{
	int r;

	svp_rd_clear(cpu);
	cpu->exit_pending = false;
	r = svp_deliver(cpu);
	if (r == SVP_R_EXIT && cpu->pending_read) {
		/* descriptor table or TSS in MMIO */
		svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
		return 1;
	}
	return r == SVP_R_EXIT || cpu->exit_pending;
}

/*
 * svp_run() while debugging (see svp_debug.c): svp_run()'s loop with the
 * debug checks around every instruction. Order at each boundary: an exit
 * owed to the VMM, a #DB trap owed to the guest, the usual boundary work
 * (events), VMM then guest execute breakpoints; after the instruction,
 * VMM data breakpoints (before the VMM step) and the guest's data
 * breakpoints and TF trap. A VMM step ends after one instruction (or one
 * string iteration) retires or one exception or event is delivered (then
 * RIP is the handler's first instruction, not yet executed).
 */
static noinline int svp_run_dbg(struct svp_cpu *cpu, u64 budget,
				struct svp_exit *exit)
{
	struct svp_dbg *d = &cpu->dbg;
	struct svp_insn buf, *in;
	u64 n, bits;
	bool tf, ev;
	int r;

	for (n = 0; n < budget; n++) {
		if (d->pend_vmm) {
			r = d->pend_vmm;
			d->pend_vmm = 0;
			svp_update_slow(cpu);
			return svp_dbg_exit(cpu, r, d->pend_idx, d->pend_dr6);
		}
		if (d->pend_gdr6) {
			bits = d->pend_gdr6;
			d->pend_gdr6 = 0;
			svp_update_slow(cpu);
			svp_dbg_raise(cpu, bits);
			if (svp_dbg_deliver(cpu))
				return exit->reason;
			if (svp_vmm_step(cpu))
				return svp_dbg_exit(cpu, SVP_DEBUG_STEP, 0,
						    SVP_DR6_BS);
			continue;
		}
		ev = cpu->s.event_pending;
		if (svp_env_load(&cpu->chk.all, 4) && svp_boundary(cpu))
			return exit->reason;
		if (ev && !cpu->s.event_pending && svp_vmm_step(cpu))
			return svp_dbg_exit(cpu, SVP_DEBUG_STEP, 0, SVP_DR6_BS);
		if (d->armed && !(d->skip && d->skip_rip == cpu->s.rip)) {
			r = svp_dbg_exec_vmm(cpu, cpu->s.rip);
			if (r >= 0) {
				d->skip = true;
				d->skip_rip = cpu->s.rip;
				return svp_dbg_exit(cpu, SVP_DEBUG_BREAKPOINT, r,
						    1ULL << r);
			}
		}
		if (d->armed && !(cpu->s.rflags & SVP_RF)) {
			bits = svp_dbg_exec_guest(cpu, cpu->s.rip);
			if (bits) {
				/* a fault: RIP stays at the instruction */
				d->skip = false;
				svp_dbg_raise(cpu, bits);
				if (svp_dbg_deliver(cpu))
					return exit->reason;
				if (svp_vmm_step(cpu))
					return svp_dbg_exit(cpu, SVP_DEBUG_STEP,
							    0, SVP_DR6_BS);
				continue;
			}
		}
		tf = cpu->s.rflags & SVP_TF;
		d->hit_vmm = 0;
		d->hit_guest = 0;
		d->step_iter = tf || svp_vmm_step(cpu);
		/*
		 * svp_decode() and svp_exec() only: the inline fast paths
		 * stay with their single caller, svp_run().
		 */
		in = &buf;
		r = svp_decode(cpu, &buf, &in);
		if (!r)
			r = svp_exec(cpu, in);
		d->step_iter = false;
		d->skip = false;
		if (r == SVP_OK || r == SVP_RETRY) {
			cpu->retired++;
			if (cpu->rd[0].valid || cpu->rd[1].valid)
				svp_rd_clear(cpu);
			/* RF lasts one instruction, except as loaded by IRET */
			if (r == SVP_OK && in->op != 0xcf &&
			    (cpu->s.rflags & SVP_RF)) {
				cpu->s.rflags &= ~SVP_RF;
				svp_update_slow(cpu);
			}
			bits = d->hit_guest | (tf ? SVP_DR6_BS : 0);
			if (bits)
				d->pend_gdr6 |= bits;
			if (d->hit_vmm) {
				d->pend_vmm = SVP_DEBUG_BREAKPOINT;
				d->pend_idx = 0;
				while (!(d->hit_vmm & (1U << d->pend_idx)))
					d->pend_idx++;
				d->pend_dr6 = d->hit_vmm;
			} else if (svp_vmm_step(cpu)) {
				d->pend_vmm = SVP_DEBUG_STEP;
				d->pend_idx = 0;
				d->pend_dr6 = SVP_DR6_BS;
			}
			if (d->pend_vmm || d->pend_gdr6)
				svp_update_slow(cpu);
			if (cpu->exit_pending)
				return exit->reason;
			continue;
		}
		if (r == SVP_R_EXC) {
			if (svp_dbg_deliver(cpu))
				return exit->reason;
			if (svp_vmm_step(cpu))
				return svp_dbg_exit(cpu, SVP_DEBUG_STEP, 0,
						    SVP_DR6_BS);
			continue;
		}
		return exit->reason;
	}
	return SVP_EXIT_BUDGET;
}

/*
 * The memory operand's linear address of a block instruction (prepared
 * by svp_block_prep()).
 */
static __always_inline void svp_ea_blk(const struct svp_cpu *cpu,
				       struct svp_insn *in)
{
	u64 ea;

	if (likely(in->eak == 1)) {
		in->ea = in->bdisp + *in->pb + (*in->pi << in->scale);
		return;
	}
	if (!in->eak)
		return;
	ea = in->bdisp + *in->pb + (*in->pi << in->scale);
	if (in->asz == 4)
		ea &= 0xffffffffULL;
	if (in->seg != SEG_NONE)
		ea += cpu->s.seg[in->seg].base;
	in->ea = ea;
}

/*
 * The valid block starting at RIP (building it if needed), or NULL when
 * the next instruction must take the per-instruction path.
 */
static inline struct svp_block *svp_block_find(struct svp_cpu *cpu)
{
	u64 la = cpu->s.rip;
	struct svp_tlbe *e = svp_tlb_lookup(cpu, la, SVP_ACC_X, svp_user(cpu));
	struct svp_codepage *cp;
	struct svp_block *b;

	if (unlikely(!e))
		return NULL;
	b = &cpu->blk[(la ^ (la >> SVP_BLK_BITS)) & (SVP_BLK_COUNT - 1)];
	cp = &cpu->cp[(e->gpa >> 12) & (SVP_CP_SIZE - 1)];
	if (likely(b->la == la && b->gpa == e->gpa + (la & 0xfff) &&
		   cp->page == e->gpa && cp->gen == b->gen))
		return b;
	return svp_block_build(cpu, e);
}

/**
 * svp_run() - execute guest instructions.
 * @cpu: the VP.
 * @budget: maximum number of instructions.
 * @exit: exit information.
 *
 * Instructions run block by block (svp_block.c) while nothing needs the
 * instruction boundary (cpu->chk is zero and no read data is pending):
 * a kick is then seen within SVP_BLK_INSNS instructions, and the budget
 * is still exact. Otherwise, and for instructions that are not in a
 * block, one instruction at a time with svp_boundary() before it.
 *
 * Return: the exit reason.
 */
int svp_run(struct svp_cpu *cpu, u64 budget, struct svp_exit *exit)
{
	struct svp_insn buf, *in, *start, *end;
	struct svp_block *b;
	u64 left = budget;
	int r;

	cpu->exit = exit;
	cpu->exit_pending = false;
	cpu->pending_read = false;
	while (left) {
		if (unlikely(svp_env_load(&cpu->chk.all, 4) ||
			     cpu->rd[0].valid || cpu->rd[1].valid))
			goto one;
		b = svp_block_find(cpu);
		if (unlikely(!b))
			goto one;
		cpu->code_dirty = false;
		cpu->ib_len = 0;	/* svp_fail() reads the bytes at RIP */
		in = b->in;
		end = in + (b->n < left ? b->n : left);
		goto run;
one:
		/* one instruction with the boundary checks before it */
		if (unlikely(svp_env_load(&cpu->chk.all, 4))) {
			if (svp_dbg_on(cpu))
				return svp_run_dbg(cpu, left, exit);
			if (svp_boundary(cpu))
				return exit->reason;
		}
		in = &buf;
		r = svp_decode_cached(cpu, &in);
		if (unlikely(r))
			r = svp_decode(cpu, &buf, &in);
		if (unlikely(r))
			goto fault;
		svp_block_prep(cpu, in);
		end = in + 1;
run:
		start = in;
		for (;;) {
			svp_ea_blk(cpu, in);
			r = svp_exec_fast(cpu, in);
			if (unlikely(r < 0))
				r = svp_exec(cpu, in);
			if (unlikely(r != SVP_OK && r != SVP_RETRY)) {
				left -= in - start;
				goto fault;
			}
			cpu->retired++;
			in++;
			if (unlikely(cpu->stop)) {
				if (cpu->exit_pending) {
					svp_rd_clear(cpu);
					return exit->reason;
				}
				/* code page written: the block may be stale */
				cpu->code_dirty = false;
				break;
			}
			if (in == end)
				break;
		}
		left -= in - start;
		if (unlikely(cpu->rd[0].valid || cpu->rd[1].valid))
			svp_rd_clear(cpu);
		continue;
fault:
		if (r == SVP_R_EXC) {
			left--;	/* as a retired instruction: bounds a fault loop */
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

/**
 * svp_irq_ready() - whether a maskable interrupt can be injected now.
 * @cpu: the VP.
 *
 * Return: RFLAGS.IF set, no interrupt shadow, no event pending and the
 * processor in a mode that can deliver it (64-bit long mode).
 */
bool svp_irq_ready(const struct svp_cpu *cpu)
{
	return (cpu->s.rflags & SVP_IF) && !svp_shadow_live(cpu) &&
	       !cpu->s.event_pending && cpu->mode_ok;
}

/**
 * svp_nmi_ready() - whether an NMI can be injected now.
 * @cpu: the VP.
 *
 * Return: NMIs not blocked, no MOV SS shadow and no event pending.
 */
bool svp_nmi_ready(const struct svp_cpu *cpu)
{
	return !cpu->s.nmi_blocked &&
	       !(svp_shadow_live(cpu) & SVP_SHADOW_MOV_SS) &&
	       !cpu->s.event_pending;
}

/**
 * svp_inject_irq() - make the next svp_run() deliver an external interrupt.
 * @cpu: the VP.
 * @vector: the vector (0-255; never with an error code).
 *
 * Only valid when svp_irq_ready(). If the interrupt is blocked anyway,
 * it stays pending until it can be delivered; a second injection before
 * delivery replaces the first.
 */
void svp_inject_irq(struct svp_cpu *cpu, u8 vector)
{
	cpu->s.event_pending = SVP_EVENT_IRQ;
	cpu->s.event_vector = vector;
	svp_update_slow(cpu);
}

/**
 * svp_inject_nmi() - make the next svp_run() deliver an NMI.
 * @cpu: the VP.
 *
 * Only valid when svp_nmi_ready(). An NMI injected while NMIs are blocked
 * stays pending until the IRET that unblocks them.
 */
void svp_inject_nmi(struct svp_cpu *cpu)
{
	cpu->s.event_pending = SVP_EVENT_NMI;
	cpu->s.event_vector = 0;
	svp_update_slow(cpu);
}

/**
 * svp_request_irq_window() - exit when an interrupt can be injected.
 * @cpu: the VP.
 * @on: request (true) or cancel (false) SVP_EXIT_IRQ_WINDOW exits.
 */
void svp_request_irq_window(struct svp_cpu *cpu, bool on)
{
	cpu->irq_window = on;
	svp_update_slow(cpu);
}

/**
 * svp_kick() - make svp_run() return SVP_EXIT_KICK at the next boundary.
 * @cpu: the VP.
 *
 * Callable from any thread and from hard interrupt context: it only
 * stores one byte that the run loop tests before every block (at most
 * SVP_BLK_INSNS instructions) or instruction.
 */
void svp_kick(struct svp_cpu *cpu)
{
	svp_env_store(&cpu->chk.kick, 1, 1);
}
