// SPDX-License-Identifier: GPL-2.0
/*
 * Guest execution tests: C code compiled as guest code gives the same
 * results as natively, HLT exits, LOCK-prefixed instructions (one VP and
 * two VPs racing), default CPUID, the initial register contract.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "algos.h"
#include "guest_test.h"

static int have_vgen(void)
{
	int fd = vgen_open_dev();

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

#define REQUIRE_VGEN()							\
	do {								\
		if (!have_vgen())					\
			SKIP(return, "/dev/vgen not present");		\
	} while (0)

TEST(algorithms_match_native)
{
	uint64_t expect[ALGO_COUNT];
	struct vcpu *vcpu;
	struct ucall uc;
	uint8_t sha[32];
	struct vm *vm;
	int i;

	REQUIRE_VGEN();
	expect[ALGO_CRC] = algo_crc32(algo_text, strlen(algo_text));
	algo_sha256(algo_text, strlen(algo_text), sha);
	for (i = 0; i < 4; i++)
		memcpy(&expect[ALGO_SHA0 + i], sha + 8 * i, 8);
	expect[ALGO_SORT] = algo_sort(ALGO_SEED);
	expect[ALGO_MULDIV] = algo_muldiv(ALGO_SEED);
	expect[ALGO_BITOPS] = algo_bitops(ALGO_SEED);
	expect[ALGO_FLAGS] = algo_flags(ALGO_SEED);
	/* Sanity of the native side: known CRC-32 and SHA-256 vectors. */
	ASSERT_EQ(0xcbf43926u, algo_crc32("123456789", 9));
	algo_sha256("abc", 3, sha);
	ASSERT_EQ(0xba, sha[0]);
	ASSERT_EQ(0x78, sha[1]);
	ASSERT_EQ(0xad, sha[31]);
	ASSERT_NE(0, expect[ALGO_SORT]);

	vm = vm_create_with_vcpu(guest_algos, &vcpu);
	for (i = 0; i < ALGO_COUNT; i++) {
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(i, uc.args[0]);
		EXPECT_EQ(expect[i], uc.args[1]) {
			TH_LOG("algorithm %d: guest 0x%" PRIx64 " native 0x%"
			       PRIx64, i, uc.args[1], expect[i]);
		}
	}
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(hlt_exit)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_VGEN();
	/* Without an in-kernel APIC nothing can wake a HLT in the kernel. */
	vm = vm_create_with_vcpu_flags(guest_hlt, &vcpu,
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

TEST(lock_ops)
{
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_VGEN();
	vm = vm_create_with_vcpu(guest_lock_ops, &vcpu);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

struct smp_arg {
	struct vm *vm;
	uint32_t index;
	int done;
};

static void *smp_thread(void *p)
{
	struct smp_arg *a = p;
	struct vcpu *vcpu = vm_add_vcpu(a->vm, a->index, guest_smp_lock);

	vcpu_run_to_done(vcpu);
	a->done = 1;
	return NULL;
}

/* Two VPs on two threads increment one counter with LOCK INC. */
TEST(smp_lock_inc)
{
	struct smp_arg args[2];
	pthread_t th[2];
	struct vm *vm;
	int i;

	REQUIRE_VGEN();
	vm = vm_create_proto(2, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	for (i = 0; i < 2; i++) {
		args[i].vm = vm;
		args[i].index = (uint32_t)i;
		args[i].done = 0;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, smp_thread,
					    &args[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(1, args[i].done);
	}
	sync_global_from_guest(vm, smp_counter);
	EXPECT_EQ(2 * SMP_ITERS, smp_counter);
	vm_destroy(vm);
}

TEST(cpuid_defaults)
{
	uint32_t r[4], max_basic, leaf1_edx;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_VGEN();
	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, 0, 0, r));
	max_basic = r[0];
	ASSERT_EQ(0, memcmp(&r[1], "Vgen", 4));
	ASSERT_EQ(0, memcmp(&r[2], "Vgen", 4));
	ASSERT_EQ(0, memcmp(&r[3], "Vgen", 4));
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, 1, 0, r));
	leaf1_edx = r[3];
	vm_finalize(vm);
	vcpu = vm_add_vcpu(vm, 0, guest_cpuid_defaults);

	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(max_basic, uc.args[1]);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	/* Leaf 1 EDX as in the table. */
	EXPECT_EQ(leaf1_edx, uc.args[1]);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_LE(0x80000000u, uc.args[1]);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* RDI = VP index, RSI = VP count, stacks at the top of RAM. */
TEST(initial_state)
{
	struct vgen_sregs sregs;
	struct vcpu *vcpu[2];
	struct ucall uc;
	struct vm *vm;
	uint32_t i;

	REQUIRE_VGEN();
	vm = vm_create_proto(2, VM_DEFAULT_RAM_MIB);
	vm_finalize(vm);
	for (i = 0; i < 2; i++)
		vcpu[i] = vm_add_vcpu(vm, i, guest_vp_args);
	for (i = 0; i < 2; i++) {
		vcpu_sregs_get(vcpu[i], &sregs);
		EXPECT_EQ(0x80010011u, sregs.cr0);
		EXPECT_EQ(VGEN_IMAGE_PML4, sregs.cr3);
		EXPECT_EQ(0xd00u, sregs.efer);
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu[i], &uc));
		EXPECT_EQ(i, uc.args[0]);
		EXPECT_EQ(2, uc.args[1]);
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu[i], &uc));
		EXPECT_GT(vm->ram_size - i * VGEN_IMAGE_STACK_SIZE, uc.args[0]);
		EXPECT_LT(vm->ram_size - (i + 1) * VGEN_IMAGE_STACK_SIZE,
			  uc.args[0]);
		vcpu_run_to_done(vcpu[i]);
	}
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
