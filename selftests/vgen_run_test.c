// SPDX-License-Identifier: GPL-2.0
/*
 * vgen-run on every backend (vgen, kvm, the default): the demo guest on
 * one VP and on two (IOAPIC edge interrupt from VP1 to VP0), a level-
 * triggered IOAPIC pin with remote IRR and re-delivery on EOI
 * (vr_level.elf), an exit code from VP1 while VP0 is halted (vr_exit.elf),
 * a triple fault, an emulation failure, a bad interrupt port value, the
 * --stats output (per-VP exit counts and halt), and bad guests (not an
 * ELF, an image in the loader area, an image overlapping the VP stacks,
 * bad --vps, a missing file). vgen-run and the guests are looked up next
 * to this program (the test VM) or in the build tree. Where the kvm
 * backend has no IOAPIC routing (vgen_partition_set_irq_route()
 * -EOPNOTSUPP) the IOAPIC cases are skipped with that reason.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"

#define OUT_MAX	8192

struct vr_result {
	int status;		/* exit status, or -1 if not exited */
	char out[OUT_MAX];	/* stdout */
	char err[OUT_MAX];	/* stderr */
};

/* @name in the directory of this program, else @alt relative to it. */
static int find_file(const char *name, const char *alt, char *path)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(path, PATH_MAX, "%s/%s", self, name);
	if (!access(path, R_OK))
		return 0;
	snprintf(path, PATH_MAX, "%s/%s", self, alt);
	return access(path, R_OK) ? -1 : 0;
}

static void read_all(int fd, char *buf)
{
	size_t len = 0;
	ssize_t n;

	while (len < OUT_MAX - 1) {
		n = read(fd, buf + len, OUT_MAX - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	close(fd);
}

/*
 * Run vgen-run [--backend @backend] ARGS... with the NULL-terminated
 * arguments (the last one is the guest, looked up like vgen-run unless it
 * is an absolute path).
 */
static int run_vgen_run(const char *backend, struct vr_result *r, ...)
{
	char prog[PATH_MAX], guest[PATH_MAX], alt[PATH_MAX];
	const char *argv[32];
	int out[2], err[2], st, n = 0;
	const char *a, *last = NULL;
	va_list ap;
	pid_t pid;

	if (find_file("vgen-run", "../libvgen/vgen-run", prog))
		return -ENOENT;
	argv[n++] = prog;
	if (backend) {
		argv[n++] = "--backend";
		argv[n++] = backend;
	}
	va_start(ap, r);
	while ((a = va_arg(ap, const char *)) && n < 30) {
		argv[n++] = a;
		last = a;
	}
	va_end(ap);
	if (!last)
		return -EINVAL;
	if (last[0] != '/') {
		snprintf(alt, sizeof(alt), "guests/%s", last);
		if (find_file(last, alt, guest))
			return -ENOENT;
		argv[n - 1] = guest;
	}
	argv[n] = NULL;
	if (pipe(out) || pipe(err))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* The output is small: read stdout, then stderr. */
	read_all(out[0], r->out);
	read_all(err[0], r->err);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

/* Does @backend route IOAPIC lines (vgen_partition_set_irq_route())? */
static int irq_route_support(const char *backend)
{
	struct vgen_proto_config cfg = { .vp_count = 1 };
	struct vgen_hypervisor *hv;
	struct vgen_partition *part;
	struct vgen_proto *proto;
	int ret;

	ret = vgen_hypervisor_open(backend, &hv);
	if (ret)
		return ret;
	ret = vgen_hypervisor_new_partition(hv, &cfg, &proto);
	if (!ret) {
		ret = vgen_proto_build(proto, &part);
		if (ret) {
			vgen_proto_close(proto);
		} else {
			ret = vgen_partition_set_irq_route(part, 0, NULL);
			vgen_partition_close(part);
		}
	}
	vgen_hypervisor_close(hv);
	return ret;
}

/* @a occurs in @s before @b. */
static int in_order(const char *s, const char *a, const char *b)
{
	const char *pa = strstr(s, a), *pb = strstr(s, b);

	return pa && pb && pa < pb;
}

/* The --stats line of VP @vp for exit @name with count @n. */
static int has_count(const char *err, unsigned int vp, const char *name,
		     unsigned long long n)
{
	char want[96];

	snprintf(want, sizeof(want), "vgen-run: vp%u:   %-15s %llu\n", vp,
		 name, n);
	return strstr(err, want) != NULL;
}

FIXTURE(vgen_run) {
	int err;
	struct vr_result *r;
};

FIXTURE_VARIANT(vgen_run) {
	const char *name;	/* NULL: no --backend */
};

FIXTURE_VARIANT_ADD(vgen_run, vgen) {
	.name = "vgen",
};

FIXTURE_VARIANT_ADD(vgen_run, kvm) {
	.name = "kvm",
};

FIXTURE_VARIANT_ADD(vgen_run, best) {
	.name = NULL,
};

FIXTURE_SETUP(vgen_run)
{
	self->err = vgen_test_backend_check(variant->name);
	self->r = calloc(1, sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
}

FIXTURE_TEARDOWN(vgen_run)
{
	free(self->r);
}

#define REQUIRE_BACKEND()						\
	do {								\
		const char *why = getenv("VGEN_NO_KVM_REASON");		\
		if (self->err)						\
			SKIP(return, "backend %s not available: %s%s%s", \
			     variant->name ?: "(best)",			\
			     strerror(-self->err),			\
			     why && variant->name ? " - " : "",		\
			     why && variant->name ? why : "");		\
	} while (0)

#define REQUIRE_IOAPIC()						\
	do {								\
		int __e = irq_route_support(variant->name);		\
		if (__e)						\
			SKIP(return, "backend %s cannot route IOAPIC lines (vgen_partition_set_irq_route: %s)", \
			     variant->name ?: "(best)", strerror(-__e)); \
	} while (0)

#define VR_RUN(...)							\
	do {								\
		if (run_vgen_run(variant->name, self->r, __VA_ARGS__,	\
				 (char *)NULL) == -ENOENT)		\
			SKIP(return, "vgen-run or a guest not found");	\
	} while (0)

#define VR_LOG()							\
	TH_LOG("status %d\nstdout: %s\nstderr: %s", self->r->status,	\
	       self->r->out, self->r->err)

/* The debug kernel (KASAN, TCG) is slow at pinning guest memory. */
TEST_F_TIMEOUT(vgen_run, demo, 120)
{
	struct vr_result *r = self->r;
	struct vgen_hypervisor *hv;
	char want[64];

	REQUIRE_BACKEND();
	VR_RUN("--mem", "8M", "--stats", "demo.elf");
	/* Which backend "best available" is. */
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	snprintf(want, sizeof(want), "vgen-run: backend %s\n",
		 vgen_hypervisor_backend_name(hv));
	vgen_hypervisor_close(hv);

	EXPECT_EQ(0, r->status) VR_LOG();
	EXPECT_NE(NULL, strstr(r->out, "Hello from a vgen guest!\n"));
	EXPECT_NE(NULL, strstr(r->out, "crc32(\"123456789\") = cbf43926\n"));
	EXPECT_NE(NULL, strstr(r->err, want)) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: 1 VP\n")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: vp0: ")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, " exits in ")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, ", halt stop\n")) VR_LOG();
	EXPECT_EQ(NULL, strstr(r->err, "vgen-run: vp1:")) VR_LOG();
	/* The guest's OUTs: the exit-port write is the last one counted. */
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: vp0:   io ")) VR_LOG();
}

/* make run: VP1 raises IOAPIC pin 5 (edge), VP0's handler takes it. */
TEST_F_TIMEOUT(vgen_run, demo_two_vps, 120)
{
	struct vr_result *r = self->r;

	REQUIRE_BACKEND();
	REQUIRE_IOAPIC();
	VR_RUN("--mem", "8M", "--vps", "2", "--stats", "demo.elf");
	ASSERT_EQ(0, r->status) VR_LOG();
	EXPECT_TRUE(in_order(r->out,
			     "VP0: IOAPIC version 0x00170011, pin 5 -> vector 0x40 on VP0; waiting\n",
			     "VP1: Hello from a vgen guest!\n")) VR_LOG();
	EXPECT_TRUE(in_order(r->out, "crc32(\"123456789\") = cbf43926\n",
			     "VP1: raising IOAPIC pin 5 (port 0x510)\n"))
		VR_LOG();
	EXPECT_TRUE(in_order(r->out, "VP1: raising IOAPIC pin 5",
			     "VP0: took vector 0x40 (IOAPIC pin 5) in its handler\n"))
		VR_LOG();
	EXPECT_TRUE(in_order(r->out, "VP0: took vector 0x40",
			     "VP1: VP0 got the interrupt\n")) VR_LOG();
	EXPECT_TRUE(in_order(r->out, "VP1: VP0 got the interrupt\n",
			     "VP0: both VPs done, exit code 0\n")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: 2 VPs\n")) VR_LOG();
	EXPECT_TRUE(in_order(r->err, "vgen-run: vp0: ", "vgen-run: vp1: "))
		VR_LOG();
	/* Both VPs were stopped by VP0's exit-port write. */
	EXPECT_TRUE(in_order(r->err, ", halt stop\n", "vgen-run: vp1: "))
		VR_LOG();
	EXPECT_NE(NULL, strstr(strstr(r->err, "vgen-run: vp1: ") ?: "",
			       ", halt stop\n")) VR_LOG();
	/* VP0's IOAPIC accesses: 2 route writes (4 MMIO) + 2 for the version. */
	EXPECT_TRUE(has_count(r->err, 0, "mmio", 6)) VR_LOG();
}

/* A level-triggered pin: remote IRR, re-delivery on EOI, then lowered. */
TEST_F_TIMEOUT(vgen_run, ioapic_level, 120)
{
	struct vr_result *r = self->r;

	REQUIRE_BACKEND();
	REQUIRE_IOAPIC();
	VR_RUN("--mem", "8M", "--stats", "vr_level.elf");
	EXPECT_EQ(0, r->status) VR_LOG();
	EXPECT_TRUE(in_order(r->out, "level: first interrupt\n",
			     "level: second interrupt\n")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->out, "level: ok\n")) VR_LOG();
	/* Each of the two interrupts was EOI'd once (VGEN_EXIT_EOI). */
	EXPECT_TRUE(has_count(r->err, 0, "eoi", 2)) VR_LOG();
}

/* VP1's exit code ends the run; VP0, halted, is stopped too. */
TEST_F_TIMEOUT(vgen_run, exit_code, 120)
{
	struct vr_result *r = self->r;

	REQUIRE_BACKEND();
	VR_RUN("--mem", "8M", "--vps", "2", "--stats", "vr_exit.elf");
	EXPECT_EQ(42, r->status) VR_LOG();
	EXPECT_NE(NULL, strstr(r->out, "exit: VP1 exits with 42\n")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: vp0: ")) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: vp1: ")) VR_LOG();
	EXPECT_EQ(NULL, strstr(r->err, "halt triple")) VR_LOG();
}

TEST_F_TIMEOUT(vgen_run, triple_fault, 120)
{
	struct vr_result *r = self->r;

	REQUIRE_BACKEND();
	VR_RUN("--mem", "8M", "vr_tf.elf");
	EXPECT_EQ(2, r->status) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: vp0: guest triple fault at rip 0x"))
		VR_LOG();
}

TEST_F_TIMEOUT(vgen_run, emulation_failure, 120)
{
	struct vr_result *r = self->r;

	struct vgen_hypervisor *hv;
	int kvm;

	REQUIRE_BACKEND();
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	kvm = !strcmp(vgen_hypervisor_backend_name(hv), "kvm");
	vgen_hypervisor_close(hv);
	VR_RUN("--mem", "8M", "vr_emu.elf");
	EXPECT_EQ(3, r->status) VR_LOG();
	/* KVM reports the instruction's RIP its own way. */
	EXPECT_NE(NULL, strstr(r->err, kvm ?
			       "vgen-run: vp0: emulation failure: suberror 1 rip 0x" :
			       "vgen-run: vp0: emulation failure: suberror 1 rip 0xd0000000"))
		VR_LOG();
}

TEST_F_TIMEOUT(vgen_run, bad_irq_port, 120)
{
	struct vr_result *r = self->r;

	REQUIRE_BACKEND();
	VR_RUN("--mem", "8M", "vr_badirq.elf");
	EXPECT_EQ(3, r->status) VR_LOG();
	EXPECT_NE(NULL, strstr(r->err, "vgen-run: vp0: interrupt port 0x510: bad value 0x3ff"))
		VR_LOG();
}

TEST(unknown_backend)
{
	struct vr_result *r = calloc(1, sizeof(*r));

	ASSERT_NE(NULL, r);
	if (run_vgen_run("bogus", r, "demo.elf", (char *)NULL) == -ENOENT)
		SKIP(free(r); return, "vgen-run or demo.elf not found");
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "unknown backend 'bogus'"));
	EXPECT_EQ(0, r->out[0]);
	free(r);
}

/* Write @len bytes to a new temporary file; its name goes to @path. */
static int write_tmp(const void *buf, size_t len, char *path)
{
	int fd;

	strcpy(path, "/tmp/vgen_run_test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* Bad guests and arguments: a clear message, exit status 1, no output. */
TEST(bad_guests)
{
	struct vr_result *r = calloc(1, sizeof(*r));
	char demo[PATH_MAX], prog[PATH_MAX], tmp[64];
	static char elf[1 << 20];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	Elf64_Phdr *ph;
	ssize_t len;
	int fd;

	ASSERT_NE(NULL, r);
	/* Every case fails before a partition is created: quick. */
	if (find_file("demo.elf", "guests/demo.elf", demo) ||
	    find_file("vgen-run", "../libvgen/vgen-run", prog))
		SKIP(free(r); return, "vgen-run or demo.elf not found");

	/* Not an ELF file. */
	ASSERT_EQ(0, write_tmp("hello, world\n", 13, tmp));
	ASSERT_EQ(0, run_vgen_run(NULL, r, tmp, (char *)NULL));
	unlink(tmp);
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "not a valid static x86-64 ELF64 executable"))
		TH_LOG("stderr: %s", r->err);
	EXPECT_EQ(0, r->out[0]);

	/* The demo with its first segment moved into the loader area. */
	fd = open(demo, O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, elf, sizeof(elf));
	close(fd);
	ASSERT_LT(0, len);
	ASSERT_LT(0, eh->e_phnum);
	ph = (Elf64_Phdr *)(elf + eh->e_phoff);
	while (ph->p_type != PT_LOAD)
		ph++;
	ph->p_paddr = 0x1000;
	ASSERT_EQ(0, write_tmp(elf, (size_t)len, tmp));
	ASSERT_EQ(0, run_vgen_run(NULL, r, tmp, (char *)NULL));
	unlink(tmp);
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "image does not fit in guest RAM"))
		TH_LOG("stderr: %s", r->err);

	/* 48 stacks of 64 KiB reach down into the image at 1 MiB. */
	ASSERT_EQ(0, run_vgen_run(NULL, r, "--mem", "4M", "--vps", "48",
				  "demo.elf", (char *)NULL));
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "inside the VP stacks [0x100000, 0x400000)"))
		TH_LOG("stderr: %s", r->err);
	EXPECT_EQ(0, r->out[0]);

	ASSERT_EQ(0, run_vgen_run(NULL, r, "--vps", "0", "demo.elf",
				  (char *)NULL));
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "--vps 0: need a number of VPs from 1 to 64"))
		TH_LOG("stderr: %s", r->err);

	ASSERT_EQ(0, run_vgen_run(NULL, r, "--mem", "3M", "demo.elf",
				  (char *)NULL));
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "--mem must be a multiple of 2M"));

	ASSERT_EQ(0, run_vgen_run(NULL, r, "/nonexistent/guest.elf",
				  (char *)NULL));
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "/nonexistent/guest.elf: No such file or directory"))
		TH_LOG("stderr: %s", r->err);
	free(r);
}

TEST_HARNESS_MAIN
