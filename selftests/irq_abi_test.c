// SPDX-License-Identifier: GPL-2.0
/*
 * ABI tests of the interrupt ioctls (VGEN_CAP_IRQCHIP): VGEN_SIGNAL_MSI,
 * VGEN_SET_IRQ_ROUTE, VGEN_ASSERT_IRQ, VGEN_PULSE_LINT, VGEN_GET_LAPIC and
 * VGEN_SET_LAPIC. Every bad input (flags, each reserved field, malformed
 * MSI address or data, SMI, VTL, line and LINT numbers, VP indices, APIC
 * base values) is checked against a request shown to succeed first; the
 * ioctls fail with -ENXIO on a user-mode-APIC partition and -ENOTTY on the
 * wrong fd type.
 */
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "irq_host.h"

/* A finalized partition without memory: VP 0 created, VP 1 not. */
struct part {
	int dev, fd, vp0;
};

/* @flags: VGEN_PARTITION_*; @x2apic: CPUID.1:ECX.x2APIC set. */
static void part_open_cpuid(struct part *p, uint32_t flags, bool x2apic)
{
	struct vgen_partition_config cfg = { .vp_count = 2, .flags = flags };
	struct vgen_create_vp cv = { .vp_index = 0 };
	long r;

	p->dev = vgen_open_dev();
	TEST_ASSERT(p->dev >= 0, "open /dev/vgen: %d", p->dev);
	r = __vgen_ioctl(p->dev, VGEN_CREATE_PARTITION, &cfg);
	TEST_ASSERT(r >= 0, "create partition: %ld", r);
	p->fd = (int)r;
	if (x2apic)
		raw_cpuid_set_leaf1_ecx(p->fd, CPUID_1_ECX_X2APIC);
	else
		raw_cpuid_clear_leaf1_ecx(p->fd, CPUID_1_ECX_X2APIC);
	r = __vgen_ioctl_val(p->fd, VGEN_FINALIZE, 0);
	TEST_ASSERT(r == 0, "finalize: %ld", r);
	r = __vgen_ioctl(p->fd, VGEN_CREATE_VP, &cv);
	TEST_ASSERT(r >= 0, "create VP: %ld", r);
	p->vp0 = (int)r;
}

static void part_open(struct part *p, uint32_t flags)
{
	part_open_cpuid(p, flags, true);
}

static void part_close(struct part *p)
{
	close(p->vp0);
	close(p->fd);
	close(p->dev);
}

/* ----------------------------------------------------------------- MSI */

static struct vgen_msi good_msi(void)
{
	struct vgen_msi m;

	memset(&m, 0, sizeof(m));
	m.address = VGEN_MSI_ADDR_BASE;		/* APIC ID 0, physical */
	m.data = 0x30;				/* fixed, edge */
	return m;
}

static long msi(int fd, const struct vgen_msi *m)
{
	return __vgen_ioctl(fd, VGEN_SIGNAL_MSI, m);
}

/* Bad MSI addresses and data, shared with VGEN_SET_IRQ_ROUTE. */
static const uint64_t bad_addr[] = {
	0, 0xfed00000ULL, 0xfef00000ULL, 0xffe00000ULL, 0x7ee00000ULL,
	0xfee00000ULL | (1ULL << 32), 0xfee00000ULL | (1ULL << 63),
	0xfee00000ULL | 0xffffffff00000000ULL,
	0xfee00000ULL | (1 << 4), 0xfee00000ULL | (1 << 0),
	0xfee00000ULL | (1 << 1),
};

static const uint32_t bad_data[] = {
	0x30 | (1u << 16), 0x30 | (1u << 31), 0x30 | 0xffff0000u,
	0x30 | (1u << 11), 0x30 | (1u << 12), 0x30 | (1u << 13),
	0x30 | (3u << 8),	/* delivery mode 3 is reserved */
};

TEST(signal_msi_args)
{
	struct vgen_msi m;
	struct part p;
	unsigned int i;

	REQUIRE_IRQCHIP();
	part_open(&p, 0);
	m = good_msi();
	ASSERT_LE(0, msi(p.fd, &m));

	m = good_msi();
	m.flags = 1;
	EXPECT_EQ(-EINVAL, msi(p.fd, &m));
	m.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, msi(p.fd, &m));
	m = good_msi();
	m.reserved0 = 1;
	EXPECT_EQ(-EINVAL, msi(p.fd, &m));
	for (i = 0; i < 3; i++) {
		m = good_msi();
		m.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, msi(p.fd, &m)) {
			TH_LOG("reserved[%u]", i);
		}
		m.reserved[i] = 1ULL << 63;
		EXPECT_EQ(-EINVAL, msi(p.fd, &m));
	}
	m = good_msi();
	m.vtl = 1;
	EXPECT_EQ(-EINVAL, msi(p.fd, &m));
	m.vtl = 0xffffffffu;
	EXPECT_EQ(-EINVAL, msi(p.fd, &m));
	for (i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
		m = good_msi();
		m.address = bad_addr[i];
		EXPECT_EQ(-EINVAL, msi(p.fd, &m)) {
			TH_LOG("address 0x%" PRIx64, bad_addr[i]);
		}
	}
	for (i = 0; i < sizeof(bad_data) / sizeof(bad_data[0]); i++) {
		m = good_msi();
		m.data = bad_data[i];
		EXPECT_EQ(-EINVAL, msi(p.fd, &m)) {
			TH_LOG("data 0x%x", bad_data[i]);
		}
	}
	m = good_msi();
	m.data = 0x30 | (VGEN_MSI_DM_SMI << VGEN_MSI_DATA_DM_SHIFT);
	EXPECT_EQ(-EOPNOTSUPP, msi(p.fd, &m));

	/* Valid variants: every documented address and data bit. */
	m = good_msi();
	m.address |= (0xffULL << VGEN_MSI_ADDR_DEST_SHIFT) |
		     VGEN_MSI_ADDR_RH | VGEN_MSI_ADDR_DM_LOGICAL;
	EXPECT_LE(0, msi(p.fd, &m));
	m = good_msi();
	m.address |= 0x7fULL << VGEN_MSI_ADDR_EXT_DEST_SHIFT;
	EXPECT_LE(0, msi(p.fd, &m));
	m = good_msi();
	m.data |= VGEN_MSI_DATA_LEVEL | VGEN_MSI_DATA_TRIGGER_LEVEL;
	EXPECT_LE(0, msi(p.fd, &m));
	m = good_msi();
	m.data = VGEN_MSI_DM_NMI << VGEN_MSI_DATA_DM_SHIFT;
	EXPECT_LE(0, msi(p.fd, &m));
	m = good_msi();
	m.data = 0x30 | (VGEN_MSI_DM_LOWEST << VGEN_MSI_DATA_DM_SHIFT);
	EXPECT_LE(0, msi(p.fd, &m));

	m = good_msi();
	EXPECT_EQ(-EFAULT, __vgen_ioctl(p.fd, VGEN_SIGNAL_MSI, (void *)8));
	EXPECT_EQ(-ENOTTY, msi(p.vp0, &m));
	EXPECT_EQ(-ENOTTY, msi(p.dev, &m));
	part_close(&p);
}

/* --------------------------------------------------------------- routes */

static struct vgen_irq_route good_route(void)
{
	struct vgen_irq_route r;

	memset(&r, 0, sizeof(r));
	r.irq = 0;
	r.flags = VGEN_IRQ_ROUTE_MSI;
	r.address = VGEN_MSI_ADDR_BASE;
	r.data = 0x30;
	return r;
}

static long route(int fd, const struct vgen_irq_route *r)
{
	return __vgen_ioctl(fd, VGEN_SET_IRQ_ROUTE, r);
}

TEST(set_irq_route_args)
{
	struct vgen_irq_route r;
	struct part p;
	unsigned int i;

	REQUIRE_IRQCHIP();
	part_open(&p, 0);
	r = good_route();
	ASSERT_EQ(0, route(p.fd, &r));
	r.irq = VGEN_IOAPIC_PINS - 1;
	EXPECT_EQ(0, route(p.fd, &r));

	r = good_route();
	r.irq = VGEN_IOAPIC_PINS;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	r.irq = 0xffffffffu;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	r = good_route();
	r.flags = VGEN_IRQ_ROUTE_MSI | 2;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	r.flags = VGEN_IRQ_ROUTE_MSI | 0x80000000u;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	r = good_route();
	r.reserved0 = 1;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	for (i = 0; i < 3; i++) {
		r = good_route();
		r.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, route(p.fd, &r)) {
			TH_LOG("reserved[%u]", i);
		}
	}
	for (i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
		r = good_route();
		r.address = bad_addr[i];
		EXPECT_EQ(-EINVAL, route(p.fd, &r)) {
			TH_LOG("address 0x%" PRIx64, bad_addr[i]);
		}
	}
	for (i = 0; i < sizeof(bad_data) / sizeof(bad_data[0]); i++) {
		r = good_route();
		r.data = bad_data[i];
		EXPECT_EQ(-EINVAL, route(p.fd, &r)) {
			TH_LOG("data 0x%x", bad_data[i]);
		}
	}
	r = good_route();
	r.data = 0x30 | (VGEN_MSI_DM_SMI << VGEN_MSI_DATA_DM_SHIFT);
	EXPECT_EQ(-EOPNOTSUPP, route(p.fd, &r));

	/* Unrouted: address and data must be zero. */
	r = good_route();
	r.flags = 0;
	r.address = 0;
	r.data = 0;
	EXPECT_EQ(0, route(p.fd, &r));
	r.address = VGEN_MSI_ADDR_BASE;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	r.address = 0;
	r.data = 0x30;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));
	r.data = 0;
	r.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, route(p.fd, &r));

	r = good_route();
	EXPECT_EQ(-EFAULT, __vgen_ioctl(p.fd, VGEN_SET_IRQ_ROUTE, (void *)8));
	EXPECT_EQ(-ENOTTY, route(p.vp0, &r));
	EXPECT_EQ(-ENOTTY, route(p.dev, &r));
	part_close(&p);
}

TEST(assert_irq_args)
{
	struct vgen_irq_route rt = good_route();
	struct vgen_irq q;
	struct part p;
	unsigned int i;

	REQUIRE_IRQCHIP();
	part_open(&p, 0);
	memset(&q, 0, sizeof(q));
	/* Unrouted line: nobody accepts it. */
	EXPECT_EQ(0, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	ASSERT_EQ(0, route(p.fd, &rt));
	/* Routed to a software-disabled APIC: still nobody. */
	EXPECT_LE(0, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	q.irq = VGEN_IOAPIC_PINS - 1;
	EXPECT_EQ(0, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));

	q.irq = VGEN_IOAPIC_PINS;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	q.irq = 0xffffffffu;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	q.irq = 0;
	q.flags = 1;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	q.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	q.flags = 0;
	for (i = 0; i < 3; i++) {
		q.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q)) {
			TH_LOG("reserved[%u]", i);
		}
		q.reserved[i] = 0;
	}
	EXPECT_LE(0, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	EXPECT_EQ(-EFAULT, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, (void *)8));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(p.vp0, VGEN_ASSERT_IRQ, &q));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(p.dev, VGEN_ASSERT_IRQ, &q));
	part_close(&p);
}

/* ----------------------------------------------------------------- LINT */

static long lint(int fd, uint32_t vp, uint32_t vtl, uint32_t pin,
		 uint32_t flags, int reserved)
{
	struct vgen_lint l;

	memset(&l, 0, sizeof(l));
	l.vp_index = vp;
	l.vtl = vtl;
	l.lint = pin;
	l.flags = flags;
	if (reserved >= 0)
		l.reserved[reserved] = 1;
	return __vgen_ioctl(fd, VGEN_PULSE_LINT, &l);
}

TEST(pulse_lint_args)
{
	struct part p;
	int i;

	REQUIRE_IRQCHIP();
	part_open(&p, 0);
	/* LVT LINT0/LINT1 are masked after reset: accepted by nobody. */
	EXPECT_EQ(0, lint(p.fd, 0, 0, 0, 0, -1));
	EXPECT_EQ(0, lint(p.fd, 0, 0, 1, 0, -1));

	EXPECT_EQ(-EINVAL, lint(p.fd, 0, 1, 0, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 0, 0xffffffffu, 0, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 0, 0, 2, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 0, 0, 0xffffffffu, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 0, 0, 0, 1, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 0, 0, 0, 0x80000000u, -1));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(-EINVAL, lint(p.fd, 0, 0, 0, 0, i));
	/* VP 1 is in range but not created; 2 is out of range. */
	EXPECT_EQ(-ENOENT, lint(p.fd, 1, 0, 0, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 2, 0, 0, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, VGEN_MAX_VPS, 0, 0, 0, -1));
	EXPECT_EQ(-EINVAL, lint(p.fd, 0xffffffffu, 0, 0, 0, -1));

	EXPECT_EQ(0, lint(p.fd, 0, 0, 1, 0, -1));
	EXPECT_EQ(-EFAULT, __vgen_ioctl(p.fd, VGEN_PULSE_LINT, (void *)8));
	EXPECT_EQ(-ENOTTY, lint(p.vp0, 0, 0, 0, 0, -1));
	EXPECT_EQ(-ENOTTY, lint(p.dev, 0, 0, 0, 0, -1));
	part_close(&p);
}

/* ---------------------------------------------------------------- LAPIC */

TEST(lapic_state_args)
{
	struct vgen_lapic_state good, st;
	struct part p;
	static const uint64_t bad_base[] = {
		1ULL << 0, 1ULL << 7, 1ULL << 9,	/* reserved 7:0, 9 */
		1ULL << 52, 1ULL << 63,			/* above MAXPHYADDR */
	};
	unsigned int i;

	REQUIRE_IRQCHIP();
	part_open(&p, 0);
	ASSERT_EQ(0, get_lapic(p.vp0, &good));
	EXPECT_EQ(0xfee00900ULL, good.apic_base);
	EXPECT_EQ(0, good.flags);
	ASSERT_EQ(0, set_lapic(p.vp0, &good));

	st = good;
	st.flags = 1;
	EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st));
	st.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st));
	st = good;
	st.reserved0 = 1;
	EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st));
	for (i = 0; i < 6; i++) {
		st = good;
		st.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st)) {
			TH_LOG("reserved[%u]", i);
		}
	}
	for (i = 0; i < sizeof(bad_base) / sizeof(bad_base[0]); i++) {
		st = good;
		st.apic_base |= bad_base[i];
		EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st)) {
			TH_LOG("apic_base 0x%llx",
			       (unsigned long long)st.apic_base);
		}
	}
	/* x2APIC enable without the global enable. */
	st = good;
	st.apic_base = (good.apic_base & ~(1ULL << 11)) | (1ULL << 10);
	EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st));
	/* The refused calls changed nothing. */
	ASSERT_EQ(0, get_lapic(p.vp0, &st));
	EXPECT_EQ(good.apic_base, st.apic_base);

	/* Valid: x2APIC mode, then globally disabled. */
	st = good;
	st.apic_base |= 1ULL << 10;
	EXPECT_EQ(0, set_lapic(p.vp0, &st));
	ASSERT_EQ(0, get_lapic(p.vp0, &st));
	EXPECT_EQ(good.apic_base | (1ULL << 10), st.apic_base);
	st = good;
	st.apic_base &= ~(1ULL << 11);
	EXPECT_EQ(0, set_lapic(p.vp0, &st));
	ASSERT_EQ(0, get_lapic(p.vp0, &st));
	EXPECT_EQ(good.apic_base & ~(1ULL << 11), st.apic_base);

	EXPECT_EQ(-EFAULT, __vgen_ioctl(p.vp0, VGEN_GET_LAPIC, (void *)8));
	EXPECT_EQ(-EFAULT, __vgen_ioctl(p.vp0, VGEN_SET_LAPIC, (void *)8));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(p.fd, VGEN_GET_LAPIC, &st));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(p.fd, VGEN_SET_LAPIC, &good));
	EXPECT_EQ(-ENOTTY, __vgen_ioctl(p.dev, VGEN_GET_LAPIC, &st));
	part_close(&p);

	/* Without x2APIC in CPUID, the x2APIC enable bit is reserved. */
	part_open_cpuid(&p, 0, false);
	ASSERT_EQ(0, get_lapic(p.vp0, &good));
	ASSERT_EQ(0, set_lapic(p.vp0, &good));
	st = good;
	st.apic_base |= 1ULL << 10;
	EXPECT_EQ(-EINVAL, set_lapic(p.vp0, &st));
	part_close(&p);
}

/* --------------------------------------------------- user-mode APIC */

TEST(user_mode_apic_enxio)
{
	struct vgen_irq_route r = good_route();
	struct vgen_msi m = good_msi();
	struct vgen_lapic_state st;
	struct vgen_irq q;
	struct part p;

	REQUIRE_IRQCHIP();
	part_open(&p, VGEN_PARTITION_USER_MODE_APIC);
	memset(&q, 0, sizeof(q));
	memset(&st, 0, sizeof(st));
	EXPECT_EQ(-ENXIO, msi(p.fd, &m));
	EXPECT_EQ(-ENXIO, route(p.fd, &r));
	EXPECT_EQ(-ENXIO, __vgen_ioctl(p.fd, VGEN_ASSERT_IRQ, &q));
	EXPECT_EQ(-ENXIO, lint(p.fd, 0, 0, 0, 0, -1));
	EXPECT_EQ(-ENXIO, __vgen_ioctl(p.vp0, VGEN_GET_LAPIC, &st));
	st.apic_base = 0xfee00900ULL;
	EXPECT_EQ(-ENXIO, __vgen_ioctl(p.vp0, VGEN_SET_LAPIC, &st));
	part_close(&p);
}

TEST_HARNESS_MAIN
