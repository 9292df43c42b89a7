/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_STATE_TEST_H
#define VGEN_STATE_TEST_H

#include <stdint.h>

/* The MSRs of struct vgen_msrs other than the TSC. */
#define ST_NMSRS	10
#define ST_MSR_TSC	0x10u

/* Set by the host before the guest runs. */
extern volatile uint32_t st_index[ST_NMSRS];
extern volatile uint64_t st_write[ST_NMSRS];
/* Written by the guest: RDMSR results, RDTSC and RDMSR(TSC). */
extern volatile uint64_t st_read[ST_NMSRS];
extern volatile uint64_t st_rdtsc, st_rdmsr_tsc;

/* SYNC(1) after reading every MSR, SYNC(2) after writing them, DONE. */
void guest_st_msrs(void);
/* SYNC(1) after RDTSC and RDMSR(TSC), DONE. */
void guest_st_tsc(void);

#endif
