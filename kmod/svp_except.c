// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions of the software x86-64 VP: raising an exception or an
 * emulation failure, and delivering exceptions and injected events
 * (external interrupts, NMIs) through the 64-bit IDT (with #DF and
 * triple-fault escalation).
 */
#include "svp_internal.h"

/* Vectors that push an error code. */
#define SVP_ERRCODE_VECS	((1U << 8) | (1U << 10) | (1U << 11) | \
				 (1U << 12) | (1U << 13) | (1U << 14) | \
				 (1U << 17) | (1U << 21) | (1U << 29) | \
				 (1U << 30))

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

/* Contributory exceptions (Intel SDM vol. 3, table 6-4). */
static bool svp_contributory(int vec)
{
	return vec == 0 || (vec >= 10 && vec <= 13);
}

/*
 * Whether a fault (@second) while delivering @first is a double fault
 * (SDM table 6-5): contributory after contributory, or contributory or
 * #PF after #PF. A fault while delivering anything else (a benign
 * exception, a software interrupt INT n) is simply delivered next.
 */
static bool svp_double_fault(int first, bool first_soft, int second)
{
	if (first_soft)
		return false;
	if (svp_contributory(first))
		return svp_contributory(second);
	if (first == SVP_PFV)
		return second == SVP_PFV || svp_contributory(second);
	return false;
}

/**
 * svp_deliver() - deliver the pending exception (cpu->exc_*), handling a
 * fault during delivery as hardware does: serially, as a #DF, or as a
 * triple fault (SVP_EXIT_SHUTDOWN) after a fault while delivering #DF.
 * @cpu: the VP.
 *
 * Return: SVP_OK or SVP_R_EXIT.
 */
int svp_deliver(struct svp_cpu *cpu)
{
	int vec = cpu->exc_vec, r, i;
	bool soft = cpu->exc_soft;
	u64 rip = soft ? cpu->exc_next_rip : cpu->s.rip;

	if (cpu->s.intr_shadow) {
		cpu->s.intr_shadow = 0;
		svp_update_slow(cpu);
	}
	/* A few rounds: serial faults end in a #DF and then a shutdown. */
	for (i = 0; i < 4; i++) {
		if (vec == SVP_PFV && cpu->exc_err & (1U << 31))
			cpu->exc_err &= ~(1U << 31);
		r = svp_deliver_one(cpu, vec, cpu->exc_err, cpu->exc_has_err,
				    soft, rip);
		if (r != SVP_R_EXC)
			return r;
		/* cpu->exc_* now describe the fault during delivery. */
		if (vec == SVP_DF_VEC && !soft)
			break;
		if (svp_double_fault(vec, soft, cpu->exc_vec)) {
			cpu->exc_vec = SVP_DF_VEC;
			cpu->exc_err = 0;
			cpu->exc_has_err = true;
		}
		vec = cpu->exc_vec;
		soft = false;
		rip = cpu->s.rip;
	}
	cpu->exit->reason = SVP_EXIT_SHUTDOWN;
	cpu->exit_pending = true;
	return SVP_R_EXIT;
}

/**
 * svp_deliver_event() - deliver the injected event (s.event_pending) now,
 * at an instruction boundary, with the current RIP as the return address.
 * @cpu: the VP.
 *
 * An external interrupt or NMI is a benign event: a fault while
 * delivering it (error code with EXT set) is delivered like any
 * exception, escalating to #DF and to a triple fault. An NMI blocks
 * further NMIs from the start of its delivery until the next IRET.
 *
 * Return: SVP_OK or SVP_R_EXIT.
 */
int svp_deliver_event(struct svp_cpu *cpu)
{
	int vec = cpu->s.event_vector, r;

	if (cpu->s.event_pending == SVP_EVENT_NMI) {
		vec = 2;
		cpu->s.nmi_blocked = 1;
	}
	cpu->s.event_pending = SVP_EVENT_NONE;
	cpu->s.event_vector = 0;
	cpu->s.intr_shadow = 0;
	svp_update_slow(cpu);
	r = svp_deliver_one(cpu, vec, 0, false, false, cpu->s.rip);
	if (r == SVP_R_EXC) {
		cpu->exit_pending = false;
		r = svp_deliver(cpu);
	}
	return r;
}
