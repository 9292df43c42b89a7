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

/* MTRRs: IA32_MTRR_DEF_TYPE, the 16 variable, the 11 fixed-range MSRs. */
#define ST_NMTRRS	28
#define ST_MSR_MTRRCAP	0xfeu
#define ST_MTRRCAP	0x508u		/* VCNT 8, FIX, WC */
#define ST_CPUID1_EDX_MTRR	(1u << 12)

extern volatile uint32_t st_mtrr_index[ST_NMTRRS];
extern volatile uint64_t st_mtrr_write[ST_NMTRRS];
extern volatile uint64_t st_mtrr_read[ST_NMTRRS];
extern volatile uint64_t st_mtrrcap, st_cpuid1_edx;
extern volatile uint32_t st_bad_msr;
extern volatile uint64_t st_bad_val;

/*
 * CPUID 1 EDX, RDMSR MTRRCAP and every MTRR, SYNC(1); WRMSR of every
 * MTRR, SYNC(2); WRMSR st_bad_msr = st_bad_val (must #GP: no IDT, so a
 * triple fault), SYNC(3) if it did not.
 */
void guest_st_mtrr(void);

#endif
