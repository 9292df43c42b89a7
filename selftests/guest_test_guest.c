// SPDX-License-Identifier: GPL-2.0
/* Guest code of guest_test. */
#include "guest.h"
#include "algos.h"
#include "guest_test.h"

uint64_t smp_counter;

void guest_algos(void)
{
	uint8_t sha[32];
	uint64_t v;
	int i;

	GUEST_SYNC2(ALGO_CRC, algo_crc32(algo_text, guest_strlen(algo_text)));
	algo_sha256(algo_text, guest_strlen(algo_text), sha);
	for (i = 0; i < 4; i++) {
		memcpy(&v, sha + 8 * i, 8);
		GUEST_SYNC2(ALGO_SHA0 + i, v);
	}
	GUEST_SYNC2(ALGO_SORT, algo_sort(ALGO_SEED));
	GUEST_SYNC2(ALGO_MULDIV, algo_muldiv(ALGO_SEED));
	GUEST_SYNC2(ALGO_BITOPS, algo_bitops(ALGO_SEED));
	GUEST_SYNC2(ALGO_FLAGS, algo_flags(ALGO_SEED));
	GUEST_DONE();
}

void guest_hlt(void)
{
	GUEST_SYNC(1);
	__asm__ volatile("hlt");
	GUEST_SYNC(2);
	GUEST_DONE();
}

static uint64_t lock_var;

void guest_lock_ops(void)
{
	volatile uint64_t *p = &lock_var;
	uint64_t old, expected;
	uint8_t zf, cf;
	uint32_t v32;

	*p = 10;
	old = __atomic_fetch_add(p, 5, __ATOMIC_SEQ_CST);	/* lock xadd */
	GUEST_ASSERT_EQ(old, 10);
	GUEST_ASSERT_EQ(*p, 15);

	expected = 15;
	GUEST_ASSERT(__atomic_compare_exchange_n(p, &expected, 99, 0,
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	GUEST_ASSERT_EQ(*p, 99);
	expected = 15;
	GUEST_ASSERT(!__atomic_compare_exchange_n(p, &expected, 7, 0,
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	GUEST_ASSERT_EQ(expected, 99);
	GUEST_ASSERT_EQ(*p, 99);

	old = __atomic_exchange_n(p, 0x1234, __ATOMIC_SEQ_CST);	/* xchg */
	GUEST_ASSERT_EQ(old, 99);
	GUEST_ASSERT_EQ(*p, 0x1234);

	__asm__ volatile("lock orq $0xf0000, %0" : "+m"(*p));
	__asm__ volatile("lock andq $0xff00ff, %0" : "+m"(*p));
	__asm__ volatile("lock xorq $0x1, %0" : "+m"(*p));
	GUEST_ASSERT_EQ(*p, 0xf0035);

	*p = 1;
	__asm__ volatile("lock decq %0; setz %1" : "+m"(*p), "=q"(zf));
	GUEST_ASSERT_EQ(zf, 1);
	__asm__ volatile("lock decq %0; setz %1" : "+m"(*p), "=q"(zf));
	GUEST_ASSERT_EQ(zf, 0);
	GUEST_ASSERT_EQ(*p, (uint64_t)-1);
	__asm__ volatile("lock incq %0; setz %1" : "+m"(*p), "=q"(zf));
	GUEST_ASSERT_EQ(zf, 1);

	*p = 0;
	__asm__ volatile("lock btsq $5, %0; setc %1" : "+m"(*p), "=q"(cf));
	GUEST_ASSERT_EQ(cf, 0);
	__asm__ volatile("lock btsq $5, %0; setc %1" : "+m"(*p), "=q"(cf));
	GUEST_ASSERT_EQ(cf, 1);
	__asm__ volatile("lock btcq $6, %0; setc %1" : "+m"(*p), "=q"(cf));
	GUEST_ASSERT_EQ(cf, 0);
	__asm__ volatile("lock btrq $5, %0; setc %1" : "+m"(*p), "=q"(cf));
	GUEST_ASSERT_EQ(cf, 1);
	GUEST_ASSERT_EQ(*p, 0x40);

	/* 32-bit forms on the upper half must not touch the lower half. */
	*p = 0x100000000ULL;
	v32 = 3;
	__asm__ volatile("lock xaddl %0, 4(%1)"
			 : "+r"(v32) : "r"(p) : "memory");
	GUEST_ASSERT_EQ(v32, 1);
	GUEST_ASSERT_EQ(*p, 0x400000000ULL);
	__asm__ volatile("lock subq $1, %0; setz %1" : "+m"(*p), "=q"(zf));
	GUEST_ASSERT_EQ(zf, 0);
	GUEST_ASSERT_EQ(*p, 0x3ffffffffULL);
	GUEST_DONE();
}

void guest_smp_lock(uint64_t vp_index, uint64_t vp_count)
{
	int i;

	GUEST_ASSERT(vp_index < vp_count);
	for (i = 0; i < SMP_ITERS; i++)
		__asm__ volatile("lock incq %0" : "+m"(smp_counter));
	GUEST_DONE();
}

void guest_cpuid_defaults(void)
{
	uint32_t r[4], max_basic, max_ext, top[4], above[4];

	cpuid(0, 0, r);
	max_basic = r[0];
	GUEST_ASSERT(max_basic >= 1);
	GUEST_ASSERT_EQ(r[1], 0x6e656756);	/* "Vgen" */
	GUEST_ASSERT_EQ(r[3], 0x6e656756);
	GUEST_ASSERT_EQ(r[2], 0x6e656756);
	GUEST_SYNC2(0, max_basic);
	cpuid(1, 0, r);
	GUEST_SYNC2(1, r[3]);	/* feature bits, compared with the table */
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	GUEST_SYNC2(2, max_ext);
	/* Above the maximum leaf: the maximum basic leaf's values. */
	cpuid(max_basic, 0, top);
	cpuid(max_basic + 1, 0, above);
	GUEST_ASSERT(!memcmp(top, above, sizeof(top)));
	if (max_ext >= 0x80000000) {
		cpuid(max_ext + 1, 0, above);
		GUEST_ASSERT(!memcmp(top, above, sizeof(top)));
	}
	GUEST_DONE();
}

void guest_vp_args(uint64_t vp_index, uint64_t vp_count)
{
	uint64_t rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	GUEST_SYNC2(vp_index, vp_count);
	GUEST_SYNC(rsp);
	GUEST_DONE();
}
