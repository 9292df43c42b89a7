/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_STRESS_TEST_H
#define VGEN_STRESS_TEST_H

#include <stdint.h>

#define SS_VPS		3		/* <= IRQ_MAX_VPS */
#define SS_VEC_BASE	0x50		/* MSI vector of VP i: SS_VEC_BASE + i */

/* Set by the host: end the loop and report DONE. */
extern volatile uint64_t ss_finish;
/* Set by the host: end VP i's loop only. */
extern volatile uint64_t ss_quit[SS_VPS];
/* Per VP: the APIC is enabled and IF set (ready for MSIs). */
extern volatile uint64_t ss_ready[SS_VPS];
extern volatile uint64_t ss_spins[SS_VPS];

/* xAPIC enabled, IF set, spin until ss_finish or ss_quit[vp]; DONE. */
void guest_ss_main(uint64_t vp, uint64_t nvps);

#endif
