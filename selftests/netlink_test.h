/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_NETLINK_TEST_H
#define VGEN_NETLINK_TEST_H

#include <stdint.h>

#define NL_PORT		0x80	/* the OUTs of guest_nl_outs */
#define NL_OUTS		7	/* how many */

extern volatile uint64_t nl_spins;

void guest_nl_outs(void);
void guest_nl_spin(void);
void guest_nl_triple_fault(void);

#define NL_LOOP_RBX	0x1122334455667788ULL	/* RBX of guest_nl_loop */
#define NL_VECTOR	0x40	/* the masked vector of guest_nl_halt_masked */

void guest_nl_loop(void);
void guest_nl_halt_masked(void);
extern char nl_loop_start[], nl_loop_end[], nl_after_hlt[];

#endif
