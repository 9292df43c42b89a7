// SPDX-License-Identifier: GPL-2.0
/*
 * msr.c - the MSR state group of a VP: VGEN_GET_MSRS and VGEN_SET_MSRS.
 *
 * The supported MSRs are the ones the software VP keeps in struct
 * svp_state and the MTRRs, which the module keeps in struct vgen_vp
 * (state only: memory types change nothing the software VP does); their
 * value rules are the guest's WRMSR rules (svp_msr_value_ok()). Every request is validated whole before anything
 * is applied. Locking: the VP's run_lock, through vgen_vp_state_begin() /
 * vgen_vp_state_commit() or directly for reads.
 */
#include <linux/bits.h>
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
#define VGEN_MSR_MTRRCAP	0x000000fe
#define VGEN_MSR_MTRR_VAR_FIRST	0x00000200
#define VGEN_MSR_MTRR_VAR_LAST	0x0000020f
#define VGEN_MSR_MTRR_FIX64K	0x00000250
#define VGEN_MSR_MTRR_FIX16K_0	0x00000258
#define VGEN_MSR_MTRR_FIX16K_1	0x00000259
#define VGEN_MSR_MTRR_FIX4K_FIRST 0x00000268
#define VGEN_MSR_MTRR_FIX4K_LAST 0x0000026f
#define VGEN_MSR_MTRR_DEF_TYPE	0x000002ff
#define VGEN_MSR_TSC_DEADLINE_IDX 0x000006e0

/*
 * IA32_MTRRCAP: VCNT (7:0) variable pairs, FIX (8) fixed-range MTRRs,
 * WC (10) write combining; no SMRR (11).
 */
#define VGEN_MTRRCAP_VALUE	(VGEN_MTRR_VAR_PAIRS | BIT_ULL(8) | BIT_ULL(10))

/* The field of MTRR @index in @m; NULL if @index is not a writable MTRR. */
static u64 *vgen_mtrr_field(struct vgen_mtrr *m, u32 index)
{
	switch (index) {
	case VGEN_MSR_MTRR_DEF_TYPE:
		return &m->def_type;
	case VGEN_MSR_MTRR_VAR_FIRST ... VGEN_MSR_MTRR_VAR_LAST:
		return &m->var[index - VGEN_MSR_MTRR_VAR_FIRST];
	case VGEN_MSR_MTRR_FIX64K:
		return &m->fixed[0];
	case VGEN_MSR_MTRR_FIX16K_0:
		return &m->fixed[1];
	case VGEN_MSR_MTRR_FIX16K_1:
		return &m->fixed[2];
	case VGEN_MSR_MTRR_FIX4K_FIRST ... VGEN_MSR_MTRR_FIX4K_LAST:
		return &m->fixed[3 + index - VGEN_MSR_MTRR_FIX4K_FIRST];
	default:
		return NULL;
	}
}

/* Whether @index is a writable MTRR (not IA32_MTRRCAP). */
static bool vgen_msr_is_mtrr(u32 index)
{
	struct vgen_mtrr m;

	return vgen_mtrr_field(&m, index);
}

/**
 * vgen_vp_mtrr_msr() - the guest's RDMSR/WRMSR of an MTRR.
 * @vp: the VP (its run lock held: called from the run loop).
 * @index: the MSR index.
 * @write: WRMSR of *@val, else RDMSR into *@val.
 * @val: the value.
 *
 * IA32_MTRRCAP reads as VGEN_MTRRCAP_VALUE and refuses writes; the other
 * MTRRs take every value svp_msr_value_ok() accepts (the rules shared with
 * VGEN_SET_MSRS).
 *
 * Return: 0 done; -1 the instruction raises #GP(0); 1 @index is not an
 * MTRR (the caller handles it).
 */
int vgen_vp_mtrr_msr(struct vgen_vp *vp, u32 index, bool write, u64 *val)
{
	u64 *f;

	lockdep_assert_held(&vp->run_lock);
	if (index == VGEN_MSR_MTRRCAP) {
		if (write)
			return -1;
		*val = VGEN_MTRRCAP_VALUE;
		return 0;
	}
	f = vgen_mtrr_field(&vp->mtrr, index);
	if (!f)
		return 1;
	if (!write) {
		*val = *f;
		return 0;
	}
	if (!svp_msr_value_ok(index, *val))
		return -1;
	*f = *val;
	return 0;
}

/**
 * vgen_vp_mtrr_reset() - the MTRRs' power-on values: all zero (MTRRs
 *	disabled, every range unset).
 * @vp: the VP (run lock held, or not yet visible).
 */
void vgen_vp_mtrr_reset(struct vgen_vp *vp)
{
	memset(&vp->mtrr, 0, sizeof(vp->mtrr));
}

/* IA32_TSC_DEADLINE exists: an in-kernel APIC with TSC-deadline mode. */
static bool vgen_msr_has_tsc_deadline(const struct vgen_vp *vp)
{
	return vp->lapic && vp->lapic->has_tsc_deadline;
}

/*
 * vgen_msr_check() - whether @e is a supported MSR of @vp and, when @set,
 * whether its value passes the rules of the guest's WRMSR.
 */
static bool vgen_msr_check(struct vgen_vp *vp, const struct vgen_msr_entry *e,
			   bool set)
{
	u64 v = e->data;

	if (e->reserved)
		return false;
	switch (e->index) {
	case VGEN_MSR_TSC_DEADLINE_IDX:
		/* Any value: the guest's WRMSR takes any too. */
		return vgen_msr_has_tsc_deadline(vp);
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
	case VGEN_MSR_MTRRCAP:
		/* Read only; SET accepts the value GET returns. */
		return !set || v == VGEN_MTRRCAP_VALUE;
	default:
		if (!vgen_msr_is_mtrr(e->index))
			return false;
		return !set || svp_msr_value_ok(e->index, v);
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
static struct vgen_msr_entry *vgen_msrs_fetch(struct vgen_vp *vp,
					      struct vgen_msrs __user *argp,
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
		if (!vgen_msr_check(vp, &e[i], set)) {
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
	struct vgen_mtrr mtrr;
	struct svp_state *st;
	u64 tsc, deadline = 0, *f;
	u32 i, n;
	int ret;

	e = vgen_msrs_fetch(vp, argp, false, &n);
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
	mtrr = vp->mtrr;
	/* The same source as the guest's RDTSC / RDMSR (svp_env_rdtsc()). */
	tsc = rdtsc();
	if (vgen_msr_has_tsc_deadline(vp))
		vgen_lapic_msr(vp->lapic, VGEN_MSR_TSC_DEADLINE_IDX, false,
			       &deadline);
	mutex_unlock(&vp->run_lock);

	for (i = 0; i < n; i++) {
		f = vgen_mtrr_field(&mtrr, e[i].index);
		if (e[i].index == VGEN_MSR_TSC)
			e[i].data = tsc + st->tsc_offset;
		else if (e[i].index == VGEN_MSR_TSC_DEADLINE_IDX)
			e[i].data = deadline;
		else if (e[i].index == VGEN_MSR_MTRRCAP)
			e[i].data = VGEN_MTRRCAP_VALUE;
		else if (f)
			e[i].data = *f;
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
	struct vgen_mtrr mtrr;
	struct svp_state *st;
	u32 i, n;
	u64 *f;
	int ret;

	e = vgen_msrs_fetch(vp, argp, true, &n);
	if (IS_ERR(e))
		return PTR_ERR(e);
	st = vgen_vp_state_begin(vp);
	if (IS_ERR(st)) {
		kfree(e);
		return PTR_ERR(st);
	}
	mtrr = vp->mtrr;
	for (i = 0; i < n; i++) {
		f = vgen_mtrr_field(&mtrr, e[i].index);
		if (e[i].index == VGEN_MSR_TSC)
			st->tsc_offset = e[i].data - rdtsc();
		else if (e[i].index == VGEN_MSR_MTRRCAP ||
			 e[i].index == VGEN_MSR_TSC_DEADLINE_IDX)
			continue;	/* fixed value / applied below */
		else if (f)
			*f = e[i].data;
		else
			*vgen_msr_field(st, e[i].index) = e[i].data;
	}
	/* The MTRRs change only if the rest of the state is accepted. */
	ret = vgen_vp_state_apply(vp, st);
	if (!ret) {
		vp->mtrr = mtrr;
		/*
		 * After the TSC offset: the deadline is in guest TSC units.
		 * As the guest's WRMSR: ignored unless LVTT is in
		 * TSC-deadline mode, 0 disarms.
		 */
		for (i = 0; i < n; i++)
			if (e[i].index == VGEN_MSR_TSC_DEADLINE_IDX)
				vgen_lapic_msr(vp->lapic, e[i].index, true,
					       &e[i].data);
	}
	mutex_unlock(&vp->run_lock);
	kfree(e);
	kfree(st);
	return ret;
}
