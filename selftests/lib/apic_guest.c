// SPDX-License-Identifier: GPL-2.0
/* Guest-side local APIC and interrupt helpers; see apic_guest.h. */
#include "apic_guest.h"

volatile struct irq_vp_state irq_state[IRQ_MAX_VPS];
volatile uint64_t irq_shadow_flag;

extern const uint64_t irq_stub_table[256];

/* One IDT for every VP (each VP writes the same values into it). */
static struct idt_gate irq_idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];

uint32_t this_vp(void)
{
	uint32_t vp = (uint32_t)rdmsr(MSR_TSC_AUX);

	return vp < IRQ_MAX_VPS ? vp : 0;
}

void irq_guest_init(uint32_t vp)
{
	int i;

	GUEST_ASSERT(vp < IRQ_MAX_VPS);
	wrmsr(MSR_TSC_AUX, vp);
	memset((void *)&irq_state[vp], 0, sizeof(irq_state[vp]));
	for (i = 0; i < 256; i++)
		idt_gate_set(&irq_idt[i], irq_stub_table[i], IDT_GATE_INTR);
	idt_load(irq_idt, 256);
}

void irq_set_handler(int vec, irq_handler_t h)
{
	irq_handlers[vec & 0xff] = h;
}

void irq_set_auto_eoi(bool on)
{
	my_irq_state()->no_auto_eoi = !on;
}

void irq_dispatch(struct irq_frame *f);

void irq_dispatch(struct irq_frame *f)
{
	volatile struct irq_vp_state *s = my_irq_state();
	uint8_t vec = (uint8_t)f->vector;
	irq_handler_t h = irq_handlers[vec];

	if (vec < 32 && vec != 2 && !h)
		ucall_assert("unexpected exception (vector, rip)", __FILE__,
			     __LINE__, 1, vec, f->rip);
	if (s->nlog < IRQ_LOG_SIZE)
		s->log[s->nlog] = vec;
	s->nlog++;
	s->last_rip[vec] = f->rip;
	s->count[vec]++;
	if (h)
		h(f);
	if (vec >= 32 && vec != APIC_SPURIOUS_VECTOR && !s->no_auto_eoi)
		apic_eoi();
}

bool apic_is_x2apic(void)
{
	return my_irq_state()->x2apic;
}

uint32_t apic_read(uint32_t reg)
{
	if (apic_is_x2apic())
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_GPA + reg);
}

void apic_write(uint32_t reg, uint32_t v)
{
	if (apic_is_x2apic())
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_GPA + reg) = v;
}

void apic_enable_xapic(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	GUEST_ASSERT_EQ(base & ~0xfffULL, APIC_DEFAULT_GPA);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	my_irq_state()->x2apic = 0;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

void apic_enable_x2apic(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
	my_irq_state()->x2apic = 1;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (apic_is_x2apic()) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR >> 4),
		      ((uint64_t)dest << 32) | icr_low);
		return;
	}
	apic_write(APIC_ICR2, dest << 24);
	apic_write(APIC_ICR, icr_low);
	while (apic_read(APIC_ICR) & APIC_ICR_BUSY)
		cpu_relax();
}

static bool apic_vec_bit(uint32_t base, uint8_t vec)
{
	return (apic_read(base + 0x10 * (vec / 32)) >> (vec % 32)) & 1;
}

bool apic_irr_test(uint8_t vec)
{
	return apic_vec_bit(APIC_IRR, vec);
}

bool apic_isr_test(uint8_t vec)
{
	return apic_vec_bit(APIC_ISR, vec);
}

bool apic_tmr_test(uint8_t vec)
{
	return apic_vec_bit(APIC_TMR, vec);
}

void irq_wait(uint8_t vec, uint32_t n)
{
	volatile struct irq_vp_state *s = my_irq_state();

	irq_disable();
	while (s->count[vec] < n) {
		hlt_probe();	/* STI; HLT; CLI */
	}
}
