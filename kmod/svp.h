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
	/* Interrupt state (see svp_irq_ready()). */
	u8 intr_shadow;		/* SVP_SHADOW_*: blocking for one instruction */
	u8 nmi_blocked;		/* an NMI was delivered, no IRET yet */
	u8 event_pending;	/* SVP_EVENT_*: injected, not yet delivered */
	u8 event_vector;	/* vector of a pending SVP_EVENT_IRQ */
};

/* svp_state.intr_shadow */
#define SVP_SHADOW_STI		(1U << 0)	/* after STI that set IF */
#define SVP_SHADOW_MOV_SS	(1U << 1)	/* after MOV SS / POP SS */

/* svp_state.event_pending */
#define SVP_EVENT_NONE		0
#define SVP_EVENT_IRQ		1	/* external interrupt event_vector */
#define SVP_EVENT_NMI		2

/* Exit reasons returned by svp_run(). */
enum svp_exit_reason {
	SVP_EXIT_BUDGET = 0,	/* instruction budget used up; call again */
	SVP_EXIT_IO,		/* port I/O, see exit->io */
	SVP_EXIT_MMIO,		/* MMIO, see exit->mmio */
	SVP_EXIT_HLT,		/* HLT executed (RIP after the HLT) */
	SVP_EXIT_SHUTDOWN,	/* triple fault */
	SVP_EXIT_FAILURE,	/* see exit->fail */
	SVP_EXIT_IRQ_WINDOW,	/* see svp_request_irq_window() */
	SVP_EXIT_KICK,		/* svp_kick() was called */
	SVP_EXIT_DEBUG,		/* VMM debugging, see exit->debug */
};

/* exit->debug.type */
#define SVP_DEBUG_STEP		1	/* single step (svp_set_guest_debug()) */
#define SVP_DEBUG_BREAKPOINT	2	/* hardware breakpoint debug.index */

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
 * @debug: SVP_EXIT_DEBUG: @type SVP_DEBUG_*, @rip the RIP now, @dr6 the
 *	DR6-style status (B0-B3, BS, fixed bits set), @index the breakpoint.
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
		struct {
			u64 rip;
			u64 dr6;
			u32 type;
			u32 index;
		} debug;
	};
};

/**
 * struct svp_host_ops - services the embedder provides to the core.
 * @gpa_to_hva: translate the guest physical page containing @gpa to a host
 *	pointer to the start of that page, or NULL if the page is MMIO (or,
 *	when @write, read-only). Called on software-TLB misses only; the
 *	result stays valid until svp_flush_all() is called.
 * @cpuid: fill @out[0..3] (EAX, EBX, ECX, EDX) for leaf @fn, subleaf @idx.
 * @msr: optional. RDMSR (@write false: store the value in *@val) or WRMSR
 *	(@write true: *@val is the value) of an MSR the core does not keep
 *	itself: IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0), the x2APIC
 *	range 0x800-0x8ff and every other unknown index. Returns 0 when done,
 *	-1 to make the instruction raise #GP(0). NULL: all of them #GP.
 * @get_cr8: optional. The value of CR8 (the APIC's TPR bits 7:4) for
 *	MOV from CR8. NULL: the core keeps CR8 in svp_state.cr8 itself.
 * @set_cr8: optional (with @get_cr8). MOV to CR8 of @val (already checked:
 *	bits 63:4 zero, else #GP). After it the core ends svp_run() with
 *	SVP_EXIT_KICK so that the embedder re-evaluates pending interrupts.
 */
struct svp_host_ops {
	void *(*gpa_to_hva)(void *opaque, u64 gpa, bool write);
	void (*cpuid)(void *opaque, u32 fn, u32 idx, u32 out[4]);
	int (*msr)(void *opaque, u32 index, bool write, u64 *val);
	u64 (*get_cr8)(void *opaque);
	void (*set_cr8)(void *opaque, u64 val);
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

/**
 * svp_irq_ready() - whether a maskable external interrupt can be injected
 * now: RFLAGS.IF set, no STI / MOV SS shadow, no event pending, and the
 * processor in a mode that can deliver it.
 */
bool svp_irq_ready(const struct svp_cpu *cpu);

/**
 * svp_nmi_ready() - whether an NMI can be injected now: NMIs not blocked
 * (no NMI delivered since the last IRET), no MOV SS shadow, no event
 * pending.
 */
bool svp_nmi_ready(const struct svp_cpu *cpu);

/**
 * svp_inject_irq() - make the next svp_run() deliver external interrupt
 * @vector through the IDT before executing any instruction (as hardware
 * does on an instruction boundary; a halted VP resumes after its HLT).
 * Only valid when svp_irq_ready(). Faults during delivery are handled as
 * on hardware (#DF, triple fault -> SVP_EXIT_SHUTDOWN).
 */
void svp_inject_irq(struct svp_cpu *cpu, u8 vector);

/**
 * svp_inject_nmi() - like svp_inject_irq() for an NMI (vector 2); NMIs
 * are then blocked until the next IRET. Only valid when svp_nmi_ready().
 */
void svp_inject_nmi(struct svp_cpu *cpu);

/**
 * svp_request_irq_window() - while @on, svp_run() returns
 * SVP_EXIT_IRQ_WINDOW at the first instruction boundary at which
 * svp_irq_ready() holds (possibly before executing any instruction).
 * The embedder turns it on when it holds an interrupt the guest blocks.
 */
void svp_request_irq_window(struct svp_cpu *cpu, bool on);

/**
 * svp_kick() - make the running (or next) svp_run() return SVP_EXIT_KICK
 * at the next instruction boundary. Callable from any thread and from
 * hard interrupt context; one kick ends one svp_run().
 */
void svp_kick(struct svp_cpu *cpu);

/**
 * svp_cpu_reset() - put the VP into the state after RESET (@bsp) or INIT:
 * every register at its architectural reset value (real mode, CS:IP
 * f000:fff0), no pending event, caches flushed. The host ops, the opaque
 * pointer and the APIC ID given to svp_cpu_init() are kept.
 */
void svp_cpu_reset(struct svp_cpu *cpu, bool bsp);

/**
 * struct svp_debugregs - the guest's own debug registers.
 * @dr: DR0-DR3 (linear addresses).
 * @dr6: DR6 (bits 31:0; the fixed bits read as on hardware).
 * @dr7: DR7 (bits 31:0).
 */
struct svp_debugregs {
	u64 dr[4];
	u64 dr6;
	u64 dr7;
};

/**
 * svp_get_debugregs() - copy the guest's debug registers out.
 */
void svp_get_debugregs(const struct svp_cpu *cpu, struct svp_debugregs *d);

/**
 * svp_set_debugregs() - replace the guest's debug registers.
 * Returns 0, or -EINVAL if bits 63:32 of DR6 or DR7 are set. The fixed
 * bits of DR6/DR7 are forced to their architectural values.
 */
int svp_set_debugregs(struct svp_cpu *cpu, const struct svp_debugregs *d);

/* svp_guest_debug.flags */
#define SVP_GDBG_ENABLE		(1U << 0)
#define SVP_GDBG_SINGLESTEP	(1U << 1)
#define SVP_GDBG_HW_BP		(1U << 2)

/**
 * struct svp_guest_debug - VMM debugging of the guest (invisible to it).
 * @flags: SVP_GDBG_*; without SVP_GDBG_ENABLE all debugging is off.
 * @addr: breakpoint linear addresses.
 * @control: DR7 encoding of the breakpoints (with SVP_GDBG_HW_BP): L/G
 *	enable bits 7:0, R/W and LEN bits 31:16; nothing else.
 */
struct svp_guest_debug {
	u32 flags;
	u64 addr[4];
	u64 control;
};

/**
 * svp_set_guest_debug() - arm or disarm VMM debugging: single step
 * (svp_run() returns SVP_EXIT_DEBUG / SVP_DEBUG_STEP after every
 * instruction or event delivery) and up to four hardware breakpoints
 * (SVP_DEBUG_BREAKPOINT: execute breakpoints before the instruction,
 * data breakpoints after the accessing instruction or string iteration).
 * Returns 0, or -EINVAL: unknown flags, control bits other than the
 * enables and R/W+LEN, an enabled I/O breakpoint (R/W 10b), an execute
 * breakpoint with LEN other than 1 byte, an address not aligned to its
 * length or not canonical. Drops a debug exit not yet reported.
 */
int svp_set_guest_debug(struct svp_cpu *cpu, const struct svp_guest_debug *d);

/** svp_guest_tsc() - the guest's time stamp counter now (host TSC + offset). */
u64 svp_guest_tsc(const struct svp_cpu *cpu);

/** svp_insns_retired() - instructions retired since init. */
u64 svp_insns_retired(const struct svp_cpu *cpu);

#endif /* _VGEN_SVP_H */
