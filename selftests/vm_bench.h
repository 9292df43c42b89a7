/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_VM_BENCH_H
#define VGEN_VM_BENCH_H

#include <stdint.h>

#define VB_PORT		0x2f8		/* port-I/O round trips */
#define VB_MMIO		0xd0000000ULL	/* MMIO round trips (no RAM there) */
#define VB_VEC		0x40		/* MSI vector */
#define VB_PING		0x41		/* IPI VP0 -> VP1 */
#define VB_PONG		0x42		/* IPI VP1 -> VP0 */

extern volatile uint64_t vb_spin, vb_ready, vb_ipi_rounds;

void guest_vb_pio(uint64_t n);
void guest_vb_mmio(uint64_t n);
void guest_vb_spin(void);
void guest_vb_irq_spin(void);
void guest_vb_irq_hlt(void);
void guest_vb_ipi(uint64_t vp, uint64_t nvps);

#endif
