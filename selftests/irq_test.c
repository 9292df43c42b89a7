// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel interrupt controller without running guest code: the
 * partition fd's interrupt ioctls (VGEN_SIGNAL_MSI, VGEN_SET_IRQ_ROUTE,
 * VGEN_ASSERT_IRQ, VGEN_PULSE_LINT) and their errors, checked through the
 * local APIC state (VGEN_GET_LAPIC / VGEN_SET_LAPIC): power-on state,
 * physical, broadcast, logical flat/cluster and x2APIC destinations,
 * lowest-priority arbitration, level-triggered TMR, LINT pins, the
 * routing table, the APIC timer, state validation and user-mode-APIC
 * partitions (-ENXIO).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"

#define NR_VPS		4

#define R_ID		0x020
#define R_VER		0x030
#define R_TPR		0x080
#define R_PPR		0x0a0
#define R_LDR		0x0d0
#define R_DFR		0x0e0
#define R_SVR		0x0f0
#define R_TMR		0x180
#define R_IRR		0x200
#define R_LVTT		0x320
#define R_LINT0		0x350
#define R_LINT1		0x360
#define R_LVTERR	0x370
#define R_TMICT		0x380
#define R_TMCCT		0x390
#define R_TDCR		0x3e0

#define MSI(dest)	(0xfee00000ULL | ((uint64_t)(dest) << 12))
#define MSI_LOGICAL	(1ULL << 2)
#define MSI_RH		(1ULL << 3)
#define DM(x)		((uint32_t)(x) << 8)
#define TRIG_LEVEL	(1U << 15)

static int create_partition(uint32_t nr, uint32_t flags, const uint32_t *ids,
			    int x2apic)
{
	struct vgen_partition_config cfg;
	struct {
		struct vgen_cpuid hdr;
		struct vgen_cpuid_entry e[1];
	} cpuid;
	int dev = vgen_open_dev(), fd;

	if (dev < 0)
		return dev;
	memset(&cfg, 0, sizeof(cfg));
	cfg.vp_count = nr;
	cfg.flags = flags;
	cfg.apic_ids = (uintptr_t)ids;
	fd = __vgen_ioctl(dev, VGEN_CREATE_PARTITION, &cfg);
	close(dev);
	TEST_ASSERT(fd >= 0, "create partition: %s", strerror(-fd));
	/* x2APIC and TSC deadline exist only as CPUID advertises them. */
	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.hdr.nent = 1;
	cpuid.e[0].function = 1;
	cpuid.e[0].result[2] = x2apic ? (1U << 21) | (1U << 24) : 0;
	cpuid.e[0].mask[2] = (1U << 21) | (1U << 24);
	vgen_ioctl(fd, VGEN_SET_CPUID, &cpuid);
	TEST_ASSERT(__vgen_ioctl_val(fd, VGEN_FINALIZE, 0) == 0, "finalize");
	return fd;
}

static int create_vp(int part, uint32_t index)
{
	struct vgen_create_vp c;

	memset(&c, 0, sizeof(c));
	c.vp_index = index;
	return vgen_ioctl(part, VGEN_CREATE_VP, &c);
}

static uint32_t reg(const struct vgen_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, &s->regs[off], 4);
	return v;
}

static void set_reg(struct vgen_lapic_state *s, unsigned int off, uint32_t v)
{
	memcpy(&s->regs[off], &v, 4);
}

static int vec_set(const struct vgen_lapic_state *s, unsigned int base,
		   unsigned int vec)
{
	return (reg(s, base + 16 * (vec / 32)) >> (vec % 32)) & 1;
}

static void get_lapic(int vp, struct vgen_lapic_state *s)
{
	vgen_ioctl(vp, VGEN_GET_LAPIC, s);
}

static void set_lapic(int vp, struct vgen_lapic_state *s)
{
	vgen_ioctl(vp, VGEN_SET_LAPIC, s);
}

/* Software-enable the APIC, optionally with LDR/DFR/TPR. */
static void enable_apic(int vp, uint32_t ldr, uint32_t dfr, uint32_t tpr)
{
	struct vgen_lapic_state s;

	get_lapic(vp, &s);
	set_reg(&s, R_SVR, 0x1ff);
	set_reg(&s, R_LDR, ldr);
	set_reg(&s, R_DFR, dfr);
	set_reg(&s, R_TPR, tpr);
	set_lapic(vp, &s);
}

static long msi(int part, uint64_t addr, uint32_t data)
{
	struct vgen_msi m;

	memset(&m, 0, sizeof(m));
	m.address = addr;
	m.data = data;
	return __vgen_ioctl(part, VGEN_SIGNAL_MSI, &m);
}

static int irr_has(int vp, unsigned int vec)
{
	struct vgen_lapic_state s;

	get_lapic(vp, &s);
	return vec_set(&s, R_IRR, vec);
}

FIXTURE(irq) {
	int part;
	int vp[NR_VPS];
};

FIXTURE_SETUP(irq)
{
	struct vgen_msi m;
	int i;

	self->part = create_partition(NR_VPS, 0, NULL, 0);
	for (i = 0; i < NR_VPS; i++)
		self->vp[i] = create_vp(self->part, i);
	memset(&m, 0, sizeof(m));
	if (__vgen_ioctl(self->part, VGEN_SIGNAL_MSI, &m) == -ENOTTY)
		SKIP(return, "no in-kernel interrupt controller");
}

FIXTURE_TEARDOWN(irq)
{
	int i;

	for (i = 0; i < NR_VPS; i++)
		close(self->vp[i]);
	close(self->part);
}

TEST_F(irq, power_on_state)
{
	struct vgen_lapic_state s;
	int i;

	for (i = 0; i < NR_VPS; i++) {
		get_lapic(self->vp[i], &s);
		ASSERT_EQ(s.apic_base, 0xfee00800ULL | (i == 0 ? 0x100 : 0));
		ASSERT_EQ(reg(&s, R_ID), (uint32_t)i << 24);
		ASSERT_EQ(reg(&s, R_VER), 0x00030014U);
		ASSERT_EQ(reg(&s, R_SVR), 0xffU);
		ASSERT_EQ(reg(&s, R_DFR), 0xffffffffU);
		ASSERT_EQ(reg(&s, R_LVTT), 0x10000U);
		ASSERT_EQ(reg(&s, R_LINT0), 0x10000U);
		ASSERT_EQ(reg(&s, R_LINT1), 0x10000U);
		ASSERT_EQ(reg(&s, R_LVTERR), 0x10000U);
		ASSERT_EQ(reg(&s, R_TPR), 0U);
	}
}

TEST_F(irq, msi_errors)
{
	struct vgen_msi m;

	ASSERT_EQ(msi(self->part, 0xfed00000ULL, 0x30), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0) | (1ULL << 32), 0x30), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0) | (1 << 4), 0x30), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0) | 1, 0x30), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0), 0x30 | (1 << 16)), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0), 0x30 | (1 << 11)), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0), 0x30 | DM(3)), -EINVAL);
	ASSERT_EQ(msi(self->part, MSI(0), DM(2)), -EOPNOTSUPP);

	memset(&m, 0, sizeof(m));
	m.address = MSI(0);
	m.data = 0x30;
	m.vtl = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SIGNAL_MSI, &m), -EINVAL);
	m.vtl = 0;
	m.flags = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SIGNAL_MSI, &m), -EINVAL);
	m.flags = 0;
	m.reserved0 = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SIGNAL_MSI, &m), -EINVAL);
	m.reserved0 = 0;
	m.reserved[2] = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SIGNAL_MSI, &m), -EINVAL);
}

TEST_F(irq, fixed_physical)
{
	struct vgen_lapic_state s;

	/* Software-disabled APICs refuse fixed interrupts. */
	ASSERT_EQ(msi(self->part, MSI(1), 0x41), 0);
	enable_apic(self->vp[1], 0, 0xffffffff, 0);
	ASSERT_EQ(msi(self->part, MSI(1), 0x41), 1);
	ASSERT_EQ(msi(self->part, MSI(1), 0x42 | TRIG_LEVEL), 1);
	/* Illegal vector: refused. */
	ASSERT_EQ(msi(self->part, MSI(1), 0x05), 0);
	/* Nobody has APIC ID 9. */
	ASSERT_EQ(msi(self->part, MSI(9), 0x41), 0);

	get_lapic(self->vp[1], &s);
	ASSERT_TRUE(vec_set(&s, R_IRR, 0x41));
	ASSERT_FALSE(vec_set(&s, R_TMR, 0x41));
	ASSERT_TRUE(vec_set(&s, R_IRR, 0x42));
	ASSERT_TRUE(vec_set(&s, R_TMR, 0x42));
	ASSERT_FALSE(vec_set(&s, R_IRR, 0x05));
	ASSERT_FALSE(irr_has(self->vp[0], 0x41));
}

TEST_F(irq, broadcast_and_nmi)
{
	int i;

	for (i = 0; i < NR_VPS; i++)
		enable_apic(self->vp[i], 0, 0xffffffff, 0);
	ASSERT_EQ(msi(self->part, MSI(0xff), 0x51), NR_VPS);
	for (i = 0; i < NR_VPS; i++)
		ASSERT_TRUE(irr_has(self->vp[i], 0x51));
	/* NMI, INIT, SIPI and ExtINT do not need a software-enabled APIC. */
	ASSERT_EQ(msi(self->part, MSI(2), DM(4)), 1);
	ASSERT_EQ(msi(self->part, MSI(0xff), DM(5)), NR_VPS);
	ASSERT_EQ(msi(self->part, MSI(3), DM(6) | 0x10), 1);
	ASSERT_EQ(msi(self->part, MSI(3), DM(7)), 1);
}

TEST_F(irq, logical_flat)
{
	int i;

	for (i = 0; i < NR_VPS; i++)
		enable_apic(self->vp[i], 1U << (24 + i), 0xffffffff, 0);
	ASSERT_EQ(msi(self->part, MSI(0x05) | MSI_LOGICAL, 0x61), 2);
	ASSERT_TRUE(irr_has(self->vp[0], 0x61));
	ASSERT_FALSE(irr_has(self->vp[1], 0x61));
	ASSERT_TRUE(irr_has(self->vp[2], 0x61));
	ASSERT_FALSE(irr_has(self->vp[3], 0x61));
	ASSERT_EQ(msi(self->part, MSI(0xf0) | MSI_LOGICAL, 0x61), 0);
}

TEST_F(irq, logical_cluster)
{
	enable_apic(self->vp[0], 0x11U << 24, 0x0fffffff, 0);
	enable_apic(self->vp[1], 0x12U << 24, 0x0fffffff, 0);
	enable_apic(self->vp[2], 0x21U << 24, 0x0fffffff, 0);
	enable_apic(self->vp[3], 0x24U << 24, 0x0fffffff, 0);
	ASSERT_EQ(msi(self->part, MSI(0x13) | MSI_LOGICAL, 0x62), 2);
	ASSERT_TRUE(irr_has(self->vp[0], 0x62));
	ASSERT_TRUE(irr_has(self->vp[1], 0x62));
	ASSERT_FALSE(irr_has(self->vp[2], 0x62));
	/* Cluster 0xf: every cluster. */
	ASSERT_EQ(msi(self->part, MSI(0xf1) | MSI_LOGICAL, 0x63), 2);
	ASSERT_TRUE(irr_has(self->vp[0], 0x63));
	ASSERT_TRUE(irr_has(self->vp[2], 0x63));
	ASSERT_FALSE(irr_has(self->vp[3], 0x63));
}

TEST_F(irq, lowest_priority)
{
	static const uint32_t tpr[NR_VPS] = { 0x20, 0x10, 0x30, 0x40 };
	int i;

	for (i = 0; i < NR_VPS; i++)
		enable_apic(self->vp[i], 1U << (24 + i), 0xffffffff, tpr[i]);
	ASSERT_EQ(msi(self->part, MSI(0x0f) | MSI_LOGICAL, DM(1) | 0x71), 1);
	ASSERT_EQ(msi(self->part, MSI(0x0d) | MSI_LOGICAL | MSI_RH, 0x72), 1);
	for (i = 0; i < NR_VPS; i++) {
		ASSERT_EQ(irr_has(self->vp[i], 0x71), i == 1);
		ASSERT_EQ(irr_has(self->vp[i], 0x72), i == 0);
	}
}

TEST_F(irq, routes)
{
	struct vgen_irq_route r;
	struct vgen_irq a;

	memset(&a, 0, sizeof(a));
	a.irq = 3;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), 0);
	a.irq = VGEN_IOAPIC_PINS;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), -EINVAL);
	a.irq = 3;
	a.flags = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), -EINVAL);
	a.flags = 0;
	a.reserved[1] = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), -EINVAL);
	a.reserved[1] = 0;

	memset(&r, 0, sizeof(r));
	r.irq = VGEN_IOAPIC_PINS;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), -EINVAL);
	r.irq = 3;
	r.flags = 2;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), -EINVAL);
	r.flags = 0;
	r.address = MSI(2);
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), -EINVAL);
	r.flags = VGEN_IRQ_ROUTE_MSI;
	r.address = 0xfec00000;
	r.data = 0x50;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), -EINVAL);
	r.address = MSI(2);
	r.data = DM(2);
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r),
		  -EOPNOTSUPP);
	r.data = 0x50;
	r.reserved0 = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), -EINVAL);
	r.reserved0 = 0;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), 0);

	/* Routed, but VP 2's APIC is software disabled. */
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), 0);
	enable_apic(self->vp[2], 0, 0xffffffff, 0);
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), 1);
	ASSERT_TRUE(irr_has(self->vp[2], 0x50));
	ASSERT_FALSE(irr_has(self->vp[1], 0x50));

	/* Unroute. */
	memset(&r, 0, sizeof(r));
	r.irq = 3;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_SET_IRQ_ROUTE, &r), 0);
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_ASSERT_IRQ, &a), 0);
}

static long pulse(int part, uint32_t vp, uint32_t lint)
{
	struct vgen_lint l;

	memset(&l, 0, sizeof(l));
	l.vp_index = vp;
	l.lint = lint;
	return __vgen_ioctl(part, VGEN_PULSE_LINT, &l);
}

TEST_F(irq, lint)
{
	struct vgen_lapic_state s;
	struct vgen_lint l;

	ASSERT_EQ(pulse(self->part, 1, 0), 0);		/* masked */
	ASSERT_EQ(pulse(self->part, 1, 2), -EINVAL);
	ASSERT_EQ(pulse(self->part, NR_VPS, 0), -EINVAL);
	memset(&l, 0, sizeof(l));
	l.vtl = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_PULSE_LINT, &l), -EINVAL);
	l.vtl = 0;
	l.flags = 1;
	ASSERT_EQ(__vgen_ioctl(self->part, VGEN_PULSE_LINT, &l), -EINVAL);

	get_lapic(self->vp[1], &s);
	set_reg(&s, R_SVR, 0x1ff);
	set_reg(&s, R_LINT0, 0x65);		/* fixed */
	set_reg(&s, R_LINT1, 0x400);		/* NMI */
	set_lapic(self->vp[1], &s);
	ASSERT_EQ(pulse(self->part, 1, 0), 1);
	ASSERT_EQ(pulse(self->part, 1, 1), 1);
	ASSERT_TRUE(irr_has(self->vp[1], 0x65));

	/* A software-disabled APIC masks its LVTs. */
	get_lapic(self->vp[1], &s);
	set_reg(&s, R_SVR, 0xff);
	set_lapic(self->vp[1], &s);
	get_lapic(self->vp[1], &s);
	ASSERT_EQ(reg(&s, R_LINT0), 0x10065U);
	ASSERT_EQ(pulse(self->part, 1, 0), 0);
}

TEST(lint_no_vp)
{
	int part = create_partition(2, 0, NULL, 0);
	struct vgen_lint l;
	long r;

	memset(&l, 0, sizeof(l));
	l.vp_index = 1;
	r = __vgen_ioctl(part, VGEN_PULSE_LINT, &l);
	if (r == -ENOTTY)
		SKIP(return, "no in-kernel interrupt controller");
	ASSERT_EQ(r, -ENOENT);
	close(part);
}

TEST(user_mode_apic)
{
	int part = create_partition(1, VGEN_PARTITION_USER_MODE_APIC, NULL, 0);
	int vp = create_vp(part, 0);
	struct vgen_lapic_state s;
	struct vgen_irq_route r;
	struct vgen_lint l;
	struct vgen_irq a;

	memset(&r, 0, sizeof(r));
	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	if (msi(part, MSI(0), 0x30) == -ENOTTY)
		SKIP(return, "no in-kernel interrupt controller");
	ASSERT_EQ(msi(part, MSI(0), 0x30), -ENXIO);
	ASSERT_EQ(__vgen_ioctl(part, VGEN_SET_IRQ_ROUTE, &r), -ENXIO);
	ASSERT_EQ(__vgen_ioctl(part, VGEN_ASSERT_IRQ, &a), -ENXIO);
	ASSERT_EQ(__vgen_ioctl(part, VGEN_PULSE_LINT, &l), -ENXIO);
	ASSERT_EQ(__vgen_ioctl(vp, VGEN_GET_LAPIC, &s), -ENXIO);
	ASSERT_EQ(__vgen_ioctl(vp, VGEN_SET_LAPIC, &s), -ENXIO);
	close(vp);
	close(part);
}

TEST_F(irq, state)
{
	struct vgen_lapic_state s, t;

	get_lapic(self->vp[1], &s);
	t = s;
	t.flags = 1;
	ASSERT_EQ(__vgen_ioctl(self->vp[1], VGEN_SET_LAPIC, &t), -EINVAL);
	t = s;
	t.reserved[5] = 1;
	ASSERT_EQ(__vgen_ioctl(self->vp[1], VGEN_SET_LAPIC, &t), -EINVAL);
	t = s;
	t.apic_base |= 1;		/* reserved bit */
	ASSERT_EQ(__vgen_ioctl(self->vp[1], VGEN_SET_LAPIC, &t), -EINVAL);
	t = s;
	t.apic_base = 0xfee00400;	/* x2APIC without enable */
	ASSERT_EQ(__vgen_ioctl(self->vp[1], VGEN_SET_LAPIC, &t), -EINVAL);

	/* Relocate, set TPR, a vector in service: PPR follows. */
	t = s;
	t.apic_base = 0xfec00800;
	set_reg(&t, R_SVR, 0x1ff);
	set_reg(&t, R_TPR, 0x35);
	set_reg(&t, R_LINT1, 0x400);
	set_reg(&t, 0x100 + 16 * (0x80 / 32), 1);	/* ISR: vector 0x80 */
	set_reg(&t, R_VER, 0);				/* read-only */
	set_lapic(self->vp[1], &t);
	get_lapic(self->vp[1], &s);
	ASSERT_EQ(s.apic_base, 0xfec00800ULL);
	ASSERT_EQ(reg(&s, R_TPR), 0x35U);
	ASSERT_EQ(reg(&s, R_PPR), 0x80U);
	ASSERT_EQ(reg(&s, R_LINT1), 0x400U);
	ASSERT_EQ(reg(&s, R_VER), 0x00030014U);
	ASSERT_EQ(reg(&s, R_SVR), 0x1ffU);

	/* x2APIC needs CPUID support. */
	t = s;
	t.apic_base = 0xfee00c00;
	ASSERT_EQ(__vgen_ioctl(self->vp[1], VGEN_SET_LAPIC, &t), -EINVAL);
}

TEST_F(irq, timer_one_shot)
{
	struct timespec ts = { 0, 1000000 };
	struct vgen_lapic_state s;

	get_lapic(self->vp[0], &s);
	set_reg(&s, R_SVR, 0x1ff);
	set_reg(&s, R_TDCR, 0xb);		/* divide by 1 */
	set_reg(&s, R_LVTT, 0x10077);		/* masked: no interrupt */
	set_reg(&s, R_TMICT, 0xffffffff);
	set_lapic(self->vp[0], &s);
	get_lapic(self->vp[0], &s);
	ASSERT_NE(reg(&s, R_TMCCT), 0U);
	ASSERT_EQ(reg(&s, R_TMICT), 0xffffffffU);

	set_reg(&s, R_LVTT, 0x76);
	set_reg(&s, R_TMICT, 100000);		/* 100 us */
	set_lapic(self->vp[0], &s);
	/* No time limit of its own: the harness timeout bounds it. */
	while (!irr_has(self->vp[0], 0x76))
		nanosleep(&ts, NULL);
	get_lapic(self->vp[0], &s);
	ASSERT_EQ(reg(&s, R_TMCCT), 0U);
}

TEST_F(irq, timer_periodic)
{
	struct timespec ts = { 0, 1000000 };
	struct vgen_lapic_state s;

	get_lapic(self->vp[2], &s);
	set_reg(&s, R_SVR, 0x1ff);
	set_reg(&s, R_TDCR, 0xb);
	set_reg(&s, R_LVTT, 0x20078);		/* periodic */
	set_reg(&s, R_TMICT, 1000);
	set_lapic(self->vp[2], &s);
	while (!irr_has(self->vp[2], 0x78))
		nanosleep(&ts, NULL);
	get_lapic(self->vp[2], &s);
	ASSERT_LE(reg(&s, R_TMCCT), 1000U);
}

TEST(x2apic)
{
	static const uint32_t ids[2] = { 0, 0x123 };
	int part = create_partition(2, 0, ids, 1);
	int vp0 = create_vp(part, 0), vp1 = create_vp(part, 1);
	struct vgen_lapic_state s;

	if (msi(part, MSI(0), 0x30) == -ENOTTY)
		SKIP(return, "no in-kernel interrupt controller");
	get_lapic(vp1, &s);
	ASSERT_EQ(reg(&s, R_ID), 0x23U << 24);	/* xAPIC: 8 bits */
	s.apic_base = 0xfee00c00;
	set_reg(&s, R_SVR, 0x1ff);
	set_lapic(vp1, &s);
	get_lapic(vp1, &s);
	ASSERT_EQ(s.apic_base, 0xfee00c00ULL);
	ASSERT_EQ(reg(&s, R_ID), 0x123U);
	ASSERT_EQ(reg(&s, R_LDR), (0x12U << 16) | (1U << 3));

	/* Extended destination ID bits 14:8 in address bits 11:5. */
	ASSERT_EQ(msi(part, MSI(0x23) | (1 << 5), 0x81), 1);
	ASSERT_EQ(msi(part, MSI(0x23), 0x82), 0);
	ASSERT_TRUE(irr_has(vp1, 0x81));
	/* The 8-bit broadcast reaches x2APIC-mode APICs too. */
	enable_apic(vp0, 0, 0xffffffff, 0);
	ASSERT_EQ(msi(part, MSI(0xff), 0x83), 2);
	close(vp0);
	close(vp1);
	close(part);
}

struct one_msr {
	struct vgen_msrs h;
	struct vgen_msr_entry e[1];
};

static long tsc_deadline_io(int vp, unsigned long req, uint64_t *v)
{
	struct one_msr m;
	long r;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = 1;
	m.e[0].index = 0x6e0;
	m.e[0].data = *v;
	r = __vgen_ioctl(vp, req, &m);
	*v = m.e[0].data;
	return r;
}

/*
 * IA32_TSC_DEADLINE (0x6e0) in VGEN_GET/SET_MSRS: an unsupported index
 * without TSC-deadline in CPUID or without an in-kernel APIC; with it,
 * SET behaves as the guest's WRMSR (ignored unless LVTT is in
 * TSC-deadline mode, 0 disarms) and GET returns the armed deadline, so a
 * saved deadline can be restored.
 */
TEST(tsc_deadline_msr)
{
	struct vgen_lapic_state s;
	uint64_t v = 0;
	int part, vp;

	part = create_partition(1, 0, NULL, 0);
	if (part < 0)
		SKIP(return, "/dev/vgen not present");
	vp = create_vp(part, 0);
	EXPECT_EQ(-EINVAL, tsc_deadline_io(vp, VGEN_GET_MSRS, &v));
	close(vp);
	close(part);

	part = create_partition(1, VGEN_PARTITION_USER_MODE_APIC, NULL, 1);
	vp = create_vp(part, 0);
	EXPECT_EQ(-EINVAL, tsc_deadline_io(vp, VGEN_GET_MSRS, &v));
	close(vp);
	close(part);

	part = create_partition(1, 0, NULL, 1);
	vp = create_vp(part, 0);
	get_lapic(vp, &s);
	set_reg(&s, R_SVR, 0x1ff);
	set_lapic(vp, &s);
	/* One-shot mode (masked at reset): writes are ignored. */
	v = 1ULL << 62;
	EXPECT_EQ(0, tsc_deadline_io(vp, VGEN_SET_MSRS, &v));
	v = 5;
	EXPECT_EQ(0, tsc_deadline_io(vp, VGEN_GET_MSRS, &v));
	EXPECT_EQ(0, v);
	/* TSC-deadline mode (LVTT 18:17 = 10b), vector 0x40: armed, read back. */
	get_lapic(vp, &s);
	set_reg(&s, R_LVTT, (2U << 17) | 0x40);
	set_lapic(vp, &s);
	v = 1ULL << 62;
	EXPECT_EQ(0, tsc_deadline_io(vp, VGEN_SET_MSRS, &v));
	v = 0;
	EXPECT_EQ(0, tsc_deadline_io(vp, VGEN_GET_MSRS, &v));
	EXPECT_EQ(1ULL << 62, v);
	/* 0 disarms. */
	v = 0;
	EXPECT_EQ(0, tsc_deadline_io(vp, VGEN_SET_MSRS, &v));
	v = 5;
	EXPECT_EQ(0, tsc_deadline_io(vp, VGEN_GET_MSRS, &v));
	EXPECT_EQ(0, v);
	close(vp);
	close(part);
}

TEST_HARNESS_MAIN
