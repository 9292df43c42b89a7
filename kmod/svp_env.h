/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of the software VP core (kmod/svp_*.c).
 *
 * In the kernel this pulls in the few kernel headers the core needs; in a
 * userspace test build it includes svp_env_user.h (selftests/svp/) which
 * provides the same names. The core uses nothing else from its environment.
 */
#ifndef _VGEN_SVP_ENV_H
#define _VGEN_SVP_ENV_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <asm/msr.h>

/**
 * svp_env_rdtsc() - read the host time stamp counter.
 */
static inline u64 svp_env_rdtsc(void)
{
	return rdtsc();
}

/**
 * svp_env_global_lock() - take the lock serialising page-crossing LOCKed
 * accesses of all VPs; svp_env_global_unlock() releases it.
 *
 * Such accesses are only atomic against other VPs, not against the VMM.
 */
void svp_env_global_lock(void);
void svp_env_global_unlock(void);

#else /* !__KERNEL__ */
#include "svp_env_user.h"
#endif /* __KERNEL__ */

/* Atomic compare-exchange on host memory of 1, 2, 4 or 8 bytes. */
static inline bool svp_env_cmpxchg(void *p, u64 *old, u64 new, int size)
{
	switch (size) {
	case 1: {
		u8 o = *old;
		bool ok = __atomic_compare_exchange_n((u8 *)p, &o, (u8)new,
					false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 2: {
		u16 o = *old;
		bool ok = __atomic_compare_exchange_n((u16 *)p, &o, (u16)new,
					false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 4: {
		u32 o = *old;
		bool ok = __atomic_compare_exchange_n((u32 *)p, &o, (u32)new,
					false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	default:
		return __atomic_compare_exchange_n((u64 *)p, old, new, false,
						   __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
}

/* Atomic 16-byte compare-exchange (CMPXCHG16B), @p 16-byte aligned. */
static inline bool svp_env_cmpxchg16(void *p, u64 *old_lo, u64 *old_hi,
				     u64 new_lo, u64 new_hi)
{
	bool ok;

	asm volatile("lock cmpxchg16b %1\n\tsete %0"
		     : "=q"(ok), "+m"(*(u64 *)p), "+a"(*old_lo),
		       "+d"(*old_hi)
		     : "b"(new_lo), "c"(new_hi) : "memory", "cc");
	return ok;
}

/*
 * Full memory barrier (guest MFENCE): guest loads and stores are plain
 * host accesses, so store->load order between VPs needs a host fence.
 */
static inline void svp_env_mfence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Atomic 64-bit OR (page-table accessed/dirty bits). */
static inline void svp_env_or64(u64 *p, u64 bits)
{
	__atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
}

/* Relaxed atomic store of 1 or 4 bytes (flags shared between threads). */
static inline void svp_env_store(void *p, int size, u64 v)
{
	if (size == 1)
		__atomic_store_n((u8 *)p, (u8)v, __ATOMIC_RELAXED);
	else
		__atomic_store_n((u32 *)p, (u32)v, __ATOMIC_RELAXED);
}

/* Relaxed atomic load of 1, 2, 4 or 8 bytes. */
static inline u64 svp_env_load(const void *p, int size)
{
	switch (size) {
	case 1:
		return __atomic_load_n((const u8 *)p, __ATOMIC_RELAXED);
	case 2:
		return __atomic_load_n((const u16 *)p, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((const u32 *)p, __ATOMIC_RELAXED);
	default:
		return __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED);
	}
}

#endif /* _VGEN_SVP_ENV_H */
