// SPDX-License-Identifier: GPL-2.0
/*
 * Reset: VGEN_RESET_VP and VGEN_RESET_PARTITION, and the VP activity and
 * event state group (VGEN_GET/SET_VP_EVENTS).
 */
#include <linux/build_bug.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgen.h"

/* The uapi encodings of the event state are the interpreter's. */
static_assert(VGEN_SHADOW_STI == SVP_SHADOW_STI);
static_assert(VGEN_SHADOW_MOV_SS == SVP_SHADOW_MOV_SS);
static_assert(VGEN_EVENT_NONE == SVP_EVENT_NONE);
static_assert(VGEN_EVENT_IRQ == SVP_EVENT_IRQ);
static_assert(VGEN_EVENT_NMI == SVP_EVENT_NMI);
static_assert(VGEN_ACTIVITY_HALTED == VGEN_VP_ACTIVITY_HALTED);
static_assert(VGEN_ACTIVITY_WAIT_SIPI == VGEN_VP_ACTIVITY_WAIT_SIPI);

/*
 * vgen_vp_reset_locked() - put a VP into its power-on state (see
 * VGEN_RESET_VP in the uapi header).
 */
static void vgen_vp_reset_locked(struct vgen_vp *vp)
{
	bool bsp = vp->index == 0;

	lockdep_assert_held(&vp->run_lock);
	svp_cpu_reset(vp->cpu, bsp);
	vgen_vp_reset_msrs(vp);
	vp->pending = 0;
	clear_bit(VGEN_VP_REQ_YIELD, &vp->requests);
	vp->activity = VGEN_VP_ACTIVITY_RUNNING;
	if (vp->lapic) {
		vgen_lapic_reset(vp->lapic, false);
		if (!bsp)
			vp->activity = VGEN_VP_ACTIVITY_WAIT_SIPI;
	}
	vgen_vp_stats_chunk(vp);
}

/* Copy in a struct vgen_reset and check its flags and reserved fields. */
static int vgen_reset_args(const void __user *argp)
{
	struct vgen_reset args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved0 || !vgen_zeroed(args.reserved))
		return -EINVAL;
	return 0;
}

/**
 * vgen_vp_reset() - VGEN_RESET_VP.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_reset.
 *
 * Return: 0; -EFAULT; -EINVAL flags/reserved; -EBUSY the VP is inside
 * VGEN_RUN or another thread accesses its state.
 */
int vgen_vp_reset(struct vgen_vp *vp, const void __user *argp)
{
	int ret = vgen_reset_args(argp);

	if (ret)
		return ret;
	if (!mutex_trylock(&vp->run_lock))
		return -EBUSY;
	vgen_vp_reset_locked(vp);
	mutex_unlock(&vp->run_lock);
	return 0;
}

/**
 * vgen_partition_reset() - VGEN_RESET_PARTITION.
 * @part: the partition.
 * @argp: user pointer to a struct vgen_reset.
 *
 * Closes the run gate (so no VP can be inside VGEN_RUN), then resets
 * every created VP and the IOAPIC routing table. Short-lived state
 * accesses of other threads are waited for, so the reset is never
 * partial.
 *
 * Return: 0; -EFAULT; -EINVAL flags/reserved; -EBUSY not finalized, or a
 * VP is inside VGEN_RUN; -ENOMEM (nothing reset).
 */
int vgen_partition_reset(struct vgen_partition *part, const void __user *argp)
{
	struct vgen_vp *vp;
	int ret;
	u32 i;

	ret = vgen_reset_args(argp);
	if (ret)
		return ret;
	if (!down_write_trylock(&part->run_gate))
		return -EBUSY;
	mutex_lock(&part->state_lock);
	if (!part->finalized) {
		ret = -EBUSY;
		goto out;
	}
	/* The only step that can fail comes first. */
	if (part->irqchip) {
		ret = vgen_irq_reset(part);
		if (ret)
			goto out;
	}
	for (i = 0; i < part->vp_count; i++) {
		vp = part->vps[i];
		if (!vp)
			continue;
		/* Nobody runs: only brief state accesses hold the lock. */
		mutex_lock(&vp->run_lock);
		vgen_vp_reset_locked(vp);
		mutex_unlock(&vp->run_lock);
	}
out:
	mutex_unlock(&part->state_lock);
	up_write(&part->run_gate);
	return ret;
}

/**
 * vgen_vp_get_events() - VGEN_GET_VP_EVENTS.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_vp_events.
 *
 * Return: 0; -EBUSY VP in use by another thread; -ENOMEM; -EFAULT.
 */
int vgen_vp_get_events(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_vp_events ev;
	struct svp_state *st;

	st = kmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	memset(&ev, 0, sizeof(ev));
	if (!mutex_trylock(&vp->run_lock)) {
		kfree(st);
		return -EBUSY;
	}
	svp_get_state(vp->cpu, st);
	ev.activity = vp->activity;
	if (vp->lapic)
		ev.nmi_pending = vgen_lapic_nmi_pending(vp->lapic);
	mutex_unlock(&vp->run_lock);

	ev.nmi_masked = st->nmi_blocked;
	ev.interrupt_shadow = st->intr_shadow;
	ev.event_pending = st->event_pending;
	ev.event_vector = st->event_vector;
	kfree(st);
	return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
}

/* Check a struct vgen_vp_events for SET on @vp. */
static int vgen_vp_events_check(const struct vgen_vp *vp,
				const struct vgen_vp_events *ev)
{
	if (ev->flags || !vgen_zeroed(ev->pad) || !vgen_zeroed(ev->reserved))
		return -EINVAL;
	if (ev->activity > VGEN_ACTIVITY_WAIT_SIPI ||
	    ev->nmi_pending > 1 || ev->nmi_masked > 1 ||
	    ev->interrupt_shadow & ~(VGEN_SHADOW_STI | VGEN_SHADOW_MOV_SS) ||
	    ev->event_pending > VGEN_EVENT_NMI)
		return -EINVAL;
	if (ev->event_pending != VGEN_EVENT_IRQ && ev->event_vector)
		return -EINVAL;
	/* One shadow at a time (svp_set_state() checks the STI/IF rule). */
	if (ev->interrupt_shadow == (VGEN_SHADOW_STI | VGEN_SHADOW_MOV_SS))
		return -EINVAL;
	if (!vp->lapic &&
	    (ev->activity != VGEN_ACTIVITY_RUNNING || ev->nmi_pending))
		return -EINVAL;
	return 0;
}

/**
 * vgen_vp_set_events() - VGEN_SET_VP_EVENTS.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_vp_events.
 *
 * Return: 0; -EFAULT; -EINVAL see struct vgen_vp_events; -EBUSY VP in use
 * by another thread; -ENOMEM.
 */
int vgen_vp_set_events(struct vgen_vp *vp, const void __user *argp)
{
	struct vgen_vp_events ev;
	struct svp_state *st;
	int ret;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	ret = vgen_vp_events_check(vp, &ev);
	if (ret)
		return ret;

	st = vgen_vp_state_begin(vp);
	if (IS_ERR(st))
		return PTR_ERR(st);
	st->nmi_blocked = ev.nmi_masked;
	st->intr_shadow = ev.interrupt_shadow;
	st->event_pending = ev.event_pending;
	st->event_vector = ev.event_vector;
	/*
	 * st[0] differs from the current state only in fields checked
	 * above, so the commit cannot refuse it.
	 */
	vp->activity = ev.activity;
	if (vp->lapic)
		vgen_lapic_set_nmi_pending(vp->lapic, ev.nmi_pending);
	vgen_vp_stats_chunk(vp);
	return vgen_vp_state_commit(vp, st);
}
