// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: guest image helper (ELF loader and initial long-mode state). */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define GIB		(1ULL << 30)
#define MIB2		(2ULL << 20)
#define IMAGE_PDPT	(VGEN_IMAGE_PML4 + 0x1000)
#define IMAGE_PD	(VGEN_IMAGE_PML4 + 0x2000)
#define IMAGE_MAX_FILE	(1ULL << 30)

static void put64(void *ram, uint64_t gpa, uint64_t v)
{
	memcpy((char *)ram + gpa, &v, sizeof(v));
}

VGEN_EXPORT int vgen_image_load_elf(void *ram, uint64_t ram_size,
				    const void *elf, size_t len,
				    uint64_t *entry)
{
	const unsigned char *p = elf;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t off, end;
	int pass, i;

	if (!ram || !elf)
		return -EINVAL;
	if (len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, p, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_ident[EI_VERSION] != EV_CURRENT ||
	    eh.e_type != ET_EXEC || eh.e_machine != EM_X86_64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
		return -ENOEXEC;
	if (eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return -ENOEXEC;

	/* Pass 0 validates every header, pass 1 copies. */
	for (pass = 0; pass < 2; pass++) {
		int loads = 0;

		for (i = 0; i < eh.e_phnum; i++) {
			off = eh.e_phoff + (uint64_t)i * sizeof(ph);
			memcpy(&ph, p + off, sizeof(ph));
			if (ph.p_type != PT_LOAD)
				continue;
			loads++;
			if (pass == 0) {
				if (ph.p_filesz > ph.p_memsz)
					return -ENOEXEC;
				if (ph.p_offset > len ||
				    ph.p_filesz > len - ph.p_offset)
					return -ENOEXEC;
				end = ph.p_paddr + ph.p_memsz;
				if (end < ph.p_paddr)
					return -ERANGE;
				if (ph.p_paddr < VGEN_IMAGE_LOADER_END ||
				    end > ram_size)
					return -ERANGE;
				continue;
			}
			memcpy((char *)ram + ph.p_paddr, p + ph.p_offset,
			       ph.p_filesz);
			memset((char *)ram + ph.p_paddr + ph.p_filesz, 0,
			       ph.p_memsz - ph.p_filesz);
		}
		if (!loads)
			return -ENOEXEC;
	}
	if (entry)
		*entry = eh.e_entry;
	return 0;
}

VGEN_EXPORT int vgen_image_load_elf_file(void *ram, uint64_t ram_size,
					 const char *path, uint64_t *entry)
{
	struct stat st;
	size_t done = 0;
	char *buf;
	ssize_t n;
	int fd, ret;

	if (!ram || !path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOEXEC;
	}
	if ((uint64_t)st.st_size > IMAGE_MAX_FILE) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return ret;
		}
		done += (size_t)n;
	}
	close(fd);
	ret = vgen_image_load_elf(ram, ram_size, buf, done, entry);
	free(buf);
	return ret;
}

/* A code or data segment descriptor with base 0 and limit 4 GiB. */
static uint64_t image_seg_desc(uint16_t attr)
{
	uint64_t d = 0xffffULL | (0xfULL << 48);

	d |= (uint64_t)(attr & 0xff) << 40;
	d |= (uint64_t)((attr >> 12) & 0xf) << 52;
	return d;
}

VGEN_EXPORT int vgen_image_setup_loader_area(void *ram, uint64_t ram_size)
{
	uint64_t map_size, gpa, tss = VGEN_IMAGE_TSS, lo;
	unsigned int i, npd;

	if (!ram || ram_size < VGEN_IMAGE_MIN_RAM ||
	    ram_size > VGEN_IMAGE_MAX_RAM || ram_size % MIB2)
		return -EINVAL;
	map_size = (ram_size + GIB - 1) & ~(GIB - 1);
	if (map_size < 4 * GIB)
		map_size = 4 * GIB;
	npd = (unsigned int)(map_size / GIB);

	memset(ram, 0, VGEN_IMAGE_LOADER_END);

	/* GDT */
	put64(ram, VGEN_IMAGE_GDT + 0x08, image_seg_desc(0xa09b));
	put64(ram, VGEN_IMAGE_GDT + 0x10, image_seg_desc(0xc093));
	lo = 0x67 | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
	     (((tss >> 24) & 0xff) << 56);
	put64(ram, VGEN_IMAGE_GDT + 0x18, lo);
	put64(ram, VGEN_IMAGE_GDT + 0x20, tss >> 32);
	put64(ram, VGEN_IMAGE_GDT + 0x28, image_seg_desc(0xa0fb));
	put64(ram, VGEN_IMAGE_GDT + 0x30, image_seg_desc(0xc0f3));

	/* TSS: I/O map base beyond the limit = no bitmap. */
	((unsigned char *)ram)[tss + 102] = 104;

	/* Page tables */
	put64(ram, VGEN_IMAGE_PML4, IMAGE_PDPT | PTE_P | PTE_RW | PTE_US);
	for (i = 0; i < npd; i++) {
		uint64_t pd = IMAGE_PD + (uint64_t)i * 0x1000;
		unsigned int j;

		put64(ram, IMAGE_PDPT + i * 8ULL, pd | PTE_P | PTE_RW | PTE_US);
		for (j = 0; j < 512; j++) {
			gpa = (uint64_t)i * GIB + (uint64_t)j * MIB2;
			put64(ram, pd + j * 8ULL,
			      gpa | PTE_P | PTE_RW | PTE_US | PTE_PS);
		}
	}
	return 0;
}

VGEN_EXPORT int vgen_image_init_vp(void *ram, uint64_t ram_size,
				   uint32_t vp_index, uint32_t vp_count,
				   uint64_t rip, struct vgen_regs *regs,
				   struct vgen_sregs *sregs)
{
	struct vgen_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = VGEN_SEL_DATA,
		.attributes = 0xc093,
	};
	uint64_t top;

	if (!ram || !regs || !sregs || !vp_count || vp_index >= vp_count ||
	    vp_count > VGEN_MAX_VPS)
		return -EINVAL;
	if (ram_size < VGEN_IMAGE_MIN_RAM || ram_size > VGEN_IMAGE_MAX_RAM ||
	    (uint64_t)vp_count * VGEN_IMAGE_STACK_SIZE >
	    ram_size - VGEN_IMAGE_LOADER_END)
		return -EINVAL;
	top = ram_size - (uint64_t)vp_index * VGEN_IMAGE_STACK_SIZE;

	memset(regs, 0, sizeof(*regs));
	regs->gpr[VGEN_REG_RSP] = top - 8;
	regs->gpr[VGEN_REG_RDI] = vp_index;
	regs->gpr[VGEN_REG_RSI] = vp_count;
	regs->rip = rip;
	regs->rflags = 2;
	put64(ram, top - 8, 0);

	sregs->cs = (struct vgen_segment){
		.base = 0, .limit = 0xffffffff, .selector = VGEN_SEL_CODE,
		.attributes = 0xa09b,
	};
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
	sregs->tr = (struct vgen_segment){
		.base = VGEN_IMAGE_TSS, .limit = 0x67,
		.selector = VGEN_SEL_TSS, .attributes = 0x8b,
	};
	sregs->ldt = (struct vgen_segment){
		.base = 0, .limit = 0xffff, .selector = 0, .attributes = 0x82,
	};
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	sregs->gdt.base = VGEN_IMAGE_GDT;
	sregs->gdt.limit = 0x37;
	memset(&sregs->idt, 0, sizeof(sregs->idt));
	sregs->cr0 = 0x80010011;
	sregs->cr2 = 0;
	sregs->cr3 = VGEN_IMAGE_PML4;
	sregs->cr4 = 0x20;
	sregs->cr8 = 0;
	sregs->efer = 0xd00;
	sregs->flags = 0;
	sregs->reserved0 = 0;
	memset(sregs->reserved, 0, sizeof(sregs->reserved));
	return 0;
}
