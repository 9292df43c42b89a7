// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the binder object (binds a VP to the calling thread). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

VGEN_EXPORT int vgen_binder_bind(struct vgen_binder *binder,
				 struct vgen_processor **out)
{
	struct vgen_processor *proc;
	int ret;

	if (!binder || !out)
		return -EINVAL;
	proc = binder->proc;
	if (proc) {
		/* Already bound: move it here (after a cancel, see vgen.h). */
		if (pthread_equal(proc->thread, pthread_self()))
			return -EEXIST;
		if (__atomic_load_n(&proc->running, __ATOMIC_SEQ_CST))
			return -EBUSY;
		if (binder->part->vm.ops->rebind_vp) {
			ret = binder->part->vm.ops->rebind_vp(proc);
			if (ret)
				return ret;
		}
		proc->thread = pthread_self();
		*out = proc;
		return 0;
	}
	proc = calloc(1, sizeof(*proc));
	if (!proc)
		return -ENOMEM;
	proc->binder = binder;
	proc->fd = -1;
	proc->thread = pthread_self();
	ret = binder->part->vm.ops->create_vp(binder, proc);
	if (ret) {
		free(proc);
		return ret;
	}
	/* Published for vgen_partition_request_yield() on other threads. */
	__atomic_store_n(&binder->proc, proc, __ATOMIC_RELEASE);
	*out = proc;
	return 0;
}
