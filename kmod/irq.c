// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt delivery of a partition: MSI decoding, destination matching
 * over the partition's local APICs, lowest-priority arbitration, the
 * IOAPIC routing table and the interrupt ioctls of the partition fd
 * (VGEN_SIGNAL_MSI, VGEN_SET_IRQ_ROUTE, VGEN_ASSERT_IRQ, VGEN_PULSE_LINT).
 *
 * Decisions:
 *  - An 8-bit physical destination 0xff (an MSI without extended
 *    destination bits, or an xAPIC-mode ICR) is the broadcast
 *    VGEN_LAPIC_BROADCAST and reaches x2APIC-mode APICs too.
 *  - The level (assert) bit of MSI data is ignored: every message is an
 *    assert (as PCI devices and the IOAPIC send them); the trigger-mode
 *    bit decides whether the vector is level-triggered (its EOI exits
 *    with VGEN_EXIT_EOI).
 *  - Lowest priority (delivery mode 1, or the MSI redirection hint, for
 *    fixed and lowest-priority messages): among the matching APICs, the
 *    one with the lowest PPR gets the interrupt; ties go to the first one
 *    found scanning the VPs from a start index that advances on every
 *    arbitrated message (round robin). Software-disabled APICs only win
 *    when nobody else matches (and then refuse).
 *  - The routing table is an immutable array published with RCU: a
 *    VGEN_SET_IRQ_ROUTE copies it, changes one line and frees the old
 *    copy with kfree_rcu(); asserts copy their line inside an RCU read
 *    section and deliver outside it. Per line, asserts that reached at
 *    least one APIC and asserts that did not (unrouted or refused) are
 *    counted; introspection reports them (VGEN_CMD_GET_IRQ_ROUTES).
 */
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgen.h"

/* MSI address bits that must be zero (63:32, 4, 1:0). */
#define VGEN_MSI_ADDR_RESERVED	(~0xffffffffULL | 0x13ULL)
/* MSI data bits that must be zero (31:16, 13:11). */
#define VGEN_MSI_DATA_RESERVED	(0xffff0000U | 0x3800U)
#define VGEN_MSI_DM_RESERVED	3

/**
 * struct vgen_irq_msg - a decoded MSI.
 * @dest: destination ID (VGEN_LAPIC_BROADCAST for physical 0xff).
 * @dm: delivery mode, VGEN_MSI_DM_*.
 * @vector: the vector.
 * @logical: logical destination mode.
 * @lowest: arbitrate (redirection hint or lowest-priority mode).
 * @level: level-triggered.
 */
struct vgen_irq_msg {
	u32 dest;
	u32 dm;
	u8 vector;
	bool logical;
	bool lowest;
	bool level;
};

/**
 * struct vgen_irq_routes - an immutable IOAPIC routing table.
 * @rcu: for kfree_rcu().
 * @routed: bit n set: line n has a route in @msg[n].
 * @msg: the message of each routed line.
 * @address: the MSI address of each routed line, as set (introspection).
 * @data: the MSI data of each routed line, as set (introspection).
 */
struct vgen_irq_routes {
	struct rcu_head rcu;
	unsigned long routed;
	struct vgen_irq_msg msg[VGEN_IOAPIC_PINS];
	u64 address[VGEN_IOAPIC_PINS];
	u32 data[VGEN_IOAPIC_PINS];
};

/**
 * struct vgen_irqchip - the partition's interrupt delivery state.
 * @route_lock: serialises writers of @routes.
 * @routes: the routing table (RCU; never NULL).
 * @rr: the round-robin start of lowest-priority arbitration.
 * @delivered: per line, asserts accepted by at least one APIC.
 * @dropped: per line, asserts of an unrouted line or that nobody accepted.
 */
struct vgen_irqchip {
	struct mutex route_lock;
	struct vgen_irq_routes __rcu *routes;
	atomic_t rr;
	atomic64_t delivered[VGEN_IOAPIC_PINS];
	atomic64_t dropped[VGEN_IOAPIC_PINS];
};

/**
 * vgen_irq_deliver() - deliver an interrupt message to its destinations.
 * @part: the partition (the caller holds a reference).
 * @src: the sending VP (IPIs) or NULL (MSIs); required for shorthands.
 * @shorthand: VGEN_LAPIC_DEST_* (MSIs: VGEN_LAPIC_DEST_NONE).
 * @dest: destination ID, with @shorthand VGEN_LAPIC_DEST_NONE.
 * @logical: logical destination mode.
 * @lowest: lowest-priority arbitration (applies to fixed and
 *	lowest-priority messages only).
 * @dm: delivery mode, VGEN_MSI_DM_*.
 * @vector: the vector.
 * @level: level-triggered.
 *
 * Any thread; never sleeps. VPs are read with smp_load_acquire() (NULL:
 * not created yet).
 *
 * Return: the number of APICs that accepted the interrupt.
 */
int vgen_irq_deliver(struct vgen_partition *part, struct vgen_vp *src,
		     u32 shorthand, u32 dest, bool logical, bool lowest,
		     u32 dm, u8 vector, bool level)
{
	u32 i, idx, start = 0, n = part->vp_count, prio, best_prio = U32_MAX;
	struct vgen_vp *vp, *best = NULL;
	int count = 0;

	if (shorthand == VGEN_LAPIC_DEST_SELF)
		return src ? vgen_lapic_deliver(src, dm, vector, level) : 0;
	lowest = lowest && (dm == VGEN_MSI_DM_FIXED ||
			    dm == VGEN_MSI_DM_LOWEST);
	if (lowest && part->irqchip)
		start = (u32)atomic_inc_return(&part->irqchip->rr) % n;

	for (i = 0; i < n; i++) {
		idx = start + i < n ? start + i : start + i - n;
		/* Pairs with smp_store_release() in vgen_vp_create(). */
		vp = smp_load_acquire(&part->vps[idx]);
		if (!vp)
			continue;
		if (shorthand == VGEN_LAPIC_DEST_OTHERS) {
			if (vp == src)
				continue;
		} else if (shorthand != VGEN_LAPIC_DEST_ALL &&
			   !vgen_lapic_match_dest(vp, dest, logical)) {
			continue;
		}
		if (!lowest) {
			count += vgen_lapic_deliver(vp, dm, vector, level);
			continue;
		}
		prio = vgen_lapic_arb_priority(vp);
		if (prio < best_prio) {
			best = vp;
			best_prio = prio;
		}
	}
	if (best)
		count = vgen_lapic_deliver(best, dm, vector, level);
	return count;
}

/*
 * vgen_irq_decode_msi() - check and decode an MSI address/data pair.
 *
 * Return: 0; -EINVAL not 0xfeexxxxx, reserved bits or delivery mode 3;
 * -EOPNOTSUPP SMI.
 */
static int vgen_irq_decode_msi(u64 addr, u32 data, struct vgen_irq_msg *m)
{
	if ((addr & VGEN_MSI_ADDR_BASE_MASK) != VGEN_MSI_ADDR_BASE ||
	    (addr & VGEN_MSI_ADDR_RESERVED) || (data & VGEN_MSI_DATA_RESERVED))
		return -EINVAL;
	m->dm = (data >> VGEN_MSI_DATA_DM_SHIFT) & 7;
	if (m->dm == VGEN_MSI_DM_RESERVED)
		return -EINVAL;
	if (m->dm == VGEN_MSI_DM_SMI)
		return -EOPNOTSUPP;
	m->vector = data & VGEN_MSI_DATA_VECTOR_MASK;
	m->dest = ((addr >> VGEN_MSI_ADDR_DEST_SHIFT) & 0xff) |
		  (((addr >> VGEN_MSI_ADDR_EXT_DEST_SHIFT) & 0x7f) << 8);
	m->logical = addr & VGEN_MSI_ADDR_DM_LOGICAL;
	if (!m->logical && m->dest == 0xff)
		m->dest = VGEN_LAPIC_BROADCAST;
	m->lowest = (addr & VGEN_MSI_ADDR_RH) || m->dm == VGEN_MSI_DM_LOWEST;
	m->level = (data & VGEN_MSI_DATA_TRIGGER_LEVEL) &&
		   (m->dm == VGEN_MSI_DM_FIXED || m->dm == VGEN_MSI_DM_LOWEST);
	return 0;
}

static int vgen_irq_send(struct vgen_partition *part,
			 const struct vgen_irq_msg *m)
{
	return vgen_irq_deliver(part, NULL, VGEN_LAPIC_DEST_NONE, m->dest,
				m->logical, m->lowest, m->dm, m->vector,
				m->level);
}

/**
 * vgen_irq_check_msi() - validate an MSI address/data pair as
 *	VGEN_SIGNAL_MSI does.
 * @addr: MSI address.
 * @data: MSI data.
 *
 * Return: 0; -EINVAL malformed; -EOPNOTSUPP SMI.
 */
int vgen_irq_check_msi(u64 addr, u32 data)
{
	struct vgen_irq_msg m;

	return vgen_irq_decode_msi(addr, data, &m);
}

/**
 * vgen_irq_send_msi() - deliver an MSI (validated with
 *	vgen_irq_check_msi() before).
 * @part: the partition (with an irqchip; the caller holds a reference or
 *	runs before its teardown).
 * @addr: MSI address.
 * @data: MSI data.
 *
 * Any context, also atomic (an irqfd's wait queue callback): never
 * sleeps.
 *
 * Return: the number of APICs that accepted it; 0 for a malformed MSI.
 */
int vgen_irq_send_msi(struct vgen_partition *part, u64 addr, u32 data)
{
	struct vgen_irq_msg m;

	if (vgen_irq_decode_msi(addr, data, &m))
		return 0;
	return vgen_irq_send(part, &m);
}

/**
 * vgen_irq_assert_line() - deliver an IOAPIC line's MSI (VGEN_ASSERT_IRQ
 *	and line irqfds), counting delivered and dropped asserts.
 * @part: the partition (with an irqchip).
 * @irq: the line, below VGEN_IOAPIC_PINS.
 *
 * Any context, also atomic: the route is copied inside an RCU read
 * section and delivered outside it; never sleeps.
 *
 * Return: the number of APICs that accepted it (0: unrouted or refused).
 */
int vgen_irq_assert_line(struct vgen_partition *part, u32 irq)
{
	struct vgen_irqchip *chip = part->irqchip;
	const struct vgen_irq_routes *routes;
	struct vgen_irq_msg m;
	bool routed;
	int ret = 0;

	rcu_read_lock();
	routes = rcu_dereference(chip->routes);
	routed = test_bit(irq, &routes->routed);
	m = routes->msg[irq];
	rcu_read_unlock();

	if (routed)
		ret = vgen_irq_send(part, &m);
	if (ret > 0)
		atomic64_inc(&chip->delivered[irq]);
	else
		atomic64_inc(&chip->dropped[irq]);
	return ret;
}

/**
 * vgen_irq_level_lines() - the IOAPIC lines currently routed to @vector
 *	as level-triggered fixed or lowest-priority interrupts.
 * @part: the partition (with an irqchip).
 * @vector: the vector.
 *
 * Any context (RCU read section inside).
 *
 * Return: a bitmap, bit n for line n.
 */
unsigned long vgen_irq_level_lines(struct vgen_partition *part, u8 vector)
{
	const struct vgen_irq_routes *routes;
	unsigned long lines = 0;
	unsigned int i;

	rcu_read_lock();
	routes = rcu_dereference(part->irqchip->routes);
	for_each_set_bit(i, &routes->routed, VGEN_IOAPIC_PINS) {
		if (routes->msg[i].level && routes->msg[i].vector == vector)
			__set_bit(i, &lines);
	}
	rcu_read_unlock();
	return lines;
}

/* VGEN_SIGNAL_MSI. Return: the number of APICs that accepted it. */
static int vgen_irq_signal_msi(struct vgen_partition *part,
			       void __user *argp)
{
	struct vgen_irq_msg m;
	struct vgen_msi msi;
	int ret;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (msi.flags || msi.reserved0 || msi.vtl || !vgen_zeroed(msi.reserved))
		return -EINVAL;
	ret = vgen_irq_decode_msi(msi.address, msi.data, &m);
	if (ret)
		return ret;
	return vgen_irq_send(part, &m);
}

/* VGEN_SET_IRQ_ROUTE: publish a copy of the table with one line changed. */
static int vgen_irq_set_route(struct vgen_irqchip *chip, void __user *argp)
{
	struct vgen_irq_routes *old, *new;
	struct vgen_irq_route r;
	struct vgen_irq_msg m;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.irq >= VGEN_IOAPIC_PINS || (r.flags & ~VGEN_IRQ_ROUTE_VALID_FLAGS) ||
	    r.reserved0 || !vgen_zeroed(r.reserved))
		return -EINVAL;
	if (r.flags & VGEN_IRQ_ROUTE_MSI) {
		ret = vgen_irq_decode_msi(r.address, r.data, &m);
		if (ret)
			return ret;
	} else if (r.address || r.data) {
		return -EINVAL;
	}

	new = kmalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	mutex_lock(&chip->route_lock);
	old = rcu_dereference_protected(chip->routes,
					lockdep_is_held(&chip->route_lock));
	new->routed = old->routed;
	memcpy(new->msg, old->msg, sizeof(new->msg));
	memcpy(new->address, old->address, sizeof(new->address));
	memcpy(new->data, old->data, sizeof(new->data));
	if (r.flags & VGEN_IRQ_ROUTE_MSI) {
		new->msg[r.irq] = m;
		__set_bit(r.irq, &new->routed);
	} else {
		memset(&new->msg[r.irq], 0, sizeof(new->msg[r.irq]));
		__clear_bit(r.irq, &new->routed);
	}
	new->address[r.irq] = r.address;
	new->data[r.irq] = r.data;
	rcu_assign_pointer(chip->routes, new);
	mutex_unlock(&chip->route_lock);
	kfree_rcu(old, rcu);
	return 0;
}

/* VGEN_ASSERT_IRQ. Return: the number of APICs that accepted it. */
static int vgen_irq_assert(struct vgen_partition *part, void __user *argp)
{
	struct vgen_irq args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.irq >= VGEN_IOAPIC_PINS || args.flags ||
	    !vgen_zeroed(args.reserved))
		return -EINVAL;
	return vgen_irq_assert_line(part, args.irq);
}

/* VGEN_PULSE_LINT. Return: 1 accepted, 0 masked or refused. */
static int vgen_irq_pulse_lint(struct vgen_partition *part, void __user *argp)
{
	struct vgen_lint args;
	struct vgen_vp *vp;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.vtl || args.lint > 1 || args.flags ||
	    !vgen_zeroed(args.reserved) || args.vp_index >= part->vp_count)
		return -EINVAL;
	/* Pairs with smp_store_release() in vgen_vp_create(). */
	vp = smp_load_acquire(&part->vps[args.vp_index]);
	if (!vp)
		return -ENOENT;
	return vgen_lapic_pulse_lint(vp, args.lint);
}

/**
 * vgen_irq_ioctl() - the interrupt ioctls of a partition fd.
 * @part: the partition.
 * @cmd: VGEN_SIGNAL_MSI, VGEN_SET_IRQ_ROUTE, VGEN_ASSERT_IRQ or
 *	VGEN_PULSE_LINT.
 * @argp: the user argument.
 *
 * Return: see the uapi: the number of APICs that accepted (SIGNAL_MSI,
 * ASSERT_IRQ), 0 (SET_IRQ_ROUTE), 1/0 (PULSE_LINT); -ENXIO no in-kernel
 * APIC; -EFAULT; -EINVAL; -EOPNOTSUPP SMI; -ENOENT VP not created;
 * -ENOMEM; -ENOTTY another @cmd.
 */
long vgen_irq_ioctl(struct vgen_partition *part, unsigned int cmd,
		    void __user *argp)
{
	if (!part->irqchip)
		return -ENXIO;
	switch (cmd) {
	case VGEN_SIGNAL_MSI:
		return vgen_irq_signal_msi(part, argp);
	case VGEN_SET_IRQ_ROUTE:
		return vgen_irq_set_route(part->irqchip, argp);
	case VGEN_ASSERT_IRQ:
		return vgen_irq_assert(part, argp);
	case VGEN_PULSE_LINT:
		return vgen_irq_pulse_lint(part, argp);
	default:
		return -ENOTTY;
	}
}

/**
 * vgen_irq_init() - create the partition's interrupt delivery state
 *	(nothing in a VGEN_PARTITION_USER_MODE_APIC partition).
 * @part: the partition being created.
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_irq_init(struct vgen_partition *part)
{
	struct vgen_irq_routes *routes;
	struct vgen_irqchip *chip;

	if (part->config_flags & VGEN_PARTITION_USER_MODE_APIC)
		return 0;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	routes = kzalloc(sizeof(*routes), GFP_KERNEL_ACCOUNT);
	if (!chip || !routes) {
		kfree(chip);
		kfree(routes);
		return -ENOMEM;
	}
	mutex_init(&chip->route_lock);
	RCU_INIT_POINTER(chip->routes, routes);
	part->irqchip = chip;
	return 0;
}

/**
 * vgen_irq_destroy() - free the interrupt delivery state (partition
 *	teardown: no ioctl and no VP can use it any more).
 * @part: the partition.
 */
void vgen_irq_destroy(struct vgen_partition *part)
{
	struct vgen_irqchip *chip = part->irqchip;

	if (!chip)
		return;
	/* Tables replaced earlier are freed by kfree_rcu() on their own. */
	kfree(rcu_dereference_protected(chip->routes, true));
	kfree(chip);
	part->irqchip = NULL;
}

/**
 * vgen_irq_reset() - partition reset: every IOAPIC line unrouted (the
 *	per-line counters are kept: they count since creation).
 * @part: the partition (with an irqchip).
 *
 * Return: 0 or -ENOMEM (nothing changed).
 */
int vgen_irq_reset(struct vgen_partition *part)
{
	struct vgen_irqchip *chip = part->irqchip;
	struct vgen_irq_routes *old, *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	mutex_lock(&chip->route_lock);
	old = rcu_dereference_protected(chip->routes,
					lockdep_is_held(&chip->route_lock));
	rcu_assign_pointer(chip->routes, new);
	mutex_unlock(&chip->route_lock);
	kfree_rcu(old, rcu);
	return 0;
}

/**
 * vgen_irq_get_lines() - the IOAPIC routing table and per-line counters,
 *	for introspection.
 * @part: the partition (the caller holds a reference).
 * @lines: VGEN_IOAPIC_PINS entries, filled in.
 *
 * Any thread; never sleeps. The table is one published version; the
 * counters are read after it, one by one.
 *
 * Return: 0, or -ENXIO without an in-kernel APIC.
 */
int vgen_irq_get_lines(struct vgen_partition *part,
		       struct vgen_irq_line_info *lines)
{
	struct vgen_irqchip *chip = part->irqchip;
	const struct vgen_irq_routes *routes;
	unsigned int i;

	if (!chip)
		return -ENXIO;
	rcu_read_lock();
	routes = rcu_dereference(chip->routes);
	for (i = 0; i < VGEN_IOAPIC_PINS; i++) {
		lines[i].flags = test_bit(i, &routes->routed) ?
				 VGEN_IRQ_ROUTE_MSI : 0;
		lines[i].address = routes->address[i];
		lines[i].data = routes->data[i];
	}
	rcu_read_unlock();
	for (i = 0; i < VGEN_IOAPIC_PINS; i++) {
		lines[i].delivered = atomic64_read(&chip->delivered[i]);
		lines[i].dropped = atomic64_read(&chip->dropped[i]);
	}
	return 0;
}
