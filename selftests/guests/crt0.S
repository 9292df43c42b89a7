/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the vgen-run demo guest: the loader leaves us in 64-bit mode
 * with a stack (see the guest contract in libvgen/vgen.h). Call main()
 * and report its return value on the exit port 0xf4.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	call	main
	outl	%eax, $0xf4
1:	hlt
	jmp	1b
	.section .note.GNU-stack, "", @progbits
