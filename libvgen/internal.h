/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvgen internal definitions (not installed). */
#ifndef LIBVGEN_INTERNAL_H
#define LIBVGEN_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include "vgen.h"

struct vgen_backend_ops;

/* Exit reasons counted by vgen_processor_exit_counts(). */
#define VGEN_EXIT_COUNT_MAX	32

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
 * @flags: the VGEN_PROTO_* flags it was created with.
 * @created_ns: CLOCK_MONOTONIC (ns) when it was created: the origin of
 *	vgen_partition_reference_time(); never changes afterwards.
 * @ranges: guest memory ranges, indexed by slot.
 */
struct vgen_vm {
	const struct vgen_backend_ops *ops;
	int fd;
	void *priv;
	uint32_t vp_count;
	/* VGEN_PROTO_* flags of the configuration. */
	uint32_t flags;
	uint64_t created_ns;
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
	/*
	 * Inside vgen_processor_run() / _run_until_stop() / _run_vp()
	 * (atomic): vgen_binder_bind() on another thread refuses to rebind
	 * a running processor.
	 */
	int running;
	/*
	 * Futex word of a VP sleeping in vgen_processor_run_vp() after a
	 * HLT exit: bumped (and woken) by every yield request and cancel.
	 */
	uint32_t wake_seq;
	/* wake_seq when the current run started (the bound thread's). */
	uint32_t hlt_seq;
	/* Exits seen per VGEN_EXIT_* reason (only by the bound thread). */
	uint64_t exits[VGEN_EXIT_COUNT_MAX];
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
	/* vgen_partition_cancel_vp() requested, not yet reported (atomic). */
	int cancel_pending;
};

struct vgen_partition {
	struct vgen_vm vm;
	struct vgen_binder *binders;
	/* Protects @doorbells and @msis (the live handles, freed on close). */
	pthread_mutex_t objs_lock;
	struct vgen_doorbell *doorbells;
	struct vgen_msi_interrupt *msis;
};

/* A registered doorbell (doorbell.c); on its partition's list. */
struct vgen_doorbell {
	struct vgen_partition *part;
	uint64_t addr;
	uint64_t value;
	uint32_t len;
	uint32_t flags;		/* VGEN_DOORBELL_* */
	int eventfd;		/* the caller's */
	struct vgen_doorbell *next;
};

/*
 * An MSI interrupt target (msi_target.c); on its partition's list.
 * @lock protects everything below it.
 */
struct vgen_msi_interrupt {
	struct vgen_partition *part;
	struct vgen_msi_interrupt *next;	/* part->objs_lock */
	pthread_mutex_t lock;
	bool enabled;
	struct vgen_msi_message msi;
	/* The eventfd of vgen_msi_interrupt_eventfd(), or -1. */
	int efd;
	/* Backend state of the eventfd binding (vgen: bound; KVM: GSI). */
	bool bound;
	uint32_t gsi;
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
 * @rebind_vp: optional; @proc (not running) moves to the calling thread
 *	(KVM: the kick's signal mask is set up on it).
 * @run: one run of the VP, with the semantics of VGEN_RUN as seen
 *	through proc->run; sets proc->pending_completion.
 * @get_regs, @set_regs, @get_sregs, @set_sregs: VP state.
 * @get_msrs, @set_msrs: MSRs (@n already checked against the maximum).
 * @request_msi, @set_irq_route, @assert_irq, @pulse_lint: interrupts, see
 *	vgen.h (arguments checked for range already).
 * @ioeventfd: register (@assign) or remove a doorbell (arguments checked
 *	already).
 * @msi_irqfd: make @intr->efd deliver @msi (NULL: deliver nothing),
 *	binding it first if needed; called with @intr->lock held.
 * @msi_irqfd_free: remove @intr->efd's binding (intr->lock held).
 * @get_lapic, @set_lapic, @get_vp_events, @set_vp_events: the APIC and
 *	activity/event state groups (struct vgen_lapic_state, struct
 *	vgen_vp_events; the pointer is checked already).
 * @reset_vp, @reset_partition: VGEN_RESET_VP / VGEN_RESET_PARTITION.
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
	int (*rebind_vp)(struct vgen_processor *proc);
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
	int (*ioeventfd)(struct vgen_vm *vm, const struct vgen_doorbell *db,
			 bool assign);
	int (*msi_irqfd)(struct vgen_vm *vm, struct vgen_msi_interrupt *intr,
			 const struct vgen_msi_message *msi);
	void (*msi_irqfd_free)(struct vgen_vm *vm,
			       struct vgen_msi_interrupt *intr);
	int (*get_lapic)(struct vgen_processor *proc,
			 struct vgen_lapic_state *s);
	int (*set_lapic)(struct vgen_processor *proc,
			 const struct vgen_lapic_state *s);
	int (*get_vp_events)(struct vgen_processor *proc,
			     struct vgen_vp_events *ev);
	int (*set_vp_events)(struct vgen_processor *proc,
			     const struct vgen_vp_events *ev);
	int (*reset_vp)(struct vgen_processor *proc);
	int (*reset_partition)(struct vgen_partition *part);
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

/*
 * Check an MSI address/data pair with vgen's rules (<linux/vgen.h>):
 * 0; -EINVAL not 0xfeexxxxx, reserved bits or delivery mode 3;
 * -EOPNOTSUPP SMI.
 */
int vgen_msi_check(uint64_t address, uint32_t data);

/* Region slot helpers shared by proto.c and partition.c. */
int vgen_ranges_add(struct vgen_vm *vm, uint64_t gpa, uint64_t size,
		    void *host_va, uint32_t flags);

int vgen_ranges_remove(struct vgen_vm *vm, uint64_t gpa, uint64_t size);

/* processor.c, for run_vp.c: the argument/thread check, one backend run
 * (counts the exit) and the stop path (complete a pending access with
 * immediate_exit; VGEN_RUN_STOPPED, 0 with a new exit, or -errno). */
int vgen_processor_check(struct vgen_processor *proc);
int vgen_processor_enter(struct vgen_processor *proc,
			 const struct vgen_run **exit_out);
int vgen_processor_finish(struct vgen_processor *proc,
			  const struct vgen_run **exit_out);
void vgen_stop_source_add(struct vgen_stop_source *src,
			  struct vgen_stop_waiter *w);
void vgen_stop_source_remove(struct vgen_stop_source *src,
			     struct vgen_stop_waiter *w);
/* Wake a VP sleeping after a HLT exit in vgen_processor_run_vp(). */
void vgen_processor_wake(struct vgen_processor *proc);

#endif
