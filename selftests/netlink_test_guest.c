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

/* Spins with known registers: RBX = NL_LOOP_RBX, RAX counts up. */
void guest_nl_loop(void)
{
	__asm__ volatile("movabs %0, %%rbx\n\t"
			 "xor %%eax, %%eax\n\t"
			 ".globl nl_loop_start\n"
			 "nl_loop_start:\n\t"
			 "inc %%rax\n\t"
			 "jmp nl_loop_start\n\t"
			 ".globl nl_loop_end\n"
			 "nl_loop_end:\n\t"
			 : : "i"(NL_LOOP_RBX) : "rax", "rbx", "memory");
}

/*
 * TPR 15 (every vector masked), interrupts enabled, HLT: an interrupt
 * sent to this VP stays pending in IRR and the VP stays halted.
 */
void guest_nl_halt_masked(void)
{
	__asm__ volatile("mov $15, %%eax\n\t"
			 "mov %%rax, %%cr8\n\t"
			 "sti\n\t"
			 "hlt\n\t"
			 ".globl nl_after_hlt\n"
			 "nl_after_hlt:\n\t"
			 : : : "rax", "memory");
	for (;;)
		__asm__ volatile("cli; hlt");
}
