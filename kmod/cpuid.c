// SPDX-License-Identifier: GPL-2.0
/*
 * A partition's CPUID table.
 *
 * The table starts as the software VP's defaults (svp_cpuid_defaults()),
 * can be read and changed on a proto-partition, and is frozen by
 * VGEN_FINALIZE. VPs exist only after finalization, so they read it
 * without taking a lock.
 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vgen.h"

#define VGEN_CPUID_EXT_BASE	0x80000000U

/* Sort key: function, then non-significant before significant, then index. */
static int vgen_cpuid_cmp(u32 fn, u32 flags, u32 idx,
			  const struct vgen_cpuid_leaf *l)
{
	bool sig = flags & VGEN_CPUID_SIGNIFICANT_INDEX;
	bool lsig = l->flags & VGEN_CPUID_SIGNIFICANT_INDEX;

	if (fn != l->fn)
		return fn < l->fn ? -1 : 1;
	if (sig != lsig)
		return sig ? 1 : -1;
	if (!sig || idx == l->idx)
		return 0;
	return idx < l->idx ? -1 : 1;
}

/*
 * vgen_cpuid_find() - position of the leaf with the given key in @t, or
 * of where it would be inserted; *@found says which.
 */
static unsigned int vgen_cpuid_find(const struct vgen_cpuid_table *t, u32 fn,
				    u32 flags, u32 idx, bool *found)
{
	unsigned int lo = 0, hi = t->nent;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = vgen_cpuid_cmp(fn, flags, idx, &t->leaves[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

/*
 * vgen_cpuid_apply() - merge one entry into @t with the mask rule, adding
 * the leaf (starting from zeros) if it is not there yet.
 *
 * Return: 0, or -E2BIG if the table is full.
 */
static int vgen_cpuid_apply(struct vgen_cpuid_table *t,
			    const struct vgen_cpuid_entry *e)
{
	struct vgen_cpuid_leaf *l;
	unsigned int pos, i;
	bool found;

	pos = vgen_cpuid_find(t, e->function, e->flags, e->index, &found);
	if (!found) {
		if (t->nent >= VGEN_MAX_CPUID_ENTRIES)
			return -E2BIG;
		memmove(&t->leaves[pos + 1], &t->leaves[pos],
			(t->nent - pos) * sizeof(t->leaves[0]));
		t->nent++;
		l = &t->leaves[pos];
		memset(l, 0, sizeof(*l));
		l->fn = e->function;
		l->flags = e->flags;
		l->idx = e->flags & VGEN_CPUID_SIGNIFICANT_INDEX ? e->index : 0;
	}
	l = &t->leaves[pos];
	for (i = 0; i < 4; i++)
		l->regs[i] = (l->regs[i] & ~e->mask[i]) |
			     (e->result[i] & e->mask[i]);
	return 0;
}

/* CPUID leaf 1 feature bits of the in-kernel local APIC. */
#define VGEN_CPUID_1_ECX_X2APIC		BIT(21)
#define VGEN_CPUID_1_ECX_TSC_DEADLINE	BIT(24)
#define VGEN_CPUID_1_EDX_APIC		BIT(9)
/* The MTRRs the module keeps for every VP (msr.c). */
#define VGEN_CPUID_1_EDX_MTRR		BIT(12)

/**
 * vgen_cpuid_init() - give a new partition the software VP's default
 *	CPUID table, plus the MTRR feature bit (the module keeps the MTRRs)
 *	and the APIC feature bits unless the partition leaves the APIC to
 *	userspace.
 * @part: the partition.
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_cpuid_init(struct vgen_partition *part)
{
	struct svp_cpuid_leaf *defs;
	struct vgen_cpuid_table *t;
	struct vgen_cpuid_entry e;
	unsigned int n, i;

	t = kvzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	defs = kvcalloc(VGEN_MAX_CPUID_ENTRIES, sizeof(*defs),
			GFP_KERNEL_ACCOUNT);
	if (!defs) {
		kvfree(t);
		return -ENOMEM;
	}
	n = svp_cpuid_defaults(defs, VGEN_MAX_CPUID_ENTRIES);
	n = min_t(unsigned int, n, VGEN_MAX_CPUID_ENTRIES);
	memset(&e, 0, sizeof(e));
	memset(e.mask, 0xff, sizeof(e.mask));
	for (i = 0; i < n; i++) {
		e.function = defs[i].fn;
		e.index = defs[i].idx;
		e.flags = defs[i].flags & SVP_CPUID_SIGNIFICANT_INDEX ?
			  VGEN_CPUID_SIGNIFICANT_INDEX : 0;
		memcpy(e.result, defs[i].regs, sizeof(e.result));
		/* Cannot fail: at most VGEN_MAX_CPUID_ENTRIES leaves. */
		vgen_cpuid_apply(t, &e);
	}
	kvfree(defs);
	/* The MTRRs (msr.c): every partition. */
	memset(&e, 0, sizeof(e));
	e.function = 1;
	e.result[3] = e.mask[3] = VGEN_CPUID_1_EDX_MTRR;
	vgen_cpuid_apply(t, &e);
	if (!(part->config_flags & VGEN_PARTITION_USER_MODE_APIC)) {
		/* The in-kernel APIC: xAPIC, x2APIC and the TSC deadline. */
		memset(&e, 0, sizeof(e));
		e.function = 1;
		e.result[2] = e.mask[2] = VGEN_CPUID_1_ECX_X2APIC |
					   VGEN_CPUID_1_ECX_TSC_DEADLINE;
		e.result[3] = e.mask[3] = VGEN_CPUID_1_EDX_APIC;
		vgen_cpuid_apply(t, &e);
	}
	part->cpuid = t;
	return 0;
}

/**
 * vgen_cpuid_destroy() - free the CPUID table. Idempotent.
 * @part: the partition.
 */
void vgen_cpuid_destroy(struct vgen_partition *part)
{
	kvfree(part->cpuid);
	part->cpuid = NULL;
}

/**
 * vgen_cpuid_get() - VGEN_GET_CPUID: copy the table to userspace.
 * @part: the partition.
 * @ucpuid: the user's struct vgen_cpuid; nent is the capacity on input,
 *	the number of entries on output.
 *
 * Return: 0; -EFAULT bad pointer; -EINVAL non-zero flags or reserved;
 * -E2BIG capacity too small (nent is set to the needed count).
 */
int vgen_cpuid_get(struct vgen_partition *part,
		   struct vgen_cpuid __user *ucpuid)
{
	struct vgen_cpuid hdr;
	struct vgen_cpuid_entry e;
	const struct vgen_cpuid_table *t = part->cpuid;
	unsigned int i, nent;
	int ret = 0;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.reserved)
		return -EINVAL;

	mutex_lock(&part->state_lock);
	nent = t->nent;
	if (hdr.nent < nent) {
		ret = -E2BIG;
		goto out;
	}
	memset(&e, 0, sizeof(e));
	memset(e.mask, 0xff, sizeof(e.mask));
	for (i = 0; i < nent; i++) {
		e.function = t->leaves[i].fn;
		e.index = t->leaves[i].idx;
		e.flags = t->leaves[i].flags;
		memcpy(e.result, t->leaves[i].regs, sizeof(e.result));
		if (copy_to_user(&ucpuid->entries[i], &e, sizeof(e))) {
			ret = -EFAULT;
			goto out;
		}
	}
out:
	mutex_unlock(&part->state_lock);
	if ((!ret || ret == -E2BIG) && put_user(nent, &ucpuid->nent))
		ret = -EFAULT;
	return ret;
}

/* Validate one entry of VGEN_SET_CPUID. */
static bool vgen_cpuid_entry_valid(const struct vgen_cpuid_entry *e)
{
	if (e->flags & ~VGEN_CPUID_ENTRY_VALID_FLAGS)
		return false;
	return !e->reserved0 && vgen_zeroed(e->reserved);
}

/**
 * vgen_cpuid_set() - VGEN_SET_CPUID: merge entries into the table.
 * @part: the partition.
 * @ucpuid: the user's struct vgen_cpuid.
 *
 * All entries are validated before any is applied; they are applied in
 * order with the mask rule, and the table is only changed if all of them
 * fit.
 *
 * Return: 0; -EFAULT bad pointer; -EINVAL non-zero flags or reserved
 * fields (in the header or any entry), nent above VGEN_MAX_CPUID_ENTRIES;
 * -EBUSY the partition is finalized; -E2BIG the table would exceed
 * VGEN_MAX_CPUID_ENTRIES; -ENOMEM.
 */
int vgen_cpuid_set(struct vgen_partition *part,
		   struct vgen_cpuid __user *ucpuid)
{
	struct vgen_cpuid_table *tmp;
	struct vgen_cpuid_entry *ents;
	struct vgen_cpuid hdr;
	unsigned int i;
	int ret = 0;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.reserved || hdr.nent > VGEN_MAX_CPUID_ENTRIES)
		return -EINVAL;
	if (!hdr.nent) {
		mutex_lock(&part->state_lock);
		ret = part->finalized ? -EBUSY : 0;
		mutex_unlock(&part->state_lock);
		return ret;
	}

	ents = vmemdup_user(ucpuid->entries,
			    array_size(hdr.nent, sizeof(*ents)));
	if (IS_ERR(ents))
		return PTR_ERR(ents);
	for (i = 0; i < hdr.nent; i++) {
		if (!vgen_cpuid_entry_valid(&ents[i])) {
			ret = -EINVAL;
			goto out_free;
		}
	}
	tmp = kvmalloc(sizeof(*tmp), GFP_KERNEL_ACCOUNT);
	if (!tmp) {
		ret = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&part->state_lock);
	if (part->finalized) {
		ret = -EBUSY;
		goto out_unlock;
	}
	/* Work on a copy so that -E2BIG leaves the table unchanged. */
	tmp->nent = part->cpuid->nent;
	memcpy(tmp->leaves, part->cpuid->leaves,
	       tmp->nent * sizeof(tmp->leaves[0]));
	for (i = 0; i < hdr.nent; i++) {
		ret = vgen_cpuid_apply(tmp, &ents[i]);
		if (ret)
			goto out_unlock;
	}
	swap(tmp, part->cpuid);
out_unlock:
	mutex_unlock(&part->state_lock);
	kvfree(tmp);
out_free:
	kvfree(ents);
	return ret;
}

/* Lookup without the per-VP fix-ups; NULL if the leaf is absent. */
static const struct vgen_cpuid_leaf *
vgen_cpuid_find_leaf(const struct vgen_cpuid_table *t, u32 fn, u32 idx)
{
	unsigned int pos;
	bool found;

	pos = vgen_cpuid_find(t, fn, VGEN_CPUID_SIGNIFICANT_INDEX, idx,
			      &found);
	if (found)
		return &t->leaves[pos];
	pos = vgen_cpuid_find(t, fn, 0, 0, &found);
	return found ? &t->leaves[pos] : NULL;
}

/* EAX of leaf @fn (the maximum leaf of its range), 0 if absent. */
static u32 vgen_cpuid_max(const struct vgen_cpuid_table *t, u32 fn)
{
	const struct vgen_cpuid_leaf *l = vgen_cpuid_find_leaf(t, fn, 0);

	return l ? l->regs[0] : 0;
}

/**
 * vgen_cpuid_lookup() - the CPUID result a VP sees.
 * @part: the (finalized) partition.
 * @apic_id: the VP's APIC ID.
 * @fn: EAX input.
 * @idx: ECX input.
 * @out: EAX, EBX, ECX, EDX.
 *
 * A leaf with a significant index matches (@fn, @idx) exactly; otherwise a
 * leaf of @fn without one matches any @idx. A function above the maximum
 * basic (leaf 0 EAX) or extended (leaf 0x80000000 EAX) leaf that is not
 * in the table answers as the maximum basic leaf, as on Intel hardware;
 * any other absent leaf reads as zeros. The initial APIC ID (leaf 1
 * EBX[31:24]) and the x2APIC ID (leaves 0xB and 0x1F EDX) are this VP's.
 *
 * Context: only after VGEN_FINALIZE (the table is frozen); lockless.
 */
void vgen_cpuid_lookup(const struct vgen_partition *part, u32 apic_id,
		       u32 fn, u32 idx, u32 out[4])
{
	const struct vgen_cpuid_table *t = part->cpuid;
	const struct vgen_cpuid_leaf *l;
	u32 max_basic = vgen_cpuid_max(t, 0);

	l = vgen_cpuid_find_leaf(t, fn, idx);
	if (!l) {
		u32 max = fn >= VGEN_CPUID_EXT_BASE ?
			  vgen_cpuid_max(t, VGEN_CPUID_EXT_BASE) : max_basic;

		if (fn > max) {
			fn = max_basic;
			l = vgen_cpuid_find_leaf(t, fn, idx);
		}
	}
	if (!l) {
		memset(out, 0, 4 * sizeof(u32));
		return;
	}
	memcpy(out, l->regs, 4 * sizeof(u32));

	switch (fn) {
	case 1:
		out[1] = (out[1] & 0x00ffffff) | ((apic_id & 0xff) << 24);
		break;
	case 0xb:
	case 0x1f:
		out[3] = apic_id;
		break;
	}
}
