// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen runtime version. */
#include "config.h"
#include "vgen.h"

VGEN_EXPORT const char *vgen_version(void)
{
	return PACKAGE_VERSION;
}
