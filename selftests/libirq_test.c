// SPDX-License-Identifier: GPL-2.0
/*
 * libvgen's interrupt API through the library only, on every backend
 * (FIXTURE_VARIANTs "vgen" and "kvm", same assertions) with guest
 * interrupt handlers (lib/apic_guest.c): vgen_partition_request_msi() to
 * physical and logical destinations and refused addresses, IOAPIC routes
 * (edge, level with VGEN_EXIT_EOI and re-assert, unrouted lines),
 * LINT1 NMI and LINT0 ExtINT (vector supplied through the run page) and
 * fixed, HLT woken by an MSI and by a LINT1 NMI from another thread,
 * doorbells (MMIO and
 * PIO, with and without datamatch), MSI interrupt targets (signal and
 * eventfd, enable/disable), and -ENXIO on a user-mode-APIC partition.
 * A backend that is missing or has no interrupt controller is skipped;
 * the doorbell and eventfd cases also need VGEN_CAP_IOEVENTFD /
 * VGEN_CAP_IRQFD.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "irq_host.h"
#include "libirq_test.h"

/* Per-case harness timeout (s): not a performance bound (nested KVM). */
#define LI_TIMEOUT	120

FIXTURE(li) {
	int err;
	uint64_t irqchip, irqfd, ioeventfd;
};

FIXTURE_VARIANT(li) {
	const char *name;
};

FIXTURE_VARIANT_ADD(li, vgen) {
	.name = "vgen",
};

FIXTURE_VARIANT_ADD(li, kvm) {
	.name = "kvm",
};

FIXTURE_SETUP(li)
{
	struct vgen_hypervisor *hv;

	vgen_test_backend = variant->name;
	self->err = vgen_hypervisor_open(variant->name, &hv);
	if (self->err)
		return;
	vgen_hypervisor_check_cap(hv, VGEN_CAP_IRQCHIP, &self->irqchip);
	vgen_hypervisor_check_cap(hv, VGEN_CAP_IRQFD, &self->irqfd);
	vgen_hypervisor_check_cap(hv, VGEN_CAP_IOEVENTFD, &self->ioeventfd);
	vgen_hypervisor_close(hv);
}

FIXTURE_TEARDOWN(li)
{
}

/* Why the test VM has no KVM (set by selftests/vm/vgen-vm), or "". */
static const char *li_reason(const char *backend)
{
	const char *r = getenv("VGEN_NO_KVM_REASON");

	return strcmp(backend, "kvm") || !r ? "" : r;
}

/* The harness runs the body even if the setup skipped: check here. */
#define REQUIRE_BACKEND()						\
	do {								\
		if (self->err)						\
			SKIP(return, "backend %s not available: %s %s",	\
			     variant->name, strerror(-self->err),	\
			     li_reason(variant->name));			\
	} while (0)

#define LI_REQUIRE_IRQCHIP()						\
	do {								\
		REQUIRE_BACKEND();					\
		if (!self->irqchip)					\
			SKIP(return, "%s: VGEN_CAP_IRQCHIP is 0",	\
			     variant->name);				\
	} while (0)

static uint64_t fixed_data(uint8_t vec)
{
	return msi_data(vec, VGEN_MSI_DM_FIXED, false);
}

TEST_F_TIMEOUT(li, caps, LI_TIMEOUT)
{
	struct vgen_hypervisor *hv;
	uint64_t v;

	LI_REQUIRE_IRQCHIP();
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	ASSERT_EQ(0, vgen_hypervisor_check_cap(hv, VGEN_CAP_IOAPIC_PINS, &v));
	EXPECT_EQ(VGEN_IOAPIC_PINS, v);
	vgen_hypervisor_close(hv);
}

TEST_F_TIMEOUT(li, request_msi, LI_TIMEOUT)
{
	struct vgen_partition *part;
	struct vcpu *vcpu;
	struct vm *vm;

	LI_REQUIRE_IRQCHIP();
	vm = vm_create_with_vcpu(guest_li_msi, &vcpu);
	part = vm->part;
	vcpu_expect_sync(vcpu, 1);
	/* Refused: not 0xfeexxxxx, reserved bits, DM 3, VTL 1, SMI. */
	EXPECT_EQ(-EINVAL, vgen_partition_request_msi(part, 0, 0xfed00000,
						      fixed_data(LI_VEC_PHYS)));
	EXPECT_EQ(-EINVAL, vgen_partition_request_msi(part, 0, 0,
						      fixed_data(LI_VEC_PHYS)));
	EXPECT_EQ(-EINVAL, vgen_partition_request_msi(part, 0,
						      0x1fee00000ULL,
						      fixed_data(LI_VEC_PHYS)));
	EXPECT_EQ(-EINVAL, vgen_partition_request_msi(part, 0,
						      msi_addr(0, false, false),
						      LI_VEC_PHYS | (3 << 8)));
	EXPECT_EQ(-EINVAL, vgen_partition_request_msi(part, 1,
						      msi_addr(0, false, false),
						      fixed_data(LI_VEC_PHYS)));
	EXPECT_EQ(-EOPNOTSUPP,
		  vgen_partition_request_msi(part, 0, msi_addr(0, false, false),
					     msi_data(0, VGEN_MSI_DM_SMI,
						      false)));
	EXPECT_EQ(-EINVAL, vgen_partition_request_msi(NULL, 0,
						      msi_addr(0, false, false),
						      fixed_data(LI_VEC_PHYS)));
	ASSERT_EQ(0, vgen_partition_request_msi(part, 0,
						msi_addr(0, false, false),
						fixed_data(LI_VEC_PHYS)));
	vcpu_expect_sync(vcpu, 2);
	/* Physical APIC ID 3 does not exist: accepted by nobody, 0. */
	ASSERT_EQ(0, vgen_partition_request_msi(part, 0,
						msi_addr(3, false, false),
						fixed_data(LI_VEC_PHYS)));
	/* Logical ID 0x02: nobody; LI_LOGICAL_ID: the VP. */
	ASSERT_EQ(0, vgen_partition_request_msi(part, 0,
						msi_addr(0x02, true, false),
						fixed_data(LI_VEC_PHYS)));
	ASSERT_EQ(0, vgen_partition_request_msi(part, 0,
						msi_addr(LI_LOGICAL_ID, true,
							 false),
						fixed_data(LI_VEC_LOGICAL)));
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(1, guest_irq_state(vm, 0)->count[LI_VEC_PHYS]);
	EXPECT_EQ(1, guest_irq_state(vm, 0)->count[LI_VEC_LOGICAL]);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(li, ioapic_routes, LI_TIMEOUT)
{
	struct vgen_msi_message edge = {
		.address = msi_addr(0, false, false),
		.data = (uint32_t)fixed_data(LI_VEC_EDGE),
	};
	struct vgen_msi_message level = {
		.address = msi_addr(0, false, false),
		.data = msi_data(LI_VEC_LEVEL, VGEN_MSI_DM_FIXED, true),
	};
	struct vgen_msi_message bad = { .address = 0xfed00000, .data = 0x30 };
	struct vgen_partition *part;
	struct vcpu *vcpu;
	struct vm *vm;

	LI_REQUIRE_IRQCHIP();
	vm = vm_create_with_vcpu(guest_li_ioapic, &vcpu);
	part = vm->part;
	vcpu_expect_sync(vcpu, 1);
	EXPECT_EQ(-EINVAL, vgen_partition_set_irq_route(part, 0, &bad));
	EXPECT_EQ(-EINVAL, vgen_partition_set_irq_route(part, VGEN_IOAPIC_PINS,
							&edge));
	EXPECT_EQ(-EINVAL, vgen_partition_assert_irq(part, VGEN_IOAPIC_PINS));
	ASSERT_EQ(0, vgen_partition_set_irq_route(part, LI_LINE_EDGE, &edge));
	ASSERT_EQ(0, vgen_partition_assert_irq(part, LI_LINE_EDGE));
	/* An unrouted line delivers nothing (the guest counts everything). */
	ASSERT_EQ(0, vgen_partition_assert_irq(part, LI_LINE_UNROUTED));

	/* Edge: no EOI exit (get_ucall fails on any other exit). */
	vcpu_expect_sync(vcpu, 2);
	ASSERT_EQ(0, vgen_partition_set_irq_route(part, LI_LINE_LEVEL,
						  &level));
	ASSERT_EQ(0, vgen_partition_assert_irq(part, LI_LINE_LEVEL));
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_EOI);
	EXPECT_EQ(LI_VEC_LEVEL, vcpu->run->eoi.vector);
	/* The line is still high: the VMM's IOAPIC asserts it again. */
	ASSERT_EQ(0, vgen_partition_assert_irq(part, LI_LINE_LEVEL));
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_EOI);
	EXPECT_EQ(LI_VEC_LEVEL, vcpu->run->eoi.vector);

	vcpu_expect_sync(vcpu, 3);
	ASSERT_EQ(0, vgen_partition_set_irq_route(part, LI_LINE_EDGE, NULL));
	ASSERT_EQ(0, vgen_partition_assert_irq(part, LI_LINE_EDGE));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(li, lint_nmi_extint_fixed, LI_TIMEOUT)
{
	struct vgen_partition *part;
	struct vcpu *vcpu;
	struct vm *vm;

	LI_REQUIRE_IRQCHIP();
	vm = vm_create_with_vcpu(guest_li_lint, &vcpu);
	part = vm->part;
	EXPECT_EQ(-EINVAL, vgen_partition_pulse_lint(part, 0, 0, 2));
	EXPECT_EQ(-EINVAL, vgen_partition_pulse_lint(part, 1, 0, 0));
	EXPECT_EQ(-EINVAL, vgen_partition_pulse_lint(part, 0, 1, 0));
	vcpu_expect_sync(vcpu, 1);
	ASSERT_EQ(0, vgen_partition_pulse_lint(part, 0, 0, 1)); /* masked */
	ASSERT_EQ(0, vgen_partition_pulse_lint(part, 0, 0, 0));
	vcpu_expect_sync(vcpu, 2);
	ASSERT_EQ(0, vgen_partition_pulse_lint(part, 0, 0, 1)); /* NMI */

	vcpu_expect_sync(vcpu, 3);
	ASSERT_EQ(0, vgen_partition_pulse_lint(part, 0, 0, 0)); /* ExtINT */
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_EXTINT);
	vcpu->run->extint.vector = LI_VEC_EXTINT;
	vcpu->run->extint.valid = 1;

	vcpu_expect_sync(vcpu, 4);
	ASSERT_EQ(0, vgen_partition_pulse_lint(part, 0, 0, 0));
	vcpu_run_expect_exit(vcpu, VGEN_EXIT_EXTINT);
	vcpu->run->extint.vector = 0;
	vcpu->run->extint.valid = 0;	/* the PIC has nothing after all */

	vcpu_expect_sync(vcpu, 5);
	ASSERT_EQ(0, vgen_partition_pulse_lint(part, 0, 0, 0)); /* fixed */
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(1, guest_irq_state(vm, 0)->count[2]);
	vm_destroy(vm);
}

struct li_sender {
	struct vm *vm;
	int ret;
};

static void *li_send_msi(void *arg)
{
	struct li_sender *s = arg;

	/* Give the VP time to halt (either way the guest must wake). */
	usleep(200 * 1000);
	s->ret = vgen_partition_request_msi(s->vm->part, 0,
					    msi_addr(0, false, false),
					    (uint32_t)fixed_data(LI_VEC_HLT));
	return NULL;
}

TEST_F_TIMEOUT(li, hlt_woken_by_msi, LI_TIMEOUT)
{
	struct li_sender s;
	struct vcpu *vcpu;
	pthread_t th;

	LI_REQUIRE_IRQCHIP();
	s.vm = vm_create_with_vcpu(guest_li_hlt, &vcpu);
	s.ret = -1;
	vcpu_expect_sync(vcpu, 1);
	ASSERT_EQ(0, pthread_create(&th, NULL, li_send_msi, &s));
	/* HLT waits in the kernel: the next exit is the guest's DONE. */
	vcpu_run_to_done(vcpu);
	pthread_join(th, NULL);
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(1, guest_irq_state(s.vm, 0)->count[LI_VEC_HLT]);
	vm_destroy(s.vm);
}

static void *li_send_lint1(void *arg)
{
	struct li_sender *s = arg;

	/* Give the VP time to halt (either way the guest must wake). */
	usleep(200 * 1000);
	s->ret = vgen_partition_pulse_lint(s->vm->part, 0, 0, 1);
	return NULL;
}

/* A LINT pulse reaches a VP halted in the kernel (KVM: the kick path). */
TEST_F_TIMEOUT(li, hlt_woken_by_lint1_nmi, LI_TIMEOUT)
{
	struct li_sender s;
	struct vcpu *vcpu;
	pthread_t th;

	LI_REQUIRE_IRQCHIP();
	s.vm = vm_create_with_vcpu(guest_li_hlt_nmi, &vcpu);
	s.ret = -1;
	vcpu_expect_sync(vcpu, 1);
	ASSERT_EQ(0, pthread_create(&th, NULL, li_send_lint1, &s));
	vcpu_run_to_done(vcpu);
	pthread_join(th, NULL);
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(1, guest_irq_state(s.vm, 0)->count[2]);
	vm_destroy(s.vm);
}

/* The eventfd's counter (0 if never signalled); resets it. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

TEST_F_TIMEOUT(li, doorbells, LI_TIMEOUT)
{
	struct vgen_doorbell *db[4], *dup;
	struct vgen_partition *part;
	struct vcpu *vcpu;
	uint32_t data;
	struct vm *vm;
	int efd[4], i;

	REQUIRE_BACKEND();
	if (!self->ioeventfd)
		SKIP(return, "%s: VGEN_CAP_IOEVENTFD is 0", variant->name);
	for (i = 0; i < 4; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ASSERT_LE(0, efd[i]);
	}
	vm = vm_create_with_vcpu(guest_li_doorbell, &vcpu);
	part = vm->part;
	vcpu_expect_sync(vcpu, 1);
	/* Refused arguments. */
	EXPECT_EQ(-EINVAL, vgen_partition_register_doorbell(part, LI_DB_MMIO,
			   4, 1U << 5, 0, efd[0], &dup));
	EXPECT_EQ(-EINVAL, vgen_partition_register_doorbell(part, LI_DB_MMIO,
			   3, 0, 0, efd[0], &dup));
	EXPECT_EQ(-EINVAL, vgen_partition_register_doorbell(part, LI_DB_MMIO,
			   0, VGEN_DOORBELL_DATAMATCH, 1, efd[0], &dup));
	EXPECT_EQ(-EINVAL, vgen_partition_register_doorbell(part, 0x10000, 1,
			   VGEN_DOORBELL_PIO, 0, efd[0], &dup));
	EXPECT_EQ(-EINVAL, vgen_partition_register_doorbell(part, LI_DB_PORT,
			   8, VGEN_DOORBELL_PIO, 0, efd[0], &dup));
	EXPECT_EQ(-EBADF, vgen_partition_register_doorbell(part, LI_DB_MMIO,
			   4, 0, 0, -1, &dup));
	EXPECT_EQ(-EINVAL, vgen_partition_register_doorbell(NULL, LI_DB_MMIO,
			   4, 0, 0, efd[0], &dup));

	ASSERT_EQ(0, vgen_partition_register_doorbell(part, LI_DB_MMIO, 4, 0,
						      0, efd[0], &db[0]));
	ASSERT_EQ(0, vgen_partition_register_doorbell(part, LI_DB_MMIO_DM, 4,
						      VGEN_DOORBELL_DATAMATCH,
						      LI_DB_MATCH, efd[1],
						      &db[1]));
	ASSERT_EQ(0, vgen_partition_register_doorbell(part, LI_DB_PORT, 2,
						      VGEN_DOORBELL_PIO, 0,
						      efd[2], &db[2]));
	ASSERT_EQ(0, vgen_partition_register_doorbell(part, LI_DB_PORT_DM, 1,
						      VGEN_DOORBELL_PIO |
						      VGEN_DOORBELL_DATAMATCH,
						      LI_DB_PORT_MATCH, efd[3],
						      &db[3]));
	/* The same registration twice. */
	EXPECT_EQ(-EEXIST, vgen_partition_register_doorbell(part, LI_DB_MMIO,
			   4, 0, 0, efd[0], &dup));
	/* Overlaps (same rule on both backends): part of the range, any length. */
	EXPECT_EQ(-EEXIST, vgen_partition_register_doorbell(part,
			   LI_DB_MMIO + 2, 1, 0, 0, efd[0], &dup));
	EXPECT_EQ(-EEXIST, vgen_partition_register_doorbell(part, LI_DB_MMIO,
			   0, 0, 0, efd[0], &dup));
	/* A datamatch sibling (same address and length, other value) is fine,
	 * the same value is not; the other space does not overlap. */
	EXPECT_EQ(-EEXIST, vgen_partition_register_doorbell(part, LI_DB_MMIO_DM,
			   4, VGEN_DOORBELL_DATAMATCH, LI_DB_MATCH, efd[1],
			   &dup));
	ASSERT_EQ(0, vgen_partition_register_doorbell(part, LI_DB_MMIO_DM, 4,
						      VGEN_DOORBELL_DATAMATCH,
						      LI_DB_MATCH + 7, efd[1],
						      &dup));
	EXPECT_EQ(0, vgen_doorbell_unregister(dup));
	ASSERT_EQ(0, vgen_partition_register_doorbell(part, LI_DB_MMIO & 0xffff,
						      1, VGEN_DOORBELL_PIO, 0,
						      efd[0], &dup));
	EXPECT_EQ(0, vgen_doorbell_unregister(dup));

	/* Matching writes signal without an exit; others exit as usual. */
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_MMIO, vcpu->run->exit_reason);
	EXPECT_EQ(LI_DB_MMIO_DM, vcpu->run->mmio.gpa);
	EXPECT_EQ(1, vcpu->run->mmio.is_write);
	memcpy(&data, vcpu->run->mmio.data, 4);
	EXPECT_EQ(LI_DB_MATCH + 1, data);
	EXPECT_EQ(2, efd_take(efd[0]));
	EXPECT_EQ(1, efd_take(efd[1]));
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_IO, vcpu->run->exit_reason);
	EXPECT_EQ(LI_DB_PORT_DM, vcpu->run->io.port);
	EXPECT_EQ(VGEN_EXIT_IO_OUT, vcpu->run->io.direction);
	EXPECT_EQ(LI_DB_PORT_MATCH + 1, vcpu->run->io.data);
	EXPECT_EQ(1, efd_take(efd[2]));
	EXPECT_EQ(1, efd_take(efd[3]));

	vcpu_expect_sync(vcpu, 2);
	ASSERT_EQ(0, vgen_doorbell_unregister(db[0]));
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_MMIO, vcpu->run->exit_reason);
	EXPECT_EQ(LI_DB_MMIO, vcpu->run->mmio.gpa);
	memcpy(&data, vcpu->run->mmio.data, 4);
	EXPECT_EQ(0x33, data);
	EXPECT_EQ(0, efd_take(efd[0]));
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(0, vgen_doorbell_unregister(db[1]));
	/* db[2] and db[3] are freed by the partition. */
	vm_destroy(vm);
	for (i = 0; i < 4; i++)
		close(efd[i]);
}

TEST_F_TIMEOUT(li, msi_target, LI_TIMEOUT)
{
	struct vgen_msi_interrupt *intr;
	struct vgen_partition *part;
	uint64_t one = 1;
	struct vcpu *vcpu;
	struct vm *vm;
	int fd = -1, ret;

	LI_REQUIRE_IRQCHIP();
	vm = vm_create_with_vcpu(guest_li_target, &vcpu);
	part = vm->part;
	ASSERT_EQ(0, vgen_partition_new_msi_interrupt(part, &intr));
	EXPECT_EQ(-EINVAL, vgen_msi_interrupt_enable(intr, 0xfed00000,
						     fixed_data(LI_VEC_TGT)));
	EXPECT_EQ(-EINVAL, vgen_msi_interrupt_signal(NULL));
	vcpu_expect_sync(vcpu, 1);
	/* Disabled: dropped. */
	ASSERT_EQ(0, vgen_msi_interrupt_signal(intr));
	ASSERT_EQ(0, vgen_msi_interrupt_enable(intr, msi_addr(0, false, false),
					       fixed_data(LI_VEC_TGT)));
	ASSERT_EQ(0, vgen_msi_interrupt_signal(intr));

	vcpu_expect_sync(vcpu, 2);
	ret = vgen_msi_interrupt_eventfd(intr, &fd);
	if (self->irqfd) {
		ASSERT_EQ(0, ret);
		ASSERT_LE(0, fd);
	} else {
		/* Only the eventfd needs irqfd support. */
		ASSERT_EQ(-EOPNOTSUPP, ret);
		fd = -1;
	}
	ASSERT_EQ(0, vgen_msi_interrupt_enable(intr, msi_addr(0, false, false),
					       fixed_data(LI_VEC_TGT_FD)));
	if (fd >= 0) {
		ASSERT_EQ(sizeof(one), write(fd, &one, sizeof(one)));
	} else {
		ASSERT_EQ(0, vgen_msi_interrupt_signal(intr));
	}

	vcpu_expect_sync(vcpu, 3);
	ASSERT_EQ(0, vgen_msi_interrupt_disable(intr));
	ASSERT_EQ(0, vgen_msi_interrupt_signal(intr));
	if (fd >= 0) {
		ASSERT_EQ(sizeof(one), write(fd, &one, sizeof(one)));
	}

	vcpu_expect_sync(vcpu, 4);
	ASSERT_EQ(0, vgen_msi_interrupt_enable(intr, msi_addr(0, false, false),
					       fixed_data(LI_VEC_TGT_NEW)));
	if (fd >= 0) {
		ASSERT_EQ(sizeof(one), write(fd, &one, sizeof(one)));
	} else {
		ASSERT_EQ(0, vgen_msi_interrupt_signal(intr));
	}
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(0, vgen_msi_interrupt_free(intr));
	vm_destroy(vm);
}

TEST_F_TIMEOUT(li, user_mode_apic, LI_TIMEOUT)
{
	struct vgen_msi_message m = {
		.address = msi_addr(0, false, false),
		.data = (uint32_t)fixed_data(LI_VEC_PHYS),
	};
	struct vgen_msi_interrupt *intr;
	struct vgen_partition *part;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu_flags(guest_li_msi, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	part = vm->part;
	EXPECT_EQ(-ENXIO, vgen_partition_request_msi(part, 0, m.address,
						     m.data));
	EXPECT_EQ(-ENXIO, vgen_partition_set_irq_route(part, 0, &m));
	EXPECT_EQ(-ENXIO, vgen_partition_assert_irq(part, 0));
	EXPECT_EQ(-ENXIO, vgen_partition_pulse_lint(part, 0, 0, 1));
	EXPECT_EQ(-ENXIO, vgen_partition_new_msi_interrupt(part, &intr));
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
