// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: the vgen backend (the /dev/vgen ioctls of <linux/vgen.h>). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "internal.h"

#define VGEN_DEVICE_PATH "/dev/vgen"

/* hv->priv of this backend: the run page size (VGEN_GET_RUN_SIZE). */
struct vgen_be_hv {
	long run_size;
};

static int vgen_be_open(struct vgen_hypervisor *hv)
{
	int fd = open(VGEN_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	hv->fd = fd;
	return 0;
}

static void vgen_be_close(struct vgen_hypervisor *hv)
{
	close(hv->fd);
}

static int vgen_be_check_cap(struct vgen_hypervisor *hv, uint32_t cap,
			     uint64_t *value)
{
	long ret = vgen_sys_ioctl(hv->fd, VGEN_CHECK_CAP, cap);

	if (ret < 0)
		return (int)ret;
	*value = (uint64_t)ret;
	return 0;
}

/* vm->priv: the run page size. */
static int vgen_be_new_partition(struct vgen_hypervisor *hv,
				 const struct vgen_proto_config *cfg,
				 struct vgen_vm *vm)
{
	struct vgen_partition_config kcfg;
	struct vgen_be_hv *p;
	long ret, run_size;

	run_size = vgen_sys_ioctl(hv->fd, VGEN_GET_RUN_SIZE, 0);
	if (run_size < 0)
		return (int)run_size;
	if (run_size < (long)sizeof(struct vgen_run))
		return -EPROTO;

	memset(&kcfg, 0, sizeof(kcfg));
	kcfg.vp_count = cfg->vp_count;
	kcfg.isolation = cfg->isolation;
	kcfg.backend = VGEN_BACKEND_AUTO;
	kcfg.apic_ids = (uintptr_t)cfg->apic_ids;
	if (cfg->flags & VGEN_PROTO_USER_MODE_APIC)
		kcfg.flags |= VGEN_PARTITION_USER_MODE_APIC;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = vgen_sys_ioctl(hv->fd, VGEN_CREATE_PARTITION,
			     (unsigned long)&kcfg);
	if (ret < 0) {
		free(p);
		return (int)ret;
	}
	p->run_size = run_size;
	vm->fd = (int)ret;
	vm->priv = p;
	return 0;
}

static void vgen_be_destroy(struct vgen_vm *vm)
{
	close(vm->fd);
	free(vm->priv);
}

/* Read the whole CPUID table; *out is malloc'd. */
static int vgen_be_get_table(struct vgen_vm *vm, struct vgen_cpuid **out)
{
	uint32_t cap = 64;
	struct vgen_cpuid *t = NULL;
	long ret;

	for (;;) {
		t = calloc(1, sizeof(*t) + cap * sizeof(t->entries[0]));
		if (!t)
			return -ENOMEM;
		t->nent = cap;
		ret = vgen_sys_ioctl(vm->fd, VGEN_GET_CPUID, (unsigned long)t);
		if (ret == 0) {
			*out = t;
			return 0;
		}
		if (ret != -E2BIG || t->nent <= cap ||
		    t->nent > VGEN_MAX_CPUID_ENTRIES) {
			free(t);
			return ret == -E2BIG ? -EPROTO : (int)ret;
		}
		cap = t->nent;
		free(t);
	}
}

static int vgen_be_get_cpuid(struct vgen_vm *vm, uint32_t eax, uint32_t ecx,
			     uint32_t out[4])
{
	struct vgen_cpuid *t = NULL;
	uint32_t i;
	int ret;

	ret = vgen_be_get_table(vm, &t);
	if (ret)
		return ret;
	memset(out, 0, 4 * sizeof(uint32_t));
	for (i = 0; i < t->nent; i++) {
		const struct vgen_cpuid_entry *e = &t->entries[i];

		if (e->function != eax)
			continue;
		if ((e->flags & VGEN_CPUID_SIGNIFICANT_INDEX) &&
		    e->index != ecx)
			continue;
		memcpy(out, e->result, 4 * sizeof(uint32_t));
		break;
	}
	free(t);
	return 0;
}

static int vgen_be_set_cpuid(struct vgen_vm *vm,
			     const struct vgen_cpuid_leaf *leaves, size_t n)
{
	struct vgen_cpuid *t = NULL;
	size_t i;
	long ret;

	t = calloc(1, sizeof(*t) + n * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	t->nent = (uint32_t)n;
	for (i = 0; i < n; i++) {
		struct vgen_cpuid_entry *e = &t->entries[i];

		e->function = leaves[i].function;
		if (leaves[i].index != VGEN_CPUID_INDEX_ANY) {
			e->index = leaves[i].index;
			e->flags = VGEN_CPUID_SIGNIFICANT_INDEX;
		}
		memcpy(e->result, leaves[i].result, sizeof(e->result));
		memcpy(e->mask, leaves[i].mask, sizeof(e->mask));
	}
	ret = vgen_sys_ioctl(vm->fd, VGEN_SET_CPUID, (unsigned long)t);
	free(t);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_set_memory(struct vgen_vm *vm, uint32_t slot,
			      uint64_t gpa, uint64_t size, void *host_va,
			      uint32_t flags)
{
	struct vgen_memory_region r;
	long ret;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = (flags & VGEN_MEMORY_READONLY) ? VGEN_MEM_READONLY : 0;
	r.guest_phys_addr = gpa;
	r.size = size;
	r.userspace_addr = (uintptr_t)host_va;
	ret = vgen_sys_ioctl(vm->fd, VGEN_SET_MEMORY_REGION, (unsigned long)&r);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_build(struct vgen_vm *vm)
{
	long ret = vgen_sys_ioctl(vm->fd, VGEN_FINALIZE, 0);

	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_request_yield(struct vgen_partition *part,
				 uint32_t vp_index)
{
	struct vgen_yield y = { .vp_index = vp_index };
	long ret;

	ret = vgen_sys_ioctl(part->vm.fd, VGEN_REQUEST_YIELD,
			     (unsigned long)&y);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_request_msi(struct vgen_vm *vm, uint64_t address,
			       uint32_t data)
{
	struct vgen_msi m = { .address = address, .data = data };
	long ret;

	ret = vgen_sys_ioctl(vm->fd, VGEN_SIGNAL_MSI, (unsigned long)&m);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_set_irq_route(struct vgen_vm *vm, uint32_t irq,
				 const struct vgen_msi_message *msi)
{
	struct vgen_irq_route r = { .irq = irq };
	long ret;

	if (msi) {
		r.flags = VGEN_IRQ_ROUTE_MSI;
		r.address = msi->address;
		r.data = msi->data;
	}
	ret = vgen_sys_ioctl(vm->fd, VGEN_SET_IRQ_ROUTE, (unsigned long)&r);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_assert_irq(struct vgen_vm *vm, uint32_t irq)
{
	struct vgen_irq q = { .irq = irq };
	long ret;

	ret = vgen_sys_ioctl(vm->fd, VGEN_ASSERT_IRQ, (unsigned long)&q);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_pulse_lint(struct vgen_partition *part, uint32_t vp_index,
			      uint32_t lint)
{
	struct vgen_lint l = { .vp_index = vp_index, .lint = lint };
	long ret;

	ret = vgen_sys_ioctl(part->vm.fd, VGEN_PULSE_LINT, (unsigned long)&l);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_ioeventfd(struct vgen_vm *vm, const struct vgen_doorbell *db,
			     bool assign)
{
	struct vgen_ioeventfd e;
	long ret;

	memset(&e, 0, sizeof(e));
	e.addr = db->addr;
	e.len = db->len;
	e.fd = (uint32_t)db->eventfd;
	if (db->flags & VGEN_DOORBELL_PIO)
		e.flags |= VGEN_IOEVENTFD_PIO;
	if (db->flags & VGEN_DOORBELL_DATAMATCH) {
		e.flags |= VGEN_IOEVENTFD_DATAMATCH;
		e.datamatch = db->value;
	}
	if (!assign)
		e.flags |= VGEN_IOEVENTFD_DEASSIGN;
	ret = vgen_sys_ioctl(vm->fd, VGEN_IOEVENTFD, (unsigned long)&e);
	/* A kernel without VGEN_CAP_IOEVENTFD. */
	if (ret == -ENOTTY)
		return -EOPNOTSUPP;
	return ret < 0 ? (int)ret : 0;
}

/* Remove the binding of intr->efd, if any. */
static int vgen_be_irqfd_unbind(struct vgen_vm *vm,
				struct vgen_msi_interrupt *intr)
{
	struct vgen_irqfd f;
	long ret;

	if (!intr->bound)
		return 0;
	memset(&f, 0, sizeof(f));
	f.fd = (uint32_t)intr->efd;
	f.flags = VGEN_IRQFD_DEASSIGN;
	ret = vgen_sys_ioctl(vm->fd, VGEN_IRQFD, (unsigned long)&f);
	if (ret < 0)
		return (int)ret;
	intr->bound = false;
	return 0;
}

/*
 * A binding cannot be changed in place: unbind, drop the signals made
 * while nothing was bound (KVM drops them too: an irqfd without a route
 * delivers nothing), bind to the new MSI.
 */
static int vgen_be_msi_irqfd(struct vgen_vm *vm,
			     struct vgen_msi_interrupt *intr,
			     const struct vgen_msi_message *msi)
{
	struct vgen_irqfd f;
	uint64_t stale;
	long ret;

	if (!msi && !intr->bound) {
		/* Probe: -ENOENT (nothing bound) means VGEN_IRQFD exists. */
		memset(&f, 0, sizeof(f));
		f.fd = (uint32_t)intr->efd;
		f.flags = VGEN_IRQFD_DEASSIGN;
		ret = vgen_sys_ioctl(vm->fd, VGEN_IRQFD, (unsigned long)&f);
		if (ret == -ENOTTY)
			return -EOPNOTSUPP;
		return ret == -ENOENT || ret == 0 ? 0 : (int)ret;
	}
	ret = vgen_be_irqfd_unbind(vm, intr);
	if (ret || !msi)
		return (int)ret;
	while (read(intr->efd, &stale, sizeof(stale)) == sizeof(stale))
		;
	memset(&f, 0, sizeof(f));
	f.fd = (uint32_t)intr->efd;
	f.flags = VGEN_IRQFD_MSI;
	f.address = msi->address;
	f.data = msi->data;
	ret = vgen_sys_ioctl(vm->fd, VGEN_IRQFD, (unsigned long)&f);
	/* A kernel without VGEN_CAP_IRQFD. */
	if (ret == -ENOTTY)
		return -EOPNOTSUPP;
	if (ret < 0)
		return (int)ret;
	intr->bound = true;
	return 0;
}

static void vgen_be_msi_irqfd_free(struct vgen_vm *vm,
				   struct vgen_msi_interrupt *intr)
{
	(void)vgen_be_irqfd_unbind(vm, intr);
}

/* proc->priv: the mapped length of the run page. */
static int vgen_be_create_vp(struct vgen_binder *binder,
			     struct vgen_processor *proc)
{
	struct vgen_be_hv *p = binder->part->vm.priv;
	struct vgen_create_vp cv;
	void *run;
	long ret;

	memset(&cv, 0, sizeof(cv));
	cv.vp_index = binder->index;
	ret = vgen_sys_ioctl(binder->part->vm.fd, VGEN_CREATE_VP,
			     (unsigned long)&cv);
	if (ret < 0)
		return (int)ret;
	proc->fd = (int)ret;
	run = mmap(NULL, (size_t)p->run_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, proc->fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		close(proc->fd);
		/* The kernel VP exists now: the index cannot be bound again. */
		return (int)ret;
	}
	proc->run = run;
	return 0;
}

static void vgen_be_destroy_vp(struct vgen_processor *proc)
{
	struct vgen_be_hv *p = proc->binder->part->vm.priv;

	munmap(proc->run, (size_t)p->run_size);
	close(proc->fd);
}

/* Is the exit in the run page a read that the next VGEN_RUN completes? */
static bool vgen_exit_is_read(const struct vgen_run *run)
{
	switch (run->exit_reason) {
	case VGEN_EXIT_IO:
		return run->io.direction == VGEN_EXIT_IO_IN;
	case VGEN_EXIT_MMIO:
		return !run->mmio.is_write;
	default:
		return false;
	}
}

static int vgen_be_run(struct vgen_processor *proc)
{
	long ret = vgen_sys_ioctl(proc->fd, VGEN_RUN, 0);

	/* Both mean the previous read was completed and a new exit is set. */
	if (ret == 0 || ret == -EINTR)
		proc->pending_completion = vgen_exit_is_read(proc->run);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_vp_ioctl(struct vgen_processor *proc, unsigned long req,
			    const void *arg)
{
	long ret = vgen_sys_ioctl(proc->fd, req, (unsigned long)arg);

	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_get_regs(struct vgen_processor *proc,
			    struct vgen_regs *regs)
{
	return vgen_be_vp_ioctl(proc, VGEN_GET_REGS, regs);
}

static int vgen_be_set_regs(struct vgen_processor *proc,
			    const struct vgen_regs *regs)
{
	return vgen_be_vp_ioctl(proc, VGEN_SET_REGS, regs);
}

static int vgen_be_get_sregs(struct vgen_processor *proc,
			     struct vgen_sregs *sregs)
{
	return vgen_be_vp_ioctl(proc, VGEN_GET_SREGS, sregs);
}

static int vgen_be_set_sregs(struct vgen_processor *proc,
			     const struct vgen_sregs *sregs)
{
	return vgen_be_vp_ioctl(proc, VGEN_SET_SREGS, sregs);
}

/* Header and entries of one VGEN_GET_MSRS / VGEN_SET_MSRS call. */
union vgen_msrs_buf {
	struct vgen_msrs hdr;
	uint8_t bytes[sizeof(struct vgen_msrs) +
		      VGEN_MAX_MSR_ENTRIES * sizeof(struct vgen_msr_entry)];
};

static int vgen_be_msrs(struct vgen_processor *proc, unsigned long req,
			struct vgen_msr_entry *e, unsigned int n)
{
	union vgen_msrs_buf buf;
	long ret;

	memset(&buf.hdr, 0, sizeof(buf.hdr));
	buf.hdr.nmsrs = n;
	if (n)
		memcpy(buf.hdr.entries, e, n * sizeof(*e));
	ret = vgen_sys_ioctl(proc->fd, req, (unsigned long)&buf);
	if (ret < 0)
		return (int)ret;
	if (req == VGEN_GET_MSRS && n)
		memcpy(e, buf.hdr.entries, n * sizeof(*e));
	return 0;
}

static int vgen_be_get_msrs(struct vgen_processor *proc,
			    struct vgen_msr_entry *e, unsigned int n)
{
	return vgen_be_msrs(proc, VGEN_GET_MSRS, e, n);
}

static int vgen_be_set_msrs(struct vgen_processor *proc,
			    const struct vgen_msr_entry *e, unsigned int n)
{
	return vgen_be_msrs(proc, VGEN_SET_MSRS, (struct vgen_msr_entry *)e,
			    n);
}

static int vgen_be_get_lapic(struct vgen_processor *proc,
			     struct vgen_lapic_state *s)
{
	return vgen_be_vp_ioctl(proc, VGEN_GET_LAPIC, s);
}

static int vgen_be_set_lapic(struct vgen_processor *proc,
			     const struct vgen_lapic_state *s)
{
	return vgen_be_vp_ioctl(proc, VGEN_SET_LAPIC, s);
}

static int vgen_be_get_vp_events(struct vgen_processor *proc,
				 struct vgen_vp_events *ev)
{
	return vgen_be_vp_ioctl(proc, VGEN_GET_VP_EVENTS, ev);
}

static int vgen_be_set_vp_events(struct vgen_processor *proc,
				 const struct vgen_vp_events *ev)
{
	return vgen_be_vp_ioctl(proc, VGEN_SET_VP_EVENTS, ev);
}

static int vgen_be_reset_vp(struct vgen_processor *proc)
{
	struct vgen_reset r;

	memset(&r, 0, sizeof(r));
	return vgen_be_vp_ioctl(proc, VGEN_RESET_VP, &r);
}

static int vgen_be_reset_partition(struct vgen_partition *part)
{
	struct vgen_reset r;
	long ret;

	memset(&r, 0, sizeof(r));
	ret = vgen_sys_ioctl(part->vm.fd, VGEN_RESET_PARTITION,
			     (unsigned long)&r);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_be_set_guest_debug(struct vgen_processor *proc,
				   const struct vgen_guest_debug *gd)
{
	return vgen_be_vp_ioctl(proc, VGEN_SET_GUEST_DEBUG, gd);
}

static int vgen_be_get_debugregs(struct vgen_processor *proc,
				 struct vgen_debugregs *dr)
{
	return vgen_be_vp_ioctl(proc, VGEN_GET_DEBUGREGS, dr);
}

static int vgen_be_set_debugregs(struct vgen_processor *proc,
				 const struct vgen_debugregs *dr)
{
	return vgen_be_vp_ioctl(proc, VGEN_SET_DEBUGREGS, dr);
}

const struct vgen_backend_ops vgen_backend_vgen = {
	.name = "vgen",
	.open = vgen_be_open,
	.close = vgen_be_close,
	.check_cap = vgen_be_check_cap,
	.new_partition = vgen_be_new_partition,
	.destroy = vgen_be_destroy,
	.get_cpuid = vgen_be_get_cpuid,
	.set_cpuid = vgen_be_set_cpuid,
	.set_memory = vgen_be_set_memory,
	.build = vgen_be_build,
	.request_yield = vgen_be_request_yield,
	.create_vp = vgen_be_create_vp,
	.destroy_vp = vgen_be_destroy_vp,
	.run = vgen_be_run,
	.get_regs = vgen_be_get_regs,
	.set_regs = vgen_be_set_regs,
	.get_sregs = vgen_be_get_sregs,
	.set_sregs = vgen_be_set_sregs,
	.get_msrs = vgen_be_get_msrs,
	.set_msrs = vgen_be_set_msrs,
	.request_msi = vgen_be_request_msi,
	.set_irq_route = vgen_be_set_irq_route,
	.assert_irq = vgen_be_assert_irq,
	.pulse_lint = vgen_be_pulse_lint,
	.ioeventfd = vgen_be_ioeventfd,
	.msi_irqfd = vgen_be_msi_irqfd,
	.msi_irqfd_free = vgen_be_msi_irqfd_free,
	.get_lapic = vgen_be_get_lapic,
	.set_lapic = vgen_be_set_lapic,
	.get_vp_events = vgen_be_get_vp_events,
	.set_vp_events = vgen_be_set_vp_events,
	.reset_vp = vgen_be_reset_vp,
	.reset_partition = vgen_be_reset_partition,
	.set_guest_debug = vgen_be_set_guest_debug,
	.get_debugregs = vgen_be_get_debugregs,
	.set_debugregs = vgen_be_set_debugregs,
};
