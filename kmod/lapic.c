// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a VP: the xAPIC register page and the x2APIC MSRs,
 * interrupt acceptance (IRR/ISR/TMR, TPR/PPR), EOI, IPIs, the LVTs and
 * the interrupts other threads post to it. The timer is in lapic_timer.c,
 * MSI and IOAPIC routing in irq.c. See lapic.h for the threading model.
 *
 * Model decisions:
 *  - Version 0x00030014: an integrated APIC with four LVT entries (timer,
 *    LINT0, LINT1, error; max LVT 3). The thermal, performance counter
 *    and CMCI LVTs do not exist: in xAPIC mode their offsets read as 0,
 *    ignore writes and set ESR "illegal register address"; in x2APIC mode
 *    their MSRs #GP. EOI-broadcast suppression is not offered.
 *  - xAPIC MMIO: a read of any size returns the bytes of the containing
 *    16-byte slot (the register in bytes 0-3, zeros above). Writes other
 *    than an aligned 32-bit write of a register are ignored. Offsets
 *    0x400-0xfff read as zero.
 *  - x2APIC MSRs: reads of write-only registers, writes of read-only or
 *    absent registers, non-zero bits 63:32 (except the ICR) and reserved
 *    bits of TPR, SVR, the LVTs, TDCR, ICR, EOI (non-zero), ESR
 *    (non-zero) and SELF IPI raise #GP.
 *  - Lowest-priority arbitration uses the PPR as arbitration priority;
 *    a software-disabled APIC arbitrates last (see irq.c).
 *  - An APIC that is globally disabled (IA32_APIC_BASE[11] clear) accepts
 *    no interrupt; its LINT0/LINT1 pins pass through as INTR (ExtINT) and
 *    NMI, as on hardware.
 *  - A LINT pin programmed "fixed" delivers its vector edge-triggered.
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "lapic_internal.h"

static const u32 vgen_lapic_lvts[] = {
	VGEN_APIC_LVTT, VGEN_APIC_LINT0, VGEN_APIC_LINT1, VGEN_APIC_LVTERR,
};

/**
 * vgen_lapic_mask_lvts() - set the mask bit of every LVT entry.
 * @apic: the APIC.
 */
void vgen_lapic_mask_lvts(struct vgen_lapic *apic)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vgen_lapic_lvts); i++)
		VGEN_REG(apic, vgen_lapic_lvts[i]) |= VGEN_APIC_LVT_MASKED;
}

static bool vgen_lapic_vec_test(const struct vgen_lapic *apic, u32 base,
				u32 vec)
{
	return apic->reg[(base >> 4) + vec / 32] & BIT(vec % 32);
}

static void vgen_lapic_vec_assign(struct vgen_lapic *apic, u32 base, u32 vec,
				  bool on)
{
	u32 *w = &apic->reg[(base >> 4) + vec / 32];

	if (on)
		*w |= BIT(vec % 32);
	else
		*w &= ~BIT(vec % 32);
}

/**
 * vgen_lapic_vec_highest() - the highest vector set in ISR, TMR or IRR.
 * @apic: the APIC.
 * @base: VGEN_APIC_ISR, VGEN_APIC_TMR or VGEN_APIC_IRR.
 *
 * Return: the vector, or -1 if none is set.
 */
int vgen_lapic_vec_highest(const struct vgen_lapic *apic, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = apic->reg[(base >> 4) + i];

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

/**
 * vgen_lapic_update_ppr() - recompute the PPR (and its mirror) from TPR
 *	and ISR.
 * @apic: the APIC.
 */
void vgen_lapic_update_ppr(struct vgen_lapic *apic)
{
	u32 tpr = VGEN_REG(apic, VGEN_APIC_TPR) & 0xff;
	int isrv = vgen_lapic_vec_highest(apic, VGEN_APIC_ISR);
	u32 ppr;

	if (isrv < 0 || (tpr & 0xf0) >= (isrv & 0xf0))
		ppr = tpr;
	else
		ppr = isrv & 0xf0;
	VGEN_REG(apic, VGEN_APIC_PPR) = ppr;
	WRITE_ONCE(apic->ppr, ppr);
}

/**
 * vgen_lapic_update_mirrors() - publish the register values other threads
 *	read (see lapic.h); call after changing any of them.
 * @apic: the APIC.
 */
void vgen_lapic_update_mirrors(struct vgen_lapic *apic)
{
	u8 mode = vgen_lapic_base_mode(apic->base);
	u32 id = VGEN_REG(apic, VGEN_APIC_ID);

	WRITE_ONCE(apic->sw_enabled,
		   !!(VGEN_REG(apic, VGEN_APIC_SVR) & VGEN_APIC_SVR_ENABLE));
	WRITE_ONCE(apic->id, mode == VGEN_LAPIC_MODE_X2APIC ? id : id >> 24);
	WRITE_ONCE(apic->ldr, VGEN_REG(apic, VGEN_APIC_LDR));
	WRITE_ONCE(apic->dfr, VGEN_REG(apic, VGEN_APIC_DFR));
	WRITE_ONCE(apic->lint[0], VGEN_REG(apic, VGEN_APIC_LINT0));
	WRITE_ONCE(apic->lint[1], VGEN_REG(apic, VGEN_APIC_LINT1));
	/* Last: deliverers check the mode first. */
	WRITE_ONCE(apic->mode, mode);
}

/* Put @vec into IRR (run thread). */
static void vgen_lapic_accept(struct vgen_lapic *apic, u32 vec, bool level)
{
	vgen_lapic_vec_assign(apic, VGEN_APIC_IRR, vec, true);
	vgen_lapic_vec_assign(apic, VGEN_APIC_TMR, vec, level);
}

/**
 * vgen_lapic_error() - record errors for the ESR and raise the LVT error
 *	interrupt.
 * @apic: the APIC.
 * @bits: VGEN_APIC_ESR_* bits.
 */
void vgen_lapic_error(struct vgen_lapic *apic, u32 bits)
{
	u32 lvt = VGEN_REG(apic, VGEN_APIC_LVTERR);

	apic->esr_pending |= bits;
	/* An illegal LVT error vector is not reported again. */
	if (!(lvt & VGEN_APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		vgen_lapic_accept(apic, lvt & 0xff, false);
}

/**
 * vgen_lapic_timer_expired() - deliver a timer expiry through the LVT
 *	timer entry (run thread; lapic_timer.c calls it).
 * @apic: the APIC.
 */
void vgen_lapic_timer_expired(struct vgen_lapic *apic)
{
	u32 lvt = VGEN_REG(apic, VGEN_APIC_LVTT);

	if (VGEN_APIC_LVTT_MODE(lvt) == VGEN_APIC_TIMER_TSCDEADLINE)
		apic->tsc_deadline = 0;
	if (lvt & VGEN_APIC_LVT_MASKED)
		return;
	if ((lvt & 0xff) < 16)
		vgen_lapic_error(apic, VGEN_APIC_ESR_RECV_ILLEGAL);
	else
		vgen_lapic_accept(apic, lvt & 0xff, false);
}

/**
 * vgen_lapic_fold() - fold what other threads posted (vectors, errors,
 *	timer expiry) into the registers. Never sleeps.
 * @apic: the APIC.
 */
void vgen_lapic_fold(struct vgen_lapic *apic)
{
	unsigned long w;
	unsigned int i, b;
	u32 err;

	for (i = 0; i < ARRAY_SIZE(apic->pir); i++) {
		if (!READ_ONCE(apic->pir[i]))
			continue;
		w = xchg(&apic->pir[i], 0);
		for_each_set_bit(b, &w, BITS_PER_LONG) {
			u32 vec = i * BITS_PER_LONG + b;

			vgen_lapic_accept(apic, vec,
					  test_and_clear_bit(vec,
							     apic->pir_level));
		}
	}
	if (atomic_read(&apic->esr_posted)) {
		err = atomic_xchg(&apic->esr_posted, 0);
		vgen_lapic_error(apic, err);
	}
	if (test_bit(VGEN_LAPIC_EV_TIMER, &apic->events) &&
	    test_and_clear_bit(VGEN_LAPIC_EV_TIMER, &apic->events))
		vgen_lapic_timer_expired(apic);
}

/**
 * vgen_lapic_reset() - reset the APIC.
 * @apic: the APIC.
 * @init: true for an INIT (IA32_APIC_BASE, x2APIC mode and the APIC ID
 *	are kept), false for power-on (IA32_APIC_BASE = 0xfee00000, enabled,
 *	BSP bit on VP 0; ID = the VP's APIC ID; pending events dropped).
 *
 * Everything else gets its power-on value: TPR, ISR, IRR, TMR, ESR, ICR
 * zero, DFR all ones, SVR 0xff (software disabled), every LVT masked,
 * timer stopped, posted vectors dropped. Pending NMI/INIT/SIPI/ExtINT
 * events survive an INIT reset (the caller has taken INIT and SIPI).
 */
void vgen_lapic_reset(struct vgen_lapic *apic, bool init)
{
	struct vgen_vp *vp = apic->vp;
	unsigned int i;
	u32 id;

	vgen_lapic_timer_stop(apic);
	if (!init) {
		apic->base = VGEN_APIC_BASE_DEFAULT | VGEN_APIC_BASE_EN |
			     (vp->index == 0 ? VGEN_APIC_BASE_BSP : 0);
		VGEN_REG(apic, VGEN_APIC_ID) = vp->apic_id << 24;
		clear_bit(VGEN_LAPIC_EV_NMI, &apic->events);
		clear_bit(VGEN_LAPIC_EV_INIT, &apic->events);
		clear_bit(VGEN_LAPIC_EV_SIPI, &apic->events);
		clear_bit(VGEN_LAPIC_EV_EXTINT, &apic->events);
	}
	id = VGEN_REG(apic, VGEN_APIC_ID);
	memset(apic->reg, 0, sizeof(apic->reg));
	VGEN_REG(apic, VGEN_APIC_ID) = id;
	VGEN_REG(apic, VGEN_APIC_VER) = VGEN_APIC_VERSION;
	VGEN_REG(apic, VGEN_APIC_DFR) = 0xffffffff;
	VGEN_REG(apic, VGEN_APIC_SVR) = 0xff;
	for (i = 0; i < ARRAY_SIZE(vgen_lapic_lvts); i++)
		VGEN_REG(apic, vgen_lapic_lvts[i]) = VGEN_APIC_LVT_MASKED;
	if (vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_X2APIC)
		VGEN_REG(apic, VGEN_APIC_LDR) = vgen_lapic_x2apic_ldr(id);
	apic->esr_pending = 0;
	apic->tsc_deadline = 0;
	bitmap_zero(apic->eoi_pending, 256);
	for (i = 0; i < ARRAY_SIZE(apic->pir); i++) {
		xchg(&apic->pir[i], 0);
		xchg(&apic->pir_level[i], 0);
	}
	atomic_set(&apic->esr_posted, 0);
	vgen_lapic_update_ppr(apic);
	vgen_lapic_update_mirrors(apic);
}

/**
 * vgen_lapic_eoi() - EOI: retire the highest ISR vector; queue it for
 *	vgen_lapic_take_eoi() if it was level-triggered (TMR).
 * @apic: the APIC.
 */
void vgen_lapic_eoi(struct vgen_lapic *apic)
{
	int vec = vgen_lapic_vec_highest(apic, VGEN_APIC_ISR);

	if (vec < 0)
		return;
	vgen_lapic_vec_assign(apic, VGEN_APIC_ISR, vec, false);
	if (vgen_lapic_vec_test(apic, VGEN_APIC_TMR, vec))
		__set_bit(vec, apic->eoi_pending);
	vgen_lapic_update_ppr(apic);
}

/**
 * vgen_lapic_get_cr8() - CR8 (TPR[7:4]).
 * @apic: the APIC.
 *
 * Return: the value MOV from CR8 reads.
 */
u64 vgen_lapic_get_cr8(struct vgen_lapic *apic)
{
	return (VGEN_REG(apic, VGEN_APIC_TPR) >> 4) & 0xf;
}

/**
 * vgen_lapic_set_cr8() - MOV to CR8: TPR = @val << 4.
 * @apic: the APIC.
 * @val: the new CR8 (bits 63:4 already checked zero).
 */
void vgen_lapic_set_cr8(struct vgen_lapic *apic, u64 val)
{
	VGEN_REG(apic, VGEN_APIC_TPR) = (val & 0xf) << 4;
	vgen_lapic_update_ppr(apic);
}

/**
 * vgen_lapic_pending_irq() - the interrupt the APIC would present now.
 * @apic: the APIC.
 *
 * Folds everything other threads posted (vectors, errors, timer expiry)
 * into the registers first.
 *
 * Return: the highest IRR vector whose priority class is above the PPR's,
 * or -1 (none, or the APIC is globally disabled).
 */
int vgen_lapic_pending_irq(struct vgen_lapic *apic)
{
	int vec;

	vgen_lapic_fold(apic);
	if (vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_DISABLED)
		return -1;
	vec = vgen_lapic_vec_highest(apic, VGEN_APIC_IRR);
	if (vec < 0 || (vec & 0xf0) <= (VGEN_REG(apic, VGEN_APIC_PPR) & 0xf0))
		return -1;
	return vec;
}

/**
 * vgen_lapic_ack_irq() - the VP took @vector: move it from IRR to ISR.
 * @apic: the APIC.
 * @vector: the vector vgen_lapic_pending_irq() returned.
 */
void vgen_lapic_ack_irq(struct vgen_lapic *apic, u8 vector)
{
	vgen_lapic_vec_assign(apic, VGEN_APIC_IRR, vector, false);
	vgen_lapic_vec_assign(apic, VGEN_APIC_ISR, vector, true);
	vgen_lapic_update_ppr(apic);
}

/**
 * vgen_lapic_take_eoi() - an EOI of a level-triggered vector to report.
 * @apic: the APIC.
 * @vector: set to the vector (the lowest one first).
 *
 * Return: true if there was one (the run loop exits with VGEN_EXIT_EOI).
 */
bool vgen_lapic_take_eoi(struct vgen_lapic *apic, u8 *vector)
{
	unsigned long vec = find_first_bit(apic->eoi_pending, 256);

	if (vec >= 256)
		return false;
	__clear_bit(vec, apic->eoi_pending);
	*vector = vec;
	return true;
}

/**
 * vgen_lapic_has_event() - should a halted VP wake up?
 * @apic: the APIC.
 *
 * True for a pending NMI, INIT, SIPI or ExtINT, or a vector that
 * vgen_lapic_pending_irq() would return (folds posted requests). It does
 * not look at RFLAGS.IF: the caller decides whether a maskable interrupt
 * (vector or ExtINT) can be taken, a SIPI only counts in wait-for-SIPI.
 *
 * Return: as above.
 */
bool vgen_lapic_has_event(struct vgen_lapic *apic)
{
	if (READ_ONCE(apic->events) &
	    (BIT(VGEN_LAPIC_EV_NMI) | BIT(VGEN_LAPIC_EV_INIT) |
	     BIT(VGEN_LAPIC_EV_SIPI) | BIT(VGEN_LAPIC_EV_EXTINT)))
		return true;
	return vgen_lapic_pending_irq(apic) >= 0;
}

/**
 * vgen_lapic_get_state() - VGEN_GET_LAPIC.
 * @apic: the APIC.
 * @s: filled in (every unused byte zero), TMCCT = the current count.
 */
void vgen_lapic_get_state(struct vgen_lapic *apic, struct vgen_lapic_state *s)
{
	unsigned int i;

	vgen_lapic_fold(apic);
	memset(s, 0, sizeof(*s));
	s->apic_base = apic->base;
	for (i = 0; i < VGEN_LAPIC_NR_REGS; i++)
		vgen_lapic_store32(apic->reg[i], &s->regs[i * 16]);
	vgen_lapic_store32(vgen_lapic_timer_current(apic),
			   &s->regs[VGEN_APIC_TMCCT]);
}

/**
 * vgen_lapic_set_state() - VGEN_SET_LAPIC.
 * @apic: the APIC.
 * @s: the state.
 *
 * Loads IA32_APIC_BASE (any valid value, no transition rules), ID (xAPIC
 * mode; in x2APIC mode the ID and LDR are the VP's), TPR, LDR, DFR, SVR,
 * ISR, TMR, IRR, ESR, ICR, the LVTs (writable bits), TMICT and TDCR, and
 * restarts the timer from TMICT (or from IA32_TSC_DEADLINE in TSC-deadline
 * mode). VER, APR, PPR, TMCCT and absent registers are ignored. Posted,
 * not yet folded interrupts are kept.
 *
 * Return: 0; -EINVAL flags/reserved fields or an invalid @apic_base.
 */
int vgen_lapic_set_state(struct vgen_lapic *apic,
			 const struct vgen_lapic_state *s)
{
	u32 r[VGEN_LAPIC_NR_REGS];
	u64 deadline = apic->tsc_deadline;
	unsigned int i;
	bool x2;

	if (s->flags || s->reserved0 || !vgen_zeroed(s->reserved))
		return -EINVAL;
	if (!vgen_lapic_base_valid(apic, s->apic_base))
		return -EINVAL;
	for (i = 0; i < VGEN_LAPIC_NR_REGS; i++)
		r[i] = vgen_lapic_load32(&s->regs[i * 16]);
	vgen_lapic_timer_stop(apic);
	vgen_lapic_set_base(apic, s->apic_base, true);
	x2 = vgen_lapic_base_mode(s->apic_base) == VGEN_LAPIC_MODE_X2APIC;

	memset(apic->reg, 0, sizeof(apic->reg));
#define VGEN_R(off)	r[(off) >> 4]
	VGEN_REG(apic, VGEN_APIC_ID) = x2 ? apic->vp->apic_id :
				       VGEN_R(VGEN_APIC_ID) & 0xff000000;
	VGEN_REG(apic, VGEN_APIC_VER) = VGEN_APIC_VERSION;
	VGEN_REG(apic, VGEN_APIC_TPR) = VGEN_R(VGEN_APIC_TPR) & 0xff;
	VGEN_REG(apic, VGEN_APIC_LDR) = x2 ?
		vgen_lapic_x2apic_ldr(apic->vp->apic_id) :
		VGEN_R(VGEN_APIC_LDR) & 0xff000000;
	VGEN_REG(apic, VGEN_APIC_DFR) = VGEN_R(VGEN_APIC_DFR) | 0x0fffffff;
	VGEN_REG(apic, VGEN_APIC_SVR) = VGEN_R(VGEN_APIC_SVR) &
					VGEN_APIC_SVR_MASK;
	for (i = VGEN_APIC_ISR >> 4; i < VGEN_APIC_ESR >> 4; i++)
		apic->reg[i] = r[i];
	VGEN_REG(apic, VGEN_APIC_ESR) = VGEN_R(VGEN_APIC_ESR) & 0xff;
	VGEN_REG(apic, VGEN_APIC_ICR) = VGEN_R(VGEN_APIC_ICR) &
					VGEN_APIC_ICR_BITS;
	VGEN_REG(apic, VGEN_APIC_ICR2) = x2 ? VGEN_R(VGEN_APIC_ICR2) :
					 VGEN_R(VGEN_APIC_ICR2) & 0xff000000;
	VGEN_REG(apic, VGEN_APIC_TMICT) = VGEN_R(VGEN_APIC_TMICT);
	VGEN_REG(apic, VGEN_APIC_TDCR) = VGEN_R(VGEN_APIC_TDCR) & 0xb;
	VGEN_REG(apic, VGEN_APIC_LVTT) = VGEN_APIC_LVT_MASKED;
	for (i = 0; i < ARRAY_SIZE(vgen_lapic_lvts); i++) {
		u32 off = vgen_lapic_lvts[i];

		/* Cannot fail: only writable bits. */
		vgen_lapic_write_lvt(apic, off, VGEN_R(off) &
				     vgen_lapic_lvt_bits(apic, off));
	}
#undef VGEN_R
	apic->esr_pending = 0;
	bitmap_zero(apic->eoi_pending, 256);
	vgen_lapic_update_ppr(apic);
	vgen_lapic_update_mirrors(apic);

	if (VGEN_APIC_LVTT_MODE(VGEN_REG(apic, VGEN_APIC_LVTT)) ==
	    VGEN_APIC_TIMER_TSCDEADLINE)
		vgen_lapic_timer_set_deadline(apic, deadline);
	else
		vgen_lapic_timer_start(apic);
	return 0;
}

/**
 * vgen_lapic_create() - give a VP its local APIC, in the power-on state.
 * @vp: the VP (not yet visible to other threads).
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_lapic_create(struct vgen_vp *vp)
{
	struct vgen_lapic *apic;
	u32 cpuid[4];

	apic = kzalloc(sizeof(*apic), GFP_KERNEL_ACCOUNT);
	if (!apic)
		return -ENOMEM;
	apic->vp = vp;
	vgen_cpuid_lookup(vp->part, vp->apic_id, 1, 0, cpuid);
	apic->has_x2apic = cpuid[2] & VGEN_CPUID_1_ECX_X2APIC;
	apic->has_tsc_deadline = cpuid[2] & VGEN_CPUID_1_ECX_TSC_DEADLINE;
	vgen_lapic_timer_init(apic);
	vgen_lapic_reset(apic, false);
	vp->lapic = apic;
	return 0;
}

/**
 * vgen_lapic_destroy() - stop the APIC timer (synchronously) and free the
 *	APIC (VP teardown).
 * @vp: the VP; vp->lapic may be NULL.
 */
void vgen_lapic_destroy(struct vgen_vp *vp)
{
	struct vgen_lapic *apic = vp->lapic;

	if (!apic)
		return;
	hrtimer_cancel(&apic->timer);
	kfree(apic);
	vp->lapic = NULL;
}

/**
 * vgen_lapic_get_summary() - IRR, ISR, TPR and PPR for introspection,
 *	without folding posted vectors (readers add vgen_lapic_get_posted()).
 * @apic: the APIC (run thread).
 * @sum: filled in.
 */
void vgen_lapic_get_summary(const struct vgen_lapic *apic,
			    struct vgen_vp_irq_summary *sum)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sum->irr); i++) {
		sum->irr[i] = apic->reg[(VGEN_APIC_IRR >> 4) + i];
		sum->isr[i] = apic->reg[(VGEN_APIC_ISR >> 4) + i];
	}
	sum->tpr = VGEN_REG(apic, VGEN_APIC_TPR);
	sum->ppr = VGEN_REG(apic, VGEN_APIC_PPR);
}
