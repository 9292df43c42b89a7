// SPDX-License-Identifier: GPL-2.0
/*
 * irqfds (VGEN_IRQFD) and doorbells (VGEN_IOEVENTFD): an MSI irqfd
 * signalled from a host thread while the VP runs and while it is halted
 * (one interrupt per handshaked signal; signals made while the VP is
 * stopped coalesce; nothing after deassign; a count pending at binding
 * injects once), line irqfds through the
 * routing table, resample irqfds on a level line (EOI -> resamplefd, no
 * VGEN_EXIT_EOI while every line with the vector has a resampler; an
 * exit again once a line without one shares the vector or the irqfd's
 * eventfd is closed), MMIO and PIO doorbells with and without datamatch
 * (no exit, counter incremented; other sizes, values, addresses and reads
 * exit as usual; the APIC page wins), every bad input with its errno,
 * the limits, and partition teardown with live bindings (the debug
 * kernel's kmemleak scan checks that nothing leaks).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "irq_host.h"
#include "irqfd_test.h"

/* Not a performance bound: the debug kernel's VM is slow. */
#define T_TIMEOUT	120

FIXTURE(irqfd) {
	int unused;
};

FIXTURE_SETUP(irqfd)
{
	vgen_test_backend = "vgen";
}

FIXTURE_TEARDOWN(irqfd)
{
}

#define REQUIRE_IRQFD()							\
	do {								\
		if (!have_irqchip())					\
			SKIP(return, "VGEN_CAP_IRQCHIP not supported");	\
	} while (0)

static long irqfd_ioctl(int part_fd, uint32_t fd, uint32_t resamplefd,
			uint32_t flags, uint32_t irq, uint64_t address,
			uint32_t data)
{
	struct vgen_irqfd a;

	memset(&a, 0, sizeof(a));
	a.fd = fd;
	a.resamplefd = resamplefd;
	a.flags = flags;
	a.irq = irq;
	a.address = address;
	a.data = data;
	return __vgen_ioctl(part_fd, VGEN_IRQFD, &a);
}

static long irqfd_msi(int part_fd, int fd, uint8_t vec)
{
	return irqfd_ioctl(part_fd, fd, 0, VGEN_IRQFD_MSI, 0,
			   msi_addr(0, false, false),
			   msi_data(vec, VGEN_MSI_DM_FIXED, false));
}

static long irqfd_deassign(int part_fd, int fd)
{
	return irqfd_ioctl(part_fd, fd, 0, VGEN_IRQFD_DEASSIGN, 0, 0, 0);
}

static long ioeventfd(int part_fd, uint64_t addr, uint32_t len, int fd,
		      uint32_t flags, uint64_t datamatch)
{
	struct vgen_ioeventfd a;

	memset(&a, 0, sizeof(a));
	a.addr = addr;
	a.len = len;
	a.fd = fd;
	a.flags = flags;
	a.datamatch = datamatch;
	return __vgen_ioctl(part_fd, VGEN_IOEVENTFD, &a);
}

static int efd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	TEST_ASSERT(fd >= 0, "eventfd: %s", strerror(errno));
	return fd;
}

/* The eventfd's counter (reading resets it); 0 if it was zero. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;
	ssize_t r = read(fd, &v, sizeof(v));

	if (r < 0) {
		TEST_ASSERT(errno == EAGAIN, "read eventfd: %s",
			    strerror(errno));
		return 0;
	}
	TEST_ASSERT(r == sizeof(v), "short eventfd read");
	return v;
}

static void efd_signal(int fd)
{
	uint64_t one = 1;

	TEST_ASSERT(write(fd, &one, sizeof(one)) == sizeof(one),
		    "write eventfd: %s", strerror(errno));
}

static uint64_t expect_sync2(struct vcpu *vcpu, uint64_t arg)
{
	struct ucall uc;
	uint64_t cmd = get_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == arg,
		    "expected SYNC(%" PRIu64 "), got ucall %" PRIu64
		    " arg %" PRIu64, arg, cmd, uc.args[0]);
	return uc.args[1];
}

/* ------------------------------------------------------------- caps */

TEST_F_TIMEOUT(irqfd, caps, T_TIMEOUT)
{
	struct vgen_partition_config cfg = { .vp_count = 1 };
	int dev, fd;

	/* The numbers are ABI. */
	EXPECT_EQ(12, VGEN_CAP_IRQFD);
	EXPECT_EQ(13, VGEN_CAP_IOEVENTFD);
	EXPECT_EQ(0x1b, _IOC_NR(VGEN_IRQFD));
	EXPECT_EQ(0x1c, _IOC_NR(VGEN_IOEVENTFD));
	dev = vgen_open_dev();
	if (dev < 0)
		SKIP(return, "/dev/vgen not present");
	EXPECT_EQ(1, __vgen_ioctl_val(dev, VGEN_CHECK_CAP, VGEN_CAP_IRQFD));
	EXPECT_EQ(1, __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
				      VGEN_CAP_IOEVENTFD));
	fd = __vgen_ioctl(dev, VGEN_CREATE_PARTITION, &cfg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, __vgen_ioctl_val(fd, VGEN_CHECK_CAP, VGEN_CAP_IRQFD));
	EXPECT_EQ(1, __vgen_ioctl_val(fd, VGEN_CHECK_CAP,
				      VGEN_CAP_IOEVENTFD));
	close(fd);
	/* No in-kernel APIC: no irqfds, doorbells still. */
	cfg.flags = VGEN_PARTITION_USER_MODE_APIC;
	fd = __vgen_ioctl(dev, VGEN_CREATE_PARTITION, &cfg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, __vgen_ioctl_val(fd, VGEN_CHECK_CAP, VGEN_CAP_IRQFD));
	EXPECT_EQ(1, __vgen_ioctl_val(fd, VGEN_CHECK_CAP,
				      VGEN_CAP_IOEVENTFD));
	close(fd);
	close(dev);
}

/* -------------------------------------------------------------- MSI */

struct msi_arg {
	struct vm *vm;
	int efd;
	bool halted;
};

/* One signal per round; the next only after the guest handled it. */
static void *msi_signaller(void *p)
{
	struct msi_arg *a = p;
	uint32_t i, first = a->halted ? MSI_ROUNDS + 1 : 1;

	for (i = first; i < first + MSI_ROUNDS; i++) {
		if (a->halted) {
			while (*GUEST_PTR(a->vm, msi_waiting) < i)
				usleep(100);
			/* Not a test threshold: makes HLT likely. */
			usleep(2000);
		}
		efd_signal(a->efd);
		while (*GUEST_PTR(a->vm, msi_acked) < i)
			usleep(100);
	}
	return NULL;
}

TEST_F_TIMEOUT(irqfd, msi_running_and_halted, T_TIMEOUT)
{
	struct msi_arg a;
	struct vcpu *vcpu;
	pthread_t t;
	struct vm *vm;

	REQUIRE_IRQFD();
	vm = vm_create_with_vcpu(guest_msi, &vcpu);
	a.vm = vm;
	a.efd = efd_new();
	ASSERT_EQ(0, irqfd_msi(vm->fd, a.efd, VEC_MSI));
	vcpu_expect_sync(vcpu, 1);

	/* Signals from another thread while the VP runs guest code. */
	a.halted = false;
	ASSERT_EQ(0, pthread_create(&t, NULL, msi_signaller, &a));
	vcpu_expect_sync(vcpu, 2);
	pthread_join(t, NULL);
	/* Every signal was consumed by the kernel. */
	EXPECT_EQ(0, efd_take(a.efd));

	/* ... and while it waits in HLT. */
	a.halted = true;
	ASSERT_EQ(0, pthread_create(&t, NULL, msi_signaller, &a));
	vcpu_expect_sync(vcpu, 3);
	pthread_join(t, NULL);
	EXPECT_EQ(0, efd_take(a.efd));

	/* Three signals while the VP is stopped: one interrupt. */
	efd_signal(a.efd);
	efd_signal(a.efd);
	efd_signal(a.efd);
	EXPECT_EQ(0, efd_take(a.efd));
	EXPECT_EQ(2 * MSI_ROUNDS + 1, expect_sync2(vcpu, 4));

	/* Deassigned: a signal stays in the eventfd, no interrupt. */
	EXPECT_EQ(0, irqfd_deassign(vm->fd, a.efd));
	EXPECT_EQ(-ENOENT, irqfd_deassign(vm->fd, a.efd));
	efd_signal(a.efd);
	EXPECT_EQ(2 * MSI_ROUNDS + 1, expect_sync2(vcpu, 5));
	EXPECT_EQ(1, efd_take(a.efd));

	/* A count pending at assignment injects once and stays. */
	efd_signal(a.efd);
	ASSERT_EQ(0, irqfd_msi(vm->fd, a.efd, VEC_MSI));
	EXPECT_EQ(2 * MSI_ROUNDS + 2, expect_sync2(vcpu, 6));
	EXPECT_EQ(1, efd_take(a.efd));
	/* The binding works as before. */
	efd_signal(a.efd);
	EXPECT_EQ(0, efd_take(a.efd));
	EXPECT_EQ(2 * MSI_ROUNDS + 3, expect_sync2(vcpu, 7));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
	close(a.efd);
}

/* ------------------------------------------------------------- line */

TEST_F_TIMEOUT(irqfd, line_through_route, T_TIMEOUT)
{
	struct vcpu *vcpu;
	struct vm *vm;
	int efd;

	REQUIRE_IRQFD();
	vm = vm_create_with_vcpu(guest_line, &vcpu);
	efd = efd_new();
	ASSERT_EQ(0, irqfd_ioctl(vm->fd, efd, 0, 0, LINE_EDGE, 0, 0));
	ASSERT_EQ(0, set_irq_route(vm->fd, LINE_EDGE,
				   msi_addr(0, false, false),
				   msi_data(VEC_LINE, VGEN_MSI_DM_FIXED,
					    false)));
	vcpu_expect_sync(vcpu, 1);
	efd_signal(efd);
	vcpu_expect_sync(vcpu, 2);
	/* Unrouted: the signal is consumed, nothing is delivered. */
	ASSERT_EQ(0, set_irq_route(vm->fd, LINE_EDGE, 0, 0));
	efd_signal(efd);
	EXPECT_EQ(0, efd_take(efd));
	vcpu_expect_sync(vcpu, 3);
	ASSERT_EQ(0, set_irq_route(vm->fd, LINE_EDGE,
				   msi_addr(0, false, false),
				   msi_data(VEC_LINE, VGEN_MSI_DM_FIXED,
					    false)));
	efd_signal(efd);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
	close(efd);
}

/* --------------------------------------------------------- resample */

static long route_level(struct vm *vm, uint32_t line)
{
	return set_irq_route(vm->fd, line, msi_addr(0, false, false),
			     msi_data(VEC_LVL, VGEN_MSI_DM_FIXED, true));
}

TEST_F_TIMEOUT(irqfd, resample_level_line, T_TIMEOUT)
{
	struct vcpu *vcpu;
	struct vm *vm;
	int efd, rfd, nfd;

	REQUIRE_IRQFD();
	vm = vm_create_with_vcpu(guest_resample, &vcpu);
	efd = efd_new();
	rfd = efd_new();
	ASSERT_EQ(0, route_level(vm, LINE_LVL));
	ASSERT_EQ(0, irqfd_ioctl(vm->fd, efd, rfd, VGEN_IRQFD_RESAMPLE,
				 LINE_LVL, 0, 0));
	/* Phase 1: signal -> interrupt -> EOI -> resamplefd, no exit. */
	vcpu_expect_sync(vcpu, 1);
	efd_signal(efd);
	vcpu_expect_sync(vcpu, 2);	/* get_ucall fails on VGEN_EXIT_EOI */
	EXPECT_EQ(1, efd_take(rfd));
	/* Phase 2: the device is still pending and signals again. */
	efd_signal(efd);
	vcpu_expect_sync(vcpu, 3);
	EXPECT_EQ(1, efd_take(rfd));

	/* Phase 3: a line without a resampler shares the vector: exit. */
	ASSERT_EQ(0, route_level(vm, LINE_LVL2));
	EXPECT_EQ(1, assert_irq(vm->fd, LINE_LVL2));
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_EOI);
	EXPECT_EQ(VEC_LVL, vcpu->run->eoi.vector);
	/* The resampled line's resamplefd is signalled all the same. */
	EXPECT_EQ(1, efd_take(rfd));
	vcpu_expect_sync(vcpu, 4);
	ASSERT_EQ(0, set_irq_route(vm->fd, LINE_LVL2, 0, 0));

	/*
	 * Phase 4: closing the irqfd's eventfd removes the binding (any
	 * later VGEN_IRQFD call sees that): the EOI exits again.
	 */
	close(efd);
	EXPECT_EQ(-ENOENT, irqfd_deassign(vm->fd, rfd));
	EXPECT_EQ(1, assert_irq(vm->fd, LINE_LVL));
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_EOI);
	EXPECT_EQ(VEC_LVL, vcpu->run->eoi.vector);
	EXPECT_EQ(0, efd_take(rfd));
	vcpu_expect_sync(vcpu, 5);

	/* Phase 5: a new eventfd with the same fd number binds again. */
	nfd = efd_new();
	if (nfd != efd) {
		ASSERT_EQ(efd, dup2(nfd, efd));
		close(nfd);
	}
	ASSERT_EQ(0, irqfd_ioctl(vm->fd, efd, rfd, VGEN_IRQFD_RESAMPLE,
				 LINE_LVL, 0, 0));
	efd_signal(efd);
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(1, efd_take(rfd));
	vm_destroy(vm);
	close(efd);
	close(rfd);
}

/* -------------------------------------------------------- doorbells */

static void expect_mmio_write(struct vcpu *vcpu, uint64_t gpa, uint32_t size,
			      uint64_t val)
{
	uint64_t got = 0;

	vcpu_run_expect_exit(vcpu, VGEN_EXIT_MMIO);
	memcpy(&got, vcpu->run->mmio.data, size);
	TEST_ASSERT(vcpu->run->mmio.gpa == gpa && vcpu->run->mmio.size == size &&
		    vcpu->run->mmio.is_write && got == val,
		    "expected an MMIO write of %#" PRIx64 " (%u bytes) at %#"
		    PRIx64 ", got %s", val, size, gpa, vcpu_exit_str(vcpu));
}

static void expect_out(struct vcpu *vcpu, uint16_t port, uint8_t size,
		       uint32_t val)
{
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_IO);
	TEST_ASSERT(vcpu->run->io.port == port && vcpu->run->io.size == size &&
		    vcpu->run->io.direction == VGEN_EXIT_IO_OUT &&
		    vcpu->run->io.data == val,
		    "expected OUT %#x (%u bytes) to port %#x, got %s", val,
		    size, port, vcpu_exit_str(vcpu));
}

enum { E_MMIO, E_DM_A, E_DM_B, E_64, E_PORT, E_PORT_DM, E_ANY, E_APIC, NE };

TEST_F_TIMEOUT(irqfd, doorbells, T_TIMEOUT)
{
	uint32_t val = MMIO_READ_VALUE;
	struct vcpu *vcpu;
	struct vm *vm;
	int e[NE], i, fd;

	REQUIRE_IRQFD();
	vm = vm_create_with_vcpu(guest_doorbell, &vcpu);
	fd = vm->fd;
	for (i = 0; i < NE; i++)
		e[i] = efd_new();
	vcpu_expect_sync(vcpu, 1);
	ASSERT_EQ(0, ioeventfd(fd, DB_MMIO, 4, e[E_MMIO], 0, 0));
	ASSERT_EQ(0, ioeventfd(fd, DB_MMIO_DM, 4, e[E_DM_A],
			       VGEN_IOEVENTFD_DATAMATCH, DM_A));
	ASSERT_EQ(0, ioeventfd(fd, DB_MMIO_DM, 4, e[E_DM_B],
			       VGEN_IOEVENTFD_DATAMATCH, DM_B));
	ASSERT_EQ(0, ioeventfd(fd, DB_MMIO_64, 8, e[E_64],
			       VGEN_IOEVENTFD_DATAMATCH, DM_64));
	ASSERT_EQ(0, ioeventfd(fd, DB_PORT, 2, e[E_PORT],
			       VGEN_IOEVENTFD_PIO, 0));
	ASSERT_EQ(0, ioeventfd(fd, DB_PORT_DM, 1, e[E_PORT_DM],
			       VGEN_IOEVENTFD_PIO | VGEN_IOEVENTFD_DATAMATCH,
			       7));
	ASSERT_EQ(0, ioeventfd(fd, DB_PORT_ANY, 0, e[E_ANY],
			       VGEN_IOEVENTFD_PIO, 0));

	/* Every matching write rang its doorbell without an exit. */
	vcpu_expect_sync(vcpu, 2);
	EXPECT_EQ(2, efd_take(e[E_MMIO]));
	EXPECT_EQ(1, efd_take(e[E_DM_A]));
	EXPECT_EQ(2, efd_take(e[E_DM_B]));
	EXPECT_EQ(1, efd_take(e[E_64]));
	EXPECT_EQ(1, efd_take(e[E_PORT]));
	EXPECT_EQ(1, efd_take(e[E_PORT_DM]));
	EXPECT_EQ(6, efd_take(e[E_ANY]));	/* 3 OUTs + 3 OUTSB elements */

	/* Writes that do not match exit as usual. */
	expect_mmio_write(vcpu, DB_MMIO, 1, 1);
	expect_mmio_write(vcpu, DB_MMIO + 2, 2, 2);
	expect_mmio_write(vcpu, DB_MMIO_DM, 4, 0x9999);
	expect_mmio_write(vcpu, DB_MMIO_64, 8, DM_64 + 1);
	expect_out(vcpu, DB_PORT, 1, 1);
	expect_out(vcpu, DB_PORT_DM, 1, 8);
	/* Reads are never doorbells. */
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_MMIO);
	EXPECT_EQ(DB_MMIO, vcpu->run->mmio.gpa);
	EXPECT_EQ(0, vcpu->run->mmio.is_write);
	memcpy(vcpu->run->mmio.data, &val, sizeof(val));
	vcpu_expect_sync(vcpu, 3);
	for (i = 0; i < NE; i++)
		EXPECT_EQ(0, efd_take(e[i]));

	/* Deassign needs the same key; then the write exits. */
	EXPECT_EQ(-ENOENT, ioeventfd(fd, DB_MMIO, 2, e[E_MMIO],
				     VGEN_IOEVENTFD_DEASSIGN, 0));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, DB_MMIO, 4, e[E_DM_A],
				     VGEN_IOEVENTFD_DEASSIGN, 0));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, DB_MMIO_DM, 4, e[E_DM_A],
				     VGEN_IOEVENTFD_DEASSIGN |
				     VGEN_IOEVENTFD_DATAMATCH, DM_B));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, DB_PORT, 2, e[E_PORT],
				     VGEN_IOEVENTFD_DEASSIGN, 0));
	EXPECT_EQ(0, ioeventfd(fd, DB_MMIO, 4, e[E_MMIO],
			       VGEN_IOEVENTFD_DEASSIGN, 0));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, DB_MMIO, 4, e[E_MMIO],
				     VGEN_IOEVENTFD_DEASSIGN, 0));
	expect_mmio_write(vcpu, DB_MMIO, 4, 3);
	EXPECT_EQ(0, efd_take(e[E_MMIO]));

	/* The in-kernel APIC page wins over a doorbell on it. */
	vcpu_expect_sync(vcpu, 4);
	ASSERT_EQ(0, ioeventfd(fd, 0xfee00080ULL, 0, e[E_APIC], 0, 0));
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(0x20, *GUEST_PTR(vm, apic_tpr_seen));
	EXPECT_EQ(0, efd_take(e[E_APIC]));
	/* Teardown drops the remaining registrations. */
	vm_destroy(vm);
	for (i = 0; i < NE; i++)
		close(e[i]);
}

/* --------------------------------------------------------------- ABI */

/* A finalized partition with one VP and no memory. */
static int part_new(int dev, uint32_t flags)
{
	struct vgen_partition_config cfg = { .vp_count = 1, .flags = flags };
	long fd = __vgen_ioctl(dev, VGEN_CREATE_PARTITION, &cfg);

	TEST_ASSERT(fd >= 0, "create partition: %ld", fd);
	TEST_ASSERT(!__vgen_ioctl_val(fd, VGEN_FINALIZE, 0), "finalize");
	return (int)fd;
}

TEST_F_TIMEOUT(irqfd, irqfd_errors, T_TIMEOUT)
{
	uint64_t ma = msi_addr(0, false, false);
	uint32_t md = msi_data(VEC_MSI, VGEN_MSI_DM_FIXED, false);
	int dev, fd, ufd, efd, efd2, rfd, pfd[2];
	struct vgen_irqfd a;

	REQUIRE_IRQFD();
	dev = vgen_open_dev();
	fd = part_new(dev, 0);
	efd = efd_new();
	efd2 = efd_new();
	rfd = efd_new();
	ASSERT_EQ(0, pipe(pfd));

	/* Reference requests succeed (and are removed again). */
	ASSERT_EQ(0, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 0, ma, md));
	ASSERT_EQ(0, irqfd_deassign(fd, efd));
	ASSERT_EQ(0, irqfd_ioctl(fd, efd, 0, 0, VGEN_IOAPIC_PINS - 1, 0, 0));
	ASSERT_EQ(0, irqfd_deassign(fd, efd));
	ASSERT_EQ(0, irqfd_ioctl(fd, efd, rfd, VGEN_IRQFD_RESAMPLE, 3, 0, 0));
	ASSERT_EQ(0, irqfd_deassign(fd, efd));

	/* Flags, reserved fields, vtl. */
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, 1U << 3, 0, 0, 0));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, 1U << 31, 0, 0, 0));
	memset(&a, 0, sizeof(a));
	a.fd = efd;
	a.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IRQFD, &a));
	a.reserved[0] = 0;
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IRQFD, &a));
	a.reserved[1] = 0;
	a.vtl = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IRQFD, &a));
	a.flags = VGEN_IRQFD_MSI;
	a.address = ma;
	a.data = md;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IRQFD, &a));
	a.flags = VGEN_IRQFD_DEASSIGN;	/* vtl is not looked at */
	EXPECT_EQ(-ENOENT, __vgen_ioctl(fd, VGEN_IRQFD, &a));
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IRQFD, &a));

	/* Line irqfds: line number, MSI fields, resamplefd. */
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, 0, VGEN_IOAPIC_PINS, 0, 0));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, 0, 1, ma, 0));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, 0, 1, 0, md));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, rfd, 0, 1, 0, 0));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, efd, VGEN_IRQFD_RESAMPLE, 1,
				       0, 0));
	EXPECT_EQ(-EBADF, irqfd_ioctl(fd, efd, pfd[0], VGEN_IRQFD_RESAMPLE,
				      1, 0, 0));
	EXPECT_EQ(-EBADF, irqfd_ioctl(fd, efd, 0xffffffffu,
				      VGEN_IRQFD_RESAMPLE, 1, 0, 0));

	/* MSI irqfds: no line, no resample, a valid MSI. */
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 1, ma, md));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, rfd, VGEN_IRQFD_MSI |
				       VGEN_IRQFD_RESAMPLE, 0, ma, md));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 0, 0, md));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 0,
				       ma | 1, md));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 0, ma,
				       md | 0x10000));
	EXPECT_EQ(-EINVAL, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 0, ma,
				       3 << VGEN_MSI_DATA_DM_SHIFT));
	EXPECT_EQ(-EOPNOTSUPP, irqfd_ioctl(fd, efd, 0, VGEN_IRQFD_MSI, 0, ma,
					   VGEN_MSI_DM_SMI <<
					   VGEN_MSI_DATA_DM_SHIFT));

	/* fds that are not eventfds. */
	EXPECT_EQ(-EBADF, irqfd_msi(fd, pfd[0], VEC_MSI));
	EXPECT_EQ(-EBADF, irqfd_msi(fd, 0xffffffffu, VEC_MSI));
	EXPECT_EQ(-EBADF, irqfd_msi(fd, 100000, VEC_MSI));
	EXPECT_EQ(-EBADF, irqfd_deassign(fd, pfd[0]));

	/* Bound once per partition; deassign of an unbound eventfd. */
	ASSERT_EQ(0, irqfd_msi(fd, efd, VEC_MSI));
	EXPECT_EQ(-EBUSY, irqfd_msi(fd, efd, VEC_MSI + 1));
	EXPECT_EQ(-EBUSY, irqfd_ioctl(fd, efd, 0, 0, 2, 0, 0));
	EXPECT_EQ(-ENOENT, irqfd_deassign(fd, efd2));
	/* A resamplefd may be shared; an fd may be bound in two partitions. */
	ASSERT_EQ(0, irqfd_ioctl(fd, efd2, efd, VGEN_IRQFD_RESAMPLE, 2, 0, 0));
	ufd = part_new(dev, 0);
	EXPECT_EQ(0, irqfd_msi(ufd, efd, VEC_MSI));
	close(ufd);
	EXPECT_EQ(0, irqfd_deassign(fd, efd));
	EXPECT_EQ(0, irqfd_deassign(fd, efd2));

	/* Bad pointer; no in-kernel APIC; the wrong fd type. */
	EXPECT_EQ(-EFAULT, __vgen_ioctl(fd, VGEN_IRQFD, (void *)8));
	ufd = part_new(dev, VGEN_PARTITION_USER_MODE_APIC);
	EXPECT_EQ(-ENXIO, irqfd_msi(ufd, efd, VEC_MSI));
	close(ufd);
	EXPECT_EQ(-ENOTTY, irqfd_msi(dev, efd, VEC_MSI));

	close(pfd[0]);
	close(pfd[1]);
	close(efd);
	close(efd2);
	close(rfd);
	close(fd);
	close(dev);
}

TEST_F_TIMEOUT(irqfd, ioeventfd_errors, T_TIMEOUT)
{
	const uint32_t PIO = VGEN_IOEVENTFD_PIO;
	const uint32_t DM = VGEN_IOEVENTFD_DATAMATCH;
	const uint32_t DE = VGEN_IOEVENTFD_DEASSIGN;
	struct vgen_ioeventfd a;
	int dev, fd, ufd, efd, efd2, pfd[2];

	dev = vgen_open_dev();
	if (dev < 0)
		SKIP(return, "/dev/vgen not present");
	fd = part_new(dev, 0);
	efd = efd_new();
	efd2 = efd_new();
	ASSERT_EQ(0, pipe(pfd));

	/* Flags and reserved fields. */
	memset(&a, 0, sizeof(a));
	a.addr = 0x1000;
	a.len = 4;
	a.fd = efd;
	a.flags = 1U << 3;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IOEVENTFD, &a));
	a.flags = 0;
	a.reserved0 = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IOEVENTFD, &a));
	a.reserved0 = 0;
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(fd, VGEN_IOEVENTFD, &a));
	a.reserved[1] = 0;
	EXPECT_EQ(0, __vgen_ioctl(fd, VGEN_IOEVENTFD, &a));
	a.flags = DE;
	EXPECT_EQ(0, __vgen_ioctl(fd, VGEN_IOEVENTFD, &a));

	/* Lengths, datamatch, addresses. */
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x1000, 3, efd, 0, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x1000, 16, efd, 0, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x10, 8, efd, PIO, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x1000, 0, efd, DM, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x1000, 4, efd, 0, 1));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x1000, 1, efd, DM, 0x100));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x1000, 4, efd, DM, 1ULL << 32));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0x10000, 1, efd, PIO, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 0xffff, 2, efd, PIO, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, 1ULL << 40, 0, efd, 0, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, (1ULL << 40) - 4, 8, efd, 0, 0));
	EXPECT_EQ(-EINVAL, ioeventfd(fd, ~0ULL - 1, 4, efd, 0, 0));
	EXPECT_EQ(0, ioeventfd(fd, 0xffff, 1, efd, PIO, 0));
	EXPECT_EQ(0, ioeventfd(fd, (1ULL << 40) - 8, 8, efd, DM, ~0ULL));

	/* fds. */
	EXPECT_EQ(-EBADF, ioeventfd(fd, 0x2000, 4, pfd[0], 0, 0));
	EXPECT_EQ(-EBADF, ioeventfd(fd, 0x2000, 4, -1, 0, 0));
	EXPECT_EQ(-EBADF, ioeventfd(fd, 0x2000, 4, pfd[1], DE, 0));

	/* Overlaps. */
	ASSERT_EQ(0, ioeventfd(fd, 0x3000, 4, efd, 0, 0));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x3000, 4, efd, 0, 0));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x3002, 1, efd2, 0, 0));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x2ffc, 8, efd2, 0, 0));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x3003, 0, efd2, 0, 0));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x3000, 4, efd2, DM, 5));
	EXPECT_EQ(0, ioeventfd(fd, 0x2ffc, 4, efd2, 0, 0));	/* adjacent */
	EXPECT_EQ(0, ioeventfd(fd, 0x3004, 0, efd2, 0, 0));
	EXPECT_EQ(0, ioeventfd(fd, 0x3000, 4, efd2, PIO, 0));	/* other space */
	/* Datamatch siblings: same address and length, other values. */
	ASSERT_EQ(0, ioeventfd(fd, 0x4000, 2, efd, DM, 1));
	EXPECT_EQ(0, ioeventfd(fd, 0x4000, 2, efd2, DM, 2));
	EXPECT_EQ(0, ioeventfd(fd, 0x4000, 2, efd, DM, 3));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x4000, 2, efd2, DM, 1));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x4000, 4, efd2, DM, 4));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x4001, 1, efd2, DM, 4));
	EXPECT_EQ(-EEXIST, ioeventfd(fd, 0x4000, 2, efd2, 0, 0));
	/* Deassign: every field of the key must match. */
	EXPECT_EQ(-ENOENT, ioeventfd(fd, 0x4000, 2, efd2, DM | DE, 1));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, 0x4000, 2, efd, DE, 0));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, 0x4000, 2, efd, DM | PIO | DE, 1));
	EXPECT_EQ(0, ioeventfd(fd, 0x4000, 2, efd, DM | DE, 1));
	EXPECT_EQ(0, ioeventfd(fd, 0x4000, 2, efd2, DM, 1));
	EXPECT_EQ(-ENOENT, ioeventfd(fd, 0x5000, 4, efd, DE, 0));

	/* Bad pointer; a user-mode-APIC partition has doorbells too. */
	EXPECT_EQ(-EFAULT, __vgen_ioctl(fd, VGEN_IOEVENTFD, (void *)8));
	ufd = part_new(dev, VGEN_PARTITION_USER_MODE_APIC);
	EXPECT_EQ(0, ioeventfd(ufd, 0x3000, 4, efd, 0, 0));
	EXPECT_EQ(0, ioeventfd(ufd, 0x3000, 4, efd, DE, 0));
	close(ufd);
	EXPECT_EQ(-ENOTTY, ioeventfd(dev, 0x3000, 4, efd, 0, 0));

	close(pfd[0]);
	close(pfd[1]);
	close(efd);
	close(efd2);
	close(fd);	/* with live registrations */
	close(dev);
}

/* Room for @n more fds, or false. */
static bool want_fds(unsigned int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return false;
	if (rl.rlim_cur >= n + 64)
		return true;
	rl.rlim_cur = n + 64;
	if (rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	return !setrlimit(RLIMIT_NOFILE, &rl);
}

TEST_F_TIMEOUT(irqfd, limits, T_TIMEOUT)
{
	static int efds[VGEN_MAX_IRQFDS + 1];
	int dev, fd, efd, i;

	REQUIRE_IRQFD();
	if (!want_fds(VGEN_MAX_IRQFDS + 1))
		SKIP(return, "cannot raise RLIMIT_NOFILE");
	dev = vgen_open_dev();
	fd = part_new(dev, 0);
	for (i = 0; i <= VGEN_MAX_IRQFDS; i++)
		efds[i] = efd_new();
	for (i = 0; i < VGEN_MAX_IRQFDS; i++)
		ASSERT_EQ(0, irqfd_ioctl(fd, efds[i], 0, 0, i % 24, 0, 0));
	EXPECT_EQ(-ENOSPC, irqfd_msi(fd, efds[VGEN_MAX_IRQFDS], VEC_MSI));
	/* Closing one frees its place. */
	close(efds[7]);
	EXPECT_EQ(0, irqfd_msi(fd, efds[VGEN_MAX_IRQFDS], VEC_MSI));
	EXPECT_EQ(-ENOSPC, irqfd_msi(fd, efds[7] = efd_new(), VEC_MSI));

	/* Doorbells: one eventfd may serve all of them. */
	efd = efds[0];
	for (i = 0; i < VGEN_MAX_IOEVENTFDS; i++)
		ASSERT_EQ(0, ioeventfd(fd, 0x100000 + 8 * i, 4, efd, 0, 0));
	EXPECT_EQ(-ENOSPC, ioeventfd(fd, 0x10, 1, efd, VGEN_IOEVENTFD_PIO, 0));
	EXPECT_EQ(0, ioeventfd(fd, 0x100000, 4, efd,
			       VGEN_IOEVENTFD_DEASSIGN, 0));
	EXPECT_EQ(0, ioeventfd(fd, 0x10, 1, efd, VGEN_IOEVENTFD_PIO, 0));

	/* Teardown with every binding live, eventfds still open. */
	close(fd);
	for (i = 0; i <= VGEN_MAX_IRQFDS; i++)
		close(efds[i]);
	close(dev);
}

/* ---------------------------------------------------------- teardown */

/* Signals the eventfd until told to stop: races with close/teardown. */
struct storm_arg {
	int efd;
	volatile int stop;
};

static void *storm(void *p)
{
	struct storm_arg *s = p;
	uint64_t one = 1;

	while (!s->stop) {
		if (write(s->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			break;
	}
	return NULL;
}

TEST_F_TIMEOUT(irqfd, teardown_live, T_TIMEOUT)
{
	int dev, fd, efd[4], rfd, i, round;
	struct storm_arg s;
	pthread_t t;

	REQUIRE_IRQFD();
	dev = vgen_open_dev();
	for (round = 0; round < 2; round++) {
		fd = part_new(dev, 0);
		for (i = 0; i < 4; i++)
			efd[i] = efd_new();
		rfd = efd_new();
		ASSERT_EQ(0, set_irq_route(fd, 1, msi_addr(0, false, false),
					   msi_data(VEC_LVL, VGEN_MSI_DM_FIXED,
						    true)));
		ASSERT_EQ(0, irqfd_msi(fd, efd[0], VEC_MSI));
		ASSERT_EQ(0, irqfd_ioctl(fd, efd[1], rfd, VGEN_IRQFD_RESAMPLE,
					 1, 0, 0));
		ASSERT_EQ(0, irqfd_ioctl(fd, efd[2], 0, 0, 2, 0, 0));
		ASSERT_EQ(0, ioeventfd(fd, 0x1000, 4, efd[3], 0, 0));
		ASSERT_EQ(0, ioeventfd(fd, 0x80, 1, efd[3],
				       VGEN_IOEVENTFD_PIO, 0));
		/* A signal storm on an irqfd during the teardown. */
		s.efd = efd[0];
		s.stop = 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, storm, &s));
		if (round == 0) {
			/* Partition first, eventfds later. */
			close(fd);
			s.stop = 1;
			pthread_join(t, NULL);
			/* Nothing drains them any more. */
			efd_take(efd[0]);
			efd_signal(efd[0]);
			EXPECT_EQ(1, efd_take(efd[0]));
			for (i = 0; i < 4; i++)
				close(efd[i]);
		} else {
			/* Eventfds first (auto-deassign), partition later. */
			close(efd[1]);
			close(efd[2]);
			close(efd[3]);
			EXPECT_EQ(-ENOENT, irqfd_deassign(fd, rfd));
			close(fd);
			s.stop = 1;
			pthread_join(t, NULL);
			close(efd[0]);
		}
		close(rfd);
	}
	close(dev);
}

TEST_HARNESS_MAIN
