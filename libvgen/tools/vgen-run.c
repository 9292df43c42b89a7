// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vgen-run - run a static x86-64 ELF guest on vgen or KVM (minimal v0 VMM).
 *
 * Devices: a 16550-style UART at 0x3f8 (THR to stdout, LSR reads 0x60),
 * an exit port at 0xf4 (OUT of V ends the run with exit code V). Other
 * ports read all ones; MMIO reads all ones; writes are ignored.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "vgen.h"

#define UART_BASE	0x3f8
#define UART_LSR	(UART_BASE + 5)
#define EXIT_PORT	0xf4

static const char *const exit_names[] = {
	"unknown", "io", "mmio", "hlt", "shutdown", "intr", "internal-error",
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgen-run [--backend vgen|kvm] [--mem SIZE] [--vps N] [--stats] GUEST.elf\n"
		"  --backend B hypervisor: vgen (/dev/vgen) or kvm (/dev/kvm);\n"
		"              default: vgen if /dev/vgen opens, else kvm\n"
		"  --mem SIZE  guest RAM (suffix K, M or G; default 64M)\n"
		"  --vps N     number of VPs (only 1 supported yet)\n"
		"  --stats     print exit counts and run time to stderr\n");
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
	exit(1);
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
	/*
	 * No interrupt sources yet: without an in-kernel APIC a guest's HLT
	 * exits to us (reported as "guest halted") instead of waiting in the
	 * kernel for an interrupt that can never come.
	 */
	struct vgen_proto_config cfg = {
		.vp_count = 1, .flags = VGEN_PROTO_USER_MODE_APIC,
	};
	uint64_t counts[VGEN_EXIT_INTERNAL_ERROR + 1] = { 0 };
	uint64_t mem = 64ULL << 20, entry, v, total = 0;
	struct vgen_hypervisor *hv;
	struct vgen_partition *part;
	struct vgen_binder *binder;
	struct vgen_processor *proc;
	struct vgen_proto *proto;
	const struct vgen_run *run;
	struct timespec t0, t1;
	int c, ret, stats = 0, status = -1;
	unsigned long vps = 1;
	const char *path, *backend = NULL;
	void *ram;

	while ((c = getopt_long(argc, argv, "b:m:p:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "vgen") && strcmp(optarg, "kvm")) {
				fprintf(stderr,
					"vgen-run: unknown backend '%s' (vgen or kvm)\n",
					optarg);
				return 1;
			}
			backend = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &mem)) {
				fprintf(stderr, "vgen-run: bad size '%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'p':
			vps = strtoul(optarg, NULL, 0);
			if (vps != 1) {
				fprintf(stderr,
					"vgen-run: --vps %s: more than one VP is not supported yet\n",
					optarg);
				return 1;
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
			return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 1;
	}
	path = argv[optind];
	if (mem < VGEN_IMAGE_MIN_RAM || mem > VGEN_IMAGE_MAX_RAM ||
	    mem % (2ULL << 20)) {
		fprintf(stderr,
			"vgen-run: --mem must be a multiple of 2M between 4M and 64G\n");
		return 1;
	}

	ram = mmap(NULL, mem, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		die_errno("cannot allocate guest RAM", -errno);
	ret = vgen_image_load_elf_file(ram, mem, path, &entry);
	if (ret == -ENOEXEC) {
		fprintf(stderr,
			"vgen-run: %s: not a valid static x86-64 ELF64 executable\n",
			path);
		return 1;
	} else if (ret == -ERANGE) {
		fprintf(stderr,
			"vgen-run: %s: image does not fit in guest RAM [1 MiB, %" PRIu64 " MiB) (too little memory or overlaps the loader area)\n",
			path, mem >> 20);
		return 1;
	} else if (ret) {
		fprintf(stderr, "vgen-run: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	ret = vgen_image_setup_loader_area(ram, mem);
	if (ret)
		die_errno("loader area", ret);

	ret = vgen_hypervisor_open(backend, &hv);
	if (ret) {
		fprintf(stderr, "vgen-run: cannot open %s: %s\n",
			!backend ? "/dev/vgen or /dev/kvm" :
			strcmp(backend, "kvm") ? "/dev/vgen" : "/dev/kvm",
			strerror(-ret));
		return 1;
	}
	if (stats)
		fprintf(stderr, "vgen-run: backend %s\n",
			vgen_hypervisor_backend_name(hv));
	ret = vgen_hypervisor_new_partition(hv, &cfg, &proto);
	if (ret)
		die_errno("create partition", ret);
	ret = vgen_proto_add_memory(proto, 0, mem, ram, 0);
	if (ret)
		die_errno("add guest memory", ret);
	ret = vgen_proto_build(proto, &part);
	if (ret)
		die_errno("build partition", ret);
	ret = vgen_partition_binder(part, 0, &binder);
	if (!ret)
		ret = vgen_binder_bind(binder, &proc);
	if (ret)
		die_errno("create VP", ret);
	ret = vgen_processor_init_longmode(proc, ram, mem, entry);
	if (ret)
		die_errno("set initial VP state", ret);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (status < 0) {
		struct vgen_run *rp;

		ret = vgen_processor_run(proc, &run);
		if (ret == -EINTR)
			continue;
		if (ret)
			die_errno("run", ret);
		rp = (struct vgen_run *)run;
		total++;
		if (run->exit_reason <= VGEN_EXIT_INTERNAL_ERROR)
			counts[run->exit_reason]++;
		switch (run->exit_reason) {
		case VGEN_EXIT_IO:
			if (run->io.direction == VGEN_EXIT_IO_OUT) {
				if (run->io.port == UART_BASE) {
					putchar(run->io.data & 0xff);
				} else if (run->io.port == EXIT_PORT &&
					   (run->io.size == 1 ||
					    run->io.size == 4)) {
					status = (int)(run->io.data & 0xff);
					if (run->io.size == 4 &&
					    run->io.data > 255)
						fprintf(stderr,
							"vgen-run: exit code %u truncated to %d\n",
							run->io.data, status);
				}
				break;
			}
			if (run->io.port == UART_LSR)
				v = 0x60;
			else if (run->io.port > UART_BASE &&
				 run->io.port < UART_BASE + 8)
				v = 0;
			else if (run->io.port == UART_BASE)
				v = 0;
			else
				v = 0xffffffff;
			rp->io.data = (uint32_t)v;
			break;
		case VGEN_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(rp->mmio.data, 0xff,
				       sizeof(rp->mmio.data));
			break;
		case VGEN_EXIT_HLT:
			fflush(stdout);
			fprintf(stderr,
				"vgen-run: guest halted (HLT with interrupts disabled)\n");
			status = 1;
			break;
		case VGEN_EXIT_SHUTDOWN: {
			struct vgen_regs regs;

			fflush(stdout);
			if (vgen_processor_get_regs(proc, &regs) == 0)
				fprintf(stderr,
					"vgen-run: guest triple fault at rip 0x%" PRIx64 "\n",
					(uint64_t)regs.rip);
			else
				fprintf(stderr, "vgen-run: guest triple fault\n");
			status = 2;
			break;
		}
		case VGEN_EXIT_INTERNAL_ERROR: {
			unsigned int i, n = run->internal.insn_len;

			fflush(stdout);
			fprintf(stderr,
				"vgen-run: internal error: suberror %u rip 0x%" PRIx64 " bytes",
				run->internal.suberror,
				run->internal.ndata ?
				(uint64_t)run->internal.data[0] : 0);
			if (n > sizeof(run->internal.insn))
				n = sizeof(run->internal.insn);
			for (i = 0; i < n; i++)
				fprintf(stderr, " %02x", run->internal.insn[i]);
			fprintf(stderr, "\n");
			status = 3;
			break;
		}
		default:
			fflush(stdout);
			fprintf(stderr, "vgen-run: unexpected exit reason %u\n",
				run->exit_reason);
			status = 3;
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fflush(stdout);
	if (stats) {
		unsigned int i;

		fprintf(stderr, "vgen-run: %" PRIu64 " exits in %.3f s\n",
			total, (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		for (i = 0; i <= VGEN_EXIT_INTERNAL_ERROR; i++)
			if (counts[i])
				fprintf(stderr, "vgen-run:   %-15s %" PRIu64 "\n",
					exit_names[i], counts[i]);
	}
	vgen_partition_close(part);
	vgen_hypervisor_close(hv);
	munmap(ram, mem);
	return status;
}
