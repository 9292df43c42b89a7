// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VP counters for introspection (struct vgen_vp_stats), kept by the
 * thread inside VGEN_RUN and read locklessly by netlink.c, and the
 * register snapshots of VGEN_CMD_GET_VP_REGS.
 *
 * Everything here is published by the run thread at points it passes
 * anyway: VGEN_RUN entry and exit, every interpreter chunk boundary
 * (at most VGEN_RUN_CHECK_INTERVAL instructions apart) and every check
 * of a halted VP's wake-up condition; nothing is on the per-instruction
 * path. The APIC summary (IRR, ISR, TPR, PPR) is copied under a
 * seqcount; readers add the vectors other threads posted since (the
 * APIC's atomic posted-IRR bits), so a vector sent to a halted VP that
 * cannot take it is seen without waking the VP.
 *
 * A register snapshot of a VP inside VGEN_RUN is made by its run thread:
 * the requester hands it a buffer (vgen_vp.snap_buf under snap_lock),
 * sets VGEN_VP_REQ_SNAPSHOT and kicks the VP; the run thread copies its
 * state at the next chunk boundary, on waking from a halt, or when
 * VGEN_RUN ends, whichever comes first. A VP outside VGEN_RUN is copied
 * directly under its run lock. The requester waits a bounded time.
 */
#include <linux/compiler.h>
#include <linux/lockdep.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

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
	if (st->leave_ns)
		WRITE_ONCE(st->user_ns,
			   st->user_ns + (st->enter_ns - st->leave_ns));
	st->run_guest_ns = st->guest_ns;
	WRITE_ONCE(st->runs, st->runs + 1);
	/* @thread before @in_run: pairs with smp_load_acquire() readers. */
	smp_store_release(&st->in_run, true);
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
	u64 now, run, guest;
	u32 reason;

	lockdep_assert_held(&vp->run_lock);
	if (!ret || ret == -EINTR) {
		reason = READ_ONCE(vp->run->exit_reason);
		if (reason < VGEN_VP_STAT_EXITS) {
			WRITE_ONCE(st->exits[reason], st->exits[reason] + 1);
			WRITE_ONCE(st->last_exit, reason);
		}
	}
	vgen_vp_stats_chunk(vp);
	vgen_vp_snapshot_serve(vp);
	now = ktime_get_ns();
	run = now - st->enter_ns;
	guest = st->guest_ns - st->run_guest_ns;
	WRITE_ONCE(st->run_ns, st->run_ns + run);
	WRITE_ONCE(st->kernel_ns, st->kernel_ns + (run > guest ? run - guest : 0));
	st->leave_ns = now;
	WRITE_ONCE(st->in_run, false);
}

/**
 * vgen_vp_stats_init() - initialise the counters and the snapshot
 *	machinery of a new VP.
 * @vp: the VP (not visible anywhere yet).
 */
void vgen_vp_stats_init(struct vgen_vp *vp)
{
	seqcount_init(&vp->stats.irq_seq);
	vp->stats.activity = vp->activity;
	mutex_init(&vp->snap_mutex);
	spin_lock_init(&vp->snap_lock);
	init_waitqueue_head(&vp->snap_wait);
}

/**
 * vgen_vp_stats_chunk() - publish the activity, the instructions retired
 *	and the APIC summary (a chunk boundary, a halt check, a reset).
 * @vp: the VP; the caller holds its run lock. Never sleeps.
 */
void vgen_vp_stats_chunk(struct vgen_vp *vp)
{
	struct vgen_vp_stats *st = &vp->stats;

	lockdep_assert_held(&vp->run_lock);
	WRITE_ONCE(st->activity, vp->activity);
	WRITE_ONCE(st->insns, svp_insns_retired(vp->cpu));
	if (!vp->lapic)
		return;
	/* One writer (this thread); readers retry while it is inside. */
	preempt_disable();
	write_seqcount_begin(&st->irq_seq);
	vgen_lapic_get_summary(vp->lapic, &st->irq);
	write_seqcount_end(&st->irq_seq);
	preempt_enable();
}

/**
 * vgen_vp_stats_guest_time() - account a chunk of guest code.
 * @vp: the VP; the caller holds its run lock.
 * @start: ktime_get_ns() before the chunk.
 */
void vgen_vp_stats_guest_time(struct vgen_vp *vp, u64 start)
{
	struct vgen_vp_stats *st = &vp->stats;

	lockdep_assert_held(&vp->run_lock);
	WRITE_ONCE(st->guest_ns, st->guest_ns + (ktime_get_ns() - start));
}

/**
 * vgen_vp_stats_halt() - the VP stopped executing guest code.
 * @vp: the VP; the caller holds its run lock.
 * @reason: VGEN_EXIT_HLT (HLT, waiting in the kernel or exiting),
 *	VGEN_EXIT_SHUTDOWN or VGEN_EXIT_INTERNAL_ERROR.
 */
void vgen_vp_stats_halt(struct vgen_vp *vp, u32 reason)
{
	struct vgen_vp_stats *st = &vp->stats;

	lockdep_assert_held(&vp->run_lock);
	WRITE_ONCE(st->last_halt, reason);
	WRITE_ONCE(st->halts, st->halts + 1);
}

/**
 * vgen_vp_stats_read_irq() - the APIC summary as last published, plus
 *	the vectors posted since (any thread, never blocks for long).
 * @vp: a VP with an in-kernel APIC.
 * @sum: filled in.
 */
void vgen_vp_stats_read_irq(struct vgen_vp *vp,
			    struct vgen_vp_irq_summary *sum)
{
	struct vgen_vp_stats *st = &vp->stats;
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&st->irq_seq);
		*sum = st->irq;
	} while (read_seqcount_retry(&st->irq_seq, seq));
	vgen_lapic_get_posted(vp->lapic, sum->irr);
}

/* Copy the VP's state into @buf (run lock held; never sleeps). */
static void vgen_vp_snapshot_fill(struct vgen_vp *vp,
				  struct vgen_vp_snapshot *buf)
{
	lockdep_assert_held(&vp->run_lock);
	svp_get_state(vp->cpu, &buf->state);
	if (vp->lapic) {
		vgen_lapic_get_state(vp->lapic, &buf->lapic);
		buf->state.apic_base = vgen_lapic_get_base(vp->lapic);
	}
	buf->activity = vp->activity;
	buf->insns = svp_insns_retired(vp->cpu);
}

/**
 * vgen_vp_snapshot_serve() - if a snapshot was requested, make it.
 * @vp: the VP; called by its run thread (run lock held) between chunks.
 */
void vgen_vp_snapshot_serve(struct vgen_vp *vp)
{
	lockdep_assert_held(&vp->run_lock);
	/* Cheap plain read first: almost never set. */
	if (!test_bit(VGEN_VP_REQ_SNAPSHOT, &vp->requests) ||
	    !test_and_clear_bit(VGEN_VP_REQ_SNAPSHOT, &vp->requests))
		return;
	spin_lock(&vp->snap_lock);
	if (vp->snap_buf && !vp->snap_done) {
		vgen_vp_snapshot_fill(vp, vp->snap_buf);
		vp->snap_done = true;
	}
	spin_unlock(&vp->snap_lock);
	wake_up(&vp->snap_wait);
}

/* How long a snapshot request waits for the run thread in total. */
#define VGEN_SNAPSHOT_TIMEOUT	(HZ)
/* How often it retries taking the run lock meanwhile. */
#define VGEN_SNAPSHOT_RETRY	(HZ / 50 ?: 1)

/**
 * vgen_vp_snapshot_take() - a consistent copy of a VP's state.
 * @vp: the VP.
 * @buf: where to copy it.
 *
 * A VP outside VGEN_RUN is copied under its run lock; a VP inside it is
 * asked to copy itself (see the top of this file). May sleep.
 *
 * Return: 0; -EAGAIN not obtained within a second (the run lock taken by
 * someone else all along); -EINTR a signal.
 */
int vgen_vp_snapshot_take(struct vgen_vp *vp, struct vgen_vp_snapshot *buf)
{
	unsigned long deadline = jiffies + VGEN_SNAPSHOT_TIMEOUT;
	bool done = false;
	long left;
	int ret = 0;

	if (mutex_lock_interruptible(&vp->snap_mutex))
		return -EINTR;
	spin_lock(&vp->snap_lock);
	vp->snap_buf = buf;
	vp->snap_done = false;
	spin_unlock(&vp->snap_lock);
	for (;;) {
		if (mutex_trylock(&vp->run_lock)) {
			spin_lock(&vp->snap_lock);
			if (!vp->snap_done) {
				vgen_vp_snapshot_fill(vp, buf);
				vp->snap_done = true;
			}
			spin_unlock(&vp->snap_lock);
			mutex_unlock(&vp->run_lock);
			break;
		}
		set_bit(VGEN_VP_REQ_SNAPSHOT, &vp->requests);
		/* The bit before the kick: the woken VP must see it. */
		smp_mb__after_atomic();
		vgen_vp_kick(vp);
		left = (long)(deadline - jiffies);
		if (left <= 0) {
			ret = -EAGAIN;
			break;
		}
		left = wait_event_interruptible_timeout(vp->snap_wait,
					READ_ONCE(vp->snap_done),
					min_t(long, left, VGEN_SNAPSHOT_RETRY));
		if (left < 0) {
			ret = -EINTR;
			break;
		}
		if (READ_ONCE(vp->snap_done))
			break;
	}
	/* Withdraw the buffer: the run thread no longer touches it. */
	spin_lock(&vp->snap_lock);
	done = vp->snap_done;
	vp->snap_buf = NULL;
	spin_unlock(&vp->snap_lock);
	clear_bit(VGEN_VP_REQ_SNAPSHOT, &vp->requests);
	mutex_unlock(&vp->snap_mutex);
	return done ? 0 : ret;
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
