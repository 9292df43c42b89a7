// SPDX-License-Identifier: GPL-2.0
/*
 * Run-loop stress: SS_VPS VPs run a guest (interrupts enabled, spinning)
 * while other host threads, each for a bounded number of iterations,
 * request yields, stop the VPs with stop sources, send MSIs and read VP
 * state (VGEN_GET_REGS, VGEN_GET_LAPIC, VGEN_GET_VP_EVENTS from a thread
 * that does not own the VP: 0, or -EBUSY while the VP is inside
 * VGEN_RUN). Checked: every thread ends (bounded joins), every yield
 * request is followed by a yield exit of that VP, every stop is reported
 * as VGEN_RUN_STOPPED, every MSI the kernel reports as accepted is taken
 * by the guest exactly once, state reads never fail otherwise. A second
 * case closes the partition fd and VP fds while the other VPs run and
 * are yielded and interrupted. The VM harness checks the kernel log.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "irq_common.h"
#include "stress_test.h"

#define SS_TIMEOUT	900
#define SS_RAM_MIB	16
/* Iterations of each hammer thread (per VP where it says so). */
#define SS_YIELDS	100	/* per VP */
#define SS_STOPS	30	/* per VP */
#define SS_MSIS		100	/* per VP */
#define SS_READS	1000
#define SS_CLOSE_ROUNDS	4
/* Bound of every wait (1 ms polls): a lost request fails the test. */
#define SS_WAIT_MS	120000

/* The VP thread's counters (atomics) and its stop source slot. */
struct ss_vp {
	struct vm *vm;
	uint32_t index;
	struct vcpu *vcpu;
	pthread_t th;
	int bound;
	/* Published by the stopper; the VP uses it while not stopped. */
	struct vgen_stop_source *src;
	struct vgen_stop_source *stopped_src;	/* last one reported */
	uint64_t yield_exits, stops, runs, run_busy;
	int done;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *gva_hva(struct vm *vm, volatile const void *gva)
{
	return addr_gpa2hva(vm, (uint64_t)(uintptr_t)gva);
}

static uint64_t ld(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void *ss_vp_main(void *arg)
{
	struct ss_vp *v = arg;
	struct vgen_stop_source *src, *last = NULL;
	const struct vgen_run *ex;
	struct ucall uc;
	int r;

	v->vcpu = vm_add_vcpu(v->vm, v->index, guest_ss_main);
	__atomic_store_n(&v->bound, 1, __ATOMIC_RELEASE);
	for (;;) {
		src = __atomic_load_n(&v->src, __ATOMIC_ACQUIRE);
		/* Tells a kernel yield exit apart from an early stop. */
		v->vcpu->run->exit_reason = VGEN_EXIT_UNKNOWN;
		if (src && src != last)
			r = vgen_processor_run_until_stop(v->vcpu->proc, src,
							  &ex);
		else
			r = vgen_processor_run(v->vcpu->proc, &ex);
		__atomic_add_fetch(&v->runs, 1, __ATOMIC_RELEASE);
		if (v->vcpu->run->exit_reason == VGEN_EXIT_YIELD)
			__atomic_add_fetch(&v->yield_exits, 1,
					   __ATOMIC_RELEASE);
		if (r == VGEN_RUN_STOPPED) {
			last = src;
			__atomic_add_fetch(&v->stops, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&v->stopped_src, src,
					 __ATOMIC_RELEASE);
			continue;
		}
		/*
		 * -EBUSY: a state read of another thread (ss_reader) held the
		 * VP at that instant (documented for VGEN_RUN); run again.
		 */
		if (r == -EBUSY) {
			__atomic_add_fetch(&v->run_busy, 1, __ATOMIC_RELEASE);
			continue;
		}
		TEST_ASSERT(r == 0 || r == -EINTR, "VP %u run: %s", v->index,
			    strerror(-r));
		switch (ucall_decode(v->vcpu, &uc)) {
		case UCALL_ASSERT:
			ucall_report_assert(v->vcpu, &uc);
		case UCALL_DONE:
			__atomic_store_n(&v->done, 1, __ATOMIC_RELEASE);
			return NULL;
		case UCALL_NONE:
			TEST_ASSERT(v->vcpu->run->exit_reason ==
				    VGEN_EXIT_YIELD ||
				    v->vcpu->run->exit_reason == VGEN_EXIT_INTR,
				    "VP %u: %s", v->index,
				    vcpu_exit_str(v->vcpu));
			break;
		default:
			break;
		}
	}
}

/* Wait (bounded) until *@p > @old. */
static void ss_wait_above(uint64_t *p, uint64_t old, const char *what,
			  uint32_t vp)
{
	int ms;

	for (ms = 0; ms < SS_WAIT_MS; ms++) {
		if (ld(p) > old)
			return;
		if (ms < 10)
			sched_yield();
		else
			sleep_ms(1);
	}
	TEST_ASSERT(0, "VP %u: %s not honoured", vp, what);
}

struct ss_ctx {
	struct vm *vm;
	struct ss_vp vp[SS_VPS];
	uint64_t msi_accepted[SS_VPS];
	uint64_t reads_ok, reads_busy;
	struct vgen_stop_source *srcs[SS_VPS][SS_STOPS];
};

static void *ss_yielder(void *arg)
{
	struct ss_ctx *c = arg;
	uint64_t before;
	uint32_t i;
	int k, r;

	for (k = 0; k < SS_YIELDS; k++) {
		for (i = 0; i < SS_VPS; i++) {
			before = ld(&c->vp[i].yield_exits);
			r = vgen_partition_request_yield(c->vm->part, i);
			TEST_ASSERT(!r, "yield: %s", strerror(-r));
			ss_wait_above(&c->vp[i].yield_exits, before, "yield",
				      i);
		}
	}
	return NULL;
}

static void *ss_stopper(void *arg)
{
	struct ss_ctx *c = arg;
	struct vgen_stop_source *s;
	uint64_t before;
	uint32_t i;
	int k, ms;

	for (k = 0; k < SS_STOPS; k++) {
		for (i = 0; i < SS_VPS; i++) {
			TEST_ASSERT(!vgen_stop_source_new(&s), "stop source");
			c->srcs[i][k] = s;
			before = ld(&c->vp[i].runs);
			__atomic_store_n(&c->vp[i].src, s, __ATOMIC_RELEASE);
			/*
			 * Let the VP enter with it (most of the time): a yield
			 * ends its current run (the yielder may be done).
			 */
			TEST_ASSERT(!vgen_partition_request_yield(c->vm->part, i),
				    "yield");
			ss_wait_above(&c->vp[i].runs, before, "run", i);
			TEST_ASSERT(!vgen_stop_source_stop(s), "stop");
			for (ms = 0; ms < SS_WAIT_MS; ms++) {
				if (__atomic_load_n(&c->vp[i].stopped_src,
						    __ATOMIC_ACQUIRE) == s)
					break;
				sleep_ms(1);
			}
			TEST_ASSERT(ms < SS_WAIT_MS, "VP %u: stop %d lost",
				    i, k);
		}
	}
	return NULL;
}

static void *ss_msi(void *arg)
{
	struct ss_ctx *c = arg;
	volatile struct irq_vp_state *st;
	struct vgen_msi msi;
	uint64_t before;
	uint32_t i, vec;
	long r;
	int k, ms;

	for (k = 0; k < SS_MSIS; k++) {
		for (i = 0; i < SS_VPS; i++) {
			st = gva_hva(c->vm, &irq_state[i]);
			vec = SS_VEC_BASE + i;
			before = st->count[vec];
			memset(&msi, 0, sizeof(msi));
			msi.address = VGEN_MSI_ADDR_BASE |
				      (i << VGEN_MSI_ADDR_DEST_SHIFT);
			msi.data = vec;
			r = __vgen_ioctl(c->vm->fd, VGEN_SIGNAL_MSI, &msi);
			TEST_ASSERT(r == 1, "MSI to VP %u: %ld", i, r);
			c->msi_accepted[i]++;
			/* One at a time: the IRR would coalesce two. */
			for (ms = 0; ms < SS_WAIT_MS; ms++) {
				if (st->count[vec] > before)
					break;
				if (ms < 10)
					sched_yield();
				else
					sleep_ms(1);
			}
			TEST_ASSERT(ms < SS_WAIT_MS, "VP %u: MSI %d not taken",
				    i, k);
		}
	}
	return NULL;
}

static void *ss_reader(void *arg)
{
	struct ss_ctx *c = arg;
	struct vgen_lapic_state lapic;
	struct vgen_vp_events ev;
	struct vgen_regs regs;
	long r;
	int k, fd;

	for (k = 0; k < SS_READS; k++) {
		fd = c->vp[k % SS_VPS].vcpu->fd;
		switch (k % 3) {
		case 0:
			r = __vgen_ioctl(fd, VGEN_GET_REGS, &regs);
			break;
		case 1:
			r = __vgen_ioctl(fd, VGEN_GET_LAPIC, &lapic);
			break;
		default:
			r = __vgen_ioctl(fd, VGEN_GET_VP_EVENTS, &ev);
			break;
		}
		TEST_ASSERT(r == 0 || r == -EBUSY, "state read %d: %s", k,
			    strerror((int)-r));
		if (r)
			c->reads_busy++;
		else
			c->reads_ok++;
		if (k % 16 == 0)
			sched_yield();
	}
	return NULL;
}

static void ss_join(pthread_t th, const char *what)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += SS_WAIT_MS / 1000 * 4;
	r = pthread_timedjoin_np(th, NULL, &ts);
	TEST_ASSERT(!r, "%s thread did not end: %s", what, strerror(r));
}

static void ss_start_vps(struct ss_ctx *c)
{
	volatile uint64_t *ready = gva_hva(c->vm, ss_ready);
	uint32_t i;
	int ms, r;

	for (i = 0; i < SS_VPS; i++) {
		c->vp[i].vm = c->vm;
		c->vp[i].index = i;
		r = pthread_create(&c->vp[i].th, NULL, ss_vp_main, &c->vp[i]);
		TEST_ASSERT(!r, "pthread_create: %s", strerror(r));
	}
	for (i = 0; i < SS_VPS; i++) {
		for (ms = 0; ms < SS_WAIT_MS && !ready[i]; ms++)
			sleep_ms(1);
		TEST_ASSERT(ready[i], "VP %u did not start", i);
	}
}

FIXTURE(ss) {
	int unused;
};

FIXTURE_SETUP(ss)
{
}

FIXTURE_TEARDOWN(ss)
{
}

TEST_F_TIMEOUT(ss, hammer, SS_TIMEOUT)
{
	struct ss_ctx *c = calloc(1, sizeof(*c));
	void *(*fns[4])(void *) = { ss_yielder, ss_stopper, ss_msi,
				    ss_reader };
	static const char * const names[4] = { "yield", "stop", "MSI",
						"state read" };
	volatile struct irq_vp_state *st;
	pthread_t th[4];
	uint32_t i;
	int k;

	if (vgen_test_backend_check("vgen"))
		SKIP(return, "/dev/vgen not present");
	vgen_test_backend = "vgen";
	ASSERT_NE(NULL, c);
	c->vm = vm_create_proto(SS_VPS, SS_RAM_MIB);
	vm_finalize(c->vm);
	ss_start_vps(c);
	for (k = 0; k < 4; k++)
		ASSERT_EQ(0, pthread_create(&th[k], NULL, fns[k], c));
	for (k = 0; k < 4; k++)
		ss_join(th[k], names[k]);

	*(volatile uint64_t *)gva_hva(c->vm, &ss_finish) = 1;
	/* A VP may be inside a stopped source's window: yield it out. */
	for (i = 0; i < SS_VPS; i++) {
		ss_join(c->vp[i].th, "VP");
		EXPECT_EQ(1, c->vp[i].done);
		st = gva_hva(c->vm, &irq_state[i]);
		EXPECT_EQ(c->msi_accepted[i], st->count[SS_VEC_BASE + i]);
		EXPECT_EQ(SS_MSIS, c->msi_accepted[i]);
		EXPECT_LE(SS_YIELDS, c->vp[i].yield_exits);
		EXPECT_EQ(SS_STOPS, c->vp[i].stops);
		TH_LOG("VP %u: %llu runs, %llu yield exits, %llu stops", i,
		       (unsigned long long)c->vp[i].runs,
		       (unsigned long long)c->vp[i].yield_exits,
		       (unsigned long long)c->vp[i].stops);
	}
	EXPECT_EQ(SS_READS, c->reads_ok + c->reads_busy);
	TH_LOG("state reads: %llu done, %llu -EBUSY (VP inside VGEN_RUN)",
	       (unsigned long long)c->reads_ok,
	       (unsigned long long)c->reads_busy);
	vm_destroy(c->vm);
	for (i = 0; i < SS_VPS; i++)
		for (k = 0; k < SS_STOPS; k++)
			vgen_stop_source_free(c->srcs[i][k]);
	free(c);
}

/* ------------------------------------------------------------------ */
/* Closing fds while other VPs run */

struct ss_raw_vp {
	struct vm *vm;
	uint32_t index;
	struct vcpu *vcpu;
	pthread_t th;
	int fd;
	uint64_t yields;
	int done;
};

/* Bind, then raw VGEN_RUN until the guest's DONE. */
static void *ss_raw_vp_main(void *arg)
{
	struct ss_raw_vp *v = arg;
	struct ucall uc;
	long r;

	v->vcpu = vm_add_vcpu(v->vm, v->index, guest_ss_main);
	v->fd = v->vcpu->fd;
	for (;;) {
		r = __vgen_ioctl_val(v->fd, VGEN_RUN, 0);
		TEST_ASSERT(r == 0 || r == -EINTR, "VP %u run: %s", v->index,
			    strerror((int)-r));
		switch (ucall_decode(v->vcpu, &uc)) {
		case UCALL_ASSERT:
			ucall_report_assert(v->vcpu, &uc);
		case UCALL_DONE:
			__atomic_store_n(&v->done, 1, __ATOMIC_RELEASE);
			return NULL;
		case UCALL_NONE:
			TEST_ASSERT(v->vcpu->run->exit_reason ==
				    VGEN_EXIT_YIELD,
				    "VP %u: %s", v->index,
				    vcpu_exit_str(v->vcpu));
			v->yields++;
			break;
		default:
			break;
		}
	}
}

struct ss_hammer {
	int pfd;		/* a duplicate of the partition fd */
	int rounds;
	uint64_t msis;
};

/* Yields and MSIs to every VP through @pfd. */
static void *ss_hammer_main(void *arg)
{
	struct ss_hammer *h = arg;
	struct vgen_yield y;
	struct vgen_msi msi;
	uint32_t i;
	long r;
	int k;

	for (k = 0; k < h->rounds; k++) {
		for (i = 0; i < SS_VPS; i++) {
			memset(&y, 0, sizeof(y));
			y.vp_index = i;
			r = __vgen_ioctl(h->pfd, VGEN_REQUEST_YIELD, &y);
			TEST_ASSERT(!r, "yield: %s", strerror((int)-r));
			memset(&msi, 0, sizeof(msi));
			msi.address = VGEN_MSI_ADDR_BASE |
				      (i << VGEN_MSI_ADDR_DEST_SHIFT);
			msi.data = SS_VEC_BASE + i;
			r = __vgen_ioctl(h->pfd, VGEN_SIGNAL_MSI, &msi);
			TEST_ASSERT(r == 1, "MSI: %ld", r);
			h->msis++;
		}
		sched_yield();
	}
	return NULL;
}

/*
 * Per round: the partition fd is closed at once while the VPs run and
 * are hammered through a duplicate; the duplicate (the last partition
 * fd) is closed while the VPs still run; then the VPs are ended one by
 * one and each VP fd is closed while the others still run.
 */
TEST_F_TIMEOUT(ss, close_fds_while_running, SS_TIMEOUT)
{
	static const int orders[SS_CLOSE_ROUNDS][SS_VPS] = {
		{ 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 }, { 1, 2, 0 },
	};
	struct ss_raw_vp v[SS_VPS];
	volatile uint64_t *ready, *quit;
	struct ss_hammer h;
	pthread_t hth;
	struct vm *vm;
	int round, i, j, ms;

	if (vgen_test_backend_check("vgen"))
		SKIP(return, "/dev/vgen not present");
	vgen_test_backend = "vgen";
	for (round = 0; round < SS_CLOSE_ROUNDS; round++) {
		vm = vm_create_proto(SS_VPS, SS_RAM_MIB);
		vm_finalize(vm);
		ready = gva_hva(vm, ss_ready);
		quit = gva_hva(vm, ss_quit);
		memset(v, 0, sizeof(v));
		for (i = 0; i < SS_VPS; i++) {
			v[i].vm = vm;
			v[i].index = i;
			ASSERT_EQ(0, pthread_create(&v[i].th, NULL,
						    ss_raw_vp_main, &v[i]));
		}
		for (i = 0; i < SS_VPS; i++) {
			for (ms = 0; ms < SS_WAIT_MS && !ready[i]; ms++)
				sleep_ms(1);
			ASSERT_TRUE(ready[i]);
		}
		memset(&h, 0, sizeof(h));
		h.pfd = dup(vm->fd);
		h.rounds = 50;
		ASSERT_LE(0, h.pfd);
		ASSERT_EQ(0, pthread_create(&hth, NULL, ss_hammer_main, &h));
		ASSERT_EQ(0, close(vm->fd));
		ss_join(hth, "hammer");
		ASSERT_EQ(0, close(h.pfd));
		for (j = 0; j < SS_VPS; j++) {
			i = orders[round][j];
			quit[i] = 1;
			ss_join(v[i].th, "VP");
			ASSERT_EQ(1, v[i].done);
			ASSERT_EQ(0, close(v[i].fd));
		}
		EXPECT_EQ(50 * SS_VPS, h.msis);
		/* The fds are gone: only unmap (see smp_test's vm_forget). */
		for (i = 0; i < SS_VPS; i++)
			munmap(v[i].vcpu->run, vgen_run_size());
		munmap(vm->ram, vm->ram_size);
	}
}

TEST_HARNESS_MAIN
