// SPDX-License-Identifier: GPL-2.0
/* Guest code of signal_test: spin until the host says stop. */
#include "guest.h"
#include "signal_test.h"

volatile uint64_t spin_entered, spin_stop;

void guest_spin(void)
{
	spin_entered = 1;
	while (!spin_stop)
		;
	GUEST_DONE();
}
