// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbells (VGEN_IOEVENTFD): guest writes to registered MMIO addresses
 * or I/O ports that signal an eventfd and complete in the kernel instead
 * of exiting to the VMM.
 *
 * The registrations of a partition are an immutable array sorted by
 * (space, address), published with RCU: the VP run loop looks a write up
 * with a binary search inside an RCU read section, without a lock
 * (vgen_ioeventfd_write()); VGEN_IOEVENTFD builds a new array under
 * vgen_ioeventfds.lock and publishes it. A removed registration's eventfd
 * reference is dropped only after a grace period, so a VP that found it
 * may still signal it.
 *
 * Decisions:
 *  - Only writes that would exit (VGEN_EXIT_MMIO writes, also to a
 *    read-only memory region, and OUT / one element of a string OUT)
 *    are looked up. Accesses to a VP's in-kernel xAPIC page never exit,
 *    so the APIC page wins over a doorbell registered there.
 *  - A write matches a registration when its address equals @addr (a
 *    write that only covers part of a registration does not match), its
 *    size equals @len (or @len is 0) and, with DATAMATCH, its value
 *    (zero-extended) equals @datamatch. At most one registration matches:
 *    overlapping ones are refused, except DATAMATCH siblings that differ
 *    in the value.
 */
#include <linux/eventfd.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgen.h"

/* Registration flags that select what matches (not DEASSIGN). */
#define VGEN_IOEVENTFD_KEY_FLAGS \
	(VGEN_IOEVENTFD_PIO | VGEN_IOEVENTFD_DATAMATCH)

/**
 * struct vgen_doorbell - one registration.
 * @addr: guest physical address or port.
 * @datamatch: the value that matches (VGEN_IOEVENTFD_DATAMATCH).
 * @len: access size that matches, 0 for any.
 * @flags: VGEN_IOEVENTFD_PIO and/or VGEN_IOEVENTFD_DATAMATCH.
 * @ctx: the eventfd (a counted reference, owned by the registration and
 *	carried from one published table to the next).
 */
struct vgen_doorbell {
	u64 addr;
	u64 datamatch;
	u32 len;
	u32 flags;
	struct eventfd_ctx *ctx;
};

/**
 * struct vgen_doorbell_table - an immutable set of registrations.
 * @rcu: for kvfree_rcu().
 * @n: number of @db entries (at least 1: an empty set is a NULL table).
 * @db: the registrations, sorted by (PIO flag, @addr).
 */
struct vgen_doorbell_table {
	struct rcu_head rcu;
	u32 n;
	struct vgen_doorbell db[];
};

/**
 * struct vgen_ioeventfds - a partition's doorbells.
 * @lock: serialises writers of @table.
 * @table: the current registrations (RCU; NULL when there are none).
 */
struct vgen_ioeventfds {
	struct mutex lock;
	struct vgen_doorbell_table __rcu *table;
};

/* Sort key: the I/O space before memory, then the address. */
static bool vgen_doorbell_before(bool pio, u64 addr,
				 const struct vgen_doorbell *db)
{
	bool dpio = db->flags & VGEN_IOEVENTFD_PIO;

	if (pio != dpio)
		return pio;
	return addr < db->addr;
}

/* Index of the first entry not before (pio, addr). */
static u32 vgen_doorbell_search(const struct vgen_doorbell_table *t,
				bool pio, u64 addr)
{
	u32 lo = 0, hi = t->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (vgen_doorbell_before(pio, addr, &t->db[mid]) ||
		    (!!(t->db[mid].flags & VGEN_IOEVENTFD_PIO) == pio &&
		     t->db[mid].addr == addr))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/**
 * vgen_ioeventfd_write() - a guest write that would exit: ring the
 *	doorbell it matches, if any.
 * @part: the partition.
 * @pio: port I/O (else MMIO).
 * @addr: port or guest physical address.
 * @len: size in bytes.
 * @val: the value written, zero-extended.
 *
 * Called by a VP's run thread; lock-free (RCU read section), never
 * sleeps.
 *
 * Return: true if a doorbell matched and was signalled: the write is
 * complete and must not exit.
 */
bool vgen_ioeventfd_write(struct vgen_partition *part, bool pio, u64 addr,
			  u32 len, u64 val)
{
	const struct vgen_doorbell_table *t;
	const struct vgen_doorbell *db;
	bool hit = false;
	u32 i;

	if (!rcu_access_pointer(part->ioeventfds->table))
		return false;
	rcu_read_lock();
	t = rcu_dereference(part->ioeventfds->table);
	if (!t)
		goto out;
	for (i = vgen_doorbell_search(t, pio, addr); i < t->n; i++) {
		db = &t->db[i];
		if (!!(db->flags & VGEN_IOEVENTFD_PIO) != pio ||
		    db->addr != addr)
			break;
		if (db->len && db->len != len)
			continue;
		if ((db->flags & VGEN_IOEVENTFD_DATAMATCH) &&
		    db->datamatch != val)
			continue;
		vgen_eventfd_signal(db->ctx);
		hit = true;
		break;
	}
out:
	rcu_read_unlock();
	return hit;
}

/* Byte range end of a registration: a length of 0 covers one byte. */
static u64 vgen_doorbell_end(u64 addr, u32 len)
{
	return addr + (len ? len : 1);
}

/* Do two registrations of the same space overlap (uapi rule)? */
static bool vgen_doorbell_overlap(const struct vgen_doorbell *a,
				  const struct vgen_doorbell *b)
{
	if ((a->flags & VGEN_IOEVENTFD_PIO) != (b->flags & VGEN_IOEVENTFD_PIO))
		return false;
	if (a->addr >= vgen_doorbell_end(b->addr, b->len) ||
	    b->addr >= vgen_doorbell_end(a->addr, a->len))
		return false;
	return !((a->flags & VGEN_IOEVENTFD_DATAMATCH) &&
		 (b->flags & VGEN_IOEVENTFD_DATAMATCH) &&
		 a->addr == b->addr && a->len == b->len &&
		 a->datamatch != b->datamatch);
}

/*
 * vgen_ioeventfd_check() - validate the request's values (flags and
 * reserved fields are checked by the caller).
 */
static int vgen_ioeventfd_check(const struct vgen_ioeventfd *args)
{
	bool pio = args->flags & VGEN_IOEVENTFD_PIO;

	switch (args->len) {
	case 0:
		if (args->flags & VGEN_IOEVENTFD_DATAMATCH)
			return -EINVAL;
		break;
	case 1:
	case 2:
	case 4:
		break;
	case 8:
		if (pio)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!(args->flags & VGEN_IOEVENTFD_DATAMATCH) && args->datamatch)
		return -EINVAL;
	/* A value wider than the access can never match. */
	if (args->len && args->len < 8 && (args->datamatch >> (8 * args->len)))
		return -EINVAL;
	if (pio)
		return vgen_doorbell_end(args->addr, args->len) <= 0x10000 ?
			0 : -EINVAL;
	if (args->addr >= VGEN_GPA_LIMIT ||
	    vgen_doorbell_end(args->addr, args->len) > VGEN_GPA_LIMIT)
		return -EINVAL;
	return 0;
}

/*
 * vgen_ioeventfd_publish() - replace the table (under the lock).
 * Return: the old table, to be freed by the caller.
 */
static struct vgen_doorbell_table *
vgen_ioeventfd_publish(struct vgen_ioeventfds *fds,
		       struct vgen_doorbell_table *new)
{
	struct vgen_doorbell_table *old;

	lockdep_assert_held(&fds->lock);
	old = rcu_dereference_protected(fds->table,
					lockdep_is_held(&fds->lock));
	rcu_assign_pointer(fds->table, new);
	return old;
}

static struct vgen_doorbell_table *vgen_doorbell_table_alloc(u32 n)
{
	struct vgen_doorbell_table *t;

	t = kvmalloc(struct_size(t, db, n), GFP_KERNEL_ACCOUNT);
	if (t)
		t->n = n;
	return t;
}

/* VGEN_IOEVENTFD without VGEN_IOEVENTFD_DEASSIGN. */
static int vgen_ioeventfd_assign(struct vgen_ioeventfds *fds,
				 const struct vgen_doorbell *db)
{
	struct vgen_doorbell_table *old, *new;
	u32 i, n, pos;
	int ret = 0;

	mutex_lock(&fds->lock);
	old = rcu_dereference_protected(fds->table,
					lockdep_is_held(&fds->lock));
	n = old ? old->n : 0;
	for (i = 0; i < n; i++) {
		if (vgen_doorbell_overlap(&old->db[i], db)) {
			ret = -EEXIST;
			goto out;
		}
	}
	if (n >= VGEN_MAX_IOEVENTFDS) {
		ret = -ENOSPC;
		goto out;
	}
	new = vgen_doorbell_table_alloc(n + 1);
	if (!new) {
		ret = -ENOMEM;
		goto out;
	}
	pos = old ? vgen_doorbell_search(old, db->flags & VGEN_IOEVENTFD_PIO,
					 db->addr) : 0;
	if (pos)
		memcpy(new->db, old->db, pos * sizeof(*db));
	new->db[pos] = *db;
	if (n > pos)
		memcpy(&new->db[pos + 1], &old->db[pos],
		       (n - pos) * sizeof(*db));
	vgen_ioeventfd_publish(fds, new);
	/* The eventfd references moved to @new. */
	if (old)
		kvfree_rcu(old, rcu);
out:
	mutex_unlock(&fds->lock);
	return ret;
}

/* VGEN_IOEVENTFD with VGEN_IOEVENTFD_DEASSIGN. */
static int vgen_ioeventfd_deassign(struct vgen_ioeventfds *fds,
				   const struct vgen_doorbell *db)
{
	struct vgen_doorbell_table *old, *new = NULL;
	struct eventfd_ctx *ctx;
	u32 i, n;

	mutex_lock(&fds->lock);
	old = rcu_dereference_protected(fds->table,
					lockdep_is_held(&fds->lock));
	n = old ? old->n : 0;
	for (i = 0; i < n; i++) {
		if (old->db[i].addr == db->addr && old->db[i].len == db->len &&
		    old->db[i].flags == db->flags &&
		    old->db[i].datamatch == db->datamatch &&
		    old->db[i].ctx == db->ctx)
			break;
	}
	if (i == n) {
		mutex_unlock(&fds->lock);
		return -ENOENT;
	}
	if (n > 1) {
		new = vgen_doorbell_table_alloc(n - 1);
		if (!new) {
			mutex_unlock(&fds->lock);
			return -ENOMEM;
		}
		memcpy(new->db, old->db, i * sizeof(*db));
		memcpy(&new->db[i], &old->db[i + 1],
		       (n - i - 1) * sizeof(*db));
	}
	ctx = old->db[i].ctx;
	vgen_ioeventfd_publish(fds, new);
	mutex_unlock(&fds->lock);
	/* No VP can still be signalling the removed eventfd after this. */
	synchronize_rcu();
	eventfd_ctx_put(ctx);
	kvfree(old);
	return 0;
}

/**
 * vgen_ioeventfd_ioctl() - VGEN_IOEVENTFD on a partition fd.
 * @part: the partition.
 * @argp: user pointer to a struct vgen_ioeventfd.
 *
 * Return: 0; -EFAULT; -EINVAL bad flags, length, address, datamatch or
 * reserved fields; -EBADF @fd is not an eventfd; -EEXIST overlap;
 * -ENOENT deassign of an unknown registration; -ENOSPC
 * VGEN_MAX_IOEVENTFDS registrations exist; -ENOMEM.
 */
int vgen_ioeventfd_ioctl(struct vgen_partition *part, void __user *argp)
{
	struct vgen_ioeventfd args;
	struct vgen_doorbell db;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~VGEN_IOEVENTFD_VALID_FLAGS) || args.reserved0 ||
	    !vgen_zeroed(args.reserved))
		return -EINVAL;
	ret = vgen_ioeventfd_check(&args);
	if (ret)
		return ret;
	if (args.fd > INT_MAX)
		return -EBADF;
	db.ctx = eventfd_ctx_fdget(args.fd);
	if (IS_ERR(db.ctx))
		return -EBADF;
	db.addr = args.addr;
	db.datamatch = args.datamatch;
	db.len = args.len;
	db.flags = args.flags & VGEN_IOEVENTFD_KEY_FLAGS;
	if (args.flags & VGEN_IOEVENTFD_DEASSIGN) {
		ret = vgen_ioeventfd_deassign(part->ioeventfds, &db);
		/* The lookup reference. */
		eventfd_ctx_put(db.ctx);
		return ret;
	}
	ret = vgen_ioeventfd_assign(part->ioeventfds, &db);
	if (ret)
		eventfd_ctx_put(db.ctx);
	return ret;
}

/**
 * vgen_ioeventfd_init() - create a partition's (empty) doorbell set.
 * @part: the partition being created.
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_ioeventfd_init(struct vgen_partition *part)
{
	struct vgen_ioeventfds *fds;

	fds = kzalloc(sizeof(*fds), GFP_KERNEL_ACCOUNT);
	if (!fds)
		return -ENOMEM;
	mutex_init(&fds->lock);
	RCU_INIT_POINTER(fds->table, NULL);
	part->ioeventfds = fds;
	return 0;
}

/**
 * vgen_ioeventfd_destroy() - partition teardown: drop every registration
 *	(no VP runs any more).
 * @part: the partition.
 */
void vgen_ioeventfd_destroy(struct vgen_partition *part)
{
	struct vgen_ioeventfds *fds = part->ioeventfds;
	struct vgen_doorbell_table *t;
	u32 i;

	if (!fds)
		return;
	mutex_lock(&fds->lock);
	t = vgen_ioeventfd_publish(fds, NULL);
	mutex_unlock(&fds->lock);
	if (t) {
		/* Tables replaced earlier are freed by kvfree_rcu(). */
		synchronize_rcu();
		for (i = 0; i < t->n; i++)
			eventfd_ctx_put(t->db[i].ctx);
		kvfree(t);
	}
	kfree(fds);
	part->ioeventfds = NULL;
}
