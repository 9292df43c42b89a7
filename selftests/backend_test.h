/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_BACKEND_TEST_H
#define VGEN_BACKEND_TEST_H

#include <stdint.h>

#define BT_PORT		0x2f8		/* DX forms */
#define BT_PORT_IMM	0xe0		/* immediate-port forms */
#define BT_MMIO		0xd0000000ULL	/* outside the 32 MiB of RAM */
#define BT_LEAF		0x40000000U	/* CPUID leaf the test sets */
#define BT_LEAF_NEW	0x4fff0000U	/* a leaf no backend has */

#define BT_COUNT	5000		/* increments per VP */

extern volatile uint64_t bt_counter, bt_entered, bt_shared;
extern uint64_t bt_fs_value;

void guest_bt_pio(void);
void guest_bt_mmio(void);
void guest_bt_hlt(void);
void guest_bt_triple_fault(void);
void guest_bt_cpuid(void);
void guest_bt_args(uint64_t a, uint64_t b);
void guest_bt_spin(void);
void guest_bt_in(void);
void guest_bt_count(uint64_t vp, uint64_t nvps);

#endif
