// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the hypervisor object (an open backend device). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include "internal.h"

long vgen_sys_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR && req != VGEN_RUN);
	return ret < 0 ? -errno : ret;
}

/* The backends in the order NULL ("best available") tries them. */
static const struct vgen_backend_ops *const vgen_backends[] = {
	&vgen_backend_vgen,
	&vgen_backend_kvm,
};

#define VGEN_NR_BACKENDS (sizeof(vgen_backends) / sizeof(vgen_backends[0]))

static int vgen_hypervisor_try(const struct vgen_backend_ops *ops,
			       struct vgen_hypervisor **out)
{
	struct vgen_hypervisor *hv;
	int ret;

	hv = calloc(1, sizeof(*hv));
	if (!hv)
		return -ENOMEM;
	hv->ops = ops;
	hv->fd = -1;
	ret = ops->open(hv);
	if (ret) {
		free(hv);
		return ret;
	}
	*out = hv;
	return 0;
}

VGEN_EXPORT int vgen_hypervisor_open(const char *backend,
				     struct vgen_hypervisor **out)
{
	int ret = -ENOENT, first = 0;
	size_t i;

	if (!out)
		return -EINVAL;
	for (i = 0; i < VGEN_NR_BACKENDS; i++) {
		if (backend && strcmp(backend, vgen_backends[i]->name) == 0)
			return vgen_hypervisor_try(vgen_backends[i], out);
	}
	if (backend)
		return -EINVAL;
	/* Best available: the first that opens; else the first error. */
	for (i = 0; i < VGEN_NR_BACKENDS; i++) {
		ret = vgen_hypervisor_try(vgen_backends[i], out);
		if (!ret || ret == -ENOMEM)
			return ret;
		if (!first)
			first = ret;
	}
	return first;
}

VGEN_EXPORT int vgen_hypervisor_is_available(const char *backend)
{
	struct vgen_hypervisor *hv;
	size_t i;
	int ret;

	for (i = 0; backend && i < VGEN_NR_BACKENDS; i++)
		if (strcmp(backend, vgen_backends[i]->name) == 0)
			break;
	if (i == VGEN_NR_BACKENDS)
		return -EINVAL;
	ret = vgen_hypervisor_open(backend, &hv);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return 0;	/* any other failure: not available */
	vgen_hypervisor_close(hv);
	return 1;
}

VGEN_EXPORT int vgen_hypervisor_close(struct vgen_hypervisor *hv)
{
	if (!hv)
		return 0;
	hv->ops->close(hv);
	free(hv);
	return 0;
}

VGEN_EXPORT const char *vgen_hypervisor_backend_name(struct vgen_hypervisor *hv)
{
	return hv ? hv->ops->name : NULL;
}

VGEN_EXPORT int vgen_hypervisor_check_cap(struct vgen_hypervisor *hv,
					  uint32_t cap, uint64_t *value)
{
	if (!hv || !value)
		return -EINVAL;
	return hv->ops->check_cap(hv, cap, value);
}

VGEN_EXPORT int vgen_hypervisor_new_partition(struct vgen_hypervisor *hv,
					      const struct vgen_proto_config *cfg,
					      struct vgen_proto **out)
{
	struct vgen_proto *proto;
	struct timespec ts;
	int ret;

	if (!hv || !cfg || !out)
		return -EINVAL;
	if (cfg->flags & ~VGEN_PROTO_USER_MODE_APIC)
		return -EINVAL;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -errno;
	proto = calloc(1, sizeof(*proto));
	if (!proto)
		return -ENOMEM;
	proto->vm.ops = hv->ops;
	proto->vm.fd = -1;
	proto->vm.vp_count = cfg->vp_count;
	proto->vm.flags = cfg->flags;
	proto->vm.created_ns = (uint64_t)ts.tv_sec * 1000000000ULL +
			       (uint64_t)ts.tv_nsec;
	ret = hv->ops->new_partition(hv, cfg, &proto->vm);
	if (ret) {
		free(proto);
		return ret;
	}
	*out = proto;
	return 0;
}
