// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions delivered to guest handlers (#UD, #DE, #GP, #PF with CR2 and
 * error codes after the guest edits its own page tables) and a triple
 * fault without an IDT.
 */
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "exception_test.h"

static void run_guest(struct __test_metadata *_metadata, void *guest)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	vm = vm_create_with_vcpu(guest, &vcpu);
	vcpu_run(vcpu);
	if (ucall_decode(vcpu, &uc) == UCALL_ASSERT)
		ucall_report_assert(vcpu, &uc);
	if (vcpu->run->exit_reason == VGEN_EXIT_HLT) {
		struct exc_info info;

		memcpy(&info, addr_gpa2hva(vm, (uintptr_t)&exc_info),
		       sizeof(info));
		TH_LOG("unexpected guest exception %" PRIu64 " error 0x%"
		       PRIx64 " at rip 0x%" PRIx64 " cr2 0x%" PRIx64,
		       info.vector, info.error, info.rip, info.cr2);
	}
	ASSERT_EQ(UCALL_DONE, ucall_decode(vcpu, &uc)) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	vm_destroy(vm);
}

TEST(ud)
{
	run_guest(_metadata, guest_ud);
}

TEST(de)
{
	run_guest(_metadata, guest_de);
}

TEST(gp)
{
	run_guest(_metadata, guest_gp);
}

TEST(pf)
{
	run_guest(_metadata, guest_pf);
}

TEST(cpl3)
{
	run_guest(_metadata, guest_cpl3);
}

TEST(triple_fault)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	vm = vm_create_with_vcpu(guest_triple_fault, &vcpu);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_SHUTDOWN, vcpu->run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
