// SPDX-License-Identifier: GPL-2.0
/*
 * Debugging (VGEN_CAP_GUEST_DEBUG): VMM single step and hardware
 * breakpoints (VGEN_SET_GUEST_DEBUG, VGEN_EXIT_DEBUG), the guest's own
 * debug registers (VGEN_GET/SET_DEBUGREGS, MOV DR, TF, INT1, INT3, its
 * breakpoints), and the request validation.
 */
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "debug_test.h"

#define DR6_BS		(1ULL << 14)
#define DR6_FIXED	0xffff0ff0ULL

#define REQUIRE_DEBUG()							\
	do {								\
		REQUIRE_VGEN_CAP(VGEN_CAP_GUEST_DEBUG);			\
		vgen_test_backend = "vgen";				\
	} while (0)

static long set_debug(struct vcpu *vcpu, uint32_t flags,
		      const uint64_t addr[4], uint64_t control)
{
	struct vgen_guest_debug gd;

	memset(&gd, 0, sizeof(gd));
	gd.flags = flags;
	if (addr)
		memcpy(gd.addr, addr, sizeof(gd.addr));
	gd.control = control;
	return __vgen_ioctl(vcpu->fd, VGEN_SET_GUEST_DEBUG, &gd);
}

/* Arm only VMM breakpoint @n: R/W @rw, LEN encoding @len, at @addr. */
static long set_bp(struct vcpu *vcpu, int n, int rw, int len, uint64_t addr)
{
	uint64_t a[4] = { 0 };

	a[n] = addr;
	return set_debug(vcpu, VGEN_GUESTDBG_ENABLE | VGEN_GUESTDBG_HW_BP, a,
			 VGEN_DR7_G(n) | VGEN_DR7_RW(n, rw) |
			 VGEN_DR7_LEN(n, len));
}

static uint64_t sync_arg(struct vcpu *vcpu)
{
	struct ucall uc;
	uint64_t cmd = get_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC, "expected a SYNC, got %" PRIu64 " (%s)",
		    cmd, vcpu_exit_str(vcpu));
	return uc.args[0];
}

static uint64_t vcpu_rip(struct vcpu *vcpu)
{
	struct vgen_regs regs;

	vcpu_regs_get(vcpu, &regs);
	return regs.rip;
}

TEST(cap_and_debugregs)
{
	struct vgen_debugregs dr, bad;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_DEBUG();
	vm = vm_create_with_vcpu(guest_step, &vcpu);
	EXPECT_EQ(1, __vgen_ioctl_val(vm->fd, VGEN_CHECK_CAP,
				      VGEN_CAP_GUEST_DEBUG));
	memset(&dr, 0xa5, sizeof(dr));
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_GET_DEBUGREGS, &dr));
	EXPECT_EQ(0, dr.db[0] | dr.db[1] | dr.db[2] | dr.db[3]);
	EXPECT_EQ(DR6_FIXED, dr.dr6);
	EXPECT_EQ(0x400, dr.dr7);
	EXPECT_EQ(0, dr.flags);
	EXPECT_EQ(0, dr.pad);

	bad = dr;
	bad.flags = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_DEBUGREGS, &bad));
	bad = dr;
	bad.reserved[4] = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_DEBUGREGS, &bad));
	bad = dr;
	bad.pad = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_DEBUGREGS, &bad));
	bad = dr;
	bad.dr6 |= 1ULL << 32;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_DEBUGREGS, &bad));
	bad = dr;
	bad.dr7 |= 1ULL << 63;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_DEBUGREGS, &bad));

	/* fixed bits forced, writable bits kept */
	dr.db[0] = 0x1000;
	dr.db[3] = 0xffff800000000000ULL;
	dr.dr6 = 0x4001;
	dr.dr7 = 0xd802;	/* G0 plus bits 11, 12, 14, 15 (read as 0) */
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_DEBUGREGS, &dr));
	memset(&dr, 0, sizeof(dr));
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_GET_DEBUGREGS, &dr));
	EXPECT_EQ(0x1000, dr.db[0]);
	EXPECT_EQ(0xffff800000000000ULL, dr.db[3]);
	EXPECT_EQ(DR6_FIXED | 0x4001, dr.dr6);
	EXPECT_EQ(0x402, dr.dr7);

	/* VGEN_RESET_VP puts them back to the reset values */
	if (__vgen_ioctl_val(vm->fd, VGEN_CHECK_CAP, VGEN_CAP_RESET) == 1) {
		struct vgen_reset rs;

		memset(&rs, 0, sizeof(rs));
		ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_RESET_VP, &rs));
		ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_GET_DEBUGREGS, &dr));
		EXPECT_EQ(0, dr.db[0] | dr.db[3]);
		EXPECT_EQ(DR6_FIXED, dr.dr6);
		EXPECT_EQ(0x400, dr.dr7);
	}
	vm_destroy(vm);
}

TEST(bad_requests)
{
	struct vgen_guest_debug gd;
	uint64_t a[4] = { 0x1000, 0x2000, 0x3000, 0x4000 };
	uint32_t en = VGEN_GUESTDBG_ENABLE, hw = en | VGEN_GUESTDBG_HW_BP;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_DEBUG();
	vm = vm_create_with_vcpu(guest_step, &vcpu);
	EXPECT_EQ(-EINVAL, set_debug(vcpu, 1U << 3 | en, NULL, 0));
	EXPECT_EQ(-EINVAL, set_debug(vcpu, VGEN_GUESTDBG_SINGLESTEP, NULL, 0));
	EXPECT_EQ(-EINVAL, set_debug(vcpu, VGEN_GUESTDBG_HW_BP, a,
				     VGEN_DR7_L(0)));
	/* control without HW_BP */
	EXPECT_EQ(-EINVAL, set_debug(vcpu, en, a, VGEN_DR7_L(0)));
	/* bits outside the enables and R/W+LEN (LE, GE, GD) */
	EXPECT_EQ(-EINVAL, set_debug(vcpu, hw, a, 1U << 8));
	EXPECT_EQ(-EINVAL, set_debug(vcpu, hw, a, 1U << 13));
	EXPECT_EQ(-EINVAL, set_debug(vcpu, hw, a, 1ULL << 32));
	/* I/O breakpoint */
	EXPECT_EQ(-EINVAL, set_bp(vcpu, 1, VGEN_DR7_RW_IO, VGEN_DR7_LEN_1,
				  0x1000));
	/* execute with a length other than 1 */
	EXPECT_EQ(-EINVAL, set_bp(vcpu, 2, VGEN_DR7_RW_EXECUTE,
				  VGEN_DR7_LEN_2, 0x1000));
	/* misaligned for its length */
	EXPECT_EQ(-EINVAL, set_bp(vcpu, 0, VGEN_DR7_RW_WRITE,
				  VGEN_DR7_LEN_2, 0x1001));
	EXPECT_EQ(-EINVAL, set_bp(vcpu, 1, VGEN_DR7_RW_READ_WRITE,
				  VGEN_DR7_LEN_4, 0x1002));
	EXPECT_EQ(-EINVAL, set_bp(vcpu, 3, VGEN_DR7_RW_WRITE,
				  VGEN_DR7_LEN_8, 0x1004));
	/* non-canonical */
	EXPECT_EQ(-EINVAL, set_bp(vcpu, 0, VGEN_DR7_RW_EXECUTE,
				  VGEN_DR7_LEN_1, 0x0000800000000000ULL));
	/* reserved fields */
	memset(&gd, 0, sizeof(gd));
	gd.flags = en;
	gd.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_GUEST_DEBUG, &gd));
	gd.reserved[3] = 0;
	gd.pad = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_GUEST_DEBUG, &gd));
	/* disabled breakpoints are not checked; aligned ones are fine */
	EXPECT_EQ(0, set_debug(vcpu, hw, a, VGEN_DR7_RW(1, VGEN_DR7_RW_IO)));
	EXPECT_EQ(0, set_bp(vcpu, 3, VGEN_DR7_RW_WRITE, VGEN_DR7_LEN_8,
			    0x1008));
	EXPECT_EQ(0, set_debug(vcpu, 0, NULL, 0));
	/* and the guest still runs to its end with everything off */
	EXPECT_EQ(0, sync_arg(vcpu));
	EXPECT_EQ(1, sync_arg(vcpu));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* Run once and require a VMM single-step exit; returns its RIP. */
static uint64_t step(struct __test_metadata *_metadata, struct vcpu *vcpu)
{
	struct vgen_run *run = vcpu->run;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == VGEN_EXIT_DEBUG &&
		    run->debug.type == VGEN_DEBUG_EXIT_SINGLE_STEP,
		    "expected a single-step exit: %s", vcpu_exit_str(vcpu));
	EXPECT_EQ(DR6_FIXED | DR6_BS, run->debug.dr6);
	EXPECT_EQ(vcpu_rip(vcpu), run->debug.rip);
	return run->debug.rip;
}

TEST(single_step)
{
	const char *const want[] = {
		step_l1, step_l2, step_l3, step_l4, step_l5, step_l6,
		step_l7, step_l8, step_l9, step_l9, step_int3, bp_handler,
	};
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t rip = 0;
	unsigned int i, n;

	REQUIRE_DEBUG();
	vm = vm_create_with_vcpu(guest_step, &vcpu);
	ASSERT_EQ(0, sync_arg(vcpu));
	ASSERT_EQ(0, set_debug(vcpu, VGEN_GUESTDBG_ENABLE |
			       VGEN_GUESTDBG_SINGLESTEP, NULL, 0));
	/* from the SYNC back into the guest and up to step_seq */
	for (n = 0; n < 5000 && rip != (uintptr_t)step_seq; n++)
		rip = step(_metadata, vcpu);
	ASSERT_EQ((uintptr_t)step_seq, rip);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rip = step(_metadata, vcpu);
		EXPECT_EQ((uintptr_t)want[i], rip) {
			TH_LOG("step %u", i);
		}
		if (i == 9) {	/* REP MOVSB: one step per iteration */
			vcpu_regs_get(vcpu, &regs);
			EXPECT_EQ(1, regs.gpr[1]);
		}
	}
	/* the #BP handler, one step per instruction, back at step_end */
	for (i = 0; i < BP_HANDLER_INSNS; i++) {
		rip = step(_metadata, vcpu);
		if (i < BP_HANDLER_INSNS - 1)
			EXPECT_TRUE(rip > (uintptr_t)bp_handler &&
				    rip <= (uintptr_t)bp_handler_end);
	}
	EXPECT_EQ((uintptr_t)step_end, rip);
	/* off again: runs free to the next SYNC */
	ASSERT_EQ(0, set_debug(vcpu, 0, NULL, 0));
	EXPECT_EQ(1, sync_arg(vcpu));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* Run once and require VMM breakpoint @n at @rip. */
static void want_bp(struct __test_metadata *_metadata, struct vcpu *vcpu,
		    uint32_t n, uint64_t rip)
{
	struct vgen_run *run = vcpu->run;

	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_DEBUG, run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	EXPECT_EQ(VGEN_DEBUG_EXIT_BREAKPOINT, run->debug.type);
	EXPECT_EQ(n, run->debug.breakpoint);
	EXPECT_EQ(DR6_FIXED | (1ULL << n), run->debug.dr6);
	if (rip)
		EXPECT_EQ(rip, run->debug.rip);
	EXPECT_EQ(vcpu_rip(vcpu), run->debug.rip);
}

TEST(hw_breakpoints)
{
	static const int lens[4] = {
		VGEN_DR7_LEN_1, VGEN_DR7_LEN_2, VGEN_DR7_LEN_4, VGEN_DR7_LEN_8,
	};
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	REQUIRE_DEBUG();
	vm = vm_create_with_vcpu(guest_hwbp, &vcpu);

	ASSERT_EQ(1, sync_arg(vcpu));
	ASSERT_EQ(0, set_bp(vcpu, 2, VGEN_DR7_RW_EXECUTE, VGEN_DR7_LEN_1,
			    (uintptr_t)dbg_exec_target));
	want_bp(_metadata, vcpu, 2, (uintptr_t)dbg_exec_target);
	/* resuming executes it without reporting it again */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(20 + i, sync_arg(vcpu));
		ASSERT_EQ(0, set_bp(vcpu, i, VGEN_DR7_RW_WRITE, lens[i],
				    (uintptr_t)&dbg_data[i]));
		want_bp(_metadata, vcpu, i, (uintptr_t)dbg_write_end);
	}

	ASSERT_EQ(3, sync_arg(vcpu));
	ASSERT_EQ(0, set_bp(vcpu, 1, VGEN_DR7_RW_WRITE, VGEN_DR7_LEN_8,
			    (uintptr_t)&dbg_data[1]));
	want_bp(_metadata, vcpu, 1, 0);		/* byte 7 */

	ASSERT_EQ(4, sync_arg(vcpu));		/* byte 8: nothing */
	ASSERT_EQ(0, set_bp(vcpu, 3, VGEN_DR7_RW_READ_WRITE, VGEN_DR7_LEN_8,
			    (uintptr_t)&dbg_data[2]));
	want_bp(_metadata, vcpu, 3, (uintptr_t)dbg_read_end);

	ASSERT_EQ(5, sync_arg(vcpu));
	ASSERT_EQ(0, set_bp(vcpu, 0, VGEN_DR7_RW_WRITE, VGEN_DR7_LEN_8,
			    (uintptr_t)&dbg_data[1]));
	/* a read does not hit a write breakpoint */
	ASSERT_EQ(6, sync_arg(vcpu));
	ASSERT_EQ(0, set_bp(vcpu, 0, VGEN_DR7_RW_WRITE, VGEN_DR7_LEN_1,
			    (uintptr_t)&dbg_buf[5]));
	/* REP STOSB: after the iteration that wrote dbg_buf[5] */
	want_bp(_metadata, vcpu, 0, (uintptr_t)dbg_stos_insn);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(10, regs.gpr[1]);
	EXPECT_EQ((uintptr_t)&dbg_buf[6], regs.gpr[7]);

	ASSERT_EQ(7, sync_arg(vcpu));
	ASSERT_EQ(0, set_debug(vcpu, 0, NULL, 0));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(guest_owned)
{
	struct vgen_debugregs dr;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_DEBUG();
	vm = vm_create_with_vcpu(guest_own, &vcpu);
	ASSERT_EQ(1, sync_arg(vcpu));
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_GET_DEBUGREGS, &dr));
	EXPECT_EQ((uintptr_t)dbg_exec_target, dr.db[0]);
	EXPECT_EQ(0x401, dr.dr7);
	/*
	 * A VMM breakpoint on the same instruction comes first; the
	 * guest's own #DB follows when the VMM resumes.
	 */
	ASSERT_EQ(0, set_bp(vcpu, 3, VGEN_DR7_RW_EXECUTE, VGEN_DR7_LEN_1,
			    (uintptr_t)dbg_exec_target));
	want_bp(_metadata, vcpu, 3, (uintptr_t)dbg_exec_target);
	ASSERT_EQ(0, set_debug(vcpu, 0, NULL, 0));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* ---- the same through libvgen, on both backends ---- */

FIXTURE(lib) {
	int err;
};

FIXTURE_VARIANT(lib) {
	const char *name;
};

FIXTURE_VARIANT_ADD(lib, vgen) {
	.name = "vgen",
};

FIXTURE_VARIANT_ADD(lib, kvm) {
	.name = "kvm",
};

FIXTURE_SETUP(lib)
{
	self->err = vgen_test_backend_check(variant->name);
	vgen_test_backend = variant->name;
}

FIXTURE_TEARDOWN(lib)
{
}

#define REQUIRE_LIB(vm)							\
	do {								\
		uint64_t __v = 0;					\
									\
		if (self->err)						\
			SKIP(return, "backend %s not available: %s",	\
			     variant->name, strerror(-self->err));	\
		vm = vm_create_with_vcpu(guest_hwbp, &vcpu);		\
		if (vgen_hypervisor_check_cap(vm->hv,			\
					      VGEN_CAP_GUEST_DEBUG,	\
					      &__v) || __v != 1) {	\
			vm_destroy(vm);					\
			SKIP(return, "VGEN_CAP_GUEST_DEBUG absent");	\
		}							\
	} while (0)

static int lib_bp(struct vcpu *vcpu, int n, uint32_t type, uint32_t size,
		  uint64_t addr)
{
	struct vgen_debug_state st;

	memset(&st, 0, sizeof(st));
	st.enabled = 1U << n;
	st.breakpoints[n].address = addr;
	st.breakpoints[n].type = type;
	st.breakpoints[n].size = size;
	return vgen_processor_set_debug_state(vcpu->proc, 0, &st);
}

TEST_F(lib, breakpoints)
{
	static const uint32_t sizes[4] = { 1, 2, 4, 8 };
	struct vgen_debug_state st;
	struct vgen_debugregs dr;
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	REQUIRE_LIB(vm);
	ASSERT_EQ(0, vgen_processor_get_debugregs(vcpu->proc, &dr));
	EXPECT_EQ(DR6_FIXED, dr.dr6);
	EXPECT_EQ(0x400, dr.dr7);
	dr.dr6 |= 1ULL << 32;
	EXPECT_EQ(-EINVAL, vgen_processor_set_debugregs(vcpu->proc, &dr));
	dr.dr6 = DR6_FIXED;
	dr.db[1] = 0x5000;
	ASSERT_EQ(0, vgen_processor_set_debugregs(vcpu->proc, &dr));
	ASSERT_EQ(0, vgen_processor_get_debugregs(vcpu->proc, &dr));
	EXPECT_EQ(0x5000, dr.db[1]);
	dr.db[1] = 0;
	ASSERT_EQ(0, vgen_processor_set_debugregs(vcpu->proc, &dr));

	/* refused requests, the same on every backend */
	EXPECT_EQ(-EINVAL, lib_bp(vcpu, 0, VGEN_BP_EXECUTE, 2, 0x1000));
	EXPECT_EQ(-EINVAL, lib_bp(vcpu, 1, VGEN_BP_WRITE, 4, 0x1002));
	EXPECT_EQ(-EINVAL, lib_bp(vcpu, 2, VGEN_BP_WRITE, 3, 0x1000));
	EXPECT_EQ(-EINVAL, lib_bp(vcpu, 3, 7, 1, 0x1000));
	EXPECT_EQ(-EINVAL, lib_bp(vcpu, 0, VGEN_BP_READ_WRITE, 8,
				  0x0000800000000000ULL));
	memset(&st, 0, sizeof(st));
	st.enabled = 0x10;
	EXPECT_EQ(-EINVAL, vgen_processor_set_debug_state(vcpu->proc, 0, &st));
	st.enabled = 0;
	EXPECT_EQ(-EINVAL, vgen_processor_set_debug_state(vcpu->proc, 1, &st));
	EXPECT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, NULL));

	if (!strcmp(variant->name, "kvm")) {
		/*
		 * The test VM runs KVM nested in QEMU's TCG, whose SVM
		 * emulation does not apply L1's debug registers to L2:
		 * KVM's hardware breakpoints never fire there.
		 */
		vm_destroy(vm);
		SKIP(return, "kvm: hardware breakpoints not checked (nested KVM on TCG)");
	}
	ASSERT_EQ(1, sync_arg(vcpu));
	ASSERT_EQ(0, lib_bp(vcpu, 2, VGEN_BP_EXECUTE, 1,
			    (uintptr_t)dbg_exec_target));
	want_bp(_metadata, vcpu, 2, (uintptr_t)dbg_exec_target);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(20 + i, sync_arg(vcpu));
		ASSERT_EQ(0, lib_bp(vcpu, i, VGEN_BP_WRITE, sizes[i],
				    (uintptr_t)&dbg_data[i]));
		want_bp(_metadata, vcpu, i, (uintptr_t)dbg_write_end);
	}
	ASSERT_EQ(3, sync_arg(vcpu));
	ASSERT_EQ(0, lib_bp(vcpu, 1, VGEN_BP_WRITE, 8,
			    (uintptr_t)&dbg_data[1]));
	want_bp(_metadata, vcpu, 1, 0);
	ASSERT_EQ(4, sync_arg(vcpu));
	ASSERT_EQ(0, lib_bp(vcpu, 3, VGEN_BP_READ_WRITE, 8,
			    (uintptr_t)&dbg_data[2]));
	want_bp(_metadata, vcpu, 3, (uintptr_t)dbg_read_end);
	ASSERT_EQ(5, sync_arg(vcpu));
	ASSERT_EQ(0, lib_bp(vcpu, 0, VGEN_BP_WRITE, 8,
			    (uintptr_t)&dbg_data[1]));
	ASSERT_EQ(6, sync_arg(vcpu));
	ASSERT_EQ(0, lib_bp(vcpu, 0, VGEN_BP_WRITE, 1,
			    (uintptr_t)&dbg_buf[5]));
	want_bp(_metadata, vcpu, 0, (uintptr_t)dbg_stos_insn);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(10, regs.gpr[1]);
	ASSERT_EQ(7, sync_arg(vcpu));
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, NULL));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_F(lib, single_step)
{
	const char *const want[] = {
		step_l1, step_l2, step_l3, step_l4, step_l5, step_l6,
		step_l7, step_l8,
	};
	struct vgen_debug_state st;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t rip = 0, n64 = 0;
	unsigned int i, n;

	if (self->err)
		SKIP(return, "backend %s not available: %s", variant->name,
		     strerror(-self->err));
	vm = vm_create_with_vcpu(guest_step, &vcpu);
	if (vgen_hypervisor_check_cap(vm->hv, VGEN_CAP_GUEST_DEBUG, &n64) ||
	    n64 != 1) {
		vm_destroy(vm);
		SKIP(return, "VGEN_CAP_GUEST_DEBUG absent");
	}
	/* KVM single-steps with RFLAGS.TF, which PUSHF shows the guest */
	if (!strcmp(variant->name, "kvm")) {
		uint64_t zero = 0;

		memcpy(addr_gpa2hva(vm, (uintptr_t)&step_tf_hidden), &zero,
		       sizeof(zero));
	}
	ASSERT_EQ(0, sync_arg(vcpu));
	memset(&st, 0, sizeof(st));
	st.single_step = 1;
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, &st));
	for (n = 0; n < 5000 && rip != (uintptr_t)step_seq; n++)
		rip = step(_metadata, vcpu);
	ASSERT_EQ((uintptr_t)step_seq, rip);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		EXPECT_EQ((uintptr_t)want[i], step(_metadata, vcpu));
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, NULL));
	EXPECT_EQ(1, sync_arg(vcpu));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
