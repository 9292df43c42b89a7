// SPDX-License-Identifier: GPL-2.0
/* Host-side test library for vgen selftests. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "vgen_test.h"

long __vgen_ioctl(int fd, unsigned long req, const void *arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

long __vgen_ioctl_val(int fd, unsigned long req, unsigned long arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

int vgen_open_dev(void)
{
	int fd = open("/dev/vgen", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

long vgen_run_size(void)
{
	int fd = vgen_open_dev();
	long r;

	TEST_ASSERT(fd >= 0, "open /dev/vgen: %s", strerror(-fd));
	r = __vgen_ioctl_val(fd, VGEN_GET_RUN_SIZE, 0);
	TEST_ASSERT(r > 0, "VGEN_GET_RUN_SIZE: %ld", r);
	close(fd);
	return r;
}

const char *vgen_test_backend;

int vgen_test_backend_check(const char *backend)
{
	struct vgen_hypervisor *hv;
	int r = vgen_hypervisor_open(backend, &hv);

	if (!r)
		vgen_hypervisor_close(hv);
	return r;
}

struct vm *vm_create_proto(uint32_t nr_vps, uint64_t ram_mib)
{
	return vm_create_proto_flags(nr_vps, ram_mib, 0);
}

struct vm *vm_create_proto_flags(uint32_t nr_vps, uint64_t ram_mib,
				 uint32_t flags)
{
	return vm_create_proto_cfg(nr_vps, ram_mib, flags, NULL);
}

struct vm *vm_create_proto_cfg(uint32_t nr_vps, uint64_t ram_mib,
			       uint32_t flags, const uint32_t *apic_ids)
{
	struct vgen_proto_config cfg = {
		.vp_count = nr_vps, .apic_ids = apic_ids, .flags = flags,
	};
	struct vm *vm = calloc(1, sizeof(*vm));
	uint64_t min_size;
	int r;

	TEST_ASSERT(vm, "out of memory");
	TEST_ASSERT(nr_vps >= 1 && nr_vps <= VM_MAX_VPS,
		    "%u VPs: 1..%u supported", nr_vps, VM_MAX_VPS);
	vm->vcpus = calloc(nr_vps, sizeof(*vm->vcpus));
	TEST_ASSERT(vm->vcpus, "out of memory");
	vm->nr_vps = nr_vps;
	vm->ram_size = ram_mib << 20;
	min_size = ((uint64_t)VM_IMAGE_RESERVE_MIB << 20) +
		   (uint64_t)nr_vps * VGEN_IMAGE_STACK_SIZE;
	min_size = (min_size + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	if (vm->ram_size < min_size)
		vm->ram_size = min_size;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(vm->ram != MAP_FAILED, "mmap guest RAM");
	r = vgen_image_load_elf_file(vm->ram, vm->ram_size, "/proc/self/exe",
				     NULL);
	TEST_ASSERT(!r, "load /proc/self/exe: %s", strerror(-r));
	r = vgen_image_setup_loader_area(vm->ram, vm->ram_size);
	TEST_ASSERT(!r, "loader area: %s", strerror(-r));

	r = vgen_hypervisor_open(vgen_test_backend ? vgen_test_backend :
				 getenv("VGEN_TEST_BACKEND"), &vm->hv);
	TEST_ASSERT(!r, "open the hypervisor: %s", strerror(-r));
	r = vgen_hypervisor_new_partition(vm->hv, &cfg, &vm->proto);
	TEST_ASSERT(!r, "new partition: %s", strerror(-r));
	r = vgen_proto_add_memory(vm->proto, 0, vm->ram_size, vm->ram, 0);
	TEST_ASSERT(!r, "add memory: %s", strerror(-r));
	vgen_proto_fd(vm->proto, &vm->fd);
	return vm;
}

void vm_finalize(struct vm *vm)
{
	int r = vgen_proto_build(vm->proto, &vm->part);

	TEST_ASSERT(!r, "build: %s", strerror(-r));
	vm->proto = NULL;
	r = vgen_partition_fd(vm->part, &vm->fd);
	TEST_ASSERT(!r, "partition fd");
}

struct vcpu *vm_add_vcpu(struct vm *vm, uint32_t index, void *guest_fn)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));
	struct vgen_binder *b;
	int r;

	TEST_ASSERT(vcpu && index < vm->nr_vps && vm->part, "bad vcpu setup");
	r = vgen_partition_binder(vm->part, index, &b);
	TEST_ASSERT(!r, "binder: %s", strerror(-r));
	r = vgen_binder_bind(b, &vcpu->proc);
	TEST_ASSERT(!r, "bind: %s", strerror(-r));
	vgen_processor_fd(vcpu->proc, &vcpu->fd);
	vgen_processor_run_page(vcpu->proc, &vcpu->run);
	r = vgen_processor_init_longmode(vcpu->proc, vm->ram, vm->ram_size,
					 (uint64_t)(uintptr_t)guest_fn);
	TEST_ASSERT(!r, "initial state: %s", strerror(-r));
	vcpu->vm = vm;
	vcpu->index = index;
	vm->vcpus[index] = vcpu;
	return vcpu;
}

struct vm *vm_create_with_vcpu(void *guest_fn, struct vcpu **vcpu)
{
	return vm_create_with_vcpu_flags(guest_fn, vcpu, 0);
}

struct vm *vm_create_with_vcpu_flags(void *guest_fn, struct vcpu **vcpu,
				     uint32_t flags)
{
	struct vm *vm = vm_create_proto_flags(1, VM_DEFAULT_RAM_MIB, flags);

	vm_finalize(vm);
	*vcpu = vm_add_vcpu(vm, 0, guest_fn);
	return vm;
}

void vm_destroy(struct vm *vm)
{
	uint32_t i;

	if (!vm)
		return;
	vgen_proto_close(vm->proto);
	vgen_partition_close(vm->part);
	vgen_hypervisor_close(vm->hv);
	for (i = 0; i < vm->nr_vps; i++)
		free(vm->vcpus[i]);
	free(vm->vcpus);
	munmap(vm->ram, vm->ram_size);
	free(vm);
}

void *addr_gpa2hva(struct vm *vm, uint64_t gpa)
{
	TEST_ASSERT(gpa < vm->ram_size, "gpa 0x%" PRIx64 " outside RAM", gpa);
	return (char *)vm->ram + gpa;
}

int __vcpu_run(struct vcpu *vcpu)
{
	return vgen_processor_run(vcpu->proc, NULL);
}

void vcpu_run(struct vcpu *vcpu)
{
	int r = __vcpu_run(vcpu);

	TEST_ASSERT(!r, "VGEN_RUN: %s", strerror(-r));
}

void vcpu_regs_get(struct vcpu *vcpu, struct vgen_regs *regs)
{
	int r = vgen_processor_get_regs(vcpu->proc, regs);

	TEST_ASSERT(!r, "GET_REGS: %s", strerror(-r));
}

void vcpu_regs_set(struct vcpu *vcpu, const struct vgen_regs *regs)
{
	int r = vgen_processor_set_regs(vcpu->proc, regs);

	TEST_ASSERT(!r, "SET_REGS: %s", strerror(-r));
}

void vcpu_sregs_get(struct vcpu *vcpu, struct vgen_sregs *sregs)
{
	int r = vgen_processor_get_sregs(vcpu->proc, sregs);

	TEST_ASSERT(!r, "GET_SREGS: %s", strerror(-r));
}

void vcpu_sregs_set(struct vcpu *vcpu, const struct vgen_sregs *sregs)
{
	int r = vgen_processor_set_sregs(vcpu->proc, sregs);

	TEST_ASSERT(!r, "SET_SREGS: %s", strerror(-r));
}

const char *exit_reason_str(uint32_t reason)
{
	static const char *const names[] = {
		"UNKNOWN", "IO", "MMIO", "HLT", "SHUTDOWN", "INTR",
		"INTERNAL_ERROR", "YIELD", "EOI", "EXTINT",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] :
	       "?";
}

const char *vcpu_exit_str(struct vcpu *vcpu)
{
	static char buf[256];
	struct vgen_run *run = vcpu->run;
	struct vgen_regs regs;
	uint64_t rip = 0;
	int n, i;

	if (!vgen_processor_get_regs(vcpu->proc, &regs))
		rip = regs.rip;
	n = snprintf(buf, sizeof(buf), "exit %s (%u), rip 0x%" PRIx64,
		     exit_reason_str(run->exit_reason), run->exit_reason, rip);
	switch (run->exit_reason) {
	case VGEN_EXIT_IO:
		snprintf(buf + n, sizeof(buf) - n,
			 ", port 0x%x size %u %s data 0x%x", run->io.port,
			 run->io.size, run->io.direction ? "out" : "in",
			 run->io.data);
		break;
	case VGEN_EXIT_MMIO:
		snprintf(buf + n, sizeof(buf) - n,
			 ", gpa 0x%" PRIx64 " size %u %s", (uint64_t)run->mmio.gpa,
			 run->mmio.size, run->mmio.is_write ? "write" : "read");
		break;
	case VGEN_EXIT_INTERNAL_ERROR:
		n += snprintf(buf + n, sizeof(buf) - n, ", suberror %u insn",
			      run->internal.suberror);
		for (i = 0; i < run->internal.insn_len && i < 15 &&
		     n < (int)sizeof(buf) - 4; i++)
			n += snprintf(buf + n, sizeof(buf) - n, " %02x",
				      run->internal.insn[i]);
		break;
	default:
		break;
	}
	return buf;
}

static const char *guest_str(struct vm *vm, uint64_t gva)
{
	const char *s;

	if (!gva || gva >= vm->ram_size)
		return "?";
	s = (const char *)vm->ram + gva;
	if (!memchr(s, 0, vm->ram_size - gva))
		return "?";
	return s;
}

uint64_t ucall_decode(struct vcpu *vcpu, struct ucall *uc)
{
	struct vgen_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;
	uint64_t addr;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != VGEN_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.size != 4 || run->io.direction != VGEN_EXIT_IO_OUT)
		return UCALL_NONE;
	addr = run->io.data;
	TEST_ASSERT(addr < vm->ram_size && vm->ram_size - addr >= sizeof(*uc),
		    "ucall record 0x%" PRIx64 " outside RAM", addr);
	memcpy(uc, (char *)vm->ram + addr, sizeof(*uc));
	uc->buf[UCALL_BUF - 1] = 0;
	return uc->cmd;
}

void ucall_report_assert(struct vcpu *vcpu, const struct ucall *uc)
{
	if (uc->args[0])
		fprintf(stderr,
			"# %s:%" PRIu64 ": guest assertion '%s' failed: 0x%" PRIx64 " != 0x%" PRIx64 "\n",
			guest_str(vcpu->vm, uc->file), uc->line,
			guest_str(vcpu->vm, uc->text), uc->args[1], uc->args[2]);
	else
		fprintf(stderr, "# %s:%" PRIu64 ": guest assertion '%s' failed\n",
			guest_str(vcpu->vm, uc->file), uc->line,
			guest_str(vcpu->vm, uc->text));
	exit(1);
}

uint64_t get_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	uint64_t cmd;

	for (;;) {
		vcpu_run(vcpu);
		cmd = ucall_decode(vcpu, uc);
		TEST_ASSERT(cmd != UCALL_NONE, "expected a ucall, got %s",
			    vcpu_exit_str(vcpu));
		if (cmd == UCALL_PRINT) {
			fprintf(stderr, "# guest: %s\n", uc->buf);
			continue;
		}
		if (cmd == UCALL_ASSERT)
			ucall_report_assert(vcpu, uc);
		return cmd;
	}
}

void vcpu_run_to_done(struct vcpu *vcpu)
{
	struct ucall uc;
	uint64_t cmd = get_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_DONE, "expected DONE, got ucall %" PRIu64
		    " arg 0x%" PRIx64, cmd, uc.args[0]);
}

volatile uint64_t *vm_guest_u64(struct vm *vm, volatile uint64_t *g)
{
	return addr_gpa2hva(vm, (uint64_t)(uintptr_t)g);
}

void wait_u64_ne(volatile uint64_t *p, uint64_t old)
{
	struct timespec ts = { 0, 1000000 };

	while (*p == old)
		nanosleep(&ts, NULL);
}

void *vm_yield_vp0_later(void *arg)
{
	struct vm *vm = arg;
	int r;

	usleep(20000);
	r = vgen_partition_request_yield(vm->part, 0);
	TEST_ASSERT(!r, "request yield: %s", strerror(-r));
	return NULL;
}

long vgen_dev_cap(unsigned long cap)
{
	int fd = vgen_open_dev();
	long r;

	if (fd < 0)
		return fd;
	r = __vgen_ioctl_val(fd, VGEN_CHECK_CAP, cap);
	close(fd);
	return r;
}

void vcpu_expect_sync(struct vcpu *vcpu, uint64_t arg)
{
	struct ucall uc;
	uint64_t cmd = get_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == arg,
		    "expected SYNC(%" PRIu64 "), got ucall %" PRIu64
		    " arg %" PRIu64, arg, cmd, uc.args[0]);
}

void vcpu_run_expect_exit(struct vcpu *vcpu, uint32_t reason)
{
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == reason,
		    "expected exit %u, got %s", reason, vcpu_exit_str(vcpu));
}
