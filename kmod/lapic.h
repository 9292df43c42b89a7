/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controller of a partition: one local APIC per VP
 * (lapic.c) and the partition's MSI delivery and IOAPIC routing table
 * (irq.c).
 *
 * Threading model. Everything in struct vgen_lapic that the guest sees as
 * a register (the register page, timer programming, ISR/TMR/IRR) belongs
 * to the VP's run thread and is only touched with vgen_vp.run_lock held.
 * Other threads (MSIs, IPIs from other VPs, IOAPIC asserts, the APIC
 * timer's hrtimer) never touch it: they post requests into atomic fields
 * of struct vgen_lapic (pending vectors, NMI/INIT/SIPI/ExtINT bits) and
 * call vgen_vp_kick(); the run thread folds the posted requests into the
 * registers (vgen_lapic_pending_irq() does that first). The few
 * registers other threads must read for destination matching and
 * lowest-priority arbitration (APIC ID, LDR, DFR, mode, PPR, enable) are
 * mirrored in fields written by the run thread with WRITE_ONCE() and read
 * with READ_ONCE().
 */
#ifndef _VGEN_LAPIC_H
#define _VGEN_LAPIC_H

#include <linux/types.h>

struct vgen_vp;
struct vgen_partition;
struct vgen_lapic;
struct vgen_irqchip;
struct vgen_lapic_state;

/* Bits returned by vgen_lapic_take_init_sipi(). */
#define VGEN_LAPIC_INIT		(1U << 0)	/* INIT received */
#define VGEN_LAPIC_SIPI		(1U << 1)	/* SIPI received (*vector set) */

/* lapic.c: run thread (vgen_vp.run_lock held) unless noted */
int vgen_lapic_create(struct vgen_vp *vp);
void vgen_lapic_destroy(struct vgen_vp *vp);
void vgen_lapic_reset(struct vgen_lapic *apic, bool init);
bool vgen_lapic_mmio_hit(struct vgen_lapic *apic, u64 gpa);
void vgen_lapic_mmio_read(struct vgen_lapic *apic, u64 gpa, void *data,
			  u32 len);
void vgen_lapic_mmio_write(struct vgen_lapic *apic, u64 gpa,
			   const void *data, u32 len);
int vgen_lapic_msr(struct vgen_lapic *apic, u32 index, bool write, u64 *val);
u64 vgen_lapic_get_cr8(struct vgen_lapic *apic);
void vgen_lapic_set_cr8(struct vgen_lapic *apic, u64 val);
int vgen_lapic_pending_irq(struct vgen_lapic *apic);
void vgen_lapic_ack_irq(struct vgen_lapic *apic, u8 vector);
bool vgen_lapic_take_nmi(struct vgen_lapic *apic);
bool vgen_lapic_nmi_pending(struct vgen_lapic *apic);
void vgen_lapic_set_nmi_pending(struct vgen_lapic *apic, bool pending);
bool vgen_lapic_extint_pending(struct vgen_lapic *apic);
void vgen_lapic_ack_extint(struct vgen_lapic *apic);
u32 vgen_lapic_take_init_sipi(struct vgen_lapic *apic, u8 *vector);
bool vgen_lapic_take_eoi(struct vgen_lapic *apic, u8 *vector);
bool vgen_lapic_has_event(struct vgen_lapic *apic);
u64 vgen_lapic_get_base(struct vgen_lapic *apic);
void vgen_lapic_get_state(struct vgen_lapic *apic, struct vgen_lapic_state *s);
int vgen_lapic_set_state(struct vgen_lapic *apic,
			 const struct vgen_lapic_state *s);

/* lapic.c: any thread */
int vgen_lapic_deliver(struct vgen_vp *vp, u32 dm, u8 vector, bool level);
bool vgen_lapic_match_dest(struct vgen_vp *vp, u32 dest, bool logical);
u32 vgen_lapic_arb_priority(struct vgen_vp *vp);

/* irq.c */
int vgen_irq_init(struct vgen_partition *part);
void vgen_irq_destroy(struct vgen_partition *part);
void vgen_irq_reset(struct vgen_partition *part);
int vgen_irq_deliver(struct vgen_partition *part, struct vgen_vp *src,
		     u32 shorthand, u32 dest, bool logical, bool lowest,
		     u32 dm, u8 vector, bool level);
long vgen_irq_ioctl(struct vgen_partition *part, unsigned int cmd,
		    void __user *argp);

#endif /* _VGEN_LAPIC_H */
