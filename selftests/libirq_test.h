/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by libirq_test.c and libirq_test_guest.c. */
#ifndef VGEN_LIBIRQ_TEST_H
#define VGEN_LIBIRQ_TEST_H

#include <stdint.h>

#define LI_VEC_PHYS	0x40
#define LI_VEC_LOGICAL	0x41
#define LI_VEC_EDGE	0x50
#define LI_VEC_LEVEL	0x51
#define LI_VEC_EXTINT	0x58
#define LI_VEC_LINT0	0x59
#define LI_VEC_HLT	0x60
#define LI_VEC_TGT	0x70
#define LI_VEC_TGT_FD	0x71
#define LI_VEC_TGT_NEW	0x72

#define LI_LINE_EDGE	2
#define LI_LINE_LEVEL	3
#define LI_LINE_UNROUTED 5

/* Doorbells: outside the 32 MiB of RAM, and free I/O ports. */
#define LI_DB_MMIO	0xd0000000ULL
#define LI_DB_MMIO_DM	0xd0001000ULL
#define LI_DB_PORT	0x6000
#define LI_DB_PORT_DM	0x6010
#define LI_DB_MATCH	7
#define LI_DB_PORT_MATCH 0x5a

/* The guest's logical APIC ID (xAPIC flat model). */
#define LI_LOGICAL_ID	0x04

extern volatile uint64_t li_handler_isr;

void guest_li_msi(void);
void guest_li_ioapic(void);
void guest_li_lint(void);
void guest_li_hlt(void);
void guest_li_hlt_nmi(void);
void guest_li_doorbell(void);
void guest_li_target(void);

#endif
