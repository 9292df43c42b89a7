// SPDX-License-Identifier: GPL-2.0
/*
 * Save/restore round trip through libvgen, on every backend that can:
 * a 4-VP guest (a long per-VP computation with LOCKed updates of shared
 * counters and, with the in-kernel APIC, a pending self-IPI and APIC
 * timer held off with IF clear) is stopped with a stop source (pending
 * I/O completed), every state group of every VP (regs, sregs, MSRs incl.
 * the TSC and the MTRRs the host set, the APIC, the activity/event state)
 * and guest memory are saved, the partition is destroyed, a new one is
 * created and restored, every state group read back must equal what was
 * saved (the TSC and the timer's current count keep running), and the
 * guest then finishes with exactly the results of an uninterrupted run.
 * Also the libvgen state wrappers themselves on each backend: argument
 * checks, wrong thread, event and APIC round trips, refusals, resets.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "irq_common.h"
#include "saverestore_test.h"

#define SR_TIMEOUT	900
#define SR_RAM_MIB	32
/* Bound of the host's waits (1 ms polls / join seconds). */
#define SR_WAIT_MS	300000

/* The MSR state group saved: everything struct vgen_msrs lists. */
static const uint32_t sr_msrs[] = {
	0x10, 0x174, 0x175, 0x176, 0x277, 0xc0000081, 0xc0000082,
	0xc0000083, 0xc0000084, 0xc0000102, 0xc0000103,
	0xfe, 0x2ff, 0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
	0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f,
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d,
	0x26e, 0x26f,
};
#define SR_NMSRS	(sizeof(sr_msrs) / sizeof(sr_msrs[0]))
#define SR_TSC_POS	0

/* The whole state of one VP. */
struct sr_vp_state {
	struct vgen_regs regs;
	struct vgen_sregs sregs;
	struct vgen_msr_entry msrs[SR_NMSRS];
	struct vgen_lapic_state lapic;
	int has_lapic;
	struct vgen_vp_events ev;
	int done;		/* the guest had finished before the stop */
};

struct sr_thread {
	struct vm *vm;
	uint32_t index;
	struct vgen_stop_source *src;	/* NULL: run to DONE */
	struct sr_vp_state *save;	/* filled in at the stop */
	const struct sr_vp_state *restore; /* loaded first, or NULL */
	int done, stopped;
	pthread_t th;
};

FIXTURE(sr) {
	int err;
};

FIXTURE_VARIANT(sr) {
	const char *backend;
	uint32_t flags;
	int apic;
};

FIXTURE_VARIANT_ADD(sr, vgen_apic) {
	.backend = "vgen",
	.flags = 0,
	.apic = 1,
};

FIXTURE_VARIANT_ADD(sr, vgen_user_apic) {
	.backend = "vgen",
	.flags = VGEN_PROTO_USER_MODE_APIC,
	.apic = 0,
};

FIXTURE_VARIANT_ADD(sr, kvm) {
	.backend = "kvm",
	.flags = VGEN_PROTO_USER_MODE_APIC,
	.apic = 0,
};

FIXTURE_SETUP(sr)
{
	self->err = vgen_test_backend_check(variant->backend);
	vgen_test_backend = variant->backend;
}

FIXTURE_TEARDOWN(sr)
{
}

static void *gva_hva(struct vm *vm, volatile const void *gva)
{
	return addr_gpa2hva(vm, (uint64_t)(uintptr_t)gva);
}

/* A distinct valid MTRR value per VP (so a mix-up shows). */
static uint64_t sr_mtrr_val(uint32_t msr, uint32_t vp)
{
	if (msr == 0xfe)
		return 0x508;
	if (msr == 0x2ff)
		return 0xc00 | (vp % 2 ? 6 : 0);
	if (msr >= 0x200 && msr <= 0x20f)
		return msr & 1 ? 0xfff0000800ULL :
		       ((uint64_t)(msr - 0x1ff + vp) << 28) | 6;
	return 0x0606050504040100ULL | (vp & 1);
}

static void sr_set_mtrrs(struct vcpu *vcpu)
{
	struct vgen_msr_entry e[SR_NMSRS];
	unsigned int i, n = 0;
	int r;

	memset(e, 0, sizeof(e));
	for (i = 0; i < SR_NMSRS; i++) {
		if (sr_msrs[i] != 0xfe && sr_msrs[i] < 0x1000 &&
		    sr_msrs[i] >= 0x200 && sr_msrs[i] != 0x277) {
			e[n].index = sr_msrs[i];
			e[n].data = sr_mtrr_val(sr_msrs[i], vcpu->index);
			n++;
		}
	}
	r = vgen_processor_set_msrs(vcpu->proc, e, n);
	TEST_ASSERT(!r, "set MTRRs: %s", strerror(-r));
}

static void sr_save(struct vcpu *vcpu, struct sr_vp_state *s)
{
	unsigned int i;
	int r;

	r = vgen_processor_get_regs(vcpu->proc, &s->regs);
	TEST_ASSERT(!r, "get regs: %s", strerror(-r));
	r = vgen_processor_get_sregs(vcpu->proc, &s->sregs);
	TEST_ASSERT(!r, "get sregs: %s", strerror(-r));
	memset(s->msrs, 0, sizeof(s->msrs));
	for (i = 0; i < SR_NMSRS; i++)
		s->msrs[i].index = sr_msrs[i];
	r = vgen_processor_get_msrs(vcpu->proc, s->msrs, SR_NMSRS);
	TEST_ASSERT(!r, "get msrs: %s", strerror(-r));
	r = vgen_processor_get_lapic(vcpu->proc, &s->lapic);
	TEST_ASSERT(!r || r == -ENXIO, "get lapic: %s", strerror(-r));
	s->has_lapic = !r;
	r = vgen_processor_get_vp_events(vcpu->proc, &s->ev);
	TEST_ASSERT(!r, "get events: %s", strerror(-r));
}

/* Load @s, then read every group back and compare. */
static void sr_restore(struct vcpu *vcpu, const struct sr_vp_state *s)
{
	struct sr_vp_state now;
	unsigned int i;
	int r;

	r = vgen_processor_set_msrs(vcpu->proc, s->msrs, SR_NMSRS);
	TEST_ASSERT(!r, "set msrs: %s", strerror(-r));
	r = vgen_processor_set_sregs(vcpu->proc, &s->sregs);
	TEST_ASSERT(!r, "set sregs: %s", strerror(-r));
	r = vgen_processor_set_regs(vcpu->proc, &s->regs);
	TEST_ASSERT(!r, "set regs: %s", strerror(-r));
	if (s->has_lapic) {
		r = vgen_processor_set_lapic(vcpu->proc, &s->lapic);
		TEST_ASSERT(!r, "set lapic: %s", strerror(-r));
	}
	r = vgen_processor_set_vp_events(vcpu->proc, &s->ev);
	TEST_ASSERT(!r, "set events: %s", strerror(-r));

	sr_save(vcpu, &now);
	TEST_ASSERT(!memcmp(&now.regs, &s->regs, sizeof(s->regs)),
		    "VP %u: regs differ after restore", vcpu->index);
	TEST_ASSERT(!memcmp(&now.sregs, &s->sregs, sizeof(s->sregs)),
		    "VP %u: sregs differ after restore", vcpu->index);
	for (i = 0; i < SR_NMSRS; i++) {
		/*
		 * The TSC keeps counting, so it reads at least the saved
		 * value; not on KVM: a TSC write close to another vCPU's
		 * recent one is "synchronized" to that vCPU's offset
		 * (kvm_synchronize_tsc), which can put it slightly behind.
		 */
		if (i == SR_TSC_POS)
			TEST_ASSERT(strcmp(vgen_test_backend, "vgen") ||
				    now.msrs[i].data >= s->msrs[i].data,
				    "VP %u: TSC went back", vcpu->index);
		else
			TEST_ASSERT(now.msrs[i].data == s->msrs[i].data,
				    "VP %u: MSR 0x%x 0x%llx != saved 0x%llx",
				    vcpu->index, sr_msrs[i],
				    (unsigned long long)now.msrs[i].data,
				    (unsigned long long)s->msrs[i].data);
	}
	TEST_ASSERT(now.has_lapic == s->has_lapic, "APIC presence");
	if (s->has_lapic) {
		TEST_ASSERT(now.lapic.apic_base == s->lapic.apic_base,
			    "VP %u: APIC base", vcpu->index);
		for (i = 0; i < VGEN_LAPIC_REGS_SIZE; i += 16) {
			uint32_t a, b;

			if (i == 0x390)		/* TMCCT keeps counting */
				continue;
			memcpy(&a, &now.lapic.regs[i], 4);
			memcpy(&b, &s->lapic.regs[i], 4);
			TEST_ASSERT(a == b, "VP %u: APIC reg 0x%x 0x%x != 0x%x",
				    vcpu->index, i, a, b);
		}
	}
	TEST_ASSERT(!memcmp(&now.ev, &s->ev, sizeof(s->ev)),
		    "VP %u: events differ after restore", vcpu->index);
}

static void *sr_vp_main(void *arg)
{
	struct sr_thread *t = arg;
	const struct vgen_run *ex;
	struct vcpu *vcpu;
	struct ucall uc;
	int r;

	vcpu = vm_add_vcpu(t->vm, t->index, guest_sr_work);
	if (t->restore) {
		sr_restore(vcpu, t->restore);
		if (t->restore->done) {
			t->done = 1;
			return NULL;
		}
	} else if (t->src) {
		sr_set_mtrrs(vcpu);
	}
	for (;;) {
		if (t->src)
			r = vgen_processor_run_until_stop(vcpu->proc, t->src,
							  &ex);
		else
			r = vgen_processor_run(vcpu->proc, &ex);
		if (r == VGEN_RUN_STOPPED) {
			sr_save(vcpu, t->save);
			t->save->done = t->done;
			t->stopped = 1;
			return NULL;
		}
		TEST_ASSERT(r == 0 || r == -EINTR, "run: %s", strerror(-r));
		switch (ucall_decode(vcpu, &uc)) {
		case UCALL_ASSERT:
			ucall_report_assert(vcpu, &uc);
		case UCALL_DONE:
			t->done = 1;
			if (!t->src)
				return NULL;
			break;	/* the guest spins until the stop */
		case UCALL_NONE:
			TEST_ASSERT(vcpu->run->exit_reason == VGEN_EXIT_YIELD ||
				    vcpu->run->exit_reason == VGEN_EXIT_INTR,
				    "VP %u: %s", t->index, vcpu_exit_str(vcpu));
			break;
		default:
			break;
		}
	}
}

static void sr_start(struct sr_thread *t)
{
	int r = pthread_create(&t->th, NULL, sr_vp_main, t);

	TEST_ASSERT(!r, "pthread_create: %s", strerror(r));
}

static void sr_join(struct sr_thread *t)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += SR_WAIT_MS / 1000;
	r = pthread_timedjoin_np(t->th, NULL, &ts);
	TEST_ASSERT(!r, "VP thread %u did not end: %s", t->index, strerror(r));
}

static struct vm *sr_vm(const FIXTURE_VARIANT(sr) *variant)
{
	struct vm *vm = vm_create_proto_flags(SR_VPS, SR_RAM_MIB,
					      variant->flags);

	*(volatile uint64_t *)gva_hva(vm, &sr_use_apic) = variant->apic;
	vm_finalize(vm);
	return vm;
}

struct sr_result {
	uint64_t counter, sum, result[SR_VPS], ipis[SR_VPS], timers[SR_VPS];
};

static void sr_collect(struct vm *vm, struct sr_result *res)
{
	memset(res, 0, sizeof(*res));
	res->counter = *(volatile uint64_t *)gva_hva(vm, &sr_counter);
	res->sum = *(volatile uint64_t *)gva_hva(vm, &sr_sum);
	memcpy(res->result, gva_hva(vm, sr_result), sizeof(res->result));
	memcpy(res->ipis, gva_hva(vm, sr_ipis), sizeof(res->ipis));
	memcpy(res->timers, gva_hva(vm, sr_timers), sizeof(res->timers));
}

TEST_F_TIMEOUT(sr, round_trip, SR_TIMEOUT)
{
	struct sr_vp_state *saved = calloc(SR_VPS, sizeof(*saved));
	struct sr_thread t[SR_VPS];
	struct sr_result ref, got;
	struct vgen_stop_source *src;
	volatile uint64_t *counter;
	uint64_t ram_size;
	struct vm *vm;
	void *ram;
	long ms;
	int i, ndone = 0;

	if (self->err)
		SKIP(return, "backend %s not available: %s", variant->backend,
		     strerror(-self->err));
	ASSERT_NE(NULL, saved);

	/* The reference: an uninterrupted run. */
	vm = sr_vm(variant);
	memset(t, 0, sizeof(t));
	for (i = 0; i < SR_VPS; i++) {
		t[i].vm = vm;
		t[i].index = i;
		sr_start(&t[i]);
	}
	for (i = 0; i < SR_VPS; i++)
		sr_join(&t[i]);
	sr_collect(vm, &ref);
	vm_destroy(vm);
	ASSERT_EQ(SR_VPS * SR_ITERS / SR_LOCK_EVERY, ref.counter);

	/* Run, stop about a third of the way through, save, destroy. */
	vm = sr_vm(variant);
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	memset(t, 0, sizeof(t));
	for (i = 0; i < SR_VPS; i++) {
		t[i].vm = vm;
		t[i].index = i;
		t[i].src = src;
		t[i].save = &saved[i];
		sr_start(&t[i]);
	}
	counter = gva_hva(vm, &sr_counter);
	for (ms = 0; ms < SR_WAIT_MS && *counter < ref.counter / 3; ms++)
		usleep(1000);
	ASSERT_EQ(0, vgen_stop_source_stop(src));
	for (i = 0; i < SR_VPS; i++) {
		sr_join(&t[i]);
		ASSERT_EQ(1, t[i].stopped);
		ndone += t[i].done;
	}
	TH_LOG("stopped at counter %llu of %llu, %d VPs already done",
	       (unsigned long long)*counter, (unsigned long long)ref.counter,
	       ndone);
	for (i = 0; i < SR_VPS; i++)
		for (unsigned int m = 0; m < SR_NMSRS; m++)
			if (sr_msrs[m] >= 0x200 && sr_msrs[m] <= 0x2ff &&
			    sr_msrs[m] != 0x277)
				ASSERT_EQ(sr_mtrr_val(sr_msrs[m], i),
					  saved[i].msrs[m].data);
	ram_size = vm->ram_size;
	ram = malloc(ram_size);
	ASSERT_NE(NULL, ram);
	memcpy(ram, vm->ram, ram_size);
	vm_destroy(vm);
	vgen_stop_source_free(src);

	/* A new partition, restored, runs to the end. */
	vm = sr_vm(variant);
	ASSERT_EQ(ram_size, vm->ram_size);
	memcpy(vm->ram, ram, ram_size);
	memset(t, 0, sizeof(t));
	for (i = 0; i < SR_VPS; i++) {
		t[i].vm = vm;
		t[i].index = i;
		t[i].restore = &saved[i];
		sr_start(&t[i]);
	}
	for (i = 0; i < SR_VPS; i++) {
		sr_join(&t[i]);
		ASSERT_EQ(1, t[i].done);
	}
	sr_collect(vm, &got);
	vm_destroy(vm);
	free(ram);
	free(saved);

	EXPECT_EQ(ref.counter, got.counter);
	EXPECT_EQ(ref.sum, got.sum);
	for (i = 0; i < SR_VPS; i++) {
		EXPECT_EQ(ref.result[i], got.result[i]);
		if (variant->apic) {
			/* The self-IPI exactly once, the timer at least once. */
			EXPECT_EQ(1, got.ipis[i]);
			EXPECT_LE(1, got.timers[i]);
		}
	}
}

struct sr_other {
	struct vgen_processor *proc;
	int r;
};

static void *sr_other_thread(void *arg)
{
	struct sr_other *o = arg;
	struct vgen_vp_events ev;

	o->r = vgen_processor_get_vp_events(o->proc, &ev);
	return NULL;
}

TEST_F_TIMEOUT(sr, wrappers, SR_TIMEOUT)
{
	struct vgen_lapic_state lapic, lapic2;
	struct vgen_vp_events ev, ev2;
	struct vgen_regs regs;
	struct sr_other o;
	struct vcpu *vcpu;
	struct vm *vm;
	pthread_t th;
	int kvm = !strcmp(variant->backend, "kvm");

	if (self->err)
		SKIP(return, "backend %s not available: %s", variant->backend,
		     strerror(-self->err));
	vm = vm_create_with_vcpu_flags(guest_sr_work, &vcpu, variant->flags);

	EXPECT_EQ(-EINVAL, vgen_processor_get_lapic(vcpu->proc, NULL));
	EXPECT_EQ(-EINVAL, vgen_processor_set_lapic(vcpu->proc, NULL));
	EXPECT_EQ(-EINVAL, vgen_processor_get_vp_events(vcpu->proc, NULL));
	EXPECT_EQ(-EINVAL, vgen_processor_set_vp_events(vcpu->proc, NULL));
	EXPECT_EQ(-EINVAL, vgen_processor_get_vp_events(NULL, &ev));
	EXPECT_EQ(-EINVAL, vgen_processor_reset(NULL));
	EXPECT_EQ(-EINVAL, vgen_partition_reset(NULL));
	o.proc = vcpu->proc;
	ASSERT_EQ(0, pthread_create(&th, NULL, sr_other_thread, &o));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EPERM, o.r);

	/* Events: power-on state, a round trip, refusals. */
	ASSERT_EQ(0, vgen_processor_get_vp_events(vcpu->proc, &ev));
	EXPECT_EQ(VGEN_ACTIVITY_RUNNING, ev.activity);
	EXPECT_EQ(VGEN_EVENT_NONE, ev.event_pending);
	memset(&ev, 0, sizeof(ev));
	ev.nmi_masked = 1;
	ev.interrupt_shadow = VGEN_SHADOW_MOV_SS;
	ev.event_pending = VGEN_EVENT_IRQ;
	ev.event_vector = 0x30;
	ASSERT_EQ(0, vgen_processor_set_vp_events(vcpu->proc, &ev));
	ASSERT_EQ(0, vgen_processor_get_vp_events(vcpu->proc, &ev2));
	EXPECT_EQ(0, memcmp(&ev, &ev2, sizeof(ev))) {
		TH_LOG("read back: activity %u nmi %u/%u shadow %u event %u/0x%x",
		       ev2.activity, ev2.nmi_pending, ev2.nmi_masked,
		       ev2.interrupt_shadow, ev2.event_pending,
		       ev2.event_vector);
	}
	ev2 = ev;
	ev2.flags = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_vp_events(vcpu->proc, &ev2));
	ev2 = ev;
	ev2.interrupt_shadow = VGEN_SHADOW_STI | VGEN_SHADOW_MOV_SS;
	EXPECT_EQ(-EINVAL, vgen_processor_set_vp_events(vcpu->proc, &ev2));
	ev2 = ev;
	ev2.interrupt_shadow = VGEN_SHADOW_STI;	/* RFLAGS.IF is clear */
	EXPECT_EQ(-EINVAL, vgen_processor_set_vp_events(vcpu->proc, &ev2));
	ev2 = ev;
	ev2.event_pending = VGEN_EVENT_NONE;	/* a vector without an IRQ */
	EXPECT_EQ(-EINVAL, vgen_processor_set_vp_events(vcpu->proc, &ev2));
	if (!variant->apic) {
		ev2 = ev;
		ev2.activity = VGEN_ACTIVITY_HALTED;
		EXPECT_EQ(-EINVAL,
			  vgen_processor_set_vp_events(vcpu->proc, &ev2));
	}
	ASSERT_EQ(0, vgen_processor_get_vp_events(vcpu->proc, &ev2));
	EXPECT_EQ(0, memcmp(&ev, &ev2, sizeof(ev)));
	memset(&ev, 0, sizeof(ev));
	ASSERT_EQ(0, vgen_processor_set_vp_events(vcpu->proc, &ev));

	/* APIC: a round trip with an in-kernel APIC, else -ENXIO. */
	if (variant->apic) {
		ASSERT_EQ(0, vgen_processor_get_lapic(vcpu->proc, &lapic));
		EXPECT_EQ(0xfee00900ULL, lapic.apic_base);
		lapic.regs[0x80] = 0x20;	/* TPR */
		ASSERT_EQ(0, vgen_processor_set_lapic(vcpu->proc, &lapic));
		ASSERT_EQ(0, vgen_processor_get_lapic(vcpu->proc, &lapic2));
		EXPECT_EQ(0x20, lapic2.regs[0x80]);
		lapic.reserved[0] = 1;
		EXPECT_EQ(-EINVAL, vgen_processor_set_lapic(vcpu->proc,
							    &lapic));
	} else {
		EXPECT_EQ(-ENXIO, vgen_processor_get_lapic(vcpu->proc, &lapic));
		memset(&lapic, 0, sizeof(lapic));
		lapic.apic_base = 0xfee00900ULL;
		EXPECT_EQ(-ENXIO, vgen_processor_set_lapic(vcpu->proc, &lapic));
	}

	/* Resets: vgen puts the VP at f000:fff0; KVM cannot. */
	if (kvm) {
		EXPECT_EQ(-EOPNOTSUPP, vgen_processor_reset(vcpu->proc));
		EXPECT_EQ(-EOPNOTSUPP, vgen_partition_reset(vm->part));
	} else {
		ASSERT_EQ(0, vgen_processor_reset(vcpu->proc));
		ASSERT_EQ(0, vgen_processor_get_regs(vcpu->proc, &regs));
		EXPECT_EQ(0xfff0, regs.rip);
		ASSERT_EQ(0, vgen_processor_init_longmode(vcpu->proc, vm->ram,
							  vm->ram_size, 0x1000));
		ASSERT_EQ(0, vgen_partition_reset(vm->part));
		ASSERT_EQ(0, vgen_processor_get_regs(vcpu->proc, &regs));
		EXPECT_EQ(0xfff0, regs.rip);
	}
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
