// SPDX-License-Identifier: GPL-2.0
/*
 * Software x86-64 VP: state, system registers, MSRs, control registers
 * and the default CPUID table.
 */
#include "svp_internal.h"

/**
 * svp_cpu_size() - bytes to allocate (zeroed) for one struct svp_cpu.
 */
size_t svp_cpu_size(void)
{
	return sizeof(struct svp_cpu);
}

/**
 * svp_update_mode() - recompute the CPL and whether the current processor
 * mode (64-bit long mode) is supported.
 * @cpu: the VP.
 */
void svp_update_mode(struct svp_cpu *cpu)
{
	const struct svp_state *s = &cpu->s;

	cpu->cpl = s->seg[SVP_SEG_CS].sel & 3;
	cpu->mode_ok = (s->cr0 & SVP_CR0_PE) && (s->cr0 & SVP_CR0_PG) &&
		       (s->efer & SVP_EFER_LMA) &&
		       (s->seg[SVP_SEG_CS].attr & (1U << 13));
	svp_update_slow(cpu);
}

static bool svp_pat_ok(u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = v >> (i * 8);

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* MTRR memory types: UC, WC, WT, WP, WB (2, 3 and 7 and above #GP). */
static bool svp_mtrr_type_ok(u8 t)
{
	return t == 0 || t == 1 || (t >= 4 && t <= 6);
}

/* Every byte of @v a valid MTRR memory type (the fixed-range MTRRs). */
static bool svp_mtrr_fixed_ok(u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!svp_mtrr_type_ok(v >> (i * 8)))
			return false;
	return true;
}

/*
 * The MTRR value rules (Intel SDM vol. 3, 12.11): IA32_MTRRCAP is read
 * only; IA32_MTRR_DEF_TYPE has the type in bits 7:0, FE (10) and E (11);
 * PHYSBASEn the type in 7:0 and the base in MAXPHYADDR-1:12; PHYSMASKn
 * valid (11) and the mask in MAXPHYADDR-1:12. Every other bit is
 * reserved.
 */
static bool svp_mtrr_value_ok(u32 msr, u64 val)
{
	if (msr == 0xfe)
		return false;
	if (msr == 0x2ff)
		return !(val & ~0xcffULL) && svp_mtrr_type_ok(val);
	if (msr >= 0x200 && msr <= 0x20f) {
		if (msr & 1)
			return !(val & ~(SVP_PHYS_MASK & ~0x7ffULL));
		return !(val & ~(SVP_PHYS_MASK & ~0xf00ULL)) &&
		       svp_mtrr_type_ok(val);
	}
	return svp_mtrr_fixed_ok(val);
}

/*
 * RDMSR/WRMSR of an MSR the core does not keep: the embedder's msr op,
 * or #GP(0) without one (or when it refuses).
 */
static int svp_msr_op(struct svp_cpu *cpu, u32 msr, bool write, u64 *val)
{
	if (!write)
		*val = 0;
	if (!cpu->ops->msr || cpu->ops->msr(cpu->opaque, msr, write, val))
		return svp_raise(cpu, SVP_GP, 0, true);
	return SVP_OK;
}

/**
 * svp_rdmsr() - read an MSR.
 * @cpu: the VP.
 * @msr: MSR index.
 * @val: result.
 *
 * IA32_APIC_BASE and every MSR the core does not keep go to the msr host
 * op when there is one.
 *
 * Return: SVP_OK or SVP_R_EXC (#GP(0) for an unknown MSR).
 */
int svp_rdmsr(struct svp_cpu *cpu, u32 msr, u64 *val)
{
	struct svp_state *s = &cpu->s;

	switch (msr) {
	case 0x10:
		*val = svp_env_rdtsc() + s->tsc_offset;
		break;
	case 0x1b:
		if (cpu->ops->msr)
			return svp_msr_op(cpu, msr, false, val);
		*val = s->apic_base;
		break;
	case 0x174:
		*val = s->sysenter_cs;
		break;
	case 0x175:
		*val = s->sysenter_esp;
		break;
	case 0x176:
		*val = s->sysenter_eip;
		break;
	case 0x277:
		*val = s->pat;
		break;
	case 0xc0000080:
		*val = s->efer;
		break;
	case 0xc0000081:
		*val = s->star;
		break;
	case 0xc0000082:
		*val = s->lstar;
		break;
	case 0xc0000083:
		*val = s->cstar;
		break;
	case 0xc0000084:
		*val = s->sfmask;
		break;
	case 0xc0000100:
		*val = s->seg[SVP_SEG_FS].base;
		break;
	case 0xc0000101:
		*val = s->seg[SVP_SEG_GS].base;
		break;
	case 0xc0000102:
		*val = s->kernel_gs_base;
		break;
	case 0xc0000103:
		*val = s->tsc_aux;
		break;
	default:
		return svp_msr_op(cpu, msr, false, val);
	}
	return SVP_OK;
}

/* See svp.h. The value rules of svp_wrmsr() for state MSRs. */
bool svp_msr_value_ok(u32 msr, u64 val)
{
	switch (msr) {
	case 0x174:		/* SYSENTER_CS */
		return !(val >> 16);
	case 0x175:		/* SYSENTER_ESP */
	case 0x176:		/* SYSENTER_EIP */
	case 0xc0000082:	/* LSTAR */
	case 0xc0000083:	/* CSTAR */
	case 0xc0000100:	/* FS_BASE */
	case 0xc0000101:	/* GS_BASE */
	case 0xc0000102:	/* KERNEL_GS_BASE */
		return svp_canonical(val);
	case 0x277:		/* PAT */
		return svp_pat_ok(val);
	case 0xc0000084:	/* SFMASK */
	case 0xc0000103:	/* TSC_AUX */
		return !(val >> 32);
	case 0xfe:		/* MTRRCAP */
	case 0x200 ... 0x20f:	/* MTRR_PHYSBASE0..MTRR_PHYSMASK7 */
	case 0x250:		/* MTRR_FIX64K_00000 */
	case 0x258:		/* MTRR_FIX16K_80000 */
	case 0x259:		/* MTRR_FIX16K_A0000 */
	case 0x268 ... 0x26f:	/* MTRR_FIX4K_C0000..MTRR_FIX4K_F8000 */
	case 0x2ff:		/* MTRR_DEF_TYPE */
		return svp_mtrr_value_ok(msr, val);
	default:
		return true;
	}
}

/**
 * svp_wrmsr() - write an MSR.
 * @cpu: the VP.
 * @msr: MSR index.
 * @val: value.
 *
 * IA32_APIC_BASE and every MSR the core does not keep go to the msr host
 * op when there is one.
 *
 * Return: SVP_OK or SVP_R_EXC (#GP(0) for unknown MSRs or reserved bits).
 */
int svp_wrmsr(struct svp_cpu *cpu, u32 msr, u64 val)
{
	struct svp_state *s = &cpu->s;

	if (!svp_msr_value_ok(msr, val))
		goto gp;
	switch (msr) {
	case 0x10:
		s->tsc_offset = val - svp_env_rdtsc();
		break;
	case 0x1b:
		if (cpu->ops->msr)
			return svp_msr_op(cpu, msr, true, &val);
		if (val & ~(0x000000fffffff900ULL))
			goto gp;
		s->apic_base = val;
		break;
	case 0x174:
		s->sysenter_cs = val;
		break;
	case 0x175:
		s->sysenter_esp = val;
		break;
	case 0x176:
		s->sysenter_eip = val;
		break;
	case 0x277:
		s->pat = val;
		break;
	case 0xc0000080: {
		u64 nv;

		if (val & ~SVP_EFER_VALID)
			goto gp;
		if ((s->cr0 & SVP_CR0_PG) &&
		    ((val ^ s->efer) & SVP_EFER_LME))
			goto gp;
		nv = (val & ~SVP_EFER_LMA) | (s->efer & SVP_EFER_LMA);
		if ((nv ^ s->efer) & SVP_EFER_NXE)
			svp_tlb_flush(cpu);
		s->efer = nv;
		break;
	}
	case 0xc0000081:
		s->star = val;
		break;
	case 0xc0000082:
		s->lstar = val;
		break;
	case 0xc0000083:
		s->cstar = val;
		break;
	case 0xc0000084:
		s->sfmask = val;
		break;
	case 0xc0000100:
		s->seg[SVP_SEG_FS].base = val;
		break;
	case 0xc0000101:
		s->seg[SVP_SEG_GS].base = val;
		break;
	case 0xc0000102:
		s->kernel_gs_base = val;
		break;
	case 0xc0000103:
		s->tsc_aux = val;
		break;
	default:
		return svp_msr_op(cpu, msr, true, &val);
	}
	return SVP_OK;
gp:
	return svp_raise(cpu, SVP_GP, 0, true);
}

/**
 * svp_write_cr() - MOV to a control register.
 * @cpu: the VP.
 * @cr: 0, 2, 3, 4 or 8.
 * @val: value.
 *
 * Return: SVP_OK or SVP_R_EXC.
 */
int svp_write_cr(struct svp_cpu *cpu, int cr, u64 val)
{
	struct svp_state *s = &cpu->s;

	switch (cr) {
	case 0:
		if ((val & ~SVP_CR0_VALID) ||
		    ((val & SVP_CR0_PG) && !(val & SVP_CR0_PE)) ||
		    ((val & SVP_CR0_NW) && !(val & SVP_CR0_CD)))
			goto gp;
		if ((val & SVP_CR0_PG) && !(s->cr0 & SVP_CR0_PG) &&
		    (s->efer & SVP_EFER_LME)) {
			if (!(s->cr4 & SVP_CR4_PAE))
				goto gp;
			s->efer |= SVP_EFER_LMA;
		}
		if (!(val & SVP_CR0_PG))
			s->efer &= ~SVP_EFER_LMA;
		s->cr0 = val | SVP_CR0_ET;
		svp_tlb_flush(cpu);
		svp_update_mode(cpu);
		break;
	case 2:
		s->cr2 = val;
		break;
	case 3:
		if (val & ~SVP_PHYS_MASK)
			goto gp;
		s->cr3 = val;
		svp_tlb_flush(cpu);
		break;
	case 4:
		if (val & ~SVP_CR4_VALID)
			goto gp;
		if ((s->efer & SVP_EFER_LMA) && !(val & SVP_CR4_PAE))
			goto gp;
		s->cr4 = val;
		svp_tlb_flush(cpu);
		break;
	case 8:
		if (val & ~0xfULL)
			goto gp;
		if (!cpu->ops->set_cr8) {
			s->cr8 = val;
			break;
		}
		/* the TPR changed: let the embedder re-evaluate interrupts */
		cpu->ops->set_cr8(cpu->opaque, val);
		cpu->exit->reason = SVP_EXIT_KICK;
		cpu->exit_pending = true;
		break;
	default:
		goto gp;
	}
	return SVP_OK;
gp:
	return svp_raise(cpu, SVP_GP, 0, true);
}

/**
 * svp_read_cr8() - MOV from CR8.
 * @cpu: the VP.
 *
 * Return: the embedder's TPR (get_cr8 host op) or the core's own CR8.
 */
u64 svp_read_cr8(struct svp_cpu *cpu)
{
	if (cpu->ops->get_cr8)
		return cpu->ops->get_cr8(cpu->opaque) & 0xf;
	return cpu->s.cr8;
}

/**
 * svp_flush_all() - forget every cached translation.
 * @cpu: the VP.
 */
void svp_flush_all(struct svp_cpu *cpu)
{
	svp_tlb_flush(cpu);
	svp_code_flush(cpu);
}

/**
 * svp_cpu_init() - initialise a zeroed svp_cpu to the power-on state.
 * @cpu: zeroed memory of svp_cpu_size() bytes.
 * @ops: host services.
 * @opaque: passed to the host services.
 * @apic_id: initial APIC ID.
 * @bsp: bootstrap processor.
 */
void svp_cpu_init(struct svp_cpu *cpu, const struct svp_host_ops *ops,
		  void *opaque, u32 apic_id, bool bsp)
{
	struct svp_state *s = &cpu->s;
	int i;

	memset(cpu, 0, sizeof(*cpu));
	cpu->ops = ops;
	cpu->opaque = opaque;
	cpu->apic_id = apic_id;
	cpu->bsp = bsp;
	for (i = 0; i < SVP_SEG_COUNT; i++) {
		s->seg[i].limit = 0xffff;
		s->seg[i].attr = 0x93;
	}
	s->seg[SVP_SEG_CS].sel = 0xf000;
	s->seg[SVP_SEG_CS].base = 0xffff0000ULL;
	s->seg[SVP_SEG_CS].attr = 0x9b;
	s->seg[SVP_SEG_TR].attr = 0x8b;
	s->seg[SVP_SEG_LDTR].attr = 0x82;
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->rip = 0xfff0;
	s->gpr[2] = 0x600;
	s->cr0 = 0x60000010ULL;
	s->apic_base = 0xfee00000ULL | (1ULL << 11) | (bsp ? 1ULL << 8 : 0);
	s->pat = 0x0007040600070406ULL;
	svp_put_rflags(cpu, 2);
	svp_update_mode(cpu);
	svp_dbg_reset(cpu);
	svp_tlb_flush(cpu);
	svp_code_flush(cpu);
}

/**
 * svp_get_state() - copy the architectural state out.
 * @cpu: the VP.
 * @st: destination (intr_shadow: only a shadow still in effect).
 */
void svp_get_state(struct svp_cpu *cpu, struct svp_state *st)
{
	*st = cpu->s;
	st->rflags = svp_get_rflags(cpu);
	st->intr_shadow = svp_shadow_live(cpu);
}

/**
 * svp_set_state() - replace the architectural state.
 * @cpu: the VP.
 * @st: the new state.
 *
 * The interrupt state must be consistent: at most one shadow (the STI
 * shadow only with RFLAGS.IF set), nmi_blocked 0 or 1, event_pending an
 * SVP_EVENT_* value and event_vector zero unless it is SVP_EVENT_IRQ. A
 * shadow set here holds for the next instruction.
 *
 * Return: 0 or -EINVAL.
 */
int svp_set_state(struct svp_cpu *cpu, const struct svp_state *st)
{
	const struct svp_seg *cs = &st->seg[SVP_SEG_CS];
	bool pg = st->cr0 & SVP_CR0_PG, lme = st->efer & SVP_EFER_LME;
	bool lma = st->efer & SVP_EFER_LMA;

	if ((st->rflags & ~SVP_RFLAGS_VALID) || (st->cr0 & ~SVP_CR0_VALID) ||
	    (st->cr4 & ~SVP_CR4_VALID) || (st->efer & ~SVP_EFER_VALID) ||
	    (st->cr3 & ~SVP_PHYS_MASK) || (st->cr8 & ~0xfULL))
		return -EINVAL;
	if (pg && !(st->cr0 & SVP_CR0_PE))
		return -EINVAL;
	if (lma != (lme && pg))
		return -EINVAL;
	if (lme && pg && !(st->cr4 & SVP_CR4_PAE))
		return -EINVAL;
	if ((cs->attr & (1U << 13)) && (cs->attr & (1U << 14)))
		return -EINVAL;
	if (lma && (cs->attr & (1U << 13)) && !svp_canonical(st->rip))
		return -EINVAL;
	/* one shadow at a time; the STI shadow only with IF set */
	if (st->intr_shadow != 0 && st->intr_shadow != SVP_SHADOW_STI &&
	    st->intr_shadow != SVP_SHADOW_MOV_SS)
		return -EINVAL;
	if ((st->intr_shadow & SVP_SHADOW_STI) && !(st->rflags & SVP_IF))
		return -EINVAL;
	if (st->nmi_blocked > 1 || st->event_pending > SVP_EVENT_NMI ||
	    (st->event_pending != SVP_EVENT_IRQ && st->event_vector))
		return -EINVAL;
	cpu->s = *st;
	cpu->shadow_at = cpu->retired;
	svp_put_rflags(cpu, st->rflags);
	memset(cpu->rd, 0, sizeof(cpu->rd));
	cpu->pending_read = false;
	/* a debug exit owed to the VMM is dropped, a guest #DB is not */
	cpu->dbg.pend_vmm = 0;
	svp_update_mode(cpu);
	svp_flush_all(cpu);
	return 0;
}

/**
 * svp_complete_read() - supply the data of the pending IN or MMIO read.
 * @cpu: the VP.
 * @data: as many little-endian bytes as the exit's size.
 */
void svp_complete_read(struct svp_cpu *cpu, const void *data)
{
	int i;

	if (!cpu->pending_read)
		return;
	for (i = 0; i < SVP_RDBUF_COUNT; i++) {
		struct svp_rdbuf *b = &cpu->rd[i];

		if (!b->valid) {
			memcpy(b->data, data, b->size);
			b->valid = true;
			break;
		}
	}
	cpu->pending_read = false;
}

/**
 * svp_cpu_reset() - back to the RESET (@bsp) / INIT state, keeping the
 *	host ops, the opaque pointer, the APIC ID and the retired count.
 * @cpu: the VP.
 * @bsp: bootstrap processor.
 */
void svp_cpu_reset(struct svp_cpu *cpu, bool bsp)
{
	const struct svp_host_ops *ops = cpu->ops;
	void *opaque = cpu->opaque;
	u64 retired = cpu->retired;

	struct svp_guest_debug vmm = cpu->dbg.vmm;

	svp_cpu_init(cpu, ops, opaque, cpu->apic_id, bsp);
	cpu->retired = retired;
	cpu->dbg.vmm = vmm;
	svp_dbg_update(cpu);
}

/**
 * svp_guest_tsc() - the guest's time stamp counter now.
 * @cpu: the VP.
 */
u64 svp_guest_tsc(const struct svp_cpu *cpu)
{
	return svp_env_rdtsc() + cpu->s.tsc_offset;
}

/**
 * svp_insns_retired() - instructions retired since init.
 * @cpu: the VP.
 */
u64 svp_insns_retired(const struct svp_cpu *cpu)
{
	return cpu->retired;
}

#define SVP_STR4(a, b, c, d) ((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | \
			      (u32)(d) << 24)
#define SVP_VENDOR	SVP_STR4('V', 'g', 'e', 'n')

static const struct svp_cpuid_leaf svp_cpuid_table[] = {
	{ 0x0, 0, 0, { 0xb, SVP_VENDOR, SVP_VENDOR, SVP_VENDOR } },
	/* family 6; CLFLUSH line 64; CX16 POPCNT hypervisor;
	 * DE TSC MSR PAE CX8 CMOV PAT CLFSH
	 */
	{ 0x1, 0, 0, { 0x600, 0x0800, (1U << 13) | (1U << 23) | (1U << 31),
		       (1U << 2) | (1U << 4) | (1U << 5) | (1U << 6) | (1U << 8) |
		       (1U << 15) | (1U << 16) | (1U << 19) } },
	{ 0x7, 0, SVP_CPUID_SIGNIFICANT_INDEX, { 0, 0, 0, 0 } },
	{ 0xb, 0, SVP_CPUID_SIGNIFICANT_INDEX, { 0, 1, 0x100, 0 } },
	{ 0xb, 1, SVP_CPUID_SIGNIFICANT_INDEX, { 0, 1, 0x201, 0 } },
	{ 0x40000000, 0, 0, { 0x40000000, SVP_VENDOR, SVP_VENDOR,
			      SVP_VENDOR } },
	{ 0x80000000, 0, 0, { 0x80000008, 0, 0, 0 } },
	/* LAHF-LM ABM; SYSCALL NX 1GB-pages RDTSCP LM */
	{ 0x80000001, 0, 0, { 0, 0, (1U << 0) | (1U << 5),
			      (1U << 11) | (1U << 20) | (1U << 26) |
			      (1U << 27) | (1U << 29) } },
	{ 0x80000002, 0, 0, { SVP_STR4('V', 'g', 'e', 'n'),
			      SVP_STR4(' ', 's', 'o', 'f'),
			      SVP_STR4('t', 'w', 'a', 'r'),
			      SVP_STR4('e', ' ', 'x', '8') } },
	{ 0x80000003, 0, 0, { SVP_STR4('6', '-', '6', '4'),
			      SVP_STR4(' ', 'V', 'P', 0), 0, 0 } },
	{ 0x80000004, 0, 0, { 0, 0, 0, 0 } },
	{ 0x80000008, 0, 0, { SVP_PHYS_BITS | (48 << 8), 0, 0, 0 } },
};

/**
 * svp_cpuid_defaults() - the default CPUID leaves of the software VP.
 * @out: array to fill.
 * @max: capacity of @out.
 *
 * Return: the number of leaves (at most @max are written).
 */
unsigned int svp_cpuid_defaults(struct svp_cpuid_leaf *out, unsigned int max)
{
	unsigned int i, n = sizeof(svp_cpuid_table) /
			    sizeof(svp_cpuid_table[0]);

	for (i = 0; i < n && i < max; i++)
		out[i] = svp_cpuid_table[i];
	return n;
}

