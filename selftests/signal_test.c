// SPDX-License-Identifier: GPL-2.0
/*
 * A signal interrupts a guest spinning forever: VGEN_RUN returns -EINTR
 * with VGEN_EXIT_INTR, and the VP can be run again. Also: a second thread
 * calling VGEN_RUN on a running VP gets -EBUSY.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "signal_test.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal++;
}

static void install(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = 0;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(sigaction(sig, &sa, NULL) == 0, "sigaction");
}

struct kicker {
	struct vm *vm;
	struct vcpu *vcpu;
	pthread_t target;
	long busy;
};

/* Wait until the guest spins, i.e. the target is inside VGEN_RUN. */
static void wait_spinning(struct vm *vm)
{
	volatile uint64_t *entered =
		addr_gpa2hva(vm, (uintptr_t)&spin_entered);
	struct timespec ts = { 0, 1000000 };

	while (!*entered)
		nanosleep(&ts, NULL);
}

static void *kick_thread(void *p)
{
	struct kicker *k = p;

	wait_spinning(k->vm);
	/* The VP is running on the other thread. */
	k->busy = __vgen_ioctl_val(k->vcpu->fd, VGEN_RUN, 0);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

static struct vm *spin_vm(struct vcpu **vcpu)
{
	struct vm *vm = vm_create_with_vcpu(guest_spin, vcpu);

	return vm;
}

static void stop_and_finish(struct vm *vm, struct vcpu *vcpu)
{
	*(volatile uint64_t *)addr_gpa2hva(vm, (uintptr_t)&spin_stop) = 1;
	vcpu_run_to_done(vcpu);
}

TEST(sigusr1_interrupts_spin)
{
	struct kicker k;
	struct vcpu *vcpu;
	pthread_t th;
	struct vm *vm;
	int r, fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	install(SIGUSR1);
	vm = spin_vm(&vcpu);
	k.vm = vm;
	k.vcpu = vcpu;
	k.target = pthread_self();
	k.busy = 0;
	ASSERT_EQ(0, pthread_create(&th, NULL, kick_thread, &k));
	r = __vcpu_run(vcpu);
	pthread_join(th, NULL);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(VGEN_EXIT_INTR, vcpu->run->exit_reason);
	EXPECT_EQ(1, got_signal);
	EXPECT_EQ(-EBUSY, k.busy);
	/* The VP resumes where it was. */
	stop_and_finish(vm, vcpu);
	vm_destroy(vm);
}

TEST(alarm_interrupts_spin)
{
	struct itimerval it;
	struct vcpu *vcpu;
	struct vm *vm;
	int r, fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	install(SIGALRM);
	vm = spin_vm(&vcpu);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 200000;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	r = __vcpu_run(vcpu);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(VGEN_EXIT_INTR, vcpu->run->exit_reason);
	EXPECT_EQ(1, got_signal);
	EXPECT_EQ(1, *(volatile uint64_t *)addr_gpa2hva(vm,
			(uintptr_t)&spin_entered));
	stop_and_finish(vm, vcpu);
	vm_destroy(vm);
}

/* A blocked signal does not interrupt VGEN_RUN; unblocking delivers it. */
TEST(blocked_signal)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	sigset_t set, old;
	struct vm *vm;
	int fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	install(SIGUSR1);
	vm = spin_vm(&vcpu);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &set, &old));
	pthread_kill(pthread_self(), SIGUSR1);
	/* Blocked: the guest runs (until the first ucall). */
	*(volatile uint64_t *)addr_gpa2hva(vm, (uintptr_t)&spin_stop) = 1;
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(0, got_signal);
	/* Unblocking delivers it; nothing is left pending. */
	ASSERT_EQ(0, pthread_sigmask(SIG_SETMASK, &old, NULL));
	EXPECT_EQ(1, got_signal);
	vcpu_regs_get(vcpu, &regs);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
