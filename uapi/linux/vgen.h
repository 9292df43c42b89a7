/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vgen - a generic partition API for virtual machine monitors.
 *
 * DOC: protocol overview
 *
 * vgen exposes three kinds of file descriptor, each with its own ioctl
 * numbers (all under the single ioctl type VGENIO):
 *
 *  /dev/vgen        system fd (misc device, mode 0600)
 *  partition fd     anonymous inode "vgen-partition", from VGEN_CREATE_PARTITION
 *  VP fd            anonymous inode "vgen-vp", from VGEN_CREATE_VP
 *
 * Life cycle of a partition (the "proto-partition -> partition" model):
 *
 *  1. VGEN_CREATE_PARTITION on /dev/vgen with a struct vgen_partition_config
 *     (VP count, APIC IDs, isolation type, user-mode-APIC flag, backend).
 *     The new partition is a *proto-partition*: its CPUID table can be read
 *     (VGEN_GET_CPUID) and changed (VGEN_SET_CPUID), and memory regions can
 *     be set (VGEN_SET_MEMORY_REGION).
 *  2. VGEN_FINALIZE turns it into a *partition* (the model's build()). The
 *     CPUID table is frozen from then on (VGEN_SET_CPUID -> -EBUSY).
 *  3. VGEN_CREATE_VP, once per VP index, returns a VP fd. A VP can only be
 *     created after VGEN_FINALIZE (-EBUSY before), once per index (-EEXIST),
 *     and with an index below the configured VP count (-EINVAL).
 *  4. The VMM mmap()s the run page of each VP fd at offset 0 (size from
 *     VGEN_GET_RUN_SIZE on /dev/vgen; MAP_SHARED; any other offset or a
 *     longer length is -EINVAL) and calls VGEN_RUN in a loop on the
 *     thread that owns the VP, handling the exits described by struct
 *     vgen_run. Between runs the VP's state is read and written with
 *     VGEN_GET/SET_REGS, VGEN_GET/SET_SREGS and VGEN_GET/SET_MSRS.
 *
 * A VP fd holds a reference on its partition; fds may be closed in any
 * order. Every ioctl on a partition or VP fd from a process other than the
 * one that created the partition (a different mm) fails with -EIO.
 *
 * Extensibility rules, applying to every struct in this file:
 *  - every struct has a 'flags' field and reserved space; unknown flags and
 *    non-zero reserved fields are rejected with -EINVAL;
 *  - new features are discovered with VGEN_CHECK_CAP (on /dev/vgen or a
 *    partition fd), never through a version number;
 *  - ioctl numbers are never reused or renumbered.
 *
 * Memory: guest physical memory is a set of up to VGEN_MAX_MEMORY_REGIONS
 * non-overlapping regions, each backed by page-aligned anonymous or file
 * memory of the VMM. The kernel pins a region's pages when the region is
 * set and releases them when it is deleted or the partition dies; the VMM
 * must keep the backing mapping in place while the region exists. Guest
 * physical addresses outside every region are MMIO: accesses exit to
 * userspace with VGEN_EXIT_MMIO. Writes to a read-only region
 * (VGEN_MEM_READONLY) also exit as MMIO writes.
 *
 * Running: VGEN_RUN returns 0 with run->exit_reason set, or a negative
 * errno. On entry the kernel first completes a pending port-I/O or MMIO
 * read with the data userspace left in the run page, then reads
 * run->immediate_exit once; if it is non-zero, VGEN_RUN returns -EINTR with
 * VGEN_EXIT_INTR without running guest code. A pending signal also ends
 * VGEN_RUN with -EINTR and VGEN_EXIT_INTR; the run loop checks for signals
 * and rescheduling at least every VGEN_RUN_CHECK_INTERVAL guest
 * instructions, so a guest that spins forever never stalls the host.
 *
 * Yield: any thread of the VMM can ask a VP to return from VGEN_RUN with
 * VGEN_REQUEST_YIELD on the partition fd (VGEN_CAP_YIELD). The request sets
 * a per-VP "yield pending" flag; it is never lost: if the VP is inside
 * VGEN_RUN it returns within VGEN_RUN_CHECK_INTERVAL guest instructions,
 * otherwise (not running yet, or stopped in userspace at any exit, e.g.
 * an IN, MMIO read or HLT exit) the next VGEN_RUN returns it. Requests are
 * coalesced: any number of requests made before the VP returns produce a
 * single VGEN_EXIT_YIELD exit (VGEN_RUN returns 0), which clears the flag.
 * A yield exit may therefore be spurious from the VMM's point of view; it
 * only means "check your events, then run again". The order of the checks
 * in VGEN_RUN is: complete a pending read, immediate_exit, yield pending,
 * signal pending, then guest code (re-checking yield and signals between
 * chunks of guest instructions). A pending read is thus always completed
 * before a yield is reported, and a VGEN_RUN ended by immediate_exit keeps
 * the yield pending for the next VGEN_RUN.
 *
 * Interrupts (VGEN_CAP_IRQCHIP): unless the partition was created with
 * VGEN_PARTITION_USER_MODE_APIC, every VP has a local APIC in the kernel
 * (xAPIC page at IA32_APIC_BASE and x2APIC MSRs 0x800-0x8ff, timer, LVTs,
 * IPIs). Interrupts reach it from the VMM as MSIs in the architectural
 * format (VGEN_SIGNAL_MSI), through the partition's IOAPIC routing table
 * (VGEN_SET_IRQ_ROUTE routes each of VGEN_IOAPIC_PINS lines to an MSI,
 * VGEN_ASSERT_IRQ delivers a line's MSI) and through the LINT0/LINT1 pins
 * (VGEN_PULSE_LINT). The IOAPIC's registers themselves stay in the VMM:
 * when the guest EOIs a level-triggered vector, VGEN_RUN returns
 * VGEN_EXIT_EOI with the vector so that the VMM can clear its remote IRR
 * and re-assert a line that is still high (unless resample irqfds
 * handle that EOI, see struct vgen_irqfd). An ExtINT interrupt (a LINT pin
 * in ExtINT mode) makes VGEN_RUN return VGEN_EXIT_EXTINT when the guest can
 * take it; the VMM's PIC supplies the vector in the run page. HLT waits in
 * the kernel until an interrupt can be delivered (a yield request or a
 * signal still ends VGEN_RUN; the VP stays halted and the next VGEN_RUN
 * waits again). The APIC's state is read and written with
 * VGEN_GET_LAPIC/VGEN_SET_LAPIC. In a VGEN_PARTITION_USER_MODE_APIC
 * partition none of this exists (those ioctls fail with -ENXIO), APIC MMIO
 * exits to userspace like any MMIO, and HLT exits with VGEN_EXIT_HLT.
 *
 * Irqfds and doorbells: an eventfd can stand for an interrupt source or
 * a device register so that interrupts and notifications need no exit
 * and no VMM thread in the path. VGEN_IRQFD (VGEN_CAP_IRQFD, partitions
 * with an in-kernel APIC) binds an eventfd to an MSI or to an IOAPIC
 * line: every signal of the eventfd delivers the interrupt from the
 * kernel, also while the VP runs guest code or waits in HLT. A resample
 * irqfd (level-triggered line) also names a resamplefd that the kernel
 * signals when the guest EOIs the line's vector, in place of the
 * VGEN_EXIT_EOI for it. VGEN_IOEVENTFD (VGEN_CAP_IOEVENTFD, every
 * partition) registers a doorbell: a guest write of a given address
 * (MMIO or port), optionally size and value, signals an eventfd and
 * completes in the kernel instead of exiting with VGEN_EXIT_MMIO or
 * VGEN_EXIT_IO. Closing an irqfd's eventfd removes its binding; both
 * kinds are removed with the partition and survive VGEN_RESET_PARTITION.
 * Debugging (VGEN_CAP_GUEST_DEBUG): two independent users of the x86
 * debug facilities.
 *  - The guest owns DR0-DR3, DR6 and DR7 (VGEN_GET/SET_DEBUGREGS; reset
 *    and INIT: DR0-3 zero, DR6 0xffff0ff0, DR7 0x400). MOV to/from DRn
 *    works as on hardware: #GP(0) at CPL > 0 and for ones in bits 63:32
 *    of DR6/DR7, DR4/DR5 alias DR6/DR7 with CR4.DE clear and #UD with it
 *    set (CPUID.1:EDX.DE is reported), DR7.GD turns the next MOV DR into a
 *    #DB (DR6.BD). RFLAGS.TF single-steps with a #DB trap (DR6.BS) after
 *    each instruction (each iteration of a REP string instruction); INT1
 *    (0xf1) raises #DB and INT3 #BP in the guest. Enabled execute
 *    breakpoints raise a #DB fault (RIP at the instruction; RFLAGS.RF set
 *    by the handler in the frame suppresses it for one instruction after
 *    IRET), data breakpoints (write, read/write; lengths 1, 2, 4, 8) a #DB
 *    trap after the accessing instruction or string iteration; DR6.B0-B3
 *    report which. I/O breakpoints never fire. Implicit accesses by the
 *    processor (descriptor tables, IDT, TSS, the stack frame of an event)
 *    are not checked. The processor does not set RF in the frame of
 *    fault-class exceptions.
 *  - The VMM debugs the guest with VGEN_SET_GUEST_DEBUG, invisibly to it
 *    (the guest never sees TF, #DB or DR changes from it): single step
 *    and four hardware breakpoints, reported as VGEN_RUN exits
 *    VGEN_EXIT_DEBUG (run->debug). A single step ends after one guest
 *    instruction retires (one iteration of a REP string instruction,
 *    RIP then still at the instruction if it is not finished), or when
 *    an exception or interrupt is delivered: that delivery is the step
 *    and run->debug.rip is the first instruction of the handler, not yet
 *    executed (an instruction that faults therefore reports one step, at
 *    the handler). An execute breakpoint exits before the instruction
 *    executes (run->debug.rip is the instruction); the next VGEN_RUN
 *    executes it without reporting that breakpoint again. A data
 *    breakpoint exits after the accessing instruction (or string
 *    iteration) completes. The VMM comes first: when an instruction both
 *    completes a VMM step or hits a VMM breakpoint and owes the guest a
 *    #DB (TF, its own breakpoint), VGEN_RUN reports the VMM exit and the
 *    next VGEN_RUN delivers the guest's #DB first (with single step on,
 *    that delivery is the next step). A VMM data breakpoint takes
 *    precedence over the step exit of the same instruction. When the
 *    instruction also exits to userspace (port I/O, MMIO, HLT) that exit
 *    comes first and the debug exit is reported by the next VGEN_RUN,
 *    before any further guest instruction (a halted VP with an in-kernel
 *    APIC waits for its interrupt first). Debugging state survives
 *    VGEN_RESET_VP/VGEN_RESET_PARTITION; setting registers (VGEN_SET_REGS
 *    etc.) drops a debug exit not yet reported.
 *
 * Errors (all ioctls): -EFAULT bad user pointer; -EINVAL bad flags,
 * reserved bits, sizes or values; -ENOTTY unknown ioctl; -EIO wrong
 * process or dead partition; -ENOMEM out of (memcg-accounted) memory.
 * Each ioctl below lists its other errors.
 *
 * Introspection (generic netlink): the module registers the generic
 * netlink family VGEN_GENL_NAME ("vgen", version VGEN_GENL_VERSION, in
 * the initial network namespace only) for read-only inspection of live
 * partitions, and a multicast group VGEN_GENL_MCGRP_EVENTS ("events").
 * Every partition gets a registry id when it is created: a u32 >= 1,
 * allocated cyclically (not reused until the id space wraps), never a
 * kernel pointer. The definitions are at the end of this file.
 *
 * Visibility: a caller with CAP_SYS_ADMIN (in the initial user namespace,
 * both for the socket's opener and the caller) sees every partition;
 * any other caller sees only the partitions created by its own process
 * (same thread group). A partition the caller may not see behaves
 * exactly like one that does not exist (-ENOENT, absent from dumps).
 * Joining the events group requires CAP_SYS_ADMIN (-EPERM otherwise).
 *
 * Commands (the attributes are enum vgen_genl_attr, one flat space; u32
 * and u64 are host endian, u64 attributes are padded with VGEN_A_PAD):
 *
 *  VGEN_CMD_GET_PARTITION
 *    request: do: VGEN_A_PARTITION_ID (required); dump (NLM_F_DUMP): no
 *    attribute needed, every visible partition in increasing id order.
 *    reply: one message per partition with
 *      VGEN_A_PARTITION_ID          u32  registry id
 *      VGEN_A_PARTITION_OWNER_PID   u32  creating process (thread group
 *                                        id) in the reader's PID
 *                                        namespace, 0 if not visible
 *                                        there or gone
 *      VGEN_A_PARTITION_OWNER_UID   u32  creator's effective uid in the
 *                                        reader's user namespace
 *      VGEN_A_PARTITION_CREATED_NS  u64  creation time, CLOCK_REALTIME ns
 *      VGEN_A_PARTITION_BACKEND     u32  effective VGEN_BACKEND_* (AUTO
 *                                        is reported as what it chose)
 *      VGEN_A_PARTITION_ISOLATION   u32  VGEN_ISOLATION_*
 *      VGEN_A_PARTITION_FLAGS       u32  VGEN_PARTITION_* config flags
 *      VGEN_A_PARTITION_STATUS      u32  VGEN_PARTITION_STATUS_* bits
 *      VGEN_A_PARTITION_VP_COUNT    u32  configured VP count
 *      VGEN_A_PARTITION_VPS_CREATED u32  VPs created so far
 *      VGEN_A_PARTITION_REGION      nest, once per memory region in
 *                                        slot order (multi-attribute):
 *        VGEN_A_REGION_SLOT         u32  slot number
 *        VGEN_A_REGION_GPA          u64  guest physical base
 *        VGEN_A_REGION_SIZE         u64  size in bytes
 *        VGEN_A_REGION_FLAGS        u32  VGEN_MEM_*
 *
 *  VGEN_CMD_GET_VP
 *    request: VGEN_A_PARTITION_ID (required); do: also VGEN_A_VP_INDEX
 *    (required, < VGEN_MAX_VPS); dump: every created VP of the partition
 *    in index order (VGEN_A_VP_INDEX is ignored).
 *    reply: one message per VP with
 *      VGEN_A_PARTITION_ID          u32
 *      VGEN_A_VP_INDEX              u32
 *      VGEN_A_VP_APIC_ID            u32
 *      VGEN_A_VP_STATE              u32  VGEN_VP_STATE_*: STOPPED
 *                                        outside VGEN_RUN; inside it
 *                                        RUNNING, HALTED (HLT, waiting
 *                                        in the kernel for an interrupt)
 *                                        or WAIT_FOR_SIPI
 *      VGEN_A_VP_RUNS               u64  VGEN_RUN calls that got the VP
 *                                        (every call but -EBUSY ones)
 *      VGEN_A_VP_INSNS_RETIRED      u64  guest instructions retired, as
 *                                        of the last chunk boundary
 *      VGEN_A_VP_RUN_NS             u64  total time inside VGEN_RUN
 *      VGEN_A_VP_LAST_EXIT          u32  VGEN_EXIT_* of the last exit
 *                                        (VGEN_EXIT_UNKNOWN before one)
 *      VGEN_A_VP_HOST_TID           u32  thread that last entered
 *                                        VGEN_RUN, in the reader's PID
 *                                        namespace (0: none, not visible
 *                                        there, or gone)
 *      VGEN_A_VP_RUN_TID            u32  the thread inside VGEN_RUN now
 *                                        (as VGEN_A_VP_HOST_TID), 0 when
 *                                        the VP is stopped
 *      VGEN_A_VP_ACTIVITY           u32  VGEN_ACTIVITY_* of the VP (as in
 *                                        struct vgen_vp_events), also
 *                                        while stopped
 *      VGEN_A_VP_LAST_HALT          u32  why the VP last stopped running
 *                                        guest code: VGEN_EXIT_HLT (HLT,
 *                                        in the kernel or as an exit),
 *                                        VGEN_EXIT_SHUTDOWN (triple
 *                                        fault), VGEN_EXIT_INTERNAL_ERROR
 *                                        (emulation failure);
 *                                        VGEN_EXIT_UNKNOWN before one
 *      VGEN_A_VP_HALTS              u64  how many such halts
 *      VGEN_A_VP_GUEST_NS           u64  of RUN_NS, time spent running
 *                                        guest code (measured around
 *                                        each chunk of at most
 *                                        VGEN_RUN_CHECK_INTERVAL
 *                                        instructions)
 *      VGEN_A_VP_KERNEL_NS          u64  of RUN_NS, the rest: the module
 *                                        outside guest code, including
 *                                        waiting in HLT
 *      VGEN_A_VP_USER_NS            u64  time between the end of one
 *                                        VGEN_RUN and the start of the
 *                                        next (the VMM handling exits;
 *                                        the current gap not included)
 *      in-kernel APIC only:
 *      VGEN_A_VP_IRR                bin  VGEN_GENL_VECTOR_BITMAP bytes,
 *                                        vector v is bit v % 8 of byte
 *                                        v / 8: requested interrupts
 *                                        (IRR plus vectors sent to the
 *                                        VP and not yet taken in)
 *      VGEN_A_VP_ISR                bin  likewise, in service (ISR)
 *      VGEN_A_VP_TPR                u32  task priority register
 *      VGEN_A_VP_PPR                u32  processor priority register
 *      VGEN_A_VP_EXIT               nest, once per exit reason with a
 *                                        non-zero count (multi-attribute):
 *        VGEN_A_EXIT_REASON         u32  VGEN_EXIT_*
 *        VGEN_A_EXIT_COUNT          u64  exits with that reason
 *    The counters are updated by the VP's own thread at the start and
 *    end of every VGEN_RUN and read without stopping it: each value is
 *    exact as of some VGEN_RUN boundary, different values may be from
 *    different ones. RUN_NS = GUEST_NS + KERNEL_NS at every VGEN_RUN
 *    boundary (GUEST_NS also grows during a VGEN_RUN). The activity,
 *    instructions retired and APIC registers are published by the VP's
 *    thread at every chunk boundary and whenever a halted VP checks
 *    whether to wake up (the APIC registers under a sequence count, so
 *    IRR, ISR, TPR and PPR are from one instant); vectors sent to the
 *    VP since are added to IRR from the APIC's posted-interrupt bits.
 *    Nothing waits for the VP.
 *
 *  VGEN_CMD_GET_VP_REGS (do only)
 *    request: VGEN_A_PARTITION_ID and VGEN_A_VP_INDEX (both required).
 *    reply: one consistent snapshot of the VP:
 *      VGEN_A_PARTITION_ID          u32
 *      VGEN_A_VP_INDEX              u32
 *      VGEN_A_VP_ACTIVITY           u32  VGEN_ACTIVITY_*
 *      VGEN_A_VP_INSNS_RETIRED      u64  at the time of the snapshot
 *      VGEN_A_VP_REGS               bin  struct vgen_regs (as
 *                                        VGEN_GET_REGS returns it)
 *      VGEN_A_VP_SREGS              bin  struct vgen_sregs (as
 *                                        VGEN_GET_SREGS returns it)
 *      VGEN_A_VP_LAPIC              bin  struct vgen_lapic_state (as
 *                                        VGEN_GET_LAPIC returns it; only
 *                                        with an in-kernel APIC)
 *    A VP outside VGEN_RUN is copied directly. A VP inside VGEN_RUN
 *    copies its own state when asked, at its next chunk boundary (at
 *    most VGEN_RUN_CHECK_INTERVAL instructions), at once when halted
 *    (it goes back to sleep afterwards), or when VGEN_RUN ends; it is
 *    never stopped longer than a yield would stop it. The request waits
 *    at most about a second: -EAGAIN if the VP did not answer (try
 *    again), -EINTR on a signal.
 *
 *  VGEN_CMD_GET_IRQ_ROUTES (do only)
 *    request: VGEN_A_PARTITION_ID (required).
 *    reply: VGEN_A_PARTITION_ID and, with an in-kernel APIC, one
 *    VGEN_A_IRQ_ROUTE nest per IOAPIC line in line order
 *    (VGEN_IOAPIC_PINS of them; none without an in-kernel APIC):
 *        VGEN_A_ROUTE_IRQ           u32  the line
 *        VGEN_A_ROUTE_FLAGS         u32  VGEN_IRQ_ROUTE_MSI if routed
 *        VGEN_A_ROUTE_ADDRESS       u64  MSI address (0: not routed)
 *        VGEN_A_ROUTE_DATA          u32  MSI data (0: not routed)
 *        VGEN_A_ROUTE_DELIVERED     u64  VGEN_ASSERT_IRQ calls that
 *                                        reached at least one APIC
 *        VGEN_A_ROUTE_DROPPED       u64  VGEN_ASSERT_IRQ calls of the
 *                                        line while unrouted, or that
 *                                        no APIC accepted
 *    The table is one version (VGEN_SET_IRQ_ROUTE replaces it as a
 *    whole); the counters count since the partition was created (a
 *    partition reset unroutes every line and keeps them). Doorbell and
 *    irqfd registrations are not reported yet.
 *
 *  VGEN_CMD_EVENT (multicast on "events" only, never a request)
 *      VGEN_A_EVENT                 u32  VGEN_EVENT_*
 *      VGEN_A_PARTITION_ID          u32
 *      VGEN_A_PARTITION_OWNER_PID   u32  in the initial PID namespace
 *      VGEN_A_VP_INDEX              u32  VP events only
 *      VGEN_A_EVENT_REASON          u32  VGEN_EVENT_VP_HALTED: the exit
 *                                        (VGEN_EXIT_SHUTDOWN or
 *                                        VGEN_EXIT_INTERNAL_ERROR)
 *    PARTITION_CREATED is sent before VGEN_CREATE_PARTITION returns the
 *    fd, PARTITION_DESTROYED when the last reference is gone; every
 *    created event is followed by exactly one destroyed event.
 *    VP_HALTED announces only halts the module itself sees: a triple
 *    fault and an emulation failure. Powering off or resetting a VP are
 *    decisions of the VMM (e.g. after an I/O exit), invisible to the
 *    module, and not announced.
 *
 * Dumps: replies are split over as many messages (and recvmsg() calls)
 * as needed, ending with NLMSG_DONE. A dump resumes by id (partitions) or
 * VP index (VPs), so partitions created or destroyed while a dump runs
 * never break it: every partition that exists during the whole dump is
 * reported exactly once, others may or may not be. A message is flagged
 * NLM_F_DUMP_INTR when partitions appeared or disappeared since the
 * previous part of the dump. A VP dump of a partition destroyed midway
 * just ends.
 *
 * Validation: every request is validated strictly against the command's
 * policy. Errors (NLMSG_ERROR, with an extended ACK message): -EINVAL
 * unknown or reply-only attribute, wrong attribute length, trailing or
 * truncated data, a missing required attribute, non-zero reserved
 * genetlink header fields; -ERANGE VGEN_A_PARTITION_ID 0 or
 * VGEN_A_VP_INDEX >= VGEN_MAX_VPS; -ENOENT no such (visible) partition,
 * or the VP does not exist (yet); -EOPNOTSUPP unknown command,
 * VGEN_CMD_EVENT as a request, or a dump of a do-only command; -EAGAIN
 * and -EINTR see VGEN_CMD_GET_VP_REGS. Userspace must ignore attributes it does
 * not know: later versions add attributes, never change the meaning of
 * one.
 */
#ifndef _UAPI_LINUX_VGEN_H
#define _UAPI_LINUX_VGEN_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VGENIO 0xB7

/* Limits. */
#define VGEN_MAX_VPS			1024
#define VGEN_MAX_MEMORY_REGIONS		64
#define VGEN_MAX_CPUID_ENTRIES		256
#define VGEN_RUN_CHECK_INTERVAL		4096
#define VGEN_MAX_MSR_ENTRIES		64
#define VGEN_IOAPIC_PINS		24
#define VGEN_LAPIC_REGS_SIZE		1024

/* ------------------------------------------------------------------ */
/* Capabilities: VGEN_CHECK_CAP returns 0 (absent) or a positive value. */

#define VGEN_CAP_SOFTWARE_VP	0  /* 1: the software x86-64 VP backend is present */
#define VGEN_CAP_MAX_VPS	1  /* maximum VP count per partition */
#define VGEN_CAP_MEMORY_REGIONS	2  /* maximum number of memory regions */
#define VGEN_CAP_READONLY_MEM	3  /* 1: VGEN_MEM_READONLY is supported */
#define VGEN_CAP_CPUID_ENTRIES	4  /* maximum CPUID entries per table */
#define VGEN_CAP_IMMEDIATE_EXIT	5  /* 1: vgen_run.immediate_exit is honoured */
#define VGEN_CAP_YIELD		6  /* 1: VGEN_REQUEST_YIELD and VGEN_EXIT_YIELD */
#define VGEN_CAP_MSRS		7  /* max entries per VGEN_GET/SET_MSRS call */
#define VGEN_CAP_IRQCHIP	8  /* 1: in-kernel local APIC, MSIs, IOAPIC routing, LINT pulses */
#define VGEN_CAP_IOAPIC_PINS	9  /* number of IOAPIC routing lines (VGEN_IOAPIC_PINS) */
#define VGEN_CAP_RESET		10 /* 1: VGEN_RESET_PARTITION and VGEN_RESET_VP */
#define VGEN_CAP_VP_EVENTS	11 /* 1: VGEN_GET/SET_VP_EVENTS */
#define VGEN_CAP_IRQFD		12 /* 1: VGEN_IRQFD (MSI and line irqfds, resample) */
#define VGEN_CAP_IOEVENTFD	13 /* 1: VGEN_IOEVENTFD doorbells */
#define VGEN_CAP_GUEST_DEBUG	14 /* 1: VGEN_SET_GUEST_DEBUG, VGEN_GET/SET_DEBUGREGS */
#define VGEN_CAP_MTRR		15 /* 1: MTRRs in VGEN_GET/SET_MSRS and for the guest */

/* ------------------------------------------------------------------ */
/* /dev/vgen ioctls */

/**
 * VGEN_CHECK_CAP - query a capability (argument: VGEN_CAP_*).
 * Valid on /dev/vgen and on partition fds. Returns the capability's value,
 * 0 for an unknown capability.
 */
#define VGEN_CHECK_CAP		_IO(VGENIO, 0x00)

/**
 * VGEN_GET_RUN_SIZE - size in bytes of the run page to mmap on a VP fd.
 */
#define VGEN_GET_RUN_SIZE	_IO(VGENIO, 0x01)

/* vgen_partition_config.isolation */
#define VGEN_ISOLATION_NONE	0
#define VGEN_ISOLATION_VBS	1
#define VGEN_ISOLATION_SNP	2
#define VGEN_ISOLATION_TDX	3

/* vgen_partition_config.backend */
#define VGEN_BACKEND_AUTO	0
#define VGEN_BACKEND_SOFTWARE	1

/* vgen_partition_config.flags */
#define VGEN_PARTITION_USER_MODE_APIC	(1U << 0)
#define VGEN_PARTITION_VALID_FLAGS	(VGEN_PARTITION_USER_MODE_APIC)

/**
 * struct vgen_partition_config - proto-partition configuration.
 * @flags: VGEN_PARTITION_*.
 * @vp_count: number of VPs, 1..VGEN_MAX_VPS.
 * @isolation: VGEN_ISOLATION_*; only VGEN_ISOLATION_NONE is implemented,
 *	the others fail with -EOPNOTSUPP.
 * @backend: VGEN_BACKEND_*; an unknown backend is -EINVAL.
 * @apic_ids: user pointer to @vp_count __u32 APIC IDs (VP index i gets
 *	apic_ids[i]), or 0 for APIC ID = VP index. IDs must be unique and
 *	not 0xffffffff (-EINVAL).
 * @reserved: must be zero.
 *
 * VGEN_CREATE_PARTITION returns a new partition fd (O_CLOEXEC).
 */
struct vgen_partition_config {
	__u32 flags;
	__u32 vp_count;
	__u32 isolation;
	__u32 backend;
	__u64 apic_ids;
	__u64 reserved[4];
};

#define VGEN_CREATE_PARTITION	_IOW(VGENIO, 0x02, struct vgen_partition_config)

/* ------------------------------------------------------------------ */
/* Partition fd ioctls (VGEN_CHECK_CAP is also valid here). */

/* vgen_memory_region.flags */
#define VGEN_MEM_READONLY	(1U << 0)
#define VGEN_MEM_VALID_FLAGS	(VGEN_MEM_READONLY)

/**
 * struct vgen_memory_region - set or delete one guest memory region.
 * @slot: region slot, 0..VGEN_MAX_MEMORY_REGIONS-1.
 * @flags: VGEN_MEM_*.
 * @guest_phys_addr: page-aligned guest physical base.
 * @size: page-aligned size in bytes; 0 deletes the slot (-ENOENT if empty).
 * @userspace_addr: page-aligned address of the VMM's backing memory.
 * @reserved: must be zero.
 *
 * Setting a slot that is in use replaces it. Errors: -EEXIST the range
 * overlaps another slot; -EINVAL misaligned, wrapping or beyond the
 * partition's physical address width; -EFAULT the backing memory cannot be
 * pinned (with write access unless read-only).
 */
struct vgen_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 size;
	__u64 userspace_addr;
	__u64 reserved[2];
};

#define VGEN_SET_MEMORY_REGION	_IOW(VGENIO, 0x10, struct vgen_memory_region)

/* vgen_cpuid_entry.flags */
#define VGEN_CPUID_SIGNIFICANT_INDEX	(1U << 0)
#define VGEN_CPUID_ENTRY_VALID_FLAGS	(VGEN_CPUID_SIGNIFICANT_INDEX)

/**
 * struct vgen_cpuid_entry - one CPUID leaf.
 * @function: EAX input.
 * @index: ECX input; only compared if VGEN_CPUID_SIGNIFICANT_INDEX is set.
 * @flags: VGEN_CPUID_*.
 * @reserved0: must be zero.
 * @result: EAX, EBX, ECX, EDX output.
 * @mask: on VGEN_SET_CPUID, which result bits this entry sets: the leaf
 *	becomes (old & ~mask) | (result & mask). On VGEN_GET_CPUID all ones.
 * @reserved: must be zero.
 */
struct vgen_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 reserved0;
	__u32 result[4];
	__u32 mask[4];
	__u32 reserved[4];
};

/**
 * struct vgen_cpuid - a CPUID table.
 * @nent: number of entries that follow (max VGEN_MAX_CPUID_ENTRIES).
 * @flags: must be zero.
 * @reserved: must be zero.
 * @entries: the entries.
 *
 * VGEN_GET_CPUID: on input @nent is the capacity of @entries; on output
 * the number of entries (-E2BIG with @nent set to the needed count if the
 * capacity is too small). The table holds the backend's defaults merged
 * with every VGEN_SET_CPUID so far. A leaf not in the table returns zeros
 * (for functions above the maximum basic/extended leaf, the maximum basic
 * leaf, as on Intel hardware).
 *
 * VGEN_SET_CPUID: applies the entries in order with the mask rule, adding
 * leaves that do not exist yet. Only on a proto-partition: -EBUSY after
 * VGEN_FINALIZE; -E2BIG when the table would exceed the limit.
 */
struct vgen_cpuid {
	__u32 nent;
	__u32 flags;
	__u64 reserved;
	struct vgen_cpuid_entry entries[];
};

#define VGEN_GET_CPUID		_IOWR(VGENIO, 0x11, struct vgen_cpuid)
#define VGEN_SET_CPUID		_IOW(VGENIO, 0x12, struct vgen_cpuid)

/**
 * VGEN_FINALIZE - build the partition (no argument; must be 0 or -EINVAL).
 * Errors: -EBUSY already finalized.
 */
#define VGEN_FINALIZE		_IO(VGENIO, 0x13)

/**
 * struct vgen_create_vp - create one VP.
 * @vp_index: 0..vp_count-1.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * Returns a VP fd (O_CLOEXEC). The VP starts in the architectural reset
 * state (real mode, CS:IP f000:fff0) and running (VGEN_ACTIVITY_RUNNING),
 * application processors too: a VMM that starts APs with INIT/SIPI puts
 * them into VGEN_ACTIVITY_WAIT_SIPI with VGEN_SET_VP_EVENTS (a reset does
 * that itself, see VGEN_RESET_VP). Errors: -EBUSY partition not
 * finalized; -EEXIST VP already created; -EINVAL index out of range.
 */
struct vgen_create_vp {
	__u32 vp_index;
	__u32 flags;
	__u64 reserved[3];
};

#define VGEN_CREATE_VP		_IOW(VGENIO, 0x14, struct vgen_create_vp)

/**
 * struct vgen_yield - ask a VP to return from VGEN_RUN (VGEN_CAP_YIELD).
 * @vp_index: the VP, 0..vp_count-1.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * VGEN_REQUEST_YIELD may be called from any thread of the creating process,
 * whether or not the VP is running; see "Yield" in the overview above. It
 * returns 0 once the request is recorded: the VP's current VGEN_RUN, or
 * its next one if it is not inside VGEN_RUN, returns 0 with
 * VGEN_EXIT_YIELD; requests made before that exit coalesce into it.
 * Errors: -EINVAL non-zero flags or reserved fields, index out of range;
 * -ENOENT the VP has not been created (VGEN_CREATE_VP).
 */
struct vgen_yield {
	__u32 vp_index;
	__u32 flags;
	__u64 reserved[3];
};

#define VGEN_REQUEST_YIELD	_IOW(VGENIO, 0x15, struct vgen_yield)

/*
 * MSI address and data, the architectural x86 format (Intel SDM vol. 3,
 * "Message Signalled Interrupts"). Address: bits 31:20 must be 0xfee,
 * 19:12 destination ID bits 7:0, 11:5 extended destination ID (destination
 * ID bits 14:8, for x2APIC IDs up to 32767), 3 redirection hint (lowest
 * priority among the destinations), 2 destination mode (1: logical);
 * bits 63:32, 4 and 1:0 must be zero. Data: bits 7:0 vector, 10:8 delivery
 * mode (VGEN_MSI_DM_*), 14 level (assert), 15 trigger mode (1: level);
 * bits 31:16, 13:11 must be zero.
 */
#define VGEN_MSI_ADDR_BASE		0xfee00000ULL
#define VGEN_MSI_ADDR_BASE_MASK		0xfff00000ULL
#define VGEN_MSI_ADDR_DEST_SHIFT	12
#define VGEN_MSI_ADDR_EXT_DEST_SHIFT	5
#define VGEN_MSI_ADDR_RH		(1U << 3)
#define VGEN_MSI_ADDR_DM_LOGICAL	(1U << 2)
#define VGEN_MSI_DATA_VECTOR_MASK	0xffU
#define VGEN_MSI_DATA_DM_SHIFT		8
#define VGEN_MSI_DATA_LEVEL		(1U << 14)
#define VGEN_MSI_DATA_TRIGGER_LEVEL	(1U << 15)

/* Delivery modes (MSI data bits 10:8, the ICR and LVT encoding). */
#define VGEN_MSI_DM_FIXED		0
#define VGEN_MSI_DM_LOWEST		1
#define VGEN_MSI_DM_SMI			2
#define VGEN_MSI_DM_NMI			4
#define VGEN_MSI_DM_INIT		5
#define VGEN_MSI_DM_SIPI		6
#define VGEN_MSI_DM_EXTINT		7

/**
 * struct vgen_msi - deliver one MSI (VGEN_SIGNAL_MSI, VGEN_CAP_IRQCHIP).
 * @address: MSI address, see above.
 * @data: MSI data, see above.
 * @vtl: virtual trust level; only 0 exists.
 * @flags: must be zero.
 * @reserved0, @reserved: must be zero.
 *
 * Returns the number of local APICs that accepted the interrupt (0: no VP
 * matched the destination, or every destination refused it, e.g. a
 * software-disabled APIC). Errors: -EINVAL a malformed address or data
 * (not 0xfeexxxxx, reserved bits, delivery mode 3), @vtl not 0;
 * -EOPNOTSUPP SMI (there is no SMM); -ENXIO no in-kernel APIC
 * (VGEN_PARTITION_USER_MODE_APIC).
 */
struct vgen_msi {
	__u64 address;
	__u32 data;
	__u32 vtl;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[3];
};

#define VGEN_SIGNAL_MSI		_IOW(VGENIO, 0x16, struct vgen_msi)

#define VGEN_IRQ_ROUTE_MSI	(1U << 0)
#define VGEN_IRQ_ROUTE_VALID_FLAGS	(VGEN_IRQ_ROUTE_MSI)

/**
 * struct vgen_irq_route - route an IOAPIC line (VGEN_SET_IRQ_ROUTE).
 * @irq: the line, 0..VGEN_IOAPIC_PINS-1.
 * @flags: VGEN_IRQ_ROUTE_MSI: route the line to the MSI (@address,
 *	@data, validated as for VGEN_SIGNAL_MSI); without it the line is
 *	unrouted and @address and @data must be zero.
 * @data: MSI data.
 * @address: MSI address.
 * @reserved: must be zero.
 *
 * The route takes effect atomically for every later VGEN_ASSERT_IRQ
 * (asserts running concurrently use the old or the new route). Errors:
 * -EINVAL bad line, flags or MSI; -EOPNOTSUPP an SMI route; -ENXIO no
 * in-kernel APIC.
 */
struct vgen_irq_route {
	__u32 irq;
	__u32 flags;
	__u32 data;
	__u32 reserved0;
	__u64 address;
	__u64 reserved[3];
};

#define VGEN_SET_IRQ_ROUTE	_IOW(VGENIO, 0x17, struct vgen_irq_route)

/**
 * struct vgen_irq - an IOAPIC line (VGEN_ASSERT_IRQ).
 * @irq: the line, 0..VGEN_IOAPIC_PINS-1.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * VGEN_ASSERT_IRQ delivers the line's MSI (an edge). Returns the number of
 * APICs that accepted it; 0 if the line is unrouted or nobody accepted it
 * (such asserts are counted per line, never silently lost). A
 * level-triggered line is re-asserted by the VMM after VGEN_EXIT_EOI while
 * its input stays high. Errors: -EINVAL; -ENXIO no in-kernel APIC.
 */
struct vgen_irq {
	__u32 irq;
	__u32 flags;
	__u64 reserved[3];
};

#define VGEN_ASSERT_IRQ		_IOW(VGENIO, 0x18, struct vgen_irq)

/**
 * struct vgen_lint - pulse a VP's LINT0 or LINT1 pin (VGEN_PULSE_LINT).
 * @vp_index: the VP.
 * @vtl: must be 0.
 * @lint: 0 (LINT0) or 1 (LINT1).
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * The target APIC's LVT LINT entry decides what happens: masked -> nothing
 * (returns 0); fixed -> its vector; NMI -> an NMI; ExtINT -> VGEN_EXIT_EXTINT
 * on that VP once it can take the interrupt. Returns 1 when the pulse was
 * accepted. Errors: -EINVAL; -ENOENT VP not created; -ENXIO no in-kernel
 * APIC.
 */
struct vgen_lint {
	__u32 vp_index;
	__u32 vtl;
	__u32 lint;
	__u32 flags;
	__u64 reserved[2];
};

#define VGEN_PULSE_LINT		_IOW(VGENIO, 0x19, struct vgen_lint)

/**
 * struct vgen_reset - VGEN_RESET_PARTITION / VGEN_RESET_VP argument.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * VGEN_RESET_VP (VP fd) puts one VP into its power-on state: registers as
 * after RESET (real mode, CS:IP f000:fff0), MSRs at their reset values,
 * the local APIC reset (base 0xfee00000, enabled, BSP bit for VP index 0,
 * software-disabled, all LVTs masked, no pending interrupts), no pending
 * event; the BSP (index 0) is running, every other VP waits for a SIPI
 * (VGEN_ACTIVITY_WAIT_SIPI) when the partition has an in-kernel APIC.
 * Pending yield requests and pending IN/MMIO completions are dropped.
 * VGEN_RESET_PARTITION (partition fd) does that for every created VP and
 * also clears the IOAPIC routing table; guest memory, memory regions and
 * CPUID are kept. Errors: -EINVAL flags/reserved; -EBUSY a VP (any VP, for
 * the partition reset) is inside VGEN_RUN or its state is being accessed
 * by another thread, or the partition is not finalized — nothing is reset
 * then.
 */
struct vgen_reset {
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[3];
};

#define VGEN_RESET_PARTITION	_IOW(VGENIO, 0x1a, struct vgen_reset)

/* struct vgen_irqfd.flags */
#define VGEN_IRQFD_DEASSIGN	(1U << 0)
#define VGEN_IRQFD_MSI		(1U << 1)
#define VGEN_IRQFD_RESAMPLE	(1U << 2)
#define VGEN_IRQFD_VALID_FLAGS	(VGEN_IRQFD_DEASSIGN | VGEN_IRQFD_MSI | \
				 VGEN_IRQFD_RESAMPLE)

/**
 * struct vgen_irqfd - bind an eventfd to an interrupt (VGEN_IRQFD,
 *	VGEN_CAP_IRQFD).
 * @fd: the eventfd. Each signal (a write to it) injects the interrupt
 *	from the kernel, without an exit and without a VMM thread. The
 *	kernel consumes the eventfd's counter: signals that arrive before
 *	the kernel has seen the previous one coalesce into one interrupt,
 *	so the guest sees at least one interrupt per batch of signals (and
 *	exactly one per signal when the device waits for the guest between
 *	signals). A count already pending when the binding is made injects
 *	once.
 * @resamplefd: with VGEN_IRQFD_RESAMPLE, an eventfd signalled when the
 *	guest EOIs the line's (level-triggered) vector; otherwise zero. It
 *	must not be @fd; several irqfds may share one.
 * @flags: VGEN_IRQFD_MSI: the eventfd delivers the MSI @address/@data
 *	(validated as for VGEN_SIGNAL_MSI) on @vtl; without it, it asserts
 *	IOAPIC line @irq through the routing table as VGEN_ASSERT_IRQ does
 *	(the route in effect at the time of the signal; an unrouted line
 *	drops the signal).
 *	VGEN_IRQFD_RESAMPLE (line irqfds only): a level-triggered line; the
 *	line is asserted on each signal and, when the guest EOIs it, the
 *	kernel signals @resamplefd (the device re-signals @fd if its
 *	interrupt is still pending) instead of ending VGEN_RUN with
 *	VGEN_EXIT_EOI for that line. The exact rule, at the EOI of a
 *	level-triggered vector V: let L be the lines whose current route
 *	is a level-triggered fixed or lowest-priority MSI with vector V
 *	(any destination). The resamplefd of every resample irqfd on a line
 *	of L is signalled; VGEN_EXIT_EOI is not produced when L is not
 *	empty and every line of L has a resample irqfd, and is produced as
 *	before otherwise (L empty, or a line without a resampler shares
 *	V). MSIs are not lines: a level-triggered MSI (VGEN_SIGNAL_MSI or
 *	an MSI irqfd) whose vector V is also that of fully resampled lines
 *	gets no VGEN_EXIT_EOI either, so such MSIs need vectors of their
 *	own.
 *	VGEN_IRQFD_DEASSIGN: remove the binding of @fd (only @fd and @flags
 *	are looked at besides the reserved fields; other @flags bits are
 *	ignored); -ENOENT if there is none.
 * @irq: IOAPIC line (0..VGEN_IOAPIC_PINS-1) for line irqfds, else zero.
 * @address: MSI address (VGEN_IRQFD_MSI), else zero.
 * @data: MSI data (VGEN_IRQFD_MSI), else zero.
 * @vtl: must be 0.
 * @reserved: must be zero.
 *
 * An eventfd is bound at most once per partition (-EBUSY); closing the
 * eventfd (its last file reference) removes the binding, and so does
 * destroying the partition. A VGEN_IRQFD call first completes the
 * removal of bindings whose eventfd was closed before it, so it sees
 * their slots free and their resamplers gone. Errors: -EINVAL bad flags,
 * line, MSI or fd values (a non-zero @resamplefd without RESAMPLE,
 * @resamplefd the same eventfd as @fd), @vtl, reserved bits;
 * -EOPNOTSUPP an SMI; -EBADF @fd or @resamplefd is not an eventfd;
 * -EBUSY @fd is already bound; -ENOENT deassign of an unbound fd;
 * -ENOSPC more than VGEN_MAX_IRQFDS bindings; -ENXIO no in-kernel APIC.
 */
struct vgen_irqfd {
	__u32 fd;
	__u32 resamplefd;
	__u32 flags;
	__u32 irq;
	__u64 address;
	__u32 data;
	__u32 vtl;
	__u64 reserved[2];
};

#define VGEN_MAX_IRQFDS		1024
#define VGEN_IRQFD		_IOW(VGENIO, 0x1b, struct vgen_irqfd)

/* struct vgen_ioeventfd.flags */
#define VGEN_IOEVENTFD_DEASSIGN		(1U << 0)
#define VGEN_IOEVENTFD_PIO		(1U << 1)
#define VGEN_IOEVENTFD_DATAMATCH	(1U << 2)
#define VGEN_IOEVENTFD_VALID_FLAGS	(VGEN_IOEVENTFD_DEASSIGN | \
					 VGEN_IOEVENTFD_PIO | \
					 VGEN_IOEVENTFD_DATAMATCH)

/**
 * struct vgen_ioeventfd - a doorbell (VGEN_IOEVENTFD, VGEN_CAP_IOEVENTFD).
 * @addr: guest physical address (MMIO; the range must end at or below
 *	2^40, the VP's physical address width) or, with VGEN_IOEVENTFD_PIO,
 *	the I/O port (the range must end at or below 0x10000).
 * @datamatch: with VGEN_IOEVENTFD_DATAMATCH, only a write of exactly this
 *	value (zero-extended from @len bytes; a value wider than @len bytes
 *	is -EINVAL) rings the doorbell; else zero.
 * @len: 1, 2, 4 or 8 (PIO: 1, 2 or 4): only a write of exactly that size
 *	at @addr matches; 0: a write of any size at @addr matches
 *	(DATAMATCH requires a non-zero @len). The write must start at @addr:
 *	one that starts inside the registered range does not match.
 * @fd: the eventfd signalled by a matching guest write. The write is
 *	then complete: it does not exit to userspace and has no other
 *	effect. Writes that do not match exit as usual.
 * @flags: VGEN_IOEVENTFD_PIO, VGEN_IOEVENTFD_DATAMATCH and
 *	VGEN_IOEVENTFD_DEASSIGN (remove the registration with the same
 *	@addr, @len, @fd, @flags and @datamatch; -ENOENT if none).
 * @reserved0, @reserved: must be zero.
 *
 * Only accesses that would exit are looked at: MMIO writes that would
 * exit with VGEN_EXIT_MMIO (also writes to a VGEN_MEM_READONLY region),
 * OUT instructions and each element of a string OUT. Reads never match.
 * The in-kernel local APIC's page (IA32_APIC_BASE of the accessing VP)
 * wins: accesses to it never reach a doorbell registered there.
 *
 * Two registrations of the same space overlap if their byte ranges
 * [@addr, @addr + max(@len, 1)) intersect, unless both use DATAMATCH with
 * the same @addr and @len and different @datamatch values (one doorbell
 * register, one eventfd per value). A write therefore matches at most
 * one registration. One eventfd may serve several registrations.
 * Registrations are removed when the partition is destroyed (closing the
 * eventfd does not remove them: the registration keeps its own
 * reference). Errors: -EINVAL bad flags, length, address, datamatch or
 * reserved bits; -EBADF @fd is not an eventfd; -EEXIST overlaps a
 * registration; -ENOENT deassign of an unknown registration; -ENOSPC
 * more than VGEN_MAX_IOEVENTFDS registrations.
 */
struct vgen_ioeventfd {
	__u64 addr;
	__u64 datamatch;
	__u32 len;
	__u32 fd;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

#define VGEN_MAX_IOEVENTFDS	1024
#define VGEN_IOEVENTFD		_IOW(VGENIO, 0x1c, struct vgen_ioeventfd)

/* ------------------------------------------------------------------ */
/* VP fd ioctls and the run page. */

/* vgen_run.exit_reason */
#define VGEN_EXIT_UNKNOWN	0
#define VGEN_EXIT_IO		1  /* port I/O, see run->io */
#define VGEN_EXIT_MMIO		2  /* MMIO, see run->mmio */
#define VGEN_EXIT_HLT		3  /* HLT with no way to wake up in the kernel */
#define VGEN_EXIT_SHUTDOWN	4  /* triple fault */
#define VGEN_EXIT_INTR		5  /* signal or immediate_exit; VGEN_RUN returned -EINTR */
#define VGEN_EXIT_INTERNAL_ERROR 6 /* see run->internal */
#define VGEN_EXIT_YIELD		7  /* VGEN_REQUEST_YIELD; VGEN_RUN returned 0 */
#define VGEN_EXIT_EOI		8  /* EOI of a level-triggered vector, see run->eoi */
#define VGEN_EXIT_EXTINT	9  /* ExtINT acknowledge, see run->extint */
#define VGEN_EXIT_DEBUG		10 /* VMM debugging (VGEN_SET_GUEST_DEBUG), see run->debug */

/* vgen_run.io.direction and vgen_run.mmio.is_write */
#define VGEN_EXIT_IO_IN		0
#define VGEN_EXIT_IO_OUT	1

/* vgen_run.debug.type */
#define VGEN_DEBUG_EXIT_SINGLE_STEP	1
#define VGEN_DEBUG_EXIT_BREAKPOINT	2

/* vgen_run.internal.suberror */
#define VGEN_INTERNAL_EMULATION_FAILURE	1  /* instruction not implemented */
#define VGEN_INTERNAL_UNSUPPORTED_MODE	2  /* processor mode not implemented */
#define VGEN_INTERNAL_INVALID_STATE	3  /* architecturally invalid VP state */

#define VGEN_INTERNAL_MAX_DATA	8

/**
 * struct vgen_run - the run page, mmap'd at offset 0 of a VP fd.
 * @immediate_exit: input; read once per VGEN_RUN after completing pending
 *	I/O; non-zero makes VGEN_RUN return -EINTR/VGEN_EXIT_INTR at once.
 * @flags: input; must be zero (VGEN_RUN fails with -EINVAL otherwise).
 * @reserved_in: input; must be zero.
 * @exit_reason: output; VGEN_EXIT_*; VGEN_EXIT_UNKNOWN while running.
 * @exit_flags: output; zero for now.
 * @reserved_out: output; zero.
 * @io: VGEN_EXIT_IO. @port, @size (1, 2 or 4), @direction
 *	(VGEN_EXIT_IO_IN/OUT), @data (little endian, OUT: the value written;
 *	IN: userspace stores the value read before the next VGEN_RUN).
 *	String instructions exit once per element.
 * @mmio: VGEN_EXIT_MMIO. @gpa, @size (1, 2, 4 or 8), @is_write, @data
 *	(write: the bytes written; read: userspace stores the bytes read).
 * @internal: VGEN_EXIT_INTERNAL_ERROR. @suberror VGEN_INTERNAL_*, @ndata
 *	valid entries of @data (data[0] = guest RIP), @insn_len bytes of the
 *	instruction in @insn.
 * @eoi: VGEN_EXIT_EOI. The guest EOI'd @vector, which was delivered
 *	level-triggered (an MSI or route with VGEN_MSI_DATA_TRIGGER_LEVEL).
 *	Nothing to complete; the VMM's IOAPIC clears remote IRR of the lines
 *	with that vector. Not produced for an EOI that resample irqfds
 *	handle completely (rule at struct vgen_irqfd).
 * @extint: VGEN_EXIT_EXTINT. The VP can take the pending ExtINT interrupt
 *	now: before the next VGEN_RUN the VMM stores the vector from its PIC's
 *	interrupt acknowledge in @vector and sets @valid to 1 (or leaves
 *	@valid 0: no interrupt after all). The next VGEN_RUN delivers it
 *	before any guest instruction.
 * @debug: VGEN_EXIT_DEBUG. @type VGEN_DEBUG_EXIT_SINGLE_STEP (one guest
 *	instruction completed, or one event delivered: see "Debugging" at the
 *	top) or VGEN_DEBUG_EXIT_BREAKPOINT (hardware breakpoint @breakpoint,
 *	0..3, fired); @rip is the guest RIP now (after the instruction for
 *	single step and data breakpoints, at the instruction for execute
 *	breakpoints, the handler's first instruction for a step that
 *	delivered an event); @dr6 the DR6-style status bits (BS for a step,
 *	Bn for breakpoint n, the fixed bits 0xffff0ff0 set). Nothing to
 *	complete. The guest's own DR6 is not changed.
 */
struct vgen_run {
	/* in */
	__u8 immediate_exit;
	__u8 pad_in[3];
	__u32 flags;
	__u64 reserved_in;
	/* out */
	__u32 exit_reason;
	__u32 exit_flags;
	__u64 reserved_out;
	union {
		struct {
			__u16 port;
			__u8 size;
			__u8 direction;
			__u32 data;
			__u64 reserved[2];
		} io;
		struct {
			__u64 gpa;
			__u8 data[8];
			__u32 size;
			__u8 is_write;
			__u8 pad[3];
			__u64 reserved[2];
		} mmio;
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[VGEN_INTERNAL_MAX_DATA];
			__u8 insn_len;
			__u8 insn[15];
		} internal;
		struct {
			__u8 vector;
			__u8 pad[7];
			__u64 reserved[2];
		} eoi;
		struct {
			__u8 vector;
			__u8 valid;
			__u8 pad[6];
			__u64 reserved[2];
		} extint;
		struct {
			__u64 rip;
			__u64 dr6;
			__u32 type;
			__u32 breakpoint;
			__u64 reserved[2];
		} debug;
		__u8 padding[256];
	};
};

/*
 * VGEN_RUN - run the VP until an exit. Errors: -EINTR (see above),
 * -EINVAL bad run page input, -EBUSY VP running on another thread. A
 * pending yield request makes it return 0 with VGEN_EXIT_YIELD (see
 * "Yield" above).
 */
#define VGEN_RUN		_IO(VGENIO, 0x80)

/*
 * Segment attributes (struct vgen_segment.attributes), the descriptor's
 * access byte and flags nibble: type 3:0, S 4, DPL 6:5, P 7, AVL 12,
 * L 13, D/B 14, G 15. Limit is the expanded byte limit.
 */
#define VGEN_SEG_ATTR_S		(1U << 4)
#define VGEN_SEG_ATTR_P		(1U << 7)
#define VGEN_SEG_ATTR_L		(1U << 13)
#define VGEN_SEG_ATTR_DB	(1U << 14)
#define VGEN_SEG_ATTR_G		(1U << 15)

/** struct vgen_segment - a segment register. */
struct vgen_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attributes;
};

/** struct vgen_table - GDTR or IDTR. */
struct vgen_table {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

/* GPR indices of vgen_regs.gpr, in x86 encoding order. */
#define VGEN_REG_RAX	0
#define VGEN_REG_RCX	1
#define VGEN_REG_RDX	2
#define VGEN_REG_RBX	3
#define VGEN_REG_RSP	4
#define VGEN_REG_RBP	5
#define VGEN_REG_RSI	6
#define VGEN_REG_RDI	7
/* r8..r15 are 8..15 */

/**
 * struct vgen_regs - general registers (VGEN_GET_REGS / VGEN_SET_REGS).
 * @gpr: RAX..R15 in encoding order.
 * @rip: instruction pointer.
 * @rflags: flags; bit 1 always reads as one; reserved bits -> -EINVAL.
 * @flags: must be zero.
 * @reserved0: must be zero.
 * @reserved: must be zero.
 */
struct vgen_regs {
	__u64 gpr[16];
	__u64 rip;
	__u64 rflags;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[4];
};

/**
 * struct vgen_sregs - segment and system registers.
 * @cs, @ds, @es, @fs, @gs, @ss, @tr, @ldt: segment registers.
 * @gdt, @idt: descriptor table registers.
 * @cr0, @cr2, @cr3, @cr4, @cr8: control registers.
 * @efer: IA32_EFER.
 * @apic_base: IA32_APIC_BASE.
 * @flags: must be zero.
 * @reserved0, @reserved: must be zero.
 *
 * VGEN_SET_SREGS refuses architecturally invalid combinations with
 * -EINVAL: reserved CR0/CR4/EFER bits, CR0.PG without CR0.PE, EFER.LME
 * with CR0.PG but without CR4.PAE, EFER.LMA not equal to LME && PG, a
 * 64-bit code segment (L) with D/B set.
 */
struct vgen_sregs {
	struct vgen_segment cs, ds, es, fs, gs, ss;
	struct vgen_segment tr, ldt;
	struct vgen_table gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[8];
};

/*
 * VGEN_GET_REGS, VGEN_SET_REGS, VGEN_GET_SREGS, VGEN_SET_SREGS: -EBUSY while
 * another thread is inside VGEN_RUN on this VP. Setting state that differs
 * from the current state drops a pending, not yet completed IN/MMIO read.
 */
#define VGEN_GET_REGS		_IOR(VGENIO, 0x81, struct vgen_regs)
#define VGEN_SET_REGS		_IOW(VGENIO, 0x82, struct vgen_regs)
#define VGEN_GET_SREGS		_IOR(VGENIO, 0x83, struct vgen_sregs)
#define VGEN_SET_SREGS		_IOW(VGENIO, 0x84, struct vgen_sregs)

/**
 * struct vgen_msr_entry - one MSR of a VGEN_GET_MSRS / VGEN_SET_MSRS call.
 * @index: MSR index (one of the supported indices, see struct vgen_msrs).
 * @reserved: must be zero.
 * @data: the MSR value (GET: filled in by the kernel).
 */
struct vgen_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/**
 * struct vgen_msrs - MSR state of a VP (VGEN_GET_MSRS / VGEN_SET_MSRS).
 * @nmsrs: number of @entries, at most VGEN_MAX_MSR_ENTRIES (the value of
 *	VGEN_CAP_MSRS); zero is allowed and does nothing.
 * @flags: must be zero.
 * @reserved: must be zero.
 * @entries: @nmsrs entries following the header.
 *
 * Supported MSR indices (the MSR state the software VP keeps):
 *  0x10 IA32_TIME_STAMP_COUNTER (the guest TSC: GET returns the host TSC
 *  plus the VP's TSC offset, SET sets the offset so that the guest TSC
 *  equals @data at the time of the call and then keeps counting),
 *  0x174 IA32_SYSENTER_CS (bits 63:16 zero), 0x175 IA32_SYSENTER_ESP and
 *  0x176 IA32_SYSENTER_EIP (canonical), 0x277 IA32_PAT (every byte a valid
 *  memory type: 0, 1, 4, 5, 6 or 7), 0xC0000081 STAR (any value),
 *  0xC0000082 LSTAR and 0xC0000083 CSTAR (canonical), 0xC0000084 SFMASK
 *  (bits 63:32 zero), 0xC0000102 KERNEL_GS_BASE (canonical), 0xC0000103
 *  TSC_AUX (bits 63:32 zero). The value rules are those of the guest's
 *  WRMSR. EFER, APIC_BASE and the FS/GS bases are part of struct
 *  vgen_sregs and are not accepted here.
 *
 * MTRRs (VGEN_CAP_MTRR; CPUID leaf 1 EDX.MTRR is set): 0xFE IA32_MTRRCAP
 *  (read only: 0x508, VCNT 8 variable pairs, FIX, WC, no SMRR; SET
 *  accepts exactly that value so that a saved state can be restored, the
 *  guest's WRMSR raises #GP), 0x2FF IA32_MTRR_DEF_TYPE (type 7:0, FE 10,
 *  E 11), 0x200 + 2n IA32_MTRR_PHYSBASEn (type 7:0, base MAXPHYADDR-1:12)
 *  and 0x201 + 2n IA32_MTRR_PHYSMASKn (valid 11, mask MAXPHYADDR-1:12)
 *  for n = 0..7, and the fixed-range MTRRs 0x250 FIX64K_00000, 0x258
 *  FIX16K_80000, 0x259 FIX16K_A0000 and 0x268-0x26F FIX4K_C0000..F8000
 *  (one memory type per byte). A memory type is 0 (UC), 1 (WC), 4 (WT),
 *  5 (WP) or 6 (WB); other types and any other bit (reserved, or above
 *  MAXPHYADDR = 40, CPUID 0x80000008 EAX[7:0] of the default table) are
 *  refused here and raise #GP in the guest's WRMSR. Reset value of
 *  every MTRR but IA32_MTRRCAP: 0 (MTRRs disabled). The MTRRs are state
 *  only: memory types change nothing the software VP does (every access
 *  behaves as write-back).
 * 0x6E0 IA32_TSC_DEADLINE, only for a VP with an in-kernel APIC whose
 *  CPUID leaf 1 ECX has TSC-deadline (else an unsupported index): GET
 *  returns the armed deadline in guest TSC units (0 when none is armed or
 *  the LVT timer is not in TSC-deadline mode); SET behaves as the guest's
 *  WRMSR after everything else in the call was applied (so a TSC entry of
 *  the same call counts first): it arms the timer when LVTT is in
 *  TSC-deadline mode (restore VGEN_SET_LAPIC first), 0 disarms it, and it
 *  is ignored in the other timer modes.
 *
 * Both ioctls act on the whole call: the header and every entry are
 * checked first, and any error (non-zero @flags or @reserved, @nmsrs
 * above the maximum, a non-zero entry reserved field, an unsupported
 * index, and for SET a value the rules above refuse) fails the call with
 * -EINVAL without changing anything; GET then fills @data of every entry,
 * SET applies every entry in order (an index given twice: the last one
 * wins). The kernel reads and writes only the @nmsrs entries.
 */
struct vgen_msrs {
	__u32 nmsrs;
	__u32 flags;
	__u64 reserved;
	struct vgen_msr_entry entries[];
};

/*
 * VGEN_GET_MSRS, VGEN_SET_MSRS (VGEN_CAP_MSRS): 0; -EINVAL see struct
 * vgen_msrs; -EFAULT; -ENOMEM; -EBUSY while another thread is inside
 * VGEN_RUN on this VP. Like VGEN_SET_REGS, a SET that changes the state
 * drops a pending, not yet completed IN/MMIO read (setting the TSC
 * normally changes the state).
 */
#define VGEN_GET_MSRS		_IOWR(VGENIO, 0x85, struct vgen_msrs)
#define VGEN_SET_MSRS		_IOW(VGENIO, 0x86, struct vgen_msrs)

/**
 * struct vgen_lapic_state - a VP's local APIC (VGEN_GET/SET_LAPIC).
 * @apic_base: IA32_APIC_BASE (base address, enable bit 11, x2APIC enable
 *	bit 10, BSP bit 8).
 * @flags: must be zero.
 * @reserved0, @reserved: must be zero.
 * @regs: the register page: the 32-bit register at xAPIC offset X is at
 *	@regs[X] (little endian), offsets 0x000-0x3f0. In x2APIC mode the
 *	ID register holds the full 32-bit x2APIC ID. GET reports the timer's
 *	current count at 0x390; SET restarts the timer from the initial
 *	count at 0x380 (if non-zero) and ignores 0x390 and read-only fields.
 *
 * Errors: -ENXIO no in-kernel APIC; -EINVAL non-zero flags or reserved
 * fields, an invalid @apic_base (reserved bits, x2APIC enabled without the
 * global enable); -EBUSY while another thread is inside VGEN_RUN.
 */
struct vgen_lapic_state {
	__u64 apic_base;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[6];
	__u8 regs[VGEN_LAPIC_REGS_SIZE];
};

#define VGEN_GET_LAPIC		_IOR(VGENIO, 0x87, struct vgen_lapic_state)
#define VGEN_SET_LAPIC		_IOW(VGENIO, 0x88, struct vgen_lapic_state)

/* struct vgen_vp_events.activity */
#define VGEN_ACTIVITY_RUNNING	0
#define VGEN_ACTIVITY_HALTED	1  /* HLT executed, waiting for an interrupt */
#define VGEN_ACTIVITY_WAIT_SIPI	2  /* after INIT or reset (not the BSP) */

/* struct vgen_vp_events.interrupt_shadow */
#define VGEN_SHADOW_STI		(1U << 0)
#define VGEN_SHADOW_MOV_SS	(1U << 1)

/* struct vgen_vp_events.event_pending */
#define VGEN_EVENT_NONE		0
#define VGEN_EVENT_IRQ		1  /* external interrupt event_vector */
#define VGEN_EVENT_NMI		2

/**
 * struct vgen_vp_events - a VP's activity and event state
 *	(VGEN_GET_VP_EVENTS / VGEN_SET_VP_EVENTS).
 * @activity: VGEN_ACTIVITY_*. HALTED and WAIT_SIPI need an in-kernel APIC
 *	(only RUNNING is accepted otherwise).
 * @flags: must be zero.
 * @nmi_pending: 1 if an NMI is pending at the APIC (not yet delivered).
 * @nmi_masked: 1 while NMIs are blocked (an NMI handler runs: no IRET yet).
 * @interrupt_shadow: VGEN_SHADOW_* (interrupts blocked for one
 *	instruction after STI / MOV SS); at most one of them, and the STI
 *	shadow only with RFLAGS.IF set.
 * @event_pending: VGEN_EVENT_*: an event taken from the APIC but not yet
 *	delivered through the IDT; delivered before the next instruction.
 * @event_vector: vector of a VGEN_EVENT_IRQ.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * SET replaces all of it; setting @nmi_pending posts an NMI to the APIC,
 * clearing it drops one that is pending. Errors: -EINVAL flags, reserved
 * fields or padding not zero, unknown values, both shadows or an STI
 * shadow with RFLAGS.IF clear, or HALTED / WAIT_SIPI /
 * @nmi_pending without an in-kernel APIC; -ENOMEM; -EFAULT; -EBUSY while
 * another thread is inside VGEN_RUN. Like VGEN_SET_REGS, a SET that
 * changes the state drops a pending, not yet completed IN/MMIO read.
 */
struct vgen_vp_events {
	__u32 activity;
	__u32 flags;
	__u8 nmi_pending;
	__u8 nmi_masked;
	__u8 interrupt_shadow;
	__u8 event_pending;
	__u8 event_vector;
	__u8 pad[3];
	__u64 reserved[6];
};

#define VGEN_GET_VP_EVENTS	_IOR(VGENIO, 0x89, struct vgen_vp_events)
#define VGEN_SET_VP_EVENTS	_IOW(VGENIO, 0x8a, struct vgen_vp_events)
#define VGEN_RESET_VP		_IOW(VGENIO, 0x8b, struct vgen_reset)

/* struct vgen_guest_debug.flags */
#define VGEN_GUESTDBG_ENABLE		(1U << 0)  /* debugging on; else all off */
#define VGEN_GUESTDBG_SINGLESTEP	(1U << 1)  /* exit after every step */
#define VGEN_GUESTDBG_HW_BP		(1U << 2)  /* breakpoints in @control */

/* DR7-encoded fields of struct vgen_guest_debug.control, breakpoint n */
#define VGEN_DR7_L(n)		(1ULL << (2 * (n)))	/* enable (L or G) */
#define VGEN_DR7_G(n)		(1ULL << (2 * (n) + 1))
#define VGEN_DR7_RW(n, rw)	((__u64)(rw) << (16 + 4 * (n)))
#define VGEN_DR7_LEN(n, len)	((__u64)(len) << (18 + 4 * (n)))
#define VGEN_DR7_RW_EXECUTE	0
#define VGEN_DR7_RW_WRITE	1
#define VGEN_DR7_RW_IO		2	/* not supported: -EINVAL */
#define VGEN_DR7_RW_READ_WRITE	3
#define VGEN_DR7_LEN_1		0
#define VGEN_DR7_LEN_2		1
#define VGEN_DR7_LEN_8		2
#define VGEN_DR7_LEN_4		3

/**
 * struct vgen_guest_debug - VMM debugging of a VP (VGEN_SET_GUEST_DEBUG,
 *	VGEN_CAP_GUEST_DEBUG); see "Debugging" at the top of this file.
 * @flags: VGEN_GUESTDBG_*. Zero turns debugging off; any other value must
 *	include VGEN_GUESTDBG_ENABLE.
 * @pad: must be zero.
 * @addr: guest linear address of breakpoint 0..3.
 * @control: with VGEN_GUESTDBG_HW_BP, the breakpoints in DR7 encoding:
 *	enable bits L0-3/G0-3 (bits 7:0; L and G mean the same), R/W and
 *	LEN per breakpoint (bits 31:16, VGEN_DR7_RW()/VGEN_DR7_LEN()). All
 *	other bits must be zero; without VGEN_GUESTDBG_HW_BP the whole
 *	word must be zero. Only enabled breakpoints are checked: R/W is
 *	execute (LEN must be 1 byte), write or read/write (LEN 1, 2, 4 or
 *	8; @addr aligned to it); I/O is refused; @addr must be canonical.
 * @reserved: must be zero.
 *
 * VGEN_SET_GUEST_DEBUG replaces the VP's debugging state and drops a debug
 * exit not yet reported. Errors: -EINVAL any rule above; -EBUSY another
 * thread is inside VGEN_RUN; -EFAULT.
 */
struct vgen_guest_debug {
	__u32 flags;
	__u32 pad;
	__u64 addr[4];
	__u64 control;
	__u64 reserved[4];
};

#define VGEN_SET_GUEST_DEBUG	_IOW(VGENIO, 0x8c, struct vgen_guest_debug)

/**
 * struct vgen_debugregs - the guest's own debug registers
 *	(VGEN_GET_DEBUGREGS / VGEN_SET_DEBUGREGS, VGEN_CAP_GUEST_DEBUG).
 * @db: DR0-DR3.
 * @dr6: DR6; bits 63:32 must be zero. SET keeps only the writable bits
 *	(B0-B3, BD, BS, BT) and forces the fixed ones (0xffff0ff0 read as 1).
 * @dr7: DR7; bits 63:32 must be zero. SET forces bit 10 to 1 and bits 11,
 *	12, 14, 15 to 0.
 * @flags: must be zero (GET returns zero).
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * Errors: -EINVAL flags, padding or reserved fields not zero, or bits
 * 63:32 of DR6/DR7 set; -EBUSY another thread is inside VGEN_RUN; -EFAULT.
 */
struct vgen_debugregs {
	__u64 db[4];
	__u64 dr6;
	__u64 dr7;
	__u32 flags;
	__u32 pad;
	__u64 reserved[5];
};

#define VGEN_GET_DEBUGREGS	_IOR(VGENIO, 0x8d, struct vgen_debugregs)
#define VGEN_SET_DEBUGREGS	_IOW(VGENIO, 0x8e, struct vgen_debugregs)

/* ------------------------------------------------------------------ */
/*
 * Introspection: the "vgen" generic netlink family. See "Introspection
 * (generic netlink)" in the documentation block at the top of this file.
 */

#define VGEN_GENL_NAME			"vgen"
#define VGEN_GENL_VERSION		1
#define VGEN_GENL_MCGRP_EVENTS		"events"

/* Commands (genlmsghdr.cmd). */
enum vgen_genl_cmd {
	VGEN_CMD_UNSPEC,
	VGEN_CMD_GET_PARTITION,
	VGEN_CMD_GET_VP,
	VGEN_CMD_EVENT,
	VGEN_CMD_GET_VP_REGS,
	VGEN_CMD_GET_IRQ_ROUTES,

	__VGEN_CMD_MAX,
};
#define VGEN_CMD_MAX		(__VGEN_CMD_MAX - 1)

/* Top-level attributes of every message. */
enum vgen_genl_attr {
	VGEN_A_UNSPEC,
	VGEN_A_PAD,
	VGEN_A_PARTITION_ID,		/* u32 */
	VGEN_A_PARTITION_OWNER_PID,	/* u32 */
	VGEN_A_PARTITION_OWNER_UID,	/* u32 */
	VGEN_A_PARTITION_CREATED_NS,	/* u64 */
	VGEN_A_PARTITION_BACKEND,	/* u32 VGEN_BACKEND_* */
	VGEN_A_PARTITION_ISOLATION,	/* u32 VGEN_ISOLATION_* */
	VGEN_A_PARTITION_FLAGS,		/* u32 VGEN_PARTITION_* */
	VGEN_A_PARTITION_STATUS,	/* u32 VGEN_PARTITION_STATUS_* */
	VGEN_A_PARTITION_VP_COUNT,	/* u32 */
	VGEN_A_PARTITION_VPS_CREATED,	/* u32 */
	VGEN_A_PARTITION_REGION,	/* nest: enum vgen_genl_region_attr */
	VGEN_A_VP_INDEX,		/* u32 */
	VGEN_A_VP_APIC_ID,		/* u32 */
	VGEN_A_VP_STATE,		/* u32 VGEN_VP_STATE_* */
	VGEN_A_VP_RUNS,			/* u64 */
	VGEN_A_VP_INSNS_RETIRED,	/* u64 */
	VGEN_A_VP_RUN_NS,		/* u64 */
	VGEN_A_VP_LAST_EXIT,		/* u32 VGEN_EXIT_* */
	VGEN_A_VP_EXIT,			/* nest: enum vgen_genl_exit_attr */
	VGEN_A_EVENT,			/* u32 VGEN_EVENT_* */
	VGEN_A_EVENT_REASON,		/* u32 */
	VGEN_A_VP_HOST_TID,		/* u32 */
	VGEN_A_VP_RUN_TID,		/* u32 */
	VGEN_A_VP_ACTIVITY,		/* u32 VGEN_ACTIVITY_* */
	VGEN_A_VP_LAST_HALT,		/* u32 VGEN_EXIT_* */
	VGEN_A_VP_HALTS,		/* u64 */
	VGEN_A_VP_GUEST_NS,		/* u64 */
	VGEN_A_VP_KERNEL_NS,		/* u64 */
	VGEN_A_VP_USER_NS,		/* u64 */
	VGEN_A_VP_IRR,			/* binary, VGEN_GENL_VECTOR_BITMAP */
	VGEN_A_VP_ISR,			/* binary, VGEN_GENL_VECTOR_BITMAP */
	VGEN_A_VP_TPR,			/* u32 */
	VGEN_A_VP_PPR,			/* u32 */
	VGEN_A_VP_REGS,			/* binary struct vgen_regs */
	VGEN_A_VP_SREGS,		/* binary struct vgen_sregs */
	VGEN_A_VP_LAPIC,		/* binary struct vgen_lapic_state */
	VGEN_A_IRQ_ROUTE,		/* nest: enum vgen_genl_route_attr */

	__VGEN_A_MAX,
};
#define VGEN_A_MAX		(__VGEN_A_MAX - 1)

/* Attributes inside VGEN_A_PARTITION_REGION. */
enum vgen_genl_region_attr {
	VGEN_A_REGION_UNSPEC,
	VGEN_A_REGION_PAD,
	VGEN_A_REGION_SLOT,		/* u32 */
	VGEN_A_REGION_GPA,		/* u64 */
	VGEN_A_REGION_SIZE,		/* u64 */
	VGEN_A_REGION_FLAGS,		/* u32 VGEN_MEM_* */

	__VGEN_A_REGION_MAX,
};
#define VGEN_A_REGION_MAX	(__VGEN_A_REGION_MAX - 1)

/* Attributes inside VGEN_A_VP_EXIT. */
enum vgen_genl_exit_attr {
	VGEN_A_EXIT_UNSPEC,
	VGEN_A_EXIT_PAD,
	VGEN_A_EXIT_REASON,		/* u32 VGEN_EXIT_* */
	VGEN_A_EXIT_COUNT,		/* u64 */

	__VGEN_A_EXIT_MAX,
};
#define VGEN_A_EXIT_MAX		(__VGEN_A_EXIT_MAX - 1)

/* Attributes inside VGEN_A_IRQ_ROUTE. */
enum vgen_genl_route_attr {
	VGEN_A_ROUTE_UNSPEC,
	VGEN_A_ROUTE_PAD,
	VGEN_A_ROUTE_IRQ,		/* u32 IOAPIC line */
	VGEN_A_ROUTE_FLAGS,		/* u32 VGEN_IRQ_ROUTE_* */
	VGEN_A_ROUTE_ADDRESS,		/* u64 MSI address */
	VGEN_A_ROUTE_DATA,		/* u32 MSI data */
	VGEN_A_ROUTE_DELIVERED,		/* u64 */
	VGEN_A_ROUTE_DROPPED,		/* u64 */

	__VGEN_A_ROUTE_MAX,
};
#define VGEN_A_ROUTE_MAX	(__VGEN_A_ROUTE_MAX - 1)

/* Size of VGEN_A_VP_IRR and VGEN_A_VP_ISR: bit v % 8 of byte v / 8. */
#define VGEN_GENL_VECTOR_BITMAP	32

/* VGEN_A_PARTITION_STATUS bits. */
#define VGEN_PARTITION_STATUS_FINALIZED	(1U << 0)  /* VGEN_FINALIZE done */
#define VGEN_PARTITION_STATUS_DEAD	(1U << 1)  /* internal error: -EIO */

/* VGEN_A_VP_STATE values. */
#define VGEN_VP_STATE_STOPPED		0  /* not inside VGEN_RUN */
#define VGEN_VP_STATE_RUNNING		1  /* inside VGEN_RUN */
#define VGEN_VP_STATE_HALTED		2  /* inside VGEN_RUN, halted (HLT) */
#define VGEN_VP_STATE_WAIT_FOR_SIPI	3  /* inside VGEN_RUN, waiting for SIPI */

/* VGEN_A_EVENT values. */
#define VGEN_EVENT_PARTITION_CREATED	1
#define VGEN_EVENT_PARTITION_DESTROYED	2
#define VGEN_EVENT_VP_HALTED		3

#endif /* _UAPI_LINUX_VGEN_H */
