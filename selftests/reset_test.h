/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_RESET_TEST_H
#define VGEN_RESET_TEST_H

#include <stdint.h>

/* Incremented by every run of guest_rt_count() (memory survives reset). */
extern volatile uint64_t rt_runs;
/* Set by the host to end guest_rt_spin(). */
extern volatile uint64_t rt_stop;

/* SYNC(rt_runs after incrementing it), DONE. */
void guest_rt_count(void);
/* SYNC(1), spin until rt_stop, DONE. */
void guest_rt_spin(void);
/* SYNC(1), HLT with interrupts off, SYNC(2), DONE. */
void guest_rt_hlt(void);

#endif
