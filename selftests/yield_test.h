/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_YIELD_TEST_H
#define VGEN_YIELD_TEST_H

#include <stdint.h>

#define YT_PORT		0xe0	/* the IN of guest_yt_in (imm8 form) */
#define YT_SYNCS	200	/* ucalls of guest_yt_sync_loop */
#define YT_SPIN		1000	/* loop iterations between those ucalls */
#define YT_MMIO		0xc0000000ULL	/* outside RAM: MMIO */

extern volatile uint64_t yt_entered, yt_stop, yt_counter;

void guest_yt_spin(void);
void guest_yt_sync_loop(void);
void guest_yt_in(void);
void guest_yt_hlt(void);
void guest_yt_mmio(void);

#endif
