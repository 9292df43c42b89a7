// SPDX-License-Identifier: GPL-2.0
/*
 * VP debugging ioctls: VGEN_SET_GUEST_DEBUG (VMM single step and hardware
 * breakpoints) and VGEN_GET/SET_DEBUGREGS (the guest's own DR0-3, DR6,
 * DR7). The semantics are the software VP's (kmod/svp_debug.c) and are
 * documented under "Debugging" in uapi/linux/vgen.h.
 */
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vgen.h"

static bool vgen_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/**
 * vgen_vp_set_guest_debug() - VGEN_SET_GUEST_DEBUG.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_guest_debug.
 *
 * Return: 0; -EINVAL bad flags, control word, address, padding or
 * reserved fields (see struct vgen_guest_debug); -EBUSY VP in use by
 * another thread; -EFAULT.
 */
int vgen_vp_set_guest_debug(struct vgen_vp *vp, const void __user *argp)
{
	struct vgen_guest_debug gd;
	struct svp_guest_debug sd;
	int ret, i;

	if (copy_from_user(&gd, argp, sizeof(gd)))
		return -EFAULT;
	if (gd.pad || !vgen_zero(gd.reserved, sizeof(gd.reserved)))
		return -EINVAL;
	if (gd.flags & ~(VGEN_GUESTDBG_ENABLE | VGEN_GUESTDBG_SINGLESTEP |
			 VGEN_GUESTDBG_HW_BP))
		return -EINVAL;
	memset(&sd, 0, sizeof(sd));
	if (gd.flags & VGEN_GUESTDBG_ENABLE)
		sd.flags |= SVP_GDBG_ENABLE;
	if (gd.flags & VGEN_GUESTDBG_SINGLESTEP)
		sd.flags |= SVP_GDBG_SINGLESTEP;
	if (gd.flags & VGEN_GUESTDBG_HW_BP)
		sd.flags |= SVP_GDBG_HW_BP;
	for (i = 0; i < 4; i++)
		sd.addr[i] = gd.addr[i];
	sd.control = gd.control;
	if (!mutex_trylock(&vp->run_lock))
		return -EBUSY;
	ret = svp_set_guest_debug(vp->cpu, &sd);
	mutex_unlock(&vp->run_lock);
	return ret;
}

/**
 * vgen_vp_get_debugregs() - VGEN_GET_DEBUGREGS.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_debugregs.
 *
 * Return: 0; -EBUSY VP in use by another thread; -EFAULT.
 */
int vgen_vp_get_debugregs(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_debugregs dr;
	struct svp_debugregs sd;
	int i;

	if (!mutex_trylock(&vp->run_lock))
		return -EBUSY;
	svp_get_debugregs(vp->cpu, &sd);
	mutex_unlock(&vp->run_lock);
	memset(&dr, 0, sizeof(dr));
	for (i = 0; i < 4; i++)
		dr.db[i] = sd.dr[i];
	dr.dr6 = sd.dr6;
	dr.dr7 = sd.dr7;
	return copy_to_user(argp, &dr, sizeof(dr)) ? -EFAULT : 0;
}

/**
 * vgen_vp_set_debugregs() - VGEN_SET_DEBUGREGS.
 * @vp: the VP.
 * @argp: user pointer to a struct vgen_debugregs.
 *
 * Return: 0; -EINVAL flags, padding or reserved fields not zero, or bits
 * 63:32 of DR6/DR7 set; -EBUSY VP in use by another thread; -EFAULT.
 */
int vgen_vp_set_debugregs(struct vgen_vp *vp, const void __user *argp)
{
	struct vgen_debugregs dr;
	struct svp_debugregs sd;
	int ret, i;

	if (copy_from_user(&dr, argp, sizeof(dr)))
		return -EFAULT;
	if (dr.flags || dr.pad || !vgen_zero(dr.reserved, sizeof(dr.reserved)))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		sd.dr[i] = dr.db[i];
	sd.dr6 = dr.dr6;
	sd.dr7 = dr.dr7;
	if (!mutex_trylock(&vp->run_lock))
		return -EBUSY;
	ret = svp_set_debugregs(vp->cpu, &sd);
	mutex_unlock(&vp->run_lock);
	return ret;
}
