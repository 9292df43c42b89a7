// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvgen: the partition's interrupt interface (the model's request_msi,
 * IOAPIC routing and pulse_lint). Arguments are checked here; the backend
 * does the delivery.
 */
#include "config.h"
#include <errno.h>
#include "internal.h"

VGEN_EXPORT int vgen_partition_request_msi(struct vgen_partition *part,
					   uint32_t vtl, uint64_t address,
					   uint32_t data)
{
	if (!part || vtl != 0)
		return -EINVAL;
	return VGEN_CALL_OPT(part->vm.ops, request_msi, &part->vm, address,
			     data);
}

VGEN_EXPORT int vgen_partition_set_irq_route(struct vgen_partition *part,
					     uint32_t irq,
					     const struct vgen_msi_message *msi)
{
	if (!part || irq >= VGEN_IOAPIC_PINS)
		return -EINVAL;
	return VGEN_CALL_OPT(part->vm.ops, set_irq_route, &part->vm, irq, msi);
}

VGEN_EXPORT int vgen_partition_assert_irq(struct vgen_partition *part,
					  uint32_t irq)
{
	if (!part || irq >= VGEN_IOAPIC_PINS)
		return -EINVAL;
	return VGEN_CALL_OPT(part->vm.ops, assert_irq, &part->vm, irq);
}

VGEN_EXPORT int vgen_partition_pulse_lint(struct vgen_partition *part,
					  uint32_t vp_index, uint32_t vtl,
					  uint32_t lint)
{
	if (!part || vp_index >= part->vm.vp_count || vtl != 0 || lint > 1)
		return -EINVAL;
	return VGEN_CALL_OPT(part->vm.ops, pulse_lint, part, vp_index, lint);
}
