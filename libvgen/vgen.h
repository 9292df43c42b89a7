/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgen - userspace library for the vgen partition API.
 *
 * This is the only public header of libvgen. It includes the kernel's uapi
 * header <linux/vgen.h> for the register and exit layouts (struct
 * vgen_regs, struct vgen_sregs, struct vgen_run, VGEN_EXIT_*); "make
 * install" installs that header as $(includedir)/linux/vgen.h next to this
 * one, so users need no kernel headers of their own.
 *
 * ERROR CONVENTION: every function returning int returns 0 on success or a
 * negative errno value (-EINVAL, -ENOMEM, ...) on failure; errno itself is
 * not guaranteed to be preserved. Functions that create an object store it
 * in their last (output) parameter only on success. Errors coming from the
 * kernel are passed through unchanged; see <linux/vgen.h> for their
 * meaning.
 *
 * OBJECTS (modelled on OpenVMM's virt crate):
 *  - struct vgen_hypervisor: an open backend device (/dev/vgen or
 *    /dev/kvm, see BACKENDS).
 *  - struct vgen_proto: a proto-partition (configurable: CPUID, memory).
 *  - struct vgen_partition: a built partition, owning one binder per VP.
 *  - struct vgen_binder: the right to bind VP i to a thread.
 *  - struct vgen_processor: a bound VP (its fd and run page), used only by
 *    the thread that bound it.
 *
 * THREAD SAFETY: distinct objects may be used from different threads; one
 * object must not be used concurrently from several threads, and a
 * processor only from the thread that bound it. Exceptions:
 * vgen_partition_request_yield(), vgen_stop_source_stop() and
 * vgen_stop_source_is_stopping() may be called from any thread at any
 * time (see each function).
 *
 * BACKENDS: the same API runs guests on two hypervisors, chosen by
 * vgen_hypervisor_open():
 *  - "vgen": /dev/vgen, the vgen module (software x86-64 VPs). The fds
 *    are vgen fds (<linux/vgen.h> ioctls) and the run page is the
 *    kernel's.
 *  - "kvm": /dev/kvm, a KVM VM without an in-kernel irqchip: the APIC
 *    is always left to the VMM, as with VGEN_PROTO_USER_MODE_APIC (the
 *    flag is accepted and changes nothing), so HLT always exits with
 *    VGEN_EXIT_HLT. The fds
 *    returned by vgen_proto_fd(), vgen_partition_fd() and
 *    vgen_processor_fd() are the KVM VM and vCPU fds; the run page is a
 *    struct vgen_run kept by the library, into which KVM's exits are
 *    translated (IN/MMIO read data stored there is handed to KVM on the
 *    next run). Differences from vgen:
 *     - CPUID defaults are KVM_GET_SUPPORTED_CPUID (not the software VP's
 *       table); vgen_proto_set_cpuid() merges into them with the same
 *       rules and every VP gets the table (with its APIC ID in leaf 1
 *       EBX[31:24] and leaves 0xB/0x1F EDX) when it is bound.
 *     - VGEN_CAP_SOFTWARE_VP is 0; VGEN_CAP_MAX_VPS, _MEMORY_REGIONS,
 *       _READONLY_MEM and _IMMEDIATE_EXIT come from KVM's capabilities.
 *     - Memory is not pinned: vgen_proto_add_memory() does not fail with
 *       -EFAULT for unmapped host memory; the guest's access fails later.
 *     - A string I/O instruction is one KVM exit; the library reports it
 *       one element per exit like vgen, but all remaining elements are
 *       reported before immediate_exit or a yield take effect, and the
 *       instruction's registers change only after the last element.
 *     - Every I/O and MMIO exit (not only reads) is completed by the
 *       next run; vgen_processor_run_until_stop() re-enters with
 *       immediate_exit for them too. Setting regs, sregs or MSRs while
 *       such an exit is pending completes it first (a read with the data
 *       in the run page) instead of dropping it.
 *     - Yield requests and stop sources use the real-time signal
 *       SIGRTMAX - 1: libvgen installs a handler for it, and
 *       vgen_binder_bind() blocks it in the calling thread (KVM_RUN
 *       unblocks it with KVM_SET_SIGNAL_MASK, using the thread's mask at
 *       bind time). The application must not use that signal, and the
 *       bound thread must stay alive while yields may be requested.
 *     - Internal errors: VGEN_INTERNAL_EMULATION_FAILURE for KVM's
 *       emulation failures, VGEN_INTERNAL_INVALID_STATE for failed VM
 *       entries, other internal errors and unexpected KVM exits
 *       (run->internal.data[0] = RIP, data[1..] = KVM's exit reason or
 *       data; insn_len 0).
 *     - Register state: values vgen refuses may be accepted by KVM and
 *       vice versa (e.g. CR4 bits vgen's software VP does not implement);
 *       flags/reserved fields, RFLAGS reserved bits, MSR indices and MSR
 *       values are checked by the library with vgen's rules.
 *   Anything the KVM backend cannot do returns -EOPNOTSUPP.
 *
 * GUEST CONTRACT (vgen_image_*): the image helper prepares the following
 * documented initial state, used by vgen-run and the selftests.
 *  - Guest RAM is one region at guest physical address 0 of size RAM
 *    (a multiple of 2 MiB, 4 MiB .. 64 GiB).
 *  - The "loader area" is the first 1 MiB; the ELF image must lie entirely
 *    in [1 MiB, RAM) and is loaded at each PT_LOAD's p_paddr (p_filesz
 *    bytes copied, the rest up to p_memsz zeroed). The ELF must be a static
 *    ELF64, little endian, x86-64, ET_EXEC. No relocation is done:
 *    PT_INTERP/PT_DYNAMIC are ignored, so a non-PIE executable linked
 *    against libc can be loaded for its own code (the selftests do that).
 *  - Loader area layout (GPAs):
 *      0x01000 GDT: 0x00 null, 0x08 64-bit code (DPL0), 0x10 data (DPL0),
 *              0x18 64-bit TSS descriptor (16 bytes), 0x28 64-bit code
 *              DPL3, 0x30 data DPL3 (for CPL3 tests; selectors 0x2b and
 *              0x33 with RPL 3). GDTR limit 0x37.
 *      0x03000 TSS (104 bytes, all zero, I/O bitmap base 104 = none); the
 *              guest sets RSP0/ISTs itself. One TSS shared by all VPs.
 *      0x10000 PML4, 0x11000 PDPT, 0x12000.. page directories: an
 *              identity map with 2 MiB pages (present, writable, user,
 *              executable) of [0, max(4 GiB, RAM rounded up to 1 GiB)), so
 *              MMIO addresses below 4 GiB are mapped too.
 *  - Every VP starts in 64-bit mode at CPL0: CR0 = PE|ET|WP|PG (0x80010011),
 *    CR3 = 0x10000, CR4 = PAE (0x20), EFER = LME|LMA|NXE (0xd00),
 *    CS = 0x08 (base 0, limit 0xffffffff, attributes 0xa09b),
 *    DS/ES/FS/GS/SS = 0x10 (base 0, limit 0xffffffff, attributes 0xc093),
 *    TR = 0x18 (base 0x3000, limit 0x67, attributes 0x8b), LDTR unusable
 *    (selector 0, attributes 0x82), GDTR = 0x1000/0x37, IDTR = 0/0 (no IDT:
 *    any exception before the guest installs an IDT is a triple fault).
 *  - RFLAGS = 0x2 (interrupts off); RDI = VP index; RSI = VP count; other
 *    GPRs zero; RIP = ELF entry or a chosen function address.
 *  - Each VP has a 64 KiB stack at the top of RAM, VP 0 highest: VP i's
 *    stack occupies [RAM - (i+1)*64K, RAM - i*64K). RSP = stack top - 8,
 *    and the 8 bytes at RSP are zero (a null return address), so the entry
 *    point is entered exactly like a called C function (SysV alignment).
 *    The image must not overlap the stacks (not checked by the loader).
 */
#ifndef LIBVGEN_VGEN_H
#define LIBVGEN_VGEN_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vgen.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LIBVGEN_BUILDING) && defined(__GNUC__)
#define VGEN_EXPORT __attribute__((visibility("default")))
#else
#define VGEN_EXPORT
#endif

struct vgen_hypervisor;
struct vgen_proto;
struct vgen_partition;
struct vgen_binder;
struct vgen_processor;

/* ------------------------------------------------------------------ */
/* Version */

/**
 * vgen_version() - runtime version of the library.
 *
 * Returns a static string such as "0.1.0". Never fails.
 */
VGEN_EXPORT const char *vgen_version(void);

/* ------------------------------------------------------------------ */
/* Hypervisor */

/**
 * vgen_hypervisor_open() - open a hypervisor backend.
 * @backend: "vgen" (/dev/vgen, the vgen module's software VPs), "kvm"
 *	(/dev/kvm, see BACKENDS above) or NULL for the best available one:
 *	vgen if /dev/vgen opens, else kvm.
 * @out: receives the new handle.
 *
 * Errors: -EINVAL unknown backend or NULL @out; -ENOMEM; any error of
 * open() of the backend's device (e.g. -ENOENT module not loaded,
 * -EACCES); for NULL, the error of the first backend (vgen) if none
 * opens. kvm also fails with -EPROTO if KVM's API version is not 12, its
 * run page is too small or its supported CPUID table has more than
 * VGEN_MAX_CPUID_ENTRIES leaves.
 */
VGEN_EXPORT int vgen_hypervisor_open(const char *backend,
				     struct vgen_hypervisor **out);

/**
 * vgen_hypervisor_backend_name() - which backend a handle uses.
 * @hv: the handle.
 *
 * Returns "vgen" or "kvm" (a static string), or NULL for a NULL @hv.
 * Since LIBVGEN_0.2.
 */
VGEN_EXPORT const char *vgen_hypervisor_backend_name(struct vgen_hypervisor *hv);

/**
 * vgen_hypervisor_close() - close a hypervisor handle.
 * @hv: the handle, or NULL (no-op).
 *
 * Partitions created from @hv stay valid. Returns 0.
 */
VGEN_EXPORT int vgen_hypervisor_close(struct vgen_hypervisor *hv);

/**
 * vgen_hypervisor_check_cap() - query a capability.
 * @hv: the hypervisor.
 * @cap: VGEN_CAP_*.
 * @value: receives the capability's value (0 = absent or unknown).
 *
 * Errors: -EINVAL NULL argument; errors of VGEN_CHECK_CAP.
 */
VGEN_EXPORT int vgen_hypervisor_check_cap(struct vgen_hypervisor *hv,
					  uint32_t cap, uint64_t *value);

/* ------------------------------------------------------------------ */
/* Proto-partition */

/* struct vgen_proto_config.flags */
#define VGEN_PROTO_USER_MODE_APIC	(1U << 0)

/**
 * struct vgen_proto_config - proto-partition configuration.
 * @vp_count: number of VPs (1 .. VGEN_CAP_MAX_VPS).
 * @apic_ids: NULL (APIC ID = VP index) or @vp_count unique APIC IDs.
 * @isolation: VGEN_ISOLATION_* (only VGEN_ISOLATION_NONE works today).
 * @flags: VGEN_PROTO_*.
 */
struct vgen_proto_config {
	uint32_t vp_count;
	const uint32_t *apic_ids;
	uint32_t isolation;
	uint32_t flags;
};

/**
 * vgen_hypervisor_new_partition() - create a proto-partition.
 * @hv: the hypervisor.
 * @cfg: the configuration.
 * @out: receives the proto-partition.
 *
 * Errors: -EINVAL bad argument, unknown flag or bad APIC IDs;
 * -EOPNOTSUPP isolation not supported; -ENOMEM; -EPROTO the kernel's run
 * page is smaller than struct vgen_run; kernel errors of
 * VGEN_GET_RUN_SIZE and VGEN_CREATE_PARTITION.
 */
VGEN_EXPORT int vgen_hypervisor_new_partition(struct vgen_hypervisor *hv,
					      const struct vgen_proto_config *cfg,
					      struct vgen_proto **out);

/**
 * vgen_proto_close() - abandon a proto-partition without building it.
 * @proto: the proto-partition or NULL (no-op). Returns 0.
 */
VGEN_EXPORT int vgen_proto_close(struct vgen_proto *proto);

/**
 * vgen_proto_fd() - the proto-partition's file descriptor.
 * @proto: the proto-partition.
 * @fd: receives the fd; it stays owned by @proto (and, after
 *	vgen_proto_build(), by the partition). For raw ioctls. Errors: -EINVAL.
 */
VGEN_EXPORT int vgen_proto_fd(struct vgen_proto *proto, int *fd);

/**
 * vgen_proto_cpuid() - the CPUID result a VP of this partition will see.
 * @proto: the proto-partition.
 * @eax: leaf (EAX input).
 * @ecx: subleaf (ECX input).
 * @out: receives EAX, EBX, ECX, EDX.
 *
 * Reflects every vgen_proto_set_cpuid() so far. Leaves missing from the
 * table return zeros. Errors: -EINVAL NULL argument; -ENOMEM; -EPROTO
 * inconsistent answer from the kernel; errors of VGEN_GET_CPUID.
 */
VGEN_EXPORT int vgen_proto_cpuid(struct vgen_proto *proto, uint32_t eax,
				 uint32_t ecx, uint32_t out[4]);

/**
 * vgen_proto_max_physical_address_size() - guest physical address width.
 * @proto: the proto-partition.
 * @bits: receives the width in bits (CPUID 0x80000008 EAX[7:0], or 36 if
 *	that leaf is absent).
 *
 * Errors: as vgen_proto_cpuid().
 */
VGEN_EXPORT int vgen_proto_max_physical_address_size(struct vgen_proto *proto,
						     uint32_t *bits);

/* struct vgen_cpuid_leaf.index value meaning "any subleaf" */
#define VGEN_CPUID_INDEX_ANY	0xffffffffU

/**
 * struct vgen_cpuid_leaf - a CPUID leaf to merge into the table.
 * @function: EAX input.
 * @index: ECX input, or VGEN_CPUID_INDEX_ANY.
 * @result: EAX, EBX, ECX, EDX values.
 * @mask: bits of @result to apply: leaf = (old & ~mask) | (result & mask).
 */
struct vgen_cpuid_leaf {
	uint32_t function;
	uint32_t index;
	uint32_t result[4];
	uint32_t mask[4];
};

/**
 * vgen_proto_set_cpuid() - merge leaves into the partition's CPUID table.
 * @proto: the proto-partition.
 * @leaves: the leaves, applied in order.
 * @n: number of leaves (1 .. VGEN_MAX_CPUID_ENTRIES).
 *
 * Errors: -EINVAL bad argument; -E2BIG the table would exceed its limit;
 * -ENOMEM; errors of VGEN_SET_CPUID.
 */
VGEN_EXPORT int vgen_proto_set_cpuid(struct vgen_proto *proto,
				     const struct vgen_cpuid_leaf *leaves,
				     size_t n);

/* memory flags (vgen_proto_add_memory, vgen_partition_map_range) */
#define VGEN_MEMORY_READONLY	(1U << 0)

/**
 * vgen_proto_add_memory() - map host memory into the guest physical space.
 * @proto: the proto-partition.
 * @gpa: page-aligned guest physical address.
 * @size: page-aligned size (> 0).
 * @host_va: page-aligned host memory that stays mapped while the
 *	partition lives.
 * @flags: VGEN_MEMORY_*.
 *
 * Errors: -EINVAL bad alignment or flags; -EEXIST overlaps a range;
 * -ENOSPC no free region slot; -EFAULT memory cannot be pinned; -ENOMEM.
 */
VGEN_EXPORT int vgen_proto_add_memory(struct vgen_proto *proto, uint64_t gpa,
				      uint64_t size, void *host_va,
				      uint32_t flags);

/**
 * vgen_proto_build() - build the partition (the model's build()).
 * @proto: the proto-partition; consumed (freed) on success, still valid
 *	on failure.
 * @out: receives the partition.
 *
 * Errors: -EINVAL NULL argument; -ENOMEM; errors of VGEN_FINALIZE.
 */
VGEN_EXPORT int vgen_proto_build(struct vgen_proto *proto,
				 struct vgen_partition **out);

/* ------------------------------------------------------------------ */
/* Partition */

/**
 * vgen_partition_close() - destroy a partition and all its processors.
 * @part: the partition or NULL (no-op).
 *
 * Closes every VP fd and unmaps every run page; no processor of @part may
 * be running or used afterwards. Returns 0.
 */
VGEN_EXPORT int vgen_partition_close(struct vgen_partition *part);

/**
 * vgen_partition_vp_count() - number of VPs.
 * @part: the partition.
 * @count: receives the VP count.
 *
 * Errors: -EINVAL NULL argument.
 */
VGEN_EXPORT int vgen_partition_vp_count(struct vgen_partition *part,
					uint32_t *count);

/**
 * vgen_partition_fd() - the partition's file descriptor.
 * @part: the partition.
 * @fd: receives the fd; it stays owned by @part (do not close it).
 *
 * For raw ioctls not wrapped by the library. Errors: -EINVAL.
 */
VGEN_EXPORT int vgen_partition_fd(struct vgen_partition *part, int *fd);

/**
 * vgen_partition_map_range() - add guest memory to a built partition.
 * @part: the partition.
 * @gpa, @size, @host_va, @flags: as vgen_proto_add_memory().
 *
 * Errors: as vgen_proto_add_memory().
 */
VGEN_EXPORT int vgen_partition_map_range(struct vgen_partition *part,
					 uint64_t gpa, uint64_t size,
					 void *host_va, uint32_t flags);

/**
 * vgen_partition_unmap_range() - remove guest memory.
 * @part: the partition.
 * @gpa: start of the range.
 * @size: size of the range.
 *
 * Removes every mapped range lying inside [@gpa, @gpa + @size). Errors:
 * -EINVAL a mapped range only partly overlaps the given range (nothing is
 * removed then) or the range wraps; kernel errors of VGEN_SET_MEMORY_REGION.
 */
VGEN_EXPORT int vgen_partition_unmap_range(struct vgen_partition *part,
					   uint64_t gpa, uint64_t size);

/**
 * vgen_partition_binder() - get the binder of one VP.
 * @part: the partition.
 * @index: VP index (< VP count).
 * @out: receives the binder, owned by @part.
 *
 * Errors: -EINVAL bad index or NULL argument.
 */
VGEN_EXPORT int vgen_partition_binder(struct vgen_partition *part,
				      uint32_t index,
				      struct vgen_binder **out);

/**
 * vgen_partition_request_yield() - make a VP return from its run call.
 * @part: the partition.
 * @vp_index: the VP (it must have been bound).
 *
 * May be called from any thread, concurrently with every other function
 * on @part's processors (an exception to THREAD SAFETY above). The
 * request is never lost: the VP's current vgen_processor_run() returns
 * with VGEN_EXIT_YIELD, or its next one if it is not running. Requests
 * made before that exit coalesce into a single yield exit. Errors:
 * -EINVAL NULL @part or bad index; -ENOENT VP not bound yet; errors of
 * VGEN_REQUEST_YIELD (e.g. -ENOTTY on a kernel without VGEN_CAP_YIELD).
 */
VGEN_EXPORT int vgen_partition_request_yield(struct vgen_partition *part,
					     uint32_t vp_index);

/**
 * vgen_partition_reset() - reset every bound VP and the IOAPIC routing
 *	(VGEN_RESET_PARTITION; see struct vgen_reset in <linux/vgen.h>).
 * @part: the partition.
 *
 * No VP may be running: call it with every processor outside its run
 * call (e.g. after stopping them with a stop source). Memory and CPUID
 * are kept. Since LIBVGEN_0.8. Errors: -EINVAL NULL @part; -EBUSY a VP
 * runs (nothing is reset); errors of VGEN_RESET_PARTITION. KVM:
 * -EOPNOTSUPP.
 */
VGEN_EXPORT int vgen_partition_reset(struct vgen_partition *part);

/* ------------------------------------------------------------------ */
/* Interrupts (since LIBVGEN_0.4)
 *
 * The partition's in-kernel interrupt controller (VGEN_CAP_IRQCHIP on the
 * vgen backend; KVM's split irqchip on the kvm backend): MSIs in the
 * architectural x86 format (<linux/vgen.h> VGEN_MSI_*), the routing table
 * of VGEN_IOAPIC_PINS IOAPIC lines whose redirection registers the VMM's
 * IOAPIC model owns, and the LINT0/LINT1 pins of each local APIC. All of
 * them may be called from any thread, concurrently with running VPs.
 * Partitions created with VGEN_PROTO_USER_MODE_APIC have none of it
 * (-ENXIO). A backend that cannot do one returns -EOPNOTSUPP.
 */

/**
 * struct vgen_msi_message - an MSI in the x86 APIC format.
 * @address: 0xfeexxxxx address (destination, mode, redirection hint).
 * @data: vector, delivery mode, trigger mode and level.
 */
struct vgen_msi_message {
	uint64_t address;
	uint32_t data;
};

/**
 * vgen_partition_request_msi() - deliver an MSI (the model's request_msi).
 * @part: the partition.
 * @vtl: virtual trust level (0).
 * @address: MSI address.
 * @data: MSI data.
 *
 * Returns 0 also when no APIC accepted it (no matching destination).
 * Errors: -EINVAL NULL @part, @vtl not 0, malformed address/data;
 * -EOPNOTSUPP SMI delivery mode or backend without it; -ENXIO no
 * in-kernel APIC; backend errors (VGEN_SIGNAL_MSI, KVM_SIGNAL_MSI).
 */
VGEN_EXPORT int vgen_partition_request_msi(struct vgen_partition *part,
					   uint32_t vtl, uint64_t address,
					   uint32_t data);

/**
 * vgen_partition_set_irq_route() - route an IOAPIC line to an MSI.
 * @part: the partition.
 * @irq: the line, 0..VGEN_IOAPIC_PINS-1.
 * @msi: the MSI the line delivers, or NULL to unroute it (a masked
 *	redirection entry).
 *
 * Called by the VMM's IOAPIC model whenever a redirection entry changes.
 * The change is atomic for concurrent vgen_partition_assert_irq() calls.
 * Errors: -EINVAL bad argument or MSI; -ENXIO; -EOPNOTSUPP.
 */
VGEN_EXPORT int vgen_partition_set_irq_route(struct vgen_partition *part,
					     uint32_t irq,
					     const struct vgen_msi_message *msi);

/**
 * vgen_partition_assert_irq() - deliver an IOAPIC line's MSI (an edge).
 * @part: the partition.
 * @irq: the line, 0..VGEN_IOAPIC_PINS-1.
 *
 * An unrouted line delivers nothing (0 is returned; the vgen backend
 * counts it per line). For a level-triggered line the VMM tracks remote
 * IRR and asserts again after the guest's EOI (reported to the
 * processor's cpu_io handle_eoi) while the input is still high.
 * Errors: -EINVAL; -ENXIO; -EOPNOTSUPP.
 */
VGEN_EXPORT int vgen_partition_assert_irq(struct vgen_partition *part,
					  uint32_t irq);

/**
 * vgen_partition_pulse_lint() - a rising edge on a VP's LINT0 or LINT1.
 * @part: the partition.
 * @vp_index: the VP.
 * @vtl: virtual trust level (0).
 * @lint: 0 or 1.
 *
 * The VP's LVT LINT entry decides the effect (masked: none; fixed; NMI;
 * ExtINT: the VMM's PIC supplies the vector through cpu_io
 * acknowledge_pic_interrupt). Errors: -EINVAL bad argument; -ENOENT VP not
 * bound yet; -ENXIO; -EOPNOTSUPP.
 */
VGEN_EXPORT int vgen_partition_pulse_lint(struct vgen_partition *part,
					  uint32_t vp_index, uint32_t vtl,
					  uint32_t lint);

/* ------------------------------------------------------------------ */
/* Binder and processor */

/**
 * vgen_binder_bind() - bind a VP to the calling thread.
 * @binder: the binder.
 * @out: receives the processor, owned by the partition.
 *
 * Creates the VP (VGEN_CREATE_VP) and maps its run page. The processor
 * may then be used only by the calling thread. Errors: -EINVAL NULL
 * argument; -EEXIST already bound; -ENOMEM; errors of VGEN_CREATE_VP and
 * mmap(). KVM: errors of KVM_CREATE_VCPU, mmap(), KVM_SET_CPUID2 and
 * KVM_SET_SIGNAL_MASK; the kick signal is blocked in the calling thread
 * (see BACKENDS).
 */
VGEN_EXPORT int vgen_binder_bind(struct vgen_binder *binder,
				 struct vgen_processor **out);

/**
 * vgen_processor_index() - the VP index of a processor.
 * @proc: the processor.
 * @index: receives the index. Errors: -EINVAL.
 */
VGEN_EXPORT int vgen_processor_index(struct vgen_processor *proc,
				     uint32_t *index);

/**
 * vgen_processor_fd() - the VP's file descriptor (owned by the library).
 * @proc: the processor.
 * @fd: receives the fd. Errors: -EINVAL.
 */
VGEN_EXPORT int vgen_processor_fd(struct vgen_processor *proc, int *fd);

/**
 * vgen_processor_run_page() - the VP's mapped run page.
 * @proc: the processor.
 * @run: receives the run page (valid until the partition is closed).
 *
 * Used to complete IN/MMIO reads (store the data, then run again) and to
 * set immediate_exit. On KVM this is the library's page, not kvm_run.
 * Errors: -EINVAL.
 */
VGEN_EXPORT int vgen_processor_run_page(struct vgen_processor *proc,
					struct vgen_run **run);

/**
 * vgen_processor_run() - run the VP until the next exit.
 * @proc: the processor.
 * @exit_out: receives the run page describing the exit (may be NULL).
 *
 * Returns 0 with run->exit_reason set (VGEN_EXIT_YIELD after a
 * vgen_partition_request_yield() for this VP), or -errno; on -EINTR the
 * run page says VGEN_EXIT_INTR and @exit_out is set too. Errors: -EINVAL NULL
 * argument; -EPERM not called on the bound thread; errors of VGEN_RUN.
 */
VGEN_EXPORT int vgen_processor_run(struct vgen_processor *proc,
				   const struct vgen_run **exit_out);

/* ------------------------------------------------------------------ */
/* Stop source (OpenVMM's StopVpSource) */

struct vgen_stop_source;

/**
 * vgen_stop_source_new() - create a stop source (not stopping).
 * @out: receives the new stop source.
 *
 * A stop source asks the processors that run with it in
 * vgen_processor_run_until_stop() to stop. Errors: -EINVAL NULL @out;
 * -ENOMEM.
 */
VGEN_EXPORT int vgen_stop_source_new(struct vgen_stop_source **out);

/**
 * vgen_stop_source_free() - free a stop source.
 * @src: the stop source or NULL (no-op); no vgen_processor_run_until_stop()
 *	may be using it. Returns 0.
 */
VGEN_EXPORT int vgen_stop_source_free(struct vgen_stop_source *src);

/**
 * vgen_stop_source_stop() - request a stop.
 * @src: the stop source.
 *
 * Idempotent and thread safe: callable from any thread, including the VP
 * thread itself from inside an exit handler. Marks @src as stopping and
 * requests a yield of every processor currently inside
 * vgen_processor_run_until_stop() with @src, so a VP running guest code
 * returns promptly; a processor not inside it sees the flag on its next
 * call. A stop cannot be undone: use a new stop source to run again.
 * Errors: -EINVAL NULL @src.
 */
VGEN_EXPORT int vgen_stop_source_stop(struct vgen_stop_source *src);

/**
 * vgen_stop_source_is_stopping() - has vgen_stop_source_stop() been called?
 * @src: the stop source.
 *
 * Returns 1 if stopping, 0 if not (also for a NULL @src).
 */
VGEN_EXPORT int vgen_stop_source_is_stopping(struct vgen_stop_source *src);

/* vgen_processor_run_until_stop() result: the stop source is stopping. */
#define VGEN_RUN_STOPPED	1

/**
 * vgen_processor_run_until_stop() - run the VP until an exit or a stop.
 * @proc: the processor (on its bound thread).
 * @src: the stop source.
 * @exit_out: receives the run page describing the exit (may be NULL).
 *
 * Checks @src before entering the kernel. If it is stopping, a pending
 * IN or MMIO read of the previous exit (the caller has stored the data in
 * the run page, as for vgen_processor_run()) is completed first by
 * re-entering with immediate_exit, so the VP's registers are consistent
 * for saving; then VGEN_RUN_STOPPED is returned without running any more
 * guest instructions. Otherwise the VP runs as with vgen_processor_run();
 * a VGEN_EXIT_YIELD exit while @src is stopping is reported as
 * VGEN_RUN_STOPPED, any other exit is returned to the caller (who handles
 * it and calls again; the next call then reports the stop).
 *
 * A VGEN_EXIT_YIELD exit while @src is not stopping is returned as an
 * exit (someone requested a yield, or a stale request of an earlier stop
 * remained): handle it as "check events, run again".
 *
 * Returns 0 with an exit to handle (*@exit_out set), VGEN_RUN_STOPPED, or
 * -errno: -EINTR with VGEN_EXIT_INTR (signal; *@exit_out set); -EINVAL
 * NULL argument; -EPERM not the bound thread; errors of VGEN_RUN. If
 * completing a pending read produces another exit (e.g. the MMIO write of
 * a string instruction), that exit is returned with 0 first.
 */
VGEN_EXPORT int vgen_processor_run_until_stop(struct vgen_processor *proc,
					      struct vgen_stop_source *src,
					      const struct vgen_run **exit_out);

/**
 * vgen_processor_get_regs() - read the general registers.
 * @proc: the processor. @regs: receives the registers.
 * Errors: -EINVAL; -EPERM wrong thread; errors of VGEN_GET_REGS.
 */
VGEN_EXPORT int vgen_processor_get_regs(struct vgen_processor *proc,
					struct vgen_regs *regs);

/**
 * vgen_processor_set_regs() - write the general registers.
 * @proc: the processor. @regs: the registers (flags/reserved zero).
 * Errors: -EINVAL; -EPERM wrong thread; errors of VGEN_SET_REGS.
 */
VGEN_EXPORT int vgen_processor_set_regs(struct vgen_processor *proc,
					const struct vgen_regs *regs);

/**
 * vgen_processor_get_sregs() - read segment and system registers.
 * @proc: the processor. @sregs: receives them.
 * Errors: -EINVAL; -EPERM wrong thread; errors of VGEN_GET_SREGS.
 */
VGEN_EXPORT int vgen_processor_get_sregs(struct vgen_processor *proc,
					 struct vgen_sregs *sregs);

/**
 * vgen_processor_set_sregs() - write segment and system registers.
 * @proc: the processor. @sregs: the registers.
 * Errors: -EINVAL (also architecturally invalid state); -EPERM wrong
 * thread; errors of VGEN_SET_SREGS.
 */
VGEN_EXPORT int vgen_processor_set_sregs(struct vgen_processor *proc,
					 const struct vgen_sregs *sregs);

/**
 * vgen_processor_get_msrs() - read MSRs (VGEN_GET_MSRS).
 * @proc: the processor.
 * @e: @n entries; set @index (and zero @reserved) of each, receives @data.
 * @n: number of entries, at most VGEN_MAX_MSR_ENTRIES (VGEN_CAP_MSRS).
 *
 * The supported indices are listed at struct vgen_msrs; MSR 0x10 reads
 * the guest TSC. On an error @e is unchanged.
 * Return: 0; -EINVAL NULL @proc, NULL @e with @n > 0, @n too large, a
 * non-zero reserved field or an unsupported index; -EPERM wrong thread;
 * other errors of VGEN_GET_MSRS.
 */
VGEN_EXPORT int vgen_processor_get_msrs(struct vgen_processor *proc,
					struct vgen_msr_entry *e, unsigned int n);

/**
 * vgen_processor_set_msrs() - write MSRs (VGEN_SET_MSRS).
 * @proc: the processor.
 * @e: @n entries (@index, @data; @reserved zero).
 * @n: number of entries, at most VGEN_MAX_MSR_ENTRIES (VGEN_CAP_MSRS).
 *
 * All or nothing: if any entry is refused nothing changes. Writing MSR
 * 0x10 sets the guest TSC to @data (it keeps counting from there).
 * Return: 0; -EINVAL as for vgen_processor_get_msrs() or a value the
 * guest's WRMSR would refuse (see struct vgen_msrs); -EPERM wrong thread;
 * other errors of VGEN_SET_MSRS.
 */
VGEN_EXPORT int vgen_processor_set_msrs(struct vgen_processor *proc,
					const struct vgen_msr_entry *e,
					unsigned int n);

/*
 * VP state groups and reset (since LIBVGEN_0.8). Together with the
 * registers, segment registers and MSRs above (MSRs include the MTRRs and
 * the TSC, VGEN_CAP_MTRR) they are the whole state of a VP: a VMM saves a
 * stopped partition (vgen_processor_run_until_stop() returned
 * VGEN_RUN_STOPPED, so no I/O completion is pending) with the getters and
 * guest memory, and restores it into a new partition with the setters
 * (MSRs first, then sregs, regs, the APIC and last the events, whose STI
 * shadow needs RFLAGS.IF). Errors common to all of them: -EINVAL NULL
 * argument or a value the kernel refuses; -EPERM wrong thread;
 * -EOPNOTSUPP the backend cannot do it.
 */

/**
 * vgen_processor_get_lapic() - read the local APIC (VGEN_GET_LAPIC).
 * @proc: the processor.
 * @s: receives IA32_APIC_BASE and the register page (the timer's current
 *	count at 0x390).
 *
 * Errors: -ENXIO no in-kernel APIC (VGEN_PROTO_USER_MODE_APIC); errors of
 * VGEN_GET_LAPIC. KVM: KVM_GET_LAPIC and IA32_APIC_BASE with
 * KVM_GET_MSRS; -ENXIO without KVM's in-kernel local APIC (the KVM
 * backend has none unless the partition got KVM's split irqchip).
 */
VGEN_EXPORT int vgen_processor_get_lapic(struct vgen_processor *proc,
					 struct vgen_lapic_state *s);

/**
 * vgen_processor_set_lapic() - load the local APIC (VGEN_SET_LAPIC).
 * @proc: the processor.
 * @s: the state (flags and reserved fields zero); the timer restarts
 *	from the initial count.
 *
 * Errors: -ENXIO; -EINVAL invalid @s->apic_base or non-zero reserved
 * fields; errors of VGEN_SET_LAPIC. KVM: IA32_APIC_BASE with
 * KVM_SET_MSRS, then KVM_SET_LAPIC.
 */
VGEN_EXPORT int vgen_processor_set_lapic(struct vgen_processor *proc,
					 const struct vgen_lapic_state *s);

/**
 * vgen_processor_get_vp_events() - read the activity and event state
 *	(VGEN_GET_VP_EVENTS): running/halted/waiting for SIPI, NMI pending
 *	and masked, interrupt shadow, an event taken but not yet delivered.
 * @proc: the processor.
 * @ev: receives the state.
 *
 * Errors: those of VGEN_GET_VP_EVENTS. KVM: KVM_GET_VCPU_EVENTS and
 * KVM_GET_MP_STATE (RUNNABLE -> VGEN_ACTIVITY_RUNNING, HALTED ->
 * HALTED, INIT_RECEIVED -> WAIT_SIPI, others -EOPNOTSUPP); an injected
 * interrupt is VGEN_EVENT_IRQ, an injected NMI VGEN_EVENT_NMI; KVM's
 * interrupt shadow with both bits set (AMD has only one) reads as
 * VGEN_SHADOW_MOV_SS, so an STI shadow may read back as MOV SS there; an
 * exception KVM holds injected or pending has no vgen representation
 * and fails the call with -EBUSY (run the VP on until it is delivered).
 */
VGEN_EXPORT int vgen_processor_get_vp_events(struct vgen_processor *proc,
					     struct vgen_vp_events *ev);

/**
 * vgen_processor_set_vp_events() - replace the activity and event state
 *	(VGEN_SET_VP_EVENTS).
 * @proc: the processor.
 * @ev: the state; the rules of struct vgen_vp_events (<linux/vgen.h>).
 *
 * Errors: -EINVAL see struct vgen_vp_events (HALTED and WAIT_SIPI need an
 * in-kernel APIC); errors of VGEN_SET_VP_EVENTS. KVM: the same checks
 * here, then KVM_SET_VCPU_EVENTS (NMI pending and shadow valid) and
 * KVM_SET_MP_STATE.
 */
VGEN_EXPORT int vgen_processor_set_vp_events(struct vgen_processor *proc,
					     const struct vgen_vp_events *ev);

/**
 * vgen_processor_reset() - put the VP into its power-on state
 *	(VGEN_RESET_VP; see struct vgen_reset in <linux/vgen.h>).
 * @proc: the processor.
 *
 * A pending I/O completion is dropped. Errors: errors of VGEN_RESET_VP.
 * KVM: -EOPNOTSUPP (KVM has no reset ioctl; a VMM sets the reset state
 * itself).
 */
VGEN_EXPORT int vgen_processor_reset(struct vgen_processor *proc);

/**
 * vgen_processor_init_longmode() - apply the guest contract's initial state.
 * @proc: the processor.
 * @ram: host buffer backing guest RAM.
 * @ram_size: guest RAM size (for the stack position).
 * @rip: entry point.
 *
 * Reads sregs, applies vgen_image_init_vp() and writes regs and sregs
 * back. The loader area must have been prepared with
 * vgen_image_setup_loader_area(). Errors: as the get/set functions, and
 * those of vgen_image_init_vp().
 */
VGEN_EXPORT int vgen_processor_init_longmode(struct vgen_processor *proc,
					     void *ram, uint64_t ram_size,
					     uint64_t rip);

/* ------------------------------------------------------------------ */
/* Guest image helper (see GUEST CONTRACT above) */

#define VGEN_IMAGE_LOADER_END	0x100000ULL	/* loader area: [0, 1 MiB) */
#define VGEN_IMAGE_GDT		0x1000ULL
#define VGEN_IMAGE_TSS		0x3000ULL
#define VGEN_IMAGE_PML4		0x10000ULL
#define VGEN_IMAGE_STACK_SIZE	0x10000ULL	/* per VP */
#define VGEN_IMAGE_MIN_RAM	(4ULL << 20)
#define VGEN_IMAGE_MAX_RAM	(64ULL << 30)

#define VGEN_SEL_CODE		0x08
#define VGEN_SEL_DATA		0x10
#define VGEN_SEL_TSS		0x18
#define VGEN_SEL_USER_CODE	0x2b
#define VGEN_SEL_USER_DATA	0x33

/**
 * vgen_image_load_elf() - load an ELF image from memory into guest RAM.
 * @ram: host buffer backing guest physical [0, @ram_size).
 * @ram_size: guest RAM size.
 * @elf: the ELF file contents.
 * @len: length of @elf.
 * @entry: receives the entry point (may be NULL).
 *
 * Validates everything before copying anything. Errors: -EINVAL NULL
 * argument; -ENOEXEC not a static x86-64 ELF64 executable, headers out of
 * bounds or p_filesz > p_memsz; -ERANGE a segment lies outside
 * [1 MiB, @ram_size) or overflows.
 */
VGEN_EXPORT int vgen_image_load_elf(void *ram, uint64_t ram_size,
				    const void *elf, size_t len,
				    uint64_t *entry);

/**
 * vgen_image_load_elf_file() - load an ELF file into guest RAM.
 * @ram, @ram_size, @entry: as vgen_image_load_elf().
 * @path: file name.
 *
 * Errors: as vgen_image_load_elf(), plus errors of open()/read()
 * (-ENOENT ...) and -EFBIG file larger than 1 GiB.
 */
VGEN_EXPORT int vgen_image_load_elf_file(void *ram, uint64_t ram_size,
					 const char *path, uint64_t *entry);

/**
 * vgen_image_setup_loader_area() - write GDT, TSS and page tables.
 * @ram: host buffer backing guest RAM.
 * @ram_size: guest RAM size, a multiple of 2 MiB within
 *	[VGEN_IMAGE_MIN_RAM, VGEN_IMAGE_MAX_RAM].
 *
 * Errors: -EINVAL bad argument or RAM size.
 */
VGEN_EXPORT int vgen_image_setup_loader_area(void *ram, uint64_t ram_size);

/**
 * vgen_image_init_vp() - compute a VP's initial long-mode registers.
 * @ram: host buffer backing guest RAM (the fake return address is
 *	written on the VP's stack).
 * @ram_size: guest RAM size.
 * @vp_index: the VP.
 * @vp_count: VPs in the partition (for the RSI argument and the stacks).
 * @rip: entry point.
 * @regs: filled in completely.
 * @sregs: updated (fields not named by the contract, e.g. apic_base, keep
 *	their value; read them with VGEN_GET_SREGS first).
 *
 * Errors: -EINVAL bad argument or the stacks do not fit above 1 MiB.
 */
VGEN_EXPORT int vgen_image_init_vp(void *ram, uint64_t ram_size,
				   uint32_t vp_index, uint32_t vp_count,
				   uint64_t rip, struct vgen_regs *regs,
				   struct vgen_sregs *sregs);

/* ------------------------------------------------------------------ */
/* Inspection (the "vgen" generic netlink family; libmnl)
 *
 * Read-only introspection of the live partitions of the whole system
 * (protocol: "Introspection (generic netlink)" in <linux/vgen.h>). Works
 * without /dev/vgen access. Without CAP_SYS_ADMIN only the partitions of
 * the calling process are visible; others behave as if they did not
 * exist.
 *
 * Snapshots (struct vgen_inspect_partition, struct vgen_inspect_vp) are
 * opaque: read them with the getters, which take the uapi attribute
 * numbers (VGEN_A_PARTITION_*, VGEN_A_VP_*). Attributes unknown to this
 * library (from a newer kernel) are skipped; attributes it knows are
 * validated (length, nesting) and a malformed message is -EPROTO. A
 * value the kernel did not report is -ENODATA from the getter (an older
 * kernel).
 *
 * A struct vgen_inspect is one netlink connection; use it from one
 * thread at a time.
 */

struct vgen_inspect;
struct vgen_inspect_partition;
struct vgen_inspect_vp;
struct vgen_inspect_monitor;

/**
 * vgen_inspect_open() - connect to the vgen generic netlink family.
 * @out: receives the connection.
 *
 * Errors: -EINVAL NULL @out; -ENOENT the family does not exist (the vgen
 * module is not loaded); -ENOMEM; socket errors (e.g. -EAFNOSUPPORT
 * kernel without netlink); -EPROTO unexpected answer.
 */
VGEN_EXPORT int vgen_inspect_open(struct vgen_inspect **out);

/**
 * vgen_inspect_close() - close a connection.
 * @ins: the connection or NULL (no-op). Returns 0.
 */
VGEN_EXPORT int vgen_inspect_close(struct vgen_inspect *ins);

/**
 * vgen_inspect_error_message() - the kernel's extended-ACK message of the
 *	last failed request on @ins ("" if none; valid until the next call).
 * @ins: the connection.
 */
VGEN_EXPORT const char *vgen_inspect_error_message(struct vgen_inspect *ins);

/* Returned (instead of 0) by the dump functions: see below. */
#define VGEN_INSPECT_DUMP_INTR	1

/**
 * typedef vgen_inspect_partition_fn - called once per partition of a dump.
 * @p: the snapshot, valid only during the call.
 * @arg: the caller's argument.
 *
 * Return 0 to continue; a negative errno stops the callbacks and becomes
 * the dump's result (the rest of the dump is read and discarded).
 */
typedef int (*vgen_inspect_partition_fn)(const struct vgen_inspect_partition *p,
					 void *arg);

/** typedef vgen_inspect_vp_fn - as vgen_inspect_partition_fn, for VPs. */
typedef int (*vgen_inspect_vp_fn)(const struct vgen_inspect_vp *vp,
				  void *arg);

/**
 * vgen_inspect_dump_partitions() - every visible partition, by id.
 * @ins: the connection.
 * @fn: called for each partition.
 * @arg: passed to @fn.
 *
 * Returns 0, VGEN_INSPECT_DUMP_INTR when partitions appeared or
 * disappeared during the dump (each partition reported is still a
 * consistent snapshot; repeat the dump for a consistent list), or -errno:
 * -EINVAL NULL argument; -EPROTO malformed message; the error of @fn;
 * kernel errors (see <linux/vgen.h>).
 */
VGEN_EXPORT int vgen_inspect_dump_partitions(struct vgen_inspect *ins,
					     vgen_inspect_partition_fn fn,
					     void *arg);

/**
 * vgen_inspect_dump_vps() - every created VP of one partition, by index.
 * @ins: the connection.
 * @partition_id: the partition's registry id.
 * @fn: called for each VP.
 * @arg: passed to @fn.
 *
 * Errors: as vgen_inspect_dump_partitions(); -ENOENT no such (visible)
 * partition.
 */
VGEN_EXPORT int vgen_inspect_dump_vps(struct vgen_inspect *ins,
				      uint32_t partition_id,
				      vgen_inspect_vp_fn fn, void *arg);

/**
 * vgen_inspect_get_partition() - one partition.
 * @ins: the connection.
 * @partition_id: its registry id.
 * @out: receives the snapshot; free it with vgen_inspect_partition_free().
 *
 * Errors: -EINVAL; -ENOENT no such (visible) partition; -ENOMEM;
 * -EPROTO; kernel errors.
 */
VGEN_EXPORT int vgen_inspect_get_partition(struct vgen_inspect *ins,
					   uint32_t partition_id,
					   struct vgen_inspect_partition **out);

/**
 * vgen_inspect_get_vp() - one VP.
 * @ins: the connection.
 * @partition_id: the partition's registry id.
 * @vp_index: the VP.
 * @out: receives the snapshot; free it with vgen_inspect_vp_free().
 *
 * Errors: as vgen_inspect_get_partition(); -ENOENT also when the VP does
 * not exist; -ERANGE @vp_index >= VGEN_MAX_VPS.
 */
VGEN_EXPORT int vgen_inspect_get_vp(struct vgen_inspect *ins,
				    uint32_t partition_id, uint32_t vp_index,
				    struct vgen_inspect_vp **out);

/**
 * vgen_inspect_partition_parse() - parse one VGEN_CMD_GET_PARTITION
 *	netlink message (e.g. received by the caller's own socket).
 * @msg: the message (struct nlmsghdr, genetlink header, attributes).
 * @len: bytes available at @msg.
 * @out: receives the snapshot; free it with vgen_inspect_partition_free().
 *
 * Errors: -EINVAL NULL argument; -EPROTO truncated or malformed message,
 * wrong command, a known attribute with a wrong length or missing region
 * fields; -ENOMEM.
 */
VGEN_EXPORT int vgen_inspect_partition_parse(const void *msg, size_t len,
					     struct vgen_inspect_partition **out);

/** vgen_inspect_vp_parse() - as vgen_inspect_partition_parse(), for VPs. */
VGEN_EXPORT int vgen_inspect_vp_parse(const void *msg, size_t len,
				      struct vgen_inspect_vp **out);

/** vgen_inspect_partition_free() - free a snapshot (NULL: no-op). */
VGEN_EXPORT void vgen_inspect_partition_free(struct vgen_inspect_partition *p);

/** vgen_inspect_vp_free() - free a snapshot (NULL: no-op). */
VGEN_EXPORT void vgen_inspect_vp_free(struct vgen_inspect_vp *vp);

/**
 * vgen_inspect_partition_attr() - a scalar attribute of a partition.
 * @p: the snapshot.
 * @attr: VGEN_A_PARTITION_* (not VGEN_A_PARTITION_REGION).
 * @value: receives the value (u32 attributes zero-extended).
 *
 * Errors: -EINVAL NULL argument or @attr not a scalar partition
 * attribute known to this library; -ENODATA the kernel did not report it.
 */
VGEN_EXPORT int vgen_inspect_partition_attr(const struct vgen_inspect_partition *p,
					    unsigned int attr, uint64_t *value);

/**
 * struct vgen_inspect_region - one memory region of a partition.
 * @slot: slot number.
 * @flags: VGEN_MEM_*.
 * @gpa: guest physical base.
 * @size: size in bytes.
 */
struct vgen_inspect_region {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
};

/**
 * vgen_inspect_partition_regions() - the memory regions, in slot order.
 * @p: the snapshot.
 * @regions: receives the array (owned by @p).
 * @n: receives the number of regions.
 *
 * Errors: -EINVAL NULL argument.
 */
VGEN_EXPORT int vgen_inspect_partition_regions(const struct vgen_inspect_partition *p,
					       const struct vgen_inspect_region **regions,
					       size_t *n);

/**
 * vgen_inspect_vp_attr() - a scalar attribute of a VP.
 * @vp: the snapshot.
 * @attr: VGEN_A_PARTITION_ID or VGEN_A_VP_* (not VGEN_A_VP_EXIT).
 * @value: receives the value.
 *
 * Errors: as vgen_inspect_partition_attr().
 */
VGEN_EXPORT int vgen_inspect_vp_attr(const struct vgen_inspect_vp *vp,
				     unsigned int attr, uint64_t *value);

/**
 * vgen_inspect_vp_exits() - the number of exits of a VP with one reason.
 * @vp: the snapshot.
 * @reason: VGEN_EXIT_* (< 64).
 * @count: receives the count (0 when the kernel reported none).
 *
 * Errors: -EINVAL NULL argument or @reason >= 64.
 */
VGEN_EXPORT int vgen_inspect_vp_exits(const struct vgen_inspect_vp *vp,
				      uint32_t reason, uint64_t *count);

/**
 * struct vgen_inspect_event - one event of the "events" group.
 * @type: VGEN_EVENT_*.
 * @partition_id: the partition's registry id.
 * @owner_pid: its creator, in the initial PID namespace.
 * @vp_index: VGEN_EVENT_VP_HALTED: the VP, else 0xffffffff.
 * @reason: VGEN_EVENT_VP_HALTED: VGEN_EXIT_SHUTDOWN or
 *	VGEN_EXIT_INTERNAL_ERROR, else 0.
 * @reserved: zero (room for later fields; the size never changes).
 */
struct vgen_inspect_event {
	uint32_t type;
	uint32_t partition_id;
	uint32_t owner_pid;
	uint32_t vp_index;
	uint32_t reason;
	uint32_t reserved[11];
};

/**
 * vgen_inspect_monitor_open() - subscribe to the events group.
 * @out: receives the monitor (its own netlink connection).
 *
 * Errors: as vgen_inspect_open(); -EPERM the caller lacks CAP_SYS_ADMIN.
 */
VGEN_EXPORT int vgen_inspect_monitor_open(struct vgen_inspect_monitor **out);

/** vgen_inspect_monitor_close() - close a monitor (NULL: no-op). */
VGEN_EXPORT int vgen_inspect_monitor_close(struct vgen_inspect_monitor *mon);

/**
 * vgen_inspect_monitor_fd() - the monitor's socket, for poll() (readable
 *	when vgen_inspect_monitor_read() has an event or an error).
 * @mon: the monitor.
 * @fd: receives the fd (owned by @mon). Errors: -EINVAL.
 */
VGEN_EXPORT int vgen_inspect_monitor_fd(struct vgen_inspect_monitor *mon,
					int *fd);

/**
 * vgen_inspect_monitor_read() - the next event.
 * @mon: the monitor.
 * @ev: receives the event.
 * @timeout_ms: how long to wait: -1 forever, 0 do not wait.
 *
 * Errors: -EINVAL NULL argument; -EAGAIN no event within @timeout_ms;
 * -ENOBUFS events were lost (the socket overflowed; reading continues
 * with the next event); -EINTR a signal; -EPROTO malformed event.
 */
VGEN_EXPORT int vgen_inspect_monitor_read(struct vgen_inspect_monitor *mon,
					  struct vgen_inspect_event *ev,
					  int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* LIBVGEN_VGEN_H */
