/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side helpers for the interrupt selftests: MSI encoding, the
 * interrupt interface through libvgen on the test VM's backend (vgen or
 * KVM; apic_test), raw wrappers of the VGEN_CAP_IRQCHIP ioctls for the
 * ABI tests of the vgen module (irq_abi_test, irqfd_test), and access to
 * the guest's irq_state[].
 */
#ifndef VGEN_SELFTEST_IRQ_HOST_H
#define VGEN_SELFTEST_IRQ_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include "vgen_test.h"
#include "irq_common.h"

/* Skip the test unless /dev/vgen exists and has VGEN_CAP_IRQCHIP. */
#define REQUIRE_IRQCHIP()						\
	do {								\
		if (!have_irqchip())					\
			SKIP(return, "VGEN_CAP_IRQCHIP not supported");	\
	} while (0)

bool have_irqchip(void);

static inline uint64_t msi_addr(uint32_t dest, bool logical, bool rh)
{
	return VGEN_MSI_ADDR_BASE | ((uint64_t)(dest & 0xff) <<
				     VGEN_MSI_ADDR_DEST_SHIFT) |
	       (logical ? VGEN_MSI_ADDR_DM_LOGICAL : 0) |
	       (rh ? VGEN_MSI_ADDR_RH : 0);
}

static inline uint32_t msi_data(uint8_t vector, uint32_t dm, bool level_trig)
{
	return vector | (dm << VGEN_MSI_DATA_DM_SHIFT) |
	       (level_trig ? VGEN_MSI_DATA_TRIGGER_LEVEL | VGEN_MSI_DATA_LEVEL :
			     0);
}

/*
 * @backend ("vgen", "kvm") opens and has VGEN_CAP_IRQCHIP: 0, -errno of
 * vgen_hypervisor_open(), or -ENODEV if the capability is 0.
 */
int backend_irqchip(const char *backend);

/*
 * Through libvgen on @vm's backend (vgen_partition_request_msi() etc.):
 * 0 or -errno. The library does not say whether an APIC accepted the MSI
 * (0 also when nothing was delivered): the guest checks what arrived.
 */
int vm_request_msi(struct vm *vm, uint64_t address, uint32_t data);
int vm_set_irq_route(struct vm *vm, uint32_t irq, uint64_t address,
		     uint32_t data);	/* address 0: unrouted */
int vm_assert_irq(struct vm *vm, uint32_t irq);
int vm_pulse_lint(struct vm *vm, uint32_t vp, uint32_t lint);
/* vgen_processor_get/set_lapic(): only on the VP's own thread. */
int vcpu_get_lapic(struct vcpu *vcpu, struct vgen_lapic_state *s);
int vcpu_set_lapic(struct vcpu *vcpu, const struct vgen_lapic_state *s);
/* The VM's backend is KVM. */
bool vm_is_kvm(struct vm *vm);

/* Raw vgen ioctls on vgen fds: the ioctl's result or -errno. */
long signal_msi(int part_fd, uint64_t address, uint32_t data);
long set_irq_route(int part_fd, uint32_t irq, uint64_t address,
		   uint32_t data);	/* address 0: unrouted */
long assert_irq(int part_fd, uint32_t irq);
long pulse_lint(int part_fd, uint32_t vp, uint32_t lint);
long get_lapic(int vp_fd, struct vgen_lapic_state *s);
long set_lapic(int vp_fd, const struct vgen_lapic_state *s);

static inline uint32_t lapic_reg(const struct vgen_lapic_state *s,
				 uint32_t off)
{
	uint32_t v;

	memcpy(&v, &s->regs[off], 4);
	return v;
}

static inline void lapic_set_reg(struct vgen_lapic_state *s, uint32_t off,
				 uint32_t v)
{
	memcpy(&s->regs[off], &v, 4);
}

/* vm_create_proto_cfg() (flags and APIC IDs) is in vgen_test.h. */

/*
 * CPUID.1:ECX x2APIC (21) and TSC-deadline (24): the in-kernel APIC offers
 * those features only when the partition's CPUID table has them, so the
 * tests state what they need on the proto-partition @vm (before
 * vm_finalize(), with vgen_proto_set_cpuid()): cpuid_set_leaf1_ecx()
 * sets @bits, cpuid_clear_leaf1_ecx() clears them.
 */
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
void cpuid_set_leaf1_ecx(struct vm *vm, uint32_t bits);
void cpuid_clear_leaf1_ecx(struct vm *vm, uint32_t bits);
/* The same with the raw VGEN_SET_CPUID on a vgen partition fd. */
void raw_cpuid_set_leaf1_ecx(int proto_fd, uint32_t bits);
void raw_cpuid_clear_leaf1_ecx(int proto_fd, uint32_t bits);

/* The guest's irq_state[vp] in guest memory. */
volatile struct irq_vp_state *guest_irq_state(struct vm *vm, uint32_t vp);

/* Host pointer to a guest global. */
#define GUEST_PTR(vm, g)						\
	((volatile __typeof__(g) *)addr_gpa2hva(vm,			\
						 (uint64_t)(uintptr_t)&(g)))

#endif
