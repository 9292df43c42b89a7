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

VGEN_EXPORT int vgen_processor_run(struct vgen_processor *proc,
				   const struct vgen_run **exit_out)
{
	long ret;
	int err = vgen_processor_check(proc);

	if (err)
		return err;
	ret = vgen_sys_ioctl(proc->fd, VGEN_RUN, 0);
	if (exit_out && (ret == 0 || ret == -EINTR))
		*exit_out = proc->run;
	return ret < 0 ? (int)ret : 0;
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
