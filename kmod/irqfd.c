// SPDX-License-Identifier: GPL-2.0
/*
 * irqfds (VGEN_IRQFD): eventfds bound to an interrupt of a partition with
 * an in-kernel APIC. A signal of the eventfd delivers an MSI or asserts an
 * IOAPIC line from the kernel, without a VMM thread; a resample irqfd also
 * gets its resamplefd signalled when the guest EOIs the line's vector.
 *
 * How it works:
 *  - An irqfd puts its own entry on the eventfd's wait queue (through
 *    vfs_poll() with a poll table whose queue function adds it). The
 *    eventfd calls the entry's function, vgen_irqfd_wakeup(), with its
 *    wait queue lock held and interrupts off, on every signal (EPOLLIN)
 *    and once when the eventfd file is released (EPOLLHUP).
 *  - EPOLLIN: the callback drains the counter (any number of signals
 *    since the last callback coalesce into one interrupt) and delivers
 *    at once. That is safe in atomic context: MSI and line delivery
 *    (vgen_irq_send_msi(), vgen_irq_assert_line()) read the routing table
 *    under RCU, post into the APICs' atomic fields and kick the VPs with
 *    vgen_vp_kick(), which only takes the VP's wait queue lock; nothing
 *    sleeps. No work item is needed for injection.
 *  - EPOLLHUP: the eventfd is gone, the binding is removed by a work item
 *    (vgen_irqfd_shutdown()) on the module's workqueue, since removal
 *    takes the partition's irqfd mutex and waits for RCU readers.
 *  - Resample: when the run loop takes a level-triggered EOI from the
 *    APIC, vgen_irqfd_eoi() signals the resamplefds and tells it whether
 *    the VGEN_EXIT_EOI is still needed (rule in vgen_irqfd_eoi()).
 *
 * Lifetime: an irqfd is on its partition's list (and, for a resample
 * irqfd, on the resampler list) from assignment until exactly one of
 * deassign, the EPOLLHUP work or partition teardown unlinks it under
 * vgen_irqfds.lock (vgen_irqfd.removed says it happened). The unlinker
 * owns it: it takes the entry off the eventfd's wait queue (after which
 * the callback cannot run or queue the work again), cancels or is the
 * work, waits for an RCU grace period (EOI-path readers) and frees it.
 * No irqfd outlives partition teardown, which runs before the VPs and
 * the irqchip are destroyed, so the callback never sees a dead partition.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vgen.h"

/* Runs vgen_irqfd_shutdown(); flushed by VGEN_IRQFD before it looks. */
static struct workqueue_struct *vgen_irqfd_wq;

/**
 * struct vgen_irqfd_entry - one binding of an eventfd to an interrupt.
 * @part: the partition (no reference: the irqfd dies in its teardown).
 * @ctx: the eventfd (a counted reference).
 * @resample_ctx: the resamplefd (a counted reference), NULL unless
 *	VGEN_IRQFD_RESAMPLE.
 * @msi: deliver the MSI @address/@data (else assert line @irq).
 * @irq: IOAPIC line of a line irqfd.
 * @address: MSI address of an MSI irqfd.
 * @data: MSI data of an MSI irqfd.
 * @wait: our entry on the eventfd's wait queue.
 * @pt: the poll table used once to add @wait.
 * @link: on vgen_irqfds.items (RCU list, writers hold vgen_irqfds.lock).
 * @rlink: on vgen_irqfds.resamplers (likewise), resample irqfds only.
 * @removed: unlinked; written and read under vgen_irqfds.lock.
 * @dead: on the private list of vgen_irqfd_destroy().
 * @shutdown: the work that removes the binding after EPOLLHUP.
 */
struct vgen_irqfd_entry {
	struct vgen_partition *part;
	struct eventfd_ctx *ctx;
	struct eventfd_ctx *resample_ctx;
	bool msi;
	u32 irq;
	u64 address;
	u32 data;
	wait_queue_entry_t wait;
	poll_table pt;
	struct list_head link;
	struct list_head rlink;
	bool removed;
	struct list_head dead;
	struct work_struct shutdown;
};

/**
 * struct vgen_irqfds - a partition's irqfds.
 * @lock: protects writers of @items and @resamplers, @count,
 *	@resample_count, writes of @resample_lines and every
 *	vgen_irqfd.removed.
 * @items: every bound irqfd (RCU list).
 * @resamplers: the resample irqfds (RCU list, read by the EOI path).
 * @count: number of @items, at most VGEN_MAX_IRQFDS.
 * @resample_count: resample irqfds per IOAPIC line.
 * @resample_lines: bit n set while line n has a resample irqfd; read
 *	locklessly with READ_ONCE() by the EOI path.
 */
struct vgen_irqfds {
	struct mutex lock;
	struct list_head items;
	struct list_head resamplers;
	unsigned int count;
	unsigned int resample_count[VGEN_IOAPIC_PINS];
	unsigned long resample_lines;
};

/* Deliver the irqfd's interrupt. Any context (also atomic). */
static void vgen_irqfd_inject(struct vgen_irqfd_entry *irqfd)
{
	if (irqfd->msi)
		vgen_irq_send_msi(irqfd->part, irqfd->address, irqfd->data);
	else
		vgen_irq_assert_line(irqfd->part, irqfd->irq);
}

/*
 * vgen_irqfd_wakeup() - the eventfd's wait queue callback; the eventfd's
 * wait queue lock is held, interrupts are off.
 */
static int vgen_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct vgen_irqfd_entry *irqfd = container_of(wait, struct vgen_irqfd_entry, wait);
	__poll_t events = key_to_poll(key);
	u64 cnt;

	if (events & EPOLLIN) {
		/* Coalesce: every signal so far is consumed by this one. */
		eventfd_ctx_do_read(irqfd->ctx, &cnt);
		vgen_irqfd_inject(irqfd);
	}
	if (events & EPOLLHUP)
		queue_work(vgen_irqfd_wq, &irqfd->shutdown);
	return 0;
}

static void vgen_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct vgen_irqfd_entry *irqfd = container_of(pt, struct vgen_irqfd_entry, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

/*
 * vgen_irqfd_unlink() - take @irqfd off the partition's lists; the caller
 * then owns it and must vgen_irqfd_free() it.
 */
static void vgen_irqfd_unlink(struct vgen_irqfds *fds, struct vgen_irqfd_entry *irqfd)
{
	lockdep_assert_held(&fds->lock);
	list_del_rcu(&irqfd->link);
	fds->count--;
	if (irqfd->resample_ctx) {
		list_del_rcu(&irqfd->rlink);
		if (!--fds->resample_count[irqfd->irq])
			WRITE_ONCE(fds->resample_lines,
				   fds->resample_lines & ~BIT(irqfd->irq));
	}
	irqfd->removed = true;
}

/*
 * vgen_irqfd_detach() - first step of freeing an unlinked irqfd: off the
 * eventfd's wait queue (the callback no longer runs when this returns;
 * the eventfd's counter is drained as a side effect) and, unless called
 * by the work itself, the shutdown work cancelled.
 */
static void vgen_irqfd_detach(struct vgen_irqfd_entry *irqfd, bool cancel)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(irqfd->ctx, &irqfd->wait, &cnt);
	if (cancel)
		cancel_work_sync(&irqfd->shutdown);
}

/*
 * vgen_irqfd_free() - last step: after vgen_irqfd_detach() and an RCU
 * grace period (no EOI-path reader left), drop the eventfds and free.
 */
static void vgen_irqfd_free(struct vgen_irqfd_entry *irqfd)
{
	eventfd_ctx_put(irqfd->ctx);
	if (irqfd->resample_ctx)
		eventfd_ctx_put(irqfd->resample_ctx);
	kfree(irqfd);
}

/* The eventfd was released (EPOLLHUP): remove the binding. */
static void vgen_irqfd_shutdown(struct work_struct *work)
{
	struct vgen_irqfd_entry *irqfd =
		container_of(work, struct vgen_irqfd_entry, shutdown);
	struct vgen_irqfds *fds = irqfd->part->irqfds;
	bool mine = false;

	mutex_lock(&fds->lock);
	if (!irqfd->removed) {
		vgen_irqfd_unlink(fds, irqfd);
		mine = true;
	}
	mutex_unlock(&fds->lock);
	/* Otherwise the unlinker owns it and waits for this work to end. */
	if (!mine)
		return;
	vgen_irqfd_detach(irqfd, false);
	synchronize_rcu();
	vgen_irqfd_free(irqfd);
}

/*
 * vgen_irqfd_check() - validate an assignment.
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP SMI.
 */
static int vgen_irqfd_check(const struct vgen_irqfd *args)
{
	if (args->vtl)
		return -EINVAL;
	if (args->flags & VGEN_IRQFD_MSI) {
		if (args->irq || (args->flags & VGEN_IRQFD_RESAMPLE))
			return -EINVAL;
		return vgen_irq_check_msi(args->address, args->data);
	}
	if (args->irq >= VGEN_IOAPIC_PINS || args->address || args->data)
		return -EINVAL;
	if (!(args->flags & VGEN_IRQFD_RESAMPLE) && args->resamplefd)
		return -EINVAL;
	return 0;
}

/* Take an eventfd reference from an fd number. Return: it or -EBADF. */
static struct eventfd_ctx *vgen_irqfd_ctx_get(u32 fd)
{
	struct eventfd_ctx *ctx;

	if (fd > INT_MAX)
		return ERR_PTR(-EBADF);
	ctx = eventfd_ctx_fdget(fd);
	return IS_ERR(ctx) ? ERR_PTR(-EBADF) : ctx;
}

/* VGEN_IRQFD without VGEN_IRQFD_DEASSIGN. */
static int vgen_irqfd_assign(struct vgen_partition *part,
			     const struct vgen_irqfd *args)
{
	struct vgen_irqfds *fds = part->irqfds;
	struct vgen_irqfd_entry *irqfd, *it;
	struct file *file;
	__poll_t events;
	int ret;

	ret = vgen_irqfd_check(args);
	if (ret)
		return ret;
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->part = part;
	irqfd->msi = args->flags & VGEN_IRQFD_MSI;
	irqfd->irq = args->irq;
	irqfd->address = args->address;
	irqfd->data = args->data;
	INIT_LIST_HEAD(&irqfd->rlink);
	INIT_WORK(&irqfd->shutdown, vgen_irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, vgen_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, vgen_irqfd_queue_proc);

	ret = -EBADF;
	file = args->fd > INT_MAX ? NULL : fget(args->fd);
	if (!file)
		goto err_free;
	irqfd->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(irqfd->ctx)) {
		irqfd->ctx = NULL;
		goto err_fput;
	}
	if (args->flags & VGEN_IRQFD_RESAMPLE) {
		irqfd->resample_ctx = vgen_irqfd_ctx_get(args->resamplefd);
		if (IS_ERR(irqfd->resample_ctx)) {
			irqfd->resample_ctx = NULL;
			goto err_fput;
		}
		/* Its own resamplefd would re-inject on every EOI. */
		ret = -EINVAL;
		if (irqfd->resample_ctx == irqfd->ctx)
			goto err_fput;
	}

	mutex_lock(&fds->lock);
	ret = -ENOSPC;
	if (fds->count >= VGEN_MAX_IRQFDS)
		goto err_unlock;
	ret = -EBUSY;
	list_for_each_entry(it, &fds->items, link) {
		if (it->ctx == irqfd->ctx)
			goto err_unlock;
	}
	list_add_tail_rcu(&irqfd->link, &fds->items);
	fds->count++;
	if (irqfd->resample_ctx) {
		list_add_tail_rcu(&irqfd->rlink, &fds->resamplers);
		fds->resample_count[irqfd->irq]++;
		WRITE_ONCE(fds->resample_lines,
			   fds->resample_lines | BIT(irqfd->irq));
	}
	/*
	 * Adds @wait: from here on the callback may run. A signal already
	 * pending is delivered once now (the counter is left as it is and
	 * consumed by the next callback).
	 */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		vgen_irqfd_inject(irqfd);
	mutex_unlock(&fds->lock);
	fput(file);
	return 0;

err_unlock:
	mutex_unlock(&fds->lock);
err_fput:
	fput(file);
	if (irqfd->ctx)
		eventfd_ctx_put(irqfd->ctx);
	if (irqfd->resample_ctx)
		eventfd_ctx_put(irqfd->resample_ctx);
err_free:
	kfree(irqfd);
	return ret;
}

/* VGEN_IRQFD with VGEN_IRQFD_DEASSIGN. */
static int vgen_irqfd_deassign(struct vgen_partition *part,
			       const struct vgen_irqfd *args)
{
	struct vgen_irqfds *fds = part->irqfds;
	struct vgen_irqfd_entry *irqfd, *found = NULL;
	struct eventfd_ctx *ctx;

	ctx = vgen_irqfd_ctx_get(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&fds->lock);
	list_for_each_entry(irqfd, &fds->items, link) {
		if (irqfd->ctx == ctx) {
			found = irqfd;
			vgen_irqfd_unlink(fds, found);
			break;
		}
	}
	mutex_unlock(&fds->lock);
	eventfd_ctx_put(ctx);
	if (!found)
		return -ENOENT;
	vgen_irqfd_detach(found, true);
	synchronize_rcu();
	vgen_irqfd_free(found);
	return 0;
}

/**
 * vgen_irqfd_ioctl() - VGEN_IRQFD on a partition fd.
 * @part: the partition.
 * @argp: user pointer to a struct vgen_irqfd_entry.
 *
 * Bindings whose eventfd was closed before the call are removed first
 * (their pending shutdown work is flushed), so that the call sees the
 * bindings as they are after every close() that returned before it.
 *
 * Return: 0; -ENXIO no in-kernel APIC; -EFAULT; -EINVAL bad flags, line,
 * MSI, vtl, fd values or reserved fields; -EOPNOTSUPP an SMI; -EBADF an
 * fd is not an eventfd; -EBUSY @fd already bound; -ENOENT deassign of an
 * unbound fd; -ENOSPC VGEN_MAX_IRQFDS bindings exist; -ENOMEM.
 */
int vgen_irqfd_ioctl(struct vgen_partition *part, void __user *argp)
{
	struct vgen_irqfd args;

	if (!part->irqfds)
		return -ENXIO;
	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~VGEN_IRQFD_VALID_FLAGS) ||
	    !vgen_zeroed(args.reserved))
		return -EINVAL;
	flush_workqueue(vgen_irqfd_wq);
	if (args.flags & VGEN_IRQFD_DEASSIGN)
		return vgen_irqfd_deassign(part, &args);
	return vgen_irqfd_assign(part, &args);
}

/**
 * vgen_irqfd_eoi() - the guest EOI'd a level-triggered vector: signal the
 *	resamplefds of its lines and decide whether VGEN_EXIT_EOI is needed.
 * @part: the partition.
 * @vector: the vector.
 *
 * The rule: let L be the IOAPIC lines whose current route is a
 * level-triggered fixed or lowest-priority MSI with @vector (any
 * destination). Every resample irqfd on a line of L has its resamplefd
 * signalled. The exit is suppressed when L is not empty and every line of
 * L has at least one resample irqfd; otherwise the VMM still gets
 * VGEN_EXIT_EOI (which it needs for the lines it handles itself).
 *
 * Called by the VP's run thread (vgen_vp.run_lock held); never sleeps.
 *
 * Return: true if the EOI is fully handled (no VGEN_EXIT_EOI).
 */
bool vgen_irqfd_eoi(struct vgen_partition *part, u8 vector)
{
	struct vgen_irqfds *fds = part->irqfds;
	unsigned long lines, resampled;
	struct vgen_irqfd_entry *irqfd;

	if (!fds)
		return false;
	resampled = READ_ONCE(fds->resample_lines);
	if (!resampled)
		return false;
	lines = vgen_irq_level_lines(part, vector);
	if (!(lines & resampled))
		return false;
	rcu_read_lock();
	list_for_each_entry_rcu(irqfd, &fds->resamplers, rlink) {
		if (lines & BIT(irqfd->irq))
			vgen_eventfd_signal(irqfd->resample_ctx);
	}
	rcu_read_unlock();
	return !(lines & ~resampled);
}

/**
 * vgen_irqfd_init() - create a partition's (empty) irqfd list; nothing in
 *	a partition without an in-kernel APIC.
 * @part: the partition being created (vgen_partition.irqchip set up).
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_irqfd_init(struct vgen_partition *part)
{
	struct vgen_irqfds *fds;

	if (!part->irqchip)
		return 0;
	fds = kzalloc(sizeof(*fds), GFP_KERNEL_ACCOUNT);
	if (!fds)
		return -ENOMEM;
	mutex_init(&fds->lock);
	INIT_LIST_HEAD(&fds->items);
	INIT_LIST_HEAD(&fds->resamplers);
	part->irqfds = fds;
	return 0;
}

/**
 * vgen_irqfd_destroy() - partition teardown: remove every binding. Runs
 *	before the VPs and the irqchip are destroyed.
 * @part: the partition.
 */
void vgen_irqfd_destroy(struct vgen_partition *part)
{
	struct vgen_irqfds *fds = part->irqfds;
	struct vgen_irqfd_entry *irqfd, *tmp;
	LIST_HEAD(dead);

	if (!fds)
		return;
	mutex_lock(&fds->lock);
	list_for_each_entry_safe(irqfd, tmp, &fds->items, link) {
		vgen_irqfd_unlink(fds, irqfd);
		list_add_tail(&irqfd->dead, &dead);
	}
	mutex_unlock(&fds->lock);
	list_for_each_entry(irqfd, &dead, dead)
		vgen_irqfd_detach(irqfd, true);
	synchronize_rcu();
	list_for_each_entry_safe(irqfd, tmp, &dead, dead)
		vgen_irqfd_free(irqfd);
	kfree(fds);
	part->irqfds = NULL;
}

/**
 * vgen_irqfd_module_init() - create the irqfd shutdown workqueue.
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_irqfd_module_init(void)
{
	vgen_irqfd_wq = alloc_workqueue("vgen-irqfd", 0, 0);
	return vgen_irqfd_wq ? 0 : -ENOMEM;
}

/**
 * vgen_irqfd_module_exit() - destroy the workqueue (no partition is left,
 *	so no work is queued).
 */
void vgen_irqfd_module_exit(void)
{
	destroy_workqueue(vgen_irqfd_wq);
}
