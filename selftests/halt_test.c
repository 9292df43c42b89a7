// SPDX-License-Identifier: GPL-2.0
/*
 * vgen_processor_run_vp() and its halt reasons on every backend (each case
 * runs on "vgen" and on "kvm"; a missing backend is skipped with the
 * reason): stop requested before the run, from another thread and from
 * inside a callback (a pending IN completed first); cancel from another
 * thread and resume on a different thread with no state lost, cancel
 * before the VP is bound; power off and reset from callbacks (the VP runs
 * on afterwards); a callback errno as a hypervisor error and fatal_error
 * choosing the halt; triple fault; invalid VM state; emulation failure;
 * MMIO callbacks; an ExtINT vector from acknowledge_pic_interrupt; HLT in
 * a user-mode-APIC partition (sleep until a yield
 * request); VMM single step and hardware breakpoints (execute, write)
 * with VGEN_CAP_GUEST_DEBUG; argument checks, flush_async_requests and the
 * exit counters.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "halt_test.h"

#define HT_TIMEOUT	120
#define HT_NEVER	0xffffffffU
#define CAP_GUEST_DEBUG	14	/* VGEN_CAP_GUEST_DEBUG */

/**
 * struct ht_io - the callbacks' state.
 * @stop: the stop source of the current run.
 * @part: the partition (for cancels from a callback).
 * @first: first HT_PORT value of the current run (-1: none).
 * @last: last HT_PORT value (-1: none; atomic, read by other threads).
 * @outs: HT_PORT writes in the current run.
 * @stop_at: stop when this value is written.
 * @halt_at: return @halt_ret when this value is written.
 * @halt_ret: a VGEN_HALT_* or a negative errno.
 * @in_value: what HT_IN_PORT reads.
 * @stop_in_read: stop from inside the IN callback.
 * @fatal_ret: what fatal_error returns.
 * @fatal_calls: fatal_error calls. @fatal_err: its last @err.
 * @mmio_gpa, @mmio_size, @mmio_val: the last MMIO write.
 * @mmio_read_val: what MMIO reads return.
 * @lint_at: pulse LINT0 of VP 0 when this value is written.
 * @lint_ret: the result of that pulse.
 * @acks: acknowledge_pic_interrupt calls.
 */
struct ht_io {
	struct vgen_stop_source *stop;
	struct vgen_partition *part;
	int64_t first, last;
	uint64_t outs;
	uint32_t stop_at, halt_at;
	int halt_ret;
	uint32_t in_value;
	int stop_in_read;
	int fatal_ret, fatal_calls, fatal_err;
	uint64_t mmio_gpa;
	uint32_t mmio_size, mmio_val, mmio_read_val;
	uint32_t lint_at;
	int lint_ret, acks;
};

static void ht_reset(struct ht_io *h, struct vgen_stop_source *stop)
{
	h->stop = stop;
	h->first = -1;
	__atomic_store_n(&h->last, -1, __ATOMIC_SEQ_CST);
	h->outs = 0;
	h->stop_at = HT_NEVER;
	h->halt_at = HT_NEVER;
	h->lint_at = HT_NEVER;
}

static int ht_write_io(void *ctx, uint32_t vp, uint16_t port,
		       const void *data, uint32_t size)
{
	struct ht_io *h = ctx;
	uint32_t v = 0;

	if (port != HT_PORT || size != 4 || vp != 0)
		return -EPROTO;
	memcpy(&v, data, 4);
	if (h->first < 0)
		h->first = v;
	__atomic_store_n(&h->last, v, __ATOMIC_SEQ_CST);
	h->outs++;
	if (v == h->stop_at)
		vgen_stop_source_stop(h->stop);
	if (v == h->lint_at) {
		h->lint_ret = vgen_partition_pulse_lint(h->part, 0, 0, 0);
		if (h->lint_ret)
			return VGEN_HALT_HYPERVISOR_ERROR;
	}
	if (v == h->halt_at)
		return h->halt_ret;
	return 0;
}

static int ht_read_io(void *ctx, uint32_t vp, uint16_t port, void *data,
		      uint32_t size)
{
	struct ht_io *h = ctx;

	if (port != HT_IN_PORT || size != 4 || vp != 0)
		return -EPROTO;
	memcpy(data, &h->in_value, 4);
	if (h->stop_in_read)
		vgen_stop_source_stop(h->stop);
	return 0;
}

static int ht_write_mmio(void *ctx, uint32_t vp, uint64_t gpa,
			 const void *data, uint32_t size)
{
	struct ht_io *h = ctx;

	(void)vp;
	h->mmio_gpa = gpa;
	h->mmio_size = size;
	h->mmio_val = 0;
	memcpy(&h->mmio_val, data, size < 4 ? size : 4);
	return 0;
}

static int ht_read_mmio(void *ctx, uint32_t vp, uint64_t gpa, void *data,
			uint32_t size)
{
	struct ht_io *h = ctx;

	(void)vp;
	if (gpa != HT_MMIO + 4 || size != 4)
		return -EPROTO;
	memcpy(data, &h->mmio_read_val, 4);
	return 0;
}

static int ht_ack_pic(void *ctx, uint32_t vp, uint8_t *vector, int *valid)
{
	struct ht_io *h = ctx;

	(void)vp;
	h->acks++;
	*vector = HT_EXTINT_VECTOR;
	*valid = 1;
	return 0;
}

static int ht_fatal(void *ctx, uint32_t vp, int err)
{
	struct ht_io *h = ctx;

	(void)vp;
	h->fatal_calls++;
	h->fatal_err = err;
	return h->fatal_ret;
}

static struct vgen_cpu_io ht_cpu_io(struct ht_io *h, bool fatal)
{
	struct vgen_cpu_io io = {
		.ctx = h,
		.read_io = ht_read_io,
		.write_io = ht_write_io,
		.read_mmio = ht_read_mmio,
		.write_mmio = ht_write_mmio,
		.acknowledge_pic_interrupt = ht_ack_pic,
		.fatal_error = fatal ? ht_fatal : NULL,
	};

	return io;
}

FIXTURE(halt) {
	int err;
	struct ht_io h;
	struct vgen_stop_source *stop;
};

FIXTURE_VARIANT(halt) {
	const char *name;
};

FIXTURE_VARIANT_ADD(halt, vgen) {
	.name = "vgen",
};

FIXTURE_VARIANT_ADD(halt, kvm) {
	.name = "kvm",
};

FIXTURE_SETUP(halt)
{
	self->err = vgen_test_backend_check(variant->name);
	vgen_test_backend = variant->name;
	memset(&self->h, 0, sizeof(self->h));
	ASSERT_EQ(0, vgen_stop_source_new(&self->stop));
	ht_reset(&self->h, self->stop);
}

FIXTURE_TEARDOWN(halt)
{
	vgen_stop_source_free(self->stop);
}

/* Why the test VM has no KVM (set by selftests/vm/vgen-vm), or NULL. */
static const char *ht_reason(const char *backend)
{
	return strcmp(backend, "kvm") ? NULL : getenv("VGEN_NO_KVM_REASON");
}

#define REQUIRE_BACKEND()						\
	do {								\
		if (self->err)						\
			SKIP(return, "backend %s not available: %s%s%s", \
			     variant->name, strerror(-self->err),	\
			     ht_reason(variant->name) ? " - " : "",	\
			     ht_reason(variant->name) ?: "");		\
	} while (0)

/* A fresh stop source (a stop cannot be undone). */
static void ht_new_stop(struct ht_io *h, struct vgen_stop_source **stop)
{
	vgen_stop_source_free(*stop);
	TEST_ASSERT(!vgen_stop_source_new(stop), "stop source");
	ht_reset(h, *stop);
}

TEST_F_TIMEOUT(halt, arguments, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t counts[4];

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	EXPECT_EQ(-EINVAL, vgen_processor_run_vp(NULL, self->stop, &io, &halt));
	EXPECT_EQ(-EINVAL, vgen_processor_run_vp(vcpu->proc, NULL, &io, &halt));
	EXPECT_EQ(-EINVAL, vgen_processor_run_vp(vcpu->proc, self->stop, &io,
						 NULL));
	EXPECT_EQ(-EINVAL, vgen_partition_cancel_vp(NULL, 0));
	EXPECT_EQ(-EINVAL, vgen_partition_cancel_vp(vm->part, 1));
	EXPECT_EQ(-EINVAL, vgen_processor_flush_async_requests(NULL));
	EXPECT_EQ(0, vgen_processor_flush_async_requests(vcpu->proc));
	EXPECT_EQ(-EINVAL, vgen_processor_exit_counts(NULL, counts, 4));
	EXPECT_EQ(-EINVAL, vgen_processor_exit_counts(vcpu->proc, NULL, 4));
	EXPECT_EQ(0, vgen_processor_exit_counts(vcpu->proc, NULL, 0));
	/* Nothing ran yet. */
	ASSERT_EQ(0, vgen_processor_exit_counts(vcpu->proc, counts, 4));
	EXPECT_EQ(0, counts[VGEN_EXIT_IO]);
	vm_destroy(vm);
}

/* A stop before the run: no guest instruction runs. */
TEST_F_TIMEOUT(halt, stop_before_run, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	ASSERT_EQ(0, vgen_stop_source_stop(self->stop));
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0, self->h.outs);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_ht_count, regs.rip);
	vm_destroy(vm);
}

/* A stop from inside the OUT callback: that OUT is the last one. */
TEST_F_TIMEOUT(halt, stop_from_callback, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t counts[VGEN_EXIT_DEBUG + 1];

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	self->h.stop_at = 50;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0, self->h.first);
	EXPECT_EQ(50, self->h.last);
	EXPECT_EQ(51, self->h.outs);
	ASSERT_EQ(0, vgen_processor_exit_counts(vcpu->proc, counts,
						VGEN_EXIT_DEBUG + 1));
	EXPECT_EQ(51, counts[VGEN_EXIT_IO]);
	/* Still stopping: the next call stops at once. */
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(51, self->h.outs);
	/* A new stop source: the guest goes on where it stopped. */
	ht_new_stop(&self->h, &self->stop);
	self->h.stop_at = 60;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(51, self->h.first);
	EXPECT_EQ(60, self->h.last);
	vm_destroy(vm);
}

/* A stop from the IN callback: the IN completes before the stop. */
TEST_F_TIMEOUT(halt, stop_completes_pending_in, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_in, &vcpu);
	self->h.in_value = 0x1234abcd;
	self->h.stop_in_read = 1;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0, self->h.outs);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(0x1234abcd, (uint32_t)regs.gpr[0]);
	/* Running on, the next OUT carries the value read. */
	ht_new_stop(&self->h, &self->stop);
	self->h.stop_in_read = 0;
	self->h.stop_at = 0x1234abcd;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0x1234abcd, self->h.first);
	vm_destroy(vm);
}

struct ht_kicker {
	struct vm *vm;
	struct ht_io *h;
	struct vgen_stop_source *stop;	/* NULL: cancel */
	int64_t min_last;		/* or ht_counter >= 1000 */
	unsigned int delay_us;		/* after the condition */
};

/* Once the guest runs (counter or OUTs), stop or cancel VP 0. */
static void *ht_kick_when_running(void *arg)
{
	struct ht_kicker *k = arg;
	volatile uint64_t *counter = addr_gpa2hva(k->vm,
		(uint64_t)(uintptr_t)&ht_counter);

	while (*counter < 1000 &&
	       __atomic_load_n(&k->h->last, __ATOMIC_SEQ_CST) < k->min_last)
		sched_yield();
	if (k->delay_us)
		usleep(k->delay_us);
	if (k->stop)
		vgen_stop_source_stop(k->stop);
	else
		vgen_partition_cancel_vp(k->vm->part, 0);
	return NULL;
}

/* A stop from another thread ends a VP that never exits by itself. */
TEST_F_TIMEOUT(halt, stop_from_thread, HT_TIMEOUT)
{
	struct ht_kicker k;
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	pthread_t th;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_spin, &vcpu);
	k = (struct ht_kicker){ .vm = vm, .h = &self->h, .stop = self->stop,
				.min_last = 100 };
	ASSERT_EQ(0, pthread_create(&th, NULL, ht_kick_when_running, &k));
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, NULL,
					   &halt));
	pthread_join(th, NULL);
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_LE(1000, *(volatile uint64_t *)addr_gpa2hva(vm,
			(uint64_t)(uintptr_t)&ht_counter));
	vm_destroy(vm);
}

struct ht_resume {
	struct vm *vm;
	struct vcpu *vcpu;
	struct ht_io *h;
	struct vgen_stop_source *stop;
	struct vgen_processor *proc;
	int bind_ret, run_ret, again_ret;
	struct vgen_halt halt;
};

/* Rebind VP 0 on this thread and run it until 100 more OUTs. */
static void *ht_resume_thread(void *arg)
{
	struct ht_resume *r = arg;
	struct vgen_cpu_io io = ht_cpu_io(r->h, false);
	struct vgen_processor *again;
	struct vgen_binder *b;

	vgen_partition_binder(r->vm->part, 0, &b);
	r->bind_ret = vgen_binder_bind(b, &r->proc);
	if (r->bind_ret)
		return NULL;
	r->again_ret = vgen_binder_bind(b, &again);
	r->run_ret = vgen_processor_run_vp(r->proc, r->stop, &io, &r->halt);
	return NULL;
}

/* Cancel from another thread, then resume on a third: nothing lost. */
TEST_F_TIMEOUT(halt, cancel_and_resume_elsewhere, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct ht_resume res;
	struct ht_kicker k;
	struct vgen_halt halt;
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	int64_t last;
	pthread_t th;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	k = (struct ht_kicker){ .vm = vm, .h = &self->h, .min_last = 100 };
	ASSERT_EQ(0, pthread_create(&th, NULL, ht_kick_when_running, &k));
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	pthread_join(th, NULL);
	ASSERT_EQ(VGEN_HALT_CANCEL, halt.reason);
	last = self->h.last;
	EXPECT_LE(100, last);
	EXPECT_EQ(last + 1, (int64_t)self->h.outs);
	/* The VP is consistent: its state can be read here. */
	vcpu_regs_get(vcpu, &regs);

	/* Resume on another thread: the count goes on at last + 1. */
	ht_reset(&self->h, self->stop);
	self->h.stop_at = (uint32_t)last + 100;
	memset(&res, 0, sizeof(res));
	res = (struct ht_resume){ .vm = vm, .vcpu = vcpu, .h = &self->h,
				  .stop = self->stop };
	ASSERT_EQ(0, pthread_create(&th, NULL, ht_resume_thread, &res));
	pthread_join(th, NULL);
	ASSERT_EQ(0, res.bind_ret);
	EXPECT_EQ(vcpu->proc, res.proc);
	EXPECT_EQ(-EEXIST, res.again_ret);
	ASSERT_EQ(0, res.run_ret);
	EXPECT_EQ(VGEN_HALT_STOP, res.halt.reason);
	EXPECT_EQ(last + 1, self->h.first);
	EXPECT_EQ(last + 100, self->h.last);
	EXPECT_EQ(100, self->h.outs);
	/* The processor belongs to the other thread now. */
	EXPECT_EQ(-EPERM, vgen_processor_get_regs(vcpu->proc, &regs));
	EXPECT_EQ(-EPERM, vgen_processor_run_vp(vcpu->proc, self->stop, &io,
						&halt));
	vm_destroy(vm);
}

/* A cancel before the VP is bound: its first run_vp reports it. */
TEST_F_TIMEOUT(halt, cancel_before_bind, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	ASSERT_EQ(0, vgen_partition_cancel_vp(vm->part, 0));
	ASSERT_EQ(0, vgen_partition_cancel_vp(vm->part, 0));
	vcpu = vm_add_vcpu(vm, 0, guest_ht_count);
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_CANCEL, halt.reason);
	EXPECT_EQ(0, self->h.outs);
	/* The two requests coalesced: the next run runs the guest. */
	self->h.stop_at = 5;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0, self->h.first);
	EXPECT_EQ(5, self->h.last);
	vm_destroy(vm);
}

/* Devices power off and reset through a callback's return value. */
TEST_F_TIMEOUT(halt, power_off_and_reset, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	self->h.halt_at = 10;
	self->h.halt_ret = VGEN_HALT_POWER_OFF;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_POWER_OFF, halt.reason);
	EXPECT_EQ(0, halt.error);
	EXPECT_EQ(10, self->h.last);
	self->h.halt_at = 20;
	self->h.halt_ret = VGEN_HALT_RESET;
	self->h.first = -1;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_RESET, halt.reason);
	EXPECT_EQ(11, self->h.first);
	EXPECT_EQ(20, self->h.last);
	vm_destroy(vm);
}

/* A callback errno: a hypervisor error, or what fatal_error chooses. */
TEST_F_TIMEOUT(halt, callback_error, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	self->h.halt_at = 3;
	self->h.halt_ret = -EIO;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_HYPERVISOR_ERROR, halt.reason);
	EXPECT_EQ(-EIO, halt.error);
	EXPECT_EQ(3, self->h.last);

	io = ht_cpu_io(&self->h, true);
	self->h.halt_at = 7;
	self->h.halt_ret = -ENODEV;
	self->h.fatal_ret = VGEN_HALT_INVALID_VM_STATE;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_INVALID_VM_STATE, halt.reason);
	EXPECT_EQ(-ENODEV, halt.error);
	EXPECT_EQ(1, self->h.fatal_calls);
	EXPECT_EQ(-ENODEV, self->h.fatal_err);
	EXPECT_EQ(7, self->h.last);

	/* An out-of-range choice falls back to a hypervisor error. */
	self->h.halt_at = 9;
	self->h.fatal_ret = 1000;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_HYPERVISOR_ERROR, halt.reason);
	EXPECT_EQ(-ENODEV, halt.error);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(halt, triple_fault, HT_TIMEOUT)
{
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_triple_fault, &vcpu);
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, NULL,
					   &halt));
	EXPECT_EQ(VGEN_HALT_TRIPLE_FAULT, halt.reason);
	EXPECT_EQ(0, halt.vtl);
	EXPECT_EQ(0, halt.error);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(halt, mmio_callbacks, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_mmio, &vcpu);
	self->h.mmio_read_val = 0x5678;
	self->h.stop_at = 0x5678;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(HT_MMIO, self->h.mmio_gpa);
	EXPECT_EQ(4, self->h.mmio_size);
	EXPECT_EQ(0x1234, self->h.mmio_val);
	EXPECT_EQ(1, self->h.outs);
	vm_destroy(vm);
}

/* Execution from MMIO: the software VP's emulation failure. */
TEST_F_TIMEOUT(halt, emulation_failure, HT_TIMEOUT)
{
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_exec_mmio, &vcpu);
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, NULL,
					   &halt));
	if (!strcmp(variant->name, "kvm") &&
	    halt.reason != VGEN_HALT_EMULATION_FAILURE) {
		vm_destroy(vm);
		SKIP(return, "KVM does not report instruction fetch from MMIO as an emulation failure (halt %u, suberror %u)",
		     halt.reason, halt.suberror);
	}
	EXPECT_EQ(VGEN_HALT_EMULATION_FAILURE, halt.reason);
	EXPECT_EQ(-ENOSYS, halt.error);
	EXPECT_EQ(VGEN_INTERNAL_EMULATION_FAILURE, halt.suberror);
	if (!strcmp(variant->name, "vgen"))
		EXPECT_EQ(HT_MMIO, halt.rip);
	vm_destroy(vm);
}

/*
 * Invalid VM state: 64-bit code with CS.L and CS.D both set, which VM
 * entry refuses on hardware. Both backends refuse such registers when
 * they are set (-EINVAL, nothing changed), so the run cannot meet them;
 * the halt is then produced the way a VMM's device model reports state
 * it finds invalid: a callback returning VGEN_HALT_INVALID_VM_STATE. A
 * backend that accepts the registers must report the halt from the run.
 */
TEST_F_TIMEOUT(halt, invalid_vm_state, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_sregs sregs, now;
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	int ret;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cs.attributes |= VGEN_SEG_ATTR_DB;
	ret = vgen_processor_set_sregs(vcpu->proc, &sregs);
	if (ret) {
		EXPECT_EQ(-EINVAL, ret);
		vcpu_sregs_get(vcpu, &now);
		EXPECT_FALSE(now.cs.attributes & VGEN_SEG_ATTR_DB);
		self->h.halt_at = 0;
		self->h.halt_ret = VGEN_HALT_INVALID_VM_STATE;
	}
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_INVALID_VM_STATE, halt.reason) {
		TH_LOG("halt %u suberror %u error %d rip 0x%llx",
		       halt.reason, halt.suberror, halt.error,
		       (unsigned long long)halt.rip);
	}
	if (ret) {
		/* The OUT that reported it was completed, and was the last. */
		EXPECT_EQ(0, self->h.last);
		EXPECT_EQ(1, self->h.outs);
	} else {
		EXPECT_EQ(VGEN_INTERNAL_INVALID_STATE, halt.suberror);
		EXPECT_EQ(-EINVAL, halt.error);
	}
	vm_destroy(vm);
}

/* LINT0 in ExtINT mode: the VMM's PIC vector through the callback. */
TEST_F_TIMEOUT(halt, extint_acknowledge, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	int ret;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_ht_extint, &vcpu);
	/* LINT0 is masked after reset: a pulse only tests for support. */
	ret = vgen_partition_pulse_lint(vm->part, 0, 0, 0);
	if (ret) {
		vm_destroy(vm);
		SKIP(return, "backend %s cannot pulse LINT0 (vgen_partition_pulse_lint: %s)",
		     variant->name, strerror(-ret));
	}
	self->h.part = vm->part;
	self->h.lint_at = 1;
	self->h.stop_at = HT_EXTINT_VECTOR;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason) {
		TH_LOG("halt %u error %d", halt.reason, halt.error);
	}
	EXPECT_EQ(0, self->h.lint_ret);
	EXPECT_EQ(1, self->h.acks);
	EXPECT_EQ(HT_EXTINT_VECTOR, self->h.last);
	EXPECT_EQ(2, self->h.outs);
	vm_destroy(vm);
}

struct ht_waker {
	struct vm *vm;
	struct ht_io *h;
	uint32_t until;
};

/* Request yields until the guest has written @until. */
static void *ht_wake_thread(void *arg)
{
	struct ht_waker *w = arg;

	while (__atomic_load_n(&w->h->last, __ATOMIC_SEQ_CST) <
	       (int64_t)w->until) {
		vgen_partition_request_yield(w->vm->part, 0);
		usleep(1000);
	}
	return NULL;
}

/* HLT without an in-kernel APIC: run_vp sleeps until a yield request. */
TEST_F_TIMEOUT(halt, hlt_sleeps_until_yield, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct ht_waker w;
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t counts[VGEN_EXIT_DEBUG + 1];
	pthread_t th;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu_flags(guest_ht_hlt, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	self->h.stop_at = 3;
	w = (struct ht_waker){ .vm = vm, .h = &self->h, .until = 3 };
	ASSERT_EQ(0, pthread_create(&th, NULL, ht_wake_thread, &w));
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	pthread_join(th, NULL);
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0, self->h.first);
	EXPECT_EQ(3, self->h.last);
	ASSERT_EQ(0, vgen_processor_exit_counts(vcpu->proc, counts,
						VGEN_EXIT_DEBUG + 1));
	EXPECT_EQ(3, counts[VGEN_EXIT_HLT]);
	vm_destroy(vm);
}

/* A stop reaches a VP sleeping after HLT (no yield from anyone else). */
TEST_F_TIMEOUT(halt, stop_while_halted, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct ht_kicker k;
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	pthread_t th;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu_flags(guest_ht_hlt, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	/*
	 * Stop once the guest wrote 0 (it halts right after); the delay
	 * only makes it likely that the VP sleeps by then: either way the
	 * run must end with a stop and the guest must not run on.
	 */
	k = (struct ht_kicker){ .vm = vm, .h = &self->h, .stop = self->stop,
				.min_last = 0, .delay_us = 20000 };
	ASSERT_EQ(0, pthread_create(&th, NULL, ht_kick_when_running, &k));
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	pthread_join(th, NULL);
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(0, self->h.last);
	vm_destroy(vm);
}

/* Single step and hardware breakpoints need VGEN_CAP_GUEST_DEBUG. */
static bool ht_have_debug(const char *backend)
{
	struct vgen_hypervisor *hv;
	uint64_t cap = 0;

	if (vgen_hypervisor_open(backend, &hv))
		return false;
	vgen_hypervisor_check_cap(hv, CAP_GUEST_DEBUG, &cap);
	vgen_hypervisor_close(hv);
	return cap != 0;
}

/*
 * VMM single step: each run_vp() ends with VGEN_HALT_SINGLE_STEP after one
 * guest instruction, at the VP's current RIP; the spinning guest's loop
 * is four instructions (load, add, store, jump: volatile counter at -O2),
 * so N steps advance the counter by N / 4, give or take one. Turning
 * debugging off lets the VP run until the stop.
 */
TEST_F_TIMEOUT(halt, debug_single_step, HT_TIMEOUT)
{
	struct vgen_debug_state ds = { .single_step = 1 };
	volatile uint64_t *cnt;
	struct vgen_regs regs;
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t c0;
	int i, n = 30;

	REQUIRE_BACKEND();
	if (!ht_have_debug(variant->name))
		SKIP(return, "backend %s has no VGEN_CAP_GUEST_DEBUG (14)",
		     variant->name);
	vm = vm_create_with_vcpu(guest_ht_spin, &vcpu);
	cnt = vm_guest_u64(vm, &ht_counter);
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, &ds));
	c0 = *cnt;
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop,
						   NULL, &halt));
		ASSERT_EQ(VGEN_HALT_SINGLE_STEP, halt.reason);
		vcpu_regs_get(vcpu, &regs);
		EXPECT_EQ(regs.rip, halt.rip);
	}
	EXPECT_GE(*cnt - c0, (uint64_t)n / 4 - 1);
	EXPECT_LE(*cnt - c0, (uint64_t)n / 4 + 1);
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, NULL));
	vgen_stop_source_stop(self->stop);
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, NULL,
					   &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	vm_destroy(vm);
}

/*
 * VMM hardware breakpoints: an execute breakpoint in slot 2 on the guest's
 * entry point halts before its first instruction with
 * VGEN_HALT_HW_BREAKPOINT and breakpoint 2; a write breakpoint in slot 1
 * on the counter the guest increments halts after the store with
 * breakpoint 1; with debugging off the guest runs on to the stop. KVM
 * runs nested on TCG in the test VM, where its hardware breakpoints never
 * fire (see debug_test), so this case is vgen-only there.
 */
TEST_F_TIMEOUT(halt, debug_breakpoints, HT_TIMEOUT)
{
	struct vgen_cpu_io io = ht_cpu_io(&self->h, false);
	struct vgen_debug_state ds = { .enabled = 1U << 2 };
	volatile uint64_t *cnt;
	struct vgen_halt halt;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t c0;

	REQUIRE_BACKEND();
	if (!ht_have_debug(variant->name))
		SKIP(return, "backend %s has no VGEN_CAP_GUEST_DEBUG (14)",
		     variant->name);
	if (!strcmp(variant->name, "kvm"))
		SKIP(return, "KVM nested on QEMU TCG never fires hardware breakpoints");
	vm = vm_create_with_vcpu(guest_ht_count, &vcpu);
	ds.breakpoints[2].address = (uint64_t)(uintptr_t)guest_ht_count;
	ds.breakpoints[2].type = VGEN_BP_EXECUTE;
	ds.breakpoints[2].size = 1;
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, &ds));
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_HW_BREAKPOINT, halt.reason);
	EXPECT_EQ(2, halt.breakpoint);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_ht_count, halt.rip);
	EXPECT_EQ(0, self->h.outs);
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, NULL));
	self->h.stop_at = 3;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, &io, &halt));
	EXPECT_EQ(VGEN_HALT_STOP, halt.reason);
	EXPECT_EQ(4, self->h.outs);
	vm_destroy(vm);

	/* The stop at 3 stopped the stop source for good: a new one. */
	ht_new_stop(&self->h, &self->stop);
	vm = vm_create_with_vcpu(guest_ht_spin, &vcpu);
	cnt = vm_guest_u64(vm, &ht_counter);
	memset(&ds, 0, sizeof(ds));
	ds.enabled = 1U << 1;
	ds.breakpoints[1].address = (uint64_t)(uintptr_t)&ht_counter;
	ds.breakpoints[1].type = VGEN_BP_WRITE;
	ds.breakpoints[1].size = 8;
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, &ds));
	c0 = *cnt;
	ASSERT_EQ(0, vgen_processor_run_vp(vcpu->proc, self->stop, NULL,
					   &halt));
	EXPECT_EQ(VGEN_HALT_HW_BREAKPOINT, halt.reason);
	EXPECT_EQ(1, halt.breakpoint);
	EXPECT_EQ(c0 + 1, *cnt);
	ASSERT_EQ(0, vgen_processor_set_debug_state(vcpu->proc, 0, NULL));
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
