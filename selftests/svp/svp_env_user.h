/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace replacement of the kernel environment for the svp core. */
#ifndef _SVP_ENV_USER_H
#define _SVP_ENV_USER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define noinline	__attribute__((__noinline__))
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#define fallthrough	__attribute__((__fallthrough__))
#ifndef EXPORT_SYMBOL_GPL
#define EXPORT_SYMBOL_GPL(x)
#endif

static inline u64 svp_env_rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

void svp_env_global_lock(void);
void svp_env_global_unlock(void);

#endif
