// SPDX-License-Identifier: GPL-2.0
/* Guest code of stress_test; the host side is stress_test.c. */
#include "apic_guest.h"
#include "stress_test.h"

volatile uint64_t ss_finish;
volatile uint64_t ss_ready[SS_VPS];
volatile uint64_t ss_quit[SS_VPS];
volatile uint64_t ss_spins[SS_VPS];

void guest_ss_main(uint64_t vp, uint64_t nvps)
{
	GUEST_ASSERT(vp < SS_VPS && nvps <= SS_VPS);
	irq_guest_init(vp);
	apic_enable_xapic();
	irq_enable();
	ss_ready[vp] = 1;
	while (!ss_finish && !ss_quit[vp]) {
		ss_spins[vp]++;
		cpu_relax();
	}
	irq_disable();
	GUEST_DONE();
}
