/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_SIGNAL_TEST_H
#define VGEN_SIGNAL_TEST_H

#include <stdint.h>

extern volatile uint64_t spin_entered, spin_stop;

void guest_spin(void);

#endif
