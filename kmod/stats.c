// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VP counters for introspection (struct vgen_vp_stats), kept by the
 * thread inside VGEN_RUN and read locklessly by netlink.c.
 */
#include <linux/compiler.h>
#include <linux/lockdep.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "vgen.h"

/**
 * vgen_vp_stats_enter() - a VGEN_RUN got the VP.
 * @vp: the VP; the caller holds its run lock.
 */
void vgen_vp_stats_enter(struct vgen_vp *vp)
{
	struct vgen_vp_stats *st = &vp->stats;
	struct pid *old;

	lockdep_assert_held(&vp->run_lock);
	/* A VP normally stays on one thread: this is rarely taken. */
	if (rcu_access_pointer(st->thread) != task_pid(current)) {
		old = rcu_replace_pointer(st->thread,
					  get_pid(task_pid(current)),
					  lockdep_is_held(&vp->run_lock));
		if (old) {
			synchronize_rcu();
			put_pid(old);
		}
	}
	st->enter_ns = ktime_get_ns();
	WRITE_ONCE(st->runs, st->runs + 1);
	WRITE_ONCE(st->in_run, true);
}

/**
 * vgen_vp_stats_leave() - a VGEN_RUN ends.
 * @vp: the VP; the caller holds its run lock.
 * @ret: what VGEN_RUN returns: 0 or -EINTR count the exit in the run
 *	page, other errors are not exits.
 *
 * The exit reason is read back from the run page, which the caller has
 * just written; userspace can only falsify its own statistics, and the
 * reason is bounds checked.
 */
void vgen_vp_stats_leave(struct vgen_vp *vp, int ret)
{
	struct vgen_vp_stats *st = &vp->stats;
	u32 reason;

	lockdep_assert_held(&vp->run_lock);
	if (!ret || ret == -EINTR) {
		reason = READ_ONCE(vp->run->exit_reason);
		if (reason < VGEN_VP_STAT_EXITS) {
			WRITE_ONCE(st->exits[reason], st->exits[reason] + 1);
			WRITE_ONCE(st->last_exit, reason);
		}
	}
	WRITE_ONCE(st->insns, svp_insns_retired(vp->cpu));
	WRITE_ONCE(st->run_ns, st->run_ns + (ktime_get_ns() - st->enter_ns));
	WRITE_ONCE(st->in_run, false);
}

/**
 * vgen_vp_stats_destroy() - release what the counters hold (VP teardown:
 *	no VGEN_RUN and no reader any more).
 * @vp: the VP.
 */
void vgen_vp_stats_destroy(struct vgen_vp *vp)
{
	put_pid(rcu_dereference_protected(vp->stats.thread, true));
	RCU_INIT_POINTER(vp->stats.thread, NULL);
}
