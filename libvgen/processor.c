// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the processor object (a bound VP). */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "internal.h"

int vgen_processor_check(struct vgen_processor *proc)
{
	if (!proc)
		return -EINVAL;
	if (!pthread_equal(proc->thread, pthread_self()))
		return -EPERM;
	return 0;
}

VGEN_EXPORT int vgen_processor_index(struct vgen_processor *proc,
				     uint32_t *index)
{
	if (!proc || !index)
		return -EINVAL;
	*index = proc->binder->index;
	return 0;
}

VGEN_EXPORT int vgen_processor_fd(struct vgen_processor *proc, int *fd)
{
	if (!proc || !fd)
		return -EINVAL;
	*fd = proc->fd;
	return 0;
}

VGEN_EXPORT int vgen_processor_run_page(struct vgen_processor *proc,
					struct vgen_run **run)
{
	if (!proc || !run)
		return -EINVAL;
	*run = proc->run;
	return 0;
}

/*
 * One run of the backend; it tracks whether a completion is pending.
 * Marks the processor running (vgen_binder_bind() does not move a running
 * processor to another thread) and counts the exit.
 */
int vgen_processor_enter(struct vgen_processor *proc,
			 const struct vgen_run **exit_out)
{
	int ret;

	__atomic_store_n(&proc->running, 1, __ATOMIC_SEQ_CST);
	ret = proc->binder->part->vm.ops->run(proc);
	__atomic_store_n(&proc->running, 0, __ATOMIC_SEQ_CST);
	/* Both mean a new exit is in the run page. */
	if (ret == 0 || ret == -EINTR) {
		if (proc->run->exit_reason < VGEN_EXIT_COUNT_MAX)
			proc->exits[proc->run->exit_reason]++;
		if (exit_out)
			*exit_out = proc->run;
	}
	return ret;
}

VGEN_EXPORT int vgen_processor_run(struct vgen_processor *proc,
				   const struct vgen_run **exit_out)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	return vgen_processor_enter(proc, exit_out);
}

/*
 * The stop path: finish a pending read (and, on KVM, any pending I/O or
 * MMIO exit) without running the guest any further (immediate_exit),
 * then report the stop.
 */
int vgen_processor_finish(struct vgen_processor *proc,
			  const struct vgen_run **exit_out)
{
	struct vgen_run *run = proc->run;
	uint8_t old;
	int ret;

	if (!proc->pending_completion)
		return VGEN_RUN_STOPPED;
	old = __atomic_load_n(&run->immediate_exit, __ATOMIC_RELAXED);
	__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_RELAXED);
	ret = vgen_processor_enter(proc, exit_out);
	__atomic_store_n(&run->immediate_exit, old, __ATOMIC_RELAXED);
	if (ret == -EINTR)
		return VGEN_RUN_STOPPED;
	/* 0: completing the read produced another exit; or an error. */
	return ret;
}

void vgen_stop_source_add(struct vgen_stop_source *src,
			  struct vgen_stop_waiter *w)
{
	pthread_mutex_lock(&src->lock);
	w->next = src->waiters;
	src->waiters = w;
	pthread_mutex_unlock(&src->lock);
}

void vgen_stop_source_remove(struct vgen_stop_source *src,
			     struct vgen_stop_waiter *w)
{
	struct vgen_stop_waiter **p;

	pthread_mutex_lock(&src->lock);
	for (p = &src->waiters; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&src->lock);
}

VGEN_EXPORT int vgen_processor_run_until_stop(struct vgen_processor *proc,
					      struct vgen_stop_source *src,
					      const struct vgen_run **exit_out)
{
	struct vgen_stop_waiter w = { .proc = proc };
	int ret = vgen_processor_check(proc);

	if (ret)
		return ret;
	if (!src)
		return -EINVAL;
	/*
	 * Register first, then check: vgen_stop_source_stop() sets the flag
	 * before it walks the waiters, so either it sees us and requests a
	 * yield, or we see the flag here.
	 */
	vgen_stop_source_add(src, &w);
	if (vgen_stop_source_is_stopping(src)) {
		ret = vgen_processor_finish(proc, exit_out);
		goto out;
	}
	ret = vgen_processor_enter(proc, exit_out);
	if (ret == 0 && proc->run->exit_reason == VGEN_EXIT_YIELD &&
	    vgen_stop_source_is_stopping(src))
		ret = VGEN_RUN_STOPPED;
out:
	vgen_stop_source_remove(src, &w);
	return ret;
}

VGEN_EXPORT int vgen_processor_get_regs(struct vgen_processor *proc,
					struct vgen_regs *regs)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!regs)
		return -EINVAL;
	return proc->binder->part->vm.ops->get_regs(proc, regs);
}

VGEN_EXPORT int vgen_processor_set_regs(struct vgen_processor *proc,
					const struct vgen_regs *regs)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!regs)
		return -EINVAL;
	return proc->binder->part->vm.ops->set_regs(proc, regs);
}

VGEN_EXPORT int vgen_processor_get_sregs(struct vgen_processor *proc,
					 struct vgen_sregs *sregs)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!sregs)
		return -EINVAL;
	return proc->binder->part->vm.ops->get_sregs(proc, sregs);
}

VGEN_EXPORT int vgen_processor_set_sregs(struct vgen_processor *proc,
					 const struct vgen_sregs *sregs)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!sregs)
		return -EINVAL;
	return proc->binder->part->vm.ops->set_sregs(proc, sregs);
}

VGEN_EXPORT int vgen_processor_get_msrs(struct vgen_processor *proc,
					struct vgen_msr_entry *e, unsigned int n)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (n > VGEN_MAX_MSR_ENTRIES || (n && !e))
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, get_msrs, proc, e, n);
}

VGEN_EXPORT int vgen_processor_set_msrs(struct vgen_processor *proc,
					const struct vgen_msr_entry *e,
					unsigned int n)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (n > VGEN_MAX_MSR_ENTRIES || (n && !e))
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, set_msrs, proc, e, n);
}

VGEN_EXPORT int vgen_processor_init_longmode(struct vgen_processor *proc,
					     void *ram, uint64_t ram_size,
					     uint64_t rip)
{
	struct vgen_sregs sregs;
	struct vgen_regs regs;
	int ret;

	ret = vgen_processor_get_sregs(proc, &sregs);
	if (ret)
		return ret;
	ret = vgen_image_init_vp(ram, ram_size, proc->binder->index,
				 proc->binder->part->vm.vp_count, rip, &regs,
				 &sregs);
	if (ret)
		return ret;
	ret = vgen_processor_set_sregs(proc, &sregs);
	if (ret)
		return ret;
	return vgen_processor_set_regs(proc, &regs);
}

VGEN_EXPORT int vgen_processor_get_lapic(struct vgen_processor *proc,
					 struct vgen_lapic_state *s)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!s)
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, get_lapic, proc, s);
}

VGEN_EXPORT int vgen_processor_set_lapic(struct vgen_processor *proc,
					 const struct vgen_lapic_state *s)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!s)
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, set_lapic, proc, s);
}

VGEN_EXPORT int vgen_processor_get_vp_events(struct vgen_processor *proc,
					     struct vgen_vp_events *ev)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!ev)
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, get_vp_events, proc,
			     ev);
}

VGEN_EXPORT int vgen_processor_set_vp_events(struct vgen_processor *proc,
					     const struct vgen_vp_events *ev)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!ev)
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, set_vp_events, proc,
			     ev);
}

VGEN_EXPORT int vgen_processor_reset(struct vgen_processor *proc)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	err = VGEN_CALL_OPT(proc->binder->part->vm.ops, reset_vp, proc);
	/* The kernel dropped a pending IN/MMIO completion. */
	if (!err)
		proc->pending_completion = false;
	return err;
}

/* Encode @st (validated here) as a struct vgen_guest_debug. */
static int vgen_debug_encode(const struct vgen_debug_state *st,
			     struct vgen_guest_debug *gd)
{
	static const uint8_t rw[3] = { VGEN_DR7_RW_EXECUTE, VGEN_DR7_RW_WRITE,
				       VGEN_DR7_RW_READ_WRITE };
	unsigned int i;
	uint64_t a;
	int len;

	memset(gd, 0, sizeof(*gd));
	if (!st)
		return 0;
	if (st->single_step > 1 || (st->enabled & ~0xfU))
		return -EINVAL;
	for (i = 0; i < sizeof(st->pad); i++)
		if (st->pad[i])
			return -EINVAL;
	gd->flags = VGEN_GUESTDBG_ENABLE;
	if (st->single_step)
		gd->flags |= VGEN_GUESTDBG_SINGLESTEP;
	if (st->enabled)
		gd->flags |= VGEN_GUESTDBG_HW_BP;
	for (i = 0; i < 4; i++) {
		const struct vgen_hw_breakpoint *bp = &st->breakpoints[i];

		if (!(st->enabled & (1U << i)))
			continue;
		switch (bp->size) {
		case 1:
			len = VGEN_DR7_LEN_1;
			break;
		case 2:
			len = VGEN_DR7_LEN_2;
			break;
		case 4:
			len = VGEN_DR7_LEN_4;
			break;
		case 8:
			len = VGEN_DR7_LEN_8;
			break;
		default:
			return -EINVAL;
		}
		a = bp->address;
		if (bp->type > VGEN_BP_READ_WRITE ||
		    (bp->type == VGEN_BP_EXECUTE && bp->size != 1) ||
		    (a & (bp->size - 1)) ||
		    (uint64_t)((int64_t)(a << 16) >> 16) != a)
			return -EINVAL;
		gd->addr[i] = a;
		gd->control |= VGEN_DR7_G(i) | VGEN_DR7_RW(i, rw[bp->type]) |
			       VGEN_DR7_LEN(i, len);
	}
	return 0;
}

VGEN_EXPORT int vgen_processor_set_debug_state(struct vgen_processor *proc,
					       uint32_t vtl,
					       const struct vgen_debug_state *state)
{
	struct vgen_guest_debug gd;
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (vtl)
		return -EINVAL;
	err = vgen_debug_encode(state, &gd);
	if (err)
		return err;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, set_guest_debug,
			     proc, &gd);
}

VGEN_EXPORT int vgen_processor_get_debugregs(struct vgen_processor *proc,
					     struct vgen_debugregs *dr)
{
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!dr)
		return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, get_debugregs, proc,
			     dr);
}

VGEN_EXPORT int vgen_processor_set_debugregs(struct vgen_processor *proc,
					     const struct vgen_debugregs *dr)
{
	unsigned int i;
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (!dr || dr->flags || dr->pad || (dr->dr6 >> 32) || (dr->dr7 >> 32))
		return -EINVAL;
	for (i = 0; i < 5; i++)
		if (dr->reserved[i])
			return -EINVAL;
	return VGEN_CALL_OPT(proc->binder->part->vm.ops, set_debugregs, proc,
			     dr);
}
