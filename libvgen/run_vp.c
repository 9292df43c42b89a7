// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvgen: the model-level run call (OpenVMM's Processor::run_vp): exits
 * are handled here through the VMM's cpu_io callbacks and only a halt
 * (struct vgen_halt) is returned. Also cancel, flush_async_requests and
 * the per-processor exit counters.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include "internal.h"

void vgen_processor_wake(struct vgen_processor *proc)
{
	__atomic_fetch_add(&proc->wake_seq, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &proc->wake_seq, FUTEX_WAKE_PRIVATE, INT_MAX,
		NULL, NULL, 0);
}

VGEN_EXPORT int vgen_partition_cancel_vp(struct vgen_partition *part,
					 uint32_t vp_index)
{
	int ret;

	if (!part || vp_index >= part->vm.vp_count)
		return -EINVAL;
	__atomic_store_n(&part->binders[vp_index].cancel_pending, 1,
			 __ATOMIC_SEQ_CST);
	/* Not bound yet (-ENOENT): the flag alone is seen by run_vp. */
	ret = vgen_partition_request_yield(part, vp_index);
	return ret == -ENOENT ? 0 : ret;
}

VGEN_EXPORT int vgen_processor_flush_async_requests(struct vgen_processor *proc)
{
	/*
	 * Neither backend queues requests in userspace: MSIs, routes, LINT
	 * pulses and yields reach the hypervisor when they are made.
	 */
	return vgen_processor_check(proc);
}

VGEN_EXPORT int vgen_processor_exit_counts(struct vgen_processor *proc,
					   uint64_t *counts, uint32_t n)
{
	uint32_t i;

	if (!proc || (n && !counts))
		return -EINVAL;
	for (i = 0; i < n; i++)
		counts[i] = i < VGEN_EXIT_COUNT_MAX ? proc->exits[i] : 0;
	return 0;
}

static bool vgen_take_cancel(struct vgen_processor *proc)
{
	return __atomic_exchange_n(&proc->binder->cancel_pending, 0,
				   __ATOMIC_SEQ_CST);
}

/* A callback's or the run's error: the VMM's fatal_error picks the halt. */
static int vgen_run_vp_error(struct vgen_processor *proc,
			     const struct vgen_cpu_io *io, int err,
			     struct vgen_halt *halt)
{
	int reason = VGEN_HALT_HYPERVISOR_ERROR;

	if (io->fatal_error)
		reason = io->fatal_error(io->ctx, proc->binder->index, err);
	if (reason < VGEN_HALT_STOP || reason > VGEN_HALT_MAX)
		reason = VGEN_HALT_HYPERVISOR_ERROR;
	halt->reason = (uint32_t)reason;
	halt->error = err;
	return 0;
}

/*
 * A callback asked for a halt: complete the access of the current exit
 * (IN/MMIO read data is in the run page) so that the VP's state is
 * consistent, then report it. Another exit produced by completing it
 * (a string instruction's next element) is dropped.
 */
static int vgen_run_vp_halt(struct vgen_processor *proc, int reason,
			    struct vgen_halt *halt)
{
	(void)vgen_processor_finish(proc, NULL);
	halt->reason = (uint32_t)reason;
	return 0;
}

/* Sleep after a HLT exit until a yield request, a stop or a cancel. */
static void vgen_run_vp_sleep(struct vgen_processor *proc,
			      struct vgen_stop_source *stop)
{
	for (;;) {
		uint32_t seq = __atomic_load_n(&proc->wake_seq,
					       __ATOMIC_SEQ_CST);

		if (proc->hlt_seq != seq ||
		    vgen_stop_source_is_stopping(stop) ||
		    __atomic_load_n(&proc->binder->cancel_pending,
				    __ATOMIC_SEQ_CST))
			break;
		syscall(SYS_futex, &proc->wake_seq, FUTEX_WAIT_PRIVATE, seq,
			NULL, NULL, 0);
	}
}

/* Handle one exit: 0 to run again, else a halt reason (halt filled). */
static int vgen_run_vp_exit(struct vgen_processor *proc,
			    struct vgen_stop_source *stop,
			    const struct vgen_cpu_io *io,
			    struct vgen_run *run, struct vgen_halt *halt)
{
	uint32_t vp = proc->binder->index;
	int ret = 0;

	switch (run->exit_reason) {
	case VGEN_EXIT_IO:
		if (run->io.direction == VGEN_EXIT_IO_OUT) {
			if (io->write_io)
				ret = io->write_io(io->ctx, vp, run->io.port,
						   &run->io.data, run->io.size);
		} else {
			run->io.data = 0xffffffff;
			if (io->read_io)
				ret = io->read_io(io->ctx, vp, run->io.port,
						  &run->io.data, run->io.size);
		}
		break;
	case VGEN_EXIT_MMIO:
		if (run->mmio.is_write) {
			if (io->write_mmio)
				ret = io->write_mmio(io->ctx, vp, run->mmio.gpa,
						     run->mmio.data,
						     run->mmio.size);
		} else {
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			if (io->read_mmio)
				ret = io->read_mmio(io->ctx, vp, run->mmio.gpa,
						    run->mmio.data,
						    run->mmio.size);
		}
		break;
	case VGEN_EXIT_EOI:
		if (io->handle_eoi)
			ret = io->handle_eoi(io->ctx, vp, run->eoi.vector);
		break;
	case VGEN_EXIT_EXTINT: {
		int valid = 0;
		uint8_t vector = 0;

		if (io->acknowledge_pic_interrupt)
			ret = io->acknowledge_pic_interrupt(io->ctx, vp,
							    &vector, &valid);
		run->extint.vector = vector;
		run->extint.valid = ret == 0 && valid ? 1 : 0;
		break;
	}
	case VGEN_EXIT_YIELD:
	case VGEN_EXIT_INTR:
		if (vgen_take_cancel(proc)) {
			halt->reason = VGEN_HALT_CANCEL;
			return 1;
		}
		return 0;
	case VGEN_EXIT_HLT:
		/* User-mode APIC: wait for the VMM to wake the VP. */
		vgen_run_vp_sleep(proc, stop);
		return 0;
	case VGEN_EXIT_SHUTDOWN:
		halt->reason = VGEN_HALT_TRIPLE_FAULT;
		halt->vtl = 0;
		return 1;
	case VGEN_EXIT_INTERNAL_ERROR: {
		uint32_t n = run->internal.insn_len;

		halt->suberror = run->internal.suberror;
		if (run->internal.ndata)
			halt->rip = run->internal.data[0];
		if (n > sizeof(halt->insn))
			n = sizeof(halt->insn);
		halt->insn_len = n;
		memcpy(halt->insn, run->internal.insn, n);
		switch (run->internal.suberror) {
		case VGEN_INTERNAL_EMULATION_FAILURE:
		case VGEN_INTERNAL_UNSUPPORTED_MODE:
			halt->reason = VGEN_HALT_EMULATION_FAILURE;
			halt->error = -ENOSYS;
			break;
		case VGEN_INTERNAL_INVALID_STATE:
			halt->reason = VGEN_HALT_INVALID_VM_STATE;
			halt->error = -EINVAL;
			break;
		default:
			halt->reason = VGEN_HALT_HYPERVISOR_ERROR;
			halt->error = -EPROTO;
			break;
		}
		return 1;
	}
	case VGEN_EXIT_DEBUG:
		halt->rip = run->debug.rip;
		halt->dr6 = run->debug.dr6;
		if (run->debug.type == VGEN_DEBUG_EXIT_SINGLE_STEP) {
			halt->reason = VGEN_HALT_SINGLE_STEP;
		} else {
			halt->reason = VGEN_HALT_HW_BREAKPOINT;
			halt->breakpoint = run->debug.breakpoint;
		}
		return 1;
	default:
		/* An exit this library does not know: the hypervisor's. */
		halt->reason = VGEN_HALT_HYPERVISOR_ERROR;
		halt->error = -EPROTO;
		halt->suberror = run->exit_reason;
		return 1;
	}
	if (ret < 0) {
		(void)vgen_processor_finish(proc, NULL);
		vgen_run_vp_error(proc, io, ret, halt);
		return 1;
	}
	if (ret > 0) {
		if (ret > VGEN_HALT_MAX)
			ret = VGEN_HALT_HYPERVISOR_ERROR;
		vgen_run_vp_halt(proc, ret, halt);
		return 1;
	}
	return 0;
}

VGEN_EXPORT int vgen_processor_run_vp(struct vgen_processor *proc,
				      struct vgen_stop_source *stop,
				      const struct vgen_cpu_io *io,
				      struct vgen_halt *halt)
{
	static const struct vgen_cpu_io no_io;
	struct vgen_stop_waiter w = { .proc = proc };
	const struct vgen_run *exit;
	int ret;

	ret = vgen_processor_check(proc);
	if (ret)
		return ret;
	if (!stop || !halt)
		return -EINVAL;
	if (!io)
		io = &no_io;
	memset(halt, 0, sizeof(*halt));
	if (vgen_take_cancel(proc)) {
		halt->reason = VGEN_HALT_CANCEL;
		return 0;
	}
	/* For the whole call, so a stop wakes a VP sleeping after HLT. */
	vgen_stop_source_add(stop, &w);
	for (;;) {
		proc->hlt_seq = __atomic_load_n(&proc->wake_seq,
						__ATOMIC_SEQ_CST);
		ret = vgen_processor_run_until_stop(proc, stop, &exit);
		if (ret == VGEN_RUN_STOPPED) {
			halt->reason = VGEN_HALT_STOP;
			break;
		}
		if (ret == -EINTR) {
			/* A signal (the VMM's own): check for a cancel. */
			if (vgen_take_cancel(proc)) {
				halt->reason = VGEN_HALT_CANCEL;
				break;
			}
			continue;
		}
		if (ret < 0) {
			vgen_run_vp_error(proc, io, ret, halt);
			break;
		}
		if (vgen_run_vp_exit(proc, stop, io, proc->run, halt))
			break;
	}
	vgen_stop_source_remove(stop, &w);
	return 0;
}
