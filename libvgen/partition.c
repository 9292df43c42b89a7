// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the partition object. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
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
	if (!part || vp_index >= part->vm.vp_count)
		return -EINVAL;
	return VGEN_CALL_OPT(part->vm.ops, request_yield, part, vp_index);
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
