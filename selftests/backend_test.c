// SPDX-License-Identifier: GPL-2.0
/*
 * The libvgen API on every backend: each case runs once on "vgen"
 * (/dev/vgen) and once on "kvm" (/dev/kvm) and asserts the same results:
 * port I/O (every size, string forms reported per element), MMIO reads
 * and writes, HLT, triple fault, CPUID set and seen by the guest,
 * register/segment/MSR round trips, yield and stop from another thread,
 * a stop and immediate_exit completing a pending IN, and a signal ending
 * a run, two VPs on two threads. A backend whose device is
 * missing is skipped with the reason.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "backend_test.h"

/*
 * Per-case harness timeout (s): the debug kernel (KASAN, TCG) pins a
 * test VM's 32 MiB slowly, and the test machine may be loaded.
 */
#define BT_TIMEOUT	120

FIXTURE(backend) {
	int err;
};

FIXTURE_VARIANT(backend) {
	const char *name;
};

FIXTURE_VARIANT_ADD(backend, vgen) {
	.name = "vgen",
};

FIXTURE_VARIANT_ADD(backend, kvm) {
	.name = "kvm",
};

FIXTURE_SETUP(backend)
{
	self->err = vgen_test_backend_check(variant->name);
	vgen_test_backend = variant->name;
}

FIXTURE_TEARDOWN(backend)
{
}

/* The harness runs the body even if the setup skipped: check here. */
#define REQUIRE_BACKEND()						\
	do {								\
		if (self->err)						\
			SKIP(return, "backend %s not available: %s%s%s", \
			     variant->name, strerror(-self->err),	\
			     bt_reason(variant->name) ? " - " : "",	\
			     bt_reason(variant->name) ?: "");		\
	} while (0)

/* Why the test VM has no KVM (set by selftests/vm/vgen-vm), or NULL. */
static const char *bt_reason(const char *backend)
{
	return strcmp(backend, "kvm") ? NULL : getenv("VGEN_NO_KVM_REASON");
}

static void expect_io(struct vcpu *vcpu, uint16_t port, uint8_t size,
		      uint8_t dir, uint32_t data)
{
	struct vgen_run *run = vcpu->run;

	TEST_ASSERT(run->exit_reason == VGEN_EXIT_IO && run->io.port == port &&
		    run->io.size == size && run->io.direction == dir &&
		    (dir == VGEN_EXIT_IO_IN || run->io.data == data),
		    "expected %s port 0x%x size %u data 0x%x, got %s",
		    dir ? "out" : "in", port, size, data, vcpu_exit_str(vcpu));
}

static void run_expect_io(struct vcpu *vcpu, uint16_t port, uint8_t size,
			  uint8_t dir, uint32_t data)
{
	struct ucall uc;

	vcpu_run(vcpu);
	if (ucall_decode(vcpu, &uc) == UCALL_ASSERT)
		ucall_report_assert(vcpu, &uc);
	expect_io(vcpu, port, size, dir, data);
}

TEST_F_TIMEOUT(backend, backend_name, BT_TIMEOUT)
{
	struct vgen_hypervisor *hv;
	uint64_t v;

	REQUIRE_BACKEND();
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	EXPECT_STREQ(variant->name, vgen_hypervisor_backend_name(hv));
	ASSERT_EQ(0, vgen_hypervisor_check_cap(hv, VGEN_CAP_SOFTWARE_VP, &v));
	EXPECT_EQ(strcmp(variant->name, "vgen") == 0, v);
	ASSERT_EQ(0, vgen_hypervisor_check_cap(hv, VGEN_CAP_YIELD, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, vgen_hypervisor_check_cap(hv, VGEN_CAP_MSRS, &v));
	EXPECT_EQ(VGEN_MAX_MSR_ENTRIES, v);
	ASSERT_EQ(0, vgen_hypervisor_check_cap(hv, 0xdead, &v));
	EXPECT_EQ(0, v);
	vgen_hypervisor_close(hv);
	EXPECT_EQ(NULL, vgen_hypervisor_backend_name(NULL));
	EXPECT_EQ(-EINVAL, vgen_hypervisor_open("bogus", &hv));
}

TEST_F_TIMEOUT(backend, pio, BT_TIMEOUT)
{
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_pio, &vcpu);
	run_expect_io(vcpu, BT_PORT, 1, VGEN_EXIT_IO_OUT, 0x12);
	run_expect_io(vcpu, BT_PORT, 2, VGEN_EXIT_IO_OUT, 0x3456);
	run_expect_io(vcpu, BT_PORT, 4, VGEN_EXIT_IO_OUT, 0x789abcde);
	run_expect_io(vcpu, BT_PORT_IMM, 1, VGEN_EXIT_IO_OUT, 0x5a);
	run_expect_io(vcpu, BT_PORT, 1, VGEN_EXIT_IO_IN, 0);
	vcpu->run->io.data = 0xa1;
	run_expect_io(vcpu, BT_PORT, 2, VGEN_EXIT_IO_IN, 0);
	vcpu->run->io.data = 0xb2c3;
	run_expect_io(vcpu, BT_PORT, 4, VGEN_EXIT_IO_IN, 0);
	vcpu->run->io.data = 0xd4e5f607;
	/* String forms: one exit per element on every backend. */
	for (i = 0; i < 4; i++)
		run_expect_io(vcpu, BT_PORT, 1, VGEN_EXIT_IO_OUT,
			      0x11 * (i + 1));
	for (i = 0; i < 3; i++) {
		run_expect_io(vcpu, BT_PORT, 2, VGEN_EXIT_IO_IN, 0);
		vcpu->run->io.data = 0x1000 + i;
	}
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

static void run_expect_mmio(struct vcpu *vcpu, uint64_t gpa, uint32_t size,
			    int write, uint64_t data)
{
	struct vgen_run *run = vcpu->run;
	struct ucall uc;
	uint64_t got = 0;

	vcpu_run(vcpu);
	if (ucall_decode(vcpu, &uc) == UCALL_ASSERT)
		ucall_report_assert(vcpu, &uc);
	TEST_ASSERT(run->exit_reason == VGEN_EXIT_MMIO &&
		    run->mmio.gpa == gpa && run->mmio.size == size &&
		    run->mmio.is_write == write, "expected MMIO %s 0x%llx/%u, got %s",
		    write ? "write" : "read", (unsigned long long)gpa, size,
		    vcpu_exit_str(vcpu));
	if (write) {
		memcpy(&got, run->mmio.data, size);
		TEST_ASSERT(got == data, "MMIO write data 0x%llx != 0x%llx",
			    (unsigned long long)got, (unsigned long long)data);
	} else {
		memcpy(run->mmio.data, &data, sizeof(data));
	}
}

TEST_F_TIMEOUT(backend, mmio, BT_TIMEOUT)
{
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_mmio, &vcpu);
	run_expect_mmio(vcpu, BT_MMIO, 1, 1, 0x81);
	run_expect_mmio(vcpu, BT_MMIO + 0x10, 2, 1, 0x8283);
	run_expect_mmio(vcpu, BT_MMIO + 0x20, 4, 1, 0x84858687);
	run_expect_mmio(vcpu, BT_MMIO + 0x30, 8, 1, 0x88898a8b8c8d8e8fULL);
	run_expect_mmio(vcpu, BT_MMIO, 1, 0, 0x01);
	run_expect_mmio(vcpu, BT_MMIO + 0x10, 2, 0, 0x0302);
	run_expect_mmio(vcpu, BT_MMIO + 0x20, 4, 0, 0x07060504);
	run_expect_mmio(vcpu, BT_MMIO + 0x30, 8, 0, 0x0f0e0d0c0b0a0908ULL);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(backend, hlt, BT_TIMEOUT)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_BACKEND();
	/* HLT exits to userspace only without an in-kernel APIC. */
	vm = vm_create_with_vcpu_flags(guest_bt_hlt, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_HLT, vcpu->run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	/* RIP is after the HLT; running again continues. */
	vcpu_regs_get(vcpu, &regs);
	ASSERT_EQ(0xf4, *(uint8_t *)addr_gpa2hva(vm, regs.rip - 1));
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(2, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(backend, triple_fault, BT_TIMEOUT)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_triple_fault, &vcpu);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_SHUTDOWN, vcpu->run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	vm_destroy(vm);
}

TEST_F_TIMEOUT(backend, cpuid, BT_TIMEOUT)
{
	struct vgen_cpuid_leaf l[3];
	uint32_t want[3][4], sig[4];
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int i, j;

	REQUIRE_BACKEND();
	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	memset(l, 0, sizeof(l));
	/* A new leaf, fully set. */
	l[0].function = BT_LEAF;
	l[0].index = VGEN_CPUID_INDEX_ANY;
	memcpy(l[0].result, (uint32_t[4]){ BT_LEAF_NEW, 0x6e656776,
					    0x74736574, 0x00000000 },
	       sizeof(l[0].result));
	memset(l[0].mask, 0xff, sizeof(l[0].mask));
	/* A new leaf, only some bits (the others start as zero). */
	l[1].function = BT_LEAF_NEW;
	l[1].index = VGEN_CPUID_INDEX_ANY;
	memset(l[1].result, 0xff, sizeof(l[1].result));
	l[1].mask[0] = 0xff;
	l[1].mask[3] = 0x80000001;
	/* A later entry wins on its masked bits. */
	l[2] = l[1];
	memset(l[2].mask, 0, sizeof(l[2].mask));
	l[2].result[0] = 0x12;
	l[2].mask[0] = 0x0f;
	ASSERT_EQ(0, vgen_proto_set_cpuid(vm->proto, l, 3));
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, 1, 0, want[0]));
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, BT_LEAF, 0, want[1]));
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, BT_LEAF_NEW, 0, want[2]));
	EXPECT_EQ(0, memcmp(want[1], l[0].result, sizeof(want[1])));
	EXPECT_EQ(0xf2, want[2][0]);
	EXPECT_EQ(0, want[2][1]);
	EXPECT_EQ(0, want[2][2]);
	EXPECT_EQ(0x80000001, want[2][3]);
	/* Absent leaves read as zeros. */
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, BT_LEAF_NEW + 1, 0, sig));
	EXPECT_EQ(0, sig[0] | sig[1] | sig[2] | sig[3]);
	EXPECT_EQ(-EINVAL, vgen_proto_set_cpuid(vm->proto, l, 0));

	vm_finalize(vm);
	vcpu = vm_add_vcpu(vm, 0, guest_bt_cpuid);
	/* Leaf 1 EBX[31:24] is the VP's APIC ID (0). */
	want[0][1] &= 0x00ffffff;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		for (j = 0; j < 4; j++) {
			/* The guest's view of leaf 1 has dynamic bits
			 * (OSXSAVE, APIC enable): compare EAX and EBX. */
			if (i == 0 && j >= 2)
				continue;
			EXPECT_EQ(want[i][j], (uint32_t)uc.args[j]) {
				TH_LOG("leaf %d register %d", i, j);
			}
		}
	}
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(backend, state_round_trip, BT_TIMEOUT)
{
	static const struct vgen_msr_entry set_msrs[] = {
		{ .index = 0xc0000082, .data = 0xffffffff81234560ULL },
		{ .index = 0xc0000102, .data = 0x00007f0012345000ULL },
		{ .index = 0x174, .data = 0x10 },
		{ .index = 0xc0000081, .data = 0x0023001000000000ULL },
		{ .index = 0x277, .data = 0x0007040600070406ULL },
	};
	struct vgen_msr_entry msrs[5], bad;
	struct vgen_regs regs, regs2;
	struct vgen_sregs sregs, sregs2;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int i;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_args, &vcpu);
	/* The guest contract's initial state reads back. */
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(0x80010011, sregs.cr0);
	EXPECT_EQ(VGEN_IMAGE_PML4, sregs.cr3);
	EXPECT_EQ(0xd00, sregs.efer);
	EXPECT_EQ(VGEN_SEL_CODE, sregs.cs.selector);
	EXPECT_EQ(0xa09b, sregs.cs.attributes);
	EXPECT_EQ(0xc093, sregs.ss.attributes);
	EXPECT_EQ(0x8b, sregs.tr.attributes & 0xff);
	EXPECT_EQ(VGEN_IMAGE_GDT, sregs.gdt.base);
	EXPECT_EQ(0x37, sregs.gdt.limit);

	/* Registers: what is set reads back. */
	vcpu_regs_get(vcpu, &regs);
	for (i = 0; i < 16; i++)
		if (i != VGEN_REG_RSP)
			regs.gpr[i] = 0x0101010101010101ULL * (i + 1);
	regs.gpr[VGEN_REG_RDI] = 0x1234567890abcdefULL;
	regs.gpr[VGEN_REG_RSI] = 0xfedcba0987654321ULL;
	regs.rflags = 0x2 | 0x1 | 0x40 | 0x800;	/* CF, ZF, OF */
	vcpu_regs_set(vcpu, &regs);
	vcpu_regs_get(vcpu, &regs2);
	EXPECT_EQ(0, memcmp(&regs, &regs2, sizeof(regs)));
	regs2.flags = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs2));
	regs2.flags = 0;
	regs2.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs2));
	regs2.reserved[3] = 0;
	regs2.rflags |= 1ULL << 40;
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs2));

	/* Segments: FS base points at bt_fs_value. */
	bt_fs_value = 0x5566778899aabbccULL;
	sync_global_to_guest(vm, bt_fs_value);
	sregs.fs.base = (uint64_t)(uintptr_t)&bt_fs_value;
	sregs.cr2 = 0xdeadbeef000ULL;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_sregs_get(vcpu, &sregs2);
	EXPECT_EQ(0, memcmp(&sregs.fs, &sregs2.fs, sizeof(sregs.fs)));
	EXPECT_EQ(0, memcmp(&sregs.cs, &sregs2.cs, sizeof(sregs.cs)));
	EXPECT_EQ(sregs.cr2, sregs2.cr2);
	EXPECT_EQ(sregs.cr0, sregs2.cr0);
	EXPECT_EQ(sregs.efer, sregs2.efer);
	sregs2.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &sregs2));

	/* MSRs: round trip, unknown index and bad value refused. */
	ASSERT_EQ(0, vgen_processor_set_msrs(vcpu->proc, set_msrs, 5));
	memset(msrs, 0, sizeof(msrs));
	for (i = 0; i < 5; i++)
		msrs[i].index = set_msrs[i].index;
	ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, msrs, 5));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(set_msrs[i].data, msrs[i].data);
	bad = (struct vgen_msr_entry){ .index = 0x1b, .data = 0 };
	EXPECT_EQ(-EINVAL, vgen_processor_get_msrs(vcpu->proc, &bad, 1));
	bad = (struct vgen_msr_entry){ .index = 0xc0000082,
				       .data = 0x0000800000000000ULL };
	EXPECT_EQ(-EINVAL, vgen_processor_set_msrs(vcpu->proc, &bad, 1));
	bad.data = 0;
	ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, &bad, 1));
	EXPECT_EQ(set_msrs[0].data, bad.data);

	/* The guest sees the registers: RDI/RSI arguments and FS. */
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0x1234567890abcdefULL, uc.args[0]);
	EXPECT_EQ(0xfedcba0987654321ULL, uc.args[1]);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0x5566778899aabbccULL, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* Poll (no time limit of its own: the harness timeout bounds it). */
struct bt_kick {
	struct vm *vm;
	struct vgen_stop_source *src;	/* NULL: request a yield */
};

/* Once the guest counts, yield or stop the VP. */
static void *bt_kick_when_running(void *p)
{
	struct bt_kick *k = p;
	volatile uint64_t *c = vm_guest_u64(k->vm, &bt_counter);
	uint64_t v = *c;

	wait_u64_ne(c, v);
	if (k->src)
		vgen_stop_source_stop(k->src);
	else
		vgen_partition_request_yield(k->vm->part, 0);
	return NULL;
}

TEST_F_TIMEOUT(backend, yield_and_stop, BT_TIMEOUT)
{
	struct vgen_stop_source *src;
	const struct vgen_run *run;
	struct bt_kick k;
	struct vcpu *vcpu;
	struct vm *vm;
	pthread_t th;
	uint64_t c0, c1;
	int r;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_spin, &vcpu);

	/* A request before the run is reported before any guest code. */
	ASSERT_EQ(0, vgen_partition_request_yield(vm->part, 0));
	ASSERT_EQ(0, vgen_partition_request_yield(vm->part, 0));
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_YIELD, vcpu->run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	EXPECT_EQ(0, *vm_guest_u64(vm, &bt_entered));

	/* A spinning VP yields to a request from another thread. */
	k.vm = vm;
	k.src = NULL;
	ASSERT_EQ(0, pthread_create(&th, NULL, bt_kick_when_running, &k));
	vcpu_run(vcpu);
	pthread_join(th, NULL);
	ASSERT_EQ(VGEN_EXIT_YIELD, vcpu->run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	EXPECT_EQ(1, *vm_guest_u64(vm, &bt_entered));

	/* A stop from another thread ends run_until_stop. */
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	k.src = src;
	ASSERT_EQ(0, pthread_create(&th, NULL, bt_kick_when_running, &k));
	r = vgen_processor_run_until_stop(vcpu->proc, src, &run);
	pthread_join(th, NULL);
	ASSERT_EQ(VGEN_RUN_STOPPED, r) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	/* Stopped means stopped: no guest code runs any more. */
	c0 = *vm_guest_u64(vm, &bt_counter);
	ASSERT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, src, &run));
	c1 = *vm_guest_u64(vm, &bt_counter);
	EXPECT_EQ(c0, c1);
	vgen_stop_source_free(src);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(backend, stop_completes_pending_in, BT_TIMEOUT)
{
	struct vgen_stop_source *src;
	const struct vgen_run *run;
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_in, &vcpu);
	ASSERT_EQ(0, vgen_stop_source_new(&src));
	ASSERT_EQ(0, vgen_processor_run_until_stop(vcpu->proc, src, &run));
	expect_io(vcpu, BT_PORT, 4, VGEN_EXIT_IO_IN, 0);
	/* The exit handler stores the data and stops. */
	vcpu->run->io.data = 0xcafef00d;
	ASSERT_EQ(0, vgen_stop_source_stop(src));
	ASSERT_EQ(VGEN_RUN_STOPPED,
		  vgen_processor_run_until_stop(vcpu->proc, src, &run));
	/* The IN is complete: RAX has the data, RIP is past the IN. */
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(0x11223344cafef00dULL & 0xffffffffULL,
		  regs.gpr[VGEN_REG_RAX]);
	EXPECT_EQ(0xed, *(uint8_t *)addr_gpa2hva(vm, regs.rip - 1));
	vgen_stop_source_free(src);
	/* Running again continues after the IN. */
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0xcafef00dULL, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST_F_TIMEOUT(backend, immediate_exit_completes_in, BT_TIMEOUT)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_BACKEND();
	vm = vm_create_with_vcpu(guest_bt_in, &vcpu);
	run_expect_io(vcpu, BT_PORT, 4, VGEN_EXIT_IO_IN, 0);
	vcpu->run->io.data = 0x600dcafe;
	vcpu->run->immediate_exit = 1;
	ASSERT_EQ(-EINTR, __vcpu_run(vcpu));
	ASSERT_EQ(VGEN_EXIT_INTR, vcpu->run->exit_reason);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(0x600dcafe, regs.gpr[VGEN_REG_RAX]);
	EXPECT_EQ(0xed, *(uint8_t *)addr_gpa2hva(vm, regs.rip - 1));
	/* Still set: no guest code runs. */
	ASSERT_EQ(-EINTR, __vcpu_run(vcpu));
	vcpu->run->immediate_exit = 0;
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(0x600dcafe, uc.args[0]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

static void bt_on_signal(int sig)
{
	(void)sig;
}

struct bt_signal {
	struct vm *vm;
	pthread_t target;
};

static void *bt_signal_when_running(void *p)
{
	struct bt_signal *s = p;
	volatile uint64_t *c = vm_guest_u64(s->vm, &bt_counter);
	uint64_t v = *c;

	wait_u64_ne(c, v);
	pthread_kill(s->target, SIGUSR1);
	return NULL;
}

TEST_F_TIMEOUT(backend, signal_interrupts_run, BT_TIMEOUT)
{
	struct sigaction sa;
	struct bt_signal s;
	struct vcpu *vcpu;
	struct vm *vm;
	pthread_t th;

	REQUIRE_BACKEND();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bt_on_signal;	/* no SA_RESTART */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	vm = vm_create_with_vcpu(guest_bt_spin, &vcpu);
	s.vm = vm;
	s.target = pthread_self();
	ASSERT_EQ(0, pthread_create(&th, NULL, bt_signal_when_running, &s));
	ASSERT_EQ(-EINTR, __vcpu_run(vcpu));
	pthread_join(th, NULL);
	EXPECT_EQ(VGEN_EXIT_INTR, vcpu->run->exit_reason);
	/* A yield request is not lost to the signal. */
	ASSERT_EQ(0, vgen_partition_request_yield(vm->part, 0));
	vcpu_run(vcpu);
	EXPECT_EQ(VGEN_EXIT_YIELD, vcpu->run->exit_reason);
	vm_destroy(vm);
}

struct bt_vp_thread {
	struct vm *vm;
	uint32_t index;
};

static void *bt_vp_thread(void *p)
{
	struct bt_vp_thread *t = p;
	struct vcpu *vcpu = vm_add_vcpu(t->vm, t->index, guest_bt_count);

	vcpu_run_to_done(vcpu);
	return NULL;
}

TEST_F_TIMEOUT(backend, two_vps_two_threads, BT_TIMEOUT)
{
	struct bt_vp_thread t[2];
	pthread_t th[2];
	struct vm *vm;
	int i;

	REQUIRE_BACKEND();
	vm = vm_create_proto(2, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	for (i = 0; i < 2; i++) {
		t[i].vm = vm;
		t[i].index = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, bt_vp_thread, &t[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(2 * BT_COUNT, *vm_guest_u64(vm, &bt_shared));
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
