// SPDX-License-Identifier: GPL-2.0
/* Guest code of state_test; the host side is state_test.c. */
#include "guest.h"
#include "state_test.h"

volatile uint32_t st_index[ST_NMSRS];
volatile uint64_t st_write[ST_NMSRS];
volatile uint64_t st_read[ST_NMSRS];
volatile uint64_t st_rdtsc, st_rdmsr_tsc;
volatile uint32_t st_mtrr_index[ST_NMTRRS];
volatile uint64_t st_mtrr_write[ST_NMTRRS];
volatile uint64_t st_mtrr_read[ST_NMTRRS];
volatile uint64_t st_mtrrcap, st_cpuid1_edx;
volatile uint32_t st_bad_msr;
volatile uint64_t st_bad_val;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void guest_st_msrs(void)
{
	int i;

	for (i = 0; i < ST_NMSRS; i++)
		st_read[i] = rdmsr(st_index[i]);
	GUEST_SYNC(1);
	for (i = 0; i < ST_NMSRS; i++)
		wrmsr(st_index[i], st_write[i]);
	GUEST_SYNC(2);
	GUEST_DONE();
}

void guest_st_tsc(void)
{
	st_rdtsc = rdtsc();
	st_rdmsr_tsc = rdmsr(ST_MSR_TSC);
	GUEST_SYNC(1);
	GUEST_DONE();
}

void guest_st_mtrr(void)
{
	uint32_t r[4];
	int i;

	cpuid(1, 0, r);
	st_cpuid1_edx = r[3];
	st_mtrrcap = rdmsr(ST_MSR_MTRRCAP);
	for (i = 0; i < ST_NMTRRS; i++)
		st_mtrr_read[i] = rdmsr(st_mtrr_index[i]);
	GUEST_SYNC(1);
	for (i = 0; i < ST_NMTRRS; i++)
		wrmsr(st_mtrr_index[i], st_mtrr_write[i]);
	GUEST_SYNC(2);
	wrmsr(st_bad_msr, st_bad_val);
	GUEST_SYNC(3);
	GUEST_DONE();
}
