// SPDX-License-Identifier: GPL-2.0
/* Guest code of saverestore_test; the host side is saverestore_test.c. */
#include "apic_guest.h"
#include "saverestore_test.h"

volatile uint64_t sr_use_apic;
volatile uint64_t sr_counter, sr_sum;
volatile uint64_t sr_result[SR_VPS];
volatile uint64_t sr_ipis[SR_VPS], sr_timers[SR_VPS];

void guest_sr_work(uint64_t vp, uint64_t nvps)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL * (vp + 1), one = 1, i;
	volatile struct irq_vp_state *st;

	GUEST_ASSERT(vp < SR_VPS && nvps == SR_VPS);
	irq_guest_init(vp);
	st = my_irq_state();
	if (sr_use_apic) {
		apic_enable_xapic();
		/* IF is clear: both stay pending (IRR) across the save. */
		apic_send_ipi(0, APIC_DEST_SELF | SR_VEC_IPI);
		apic_write(APIC_TDCR, APIC_TDCR_DIV1);
		apic_write(APIC_LVTT, SR_VEC_TIMER);
		apic_write(APIC_TMICT, SR_TIMER_COUNT);
	}
	for (i = 0; i < SR_ITERS; i++) {
		h = h * 6364136223846793005ULL + i;
		h ^= h >> 29;
		if (i % SR_LOCK_EVERY == 0) {
			__asm__ volatile("lock xaddq %0, %1"
					 : "+r"(one), "+m"(sr_counter)
					 : : "memory");
			one = 1;
			__asm__ volatile("lock addq %1, %0"
					 : "+m"(sr_sum) : "r"(h) : "memory");
		}
	}
	sr_result[vp] = h;
	if (sr_use_apic) {
		irq_enable();
		while (!st->count[SR_VEC_IPI] || !st->count[SR_VEC_TIMER])
			cpu_relax();
		irq_disable();
		sr_ipis[vp] = st->count[SR_VEC_IPI];
		sr_timers[vp] = st->count[SR_VEC_TIMER];
	}
	GUEST_DONE();
}
