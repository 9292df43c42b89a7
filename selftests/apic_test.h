/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between apic_test.c and apic_test_guest.c. */
#ifndef VGEN_APIC_TEST_H
#define VGEN_APIC_TEST_H

#include <stdint.h>

/* Vectors. */
#define VEC_SELF		0x40
#define VEC_X2_SELF		0x41
#define VEC_X2_ICR		0x42
#define VEC_SHADOW		0x43
#define VEC_HLT			0x44
#define VEC_LAPIC_IRR		0x45
#define VEC_LAPIC_TIMER		0x46
#define VEC_TIMER		0x70
#define VEC_PERIODIC		0x71
#define VEC_DEADLINE		0x72
#define VEC_IOAPIC_EDGE		0x60
#define VEC_IOAPIC_LEVEL	0x61
#define VEC_MSI_LEVEL		0x62
#define VEC_IOAPIC_NEW		0x63
#define VEC_EXTINT		0x68
#define VEC_LINT0_FIXED		0x69
#define VEC_FLOOD_BASE		0x80	/* one per sender thread */
#define VEC_STOP		0x30	/* lowest: handled after the rest */

/* IOAPIC lines of the ioapic test. */
#define LINE_EDGE		5
#define LINE_UNROUTED		6
#define LINE_LEVEL		7

/* IPI modes of guest_ipi. */
enum { IPI_PHYSICAL, IPI_LOGICAL_FLAT, IPI_CLUSTER, IPI_SHORTHAND,
	IPI_LOWEST, IPI_NMI };

/* guest_ipi: SYNC(IPI_SYNC_MSI) asks the VP 0 thread for a host
 * lowest-priority MSI to logical destination 3 with VEC_IPI_MSI. */
#define IPI_SYNC_MSI		0x1000
#define VEC_IPI_MSI		0x5b
#define IPI_LOWEST_ROUNDS	8

/* The flood test. */
#define FLOOD_MAX_VPS		4

extern volatile uint32_t ipi_mode;
extern volatile uint32_t ipi_ready[4];
extern volatile uint32_t guest_stop;
extern volatile uint32_t hlt_ready;
extern volatile uint32_t nmi_nested_seen;
extern volatile uint32_t lapic_tpr_seen;
extern volatile uint32_t lapic_phases;
extern volatile uint32_t handler_isr, handler_irr, handler_ppr,
	handler_isr_after, handler_tmr;

void guest_xapic_self_ipi(void);
void guest_x2apic_self_ipi(void);
void guest_priority(void);
void guest_tpr(void);
void guest_timer_oneshot(void);
void guest_timer_periodic(void);
void guest_tsc_deadline(void);
void guest_sti_shadow(void);
void guest_hlt_wake(void);
void guest_nmi(void);
void guest_lapic_state(void);
void guest_lapic_x2apic_id(void);
void guest_ipi(uint64_t vp_index, uint64_t vp_count);
void guest_ioapic(void);
void guest_lint(void);
void guest_flood(uint64_t vp_index, uint64_t vp_count);
void guest_sw_disabled(void);
void guest_user_apic(void);
void guest_idt_selftest(void);
void guest_x2apic_ext_dest(void);
void guest_hlt_signal(void);

#define X2_BIG_ID		0x123

#endif
