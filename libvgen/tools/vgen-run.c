// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vgen-run - run a static x86-64 ELF guest on vgen or KVM (a small VMM on
 * libvgen's vgen_processor_run_vp()).
 *
 * One host thread per VP; every VP starts at the ELF entry as the guest
 * contract says (RDI = VP index, RSI = VP count, a stack per VP). Devices
 * (cpu_io callbacks, see Documentation/guest-contract.md):
 *  - a 16550-style UART at 0x3f8: THR bytes go to stdout, one whole line
 *    at a time per VP (a VP's line is written under a lock when it ends,
 *    so lines of different VPs never mix); LSR reads 0x60;
 *  - an exit port at 0xf4: the first OUT of V decides the exit code and
 *    stops every VP (a stop source); vgen-run exits with V once all VPs
 *    stopped;
 *  - an IOAPIC at 0xfec00000 (tools/ioapic.c) on the partition's
 *    in-kernel APIC;
 *  - an interrupt port at 0x510: OUT of N pulses IOAPIC pin N (an edge),
 *    0x100|N raises and 0x200|N lowers pin N's level.
 * Other ports and MMIO read all ones; writes are ignored.
 */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "vgen.h"
#include "ioapic.h"

#define UART_BASE	0x3f8
#define UART_LSR	(UART_BASE + 5)
#define EXIT_PORT	0xf4
#define IRQ_PORT	0x510
#define LINE_MAX_LEN	256
#define MAX_RUN_VPS	64

/* Exit status for failures of the guest (see guest-contract.md). */
#define STATUS_SETUP		1
#define STATUS_TRIPLE_FAULT	2
#define STATUS_VP_ERROR		3

static const char *const exit_names[] = {
	"unknown", "io", "mmio", "hlt", "shutdown", "intr", "internal-error",
	"yield", "eoi", "extint", "debug",
};
#define NR_EXIT_NAMES	(sizeof(exit_names) / sizeof(exit_names[0]))

static const char *const halt_names[] = {
	"?", "stop", "cancel", "power-off", "reset", "triple-fault",
	"invalid-vm-state", "emulation-failure", "hypervisor-error",
	"single-step", "hw-breakpoint",
};

struct vm;

/**
 * struct vp - one VP and its host thread.
 * @vm: the VM.
 * @index: the VP index.
 * @thread: its thread.
 * @halt: how its run ended.
 * @exits: exit counts by VGEN_EXIT_* (from libvgen).
 * @secs: time spent in vgen_processor_run_vp().
 * @line: the UART line being assembled (only this VP's thread).
 * @len: bytes in @line.
 */
struct vp {
	struct vm *vm;
	uint32_t index;
	pthread_t thread;
	struct vgen_halt halt;
	uint64_t exits[NR_EXIT_NAMES];
	double secs;
	char line[LINE_MAX_LEN];
	size_t len;
};

/**
 * struct vm - the VMM's state shared by the VP threads.
 * @part: the partition.
 * @stop: the stop source every VP runs with.
 * @ioapic: the IOAPIC model (its own lock).
 * @lock: protects @status and stdout/stderr writes.
 * @status: the exit status once decided (first writer wins), else -1.
 * @ram: guest RAM. @mem: its size. @entry: the ELF entry.
 * @nvps: VPs.
 * @backend: the backend's name.
 */
struct vm {
	struct vgen_partition *part;
	struct vgen_stop_source *stop;
	struct ioapic ioapic;
	pthread_mutex_t lock;
	int status;
	void *ram;
	uint64_t mem, entry;
	uint32_t nvps;
	const char *backend;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgen-run [--backend vgen|kvm] [--mem SIZE] [--vps N] [--stats] GUEST.elf\n"
		"  --backend B hypervisor: vgen (/dev/vgen) or kvm (/dev/kvm);\n"
		"              default: vgen if /dev/vgen opens, else kvm\n"
		"  --mem SIZE  guest RAM (suffix K, M or G; default 64M)\n"
		"  --vps N     number of VPs, one host thread each (1..%d; default 1)\n"
		"  --stats     print per-VP exit counts and run time to stderr\n",
		MAX_RUN_VPS);
}

static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		v <<= 10; end++; break;
	case 'm': case 'M':
		v <<= 20; end++; break;
	case 'g': case 'G':
		v <<= 30; end++; break;
	default:
		break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static void die_errno(const char *what, int err)
{
	fprintf(stderr, "vgen-run: %s: %s\n", what, strerror(-err));
	exit(STATUS_SETUP);
}

/* Decide the exit status (the first decision wins) and stop every VP. */
static void vm_finish(struct vm *vm, int status)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->status < 0)
		vm->status = status;
	pthread_mutex_unlock(&vm->lock);
	vgen_stop_source_stop(vm->stop);
}

/* Report a VP failure on stderr (after this VP's pending output). */
static void vp_fail(struct vp *vp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void uart_flush(struct vp *vp)
{
	if (!vp->len)
		return;
	pthread_mutex_lock(&vp->vm->lock);
	fwrite(vp->line, 1, vp->len, stdout);
	fflush(stdout);
	pthread_mutex_unlock(&vp->vm->lock);
	vp->len = 0;
}

static void vp_fail(struct vp *vp, int status, const char *fmt, ...)
{
	va_list ap;

	uart_flush(vp);
	pthread_mutex_lock(&vp->vm->lock);
	fprintf(stderr, "vgen-run: vp%u: ", vp->index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&vp->vm->lock);
	vm_finish(vp->vm, status);
}

static void uart_putc(struct vp *vp, char c)
{
	vp->line[vp->len++] = c;
	if (c == '\n' || vp->len == sizeof(vp->line))
		uart_flush(vp);
}

static int io_read(void *ctx, uint32_t index, uint16_t port, void *data,
		   uint32_t size)
{
	uint32_t v = 0xffffffff;

	(void)ctx;
	(void)index;
	if (port == UART_LSR)
		v = 0x60;
	else if (port >= UART_BASE && port < UART_BASE + 8)
		v = 0;
	memcpy(data, &v, size);
	return 0;
}

static int io_write(void *ctx, uint32_t index, uint16_t port,
		    const void *data, uint32_t size)
{
	struct vp *vp = ctx;
	struct vm *vm = vp->vm;
	uint32_t v = 0;
	int ret;

	(void)index;
	memcpy(&v, data, size);
	if (port == UART_BASE) {
		uart_putc(vp, (char)(v & 0xff));
	} else if (port == EXIT_PORT && (size == 1 || size == 4)) {
		uart_flush(vp);
		if (v > 255) {
			pthread_mutex_lock(&vm->lock);
			fprintf(stderr,
				"vgen-run: vp%u: exit code %u truncated to %u\n",
				vp->index, v, v & 0xff);
			pthread_mutex_unlock(&vm->lock);
		}
		vm_finish(vm, (int)(v & 0xff));
	} else if (port == IRQ_PORT) {
		uint32_t pin = v & 0xff, op = (v >> 8) & 0xff;

		if (pin >= IOAPIC_PINS || op > 2) {
			vp_fail(vp, STATUS_VP_ERROR,
				"interrupt port 0x510: bad value 0x%x (N, 0x100|N or 0x200|N with N < %d)",
				v, IOAPIC_PINS);
			return VGEN_HALT_HYPERVISOR_ERROR;
		}
		if (op == 0)
			ret = ioapic_pulse(&vm->ioapic, pin);
		else
			ret = ioapic_set_level(&vm->ioapic, pin, op == 1);
		if (ret) {
			vp_fail(vp, STATUS_VP_ERROR,
				"interrupt port 0x510: cannot deliver IOAPIC pin %u on the %s backend: %s",
				pin, vm->backend, strerror(-ret));
			return VGEN_HALT_HYPERVISOR_ERROR;
		}
	}
	return 0;
}

static bool is_ioapic(uint64_t gpa)
{
	return gpa >= IOAPIC_BASE && gpa < IOAPIC_BASE + IOAPIC_SIZE;
}

static int mmio_read(void *ctx, uint32_t index, uint64_t gpa, void *data,
		     uint32_t size)
{
	struct vp *vp = ctx;

	(void)index;
	if (is_ioapic(gpa))
		return ioapic_read(&vp->vm->ioapic, gpa - IOAPIC_BASE, data,
				   size);
	return 0;
}

static int mmio_write(void *ctx, uint32_t index, uint64_t gpa,
		      const void *data, uint32_t size)
{
	struct vp *vp = ctx;
	int ret, pin = -1;

	(void)index;
	if (!is_ioapic(gpa))
		return 0;
	ret = ioapic_write(&vp->vm->ioapic, gpa - IOAPIC_BASE, data, size,
			   &pin);
	if (ret) {
		vp_fail(vp, STATUS_VP_ERROR,
			"IOAPIC pin %d: cannot route or deliver it on the %s backend: %s",
			pin, vp->vm->backend, strerror(-ret));
		return VGEN_HALT_HYPERVISOR_ERROR;
	}
	return 0;
}

static int handle_eoi(void *ctx, uint32_t index, uint32_t vector)
{
	struct vp *vp = ctx;
	int ret;

	(void)index;
	ret = ioapic_eoi(&vp->vm->ioapic, vector);
	if (ret) {
		vp_fail(vp, STATUS_VP_ERROR,
			"IOAPIC: cannot re-deliver vector %u: %s", vector,
			strerror(-ret));
		return VGEN_HALT_HYPERVISOR_ERROR;
	}
	return 0;
}

static void report_halt(struct vp *vp)
{
	struct vgen_halt *h = &vp->halt;
	char bytes[3 * 16 + 1] = "";
	uint32_t i;

	switch (h->reason) {
	case VGEN_HALT_STOP:
		break;
	case VGEN_HALT_TRIPLE_FAULT:
		vp_fail(vp, STATUS_TRIPLE_FAULT,
			"guest triple fault at rip 0x%" PRIx64, h->rip);
		break;
	case VGEN_HALT_EMULATION_FAILURE:
	case VGEN_HALT_INVALID_VM_STATE:
		for (i = 0; i < h->insn_len && i < 16; i++)
			snprintf(bytes + 3 * i, 4, " %02x", h->insn[i]);
		vp_fail(vp, STATUS_VP_ERROR,
			"%s: suberror %u rip 0x%" PRIx64 " bytes%s",
			h->reason == VGEN_HALT_EMULATION_FAILURE ?
			"emulation failure" : "invalid VM state",
			h->suberror, h->rip, bytes);
		break;
	case VGEN_HALT_HYPERVISOR_ERROR:
		/* The device that failed has reported it (vp_fail). */
		if (h->error)
			vp_fail(vp, STATUS_VP_ERROR, "hypervisor error: %s",
				strerror(-h->error));
		else
			vm_finish(vp->vm, STATUS_VP_ERROR);
		break;
	default:
		vp_fail(vp, STATUS_VP_ERROR, "unexpected halt: %s",
			h->reason <= VGEN_HALT_MAX ? halt_names[h->reason] :
			"?");
		break;
	}
}

static void *vp_thread(void *arg)
{
	struct vp *vp = arg;
	struct vm *vm = vp->vm;
	const struct vgen_cpu_io io = {
		.ctx = vp,
		.read_io = io_read,
		.write_io = io_write,
		.read_mmio = mmio_read,
		.write_mmio = mmio_write,
		.handle_eoi = handle_eoi,
	};
	struct vgen_processor *proc;
	struct vgen_binder *binder;
	struct timespec t0, t1;
	struct vgen_regs regs;
	int ret;

	ret = vgen_partition_binder(vm->part, vp->index, &binder);
	if (!ret)
		ret = vgen_binder_bind(binder, &proc);
	if (ret) {
		vp_fail(vp, STATUS_SETUP, "create VP: %s", strerror(-ret));
		return NULL;
	}
	ret = vgen_processor_init_longmode(proc, vm->ram, vm->mem, vm->entry);
	if (ret) {
		vp_fail(vp, STATUS_SETUP, "set initial VP state: %s",
			strerror(-ret));
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ret = vgen_processor_run_vp(proc, vm->stop, &io, &vp->halt);
	} while (!ret && vp->halt.reason == VGEN_HALT_CANCEL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	vp->secs = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	vgen_processor_exit_counts(proc, vp->exits, NR_EXIT_NAMES);
	if (ret) {
		vp_fail(vp, STATUS_VP_ERROR, "run: %s", strerror(-ret));
		return NULL;
	}
	if (vp->halt.reason == VGEN_HALT_TRIPLE_FAULT &&
	    vgen_processor_get_regs(proc, &regs) == 0)
		vp->halt.rip = regs.rip;
	uart_flush(vp);
	report_halt(vp);
	return NULL;
}

/* Read @path; the ELF checks are libvgen's. */
static int read_file(const char *path, void **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (1 << 30)) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	*buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, (char *)*buf + off, (size_t)st.st_size - off);
		if (n <= 0) {
			close(fd);
			free(*buf);
			return n < 0 ? -errno : -EIO;
		}
		off += (size_t)n;
	}
	close(fd);
	*len = off;
	return 0;
}

/* End of the loaded image (the ELF was validated by the loader). */
static uint64_t image_end(const void *elf)
{
	const Elf64_Ehdr *eh = elf;
	const Elf64_Phdr *ph = (const void *)((const char *)elf + eh->e_phoff);
	uint64_t end = 0;
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz &&
		    ph[i].p_paddr + ph[i].p_memsz > end)
			end = ph[i].p_paddr + ph[i].p_memsz;
	return end;
}

static void print_stats(struct vm *vm, struct vp *vps)
{
	uint32_t i, r;
	uint64_t total;

	for (i = 0; i < vm->nvps; i++) {
		struct vp *vp = &vps[i];

		total = 0;
		for (r = 0; r < NR_EXIT_NAMES; r++)
			total += vp->exits[r];
		fprintf(stderr,
			"vgen-run: vp%u: %" PRIu64 " exits in %.3f s, halt %s\n",
			i, total, vp->secs,
			vp->halt.reason <= VGEN_HALT_MAX ?
			halt_names[vp->halt.reason] : "?");
		for (r = 0; r < NR_EXIT_NAMES; r++)
			if (vp->exits[r])
				fprintf(stderr,
					"vgen-run: vp%u:   %-15s %" PRIu64 "\n",
					i, exit_names[r], vp->exits[r]);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "mem", required_argument, NULL, 'm' },
		{ "vps", required_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* An in-kernel APIC: the guest's IOAPIC interrupts and HLT. */
	struct vgen_proto_config cfg = { .vp_count = 1 };
	uint64_t mem = 64ULL << 20, end, stacks;
	struct vgen_hypervisor *hv;
	struct vgen_proto *proto;
	struct vm vm = { .status = -1 };
	struct vp *vps;
	unsigned long nvps = 1;
	const char *path, *backend = NULL;
	int c, ret, stats = 0;
	char *endp;
	size_t len = 0;
	void *elf = NULL;
	uint32_t i;

	while ((c = getopt_long(argc, argv, "b:m:p:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "vgen") && strcmp(optarg, "kvm")) {
				fprintf(stderr,
					"vgen-run: unknown backend '%s' (vgen or kvm)\n",
					optarg);
				return STATUS_SETUP;
			}
			backend = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &mem)) {
				fprintf(stderr, "vgen-run: bad size '%s'\n",
					optarg);
				return STATUS_SETUP;
			}
			break;
		case 'p':
			errno = 0;
			nvps = strtoul(optarg, &endp, 0);
			if (errno || endp == optarg || *endp || nvps < 1 ||
			    nvps > MAX_RUN_VPS) {
				fprintf(stderr,
					"vgen-run: --vps %s: need a number of VPs from 1 to %d\n",
					optarg, MAX_RUN_VPS);
				return STATUS_SETUP;
			}
			break;
		case 's':
			stats = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return STATUS_SETUP;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return STATUS_SETUP;
	}
	path = argv[optind];
	if (mem < VGEN_IMAGE_MIN_RAM || mem > VGEN_IMAGE_MAX_RAM ||
	    mem % (2ULL << 20)) {
		fprintf(stderr,
			"vgen-run: --mem must be a multiple of 2M between 4M and 64G\n");
		return STATUS_SETUP;
	}
	vm.nvps = (uint32_t)nvps;
	cfg.vp_count = vm.nvps;
	vm.mem = mem;
	pthread_mutex_init(&vm.lock, NULL);

	ret = read_file(path, &elf, &len);
	if (ret) {
		fprintf(stderr, "vgen-run: %s: %s\n", path, strerror(-ret));
		return STATUS_SETUP;
	}
	vm.ram = mmap(NULL, mem, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm.ram == MAP_FAILED)
		die_errno("cannot allocate guest RAM", -errno);
	ret = vgen_image_load_elf(vm.ram, mem, elf, len, &vm.entry);
	if (ret == -ENOEXEC) {
		fprintf(stderr,
			"vgen-run: %s: not a valid static x86-64 ELF64 executable\n",
			path);
		return STATUS_SETUP;
	} else if (ret == -ERANGE) {
		fprintf(stderr,
			"vgen-run: %s: image does not fit in guest RAM [1 MiB, %" PRIu64 " MiB) (too little memory or overlaps the loader area)\n",
			path, mem >> 20);
		return STATUS_SETUP;
	} else if (ret) {
		fprintf(stderr, "vgen-run: %s: %s\n", path, strerror(-ret));
		return STATUS_SETUP;
	}
	end = image_end(elf);
	free(elf);
	stacks = (uint64_t)vm.nvps * VGEN_IMAGE_STACK_SIZE;
	if (end > mem - stacks) {
		fprintf(stderr,
			"vgen-run: %s: image ends at 0x%" PRIx64 ", inside the VP stacks [0x%" PRIx64 ", 0x%" PRIx64 ") (use a larger --mem)\n",
			path, end, mem - stacks, mem);
		return STATUS_SETUP;
	}
	ret = vgen_image_setup_loader_area(vm.ram, mem);
	if (ret)
		die_errno("loader area", ret);

	ret = vgen_hypervisor_open(backend, &hv);
	if (ret) {
		fprintf(stderr, "vgen-run: cannot open %s: %s\n",
			!backend ? "/dev/vgen or /dev/kvm" :
			strcmp(backend, "kvm") ? "/dev/vgen" : "/dev/kvm",
			strerror(-ret));
		return STATUS_SETUP;
	}
	vm.backend = vgen_hypervisor_backend_name(hv);
	if (stats)
		fprintf(stderr, "vgen-run: backend %s\nvgen-run: %u VP%s\n",
			vm.backend, vm.nvps, vm.nvps > 1 ? "s" : "");
	ret = vgen_hypervisor_new_partition(hv, &cfg, &proto);
	if (ret)
		die_errno("create partition", ret);
	ret = vgen_proto_add_memory(proto, 0, mem, vm.ram, 0);
	if (ret)
		die_errno("add guest memory", ret);
	ret = vgen_proto_build(proto, &vm.part);
	if (ret)
		die_errno("build partition", ret);
	ret = vgen_stop_source_new(&vm.stop);
	if (ret)
		die_errno("stop source", ret);
	ioapic_init(&vm.ioapic, vm.part);

	vps = calloc(vm.nvps, sizeof(*vps));
	if (!vps)
		die_errno("VPs", -ENOMEM);
	for (i = 0; i < vm.nvps; i++) {
		vps[i].vm = &vm;
		vps[i].index = i;
		ret = pthread_create(&vps[i].thread, NULL, vp_thread, &vps[i]);
		if (ret)
			die_errno("create VP thread", -ret);
	}
	for (i = 0; i < vm.nvps; i++)
		pthread_join(vps[i].thread, NULL);
	fflush(stdout);
	if (stats)
		print_stats(&vm, vps);
	/* Every VP stopped without an exit code: a stop nobody asked for. */
	if (vm.status < 0)
		vm.status = STATUS_VP_ERROR;
	vgen_partition_close(vm.part);
	vgen_stop_source_free(vm.stop);
	ioapic_destroy(&vm.ioapic);
	vgen_hypervisor_close(hv);
	munmap(vm.ram, mem);
	free(vps);
	return vm.status;
}
