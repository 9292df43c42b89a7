// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of apic_test: local APIC registers, self-IPIs, priorities,
 * the APIC timer, the STI shadow, HLT wake-ups, NMIs, IPIs between VPs,
 * IOAPIC routes, LINT pins and MSI floods. Interrupt handlers come from
 * lib/apic_guest.c (counted per VP and vector in irq_state[]).
 */
#include "apic_guest.h"
#include "apic_test.h"

#define TIMER_COUNT	1000000u	/* APIC timer ticks, divide by 1 */
#define DEADLINE_DELTA	2000000ull	/* TSC cycles */
#define VEC_FENCE	0x31		/* below every test vector */

volatile uint32_t ipi_mode;
volatile uint32_t ipi_ready[4];
volatile uint32_t guest_stop;
volatile uint32_t hlt_ready;
volatile uint32_t nmi_nested_seen;
volatile uint32_t lapic_tpr_seen;
volatile uint32_t lapic_phases;
volatile uint32_t handler_isr, handler_irr, handler_ppr, handler_isr_after,
	handler_tmr;
volatile uint64_t handler_shadow_flag;
volatile uint32_t nest_65, nest_90;
volatile uint64_t flood_spins;

static uint32_t count(uint8_t vec)
{
	return my_irq_state()->count[vec];
}

static uint32_t vp_count(uint32_t vp, uint8_t vec)
{
	return irq_state[vp].count[vec];
}

/* Records ISR/IRR/PPR/TMR for the vector, EOIs, records ISR again. */
static void h_record(struct irq_frame *f)
{
	uint8_t v = (uint8_t)f->vector;

	handler_isr = apic_isr_test(v);
	handler_irr = apic_irr_test(v);
	handler_ppr = apic_read(APIC_PPR);
	handler_tmr = apic_tmr_test(v);
	apic_eoi();
	handler_isr_after = apic_isr_test(v);
}

/* Records ISR and TMR only (auto-EOI does the EOI). */
static void h_isr_tmr(struct irq_frame *f)
{
	uint8_t v = (uint8_t)f->vector;

	handler_isr = apic_isr_test(v);
	handler_tmr = apic_tmr_test(v);
}

void guest_xapic_self_ipi(void)
{
	irq_guest_init(0);
	/* VP 0 is the BSP; its APIC is at the default base, enabled. */
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_APIC_BASE),
			APIC_DEFAULT_GPA | APIC_BASE_ENABLE | APIC_BASE_BSP);
	/* Software-disabled after reset. */
	GUEST_ASSERT_EQ(apic_read(APIC_SVR) & APIC_SVR_ENABLE, 0);
	apic_enable_xapic();
	irq_set_auto_eoi(false);
	irq_set_handler(VEC_SELF, h_record);
	GUEST_ASSERT_EQ(apic_read(APIC_ID) >> 24, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_LVR) & 0xf0, 0x10);
	GUEST_ASSERT_EQ(apic_read(APIC_SVR), APIC_SVR_ENABLE | 0xff);
	GUEST_ASSERT_EQ(apic_read(APIC_LVTT) & APIC_LVT_MASKED,
			APIC_LVT_MASKED);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);

	irq_disable();
	apic_send_ipi(0, APIC_DEST_SELF | APIC_DM_FIXED | VEC_SELF);
	/* Pending in IRR, not delivered while IF = 0. */
	GUEST_ASSERT(apic_irr_test(VEC_SELF));
	GUEST_ASSERT(!apic_isr_test(VEC_SELF));
	GUEST_ASSERT_EQ(count(VEC_SELF), 0);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_SELF), 1);
	/* In the handler: ISR set, IRR clear, PPR = the vector's class. */
	GUEST_ASSERT_EQ(handler_isr, 1);
	GUEST_ASSERT_EQ(handler_irr, 0);
	GUEST_ASSERT_EQ(handler_ppr, VEC_SELF & 0xf0);
	GUEST_ASSERT_EQ(handler_tmr, 0);
	/* EOI cleared ISR. */
	GUEST_ASSERT_EQ(handler_isr_after, 0);
	GUEST_ASSERT(!apic_irr_test(VEC_SELF));
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);

	/* The same through the physical destination = own APIC ID. */
	apic_send_ipi(0, APIC_DM_FIXED | VEC_SELF);
	GUEST_ASSERT(apic_irr_test(VEC_SELF));
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_SELF), 2);
	GUEST_ASSERT_EQ(handler_isr, 1);
	GUEST_ASSERT_EQ(handler_isr_after, 0);
	GUEST_DONE();
}

void guest_x2apic_self_ipi(void)
{
	uint32_t r[4];
	uint64_t id;

	cpuid(1, 0, r);
	GUEST_ASSERT(r[2] & (1u << 21));	/* x2APIC */
	irq_guest_init(0);
	apic_enable_x2apic();
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_APIC_BASE),
			APIC_DEFAULT_GPA | APIC_BASE_ENABLE | APIC_BASE_EXTD |
			APIC_BASE_BSP);
	id = rdmsr(MSR_X2APIC_BASE + (APIC_ID >> 4));
	GUEST_ASSERT_EQ(id, 0);
	/* Logical ID: cluster 0, bit 0. */
	GUEST_ASSERT_EQ(rdmsr(MSR_X2APIC_BASE + (APIC_LDR >> 4)), 1);
	irq_set_auto_eoi(false);
	irq_set_handler(VEC_X2_SELF, h_record);
	irq_set_handler(VEC_X2_ICR, h_record);

	irq_disable();
	wrmsr(MSR_X2APIC_BASE + (APIC_SELF_IPI >> 4), VEC_X2_SELF);
	GUEST_ASSERT(apic_irr_test(VEC_X2_SELF));
	GUEST_ASSERT_EQ(count(VEC_X2_SELF), 0);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_X2_SELF), 1);
	GUEST_ASSERT_EQ(handler_isr, 1);
	GUEST_ASSERT_EQ(handler_irr, 0);
	GUEST_ASSERT_EQ(handler_ppr, VEC_X2_SELF & 0xf0);
	GUEST_ASSERT_EQ(handler_isr_after, 0);

	/* ICR (MSR 0x830): destination in bits 63:32. */
	wrmsr(MSR_X2APIC_BASE + (APIC_ICR >> 4), (id << 32) | VEC_X2_ICR);
	GUEST_ASSERT(apic_irr_test(VEC_X2_ICR));
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_X2_ICR), 1);
	GUEST_ASSERT_EQ(handler_isr, 1);
	GUEST_ASSERT_EQ(handler_isr_after, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);
	GUEST_DONE();
}

/* In 0x60's handler: a same-class vector waits, a higher class nests. */
static void h_nest(struct irq_frame *f)
{
	(void)f;
	handler_ppr = apic_read(APIC_PPR);
	apic_send_ipi(0, APIC_DEST_SELF | 0x65);
	apic_send_ipi(0, APIC_DEST_SELF | 0x90);
	irq_window();
	irq_window();
	nest_65 = count(0x65);
	nest_90 = count(0x90);
}

void guest_priority(void)
{
	volatile struct irq_vp_state *s;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_disable();
	apic_send_ipi(0, APIC_DEST_SELF | 0x50);
	apic_send_ipi(0, APIC_DEST_SELF | 0x80);
	GUEST_ASSERT(apic_irr_test(0x50));
	GUEST_ASSERT(apic_irr_test(0x80));
	irq_window();
	GUEST_ASSERT_EQ(s->nlog, 2);
	GUEST_ASSERT_EQ(s->log[0], 0x80);
	GUEST_ASSERT_EQ(s->log[1], 0x50);

	irq_set_handler(0x60, h_nest);
	apic_send_ipi(0, APIC_DEST_SELF | 0x60);
	irq_window();
	GUEST_ASSERT_EQ(handler_ppr, 0x60);
	GUEST_ASSERT_EQ(nest_90, 1);
	GUEST_ASSERT_EQ(nest_65, 0);
	GUEST_ASSERT_EQ(count(0x65), 1);
	GUEST_ASSERT_EQ(s->nlog, 5);
	GUEST_ASSERT_EQ(s->log[2], 0x60);
	GUEST_ASSERT_EQ(s->log[3], 0x90);
	GUEST_ASSERT_EQ(s->log[4], 0x65);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);
	GUEST_DONE();
}

void guest_tpr(void)
{
	volatile struct irq_vp_state *s;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_disable();
	apic_write(APIC_TPR, 0x50);
	GUEST_ASSERT_EQ(read_cr8(), 5);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0x50);
	apic_send_ipi(0, APIC_DEST_SELF | 0x45);
	apic_send_ipi(0, APIC_DEST_SELF | 0x55);
	irq_window();
	/* Class 4 and 5 are not above TPR class 5. */
	GUEST_ASSERT_EQ(count(0x45), 0);
	GUEST_ASSERT_EQ(count(0x55), 0);
	GUEST_ASSERT(apic_irr_test(0x45));
	GUEST_ASSERT(apic_irr_test(0x55));
	apic_send_ipi(0, APIC_DEST_SELF | 0x61);
	irq_window();
	GUEST_ASSERT_EQ(count(0x61), 1);
	GUEST_ASSERT_EQ(count(0x55), 0);

	/* MOV CR8 lowering TPR with IF = 1: taken right after the MOV. */
	cr8_probe(4);
	GUEST_ASSERT_EQ(count(0x55), 1);
	GUEST_ASSERT_EQ(s->last_rip[0x55], (uintptr_t)cr8_probe_after);
	GUEST_ASSERT_EQ(count(0x45), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0x40);

	/* The same through the xAPIC TPR register. */
	tpr_mmio_probe(0);
	GUEST_ASSERT_EQ(count(0x45), 1);
	GUEST_ASSERT_EQ(s->last_rip[0x45], (uintptr_t)tpr_mmio_probe_after);
	GUEST_ASSERT_EQ(read_cr8(), 0);

	/* CR8 = 15 blocks every class. */
	write_cr8(15);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0xf0);
	apic_send_ipi(0, APIC_DEST_SELF | 0xe0);
	irq_window();
	GUEST_ASSERT_EQ(count(0xe0), 0);
	write_cr8(0);
	irq_window();
	GUEST_ASSERT_EQ(count(0xe0), 1);
	GUEST_ASSERT_EQ(s->nlog, 4);
	GUEST_ASSERT_EQ(s->log[0], 0x61);
	GUEST_ASSERT_EQ(s->log[1], 0x55);
	GUEST_ASSERT_EQ(s->log[2], 0x45);
	GUEST_ASSERT_EQ(s->log[3], 0xe0);
	GUEST_DONE();
}

void guest_timer_oneshot(void)
{
	uint32_t c1, c2;
	int i;

	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | VEC_TIMER);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	apic_write(APIC_TMICT, 0xffffffff);
	GUEST_ASSERT_EQ(apic_read(APIC_TMICT), 0xffffffff);
	c1 = apic_read(APIC_TMCCT);
	for (i = 0; i < 1000; i++)
		cpu_relax();
	c2 = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c1 != 0);
	GUEST_ASSERT(c2 < c1);

	/* Masked: it counts down to 0 without an interrupt. */
	apic_write(APIC_TMICT, TIMER_COUNT);
	irq_enable();
	while (apic_read(APIC_TMCCT) != 0)
		cpu_relax();
	irq_disable();
	GUEST_ASSERT_EQ(count(VEC_TIMER), 0);
	GUEST_ASSERT(!apic_irr_test(VEC_TIMER));

	/*
	 * Stop the expired timer before unmasking: KVM checks the mask only
	 * when it injects the expiry, and its host timer may run after the
	 * guest has already read a current count of 0 (seen on the stock
	 * test VM: the masked expiry arrived after the unmask).
	 */
	apic_write(APIC_TMICT, 0);

	/* Unmasked one-shot: one interrupt, then the count stays 0. */
	apic_write(APIC_LVTT, VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	c1 = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c1 <= TIMER_COUNT);
	irq_wait(VEC_TIMER, 1);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMICT), TIMER_COUNT);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_TIMER), 1);
	GUEST_DONE();
}

void guest_timer_periodic(void)
{
	uint32_t c;

	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVTT, APIC_LVT_PERIODIC | VEC_PERIODIC);
	apic_write(APIC_TMICT, TIMER_COUNT);
	irq_wait(VEC_PERIODIC, 3);
	/* Still running: reloaded from the initial count. */
	c = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c <= TIMER_COUNT);
	irq_wait(VEC_PERIODIC, 5);
	/* Stop it. */
	apic_write(APIC_LVTT, APIC_LVT_MASKED | APIC_LVT_PERIODIC |
		   VEC_PERIODIC);
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_SYNC2(1, count(VEC_PERIODIC));
	GUEST_DONE();
}

void guest_tsc_deadline(void)
{
	uint64_t d, far;
	uint32_t r[4];

	cpuid(1, 0, r);
	GUEST_ASSERT(r[2] & (1u << 24));	/* TSC-deadline timer */
	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	apic_write(APIC_LVTT, APIC_LVT_TSC_DEADLINE | VEC_DEADLINE);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);

	/* Armed: reads back while it has not fired. */
	far = rdtsc() + (1ull << 42);
	wrmsr(MSR_IA32_TSC_DEADLINE, far);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), far);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_DEADLINE), 0);

	/* A near deadline fires, not before the deadline, and disarms. */
	d = rdtsc() + DEADLINE_DELTA;
	wrmsr(MSR_IA32_TSC_DEADLINE, d);
	irq_wait(VEC_DEADLINE, 1);
	GUEST_ASSERT(rdtsc() >= d);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);

	/* A deadline in the past fires at once. */
	wrmsr(MSR_IA32_TSC_DEADLINE, 1);
	irq_wait(VEC_DEADLINE, 2);

	/* The initial-count register is ignored in this mode. */
	apic_write(APIC_TMICT, 1000);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);

	/*
	 * Writing 0 disarms. Only conclusive if the disarm completed before
	 * the deadline (a slow host may preempt the VP between the writes;
	 * then the timer has fired legitimately).
	 */
	d = rdtsc() + DEADLINE_DELTA;
	wrmsr(MSR_IA32_TSC_DEADLINE, d);
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	far = rdtsc();
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	irq_enable();
	while (rdtsc() < d + DEADLINE_DELTA)
		cpu_relax();
	irq_disable();
	if (far < d)
		GUEST_ASSERT_EQ(count(VEC_DEADLINE), 2);
	else
		GUEST_ASSERT(count(VEC_DEADLINE) <= 3);
	GUEST_DONE();
}

static void h_shadow(struct irq_frame *f)
{
	(void)f;
	handler_shadow_flag = irq_shadow_flag;
}

void guest_sti_shadow(void)
{
	volatile struct irq_vp_state *s;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_set_handler(VEC_SHADOW, h_shadow);
	irq_disable();
	apic_send_ipi(0, APIC_DEST_SELF | VEC_SHADOW);
	GUEST_ASSERT(apic_irr_test(VEC_SHADOW));

	/* STI; CLI: the CLI is in the shadow, nothing is taken. */
	sti_cli_probe();
	GUEST_ASSERT_EQ(count(VEC_SHADOW), 0);

	/* STI; MOV: taken after the MOV, not before it. */
	irq_shadow_flag = 0;
	handler_shadow_flag = 0xff;
	sti_shadow_probe();
	GUEST_ASSERT_EQ(count(VEC_SHADOW), 1);
	GUEST_ASSERT_EQ(s->last_rip[VEC_SHADOW], (uintptr_t)sti_shadow_after);
	GUEST_ASSERT_EQ(handler_shadow_flag, 1);
	GUEST_ASSERT_EQ(irq_shadow_flag, 2);

	/* STI; HLT with an interrupt pending: taken after the HLT. */
	apic_send_ipi(0, APIC_DEST_SELF | VEC_SHADOW);
	hlt_probe();
	GUEST_ASSERT_EQ(count(VEC_SHADOW), 2);
	GUEST_ASSERT_EQ(s->last_rip[VEC_SHADOW], (uintptr_t)hlt_probe_after);

	/* STI; NOP: taken before the instruction after the NOP. */
	apic_send_ipi(0, APIC_DEST_SELF | VEC_SHADOW);
	irq_window_probe();
	GUEST_ASSERT_EQ(count(VEC_SHADOW), 3);
	GUEST_ASSERT_EQ(s->last_rip[VEC_SHADOW], (uintptr_t)irq_window_after);
	GUEST_DONE();
}

void guest_hlt_wake(void)
{
	volatile struct irq_vp_state *s;
	uint32_t halts = 0;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_disable();
	GUEST_SYNC(1);
	hlt_ready = 1;
	while (!s->count[VEC_HLT]) {
		hlt_probe();
		halts++;
	}
	GUEST_ASSERT_EQ(s->last_rip[VEC_HLT], (uintptr_t)hlt_probe_after);
	GUEST_SYNC2(2, halts);
	GUEST_DONE();
}

static void h_nmi(struct irq_frame *f)
{
	volatile struct irq_vp_state *s = my_irq_state();
	int i;

	(void)f;
	if (s->count[2] != 1)
		return;
	/* The host sends two more NMIs now: blocked until our IRET. */
	GUEST_SYNC(2);
	for (i = 0; i < 100; i++)
		cpu_relax();
	irq_window();
	nmi_nested_seen = s->count[2];
}

void guest_nmi(void)
{
	volatile struct irq_vp_state *s;
	int i;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_set_handler(2, h_nmi);
	irq_disable();
	/* The host sends an NMI: taken although IF = 0. */
	GUEST_SYNC(1);
	while (s->count[2] < 2)
		cpu_relax();
	GUEST_ASSERT_EQ(nmi_nested_seen, 1);
	for (i = 0; i < 100; i++)
		cpu_relax();
	/* The two NMIs sent while blocked collapse into one. */
	GUEST_ASSERT_EQ(s->count[2], 2);

	/* An NMI IPI to ourselves (physical destination). */
	apic_send_ipi(0, APIC_DM_NMI);
	while (s->count[2] < 3)
		cpu_relax();
	GUEST_ASSERT_EQ(s->count[2], 3);
	GUEST_DONE();
}

/*
 * LAPIC state: SYNC 1 (host reads the state, sets TPR 0x30, writes it back),
 * then per lapic_phases bit 0: SYNC 2 (host sets VEC_LAPIC_IRR in IRR);
 * bit 1: SYNC 3 (host programs a one-shot timer VEC_LAPIC_TIMER).
 */
void guest_lapic_state(void)
{
	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	apic_write(APIC_TPR, 0x20);
	apic_write(APIC_DFR, 0xffffffff);
	apic_write(APIC_LDR, 0x03000000);
	apic_write(APIC_LVT0, APIC_LVT_MASKED | 0x33);
	GUEST_SYNC(1);
	lapic_tpr_seen = apic_read(APIC_TPR);
	GUEST_ASSERT_EQ(lapic_tpr_seen, 0x30);
	GUEST_ASSERT_EQ(read_cr8(), 3);
	GUEST_ASSERT_EQ(apic_read(APIC_LDR), 0x03000000);
	GUEST_ASSERT_EQ(apic_read(APIC_LVT0), APIC_LVT_MASKED | 0x33);
	apic_write(APIC_TPR, 0);
	if (lapic_phases & 1) {
		GUEST_SYNC(2);
		GUEST_ASSERT(apic_irr_test(VEC_LAPIC_IRR));
		irq_window();
		GUEST_ASSERT_EQ(count(VEC_LAPIC_IRR), 1);
	}
	if (lapic_phases & 2) {
		GUEST_SYNC(3);
		GUEST_ASSERT_EQ(apic_read(APIC_LVTT), VEC_LAPIC_TIMER);
		irq_wait(VEC_LAPIC_TIMER, 1);
		GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	}
	GUEST_DONE();
}

/* Partition with APIC ID 7 for VP 0. */
void guest_lapic_x2apic_id(void)
{
	irq_guest_init(0);
	irq_disable();
	GUEST_ASSERT_EQ(apic_read(APIC_ID), 7u << 24);
	GUEST_SYNC(1);
	apic_enable_x2apic();
	GUEST_ASSERT_EQ(rdmsr(MSR_X2APIC_BASE + (APIC_ID >> 4)), 7);
	/* Cluster 0, bit 7. */
	GUEST_ASSERT_EQ(rdmsr(MSR_X2APIC_BASE + (APIC_LDR >> 4)), 0x80);
	GUEST_SYNC(2);	/* the host sends VEC_X2_ICR to APIC ID 7 */
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_X2_ICR), 1);
	wrmsr(MSR_X2APIC_BASE + (APIC_SELF_IPI >> 4), VEC_X2_SELF);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_X2_SELF), 1);
	GUEST_DONE();
}

/* ---------------------------------------------------------------- IPIs */

static void ipi_setup(uint32_t vp)
{
	irq_guest_init(vp);
	apic_enable_xapic();
	switch (ipi_mode) {
	case IPI_LOGICAL_FLAT:
	case IPI_LOWEST:
		apic_write(APIC_DFR, 0xffffffff);
		apic_write(APIC_LDR, (1u << vp) << 24);
		break;
	case IPI_CLUSTER:
		apic_write(APIC_DFR, 0x0fffffff);
		apic_write(APIC_LDR, (0x10u | (1u << vp)) << 24);
		break;
	default:
		break;
	}
}

static void wait_vp_count(uint32_t vp, uint8_t vec, uint32_t n)
{
	while (vp_count(vp, vec) < n)
		cpu_relax();
}

/*
 * VP 1 handles pending vectors highest first: once it took VEC_FENCE (sent
 * after everything else), any interrupt sent to it before has been taken.
 */
static void ipi_fence(void)
{
	uint32_t n = vp_count(1, VEC_FENCE);

	apic_send_ipi(1, APIC_DM_FIXED | VEC_FENCE);
	wait_vp_count(1, VEC_FENCE, n + 1);
	irq_window();
	irq_window();
}

/* Send @icr | @vec to @dest; VP 0 and VP 1 must get it iff @to0, @to1. */
static void ipi_expect(uint32_t dest, uint32_t icr, uint8_t vec, bool to0,
		       bool to1)
{
	uint32_t c0 = vp_count(0, vec), c1 = vp_count(1, vec);

	apic_send_ipi(dest, icr | vec);
	if (to1)
		wait_vp_count(1, vec, c1 + 1);
	if (to0)
		irq_wait(vec, c0 + 1);
	irq_window();
	ipi_fence();
	GUEST_ASSERT_EQ(vp_count(0, vec), c0 + to0);
	GUEST_ASSERT_EQ(vp_count(1, vec), c1 + to1);
}

static void ipi_lowest(uint8_t vec, bool from_host)
{
	uint32_t i, sum;

	for (i = 0; i < (from_host ? 1 : IPI_LOWEST_ROUNDS); i++) {
		sum = vp_count(0, vec) + vp_count(1, vec);
		if (from_host)
			GUEST_SYNC(IPI_SYNC_MSI);
		else
			apic_send_ipi(0x03, APIC_DEST_LOGICAL |
				      APIC_DM_LOWEST | vec);
		while (vp_count(0, vec) + vp_count(1, vec) < sum + 1)
			irq_window();
		ipi_fence();
		/* Exactly one of the two VPs took it. */
		GUEST_ASSERT_EQ(vp_count(0, vec) + vp_count(1, vec), sum + 1);
	}
}

void guest_ipi(uint64_t vp_index, uint64_t vp_count_arg)
{
	uint32_t vp = (uint32_t)vp_index;
	const uint32_t L = APIC_DEST_LOGICAL;

	GUEST_ASSERT_EQ(vp_count_arg, 2);
	ipi_setup(vp);
	irq_disable();
	if (vp == 1) {
		ipi_ready[1] = 1;
		while (!guest_stop)
			hlt_probe();
		GUEST_DONE();
	}
	while (!ipi_ready[1])
		cpu_relax();

	switch (ipi_mode) {
	case IPI_PHYSICAL:
		ipi_expect(1, APIC_DM_FIXED, 0x51, false, true);
		ipi_expect(0, APIC_DM_FIXED, 0x52, true, false);
		ipi_expect(0xff, APIC_DM_FIXED, 0x53, true, true);
		ipi_expect(2, APIC_DM_FIXED, 0x54, false, false);
		break;
	case IPI_LOGICAL_FLAT:
		ipi_expect(0x02, L | APIC_DM_FIXED, 0x51, false, true);
		ipi_expect(0x01, L | APIC_DM_FIXED, 0x52, true, false);
		ipi_expect(0x03, L | APIC_DM_FIXED, 0x53, true, true);
		ipi_expect(0x04, L | APIC_DM_FIXED, 0x54, false, false);
		ipi_expect(0xff, L | APIC_DM_FIXED, 0x55, true, true);
		break;
	case IPI_CLUSTER:
		ipi_expect(0x12, L | APIC_DM_FIXED, 0x51, false, true);
		ipi_expect(0x11, L | APIC_DM_FIXED, 0x52, true, false);
		ipi_expect(0x13, L | APIC_DM_FIXED, 0x53, true, true);
		ipi_expect(0x22, L | APIC_DM_FIXED, 0x54, false, false);
		ipi_expect(0xff, L | APIC_DM_FIXED, 0x55, true, true);
		break;
	case IPI_SHORTHAND:
		ipi_expect(0, APIC_DEST_ALLBUT | APIC_DM_FIXED, 0x56, false,
			   true);
		ipi_expect(0, APIC_DEST_ALLINC | APIC_DM_FIXED, 0x57, true,
			   true);
		ipi_expect(0, APIC_DEST_SELF | APIC_DM_FIXED, 0x58, true,
			   false);
		/* The destination field is ignored with a shorthand. */
		ipi_expect(1, APIC_DEST_SELF | APIC_DM_FIXED, 0x59, true,
			   false);
		break;
	case IPI_LOWEST:
		ipi_lowest(0x5a, false);
		ipi_lowest(VEC_IPI_MSI, true);
		break;
	case IPI_NMI:
		apic_send_ipi(1, APIC_DM_NMI);
		wait_vp_count(1, 2, 1);
		apic_send_ipi(0, APIC_DEST_ALLBUT | APIC_DM_NMI);
		wait_vp_count(1, 2, 2);
		ipi_fence();
		GUEST_ASSERT_EQ(vp_count(0, 2), 0);
		GUEST_ASSERT_EQ(vp_count(1, 2), 2);
		break;
	}
	guest_stop = 1;
	apic_send_ipi(1, APIC_DM_FIXED | VEC_STOP);
	GUEST_DONE();
}

/* -------------------------------------------------------------- IOAPIC */

void guest_ioapic(void)
{
	irq_guest_init(0);
	apic_enable_xapic();
	irq_set_handler(VEC_IOAPIC_EDGE, h_isr_tmr);
	irq_set_handler(VEC_IOAPIC_LEVEL, h_isr_tmr);
	irq_set_handler(VEC_MSI_LEVEL, h_isr_tmr);
	irq_disable();
	GUEST_SYNC(1);		/* edge route asserted */
	irq_wait(VEC_IOAPIC_EDGE, 1);
	GUEST_ASSERT_EQ(handler_isr, 1);
	GUEST_ASSERT_EQ(handler_tmr, 0);
	handler_tmr = 0xff;
	GUEST_SYNC(2);		/* level route asserted, re-asserted once */
	irq_wait(VEC_IOAPIC_LEVEL, 2);
	GUEST_ASSERT_EQ(handler_isr, 1);
	GUEST_ASSERT_EQ(handler_tmr, 1);
	handler_tmr = 0xff;
	GUEST_SYNC(3);		/* level-triggered MSI */
	irq_wait(VEC_MSI_LEVEL, 1);
	GUEST_ASSERT_EQ(handler_tmr, 1);
	GUEST_SYNC(4);		/* line re-routed, asserted, unrouted */
	irq_wait(VEC_IOAPIC_NEW, 1);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_IOAPIC_EDGE), 1);
	GUEST_ASSERT_EQ(count(VEC_IOAPIC_NEW), 1);
	GUEST_DONE();
}

/* ---------------------------------------------------------------- LINT */

void guest_lint(void)
{
	volatile struct irq_vp_state *s;
	uint32_t n;
	int i;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_set_handler(VEC_EXTINT, h_isr_tmr);
	irq_disable();
	GUEST_SYNC(1);		/* both LINTs masked: pulses do nothing */
	GUEST_ASSERT_EQ(s->nlog, 0);

	apic_write(APIC_LVT1, APIC_DM_NMI);
	GUEST_SYNC(2);		/* LINT1 pulse: NMI */
	while (!s->count[2])
		cpu_relax();
	GUEST_ASSERT_EQ(s->count[2], 1);

	apic_write(APIC_LVT0, APIC_DM_EXTINT);
	GUEST_SYNC(3);		/* LINT0 pulse: ExtINT, IF = 0 */
	for (i = 0; i < 100; i++)
		cpu_relax();
	GUEST_ASSERT_EQ(count(VEC_EXTINT), 0);
	handler_isr = 0xff;
	irq_window_probe();	/* -> VGEN_EXIT_EXTINT, vector VEC_EXTINT */
	GUEST_ASSERT_EQ(count(VEC_EXTINT), 1);
	GUEST_ASSERT_EQ(s->last_rip[VEC_EXTINT], (uintptr_t)irq_window_after);
	/* ExtINT bypasses IRR/ISR. */
	GUEST_ASSERT_EQ(handler_isr, 0);

	n = s->nlog;
	GUEST_SYNC(4);		/* LINT0 pulse; the VMM's PIC has nothing */
	irq_window_probe();
	irq_window();
	GUEST_ASSERT_EQ(s->nlog, n);

	apic_write(APIC_LVT0, VEC_LINT0_FIXED);
	GUEST_SYNC(5);		/* LINT0 pulse: fixed vector */
	irq_wait(VEC_LINT0_FIXED, 1);
	GUEST_ASSERT_EQ(count(VEC_EXTINT), 1);
	GUEST_DONE();
}

/* --------------------------------------------------------------- flood */

/*
 * Even VPs sleep in HLT, odd VPs spin with IF = 1. Host threads send
 * MSIs until they set guest_stop and send VEC_STOP (the lowest vector, so
 * taken after everything sent before it) to every VP.
 */
void guest_flood(uint64_t vp_index, uint64_t vp_count_arg)
{
	uint32_t vp = (uint32_t)vp_index;

	GUEST_ASSERT(vp_count_arg <= FLOOD_MAX_VPS);
	irq_guest_init(vp);
	apic_enable_xapic();
	irq_disable();
	ipi_ready[vp] = 1;
	if (vp % 2 == 0) {
		while (!guest_stop)
			hlt_probe();
	} else {
		irq_enable();
		while (!guest_stop)
			flood_spins++;
		irq_disable();
	}
	irq_wait(VEC_STOP, 1);
	irq_window();
	irq_window();
	GUEST_DONE();
}

/* ----------------------------------------------------- APIC disabled */

void guest_sw_disabled(void)
{
	irq_guest_init(0);
	irq_disable();
	GUEST_SYNC(1);		/* MSI to the software-disabled APIC: refused */
	GUEST_ASSERT(!apic_irr_test(VEC_SELF));
	apic_enable_xapic();
	GUEST_SYNC(2);		/* accepted now */
	irq_wait(VEC_SELF, 1);
	wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) &
	      ~APIC_BASE_ENABLE);
	GUEST_SYNC(3);		/* globally disabled: refused */
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_SELF), 1);
	GUEST_DONE();
}

/* VGEN_PARTITION_USER_MODE_APIC: APIC MMIO and HLT exit to the VMM. */
void guest_user_apic(void)
{
	uint32_t v = *(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_GPA +
						       APIC_LVR);

	GUEST_SYNC2(1, v);
	__asm__ volatile("hlt");
	GUEST_DONE();
}

/* ------------------------------------------- the test library itself */

static void h_skip_insn(struct irq_frame *f)
{
	handler_tmr = (uint32_t)f->error;
	handler_ppr = (uint32_t)f->vector;
	f->rip += 2;	/* ud2 and wrmsr are two bytes */
}

/*
 * No APIC needed: software interrupts and exceptions through the stubs
 * of lib/irq_stubs.S (frame layout, error codes, RIP changes by handlers).
 */
void guest_idt_selftest(void)
{
	volatile struct irq_vp_state *s;

	irq_guest_init(0);
	s = my_irq_state();
	GUEST_ASSERT_EQ(this_vp(), 0);
	irq_set_auto_eoi(false);
	__asm__ volatile("int $0x40" : : : "memory");
	__asm__ volatile("int $0xfe" : : : "memory");
	__asm__ volatile("int $0x40" : : : "memory");
	GUEST_ASSERT_EQ(s->count[0x40], 2);
	GUEST_ASSERT_EQ(s->count[0xfe], 1);
	GUEST_ASSERT_EQ(s->nlog, 3);
	GUEST_ASSERT_EQ(s->log[1], 0xfe);

	irq_set_handler(6, h_skip_insn);
	irq_set_handler(13, h_skip_insn);
	handler_tmr = 0xff;
	__asm__ volatile("ud2" : : : "memory");
	GUEST_ASSERT_EQ(s->count[6], 1);
	GUEST_ASSERT_EQ(handler_ppr, 6);
	GUEST_ASSERT_EQ(handler_tmr, 0);
	handler_tmr = 0xff;
	/* WRMSR to a non-existent MSR: #GP(0), error code pushed by the CPU */
	__asm__ volatile("wrmsr" : : "c"(0x12345678), "a"(0), "d"(0)
			 : "memory");
	GUEST_ASSERT_EQ(s->count[13], 1);
	GUEST_ASSERT_EQ(handler_ppr, 13);
	GUEST_ASSERT_EQ(handler_tmr, 0);
	GUEST_ASSERT_EQ(s->nlog, 5);
	GUEST_DONE();
}

/* x2APIC ID above 255 (partition APIC ID X2_BIG_ID), reached by MSIs
 * with the extended destination ID. */
void guest_x2apic_ext_dest(void)
{
	irq_guest_init(0);
	irq_disable();
	apic_enable_x2apic();
	GUEST_SYNC2(1, rdmsr(MSR_X2APIC_BASE + (APIC_ID >> 4)));
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_X2_ICR), 1);
	GUEST_DONE();
}

/* Halted with IF = 1 and nothing pending until the host sends VEC_HLT. */
void guest_hlt_signal(void)
{
	volatile struct irq_vp_state *s;
	uint32_t halts = 0;

	irq_guest_init(0);
	s = my_irq_state();
	apic_enable_xapic();
	irq_disable();
	hlt_ready = 1;
	while (!s->count[VEC_HLT]) {
		hlt_probe();
		halts++;
	}
	GUEST_SYNC2(2, halts);
	GUEST_DONE();
}
