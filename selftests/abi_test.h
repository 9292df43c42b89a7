/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_ABI_TEST_H
#define VGEN_ABI_TEST_H

#define ABI_TEST_LEAF		0x40000100u	/* a leaf the VP does not define */
#define ABI_TEST_LEAF_IDX	0x40000101u	/* added with a significant index */

void abi_guest_done(void);
void abi_guest_cpuid(void);

#endif
