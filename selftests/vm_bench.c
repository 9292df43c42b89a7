// SPDX-License-Identifier: GPL-2.0
/*
 * vm_bench - exit and interrupt latencies of a libvgen backend, run inside
 * the test VM by `make bench` for "vgen" and "kvm" side by side.
 *
 *   vm_bench [--backend vgen|kvm]... [--quick]
 *
 * Measures, per backend (wall clock, CLOCK_MONOTONIC, median of the
 * per-event times where events are timed one by one):
 *   pio       port-I/O exit round trip (guest OUT -> VMM -> guest)
 *   mmio      MMIO write exit round trip
 *   yield     request_yield() from another thread until run() returns
 *   msi       request_msi() until the guest handler has run (VP spinning)
 *   hlt-wake  request_msi() until the handler has run (VP in HLT)
 *   ipi       guest IPI to another VP and back, half the round trip
 *   create-N  N VPs of a built partition bound on N threads (thread start,
 *             VP creation, run page mapping, initial registers)
 * and prints one markdown table with the vgen/kvm ratio. A metric a
 * backend cannot measure (e.g. no in-kernel APIC) is shown as "n/a" with
 * the reason on stderr. A failed measurement ends the program with
 * status 1 and a message.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>
#include "vgen_test.h"
#include "irq_common.h"
#include "vm_bench.h"

#define VB_MAX_BACKENDS	2
#define VB_MAX_EVENTS	2000

enum { M_PIO, M_MMIO, M_YIELD, M_MSI, M_HLT, M_IPI, M_CREATE1,
       M_CREATE16, M_CREATE64, M_CREATE256, M_NR };

static const char *const metric_name[M_NR] = {
	"pio exit round trip", "mmio exit round trip",
	"yield request to return", "msi to guest handler (spinning)",
	"msi to guest handler (hlt wake-up)", "ipi between VPs (one way)",
	"create 1 VP", "create 16 VPs", "create 64 VPs", "create 256 VPs",
};

static const uint32_t create_n[] = { 1, 16, 64, 256 };

static bool quick;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Busy-wait until *@p != @old; a VP that stopped making progress for 20 s
 * ends the benchmark with a message instead of hanging it.
 */
static void wait_change_u64(volatile uint64_t *p, uint64_t old,
			    const int *vp_failed, const char *what)
{
	uint64_t t0 = now_ns();

	while (*p == old) {
		TEST_ASSERT(!__atomic_load_n(vp_failed, __ATOMIC_ACQUIRE),
			    "%s: the VP thread failed", what);
		TEST_ASSERT(now_ns() - t0 < 20000000000ULL,
			    "%s: no progress in 20 s", what);
	}
}

static void wait_change_u32(volatile uint32_t *p, uint32_t old,
			    const int *vp_failed, const char *what)
{
	uint64_t t0 = now_ns();

	while (*p == old) {
		TEST_ASSERT(!__atomic_load_n(vp_failed, __ATOMIC_ACQUIRE),
			    "%s: the VP thread failed", what);
		TEST_ASSERT(now_ns() - t0 < 20000000000ULL,
			    "%s: no progress in 20 s", what);
	}
}

static double median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n ? (double)v[n / 2] : 0;
}

static void set_arg(struct vcpu *vcpu, uint64_t rdi)
{
	struct vgen_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.gpr[7] = rdi;	/* RDI: the guest function's argument */
	vcpu_regs_set(vcpu, &regs);
}

/* Run to UCALL_DONE, completing @reason exits; returns ns per exit. */
static double exit_round_trip(void *fn, uint32_t reason, uint64_t n)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	uint64_t t0, t1, seen = 0;

	vm = vm_create_with_vcpu_flags(fn, &vcpu, VGEN_PROTO_USER_MODE_APIC);
	set_arg(vcpu, n);
	t0 = now_ns();
	for (;;) {
		vcpu_run(vcpu);
		if (ucall_decode(vcpu, &uc) == UCALL_DONE)
			break;
		if (vcpu->run->exit_reason == reason) {
			seen++;
			continue;
		}
		TEST_ASSERT(0, "unexpected exit %s", vcpu_exit_str(vcpu));
	}
	t1 = now_ns();
	vm_destroy(vm);
	TEST_ASSERT(seen == n, "%llu exits, expected %llu",
		    (unsigned long long)seen, (unsigned long long)n);
	return (double)(t1 - t0) / n;
}

/* A VP running on its own thread until told to stop. */
struct runner {
	struct vm *vm;
	void *fn;
	pthread_t thread;
	struct vcpu *vcpu;
	int ready, stop, failed;
	uint64_t yields, t_ret;
	int err;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	int ret;

	r->vcpu = vm_add_vcpu(r->vm, 0, r->fn);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		ret = __vcpu_run(r->vcpu);
		if (ret < 0 && ret != -EINTR) {
			r->err = ret;
			break;
		}
		if (!ret && r->vcpu->run->exit_reason == VGEN_EXIT_YIELD) {
			__atomic_store_n(&r->t_ret, now_ns(), __ATOMIC_RELEASE);
			__atomic_fetch_add(&r->yields, 1, __ATOMIC_ACQ_REL);
			continue;
		}
		if (!ret && r->vcpu->run->exit_reason != VGEN_EXIT_YIELD) {
			fprintf(stderr, "# runner: unexpected exit %s\n",
				vcpu_exit_str(r->vcpu));
			r->err = -EPROTO;
			break;
		}
	}
	if (r->err)
		__atomic_store_n(&r->failed, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void runner_start(struct runner *r, struct vm *vm, void *fn)
{
	memset(r, 0, sizeof(*r));
	r->vm = vm;
	r->fn = fn;
	TEST_ASSERT(!pthread_create(&r->thread, NULL, runner_main, r),
		    "pthread_create");
	while (!__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE))
		usleep(100);
}

static void runner_stop(struct runner *r)
{
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	vgen_partition_request_yield(r->vm->part, 0);
	pthread_join(r->thread, NULL);
	TEST_ASSERT(!r->err, "VP thread failed: %s", strerror(-r->err));
}

static double yield_latency(int n)
{
	static uint64_t lat[VB_MAX_EVENTS];
	struct runner r;
	struct vm *vm;
	uint64_t t0, before;
	int i;

	vm = vm_create_proto_flags(1, VM_DEFAULT_RAM_MIB,
				   VGEN_PROTO_USER_MODE_APIC);
	vm_finalize(vm);
	runner_start(&r, vm, guest_vb_spin);
	for (i = 0; i < n; i++) {
		before = __atomic_load_n(&r.yields, __ATOMIC_ACQUIRE);
		usleep(200);	/* let the VP get back into the guest */
		t0 = now_ns();
		TEST_ASSERT(!vgen_partition_request_yield(vm->part, 0),
			    "request_yield");
		wait_change_u64(&r.yields, before, &r.failed, "yield");
		lat[i] = __atomic_load_n(&r.t_ret, __ATOMIC_ACQUIRE) - t0;
	}
	runner_stop(&r);
	vm_destroy(vm);
	return median(lat, n);
}

static double msi_latency(void *fn, int n)
{
	static uint64_t lat[VB_MAX_EVENTS];
	volatile struct irq_vp_state *st;
	volatile uint64_t *ready;
	struct runner r;
	struct vm *vm;
	uint64_t t0;
	uint32_t c;
	int i, ret;

	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	st = addr_gpa2hva(vm, (uint64_t)(uintptr_t)&irq_state[0]);
	ready = addr_gpa2hva(vm, (uint64_t)(uintptr_t)&vb_ready);
	runner_start(&r, vm, fn);
	wait_change_u64(ready, 0, &r.failed, "guest APIC setup");
	for (i = 0; i < n; i++) {
		c = st->count[VB_VEC];
		usleep(200);
		t0 = now_ns();
		ret = vgen_partition_request_msi(vm->part, 0,
						 VGEN_MSI_ADDR_BASE, VB_VEC);
		TEST_ASSERT(!ret, "request_msi: %s", strerror(-ret));
		wait_change_u32(&st->count[VB_VEC], c, &r.failed, "msi");
		lat[i] = now_ns() - t0;
	}
	runner_stop(&r);
	vm_destroy(vm);
	return median(lat, n);
}

struct ipi_vp {
	struct vm *vm;
	struct vcpu *vcpu;
	pthread_t thread;
	int stop, err;
};

static void *ipi_vp1(void *arg)
{
	struct ipi_vp *p = arg;
	int ret;

	p->vcpu = vm_add_vcpu(p->vm, 1, guest_vb_ipi);
	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		ret = __vcpu_run(p->vcpu);
		if (ret < 0 && ret != -EINTR) {
			p->err = ret;
			break;
		}
		if (!ret && p->vcpu->run->exit_reason != VGEN_EXIT_YIELD) {
			fprintf(stderr, "# VP1: unexpected exit %s\n",
				vcpu_exit_str(p->vcpu));
			p->err = -EPROTO;
			break;
		}
	}
	return NULL;
}

static double ipi_latency(uint64_t rounds)
{
	struct ipi_vp p = { 0 };
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	uint64_t t0, t1;

	vm = vm_create_proto(2, VM_DEFAULT_RAM_MIB);
	*(volatile uint64_t *)addr_gpa2hva(vm,
		(uint64_t)(uintptr_t)&vb_ipi_rounds) = rounds;
	vm_finalize(vm);
	p.vm = vm;
	TEST_ASSERT(!pthread_create(&p.thread, NULL, ipi_vp1, &p), "thread");
	vcpu = vm_add_vcpu(vm, 0, guest_vb_ipi);
	t0 = now_ns();
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "VP0 not done");
	t1 = now_ns();
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	vgen_partition_request_yield(vm->part, 1);
	pthread_join(p.thread, NULL);
	TEST_ASSERT(!p.err, "VP1 failed: %s", strerror(-p.err));
	vm_destroy(vm);
	/* Includes VP1's start-up wait; amortised over the rounds. */
	return (double)(t1 - t0) / rounds / 2;
}

struct create_arg {
	struct vm *vm;
	uint32_t index;
};

static void *create_vp(void *arg)
{
	struct create_arg *a = arg;

	vm_add_vcpu(a->vm, a->index, guest_vb_spin);
	return NULL;
}

static double create_time(uint32_t n)
{
	static struct create_arg args[VGEN_MAX_VPS];
	static pthread_t th[VGEN_MAX_VPS];
	struct vm *vm;
	uint64_t t0, t1;
	uint32_t i;

	vm = vm_create_proto(n, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		args[i].vm = vm;
		args[i].index = i;
		TEST_ASSERT(!pthread_create(&th[i], NULL, create_vp, &args[i]),
			    "thread %u", i);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	vm_destroy(vm);
	return (double)(t1 - t0);
}

/*
 * Announce a measurement; SIGALRM (default action: terminate) ends a
 * benchmark that hangs, e.g. a VP that never answers an IPI.
 */
static void step(const char *backend, int m)
{
	fprintf(stderr, "# %s: %s\n", backend, metric_name[m]);
	alarm(600);
}

/* Result in ns, or a negative value: not measured. */
static void measure(const char *backend, double *res)
{
	struct vgen_hypervisor *hv;
	uint64_t irqchip = 0, maxvps = 0;
	int n_exit = quick ? 200 : 2000, n_lat = quick ? 20 : 200;
	unsigned int i;
	int r;

	for (i = 0; i < M_NR; i++)
		res[i] = -1;
	r = vgen_hypervisor_open(backend, &hv);
	if (r) {
		fprintf(stderr, "# %s: not available: %s\n", backend,
			strerror(-r));
		return;
	}
	vgen_hypervisor_check_cap(hv, VGEN_CAP_IRQCHIP, &irqchip);
	vgen_hypervisor_check_cap(hv, VGEN_CAP_MAX_VPS, &maxvps);
	vgen_hypervisor_close(hv);
	vgen_test_backend = backend;

	/*
	 * Warm-up, not reported: under TCG the first run of every host code
	 * path is translated first, which would be charged to pio.
	 */
	exit_round_trip(guest_vb_pio, VGEN_EXIT_IO, 50);
	exit_round_trip(guest_vb_mmio, VGEN_EXIT_MMIO, 50);
	step(backend, M_PIO);
	res[M_PIO] = exit_round_trip(guest_vb_pio, VGEN_EXIT_IO, n_exit);
	step(backend, M_MMIO);
	res[M_MMIO] = exit_round_trip(guest_vb_mmio, VGEN_EXIT_MMIO, n_exit);
	step(backend, M_YIELD);
	res[M_YIELD] = yield_latency(n_lat);
	if (irqchip) {
		step(backend, M_MSI);
		res[M_MSI] = msi_latency(guest_vb_irq_spin, n_lat);
		step(backend, M_HLT);
		res[M_HLT] = msi_latency(guest_vb_irq_hlt, n_lat);
		step(backend, M_IPI);
		res[M_IPI] = ipi_latency(n_lat * 5);
	} else {
		fprintf(stderr,
			"# %s: no in-kernel APIC (VGEN_CAP_IRQCHIP 0): msi, hlt-wake and ipi not measured\n",
			backend);
	}
	for (i = 0; i < 4; i++) {
		if (create_n[i] > maxvps) {
			fprintf(stderr, "# %s: only %llu VPs\n", backend,
				(unsigned long long)maxvps);
			continue;
		}
		step(backend, M_CREATE1 + i);
		res[M_CREATE1 + i] = create_time(create_n[i]);
	}
}

static void print_val(double ns)
{
	if (ns < 0)
		printf(" n/a |");
	else if (ns >= 1e6)
		printf(" %.2f ms |", ns / 1e6);
	else
		printf(" %.1f us |", ns / 1e3);
}

int main(int argc, char **argv)
{
	static double res[VB_MAX_BACKENDS][M_NR];
	const char *be[VB_MAX_BACKENDS];
	int nb = 0, i, m;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--backend") && i + 1 < argc &&
			   nb < VB_MAX_BACKENDS) {
			be[nb++] = argv[++i];
		} else {
			fprintf(stderr,
				"usage: vm_bench [--backend vgen|kvm]... [--quick]\n");
			return 2;
		}
	}
	if (!nb) {
		be[nb++] = "vgen";
		be[nb++] = "kvm";
	}
	for (i = 0; i < nb; i++)
		measure(be[i], res[i]);
	alarm(0);

	printf("| metric |");
	for (i = 0; i < nb; i++)
		printf(" %s |", be[i]);
	if (nb == 2)
		printf(" %s / %s |", be[0], be[1]);
	printf("\n|---|");
	for (i = 0; i < nb + (nb == 2); i++)
		printf("---|");
	printf("\n");
	for (m = 0; m < M_NR; m++) {
		printf("| %s |", metric_name[m]);
		for (i = 0; i < nb; i++)
			print_val(res[i][m]);
		if (nb == 2) {
			if (res[0][m] > 0 && res[1][m] > 0)
				printf(" %.2f |", res[0][m] / res[1][m]);
			else
				printf(" n/a |");
		}
		printf("\n");
	}
	return 0;
}
