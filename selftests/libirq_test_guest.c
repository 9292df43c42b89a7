// SPDX-License-Identifier: GPL-2.0
/* Guest halves of libirq_test (interrupt handlers from lib/apic_guest.c). */
#include "apic_guest.h"
#include "libirq_test.h"

volatile uint64_t li_handler_isr;

static uint32_t count(uint8_t vec)
{
	return my_irq_state()->count[vec];
}

static void h_isr(struct irq_frame *f)
{
	li_handler_isr = apic_isr_test((uint8_t)f->vector);
}

static void li_init(void)
{
	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
}

void guest_li_msi(void)
{
	li_init();
	/* Flat logical model, logical ID LI_LOGICAL_ID. */
	apic_write(APIC_DFR, 0xffffffff);
	apic_write(APIC_LDR, (uint32_t)LI_LOGICAL_ID << 24);
	GUEST_SYNC(1);		/* physical, fixed */
	irq_wait(LI_VEC_PHYS, 1);
	GUEST_SYNC(2);		/* logical, fixed; one to nobody */
	irq_wait(LI_VEC_LOGICAL, 1);
	irq_window();
	GUEST_ASSERT_EQ(count(LI_VEC_PHYS), 1);
	GUEST_ASSERT_EQ(count(LI_VEC_LOGICAL), 1);
	GUEST_ASSERT_EQ(my_irq_state()->nlog, 2);
	GUEST_DONE();
}

void guest_li_ioapic(void)
{
	li_init();
	irq_set_handler(LI_VEC_LEVEL, h_isr);
	GUEST_SYNC(1);		/* edge line asserted, unrouted line too */
	irq_wait(LI_VEC_EDGE, 1);
	GUEST_SYNC(2);		/* level line asserted, re-asserted after EOI */
	irq_wait(LI_VEC_LEVEL, 2);
	GUEST_ASSERT_EQ(li_handler_isr, 1);
	GUEST_SYNC(3);		/* edge line unrouted and asserted */
	irq_window();
	GUEST_ASSERT_EQ(count(LI_VEC_EDGE), 1);
	GUEST_ASSERT_EQ(count(LI_VEC_LEVEL), 2);
	GUEST_ASSERT_EQ(my_irq_state()->nlog, 3);
	GUEST_DONE();
}

void guest_li_lint(void)
{
	volatile struct irq_vp_state *s;
	uint32_t n;
	int i;

	li_init();
	s = my_irq_state();
	irq_set_handler(LI_VEC_EXTINT, h_isr);
	GUEST_SYNC(1);		/* both LINTs masked: pulses do nothing */
	irq_window();
	GUEST_ASSERT_EQ(s->nlog, 0);

	apic_write(APIC_LVT1, APIC_DM_NMI);
	GUEST_SYNC(2);		/* LINT1 pulse: NMI (IF = 0 does not block) */
	while (!s->count[2])
		cpu_relax();
	GUEST_ASSERT_EQ(s->count[2], 1);

	apic_write(APIC_LVT0, APIC_DM_EXTINT);
	GUEST_SYNC(3);		/* LINT0 pulse: ExtINT, IF = 0 */
	for (i = 0; i < 100; i++)
		cpu_relax();
	GUEST_ASSERT_EQ(count(LI_VEC_EXTINT), 0);
	li_handler_isr = 0xff;
	irq_window_probe();	/* -> VGEN_EXIT_EXTINT, vector LI_VEC_EXTINT */
	GUEST_ASSERT_EQ(count(LI_VEC_EXTINT), 1);
	GUEST_ASSERT_EQ(s->last_rip[LI_VEC_EXTINT], (uintptr_t)irq_window_after);
	GUEST_ASSERT_EQ(li_handler_isr, 0);	/* ExtINT bypasses IRR/ISR */

	n = s->nlog;
	GUEST_SYNC(4);		/* LINT0 pulse; the VMM's PIC has nothing */
	irq_window_probe();
	irq_window();
	GUEST_ASSERT_EQ(s->nlog, n);

	apic_write(APIC_LVT0, LI_VEC_LINT0);
	GUEST_SYNC(5);		/* LINT0 pulse: fixed vector */
	irq_wait(LI_VEC_LINT0, 1);
	GUEST_ASSERT_EQ(count(LI_VEC_EXTINT), 1);
	GUEST_DONE();
}

void guest_li_hlt(void)
{
	li_init();
	GUEST_SYNC(1);
	irq_wait(LI_VEC_HLT, 1);	/* STI; HLT until the MSI */
	GUEST_ASSERT_EQ(my_irq_state()->last_rip[LI_VEC_HLT],
			(uintptr_t)hlt_probe_after);
	GUEST_DONE();
}

void guest_li_hlt_nmi(void)
{
	volatile struct irq_vp_state *s;

	li_init();
	s = my_irq_state();
	apic_write(APIC_LVT1, APIC_DM_NMI);
	GUEST_SYNC(1);
	/* IF = 0: only the NMI of a LINT1 pulse ends the HLT. */
	while (!s->count[2])
		__asm__ volatile("hlt" : : : "memory");
	GUEST_ASSERT_EQ(s->count[2], 1);
	GUEST_DONE();
}

static void mmio32(uint64_t gpa, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)gpa = v;
}

void guest_li_doorbell(void)
{
	GUEST_SYNC(1);
	mmio32(LI_DB_MMIO, 0x11);		/* doorbell */
	mmio32(LI_DB_MMIO, 0x22);		/* doorbell */
	mmio32(LI_DB_MMIO_DM, LI_DB_MATCH);	/* doorbell (datamatch) */
	mmio32(LI_DB_MMIO_DM, LI_DB_MATCH + 1);	/* no match: exits */
	outw(LI_DB_PORT, 0x1234);		/* doorbell */
	outb(LI_DB_PORT_DM, LI_DB_PORT_MATCH);	/* doorbell (datamatch) */
	outb(LI_DB_PORT_DM, LI_DB_PORT_MATCH + 1); /* no match: exits */
	GUEST_SYNC(2);				/* first MMIO one removed */
	mmio32(LI_DB_MMIO, 0x33);		/* exits */
	GUEST_DONE();
}

void guest_li_target(void)
{
	li_init();
	GUEST_SYNC(1);		/* signalled while disabled, then enabled */
	irq_wait(LI_VEC_TGT, 1);
	GUEST_SYNC(2);		/* through the eventfd */
	irq_wait(LI_VEC_TGT_FD, 1);
	GUEST_SYNC(3);		/* disabled: signal and eventfd dropped */
	irq_window();
	GUEST_SYNC(4);		/* re-enabled with a new vector, one signal */
	irq_wait(LI_VEC_TGT_NEW, 1);
	irq_window();
	GUEST_ASSERT_EQ(count(LI_VEC_TGT), 1);
	GUEST_ASSERT_EQ(count(LI_VEC_TGT_FD), 1);
	GUEST_ASSERT_EQ(count(LI_VEC_TGT_NEW), 1);
	GUEST_ASSERT_EQ(my_irq_state()->nlog, 3);
	GUEST_DONE();
}
