// SPDX-License-Identifier: GPL-2.0
/* Guest code of halt_test; the host side is halt_test.c. */
#include "guest.h"
#include "apic_guest.h"
#include "halt_test.h"

volatile uint64_t ht_counter;

/* OUT 0, 1, 2, ... to HT_PORT forever. */
void guest_ht_count(void)
{
	uint32_t i;

	for (i = 0;; i++)
		outl(HT_PORT, i);
}

/* Count in memory forever, no exits. */
void guest_ht_spin(void)
{
	for (;;)
		ht_counter++;
}

/* IN from HT_IN_PORT, then OUT the value to HT_PORT, forever. */
void guest_ht_in(void)
{
	for (;;)
		outl(HT_PORT, inl(HT_IN_PORT));
}

/* OUT 0, HLT (interrupts off), OUT 1, HLT, ... */
void guest_ht_hlt(void)
{
	uint32_t i;

	for (i = 0;; i++) {
		outl(HT_PORT, i);
		__asm__ volatile("cli; hlt" ::: "memory");
	}
}

/* #UD without an IDT: a triple fault. */
void guest_ht_triple_fault(void)
{
	__asm__ volatile("ud2");
}

/* Execute from MMIO: the software VP cannot fetch from there. */
void guest_ht_exec_mmio(void)
{
	((void (*)(void))HT_MMIO)();
}

/* A 4-byte MMIO write, then reads forever (each value OUT). */
void guest_ht_mmio(void)
{
	*(volatile uint32_t *)HT_MMIO = 0x1234;
	for (;;)
		outl(HT_PORT, *(volatile uint32_t *)(HT_MMIO + 4));
}

static void ht_extint_handler(struct irq_frame *f)
{
	outl(HT_PORT, (uint32_t)f->vector);
}

/*
 * LINT0 in ExtINT mode: OUT 1 (the host pulses LINT0 from that OUT's
 * callback), then wait with STI; HLT. The VMM's PIC supplies
 * HT_EXTINT_VECTOR; its handler OUTs the vector.
 */
void guest_ht_extint(void)
{
	irq_guest_init(0);
	apic_enable_xapic();
	irq_set_handler(HT_EXTINT_VECTOR, ht_extint_handler);
	apic_write(APIC_LVT0, APIC_DM_EXTINT);
	outl(HT_PORT, 1);
	for (;;)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}
