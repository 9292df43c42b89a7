/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_DEBUG_TEST_H
#define VGEN_DEBUG_TEST_H

#include <stdint.h>

/* What the guest's #DB and #BP handlers (debug_test_guest.c) saw. */
struct dbg_info {
	uint64_t db_count;
	uint64_t db_rip;	/* RIP in the #DB frame */
	uint64_t db_dr6;	/* DR6 in the #DB handler */
	uint64_t db_rflags;	/* RFLAGS in the #DB frame */
	uint64_t bp_count;
	uint64_t bp_rip;	/* RIP in the #BP frame */
};

extern volatile struct dbg_info dbg_info;
extern volatile uint64_t dbg_data[4];
extern volatile uint8_t dbg_buf[64];
extern volatile uint64_t step_tf_hidden;

/* Guest entry points. */
void guest_step(void);
void guest_hwbp(void);
void guest_own(void);

/* Labels in the guest's assembly (debug_test_guest.c). */
extern const char step_seq[], step_l1[], step_l2[], step_l3[], step_l4[],
	step_l5[], step_l6[], step_l7[], step_l8[], step_l9[], step_int3[],
	step_end[];
extern const char db_handler[], bp_handler[], bp_handler_end[];
extern const char dbg_exec_target[], dbg_write_insn[], dbg_write_end[],
	dbg_read_insn[], dbg_read_end[], dbg_stos_insn[], dbg_stos_end[];

/* Number of instructions of bp_handler (the #BP handler), IRETQ included. */
#define BP_HANDLER_INSNS	4

#endif
