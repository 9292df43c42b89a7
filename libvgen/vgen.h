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
 * processor only from the thread that bound it (or rebound it, see
 * vgen_binder_bind()). Exceptions: vgen_partition_request_yield(),
 * vgen_partition_cancel_vp(), vgen_partition_reference_time(),
 * vgen_stop_source_stop() and vgen_stop_source_is_stopping() may be
 * called from any thread at any time (see each function).
 *
 * BACKENDS: the same API runs guests on two hypervisors, chosen by
 * vgen_hypervisor_open():
 *  - "vgen": /dev/vgen, the vgen module (software x86-64 VPs). The fds
 *    are vgen fds (<linux/vgen.h> ioctls) and the run page is the
 *    kernel's.
 *  - "kvm": /dev/kvm, a KVM VM with KVM's split irqchip (local APICs in
 *    the kernel, the IOAPIC in the VMM, as on vgen) unless the partition
 *    is created with VGEN_PROTO_USER_MODE_APIC (then no irqchip at all:
 *    APIC MMIO exits and HLT exits with VGEN_EXIT_HLT). With the irqchip
 *    HLT waits in KVM until an interrupt arrives and never exits (a yield
 *    or a signal still ends the run; the VP stays halted). If KVM lacks
 *    KVM_CAP_SPLIT_IRQCHIP, KVM_CAP_SIGNAL_MSI or KVM_CAP_IRQ_ROUTING,
 *    VGEN_CAP_IRQCHIP is 0 and every partition is built without an APIC,
 *    as with the flag. The fds
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
 *       _READONLY_MEM and _IMMEDIATE_EXIT come from KVM's capabilities;
 *       VGEN_CAP_IRQCHIP (and VGEN_CAP_IOAPIC_PINS = 24) from the split
 *       irqchip, MSI and routing capabilities, VGEN_CAP_IRQFD from those
 *       plus KVM_CAP_IRQFD (it only means vgen_msi_interrupt_eventfd()
 *       works), VGEN_CAP_IOEVENTFD from KVM_CAP_IOEVENTFD.
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
 *     - Interrupts: the KVM exits KVM_EXIT_IOAPIC_EOI and the ExtINT
 *       handshake (request_interrupt_window, KVM_INTERRUPT) are
 *       translated into VGEN_EXIT_EOI and VGEN_EXIT_EXTINT with vgen's
 *       run page semantics. VGEN_EXIT_EOI is reported only for vectors
 *       of level-triggered IOAPIC routes (vgen_partition_set_irq_route()),
 *       not for a level-triggered MSI sent with
 *       vgen_partition_request_msi(). MSIs with an extended destination
 *       ID (address bits 11:5) are refused with -EOPNOTSUPP. See
 *       vgen_partition_pulse_lint() for LINT pulses. With the irqchip,
 *       every VP starts running (KVM would make APs wait for a SIPI).
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

/**
 * vgen_hypervisor_is_available() - can a backend be opened here?
 * @backend: "vgen", "kvm" or NULL (any backend), as for
 *	vgen_hypervisor_open().
 *
 * Opens the backend exactly like vgen_hypervisor_open() and closes it
 * again, so the answer matches what vgen_hypervisor_open() would do now.
 * Unlike the other functions this one returns a boolean: 1 if the
 * backend (for NULL: at least one backend) opens, 0 if it does not
 * (missing device, no permission, KVM API mismatch, ...).
 * Errors: -EINVAL unknown backend name; -ENOMEM. Since LIBVGEN_0.10.
 */
VGEN_EXPORT int vgen_hypervisor_is_available(const char *backend);

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

/* struct vgen_hv_config.flags */
#define VGEN_HV_OFFLOAD_ENLIGHTENMENTS	(1U << 0)
#define VGEN_HV_ALLOW_DEVICE_ASSIGNMENT	(1U << 1)

/**
 * struct vgen_hv_config - Hyper-V configuration (the model's HvConfig).
 * @flags: VGEN_HV_OFFLOAD_ENLIGHTENMENTS (use the hypervisor's built-in
 *	enlightenments), VGEN_HV_ALLOW_DEVICE_ASSIGNMENT.
 * @vtl2: 0 = no VTL2; anything else requests VTL2 support.
 * @reserved: must be zero.
 */
struct vgen_hv_config {
	uint32_t flags;
	uint32_t vtl2;
	uint64_t reserved[4];
};

/**
 * vgen_proto_set_hv_config() - give the partition a Hyper-V configuration.
 * @proto: the proto-partition.
 * @cfg: the configuration, or NULL for none (the default: no Hyper-V
 *	enlightenments; accepted as a no-op).
 *
 * A partition with a Hyper-V configuration offers the guest the Hyper-V
 * interface (enlightenments, optionally VTL2). Neither backend implements
 * it: vgen's software VP and libvgen's KVM backend have no Hyper-V
 * enlightenments and no VTL2, so every valid non-NULL @cfg (even one with
 * @flags and @vtl2 zero) fails with -EOPNOTSUPP and changes nothing.
 * Errors: -EINVAL NULL @proto, unknown flag or non-zero @reserved;
 * -EOPNOTSUPP as above. Since LIBVGEN_0.10.
 */
VGEN_EXPORT int vgen_proto_set_hv_config(struct vgen_proto *proto,
					 const struct vgen_hv_config *cfg);

/**
 * vgen_proto_set_vtl0_alias_map() - set the VTL0 alias map offset.
 * @proto: the proto-partition.
 * @alias_bit: the offset (a power of 2) at which VTL0's view of memory is
 *	mapped into VTL2, or 0 for no alias map (the default; a no-op).
 *
 * The alias map only exists with VTL2, which neither backend implements,
 * so a valid non-zero @alias_bit fails with -EOPNOTSUPP on both.
 * Errors: -EINVAL NULL @proto or @alias_bit not a power of 2;
 * -EOPNOTSUPP as above. Since LIBVGEN_0.10.
 */
VGEN_EXPORT int vgen_proto_set_vtl0_alias_map(struct vgen_proto *proto,
					      uint64_t alias_bit);

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
 * vgen_partition_reference_time() - the partition's reference time.
 * @part: the partition.
 * @ref_100ns: receives the time in 100 ns units since the partition was
 *	created (by vgen_hypervisor_new_partition()).
 *
 * The Hyper-V-style reference time of the model's VM state. Neither
 * kernel offers a partition clock, so libvgen computes it on both
 * backends from CLOCK_MONOTONIC, read when the partition was created and
 * at each call: it starts near 0, never decreases, keeps counting while
 * no VP runs (but not while the host is suspended, like CLOCK_MONOTONIC),
 * is not visible to the guest (no reference time MSR or TSC page) and is
 * not part of any saved state. Any thread may call it at any time.
 * Errors: -EINVAL NULL argument. Since LIBVGEN_0.10.
 */
VGEN_EXPORT int vgen_partition_reference_time(struct vgen_partition *part,
					      uint64_t *ref_100ns);

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
 * (-ENXIO). A backend that cannot do one returns -EOPNOTSUPP. Both
 * backends implement all of it (KVM since LIBVGEN_0.5).
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
 * Errors: -EINVAL NULL @part, @vtl not 0, malformed address/data (not
 * 0xfeexxxxx, reserved bits, delivery mode 3; checked with the same rules
 * on both backends); -EOPNOTSUPP SMI delivery mode, backend without it,
 * or (KVM) an extended destination ID; -ENXIO no in-kernel APIC; backend
 * errors (VGEN_SIGNAL_MSI, KVM_SIGNAL_MSI).
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
 * KVM: the table is kept by the library and mirrored into KVM's GSI
 * routing (GSI = line) so that KVM reports the EOIs of level-triggered
 * routes. Errors: -EINVAL bad argument or MSI; -ENXIO; -EOPNOTSUPP (also
 * SMI, and an extended destination ID on KVM); -ENOMEM and errors of
 * KVM_SET_GSI_ROUTING on KVM.
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
 * KVM: a KVM_SIGNAL_MSI of the line's current route (nothing is counted
 * for unrouted lines). Errors: -EINVAL; -ENXIO; -EOPNOTSUPP.
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
 * ExtINT: the VP's run ends with VGEN_EXIT_EXTINT once it can take the
 * interrupt, and the VMM's PIC supplies the vector in run->extint before
 * the next run). Errors: -EINVAL bad argument; -ENOENT VP not bound yet;
 * -ENXIO; -EOPNOTSUPP.
 *
 * KVM has no LINT input: the pulse is queued and the VP's thread handles
 * it before its next KVM_RUN (a running VP is kicked out of KVM_RUN with
 * the yield signal, without a VGEN_EXIT_YIELD), reading the LVT entry
 * with KVM_GET_LAPIC: fixed -> an MSI with that vector to the VP's own
 * APIC ID (not delivered when the APIC ID is 255 or more, or the vector
 * is below 16); NMI -> KVM_NMI; ExtINT (LINT0 only) -> the ExtINT
 * handshake above; SMI, INIT and ExtINT on LINT1 -> nothing. A
 * level-triggered fixed entry is treated as an edge. Because the LVT
 * entry is read on the VP's thread, the pulse takes effect only when
 * that thread next calls vgen_processor_run().
 */
VGEN_EXPORT int vgen_partition_pulse_lint(struct vgen_partition *part,
					  uint32_t vp_index, uint32_t vtl,
					  uint32_t lint);

/* ------------------------------------------------------------------ */
/* Doorbells (since LIBVGEN_0.5)
 *
 * A doorbell makes a guest write to an MMIO address or I/O port signal an
 * eventfd inside the kernel: the write completes without an exit to the
 * VMM (VGEN_IOEVENTFD on vgen, VGEN_CAP_IOEVENTFD; KVM_IOEVENTFD on kvm).
 * Writes that do not match exit as usual.
 */

struct vgen_doorbell;

/* vgen_partition_register_doorbell() flags */
#define VGEN_DOORBELL_PIO	(1U << 0)	/* @addr is an I/O port */
#define VGEN_DOORBELL_DATAMATCH	(1U << 1)	/* only writes of @value */

/**
 * vgen_partition_register_doorbell() - signal an eventfd on guest writes.
 * @part: the partition.
 * @addr: guest physical address, or the I/O port (< 0x10000) with
 *	VGEN_DOORBELL_PIO.
 * @len: 1, 2, 4 or 8 (PIO: 1, 2 or 4): only writes of exactly that size
 *	at @addr match; 0: a write of any size at @addr matches.
 * @flags: VGEN_DOORBELL_PIO, VGEN_DOORBELL_DATAMATCH.
 * @value: with VGEN_DOORBELL_DATAMATCH, only a write of exactly this value
 *	(zero-extended from @len bytes; needs @len > 0 and must fit in @len
 *	bytes) rings the doorbell; else 0.
 * @eventfd: the eventfd to signal (stays owned by the caller; keep it
 *	open while registered).
 * @out: receives the handle; release it with vgen_doorbell_unregister().
 *
 * May be called from any thread while VPs run. Handles still registered
 * when the partition is closed are freed by vgen_partition_close().
 * Errors: -EINVAL NULL argument, bad flags, length, port or value;
 * -EBADF @eventfd negative or not an eventfd; -EEXIST overlaps a doorbell
 * of the same space (the byte ranges [@addr, @addr + max(@len, 1))
 * intersect, unless both match different values at the same @addr and
 * @len; the library applies this rule on both backends); -ENOSPC too many
 * doorbells; -ENOMEM;
 * -EOPNOTSUPP the kernel has no VGEN_IOEVENTFD; other errors of
 * VGEN_IOEVENTFD / KVM_IOEVENTFD.
 */
VGEN_EXPORT int vgen_partition_register_doorbell(struct vgen_partition *part,
						 uint64_t addr, uint32_t len,
						 uint32_t flags, uint64_t value,
						 int eventfd,
						 struct vgen_doorbell **out);

/**
 * vgen_doorbell_unregister() - remove a doorbell and free its handle.
 * @db: the handle (freed even when an error is returned).
 *
 * Errors: -EINVAL NULL @db; errors of the backend's deassign.
 */
VGEN_EXPORT int vgen_doorbell_unregister(struct vgen_doorbell *db);

/* ------------------------------------------------------------------ */
/* MSI interrupt targets (since LIBVGEN_0.5; OpenVMM's MsiInterruptTarget
 * and MsiControl)
 *
 * One device interrupt: the VMM's PCI model enables it with the address
 * and data the guest programmed (MSI capability or MSI-X table entry) and
 * disables it when the guest masks it; the device signals it from any
 * thread, with vgen_msi_interrupt_signal() or by writing to the eventfd
 * of vgen_msi_interrupt_eventfd(), which the kernel turns into the MSI
 * without a VMM thread (vgen: VGEN_IRQFD with VGEN_IRQFD_MSI; KVM:
 * KVM_IRQFD on a GSI with an MSI route). A signal while disabled is
 * dropped (not latched), whichever way it is sent. The functions may be
 * called from any thread, concurrently with each other except
 * vgen_msi_interrupt_free().
 */

struct vgen_msi_interrupt;

/**
 * vgen_partition_new_msi_interrupt() - create an MSI target (disabled).
 * @part: the partition.
 * @out: receives the target; free it with vgen_msi_interrupt_free()
 *	(vgen_partition_close() frees the ones left).
 *
 * Errors: -EINVAL NULL argument; -ENXIO no in-kernel APIC
 * (VGEN_PROTO_USER_MODE_APIC); -EOPNOTSUPP backend without MSIs; -ENOMEM.
 */
VGEN_EXPORT int vgen_partition_new_msi_interrupt(struct vgen_partition *part,
						 struct vgen_msi_interrupt **out);

/**
 * vgen_msi_interrupt_enable() - set the MSI and enable delivery.
 * @intr: the target.
 * @address: MSI address (as for vgen_partition_request_msi()).
 * @data: MSI data.
 *
 * Replaces the previous address/data. Errors: -EINVAL NULL @intr or a
 * malformed MSI; -EOPNOTSUPP SMI (or, KVM, an extended destination ID);
 * with an eventfd: -ENOSPC (KVM: more than VGEN_MAX_IRQFDS targets with
 * eventfds) and errors of VGEN_IRQFD / KVM_SET_GSI_ROUTING.
 */
VGEN_EXPORT int vgen_msi_interrupt_enable(struct vgen_msi_interrupt *intr,
					  uint64_t address, uint32_t data);

/**
 * vgen_msi_interrupt_disable() - stop delivery (signals are dropped).
 * @intr: the target.
 *
 * Errors: -EINVAL NULL @intr; errors of VGEN_IRQFD / KVM_SET_GSI_ROUTING.
 */
VGEN_EXPORT int vgen_msi_interrupt_disable(struct vgen_msi_interrupt *intr);

/**
 * vgen_msi_interrupt_signal() - deliver the MSI now if enabled.
 * @intr: the target.
 *
 * Returns 0 also when disabled (nothing is delivered) or when no APIC
 * accepted it. Errors: -EINVAL NULL @intr; errors of
 * vgen_partition_request_msi().
 */
VGEN_EXPORT int vgen_msi_interrupt_signal(struct vgen_msi_interrupt *intr);

/**
 * vgen_msi_interrupt_eventfd() - an eventfd that signals the target.
 * @intr: the target.
 * @fd: receives the eventfd (created on the first call, the same one
 *	afterwards; owned by @intr, closed by vgen_msi_interrupt_free()).
 *	Each write of a non-zero value to it delivers the MSI if enabled;
 *	writes that arrive while the target is disabled are dropped.
 *
 * Errors: -EINVAL NULL argument; -EOPNOTSUPP no irqfd support (vgen
 * without VGEN_CAP_IRQFD; the other functions keep working); -ENOSPC;
 * errors of eventfd(), VGEN_IRQFD, KVM_IRQFD and KVM_SET_GSI_ROUTING.
 */
VGEN_EXPORT int vgen_msi_interrupt_eventfd(struct vgen_msi_interrupt *intr,
					   int *fd);

/**
 * vgen_msi_interrupt_free() - disable and free a target.
 * @intr: the target or NULL (no-op). Its eventfd is closed. Returns 0.
 */
VGEN_EXPORT int vgen_msi_interrupt_free(struct vgen_msi_interrupt *intr);

/* ------------------------------------------------------------------ */
/* Binder and processor */

/**
 * vgen_binder_bind() - bind a VP to the calling thread.
 * @binder: the binder.
 * @out: receives the processor, owned by the partition.
 *
 * The first call creates the VP (VGEN_CREATE_VP) and maps its run page.
 * The processor may then be used only by the calling thread. A later call
 * from another thread (since LIBVGEN_0.6; e.g. after
 * vgen_processor_run_vp() returned VGEN_HALT_CANCEL) moves the same
 * processor, with all its state, to the calling thread and returns it:
 * the previous thread must not use it any more. Errors: -EINVAL NULL
 * argument; -EEXIST already bound to the calling thread; -EBUSY the
 * processor is inside a run call on its thread; -ENOMEM; errors of
 * VGEN_CREATE_VP and mmap(). KVM: errors of KVM_CREATE_VCPU, mmap(),
 * KVM_SET_CPUID2 and KVM_SET_SIGNAL_MASK; the kick signal is blocked in
 * the calling thread (see BACKENDS; also on a rebind).
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

/* ------------------------------------------------------------------ */
/* The model's run call: run_vp with cpu_io callbacks (since LIBVGEN_0.6) */

/* struct vgen_halt.reason (OpenVMM's VpHaltReason) */
#define VGEN_HALT_STOP			1  /* the stop source is stopping */
#define VGEN_HALT_CANCEL		2  /* vgen_partition_cancel_vp() */
#define VGEN_HALT_POWER_OFF		3  /* a device (callback) powered off */
#define VGEN_HALT_RESET			4  /* a device (callback) reset */
#define VGEN_HALT_TRIPLE_FAULT		5  /* @vtl triple faulted */
#define VGEN_HALT_INVALID_VM_STATE	6  /* registers/memory invalid */
#define VGEN_HALT_EMULATION_FAILURE	7  /* instruction not emulated */
#define VGEN_HALT_HYPERVISOR_ERROR	8  /* the run call or a callback failed */
#define VGEN_HALT_SINGLE_STEP		9  /* debugger single step */
#define VGEN_HALT_HW_BREAKPOINT		10 /* debugger hardware breakpoint */
#define VGEN_HALT_MAX			10

/**
 * struct vgen_cpu_io - the VMM's devices, as seen by one run call.
 * @ctx: passed to every callback.
 * @read_io: IN of @size (1, 2, 4) bytes from @port by VP @vp: store the
 *	value (little endian) in @data, which holds all ones on entry.
 * @write_io: OUT of @size bytes of @data to @port.
 * @read_mmio: MMIO read of @size (1, 2, 4, 8) bytes at @gpa: store the
 *	bytes in @data (all ones on entry).
 * @write_mmio: MMIO write of @size bytes of @data at @gpa.
 * @handle_eoi: the guest EOI'd @vector, delivered level-triggered (the
 *	IOAPIC model clears remote IRR of the lines with that vector and
 *	re-asserts those still high).
 * @acknowledge_pic_interrupt: the VP can take an ExtINT interrupt now:
 *	set *@valid to 1 and *@vector to the PIC's vector, or leave *@valid 0
 *	(no interrupt after all).
 * @fatal_error: optional; a callback returned the negative errno @err or
 *	the run itself failed with it: return the VGEN_HALT_* to report
 *	(NULL or an out-of-range value: VGEN_HALT_HYPERVISOR_ERROR). The
 *	halt's @error is @err.
 *
 * Every callback may be NULL: reads then return all ones, writes, EOIs
 * are ignored and no ExtINT vector is supplied. The other callbacks
 * return 0 to continue, a negative errno (the run ends, see @fatal_error)
 * or a positive VGEN_HALT_* to end the run with that reason (how a device
 * produces VGEN_HALT_POWER_OFF or VGEN_HALT_RESET). They run on the VP's
 * thread and may call vgen_stop_source_stop() (the run then ends with
 * VGEN_HALT_STOP after the current access completes), any partition
 * interrupt function and vgen_partition_cancel_vp(), but not the run
 * functions or state accessors of the same processor. There is no
 * is_mmio callback: every guest physical address outside the memory
 * ranges is MMIO, so the library never needs to ask.
 */
struct vgen_cpu_io {
	void *ctx;
	int (*read_io)(void *ctx, uint32_t vp, uint16_t port, void *data,
		       uint32_t size);
	int (*write_io)(void *ctx, uint32_t vp, uint16_t port,
			const void *data, uint32_t size);
	int (*read_mmio)(void *ctx, uint32_t vp, uint64_t gpa, void *data,
			 uint32_t size);
	int (*write_mmio)(void *ctx, uint32_t vp, uint64_t gpa,
			  const void *data, uint32_t size);
	int (*handle_eoi)(void *ctx, uint32_t vp, uint32_t vector);
	int (*acknowledge_pic_interrupt)(void *ctx, uint32_t vp,
					 uint8_t *vector, int *valid);
	int (*fatal_error)(void *ctx, uint32_t vp, int err);
};

/**
 * struct vgen_halt - why vgen_processor_run_vp() returned.
 * @reason: VGEN_HALT_*.
 * @vtl: VGEN_HALT_TRIPLE_FAULT: the faulting VTL (0).
 * @error: VGEN_HALT_HYPERVISOR_ERROR and halts chosen by fatal_error:
 *	the negative errno; VGEN_HALT_EMULATION_FAILURE -ENOSYS;
 *	VGEN_HALT_INVALID_VM_STATE from the hypervisor -EINVAL; else 0.
 * @breakpoint: VGEN_HALT_HW_BREAKPOINT: the breakpoint slot (0..3).
 * @rip: guest RIP where the hypervisor reported it (internal errors:
 *	the failing instruction; debug halts: run->debug.rip), else 0.
 * @dr6: debug halts: the DR6-style status bits.
 * @suberror: halts from an internal-error exit: VGEN_INTERNAL_*; from an
 *	exit this library does not know: its VGEN_EXIT_* value.
 * @insn_len: bytes of the failing instruction in @insn (0 if unknown).
 * @insn: the failing instruction's first bytes.
 * @reserved: zero (room for later fields without changing the size).
 *
 * Fields a reason does not name are zero.
 */
struct vgen_halt {
	uint32_t reason;
	uint32_t vtl;
	int32_t error;
	uint32_t breakpoint;
	uint64_t rip;
	uint64_t dr6;
	uint32_t suberror;
	uint32_t insn_len;
	uint8_t insn[16];
	uint64_t reserved[4];
};

/**
 * vgen_processor_run_vp() - run the VP until it halts (the model's run_vp).
 * @proc: the processor (on its bound thread).
 * @stop: the stop source.
 * @io: the VMM's devices, or NULL (no devices: see struct vgen_cpu_io).
 * @halt: receives the halt.
 *
 * Runs the VP with vgen_processor_run_until_stop() and handles every exit
 * itself: port I/O and MMIO through @io (IN/MMIO read data is completed
 * on the next entry), VGEN_EXIT_EOI (handle_eoi), VGEN_EXIT_EXTINT
 * (acknowledge_pic_interrupt), yields and signals (check for a cancel,
 * run again). It returns only a halt:
 *  - VGEN_HALT_STOP only when @stop is stopping (requested before or
 *    during the call, also from inside a callback); a pending IN or MMIO
 *    read is completed before, so the VP's state can be saved;
 *  - VGEN_HALT_CANCEL after vgen_partition_cancel_vp() (also one made
 *    before the call, or before the VP was bound): the VP's state is
 *    intact; it may be run again, from this thread or, after
 *    vgen_binder_bind() on another thread, from there;
 *  - a callback's positive return (POWER_OFF, RESET, ...) or the reason
 *    fatal_error chose for an error (the current access is completed
 *    first);
 *  - VGEN_HALT_TRIPLE_FAULT (VGEN_EXIT_SHUTDOWN);
 *  - VGEN_HALT_EMULATION_FAILURE (internal error
 *    VGEN_INTERNAL_EMULATION_FAILURE or _UNSUPPORTED_MODE),
 *    VGEN_HALT_INVALID_VM_STATE (VGEN_INTERNAL_INVALID_STATE; on KVM a
 *    failed VM entry), with the instruction details in @halt;
 *  - VGEN_HALT_SINGLE_STEP, VGEN_HALT_HW_BREAKPOINT (VGEN_EXIT_DEBUG);
 *  - VGEN_HALT_HYPERVISOR_ERROR: the run call failed (@error), or an
 *    internal error or exit this library does not know (-EPROTO).
 * After any halt the VP may be run again (the hypervisor keeps no
 * "halted" state of its own beyond what the guest did).
 *
 * HLT: with an in-kernel APIC the hypervisor waits for interrupts itself.
 * A VGEN_EXIT_HLT exit (VGEN_PROTO_USER_MODE_APIC partitions, and always
 * on the kvm backend) is not a halt: the call sleeps until a
 * vgen_partition_request_yield() for this VP (how the VMM's own APIC
 * model says "an interrupt may be pending"), a stop or a cancel, then
 * resumes the guest after the HLT instruction (or reports the stop or
 * cancel).
 *
 * Returns 0 (the halt is in *@halt) or -EINVAL (NULL @proc, @stop or
 * @halt), -EPERM (not the bound thread).
 */
VGEN_EXPORT int vgen_processor_run_vp(struct vgen_processor *proc,
				      struct vgen_stop_source *stop,
				      const struct vgen_cpu_io *io,
				      struct vgen_halt *halt);

/**
 * vgen_partition_cancel_vp() - end a VP's vgen_processor_run_vp() with
 *	VGEN_HALT_CANCEL.
 * @part: the partition.
 * @vp_index: the VP.
 *
 * Callable from any thread at any time, like
 * vgen_partition_request_yield() (which it uses). The request is never
 * lost: the current run_vp call of the VP returns VGEN_HALT_CANCEL
 * promptly, or its next one does at once (also when the VP is not bound
 * yet). Requests before that halt coalesce. Only run_vp reports cancels;
 * the lower-level run functions see a yield. Errors: -EINVAL NULL @part
 * or bad index; errors of vgen_partition_request_yield() other than
 * -ENOENT.
 */
VGEN_EXPORT int vgen_partition_cancel_vp(struct vgen_partition *part,
					 uint32_t vp_index);

/**
 * vgen_processor_flush_async_requests() - apply queued requests to the
 *	VP's state before saving it (the model's flush_async_requests).
 * @proc: the processor (on its bound thread, not running).
 *
 * Neither backend queues requests outside the hypervisor (interrupts and
 * yields take effect when they are made), so this is a documented no-op.
 * Errors: -EINVAL NULL @proc; -EPERM not the bound thread.
 */
VGEN_EXPORT int vgen_processor_flush_async_requests(struct vgen_processor *proc);

/**
 * vgen_processor_exit_counts() - exits of this processor by reason.
 * @proc: the processor.
 * @counts: receives @n counters: counts[r] = exits with VGEN_EXIT_* r
 *	seen by the run functions since the VP was bound (reasons >= 32
 *	read 0).
 * @n: number of counters.
 *
 * Read it on the bound thread (or when no run call is active). Errors:
 * -EINVAL NULL @proc, or NULL @counts with @n > 0.
 */
VGEN_EXPORT int vgen_processor_exit_counts(struct vgen_processor *proc,
					   uint64_t *counts, uint32_t n);

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
 * backend has none unless the partition got KVM's split irqchip). In
 * x2APIC mode the ID register holds the x2APIC ID on both backends (KVM
 * keeps only its low 8 bits without KVM_CAP_X2APIC_API).
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

/* Debugging (since LIBVGEN_0.7)
 *
 * VMM debugging of one VP, invisible to the guest (OpenVMM's x86
 * DebugState): single step and up to four hardware breakpoints, reported
 * by vgen_processor_run() as VGEN_EXIT_DEBUG (run->debug: type
 * VGEN_DEBUG_EXIT_SINGLE_STEP or VGEN_DEBUG_EXIT_BREAKPOINT with the
 * breakpoint index, rip, DR6-style status). And the guest's own debug
 * registers. The exact semantics (what a step is across an exception or
 * interrupt delivery, when breakpoints are reported, priority over the
 * guest's own debugging) are the vgen backend's, documented under
 * "Debugging" in <linux/vgen.h>; the kvm backend uses KVM_SET_GUEST_DEBUG
 * (KVM_GUESTDBG_ENABLE | SINGLESTEP | USE_HW_BP) and KVM_GET/SET_DEBUGREGS
 * and reports KVM_EXIT_DEBUG the same way, with KVM's step semantics
 * across event delivery. On both, the vgen_processor_run() after an
 * execute breakpoint exit executes that instruction without reporting the
 * breakpoint again (the kvm backend sets RFLAGS.RF for it).
 */

/* struct vgen_hw_breakpoint.type */
#define VGEN_BP_EXECUTE		0	/* before the instruction at @address */
#define VGEN_BP_WRITE		1	/* after an instruction writing it */
#define VGEN_BP_READ_WRITE	2	/* after an instruction reading or writing it */

/**
 * struct vgen_hw_breakpoint - one hardware breakpoint.
 * @address: guest linear address, canonical, aligned to @size.
 * @type: VGEN_BP_*.
 * @size: bytes watched: 1, 2, 4 or 8 (1 for VGEN_BP_EXECUTE).
 */
struct vgen_hw_breakpoint {
	uint64_t address;
	uint32_t type;
	uint32_t size;
};

/**
 * struct vgen_debug_state - VMM debugging state of a VP.
 * @single_step: 1: exit after every step; 0: no.
 * @enabled: bit n set: @breakpoints[n] is armed (bits 3:0 only).
 * @pad: must be zero.
 * @breakpoints: the breakpoints; those not in @enabled are ignored.
 */
struct vgen_debug_state {
	uint8_t single_step;
	uint8_t enabled;
	uint8_t pad[6];
	struct vgen_hw_breakpoint breakpoints[4];
};

/**
 * vgen_processor_set_debug_state() - arm or disarm VMM debugging.
 * @proc: the processor (on its thread).
 * @vtl: virtual trust level (0).
 * @state: the new state, or NULL to turn debugging off.
 *
 * Replaces the previous state. Return: 0; -EINVAL NULL @proc, @vtl not 0,
 * @single_step not 0/1, @enabled bits above 3, @pad not zero, or an
 * armed breakpoint with an unknown type, a size other than 1, 2, 4, 8
 * (1 for execute), an address not aligned to its size or not canonical;
 * -EOPNOTSUPP the backend cannot (VGEN_CAP_GUEST_DEBUG 0); -EPERM wrong
 * thread; errors of VGEN_SET_GUEST_DEBUG / KVM_SET_GUEST_DEBUG.
 */
VGEN_EXPORT int vgen_processor_set_debug_state(struct vgen_processor *proc,
					       uint32_t vtl,
					       const struct vgen_debug_state *state);

/**
 * vgen_processor_get_debugregs() - read the guest's DR0-3, DR6, DR7
 * (struct vgen_debugregs of <linux/vgen.h>; @flags and @reserved zero).
 * @proc: the processor (on its thread).
 * @dr: receives them.
 * Return: 0; -EINVAL NULL argument; -EOPNOTSUPP; -EPERM wrong thread;
 * errors of VGEN_GET_DEBUGREGS / KVM_GET_DEBUGREGS.
 */
VGEN_EXPORT int vgen_processor_get_debugregs(struct vgen_processor *proc,
					     struct vgen_debugregs *dr);

/**
 * vgen_processor_set_debugregs() - write the guest's DR0-3, DR6, DR7.
 * @proc: the processor (on its thread).
 * @dr: the registers; @flags, @pad and @reserved zero, bits 63:32 of DR6
 *	and DR7 zero.
 * Return: 0; -EINVAL NULL argument or a rule above; -EOPNOTSUPP; -EPERM
 * wrong thread; errors of VGEN_SET_DEBUGREGS / KVM_SET_DEBUGREGS.
 */
VGEN_EXPORT int vgen_processor_set_debugregs(struct vgen_processor *proc,
					     const struct vgen_debugregs *dr);

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

/*
 * Introspection, second part (LIBVGEN_0.9): the VP's time split, halts,
 * APIC summary, register snapshots and the IOAPIC routing table. The new
 * scalar VP attributes (VGEN_A_VP_RUN_TID ... VGEN_A_VP_USER_NS,
 * VGEN_A_VP_TPR, VGEN_A_VP_PPR) are read with vgen_inspect_vp_attr().
 */

/**
 * vgen_inspect_vp_vectors() - a VP's IRR and ISR summary (in-kernel APIC).
 * @vp: the snapshot.
 * @irr: receives VGEN_GENL_VECTOR_BITMAP bytes (vector v: bit v % 8 of
 *	byte v / 8), or NULL.
 * @isr: likewise for ISR, or NULL.
 *
 * Errors: -EINVAL NULL @vp; -ENODATA not reported (no in-kernel APIC or
 * an older kernel).
 */
VGEN_EXPORT int vgen_inspect_vp_vectors(const struct vgen_inspect_vp *vp,
					uint8_t irr[VGEN_GENL_VECTOR_BITMAP],
					uint8_t isr[VGEN_GENL_VECTOR_BITMAP]);

struct vgen_inspect_regs;

/**
 * vgen_inspect_get_vp_regs() - a consistent snapshot of one VP's
 *	registers and local APIC (VGEN_CMD_GET_VP_REGS).
 * @ins: the connection.
 * @partition_id: the partition's registry id.
 * @vp_index: the VP.
 * @out: receives the snapshot; free it with vgen_inspect_regs_free().
 *
 * Errors: as vgen_inspect_get_vp(); -EAGAIN the VP did not answer in
 * time (try again); -EINTR.
 */
VGEN_EXPORT int vgen_inspect_get_vp_regs(struct vgen_inspect *ins,
					 uint32_t partition_id,
					 uint32_t vp_index,
					 struct vgen_inspect_regs **out);

/** vgen_inspect_regs_parse() - as vgen_inspect_vp_parse(), for snapshots. */
VGEN_EXPORT int vgen_inspect_regs_parse(const void *msg, size_t len,
					struct vgen_inspect_regs **out);

/** vgen_inspect_regs_free() - free a register snapshot (NULL: no-op). */
VGEN_EXPORT void vgen_inspect_regs_free(struct vgen_inspect_regs *r);

/**
 * vgen_inspect_regs_attr() - a scalar of a register snapshot.
 * @r: the snapshot.
 * @attr: VGEN_A_PARTITION_ID, VGEN_A_VP_INDEX, VGEN_A_VP_ACTIVITY or
 *	VGEN_A_VP_INSNS_RETIRED (at the time of the snapshot).
 * @value: receives the value.
 *
 * Errors: as vgen_inspect_partition_attr().
 */
VGEN_EXPORT int vgen_inspect_regs_attr(const struct vgen_inspect_regs *r,
				       unsigned int attr, uint64_t *value);

/**
 * vgen_inspect_regs_get() - the registers of a snapshot, as VGEN_GET_REGS
 *	and VGEN_GET_SREGS would return them.
 * @r: the snapshot.
 * @regs: receives the general registers, or NULL.
 * @sregs: receives the system registers, or NULL.
 *
 * Errors: -EINVAL NULL @r.
 */
VGEN_EXPORT int vgen_inspect_regs_get(const struct vgen_inspect_regs *r,
				      struct vgen_regs *regs,
				      struct vgen_sregs *sregs);

/**
 * vgen_inspect_regs_lapic() - the local APIC of a snapshot, as
 *	VGEN_GET_LAPIC would return it.
 * @r: the snapshot.
 * @lapic: receives the state.
 *
 * Errors: -EINVAL NULL argument; -ENODATA no in-kernel APIC.
 */
VGEN_EXPORT int vgen_inspect_regs_lapic(const struct vgen_inspect_regs *r,
					struct vgen_lapic_state *lapic);

/**
 * struct vgen_inspect_irq_route - one IOAPIC line of a partition.
 * @irq: the line.
 * @flags: VGEN_IRQ_ROUTE_MSI when routed.
 * @data: MSI data of the route.
 * @reserved0: zero.
 * @address: MSI address of the route.
 * @delivered: asserts accepted by at least one APIC.
 * @dropped: asserts of the line while unrouted or accepted by no APIC.
 */
struct vgen_inspect_irq_route {
	uint32_t irq;
	uint32_t flags;
	uint32_t data;
	uint32_t reserved0;
	uint64_t address;
	uint64_t delivered;
	uint64_t dropped;
};

/**
 * vgen_inspect_get_irq_routes() - the IOAPIC routing table of a partition
 *	(VGEN_CMD_GET_IRQ_ROUTES).
 * @ins: the connection.
 * @partition_id: the partition's registry id.
 * @routes: receives up to VGEN_IOAPIC_PINS lines.
 * @n: receives the number of lines (0 without an in-kernel APIC).
 *
 * Errors: as vgen_inspect_get_partition().
 */
VGEN_EXPORT int vgen_inspect_get_irq_routes(struct vgen_inspect *ins,
					    uint32_t partition_id,
					    struct vgen_inspect_irq_route *routes,
					    size_t *n);

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
