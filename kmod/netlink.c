// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection: the "vgen" generic netlink family (see "Introspection
 * (generic netlink)" in uapi/linux/vgen.h for the protocol).
 *
 * Everything here only reads: partitions are found through the registry
 * (registry.c) with a reference held while a message is filled, VP
 * counters are read with READ_ONCE() and the APIC summary under its
 * sequence count (stats.c), memory regions under the partition's SRCU,
 * IOAPIC routes under RCU (irq.c). No VP run lock is ever waited for:
 * a register snapshot (VGEN_CMD_GET_VP_REGS) only trylocks it and
 * otherwise asks the run thread (vgen_vp_snapshot_take()), so
 * introspection never stops a VP longer than a yield. Dumps keep a cursor (partition id, VP index) in the
 * callback and look everything up again on every call, so partitions may
 * come and go during a dump.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/srcu.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/net_namespace.h>

#include "vgen.h"

/* Multicast groups, indices into vgen_nl_mcgrps. */
enum {
	VGEN_NL_GRP_EVENTS,
};

/* Request policies: anything else is rejected (strict validation). */
static const struct nla_policy vgen_nl_partition_policy[VGEN_A_MAX + 1] = {
	[VGEN_A_PARTITION_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy vgen_nl_vp_policy[VGEN_A_MAX + 1] = {
	[VGEN_A_PARTITION_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[VGEN_A_VP_INDEX]	= NLA_POLICY_MAX(NLA_U32, VGEN_MAX_VPS - 1),
};

static struct genl_family vgen_nl_family;

/**
 * struct vgen_nl_caller - who asks, for the visibility rule.
 * @admin: CAP_SYS_ADMIN (socket opener and caller): sees everything.
 * @tgid: the caller's thread group: sees the partitions it created.
 */
struct vgen_nl_caller {
	bool admin;
	struct pid *tgid;
};

/**
 * struct vgen_nl_dump - dump state, kept in netlink_callback.ctx.
 * @caller: the requester, as seen when the dump started (@caller.tgid
 *	holds a reference, dropped in vgen_nl_dump_done()).
 * @next_id: partition dump: the next registry id to report.
 * @part_id: VP dump: the partition.
 * @next_vp: VP dump: the next VP index to report.
 */
struct vgen_nl_dump {
	struct vgen_nl_caller caller;
	unsigned long next_id;
	u32 part_id;
	u32 next_vp;
};

static struct vgen_nl_dump *vgen_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct vgen_nl_dump) > sizeof(cb->ctx));
	return (struct vgen_nl_dump *)cb->ctx;
}

static void vgen_nl_caller_init(struct vgen_nl_caller *c,
				const struct sk_buff *skb)
{
	c->admin = netlink_capable(skb, CAP_SYS_ADMIN);
	c->tgid = task_tgid(current);
}

static bool vgen_nl_visible(const struct vgen_partition *part,
			    const struct vgen_nl_caller *c)
{
	return c->admin || part->reg.owner == c->tgid;
}

/*
 * vgen_nl_get_visible() - the partition with registry id @id if the caller
 * may see it, with a reference; NULL (and an extack message) otherwise.
 */
static struct vgen_partition *
vgen_nl_get_visible(u32 id, const struct vgen_nl_caller *c,
		    struct netlink_ext_ack *extack)
{
	struct vgen_partition *part = vgen_registry_get(id);

	if (part && !vgen_nl_visible(part, c)) {
		vgen_partition_put(part);
		part = NULL;
	}
	if (!part)
		NL_SET_ERR_MSG(extack, "no such partition");
	return part;
}

/*
 * vgen_nl_live_vnr() - the number of @pid (NULL: none; the caller holds a
 * reference or the RCU read lock) in the caller's PID namespace, or 0 when
 * it is not visible there or no task of @type uses it any more (its
 * number may have been reused).
 */
static u32 vgen_nl_live_vnr(struct pid *pid, enum pid_type type)
{
	u32 nr = 0;

	rcu_read_lock();
	if (pid && pid_task(pid, type))
		nr = pid_vnr(pid);
	rcu_read_unlock();
	return nr;
}

/* The VP at @index, or NULL if not created (VPs live as long as @part). */
static struct vgen_vp *vgen_nl_vp(struct vgen_partition *part, u32 index)
{
	struct vgen_vp *vp;

	mutex_lock(&part->state_lock);
	vp = part->vps[index];
	mutex_unlock(&part->state_lock);
	return vp;
}

static int vgen_nl_put_u64(struct sk_buff *skb, int type, u64 value, int pad)
{
	return nla_put_u64_64bit(skb, type, value, pad);
}

/* One VGEN_A_PARTITION_REGION nest. */
static int vgen_nl_put_region(struct sk_buff *skb, u32 slot,
			      const struct vgen_memslot *s)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, VGEN_A_PARTITION_REGION);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VGEN_A_REGION_SLOT, slot) ||
	    vgen_nl_put_u64(skb, VGEN_A_REGION_GPA, s->gpa,
			    VGEN_A_REGION_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_REGION_SIZE,
			    (u64)s->npages << PAGE_SHIFT, VGEN_A_REGION_PAD) ||
	    nla_put_u32(skb, VGEN_A_REGION_FLAGS, s->flags)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Every memory region, from the current (immutable) memslot table. */
static int vgen_nl_put_regions(struct sk_buff *skb,
			       struct vgen_partition *part)
{
	const struct vgen_memslots *slots;
	unsigned int i;
	int idx, ret = 0;

	idx = srcu_read_lock(&part->srcu);
	slots = srcu_dereference(part->memslots, &part->srcu);
	for (i = 0; slots && i < VGEN_MAX_MEMORY_REGIONS && !ret; i++) {
		if (slots->slot[i].npages)
			ret = vgen_nl_put_region(skb, i, &slots->slot[i]);
	}
	srcu_read_unlock(&part->srcu, idx);
	return ret;
}

/*
 * vgen_nl_fill_partition() - one VGEN_CMD_GET_PARTITION message.
 *
 * Return: 0 or -EMSGSIZE (nothing added to @skb then).
 */
static int vgen_nl_fill_partition(struct sk_buff *skb,
				  struct vgen_partition *part, u32 portid,
				  u32 seq, int flags,
				  struct netlink_callback *cb)
{
	const struct vgen_registry_entry *reg = &part->reg;
	u32 status = 0, created = 0, i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vgen_nl_family, flags,
			  VGEN_CMD_GET_PARTITION);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	mutex_lock(&part->state_lock);
	if (part->finalized)
		status |= VGEN_PARTITION_STATUS_FINALIZED;
	for (i = 0; i < part->vp_count; i++)
		created += !!part->vps[i];
	mutex_unlock(&part->state_lock);
	if (READ_ONCE(part->dead))
		status |= VGEN_PARTITION_STATUS_DEAD;

	if (nla_put_u32(skb, VGEN_A_PARTITION_ID, reg->id) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_OWNER_PID,
			vgen_nl_live_vnr(reg->owner, PIDTYPE_TGID)) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_OWNER_UID,
			from_kuid_munged(current_user_ns(), reg->owner_uid)) ||
	    vgen_nl_put_u64(skb, VGEN_A_PARTITION_CREATED_NS, reg->created_ns,
			    VGEN_A_PAD) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_BACKEND, reg->backend) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_ISOLATION, reg->isolation) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_FLAGS, part->config_flags) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_STATUS, status) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_VP_COUNT, part->vp_count) ||
	    nla_put_u32(skb, VGEN_A_PARTITION_VPS_CREATED, created) ||
	    vgen_nl_put_regions(skb, part)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * vgen_nl_vp_state() - VGEN_VP_STATE_* from whether the VP is inside
 * VGEN_RUN and its published activity.
 */
static u32 vgen_nl_vp_state(bool in_run, u32 activity)
{
	if (!in_run)
		return VGEN_VP_STATE_STOPPED;
	if (activity == VGEN_VP_ACTIVITY_HALTED)
		return VGEN_VP_STATE_HALTED;
	if (activity == VGEN_VP_ACTIVITY_WAIT_SIPI)
		return VGEN_VP_STATE_WAIT_FOR_SIPI;
	return VGEN_VP_STATE_RUNNING;
}

/* 8 words of 32 vectors as VGEN_GENL_VECTOR_BITMAP bytes. */
static void vgen_nl_bitmap(const u32 words[8],
			   u8 out[VGEN_GENL_VECTOR_BITMAP])
{
	unsigned int i;

	for (i = 0; i < VGEN_GENL_VECTOR_BITMAP; i++)
		out[i] = words[i / 4] >> (8 * (i % 4));
}

/* The APIC summary of a VP with an in-kernel APIC (nothing otherwise). */
static int vgen_nl_put_irq(struct sk_buff *skb, struct vgen_vp *vp)
{
	struct vgen_vp_irq_summary sum;
	u8 irr[VGEN_GENL_VECTOR_BITMAP], isr[VGEN_GENL_VECTOR_BITMAP];

	if (!vp->lapic)
		return 0;
	vgen_vp_stats_read_irq(vp, &sum);
	vgen_nl_bitmap(sum.irr, irr);
	vgen_nl_bitmap(sum.isr, isr);
	if (nla_put(skb, VGEN_A_VP_IRR, sizeof(irr), irr) ||
	    nla_put(skb, VGEN_A_VP_ISR, sizeof(isr), isr) ||
	    nla_put_u32(skb, VGEN_A_VP_TPR, sum.tpr) ||
	    nla_put_u32(skb, VGEN_A_VP_PPR, sum.ppr))
		return -EMSGSIZE;
	return 0;
}

/* The VGEN_A_VP_EXIT nests: one per reason with a non-zero count. */
static int vgen_nl_put_exits(struct sk_buff *skb, const struct vgen_vp *vp)
{
	struct nlattr *nest;
	unsigned int i;
	u64 n;

	for (i = 0; i < VGEN_VP_STAT_EXITS; i++) {
		n = READ_ONCE(vp->stats.exits[i]);
		if (!n)
			continue;
		nest = nla_nest_start(skb, VGEN_A_VP_EXIT);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, VGEN_A_EXIT_REASON, i) ||
		    vgen_nl_put_u64(skb, VGEN_A_EXIT_COUNT, n,
				    VGEN_A_EXIT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

/*
 * vgen_nl_fill_vp() - one VGEN_CMD_GET_VP message, from the VP's counters
 * (read without its run lock).
 *
 * Return: 0 or -EMSGSIZE (nothing added to @skb then).
 */
static int vgen_nl_fill_vp(struct sk_buff *skb, struct vgen_partition *part,
			   struct vgen_vp *vp, u32 portid, u32 seq,
			   int flags)
{
	const struct vgen_vp_stats *st = &vp->stats;
	u32 state, tid, activity;
	bool in_run;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vgen_nl_family, flags,
			  VGEN_CMD_GET_VP);
	if (!hdr)
		return -EMSGSIZE;
	/* Pairs with smp_store_release() in vgen_vp_stats_enter(). */
	in_run = smp_load_acquire(&st->in_run);
	activity = READ_ONCE(st->activity);
	state = vgen_nl_vp_state(in_run, activity);
	rcu_read_lock();
	tid = vgen_nl_live_vnr(rcu_dereference(st->thread), PIDTYPE_PID);
	rcu_read_unlock();
	if (nla_put_u32(skb, VGEN_A_PARTITION_ID, part->reg.id) ||
	    nla_put_u32(skb, VGEN_A_VP_INDEX, vp->index) ||
	    nla_put_u32(skb, VGEN_A_VP_APIC_ID, vp->apic_id) ||
	    nla_put_u32(skb, VGEN_A_VP_STATE, state) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_RUNS, READ_ONCE(st->runs),
			    VGEN_A_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_INSNS_RETIRED, READ_ONCE(st->insns),
			    VGEN_A_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_RUN_NS, READ_ONCE(st->run_ns),
			    VGEN_A_PAD) ||
	    nla_put_u32(skb, VGEN_A_VP_LAST_EXIT, READ_ONCE(st->last_exit)) ||
	    nla_put_u32(skb, VGEN_A_VP_HOST_TID, tid) ||
	    nla_put_u32(skb, VGEN_A_VP_RUN_TID, in_run ? tid : 0) ||
	    nla_put_u32(skb, VGEN_A_VP_ACTIVITY, activity) ||
	    nla_put_u32(skb, VGEN_A_VP_LAST_HALT, READ_ONCE(st->last_halt)) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_HALTS, READ_ONCE(st->halts),
			    VGEN_A_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_GUEST_NS, READ_ONCE(st->guest_ns),
			    VGEN_A_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_KERNEL_NS, READ_ONCE(st->kernel_ns),
			    VGEN_A_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_USER_NS, READ_ONCE(st->user_ns),
			    VGEN_A_PAD) ||
	    vgen_nl_put_irq(skb, vp) ||
	    vgen_nl_put_exits(skb, vp)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * vgen_nl_request_partition() - the partition (with a reference) named by
 * a do request's VGEN_A_PARTITION_ID, if the caller may see it.
 *
 * Return: 0, -EINVAL (missing attribute) or -ENOENT.
 */
static int vgen_nl_request_partition(struct sk_buff *skb,
				     struct genl_info *info,
				     struct vgen_partition **partp)
{
	struct vgen_nl_caller caller;

	if (GENL_REQ_ATTR_CHECK(info, VGEN_A_PARTITION_ID))
		return -EINVAL;
	vgen_nl_caller_init(&caller, skb);
	*partp = vgen_nl_get_visible(nla_get_u32(info->attrs[VGEN_A_PARTITION_ID]),
				     &caller, info->extack);
	return *partp ? 0 : -ENOENT;
}

/* VGEN_CMD_GET_PARTITION without NLM_F_DUMP: one partition. */
static int vgen_nl_get_partition_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct vgen_partition *part;
	struct sk_buff *msg;
	int ret;

	ret = vgen_nl_request_partition(skb, info, &part);
	if (ret)
		return ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		vgen_partition_put(part);
		return -ENOMEM;
	}
	ret = vgen_nl_fill_partition(msg, part, info->snd_portid,
				     info->snd_seq, 0, NULL);
	vgen_partition_put(part);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * vgen_nl_request_vp() - the partition (with a reference) and VP named
 * by a do request's VGEN_A_PARTITION_ID and VGEN_A_VP_INDEX.
 *
 * Return: 0, -EINVAL (missing attribute) or -ENOENT.
 */
static int vgen_nl_request_vp(struct sk_buff *skb, struct genl_info *info,
			      struct vgen_partition **partp,
			      struct vgen_vp **vpp)
{
	struct vgen_partition *part;
	struct vgen_vp *vp;
	u32 index;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VGEN_A_PARTITION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, VGEN_A_VP_INDEX))
		return -EINVAL;
	ret = vgen_nl_request_partition(skb, info, &part);
	if (ret)
		return ret;
	index = nla_get_u32(info->attrs[VGEN_A_VP_INDEX]);
	vp = index < part->vp_count ? vgen_nl_vp(part, index) : NULL;
	if (!vp) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[VGEN_A_VP_INDEX], "no such VP");
		vgen_partition_put(part);
		return -ENOENT;
	}
	*partp = part;
	*vpp = vp;
	return 0;
}

/* VGEN_CMD_GET_VP without NLM_F_DUMP: one VP. */
static int vgen_nl_get_vp_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vgen_partition *part;
	struct sk_buff *msg;
	struct vgen_vp *vp;
	int ret;

	ret = vgen_nl_request_vp(skb, info, &part, &vp);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		vgen_partition_put(part);
		return -ENOMEM;
	}
	ret = vgen_nl_fill_vp(msg, part, vp, info->snd_portid, info->snd_seq,
			      0);
	vgen_partition_put(part);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* One VGEN_CMD_GET_VP_REGS reply from a snapshot. */
static int vgen_nl_fill_regs(struct sk_buff *skb, struct vgen_partition *part,
			     struct vgen_vp *vp,
			     const struct vgen_vp_snapshot *snap,
			     struct genl_info *info)
{
	struct vgen_regs regs;
	struct vgen_sregs sregs;
	void *hdr;

	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq,
			  &vgen_nl_family, 0, VGEN_CMD_GET_VP_REGS);
	if (!hdr)
		return -EMSGSIZE;
	vgen_vp_regs_from_state(&snap->state, &regs);
	vgen_vp_sregs_from_state(&snap->state, &sregs);
	if (nla_put_u32(skb, VGEN_A_PARTITION_ID, part->reg.id) ||
	    nla_put_u32(skb, VGEN_A_VP_INDEX, vp->index) ||
	    nla_put_u32(skb, VGEN_A_VP_ACTIVITY, snap->activity) ||
	    vgen_nl_put_u64(skb, VGEN_A_VP_INSNS_RETIRED, snap->insns,
			    VGEN_A_PAD) ||
	    nla_put(skb, VGEN_A_VP_REGS, sizeof(regs), &regs) ||
	    nla_put(skb, VGEN_A_VP_SREGS, sizeof(sregs), &sregs) ||
	    (vp->lapic && nla_put(skb, VGEN_A_VP_LAPIC, sizeof(snap->lapic),
				  &snap->lapic))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* VGEN_CMD_GET_VP_REGS (do only): a consistent register snapshot. */
static int vgen_nl_get_vp_regs_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct vgen_vp_snapshot *snap;
	struct vgen_partition *part;
	struct sk_buff *msg = NULL;
	struct vgen_vp *vp;
	int ret;

	ret = vgen_nl_request_vp(skb, info, &part, &vp);
	if (ret)
		return ret;
	snap = kzalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);
	if (!snap) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vgen_vp_snapshot_take(vp, snap);
	if (ret) {
		if (ret == -EAGAIN)
			NL_SET_ERR_MSG(info->extack,
				       "the VP did not answer in time");
		goto out;
	}
	msg = genlmsg_new(nla_total_size(sizeof(struct vgen_lapic_state)) +
			  NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vgen_nl_fill_regs(msg, part, vp, snap, info);
out:
	kfree(snap);
	vgen_partition_put(part);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* One VGEN_A_IRQ_ROUTE nest. */
static int vgen_nl_put_route(struct sk_buff *skb, u32 irq,
			     const struct vgen_irq_line_info *l)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, VGEN_A_IRQ_ROUTE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VGEN_A_ROUTE_IRQ, irq) ||
	    nla_put_u32(skb, VGEN_A_ROUTE_FLAGS, l->flags) ||
	    vgen_nl_put_u64(skb, VGEN_A_ROUTE_ADDRESS, l->address,
			    VGEN_A_ROUTE_PAD) ||
	    nla_put_u32(skb, VGEN_A_ROUTE_DATA, l->data) ||
	    vgen_nl_put_u64(skb, VGEN_A_ROUTE_DELIVERED, l->delivered,
			    VGEN_A_ROUTE_PAD) ||
	    vgen_nl_put_u64(skb, VGEN_A_ROUTE_DROPPED, l->dropped,
			    VGEN_A_ROUTE_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * VGEN_CMD_GET_IRQ_ROUTES (do only): the IOAPIC routing table with its
 * counters; no route nests without an in-kernel APIC.
 */
static int vgen_nl_get_irq_routes_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	struct vgen_irq_line_info *lines;
	struct vgen_partition *part;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int ret;

	ret = vgen_nl_request_partition(skb, info, &part);
	if (ret)
		return ret;
	lines = kcalloc(VGEN_IOAPIC_PINS, sizeof(*lines), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (!lines || !msg)
		goto err;
	ret = -EMSGSIZE;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq,
			  &vgen_nl_family, 0, VGEN_CMD_GET_IRQ_ROUTES);
	if (!hdr || nla_put_u32(msg, VGEN_A_PARTITION_ID, part->reg.id))
		goto err;
	if (!vgen_irq_get_lines(part, lines)) {
		for (i = 0; i < VGEN_IOAPIC_PINS; i++)
			if (vgen_nl_put_route(msg, i, &lines[i]))
				goto err;
	}
	genlmsg_end(msg, hdr);
	kfree(lines);
	vgen_partition_put(part);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	kfree(lines);
	vgen_partition_put(part);
	return ret;
}

static int vgen_nl_dump_done(struct netlink_callback *cb)
{
	put_pid(vgen_nl_dump_ctx(cb)->caller.tgid);
	return 0;
}

static int vgen_nl_dump_partitions_start(struct netlink_callback *cb)
{
	struct vgen_nl_dump *d = vgen_nl_dump_ctx(cb);

	vgen_nl_caller_init(&d->caller, cb->skb);
	get_pid(d->caller.tgid);
	d->next_id = 1;
	return 0;
}

/* VGEN_CMD_GET_PARTITION dump: every visible partition, by id. */
static int vgen_nl_dump_partitions(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct vgen_nl_dump *d = vgen_nl_dump_ctx(cb);
	struct vgen_partition *part;
	int ret = 0;

	/* Never 0: nl_dump_check_consistent() ignores a zero sequence. */
	cb->seq = vgen_registry_generation() | 1U << 31;
	while ((part = vgen_registry_get_next(&d->next_id))) {
		if (vgen_nl_visible(part, &d->caller))
			ret = vgen_nl_fill_partition(skb, part,
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		vgen_partition_put(part);
		if (ret)
			break;
		d->next_id++;
	}
	/* Full: continue with d->next_id in the next part of the dump. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static int vgen_nl_dump_vps_start(struct netlink_callback *cb)
{
	struct vgen_nl_dump *d = vgen_nl_dump_ctx(cb);
	struct nlattr *tb[VGEN_A_MAX + 1];
	struct vgen_partition *part;
	int ret;

	/* Already validated by the genetlink core with the same policy. */
	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, VGEN_A_MAX,
			  vgen_nl_vp_policy, cb->extack);
	if (ret)
		return ret;
	if (!tb[VGEN_A_PARTITION_ID]) {
		NL_SET_ERR_MSG(cb->extack, "VGEN_A_PARTITION_ID required");
		return -EINVAL;
	}
	vgen_nl_caller_init(&d->caller, cb->skb);
	d->part_id = nla_get_u32(tb[VGEN_A_PARTITION_ID]);
	d->next_vp = 0;
	part = vgen_nl_get_visible(d->part_id, &d->caller, cb->extack);
	if (!part)
		return -ENOENT;
	vgen_partition_put(part);
	get_pid(d->caller.tgid);
	return 0;
}

/*
 * VGEN_CMD_GET_VP dump: the created VPs of one partition, by index. A
 * partition destroyed midway ends the dump.
 */
static int vgen_nl_dump_vps(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vgen_nl_dump *d = vgen_nl_dump_ctx(cb);
	struct vgen_partition *part;
	struct vgen_vp *vp;
	int ret = 0;

	part = vgen_registry_get(d->part_id);
	if (!part)
		return 0;
	for (; d->next_vp < part->vp_count; d->next_vp++) {
		vp = vgen_nl_vp(part, d->next_vp);
		if (!vp)
			continue;
		ret = vgen_nl_fill_vp(skb, part, vp, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret)
			break;
	}
	vgen_partition_put(part);
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static const struct genl_ops vgen_nl_ops[] = {
	{
		.cmd		= VGEN_CMD_GET_PARTITION,
		.policy		= vgen_nl_partition_policy,
		.maxattr	= VGEN_A_MAX,
		.doit		= vgen_nl_get_partition_doit,
		.start		= vgen_nl_dump_partitions_start,
		.dumpit		= vgen_nl_dump_partitions,
		.done		= vgen_nl_dump_done,
	},
	{
		.cmd		= VGEN_CMD_GET_VP,
		.policy		= vgen_nl_vp_policy,
		.maxattr	= VGEN_A_MAX,
		.doit		= vgen_nl_get_vp_doit,
		.start		= vgen_nl_dump_vps_start,
		.dumpit		= vgen_nl_dump_vps,
		.done		= vgen_nl_dump_done,
	},
	{
		.cmd		= VGEN_CMD_GET_VP_REGS,
		/* The same attributes, both required (checked there). */
		.policy		= vgen_nl_vp_policy,
		.maxattr	= VGEN_A_MAX,
		.doit		= vgen_nl_get_vp_regs_doit,
	},
	{
		.cmd		= VGEN_CMD_GET_IRQ_ROUTES,
		.policy		= vgen_nl_partition_policy,
		.maxattr	= VGEN_A_MAX,
		.doit		= vgen_nl_get_irq_routes_doit,
	},
};

static const struct genl_multicast_group vgen_nl_mcgrps[] = {
	[VGEN_NL_GRP_EVENTS] = {
		.name	= VGEN_GENL_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family vgen_nl_family __ro_after_init = {
	.name		= VGEN_GENL_NAME,
	.version	= VGEN_GENL_VERSION,
	.maxattr	= VGEN_A_MAX,
	.module		= THIS_MODULE,
	.ops		= vgen_nl_ops,
	.n_ops		= ARRAY_SIZE(vgen_nl_ops),
	/* Every command is validated strictly, reserved header too. */
	.resv_start_op	= VGEN_CMD_GET_PARTITION,
	.mcgrps		= vgen_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vgen_nl_mcgrps),
	.parallel_ops	= true,
};

/*
 * vgen_nl_event_begin() - a new event message with its type and the
 * partition's id and owner, or NULL if nobody listens or out of memory.
 */
static struct sk_buff *vgen_nl_event_begin(struct vgen_partition *part,
					   u32 event, void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&vgen_nl_family, &init_net,
				VGEN_NL_GRP_EVENTS))
		return NULL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &vgen_nl_family, 0, VGEN_CMD_EVENT);
	if (!*hdr ||
	    nla_put_u32(msg, VGEN_A_EVENT, event) ||
	    nla_put_u32(msg, VGEN_A_PARTITION_ID, part->reg.id) ||
	    nla_put_u32(msg, VGEN_A_PARTITION_OWNER_PID,
			pid_nr(part->reg.owner))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void vgen_nl_event_send(struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	/* -ESRCH (the last listener just left) is not an error. */
	genlmsg_multicast(&vgen_nl_family, msg, 0, VGEN_NL_GRP_EVENTS,
			  GFP_KERNEL);
}

/**
 * vgen_netlink_notify_partition() - announce a partition event.
 * @part: the partition (registered: its id is set).
 * @event: VGEN_EVENT_PARTITION_CREATED or VGEN_EVENT_PARTITION_DESTROYED.
 *
 * May sleep. Events are best effort: lost when memory is short or a
 * listener's socket is full.
 */
void vgen_netlink_notify_partition(struct vgen_partition *part, u32 event)
{
	struct sk_buff *msg;
	void *hdr;

	msg = vgen_nl_event_begin(part, event, &hdr);
	if (msg)
		vgen_nl_event_send(msg, hdr);
}

/**
 * vgen_netlink_notify_vp_halted() - announce that a VP stopped for good
 *	(VGEN_EVENT_VP_HALTED).
 * @vp: the VP.
 * @reason: the exit: VGEN_EXIT_SHUTDOWN or VGEN_EXIT_INTERNAL_ERROR.
 *
 * May sleep. Best effort, like vgen_netlink_notify_partition().
 */
void vgen_netlink_notify_vp_halted(struct vgen_vp *vp, u32 reason)
{
	struct sk_buff *msg;
	void *hdr;

	msg = vgen_nl_event_begin(vp->part, VGEN_EVENT_VP_HALTED, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, VGEN_A_VP_INDEX, vp->index) ||
	    nla_put_u32(msg, VGEN_A_EVENT_REASON, reason)) {
		nlmsg_free(msg);
		return;
	}
	vgen_nl_event_send(msg, hdr);
}

/**
 * vgen_netlink_init() - register the generic netlink family.
 *
 * Return: 0 or the error of genl_register_family().
 */
int __init vgen_netlink_init(void)
{
	return genl_register_family(&vgen_nl_family);
}

/**
 * vgen_netlink_exit() - unregister the generic netlink family.
 */
void vgen_netlink_exit(void)
{
	genl_unregister_family(&vgen_nl_family);
}

MODULE_ALIAS_GENL_FAMILY(VGEN_GENL_NAME);
