// SPDX-License-Identifier: GPL-2.0
/* Host-side helpers for the interrupt selftests; see irq_host.h. */
#include <errno.h>
#include <sys/mman.h>
#include "irq_host.h"

bool have_irqchip(void)
{
	int fd = vgen_open_dev();
	long cap;

	if (fd < 0)
		return false;
	cap = __vgen_ioctl_val(fd, VGEN_CHECK_CAP, VGEN_CAP_IRQCHIP);
	close(fd);
	return cap > 0;
}

long signal_msi(int part_fd, uint64_t address, uint32_t data)
{
	struct vgen_msi m;

	memset(&m, 0, sizeof(m));
	m.address = address;
	m.data = data;
	return __vgen_ioctl(part_fd, VGEN_SIGNAL_MSI, &m);
}

long set_irq_route(int part_fd, uint32_t irq, uint64_t address,
		   uint32_t data)
{
	struct vgen_irq_route r;

	memset(&r, 0, sizeof(r));
	r.irq = irq;
	r.flags = address ? VGEN_IRQ_ROUTE_MSI : 0;
	r.address = address;
	r.data = data;
	return __vgen_ioctl(part_fd, VGEN_SET_IRQ_ROUTE, &r);
}

long assert_irq(int part_fd, uint32_t irq)
{
	struct vgen_irq i;

	memset(&i, 0, sizeof(i));
	i.irq = irq;
	return __vgen_ioctl(part_fd, VGEN_ASSERT_IRQ, &i);
}

long pulse_lint(int part_fd, uint32_t vp, uint32_t lint)
{
	struct vgen_lint l;

	memset(&l, 0, sizeof(l));
	l.vp_index = vp;
	l.lint = lint;
	return __vgen_ioctl(part_fd, VGEN_PULSE_LINT, &l);
}

long get_lapic(int vp_fd, struct vgen_lapic_state *s)
{
	memset(s, 0, sizeof(*s));
	return __vgen_ioctl(vp_fd, VGEN_GET_LAPIC, s);
}

long set_lapic(int vp_fd, const struct vgen_lapic_state *s)
{
	return __vgen_ioctl(vp_fd, VGEN_SET_LAPIC, s);
}

static void raw_cpuid_leaf1_ecx(int proto_fd, uint32_t mask, uint32_t val)
{
	struct {
		struct vgen_cpuid hdr;
		struct vgen_cpuid_entry e[1];
	} c;
	long r;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 1;
	c.e[0].function = 1;
	c.e[0].result[2] = val;
	c.e[0].mask[2] = mask;
	r = __vgen_ioctl(proto_fd, VGEN_SET_CPUID, &c);
	TEST_ASSERT(r == 0, "VGEN_SET_CPUID: %ld", r);
}

void raw_cpuid_set_leaf1_ecx(int proto_fd, uint32_t bits)
{
	raw_cpuid_leaf1_ecx(proto_fd, bits, bits);
}

void raw_cpuid_clear_leaf1_ecx(int proto_fd, uint32_t bits)
{
	raw_cpuid_leaf1_ecx(proto_fd, bits, 0);
}

static void cpuid_leaf1_ecx(struct vm *vm, uint32_t mask, uint32_t val)
{
	struct vgen_cpuid_leaf l;
	int r;

	memset(&l, 0, sizeof(l));
	l.function = 1;
	l.index = VGEN_CPUID_INDEX_ANY;	/* leaf 1 has no subleaves */
	l.result[2] = val;
	l.mask[2] = mask;
	TEST_ASSERT(vm->proto, "CPUID after vm_finalize()");
	r = vgen_proto_set_cpuid(vm->proto, &l, 1);
	TEST_ASSERT(r == 0, "vgen_proto_set_cpuid: %d", r);
}

void cpuid_set_leaf1_ecx(struct vm *vm, uint32_t bits)
{
	cpuid_leaf1_ecx(vm, bits, bits);
}

void cpuid_clear_leaf1_ecx(struct vm *vm, uint32_t bits)
{
	cpuid_leaf1_ecx(vm, bits, 0);
}

int backend_irqchip(const char *backend)
{
	struct vgen_hypervisor *hv;
	uint64_t cap = 0;
	int r = vgen_hypervisor_open(backend, &hv);

	if (r)
		return r;
	r = vgen_hypervisor_check_cap(hv, VGEN_CAP_IRQCHIP, &cap);
	vgen_hypervisor_close(hv);
	if (r)
		return r;
	return cap ? 0 : -ENODEV;
}

int vm_request_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	return vgen_partition_request_msi(vm->part, 0, address, data);
}

int vm_set_irq_route(struct vm *vm, uint32_t irq, uint64_t address,
		     uint32_t data)
{
	struct vgen_msi_message m = { .address = address, .data = data };

	return vgen_partition_set_irq_route(vm->part, irq,
					    address ? &m : NULL);
}

int vm_assert_irq(struct vm *vm, uint32_t irq)
{
	return vgen_partition_assert_irq(vm->part, irq);
}

int vm_pulse_lint(struct vm *vm, uint32_t vp, uint32_t lint)
{
	return vgen_partition_pulse_lint(vm->part, vp, 0, lint);
}

int vcpu_get_lapic(struct vcpu *vcpu, struct vgen_lapic_state *s)
{
	memset(s, 0, sizeof(*s));
	return vgen_processor_get_lapic(vcpu->proc, s);
}

int vcpu_set_lapic(struct vcpu *vcpu, const struct vgen_lapic_state *s)
{
	return vgen_processor_set_lapic(vcpu->proc, s);
}

bool vm_is_kvm(struct vm *vm)
{
	return !strcmp(vgen_hypervisor_backend_name(vm->hv), "kvm");
}

volatile struct irq_vp_state *guest_irq_state(struct vm *vm, uint32_t vp)
{
	TEST_ASSERT(vp < IRQ_MAX_VPS, "bad VP %u", vp);
	return addr_gpa2hva(vm, (uint64_t)(uintptr_t)&irq_state[vp]);
}
