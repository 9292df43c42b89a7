// SPDX-License-Identifier: GPL-2.0
/*
 * msr.c - the MSR state group of a VP: VGEN_GET_MSRS and VGEN_SET_MSRS.
 *
 * The supported MSRs are the ones the software VP keeps in struct
 * svp_state; their value rules are the guest's WRMSR rules
 * (svp_msr_value_ok()). Every request is validated whole before anything
 * is applied. Locking: the VP's run_lock, through vgen_vp_state_begin() /
 * vgen_vp_state_commit() or directly for reads.
 */
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/msr.h>

#include "vgen.h"

/* x86 MSR indices of VGEN_GET_MSRS / VGEN_SET_MSRS. */
#define VGEN_MSR_TSC		0x00000010
#define VGEN_MSR_SYSENTER_CS	0x00000174
#define VGEN_MSR_SYSENTER_ESP	0x00000175
#define VGEN_MSR_SYSENTER_EIP	0x00000176
#define VGEN_MSR_PAT		0x00000277
#define VGEN_MSR_STAR		0xc0000081
#define VGEN_MSR_LSTAR		0xc0000082
#define VGEN_MSR_CSTAR		0xc0000083
#define VGEN_MSR_SFMASK		0xc0000084
#define VGEN_MSR_KERNEL_GS_BASE	0xc0000102
#define VGEN_MSR_TSC_AUX	0xc0000103

/*
 * vgen_msr_check() - whether @e is a supported MSR and, when @set, whether
 * its value passes the rules of the guest's WRMSR.
 */
static bool vgen_msr_check(const struct vgen_msr_entry *e, bool set)
{
	u64 v = e->data;

	if (e->reserved)
		return false;
	switch (e->index) {
	case VGEN_MSR_TSC:
	case VGEN_MSR_STAR:
	case VGEN_MSR_SYSENTER_CS:
	case VGEN_MSR_SFMASK:
	case VGEN_MSR_TSC_AUX:
	case VGEN_MSR_PAT:
	case VGEN_MSR_SYSENTER_ESP:
	case VGEN_MSR_SYSENTER_EIP:
	case VGEN_MSR_LSTAR:
	case VGEN_MSR_CSTAR:
	case VGEN_MSR_KERNEL_GS_BASE:
		return !set || svp_msr_value_ok(e->index, v);
	default:
		return false;
	}
}

/* The state field of a checked, non-TSC MSR index. */
static u64 *vgen_msr_field(struct svp_state *st, u32 index)
{
	switch (index) {
	case VGEN_MSR_SYSENTER_CS:
		return &st->sysenter_cs;
	case VGEN_MSR_SYSENTER_ESP:
		return &st->sysenter_esp;
	case VGEN_MSR_SYSENTER_EIP:
		return &st->sysenter_eip;
	case VGEN_MSR_PAT:
		return &st->pat;
	case VGEN_MSR_STAR:
		return &st->star;
	case VGEN_MSR_LSTAR:
		return &st->lstar;
	case VGEN_MSR_CSTAR:
		return &st->cstar;
	case VGEN_MSR_SFMASK:
		return &st->sfmask;
	case VGEN_MSR_KERNEL_GS_BASE:
		return &st->kernel_gs_base;
	default:
		return &st->tsc_aux;
	}
}

/*
 * vgen_msrs_fetch() - copy in and check the header and entries of a
 * VGEN_GET_MSRS (@set false) or VGEN_SET_MSRS call.
 *
 * Return: the entries (kfree() them; ZERO_SIZE_PTR for none) and their
 * number in @n; ERR_PTR(-EFAULT), ERR_PTR(-EINVAL) or ERR_PTR(-ENOMEM).
 */
static struct vgen_msr_entry *vgen_msrs_fetch(struct vgen_msrs __user *argp,
					      bool set, u32 *n)
{
	struct vgen_msr_entry *e;
	struct vgen_msrs hdr;
	u32 i;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return ERR_PTR(-EFAULT);
	if (hdr.flags || hdr.reserved || hdr.nmsrs > VGEN_MAX_MSR_ENTRIES)
		return ERR_PTR(-EINVAL);
	e = kmalloc_array(hdr.nmsrs, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(e, argp->entries, array_size(hdr.nmsrs, sizeof(*e)))) {
		kfree(e);
		return ERR_PTR(-EFAULT);
	}
	for (i = 0; i < hdr.nmsrs; i++) {
		if (!vgen_msr_check(&e[i], set)) {
			kfree(e);
			return ERR_PTR(-EINVAL);
		}
	}
	*n = hdr.nmsrs;
	return e;
}

/**
 * vgen_vp_get_msrs() - VGEN_GET_MSRS.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_msrs followed by its entries.
 *
 * Fills the data of every entry; nothing is written back on an error.
 *
 * Return: 0; -EFAULT bad pointer; -EINVAL non-zero flags or reserved
 * fields, more than VGEN_MAX_MSR_ENTRIES entries or an unsupported MSR
 * index; -ENOMEM; -EBUSY VP in use by another thread.
 */
int vgen_vp_get_msrs(struct vgen_vp *vp, struct vgen_msrs __user *argp)
{
	struct vgen_msr_entry *e;
	struct svp_state *st;
	u64 tsc;
	u32 i, n;
	int ret;

	e = vgen_msrs_fetch(argp, false, &n);
	if (IS_ERR(e))
		return PTR_ERR(e);
	st = kmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st) {
		kfree(e);
		return -ENOMEM;
	}
	if (!mutex_trylock(&vp->run_lock)) {
		ret = -EBUSY;
		goto out;
	}
	svp_get_state(vp->cpu, st);
	/* The same source as the guest's RDTSC / RDMSR (svp_env_rdtsc()). */
	tsc = rdtsc();
	mutex_unlock(&vp->run_lock);

	for (i = 0; i < n; i++) {
		if (e[i].index == VGEN_MSR_TSC)
			e[i].data = tsc + st->tsc_offset;
		else
			e[i].data = *vgen_msr_field(st, e[i].index);
	}
	ret = 0;
	if (n && copy_to_user(argp->entries, e, array_size(n, sizeof(*e))))
		ret = -EFAULT;
out:
	kfree(st);
	kfree(e);
	return ret;
}

/**
 * vgen_vp_set_msrs() - VGEN_SET_MSRS.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_msrs followed by its entries.
 *
 * All entries are checked before any is applied; on an error nothing
 * changes. A TSC entry sets the TSC offset so that the guest TSC equals
 * its data now.
 *
 * Return: 0; -EFAULT bad pointer; -EINVAL non-zero flags or reserved
 * fields, more than VGEN_MAX_MSR_ENTRIES entries, an unsupported MSR
 * index, a value the guest's WRMSR would refuse, or a state the VP
 * refuses (svp_set_state()); -ENOMEM; -EBUSY VP in use by another thread.
 */
int vgen_vp_set_msrs(struct vgen_vp *vp, struct vgen_msrs __user *argp)
{
	struct vgen_msr_entry *e;
	struct svp_state *st;
	u32 i, n;

	e = vgen_msrs_fetch(argp, true, &n);
	if (IS_ERR(e))
		return PTR_ERR(e);
	st = vgen_vp_state_begin(vp);
	if (IS_ERR(st)) {
		kfree(e);
		return PTR_ERR(st);
	}
	for (i = 0; i < n; i++) {
		if (e[i].index == VGEN_MSR_TSC)
			st->tsc_offset = e[i].data - rdtsc();
		else
			*vgen_msr_field(st, e[i].index) = e[i].data;
	}
	kfree(e);
	return vgen_vp_state_commit(vp, st);
}
