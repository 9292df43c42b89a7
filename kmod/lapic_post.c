// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts posted to a local APIC by any thread (MSIs, IPIs, IOAPIC
 * asserts, LINT pulses, the timer callback): acceptance checks against
 * the mirrored registers, posting into the atomic fields of struct
 * vgen_lapic, destination matching and arbitration priority; and the
 * run thread's side that takes the posted NMI/INIT/SIPI/ExtINT events.
 * See lapic.h for the threading model.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>

#include "lapic_internal.h"

/**
 * vgen_lapic_deliver() - offer an interrupt to a VP's APIC.
 * @vp: the target VP.
 * @dm: delivery mode, VGEN_MSI_DM_* (lowest priority is delivered as
 *	fixed: the caller has arbitrated).
 * @vector: the vector (fixed, lowest priority, SIPI).
 * @level: level-triggered (sets TMR: its EOI is reported to the VMM).
 *
 * Any thread, also hard interrupt context: posts the request and kicks
 * the VP. A globally disabled APIC refuses everything; a software-disabled
 * one refuses fixed and lowest-priority interrupts; a vector below 16
 * sets ESR "receive illegal vector" and is refused; SMI is refused.
 *
 * Return: 1 accepted, 0 refused.
 */
int vgen_lapic_deliver(struct vgen_vp *vp, u32 dm, u8 vector, bool level)
{
	struct vgen_lapic *apic = vp->lapic;

	if (!apic || READ_ONCE(apic->mode) == VGEN_LAPIC_MODE_DISABLED)
		return 0;
	switch (dm) {
	case VGEN_MSI_DM_FIXED:
	case VGEN_MSI_DM_LOWEST:
		if (!READ_ONCE(apic->sw_enabled))
			return 0;
		if (vector < 16) {
			atomic_or(VGEN_APIC_ESR_RECV_ILLEGAL, &apic->esr_posted);
			vgen_vp_kick(vp);
			return 0;
		}
		if (level)
			set_bit(vector, apic->pir_level);
		/* The trigger mode is visible before the vector. */
		smp_mb__before_atomic();
		set_bit(vector, apic->pir);
		break;
	case VGEN_MSI_DM_NMI:
		set_bit(VGEN_LAPIC_EV_NMI, &apic->events);
		break;
	case VGEN_MSI_DM_INIT:
		set_bit(VGEN_LAPIC_EV_INIT, &apic->events);
		break;
	case VGEN_MSI_DM_SIPI:
		WRITE_ONCE(apic->sipi_vector, vector);
		/* The vector is visible before the event bit. */
		smp_mb__before_atomic();
		set_bit(VGEN_LAPIC_EV_SIPI, &apic->events);
		break;
	case VGEN_MSI_DM_EXTINT:
		set_bit(VGEN_LAPIC_EV_EXTINT, &apic->events);
		break;
	default:
		return 0;
	}
	vgen_vp_kick(vp);
	return 1;
}

/**
 * vgen_lapic_match_dest() - is @vp a destination of an interrupt?
 * @vp: the candidate.
 * @dest: the destination (VGEN_LAPIC_BROADCAST matches every enabled
 *	APIC in physical mode and every x2APIC in logical mode).
 * @logical: logical destination mode: x2APIC cluster/bitmap; xAPIC flat
 *	(DFR model 0xf: bitmap) or cluster (model 0: cluster 0xf matches
 *	every cluster).
 *
 * Any thread (reads the mirrors). A globally disabled APIC never matches.
 *
 * Return: true on a match.
 */
bool vgen_lapic_match_dest(struct vgen_vp *vp, u32 dest, bool logical)
{
	struct vgen_lapic *apic = vp->lapic;
	u32 ldr;
	u8 mode;

	if (!apic)
		return false;
	mode = READ_ONCE(apic->mode);
	if (mode == VGEN_LAPIC_MODE_DISABLED)
		return false;
	if (!logical)
		return dest == VGEN_LAPIC_BROADCAST || dest == READ_ONCE(apic->id);
	ldr = READ_ONCE(apic->ldr);
	if (mode == VGEN_LAPIC_MODE_X2APIC)
		return dest == VGEN_LAPIC_BROADCAST ||
		       ((dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff));
	dest &= 0xff;
	ldr >>= 24;
	if ((READ_ONCE(apic->dfr) >> 28) == 0xf)
		return dest & ldr;
	if ((dest >> 4) != 0xf && (dest >> 4) != (ldr >> 4))
		return false;
	return dest & ldr & 0xf;
}

/**
 * vgen_lapic_arb_priority() - @vp's priority in lowest-priority
 *	arbitration (lower wins).
 * @vp: the VP.
 *
 * Any thread. The PPR; 0x100 (loses to everyone) for a missing or
 * software-disabled APIC, which would refuse the interrupt.
 *
 * Return: as above.
 */
u32 vgen_lapic_arb_priority(struct vgen_vp *vp)
{
	struct vgen_lapic *apic = vp->lapic;

	if (!apic || !READ_ONCE(apic->sw_enabled))
		return 0x100;
	return READ_ONCE(apic->ppr) & 0xff;
}

/**
 * vgen_lapic_pulse_lint() - a pulse on @vp's LINT0 or LINT1 pin.
 * @vp: the VP.
 * @lint: 0 or 1.
 *
 * Any thread. The LVT LINT entry decides: masked -> nothing; fixed -> its
 * vector (edge); NMI, INIT, ExtINT -> that event; SMI and reserved modes
 * -> nothing. With the APIC globally disabled the pins pass through:
 * LINT0 as ExtINT (INTR), LINT1 as NMI.
 *
 * Return: 1 accepted, 0 not.
 */
int vgen_lapic_pulse_lint(struct vgen_vp *vp, u32 lint)
{
	struct vgen_lapic *apic = vp->lapic;
	u32 lvt;

	if (!apic || lint > 1)
		return 0;
	if (READ_ONCE(apic->mode) == VGEN_LAPIC_MODE_DISABLED) {
		set_bit(lint ? VGEN_LAPIC_EV_NMI : VGEN_LAPIC_EV_EXTINT,
			&apic->events);
		vgen_vp_kick(vp);
		return 1;
	}
	lvt = READ_ONCE(apic->lint[lint]);
	if (lvt & VGEN_APIC_LVT_MASKED)
		return 0;
	switch ((lvt >> 8) & 7) {
	case VGEN_MSI_DM_FIXED:
		return vgen_lapic_deliver(vp, VGEN_MSI_DM_FIXED, lvt & 0xff,
					  false);
	case VGEN_MSI_DM_NMI:
	case VGEN_MSI_DM_INIT:
	case VGEN_MSI_DM_EXTINT:
		return vgen_lapic_deliver(vp, (lvt >> 8) & 7, 0, false);
	default:
		return 0;
	}
}

/**
 * vgen_lapic_take_nmi() - consume a pending NMI (NMIs posted before it
 *	coalesce into one).
 * @apic: the APIC.
 *
 * Return: true if an NMI was pending.
 */
bool vgen_lapic_take_nmi(struct vgen_lapic *apic)
{
	return test_bit(VGEN_LAPIC_EV_NMI, &apic->events) &&
	       test_and_clear_bit(VGEN_LAPIC_EV_NMI, &apic->events);
}

/**
 * vgen_lapic_extint_pending() - is an ExtINT interrupt pending?
 * @apic: the APIC.
 *
 * Return: true until vgen_lapic_ack_extint().
 */
bool vgen_lapic_extint_pending(struct vgen_lapic *apic)
{
	return test_bit(VGEN_LAPIC_EV_EXTINT, &apic->events);
}

/**
 * vgen_lapic_ack_extint() - the pending ExtINT was reported to the VMM.
 * @apic: the APIC.
 */
void vgen_lapic_ack_extint(struct vgen_lapic *apic)
{
	clear_bit(VGEN_LAPIC_EV_EXTINT, &apic->events);
}

/**
 * vgen_lapic_take_init_sipi() - consume pending INIT and SIPI.
 * @apic: the APIC.
 * @vector: set to the SIPI vector when VGEN_LAPIC_SIPI is returned.
 *
 * Does not reset anything: for INIT the caller calls vgen_lapic_reset()
 * with @init true and puts the VP in wait-for-SIPI; a SIPI only matters
 * in that state (the caller drops it otherwise).
 *
 * Return: VGEN_LAPIC_INIT and/or VGEN_LAPIC_SIPI.
 */
u32 vgen_lapic_take_init_sipi(struct vgen_lapic *apic, u8 *vector)
{
	u32 ret = 0;

	if (!(READ_ONCE(apic->events) &
	      (BIT(VGEN_LAPIC_EV_INIT) | BIT(VGEN_LAPIC_EV_SIPI))))
		return 0;
	if (test_and_clear_bit(VGEN_LAPIC_EV_INIT, &apic->events))
		ret |= VGEN_LAPIC_INIT;
	if (test_and_clear_bit(VGEN_LAPIC_EV_SIPI, &apic->events)) {
		ret |= VGEN_LAPIC_SIPI;
		*vector = READ_ONCE(apic->sipi_vector);
	}
	return ret;
}

/**
 * vgen_lapic_nmi_pending() - is an NMI pending (posted, not yet taken)?
 * @apic: the APIC.
 *
 * Return: true if so.
 */
bool vgen_lapic_nmi_pending(struct vgen_lapic *apic)
{
	return test_bit(VGEN_LAPIC_EV_NMI, &apic->events);
}

/**
 * vgen_lapic_set_nmi_pending() - post or drop a pending NMI (state restore).
 * @apic: the APIC.
 * @pending: the new state.
 */
void vgen_lapic_set_nmi_pending(struct vgen_lapic *apic, bool pending)
{
	if (pending)
		set_bit(VGEN_LAPIC_EV_NMI, &apic->events);
	else
		clear_bit(VGEN_LAPIC_EV_NMI, &apic->events);
}

/**
 * vgen_lapic_get_posted() - add the vectors posted by other threads and
 *	not yet folded into IRR by the run thread to @irr.
 * @apic: the APIC (any thread).
 * @irr: 8 words of 32 vectors (vector v: bit v % 32 of word v / 32).
 */
void vgen_lapic_get_posted(struct vgen_lapic *apic, u32 irr[8])
{
	unsigned int v;

	for (v = 0; v < 256; v++)
		if (test_bit(v, apic->pir))
			irr[v / 32] |= BIT(v % 32);
}
