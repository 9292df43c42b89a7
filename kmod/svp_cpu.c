// SPDX-License-Identifier: GPL-2.0
/*
 * Software x86-64 VP: state, system registers, MSRs,
 * segmentation, exception delivery and the default CPUID table.
 */
#include "svp_internal.h"

/* Vectors that push an error code. */
#define SVP_ERRCODE_VECS	((1U << 8) | (1U << 10) | (1U << 11) | \
				 (1U << 12) | (1U << 13) | (1U << 14) | \
				 (1U << 17) | (1U << 21) | (1U << 29) | \
				 (1U << 30))

/**
 * svp_cpu_size() - bytes to allocate (zeroed) for one struct svp_cpu.
 */
size_t svp_cpu_size(void)
{
	return sizeof(struct svp_cpu);
}

/**
 * svp_update_mode() - recompute the CPL and whether the current processor
 * mode (64-bit long mode) is supported.
 * @cpu: the VP.
 */
void svp_update_mode(struct svp_cpu *cpu)
{
	const struct svp_state *s = &cpu->s;

	cpu->cpl = s->seg[SVP_SEG_CS].sel & 3;
	cpu->mode_ok = (s->cr0 & SVP_CR0_PE) && (s->cr0 & SVP_CR0_PG) &&
		       (s->efer & SVP_EFER_LMA) &&
		       (s->seg[SVP_SEG_CS].attr & (1U << 13));
}

/**
 * svp_raise() - record a pending exception.
 * @cpu: the VP.
 * @vec: vector.
 * @err: error code.
 * @has_err: ignored; the vector decides.
 *
 * Return: SVP_R_EXC.
 */
int svp_raise(struct svp_cpu *cpu, int vec, u32 err, bool has_err)
{
	cpu->exc_vec = vec;
	cpu->exc_err = err;
	cpu->exc_has_err = vec < 32 && ((SVP_ERRCODE_VECS >> vec) & 1);
	cpu->exc_soft = false;
	return SVP_R_EXC;
}

/**
 * svp_fail() - end svp_run() with SVP_EXIT_FAILURE.
 * @cpu: the VP.
 * @kind: enum svp_fail_kind.
 * @insn: instruction bytes, or NULL for the bytes fetched so far.
 * @len: number of bytes at @insn.
 *
 * Return: SVP_R_EXIT.
 */
int svp_fail(struct svp_cpu *cpu, u32 kind, const u8 *insn, int len)
{
	struct svp_exit *e = cpu->exit;

	if (!insn) {
		struct svp_tlbe *te;

		te = svp_tlb_lookup(cpu, cpu->s.rip, SVP_ACC_X, cpu->cpl == 3);
		if (!cpu->ib_len && te) {
			u32 off = cpu->s.rip & 0xfff;

			cpu->ib_len = 4096 - off < 15 ? 4096 - off : 15;
			memcpy(cpu->ib, te->hva + off, cpu->ib_len);
		}
		insn = cpu->ib;
		len = cpu->ib_len;
	}
	if (len > 15)
		len = 15;
	e->reason = SVP_EXIT_FAILURE;
	e->fail.kind = kind;
	e->fail.rip = cpu->s.rip;
	e->fail.len = len;
	memset(e->fail.insn, 0, sizeof(e->fail.insn));
	memcpy(e->fail.insn, insn, len);
	cpu->exit_pending = true;
	cpu->pending_read = false;
	return SVP_R_EXIT;
}

/**
 * svp_read_sys() - supervisor-mode read of a linear address (descriptor
 * tables, TSS).
 * @cpu: the VP.
 * @la: linear address.
 * @size: 1, 2, 4 or 8.
 * @val: result.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_read_sys(struct svp_cpu *cpu, u64 la, int size, u64 *val)
{
	return svp_read(cpu, la, size, val, false);
}

/**
 * svp_write_sys() - supervisor-mode write of a linear address.
 * @cpu: the VP.
 * @la: linear address.
 * @size: 1, 2, 4 or 8.
 * @val: value.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_write_sys(struct svp_cpu *cpu, u64 la, int size, u64 val)
{
	return svp_write(cpu, la, size, val, false);
}

static u16 svp_desc_attr(u64 d)
{
	return ((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12);
}

static void svp_desc_to_seg(u64 d, u16 sel, struct svp_seg *sg)
{
	u32 limit = (d & 0xffff) | ((d >> 32) & 0xf0000);

	sg->attr = svp_desc_attr(d);
	sg->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	if (sg->attr & (1U << 15))
		limit = (limit << 12) | 0xfff;
	sg->limit = limit;
	sg->sel = sel;
}

/* Read the 8-byte descriptor for @sel; #GP(sel) if beyond the table. */
static int svp_read_desc(struct svp_cpu *cpu, u16 sel, u64 *d)
{
	u64 base, limit;

	if (sel & 4) {
		if (!(cpu->s.seg[SVP_SEG_LDTR].attr & 0x80) ||
		    (cpu->s.seg[SVP_SEG_LDTR].sel & ~3) == 0)
			return svp_raise(cpu, SVP_GP, sel & ~3, true);
		base = cpu->s.seg[SVP_SEG_LDTR].base;
		limit = cpu->s.seg[SVP_SEG_LDTR].limit;
	} else {
		base = cpu->s.gdt.base;
		limit = cpu->s.gdt.limit;
	}
	if ((u64)(sel & ~7) + 7 > limit)
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	return svp_read_sys(cpu, base + (sel & ~7), 8, d);
}

/**
 * svp_load_seg() - load a data segment register or SS (MOV Sreg, POP).
 * @cpu: the VP.
 * @seg: SVP_SEG_ES, SS, DS, FS or GS.
 * @sel: selector.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_load_seg(struct svp_cpu *cpu, int seg, u16 sel)
{
	struct svp_seg ns, *sg = &cpu->s.seg[seg];
	int rpl = sel & 3, cpl = cpu->cpl, dpl, r;
	u64 d;

	if ((sel & ~3) == 0) {
		if (seg == SVP_SEG_SS && (cpl == 3 || rpl != cpl))
			return svp_raise(cpu, SVP_GP, 0, true);
		sg->sel = sel;
		sg->attr = seg == SVP_SEG_SS ? (cpl << 5) | 0x93 : 0;
		sg->limit = 0;
		if (seg != SVP_SEG_FS && seg != SVP_SEG_GS)
			sg->base = 0;
		return SVP_OK;
	}
	r = svp_read_desc(cpu, sel, &d);
	if (r)
		return r;
	svp_desc_to_seg(d, sel, &ns);
	dpl = (ns.attr >> 5) & 3;
	if (!(ns.attr & 0x10))
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	if (seg == SVP_SEG_SS) {
		/* writable data, RPL == DPL == CPL */
		if ((ns.attr & 0xa) != 0x2 || rpl != cpl || dpl != cpl)
			return svp_raise(cpu, SVP_GP, sel & ~3, true);
		if (!(ns.attr & 0x80))
			return svp_raise(cpu, SVP_SS, sel & ~3, true);
	} else {
		/* data or readable code */
		if ((ns.attr & 0xa) == 0x8)
			return svp_raise(cpu, SVP_GP, sel & ~3, true);
		/* non-conforming: max(CPL, RPL) <= DPL */
		if ((ns.attr & 0xc) != 0xc && (rpl > dpl || cpl > dpl))
			return svp_raise(cpu, SVP_GP, sel & ~3, true);
		if (!(ns.attr & 0x80))
			return svp_raise(cpu, SVP_NP, sel & ~3, true);
	}
	if (seg == SVP_SEG_FS || seg == SVP_SEG_GS)
		ns.base &= 0xffffffffULL;
	*sg = ns;
	return SVP_OK;
}

/* Validate code segment @sel for a transfer to privilege @rpl. */
static int svp_check_cs(struct svp_cpu *cpu, u16 sel, int rpl,
			struct svp_seg *out)
{
	int dpl, r;
	u64 d;

	if ((sel & ~3) == 0)
		return svp_raise(cpu, SVP_GP, 0, true);
	r = svp_read_desc(cpu, sel, &d);
	if (r)
		return r;
	svp_desc_to_seg(d, sel, out);
	dpl = (out->attr >> 5) & 3;
	if ((out->attr & 0x18) != 0x18)
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	if (out->attr & 4) {
		if (dpl > rpl)
			return svp_raise(cpu, SVP_GP, sel & ~3, true);
	} else if (dpl != rpl) {
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	}
	if (!(out->attr & 0x80))
		return svp_raise(cpu, SVP_NP, sel & ~3, true);
	if ((out->attr & (1U << 13)) && (out->attr & (1U << 14)))
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	out->sel = (sel & ~3) | rpl;
	return SVP_OK;
}

static int svp_check_ss(struct svp_cpu *cpu, u16 sel, int cpl,
			struct svp_seg *out)
{
	int r;
	u64 d;

	if ((sel & ~3) == 0) {
		if (cpl == 3)
			return svp_raise(cpu, SVP_GP, 0, true);
		out->sel = sel;
		out->base = 0;
		out->limit = 0;
		out->attr = (cpl << 5) | 0x93;
		return SVP_OK;
	}
	r = svp_read_desc(cpu, sel, &d);
	if (r)
		return r;
	svp_desc_to_seg(d, sel, out);
	if ((out->attr & 0x1a) != 0x12 || (sel & 3) != cpl ||
	    ((out->attr >> 5) & 3) != cpl)
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	if (!(out->attr & 0x80))
		return svp_raise(cpu, SVP_SS, sel & ~3, true);
	return SVP_OK;
}

/* Null the data segments a less privileged level may not use. */
static void svp_null_data_segs(struct svp_cpu *cpu)
{
	static const int segs[] = { SVP_SEG_ES, SVP_SEG_DS, SVP_SEG_FS,
				    SVP_SEG_GS };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct svp_seg *sg = &cpu->s.seg[segs[i]];
		int dpl = (sg->attr >> 5) & 3;

		if ((sg->attr & 0x80) && (sg->attr & 0xc) != 0xc &&
		    dpl < cpu->cpl) {
			sg->sel = 0;
			sg->attr = 0;
		}
	}
}

static u64 svp_stack_read(struct svp_cpu *cpu, u64 la, int size, int *r)
{
	u64 v = 0;

	*r = svp_read(cpu, la, size, &v, cpu->cpl == 3);
	return v;
}

/**
 * svp_iret() - IRET in 64-bit mode.
 * @cpu: the VP.
 * @osz: operand size (2, 4 or 8).
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_iret(struct svp_cpu *cpu, int osz)
{
	u64 rsp = cpu->s.gpr[4], rip, cs, fl, nrsp, ss, mask, cur;
	struct svp_seg ncs, nss;
	int r, rpl;

	if (cpu->s.rflags & SVP_NT)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	rip = svp_stack_read(cpu, rsp, osz, &r);
	if (!r)
		cs = svp_stack_read(cpu, rsp + osz, osz, &r);
	if (!r)
		fl = svp_stack_read(cpu, rsp + 2 * osz, osz, &r);
	if (!r)
		nrsp = svp_stack_read(cpu, rsp + 3 * osz, osz, &r);
	if (!r)
		ss = svp_stack_read(cpu, rsp + 4 * osz, osz, &r);
	if (r)
		return r;
	rpl = cs & 3;
	if (rpl < cpu->cpl)
		return svp_raise(cpu, SVP_GP, cs & ~3, true);
	r = svp_check_cs(cpu, cs, rpl, &ncs);
	if (r)
		return r;
	r = svp_check_ss(cpu, ss, rpl, &nss);
	if (r)
		return r;
	if ((ncs.attr & (1U << 13)) && !svp_canonical(rip))
		return svp_raise(cpu, SVP_GP, 0, true);
	/* flags the current privilege may change */
	mask = SVP_ARITH | SVP_TF | SVP_DF | SVP_NT | SVP_AC | SVP_ID |
	       SVP_RF;
	if (cpu->cpl == 0)
		mask |= SVP_IOPL | SVP_IF;
	else if (cpu->cpl <= ((cpu->s.rflags >> 12) & 3))
		mask |= SVP_IF;
	if (osz == 2)
		mask &= 0xffff;
	cur = svp_get_rflags(cpu);
	svp_put_rflags(cpu, (cur & ~mask) | (fl & mask));
	cpu->s.seg[SVP_SEG_CS] = ncs;
	cpu->s.seg[SVP_SEG_SS] = nss;
	cpu->s.gpr[4] = nrsp;
	cpu->s.rip = ncs.attr & (1U << 13) ? rip : rip & 0xffffffffULL;
	svp_update_mode(cpu);
	if (rpl > 0)
		svp_null_data_segs(cpu);
	return SVP_OK;
}

/**
 * svp_far_ret() - RETF in 64-bit mode.
 * @cpu: the VP.
 * @osz: operand size.
 * @pop_bytes: immediate of RETF imm16.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_far_ret(struct svp_cpu *cpu, int osz, u16 pop_bytes)
{
	u64 rsp = cpu->s.gpr[4], rip, cs, nrsp = 0, ss = 0;
	struct svp_seg ncs, nss;
	int r, rpl;

	rip = svp_stack_read(cpu, rsp, osz, &r);
	if (!r)
		cs = svp_stack_read(cpu, rsp + osz, osz, &r);
	if (r)
		return r;
	rpl = cs & 3;
	if (rpl < cpu->cpl)
		return svp_raise(cpu, SVP_GP, cs & ~3, true);
	if (rpl > cpu->cpl) {
		u64 p = rsp + 2 * osz + pop_bytes;

		nrsp = svp_stack_read(cpu, p, osz, &r);
		if (!r)
			ss = svp_stack_read(cpu, p + osz, osz, &r);
		if (r)
			return r;
		r = svp_check_ss(cpu, ss, rpl, &nss);
		if (r)
			return r;
	}
	r = svp_check_cs(cpu, cs, rpl, &ncs);
	if (r)
		return r;
	if ((ncs.attr & (1U << 13)) && !svp_canonical(rip))
		return svp_raise(cpu, SVP_GP, 0, true);
	cpu->s.seg[SVP_SEG_CS] = ncs;
	if (rpl > cpu->cpl) {
		cpu->s.seg[SVP_SEG_SS] = nss;
		cpu->s.gpr[4] = nrsp + pop_bytes;
	} else {
		cpu->s.gpr[4] = rsp + 2 * osz + pop_bytes;
	}
	cpu->s.rip = ncs.attr & (1U << 13) ? rip : rip & 0xffffffffULL;
	svp_update_mode(cpu);
	if (rpl > 0)
		svp_null_data_segs(cpu);
	return SVP_OK;
}

/**
 * svp_far_jmp() - far JMP or CALL through a code segment selector (no
 * call gates).
 * @cpu: the VP.
 * @sel: target selector.
 * @off: target offset.
 * @call: push the return address (CS, then @next_rip).
 * @osz: operand size of the pushes.
 * @next_rip: return address.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_far_jmp(struct svp_cpu *cpu, u16 sel, u64 off, bool call, int osz,
		u64 next_rip)
{
	struct svp_seg ncs;
	u64 rsp = cpu->s.gpr[4];
	bool user = cpu->cpl == 3;
	int r;
	u64 d;

	r = svp_read_desc(cpu, sel, &d);
	if (r)
		return r;
	if (!(d & (1ULL << 44)))	/* gates and TSS */
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	r = svp_check_cs(cpu, sel, cpu->cpl, &ncs);
	if (r)
		return r;
	if ((sel & 3) > cpu->cpl && !(ncs.attr & 4))
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	if ((ncs.attr & (1U << 13)) && !svp_canonical(off))
		return svp_raise(cpu, SVP_GP, 0, true);
	if (call) {
		r = svp_write(cpu, rsp - osz, osz, cpu->s.seg[SVP_SEG_CS].sel,
			      user);
		if (!r)
			r = svp_write(cpu, rsp - 2 * osz, osz, next_rip, user);
		if (r)
			return r;
		cpu->s.gpr[4] = rsp - 2 * osz;
	}
	cpu->s.seg[SVP_SEG_CS] = ncs;
	cpu->s.rip = ncs.attr & (1U << 13) ? off : off & 0xffffffffULL;
	svp_update_mode(cpu);
	return SVP_OK;
}

/**
 * svp_load_tr_ldt() - LTR or LLDT.
 * @cpu: the VP.
 * @tr: true for LTR.
 * @sel: selector.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_load_tr_ldt(struct svp_cpu *cpu, bool tr, u16 sel)
{
	struct svp_seg ns;
	u64 lo, hi, la;
	int r, type;

	if (cpu->cpl)
		return svp_raise(cpu, SVP_GP, 0, true);
	if ((sel & ~3) == 0) {
		if (tr)
			return svp_raise(cpu, SVP_GP, 0, true);
		cpu->s.seg[SVP_SEG_LDTR].sel = sel;
		cpu->s.seg[SVP_SEG_LDTR].attr = 0;
		return SVP_OK;
	}
	if ((sel & 4) || (u64)(sel & ~7) + 15 > cpu->s.gdt.limit)
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	la = cpu->s.gdt.base + (sel & ~7);
	r = svp_read_sys(cpu, la, 8, &lo);
	if (!r)
		r = svp_read_sys(cpu, la + 8, 8, &hi);
	if (r)
		return r;
	svp_desc_to_seg(lo, sel, &ns);
	ns.base |= (hi & 0xffffffffULL) << 32;
	type = ns.attr & 0x1f;
	if (tr ? type != 0x09 : type != 0x02)
		return svp_raise(cpu, SVP_GP, sel & ~3, true);
	if (!(ns.attr & 0x80))
		return svp_raise(cpu, SVP_NP, sel & ~3, true);
	if (tr) {
		r = svp_write_sys(cpu, la, 8, lo | (2ULL << 40));
		if (r)
			return r;
		ns.attr |= 2;
		cpu->s.seg[SVP_SEG_TR] = ns;
	} else {
		cpu->s.seg[SVP_SEG_LDTR] = ns;
	}
	return SVP_OK;
}

/* Deliver one event through the 64-bit IDT; no state is committed unless
 * everything succeeds.
 */
static int svp_deliver_one(struct svp_cpu *cpu, int vec, u32 err,
			   bool has_err, bool soft, u64 rip)
{
	u32 ext = soft ? 0 : 1, gerr = vec * 8 + 2 + ext;
	struct svp_seg ncs, nss = cpu->s.seg[SVP_SEG_SS];
	u64 lo, hi, off, rsp, fl, frame[6];
	int r, type, dpl, ncpl, ist, n = 0, i;
	bool user;

	if ((u64)vec * 16 + 15 > cpu->s.idt.limit)
		return svp_raise(cpu, SVP_GP, gerr, true);
	r = svp_read_sys(cpu, cpu->s.idt.base + vec * 16, 8, &lo);
	if (!r)
		r = svp_read_sys(cpu, cpu->s.idt.base + vec * 16 + 8, 8, &hi);
	if (r)
		return r;
	type = (lo >> 40) & 0x1f;
	dpl = (lo >> 45) & 3;
	if (type != 0xe && type != 0xf)
		return svp_raise(cpu, SVP_GP, gerr, true);
	if (soft && dpl < cpu->cpl)
		return svp_raise(cpu, SVP_GP, gerr, true);
	if (!(lo & (1ULL << 47)))
		return svp_raise(cpu, SVP_NP, gerr, true);
	off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL) | (hi << 32);
	ist = (lo >> 32) & 7;
	{
		u16 sel = (lo >> 16) & 0xffff;
		u64 d;

		if ((sel & ~3) == 0)
			return svp_raise(cpu, SVP_GP, ext, true);
		r = svp_read_desc(cpu, sel, &d);
		if (r)
			return r;
		svp_desc_to_seg(d, sel, &ncs);
		if ((ncs.attr & 0x18) != 0x18 ||
		    ((ncs.attr >> 5) & 3) > cpu->cpl ||
		    !(ncs.attr & (1U << 13)) || (ncs.attr & (1U << 14)))
			return svp_raise(cpu, SVP_GP, (sel & ~3) + ext, true);
		if (!(ncs.attr & 0x80))
			return svp_raise(cpu, SVP_NP, (sel & ~3) + ext, true);
		ncpl = (ncs.attr & 4) ? cpu->cpl : (ncs.attr >> 5) & 3;
		ncs.sel = (sel & ~3) | ncpl;
	}
	if (!svp_canonical(off))
		return svp_raise(cpu, SVP_GP, ext, true);
	rsp = cpu->s.gpr[4];
	if (ncpl < cpu->cpl) {
		r = svp_read_sys(cpu, cpu->s.seg[SVP_SEG_TR].base + 4 +
				 8 * ncpl, 8, &rsp);
		if (r)
			return r;
		nss.sel = ncpl;
		nss.base = 0;
		nss.limit = 0;
		nss.attr = (ncpl << 5) | 0x93;
	}
	if (ist) {
		r = svp_read_sys(cpu, cpu->s.seg[SVP_SEG_TR].base + 0x24 +
				 8 * (ist - 1), 8, &rsp);
		if (r)
			return r;
	}
	rsp &= ~0xfULL;
	fl = svp_get_rflags(cpu);
	frame[n++] = cpu->s.seg[SVP_SEG_SS].sel;
	frame[n++] = cpu->s.gpr[4];
	frame[n++] = fl;
	frame[n++] = cpu->s.seg[SVP_SEG_CS].sel;
	frame[n++] = rip;
	if (has_err)
		frame[n++] = err;
	user = ncpl == 3;
	for (i = 0; i < n; i++) {
		r = svp_write(cpu, rsp - 8 * (i + 1), 8, frame[i], user);
		if (r)
			return r;
	}
	cpu->s.gpr[4] = rsp - 8 * n;
	cpu->s.seg[SVP_SEG_CS] = ncs;
	cpu->s.seg[SVP_SEG_SS] = nss;
	cpu->s.rip = off;
	fl &= ~(SVP_TF | SVP_NT | SVP_RF | SVP_VM);
	if (type == 0xe)
		fl &= ~SVP_IF;
	svp_put_rflags(cpu, fl);
	svp_update_mode(cpu);
	return SVP_OK;
}

/**
 * svp_deliver() - deliver the pending exception (cpu->exc_*), escalating
 * to #DF and to a triple fault (SVP_EXIT_SHUTDOWN).
 * @cpu: the VP.
 *
 * Return: SVP_OK or SVP_R_EXIT.
 */
int svp_deliver(struct svp_cpu *cpu)
{
	int vec = cpu->exc_vec, r;
	u64 rip = cpu->exc_soft ? cpu->exc_next_rip : cpu->s.rip;

	if (vec == SVP_PFV && cpu->exc_err & (1U << 31))
		cpu->exc_err &= ~(1U << 31);
	r = svp_deliver_one(cpu, vec, cpu->exc_err, cpu->exc_has_err,
			    cpu->exc_soft, rip);
	if (r == SVP_R_EXC) {
		if (vec == SVP_DF_VEC) {
			r = SVP_R_EXC;
		} else {
			r = svp_deliver_one(cpu, SVP_DF_VEC, 0, true, false,
					    cpu->s.rip);
		}
		if (r == SVP_R_EXC) {
			cpu->exit->reason = SVP_EXIT_SHUTDOWN;
			cpu->exit_pending = true;
			return SVP_R_EXIT;
		}
	}
	return r;
}

static bool svp_pat_ok(u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = v >> (i * 8);

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/**
 * svp_rdmsr() - read an MSR.
 * @cpu: the VP.
 * @msr: MSR index.
 * @val: result.
 *
 * Return: SVP_OK or SVP_R_EXC (#GP(0) for an unknown MSR).
 */
int svp_rdmsr(struct svp_cpu *cpu, u32 msr, u64 *val)
{
	struct svp_state *s = &cpu->s;

	switch (msr) {
	case 0x10:
		*val = svp_env_rdtsc() + s->tsc_offset;
		break;
	case 0x1b:
		*val = s->apic_base;
		break;
	case 0x174:
		*val = s->sysenter_cs;
		break;
	case 0x175:
		*val = s->sysenter_esp;
		break;
	case 0x176:
		*val = s->sysenter_eip;
		break;
	case 0x277:
		*val = s->pat;
		break;
	case 0xc0000080:
		*val = s->efer;
		break;
	case 0xc0000081:
		*val = s->star;
		break;
	case 0xc0000082:
		*val = s->lstar;
		break;
	case 0xc0000083:
		*val = s->cstar;
		break;
	case 0xc0000084:
		*val = s->sfmask;
		break;
	case 0xc0000100:
		*val = s->seg[SVP_SEG_FS].base;
		break;
	case 0xc0000101:
		*val = s->seg[SVP_SEG_GS].base;
		break;
	case 0xc0000102:
		*val = s->kernel_gs_base;
		break;
	case 0xc0000103:
		*val = s->tsc_aux;
		break;
	default:
		return svp_raise(cpu, SVP_GP, 0, true);
	}
	return SVP_OK;
}

/**
 * svp_wrmsr() - write an MSR.
 * @cpu: the VP.
 * @msr: MSR index.
 * @val: value.
 *
 * Return: SVP_OK or SVP_R_EXC (#GP(0) for unknown MSRs or reserved bits).
 */
int svp_wrmsr(struct svp_cpu *cpu, u32 msr, u64 val)
{
	struct svp_state *s = &cpu->s;
	bool canon = svp_canonical(val);

	switch (msr) {
	case 0x10:
		s->tsc_offset = val - svp_env_rdtsc();
		break;
	case 0x1b:
		if (val & ~(0x000000fffffff900ULL))
			goto gp;
		s->apic_base = val;
		break;
	case 0x174:
		s->sysenter_cs = val & 0xffff;
		if (val >> 16)
			goto gp;
		break;
	case 0x175:
		if (!canon)
			goto gp;
		s->sysenter_esp = val;
		break;
	case 0x176:
		if (!canon)
			goto gp;
		s->sysenter_eip = val;
		break;
	case 0x277:
		if (!svp_pat_ok(val))
			goto gp;
		s->pat = val;
		break;
	case 0xc0000080: {
		u64 nv;

		if (val & ~SVP_EFER_VALID)
			goto gp;
		if ((s->cr0 & SVP_CR0_PG) &&
		    ((val ^ s->efer) & SVP_EFER_LME))
			goto gp;
		nv = (val & ~SVP_EFER_LMA) | (s->efer & SVP_EFER_LMA);
		if ((nv ^ s->efer) & SVP_EFER_NXE)
			svp_tlb_flush(cpu);
		s->efer = nv;
		break;
	}
	case 0xc0000081:
		s->star = val;
		break;
	case 0xc0000082:
		if (!canon)
			goto gp;
		s->lstar = val;
		break;
	case 0xc0000083:
		if (!canon)
			goto gp;
		s->cstar = val;
		break;
	case 0xc0000084:
		if (val >> 32)
			goto gp;
		s->sfmask = val;
		break;
	case 0xc0000100:
		if (!canon)
			goto gp;
		s->seg[SVP_SEG_FS].base = val;
		break;
	case 0xc0000101:
		if (!canon)
			goto gp;
		s->seg[SVP_SEG_GS].base = val;
		break;
	case 0xc0000102:
		if (!canon)
			goto gp;
		s->kernel_gs_base = val;
		break;
	case 0xc0000103:
		if (val >> 32)
			goto gp;
		s->tsc_aux = val;
		break;
	default:
		goto gp;
	}
	return SVP_OK;
gp:
	return svp_raise(cpu, SVP_GP, 0, true);
}

/**
 * svp_write_cr() - MOV to a control register.
 * @cpu: the VP.
 * @cr: 0, 2, 3, 4 or 8.
 * @val: value.
 *
 * Return: SVP_OK or SVP_R_EXC.
 */
int svp_write_cr(struct svp_cpu *cpu, int cr, u64 val)
{
	struct svp_state *s = &cpu->s;

	switch (cr) {
	case 0:
		if ((val & ~SVP_CR0_VALID) ||
		    ((val & SVP_CR0_PG) && !(val & SVP_CR0_PE)) ||
		    ((val & SVP_CR0_NW) && !(val & SVP_CR0_CD)))
			goto gp;
		if ((val & SVP_CR0_PG) && !(s->cr0 & SVP_CR0_PG) &&
		    (s->efer & SVP_EFER_LME)) {
			if (!(s->cr4 & SVP_CR4_PAE))
				goto gp;
			s->efer |= SVP_EFER_LMA;
		}
		if (!(val & SVP_CR0_PG))
			s->efer &= ~SVP_EFER_LMA;
		s->cr0 = val | SVP_CR0_ET;
		svp_tlb_flush(cpu);
		svp_update_mode(cpu);
		break;
	case 2:
		s->cr2 = val;
		break;
	case 3:
		if (val & ~SVP_PHYS_MASK)
			goto gp;
		s->cr3 = val;
		svp_tlb_flush(cpu);
		break;
	case 4:
		if (val & ~SVP_CR4_VALID)
			goto gp;
		if ((s->efer & SVP_EFER_LMA) && !(val & SVP_CR4_PAE))
			goto gp;
		s->cr4 = val;
		svp_tlb_flush(cpu);
		break;
	case 8:
		if (val & ~0xfULL)
			goto gp;
		s->cr8 = val;
		break;
	default:
		goto gp;
	}
	return SVP_OK;
gp:
	return svp_raise(cpu, SVP_GP, 0, true);
}

/**
 * svp_flush_all() - forget every cached translation.
 * @cpu: the VP.
 */
void svp_flush_all(struct svp_cpu *cpu)
{
	svp_tlb_flush(cpu);
	svp_code_flush(cpu);
}

/**
 * svp_cpu_init() - initialise a zeroed svp_cpu to the power-on state.
 * @cpu: zeroed memory of svp_cpu_size() bytes.
 * @ops: host services.
 * @opaque: passed to the host services.
 * @apic_id: initial APIC ID.
 * @bsp: bootstrap processor.
 */
void svp_cpu_init(struct svp_cpu *cpu, const struct svp_host_ops *ops,
		  void *opaque, u32 apic_id, bool bsp)
{
	struct svp_state *s = &cpu->s;
	int i;

	memset(cpu, 0, sizeof(*cpu));
	cpu->ops = ops;
	cpu->opaque = opaque;
	cpu->apic_id = apic_id;
	cpu->bsp = bsp;
	for (i = 0; i < SVP_SEG_COUNT; i++) {
		s->seg[i].limit = 0xffff;
		s->seg[i].attr = 0x93;
	}
	s->seg[SVP_SEG_CS].sel = 0xf000;
	s->seg[SVP_SEG_CS].base = 0xffff0000ULL;
	s->seg[SVP_SEG_CS].attr = 0x9b;
	s->seg[SVP_SEG_TR].attr = 0x8b;
	s->seg[SVP_SEG_LDTR].attr = 0x82;
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->rip = 0xfff0;
	s->gpr[2] = 0x600;
	s->cr0 = 0x60000010ULL;
	s->apic_base = 0xfee00000ULL | (1ULL << 11) | (bsp ? 1ULL << 8 : 0);
	s->pat = 0x0007040600070406ULL;
	svp_put_rflags(cpu, 2);
	svp_update_mode(cpu);
	svp_tlb_flush(cpu);
	svp_code_flush(cpu);
}

/**
 * svp_get_state() - copy the architectural state out.
 * @cpu: the VP.
 * @st: destination.
 */
void svp_get_state(struct svp_cpu *cpu, struct svp_state *st)
{
	*st = cpu->s;
	st->rflags = svp_get_rflags(cpu);
}

/**
 * svp_set_state() - replace the architectural state.
 * @cpu: the VP.
 * @st: the new state.
 *
 * Return: 0 or -EINVAL.
 */
int svp_set_state(struct svp_cpu *cpu, const struct svp_state *st)
{
	const struct svp_seg *cs = &st->seg[SVP_SEG_CS];
	bool pg = st->cr0 & SVP_CR0_PG, lme = st->efer & SVP_EFER_LME;
	bool lma = st->efer & SVP_EFER_LMA;

	if ((st->rflags & ~SVP_RFLAGS_VALID) || (st->cr0 & ~SVP_CR0_VALID) ||
	    (st->cr4 & ~SVP_CR4_VALID) || (st->efer & ~SVP_EFER_VALID) ||
	    (st->cr3 & ~SVP_PHYS_MASK) || (st->cr8 & ~0xfULL))
		return -EINVAL;
	if (pg && !(st->cr0 & SVP_CR0_PE))
		return -EINVAL;
	if (lma != (lme && pg))
		return -EINVAL;
	if (lme && pg && !(st->cr4 & SVP_CR4_PAE))
		return -EINVAL;
	if ((cs->attr & (1U << 13)) && (cs->attr & (1U << 14)))
		return -EINVAL;
	if (lma && (cs->attr & (1U << 13)) && !svp_canonical(st->rip))
		return -EINVAL;
	cpu->s = *st;
	svp_put_rflags(cpu, st->rflags);
	memset(cpu->rd, 0, sizeof(cpu->rd));
	cpu->pending_read = false;
	svp_update_mode(cpu);
	svp_flush_all(cpu);
	return 0;
}

/**
 * svp_complete_read() - supply the data of the pending IN or MMIO read.
 * @cpu: the VP.
 * @data: as many little-endian bytes as the exit's size.
 */
void svp_complete_read(struct svp_cpu *cpu, const void *data)
{
	int i;

	if (!cpu->pending_read)
		return;
	for (i = 0; i < SVP_RDBUF_COUNT; i++) {
		struct svp_rdbuf *b = &cpu->rd[i];

		if (!b->valid) {
			memcpy(b->data, data, b->size);
			b->valid = true;
			break;
		}
	}
	cpu->pending_read = false;
}

/**
 * svp_insns_retired() - instructions retired since init.
 * @cpu: the VP.
 */
u64 svp_insns_retired(const struct svp_cpu *cpu)
{
	return cpu->retired;
}

#define SVP_STR4(a, b, c, d) ((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | \
			      (u32)(d) << 24)
#define SVP_VENDOR	SVP_STR4('V', 'g', 'e', 'n')

static const struct svp_cpuid_leaf svp_cpuid_table[] = {
	{ 0x0, 0, 0, { 0xb, SVP_VENDOR, SVP_VENDOR, SVP_VENDOR } },
	/* family 6; CLFLUSH line 64; CX16 POPCNT hypervisor;
	 * TSC MSR PAE CX8 CMOV PAT CLFSH
	 */
	{ 0x1, 0, 0, { 0x600, 0x0800, (1U << 13) | (1U << 23) | (1U << 31),
		       (1U << 4) | (1U << 5) | (1U << 6) | (1U << 8) |
		       (1U << 15) | (1U << 16) | (1U << 19) } },
	{ 0x7, 0, SVP_CPUID_SIGNIFICANT_INDEX, { 0, 0, 0, 0 } },
	{ 0xb, 0, SVP_CPUID_SIGNIFICANT_INDEX, { 0, 1, 0x100, 0 } },
	{ 0xb, 1, SVP_CPUID_SIGNIFICANT_INDEX, { 0, 1, 0x201, 0 } },
	{ 0x40000000, 0, 0, { 0x40000000, SVP_VENDOR, SVP_VENDOR,
			      SVP_VENDOR } },
	{ 0x80000000, 0, 0, { 0x80000008, 0, 0, 0 } },
	/* LAHF-LM ABM; SYSCALL NX 1GB-pages RDTSCP LM */
	{ 0x80000001, 0, 0, { 0, 0, (1U << 0) | (1U << 5),
			      (1U << 11) | (1U << 20) | (1U << 26) |
			      (1U << 27) | (1U << 29) } },
	{ 0x80000002, 0, 0, { SVP_STR4('V', 'g', 'e', 'n'),
			      SVP_STR4(' ', 's', 'o', 'f'),
			      SVP_STR4('t', 'w', 'a', 'r'),
			      SVP_STR4('e', ' ', 'x', '8') } },
	{ 0x80000003, 0, 0, { SVP_STR4('6', '-', '6', '4'),
			      SVP_STR4(' ', 'V', 'P', 0), 0, 0 } },
	{ 0x80000004, 0, 0, { 0, 0, 0, 0 } },
	{ 0x80000008, 0, 0, { SVP_PHYS_BITS | (48 << 8), 0, 0, 0 } },
};

/**
 * svp_cpuid_defaults() - the default CPUID leaves of the software VP.
 * @out: array to fill.
 * @max: capacity of @out.
 *
 * Return: the number of leaves (at most @max are written).
 */
unsigned int svp_cpuid_defaults(struct svp_cpuid_leaf *out, unsigned int max)
{
	unsigned int i, n = sizeof(svp_cpuid_table) /
			    sizeof(svp_cpuid_table[0]);

	for (i = 0; i < n && i < max; i++)
		out[i] = svp_cpuid_table[i];
	return n;
}
