/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the local APIC files (lapic.c: core state,
 * lapic_regs.c: register access, lapic_post.c: posting from other
 * threads, lapic_timer.c: the timer). Not for the rest of the module:
 * use lapic.h.
 */
#ifndef _VGEN_LAPIC_INTERNAL_H
#define _VGEN_LAPIC_INTERNAL_H

#include <linux/bits.h>
#include <linux/string.h>

#include "vgen.h"

/* Register offsets of the xAPIC page (x2APIC MSR = 0x800 + offset / 16). */
#define VGEN_APIC_ID		0x020
#define VGEN_APIC_VER		0x030
#define VGEN_APIC_TPR		0x080
#define VGEN_APIC_APR		0x090
#define VGEN_APIC_PPR		0x0a0
#define VGEN_APIC_EOI		0x0b0
#define VGEN_APIC_RRD		0x0c0
#define VGEN_APIC_LDR		0x0d0
#define VGEN_APIC_DFR		0x0e0
#define VGEN_APIC_SVR		0x0f0
#define VGEN_APIC_ISR		0x100
#define VGEN_APIC_TMR		0x180
#define VGEN_APIC_IRR		0x200
#define VGEN_APIC_ESR		0x280
#define VGEN_APIC_ICR		0x300
#define VGEN_APIC_ICR2		0x310
#define VGEN_APIC_LINT0		0x350
#define VGEN_APIC_LINT1		0x360
#define VGEN_APIC_LVTERR	0x370
#define VGEN_APIC_LVTT		0x320
#define VGEN_APIC_TMICT		0x380
#define VGEN_APIC_TDCR		0x3e0
#define VGEN_APIC_TMCCT		0x390
#define VGEN_APIC_SELF_IPI	0x3f0

#define VGEN_APIC_VERSION	0x00030014
#define VGEN_APIC_SVR_ENABLE	(1U << 8)
#define VGEN_APIC_SVR_MASK	0x3ffU

/* Writable bits of the LVTs (delivery status and remote IRR read 0). */
#define VGEN_APIC_LVTT_BITS	0x300ffU	/* + bit 18 with TSC deadline */
#define VGEN_APIC_LINT_BITS	0x1a7ffU
#define VGEN_APIC_LVTERR_BITS	0x100ffU
#define VGEN_APIC_LVT_RO_BITS	((1U << 12) | (1U << 14))
/* ICR: vector, DM, dest mode, level, trigger, shorthand. */
#define VGEN_APIC_ICR_BITS	0xccfffU

#define VGEN_APIC_BASE_BSP	BIT_ULL(8)
#define VGEN_APIC_BASE_EXTD	BIT_ULL(10)
#define VGEN_APIC_BASE_EN	BIT_ULL(11)
#define VGEN_APIC_BASE_ADDR	GENMASK_ULL(VGEN_GPA_BITS - 1, 12)
#define VGEN_APIC_BASE_VALID	(VGEN_APIC_BASE_ADDR | VGEN_APIC_BASE_EN | \
				 VGEN_APIC_BASE_EXTD | VGEN_APIC_BASE_BSP)
#define VGEN_APIC_BASE_DEFAULT	0xfee00000ULL

#define VGEN_MSR_APIC_BASE	0x1b
#define VGEN_MSR_TSC_DEADLINE	0x6e0
#define VGEN_MSR_X2APIC_FIRST	0x800
#define VGEN_MSR_X2APIC_LAST	0x8ff

#define VGEN_CPUID_1_ECX_X2APIC		BIT(21)
#define VGEN_CPUID_1_ECX_TSC_DEADLINE	BIT(24)

#define VGEN_APIC_LVT_MASKED	(1U << 16)
#define VGEN_APIC_ESR_SEND_ILLEGAL	(1U << 5)
#define VGEN_APIC_ESR_RECV_ILLEGAL	(1U << 6)
#define VGEN_APIC_ESR_ILLEGAL_REG	(1U << 7)
#define VGEN_APIC_LVTT_MODE(lvt)	(((lvt) >> 17) & 3)
#define VGEN_APIC_TIMER_ONESHOT		0
#define VGEN_APIC_TIMER_PERIODIC	1
#define VGEN_APIC_TIMER_TSCDEADLINE	2

/* The register at xAPIC offset @off (an lvalue). */
#define VGEN_REG(apic, off)	((apic)->reg[(off) >> 4])

/* The mode IA32_APIC_BASE value @base selects (VGEN_LAPIC_MODE_*). */
static inline u8 vgen_lapic_base_mode(u64 base)
{
	if (!(base & VGEN_APIC_BASE_EN))
		return VGEN_LAPIC_MODE_DISABLED;
	return base & VGEN_APIC_BASE_EXTD ? VGEN_LAPIC_MODE_X2APIC :
					    VGEN_LAPIC_MODE_XAPIC;
}

/* The x2APIC logical ID: cluster (ID[19:4]) and one bit of 16. */
static inline u32 vgen_lapic_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

/* Little-endian 32-bit loads and stores of the uapi register page. */
static inline u32 vgen_lapic_load32(const void *p)
{
	__le32 v;

	memcpy(&v, p, sizeof(v));
	return le32_to_cpu(v);
}

static inline void vgen_lapic_store32(u32 val, void *p)
{
	__le32 v = cpu_to_le32(val);

	memcpy(p, &v, sizeof(v));
}

/* lapic.c: run thread */
int vgen_lapic_vec_highest(const struct vgen_lapic *apic, u32 base);
void vgen_lapic_update_ppr(struct vgen_lapic *apic);
void vgen_lapic_update_mirrors(struct vgen_lapic *apic);
void vgen_lapic_mask_lvts(struct vgen_lapic *apic);
void vgen_lapic_error(struct vgen_lapic *apic, u32 bits);
void vgen_lapic_fold(struct vgen_lapic *apic);
void vgen_lapic_eoi(struct vgen_lapic *apic);
void vgen_lapic_timer_expired(struct vgen_lapic *apic);

/* lapic_regs.c: run thread */
bool vgen_lapic_base_valid(const struct vgen_lapic *apic, u64 val);
int vgen_lapic_set_base(struct vgen_lapic *apic, u64 val, bool host);
u32 vgen_lapic_lvt_bits(const struct vgen_lapic *apic, u32 off);
int vgen_lapic_write_lvt(struct vgen_lapic *apic, u32 off, u32 val);

/* lapic_timer.c: run thread, except the hrtimer callback */
void vgen_lapic_timer_init(struct vgen_lapic *apic);
void vgen_lapic_timer_stop(struct vgen_lapic *apic);
void vgen_lapic_timer_start(struct vgen_lapic *apic);
void vgen_lapic_timer_set_mode(struct vgen_lapic *apic, u32 old_lvt);
u32 vgen_lapic_timer_current(struct vgen_lapic *apic);
void vgen_lapic_timer_set_deadline(struct vgen_lapic *apic, u64 deadline);

#endif /* _VGEN_LAPIC_INTERNAL_H */
