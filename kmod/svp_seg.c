// SPDX-License-Identifier: GPL-2.0
/*
 * Segmentation of the software x86-64 VP: supervisor accesses to descriptor
 * tables, descriptor and selector loading (MOV Sreg, LTR, LLDT), and the
 * control transfers that load CS/SS: IRET, far RET, far JMP/CALL.
 */
#include "svp_internal.h"

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

/**
 * svp_desc_to_seg() - unpack an 8-byte segment descriptor.
 * @d: the descriptor.
 * @sel: the selector it was loaded for.
 * @sg: filled with the hidden segment state.
 */
void svp_desc_to_seg(u64 d, u16 sel, struct svp_seg *sg)
{
	u32 limit = (d & 0xffff) | ((d >> 32) & 0xf0000);

	sg->attr = svp_desc_attr(d);
	sg->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	if (sg->attr & (1U << 15))
		limit = (limit << 12) | 0xfff;
	sg->limit = limit;
	sg->sel = sel;
}

/**
 * svp_read_desc() - read the 8-byte descriptor for a selector.
 * @cpu: the VP.
 * @sel: the selector (GDT or LDT).
 * @d: the descriptor read.
 *
 * Return: SVP_OK, SVP_R_EXIT, or SVP_R_EXC (#GP(sel) if beyond the table).
 */
int svp_read_desc(struct svp_cpu *cpu, u16 sel, u64 *d)
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
	/* as on hardware, even an IRET that faults unblocks NMIs */
	cpu->s.nmi_blocked = 0;
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

