// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection over generic netlink (the "vgen" family) and libvgen's
 * vgen_inspect_* API: every attribute of partitions and VPs against what
 * the test set up, VP counters after a known number of exits, a running
 * VP seen as running, dumps split over many messages (256 VPs, many
 * partitions with 64 regions), dumps while partitions are created and
 * destroyed, events, the visibility rule for an unprivileged caller, and
 * malformed requests refused with the documented error. vgenctl is run
 * when it is found next to the test (the test VM) or in the build tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "netlink_test.h"

#define PAGE		4096UL
#define NOBODY		65534

/* --------------------------------------------------------- raw netlink */

/* A raw generic netlink socket for requests the library never sends. */
struct raw {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t seq;
	char buf[64 * 1024];
	/* recv() buffer size: the kernel sizes dump parts after it. */
	size_t rcvlen;
	/* Results of the last raw_transact(). */
	int msgs, dgrams, intr;
	uint32_t first_index, last_index;
	bool in_order;
};

/* Start a message in @buf: netlink + genetlink headers. */
static struct nlmsghdr *raw_msg(char *buf, uint16_t type, uint16_t flags,
				uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

/*
 * Send @len bytes at @msg and read the answers up to the final ACK, error
 * or NLMSG_DONE, counting the vgen messages and datagrams (and checking
 * that VP_INDEX values, when present, increase).
 */
static int raw_transact(struct raw *r, const void *msg, size_t len)
{
	const struct nlmsghdr *nlh;
	const struct nlattr *a;
	uint32_t idx;
	bool have_prev = false;
	ssize_t n;
	int left, err;

	r->msgs = r->dgrams = r->intr = 0;
	r->in_order = true;
	TEST_ASSERT(mnl_socket_sendto(r->nl, msg, len) == (ssize_t)len,
		    "send: %s", strerror(errno));
	for (;;) {
		n = recv(mnl_socket_get_fd(r->nl), r->buf, r->rcvlen, 0);
		TEST_ASSERT(n > 0, "recv: %s", strerror(errno));
		r->dgrams++;
		nlh = (const void *)r->buf;
		left = n;
		for (; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				memcpy(&err, mnl_nlmsg_get_payload(nlh),
				       sizeof(err));
				return err;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				memcpy(&err, mnl_nlmsg_get_payload(nlh),
				       sizeof(err));
				return err;
			}
			if (nlh->nlmsg_type != r->family)
				continue;
			r->msgs++;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr++;
			mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
				if (mnl_attr_get_type(a) != VGEN_A_VP_INDEX)
					continue;
				idx = mnl_attr_get_u32(a);
				if (!have_prev)
					r->first_index = idx;
				else if (idx <= r->last_index)
					r->in_order = false;
				r->last_index = idx;
				have_prev = true;
			}
		}
	}
}

static int raw_family_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static void raw_open(struct raw *r, size_t rcvlen)
{
	char req[256];
	struct nlmsghdr *nlh;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->rcvlen = rcvlen;
	r->nl = mnl_socket_open(NETLINK_GENERIC);
	TEST_ASSERT(r->nl, "netlink socket: %s", strerror(errno));
	TEST_ASSERT(!mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID), "bind");
	r->seq = 1000;
	nlh = raw_msg(req, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, ++r->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VGEN_GENL_NAME);
	TEST_ASSERT(mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) > 0, "send");
	n = mnl_socket_recvfrom(r->nl, r->buf, r->rcvlen);
	TEST_ASSERT(n > 0, "recv");
	nlh = (void *)r->buf;
	TEST_ASSERT(nlh->nlmsg_type == GENL_ID_CTRL,
		    "family \"vgen\" not found (module without netlink?)");
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), raw_family_cb,
		       &r->family);
	TEST_ASSERT(r->family, "no family id");
}

static void raw_close(struct raw *r)
{
	mnl_socket_close(r->nl);
}

/* A do request with the given attributes (u32 values; 0 attr = none). */
static int raw_get(struct raw *r, uint8_t cmd, uint16_t a1, uint32_t v1,
		   uint16_t a2, uint32_t v2)
{
	char req[256];
	struct nlmsghdr *nlh;

	nlh = raw_msg(req, r->family, NLM_F_ACK, cmd, ++r->seq);
	if (a1)
		mnl_attr_put_u32(nlh, a1, v1);
	if (a2)
		mnl_attr_put_u32(nlh, a2, v2);
	return raw_transact(r, nlh, nlh->nlmsg_len);
}

/* ---------------------------------------------------- partition helpers */

static int dev_open(void)
{
	int fd = vgen_open_dev();

	TEST_ASSERT(fd >= 0, "open /dev/vgen: %s", strerror(-fd));
	return fd;
}

static int partition_create(int dev, uint32_t vp_count,
			    const uint32_t *apic_ids, uint32_t flags)
{
	struct vgen_partition_config cfg = {
		.flags = flags,
		.vp_count = vp_count,
		.backend = VGEN_BACKEND_AUTO,
		.apic_ids = (uint64_t)(uintptr_t)apic_ids,
	};

	return vgen_ioctl(dev, VGEN_CREATE_PARTITION, &cfg);
}

static void region_set(int pfd, uint32_t slot, uint64_t gpa, uint64_t size,
		       void *host, uint32_t flags)
{
	struct vgen_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	vgen_ioctl(pfd, VGEN_SET_MEMORY_REGION, &r);
}

static int vp_create(int pfd, uint32_t index)
{
	struct vgen_create_vp c = { .vp_index = index };

	return vgen_ioctl(pfd, VGEN_CREATE_VP, &c);
}

static struct vgen_inspect *inspect_open(void)
{
	struct vgen_inspect *ins;
	int r = vgen_inspect_open(&ins);

	TEST_ASSERT(!r, "vgen_inspect_open: %s", strerror(-r));
	return ins;
}

static uint64_t pattr(const struct vgen_inspect_partition *p, unsigned int a)
{
	uint64_t v;
	int r = vgen_inspect_partition_attr(p, a, &v);

	TEST_ASSERT(!r, "partition attribute %u: %s", a, strerror(-r));
	return v;
}

static uint64_t vattr(const struct vgen_inspect_vp *vp, unsigned int a)
{
	uint64_t v;
	int r = vgen_inspect_vp_attr(vp, a, &v);

	TEST_ASSERT(!r, "VP attribute %u: %s", a, strerror(-r));
	return v;
}

static uint64_t vexits(const struct vgen_inspect_vp *vp, uint32_t reason)
{
	uint64_t n;

	TEST_ASSERT(!vgen_inspect_vp_exits(vp, reason, &n), "exits");
	return n;
}

/* Find the partition of this process with @vp_count VPs. */
struct find_ctx {
	pid_t pid;
	uint32_t vp_count;
	uint32_t id;
	int matches;
};

static int find_cb(const struct vgen_inspect_partition *p, void *arg)
{
	struct find_ctx *f = arg;

	if (pattr(p, VGEN_A_PARTITION_OWNER_PID) == (uint64_t)f->pid &&
	    pattr(p, VGEN_A_PARTITION_VP_COUNT) == f->vp_count) {
		f->id = pattr(p, VGEN_A_PARTITION_ID);
		f->matches++;
	}
	return 0;
}

static uint32_t find_partition(struct vgen_inspect *ins, pid_t pid,
			       uint32_t vp_count)
{
	struct find_ctx f = { .pid = pid, .vp_count = vp_count };
	int r = vgen_inspect_dump_partitions(ins, find_cb, &f);

	TEST_ASSERT(r >= 0, "dump: %s", strerror(-r));
	TEST_ASSERT(f.matches == 1, "%d partitions of pid %d with %u VPs",
		    f.matches, pid, vp_count);
	return f.id;
}

static struct vgen_inspect_vp *get_vp(struct vgen_inspect *ins, uint32_t id,
				      uint32_t index)
{
	struct vgen_inspect_vp *vp;
	int r = vgen_inspect_get_vp(ins, id, index, &vp);

	TEST_ASSERT(!r, "get VP %u/%u: %s", id, index, strerror(-r));
	return vp;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define REQUIRE_VGEN()							\
	do {								\
		int __fd = vgen_open_dev();				\
									\
		if (__fd < 0)						\
			SKIP(return, "/dev/vgen not present");		\
		close(__fd);						\
	} while (0)

/* ------------------------------------------------------------- tests */

/*
 * Every test runs with a generous timeout: the debug kernel (KASAN,
 * lockdep) under TCG on a loaded machine is slow. It only guards hangs.
 */
FIXTURE(nl) {
	int unused;
};

FIXTURE_SETUP(nl)
{
}

FIXTURE_TEARDOWN(nl)
{
}

TEST_F_TIMEOUT(nl, open_and_empty, 300)
{
	struct find_ctx f = { .pid = getpid(), .vp_count = 1 };
	struct vgen_inspect *ins;

	REQUIRE_VGEN();
	ins = inspect_open();
	/* Nothing of this process exists yet. */
	EXPECT_LE(0, vgen_inspect_dump_partitions(ins, find_cb, &f));
	EXPECT_EQ(0, f.matches);
	EXPECT_EQ(-EINVAL, vgen_inspect_dump_partitions(ins, NULL, NULL));
	EXPECT_EQ(-EINVAL, vgen_inspect_dump_partitions(NULL, find_cb, &f));
	vgen_inspect_close(ins);
}

/* Every partition and VP attribute, before and after finalize. */
TEST_F_TIMEOUT(nl, partition_attributes, 300)
{
	static const uint32_t apic_ids[3] = { 5, 9, 2 };
	const struct vgen_inspect_region *rg;
	struct vgen_inspect_partition *p;
	struct vgen_inspect_vp *vp;
	struct vgen_inspect *ins;
	uint64_t t0, t1, v;
	int dev, pfd, vfd[2];
	uint32_t id;
	size_t n;
	char *mem;

	REQUIRE_VGEN();
	mem = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, 6 * PAGE);
	ins = inspect_open();
	dev = dev_open();
	t0 = now_ns();
	pfd = partition_create(dev, 3, apic_ids,
			       VGEN_PARTITION_USER_MODE_APIC);
	t1 = now_ns();
	region_set(pfd, 5, 0x200000, 2 * PAGE, mem, 0);
	region_set(pfd, 1, 0x100000000ULL, 4 * PAGE, mem + 2 * PAGE,
		   VGEN_MEM_READONLY);

	id = find_partition(ins, getpid(), 3);
	ASSERT_EQ(0, vgen_inspect_get_partition(ins, id, &p));
	EXPECT_EQ(id, pattr(p, VGEN_A_PARTITION_ID));
	EXPECT_EQ(getpid(), pattr(p, VGEN_A_PARTITION_OWNER_PID));
	EXPECT_EQ(geteuid(), pattr(p, VGEN_A_PARTITION_OWNER_UID));
	v = pattr(p, VGEN_A_PARTITION_CREATED_NS);
	EXPECT_LE(t0, v);
	EXPECT_GE(t1, v);
	EXPECT_EQ(VGEN_BACKEND_SOFTWARE, pattr(p, VGEN_A_PARTITION_BACKEND));
	EXPECT_EQ(VGEN_ISOLATION_NONE, pattr(p, VGEN_A_PARTITION_ISOLATION));
	EXPECT_EQ(VGEN_PARTITION_USER_MODE_APIC,
		  pattr(p, VGEN_A_PARTITION_FLAGS));
	EXPECT_EQ(0, pattr(p, VGEN_A_PARTITION_STATUS));
	EXPECT_EQ(3, pattr(p, VGEN_A_PARTITION_VP_COUNT));
	EXPECT_EQ(0, pattr(p, VGEN_A_PARTITION_VPS_CREATED));
	ASSERT_EQ(0, vgen_inspect_partition_regions(p, &rg, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(1, rg[0].slot);
	EXPECT_EQ(0x100000000ULL, rg[0].gpa);
	EXPECT_EQ(4 * PAGE, rg[0].size);
	EXPECT_EQ(VGEN_MEM_READONLY, rg[0].flags);
	EXPECT_EQ(5, rg[1].slot);
	EXPECT_EQ(0x200000, rg[1].gpa);
	EXPECT_EQ(2 * PAGE, rg[1].size);
	EXPECT_EQ(0, rg[1].flags);
	/* Getter argument checks. */
	EXPECT_EQ(-EINVAL, vgen_inspect_partition_attr(p,
					VGEN_A_PARTITION_REGION, &v));
	EXPECT_EQ(-EINVAL, vgen_inspect_partition_attr(p, VGEN_A_VP_RUNS,
						       &v));
	vgen_inspect_partition_free(p);
	/* No VP yet: an empty VP dump, and no VP 0. */
	EXPECT_EQ(-ENOENT, vgen_inspect_get_vp(ins, id, 0, &vp));

	/* A region deleted and one replaced are seen at once. */
	region_set(pfd, 1, 0, 0, NULL, 0);
	region_set(pfd, 5, 0x400000, PAGE, mem + 5 * PAGE, 0);
	vgen_ioctl(pfd, VGEN_FINALIZE, NULL);
	vfd[0] = vp_create(pfd, 0);
	vfd[1] = vp_create(pfd, 2);

	ASSERT_EQ(0, vgen_inspect_get_partition(ins, id, &p));
	EXPECT_EQ(VGEN_PARTITION_STATUS_FINALIZED,
		  pattr(p, VGEN_A_PARTITION_STATUS));
	EXPECT_EQ(2, pattr(p, VGEN_A_PARTITION_VPS_CREATED));
	ASSERT_EQ(0, vgen_inspect_partition_regions(p, &rg, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(5, rg[0].slot);
	EXPECT_EQ(0x400000, rg[0].gpa);
	EXPECT_EQ(PAGE, rg[0].size);
	vgen_inspect_partition_free(p);

	vp = get_vp(ins, id, 2);
	EXPECT_EQ(id, vattr(vp, VGEN_A_PARTITION_ID));
	EXPECT_EQ(2, vattr(vp, VGEN_A_VP_INDEX));
	EXPECT_EQ(2, vattr(vp, VGEN_A_VP_APIC_ID));
	EXPECT_EQ(VGEN_VP_STATE_STOPPED, vattr(vp, VGEN_A_VP_STATE));
	EXPECT_EQ(0, vattr(vp, VGEN_A_VP_RUNS));
	EXPECT_EQ(0, vattr(vp, VGEN_A_VP_INSNS_RETIRED));
	EXPECT_EQ(0, vattr(vp, VGEN_A_VP_RUN_NS));
	EXPECT_EQ(VGEN_EXIT_UNKNOWN, vattr(vp, VGEN_A_VP_LAST_EXIT));
	EXPECT_EQ(0, vattr(vp, VGEN_A_VP_HOST_TID));
	for (v = 0; v < 64; v++)
		EXPECT_EQ(0, vexits(vp, v));
	EXPECT_EQ(-EINVAL, vgen_inspect_vp_attr(vp, VGEN_A_VP_EXIT, &v));
	EXPECT_EQ(-EINVAL, vgen_inspect_vp_exits(vp, 64, &v));
	vgen_inspect_vp_free(vp);
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(5, vattr(vp, VGEN_A_VP_APIC_ID));
	vgen_inspect_vp_free(vp);
	EXPECT_EQ(-ENOENT, vgen_inspect_get_vp(ins, id, 1, &vp));
	EXPECT_EQ(-ERANGE, vgen_inspect_get_vp(ins, id, VGEN_MAX_VPS, &vp));

	/* Gone with the last fd. */
	close(pfd);
	ASSERT_EQ(0, vgen_inspect_get_partition(ins, id, &p));
	vgen_inspect_partition_free(p);
	close(vfd[0]);
	close(vfd[1]);
	EXPECT_EQ(-ENOENT, vgen_inspect_get_partition(ins, id, &p));
	EXPECT_EQ(-ENOENT, vgen_inspect_get_vp(ins, id, 0, &vp));
	close(dev);
	vgen_inspect_close(ins);
	munmap(mem, 6 * PAGE);
}

/* Exit counters after a known number of exits of each kind. */
TEST_F_TIMEOUT(nl, vp_counters, 300)
{
	struct vgen_inspect_vp *vp;
	struct vgen_inspect *ins;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t insns;
	uint32_t id;
	int i;

	REQUIRE_VGEN();
	ins = inspect_open();
	/* HLT exits to userspace only without an in-kernel APIC. */
	vm = vm_create_with_vcpu_flags(guest_nl_outs, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	id = find_partition(ins, getpid(), 1);

	for (i = 0; i < NL_OUTS; i++) {
		vcpu_run(vcpu);
		ASSERT_EQ(VGEN_EXIT_IO, vcpu->run->exit_reason);
		ASSERT_EQ(NL_PORT, vcpu->run->io.port);
	}
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_HLT, vcpu->run->exit_reason);

	vp = get_vp(ins, id, 0);
	EXPECT_EQ(NL_OUTS + 1, vattr(vp, VGEN_A_VP_RUNS));
	EXPECT_EQ(NL_OUTS, vexits(vp, VGEN_EXIT_IO));
	EXPECT_EQ(1, vexits(vp, VGEN_EXIT_HLT));
	EXPECT_EQ(0, vexits(vp, VGEN_EXIT_MMIO));
	EXPECT_EQ(VGEN_EXIT_HLT, vattr(vp, VGEN_A_VP_LAST_EXIT));
	EXPECT_EQ(VGEN_VP_STATE_STOPPED, vattr(vp, VGEN_A_VP_STATE));
	insns = vattr(vp, VGEN_A_VP_INSNS_RETIRED);
	EXPECT_LT(NL_OUTS, insns);
	EXPECT_LT(0, vattr(vp, VGEN_A_VP_RUN_NS));
	EXPECT_EQ(gettid(), vattr(vp, VGEN_A_VP_HOST_TID));
	/* Second increment: halts, activity, the time split. */
	EXPECT_EQ(0, vattr(vp, VGEN_A_VP_RUN_TID));
	EXPECT_EQ(VGEN_ACTIVITY_RUNNING, vattr(vp, VGEN_A_VP_ACTIVITY));
	EXPECT_EQ(VGEN_EXIT_HLT, vattr(vp, VGEN_A_VP_LAST_HALT));
	EXPECT_EQ(1, vattr(vp, VGEN_A_VP_HALTS));
	EXPECT_LT(0, vattr(vp, VGEN_A_VP_GUEST_NS));
	EXPECT_EQ(vattr(vp, VGEN_A_VP_RUN_NS),
		  vattr(vp, VGEN_A_VP_GUEST_NS) +
		  vattr(vp, VGEN_A_VP_KERNEL_NS));
	/* NL_OUTS + 1 runs: NL_OUTS gaps spent in userspace. */
	EXPECT_LT(0, vattr(vp, VGEN_A_VP_USER_NS));
	/* A user-mode APIC: no APIC summary. */
	EXPECT_EQ(-ENODATA, vgen_inspect_vp_vectors(vp, NULL, NULL));
	vgen_inspect_vp_free(vp);

	/* immediate_exit: an INTR exit; a refused run: no exit. */
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, __vcpu_run(vcpu));
	vcpu->run->immediate_exit = 0;
	vcpu->run->flags = 1;
	EXPECT_EQ(-EINVAL, __vcpu_run(vcpu));
	vcpu->run->flags = 0;
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_HLT, vcpu->run->exit_reason);

	vp = get_vp(ins, id, 0);
	EXPECT_EQ(NL_OUTS + 4, vattr(vp, VGEN_A_VP_RUNS));
	EXPECT_EQ(NL_OUTS, vexits(vp, VGEN_EXIT_IO));
	EXPECT_EQ(2, vexits(vp, VGEN_EXIT_HLT));
	EXPECT_EQ(1, vexits(vp, VGEN_EXIT_INTR));
	EXPECT_EQ(VGEN_EXIT_HLT, vattr(vp, VGEN_A_VP_LAST_EXIT));
	EXPECT_LT(insns, vattr(vp, VGEN_A_VP_INSNS_RETIRED));
	EXPECT_EQ(2, vattr(vp, VGEN_A_VP_HALTS));
	EXPECT_EQ(vattr(vp, VGEN_A_VP_RUN_NS),
		  vattr(vp, VGEN_A_VP_GUEST_NS) +
		  vattr(vp, VGEN_A_VP_KERNEL_NS));
	vgen_inspect_vp_free(vp);
	vm_destroy(vm);
	vgen_inspect_close(ins);
}

struct spinner {
	struct vm *vm;
	struct vcpu *vcpu;
	volatile int ready;
	int ret;
	pid_t tid;
};

static void *spinner_thread(void *arg)
{
	struct spinner *s = arg;

	s->vm = vm_create_with_vcpu(guest_nl_spin, &s->vcpu);
	s->tid = gettid();
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	s->ret = __vcpu_run(s->vcpu);
	return NULL;
}

/* A VP inside VGEN_RUN is reported running, without stopping it. */
TEST_F_TIMEOUT(nl, vp_running, 300)
{
	struct timespec ms = { 0, 1000000 };
	struct spinner s = { 0 };
	struct vgen_inspect_vp *vp;
	struct vgen_inspect *ins;
	uint64_t state, spins;
	pthread_t t;
	uint32_t id;

	REQUIRE_VGEN();
	ins = inspect_open();
	ASSERT_EQ(0, pthread_create(&t, NULL, spinner_thread, &s));
	while (!__atomic_load_n(&s.ready, __ATOMIC_ACQUIRE))
		nanosleep(&ms, NULL);
	id = find_partition(ins, getpid(), 1);
	/* No time limit of its own: the harness timeout bounds it. */
	do {
		vp = get_vp(ins, id, 0);
		state = vattr(vp, VGEN_A_VP_STATE);
		vgen_inspect_vp_free(vp);
		if (state != VGEN_VP_STATE_RUNNING)
			nanosleep(&ms, NULL);
	} while (state != VGEN_VP_STATE_RUNNING);
	/* The guest keeps running while it is inspected. */
	spins = *(volatile uint64_t *)addr_gpa2hva(s.vm,
					(uint64_t)(uintptr_t)&nl_spins);
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(s.tid, vattr(vp, VGEN_A_VP_HOST_TID));
	EXPECT_NE(gettid(), s.tid);
	vgen_inspect_vp_free(vp);
	while (*(volatile uint64_t *)addr_gpa2hva(s.vm,
				(uint64_t)(uintptr_t)&nl_spins) == spins)
		nanosleep(&ms, NULL);

	ASSERT_EQ(0, vgen_partition_request_yield(s.vm->part, 0));
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(VGEN_EXIT_YIELD, s.vcpu->run->exit_reason);
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(VGEN_VP_STATE_STOPPED, vattr(vp, VGEN_A_VP_STATE));
	EXPECT_EQ(1, vexits(vp, VGEN_EXIT_YIELD));
	EXPECT_EQ(1, vattr(vp, VGEN_A_VP_RUNS));
	EXPECT_EQ(VGEN_EXIT_YIELD, vattr(vp, VGEN_A_VP_LAST_EXIT));
	vgen_inspect_vp_free(vp);
	/*
	 * Once that thread is reaped (shortly after pthread_join() returns)
	 * it is 0, never a number that might be reused. No time limit of
	 * its own: the harness timeout bounds it.
	 */
	for (;;) {
		vp = get_vp(ins, id, 0);
		state = vattr(vp, VGEN_A_VP_HOST_TID);
		vgen_inspect_vp_free(vp);
		if (!state)
			break;
		EXPECT_EQ(s.tid, state);
		nanosleep(&ms, NULL);
	}
	vm_destroy(s.vm);
	vgen_inspect_close(ins);
}

struct vp_list {
	uint32_t n;
	uint32_t index[VGEN_MAX_VPS];
	uint32_t apic[VGEN_MAX_VPS];
};

static int collect_vp(const struct vgen_inspect_vp *vp, void *arg)
{
	struct vp_list *l = arg;

	TEST_ASSERT(l->n < VGEN_MAX_VPS, "too many VPs");
	l->index[l->n] = vattr(vp, VGEN_A_VP_INDEX);
	l->apic[l->n] = vattr(vp, VGEN_A_VP_APIC_ID);
	l->n++;
	return 0;
}


/* 256 VPs: the VP dump is split over several datagrams. */
TEST_F_TIMEOUT(nl, dump_256_vps, 300)
{
	static uint32_t apic_ids[256];
	struct vp_list *l = calloc(1, sizeof(*l));
	struct vgen_inspect *ins;
	int dev, pfd, i, *vfd;
	struct nlmsghdr *nlh;
	struct raw *r;
	char req[128];
	uint32_t id;

	REQUIRE_VGEN();
	r = malloc(sizeof(*r));
	vfd = calloc(256, sizeof(*vfd));
	ASSERT_TRUE(l && r && vfd);
	for (i = 0; i < 256; i++)
		apic_ids[i] = 1000 + 3 * i;
	ins = inspect_open();
	dev = dev_open();
	pfd = partition_create(dev, 256, apic_ids, 0);
	vgen_ioctl(pfd, VGEN_FINALIZE, NULL);
	/* Every VP but 17, in reverse order. */
	for (i = 255; i >= 0; i--)
		vfd[i] = i == 17 ? -1 : vp_create(pfd, i);
	id = find_partition(ins, getpid(), 256);

	ASSERT_EQ(0, vgen_inspect_dump_vps(ins, id, collect_vp, l));
	ASSERT_EQ(255, l->n);
	for (i = 0; i < 255; i++) {
		uint32_t want = i < 17 ? i : i + 1;

		EXPECT_EQ(want, l->index[i]);
		EXPECT_EQ(1000 + 3 * want, l->apic[i]);
	}

	/* 8 KiB reads: the kernel makes parts of at most that size. */
	raw_open(r, 8192);
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_VP, ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	EXPECT_EQ(0, raw_transact(r, nlh, nlh->nlmsg_len));
	EXPECT_EQ(255, r->msgs);
	EXPECT_LE(3, r->dgrams);	/* >= 2 parts + NLMSG_DONE */
	EXPECT_TRUE(r->in_order);
	EXPECT_EQ(0, r->first_index);
	EXPECT_EQ(255, r->last_index);
	raw_close(r);

	for (i = 0; i < 256; i++)
		if (vfd[i] >= 0)
			close(vfd[i]);
	close(pfd);
	close(dev);
	vgen_inspect_close(ins);
	free(r);
	free(l);
	free(vfd);
}

#define STABLE		8	/* partitions with 64 regions each */
#define CHURN		60	/* partitions created and destroyed */

/* Partitions with VGEN_MAX_MEMORY_REGIONS one-page regions. */
static int make_big_partition(int dev, uint32_t vp_count, char *mem)
{
	int pfd = partition_create(dev, vp_count, NULL, 0);
	uint32_t s;

	for (s = 0; s < VGEN_MAX_MEMORY_REGIONS; s++)
		region_set(pfd, s, (uint64_t)s << 21, PAGE, mem + s * PAGE,
			   s & 1 ? VGEN_MEM_READONLY : 0);
	return pfd;
}

struct seen {
	uint32_t stable_ids[STABLE];
	int count[STABLE];
	uint32_t last_id;
	bool in_order;
	int partitions;
};

static int seen_cb(const struct vgen_inspect_partition *p, void *arg)
{
	const struct vgen_inspect_region *rg;
	struct seen *s = arg;
	uint32_t id = pattr(p, VGEN_A_PARTITION_ID);
	size_t n;
	int i;

	if (s->partitions && id <= s->last_id)
		s->in_order = false;
	s->last_id = id;
	s->partitions++;
	for (i = 0; i < STABLE; i++) {
		if (s->stable_ids[i] != id)
			continue;
		s->count[i]++;
		TEST_ASSERT(!vgen_inspect_partition_regions(p, &rg, &n) &&
			    n == VGEN_MAX_MEMORY_REGIONS, "regions");
		TEST_ASSERT(rg[63].slot == 63 && rg[63].gpa == 63ULL << 21 &&
			    rg[63].flags == VGEN_MEM_READONLY, "region 63");
	}
	return 0;
}

struct churn {
	int dev;
	char *mem;
	volatile int done;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	int i, pfd, vfd;

	for (i = 0; i < CHURN; i++) {
		pfd = i % 6 ? partition_create(c->dev, 2, NULL, 0) :
			      make_big_partition(c->dev, 2, c->mem);
		vgen_ioctl(pfd, VGEN_FINALIZE, NULL);
		vfd = vp_create(pfd, i & 1);
		/* Alternate which fd goes last. */
		if (i & 2) {
			close(pfd);
			close(vfd);
		} else {
			close(vfd);
			close(pfd);
		}
	}
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int churn_vp_cb(const struct vgen_inspect_vp *vp, void *arg)
{
	(void)vp;
	(*(int *)arg)++;
	return 0;
}

struct churn_ids {
	uint32_t ids[64];
	int n;
};

static int churn_id_cb(const struct vgen_inspect_partition *p, void *arg)
{
	struct churn_ids *c = arg;

	if (pattr(p, VGEN_A_PARTITION_VP_COUNT) == 2 && c->n < 64)
		c->ids[c->n++] = pattr(p, VGEN_A_PARTITION_ID);
	return 0;
}

/*
 * Dumps (split over several messages) while another thread creates and
 * destroys partitions: every stable partition is reported exactly once
 * per dump, in id order, and VP dumps of dying partitions end cleanly.
 */
TEST_F_TIMEOUT(nl, dump_while_churning, 300)
{
	struct churn c = { 0 };
	struct vgen_inspect *ins;
	struct churn_ids cid;
	struct seen s;
	int i, j, r, pfd[STABLE], dumps = 0, vps;
	pthread_t t;

	REQUIRE_VGEN();
	c.mem = mmap(NULL, VGEN_MAX_MEMORY_REGIONS * PAGE,
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	ASSERT_NE(MAP_FAILED, c.mem);
	memset(c.mem, 0, VGEN_MAX_MEMORY_REGIONS * PAGE);
	ins = inspect_open();
	c.dev = dev_open();
	memset(&s, 0, sizeof(s));
	for (i = 0; i < STABLE; i++)
		pfd[i] = make_big_partition(c.dev, 100 + i, c.mem);
	for (i = 0; i < STABLE; i++)
		s.stable_ids[i] = find_partition(ins, getpid(), 100 + i);

	ASSERT_EQ(0, pthread_create(&t, NULL, churn_thread, &c));
	/* At least 3 dumps, and dumps until the churn is over. */
	while (dumps < 3 || !__atomic_load_n(&c.done, __ATOMIC_ACQUIRE)) {
		memset(s.count, 0, sizeof(s.count));
		s.partitions = 0;
		s.in_order = true;
		r = vgen_inspect_dump_partitions(ins, seen_cb, &s);
		ASSERT_LE(0, r);
		ASSERT_TRUE(s.in_order);
		for (i = 0; i < STABLE; i++)
			ASSERT_EQ(1, s.count[i]);
		dumps++;

		/* VP dumps of partitions that may die meanwhile. */
		cid.n = 0;
		ASSERT_LE(0, vgen_inspect_dump_partitions(ins, churn_id_cb,
							  &cid));
		for (j = 0; j < cid.n; j++) {
			vps = 0;
			r = vgen_inspect_dump_vps(ins, cid.ids[j],
						  churn_vp_cb, &vps);
			ASSERT_TRUE(r == 0 || r == -ENOENT);
			ASSERT_GE(1, vps);
		}
	}
	pthread_join(t, NULL);
	for (i = 0; i < STABLE; i++)
		close(pfd[i]);
	close(c.dev);
	vgen_inspect_close(ins);
	munmap(c.mem, VGEN_MAX_MEMORY_REGIONS * PAGE);
}

/* A partition dump big enough for several datagrams. */
TEST_F_TIMEOUT(nl, dump_partitions_split, 300)
{
	struct vgen_inspect *ins;
	struct nlmsghdr *nlh;
	int i, dev, pfd[STABLE];
	struct seen s = { 0 };
	struct raw *r;
	char req[64];
	char *mem;

	REQUIRE_VGEN();
	r = malloc(sizeof(*r));
	ASSERT_TRUE(r != NULL);
	mem = mmap(NULL, VGEN_MAX_MEMORY_REGIONS * PAGE,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0, VGEN_MAX_MEMORY_REGIONS * PAGE);
	ins = inspect_open();
	dev = dev_open();
	for (i = 0; i < STABLE; i++)
		pfd[i] = make_big_partition(dev, 200 + i, mem);
	for (i = 0; i < STABLE; i++)
		s.stable_ids[i] = find_partition(ins, getpid(), 200 + i);
	s.in_order = true;
	ASSERT_EQ(0, vgen_inspect_dump_partitions(ins, seen_cb, &s));
	EXPECT_TRUE(s.in_order);
	for (i = 0; i < STABLE; i++)
		EXPECT_EQ(1, s.count[i]);

	raw_open(r, 8192);
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	EXPECT_EQ(0, raw_transact(r, nlh, nlh->nlmsg_len));
	EXPECT_LE(STABLE, r->msgs);
	EXPECT_LE(3, r->dgrams);
	EXPECT_EQ(0, r->intr);
	raw_close(r);
	for (i = 0; i < STABLE; i++)
		close(pfd[i]);
	close(dev);
	vgen_inspect_close(ins);
	munmap(mem, VGEN_MAX_MEMORY_REGIONS * PAGE);
	free(r);
}

/* Read the next event of this process (already queued: no waiting). */
static void next_event(struct vgen_inspect_monitor *mon,
		       struct vgen_inspect_event *ev)
{
	int r;

	do {
		r = vgen_inspect_monitor_read(mon, ev, 0);
		TEST_ASSERT(!r, "no event queued: %s", strerror(-r));
	} while (ev->owner_pid != (uint32_t)getpid());
}

TEST_F_TIMEOUT(nl, events, 300)
{
	struct vgen_inspect_monitor *mon;
	struct vgen_inspect_event ev;
	struct vgen_inspect_vp *vp;
	struct vgen_sregs sregs;
	struct vgen_inspect *ins;
	struct vcpu *vcpu;
	struct vm *vm;
	uint32_t id;
	int dev, pfd, fd;

	REQUIRE_VGEN();
	ASSERT_EQ(0, vgen_inspect_monitor_open(&mon));
	ASSERT_EQ(0, vgen_inspect_monitor_fd(mon, &fd));
	EXPECT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, vgen_inspect_monitor_read(mon, &ev, 0));
	ins = inspect_open();

	dev = dev_open();
	pfd = partition_create(dev, 4, NULL, 0);
	id = find_partition(ins, getpid(), 4);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_PARTITION_CREATED, ev.type);
	EXPECT_EQ(id, ev.partition_id);
	EXPECT_EQ(UINT32_MAX, ev.vp_index);
	close(pfd);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_PARTITION_DESTROYED, ev.type);
	EXPECT_EQ(id, ev.partition_id);
	EXPECT_EQ(-EAGAIN, vgen_inspect_monitor_read(mon, &ev, 0));

	/* A triple fault: VP halted, with the reason. */
	vm = vm_create_with_vcpu(guest_nl_triple_fault, &vcpu);
	id = find_partition(ins, getpid(), 1);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_PARTITION_CREATED, ev.type);
	EXPECT_EQ(id, ev.partition_id);
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_SHUTDOWN, vcpu->run->exit_reason);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_VP_HALTED, ev.type);
	EXPECT_EQ(id, ev.partition_id);
	EXPECT_EQ(0, ev.vp_index);
	EXPECT_EQ(VGEN_EXIT_SHUTDOWN, ev.reason);
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(VGEN_EXIT_SHUTDOWN, vattr(vp, VGEN_A_VP_LAST_HALT));
	EXPECT_EQ(1, vattr(vp, VGEN_A_VP_HALTS));
	vgen_inspect_vp_free(vp);
	vm_destroy(vm);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_PARTITION_DESTROYED, ev.type);
	EXPECT_EQ(id, ev.partition_id);

	/* An emulation failure: page tables outside guest memory. */
	vm = vm_create_with_vcpu(guest_nl_spin, &vcpu);
	id = find_partition(ins, getpid(), 1);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_PARTITION_CREATED, ev.type);
	vgen_ioctl(vcpu->fd, VGEN_GET_SREGS, &sregs);
	sregs.cr3 = 0xc0000000;
	vgen_ioctl(vcpu->fd, VGEN_SET_SREGS, &sregs);
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_INTERNAL_ERROR, vcpu->run->exit_reason);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_VP_HALTED, ev.type);
	EXPECT_EQ(id, ev.partition_id);
	EXPECT_EQ(0, ev.vp_index);
	EXPECT_EQ(VGEN_EXIT_INTERNAL_ERROR, ev.reason);
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(VGEN_EXIT_INTERNAL_ERROR, vattr(vp, VGEN_A_VP_LAST_HALT));
	EXPECT_EQ(1, vattr(vp, VGEN_A_VP_HALTS));
	vgen_inspect_vp_free(vp);
	vm_destroy(vm);
	next_event(mon, &ev);
	EXPECT_EQ(VGEN_EVENT_PARTITION_DESTROYED, ev.type);
	EXPECT_EQ(id, ev.partition_id);

	close(dev);
	vgen_inspect_close(ins);
	vgen_inspect_monitor_close(mon);
}

/* Append an attribute with a raw payload of @len bytes. */
static void put_raw_attr(struct nlmsghdr *nlh, uint16_t type, const void *p,
			 uint16_t len)
{
	mnl_attr_put(nlh, type, len, p);
}

/* Requests that are malformed, each next to the valid one it comes from. */
TEST_F_TIMEOUT(nl, malformed_requests, 300)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct raw *r;
	uint16_t u16 = 1;
	uint32_t id, v;
	int dev, pfd, vfd;
	char req[256];

	REQUIRE_VGEN();
	r = malloc(sizeof(*r));
	ASSERT_TRUE(r != NULL);
	raw_open(r, sizeof(r->buf));
	dev = dev_open();
	pfd = partition_create(dev, 2, NULL, 0);
	vgen_ioctl(pfd, VGEN_FINALIZE, NULL);
	vfd = vp_create(pfd, 1);
	{
		struct vgen_inspect *ins = inspect_open();

		id = find_partition(ins, getpid(), 2);
		vgen_inspect_close(ins);
	}

	/* The valid requests. */
	EXPECT_EQ(0, raw_get(r, VGEN_CMD_GET_PARTITION,
			     VGEN_A_PARTITION_ID, id, 0, 0));
	EXPECT_EQ(1, r->msgs);
	EXPECT_EQ(0, raw_get(r, VGEN_CMD_GET_VP, VGEN_A_PARTITION_ID, id,
			     VGEN_A_VP_INDEX, 1));
	EXPECT_EQ(1, r->msgs);

	/* Missing required attributes. */
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_PARTITION, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_VP, VGEN_A_PARTITION_ID,
				   id, 0, 0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_VP, VGEN_A_VP_INDEX, 1,
				   0, 0));
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_VP, ++r->seq);
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));

	/* Out of range values. */
	EXPECT_EQ(-ERANGE, raw_get(r, VGEN_CMD_GET_PARTITION,
				   VGEN_A_PARTITION_ID, 0, 0, 0));
	EXPECT_EQ(-ERANGE, raw_get(r, VGEN_CMD_GET_VP, VGEN_A_PARTITION_ID,
				   id, VGEN_A_VP_INDEX, VGEN_MAX_VPS));
	/* Valid but absent. */
	EXPECT_EQ(-ENOENT, raw_get(r, VGEN_CMD_GET_VP, VGEN_A_PARTITION_ID,
				   id, VGEN_A_VP_INDEX, 0));
	EXPECT_EQ(-ENOENT, raw_get(r, VGEN_CMD_GET_PARTITION,
				   VGEN_A_PARTITION_ID, UINT32_MAX, 0, 0));
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_VP, ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, UINT32_MAX);
	EXPECT_EQ(-ENOENT, raw_transact(r, nlh, nlh->nlmsg_len));

	/* Unknown attribute type, and a reply-only attribute. */
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_PARTITION,
				   VGEN_A_PARTITION_ID, id, VGEN_A_MAX + 1,
				   0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_PARTITION,
				   VGEN_A_PARTITION_ID, id, 200, 0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_PARTITION,
				   VGEN_A_PARTITION_ID, id,
				   VGEN_A_PARTITION_VP_COUNT, 2));
	/* In a dump request too. */
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_VP_RUNS, 1);
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));

	/* VGEN_CMD_GET_VP_REGS and VGEN_CMD_GET_IRQ_ROUTES. */
	EXPECT_EQ(0, raw_get(r, VGEN_CMD_GET_VP_REGS, VGEN_A_PARTITION_ID, id,
			     VGEN_A_VP_INDEX, 1));
	EXPECT_EQ(1, r->msgs);
	EXPECT_EQ(0, raw_get(r, VGEN_CMD_GET_IRQ_ROUTES, VGEN_A_PARTITION_ID,
			     id, 0, 0));
	EXPECT_EQ(1, r->msgs);
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_VP_REGS,
				   VGEN_A_PARTITION_ID, id, 0, 0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_VP_REGS, VGEN_A_VP_INDEX,
				   1, 0, 0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_IRQ_ROUTES, 0, 0, 0, 0));
	EXPECT_EQ(-ERANGE, raw_get(r, VGEN_CMD_GET_VP_REGS,
				   VGEN_A_PARTITION_ID, id, VGEN_A_VP_INDEX,
				   VGEN_MAX_VPS));
	EXPECT_EQ(-ERANGE, raw_get(r, VGEN_CMD_GET_IRQ_ROUTES,
				   VGEN_A_PARTITION_ID, 0, 0, 0));
	EXPECT_EQ(-ENOENT, raw_get(r, VGEN_CMD_GET_VP_REGS,
				   VGEN_A_PARTITION_ID, id, VGEN_A_VP_INDEX,
				   0));
	EXPECT_EQ(-ENOENT, raw_get(r, VGEN_CMD_GET_IRQ_ROUTES,
				   VGEN_A_PARTITION_ID, UINT32_MAX, 0, 0));
	/* Not in the routes policy; reply-only. */
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_IRQ_ROUTES,
				   VGEN_A_PARTITION_ID, id, VGEN_A_VP_INDEX,
				   0));
	EXPECT_EQ(-EINVAL, raw_get(r, VGEN_CMD_GET_VP_REGS,
				   VGEN_A_PARTITION_ID, id, VGEN_A_VP_TPR, 0));
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_VP_REGS,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	mnl_attr_put_u64(nlh, VGEN_A_VP_INDEX, 1);
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));
	/* Do-only commands. */
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_VP_REGS,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	EXPECT_EQ(-EOPNOTSUPP, raw_transact(r, nlh, nlh->nlmsg_len));
	nlh = raw_msg(req, r->family, NLM_F_DUMP, VGEN_CMD_GET_IRQ_ROUTES,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	EXPECT_EQ(-EOPNOTSUPP, raw_transact(r, nlh, nlh->nlmsg_len));

	/* Wrong attribute length: u16 for a u32, u64 for a u32. */
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	put_raw_attr(nlh, VGEN_A_PARTITION_ID, &u16, sizeof(u16));
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	mnl_attr_put_u64(nlh, VGEN_A_PARTITION_ID, id);
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));

	/* Truncated: the attribute claims more than the message holds. */
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	nlh->nlmsg_len -= 2;
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));
	/* Trailing bytes after the last attribute. */
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	v = 0;
	memcpy((char *)nlh + nlh->nlmsg_len, &v, sizeof(v));
	nlh->nlmsg_len += 2;
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));
	/* The genetlink header itself truncated. */
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));
	/* Non-zero reserved field of the genetlink header. */
	nlh = raw_msg(req, r->family, NLM_F_ACK, VGEN_CMD_GET_PARTITION,
		      ++r->seq);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, id);
	g = mnl_nlmsg_get_payload(nlh);
	g->reserved = 1;
	EXPECT_EQ(-EINVAL, raw_transact(r, nlh, nlh->nlmsg_len));

	/* Unknown command; the event command is not a request. */
	EXPECT_EQ(-EOPNOTSUPP, raw_get(r, 42, VGEN_A_PARTITION_ID, id, 0, 0));
	EXPECT_EQ(-EOPNOTSUPP, raw_get(r, VGEN_CMD_EVENT,
				       VGEN_A_PARTITION_ID, id, 0, 0));
	EXPECT_EQ(-EOPNOTSUPP, raw_get(r, VGEN_CMD_UNSPEC,
				       VGEN_A_PARTITION_ID, id, 0, 0));

	/* Still answering normally. */
	EXPECT_EQ(0, raw_get(r, VGEN_CMD_GET_PARTITION,
			     VGEN_A_PARTITION_ID, id, 0, 0));
	close(vfd);
	close(pfd);
	close(dev);
	raw_close(r);
	free(r);
}

/* The library's parser: unknown attributes skipped, bad ones refused. */
TEST_F_TIMEOUT(nl, library_parser, 300)
{
	struct vgen_inspect_partition *p;
	struct vgen_inspect_vp *vp;
	char buf[512], *b = buf;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint64_t v;
	size_t n;
	const struct vgen_inspect_region *rg;

	nlh = raw_msg(buf, 0x20, 0, VGEN_CMD_GET_PARTITION, 1);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, 7);
	mnl_attr_put_u32(nlh, 250, 0xdead);		/* from the future */
	nest = mnl_attr_nest_start(nlh, VGEN_A_PARTITION_REGION);
	mnl_attr_put_u32(nlh, VGEN_A_REGION_SLOT, 3);
	mnl_attr_put_u64(nlh, VGEN_A_REGION_GPA, 0x1000);
	mnl_attr_put_u64(nlh, VGEN_A_REGION_SIZE, 0x2000);
	mnl_attr_put_u32(nlh, 99, 1);			/* from the future */
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(0, vgen_inspect_partition_parse(buf, nlh->nlmsg_len, &p));
	EXPECT_EQ(0, vgen_inspect_partition_attr(p, VGEN_A_PARTITION_ID, &v));
	EXPECT_EQ(7, v);
	EXPECT_EQ(-ENODATA, vgen_inspect_partition_attr(p,
				VGEN_A_PARTITION_OWNER_PID, &v));
	ASSERT_EQ(0, vgen_inspect_partition_regions(p, &rg, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(3, rg[0].slot);
	EXPECT_EQ(0x1000, rg[0].gpa);
	EXPECT_EQ(0x2000, rg[0].size);
	vgen_inspect_partition_free(p);
	/* Wrong command, truncated, wrong length, incomplete region. */
	EXPECT_EQ(-EPROTO, vgen_inspect_vp_parse(buf, nlh->nlmsg_len, &vp));
	EXPECT_EQ(-EPROTO, vgen_inspect_partition_parse(buf,
					nlh->nlmsg_len - 1, &p));
	nlh = raw_msg(buf, 0x20, 0, VGEN_CMD_GET_PARTITION, 1);
	mnl_attr_put_u16(nlh, VGEN_A_PARTITION_ID, 7);
	EXPECT_EQ(-EPROTO, vgen_inspect_partition_parse(b, nlh->nlmsg_len,
							&p));
	nlh = raw_msg(buf, 0x20, 0, VGEN_CMD_GET_PARTITION, 1);
	nest = mnl_attr_nest_start(nlh, VGEN_A_PARTITION_REGION);
	mnl_attr_put_u32(nlh, VGEN_A_REGION_SLOT, 3);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EPROTO, vgen_inspect_partition_parse(b, nlh->nlmsg_len,
							&p));
	/* An attribute running past the end of the message. */
	nlh = raw_msg(buf, 0x20, 0, VGEN_CMD_GET_VP, 1);
	mnl_attr_put_u64(nlh, VGEN_A_VP_RUNS, 5);
	nlh->nlmsg_len -= 4;
	EXPECT_EQ(-EPROTO, vgen_inspect_vp_parse(b, nlh->nlmsg_len, &vp));
	nlh->nlmsg_len += 4;
	ASSERT_EQ(0, vgen_inspect_vp_parse(b, nlh->nlmsg_len, &vp));
	EXPECT_EQ(0, vgen_inspect_vp_attr(vp, VGEN_A_VP_RUNS, &v));
	EXPECT_EQ(5, v);
	vgen_inspect_vp_free(vp);
}

/* Exit status of the unprivileged child: 0, or the failed check's line. */
#define CHILD_CHECK(c)	do { if (!(c)) _exit(__LINE__ & 0xff ?: 1); } while (0)

struct mine_ctx {
	pid_t pid;
	int own, foreign;
};

static int mine_cb(const struct vgen_inspect_partition *p, void *arg)
{
	struct mine_ctx *m = arg;

	if (pattr(p, VGEN_A_PARTITION_OWNER_PID) == (uint64_t)m->pid)
		m->own++;
	else
		m->foreign++;
	return 0;
}

/*
 * Without CAP_SYS_ADMIN (uid nobody): only the caller's own partition is
 * visible; another process's is -ENOENT; events are -EPERM. Root sees
 * both.
 */
TEST_F_TIMEOUT(nl, unprivileged_caller, 300)
{
	struct vgen_inspect_monitor *mon;
	struct vgen_inspect_partition *p;
	struct vgen_inspect *ins;
	int dev, pfd, up[2], down[2], status;
	uint32_t root_id, child_id;
	pid_t child;
	char c;

	REQUIRE_VGEN();
	if (geteuid())
		SKIP(return, "needs root to switch to an unprivileged uid");
	ins = inspect_open();
	dev = dev_open();
	pfd = partition_create(dev, 5, NULL, 0);
	root_id = find_partition(ins, getpid(), 5);
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct mine_ctx m = { .pid = getpid() };
		struct vgen_inspect *cins;
		struct vgen_inspect_vp *vp;
		int cdev, cpfd, vps = 0;

		close(pfd);
		/* /dev/vgen is 0600 root: open it before dropping. */
		cdev = open("/dev/vgen", O_RDWR);
		CHILD_CHECK(cdev >= 0);
		CHILD_CHECK(!setgroups(0, NULL) && !setgid(NOBODY) &&
			    !setuid(NOBODY));
		cpfd = partition_create(cdev, 6, NULL, 0);
		CHILD_CHECK(!vgen_inspect_open(&cins));
		CHILD_CHECK(vgen_inspect_dump_partitions(cins, mine_cb,
							 &m) >= 0);
		CHILD_CHECK(m.own == 1 && m.foreign == 0);
		child_id = find_partition(cins, getpid(), 6);
		CHILD_CHECK(!vgen_inspect_get_partition(cins, child_id, &p));
		CHILD_CHECK(pattr(p, VGEN_A_PARTITION_OWNER_UID) == NOBODY);
		vgen_inspect_partition_free(p);
		CHILD_CHECK(vgen_inspect_get_partition(cins, root_id, &p) ==
			    -ENOENT);
		CHILD_CHECK(vgen_inspect_dump_vps(cins, root_id, churn_vp_cb,
						  &vps) == -ENOENT);
		CHILD_CHECK(vgen_inspect_get_vp(cins, root_id, 0, &vp) ==
			    -ENOENT);
		{
			struct vgen_inspect_irq_route rt[VGEN_IOAPIC_PINS];
			struct vgen_inspect_regs *regs;
			size_t nrt;

			CHILD_CHECK(vgen_inspect_get_vp_regs(cins, root_id, 0,
							     &regs) ==
				    -ENOENT);
			CHILD_CHECK(vgen_inspect_get_irq_routes(cins, root_id,
								rt, &nrt) ==
				    -ENOENT);
			CHILD_CHECK(!vgen_inspect_get_irq_routes(cins,
								 child_id, rt,
								 &nrt));
		}
		CHILD_CHECK(vgen_inspect_monitor_open(&mon) == -EPERM);
		/* Let the parent look, then wait for it. */
		CHILD_CHECK(write(up[1], &child_id, sizeof(child_id)) ==
			    sizeof(child_id));
		CHILD_CHECK(read(down[0], &c, 1) == 1);
		vgen_inspect_close(cins);
		close(cpfd);
		_exit(0);
	}
	if (read(up[0], &child_id, sizeof(child_id)) == sizeof(child_id)) {
		/* Root sees the child's partition. */
		ASSERT_EQ(0, vgen_inspect_get_partition(ins, child_id, &p));
		EXPECT_EQ(child, pattr(p, VGEN_A_PARTITION_OWNER_PID));
		EXPECT_EQ(NOBODY, pattr(p, VGEN_A_PARTITION_OWNER_UID));
		EXPECT_EQ(6, pattr(p, VGEN_A_PARTITION_VP_COUNT));
		vgen_inspect_partition_free(p);
	}
	c = 0;
	EXPECT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the unprivileged child failed at line %d (mod 256)",
		       WEXITSTATUS(status));
	}
	close(pfd);
	close(dev);
	vgen_inspect_close(ins);
}

/* ------------------------------------- registers, APIC and routes */

/* Software-enable a VP's local APIC (SVR bit 8) from the host. */
static void lapic_sw_enable(struct vcpu *vcpu)
{
	struct vgen_lapic_state s = { 0 };
	uint32_t svr;

	vgen_ioctl(vcpu->fd, VGEN_GET_LAPIC, &s);
	memcpy(&svr, &s.regs[0xf0], sizeof(svr));
	svr |= 0x100;
	memcpy(&s.regs[0xf0], &svr, sizeof(svr));
	vgen_ioctl(vcpu->fd, VGEN_SET_LAPIC, &s);
}

static uint32_t lapic_reg(const struct vgen_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, &s->regs[off], sizeof(v));
	return v;
}

static bool vec_set(const uint8_t *map, unsigned int v)
{
	return map[v / 8] & (1U << (v % 8));
}

static int vec_count(const uint8_t *map)
{
	int i, n = 0;

	for (i = 0; i < 256; i++)
		n += vec_set(map, i);
	return n;
}

/*
 * A register snapshot; -EAGAIN (the VP did not answer in time, allowed
 * by the ABI) is retried: the harness timeout bounds it.
 */
static struct vgen_inspect_regs *get_regs(struct vgen_inspect *ins,
					  uint32_t id, uint32_t index)
{
	struct vgen_inspect_regs *r;
	int ret;

	while ((ret = vgen_inspect_get_vp_regs(ins, id, index, &r)) ==
	       -EAGAIN)
		;
	TEST_ASSERT(!ret, "get VP regs %u/%u: %s", id, index, strerror(-ret));
	return r;
}

static uint64_t rattr(const struct vgen_inspect_regs *r, unsigned int a)
{
	uint64_t v;
	int ret = vgen_inspect_regs_attr(r, a, &v);

	TEST_ASSERT(!ret, "regs attribute %u: %s", a, strerror(-ret));
	return v;
}

/* Wait (bounded by the harness) until VP 0 of @id is in @state. */
static void wait_state(struct vgen_inspect *ins, uint32_t id, uint64_t state)
{
	struct timespec ms = { 0, 1000000 };
	struct vgen_inspect_vp *vp;
	uint64_t now;

	for (;;) {
		vp = get_vp(ins, id, 0);
		now = vattr(vp, VGEN_A_VP_STATE);
		vgen_inspect_vp_free(vp);
		if (now == state)
			return;
		nanosleep(&ms, NULL);
	}
}

struct runner {
	void (*guest)(void);
	bool apic_enable;
	struct vm *vm;
	struct vcpu *vcpu;
	volatile int ready;
	int ret;
	pid_t tid;
};

static void *runner_thread(void *arg)
{
	struct runner *s = arg;

	s->vm = vm_create_with_vcpu(s->guest, &s->vcpu);
	if (s->apic_enable)
		lapic_sw_enable(s->vcpu);
	s->tid = gettid();
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	s->ret = __vcpu_run(s->vcpu);
	return NULL;
}

static void runner_start(struct runner *s, pthread_t *t)
{
	struct timespec ms = { 0, 1000000 };

	TEST_ASSERT(!pthread_create(t, NULL, runner_thread, s), "thread");
	while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE))
		nanosleep(&ms, NULL);
}

/*
 * The instructions retired before guest_nl_loop's loop, from a snapshot
 * inside it: every iteration is INC RAX (3 bytes) then JMP, so a snapshot
 * at the JMP has retired one instruction more than 2 * RAX.
 */
static int64_t loop_base(const struct vgen_regs *regs, uint64_t insns)
{
	bool at_jmp = regs->rip == (uint64_t)(uintptr_t)nl_loop_start + 3;

	return (int64_t)insns - 2 * (int64_t)regs->gpr[0] + (at_jmp ? 1 : 0);
}

/*
 * A snapshot of a spinning VP is taken by its run thread without stopping
 * it: the loop's registers, and registers and instruction count from the
 * same instant; a stopped VP's snapshot equals VGEN_GET_REGS/SREGS.
 */
TEST_F_TIMEOUT(nl, vp_regs_snapshot, 300)
{
	struct runner s = { .guest = guest_nl_loop };
	struct vgen_inspect_regs *r;
	struct vgen_regs regs, regs2, ioregs;
	struct vgen_sregs sregs, iosregs;
	struct vgen_lapic_state lapic;
	struct vgen_inspect *ins;
	uint64_t insns, insns2;
	pthread_t t;
	uint32_t id;

	REQUIRE_VGEN();
	ins = inspect_open();
	runner_start(&s, &t);
	id = find_partition(ins, getpid(), 1);
	wait_state(ins, id, VGEN_VP_STATE_RUNNING);

	/* Wait until the loop runs (RBX set). */
	do {
		r = get_regs(ins, id, 0);
		ASSERT_EQ(0, vgen_inspect_regs_get(r, &regs, &sregs));
		insns = rattr(r, VGEN_A_VP_INSNS_RETIRED);
		vgen_inspect_regs_free(r);
	} while (regs.gpr[3] != NL_LOOP_RBX);
	EXPECT_TRUE(regs.rip == (uint64_t)(uintptr_t)nl_loop_start ||
		    regs.rip == (uint64_t)(uintptr_t)nl_loop_start + 3)
		TH_LOG("rip %llx, loop at %p", (unsigned long long)regs.rip,
		       nl_loop_start);

	/* A later snapshot: RAX moved on, consistently with the count. */
	do {
		r = get_regs(ins, id, 0);
		ASSERT_EQ(0, vgen_inspect_regs_get(r, &regs2, NULL));
		insns2 = rattr(r, VGEN_A_VP_INSNS_RETIRED);
		EXPECT_EQ(VGEN_ACTIVITY_RUNNING,
			  rattr(r, VGEN_A_VP_ACTIVITY));
		EXPECT_EQ(id, rattr(r, VGEN_A_PARTITION_ID));
		EXPECT_EQ(0, rattr(r, VGEN_A_VP_INDEX));
		/* An in-kernel APIC: its state comes along. */
		EXPECT_EQ(0, vgen_inspect_regs_lapic(r, &lapic));
		vgen_inspect_regs_free(r);
	} while (regs2.gpr[0] == regs.gpr[0]);
	EXPECT_LT(regs.gpr[0], regs2.gpr[0]);
	EXPECT_LT(insns, insns2);
	EXPECT_EQ(NL_LOOP_RBX, regs2.gpr[3]);
	EXPECT_EQ(loop_base(&regs, insns), loop_base(&regs2, insns2));
	/* Still running: a snapshot does not stop the VP. */
	wait_state(ins, id, VGEN_VP_STATE_RUNNING);

	ASSERT_EQ(0, vgen_partition_request_yield(s.vm->part, 0));
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(VGEN_EXIT_YIELD, s.vcpu->run->exit_reason);

	/* Stopped: read directly, equal to the ioctls. */
	r = get_regs(ins, id, 0);
	ASSERT_EQ(0, vgen_inspect_regs_get(r, &regs, &sregs));
	vgen_ioctl(s.vcpu->fd, VGEN_GET_REGS, &ioregs);
	vgen_ioctl(s.vcpu->fd, VGEN_GET_SREGS, &iosregs);
	EXPECT_EQ(0, memcmp(&regs, &ioregs, sizeof(regs)));
	EXPECT_EQ(0, memcmp(&sregs, &iosregs, sizeof(sregs)));
	vgen_inspect_regs_free(r);

	/* No such VP. */
	EXPECT_EQ(-ENOENT, vgen_inspect_get_vp_regs(ins, id, 1, &r));
	vm_destroy(s.vm);
	vgen_inspect_close(ins);
}

/*
 * A VP halted with TPR 15 and a vector sent to it: reported halted, the
 * vector in the IRR summary (not taken), nothing in service; its
 * register snapshot is made without waking it for good.
 */
TEST_F_TIMEOUT(nl, vp_halted_pending_irq, 300)
{
	struct runner s = { .guest = guest_nl_halt_masked,
			    .apic_enable = true };
	uint8_t irr[VGEN_GENL_VECTOR_BITMAP], isr[VGEN_GENL_VECTOR_BITMAP];
	struct timespec ms = { 0, 1000000 };
	struct vgen_msi msi = { .address = 0xfee00000, .data = NL_VECTOR };
	struct vgen_lapic_state lapic;
	struct vgen_inspect_regs *r;
	struct vgen_inspect_vp *vp;
	struct vgen_inspect *ins;
	struct vgen_regs regs;
	pthread_t t;
	uint32_t id;

	REQUIRE_VGEN();
	ins = inspect_open();
	runner_start(&s, &t);
	id = find_partition(ins, getpid(), 1);
	wait_state(ins, id, VGEN_VP_STATE_HALTED);

	vp = get_vp(ins, id, 0);
	EXPECT_EQ(VGEN_ACTIVITY_HALTED, vattr(vp, VGEN_A_VP_ACTIVITY));
	EXPECT_EQ(s.tid, vattr(vp, VGEN_A_VP_RUN_TID));
	EXPECT_EQ(VGEN_EXIT_HLT, vattr(vp, VGEN_A_VP_LAST_HALT));
	EXPECT_EQ(1, vattr(vp, VGEN_A_VP_HALTS));
	EXPECT_EQ(0xf0, vattr(vp, VGEN_A_VP_TPR));
	EXPECT_EQ(0xf0, vattr(vp, VGEN_A_VP_PPR));
	ASSERT_EQ(0, vgen_inspect_vp_vectors(vp, irr, isr));
	EXPECT_EQ(0, vec_count(irr));
	EXPECT_EQ(0, vec_count(isr));
	vgen_inspect_vp_free(vp);

	/* Accepted by the APIC, masked by TPR: pending, VP still halted. */
	EXPECT_EQ(1, vgen_ioctl(s.vm->fd, VGEN_SIGNAL_MSI, &msi));
	for (;;) {
		vp = get_vp(ins, id, 0);
		ASSERT_EQ(0, vgen_inspect_vp_vectors(vp, irr, isr));
		if (vec_set(irr, NL_VECTOR))
			break;
		vgen_inspect_vp_free(vp);
		nanosleep(&ms, NULL);
	}
	EXPECT_EQ(1, vec_count(irr));
	EXPECT_EQ(0, vec_count(isr));
	EXPECT_EQ(VGEN_VP_STATE_HALTED, vattr(vp, VGEN_A_VP_STATE));
	vgen_inspect_vp_free(vp);

	/* A snapshot of the halted VP: after the HLT, the vector pending. */
	r = get_regs(ins, id, 0);
	ASSERT_EQ(0, vgen_inspect_regs_get(r, &regs, NULL));
	EXPECT_EQ((uint64_t)(uintptr_t)nl_after_hlt, regs.rip);
	EXPECT_EQ(VGEN_ACTIVITY_HALTED, rattr(r, VGEN_A_VP_ACTIVITY));
	ASSERT_EQ(0, vgen_inspect_regs_lapic(r, &lapic));
	EXPECT_EQ(0xf0, lapic_reg(&lapic, 0x80));
	EXPECT_EQ(1U << (NL_VECTOR % 32),
		  lapic_reg(&lapic, 0x200 + NL_VECTOR / 32 * 0x10));
	vgen_inspect_regs_free(r);
	/* It went back to sleep: still halted, no new HLT. */
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(1, vattr(vp, VGEN_A_VP_HALTS));
	ASSERT_EQ(0, vgen_inspect_vp_vectors(vp, irr, isr));
	EXPECT_TRUE(vec_set(irr, NL_VECTOR));
	vgen_inspect_vp_free(vp);
	wait_state(ins, id, VGEN_VP_STATE_HALTED);

	ASSERT_EQ(0, vgen_partition_request_yield(s.vm->part, 0));
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(VGEN_EXIT_YIELD, s.vcpu->run->exit_reason);
	vp = get_vp(ins, id, 0);
	EXPECT_EQ(VGEN_VP_STATE_STOPPED, vattr(vp, VGEN_A_VP_STATE));
	EXPECT_EQ(VGEN_ACTIVITY_HALTED, vattr(vp, VGEN_A_VP_ACTIVITY));
	EXPECT_EQ(0, vattr(vp, VGEN_A_VP_RUN_TID));
	vgen_inspect_vp_free(vp);
	vm_destroy(s.vm);
	vgen_inspect_close(ins);
}

static void route_set(int pfd, uint32_t irq, uint64_t address, uint32_t data)
{
	struct vgen_irq_route rt = {
		.irq = irq,
		.flags = VGEN_IRQ_ROUTE_MSI,
		.address = address,
		.data = data,
	};

	vgen_ioctl(pfd, VGEN_SET_IRQ_ROUTE, &rt);
}

static long irq_assert(int pfd, uint32_t irq)
{
	struct vgen_irq a = { .irq = irq };

	return vgen_ioctl(pfd, VGEN_ASSERT_IRQ, &a);
}

/* The routes the test set, with the counts of its asserts. */
TEST_F_TIMEOUT(nl, irq_routes, 300)
{
	struct vgen_inspect_irq_route rt[VGEN_IOAPIC_PINS];
	struct vgen_inspect *ins;
	struct vcpu *vcpu;
	struct vm *vm;
	size_t n, i;
	uint32_t id;
	int k;

	REQUIRE_VGEN();
	ins = inspect_open();
	vm = vm_create_with_vcpu(guest_nl_spin, &vcpu);
	lapic_sw_enable(vcpu);
	id = find_partition(ins, getpid(), 1);

	ASSERT_EQ(0, vgen_inspect_get_irq_routes(ins, id, rt, &n));
	ASSERT_EQ(VGEN_IOAPIC_PINS, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i, rt[i].irq);
		EXPECT_EQ(0, rt[i].flags);
		EXPECT_EQ(0, rt[i].delivered + rt[i].dropped);
	}

	route_set(vm->fd, 3, 0xfee00000, 0x45);
	route_set(vm->fd, 5, 0xfee00000, 0x8046);	/* level */
	for (k = 0; k < 5; k++)
		EXPECT_EQ(1, irq_assert(vm->fd, 3));
	for (k = 0; k < 2; k++)
		EXPECT_EQ(0, irq_assert(vm->fd, 9));	/* unrouted */

	ASSERT_EQ(0, vgen_inspect_get_irq_routes(ins, id, rt, &n));
	ASSERT_EQ(VGEN_IOAPIC_PINS, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i, rt[i].irq);
		switch (i) {
		case 3:
			EXPECT_EQ(VGEN_IRQ_ROUTE_MSI, rt[i].flags);
			EXPECT_EQ(0xfee00000, rt[i].address);
			EXPECT_EQ(0x45, rt[i].data);
			EXPECT_EQ(5, rt[i].delivered);
			EXPECT_EQ(0, rt[i].dropped);
			break;
		case 5:
			EXPECT_EQ(VGEN_IRQ_ROUTE_MSI, rt[i].flags);
			EXPECT_EQ(0xfee00000, rt[i].address);
			EXPECT_EQ(0x8046, rt[i].data);
			EXPECT_EQ(0, rt[i].delivered + rt[i].dropped);
			break;
		case 9:
			EXPECT_EQ(0, rt[i].flags);
			EXPECT_EQ(0, rt[i].delivered);
			EXPECT_EQ(2, rt[i].dropped);
			break;
		default:
			EXPECT_EQ(0, rt[i].flags);
			EXPECT_EQ(0, rt[i].address);
			EXPECT_EQ(0, rt[i].delivered + rt[i].dropped);
			break;
		}
	}
	vm_destroy(vm);

	/* No in-kernel APIC: no lines. */
	vm = vm_create_with_vcpu_flags(guest_nl_spin, &vcpu,
				       VGEN_PROTO_USER_MODE_APIC);
	id = find_partition(ins, getpid(), 1);
	ASSERT_EQ(0, vgen_inspect_get_irq_routes(ins, id, rt, &n));
	EXPECT_EQ(0, n);
	vm_destroy(vm);
	EXPECT_EQ(-ENOENT, vgen_inspect_get_irq_routes(ins, 4000000000U, rt,
						       &n));
	vgen_inspect_close(ins);
}

/* vgenctl next to the test binary (the VM) or in the build tree. */
static bool find_vgenctl(char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;

	snprintf(path, len, "./vgenctl");
	if (!access(path, X_OK))
		return true;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	snprintf(path, len, "%s/../libvgen/vgenctl", dirname(self));
	return !access(path, X_OK);
}

/* Run a command; its output (stdout and stderr) in @out. */
static int run_cmd(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;
	int status;

	TEST_ASSERT(f, "popen");
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F_TIMEOUT(nl, vgenctl, 300)
{
	char tool[PATH_MAX], cmd[PATH_MAX + 64], want[64];
	static char out[65536];
	struct vgen_inspect *ins;
	int dev, pfd, vfd;
	uint32_t id;

	REQUIRE_VGEN();
	if (!find_vgenctl(tool, sizeof(tool)))
		SKIP(return, "vgenctl not found");
	ins = inspect_open();
	dev = dev_open();
	pfd = partition_create(dev, 7, NULL, 0);
	vgen_ioctl(pfd, VGEN_FINALIZE, NULL);
	vfd = vp_create(pfd, 3);
	id = find_partition(ins, getpid(), 7);

	snprintf(cmd, sizeof(cmd), "%s show --json %u 2>&1", tool, id);
	ASSERT_EQ(0, run_cmd(cmd, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "\"id\": %u,", id);
	EXPECT_TRUE(strstr(out, want) != NULL) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"vp_count\": 7,") != NULL) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"index\": 3,") != NULL) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"irq_routes\": [") != NULL)
		TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"activity\": \"") != NULL)
		TH_LOG("%s", out);

	snprintf(cmd, sizeof(cmd), "%s show 2>&1", tool);
	ASSERT_EQ(0, run_cmd(cmd, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "partition %u: owner pid %d", id,
		 getpid());
	EXPECT_TRUE(strstr(out, want) != NULL) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "  vp 3: apic id 3, stopped") != NULL)
		TH_LOG("%s", out);


	snprintf(cmd, sizeof(cmd), "%s show %u 3 2>&1", tool, id);
	ASSERT_EQ(0, run_cmd(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "vp 3:") != NULL) TH_LOG("%s", out);
	/* One VP: with its registers (power-on: RIP 0xfff0). */
	EXPECT_TRUE(strstr(out, "    rip 000000000000fff0") != NULL)
		TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s show --json %u 3 2>&1", tool, id);
	ASSERT_EQ(0, run_cmd(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "\"regs\": {\"rip\": 65520,") != NULL)
		TH_LOG("%s", out);

	/* Clear errors. */
	snprintf(cmd, sizeof(cmd), "%s show 4000000000 2>&1", tool);
	EXPECT_EQ(1, run_cmd(cmd, out, sizeof(out)));
	EXPECT_TRUE(strstr(out, "no such partition: 4000000000") != NULL)
		TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s show %u 2 2>&1", tool, id);
	EXPECT_EQ(1, run_cmd(cmd, out, sizeof(out)));
	EXPECT_TRUE(strstr(out, "no such VP: 2") != NULL) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s frobnicate 2>&1", tool);
	EXPECT_EQ(2, run_cmd(cmd, out, sizeof(out)));

	close(vfd);
	close(pfd);
	close(dev);
	vgen_inspect_close(ins);
}

TEST_HARNESS_MAIN
