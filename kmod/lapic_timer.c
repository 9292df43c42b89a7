// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC timer: one-shot, periodic and TSC-deadline modes on a
 * high-resolution timer.
 *
 * The timer counts at VGEN_LAPIC_TIMER_HZ (1 GHz: one count is one
 * nanosecond at divide-by-1) divided by the TDCR setting. The hrtimer
 * runs on CLOCK_MONOTONIC in absolute hard-interrupt mode
 * (HRTIMER_MODE_ABS_HARD); its callback only sets VGEN_LAPIC_EV_TIMER
 * and kicks the VP (and re-arms itself in periodic mode); the run thread
 * turns the expiry into an interrupt through the LVT timer entry when it
 * folds posted events (vgen_lapic_timer_expired()).
 *
 * A periodic timer never fires more often than every
 * VGEN_LAPIC_MIN_PERIOD_NS so that a guest cannot flood the host with
 * timer interrupts; a one-shot or TSC-deadline timer needs a guest
 * instruction per expiry and is not bounded. The current count is
 * computed from the time elapsed since the count was loaded.
 *
 * TSC deadline: the guest TSC is the host TSC plus the VP's offset
 * (vgen_vp_guest_tsc()); a deadline is converted to host nanoseconds with
 * tsc_khz when written. A deadline at or before the current guest TSC
 * fires at once.
 */
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <asm/tsc.h>

#include "lapic_internal.h"

#define VGEN_LAPIC_TIMER_HZ		1000000000ULL
#define VGEN_LAPIC_NS_PER_COUNT		(NSEC_PER_SEC / VGEN_LAPIC_TIMER_HZ)
#define VGEN_LAPIC_MIN_PERIOD_NS	(100 * NSEC_PER_USEC)
/* Deadlines further away than this (about 3 years) are clamped. */
#define VGEN_LAPIC_MAX_DELAY_NS		(100000000ULL * NSEC_PER_SEC)

static enum hrtimer_restart vgen_lapic_timer_fn(struct hrtimer *t)
{
	struct vgen_lapic *apic = container_of(t, struct vgen_lapic, timer);

	set_bit(VGEN_LAPIC_EV_TIMER, &apic->events);
	vgen_vp_kick(apic->vp);
	if (!apic->timer_periodic)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(apic->timer_period_ns));
	return HRTIMER_RESTART;
}

/**
 * vgen_lapic_timer_init() - set up the APIC's hrtimer (stopped).
 * @apic: the APIC.
 */
void vgen_lapic_timer_init(struct vgen_lapic *apic)
{
	hrtimer_init(&apic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	apic->timer.function = vgen_lapic_timer_fn;
}

/* The TDCR divisor: 1, 2, 4, ... 128. */
static u32 vgen_lapic_timer_divide(struct vgen_lapic *apic)
{
	u32 tdcr = VGEN_REG(apic, VGEN_APIC_TDCR);
	u32 v = (tdcr & 3) | ((tdcr & 8) >> 1);

	return 1U << ((v + 1) & 7);
}

static void vgen_lapic_timer_arm(struct vgen_lapic *apic, ktime_t expires)
{
	hrtimer_start(&apic->timer, expires, HRTIMER_MODE_ABS_HARD);
}

/**
 * vgen_lapic_timer_stop() - stop the timer.
 * @apic: the APIC.
 *
 * Waits for a running callback; an expiry that happened before is still
 * delivered (through the current LVT timer entry).
 */
void vgen_lapic_timer_stop(struct vgen_lapic *apic)
{
	hrtimer_cancel(&apic->timer);
	apic->timer_period_ns = 0;
	apic->timer_periodic = false;
	if (test_and_clear_bit(VGEN_LAPIC_EV_TIMER, &apic->events))
		vgen_lapic_timer_expired(apic);
}

/**
 * vgen_lapic_timer_start() - (re)load the count from TMICT and start
 *	counting (one-shot or periodic mode; TMICT 0 stops the timer).
 * @apic: the APIC.
 */
void vgen_lapic_timer_start(struct vgen_lapic *apic)
{
	u32 lvt = VGEN_REG(apic, VGEN_APIC_LVTT);
	u32 count = VGEN_REG(apic, VGEN_APIC_TMICT);
	u64 ns;

	vgen_lapic_timer_stop(apic);
	if (!count || VGEN_APIC_LVTT_MODE(lvt) == VGEN_APIC_TIMER_TSCDEADLINE)
		return;
	ns = (u64)count * vgen_lapic_timer_divide(apic) *
	     VGEN_LAPIC_NS_PER_COUNT;
	apic->timer_periodic =
		VGEN_APIC_LVTT_MODE(lvt) == VGEN_APIC_TIMER_PERIODIC;
	if (apic->timer_periodic)
		ns = max_t(u64, ns, VGEN_LAPIC_MIN_PERIOD_NS);
	apic->timer_period_ns = ns;
	apic->timer_start = ktime_get();
	vgen_lapic_timer_arm(apic, ktime_add_ns(apic->timer_start, ns));
}

/**
 * vgen_lapic_timer_set_mode() - the LVT timer entry was written.
 * @apic: the APIC.
 * @old_lvt: its previous value.
 *
 * Entering or leaving TSC-deadline mode stops the timer and clears TMICT
 * and IA32_TSC_DEADLINE. Switching between one-shot and periodic keeps the
 * current count-down running.
 */
void vgen_lapic_timer_set_mode(struct vgen_lapic *apic, u32 old_lvt)
{
	u32 om = VGEN_APIC_LVTT_MODE(old_lvt);
	u32 nm = VGEN_APIC_LVTT_MODE(VGEN_REG(apic, VGEN_APIC_LVTT));
	ktime_t expires;

	if (om == nm)
		return;
	if (om == VGEN_APIC_TIMER_TSCDEADLINE ||
	    nm == VGEN_APIC_TIMER_TSCDEADLINE) {
		vgen_lapic_timer_stop(apic);
		VGEN_REG(apic, VGEN_APIC_TMICT) = 0;
		apic->tsc_deadline = 0;
		return;
	}
	if (!apic->timer_period_ns)
		return;
	expires = hrtimer_get_expires(&apic->timer);
	if (!hrtimer_cancel(&apic->timer))
		return;		/* a one-shot count-down that already ended */
	apic->timer_periodic = nm == VGEN_APIC_TIMER_PERIODIC;
	if (apic->timer_periodic)
		apic->timer_period_ns = max_t(u64, apic->timer_period_ns,
					      VGEN_LAPIC_MIN_PERIOD_NS);
	/* The running count-down ends at @expires in either mode. */
	apic->timer_start = ktime_sub_ns(expires, apic->timer_period_ns);
	vgen_lapic_timer_arm(apic, expires);
}

/**
 * vgen_lapic_timer_current() - the current count (TMCCT).
 * @apic: the APIC.
 *
 * Return: the remaining counts of the current count-down; 0 when stopped,
 * expired (one-shot) or in TSC-deadline mode.
 */
u32 vgen_lapic_timer_current(struct vgen_lapic *apic)
{
	u32 lvt = VGEN_REG(apic, VGEN_APIC_LVTT);
	u64 period = apic->timer_period_ns, elapsed, left;
	s64 delta;

	if (!period || VGEN_APIC_LVTT_MODE(lvt) == VGEN_APIC_TIMER_TSCDEADLINE)
		return 0;
	delta = ktime_to_ns(ktime_sub(ktime_get(), apic->timer_start));
	elapsed = delta < 0 ? 0 : delta;
	if (apic->timer_periodic)
		div64_u64_rem(elapsed, period, &elapsed);
	else if (elapsed >= period)
		return 0;
	left = div64_u64(period - elapsed, (u64)vgen_lapic_timer_divide(apic) *
			 VGEN_LAPIC_NS_PER_COUNT);
	return min_t(u64, left, VGEN_REG(apic, VGEN_APIC_TMICT));
}

/**
 * vgen_lapic_timer_set_deadline() - WRMSR IA32_TSC_DEADLINE in
 *	TSC-deadline mode: 0 disarms, a past deadline fires at once.
 * @apic: the APIC.
 * @deadline: the guest TSC value at which the timer fires.
 */
void vgen_lapic_timer_set_deadline(struct vgen_lapic *apic, u64 deadline)
{
	u32 khz = tsc_khz ? tsc_khz : 1000000;
	u64 now, ns;

	vgen_lapic_timer_stop(apic);
	apic->tsc_deadline = deadline;
	if (!deadline)
		return;
	now = vgen_vp_guest_tsc(apic->vp);
	if (deadline <= now) {
		set_bit(VGEN_LAPIC_EV_TIMER, &apic->events);
		return;
	}
	/* Bound the ticks first: the division must not overflow. */
	if (deadline - now > div_u64(VGEN_LAPIC_MAX_DELAY_NS, 1000000) * khz)
		ns = VGEN_LAPIC_MAX_DELAY_NS;
	else
		ns = max_t(u64, mul_u64_u32_div(deadline - now, 1000000, khz),
			   1);
	apic->timer_period_ns = ns;
	apic->timer_start = ktime_get();
	vgen_lapic_timer_arm(apic, ktime_add_ns(apic->timer_start, ns));
}
