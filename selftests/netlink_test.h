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

#endif
