// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and MMIO round trips: every size and direction, string
 * instructions with REP, read-modify-write on MMIO. The host checks each
 * exit against the script below, which follows io_test_guest.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "vgen_test.h"
#include "io_test.h"

enum { PIO, MMIO };

struct io_step {
	int kind;
	uint64_t addr;
	uint32_t size;
	int write;
	uint64_t data;	/* write: expected; read: supplied */
};

#define OUT(p, s, d)	{ PIO, p, s, 1, d }
#define IN(p, s, d)	{ PIO, p, s, 0, d }
#define MW(a, s, d)	{ MMIO, MMIO_BASE + (a), s, 1, d }
#define MR(a, s, d)	{ MMIO, MMIO_BASE + (a), s, 0, d }

static const struct io_step pio_script[] = {
	OUT(IO_PORT_LO, 1, 0x12), OUT(IO_PORT_LO + 2, 2, 0x3456),
	OUT(IO_PORT_LO + 4, 4, 0x789abcde),
	OUT(IO_PORT_HI, 1, 0x9a), OUT(IO_PORT_HI + 2, 2, 0xbcde),
	OUT(IO_PORT_HI + 4, 4, 0xf0e1d2c3),
	/* Junk above the access size must be ignored. */
	IN(IO_PORT_LO, 1, 0xffffffa5), IN(IO_PORT_LO + 2, 2, 0xffffbeef),
	IN(IO_PORT_LO + 4, 4, 0xdeadbeef),
	IN(IO_PORT_HI, 1, 0x5a), IN(IO_PORT_HI + 2, 2, 0x1234),
	IN(IO_PORT_HI + 4, 4, 0x87654321),
};

static const struct io_step pio_string_script[] = {
	OUT(IO_PORT_STR, 1, 'v'), OUT(IO_PORT_STR, 1, 'g'),
	OUT(IO_PORT_STR, 1, 'e'), OUT(IO_PORT_STR, 1, 'n'),
	OUT(IO_PORT_STR, 2, 0x1111), OUT(IO_PORT_STR, 2, 0x2222),
	OUT(IO_PORT_STR, 2, 0x3333),
	OUT(IO_PORT_STR, 4, 0xaabbccdd), OUT(IO_PORT_STR, 4, 0x11223344),
	IN(IO_PORT_STR, 1, 1), IN(IO_PORT_STR, 1, 2), IN(IO_PORT_STR, 1, 3),
	IN(IO_PORT_STR, 1, 4),
	IN(IO_PORT_STR, 2, 0x1001), IN(IO_PORT_STR, 2, 0x1002),
	IN(IO_PORT_STR, 2, 0x1003),
	IN(IO_PORT_STR, 4, 0x20000001), IN(IO_PORT_STR, 4, 0x20000002),
	OUT(IO_PORT_STR, 1, 'n'),
};

static const struct io_step mmio_script[] = {
	MW(0x00, 1, 0x81), MW(0x10, 2, 0x8283), MW(0x20, 4, 0x84858687),
	MW(0x30, 8, 0x88898a8b8c8d8e8fULL),
	MR(0x00, 1, 0x11), MR(0x10, 2, 0x2222), MR(0x20, 4, 0x33333333),
	MR(0x30, 8, 0x4444444444444444ULL),
	/* addl $5: read then write */
	MR(0x20, 4, 10), MW(0x20, 4, 15),
	/* orb $0x80 */
	MR(0x00, 1, 0x01), MW(0x00, 1, 0x81),
	/* movswq */
	MR(0x10, 2, 0x8001),
};

static void run_script(struct __test_metadata *_metadata, void *guest,
		       const struct io_step *steps, size_t n)
{
	struct vcpu *vcpu;
	struct vgen_run *run;
	struct ucall uc;
	struct vm *vm;
	uint64_t v;
	size_t i;
	int fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	vm = vm_create_with_vcpu(guest, &vcpu);
	run = vcpu->run;
	for (i = 0; i < n; i++) {
		const struct io_step *s = &steps[i];

		vcpu_run(vcpu);
		if (ucall_decode(vcpu, &uc) == UCALL_ASSERT)
			ucall_report_assert(vcpu, &uc);
		if (s->kind == PIO) {
			ASSERT_EQ(VGEN_EXIT_IO, run->exit_reason) {
				TH_LOG("step %zu: %s", i, vcpu_exit_str(vcpu));
			}
			ASSERT_EQ(s->addr, run->io.port) {
				TH_LOG("step %zu: %s", i, vcpu_exit_str(vcpu));
			}
			ASSERT_EQ(s->size, run->io.size);
			ASSERT_EQ(s->write ? VGEN_EXIT_IO_OUT : VGEN_EXIT_IO_IN,
				  run->io.direction) {
				TH_LOG("step %zu: %s", i, vcpu_exit_str(vcpu));
			}
			if (s->write) {
				/* EXPECT: report every bad value, go on. */
				EXPECT_EQ(s->data, run->io.data) {
					TH_LOG("step %zu: OUT data", i);
				}
			} else {
				run->io.data = (uint32_t)s->data;
			}
		} else {
			ASSERT_EQ(VGEN_EXIT_MMIO, run->exit_reason) {
				TH_LOG("step %zu: %s", i, vcpu_exit_str(vcpu));
			}
			ASSERT_EQ(s->addr, run->mmio.gpa) {
				TH_LOG("step %zu: %s", i, vcpu_exit_str(vcpu));
			}
			ASSERT_EQ(s->size, run->mmio.size) {
				TH_LOG("step %zu", i);
			}
			ASSERT_EQ(s->write, run->mmio.is_write) {
				TH_LOG("step %zu", i);
			}
			if (s->write) {
				v = 0;
				memcpy(&v, run->mmio.data, s->size);
				EXPECT_EQ(s->data, v) {
					TH_LOG("step %zu: MMIO write data", i);
				}
			} else {
				memset(run->mmio.data, 0xee,
				       sizeof(run->mmio.data));
				memcpy(run->mmio.data, &s->data, s->size);
			}
		}
	}
	vcpu_run_to_done(vcpu);
	vm_destroy(vm);
}

TEST(pio)
{
	run_script(_metadata, guest_pio, pio_script,
		   sizeof(pio_script) / sizeof(pio_script[0]));
}

TEST(pio_string)
{
	run_script(_metadata, guest_pio_string, pio_string_script,
		   sizeof(pio_string_script) / sizeof(pio_string_script[0]));
}

TEST(mmio)
{
	run_script(_metadata, guest_mmio, mmio_script,
		   sizeof(mmio_script) / sizeof(mmio_script[0]));
}

/* An IN completed with immediate_exit set does not run further. */
TEST(complete_with_immediate_exit)
{
	struct vgen_regs regs, after;
	struct vcpu *vcpu;
	struct vm *vm;
	int fd = vgen_open_dev();

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	close(fd);
	vm = vm_create_with_vcpu(guest_pio, &vcpu);
	/* Skip the six OUTs. */
	for (fd = 0; fd < 6; fd++)
		vcpu_run(vcpu);
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_IO, vcpu->run->exit_reason);
	ASSERT_EQ(VGEN_EXIT_IO_IN, vcpu->run->io.direction);
	vcpu_regs_get(vcpu, &regs);
	vcpu->run->io.data = 0xa5;
	vcpu->run->immediate_exit = 1;
	ASSERT_EQ(-EINTR, __vcpu_run(vcpu));
	ASSERT_EQ(VGEN_EXIT_INTR, vcpu->run->exit_reason);
	/* The IN completed: RAX low byte = 0xa5, RIP past the IN only. */
	vcpu_regs_get(vcpu, &after);
	EXPECT_EQ(0xa5, after.gpr[VGEN_REG_RAX] & 0xff);
	EXPECT_EQ(0x11223344556677a5ULL, after.gpr[VGEN_REG_RAX]);
	EXPECT_EQ(0xe4, *(uint8_t *)addr_gpa2hva(vm, after.rip - 2));
	EXPECT_TRUE(regs.rip == after.rip || regs.rip + 2 == after.rip);
	vcpu->run->immediate_exit = 0;
	vcpu_run(vcpu);
	ASSERT_EQ(VGEN_EXIT_IO, vcpu->run->exit_reason);
	ASSERT_EQ(IO_PORT_LO + 2, vcpu->run->io.port);
	vm_destroy(vm);
}

TEST(readonly_region)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;
	uint64_t *rom, v;
	int fd = vgen_open_dev();
	long cap;

	if (fd < 0)
		SKIP(return, "/dev/vgen not present");
	cap = __vgen_ioctl_val(fd, VGEN_CHECK_CAP, VGEN_CAP_READONLY_MEM);
	close(fd);
	if (cap <= 0)
		SKIP(return, "VGEN_CAP_READONLY_MEM not supported");
	rom = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rom);
	rom[0] = 0x0123456789abcdefULL;
	rom[1] = 0xfedcba9876543210ULL;
	ASSERT_EQ(0, mprotect(rom, 4096, PROT_READ));
	vm = vm_create_proto(1, VM_DEFAULT_RAM_MIB);
	ASSERT_EQ(0, vgen_proto_add_memory(vm->proto, ROM_BASE, 4096, rom,
					   VGEN_MEMORY_READONLY));
	vm_finalize(vm);
	vcpu = vm_add_vcpu(vm, 0, guest_rom);
	vcpu_run(vcpu);
	if (ucall_decode(vcpu, &uc) == UCALL_ASSERT)
		ucall_report_assert(vcpu, &uc);
	ASSERT_EQ(VGEN_EXIT_MMIO, vcpu->run->exit_reason) {
		TH_LOG("%s", vcpu_exit_str(vcpu));
	}
	EXPECT_EQ(ROM_BASE + 8, vcpu->run->mmio.gpa);
	EXPECT_EQ(8, vcpu->run->mmio.size);
	EXPECT_EQ(1, vcpu->run->mmio.is_write);
	memcpy(&v, vcpu->run->mmio.data, 8);
	EXPECT_EQ(0x1111, v);
	vcpu_run_to_done(vcpu);
	EXPECT_EQ(0xfedcba9876543210ULL, rom[1]);
	vm_destroy(vm);
	munmap(rom, 4096);
}

TEST_HARNESS_MAIN
