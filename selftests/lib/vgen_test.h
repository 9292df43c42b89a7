/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side test library for vgen selftests (modelled on KVM selftests).
 *
 * __vgen_ioctl() returns the raw result (>= 0 or -errno) for negative
 * tests; vgen_ioctl() and the vm_ and vcpu_ helpers assert success and
 * end the test (exit(1), reported as a failure by the harness) otherwise.
 */
#ifndef VGEN_SELFTEST_VGEN_TEST_H
#define VGEN_SELFTEST_VGEN_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vgen.h>
#include "ucall_common.h"

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "# %s:%d: assertion '%s' failed: " fmt "\n", \
				__FILE__, __LINE__, #cond, ##__VA_ARGS__); \
			exit(1);					\
		}							\
	} while (0)

/* Default guest RAM of a test VM (the test binary loads at 4 MiB). */
#define VM_DEFAULT_RAM_MIB	32
/* Most VPs of a test VM (the uapi allows more; every VP needs a stack). */
#define VM_MAX_VPS		VGEN_MAX_VPS
/*
 * A VM gets at least this much RAM below the VP stacks (64 KiB per VP at
 * the top of RAM, see libvgen's GUEST CONTRACT): the loader area and the
 * test binary, loaded at 4 MiB (the test binaries are well below 2 MiB).
 */
#define VM_IMAGE_RESERVE_MIB	6

/* Raw ioctl: returns the ioctl's result or -errno. */
long __vgen_ioctl(int fd, unsigned long req, const void *arg);
long __vgen_ioctl_val(int fd, unsigned long req, unsigned long arg);

#define vgen_ioctl(fd, req, arg)					\
	({								\
		long __r = __vgen_ioctl(fd, req, arg);			\
		TEST_ASSERT(__r >= 0, "%s failed: %s", #req,		\
			    strerror((int)-__r));			\
		__r;							\
	})

int vgen_open_dev(void);	/* fd of /dev/vgen or -errno */
/* VGEN_CHECK_CAP @cap on /dev/vgen: its value, or -errno (no device). */
long vgen_dev_cap(unsigned long cap);

/*
 * In a kselftest test body: skip unless /dev/vgen exists and reports
 * @cap (a VGEN_CAP_* constant) as at least 1.
 */
#define REQUIRE_VGEN_CAP(cap)						\
	do {								\
		long __cap = vgen_dev_cap(cap);				\
									\
		if (__cap < 0)						\
			SKIP(return, "/dev/vgen not present");		\
		if (__cap < 1)						\
			SKIP(return, #cap " not supported");		\
	} while (0)
long vgen_run_size(void);

/*
 * The backend vm_create_proto() opens: "vgen", "kvm" or NULL (the
 * environment variable VGEN_TEST_BACKEND if set, else the best available).
 */
extern const char *vgen_test_backend;
/* 0 if @backend ("vgen", "kvm") can be opened, else -errno. */
int vgen_test_backend_check(const char *backend);

struct vm;

struct vcpu {
	struct vm *vm;
	uint32_t index;
	struct vgen_processor *proc;
	int fd;
	struct vgen_run *run;
};

struct vm {
	struct vgen_hypervisor *hv;
	struct vgen_proto *proto;	/* NULL after vm_finalize() */
	struct vgen_partition *part;	/* NULL before vm_finalize() */
	int fd;				/* partition fd */
	void *ram;
	uint64_t ram_size;
	uint32_t nr_vps;
	struct vcpu **vcpus;		/* nr_vps entries, NULL until added */
};

/* Proto-partition with RAM at GPA 0, this binary loaded and the loader
 * area prepared. @ram_mib is raised (to a multiple of 2 MiB) if the VP
 * stacks would not fit above VM_IMAGE_RESERVE_MIB. */
struct vm *vm_create_proto(uint32_t nr_vps, uint64_t ram_mib);
/* The same with VGEN_PROTO_* flags (e.g. VGEN_PROTO_USER_MODE_APIC). */
struct vm *vm_create_proto_flags(uint32_t nr_vps, uint64_t ram_mib,
				 uint32_t flags);
/* ... and with the APIC ID of every VP (NULL: APIC ID = VP index). */
struct vm *vm_create_proto_cfg(uint32_t nr_vps, uint64_t ram_mib,
			       uint32_t flags, const uint32_t *apic_ids);
void vm_finalize(struct vm *vm);
/*
 * Create VP @index on the calling thread, starting at @guest_fn. Several
 * threads may add distinct VPs of one VM concurrently.
 */
struct vcpu *vm_add_vcpu(struct vm *vm, uint32_t index, void *guest_fn);
/* One VP, default RAM, finalized. */
struct vm *vm_create_with_vcpu(void *guest_fn, struct vcpu **vcpu);
struct vm *vm_create_with_vcpu_flags(void *guest_fn, struct vcpu **vcpu,
				     uint32_t flags);
void vm_destroy(struct vm *vm);

void *addr_gpa2hva(struct vm *vm, uint64_t gpa);
#define sync_global_to_guest(vm, g)					\
	memcpy(addr_gpa2hva(vm, (uint64_t)(uintptr_t)&(g)), &(g), sizeof(g))
#define sync_global_from_guest(vm, g)					\
	memcpy(&(g), addr_gpa2hva(vm, (uint64_t)(uintptr_t)&(g)), sizeof(g))

/* Host view of a 64-bit guest global (same address on both sides). */
volatile uint64_t *vm_guest_u64(struct vm *vm, volatile uint64_t *g);
/* Poll until *@p != @old (no time limit: the harness timeout bounds it). */
void wait_u64_ne(volatile uint64_t *p, uint64_t old);
/* Thread body: after 20 ms request a yield of VP 0 of the struct vm @vm. */
void *vm_yield_vp0_later(void *vm);

int __vcpu_run(struct vcpu *vcpu);	/* 0 or -errno */
void vcpu_run(struct vcpu *vcpu);	/* asserts 0 */
void vcpu_regs_get(struct vcpu *vcpu, struct vgen_regs *regs);
void vcpu_regs_set(struct vcpu *vcpu, const struct vgen_regs *regs);
void vcpu_sregs_get(struct vcpu *vcpu, struct vgen_sregs *sregs);
void vcpu_sregs_set(struct vcpu *vcpu, const struct vgen_sregs *sregs);

const char *exit_reason_str(uint32_t reason);
/* Describe the current exit (for failure messages). */
const char *vcpu_exit_str(struct vcpu *vcpu);

/* Decode the current exit: UCALL_NONE if it is not a ucall. */
uint64_t ucall_decode(struct vcpu *vcpu, struct ucall *uc);
/* Print a guest assertion (UCALL_ASSERT) and fail the test. */
void ucall_report_assert(struct vcpu *vcpu, const struct ucall *uc)
	__attribute__((noreturn));
/* Run until a ucall (printing PRINTs); fails the test on a guest assert
 * or on any other exit. Returns the ucall's cmd. */
uint64_t get_ucall(struct vcpu *vcpu, struct ucall *uc);
/* Run until a ucall and require UCALL_SYNC with first argument @arg. */
void vcpu_expect_sync(struct vcpu *vcpu, uint64_t arg);
/* Run once and require exit @reason (VGEN_EXIT_*). */
void vcpu_run_expect_exit(struct vcpu *vcpu, uint32_t reason);
/* Run and require a UCALL_DONE. */
void vcpu_run_to_done(struct vcpu *vcpu);

#endif
