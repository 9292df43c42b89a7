// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual processors: the VP fd, its run page and the run loop
 * around the software VP (svp_run()).
 */
#include <linux/anon_inodes.h>
#include <linux/bitops.h>
#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include "vgen.h"

/* RFLAGS bit 1 is reserved and always one. */
#define VGEN_RFLAGS_FIXED	0x2ULL

static void *vgen_vp_gpa_to_hva(void *opaque, u64 gpa, bool write)
{
	struct vgen_vp *vp = opaque;

	/* The xAPIC page hides whatever is behind it. */
	if (vp->lapic && vgen_lapic_mmio_hit(vp->lapic, gpa))
		return NULL;
	return vgen_memory_gpa_to_hva(vp->part, gpa, write);
}

static void vgen_vp_cpuid(void *opaque, u32 fn, u32 idx, u32 out[4])
{
	struct vgen_vp *vp = opaque;

	vgen_cpuid_lookup(vp->part, vp->apic_id, fn, idx, out);
}

/* IA32_APIC_BASE bits a WRMSR may set without an in-kernel APIC. */
#define VGEN_APIC_BASE_VALID	0x000000fffffff900ULL

/*
 * MSRs the interpreter does not keep, without an in-kernel APIC: the
 * MTRRs and IA32_APIC_BASE (a plain register here).
 */
static int vgen_vp_msr_noapic(void *opaque, u32 index, bool write, u64 *val)
{
	struct vgen_vp *vp = opaque;
	int ret = vgen_vp_mtrr_msr(vp, index, write, val);

	if (ret <= 0)
		return ret;
	if (index != MSR_IA32_APICBASE)
		return -1;
	if (!write) {
		*val = vp->apic_base;
		return 0;
	}
	if (*val & ~VGEN_APIC_BASE_VALID)
		return -1;
	vp->apic_base = *val;
	return 0;
}

/* MSRs the interpreter does not keep: the MTRRs and the local APIC's. */
static int vgen_vp_msr(void *opaque, u32 index, bool write, u64 *val)
{
	struct vgen_vp *vp = opaque;
	int ret = vgen_vp_mtrr_msr(vp, index, write, val);

	if (ret <= 0)
		return ret;
	ret = vgen_lapic_msr(vp->lapic, index, write, val);
	if (ret || !write)
		return ret;
	/* The xAPIC page may have moved or (dis)appeared. */
	if (index == MSR_IA32_APICBASE)
		vp->mem_generation = VGEN_MEM_GENERATION_STALE;
	/*
	 * An EOI, TPR, ICR or timer write may make an interrupt deliverable:
	 * end the chunk so that the run loop looks at the APIC again.
	 */
	svp_kick(vp->cpu);
	return 0;
}

static u64 vgen_vp_get_cr8(void *opaque)
{
	struct vgen_vp *vp = opaque;

	return vgen_lapic_get_cr8(vp->lapic);
}

static void vgen_vp_set_cr8(void *opaque, u64 val)
{
	struct vgen_vp *vp = opaque;

	vgen_lapic_set_cr8(vp->lapic, val);
}

/* A VP of a VGEN_PARTITION_USER_MODE_APIC partition. */
static const struct svp_host_ops vgen_vp_host_ops = {
	.gpa_to_hva	= vgen_vp_gpa_to_hva,
	.cpuid		= vgen_vp_cpuid,
	.msr		= vgen_vp_msr_noapic,
};

/* A VP with an in-kernel local APIC. */
static const struct svp_host_ops vgen_vp_host_ops_apic = {
	.gpa_to_hva	= vgen_vp_gpa_to_hva,
	.cpuid		= vgen_vp_cpuid,
	.msr		= vgen_vp_msr,
	.get_cr8	= vgen_vp_get_cr8,
	.set_cr8	= vgen_vp_set_cr8,
};

/*
 * vgen_vp_memory_enter() - called at the start of every SRCU read section
 * in which the interpreter may touch guest memory: if the memslot table
 * changed since the VP last ran, drop every host pointer it cached.
 */
static void vgen_vp_memory_enter(struct vgen_vp *vp)
{
	/* Pairs with smp_store_release() in vgen_memory_set_region(). */
	u64 gen = smp_load_acquire(&vp->part->mem_generation);

	lockdep_assert_held(&vp->run_lock);
	if (gen != vp->mem_generation) {
		svp_flush_all(vp->cpu);
		vp->mem_generation = gen;
	}
}

/**
 * vgen_vp_set_exit() - clear the output part of the run page and set the
 *	exit reason.
 * @run: the run page.
 * @reason: VGEN_EXIT_*.
 */
void vgen_vp_set_exit(struct vgen_run *run, u32 reason)
{
	memset(run->padding, 0, sizeof(run->padding));
	run->exit_flags = 0;
	run->reserved_out = 0;
	WRITE_ONCE(run->exit_reason, reason);
}

/*
 * vgen_vp_report_exit() - translate an svp exit into the run page.
 *
 * Return: 0, or -EIO for an exit reason the module does not know (an
 * interpreter bug; the partition is dead from then on).
 */
static int vgen_vp_report_exit(struct vgen_vp *vp, int reason,
			       const struct svp_exit *ex)
{
	struct vgen_run *run = vp->run;
	u8 len;

	switch (reason) {
	case SVP_EXIT_IO:
		vgen_vp_set_exit(run, VGEN_EXIT_IO);
		run->io.port = ex->io.port;
		run->io.size = ex->io.size;
		if (ex->io.is_write) {
			run->io.direction = VGEN_EXIT_IO_OUT;
			/* Only the accessed bytes of the register. */
			run->io.data = ex->io.size >= 4 ? ex->io.data :
				ex->io.data & ((1U << (8 * ex->io.size)) - 1);
		} else {
			run->io.direction = VGEN_EXIT_IO_IN;
			vp->pending = VGEN_EXIT_IO;
		}
		return 0;
	case SVP_EXIT_MMIO:
		vgen_vp_set_exit(run, VGEN_EXIT_MMIO);
		run->mmio.gpa = ex->mmio.gpa;
		run->mmio.size = ex->mmio.size;
		run->mmio.is_write = !!ex->mmio.is_write;
		if (ex->mmio.is_write)
			memcpy(run->mmio.data, ex->mmio.data,
			       min_t(u32, ex->mmio.size,
				     sizeof(run->mmio.data)));
		else
			vp->pending = VGEN_EXIT_MMIO;
		return 0;
	case SVP_EXIT_HLT:
		vgen_vp_set_exit(run, VGEN_EXIT_HLT);
		vgen_vp_stats_halt(vp, VGEN_EXIT_HLT);
		return 0;
	case SVP_EXIT_DEBUG:
		vgen_vp_set_exit(run, VGEN_EXIT_DEBUG);
		run->debug.rip = ex->debug.rip;
		run->debug.dr6 = ex->debug.dr6;
		run->debug.type = ex->debug.type == SVP_DEBUG_STEP ?
				  VGEN_DEBUG_EXIT_SINGLE_STEP :
				  VGEN_DEBUG_EXIT_BREAKPOINT;
		run->debug.breakpoint = ex->debug.index;
		return 0;
	case SVP_EXIT_SHUTDOWN:
		vgen_vp_set_exit(run, VGEN_EXIT_SHUTDOWN);
		vgen_vp_stats_halt(vp, VGEN_EXIT_SHUTDOWN);
		vgen_netlink_notify_vp_halted(vp, VGEN_EXIT_SHUTDOWN);
		return 0;
	case SVP_EXIT_FAILURE:
		vgen_vp_set_exit(run, VGEN_EXIT_INTERNAL_ERROR);
		switch (ex->fail.kind) {
		case SVP_FAIL_UNSUPPORTED_MODE:
			run->internal.suberror = VGEN_INTERNAL_UNSUPPORTED_MODE;
			break;
		case SVP_FAIL_INVALID_STATE:
			run->internal.suberror = VGEN_INTERNAL_INVALID_STATE;
			break;
		default:
			run->internal.suberror =
				VGEN_INTERNAL_EMULATION_FAILURE;
			break;
		}
		run->internal.ndata = 1;
		run->internal.data[0] = ex->fail.rip;
		len = min_t(u8, ex->fail.len, sizeof(run->internal.insn));
		run->internal.insn_len = len;
		memcpy(run->internal.insn, ex->fail.insn, len);
		vgen_vp_stats_halt(vp, VGEN_EXIT_INTERNAL_ERROR);
		vgen_netlink_notify_vp_halted(vp, VGEN_EXIT_INTERNAL_ERROR);
		return 0;
	default:
		pr_warn_ratelimited("vgen: unknown svp exit reason %d\n",
				    reason);
		vgen_partition_kill(vp->part);
		return -EIO;
	}
}

/*
 * vgen_vp_doorbell() - an exit that is a guest write matching a doorbell
 * (VGEN_IOEVENTFD) has been handled: the eventfd is signalled and the
 * write is complete (svp completed it before exiting).
 *
 * Return: true if the exit must not reach userspace.
 */
static bool vgen_vp_doorbell(struct vgen_vp *vp, int reason,
			     const struct svp_exit *ex)
{
	u64 val = 0;
	u32 i;

	if (reason == SVP_EXIT_IO && ex->io.is_write) {
		val = ex->io.size >= 4 ? ex->io.data :
			ex->io.data & ((1U << (8 * ex->io.size)) - 1);
		return vgen_ioeventfd_write(vp->part, true, ex->io.port,
					    ex->io.size, val);
	}
	if (reason == SVP_EXIT_MMIO && ex->mmio.is_write &&
	    ex->mmio.size <= sizeof(ex->mmio.data)) {
		for (i = 0; i < ex->mmio.size; i++)
			val |= (u64)ex->mmio.data[i] << (8 * i);
		return vgen_ioeventfd_write(vp->part, false, ex->mmio.gpa,
					    ex->mmio.size, val);
	}
	return false;
}

/*
 * vgen_vp_complete_read() - finish the IN or MMIO read of the previous
 * exit with the data userspace left in the run page (read once): hand the
 * data to the interpreter and re-execute just that instruction, so that
 * the access is complete even if VGEN_RUN then stops for immediate_exit
 * or a signal.
 *
 * A pending VGEN_EXIT_EXTINT is completed by vgen_vp_complete_extint().
 *
 * Return: 0, or 1 if finishing the instruction produced another exit
 * (e.g. the MMIO write of a MOVS from MMIO), which is then in the run
 * page; -EIO if vgen_vp_report_exit() failed; -EINVAL bad ExtINT
 * completion.
 */
static int vgen_vp_complete_read(struct vgen_vp *vp)
{
	struct vgen_run *run = vp->run;
	struct svp_exit ex;
	u8 data[8] = { 0 };
	int idx, reason;
	unsigned int i;
	u32 io;

	lockdep_assert_held(&vp->run_lock);
	if (vp->pending == VGEN_EXIT_EXTINT)
		return vgen_vp_complete_extint(vp);
	if (vp->pending == VGEN_EXIT_IO) {
		io = READ_ONCE(run->io.data);
		for (i = 0; i < sizeof(io); i++)
			data[i] = io >> (8 * i);
	} else {
		memcpy(data, run->mmio.data, sizeof(run->mmio.data));
	}
	vp->pending = 0;

	memset(&ex, 0, sizeof(ex));
	idx = srcu_read_lock(&vp->part->srcu);
	vgen_vp_memory_enter(vp);
	svp_complete_read(vp->cpu, data);
	/*
	 * Retire exactly that instruction: no interrupt window (the run loop
	 * asks again if it still needs one), and a kick that ends the run
	 * before the instruction only means "look again" — the requests it
	 * stands for are seen by the run loop after the completion.
	 */
	svp_request_irq_window(vp->cpu, false);
	for (i = 0; i < 4; i++) {
		reason = svp_run(vp->cpu, 1, &ex);
		if (reason != SVP_EXIT_KICK)
			break;
	}
	srcu_read_unlock(&vp->part->srcu, idx);

	if (reason == SVP_EXIT_BUDGET || reason == SVP_EXIT_KICK ||
	    vgen_vp_doorbell(vp, reason, &ex))
		return 0;
	return vgen_vp_report_exit(vp, reason, &ex) ?: 1;
}

/*
 * vgen_vp_take_yield() - consume a pending yield request: if there is one,
 * clear it and report VGEN_EXIT_YIELD. Requests made after the flag is
 * cleared set it again and are reported by a later VGEN_RUN.
 *
 * Return: true if the yield exit is now in the run page.
 */
static bool vgen_vp_take_yield(struct vgen_vp *vp)
{
	lockdep_assert_held(&vp->run_lock);
	/* Cheap plain read first: the flag is almost always clear. */
	if (!test_bit(VGEN_VP_REQ_YIELD, &vp->requests))
		return false;
	if (!test_and_clear_bit(VGEN_VP_REQ_YIELD, &vp->requests))
		return false;
	vgen_vp_set_exit(vp->run, VGEN_EXIT_YIELD);
	return true;
}

/**
 * vgen_vp_request_yield() - VGEN_REQUEST_YIELD: make a VP return from
 *	VGEN_RUN (now if it runs, else at its next VGEN_RUN).
 * @part: the partition.
 * @args: the request (flags and reserved fields already checked).
 *
 * Sets the VP's yield flag, then kicks the VP (vgen_vp_kick()): a running
 * VP ends its interpreter chunk at the next instruction boundary, and a VP
 * halted in the kernel wakes up; both then see the flag.
 *
 * Return: 0; -EINVAL index out of range; -ENOENT the VP does not exist.
 */
int vgen_vp_request_yield(struct vgen_partition *part,
			  const struct vgen_yield *args)
{
	struct vgen_vp *vp;

	if (args->vp_index >= part->vp_count)
		return -EINVAL;
	/* A VP, once created, lives as long as the partition. */
	mutex_lock(&part->state_lock);
	vp = part->vps[args->vp_index];
	mutex_unlock(&part->state_lock);
	if (!vp)
		return -ENOENT;
	/* Fully ordered; pairs with test_and_clear_bit() in the run loop. */
	if (!test_and_set_bit(VGEN_VP_REQ_YIELD, &vp->requests))
		vgen_vp_kick(vp);
	return 0;
}

/*
 * vgen_vp_apic_mmio() - handle accesses to the in-kernel xAPIC page after
 * svp_run() returned @reason: writes go to the APIC, reads are completed
 * with the register's value and the instruction is finished at once.
 * Inside the SRCU section of the caller.
 *
 * Return: the exit reason to handle next (SVP_EXIT_KICK after an APIC
 * access: the APIC may have something new to inject).
 */
static int vgen_vp_apic_mmio(struct vgen_vp *vp, int reason,
			     struct svp_exit *ex)
{
	u8 data[8];

	lockdep_assert_held(&vp->run_lock);
	while (reason == SVP_EXIT_MMIO &&
	       vgen_lapic_mmio_hit(vp->lapic, ex->mmio.gpa)) {
		if (ex->mmio.is_write) {
			vgen_lapic_mmio_write(vp->lapic, ex->mmio.gpa,
					      ex->mmio.data, ex->mmio.size);
			return SVP_EXIT_KICK;
		}
		memset(data, 0, sizeof(data));
		vgen_lapic_mmio_read(vp->lapic, ex->mmio.gpa, data,
				     ex->mmio.size);
		svp_complete_read(vp->cpu, data);
		memset(ex, 0, sizeof(*ex));
		reason = svp_run(vp->cpu, 1, ex);
		if (reason == SVP_EXIT_BUDGET)
			return SVP_EXIT_KICK;
	}
	return reason;
}

/**
 * vgen_vp_run() - VGEN_RUN: run the VP until an exit.
 * @vp: the VP.
 *
 * Reads the run page's inputs once each; completes a pending IN or MMIO
 * read first, then honours immediate_exit, then runs guest code in chunks
 * of VGEN_RUN_CHECK_INTERVAL instructions, checking for a pending yield
 * request, signals and rescheduling before every chunk (so a yield
 * requested while the VP was not running is reported before any guest
 * instruction runs). Each chunk runs inside an SRCU read section
 * of the partition's memory, after flushing the interpreter's caches if
 * the memory map changed.
 *
 * Return: 0 with run->exit_reason set (VGEN_EXIT_YIELD for a yield
 * request); -EINTR (run->exit_reason is VGEN_EXIT_INTR) immediate_exit or
 * a pending signal; -EINVAL non-zero
 * run->flags or run->reserved_in; -EBUSY the VP is in use by another
 * thread; -EIO internal error of the module.
 */
static int vgen_vp_run(struct vgen_vp *vp)
{
	struct srcu_struct *srcu = &vp->part->srcu;
	struct vgen_run *run = vp->run;
	struct svp_exit ex;
	int idx, reason, ret;
	u64 start;

	/* A partition reset is in progress: as if another thread ran it. */
	if (!down_read_trylock(&vp->part->run_gate))
		return -EBUSY;
	if (!mutex_trylock(&vp->run_lock)) {
		up_read(&vp->part->run_gate);
		return -EBUSY;
	}
	vgen_vp_stats_enter(vp);

	if (READ_ONCE(run->flags) || READ_ONCE(run->reserved_in)) {
		ret = -EINVAL;
		goto out;
	}
	WRITE_ONCE(run->exit_reason, VGEN_EXIT_UNKNOWN);

	if (vp->pending) {
		ret = vgen_vp_complete_read(vp);
		if (ret) {
			/* A new exit (0) or an internal error (-EIO). */
			ret = ret > 0 ? 0 : ret;
			goto out;
		}
	}

	if (READ_ONCE(run->immediate_exit)) {
		vgen_vp_set_exit(run, VGEN_EXIT_INTR);
		ret = -EINTR;
		goto out;
	}

	for (;;) {
		vgen_vp_snapshot_serve(vp);
		if (vgen_vp_take_yield(vp)) {
			ret = 0;
			break;
		}
		if (signal_pending(current)) {
			vgen_vp_set_exit(run, VGEN_EXIT_INTR);
			ret = -EINTR;
			break;
		}
		cond_resched();

		if (vp->lapic) {
			ret = vgen_vp_irq_step(vp);
			if (ret == -EAGAIN)
				continue;
			if (ret) {
				/* An EOI/ExtINT exit (1) or an error. */
				ret = ret > 0 ? 0 : ret;
				break;
			}
		}

		/* Introspection: once per chunk, never per instruction. */
		vgen_vp_stats_chunk(vp);
		memset(&ex, 0, sizeof(ex));
		start = ktime_get_ns();
		idx = srcu_read_lock(srcu);
		vgen_vp_memory_enter(vp);
		reason = svp_run(vp->cpu, VGEN_RUN_CHECK_INTERVAL, &ex);
		vgen_vp_stats_guest_time(vp, start);
		if (vp->lapic)
			reason = vgen_vp_apic_mmio(vp, reason, &ex);
		srcu_read_unlock(srcu, idx);

		switch (reason) {
		case SVP_EXIT_BUDGET:
		case SVP_EXIT_KICK:
		case SVP_EXIT_IRQ_WINDOW:
			continue;
		case SVP_EXIT_HLT:
			if (vp->lapic) {
				/* Wait in the kernel (vgen_vp_irq_step()). */
				vp->activity = VGEN_VP_ACTIVITY_HALTED;
				vgen_vp_stats_halt(vp, VGEN_EXIT_HLT);
				continue;
			}
			break;
		}
		/* A write to a doorbell is done: keep running. */
		if (vgen_vp_doorbell(vp, reason, &ex))
			continue;
		ret = vgen_vp_report_exit(vp, reason, &ex);
		break;
	}
out:
	vgen_vp_stats_leave(vp, ret);
	mutex_unlock(&vp->run_lock);
	up_read(&vp->part->run_gate);
	return ret;
}

/*
 * vgen_vp_put_state() - apply a modified copy of the state. Unchanged
 * state is not written back, so a GET/SET round trip between an IN or
 * MMIO read exit and the next VGEN_RUN keeps the pending read; a real
 * change makes the interpreter drop it (the instruction will run again
 * from the new state), so the module forgets it too.
 */
static int vgen_vp_put_state(struct vgen_vp *vp, const struct svp_state *st,
			     const struct svp_state *orig)
{
	int ret;

	lockdep_assert_held(&vp->run_lock);
	if (!memcmp(st, orig, sizeof(*st)))
		return 0;
	ret = svp_set_state(vp->cpu, st);
	if (!ret)
		vp->pending = 0;
	return ret;
}

/**
 * vgen_vp_state_begin() - start a state update.
 * @vp: the VP.
 *
 * Takes the run lock and returns two copies of the current state, [0] to
 * modify and [1] to compare with (on the heap: the state is large). Finish
 * with vgen_vp_state_commit().
 *
 * Return: the copies, with vp->run_lock held; ERR_PTR(-ENOMEM), or
 * ERR_PTR(-EBUSY) when another thread runs the VP.
 */
struct svp_state *vgen_vp_state_begin(struct vgen_vp *vp)
{
	struct svp_state *st;

	st = kmalloc_array(2, sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return ERR_PTR(-ENOMEM);
	if (!mutex_trylock(&vp->run_lock)) {
		kfree(st);
		return ERR_PTR(-EBUSY);
	}
	svp_get_state(vp->cpu, &st[1]);
	st[0] = st[1];
	return st;
}

/**
 * vgen_vp_state_apply() - apply st[0] of vgen_vp_state_begin() if it
 *	differs from st[1] (dropping a pending IN/MMIO read), keeping the
 *	run lock; the caller unlocks and frees @st.
 * @vp: the VP (run lock held).
 * @st: the copies from vgen_vp_state_begin().
 *
 * Return: 0, or -EINVAL when the VP refuses the state (svp_set_state()).
 */
int vgen_vp_state_apply(struct vgen_vp *vp, struct svp_state *st)
{
	return vgen_vp_put_state(vp, &st[0], &st[1]);
}

/**
 * vgen_vp_state_commit() - finish vgen_vp_state_begin().
 * @vp: the VP.
 * @st: the copies from vgen_vp_state_begin().
 *
 * Applies st[0] if it differs from st[1] (dropping a pending IN/MMIO read),
 * releases the run lock and frees @st.
 *
 * Return: 0, or -EINVAL when the VP refuses the state (svp_set_state()).
 */
int vgen_vp_state_commit(struct vgen_vp *vp, struct svp_state *st)
{
	int ret = vgen_vp_put_state(vp, &st[0], &st[1]);

	mutex_unlock(&vp->run_lock);
	kfree(st);
	return ret;
}

/**
 * vgen_vp_regs_from_state() - struct vgen_regs (VGEN_GET_REGS) from a
 *	copy of the state.
 * @st: the state.
 * @regs: filled in (reserved fields zero).
 */
void vgen_vp_regs_from_state(const struct svp_state *st,
			     struct vgen_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	memcpy(regs->gpr, st->gpr, sizeof(regs->gpr));
	regs->rip = st->rip;
	regs->rflags = st->rflags | VGEN_RFLAGS_FIXED;
}

/*
 * vgen_vp_get_regs() - VGEN_GET_REGS.
 *
 * Return: 0; -EBUSY VP in use by another thread; -EFAULT.
 */
static int vgen_vp_get_regs(struct vgen_vp *vp, void __user *argp)
{
	struct svp_state st;
	struct vgen_regs regs;

	if (!mutex_trylock(&vp->run_lock))
		return -EBUSY;
	svp_get_state(vp->cpu, &st);
	mutex_unlock(&vp->run_lock);

	vgen_vp_regs_from_state(&st, &regs);
	return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
}

/*
 * vgen_vp_set_regs() - VGEN_SET_REGS. RFLAGS bit 1 is forced on.
 *
 * Return: 0; -EFAULT; -EINVAL non-zero flags/reserved, reserved RFLAGS
 * bits or a state the VP refuses (svp_set_state()); -EBUSY VP in use by
 * another thread; -ENOMEM.
 */
static int vgen_vp_set_regs(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_regs regs;
	struct svp_state *st;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	if (regs.flags || regs.reserved0)
		return -EINVAL;
	if (!vgen_zeroed(regs.reserved))
		return -EINVAL;

	st = vgen_vp_state_begin(vp);
	if (IS_ERR(st))
		return PTR_ERR(st);
	memcpy(st->gpr, regs.gpr, sizeof(st->gpr));
	st->rip = regs.rip;
	st->rflags = regs.rflags | VGEN_RFLAGS_FIXED;
	return vgen_vp_state_commit(vp, st);
}

/* The segment registers of struct vgen_sregs and their svp numbers. */
static const struct {
	size_t offset;
	unsigned int svp;
} vgen_sregs_segs[] = {
	{ offsetof(struct vgen_sregs, cs), SVP_SEG_CS },
	{ offsetof(struct vgen_sregs, ds), SVP_SEG_DS },
	{ offsetof(struct vgen_sregs, es), SVP_SEG_ES },
	{ offsetof(struct vgen_sregs, fs), SVP_SEG_FS },
	{ offsetof(struct vgen_sregs, gs), SVP_SEG_GS },
	{ offsetof(struct vgen_sregs, ss), SVP_SEG_SS },
	{ offsetof(struct vgen_sregs, tr), SVP_SEG_TR },
	{ offsetof(struct vgen_sregs, ldt), SVP_SEG_LDTR },
};

static struct vgen_segment *vgen_sregs_seg(struct vgen_sregs *sregs,
					   unsigned int i)
{
	return (void *)sregs + vgen_sregs_segs[i].offset;
}

/*
 * vgen_vp_commit_sregs_apic() - vgen_vp_state_commit() for VGEN_SET_SREGS
 * on a VP with an in-kernel APIC, which owns IA32_APIC_BASE: the new state
 * is applied first, then the APIC base (as a WRMSR would); if the APIC
 * refuses the base, the previous state is restored, so the call changes
 * nothing on any error.
 */
static int vgen_vp_commit_sregs_apic(struct vgen_vp *vp, struct svp_state *st,
				     u64 apic_base)
{
	u64 val = apic_base;
	int ret;

	lockdep_assert_held(&vp->run_lock);
	ret = vgen_vp_put_state(vp, &st[0], &st[1]);
	if (!ret && apic_base != vgen_lapic_get_base(vp->lapic)) {
		if (vgen_lapic_msr(vp->lapic, MSR_IA32_APICBASE, true, &val)) {
			/* st[1] is the state before the call: always valid. */
			vgen_vp_put_state(vp, &st[1], &st[0]);
			ret = -EINVAL;
		} else {
			svp_flush_all(vp->cpu);
		}
	}
	mutex_unlock(&vp->run_lock);
	kfree(st);
	return ret;
}

/**
 * vgen_vp_sregs_from_state() - struct vgen_sregs (VGEN_GET_SREGS) from a
 *	copy of the state.
 * @st: the state (with the APIC's IA32_APIC_BASE in @st->apic_base when
 *	the VP has an in-kernel APIC).
 * @sregs: filled in (reserved fields zero).
 */
void vgen_vp_sregs_from_state(const struct svp_state *st,
			      struct vgen_sregs *sregs)
{
	unsigned int i;

	memset(sregs, 0, sizeof(*sregs));
	for (i = 0; i < ARRAY_SIZE(vgen_sregs_segs); i++) {
		const struct svp_seg *s = &st->seg[vgen_sregs_segs[i].svp];
		struct vgen_segment *d = vgen_sregs_seg(sregs, i);

		d->base = s->base;
		d->limit = s->limit;
		d->selector = s->sel;
		d->attributes = s->attr;
	}
	sregs->gdt.base = st->gdt.base;
	sregs->gdt.limit = st->gdt.limit;
	sregs->idt.base = st->idt.base;
	sregs->idt.limit = st->idt.limit;
	sregs->cr0 = st->cr0;
	sregs->cr2 = st->cr2;
	sregs->cr3 = st->cr3;
	sregs->cr4 = st->cr4;
	sregs->cr8 = st->cr8;
	sregs->efer = st->efer;
	sregs->apic_base = st->apic_base;
}

/*
 * vgen_vp_get_sregs() - VGEN_GET_SREGS.
 *
 * Return: 0; -EBUSY VP in use by another thread; -EFAULT; -ENOMEM.
 */
static int vgen_vp_get_sregs(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_sregs sregs;
	struct svp_state *st;

	/* Heap, not stack: both structures are large. */
	st = kmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	if (!mutex_trylock(&vp->run_lock)) {
		kfree(st);
		return -EBUSY;
	}
	svp_get_state(vp->cpu, st);
	st->apic_base = vp->lapic ? vgen_lapic_get_base(vp->lapic) :
		vp->apic_base;
	mutex_unlock(&vp->run_lock);

	vgen_vp_sregs_from_state(st, &sregs);
	kfree(st);
	return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
}

/* Reserved fields of struct vgen_sregs, including the table padding. */
static bool vgen_sregs_reserved_clear(const struct vgen_sregs *s)
{
	return !s->flags && !s->reserved0 && vgen_zeroed(s->reserved) &&
	       vgen_zeroed(s->gdt.pad) && vgen_zeroed(s->idt.pad);
}

/*
 * vgen_vp_set_sregs() - VGEN_SET_SREGS.
 *
 * Return: 0; -EFAULT; -EINVAL non-zero flags/reserved/padding or an
 * architecturally invalid state (svp_set_state()); -EBUSY VP in use by
 * another thread; -ENOMEM.
 */
static int vgen_vp_set_sregs(struct vgen_vp *vp, void __user *argp)
{
	struct vgen_sregs sregs;
	struct svp_state *st;
	unsigned int i;
	int ret;

	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (!vgen_sregs_reserved_clear(&sregs))
		return -EINVAL;

	st = vgen_vp_state_begin(vp);
	if (IS_ERR(st))
		return PTR_ERR(st);
	for (i = 0; i < ARRAY_SIZE(vgen_sregs_segs); i++) {
		struct svp_seg *d = &st->seg[vgen_sregs_segs[i].svp];
		const struct vgen_segment *s = vgen_sregs_seg(&sregs, i);

		d->base = s->base;
		d->limit = s->limit;
		d->sel = s->selector;
		d->attr = s->attributes;
	}
	st->gdt.base = sregs.gdt.base;
	st->gdt.limit = sregs.gdt.limit;
	st->idt.base = sregs.idt.base;
	st->idt.limit = sregs.idt.limit;
	st->cr0 = sregs.cr0;
	st->cr2 = sregs.cr2;
	st->cr3 = sregs.cr3;
	st->cr4 = sregs.cr4;
	st->cr8 = sregs.cr8;
	st->efer = sregs.efer;
	if (!vp->lapic) {
		/* Kept by the module (vgen_vp_msr_noapic()), as before: any value. */
		ret = vgen_vp_state_apply(vp, st);
		if (!ret)
			vp->apic_base = sregs.apic_base;
		mutex_unlock(&vp->run_lock);
		kfree(st);
		return ret;
	}
	return vgen_vp_commit_sregs_apic(vp, st, sregs.apic_base);
}

/**
 * vgen_vp_ioctl() - ioctls of a VP fd.
 * @file: the VP file.
 * @cmd: ioctl number.
 * @arg: ioctl argument.
 *
 * Every ioctl fails with -EIO when called from a process other than the
 * partition's creator or when the partition is dead, and with -EBUSY
 * while another thread runs the VP (or accesses its state).
 *
 * VGEN_RUN: see vgen_vp_run(). VGEN_GET_REGS and VGEN_GET_SREGS: 0,
 * -EFAULT or (GET_SREGS) -ENOMEM. VGEN_SET_REGS and VGEN_SET_SREGS: 0,
 * -EFAULT, -ENOMEM, or -EINVAL for non-zero flags/reserved
 * fields or a state the VP refuses (reserved RFLAGS/CR0/CR4/EFER bits,
 * inconsistent long mode, non-canonical RIP in 64-bit mode, 64-bit CS
 * with D/B). VGEN_GET_MSRS and VGEN_SET_MSRS: see vgen_vp_get_msrs()
 * and vgen_vp_set_msrs().
 *
 * Return: as above; -ENOTTY for an unknown ioctl.
 */
static long vgen_vp_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct vgen_vp *vp = file->private_data;
	void __user *argp = (void __user *)arg;

	if (!vgen_partition_check_caller(vp->part))
		return -EIO;

	switch (cmd) {
	case VGEN_RUN:
		return vgen_vp_run(vp);
	case VGEN_GET_REGS:
		return vgen_vp_get_regs(vp, argp);
	case VGEN_SET_REGS:
		return vgen_vp_set_regs(vp, argp);
	case VGEN_GET_SREGS:
		return vgen_vp_get_sregs(vp, argp);
	case VGEN_SET_SREGS:
		return vgen_vp_set_sregs(vp, argp);
	case VGEN_GET_MSRS:
		return vgen_vp_get_msrs(vp, argp);
	case VGEN_SET_MSRS:
		return vgen_vp_set_msrs(vp, argp);
	case VGEN_GET_LAPIC:
		return vgen_vp_get_lapic(vp, argp);
	case VGEN_SET_LAPIC:
		return vgen_vp_set_lapic(vp, argp);
	case VGEN_GET_VP_EVENTS:
		return vgen_vp_get_events(vp, argp);
	case VGEN_SET_VP_EVENTS:
		return vgen_vp_set_events(vp, argp);
	case VGEN_RESET_VP:
		return vgen_vp_reset(vp, argp);
	case VGEN_SET_GUEST_DEBUG:
		return vgen_vp_set_guest_debug(vp, argp);
	case VGEN_GET_DEBUGREGS:
		return vgen_vp_get_debugregs(vp, argp);
	case VGEN_SET_DEBUGREGS:
		return vgen_vp_set_debugregs(vp, argp);
	default:
		return -ENOTTY;
	}
}

/* Map the run page; anything beyond page 0 is a SIGBUS. */
static vm_fault_t vgen_vp_fault(struct vm_fault *vmf)
{
	struct vgen_vp *vp = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	get_page(vp->run_page);
	vmf->page = vp->run_page;
	return 0;
}

static const struct vm_operations_struct vgen_vp_vm_ops = {
	.fault = vgen_vp_fault,
};

/*
 * vgen_vp_mmap() - map the run page: offset 0, at most one page, shared.
 *
 * Return: 0; -EIO wrong process or dead partition; -EINVAL other offset,
 * length or a private mapping.
 */
static int vgen_vp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vgen_vp *vp = file->private_data;

	if (!vgen_partition_check_caller(vp->part))
		return -EIO;
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vgen_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vgen_vp_vm_ops;
	return 0;
}

static int vgen_vp_release(struct inode *inode, struct file *file)
{
	struct vgen_vp *vp = file->private_data;

	/* The VP itself lives until the partition goes. */
	vgen_partition_put(vp->part);
	return 0;
}

static const struct file_operations vgen_vp_fops = {
	.owner		= THIS_MODULE,
	.release	= vgen_vp_release,
	.unlocked_ioctl	= vgen_vp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vgen_vp_mmap,
	.llseek		= noop_llseek,
};

/**
 * vgen_vp_destroy() - free a VP (partition teardown only: no fd refers to
 *	it any more).
 * @vp: the VP.
 */
void vgen_vp_destroy(struct vgen_vp *vp)
{
	if (vp->lapic)
		vgen_lapic_destroy(vp);
	vgen_vp_stats_destroy(vp);
	if (vp->run_page)
		__free_page(vp->run_page);
	kvfree(vp->cpu);
	kfree(vp);
}

/**
 * vgen_vp_reset_msrs() - power-on values of the MSRs the module keeps for
 *	the software VP: the MTRRs, and IA32_APIC_BASE without an in-kernel
 *	APIC (0xfee00000, enabled, BSP bit for VP index 0).
 * @vp: the VP (run lock held, or not yet visible).
 */
void vgen_vp_reset_msrs(struct vgen_vp *vp)
{
	vgen_vp_mtrr_reset(vp);
	vp->apic_base = 0xfee00000ULL | BIT_ULL(11) |
			(vp->index == 0 ? BIT_ULL(8) : 0);
}

/* Allocate and initialise a VP (not yet visible anywhere). */
static struct vgen_vp *vgen_vp_alloc(struct vgen_partition *part, u32 index)
{
	struct vgen_vp *vp;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return NULL;
	vp->part = part;
	vp->index = index;
	vp->apic_id = part->apic_ids[index];
	mutex_init(&vp->run_lock);
	init_waitqueue_head(&vp->wait);
	vp->cpu = kvzalloc(svp_cpu_size(), GFP_KERNEL_ACCOUNT);
	vp->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vp->cpu || !vp->run_page) {
		vgen_vp_destroy(vp);
		return NULL;
	}
	vp->run = page_address(vp->run_page);
	if (part->irqchip && vgen_lapic_create(vp)) {
		vgen_vp_destroy(vp);
		return NULL;
	}
	svp_cpu_init(vp->cpu, vp->lapic ? &vgen_vp_host_ops_apic :
		     &vgen_vp_host_ops, vp, vp->apic_id, index == 0);
	vgen_vp_reset_msrs(vp);
	vgen_vp_stats_init(vp);
	return vp;
}

/**
 * vgen_vp_create() - VGEN_CREATE_VP: create a VP and its fd.
 * @part: the partition.
 * @args: the request (flags and reserved fields already checked).
 *
 * The fd is installed last, after every other step succeeded; the VP fd
 * holds a reference on @part.
 *
 * Return: the VP fd (O_CLOEXEC); -EINVAL index out of range; -EBUSY the
 * partition is not finalized; -EEXIST the VP exists; -ENOMEM;
 * -EMFILE/-ENFILE out of file descriptors.
 */
int vgen_vp_create(struct vgen_partition *part,
		   const struct vgen_create_vp *args)
{
	u32 index = args->vp_index;
	struct vgen_vp *vp;
	struct file *file;
	int fd, ret;

	if (index >= part->vp_count)
		return -EINVAL;

	mutex_lock(&part->state_lock);
	if (!part->finalized) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (part->vps[index]) {
		ret = -EEXIST;
		goto out_unlock;
	}
	vp = vgen_vp_alloc(part, index);
	if (!vp) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_vp;
	}
	/* The file's reference, dropped by vgen_vp_release(). */
	vgen_partition_get(part);
	file = anon_inode_getfile("vgen-vp", &vgen_vp_fops, vp, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		vgen_partition_put(part);
		goto err_fd;
	}
	/*
	 * Interrupt delivery reads vps[] without state_lock; pairs with
	 * smp_load_acquire() there.
	 */
	smp_store_release(&part->vps[index], vp);
	fd_install(fd, file);
	mutex_unlock(&part->state_lock);
	return fd;

err_fd:
	put_unused_fd(fd);
err_vp:
	vgen_vp_destroy(vp);
out_unlock:
	mutex_unlock(&part->state_lock);
	return ret;
}
