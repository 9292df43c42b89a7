/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_HALT_TEST_H
#define VGEN_HALT_TEST_H

#include <stdint.h>

#define HT_PORT		0x2f8		/* OUT of the loop counter */
#define HT_IN_PORT	0x2fa		/* IN whose value is OUT to HT_PORT */
#define HT_MMIO		0xd0000000ULL	/* outside the test VM's RAM */
#define HT_EXTINT_VECTOR 0x50

extern volatile uint64_t ht_counter;

void guest_ht_count(void);
void guest_ht_spin(void);
void guest_ht_in(void);
void guest_ht_hlt(void);
void guest_ht_triple_fault(void);
void guest_ht_exec_mmio(void);
void guest_ht_mmio(void);
void guest_ht_extint(void);

#endif
