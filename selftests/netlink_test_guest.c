// SPDX-License-Identifier: GPL-2.0
/* Guest code of netlink_test; the host side is netlink_test.c. */
#include "guest.h"
#include "netlink_test.h"

volatile uint64_t nl_spins;

/* Exactly NL_OUTS port-I/O exits, then HLT exits forever. */
void guest_nl_outs(void)
{
	uint64_t i;

	for (i = 0; i < NL_OUTS; i++)
		outb(NL_PORT, i);
	for (;;)
		__asm__ volatile("hlt");
}

/* Never exits by itself. */
void guest_nl_spin(void)
{
	for (;;)
		nl_spins++;
}

/* #UD without an IDT: a triple fault (VGEN_EXIT_SHUTDOWN). */
void guest_nl_triple_fault(void)
{
	__asm__ volatile("ud2");
	for (;;)
		;
}
