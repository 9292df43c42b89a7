// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and string instructions of the software x86-64 VP: IN/OUT
 * and the TSS I/O permission bitmap, and INS/OUTS/MOVS/CMPS/STOS/LODS/SCAS
 * with REP prefixes.
 */
#include "svp_internal.h"

/* ---- port I/O ---- */

/**
 * svp_io_in() - read from an I/O port.
 * @cpu: the VP.
 * @port: the port.
 * @size: access size in bytes.
 * @v: set to the value read.
 *
 * Return: SVP_OK, or SVP_R_EXIT if the VMM must supply the value.
 */
int svp_io_in(struct svp_cpu *cpu, u16 port, int size, u64 *v)
{
	int r = svp_rdbuf_claim(cpu, true, port, size, v);

	if (r != SVP_R_EXIT)
		return r;
	cpu->exit->reason = SVP_EXIT_IO;
	cpu->exit->io.port = port;
	cpu->exit->io.size = size;
	cpu->exit->io.is_write = 0;
	cpu->exit->io.data = 0;
	cpu->exit_pending = true;
	cpu->pending_read = true;
	return SVP_R_EXIT;
}

/**
 * svp_io_out() - write to an I/O port.
 * @cpu: the VP.
 * @port: the port.
 * @size: access size in bytes.
 * @v: the value.
 *
 * Return: SVP_OK, SVP_RETRY or SVP_R_EXIT.
 */
int svp_io_out(struct svp_cpu *cpu, u16 port, int size, u64 v)
{
	if (cpu->exit_pending)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	cpu->exit->reason = SVP_EXIT_IO;
	cpu->exit->io.port = port;
	cpu->exit->io.size = size;
	cpu->exit->io.is_write = 1;
	cpu->exit->io.data = (u32)v;
	cpu->exit_pending = true;
	return SVP_OK;
}

/*
 * I/O permission for IN/OUT/INS/OUTS: CPL <= IOPL, or all bits of the
 * accessed ports clear in the TSS I/O permission bitmap.
 */
/**
 * svp_io_perm() - check the TSS I/O permission bitmap for an access.
 * @cpu: the VP.
 * @port: the first port.
 * @size: access size in bytes.
 *
 * Return: SVP_OK or SVP_R_EXC (#GP).
 */
int svp_io_perm(struct svp_cpu *cpu, u16 port, int size)
{
	const struct svp_seg *tr = &cpu->s.seg[SVP_SEG_TR];
	u64 base, bits;
	int r;

	if (likely(svp_io_ok(cpu)))
		return SVP_OK;
	if ((tr->attr & 0xf) != 0xb || tr->limit < 0x67)
		return svp_raise(cpu, SVP_GP, 0, true);
	r = svp_read_sys(cpu, tr->base + 0x66, 2, &base);
	if (r)
		return r;
	base += port / 8;
	if (base + 1 > tr->limit)
		return svp_raise(cpu, SVP_GP, 0, true);
	r = svp_read_sys(cpu, tr->base + base, 2, &bits);
	if (r)
		return r;
	if ((bits >> (port & 7)) & ((1U << size) - 1))
		return svp_raise(cpu, SVP_GP, 0, true);
	return SVP_OK;
}

/* ---- string instructions ---- */

#define SVP_STR_CHUNK	1024

/**
 * svp_exec_string() - string instructions (INS, OUTS, MOVS, CMPS, STOS,
 * LODS, SCAS).
 * @cpu: the VP.
 * @in: the decoded instruction.
 *
 * Return: SVP_OK, SVP_RETRY (REP not finished) or an SVP_R_* code.
 */
int svp_exec_string(struct svp_cpu *cpu, const struct svp_insn *in)
{
	int op = in->op, size = (op & 1) ? in->osz : 1, r = SVP_OK;
	u64 am = svp_mask(in->asz), *g = cpu->s.gpr;
	s64 delta = (cpu->s.rflags & SVP_DF) ? -size : size;
	u64 sbase = 0;
	unsigned int n = 0;
	bool done = false;

	if (in->seg == SVP_SEG_FS || in->seg == SVP_SEG_GS)
		sbase = cpu->s.seg[in->seg].base;
	if ((op & ~1) == 0x6c || (op & ~1) == 0x6e) {
		if (size == 8)
			size = 4;
		r = svp_io_perm(cpu, g[2], size);
		if (r)
			return r;
	}
	while (!done) {
		u64 rsi = g[6] & am, rdi = g[7] & am, a = 0, b = 0;

		if (in->rep && !(g[1] & am)) {
			done = true;
			break;
		}
		switch (op & ~1) {
		case 0xa4:	/* MOVS */
			r = svp_mrd(cpu, sbase + rsi, size, &a);
			if (!r)
				r = svp_mwr(cpu, rdi, size, a);
			break;
		case 0xa6:	/* CMPS */
			r = svp_mrd(cpu, sbase + rsi, size, &a);
			if (!r)
				r = svp_mrd(cpu, rdi, size, &b);
			break;
		case 0xaa:	/* STOS */
			r = svp_mwr(cpu, rdi, size, g[0]);
			break;
		case 0xac:	/* LODS */
			r = svp_mrd(cpu, sbase + rsi, size, &a);
			break;
		case 0xae:	/* SCAS */
			r = svp_mrd(cpu, rdi, size, &b);
			break;
		case 0x6c:	/* INS */
			r = svp_io_in(cpu, g[2], size, &a);
			if (!r)
				r = svp_mwr(cpu, rdi, size, a);
			break;
		default:	/* OUTS */
			r = svp_mrd(cpu, sbase + rsi, size, &a);
			if (!r)
				r = svp_io_out(cpu, g[2], size, a);
			break;
		}
		if (r)
			return r;
		switch (op & ~1) {
		case 0xa6:
			svp_set_lazy(cpu, SVP_LF_SUB, size, a, b, a - b);
			break;
		case 0xac:
			svp_rset(cpu, in, 0, size, a);
			break;
		case 0xae:
			a = g[0] & svp_mask(size);
			svp_set_lazy(cpu, SVP_LF_SUB, size, a, b, a - b);
			break;
		}
		switch (op & ~1) {
		case 0xa4:
		case 0xa6:
		case 0xac:
		case 0x6e:
			rsi = (rsi + delta) & am;
			g[6] = rsi;
			break;
		}
		switch (op & ~1) {
		case 0xa4:
		case 0xa6:
		case 0xaa:
		case 0xae:
		case 0x6c:
			rdi = (rdi + delta) & am;
			g[7] = rdi;
			break;
		}
		svp_rd_clear(cpu);
		if (!in->rep)
			break;
		g[1] = ((g[1] & am) - 1) & am;
		if (!g[1])
			break;
		if ((op & ~1) == 0xa6 || (op & ~1) == 0xae) {
			bool zf = svp_flags(cpu) & SVP_ZF;

			if ((in->rep == 0xf3 && !zf) ||
			    (in->rep == 0xf2 && zf))
				break;
		}
		if (cpu->exit_pending || ++n >= SVP_STR_CHUNK ||
		    unlikely(cpu->dbg.step_iter))
			return SVP_RETRY;	/* RIP stays */
	}
	return SVP_OK;
}

