// SPDX-License-Identifier: GPL-2.0
/*
 * vgen ABI tests: every reserved field and unknown flag is rejected, the
 * errno of every documented error path, fd types, state machine, run page
 * mapping, immediate_exit, CPUID table semantics and the creator-mm rule.
 *
 * Every negative check first verifies that the otherwise identical request
 * succeeds, so that the check under test is the one that fires.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "abi_test.h"

#define PAGE 4096UL

/* The uapi layouts are ABI (the module checks the same sizes). */
_Static_assert(sizeof(struct vgen_partition_config) == 56, "layout");
_Static_assert(sizeof(struct vgen_memory_region) == 48, "layout");
_Static_assert(sizeof(struct vgen_cpuid_entry) == 64, "layout");
_Static_assert(sizeof(struct vgen_cpuid) == 16, "layout");
_Static_assert(sizeof(struct vgen_create_vp) == 32, "layout");
_Static_assert(sizeof(struct vgen_yield) == 32, "layout");
_Static_assert(sizeof(struct vgen_regs) == 184, "layout");
_Static_assert(sizeof(struct vgen_sregs) == 288, "layout");
_Static_assert(sizeof(struct vgen_run) == 288, "layout");
_Static_assert(sizeof(struct vgen_msi) == 48, "layout");
_Static_assert(sizeof(struct vgen_irq_route) == 48, "layout");
_Static_assert(sizeof(struct vgen_irq) == 32, "layout");
_Static_assert(sizeof(struct vgen_lint) == 32, "layout");
_Static_assert(sizeof(struct vgen_lapic_state) == 1088, "layout");
_Static_assert(sizeof(struct vgen_reset) == 32, "layout");
_Static_assert(sizeof(struct vgen_irqfd) == 48, "layout");
_Static_assert(sizeof(struct vgen_ioeventfd) == 48, "layout");
_Static_assert(sizeof(struct vgen_vp_events) == 64, "layout");
_Static_assert(sizeof(struct vgen_guest_debug) == 80, "layout");
_Static_assert(offsetof(struct vgen_guest_debug, control) == 40, "layout");
_Static_assert(sizeof(struct vgen_debugregs) == 96, "layout");
_Static_assert(offsetof(struct vgen_debugregs, flags) == 48, "layout");
_Static_assert(offsetof(struct vgen_run, debug.breakpoint) == 52, "layout");

static int open_dev_or_skip(struct __test_metadata *_metadata)
{
	int fd = vgen_open_dev();

	if (fd == -ENOENT)
		SKIP(return -1, "/dev/vgen not present (module not loaded)");
	ASSERT_LE(0, fd);
	return fd;
}

#define OPEN_DEV(dev)							\
	do {								\
		dev = open_dev_or_skip(_metadata);			\
		if (dev < 0)						\
			return;						\
	} while (0)

static long create_partition(int dev, const struct vgen_partition_config *c)
{
	return __vgen_ioctl(dev, VGEN_CREATE_PARTITION, c);
}

/* A finalized partition with no memory. */
static int new_partition(int dev, uint32_t vps, int finalize)
{
	struct vgen_partition_config cfg = { .vp_count = vps };
	long fd = create_partition(dev, &cfg);

	TEST_ASSERT(fd >= 0, "create partition: %ld", fd);
	if (finalize)
		TEST_ASSERT(__vgen_ioctl_val((int)fd, VGEN_FINALIZE, 0) == 0,
			    "finalize");
	return (int)fd;
}

static long create_vp(int pfd, uint32_t index)
{
	struct vgen_create_vp cv = { .vp_index = index };

	return __vgen_ioctl(pfd, VGEN_CREATE_VP, &cv);
}

TEST(check_cap)
{
	static const uint32_t caps[] = {
		VGEN_CAP_SOFTWARE_VP, VGEN_CAP_MAX_VPS,
		VGEN_CAP_MEMORY_REGIONS, VGEN_CAP_READONLY_MEM,
		VGEN_CAP_CPUID_ENTRIES, VGEN_CAP_IMMEDIATE_EXIT,
		VGEN_CAP_YIELD,
	};
	int dev, pfd, vfd;
	unsigned int i;

	OPEN_DEV(dev);
	EXPECT_EQ(1, __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
				      VGEN_CAP_SOFTWARE_VP));
	EXPECT_LE(1, __vgen_ioctl_val(dev, VGEN_CHECK_CAP, VGEN_CAP_MAX_VPS));
	EXPECT_GE(VGEN_MAX_VPS, __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
						 VGEN_CAP_MAX_VPS));
	EXPECT_EQ(VGEN_MAX_MEMORY_REGIONS,
		  __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
				   VGEN_CAP_MEMORY_REGIONS));
	EXPECT_EQ(VGEN_MAX_CPUID_ENTRIES,
		  __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
				   VGEN_CAP_CPUID_ENTRIES));
	EXPECT_EQ(1, __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
				      VGEN_CAP_IMMEDIATE_EXIT));
	EXPECT_LE(0, __vgen_ioctl_val(dev, VGEN_CHECK_CAP,
				      VGEN_CAP_READONLY_MEM));
	/* Unknown capabilities are 0, not an error. */
	EXPECT_EQ(0, __vgen_ioctl_val(dev, VGEN_CHECK_CAP, 0x7fffffff));
	EXPECT_EQ(1, __vgen_ioctl_val(dev, VGEN_CHECK_CAP, VGEN_CAP_YIELD));
	/* A number far beyond any capability that will be assigned. */
	EXPECT_EQ(0, __vgen_ioctl_val(dev, VGEN_CHECK_CAP, 0x10000));

	/* Same answers on a partition fd. */
	pfd = new_partition(dev, 1, 1);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		EXPECT_EQ(__vgen_ioctl_val(dev, VGEN_CHECK_CAP, caps[i]),
			  __vgen_ioctl_val(pfd, VGEN_CHECK_CAP, caps[i]));
	EXPECT_EQ(0, __vgen_ioctl_val(pfd, VGEN_CHECK_CAP, 0x7fffffff));

	/* Not a VP ioctl. */
	vfd = (int)create_vp(pfd, 0);
	ASSERT_LE(0, vfd);
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(vfd, VGEN_CHECK_CAP,
					    VGEN_CAP_SOFTWARE_VP));
	close(vfd);
	close(pfd);
	close(dev);
}

TEST(run_size)
{
	long size;
	int dev;

	OPEN_DEV(dev);
	size = __vgen_ioctl_val(dev, VGEN_GET_RUN_SIZE, 0);
	EXPECT_LE((long)sizeof(struct vgen_run), size);
	EXPECT_EQ(0, size % PAGE);
	close(dev);
}

TEST(wrong_fd_type)
{
	struct vgen_memory_region mr = { 0 };
	struct vgen_partition_config cfg = { .vp_count = 1 };
	struct vgen_regs regs;
	int dev, pfd, vfd;

	OPEN_DEV(dev);
	/* Partition and VP ioctls on /dev/vgen. */
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(dev, VGEN_FINALIZE, 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(dev, VGEN_SET_MEMORY_REGION, &mr));
	EXPECT_EQ(-ENOTTY, create_vp(dev, 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(dev, VGEN_RUN, 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(dev, VGEN_GET_REGS, &regs));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(dev, VGEN_REQUEST_YIELD, &regs));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(dev, _IO(VGENIO, 0x7f), 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(dev, _IO(0x42, 0x00), 0));

	pfd = new_partition(dev, 1, 1);
	/* /dev/vgen and VP ioctls on a partition fd. */
	EXPECT_EQ(-ENOTTY, create_partition(pfd, &cfg));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(pfd, VGEN_GET_RUN_SIZE, 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(pfd, VGEN_RUN, 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(pfd, VGEN_GET_REGS, &regs));

	vfd = (int)create_vp(pfd, 0);
	ASSERT_LE(0, vfd);
	/* /dev/vgen and partition ioctls on a VP fd. */
	EXPECT_EQ(-ENOTTY, create_partition(vfd, &cfg));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(vfd, VGEN_FINALIZE, 0));
	EXPECT_EQ(-ENOTTY, create_vp(vfd, 0));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl_val(vfd, _IO(VGENIO, 0x8f), 0));
	EXPECT_EQ(0, __vgen_ioctl(vfd, VGEN_GET_REGS, &regs));
	close(vfd);
	close(pfd);
	close(dev);
}

TEST(create_partition_config)
{
	struct vgen_partition_config cfg, base = { .vp_count = 2 };
	uint32_t ids[2] = { 5, 9 };
	unsigned int i;
	long fd, maxvps;
	int dev;

	OPEN_DEV(dev);
	maxvps = __vgen_ioctl_val(dev, VGEN_CHECK_CAP, VGEN_CAP_MAX_VPS);

	fd = create_partition(dev, &base);
	ASSERT_LE(0, fd);
	EXPECT_NE(-1, fcntl((int)fd, F_GETFD));
	EXPECT_TRUE(fcntl((int)fd, F_GETFD) & FD_CLOEXEC);
	close((int)fd);

	/* Valid variants. */
	cfg = base;
	cfg.flags = VGEN_PARTITION_USER_MODE_APIC;
	fd = create_partition(dev, &cfg);
	EXPECT_LE(0, fd);
	close((int)fd);
	cfg = base;
	cfg.backend = VGEN_BACKEND_SOFTWARE;
	fd = create_partition(dev, &cfg);
	EXPECT_LE(0, fd);
	close((int)fd);
	cfg = base;
	cfg.apic_ids = (uintptr_t)ids;
	fd = create_partition(dev, &cfg);
	EXPECT_LE(0, fd);
	close((int)fd);
	cfg = base;
	cfg.vp_count = (uint32_t)maxvps;
	fd = create_partition(dev, &cfg);
	EXPECT_LE(0, fd);
	close((int)fd);

	/* Unknown flags. */
	for (i = 0; i < 32; i++) {
		if ((1U << i) & VGEN_PARTITION_VALID_FLAGS)
			continue;
		cfg = base;
		cfg.flags = 1U << i;
		EXPECT_EQ(-EINVAL, create_partition(dev, &cfg)) {
			TH_LOG("flag bit %u", i);
		}
	}
	/* Reserved fields. */
	for (i = 0; i < 4; i++) {
		cfg = base;
		cfg.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, create_partition(dev, &cfg)) {
			TH_LOG("reserved[%u]", i);
		}
	}
	/* VP count. */
	cfg = base;
	cfg.vp_count = 0;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	cfg.vp_count = (uint32_t)maxvps + 1;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	cfg.vp_count = 0xffffffff;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	/* Isolation. */
	for (i = VGEN_ISOLATION_VBS; i <= VGEN_ISOLATION_TDX; i++) {
		cfg = base;
		cfg.isolation = i;
		EXPECT_EQ(-EOPNOTSUPP, create_partition(dev, &cfg));
	}
	cfg = base;
	cfg.isolation = 77;
	fd = create_partition(dev, &cfg);
	EXPECT_TRUE(fd == -EINVAL || fd == -EOPNOTSUPP) {
		TH_LOG("unknown isolation: %ld", fd);
	}
	/* Backend. */
	cfg = base;
	cfg.backend = 2;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	/* APIC IDs. */
	cfg = base;
	ids[0] = ids[1] = 3;
	cfg.apic_ids = (uintptr_t)ids;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	ids[0] = 0xffffffff;
	ids[1] = 1;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	ids[0] = 1;
	ids[1] = 0xffffffff;
	EXPECT_EQ(-EINVAL, create_partition(dev, &cfg));
	cfg.apic_ids = 8;	/* unmapped user address */
	EXPECT_EQ(-EFAULT, create_partition(dev, &cfg));
	/* Bad config pointer. */
	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(dev, VGEN_CREATE_PARTITION, 8));
	close(dev);
}

struct region_env {
	int dev, pfd;
	void *mem;		/* 16 pages, read-write */
	void *ro;		/* 4 pages, read-only */
};

static void region_env_init(struct region_env *e)
{
	e->pfd = new_partition(e->dev, 1, 0);
	e->mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->ro = mmap(NULL, 4 * PAGE, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(e->mem != MAP_FAILED && e->ro != MAP_FAILED, "mmap");
}

static long set_region(int pfd, const struct vgen_memory_region *r)
{
	return __vgen_ioctl(pfd, VGEN_SET_MEMORY_REGION, r);
}

TEST(memory_region)
{
	struct vgen_memory_region r, base;
	struct region_env e;
	unsigned int i;
	long ro_cap;

	OPEN_DEV(e.dev);
	region_env_init(&e);
	ro_cap = __vgen_ioctl_val(e.dev, VGEN_CHECK_CAP,
				  VGEN_CAP_READONLY_MEM);

	memset(&base, 0, sizeof(base));
	base.slot = 1;
	base.guest_phys_addr = 0x100000;
	base.size = 4 * PAGE;
	base.userspace_addr = (uintptr_t)e.mem;
	ASSERT_EQ(0, set_region(e.pfd, &base));
	/* Replacing a slot in use is allowed. */
	ASSERT_EQ(0, set_region(e.pfd, &base));

	/* Unknown flags. */
	for (i = 0; i < 32; i++) {
		if ((1U << i) & VGEN_MEM_VALID_FLAGS)
			continue;
		r = base;
		r.flags = 1U << i;
		EXPECT_EQ(-EINVAL, set_region(e.pfd, &r)) {
			TH_LOG("flag bit %u", i);
		}
	}
	for (i = 0; i < 2; i++) {
		r = base;
		r.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, set_region(e.pfd, &r)) {
			TH_LOG("reserved[%u]", i);
		}
	}
	/* Slot out of range. */
	r = base;
	r.slot = VGEN_MAX_MEMORY_REGIONS;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	r.slot = 0xffffffff;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	/* Misaligned. */
	r = base;
	r.guest_phys_addr += 0x800;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	r = base;
	r.size += 0x10;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	r = base;
	r.userspace_addr += 0x100;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	/* Wrapping and beyond the physical address width. */
	r = base;
	r.slot = 2;
	r.guest_phys_addr = 0xfffffffffffff000ULL;
	r.size = 2 * PAGE;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	r.guest_phys_addr = 1ULL << 60;
	EXPECT_EQ(-EINVAL, set_region(e.pfd, &r));
	/* Overlaps slot 1 from another slot: every kind of overlap. */
	r = base;
	r.slot = 2;
	EXPECT_EQ(-EEXIST, set_region(e.pfd, &r));
	r.guest_phys_addr = base.guest_phys_addr - PAGE;
	r.size = 2 * PAGE;
	EXPECT_EQ(-EEXIST, set_region(e.pfd, &r));
	r.guest_phys_addr = base.guest_phys_addr + 3 * PAGE;
	EXPECT_EQ(-EEXIST, set_region(e.pfd, &r));
	r.guest_phys_addr = base.guest_phys_addr + PAGE;
	r.size = PAGE;
	EXPECT_EQ(-EEXIST, set_region(e.pfd, &r));
	r.guest_phys_addr = base.guest_phys_addr - PAGE;
	r.size = 8 * PAGE;
	EXPECT_EQ(-EEXIST, set_region(e.pfd, &r));
	/* Adjacent is fine. */
	r.guest_phys_addr = base.guest_phys_addr + 4 * PAGE;
	r.size = 4 * PAGE;
	r.userspace_addr = (uintptr_t)e.mem + 4 * PAGE;
	EXPECT_EQ(0, set_region(e.pfd, &r));
	/* Unpinnable memory. */
	r = base;
	r.slot = 3;
	r.guest_phys_addr = 0x200000;
	r.userspace_addr = 0x1000;	/* never mapped */
	EXPECT_EQ(-EFAULT, set_region(e.pfd, &r));
	r.userspace_addr = (uintptr_t)e.ro;	/* writable on read-only */
	EXPECT_EQ(-EFAULT, set_region(e.pfd, &r));
	if (ro_cap > 0) {
		r.flags = VGEN_MEM_READONLY;
		EXPECT_EQ(0, set_region(e.pfd, &r));
	}
	/* Delete. */
	r = base;
	r.slot = 7;
	r.size = 0;
	EXPECT_EQ(-ENOENT, set_region(e.pfd, &r));
	r.slot = 1;
	EXPECT_EQ(0, set_region(e.pfd, &r));
	EXPECT_EQ(-ENOENT, set_region(e.pfd, &r));
	/* The range is free again. */
	EXPECT_EQ(0, set_region(e.pfd, &base));

	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(e.pfd, VGEN_SET_MEMORY_REGION, 8));
	close(e.pfd);
	close(e.dev);
}

static struct vgen_cpuid *cpuid_alloc(uint32_t n)
{
	struct vgen_cpuid *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

	TEST_ASSERT(c, "calloc");
	c->nent = n;
	return c;
}

static const struct vgen_cpuid_entry *cpuid_find(const struct vgen_cpuid *c,
						 uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		const struct vgen_cpuid_entry *e = &c->entries[i];

		if (e->function == fn &&
		    (!(e->flags & VGEN_CPUID_SIGNIFICANT_INDEX) ||
		     e->index == idx))
			return e;
	}
	return NULL;
}

static struct vgen_cpuid *cpuid_get(int pfd)
{
	struct vgen_cpuid *c = cpuid_alloc(VGEN_MAX_CPUID_ENTRIES);

	TEST_ASSERT(__vgen_ioctl(pfd, VGEN_GET_CPUID, c) == 0, "GET_CPUID");
	return c;
}

TEST(get_cpuid)
{
	const struct vgen_cpuid_entry *e;
	struct vgen_cpuid *c;
	uint32_t need, i, j;
	char vendor[13];
	int dev, pfd;

	OPEN_DEV(dev);
	pfd = new_partition(dev, 1, 0);

	c = cpuid_alloc(0);
	EXPECT_EQ(-E2BIG, __vgen_ioctl(pfd, VGEN_GET_CPUID, c));
	need = c->nent;
	EXPECT_LT(0, need);
	EXPECT_GE(VGEN_MAX_CPUID_ENTRIES, need);
	free(c);

	c = cpuid_alloc(need - 1);
	EXPECT_EQ(-E2BIG, __vgen_ioctl(pfd, VGEN_GET_CPUID, c));
	EXPECT_EQ(need, c->nent);
	free(c);

	c = cpuid_alloc(need);
	ASSERT_EQ(0, __vgen_ioctl(pfd, VGEN_GET_CPUID, c));
	EXPECT_EQ(need, c->nent);
	for (i = 0; i < c->nent; i++) {
		EXPECT_EQ(0, c->entries[i].flags &
			  ~VGEN_CPUID_ENTRY_VALID_FLAGS);
		for (j = 0; j < 4; j++)
			EXPECT_EQ(0xffffffffu, c->entries[i].mask[j]);
	}
	e = cpuid_find(c, 0, 0);
	ASSERT_NE(NULL, e);
	memcpy(vendor, &e->result[1], 4);
	memcpy(vendor + 4, &e->result[3], 4);
	memcpy(vendor + 8, &e->result[2], 4);
	vendor[12] = 0;
	EXPECT_STREQ("VgenVgenVgen", vendor);
	free(c);

	/* Table flags and reserved field. */
	c = cpuid_alloc(VGEN_MAX_CPUID_ENTRIES);
	c->flags = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_GET_CPUID, c));
	c->flags = 0;
	c->reserved = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_GET_CPUID, c));
	free(c);
	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(pfd, VGEN_GET_CPUID, 8));

	/* Still readable after finalize. */
	ASSERT_EQ(0, __vgen_ioctl_val(pfd, VGEN_FINALIZE, 0));
	c = cpuid_get(pfd);
	EXPECT_EQ(need, c->nent);
	free(c);
	close(pfd);
	close(dev);
}

static struct vgen_cpuid *one_leaf(uint32_t fn, uint32_t r0, uint32_t m0)
{
	struct vgen_cpuid *c = cpuid_alloc(1);
	unsigned int j;

	c->entries[0].function = fn;
	for (j = 0; j < 4; j++) {
		c->entries[0].result[j] = r0 + j;
		c->entries[0].mask[j] = m0;
	}
	return c;
}

TEST(set_cpuid)
{
	const struct vgen_cpuid_entry *e;
	struct vgen_cpuid *c, *t;
	unsigned int i;
	long r;
	int dev, pfd;

	OPEN_DEV(dev);
	pfd = new_partition(dev, 1, 0);

	c = one_leaf(ABI_TEST_LEAF, 0x100, 0xffffffff);
	ASSERT_EQ(0, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));

	/* Reserved fields and flags, each on an otherwise valid request. */
	c->flags = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	c->flags = 0;
	c->reserved = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	c->reserved = 0;
	for (i = 0; i < 32; i++) {
		if ((1U << i) & VGEN_CPUID_ENTRY_VALID_FLAGS)
			continue;
		c->entries[0].flags = 1U << i;
		EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_SET_CPUID, c)) {
			TH_LOG("entry flag bit %u", i);
		}
	}
	c->entries[0].flags = 0;
	c->entries[0].reserved0 = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	c->entries[0].reserved0 = 0;
	for (i = 0; i < 4; i++) {
		c->entries[0].reserved[i] = 1;
		EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_SET_CPUID, c)) {
			TH_LOG("entry reserved[%u]", i);
		}
		c->entries[0].reserved[i] = 0;
	}
	ASSERT_EQ(0, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	free(c);

	/* Mask rule: (old & ~mask) | (new & mask). */
	c = one_leaf(ABI_TEST_LEAF, 0xabcd0000, 0x0000ff00);
	ASSERT_EQ(0, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	free(c);
	t = cpuid_get(pfd);
	e = cpuid_find(t, ABI_TEST_LEAF, 0);
	ASSERT_NE(NULL, e);
	for (i = 0; i < 4; i++) {
		uint32_t old = 0x100 + i, nw = 0xabcd0000 + i;

		EXPECT_EQ((old & ~0xff00u) | (nw & 0xff00u), e->result[i]);
		EXPECT_EQ(0xffffffffu, e->mask[i]);
	}
	free(t);

	/* A significant index: two subleaves of one function. */
	c = cpuid_alloc(2);
	for (i = 0; i < 2; i++) {
		c->entries[i].function = ABI_TEST_LEAF_IDX;
		c->entries[i].index = i + 1;
		c->entries[i].flags = VGEN_CPUID_SIGNIFICANT_INDEX;
		memset(c->entries[i].mask, 0xff, sizeof(c->entries[i].mask));
		c->entries[i].result[0] = 0x1000 * (i + 1);
	}
	ASSERT_EQ(0, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	free(c);
	t = cpuid_get(pfd);
	e = cpuid_find(t, ABI_TEST_LEAF_IDX, 1);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0x1000u, e->result[0]);
	e = cpuid_find(t, ABI_TEST_LEAF_IDX, 2);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0x2000u, e->result[0]);
	free(t);

	/* Too many entries. */
	c = cpuid_alloc(VGEN_MAX_CPUID_ENTRIES + 1);
	for (i = 0; i < c->nent; i++)
		c->entries[i].function = 0x40001000 + i;
	r = __vgen_ioctl(pfd, VGEN_SET_CPUID, c);
	EXPECT_TRUE(r == -E2BIG || r == -EINVAL) {
		TH_LOG("nent > max: %ld", r);
	}
	/* A valid size whose new leaves would overflow the table. */
	c->nent = VGEN_MAX_CPUID_ENTRIES;
	EXPECT_EQ(-E2BIG, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	free(c);
	/* Nothing of the failed calls was applied. */
	t = cpuid_get(pfd);
	EXPECT_EQ(NULL, cpuid_find(t, 0x40001000, 0));
	free(t);

	/* Frozen after finalize. */
	ASSERT_EQ(0, __vgen_ioctl_val(pfd, VGEN_FINALIZE, 0));
	c = one_leaf(ABI_TEST_LEAF, 0, 0xffffffff);
	EXPECT_EQ(-EBUSY, __vgen_ioctl(pfd, VGEN_SET_CPUID, c));
	free(c);
	close(pfd);
	close(dev);
}

/* SET_CPUID results seen by the guest's CPUID instruction. */
TEST(cpuid_in_guest)
{
	struct vgen_cpuid_leaf l[3];
	uint32_t expect[16], i;
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	int dev;

	OPEN_DEV(dev);
	close(dev);
	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	memset(l, 0, sizeof(l));
	l[0].function = ABI_TEST_LEAF;
	l[0].index = VGEN_CPUID_INDEX_ANY;
	l[1].function = l[2].function = ABI_TEST_LEAF_IDX;
	l[1].index = 1;
	l[2].index = 2;
	for (i = 0; i < 4; i++) {
		l[0].result[i] = 0x11110000 + i;
		l[1].result[i] = 0x22220000 + i;
		l[2].result[i] = 0x33330000 + i;
		l[0].mask[i] = l[1].mask[i] = l[2].mask[i] = 0xffffffff;
	}
	ASSERT_EQ(0, vgen_proto_set_cpuid(vm->proto, l, 3));
	/* Leaf 0 as the table says; then the three leaves set above. */
	ASSERT_EQ(0, vgen_proto_cpuid(vm->proto, 0, 0, expect));
	for (i = 0; i < 4; i++) {
		expect[4 + i] = l[0].result[i];
		expect[8 + i] = l[1].result[i];
		expect[12 + i] = l[2].result[i];
	}
	vm_finalize(vm);
	vcpu = vm_add_vcpu(vm, 0, abi_guest_cpuid);
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(i, uc.args[0]);
		EXPECT_EQ(expect[i], uc.args[1]) {
			TH_LOG("cpuid value %u", i);
		}
	}
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(state_machine)
{
	int dev, pfd;

	OPEN_DEV(dev);
	pfd = new_partition(dev, 2, 0);
	/* VP before finalize. */
	EXPECT_EQ(-EBUSY, create_vp(pfd, 0));
	/* FINALIZE's argument must be 0. */
	EXPECT_EQ(-EINVAL, __vgen_ioctl_val(pfd, VGEN_FINALIZE, 1));
	ASSERT_EQ(0, __vgen_ioctl_val(pfd, VGEN_FINALIZE, 0));
	EXPECT_EQ(-EBUSY, __vgen_ioctl_val(pfd, VGEN_FINALIZE, 0));
	close(pfd);
	close(dev);
}

TEST(create_vp_args)
{
	struct vgen_create_vp cv;
	int dev, pfd;
	long fd0, fd1;
	unsigned int i;

	OPEN_DEV(dev);
	pfd = new_partition(dev, 2, 1);

	/* Flags and reserved on VP 1, then VP 1 validly. */
	memset(&cv, 0, sizeof(cv));
	cv.vp_index = 1;
	for (i = 0; i < 32; i++) {
		cv.flags = 1U << i;
		EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_CREATE_VP, &cv));
	}
	cv.flags = 0;
	for (i = 0; i < 3; i++) {
		cv.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, __vgen_ioctl(pfd, VGEN_CREATE_VP, &cv));
		cv.reserved[i] = 0;
	}
	EXPECT_EQ(-EINVAL, create_vp(pfd, 2));
	EXPECT_EQ(-EINVAL, create_vp(pfd, 0xffffffff));
	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(pfd, VGEN_CREATE_VP, 8));

	fd1 = __vgen_ioctl(pfd, VGEN_CREATE_VP, &cv);
	ASSERT_LE(0, fd1);
	EXPECT_TRUE(fcntl((int)fd1, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-EEXIST, create_vp(pfd, 1));
	fd0 = create_vp(pfd, 0);
	ASSERT_LE(0, fd0);
	EXPECT_EQ(-EEXIST, create_vp(pfd, 0));
	close((int)fd0);
	close((int)fd1);
	close(pfd);
	close(dev);
}

TEST(run_page_mmap)
{
	long size;
	int dev, pfd, vfd;
	void *p;

	OPEN_DEV(dev);
	size = __vgen_ioctl_val(dev, VGEN_GET_RUN_SIZE, 0);
	pfd = new_partition(dev, 1, 1);
	vfd = (int)create_vp(pfd, 0);
	ASSERT_LE(0, vfd);

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, size);
	/* Offset != 0. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	/* Longer than the run page. */
	p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vfd,
		 0);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, size + PAGE);
	/* Not mappable from the partition or the device fd. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, size);
	close(vfd);
	close(pfd);
	close(dev);
}

TEST(run_page_input)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	int dev;

	OPEN_DEV(dev);
	close(dev);
	vm = vm_create_with_vcpu(abi_guest_done, &vcpu);

	vcpu->run->flags = 1;
	EXPECT_EQ(-EINVAL, __vcpu_run(vcpu));
	vcpu->run->flags = 0x80000000;
	EXPECT_EQ(-EINVAL, __vcpu_run(vcpu));
	vcpu->run->flags = 0;
	vcpu->run->reserved_in = 1;
	EXPECT_EQ(-EINVAL, __vcpu_run(vcpu));
	vcpu->run->reserved_in = 0;

	/* immediate_exit: -EINTR / VGEN_EXIT_INTR without running. */
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, __vcpu_run(vcpu));
	EXPECT_EQ(VGEN_EXIT_INTR, vcpu->run->exit_reason);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ((uintptr_t)abi_guest_done, regs.rip);
	EXPECT_EQ(-EINTR, __vcpu_run(vcpu));
	vcpu->run->immediate_exit = 0;
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(regs)
{
	struct vgen_regs regs, r2;
	struct vcpu *vcpu;
	unsigned int i;
	struct vm *vm;
	int dev;

	OPEN_DEV(dev);
	close(dev);
	vm = vm_create_with_vcpu(abi_guest_done, &vcpu);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ((uintptr_t)abi_guest_done, regs.rip);
	EXPECT_EQ(2u, regs.rflags);
	EXPECT_EQ(0u, regs.gpr[VGEN_REG_RDI]);
	EXPECT_EQ(1u, regs.gpr[VGEN_REG_RSI]);
	EXPECT_EQ(0u, regs.flags);

	/* Round trip with distinct values. */
	for (i = 0; i < 16; i++)
		regs.gpr[i] = 0x0101010101010101ULL * (i + 1);
	regs.rflags = 0x2 | 0x1 | 0x40 | 0x800;	/* CF ZF OF */
	vcpu_regs_set(vcpu, &regs);
	vcpu_regs_get(vcpu, &r2);
	EXPECT_EQ(0, memcmp(&regs, &r2, sizeof(regs)));
	/* Bit 1 always reads as one. */
	regs.rflags = 0;
	vcpu_regs_set(vcpu, &regs);
	vcpu_regs_get(vcpu, &r2);
	EXPECT_EQ(2u, r2.rflags);

	regs.flags = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
	regs.flags = 0;
	regs.reserved0 = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
	regs.reserved0 = 0;
	for (i = 0; i < 4; i++) {
		regs.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
		regs.reserved[i] = 0;
	}
	/* Reserved RFLAGS bits 3, 5, 15, 22..63. */
	regs.rflags = 2 | (1 << 3);
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
	regs.rflags = 2 | (1 << 5);
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
	regs.rflags = 2 | (1 << 15);
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
	regs.rflags = 2 | (1ULL << 40);
	EXPECT_EQ(-EINVAL, vgen_processor_set_regs(vcpu->proc, &regs));
	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(vcpu->fd, VGEN_SET_REGS, 8));
	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(vcpu->fd, VGEN_GET_REGS, 8));

	/* The guest still runs from the contract state. */
	vcpu_regs_get(vcpu, &regs);
	regs.rip = (uintptr_t)abi_guest_done;
	regs.rflags = 2;
	regs.gpr[VGEN_REG_RSP] = vm->ram_size - 8;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(sregs)
{
	struct vgen_sregs s, good, s2;
	struct vcpu *vcpu;
	unsigned int i;
	struct vm *vm;
	int dev;

	OPEN_DEV(dev);
	close(dev);
	vm = vm_create_with_vcpu(abi_guest_done, &vcpu);
	vcpu_sregs_get(vcpu, &good);
	EXPECT_EQ(0x80010011u, good.cr0);
	EXPECT_EQ(0x20u, good.cr4);
	EXPECT_EQ(0xd00u, good.efer);
	EXPECT_EQ(0xa09bu, good.cs.attributes);
	EXPECT_EQ(VGEN_SEL_CODE, good.cs.selector);

	/* Round trip. */
	s = good;
	s.cr2 = 0x123456789000ULL;
	s.fs.base = 0x7000;
	s.gs.base = 0xffff800000000000ULL;
	vcpu_sregs_set(vcpu, &s);
	vcpu_sregs_get(vcpu, &s2);
	EXPECT_EQ(s.cr2, s2.cr2);
	EXPECT_EQ(s.fs.base, s2.fs.base);
	EXPECT_EQ(s.gs.base, s2.gs.base);
	EXPECT_EQ(s.cr0, s2.cr0);
	EXPECT_EQ(s.cr3, s2.cr3);
	EXPECT_EQ(s.efer, s2.efer);
	EXPECT_EQ(s.gdt.base, s2.gdt.base);
	EXPECT_EQ(s.gdt.limit, s2.gdt.limit);
	EXPECT_EQ(s.tr.base, s2.tr.base);

	s = good;
	s.flags = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	s = good;
	s.reserved0 = 1;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	for (i = 0; i < 8; i++) {
		s = good;
		s.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s)) {
			TH_LOG("reserved[%u]", i);
		}
	}
	/* Reserved CR0 / CR4 / EFER bits. */
	s = good;
	s.cr0 |= 1ULL << 40;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	s = good;
	s.cr4 |= 1ULL << 40;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	s = good;
	s.efer |= 1ULL << 2;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	/* PG without PE. */
	s = good;
	s.cr0 &= ~1ULL;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	/* LME with PG but without PAE. */
	s = good;
	s.cr4 &= ~0x20ULL;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	/* LMA != LME && PG. */
	s = good;
	s.efer &= ~0x400ULL;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	s = good;
	s.efer &= ~0x100ULL;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	/* L and D/B both set. */
	s = good;
	s.cs.attributes |= VGEN_SEG_ATTR_DB;
	EXPECT_EQ(-EINVAL, vgen_processor_set_sregs(vcpu->proc, &s));
	EXPECT_EQ(-EFAULT, __vgen_ioctl_val(vcpu->fd, VGEN_SET_SREGS, 8));

	/* Nothing of that was applied. */
	vcpu_sregs_set(vcpu, &good);
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

/* Every partition and VP ioctl from another process fails with -EIO. */
TEST(other_mm)
{
	struct vgen_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	int dev, status;
	pid_t pid;

	OPEN_DEV(dev);
	vm = vm_create_with_vcpu(abi_guest_done, &vcpu);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (__vgen_ioctl_val(vm->fd, VGEN_CHECK_CAP, 0) != -EIO)
			bad |= 1;
		if (create_vp(vm->fd, 0) != -EIO)
			bad |= 2;
		if (__vgen_ioctl(vcpu->fd, VGEN_GET_REGS, &regs) != -EIO)
			bad |= 4;
		if (__vgen_ioctl_val(vcpu->fd, VGEN_RUN, 0) != -EIO)
			bad |= 8;
		if (__vgen_ioctl_val(vm->fd, VGEN_FINALIZE, 0) != -EIO)
			bad |= 16;
		/* /dev/vgen itself is usable by anyone. */
		if (__vgen_ioctl_val(dev, VGEN_CHECK_CAP, 0) != 1)
			bad |= 32;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The creator is unaffected. */
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
	close(dev);
}

/* Fds can be closed in any order; the run page outlives its fd. */
TEST(close_order)
{
	struct vgen_regs regs;
	long size;
	int dev, pfd, vfd, round;
	struct vgen_run *run;

	OPEN_DEV(dev);
	size = __vgen_ioctl_val(dev, VGEN_GET_RUN_SIZE, 0);
	for (round = 0; round < 3; round++) {
		pfd = new_partition(dev, 1, 1);
		vfd = (int)create_vp(pfd, 0);
		ASSERT_LE(0, vfd);
		run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   vfd, 0);
		ASSERT_NE(MAP_FAILED, run);
		switch (round) {
		case 0:	/* partition, VP, mapping */
			close(pfd);
			EXPECT_EQ(0, __vgen_ioctl(vfd, VGEN_GET_REGS, &regs));
			close(vfd);
			run->immediate_exit = 1;
			munmap(run, size);
			break;
		case 1:	/* VP, mapping, partition */
			close(vfd);
			run->immediate_exit = 1;
			munmap(run, size);
			EXPECT_EQ(0, __vgen_ioctl_val(pfd, VGEN_CHECK_CAP, 0) - 1);
			close(pfd);
			break;
		default: /* mapping, device, partition, VP */
			munmap(run, size);
			close(dev);
			dev = vgen_open_dev();
			close(pfd);
			EXPECT_EQ(0, __vgen_ioctl(vfd, VGEN_GET_REGS, &regs));
			close(vfd);
			break;
		}
	}
	close(dev);
}

TEST_HARNESS_MAIN
