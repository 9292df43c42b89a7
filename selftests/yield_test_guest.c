// SPDX-License-Identifier: GPL-2.0
/* Guest code of yield_test; the host side is yield_test.c. */
#include "guest.h"
#include "yield_test.h"

volatile uint64_t yt_entered, yt_stop, yt_counter;

/* Count until the host sets yt_stop. */
void guest_yt_spin(void)
{
	yt_entered = 1;
	while (!yt_stop)
		yt_counter++;
	GUEST_DONE();
}

/* SYNC(1) .. SYNC(YT_SYNCS), some guest work between them, then DONE. */
void guest_yt_sync_loop(void)
{
	uint64_t i, j;

	for (i = 1; i <= YT_SYNCS; i++) {
		yt_counter = i;
		for (j = 0; j < YT_SPIN; j++)
			yt_entered++;
		GUEST_SYNC(i);
	}
	GUEST_ASSERT_EQ(yt_counter, YT_SYNCS);
	GUEST_DONE();
}

/* One 32-bit IN (encoding e5 ib) into a known RAX, reported by SYNC. */
void guest_yt_in(void)
{
	uint64_t rax = 0x1122334455667788ULL;

	__asm__ volatile("inl %1, %%eax" : "+a"(rax) : "i"(YT_PORT));
	GUEST_SYNC(rax);
	GUEST_DONE();
}

void guest_yt_hlt(void)
{
	GUEST_SYNC(1);
	__asm__ volatile("hlt");
	GUEST_SYNC(2);
	GUEST_DONE();
}

/* One 32-bit MMIO read into a known RAX, reported by SYNC. */
void guest_yt_mmio(void)
{
	uint64_t rax = 0x1122334455667788ULL;

	__asm__ volatile("movl (%1), %%eax" : "+a"(rax) : "r"(YT_MMIO)
			 : "memory");
	GUEST_SYNC(rax);
	GUEST_DONE();
}
