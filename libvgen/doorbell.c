// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvgen: doorbells (guest writes that signal an eventfd in the kernel,
 * without an exit). Arguments are checked here with vgen's rules; the
 * backend registers them (VGEN_IOEVENTFD, KVM_IOEVENTFD).
 */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "internal.h"

static int vgen_doorbell_check(uint64_t addr, uint32_t len, uint32_t flags,
			       uint64_t value, int eventfd)
{
	if (flags & ~(VGEN_DOORBELL_PIO | VGEN_DOORBELL_DATAMATCH))
		return -EINVAL;
	if (eventfd < 0)
		return -EBADF;
	switch (len) {
	case 0: case 1: case 2: case 4:
		break;
	case 8:
		if (flags & VGEN_DOORBELL_PIO)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if ((flags & VGEN_DOORBELL_PIO) && addr > 0xffff)
		return -EINVAL;
	if (flags & VGEN_DOORBELL_DATAMATCH) {
		if (!len)
			return -EINVAL;
		if (len < 8 && (value >> (8 * len)))
			return -EINVAL;
	} else if (value) {
		return -EINVAL;
	}
	return 0;
}

/*
 * vgen's overlap rule (struct vgen_ioeventfd), applied here on every
 * backend: two doorbells of one space conflict if their byte ranges
 * [addr, addr + max(len, 1)) intersect, unless both match different
 * values at the same address and length.
 */
static bool vgen_doorbell_conflicts(const struct vgen_doorbell *a,
				    uint64_t addr, uint32_t len, uint32_t flags,
				    uint64_t value)
{
	uint64_t a_end = a->addr + (a->len ? a->len : 1);
	uint64_t end = addr + (len ? len : 1);

	if ((a->flags ^ flags) & VGEN_DOORBELL_PIO)
		return false;
	if (a->addr >= end || addr >= a_end)
		return false;
	if ((a->flags & flags & VGEN_DOORBELL_DATAMATCH) && a->addr == addr &&
	    a->len == len)
		return a->value == value;
	return true;
}

VGEN_EXPORT int vgen_partition_register_doorbell(struct vgen_partition *part,
						 uint64_t addr, uint32_t len,
						 uint32_t flags, uint64_t value,
						 int eventfd,
						 struct vgen_doorbell **out)
{
	struct vgen_doorbell *db, *o;
	int ret;

	if (!part || !out)
		return -EINVAL;
	ret = vgen_doorbell_check(addr, len, flags, value, eventfd);
	if (ret)
		return ret;
	if (!part->vm.ops->ioeventfd)
		return -EOPNOTSUPP;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->part = part;
	db->addr = addr;
	db->len = len;
	db->flags = flags;
	db->value = value;
	db->eventfd = eventfd;
	/* Under the lock: the check and the registration are one step. */
	pthread_mutex_lock(&part->objs_lock);
	for (o = part->doorbells; o; o = o->next) {
		if (vgen_doorbell_conflicts(o, addr, len, flags, value)) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	ret = part->vm.ops->ioeventfd(&part->vm, db, true);
	if (ret)
		goto out_unlock;
	db->next = part->doorbells;
	part->doorbells = db;
	pthread_mutex_unlock(&part->objs_lock);
	*out = db;
	return 0;

out_unlock:
	pthread_mutex_unlock(&part->objs_lock);
	free(db);
	return ret;
}

VGEN_EXPORT int vgen_doorbell_unregister(struct vgen_doorbell *db)
{
	struct vgen_partition *part;
	struct vgen_doorbell **pp;
	int ret;

	if (!db)
		return -EINVAL;
	part = db->part;
	pthread_mutex_lock(&part->objs_lock);
	for (pp = &part->doorbells; *pp && *pp != db; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = db->next;
	pthread_mutex_unlock(&part->objs_lock);
	ret = part->vm.ops->ioeventfd(&part->vm, db, false);
	free(db);
	return ret;
}
