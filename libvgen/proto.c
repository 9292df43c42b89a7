// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the proto-partition object. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

VGEN_EXPORT int vgen_proto_close(struct vgen_proto *proto)
{
	if (!proto)
		return 0;
	proto->vm.ops->destroy(&proto->vm);
	free(proto);
	return 0;
}

VGEN_EXPORT int vgen_proto_fd(struct vgen_proto *proto, int *fd)
{
	if (!proto || !fd)
		return -EINVAL;
	*fd = proto->vm.fd;
	return 0;
}

VGEN_EXPORT int vgen_proto_cpuid(struct vgen_proto *proto, uint32_t eax,
				 uint32_t ecx, uint32_t out[4])
{
	if (!proto || !out)
		return -EINVAL;
	return proto->vm.ops->get_cpuid(&proto->vm, eax, ecx, out);
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
	if (!proto || !leaves || !n)
		return -EINVAL;
	if (n > VGEN_MAX_CPUID_ENTRIES)
		return -E2BIG;
	return VGEN_CALL_OPT(proto->vm.ops, set_cpuid, &proto->vm, leaves, n);
}

VGEN_EXPORT int vgen_proto_set_hv_config(struct vgen_proto *proto,
					 const struct vgen_hv_config *cfg)
{
	size_t i;

	if (!proto)
		return -EINVAL;
	if (!cfg)
		return 0;	/* no Hyper-V configuration: the default */
	if (cfg->flags & ~(VGEN_HV_OFFLOAD_ENLIGHTENMENTS |
			   VGEN_HV_ALLOW_DEVICE_ASSIGNMENT))
		return -EINVAL;
	for (i = 0; i < sizeof(cfg->reserved) / sizeof(cfg->reserved[0]); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	/* No backend offers Hyper-V enlightenments or VTL2 (see vgen.h). */
	return -EOPNOTSUPP;
}

VGEN_EXPORT int vgen_proto_set_vtl0_alias_map(struct vgen_proto *proto,
					      uint64_t alias_bit)
{
	if (!proto || (alias_bit & (alias_bit - 1)))
		return -EINVAL;
	if (!alias_bit)
		return 0;	/* no alias map: the default */
	/* The alias map needs VTL2, which no backend implements. */
	return -EOPNOTSUPP;
}

VGEN_EXPORT int vgen_proto_add_memory(struct vgen_proto *proto, uint64_t gpa,
				      uint64_t size, void *host_va,
				      uint32_t flags)
{
	if (!proto)
		return -EINVAL;
	return vgen_ranges_add(&proto->vm, gpa, size, host_va, flags);
}

VGEN_EXPORT int vgen_proto_build(struct vgen_proto *proto,
				 struct vgen_partition **out)
{
	struct vgen_partition *part;
	uint32_t i;
	int ret;

	if (!proto || !out)
		return -EINVAL;
	part = calloc(1, sizeof(*part));
	if (!part)
		return -ENOMEM;
	part->binders = calloc(proto->vm.vp_count, sizeof(part->binders[0]));
	if (!part->binders) {
		free(part);
		return -ENOMEM;
	}
	ret = proto->vm.ops->build(&proto->vm);
	if (ret) {
		free(part->binders);
		free(part);
		return ret;
	}
	part->vm = proto->vm;
	pthread_mutex_init(&part->objs_lock, NULL);
	for (i = 0; i < part->vm.vp_count; i++) {
		part->binders[i].part = part;
		part->binders[i].index = i;
	}
	free(proto);
	*out = part;
	return 0;
}
