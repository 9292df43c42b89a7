/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svp - the software x86-64 virtual processor (an interpreter).
 *
 * This is the only interface between the interpreter core (kmod/svp_*.c)
 * and its embedder: the kernel module (kmod/vp.c) or the userspace test
 * and benchmark shim. The core never calls a kernel API directly; every
 * environment dependency goes through svp_env.h (kernel) or the userspace
 * replacement of it, and through struct svp_host_ops.
 *
 * Threading: an svp_cpu is used by one thread at a time (the VP's run
 * thread). The host ops may be called from svp_run() only.
 */
#ifndef _VGEN_SVP_H
#define _VGEN_SVP_H

#include "svp_env.h"

/* Segment register numbers (x86 encoding order), then LDTR and TR. */
enum svp_seg_reg {
	SVP_SEG_ES, SVP_SEG_CS, SVP_SEG_SS, SVP_SEG_DS, SVP_SEG_FS, SVP_SEG_GS,
	SVP_SEG_LDTR, SVP_SEG_TR, SVP_SEG_COUNT
};

/**
 * struct svp_seg - a segment register in its hidden (cached) form.
 * @base: linear base.
 * @limit: expanded byte limit.
 * @sel: selector.
 * @attr: attributes as in uapi struct vgen_segment (type 3:0, S 4,
 *	DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15).
 */
struct svp_seg {
	u64 base;
	u32 limit;
	u16 sel;
	u16 attr;
};

/** struct svp_dtr - GDTR / IDTR. */
struct svp_dtr {
	u64 base;
	u16 limit;
};

/**
 * struct svp_state - the architectural state visible to the embedder.
 *
 * Get it with svp_get_state() and set it with svp_set_state(); the core
 * keeps its own (possibly lazy) copy while running.
 */
struct svp_state {
	u64 gpr[16];
	u64 rip;
	u64 rflags;
	struct svp_seg seg[SVP_SEG_COUNT];
	struct svp_dtr gdt, idt;
	u64 cr0, cr2, cr3, cr4, cr8;
	u64 efer;
	u64 apic_base;
	/* MSRs */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 pat, tsc_aux;
	u64 tsc_offset;		/* guest TSC = host TSC + tsc_offset */
};

/* Exit reasons returned by svp_run(). */
enum svp_exit_reason {
	SVP_EXIT_BUDGET = 0,	/* instruction budget used up; call again */
	SVP_EXIT_IO,		/* port I/O, see exit->io */
	SVP_EXIT_MMIO,		/* MMIO, see exit->mmio */
	SVP_EXIT_HLT,		/* HLT executed (RIP after the HLT) */
	SVP_EXIT_SHUTDOWN,	/* triple fault */
	SVP_EXIT_FAILURE,	/* see exit->fail */
};

/* exit->fail.kind */
enum svp_fail_kind {
	SVP_FAIL_EMULATION = 1,	/* instruction not implemented */
	SVP_FAIL_UNSUPPORTED_MODE,	/* e.g. real mode, for now */
	SVP_FAIL_INVALID_STATE,
};

/**
 * struct svp_exit - why svp_run() returned.
 * @reason: enum svp_exit_reason.
 * @io: port I/O. For an IN (is_write == 0) the instruction has not
 *	completed: the embedder calls svp_complete_read() with the value
 *	before the next svp_run(), which then finishes the instruction. For
 *	an OUT the instruction has completed (one element of a string OUT).
 * @mmio: MMIO access to @gpa; same completion rule as @io for reads.
 * @fail: @kind, @rip, @len bytes of the instruction in @insn.
 */
struct svp_exit {
	u32 reason;
	union {
		struct {
			u16 port;
			u8 size;
			u8 is_write;
			u32 data;
		} io;
		struct {
			u64 gpa;
			u8 size;
			u8 is_write;
			u8 data[8];
		} mmio;
		struct {
			u32 kind;
			u8 len;
			u8 insn[15];
			u64 rip;
		} fail;
	};
};

/**
 * struct svp_host_ops - services the embedder provides to the core.
 * @gpa_to_hva: translate the guest physical page containing @gpa to a host
 *	pointer to the start of that page, or NULL if the page is MMIO (or,
 *	when @write, read-only). Called on software-TLB misses only; the
 *	result stays valid until svp_flush_all() is called.
 * @cpuid: fill @out[0..3] (EAX, EBX, ECX, EDX) for leaf @fn, subleaf @idx.
 */
struct svp_host_ops {
	void *(*gpa_to_hva)(void *opaque, u64 gpa, bool write);
	void (*cpuid)(void *opaque, u32 fn, u32 idx, u32 out[4]);
};

struct svp_cpu;

/** svp_cpu_size() - bytes to allocate (zeroed) for one struct svp_cpu. */
size_t svp_cpu_size(void);

/**
 * svp_cpu_init() - initialise a zeroed svp_cpu to the power-on state.
 * @cpu: the memory (svp_cpu_size() bytes, zeroed).
 * @ops: host services (must outlive @cpu).
 * @opaque: passed to every host op.
 * @apic_id: initial APIC ID; @bsp: true for the bootstrap processor.
 */
void svp_cpu_init(struct svp_cpu *cpu, const struct svp_host_ops *ops,
		  void *opaque, u32 apic_id, bool bsp);

/** svp_get_state() - copy the architectural state out. */
void svp_get_state(struct svp_cpu *cpu, struct svp_state *st);

/**
 * svp_set_state() - replace the architectural state.
 * Returns 0, or -EINVAL if @st is architecturally invalid (reserved
 * CR0/CR4/EFER/RFLAGS bits, inconsistent long mode, non-canonical RIP
 * in 64-bit mode). Flushes all caches.
 */
int svp_set_state(struct svp_cpu *cpu, const struct svp_state *st);

/**
 * svp_complete_read() - supply the data of the pending IN or MMIO read.
 * @data: little-endian bytes, as many as the exit's size.
 */
void svp_complete_read(struct svp_cpu *cpu, const void *data);

/**
 * svp_run() - execute guest instructions.
 * @budget: maximum number of instructions before SVP_EXIT_BUDGET.
 * @exit: filled in for every reason other than SVP_EXIT_BUDGET.
 * Returns the exit reason.
 */
int svp_run(struct svp_cpu *cpu, u64 budget, struct svp_exit *exit);

/**
 * svp_flush_all() - forget every cached translation and decoded
 * instruction (call when guest memory regions change).
 */
void svp_flush_all(struct svp_cpu *cpu);

/* svp_cpuid_leaf.flags */
#define SVP_CPUID_SIGNIFICANT_INDEX	(1U << 0)

/**
 * struct svp_cpuid_leaf - one default CPUID leaf of the software VP.
 * @fn: EAX input. @idx: ECX input (if SVP_CPUID_SIGNIFICANT_INDEX).
 * @flags: SVP_CPUID_*. @regs: EAX, EBX, ECX, EDX.
 */
struct svp_cpuid_leaf {
	u32 fn;
	u32 idx;
	u32 flags;
	u32 regs[4];
};

/**
 * svp_cpuid_defaults() - the CPUID leaves describing exactly what the
 * software VP implements (the partition's default table).
 * @out: array to fill; @max: its capacity.
 * Returns the number of leaves (at most @max are written). Per-VP fields
 * (initial APIC ID in leaf 1 EBX[31:24], x2APIC ID in leaf 0xB EDX) are
 * zero here; the embedder's cpuid op fills them in.
 */
unsigned int svp_cpuid_defaults(struct svp_cpuid_leaf *out, unsigned int max);

/**
 * svp_msr_value_ok() - whether WRMSR of @val to @msr passes the value rules
 * the software VP enforces (canonical addresses, PAT memory types, reserved
 * high bits). MSRs without such a rule (and unknown MSRs) return true; the
 * caller decides which MSRs it supports.
 */
bool svp_msr_value_ok(u32 msr, u64 val);

/** svp_insns_retired() - instructions retired since init. */
u64 svp_insns_retired(const struct svp_cpu *cpu);

#endif /* _VGEN_SVP_H */
