/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvgen internal definitions (not installed). */
#ifndef LIBVGEN_INTERNAL_H
#define LIBVGEN_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include "vgen.h"

struct vgen_backend_ops;

struct vgen_hypervisor {
	const struct vgen_backend_ops *ops;
	/* The backend's device fd (/dev/vgen, /dev/kvm). */
	int fd;
	/* Backend data (e.g. KVM's supported CPUID). */
	void *priv;
};

struct vgen_range {
	bool used;
	uint64_t gpa, size;
	void *host_va;
	uint32_t flags;
};

/*
 * struct vgen_vm - the backend's partition, shared by the proto-partition
 * and (after vgen_proto_build()) the partition.
 * @ops: the backend.
 * @fd: the partition fd (vgen partition fd, KVM VM fd).
 * @priv: backend data.
 * @vp_count: number of VPs.
 * @ranges: guest memory ranges, indexed by slot.
 */
struct vgen_vm {
	const struct vgen_backend_ops *ops;
	int fd;
	void *priv;
	uint32_t vp_count;
	struct vgen_range ranges[VGEN_MAX_MEMORY_REGIONS];
};

struct vgen_proto {
	struct vgen_vm vm;
};

struct vgen_processor {
	struct vgen_binder *binder;
	/* The VP fd (vgen VP fd, KVM vCPU fd). */
	int fd;
	/* The run page the library reports exits in (see vgen.h). */
	struct vgen_run *run;
	pthread_t thread;
	/*
	 * The last exit must be completed by entering the backend once
	 * more before the VP's state is consistent (vgen: an IN or MMIO
	 * read; KVM: any I/O or MMIO exit). Set by the backend's run().
	 */
	bool pending_completion;
	/* Backend data. */
	void *priv;
};

/* A processor inside vgen_processor_run_until_stop() with a stop source. */
struct vgen_stop_waiter {
	struct vgen_processor *proc;
	struct vgen_stop_waiter *next;
};

struct vgen_stop_source {
	/* Set once by vgen_stop_source_stop() (atomic, release/acquire). */
	int stopping;
	/* Protects @waiters. */
	pthread_mutex_t lock;
	struct vgen_stop_waiter *waiters;
};

struct vgen_binder {
	struct vgen_partition *part;
	uint32_t index;
	/* Set once by vgen_binder_bind() (atomic: read by request_yield). */
	struct vgen_processor *proc;
};

struct vgen_partition {
	struct vgen_vm vm;
	struct vgen_binder *binders;
};

/**
 * struct vgen_backend_ops - one hypervisor backend.
 *
 * The object files (hypervisor.c, proto.c, partition.c, binder.c,
 * processor.c, memory.c) check arguments and keep the model's state; the
 * backend does the hypervisor calls. Every int-returning op returns 0 or
 * a negative errno. New partition- or VP-level calls (e.g. interrupts) are
 * added as new ops; a backend that cannot do one leaves it NULL and the
 * object file returns -EOPNOTSUPP.
 *
 * @name: the name vgen_hypervisor_open() takes.
 * @open: open the device (sets hv->fd, hv->priv).
 * @close: release hv->fd and hv->priv.
 * @check_cap: VGEN_CAP_* value for this backend.
 * @new_partition: create a proto-partition (sets vm->fd and vm->priv;
 *	vm->vp_count is set and cfg is validated for flags already).
 * @destroy: release vm->fd and vm->priv (proto or partition).
 * @get_cpuid: the CPUID leaf a VP would see (before per-VP fix-ups).
 * @set_cpuid: merge leaves into the table (proto-partition only).
 * @set_memory: set (size > 0) or delete (size 0) memory slot @slot.
 * @build: finalize the proto-partition.
 * @request_yield: see vgen_partition_request_yield().
 * @create_vp: create VP binder->index for the calling thread: sets
 *	proc->fd, proc->run and proc->priv.
 * @destroy_vp: release what create_vp() set up.
 * @run: one run of the VP, with the semantics of VGEN_RUN as seen
 *	through proc->run; sets proc->pending_completion.
 * @get_regs, @set_regs, @get_sregs, @set_sregs: VP state.
 * @get_msrs, @set_msrs: MSRs (@n already checked against the maximum).
 * @request_msi, @set_irq_route, @assert_irq, @pulse_lint: interrupts, see
 *	vgen.h (arguments checked for range already).
 * @set_guest_debug: VMM debugging in the uapi encoding (already
 *	validated: flags, DR7-encoded control, aligned canonical addresses).
 * @get_debugregs, @set_debugregs: the guest's debug registers (SET:
 *	flags, reserved fields and bits 63:32 of DR6/DR7 checked already).
 *
 * Optional (may be NULL, called through VGEN_CALL_OPT()): @set_cpuid,
 * @request_yield, @get_msrs, @set_msrs and every op added later.
 */
struct vgen_backend_ops {
	const char *name;
	int (*open)(struct vgen_hypervisor *hv);
	void (*close)(struct vgen_hypervisor *hv);
	int (*check_cap)(struct vgen_hypervisor *hv, uint32_t cap,
			 uint64_t *value);
	int (*new_partition)(struct vgen_hypervisor *hv,
			     const struct vgen_proto_config *cfg,
			     struct vgen_vm *vm);
	void (*destroy)(struct vgen_vm *vm);
	int (*get_cpuid)(struct vgen_vm *vm, uint32_t eax, uint32_t ecx,
			 uint32_t out[4]);
	int (*set_cpuid)(struct vgen_vm *vm,
			 const struct vgen_cpuid_leaf *leaves, size_t n);
	int (*set_memory)(struct vgen_vm *vm, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *host_va, uint32_t flags);
	int (*build)(struct vgen_vm *vm);
	int (*request_yield)(struct vgen_partition *part, uint32_t vp_index);
	int (*create_vp)(struct vgen_binder *binder,
			 struct vgen_processor *proc);
	void (*destroy_vp)(struct vgen_processor *proc);
	int (*run)(struct vgen_processor *proc);
	int (*get_regs)(struct vgen_processor *proc, struct vgen_regs *regs);
	int (*set_regs)(struct vgen_processor *proc,
			const struct vgen_regs *regs);
	int (*get_sregs)(struct vgen_processor *proc,
			 struct vgen_sregs *sregs);
	int (*set_sregs)(struct vgen_processor *proc,
			 const struct vgen_sregs *sregs);
	int (*get_msrs)(struct vgen_processor *proc, struct vgen_msr_entry *e,
			unsigned int n);
	int (*set_msrs)(struct vgen_processor *proc,
			const struct vgen_msr_entry *e, unsigned int n);
	int (*request_msi)(struct vgen_vm *vm, uint64_t address,
			   uint32_t data);
	int (*set_irq_route)(struct vgen_vm *vm, uint32_t irq,
			     const struct vgen_msi_message *msi);
	int (*assert_irq)(struct vgen_vm *vm, uint32_t irq);
	int (*pulse_lint)(struct vgen_partition *part, uint32_t vp_index,
			  uint32_t lint);
	int (*set_guest_debug)(struct vgen_processor *proc,
			       const struct vgen_guest_debug *gd);
	int (*get_debugregs)(struct vgen_processor *proc,
			     struct vgen_debugregs *dr);
	int (*set_debugregs)(struct vgen_processor *proc,
			     const struct vgen_debugregs *dr);
};

/* Call an optional op: -EOPNOTSUPP if the backend does not have it. */
#define VGEN_CALL_OPT(ops, op, ...)					\
	((ops)->op ? (ops)->op(__VA_ARGS__) : -EOPNOTSUPP)

extern const struct vgen_backend_ops vgen_backend_vgen;
extern const struct vgen_backend_ops vgen_backend_kvm;

/* Issue an ioctl (retrying on EINTR unless @req is @norestart);
 * returns its non-negative result or -errno. */
long vgen_sys_ioctl(int fd, unsigned long req, unsigned long arg);

/* Region slot helpers shared by proto.c and partition.c. */
int vgen_ranges_add(struct vgen_vm *vm, uint64_t gpa, uint64_t size,
		    void *host_va, uint32_t flags);

int vgen_ranges_remove(struct vgen_vm *vm, uint64_t gpa, uint64_t size);

#endif
