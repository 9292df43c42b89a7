/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_EXCEPTION_TEST_H
#define VGEN_EXCEPTION_TEST_H

#include <stdint.h>

/* Layout known to exception_stubs.S. */
struct exc_info {
	uint64_t vector;
	uint64_t error;
	uint64_t rip;
	uint64_t cr2;
	uint64_t count;
	uint64_t resume;
	uint64_t cs;
};

struct user_info {
	uint64_t value;
	uint64_t cs;
	uint64_t kernel_rsp;
	uint64_t user_rsp;
};

extern volatile struct exc_info exc_info;

void guest_ud(void);
void guest_de(void);
void guest_gp(void);
void guest_pf(void);
void guest_triple_fault(void);
void guest_cpl3(void);

#endif
