// SPDX-License-Identifier: GPL-2.0
/* Guest code of abi_test. */
#include "guest.h"
#include "abi_test.h"

void abi_guest_done(void)
{
	GUEST_DONE();
}

/* Report CPUID results of the leaves the host asks for. */
void abi_guest_cpuid(void)
{
	static const uint32_t leaves[][2] = {
		{ 0, 0 },
		{ ABI_TEST_LEAF, 0 },
		{ ABI_TEST_LEAF_IDX, 1 },
		{ ABI_TEST_LEAF_IDX, 2 },
	};
	uint32_t r[4];
	unsigned int i, j;

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		cpuid(leaves[i][0], leaves[i][1], r);
		for (j = 0; j < 4; j++)
			GUEST_SYNC2(i * 4 + j, r[j]);
	}
	GUEST_DONE();
}
