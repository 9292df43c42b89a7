// SPDX-License-Identifier: GPL-2.0
/*
 * VP state groups: MSR state through VGEN_GET_MSRS / VGEN_SET_MSRS and
 * vgen_processor_get/set_msrs(). The capability, the reset value of
 * IA32_PAT, a round trip of every supported MSR, the guest's RDMSR of
 * values set by the host and the host's view of values the guest writes
 * with WRMSR, the guest TSC, and the whole-call -EINVAL rules (nothing
 * changes on any error). MTRRs (VGEN_CAP_MTRR): CPUID, IA32_MTRRCAP,
 * reset values, host and guest round trips, and the #GP rules shared by
 * VGEN_SET_MSRS (-EINVAL) and the guest's WRMSR (#GP).
 */
#include <errno.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "state_test.h"

/* The supported MSRs other than the TSC, in the order of st_index. */
static const uint32_t st_msrs[ST_NMSRS] = {
	0x174, 0x175, 0x176, 0x277, 0xc0000081, 0xc0000082, 0xc0000083,
	0xc0000084, 0xc0000102, 0xc0000103,
};

/* Two valid value sets (the first written by the host, the second by
 * the guest in guest_st_msrs()). */
static const uint64_t st_vals_a[ST_NMSRS] = {
	0x10, 0xffff800012345678ULL, 0x00007fff12345000ULL,
	0x0007010600050406ULL, 0xdeadbeefcafef00dULL, 0xffffffff81000000ULL,
	0xffffffff81000100ULL, 0x47700, 0xffff888000001000ULL, 0x12345678,
};

static const uint64_t st_vals_b[ST_NMSRS] = {
	0x08, 0x00000000deadb000ULL, 0xffffc90000000040ULL,
	0x0000000100000000ULL, 0x0023001000000000ULL, 0x00007ffffffff000ULL,
	0xffff800000000000ULL, 0xffffffffULL, 0, 0xffffffffULL,
};

#define REQUIRE_MSRS()	REQUIRE_VGEN_CAP(VGEN_CAP_MSRS)

/* A raw VGEN_GET/SET_MSRS argument with room for one entry too many. */
union st_req {
	struct vgen_msrs hdr;
	uint8_t bytes[sizeof(struct vgen_msrs) +
		      (VGEN_MAX_MSR_ENTRIES + 1) *
		      sizeof(struct vgen_msr_entry)];
};

static void fill_entries(struct vgen_msr_entry *e, const uint64_t *vals)
{
	int i;

	memset(e, 0, ST_NMSRS * sizeof(*e));
	for (i = 0; i < ST_NMSRS; i++) {
		e[i].index = st_msrs[i];
		e[i].data = vals ? vals[i] : 0;
	}
}

/* A valid request setting (or getting) every MSR of st_msrs. */
static void build_req(union st_req *r, const uint64_t *vals)
{
	memset(r, 0, sizeof(*r));
	r->hdr.nmsrs = ST_NMSRS;
	fill_entries(r->hdr.entries, vals);
}

static void set_msrs(struct vcpu *vcpu, const uint64_t *vals)
{
	struct vgen_msr_entry e[ST_NMSRS];
	int r;

	fill_entries(e, vals);
	r = vgen_processor_set_msrs(vcpu->proc, e, ST_NMSRS);
	TEST_ASSERT(!r, "set_msrs: %s", strerror(-r));
}

static void expect_msrs(struct vcpu *vcpu, const uint64_t *vals)
{
	struct vgen_msr_entry e[ST_NMSRS];
	int i, r;

	fill_entries(e, NULL);
	r = vgen_processor_get_msrs(vcpu->proc, e, ST_NMSRS);
	TEST_ASSERT(!r, "get_msrs: %s", strerror(-r));
	for (i = 0; i < ST_NMSRS; i++)
		TEST_ASSERT(e[i].data == vals[i],
			    "MSR 0x%x: 0x%llx, expected 0x%llx", st_msrs[i],
			    (unsigned long long)e[i].data,
			    (unsigned long long)vals[i]);
}

static uint64_t get_tsc(struct vcpu *vcpu)
{
	struct vgen_msr_entry e = { .index = ST_MSR_TSC };
	int r = vgen_processor_get_msrs(vcpu->proc, &e, 1);

	TEST_ASSERT(!r, "get TSC: %s", strerror(-r));
	return e.data;
}

static void *guest_ptr(struct vm *vm, volatile void *g)
{
	return addr_gpa2hva(vm, (uint64_t)(uintptr_t)g);
}

TEST(cap_msrs)
{
	int fd = vgen_open_dev();
	struct vcpu *vcpu;
	struct vm *vm;

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	EXPECT_EQ(VGEN_MAX_MSR_ENTRIES,
		  __vgen_ioctl_val(fd, VGEN_CHECK_CAP, VGEN_CAP_MSRS));
	EXPECT_EQ(64, VGEN_MAX_MSR_ENTRIES);
	close(fd);
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	EXPECT_EQ(VGEN_MAX_MSR_ENTRIES,
		  __vgen_ioctl_val(vm->fd, VGEN_CHECK_CAP, VGEN_CAP_MSRS));
	vm_destroy(vm);
}

TEST(reset_pat_and_empty_call)
{
	struct vgen_msr_entry e = { .index = 0x277 };
	union st_req req;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, &e, 1));
	EXPECT_EQ(0x0007040600070406ULL, e.data);
	/* nmsrs == 0 is a valid no-op for both directions. */
	memset(&req, 0, sizeof(req));
	EXPECT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_GET_MSRS, &req));
	EXPECT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_MSRS, &req));
	EXPECT_EQ(0, vgen_processor_get_msrs(vcpu->proc, NULL, 0));
	EXPECT_EQ(0, vgen_processor_set_msrs(vcpu->proc, NULL, 0));
	vm_destroy(vm);
}

TEST(round_trip)
{
	struct vgen_msr_entry e[ST_NMSRS];
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	set_msrs(vcpu, st_vals_a);
	expect_msrs(vcpu, st_vals_a);
	set_msrs(vcpu, st_vals_b);
	expect_msrs(vcpu, st_vals_b);
	/* One MSR at a time, in reverse order. */
	for (i = ST_NMSRS - 1; i >= 0; i--) {
		memset(e, 0, sizeof(e[0]));
		e[0].index = st_msrs[i];
		e[0].data = st_vals_a[i];
		ASSERT_EQ(0, vgen_processor_set_msrs(vcpu->proc, e, 1));
		e[0].data = ~0ULL;
		ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, e, 1));
		EXPECT_EQ(st_vals_a[i], e[0].data);
	}
	expect_msrs(vcpu, st_vals_a);
	/* An index given twice: the last entry wins. */
	fill_entries(e, st_vals_a);
	e[1].index = e[0].index;
	e[1].data = 0x20;
	ASSERT_EQ(0, vgen_processor_set_msrs(vcpu->proc, e, 2));
	e[0].data = 0;
	ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, e, 1));
	EXPECT_EQ(0x20, e[0].data);
	vm_destroy(vm);
}

TEST(guest_rdmsr_wrmsr)
{
	volatile uint64_t *rd, *wr;
	volatile uint32_t *idx;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int i;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	idx = guest_ptr(vm, st_index);
	rd = guest_ptr(vm, st_read);
	wr = guest_ptr(vm, st_write);
	for (i = 0; i < ST_NMSRS; i++) {
		idx[i] = st_msrs[i];
		wr[i] = st_vals_b[i];
		rd[i] = 0;
	}
	set_msrs(vcpu, st_vals_a);

	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	for (i = 0; i < ST_NMSRS; i++)
		EXPECT_EQ(st_vals_a[i], rd[i]) {
			TH_LOG("guest RDMSR 0x%x", st_msrs[i]);
		}

	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(2, uc.args[0]);
	expect_msrs(vcpu, st_vals_b);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(guest_tsc)
{
	const uint64_t t = 1ULL << 60;
	struct vgen_msr_entry e = { .index = ST_MSR_TSC, .data = t };
	volatile uint64_t *g_rdtsc, *g_rdmsr;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_tsc, &vcpu);
	g_rdtsc = guest_ptr(vm, &st_rdtsc);
	g_rdmsr = guest_ptr(vm, &st_rdmsr_tsc);
	*g_rdtsc = 0;
	*g_rdmsr = 0;
	ASSERT_EQ(0, vgen_processor_set_msrs(vcpu->proc, &e, 1));
	EXPECT_LE(t, get_tsc(vcpu));

	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_LE(t, *g_rdtsc);
	EXPECT_LE(*g_rdtsc, *g_rdmsr);
	EXPECT_LE(*g_rdmsr, get_tsc(vcpu));
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* Corruptions of a valid SET request; each must fail with -EINVAL. */
enum st_bad {
	BAD_FLAGS,
	BAD_HDR_RESERVED,
	BAD_ENTRY_RESERVED,
	BAD_TOO_MANY,
	BAD_INDEX_UNKNOWN,
	BAD_INDEX_EFER,
	BAD_INDEX_APIC_BASE,
	BAD_INDEX_FS_BASE,
	BAD_LSTAR,
	BAD_CSTAR,
	BAD_KERNEL_GS_BASE,
	BAD_SYSENTER_ESP,
	BAD_SYSENTER_EIP,
	BAD_SYSENTER_CS,
	BAD_PAT_TYPE2,
	BAD_PAT_TYPE8,
	BAD_SFMASK,
	BAD_TSC_AUX,
	BAD_COUNT,
};

/* Position of an MSR in st_msrs. */
static int st_pos(uint32_t index)
{
	int i;

	for (i = 0; i < ST_NMSRS; i++)
		if (st_msrs[i] == index)
			return i;
	return -1;
}

/*
 * Corrupt @r. Value corruptions go to the entry of that MSR moved to the
 * last place, so every valid entry before it would already have been
 * applied by a non-atomic implementation.
 */
static void corrupt(union st_req *r, enum st_bad bad)
{
	struct vgen_msr_entry *e = r->hdr.entries, tmp;
	struct vgen_msr_entry *last = &e[ST_NMSRS - 1];
	uint32_t msr = 0;
	uint64_t val = 0;
	int i;

	switch (bad) {
	case BAD_FLAGS:
		r->hdr.flags = 1;
		return;
	case BAD_HDR_RESERVED:
		r->hdr.reserved = 1ULL << 63;
		return;
	case BAD_ENTRY_RESERVED:
		last->reserved = 1;
		return;
	case BAD_TOO_MANY:
		for (i = 0; i <= VGEN_MAX_MSR_ENTRIES; i++)
			e[i] = e[i % ST_NMSRS];
		r->hdr.nmsrs = VGEN_MAX_MSR_ENTRIES + 1;
		return;
	case BAD_INDEX_UNKNOWN:
		last->index = 0x12345;
		return;
	case BAD_INDEX_EFER:
		last->index = 0xc0000080;
		return;
	case BAD_INDEX_APIC_BASE:
		last->index = 0x1b;
		last->data = 0xfee00900;
		return;
	case BAD_INDEX_FS_BASE:
		last->index = 0xc0000100;
		return;
	case BAD_LSTAR:
		msr = 0xc0000082, val = 0x0000800000000000ULL;
		break;
	case BAD_CSTAR:
		msr = 0xc0000083, val = 0xff00000000000000ULL;
		break;
	case BAD_KERNEL_GS_BASE:
		msr = 0xc0000102, val = 0x0001000000000000ULL;
		break;
	case BAD_SYSENTER_ESP:
		msr = 0x175, val = 0x8000000000000000ULL;
		break;
	case BAD_SYSENTER_EIP:
		msr = 0x176, val = 0x0000800000001000ULL;
		break;
	case BAD_SYSENTER_CS:
		msr = 0x174, val = 0x10008;
		break;
	case BAD_PAT_TYPE2:
		msr = 0x277, val = 0x0007040600070402ULL;
		break;
	case BAD_PAT_TYPE8:
		msr = 0x277, val = 0x0807040600070406ULL;
		break;
	case BAD_SFMASK:
		msr = 0xc0000084, val = 1ULL << 32;
		break;
	case BAD_TSC_AUX:
		msr = 0xc0000103, val = 0x100000001ULL;
		break;
	default:
		return;
	}
	i = st_pos(msr);
	tmp = e[i];
	e[i] = *last;
	*last = tmp;
	last->data = val;
}

TEST(set_invalid_changes_nothing)
{
	union st_req req;
	struct vcpu *vcpu;
	struct vm *vm;
	int bad;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	set_msrs(vcpu, st_vals_b);
	/* The valid request succeeds. */
	build_req(&req, st_vals_a);
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_SET_MSRS, &req));
	expect_msrs(vcpu, st_vals_a);
	set_msrs(vcpu, st_vals_b);

	for (bad = 0; bad < BAD_COUNT; bad++) {
		build_req(&req, st_vals_a);
		corrupt(&req, bad);
		EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_MSRS,
						&req)) {
			TH_LOG("corruption %d", bad);
		}
		expect_msrs(vcpu, st_vals_b);
	}
	vm_destroy(vm);
}

TEST(set_invalid_tsc_unchanged)
{
	union st_req req;
	struct vcpu *vcpu;
	struct vm *vm;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_tsc, &vcpu);
	/* A TSC entry before a bad one must not move the guest TSC. */
	build_req(&req, st_vals_a);
	req.hdr.entries[0].index = ST_MSR_TSC;
	req.hdr.entries[0].data = 1ULL << 62;
	corrupt(&req, BAD_TSC_AUX);
	EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_SET_MSRS, &req));
	EXPECT_GT(1ULL << 62, get_tsc(vcpu));
	vm_destroy(vm);
}

TEST(get_invalid)
{
	struct vgen_msr_entry e[ST_NMSRS + 1];
	union st_req req, copy;
	struct vcpu *vcpu;
	struct vm *vm;
	int bad, i;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	set_msrs(vcpu, st_vals_b);
	build_req(&req, NULL);
	ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_GET_MSRS, &req));
	for (i = 0; i < ST_NMSRS; i++)
		EXPECT_EQ(st_vals_b[i], req.hdr.entries[i].data);

	/* Header and index errors; the entries are not written. */
	for (bad = BAD_FLAGS; bad <= BAD_INDEX_FS_BASE; bad++) {
		build_req(&req, st_vals_a);
		corrupt(&req, bad);
		copy = req;
		EXPECT_EQ(-EINVAL, __vgen_ioctl(vcpu->fd, VGEN_GET_MSRS,
						&req)) {
			TH_LOG("corruption %d", bad);
		}
		EXPECT_EQ(0, memcmp(&copy, &req, sizeof(req)));
	}

	/* libvgen: bad arguments and kernel errors leave @e unchanged. */
	fill_entries(e, st_vals_a);
	e[ST_NMSRS - 1].index = 0x12345;
	EXPECT_EQ(-EINVAL, vgen_processor_get_msrs(vcpu->proc, e, ST_NMSRS));
	for (i = 0; i < ST_NMSRS - 1; i++)
		EXPECT_EQ(st_vals_a[i], e[i].data);
	EXPECT_EQ(-EINVAL, vgen_processor_get_msrs(vcpu->proc, NULL, 1));
	EXPECT_EQ(-EINVAL, vgen_processor_set_msrs(vcpu->proc, NULL, 1));
	EXPECT_EQ(-EINVAL, vgen_processor_get_msrs(vcpu->proc, e,
						   VGEN_MAX_MSR_ENTRIES + 1));
	EXPECT_EQ(-EINVAL, vgen_processor_set_msrs(vcpu->proc, e,
						   VGEN_MAX_MSR_ENTRIES + 1));
	EXPECT_EQ(-EINVAL, vgen_processor_get_msrs(NULL, e, 1));
	expect_msrs(vcpu, st_vals_b);
	vm_destroy(vm);
}

TEST(max_entries)
{
	struct vgen_msr_entry e[VGEN_MAX_MSR_ENTRIES];
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	REQUIRE_MSRS();
	vm = vm_create_with_vcpu(guest_st_msrs, &vcpu);
	memset(e, 0, sizeof(e));
	for (i = 0; i < VGEN_MAX_MSR_ENTRIES; i++) {
		e[i].index = st_msrs[i % ST_NMSRS];
		e[i].data = st_vals_a[i % ST_NMSRS];
	}
	ASSERT_EQ(0, vgen_processor_set_msrs(vcpu->proc, e,
					     VGEN_MAX_MSR_ENTRIES));
	for (i = 0; i < VGEN_MAX_MSR_ENTRIES; i++)
		e[i].data = 0;
	ASSERT_EQ(0, vgen_processor_get_msrs(vcpu->proc, e,
					     VGEN_MAX_MSR_ENTRIES));
	for (i = 0; i < VGEN_MAX_MSR_ENTRIES; i++)
		EXPECT_EQ(st_vals_a[i % ST_NMSRS], e[i].data);
	vm_destroy(vm);
}

/* ------------------------------------------------------------------ */
/* MTRRs */

/* Guest RAM of the MTRR VMs, and the per-case harness timeout (s). */
#define ST_MTRR_RAM_MIB	8
#define ST_MTRR_TIMEOUT	600

static const uint32_t st_mtrrs[ST_NMTRRS] = {
	0x2ff,
	0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
	0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f,
	0x250, 0x258, 0x259,
	0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

/* A valid value for st_mtrrs[i], different for each @seed. */
static uint64_t st_mtrr_val(int i, int seed)
{
	static const uint8_t types[5] = { 0, 1, 4, 5, 6 };
	uint64_t v = 0;
	int b;

	if (i == 0)		/* E, FE, a default type */
		return 0xc00 | types[seed % 5];
	if (i <= 16) {
		int n = (i - 1) / 2;

		if ((i - 1) % 2 == 0)	/* PHYSBASE: base 39:12, type */
			return ((uint64_t)(n + 1 + seed) << 28) |
			       types[(n + seed) % 5];
		/* PHYSMASK: valid, mask up to bit 39 */
		return 0xfff0000000ULL | (seed & 1 ? 0x800 : 0);
	}
	for (b = 0; b < 8; b++)
		v |= (uint64_t)types[(i + b + seed) % 5] << (8 * b);
	return v;
}

static void st_mtrr_set_all(struct vcpu *vcpu, int seed)
{
	struct vgen_msr_entry e[ST_NMTRRS + 1];
	int i, r;

	memset(e, 0, sizeof(e));
	for (i = 0; i < ST_NMTRRS; i++) {
		e[i].index = st_mtrrs[i];
		e[i].data = st_mtrr_val(i, seed);
	}
	/* IA32_MTRRCAP: SET accepts the value GET returns. */
	e[ST_NMTRRS].index = ST_MSR_MTRRCAP;
	e[ST_NMTRRS].data = ST_MTRRCAP;
	r = vgen_processor_set_msrs(vcpu->proc, e, ST_NMTRRS + 1);
	TEST_ASSERT(!r, "set MTRRs: %s", strerror(-r));
}

/* Every MTRR equals st_mtrr_val(i, @seed), or 0 for @seed < 0. */
static void st_mtrr_expect(struct vcpu *vcpu, int seed)
{
	struct vgen_msr_entry e[ST_NMTRRS + 1];
	int i, r;

	memset(e, 0, sizeof(e));
	for (i = 0; i < ST_NMTRRS; i++)
		e[i].index = st_mtrrs[i];
	e[ST_NMTRRS].index = ST_MSR_MTRRCAP;
	r = vgen_processor_get_msrs(vcpu->proc, e, ST_NMTRRS + 1);
	TEST_ASSERT(!r, "get MTRRs: %s", strerror(-r));
	for (i = 0; i < ST_NMTRRS; i++)
		TEST_ASSERT(e[i].data == (seed < 0 ? 0 : st_mtrr_val(i, seed)),
			    "MTRR 0x%x: 0x%llx (seed %d)", st_mtrrs[i],
			    (unsigned long long)e[i].data, seed);
	TEST_ASSERT(e[ST_NMTRRS].data == ST_MTRRCAP, "MTRRCAP 0x%llx",
		    (unsigned long long)e[ST_NMTRRS].data);
}

/* A VP running guest_st_mtrr(), with st_mtrr_index filled in. */
static struct vm *st_mtrr_vm(struct vcpu **vcpu, uint32_t bad_msr,
			     uint64_t bad_val)
{
	/* Small: mtrr_invalid creates one per case (slow on debug). */
	struct vm *vm = vm_create_proto(1, ST_MTRR_RAM_MIB);

	vm_finalize(vm);
	*vcpu = vm_add_vcpu(vm, 0, guest_st_mtrr);
	volatile uint32_t *idx = guest_ptr(vm, st_mtrr_index);
	volatile uint64_t *wr = guest_ptr(vm, st_mtrr_write);
	int i;

	for (i = 0; i < ST_NMTRRS; i++) {
		idx[i] = st_mtrrs[i];
		wr[i] = st_mtrr_val(i, 2);
	}
	*(volatile uint32_t *)guest_ptr(vm, &st_bad_msr) = bad_msr;
	*(volatile uint64_t *)guest_ptr(vm, &st_bad_val) = bad_val;
	return vm;
}

FIXTURE(mtrr) {
	int unused;
};

FIXTURE_SETUP(mtrr)
{
}

FIXTURE_TEARDOWN(mtrr)
{
}

#define REQUIRE_MTRR()	REQUIRE_VGEN_CAP(VGEN_CAP_MTRR)

/*
 * CPUID advertises MTRRs, every MTRR is 0 after creation and after
 * VGEN_RESET_VP, host SET/GET round trips, the guest reads what the host
 * set and the host reads what the guest wrote; both partition kinds.
 */
TEST_F_TIMEOUT(mtrr, round_trip, ST_MTRR_TIMEOUT)
{
	struct vgen_reset rst;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int i, k;

	REQUIRE_MTRR();
	for (k = 0; k < 2; k++) {
		if (k) {
			vm = vm_create_proto_flags(1, ST_MTRR_RAM_MIB,
						   VGEN_PROTO_USER_MODE_APIC);
			vm_finalize(vm);
			vcpu = vm_add_vcpu(vm, 0, guest_st_mtrr);
		} else {
			vm = st_mtrr_vm(&vcpu, 0, 0);
		}
		if (k) {
			for (i = 0; i < ST_NMTRRS; i++) {
				((volatile uint32_t *)guest_ptr(vm, st_mtrr_index))[i] = st_mtrrs[i];
				((volatile uint64_t *)guest_ptr(vm, st_mtrr_write))[i] = st_mtrr_val(i, 2);
			}
		}
		st_mtrr_expect(vcpu, -1);
		st_mtrr_set_all(vcpu, 0);
		st_mtrr_expect(vcpu, 0);
		st_mtrr_set_all(vcpu, 1);
		st_mtrr_expect(vcpu, 1);

		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(1, uc.args[0]);
		EXPECT_TRUE(*(volatile uint64_t *)guest_ptr(vm, &st_cpuid1_edx) &
			    ST_CPUID1_EDX_MTRR);
		EXPECT_EQ(ST_MTRRCAP,
			  *(volatile uint64_t *)guest_ptr(vm, &st_mtrrcap));
		for (i = 0; i < ST_NMTRRS; i++)
			EXPECT_EQ(st_mtrr_val(i, 1),
				  ((volatile uint64_t *)guest_ptr(vm, st_mtrr_read))[i]);
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(2, uc.args[0]);
		st_mtrr_expect(vcpu, 2);

		memset(&rst, 0, sizeof(rst));
		ASSERT_EQ(0, __vgen_ioctl(vcpu->fd, VGEN_RESET_VP, &rst));
		st_mtrr_expect(vcpu, -1);
		vm_destroy(vm);
	}
}

/* Values both VGEN_SET_MSRS and the guest's WRMSR refuse. */
static const struct {
	uint32_t msr;
	uint64_t val;
} st_mtrr_bad[] = {
	{ 0x2ff, 0xc02 },			/* type 2 */
	{ 0x2ff, 0xc07 },			/* type 7 */
	{ 0x2ff, 0x1006 },			/* reserved bit 12 */
	{ 0x2ff, 0x306 },			/* reserved bits 9:8 */
	{ 0x200, 0x3 },				/* type 3 */
	{ 0x202, 0x100006 | (1ULL << 8) },	/* reserved bit 8 */
	{ 0x204, (1ULL << 40) | 6 },		/* base above MAXPHYADDR */
	{ 0x201, 0xfff0000801ULL },		/* reserved bit 0 */
	{ 0x20f, (1ULL << 40) | 0x800 },	/* mask above MAXPHYADDR */
	{ 0x250, 0x0706060606060606ULL },	/* type 7 in byte 7 */
	{ 0x259, 0x0606060606060602ULL },	/* type 2 in byte 0 */
	{ 0x26f, 0x0606066606060606ULL },	/* type 0x66 */
	{ 0xfe, ST_MTRRCAP },			/* read only (guest) */
};

TEST_F_TIMEOUT(mtrr, invalid, ST_MTRR_TIMEOUT)
{
	struct vgen_msr_entry e[2];
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	size_t i;

	REQUIRE_MTRR();
	for (i = 0; i < sizeof(st_mtrr_bad) / sizeof(st_mtrr_bad[0]); i++) {
		vm = st_mtrr_vm(&vcpu, st_mtrr_bad[i].msr, st_mtrr_bad[i].val);
		st_mtrr_set_all(vcpu, 1);
		/* Host: -EINVAL, nothing changes (the valid entry first). */
		memset(e, 0, sizeof(e));
		e[0].index = 0x2ff;
		e[0].data = 0;
		e[1].index = st_mtrr_bad[i].msr;
		e[1].data = st_mtrr_bad[i].val;
		if (st_mtrr_bad[i].msr == ST_MSR_MTRRCAP)
			e[1].data = ST_MTRRCAP | 0x800;	/* SMRR: refused */
		EXPECT_EQ(-EINVAL, vgen_processor_set_msrs(vcpu->proc, e, 2)) {
			TH_LOG("MSR 0x%x value 0x%llx", st_mtrr_bad[i].msr,
			       (unsigned long long)e[1].data);
		}
		st_mtrr_expect(vcpu, 1);
		/* Guest: the same value raises #GP (a triple fault here). */
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(2, uc.args[0]);
		vcpu_run(vcpu);
		EXPECT_EQ(VGEN_EXIT_SHUTDOWN, vcpu->run->exit_reason) {
			TH_LOG("guest WRMSR 0x%x = 0x%llx: %s",
			       st_mtrr_bad[i].msr,
			       (unsigned long long)st_mtrr_bad[i].val,
			       vcpu_exit_str(vcpu));
		}
		vm_destroy(vm);
	}
	/* A valid last write does not #GP: the guest reaches SYNC(3). */
	vm = st_mtrr_vm(&vcpu, 0x26f, 0x0605040100060504ULL);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(3, uc.args[0]);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
