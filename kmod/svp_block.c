// SPDX-License-Identifier: GPL-2.0
/*
 * Block cache of the software x86-64 VP: runs of decoded instructions
 * that svp_run() executes back to back, with one software-TLB lookup and
 * one cache probe per block instead of per instruction.
 *
 * A block starts at a linear address whose instruction is already in the
 * decode cache (so it has been fetched and decoded once without a fault)
 * and extends through the following instructions of the same guest page
 * up to the first branch, the first instruction without a fast-path kind
 * (svp_exec() may change the mode, the TLB or the interrupt state) or
 * SVP_BLK_INSNS instructions. Blocks are tagged with the code page
 * generation like decode cache entries, so a guest write to the page
 * (svp_translate() for write) invalidates them; svp_run() also leaves a
 * block as soon as an instruction of the block changes the generation.
 */
#include "svp_internal.h"

/* Whether the instruction ends a block (a branch or not a fast form). */
static bool svp_block_ends(const struct svp_insn *in)
{
	switch (in->fk) {
	case FK_NONE:
	case FK_JCC8:
	case FK_JCC32:
	case FK_JMP8:
	case FK_JMP32:
	case FK_CALL:
	case FK_RET:
	case FK_JMP_IND:
		return true;
	default:
		return false;
	}
}

/**
 * svp_block_prep() - precompute the fields of a decoded instruction that
 * svp_run() uses (see struct svp_insn).
 * @cpu: the VP whose registers the instruction will use.
 * @in: the instruction, with next_rip set.
 */
void svp_block_prep(struct svp_cpu *cpu, struct svp_insn *in)
{
	in->msk = in->osz == 8 ? ~0ULL : 0xffffffffULL;
	in->eak = 0;
	if (!in->mem)
		return;
	in->bdisp = in->disp + (in->riprel ? in->next_rip : 0);
	in->pb = in->base >= 0 ? &cpu->s.gpr[in->base] : &cpu->zero;
	in->pi = in->index >= 0 ? &cpu->s.gpr[in->index] : &cpu->zero;
	in->eak = in->asz == 8 && in->seg == SEG_NONE ? 1 : 2;
}

/**
 * svp_block_build() - build the block at RIP.
 * @cpu: the VP.
 * @e: the execute TLB entry of RIP's page (for the current privilege).
 *
 * The instructions after the first are decoded ahead of their execution:
 * only while at least 15 bytes remain in the page (the decoder then never
 * touches the next page) and only as long as the decoder succeeds; an
 * instruction that would fault is left to the per-instruction path when
 * execution reaches it.
 *
 * Return: the block, or NULL if the instruction at RIP is not in the
 * decode cache (the caller runs it on the per-instruction path, which
 * caches it).
 */
struct svp_block *svp_block_build(struct svp_cpu *cpu, struct svp_tlbe *e)
{
	u64 rip = cpu->s.rip, la = rip, g = e->gpa + (rip & 0xfff);
	struct svp_codepage *cp = &cpu->cp[(g >> 12) & (SVP_CP_SIZE - 1)];
	struct svp_insn *d, buf, *out;
	struct svp_block *b;
	u32 n;

	d = &cpu->dc[(la ^ (la >> SVP_DC_BITS)) & (SVP_DC_SIZE - 1)];
	if (d->la != la || d->gpa != g || cp->gen != d->gen ||
	    cp->page != e->gpa)
		return NULL;
	b = &cpu->blk[(la ^ (la >> SVP_BLK_BITS)) & (SVP_BLK_COUNT - 1)];
	b->la = la;
	b->gpa = g;
	b->gen = d->gen;
	b->in[0] = *d;
	b->in[0].next_rip = la + d->len;
	for (n = 1; n < SVP_BLK_INSNS; n++) {
		out = &b->in[n - 1];
		if (svp_block_ends(out))
			break;
		la = out->next_rip;
		if ((la & 0xfff) > 4096 - 15 || !(la & 0xfff))
			break;
		cpu->s.rip = la;
		if (svp_decode(cpu, &buf, &out))
			break;
		/* decoding never changes the page's generation, but be sure */
		if (out->gpa != e->gpa + (la & 0xfff) || out->gen != b->gen ||
		    out->la != la)
			break;
		b->in[n] = *out;
	}
	cpu->s.rip = rip;
	cpu->ib_len = 0;
	b->n = n;
	while (n--)
		svp_block_prep(cpu, &b->in[n]);
	return b;
}
