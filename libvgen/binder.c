// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the binder object (binds a VP to the calling thread). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

VGEN_EXPORT int vgen_binder_bind(struct vgen_binder *binder,
				 struct vgen_processor **out)
{
	struct vgen_create_vp cv;
	struct vgen_processor *proc;
	void *run;
	long ret;

	if (!binder || !out)
		return -EINVAL;
	if (binder->proc)
		return -EEXIST;
	proc = calloc(1, sizeof(*proc));
	if (!proc)
		return -ENOMEM;
	memset(&cv, 0, sizeof(cv));
	cv.vp_index = binder->index;
	ret = vgen_sys_ioctl(binder->part->fd, VGEN_CREATE_VP,
			     (unsigned long)&cv);
	if (ret < 0) {
		free(proc);
		return (int)ret;
	}
	proc->fd = (int)ret;
	proc->run_size = (size_t)binder->part->run_size;
	run = mmap(NULL, proc->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   proc->fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		close(proc->fd);
		free(proc);
		/* The kernel VP exists now: the index cannot be bound again. */
		return (int)ret;
	}
	proc->run = run;
	proc->binder = binder;
	proc->thread = pthread_self();
	binder->proc = proc;
	*out = proc;
	return 0;
}
