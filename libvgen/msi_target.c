// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvgen: MSI interrupt targets (OpenVMM's MsiInterruptTarget and
 * MsiControl): a device's MSI, enabled with an address/data pair by the
 * VMM's PCI model and signalled by the device from any thread, directly
 * or through an eventfd bound in the kernel (VGEN_IRQFD with
 * VGEN_IRQFD_MSI; KVM_IRQFD on an MSI GSI route).
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "internal.h"

VGEN_EXPORT int vgen_partition_new_msi_interrupt(struct vgen_partition *part,
						 struct vgen_msi_interrupt **out)
{
	struct vgen_msi_interrupt *intr;

	if (!part || !out)
		return -EINVAL;
	if (part->vm.flags & VGEN_PROTO_USER_MODE_APIC)
		return -ENXIO;
	if (!part->vm.ops->request_msi)
		return -EOPNOTSUPP;
	intr = calloc(1, sizeof(*intr));
	if (!intr)
		return -ENOMEM;
	intr->part = part;
	intr->efd = -1;
	pthread_mutex_init(&intr->lock, NULL);
	pthread_mutex_lock(&part->objs_lock);
	intr->next = part->msis;
	part->msis = intr;
	pthread_mutex_unlock(&part->objs_lock);
	*out = intr;
	return 0;
}

VGEN_EXPORT int vgen_msi_interrupt_enable(struct vgen_msi_interrupt *intr,
					  uint64_t address, uint32_t data)
{
	struct vgen_msi_message msi = { .address = address, .data = data };
	struct vgen_vm *vm;
	int ret;

	if (!intr)
		return -EINVAL;
	ret = vgen_msi_check(address, data);
	if (ret)
		return ret;
	vm = &intr->part->vm;
	pthread_mutex_lock(&intr->lock);
	if (intr->efd >= 0) {
		ret = vm->ops->msi_irqfd(vm, intr, &msi);
		if (ret)
			goto out;
	}
	intr->msi = msi;
	intr->enabled = true;
out:
	pthread_mutex_unlock(&intr->lock);
	return ret;
}

VGEN_EXPORT int vgen_msi_interrupt_disable(struct vgen_msi_interrupt *intr)
{
	struct vgen_vm *vm;
	int ret = 0;

	if (!intr)
		return -EINVAL;
	vm = &intr->part->vm;
	pthread_mutex_lock(&intr->lock);
	if (intr->efd >= 0 && intr->enabled)
		ret = vm->ops->msi_irqfd(vm, intr, NULL);
	if (!ret)
		intr->enabled = false;
	pthread_mutex_unlock(&intr->lock);
	return ret;
}

VGEN_EXPORT int vgen_msi_interrupt_signal(struct vgen_msi_interrupt *intr)
{
	struct vgen_msi_message msi;
	struct vgen_vm *vm;
	bool enabled;

	if (!intr)
		return -EINVAL;
	vm = &intr->part->vm;
	pthread_mutex_lock(&intr->lock);
	enabled = intr->enabled;
	msi = intr->msi;
	pthread_mutex_unlock(&intr->lock);
	if (!enabled)
		return 0;
	return vm->ops->request_msi(vm, msi.address, msi.data);
}

VGEN_EXPORT int vgen_msi_interrupt_eventfd(struct vgen_msi_interrupt *intr,
					   int *fd)
{
	struct vgen_vm *vm;
	int ret = 0, efd;

	if (!intr || !fd)
		return -EINVAL;
	vm = &intr->part->vm;
	if (!vm->ops->msi_irqfd)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&intr->lock);
	if (intr->efd >= 0)
		goto done;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		ret = -errno;
		goto out;
	}
	intr->efd = efd;
	ret = vm->ops->msi_irqfd(vm, intr, intr->enabled ? &intr->msi : NULL);
	if (ret) {
		vm->ops->msi_irqfd_free(vm, intr);
		close(efd);
		intr->efd = -1;
		goto out;
	}
done:
	*fd = intr->efd;
out:
	pthread_mutex_unlock(&intr->lock);
	return ret;
}

VGEN_EXPORT int vgen_msi_interrupt_free(struct vgen_msi_interrupt *intr)
{
	struct vgen_msi_interrupt **pp;
	struct vgen_partition *part;

	if (!intr)
		return 0;
	part = intr->part;
	pthread_mutex_lock(&part->objs_lock);
	for (pp = &part->msis; *pp && *pp != intr; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = intr->next;
	pthread_mutex_unlock(&part->objs_lock);
	pthread_mutex_lock(&intr->lock);
	if (intr->efd >= 0) {
		part->vm.ops->msi_irqfd_free(&part->vm, intr);
		close(intr->efd);
	}
	pthread_mutex_unlock(&intr->lock);
	pthread_mutex_destroy(&intr->lock);
	free(intr);
	return 0;
}
