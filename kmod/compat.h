/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel compatibility, force-included into every kmod/ file (see
 * Kbuild). The only place where differences between the supported kernel
 * series (Debian's 6.1 and 6.12) are handled; no other file tests
 * LINUX_VERSION_CODE.
 *
 * Everything here is a macro so that this header pulls in nothing but
 * <linux/version.h>; the users include the headers the expansions need.
 */
#ifndef _VGEN_COMPAT_H
#define _VGEN_COMPAT_H

#include <linux/version.h>

/*
 * vgen_vm_flags_set() - set flags on a VMA being mmap()ed.
 *
 * 6.3 made vma->vm_flags read-only and added vm_flags_set(); before that
 * the field was written directly.
 */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define vgen_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define vgen_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/*
 * vgen_eventfd_signal() - add one to an eventfd's counter.
 *
 * 6.8 dropped the count argument of eventfd_signal() (always one).
 */
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
#define vgen_eventfd_signal(ctx)	eventfd_signal(ctx)
#else
#define vgen_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

#endif /* _VGEN_COMPAT_H */
