// SPDX-License-Identifier: GPL-2.0
/* Guest halves of vm_bench (see vm_bench.c). */
#include "apic_guest.h"
#include "guest.h"
#include "vm_bench.h"

volatile uint64_t vb_spin, vb_ready, vb_ipi_rounds;

/* @n OUTs, each an exit to the VMM. */
void guest_vb_pio(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		outb(VB_PORT, (uint8_t)i);
	GUEST_DONE();
}

/* @n MMIO writes, each an exit to the VMM. */
void guest_vb_mmio(uint64_t n)
{
	volatile uint32_t *p = (volatile uint32_t *)VB_MMIO;
	uint64_t i;

	for (i = 0; i < n; i++)
		*p = (uint32_t)i;
	GUEST_DONE();
}

/* Spin forever (yield latency). */
void guest_vb_spin(void)
{
	for (;;)
		vb_spin++;
}

static void vb_setup_apic(uint32_t vp)
{
	irq_guest_init(vp);
	apic_enable_xapic();
	vb_ready = 1;
}

/* Take interrupts while spinning with IF=1 (MSI latency). */
void guest_vb_irq_spin(void)
{
	vb_setup_apic(0);
	irq_enable();
	for (;;)
		cpu_relax();
}

/* Take interrupts from HLT (wake-up latency). */
void guest_vb_irq_hlt(void)
{
	vb_setup_apic(0);
	for (;;)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static void vb_ping(struct irq_frame *f __attribute__((unused)))
{
	apic_send_ipi(0, APIC_DM_FIXED | VB_PONG);
}

/*
 * IPI ping-pong: VP0 sends VB_PING to VP1, whose handler answers with
 * VB_PONG; vb_ipi_rounds round trips, then VP0 is done.
 */
void guest_vb_ipi(uint64_t vp, uint64_t nvps __attribute__((unused)))
{
	volatile struct irq_vp_state *st;
	uint64_t i;

	irq_guest_init(vp);
	apic_enable_xapic();
	if (vp == 1) {
		irq_set_handler(VB_PING, vb_ping);
		__atomic_fetch_add(&vb_ready, 1, __ATOMIC_SEQ_CST);
		for (;;)
			__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
	st = my_irq_state();
	while (__atomic_load_n(&vb_ready, __ATOMIC_SEQ_CST) < 1)
		cpu_relax();
	irq_enable();
	for (i = 0; i < vb_ipi_rounds; i++) {
		apic_send_ipi(1, APIC_DM_FIXED | VB_PING);
		while (st->count[VB_PONG] < i + 1)
			cpu_relax();
	}
	irq_disable();
	GUEST_DONE();
}
