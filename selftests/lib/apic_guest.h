/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side local APIC and interrupt helpers for the interrupt selftests
 * (apic_guest.c, irq_stubs.S). Only for *_guest.c files.
 *
 * irq_guest_init() installs an IDT with a stub for every vector; each
 * interrupt is counted per VP and vector in irq_state[] (host tests read it
 * through guest memory), logged in arrival order, passed to an optional
 * handler and, for vectors 32-254, EOI'd unless auto-EOI is turned off.
 * An exception without a handler is reported as a guest assertion.
 * The current VP is identified by IA32_TSC_AUX (set to the VP index).
 */
#ifndef VGEN_SELFTEST_APIC_GUEST_H
#define VGEN_SELFTEST_APIC_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "guest.h"
#include "irq_common.h"

#define APIC_DEFAULT_GPA	0xfee00000ULL

/* xAPIC register offsets (x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_TPR	0x080
#define APIC_PPR	0x0a0
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SVR	0x0f0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0	/* x2APIC only (MSR 0x83f) */

#define APIC_SVR_ENABLE		(1U << 8)
#define APIC_SPURIOUS_VECTOR	0xff

/* ICR and LVT bits. */
#define APIC_DM_FIXED		0x000
#define APIC_DM_LOWEST		0x100
#define APIC_DM_NMI		0x400
#define APIC_DM_EXTINT		0x700
#define APIC_DEST_LOGICAL	0x800
#define APIC_ICR_BUSY		0x1000
#define APIC_INT_ASSERT		0x4000
#define APIC_DEST_SELF		0x40000
#define APIC_DEST_ALLINC	0x80000
#define APIC_DEST_ALLBUT	0xc0000
#define APIC_LVT_MASKED		0x10000
#define APIC_LVT_PERIODIC	0x20000
#define APIC_LVT_TSC_DEADLINE	0x40000
#define APIC_TDCR_DIV1		0xb

#define MSR_IA32_APIC_BASE	0x1b
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define MSR_X2APIC_BASE		0x800
#define MSR_TSC_AUX		0xc0000103
#define APIC_BASE_BSP		(1ULL << 8)
#define APIC_BASE_EXTD		(1ULL << 10)
#define APIC_BASE_ENABLE	(1ULL << 11)

/* Saved by irq_stubs.S; see there. */
struct irq_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct irq_frame *f);

extern volatile uint64_t irq_shadow_flag;

/* Probes in irq_stubs.S. */
void sti_shadow_probe(void);
void sti_cli_probe(void);
void hlt_probe(void);
void irq_window_probe(void);
void cr8_probe(uint64_t v);
void tpr_mmio_probe(uint32_t v);
extern char sti_shadow_after[], hlt_probe_after[], irq_window_after[];
extern char cr8_probe_after[], tpr_mmio_probe_after[];

static inline uint64_t rdmsr(uint32_t idx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr8(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static inline void write_cr8(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* STI; NOP; CLI: take whatever is deliverable, then block again. */
static inline void irq_window(void)
{
	__asm__ volatile("sti\n\tnop\n\tcli" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* Set up this VP: TSC_AUX = @vp, IDT loaded, irq_state[@vp] cleared. */
void irq_guest_init(uint32_t vp);
uint32_t this_vp(void);
void irq_set_handler(int vec, irq_handler_t h);
void irq_set_auto_eoi(bool on);
static inline volatile struct irq_vp_state *my_irq_state(void)
{
	return &irq_state[this_vp()];
}

/* xAPIC (MMIO) or x2APIC (MSR) access, by the current VP's mode. */
void apic_enable_xapic(void);
void apic_enable_x2apic(void);
bool apic_is_x2apic(void);
uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t v);
void apic_eoi(void);
/* ICR: @dest is the xAPIC destination byte or the x2APIC ID. */
void apic_send_ipi(uint32_t dest, uint32_t icr_low);
bool apic_irr_test(uint8_t vec);
bool apic_isr_test(uint8_t vec);
bool apic_tmr_test(uint8_t vec);

/* Wait (STI; HLT) until this VP has seen @n interrupts on @vec. */
void irq_wait(uint8_t vec, uint32_t n);

#endif
