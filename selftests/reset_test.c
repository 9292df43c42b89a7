// SPDX-License-Identifier: GPL-2.0
/*
 * Reset and the VP activity/event state group: VGEN_RESET_VP,
 * VGEN_RESET_PARTITION, VGEN_GET/SET_VP_EVENTS. Reset values of every
 * register group, APs waiting for SIPI after a reset, a reset partition
 * running a guest again, resets refused while a VP runs (and nothing
 * changed then), halted activity kept across runs, and every invalid
 * argument refused.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "reset_test.h"

static long cap(int fd, unsigned long c)
{
	return __vgen_ioctl_val(fd, VGEN_CHECK_CAP, c);
}

#define REQUIRE_RESET()	REQUIRE_VGEN_CAP(VGEN_CAP_RESET)

static long reset_raw(int fd, unsigned long req, uint32_t flags,
		      uint32_t reserved0, int reserved, uint64_t value)
{
	struct vgen_reset r;

	memset(&r, 0, sizeof(r));
	r.flags = flags;
	r.reserved0 = reserved0;
	if (reserved >= 0)
		r.reserved[reserved] = value;
	return __vgen_ioctl(fd, req, &r);
}

static long reset_vp(struct vcpu *vcpu)
{
	return reset_raw(vcpu->fd, VGEN_RESET_VP, 0, 0, -1, 0);
}

static long reset_partition(struct vm *vm)
{
	return reset_raw(vm->fd, VGEN_RESET_PARTITION, 0, 0, -1, 0);
}

static void get_events(struct vcpu *vcpu, struct vgen_vp_events *ev)
{
	memset(ev, 0xa5, sizeof(*ev));
	vgen_ioctl(vcpu->fd, VGEN_GET_VP_EVENTS, ev);
}

static void init_longmode(struct vm *vm, struct vcpu *vcpu, void *fn)
{
	int r = vgen_processor_init_longmode(vcpu->proc, vm->ram, vm->ram_size,
					     (uint64_t)(uintptr_t)fn);

	TEST_ASSERT(!r, "initial state: %s", strerror(-r));
}

TEST(caps)
{
	int fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	EXPECT_EQ(1, cap(fd, VGEN_CAP_RESET));
	EXPECT_EQ(1, cap(fd, VGEN_CAP_VP_EVENTS));
	close(fd);
}

/* Every register group of a VP that ran is back at its power-on value. */
TEST(vp_reset_values)
{
	struct vgen_msr_entry pat = { .index = 0x277 };
	struct vgen_vp_events ev;
	struct vgen_sregs sregs;
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int i;

	REQUIRE_RESET();
	vm = vm_create_with_vcpu(guest_rt_count, &vcpu);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	pat.data = 0x0606060606060606ULL;
	ASSERT_EQ(0, vgen_processor_set_msrs(vcpu->proc, &pat, 1));

	ASSERT_EQ(0, reset_vp(vcpu));
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(0xfff0, regs.rip);
	EXPECT_EQ(2, regs.rflags);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(i == VGEN_REG_RDX ? 0x600 : 0, regs.gpr[i]);
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(0xf000, sregs.cs.selector);
	EXPECT_EQ(0xffff0000ULL, sregs.cs.base);
	EXPECT_EQ(0xffff, sregs.cs.limit);
	EXPECT_EQ(0, sregs.ds.selector);
	EXPECT_EQ(0, sregs.ds.base);
	EXPECT_EQ(0x60000010ULL, sregs.cr0);
	EXPECT_EQ(0, sregs.cr3);
	EXPECT_EQ(0, sregs.cr4);
	EXPECT_EQ(0, sregs.efer);
	EXPECT_EQ(0xffff, sregs.idt.limit);
	EXPECT_EQ(0, sregs.idt.base);
	if (cap(vm->fd, VGEN_CAP_IRQCHIP) == 1)	/* enabled, BSP */
		EXPECT_EQ(0xfee00900ULL, sregs.apic_base);
	pat.data = 0;
	ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, &pat, 1));
	EXPECT_EQ(0x0007040600070406ULL, pat.data);
	get_events(vcpu, &ev);
	EXPECT_EQ(VGEN_ACTIVITY_RUNNING, ev.activity);
	EXPECT_EQ(0, ev.nmi_pending);
	EXPECT_EQ(0, ev.nmi_masked);
	EXPECT_EQ(0, ev.interrupt_shadow);
	EXPECT_EQ(VGEN_EVENT_NONE, ev.event_pending);
	vm_destroy(vm);
}

/*
 * After a partition reset the BSP runs and the APs wait for a SIPI (with
 * an in-kernel APIC; without one the VMM starts them, so they run).
 */
static void check_ap_activity(struct __test_metadata *_metadata,
			      uint32_t flags)
{
	struct vgen_vp_events ev;
	struct vcpu *vp0, *vp1;
	struct vm *vm;
	uint32_t want;

	vm = vm_create_proto_flags(2, VM_DEFAULT_RAM_MIB, flags);
	vm_finalize(vm);
	vp0 = vm_add_vcpu(vm, 0, guest_rt_count);
	vp1 = vm_add_vcpu(vm, 1, guest_rt_count);
	want = cap(vm->fd, VGEN_CAP_IRQCHIP) == 1 ? VGEN_ACTIVITY_WAIT_SIPI :
	       VGEN_ACTIVITY_RUNNING;
	ASSERT_EQ(0, reset_partition(vm));
	get_events(vp0, &ev);
	EXPECT_EQ(VGEN_ACTIVITY_RUNNING, ev.activity);
	get_events(vp1, &ev);
	EXPECT_EQ(want, ev.activity);
	vm_destroy(vm);
}

TEST(partition_reset_aps)
{
	REQUIRE_RESET();
	check_ap_activity(_metadata, 0);
	check_ap_activity(_metadata, VGEN_PROTO_USER_MODE_APIC);
}

/* A reset partition runs a guest again as if new (memory is kept). */
TEST(reset_runs_again)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int round;

	REQUIRE_RESET();
	vm = vm_create_with_vcpu(guest_rt_count, &vcpu);
	for (round = 1; round <= 3; round++) {
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		EXPECT_EQ(round, uc.args[0]);
		vcpu_run_to_done(vcpu);
		ASSERT_EQ(0, reset_partition(vm));
		init_longmode(vm, vcpu, guest_rt_count);
	}
	EXPECT_EQ(3, *vm_guest_u64(vm, &rt_runs));
	vm_destroy(vm);
}

struct prober {
	struct vm *vm;
	struct vcpu *vcpu;
	long get_regs, reset_partition, reset_vp;
};

/*
 * Wait until the VP is inside VGEN_RUN (VGEN_GET_REGS then fails with
 * -EBUSY; the guest spins until it is stopped), try both resets, then
 * yield the VP.
 */
static void *probe_thread(void *p)
{
	struct prober *pr = p;
	struct vgen_regs regs;

	do {
		usleep(1000);
		pr->get_regs = __vgen_ioctl(pr->vcpu->fd, VGEN_GET_REGS, &regs);
	} while (pr->get_regs == 0);
	pr->reset_partition = reset_partition(pr->vm);
	pr->reset_vp = reset_vp(pr->vcpu);
	vgen_partition_request_yield(pr->vm->part, 0);
	return NULL;
}

/* Resets are refused while a VP runs, and change nothing then. */
TEST(reset_while_running)
{
	struct vgen_sregs sbefore, safter;
	struct prober pr = { 0 };
	struct vgen_regs after;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	pthread_t th;

	REQUIRE_RESET();
	vm = vm_create_with_vcpu(guest_rt_spin, &vcpu);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	vcpu_sregs_get(vcpu, &sbefore);
	pr.vm = vm;
	pr.vcpu = vcpu;
	ASSERT_EQ(0, pthread_create(&th, NULL, probe_thread, &pr));
	/* The processor runs on the thread that bound it. */
	vcpu_run(vcpu);
	pthread_join(th, NULL);
	ASSERT_EQ(VGEN_EXIT_YIELD, vcpu->run->exit_reason);
	EXPECT_EQ(-EBUSY, pr.get_regs);
	EXPECT_EQ(-EBUSY, pr.reset_partition);
	EXPECT_EQ(-EBUSY, pr.reset_vp);
	vcpu_regs_get(vcpu, &after);
	/* Still the spinning guest in long mode, not a reset VP. */
	EXPECT_NE(0xfff0, after.rip);
	vcpu_sregs_get(vcpu, &safter);
	EXPECT_EQ(sbefore.cr0, safter.cr0);
	EXPECT_EQ(sbefore.efer, safter.efer);
	EXPECT_EQ(sbefore.cs.selector, safter.cs.selector);
	*vm_guest_u64(vm, &rt_stop) = 1;
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(0, reset_vp(vcpu));
	vm_destroy(vm);
}

TEST(reset_invalid)
{
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	REQUIRE_RESET();
	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	/* Not finalized yet. */
	EXPECT_EQ(-EBUSY, reset_partition(vm));
	vm_finalize(vm);
	vcpu = vm_add_vcpu(vm, 0, guest_rt_count);
	EXPECT_EQ(0, reset_partition(vm));
	EXPECT_EQ(0, reset_vp(vcpu));
	EXPECT_EQ(-EINVAL, reset_raw(vm->fd, VGEN_RESET_PARTITION, 1, 0, -1, 0));
	EXPECT_EQ(-EINVAL, reset_raw(vcpu->fd, VGEN_RESET_VP, 0x80000000u, 0,
				     -1, 0));
	EXPECT_EQ(-EINVAL, reset_raw(vm->fd, VGEN_RESET_PARTITION, 0, 1, -1, 0));
	EXPECT_EQ(-EINVAL, reset_raw(vcpu->fd, VGEN_RESET_VP, 0, 1, -1, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-EINVAL, reset_raw(vm->fd, VGEN_RESET_PARTITION, 0,
					     0, i, 1ULL << 63));
		EXPECT_EQ(-EINVAL, reset_raw(vcpu->fd, VGEN_RESET_VP, 0, 0, i,
					     1));
	}
	/* The VP fd ioctl is not a partition ioctl and vice versa. */
	EXPECT_EQ(-ENOTTY, reset_raw(vm->fd, VGEN_RESET_VP, 0, 0, -1, 0));
	EXPECT_EQ(-ENOTTY, reset_raw(vcpu->fd, VGEN_RESET_PARTITION, 0, 0, -1,
				     0));
	vm_destroy(vm);
}

/* Every field of struct vgen_vp_events round-trips. */
TEST(events_round_trip)
{
	struct vgen_vp_events ev, got;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_RESET();
	vm = vm_create_with_vcpu(guest_rt_count, &vcpu);
	memset(&ev, 0, sizeof(ev));
	ev.activity = VGEN_ACTIVITY_RUNNING;
	ev.nmi_masked = 1;
	ev.interrupt_shadow = VGEN_SHADOW_MOV_SS;
	ev.event_pending = VGEN_EVENT_IRQ;
	ev.event_vector = 0x41;
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_VP_EVENTS, &ev));
	get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));

	ev.nmi_masked = 0;
	ev.interrupt_shadow = 0;
	ev.event_pending = VGEN_EVENT_NMI;
	ev.event_vector = 0;
	if (cap(vm->fd, VGEN_CAP_IRQCHIP) == 1) {
		ev.activity = VGEN_ACTIVITY_HALTED;
		ev.nmi_pending = 1;
	}
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_VP_EVENTS, &ev));
	get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));

	/* Reset clears all of it. */
	ASSERT_EQ(0, reset_vp(vcpu));
	get_events(vcpu, &got);
	memset(&ev, 0, sizeof(ev));
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	vm_destroy(vm);
}

enum ev_bad {
	EVB_FLAGS, EVB_ACTIVITY, EVB_NMI_PENDING, EVB_NMI_MASKED, EVB_SHADOW,
	EVB_TWO_SHADOWS, EVB_STI_SHADOW_IF_CLEAR, EVB_EVENT,
	EVB_VECTOR_NO_IRQ, EVB_PAD, EVB_RESERVED, EVB_COUNT
};

TEST(events_invalid)
{
	struct vgen_vp_events ev, before, after;
	struct vcpu *vcpu, *ucpu;
	struct vm *vm, *uvm;
	int i;

	REQUIRE_RESET();
	vm = vm_create_with_vcpu(guest_rt_count, &vcpu);
	get_events(vcpu, &before);
	for (i = 0; i < EVB_COUNT; i++) {
		memset(&ev, 0, sizeof(ev));
		/* The valid base request first. */
		ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_VP_EVENTS, &ev));
		switch (i) {
		case EVB_FLAGS:
			ev.flags = 1;
			break;
		case EVB_ACTIVITY:
			ev.activity = 3;
			break;
		case EVB_NMI_PENDING:
			ev.nmi_pending = 2;
			break;
		case EVB_NMI_MASKED:
			ev.nmi_masked = 2;
			break;
		case EVB_SHADOW:
			ev.interrupt_shadow = 4;
			break;
		case EVB_TWO_SHADOWS:
			ev.interrupt_shadow = VGEN_SHADOW_STI |
					      VGEN_SHADOW_MOV_SS;
			break;
		case EVB_STI_SHADOW_IF_CLEAR:	/* the guest runs with IF=0 */
			ev.interrupt_shadow = VGEN_SHADOW_STI;
			break;
		case EVB_EVENT:
			ev.event_pending = 3;
			break;
		case EVB_VECTOR_NO_IRQ:
			ev.event_vector = 0x30;
			break;
		case EVB_PAD:
			ev.pad[2] = 1;
			break;
		case EVB_RESERVED:
			ev.reserved[5] = 1;
			break;
		}
		EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_VP_EVENTS,
						&ev)) {
			TH_LOG("case %d", i);
		}
		get_events(vcpu, &after);
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(after)));
	}
	vm_destroy(vm);

	/* Without an in-kernel APIC only RUNNING exists. */
	uvm = vm_create_with_vcpu_flags(guest_rt_count, &ucpu,
					VGEN_PROTO_USER_MODE_APIC);
	memset(&ev, 0, sizeof(ev));
	ev.activity = VGEN_ACTIVITY_HALTED;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(ucpu->fd, VGEN_SET_VP_EVENTS, &ev));
	ev.activity = VGEN_ACTIVITY_WAIT_SIPI;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(ucpu->fd, VGEN_SET_VP_EVENTS, &ev));
	ev.activity = VGEN_ACTIVITY_RUNNING;
	ev.nmi_pending = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(ucpu->fd, VGEN_SET_VP_EVENTS, &ev));
	vm_destroy(uvm);
}

/*
 * A VP the host puts into HLT (or wait-for-SIPI) stays there across runs:
 * only the yield ends VGEN_RUN and no instruction executes.
 */
TEST(halted_by_host)
{
	struct vgen_vp_events ev;
	struct vgen_regs before, after;
	struct vcpu *vcpu;
	struct vm *vm;
	pthread_t th;
	uint32_t act;

	REQUIRE_RESET();
	vm = vm_create_with_vcpu(guest_rt_count, &vcpu);
	if (cap(vm->fd, VGEN_CAP_IRQCHIP) != 1) {
		vm_destroy(vm);
		SKIP(return, "no in-kernel APIC");
	}
	for (act = VGEN_ACTIVITY_HALTED; act <= VGEN_ACTIVITY_WAIT_SIPI;
	     act++) {
		memset(&ev, 0, sizeof(ev));
		ev.activity = act;
		ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_VP_EVENTS, &ev));
		vcpu_regs_get(vcpu, &before);
		ASSERT_EQ(0, pthread_create(&th, NULL, vm_yield_vp0_later, vm));
		ASSERT_EQ(0, __vcpu_run(vcpu));
		pthread_join(th, NULL);
		EXPECT_EQ(VGEN_EXIT_YIELD, vcpu->run->exit_reason);
		vcpu_regs_get(vcpu, &after);
		EXPECT_EQ(before.rip, after.rip);
		get_events(vcpu, &ev);
		EXPECT_EQ(act, ev.activity);
	}
	EXPECT_EQ(0, *vm_guest_u64(vm, &rt_runs));
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
