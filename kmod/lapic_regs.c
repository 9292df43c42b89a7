// SPDX-License-Identifier: GPL-2.0
/*
 * Register access of the local APIC: IA32_APIC_BASE and its mode
 * transitions, the xAPIC MMIO page, the x2APIC MSRs, IA32_TSC_DEADLINE,
 * and what register writes do (EOI, IPIs through the ICR, LVT and SVR
 * rules). Run thread only. See lapic.c for the model decisions.
 */
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "lapic_internal.h"

/**
 * vgen_lapic_base_valid() - is @val a valid IA32_APIC_BASE value?
 * @apic: the APIC.
 * @val: the value: no reserved bits; x2APIC only with the enable bit and
 *	CPUID support.
 *
 * Return: true if valid.
 */
bool vgen_lapic_base_valid(const struct vgen_lapic *apic, u64 val)
{
	if (val & ~VGEN_APIC_BASE_VALID)
		return false;
	return !(val & VGEN_APIC_BASE_EXTD) ||
	       ((val & VGEN_APIC_BASE_EN) && apic->has_x2apic);
}

/**
 * vgen_lapic_set_base() - write IA32_APIC_BASE.
 * @apic: the APIC.
 * @val: the new value.
 * @host: loaded by the VMM (VGEN_SET_LAPIC): any valid value; else a
 *	guest WRMSR, which may only go disabled <-> xAPIC -> x2APIC ->
 *	disabled and cannot change the BSP bit.
 *
 * Going to disabled resets the APIC (as INIT) and its ID; entering
 * x2APIC mode sets the x2APIC ID and LDR and keeps the rest.
 *
 * Return: 0, or -1 (#GP).
 */
int vgen_lapic_set_base(struct vgen_lapic *apic, u64 val, bool host)
{
	u8 old = vgen_lapic_base_mode(apic->base);
	u8 new = vgen_lapic_base_mode(val);
	u32 id = apic->vp->apic_id;

	if (!vgen_lapic_base_valid(apic, val))
		return -1;
	if (!host) {
		if (old == VGEN_LAPIC_MODE_X2APIC &&
		    new == VGEN_LAPIC_MODE_XAPIC)
			return -1;
		if (old == VGEN_LAPIC_MODE_DISABLED &&
		    new == VGEN_LAPIC_MODE_X2APIC)
			return -1;
		val = (val & ~VGEN_APIC_BASE_BSP) |
		      (apic->base & VGEN_APIC_BASE_BSP);
	}
	apic->base = val;
	if (old != new) {
		if (new == VGEN_LAPIC_MODE_X2APIC) {
			VGEN_REG(apic, VGEN_APIC_ID) = id;
			VGEN_REG(apic, VGEN_APIC_LDR) =
				vgen_lapic_x2apic_ldr(id);
		} else {
			if (old == VGEN_LAPIC_MODE_X2APIC ||
			    new == VGEN_LAPIC_MODE_DISABLED)
				VGEN_REG(apic, VGEN_APIC_ID) = id << 24;
			if (new == VGEN_LAPIC_MODE_DISABLED)
				vgen_lapic_reset(apic, true);
		}
	}
	vgen_lapic_update_mirrors(apic);
	return 0;
}

/**
 * vgen_lapic_get_base() - IA32_APIC_BASE.
 * @apic: the APIC.
 *
 * Return: the MSR value.
 */
u64 vgen_lapic_get_base(struct vgen_lapic *apic)
{
	return apic->base;
}

/**
 * vgen_lapic_mmio_hit() - does a guest physical access go to the xAPIC page?
 * @apic: the APIC.
 * @gpa: the address accessed.
 *
 * Return: true if the APIC is enabled in xAPIC mode and @gpa lies in the
 * 4 KiB page at its base.
 */
bool vgen_lapic_mmio_hit(struct vgen_lapic *apic, u64 gpa)
{
	return vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_XAPIC &&
	       (gpa & ~0xfffULL) == (apic->base & VGEN_APIC_BASE_ADDR);
}

/* The APR: the priority this APIC would arbitrate with. */
static u32 vgen_lapic_apr(struct vgen_lapic *apic)
{
	u32 tpr = VGEN_REG(apic, VGEN_APIC_TPR) & 0xff;
	int isrv = vgen_lapic_vec_highest(apic, VGEN_APIC_ISR);
	int irrv = vgen_lapic_vec_highest(apic, VGEN_APIC_IRR);

	isrv = isrv < 0 ? 0 : isrv & 0xf0;
	irrv = irrv < 0 ? 0 : irrv & 0xf0;
	if ((tpr & 0xf0) >= irrv && (tpr & 0xf0) > isrv)
		return tpr;
	return max3((u32)tpr & 0xf0, (u32)isrv, (u32)irrv);
}

/*
 * vgen_lapic_read_reg() - the register at @off in the current mode.
 *
 * Return: false if there is no readable register at @off in this mode.
 */
static bool vgen_lapic_read_reg(struct vgen_lapic *apic, u32 off, u32 *val)
{
	bool x2 = vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_X2APIC;

	if (off >= VGEN_APIC_ISR && off < VGEN_APIC_ESR) {
		if (off & 0xf)
			return false;
		vgen_lapic_fold(apic);
		*val = VGEN_REG(apic, off);
		return true;
	}
	switch (off) {
	case VGEN_APIC_ID:
	case VGEN_APIC_VER:
	case VGEN_APIC_TPR:
	case VGEN_APIC_PPR:
	case VGEN_APIC_LDR:
	case VGEN_APIC_SVR:
	case VGEN_APIC_ESR:
	case VGEN_APIC_ICR:
	case VGEN_APIC_LVTT:
	case VGEN_APIC_LINT0:
	case VGEN_APIC_LINT1:
	case VGEN_APIC_LVTERR:
	case VGEN_APIC_TMICT:
	case VGEN_APIC_TDCR:
		*val = VGEN_REG(apic, off);
		return true;
	case VGEN_APIC_TMCCT:
		*val = vgen_lapic_timer_current(apic);
		return true;
	case VGEN_APIC_APR:
		*val = vgen_lapic_apr(apic);
		return !x2;
	case VGEN_APIC_DFR:
	case VGEN_APIC_ICR2:
		*val = VGEN_REG(apic, off);
		return !x2;
	case VGEN_APIC_EOI:
	case VGEN_APIC_RRD:
		*val = 0;
		return !x2;
	default:
		return false;
	}
}

/* Send the IPI described by ICR[31:0] @lo to @dest. */
static void vgen_lapic_send_ipi(struct vgen_lapic *apic, u32 lo, u32 dest)
{
	u32 dm = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
	bool logical = lo & BIT(11), trig = lo & BIT(15);
	u8 vec = lo & 0xff;

	switch (dm) {
	case VGEN_MSI_DM_FIXED:
	case VGEN_MSI_DM_LOWEST:
		if (vec < 16) {
			vgen_lapic_error(apic, VGEN_APIC_ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case VGEN_MSI_DM_INIT:
		/* INIT level de-assert: nothing to do. */
		if (trig && !(lo & BIT(14)))
			return;
		trig = false;
		break;
	case VGEN_MSI_DM_NMI:
	case VGEN_MSI_DM_SIPI:
		trig = false;
		break;
	default:
		/* SMI (no SMM), ExtINT and reserved modes are not sent. */
		return;
	}
	if (vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_XAPIC &&
	    !logical && dest == 0xff)
		dest = VGEN_LAPIC_BROADCAST;
	vgen_irq_deliver(apic->vp->part, apic->vp, shorthand, dest, logical,
			 dm == VGEN_MSI_DM_LOWEST, dm, vec, trig);
}

/**
 * vgen_lapic_lvt_bits() - the writable bits of an LVT entry.
 * @apic: the APIC.
 * @off: the entry's offset.
 *
 * Return: the mask.
 */
u32 vgen_lapic_lvt_bits(const struct vgen_lapic *apic, u32 off)
{
	if (off == VGEN_APIC_LVTT)
		return VGEN_APIC_LVTT_BITS |
		       (apic->has_tsc_deadline ? BIT(18) : 0);
	if (off == VGEN_APIC_LVTERR)
		return VGEN_APIC_LVTERR_BITS;
	return VGEN_APIC_LINT_BITS;
}

/**
 * vgen_lapic_write_lvt() - write an LVT entry (forced masked while the
 *	APIC is software disabled).
 * @apic: the APIC.
 * @off: the entry's offset.
 * @val: the value.
 *
 * Return: 0, or -1 for reserved bits in x2APIC mode (#GP).
 */
int vgen_lapic_write_lvt(struct vgen_lapic *apic, u32 off, u32 val)
{
	bool x2 = vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_X2APIC;
	u32 old = VGEN_REG(apic, off), bits = vgen_lapic_lvt_bits(apic, off);

	if (x2 && (val & ~(bits | VGEN_APIC_LVT_RO_BITS)))
		return -1;
	val &= bits;
	if (!(VGEN_REG(apic, VGEN_APIC_SVR) & VGEN_APIC_SVR_ENABLE))
		val |= VGEN_APIC_LVT_MASKED;
	VGEN_REG(apic, off) = val;
	if (off == VGEN_APIC_LVTT)
		vgen_lapic_timer_set_mode(apic, old);
	return 0;
}

static void vgen_lapic_write_svr(struct vgen_lapic *apic, u32 val)
{
	VGEN_REG(apic, VGEN_APIC_SVR) = val & VGEN_APIC_SVR_MASK;
	if (!(val & VGEN_APIC_SVR_ENABLE))
		vgen_lapic_mask_lvts(apic);
}

/*
 * vgen_lapic_write_reg() - a 32-bit register write (xAPIC MMIO or x2APIC
 * MSR; the x2APIC ICR is handled by the caller).
 *
 * Return: 0, or -1 if @off is not writable in this mode or @val sets
 * reserved bits (x2APIC: #GP; xAPIC: the write is ignored).
 */
static int vgen_lapic_write_reg(struct vgen_lapic *apic, u32 off, u32 val)
{
	bool x2 = vgen_lapic_base_mode(apic->base) == VGEN_LAPIC_MODE_X2APIC;
	int ret = 0;

	switch (off) {
	case VGEN_APIC_ID:
		if (x2)
			return -1;
		VGEN_REG(apic, off) = val & 0xff000000;
		break;
	case VGEN_APIC_TPR:
		if (x2 && (val & ~0xffU))
			return -1;
		VGEN_REG(apic, off) = val & 0xff;
		vgen_lapic_update_ppr(apic);
		return 0;
	case VGEN_APIC_EOI:
		if (x2 && val)
			return -1;
		vgen_lapic_eoi(apic);
		return 0;
	case VGEN_APIC_LDR:
		if (x2)
			return -1;
		VGEN_REG(apic, off) = val & 0xff000000;
		break;
	case VGEN_APIC_DFR:
		if (x2)
			return -1;
		VGEN_REG(apic, off) = val | 0x0fffffff;
		break;
	case VGEN_APIC_SVR:
		if (x2 && (val & ~VGEN_APIC_SVR_MASK))
			return -1;
		vgen_lapic_write_svr(apic, val);
		break;
	case VGEN_APIC_ESR:
		if (x2 && val)
			return -1;
		vgen_lapic_fold(apic);
		VGEN_REG(apic, off) = apic->esr_pending;
		apic->esr_pending = 0;
		return 0;
	case VGEN_APIC_ICR:
		VGEN_REG(apic, off) = val & VGEN_APIC_ICR_BITS;
		vgen_lapic_send_ipi(apic, val,
				    VGEN_REG(apic, VGEN_APIC_ICR2) >> 24);
		return 0;
	case VGEN_APIC_ICR2:
		if (x2)
			return -1;
		VGEN_REG(apic, off) = val & 0xff000000;
		return 0;
	case VGEN_APIC_LVTT:
	case VGEN_APIC_LINT0:
	case VGEN_APIC_LINT1:
	case VGEN_APIC_LVTERR:
		ret = vgen_lapic_write_lvt(apic, off, val);
		break;
	case VGEN_APIC_TMICT:
		VGEN_REG(apic, off) = val;
		vgen_lapic_timer_start(apic);
		return 0;
	case VGEN_APIC_TDCR:
		if (x2 && (val & ~0xbU))
			return -1;
		VGEN_REG(apic, off) = val & 0xb;
		return 0;
	case VGEN_APIC_SELF_IPI:
		if (!x2 || (val & ~0xffU))
			return -1;
		vgen_lapic_deliver(apic->vp, VGEN_MSI_DM_FIXED, val, false);
		return 0;
	default:
		return -1;
	}
	vgen_lapic_update_mirrors(apic);
	return ret;
}

/**
 * vgen_lapic_mmio_read() - a guest read from the xAPIC page.
 * @apic: the APIC (vgen_lapic_mmio_hit() was true for @gpa).
 * @gpa: the address read.
 * @data: where to store the @len bytes read.
 * @len: the access size (1..8 bytes).
 *
 * Every byte comes from its 16-byte register slot (bytes 4-15 of a slot
 * and offsets 0x400-0xfff read as zero). Reading an absent register reads
 * zero and sets ESR "illegal register address".
 */
void vgen_lapic_mmio_read(struct vgen_lapic *apic, u64 gpa, void *data,
			  u32 len)
{
	u32 i, slot = U32_MAX, val = 0;
	u8 *out = data;

	for (i = 0; i < len; i++) {
		u32 off = (gpa + i) & 0xfff;

		if ((off & ~0xfU) != slot) {
			slot = off & ~0xfU;
			val = 0;
			if (slot < 0x400 &&
			    !vgen_lapic_read_reg(apic, slot, &val)) {
				val = 0;
				vgen_lapic_error(apic,
						 VGEN_APIC_ESR_ILLEGAL_REG);
			}
		}
		out[i] = (off & 0xf) < 4 ? val >> (8 * (off & 3)) : 0;
	}
}

/**
 * vgen_lapic_mmio_write() - a guest write to the xAPIC page.
 * @apic: the APIC (vgen_lapic_mmio_hit() was true for @gpa).
 * @gpa: the address written.
 * @data: the @len bytes written.
 * @len: the access size.
 *
 * Only aligned 32-bit writes of a register take effect; anything else is
 * ignored. Writing an absent register sets ESR "illegal register
 * address"; writes of read-only registers are ignored.
 */
void vgen_lapic_mmio_write(struct vgen_lapic *apic, u64 gpa,
			   const void *data, u32 len)
{
	u32 off = gpa & 0xfff, val, dummy;

	if (len != 4 || (off & 0xf) || off >= 0x400)
		return;
	val = vgen_lapic_load32(data);
	if (!vgen_lapic_read_reg(apic, off, &dummy)) {
		vgen_lapic_error(apic, VGEN_APIC_ESR_ILLEGAL_REG);
		return;
	}
	vgen_lapic_write_reg(apic, off, val);
}

/*
 * vgen_lapic_tsc_deadline_msr() - IA32_TSC_DEADLINE: reads 0 unless the
 * timer is in TSC-deadline mode; writes in other modes are ignored.
 */
static int vgen_lapic_tsc_deadline_msr(struct vgen_lapic *apic, bool write,
				       u64 *val)
{
	bool deadline = VGEN_APIC_LVTT_MODE(VGEN_REG(apic, VGEN_APIC_LVTT)) ==
			VGEN_APIC_TIMER_TSCDEADLINE;

	if (!apic->has_tsc_deadline)
		return -1;
	if (!write) {
		vgen_lapic_fold(apic);
		*val = deadline ? apic->tsc_deadline : 0;
		return 0;
	}
	if (deadline &&
	    vgen_lapic_base_mode(apic->base) != VGEN_LAPIC_MODE_DISABLED)
		vgen_lapic_timer_set_deadline(apic, *val);
	return 0;
}

/**
 * vgen_lapic_msr() - RDMSR/WRMSR of an APIC MSR.
 * @apic: the APIC.
 * @index: the MSR: 0x1b IA32_APIC_BASE, 0x6e0 IA32_TSC_DEADLINE or an
 *	x2APIC register (0x800-0x8ff, x2APIC mode only).
 * @write: WRMSR of *@val, else RDMSR into *@val.
 * @val: the value.
 *
 * Return: 0, or -1 when the instruction raises #GP (any other index, an
 * x2APIC MSR outside x2APIC mode, an absent or wrong-direction register,
 * reserved bits, an illegal IA32_APIC_BASE transition).
 */
int vgen_lapic_msr(struct vgen_lapic *apic, u32 index, bool write, u64 *val)
{
	u32 off, v;

	if (index == VGEN_MSR_APIC_BASE) {
		if (write)
			return vgen_lapic_set_base(apic, *val, false);
		*val = apic->base;
		return 0;
	}
	if (index == VGEN_MSR_TSC_DEADLINE)
		return vgen_lapic_tsc_deadline_msr(apic, write, val);
	if (index < VGEN_MSR_X2APIC_FIRST || index > VGEN_MSR_X2APIC_LAST ||
	    vgen_lapic_base_mode(apic->base) != VGEN_LAPIC_MODE_X2APIC)
		return -1;

	off = (index - VGEN_MSR_X2APIC_FIRST) << 4;
	if (off == VGEN_APIC_ICR) {
		if (!write) {
			*val = VGEN_REG(apic, VGEN_APIC_ICR) |
			       (u64)VGEN_REG(apic, VGEN_APIC_ICR2) << 32;
			return 0;
		}
		if ((u32)*val & ~VGEN_APIC_ICR_BITS)
			return -1;
		VGEN_REG(apic, VGEN_APIC_ICR) = (u32)*val;
		VGEN_REG(apic, VGEN_APIC_ICR2) = *val >> 32;
		vgen_lapic_send_ipi(apic, (u32)*val, *val >> 32);
		return 0;
	}
	if (!write) {
		if (!vgen_lapic_read_reg(apic, off, &v))
			return -1;
		*val = v;
		return 0;
	}
	if (*val >> 32)
		return -1;
	return vgen_lapic_write_reg(apic, off, (u32)*val);
}

