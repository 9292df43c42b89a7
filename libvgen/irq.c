// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvgen: the partition's interrupt interface (the model's request_msi,
 * IOAPIC routing and pulse_lint). Arguments are checked here; the backend
 * does the delivery.
 */
#include "config.h"
#include <errno.h>
#include "internal.h"

/* MSI address/data bits that must be zero, and the reserved delivery mode. */
#define VGEN_MSI_ADDR_RESERVED	(~0xffffffffULL | 0x13ULL)
#define VGEN_MSI_DATA_RESERVED	(0xffff0000U | 0x3800U)
#define VGEN_MSI_DM_RESERVED	3

int vgen_msi_check(uint64_t address, uint32_t data)
{
	uint32_t dm = (data >> VGEN_MSI_DATA_DM_SHIFT) & 7;

	if ((address & VGEN_MSI_ADDR_BASE_MASK) != VGEN_MSI_ADDR_BASE ||
	    (address & VGEN_MSI_ADDR_RESERVED) ||
	    (data & VGEN_MSI_DATA_RESERVED) || dm == VGEN_MSI_DM_RESERVED)
		return -EINVAL;
	return dm == VGEN_MSI_DM_SMI ? -EOPNOTSUPP : 0;
}

/* A partition without an in-kernel APIC has no interrupt interface. */
static bool vgen_no_irqchip(struct vgen_partition *part)
{
	return part->vm.flags & VGEN_PROTO_USER_MODE_APIC;
}

VGEN_EXPORT int vgen_partition_request_msi(struct vgen_partition *part,
					   uint32_t vtl, uint64_t address,
					   uint32_t data)
{
	if (!part || vtl != 0)
		return -EINVAL;
	if (vgen_no_irqchip(part))
		return -ENXIO;
	return VGEN_CALL_OPT(part->vm.ops, request_msi, &part->vm, address,
			     data);
}

VGEN_EXPORT int vgen_partition_set_irq_route(struct vgen_partition *part,
					     uint32_t irq,
					     const struct vgen_msi_message *msi)
{
	if (!part || irq >= VGEN_IOAPIC_PINS)
		return -EINVAL;
	if (vgen_no_irqchip(part))
		return -ENXIO;
	return VGEN_CALL_OPT(part->vm.ops, set_irq_route, &part->vm, irq, msi);
}

VGEN_EXPORT int vgen_partition_assert_irq(struct vgen_partition *part,
					  uint32_t irq)
{
	if (!part || irq >= VGEN_IOAPIC_PINS)
		return -EINVAL;
	if (vgen_no_irqchip(part))
		return -ENXIO;
	return VGEN_CALL_OPT(part->vm.ops, assert_irq, &part->vm, irq);
}

VGEN_EXPORT int vgen_partition_pulse_lint(struct vgen_partition *part,
					  uint32_t vp_index, uint32_t vtl,
					  uint32_t lint)
{
	if (!part || vp_index >= part->vm.vp_count || vtl != 0 || lint > 1)
		return -EINVAL;
	if (vgen_no_irqchip(part))
		return -ENXIO;
	return VGEN_CALL_OPT(part->vm.ops, pulse_lint, part, vp_index, lint);
}
