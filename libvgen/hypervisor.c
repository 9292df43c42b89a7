// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the hypervisor object (an open /dev/vgen). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "internal.h"

long vgen_sys_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR && req != VGEN_RUN);
	return ret < 0 ? -errno : ret;
}

VGEN_EXPORT int vgen_hypervisor_open(const char *backend,
				     struct vgen_hypervisor **out)
{
	struct vgen_hypervisor *hv;
	int fd;

	if (!out)
		return -EINVAL;
	if (backend && strcmp(backend, "vgen") != 0)
		return -EINVAL;
	fd = open(VGEN_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	hv = calloc(1, sizeof(*hv));
	if (!hv) {
		close(fd);
		return -ENOMEM;
	}
	hv->fd = fd;
	*out = hv;
	return 0;
}

VGEN_EXPORT int vgen_hypervisor_close(struct vgen_hypervisor *hv)
{
	if (!hv)
		return 0;
	close(hv->fd);
	free(hv);
	return 0;
}

VGEN_EXPORT int vgen_hypervisor_check_cap(struct vgen_hypervisor *hv,
					  uint32_t cap, uint64_t *value)
{
	long ret;

	if (!hv || !value)
		return -EINVAL;
	ret = vgen_sys_ioctl(hv->fd, VGEN_CHECK_CAP, cap);
	if (ret < 0)
		return (int)ret;
	*value = (uint64_t)ret;
	return 0;
}

VGEN_EXPORT int vgen_hypervisor_new_partition(struct vgen_hypervisor *hv,
					      const struct vgen_proto_config *cfg,
					      struct vgen_proto **out)
{
	struct vgen_partition_config kcfg;
	struct vgen_proto *proto;
	long ret, run_size;

	if (!hv || !cfg || !out)
		return -EINVAL;
	if (cfg->flags & ~VGEN_PROTO_USER_MODE_APIC)
		return -EINVAL;
	run_size = vgen_sys_ioctl(hv->fd, VGEN_GET_RUN_SIZE, 0);
	if (run_size < 0)
		return (int)run_size;
	if (run_size < (long)sizeof(struct vgen_run))
		return -EPROTO;

	memset(&kcfg, 0, sizeof(kcfg));
	kcfg.vp_count = cfg->vp_count;
	kcfg.isolation = cfg->isolation;
	kcfg.backend = VGEN_BACKEND_AUTO;
	kcfg.apic_ids = (uintptr_t)cfg->apic_ids;
	if (cfg->flags & VGEN_PROTO_USER_MODE_APIC)
		kcfg.flags |= VGEN_PARTITION_USER_MODE_APIC;

	proto = calloc(1, sizeof(*proto));
	if (!proto)
		return -ENOMEM;
	ret = vgen_sys_ioctl(hv->fd, VGEN_CREATE_PARTITION,
			     (unsigned long)&kcfg);
	if (ret < 0) {
		free(proto);
		return (int)ret;
	}
	proto->fd = (int)ret;
	proto->run_size = run_size;
	proto->vp_count = cfg->vp_count;
	*out = proto;
	return 0;
}
