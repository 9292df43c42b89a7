/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_SAVERESTORE_TEST_H
#define VGEN_SAVERESTORE_TEST_H

#include <stdint.h>

#define SR_VPS		4
#define SR_ITERS	102400		/* per VP, a multiple of SR_LOCK_EVERY */
#define SR_LOCK_EVERY	64		/* LOCK counter/sum updates */
#define SR_VEC_IPI	0x40		/* pending self-IPI */
#define SR_VEC_TIMER	0x41		/* one-shot APIC timer */
#define SR_TIMER_COUNT	2000000

/* Set by the host: use the in-kernel APIC (self-IPI and timer). */
extern volatile uint64_t sr_use_apic;
/* Shared: LOCK XADD counter and LOCK ADD sum of every VP's values. */
extern volatile uint64_t sr_counter, sr_sum;
/* Per VP: the final value and the interrupts seen after STI. */
extern volatile uint64_t sr_result[SR_VPS];
extern volatile uint64_t sr_ipis[SR_VPS], sr_timers[SR_VPS];

/*
 * With an APIC: a self-IPI and a one-shot timer pended with IF clear;
 * then SR_ITERS steps of a per-VP recurrence, with LOCKed updates of the
 * shared counter and sum; then STI until both interrupts arrived; DONE.
 */
void guest_sr_work(uint64_t vp, uint64_t nvps);

#endif
