// SPDX-License-Identifier: GPL-2.0
/*
 * Yield requests (VGEN_REQUEST_YIELD, VGEN_EXIT_YIELD) and libvgen stop
 * sources: the uapi's errors, a yield of a spinning VP from another
 * thread, requests made while the VP is not running (never lost, reported
 * before any guest instruction), coalescing, the order with a pending IN
 * and with immediate_exit, a stress test, stopping from another thread and
 * from the VP thread (completing a pending IN first), closing every fd
 * while a VP runs, and process exit with a spinning VP.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "yield_test.h"

#define REQUIRE_YIELD()	REQUIRE_VGEN_CAP(VGEN_CAP_YIELD)

/* Stress test: at most this many yield requests by the hammer thread. */
#define YT_HAMMER	200000

static long request_yield_raw(int fd, uint32_t index, uint32_t flags,
			      int reserved, uint64_t value)
{
	struct vgen_yield y;

	memset(&y, 0, sizeof(y));
	y.vp_index = index;
	y.flags = flags;
	if (reserved >= 0)
		y.reserved[reserved] = value;
	return __vgen_ioctl(fd, VGEN_REQUEST_YIELD, &y);
}

static void request_yield(struct vm *vm, uint32_t index)
{
	int r = vgen_partition_request_yield(vm->part, index);

	TEST_ASSERT(!r, "request yield: %s", strerror(-r));
}

static void expect_exit(struct vcpu *vcpu, uint32_t reason)
{
	TEST_ASSERT(vcpu->run->exit_reason == reason, "expected %s, got %s",
		    exit_reason_str(reason), vcpu_exit_str(vcpu));
}

TEST(cap_present)
{
	int fd = vgen_open_dev();
	struct vcpu *vcpu;
	struct vm *vm;

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	EXPECT_EQ(1, __vgen_ioctl_val(fd, VGEN_CHECK_CAP, VGEN_CAP_YIELD));
	close(fd);
	vm = vm_create_with_vcpu(guest_yt_spin, &vcpu);
	EXPECT_EQ(1, __vgen_ioctl_val(vm->fd, VGEN_CHECK_CAP, VGEN_CAP_YIELD));
	vm_destroy(vm);
}

TEST(uapi_errors)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int i;

	REQUIRE_YIELD();
	vm = vm_create_proto(2, VM_DEFAULT_RAM_MIB);
	/* Proto-partition: no VP exists yet. */
	EXPECT_EQ(-ENOENT, request_yield_raw(vm->fd, 0, 0, -1, 0));
	EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 2, 0, -1, 0));
	vm_finalize(vm);
	EXPECT_EQ(-ENOENT, request_yield_raw(vm->fd, 0, 0, -1, 0));
	vcpu = vm_add_vcpu(vm, 0, guest_yt_sync_loop);

	/* The valid request every negative case below is derived from. */
	EXPECT_EQ(0, request_yield_raw(vm->fd, 0, 0, -1, 0));
	EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 0, 1, -1, 0));
	EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 0, 0x80000000u, -1, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 0, 0, i, 1));
		EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 0, 0, i,
						     1ULL << 63));
	}
	EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 2, 0, -1, 0));
	EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, VGEN_MAX_VPS, 0, -1, 0));
	EXPECT_EQ(-EINVAL, request_yield_raw(vm->fd, 0xffffffffu, 0, -1, 0));
	/* VP 1 is in range but was never created. */
	EXPECT_EQ(-ENOENT, request_yield_raw(vm->fd, 1, 0, -1, 0));
	EXPECT_EQ(-EFAULT, __vgen_ioctl(vm->fd, VGEN_REQUEST_YIELD,
					(void *)8));
	/* Not a VP fd or /dev/vgen ioctl. */
	EXPECT_EQ(-ENOTTY, request_yield_raw(vcpu->fd, 0, 0, -1, 0));

	/* libvgen. */
	EXPECT_EQ(-EINVAL, vgen_partition_request_yield(NULL, 0));
	EXPECT_EQ(-EINVAL, vgen_partition_request_yield(vm->part, 2));
	EXPECT_EQ(-ENOENT, vgen_partition_request_yield(vm->part, 1));
	EXPECT_EQ(0, vgen_partition_request_yield(vm->part, 0));

	/* The valid requests above coalesce into one yield exit. */
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_YIELD);
	EXPECT_EQ(0, *vm_guest_u64(vm, &yt_counter));
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	vm_destroy(vm);
}

struct yielder {
	struct vm *vm;
	uint64_t seen;
};

static void *yield_when_running(void *p)
{
	struct yielder *y = p;

	/* The counter only moves while the VP runs guest code. */
	wait_u64_ne(vm_guest_u64(y->vm, &yt_counter), y->seen);
	request_yield(y->vm, 0);
	return NULL;
}

/* A VP spinning in the guest returns with VGEN_EXIT_YIELD and resumes. */
TEST(yield_spinning_vp)
{
	struct yielder y;
	struct vcpu *vcpu;
	pthread_t th;
	struct vm *vm;
	uint64_t now;
	int round;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_spin, &vcpu);
	y.vm = vm;
	y.seen = 0;
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, pthread_create(&th, NULL, yield_when_running, &y));
		ASSERT_EQ(0, __vcpu_run(vcpu));
		pthread_join(th, NULL);
		expect_exit(vcpu, VGEN_EXIT_YIELD);
		now = *vm_guest_u64(vm, &yt_counter);
		EXPECT_GT(now, y.seen);
		y.seen = now;
	}
	/* The guest's state is intact: it continues and finishes. */
	*vm_guest_u64(vm, &yt_stop) = 1;
	vcpu_run_to_done(vcpu);
	EXPECT_GE(*vm_guest_u64(vm, &yt_counter), y.seen);
	vm_destroy(vm);
}

/* A request is for one VP only. */
TEST(yield_is_per_vp)
{
	struct vcpu *vp0, *vp1;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_proto(2, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	vp0 = vm_add_vcpu(vm, 0, guest_yt_hlt);
	vp1 = vm_add_vcpu(vm, 1, guest_yt_hlt);
	request_yield(vm, 1);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vp0, &uc));
	EXPECT_EQ(1, uc.args[0]);
	vcpu_run(vp1);
	expect_exit(vp1, VGEN_EXIT_YIELD);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vp1, &uc));
	EXPECT_EQ(1, uc.args[0]);
	vm_destroy(vm);
}

/* A request made while the VP is idle ends the next VGEN_RUN at once. */
TEST(yield_before_run)
{
	struct vgen_regs before, after;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_sync_loop, &vcpu);
	request_yield(vm, 0);
	vcpu_regs_get(vcpu, &before);
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_YIELD);
	vcpu_regs_get(vcpu, &after);
	/* Not a single guest instruction ran. */
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(0, *vm_guest_u64(vm, &yt_counter));
	EXPECT_EQ(0, *vm_guest_u64(vm, &yt_entered));
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	vm_destroy(vm);
}

/* Several requests before the VP returns give exactly one yield exit. */
TEST(yield_coalesced)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_sync_loop, &vcpu);
	request_yield(vm, 0);
	request_yield(vm, 0);
	EXPECT_EQ(0, request_yield_raw(vm->fd, 0, 0, -1, 0));
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_YIELD);
	/* get_ucall() fails on any exit other than a ucall. */
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
	vm_destroy(vm);
}

/* immediate_exit is checked first; the yield stays pending. */
TEST(yield_after_immediate_exit)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_sync_loop, &vcpu);
	request_yield(vm, 0);
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, __vcpu_run(vcpu));
	expect_exit(vcpu, VGEN_EXIT_INTR);
	vcpu->run->immediate_exit = 0;
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_YIELD);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	vm_destroy(vm);
}

/* Check that the IN of guest_yt_in completed with @data. */
static void check_in_done(struct vm *vm, const struct vgen_regs *at_exit,
			  const struct vgen_regs *now, uint32_t data)
{
	TEST_ASSERT(now->gpr[VGEN_REG_RAX] == data,
		    "RAX 0x%llx, expected 0x%x",
		    (unsigned long long)now->gpr[VGEN_REG_RAX], data);
	TEST_ASSERT(*(uint8_t *)addr_gpa2hva(vm, now->rip - 2) == 0xe5,
		    "RIP 0x%llx is not just past the IN",
		    (unsigned long long)now->rip);
	TEST_ASSERT(now->rip == at_exit->rip || now->rip == at_exit->rip + 2,
		    "RIP moved from 0x%llx to 0x%llx",
		    (unsigned long long)at_exit->rip,
		    (unsigned long long)now->rip);
}

/*
 * A yield requested while the VP waits for an IN's data: the next
 * VGEN_RUN completes the IN, then reports the yield (documented order).
 */
TEST(yield_during_in_exit)
{
	struct vgen_regs at_exit, now;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_in, &vcpu);
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_IO);
	ASSERT_EQ(YT_PORT, vcpu->run->io.port);
	ASSERT_EQ(VGEN_EXIT_IO_IN, vcpu->run->io.direction);
	ASSERT_EQ(4, vcpu->run->io.size);
	vcpu_regs_get(vcpu, &at_exit);
	request_yield(vm, 0);
	request_yield(vm, 0);
	vcpu->run->io.data = 0xcafef00d;
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_YIELD);
	vcpu_regs_get(vcpu, &now);
	check_in_done(vm, &at_exit, &now, 0xcafef00d);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0xcafef00dULL, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* A yield requested while the VP is stopped at a HLT exit. */
TEST(yield_after_hlt_exit)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	/* HLT exits to userspace only without an in-kernel APIC. */
	vm = vm_create_with_vcpu_flags(guest_yt_hlt, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_HLT);
	request_yield(vm, 0);
	vcpu_run(vcpu);
	expect_exit(vcpu, VGEN_EXIT_YIELD);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/*
 * With the in-kernel APIC a HLT waits in the kernel (here forever: IF is
 * clear). A yield still ends VGEN_RUN; the VP stays halted, so the next
 * VGEN_RUN waits again instead of running the code after the HLT.
 */
TEST(yield_halted_in_kernel)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct ucall uc;
	pthread_t th;
	struct vm *vm;
	int round;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_hlt, &vcpu);
	if (__vgen_ioctl_val(vm->fd, VGEN_CHECK_CAP, VGEN_CAP_IRQCHIP) != 1) {
		vm_destroy(vm);
		SKIP(return, "no in-kernel APIC (VGEN_CAP_IRQCHIP)");
	}
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	/* Until the VP is seen halted (RIP after the HLT): bounded. */
	for (round = 0; round < 100; round++) {
		ASSERT_EQ(0, pthread_create(&th, NULL, vm_yield_vp0_later, vm));
		ASSERT_EQ(0, __vcpu_run(vcpu));
		pthread_join(th, NULL);
		expect_exit(vcpu, VGEN_EXIT_YIELD);
		vcpu_regs_get(vcpu, &regs);
		if (*(uint8_t *)addr_gpa2hva(vm, regs.rip - 1) == 0xf4)
			break;
	}
	ASSERT_LT(round, 100);
	/* Halted: every further run ends with the yield, RIP unchanged. */
	for (round = 0; round < 3; round++) {
		struct vgen_regs now;

		ASSERT_EQ(0, pthread_create(&th, NULL, vm_yield_vp0_later, vm));
		ASSERT_EQ(0, __vcpu_run(vcpu));
		pthread_join(th, NULL);
		expect_exit(vcpu, VGEN_EXIT_YIELD);
		vcpu_regs_get(vcpu, &now);
		EXPECT_EQ(regs.rip, now.rip);
	}
	vm_destroy(vm);
}

struct hammer {
	struct vm *vm;
	int done;		/* set by the VP thread at the guest's DONE */
	uint64_t requests;
	int failures;
};

/* Request yields until the guest is done (bounded count, no timing). */
static void *hammer_thread(void *p)
{
	struct hammer *h = p;

	while (!__atomic_load_n(&h->done, __ATOMIC_ACQUIRE) &&
	       h->requests < YT_HAMMER) {
		if (vgen_partition_request_yield(h->vm->part, 0))
			h->failures++;
		h->requests++;
	}
	return NULL;
}

/*
 * Yield requests racing with every part of the run loop: each run ends
 * with either a ucall or a yield, and the guest's ucalls arrive in order
 * and complete.
 */
TEST(yield_stress)
{
	uint64_t expect = 1, yields = 0, runs = 0, cmd;
	struct hammer h = { 0 };
	struct vcpu *vcpu;
	struct ucall uc;
	pthread_t th;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_sync_loop, &vcpu);
	h.vm = vm;
	ASSERT_EQ(0, pthread_create(&th, NULL, hammer_thread, &h));
	for (;;) {
		/* Every run returns a ucall or a yield. */
		ASSERT_LE(runs, YT_SYNCS + 1 + YT_HAMMER);
		runs++;
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == VGEN_EXIT_YIELD) {
			yields++;
			continue;
		}
		cmd = ucall_decode(vcpu, &uc);
		if (cmd == UCALL_ASSERT)
			ucall_report_assert(vcpu, &uc);
		ASSERT_NE(UCALL_NONE, cmd) {
			TH_LOG("%s", vcpu_exit_str(vcpu));
		}
		if (cmd == UCALL_DONE) {
			__atomic_store_n(&h.done, 1, __ATOMIC_RELEASE);
			break;
		}
		ASSERT_EQ(UCALL_SYNC, cmd);
		ASSERT_EQ(expect, uc.args[0]);
		expect++;
	}
	pthread_join(th, NULL);
	EXPECT_EQ(0, h.failures);
	EXPECT_EQ(YT_SYNCS + 1, expect);
	EXPECT_EQ(YT_SYNCS, *vm_guest_u64(vm, &yt_counter));
	/* Coalescing: never more yield exits than requests. */
	EXPECT_LE(yields, h.requests);
	EXPECT_EQ(runs, YT_SYNCS + 1 + yields);
	TH_LOG("%llu requests, %llu runs, %llu yield exits",
	       (unsigned long long)h.requests, (unsigned long long)runs,
	       (unsigned long long)yields);
	vm_destroy(vm);
}

/* ------------------------------------------------------------------ */
/* Stop sources */

TEST(stop_source_basics)
{
	struct vgen_stop_source *src = NULL;

	EXPECT_EQ(-EINVAL, vgen_stop_source_new(NULL));
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	EXPECT_EQ(0, vgen_stop_source_is_stopping(src));
	EXPECT_EQ(0, vgen_stop_source_stop(src));
	EXPECT_EQ(1, vgen_stop_source_is_stopping(src));
	EXPECT_EQ(0, vgen_stop_source_stop(src));
	EXPECT_EQ(1, vgen_stop_source_is_stopping(src));
	EXPECT_EQ(-EINVAL, vgen_stop_source_stop(NULL));
	EXPECT_EQ(0, vgen_stop_source_is_stopping(NULL));
	EXPECT_EQ(0, vgen_stop_source_free(src));
	EXPECT_EQ(0, vgen_stop_source_free(NULL));
}

/*
 * Run with a fresh stop source to the guest's DONE, treating yield exits
 * (stale requests of an earlier stop) as "run again".
 */
static void run_to_done_with_source(struct vcpu *vcpu)
{
	struct vgen_stop_source *src;
	const struct vgen_run *ex;
	struct ucall uc;
	uint64_t cmd;
	int i, r;

	TEST_ASSERT(!vgen_stop_source_new(&src), "stop source");
	for (i = 0; i < 3; i++) {
		r = vgen_processor_run_until_stop(vcpu->proc, src, &ex);
		TEST_ASSERT(r == 0, "run_until_stop: %d", r);
		if (ex->exit_reason == VGEN_EXIT_YIELD)
			continue;
		cmd = ucall_decode(vcpu, &uc);
		if (cmd == UCALL_ASSERT)
			ucall_report_assert(vcpu, &uc);
		TEST_ASSERT(cmd == UCALL_DONE, "expected DONE: %s",
			    vcpu_exit_str(vcpu));
		vgen_stop_source_free(src);
		return;
	}
	TEST_ASSERT(0, "more than two yield exits");
}

struct stopper {
	struct vm *vm;
	struct vgen_stop_source *src;
};

static void *stop_when_running(void *p)
{
	struct stopper *s = p;

	wait_u64_ne(vm_guest_u64(s->vm, &yt_entered), 0);
	vgen_stop_source_stop(s->src);
	return NULL;
}

/* A stop from another thread ends a guest that spins forever. */
TEST(stop_from_other_thread)
{
	struct vgen_regs before, after;
	const struct vgen_run *ex;
	struct stopper s;
	struct vcpu *vcpu;
	pthread_t th;
	struct vm *vm;
	uint64_t count;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_spin, &vcpu);
	s.vm = vm;
	ASSERT_EQ(0, vgen_stop_source_new(&s.src));
	ASSERT_EQ(0, pthread_create(&th, NULL, stop_when_running, &s));
	EXPECT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, s.src, &ex));
	pthread_join(th, NULL);
	EXPECT_EQ(1, vgen_stop_source_is_stopping(s.src));
	/* Once stopped, no more guest instructions run. */
	count = *vm_guest_u64(vm, &yt_counter);
	vcpu_regs_get(vcpu, &before);
	EXPECT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, s.src, &ex));
	vcpu_regs_get(vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(count, *vm_guest_u64(vm, &yt_counter));
	vgen_stop_source_free(s.src);
	/* The VP can run again with a new stop source. */
	*vm_guest_u64(vm, &yt_stop) = 1;
	run_to_done_with_source(vcpu);
	vm_destroy(vm);
}

/* A stop requested by the VP thread itself while handling an exit. */
TEST(stop_from_exit_handler)
{
	struct vgen_regs before, after;
	struct vgen_stop_source *src;
	const struct vgen_run *ex;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_sync_loop, &vcpu);
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	EXPECT_EQ(-EINVAL, vgen_processor_run_until_stop(vcpu->proc, NULL,
							 &ex));
	EXPECT_EQ(-EINVAL, vgen_processor_run_until_stop(NULL, src, &ex));
	ASSERT_EQ(0, vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	ASSERT_EQ(UCALL_SYNC, ucall_decode(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	/* The "device" handling SYNC(1) stops the VP (twice: idempotent). */
	EXPECT_EQ(0, vgen_stop_source_stop(src));
	EXPECT_EQ(0, vgen_stop_source_stop(src));
	vcpu_regs_get(vcpu, &before);
	EXPECT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	vcpu_regs_get(vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(1, *vm_guest_u64(vm, &yt_counter));
	vgen_stop_source_free(src);
	/* No yield is left over: plain runs continue with SYNC(2). */
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
	vm_destroy(vm);
}

/*
 * A stop while an IN waits for its data: the stopped result comes after
 * the IN completed, so the saved registers are consistent.
 */
TEST(stop_completes_pending_in)
{
	struct vgen_regs at_exit, now;
	struct vgen_stop_source *src;
	const struct vgen_run *ex;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_in, &vcpu);
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	ASSERT_EQ(0, vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	ASSERT_EQ(VGEN_EXIT_IO, ex->exit_reason);
	ASSERT_EQ(VGEN_EXIT_IO_IN, ex->io.direction);
	vcpu_regs_get(vcpu, &at_exit);
	vcpu->run->io.data = 0x5a5aa5a5;
	EXPECT_EQ(0, vgen_stop_source_stop(src));
	EXPECT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	EXPECT_EQ(0, vcpu->run->immediate_exit);
	vcpu_regs_get(vcpu, &now);
	check_in_done(vm, &at_exit, &now, 0x5a5aa5a5);
	/* Stopped again: nothing changes. */
	EXPECT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	vcpu_regs_get(vcpu, &at_exit);
	EXPECT_EQ(0, memcmp(&at_exit, &now, sizeof(now)));
	vgen_stop_source_free(src);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0x5a5aa5a5ULL, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* The same for an MMIO read, with the stop from another thread. */
static void *stop_now(void *p)
{
	vgen_stop_source_stop(p);
	return NULL;
}

TEST(stop_completes_pending_mmio_read)
{
	struct vgen_regs at_exit, now;
	struct vgen_stop_source *src;
	const struct vgen_run *ex;
	struct vcpu *vcpu;
	struct ucall uc;
	pthread_t th;
	struct vm *vm;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_mmio, &vcpu);
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	ASSERT_EQ(0, vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	ASSERT_EQ(VGEN_EXIT_MMIO, ex->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	ASSERT_EQ(YT_MMIO, ex->mmio.gpa);
	ASSERT_EQ(4, ex->mmio.size);
	ASSERT_EQ(0, ex->mmio.is_write);
	vcpu_regs_get(vcpu, &at_exit);
	memcpy(vcpu->run->mmio.data, "\x78\x56\x34\x12", 4);
	ASSERT_EQ(0, pthread_create(&th, NULL, stop_now, src));
	pthread_join(th, NULL);
	EXPECT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, src, &ex));
	vcpu_regs_get(vcpu, &now);
	EXPECT_EQ(0x12345678ULL, now.gpr[VGEN_REG_RAX]);
	EXPECT_LE(at_exit.rip, now.rip);
	vgen_stop_source_free(src);
	/* The read is not repeated: the next exit is the SYNC. */
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0x12345678ULL, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* ------------------------------------------------------------------ */
/* Closing and exiting while a VP runs */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal++;
}

struct runner {
	int fd;
	long ret;
};

static void *raw_run_thread(void *p)
{
	struct runner *r = p;

	r->ret = __vgen_ioctl_val(r->fd, VGEN_RUN, 0);
	return NULL;
}

/*
 * Close the partition and VP fds while another thread is inside VGEN_RUN;
 * a yield through a duplicate partition fd still ends the run.
 */
TEST(close_fds_while_running_then_yield)
{
	struct runner rn = { 0 };
	struct vgen_run *run;
	struct vcpu *vcpu;
	pthread_t th;
	struct vm *vm;
	int pfd;

	REQUIRE_YIELD();
	vm = vm_create_with_vcpu(guest_yt_spin, &vcpu);
	run = vcpu->run;
	rn.fd = vcpu->fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, raw_run_thread, &rn));
	wait_u64_ne(vm_guest_u64(vm, &yt_entered), 0);
	pfd = dup(vm->fd);
	ASSERT_GE(pfd, 0);
	EXPECT_EQ(0, close(vcpu->fd));
	EXPECT_EQ(0, close(vm->fd));
	EXPECT_EQ(0, request_yield_raw(pfd, 0, 0, -1, 0));
	pthread_join(th, NULL);
	EXPECT_EQ(0, rn.ret);
	EXPECT_EQ(VGEN_EXIT_YIELD, run->exit_reason);
	EXPECT_EQ(0, close(pfd));
	/* The library's handles now refer to closed fds: leak them. */
	munmap(run, vgen_run_size());
	munmap(vm->ram, vm->ram_size);
}

/* The same with every fd closed and a signal to end the run. */
TEST(close_fds_while_running_then_signal)
{
	struct runner rn = { 0 };
	struct sigaction sa;
	struct vgen_run *run;
	struct vcpu *vcpu;
	pthread_t th;
	struct vm *vm;

	REQUIRE_YIELD();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	vm = vm_create_with_vcpu(guest_yt_spin, &vcpu);
	run = vcpu->run;
	rn.fd = vcpu->fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, raw_run_thread, &rn));
	wait_u64_ne(vm_guest_u64(vm, &yt_entered), 0);
	EXPECT_EQ(0, close(vcpu->fd));
	EXPECT_EQ(0, close(vm->fd));
	vgen_hypervisor_close(vm->hv);
	munmap(run, vgen_run_size());
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	EXPECT_EQ(-EINTR, rn.ret);
	EXPECT_EQ(1, got_signal);
	munmap(vm->ram, vm->ram_size);
}

static void *spin_forever_thread(void *p)
{
	struct vcpu *vcpu = p;

	for (;;)
		__vgen_ioctl_val(vcpu->fd, VGEN_RUN, 0);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A process exits even though one of its threads runs an endless guest. */
TEST(exit_with_spinning_vp)
{
	struct sigaction sa;
	int status = -1;
	pid_t pid, w;

	REQUIRE_YIELD();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct vcpu *vcpu;
		pthread_t th;
		struct vm *vm;

		vm = vm_create_with_vcpu(guest_yt_spin, &vcpu);
		if (pthread_create(&th, NULL, spin_forever_thread, vcpu))
			_exit(2);
		wait_u64_ne(vm_guest_u64(vm, &yt_entered), 0);
		exit(42);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/* Bounded wait; a hung child is killed and the test fails. */
	alarm(20);
	w = waitpid(pid, &status, 0);
	alarm(0);
	if (w != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	ASSERT_EQ(pid, w);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
