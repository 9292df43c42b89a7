// SPDX-License-Identifier: GPL-2.0
/* Guest code of reset_test. */
#include "guest.h"
#include "reset_test.h"

volatile uint64_t rt_runs;
volatile uint64_t rt_stop;

void guest_rt_count(void)
{
	rt_runs++;
	GUEST_SYNC(rt_runs);
	GUEST_DONE();
}

void guest_rt_spin(void)
{
	GUEST_SYNC(1);
	while (!rt_stop)
		__asm__ volatile("pause");
	GUEST_DONE();
}

void guest_rt_hlt(void)
{
	GUEST_SYNC(1);
	__asm__ volatile("hlt");
	GUEST_SYNC(2);
	GUEST_DONE();
}
