/* SPDX-License-Identifier: GPL-2.0 */
/* Shared definitions of the benchmark workloads (guest and host). */
#ifndef _VGEN_BENCH_WORKLOADS_H
#define _VGEN_BENCH_WORKLOADS_H

#include <stdint.h>

#define WL_RESULT_GPA	0x7000
#define WL_DONE_PORT	0xf4
#define WL_LOAD_GPA	0x100000
#define WL_STACK_TOP	0x3f00000
#define WL_RAM_SIZE	(64ULL << 20)
#define WL_COUNT	5

uint64_t wl_hash(void);
uint64_t wl_sort(void);
uint64_t wl_lz(void);
uint64_t wl_ptrchase(void);
uint64_t wl_bytecode(void);

#endif
