// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the partition object. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

VGEN_EXPORT int vgen_partition_close(struct vgen_partition *part)
{
	uint32_t i;

	if (!part)
		return 0;
	for (i = 0; i < part->vm.vp_count; i++) {
		struct vgen_processor *proc = part->binders[i].proc;

		if (!proc)
			continue;
		part->vm.ops->destroy_vp(proc);
		free(proc);
	}
	/* Closing the partition removes doorbells and irqfds with it. */
	while (part->doorbells) {
		struct vgen_doorbell *db = part->doorbells;

		part->doorbells = db->next;
		free(db);
	}
	while (part->msis) {
		struct vgen_msi_interrupt *intr = part->msis;

		part->msis = intr->next;
		if (intr->efd >= 0)
			close(intr->efd);
		pthread_mutex_destroy(&intr->lock);
		free(intr);
	}
	pthread_mutex_destroy(&part->objs_lock);
	part->vm.ops->destroy(&part->vm);
	free(part->binders);
	free(part);
	return 0;
}

VGEN_EXPORT int vgen_partition_vp_count(struct vgen_partition *part,
					uint32_t *count)
{
	if (!part || !count)
		return -EINVAL;
	*count = part->vm.vp_count;
	return 0;
}

VGEN_EXPORT int vgen_partition_fd(struct vgen_partition *part, int *fd)
{
	if (!part || !fd)
		return -EINVAL;
	*fd = part->vm.fd;
	return 0;
}

VGEN_EXPORT int vgen_partition_reference_time(struct vgen_partition *part,
					      uint64_t *ref_100ns)
{
	struct timespec ts;
	uint64_t now;

	if (!part || !ref_100ns)
		return -EINVAL;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -errno;
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	/* CLOCK_MONOTONIC never goes back: now >= created_ns. */
	*ref_100ns = (now - part->vm.created_ns) / 100;
	return 0;
}

VGEN_EXPORT int vgen_partition_map_range(struct vgen_partition *part,
					 uint64_t gpa, uint64_t size,
					 void *host_va, uint32_t flags)
{
	if (!part)
		return -EINVAL;
	return vgen_ranges_add(&part->vm, gpa, size, host_va, flags);
}

VGEN_EXPORT int vgen_partition_unmap_range(struct vgen_partition *part,
					   uint64_t gpa, uint64_t size)
{
	if (!part)
		return -EINVAL;
	return vgen_ranges_remove(&part->vm, gpa, size);
}

VGEN_EXPORT int vgen_partition_binder(struct vgen_partition *part,
				      uint32_t index,
				      struct vgen_binder **out)
{
	if (!part || !out || index >= part->vm.vp_count)
		return -EINVAL;
	*out = &part->binders[index];
	return 0;
}

VGEN_EXPORT int vgen_partition_request_yield(struct vgen_partition *part,
					     uint32_t vp_index)
{
	struct vgen_processor *proc;
	int ret;

	if (!part || vp_index >= part->vm.vp_count)
		return -EINVAL;
	ret = VGEN_CALL_OPT(part->vm.ops, request_yield, part, vp_index);
	/* A VP sleeping after a HLT exit in vgen_processor_run_vp(). */
	proc = __atomic_load_n(&part->binders[vp_index].proc, __ATOMIC_ACQUIRE);
	if (proc)
		vgen_processor_wake(proc);
	return ret;
}

VGEN_EXPORT int vgen_partition_reset(struct vgen_partition *part)
{
	uint32_t i;
	int err;

	if (!part)
		return -EINVAL;
	err = VGEN_CALL_OPT(part->vm.ops, reset_partition, part);
	if (err)
		return err;
	/* No VP runs (or the reset failed): pending completions are gone. */
	for (i = 0; i < part->vm.vp_count; i++) {
		struct vgen_processor *proc =
			__atomic_load_n(&part->binders[i].proc,
					__ATOMIC_ACQUIRE);

		if (proc)
			proc->pending_completion = false;
	}
	return 0;
}
