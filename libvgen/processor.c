// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the processor object (a bound VP). */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "internal.h"

static int vgen_processor_check(struct vgen_processor *proc)
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

/* Is the exit in the run page a read that the next VGEN_RUN completes? */
static bool vgen_exit_is_read(const struct vgen_run *run)
{
	switch (run->exit_reason) {
	case VGEN_EXIT_IO:
		return run->io.direction == VGEN_EXIT_IO_IN;
	case VGEN_EXIT_MMIO:
		return !run->mmio.is_write;
	default:
		return false;
	}
}

/* One VGEN_RUN; tracks whether the new exit leaves a read pending. */
static int vgen_processor_enter(struct vgen_processor *proc,
				const struct vgen_run **exit_out)
{
	long ret = vgen_sys_ioctl(proc->fd, VGEN_RUN, 0);

	/* Both mean the previous read was completed and a new exit is set. */
	if (ret == 0 || ret == -EINTR) {
		proc->pending_read = vgen_exit_is_read(proc->run);
		if (exit_out)
			*exit_out = proc->run;
	}
	return ret < 0 ? (int)ret : 0;
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
 * The stop path: finish a pending read without running the guest any
 * further (immediate_exit), then report the stop.
 */
static int vgen_processor_stop(struct vgen_processor *proc,
			       const struct vgen_run **exit_out)
{
	struct vgen_run *run = proc->run;
	uint8_t old;
	int ret;

	if (!proc->pending_read)
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

static void vgen_stop_source_add(struct vgen_stop_source *src,
				 struct vgen_stop_waiter *w)
{
	pthread_mutex_lock(&src->lock);
	w->next = src->waiters;
	src->waiters = w;
	pthread_mutex_unlock(&src->lock);
}

static void vgen_stop_source_remove(struct vgen_stop_source *src,
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
		ret = vgen_processor_stop(proc, exit_out);
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

#define VGEN_PROC_IOCTL(name, req, type, cst)				\
VGEN_EXPORT int name(struct vgen_processor *proc, cst type *arg)	\
{									\
	long ret;							\
	int err = vgen_processor_check(proc);				\
									\
	if (err)							\
		return err;						\
	if (!arg)							\
		return -EINVAL;						\
	ret = vgen_sys_ioctl(proc->fd, req, (unsigned long)arg);	\
	return ret < 0 ? (int)ret : 0;					\
}

VGEN_PROC_IOCTL(vgen_processor_get_regs, VGEN_GET_REGS, struct vgen_regs, )
VGEN_PROC_IOCTL(vgen_processor_set_regs, VGEN_SET_REGS, struct vgen_regs,
		const)
VGEN_PROC_IOCTL(vgen_processor_get_sregs, VGEN_GET_SREGS, struct vgen_sregs, )
VGEN_PROC_IOCTL(vgen_processor_set_sregs, VGEN_SET_SREGS, struct vgen_sregs,
		const)

/* Header and entries of one VGEN_GET_MSRS / VGEN_SET_MSRS call. */
union vgen_msrs_buf {
	struct vgen_msrs hdr;
	uint8_t bytes[sizeof(struct vgen_msrs) +
		      VGEN_MAX_MSR_ENTRIES * sizeof(struct vgen_msr_entry)];
};

static int vgen_processor_msrs(struct vgen_processor *proc,
			       unsigned long req, struct vgen_msr_entry *e,
			       unsigned int n)
{
	union vgen_msrs_buf buf;
	long ret;
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	if (n > VGEN_MAX_MSR_ENTRIES || (n && !e))
		return -EINVAL;
	memset(&buf.hdr, 0, sizeof(buf.hdr));
	buf.hdr.nmsrs = n;
	if (n)
		memcpy(buf.hdr.entries, e, n * sizeof(*e));
	ret = vgen_sys_ioctl(proc->fd, req, (unsigned long)&buf);
	if (ret < 0)
		return (int)ret;
	if (req == VGEN_GET_MSRS && n)
		memcpy(e, buf.hdr.entries, n * sizeof(*e));
	return 0;
}

VGEN_EXPORT int vgen_processor_get_msrs(struct vgen_processor *proc,
					struct vgen_msr_entry *e, unsigned int n)
{
	return vgen_processor_msrs(proc, VGEN_GET_MSRS, e, n);
}

VGEN_EXPORT int vgen_processor_set_msrs(struct vgen_processor *proc,
					const struct vgen_msr_entry *e,
					unsigned int n)
{
	return vgen_processor_msrs(proc, VGEN_SET_MSRS,
				   (struct vgen_msr_entry *)e, n);
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
				 proc->binder->part->vp_count, rip, &regs,
				 &sregs);
	if (ret)
		return ret;
	ret = vgen_processor_set_sregs(proc, &sregs);
	if (ret)
		return ret;
	return vgen_processor_set_regs(proc, &regs);
}
