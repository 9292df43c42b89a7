// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: guest memory ranges (shared by proto-partition and partition). */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

int vgen_ranges_add(struct vgen_vm *vm, uint64_t gpa, uint64_t size,
		    void *host_va, uint32_t flags)
{
	struct vgen_range *ranges = vm->ranges;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int slot = -1, ret, i;

	if (flags & ~VGEN_MEMORY_READONLY)
		return -EINVAL;
	if (!size || (gpa | size | (uintptr_t)host_va) & (page - 1))
		return -EINVAL;
	if (gpa + size < gpa)
		return -EINVAL;
	for (i = 0; i < VGEN_MAX_MEMORY_REGIONS; i++) {
		if (!ranges[i].used) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (gpa < ranges[i].gpa + ranges[i].size &&
		    ranges[i].gpa < gpa + size)
			return -EEXIST;
	}
	if (slot < 0)
		return -ENOSPC;
	ret = vm->ops->set_memory(vm, (uint32_t)slot, gpa, size, host_va,
				  flags);
	if (ret)
		return ret;
	ranges[slot].used = true;
	ranges[slot].gpa = gpa;
	ranges[slot].size = size;
	ranges[slot].host_va = host_va;
	ranges[slot].flags = flags;
	return 0;
}

/* Remove every range inside [gpa, gpa + size); partial overlap: -EINVAL. */
int vgen_ranges_remove(struct vgen_vm *vm, uint64_t gpa, uint64_t size)
{
	struct vgen_range *ranges = vm->ranges;
	uint64_t end = gpa + size;
	int i, ret;

	if (end < gpa)
		return -EINVAL;
	for (i = 0; i < VGEN_MAX_MEMORY_REGIONS; i++) {
		struct vgen_range *r = &ranges[i];

		if (!r->used || r->gpa >= end || r->gpa + r->size <= gpa)
			continue;
		if (r->gpa < gpa || r->gpa + r->size > end)
			return -EINVAL;
	}
	for (i = 0; i < VGEN_MAX_MEMORY_REGIONS; i++) {
		struct vgen_range *r = &ranges[i];

		if (!r->used || r->gpa >= end || r->gpa + r->size <= gpa)
			continue;
		ret = vm->ops->set_memory(vm, (uint32_t)i, 0, 0, NULL, 0);
		if (ret)
			return ret;
		r->used = false;
	}
	return 0;
}
