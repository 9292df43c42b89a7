// SPDX-License-Identifier: GPL-2.0
/*
 * The partition registry: every live partition under a stable u32 id, for
 * introspection (netlink.c).
 *
 * The registry does not own a reference: a partition is added when it is
 * created and removed by its release function, after its reference count
 * reached zero and before anything is torn down. Lookups therefore take a
 * reference with kref_get_unless_zero() under the xarray's lock, which
 * vgen_registry_remove() also takes: a partition found with a zero count
 * is being released and is skipped, and one found with a non-zero count
 * stays allocated until the caller's vgen_partition_put().
 */
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/kref.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "vgen.h"

/* Partitions by id (ids from 1). Its lock also orders lookups and removal. */
static DEFINE_XARRAY_ALLOC1(vgen_registry);

/* Next id to try; protected by the xarray's lock (xa_alloc_cyclic()). */
static u32 vgen_registry_next;

/* Incremented on every add and remove (dump consistency, netlink.c). */
static atomic_t vgen_registry_gen = ATOMIC_INIT(0);

/**
 * vgen_registry_add() - give a new partition its id and make it visible
 *	to introspection, then announce it (VGEN_EVENT_PARTITION_CREATED).
 * @part: the partition, fully initialised except for its fd.
 * @cfg: its configuration.
 *
 * Records the creator (current's thread group and effective uid), the
 * creation time, the backend and the isolation type. From now on a
 * netlink dump may take a reference on @part.
 *
 * Return: 0; -ENOMEM; -EBUSY every id is in use.
 */
int vgen_registry_add(struct vgen_partition *part,
		      const struct vgen_partition_config *cfg)
{
	struct vgen_registry_entry *reg = &part->reg;
	u32 id;
	int ret;

	reg->owner = get_pid(task_tgid(current));
	reg->owner_uid = current_euid();
	reg->created_ns = ktime_get_real_ns();
	/* The software VP is the only backend: AUTO chooses it. */
	reg->backend = VGEN_BACKEND_SOFTWARE;
	reg->isolation = cfg->isolation;

	ret = xa_alloc_cyclic(&vgen_registry, &id, part,
			      XA_LIMIT(1, U32_MAX), &vgen_registry_next,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		put_pid(reg->owner);
		reg->owner = NULL;
		return ret;
	}
	/* Written before anyone can find the partition through its id. */
	reg->id = id;
	atomic_inc(&vgen_registry_gen);
	vgen_netlink_notify_partition(part, VGEN_EVENT_PARTITION_CREATED);
	return 0;
}

/**
 * vgen_registry_remove() - remove a partition whose last reference is
 *	gone, and announce it (VGEN_EVENT_PARTITION_DESTROYED).
 * @part: the partition; a no-op if vgen_registry_add() did not succeed.
 *
 * Called from the partition's release function, before teardown.
 */
void vgen_registry_remove(struct vgen_partition *part)
{
	struct vgen_registry_entry *reg = &part->reg;

	if (!reg->id)
		return;
	xa_erase(&vgen_registry, reg->id);
	atomic_inc(&vgen_registry_gen);
	vgen_netlink_notify_partition(part, VGEN_EVENT_PARTITION_DESTROYED);
	put_pid(reg->owner);
	reg->owner = NULL;
	reg->id = 0;
}

/**
 * vgen_registry_get() - look a partition up by id.
 * @id: the registry id.
 *
 * Return: the partition with a new reference (drop it with
 * vgen_partition_put()), or NULL if there is none or it is being released.
 */
struct vgen_partition *vgen_registry_get(u32 id)
{
	struct vgen_partition *part;

	xa_lock(&vgen_registry);
	part = xa_load(&vgen_registry, id);
	if (part && !kref_get_unless_zero(&part->refs))
		part = NULL;
	xa_unlock(&vgen_registry);
	return part;
}

/**
 * vgen_registry_get_next() - the live partition with the lowest id at or
 *	above *@id.
 * @id: in: the first id to consider; out: the id of the partition found.
 *
 * Partitions being released are skipped.
 *
 * Return: the partition with a new reference (drop it with
 * vgen_partition_put()), or NULL when there is none.
 */
struct vgen_partition *vgen_registry_get_next(unsigned long *id)
{
	struct vgen_partition *part;

	xa_lock(&vgen_registry);
	for (;;) {
		part = xa_find(&vgen_registry, id, U32_MAX, XA_PRESENT);
		if (!part || kref_get_unless_zero(&part->refs))
			break;
		if (*id == U32_MAX) {
			part = NULL;
			break;
		}
		(*id)++;
	}
	xa_unlock(&vgen_registry);
	return part;
}

/**
 * vgen_registry_generation() - a counter that changes whenever a partition
 *	is added or removed.
 *
 * Return: the counter's current value.
 */
unsigned int vgen_registry_generation(void)
{
	return atomic_read(&vgen_registry_gen);
}
