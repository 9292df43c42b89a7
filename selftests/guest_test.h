/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_GUEST_TEST_H
#define VGEN_GUEST_TEST_H

#include <stdint.h>

#define ALGO_SEED	0x123456789abcdefULL
#define SMP_ITERS	2000

enum { ALGO_CRC, ALGO_SHA0, ALGO_SHA1, ALGO_SHA2, ALGO_SHA3, ALGO_SORT,
       ALGO_MULDIV, ALGO_BITOPS, ALGO_FLAGS, ALGO_COUNT };

extern uint64_t smp_counter;

void guest_algos(void);
void guest_hlt(void);
void guest_lock_ops(void);
void guest_smp_lock(uint64_t vp_index, uint64_t vp_count);
void guest_cpuid_defaults(void);
void guest_vp_args(uint64_t vp_index, uint64_t vp_count);

#endif
