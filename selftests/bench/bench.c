// SPDX-License-Identifier: GPL-2.0
/*
 * make bench (host part): run each workload natively, in the software VP
 * (kmod/svp_*.c built in userspace) and in unicorn, check that the three
 * results agree, and print one markdown table.
 *
 * Usage: bench [-n] DIR   (DIR holds wl-<name>.elf; -n skips unicorn)
 *        bench -c I DIR   (internal: workload I in the svp for
 *                          CG_BUDGET instructions, under callgrind)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <elf.h>
#include <unistd.h>
#include <unicorn/unicorn.h>

#include "svp.h"
#include "workloads.h"

#define RAM_SIZE	WL_RAM_SIZE

static uint8_t *ram;

void svp_env_global_lock(void)
{
}

void svp_env_global_unlock(void)
{
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void w64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

/* Load @path into a fresh RAM image with 1 GiB identity-mapped. */
static uint64_t load_image(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t img[4 << 20];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	size_t n;
	int i;

	if (!f) {
		perror(path);
		exit(2);
	}
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	if (n < sizeof(*eh) || memcmp(img, ELFMAG, SELFMAG)) {
		fprintf(stderr, "%s: not an ELF file\n", path);
		exit(2);
	}
	memset(ram, 0, RAM_SIZE);
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff +
						i * eh->e_phentsize);

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_paddr + ph->p_memsz > WL_STACK_TOP - 0x100000 ||
		    ph->p_offset + ph->p_filesz > n) {
			fprintf(stderr, "%s: segment out of range\n", path);
			exit(2);
		}
		memcpy(ram + ph->p_paddr, img + ph->p_offset, ph->p_filesz);
	}
	/* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000: 1 GiB of 2 MiB pages */
	w64(0x1000, 0x2000 | 7);
	w64(0x2000, 0x3000 | 7);
	for (i = 0; i < 512; i++)
		w64(0x3000 + i * 8, ((uint64_t)i << 21) | 0x87);
	/* GDT: null, 64-bit code, data */
	w64(0x4000, 0);
	w64(0x4008, 0x00af9b000000ffffULL);
	w64(0x4010, 0x00cf93000000ffffULL);
	return eh->e_entry;
}

/* ------------------------------------------------------------ svp */

static void *op_gpa_to_hva(void *opaque, u64 gpa, bool write)
{
	(void)opaque;
	(void)write;
	return gpa < RAM_SIZE ? ram + (gpa & ~0xfffULL) : NULL;
}

static void op_cpuid(void *opaque, u32 fn, u32 idx, u32 out[4])
{
	(void)opaque;
	(void)fn;
	(void)idx;
	memset(out, 0, 16);
}

static const struct svp_host_ops ops = {
	.gpa_to_hva = op_gpa_to_hva,
	.cpuid = op_cpuid,
};

static void lm_state(struct svp_state *s, u64 rip)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->rip = rip;
	s->rflags = 2;
	s->gpr[4] = WL_STACK_TOP;
	s->cr0 = 0x80010033ULL;
	s->cr3 = 0x1000;
	s->cr4 = 0x20;
	s->efer = 0xd00;
	s->pat = 0x0007040600070406ULL;
	for (i = 0; i < SVP_SEG_COUNT; i++) {
		s->seg[i].sel = 0x10;
		s->seg[i].attr = 0xc093;
		s->seg[i].limit = 0xffffffff;
	}
	s->seg[SVP_SEG_CS].sel = 8;
	s->seg[SVP_SEG_CS].attr = 0xa09b;
	s->seg[SVP_SEG_TR].sel = 0;
	s->seg[SVP_SEG_TR].limit = 0x67;
	s->seg[SVP_SEG_TR].attr = 0x8b;
	s->seg[SVP_SEG_LDTR].attr = 0x82;
	s->gdt.base = 0x4000;
	s->gdt.limit = 0x17;
}

#define CG_SKIP		5000000ULL
#define CG_BUDGET	3000000ULL

/* The window measured by callgrind (--toggle-collect=measured_run). */
static noinline int measured_run(struct svp_cpu *c, uint64_t n,
				  struct svp_exit *e)
{
	return svp_run(c, n, e);
}

struct run_result {
	uint64_t result;
	uint64_t insns;
	double secs;
	uint64_t cycles;
};

static int run_svp(const char *path, struct run_result *rr, uint64_t limit)
{
	struct svp_cpu *c = calloc(1, svp_cpu_size());
	struct svp_exit e;
	struct svp_state s;
	uint64_t t0;
	double d0;
	int r;

	svp_cpu_init(c, &ops, NULL, 0, true);
	lm_state(&s, load_image(path));
	if (svp_set_state(c, &s)) {
		fprintf(stderr, "svp_set_state failed\n");
		return -1;
	}
	d0 = now();
	t0 = tsc();
	if (limit) {
		/* skip the start-up phase, then the measured window */
		r = svp_run(c, CG_SKIP, &e);
		if (r == SVP_EXIT_BUDGET)
			r = measured_run(c, limit, &e);
	} else {
		do
			r = svp_run(c, 100000000, &e);
		while (r == SVP_EXIT_BUDGET);
	}
	rr->cycles = tsc() - t0;
	rr->secs = now() - d0;
	rr->insns = svp_insns_retired(c) - (limit ? CG_SKIP : 0);
	memcpy(&rr->result, ram + WL_RESULT_GPA, 8);
	free(c);
	if (limit && r == SVP_EXIT_BUDGET)
		return 0;
	if (r != SVP_EXIT_IO || e.io.port != WL_DONE_PORT) {
		fprintf(stderr, "%s: svp exit %d", path, r);
		if (r == SVP_EXIT_FAILURE)
			fprintf(stderr, " kind %u rip %#llx", e.fail.kind,
				(unsigned long long)e.fail.rip);
		fprintf(stderr, "\n");
		return -1;
	}
	return 0;
}

/* -------------------------------------------------------- unicorn */

static void uc_out_hook(uc_engine *uc, uint32_t port, int size,
			uint32_t value, void *user)
{
	(void)size;
	(void)value;
	if (port == WL_DONE_PORT) {
		*(int *)user = 1;
		uc_emu_stop(uc);
	}
}

static int run_unicorn(const char *path, struct run_result *rr)
{
	uc_x86_mmr gdtr = { .base = 0x4000, .limit = 0x17 };
	uc_x86_msr efer = { .rid = 0xc0000080, .value = 0xd00 };
	uint64_t rip = load_image(path), v, t0;
	uc_hook hk;
	uc_engine *uc;
	uc_err err;
	int done = 0;
	double d0;

	err = uc_open(UC_ARCH_X86, UC_MODE_64, &uc);
	if (err)
		goto fail;
	err = uc_mem_map_ptr(uc, 0, RAM_SIZE, UC_PROT_ALL, ram);
	if (err)
		goto fail;
	/* the same long-mode paging as the svp run */
	uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr);
	v = 0x1000;
	uc_reg_write(uc, UC_X86_REG_CR3, &v);
	v = 0x20;
	uc_reg_write(uc, UC_X86_REG_CR4, &v);
	uc_reg_write(uc, UC_X86_REG_MSR, &efer);
	v = 0x80010033ULL;
	err = uc_reg_write(uc, UC_X86_REG_CR0, &v);
	if (err)
		goto fail;
	v = WL_STACK_TOP;
	uc_reg_write(uc, UC_X86_REG_RSP, &v);
	err = uc_hook_add(uc, &hk, UC_HOOK_INSN, uc_out_hook, &done, 1, 0,
			  UC_X86_INS_OUT);
	if (err)
		goto fail;
	d0 = now();
	t0 = tsc();
	err = uc_emu_start(uc, rip, 0, 0, 0);
	rr->cycles = tsc() - t0;
	rr->secs = now() - d0;
	if (err)
		goto fail;
	uc_reg_read(uc, UC_X86_REG_CR0, &v);
	if (!done || !(v & 0x80000000ULL)) {
		fprintf(stderr, "%s: unicorn stopped early (CR0 %#llx)\n",
			path, (unsigned long long)v);
		uc_close(uc);
		return -1;
	}
	memcpy(&rr->result, ram + WL_RESULT_GPA, 8);
	uc_close(uc);
	return 0;
fail:
	fprintf(stderr, "%s: unicorn: %s\n", path, uc_strerror(err));
	if (uc)
		uc_close(uc);
	return -1;
}

/* ------------------------------------------------------ callgrind */

/*
 * Host instructions per guest instruction: run workload @i under
 * callgrind for CG_SKIP guest instructions, then collect over the next
 * CG_BUDGET (inside measured_run() only), and divide the instruction
 * total by the guest count of that window.
 * Returns 0 if valgrind is not available.
 */
static double callgrind_ratio(const char *self, const char *dir, int i)
{
	char cmd[8192], out[64], line[512];
	unsigned long long total = 0, guest = 0;
	FILE *p;

	snprintf(out, sizeof(out), "/tmp/vgen-bench-cg.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --toggle-collect=measured_run "
		 "--callgrind-out-file=%s %s -c %d %s 2>/dev/null",
		 out, self, i, dir);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		sscanf(line, "guest %llu", &guest);
	pclose(p);
	p = fopen(out, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "totals: %llu", &total) == 1 ||
		    sscanf(line, "summary: %llu", &total) == 1)
			break;
	fclose(p);
	unlink(out);
	return guest ? (double)total / guest : 0;
}

/* --------------------------------------------------------- native */

static void run_native(uint64_t (*fn)(void), struct run_result *rr)
{
	double d0 = now(), best = 1e9, t;
	int n = 0;

	/* best of repeated runs, at least 0.3 s in total */
	do {
		t = now();
		rr->result = fn();
		t = now() - t;
		if (t < best)
			best = t;
		n++;
	} while (now() - d0 < 0.3 || n < 3);
	rr->secs = best;
}

static const struct {
	const char *name;
	const char *what;
	uint64_t (*fn)(void);
} wls[WL_COUNT] = {
	{ "hash", "CRC-32 (table) + FNV-1a", wl_hash },
	{ "sort", "quicksort + heapsort, 64-bit", wl_sort },
	{ "lz", "LZ77 compress + decompress", wl_lz },
	{ "ptrchase", "shuffled linked list walk", wl_ptrchase },
	{ "bytecode", "stack bytecode interpreter", wl_bytecode },
};

int main(int argc, char **argv)
{
	struct run_result nat, sv, un;
	bool no_uc = false;
	const char *dir;
	char path[4096];
	int i, errors = 0;
	char self[4096];
	double cg;
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		no_uc = true;
		argv++;
		argc--;
	}
	ram = aligned_alloc(4096, RAM_SIZE);
	if (!ram)
		return 2;
	if (argc > 3 && !strcmp(argv[1], "-c")) {
		i = atoi(argv[2]) % WL_COUNT;
		snprintf(path, sizeof(path), "%s/wl-%s.elf", argv[3],
			 wls[i].name);
		if (run_svp(path, &sv, CG_BUDGET))
			return 1;
		printf("guest %llu\n", (unsigned long long)sv.insns);
		return 0;
	}
	dir = argc > 1 ? argv[1] : ".";
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	printf("| workload | guest insns | native time | native MIPS | "
	       "svp MIPS | unicorn MIPS | svp host insns/insn | "
	       "svp host cycles/insn | unicorn host cycles/insn | "
	       "svp / native | svp / unicorn |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < WL_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/wl-%s.elf", dir, wls[i].name);
		run_native(wls[i].fn, &nat);
		if (run_svp(path, &sv, 0)) {
			errors++;
			continue;
		}
		memset(&un, 0, sizeof(un));
		if (!no_uc && run_unicorn(path, &un)) {
			errors++;
			continue;
		}
		if (sv.result != nat.result ||
		    (!no_uc && un.result != nat.result)) {
			fprintf(stderr, "%s: MISMATCH native %#llx svp %#llx "
				"unicorn %#llx\n", wls[i].name,
				(unsigned long long)nat.result,
				(unsigned long long)sv.result,
				(unsigned long long)un.result);
			errors++;
			continue;
		}
		cg = callgrind_ratio(self, dir, i);
		printf("| %s (%s) | %.1f M | %.2f ms | %.0f | %.1f | ",
		       wls[i].name, wls[i].what, sv.insns / 1e6,
		       nat.secs * 1e3, sv.insns / nat.secs / 1e6,
		       sv.insns / sv.secs / 1e6);
		if (no_uc)
			printf("- | %.1f | %.1f | - | 1/%.0f | - |\n", cg,
			       (double)sv.cycles / sv.insns,
			       sv.secs / nat.secs);
		else
			printf("%.1f | %.1f | %.1f | %.1f | 1/%.0f | %.2fx |\n",
			       sv.insns / un.secs / 1e6, cg,
			       (double)sv.cycles / sv.insns,
			       (double)un.cycles / sv.insns,
			       sv.secs / nat.secs, un.secs / sv.secs);
		fflush(stdout);
	}
	if (errors)
		fprintf(stderr, "bench: %d error(s)\n", errors);
	return errors ? 1 : 0;
}
