// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the proto-partition object. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

VGEN_EXPORT int vgen_proto_close(struct vgen_proto *proto)
{
	if (!proto)
		return 0;
	close(proto->fd);
	free(proto);
	return 0;
}

VGEN_EXPORT int vgen_proto_fd(struct vgen_proto *proto, int *fd)
{
	if (!proto || !fd)
		return -EINVAL;
	*fd = proto->fd;
	return 0;
}

/* Read the whole CPUID table; *out is malloc'd. */
static int vgen_proto_get_table(struct vgen_proto *proto,
				struct vgen_cpuid **out)
{
	uint32_t cap = 64;
	struct vgen_cpuid *t = NULL;
	long ret;

	for (;;) {
		t = calloc(1, sizeof(*t) + cap * sizeof(t->entries[0]));
		if (!t)
			return -ENOMEM;
		t->nent = cap;
		ret = vgen_sys_ioctl(proto->fd, VGEN_GET_CPUID,
				     (unsigned long)t);
		if (ret == 0) {
			*out = t;
			return 0;
		}
		if (ret != -E2BIG || t->nent <= cap ||
		    t->nent > VGEN_MAX_CPUID_ENTRIES) {
			free(t);
			return ret == -E2BIG ? -EPROTO : (int)ret;
		}
		cap = t->nent;
		free(t);
	}
}

VGEN_EXPORT int vgen_proto_cpuid(struct vgen_proto *proto, uint32_t eax,
				 uint32_t ecx, uint32_t out[4])
{
	struct vgen_cpuid *t = NULL;
	uint32_t i;
	int ret;

	if (!proto || !out)
		return -EINVAL;
	ret = vgen_proto_get_table(proto, &t);
	if (ret)
		return ret;
	memset(out, 0, 4 * sizeof(uint32_t));
	for (i = 0; i < t->nent; i++) {
		const struct vgen_cpuid_entry *e = &t->entries[i];

		if (e->function != eax)
			continue;
		if ((e->flags & VGEN_CPUID_SIGNIFICANT_INDEX) &&
		    e->index != ecx)
			continue;
		memcpy(out, e->result, 4 * sizeof(uint32_t));
		break;
	}
	free(t);
	return 0;
}

VGEN_EXPORT int vgen_proto_max_physical_address_size(struct vgen_proto *proto,
						     uint32_t *bits)
{
	uint32_t r[4];
	int ret;

	if (!bits)
		return -EINVAL;
	ret = vgen_proto_cpuid(proto, 0x80000000, 0, r);
	if (ret)
		return ret;
	if (r[0] < 0x80000008) {
		*bits = 36;
		return 0;
	}
	ret = vgen_proto_cpuid(proto, 0x80000008, 0, r);
	if (ret)
		return ret;
	*bits = r[0] & 0xff;
	if (!*bits)
		*bits = 36;
	return 0;
}

VGEN_EXPORT int vgen_proto_set_cpuid(struct vgen_proto *proto,
				     const struct vgen_cpuid_leaf *leaves,
				     size_t n)
{
	struct vgen_cpuid *t = NULL;
	size_t i;
	long ret;

	if (!proto || !leaves || !n)
		return -EINVAL;
	if (n > VGEN_MAX_CPUID_ENTRIES)
		return -E2BIG;
	t = calloc(1, sizeof(*t) + n * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	t->nent = (uint32_t)n;
	for (i = 0; i < n; i++) {
		struct vgen_cpuid_entry *e = &t->entries[i];

		e->function = leaves[i].function;
		if (leaves[i].index != VGEN_CPUID_INDEX_ANY) {
			e->index = leaves[i].index;
			e->flags = VGEN_CPUID_SIGNIFICANT_INDEX;
		}
		memcpy(e->result, leaves[i].result, sizeof(e->result));
		memcpy(e->mask, leaves[i].mask, sizeof(e->mask));
	}
	ret = vgen_sys_ioctl(proto->fd, VGEN_SET_CPUID, (unsigned long)t);
	free(t);
	return ret < 0 ? (int)ret : 0;
}

VGEN_EXPORT int vgen_proto_add_memory(struct vgen_proto *proto, uint64_t gpa,
				      uint64_t size, void *host_va,
				      uint32_t flags)
{
	if (!proto)
		return -EINVAL;
	return vgen_ranges_add(proto->fd, proto->ranges, gpa, size, host_va,
			       flags);
}

VGEN_EXPORT int vgen_proto_build(struct vgen_proto *proto,
				 struct vgen_partition **out)
{
	struct vgen_partition *part;
	uint32_t i;
	long ret;

	if (!proto || !out)
		return -EINVAL;
	part = calloc(1, sizeof(*part));
	if (!part)
		return -ENOMEM;
	part->binders = calloc(proto->vp_count, sizeof(part->binders[0]));
	if (!part->binders) {
		free(part);
		return -ENOMEM;
	}
	ret = vgen_sys_ioctl(proto->fd, VGEN_FINALIZE, 0);
	if (ret < 0) {
		free(part->binders);
		free(part);
		return (int)ret;
	}
	part->fd = proto->fd;
	part->run_size = proto->run_size;
	part->vp_count = proto->vp_count;
	memcpy(part->ranges, proto->ranges, sizeof(part->ranges));
	for (i = 0; i < part->vp_count; i++) {
		part->binders[i].part = part;
		part->binders[i].index = i;
	}
	free(proto);
	*out = part;
	return 0;
}
