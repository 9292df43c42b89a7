// SPDX-License-Identifier: GPL-2.0
/* Guest code of backend_test; the host side is backend_test.c. */
#include "guest.h"
#include "backend_test.h"

volatile uint64_t bt_counter, bt_entered, bt_shared;
uint64_t bt_fs_value;

static const uint8_t bt_out_bytes[4] = { 0x11, 0x22, 0x33, 0x44 };

/* Every size of IN/OUT, then REP OUTSB (4 bytes) and REP INSW (3 words). */
void guest_bt_pio(void)
{
	const uint8_t *src = bt_out_bytes;
	uint16_t dst[3] = { 0, 0, 0 };
	uint16_t *d = dst;
	uint64_t n;

	outb(BT_PORT, 0x12);
	outw(BT_PORT, 0x3456);
	outl(BT_PORT, 0x789abcde);
	__asm__ volatile("outb %0, %1" : : "a"((uint8_t)0x5a),
			 "i"(BT_PORT_IMM));
	GUEST_ASSERT_EQ(inb(BT_PORT), 0xa1);
	GUEST_ASSERT_EQ(inw(BT_PORT), 0xb2c3);
	GUEST_ASSERT_EQ(inl(BT_PORT), 0xd4e5f607);
	n = 4;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(BT_PORT)
			 : "memory");
	GUEST_ASSERT_EQ(n, 0);
	GUEST_ASSERT_EQ((uint64_t)(uintptr_t)src,
			(uint64_t)(uintptr_t)(bt_out_bytes + 4));
	n = 3;
	__asm__ volatile("rep insw" : "+D"(d), "+c"(n) : "d"(BT_PORT)
			 : "memory");
	GUEST_ASSERT_EQ(n, 0);
	GUEST_ASSERT_EQ((uint64_t)(uintptr_t)d, (uint64_t)(uintptr_t)(dst + 3));
	GUEST_ASSERT_EQ(dst[0], 0x1000);
	GUEST_ASSERT_EQ(dst[1], 0x1001);
	GUEST_ASSERT_EQ(dst[2], 0x1002);
	GUEST_DONE();
}

/* MMIO writes and reads of 1, 2, 4 and 8 bytes. */
void guest_bt_mmio(void)
{
	volatile uint8_t *b8 = (volatile uint8_t *)BT_MMIO;
	volatile uint16_t *b16 = (volatile uint16_t *)(BT_MMIO + 0x10);
	volatile uint32_t *b32 = (volatile uint32_t *)(BT_MMIO + 0x20);
	volatile uint64_t *b64 = (volatile uint64_t *)(BT_MMIO + 0x30);

	*b8 = 0x81;
	*b16 = 0x8283;
	*b32 = 0x84858687;
	*b64 = 0x88898a8b8c8d8e8fULL;
	GUEST_ASSERT_EQ(*b8, 0x01);
	GUEST_ASSERT_EQ(*b16, 0x0302);
	GUEST_ASSERT_EQ(*b32, 0x07060504);
	GUEST_ASSERT_EQ(*b64, 0x0f0e0d0c0b0a0908ULL);
	GUEST_DONE();
}

void guest_bt_hlt(void)
{
	GUEST_SYNC(1);
	__asm__ volatile("hlt");
	GUEST_SYNC(2);
	GUEST_DONE();
}

/* No IDT (limit 0): #UD -> #GP -> #DF -> triple fault. */
void guest_bt_triple_fault(void)
{
	GUEST_SYNC(1);
	__asm__ volatile("ud2");
	GUEST_SYNC(2);
	GUEST_DONE();
}

/* Report CPUID leaves 1, BT_LEAF and BT_LEAF_NEW. */
void guest_bt_cpuid(void)
{
	uint32_t r[4];
	uint32_t fn[3] = { 1, BT_LEAF, BT_LEAF_NEW };
	int i;

	for (i = 0; i < 3; i++) {
		cpuid(fn[i], 0, r);
		ucall(UCALL_SYNC, r[0], r[1], r[2], r[3]);
	}
	GUEST_DONE();
}

/* Reports its arguments (RDI, RSI) and what FS:0 reads. */
void guest_bt_args(uint64_t a, uint64_t b)
{
	uint64_t fs0;

	GUEST_SYNC2(a, b);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs0));
	GUEST_SYNC(fs0);
	GUEST_DONE();
}

/* Count forever. */
void guest_bt_spin(void)
{
	bt_entered = 1;
	for (;;)
		bt_counter++;
}

/* One 32-bit IN into a known RAX, reported by SYNC. */
void guest_bt_in(void)
{
	uint64_t rax = 0x1122334455667788ULL;

	__asm__ volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(BT_PORT));
	GUEST_SYNC(rax);
	GUEST_DONE();
}

/* Every VP adds BT_COUNT to bt_shared with LOCK XADD. */
void guest_bt_count(uint64_t vp, uint64_t nvps)
{
	uint64_t i;

	GUEST_ASSERT(vp < nvps);
	for (i = 0; i < BT_COUNT; i++)
		__atomic_fetch_add(&bt_shared, 1, __ATOMIC_RELAXED);
	GUEST_DONE();
}
