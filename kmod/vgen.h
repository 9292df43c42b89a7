/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The private header of the vgen module: the partition, memory, CPUID
 * and VP objects and the functions the kmod/ files call in each other.
 *
 * Object lifetime: a partition is reference counted (struct kref). The
 * partition fd holds one reference and every VP fd holds one; the
 * partition, its memory regions and all of its VPs are torn down when the
 * last reference goes. A VP object therefore lives exactly as long as the
 * partition, while its fd (and any mapping of its run page) only pins the
 * partition.
 *
 * Lock order: vgen_partition.run_gate -> vgen_partition.state_lock ->
 * vgen_vp.run_lock (a partition reset takes all three; VGEN_RUN takes the
 * gate and the run lock) and vgen_partition.state_lock ->
 * vgen_partition.mem_lock. SRCU read sections (vgen_partition.srcu) nest
 * inside vgen_vp.run_lock.
 */
#ifndef _VGEN_VGEN_H
#define _VGEN_VGEN_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/pid.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/vgen.h>
#include <linux/wait.h>

#include "lapic.h"
#include "svp.h"

/*
 * Guest physical address width of the software VP: every memory region
 * must end at or below 2^VGEN_GPA_BITS.
 */
#define VGEN_GPA_BITS		40
#define VGEN_GPA_LIMIT		(1ULL << VGEN_GPA_BITS)

/* Largest single memory region (bounds the pinned page array). */
#define VGEN_MAX_REGION_SIZE	(64ULL << 30)

/*
 * vgen_zeroed() - true if every byte of a uapi field (typically a reserved
 * array or padding) is zero.
 */
#define vgen_zeroed(field)	(!memchr_inv(&(field), 0, sizeof(field)))

/**
 * struct vgen_memslot - one guest memory region (an entry of a memslot
 *	table; empty when @npages is zero).
 * @gpa: guest physical base, page aligned.
 * @npages: size in pages; 0 for an empty slot.
 * @flags: VGEN_MEM_* of the region.
 * @pages: the pinned host pages backing the region, @npages entries
 *	(kvmalloc'd). Shared between consecutive tables while the slot is
 *	unchanged; released once no published table refers to it.
 */
struct vgen_memslot {
	u64 gpa;
	unsigned long npages;
	u32 flags;
	struct page **pages;
};

/**
 * struct vgen_memslots - an immutable memslot table, published through
 *	vgen_partition.memslots and read under vgen_partition.srcu.
 * @slot: the slots, indexed by the uapi slot number.
 */
struct vgen_memslots {
	struct vgen_memslot slot[VGEN_MAX_MEMORY_REGIONS];
};

/**
 * struct vgen_cpuid_leaf - one leaf of a partition's CPUID table.
 * @fn: EAX input.
 * @idx: ECX input, compared only with VGEN_CPUID_SIGNIFICANT_INDEX.
 * @flags: VGEN_CPUID_*.
 * @regs: EAX, EBX, ECX, EDX.
 */
struct vgen_cpuid_leaf {
	u32 fn;
	u32 idx;
	u32 flags;
	u32 regs[4];
};

/**
 * struct vgen_cpuid_table - a partition's CPUID table, sorted by
 *	(@fn, significant-index flag, @idx).
 * @nent: number of valid @leaves.
 * @leaves: the leaves.
 */
struct vgen_cpuid_table {
	unsigned int nent;
	struct vgen_cpuid_leaf leaves[VGEN_MAX_CPUID_ENTRIES];
};

struct vgen_vp;

/**
 * struct vgen_registry_entry - what the partition registry (registry.c)
 *	knows about a partition; written once by vgen_registry_add() before
 *	the partition becomes visible, constant afterwards.
 * @id: registry id (>= 1), 0 while the partition is not registered.
 * @owner: thread group of the creating process (a counted reference).
 * @owner_uid: effective uid of the creator.
 * @created_ns: creation time, CLOCK_REALTIME nanoseconds.
 * @backend: effective VGEN_BACKEND_* (never AUTO).
 * @isolation: VGEN_ISOLATION_* of the configuration.
 */
struct vgen_registry_entry {
	u32 id;
	struct pid *owner;
	kuid_t owner_uid;
	u64 created_ns;
	u32 backend;
	u32 isolation;
};

/* Exit reasons counted per VP (VGEN_EXIT_* below this value). */
#define VGEN_VP_STAT_EXITS	16

/**
 * struct vgen_vp_irq_summary - what a VP's local APIC holds, as published
 *	by its run thread (vgen_lapic_get_summary()).
 * @irr: IRR, 32 vectors per word (vector v: bit v % 32 of word v / 32).
 * @isr: ISR, likewise.
 * @tpr: TPR.
 * @ppr: PPR.
 */
struct vgen_vp_irq_summary {
	u32 irr[8];
	u32 isr[8];
	u32 tpr;
	u32 ppr;
};

/**
 * struct vgen_vp_stats - per-VP counters for introspection (stats.c).
 *	Written only by the thread inside VGEN_RUN (under vgen_vp.run_lock)
 *	with WRITE_ONCE(); read locklessly with READ_ONCE() by netlink.c.
 * @in_run: the VP is inside VGEN_RUN (store-release after @thread).
 * @activity: VGEN_VP_ACTIVITY_* as of the last chunk boundary.
 * @last_exit: VGEN_EXIT_* of the last exit.
 * @last_halt: VGEN_EXIT_HLT, _SHUTDOWN or _INTERNAL_ERROR: why the VP
 *	last stopped executing guest code; VGEN_EXIT_UNKNOWN before that.
 * @halts: HLT instructions, triple faults and emulation failures.
 * @runs: VGEN_RUN calls that got the VP.
 * @insns: guest instructions retired as of the last chunk boundary.
 * @run_ns: total time spent inside VGEN_RUN.
 * @guest_ns: of @run_ns, time inside interpreter chunks (updated after
 *	every chunk).
 * @kernel_ns: of @run_ns, time outside interpreter chunks (updated at
 *	the end of every VGEN_RUN).
 * @user_ns: time between the end of a VGEN_RUN and the start of the next.
 * @enter_ns: start of the current VGEN_RUN (private to the VP thread).
 * @leave_ns: end of the last VGEN_RUN, 0 before one (VP thread only).
 * @run_guest_ns: @guest_ns at the start of the current VGEN_RUN (VP
 *	thread only).
 * @exits: exits by VGEN_EXIT_* reason.
 * @thread: the thread that last entered VGEN_RUN (a counted reference;
 *	RCU: readers use rcu_dereference(), the VP thread replaces it under
 *	the run lock and drops the old one after a grace period).
 * @irq_seq: protects @irq (single writer, the VP thread, with preemption
 *	disabled; readers retry).
 * @irq: the APIC summary, as of the last chunk boundary or halt check.
 */
struct vgen_vp_stats {
	struct pid __rcu *thread;
	bool in_run;
	u32 activity;
	u32 last_exit;
	u32 last_halt;
	u64 halts;
	u64 runs;
	u64 insns;
	u64 run_ns;
	u64 guest_ns;
	u64 kernel_ns;
	u64 user_ns;
	u64 enter_ns;
	u64 leave_ns;
	u64 run_guest_ns;
	u64 exits[VGEN_VP_STAT_EXITS];
	seqcount_t irq_seq;
	struct vgen_vp_irq_summary irq;
};

/**
 * struct vgen_vp_snapshot - a consistent copy of a VP's registers and
 *	APIC (VGEN_CMD_GET_VP_REGS), filled by the run thread on request.
 * @state: the architectural state.
 * @lapic: the local APIC (only with an in-kernel APIC).
 * @activity: VGEN_VP_ACTIVITY_*.
 * @insns: instructions retired at the time of the copy.
 */
struct vgen_vp_snapshot {
	struct svp_state state;
	struct vgen_lapic_state lapic;
	u32 activity;
	u64 insns;
};

/**
 * struct vgen_partition - a (proto-)partition.
 * @refs: references: the partition fd and every VP fd.
 * @mm: the creating process's mm (mmgrab'd); ioctls from any other mm
 *	fail with -EIO.
 * @vp_count: number of VPs, from the configuration.
 * @apic_ids: APIC ID of every VP index, @vp_count entries.
 * @config_flags: VGEN_PARTITION_* flags of the configuration.
 * @run_gate: VGEN_RUN holds it for reading (trylock: -EBUSY), a
 *	partition reset for writing, so that no VP runs during the reset.
 * @state_lock: protects @finalized, the @vps array and writes to @cpuid.
 * @finalized: VGEN_FINALIZE done; @cpuid is frozen from then on, so VPs
 *	(which only exist after finalization) read it without a lock.
 * @vps: VP objects by index, NULL where not created yet.
 * @cpuid: the CPUID table.
 * @mem_lock: serialises memslot table updates (VGEN_SET_MEMORY_REGION and
 *	teardown); protects writes of @memslots and @mem_generation.
 * @srcu: protects readers of @memslots (the VP run loop).
 * @memslots: the current memslot table (SRCU-protected, never NULL).
 * @mem_generation: incremented after every change of @memslots; a VP
 *	flushes the interpreter's caches when it sees a new value.
 * @irqchip: MSI delivery and IOAPIC routing (irq.c); NULL in a
 *	VGEN_PARTITION_USER_MODE_APIC partition.
 * @irqfds: the partition's irqfds (irqfd.c); NULL without @irqchip.
 * @ioeventfds: the partition's doorbells (ioeventfd.c).
 * @dead: an internal error of the module was detected; every ioctl on the
 *	partition and its VPs fails with -EIO from then on (written once,
 *	read locklessly with READ_ONCE()).
 * @destroyed: teardown has run (makes vgen_partition_destroy idempotent).
 * @reg: registry entry (registry.c): id and creator, for introspection.
 */
struct vgen_partition {
	struct kref refs;
	struct mm_struct *mm;
	u32 vp_count;
	u32 *apic_ids;
	u32 config_flags;

	struct rw_semaphore run_gate;
	struct mutex state_lock;
	bool finalized;
	struct vgen_vp **vps;
	struct vgen_cpuid_table *cpuid;

	struct mutex mem_lock;
	struct srcu_struct srcu;
	struct vgen_memslots __rcu *memslots;
	u64 mem_generation;

	struct vgen_irqchip *irqchip;
	struct vgen_irqfds *irqfds;
	struct vgen_ioeventfds *ioeventfds;

	bool dead;
	bool destroyed;

	struct vgen_registry_entry reg;
};

/* Variable-range MTRR pairs and fixed-range MTRRs of a VP. */
#define VGEN_MTRR_VAR_PAIRS	8
#define VGEN_MTRR_FIXED		11

/**
 * struct vgen_mtrr - a VP's memory type range registers (msr.c). State
 *	only: memory types do not change what the software VP does.
 * @def_type: IA32_MTRR_DEF_TYPE.
 * @var: IA32_MTRR_PHYSBASEn (@var[2n]) and IA32_MTRR_PHYSMASKn
 *	(@var[2n + 1]), MSRs 0x200-0x20f in index order.
 * @fixed: the fixed-range MTRRs in the order 0x250, 0x258, 0x259,
 *	0x268-0x26f.
 */
struct vgen_mtrr {
	u64 def_type;
	u64 var[2 * VGEN_MTRR_VAR_PAIRS];
	u64 fixed[VGEN_MTRR_FIXED];
};

/**
 * struct vgen_vp - a virtual processor.
 * @part: the partition (the VP fd holds a reference on it).
 * @index: VP index.
 * @apic_id: APIC ID of the VP.
 * @run_lock: protects @cpu, @pending and @mem_generation: held by VGEN_RUN
 *	and by the register get/set ioctls (VGEN_RUN trylocks: -EBUSY).
 * @cpu: the software VP (kvzalloc'd, svp_cpu_size() bytes).
 * @run_page: the run page shared with userspace (struct vgen_run).
 * @run: kernel address of @run_page.
 * @pending: VGEN_EXIT_IO or VGEN_EXIT_MMIO if the last exit was a read
 *	that the next VGEN_RUN completes with svp_complete_read(),
 *	VGEN_EXIT_EXTINT if it was an ExtINT acknowledge, else 0.
 * @pending_size: size in bytes of the pending read.
 * @mem_generation: vgen_partition.mem_generation last seen by @cpu.
 * @requests: VGEN_VP_REQ_* bits, set by other threads and consumed by the
 *	run loop; atomic bitops only (no lock).
 * @lapic: the local APIC (lapic.c); NULL in a user-mode-APIC partition.
 * @wait: where the run thread sleeps while the guest is halted;
 *	vgen_vp_kick() wakes it.
 * @activity: VGEN_VP_ACTIVITY_* (protected by @run_lock).
 * @mtrr: the MTRRs (protected by @run_lock: the guest's RDMSR/WRMSR run
 *	under it, and so do VGEN_GET/SET_MSRS and resets).
 * @apic_base: IA32_APIC_BASE of a VP without an in-kernel APIC (the
 *	guest's RDMSR/WRMSR and VGEN_GET/SET_SREGS; protected by @run_lock);
 *	unused with one (the APIC keeps it).
 * @stats: introspection counters (see struct vgen_vp_stats).
 * @snap_mutex: serialises VGEN_CMD_GET_VP_REGS requests of the VP.
 * @snap_lock: protects @snap_buf and @snap_done between the requester
 *	and the run thread that fills the buffer.
 * @snap_buf: where the run thread copies the snapshot (NULL: none asked).
 * @snap_done: @snap_buf is filled.
 * @snap_wait: the requester waits here for @snap_done.
 */
struct vgen_vp {
	struct vgen_partition *part;
	u32 index;
	u32 apic_id;

	struct mutex run_lock;
	struct svp_cpu *cpu;
	struct page *run_page;
	struct vgen_run *run;
	u32 pending;
	u32 pending_size;
	u64 mem_generation;
	unsigned long requests;
	struct vgen_lapic *lapic;
	wait_queue_head_t wait;
	u32 activity;
	struct vgen_mtrr mtrr;
	u64 apic_base;

	struct vgen_vp_stats stats;

	struct mutex snap_mutex;
	spinlock_t snap_lock;
	struct vgen_vp_snapshot *snap_buf;
	bool snap_done;
	wait_queue_head_t snap_wait;
};

/* vgen_vp.activity */
#define VGEN_VP_ACTIVITY_RUNNING	0
#define VGEN_VP_ACTIVITY_HALTED		1	/* HLT, waiting for an interrupt */
#define VGEN_VP_ACTIVITY_WAIT_SIPI	2	/* after INIT */

/* vgen_vp.mem_generation value that forces a cache flush at the next run. */
#define VGEN_MEM_GENERATION_STALE	U64_MAX

/* Bits of vgen_vp.requests. */
#define VGEN_VP_REQ_YIELD	0	/* VGEN_REQUEST_YIELD not yet reported */
#define VGEN_VP_REQ_SNAPSHOT	1	/* VGEN_CMD_GET_VP_REGS waits */

/* main.c */
long vgen_check_cap(unsigned long cap);

/* partition.c */
int vgen_partition_create(const struct vgen_partition_config *cfg);
void vgen_partition_get(struct vgen_partition *part);
void vgen_partition_put(struct vgen_partition *part);
bool vgen_partition_check_caller(const struct vgen_partition *part);
void vgen_partition_kill(struct vgen_partition *part);

/* memory.c */
int vgen_memory_init(struct vgen_partition *part);
void vgen_memory_destroy(struct vgen_partition *part);
int vgen_memory_set_region(struct vgen_partition *part,
			   const struct vgen_memory_region *region);
void *vgen_memory_gpa_to_hva(struct vgen_partition *part, u64 gpa,
			     bool write);
int vgen_memory_access(struct vgen_partition *part, u64 gpa, void *buf,
		       size_t len, bool write);

/* cpuid.c */
int vgen_cpuid_init(struct vgen_partition *part);
void vgen_cpuid_destroy(struct vgen_partition *part);
int vgen_cpuid_get(struct vgen_partition *part,
		   struct vgen_cpuid __user *ucpuid);
int vgen_cpuid_set(struct vgen_partition *part,
		   struct vgen_cpuid __user *ucpuid);
void vgen_cpuid_lookup(const struct vgen_partition *part, u32 apic_id,
		       u32 fn, u32 idx, u32 out[4]);

/* vp.c */
int vgen_vp_create(struct vgen_partition *part,
		   const struct vgen_create_vp *args);
void vgen_vp_destroy(struct vgen_vp *vp);
void vgen_vp_set_exit(struct vgen_run *run, u32 reason);
void vgen_vp_reset_msrs(struct vgen_vp *vp);
void vgen_vp_regs_from_state(const struct svp_state *st,
			     struct vgen_regs *regs);
void vgen_vp_sregs_from_state(const struct svp_state *st,
			      struct vgen_sregs *sregs);

/* vp_irq.c */
void vgen_vp_kick(struct vgen_vp *vp);
u64 vgen_vp_guest_tsc(struct vgen_vp *vp);
int vgen_vp_irq_step(struct vgen_vp *vp);
int vgen_vp_complete_extint(struct vgen_vp *vp);
int vgen_vp_get_lapic(struct vgen_vp *vp, void __user *argp);
int vgen_vp_set_lapic(struct vgen_vp *vp, void __user *argp);
struct svp_state *vgen_vp_state_begin(struct vgen_vp *vp);
int vgen_vp_state_apply(struct vgen_vp *vp, struct svp_state *st);
int vgen_vp_state_commit(struct vgen_vp *vp, struct svp_state *st);

/* reset.c */
int vgen_vp_reset(struct vgen_vp *vp, const void __user *argp);
int vgen_partition_reset(struct vgen_partition *part, const void __user *argp);
int vgen_vp_get_events(struct vgen_vp *vp, void __user *argp);
int vgen_vp_set_events(struct vgen_vp *vp, const void __user *argp);

/* vp_debug.c */
int vgen_vp_set_guest_debug(struct vgen_vp *vp, const void __user *argp);
int vgen_vp_get_debugregs(struct vgen_vp *vp, void __user *argp);
int vgen_vp_set_debugregs(struct vgen_vp *vp, const void __user *argp);

/* msr.c */
int vgen_vp_get_msrs(struct vgen_vp *vp, struct vgen_msrs __user *argp);
int vgen_vp_set_msrs(struct vgen_vp *vp, struct vgen_msrs __user *argp);
int vgen_vp_request_yield(struct vgen_partition *part,
			  const struct vgen_yield *args);
int vgen_vp_mtrr_msr(struct vgen_vp *vp, u32 index, bool write, u64 *val);
void vgen_vp_mtrr_reset(struct vgen_vp *vp);

/* irqfd.c */
int vgen_irqfd_module_init(void);
void vgen_irqfd_module_exit(void);
int vgen_irqfd_init(struct vgen_partition *part);
void vgen_irqfd_destroy(struct vgen_partition *part);
int vgen_irqfd_ioctl(struct vgen_partition *part, void __user *argp);
bool vgen_irqfd_eoi(struct vgen_partition *part, u8 vector);

/* ioeventfd.c */
int vgen_ioeventfd_init(struct vgen_partition *part);
void vgen_ioeventfd_destroy(struct vgen_partition *part);
int vgen_ioeventfd_ioctl(struct vgen_partition *part, void __user *argp);
bool vgen_ioeventfd_write(struct vgen_partition *part, bool pio, u64 addr,
			  u32 len, u64 val);

/* registry.c */
int vgen_registry_add(struct vgen_partition *part,
		      const struct vgen_partition_config *cfg);
void vgen_registry_remove(struct vgen_partition *part);
struct vgen_partition *vgen_registry_get(u32 id);
struct vgen_partition *vgen_registry_get_next(unsigned long *id);
unsigned int vgen_registry_generation(void);

/* stats.c */
void vgen_vp_stats_enter(struct vgen_vp *vp);
void vgen_vp_stats_leave(struct vgen_vp *vp, int ret);
void vgen_vp_stats_destroy(struct vgen_vp *vp);
void vgen_vp_stats_init(struct vgen_vp *vp);
void vgen_vp_stats_chunk(struct vgen_vp *vp);
void vgen_vp_stats_halt(struct vgen_vp *vp, u32 reason);
void vgen_vp_stats_guest_time(struct vgen_vp *vp, u64 start);
void vgen_vp_stats_read_irq(struct vgen_vp *vp,
			    struct vgen_vp_irq_summary *sum);
void vgen_vp_snapshot_serve(struct vgen_vp *vp);
int vgen_vp_snapshot_take(struct vgen_vp *vp, struct vgen_vp_snapshot *buf);

/* netlink.c (stubs without CONFIG_NET) */
#if IS_ENABLED(CONFIG_NET)
int vgen_netlink_init(void);
void vgen_netlink_exit(void);
void vgen_netlink_notify_partition(struct vgen_partition *part, u32 event);
void vgen_netlink_notify_vp_halted(struct vgen_vp *vp, u32 reason);
#else
static inline int vgen_netlink_init(void) { return 0; }
static inline void vgen_netlink_exit(void) { }
static inline void vgen_netlink_notify_partition(struct vgen_partition *part,
						 u32 event) { }
static inline void vgen_netlink_notify_vp_halted(struct vgen_vp *vp,
						 u32 reason) { }
#endif

#endif /* _VGEN_VGEN_H */
