/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - force-included into every kmod/ file (see Kbuild). The only
 * place where differences between the supported kernel series (Debian's
 * 6.1 and 6.12) are handled; no other file tests LINUX_VERSION_CODE.
 */
#ifndef _VGEN_COMPAT_H
#define _VGEN_COMPAT_H

#include <linux/version.h>

#endif /* _VGEN_COMPAT_H */
