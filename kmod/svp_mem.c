// SPDX-License-Identifier: GPL-2.0
/*
 * Guest paging, software TLB and guest memory slow paths of
 * the software x86-64 VP.
 *
 * Only 4-level long-mode paging is implemented. Page-table pages must be
 * RAM (gpa_to_hva() non-NULL for write, so that accessed/dirty bits can be
 * set atomically); a page table in MMIO or read-only memory ends svp_run()
 * with SVP_EXIT_FAILURE / SVP_FAIL_EMULATION.
 */
#include "svp_internal.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	(SVP_PHYS_MASK & ~0xfffULL)
#define PTE_RSVD_HI	(0x000fffffffffffffULL & ~SVP_PHYS_MASK)

#define PFEC_P		(1U << 0)
#define PFEC_W		(1U << 1)
#define PFEC_U		(1U << 2)
#define PFEC_RSVD	(1U << 3)
#define PFEC_I		(1U << 4)

/**
 * svp_tlb_flush() - invalidate the whole software TLB.
 * @cpu: the VP.
 */
void svp_tlb_flush(struct svp_cpu *cpu)
{
	struct svp_tlbe *e = &cpu->tlb[0][0][0];
	unsigned int i, n = sizeof(cpu->tlb) / sizeof(*e);

	for (i = 0; i < n; i++)
		e[i].tag = SVP_TLB_INVALID;
}

/**
 * svp_code_flush() - invalidate every cached decoded instruction.
 * @cpu: the VP.
 */
void svp_code_flush(struct svp_cpu *cpu)
{
	unsigned int i;

	for (i = 0; i < SVP_CP_SIZE; i++) {
		cpu->cp[i].page = SVP_TLB_INVALID;
		svp_code_inval(cpu, &cpu->cp[i]);
	}
}

/**
 * svp_code_mark() - note that decoded instructions of guest physical page
 * @page are being cached. Writes to such a page never hit the write TLB,
 * so the write path (svp_translate() for write) sees them and invalidates
 * the page's decoded instructions.
 * @cpu: the VP.
 * @page: guest physical page address.
 */
void svp_code_mark(struct svp_cpu *cpu, u64 page)
{
	struct svp_codepage *cp = &cpu->cp[(page >> 12) & (SVP_CP_SIZE - 1)];
	unsigned int i;
	int u;

	if (cp->page == page)
		return;
	cp->page = page;
	svp_code_inval(cpu, cp);
	for (u = 0; u < 2; u++) {
		struct svp_tlbe *e = cpu->tlb[u][SVP_ACC_W];

		for (i = 0; i < SVP_TLB_SIZE; i++)
			if (e[i].gpa == page)
				e[i].tag = SVP_TLB_INVALID;
	}
}

/**
 * svp_tlb_flush_page() - invalidate the TLB entries of one linear page.
 * @cpu: the VP.
 * @la: any address in the page.
 */
void svp_tlb_flush_page(struct svp_cpu *cpu, u64 la)
{
	unsigned int idx = (la >> 12) & (SVP_TLB_SIZE - 1);
	int u, a;

	for (u = 0; u < 2; u++)
		for (a = 0; a < SVP_ACC_COUNT; a++)
			cpu->tlb[u][a][idx].tag = SVP_TLB_INVALID;
}

static int svp_pf(struct svp_cpu *cpu, u64 la, u32 ec)
{
	cpu->s.cr2 = la;
	return svp_raise(cpu, SVP_PFV, ec, true);
}

/**
 * svp_translate() - translate a linear address, checking permissions.
 * @cpu: the VP.
 * @la: canonical linear address.
 * @acc: SVP_ACC_R, SVP_ACC_W or SVP_ACC_X.
 * @user: a user-mode (CPL 3) access.
 * @hva: set to the host address of the byte, or NULL for MMIO.
 * @gpa: set to the guest physical address.
 *
 * Sets accessed/dirty bits and fills the TLB on success.
 * Return: SVP_OK, SVP_R_EXC (#PF raised) or SVP_R_EXIT (failure exit).
 */
int svp_translate(struct svp_cpu *cpu, u64 la, int acc, bool user,
		  u8 **hva, u64 *gpa)
{
	bool nxe = cpu->s.efer & SVP_EFER_NXE;
	u64 *ptes[4];
	u64 table, pte = 0, rsvd, frame, pa;
	bool uok = true, wok = true, nx = false;
	u32 ec = 0;
	int level, n = 0;
	u8 *page;

	if (!(cpu->s.cr0 & SVP_CR0_PG)) {
		pa = la & SVP_PHYS_MASK;
		goto done;
	}
	if (user)
		ec |= PFEC_U;
	if (acc == SVP_ACC_W)
		ec |= PFEC_W;
	if (acc == SVP_ACC_X && nxe)
		ec |= PFEC_I;

	table = cpu->s.cr3 & PTE_ADDR;
	for (level = 4; level >= 1; level--) {
		u64 idx = (la >> (12 + 9 * (level - 1))) & 511;
		u64 pgpa = table + idx * 8;
		u8 *pp = cpu->ops->gpa_to_hva(cpu->opaque, pgpa & ~0xfffULL,
					      true);

		if (!pp)
			return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
		ptes[n] = (u64 *)(pp + (pgpa & 0xfff));
		pte = svp_env_load(ptes[n], 8);
		n++;
		if (!(pte & PTE_P))
			return svp_pf(cpu, la, ec);
		rsvd = PTE_RSVD_HI;
		if (!nxe)
			rsvd |= PTE_NX;
		if (level == 4)
			rsvd |= PTE_PS;
		else if (level == 3 && (pte & PTE_PS))
			rsvd |= 0x3fffe000ULL;
		else if (level == 2 && (pte & PTE_PS))
			rsvd |= 0x1fe000ULL;
		if (pte & rsvd)
			return svp_pf(cpu, la, ec | PFEC_P | PFEC_RSVD);
		uok = uok && (pte & PTE_U);
		wok = wok && (pte & PTE_W);
		nx = nx || (nxe && (pte & PTE_NX));
		if ((level == 3 || level == 2) && (pte & PTE_PS))
			break;
		table = pte & PTE_ADDR;
	}
	if (level == 3)
		frame = (pte & PTE_ADDR & ~0x3fffffffULL) | (la & 0x3fffffffULL);
	else if (level == 2)
		frame = (pte & PTE_ADDR & ~0x1fffffULL) | (la & 0x1fffffULL);
	else
		frame = (pte & PTE_ADDR) | (la & 0xfff);

	if (user && !uok)
		return svp_pf(cpu, la, ec | PFEC_P);
	if (acc == SVP_ACC_W && !wok &&
	    (user || (cpu->s.cr0 & SVP_CR0_WP)))
		return svp_pf(cpu, la, ec | PFEC_P);
	if (acc == SVP_ACC_X && nx)
		return svp_pf(cpu, la, ec | PFEC_P);

	for (level = 0; level < n; level++) {
		u64 bits = PTE_A;

		if (level == n - 1 && acc == SVP_ACC_W)
			bits |= PTE_D;
		if ((svp_env_load(ptes[level], 8) & bits) != bits)
			svp_env_or64(ptes[level], bits);
	}
	pa = frame;
done:
	*gpa = pa;
	page = cpu->ops->gpa_to_hva(cpu->opaque, pa & ~0xfffULL,
				    acc == SVP_ACC_W);
	if (page) {
		struct svp_tlbe *e;

		if (acc == SVP_ACC_W) {
			struct svp_codepage *cp;

			cp = &cpu->cp[(pa >> 12) & (SVP_CP_SIZE - 1)];
			if (cp->page == (pa & ~0xfffULL)) {
				cp->page = SVP_TLB_INVALID;
				svp_code_inval(cpu, cp);
			}
		}
		*hva = page + (pa & 0xfff);
		/* a data breakpoint's page: every access takes a slow path */
		if (acc != SVP_ACC_X && unlikely(cpu->dbg.data) &&
		    svp_dbg_page_watched(cpu, la))
			return SVP_OK;
		e = &cpu->tlb[user][acc][(la >> 12) & (SVP_TLB_SIZE - 1)];
		e->tag = la & ~0xfffULL;
		e->hva = page;
		e->gpa = pa & ~0xfffULL;
	} else {
		*hva = NULL;
	}
	return SVP_OK;
}

/**
 * svp_rdbuf_claim() - look up the completed data of an IN or MMIO read.
 * @cpu: the VP.
 * @io: true for port I/O, false for MMIO.
 * @addr: port or guest physical address.
 * @size: access size in bytes.
 * @val: receives the data when it has been supplied.
 *
 * If svp_complete_read() already supplied the data of this access (the
 * instruction is being re-executed), store it in @val and return SVP_OK.
 * Otherwise claim a free read buffer for it and return SVP_R_EXIT; the
 * caller fills in the exit. An instruction needing more reads than there
 * are buffers is an emulation failure.
 */
int svp_rdbuf_claim(struct svp_cpu *cpu, bool io, u64 addr, int size,
		    u64 *val)
{
	struct svp_rdbuf *b, *free = NULL;
	int i;

	for (i = 0; i < SVP_RDBUF_COUNT; i++) {
		b = &cpu->rd[i];
		if (!b->valid) {
			if (!free)
				free = b;
			continue;
		}
		if (b->io == io && b->addr == addr && b->size == size) {
			u64 v = 0;

			memcpy(&v, b->data, size);
			*val = v;
			return SVP_OK;
		}
	}
	if (!free)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	free->addr = addr;
	free->size = size;
	free->io = io;
	return SVP_R_EXIT;
}

static int svp_mmio_read(struct svp_cpu *cpu, u64 gpa, int size, u64 *val)
{
	int r = svp_rdbuf_claim(cpu, false, gpa, size, val);

	if (r != SVP_R_EXIT)
		return r;
	cpu->exit->reason = SVP_EXIT_MMIO;
	cpu->exit->mmio.gpa = gpa;
	cpu->exit->mmio.size = size;
	cpu->exit->mmio.is_write = 0;
	memset(cpu->exit->mmio.data, 0, sizeof(cpu->exit->mmio.data));
	cpu->exit_pending = true;
	cpu->pending_read = true;
	return SVP_R_EXIT;
}

static int svp_check_la(struct svp_cpu *cpu, u64 la, int size)
{
	if (unlikely(!svp_canonical(la) || !svp_canonical(la + size - 1)))
		return svp_raise(cpu, SVP_GP, 0, true);
	return SVP_OK;
}

/**
 * svp_read_slow() - read guest memory on a TLB miss, page crossing or MMIO.
 * @cpu: the VP.
 * @la: linear address.
 * @size: 1, 2, 4 or 8.
 * @val: result.
 * @acc: SVP_ACC_R, or SVP_ACC_X for instruction fetch.
 * @user: user-mode access.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_read_slow(struct svp_cpu *cpu, u64 la, int size, u64 *val,
		  int acc, bool user)
{
	u32 off = la & 0xfff;
	u8 *h1, *h2;
	u64 g1, g2, v = 0;
	int r, n1;

	r = svp_check_la(cpu, la, size);
	if (r)
		return r;
	if (unlikely(cpu->dbg.data) && acc == SVP_ACC_R)
		svp_dbg_access(cpu, la, size, false);
	r = svp_translate(cpu, la, acc, user, &h1, &g1);
	if (r)
		return r;
	if (off + size <= 4096) {
		if (!h1) {
			if (acc == SVP_ACC_X)
				return svp_fail(cpu, SVP_FAIL_EMULATION,
						NULL, 0);
			return svp_mmio_read(cpu, g1, size, val);
		}
		memcpy(&v, h1, size);
		*val = v;
		return SVP_OK;
	}
	n1 = 4096 - off;
	r = svp_translate(cpu, la + n1, acc, user, &h2, &g2);
	if (r)
		return r;
	if (!h1 || !h2)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	memcpy(&v, h1, n1);
	memcpy((u8 *)&v + n1, h2, size - n1);
	*val = v;
	return SVP_OK;
}

static int svp_mmio_write(struct svp_cpu *cpu, u64 gpa, int size, u64 val)
{
	if (cpu->exit_pending)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	cpu->exit->reason = SVP_EXIT_MMIO;
	cpu->exit->mmio.gpa = gpa;
	cpu->exit->mmio.size = size;
	cpu->exit->mmio.is_write = 1;
	memset(cpu->exit->mmio.data, 0, sizeof(cpu->exit->mmio.data));
	memcpy(cpu->exit->mmio.data, &val, size);
	cpu->exit_pending = true;
	return SVP_OK;
}

/**
 * svp_write_slow() - write guest memory on a TLB miss, page crossing or
 * MMIO. An MMIO write records the exit and returns SVP_OK: the instruction
 * completes before svp_run() returns.
 * @cpu: the VP.
 * @la: linear address.
 * @size: 1, 2, 4 or 8.
 * @val: value.
 * @user: user-mode access.
 *
 * Return: SVP_OK, SVP_R_EXC or SVP_R_EXIT.
 */
int svp_write_slow(struct svp_cpu *cpu, u64 la, int size, u64 val,
		   bool user)
{
	u32 off = la & 0xfff;
	u8 *h1, *h2;
	u64 g1, g2;
	int r, n1;

	r = svp_check_la(cpu, la, size);
	if (r)
		return r;
	if (unlikely(cpu->dbg.data))
		svp_dbg_access(cpu, la, size, true);
	r = svp_translate(cpu, la, SVP_ACC_W, user, &h1, &g1);
	if (r)
		return r;
	if (off + size <= 4096) {
		if (!h1)
			return svp_mmio_write(cpu, g1, size, val);
		memcpy(h1, &val, size);
		return SVP_OK;
	}
	n1 = 4096 - off;
	r = svp_translate(cpu, la + n1, SVP_ACC_W, user, &h2, &g2);
	if (r)
		return r;
	if (!h1 || !h2)
		return svp_fail(cpu, SVP_FAIL_EMULATION, NULL, 0);
	memcpy(h1, &val, n1);
	memcpy(h2, (u8 *)&val + n1, size - n1);
	return SVP_OK;
}
