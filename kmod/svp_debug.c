// SPDX-License-Identifier: GPL-2.0
/*
 * Debug registers and debugging of the software x86-64 VP.
 *
 * Two independent users:
 *  - the guest: its own DR0-3, DR6, DR7 (MOV DR), RFLAGS.TF single-step,
 *    INT1/INT3, execute and data breakpoints raising #DB in the guest;
 *  - the VMM (svp_set_guest_debug()): single step and four hardware
 *    breakpoints reported as SVP_EXIT_DEBUG, invisible to the guest.
 *
 * Nothing here is on the hot path: while anything is armed (or TF/RF is
 * set, or a debug event is owed), cpu->chk.slow is set and svp_run()
 * switches to svp_run_dbg() (svp_run.c), which checks execute
 * breakpoints before and reports steps and data breakpoints after every
 * instruction. Data breakpoints are found without a per-access cost: the
 * pages holding them never enter the data TLB (svp_translate() asks
 * svp_dbg_page_watched()), so every access to such a page takes a slow
 * path that calls svp_dbg_access(). I/O breakpoints (R/W 10b) are not
 * implemented: the VMM cannot arm them (-EINVAL) and a guest one never
 * fires. Implicit supervisor accesses (descriptor tables, IDT, TSS) are
 * not checked.
 */
#include "svp_internal.h"

static const u8 svp_dr7_lens[4] = { 1, 2, 8, 4 };

/* R/W field of breakpoint @i in a DR7 value: 0 execute, 1 write, 3 R/W. */
static inline int dr7_rw(u64 dr7, int i)
{
	return (dr7 >> (16 + 4 * i)) & 3;
}

/* Length in bytes of breakpoint @i in a DR7 value. */
static inline int dr7_len(u64 dr7, int i)
{
	return svp_dr7_lens[(dr7 >> (18 + 4 * i)) & 3];
}

static inline bool dr7_enabled(u64 dr7, int i)
{
	return (dr7 >> (2 * i)) & 3;
}

static inline bool svp_dbg_vmm_bp(const struct svp_dbg *d)
{
	return (d->vmm.flags & (SVP_GDBG_ENABLE | SVP_GDBG_HW_BP)) ==
	       (SVP_GDBG_ENABLE | SVP_GDBG_HW_BP);
}

/**
 * svp_dbg_update() - recompute the derived debug state after a change of
 * the guest's DR7/DR0-3 or of the VMM's debugging: which data
 * breakpoints are armed (their pages leave the TLB) and whether the
 * debug loop is needed.
 * @cpu: the VP.
 */
void svp_dbg_update(struct svp_cpu *cpu)
{
	struct svp_dbg *d = &cpu->dbg;
	bool vmm_bp = svp_dbg_vmm_bp(d);
	u8 data = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (vmm_bp && dr7_enabled(d->vmm.control, i) &&
		    (dr7_rw(d->vmm.control, i) & 1))
			data |= 1U << i;
		if (dr7_enabled(d->g.dr7, i) && (dr7_rw(d->g.dr7, i) & 1))
			data |= 0x10U << i;
	}
	/* Watched pages must leave (or may re-enter) the data TLB. */
	if (data || d->data)
		svp_tlb_flush(cpu);
	d->data = data;
	d->armed = (d->vmm.flags & SVP_GDBG_ENABLE) || (d->g.dr7 & 0xff);
	svp_update_slow(cpu);
}

/**
 * svp_dbg_reset() - the guest's debug registers at RESET/INIT (DR0-3 zero,
 * DR6 0xffff0ff0, DR7 0x400), nothing owed. VMM debugging is kept.
 * @cpu: the VP.
 */
void svp_dbg_reset(struct svp_cpu *cpu)
{
	struct svp_guest_debug vmm = cpu->dbg.vmm;

	memset(&cpu->dbg, 0, sizeof(cpu->dbg));
	cpu->dbg.vmm = vmm;
	cpu->dbg.g.dr6 = SVP_DR6_FIXED1;
	cpu->dbg.g.dr7 = SVP_DR7_FIXED1;
	cpu->dbg.data = 0xff;	/* make svp_dbg_update() flush the TLB */
	svp_dbg_update(cpu);
}

static inline bool svp_dbg_overlap(u64 addr, int len, u64 la, int size)
{
	addr &= ~(u64)(len - 1);
	return la < addr + len && addr < la + size;
}

/**
 * svp_dbg_access() - note a guest data access for the data breakpoints
 * (called by the memory slow paths while any is armed).
 * @cpu: the VP.
 * @la: linear address.
 * @size: bytes.
 * @write: a write (or the write of a read-modify-write).
 */
void svp_dbg_access(struct svp_cpu *cpu, u64 la, int size, bool write)
{
	struct svp_dbg *d = &cpu->dbg;
	int i;

	for (i = 0; i < 4; i++) {
		if ((d->data & (1U << i)) &&
		    (write || dr7_rw(d->vmm.control, i) == 3) &&
		    svp_dbg_overlap(d->vmm.addr[i], dr7_len(d->vmm.control, i),
				    la, size))
			d->hit_vmm |= 1U << i;
		if ((d->data & (0x10U << i)) &&
		    (write || dr7_rw(d->g.dr7, i) == 3) &&
		    svp_dbg_overlap(d->g.dr[i], dr7_len(d->g.dr7, i),
				    la, size))
			d->hit_guest |= 1U << i;
	}
	if (d->hit_vmm || d->hit_guest)
		d->step_iter = true;	/* stop a string after this element */
}

/**
 * svp_dbg_page_watched() - whether the linear page of @la holds an armed
 * data breakpoint (then it must not enter the data TLB).
 * @cpu: the VP.
 * @la: linear address.
 *
 * Return: true if a data breakpoint covers part of the page.
 */
bool svp_dbg_page_watched(const struct svp_cpu *cpu, u64 la)
{
	const struct svp_dbg *d = &cpu->dbg;
	int i;

	for (i = 0; i < 4; i++) {
		if ((d->data & (1U << i)) &&
		    !((d->vmm.addr[i] ^ la) & ~0xfffULL))
			return true;
		if ((d->data & (0x10U << i)) &&
		    !((d->g.dr[i] ^ la) & ~0xfffULL))
			return true;
	}
	return false;
}

/**
 * svp_dbg_exec_vmm() - the VMM execute breakpoint at @rip, if any.
 * @cpu: the VP.
 * @rip: the next instruction.
 *
 * Return: the lowest breakpoint index, or -1.
 */
int svp_dbg_exec_vmm(const struct svp_cpu *cpu, u64 rip)
{
	const struct svp_dbg *d = &cpu->dbg;
	int i;

	if (!svp_dbg_vmm_bp(d))
		return -1;
	for (i = 0; i < 4; i++)
		if (dr7_enabled(d->vmm.control, i) &&
		    !dr7_rw(d->vmm.control, i) && d->vmm.addr[i] == rip)
			return i;
	return -1;
}

/**
 * svp_dbg_exec_guest() - the guest's execute breakpoints at @rip.
 * @cpu: the VP.
 * @rip: the next instruction.
 *
 * Return: DR6 B0-B3 bits of the enabled execute breakpoints that match.
 */
u64 svp_dbg_exec_guest(const struct svp_cpu *cpu, u64 rip)
{
	const struct svp_dbg *d = &cpu->dbg;
	u64 bits = 0;
	int i;

	for (i = 0; i < 4; i++)
		if (dr7_enabled(d->g.dr7, i) && !dr7_rw(d->g.dr7, i) &&
		    d->g.dr[i] == rip)
			bits |= 1ULL << i;
	return bits;
}

/**
 * svp_dbg_raise() - raise #DB in the guest with DR6 status @bits (B0-B3
 * replaced, BD/BS added; the other bits of DR6 are kept).
 * @cpu: the VP.
 * @bits: DR6 status bits.
 *
 * Return: SVP_R_EXC.
 */
int svp_dbg_raise(struct svp_cpu *cpu, u64 bits)
{
	cpu->dbg.g.dr6 = (cpu->dbg.g.dr6 & ~0xfULL) | bits | SVP_DR6_FIXED1;
	return svp_raise(cpu, SVP_DB, 0, false);
}

/**
 * svp_mov_dr() - MOV to (@to_dr) or from a debug register.
 * @cpu: the VP.
 * @to_dr: MOV DRn, r64 (else MOV r64, DRn).
 * @dr: debug register number (ModRM reg with REX.R).
 * @gpr: general register (ModRM rm with REX.B).
 *
 * #GP(0) at CPL > 0; DR4/DR5 alias DR6/DR7 with CR4.DE clear and are #UD
 * with it set; DR8-15 #UD; DR7.GD makes the access a #DB (DR6.BD, GD
 * cleared) before anything else; writing ones to bits 63:32 of DR6/DR7 is
 * #GP(0). Does not advance RIP.
 *
 * Return: SVP_OK or SVP_R_EXC.
 */
int svp_mov_dr(struct svp_cpu *cpu, bool to_dr, int dr, int gpr)
{
	struct svp_dbg *d = &cpu->dbg;
	u64 v = cpu->s.gpr[gpr];

	if (cpu->cpl)
		return svp_raise(cpu, SVP_GP, 0, true);
	if (dr == 4 || dr == 5) {
		if (cpu->s.cr4 & SVP_CR4_DE)
			return svp_raise(cpu, SVP_UD, 0, false);
		dr += 2;
	}
	if (dr > 7)
		return svp_raise(cpu, SVP_UD, 0, false);
	if (d->g.dr7 & SVP_DR7_GD) {
		d->g.dr7 &= ~SVP_DR7_GD;
		return svp_dbg_raise(cpu, SVP_DR6_BD);
	}
	if (!to_dr) {
		cpu->s.gpr[gpr] = dr < 4 ? d->g.dr[dr] :
				  dr == 6 ? d->g.dr6 : d->g.dr7;
		return SVP_OK;
	}
	if (dr >= 6 && (v >> 32))
		return svp_raise(cpu, SVP_GP, 0, true);
	if (dr < 4)
		d->g.dr[dr] = v;
	else if (dr == 6)
		d->g.dr6 = (v & SVP_DR6_WRITE) | SVP_DR6_FIXED1;
	else
		d->g.dr7 = (v & SVP_DR7_WRITE) | SVP_DR7_FIXED1;
	svp_dbg_update(cpu);
	return SVP_OK;
}

/**
 * svp_get_debugregs() - copy the guest's debug registers out.
 * @cpu: the VP.
 * @d: receives DR0-3, DR6, DR7.
 */
void svp_get_debugregs(const struct svp_cpu *cpu, struct svp_debugregs *d)
{
	*d = cpu->dbg.g;
}

/**
 * svp_set_debugregs() - replace the guest's debug registers.
 * @cpu: the VP.
 * @d: DR0-3, DR6, DR7.
 *
 * Return: 0, or -EINVAL when bits 63:32 of DR6 or DR7 are set.
 */
int svp_set_debugregs(struct svp_cpu *cpu, const struct svp_debugregs *d)
{
	int i;

	if ((d->dr6 >> 32) || (d->dr7 >> 32))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		cpu->dbg.g.dr[i] = d->dr[i];
	cpu->dbg.g.dr6 = (d->dr6 & SVP_DR6_WRITE) | SVP_DR6_FIXED1;
	cpu->dbg.g.dr7 = (d->dr7 & SVP_DR7_WRITE) | SVP_DR7_FIXED1;
	svp_dbg_update(cpu);
	return 0;
}

/**
 * svp_set_guest_debug() - arm or disarm VMM debugging.
 * @cpu: the VP.
 * @d: the request.
 *
 * Return: 0, or -EINVAL (see svp.h).
 */
int svp_set_guest_debug(struct svp_cpu *cpu, const struct svp_guest_debug *d)
{
	u32 all = SVP_GDBG_ENABLE | SVP_GDBG_SINGLESTEP | SVP_GDBG_HW_BP;
	int i, len;

	if (d->flags & ~all)
		return -EINVAL;
	if (d->flags && !(d->flags & SVP_GDBG_ENABLE))
		return -EINVAL;
	if (!(d->flags & SVP_GDBG_HW_BP) && d->control)
		return -EINVAL;
	if (d->control & ~0xffff00ffULL)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (!dr7_enabled(d->control, i))
			continue;
		len = dr7_len(d->control, i);
		if (dr7_rw(d->control, i) == 2)
			return -EINVAL;		/* I/O */
		if (!dr7_rw(d->control, i) && len != 1)
			return -EINVAL;
		if ((d->addr[i] & (len - 1)) || !svp_canonical(d->addr[i]))
			return -EINVAL;
	}
	cpu->dbg.vmm = *d;
	cpu->dbg.pend_vmm = 0;
	cpu->dbg.skip = false;
	svp_dbg_update(cpu);
	return 0;
}
