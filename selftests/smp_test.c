// SPDX-License-Identifier: GPL-2.0
/*
 * Many VPs: a 256-VP partition whose VPs are created concurrently from 256
 * threads, concurrent VGEN_CREATE_VP of one index, classic lock-free
 * algorithms on 4 VPs at once (ticket lock, atomic counters incl. LOCKed
 * operands crossing a page, SPSC ring relying on x86-TSO, MPSC queue with
 * CMPXCHG, Peterson's lock and a store-buffering litmus test with MFENCE),
 * and the partition's life time:
 * the partition and VP fds closed in various orders while VPs run, and
 * process exit or SIGKILL with running VPs.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "smp_test.h"

/* Bound of every wait for the guest (each poll sleeps 1 ms). */
#define SMP_WAIT_MS	240000
/* Threads of create_vp_race (two per VP index). */
#define SMP_RACE_THREADS	32
/* Guest RAM: the minimum (raised by vm_create_proto() for many VPs). */
#define SMP_RAM_MIB	8
/* Host thread stacks: the threads only run the VP loop. */
#define SMP_THREAD_STACK	(256 * 1024)

#define REQUIRE_VPS(n)							\
	do {								\
		int __fd = vgen_open_dev();				\
		long __max;						\
									\
		if (__fd < 0)						\
			SKIP(return, "/dev/vgen not present");		\
		__max = __vgen_ioctl_val(__fd, VGEN_CHECK_CAP,		\
					 VGEN_CAP_MAX_VPS);		\
		close(__fd);						\
		if (__max < (n))					\
			SKIP(return, "VGEN_CAP_MAX_VPS %ld < %d", __max, (n)); \
	} while (0)

FIXTURE(smp) {
	struct timespec start;
};

FIXTURE_SETUP(smp)
{
	clock_gettime(CLOCK_MONOTONIC, &self->start);
}

/* Log the run time (information only: no timing is asserted). */
FIXTURE_TEARDOWN(smp)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	TH_LOG("%.2f s", (double)(now.tv_sec - self->start.tv_sec) +
	       (now.tv_nsec - self->start.tv_nsec) / 1e9);
}

static void *gva_hva(struct vm *vm, volatile const void *gva)
{
	return addr_gpa2hva(vm, (uint64_t)(uintptr_t)gva);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static pthread_t start_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t th;
	int r;

	TEST_ASSERT(!pthread_attr_init(&attr), "attr");
	TEST_ASSERT(!pthread_attr_setstacksize(&attr, SMP_THREAD_STACK),
		    "stack size");
	r = pthread_create(&th, &attr, fn, arg);
	TEST_ASSERT(!r, "pthread_create: %s", strerror(r));
	pthread_attr_destroy(&attr);
	return th;
}

/* Join with a bound: a hung VP thread fails the test. */
static void join_thread(pthread_t th)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += SMP_WAIT_MS / 1000;
	r = pthread_timedjoin_np(th, NULL, &ts);
	TEST_ASSERT(!r, "VP thread did not end: %s", strerror(r));
}

/* ------------------------------------------------------------------ */
/* VPs that run one guest function to DONE, each on its own thread */

struct vp_thread {
	struct vm *vm;
	uint32_t index;
	void *guest_fn;
	pthread_barrier_t *start;	/* all threads bind at once, or NULL */
	pthread_barrier_t *sync;	/* at the guest's SYNC, or NULL */
	uint64_t sync_arg;
	double t_bound, t_synced;	/* when bound, when past the SYNC */
	int done;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *vp_thread_fn(void *p)
{
	struct vp_thread *t = p;
	struct vcpu *vcpu;

	if (t->start)
		pthread_barrier_wait(t->start);
	vcpu = vm_add_vcpu(t->vm, t->index, t->guest_fn);
	t->t_bound = now_s();
	if (t->sync) {
		struct ucall uc;
		uint64_t cmd = get_ucall(vcpu, &uc);

		TEST_ASSERT(cmd == UCALL_SYNC, "VP %u: ucall %" PRIu64,
			    t->index, cmd);
		t->sync_arg = uc.args[0];
		pthread_barrier_wait(t->sync);
		t->t_synced = now_s();
	}
	vcpu_run_to_done(vcpu);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Bind and run VPs 0..n-1 of @vm on n threads, all to their DONE. With
 * @together all threads start binding at once and every guest makes one
 * SYNC at which its thread waits for all the others; the SYNC arguments
 * are returned in @sync_args.
 */
static void run_vps(struct vm *vm, uint32_t n, void *guest_fn, bool together,
		    uint64_t *sync_args)
{
	struct vp_thread *t = calloc(n, sizeof(*t));
	pthread_t *th = calloc(n, sizeof(*th));
	double t0 = now_s(), bound = t0, synced = t0;
	pthread_barrier_t start, sync;
	uint32_t i;

	TEST_ASSERT(t && th, "out of memory");
	if (together) {
		TEST_ASSERT(!pthread_barrier_init(&start, NULL, n), "barrier");
		TEST_ASSERT(!pthread_barrier_init(&sync, NULL, n), "barrier");
	}
	for (i = 0; i < n; i++) {
		t[i].vm = vm;
		t[i].index = i;
		t[i].guest_fn = guest_fn;
		t[i].start = together ? &start : NULL;
		t[i].sync = together ? &sync : NULL;
		th[i] = start_thread(vp_thread_fn, &t[i]);
	}
	for (i = 0; i < n; i++) {
		join_thread(th[i]);
		TEST_ASSERT(t[i].done, "VP %u did not finish", i);
		if (sync_args)
			sync_args[i] = t[i].sync_arg;
		bound = t[i].t_bound > bound ? t[i].t_bound : bound;
		synced = t[i].t_synced > synced ? t[i].t_synced : synced;
	}
	if (together)
		fprintf(stderr, "# %u VPs: all bound after %.2f s, all at the "
			"SYNC after %.2f s, all done after %.2f s\n", n,
			bound - t0, synced - t0, now_s() - t0);
	if (together) {
		pthread_barrier_destroy(&start);
		pthread_barrier_destroy(&sync);
	}
	free(th);
	free(t);
}

/*
 * A finalized VM of @n VPs with as little RAM as they need (pinning RAM
 * is slow on the debug kernel): vm_create_proto() raises it for the
 * stacks.
 */
static struct vm *smp_vm(uint32_t n)
{
	struct vm *vm = vm_create_proto(n, SMP_RAM_MIB);

	vm_finalize(vm);
	return vm;
}

/* ------------------------------------------------------------------ */
/* Many VPs */

/*
 * 256 VPs bound concurrently by 256 threads; each does one plain store and
 * one LOCK XADD, waits for all the others and checks their stores.
 */
TEST_F_TIMEOUT(smp, many_vps_concurrent, 600)
{
	uint64_t tickets[SMP_MANY_VPS];
	struct smp_many *m;
	uint8_t seen[SMP_MANY_VPS] = { 0 };
	struct vm *vm;
	uint32_t i;

	REQUIRE_VPS(SMP_MANY_VPS);
	vm = smp_vm(SMP_MANY_VPS);
	run_vps(vm, SMP_MANY_VPS, guest_smp_many, true, tickets);
	m = gva_hva(vm, &smp_many);
	EXPECT_EQ(SMP_MANY_VPS, m->counter);
	for (i = 0; i < SMP_MANY_VPS; i++) {
		EXPECT_EQ(SMP_SLOT_MAGIC | i, m->slot[i]);
		/* The XADD results are a permutation of 0..255. */
		ASSERT_LT(m->ticket[i], SMP_MANY_VPS);
		EXPECT_EQ(0, seen[m->ticket[i]]);
		seen[m->ticket[i]] = 1;
		EXPECT_EQ(m->ticket[i], tickets[i]);
	}
	vm_destroy(vm);
}

struct creator {
	struct vm *vm;
	uint32_t index;
	pthread_barrier_t *start;
	long ret;
};

static void *create_vp_thread(void *p)
{
	struct creator *c = p;
	struct vgen_create_vp cv;

	memset(&cv, 0, sizeof(cv));
	cv.vp_index = c->index;
	pthread_barrier_wait(c->start);
	c->ret = __vgen_ioctl(c->vm->fd, VGEN_CREATE_VP, &cv);
	return NULL;
}

/*
 * SMP_RACE_THREADS threads race to create half as many VPs, two per index:
 * exactly one of each pair gets the VP fd, the other -EEXIST.
 */
TEST_F_TIMEOUT(smp, create_vp_race, 300)
{
	struct creator c[SMP_RACE_THREADS];
	pthread_t th[SMP_RACE_THREADS];
	struct vgen_create_vp cv;
	pthread_barrier_t start;
	struct vm *vm;
	uint32_t i;
	int ok;

	REQUIRE_VPS(SMP_RACE_THREADS / 2);
	vm = smp_vm(SMP_RACE_THREADS / 2);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, SMP_RACE_THREADS));
	for (i = 0; i < SMP_RACE_THREADS; i++) {
		c[i].vm = vm;
		c[i].index = i / 2;
		c[i].start = &start;
		th[i] = start_thread(create_vp_thread, &c[i]);
	}
	for (i = 0; i < SMP_RACE_THREADS; i++)
		join_thread(th[i]);
	for (i = 0; i < SMP_RACE_THREADS; i += 2) {
		ok = (c[i].ret >= 0) + (c[i + 1].ret >= 0);
		EXPECT_EQ(1, ok) {
			TH_LOG("index %u: %ld, %ld", i / 2, c[i].ret,
			       c[i + 1].ret);
		}
		EXPECT_EQ(-EEXIST, c[i].ret >= 0 ? c[i + 1].ret : c[i].ret);
	}
	/* One more of an existing index fails the same way. */
	memset(&cv, 0, sizeof(cv));
	cv.vp_index = 5;
	EXPECT_EQ(-EEXIST, __vgen_ioctl(vm->fd, VGEN_CREATE_VP, &cv));
	for (i = 0; i < SMP_RACE_THREADS; i++)
		if (c[i].ret >= 0)
			EXPECT_EQ(0, close((int)c[i].ret));
	pthread_barrier_destroy(&start);
	vm_destroy(vm);
}

/* ------------------------------------------------------------------ */
/* Lock-free algorithms on SMP_VPS VPs */

TEST_F_TIMEOUT(smp, ticket_lock, 300)
{
	struct smp_ticket *t;
	struct vm *vm;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	run_vps(vm, SMP_VPS, guest_smp_ticket, false, NULL);
	t = gva_hva(vm, &smp_ticket);
	EXPECT_EQ(SMP_VPS * SMP_LOCK_ITERS, t->value);
	EXPECT_EQ(SMP_VPS * SMP_LOCK_ITERS, t->next);
	EXPECT_EQ(SMP_VPS * SMP_LOCK_ITERS, t->owner);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(smp, atomic_counters, 300)
{
	const uint64_t n = SMP_ATOMIC_ITERS;
	struct smp_atomics *a;
	uint64_t split;
	uint8_t *s;
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	run_vps(vm, SMP_VPS, guest_smp_atomics, false, NULL);
	a = gva_hva(vm, &smp_atomics);
	EXPECT_EQ(SMP_VPS * n, a->inc);
	EXPECT_EQ(SMP_VPS * n, a->inc32);
	EXPECT_EQ(SMP_VPS * n, a->inc16);
	EXPECT_EQ(n * SMP_VPS * (SMP_VPS + 1) / 2, a->xadd);
	EXPECT_EQ(SMP_VPS * n, a->cas);
	for (i = 0; i < SMP_VPS; i++)
		EXPECT_EQ((uint8_t)n, a->bytes[i]);
	EXPECT_EQ(0, a->tas);
	EXPECT_EQ(SMP_VPS * n, a->tas_value);
	s = gva_hva(vm, smp_split);
	memcpy(&split, s + SMP_SPLIT_XADD, 8);
	EXPECT_EQ(SMP_VPS * n, split);
	memcpy(&split, s + SMP_SPLIT_CAS, 8);
	EXPECT_EQ(SMP_VPS * n, split);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(smp, spsc_ring, 300)
{
	const uint64_t n = SMP_SPSC_MSGS;
	struct smp_spsc *q;
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	run_vps(vm, SMP_VPS, guest_smp_spsc, false, NULL);
	q = gva_hva(vm, smp_spsc);
	for (i = 0; i < SMP_VPS / 2; i++) {
		EXPECT_EQ(n, q[i].count);
		EXPECT_EQ(n * (n + 1) / 2, q[i].sum);
		EXPECT_EQ(n, q[i].head);
		EXPECT_EQ(n, q[i].tail);
	}
	vm_destroy(vm);
}

TEST_F_TIMEOUT(smp, mpsc_queue, 300)
{
	const uint64_t n = SMP_MPSC_MSGS, producers = SMP_VPS - 1;
	struct smp_mpsc *q;
	struct vm *vm;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	run_vps(vm, SMP_VPS, guest_smp_mpsc, false, NULL);
	q = gva_hva(vm, &smp_mpsc);
	EXPECT_EQ(producers * n, q->count);
	EXPECT_EQ(producers * n * (n + 1) / 2, q->sum);
	EXPECT_EQ(producers * n, q->tail);
	EXPECT_EQ(producers * n, q->consumed);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(smp, peterson_mfence, 300)
{
	struct smp_peterson *pl;
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	run_vps(vm, SMP_VPS, guest_smp_peterson, false, NULL);
	pl = gva_hva(vm, smp_peterson);
	for (i = 0; i < SMP_VPS / 2; i++) {
		EXPECT_EQ(2 * SMP_PETERSON_ITERS, pl[i].value);
		EXPECT_EQ(0, pl[i].flag[0]);
		EXPECT_EQ(0, pl[i].flag[1]);
	}
	vm_destroy(vm);
}

/* Store-buffering litmus test with MFENCE: never both loads early. */
TEST_F_TIMEOUT(smp, store_buffering_mfence, 300)
{
	struct smp_sb *sb;
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	run_vps(vm, SMP_VPS, guest_smp_sb, false, NULL);
	sb = gva_hva(vm, smp_sb);
	for (i = 0; i < SMP_VPS / 2; i++) {
		EXPECT_EQ(0, sb[i].both_missed);
		EXPECT_EQ(2 * SMP_SB_ROUNDS, sb[i].go);
		EXPECT_EQ(2 * SMP_SB_ROUNDS, sb[i].done);
		TH_LOG("pair %d: both saw the other's store in %llu of %d rounds",
		       i, (unsigned long long)sb[i].saw_both, SMP_SB_ROUNDS);
	}
	vm_destroy(vm);
}

/* ------------------------------------------------------------------ */
/* Closing fds in any order while VPs run */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal++;
}

static void install_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(sig, &sa, NULL), "sigaction");
}

/* A VP thread that binds its VP and enters VGEN_RUN once (raw ioctl). */
struct spinner {
	struct vm *vm;
	uint32_t index;
	struct vcpu *vcpu;
	pthread_t th;
	int fd;
	struct vgen_run *run;
	long ret;
	uint32_t reason;
	int finished;
};

static void *spinner_fn(void *p)
{
	struct spinner *s = p;

	s->vcpu = vm_add_vcpu(s->vm, s->index, guest_smp_spin);
	s->fd = s->vcpu->fd;
	s->run = s->vcpu->run;
	s->ret = __vgen_ioctl_val(s->fd, VGEN_RUN, 0);
	s->reason = s->run->exit_reason;
	__atomic_store_n(&s->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t spin_count(struct vm *vm, uint32_t i)
{
	return ((volatile uint64_t *)gva_hva(vm, smp_spin_count))[i];
}

/* Wait (bounded) until VP @i's guest loop makes progress. */
static void wait_progress(struct vm *vm, uint32_t i)
{
	uint64_t old = spin_count(vm, i);
	int ms;

	for (ms = 0; ms < SMP_WAIT_MS; ms++) {
		if (spin_count(vm, i) != old)
			return;
		sleep_ms(1);
	}
	TEST_ASSERT(0, "VP %u makes no progress", i);
}

/* Start SMP_VPS spinning VPs, each bound on its own thread. */
static void start_spinners(struct vm *vm, struct spinner *s)
{
	volatile uint64_t *entered = gva_hva(vm, smp_spin_entered);
	uint32_t i;
	int ms;

	for (i = 0; i < SMP_VPS; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].vm = vm;
		s[i].index = i;
		s[i].th = start_thread(spinner_fn, &s[i]);
	}
	for (i = 0; i < SMP_VPS; i++) {
		for (ms = 0; ms < SMP_WAIT_MS && !entered[i]; ms++)
			sleep_ms(1);
		TEST_ASSERT(entered[i], "VP %u did not start", i);
	}
}

static void yield_vp(int pfd, uint32_t i)
{
	struct vgen_yield y;
	long r;

	memset(&y, 0, sizeof(y));
	y.vp_index = i;
	r = __vgen_ioctl(pfd, VGEN_REQUEST_YIELD, &y);
	TEST_ASSERT(!r, "yield VP %u: %s", i, strerror((int)-r));
}

/* Join a spinner and check how its VGEN_RUN ended. */
static void expect_end(struct spinner *s, long ret, uint32_t reason)
{
	join_thread(s->th);
	TEST_ASSERT(s->ret == ret && s->reason == reason,
		    "VP %u: VGEN_RUN %ld exit %s, expected %ld %s", s->index,
		    s->ret, exit_reason_str(s->reason), ret,
		    exit_reason_str(reason));
}

/*
 * Forget a VM whose fds the test closed itself: unmap what is left (the
 * run pages keep their VP files alive until now) but do not let libvgen
 * close fd numbers that may have been reused.
 */
static void vm_forget(struct vm *vm, struct spinner *s, const int *order)
{
	int i;

	for (i = 0; i < SMP_VPS; i++)
		munmap(s[order[i]].run, vgen_run_size());
	munmap(vm->ram, vm->ram_size);
}

/*
 * The partition fd is closed first; the VPs keep running (the VP fds hold
 * the partition). They are then yielded through a duplicate partition fd
 * one by one, and each VP fd is closed while the others still run.
 */
TEST_F_TIMEOUT(smp, close_partition_first_then_yield, 300)
{
	static const int order[SMP_VPS] = { 2, 0, 3, 1 };
	struct spinner s[SMP_VPS];
	struct vm *vm;
	int pfd, i, j;

	REQUIRE_VPS(SMP_VPS);
	vm = smp_vm(SMP_VPS);
	start_spinners(vm, s);
	pfd = dup(vm->fd);
	ASSERT_GE(pfd, 0);
	ASSERT_EQ(0, close(vm->fd));
	for (i = 0; i < SMP_VPS; i++)
		wait_progress(vm, i);
	for (i = 0; i < SMP_VPS; i++) {
		yield_vp(pfd, order[i]);
		expect_end(&s[order[i]], 0, VGEN_EXIT_YIELD);
		ASSERT_EQ(0, close(s[order[i]].fd));
		for (j = i + 1; j < SMP_VPS; j++)
			wait_progress(vm, order[j]);
	}
	ASSERT_EQ(0, close(pfd));
	vm_forget(vm, s, order);
}

/*
 * The partition fd is closed (no duplicate) while the VPs run; signals
 * end their runs. A stopped VP's fd still works (the partition lives on),
 * and the VP fds are closed in another order.
 */
TEST_F_TIMEOUT(smp, close_partition_first_then_signal, 300)
{
	static const int stop[SMP_VPS] = { 3, 1, 0, 2 };
	static const int order[SMP_VPS] = { 0, 3, 2, 1 };
	struct spinner s[SMP_VPS];
	struct vgen_regs regs;
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	install_handler(SIGUSR1);
	vm = smp_vm(SMP_VPS);
	start_spinners(vm, s);
	ASSERT_EQ(0, close(vm->fd));
	for (i = 0; i < SMP_VPS; i++)
		wait_progress(vm, i);
	for (i = 0; i < SMP_VPS; i++) {
		pthread_kill(s[stop[i]].th, SIGUSR1);
		expect_end(&s[stop[i]], -EINTR, VGEN_EXIT_INTR);
		memset(&regs, 0, sizeof(regs));
		EXPECT_EQ(0, __vgen_ioctl(s[stop[i]].fd, VGEN_GET_REGS,
					  &regs));
		EXPECT_NE(0, regs.rip);
	}
	EXPECT_EQ(SMP_VPS, got_signal);
	for (i = 0; i < SMP_VPS; i++)
		ASSERT_EQ(0, close(s[order[i]].fd));
	vm_forget(vm, s, order);
}

/*
 * A VP fd is closed by another thread while its VP runs: the run goes on
 * and ends cleanly on a yield, a signal, or the guest's own exit.
 */
TEST_F_TIMEOUT(smp, close_vp_fd_while_running, 300)
{
	static const int order[SMP_VPS] = { 1, 3, 2, 0 };
	struct spinner s[SMP_VPS];
	struct ucall uc;
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	install_handler(SIGUSR1);
	vm = smp_vm(SMP_VPS);
	start_spinners(vm, s);
	/* VP 1: closed while running, then yielded. */
	ASSERT_EQ(0, close(s[1].fd));
	wait_progress(vm, 1);
	yield_vp(vm->fd, 1);
	expect_end(&s[1], 0, VGEN_EXIT_YIELD);
	/* VP 3: closed while running, then signalled. */
	ASSERT_EQ(0, close(s[3].fd));
	wait_progress(vm, 3);
	wait_progress(vm, 0);
	pthread_kill(s[3].th, SIGUSR1);
	expect_end(&s[3], -EINTR, VGEN_EXIT_INTR);
	/* VP 2: closed while running; the guest itself finishes. */
	ASSERT_EQ(0, close(s[2].fd));
	wait_progress(vm, 2);
	*(volatile uint64_t *)gva_hva(vm, &smp_spin_stop) = 1;
	expect_end(&s[2], 0, VGEN_EXIT_IO);
	EXPECT_EQ(UCALL_DONE, ucall_decode(s[2].vcpu, &uc));
	expect_end(&s[0], 0, VGEN_EXIT_IO);
	EXPECT_EQ(UCALL_DONE, ucall_decode(s[0].vcpu, &uc));
	/* Then the partition fd, and the last VP fd. */
	ASSERT_EQ(0, close(vm->fd));
	ASSERT_EQ(0, close(s[0].fd));
	for (i = 0; i < SMP_VPS; i++)
		EXPECT_EQ(1, s[i].finished);
	vm_forget(vm, s, order);
}

/*
 * Every fd (and /dev/vgen) closed while all VPs run; the run pages are
 * then the only references besides the running ioctls. Signals end the
 * runs, and unmapping the run pages lets the partition go.
 */
TEST_F_TIMEOUT(smp, close_all_while_running, 300)
{
	static const int order[SMP_VPS] = { 3, 0, 2, 1 };
	struct spinner s[SMP_VPS];
	struct vm *vm;
	int i;

	REQUIRE_VPS(SMP_VPS);
	install_handler(SIGUSR1);
	vm = smp_vm(SMP_VPS);
	start_spinners(vm, s);
	ASSERT_EQ(0, close(s[1].fd));
	ASSERT_EQ(0, close(vm->fd));
	ASSERT_EQ(0, close(s[3].fd));
	ASSERT_EQ(0, close(s[0].fd));
	ASSERT_EQ(0, close(s[2].fd));
	vgen_hypervisor_close(vm->hv);
	for (i = 0; i < SMP_VPS; i++)
		wait_progress(vm, i);
	for (i = 0; i < SMP_VPS; i++) {
		pthread_kill(s[order[i]].th, SIGUSR1);
		expect_end(&s[order[i]], -EINTR, VGEN_EXIT_INTR);
	}
	vm_forget(vm, s, order);
}

/* ------------------------------------------------------------------ */
/* Process exit with running VPs */

static void on_alarm(int sig)
{
	(void)sig;
}

static void *spin_forever_fn(void *p)
{
	struct spinner *s = p;

	s->vcpu = vm_add_vcpu(s->vm, s->index, guest_smp_spin);
	for (;;)
		__vgen_ioctl_val(s->vcpu->fd, VGEN_RUN, 0);
	return NULL;
}

/*
 * Child: start SMP_VPS endlessly running VPs (optionally closing the
 * partition fd), tell the parent, then exit or wait to be killed.
 */
static void child_spin(int ready_fd, bool close_part, bool wait_kill)
{
	volatile uint64_t *entered;
	struct spinner s[SMP_VPS];
	struct vm *vm;
	uint32_t i;
	int ms;

	vm = smp_vm(SMP_VPS);
	entered = gva_hva(vm, smp_spin_entered);
	for (i = 0; i < SMP_VPS; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].vm = vm;
		s[i].index = i;
		s[i].th = start_thread(spin_forever_fn, &s[i]);
	}
	for (i = 0; i < SMP_VPS; i++) {
		for (ms = 0; ms < SMP_WAIT_MS && !entered[i]; ms++)
			sleep_ms(1);
		if (!entered[i])
			_exit(3);
	}
	if (close_part && close(vm->fd))
		_exit(4);
	if (write(ready_fd, "r", 1) != 1)
		_exit(5);
	if (wait_kill)
		for (;;)
			pause();
	_exit(42);
}

/* Fork a spinning child; wait for it (bounded), killing it if asked. */
static int run_child(bool close_part, bool kill_it)
{
	struct sigaction sa;
	int status = -1, p[2];
	pid_t pid, w;
	char c;

	TEST_ASSERT(!pipe(p), "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		close(p[0]);
		child_spin(p[1], close_part, kill_it);
	}
	close(p[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	alarm(SMP_WAIT_MS / 1000);
	if (read(p[0], &c, 1) == 1 && kill_it)
		kill(pid, SIGKILL);
	w = waitpid(pid, &status, 0);
	alarm(0);
	close(p[0]);
	if (w != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		TEST_ASSERT(0, "child with running VPs did not exit");
	}
	return status;
}

TEST_F_TIMEOUT(smp, exit_with_running_vps, 300)
{
	int status;

	REQUIRE_VPS(SMP_VPS);
	status = run_child(false, false);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
	status = run_child(true, false);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(smp, sigkill_with_running_vps, 300)
{
	int status;

	REQUIRE_VPS(SMP_VPS);
	status = run_child(false, true);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	status = run_child(true, true);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

TEST_HARNESS_MAIN
