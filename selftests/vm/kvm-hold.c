// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hold - keep one KVM VM with one vCPU (no in-kernel irqchip) alive
 * for the whole test-VM run (started by selftests/vm/vgen-vm's init once
 * KVM is loaded).
 *
 * Creating the first KVM VM (and the first vCPU without an in-kernel
 * APIC) enables static keys that hot scheduler paths test
 * (preempt_notifier_key, kvm_has_noapic_vcpu); destroying the last one
 * disables them again. Each change live-patches kernel text with int3
 * breakpoints, which under QEMU's TCG can race with the other vCPU and
 * crash the kernel ("Oops: int3" in __schedule). Holding one VM keeps the
 * keys enabled, so the tests' VMs change nothing.
 *
 * Exit status 0 once the VM exists (a child process keeps it until the
 * VM powers off), 1 if it cannot be created.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

int main(void)
{
	int kvm, vm, vcpu;
	pid_t pid;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		perror("kvm-hold: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm-hold: KVM_CREATE_VM");
		return 1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvm-hold: KVM_CREATE_VCPU");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("kvm-hold: fork");
		return 1;
	}
	if (pid > 0)
		return 0;
	setsid();
	for (;;)
		pause();
}
