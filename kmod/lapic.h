/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controller of a partition: one local APIC per VP
 * (lapic.c, lapic_regs.c, lapic_post.c, lapic_timer.c; their shared
 * internals are in lapic_internal.h) and the partition's MSI delivery and
 * IOAPIC routing table (irq.c).
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

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/types.h>

struct vgen_vp;
struct vgen_partition;
struct vgen_irqchip;
struct vgen_lapic_state;
struct vgen_vp_irq_summary;

/* Number of 16-byte register slots of the xAPIC page (0x000-0x3f0). */
#define VGEN_LAPIC_NR_REGS	64

/**
 * struct vgen_lapic - one VP's local APIC.
 * @vp: the VP.
 * @reg: the register page, one u32 per 16-byte slot (offset >> 4); ISR,
 *	TMR and IRR live in their slots. Run thread only.
 * @base: IA32_APIC_BASE. Run thread only (mirrored in @mode).
 * @esr_pending: errors collected since the last ESR write. Run thread.
 * @eoi_pending: level-triggered vectors EOI'd and not yet reported with
 *	vgen_lapic_take_eoi(). Run thread.
 * @tsc_deadline: IA32_TSC_DEADLINE (0: disarmed). Run thread.
 * @has_x2apic: CPUID.1:ECX.x2APIC of the partition (frozen at creation).
 * @has_tsc_deadline: CPUID.1:ECX.TSC_DEADLINE likewise.
 * @timer: the APIC timer (lapic_timer.c). Armed and cancelled by the run
 *	thread only; its callback reads @timer_period_ns and
 *	@timer_periodic, which change only while it is cancelled.
 * @timer_start: host time (ktime_get()) at which the current count was
 *	last loaded. Run thread.
 * @timer_period_ns: length of one count-down (or of the remaining time
 *	to a TSC deadline) in ns; 0 when the timer is stopped.
 * @timer_periodic: the callback re-arms the timer every @timer_period_ns.
 * @pir: vectors posted by other threads, folded into IRR by the run
 *	thread; atomic bitops only.
 * @pir_level: of the @pir vectors, those posted level-triggered.
 * @events: VGEN_LAPIC_EV_* bits; atomic bitops only.
 * @sipi_vector: the vector of the last SIPI (written before EV_SIPI is set).
 * @esr_posted: ESR bits recorded by other threads; atomic.
 * @mode: VGEN_LAPIC_MODE_* mirror of @base (READ_ONCE/WRITE_ONCE).
 * @sw_enabled: mirror of SVR bit 8.
 * @id: mirror of the APIC ID (xAPIC: ID[31:24]; x2APIC: the full ID).
 * @ldr: mirror of the LDR (xAPIC: the register, ID in bits 31:24).
 * @dfr: mirror of the DFR.
 * @ppr: mirror of the PPR (the arbitration priority).
 * @lint: mirror of LVT LINT0 and LINT1 (mask bit set while software
 *	disabled).
 */
struct vgen_lapic {
	struct vgen_vp *vp;
	u32 reg[VGEN_LAPIC_NR_REGS];
	u64 base;
	u32 esr_pending;
	unsigned long eoi_pending[BITS_TO_LONGS(256)];
	u64 tsc_deadline;
	bool has_x2apic;
	bool has_tsc_deadline;

	struct hrtimer timer;
	ktime_t timer_start;
	u64 timer_period_ns;
	bool timer_periodic;

	unsigned long pir[BITS_TO_LONGS(256)];
	unsigned long pir_level[BITS_TO_LONGS(256)];
	unsigned long events;
	u8 sipi_vector;
	atomic_t esr_posted;

	u8 mode;
	bool sw_enabled;
	u32 id;
	u32 ldr;
	u32 dfr;
	u32 ppr;
	u32 lint[2];
};

/* struct vgen_lapic.mode */
#define VGEN_LAPIC_MODE_DISABLED	0
#define VGEN_LAPIC_MODE_XAPIC		1
#define VGEN_LAPIC_MODE_X2APIC		2

/* Destination that every APIC matches (x2APIC broadcast). */
#define VGEN_LAPIC_BROADCAST	0xffffffffU

/* ICR destination shorthands (vgen_irq_deliver()). */
#define VGEN_LAPIC_DEST_NONE		0
#define VGEN_LAPIC_DEST_SELF		1
#define VGEN_LAPIC_DEST_ALL		2	/* all including self */
#define VGEN_LAPIC_DEST_OTHERS		3	/* all excluding self */

/* Bits of struct vgen_lapic.events. */
#define VGEN_LAPIC_EV_NMI	0
#define VGEN_LAPIC_EV_INIT	1
#define VGEN_LAPIC_EV_SIPI	2
#define VGEN_LAPIC_EV_EXTINT	3
#define VGEN_LAPIC_EV_TIMER	4	/* the hrtimer expired */

/* Bits returned by vgen_lapic_take_init_sipi(). */
#define VGEN_LAPIC_INIT		(1U << 0)	/* INIT received */
#define VGEN_LAPIC_SIPI		(1U << 1)	/* SIPI received (*vector set) */

/* lapic.c, lapic_regs.c: run thread (vgen_vp.run_lock held) */
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
bool vgen_lapic_nmi_pending(struct vgen_lapic *apic);
void vgen_lapic_set_nmi_pending(struct vgen_lapic *apic, bool pending);
bool vgen_lapic_take_eoi(struct vgen_lapic *apic, u8 *vector);
bool vgen_lapic_has_event(struct vgen_lapic *apic);
u64 vgen_lapic_get_base(struct vgen_lapic *apic);
void vgen_lapic_get_state(struct vgen_lapic *apic, struct vgen_lapic_state *s);
int vgen_lapic_set_state(struct vgen_lapic *apic,
			 const struct vgen_lapic_state *s);
void vgen_lapic_get_summary(const struct vgen_lapic *apic,
			    struct vgen_vp_irq_summary *sum);

/* lapic_post.c: any thread */
int vgen_lapic_deliver(struct vgen_vp *vp, u32 dm, u8 vector, bool level);
bool vgen_lapic_match_dest(struct vgen_vp *vp, u32 dest, bool logical);
u32 vgen_lapic_arb_priority(struct vgen_vp *vp);
int vgen_lapic_pulse_lint(struct vgen_vp *vp, u32 lint);
void vgen_lapic_get_posted(struct vgen_lapic *apic, u32 irr[8]);

/* lapic_post.c: run thread */
bool vgen_lapic_take_nmi(struct vgen_lapic *apic);
bool vgen_lapic_extint_pending(struct vgen_lapic *apic);
void vgen_lapic_ack_extint(struct vgen_lapic *apic);
u32 vgen_lapic_take_init_sipi(struct vgen_lapic *apic, u8 *vector);

/* vp.c: run thread */
u64 vgen_vp_guest_tsc(struct vgen_vp *vp);

/* irq.c */
int vgen_irq_init(struct vgen_partition *part);
void vgen_irq_destroy(struct vgen_partition *part);
int vgen_irq_reset(struct vgen_partition *part);
int vgen_irq_deliver(struct vgen_partition *part, struct vgen_vp *src,
		     u32 shorthand, u32 dest, bool logical, bool lowest,
		     u32 dm, u8 vector, bool level);
long vgen_irq_ioctl(struct vgen_partition *part, unsigned int cmd,
		    void __user *argp);
int vgen_irq_check_msi(u64 addr, u32 data);
int vgen_irq_send_msi(struct vgen_partition *part, u64 addr, u32 data);
int vgen_irq_assert_line(struct vgen_partition *part, u32 irq);
unsigned long vgen_irq_level_lines(struct vgen_partition *part, u8 vector);

/**
 * struct vgen_irq_line_info - one IOAPIC line for introspection.
 * @flags: VGEN_IRQ_ROUTE_MSI when routed.
 * @data: MSI data of the route (0 when not routed).
 * @address: MSI address of the route (0 when not routed).
 * @delivered: asserts accepted by at least one APIC since creation.
 * @dropped: asserts of the line unrouted or accepted by no APIC.
 */
struct vgen_irq_line_info {
	u32 flags;
	u32 data;
	u64 address;
	u64 delivered;
	u64 dropped;
};

int vgen_irq_get_lines(struct vgen_partition *part,
		       struct vgen_irq_line_info *lines);

#endif /* _VGEN_LAPIC_H */
