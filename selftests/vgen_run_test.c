// SPDX-License-Identifier: GPL-2.0
/*
 * vgen-run on every backend: runs the demo guest with
 * "vgen-run --backend vgen|kvm --mem 8M --stats demo.elf" and without
 * --backend, and checks its output, the backend it reports and its exit
 * status; an unknown backend is refused. vgen-run and demo.elf are looked up next to
 * this program (the test VM) or in the build tree.
 */
#include <errno.h>
#include <fcntl.h>
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

/* Run vgen-run with @backend (NULL: no --backend) on the demo guest. */
static int run_vgen_run(const char *backend, struct vr_result *r)
{
	char prog[PATH_MAX], demo[PATH_MAX];
	int out[2], err[2], st;
	pid_t pid;

	if (find_file("vgen-run", "../libvgen/vgen-run", prog) ||
	    find_file("demo.elf", "guests/demo.elf", demo))
		return -ENOENT;
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
		if (backend)
			execl(prog, prog, "--backend", backend, "--mem", "8M",
			      "--stats", demo, (char *)NULL);
		else
			execl(prog, prog, "--mem", "8M", "--stats", demo,
			      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* The guest's output is small: read stdout, then stderr. */
	read_all(out[0], r->out);
	read_all(err[0], r->err);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

FIXTURE(vgen_run) {
	int err;
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
}

FIXTURE_TEARDOWN(vgen_run)
{
}

/* The debug kernel (KASAN, TCG) is slow at pinning guest memory. */
TEST_F_TIMEOUT(vgen_run, demo, 120)
{
	struct vr_result *r = calloc(1, sizeof(*r));
	struct vgen_hypervisor *hv;
	char want[64];
	const char *reason = getenv("VGEN_NO_KVM_REASON");

	ASSERT_NE(NULL, r);
	if (self->err)
		SKIP(free(r); return, "backend %s not available: %s%s%s",
		     variant->name ?: "(best)", strerror(-self->err),
		     reason && variant->name ? " - " : "",
		     reason && variant->name ? reason : "");
	if (run_vgen_run(variant->name, r) == -ENOENT)
		SKIP(free(r); return, "vgen-run or demo.elf not found");
	/* Which backend "best available" is. */
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	snprintf(want, sizeof(want), "vgen-run: backend %s\n",
		 vgen_hypervisor_backend_name(hv));
	vgen_hypervisor_close(hv);

	EXPECT_EQ(0, r->status) {
		TH_LOG("stdout: %s\nstderr: %s", r->out, r->err);
	}
	EXPECT_NE(NULL, strstr(r->out, "Hello from a vgen guest!\n"));
	EXPECT_NE(NULL, strstr(r->out, "crc32(\"123456789\") = cbf43926\n"));
	EXPECT_NE(NULL, strstr(r->err, want)) {
		TH_LOG("stderr: %s", r->err);
	}
	EXPECT_NE(NULL, strstr(r->err, " exits in "));
	free(r);
}

TEST(unknown_backend)
{
	struct vr_result *r = calloc(1, sizeof(*r));

	ASSERT_NE(NULL, r);
	if (run_vgen_run("bogus", r) == -ENOENT)
		SKIP(free(r); return, "vgen-run or demo.elf not found");
	EXPECT_EQ(1, r->status);
	EXPECT_NE(NULL, strstr(r->err, "unknown backend 'bogus'"));
	EXPECT_EQ(0, r->out[0]);
	free(r);
}

TEST_HARNESS_MAIN
