// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt side of the VP run loop: injecting what the local APIC
 * (lapic.c) holds into the software VP on instruction boundaries, HLT
 * waiting in the kernel, INIT/SIPI, the EOI and ExtINT exits, kicks from
 * other threads and the VGEN_GET_LAPIC / VGEN_SET_LAPIC ioctls.
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "vgen.h"

/**
 * vgen_vp_kick() - make a VP notice new interrupt state: end the
 *	interpreter's current chunk and wake the VP if it waits in HLT.
 * @vp: the VP.
 *
 * Callable from any context, including hard interrupts (the APIC timer).
 * The caller has published the new state before (with a full barrier or
 * an atomic RMW): the waiter re-checks its condition after waking.
 */
void vgen_vp_kick(struct vgen_vp *vp)
{
	svp_kick(vp->cpu);
	/* Pairs with the barrier in prepare_to_wait_event(). */
	smp_mb();
	if (wq_has_sleeper(&vp->wait))
		wake_up(&vp->wait);
}

/**
 * vgen_vp_guest_tsc() - the guest's current time stamp counter.
 * @vp: the VP; called by its run thread (vgen_vp.run_lock held).
 *
 * Return: the host TSC plus the VP's TSC offset.
 */
u64 vgen_vp_guest_tsc(struct vgen_vp *vp)
{
	return svp_guest_tsc(vp->cpu);
}

/*
 * vgen_vp_sipi() - start a VP waiting for SIPI at @vector: real mode,
 * CS = vector << 8, IP = 0, everything else as after INIT.
 */
static int vgen_vp_sipi(struct vgen_vp *vp, u8 vector)
{
	struct svp_state *st;
	int ret;

	lockdep_assert_held(&vp->run_lock);
	st = kmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	svp_get_state(vp->cpu, st);
	st->seg[SVP_SEG_CS].sel = (u16)vector << 8;
	st->seg[SVP_SEG_CS].base = (u64)vector << 12;
	st->rip = 0;
	ret = svp_set_state(vp->cpu, st);
	kfree(st);
	return ret;
}

/*
 * vgen_vp_init_reset() - INIT: the VP's registers go to their INIT values
 * (the interpreter's power-on state for a non-BSP, which keeps nothing the
 * SDM says INIT preserves that vgen implements), the APIC keeps its base
 * and ID, and the VP waits for a SIPI.
 */
static void vgen_vp_init_reset(struct vgen_vp *vp)
{
	lockdep_assert_held(&vp->run_lock);
	svp_cpu_reset(vp->cpu, false);
	vgen_lapic_reset(vp->lapic, true);
	vp->pending = 0;
	vp->activity = VGEN_VP_ACTIVITY_WAIT_SIPI;
}

/*
 * vgen_vp_irq_deliverable() - whether the guest could take a maskable
 * interrupt that the APIC has for it right now.
 */
static bool vgen_vp_irq_deliverable(struct vgen_vp *vp)
{
	return svp_irq_ready(vp->cpu) &&
	       (vgen_lapic_pending_irq(vp->lapic) >= 0 ||
		vgen_lapic_extint_pending(vp->lapic));
}

/*
 * vgen_vp_should_wake() - the condition a halted or SIPI-waiting VP
 * sleeps on: a yield or register snapshot request, INIT, a SIPI (waiting for SIPI), an NMI the
 * guest can take, or (halted) a maskable interrupt the guest can take. An
 * interrupt the guest blocks leaves it asleep, as on hardware.
 */
static bool vgen_vp_should_wake(struct vgen_vp *vp)
{
	unsigned long ev = READ_ONCE(vp->lapic->events);

	if (READ_ONCE(vp->requests) &
	    (BIT(VGEN_VP_REQ_YIELD) | BIT(VGEN_VP_REQ_SNAPSHOT)))
		return true;
	if (ev & BIT(VGEN_LAPIC_EV_INIT))
		return true;
	if (vp->activity == VGEN_VP_ACTIVITY_WAIT_SIPI)
		return ev & BIT(VGEN_LAPIC_EV_SIPI);
	if (ev & BIT(VGEN_LAPIC_EV_SIPI))
		return true;	/* ignored when running: just drop it */
	if ((ev & BIT(VGEN_LAPIC_EV_NMI)) && svp_nmi_ready(vp->cpu))
		return true;
	return vgen_vp_irq_deliverable(vp);
}

/*
 * vgen_vp_wait_check() - vgen_vp_should_wake(), then publish what the
 * check folded into the APIC for introspection (a halted VP passes no
 * chunk boundary).
 */
static bool vgen_vp_wait_check(struct vgen_vp *vp)
{
	bool wake = vgen_vp_should_wake(vp);

	vgen_vp_stats_chunk(vp);
	return wake;
}

/**
 * vgen_vp_irq_step() - before a chunk of guest code: take what the APIC
 *	holds for the VP and inject it, or sleep while the VP is halted.
 * @vp: the VP (vgen_vp.run_lock held, outside any SRCU section).
 *
 * Order: level-triggered EOIs to report (resample irqfds first, which
 * may handle them without an exit), INIT, SIPI, NMI, ExtINT, then
 * the highest deliverable APIC vector. An interrupt the guest blocks
 * (RFLAGS.IF, STI/MOV SS shadow) turns on the interpreter's interrupt
 * window so that the next chunk ends as soon as the guest can take it.
 *
 * Return: 0 to run guest code; 1 an exit is in the run page
 * (VGEN_EXIT_EOI or VGEN_EXIT_EXTINT); -EAGAIN the VP slept and the run
 * loop must re-check yield requests and signals; -ENOMEM.
 */
int vgen_vp_irq_step(struct vgen_vp *vp)
{
	struct vgen_lapic *apic = vp->lapic;
	struct vgen_run *run = vp->run;
	bool window = false;
	u32 bits;
	int vec, ret;
	u8 v;

	lockdep_assert_held(&vp->run_lock);
	while (vgen_lapic_take_eoi(apic, &v)) {
		/* Handled by resample irqfds: no exit (see irqfd.c). */
		if (vgen_irqfd_eoi(vp->part, v))
			continue;
		vgen_vp_set_exit(run, VGEN_EXIT_EOI);
		run->eoi.vector = v;
		return 1;
	}

	bits = vgen_lapic_take_init_sipi(apic, &v);
	if (bits & VGEN_LAPIC_INIT)
		vgen_vp_init_reset(vp);
	if ((bits & VGEN_LAPIC_SIPI) &&
	    vp->activity == VGEN_VP_ACTIVITY_WAIT_SIPI) {
		ret = vgen_vp_sipi(vp, v);
		if (ret)
			return ret;
		vp->activity = VGEN_VP_ACTIVITY_RUNNING;
	}
	if (vp->activity == VGEN_VP_ACTIVITY_WAIT_SIPI)
		goto sleep;

	if (svp_nmi_ready(vp->cpu) && vgen_lapic_take_nmi(apic)) {
		svp_inject_nmi(vp->cpu);
		vp->activity = VGEN_VP_ACTIVITY_RUNNING;
	}

	if (vgen_lapic_extint_pending(apic)) {
		if (svp_irq_ready(vp->cpu)) {
			vgen_lapic_ack_extint(apic);
			vgen_vp_set_exit(run, VGEN_EXIT_EXTINT);
			run->extint.vector = 0;
			run->extint.valid = 0;
			vp->pending = VGEN_EXIT_EXTINT;
			vp->activity = VGEN_VP_ACTIVITY_RUNNING;
			svp_request_irq_window(vp->cpu, false);
			return 1;
		}
		window = true;
	}

	vec = vgen_lapic_pending_irq(apic);
	if (vec >= 0) {
		if (svp_irq_ready(vp->cpu)) {
			vgen_lapic_ack_irq(apic, vec);
			svp_inject_irq(vp->cpu, vec);
			vp->activity = VGEN_VP_ACTIVITY_RUNNING;
		} else {
			window = true;
		}
	}
	svp_request_irq_window(vp->cpu, window);
	if (vp->activity == VGEN_VP_ACTIVITY_RUNNING)
		return 0;
sleep:
	/*
	 * Halted or waiting for SIPI: sleep until something can change
	 * that. A signal ends the wait; the caller reports it.
	 */
	/* Woken or interrupted: the run loop checks for signals first. */
	(void)wait_event_interruptible(vp->wait, vgen_vp_wait_check(vp));
	return -EAGAIN;
}

/**
 * vgen_vp_complete_extint() - finish a VGEN_EXIT_EXTINT: inject the vector
 *	the VMM stored in the run page, if it marked it valid.
 * @vp: the VP (vgen_vp.run_lock held).
 *
 * Return: 0, or -EINVAL if run->extint.valid is neither 0 nor 1.
 */
int vgen_vp_complete_extint(struct vgen_vp *vp)
{
	u8 valid = READ_ONCE(vp->run->extint.valid);
	u8 vector = READ_ONCE(vp->run->extint.vector);

	lockdep_assert_held(&vp->run_lock);
	if (valid > 1)
		return -EINVAL;
	vp->pending = 0;
	if (valid && svp_irq_ready(vp->cpu))
		svp_inject_irq(vp->cpu, vector);
	return 0;
}

/**
 * vgen_vp_get_lapic() - VGEN_GET_LAPIC.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_lapic_state.
 *
 * Return: 0; -ENXIO no in-kernel APIC; -EBUSY VP in use by another
 * thread; -ENOMEM; -EFAULT.
 */
int vgen_vp_get_lapic(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_lapic_state *s;
	int ret = 0;

	if (!vp->lapic)
		return -ENXIO;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	if (!mutex_trylock(&vp->run_lock)) {
		kfree(s);
		return -EBUSY;
	}
	vgen_lapic_get_state(vp->lapic, s);
	mutex_unlock(&vp->run_lock);
	if (copy_to_user(argp, s, sizeof(*s)))
		ret = -EFAULT;
	kfree(s);
	return ret;
}

/**
 * vgen_vp_set_lapic() - VGEN_SET_LAPIC.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_lapic_state.
 *
 * Return: 0; -ENXIO no in-kernel APIC; -EINVAL non-zero flags/reserved
 * fields or a state the APIC refuses; -EBUSY VP in use by another thread;
 * -ENOMEM; -EFAULT.
 */
int vgen_vp_set_lapic(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_lapic_state *s;
	int ret;

	if (!vp->lapic)
		return -ENXIO;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (s->flags || s->reserved0 || !vgen_zeroed(s->reserved)) {
		ret = -EINVAL;
		goto out;
	}
	if (!mutex_trylock(&vp->run_lock)) {
		ret = -EBUSY;
		goto out;
	}
	ret = vgen_lapic_set_state(vp->lapic, s);
	/* The APIC page may have moved: drop cached translations. */
	svp_flush_all(vp->cpu);
	mutex_unlock(&vp->run_lock);
out:
	kfree(s);
	return ret;
}
