// SPDX-License-Identifier: GPL-2.0
/*
 * libvgen API tests: the ELF loader's validation and the initial state
 * (these run without the module), and the object API on each backend
 * (FIXTURE_VARIANTs vgen and kvm; a missing device skips its variant).
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"

#define RAM	(8ULL << 20)

struct mini_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t code[16];
};

static void mini_elf_init(struct mini_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = 0x200000;
	e->eh.e_phoff = offsetof(struct mini_elf, ph);
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 2;
	e->ph[0].p_type = PT_LOAD;
	e->ph[0].p_offset = offsetof(struct mini_elf, code);
	e->ph[0].p_paddr = e->ph[0].p_vaddr = 0x200000;
	e->ph[0].p_filesz = sizeof(e->code);
	e->ph[0].p_memsz = 0x2000;
	e->ph[1].p_type = PT_NOTE;
	memset(e->code, 0x90, sizeof(e->code));
}

FIXTURE(loader) {
	void *ram;
	struct mini_elf e;
};

FIXTURE_SETUP(loader)
{
	self->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	mini_elf_init(&self->e);
}

FIXTURE_TEARDOWN(loader)
{
	munmap(self->ram, RAM);
}

static int load(FIXTURE_DATA(loader) *self, size_t len)
{
	uint64_t entry = 0;

	return vgen_image_load_elf(self->ram, RAM, &self->e, len, &entry);
}

TEST_F(loader, valid)
{
	uint64_t entry = 0;
	uint8_t *p = (uint8_t *)self->ram + 0x200000;

	memset(p, 0xcc, 0x3000);
	ASSERT_EQ(0, vgen_image_load_elf(self->ram, RAM, &self->e,
					 sizeof(self->e), &entry));
	EXPECT_EQ(0x200000, entry);
	EXPECT_EQ(0x90, p[0]);
	EXPECT_EQ(0x90, p[15]);
	EXPECT_EQ(0, p[16]);		/* bss zeroed */
	EXPECT_EQ(0, p[0x1fff]);
	EXPECT_EQ(0xcc, p[0x2000]);	/* nothing beyond memsz */
}

TEST_F(loader, bad_header)
{
	ASSERT_EQ(0, load(self, sizeof(self->e)));
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(Elf64_Ehdr) - 1));
	self->e.eh.e_ident[EI_MAG1] = 'X';
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_machine = EM_386;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_type = ET_DYN;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_phentsize = 10;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_phoff = sizeof(self->e) - 8;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_phoff = ~0ULL - 8;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.eh.e_phnum = 0xffff;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	self->e.ph[0].p_type = PT_NULL;	/* no PT_LOAD at all */
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
}

TEST_F(loader, bad_segment)
{
	Elf64_Phdr *ph = &self->e.ph[0];

	ph->p_filesz = ph->p_memsz + 1;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	ph->p_offset = sizeof(self->e) - 4;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	ph->p_offset = ~0ULL - 4;
	EXPECT_EQ(-ENOEXEC, load(self, sizeof(self->e)));
	/* Below 1 MiB (the loader area). */
	mini_elf_init(&self->e);
	ph->p_paddr = 0xff000;
	EXPECT_EQ(-ERANGE, load(self, sizeof(self->e)));
	/* Beyond RAM, ending exactly at RAM is fine. */
	mini_elf_init(&self->e);
	ph->p_paddr = RAM - 0x1000;
	EXPECT_EQ(-ERANGE, load(self, sizeof(self->e)));
	ph->p_paddr = RAM - 0x2000;
	EXPECT_EQ(0, load(self, sizeof(self->e)));
	/* Overflow. */
	mini_elf_init(&self->e);
	ph->p_paddr = ~0ULL - 0x1000;
	EXPECT_EQ(-ERANGE, load(self, sizeof(self->e)));
	mini_elf_init(&self->e);
	ph->p_memsz = ~0ULL;
	EXPECT_EQ(-ERANGE, load(self, sizeof(self->e)));
	/* The second header is validated before the first is copied. */
	mini_elf_init(&self->e);
	self->e.ph[1] = self->e.ph[0];
	self->e.ph[1].p_paddr = 0x1000;
	memset((uint8_t *)self->ram + 0x200000, 0, 16);
	EXPECT_EQ(-ERANGE, load(self, sizeof(self->e)));
	EXPECT_EQ(0, ((uint8_t *)self->ram)[0x200000]);
	EXPECT_EQ(-EINVAL, vgen_image_load_elf(NULL, RAM, &self->e, 1, NULL));
	EXPECT_EQ(-ENOENT, vgen_image_load_elf_file(self->ram, RAM,
						    "/nonexistent", NULL));
}

TEST_F(loader, initial_state)
{
	const uint64_t *pml4, *pdpt, *pd;
	struct vgen_sregs s;
	struct vgen_regs r;
	const uint64_t *gdt;

	ASSERT_EQ(0, vgen_image_setup_loader_area(self->ram, RAM));
	EXPECT_EQ(-EINVAL, vgen_image_setup_loader_area(self->ram, RAM + 4096));
	EXPECT_EQ(-EINVAL, vgen_image_setup_loader_area(self->ram, 2 << 20));
	pml4 = (const uint64_t *)((char *)self->ram + VGEN_IMAGE_PML4);
	pdpt = (const uint64_t *)((char *)self->ram + (pml4[0] & ~0xfffULL));
	EXPECT_EQ(0x7, pml4[0] & 0xfff);
	/* 4 GiB mapped (MMIO below 4 GiB), nothing above. */
	EXPECT_NE(0, pdpt[3] & 1);
	EXPECT_EQ(0, pdpt[4]);
	pd = (const uint64_t *)((char *)self->ram + (pdpt[3] & ~0xfffULL));
	EXPECT_EQ(0xc0000000ULL | 0x87, pd[0]);
	EXPECT_EQ(0xffe00000ULL | 0x87, pd[511]);
	gdt = (const uint64_t *)((char *)self->ram + VGEN_IMAGE_GDT);
	EXPECT_EQ(0, gdt[0]);
	EXPECT_EQ(0x00af9b000000ffffULL, gdt[1]);
	EXPECT_EQ(0x00cf93000000ffffULL, gdt[2]);

	memset(&s, 0x5a, sizeof(s));
	s.apic_base = 0xfee00900;
	ASSERT_EQ(0, vgen_image_init_vp(self->ram, RAM, 1, 2, 0x123456, &r,
					&s));
	EXPECT_EQ(0x123456, r.rip);
	EXPECT_EQ(2, r.rflags);
	EXPECT_EQ(1, r.gpr[VGEN_REG_RDI]);
	EXPECT_EQ(2, r.gpr[VGEN_REG_RSI]);
	EXPECT_EQ(RAM - VGEN_IMAGE_STACK_SIZE - 8, r.gpr[VGEN_REG_RSP]);
	EXPECT_EQ(0, r.gpr[VGEN_REG_RAX]);
	EXPECT_EQ(0, r.flags);
	EXPECT_EQ(0x80010011, s.cr0);
	EXPECT_EQ(0x20, s.cr4);
	EXPECT_EQ(0xd00, s.efer);
	EXPECT_EQ(VGEN_IMAGE_PML4, s.cr3);
	EXPECT_EQ(0xa09b, s.cs.attributes);
	EXPECT_EQ(0xc093, s.ss.attributes);
	EXPECT_EQ(0x8b, s.tr.attributes);
	EXPECT_EQ(0xfee00900, s.apic_base);	/* untouched */
	EXPECT_EQ(0, s.flags);
	EXPECT_EQ(0, s.reserved[7]);
	EXPECT_EQ(-EINVAL, vgen_image_init_vp(self->ram, RAM, 2, 2, 0, &r,
					      &s));
}

TEST(version)
{
	EXPECT_STREQ("0.1.0", vgen_version());
}

static void *bind_elsewhere(void *p)
{
	struct vgen_processor *proc = p;
	struct vgen_regs regs;

	return (void *)(intptr_t)vgen_processor_get_regs(proc, &regs);
}

FIXTURE(objects) {
	int err;
};

FIXTURE_VARIANT(objects) {
	const char *name;
	uint64_t software_vp;	/* VGEN_CAP_SOFTWARE_VP */
};

FIXTURE_VARIANT_ADD(objects, vgen) {
	.name = "vgen",
	.software_vp = 1,
};

FIXTURE_VARIANT_ADD(objects, kvm) {
	.name = "kvm",
	.software_vp = 0,
};

FIXTURE_SETUP(objects)
{
	self->err = vgen_test_backend_check(variant->name);
}

FIXTURE_TEARDOWN(objects)
{
}

TEST_F(objects, life_cycle)
{
	struct vgen_proto_config cfg = { .vp_count = 2 };
	struct vgen_hypervisor *hv;
	struct vgen_proto *proto;
	struct vgen_partition *part;
	struct vgen_binder *b;
	struct vgen_processor *proc, *proc2;
	uint64_t v;
	uint32_t n, bits;
	void *mem, *ret;
	pthread_t th;

	if (self->err)
		SKIP(return, "backend %s not available: %s", variant->name,
		     strerror(-self->err));
	EXPECT_EQ(-EINVAL, vgen_hypervisor_open("bogus", &hv));
	EXPECT_EQ(-EINVAL, vgen_hypervisor_open(variant->name, NULL));
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	EXPECT_STREQ(variant->name, vgen_hypervisor_backend_name(hv));
	ASSERT_EQ(0, vgen_hypervisor_check_cap(hv, VGEN_CAP_SOFTWARE_VP, &v));
	EXPECT_EQ(variant->software_vp, v);
	cfg.isolation = VGEN_ISOLATION_SNP;
	EXPECT_EQ(-EOPNOTSUPP, vgen_hypervisor_new_partition(hv, &cfg, &proto));
	cfg.isolation = 0;
	ASSERT_EQ(0, vgen_hypervisor_new_partition(hv, &cfg, &proto));
	ASSERT_EQ(0, vgen_proto_max_physical_address_size(proto, &bits));
	EXPECT_LE(32, bits);
	EXPECT_GE(52, bits);

	mem = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, vgen_proto_add_memory(proto, 0, 4 << 20, mem, 0));
	EXPECT_EQ(-EEXIST, vgen_proto_add_memory(proto, 1 << 20, 4 << 20,
						 mem, 0));
	EXPECT_EQ(-EINVAL, vgen_proto_add_memory(proto, 4 << 20, 100, mem, 0));
	ASSERT_EQ(0, vgen_proto_build(proto, &part));
	ASSERT_EQ(0, vgen_partition_vp_count(part, &n));
	EXPECT_EQ(2, n);

	/* map/unmap after build. */
	ASSERT_EQ(0, vgen_partition_map_range(part, 4 << 20, 2 << 20,
					      (char *)mem + (4 << 20), 0));
	ASSERT_EQ(0, vgen_partition_map_range(part, 6 << 20, 2 << 20,
					      (char *)mem + (6 << 20),
					      VGEN_MEMORY_READONLY));
	EXPECT_EQ(-EINVAL, vgen_partition_unmap_range(part, 5 << 20, 2 << 20));
	ASSERT_EQ(0, vgen_partition_unmap_range(part, 4 << 20, 4 << 20));
	ASSERT_EQ(0, vgen_partition_unmap_range(part, 4 << 20, 4 << 20));
	ASSERT_EQ(0, vgen_partition_map_range(part, 4 << 20, 2 << 20,
					      (char *)mem + (4 << 20), 0));

	EXPECT_EQ(-EINVAL, vgen_partition_binder(part, 2, &b));
	ASSERT_EQ(0, vgen_partition_binder(part, 1, &b));
	ASSERT_EQ(0, vgen_binder_bind(b, &proc));
	EXPECT_EQ(-EEXIST, vgen_binder_bind(b, &proc2));
	ASSERT_EQ(0, vgen_processor_index(proc, &n));
	EXPECT_EQ(1, n);
	/* A processor belongs to the thread that bound it. */
	ASSERT_EQ(0, pthread_create(&th, NULL, bind_elsewhere, proc));
	pthread_join(th, &ret);
	EXPECT_EQ(-EPERM, (int)(intptr_t)ret);

	vgen_partition_close(part);
	vgen_hypervisor_close(hv);
	munmap(mem, 8 << 20);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* vgen_hypervisor_is_available() agrees with vgen_hypervisor_open(). */
TEST_F(objects, is_available)
{
	int avail = vgen_hypervisor_is_available(variant->name);

	EXPECT_EQ(self->err == 0, avail);
	EXPECT_EQ(-EINVAL, vgen_hypervisor_is_available("bogus"));
	EXPECT_EQ(vgen_test_backend_check(NULL) == 0,
		  vgen_hypervisor_is_available(NULL));
	if (avail)
		EXPECT_EQ(1, vgen_hypervisor_is_available(NULL));
}

/*
 * The Hyper-V configuration and the VTL0 alias map are refused with
 * -EOPNOTSUPP (no backend has enlightenments or VTL2), bad arguments with
 * -EINVAL, the defaults accepted; the proto-partition still builds.
 */
TEST_F(objects, hv_config_and_alias_map)
{
	struct vgen_proto_config cfg = { .vp_count = 1 };
	struct vgen_hv_config hvc;
	struct vgen_hypervisor *hv;
	struct vgen_proto *proto;
	struct vgen_partition *part;

	if (self->err)
		SKIP(return, "backend %s not available: %s", variant->name,
		     strerror(-self->err));
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	ASSERT_EQ(0, vgen_hypervisor_new_partition(hv, &cfg, &proto));

	EXPECT_EQ(-EINVAL, vgen_proto_set_hv_config(NULL, NULL));
	EXPECT_EQ(0, vgen_proto_set_hv_config(proto, NULL));
	memset(&hvc, 0, sizeof(hvc));
	EXPECT_EQ(-EOPNOTSUPP, vgen_proto_set_hv_config(proto, &hvc));
	hvc.flags = VGEN_HV_OFFLOAD_ENLIGHTENMENTS;
	EXPECT_EQ(-EOPNOTSUPP, vgen_proto_set_hv_config(proto, &hvc));
	hvc.flags = VGEN_HV_ALLOW_DEVICE_ASSIGNMENT;
	EXPECT_EQ(-EOPNOTSUPP, vgen_proto_set_hv_config(proto, &hvc));
	hvc.flags = 0;
	hvc.vtl2 = 1;
	EXPECT_EQ(-EOPNOTSUPP, vgen_proto_set_hv_config(proto, &hvc));
	hvc.vtl2 = 0;
	hvc.flags = 1U << 2;
	EXPECT_EQ(-EINVAL, vgen_proto_set_hv_config(proto, &hvc));
	hvc.flags = 0;
	hvc.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, vgen_proto_set_hv_config(proto, &hvc));

	EXPECT_EQ(-EINVAL, vgen_proto_set_vtl0_alias_map(NULL, 0));
	EXPECT_EQ(0, vgen_proto_set_vtl0_alias_map(proto, 0));
	EXPECT_EQ(-EINVAL, vgen_proto_set_vtl0_alias_map(proto, 3ULL << 40));
	EXPECT_EQ(-EOPNOTSUPP, vgen_proto_set_vtl0_alias_map(proto,
							     1ULL << 40));
	EXPECT_EQ(-EOPNOTSUPP, vgen_proto_set_vtl0_alias_map(proto,
							     1ULL << 63));

	ASSERT_EQ(0, vgen_proto_build(proto, &part));
	vgen_partition_close(part);
	vgen_hypervisor_close(hv);
}

/*
 * The reference time counts 100 ns units from the partition's creation:
 * the first read is bounded by the CLOCK_MONOTONIC time elapsed since just
 * before the creation, and two reads around a 1 ms sleep differ by at
 * least 1 ms and at most the time measured around them.
 */
TEST_F(objects, reference_time)
{
	struct vgen_proto_config cfg = { .vp_count = 1 };
	struct timespec ms = { .tv_nsec = 1000000 };
	struct vgen_hypervisor *hv;
	struct vgen_proto *proto;
	struct vgen_partition *part;
	uint64_t before, t0, t1, t2, a, b;

	if (self->err)
		SKIP(return, "backend %s not available: %s", variant->name,
		     strerror(-self->err));
	ASSERT_EQ(0, vgen_hypervisor_open(variant->name, &hv));
	before = mono_ns();
	ASSERT_EQ(0, vgen_hypervisor_new_partition(hv, &cfg, &proto));
	ASSERT_EQ(0, vgen_proto_build(proto, &part));
	ASSERT_EQ(0, vgen_partition_reference_time(part, &t0));
	a = mono_ns();
	EXPECT_LE(t0, (a - before) / 100 + 1);

	EXPECT_EQ(-EINVAL, vgen_partition_reference_time(NULL, &t1));
	EXPECT_EQ(-EINVAL, vgen_partition_reference_time(part, NULL));

	a = mono_ns();
	ASSERT_EQ(0, vgen_partition_reference_time(part, &t1));
	ASSERT_EQ(0, clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL));
	ASSERT_EQ(0, vgen_partition_reference_time(part, &t2));
	b = mono_ns();
	EXPECT_LE(t0, t1);
	EXPECT_LT(t1, t2);
	EXPECT_LE(10000, t2 - t1);
	EXPECT_LE(t2 - t1, (b - a) / 100 + 1);

	vgen_partition_close(part);
	vgen_hypervisor_close(hv);
}

TEST_HARNESS_MAIN
