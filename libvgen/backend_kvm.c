// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvgen: the KVM backend (/dev/kvm).
 *
 * The same model as the vgen backend, on a KVM VM with KVM's split
 * irqchip (local APICs in the kernel, the IOAPIC in the VMM) unless the
 * partition is a VGEN_PROTO_USER_MODE_APIC one (no irqchip at all):
 *  - the proto-partition's CPUID table starts as KVM_GET_SUPPORTED_CPUID
 *    and is kept here; each vCPU gets it (with its APIC ID filled in) with
 *    KVM_SET_CPUID2 when it is bound;
 *  - memory ranges are KVM memory slots (slot number = libvgen's slot);
 *  - each processor has a struct vgen_run of its own (the page the API
 *    exposes) into which KVM's exits are translated; IN and MMIO read
 *    data the VMM stores there is copied into kvm_run before the next
 *    KVM_RUN. String I/O (one KVM exit with count > 1) is reported one
 *    element per exit, as vgen does;
 *  - yield: a per-VP flag plus a signal (VGEN_KVM_KICK_SIGNAL) sent to
 *    the VP thread while it is inside the run call. The signal is blocked
 *    in the bound thread and unblocked only inside KVM_RUN
 *    (KVM_SET_SIGNAL_MASK), so a kick racing with the entry makes
 *    KVM_RUN return -EINTR at once, and is consumed with sigtimedwait().
 *  - interrupts: MSIs are KVM_SIGNAL_MSI; the IOAPIC routing table is kept
 *    here and mirrored into KVM's GSI routing (GSIs 0..23: KVM needs the
 *    level-triggered routes to know which EOIs end KVM_RUN with
 *    KVM_EXIT_IOAPIC_EOI); an assert is a KVM_SIGNAL_MSI of the line's
 *    current route. MSI interrupt targets with an eventfd get a GSI
 *    (VGEN_KVM_MSI_GSI_BASE + n) with an MSI route and KVM_IRQFD. LINT
 *    pulses are queued per VP (lint_pending plus the kick) and handled
 *    by the VP thread before its next KVM_RUN, after reading the LVT
 *    entry with KVM_GET_LAPIC: fixed -> an MSI to the VP's own APIC ID,
 *    NMI -> KVM_NMI, ExtINT (LINT0) -> request_interrupt_window until
 *    KVM says the VP can take it, then VGEN_EXIT_EXTINT; the vector the
 *    VMM stores in the run page is injected with KVM_INTERRUPT.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "internal.h"

#define VGEN_KVM_DEVICE_PATH	"/dev/kvm"
/* The yield kick; documented in vgen.h. */
#define VGEN_KVM_KICK_SIGNAL	(SIGRTMAX - 1)
/* Where the (Intel-only) real-mode TSS goes: 3 pages below 4 GiB - 256K. */
#define VGEN_KVM_TSS_ADDR	0xfffbd000UL
/* The MSRs libvgen supports (the vgen set, see struct vgen_msrs). */
static const uint32_t vgen_kvm_msrs[] = {
	0x10, 0x174, 0x175, 0x176, 0x277, 0xc0000081, 0xc0000082,
	0xc0000083, 0xc0000084, 0xc0000102, 0xc0000103,
	/* MTRRs: MTRRCAP, DEF_TYPE, variable pairs, fixed ranges. */
	0xfe, 0x2ff, 0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
	0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f,
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d,
	0x26e, 0x26f,
};
/* vgen's IA32_MTRRCAP (VCNT 8, FIX, WC), which KVM reports too. */
#define VGEN_KVM_MTRRCAP	0x508ULL
/* vgen's MAXPHYADDR for the MTRR value rules. */
#define VGEN_KVM_PHYS_MASK	((1ULL << 40) - 1)

/* MSI interrupt targets with an eventfd: GSIs after the IOAPIC's. */
#define VGEN_KVM_MSI_GSI_BASE	VGEN_IOAPIC_PINS
#define VGEN_KVM_MAX_MSI_GSIS	VGEN_MAX_IRQFDS
/* xAPIC register offsets in struct kvm_lapic_state. */
#define VGEN_KVM_APIC_ID	0x20
#define VGEN_KVM_APIC_LVT0	0x350
#define VGEN_KVM_APIC_LVT1	0x360
#define VGEN_KVM_LVT_MASKED	(1U << 16)

/* One CPUID leaf of the table (KVM's layout without the padding). */
struct vgen_kvm_leaf {
	uint32_t function;
	uint32_t index;
	uint32_t flags;		/* KVM_CPUID_FLAG_SIGNIFCANT_INDEX */
	uint32_t regs[4];
};

/* hv->priv */
struct vgen_kvm_hv {
	long vcpu_mmap_size;
	uint32_t nsupported;
	struct vgen_kvm_leaf supported[VGEN_MAX_CPUID_ENTRIES];
};

/* One GSI route (an IOAPIC line or an MSI interrupt target's GSI). */
struct vgen_kvm_route {
	bool used;		/* MSI target GSIs: allocated */
	bool routed;		/* has an MSI route */
	struct vgen_msi_message msi;
};

/* vm->priv */
struct vgen_kvm_vm {
	long vcpu_mmap_size;
	uint32_t *apic_ids;
	/* KVM's split irqchip is enabled (no VGEN_PROTO_USER_MODE_APIC). */
	bool irqchip;
	/* Protects @ioapic and @gsis and serializes KVM_SET_GSI_ROUTING. */
	pthread_mutex_t route_lock;
	struct vgen_kvm_route ioapic[VGEN_IOAPIC_PINS];
	struct vgen_kvm_route gsis[VGEN_KVM_MAX_MSI_GSIS];
	uint32_t nleaves;
	struct vgen_kvm_leaf leaves[VGEN_MAX_CPUID_ENTRIES];
};

/* What the VMM must store in the run page for the pending exit. */
enum vgen_kvm_read {
	VGEN_KVM_READ_NONE,
	VGEN_KVM_READ_IO,
	VGEN_KVM_READ_MMIO,
};

/* proc->priv */
struct vgen_kvm_vcpu {
	struct kvm_run *kr;
	size_t kr_size;
	struct vgen_run run;		/* the run page of the API */
	/* String I/O being reported element by element. */
	uint32_t io_cur, io_count;
	enum vgen_kvm_read read;
	/* Yield requested (atomic; set by any thread, cleared by the VP). */
	int yield_pending;
	/* The VP thread is inside vgen_kvm_run() (atomic). */
	int in_run;
	pthread_t thread;
	/* LINT pulses to handle, bit n = LINTn (atomic; set by any thread). */
	int lint_pending;
	/* The rest is used by the VP thread only. */
	bool irqchip;
	/* An ExtINT (LINT0 pulse in ExtINT mode) waits for the VP. */
	bool extint_pending;
	/* VGEN_EXIT_EXTINT reported: the next run injects run->extint. */
	bool extint_ack;
	/* kr->ready_for_interrupt_injection describes the current state. */
	bool ready_valid;
	/* An execute breakpoint exit was reported: set RFLAGS.RF next run. */
	bool bp_resume;
};

/* Set by the kick handler if the kick is ever delivered (it is blocked
 * outside KVM_RUN, so normally it is consumed with sigtimedwait()). */
static __thread volatile sig_atomic_t vgen_kvm_kicked
	__attribute__((tls_model("initial-exec")));

static void vgen_kvm_kick_handler(int sig)
{
	(void)sig;
	vgen_kvm_kicked = 1;
}

static pthread_once_t vgen_kvm_sig_once = PTHREAD_ONCE_INIT;
static int vgen_kvm_sig_err;

static void vgen_kvm_install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vgen_kvm_kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(VGEN_KVM_KICK_SIGNAL, &sa, NULL))
		vgen_kvm_sig_err = -errno;
}

/* ------------------------------------------------------------------ */
/* Hypervisor */

static int vgen_kvm_get_supported(struct vgen_hypervisor *hv,
				  struct vgen_kvm_hv *p)
{
	struct kvm_cpuid2 *c;
	uint32_t i, n = VGEN_MAX_CPUID_ENTRIES;
	long ret;

	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = n;
	ret = vgen_sys_ioctl(hv->fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)c);
	if (ret < 0) {
		free(c);
		/* More leaves than a vgen table holds. */
		return ret == -E2BIG ? -EPROTO : (int)ret;
	}
	p->nsupported = c->nent;
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		struct vgen_kvm_leaf *l = &p->supported[i];

		l->function = e->function;
		l->index = e->index;
		l->flags = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		l->regs[0] = e->eax;
		l->regs[1] = e->ebx;
		l->regs[2] = e->ecx;
		l->regs[3] = e->edx;
	}
	free(c);
	return 0;
}

static int vgen_kvm_open(struct vgen_hypervisor *hv)
{
	struct vgen_kvm_hv *p;
	long ret;
	int fd;

	fd = open(VGEN_KVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	hv->fd = fd;
	ret = vgen_sys_ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		ret = ret < 0 ? ret : -EPROTO;
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		ret = -ENOMEM;
		goto fail;
	}
	p->vcpu_mmap_size = vgen_sys_ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (p->vcpu_mmap_size < (long)sizeof(struct kvm_run)) {
		ret = p->vcpu_mmap_size < 0 ? p->vcpu_mmap_size : -EPROTO;
		free(p);
		goto fail;
	}
	ret = vgen_kvm_get_supported(hv, p);
	if (ret) {
		free(p);
		goto fail;
	}
	hv->priv = p;
	return 0;
fail:
	close(fd);
	return (int)ret;
}

static void vgen_kvm_close(struct vgen_hypervisor *hv)
{
	close(hv->fd);
	free(hv->priv);
}

static long vgen_kvm_ext(struct vgen_hypervisor *hv, long cap)
{
	long ret = vgen_sys_ioctl(hv->fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

/* Split irqchip, MSIs and GSI routing: what the interrupt API needs. */
static bool vgen_kvm_has_irqchip(struct vgen_hypervisor *hv)
{
	return vgen_kvm_ext(hv, KVM_CAP_SPLIT_IRQCHIP) &&
	       vgen_kvm_ext(hv, KVM_CAP_SIGNAL_MSI) &&
	       vgen_kvm_ext(hv, KVM_CAP_IRQ_ROUTING);
}

static int vgen_kvm_check_cap(struct vgen_hypervisor *hv, uint32_t cap,
			      uint64_t *value)
{
	long v;

	switch (cap) {
	case VGEN_CAP_MAX_VPS:
		v = vgen_kvm_ext(hv, KVM_CAP_MAX_VCPUS);
		if (!v)
			v = vgen_kvm_ext(hv, KVM_CAP_NR_VCPUS);
		*value = v > VGEN_MAX_VPS ? VGEN_MAX_VPS : (uint64_t)v;
		break;
	case VGEN_CAP_MEMORY_REGIONS:
		v = vgen_kvm_ext(hv, KVM_CAP_NR_MEMSLOTS);
		*value = v > VGEN_MAX_MEMORY_REGIONS ?
			 VGEN_MAX_MEMORY_REGIONS : (uint64_t)v;
		break;
	case VGEN_CAP_READONLY_MEM:
		*value = vgen_kvm_ext(hv, KVM_CAP_READONLY_MEM) ? 1 : 0;
		break;
	case VGEN_CAP_CPUID_ENTRIES:
		*value = VGEN_MAX_CPUID_ENTRIES;
		break;
	case VGEN_CAP_IMMEDIATE_EXIT:
		*value = vgen_kvm_ext(hv, KVM_CAP_IMMEDIATE_EXIT) ? 1 : 0;
		break;
	case VGEN_CAP_YIELD:
		*value = 1;
		break;
	case VGEN_CAP_MSRS:
		*value = VGEN_MAX_MSR_ENTRIES;
		break;
	case VGEN_CAP_IRQCHIP:
		*value = vgen_kvm_has_irqchip(hv) ? 1 : 0;
		break;
	case VGEN_CAP_IOAPIC_PINS:
		*value = vgen_kvm_has_irqchip(hv) ? VGEN_IOAPIC_PINS : 0;
		break;
	case VGEN_CAP_IRQFD:
		*value = vgen_kvm_has_irqchip(hv) &&
			 vgen_kvm_ext(hv, KVM_CAP_IRQFD) ? 1 : 0;
		break;
	case VGEN_CAP_IOEVENTFD:
		*value = vgen_kvm_ext(hv, KVM_CAP_IOEVENTFD) ? 1 : 0;
		break;
	case VGEN_CAP_GUEST_DEBUG:
		*value = vgen_kvm_ext(hv, KVM_CAP_SET_GUEST_DEBUG) &&
			 vgen_kvm_ext(hv, KVM_CAP_DEBUGREGS) ? 1 : 0;
		break;
	default:
		/* VGEN_CAP_SOFTWARE_VP and unknown capabilities. */
		*value = 0;
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Partition */

static int vgen_kvm_check_apic_ids(struct vgen_hypervisor *hv,
				   const struct vgen_proto_config *cfg)
{
	long max_id = vgen_kvm_ext(hv, KVM_CAP_MAX_VCPU_ID);
	uint32_t i, j;

	if (!cfg->apic_ids)
		return cfg->vp_count > (uint64_t)max_id && max_id ?
		       -EINVAL : 0;
	for (i = 0; i < cfg->vp_count; i++) {
		if (cfg->apic_ids[i] == 0xffffffffU ||
		    (max_id && cfg->apic_ids[i] >= (uint64_t)max_id))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (cfg->apic_ids[i] == cfg->apic_ids[j])
				return -EINVAL;
	}
	return 0;
}

static void vgen_kvm_destroy(struct vgen_vm *vm);

static int vgen_kvm_new_partition(struct vgen_hypervisor *hv,
				  const struct vgen_proto_config *cfg,
				  struct vgen_vm *vm)
{
	struct vgen_kvm_hv *hp = hv->priv;
	struct kvm_enable_cap cap;
	struct vgen_kvm_vm *p;
	uint64_t max_vps;
	uint32_t i;
	long ret;

	vgen_kvm_check_cap(hv, VGEN_CAP_MAX_VPS, &max_vps);
	if (!cfg->vp_count || cfg->vp_count > max_vps)
		return -EINVAL;
	if (cfg->isolation > VGEN_ISOLATION_TDX)
		return -EINVAL;
	if (cfg->isolation != VGEN_ISOLATION_NONE)
		return -EOPNOTSUPP;
	ret = vgen_kvm_check_apic_ids(hv, cfg);
	if (ret)
		return (int)ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->apic_ids = calloc(cfg->vp_count, sizeof(p->apic_ids[0]));
	if (!p->apic_ids) {
		free(p);
		return -ENOMEM;
	}
	for (i = 0; i < cfg->vp_count; i++)
		p->apic_ids[i] = cfg->apic_ids ? cfg->apic_ids[i] : i;
	p->vcpu_mmap_size = hp->vcpu_mmap_size;
	p->nleaves = hp->nsupported;
	memcpy(p->leaves, hp->supported, hp->nsupported * sizeof(p->leaves[0]));

	ret = vgen_sys_ioctl(hv->fd, KVM_CREATE_VM, 0);
	if (ret < 0) {
		free(p->apic_ids);
		free(p);
		return (int)ret;
	}
	vm->fd = (int)ret;
	vm->priv = p;
	pthread_mutex_init(&p->route_lock, NULL);
	/* Needed by Intel VMX only; AMD ignores it. */
	(void)vgen_sys_ioctl(vm->fd, KVM_SET_TSS_ADDR, VGEN_KVM_TSS_ADDR);
	/*
	 * VP 0 is the BSP (IA32_APIC_BASE.BSP, as on vgen); KVM's BSP is the
	 * vCPU with id 0 unless told, and the vCPU id is the APIC ID.
	 */
	if (p->apic_ids[0] && vgen_kvm_ext(hv, KVM_CAP_SET_BOOT_CPU_ID)) {
		ret = vgen_sys_ioctl(vm->fd, KVM_SET_BOOT_CPU_ID,
				     p->apic_ids[0]);
		if (ret < 0) {
			vgen_kvm_destroy(vm);
			return (int)ret;
		}
	}
	if (cfg->flags & VGEN_PROTO_USER_MODE_APIC)
		return 0;
	if (!vgen_kvm_has_irqchip(hv)) {
		/* VGEN_CAP_IRQCHIP is 0: a partition without an APIC. */
		vm->flags |= VGEN_PROTO_USER_MODE_APIC;
		return 0;
	}
	/* Before any vCPU exists: in-kernel local APICs, IOAPIC in the VMM. */
	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_SPLIT_IRQCHIP;
	cap.args[0] = VGEN_IOAPIC_PINS;
	ret = vgen_sys_ioctl(vm->fd, KVM_ENABLE_CAP, (unsigned long)&cap);
	if (ret < 0) {
		vgen_kvm_destroy(vm);
		return (int)ret;
	}
	/*
	 * LVT LINT0 masked after reset like every LVT entry (SDM; vgen), not
	 * KVM's default of ExtINT on the BSP. Older KVMs without the quirk
	 * control keep theirs.
	 */
	if (vgen_kvm_ext(hv, KVM_CAP_DISABLE_QUIRKS)) {
		memset(&cap, 0, sizeof(cap));
		cap.cap = KVM_CAP_DISABLE_QUIRKS;
		cap.args[0] = KVM_X86_QUIRK_LINT0_REENABLED;
		ret = vgen_sys_ioctl(vm->fd, KVM_ENABLE_CAP,
				     (unsigned long)&cap);
		if (ret < 0) {
			vgen_kvm_destroy(vm);
			return (int)ret;
		}
	}
	p->irqchip = true;
	return 0;
}

static void vgen_kvm_destroy(struct vgen_vm *vm)
{
	struct vgen_kvm_vm *p = vm->priv;

	close(vm->fd);
	pthread_mutex_destroy(&p->route_lock);
	free(p->apic_ids);
	free(p);
}

/* The leaf (@fn, @idx) matches: exact significant index, else any. */
static struct vgen_kvm_leaf *vgen_kvm_find(struct vgen_kvm_vm *p,
					   uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < p->nleaves; i++) {
		struct vgen_kvm_leaf *l = &p->leaves[i];

		if (l->function != fn)
			continue;
		if ((l->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    l->index != idx)
			continue;
		return l;
	}
	return NULL;
}

static int vgen_kvm_get_cpuid(struct vgen_vm *vm, uint32_t eax, uint32_t ecx,
			      uint32_t out[4])
{
	struct vgen_kvm_leaf *l = vgen_kvm_find(vm->priv, eax, ecx);

	if (l)
		memcpy(out, l->regs, sizeof(l->regs));
	else
		memset(out, 0, 4 * sizeof(uint32_t));
	return 0;
}

static int vgen_kvm_set_cpuid(struct vgen_vm *vm,
			      const struct vgen_cpuid_leaf *leaves, size_t n)
{
	struct vgen_kvm_vm *p = vm->priv;
	struct vgen_kvm_leaf *tmp;
	uint32_t nent = p->nleaves, i, r;
	size_t k;

	/* Merge into a copy: all or nothing. */
	tmp = malloc(sizeof(p->leaves));
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, p->leaves, sizeof(p->leaves));
	for (k = 0; k < n; k++) {
		const struct vgen_cpuid_leaf *in = &leaves[k];
		bool sig = in->index != VGEN_CPUID_INDEX_ANY;
		struct vgen_kvm_leaf *l = NULL;

		for (i = 0; i < nent; i++) {
			bool lsig = tmp[i].flags &
				    KVM_CPUID_FLAG_SIGNIFCANT_INDEX;

			if (tmp[i].function == in->function && sig == lsig &&
			    (!sig || tmp[i].index == in->index)) {
				l = &tmp[i];
				break;
			}
		}
		if (!l) {
			if (nent == VGEN_MAX_CPUID_ENTRIES) {
				free(tmp);
				return -E2BIG;
			}
			l = &tmp[nent++];
			memset(l, 0, sizeof(*l));
			l->function = in->function;
			l->index = sig ? in->index : 0;
			l->flags = sig ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
		}
		for (r = 0; r < 4; r++)
			l->regs[r] = (l->regs[r] & ~in->mask[r]) |
				     (in->result[r] & in->mask[r]);
	}
	memcpy(p->leaves, tmp, sizeof(p->leaves));
	p->nleaves = nent;
	free(tmp);
	return 0;
}

static int vgen_kvm_set_memory(struct vgen_vm *vm, uint32_t slot,
			       uint64_t gpa, uint64_t size, void *host_va,
			       uint32_t flags)
{
	struct kvm_userspace_memory_region r;
	long ret;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = (flags & VGEN_MEMORY_READONLY) ? KVM_MEM_READONLY : 0;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uintptr_t)host_va;
	ret = vgen_sys_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION,
			     (unsigned long)&r);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_kvm_build(struct vgen_vm *vm)
{
	(void)vm;
	return 0;
}

static int vgen_kvm_request_yield(struct vgen_partition *part,
				  uint32_t vp_index)
{
	struct vgen_processor *proc;
	struct vgen_kvm_vcpu *v;

	proc = __atomic_load_n(&part->binders[vp_index].proc,
			       __ATOMIC_ACQUIRE);
	if (!proc)
		return -ENOENT;
	v = proc->priv;
	/*
	 * Dekker with vgen_kvm_run(): flag, then in_run there; in_run, then
	 * flag here. Either the VP sees the flag before KVM_RUN or we see it
	 * inside and kick it (the kick then ends KVM_RUN at once even if it
	 * arrives before the entry). Only the false->true transition kicks.
	 */
	if (__atomic_exchange_n(&v->yield_pending, 1, __ATOMIC_SEQ_CST))
		return 0;
	if (__atomic_load_n(&v->in_run, __ATOMIC_SEQ_CST))
		pthread_kill(v->thread, VGEN_KVM_KICK_SIGNAL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Interrupts (split irqchip) */

/*
 * vgen's MSI rules, plus what KVM without KVM_CAP_X2APIC_API cannot
 * express: an extended destination ID (address bits 11:5).
 */
static int vgen_kvm_msi_check(uint64_t address, uint32_t data)
{
	int ret = vgen_msi_check(address, data);

	if (ret)
		return ret;
	if ((address >> VGEN_MSI_ADDR_EXT_DEST_SHIFT) & 0x7f)
		return -EOPNOTSUPP;
	return 0;
}

/* KVM_SIGNAL_MSI: 0 (also when no APIC took it) or -errno. */
static int vgen_kvm_signal_msi(int vm_fd, uint64_t address, uint32_t data)
{
	struct kvm_msi m;
	long ret;

	memset(&m, 0, sizeof(m));
	m.address_lo = (uint32_t)address;
	m.data = data;
	ret = vgen_sys_ioctl(vm_fd, KVM_SIGNAL_MSI, (unsigned long)&m);
	/* KVM's "no destination" is -1, i.e. -EPERM. */
	if (ret == -EPERM)
		return 0;
	return ret < 0 ? (int)ret : 0;
}

static int vgen_kvm_request_msi(struct vgen_vm *vm, uint64_t address,
				uint32_t data)
{
	struct vgen_kvm_vm *p = vm->priv;
	int ret;

	if (!p->irqchip)
		return -ENXIO;
	ret = vgen_kvm_msi_check(address, data);
	if (ret)
		return ret;
	return vgen_kvm_signal_msi(vm->fd, address, data);
}

static void vgen_kvm_route_entry(struct kvm_irq_routing_entry *e,
				 uint32_t gsi, const struct vgen_msi_message *m)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (uint32_t)m->address;
	e->u.msi.address_hi = 0;
	e->u.msi.data = m->data;
}

/* Hand the whole routing table to KVM. Called with route_lock held. */
static int vgen_kvm_push_routes(struct vgen_vm *vm)
{
	struct vgen_kvm_vm *p = vm->priv;
	struct kvm_irq_routing *r;
	uint32_t i, n = 0;
	long ret;

	r = calloc(1, sizeof(*r) + (VGEN_IOAPIC_PINS + VGEN_KVM_MAX_MSI_GSIS) *
		   sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < VGEN_IOAPIC_PINS; i++)
		if (p->ioapic[i].routed)
			vgen_kvm_route_entry(&r->entries[n++], i,
					     &p->ioapic[i].msi);
	for (i = 0; i < VGEN_KVM_MAX_MSI_GSIS; i++)
		if (p->gsis[i].used && p->gsis[i].routed)
			vgen_kvm_route_entry(&r->entries[n++],
					     VGEN_KVM_MSI_GSI_BASE + i,
					     &p->gsis[i].msi);
	r->nr = n;
	ret = vgen_sys_ioctl(vm->fd, KVM_SET_GSI_ROUTING, (unsigned long)r);
	free(r);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_kvm_set_irq_route(struct vgen_vm *vm, uint32_t irq,
				  const struct vgen_msi_message *msi)
{
	struct vgen_kvm_vm *p = vm->priv;
	struct vgen_kvm_route old;
	int ret;

	if (!p->irqchip)
		return -ENXIO;
	if (msi) {
		ret = vgen_kvm_msi_check(msi->address, msi->data);
		if (ret)
			return ret;
	}
	pthread_mutex_lock(&p->route_lock);
	old = p->ioapic[irq];
	p->ioapic[irq].routed = msi != NULL;
	if (msi)
		p->ioapic[irq].msi = *msi;
	ret = vgen_kvm_push_routes(vm);
	if (ret)
		p->ioapic[irq] = old;
	pthread_mutex_unlock(&p->route_lock);
	return ret;
}

static int vgen_kvm_assert_irq(struct vgen_vm *vm, uint32_t irq)
{
	struct vgen_kvm_vm *p = vm->priv;
	struct vgen_kvm_route r;

	if (!p->irqchip)
		return -ENXIO;
	pthread_mutex_lock(&p->route_lock);
	r = p->ioapic[irq];
	pthread_mutex_unlock(&p->route_lock);
	if (!r.routed)
		return 0;
	return vgen_kvm_signal_msi(vm->fd, r.msi.address, r.msi.data);
}

static int vgen_kvm_pulse_lint(struct vgen_partition *part, uint32_t vp_index,
			       uint32_t lint)
{
	struct vgen_kvm_vm *p = part->vm.priv;
	struct vgen_processor *proc;
	struct vgen_kvm_vcpu *v;

	if (!p->irqchip)
		return -ENXIO;
	proc = __atomic_load_n(&part->binders[vp_index].proc,
			       __ATOMIC_ACQUIRE);
	if (!proc)
		return -ENOENT;
	v = proc->priv;
	/* As for a yield: the bit first, then in_run (see request_yield). */
	__atomic_or_fetch(&v->lint_pending, 1 << lint, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->in_run, __ATOMIC_SEQ_CST))
		pthread_kill(v->thread, VGEN_KVM_KICK_SIGNAL);
	return 0;
}

/* The LINT pulses in @bits, on the VP thread, by the LVT entries. */
static int vgen_kvm_do_lints(struct vgen_processor *proc, int bits)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct kvm_lapic_state st;
	uint32_t lint, lvt, id;
	int ret = 0;

	if (ioctl(proc->fd, KVM_GET_LAPIC, &st) < 0)
		return -errno;
	for (lint = 0; lint < 2; lint++) {
		if (!(bits & (1 << lint)))
			continue;
		memcpy(&lvt, &st.regs[lint ? VGEN_KVM_APIC_LVT1 :
				      VGEN_KVM_APIC_LVT0], 4);
		if (lvt & VGEN_KVM_LVT_MASKED)
			continue;
		switch ((lvt >> VGEN_MSI_DATA_DM_SHIFT) & 7) {
		case VGEN_MSI_DM_FIXED:
			/* The ID register holds the (x2)APIC ID in 31:24. */
			memcpy(&id, &st.regs[VGEN_KVM_APIC_ID], 4);
			id >>= 24;
			if ((lvt & 0xff) < 16 || id == 0xff)
				break;
			ret = vgen_kvm_signal_msi(proc->binder->part->vm.fd,
						  VGEN_MSI_ADDR_BASE |
						  (id << VGEN_MSI_ADDR_DEST_SHIFT),
						  lvt & 0xff);
			break;
		case VGEN_MSI_DM_NMI:
			if (ioctl(proc->fd, KVM_NMI, 0) < 0)
				ret = -errno;
			break;
		case VGEN_MSI_DM_EXTINT:
			if (lint == 0)
				v->extint_pending = true;
			break;
		default:
			/* SMI, INIT and reserved modes: no effect. */
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Before KVM_RUN on the VP thread: handle queued LINT pulses and the
 * ExtINT handshake. Returns 1 when VGEN_EXIT_EXTINT is to be reported now
 * (the VP can take the interrupt), 0 to enter, or -errno.
 */
static int vgen_kvm_irq_events(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	int bits, ret;

	bits = __atomic_exchange_n(&v->lint_pending, 0, __ATOMIC_SEQ_CST);
	if (bits) {
		ret = vgen_kvm_do_lints(proc, bits);
		if (ret)
			return ret;
	}
	if (!v->extint_pending) {
		v->kr->request_interrupt_window = 0;
		return 0;
	}
	if (!proc->pending_completion && v->ready_valid &&
	    v->kr->ready_for_interrupt_injection) {
		v->extint_pending = false;
		v->kr->request_interrupt_window = 0;
		return 1;
	}
	/* KVM_EXIT_IRQ_WINDOW_OPEN once the VP can take it. */
	v->kr->request_interrupt_window = 1;
	return 0;
}

/* Inject the vector the VMM supplied for the last VGEN_EXIT_EXTINT. */
static int vgen_kvm_extint_ack(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct kvm_interrupt irq;
	long ret;

	v->extint_ack = false;
	if (!v->run.extint.valid)
		return 0;
	memset(&irq, 0, sizeof(irq));
	irq.irq = v->run.extint.vector;
	ret = vgen_sys_ioctl(proc->fd, KVM_INTERRUPT, (unsigned long)&irq);
	v->ready_valid = false;
	return ret < 0 ? (int)ret : 0;
}

static int vgen_kvm_ioeventfd(struct vgen_vm *vm, const struct vgen_doorbell *db,
			      bool assign)
{
	struct kvm_ioeventfd e;
	long ret;

	memset(&e, 0, sizeof(e));
	e.addr = db->addr;
	e.len = db->len;
	e.fd = db->eventfd;
	if (db->flags & VGEN_DOORBELL_PIO)
		e.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (db->flags & VGEN_DOORBELL_DATAMATCH) {
		e.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
		e.datamatch = db->value;
	}
	if (!assign)
		e.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	ret = vgen_sys_ioctl(vm->fd, KVM_IOEVENTFD, (unsigned long)&e);
	return ret < 0 ? (int)ret : 0;
}

/* An MSI target's eventfd: KVM_IRQFD on its own GSI with an MSI route. */
static int vgen_kvm_msi_irqfd(struct vgen_vm *vm,
			      struct vgen_msi_interrupt *intr,
			      const struct vgen_msi_message *msi)
{
	struct vgen_kvm_vm *p = vm->priv;
	struct vgen_kvm_route old, *r;
	struct kvm_irqfd f;
	uint32_t i;
	long ret;

	if (!p->irqchip)
		return -ENXIO;
	if (msi) {
		ret = vgen_kvm_msi_check(msi->address, msi->data);
		if (ret)
			return (int)ret;
	}
	pthread_mutex_lock(&p->route_lock);
	if (!intr->bound) {
		for (i = 0; i < VGEN_KVM_MAX_MSI_GSIS && p->gsis[i].used; i++)
			;
		if (i == VGEN_KVM_MAX_MSI_GSIS) {
			pthread_mutex_unlock(&p->route_lock);
			return -ENOSPC;
		}
		intr->gsi = VGEN_KVM_MSI_GSI_BASE + i;
	}
	r = &p->gsis[intr->gsi - VGEN_KVM_MSI_GSI_BASE];
	old = *r;
	r->used = true;
	r->routed = msi != NULL;
	if (msi)
		r->msi = *msi;
	ret = vgen_kvm_push_routes(vm);
	if (ret)
		*r = old;
	pthread_mutex_unlock(&p->route_lock);
	if (ret || intr->bound)
		return (int)ret;

	memset(&f, 0, sizeof(f));
	f.fd = (uint32_t)intr->efd;
	f.gsi = intr->gsi;
	ret = vgen_sys_ioctl(vm->fd, KVM_IRQFD, (unsigned long)&f);
	if (ret < 0) {
		pthread_mutex_lock(&p->route_lock);
		memset(r, 0, sizeof(*r));
		(void)vgen_kvm_push_routes(vm);
		pthread_mutex_unlock(&p->route_lock);
		return ret == -ENOTTY ? -EOPNOTSUPP : (int)ret;
	}
	intr->bound = true;
	return 0;
}

static void vgen_kvm_msi_irqfd_free(struct vgen_vm *vm,
				    struct vgen_msi_interrupt *intr)
{
	struct vgen_kvm_vm *p = vm->priv;
	struct kvm_irqfd f;

	if (!intr->bound)
		return;
	memset(&f, 0, sizeof(f));
	f.fd = (uint32_t)intr->efd;
	f.gsi = intr->gsi;
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	(void)vgen_sys_ioctl(vm->fd, KVM_IRQFD, (unsigned long)&f);
	pthread_mutex_lock(&p->route_lock);
	memset(&p->gsis[intr->gsi - VGEN_KVM_MSI_GSI_BASE], 0,
	       sizeof(p->gsis[0]));
	(void)vgen_kvm_push_routes(vm);
	pthread_mutex_unlock(&p->route_lock);
	intr->bound = false;
}

/* ------------------------------------------------------------------ */
/* VPs */

static int vgen_kvm_set_cpuid2(struct vgen_kvm_vm *p, int fd,
			       uint32_t apic_id)
{
	struct kvm_cpuid2 *c;
	uint32_t i;
	long ret;

	c = calloc(1, sizeof(*c) + p->nleaves * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = p->nleaves;
	for (i = 0; i < p->nleaves; i++) {
		const struct vgen_kvm_leaf *l = &p->leaves[i];
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		e->function = l->function;
		e->index = l->index;
		e->flags = l->flags;
		e->eax = l->regs[0];
		e->ebx = l->regs[1];
		e->ecx = l->regs[2];
		e->edx = l->regs[3];
		/* This VP's initial APIC ID and x2APIC ID, as vgen does. */
		if (l->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) |
				 ((apic_id & 0xff) << 24);
		if (l->function == 0xb || l->function == 0x1f)
			e->edx = apic_id;
	}
	ret = vgen_sys_ioctl(fd, KVM_SET_CPUID2, (unsigned long)c);
	free(c);
	return ret < 0 ? (int)ret : 0;
}

/*
 * Block the kick in the calling thread and let KVM_RUN unblock it: the
 * vCPU's signal mask is the thread's mask without the kick.
 */
static int vgen_kvm_setup_signals(int fd)
{
	struct {
		struct kvm_signal_mask hdr;
		uint8_t set[8];
	} m;
	sigset_t kick, old;
	long ret;

	pthread_once(&vgen_kvm_sig_once, vgen_kvm_install_handler);
	if (vgen_kvm_sig_err)
		return vgen_kvm_sig_err;
	sigemptyset(&kick);
	sigaddset(&kick, VGEN_KVM_KICK_SIGNAL);
	ret = pthread_sigmask(SIG_BLOCK, &kick, &old);
	if (ret)
		return (int)-ret;
	sigdelset(&old, VGEN_KVM_KICK_SIGNAL);
	/* The kernel's sigset_t on x86-64 is the first 8 bytes of glibc's. */
	m.hdr.len = 8;
	memcpy(m.set, &old, 8);
	ret = vgen_sys_ioctl(fd, KVM_SET_SIGNAL_MASK, (unsigned long)&m);
	return ret < 0 ? (int)ret : 0;
}

static int vgen_kvm_create_vp(struct vgen_binder *binder,
			      struct vgen_processor *proc)
{
	struct vgen_kvm_vm *p = binder->part->vm.priv;
	uint32_t apic_id = p->apic_ids[binder->index];
	struct vgen_kvm_vcpu *v;
	void *kr;
	long ret;
	int fd;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = vgen_sys_ioctl(binder->part->vm.fd, KVM_CREATE_VCPU, apic_id);
	if (ret < 0) {
		free(v);
		return (int)ret;
	}
	fd = (int)ret;
	v->kr_size = (size_t)p->vcpu_mmap_size;
	kr = mmap(NULL, v->kr_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (kr == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	v->kr = kr;
	v->irqchip = p->irqchip;
	ret = vgen_kvm_set_cpuid2(p, fd, apic_id);
	if (!ret)
		ret = vgen_kvm_setup_signals(fd);
	if (!ret && p->irqchip) {
		/*
		 * With an in-kernel APIC, KVM starts APs waiting for INIT/SIPI;
		 * every VP of the model runs from creation (GUEST CONTRACT).
		 */
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		ret = (int)vgen_sys_ioctl(fd, KVM_SET_MP_STATE,
					  (unsigned long)&mp);
	}
	if (ret) {
		munmap(kr, v->kr_size);
		goto fail;
	}
	v->thread = pthread_self();
	proc->fd = fd;
	proc->run = &v->run;
	proc->priv = v;
	return 0;
fail:
	/* The KVM vCPU is gone with its fd, but its id stays used. */
	close(fd);
	free(v);
	return (int)ret;
}

/* Move a processor (not running) to the calling thread. */
static int vgen_kvm_rebind_vp(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	int ret;

	ret = vgen_kvm_setup_signals(proc->fd);
	if (ret)
		return ret;
	/*
	 * request_yield() reads the thread only while in_run is set, which
	 * only this (new) thread sets from now on.
	 */
	v->thread = pthread_self();
	return 0;
}

static void vgen_kvm_destroy_vp(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;

	munmap(v->kr, v->kr_size);
	close(proc->fd);
	free(v);
}

/* Consume kicks that arrived while the thread was not in KVM_RUN. */
static bool vgen_kvm_eat_kicks(void)
{
	struct timespec zero = { 0, 0 };
	bool kicked = vgen_kvm_kicked;
	sigset_t set;

	vgen_kvm_kicked = 0;
	sigemptyset(&set);
	sigaddset(&set, VGEN_KVM_KICK_SIGNAL);
	while (sigtimedwait(&set, NULL, &zero) == VGEN_KVM_KICK_SIGNAL)
		kicked = true;
	return kicked;
}

static uint8_t *vgen_kvm_io_data(struct vgen_kvm_vcpu *v, uint32_t elem)
{
	return (uint8_t *)v->kr + v->kr->io.data_offset +
	       (size_t)elem * v->kr->io.size;
}

/* Report element v->io_cur of the current (string) I/O exit. */
static void vgen_kvm_report_io(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct vgen_run *run = &v->run;
	uint32_t data = 0;

	run->exit_reason = VGEN_EXIT_IO;
	run->io.port = v->kr->io.port;
	run->io.size = v->kr->io.size;
	run->io.direction = v->kr->io.direction == KVM_EXIT_IO_OUT ?
			    VGEN_EXIT_IO_OUT : VGEN_EXIT_IO_IN;
	if (run->io.direction == VGEN_EXIT_IO_OUT) {
		memcpy(&data, vgen_kvm_io_data(v, v->io_cur), run->io.size);
		v->read = VGEN_KVM_READ_NONE;
	} else {
		v->read = VGEN_KVM_READ_IO;
	}
	run->io.data = data;
	proc->pending_completion = true;
}

static void vgen_kvm_internal(struct vgen_processor *proc, uint32_t suberror,
			      const uint64_t *data, uint32_t ndata)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct vgen_run *run = &v->run;
	struct kvm_regs regs;
	uint32_t i;

	run->exit_reason = VGEN_EXIT_INTERNAL_ERROR;
	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.suberror = suberror;
	run->internal.data[0] = 0;
	if (!ioctl(proc->fd, KVM_GET_REGS, &regs))
		run->internal.data[0] = regs.rip;
	for (i = 0; i < ndata && i + 1 < VGEN_INTERNAL_MAX_DATA; i++)
		run->internal.data[i + 1] = data[i];
	run->internal.ndata = i + 1;
}

/*
 * KVM_EXIT_DEBUG (#DB of KVM_SET_GUEST_DEBUG) as VGEN_EXIT_DEBUG: a
 * breakpoint if DR6 names one (the lowest), else a single step.
 */
static void vgen_kvm_report_debug(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct kvm_run *kr = v->kr;
	struct vgen_run *run = &v->run;
	uint64_t dr6 = kr->debug.arch.dr6, d[2];
	unsigned int n;

	if (kr->debug.arch.exception != 1) {
		d[0] = kr->exit_reason;
		d[1] = kr->debug.arch.exception;
		vgen_kvm_internal(proc, VGEN_INTERNAL_INVALID_STATE, d, 2);
		return;
	}
	run->exit_reason = VGEN_EXIT_DEBUG;
	memset(&run->debug, 0, sizeof(run->debug));
	run->debug.rip = kr->debug.arch.pc;
	for (n = 0; n < 4 && !(dr6 & (1ULL << n)); n++)
		;
	if (n < 4) {
		run->debug.type = VGEN_DEBUG_EXIT_BREAKPOINT;
		run->debug.breakpoint = n;
		run->debug.dr6 = 0xffff0ff0ULL | (1ULL << n);
		/* an execute breakpoint: run the instruction next time */
		if (!((kr->debug.arch.dr7 >> (16 + 4 * n)) & 3))
			v->bp_resume = true;
	} else {
		run->debug.type = VGEN_DEBUG_EXIT_SINGLE_STEP;
		run->debug.dr6 = 0xffff0ff0ULL | (1ULL << 14);
	}
}

/* Translate the KVM exit in kvm_run into the vgen run page. */
static void vgen_kvm_translate(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct kvm_run *kr = v->kr;
	struct vgen_run *run = &v->run;
	uint64_t d[2];

	proc->pending_completion = false;
	v->read = VGEN_KVM_READ_NONE;
	switch (kr->exit_reason) {
	case KVM_EXIT_IO:
		if (!kr->io.count || !kr->io.size || kr->io.size > 4 ||
		    kr->io.data_offset > v->kr_size ||
		    (size_t)kr->io.count * kr->io.size >
		    v->kr_size - kr->io.data_offset) {
			d[0] = kr->exit_reason;
			vgen_kvm_internal(proc, VGEN_INTERNAL_INVALID_STATE,
					  d, 1);
			break;
		}
		v->io_cur = 0;
		v->io_count = kr->io.count;
		vgen_kvm_report_io(proc);
		break;
	case KVM_EXIT_MMIO:
		run->exit_reason = VGEN_EXIT_MMIO;
		run->mmio.gpa = kr->mmio.phys_addr;
		run->mmio.size = kr->mmio.len;
		run->mmio.is_write = kr->mmio.is_write ? 1 : 0;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		if (kr->mmio.is_write)
			memcpy(run->mmio.data, kr->mmio.data,
			       sizeof(run->mmio.data));
		else
			v->read = VGEN_KVM_READ_MMIO;
		proc->pending_completion = true;
		break;
	case KVM_EXIT_HLT:
		run->exit_reason = VGEN_EXIT_HLT;
		break;
	case KVM_EXIT_IOAPIC_EOI:
		run->exit_reason = VGEN_EXIT_EOI;
		memset(&run->eoi, 0, sizeof(run->eoi));
		run->eoi.vector = kr->eoi.vector;
		break;
	case KVM_EXIT_DEBUG:
		vgen_kvm_report_debug(proc);
		break;
	case KVM_EXIT_SHUTDOWN:
		run->exit_reason = VGEN_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		d[0] = kr->exit_reason;
		d[1] = kr->fail_entry.hardware_entry_failure_reason;
		vgen_kvm_internal(proc, VGEN_INTERNAL_INVALID_STATE, d, 2);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vgen_kvm_internal(proc,
				  kr->internal.suberror ==
				  KVM_INTERNAL_ERROR_EMULATION ?
				  VGEN_INTERNAL_EMULATION_FAILURE :
				  VGEN_INTERNAL_INVALID_STATE,
				  (const uint64_t *)kr->internal.data,
				  kr->internal.ndata > 16 ? 16 :
				  kr->internal.ndata);
		break;
	default:
		d[0] = kr->exit_reason;
		vgen_kvm_internal(proc, VGEN_INTERNAL_INVALID_STATE, d, 1);
		break;
	}
}

/* KVM_RUN; returns 0 or -errno (-EINTR: KVM_EXIT_INTR). */
static int vgen_kvm_enter(struct vgen_processor *proc, uint8_t imm)
{
	struct vgen_kvm_vcpu *v = proc->priv;

	v->kr->immediate_exit = imm;
	if (ioctl(proc->fd, KVM_RUN, 0) < 0)
		return -errno;
	return 0;
}

static void vgen_kvm_set_exit(struct vgen_processor *proc, uint32_t reason)
{
	struct vgen_kvm_vcpu *v = proc->priv;

	v->run.exit_reason = reason;
	v->read = VGEN_KVM_READ_NONE;
	proc->pending_completion = false;
}

static int vgen_kvm_run(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct vgen_run *run = &v->run;
	uint8_t imm;
	int ret;

	if (run->flags)
		return -EINVAL;
	/* Hand the data of the previous IN / MMIO read to KVM. */
	if (v->read == VGEN_KVM_READ_IO)
		memcpy(vgen_kvm_io_data(v, v->io_cur), &run->io.data,
		       run->io.size);
	else if (v->read == VGEN_KVM_READ_MMIO)
		memcpy(v->kr->mmio.data, run->mmio.data,
		       sizeof(v->kr->mmio.data));
	v->read = VGEN_KVM_READ_NONE;
	/* The next element of a string I/O, before anything else. */
	if (v->io_count && ++v->io_cur < v->io_count) {
		vgen_kvm_report_io(proc);
		return 0;
	}
	v->io_count = 0;
	if (v->extint_ack) {
		ret = vgen_kvm_extint_ack(proc);
		if (ret)
			return ret;
	}

	if (v->bp_resume) {
		struct kvm_regs regs;

		v->bp_resume = false;
		if (ioctl(proc->fd, KVM_GET_REGS, &regs) < 0)
			return -errno;
		regs.rflags |= 1ULL << 16;	/* RF */
		if (ioctl(proc->fd, KVM_SET_REGS, &regs) < 0)
			return -errno;
	}

	imm = __atomic_load_n(&run->immediate_exit, __ATOMIC_RELAXED);
	run->exit_reason = VGEN_EXIT_UNKNOWN;
	__atomic_store_n(&v->in_run, 1, __ATOMIC_SEQ_CST);
	if (!imm && __atomic_load_n(&v->yield_pending, __ATOMIC_SEQ_CST)) {
		/* Complete a pending exit first, then report the yield. */
		if (proc->pending_completion) {
			ret = vgen_kvm_enter(proc, 1);
			if (ret == 0) {
				/* Completing it made another exit. */
				vgen_kvm_translate(proc);
				goto out;
			}
			if (ret != -EINTR)
				goto out;
		}
		__atomic_store_n(&v->yield_pending, 0, __ATOMIC_SEQ_CST);
		vgen_kvm_set_exit(proc, VGEN_EXIT_YIELD);
		ret = 0;
		goto out;
	}
	for (;;) {
		if (v->irqchip && !imm) {
			ret = vgen_kvm_irq_events(proc);
			if (ret < 0)
				goto out;
			if (ret > 0) {
				vgen_kvm_set_exit(proc, VGEN_EXIT_EXTINT);
				memset(&run->extint, 0, sizeof(run->extint));
				v->extint_ack = true;
				ret = 0;
				goto out;
			}
		}
		ret = vgen_kvm_enter(proc, imm);
		if (ret == 0 || ret == -EINTR)
			v->ready_valid = true;
		if (ret == 0 && v->kr->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN) {
			/* The ExtINT window: reported by the loop's top. */
			proc->pending_completion = false;
			v->read = VGEN_KVM_READ_NONE;
			continue;
		}
		if (ret != -EINTR)
			break;
		/* Something ended KVM_RUN before or in the guest. */
		if (imm) {
			vgen_kvm_set_exit(proc, VGEN_EXIT_INTR);
			goto out;
		}
		proc->pending_completion = false;
		v->read = VGEN_KVM_READ_NONE;
		if (vgen_kvm_eat_kicks() || __atomic_load_n(&v->yield_pending,
							     __ATOMIC_SEQ_CST)) {
			if (__atomic_exchange_n(&v->yield_pending, 0,
						__ATOMIC_SEQ_CST)) {
				vgen_kvm_set_exit(proc, VGEN_EXIT_YIELD);
				ret = 0;
				goto out;
			}
			/*
			 * A LINT pulse (handled at the top) or a stale kick
			 * of a yield already reported.
			 */
			continue;
		}
		vgen_kvm_set_exit(proc, VGEN_EXIT_INTR);
		goto out;
	}
	if (ret == 0) {
		vgen_kvm_translate(proc);
	} else {
		proc->pending_completion = false;
		v->read = VGEN_KVM_READ_NONE;
	}
out:
	__atomic_store_n(&v->in_run, 0, __ATOMIC_SEQ_CST);
	return ret;
}

/*
 * Setting state while an exit is pending: complete the exit first (with
 * the data in the run page for a read), so that KVM's completion does not
 * overwrite the new state later. vgen instead drops the pending read.
 */
static int vgen_kvm_flush(struct vgen_processor *proc)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	int i, ret;

	for (i = 0; i < 16 && proc->pending_completion; i++) {
		if (v->read == VGEN_KVM_READ_IO)
			memcpy(vgen_kvm_io_data(v, v->io_cur),
			       &v->run.io.data, v->run.io.size);
		else if (v->read == VGEN_KVM_READ_MMIO)
			memcpy(v->kr->mmio.data, v->run.mmio.data,
			       sizeof(v->kr->mmio.data));
		v->read = VGEN_KVM_READ_NONE;
		v->io_count = 0;
		ret = vgen_kvm_enter(proc, 1);
		proc->pending_completion = false;
		if (ret == 0)
			vgen_kvm_translate(proc);
		else if (ret != -EINTR)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* VP state */

#define VGEN_RFLAGS_VALID	0x3f7fd7ULL

static int vgen_kvm_get_regs(struct vgen_processor *proc,
			     struct vgen_regs *r)
{
	struct kvm_regs k;

	if (ioctl(proc->fd, KVM_GET_REGS, &k) < 0)
		return -errno;
	memset(r, 0, sizeof(*r));
	r->gpr[VGEN_REG_RAX] = k.rax;
	r->gpr[VGEN_REG_RCX] = k.rcx;
	r->gpr[VGEN_REG_RDX] = k.rdx;
	r->gpr[VGEN_REG_RBX] = k.rbx;
	r->gpr[VGEN_REG_RSP] = k.rsp;
	r->gpr[VGEN_REG_RBP] = k.rbp;
	r->gpr[VGEN_REG_RSI] = k.rsi;
	r->gpr[VGEN_REG_RDI] = k.rdi;
	r->gpr[8] = k.r8;
	r->gpr[9] = k.r9;
	r->gpr[10] = k.r10;
	r->gpr[11] = k.r11;
	r->gpr[12] = k.r12;
	r->gpr[13] = k.r13;
	r->gpr[14] = k.r14;
	r->gpr[15] = k.r15;
	r->rip = k.rip;
	r->rflags = k.rflags;
	return 0;
}

static bool vgen_kvm_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static int vgen_kvm_set_regs(struct vgen_processor *proc,
			     const struct vgen_regs *r)
{
	struct kvm_regs k;
	int ret;

	if (r->flags || r->reserved0 ||
	    !vgen_kvm_zero(r->reserved, sizeof(r->reserved)) ||
	    (r->rflags & ~VGEN_RFLAGS_VALID))
		return -EINVAL;
	ret = vgen_kvm_flush(proc);
	if (ret)
		return ret;
	memset(&k, 0, sizeof(k));
	k.rax = r->gpr[VGEN_REG_RAX];
	k.rcx = r->gpr[VGEN_REG_RCX];
	k.rdx = r->gpr[VGEN_REG_RDX];
	k.rbx = r->gpr[VGEN_REG_RBX];
	k.rsp = r->gpr[VGEN_REG_RSP];
	k.rbp = r->gpr[VGEN_REG_RBP];
	k.rsi = r->gpr[VGEN_REG_RSI];
	k.rdi = r->gpr[VGEN_REG_RDI];
	k.r8 = r->gpr[8];
	k.r9 = r->gpr[9];
	k.r10 = r->gpr[10];
	k.r11 = r->gpr[11];
	k.r12 = r->gpr[12];
	k.r13 = r->gpr[13];
	k.r14 = r->gpr[14];
	k.r15 = r->gpr[15];
	k.rip = r->rip;
	k.rflags = r->rflags | 2;
	if (ioctl(proc->fd, KVM_SET_REGS, &k) < 0)
		return -errno;
	return 0;
}

static void vgen_kvm_seg_from(struct vgen_segment *s,
			      const struct kvm_segment *k)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->attributes = (uint16_t)((k->type & 0xf) | (k->s & 1) << 4 |
				   (k->dpl & 3) << 5 | (k->present & 1) << 7 |
				   (k->avl & 1) << 12 | (k->l & 1) << 13 |
				   (k->db & 1) << 14 | (k->g & 1) << 15);
}

static void vgen_kvm_seg_to(struct kvm_segment *k,
			    const struct vgen_segment *s)
{
	uint16_t a = s->attributes;

	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = a & 0xf;
	k->s = (a >> 4) & 1;
	k->dpl = (a >> 5) & 3;
	k->present = (a >> 7) & 1;
	k->avl = (a >> 12) & 1;
	k->l = (a >> 13) & 1;
	k->db = (a >> 14) & 1;
	k->g = (a >> 15) & 1;
	k->unusable = !k->present;
}

static int vgen_kvm_get_sregs(struct vgen_processor *proc,
			      struct vgen_sregs *s)
{
	struct kvm_sregs k;

	if (ioctl(proc->fd, KVM_GET_SREGS, &k) < 0)
		return -errno;
	memset(s, 0, sizeof(*s));
	vgen_kvm_seg_from(&s->cs, &k.cs);
	vgen_kvm_seg_from(&s->ds, &k.ds);
	vgen_kvm_seg_from(&s->es, &k.es);
	vgen_kvm_seg_from(&s->fs, &k.fs);
	vgen_kvm_seg_from(&s->gs, &k.gs);
	vgen_kvm_seg_from(&s->ss, &k.ss);
	vgen_kvm_seg_from(&s->tr, &k.tr);
	vgen_kvm_seg_from(&s->ldt, &k.ldt);
	s->gdt.base = k.gdt.base;
	s->gdt.limit = k.gdt.limit;
	s->idt.base = k.idt.base;
	s->idt.limit = k.idt.limit;
	s->cr0 = k.cr0;
	s->cr2 = k.cr2;
	s->cr3 = k.cr3;
	s->cr4 = k.cr4;
	s->cr8 = k.cr8;
	s->efer = k.efer;
	s->apic_base = k.apic_base;
	return 0;
}

static int vgen_kvm_set_sregs(struct vgen_processor *proc,
			      const struct vgen_sregs *s)
{
	struct kvm_sregs k;
	int ret;

	if (s->flags || s->reserved0 ||
	    !vgen_kvm_zero(s->reserved, sizeof(s->reserved)) ||
	    !vgen_kvm_zero(s->gdt.pad, sizeof(s->gdt.pad)) ||
	    !vgen_kvm_zero(s->idt.pad, sizeof(s->idt.pad)))
		return -EINVAL;
	/* A 64-bit code segment with D/B (vgen's rule; VMX refuses it). */
	if ((s->cs.attributes & VGEN_SEG_ATTR_L) &&
	    (s->cs.attributes & VGEN_SEG_ATTR_DB))
		return -EINVAL;
	ret = vgen_kvm_flush(proc);
	if (ret)
		return ret;
	/* Keep what vgen_sregs has no field for (interrupt_bitmap). */
	if (ioctl(proc->fd, KVM_GET_SREGS, &k) < 0)
		return -errno;
	vgen_kvm_seg_to(&k.cs, &s->cs);
	vgen_kvm_seg_to(&k.ds, &s->ds);
	vgen_kvm_seg_to(&k.es, &s->es);
	vgen_kvm_seg_to(&k.fs, &s->fs);
	vgen_kvm_seg_to(&k.gs, &s->gs);
	vgen_kvm_seg_to(&k.ss, &s->ss);
	vgen_kvm_seg_to(&k.tr, &s->tr);
	vgen_kvm_seg_to(&k.ldt, &s->ldt);
	k.gdt.base = s->gdt.base;
	k.gdt.limit = s->gdt.limit;
	k.idt.base = s->idt.base;
	k.idt.limit = s->idt.limit;
	k.cr0 = s->cr0;
	k.cr2 = s->cr2;
	k.cr3 = s->cr3;
	k.cr4 = s->cr4;
	k.cr8 = s->cr8;
	k.efer = s->efer;
	k.apic_base = s->apic_base;
	if (ioctl(proc->fd, KVM_SET_SREGS, &k) < 0)
		return -errno;
	return 0;
}

/* Header and entries of one KVM_GET_MSRS / KVM_SET_MSRS call. */
struct vgen_kvm_msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[VGEN_MAX_MSR_ENTRIES];
};

static bool vgen_kvm_msr_known(uint32_t index)
{
	size_t i;

	for (i = 0; i < sizeof(vgen_kvm_msrs) / sizeof(vgen_kvm_msrs[0]); i++)
		if (vgen_kvm_msrs[i] == index)
			return true;
	return false;
}

static bool vgen_kvm_canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

static bool vgen_kvm_mtrr_type_ok(uint8_t t)
{
	return t == 0 || t == 1 || (t >= 4 && t <= 6);
}

/* vgen's WRMSR value rules (see struct vgen_msrs). */
static bool vgen_kvm_msr_value_ok(uint32_t index, uint64_t v)
{
	int i;

	switch (index) {
	case 0xfe:
		/* Read only; SET accepts the value GET returns. */
		return v == VGEN_KVM_MTRRCAP;
	case 0x2ff:
		return !(v & ~0xcffULL) && vgen_kvm_mtrr_type_ok((uint8_t)v);
	case 0x200: case 0x202: case 0x204: case 0x206:
	case 0x208: case 0x20a: case 0x20c: case 0x20e:
		return !(v & ~(VGEN_KVM_PHYS_MASK & ~0xf00ULL)) &&
		       vgen_kvm_mtrr_type_ok((uint8_t)v);
	case 0x201: case 0x203: case 0x205: case 0x207:
	case 0x209: case 0x20b: case 0x20d: case 0x20f:
		return !(v & ~(VGEN_KVM_PHYS_MASK & ~0x7ffULL));
	case 0x250: case 0x258: case 0x259:
	case 0x268: case 0x269: case 0x26a: case 0x26b:
	case 0x26c: case 0x26d: case 0x26e: case 0x26f:
		for (i = 0; i < 8; i++)
			if (!vgen_kvm_mtrr_type_ok((uint8_t)(v >> (8 * i))))
				return false;
		return true;
	case 0x174:
		return !(v >> 16);
	case 0x175: case 0x176: case 0xc0000082: case 0xc0000083:
	case 0xc0000102:
		return vgen_kvm_canonical(v);
	case 0x277:
		for (i = 0; i < 8; i++) {
			uint8_t t = (uint8_t)(v >> (8 * i));

			if (t == 2 || t == 3 || t > 7)
				return false;
		}
		return true;
	case 0xc0000084: case 0xc0000103:
		return !(v >> 32);
	default:
		return true;
	}
}

static int vgen_kvm_msr_check(const struct vgen_msr_entry *e, unsigned int n,
			      bool set)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (e[i].reserved || !vgen_kvm_msr_known(e[i].index))
			return -EINVAL;
		if (set && !vgen_kvm_msr_value_ok(e[i].index, e[i].data))
			return -EINVAL;
	}
	return 0;
}

static int vgen_kvm_msr_io(struct vgen_processor *proc, unsigned long req,
			   struct vgen_kvm_msrs *m, unsigned int n)
{
	long ret;

	m->hdr.nmsrs = n;
	m->hdr.pad = 0;
	ret = vgen_sys_ioctl(proc->fd, req, (unsigned long)m);
	if (ret < 0)
		return (int)ret;
	return (unsigned long)ret == n ? 0 : -EINVAL;
}

static int vgen_kvm_get_msrs(struct vgen_processor *proc,
			     struct vgen_msr_entry *e, unsigned int n)
{
	struct vgen_kvm_msrs m;
	unsigned int i;
	int ret;

	ret = vgen_kvm_msr_check(e, n, false);
	if (ret || !n)
		return ret;
	memset(&m, 0, sizeof(m));
	for (i = 0; i < n; i++)
		m.e[i].index = e[i].index;
	ret = vgen_kvm_msr_io(proc, KVM_GET_MSRS, &m, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		e[i].data = m.e[i].data;
	return 0;
}

static int vgen_kvm_set_msrs(struct vgen_processor *proc,
			     const struct vgen_msr_entry *e, unsigned int n)
{
	struct vgen_kvm_msrs m, old;
	unsigned int i, k;
	int ret;

	ret = vgen_kvm_msr_check(e, n, true);
	if (ret || !n)
		return ret;
	ret = vgen_kvm_flush(proc);
	if (ret)
		return ret;
	/* All or nothing: remember the old values to roll back. */
	memset(&old, 0, sizeof(old));
	memset(&m, 0, sizeof(m));
	for (i = 0, k = 0; i < n; i++) {
		/* IA32_MTRRCAP: checked to be the fixed value, nothing to set. */
		if (e[i].index == 0xfe)
			continue;
		old.e[k].index = e[i].index;
		m.e[k].index = e[i].index;
		m.e[k].data = e[i].data;
		k++;
	}
	if (!k)
		return 0;
	ret = vgen_kvm_msr_io(proc, KVM_GET_MSRS, &old, k);
	if (ret)
		return ret;
	ret = vgen_kvm_msr_io(proc, KVM_SET_MSRS, &m, k);
	if (ret)
		(void)vgen_kvm_msr_io(proc, KVM_SET_MSRS, &old, k);
	return ret;
}

/* ------------------------------------------------------------------ */
/* APIC and event state */

/* KVM refuses the APIC calls without an in-kernel local APIC. */
static int vgen_kvm_apic_err(int err)
{
	return err == -EINVAL || err == -ENXIO || err == -ENOTTY ? -ENXIO : err;
}

/*
 * In x2APIC mode vgen's register page holds the 32-bit x2APIC ID at 0x020;
 * KVM without KVM_CAP_X2APIC_API (not enabled by this backend) keeps it in
 * bits 31:24 there, as in xAPIC mode. Convert @regs to KVM's layout
 * (@to_kvm) or from it.
 */
static void vgen_kvm_x2apic_id(uint64_t apic_base, void *regs, bool to_kvm)
{
	uint32_t id;

	if (!(apic_base & (1ULL << 10)))
		return;
	memcpy(&id, (char *)regs + 0x20, 4);
	id = to_kvm ? id << 24 : id >> 24;
	memcpy((char *)regs + 0x20, &id, 4);
}

static int vgen_kvm_get_lapic(struct vgen_processor *proc,
			      struct vgen_lapic_state *s)
{
	struct kvm_lapic_state k;
	struct vgen_kvm_msrs m;
	int ret;

	if (ioctl(proc->fd, KVM_GET_LAPIC, &k) < 0)
		return vgen_kvm_apic_err(-errno);
	memset(&m, 0, sizeof(m));
	m.e[0].index = 0x1b;
	ret = vgen_kvm_msr_io(proc, KVM_GET_MSRS, &m, 1);
	if (ret)
		return ret;
	memset(s, 0, sizeof(*s));
	s->apic_base = m.e[0].data;
	memcpy(s->regs, k.regs, sizeof(s->regs));
	vgen_kvm_x2apic_id(s->apic_base, s->regs, false);
	return 0;
}

static int vgen_kvm_set_lapic(struct vgen_processor *proc,
			      const struct vgen_lapic_state *s)
{
	struct kvm_lapic_state k;
	struct vgen_kvm_msrs m;
	int ret;

	if (s->flags || s->reserved0 ||
	    !vgen_kvm_zero(s->reserved, sizeof(s->reserved)))
		return -EINVAL;
	/* Probe first: no in-kernel APIC is -ENXIO, before any change. */
	if (ioctl(proc->fd, KVM_GET_LAPIC, &k) < 0)
		return vgen_kvm_apic_err(-errno);
	ret = vgen_kvm_flush(proc);
	if (ret)
		return ret;
	/* The base (x2APIC mode) decides how KVM reads the page. */
	memset(&m, 0, sizeof(m));
	m.e[0].index = 0x1b;
	m.e[0].data = s->apic_base;
	ret = vgen_kvm_msr_io(proc, KVM_SET_MSRS, &m, 1);
	if (ret)
		return ret;
	memcpy(k.regs, s->regs, sizeof(k.regs));
	vgen_kvm_x2apic_id(s->apic_base, k.regs, true);
	if (ioctl(proc->fd, KVM_SET_LAPIC, &k) < 0)
		return -errno;
	return 0;
}

static int vgen_kvm_get_vp_events(struct vgen_processor *proc,
				  struct vgen_vp_events *ev)
{
	struct kvm_vcpu_events k;
	struct kvm_mp_state mp;

	if (ioctl(proc->fd, KVM_GET_VCPU_EVENTS, &k) < 0)
		return -errno;
	if (ioctl(proc->fd, KVM_GET_MP_STATE, &mp) < 0)
		return -errno;
	if (k.exception.injected || k.exception.pending)
		return -EBUSY;
	memset(ev, 0, sizeof(*ev));
	switch (mp.mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		ev->activity = VGEN_ACTIVITY_RUNNING;
		break;
	case KVM_MP_STATE_HALTED:
		ev->activity = VGEN_ACTIVITY_HALTED;
		break;
	case KVM_MP_STATE_INIT_RECEIVED:
		ev->activity = VGEN_ACTIVITY_WAIT_SIPI;
		break;
	default:
		return -EOPNOTSUPP;
	}
	ev->nmi_pending = !!k.nmi.pending;
	ev->nmi_masked = !!k.nmi.masked;
	/*
	 * AMD has a single shadow bit, which KVM reports as both; vgen
	 * allows one: MOV SS, the one that blocks more.
	 */
	if (k.interrupt.shadow & KVM_X86_SHADOW_INT_MOV_SS)
		ev->interrupt_shadow = VGEN_SHADOW_MOV_SS;
	else if (k.interrupt.shadow & KVM_X86_SHADOW_INT_STI)
		ev->interrupt_shadow = VGEN_SHADOW_STI;
	if (k.nmi.injected) {
		ev->event_pending = VGEN_EVENT_NMI;
	} else if (k.interrupt.injected && !k.interrupt.soft) {
		ev->event_pending = VGEN_EVENT_IRQ;
		ev->event_vector = k.interrupt.nr;
	}
	return 0;
}

/* The checks of VGEN_SET_VP_EVENTS that do not depend on the APIC. */
static int vgen_kvm_events_check(struct vgen_processor *proc,
				 const struct vgen_vp_events *ev)
{
	struct kvm_regs regs;

	if (ev->flags || !vgen_kvm_zero(ev->pad, sizeof(ev->pad)) ||
	    !vgen_kvm_zero(ev->reserved, sizeof(ev->reserved)))
		return -EINVAL;
	if (ev->activity > VGEN_ACTIVITY_WAIT_SIPI || ev->nmi_pending > 1 ||
	    ev->nmi_masked > 1 ||
	    (ev->interrupt_shadow & ~(VGEN_SHADOW_STI | VGEN_SHADOW_MOV_SS)) ||
	    ev->interrupt_shadow == (VGEN_SHADOW_STI | VGEN_SHADOW_MOV_SS) ||
	    ev->event_pending > VGEN_EVENT_NMI ||
	    (ev->event_pending != VGEN_EVENT_IRQ && ev->event_vector))
		return -EINVAL;
	if (ev->interrupt_shadow & VGEN_SHADOW_STI) {
		if (ioctl(proc->fd, KVM_GET_REGS, &regs) < 0)
			return -errno;
		if (!(regs.rflags & (1ULL << 9)))
			return -EINVAL;
	}
	return 0;
}

static int vgen_kvm_set_vp_events(struct vgen_processor *proc,
				  const struct vgen_vp_events *ev)
{
	static const uint32_t mp_states[] = {
		[VGEN_ACTIVITY_RUNNING] = KVM_MP_STATE_RUNNABLE,
		[VGEN_ACTIVITY_HALTED] = KVM_MP_STATE_HALTED,
		[VGEN_ACTIVITY_WAIT_SIPI] = KVM_MP_STATE_INIT_RECEIVED,
	};
	struct kvm_vcpu_events k, old;
	struct kvm_mp_state mp;
	int ret;

	ret = vgen_kvm_events_check(proc, ev);
	if (ret)
		return ret;
	ret = vgen_kvm_flush(proc);
	if (ret)
		return ret;
	if (ioctl(proc->fd, KVM_GET_VCPU_EVENTS, &old) < 0)
		return -errno;
	k = old;
	memset(&k.exception, 0, sizeof(k.exception));
	k.exception_has_payload = 0;
	k.exception_payload = 0;
	k.interrupt.injected = ev->event_pending == VGEN_EVENT_IRQ;
	k.interrupt.nr = ev->event_vector;
	k.interrupt.soft = 0;
	k.interrupt.shadow = 0;
	if (ev->interrupt_shadow & VGEN_SHADOW_STI)
		k.interrupt.shadow |= KVM_X86_SHADOW_INT_STI;
	if (ev->interrupt_shadow & VGEN_SHADOW_MOV_SS)
		k.interrupt.shadow |= KVM_X86_SHADOW_INT_MOV_SS;
	k.nmi.injected = ev->event_pending == VGEN_EVENT_NMI;
	k.nmi.pending = ev->nmi_pending;
	k.nmi.masked = ev->nmi_masked;
	k.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	/* KVM refuses HALTED / INIT_RECEIVED without its APIC: -EINVAL. */
	mp.mp_state = mp_states[ev->activity];
	if (ioctl(proc->fd, KVM_SET_MP_STATE, &mp) < 0)
		return -errno;
	if (ioctl(proc->fd, KVM_SET_VCPU_EVENTS, &k) < 0) {
		ret = -errno;
		mp.mp_state = KVM_MP_STATE_RUNNABLE;
		(void)ioctl(proc->fd, KVM_SET_MP_STATE, &mp);
		return ret;
	}
	return 0;
}

static int vgen_kvm_set_guest_debug(struct vgen_processor *proc,
				    const struct vgen_guest_debug *gd)
{
	struct vgen_kvm_vcpu *v = proc->priv;
	struct kvm_guest_debug kd;
	int i;

	memset(&kd, 0, sizeof(kd));
	if (gd->flags & VGEN_GUESTDBG_ENABLE)
		kd.control |= KVM_GUESTDBG_ENABLE;
	if (gd->flags & VGEN_GUESTDBG_SINGLESTEP)
		kd.control |= KVM_GUESTDBG_SINGLESTEP;
	if (gd->flags & VGEN_GUESTDBG_HW_BP) {
		kd.control |= KVM_GUESTDBG_USE_HW_BP;
		for (i = 0; i < 4; i++)
			kd.arch.debugreg[i] = gd->addr[i];
		kd.arch.debugreg[7] = gd->control;
	}
	v->bp_resume = false;
	if (ioctl(proc->fd, KVM_SET_GUEST_DEBUG, &kd) < 0)
		return -errno;
	return 0;
}

static int vgen_kvm_get_debugregs(struct vgen_processor *proc,
				  struct vgen_debugregs *dr)
{
	struct kvm_debugregs kd;
	int i;

	memset(&kd, 0, sizeof(kd));
	if (ioctl(proc->fd, KVM_GET_DEBUGREGS, &kd) < 0)
		return -errno;
	memset(dr, 0, sizeof(*dr));
	for (i = 0; i < 4; i++)
		dr->db[i] = kd.db[i];
	dr->dr6 = kd.dr6;
	dr->dr7 = kd.dr7;
	return 0;
}

static int vgen_kvm_set_debugregs(struct vgen_processor *proc,
				  const struct vgen_debugregs *dr)
{
	struct kvm_debugregs kd;
	int i;

	memset(&kd, 0, sizeof(kd));
	for (i = 0; i < 4; i++)
		kd.db[i] = dr->db[i];
	kd.dr6 = dr->dr6;
	kd.dr7 = dr->dr7;
	if (ioctl(proc->fd, KVM_SET_DEBUGREGS, &kd) < 0)
		return -errno;
	return 0;
}

const struct vgen_backend_ops vgen_backend_kvm = {
	.name = "kvm",
	.open = vgen_kvm_open,
	.close = vgen_kvm_close,
	.check_cap = vgen_kvm_check_cap,
	.new_partition = vgen_kvm_new_partition,
	.destroy = vgen_kvm_destroy,
	.get_cpuid = vgen_kvm_get_cpuid,
	.set_cpuid = vgen_kvm_set_cpuid,
	.set_memory = vgen_kvm_set_memory,
	.build = vgen_kvm_build,
	.request_yield = vgen_kvm_request_yield,
	.create_vp = vgen_kvm_create_vp,
	.rebind_vp = vgen_kvm_rebind_vp,
	.destroy_vp = vgen_kvm_destroy_vp,
	.run = vgen_kvm_run,
	.get_regs = vgen_kvm_get_regs,
	.set_regs = vgen_kvm_set_regs,
	.get_sregs = vgen_kvm_get_sregs,
	.set_sregs = vgen_kvm_set_sregs,
	.get_msrs = vgen_kvm_get_msrs,
	.set_msrs = vgen_kvm_set_msrs,
	.request_msi = vgen_kvm_request_msi,
	.set_irq_route = vgen_kvm_set_irq_route,
	.assert_irq = vgen_kvm_assert_irq,
	.pulse_lint = vgen_kvm_pulse_lint,
	.ioeventfd = vgen_kvm_ioeventfd,
	.msi_irqfd = vgen_kvm_msi_irqfd,
	.msi_irqfd_free = vgen_kvm_msi_irqfd_free,
	.get_lapic = vgen_kvm_get_lapic,
	.set_lapic = vgen_kvm_set_lapic,
	.get_vp_events = vgen_kvm_get_vp_events,
	.set_vp_events = vgen_kvm_set_vp_events,
	.set_guest_debug = vgen_kvm_set_guest_debug,
	.get_debugregs = vgen_kvm_get_debugregs,
	.set_debugregs = vgen_kvm_set_debugregs,
};
