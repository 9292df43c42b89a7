/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt bookkeeping shared by guest code (apic_guest.c) and host tests,
 * which read it through guest memory (the guest image is the test binary,
 * so &irq_state[...] is the same address on both sides).
 */
#ifndef VGEN_SELFTEST_IRQ_COMMON_H
#define VGEN_SELFTEST_IRQ_COMMON_H

#include <stdint.h>

#define IRQ_MAX_VPS	4
#define IRQ_LOG_SIZE	64

/**
 * struct irq_vp_state - what one VP's interrupt handlers saw.
 * @count: interrupts taken per vector (incremented before the handler runs).
 * @last_rip: the interrupted RIP of the last interrupt per vector.
 * @log: vectors in arrival order (first IRQ_LOG_SIZE).
 * @nlog: number of interrupts taken in total.
 * @x2apic: the VP switched its APIC to x2APIC mode (apic_enable_x2apic()).
 * @no_auto_eoi: handlers EOI themselves.
 */
struct irq_vp_state {
	uint32_t count[256];
	uint64_t last_rip[256];
	uint8_t log[IRQ_LOG_SIZE];
	uint32_t nlog;
	uint32_t x2apic;
	uint32_t no_auto_eoi;
	uint32_t pad;
};

extern volatile struct irq_vp_state irq_state[IRQ_MAX_VPS];

#endif
