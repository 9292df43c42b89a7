/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side helpers for the interrupt selftests (apic_test, irq_abi_test):
 * raw wrappers of the VGEN_CAP_IRQCHIP ioctls, MSI encoding, VMs with a
 * chosen partition configuration, and access to the guest's irq_state[].
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

/* Raw ioctls: the ioctl's result or -errno. */
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
 * tests state what they need on the proto-partition (@proto_fd):
 * cpuid_set_leaf1_ecx() sets @bits, cpuid_clear_leaf1_ecx() clears them.
 */
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
void cpuid_set_leaf1_ecx(int proto_fd, uint32_t bits);
void cpuid_clear_leaf1_ecx(int proto_fd, uint32_t bits);

/* The guest's irq_state[vp] in guest memory. */
volatile struct irq_vp_state *guest_irq_state(struct vm *vm, uint32_t vp);

/* Host pointer to a guest global. */
#define GUEST_PTR(vm, g)						\
	((volatile __typeof__(g) *)addr_gpa2hva(vm,			\
						 (uint64_t)(uintptr_t)&(g)))

#endif
