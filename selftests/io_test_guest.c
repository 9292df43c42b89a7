// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of io_test. The host (io_test.c) expects exactly this
 * sequence of accesses; keep both in sync.
 */
#include "guest.h"
#include "io_test.h"

void guest_pio(void)
{
	uint64_t rax;

	/* OUT, immediate port, every size. */
	outb(IO_PORT_LO, 0x12);
	outw(IO_PORT_LO + 2, 0x3456);
	outl(IO_PORT_LO + 4, 0x789abcde);
	/* OUT, DX port. */
	outb(IO_PORT_HI, 0x9a);
	outw(IO_PORT_HI + 2, 0xbcde);
	outl(IO_PORT_HI + 4, 0xf0e1d2c3);

	/* IN: only the accessed part of RAX changes (32-bit zero-extends). */
	rax = 0x1122334455667788ULL;
	__asm__ volatile("inb %1, %%al" : "+a"(rax) : "i"(IO_PORT_LO));
	GUEST_ASSERT_EQ(rax, 0x11223344556677a5ULL);
	rax = 0x1122334455667788ULL;
	__asm__ volatile("inw %1, %%ax" : "+a"(rax) : "i"(IO_PORT_LO + 2));
	GUEST_ASSERT_EQ(rax, 0x112233445566beefULL);
	rax = 0x1122334455667788ULL;
	__asm__ volatile("inl %1, %%eax" : "+a"(rax) : "i"(IO_PORT_LO + 4));
	GUEST_ASSERT_EQ(rax, 0xdeadbeefULL);
	GUEST_ASSERT_EQ(inb(IO_PORT_HI), 0x5a);
	GUEST_ASSERT_EQ(inw(IO_PORT_HI + 2), 0x1234);
	GUEST_ASSERT_EQ(inl(IO_PORT_HI + 4), 0x87654321);
	GUEST_DONE();
}

void guest_pio_string(void)
{
	static const uint8_t out8[4] = { 'v', 'g', 'e', 'n' };
	static const uint16_t out16[3] = { 0x1111, 0x2222, 0x3333 };
	static const uint32_t out32[2] = { 0xaabbccdd, 0x11223344 };
	uint8_t in8[5] = { 0, 0, 0, 0, 0x77 };
	uint16_t in16[3] = { 0 };
	uint32_t in32[3] = { 0, 0, 0x99 };
	const void *src;
	void *dst;
	uint64_t cnt;

	src = out8;
	cnt = 4;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(cnt)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ(cnt, 0);
	GUEST_ASSERT_EQ((uintptr_t)src, (uintptr_t)out8 + 4);
	src = out16;
	cnt = 3;
	__asm__ volatile("rep outsw" : "+S"(src), "+c"(cnt)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ((uintptr_t)src, (uintptr_t)out16 + 6);
	src = out32;
	cnt = 2;
	__asm__ volatile("rep outsl" : "+S"(src), "+c"(cnt)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ(cnt, 0);

	dst = in8;
	cnt = 4;
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(cnt)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ(cnt, 0);
	GUEST_ASSERT_EQ((uintptr_t)dst, (uintptr_t)in8 + 4);
	GUEST_ASSERT_EQ(in8[0], 1);
	GUEST_ASSERT_EQ(in8[1], 2);
	GUEST_ASSERT_EQ(in8[2], 3);
	GUEST_ASSERT_EQ(in8[3], 4);
	GUEST_ASSERT_EQ(in8[4], 0x77);
	dst = in16;
	cnt = 3;
	__asm__ volatile("rep insw" : "+D"(dst), "+c"(cnt)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ(in16[0], 0x1001);
	GUEST_ASSERT_EQ(in16[1], 0x1002);
	GUEST_ASSERT_EQ(in16[2], 0x1003);
	dst = in32;
	cnt = 2;
	__asm__ volatile("rep insl" : "+D"(dst), "+c"(cnt)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ(in32[0], 0x20000001);
	GUEST_ASSERT_EQ(in32[1], 0x20000002);
	GUEST_ASSERT_EQ(in32[2], 0x99);
	/* Single (non-REP) string forms, DF = 1 going down. */
	src = &out8[3];
	__asm__ volatile("std; outsb; cld" : "+S"(src)
			 : "d"(IO_PORT_STR) : "memory");
	GUEST_ASSERT_EQ((uintptr_t)src, (uintptr_t)&out8[2]);
	GUEST_DONE();
}

void guest_mmio(void)
{
	volatile uint8_t *b8 = (volatile uint8_t *)MMIO_BASE;
	volatile uint16_t *b16 = (volatile uint16_t *)(MMIO_BASE + 0x10);
	volatile uint32_t *b32 = (volatile uint32_t *)(MMIO_BASE + 0x20);
	volatile uint64_t *b64 = (volatile uint64_t *)(MMIO_BASE + 0x30);
	uint64_t v;

	*b8 = 0x81;
	*b16 = 0x8283;
	*b32 = 0x84858687;
	*b64 = 0x88898a8b8c8d8e8fULL;
	GUEST_ASSERT_EQ(*b8, 0x11);
	GUEST_ASSERT_EQ(*b16, 0x2222);
	GUEST_ASSERT_EQ(*b32, 0x33333333);
	GUEST_ASSERT_EQ(*b64, 0x4444444444444444ULL);
	/* Read-modify-write: a read exit, then a write exit. */
	__asm__ volatile("addl $5, (%0)" : : "r"(b32) : "memory");
	__asm__ volatile("orb $0x80, (%0)" : : "r"(b8) : "memory");
	/* Sign-extending load. */
	__asm__ volatile("movswq (%1), %0" : "=r"(v) : "r"(b16) : "memory");
	GUEST_ASSERT_EQ(v, 0xffffffffffff8001ULL);
	GUEST_DONE();
}

/* Reads come from the read-only region; writes exit as MMIO writes. */
void guest_rom(void)
{
	volatile uint64_t *rom = (volatile uint64_t *)ROM_BASE;

	GUEST_ASSERT_EQ(rom[0], 0x0123456789abcdefULL);
	GUEST_ASSERT_EQ(rom[1], 0xfedcba9876543210ULL);
	rom[1] = 0x1111;
	GUEST_ASSERT_EQ(rom[1], 0xfedcba9876543210ULL);
	GUEST_DONE();
}
